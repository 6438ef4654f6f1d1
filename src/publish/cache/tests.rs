//! The build cache's tests: records, proofs, memos and prefixes.

use super::*;
use crate::fsx::settled::Memo;

fn cache_text(lines: &[&str]) -> String {
    let mut body = format!("{HEADER}\n");
    for l in lines {
        body.push_str(l);
        body.push('\n');
    }
    let sum = sha256_hex(body.as_bytes());
    format!("{body}{sum}\n")
}

#[test]
fn a_sound_cache_reads_back() {
    let k = "a".repeat(64);
    let s = "b".repeat(64);
    let files = parse(cache_text(&[&format!("guides/X.html\t{k}\t{s}")])).unwrap();
    let got = files.get("guides/X.html").and_then(recorded);
    assert_eq!(got, Some((k.as_str(), s.as_str())));
    assert_eq!(files.get("guides/Y.html"), None);
}

#[test]
fn a_damaged_cache_is_refused() {
    let k = "a".repeat(64);
    let s = "b".repeat(64);
    let good = cache_text(&[&format!("guides/X.html\t{k}\t{s}")]);
    // Altered after it was written.
    assert!(parse(good.replace("X.html", "Y.html")).is_err());
    // Truncated.
    assert!(parse(good[..good.len() - 10].to_string()).is_err());
    assert!(parse(String::new()).is_err());
    // Sound checksum, bad lines: a line without a path refuses the
    // text; one whose path leaves the tree or whose fields are no
    // digests is never found.
    assert!(parse(cache_text(&[&format!("\t{k}\t{s}")])).is_err());
    for (path, line) in [
        ("guides/X.html", "guides/X.html\tnot-a-key\tx".to_string()),
        ("../etc/passwd", format!("../etc/passwd\t{k}\t{s}")),
        ("/etc/passwd", format!("/etc/passwd\t{k}\t{s}")),
        ("a", format!("a\t{k}\t{s}\textra")),
        ("a", format!("a\t{k}")),
    ] {
        let files = parse(cache_text(&[&line, &format!("b\t{k}\t{s}")])).unwrap();
        assert_eq!(files.get(path), None, "{line}");
        assert!(files.get("b").is_some());
    }
}

#[test]
fn a_file_changed_since_it_was_recorded_is_not_reused() {
    let old = tempfile::tempdir().unwrap();
    let new = tempfile::tempdir().unwrap();
    let none = Previous::none();
    let first = Output::new(old.path(), &none);
    let key = "c".repeat(64);
    first.write("guides/A.html", &key, b"<p>a</p>").unwrap();
    first.write("guides/B.html", &key, b"<p>b</p>").unwrap();
    first.write_cache().unwrap();
    std::fs::write(old.path().join("guides/B.html"), "<p>tampered</p>").unwrap();

    let prev = Previous::load(old.path());
    assert!(prev.ignored.is_none());
    let second = Output::new(new.path(), &prev);
    assert!(second.reuse(&key, &["guides/A.html"]));
    assert!(!second.reuse(&key, &["guides/B.html"]));
    assert!(!second.reuse(&"d".repeat(64), &["guides/A.html"]));
    // (Linked by the linker thread, in place once it has finished.)
    second.finish_links().unwrap();
    assert_eq!(
        std::fs::read(new.path().join("guides/A.html")).unwrap(),
        b"<p>a</p>"
    );
    assert!(!new.path().join("guides/B.html").exists());
    assert_eq!(second.counts().reused, 1);
}

#[test]
fn files_written_are_noted_in_the_memo_once_settled_and_prove_themselves() {
    let tmp = tempfile::tempdir().unwrap();
    // (The memo is kept beside its tree: inside the temporary folder.)
    let dist = tmp.path().join("dist");
    let none = Previous::none();
    let out = Output::new(&dist, &none);
    let key = "c".repeat(64);
    out.write("guides/A.html", &key, b"<p>a</p>").unwrap();
    out.write("guides/B.html", &key, b"<p>b</p>").unwrap();
    // A was written a minute ago (a long build's early file), B just now
    // (in whole seconds, as a file system with coarse ticks stamps: not
    // settled for seconds however slow this test runs).
    let a = dist.join("guides/A.html");
    let set = |path: &std::path::Path, t: std::time::SystemTime| {
        let f = std::fs::File::options().write(true).open(path).unwrap();
        f.set_modified(t).unwrap();
    };
    let now = std::time::SystemTime::now();
    set(&a, now - std::time::Duration::from_secs(60));
    let epoch = std::time::UNIX_EPOCH;
    let whole = now.duration_since(epoch).unwrap().as_secs();
    set(
        &dist.join("guides/B.html"),
        epoch + std::time::Duration::from_secs(whole),
    );
    out.note_written(&dist);
    let text = out.memo_text();
    let sha_a = sha256_hex(b"<p>a</p>");
    assert!(text.contains("guides/A.html\t"), "{text}");
    assert!(text.contains(&sha_a), "{text}");
    assert!(!text.contains("guides/B.html"), "racily clean: {text}");
    // The memo proves A by its stat alone.
    crate::fsx::settled::Memo::write(&dist, &text).unwrap();
    let memo = Memo::load(&dist);
    assert_eq!(
        memo.digest("guides/A.html", &a).map(|d| d.1),
        Some(sha_a.as_str())
    );
    // Rewritten since: the stat no longer holds.
    std::fs::write(&a, "<p>z</p>").unwrap();
    assert_eq!(memo.digest("guides/A.html", &a), None);
}

#[test]
fn a_proven_prefix_is_copied_and_only_the_tail_hashed() {
    let tmp = tempfile::tempdir().unwrap();
    let (old, new, again) = (
        tmp.path().join("a"),
        tmp.path().join("b"),
        tmp.path().join("c"),
    );
    let none = Previous::none();
    let prefix = b"{\"entries\": [1, 2, 3]".repeat(50);
    let key = "c".repeat(64);
    let write = |out: &Output<'_>, tail: &str| -> (bool, Vec<u8>, String) {
        let mut wrote = false;
        out.write_prefixed(
            "catalog.json",
            &key,
            "prefix key",
            &mut |w| {
                wrote = true;
                w.write_all(&prefix)
            },
            tail.as_bytes(),
        )
        .unwrap();
        let bytes = std::fs::read(out.root().join("catalog.json")).unwrap();
        let (_, sha256) = out.digests().pop().unwrap();
        (wrote, bytes, sha256)
    };
    let first = Output::new(&old, &none);
    let (wrote, bytes, sha256) = write(&first, ", \"release\": \"\"}");
    assert!(wrote);
    assert_eq!(sha256, sha256_hex(&bytes));
    // (The build's end: the file has settled, memo and records written.)
    let f = std::fs::File::options()
        .write(true)
        .open(old.join("catalog.json"))
        .unwrap();
    f.set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(60))
        .unwrap();
    first.note_written(&old);
    first.write_cache().unwrap();
    Memo::write(&old, &first.memo_text()).unwrap();

    // A release of the same entries: the prefix is taken, the digest
    // is that of the bytes.
    let prev = Previous::load(&old);
    let second = Output::new(&new, &prev);
    let (wrote, bytes, sha256) = write(&second, ", \"release\": \"2026.1\"}");
    assert!(!wrote, "the prefix was copied");
    assert_eq!(bytes, [&prefix[..], b", \"release\": \"2026.1\"}"].concat());
    assert_eq!(sha256, sha256_hex(&bytes));

    // The earlier file altered in place (the same length): it no
    // longer proves itself, and the prefix is written.
    let mut altered = std::fs::read(old.join("catalog.json")).unwrap();
    altered[3] = b'E';
    std::fs::write(old.join("catalog.json"), &altered).unwrap();
    let prev = Previous::load(&old);
    let third = Output::new(&again, &prev);
    let (wrote, bytes, sha256) = write(&third, "}");
    assert!(wrote);
    assert_eq!(bytes, [&prefix[..], b"}"].concat());
    assert_eq!(sha256, sha256_hex(&bytes));
}

/// An earlier build in `root` of the guides `names` (each `<p>NAME</p>`,
/// under `key`), with its cache.
fn earlier_build(root: &std::path::Path, key: &str, names: &[&str]) {
    let none = Previous::none();
    let first = Output::new(root, &none);
    for name in names {
        let body = format!("<p>{name}</p>");
        first
            .write(&format!("guides/{name}.html"), key, body.as_bytes())
            .unwrap();
    }
    first.write_cache().unwrap();
}

#[test]
fn files_taken_are_recorded_by_their_earlier_lines_and_the_cache_is_in_path_order() {
    let tmp = tempfile::tempdir().unwrap();
    let old = tmp.path().join("old");
    let key = "c".repeat(64);
    earlier_build(&old, &key, &["A", "C", "E"]);
    let written = std::fs::read_to_string(old.join(FILE)).unwrap();
    let lines: Vec<&str> = written.lines().skip(1).take(3).collect();
    // The same cache, and one whose lines are out of order (sealed all
    // the same): either way the new cache is in path order.
    let reversed: Vec<&str> = lines.iter().rev().copied().collect();
    for (n, cache) in [cache_text(&lines), cache_text(&reversed)]
        .iter()
        .enumerate()
    {
        std::fs::write(old.join(FILE), cache).unwrap();
        let prev = Previous::load(&old);
        let new = tmp.path().join(format!("new{n}"));
        let out = Output::new(&new, &prev);
        assert!(out.reuse(&key, &["guides/E.html"]));
        out.write("guides/D.html", &key, b"<p>D</p>").unwrap();
        assert!(out.reuse(&key, &["guides/C.html", "guides/A.html"]));
        out.finish_links().unwrap();
        out.write_cache().unwrap();
        let text = std::fs::read_to_string(new.join(FILE)).unwrap();
        let got: Vec<&str> = text.lines().skip(1).take(4).collect();
        let d = format!("guides/D.html\t{key}\t{}", sha256_hex(b"<p>D</p>"));
        // (The kept lines as the earlier cache wrote them.)
        assert_eq!(got, [lines[0], lines[1], d.as_str(), lines[2]], "{n}");
        assert!(parse(text.clone()).is_ok(), "sealed");
        let digests = out.digests();
        let paths: Vec<&str> = digests.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            paths,
            [
                "guides/A.html",
                "guides/C.html",
                "guides/D.html",
                "guides/E.html"
            ]
        );
        assert_eq!(digests[1].1, sha256_hex(b"<p>C</p>"));
        let (inside, rest) = out.sized_digests("guides");
        assert_eq!(inside.len(), 4);
        assert!(rest.is_empty());
        assert_eq!(
            inside[3],
            ("guides/E.html".into(), sha256_hex(b"<p>E</p>"), Some(8))
        );
    }
}

#[test]
fn files_kept_in_place_are_known_by_their_earlier_lines() {
    use crate::fsx::Kept as _;
    let tmp = tempfile::tempdir().unwrap();
    let old = tmp.path().join("dist");
    let key = "c".repeat(64);
    earlier_build(&old, &key, &["A", "B", "C", "D"]);
    let prev = Previous::load(&old);
    // Built over the old tree: what it proves stays there, nothing new
    // is written for it.
    let out = Output::over(&tmp.path().join("staged"), &old, &prev);
    assert!(out.kept().is_empty());
    assert!(out.reuse(&key, &["guides/D.html", "guides/B.html"]));
    assert!(
        !out.reuse(&"d".repeat(64), &["guides/C.html"]),
        "another key"
    );
    assert!(!tmp.path().join("staged/guides/D.html").exists());
    assert_eq!(out.kept_len(), 2);
    let mut kept = out.kept();
    kept.extend(["cache.txt".to_string()]);
    let keeps: Vec<bool> = ["guides/A.html", "guides/B.html", "guides/C.html"]
        .iter()
        .chain(&["guides/D.html", "guides/E.html", "cache.txt"])
        .map(|p| kept.keeps(p))
        .collect();
    assert_eq!(keeps, [false, true, false, true, false, true]);
    let mut each = Vec::new();
    kept.each(&mut |rel| {
        each.push(rel.to_string());
        Ok(())
    })
    .unwrap();
    each.sort();
    assert_eq!(each, ["cache.txt", "guides/B.html", "guides/D.html"]);
    assert!(!kept.is_empty());
}

#[test]
fn a_group_key_is_the_digest_of_its_parts_however_many_keys() {
    let stamp = Stamp("s".repeat(64));
    for n in [0, 1, 2, 1000, 3000] {
        let keys: Vec<String> = (0..n).map(|i| format!("{i:064x}")).collect();
        let mut whole = format!("{}group\0what", stamp.as_str()).into_bytes();
        for k in &keys {
            whole.push(0);
            whole.extend_from_slice(k.as_bytes());
        }
        let got = stamp.group_key("what", keys.iter().map(String::as_str));
        assert_eq!(got, sha256_hex(&whole), "{n} keys");
    }
}

#[test]
fn a_cache_line_proves_its_file_only_with_this_key_and_the_digest_it_holds() {
    let tmp = tempfile::tempdir().unwrap();
    let old = tmp.path().join("old");
    let key = "c".repeat(64);
    earlier_build(&old, &key, &["A"]);
    let written = std::fs::read_to_string(old.join(FILE)).unwrap();
    let line = written.lines().nth(1).unwrap().to_string();
    let sha = sha256_hex(b"<p>A</p>");
    for (n, (cache_line, proves)) in [
        (line.clone(), true),
        (format!("{line}\textra"), false),
        (line.replace(&sha, &"0".repeat(64)), false),
        (line.replace(&sha, &sha.to_uppercase()), false),
        (line.replace(&key, &"d".repeat(64)), false),
    ]
    .into_iter()
    .enumerate()
    {
        std::fs::write(old.join(FILE), cache_text(&[&cache_line])).unwrap();
        let prev = Previous::load(&old);
        let out = Output::new(&tmp.path().join(format!("new{n}")), &prev);
        assert_eq!(out.reuse(&key, &["guides/A.html"]), proves, "{cache_line}");
        out.finish_links().unwrap();
    }
}

//! Incremental builds (SPEC §10): after any sequence of edits to `items/`
//! and to the workspace's templates and configuration, `yima build` reusing
//! its cache gives the same bytes — every file, the cache included — as a
//! full build into a fresh folder; a tampered output or a damaged cache is
//! repaired, not published; a deleted cache only costs time; a build killed
//! before its swap leaves a tree the next build builds on correctly; a
//! removed entry's outputs go.
//!
//! The workspace is the bundled example filings ingested once; the edits
//! are random (proptest): change a field of an entry, remove an entry, put
//! a removed one back, change a template, change `release_name`.

mod common_catalog;

use assert_cmd::Command;
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use yima::publish::{self, Outputs, Reuse};
use yima::workspace::Workspace;

/// A workspace of the example filings, ingested; returns its root.
fn example_workspace(dir: &Path) -> PathBuf {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let filings = dir.join("filings");
    fs::create_dir_all(&filings).unwrap();
    for e in fs::read_dir(&examples).unwrap() {
        let path = e.unwrap().path();
        let keep = path.extension().is_some_and(|x| x == "xlsx" || x == "csv");
        if path.is_file() && keep {
            fs::copy(&path, filings.join(path.file_name().unwrap())).unwrap();
        }
    }
    fs::create_dir_all(dir.join("forms")).unwrap();
    for e in fs::read_dir(examples.join("forms")).unwrap() {
        let path = e.unwrap().path();
        fs::copy(&path, dir.join("forms").join(path.file_name().unwrap())).unwrap();
    }
    yima(dir, &["init", "."]);
    yima(dir, &["ingest", "filings"]);
    dir.to_path_buf()
}

fn yima(dir: &Path, args: &[&str]) -> String {
    let out = Command::cargo_bin("yima")
        .unwrap()
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(args)
        .assert()
        .success();
    String::from_utf8_lossy(&out.get_output().stdout).into_owned()
}

/// Builds the workspace into `out`, reusing its cache or not.
fn build(root: &Path, out: &Path, reuse: Reuse) -> publish::BuildSummary {
    let ws = Workspace::load(root).unwrap();
    publish::build_only(&ws, out, "", false, Outputs::All, reuse).unwrap()
}

/// Every file under `dir`, by relative path, with its bytes.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                out.insert(rel, fs::read(&p).unwrap());
            }
        }
    }
    let mut files = BTreeMap::new();
    walk(dir, dir, &mut files);
    files
}

/// Asserts that the incremental `dist/` and a full build of the same
/// workspace (in this process, as the incremental builds were) are the
/// same files with the same bytes.
fn assert_same_as_full(root: &Path, full: &Path, what: &str) {
    if full.exists() {
        fs::remove_dir_all(full).unwrap();
    }
    let summary = build(root, full, Reuse::Nothing);
    assert_eq!(summary.counts.reused, 0, "a full build reuses nothing");
    assert_same_trees(root, full, what);
}

/// The same, for a `dist/` built by the yima binary: the full build is
/// `yima build --full` (the cache's keys name the binary that made them).
fn assert_same_as_cli_full(root: &Path, full: &Path, what: &str) {
    if full.exists() {
        fs::remove_dir_all(full).unwrap();
    }
    let out = yima(root, &["build", "--full", "--out", full.to_str().unwrap()]);
    assert!(out.contains("沿用上次生成且未改变的 0 个"), "{out}");
    assert_same_trees(root, full, what);
}

/// The lines of an entry cache (`.yima.entries`, `.yima.codes`) as a load
/// reads them: its header, then of the lines for each path the last, for
/// the paths of `in_use` (a full build's cache, which has a line for each
/// entry file and nothing else), in path order. A build appends the lines
/// of the entries that changed to the cache it read, and the lines of
/// entries long gone stay until the cache is written whole again.
fn lines_in_use(cache: &[u8], in_use: &[u8]) -> Vec<u8> {
    let path = |line: &[u8]| {
        line.split(|&b| b == b'\t')
            .next()
            .unwrap_or_default()
            .to_vec()
    };
    let wanted: std::collections::BTreeSet<Vec<u8>> =
        in_use.split(|&b| b == b'\n').skip(1).map(path).collect();
    let mut lines = cache.split(|&b| b == b'\n');
    let mut out = lines.next().unwrap_or_default().to_vec();
    let mut last = BTreeMap::new();
    for line in lines.filter(|l| !l.is_empty()) {
        last.insert(path(line), line);
    }
    for (p, line) in last {
        if wanted.contains(&p) {
            out.push(b'\n');
            out.extend_from_slice(line);
        }
    }
    out
}

/// [`assert_same_as_full`] for the outputs alone (not the `.yima.*` files
/// of what a build proved): `dist/` as a release left it, the guides it
/// brought up to its stamps in place and the cache still naming the old
/// stamps in the keys of the files made of every entry's (which the next
/// build renders again).
fn assert_same_outputs_as_full(root: &Path, full: &Path, what: &str) {
    if full.exists() {
        fs::remove_dir_all(full).unwrap();
    }
    build(root, full, Reuse::Nothing);
    let outputs = |dir: &Path| {
        let mut files = tree(dir);
        files.retain(|rel, _| !rel.starts_with(".yima."));
        files
    };
    let (a, b) = (outputs(&root.join("dist")), outputs(full));
    assert_same_files(&a, &b, what);
}

/// Asserts that two trees ([`tree`]) have the same files, with the same
/// bytes.
fn assert_same_files(a: &BTreeMap<String, Vec<u8>>, b: &BTreeMap<String, Vec<u8>>, what: &str) {
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "{what}: the same files"
    );
    let differ: Vec<&String> = a.keys().filter(|k| a[*k] != b[*k]).collect();
    assert!(differ.is_empty(), "{what}: files differ: {differ:?}");
}

fn assert_same_trees(root: &Path, full: &Path, what: &str) {
    let mut a = tree(&root.join("dist"));
    let b = tree(full);
    for cache in [".yima.entries", ".yima.codes"] {
        if let (Some(x), Some(y)) = (a.get(cache), b.get(cache)) {
            let x = lines_in_use(x, y);
            assert_eq!(x, lines_in_use(y, y), "{what}: {cache}");
            a.insert(cache.to_string(), y.clone());
        }
    }
    let only_a: Vec<&String> = a.keys().filter(|k| !b.contains_key(*k)).collect();
    let only_b: Vec<&String> = b.keys().filter(|k| !a.contains_key(*k)).collect();
    assert!(
        only_a.is_empty() && only_b.is_empty(),
        "{what}: files only in the incremental build {only_a:?}, only in the full build {only_b:?}"
    );
    let differ: Vec<&String> = a.keys().filter(|k| a[*k] != b[*k]).collect();
    assert!(differ.is_empty(), "{what}: files differ: {differ:?}");
    assert!(a.contains_key(publish::cache::FILE), "{what}: no cache");
}

/// The entry files of `items/`, relative to it, sorted.
fn entry_files(items: &Path) -> Vec<PathBuf> {
    let mut v = Vec::new();
    if !items.is_dir() {
        return v;
    }
    for agency in fs::read_dir(items).unwrap() {
        let agency = agency.unwrap().path();
        if agency.is_dir() {
            for f in fs::read_dir(&agency).unwrap() {
                let f = f.unwrap().path();
                if f.extension().is_some_and(|x| x == "yaml") {
                    v.push(f.strip_prefix(items).unwrap().to_path_buf());
                }
            }
        }
    }
    v.sort();
    v
}

#[derive(Debug, Clone)]
enum Edit {
    /// Change the 办理地点 of the n-th entry (mod the count).
    Field(usize, u32),
    /// Remove the n-th entry.
    Remove(usize),
    /// Put the n-th removed entry back.
    Restore(usize),
    /// Change the Markdown guide's template (a workspace override).
    Template(u32),
    /// Change `release_name` in `yima.yaml`.
    Config(u32),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        4 => (any::<usize>(), 0u32..1000).prop_map(|(n, v)| Edit::Field(n, v)),
        2 => any::<usize>().prop_map(Edit::Remove),
        2 => any::<usize>().prop_map(Edit::Restore),
        1 => (0u32..1000).prop_map(Edit::Template),
        1 => (0u32..1000).prop_map(Edit::Config),
    ]
}

/// Applies an edit to the workspace at `root`; removed entries wait in
/// `held`.
fn apply(root: &Path, held: &Path, edit: &Edit) {
    let items = root.join("items");
    match edit {
        Edit::Field(n, v) => {
            let files = entry_files(&items);
            let path = items.join(&files[n % files.len()]);
            let text = fs::read_to_string(&path).unwrap();
            let mut out = String::new();
            let mut done = false;
            for line in text.lines() {
                if !done && line.starts_with("address:") {
                    out.push_str(&format!("address: 娄底市政务服务中心第 {v} 号窗口"));
                    done = true;
                } else {
                    out.push_str(line);
                }
                out.push('\n');
            }
            if !done {
                // Before the first key, the file stays a mapping.
                out = format!("address: 娄底市政务服务中心第 {v} 号窗口\n{out}");
            }
            fs::write(&path, out).unwrap();
        }
        Edit::Remove(n) => {
            let files = entry_files(&items);
            if files.len() <= 3 {
                return;
            }
            let rel = &files[n % files.len()];
            let to = held.join(rel);
            fs::create_dir_all(to.parent().unwrap()).unwrap();
            fs::rename(items.join(rel), to).unwrap();
        }
        Edit::Restore(n) => {
            let files = entry_files(held);
            if files.is_empty() {
                return;
            }
            let rel = &files[n % files.len()];
            let to = items.join(rel);
            fs::create_dir_all(to.parent().unwrap()).unwrap();
            fs::rename(held.join(rel), to).unwrap();
        }
        Edit::Template(v) => {
            let embedded = fs::read_to_string(
                Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/guide.md"),
            )
            .unwrap();
            fs::create_dir_all(root.join("templates")).unwrap();
            fs::write(
                root.join("templates/guide.md"),
                format!("{embedded}\n（第 {v} 版模板）\n"),
            )
            .unwrap();
        }
        Edit::Config(v) => {
            let path = root.join("yima.yaml");
            let text = fs::read_to_string(&path).unwrap();
            let text: String = text
                .lines()
                .map(|l| {
                    if l.starts_with("release_name:") {
                        format!("release_name: 娄底市政务服务事项目录（{v}）\n")
                    } else {
                        format!("{l}\n")
                    }
                })
                .collect();
            fs::write(&path, text).unwrap();
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4, ..ProptestConfig::default() })]

    #[test]
    fn incremental_builds_equal_full_builds(edits in prop::collection::vec(edit(), 1..6)) {
        let tmp = tempfile::tempdir().unwrap();
        let root = example_workspace(&tmp.path().join("ws"));
        let held = tmp.path().join("held");
        let full = tmp.path().join("full");
        let dist = root.join("dist");
        let first = build(&root, &dist, Reuse::Cache);
        prop_assert_eq!(first.counts.reused, 0);
        for (i, e) in edits.iter().enumerate() {
            apply(&root, &held, e);
            let s = build(&root, &dist, Reuse::Cache);
            assert_same_as_full(&root, &full, &format!("after edit {i} {e:?} of {edits:?}"));
            if matches!(e, Edit::Field(..)) {
                // One entry changed: its guides, its agency's 汇编, its
                // level's catalog, the whole-catalog files and the pages;
                // the rest is kept.
                prop_assert!(s.counts.reused > s.counts.written, "{:?}", s.counts);
            }
        }
    }
}

#[test]
fn an_unchanged_catalog_renders_nothing_and_a_changed_entry_little() {
    let tmp = tempfile::tempdir().unwrap();
    let root = example_workspace(tmp.path());
    let dist = root.join("dist");
    let first = build(&root, &dist, Reuse::Cache);
    assert!(first.counts.written > 200, "{:?}", first.counts);
    let again = build(&root, &dist, Reuse::Cache);
    assert_eq!(again.counts.written, 0, "{:?}", again.counts);
    // Every entry came from the previous build's cache, not its YAML.
    assert_eq!(first.entries_reused, 0);
    assert_eq!(again.entries_reused, entry_files(&root.join("items")).len());
    assert_eq!(again.counts.reused, first.counts.written);

    let files = entry_files(&root.join("items"));
    apply(&root, &tmp.path().join("held"), &Edit::Field(0, 7));
    let code = files[0].file_stem().unwrap().to_string_lossy().into_owned();
    let agency = files[0].parent().unwrap().to_string_lossy().into_owned();
    let before = fs::read(dist.join(format!("guides/{code}.html"))).unwrap();
    let other = files.iter().find(|f| !f.starts_with(&agency)).unwrap();
    let other_code = other.file_stem().unwrap().to_string_lossy().into_owned();
    let other_docx = dist.join(format!("guides/{other_code}.docx"));
    let ino = |p: &Path| std::os::unix::fs::MetadataExt::ino(&fs::metadata(p).unwrap());
    let other_ino = ino(&other_docx);
    let changed = build(&root, &dist, Reuse::Cache);
    // Its HTML, Markdown and Word guides, its agency's 汇编, its level's
    // catalog, the four whole-catalog files… not the other agencies'.
    assert!(changed.counts.written < 15, "{:?}", changed.counts);
    let after = fs::read(dist.join(format!("guides/{code}.html"))).unwrap();
    assert_ne!(before, after);
    assert!(String::from_utf8_lossy(&after).contains("第 7 号窗口"));
    // An unchanged file is the same file, linked, not written again.
    assert_eq!(ino(&other_docx), other_ino);
    assert_same_as_full(&root, &tmp.path().join("full"), "one field changed");
}

#[test]
fn a_tampered_output_is_rendered_again() {
    let tmp = tempfile::tempdir().unwrap();
    let root = example_workspace(tmp.path());
    let dist = root.join("dist");
    build(&root, &dist, Reuse::Cache);
    let files = entry_files(&root.join("items"));
    let code = files[3].file_stem().unwrap().to_string_lossy().into_owned();
    let html = dist.join(format!("guides/{code}.html"));
    let docx = dist.join(format!("guides/{code}.docx"));
    let good_html = fs::read(&html).unwrap();
    let good_docx = fs::read(&docx).unwrap();
    // Same size, other bytes; and a file cut short.
    let mut bad = good_html.clone();
    bad[100] ^= 1;
    fs::write(&html, &bad).unwrap();
    fs::write(&docx, &good_docx[..good_docx.len() / 2]).unwrap();
    fs::remove_file(dist.join("catalog.csv")).unwrap();
    let s = build(&root, &dist, Reuse::Cache);
    assert_eq!(fs::read(&html).unwrap(), good_html);
    assert_eq!(fs::read(&docx).unwrap(), good_docx);
    assert!(dist.join("catalog.csv").is_file());
    // html and md (rendered together), docx, catalog.csv.
    assert_eq!(s.counts.written, 4, "{:?}", s.counts);
    assert_same_as_full(&root, &tmp.path().join("full"), "tampered outputs");
}

/// Sets the modification time of every file under `dir` a minute back, as
/// if the files had been made before this run.
fn settle(dir: &Path) {
    let then = std::time::SystemTime::now() - std::time::Duration::from_secs(60);
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            settle(&p);
        } else {
            let f = fs::File::options().write(true).open(&p).unwrap();
            f.set_modified(then).unwrap();
        }
    }
}

/// The paths a stat memo lists.
fn memo_paths(memo: &Path) -> Vec<String> {
    let text = fs::read_to_string(memo).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.len() >= 2, "{text}");
    lines[1..lines.len() - 1]
        .iter()
        .map(|l| l.split('\t').next().unwrap().to_string())
        .collect()
}

/// Asserts that the stat memo of the tree `root` proves no file falsely:
/// every line whose stat a file under `root` still has gives that file's
/// digest. How many lines do.
fn memo_proves_only_true_digests(memo: &Path, root: &Path) -> usize {
    use sha2::Digest;
    use std::os::unix::fs::MetadataExt;
    let text = fs::read_to_string(memo).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let mut proving = 0;
    for line in &lines[1..lines.len() - 1] {
        let [path, stat, sha256] = line.split('\t').collect::<Vec<_>>()[..] else {
            panic!("{line}")
        };
        let Ok(m) = fs::metadata(root.join(path)) else {
            continue;
        };
        let mtime = (m.modified().unwrap())
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        if stat != format!("{}.{mtime}.{}.{}", m.len(), m.dev(), m.ino()) {
            continue;
        }
        let bytes = fs::read(root.join(path)).unwrap();
        let digest: String = (sha2::Sha256::digest(&bytes).iter())
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(sha256, digest, "{path}");
        proving += 1;
    }
    proving
}

#[test]
fn settled_files_are_proven_by_their_stats_and_edits_still_show() {
    let tmp = tempfile::tempdir().unwrap();
    let root = example_workspace(tmp.path());
    let dist = root.join("dist");
    let first = build(&root, &dist, Reuse::Cache);
    settle(&dist);
    settle(&root.join("items"));
    // Proven by their bytes, and their stats noted beside the trees.
    let second = build(&root, &dist, Reuse::Cache);
    assert_eq!(second.counts.written, 0, "{:?}", second.counts);
    let (dist_memo, items_memo) = (
        root.join(".dist.yima.stats"),
        root.join(".items.yima.stats"),
    );
    let files = entry_files(&root.join("items"));
    assert_eq!(memo_paths(&dist_memo).len(), first.counts.written);
    assert_eq!(memo_paths(&items_memo).len(), files.len());
    // Proven by their stats: nothing rendered, the memos the same.
    let third = build(&root, &dist, Reuse::Cache);
    assert_eq!(third.counts.written, 0, "{:?}", third.counts);
    assert_eq!(memo_paths(&dist_memo).len(), first.counts.written);
    assert_eq!(memo_paths(&items_memo).len(), files.len());

    // A guide rewritten to the same size, and an entry file edited to the
    // same size with its old time put back: both are seen.
    let code = files[2].file_stem().unwrap().to_string_lossy().into_owned();
    let html = dist.join(format!("guides/{code}.html"));
    let good = fs::read(&html).unwrap();
    let mut bad = good.clone();
    bad[100] ^= 1;
    fs::write(&html, &bad).unwrap();
    let entry = root.join("items").join(&files[0]);
    let text = fs::read_to_string(&entry).unwrap();
    let name = text.lines().find_map(|l| l.strip_prefix("name: ")).unwrap();
    let first_char = name.chars().next().unwrap();
    assert_eq!(first_char.len_utf8(), 3, "{name}");
    let renamed = format!("鑫{}", &name[3..]);
    fs::write(
        &entry,
        text.replacen(&format!("name: {name}"), &format!("name: {renamed}"), 1),
    )
    .unwrap();
    let before = fs::metadata(&entry).unwrap().len();
    settle(&root.join("items"));
    assert_eq!(fs::metadata(&entry).unwrap().len(), before);
    build(&root, &dist, Reuse::Cache);
    assert_eq!(fs::read(&html).unwrap(), good);
    let code0 = files[0].file_stem().unwrap().to_string_lossy().into_owned();
    let guide = fs::read_to_string(dist.join(format!("guides/{code0}.html"))).unwrap();
    assert!(guide.contains(&renamed), "the edit shows");
    assert_same_as_full(&root, &tmp.path().join("full"), "stats proving files");
    assert!(
        !dist.join(".dist.yima.stats").exists()
            && !tmp.path().join("full").join(".full.yima.stats").exists()
    );
}

#[test]
fn a_damaged_or_deleted_cache_costs_time_only() {
    let tmp = tempfile::tempdir().unwrap();
    let root = example_workspace(tmp.path());
    let dist = root.join("dist");
    let first = build(&root, &dist, Reuse::Cache);
    let cache = dist.join(publish::cache::FILE);
    let good = fs::read_to_string(&cache).unwrap();

    // A line altered (a key now claims another file's hash): the checksum
    // no longer matches, the cache is refused whole.
    let lines: Vec<&str> = good.lines().collect();
    let sha_of_second = lines[2].rsplit('\t').next().unwrap();
    let altered = good.replacen(lines[1].rsplit('\t').next().unwrap(), sha_of_second, 1);
    fs::write(&cache, altered).unwrap();
    let s = build(&root, &dist, Reuse::Cache);
    assert_eq!(s.counts.reused, 0);
    assert!(s.cache_ignored.is_some());
    assert_same_as_full(&root, &tmp.path().join("full"), "altered cache");

    // Cut short.
    fs::write(&cache, &good[..good.len() / 2]).unwrap();
    let s = build(&root, &dist, Reuse::Cache);
    assert_eq!(s.counts.reused, 0);
    assert_same_as_full(&root, &tmp.path().join("full"), "truncated cache");

    // The entries kept for the next build's loading: a line altered (an
    // address changed in its JSON) is not used, the entry is read from its
    // file; the whole file cut short is read line by line as far as it goes.
    let entries = dist.join(yima::catalog::cached::FILE);
    let text = fs::read_to_string(&entries).unwrap();
    let line = text.lines().nth(1).unwrap();
    assert!(line.contains("\"address\":\""), "{line}");
    let forged = line.replacen("\"address\":\"", "\"address\":\"伪造", 1);
    fs::write(&entries, text.replacen(line, &forged, 1)).unwrap();
    build(&root, &dist, Reuse::Cache);
    assert!(
        !fs::read_to_string(dist.join("catalog.json"))
            .unwrap()
            .contains("伪造")
    );
    assert_same_as_full(&root, &tmp.path().join("full"), "altered entry cache");
    let text = fs::read_to_string(&entries).unwrap();
    fs::write(&entries, &text.as_bytes()[..text.len() / 3]).unwrap();
    build(&root, &dist, Reuse::Cache);
    assert_same_as_full(&root, &tmp.path().join("full"), "entry cache cut short");

    // Deleted.
    fs::remove_file(dist.join(publish::cache::FILE)).unwrap();
    let s = build(&root, &dist, Reuse::Cache);
    assert_eq!(s.counts.reused, 0);
    assert_eq!(s.counts.written, first.counts.written);
    assert!(s.cache_ignored.is_none());
    assert_same_as_full(&root, &tmp.path().join("full"), "deleted cache");
}

#[test]
fn removed_entries_leave_the_output() {
    let tmp = tempfile::tempdir().unwrap();
    let root = example_workspace(tmp.path());
    let dist = root.join("dist");
    build(&root, &dist, Reuse::Cache);
    // Every entry of one agency goes: its guides and its 汇编 go with them.
    let items = root.join("items");
    let files = entry_files(&items);
    let agency = files[0].parent().unwrap().to_path_buf();
    let codes: Vec<String> = files
        .iter()
        .filter(|f| f.starts_with(&agency))
        .map(|f| f.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    fs::rename(items.join(&agency), tmp.path().join("gone")).unwrap();
    build(&root, &dist, Reuse::Cache);
    for code in &codes {
        for ext in ["html", "md", "docx"] {
            assert!(
                !dist.join(format!("guides/{code}.{ext}")).exists(),
                "{code}.{ext}"
            );
        }
    }
    let compilation = format!(
        "guides/{}{}",
        agency.display(),
        publish::docx::COMPILATION_SUFFIX
    );
    assert!(!dist.join(&compilation).exists());
    assert!(
        !fs::read_to_string(dist.join(publish::cache::FILE))
            .unwrap()
            .contains(&codes[0])
    );
    assert_same_as_full(&root, &tmp.path().join("full"), "agency removed");
}

#[test]
fn a_build_killed_before_its_swap_leaves_a_sound_tree() {
    let tmp = tempfile::tempdir().unwrap();
    let root = example_workspace(tmp.path());
    yima(&root, &["build"]);
    apply(&root, &tmp.path().join("held"), &Edit::Field(5, 42));
    apply(&root, &tmp.path().join("held"), &Edit::Remove(9));
    let before = tree(&root.join("dist"));
    // Killed after every file and the new cache were written, before the
    // swap: the old tree and its cache are what stays.
    let killed = Command::cargo_bin("yima")
        .unwrap()
        .current_dir(&root)
        .env("YIMA_FAULT", "kill@swap")
        .args(["build"])
        .assert()
        .failure();
    drop(killed);
    assert!(
        tree(&root.join("dist")) == before,
        "a killed build changed dist/"
    );
    // Killed between the swap's two renames: the next run puts the old
    // tree back, then builds on it.
    Command::cargo_bin("yima")
        .unwrap()
        .current_dir(&root)
        .env("YIMA_FAULT", "kill@swap:between")
        .args(["build"])
        .assert()
        .failure();
    let out = yima(&root, &["build"]);
    assert!(out.contains("沿用"), "{out}");
    assert_same_as_cli_full(&root, &tmp.path().join("full"), "after killed builds");
}

#[test]
fn build_full_renders_everything_and_gives_the_same_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let root = example_workspace(tmp.path());
    yima(&root, &["build"]);
    let before = tree(&root.join("dist"));
    let out = yima(&root, &["build", "--full"]);
    assert!(out.contains("沿用上次生成且未改变的 0 个"), "{out}");
    assert!(tree(&root.join("dist")) == before);
    let out = yima(&root, &["--lang", "en", "build"]);
    assert!(out.contains("0 files rendered"), "{out}");
}

/// Makes release `version` of the workspace at `root`.
/// The files of an output tree, its caches (`.yima.*`) aside.
fn output_files(dir: &Path) -> usize {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| !e.file_name().to_string_lossy().starts_with(".yima."))
        .map(|e| match e.file_type().unwrap().is_dir() {
            true => output_files(&e.path()),
            false => 1,
        })
        .sum()
}

fn release(root: &Path, version: &str) -> yima::release::ReleaseSummary {
    let ws = Workspace::load(root).unwrap();
    yima::release::release(&ws, version, false).unwrap()
}

/// Asserts that release `version` of `root`, which took what it could from
/// the previous release and `dist/`, is the release a copy of the
/// workspace with no build and no cache makes from the same history; and
/// that its change log is the one the whole catalogs give.
fn assert_release_as_from_scratch(root: &Path, scratch: &Path, version: &str, what: &str) {
    if scratch.exists() {
        fs::remove_dir_all(scratch).unwrap();
    }
    // The workspace without dist/ and releases/, then the earlier releases
    // alone (not the caches kept beside them).
    fs::create_dir_all(scratch).unwrap();
    for e in fs::read_dir(root).unwrap() {
        let e = e.unwrap();
        let name = e.file_name().to_string_lossy().into_owned();
        if e.file_type().unwrap().is_dir() {
            if name != "dist" && name != "releases" {
                common_catalog::copy_tree(&e.path(), &scratch.join(&name));
            }
        } else {
            fs::copy(e.path(), scratch.join(&name)).unwrap();
        }
    }
    let releases = root.join("releases");
    for v in yima::release::list(&releases) {
        if v != version {
            common_catalog::copy_tree(&releases.join(&v), &scratch.join("releases").join(&v));
        }
    }
    let s = release(scratch, version);
    assert_eq!(s.rendered.reused, 0, "{what}: nothing to take from");
    let a = tree(&releases.join(version));
    let b = tree(&scratch.join("releases").join(version));
    assert_same_files(&a, &b, what);

    // The change log compared only the entries whose digest changed: it is
    // the one the whole catalogs give.
    use yima::release::diff::{Side, diff};
    let ws = Workspace::load(root).unwrap();
    let mut versions: Vec<String> = yima::release::list(&releases);
    versions.sort_by_key(|v| yima::release::version_key(v));
    let at = versions.iter().position(|v| v == version).unwrap();
    let old = match at {
        0 => Side {
            label: "（无）".into(),
            ..Side::default()
        },
        _ => Side {
            label: versions[at - 1].clone(),
            ..Side::load(&releases.join(&versions[at - 1])).unwrap()
        },
    };
    let new = Side {
        label: version.into(),
        ..Side::load(&releases.join(version)).unwrap()
    };
    let whole = serde_json::to_value(diff(&ws.standard, &old, &new)).unwrap();
    let written: serde_json::Value = serde_json::from_slice(&a["changes.json"]).unwrap();
    assert_eq!(written, whole, "{what}: change log");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3, ..ProptestConfig::default() })]

    #[test]
    fn incremental_releases_equal_releases_from_scratch(
        steps in prop::collection::vec((prop::collection::vec(edit(), 0..3), any::<bool>()), 1..4)
    ) {
        let tmp = tempfile::tempdir().unwrap();
        let root = example_workspace(&tmp.path().join("ws"));
        let held = tmp.path().join("held");
        let scratch = tmp.path().join("scratch");
        let dist = root.join("dist");
        for (i, (edits, built)) in steps.iter().enumerate() {
            for e in edits {
                apply(&root, &held, e);
            }
            if *built {
                build(&root, &dist, Reuse::Cache);
            }
            let version = format!("2026.{}", i + 1);
            let s = release(&root, &version);
            let what = format!("release {version} after {steps:?}");
            assert_release_as_from_scratch(&root, &scratch, &version, &what);
            // A `dist/` built from the catalog released shows its stamps
            // once it is made; one built earlier (or not at all) is what
            // the next build makes whole.
            let full = tmp.path().join("full");
            if *built {
                assert_same_outputs_as_full(&root, &full, &what);
            }
            build(&root, &dist, Reuse::Cache);
            assert_same_as_full(&root, &full, &what);
            if i > 0 && edits.iter().all(|e| matches!(e, Edit::Field(..))) {
                // Only entries changed: the others' guides are taken.
                prop_assert!(s.rendered.reused > s.rendered.written, "{what}: {:?}", s.rendered);
            }
        }
    }
}

#[test]
fn a_release_linking_files_its_memo_proves_lists_their_true_sizes() {
    let tmp = tempfile::tempdir().unwrap();
    let root = example_workspace(tmp.path());
    build(&root, &root.join("dist"), Reuse::Cache);
    release(&root, "2026.1");
    // Made before this run: the next release proves the files of 2026.1 by
    // their bytes and notes their stats; the one after it links them on
    // the memo's word alone, sizes included.
    settle(&root.join("releases/2026.1"));
    release(&root, "2026.2");
    let memo = root.join("releases/.2026.2.yima.stats");
    assert!(memo_paths(&memo).len() > 10, "the links of 2026.2 noted");
    let third = release(&root, "2026.3");
    assert!(third.rendered.reused > 10, "{:?}", third.rendered);
    // The manifest's sizes are the files' (verify reads them all).
    yima(&root, &["verify", "releases/2026.3"]);
    assert_release_as_from_scratch(&root, &tmp.path().join("scratch"), "2026.3", "memo links");
}

#[test]
fn a_guide_shows_the_release_in_which_its_entry_last_changed() {
    let tmp = tempfile::tempdir().unwrap();
    let root = example_workspace(tmp.path());
    let files = entry_files(&root.join("items"));
    let code = |f: &PathBuf| f.file_stem().unwrap().to_string_lossy().into_owned();
    let (changed, kept) = (code(&files[0]), code(&files[1]));
    let version_of = |dir: &Path, code: &str| {
        let md = fs::read_to_string(dir.join(format!("guides/{code}.md"))).unwrap();
        let line = md.lines().find(|l| l.starts_with("- 版本：")).unwrap();
        line.trim_start_matches("- 版本：").to_string()
    };
    release(&root, "2026.1");
    apply(&root, &tmp.path().join("held"), &Edit::Field(0, 3));
    // A build shows the change as unreleased, the rest as released.
    let built = build(&root, &root.join("dist"), Reuse::Cache);
    assert_eq!(built.files, output_files(&root.join("dist")));
    assert_eq!(version_of(&root.join("dist"), &changed), "未发布");
    assert_eq!(version_of(&root.join("dist"), &kept), "2026.1");
    // (Its files made long ago and built again: the memo of `dist/` has a
    // line proving each, those of the guides the release will replace too.)
    settle(&root.join("dist"));
    build(&root, &root.join("dist"), Reuse::Cache);
    let s = release(&root, "2026.2");
    let r2 = root.join("releases/2026.2");
    assert_eq!(version_of(&r2, &changed), "2026.2");
    assert_eq!(version_of(&r2, &kept), "2026.1");
    // The release brought `dist/` up to its stamps: the changed entry's
    // HTML, Markdown and Word guides and its agency's 汇编 are there as
    // the release has them, before any build.
    assert_eq!(s.dist.as_ref().unwrap().files, 4, "{:?}", s.dist);
    assert_eq!(version_of(&root.join("dist"), &changed), "2026.2");
    // Its stat memo, written again or not, proves no copy by the stat of
    // the file it replaced, and still proves the files that stayed.
    let dist_memo = root.join(".dist.yima.stats");
    assert!(memo_proves_only_true_digests(&dist_memo, &root.join("dist")) > 0);
    assert_eq!(version_of(&root.join("dist"), &kept), "2026.1");
    assert_same_outputs_as_full(&root, &tmp.path().join("full"), "after 2026.2");
    // The catalog as a whole is release 2026.2.
    let json = fs::read_to_string(r2.join("catalog.json")).unwrap();
    assert!(json.contains("\"release\": \"2026.2\""));
    let stamps: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(r2.join("stamps.json")).unwrap()).unwrap();
    let stamp_of = |c: &str| {
        stamps["entries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["impl_code"] == c)
            .unwrap()["release"]
            .clone()
    };
    assert_eq!(stamp_of(&changed), "2026.2");
    assert_eq!(stamp_of(&kept), "2026.1");
    // The kept guide is the previous release's file, linked; it is copied
    // from or to `dist/`, never shared with it.
    let ino = |p: &Path| std::os::unix::fs::MetadataExt::ino(&fs::metadata(p).unwrap());
    let kept_html = format!("guides/{kept}.html");
    assert_eq!(
        ino(&r2.join(&kept_html)),
        ino(&root.join("releases/2026.1").join(&kept_html))
    );
    assert_ne!(
        ino(&r2.join(&kept_html)),
        ino(&root.join("dist").join(&kept_html))
    );
    let changed_html = format!("guides/{changed}.html");
    let brought = ino(&root.join("dist").join(&changed_html));
    assert_ne!(ino(&r2.join(&changed_html)), brought);
    assert!(s.rendered.reused > s.rendered.written, "{:?}", s.rendered);
    yima(&root, &["verify", "releases/2026.2"]);
    yima(&root, &["verify", "releases/2026.1"]);
    // The next build keeps every guide where it is (the changed entry's
    // too: the release put it there); it counts every file either way.
    let next = build(&root, &root.join("dist"), Reuse::Cache);
    assert_eq!(ino(&root.join("dist").join(&changed_html)), brought);
    assert_same_as_full(&root, &tmp.path().join("full"), "the build after 2026.2");
    assert!(
        next.counts.reused > next.counts.written,
        "{:?}",
        next.counts
    );
    assert_eq!(next.files, output_files(&root.join("dist")));
    assert_eq!(version_of(&root.join("dist"), &changed), "2026.2");
    memo_proves_only_true_digests(&dist_memo, &root.join("dist"));

    // The platform's 事项版本 is the number of the entry's stamp.
    let tables = tmp.path().join("tables");
    yima(
        &root,
        &[
            "export",
            "--format",
            "platform",
            "--out",
            tables.to_str().unwrap(),
        ],
    );
    let version_in_tables = |code: &str| -> Vec<i64> {
        let mut found = Vec::new();
        for e in fs::read_dir(&tables).unwrap() {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            if !name.ends_with("_basic.jsonl") {
                continue;
            }
            for line in fs::read_to_string(&p).unwrap().lines() {
                let row: serde_json::Value = serde_json::from_str(line).unwrap();
                if row["task_code"] == code {
                    found.push(row["task_version"].as_i64().unwrap());
                }
            }
        }
        found
    };
    assert_eq!(version_in_tables(&changed), [2]);
    assert_eq!(version_in_tables(&kept), [1]);
}

/// CI publishes from a fresh checkout: every file new (new mtimes, another
/// folder), yima perhaps installed again. With what docs/ci.md has CI keep
/// between runs — `dist/`, the hidden files of `releases/` and the memos
/// beside the folders — restored into it, the build and the release render
/// only what changed, and give the bytes a workspace without any cache gives.
#[test]
fn caches_carried_to_a_fresh_checkout_serve_it() {
    let tmp = tempfile::tempdir().unwrap();
    let first = example_workspace(&tmp.path().join("first"));
    yima(&first, &["build"]);
    yima(&first, &["release", "2026.1"]);

    // The checkout: what the repository holds (.gitignore of `yima init`).
    let checkout = tmp.path().join("checkout");
    fs::create_dir_all(checkout.join("releases")).unwrap();
    for name in ["yima.yaml", ".gitignore"] {
        fs::copy(first.join(name), checkout.join(name)).unwrap();
    }
    for dir in ["items", "forms", "filings"] {
        common_catalog::copy_tree(&first.join(dir), &checkout.join(dir));
    }
    common_catalog::copy_tree(
        &first.join("releases/2026.1"),
        &checkout.join("releases/2026.1"),
    );
    let bare = tmp.path().join("bare");
    common_catalog::copy_tree(&checkout, &bare);

    // The CI cache, restored.
    common_catalog::copy_tree(&first.join("dist"), &checkout.join("dist"));
    for (from, to) in [
        (&first, &checkout),
        (&first.join("releases"), &checkout.join("releases")),
    ] {
        for e in fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') && name.contains(".yima.") || name == ".yima.gate" {
                fs::copy(e.path(), to.join(&name)).unwrap();
            }
        }
    }
    assert!(checkout.join("releases/.2026.1.yima.cache").is_file());
    assert!(checkout.join("releases/.yima.gate").is_file());

    // One entry changed, in both.
    for root in [&checkout, &bare] {
        apply(root, &tmp.path().join("held"), &Edit::Field(0, 7));
    }

    // yima installed again: the same bytes at another path, a new mtime.
    let bin = tmp.path().join("bin").join("yima");
    fs::create_dir_all(bin.parent().unwrap()).unwrap();
    fs::copy(assert_cmd::cargo::cargo_bin("yima"), &bin).unwrap();
    let installed = |args: &[&str]| {
        let out = std::process::Command::new(&bin)
            .current_dir(&checkout)
            .env("NO_COLOR", "1")
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    let count = |out: &str, after: &str| -> usize {
        out.split(after)
            .nth(1)
            .and_then(|s| s.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("{after}: {out}"))
    };

    let total = tree(&first.join("releases/2026.1")).len();
    let out = installed(&["release", "2026.2"]);
    let reused = count(&out, "沿用上一版本或上次生成且未改变的 ");
    assert!(
        reused * 10 > total * 8,
        "the release takes what is unchanged: {reused} of {total}\n{out}"
    );
    yima(&bare, &["release", "2026.2"]);
    let (a, b) = (
        tree(&checkout.join("releases/2026.2")),
        tree(&bare.join("releases/2026.2")),
    );
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    let differ: Vec<&String> = a.keys().filter(|k| a[*k] != b[*k]).collect();
    assert!(differ.is_empty(), "files differ: {differ:?}");

    let out = installed(&["build"]);
    let rendered = count(&out, "重新生成 ");
    let built = tree(&checkout.join("dist")).len();
    assert!(
        rendered > 0 && rendered * 5 < built,
        "the build renders what changed: {rendered} of {built}\n{out}"
    );
    assert_same_as_cli_full(&checkout, &tmp.path().join("full"), "carried caches");
}

/// A `dist/` the release cannot bring up to its stamps (here a folder made
/// by hand where a guide goes) is left as it was, and the release stands:
/// `yima release` says so and succeeds; the next build makes `dist/` whole.
#[test]
fn a_dist_the_release_cannot_bring_up_to_date_is_left_as_it_was() {
    let tmp = tempfile::tempdir().unwrap();
    let root = example_workspace(tmp.path());
    let files = entry_files(&root.join("items"));
    let changed = files[0].file_stem().unwrap().to_string_lossy().into_owned();
    yima(&root, &["build"]);
    yima(&root, &["release", "2026.1"]);
    apply(&root, &tmp.path().join("held"), &Edit::Field(0, 7));
    yima(&root, &["build"]);
    let dist = root.join("dist");
    let md = dist.join(format!("guides/{changed}.md"));
    fs::remove_file(&md).unwrap();
    fs::create_dir_all(md.join("by hand")).unwrap();
    let html = dist.join(format!("guides/{changed}.html"));
    let before = fs::read(&html).unwrap();
    let out = Command::cargo_bin("yima")
        .unwrap()
        .current_dir(&root)
        .env("NO_COLOR", "1")
        .args(["release", "2026.2"])
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(stderr.contains("未能换上本版的版本标记"), "{stderr}");
    assert!(stderr.contains(&format!("{changed}.md")), "{stderr}");
    yima(&root, &["verify", "releases/2026.2"]);
    // Nothing of `dist/` moved, and nothing was left beside it.
    assert_eq!(fs::read(&html).unwrap(), before);
    assert!(md.join("by hand").is_dir());
    let beside: Vec<String> = fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".dist.yima-new") || n.starts_with(".dist.yima-patch"))
        .collect();
    assert!(beside.is_empty(), "{beside:?}");
    // With the folder gone, the next build gives what a full one does.
    fs::remove_dir_all(&md).unwrap();
    build(&root, &dist, Reuse::Cache);
    assert_same_as_full(&root, &tmp.path().join("full"), "after the folder went");
}

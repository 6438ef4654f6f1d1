//! The registry's file formats: the log read back as written, every kind of
//! hand edit found at its line, the YAML of earlier versions read at any
//! size and migrated.

use super::*;

fn key(c: &str, s: &str, n: &str, sub: &str) -> ItemKey {
    ItemKey::new(c, s, n, sub)
}

/// A registry with issues, a rename, a retirement and a release.
fn sample() -> Registry {
    let mut r = Registry::default();
    r.append(Record::new(
        "430101001000",
        &key("行政许可", "公安", "户口迁移", ""),
        Provenance::Issued,
    ));
    r.append(Record::new(
        "430101002000",
        &key("行政许可", "公安", "机动车登记", "注册登记"),
        Provenance::Issued,
    ));
    r.append(Record::new(
        "000104002000",
        &key("行政许可", "发展改革", "固定资产投资项目节能审查", ""),
        Provenance::External,
    ));
    r.stamp_release("2026.1");
    r.rename("430101001000", "户口迁移登记", "");
    r.retire("430101002000");
    r.append(Record::new(
        "430101003000",
        &key("行政确认", "公安", "户口登记", ""),
        Provenance::Issued,
    ));
    r
}

#[test]
fn the_log_reads_back_as_written() {
    let r = sample();
    let text = r.to_text();
    let back = Registry::parse(&text).unwrap();
    assert!(back.integrity().is_empty(), "{:?}", back.integrity());
    assert_eq!(back.records(), r.records());
    assert_eq!(back.to_text(), text);
    let rec = back.get("430101001000").unwrap();
    assert_eq!(rec.name, "户口迁移登记");
    assert_eq!(rec.registered_name, "户口迁移");
    assert_eq!(rec.former_names, vec!["户口迁移".to_string()]);
    assert_eq!(rec.first_release, "2026.1");
    assert_eq!(back.get("430101002000").unwrap().status, Status::Retired);
    assert!(back.get("430101003000").unwrap().first_release.is_empty());
    assert_eq!(back.records()[3].serial, 4);
    // One event a line after the header: 4 issues, a release, a rename, a retirement.
    assert_eq!(text.lines().filter(|l| l.starts_with("{\"n\":")).count(), 7);
    assert!(
        back.by_key(&key("行政许可", "公安", "户口迁移登记", ""))
            .is_some()
    );
    assert!(
        back.by_key(&key("行政许可", "公安", "户口迁移", ""))
            .is_none()
    );
    assert!(
        back.by_key(&key("行政许可", "公安", "机动车登记", "注册登记"))
            .is_none()
    );
}

#[test]
fn appending_keeps_every_written_line() {
    let mut r = sample();
    let before = r.to_text();
    r.append(Record::new(
        "430101004000",
        &key("行政确认", "公安", "户籍证明", ""),
        Provenance::Issued,
    ));
    r.stamp_release("2026.2");
    let after = r.to_text();
    assert!(after.starts_with(&before), "an append rewrote a line");
    assert_eq!(after.lines().count(), before.lines().count() + 2);
}

#[test]
fn crlf_line_ends_and_a_byte_order_mark_change_nothing() {
    // What a Windows checkout (core.autocrlf) and Notepad do to a file.
    let text = format!("\u{feff}{}", sample().to_text().replace('\n', "\r\n"));
    let back = Registry::parse(&text).unwrap();
    assert!(back.integrity().is_empty(), "{:?}", back.integrity());
    assert_eq!(back.len(), 4);
    let read = Registry::read(&mut std::io::Cursor::new(text.as_bytes())).unwrap();
    assert!(read.integrity().is_empty(), "{:?}", read.integrity());
    assert_eq!(read.records(), back.records());
}

/// The 1-based line of the line of `text` containing `needle`.
fn line_with(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).unwrap() + 1
}

fn damage_of(text: &str) -> Vec<Integrity> {
    Registry::parse(text).unwrap().integrity().to_vec()
}

#[test]
fn every_hand_edit_is_found_at_its_line() {
    let text = sample().to_text();
    let lines: Vec<&str> = text.lines().collect();
    let join = |ls: Vec<&str>| ls.join("\n") + "\n";
    let first = line_with(&text, "\"n\":1,");

    // A line removed: the next one says which record is missing; the
    // retirement of the code it issued now names a code never issued.
    let mut removed = lines.clone();
    removed.remove(first);
    let retire = line_with(&text, "\"op\":\"retire\"") - 1;
    assert_eq!(
        damage_of(&join(removed)),
        [
            Integrity {
                line: first + 1,
                damage: Damage::Missing { first: 2, last: 2 }
            },
            Integrity {
                line: retire,
                damage: Damage::UnknownCode("430101002000".into())
            }
        ]
    );

    // A line repeated.
    let mut repeated = lines.clone();
    repeated.insert(first, lines[first - 1]);
    let d = damage_of(&join(repeated));
    assert_eq!(d[0].line, first + 1);
    assert_eq!(d[0].damage, Damage::Misplaced { n: 1 });

    // Two lines swapped.
    let mut swapped = lines.clone();
    swapped.swap(first - 1, first);
    let d = damage_of(&join(swapped));
    assert_eq!(d[0].line, first);
    assert!(
        matches!(d[0].damage, Damage::Missing { first: 1, last: 1 }),
        "{d:?}"
    );
    assert_eq!(d[1].line, first + 1);
    assert_eq!(d[1].damage, Damage::Misplaced { n: 1 });

    // A code changed: its line breaks the chain (and the later rename of
    // the code names one never issued).
    let edited = text.replacen("430101001000", "430101009000", 1);
    assert_eq!(
        damage_of(&edited)[0],
        Integrity {
            line: first,
            damage: Damage::Altered
        }
    );

    // The release a code first appeared in, and a former name: mutable state,
    // chained like the rest.
    let release = line_with(&text, "\"op\":\"release\"");
    let edited = text.replacen("\"version\":\"2026.1\"", "\"version\":\"2025.9\"", 1);
    assert_eq!(damage_of(&edited)[0].line, release);
    let rename = line_with(&text, "\"op\":\"rename\"");
    let edited = text.replacen("\"name\":\"户口迁移登记\"", "\"name\":\"户籍迁移\"", 1);
    assert_eq!(
        damage_of(&edited),
        [Integrity {
            line: rename,
            damage: Damage::Altered
        }]
    );

    // Not a line of the format at all.
    let mut garbage = lines.clone();
    garbage.insert(first, "<<<<<<< HEAD");
    let d = damage_of(&join(garbage));
    assert_eq!(d[0].line, first + 1);
    assert!(matches!(d[0].damage, Damage::Unreadable(_)), "{d:?}");
}

#[test]
fn a_code_issued_twice_is_found_even_with_a_good_chain() {
    let mut r = Registry::default();
    r.append(Record::new(
        "430101001000",
        &key("行政许可", "公安", "甲", ""),
        Provenance::Issued,
    ));
    r.append(Record::new(
        "430101001000",
        &key("行政许可", "公安", "乙", ""),
        Provenance::Issued,
    ));
    let d = damage_of(&r.to_text());
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].damage, Damage::DuplicateCode("430101001000".into()));
    assert_eq!(d[0].line, 5);
}

#[test]
fn another_version_of_the_format_is_refused() {
    let text = sample()
        .to_text()
        .replace("\"version\":2}", "\"version\":3}");
    let e = Registry::parse(&text).unwrap_err();
    assert!(e.0.contains("version 3"), "{e}");
}

/// The YAML registry as version 1 wrote it, for `n` records.
fn legacy_text(n: usize) -> String {
    fn chain(prev: &str, code: &str, name: &str, serial: usize) -> String {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        for part in [
            prev,
            code,
            "公共服务",
            "民政",
            name,
            "",
            "issued",
            &serial.to_string(),
        ] {
            h.update(part.as_bytes());
            h.update([0u8]);
        }
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }
    let mut s = String::from("# 基本编码登记簿\nversion: 1\ncodes:\n");
    let mut prev = String::new();
    for i in 1..=n {
        let code = format!(
            "4320{:02}{}000",
            2 + i / 3000,
            crate::codes::encode_sequence((i % 3000 + 1) as u32).unwrap()
        );
        let name = format!("事项{i}");
        let c = chain(&prev, &code, &name, i);
        s.push_str(&format!(
            "- code: \"{code}\"\n  category: 公共服务\n  sector: 民政\n  name: {name}\n  registered_name: {name}\n  status: active\n  origin: issued\n  serial: {i}\n"
        ));
        if i == 2 {
            s.push_str("  first_release: \"2026.1\"\n  former_names:\n  - 旧名\n");
        }
        s.push_str(&format!("  chain: {c}\n"));
        prev = c;
    }
    s
}

/// The YAML registry migrates to the log with every record's state. (That
/// it reads past the parser's default budget of about 13,000 records is
/// tested through the commands, in tests/registry.rs.)
#[test]
fn the_yaml_registry_migrates_with_every_record() {
    let text = legacy_text(2_000);
    let r = Registry::parse(&text).unwrap();
    assert!(r.is_legacy());
    assert!(r.integrity().is_empty(), "{:?}", &r.integrity()[..1]);
    assert_eq!(r.len(), 2_000);
    let second = &r.records()[1];
    assert_eq!(second.first_release, "2026.1");
    assert_eq!(second.former_names, vec!["旧名".to_string()]);
    assert_eq!(r.line_of(&second.code), Some(13));

    let log = r.to_text();
    let back = Registry::parse(&log).unwrap();
    assert!(!back.is_legacy());
    assert!(back.integrity().is_empty(), "{:?}", back.integrity());
    assert_eq!(back.records(), r.records());
    assert!(back.lost_since(&r).is_empty());
}

#[test]
fn yaml_edits_are_found_at_their_line() {
    let text = legacy_text(3);
    let edited = text.replacen(
        "name: 事项2\n  registered_name: 事项2",
        "name: 事项2\n  registered_name: 事项9",
        1,
    );
    let d = damage_of(&edited);
    assert_eq!(
        d,
        [Integrity {
            line: line_with(&text, "事项2") - 3,
            damage: Damage::Altered
        }]
    );
}

#[test]
fn lost_since_sees_a_changed_first_release() {
    let older = sample();
    let mut newer = Registry::parse(&older.to_text()).unwrap();
    assert!(newer.lost_since(&older).is_empty());
    newer.records[0].first_release = ArcStr::from("2027.1");
    assert_eq!(newer.lost_since(&older), ["430101001000"]);
}

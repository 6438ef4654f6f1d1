//! The registry and the catalog as every command reads them: a province's
//! registry (past the 13,000 codes where the YAML registry stopped reading)
//! works in every command, the YAML of earlier versions is read and becomes
//! the log on the next write, a newest release whose registry cannot be read
//! fails the check that needs it, and build and release publish nothing from
//! a tampered registry or an entry file that is not an entry — naming the
//! file and line.

mod common_catalog;

use common_catalog::*;
use sha2::{Digest, Sha256};
use std::path::Path;
use yima::codes::registry::{Registry, Status};
use yima::codes::{Assigner, ItemKey};

/// `n` distinct item keys of 公共服务 over the sectors, a third of them
/// sub-items.
fn province_keys(n: usize) -> Vec<ItemKey> {
    let sectors = ["民政", "公安", "人力资源社会保障", "卫生健康", "教育"];
    let chars: Vec<char> = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥"
        .chars()
        .collect();
    (0..n)
        .map(|i| {
            let main = i / 3;
            let name = format!(
                "{}{}{}类证明办理",
                chars[main % 22],
                chars[(main / 22) % 22],
                chars[(main / 484) % 22]
            );
            let sub = match i % 3 {
                0 => String::new(),
                k => format!("情形{k}"),
            };
            ItemKey::new("公共服务", sectors[main % 5], &name, &sub)
        })
        .collect()
}

/// The YAML registry as version 1 of yima wrote it, for `keys` issued in
/// order under 4320SS with sequences 001…, each with its chain value.
fn yaml_registry(keys: &[(String, ItemKey)], first_release: &str) -> String {
    let mut s = String::from(
        "# 基本编码登记簿（yima 维护，只增不减，请勿手工修改）\n# The code registry, maintained by yima: append-only, do not edit.\nversion: 1\ncodes:\n",
    );
    let mut prev = String::new();
    for (i, (code, k)) in keys.iter().enumerate() {
        let serial = (i + 1).to_string();
        let mut h = Sha256::new();
        for part in [
            prev.as_str(),
            code,
            &k.category,
            &k.sector,
            &k.name,
            &k.sub_name,
            "issued",
            &serial,
        ] {
            h.update(part.as_bytes());
            h.update([0u8]);
        }
        let chain: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
        s.push_str(&format!(
            "- code: \"{code}\"\n  category: {}\n  sector: {}\n  name: {}\n",
            k.category, k.sector, k.name
        ));
        if !k.sub_name.is_empty() {
            s.push_str(&format!("  sub_name: {}\n", k.sub_name));
        }
        s.push_str(&format!("  registered_name: {}\n", k.name));
        if !k.sub_name.is_empty() {
            s.push_str(&format!("  registered_sub_name: {}\n", k.sub_name));
        }
        s.push_str(&format!(
            "  status: active\n  origin: issued\n  serial: {serial}\n"
        ));
        if !first_release.is_empty() {
            s.push_str(&format!("  first_release: \"{first_release}\"\n"));
        }
        s.push_str(&format!("  chain: {chain}\n"));
        prev = chain;
    }
    s
}

/// Codes for `keys` as the assigner gives them, in issue order.
fn issued(keys: &[ItemKey]) -> Vec<(String, ItemKey)> {
    let mut reg = Registry::default();
    let standard = yima::standard::Standard::embedded();
    Assigner::new(&mut reg, &standard, "43")
        .assign(keys)
        .expect("codes");
    reg.records()
        .iter()
        .map(|r| (r.code.clone(), r.key()))
        .collect()
}

/// A small filing of 娄底市民政局 with items the province registry lacks.
fn new_items(ws: &Ws) -> String {
    let a = Agency::civil_affairs();
    ws.file(
        "新增-",
        &Filing::new(vec![
            Item::new(&a, "行政许可", "民政", "社会团体成立登记"),
            Item::new(&a, "行政许可", "民政", "基金会成立登记"),
        ]),
    )
}

/// Runs a command and asserts it succeeds.
#[track_caller]
fn ok(ws: &Ws, args: &[&str]) -> Run {
    let run = ws.run(args);
    assert_eq!(run.code, 0, "yima {args:?}:\n{run}");
    run
}

/// A registry of 14,000 codes — past the 13,160 at which the YAML registry
/// stopped reading and every command of the workspace failed — works in
/// every command: read in the YAML of earlier versions, and in the log it
/// becomes on the next write. (The YAML is read once here: in a debug
/// build its parser takes seconds for it.)
#[test]
fn a_province_registry_works_in_every_command() {
    const N: usize = 14_000;
    let codes = issued(&province_keys(N));
    let ws = Ws::new();
    std::fs::write(ws.items().join("codes.lock"), yaml_registry(&codes, "")).expect("codes.lock");

    // The first write migrates: the log, every code kept, two issued.
    ok(&ws, &["ingest", &new_items(&ws)]);
    let text = ws.registry_text();
    assert!(
        text.lines()
            .find(|l| !l.starts_with('#'))
            .is_some_and(|l| l.starts_with("{\"registry\":\"yima codes.lock\"")),
        "{}",
        &text[..300]
    );
    let reg = ws.registry();
    assert!(reg.integrity().is_empty(), "{:?}", reg.integrity());
    assert_eq!(reg.len(), N + 2);
    for (code, key) in &codes {
        assert_eq!(reg.get(code).map(|r| r.key()).as_ref(), Some(key), "{code}");
    }
    let run = ok(&ws, &["assign", "--check"]);
    assert!(
        run.stdout.contains(&format!("登记簿 {} 个编码", N + 2)),
        "{run}"
    );
    ok(&ws, &["build"]);
    ok(&ws, &["release", "2026.1"]);
    let reg = ws.registry();
    assert!(reg.records().iter().all(|r| r.first_release == "2026.1"));
}

/// A registry in the YAML format keeps every record's state when it becomes
/// the log: status, first release, former names. Reading it changes nothing.
#[test]
fn the_yaml_registry_keeps_its_state_when_migrated() {
    let codes = issued(&province_keys(6));
    let mut yaml = yaml_registry(&codes, "2025.1");
    // The second record was renamed once and the third retired, as version 1
    // wrote it (renames and retirements are not chained there).
    let second = &codes[1].1;
    yaml = yaml.replacen(
        &format!("  name: {}\n  sub_name: {}\n", second.name, second.sub_name),
        &format!("  name: {}\n  sub_name: 新情形\n", second.name),
        1,
    );
    yaml = yaml.replacen(
        "  serial: 2\n  first_release: \"2025.1\"\n",
        &format!(
            "  serial: 2\n  first_release: \"2025.1\"\n  former_names:\n  - {}（{}）\n",
            second.name, second.sub_name
        ),
        1,
    );
    yaml = yaml.replacen(
        "  status: active\n  origin: issued\n  serial: 3\n",
        "  status: retired\n  origin: issued\n  serial: 3\n",
        1,
    );
    let ws = Ws::new();
    std::fs::write(ws.items().join("codes.lock"), &yaml).expect("codes.lock");
    let before = ws.registry();
    assert!(before.is_legacy());
    assert!(before.integrity().is_empty(), "{:?}", before.integrity());
    ok(&ws, &["assign", "--check"]);
    assert_eq!(ws.registry_text(), yaml, "reading never rewrites");

    // `yima assign` migrates it, with nothing else to do; then nothing is
    // left to do.
    let run = ok(&ws, &["assign"]);
    assert!(run.stdout.contains("登记簿已转为新格式"), "{run}");
    assert_eq!(ws.registry().records(), before.records());
    let run = ok(&ws, &["assign"]);
    assert!(run.stdout.contains("无需改动"), "{run}");

    ok(&ws, &["ingest", &new_items(&ws)]);
    let after = ws.registry();
    assert!(!after.is_legacy());
    assert!(after.integrity().is_empty(), "{:?}", after.integrity());
    assert_eq!(&after.records()[..6], before.records());
    let r2 = after.get(&codes[1].0).expect("second code");
    assert_eq!(r2.sub_name, "新情形");
    assert_eq!(r2.registered_sub_name, second.sub_name.as_str());
    assert_eq!(r2.former_names.len(), 1);
    assert_eq!(r2.first_release, "2025.1");
    assert_eq!(
        after.get(&codes[2].0).map(|r| r.status),
        Some(Status::Retired)
    );
    assert!(after.lost_since(&before).is_empty());
}

/// Makes release 2026.1 of the small catalog and returns its registry path.
fn released(ws: &Ws) -> std::path::PathBuf {
    ok(ws, &["release", "2026.1"]);
    ws.root().join("releases/2026.1/codes.lock")
}

/// A small catalog ingested from one filing.
fn small() -> Ws {
    let ws = Ws::new();
    let a = Agency::civil_affairs();
    let f = ws.file(
        "民政-",
        &Filing::new(vec![
            Item::new(&a, "行政许可", "民政", "社会团体成立登记"),
            Item::new(&a, "公共服务", "民政", "婚姻登记档案查询"),
            Item::new(&a, "行政许可", "民政", "殡葬设施建设审批").sub("新建"),
        ]),
    );
    ws.ingest_ok(&[&f]);
    ws
}

/// `assign --check` promises that nothing the newest release published is
/// lost: when that release's registry cannot be read — gone, edited after
/// the release, not a registry — it fails naming the file instead of
/// skipping the comparison. Ingest then issues nothing, and build stops.
#[test]
fn an_unreadable_release_registry_fails_the_check_that_needs_it() {
    type Damage = fn(&Path);
    let cases: [(&str, Damage); 3] = [
        ("removed", |p| std::fs::remove_file(p).expect("remove")),
        ("edited", |p| {
            let t = std::fs::read_to_string(p).expect("read");
            std::fs::write(p, t.replacen("\"n\":1,", "\"n\":1, ", 1)).expect("write");
        }),
        ("not a registry", |p| {
            std::fs::write(p, "<<<<<<< HEAD\n").expect("write")
        }),
    ];
    for (what, damage) in cases {
        let ws = small();
        let file = released(&ws);
        damage(&file);
        let run = ws.run(&["assign", "--check"]);
        assert_eq!(run.code, 1, "{what}: {run}");
        assert!(
            run.stdout
                .lines()
                .any(|l| l.starts_with("error: releases/2026.1/codes.lock: ")
                    && l.contains("无法确认已发布的编码都还在")),
            "{what}: {run}"
        );
        let run = ws.run(&["ingest", &new_items(&ws)]);
        assert_eq!(run.code, 2, "{what}: {run}");
        assert!(
            run.stderr.contains("releases/2026.1/codes.lock"),
            "{what}: {run}"
        );
        let run = ws.run(&["build"]);
        assert_eq!(run.code, 2, "{what}: {run}");
        assert!(
            run.stderr.contains("releases/2026.1/codes.lock"),
            "{what}: {run}"
        );
    }
}

/// Every file under `dist/`.
fn dist(ws: &Ws) -> Tree {
    snapshot(&ws.root().join("dist"))
}

/// `yima build` verifies the registry: a tampered line or an emptied file
/// stops it, naming the line or the entry whose code the registry lacks,
/// and `dist/` stays as it was.
#[test]
fn build_refuses_a_tampered_or_emptied_registry() {
    let ws = small();
    ok(&ws, &["build"]);
    let before = dist(&ws);
    let text = ws.registry_text();
    let (i, line) = text
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains("\"op\":\"issue\""))
        .expect("an issue line");
    std::fs::write(
        ws.items().join("codes.lock"),
        text.replacen(line, &line.replacen("\"n\":1", "\"n\":7", 1), 1),
    )
    .expect("tamper");
    let run = ws.run(&["build"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(
        run.stderr
            .contains(&format!("error: items/codes.lock:{}: ", i + 1)),
        "{run}"
    );
    assert_same_tree(&before, &dist(&ws), "build refused");

    std::fs::write(ws.items().join("codes.lock"), "").expect("empty");
    let run = ws.run(&["build"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("不在登记簿中"), "{run}");
    assert!(run.stderr.contains("error: items/11431300"), "{run}");
    assert_same_tree(&before, &dist(&ws), "build refused");
}

/// An entry file holding a merge-conflict marker, emptied, or with an
/// unknown key is not an entry: build and release stop and name its file
/// and line, instead of publishing the others without it.
#[test]
fn build_and_release_refuse_an_entry_file_that_is_not_an_entry() {
    let marker = |t: &str| {
        t.replacen("name: ", "<<<<<<< HEAD\nname: 甲\n=======\nname: ", 1) + ">>>>>>> other\n"
    };
    type Damage = fn(&str) -> String;
    let cases: [(&str, Damage, Option<&str>); 3] = [
        ("conflict marker", marker, Some("merge-conflict marker")),
        ("emptied", |_| String::new(), None),
        (
            "unknown key",
            |t| format!("{t}remark: x\n"),
            Some("unknown field `remark`"),
        ),
    ];
    for (what, damage, message) in cases {
        let ws = small();
        ok(&ws, &["build"]);
        let before = dist(&ws);
        let entries = ws.entries();
        let e = entries.values().next().expect("an entry");
        let rel = format!("items/{}", e.rel_path().display());
        let path = ws.root().join(&rel);
        let text = std::fs::read_to_string(&path).expect("entry");
        let damaged = damage(&text);
        std::fs::write(&path, &damaged).expect("damage");
        // The line, when there is one: the marker, or the unknown key.
        let line = damaged
            .lines()
            .position(|l| l.starts_with("<<<<<<<") || l.starts_with("remark:"))
            .map(|i| format!(":{}", i + 1))
            .unwrap_or_default();
        for cmd in [vec!["build"], vec!["release", "2026.1"]] {
            let run = ws.run(&cmd);
            assert_eq!(run.code, 2, "{what}, {cmd:?}: {run}");
            let named = format!("error: {rel}{line}: ");
            assert!(
                run.stderr
                    .lines()
                    .any(|l| l.trim_start().starts_with(&named)
                        && message.is_none_or(|m| l.contains(m))),
                "{what}, {cmd:?}: no {named}\n{run}"
            );
        }
        assert_same_tree(&before, &dist(&ws), what);
        assert!(!ws.root().join("releases/2026.1").exists(), "{what}");
    }
}

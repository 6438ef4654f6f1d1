//! `yima ingest` (SPEC §1, §3): what it adds, changes, renames and retires,
//! that it writes nothing when a filing has errors or under `--dry-run`,
//! how it treats codes a row carries (registered, renamed, unknown, retired,
//! external), and the round trips through `yima template --agency`:
//! template → ingest changes nothing, and items → template → items keeps
//! every field of every entry.

mod common_catalog;

use common_catalog::*;
use std::collections::BTreeMap;
use yima::catalog::CatalogEntry;
use yima::catalog::entry::{NoLimit, StatutoryDays};
use yima::codes::registry::{Provenance, Status};

/// 娄底市民政局's filing: a licence, a public service, a main item with two
/// sub-items.
fn civil_filing() -> Filing {
    let a = Agency::civil_affairs();
    Filing::new(vec![
        Item::new(&a, "行政许可", "民政", "社会团体成立登记"),
        Item::new(&a, "公共服务", "民政", "婚姻登记档案查询"),
        Item::new(&a, "行政许可", "民政", "殡葬设施建设审批"),
        Item::new(&a, "行政许可", "民政", "殡葬设施建设审批").sub("新建"),
        Item::new(&a, "行政许可", "民政", "殡葬设施建设审批").sub("改建"),
    ])
}

/// 娄底市公安局's filing: one confirmation.
fn police_filing() -> Filing {
    Filing::new(vec![Item::new(
        &Agency::public_security(),
        "行政确认",
        "公安",
        "户口登记",
    )])
}

/// A workspace holding both filings, ingested.
fn ingested() -> (Ws, String, String) {
    let ws = Ws::new();
    let civil = ws.file("民政-", &civil_filing());
    let police = ws.file("公安-", &police_filing());
    ws.ingest_ok(&[&civil, &police]);
    (ws, civil, police)
}

/// The summary line of an ingest.
fn summary(
    added: usize,
    changed: usize,
    unchanged: usize,
    retired: usize,
    renamed: usize,
    issued: usize,
) -> String {
    format!(
        "新增 {added} 个，变更 {changed} 个，未变 {unchanged} 个，注销 {retired} 个，更名 {renamed} 个；新赋基本编码 {issued} 个"
    )
}

// ---------------------------------------------------------------------------
// Adding, changing, writing nothing
// ---------------------------------------------------------------------------

#[test]
fn a_first_ingest_adds_every_entry_with_its_codes() {
    let ws = Ws::new();
    let civil = ws.file("民政-", &civil_filing());
    let police = ws.file("公安-", &police_filing());
    let (report, code) = check_json(ws.root(), &[&civil, &police]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(
        report["diagnostics"].as_array().map(Vec::len),
        Some(0),
        "{report:#}"
    );

    let run = ws.ingest_ok(&[&civil, &police]);
    assert!(
        run.stdout
            .ends_with(&format!("{}\n", summary(6, 0, 0, 0, 0, 6))),
        "{run}"
    );
    let entries = ws.entries();
    assert_eq!(entries.len(), 6);
    let main = entry_named(&entries, "殡葬设施建设审批", "");
    let new = entry_named(&entries, "殡葬设施建设审批", "新建");
    let rebuild = entry_named(&entries, "殡葬设施建设审批", "改建");
    assert!(main.basic_code.ends_with("00Y"), "{}", main.basic_code);
    assert_eq!(&new.basic_code[..9], &main.basic_code[..9]);
    assert_eq!(&rebuild.basic_code[..9], &main.basic_code[..9]);
    assert_ne!(new.basic_code, rebuild.basic_code);
    let police = entry_named(&entries, "户口登记", "");
    assert_eq!(&police.basic_code[..6], "430701", "行政确认 07, 公安 01");
    assert_eq!(
        police.impl_code,
        format!("{}3{}", Agency::public_security().uscc, police.basic_code)
    );
    for e in entries.values() {
        assert_eq!(e.status, Status::Active);
        // The filing's file name, never where it lay (SPEC §7).
        assert!(
            e.source.file.ends_with("事项.csv") && !e.source.file.contains('/'),
            "{:?}",
            e.source
        );
        assert!(ws.items().join(e.rel_path()).is_file());
    }
    assert_eq!(ws.registry().len(), 6);
    assert!(ws.registry().integrity().is_empty());
    assert_eq!(ws.run(&["assign", "--check"]).code, 0);
    let (report, code) = check_json(ws.root(), &["items"]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(
        report["diagnostics"].as_array().map(Vec::len),
        Some(0),
        "{report:#}"
    );
}

#[test]
fn a_filing_with_errors_writes_nothing_and_exits_1() {
    let (ws, _, _) = ingested();
    let before = ws.snapshot();
    let a = Agency::civil_affairs();
    let mut bad_uscc = Agency::civil_affairs();
    bad_uscc.uscc.replace_range(17.., "0");
    let bad = Filing::new(vec![
        Item::new(&a, "行政许可", "民政", "基金会成立登记"),
        Item::new(&bad_uscc, "行政确认", "民政", "慈善组织认定"),
        Item::new(&a, "行政许可", "民政", "社会团体成立登记").with("承诺办结时限", "30"),
    ]);
    let path = ws.file("有错-", &bad);
    let run = ws.run(&["ingest", &path]);
    assert_eq!(run.code, 1, "{run}");
    assert!(run.stdout.contains("uscc-invalid"), "{run}");
    assert!(run.stdout.contains("promised-exceeds-statutory"), "{run}");
    assert!(run.stdout.contains("未写入任何内容"), "{run}");
    assert_same_tree(&before, &ws.snapshot(), "ingest with errors");
    ws.assert_no_leftovers();

    // Into an empty workspace too.
    let empty = Ws::new();
    let before = empty.snapshot();
    let path = empty.file("有错-", &bad);
    assert_eq!(empty.run(&["ingest", &path]).code, 1);
    assert_same_tree(&before, &empty.snapshot(), "first ingest with errors");
}

/// What stops an ingest is an error as the workspace rates it: a rule
/// made a warning in yima.yaml lets the filing in, entries and all; an
/// error in any one of several filings keeps every one of them out.
#[test]
fn the_workspaces_severities_decide_what_stops_an_ingest() {
    let a = Agency::civil_affairs();
    let late = Filing::new(vec![
        Item::new(&a, "行政许可", "民政", "基金会成立登记"),
        Item::new(&a, "行政许可", "民政", "社会团体成立登记").with("承诺办结时限", "30"),
    ]);
    let ws = Ws::new();
    let config = ws.root().join("yima.yaml");
    let text = std::fs::read_to_string(&config).expect("yima.yaml");
    std::fs::write(
        &config,
        text.replace("rules: {}", "rules:\n  promised-exceeds-statutory: warning"),
    )
    .expect("yima.yaml");
    let path = ws.file("承诺超时-", &late);
    let run = ws.run(&["ingest", &path]);
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stdout.contains("新增 2 个"), "{run}");
    assert!(run.stdout.contains("1 个警告"), "{run}");
    ws.assert_no_leftovers();

    // Rated an error (the default), it keeps out the clean filing beside it.
    let strict = Ws::new();
    let before = strict.snapshot();
    let clean = strict.file("无错-", &police_filing());
    let path = strict.file("承诺超时-", &late);
    let run = strict.run(&["ingest", &clean, &path]);
    assert_eq!(run.code, 1, "{run}");
    assert!(run.stdout.contains("未写入任何内容"), "{run}");
    assert_same_tree(&before, &strict.snapshot(), "ingest with an error");
    strict.assert_no_leftovers();
}

#[test]
fn dry_run_prints_the_plan_and_writes_nothing() {
    let (ws, _, _) = ingested();
    let before = ws.snapshot();
    let a = Agency::civil_affairs();
    let later = Filing::new(vec![
        Item::new(&a, "行政许可", "民政", "社会团体成立登记").with("承诺办结时限", "3"),
        Item::new(&a, "行政许可", "民政", "基金会成立登记"),
    ]);
    let path = ws.file("第二批-", &later);
    let dry = ws.run(&["ingest", "--dry-run", &path]);
    assert_eq!(dry.code, 0, "{dry}");
    assert_same_tree(&before, &ws.snapshot(), "dry run");
    ws.assert_no_leftovers();

    let entries = ws.entries();
    let changed = entry_named(&entries, "社会团体成立登记", "");
    let lines: Vec<&str> = dry.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{dry}");
    assert!(
        lines[0].starts_with(&format!("  + {}3430102", a.uscc))
            && lines[0].ends_with(" 基金会成立登记 · 娄底市民政局"),
        "{dry}"
    );
    assert_eq!(
        lines[1],
        format!("  ~ {} 社会团体成立登记 · 娄底市民政局", changed.impl_code)
    );
    assert_eq!(
        lines[2],
        format!("{}（试运行，未写入）", summary(1, 1, 0, 0, 0, 1))
    );

    // The real run does what the dry run announced.
    let real = ws.ingest_ok(&[&path]);
    assert_eq!(real.stdout.lines().take(2).collect::<Vec<_>>(), lines[..2]);
    let added = lines[0]
        .split_whitespace()
        .nth(1)
        .expect("the 实施编码 of the added entry");
    assert!(ws.entries().contains_key(added), "{added}");
}

#[test]
fn re_ingesting_the_same_filing_changes_nothing() {
    let (ws, civil, police) = ingested();
    let before = ws.snapshot();
    let run = ws.ingest_ok(&[&civil, &police]);
    assert_eq!(run.stdout, format!("{}\n", summary(0, 0, 6, 0, 0, 0)));
    assert_same_tree(&before, &ws.snapshot(), "second ingest");

    // The same rows from another file: only the source differs, which is
    // not a change.
    let moved = ws.file("重报-民政-", &civil_filing());
    let run = ws.ingest_ok(&[&moved]);
    assert_eq!(run.stdout, format!("{}\n", summary(0, 0, 5, 0, 0, 0)));
    assert_same_tree(&before, &ws.snapshot(), "same rows from another file");
}

#[test]
fn a_changed_field_is_a_change_of_that_entry_only() {
    let (ws, _, _) = ingested();
    let before = ws.snapshot();
    let entries = ws.entries();
    let target = entry_named(&entries, "婚姻登记档案查询", "").clone();

    let mut filing = civil_filing();
    filing.items[1].row.set("咨询电话", "0738-8312399");
    let path = ws.file("修改-", &filing);
    let run = ws.ingest_ok(&[&path]);
    assert!(
        run.stdout.contains(&format!(
            "  ~ {} 婚姻登记档案查询 · 娄底市民政局\n",
            target.impl_code
        )),
        "{run}"
    );
    assert!(
        run.stdout
            .ends_with(&format!("{}\n", summary(0, 1, 4, 0, 0, 0))),
        "{run}"
    );

    let after = ws.snapshot();
    let rel = target.rel_path().to_string_lossy().into_owned();
    for (path, bytes) in &before {
        if *path != rel {
            assert_eq!(after.get(path), Some(bytes), "{path} should not change");
        }
    }
    let now = ws.entries();
    let changed = &now[&target.impl_code];
    assert_eq!(changed.contact_phone.as_deref(), Some("0738-8312399"));
    assert_eq!(changed.basic_code, target.basic_code);
    let mut expected = target.clone();
    expected.contact_phone = Some("0738-8312399".into());
    expected.source = changed.source.clone();
    assert_eq!(
        *changed, expected,
        "only the phone (and the source) changed"
    );
}

// ---------------------------------------------------------------------------
// Codes a row carries
// ---------------------------------------------------------------------------

#[test]
fn a_registered_code_under_a_new_name_keeps_the_code_and_is_a_rename() {
    let (ws, _, _) = ingested();
    let entries = ws.entries();
    let old = entry_named(&entries, "户口登记", "").clone();
    let row = Item::new(&Agency::public_security(), "行政确认", "公安", "户籍登记")
        .with("基本编码", old.basic_code.as_str());
    let path = ws.file("更名-", &Filing::new(vec![row]));

    // check warns (and does not fail) before the ingest.
    let (report, code) = check_json(ws.root(), &[&path]);
    assert_eq!(code, 0, "{report:#}");
    let renamed = findings(&report, "code-renamed");
    assert_eq!(renamed.len(), 1, "{report:#}");
    assert_eq!(renamed[0]["severity"], "warning");
    assert_eq!(renamed[0]["field"], "name");
    let message = renamed[0]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("户口登记") && message.contains("户籍登记"),
        "{message}"
    );

    let run = ws.ingest_ok(&[&path]);
    assert!(
        run.stdout
            .contains(&format!("  ≈ {} 户口登记 → 户籍登记\n", old.basic_code)),
        "{run}"
    );
    assert!(run.stdout.contains(&summary(0, 1, 0, 0, 1, 0)), "{run}");
    let now = ws.entries();
    let e = &now[&old.impl_code];
    assert_eq!(e.name, "户籍登记");
    assert_eq!(e.basic_code, old.basic_code, "the code stays");
    let reg = ws.registry();
    let rec = reg.get(&old.basic_code).expect("record kept");
    assert_eq!(rec.name, "户籍登记");
    assert_eq!(rec.registered_name, "户口登记");
    assert_eq!(rec.former_names, vec!["户口登记".to_string()]);
    assert_eq!(rec.status, Status::Active);
    assert_eq!(reg.len(), 6, "no new code");
    assert!(reg.integrity().is_empty(), "{:?}", reg.integrity());
    assert_eq!(ws.run(&["assign", "--check"]).code, 0);

    // Filed again under the new name without a code: the same code.
    let plain = ws.file(
        "更名后-",
        &Filing::new(vec![Item::new(
            &Agency::public_security(),
            "行政确认",
            "公安",
            "户籍登记",
        )]),
    );
    let before = ws.snapshot();
    let run = ws.ingest_ok(&[&plain]);
    assert!(run.stdout.contains(&summary(0, 0, 1, 0, 0, 0)), "{run}");
    assert_same_tree(
        &before,
        &ws.snapshot(),
        "renamed item filed without its code",
    );
}

/// A sub-item renamed under its registered code: the code stays and the
/// catalog the ingest writes passes `assign --check`.
#[test]
fn a_renamed_sub_item_keeps_its_code_and_the_catalog_stays_consistent() {
    let (ws, _, _) = ingested();
    let entries = ws.entries();
    let old = entry_named(&entries, "殡葬设施建设审批", "新建").clone();
    let row = Item::new(
        &Agency::civil_affairs(),
        "行政许可",
        "民政",
        "殡葬设施建设审批",
    )
    .sub("新建殡葬设施")
    .with("基本编码", old.basic_code.as_str());
    let path = ws.file("子项更名-", &Filing::new(vec![row]));
    let run = ws.ingest_ok(&[&path]);
    assert!(run.stdout.contains(&summary(0, 1, 0, 0, 1, 0)), "{run}");
    let now = ws.entries();
    assert_eq!(now[&old.impl_code].sub_name, "新建殡葬设施");
    let rec = ws
        .registry()
        .get(&old.basic_code)
        .cloned()
        .expect("record kept");
    assert_eq!(rec.sub_name, "新建殡葬设施");
    let check = ws.run(&["assign", "--check"]);
    assert_eq!(check.code, 0, "{check}");
}

/// One agency renames a shared item under its code; the other agency's
/// entry of the same item must not leave the catalog failing
/// `assign --check`.
#[test]
fn a_rename_by_one_agency_leaves_the_catalog_consistent() {
    let (ws, _, _) = ingested();
    let county = Agency::county_civil_affairs();
    let county_path = ws.file(
        "双峰民政-",
        &Filing::new(vec![Item::new(
            &county,
            "行政许可",
            "民政",
            "社会团体成立登记",
        )]),
    );
    ws.ingest_ok(&[&county_path]);
    let entries = ws.entries();
    let code = entry_named_for(&entries, "社会团体成立登记", &county.uscc)
        .basic_code
        .clone();
    let row = Item::new(
        &Agency::civil_affairs(),
        "行政许可",
        "民政",
        "社会团体设立登记",
    )
    .with("基本编码", code.as_str());
    let path = ws.file("更名-", &Filing::new(vec![row]));
    ws.ingest_ok(&[&path]);
    let check = ws.run(&["assign", "--check"]);
    assert_eq!(check.code, 0, "{check}");
}

#[test]
fn a_code_the_registry_never_issued_is_code_unknown() {
    let (ws, _, _) = ingested();
    let before = ws.snapshot();
    let row = Item::new(
        &Agency::civil_affairs(),
        "行政许可",
        "民政",
        "基金会成立登记",
    )
    .with("基本编码", "430102099000");
    let path = ws.file("未登记-", &Filing::new(vec![row]));
    let (report, code) = check_json(ws.root(), &[&path]);
    assert_eq!(code, 1, "{report:#}");
    let unknown = findings(&report, "code-unknown");
    assert_eq!(unknown.len(), 1, "{report:#}");
    assert_eq!(unknown[0]["value"], "430102099000");
    assert_eq!(unknown[0]["field"], "basic_code");
    assert_eq!(report["summary"]["errors"], 1, "{report:#}");

    let run = ws.run(&["ingest", &path]);
    assert_eq!(run.code, 1, "{run}");
    assert!(run.stdout.contains("code-unknown"), "{run}");
    assert_same_tree(&before, &ws.snapshot(), "ingest of an unknown code");
}

#[test]
fn an_external_code_is_accepted_and_recorded_as_external() {
    let ws = Ws::new();
    let a = Agency::development();
    let filing = Filing::new(vec![
        Item::new(&a, "行政许可", "发展改革", "固定资产投资项目节能审查")
            .with("基本编码", "000104002000"),
        Item::new(&a, "其他行政权力", "发展改革", "政府投资项目初步设计审批")
            .with("基本编码", "001033002000"),
    ]);
    let path = ws.file("发改-", &filing);
    let (report, code) = check_json(ws.root(), &[&path]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(
        report["diagnostics"].as_array().map(Vec::len),
        Some(0),
        "{report:#}"
    );

    // Recorded, not issued: yima issues under its own prefix only.
    let run = ws.ingest_ok(&[&path]);
    assert!(run.stdout.contains(&summary(2, 0, 0, 0, 0, 0)), "{run}");
    let entries = ws.entries();
    let e = entry_named(&entries, "固定资产投资项目节能审查", "");
    assert_eq!(e.basic_code, "000104002000");
    assert_eq!(e.impl_code, format!("{}3000104002000", a.uscc));
    let reg = ws.registry();
    for (code, name) in [
        ("000104002000", "固定资产投资项目节能审查"),
        ("001033002000", "政府投资项目初步设计审批"),
    ] {
        let rec = reg
            .get(code)
            .unwrap_or_else(|| panic!("{code} not recorded"));
        assert_eq!(rec.origin, Provenance::External);
        assert_eq!(rec.status, Status::Active);
        assert_eq!(rec.name, name);
    }
    assert_eq!(ws.run(&["assign", "--check"]).code, 0);

    // Seen again — with its code, or without it — it is the same item, and
    // yima never issues under the external prefix.
    let before = ws.snapshot();
    let run = ws.ingest_ok(&[&path]);
    assert!(run.stdout.contains(&summary(0, 0, 2, 0, 0, 0)), "{run}");
    assert_same_tree(&before, &ws.snapshot(), "external codes again");
    let without = Filing::new(vec![
        Item::new(&a, "行政许可", "发展改革", "固定资产投资项目节能审查"),
        Item::new(&a, "行政许可", "发展改革", "企业投资项目核准"),
    ]);
    let path = ws.file("发改无码-", &without);
    let run = ws.ingest_ok(&[&path]);
    assert!(run.stdout.contains(&summary(1, 0, 1, 0, 0, 1)), "{run}");
    let entries = ws.entries();
    assert_eq!(
        entry_named(&entries, "企业投资项目核准", "").basic_code,
        "430120001000"
    );
}

// ---------------------------------------------------------------------------
// Retiring
// ---------------------------------------------------------------------------

#[test]
fn retire_missing_retires_the_agencys_dropped_entries_and_nothing_else() {
    let (ws, _, _) = ingested();
    let entries = ws.entries();
    let before = ws.snapshot();
    let dropped_service = entry_named(&entries, "婚姻登记档案查询", "").clone();
    let dropped_sub = entry_named(&entries, "殡葬设施建设审批", "改建").clone();

    // Without --retire-missing a shorter filing retires nothing.
    let mut shorter = civil_filing();
    shorter.items.remove(4);
    shorter.items.remove(1);
    let path = ws.file("精简-", &shorter);
    let run = ws.ingest_ok(&[&path]);
    assert!(run.stdout.contains(&summary(0, 0, 3, 0, 0, 0)), "{run}");
    assert_same_tree(
        &before,
        &ws.snapshot(),
        "shorter filing without --retire-missing",
    );

    let run = ws.ingest_ok(&["--retire-missing", &path]);
    assert!(run.stdout.contains(&summary(0, 0, 3, 2, 0, 0)), "{run}");
    assert!(
        run.stdout.contains(&format!(
            "  - {} 婚姻登记档案查询 · 娄底市民政局\n",
            dropped_service.impl_code
        )),
        "{run}"
    );
    let after = ws.snapshot();
    let now = ws.entries();
    assert_eq!(now.len(), 6, "retired, not deleted");
    for dropped in [&dropped_service, &dropped_sub] {
        let e = &now[&dropped.impl_code];
        assert_eq!(e.status, Status::Retired);
        let mut expected = dropped.clone();
        expected.status = Status::Retired;
        assert_eq!(*e, expected, "only the status changed");
        let rec = ws.registry();
        assert_eq!(
            rec.get(&dropped.basic_code).map(|r| r.status),
            Some(Status::Retired)
        );
    }
    // Every other file — 公安's included — is byte-identical.
    for (path, bytes) in &before {
        let retired = [&dropped_service, &dropped_sub]
            .iter()
            .any(|d| d.rel_path().to_string_lossy() == path.as_str());
        if !retired && path != "codes.lock" {
            assert_eq!(after.get(path), Some(bytes), "{path} should not change");
        }
    }
    assert_eq!(ws.run(&["assign", "--check"]).code, 0);

    // A retired code used again is code-retired; nothing is written.
    let reuse = Item::new(
        &Agency::civil_affairs(),
        "公共服务",
        "民政",
        "婚姻登记档案查询",
    )
    .with("基本编码", dropped_service.basic_code.as_str());
    let path = ws.file("复用-", &Filing::new(vec![reuse]));
    let before = ws.snapshot();
    let (report, code) = check_json(ws.root(), &[&path]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(findings(&report, "code-retired").len(), 1, "{report:#}");
    assert_eq!(ws.run(&["ingest", &path]).code, 1);
    assert_same_tree(&before, &ws.snapshot(), "ingest of a retired code");

    // Filed again without a code, the item gets a new code; the retired one
    // stays retired and is never reissued.
    let again = ws.file(
        "恢复-",
        &Filing::new(vec![Item::new(
            &Agency::civil_affairs(),
            "公共服务",
            "民政",
            "婚姻登记档案查询",
        )]),
    );
    let run = ws.ingest_ok(&[&again]);
    assert!(run.stdout.contains(&summary(1, 0, 0, 0, 0, 1)), "{run}");
    let now = ws.entries();
    let active: Vec<&CatalogEntry> = now
        .values()
        .filter(|e| e.name == "婚姻登记档案查询" && e.status == Status::Active)
        .collect();
    assert_eq!(active.len(), 1);
    assert_ne!(active[0].basic_code, dropped_service.basic_code);
    assert_eq!(now[&dropped_service.impl_code].status, Status::Retired);
    assert!(ws.registry().integrity().is_empty());
}

#[test]
fn a_code_shared_with_another_agency_stays_active_when_one_retires_it() {
    let (ws, _, _) = ingested();
    let county = Agency::county_civil_affairs();
    let county_path = ws.file(
        "双峰民政-",
        &Filing::new(vec![Item::new(
            &county,
            "行政许可",
            "民政",
            "社会团体成立登记",
        )]),
    );
    ws.ingest_ok(&[&county_path]);
    let entries = ws.entries();
    let city = entry_named_for(&entries, "社会团体成立登记", &Agency::civil_affairs().uscc);
    let shared = city.basic_code.clone();
    assert_eq!(
        entry_named_for(&entries, "社会团体成立登记", &county.uscc).basic_code,
        shared,
        "one item, one basic code for every agency"
    );

    let mut filing = civil_filing();
    filing.items.remove(0);
    let path = ws.file("民政无社团-", &filing);
    ws.ingest_ok(&["--retire-missing", &path]);
    let now = ws.entries();
    assert_eq!(now[&city.impl_code].status, Status::Retired);
    let county_entry = entry_named_for(&now, "社会团体成立登记", &county.uscc);
    assert_eq!(county_entry.status, Status::Active);
    assert_eq!(
        ws.registry().get(&shared).map(|r| r.status),
        Some(Status::Active),
        "the county still uses the code"
    );
}

/// The entry of one agency with a name.
fn entry_named_for<'a>(
    entries: &'a BTreeMap<String, CatalogEntry>,
    name: &str,
    uscc: &str,
) -> &'a CatalogEntry {
    entries
        .values()
        .find(|e| e.name == name && e.agency_code == uscc)
        .unwrap_or_else(|| panic!("no {name} of {uscc}"))
}

// ---------------------------------------------------------------------------
// Round trips through yima template --agency
// ---------------------------------------------------------------------------

/// Entries that use every element: multi-line 受理条件, 办理流程 steps, 无 as
/// 法定办结时限, charges, a 转报件, sub-items, notes, and materials with
/// every field (electronic, e-licence, 容缺后补, multi-line notes).
fn rich_filing() -> Filing {
    let a = Agency::civil_affairs();
    let mut licence = Item::new(&a, "行政许可", "民政", "社会团体成立登记")
        .with(
            "受理条件",
            "一、有规范的名称和章程；\n二、有固定的住所；\n三、有与其业务活动相适应的专职工作人员。",
        )
        .with("办理流程", "申请\n受理\n审查\n决定\n送达")
        .with("服务对象", "企业法人、事业法人、社会组织法人")
        .with("是否收费", "是")
        .with("收费标准", "每件收取证书工本费十元")
        .with("收费依据", "《湖南省行政事业性收费项目目录》")
        .with("办理形式", "窗口办理、网上办理、移动端办理、快递申请")
        .with("通办范围", "全省")
        .with("结果名称", "《社会团体法人登记证书》")
        .with("备注", "成立登记后三十日内办理印章备案。\n年度报告于每年五月底前提交。");
    licence.materials.clear();
    licence
        .material("社会团体成立登记申请书")
        .set("材料依据", "《社会团体登记管理条例》第十一条")
        .set("填报须知", "须由拟任法定代表人签字；\n加盖发起单位公章。");
    licence
        .material("法定代表人居民身份证")
        .set("材料形式", "原件和复印件")
        .set("份数", "2")
        .set("材料来源", "政府部门核发")
        .set("电子证照", "是");
    licence
        .material("社会团体章程草案")
        .set("材料形式", "电子材料")
        .set("份数", "0")
        .set("必要性", "容缺后补");

    let service = Item::new(&a, "公共服务", "民政", "婚姻登记档案查询")
        .with("到办事现场次数", "0")
        .with("办理形式", "网上办理")
        .with("是否进驻政务大厅", "否")
        .with("办理地点", "")
        .with("服务对象", "自然人")
        .with("通办范围", "不通办");
    let forwarded = Item::new(&a, "行政确认", "民政", "慈善组织认定")
        .with("是否转报", "是")
        .with("实施主体性质", "受委托组织")
        .with("权力来源", "上级授权")
        .with("法定办结时限", "60")
        .with("承诺办结时限", "0")
        .with("办件类型", "即办件")
        .with("结果名称", "《慈善组织认定通知书》");
    Filing::new(vec![
        licence,
        service,
        forwarded,
        Item::new(&a, "行政许可", "民政", "殡葬设施建设审批"),
        Item::new(&a, "行政许可", "民政", "殡葬设施建设审批").sub("新建"),
        Item::new(&a, "行政许可", "民政", "殡葬设施建设审批")
            .sub("改建")
            .with("承诺办结时限", "10"),
        Item::new(&a, "行政给付", "民政", "临时救助金给付"),
    ])
}

/// A workspace holding [`rich_filing`] (and 公安's filing, which a 民政
/// template must leave out).
fn rich_workspace() -> Ws {
    let ws = Ws::new();
    let rich = ws.file("民政-", &rich_filing());
    let police = ws.file("公安-", &police_filing());
    let (report, code) = check_json(ws.root(), &[&rich, &police]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(
        report["diagnostics"].as_array().map(Vec::len),
        Some(0),
        "{report:#}"
    );
    ws.ingest_ok(&[&rich, &police]);
    ws
}

/// Writes `yima template --agency USCC` into the workspace root.
fn template(ws: &Ws, uscc: &str, file: &str) {
    let run = ws.run(&["template", "--agency", uscc, "-o", file]);
    assert_eq!(run.code, 0, "{run}");
}

#[test]
fn the_rich_entries_are_stored_as_filed() {
    let ws = rich_workspace();
    let entries = ws.entries();
    let licence = entry_named(&entries, "社会团体成立登记", "");
    assert_eq!(
        licence.conditions.as_deref(),
        Some(
            "一、有规范的名称和章程；\n二、有固定的住所；\n三、有与其业务活动相适应的专职工作人员。"
        )
    );
    assert_eq!(licence.process, ["申请", "受理", "审查", "决定", "送达"]);
    assert_eq!(licence.charged, Some(true));
    assert_eq!(licence.materials.len(), 3);
    assert_eq!(
        licence.materials[0].notes.as_deref(),
        Some("须由拟任法定代表人签字；\n加盖发起单位公章。")
    );
    assert_eq!(licence.materials[1].e_license, Some(true));
    assert_eq!(licence.materials[2].copies, Some(0));
    let service = entry_named(&entries, "婚姻登记档案查询", "");
    assert_eq!(
        service.statutory_days,
        Some(StatutoryDays::None(NoLimit::None))
    );
    assert_eq!(
        entry_named(&entries, "慈善组织认定", "").forwarded,
        Some(true)
    );
}

#[test]
fn template_then_ingest_changes_nothing() {
    let ws = rich_workspace();
    let before = ws.snapshot();
    template(&ws, &Agency::civil_affairs().uscc, "民政修订.xlsx");

    let (report, code) = check_json(ws.root(), &["民政修订.xlsx"]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(
        report["diagnostics"].as_array().map(Vec::len),
        Some(0),
        "{report:#}"
    );
    assert_eq!(report["summary"]["entries"], 7);

    let run = ws.ingest_ok(&["民政修订.xlsx"]);
    assert_eq!(run.stdout, format!("{}\n", summary(0, 0, 7, 0, 0, 0)));
    assert_same_tree(&before, &ws.snapshot(), "template → ingest");

    // With --retire-missing too: the template lists every active entry.
    let run = ws.ingest_ok(&["--retire-missing", "民政修订.xlsx"]);
    assert_eq!(run.stdout, format!("{}\n", summary(0, 0, 7, 0, 0, 0)));
    assert_same_tree(
        &before,
        &ws.snapshot(),
        "template → ingest --retire-missing",
    );
}

#[test]
fn items_to_template_to_items_is_lossless() {
    let ws = rich_workspace();
    let uscc = Agency::civil_affairs().uscc;
    template(&ws, &uscc, "民政修订.xlsx");

    // A workspace with the same registry and no entries takes the template
    // back in: every entry comes back with every field.
    let copy = Ws::new();
    std::fs::write(copy.items().join("codes.lock"), ws.registry_text()).expect("copy registry");
    std::fs::copy(
        ws.root().join("民政修订.xlsx"),
        copy.root().join("民政修订.xlsx"),
    )
    .expect("copy template");
    let run = copy.ingest_ok(&["民政修订.xlsx"]);
    assert!(run.stdout.contains(&summary(7, 0, 0, 0, 0, 0)), "{run}");

    let original: BTreeMap<String, CatalogEntry> = ws
        .entries()
        .into_iter()
        .filter(|(_, e)| e.agency_code == uscc)
        .collect();
    let mut back = copy.entries();
    assert_eq!(
        back.keys().collect::<Vec<_>>(),
        original.keys().collect::<Vec<_>>()
    );
    for (code, e) in &mut back {
        assert_eq!(e.source.file, "民政修订.xlsx");
        e.source = original[code].source.clone();
        assert_eq!(*e, original[code], "{code} changed in the round trip");
    }
    assert_eq!(copy.registry_text(), ws.registry_text(), "no code issued");
}

#[test]
fn template_of_an_agency_without_entries_is_refused() {
    let (ws, _, _) = ingested();
    let run = ws.run(&[
        "template",
        "--agency",
        &Agency::human_resources().uscc,
        "-o",
        "人社.xlsx",
    ]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("没有实施主体编码为"), "{run}");
    assert!(!ws.root().join("人社.xlsx").exists());
}

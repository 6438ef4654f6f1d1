//! The workspace as `yima check` sees it: rule severities of `yima.yaml`
//! (error, warning, off) change the report and the exit code; an unknown key
//! is a usage error naming it; `-C DIR` names the workspace; and the registry
//! rules (code-unknown, code-retired, code-renamed), which need the code
//! registry of a workspace, after `yima init` and `yima ingest`.

mod support;

use std::path::Path;
use support::*;
use yima::codes::registry::{Registry, Status};

const FILE: &str = "民政局.xlsx";
const ITEMS: &str = "事项";

/// Writes `yima.yaml` into `dir`.
fn config(dir: &Path, yaml: &str) {
    std::fs::write(dir.join("yima.yaml"), yaml).expect("write yima.yaml");
}

/// A filing whose entry 1 has a wrong USCC (error), entry 2 two visits
/// (warning), entry 3 an unquoted legal basis (warning).
fn mixed_filing() -> Filing {
    let mut f = Filing::valid(4);
    f.entries[0].set("实施主体编码", "11431300006140434T");
    f.entries[1].set("到办事现场次数", "2");
    f.entries[2].set("设定依据", "社会团体登记管理条例第九条");
    f
}

/// The severity of the one finding of `rule` in a report.
#[track_caller]
fn severity<'r>(report: &'r Report, rule: &str) -> &'r str {
    report.one(rule).severity.as_str()
}

// --- rule severities ----------------------------------------------------------

#[test]
fn without_a_config_the_default_severities_apply() {
    let dir = tempdir();
    let f = mixed_filing();
    f.write_xlsx(&dir.path().join(FILE));
    let (report, code) = check(dir.path(), &[FILE]);
    assert_eq!(severity(&report, "uscc-invalid"), "error");
    assert_eq!(severity(&report, "visits-exceed-one"), "warning");
    assert_eq!(severity(&report, "legal-basis-unquoted"), "warning");
    assert_eq!(code, 1);
}

#[test]
fn a_rule_turned_off_is_not_reported_and_no_longer_fails_the_run() {
    let dir = tempdir();
    config(dir.path(), "rules:\n  uscc-invalid: off\n");
    mixed_filing().write_xlsx(&dir.path().join(FILE));
    let (report, code) = check(dir.path(), &[FILE]);
    assert!(report.of("uscc-invalid").is_empty(), "{report}");
    // The other rules keep their defaults.
    assert_eq!(severity(&report, "visits-exceed-one"), "warning");
    assert_eq!(report.summary.errors, 0, "{report}");
    assert_eq!(report.summary.warnings, 2, "{report}");
    assert_eq!(code, 0);
}

#[test]
fn a_warning_raised_to_error_fails_the_run() {
    let dir = tempdir();
    let mut f = Filing::valid(2);
    f.entries[1].set("到办事现场次数", "2");
    f.write_xlsx(&dir.path().join(FILE));

    let (report, code) = check(dir.path(), &[FILE]);
    assert_eq!(severity(&report, "visits-exceed-one"), "warning");
    assert_eq!(code, 0);

    config(
        dir.path(),
        "rules:\n  visits-exceed-one: error\n  legal-basis-unquoted: off\n",
    );
    let (report, code) = check(dir.path(), &[FILE]);
    let d = report.one_at("visits-exceed-one", ITEMS, "U3");
    assert_eq!(d.severity, "error");
    assert_eq!(d.value.as_deref(), Some("2"));
    assert_eq!((report.summary.errors, report.summary.warnings), (1, 0));
    assert_eq!(code, 1);
}

#[test]
fn an_error_lowered_to_warning_leaves_exit_0() {
    let dir = tempdir();
    config(dir.path(), "rules:\n  uscc-invalid: warning\n");
    mixed_filing().write_xlsx(&dir.path().join(FILE));
    let (report, code) = check(dir.path(), &[FILE]);
    assert_eq!(severity(&report, "uscc-invalid"), "warning");
    assert_eq!(report.summary.errors, 0, "{report}");
    assert_eq!(code, 0);
    // …unless warnings are denied.
    let run = run(
        dir.path(),
        &["check", "--format", "json", "--deny", "warnings", FILE],
    );
    assert_eq!(run.code, 1);
}

#[test]
fn the_region_prefix_of_the_config_decides_which_basic_codes_are_issued_here() {
    let dir = tempdir();
    config(dir.path(), "region_prefix: \"44\"\n");
    let mut f = Filing::valid(3);
    f.entries[0].set("基本编码", "440102001000");
    f.entries[1].set("基本编码", "430102001000");
    f.entries[2].set("基本编码", "000104002000");
    let items = f.items_sheet();
    write_xlsx(
        &dir.path().join(FILE),
        &[items.clone(), f.materials_sheet()],
    );
    let (report, code) = check(dir.path(), &[FILE]);

    let d = report.one("basic-code-invalid");
    assert_eq!(d.cell.as_deref(), Some(items.cell("基本编码", 1).as_str()));
    assert_eq!(d.value.as_deref(), Some("430102001000"));
    assert!(d.message.contains("44"), "{}", d.message);
    report.assert_row_clean(FILE, ITEMS, items.row_of(0));
    report.assert_row_clean(FILE, ITEMS, items.row_of(2));
    assert_eq!(code, 1);
}

// --- invalid configs -----------------------------------------------------------

#[test]
fn an_unknown_key_in_the_config_is_a_usage_error_naming_it() {
    let dir = tempdir();
    config(dir.path(), "region_prefix: \"43\"\nregoin: \"431300\"\n");
    Filing::valid(1).write_xlsx(&dir.path().join(FILE));
    let run = run(dir.path(), &["check", "--format", "json", FILE]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("regoin"), "{}", run.stderr);
    assert!(run.stdout.is_empty(), "no report: {}", run.stdout);
}

#[test]
fn an_unknown_rule_or_severity_in_the_config_is_a_usage_error_naming_it() {
    let dir = tempdir();
    Filing::valid(1).write_xlsx(&dir.path().join(FILE));
    for (yaml, named) in [
        ("rules:\n  visits-exceed-two: off\n", "visits-exceed-two"),
        ("rules:\n  visits-exceed-one: fatal\n", "fatal"),
        ("paths:\n  item: items\n", "item"),
    ] {
        config(dir.path(), yaml);
        let run = run(dir.path(), &["check", "--format", "json", FILE]);
        assert_eq!(run.code, 2, "{yaml}: {run:?}");
        assert!(run.stderr.contains(named), "{yaml}: {}", run.stderr);
    }
}

// --- -C DIR ------------------------------------------------------------------

#[test]
fn dash_c_names_the_workspace_whatever_the_current_folder() {
    let filings = tempdir();
    let ws = tempdir();
    config(ws.path(), "rules:\n  visits-exceed-one: error\n");
    let mut f = Filing::valid(2);
    f.entries[0].set("到办事现场次数", "3");
    f.write_xlsx(&filings.path().join(FILE));
    let ws_dir = ws.path().to_str().expect("UTF-8 temp path");

    // Without -C the filings' folder has no workspace: defaults.
    let (report, code) = check(filings.path(), &[FILE]);
    assert_eq!(severity(&report, "visits-exceed-one"), "warning");
    assert_eq!(code, 0);

    // Paths stay relative to the current folder; the config comes from -C.
    let run1 = run(
        filings.path(),
        &["-C", ws_dir, "check", "--format", "json", FILE],
    );
    let report = run1.report();
    let d = report.one_at("visits-exceed-one", ITEMS, "U2");
    assert_eq!(d.severity, "error");
    assert_eq!(d.file, FILE);
    assert_eq!(run1.code, 1);

    // A folder without yima.yaml is no workspace.
    let run2 = run(
        filings.path(),
        &[
            "-C",
            filings.path().to_str().expect("UTF-8 temp path"),
            "check",
            FILE,
        ],
    );
    assert_eq!(run2.code, 2, "{run2:?}");
    assert!(run2.stderr.contains("yima.yaml"), "{}", run2.stderr);
}

// --- code-unknown, code-retired, code-renamed -----------------------------------

/// The registry of a workspace.
fn registry(ws: &Path) -> Registry {
    let text = std::fs::read_to_string(ws.join("items").join("codes.lock")).expect("codes.lock");
    Registry::parse(&text).expect("a valid registry")
}

/// The code the registry gave an item name.
#[track_caller]
fn code_of(reg: &Registry, name: &str) -> String {
    reg.records()
        .iter()
        .find(|r| r.name == name)
        .unwrap_or_else(|| panic!("no code for {name} in the registry"))
        .code
        .clone()
}

/// `yima init`, then `yima ingest` of three valid entries of 娄底市民政局,
/// then `yima ingest --retire-missing` of the first two only, so the third
/// one's code is retired.
fn workspace_with_a_retired_code() -> tempfile::TempDir {
    let ws = tempdir();
    let init = run(ws.path(), &["init"]);
    assert_eq!(init.code, 0, "{init:?}");
    assert!(ws.path().join("yima.yaml").is_file());

    Filing::valid(3).write_xlsx(&ws.path().join(FILE));
    let ingest = run(ws.path(), &["ingest", FILE]);
    assert_eq!(ingest.code, 0, "{ingest:?}");
    let reg = registry(ws.path());
    assert_eq!(reg.len(), 3, "three codes issued");
    assert!(reg.records().iter().all(|r| r.status == Status::Active));

    let mut two = Filing::valid(3);
    two.entries.truncate(2);
    two.materials.retain(|m| m.get("事项序号") != "3");
    two.write_xlsx(&ws.path().join(FILE));
    let ingest = run(ws.path(), &["ingest", "--retire-missing", FILE]);
    assert_eq!(ingest.code, 0, "{ingest:?}");
    let reg = registry(ws.path());
    let retired = reg
        .get(&code_of(&reg, "社会团体注销登记"))
        .expect("still registered");
    assert_eq!(retired.status, Status::Retired);
    std::fs::remove_file(ws.path().join(FILE)).expect("remove the ingested filing");
    ws
}

#[test]
fn registry_rules_in_a_workspace() {
    let ws = workspace_with_a_retired_code();
    let reg = registry(ws.path());
    let founded = code_of(&reg, "社会团体成立登记");
    let changed = code_of(&reg, "社会团体变更登记");
    let closed = code_of(&reg, "社会团体注销登记");
    assert!(founded.starts_with("430102"), "{founded}");

    let mut f = Filing::valid(6);
    // 0: a registered code under its own name.
    f.entries[0].set("基本编码", founded.as_str());
    // 1: a registered code under another name.
    f.entries[1]
        .set("事项名称", "社会团体负责人变更登记")
        .set("基本编码", changed.as_str());
    // 2: the retired code.
    f.entries[2].set("基本编码", closed.as_str());
    // 3: a code under the issuing prefix that was never issued.
    f.entries[3].set("基本编码", "430102099000");
    // 4: a code of the national catalog, not issued here.
    f.entries[4].set("基本编码", "000104002000");
    // 5: no code yet.
    let items = f.items_sheet();
    let file = "民政局-修订.xlsx";
    write_xlsx(&ws.path().join(file), &[items.clone(), f.materials_sheet()]);
    let (report, code) = check(ws.path(), &[file]);

    let d = report.one_at("code-renamed", ITEMS, &items.cell("事项名称", 1));
    assert_eq!(d.severity, "warning");
    assert_eq!(d.field.as_deref(), Some("name"));
    assert_eq!(d.value.as_deref(), Some("社会团体负责人变更登记"));
    assert!(
        d.message.contains(&changed) && d.message.contains("社会团体变更登记"),
        "{}",
        d.message
    );

    let d = report.one_at("code-retired", ITEMS, &items.cell("基本编码", 2));
    assert_eq!(d.severity, "error");
    assert_eq!(d.field.as_deref(), Some("basic_code"));
    assert_eq!(d.value.as_deref(), Some(closed.as_str()));

    let d = report.one_at("code-unknown", ITEMS, &items.cell("基本编码", 3));
    assert_eq!(d.severity, "error");
    assert_eq!(d.field.as_deref(), Some("basic_code"));
    assert_eq!(d.value.as_deref(), Some("430102099000"));
    assert_eq!(d.cell.as_deref(), Some("F5"));

    for i in [0, 4, 5] {
        report.assert_row_clean(file, ITEMS, items.row_of(i));
    }
    for (i, rule) in [
        (1, "code-renamed"),
        (2, "code-retired"),
        (3, "code-unknown"),
    ] {
        let rules: Vec<&str> = report
            .on_row(file, ITEMS, items.row_of(i))
            .iter()
            .map(|d| d.rule.as_str())
            .collect();
        assert_eq!(rules, [rule], "entry {i}:\n{report}");
    }
    assert_eq!(code, 1);
}

#[test]
fn registry_rules_are_off_outside_a_workspace() {
    let dir = tempdir();
    let mut f = Filing::valid(1);
    f.entries[0].set("基本编码", "430102099000");
    f.write_xlsx(&dir.path().join(FILE));
    let (report, code) = check(dir.path(), &[FILE]);
    report.assert_clean();
    assert_eq!(code, 0);
}

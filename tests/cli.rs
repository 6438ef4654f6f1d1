//! The `yima check` command line: exit codes (0 no error, 1 errors found or
//! warnings denied, 2 usage error or missing path) and golden files of the
//! human and JSON reports (`tests/snapshots/`, reviewed with `cargo insta`).
//! Runs happen inside the fixture's folder with relative paths, so the
//! snapshots hold no temporary path.

mod support;

use std::path::Path;
use support::*;

/// A small filing with one finding of each kind of place: a bad value in a
/// cell, an unknown column (a warning), a material whose entry is missing.
fn golden_fixture(dir: &Path) {
    let mut f = Filing::valid(2);
    f.entries[1].set("事项类型", "行政许");
    f.materials[3].set("事项序号", "9");
    let items = f
        .items_sheet()
        .insert_column(35, "填报人", &["张三", "张三"]);
    write_xlsx(&dir.join("民政局.xlsx"), &[items, f.materials_sheet()]);
}

/// A filing with a warning and no error.
fn warning_only(dir: &Path) {
    let f = Filing::valid(1);
    let items = f.items_sheet().insert_column(35, "填报人", &["张三"]);
    write_xlsx(&dir.join("民政局.xlsx"), &[items, f.materials_sheet()]);
}

#[test]
fn exit_0_when_no_error_is_found() {
    let dir = tempdir();
    Filing::valid(2).write_xlsx(&dir.path().join("民政局.xlsx"));
    let run = run(dir.path(), &["check", "民政局.xlsx"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        run.stdout,
        "民政局.xlsx: 0 个错误, 0 个警告 · 2 个事项, 4 份材料\n"
    );
    assert_eq!(run.stderr, "");
}

#[test]
fn exit_1_when_errors_are_found() {
    let dir = tempdir();
    golden_fixture(dir.path());
    for format in ["human", "json"] {
        let run = run(dir.path(), &["check", "--format", format, "民政局.xlsx"]);
        assert_eq!(run.code, 1, "{format}: {}{}", run.stdout, run.stderr);
        assert!(run.stdout.contains("value-invalid"), "{}", run.stdout);
    }
}

#[test]
fn exit_2_when_a_path_does_not_exist() {
    let dir = tempdir();
    Filing::valid(1).write_xlsx(&dir.path().join("民政局.xlsx"));
    let run = run(dir.path(), &["check", "民政局.xlsx", "不存在.xlsx"]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stdout, "", "nothing is checked");
    assert!(
        run.stderr.contains("路径不存在：不存在.xlsx"),
        "{}",
        run.stderr
    );

    let run = support::run(dir.path(), &["--lang", "en", "check", "缺失的目录"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("no such file or folder: 缺失的目录"),
        "{}",
        run.stderr
    );
}

#[test]
fn exit_2_on_usage_errors() {
    let dir = tempdir();
    Filing::valid(1).write_xlsx(&dir.path().join("民政局.xlsx"));
    for args in [
        &["check"][..],
        &["check", "--format", "yaml", "民政局.xlsx"],
        &["check", "--deny", "everything", "民政局.xlsx"],
        &["check", "--no-such-flag", "民政局.xlsx"],
    ] {
        let run = run(dir.path(), args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert_eq!(run.stdout, "", "{args:?}");
        assert!(!run.stderr.is_empty(), "{args:?} says what is wrong");
    }
}

#[test]
fn deny_warnings_turns_warnings_into_a_failure() {
    let dir = tempdir();
    warning_only(dir.path());
    let (report, code) = check(dir.path(), &["民政局.xlsx"]);
    assert_eq!(report.rules(), ["column-unknown"], "{report}");
    assert_eq!((report.summary.errors, report.summary.warnings), (0, 1));
    assert_eq!(code, 0, "warnings alone pass");

    let run = run(dir.path(), &["check", "--deny", "warnings", "民政局.xlsx"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stdout.contains("warning[column-unknown]"),
        "{}",
        run.stdout
    );
}

#[test]
fn deny_warnings_passes_a_clean_filing() {
    let dir = tempdir();
    Filing::valid(1).write_xlsx(&dir.path().join("民政局.xlsx"));
    let run = run(dir.path(), &["check", "--deny", "warnings", "."]);
    assert_eq!(run.code, 0, "{}", run.stdout);
}

#[test]
fn json_report_is_versioned_and_counts_the_run() {
    let dir = tempdir();
    golden_fixture(dir.path());
    let (report, _) = check(dir.path(), &["."]);
    assert_eq!(report.version, 1);
    assert_eq!(report.summary.files, 1);
    assert_eq!(report.summary.entries, 2);
    assert_eq!(report.summary.materials, 4);
    let errors = report
        .diagnostics
        .iter()
        .filter(|d| d.severity == "error")
        .count();
    let warnings = report
        .diagnostics
        .iter()
        .filter(|d| d.severity == "warning")
        .count();
    assert_eq!(
        (report.summary.errors, report.summary.warnings),
        (errors, warnings)
    );
    // The folder was given as `.`; files are named relative to it.
    assert!(report.diagnostics.iter().all(|d| d.file == "民政局.xlsx"));
}

#[test]
fn golden_human_report() {
    let dir = tempdir();
    golden_fixture(dir.path());
    let run = run(dir.path(), &["check", "民政局.xlsx"]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!("check_human", run.stdout);
}

#[test]
fn golden_human_report_in_english() {
    let dir = tempdir();
    golden_fixture(dir.path());
    let run = run(dir.path(), &["--lang", "en", "check", "民政局.xlsx"]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!("check_human_en", run.stdout);
}

#[test]
fn golden_json_report() {
    let dir = tempdir();
    golden_fixture(dir.path());
    let run = run(dir.path(), &["check", "--format", "json", "民政局.xlsx"]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!("check_json", run.stdout);
}

#[test]
fn golden_human_report_of_a_folder() {
    let dir = tempdir();
    let root = dir.path();
    golden_fixture(root);
    std::fs::create_dir(root.join("公安")).unwrap();
    Filing::valid(1).by(&Agency::public_security()).write_csv(
        &root.join("公安"),
        "公安局-",
        Encoding::Gbk,
    );
    std::fs::write(root.join("空.xlsx"), b"").unwrap();
    let run = run(root, &["check", "."]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!("check_human_folder", run.stdout);
}

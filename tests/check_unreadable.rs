//! Files that are not readable filings — corrupt, empty, renamed, password
//! protected, undecodable — each give exactly one `file-unreadable` finding
//! naming the file, exit code 1 and no panic, and never hide the findings of
//! the other files of the run. A workbook whose extension lies about its
//! format is still read.

mod support;

use std::path::Path;
use support::*;

/// A small valid workbook encrypted with the password `yima`
/// (see tests/README.md for how it was made).
const ENCRYPTED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/password-protected.xlsx"
);

/// The bytes of a valid one-entry filing workbook.
fn valid_workbook() -> Vec<u8> {
    let f = Filing::valid(1);
    xlsx_bytes(&[f.items_sheet(), f.materials_sheet()])
}

/// Checks `name` alone and asserts it gives exactly one file-unreadable
/// finding, naming it, and nothing else; returns that finding.
fn assert_unreadable(dir: &Path, name: &str) -> Finding {
    let (report, code) = check(dir, &[name]);
    let d = report.one("file-unreadable").clone();
    assert_eq!(d.severity, "error");
    assert_eq!(d.file, name);
    assert_eq!((d.sheet.as_deref(), d.cell.as_deref()), (None, None));
    assert!(!d.message.is_empty() && !d.help.is_empty(), "{report}");
    assert_eq!(report.diagnostics.len(), 1, "one finding only:\n{report}");
    assert_eq!(report.summary.entries, 0);
    assert_eq!(code, 1);
    // The human report says the same, without panicking.
    let human = run(dir, &["check", name]);
    assert_eq!(human.code, 1, "{}", human.stderr);
    assert!(
        human.stdout.contains("error[file-unreadable]"),
        "{}",
        human.stdout
    );
    assert!(human.stdout.contains(name), "{}", human.stdout);
    d
}

#[test]
fn a_truncated_workbook_is_unreadable() {
    let dir = tempdir();
    let bytes = valid_workbook();
    for (name, cut) in [
        ("截断一半.xlsx", bytes.len() / 2),
        ("只剩开头.xlsx", 100),
        ("少了结尾.xlsx", bytes.len() - 30),
    ] {
        std::fs::write(dir.path().join(name), &bytes[..cut]).unwrap();
        assert_unreadable(dir.path(), name);
    }
}

#[test]
fn a_workbook_with_damaged_bytes_is_unreadable() {
    let dir = tempdir();
    let mut bytes = valid_workbook();
    // Overwrite the middle of the zip: entries fail their CRC or inflate.
    let mid = bytes.len() / 3;
    for b in &mut bytes[mid..mid + 400] {
        *b = 0x5a;
    }
    std::fs::write(dir.path().join("损坏.xlsx"), &bytes).unwrap();
    assert_unreadable(dir.path(), "损坏.xlsx");
}

#[test]
fn a_zero_byte_file_is_unreadable() {
    let dir = tempdir();
    std::fs::write(dir.path().join("空文件.xlsx"), b"").unwrap();
    let d = assert_unreadable(dir.path(), "空文件.xlsx");
    assert!(d.message.contains("为空"), "{}", d.message);
}

#[test]
fn a_csv_or_text_file_named_xlsx_is_unreadable() {
    let dir = tempdir();
    let csv = Filing::valid(1).items_sheet().to_csv();
    std::fs::write(dir.path().join("导出.xlsx"), csv).unwrap();
    assert_unreadable(dir.path(), "导出.xlsx");
    std::fs::write(
        dir.path().join("说明.xlsx"),
        "请各单位于本月底前报送政务服务事项清单。\n",
    )
    .unwrap();
    assert_unreadable(dir.path(), "说明.xlsx");
    // Binary junk under an old extension, too.
    std::fs::write(
        dir.path().join("旧表.xls"),
        [0xd0u8, 0xcf, 0x11, 0xe0, 1, 2, 3],
    )
    .unwrap();
    assert_unreadable(dir.path(), "旧表.xls");
}

#[test]
fn a_password_protected_workbook_is_unreadable() {
    let dir = tempdir();
    std::fs::copy(ENCRYPTED, dir.path().join("加密.xlsx")).unwrap();
    let d = assert_unreadable(dir.path(), "加密.xlsx");
    assert!(d.message.contains("密码"), "says why: {}", d.message);
    assert!(d.help.contains("不设密码"), "says what to do: {}", d.help);
    let run = run(
        dir.path(),
        &["--lang", "en", "check", "--format", "json", "加密.xlsx"],
    );
    assert!(
        run.report()
            .one("file-unreadable")
            .message
            .contains("password"),
        "{}",
        run.stdout
    );
}

#[test]
fn undecodable_or_empty_csv_is_unreadable() {
    let dir = tempdir();
    let f = Filing::valid(1);
    // Neither UTF-8 nor GB18030: UTF-16 without BOM, with NULs.
    let utf16: Vec<u8> = f
        .items_sheet()
        .to_csv()
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    std::fs::write(dir.path().join("乱码事项.csv"), utf16).unwrap();
    std::fs::write(
        dir.path().join("乱码申请材料.csv"),
        f.materials_sheet().to_csv(),
    )
    .unwrap();
    assert_unreadable(dir.path(), "乱码事项.csv");

    let dir = tempdir();
    std::fs::write(dir.path().join("空事项.csv"), "").unwrap();
    std::fs::write(
        dir.path().join("空申请材料.csv"),
        f.materials_sheet().to_csv(),
    )
    .unwrap();
    let d = assert_unreadable(dir.path(), "空事项.csv");
    assert!(d.message.contains("为空"), "{}", d.message);
}

#[test]
fn a_workbook_named_xls_is_still_read() {
    let dir = tempdir();
    let mut f = Filing::valid(2);
    f.entries[1].set("事项类型", "行政许");
    std::fs::write(
        dir.path().join("民政局.xls"),
        xlsx_bytes(&[f.items_sheet(), f.materials_sheet()]),
    )
    .unwrap();
    let (report, code) = check(dir.path(), &["民政局.xls"]);
    assert!(report.of("file-unreadable").is_empty(), "{report}");
    let d = report.one("value-invalid");
    assert_eq!(d.file, "民政局.xls");
    assert_eq!(d.cell.as_deref(), Some("D3"));
    assert_eq!(report.diagnostics.len(), 1, "{report}");
    assert_eq!(report.summary.entries, 2);
    assert_eq!(report.summary.materials, 4);
    assert_eq!(code, 1);
}

#[test]
fn one_bad_file_never_hides_the_findings_of_the_others() {
    let dir = tempdir();
    let root = dir.path();
    let bytes = valid_workbook();
    std::fs::write(root.join("a-截断.xlsx"), &bytes[..bytes.len() / 2]).unwrap();
    std::fs::write(root.join("b-空.xlsx"), b"").unwrap();
    std::fs::write(
        root.join("c-改名.xlsx"),
        "序号,事项名称\n1,社会团体成立登记\n",
    )
    .unwrap();
    std::fs::copy(ENCRYPTED, root.join("d-加密.xlsx")).unwrap();
    std::fs::write(root.join("e-扩展名.xls"), &bytes).unwrap();
    let mut police = Filing::valid(2).by(&Agency::public_security());
    police.entries[0].set("行使层级", "市属");
    police.write_xlsx(&root.join("f-公安局.xlsx"));
    Filing::valid(2)
        .by(&Agency::human_resources())
        .write_csv(root, "g-人社局", Encoding::Gbk);

    let (report, code) = check(root, &["."]);
    let unreadable: Vec<&str> = report
        .of("file-unreadable")
        .iter()
        .map(|d| d.file.as_str())
        .collect();
    assert_eq!(
        unreadable,
        ["a-截断.xlsx", "b-空.xlsx", "c-改名.xlsx", "d-加密.xlsx"],
        "{report}"
    );
    let d = report.one("value-invalid");
    assert_eq!(d.file, "f-公安局.xlsx");
    assert_eq!(d.cell.as_deref(), Some("K2"));
    assert!(report.in_file("e-扩展名.xls").is_empty(), "{report}");
    assert!(report.in_file("g-人社局事项.csv").is_empty(), "{report}");
    assert_eq!(report.diagnostics.len(), 5, "{report}");
    assert_eq!(report.summary.files, 7);
    assert_eq!(report.summary.entries, 1 + 2 + 2);
    assert_eq!(code, 1);

    // The same run in the human format prints every file's summary line.
    let human = run(root, &["check", "."]);
    assert_eq!(human.code, 1);
    for file in [
        "a-截断.xlsx",
        "d-加密.xlsx",
        "f-公安局.xlsx",
        "g-人社局事项.csv",
    ] {
        assert!(
            human.stdout.contains(&format!("{file}: ")),
            "{}",
            human.stdout
        );
    }
}

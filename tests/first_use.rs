//! yima tried as a new user would: a file dropped on the binary, mistyped
//! commands and options, an empty folder, a blank template, a CSV named
//! without its suffix, one half of a CSV pair, files that are not workbooks
//! at all. Each gets a Chinese answer that says what happened, and nothing
//! checked is never success.

mod support;

use support::*;

/// Words of clap's and the readers' English that must not show in Chinese
/// mode.
const ENGLISH: &[&str] = &[
    "error:",
    "Usage:",
    "unrecognized",
    "tip:",
    "For more information",
    "Zip error",
    "EOCD",
    "Cfb",
    "Invalid",
    "invalid",
    "expected",
    "unknown field",
];

fn assert_chinese(text: &str) {
    for word in ENGLISH {
        assert!(!text.contains(word), "English `{word}` in:\n{text}");
    }
}

#[test]
fn a_file_alone_on_the_command_line_is_checked() {
    let dir = tempdir();
    let mut f = Filing::valid(2);
    f.entries[1].set("事项类型", "行政许");
    f.write_xlsx(&dir.path().join("民政局.xlsx"));
    Filing::valid(1).write_xlsx(&dir.path().join("另一个.xlsx"));
    // `yima FILE` is `yima check FILE`: what dropping a file on yima.exe does.
    let bare = run(dir.path(), &["民政局.xlsx"]);
    let check = run(dir.path(), &["check", "民政局.xlsx"]);
    assert_eq!(bare.code, 1, "{bare:?}");
    assert_eq!(bare.stdout, check.stdout);
    assert!(
        bare.stdout.contains("error[value-invalid]"),
        "{}",
        bare.stdout
    );
    // Several files dropped at once, and the global options before them.
    let two = run(
        dir.path(),
        &[
            "--lang",
            "en",
            "民政局.xlsx",
            "另一个.xlsx",
            "--format",
            "json",
        ],
    );
    let report = two.report();
    assert_eq!(report.summary.files, 2);
    assert_eq!(
        report.one("value-invalid").message,
        "`行政许` is not an allowed value of `事项类型`"
    );
    // A file that does not exist is named as such, not as a command.
    let missing = run(dir.path(), &["不存在.xlsx"]);
    assert_eq!(missing.code, 2);
    assert!(
        missing.stderr.contains("路径不存在：不存在.xlsx"),
        "{}",
        missing.stderr
    );
}

#[test]
fn usage_errors_are_chinese_and_say_what_was_meant() {
    let dir = tempdir();
    for (args, says) in [
        (&["chek", "a.xlsx"][..], "没有“chek”这个命令"),
        (
            &["check", "--formt", "json", "a.xlsx"][..],
            "不认识的选项“--formt”（是不是“--format”？）",
        ),
        (
            &["check", "--format", "xml", "a.xlsx"][..],
            "--format <FORMAT> 的值“xml”无效",
        ),
        (&["check"][..], "缺少必需的参数"),
        (&["serve", "--port", "七"][..], "的值“七”无效"),
    ] {
        let r = run(dir.path(), args);
        assert_eq!(r.code, 2, "{args:?}: {r:?}");
        assert!(r.stderr.contains(says), "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains("用法：yima"), "{args:?}: {}", r.stderr);
        assert_chinese(&r.stderr);
    }
    // The help is Chinese too, and `yima help check` is `yima check --help`.
    let help = run(dir.path(), &["help", "check"]);
    assert_eq!(help.code, 0);
    assert!(
        help.stdout.contains("用法：yima check [选项] <PATH>"),
        "{}",
        help.stdout
    );
    assert_chinese(&help.stdout);
    // English mode keeps clap's English.
    let en = run(dir.path(), &["--lang", "en", "chek"]);
    assert_eq!(en.code, 2);
    assert!(
        en.stderr.contains("unrecognized subcommand"),
        "{}",
        en.stderr
    );
    // yima alone says how to start.
    let bare = run(dir.path(), &[]);
    assert_eq!(bare.code, 2);
    assert!(bare.stdout.contains("yima 填报表.xlsx"), "{}", bare.stdout);
}

#[test]
fn nothing_found_is_not_success() {
    let dir = tempdir();
    std::fs::create_dir(dir.path().join("空目录")).unwrap();
    std::fs::write(dir.path().join("空目录/说明.txt"), "请报送").unwrap();
    let r = run(dir.path(), &["check", "空目录"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stdout.contains("没有找到要检查的填报表"), "{}", r.stdout);
    // A machine-read report stays valid JSON; the message goes to stderr.
    let json = run(dir.path(), &["check", "--format", "json", "空目录"]);
    assert_eq!(json.code, 1);
    assert_eq!(json.report().summary.files, 0);
    assert!(
        json.stderr.contains("没有找到要检查的填报表"),
        "{}",
        json.stderr
    );
}

#[test]
fn a_blank_template_is_not_success() {
    let dir = tempdir();
    let t = run(dir.path(), &["template", "-o", "填报表.xlsx"]);
    assert_eq!(t.code, 0, "{t:?}");
    Filing::valid(1).write_xlsx(&dir.path().join("民政局.xlsx"));
    let r = run(dir.path(), &["填报表.xlsx", "民政局.xlsx"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(
        r.stdout.contains("填报表.xlsx：没有读到任何事项"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("民政局.xlsx：没有读到"), "{}", r.stdout);
    // The filing with entries alone passes.
    assert_eq!(run(dir.path(), &["民政局.xlsx"]).code, 0);
}

#[test]
fn a_csv_named_on_the_command_line_is_always_checked() {
    let dir = tempdir();
    let f = Filing::valid(2);
    std::fs::write(dir.path().join("公安.csv"), f.items_sheet().to_csv()).unwrap();
    let (report, code) = check(dir.path(), &["公安.csv"]);
    assert_eq!(code, 1);
    assert_eq!(report.summary.entries, 2, "its entries are read: {report}");
    let d = report.one("sheet-missing");
    assert_eq!(d.file, "公安.csv");
    assert!(d.message.contains("公安-申请材料.csv"), "{}", d.message);
    assert!(d.help.contains("改名为 公安-事项.csv"), "{}", d.help);
    // In a folder, CSV files that are no half of a filing are not filings.
    let (report, code) = check(dir.path(), &["."]);
    assert_eq!((report.summary.files, code), (0, 1), "{report}");
}

#[test]
fn a_lone_half_of_a_csv_pair_names_the_missing_half() {
    let dir = tempdir();
    let f = Filing::valid(1);
    std::fs::write(
        dir.path().join("民政局-申请材料.csv"),
        f.materials_sheet().to_csv(),
    )
    .unwrap();
    let (report, _) = check(dir.path(), &["民政局-申请材料.csv"]);
    let d = report.one("sheet-missing");
    assert_eq!(d.file, "民政局-申请材料.csv");
    assert!(d.message.contains("民政局-事项.csv"), "{}", d.message);
    assert_eq!(d.value.as_deref(), Some("民政局-事项.csv"));
}

/// A zip archive holding `names`.
fn zip_of(names: &[&str]) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut out);
        for n in names {
            z.start_file(*n, zip::write::SimpleFileOptions::default())
                .unwrap();
            std::io::Write::write_all(&mut z, b"<w:document/>").unwrap();
        }
        z.finish().unwrap();
    }
    out.into_inner()
}

#[test]
fn a_file_that_is_no_workbook_is_named_for_what_it_is() {
    let dir = tempdir();
    let valid = xlsx_bytes(&[Filing::valid(1).items_sheet()]);
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "报送说明.xlsx",
            zip_of(&["[Content_Types].xml", "word/document.xml"]),
            "这是一个 Word 文档",
        ),
        (
            "系统导出.xls",
            "<html><head><meta charset=\"utf-8\"></head><body><table><tr><td>序号</td></tr></table></body></html>"
                .as_bytes()
                .to_vec(),
            "这是一个网页（HTML）文件",
        ),
        (
            "打包.xlsx",
            zip_of(&["公安.xlsx", "民政.xlsx"]),
            "这是一个 zip 压缩包，不是工作簿（其中有：公安.xlsx、民政.xlsx）",
        ),
        ("扫描件.xlsx", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec(), "这是一个 PDF 文件"),
        (
            "截图.xlsx",
            b"\x89PNG\r\n\x1A\n\0\0\0\rIHDR\0\0\0\x10".to_vec(),
            "这是一张图片（PNG）",
        ),
        ("空.xlsx", Vec::new(), "文件为空"),
        ("下载中断.xlsx", valid[..valid.len() / 2].to_vec(), "工作簿已损坏或不完整"),
        (
            "加密.xlsx",
            std::fs::read(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/fixtures/password-protected.xlsx"
            ))
            .unwrap(),
            "工作簿设置了打开密码",
        ),
    ];
    for (name, bytes, says) in &cases {
        std::fs::write(dir.path().join(name), bytes).unwrap();
        let (report, code) = check(dir.path(), &[name]);
        assert_eq!(code, 1, "{name}");
        let d = report.one("file-unreadable");
        assert!(d.message.starts_with(says), "{name}: {}", d.message);
        assert!(!d.help.is_empty(), "{name}");
        assert_chinese(&d.message);
        assert_chinese(&d.help);
    }
}

#[test]
fn configuration_errors_are_chinese_with_the_key_that_was_meant() {
    let dir = tempdir();
    Filing::valid(1).write_xlsx(&dir.path().join("民政局.xlsx"));
    std::fs::write(
        dir.path().join("yima.yaml"),
        "region_prefix: \"43\"\nregoin: x\n",
    )
    .unwrap();
    let r = run(dir.path(), &["check", "民政局.xlsx"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("第 2 行：未知的设置项“regoin”（是不是“region_prefix”？）"),
        "{}",
        r.stderr
    );
    assert_chinese(&r.stderr);
}

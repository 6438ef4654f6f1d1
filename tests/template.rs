//! `yima template`: the workbook it writes is the standard one (sheets,
//! headers, notes, dropdowns, formats), `yima check` accepts it blank and
//! filled in correctly, flags it filled in wrongly, and an existing file is
//! never replaced without `--force`.

use assert_cmd::Command;
use calamine::{Data, Reader, SheetVisible, open_workbook_auto};
use serde_json::Value;
use std::io::Read;
use std::path::Path;
use yima::filing::template::{self, CODES_SHEET, INSTRUCTIONS_SHEET, Prefill, Row};
use yima::standard::elements::{Field, MaterialField};
use yima::standard::{Standard, normalize_header};

fn yima(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("yima").expect("the yima binary is built");
    // No yima.yaml above a temporary folder: the embedded standard applies.
    cmd.current_dir(dir);
    cmd
}

/// Runs `yima check --format json FILE` and returns its exit code and report.
fn check_json(dir: &Path, file: &str) -> (i32, Value) {
    let out = yima(dir)
        .args(["check", "--format", "json", file])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "check printed no JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    (out.status.code().unwrap(), report)
}

fn rules_of(report: &Value) -> Vec<String> {
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["rule"].as_str().unwrap().to_string())
        .collect()
}

/// One entry as a department would file it, correct in every cell.
fn good_entry() -> Row<Field> {
    [
        (Field::Seq, "1"),
        (Field::Name, "户口迁移登记"),
        (Field::Category, "行政确认"),
        (Field::Sector, "公安"),
        (Field::Agency, "娄底市公安局"),
        (Field::AgencyCode, "11431300006140469E"),
        (Field::AgencyNature, "法定机关"),
        (Field::Level, "市级"),
        (Field::Division, "431300"),
        (Field::PowerSource, "法定本级行使"),
        (Field::Audience, "自然人"),
        (Field::LegalBasis, "《中华人民共和国户口登记条例》第十条"),
        (Field::Conditions, "申请人在本市有合法稳定住所。"),
        (Field::Process, "申请→受理→审查→决定→送达"),
        (Field::StatutoryDays, "20"),
        (Field::PromisedDays, "5"),
        (Field::HandlingType, "承诺件"),
        (Field::Visits, "1"),
        (Field::Charged, "否"),
        (Field::Channels, "窗口办理、网上办理"),
        (Field::OnlineUrl, "https://zwfw-new.hunan.gov.cn/"),
        (Field::Scope, "全市"),
        (Field::InHall, "是"),
        (Field::Address, "娄底市政务服务中心一楼 5 号窗口"),
        (
            Field::Hours,
            "工作日上午 9:00-12:00，下午 13:30-17:00（法定节假日除外）",
        ),
        (Field::ContactPhone, "0738-8888888"),
        (Field::ComplaintPhone, "12345"),
        (Field::ResultName, "《准予迁入证明》"),
    ]
    .into_iter()
    .map(|(f, v)| (f, v.to_string()))
    .collect()
}

fn material(seq: &str, name: &str, form: &str) -> Row<MaterialField> {
    [
        (MaterialField::Seq, seq),
        (MaterialField::ItemSeq, "1"),
        (MaterialField::Name, name),
        (MaterialField::Form, form),
        (MaterialField::Copies, "1"),
        (MaterialField::Source, "申请人自备"),
        (MaterialField::ELicense, "否"),
        (MaterialField::Necessity, "必要"),
    ]
    .into_iter()
    .map(|(f, v)| (f, v.to_string()))
    .collect()
}

fn filled(entry: Row<Field>) -> Prefill {
    Prefill {
        items: vec![entry],
        materials: vec![
            material("1", "居民户口簿", "原件"),
            material("2", "居民身份证", "原件和复印件"),
        ],
        ..Prefill::default()
    }
}

/// The text of a part of the workbook (it is a zip of XML files).
fn part(path: &Path, name: &str) -> String {
    let file = std::fs::File::open(path).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let mut text = String::new();
    zip.by_name(name)
        .unwrap_or_else(|_| panic!("no {name} in the workbook"))
        .read_to_string(&mut text)
        .unwrap();
    text
}

/// The `<dataValidation …>…</dataValidation>` elements of a sheet's XML.
fn validations(xml: &str) -> Vec<&str> {
    xml.split("<dataValidation ")
        .skip(1)
        .map(|v| v.split("</dataValidation>").next().unwrap())
        .collect()
}

/// The validation that covers a column from row 2 down.
fn validation_of<'x>(all: &[&'x str], column: &str) -> &'x str {
    let sqref = format!("sqref=\"{column}2:{column}1048576\"");
    all.iter()
        .find(|v| v.contains(&sqref))
        .unwrap_or_else(|| panic!("no validation on column {column}"))
}

#[test]
fn blank_template_reads_cleanly_but_is_no_pass() {
    let dir = tempfile::tempdir().unwrap();
    let out = yima(dir.path()).arg("template").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("已生成填报表：填报表.xlsx"), "{stdout}");
    assert!(dir.path().join("填报表.xlsx").is_file());

    let (code, report) = check_json(dir.path(), "填报表.xlsx");
    let structural = [
        "file-unreadable",
        "sheet-missing",
        "header-missing",
        "column-missing",
        "column-unknown",
        "column-duplicate",
    ];
    let rules = rules_of(&report);
    assert!(
        rules.iter().all(|r| !structural.contains(&r.as_str())),
        "{report:#}"
    );
    assert_eq!(report["diagnostics"], serde_json::json!([]), "{report:#}");
    assert_eq!(report["summary"]["entries"], 0);
    assert_eq!(report["summary"]["materials"], 0);
    // Read cleanly, but a filing with no entry is not a pass (SPEC §7).
    assert_eq!(code, 1, "{report:#}");
}

#[test]
fn correctly_filled_template_passes_check() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("公安.xlsx");
    template::write(&Standard::embedded(), &filled(good_entry()), &path).unwrap();

    let (code, report) = check_json(dir.path(), "公安.xlsx");
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["summary"]["errors"], 0, "{report:#}");
    assert_eq!(report["summary"]["warnings"], 0, "{report:#}");
    assert_eq!(report["summary"]["entries"], 1);
    assert_eq!(report["summary"]["materials"], 2);
}

#[test]
fn wrongly_filled_template_is_flagged_at_the_cell() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("公安.xlsx");
    let mut entry = good_entry();
    entry.insert(Field::Category, "行政许可证".into());
    template::write(&Standard::embedded(), &filled(entry), &path).unwrap();

    let (code, report) = check_json(dir.path(), "公安.xlsx");
    assert_eq!(code, 1, "{report:#}");
    let found = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["rule"] == "value-invalid")
        .unwrap_or_else(|| panic!("no value-invalid in {report:#}"));
    // 事项类型 is the fourth column of the standard sheet; the entry is row 2.
    assert_eq!(found["sheet"], "事项");
    assert_eq!(found["cell"], "D2");
    assert_eq!(found["field"], "category");
    assert_eq!(found["value"], "行政许可证");
}

#[test]
fn workbook_has_the_standard_sheets_headers_and_code_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("填报表.xlsx");
    let standard = Standard::embedded();
    template::write(&standard, &Prefill::default(), &path).unwrap();

    let mut book = open_workbook_auto(&path).unwrap();
    assert_eq!(
        book.sheet_names(),
        [
            INSTRUCTIONS_SHEET,
            "事项",
            "申请材料",
            "收费项目",
            "常见问题",
            CODES_SHEET
        ]
    );
    let hidden: Vec<&str> = book
        .sheets_metadata()
        .iter()
        .filter(|s| s.visible != SheetVisible::Visible)
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(hidden, [CODES_SHEET]);

    let header = |book: &mut calamine::Sheets<_>, sheet: &str| -> Vec<String> {
        let range = book.worksheet_range(sheet).unwrap();
        range
            .rows()
            .next()
            .unwrap()
            .iter()
            .map(|c| c.to_string())
            .collect()
    };
    let items = header(&mut book, "事项");
    let standard_items: Vec<&str> = standard
        .elements
        .items
        .elements
        .iter()
        .map(|e| e.header.as_str())
        .collect();
    // Required columns are marked with `*`, which header matching drops.
    let plain: Vec<String> = items.iter().map(|h| normalize_header(h)).collect();
    assert_eq!(plain, standard_items);
    assert_eq!(items[1], "*事项名称");
    assert_eq!(items[2], "子项名称", "an optional column is not starred");
    let materials: Vec<String> = header(&mut book, "申请材料")
        .iter()
        .map(|h| normalize_header(h))
        .collect();
    let standard_materials: Vec<&str> = standard
        .elements
        .materials
        .elements
        .iter()
        .map(|e| e.header.as_str())
        .collect();
    assert_eq!(materials, standard_materials);

    let codes = book.worksheet_range(CODES_SHEET).unwrap();
    let cells: Vec<&Data> = codes.cells().map(|(_, _, c)| c).collect();
    for sector in ["公安", "人力资源社会保障", "住房公积金", "其他"] {
        assert!(
            cells.iter().any(|c| **c == Data::String(sector.into())),
            "sector {sector} missing from {CODES_SHEET}"
        );
    }

    let guide = book.worksheet_range(INSTRUCTIONS_SHEET).unwrap();
    let text: String = guide.cells().map(|(_, _, c)| c.to_string()).collect();
    assert!(text.contains("yima check 填报表.xlsx"), "{text}");
    assert!(text.contains("顿号“、”"), "{text}");
}

#[test]
fn coded_columns_have_dropdowns_and_integers_have_ranges() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("填报表.xlsx");
    template::write(&Standard::embedded(), &Prefill::default(), &path).unwrap();

    // Worksheets are stored in tab order: 填表说明, 事项, 申请材料, 收费项目,
    // 常见问题, 代码表.
    let items = part(&path, "xl/worksheets/sheet2.xml");
    let all = validations(&items);
    // 事项类型 (D): an inline list of the six categories.
    let category = validation_of(&all, "D");
    assert!(category.contains("type=\"list\""), "{category}");
    assert!(
        category.contains(
            "<formula1>\"行政许可,行政征收,行政给付,行政确认,其他行政权力,公共服务\"</formula1>"
        ),
        "{category}"
    );
    // 业务指导部门 (E): 35 sectors, listed on the hidden code sheet.
    let sector = validation_of(&all, "E");
    assert!(
        sector.contains(&format!("<formula1>{CODES_SHEET}!$B$2:$B$36</formula1>")),
        "{sector}"
    );
    // 服务对象 (R) is multi-valued: no strict list, a message with the separator.
    let audience = validation_of(&all, "R");
    assert!(!audience.contains("type=\"list\""), "{audience}");
    assert!(
        audience.contains("prompt=\"可多选：自然人、企业法人"),
        "{audience}"
    );
    assert!(audience.contains("顿号“、”"), "{audience}");
    // 到办事现场次数 (AF): a whole number from 0 to 9.
    let visits = validation_of(&all, "AF");
    assert!(visits.contains("type=\"whole\""), "{visits}");
    assert!(
        visits.contains("<formula1>0</formula1><formula2>9</formula2>"),
        "{visits}"
    );
    // The header row is frozen.
    assert!(items.contains("ySplit=\"1\""), "{items}");
    assert!(items.contains("state=\"frozen\""));
    assert!(items.contains("<autoFilter ref=\"A1:"));

    let materials = part(&path, "xl/worksheets/sheet3.xml");
    let all = validations(&materials);
    let form = validation_of(&all, "D");
    assert!(
        form.contains("<formula1>\"原件,复印件,原件和复印件,电子材料\"</formula1>"),
        "{form}"
    );

    // Code columns are text (`@`, built-in format 49): codes stay as typed.
    let styles = part(&path, "xl/styles.xml");
    assert!(styles.contains("numFmtId=\"49\""), "{styles}");

    // Every header has a note with its requirement and help.
    let notes = part(&path, "xl/comments1.xml");
    assert!(notes.contains("到办事现场次数（必填）"), "{notes}");
    assert!(
        notes.contains(
            "设定依据（事项类型为行政许可、行政征收、行政给付、行政确认、其他行政权力时必填）"
        ),
        "{notes}"
    );
    assert!(notes.contains("新事项留空，由 yima 统一赋码"), "{notes}");
}

#[test]
fn refuses_to_overwrite_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("填报表.xlsx");
    std::fs::write(&path, "已填写的内容").unwrap();

    let out = yima(dir.path()).arg("template").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("--force"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "已填写的内容");

    let out = yima(dir.path())
        .args(["template", "--force"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(std::fs::read(&path).unwrap().starts_with(b"PK"));
    // Nothing but the workbook is left in the folder: no temporary file.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["填报表.xlsx"]);
}

#[test]
fn output_must_be_xlsx_and_english_is_available() {
    let dir = tempfile::tempdir().unwrap();
    let out = yima(dir.path())
        .args(["template", "-o", "表.xls"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(!dir.path().join("表.xls").exists());

    let out = yima(dir.path())
        .args(["--lang", "en", "template", "-o", "filing.xlsx"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("wrote the filing workbook: filing.xlsx"),
        "{stdout}"
    );
}

#[test]
fn same_standard_gives_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["a.xlsx", "b.xlsx"] {
        yima(dir.path())
            .args(["template", "-o", name])
            .assert()
            .success();
    }
    let a = std::fs::read(dir.path().join("a.xlsx")).unwrap();
    let b = std::fs::read(dir.path().join("b.xlsx")).unwrap();
    assert!(a == b, "two runs wrote different bytes");
}

#[test]
fn workspace_schemas_give_their_own_headers() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path();
    std::fs::write(ws.join("yima.yaml"), "region_prefix: '43'\n").unwrap();
    std::fs::create_dir(ws.join("schemas")).unwrap();
    let elements = Standard::embedded_file("elements.yaml")
        .unwrap()
        .replace("header: 备注\n", "header: 其他说明\n");
    std::fs::write(ws.join("schemas/elements.yaml"), elements).unwrap();

    yima(ws)
        .args(["template", "-o", "ws.xlsx"])
        .assert()
        .success();
    let mut book = open_workbook_auto(ws.join("ws.xlsx")).unwrap();
    let range = book.worksheet_range("事项").unwrap();
    let header: Vec<String> = range
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(header.last().map(String::as_str), Some("其他说明"));
    assert!(!header.iter().any(|h| h == "备注"));
}

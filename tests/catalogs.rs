//! The catalogs by level, `catalog.xlsx`, `catalog.csv` and `catalog.json`
//! (SPEC §5): every entry lands once in the workbook of its level, on the
//! sheet of its county, ordered by sector and category, the filter covering
//! the entries and nothing else; codes survive a spreadsheet in
//! `catalog.xlsx`; the workbooks print on A4 landscape with the header on
//! every page; hostile text stays text; two builds of the same catalog are
//! byte-identical.

use calamine::{Data, Reader, open_workbook_auto};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use yima::catalog::CatalogEntry;
use yima::catalog::entry::{CatalogMaterial, StatutoryDays};
use yima::publish::catalogs::{self, COLUMNS, HEADER_ROW, LEVEL_CATALOGS};
use yima::publish::{BuildContext, PublishError};
use yima::workspace::Workspace;

/// Valid example USCCs from SPEC §3.
const POLICE: &str = "11511300008778693M";
const CIVIL: &str = "12441500196720244T";

/// The text an attacker would put in a cell to make a spreadsheet run it.
const HYPERLINK: &str = "=HYPERLINK(\"http://example.com/x\",\"点击查看\")";
const AT_SUM: &str = "@SUM(1+1)*cmd|' /C calc'!A0";

/// One entry. Codes follow SPEC §3: the 基本编码 from the category and sector
/// codes, the 实施编码 from USCC + level code + 基本编码.
fn entry(
    name: &str,
    category: (&str, &str),
    sector: (&str, &str),
    level: &str,
    division: &str,
    uscc: &str,
    seq: u32,
) -> CatalogEntry {
    let level_code = match level {
        "市级" => "3",
        "县级" => "4",
        "乡级" => "5",
        _ => "6",
    };
    let basic = format!("43{}{}{seq:03}000", category.1, sector.1);
    CatalogEntry {
        impl_code: format!("{uscc}{level_code}{basic}"),
        basic_code: basic,
        name: name.into(),
        category: category.0.into(),
        sector: sector.0.into(),
        agency: if sector.0 == "公安" {
            "娄底市公安局".into()
        } else {
            "娄底市民政局".into()
        },
        agency_code: uscc.into(),
        level: level.into(),
        division: division.into(),
        statutory_days: Some(StatutoryDays::Days(20)),
        promised_days: Some(5),
        handling_type: Some("承诺件".into()),
        visits: Some(1),
        charged: Some(false),
        channels: vec!["窗口办理".into(), "网上办理".into()],
        online_url: Some("https://zwfw.hunan.gov.cn/".into()),
        scope: Some("全市".into()),
        in_hall: Some(true),
        contact_phone: Some("0738-8312345".into()),
        materials: vec![CatalogMaterial {
            name: "居民身份证".into(),
            form: Some("原件".into()),
            copies: Some(1),
            ..Default::default()
        }],
        ..Default::default()
    }
}

const LICENCE: (&str, &str) = ("行政许可", "01");
const CONFIRM: (&str, &str) = ("行政确认", "07");
const BENEFIT: (&str, &str) = ("行政给付", "05");
const SERVICE: (&str, &str) = ("公共服务", "20");
const POLICE_S: (&str, &str) = ("公安", "01");
const CIVIL_S: (&str, &str) = ("民政", "02");

/// Nine entries over every level, three counties at 县级, two at 乡级, two
/// 转报件, and one entry full of formula-like text.
fn sample() -> Vec<CatalogEntry> {
    let mut hostile = entry("婚姻登记", SERVICE, CIVIL_S, "市级", "431300", CIVIL, 1);
    hostile.sub_name = AT_SUM.into();
    hostile.notes = Some("+1".into());
    hostile.fee_standard = Some("-1".into());
    hostile.name = HYPERLINK.into();
    let mut forwarded_city = entry(
        "居民身份证核发",
        CONFIRM,
        POLICE_S,
        "市级",
        "431300",
        POLICE,
        2,
    );
    forwarded_city.forwarded = Some(true);
    let mut forwarded_village = entry(
        "高龄津贴申请受理",
        SERVICE,
        CIVIL_S,
        "村级",
        "431321100201",
        CIVIL,
        9,
    );
    forwarded_village.forwarded = Some(true);
    vec![
        entry(
            "户口迁移审批",
            LICENCE,
            POLICE_S,
            "市级",
            "431300",
            POLICE,
            1,
        ),
        hostile,
        forwarded_city,
        entry(
            "最低生活保障金给付",
            BENEFIT,
            CIVIL_S,
            "县级",
            "431321",
            CIVIL,
            4,
        ),
        entry(
            "特困人员救助供养",
            BENEFIT,
            CIVIL_S,
            "县级",
            "431382",
            CIVIL,
            5,
        ),
        entry("犬只登记", LICENCE, POLICE_S, "县级", "431302", POLICE, 6),
        entry(
            "临时救助申请受理",
            SERVICE,
            CIVIL_S,
            "乡级",
            "431321100000",
            CIVIL,
            7,
        ),
        entry(
            "残疾人两项补贴申请受理",
            SERVICE,
            CIVIL_S,
            "乡级",
            "431322200000",
            CIVIL,
            8,
        ),
        forwarded_village,
    ]
}

/// Writes the catalogs of `entries` (sorted by 实施编码, as a build does).
fn write(entries: &[CatalogEntry], root: &Path) -> Result<usize, PublishError> {
    let ws = Workspace::defaults();
    let mut list: Vec<yima::catalog::lazy::Entry> =
        entries.iter().cloned().map(Into::into).collect();
    list.sort_by(|a, b| a.impl_code.cmp(&b.impl_code));
    let list: Vec<_> = list.iter().collect();
    let ctx = BuildContext {
        workspace: &ws,
        entries: list,
        version: "2024.1".into(),
        stamps: Default::default(),
        progress: false,
    };
    let none = yima::publish::cache::Previous::none();
    let out = yima::publish::cache::Output::new(root, &none);
    let plan = yima::publish::Plan::new(&ctx, &out, &Default::default());
    catalogs::write(&ctx, &plan)
}

fn text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        other => other.to_string(),
    }
}

/// One sheet as rows of text, from row 1 (Excel numbering) on.
struct Sheet {
    name: String,
    rows: Vec<Vec<String>>,
}

impl Sheet {
    fn col(&self, header: &str) -> usize {
        self.rows[HEADER_ROW as usize]
            .iter()
            .position(|h| h == header)
            .unwrap_or_else(|| panic!("no column {header} in {}", self.name))
    }

    /// The entry rows: those below the header with a 实施编码.
    fn entries(&self) -> Vec<&Vec<String>> {
        let code = self.col("实施编码");
        self.rows[HEADER_ROW as usize + 1..]
            .iter()
            .filter(|r| r.get(code).is_some_and(|c| !c.is_empty()))
            .collect()
    }

    fn codes(&self) -> Vec<String> {
        let code = self.col("实施编码");
        self.entries().iter().map(|r| r[code].clone()).collect()
    }
}

fn read_book(path: &Path) -> Vec<Sheet> {
    let mut wb = open_workbook_auto(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out = Vec::new();
    for name in wb.sheet_names() {
        let range = wb.worksheet_range(&name).expect("sheet");
        let (h, w) = range.end().map_or((0, 0), |(r, c)| (r + 1, c + 1));
        let rows = (0..h)
            .map(|r| {
                (0..w)
                    .map(|c| range.get_value((r, c)).map(text).unwrap_or_default())
                    .collect()
            })
            .collect();
        // No cell of a catalog is a formula.
        let formulas = wb.worksheet_formula(&name).expect("formulas");
        assert!(
            formulas.used_cells().all(|(_, _, f)| f.is_empty()),
            "{name} has formulas"
        );
        out.push(Sheet { name, rows });
    }
    out
}

fn impl_code_of(entries: &[CatalogEntry], name: &str) -> String {
    entries
        .iter()
        .find(|e| e.name == name)
        .map(|e| e.impl_code.clone())
        .expect("entry")
}

#[test]
fn every_entry_is_listed_once_in_the_workbook_of_its_level() {
    let dir = tempfile::tempdir().unwrap();
    let entries = sample();
    assert_eq!(write(&entries, dir.path()).unwrap(), 8);

    let mut seen: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut sheets_of: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for cat in LEVEL_CATALOGS {
        for sheet in read_book(&dir.path().join("catalogs").join(cat.file)) {
            for code in sheet.codes() {
                seen.entry(code).or_default().push(cat.file.to_string());
            }
            sheets_of.entry(cat.file).or_default().push(sheet.name);
        }
    }
    assert_eq!(seen.len(), entries.len());
    for e in &entries {
        let want = match e.level.as_str() {
            "市级" => "市本级事项目录.xlsx",
            "县级" => "县级事项目录.xlsx",
            "乡级" => "乡级事项目录.xlsx",
            _ => "村级事项目录.xlsx",
        };
        assert_eq!(seen[&e.impl_code], [want], "{}", e.name);
    }
    // One sheet per city or county, in code order; towns and villages are
    // listed under their county.
    assert_eq!(sheets_of["市本级事项目录.xlsx"], ["娄底市"]);
    assert_eq!(
        sheets_of["县级事项目录.xlsx"],
        ["娄星区", "双峰县", "涟源市"]
    );
    assert_eq!(sheets_of["乡级事项目录.xlsx"], ["双峰县", "新化县"]);
    assert_eq!(sheets_of["村级事项目录.xlsx"], ["双峰县"]);

    let forwarded = read_book(&dir.path().join("catalogs/转报件目录.xlsx"));
    assert_eq!(forwarded.len(), 1);
    let mut got = forwarded[0].codes();
    got.sort();
    let mut want = vec![
        impl_code_of(&entries, "居民身份证核发"),
        impl_code_of(&entries, "高龄津贴申请受理"),
    ];
    want.sort();
    assert_eq!(got, want);
}

#[test]
fn the_header_is_the_documented_columns_and_the_cells_hold_the_entry() {
    let dir = tempfile::tempdir().unwrap();
    let entries = sample();
    write(&entries, dir.path()).unwrap();
    let sheets = read_book(&dir.path().join("catalogs/乡级事项目录.xlsx"));
    let shuangfeng = &sheets[0];
    let headers: Vec<&str> = COLUMNS.iter().map(|c| c.header).collect();
    assert_eq!(shuangfeng.rows[HEADER_ROW as usize], headers);
    // The title names the catalog, the county and the release.
    let title = &shuangfeng.rows[0][0];
    assert!(title.contains("乡级事项目录"), "{title}");
    assert!(title.contains("双峰县（431321）"), "{title}");
    assert!(title.contains("2024.1"), "{title}");

    let row = shuangfeng.entries()[0];
    let cell = |h: &str| row[shuangfeng.col(h)].as_str();
    assert_eq!(cell("序号"), "1");
    assert_eq!(cell("事项名称"), "临时救助申请受理");
    assert_eq!(cell("实施编码"), impl_code_of(&entries, "临时救助申请受理"));
    assert_eq!(cell("行政区划代码"), "431321100000");
    assert_eq!(cell("行政区划"), "双峰县");
    assert_eq!(cell("法定办结时限（工作日）"), "20");
    assert_eq!(cell("承诺办结时限（工作日）"), "5");
    assert_eq!(cell("办理形式"), "窗口办理、网上办理");
    assert_eq!(cell("是否收费"), "否");
    assert_eq!(cell("申请材料数"), "1");
}

#[test]
fn entries_are_ordered_by_sector_then_category_with_only_entries_under_the_filter() {
    let dir = tempfile::tempdir().unwrap();
    let entries = sample();
    write(&entries, dir.path()).unwrap();
    let path = dir.path().join("catalogs/市本级事项目录.xlsx");
    let sheets = read_book(&path);
    let city = &sheets[0];
    let name = city.col("事项名称");
    let sector = city.col("业务指导部门");
    let body: Vec<(&str, &str, &str)> = city.rows[HEADER_ROW as usize + 1..]
        .iter()
        .map(|r| (r[0].as_str(), r[sector].as_str(), r[name].as_str()))
        .collect();
    // 公安 (sector 01) before 民政 (02); 行政许可 (01) before 行政确认 (07);
    // no heading row among the entries.
    let want = [
        ("1", "公安", "户口迁移审批"),
        ("2", "公安", "居民身份证核发"),
        ("3", "民政", HYPERLINK),
    ];
    assert_eq!(body, want);
    // The filter runs from the header to the last entry: sorting or
    // filtering moves whole entries, never a heading.
    let xml = parts(&path);
    let sheet = &xml["xl/worksheets/sheet1.xml"];
    assert!(sheet.contains("<autoFilter ref=\"A2:Y5\"/>"), "{sheet}");
    assert!(!sheet.contains("outlineLevel"), "no outline groups left");
}

/// The print setup of a workbook's first sheet: (A4 landscape, print
/// titles of the header rows).
fn print_setup(path: &Path) -> (String, String) {
    let xml = parts(path);
    let sheet = &xml["xl/worksheets/sheet1.xml"];
    let setup = sheet[sheet.find("<pageSetup").expect("page setup")..]
        .split("/>")
        .next()
        .unwrap()
        .to_string();
    let book = &xml["xl/workbook.xml"];
    let titles = book
        .split("<definedName ")
        .find(|d| d.contains("_xlnm.Print_Titles"))
        .map(|d| d[d.find('>').unwrap() + 1..d.find("</definedName>").unwrap()].to_string())
        .unwrap_or_default();
    (setup, titles)
}

#[test]
fn the_workbooks_print_on_a4_landscape_with_the_header_on_every_page() {
    let dir = tempfile::tempdir().unwrap();
    write(&sample(), dir.path()).unwrap();
    let mut books: Vec<std::path::PathBuf> = LEVEL_CATALOGS
        .iter()
        .map(|c| dir.path().join("catalogs").join(c.file))
        .collect();
    books.push(dir.path().join("catalogs/转报件目录.xlsx"));
    books.push(dir.path().join("catalog.xlsx"));
    for book in books {
        let (setup, titles) = print_setup(&book);
        assert!(
            setup.contains("paperSize=\"9\""),
            "{}: {setup}",
            book.display()
        );
        assert!(
            setup.contains("orientation=\"landscape\""),
            "{}: {setup}",
            book.display()
        );
        assert!(
            titles.ends_with("!$A:$B,") || titles.contains("$1:$2"),
            "{}: {titles}",
            book.display()
        );
        assert!(titles.contains("$1:$2"), "{}: {titles}", book.display());
    }
}

#[test]
fn catalog_xlsx_holds_every_entry_with_its_codes_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let entries = sample();
    write(&entries, dir.path()).unwrap();
    let path = dir.path().join("catalog.xlsx");
    let sheets = read_book(&path);
    assert_eq!(sheets.len(), 1);
    let book = &sheets[0];
    assert_eq!(
        book.rows[HEADER_ROW as usize],
        COLUMNS.iter().map(|c| c.header).collect::<Vec<_>>()
    );
    // The rows of catalog.csv, in 实施编码 order.
    let mut codes: Vec<String> = entries.iter().map(|e| e.impl_code.clone()).collect();
    codes.sort();
    assert_eq!(book.codes(), codes);
    // Every code is a text cell of all its digits, in a text-formatted
    // column: never 1.14313210072392E+30.
    let mut wb = open_workbook_auto(&path).unwrap();
    let range = wb.worksheet_range("事项目录").unwrap();
    let col = book.col("实施编码") as u32;
    for r in HEADER_ROW + 1..HEADER_ROW + 1 + entries.len() as u32 {
        match range.get_value((r, col)) {
            Some(Data::String(s)) => assert_eq!(s.len(), 31, "{s}"),
            other => panic!("row {r}: {other:?}"),
        }
    }
    let xml = parts(&path);
    assert!(
        xml["xl/styles.xml"].contains("numFmtId=\"49\""),
        "a text format"
    );
}

#[test]
fn a_level_without_entries_still_has_its_workbook_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    let entries: Vec<CatalogEntry> = sample().into_iter().filter(|e| e.level == "市级").collect();
    write(&entries, dir.path()).unwrap();
    let sheets = read_book(&dir.path().join("catalogs/村级事项目录.xlsx"));
    assert_eq!(sheets.len(), 1);
    assert_eq!(sheets[0].name, "事项目录");
    assert_eq!(sheets[0].rows[HEADER_ROW as usize][0], "序号");
    assert_eq!(
        sheets[0].rows[HEADER_ROW as usize + 1][0],
        "本级目录暂无事项。"
    );
    assert!(sheets[0].entries().is_empty());
}

/// The XML parts of a workbook, by name.
fn parts(path: &Path) -> BTreeMap<String, String> {
    let file = std::fs::File::open(path).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let mut out = BTreeMap::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let mut s = String::new();
        if f.read_to_string(&mut s).is_ok() {
            out.insert(f.name().expect("a UTF-8 part name").to_string(), s);
        }
    }
    out
}

#[test]
fn formula_like_text_is_written_as_text_in_the_workbooks() {
    let dir = tempfile::tempdir().unwrap();
    let entries = sample();
    write(&entries, dir.path()).unwrap();
    let path = dir.path().join("catalogs/市本级事项目录.xlsx");
    let sheets = read_book(&path); // asserts that no cell holds a formula
    let city = &sheets[0];
    let row = city
        .entries()
        .into_iter()
        .find(|r| r[city.col("备注")] == "+1")
        .expect("the hostile entry");
    // The values read back exactly as filed: nothing added, nothing evaluated.
    assert_eq!(row[city.col("事项名称")], HYPERLINK);
    assert_eq!(row[city.col("子项名称")], AT_SUM);

    let xml = parts(&path);
    for (name, text) in &xml {
        if name.starts_with("xl/worksheets/") {
            assert!(
                !text.contains("<f>") && !text.contains("<f "),
                "{name} has a formula"
            );
        }
    }
    // The cells are strings (inline: the sheets are written row by row)
    // with Excel's quote prefix, so they stay text even when someone edits
    // them.
    let sheet = &xml["xl/worksheets/sheet1.xml"];
    let at = sheet.find("=HYPERLINK(").expect("the text is in the sheet");
    let cell = &sheet[sheet[..at].rfind("<c ").unwrap()..at];
    assert!(cell.contains("t=\"inlineStr\""), "{cell}");
    assert!(xml["xl/styles.xml"].contains("quotePrefix=\"1\""));
}

/// `catalog.csv` without its BOM, parsed.
fn read_csv(root: &Path) -> (Vec<u8>, Vec<Vec<String>>) {
    let bytes = std::fs::read(root.join("catalog.csv")).unwrap();
    let body = bytes
        .strip_prefix("\u{feff}".as_bytes())
        .expect("a UTF-8 BOM");
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(body);
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(String::from).collect())
        .collect();
    (bytes, rows)
}

#[test]
fn the_csv_has_a_bom_every_entry_and_defused_formulas() {
    let dir = tempfile::tempdir().unwrap();
    let entries = sample();
    write(&entries, dir.path()).unwrap();
    let (bytes, rows) = read_csv(dir.path());
    assert!(
        String::from_utf8(bytes).unwrap().contains("\r\n"),
        "CRLF line ends"
    );
    let headers: Vec<&str> = COLUMNS.iter().map(|c| c.header).collect();
    assert_eq!(rows[0], headers);
    assert_eq!(rows.len(), entries.len() + 1);
    let col = |h: &str| headers.iter().position(|x| *x == h).unwrap();

    // In 实施编码 order, numbered from 1.
    let mut codes: Vec<String> = entries.iter().map(|e| e.impl_code.clone()).collect();
    codes.sort();
    let got: Vec<&str> = rows[1..]
        .iter()
        .map(|r| r[col("实施编码")].as_str())
        .collect();
    assert_eq!(got, codes);
    assert_eq!(rows[1][col("序号")], "1");

    let hostile = rows
        .iter()
        .find(|r| r[col("备注")].contains("+1"))
        .expect("the hostile entry");
    assert_eq!(hostile[col("事项名称")], format!("'{HYPERLINK}"));
    assert_eq!(hostile[col("子项名称")], format!("'{AT_SUM}"));
    assert_eq!(hostile[col("备注")], "'+1");
    // Ordinary text is left alone.
    assert_eq!(hostile[col("实施主体")], "娄底市民政局");
    assert_eq!(hostile[col("网办地址")], "https://zwfw.hunan.gov.cn/");
    // No cell of the file starts with a formula character.
    for r in &rows {
        for c in r {
            assert!(!c.starts_with(['=', '+', '-', '@']), "{c}");
        }
    }
}

#[test]
fn the_json_holds_every_entry_in_full_and_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let entries = sample();
    write(&entries, dir.path()).unwrap();
    let text = std::fs::read_to_string(dir.path().join("catalog.json")).unwrap();
    assert!(text.starts_with("{\n  \"version\": 1,\n  \"entries\": [\n"));
    // The release comes last: all before it is the same in a build.
    assert!(text.ends_with("\n  ],\n  \"release\": \"2024.1\"\n}\n"));
    let doc = catalogs::read_catalog_json(&text).unwrap();
    assert_eq!(doc.version, 1);
    assert_eq!(doc.release, "2024.1");
    let mut want = entries.clone();
    want.sort_by(|a, b| a.impl_code.cmp(&b.impl_code));
    // Values are kept as filed (the JSON is for programs, not spreadsheets).
    assert_eq!(doc.entries, want);
}

#[test]
fn two_builds_of_the_same_catalog_are_byte_identical() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let entries = sample();
    write(&entries, a.path()).unwrap();
    // Past the one-second resolution of a workbook's timestamps.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    // Input order does not matter either.
    let mut reversed = entries.clone();
    reversed.reverse();
    write(&reversed, b.path()).unwrap();
    let mut files = vec![
        "catalog.csv".to_string(),
        "catalog.json".to_string(),
        "catalog.xlsx".to_string(),
    ];
    files.extend(
        LEVEL_CATALOGS
            .iter()
            .map(|c| format!("catalogs/{}", c.file)),
    );
    files.push("catalogs/转报件目录.xlsx".into());
    for f in files {
        let x = std::fs::read(a.path().join(&f)).unwrap();
        let y = std::fs::read(b.path().join(&f)).unwrap();
        assert!(x == y, "{f} differs between two builds");
    }
}

#[test]
fn an_entry_of_no_known_level_stops_the_build() {
    let dir = tempfile::tempdir().unwrap();
    let mut e = entry(
        "户口迁移审批",
        LICENCE,
        POLICE_S,
        "市级",
        "431300",
        POLICE,
        1,
    );
    e.level = "省级".into();
    match write(&[e.clone()], dir.path()) {
        Err(PublishError::Workbook(msg)) => {
            assert!(msg.contains(&e.impl_code) && msg.contains("省级"), "{msg}");
        }
        other => panic!("expected an error, got {other:?}"),
    }
}

/// End to end: the bundled example filings (every level, 12-digit town and
/// village codes, a 转报件), ingested into a new workspace and built.
#[test]
fn a_built_catalog_of_the_example_filings_lists_every_entry_once() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut filings: Vec<String> = std::fs::read_dir(&examples)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.extension()
                .is_some_and(|x| x == "xlsx" || x == "csv" || x == "ods" || x == "xls")
        })
        .map(|p| p.display().to_string())
        .collect();
    filings.sort();
    assert!(!filings.is_empty(), "no example filings");
    let dir = tempfile::tempdir().unwrap();
    let yima = |args: &[&str]| {
        let out = assert_cmd::Command::cargo_bin("yima")
            .unwrap()
            .current_dir(dir.path())
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "yima {args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    };
    yima(&["init"]);
    // The forms the full-profile examples name.
    let forms = dir.path().join("forms");
    std::fs::create_dir_all(&forms).unwrap();
    for f in std::fs::read_dir(examples.join("forms")).unwrap() {
        let f = f.unwrap();
        std::fs::copy(f.path(), forms.join(f.file_name())).unwrap();
    }
    let mut ingest = vec!["ingest"];
    ingest.extend(filings.iter().map(String::as_str));
    yima(&ingest);

    let ws = Workspace::load(dir.path()).unwrap();
    let out = dir.path().join("dist");
    yima::publish::build(&ws, &out, "", false).unwrap();

    let doc = catalogs::read_catalog_json(
        &std::fs::read_to_string(out.join(catalogs::JSON_FILE)).unwrap(),
    )
    .unwrap();
    assert!(doc.entries.len() > 10, "{} entries", doc.entries.len());
    let mut listed: Vec<String> = Vec::new();
    for cat in LEVEL_CATALOGS {
        for sheet in read_book(&out.join("catalogs").join(cat.file)) {
            let level = sheet.col("行使层级");
            for row in sheet.entries() {
                let want = yima::publish::catalogs::level_catalog(&row[level], &ws.standard);
                assert_eq!(want.map(|c| c.file), Some(cat.file));
            }
            listed.extend(sheet.codes());
        }
    }
    listed.sort();
    let mut want: Vec<String> = doc.entries.iter().map(|e| e.impl_code.clone()).collect();
    want.sort();
    assert_eq!(
        listed, want,
        "each entry once, in the workbook of its level"
    );

    let forwarded: Vec<String> = doc
        .entries
        .iter()
        .filter(|e| e.forwarded == Some(true))
        .map(|e| e.impl_code.clone())
        .collect();
    let mut got = read_book(&out.join("catalogs").join(catalogs::FORWARDED_FILE))[0].codes();
    got.sort();
    assert_eq!(got, forwarded);
    // The examples include 乡级 and 村级 entries under 双峰县.
    let towns = read_book(&out.join("catalogs/乡级事项目录.xlsx"));
    assert!(
        towns
            .iter()
            .any(|s| s.name == "双峰县" && !s.entries().is_empty())
    );

    let (_, rows) = read_csv(&out);
    assert_eq!(rows.len(), doc.entries.len() + 1);
}

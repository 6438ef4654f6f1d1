//! The dedicated xlsx reader (`src/filing/xlsx.rs`) against calamine: on
//! every bundled example workbook and on generated workbooks full of what
//! trips XML readers up — entities, white space at the ends, line breaks,
//! Excel's `_xHHHH_` escapes, characters outside the BMP, rich text, inline
//! strings, formulas with cached results, numbers, booleans and merged
//! cells — both must give the same cells, row by row.

#[path = "../fuzz/harness.rs"]
mod harness;

use harness::shape;
use proptest::prelude::*;
use rust_xlsxwriter::{Format, Formula, Workbook};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use yima::filing::source::{Book, Grid};

/// Every sheet of a workbook, read in full by one reader.
fn sheets(book: &Book) -> Vec<Grid> {
    (0..book.sheet_names().len())
        .map(|i| book.sheet(i).expect("sheet reads"))
        .collect()
}

/// Reads `path` with both readers and asserts the same sheets and cells;
/// the dedicated reader must be the one used by default.
fn assert_same(path: &Path) {
    let display: Arc<str> = Arc::from(path.display().to_string());
    let fast = Book::open(path, &display).expect("opens");
    assert!(
        fast.reads_fast(),
        "{}: the dedicated reader gave up",
        path.display()
    );
    let slow = Book::open_with_calamine(path, &display).expect("calamine opens");
    assert_eq!(fast.sheet_names(), slow.sheet_names(), "{}", path.display());
    for (a, b) in sheets(&fast).iter().zip(sheets(&slow).iter()) {
        assert_eq!(shape(a), shape(b), "{} sheet {}", path.display(), a.name);
    }
    // The first rows (the header search) agree too.
    for (a, b) in fast
        .heads(10)
        .unwrap()
        .iter()
        .zip(slow.heads(10).unwrap().iter())
    {
        assert_eq!(shape(a), shape(b), "{} head of {}", path.display(), a.name);
    }
}

fn xlsx_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            xlsx_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "xlsx") {
            out.push(p);
        }
    }
}

#[test]
fn every_example_workbook_reads_the_same_as_with_calamine() {
    let mut files = Vec::new();
    xlsx_files(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples")
            .as_path(),
        &mut files,
    );
    files.sort();
    let mut fast = 0;
    for f in &files {
        let display: Arc<str> = Arc::from("x");
        // Damaged and disguised files are for the unreadable tests.
        if Book::open_with_calamine(f, &display).is_err() {
            continue;
        }
        assert_same(f);
        fast += 1;
    }
    assert!(fast >= 10, "only {fast} example workbooks compared");
}

/// A cell of a generated workbook.
#[derive(Debug, Clone)]
enum Cell {
    Text(String),
    Number(f64),
    Bool(bool),
    /// A formula with its cached text result.
    Formula(String),
    /// Rich text in two runs.
    Rich(String, String),
}

fn text() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "事项",
        "申请材料",
        "a&b",
        "<c>",
        "\"q\"",
        "'s'",
        " 前空格",
        "后空格 ",
        "\t制表",
        "换\n行",
        "回车\r\n换行",
        "_x000D_",
        "_x0041_",
        "😀",
        "　全角空格",
        "；",
        "&amp;",
        "]]>",
        "x",
        "123",
        "0451",
    ]);
    prop::collection::vec(pieces, 1..4).prop_map(|v| v.concat())
}

fn cell() -> impl Strategy<Value = Cell> {
    prop_oneof![
        4 => text().prop_map(Cell::Text),
        2 => prop_oneof![
            (0u32..100_000).prop_map(f64::from),
            (-1.0e6f64..1.0e6),
            Just(114507210081153718.0),
            Just(0.1 + 0.2),
        ]
        .prop_map(Cell::Number),
        1 => any::<bool>().prop_map(Cell::Bool),
        1 => text().prop_map(Cell::Formula),
        1 => (text(), text()).prop_map(|(a, b)| Cell::Rich(a, b)),
    ]
}

/// Writes rows of cells (None: left empty) into a workbook of two sheets,
/// the second with inline strings (constant memory), with optional merges.
fn write(rows: &[Vec<Option<Cell>>], merge: Option<(u32, u16, u32)>, path: &Path) {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    for constant in [false, true] {
        let ws = if constant {
            wb.add_worksheet_with_constant_memory().unwrap()
        } else {
            wb.add_worksheet()
        };
        ws.set_name(if constant { "申请材料" } else { "事项" })
            .unwrap();
        for (r, row) in rows.iter().enumerate() {
            let r = r as u32 + 1; // leave row 1 for a title
            for (c, cell) in row.iter().enumerate() {
                let c = c as u16;
                let Some(cell) = cell else { continue };
                match cell {
                    Cell::Text(t) => ws.write_string(r, c, t).map(|_| ()),
                    Cell::Number(n) => ws.write_number(r, c, *n).map(|_| ()),
                    Cell::Bool(b) => ws.write_boolean(r, c, *b).map(|_| ()),
                    Cell::Formula(t) => ws
                        .write_formula(r, c, Formula::new("=\"x\"").set_result(t))
                        .map(|_| ()),
                    Cell::Rich(a, b) => ws
                        .write_rich_string(
                            r,
                            c,
                            &[(&bold, a.as_str()), (&Format::new(), b.as_str())],
                        )
                        .map(|_| ()),
                }
                .unwrap();
            }
        }
        if !constant {
            ws.merge_range(0, 0, 0, 3, "标题行", &Format::new())
                .unwrap();
            if let Some((r0, c, r1)) = merge {
                ws.merge_range(r0 + 1, c, r0 + 1 + r1, c, "合并", &Format::new())
                    .unwrap();
            }
        }
    }
    wb.save(path).unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn generated_workbooks_read_the_same_as_with_calamine(
        rows in prop::collection::vec(prop::collection::vec(prop::option::of(cell()), 0..6), 1..12),
        merge in prop::option::of((0u32..6, 0u16..6, 1u32..4)),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("生成.xlsx");
        write(&rows, merge, &path);
        assert_same(&path);
    }
}

/// Writes a workbook by hand, as other writers than rust_xlsxwriter do:
/// prefixed names, cells and rows without references, text not marked
/// `xml:space="preserve"` with white space at its ends, phonetic runs,
/// CDATA, comments, character references, errors, booleans and dates.
fn handmade(path: &Path, sheet_xml: &str, shared: &str) {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let opts = zip::write::SimpleFileOptions::default();
    let parts = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#,
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        (
            "xl/workbook.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><x:workbook xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><x:sheets><x:sheet name="事项&amp;清单" sheetId="1" r:id="rId1"/></x:sheets></x:workbook>"#,
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/xl/worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#,
        ),
        ("xl/worksheets/sheet1.xml", sheet_xml),
        ("xl/sharedStrings.xml", shared),
    ];
    for (name, body) in parts {
        zip.start_file(name, opts).unwrap();
        zip.write_all(body.as_bytes()).unwrap();
    }
    zip.finish().unwrap();
}

/// The sheet names of a workbook, and the text of each cell of its first
/// sheet, row by row.
fn first_sheet(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let display: Arc<str> = Arc::from("x");
    let book = Book::open(path, &display).unwrap();
    let g = book.sheet(0).unwrap();
    let texts = g
        .rows
        .iter()
        .map(|r| r.cells.iter().map(|c| c.text.clone()).collect())
        .collect();
    (book.sheet_names().to_vec(), texts)
}

#[test]
fn workbooks_from_other_writers_read_the_same_as_with_calamine() {
    let shared = r#"<?xml version="1.0" encoding="UTF-8"?>
<x:sst xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="4" uniqueCount="4">
<x:si><x:t>  前后有空格  </x:t></x:si>
<x:si><x:r><x:t>富</x:t></x:r><x:r><x:rPr><x:b/></x:rPr><x:t xml:space="preserve"> 文本 </x:t></x:r><x:rPh sb="0" eb="1"><x:t>フ</x:t></x:rPh></x:si>
<x:si/>
<x:si><x:t>&#x4E8B;&#39033;_x000D_<![CDATA[<原样>]]></x:t></x:si>
</x:sst>"#;
    let sheet = r#"<?xml version="1.0" encoding="UTF-8"?>
<!-- written by hand -->
<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<x:dimension ref="A1:F4"/>
<x:sheetData>
<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1" t="s"><x:v>1</x:v></x:c><x:c r="C1" t="s"><x:v>2</x:v></x:c><x:c r="D1" t="s"><x:v>3</x:v></x:c></x:row>
<x:row><x:c t="inlineStr"><x:is><x:t>  行内  </x:t><x:rPh><x:t>ギ</x:t></x:rPh></x:is></x:c><x:c t="b"><x:v>1</x:v></x:c><x:c t="e"><x:v>#DIV/0!</x:v></x:c><x:c t="str"><x:f>A1</x:f><x:v>公式&lt;结果&gt;</x:v></x:c><x:c><x:v>  </x:v></x:c><x:c t="n"><x:v>4.5</x:v></x:c></x:row>
<x:row r="3"><x:c r="A3" t="inlineStr"><x:v>冗余</x:v></x:c><c r="B3" t="inlineStr"><v>冗余</v></c><c r="C3" t="s"><v>0</v></c><c r="D3"><v>7</v></c></x:row>
<x:row r="4" spans="1:3"><x:c r="B4" s="1"/><x:c r="C4"><x:v>1.2E3</x:v></x:c><x:c r="D4" t="d"><x:v>2026-11-27T00:00:00</x:v></x:c><x:c r="E4" t="b"><x:v>0</x:v></x:c><x:c r="F4"><x:v>not a number</x:v></x:c></x:row>
</x:sheetData>
<x:mergeCells count="1"><x:mergeCell ref="A1:A2"/></x:mergeCells>
</x:worksheet>"#;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("他处导出.xlsx");
    handmade(&path, sheet, shared);
    assert_same(&path);
    // And what it reads is what a person sees.
    let (names, texts) = first_sheet(&path);
    assert_eq!(names, ["事项&清单"]);
    assert_eq!(texts[0], ["前后有空格", "富 文本 ", "", "事项\r<原样>"]);
    assert_eq!(
        texts[1],
        ["行内", "TRUE", "#DIV/0!", "公式<结果>", "  ", "4.5"]
    );
}

#[test]
fn plain_shared_strings_read_the_same_as_with_calamine() {
    // The items the dedicated reader takes in one step (`<si><t>…</t></si>`,
    // unprefixed, as Excel and WPS write them), trimmed unless preserved.
    let shared = r#"<?xml version="1.0" encoding="UTF-8"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="5" uniqueCount="5"><si><t>  前后有空格  </t></si><si><t xml:space="preserve">  保留空格  </t></si><si><t>甲&amp;乙_x000D_丙</t></si><si><t></t></si><si><t>多</t><t>段</t></si></sst>"#;
    let sheet = r#"<?xml version="1.0" encoding="UTF-8"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c><c r="E1" t="s"><v>4</v></c></row></sheetData></worksheet>"#;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("纯文本.xlsx");
    handmade(&path, sheet, shared);
    assert_same(&path);
    let (_, texts) = first_sheet(&path);
    assert_eq!(
        texts[0],
        ["前后有空格", "  保留空格  ", "甲&乙\r丙", "", "多段"]
    );
}

#[test]
fn a_big_shared_strings_table_reads_as_with_calamine() {
    // Over a megabyte of items — plain, rich, phonetic, escaped, empty,
    // preserved, mixed throughout — read through many refills of the
    // reader's buffer.
    let mut shared = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#,
    );
    let n = 24_000;
    for i in 0..n {
        let item = match i % 6 {
            0 => format!("<si><t>申请人应当具备的条件第{i}项</t></si>"),
            1 => format!("<si><r><t>富</t></r><r><rPr><b/></rPr><t>文本{i}</t></r></si>"),
            2 => format!(
                "<si><t>娄底</t><rPh sb=\"0\" eb=\"2\"><t>ロウテイ</t></rPh><t>{i}</t></si>"
            ),
            3 => format!("<si><t>a&amp;b_x000D_{i}</t></si>"),
            4 => "<si/>".to_string(),
            _ => format!("<si><t xml:space=\"preserve\"> 保留 {i} </t></si>"),
        };
        shared.push_str(&item);
    }
    shared.push_str("</sst>");
    assert!(shared.len() > 1 << 20, "{}", shared.len());
    let mut sheet = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
    );
    for r in 0..n / 8 {
        sheet.push_str(&format!("<row r=\"{}\">", r + 1));
        for c in 0..8 {
            let i = r * 8 + c;
            sheet.push_str(&format!(
                "<c r=\"{}{}\" t=\"s\"><v>{i}</v></c>",
                (b'A' + c as u8) as char,
                r + 1
            ));
        }
        sheet.push_str("</row>");
    }
    sheet.push_str("</sheetData></worksheet>");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("大表.xlsx");
    handmade(&path, &sheet, &shared);
    assert_same(&path);
    let (_, texts) = first_sheet(&path);
    let last = n - 1;
    assert_eq!(texts[last / 8][last % 8], format!(" 保留 {last} "));
    assert_eq!(
        texts[(n / 2) / 8][0],
        format!("申请人应当具备的条件第{}项", n / 2)
    );
}

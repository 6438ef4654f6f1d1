//! Files made to break a reader — zip bombs, a billion laughs, a cell of ten
//! megabytes, a far corner claimed by a cell, a `<dimension>` or a merge,
//! descending rows, a sheet cut short or replaced by random bytes, shared
//! string indexes that are not ones, an xls or ods claiming a huge sheet, a
//! pipe or `/dev/zero` named as a filing, a folder that cannot be listed —
//! each read by `yima` within bounded time and memory, and each one either
//! read for what it holds or reported as `file-unreadable` with its cause,
//! never read as other data. Each test reproduces a problem found in
//! yima's reading before these bounds (`YIMA_BIN=…/yima cargo test --test
//! hostile_inputs` runs them against another build).

mod bounded;
mod support;

use bounded::*;
use std::path::Path;
use support::*;

/// Peak memory any of these runs may reach (the debug build reading a
/// small filing takes a few dozen MB).
const MB: u64 = 400;

/// The JSON report of a watched `yima check --format json NAME`.
fn checked(dir: &Path, name: &str, secs: u64) -> (Report, Watched) {
    let run = watched(dir, &["check", "--format", "json", name], secs, MB);
    let report: Report = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("not a JSON report ({e}):\n{}", run.stderr));
    (report, run)
}

/// Asserts `name` is one file-unreadable finding whose message holds every
/// one of `says`; gives the message.
#[track_caller]
fn assert_unreadable(dir: &Path, name: &str, says: &[&str]) -> String {
    let (report, run) = checked(dir, name, 60);
    let d = report.one("file-unreadable");
    assert_eq!(d.file, name);
    for s in says {
        assert!(d.message.contains(s), "{:?} does not say {s:?}", d.message);
    }
    assert_eq!(report.summary.entries, 0, "{report}");
    assert_eq!(run.code, 1);
    d.message.clone()
}

/// A valid one-entry filing's workbook.
fn valid_workbook(n: u32) -> Vec<u8> {
    let f = Filing::valid(n);
    xlsx_bytes(&[f.items_sheet(), f.materials_sheet()])
}

// ---------------------------------------------------------------------------
// Zip bombs and entity bombs
// ---------------------------------------------------------------------------

/// A workbook whose part `bombed` is the deflate bomb `(stream, size)`, the
/// other parts those of a plain one-sheet workbook.
fn bombed(bombed: &str, stream: &[u8], size: u64) -> Vec<u8> {
    let mut zip = Zip::default();
    xlsx_skeleton(&mut zip);
    let sheet = br#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>"#;
    let sst = r#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>序号</t></si></sst>"#.as_bytes();
    for (name, plain) in [
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
        ("xl/worksheets/sheet1.xml", &sheet[..]),
        ("xl/sharedStrings.xml", sst),
    ] {
        if name == bombed {
            zip.deflated(name, stream, size as u32);
        } else {
            zip.stored(name, plain);
        }
    }
    zip.finish()
}

#[test]
fn deflate_bombs_in_a_sheet_the_shared_strings_or_the_relationships_are_unreadable() {
    let dir = tempdir();
    // Each a few hundred KB that inflate to 100 MB–1 GB: the reader stops
    // at the part's limit, or at the longest piece of XML it holds.
    /// File, bombed part, the bomb, what the finding says.
    type Case<'a> = (&'a str, &'a str, (Vec<u8>, u64), &'a [&'a str]);
    let cases: [Case; 4] = [
        (
            "表格炸弹.xlsx",
            "xl/worksheets/sheet1.xml",
            bomb(b"<worksheet><sheetData>", b" ", 1 << 30, b""),
            &["工作表“事项”", "超过", "MB"],
        ),
        (
            "行炸弹.xlsx",
            "xl/worksheets/sheet1.xml",
            bomb(
                b"<worksheet><sheetData>",
                b"<row><c t=\"s\"><v>0</v></c></row>",
                3 << 20,
                b"</sheetData></worksheet>",
            ),
            &["工作表“事项”", "行号", "超出"],
        ),
        (
            "字符串炸弹.xlsx",
            "xl/sharedStrings.xml",
            bomb(b"<sst><si><t>", b"a", 1 << 30, b"</t></si></sst>"),
            &["共享字符串表", "超过", "MB"],
        ),
        (
            "关系炸弹.xlsx",
            "xl/_rels/workbook.xml.rels",
            bomb(b"<Relationships>", b"<x/>", 100 << 20, b"</Relationships>"),
            &["解压后超过 16 MB"],
        ),
    ];
    for (name, part, (stream, size), says) in cases {
        assert!(stream.len() < 8 << 20, "{name}: {} bytes", stream.len());
        std::fs::write(dir.path().join(name), bombed(part, &stream, size)).unwrap();
        assert_unreadable(dir.path(), name, says);
    }
}

#[test]
fn a_billion_laughs_and_external_entities_stay_inert() {
    let dir = tempdir();
    let laughs = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]><sst><si><t>&lol9;</t></si></sst>"#;
    let external = r#"<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY e SYSTEM "file:///etc/passwd">]><sst><si><t>&e;</t></si></sst>"#;
    for (name, sst) in [("实体炸弹.xlsx", laughs), ("外部实体.xlsx", external)] {
        let bytes = patch(&valid_workbook(1), "xl/sharedStrings.xml", |_| {
            sst.to_string()
        });
        std::fs::write(dir.path().join(name), bytes).unwrap();
        let message = assert_unreadable(dir.path(), name, &["DOCTYPE"]);
        assert!(!message.contains("root:"), "{message}");
    }
}

// ---------------------------------------------------------------------------
// Far corners: cells, dimensions, merges
// ---------------------------------------------------------------------------

#[test]
fn merges_down_a_million_rows_fill_only_the_rows_the_sheet_has() {
    // The header and two entries; the agency columns merged down to the
    // last row Excel has. A 14 KB workbook took 7.7 GB.
    let dir = tempdir();
    let bytes = patch(&valid_workbook(2), "xl/worksheets/sheet1.xml", |xml| {
        let merges = r#"<mergeCells count="2"><mergeCell ref="H2:H1048576"/><mergeCell ref="I2:I1000000"/></mergeCells>"#;
        let xml = xml
            .replace("<mergeCells", "<oldMergeCells")
            .replace("</mergeCells>", "</oldMergeCells>");
        xml.replace("</sheetData>", &format!("</sheetData>{merges}"))
    });
    std::fs::write(dir.path().join("合并百万行.xlsx"), bytes).unwrap();
    let (report, _) = checked(dir.path(), "合并百万行.xlsx", 60);
    assert_eq!(report.summary.entries, 2, "{report}");
    assert!(report.of("file-unreadable").is_empty(), "{report}");
}

#[test]
fn a_cell_or_dimension_at_the_far_corner_allocates_no_grid_of_that_size() {
    let dir = tempdir();
    // A `<dimension>` claiming the whole sheet, and one cell at XFD1048576.
    let bytes = patch(&valid_workbook(1), "xl/worksheets/sheet1.xml", |xml| {
        let xml = match xml.find("<dimension") {
            Some(at) => {
                let end = at + xml[at..].find("/>").unwrap() + 2;
                format!(
                    "{}<dimension ref=\"A1:XFD1048576\"/>{}",
                    &xml[..at],
                    &xml[end..]
                )
            }
            None => xml,
        };
        xml.replace(
            "</sheetData>",
            r#"<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>远</t></is></c></row></sheetData>"#,
        )
    });
    std::fs::write(dir.path().join("远角.xlsx"), &bytes).unwrap();
    let (report, _) = checked(dir.path(), "远角.xlsx", 60);
    assert_eq!(report.summary.entries, 1, "{report}");
    // The same cell merged down with its neighbours: read whole, still
    // bounded by what the sheet holds.
    let merged = patch(&bytes, "xl/worksheets/sheet1.xml", |xml| {
        xml.replace(
            "</sheetData>",
            r#"</sheetData><mergeCells count="1"><mergeCell ref="A2:A1048576"/></mergeCells>"#,
        )
    });
    std::fs::write(dir.path().join("远角合并.xlsx"), merged).unwrap();
    let (report, _) = checked(dir.path(), "远角合并.xlsx", 60);
    assert!(report.of("file-unreadable").is_empty(), "{report}");
    // A row of a cell at each of Excel's 16,384 columns reads; a cell past
    // them is damaged.
    let wide = patch(&valid_workbook(1), "xl/worksheets/sheet1.xml", |xml| {
        let mut row = String::from(r#"<row r="9">"#);
        for c in 0..16_384u32 {
            row.push_str(&format!(
                r#"<c r="{}9"><v>{c}</v></c>"#,
                column_letter(c as usize)
            ));
        }
        row.push_str("</row>");
        xml.replace("</sheetData>", &format!("{row}</sheetData>"))
    });
    std::fs::write(dir.path().join("满列.xlsx"), &wide).unwrap();
    let (report, _) = checked(dir.path(), "满列.xlsx", 60);
    assert!(report.of("file-unreadable").is_empty(), "{report}");
    let past = patch(&valid_workbook(1), "xl/worksheets/sheet1.xml", |xml| {
        xml.replace(
            "</sheetData>",
            r#"<row r="9"><c r="XFE9"><v>1</v></c></row></sheetData>"#,
        )
    });
    std::fs::write(dir.path().join("超列.xlsx"), past).unwrap();
    assert_unreadable(dir.path(), "超列.xlsx", &["XFE9", "16384"]);
}

// ---------------------------------------------------------------------------
// Findings by the million
// ---------------------------------------------------------------------------

/// A workbook of `rows` entries holding only 序号 and 事项名称: each row
/// misses every other required element.
fn sparse(rows: u32) -> Vec<u8> {
    patch(&valid_workbook(1), "xl/worksheets/sheet1.xml", |xml| {
        let mut more = String::with_capacity(rows as usize * 120);
        for r in 3..rows + 3 {
            more.push_str(&format!(
                r#"<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}" t="inlineStr"><is><t>社会团体登记{r}</t></is></c></row>"#
            ));
        }
        xml.replace("</sheetData>", &format!("{more}</sheetData>"))
    })
}

#[test]
fn findings_past_a_thousand_of_a_rule_in_a_file_are_counted_not_listed() {
    // 20,000 rows missing twenty elements each: 400,000 findings, which
    // took gigabytes (and 838 MB of JSON at 100,000 rows).
    let dir = tempdir();
    std::fs::write(dir.path().join("稀疏.xlsx"), sparse(20_000)).unwrap();
    let (report, run) = checked(dir.path(), "稀疏.xlsx", 120);
    assert!(
        run.stdout.len() < 8 << 20,
        "{} bytes of JSON",
        run.stdout.len()
    );
    let missing = report.of("value-missing");
    let (notes, listed): (Vec<&Finding>, Vec<&Finding>) =
        missing.iter().partition(|d| d.cell.is_none());
    assert_eq!(listed.len(), 1000, "the first thousand are listed");
    assert_eq!(notes.len(), 1, "{report}");
    // The note says how many more there are, and the summary counts them.
    let note = notes[0];
    let more: usize = note
        .message
        .split_whitespace()
        .find_map(|w| w.parse().ok())
        .expect("a count");
    assert!(more > 300_000, "{}", note.message);
    // Each note counts for the findings it stands for.
    let counted: usize = report
        .diagnostics
        .iter()
        .filter(|d| d.severity == "error")
        .map(|d| {
            let note = d.cell.is_none() && d.message.contains("未逐一列出");
            match note {
                true => d
                    .message
                    .split_whitespace()
                    .find_map(|w| w.parse().ok())
                    .unwrap(),
                false => 1,
            }
        })
        .sum();
    assert_eq!(report.summary.errors, counted);
    assert!(report.summary.errors >= 400_000, "{:?}", report.summary);
    assert_eq!(report.summary.entries, 20_001);
    // The first listed are the sheet's first rows.
    assert_eq!(listed[0].row, Some(3), "{:?}", listed[0]);
    // Every format tells the user.
    for format in ["human", "sarif", "github", "junit"] {
        let run = watched(
            dir.path(),
            &["check", "--format", format, "稀疏.xlsx"],
            120,
            MB,
        );
        assert!(
            run.stdout.contains("未逐一列出"),
            "{format} does not say findings are not listed"
        );
    }
    let en = watched(dir.path(), &["--lang", "en", "check", "稀疏.xlsx"], 120, MB);
    assert!(
        en.stdout.contains("are not listed"),
        "{}",
        &en.stdout[..2000]
    );
}

#[test]
fn a_ten_megabyte_cell_is_reported_with_its_value_cut() {
    let dir = tempdir();
    let mut f = Filing::valid(1);
    let long = "长".repeat(10 << 20 >> 2);
    f.entries[0].set("事项名称", long.as_str());
    f.write_csv(dir.path(), "长单元格", Encoding::Utf8);
    let (report, run) = checked(dir.path(), "长单元格事项.csv", 60);
    let d = report.one("value-too-long");
    let value = d.value.as_deref().unwrap();
    assert!(value.starts_with("长长长"), "{value}");
    assert!(value.contains("已截断") && value.contains(&(10 << 20 >> 2).to_string()));
    assert!(
        value.chars().count() < 1100,
        "{} chars",
        value.chars().count()
    );
    assert!(
        run.stdout.len() < 64 << 10,
        "{} bytes of JSON",
        run.stdout.len()
    );
    // In English too.
    let run = watched(
        dir.path(),
        &[
            "--lang",
            "en",
            "check",
            "--format",
            "json",
            "长单元格事项.csv",
        ],
        60,
        MB,
    );
    assert!(
        run.stdout.contains("characters in all"),
        "{}",
        &run.stdout[..2000]
    );
}

#[test]
fn csv_rows_of_commas_by_the_million_hold_no_cells_by_the_million() {
    let dir = tempdir();
    let f = Filing::valid(1);
    f.write_csv(dir.path(), "逗号", Encoding::Utf8);
    let items = dir.path().join("逗号事项.csv");
    let mut text = std::fs::read_to_string(&items).unwrap();
    // No filing has more fields than Excel has columns.
    text.push_str(&format!("2,社会团体变更登记{}x\n", ",".repeat(20 << 20)));
    std::fs::write(&items, &text).unwrap();
    assert_unreadable(dir.path(), "逗号事项.csv", &["超过 16384 列"]);
    // Within them, a row of cells far apart with nothing between them.
    let mut text = std::fs::read_to_string(dir.path().join("逗号事项.csv")).unwrap();
    text.truncate(text.find("2,社会团体变更登记").unwrap());
    for r in 0..400 {
        text.push_str(&format!("{r}{}x\n", ",".repeat(16_000)));
    }
    std::fs::write(&items, &text).unwrap();
    assert_unreadable(dir.path(), "逗号事项.csv", &["远超其内容"]);
}

// ---------------------------------------------------------------------------
// Rows out of order
// ---------------------------------------------------------------------------

#[test]
fn rows_in_descending_order_are_read_in_n_log_n() {
    // 100,000 rows written last first took 8.5 s, 200,000 37.5 s (each
    // row inserted in front of the others).
    let dir = tempdir();
    let rows = 60_000u32;
    let bytes = patch(&sparse(rows), "xl/worksheets/sheet1.xml", |xml| {
        let start = xml.find("<sheetData>").unwrap() + "<sheetData>".len();
        let end = xml.find("</sheetData>").unwrap();
        let mut parts: Vec<&str> = xml[start..end].split_inclusive("</row>").collect();
        parts.reverse();
        format!("{}{}{}", &xml[..start], parts.concat(), &xml[end..])
    });
    std::fs::write(dir.path().join("倒序.xlsx"), bytes).unwrap();
    let (report, run) = checked(dir.path(), "倒序.xlsx", 90);
    assert_eq!(report.summary.entries, rows as usize + 1);
    // Reported in row order.
    let first = &report.of("value-missing")[1];
    assert_eq!(first.row, Some(3), "{first:?}");
    assert!(run.secs < 60.0, "{} s", run.secs);
}

// ---------------------------------------------------------------------------
// Bad bytes never read as good data
// ---------------------------------------------------------------------------

#[test]
fn a_shared_string_index_that_is_not_one_is_unreadable_at_its_cell() {
    let dir = tempdir();
    let bytes = valid_workbook(1);
    // The cell of 事项名称 in row 2 holds a shared string.
    for (i, index) in ["abc", "-1", "18446744073709551616", "37.0", "99999"]
        .into_iter()
        .enumerate()
    {
        let name = format!("编号{i}.xlsx");
        let bad = patch(&bytes, "xl/worksheets/sheet1.xml", |xml| {
            let at = xml.find(r#"<c r="B2""#).expect("B2");
            let v = at + xml[at..].find("<v>").unwrap() + 3;
            let end = v + xml[v..].find("</v>").unwrap();
            format!("{}{index}{}", &xml[..v], &xml[end..])
        });
        std::fs::write(dir.path().join(&name), bad).unwrap();
        assert_unreadable(dir.path(), &name, &["工作表“事项”", "B2"]);
    }
}

#[test]
fn a_sheet_cut_at_a_row_boundary_is_unreadable_not_shorter() {
    // The materials sheet ends after its third row: 17 of 20 materials
    // were silently dropped (and ingest took the filing).
    let dir = tempdir();
    let bytes = patch(&valid_workbook(10), "xl/worksheets/sheet2.xml", |xml| {
        let mut at = 0;
        for _ in 0..4 {
            at += xml[at..].find("</row>").unwrap() + "</row>".len();
        }
        xml[..at].to_string()
    });
    std::fs::write(dir.path().join("截断.xlsx"), bytes).unwrap();
    assert_unreadable(dir.path(), "截断.xlsx", &["申请材料", "不完整", "第 4 行"]);
}

#[test]
fn a_sheet_of_random_bytes_is_unreadable_not_headerless() {
    let dir = tempdir();
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let noise: String = (0..20_000)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            char::from(b'!' + (state % 90) as u8)
        })
        .collect();
    let bytes = patch(&valid_workbook(1), "xl/worksheets/sheet1.xml", |_| noise);
    std::fs::write(dir.path().join("乱码.xlsx"), bytes).unwrap();
    assert_unreadable(dir.path(), "乱码.xlsx", &["工作表“事项”"]);
}

// ---------------------------------------------------------------------------
// Workbooks for calamine
// ---------------------------------------------------------------------------

/// An xls workbook (a compound file holding a BIFF8 workbook stream) of
/// one sheet with a number at each of `cells`.
fn xls(cells: &[(u16, u16)]) -> Vec<u8> {
    let record = |ty: u16, data: &[u8]| {
        let mut r = ty.to_le_bytes().to_vec();
        r.extend((data.len() as u16).to_le_bytes());
        r.extend(data);
        r
    };
    let bof = |kind: u16| {
        let mut d = 0x0600u16.to_le_bytes().to_vec();
        d.extend(kind.to_le_bytes());
        d.extend([0u8; 12]);
        record(0x0809, &d)
    };
    let eof = record(0x000A, &[]);
    let mut sheet = bof(0x0010);
    for &(r, c) in cells {
        let mut d = r.to_le_bytes().to_vec();
        d.extend(c.to_le_bytes());
        d.extend(0u16.to_le_bytes());
        d.extend(1.0f64.to_le_bytes());
        sheet.extend(record(0x0203, &d));
    }
    sheet.extend(&eof);
    let mut globals = bof(0x0005);
    let bound_len = 4 + 6 + 2 + 2;
    let start = (globals.len() + bound_len + eof.len()) as u32;
    let mut bound = start.to_le_bytes().to_vec();
    bound.extend([0, 0, 2, 0]); // visible worksheet; name of 2 chars, 8-bit
    bound.extend(b"S1");
    globals.extend(record(0x0085, &bound));
    globals.extend(&eof);
    let mut stream = globals;
    stream.extend(sheet);
    stream.resize(stream.len().max(4096).div_ceil(512) * 512, 0);
    // The compound file: header, FAT (sector 0), directory (sector 1), the
    // stream from sector 2 on.
    let sectors = stream.len() / 512;
    let mut b = vec![0u8; 512];
    b[..8].copy_from_slice(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1");
    b[24..26].copy_from_slice(&0x3Eu16.to_le_bytes());
    b[26..28].copy_from_slice(&3u16.to_le_bytes());
    b[28..30].copy_from_slice(&0xFFFEu16.to_le_bytes());
    b[30..32].copy_from_slice(&9u16.to_le_bytes());
    b[32..34].copy_from_slice(&6u16.to_le_bytes());
    b[44..48].copy_from_slice(&1u32.to_le_bytes());
    b[48..52].copy_from_slice(&1u32.to_le_bytes());
    b[56..60].copy_from_slice(&4096u32.to_le_bytes());
    b[60..64].copy_from_slice(&0xFFFF_FFFEu32.to_le_bytes());
    b[68..72].copy_from_slice(&0xFFFF_FFFEu32.to_le_bytes());
    for i in 0..109 {
        let v: u32 = if i == 0 { 0 } else { 0xFFFF_FFFF };
        b[76 + 4 * i..80 + 4 * i].copy_from_slice(&v.to_le_bytes());
    }
    let mut fat = vec![0xFFu8; 512];
    let mut put = |i: usize, v: u32| fat[4 * i..4 * i + 4].copy_from_slice(&v.to_le_bytes());
    put(0, 0xFFFF_FFFD);
    put(1, 0xFFFF_FFFE);
    for s in 0..sectors {
        let next = if s + 1 == sectors {
            0xFFFF_FFFE
        } else {
            (s + 3) as u32
        };
        put(s + 2, next);
    }
    b.extend(fat);
    let mut dir = vec![0u8; 512];
    let mut entry = |at: usize, name: &str, ty: u8, start: u32, len: u32| {
        let units: Vec<u16> = name.encode_utf16().collect();
        for (i, u) in units.iter().enumerate() {
            dir[at + 2 * i..at + 2 * i + 2].copy_from_slice(&u.to_le_bytes());
        }
        dir[at + 64..at + 66].copy_from_slice(&(((units.len() + 1) * 2) as u16).to_le_bytes());
        dir[at + 66] = ty;
        dir[at + 68..at + 80].copy_from_slice(&[0xFF; 12]);
        dir[at + 116..at + 120].copy_from_slice(&start.to_le_bytes());
        dir[at + 120..at + 124].copy_from_slice(&len.to_le_bytes());
    };
    entry(0, "Root Entry", 5, 0xFFFF_FFFE, 0);
    entry(128, "Workbook", 2, 2, stream.len() as u32);
    b.extend(dir);
    b.extend(stream);
    b
}

#[test]
fn an_xls_with_a_far_cell_is_unreadable_before_calamine_builds_its_range() {
    // A 5.6 KB xls with a far cell took 1.8–7 GB.
    let dir = tempdir();
    std::fs::write(dir.path().join("近.xls"), xls(&[(0, 0), (3, 4)])).unwrap();
    let (report, _) = checked(dir.path(), "近.xls", 60);
    assert!(
        report.of("file-unreadable").is_empty(),
        "a small xls reads: {report}"
    );
    std::fs::write(dir.path().join("远.xls"), xls(&[(0, 0), (65535, 255)])).unwrap();
    assert_unreadable(dir.path(), "远.xls", &["远超其内容"]);
}

#[test]
fn an_ods_repeating_cells_by_the_million_is_unreadable() {
    let dir = tempdir();
    let content = r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="事项"><table:table-row table:number-rows-repeated="1000000"><table:table-cell table:number-columns-repeated="16384" office:value-type="string"><text:p>序号</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"#;
    let mut zip = Zip::default();
    zip.stored("mimetype", b"application/vnd.oasis.opendocument.spreadsheet")
        .stored(
            "META-INF/manifest.xml",
            br#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#,
        )
        .stored("content.xml", content.as_bytes());
    std::fs::write(dir.path().join("重复.ods"), zip.finish()).unwrap();
    assert_unreadable(dir.path(), "重复.ods", &["远超其内容"]);
}

// ---------------------------------------------------------------------------
// What is not a regular file
// ---------------------------------------------------------------------------

#[cfg(unix)]
#[test]
fn a_link_to_dev_zero_or_a_pipe_named_as_a_filing_is_never_read() {
    let dir = tempdir();
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("零.xlsx")).unwrap();
    let fifo = dir.path().join("管道.xlsx");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo");
    assert!(made.success());
    Filing::valid(1).write_xlsx(&dir.path().join("正常.xlsx"));
    // A link to a regular file is read like the file.
    std::os::unix::fs::symlink(dir.path().join("正常.xlsx"), dir.path().join("链接.xlsx")).unwrap();
    assert_unreadable(dir.path(), "零.xlsx", &["不是普通文件", "设备"]);
    assert_unreadable(dir.path(), "管道.xlsx", &["不是普通文件", "管道"]);
    // In a folder, the rest is checked.
    let run = watched(dir.path(), &["check", "--format", "json", "."], 60, MB);
    let report: Report = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report.of("file-unreadable").len(), 2, "{report}");
    assert_eq!(report.summary.entries, 2, "{report}");
}

#[cfg(unix)]
#[test]
fn a_folder_that_cannot_be_listed_is_a_finding_and_the_rest_is_checked() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempdir();
    let root = dir.path().join("报送");
    std::fs::create_dir_all(root.join("锁住")).unwrap();
    Filing::valid(1).write_xlsx(&root.join("民政局.xlsx"));
    Filing::valid(1).write_xlsx(&root.join("锁住").join("公安局.xlsx"));
    // Everyone may enter; only the locked folder cannot be listed.
    for p in [dir.path(), root.as_path()] {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    std::fs::set_permissions(root.join("锁住"), std::fs::Permissions::from_mode(0o000)).unwrap();
    // A privileged user lists any folder: run yima as nobody then.
    let privileged = std::fs::read_dir(root.join("锁住")).is_ok();
    let before: &[&str] = if privileged {
        &[
            "setpriv",
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
        ]
    } else {
        &[]
    };
    let run = watched_as(
        dir.path(),
        &["check", "--format", "json", "报送"],
        60,
        MB,
        before,
    );
    std::fs::set_permissions(root.join("锁住"), std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(run.code, 1, "{}", run.stderr);
    let report: Report = serde_json::from_str(&run.stdout).unwrap();
    let d = report.one("file-unreadable");
    assert_eq!(d.file, "报送/锁住");
    assert!(d.message.contains("文件夹"), "{}", d.message);
    assert_eq!(report.summary.entries, 1, "the other filing is checked");
}

#[cfg(unix)]
#[test]
fn verify_names_links_to_devices_and_pipes_without_reading_them() {
    let dir = tempdir();
    let rel = dir.path().join("2026.1");
    std::fs::create_dir(&rel).unwrap();
    std::fs::write(rel.join("a.txt"), "甲").unwrap();
    let manifest = serde_json::json!({
        "version": "2026.1",
        "yima": "0.1.0",
        "registry_sha256": "0",
        "files": [{
            "path": "a.txt",
            "size": 3,
            "sha256": "d7a6e74ab9ef1f1ac80e2d6a0bf8d1d8dbd0f0eae7e9fd1e1ba9ff5da6b1b1a6"
        }]
    });
    std::fs::write(rel.join("manifest.json"), manifest.to_string()).unwrap();
    std::fs::remove_file(rel.join("a.txt")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", rel.join("a.txt")).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(rel.join("b.html"))
        .status()
        .expect("mkfifo");
    assert!(made.success());
    let run = watched(dir.path(), &["verify", "2026.1"], 30, MB);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stdout.contains("已改动: a.txt（不是普通文件，未读取）"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("多出: b.html（不是普通文件，未读取）"),
        "{}",
        run.stdout
    );
    // A manifest that is a pipe is refused, not waited on.
    std::fs::remove_file(rel.join("manifest.json")).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(rel.join("manifest.json"))
        .status()
        .expect("mkfifo");
    assert!(made.success());
    let run = watched_as(dir.path(), &["verify", "2026.1"], 30, MB, &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("manifest.json"), "{}", run.stderr);
}

//! `yima check --annotate DIR`: the department's own workbook back, marked.
//!
//! Each filing is laid out as departments send them (title rows, merged
//! cells, numbers stored as text, the yima template with its header notes
//! and dropdowns) with seeded mistakes, annotated by the binary, and read
//! back: every sheet and every cell value as it was (calamine, cell by
//! cell), merged ranges and column widths as they were, every part the
//! marking does not need to touch byte for byte the same, one comment per
//! finding's cell with its message, the cell filled red or yellow, and a
//! first sheet 检查结果 listing every finding with a link to its cell. Then
//! CSV pairs, .xls and .ods, unreadable files, and what is never
//! overwritten.

mod support;

use calamine::{Data, Reader};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{Cursor, Read};
use std::path::Path;
use support::*;

// ---------------------------------------------------------------------------
// Reading a package back
// ---------------------------------------------------------------------------

/// Every part of a zip package, by name.
fn parts(bytes: &[u8]) -> BTreeMap<String, Vec<u8>> {
    let mut z = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip package");
    let mut out = BTreeMap::new();
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        let mut b = Vec::new();
        f.read_to_end(&mut b).unwrap();
        out.insert(f.name().unwrap().to_string(), b);
    }
    out
}

fn text(parts: &BTreeMap<String, Vec<u8>>, name: &str) -> String {
    String::from_utf8(
        parts
            .get(name)
            .unwrap_or_else(|| panic!("no part {name}"))
            .clone(),
    )
    .unwrap()
}

/// Attribute `name` of the first `<tag …>` at or after `from` in `doc`.
fn attr_after(doc: &str, from: usize, name: &str) -> Option<String> {
    let tag_end = doc[from..].find('>')? + from;
    let tag = &doc[from..tag_end];
    let key = format!(" {name}=\"");
    let at = tag.find(&key)? + key.len();
    Some(tag[at..at + tag[at..].find('"')?].to_string())
}

/// The parts of the sheet named `sheet`: (sheet xml path, its rels path).
fn sheet_part(parts: &BTreeMap<String, Vec<u8>>, sheet: &str) -> String {
    let book = text(parts, "xl/workbook.xml");
    let at = book
        .find(&format!("name=\"{sheet}\""))
        .unwrap_or_else(|| panic!("no sheet {sheet}"));
    let start = book[..at].rfind('<').unwrap();
    let rid = attr_after(&book, start, "r:id").expect("r:id");
    let rels = text(parts, "xl/_rels/workbook.xml.rels");
    let at = rels.find(&format!("Id=\"{rid}\"")).unwrap();
    let start = rels[..at].rfind('<').unwrap();
    let target = attr_after(&rels, start, "Target").unwrap();
    format!("xl/{}", target.trim_start_matches("/xl/"))
}

/// The comments of a sheet, by cell: (author, text).
fn comments(parts: &BTreeMap<String, Vec<u8>>, sheet: &str) -> BTreeMap<String, (String, String)> {
    let part = sheet_part(parts, sheet);
    let (dir, name) = part.rsplit_once('/').unwrap();
    let rels_name = format!("{dir}/_rels/{name}.rels");
    let Some(rels) = parts.get(&rels_name) else {
        return BTreeMap::new();
    };
    let rels = String::from_utf8(rels.clone()).unwrap();
    let mut out = BTreeMap::new();
    for (i, _) in rels.match_indices("<Relationship ") {
        if attr_after(&rels, i, "Type").is_some_and(|t| t.ends_with("/comments")) {
            let target = attr_after(&rels, i, "Target").unwrap();
            let path = if let Some(up) = target.strip_prefix("../") {
                format!("xl/{up}")
            } else {
                format!("{dir}/{target}")
            };
            let doc = text(parts, &path);
            let authors: Vec<String> = doc
                .split("<author>")
                .skip(1)
                .map(|a| a[..a.find("</author>").unwrap()].to_string())
                .collect();
            for (j, _) in doc.match_indices("<comment ") {
                let cell = attr_after(&doc, j, "ref").unwrap();
                let author: usize = attr_after(&doc, j, "authorId").unwrap().parse().unwrap();
                let end = doc[j..].find("</comment>").unwrap() + j;
                let body = plain(&doc[j..end]);
                out.insert(cell, (authors[author].clone(), body));
            }
        }
    }
    out
}

/// Markup without its tags, entities resolved.
fn plain(xml: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in xml.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&#10;", "\n")
        .replace("&amp;", "&")
}

/// The fill colour (`FFFFC7CE`…) of a cell, through its style; None when
/// it has no solid fill.
fn fill_of(parts: &BTreeMap<String, Vec<u8>>, sheet: &str, cell: &str) -> Option<String> {
    let xml = text(parts, &sheet_part(parts, sheet));
    let at = xml.find(&format!("<c r=\"{cell}\""))?;
    let s: usize = attr_after(&xml, at, "s").map_or(0, |s| s.parse().unwrap());
    let styles = text(parts, "xl/styles.xml");
    let xfs = &styles[styles.find("<cellXfs").unwrap()..];
    let xf_at = xfs.match_indices("<xf ").nth(s).unwrap().0;
    let fill: usize = attr_after(xfs, xf_at, "fillId").unwrap().parse().unwrap();
    let fills = &styles[styles.find("<fills").unwrap()..styles.find("</fills>").unwrap()];
    let f = fills.split("<fill>").nth(fill + 1)?;
    let rgb = f.find("fgColor rgb=\"")?;
    Some(f[rgb + 13..rgb + 21].to_string())
}

/// The cells of a sheet by (row, column), 0-based.
type Cells = BTreeMap<(u32, u32), Data>;

/// Every cell of every sheet, by calamine.
fn values(bytes: &[u8]) -> Vec<(String, Cells)> {
    let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes.to_vec())).unwrap();
    book.sheet_names()
        .into_iter()
        .map(|name| {
            let range = book.worksheet_range(&name).unwrap();
            let mut cells = BTreeMap::new();
            for (r, c, d) in range.used_cells() {
                let (r0, c0) = range.start().unwrap();
                cells.insert((r as u32 + r0, c as u32 + c0), d.clone());
            }
            (name, cells)
        })
        .collect()
}

fn merges(bytes: &[u8], sheet: &str) -> Vec<calamine::Dimensions> {
    let mut x: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap();
    let mut m = x.merge_cells_by_sheet_name(sheet).unwrap_or_default();
    m.sort_by_key(|d| (d.start, d.end));
    m
}

/// `<cols>…</cols>` of a sheet (its widths), as written.
fn cols(parts: &BTreeMap<String, Vec<u8>>, sheet: &str) -> Option<String> {
    let xml = text(parts, &sheet_part(parts, sheet));
    let a = xml.find("<cols>")?;
    let b = xml.find("</cols>")?;
    Some(xml[a..b].to_string())
}

/// Runs `yima check --annotate out` on `files` in `dir`; gives the report
/// (from the same run, as JSON) and the exit code.
fn annotate(dir: &Path, files: &[&str]) -> (Report, i32, Run) {
    let mut args = vec!["check", "--format", "json", "--annotate", "out"];
    args.extend_from_slice(files);
    let done = run(dir, &args);
    (done.report(), done.code, done)
}

/// The cells of `report`'s findings in `sheet`, moved to the top-left of a
/// merged range as the marking does.
fn finding_cells(
    report: &Report,
    sheet: &str,
    merged: &[calamine::Dimensions],
) -> BTreeSet<String> {
    report
        .diagnostics
        .iter()
        .filter(|d| d.sheet.as_deref() == Some(sheet) && d.cell.is_some())
        .map(|d| {
            let row = d.row.unwrap() - 1;
            let col = letters_to_col(d.column.as_deref().unwrap());
            let (r, c) = merged
                .iter()
                .find(|m| {
                    (m.start.0..=m.end.0).contains(&row) && (m.start.1..=m.end.1).contains(&col)
                })
                .map_or((row, col), |m| m.start);
            format!("{}{}", column_letter(c as usize), r + 1)
        })
        .collect()
}

fn letters_to_col(s: &str) -> u32 {
    s.bytes().fold(0, |n, b| n * 26 + u32::from(b - b'A' + 1)) - 1
}

/// Asserts that the annotated workbook `out` keeps everything of `input`
/// and marks each finding of `report`; gives the annotated parts.
fn assert_marked(input: &[u8], out: &[u8], report: &Report) -> BTreeMap<String, Vec<u8>> {
    let before = values(input);
    let after = values(out);
    // The sheets: 检查结果 first, then every sheet of the input in order.
    let names: Vec<&str> = after.iter().map(|(n, _)| n.as_str()).collect();
    let mut expected = vec!["检查结果"];
    expected.extend(before.iter().map(|(n, _)| n.as_str()));
    assert_eq!(names, expected);
    // Every value, cell by cell.
    for ((name, a), (_, b)) in before.iter().zip(&after[1..]) {
        assert_eq!(a.len(), b.len(), "{name}: cells differ in number");
        for (at, v) in a {
            assert_eq!(Some(v), b.get(at), "{name} {at:?}");
        }
    }
    let in_parts = parts(input);
    let out_parts = parts(out);
    // Every part is still there; the ones the marking needs no change in
    // are byte for byte the same.
    let touched = |name: &str| {
        name == "[Content_Types].xml"
            || name.ends_with("workbook.xml")
            || name.ends_with("workbook.xml.rels")
            || name.ends_with("styles.xml")
            || name.contains("worksheets/")
            || name.contains("comments")
            || name.ends_with(".vml")
    };
    for (name, bytes) in &in_parts {
        let got = out_parts
            .get(name)
            .unwrap_or_else(|| panic!("part {name} lost"));
        if !touched(name) {
            assert_eq!(got, bytes, "part {name} changed");
        }
    }
    for (name, _) in &before {
        assert_eq!(
            merges(input, name),
            merges(out, name),
            "{name}: merged ranges"
        );
        assert_eq!(
            cols(&in_parts, name),
            cols(&out_parts, name),
            "{name}: widths"
        );
        let merged = merges(input, name);
        let cells = finding_cells(report, name, &merged);
        // One comment of yima's per finding's cell, saying its message.
        let notes: BTreeMap<String, String> = comments(&out_parts, name)
            .into_iter()
            .filter(|(_, (author, body))| author == "yima" || body.contains("（规则 "))
            .map(|(c, (_, body))| (c, body))
            .collect();
        let noted: BTreeSet<String> = notes
            .iter()
            .filter(|(_, b)| b.contains("（规则 "))
            .map(|(c, _)| c.clone())
            .collect();
        assert_eq!(noted, cells, "{name}: commented cells");
        for d in report
            .diagnostics
            .iter()
            .filter(|d| d.sheet.as_deref() == Some(name.as_str()))
        {
            let Some(cell) = &d.cell else { continue };
            let at = finding_cells(
                &Report {
                    diagnostics: vec![d.clone()],
                    ..report.clone()
                },
                name,
                &merged,
            )
            .into_iter()
            .next()
            .unwrap();
            assert!(
                notes[&at].contains(&d.message),
                "{name}!{cell}: {}",
                notes[&at]
            );
            let error_here = report.diagnostics.iter().any(|e| {
                e.sheet == d.sheet && e.cell.is_some() && e.severity == "error" && {
                    finding_cells(
                        &Report {
                            diagnostics: vec![e.clone()],
                            ..report.clone()
                        },
                        name,
                        &merged,
                    )
                    .contains(&at)
                }
            });
            let want = if error_here { "FFFFC7CE" } else { "FFFFEB9C" };
            assert_eq!(
                fill_of(&out_parts, name, &at).as_deref(),
                Some(want),
                "{name}!{at}"
            );
        }
    }
    // 检查结果 lists every finding, with a link to each cell.
    let list = &after[0].1;
    let listed = list
        .keys()
        .filter(|(r, _)| *r >= 3)
        .map(|(r, _)| *r)
        .collect::<BTreeSet<_>>();
    assert_eq!(
        listed.len(),
        report.diagnostics.len().max(1),
        "one row a finding"
    );
    let list_xml = text(&out_parts, &sheet_part(&out_parts, "检查结果"));
    let links = list_xml.matches("<hyperlink ").count();
    let with_sheet = report
        .diagnostics
        .iter()
        .filter(|d| d.sheet.is_some())
        .count();
    assert_eq!(links, with_sheet, "a link per finding in a sheet");
    for d in report.diagnostics.iter().filter(|d| d.cell.is_some()) {
        let place = format!(
            "{}!{}",
            d.sheet.as_deref().unwrap(),
            d.cell.as_deref().unwrap()
        );
        assert!(
            list.values().any(|v| *v == Data::String(place.clone())),
            "{place} not listed"
        );
        assert!(list.values().any(|v| *v == Data::String(d.message.clone())));
    }
    out_parts
}

// ---------------------------------------------------------------------------
// Workbooks as departments lay them out
// ---------------------------------------------------------------------------

/// Entries with a mistake each: a wrong USCC check character, a blank
/// required cell (no cell in the sheet at all), a category not in the
/// table, a visit count over one (a warning).
fn seeded() -> Filing {
    let mut f = Filing::valid(5);
    f.entries[0].set("实施主体编码", "11431300006140434T");
    f.entries[1].set("办理时间", "");
    f.entries[2].set("事项类型", "行政许");
    f.entries[3].set("到办事现场次数", "3");
    f
}

#[test]
fn a_department_workbook_comes_back_with_every_value_and_each_finding_marked() {
    let dir = tempdir();
    let f = seeded();
    let items = f
        .items_sheet()
        .merged_title("娄底市民政局政务服务事项实施清单")
        .row_above(&["填报单位：娄底市民政局", "", "", "填报日期：2026年3月"])
        .stored_as_text("序号")
        .merge_down("实施主体", 0, 4);
    let materials = f.materials_sheet().merged_title("申请材料清单");
    let bytes = xlsx_bytes(&[items.clone(), materials]);
    std::fs::write(dir.path().join("民政局.xlsx"), &bytes).unwrap();

    let (report, code, run) = annotate(dir.path(), &["民政局.xlsx"]);
    assert_eq!(code, 1, "{run:?}");
    assert!(
        run.stderr.contains("已写入 out/民政局（检查结果）.xlsx"),
        "{}",
        run.stderr
    );
    // The seeded mistakes were found where they are.
    report.one_at("uscc-invalid", "事项", &items.cell("实施主体编码", 0));
    report.one_at("value-missing", "事项", &items.cell("办理时间", 1));
    report.one_at("value-invalid", "事项", &items.cell("事项类型", 2));
    report.one_at(
        "visits-exceed-one",
        "事项",
        &items.cell("到办事现场次数", 3),
    );

    let out = std::fs::read(dir.path().join("out/民政局（检查结果）.xlsx")).unwrap();
    // (The merged title and the agency merged down are there to be kept.)
    assert_eq!(merges(&bytes, "事项").len(), 2);
    let parts = assert_marked(&bytes, &out, &report);
    // The blank cell that the sheet did not hold is there now, filled.
    assert_eq!(
        fill_of(&parts, "事项", &items.cell("办理时间", 1)).as_deref(),
        Some("FFFFC7CE")
    );
    // The input is untouched.
    assert_eq!(
        std::fs::read(dir.path().join("民政局.xlsx")).unwrap(),
        bytes
    );
    // The 检查结果 sheet opens first.
    let book = text(&parts, "xl/workbook.xml");
    assert!(
        !book.contains("activeTab=\"") || book.contains("activeTab=\"0\""),
        "{book}"
    );
    for name in ["事项", "申请材料"] {
        let xml = text(&parts, &sheet_part(&parts, name));
        assert!(!xml.contains("tabSelected=\"1\""), "{name} still selected");
    }
}

/// Rows of the standard template from a filing's records.
fn prefill(f: &Filing) -> yima::filing::template::Prefill {
    use yima::standard::Standard;
    let standard = Standard::embedded();
    let items = f
        .entries
        .iter()
        .map(|r| {
            r.headers()
                .iter()
                .zip(r.values())
                .filter(|(_, v)| !v.is_empty())
                .map(|(h, v)| (standard.elements.items.match_header(h).unwrap().field, v))
                .collect()
        })
        .collect();
    let materials = f
        .materials
        .iter()
        .map(|r| {
            r.headers()
                .iter()
                .zip(r.values())
                .filter(|(_, v)| !v.is_empty())
                .map(|(h, v)| {
                    (
                        standard.elements.materials.match_header(h).unwrap().field,
                        v,
                    )
                })
                .collect()
        })
        .collect();
    yima::filing::template::Prefill {
        items,
        materials,
        ..Default::default()
    }
}

#[test]
fn the_template_filled_in_keeps_its_notes_dropdowns_and_instructions() {
    let dir = tempdir();
    let mut f = seeded();
    // A finding on a header cell that already has the template's note.
    f.entries[4].set("实施主体编码", "");
    let standard = yima::standard::Standard::embedded();
    let bytes = yima::filing::template::build(&standard, &prefill(&f)).unwrap();
    std::fs::write(dir.path().join("填报表.xlsx"), &bytes).unwrap();
    let (report, code, run) = annotate(dir.path(), &["填报表.xlsx"]);
    assert_eq!(code, 1, "{run:?}");
    assert!(report.diagnostics.len() >= 5, "{report}");
    let out = std::fs::read(dir.path().join("out/填报表（检查结果）.xlsx")).unwrap();
    let parts = assert_marked(&bytes, &out, &report);
    // The template's header notes are all still there, beside yima's.
    let before = comments(&self::parts(&bytes), "事项");
    let after = comments(&parts, "事项");
    assert!(!before.is_empty());
    for (cell, (author, body)) in &before {
        let (a, b) = &after[cell];
        assert_eq!(a, author);
        assert!(b.starts_with(body.as_str()), "{cell}: {b}");
    }
    // Its dropdowns and frozen header are in the sheet as before.
    let xml = text(&parts, &sheet_part(&parts, "事项"));
    let orig = text(
        &self::parts(&bytes),
        &sheet_part(&self::parts(&bytes), "事项"),
    );
    let section = |x: &str, tag: &str| {
        let a = x.find(&format!("<{tag}")).map(|a| &x[a..]);
        a.map(|s| s[..s.find(&format!("</{tag}>")).unwrap_or(0)].to_string())
    };
    assert_eq!(
        section(&xml, "dataValidations"),
        section(&orig, "dataValidations")
    );
    assert_eq!(
        section(&xml, "sheetViews").map(|s| s.replace(" tabSelected=\"1\"", "")),
        section(&orig, "sheetViews").map(|s| s.replace(" tabSelected=\"1\"", ""))
    );
}

#[test]
fn a_csv_pair_comes_back_as_one_workbook_with_both_sheets() {
    let dir = tempdir();
    let f = seeded();
    f.write_csv(dir.path(), "民政局-", Encoding::Gbk);
    let (report, _, run) = annotate(dir.path(), &["民政局-事项.csv"]);
    assert!(
        run.stderr.contains("民政局（检查结果）.xlsx"),
        "{}",
        run.stderr
    );
    let out = std::fs::read(dir.path().join("out/民政局（检查结果）.xlsx")).unwrap();
    let after = values(&out);
    let names: Vec<&str> = after.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["检查结果", "事项", "申请材料"]);
    // Every cell of the CSV is there, as text.
    for (sheet, sheet_values) in [
        (&f.items_sheet(), &after[1].1),
        (&f.materials_sheet(), &after[2].1),
    ] {
        let csv = sheet.to_csv();
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(csv.as_bytes());
        for (r, rec) in reader.records().enumerate() {
            for (c, v) in rec.unwrap().iter().enumerate() {
                if v.is_empty() {
                    continue;
                }
                assert_eq!(
                    sheet_values.get(&(r as u32, c as u32)),
                    Some(&Data::String(v.to_string()))
                );
            }
        }
    }
    let parts = parts(&out);
    for name in ["事项", "申请材料"] {
        let cells = finding_cells(&report, name, &[]);
        let noted: BTreeSet<String> = comments(&parts, name).into_keys().collect();
        assert_eq!(noted, cells, "{name}");
    }
    assert!(!cells_of(&report, "事项").is_empty());
}

fn cells_of(report: &Report, sheet: &str) -> Vec<String> {
    report
        .diagnostics
        .iter()
        .filter(|d| d.sheet.as_deref() == Some(sheet))
        .filter_map(|d| d.cell.clone())
        .collect()
}

#[test]
fn an_ods_or_xls_comes_back_as_a_new_xlsx_of_its_values() {
    for fixture in ["民政局.ods", "民政局.xls"] {
        let dir = tempdir();
        let src = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(fixture);
        std::fs::copy(&src, dir.path().join(fixture)).unwrap();
        let (report, code, run) = annotate(dir.path(), &[fixture]);
        assert_eq!(code, 1, "{fixture}: {run:?}");
        report.one("uscc-invalid");
        assert!(run.stderr.contains("按值重建"), "{}", run.stderr);
        let out = std::fs::read(dir.path().join("out/民政局（检查结果）.xlsx")).unwrap();
        let before = values(&std::fs::read(&src).unwrap());
        let after = values(&out);
        assert_eq!(after.len(), before.len() + 1);
        for ((name, a), (name2, b)) in before.iter().zip(&after[1..]) {
            assert_eq!(name, name2);
            for (at, v) in a {
                let got = b.get(at);
                let same = got == Some(v)
                    || matches!((v, got), (Data::Int(i), Some(Data::Float(f))) if *i as f64 == *f);
                assert!(same, "{fixture} {name} {at:?}: {v:?} vs {got:?}");
            }
        }
        let parts = parts(&out);
        let noted: BTreeSet<String> = comments(&parts, "事项").into_keys().collect();
        assert_eq!(noted, finding_cells(&report, "事项", &[]), "{fixture}");
    }
}

#[test]
fn an_unreadable_file_gets_a_workbook_that_says_so() {
    let dir = tempdir();
    std::fs::write(dir.path().join("扫描件.xlsx"), b"%PDF-1.7\n").unwrap();
    let (report, _, _) = annotate(dir.path(), &["扫描件.xlsx"]);
    report.one("file-unreadable");
    let out = std::fs::read(dir.path().join("out/扫描件（检查结果）.xlsx")).unwrap();
    let after = values(&out);
    assert_eq!(after[0].0, "检查结果");
    assert!(
        after[0]
            .1
            .values()
            .any(|v| matches!(v, Data::String(s) if s.contains("PDF")))
    );
}

#[test]
fn nothing_is_written_over_an_input_or_a_file_that_is_not_an_annotation() {
    let dir = tempdir();
    seeded().write_xlsx(&dir.path().join("民政局.xlsx"));
    std::fs::create_dir(dir.path().join("out")).unwrap();
    // A file of the department's own where the annotation would go.
    let own = dir.path().join("out/民政局（检查结果）.xlsx");
    std::fs::write(&own, b"the department's own notes").unwrap();
    let (_, code, refused) = annotate(dir.path(), &["民政局.xlsx"]);
    assert_eq!(code, 2, "{refused:?}");
    assert!(
        refused.stderr.contains("不是 yima 写的检查结果"),
        "{}",
        refused.stderr
    );
    assert_eq!(std::fs::read(&own).unwrap(), b"the department's own notes");
    // An earlier annotation is replaced.
    std::fs::remove_file(&own).unwrap();
    assert_eq!(annotate(dir.path(), &["民政局.xlsx"]).1, 1);
    let first = std::fs::read(&own).unwrap();
    assert_eq!(annotate(dir.path(), &["民政局.xlsx"]).1, 1);
    assert_eq!(
        std::fs::read(&own).unwrap(),
        first,
        "the same input gives the same bytes"
    );
    // An input named like an annotation, in the folder annotations go to,
    // is never written over.
    std::fs::copy(
        dir.path().join("民政局.xlsx"),
        dir.path().join("公安（检查结果）.xlsx"),
    )
    .unwrap();
    let before = std::fs::read(dir.path().join("公安（检查结果）.xlsx")).unwrap();
    let r = run(
        dir.path(),
        &["check", "--annotate", ".", "公安（检查结果）.xlsx"],
    );
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("不会覆盖输入文件"), "{}", r.stderr);
    assert_eq!(
        std::fs::read(dir.path().join("公安（检查结果）.xlsx")).unwrap(),
        before
    );
}

#[test]
fn a_finding_on_a_cell_with_a_note_joins_the_note() {
    use rust_xlsxwriter::{Note, Workbook};
    let dir = tempdir();
    let mut f = Filing::valid(2);
    f.entries[1].set("事项类型", "行政许");
    let mut book = Workbook::new();
    for (sheet, records, headers) in [
        ("事项", &f.entries, ITEM_HEADERS),
        ("申请材料", &f.materials, MATERIAL_HEADERS),
    ] {
        let ws = book.add_worksheet();
        ws.set_name(sheet).unwrap();
        for (c, h) in headers.iter().enumerate() {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        for (r, rec) in records.iter().enumerate() {
            for (c, v) in rec.values().iter().enumerate() {
                match v.parse::<f64>() {
                    Ok(n) if NUMERIC_HEADERS.contains(&headers[c]) => {
                        ws.write_number(r as u32 + 1, c as u16, n).unwrap();
                    }
                    _ => {
                        ws.write_string(r as u32 + 1, c as u16, v).unwrap();
                    }
                }
            }
        }
        if sheet == "事项" {
            let col = headers.iter().position(|h| *h == "事项类型").unwrap() as u16;
            ws.insert_note(
                2,
                col,
                &Note::new("请从下拉列表中选择").set_author("填表人"),
            )
            .unwrap();
            ws.insert_note(0, 0, &Note::new("序号填正整数").set_author("填表人"))
                .unwrap();
        }
    }
    let bytes = book.save_to_buffer().unwrap();
    std::fs::write(dir.path().join("民政局.xlsx"), &bytes).unwrap();
    let (report, _, _) = annotate(dir.path(), &["民政局.xlsx"]);
    let d = report.one("value-invalid");
    let cell = d.cell.clone().unwrap();
    let out = std::fs::read(dir.path().join("out/民政局（检查结果）.xlsx")).unwrap();
    let parts = assert_marked(&bytes, &out, &report);
    let notes = comments(&parts, "事项");
    // The department's note stays first, the finding is added to it, and
    // its author is still the department's.
    let (author, body) = &notes[&cell];
    assert_eq!(author, "填表人");
    let own = body.find("请从下拉列表中选择").expect("the note is kept");
    assert!(body.find(&d.message).is_some_and(|m| m > own), "{body}");
    assert_eq!(notes["A1"].0, "填表人");
    assert!(notes["A1"].1.ends_with("序号填正整数"), "{:?}", notes["A1"]);
    // One box a note in the drawing: the department's two, no second one
    // for the cell that had a note.
    let vml: String = parts
        .iter()
        .filter(|(n, _)| n.ends_with(".vml"))
        .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
        .collect();
    assert_eq!(vml.matches("<v:shape ").count(), 2, "{vml}");
}

/// The package with `from` replaced by `to` in its shared strings: a value
/// corrected as a clerk would in Excel.
fn corrected(bytes: &[u8], from: &str, to: &str) -> Vec<u8> {
    use std::io::Write;
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, mut part) in parts(bytes) {
        if name == "xl/sharedStrings.xml" {
            let text = String::from_utf8(part).unwrap();
            assert!(text.contains(from), "{from} not in the shared strings");
            part = text.replace(from, to).into_bytes();
        }
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(&part).unwrap();
    }
    out.finish().unwrap().into_inner()
}

#[test]
fn a_returned_workbook_corrected_and_checked_again_loses_its_old_marks() {
    let dir = tempdir();
    let f = seeded();
    let items = f
        .items_sheet()
        .merged_title("娄底市民政局政务服务事项实施清单");
    let bytes = xlsx_bytes(&[items.clone(), f.materials_sheet()]);
    std::fs::write(dir.path().join("民政局.xlsx"), &bytes).unwrap();
    let (first, _, _) = annotate(dir.path(), &["民政局.xlsx"]);
    let returned = std::fs::read(dir.path().join("out/民政局（检查结果）.xlsx")).unwrap();
    let uscc = items.cell("实施主体编码", 0);
    assert_eq!(
        fill_of(&parts(&returned), "事项", &uscc).as_deref(),
        Some("FFFFC7CE")
    );

    // The clerk corrects the USCC in the returned workbook and sends it in.
    let fixed = corrected(
        &returned,
        "11431300006140434T",
        &Agency::civil_affairs().uscc,
    );
    std::fs::create_dir(dir.path().join("回来")).unwrap();
    std::fs::write(dir.path().join("回来/民政局（检查结果）.xlsx"), &fixed).unwrap();
    let (again, code, run) = annotate(dir.path(), &["回来/民政局（检查结果）.xlsx"]);
    assert_eq!(code, 1, "{run:?}");
    assert_eq!(
        again.diagnostics.len(),
        first.diagnostics.len() - 1,
        "{again}"
    );
    assert!(again.of("uscc-invalid").is_empty());
    let out = std::fs::read(dir.path().join("out/民政局（检查结果）.xlsx")).unwrap();
    let parts = self::parts(&out);
    // One 检查结果 sheet, new; the corrected cell neither red nor noted; the
    // others marked once, not twice.
    let after = values(&out);
    let names: Vec<&str> = after.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["检查结果", "事项", "申请材料"]);
    assert_eq!(fill_of(&parts, "事项", &uscc), None);
    let notes = comments(&parts, "事项");
    assert!(!notes.contains_key(&uscc), "{notes:?}");
    for d in again.diagnostics.iter().filter(|d| d.cell.is_some()) {
        let (_, body) = &notes[d.cell.as_ref().unwrap()];
        assert_eq!(body.matches(&d.message).count(), 1, "{body}");
    }
    assert_eq!(notes.len(), cells_of(&again, "事项").len());
    // The values are the corrected workbook's, the rest as it was.
    let before = values(&fixed);
    for ((name, a), (_, b)) in before[1..].iter().zip(&after[1..]) {
        assert_eq!(a, b, "{name}");
    }
    let book = text(&parts, "xl/workbook.xml");
    assert_eq!(
        book.matches("_xlnm._FilterDatabase\" localSheetId=\"0\"")
            .count(),
        1,
        "{book}"
    );
}

#[test]
fn a_folder_annotated_into_itself_is_read_once_on_the_next_run() {
    let dir = tempdir();
    seeded().write_xlsx(&dir.path().join("民政局.xlsx"));
    let r = run(
        dir.path(),
        &["check", "--format", "json", "--annotate", ".", "."],
    );
    assert_eq!(r.code, 1, "{r:?}");
    assert!(dir.path().join("民政局（检查结果）.xlsx").is_file());
    // The annotation beside the filing is yima's output, not a filing.
    let again = run(
        dir.path(),
        &["check", "--format", "json", "--annotate", ".", "."],
    );
    assert_eq!(again.code, 1, "{again:?}");
    assert_eq!(again.report().summary.files, 1);
    assert_eq!(again.report().diagnostics, r.report().diagnostics);
}

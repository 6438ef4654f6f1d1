//! `yima check` checks a filing as it reads it: entries a chunk at a time,
//! on the thread reading sheet 事项 and the one reading 申请材料, each entry
//! dropped once checked (`src/check/`). These tests hold that to the plain
//! way — the whole filing read, then every rule, as `--format junit` and
//! ingest do — on filings of many chunks with the rules across rows seeded
//! far apart: seq-duplicate, material-orphan, no-materials, item-duplicate,
//! and the wording of materials (which counts only for a material that
//! links to an entry); on a filing whose merged cells make it read twice;
//! and, as a property, on small generated runs read in chunks of a few
//! entries, so that every rule across rows meets the chunks' bounds.

mod support;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use support::*;
use yima::check::{Checker, check_paths};
use yima::diag::{Diagnostic, Lang, Report};
use yima::report::{Format, Human, render};
use yima::workspace::Workspace;

/// `n` valid entries, all different (one sub-item each), two materials each.
fn big(n: u32) -> Filing {
    let mut f = Filing {
        entries: Vec::new(),
        materials: Vec::new(),
    };
    for seq in 1..=n {
        let mut e = valid_entry(1 + (seq - 1) % 10);
        e.set("序号", seq.to_string())
            .set("子项名称", format!("第{}种情形", hanzi(seq)));
        f.entries.push(e);
        for mut m in valid_materials(1) {
            m.set("事项序号", seq.to_string());
            f.materials.push(m);
        }
    }
    f
}

/// A number in Chinese digits (a sub-item name has no Arabic digits).
fn hanzi(n: u32) -> String {
    const D: [char; 10] = ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
    n.to_string()
        .chars()
        .map(|c| D[c.to_digit(10).unwrap_or(0) as usize])
        .collect()
}

/// A filing of 3,000 entries with mistakes across rows, far apart.
fn seeded() -> Filing {
    let mut f = big(3000);
    // seq-duplicate, chunks apart: row 702 repeats 序号 5.
    f.entries[700].set("序号", "5");
    // item-duplicate: entry 1501 is entry 101 again.
    let mut again = f.entries[100].clone();
    again.set("序号", "1501");
    f.entries[1500] = again;
    // no-materials: entry 1200 loses its two.
    f.materials.retain(|m| m.get("事项序号") != "1200");
    // A catch-all clause in a material of entry 800, and one in an orphan
    // (reported as the orphan only).
    let i = f
        .materials
        .iter()
        .position(|m| m.get("事项序号") == "800")
        .expect("entry 800 has materials");
    f.materials[i].set("材料名称", "其他材料");
    let mut orphan = f.materials[0].clone();
    orphan.set("事项序号", "99999").set("材料名称", "其他材料");
    // The materials of the last entry first, before its entry can have
    // been read, and the orphan among them.
    let last: Vec<Record> = f
        .materials
        .iter()
        .filter(|m| m.get("事项序号") == "3000")
        .cloned()
        .collect();
    f.materials.retain(|m| m.get("事项序号") != "3000");
    f.materials.splice(0..0, last);
    f.materials.insert(1, orphan);
    f
}

fn both_ways(paths: &[PathBuf]) -> (Report, Report) {
    let ws = Workspace::defaults();
    let streamed = check_paths(paths, &ws, false).expect("check").report;
    let whole = check_paths(paths, &ws, true).expect("check").report;
    (streamed, whole)
}

fn cells(report: &Report, rule: &str) -> Vec<String> {
    report
        .diagnostics
        .iter()
        .filter(|d| d.rule.id() == rule)
        .map(|d: &Diagnostic| {
            format!(
                "{}!{}",
                d.origin.sheet.as_deref().unwrap_or(""),
                d.origin.a1().unwrap_or_default()
            )
        })
        .collect()
}

fn assert_same(streamed: &Report, whole: &Report) {
    assert_eq!(streamed.summary, whole.summary);
    assert_eq!(streamed.diagnostics.len(), whole.diagnostics.len());
    for (a, b) in streamed.diagnostics.iter().zip(&whole.diagnostics) {
        assert_eq!(a, b);
    }
}

#[test]
fn a_filing_checked_as_it_is_read_gives_the_findings_of_the_whole_filing() {
    let dir = tempdir();
    let path = dir.path().join("民政局.xlsx");
    seeded().write_xlsx(&path);
    let (streamed, whole) = both_ways(std::slice::from_ref(&path));
    assert_same(&streamed, &whole);

    // And they are the seeded ones (rows are one below the data index:
    // the header is row 1).
    assert_eq!(cells(&streamed, "seq-duplicate"), ["事项!A702"]);
    assert_eq!(cells(&streamed, "item-duplicate"), ["事项!B1502"]);
    // The orphan, and the two materials of 序号 701, which row 702 no
    // longer has.
    assert_eq!(
        cells(&streamed, "material-orphan"),
        ["申请材料!A3", "申请材料!A1405", "申请材料!A1406"]
    );
    // Entry 1200 has none; the second entry with 序号 5 gets none either
    // (materials link to the first).
    assert_eq!(
        cells(&streamed, "no-materials"),
        ["事项!B702", "事项!B1201"]
    );
    let catch_all = cells(&streamed, "catch-all-clause");
    assert_eq!(catch_all.len(), 1, "{catch_all:?}");
    assert!(catch_all[0].starts_with("申请材料!B"), "{catch_all:?}");
    assert_eq!(streamed.summary.entries, 3000);
    assert_eq!(streamed.summary.materials, 2 * 3000 - 2 + 1);
}

#[test]
fn several_filings_checked_as_they_are_read_give_the_same_findings() {
    // item-duplicate across files, and files read a few at a time.
    let dir = tempdir();
    let mut paths = Vec::new();
    for (i, agency) in [
        Agency::civil_affairs(),
        Agency::public_security(),
        Agency::civil_affairs(),
    ]
    .iter()
    .enumerate()
    {
        let p = dir.path().join(format!("{i}.xlsx"));
        big(700).by(agency).write_xlsx(&p);
        paths.push(p);
    }
    let (streamed, whole) = both_ways(&paths);
    assert_same(&streamed, &whole);
    // The third file is the first again: each of its entries a duplicate.
    let dups = cells(&streamed, "item-duplicate");
    assert_eq!(dups.len(), 700);
    assert!(
        streamed
            .diagnostics
            .iter()
            .filter(|d| d.rule.id() == "item-duplicate")
            .all(|d| *d.origin.file == display(&paths[2]))
    );
}

#[test]
fn a_filing_with_cells_merged_down_is_read_again_whole_with_the_same_findings() {
    // A 事项类型 cell merged over two rows fills both (SPEC §2); the
    // streamed reading learns of the merge only at the sheet's end.
    let dir = tempdir();
    let path = dir.path().join("民政局.xlsx");
    let f = seeded();
    let mut items = f.items_sheet();
    items = items.merge_down("事项类型", 2900, 2901);
    write_xlsx(&path, &[items, f.materials_sheet()]);
    let (streamed, whole) = both_ways(std::slice::from_ref(&path));
    assert_same(&streamed, &whole);
    assert_eq!(cells(&streamed, "seq-duplicate"), ["事项!A702"]);
    // The merged-down cell counts for both rows: no value-missing there.
    assert!(
        cells(&streamed, "value-missing")
            .iter()
            .all(|c| !c.starts_with("事项!D")),
        "{:?}",
        cells(&streamed, "value-missing")
    );
}

fn display(p: &Path) -> String {
    yima::filing::display_path(p)
}

/// An entry of a generated filing: its 序号, which of the real names it
/// bears (entries of one agency with one name and category are the same
/// entry: item-duplicate), and whether it is a public service (which needs
/// no materials) rather than a licence.
#[derive(Debug, Clone)]
struct GenEntry {
    seq: u32,
    name: u32,
    public: bool,
}

/// A generated filing: its entries; its materials, fee items and questions
/// by the 序号 they refer to, in any order (a number past the entries'
/// may match none: material-orphan), the materials with a catch-all clause
/// or not (a finding only when the material links to an entry); whether it
/// is a CSV pair, which agency files it, and the data row of a sheet
/// swapped with the next in the workbook (rows out of order: the filing is
/// read again whole).
#[derive(Debug, Clone)]
struct GenFiling {
    entries: Vec<GenEntry>,
    materials: Vec<(u32, bool)>,
    fees: Vec<u32>,
    questions: Vec<u32>,
    csv: bool,
    second_agency: bool,
    swap: Option<(bool, usize)>,
}

fn gen_filing() -> impl Strategy<Value = GenFiling> {
    (1u32..16).prop_flat_map(|n| {
        // 序号 1…n in order, some repeated or out of range.
        let seqs = prop::collection::vec(prop::option::weighted(0.15, 1..=n + 2), n as usize);
        let names = prop::collection::vec(1u32..=10, n as usize);
        let public = prop::collection::vec(prop::bool::weighted(0.3), n as usize);
        let refs = 1..=n + 2;
        (
            seqs,
            names,
            public,
            prop::collection::vec((refs.clone(), prop::bool::weighted(0.1)), 0..2 * n as usize),
            prop::collection::vec(refs.clone(), 0..3),
            prop::collection::vec(refs, 0..3),
            any::<bool>(),
            prop::bool::weighted(0.3),
            prop::option::weighted(0.2, (any::<bool>(), 0usize..20)),
        )
            .prop_map(
                |(seqs, names, public, materials, fees, questions, csv, second_agency, swap)| {
                    let entries = (0..seqs.len())
                        .map(|i| GenEntry {
                            seq: seqs[i].unwrap_or(i as u32 + 1),
                            name: names[i],
                            public: public[i],
                        })
                        .collect();
                    GenFiling {
                        entries,
                        materials,
                        fees,
                        questions,
                        csv,
                        second_agency,
                        swap,
                    }
                },
            )
    })
}

impl GenFiling {
    /// Writes the filing as `<stem>.xlsx`, or as a CSV pair (with its
    /// optional sheets beside it) `<stem>-事项.csv` …, into `dir`; whether
    /// rows were written out of order.
    fn write(&self, dir: &Path, stem: &str) -> bool {
        let agency = if self.second_agency {
            Agency::public_security()
        } else {
            Agency::civil_affairs()
        };
        let mut entries = Vec::new();
        for e in &self.entries {
            let mut r = valid_entry(e.name);
            r.set("序号", e.seq.to_string())
                .set("实施主体", agency.name.as_str())
                .set("实施主体编码", agency.uscc.as_str());
            if e.public {
                r.set("事项类型", "公共服务").set("权力来源", "");
            }
            entries.push(r);
        }
        let mut materials = Vec::new();
        for &(seq, catch_all) in &self.materials {
            let [mut m, _] = valid_materials(1);
            m.set("事项序号", seq.to_string());
            if catch_all {
                m.set("材料名称", "其他材料");
            }
            materials.push(m);
        }
        let items = Sheet::from_records("事项", ITEM_HEADERS, &entries);
        let materials = Sheet::from_records("申请材料", MATERIAL_HEADERS, &materials);
        let fee_rows: Vec<Vec<String>> = (self.fees.iter())
            .map(|s| {
                [
                    &s.to_string(),
                    "工本费",
                    "每证 10 元",
                    "《收费标准》",
                    "否",
                    "",
                ]
                .map(str::to_string)
                .to_vec()
            })
            .collect();
        let question_rows: Vec<Vec<String>> = (self.questions.iter())
            .map(|s| {
                [&s.to_string(), "可以委托他人代为办理吗？", "可以。"]
                    .map(str::to_string)
                    .to_vec()
            })
            .collect();
        let sheet = |name: &str, headers: &[&str], rows: &[Vec<String>]| {
            let rows: Vec<Vec<&str>> = rows
                .iter()
                .map(|r| r.iter().map(String::as_str).collect())
                .collect();
            let rows: Vec<&[&str]> = rows.iter().map(Vec::as_slice).collect();
            Sheet::raw(name, headers, &rows)
        };
        let fees = sheet("收费项目", FEE_HEADERS, &fee_rows);
        let questions = sheet("常见问题", QUESTION_HEADERS, &question_rows);
        if self.csv {
            let prefix = format!("{stem}-");
            write_csv_pair(dir, &prefix, &items, &materials, Encoding::Utf8);
            for (s, suffix) in [(&fees, "收费项目.csv"), (&questions, "常见问题.csv")] {
                std::fs::write(dir.join(format!("{prefix}{suffix}")), s.to_csv()).unwrap();
            }
            return false;
        }
        let mut bytes = xlsx_bytes(&[items, materials, fees, questions]);
        let mut swapped = false;
        if let Some((in_items, row)) = self.swap {
            let part = if in_items { 1 } else { 2 };
            if let Some(b) = swap_rows(&bytes, &format!("xl/worksheets/sheet{part}.xml"), row) {
                (bytes, swapped) = (b, true);
            }
        }
        std::fs::write(dir.join(format!("{stem}.xlsx")), bytes).unwrap();
        swapped
    }
}

/// The workbook with a data row of the sheet `part` (the `k`th, counted
/// round) and the next written in each other's place, their numbers
/// unchanged: rows out of order, which the streamed reading gives up on.
/// None when the sheet has fewer than two data rows.
fn swap_rows(bytes: &[u8], part: &str, k: usize) -> Option<Vec<u8>> {
    use std::io::{Read, Write};
    let mut book = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..book.len() {
        let mut f = book.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut body = Vec::new();
        f.read_to_end(&mut body).unwrap();
        if name == part {
            let xml = String::from_utf8(body).unwrap();
            let rows: Vec<(usize, usize)> = xml
                .match_indices("<row ")
                .map(|(start, _)| {
                    let end = start + xml[start..].find("</row>").unwrap() + "</row>".len();
                    (start, end)
                })
                .collect();
            // (Row 0 is the header.)
            body = match (rows.get(k + 1), rows.get(k + 2)) {
                (Some(&(a0, a1)), Some(&(b0, b1))) => [
                    &xml[..a0],
                    &xml[b0..b1],
                    &xml[a1..b0],
                    &xml[a0..a1],
                    &xml[b1..],
                ]
                .concat()
                .into_bytes(),
                _ => xml.into_bytes(),
            };
        }
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(&body).unwrap();
    }
    Some(out.finish().unwrap().into_inner())
}

/// The JSON reports of a run read whole, as `--format junit` and ingest
/// read it, and checked as it is read with `chunk` entries a chunk.
fn two_ways(ws: &Workspace, dir: &Path, chunk: usize) -> (String, String) {
    let inputs = yima::filing::discover(&[dir.to_path_buf()]).unwrap();
    let mut whole = Checker::new(ws, None);
    whole.inputs(&inputs, &mut |_| {});
    let mut streamed = Checker::new(ws, None).chunked(chunk);
    streamed.scan(&inputs);
    let json = |r: Report| render(&r, Format::Json, Lang::Zh, &Human::default());
    (json(streamed.finish()), json(whole.finish()))
}

#[test]
fn generated_runs_read_in_small_chunks_give_the_findings_of_the_whole() {
    let ws = Workspace::defaults();
    // Findings by rule and sheet over all cases, to show the cases reach
    // every rule across rows (a property that met none would hold
    // vacuously).
    let seen: RefCell<BTreeMap<String, usize>> = RefCell::default();
    let mut runner = TestRunner::new(Config {
        cases: 64,
        // (A failing case prints its filings: small enough to read.)
        failure_persistence: None,
        ..Config::default()
    });
    let case = (prop::collection::vec(gen_filing(), 1..4), 1usize..6);
    runner
        .run(&case, |(filings, chunk)| {
            let dir = tempdir();
            let mut swapped = false;
            for (i, f) in filings.iter().enumerate() {
                swapped |= f.write(dir.path(), &format!("{i}"));
            }
            let (streamed, whole) = two_ways(&ws, dir.path(), chunk);
            // (By line, so that a failure shows which finding differs.)
            let lines = |s: &str| s.lines().map(str::to_string).collect::<Vec<_>>();
            prop_assert_eq!(lines(&streamed), lines(&whole));
            let report: serde_json::Value = serde_json::from_str(&whole).unwrap();
            let mut seen = seen.borrow_mut();
            if swapped {
                *seen.entry("rows out of order".into()).or_default() += 1;
            }
            for d in report["diagnostics"].as_array().unwrap() {
                let key = format!("{} {}", d["rule"].as_str().unwrap(), d["sheet"]);
                *seen.entry(key).or_default() += 1;
            }
            // item-duplicate across files: the first is in another file.
            let across = (report["diagnostics"].as_array().unwrap().iter())
                .filter(|d| d["rule"] == "item-duplicate")
                .any(|d| {
                    let (file, message) = (d["file"].as_str(), d["message"].as_str());
                    !message.unwrap().contains(&format!("{} · ", file.unwrap()))
                });
            if across {
                *seen
                    .entry("item-duplicate across files".into())
                    .or_default() += 1;
            }
            Ok(())
        })
        .unwrap();
    let seen = seen.into_inner();
    for rule in [
        "seq-duplicate \"事项\"",
        "material-orphan \"申请材料\"",
        "material-orphan \"收费项目\"",
        "material-orphan \"常见问题\"",
        "no-materials \"事项\"",
        "item-duplicate \"事项\"",
        "item-duplicate across files",
        "catch-all-clause \"申请材料\"",
        "rows out of order",
    ] {
        assert!(
            seen.get(rule).is_some_and(|n| *n > 0),
            "no case met {rule}: {seen:?}"
        );
    }
}

//! `yima check` checks a filing as it reads it: entries a chunk at a time,
//! on the thread reading sheet 事项 and the one reading 申请材料, each entry
//! dropped once checked (`src/check.rs`). These tests hold that to the plain
//! way — the whole filing read, then every rule, as `--format junit` and
//! ingest do — on filings of many chunks with the rules across rows seeded
//! far apart: seq-duplicate, material-orphan, no-materials, item-duplicate,
//! and the wording of materials (which counts only for a material that
//! links to an entry); and on a filing whose merged cells make it read
//! twice.

mod support;

use std::path::{Path, PathBuf};
use support::*;
use yima::check::check_paths;
use yima::diag::{Diagnostic, Report};
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

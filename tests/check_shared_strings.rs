//! A workbook stores each text once, in its shared strings, and yima reads
//! each such text as a given element once (`src/filing/cells.rs`, `Memo`):
//! the cells that hold it again share what the first gave. These tests
//! hold that to reading every cell afresh — the same filing written as a
//! CSV pair, which has no shared strings —: a text repeated in many rows
//! gives its finding at every row it stands in, a text that one column
//! accepts is still checked as what another column asks, and a text that
//! reading cleans keeps its raw form at every cell.

mod support;

use support::*;

/// Ten entries in which the same texts come back row after row, right and
/// wrong, some in two columns.
fn repeating() -> Filing {
    let mut f = Filing::valid(10);
    for (i, e) in f.entries.iter_mut().enumerate() {
        e.set("办理形式", "窗口办理");
        match i % 3 {
            // Not a category, three times: value-invalid at each.
            0 => e.set("事项类型", "行政审批"),
            // A category that reading cleans (full-width, padded).
            1 => e.set("事项类型", "　行政许可 "),
            _ => e,
        };
        if i % 2 == 0 {
            // A catch-all clause, five times.
            e.set("受理条件", "申请人符合条件；法律、法规规定的其他条件。");
            // A text that 办理形式 accepts but 通办范围 does not.
            e.set("通办范围", "窗口办理");
            // A phone that lost its leading 0, as text.
            e.set("咨询电话", "738-8312345");
        }
        if i >= 7 {
            // Blank where required, three times.
            e.set("办理时间", "");
        }
        if i % 4 == 1 {
            // Vague wording in a step of the process, three times.
            e.set("办理流程", "申请→受理→视情况组织审查→决定");
        }
    }
    for m in f.materials.iter_mut().skip(3).step_by(4) {
        // A vague material, five times.
        m.set("材料名称", "其他相关材料");
    }
    f
}

/// The findings of one filing as comparable lines, file names left out.
fn findings(report: &Report) -> Vec<String> {
    let mut out: Vec<String> = report
        .diagnostics
        .iter()
        .map(|d| {
            format!(
                "{} {}!{} {:?} {} | {}",
                d.rule,
                d.sheet.as_deref().unwrap_or(""),
                d.cell.as_deref().unwrap_or(""),
                d.value,
                d.message,
                d.help
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn texts_repeated_in_a_workbook_give_what_each_cell_read_afresh_gives() {
    let dir = tempdir();
    let f = repeating();
    f.write_xlsx(&dir.path().join("民政局.xlsx"));
    let csv = dir.path().join("csv");
    std::fs::create_dir(&csv).expect("folder");
    f.write_csv(&csv, "民政局-", Encoding::Utf8);

    let (book, _) = check(dir.path(), &["民政局.xlsx"]);
    let (pair, _) = check(dir.path(), &["csv"]);
    assert_eq!(findings(&book), findings(&pair));
    assert_eq!(book.summary.entries, 10);

    // Each repeated mistake is found at every row that holds it.
    let rows = |rule: &str, column: &str| -> Vec<String> {
        let mut cells: Vec<String> = book
            .diagnostics
            .iter()
            .filter(|d| d.rule == rule && d.column.as_deref() == Some(column))
            .filter_map(|d| d.cell.clone())
            .collect();
        cells.sort();
        cells
    };
    assert_eq!(rows("value-invalid", "D"), ["D11", "D2", "D5", "D8"]);
    assert_eq!(
        rows("catch-all-clause", "P"),
        ["P10", "P2", "P4", "P6", "P8"]
    );
    assert_eq!(
        rows("value-invalid", "AA"),
        ["AA10", "AA2", "AA4", "AA6", "AA8"]
    );
    assert_eq!(
        rows("phone-invalid", "AE"),
        ["AE10", "AE2", "AE4", "AE6", "AE8"]
    );
    assert_eq!(rows("value-missing", "AD"), ["AD10", "AD11", "AD9"]);
    assert_eq!(rows("vague-wording", "Q"), ["Q11", "Q3", "Q7"]);
    let materials: Vec<String> = book
        .diagnostics
        .iter()
        .filter(|d| d.sheet.as_deref() == Some("申请材料") && d.column.as_deref() == Some("B"))
        .map(|d| format!("{} {}", d.rule, d.cell.as_deref().unwrap_or("")))
        .collect();
    assert_eq!(materials.len(), 5, "{materials:?}");
    // The cleaned category is accepted wherever it stands.
    assert!(
        book.diagnostics
            .iter()
            .all(|d| d.value.as_deref() != Some("　行政许可 ")),
        "{:#?}",
        book.diagnostics
    );
}

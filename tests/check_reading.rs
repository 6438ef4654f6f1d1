//! Reading filings as departments lay them out: the header below title rows,
//! merged cells, decorated headers, any column order, aliases, extra and empty
//! columns, trailing blank and note rows, numbers stored as text and text as
//! numbers, full-width digits, CSV pairs in every encoding, folders of mixed
//! filings — every seeded problem reported at the cell Excel shows, and no
//! finding on a correct row.

mod support;

use support::*;

const ITEMS: &str = "事项";
const MATERIALS: &str = "申请材料";

/// Writes a filing laid out by `items`/`materials` to `name` and checks it.
fn check_workbook(name: &str, items: Sheet, materials: Sheet) -> (Report, i32, tempfile::TempDir) {
    let dir = tempdir();
    write_xlsx(&dir.path().join(name), &[items, materials]);
    let (report, code) = check(dir.path(), &[name]);
    (report, code, dir)
}

#[test]
fn a_valid_filing_in_the_plain_layout_has_no_finding() {
    let f = Filing::valid(3);
    let (report, code, _dir) = check_workbook("民政局.xlsx", f.items_sheet(), f.materials_sheet());
    report.assert_clean();
    assert_eq!(code, 0);
    assert_eq!(report.version, 1);
    assert_eq!(
        report.summary,
        Summary {
            files: 1,
            entries: 3,
            materials: 6,
            errors: 0,
            warnings: 0
        }
    );
}

#[test]
fn header_below_title_rows_and_a_merged_title() {
    let mut f = Filing::valid(3);
    f.entries[1].set("事项类型", "行政许");
    let items = f
        .items_sheet()
        .merged_title("娄底市民政局政务服务事项实施清单")
        .row_above(&[
            "填报单位（盖章）：娄底市民政局",
            "",
            "",
            "",
            "填报日期：2024年5月",
        ])
        .blank_above();
    let materials = f
        .materials_sheet()
        .merged_title("娄底市民政局政务服务事项申请材料清单");
    assert_eq!(items.header_row(), 4);
    let (report, code, _dir) = check_workbook("民政局.xlsx", items.clone(), materials.clone());

    // Three rows above the header: the second entry is on row 6, 事项类型 in D.
    let d = report.one("value-invalid");
    assert_eq!(d.cell.as_deref(), Some("D6"));
    assert_eq!(d.cell, Some(items.cell("事项类型", 1)));
    assert_eq!(d.field.as_deref(), Some("category"));
    assert_eq!(d.value.as_deref(), Some("行政许"));
    assert_eq!(report.diagnostics.len(), 1, "{report}");
    for i in [0, 2] {
        report.assert_row_clean("民政局.xlsx", ITEMS, items.row_of(i));
    }
    for i in 0..6 {
        report.assert_row_clean("民政局.xlsx", MATERIALS, materials.row_of(i));
    }
    assert_eq!(report.summary.entries, 3);
    assert_eq!(report.summary.materials, 6);
    assert_eq!(code, 1);
}

#[test]
fn markers_notes_and_line_breaks_in_headers_are_ignored() {
    let mut f = Filing::valid(2);
    f.entries[0].set("承诺办结时限", "");
    let items = f
        .items_sheet()
        .map_headers(|h| format!("*{h}"))
        .rename("*事项名称", "事项名称（必填）")
        .rename("*法定办结时限", "法定办结\n时限（工作日）")
        .rename("*承诺办结时限", "＊承诺办结\r\n时限\n（工作日）")
        .rename("*实施主体编码", "实施主体　编码")
        .rename("*办理流程", "办理流程【每步一行】");
    let materials = f
        .materials_sheet()
        .rename("份数", "份数\n(份)")
        .rename("材料名称", "★材料名称");
    let (report, _, _dir) = check_workbook("民政局.xlsx", items.clone(), materials);

    // The decorated header still names its element: the blank cell is found.
    let cell = items.cell("＊承诺办结\r\n时限\n（工作日）", 0);
    assert_eq!(cell, "S2");
    let d = report.one_at("value-missing", ITEMS, &cell);
    assert_eq!(d.field.as_deref(), Some("promised_days"));
    assert!(report.of("column-unknown").is_empty(), "{report}");
    assert!(report.of("column-missing").is_empty(), "{report}");
    assert_eq!(report.diagnostics.len(), 1, "{report}");
    report.assert_row_clean("民政局.xlsx", ITEMS, items.row_of(1));
}

#[test]
fn columns_in_any_order() {
    let mut f = Filing::valid(3);
    f.entries[2].set("事项类型", "行政许");
    f.entries[1].set("事项名称", "");
    let items = f.items_sheet().reverse_columns();
    let materials = f
        .materials_sheet()
        .order(&["材料名称", "必要性", "份数", "事项序号"]);
    let (report, _, _dir) = check_workbook("民政局.xlsx", items.clone(), materials.clone());

    // 35 columns reversed: 事项类型 (4th) is AF, 事项名称 (2nd) is AH.
    let d = report.one("value-invalid");
    assert_eq!(d.cell.as_deref(), Some("AF4"));
    assert_eq!(d.value.as_deref(), Some("行政许"));
    let d = report.one("value-missing");
    assert_eq!(d.cell.as_deref(), Some("AH3"));
    assert_eq!(d.field.as_deref(), Some("name"));
    assert_eq!(report.diagnostics.len(), 2, "{report}");
    report.assert_row_clean("民政局.xlsx", ITEMS, items.row_of(0));
    for i in 0..6 {
        report.assert_row_clean("民政局.xlsx", MATERIALS, materials.row_of(i));
    }
    assert_eq!(report.summary.materials, 6);
}

#[test]
fn aliases_name_the_standard_columns() {
    let mut f = Filing::valid(2);
    f.entries[1].set("实施主体编码", "");
    let items = f
        .items_sheet()
        .rename("实施主体编码", "统一社会信用代码")
        .rename("事项类型", "事项类别")
        .rename("业务指导部门", "业务主管部门")
        .rename("办理地点", "受理地点")
        .rename("监督投诉电话", "投诉电话")
        .rename("结果名称", "审批结果")
        .named("实施清单");
    let materials = f
        .materials_sheet()
        .rename("材料名称", "申请材料名称")
        .rename("事项序号", "对应事项序号")
        .named("材料清单");
    let (report, _, _dir) = check_workbook("民政局.xlsx", items.clone(), materials);

    // The blank 统一社会信用代码 is reported as the agency_code element, at
    // the alias column, and under the sheet name the workbook uses.
    let cell = items.cell("统一社会信用代码", 1);
    assert_eq!(cell, "I3");
    let d = report.one_at("value-missing", "实施清单", &cell);
    assert_eq!(d.field.as_deref(), Some("agency_code"));
    assert_eq!(report.diagnostics.len(), 1, "{report}");
    report.assert_row_clean("民政局.xlsx", "实施清单", items.row_of(0));
    assert_eq!(report.summary.materials, 4);
}

#[test]
fn sheets_named_otherwise_are_found_by_their_headers() {
    let f = Filing::valid(2);
    let (report, code, _dir) = check_workbook(
        "民政局.xlsx",
        f.materials_sheet().named("Sheet1"),
        f.items_sheet().named("Sheet2"),
    );
    report.assert_clean();
    assert_eq!(code, 0);
    assert_eq!(report.summary.entries, 2);
    assert_eq!(report.summary.materials, 4);
}

#[test]
fn extra_columns_warn_and_empty_columns_are_ignored() {
    let f = Filing::valid(2);
    let items = f
        .items_sheet()
        .insert_column(3, "", &[])
        .insert_column(36, "", &[])
        .insert_column(37, "填报人", &["张三", "张三"]);
    let materials = f.materials_sheet().insert_column(0, "", &[]);
    let (report, code, _dir) = check_workbook("民政局.xlsx", items.clone(), materials.clone());

    let d = report.one("column-unknown");
    assert_eq!(d.severity, "warning");
    assert_eq!(d.cell, Some(items.header_cell("填报人")));
    assert_eq!(d.cell.as_deref(), Some("AL1"));
    assert_eq!(d.value.as_deref(), Some("填报人"));
    assert_eq!(report.diagnostics.len(), 1, "{report}");
    for i in 0..2 {
        report.assert_row_clean("民政局.xlsx", ITEMS, items.row_of(i));
    }
    // Shifted by the empty column A, 事项序号 is read from B.
    assert_eq!(materials.letter("事项序号"), "B");
    assert_eq!(report.summary.materials, 4);
    assert_eq!(code, 0, "a warning alone does not fail the run");
}

#[test]
fn trailing_blank_rows_are_not_entries() {
    let f = Filing::valid(2);
    let (report, code, _dir) = check_workbook(
        "民政局.xlsx",
        f.items_sheet().trailing_blank_rows(6),
        f.materials_sheet().trailing_blank_rows(3),
    );
    report.assert_clean();
    assert_eq!(code, 0);
    assert_eq!(report.summary.entries, 2);
    assert_eq!(report.summary.materials, 4);
}

#[test]
fn notes_and_signature_rows_below_the_table_are_not_entries() {
    let f = Filing::valid(2);
    let items = f
        .items_sheet()
        .row_below(&[])
        .row_below(&["注：1.本表由各实施部门填写；2.序号不得重复。"])
        .row_below(&["填表人：张三", "", "", "联系电话：0738-8312345"])
        .row_below(&["审核人：李四"]);
    let materials = f
        .materials_sheet()
        .row_below(&["说明：材料形式按原件、复印件填写。"]);
    let (report, code, _dir) = check_workbook("民政局.xlsx", items.clone(), materials.clone());
    report.assert_clean();
    assert_eq!(code, 0);
    assert_eq!(report.summary.entries, 2);
    assert_eq!(report.summary.materials, 4);
    // The note rows really are in the sheet, where a data row would be read.
    assert_eq!(items.row_below_of(1), 5);
}

#[test]
fn vertically_merged_cells_fill_every_row_they_cover() {
    let mut f = Filing::valid(4);
    // The last entry leaves its own 实施主体 blank: the merge above it must
    // not reach it.
    f.entries[3].set("实施主体", "");
    let items = f
        .items_sheet()
        .merge_down("实施主体", 0, 2)
        .merge_down("实施主体编码", 0, 2)
        .merge_down("行使层级", 0, 3)
        .merge_down("行政区划代码", 0, 3);
    // Materials commonly merge 事项序号 over the rows of one entry.
    let materials = f
        .materials_sheet()
        .merge_down("事项序号", 0, 1)
        .merge_down("事项序号", 2, 3)
        .merge_down("材料来源", 4, 7);
    let (report, _, _dir) = check_workbook("民政局.xlsx", items.clone(), materials.clone());

    let d = report.one("value-missing");
    assert_eq!(d.cell, Some(items.cell("实施主体", 3)));
    assert_eq!(d.cell.as_deref(), Some("H5"));
    assert_eq!(report.diagnostics.len(), 1, "{report}");
    for i in 0..3 {
        report.assert_row_clean("民政局.xlsx", ITEMS, items.row_of(i));
    }
    for i in 0..8 {
        report.assert_row_clean("民政局.xlsx", MATERIALS, materials.row_of(i));
    }
    assert_eq!(report.summary.materials, 8);
}

#[test]
fn numbers_stored_as_text_are_read_as_numbers() {
    let f = Filing::valid(2);
    let mut items = f.items_sheet();
    for h in NUMERIC_HEADERS.iter().filter(|h| ITEM_HEADERS.contains(h)) {
        items = items.stored_as_text(h);
    }
    let materials = f
        .materials_sheet()
        .stored_as_text("事项序号")
        .stored_as_text("份数");
    let (report, code, _dir) = check_workbook("民政局.xlsx", items, materials);
    report.assert_clean();
    assert_eq!(code, 0);
    assert_eq!(
        report.summary.materials, 4,
        "materials still find their entries"
    );
}

#[test]
fn text_stored_as_numbers_is_read_as_typed() {
    let mut f = Filing::valid(3);
    f.entries[2].set("承诺办结时限", "2.5");
    let items = f
        .items_sheet()
        .stored_as_number("行政区划代码")
        .set_cell("法定办结时限", 0, Cell::Number(20.0))
        .set_cell("到办事现场次数", 0, Cell::Number(1.0))
        .set_cell("法定办结时限", 1, Cell::Text("20.0".into()))
        .stored_as_number("承诺办结时限");
    let (report, _, _dir) = check_workbook("民政局.xlsx", items.clone(), f.materials_sheet());

    // 20.0 reads as 20, 431300 as the code; only the fraction is wrong.
    let d = report.one("value-invalid");
    assert_eq!(d.cell, Some(items.cell("承诺办结时限", 2)));
    assert_eq!(d.value.as_deref(), Some("2.5"));
    assert_eq!(d.field.as_deref(), Some("promised_days"));
    assert_eq!(report.diagnostics.len(), 1, "{report}");
    for i in 0..2 {
        report.assert_row_clean("民政局.xlsx", ITEMS, items.row_of(i));
    }
}

#[test]
fn full_width_digits_are_read_as_digits() {
    let mut f = Filing::valid(2);
    f.entries[0]
        .set("序号", "１")
        .set("法定办结时限", "２０")
        .set("承诺办结时限", "５")
        .set("到办事现场次数", "１")
        .set("行政区划代码", "４３１３００");
    f.materials[0].set("事项序号", "１").set("份数", "１");
    f.entries[1].set("到办事现场次数", "１２");
    let items = f.items_sheet();
    let (report, _, _dir) = check_workbook("民政局.xlsx", items.clone(), f.materials_sheet());

    // １２ is read as 12: out of range, reported with the value as typed.
    let d = report.one("value-invalid");
    assert_eq!(d.cell, Some(items.cell("到办事现场次数", 1)));
    assert_eq!(d.value.as_deref(), Some("１２"));
    assert_eq!(report.diagnostics.len(), 1, "{report}");
    report.assert_row_clean("民政局.xlsx", ITEMS, items.row_of(0));
    assert_eq!(report.summary.materials, 4);
}

#[test]
fn csv_pairs_in_utf8_utf8_bom_and_gbk() {
    for encoding in [Encoding::Utf8, Encoding::Utf8Bom, Encoding::Gbk] {
        let dir = tempdir();
        let mut f = Filing::valid(3);
        f.entries[1].set("事项类型", "行政许");
        f.materials[3].set("材料形式", "复印本");
        let items = f.items_sheet();
        // A GBK export from WPS keeps its title row.
        let items = if encoding == Encoding::Gbk {
            items.row_above(&["娄底市民政局政务服务事项实施清单"])
        } else {
            items
        };
        let materials = f.materials_sheet();
        write_csv_pair(dir.path(), "民政局-", &items, &materials, encoding);
        let (report, code) = check(dir.path(), &["."]);

        let ctx = format!("{encoding:?}:\n{report}");
        assert!(report.of("file-unreadable").is_empty(), "{ctx}");
        let d = report.one_at("value-invalid", ITEMS, &items.cell("事项类型", 1));
        assert_eq!(d.file, "民政局-事项.csv", "{ctx}");
        assert_eq!(d.value.as_deref(), Some("行政许"), "{ctx}");
        let d2 = report.one_at("value-invalid", MATERIALS, &materials.cell("材料形式", 3));
        assert_eq!(d2.file, "民政局-申请材料.csv", "{ctx}");
        assert!(d2.help.contains("复印件"), "did you mean: {ctx}");
        assert_eq!(report.diagnostics.len(), 2, "{ctx}");
        report.assert_row_clean("民政局-事项.csv", ITEMS, items.row_of(0));
        report.assert_row_clean("民政局-事项.csv", ITEMS, items.row_of(2));
        assert_eq!(report.summary.files, 1, "{ctx}");
        assert_eq!(report.summary.entries, 3, "{ctx}");
        assert_eq!(report.summary.materials, 6, "{ctx}");
        assert_eq!(code, 1, "{ctx}");
    }
}

#[test]
fn a_folder_of_mixed_filings_is_checked_whole() {
    let dir = tempdir();
    let root = dir.path();
    Filing::valid(2).write_xlsx(&root.join("民政局.xlsx"));
    std::fs::create_dir(root.join("公安")).unwrap();
    let mut police = Filing::valid(2).by(&Agency::public_security());
    police.entries[1].set("是否收费", "不确定");
    police.write_csv(&root.join("公安"), "公安局-", Encoding::Gbk);
    std::fs::create_dir_all(root.join("人社/2024")).unwrap();
    Filing::valid(3)
        .by(&Agency::human_resources())
        .write_xlsx(&root.join("人社/2024/人社局.xlsx"));
    // Neither filings nor inputs: a note, an Office lock file, a hidden file.
    std::fs::write(root.join("说明.txt"), "各单位请于月底前报送。").unwrap();
    std::fs::write(root.join("~$民政局.xlsx"), b"\x0c\x00lock").unwrap();
    std::fs::write(root.join(".备份.xlsx"), b"not a workbook").unwrap();

    let (report, code) = check(root, &["."]);
    let d = report.one("value-invalid");
    assert_eq!(d.file, "公安/公安局-事项.csv");
    assert_eq!(d.cell, Some(police.items_sheet().cell("是否收费", 1)));
    assert_eq!(report.diagnostics.len(), 1, "{report}");
    assert_eq!(report.summary.files, 3);
    assert_eq!(report.summary.entries, 7);
    assert_eq!(report.summary.materials, 14);
    assert_eq!(code, 1);
}

#[test]
fn an_unpaired_csv_is_a_missing_sheet() {
    let dir = tempdir();
    let f = Filing::valid(2);
    std::fs::write(
        dir.path().join("民政局-事项.csv"),
        encode(&f.items_sheet().to_csv(), Encoding::Utf8),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("财政局申请材料.csv"),
        encode(&f.materials_sheet().to_csv(), Encoding::Utf8Bom),
    )
    .unwrap();
    let (report, code) = check(dir.path(), &["."]);

    let missing = report.of("sheet-missing");
    assert_eq!(missing.len(), 2, "{report}");
    let no_materials = missing
        .iter()
        .find(|d| d.file == "民政局-事项.csv")
        .expect("the 事项 file lacks its 申请材料 partner");
    assert!(no_materials.message.contains("申请材料"), "{report}");
    let no_items = missing
        .iter()
        .find(|d| d.file == "财政局申请材料.csv")
        .expect("the 申请材料 file lacks its 事项 partner");
    assert!(no_items.message.contains("事项"), "{report}");
    // The half that is there is still read.
    assert_eq!(report.summary.entries, 2, "{report}");
    assert_eq!(code, 1);
}

#[test]
fn reported_places_are_the_cells_excel_shows() {
    let mut f = Filing::valid(4);
    f.entries[3].set("网办地址", "www.hnloudi.gov.cn");
    f.entries[0].set("服务对象", "");
    f.materials[5].set("必要性", "必需");
    // Two title rows, an empty column A, the columns reversed: nothing is
    // where the standard workbook has it.
    let items = f
        .items_sheet()
        .reverse_columns()
        .insert_column(0, "", &[])
        .merged_title("娄底市民政局政务服务事项实施清单")
        .row_above(&["填报单位：娄底市民政局"]);
    let materials = f
        .materials_sheet()
        .merged_title("申请材料")
        .blank_above()
        .blank_above();
    let (report, _, _dir) = check_workbook("民政局.xlsx", items.clone(), materials.clone());

    // Counted by hand in Excel: 网办地址 is the 26th of 35 columns, 10th from
    // the right, so column K after the empty A; entry 4 is on row 3 + 4 = 7.
    let d = report.one_at("value-invalid", ITEMS, "K7");
    assert_eq!(d.row, Some(7));
    assert_eq!(d.column.as_deref(), Some("K"));
    assert_eq!(d.field.as_deref(), Some("online_url"));
    assert_eq!(d.value.as_deref(), Some("www.hnloudi.gov.cn"));
    assert_eq!(items.cell("网办地址", 3), "K7");
    // 服务对象 is the 14th column: 22nd from the right, W after the shift.
    let d = report.one_at("value-missing", ITEMS, "W4");
    assert_eq!((d.row, d.column.as_deref()), (Some(4), Some("W")));
    assert_eq!(d.field.as_deref(), Some("audience"));
    // The sixth material, below a title and two blank rows: row 4 + 6 = 10.
    let d = report.one_at("value-invalid", MATERIALS, "G10");
    assert_eq!(d.field.as_deref(), Some("necessity"));
    assert_eq!(materials.cell("必要性", 5), "G10");
    assert_eq!(report.diagnostics.len(), 3, "{report}");
    for d in &report.diagnostics {
        let cell = d.cell.clone().unwrap_or_default();
        let (col, row) = cell.split_at(cell.find(|c: char| c.is_ascii_digit()).unwrap());
        assert_eq!(d.column.as_deref(), Some(col), "{report}");
        assert_eq!(
            d.row.map(|r| r.to_string()).as_deref(),
            Some(row),
            "{report}"
        );
    }
}

#[test]
fn empty_rows_at_the_top_keep_excel_row_numbers() {
    let mut f = Filing::valid(2);
    f.entries[1].set("办件类型", "即办");
    f.entries[1].set("承诺办结时限", "0");
    f.entries[0].set("通办范围", "全国");
    // Rows 1–3 hold no cell at all, so the sheet's used range starts at row 4.
    let items = f.items_sheet().blank_above().blank_above().blank_above();
    let (report, _, _dir) = check_workbook("民政局.xlsx", items.clone(), f.materials_sheet());

    let d = report.one("value-invalid");
    assert_eq!(d.cell.as_deref(), Some("AA5"));
    assert_eq!(d.field.as_deref(), Some("scope"));
    assert_eq!(report.diagnostics.len(), 1, "{report}");
    // 即办 is an alias of 即办件, with 0 days: a correct row.
    report.assert_row_clean("民政局.xlsx", ITEMS, items.row_of(1));
}

#[test]
fn a_two_level_header_with_merged_group_cells() {
    let mut f = Filing::valid(3);
    f.entries[2].set("是否收费", "是").set("收费依据", "");
    f.entries[2].set("收费标准", "每证10元");
    let items = f
        .items_sheet()
        .merged_title("娄底市民政局政务服务事项实施清单")
        .group_header("收费情况", &["是否收费", "收费标准", "收费依据"]);
    let materials = f
        .materials_sheet()
        .group_header("材料要求", &["材料形式", "份数"]);
    assert_eq!(items.header_row(), 3);
    let (report, _, _dir) = check_workbook("民政局.xlsx", items.clone(), materials.clone());

    // The header is the lower row; the merged headers above it still name
    // their columns, and the group label is no column.
    assert!(report.of("column-missing").is_empty(), "{report}");
    assert!(report.of("column-unknown").is_empty(), "{report}");
    assert!(report.of("header-missing").is_empty(), "{report}");
    let fee = report.one("fee-basis-missing");
    assert_eq!(fee.cell, Some(items.cell("收费依据", 2)));
    assert_eq!(fee.cell.as_deref(), Some("X6"));
    for i in 0..2 {
        report.assert_row_clean("民政局.xlsx", ITEMS, items.row_of(i));
    }
    for i in 0..6 {
        report.assert_row_clean("民政局.xlsx", MATERIALS, materials.row_of(i));
    }
    assert_eq!(report.summary.entries, 3);
    assert_eq!(report.summary.materials, 6);
}

#[test]
fn a_row_of_column_numbers_under_the_header_is_not_an_entry() {
    let mut f = Filing::valid(2);
    f.entries[1].set("是否进驻政务大厅", "进驻");
    let numbers: Vec<String> = (1..=ITEM_HEADERS.len()).map(|n| n.to_string()).collect();
    let numbers: Vec<&str> = numbers.iter().map(String::as_str).collect();
    let items = f.items_sheet().row_under_header(&numbers);
    let (report, _, _dir) = check_workbook("民政局.xlsx", items.clone(), f.materials_sheet());

    let d = report.one("value-invalid");
    assert_eq!(d.cell.as_deref(), Some("AB4"));
    assert_eq!(d.cell, Some(items.cell("是否进驻政务大厅", 1)));
    assert_eq!(report.diagnostics.len(), 1, "{report}");
    report.assert_row_clean("民政局.xlsx", ITEMS, 2);
    report.assert_row_clean("民政局.xlsx", ITEMS, items.row_of(0));
    assert_eq!(report.summary.entries, 2);
}

#[test]
fn an_instructions_sheet_before_the_data_is_not_a_filing_sheet() {
    let f = Filing::valid(2);
    // A 填表说明 sheet listing the columns one per row, as templates do.
    let rows: Vec<[&str; 2]> = ITEM_HEADERS.iter().map(|h| [*h, "按标准填写"]).collect();
    let rows: Vec<&[&str]> = rows.iter().map(|r| r.as_slice()).collect();
    let guide = Sheet::raw("填表说明", &["列名", "填写要求"], &rows);
    let dir = tempdir();
    write_xlsx(
        &dir.path().join("民政局.xlsx"),
        &[guide, f.items_sheet().named("Sheet1"), f.materials_sheet()],
    );
    let (report, code) = check(dir.path(), &["民政局.xlsx"]);
    report.assert_clean();
    assert_eq!(code, 0);
    assert_eq!(report.summary.entries, 2);
    assert_eq!(report.summary.materials, 4);
}

#[test]
fn multi_line_cells_in_csv_do_not_shift_row_numbers() {
    let dir = tempdir();
    let mut f = Filing::valid(3);
    f.entries[0]
        .set("办理流程", "1.申请\n2.受理\n3.审查\n4.决定")
        .set("受理条件", "有规范的名称和章程；\r\n有固定的住所。");
    f.entries[2].set("行使层级", "省级");
    let items = f.items_sheet();
    f.write_csv(dir.path(), "民政局", Encoding::Utf8Bom);
    let (report, _) = check(dir.path(), &["."]);

    // Excel shows the third entry on row 4, however many lines the first has.
    let d = report.one("value-invalid");
    assert_eq!(d.cell.as_deref(), Some("K4"));
    assert_eq!(d.cell, Some(items.cell("行使层级", 2)));
    assert_eq!(d.file, "民政局事项.csv");
    assert_eq!(report.diagnostics.len(), 1, "{report}");
    report.assert_row_clean("民政局事项.csv", ITEMS, 2);
    report.assert_row_clean("民政局事项.csv", ITEMS, 3);
}

#[test]
fn formulas_and_boolean_cells_are_read_by_their_saved_values() {
    let f = Filing::valid(3);
    let mut items = f.items_sheet();
    // 序号 filled by formula, as many departments number their rows.
    for i in 0..3 {
        items = items.set_cell("序号", i, Cell::Formula("=ROW()-1".into(), i as f64 + 1.0));
    }
    let items = items
        .set_cell("是否收费", 0, Cell::Bool(false))
        .set_cell("是否进驻政务大厅", 1, Cell::Bool(true))
        .set_cell("承诺办结时限", 2, Cell::Formula("=20/8".into(), 2.5));
    let (report, _, _dir) = check_workbook("民政局.xlsx", items.clone(), f.materials_sheet());

    let d = report.one("value-invalid");
    assert_eq!(d.cell, Some(items.cell("承诺办结时限", 2)));
    assert_eq!(d.value.as_deref(), Some("2.5"));
    assert_eq!(report.diagnostics.len(), 1, "{report}");
    for i in 0..2 {
        report.assert_row_clean("民政局.xlsx", ITEMS, items.row_of(i));
    }
    assert_eq!(
        report.summary.materials, 6,
        "materials find the formula 序号"
    );
}

#[test]
fn sheet_names_with_stray_spaces_are_recognized() {
    let f = Filing::valid(1);
    let (report, code, _dir) = check_workbook(
        "民政局.xlsx",
        f.items_sheet().named(" 事项 "),
        f.materials_sheet().named("申请 材料"),
    );
    report.assert_clean();
    assert_eq!(code, 0);
    assert_eq!(report.summary.materials, 2);
}

#[test]
fn pre_numbered_empty_rows_are_not_entries() {
    let f = Filing::valid(2);
    // Templates often come with 序号 typed down the sheet in advance.
    let items = f
        .items_sheet()
        .row_below(&["3"])
        .row_below(&["4"])
        .row_below(&["5"]);
    let (report, code, _dir) = check_workbook("民政局.xlsx", items.clone(), f.materials_sheet());
    for i in 0..3 {
        report.assert_row_clean("民政局.xlsx", ITEMS, items.row_below_of(i));
    }
    assert_eq!(report.summary.entries, 2);
    assert_eq!(code, 0);
}

#[test]
fn section_rows_inside_the_table_are_not_entries() {
    let f = Filing::valid(2);
    // Lists grouped by category carry a heading row per group.
    let items = f
        .items_sheet()
        .row_under_header(&["一、行政许可"])
        .row_below(&["二、公共服务"]);
    let (report, code, _dir) = check_workbook("民政局.xlsx", items.clone(), f.materials_sheet());
    report.assert_row_clean("民政局.xlsx", ITEMS, items.header_row() + 1);
    report.assert_row_clean("民政局.xlsx", ITEMS, items.row_below_of(0));
    assert_eq!(report.summary.entries, 2);
    assert_eq!(code, 0);
}

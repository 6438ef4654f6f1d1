//! The structural rules of SPEC §4, each with a failing and a passing case,
//! asserted on the JSON report: rule id, severity, cell, field and value.
//! (file-unreadable has its own suite, `check_unreadable.rs`.)

mod support;

use support::*;

const FILE: &str = "民政局.xlsx";
const ITEMS: &str = "事项";
const MATERIALS: &str = "申请材料";

/// Writes `sheets` as `民政局.xlsx` and checks it.
fn check_sheets(sheets: &[Sheet]) -> (Report, i32) {
    let dir = tempdir();
    write_xlsx(&dir.path().join(FILE), sheets);
    check(dir.path(), &[FILE])
}

/// Checks a filing in the plain layout.
fn check_filing(f: &Filing) -> (Report, i32) {
    check_sheets(&[f.items_sheet(), f.materials_sheet()])
}

#[test]
fn support_computes_the_uscc_check_characters_of_spec_examples() {
    // The fixtures' agency codes are only as valid as this computation.
    assert_eq!(uscc("11", "450721", "00811537"), "114507210081153718");
    assert_eq!(uscc("12", "441500", "19672024"), "12441500196720244T");
    assert_eq!(uscc("11", "511300", "00877869"), "11511300008778693M");
}

// --- file-unreadable --------------------------------------------------------

#[test]
fn file_unreadable_fails_on_a_text_file_and_passes_on_a_workbook() {
    let dir = tempdir();
    std::fs::write(
        dir.path().join("坏.xlsx"),
        "序号,事项名称\n1,社会团体成立登记\n",
    )
    .unwrap();
    Filing::valid(1).write_xlsx(&dir.path().join("好.xlsx"));
    let (report, code) = check(dir.path(), &["坏.xlsx", "好.xlsx"]);

    let d = report.one("file-unreadable");
    assert_eq!(d.severity, "error");
    assert_eq!(d.file, "坏.xlsx");
    assert_eq!((d.sheet.as_deref(), d.cell.as_deref()), (None, None));
    assert!(report.in_file("好.xlsx").is_empty(), "{report}");
    assert_eq!(code, 1);
}

// --- sheet-missing ----------------------------------------------------------

#[test]
fn sheet_missing_fails_without_a_materials_sheet() {
    let f = Filing::valid(2);
    let guide = Sheet::raw("填表说明", &["说明"], &[&["请按标准填写"]]);
    let (report, code) = check_sheets(&[f.items_sheet(), guide]);

    let d = report.one("sheet-missing");
    assert_eq!(d.severity, "error");
    assert_eq!(d.file, FILE);
    assert_eq!(d.cell, None);
    assert!(d.message.contains("申请材料"), "{report}");
    // The value lists the sheets the workbook has.
    assert_eq!(d.value.as_deref(), Some("事项、填表说明"));
    // What could be read was read.
    assert_eq!(report.summary.entries, 2);
    assert_eq!(code, 1);
}

#[test]
fn sheet_missing_fails_twice_when_no_sheet_is_recognized() {
    let notes = Sheet::raw("Sheet1", &["说明"], &[&["本单位无政务服务事项"]]);
    let (report, code) = check_sheets(&[notes]);
    let found = report.of("sheet-missing");
    assert_eq!(found.len(), 2, "{report}");
    assert!(found.iter().any(|d| d.message.contains("事项")));
    assert!(found.iter().any(|d| d.message.contains("申请材料")));
    assert!(found.iter().all(|d| d.value.as_deref() == Some("Sheet1")));
    assert_eq!(code, 1);
}

#[test]
fn sheet_missing_passes_when_sheets_are_found_by_alias_or_by_header() {
    let f = Filing::valid(2);
    for (items_name, materials_name) in [("事项清单", "申请材料清单"), ("Sheet2", "Sheet1")]
    {
        let (report, code) = check_sheets(&[
            f.items_sheet().named(items_name),
            f.materials_sheet().named(materials_name),
        ]);
        assert!(
            report.of("sheet-missing").is_empty(),
            "{items_name}/{materials_name}:\n{report}"
        );
        report.assert_clean();
        assert_eq!(code, 0);
    }
}

// --- header-missing ---------------------------------------------------------

/// The items sheet with `n` title rows above its header.
fn items_below(f: &Filing, n: usize) -> Sheet {
    let mut s = f.items_sheet();
    for i in 0..n {
        s = s.row_above(&[&format!("说明第{}行", i + 1)]);
    }
    s
}

#[test]
fn header_missing_fails_when_the_header_is_below_row_10() {
    let f = Filing::valid(1);
    let items = items_below(&f, 10);
    assert_eq!(items.header_row(), 11);
    let (report, code) = check_sheets(&[items, f.materials_sheet()]);

    let d = report.one("header-missing");
    assert_eq!(d.severity, "error");
    assert_eq!(d.sheet.as_deref(), Some(ITEMS));
    assert_eq!(d.cell, None);
    assert!(d.message.contains("10"), "{report}");
    assert_eq!(report.summary.entries, 0);
    assert_eq!(code, 1);
}

#[test]
fn header_missing_fails_on_a_sheet_of_data_without_header() {
    let f = Filing::valid(1);
    // The materials sheet lost its header row: data only.
    let rows: Vec<Vec<String>> = f.materials.iter().map(Record::values).collect();
    let rows: Vec<Vec<&str>> = rows
        .iter()
        .map(|r| r.iter().map(String::as_str).collect())
        .collect();
    let rows: Vec<&[&str]> = rows.iter().map(Vec::as_slice).collect();
    let (first, rest) = rows.split_first().unwrap();
    let headless = Sheet::raw(MATERIALS, first, rest);
    let (report, _) = check_sheets(&[f.items_sheet(), headless]);
    let d = report.one("header-missing");
    assert_eq!(d.sheet.as_deref(), Some(MATERIALS));
}

#[test]
fn header_missing_passes_when_the_header_is_on_row_10() {
    let f = Filing::valid(1);
    let items = items_below(&f, 9);
    assert_eq!(items.header_row(), 10);
    let (report, code) = check_sheets(&[items.clone(), f.materials_sheet()]);
    assert!(report.of("header-missing").is_empty(), "{report}");
    report.assert_clean();
    assert_eq!(items.row_of(0), 11);
    assert_eq!(code, 0);
}

// --- column-missing ---------------------------------------------------------

#[test]
fn column_missing_fails_when_a_required_column_is_absent() {
    let f = Filing::valid(2);
    let (report, code) = check_sheets(&[
        f.items_sheet().drop("受理条件").drop("权力来源"),
        f.materials_sheet().drop("必要性"),
    ]);

    let missing = report.of("column-missing");
    assert_eq!(missing.len(), 3, "{report}");
    let by_field = |field: &str| {
        missing
            .iter()
            .find(|d| d.field.as_deref() == Some(field))
            .unwrap_or_else(|| panic!("no column-missing for {field}:\n{report}"))
    };
    let d = by_field("conditions");
    assert_eq!(d.severity, "error");
    assert_eq!(d.sheet.as_deref(), Some(ITEMS));
    assert_eq!(d.row, Some(1), "reported at the header row");
    assert_eq!(d.cell, None, "no cell: the column is not there");
    assert!(d.message.contains("受理条件"));
    // 权力来源 is required for administrative powers, so its column is.
    by_field("power_source");
    let d = by_field("necessity");
    assert_eq!(d.sheet.as_deref(), Some(MATERIALS));
    assert_eq!(code, 1);
}

#[test]
fn column_missing_passes_when_only_optional_columns_are_absent() {
    let f = Filing::valid(2);
    let (report, code) = check_sheets(&[
        f.items_sheet()
            .drop("子项名称")
            .drop("基本编码")
            .drop("实施编码")
            .drop("是否转报")
            .drop("备注"),
        f.materials_sheet()
            .drop("电子证照")
            .drop("材料依据")
            .drop("填报须知"),
    ]);
    assert!(report.of("column-missing").is_empty(), "{report}");
    report.assert_clean();
    assert_eq!(code, 0);
}

// --- column-unknown ---------------------------------------------------------

#[test]
fn column_unknown_warns_with_did_you_mean() {
    let f = Filing::valid(2);
    let items = f
        .items_sheet()
        .rename("受理条件", "受里条件")
        .insert_column(35, "填报人", &["张三", "张三"]);
    let (report, _) = check_sheets(&[items.clone(), f.materials_sheet()]);

    let d = report.one_at("column-unknown", ITEMS, &items.header_cell("受里条件"));
    assert_eq!(d.severity, "warning");
    assert_eq!(d.cell.as_deref(), Some("P1"));
    assert_eq!(d.value.as_deref(), Some("受里条件"));
    assert!(d.help.contains("受理条件"), "did you mean: {}", d.help);
    let d = report.one_at("column-unknown", ITEMS, "AJ1");
    assert_eq!(d.value.as_deref(), Some("填报人"));
    assert!(
        !d.help.contains("是否应为"),
        "no suggestion for 填报人: {}",
        d.help
    );
    // The misspelt column is not read, so 受理条件 is missing.
    assert_eq!(
        report.one("column-missing").field.as_deref(),
        Some("conditions")
    );
}

#[test]
fn column_unknown_passes_on_aliases_and_decorated_headers() {
    let f = Filing::valid(2);
    let items = f
        .items_sheet()
        .rename("受理条件", "申请条件")
        .rename("序号", "*序号")
        .rename("事项名称", "事项名称（必填）");
    let (report, code) = check_sheets(&[items, f.materials_sheet()]);
    assert!(report.of("column-unknown").is_empty(), "{report}");
    report.assert_clean();
    assert_eq!(code, 0);
}

// --- column-duplicate -------------------------------------------------------

#[test]
fn column_duplicate_fails_when_two_columns_name_one_element() {
    let f = Filing::valid(2);
    let items = f
        .items_sheet()
        .insert_column(2, "主项名称", &["社会团体登记", "社会团体登记"]);
    let (report, code) = check_sheets(&[items.clone(), f.materials_sheet()]);

    let d = report.one("column-duplicate");
    assert_eq!(d.severity, "error");
    assert_eq!(d.cell.as_deref(), Some("C1"));
    assert_eq!(d.cell, Some(items.header_cell("主项名称")));
    assert_eq!(d.field.as_deref(), Some("name"));
    assert_eq!(d.value.as_deref(), Some("主项名称"));
    assert!(
        d.message.contains("与 B 列"),
        "names the first column: {}",
        d.message
    );
    assert_eq!(code, 1);
}

#[test]
fn column_duplicate_passes_on_similar_but_distinct_elements() {
    // 事项名称 and 子项名称, 法定 and 承诺 时限, 咨询 and 投诉 电话: alike, distinct.
    let f = Filing::valid(2);
    let (report, _) = check_filing(&f);
    assert!(report.of("column-duplicate").is_empty(), "{report}");
    report.assert_clean();
}

// --- value-missing ----------------------------------------------------------

#[test]
fn value_missing_fails_on_blank_required_cells() {
    let mut f = Filing::valid(3);
    f.entries[0].set("事项名称", "");
    f.entries[1].set("受理条件", "   ");
    f.materials[4].set("材料名称", "");
    let items = f.items_sheet();
    let materials = f.materials_sheet();
    let (report, code) = check_sheets(&[items.clone(), materials.clone()]);

    let d = report.one_at("value-missing", ITEMS, "B2");
    assert_eq!(d.severity, "error");
    assert_eq!(d.field.as_deref(), Some("name"));
    assert_eq!(d.value, None);
    let d = report.one_at("value-missing", ITEMS, &items.cell("受理条件", 1));
    assert_eq!(d.field.as_deref(), Some("conditions"));
    let d = report.one_at("value-missing", MATERIALS, &materials.cell("材料名称", 4));
    assert_eq!(d.cell.as_deref(), Some("B6"));
    assert_eq!(d.field.as_deref(), Some("name"));
    assert_eq!(report.of("value-missing").len(), 3, "{report}");
    report.assert_row_clean(FILE, ITEMS, items.row_of(2));
    assert_eq!(code, 1);
}

#[test]
fn value_missing_fails_on_conditional_requirements() {
    let mut f = Filing::valid(4);
    // 行政许可 needs 权力来源, 法定办结时限 and 结果名称.
    f.entries[0].set("权力来源", "");
    f.entries[1].set("法定办结时限", "");
    f.entries[2].set("结果名称", "");
    // 窗口办理 needs 办理地点.
    f.entries[3].set("办理地点", "");
    let items = f.items_sheet();
    let (report, _) = check_sheets(&[items.clone(), f.materials_sheet()]);

    for (i, header, field) in [
        (0, "权力来源", "power_source"),
        (1, "法定办结时限", "statutory_days"),
        (2, "结果名称", "result_name"),
        (3, "办理地点", "address"),
    ] {
        let d = report.one_at("value-missing", ITEMS, &items.cell(header, i));
        assert_eq!(d.field.as_deref(), Some(field));
        assert_eq!(d.severity, "error");
    }
    assert_eq!(report.of("value-missing").len(), 4, "{report}");
}

#[test]
fn conditional_requirements_with_rules_of_their_own_are_not_value_missing() {
    let mut f = Filing::valid(3);
    f.entries[0].set("设定依据", "");
    f.entries[1]
        .set("是否收费", "是")
        .set("收费标准", "每证10元")
        .set("收费依据", "");
    f.entries[2].set("网办地址", "");
    let items = f.items_sheet();
    let (report, _) = check_sheets(&[items.clone(), f.materials_sheet()]);

    for (i, header, rule) in [
        (0, "设定依据", "legal-basis-missing"),
        (1, "收费依据", "fee-basis-missing"),
        (2, "网办地址", "online-url-missing"),
    ] {
        let cell = items.cell(header, i);
        report.one_at(rule, ITEMS, &cell);
        assert!(
            report
                .at(ITEMS, &cell)
                .iter()
                .all(|d| d.rule != "value-missing"),
            "{cell} reported twice:\n{report}"
        );
    }
    assert!(report.of("value-missing").is_empty(), "{report}");
}

#[test]
fn value_missing_passes_when_the_condition_does_not_hold() {
    let mut f = Filing::valid(3);
    // A public service needs no 权力来源, 设定依据, 法定办结时限 or 结果名称.
    f.entries[0]
        .set("事项类型", "公共服务")
        .set("权力来源", "")
        .set("设定依据", "")
        .set("法定办结时限", "")
        .set("结果名称", "");
    // 法定办结时限 无 is allowed for a public service.
    f.entries[1]
        .set("事项类型", "公共服务")
        .set("法定办结时限", "无")
        .set("结果名称", "");
    // Online only: no 办理地点; not charged: no 收费标准/收费依据.
    f.entries[2]
        .set("办理形式", "网上办理")
        .set("办理地点", "")
        .set("是否进驻政务大厅", "否");
    let items = f.items_sheet();
    let (report, code) = check_sheets(&[items.clone(), f.materials_sheet()]);
    for i in 0..3 {
        report.assert_row_clean(FILE, ITEMS, items.row_of(i));
    }
    report.assert_clean();
    assert_eq!(code, 0);
}

// --- value-invalid ----------------------------------------------------------

#[test]
fn value_invalid_names_the_value_and_suggests_the_right_one() {
    let mut f = Filing::valid(3);
    f.entries[0].set("事项类型", "行政许");
    f.entries[1].set("实施主体性质", "法定机构");
    f.entries[2].set("服务对象", "自然人、外国人");
    let items = f.items_sheet();
    let (report, code) = check_sheets(&[items.clone(), f.materials_sheet()]);

    let d = report.one_at("value-invalid", ITEMS, "D2");
    assert_eq!(d.severity, "error");
    assert_eq!(d.field.as_deref(), Some("category"));
    assert_eq!(d.value.as_deref(), Some("行政许"));
    assert!(d.help.contains("是否应为“行政许可”"), "{}", d.help);
    let d = report.one_at("value-invalid", ITEMS, &items.cell("实施主体性质", 1));
    assert_eq!(d.field.as_deref(), Some("agency_nature"));
    assert!(d.help.contains("是否应为“法定机关”"), "{}", d.help);
    // In a multi-valued cell, the bad part is named.
    let d = report.one_at("value-invalid", ITEMS, &items.cell("服务对象", 2));
    assert_eq!(d.field.as_deref(), Some("audience"));
    assert!(d.message.contains("外国人"), "{}", d.message);
    assert!(!d.message.contains("自然人"), "{}", d.message);
    assert_eq!(report.of("value-invalid").len(), 3, "{report}");
    assert_eq!(code, 1);
}

#[test]
fn value_invalid_suggests_the_closest_long_value() {
    let mut f = Filing::valid(1);
    f.materials[0].set("材料形式", "原件和复印伴");
    let materials = f.materials_sheet();
    let (report, _) = check_sheets(&[f.items_sheet(), materials.clone()]);
    let d = report.one_at("value-invalid", MATERIALS, &materials.cell("材料形式", 0));
    assert!(d.help.contains("是否应为“原件和复印件”"), "{}", d.help);
}

#[test]
fn value_invalid_fails_on_numbers_ranges_and_urls() {
    let mut f = Filing::valid(4);
    f.entries[0].set("承诺办结时限", "5个月");
    f.entries[1].set("到办事现场次数", "12");
    f.entries[2].set("网办地址", "www.hnloudi.gov.cn");
    f.entries[3].set("法定办结时限", "无");
    f.materials[0].set("份数", "0");
    let items = f.items_sheet();
    let materials = f.materials_sheet();
    let (report, _) = check_sheets(&[items.clone(), materials.clone()]);

    let d = report.one_at("value-invalid", ITEMS, &items.cell("承诺办结时限", 0));
    assert_eq!(d.field.as_deref(), Some("promised_days"));
    assert_eq!(d.value.as_deref(), Some("5个月"));
    assert!(d.help.contains("换算"), "months are no days: {}", d.help);
    let d = report.one_at("value-invalid", ITEMS, &items.cell("到办事现场次数", 1));
    assert_eq!(d.field.as_deref(), Some("visits"));
    assert_eq!(d.value.as_deref(), Some("12"));
    let d = report.one_at("value-invalid", ITEMS, &items.cell("网办地址", 2));
    assert_eq!(d.field.as_deref(), Some("online_url"));
    assert!(d.help.contains("https://www.hnloudi.gov.cn"), "{}", d.help);
    // 无 is for public services only.
    let d = report.one_at("value-invalid", ITEMS, &items.cell("法定办结时限", 3));
    assert_eq!(d.field.as_deref(), Some("statutory_days"));
    assert_eq!(d.value.as_deref(), Some("无"));
    // A paper material needs a copy.
    let d = report.one_at("value-invalid", MATERIALS, &materials.cell("份数", 0));
    assert_eq!(d.field.as_deref(), Some("copies"));
    assert_eq!(d.value.as_deref(), Some("0"));
    assert_eq!(report.of("value-invalid").len(), 5, "{report}");
}

#[test]
fn value_invalid_passes_on_aliases_and_edge_values() {
    let mut f = Filing::valid(3);
    f.entries[0]
        .set("行使层级", "市本级")
        .set("事项类型", "01")
        .set("服务对象", "企业法人；事业单位\n社会组织")
        .set("办理形式", "窗口、网办");
    f.entries[1]
        .set("到办事现场次数", "0")
        .set("办件类型", "即办件")
        .set("承诺办结时限", "0")
        .set("网办地址", "http://www.hnloudi.gov.cn/zwfw/index.html?id=1");
    f.materials[2].set("材料形式", "电子材料").set("份数", "0");
    f.materials[3].set("材料形式", "原件及复印件");
    let items = f.items_sheet();
    let materials = f.materials_sheet();
    let (report, code) = check_sheets(&[items.clone(), materials.clone()]);
    assert!(report.of("value-invalid").is_empty(), "{report}");
    for i in 0..3 {
        report.assert_row_clean(FILE, ITEMS, items.row_of(i));
    }
    for i in 0..6 {
        report.assert_row_clean(FILE, MATERIALS, materials.row_of(i));
    }
    assert_eq!(code, 0);
}

// --- value-too-long ---------------------------------------------------------

#[test]
fn value_too_long_fails_over_the_limit() {
    let mut f = Filing::valid(2);
    let name = "社会团体成立登记".repeat(25) + "审";
    assert_eq!(name.chars().count(), 201);
    f.entries[0].set("事项名称", name.as_str());
    let agency = "娄底市民政局".repeat(17);
    assert_eq!(agency.chars().count(), 102);
    f.entries[1].set("实施主体", agency.as_str());
    let items = f.items_sheet();
    let (report, code) = check_sheets(&[items.clone(), f.materials_sheet()]);

    let d = report.one_at("value-too-long", ITEMS, "B2");
    assert_eq!(d.severity, "error");
    assert_eq!(d.field.as_deref(), Some("name"));
    assert_eq!(d.value.as_deref(), Some(name.as_str()));
    assert!(
        d.message.contains("201") && d.message.contains("200"),
        "{}",
        d.message
    );
    let d = report.one_at("value-too-long", ITEMS, &items.cell("实施主体", 1));
    assert_eq!(d.field.as_deref(), Some("agency"));
    assert!(d.message.contains("100"), "{}", d.message);
    assert_eq!(report.of("value-too-long").len(), 2, "{report}");
    assert_eq!(code, 1);
}

#[test]
fn value_too_long_passes_at_the_limit() {
    let mut f = Filing::valid(1);
    let name = "社会团体成立登记".repeat(25);
    assert_eq!(name.chars().count(), 200);
    f.entries[0].set("事项名称", name.as_str());
    // Surrounding white space does not count.
    f.entries[0].set("实施主体", format!("　{}  ", "娄底市民政局".repeat(16)));
    let items = f.items_sheet();
    let (report, _) = check_sheets(&[items.clone(), f.materials_sheet()]);
    assert!(report.of("value-too-long").is_empty(), "{report}");
}

// --- seq-duplicate ----------------------------------------------------------

#[test]
fn seq_duplicate_fails_on_a_repeated_seq() {
    let mut f = Filing::valid(3);
    f.entries[2].set("序号", "2");
    // The third entry's materials follow its 序号.
    f.materials[4].set("事项序号", "2");
    f.materials[5].set("事项序号", "2");
    let items = f.items_sheet();
    let (report, code) = check_sheets(&[items.clone(), f.materials_sheet()]);

    let d = report.one("seq-duplicate");
    assert_eq!(d.severity, "error");
    assert_eq!(d.cell.as_deref(), Some("A4"), "the repeat, not the first");
    assert_eq!(d.field.as_deref(), Some("seq"));
    assert_eq!(d.value.as_deref(), Some("2"));
    assert!(d.message.contains("A3"), "names the first: {}", d.message);
    report.assert_row_clean(FILE, ITEMS, items.row_of(0));
    report.assert_row_clean(FILE, ITEMS, items.row_of(1));
    assert_eq!(code, 1);
}

#[test]
fn seq_duplicate_passes_on_distinct_seqs_in_any_order() {
    let mut f = Filing::valid(3);
    for (i, seq) in [(0, "30"), (1, "10"), (2, "20")] {
        f.entries[i].set("序号", seq);
        f.materials[2 * i].set("事项序号", seq);
        f.materials[2 * i + 1].set("事项序号", seq);
    }
    let (report, code) = check_filing(&f);
    assert!(report.of("seq-duplicate").is_empty(), "{report}");
    report.assert_clean();
    assert_eq!(code, 0);
}

// --- material-orphan --------------------------------------------------------

#[test]
fn material_orphan_fails_on_a_seq_no_entry_has() {
    let mut f = Filing::valid(2);
    f.materials[3].set("事项序号", "9");
    let materials = f.materials_sheet();
    let (report, code) = check_sheets(&[f.items_sheet(), materials.clone()]);

    let d = report.one("material-orphan");
    assert_eq!(d.severity, "error");
    assert_eq!(d.sheet.as_deref(), Some(MATERIALS));
    assert_eq!(d.cell.as_deref(), Some("A5"));
    assert_eq!(d.cell, Some(materials.cell("事项序号", 3)));
    assert_eq!(d.field.as_deref(), Some("item_seq"));
    assert_eq!(d.value.as_deref(), Some("9"));
    assert_eq!(report.diagnostics.len(), 1, "{report}");
    assert_eq!(code, 1);
}

#[test]
fn material_orphan_passes_when_every_material_has_its_entry() {
    let mut f = Filing::valid(3);
    // Materials in any order, several for one entry.
    f.materials.reverse();
    f.materials[0].set("事项序号", "1");
    let (report, code) = check_filing(&f);
    assert!(report.of("material-orphan").is_empty(), "{report}");
    report.assert_clean();
    assert_eq!(code, 0);
}

#[test]
fn material_orphan_is_not_reported_when_the_items_sheet_has_no_header() {
    let f = Filing::valid(2);
    let (report, _) = check_sheets(&[items_below(&f, 10), f.materials_sheet()]);
    report.one("header-missing");
    // One cause, one finding: the entries exist, they could not be read.
    assert!(report.of("material-orphan").is_empty(), "{report}");
}

#[test]
fn material_orphan_is_not_reported_when_the_seq_column_is_missing() {
    let f = Filing::valid(2);
    let (report, _) = check_sheets(&[f.items_sheet().drop("序号"), f.materials_sheet()]);
    assert_eq!(report.one("column-missing").field.as_deref(), Some("seq"));
    assert!(report.of("material-orphan").is_empty(), "{report}");
}

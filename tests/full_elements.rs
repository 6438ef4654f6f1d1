//! 全要素 (SPEC §2a) and real data's forms (SPEC §2b): a filing with every
//! element is clean under both profiles and travels through the catalog and
//! the template unchanged; `profile: full` makes the F elements required;
//! conditions ask for values only where the column is; fee items stand for
//! the entry's own fee cells; and each new rule has a failing and a passing
//! case.

mod support;

use support::*;

const FILE: &str = "民政局.xlsx";

fn check_with(dir: &std::path::Path, sheets: &[Sheet]) -> (Report, i32) {
    write_xlsx(&dir.join(FILE), sheets);
    check(dir, &[FILE])
}

fn check_sheets(sheets: &[Sheet]) -> (Report, i32) {
    let dir = tempdir();
    check_with(dir.path(), sheets)
}

/// A workspace with `profile: full` in a temporary folder.
fn full_workspace() -> tempfile::TempDir {
    let dir = tempdir();
    std::fs::write(
        dir.path().join("yima.yaml"),
        yima::cli::init::CONFIG_TEMPLATE.replace("profile: standard", "profile: full"),
    )
    .unwrap();
    dir
}

#[test]
fn a_filing_with_every_element_is_clean_under_both_profiles() {
    let f = FullFiling::valid(3);
    let (report, code) = check_sheets(&f.sheets());
    report.assert_clean();
    assert_eq!(code, 0);

    let ws = full_workspace();
    let (report, code) = check_with(ws.path(), &f.sheets());
    report.assert_clean();
    assert_eq!(code, 0);
}

#[test]
fn profile_full_requires_the_f_elements() {
    let mut f = FullFiling::valid(3);
    f.base.entries[0].set("审查标准", "");
    f.base.entries[1].set("承诺办结时限说明", "");
    f.base.materials[0].set("受理标准", "");
    let items = f.items_sheet();
    let materials = f.materials_sheet();
    let sheets = [items.clone(), materials.clone(), f.fees_sheet()];

    // The standard profile asks for none of them.
    let (report, _) = check_sheets(&sheets);
    report.assert_clean();

    let ws = full_workspace();
    let (report, code) = check_with(ws.path(), &sheets);
    assert_eq!(code, 1);
    let d = report.one_at("value-missing", "事项", &items.cell("审查标准", 0));
    assert_eq!(d.field.as_deref(), Some("review_standard"));
    assert!(d.message.contains("行政许可"), "{}", d.message);
    let d = report.one_at("value-missing", "事项", &items.cell("承诺办结时限说明", 1));
    assert_eq!(d.field.as_deref(), Some("promised_note"));
    let d = report.one_at("value-missing", "申请材料", &materials.cell("受理标准", 0));
    assert_eq!(d.field.as_deref(), Some("acceptance_standard"));
    assert_eq!(report.of("value-missing").len(), 3, "{report}");
}

#[test]
fn profile_full_conditions_follow_the_row() {
    // 审查标准 is F for 行政许可 only; 到现场原因说明 when there is a visit.
    let mut f = FullFiling::valid(2);
    f.base.entries[0]
        .set("事项类型", "行政确认")
        .set("审查标准", "")
        .set("到办事现场次数", "0")
        .set("到现场原因说明", "")
        .set("网上办理深度", "四级");
    f.base.entries[1].set("到现场原因说明", "");
    let items = f.items_sheet();
    let ws = full_workspace();
    let (report, _) = check_with(
        ws.path(),
        &[items.clone(), f.materials_sheet(), f.fees_sheet()],
    );
    let d = report.one("value-missing");
    assert_eq!(
        d.cell.as_deref(),
        Some(items.cell("到现场原因说明", 1).as_str())
    );
    assert!(d.message.contains("到办事现场次数"), "{}", d.message);
}

#[test]
fn profile_full_needs_the_f_columns() {
    let f = FullFiling::valid(1);
    let items = f.items_sheet().drop("特别程序");
    let ws = full_workspace();
    let (report, code) = check_with(ws.path(), &[items, f.materials_sheet(), f.fees_sheet()]);
    assert_eq!(code, 1);
    let d = report.one("column-missing");
    assert_eq!(d.field.as_deref(), Some("special_procedure"));
    // Without the profile a filing may leave any element of §2a out.
    let (report, _) = check_sheets(&[
        f.items_sheet().drop("特别程序").drop("审查标准"),
        f.materials_sheet(),
        f.fees_sheet(),
    ]);
    report.assert_clean();
}

#[test]
fn a_condition_asks_for_a_value_where_the_column_is() {
    let mut f = FullFiling::valid(2);
    f.base.entries[0].set("权力来源", "上级委托");
    f.base.materials[0].set("材料来源", "其他");
    let items = f.items_sheet();
    let materials = f.materials_sheet();
    let (report, code) = check_sheets(&[items.clone(), materials.clone(), f.fees_sheet()]);
    assert_eq!(code, 1);
    let d = report.one_at("value-missing", "事项", &items.cell("委托部门", 0));
    assert!(d.message.contains("上级委托"), "{}", d.message);
    let d = report.one_at(
        "value-missing",
        "申请材料",
        &materials.cell("来源渠道说明", 0),
    );
    assert_eq!(d.field.as_deref(), Some("source_note"));
    assert_eq!(report.of("value-missing").len(), 2, "{report}");

    // Filled in: clean.
    f.base.entries[0].set("委托部门", "湖南省民政厅");
    f.base.materials[0].set("来源渠道说明", "到娄底市档案馆查档复印");
    let (report, _) = check_sheets(&[f.items_sheet(), f.materials_sheet(), f.fees_sheet()]);
    report.assert_clean();

    // A filing without those columns stays as valid as before SPEC §2a.
    let mut plain = Filing::valid(2);
    plain.entries[0].set("权力来源", "上级委托");
    plain.materials[0].set("材料来源", "其他");
    let (report, _) = check_sheets(&[plain.items_sheet(), plain.materials_sheet()]);
    report.assert_clean();
}

#[test]
fn time_limits_as_real_data_writes_them_are_read() {
    let mut f = Filing::valid(6);
    f.entries[0]
        .set("法定办结时限", "20个工作日")
        .set("承诺办结时限", "10个工作日内");
    f.entries[1]
        .set("法定办结时限", "20天")
        .set("承诺办结时限", "15日");
    f.entries[2]
        .set("法定办结时限", "二十个工作日内")
        .set("承诺办结时限", "5");
    f.entries[3]
        .set("法定办结时限", "20")
        .set("承诺办结时限", "即办")
        .set("办件类型", "即办件");
    f.entries[4]
        .set("法定办结时限", "当场办结")
        .set("承诺办结时限", "当场办结")
        .set("办件类型", "即办件");
    f.entries[5]
        .set("法定办结时限", "20个自然日")
        .set("承诺办结时限", "10个自然日");
    let items = f.items_sheet().stored_as_text("法定办结时限");
    let (report, code) = check_sheets(&[items, f.materials_sheet()]);
    report.assert_clean();
    assert_eq!(code, 0);
}

#[test]
fn near_misses_of_time_limits_are_still_invalid() {
    let mut f = Filing::valid(3);
    f.entries[0].set("法定办结时限", "20个月");
    f.entries[1].set("承诺办结时限", "7个工作日左右");
    f.entries[2].set("承诺办结时限", "无");
    let items = f.items_sheet();
    let (report, _) = check_sheets(&[items.clone(), f.materials_sheet()]);
    let d = report.one_at("value-invalid", "事项", &items.cell("法定办结时限", 0));
    assert!(d.help.contains("换算"), "{}", d.help);
    let d = report.one_at("value-invalid", "事项", &items.cell("承诺办结时限", 1));
    assert!(d.help.contains("“7”"), "{}", d.help);
    report.one_at("value-invalid", "事项", &items.cell("承诺办结时限", 2));
    assert_eq!(report.of("value-invalid").len(), 3, "{report}");
}

#[test]
fn promised_and_statutory_limits_compare_in_one_unit() {
    let mut f = FullFiling::valid(2);
    // 15 working days against 20 calendar days: no common unit, not compared.
    f.base.entries[0]
        .set("法定办结时限", "20")
        .set("法定办结时限单位", "自然日")
        .set("承诺办结时限", "15");
    // Both in calendar days: 25 > 20.
    f.base.entries[1]
        .set("法定办结时限", "20个自然日")
        .set("法定办结时限单位", "自然日")
        .set("承诺办结时限", "25")
        .set("承诺办结时限单位", "自然日");
    let items = f.items_sheet();
    let (report, _) = check_sheets(&[items.clone(), f.materials_sheet(), f.fees_sheet()]);
    let d = report.one("promised-exceeds-statutory");
    assert_eq!(
        d.cell.as_deref(),
        Some(items.cell("承诺办结时限", 1).as_str())
    );
    assert!(d.message.contains("25 个自然日"), "{}", d.message);
}

#[test]
fn days_unit_mismatch_fails_and_passes() {
    let mut f = FullFiling::valid(3);
    f.base.entries[0]
        .set("法定办结时限", "20个自然日")
        .set("法定办结时限单位", "工作日");
    f.base.entries[1]
        .set("承诺办结时限", "5个工作日")
        .set("承诺办结时限单位", "自然日");
    // Good: the text names the unit its column names; a bare number.
    f.base.entries[2]
        .set("法定办结时限", "20个自然日")
        .set("法定办结时限单位", "自然日")
        .set("承诺办结时限", "5")
        .set("承诺办结时限单位", "自然日");
    let items = f.items_sheet();
    let (report, code) = check_sheets(&[items.clone(), f.materials_sheet(), f.fees_sheet()]);
    assert_eq!(code, 1);
    let d = report.one_at("days-unit-mismatch", "事项", &items.cell("法定办结时限", 0));
    assert_eq!(d.field.as_deref(), Some("statutory_days"));
    assert_eq!(d.value.as_deref(), Some("20个自然日"));
    report.one_at("days-unit-mismatch", "事项", &items.cell("承诺办结时限", 1));
    assert_eq!(report.of("days-unit-mismatch").len(), 2, "{report}");
    report.assert_row_clean(FILE, "事项", items.row_of(2));
}

#[test]
fn online_depth_mismatch_fails_and_passes() {
    let mut f = FullFiling::valid(4);
    // Fully online, yet one visit.
    f.base.entries[0].set("网上办理深度", "四级");
    // Fully online without an online channel (and no visit).
    f.base.entries[1]
        .set("网上办理深度", "四级")
        .set("到办事现场次数", "0")
        .set("到现场原因说明", "")
        .set("办理形式", "窗口办理")
        .set("网办地址", "")
        .set("是否网办", "否");
    // 是否网办 = 是 without 网办地址.
    f.base.entries[2]
        .set("办理形式", "窗口办理")
        .set("网办地址", "");
    // Good: fully online, no visit, an online channel.
    f.base.entries[3]
        .set("网上办理深度", "四级")
        .set("到办事现场次数", "0")
        .set("到现场原因说明", "");
    let items = f.items_sheet();
    let (report, code) = check_sheets(&[items.clone(), f.materials_sheet(), f.fees_sheet()]);
    assert_eq!(code, 0, "a warning: {report}");
    let d = report.one_at(
        "online-depth-mismatch",
        "事项",
        &items.cell("网上办理深度", 0),
    );
    assert_eq!(d.severity, "warning");
    assert!(d.message.contains("到办事现场次数为 1"), "{}", d.message);
    report.one_at(
        "online-depth-mismatch",
        "事项",
        &items.cell("网上办理深度", 1),
    );
    let d = report.one_at("online-depth-mismatch", "事项", &items.cell("是否网办", 2));
    assert_eq!(d.value.as_deref(), Some("是"));
    assert_eq!(report.of("online-depth-mismatch").len(), 3, "{report}");
    report.assert_row_clean(FILE, "事项", items.row_of(3));
}

#[test]
fn form_missing_fails_and_passes() {
    let dir = tempdir();
    std::fs::create_dir_all(dir.path().join("forms")).unwrap();
    std::fs::write(dir.path().join("forms/社会团体成立登记申请书.docx"), b"PK").unwrap();
    let mut f = FullFiling::valid(2);
    f.base.materials[0].set("空白表格", "社会团体成立登记申请书.docx");
    f.base.materials[2].set("空白表格", "不存在的表格.docx");
    f.base.materials[2].set("示例样表", "https://zwfw.hunan.gov.cn/samples/a.pdf");
    f.base.entries[1].set("结果样本", "登记证书样本.pdf");
    let items = f.items_sheet();
    let materials = f.materials_sheet();
    let (report, code) = check_with(
        dir.path(),
        &[items.clone(), materials.clone(), f.fees_sheet()],
    );
    assert_eq!(code, 1);
    let d = report.one_at("form-missing", "申请材料", &materials.cell("空白表格", 2));
    assert_eq!(d.value.as_deref(), Some("不存在的表格.docx"));
    let d = report.one_at("form-missing", "事项", &items.cell("结果样本", 1));
    assert_eq!(d.field.as_deref(), Some("result_sample"));
    assert_eq!(report.of("form-missing").len(), 2, "{report}");

    // A path is no file name of forms/.
    f.base.materials[0].set("空白表格", "../secret.docx");
    let materials = f.materials_sheet();
    let (report, _) = check_with(
        dir.path(),
        &[f.items_sheet(), materials.clone(), f.fees_sheet()],
    );
    report.one_at("value-invalid", "申请材料", &materials.cell("空白表格", 0));
}

#[test]
fn fee_items_stand_for_the_entry_s_own_fee_cells() {
    let f = FullFiling::valid(2);
    // Entry 1 is charged with blank 收费标准/收费依据 but has a fee item.
    assert_eq!(f.base.entries[0].get("收费依据"), "");
    let (report, _) = check_sheets(&f.sheets());
    report.assert_clean();

    // Without its fee item it lacks both.
    let items = f.items_sheet();
    let (report, _) = check_sheets(&[items.clone(), f.materials_sheet()]);
    report.one_at("fee-basis-missing", "事项", &items.cell("收费标准", 0));
    report.one_at("fee-basis-missing", "事项", &items.cell("收费依据", 0));
}

#[test]
fn a_fee_item_without_basis_and_rows_of_no_entry_are_found() {
    let mut f = FullFiling::valid(2);
    f.fees[0].set("收费依据", "");
    f.questions[1].set("事项序号", "9");
    let fees = f.fees_sheet();
    let questions = f.questions_sheet();
    let (report, code) = check_sheets(&[
        f.items_sheet(),
        f.materials_sheet(),
        fees.clone(),
        questions.clone(),
    ]);
    assert_eq!(code, 1);
    let d = report.one_at("fee-basis-missing", "收费项目", &fees.cell("收费依据", 0));
    assert_eq!(d.field.as_deref(), Some("basis"));
    let d = report.one_at(
        "material-orphan",
        "常见问题",
        &questions.cell("事项序号", 1),
    );
    assert!(d.help.contains("问题"), "{}", d.help);
    assert_eq!(report.rules().len(), 2, "{report}");
}

#[test]
fn a_csv_filing_takes_its_optional_sheets_from_beside_it() {
    let dir = tempdir();
    let mut f = FullFiling::valid(2);
    f.fees[0].set("收费依据", "");
    write_csv_pair(
        dir.path(),
        "民政局-",
        &f.items_sheet(),
        &f.materials_sheet(),
        Encoding::Utf8,
    );
    std::fs::write(
        dir.path().join("民政局-收费项目.csv"),
        f.fees_sheet().to_csv(),
    )
    .unwrap();
    let (report, _) = check(dir.path(), &["民政局-事项.csv"]);
    let d = report.one("fee-basis-missing");
    assert_eq!(d.file, "民政局-收费项目.csv");
    assert_eq!(d.cell.as_deref(), Some("D2"));
}

#[test]
fn every_element_travels_through_items_and_the_template_unchanged() {
    let tmp = tempdir();
    let r = run(tmp.path(), &["init", "ws"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let root = &tmp.path().join("ws");
    let f = FullFiling::valid(3);
    write_xlsx(&root.join(FILE), &f.sheets());
    let r = run(root, &["ingest", FILE]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let items = root.join("items");
    let before = read_tree(&items);
    let one = before
        .iter()
        .find(|(p, _)| p.ends_with(".yaml") && !p.ends_with("codes.lock"))
        .map(|(_, t)| t.clone())
        .expect("an item file");
    for key in [
        "review_standard:",
        "statutory_unit: 工作日",
        "promised_note:",
        "online_depth: 三级",
        "business_topics:",
        "acceptance_standard:",
        "material_type: 申请表格文书",
        "questions:",
        "effective_date:",
        "2026-03-01",
    ] {
        assert!(one.contains(key), "{key} not in\n{one}");
    }
    let uscc = f.base.entries[0].get("实施主体编码").to_string();
    let r = run(root, &["template", "--agency", &uscc, "-o", "修订.xlsx"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let (report, code) = check(root, &["修订.xlsx"]);
    report.assert_clean();
    assert_eq!(code, 0);
    let r = run(root, &["ingest", "修订.xlsx"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let after = read_tree(&items);
    let strip = |t: &[(String, String)]| -> Vec<(String, String)> {
        // Only where each entry was filed from may differ.
        t.iter()
            .map(|(p, s)| {
                let filed = |l: &&str| {
                    ["  file:", "  sheet:", "  row:"]
                        .iter()
                        .any(|k| l.starts_with(k))
                };
                let kept: Vec<&str> = s.lines().filter(|l| !filed(l)).collect();
                (p.clone(), kept.join("\n"))
            })
            .collect()
    };
    assert_eq!(strip(&before), strip(&after));
}

/// Every file under `dir` with its text, sorted by path.
fn read_tree(dir: &std::path::Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                out.push((rel, std::fs::read_to_string(&p).unwrap_or_default()));
            }
        }
    }
    out.sort();
    out
}

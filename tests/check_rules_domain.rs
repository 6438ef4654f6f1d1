//! The domain rules of SPEC §3–§4 — check characters, divisions, codes, time
//! limits, legal bases, fees, online addresses, phones, wording, duplicates —
//! each with failing and passing cases run through `yima check` and asserted
//! on the JSON report: rule id, severity, cell, field and value of a finding,
//! and no finding at all on a correct row. Real-world codes of SPEC §3 and
//! near misses of them are among the cases. (The registry rules and the
//! severities of `yima.yaml` need a workspace: `workspace.rs`.)

mod support;

use support::*;

const FILE: &str = "民政局.xlsx";
const ITEMS: &str = "事项";
const MATERIALS: &str = "申请材料";

/// The USCC of 娄底市民政局 in the fixtures, computed by the builder.
const LOUDI: &str = "11431300006140434U";

/// A filing after `yima check`: the report, the exit code and the sheets as
/// laid out, which know the cell of every value.
struct Checked {
    report: Report,
    code: i32,
    items: Sheet,
    materials: Sheet,
    _dir: tempfile::TempDir,
}

/// Writes the sheets as `民政局.xlsx` in a fresh folder and checks it there.
fn check_layout(items: Sheet, materials: Sheet) -> Checked {
    let dir = tempdir();
    write_xlsx(&dir.path().join(FILE), &[items.clone(), materials.clone()]);
    let (report, code) = check(dir.path(), &[FILE]);
    Checked {
        report,
        code,
        items,
        materials,
        _dir: dir,
    }
}

/// Checks a filing in the plain layout.
fn check_filing(f: &Filing) -> Checked {
    check_layout(f.items_sheet(), f.materials_sheet())
}

impl Checked {
    /// The one finding of `rule` at column `header` of entry `i`, after
    /// asserting its severity, field and value.
    #[track_caller]
    fn at_entry(
        &self,
        rule: &str,
        severity: &str,
        header: &str,
        i: usize,
        field: &str,
        value: Option<&str>,
    ) -> &Finding {
        let cell = self.items.cell(header, i);
        self.assert_finding(rule, severity, ITEMS, &cell, field, value)
    }

    /// The one finding of `rule` at column `header` of material `i`.
    #[track_caller]
    fn at_material(
        &self,
        rule: &str,
        severity: &str,
        header: &str,
        i: usize,
        field: &str,
        value: Option<&str>,
    ) -> &Finding {
        let cell = self.materials.cell(header, i);
        self.assert_finding(rule, severity, MATERIALS, &cell, field, value)
    }

    #[track_caller]
    fn assert_finding(
        &self,
        rule: &str,
        severity: &str,
        sheet: &str,
        cell: &str,
        field: &str,
        value: Option<&str>,
    ) -> &Finding {
        let r = &self.report;
        let d = r.one_at(rule, sheet, cell);
        assert_eq!(d.severity, severity, "{rule} at {cell}:\n{r}");
        assert_eq!(d.file, FILE);
        assert_eq!(d.field.as_deref(), Some(field), "{rule} at {cell}:\n{r}");
        assert_eq!(d.value.as_deref(), value, "{rule} at {cell}:\n{r}");
        let row: u32 = cell
            .trim_start_matches(|c: char| c.is_ascii_uppercase())
            .parse()
            .unwrap();
        assert_eq!(d.row, Some(row));
        assert_eq!(
            d.column.as_deref(),
            Some(cell.trim_end_matches(|c: char| c.is_ascii_digit()))
        );
        assert!(!d.message.is_empty() && !d.help.is_empty(), "{r}");
        d
    }

    /// Asserts that entry `i`'s row has no finding.
    #[track_caller]
    fn entry_clean(&self, i: usize) {
        self.report
            .assert_row_clean(FILE, ITEMS, self.items.row_of(i));
    }

    /// Asserts that material `i`'s row has no finding.
    #[track_caller]
    fn material_clean(&self, i: usize) {
        self.report
            .assert_row_clean(FILE, MATERIALS, self.materials.row_of(i));
    }

    /// Asserts that entry `i`'s row has exactly one finding, of `rule`.
    #[track_caller]
    fn entry_has_only(&self, i: usize, rule: &str) {
        let found = self.report.on_row(FILE, ITEMS, self.items.row_of(i));
        let rules: Vec<&str> = found.iter().map(|d| d.rule.as_str()).collect();
        assert_eq!(rules, [rule], "entry {i}:\n{}", self.report);
    }
}

/// A 17-character USCC body completed with its GB 32100 check character,
/// whatever its embedded organization code says (SPEC §3).
fn with_check_char(body: &str) -> String {
    const ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    const WEIGHTS: [usize; 17] = [
        1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
    ];
    let sum: usize = body
        .chars()
        .zip(WEIGHTS)
        .map(|(c, w)| ALPHABET.find(c).expect("USCC alphabet") * w)
        .sum();
    let check = ALPHABET
        .chars()
        .nth((31 - sum % 31) % 31)
        .expect("index < 31");
    format!("{body}{check}")
}

#[test]
fn the_fixture_agency_code_is_the_one_these_cases_alter() {
    assert_eq!(Agency::civil_affairs().uscc, LOUDI);
    // The organization code inside it is 00614043-4; -0 is wrong, and the
    // USCC check character recomputed over the wrong body is F.
    assert_eq!(with_check_char("11431300006140430"), "11431300006140430F");
}

// --- uscc-invalid, uscc-region-mismatch ---------------------------------------

#[test]
fn real_usccs_outside_the_region_are_valid_but_warned_about() {
    let real = [
        "114507210081153718",
        "12441500196720244T",
        "11511300008778693M",
    ];
    let mut f = Filing::valid(4);
    for (i, code) in real.iter().enumerate() {
        f.entries[i].set("实施主体编码", *code);
    }
    let c = check_filing(&f);

    assert!(c.report.of("uscc-invalid").is_empty(), "{}", c.report);
    for (i, code) in real.iter().enumerate() {
        let d = c.at_entry(
            "uscc-region-mismatch",
            "warning",
            "实施主体编码",
            i,
            "agency_code",
            Some(code),
        );
        // The registration division, positions 3–8, is named.
        assert!(d.message.contains(&code[2..8]), "{}", d.message);
        assert!(d.message.contains("431300"), "{}", d.message);
        c.entry_has_only(i, "uscc-region-mismatch");
    }
    // Counted by hand: 实施主体编码 is column I, the first entry row 2.
    assert_eq!(
        c.report
            .one_at("uscc-region-mismatch", ITEMS, "I2")
            .value
            .as_deref(),
        Some("114507210081153718")
    );
    c.entry_clean(3);
    assert_eq!((c.report.summary.errors, c.report.summary.warnings), (0, 3));
    assert_eq!(c.code, 0, "warnings only");
}

#[test]
fn near_misses_of_a_valid_uscc_are_invalid() {
    let cases: &[(&str, &str)] = &[
        // The check character changed: U → T.
        ("11431300006140434T", "校验位"),
        // One character short.
        ("11431300006140434", "实为 17 位"),
        // One too many.
        ("11431300006140434U0", "实为 19 位"),
        // A letter the alphabet leaves out (O for 0).
        ("1143130000614O434U", "第 14 位“O”"),
        // The embedded organization code fails GB 11714 although the USCC
        // check character was recomputed over it.
        ("11431300006140430F", "组织机构代码"),
        // Characters that are no letters or digits at all.
        ("1143130000614-434U", "第 14 位“-”"),
    ];
    let mut f = Filing::valid(cases.len() as u32 + 1);
    for (i, (code, _)) in cases.iter().enumerate() {
        f.entries[i].set("实施主体编码", *code);
    }
    let c = check_filing(&f);

    for (i, (code, says)) in cases.iter().enumerate() {
        let d = c.at_entry(
            "uscc-invalid",
            "error",
            "实施主体编码",
            i,
            "agency_code",
            Some(code),
        );
        assert!(d.message.contains(says), "{code}: {}", d.message);
        // An invalid code is not also checked for its region.
        c.entry_has_only(i, "uscc-invalid");
    }
    c.entry_clean(cases.len());
    assert_eq!(c.code, 1);
}

#[test]
fn a_uscc_in_lower_case_is_invalid() {
    let mut f = Filing::valid(2);
    f.entries[0].set("实施主体编码", "11431300006140434u");
    let c = check_filing(&f);
    let d = c.at_entry(
        "uscc-invalid",
        "error",
        "实施主体编码",
        0,
        "agency_code",
        Some("11431300006140434u"),
    );
    assert!(d.message.contains("小写"), "{}", d.message);
    c.entry_clean(1);
    assert_eq!(c.code, 1);
}

#[test]
fn letters_i_o_z_s_v_are_not_in_the_uscc_alphabet() {
    let letters = ['I', 'O', 'Z', 'S', 'V'];
    let mut f = Filing::valid(letters.len() as u32 + 1);
    let codes: Vec<String> = letters
        .iter()
        .map(|l| format!("{}{l}{}", &LOUDI[..13], &LOUDI[14..]))
        .collect();
    for (i, code) in codes.iter().enumerate() {
        f.entries[i].set("实施主体编码", code.as_str());
    }
    let c = check_filing(&f);
    for (i, (code, l)) in codes.iter().zip(letters).enumerate() {
        let d = c.at_entry(
            "uscc-invalid",
            "error",
            "实施主体编码",
            i,
            "agency_code",
            Some(code),
        );
        assert!(
            d.message.contains(&format!("第 14 位“{l}”")),
            "{}",
            d.message
        );
    }
    // Letters of the alphabet are fine: the valid code ends in U.
    assert!(LOUDI.ends_with('U'));
    c.entry_clean(letters.len());
}

#[test]
fn a_uscc_typed_as_a_number_is_named_as_lost_precision() {
    let f = Filing::valid(2);
    let items =
        f.items_sheet()
            .set_cell("实施主体编码", 0, Cell::Number(114_507_210_081_153_718.0));
    let c = check_layout(items, f.materials_sheet());

    let d = c
        .report
        .one_at("uscc-invalid", ITEMS, &c.items.cell("实施主体编码", 0));
    assert_eq!(d.severity, "error");
    assert_eq!(d.field.as_deref(), Some("agency_code"));
    // Whatever the number cell kept is the value (a double holds about 16
    // digits: 114507210081153712); the message says why it cannot be the code.
    let value = d.value.as_deref().unwrap_or_default();
    assert!(
        value.bytes().all(|b| b.is_ascii_digit()) && value != "114507210081153718",
        "{value}"
    );
    assert!(
        d.message.contains("数字") && d.message.contains("精度"),
        "{}",
        d.message
    );
    assert!(d.help.contains("文本"), "{}", d.help);
    c.entry_has_only(0, "uscc-invalid");
    c.entry_clean(1);
}

#[test]
fn the_same_uscc_as_text_is_valid() {
    let f = Filing::valid(1);
    let items =
        f.items_sheet()
            .set_cell("实施主体编码", 0, Cell::Text("114507210081153718".into()));
    let c = check_layout(items, f.materials_sheet());
    assert!(c.report.of("uscc-invalid").is_empty(), "{}", c.report);
    c.entry_has_only(0, "uscc-region-mismatch");
}

// --- division-invalid, level-division-mismatch ------------------------------

#[test]
fn division_codes_outside_the_table_or_the_structure_are_invalid() {
    let bad: &[(&str, &str, &str)] = &[
        // A six-digit code inside Loudi that the table lacks.
        ("市级", "431399", "不在区划代码表中"),
        // 长沙市: outside the configured region.
        ("市级", "430100", "不在本地区"),
        // Town segment 600 is outside every range; 000 is no town when a
        // village follows (all zeros is the county itself).
        ("乡级", "431321600000", "第 7–9 位"),
        ("村级", "431321000201", "第 7–9 位"),
        // Village segment 400 is outside every range.
        ("村级", "431321100400", "第 10–12 位"),
        // Neither 6 nor 12 digits.
        ("市级", "43130", "6 位或 12 位"),
    ];
    let good: &[(&str, &str)] = &[
        ("市级", "431300"),
        ("县级", "431321"),
        // 12-digit codes fitting 乡级 (village 000) and 村级.
        ("乡级", "431321100000"),
        ("村级", "431382201215"),
    ];
    let mut f = Filing::valid((bad.len() + good.len()) as u32);
    let pairs = bad
        .iter()
        .map(|(l, d, _)| (l, d))
        .chain(good.iter().map(|(l, d)| (l, d)));
    for (i, (level, division)) in pairs.enumerate() {
        f.entries[i]
            .set("行使层级", *level)
            .set("行政区划代码", *division);
    }
    let c = check_filing(&f);

    for (i, (_, division, says)) in bad.iter().enumerate() {
        let d = c.at_entry(
            "division-invalid",
            "error",
            "行政区划代码",
            i,
            "division",
            Some(division),
        );
        assert!(d.message.contains(says), "{division}: {}", d.message);
        // An invalid code is not also compared with the level.
        c.entry_has_only(i, "division-invalid");
    }
    for i in bad.len()..bad.len() + good.len() {
        c.entry_clean(i);
    }
    assert_eq!(c.code, 1);
}

#[test]
fn a_level_that_does_not_fit_its_division_is_warned_about() {
    let bad: &[(&str, &str, &str)] = &[
        ("县级", "431300", "县级代码"),
        ("市级", "431321", "市级代码"),
        ("乡级", "431321", "乡镇代码"),
        ("乡级", "431321100201", "乡镇代码"),
        ("村级", "431321100000", "村级代码"),
        ("村级", "431300", "村级代码"),
        // A county in 12 digits is no town.
        ("乡级", "431321000000", "乡镇代码"),
        ("县级", "431300000000", "县级代码"),
    ];
    let good: &[(&str, &str)] = &[("县级", "431381"), ("村级", "431322200201")];
    let mut f = Filing::valid((bad.len() + good.len()) as u32);
    let pairs = bad
        .iter()
        .map(|(l, d, _)| (l, d))
        .chain(good.iter().map(|(l, d)| (l, d)));
    for (i, (level, division)) in pairs.enumerate() {
        f.entries[i]
            .set("行使层级", *level)
            .set("行政区划代码", *division);
    }
    let c = check_filing(&f);

    for (i, (level, division, says)) in bad.iter().enumerate() {
        let d = c.at_entry(
            "level-division-mismatch",
            "warning",
            "行政区划代码",
            i,
            "division",
            Some(division),
        );
        assert!(
            d.message.contains(level) && d.message.contains(says),
            "{level} {division}: {}",
            d.message
        );
        c.entry_has_only(i, "level-division-mismatch");
    }
    for i in bad.len()..bad.len() + good.len() {
        c.entry_clean(i);
    }
    assert_eq!(c.code, 0, "warnings only");
}

// --- basic-code-invalid -----------------------------------------------------

#[test]
fn basic_codes_malformed_or_inconsistent_with_their_row_are_invalid() {
    // The fixtures' entries are 行政许可 (01) of sector 民政 (02).
    let bad: &[(&str, &str)] = &[
        ("4301020010", "实为 10 位"),
        ("4301020010000", "实为 13 位"),
        ("43A102001000", "无效字符"),
        ("430102000000", "顺序码"),
        ("430102I01000", "顺序码"),
        ("430702001000", "事项类型"),
        ("430114001000", "业务指导部门"),
        ("990102001000", "前缀"),
    ];
    let good = [
        // Past 999 the sequence continues with letters.
        "430102A01000",
        // The national basic catalog: accepted as given, its sector digits
        // (04) are the nation's, not compared with 民政.
        "000104002000",
    ];
    let mut f = Filing::valid((bad.len() + good.len()) as u32);
    for (i, code) in bad.iter().map(|(c, _)| *c).chain(good).enumerate() {
        f.entries[i].set("基本编码", code);
    }
    let c = check_filing(&f);

    for (i, (code, says)) in bad.iter().enumerate() {
        let d = c.at_entry(
            "basic-code-invalid",
            "error",
            "基本编码",
            i,
            "basic_code",
            Some(code),
        );
        assert!(d.message.contains(says), "{code}: {}", d.message);
        c.entry_has_only(i, "basic-code-invalid");
    }
    for i in bad.len()..bad.len() + good.len() {
        c.entry_clean(i);
    }
    assert_eq!(c.code, 1);
}

#[test]
fn basic_codes_of_issued_items_pass() {
    let good = [
        "430102001000",
        "430102999000",
        "43010200100Y",
        "001033002000",
    ];
    let mut f = Filing::valid(good.len() as u32);
    for (i, code) in good.iter().enumerate() {
        f.entries[i].set("基本编码", *code);
    }
    // 001033002000 is a national code of category 10.
    f.entries[3].set("事项类型", "其他行政权力");
    let c = check_filing(&f);
    c.report.assert_clean();
    assert_eq!(c.code, 0);
}

#[test]
fn the_sub_item_code_follows_the_sub_item_name() {
    let cases: &[(&str, &str, Option<&str>)] = &[
        // A sub-item name with the code of an item without sub-items.
        ("430102001000", "社会团体名称变更", Some("子项码")),
        // A sub-item code without a sub-item name.
        ("430102001001", "", Some("子项名称为空")),
        // Matching pairs.
        ("430102001001", "社会团体名称变更", None),
        ("43010200100Y", "", None),
        ("430102002000", "", None),
    ];
    let mut f = Filing::valid(cases.len() as u32);
    for (i, (code, sub, _)) in cases.iter().enumerate() {
        f.entries[i].set("基本编码", *code).set("子项名称", *sub);
    }
    let c = check_filing(&f);
    for (i, (code, _, says)) in cases.iter().enumerate() {
        match says {
            Some(says) => {
                let d = c.at_entry(
                    "basic-code-invalid",
                    "error",
                    "基本编码",
                    i,
                    "basic_code",
                    Some(code),
                );
                assert!(d.message.contains(says), "{code}: {}", d.message);
                c.entry_has_only(i, "basic-code-invalid");
            }
            None => c.entry_clean(i),
        }
    }
}

// --- impl-code-mismatch -----------------------------------------------------

#[test]
fn the_implementation_code_is_uscc_level_code_and_basic_code() {
    let police = Agency::public_security().uscc;
    // (基本编码, 实施编码, what the message says, or None when correct)
    let cases: Vec<(&str, String, Option<&str>)> = vec![
        ("430102001000", format!("{LOUDI}3430102001000"), None),
        // No 基本编码 yet: the first 19 characters are still determined.
        ("", format!("{LOUDI}3430102005000"), None),
        // 30 characters.
        ("", format!("{LOUDI}343010200100"), Some("实为 30 位")),
        // Level code 4 (县级) on a 市级 row.
        (
            "430102001000",
            format!("{LOUDI}4430102001000"),
            Some("不一致"),
        ),
        // Another agency's USCC.
        ("", format!("{police}3430102001000"), Some("不一致")),
        // The 基本编码 of another item.
        (
            "430102001000",
            format!("{LOUDI}3430102002000"),
            Some("不一致"),
        ),
    ];
    let mut f = Filing::valid(cases.len() as u32);
    for (i, (basic, imp, _)) in cases.iter().enumerate() {
        f.entries[i]
            .set("基本编码", *basic)
            .set("实施编码", imp.as_str());
    }
    let c = check_filing(&f);
    for (i, (_, imp, says)) in cases.iter().enumerate() {
        match says {
            Some(says) => {
                let d = c.at_entry(
                    "impl-code-mismatch",
                    "error",
                    "实施编码",
                    i,
                    "impl_code",
                    Some(imp),
                );
                assert!(d.message.contains(says), "{imp}: {}", d.message);
                c.entry_has_only(i, "impl-code-mismatch");
            }
            None => c.entry_clean(i),
        }
    }
    assert_eq!(c.code, 1);
}

// --- item-duplicate ---------------------------------------------------------

#[test]
fn the_same_entry_in_two_files_of_one_run_is_a_duplicate() {
    let dir = tempdir();
    let first = Filing::valid(2);
    let second = Filing::valid(1);
    let items = second.items_sheet();
    first.write_xlsx(&dir.path().join("1-民政局.xlsx"));
    write_xlsx(
        &dir.path().join("2-民政局补报.xlsx"),
        &[items.clone(), second.materials_sheet()],
    );
    let (report, code) = check(dir.path(), &["1-民政局.xlsx", "2-民政局补报.xlsx"]);

    let d = report.one("item-duplicate");
    assert_eq!(d.severity, "error");
    assert_eq!(d.file, "2-民政局补报.xlsx");
    assert_eq!(d.cell.as_deref(), Some(items.cell("事项名称", 0).as_str()));
    assert_eq!(d.cell.as_deref(), Some("B2"));
    assert_eq!(d.field.as_deref(), Some("name"));
    assert_eq!(d.value.as_deref(), Some("社会团体成立登记"));
    // It names where the first one is.
    assert!(
        d.message.contains("1-民政局.xlsx") && d.message.contains("B2"),
        "{}",
        d.message
    );
    assert!(report.in_file("1-民政局.xlsx").is_empty(), "{report}");
    assert_eq!(code, 1);
}

#[test]
fn the_same_entry_twice_in_one_file_is_a_duplicate() {
    let mut f = Filing::valid(3);
    f.entries[2].set("事项名称", "社会团体成立登记");
    let c = check_filing(&f);
    let d = c.at_entry(
        "item-duplicate",
        "error",
        "事项名称",
        2,
        "name",
        Some("社会团体成立登记"),
    );
    assert!(d.message.contains("B2"), "{}", d.message);
    c.entry_clean(0);
    c.entry_clean(1);
}

#[test]
fn the_same_item_under_another_agency_division_or_sub_item_is_no_duplicate() {
    let dir = tempdir();
    Filing::valid(2).write_xlsx(&dir.path().join("1-民政局.xlsx"));
    Filing::valid(2)
        .by(&Agency::public_security())
        .write_xlsx(&dir.path().join("2-公安局.xlsx"));
    let mut county = Filing::valid(3);
    county.entries[0]
        .set("行使层级", "县级")
        .set("行政区划代码", "431321");
    county.entries[1].set("子项名称", "社会团体名称变更");
    // Entry 3 of this file is its own item.
    county.write_xlsx(&dir.path().join("3-民政局.xlsx"));
    let (report, code) = check(
        dir.path(),
        &["1-民政局.xlsx", "2-公安局.xlsx", "3-民政局.xlsx"],
    );
    assert!(report.of("item-duplicate").is_empty(), "{report}");
    report.assert_clean();
    assert_eq!(code, 0);
}

// --- promised-exceeds-statutory, handling-type-mismatch, visits-exceed-one ----

#[test]
fn time_limits_handling_types_and_visits() {
    let mut f = Filing::valid(9);
    // 0: equal limits are fine.
    f.entries[0]
        .set("法定办结时限", "20")
        .set("承诺办结时限", "20");
    // 1: a promise longer than the law allows.
    f.entries[1]
        .set("法定办结时限", "20")
        .set("承诺办结时限", "25");
    // 2: a public service without a statutory limit.
    f.entries[2]
        .set("事项类型", "公共服务")
        .set("法定办结时限", "无");
    // 3: 即办件 done the same day.
    f.entries[3]
        .set("办件类型", "即办件")
        .set("承诺办结时限", "0");
    // 4: 即办件 with days promised; 5: 承诺件 with none.
    f.entries[4]
        .set("办件类型", "即办件")
        .set("承诺办结时限", "5");
    f.entries[5]
        .set("办件类型", "承诺件")
        .set("承诺办结时限", "0");
    // 6: two visits; 7: none.
    f.entries[6].set("到办事现场次数", "2");
    f.entries[7].set("到办事现场次数", "0");
    // 8: 承诺 0 in a 即办件 whose law allows 0 days.
    f.entries[8]
        .set("办件类型", "即办件")
        .set("法定办结时限", "0")
        .set("承诺办结时限", "0");
    let c = check_filing(&f);

    let d = c.at_entry(
        "promised-exceeds-statutory",
        "error",
        "承诺办结时限",
        1,
        "promised_days",
        Some("25"),
    );
    assert!(
        d.message.contains("25") && d.message.contains("20"),
        "{}",
        d.message
    );
    c.entry_has_only(1, "promised-exceeds-statutory");

    let d = c.at_entry(
        "handling-type-mismatch",
        "error",
        "办件类型",
        4,
        "handling_type",
        Some("即办件"),
    );
    assert!(d.message.contains('5'), "{}", d.message);
    c.entry_has_only(4, "handling-type-mismatch");
    let d = c.at_entry(
        "handling-type-mismatch",
        "error",
        "办件类型",
        5,
        "handling_type",
        Some("承诺件"),
    );
    assert!(d.message.contains("即办件"), "{}", d.message);
    c.entry_has_only(5, "handling-type-mismatch");

    c.at_entry(
        "visits-exceed-one",
        "warning",
        "到办事现场次数",
        6,
        "visits",
        Some("2"),
    );
    c.entry_has_only(6, "visits-exceed-one");

    for i in [0, 2, 3, 7, 8] {
        c.entry_clean(i);
    }
    assert_eq!(c.code, 1);
}

#[test]
fn statutory_none_is_for_public_services_only() {
    let mut f = Filing::valid(1);
    f.entries[0].set("法定办结时限", "无");
    let c = check_filing(&f);
    let d = c.at_entry(
        "value-invalid",
        "error",
        "法定办结时限",
        0,
        "statutory_days",
        Some("无"),
    );
    assert!(d.message.contains("行政许可"), "{}", d.message);
    assert!(c.report.of("promised-exceeds-statutory").is_empty());
}

#[test]
fn two_visits_alone_is_a_warning_and_exit_0() {
    let mut f = Filing::valid(2);
    f.entries[1].set("到办事现场次数", "2");
    let c = check_filing(&f);
    let d = c.at_entry(
        "visits-exceed-one",
        "warning",
        "到办事现场次数",
        1,
        "visits",
        Some("2"),
    );
    assert_eq!(d.cell.as_deref(), Some("U3"));
    c.entry_clean(0);
    assert_eq!((c.report.summary.errors, c.report.summary.warnings), (0, 1));
    assert_eq!(c.code, 0);
}

// --- legal-basis-missing, legal-basis-unquoted ------------------------------

#[test]
fn legal_basis_missing_or_unquoted() {
    let mut f = Filing::valid(5);
    f.entries[0].set("设定依据", "");
    f.entries[1].set("设定依据", "社会团体登记管理条例第九条");
    // A public service needs no legal basis.
    f.entries[2]
        .set("事项类型", "公共服务")
        .set("设定依据", "")
        .set("权力来源", "");
    // Two laws cited, one in 《》.
    f.entries[3].set(
        "设定依据",
        "《中华人民共和国行政许可法》第二十九条；社会团体登记管理条例第九条",
    );
    let c = check_filing(&f);

    let d = c.at_entry(
        "legal-basis-missing",
        "error",
        "设定依据",
        0,
        "legal_basis",
        None,
    );
    assert!(d.message.contains("行政许可"), "{}", d.message);
    c.entry_has_only(0, "legal-basis-missing");
    let d = c.at_entry(
        "legal-basis-unquoted",
        "warning",
        "设定依据",
        1,
        "legal_basis",
        Some("社会团体登记管理条例第九条"),
    );
    assert!(d.help.contains('《'), "{}", d.help);
    c.entry_has_only(1, "legal-basis-unquoted");
    for i in [2, 3, 4] {
        c.entry_clean(i);
    }
    assert_eq!(c.code, 1);
}

// --- fee-basis-missing --------------------------------------------------------

#[test]
fn a_charged_item_needs_its_fee_standard_and_basis() {
    let mut f = Filing::valid(4);
    f.entries[0].set("是否收费", "是");
    f.entries[1]
        .set("是否收费", "是")
        .set("收费依据", "《湖南省行政事业性收费标准目录》");
    f.entries[2]
        .set("是否收费", "是")
        .set("收费标准", "每件50元")
        .set("收费依据", "《湖南省行政事业性收费标准目录》");
    let c = check_filing(&f);

    for header in ["收费标准", "收费依据"] {
        let field = if header == "收费标准" {
            "fee_standard"
        } else {
            "fee_basis"
        };
        let d = c.at_entry("fee-basis-missing", "error", header, 0, field, None);
        assert!(d.message.contains(header), "{}", d.message);
    }
    c.at_entry(
        "fee-basis-missing",
        "error",
        "收费标准",
        1,
        "fee_standard",
        None,
    );
    assert_eq!(c.report.of("fee-basis-missing").len(), 3, "{}", c.report);
    c.entry_clean(2);
    c.entry_clean(3);
    assert_eq!(c.code, 1);
}

// --- online-url-missing -------------------------------------------------------

#[test]
fn an_online_channel_needs_its_address() {
    let mut f = Filing::valid(4);
    f.entries[0].set("网办地址", "");
    f.entries[1]
        .set("办理形式", "窗口办理、移动端办理")
        .set("网办地址", "");
    f.entries[2].set("办理形式", "窗口办理").set("网办地址", "");
    let c = check_filing(&f);

    for i in [0, 1] {
        c.at_entry(
            "online-url-missing",
            "error",
            "网办地址",
            i,
            "online_url",
            None,
        );
        c.entry_has_only(i, "online-url-missing");
    }
    c.entry_clean(2);
    c.entry_clean(3);
    assert_eq!(c.code, 1);
}

// --- phone-invalid -----------------------------------------------------------

#[test]
fn phone_numbers_of_every_valid_kind_pass_and_garbage_fails() {
    let good = [
        "0738-8312345",
        "07388312345",
        "13907381234",
        "12345",
        "400-123-4567",
        "(0738)8312345",
        "0738-8312345、12345",
    ];
    let bad = ["电话待定", "8312345", "0738-83123"];
    let mut f = Filing::valid((good.len() + bad.len()) as u32);
    for (i, p) in good.iter().chain(&bad).enumerate() {
        f.entries[i].set("咨询电话", *p);
    }
    let c = check_filing(&f);
    for i in 0..good.len() {
        c.entry_clean(i);
    }
    for (k, p) in bad.iter().enumerate() {
        let i = good.len() + k;
        let d = c.at_entry(
            "phone-invalid",
            "error",
            "咨询电话",
            i,
            "contact_phone",
            Some(p),
        );
        assert!(d.message.contains("不是有效的电话号码"), "{}", d.message);
        c.entry_has_only(i, "phone-invalid");
    }
    assert_eq!(c.code, 1);
}

#[test]
fn a_phone_number_that_lost_its_leading_zero_in_a_numeric_cell_is_named() {
    let f = Filing::valid(2);
    let items = f
        .items_sheet()
        .set_cell("监督投诉电话", 0, Cell::Number(7_388_312_346.0));
    let c = check_layout(items, f.materials_sheet());
    let d = c.at_entry(
        "phone-invalid",
        "error",
        "监督投诉电话",
        0,
        "complaint_phone",
        Some("7388312346"),
    );
    assert!(
        d.message.contains("0") && d.message.contains("数字格式"),
        "{}",
        d.message
    );
    assert_eq!(d.cell.as_deref(), Some("AF2"));
    c.entry_has_only(0, "phone-invalid");
    c.entry_clean(1);
}

// --- catch-all-clause, vague-wording ------------------------------------------

#[test]
fn catch_all_clauses_in_conditions_and_materials_are_errors() {
    let mut f = Filing::valid(4);
    let conditions = "有规范的名称和章程；有固定的住所；法律、法规规定的其他条件。";
    f.entries[0].set("受理条件", conditions);
    f.entries[1].set("受理条件", "申请材料包括但不限于章程、验资报告。");
    // Material 2 belongs to entry 2 (0-based 1).
    f.materials[2].set("材料名称", "其他材料");
    let c = check_filing(&f);

    let d = c.at_entry(
        "catch-all-clause",
        "error",
        "受理条件",
        0,
        "conditions",
        Some(conditions),
    );
    assert!(
        d.message.contains("法律、法规规定的其他条件"),
        "{}",
        d.message
    );
    c.entry_has_only(0, "catch-all-clause");
    let d = c.at_entry(
        "catch-all-clause",
        "error",
        "受理条件",
        1,
        "conditions",
        Some("申请材料包括但不限于章程、验资报告。"),
    );
    assert!(d.message.contains("包括但不限于"), "{}", d.message);
    let d = c.at_material(
        "catch-all-clause",
        "error",
        "材料名称",
        2,
        "name",
        Some("其他材料"),
    );
    assert_eq!(d.cell.as_deref(), Some("B4"));
    c.material_clean(3);
    c.entry_clean(2);
    c.entry_clean(3);
    assert_eq!(c.code, 1);
}

#[test]
fn vague_wording_is_a_warning_and_a_trailing_deng_is_vague_but_dengji_is_not() {
    let mut f = Filing::valid(4);
    f.entries[0].set("受理条件", "经有关部门审核同意。");
    f.entries[1].set("办理地点", "详见备注");
    f.materials[4].set("材料名称", "法定代表人身份证、户口簿等");
    f.materials[5].set("材料名称", "社会组织等级评定证书");
    f.materials[6].set("材料名称", "平等自愿协商协议");
    let c = check_filing(&f);

    let d = c.at_entry(
        "vague-wording",
        "warning",
        "受理条件",
        0,
        "conditions",
        Some("经有关部门审核同意。"),
    );
    assert!(d.message.contains("有关部门"), "{}", d.message);
    c.entry_has_only(0, "vague-wording");
    c.at_entry(
        "vague-wording",
        "warning",
        "办理地点",
        1,
        "address",
        Some("详见备注"),
    );
    let d = c.at_material(
        "vague-wording",
        "warning",
        "材料名称",
        4,
        "name",
        Some("法定代表人身份证、户口簿等"),
    );
    assert!(d.message.contains('等'), "{}", d.message);
    c.material_clean(5);
    c.material_clean(6);
    c.entry_clean(2);
    c.entry_clean(3);
    assert_eq!(c.code, 0, "warnings only");
}

// --- name-has-agency ----------------------------------------------------------

#[test]
fn item_names_with_an_agency_a_place_or_digits_are_warned_about() {
    let bad: &[(&str, &str)] = &[
        ("娄底市民政局社会团体成立登记", "娄底市民政局"),
        ("民政局社会团体变更登记", "民政局"),
        ("娄星区社会团体注销登记", "娄星"),
        ("冷水江民办非企业单位成立登记", "冷水江"),
        ("民办非企业单位变更登记（2024年版）", "2"),
    ];
    let mut f = Filing::valid(bad.len() as u32 + 2);
    for (i, (name, _)) in bad.iter().enumerate() {
        f.entries[i].set("事项名称", *name);
    }
    let c = check_filing(&f);
    for (i, (name, part)) in bad.iter().enumerate() {
        let d = c.at_entry(
            "name-has-agency",
            "warning",
            "事项名称",
            i,
            "name",
            Some(name),
        );
        assert!(d.message.contains(part), "{name}: {}", d.message);
        c.entry_has_only(i, "name-has-agency");
    }
    c.entry_clean(bad.len());
    c.entry_clean(bad.len() + 1);
    assert_eq!(c.code, 0, "warnings only");
}

// --- no-materials -------------------------------------------------------------

#[test]
fn an_administrative_power_without_materials_is_warned_about() {
    let mut f = Filing::valid(3);
    f.entries[1].set("事项类型", "公共服务");
    // Entries 1 and 2 (序号 1, 2) list no material; entry 3 keeps its two.
    f.materials.retain(|m| m.get("事项序号") == "3");
    let c = check_filing(&f);

    let d = c.at_entry(
        "no-materials",
        "warning",
        "事项名称",
        0,
        "name",
        Some("社会团体成立登记"),
    );
    assert!(d.message.contains("行政许可"), "{}", d.message);
    c.entry_has_only(0, "no-materials");
    c.entry_clean(1);
    c.entry_clean(2);
    assert_eq!(c.code, 0);
}

//! Real published data (SPEC §2b): what provincial platforms publish as
//! normal passes — 12-digit division codes at every level, phones written
//! with any dash, brackets, spaces, extensions and several to a cell, the
//! national categories a workspace enables, legal bases quoted verbatim,
//! real item names — and near misses of each are still reported. Real
//! catch-all wording is caught, ordinary uses of 其他 are not, and a place
//! name of anywhere in China is caught in 事项名称 and 子项名称.

mod support;

use support::*;

const FILE: &str = "民政局.xlsx";
const ITEMS: &str = "事项";
const MATERIALS: &str = "申请材料";

/// A filing checked in a fresh folder (with `yima.yaml` when given).
struct Checked {
    report: Report,
    code: i32,
    items: Sheet,
    materials: Sheet,
    _dir: tempfile::TempDir,
}

fn check_in(f: &Filing, config: Option<&str>) -> Checked {
    let dir = tempdir();
    if let Some(yaml) = config {
        std::fs::write(dir.path().join("yima.yaml"), yaml).expect("write yima.yaml");
    }
    let (items, materials) = (f.items_sheet(), f.materials_sheet());
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

fn check_filing(f: &Filing) -> Checked {
    check_in(f, None)
}

impl Checked {
    /// The one finding of `rule` at column `header` of entry `i`.
    #[track_caller]
    fn at(&self, rule: &str, header: &str, i: usize) -> &Finding {
        self.report.one_at(rule, ITEMS, &self.items.cell(header, i))
    }

    #[track_caller]
    fn clean(&self, i: usize) {
        self.report
            .assert_row_clean(FILE, ITEMS, self.items.row_of(i));
    }

    /// The rules reported on entry `i`'s row.
    fn rules_on(&self, i: usize) -> Vec<&str> {
        self.report
            .on_row(FILE, ITEMS, self.items.row_of(i))
            .iter()
            .map(|d| d.rule.as_str())
            .collect()
    }
}

/// A filing of one valid entry per value, `header` set to each.
fn one_entry_each(header: &str, values: &[&str]) -> Filing {
    let mut f = Filing::valid(values.len() as u32);
    for (e, v) in f.entries.iter_mut().zip(values) {
        e.set(header, *v);
    }
    f
}

/// A filing of valid entries named `names` (序号 1…n, two materials each).
fn named(names: &[&str]) -> Filing {
    let mut f = Filing {
        entries: Vec::new(),
        materials: Vec::new(),
    };
    for (k, name) in names.iter().enumerate() {
        let seq = (k + 1).to_string();
        let mut e = valid_entry(1);
        e.set("序号", seq.as_str()).set("事项名称", *name);
        f.entries.push(e);
        for mut m in valid_materials(1) {
            m.set("事项序号", seq.as_str());
            f.materials.push(m);
        }
    }
    f
}

// --- division codes -----------------------------------------------------------

#[test]
fn twelve_digit_division_codes_at_every_level_pass() {
    let cases: &[(&str, &str)] = &[
        ("市级", "431300000000"),
        ("县级", "431302000000"),
        ("县级", "431382000000"),
        ("乡级", "431321100000"),
        ("乡级", "431302001000"),
        ("村级", "431382201215"),
        ("市级", "431300"),
        ("县级", "431322"),
    ];
    let mut f = Filing::valid(cases.len() as u32);
    for (e, (level, code)) in f.entries.iter_mut().zip(cases) {
        e.set("行使层级", *level).set("行政区划代码", *code);
    }
    let c = check_filing(&f);
    c.report.assert_clean();
    assert_eq!(c.code, 0);
}

#[test]
fn near_misses_of_twelve_digit_codes_are_still_invalid() {
    let bad: &[(&str, &str)] = &[
        ("4313020", "6 位或 12 位"),
        ("43130200000", "6 位或 12 位"),
        ("4313020000000", "6 位或 12 位"),
        ("431321600000", "第 7–9 位"),
        ("431321000201", "第 7–9 位"),
        ("431399000000", "不在区划代码表中"),
        ("430100000000", "不在本地区"),
    ];
    let f = one_entry_each(
        "行政区划代码",
        &bad.iter().map(|(c, _)| *c).collect::<Vec<_>>(),
    );
    let c = check_filing(&f);
    for (i, (code, says)) in bad.iter().enumerate() {
        let d = c.at("division-invalid", "行政区划代码", i);
        assert_eq!(d.value.as_deref(), Some(*code));
        assert!(d.message.contains(says), "{code}: {}", d.message);
        assert_eq!(c.rules_on(i), ["division-invalid"], "{}", c.report);
    }
    assert_eq!(c.code, 1);
}

#[test]
fn levels_match_the_meaning_of_a_twelve_digit_code() {
    let bad: &[(&str, &str)] = &[
        // A county written in 12 digits is no town, the city no county.
        ("乡级", "431302000000"),
        ("县级", "431300000000"),
        ("市级", "431321000000"),
        ("村级", "431321100000"),
    ];
    let mut f = Filing::valid(bad.len() as u32);
    for (e, (level, code)) in f.entries.iter_mut().zip(bad) {
        e.set("行使层级", *level).set("行政区划代码", *code);
    }
    let c = check_filing(&f);
    for (i, (_, code)) in bad.iter().enumerate() {
        let d = c.at("level-division-mismatch", "行政区划代码", i);
        assert_eq!(d.value.as_deref(), Some(*code));
        assert_eq!(c.rules_on(i), ["level-division-mismatch"]);
    }
}

// --- phones ---------------------------------------------------------------------

#[test]
fn phones_as_published_lists_write_them_pass() {
    let good: &[&[&str]] = &[
        &[
            "0738－8312345",
            "0738—8312345",
            "0738–8312345",
            "（0738）8312345",
            "(0738) 8312345",
            "0738 831 2345",
        ],
        &[
            "0738-8312345 转 8012",
            "0738-8312345转8012",
            "0738-8312345-8012",
            "0738-8312345、0738-8312346；12345",
            "0738-8312345\n13907381234",
            "0738-8312345，400-123-4567",
        ],
    ];
    for cells in good {
        let c = check_filing(&one_entry_each("咨询电话", cells));
        c.report.assert_clean();
        assert_eq!(c.code, 0);
    }
}

#[test]
fn each_bad_number_of_a_cell_is_named() {
    let cells: &[(&str, &str)] = &[
        // A local number without its area code, beside a good one.
        ("0738-8312345、8312346", "8312346"),
        // Garbage of 12 digits, letters, too many digits.
        ("123456789012", "123456789012"),
        ("0738-83l2345", "0738-83l2345"),
        ("0738-83123456789", "0738-83123456789"),
        // One line of two is bad.
        ("0738-8312345\n0738-83123", "0738-83123"),
        // A mobile takes no extension.
        ("13907381234转8012", "13907381234转8012"),
    ];
    let f = one_entry_each(
        "监督投诉电话",
        &cells.iter().map(|(c, _)| *c).collect::<Vec<_>>(),
    );
    let c = check_filing(&f);
    for (i, (_, bad)) in cells.iter().enumerate() {
        let d = c.at("phone-invalid", "监督投诉电话", i);
        assert!(
            d.message.ends_with(&format!("：{bad}")),
            "{bad}: {}",
            d.message
        );
        assert_eq!(c.rules_on(i), ["phone-invalid"]);
    }
    let d = c.at("phone-invalid", "监督投诉电话", 0);
    assert!(d.help.contains("区号"), "{}", d.help);
    assert_eq!(c.code, 1);
}

// --- categories -----------------------------------------------------------------

#[test]
fn a_national_category_not_enabled_says_how_to_enable_it() {
    let f = one_entry_each("事项类型", &["行政奖励", "08", "行政处罚", "行政许可"]);
    let c = check_filing(&f);
    for i in 0..3 {
        let d = c.at("value-invalid", "事项类型", i);
        assert!(d.message.contains("未在本工作区启用"), "{}", d.message);
        assert!(
            d.help.contains("yima.yaml") && d.help.contains("categories: [行政许可"),
            "{}",
            d.help
        );
    }
    // The line lists the enabled ones and this one, in the order of codes.
    assert!(
        c.at("value-invalid", "事项类型", 0).help.ends_with(
            "categories: [行政许可, 行政征收, 行政给付, 行政确认, 行政奖励, 其他行政权力, 公共服务]"
        ),
        "{}",
        c.at("value-invalid", "事项类型", 0).help
    );
    assert!(
        c.at("value-invalid", "事项类型", 2)
            .help
            .contains("[行政许可, 行政处罚, 行政征收"),
        "{}",
        c.at("value-invalid", "事项类型", 2).help
    );
    c.clean(3);
    assert_eq!(c.code, 1);
}

#[test]
fn a_workspace_enables_national_categories_by_name() {
    let config = "categories: [行政许可, 行政确认, 行政给付, 行政征收, 其他行政权力, 公共服务, 行政奖励, 行政裁决, 行政处罚]\n";
    let mut f = one_entry_each(
        "事项类型",
        &["行政奖励", "行政裁决", "行政奖励", "行政处罚", "行政检查"],
    );
    f.entries[0].set("结果名称", "");
    f.entries[1].set("结果名称", "");
    // 行政奖励 is an administrative power: its legal basis is required.
    f.entries[2].set("设定依据", "").set("结果名称", "");
    // 行政处罚 is exercised ex officio: no application material is expected.
    f.entries[3].set("结果名称", "");
    f.materials.retain(|m| m.get("事项序号") != "4");
    let c = check_in(&f, Some(config));
    c.clean(0);
    c.clean(1);
    c.clean(3);
    let d = c.at("legal-basis-missing", "设定依据", 2);
    assert!(d.message.contains("行政奖励"), "{}", d.message);
    // Not listed: still refused.
    let d = c.at("value-invalid", "事项类型", 4);
    assert!(
        d.help.contains("行政给付, 行政检查, 行政确认"),
        "{}",
        d.help
    );
    assert_eq!(c.code, 1);
}

#[test]
fn an_unknown_category_in_yima_yaml_is_a_usage_error_naming_it() {
    let dir = tempdir();
    std::fs::write(
        dir.path().join("yima.yaml"),
        "categories: [行政许可, 行政审批]\n",
    )
    .unwrap();
    Filing::valid(1).write_xlsx(&dir.path().join(FILE));
    let out = run(dir.path(), &["check", FILE]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("行政审批") && out.stderr.contains("categories"),
        "{}",
        out.stderr
    );
}

// --- legal bases quote the law --------------------------------------------------

#[test]
fn legal_bases_quote_the_law_verbatim_and_are_not_wording() {
    let quoted = "《社会团体登记管理条例》第十一条：申请登记社会团体，发起人应当向登记管理机关提交下列文件：（一）登记申请书；……（四）法律、法规规定的其他材料。有关部门应当依照有关规定办理。";
    let mut f = Filing::valid(3);
    f.entries[0].set("设定依据", quoted);
    f.entries[1]
        .set("是否收费", "是")
        .set("收费标准", "每件50元")
        .set(
            "收费依据",
            "《湖南省行政事业性收费项目目录》，按有关规定执行等",
        );
    // 材料依据 of entry 3's first material.
    f.materials[4].set("材料依据", quoted);
    // The same words in 受理条件 are still caught.
    f.entries[2].set("受理条件", "法律、法规规定的其他条件。");
    let c = check_filing(&f);
    c.clean(0);
    c.clean(1);
    c.report
        .assert_row_clean(FILE, MATERIALS, c.materials.row_of(4));
    c.at("catch-all-clause", "受理条件", 2);
}

// --- wording ----------------------------------------------------------------------

#[test]
fn real_catch_all_wording_is_caught() {
    let cases: &[(&str, &str)] = &[
        ("符合规定条件。", "符合规定条件"),
        ("1.符合以上条件", "符合以上条件"),
        ("申请人提交身份证等其他证件。", "等其他"),
        (
            "材料清单将根据国家政策适时进行补充或调整。",
            "适时…补充或调整",
        ),
        ("有固定住所；其它需要提供的材料。", "其它需要提供的"),
        (
            "具备法律、行政法规规定的其它条件。",
            "法律、行政法规规定的其它条件",
        ),
        ("法律法规规定的其他情形。", "规定的其他情形"),
        ("申请材料包括（但不限于）章程。", "但不限于"),
        ("提交户口簿及其他证明材料。", "其他证明材料"),
    ];
    let f = one_entry_each(
        "受理条件",
        &cases.iter().map(|(c, _)| *c).collect::<Vec<_>>(),
    );
    let c = check_filing(&f);
    for (i, (text, phrase)) in cases.iter().enumerate() {
        let d = c.at("catch-all-clause", "受理条件", i);
        assert!(d.message.contains(phrase), "{text}: {}", d.message);
        assert_eq!(c.rules_on(i), ["catch-all-clause"], "{text}");
    }
}

#[test]
fn see_the_notes_in_any_form_is_vague() {
    let cases = ["详见备注", "具体见备注。", "参见备注", "请见备注栏"];
    let f = one_entry_each("办理地点", &cases);
    let c = check_filing(&f);
    for (i, text) in cases.iter().enumerate() {
        let d = c.at("vague-wording", "办理地点", i);
        assert!(d.message.contains("见备注"), "{text}: {}", d.message);
    }
}

#[test]
fn other_in_its_ordinary_sense_is_no_catch_all() {
    let clean = [
        "申请人为企业、事业单位和其他社会组织。",
        "社会团体与其他社会团体合并的，应当办理注销登记。",
        "法人或者其他组织均可申请。",
        "通过电子证照库获取的，无需提交其他材料。",
        "申请人年满十八周岁；符合以上条件的，予以受理。",
        "申请人符合规定条件的，当场办结；其它组织参照办理。",
        "等级评定结果适时公布。",
    ];
    let f = one_entry_each("受理条件", &clean);
    let c = check_filing(&f);
    c.report.assert_clean();
    assert_eq!(c.code, 0);
}

// --- name-has-agency ----------------------------------------------------------------

/// Real item names of the national basic catalog and of a province's list:
/// none names an agency or a place (some hold words that are also place
/// names: 资源, 合作, 港口, 新建, 城区, 矿区, 台湾).
const REAL_NAMES: &[&str] = &[
    "户口迁移登记",
    "新生儿入户",
    "出生登记",
    "死亡注销户口",
    "户口登记项目变更更正",
    "居民身份证首次申领",
    "居住证签发",
    "普通护照签发",
    "内地居民往来港澳通行证签发",
    "大陆居民往来台湾通行证签发",
    "机动车注册登记",
    "建设工程规划许可证核发",
    "建设用地规划许可证核发",
    "乡村建设规划许可证核发",
    "建筑工程施工许可证核发",
    "建设工程消防验收备案",
    "城镇职工基本养老保险关系转移接续",
    "城乡居民基本养老保险参保登记",
    "失业保险金申领",
    "工伤认定申请",
    "劳动能力鉴定申请",
    "职业技能等级认定",
    "社会保障卡申领",
    "人力资源服务许可",
    "经营性人力资源服务机构设立许可",
    "劳务派遣经营许可",
    "社会团体成立登记",
    "基金会设立登记",
    "慈善组织认定",
    "内地居民婚姻登记",
    "收养登记",
    "最低生活保障对象认定",
    "特困人员认定",
    "临时救助",
    "困难残疾人生活补贴",
    "经营性公墓建设审批",
    "农民专业合作社设立登记",
    "中外合作办学许可",
    "个体工商户设立登记",
    "食品经营许可",
    "药品零售企业许可",
    "特种设备使用登记",
    "医疗机构执业登记",
    "护士执业注册",
    "公共场所卫生许可",
    "出生医学证明签发",
    "道路旅客运输经营许可",
    "港口经营许可",
    "港口设施保安证书核发",
    "船员适任证书核发",
    "公路超限运输许可",
    "取水许可",
    "河道采砂许可",
    "林木采伐许可证核发",
    "渔业捕捞许可",
    "农作物种子生产经营许可证核发",
    "农村宅基地审批",
    "不动产登记",
    "采矿权新立登记",
    "扩大矿区范围变更登记",
    "矿产资源储量评审备案",
    "自然资源确权登记",
    "建设项目环境影响评价审批",
    "排污许可",
    "危险废物经营许可",
    "民办学校设立审批",
    "教师资格认定",
    "出版物零售单位设立审批",
    "娱乐场所经营许可",
    "旅行社设立许可",
    "高危险性体育项目经营许可",
    "雷电防护装置设计审核",
    "宗教活动场所设立审批",
    "烈士褒扬金发放",
    "残疾人证办理",
    "城市道路挖掘许可",
    "城市建筑垃圾处置核准",
    "燃气经营许可",
    "商品房预售许可",
    "住房公积金提取",
    "公共租赁住房申请",
    "烟花爆竹经营许可",
    "固定资产投资项目节能审查",
    "企业投资项目核准",
    "对外贸易经营者备案登记",
    "外国人来华工作许可",
    "华侨回国定居审批",
    "在宗教活动场所内改建或者新建建筑物审批",
    "农村集体经济组织修建水库审批",
    "天然水域鱼类资源的人工增殖放流审批",
    "公章刻制业特种行业许可证核发",
    "就业困难人员认定",
    "中国内地公民婚姻登记",
    "草原防火期内因生产活动需要在草原上野外用火新办审批",
    "计量标准封存或撤销",
    "企业登记档案资料查询",
    "自然灾害生活救助资金和物资给付",
    "建筑起重机械安装、拆卸告知",
    "巡游出租汽车道路运输证核发",
    "游艺娱乐场所改建、扩建或变更场地审批",
    "城区范围内临时占用绿地审批",
];

#[test]
fn real_item_names_stay_clean() {
    // Checked a filing at a time: at most a few dozen entries each.
    for names in REAL_NAMES.chunks(40) {
        let c = check_filing(&named(names));
        assert!(c.report.of("name-has-agency").is_empty(), "{}", c.report);
        c.report.assert_clean();
    }
}

#[test]
fn place_names_of_anywhere_in_china_are_caught() {
    let cases: &[(&str, &str)] = &[
        ("湖南省社会团体成立登记", "湖南省"),
        ("湖南社会团体变更登记", "湖南"),
        ("长沙市民办非企业单位成立登记", "长沙市"),
        ("长沙基金会设立登记", "长沙"),
        ("望城区收养登记", "望城区"),
        ("广西壮族自治区婚姻登记", "广西壮族自治区"),
        ("湘西最低生活保障对象认定", "湘西"),
        ("浦东新区企业投资项目核准", "浦东新区"),
        ("成都天府新区人才认定", "成都"),
        ("四川省老年人优待证申领", "四川省"),
        ("冷水江市临时救助", "冷水江市"),
        ("双峰特困人员认定", "双峰"),
        ("资源县农民专业合作社设立登记", "资源县"),
        ("张家界导游证核发", "张家界"),
    ];
    let f = named(&cases.iter().map(|(n, _)| *n).collect::<Vec<_>>());
    let c = check_filing(&f);
    for (i, (name, place)) in cases.iter().enumerate() {
        let d = c.at("name-has-agency", "事项名称", i);
        assert!(
            d.message.contains(&format!("“{place}”")),
            "{name}: {}",
            d.message
        );
        assert_eq!(d.severity, "warning");
        assert_eq!(c.rules_on(i), ["name-has-agency"], "{}", c.report);
    }
    assert_eq!(c.code, 0, "warnings only");
}

#[test]
fn sub_item_names_are_read_as_item_names() {
    let mut f = Filing::valid(4);
    f.entries[0].set("子项名称", "长沙市社会团体名称变更");
    f.entries[1].set("子项名称", "娄底市民政局社会团体住所变更");
    f.entries[2].set("子项名称", "社会团体法定代表人变更（2024年）");
    f.entries[3].set("子项名称", "社会团体业务范围变更");
    let c = check_filing(&f);
    for (i, part) in [(0, "长沙市"), (1, "娄底市民政局"), (2, "2")] {
        let d = c.at("name-has-agency", "子项名称", i);
        assert_eq!(d.field.as_deref(), Some("sub_name"));
        assert!(
            d.message.starts_with("子项名称") && d.message.contains(part),
            "{}",
            d.message
        );
        assert_eq!(c.rules_on(i), ["name-has-agency"]);
    }
    c.clean(3);
}

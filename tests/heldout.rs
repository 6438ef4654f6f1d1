//! Held-out filings: three departments of Loudi file their service items the
//! way departments really send them — title and subtitle rows, a two-level
//! header with merged cells, 序号 typed as text, codes typed as numbers, note
//! rows under the table, another column order with an empty column and
//! merged agency cells, a GBK CSV export — each with a handful of seeded
//! problems of different rules on known rows. Every seeded problem must be
//! reported at its cell, and nothing else anywhere: a correct row stays quiet.

mod support;

use support::*;

/// A department that files: who, at which level, where.
struct Department {
    agency: Agency,
    sector: &'static str,
    level: &'static str,
    division: &'static str,
    scope: &'static str,
    audience: &'static str,
    address: &'static str,
    phone: &'static str,
    complaint: &'static str,
}

/// One service item as the department describes it.
struct Item {
    name: &'static str,
    category: &'static str,
    basis: &'static str,
    conditions: &'static str,
    statutory: &'static str,
    promised: &'static str,
    /// 结果名称; blank where the category needs none.
    result: &'static str,
    /// The material besides the application form.
    material: &'static str,
}

impl Item {
    #[allow(clippy::too_many_arguments)]
    const fn new(
        name: &'static str,
        category: &'static str,
        basis: &'static str,
        conditions: &'static str,
        statutory: &'static str,
        promised: &'static str,
        result: &'static str,
        material: &'static str,
    ) -> Item {
        Item {
            name,
            category,
            basis,
            conditions,
            statutory,
            promised,
            result,
            material,
        }
    }
}

/// The correct filing of a department's items: 序号 1…n, two materials each
/// (the application form and one document).
fn filing(dept: &Department, items: &[Item]) -> Filing {
    let mut entries = Vec::new();
    let mut materials = Vec::new();
    for (k, item) in items.iter().enumerate() {
        let seq = (k + 1).to_string();
        let handling = if item.promised == "0" {
            "即办件"
        } else {
            "承诺件"
        };
        let mut e = valid_entry(1);
        e.set("序号", seq.as_str())
            .set("事项名称", item.name)
            .set("事项类型", item.category)
            .set("业务指导部门", dept.sector)
            .set("实施主体", dept.agency.name.as_str())
            .set("实施主体编码", dept.agency.uscc.as_str())
            .set("行使层级", dept.level)
            .set("行政区划代码", dept.division)
            .set("服务对象", dept.audience)
            .set("设定依据", item.basis)
            .set("受理条件", item.conditions)
            .set("法定办结时限", item.statutory)
            .set("承诺办结时限", item.promised)
            .set("办件类型", handling)
            .set("通办范围", dept.scope)
            .set("办理地点", dept.address)
            .set("咨询电话", dept.phone)
            .set("监督投诉电话", dept.complaint)
            .set("结果名称", item.result);
        entries.push(e);
        let [mut form, mut doc] = valid_materials(1);
        form.set("事项序号", seq.as_str())
            .set("材料名称", format!("{}申请表", item.name))
            .set("材料依据", "");
        doc.set("事项序号", seq.as_str())
            .set("材料名称", item.material)
            .set("材料依据", "");
        materials.push(form);
        materials.push(doc);
    }
    Filing { entries, materials }
}

/// What a seeded problem's finding holds as its value.
#[derive(Debug, Clone)]
enum Value {
    Is(String),
    /// A blank cell: no value.
    Blank,
    /// Whatever the cell kept (a number that lost digits).
    Any,
}

/// The value a finding must show.
fn is(v: impl Into<String>) -> Value {
    Value::Is(v.into())
}

/// A seeded problem: the rule expected at a cell.
struct Seed {
    rule: &'static str,
    severity: &'static str,
    sheet: &'static str,
    cell: String,
    field: &'static str,
    value: Value,
}

const ITEMS: &str = "事项";
const MATERIALS: &str = "申请材料";

/// Asserts that the findings of `file` are exactly the seeded ones, each at
/// its cell with its severity, field and value.
#[track_caller]
fn assert_exactly(report: &Report, file: &str, seeds: &[Seed]) {
    for s in seeds {
        let found: Vec<&Finding> = report
            .at(s.sheet, &s.cell)
            .into_iter()
            .filter(|d| d.file == file && d.rule == s.rule)
            .collect();
        assert_eq!(
            found.len(),
            1,
            "expected {} at {file} · {}!{}:\n{report}",
            s.rule,
            s.sheet,
            s.cell
        );
        let d = found[0];
        assert_eq!(d.severity, s.severity, "{}:\n{report}", s.rule);
        assert_eq!(d.field.as_deref(), Some(s.field), "{}:\n{report}", s.rule);
        match &s.value {
            Value::Is(v) => assert_eq!(d.value.as_ref(), Some(v), "{}:\n{report}", s.rule),
            Value::Blank => assert_eq!(d.value, None, "{}:\n{report}", s.rule),
            Value::Any => assert!(d.value.is_some(), "{}:\n{report}", s.rule),
        }
    }
    let others: Vec<&Finding> = report
        .in_file(file)
        .into_iter()
        .filter(|d| {
            !seeds.iter().any(|s| {
                d.rule == s.rule
                    && d.sheet.as_deref() == Some(s.sheet)
                    && d.cell.as_deref() == Some(s.cell.as_str())
            })
        })
        .collect();
    assert!(
        others.is_empty(),
        "findings on rows without a seeded problem in {file}: {others:#?}\nreport:\n{report}"
    );
}

// ---------------------------------------------------------------------------
// 娄底市公安局: a workbook with a merged title, a subtitle, a two-level header,
// 序号 as text, codes as numbers, notes and signatures under the table.
// ---------------------------------------------------------------------------

const POLICE_FILE: &str = "娄底市公安局政务服务事项实施清单.xlsx";

fn police() -> Department {
    Department {
        agency: Agency::public_security(),
        sector: "公安",
        level: "市级",
        division: "431300",
        scope: "全市",
        audience: "自然人、企业法人",
        address: "娄底市政务服务中心一楼公安综合窗口",
        phone: "0738-8211110",
        complaint: "0738-8211111",
    }
}

const POLICE_ITEMS: &[Item] = &[
    Item::new(
        "居民身份证核发",
        "行政确认",
        "《中华人民共和国居民身份证法》第八条",
        "居住在中华人民共和国境内、年满十六周岁的中国公民；已在常住户口所在地登记户口。",
        "60",
        "20",
        "《中华人民共和国居民身份证》",
        "居民户口簿",
    ),
    Item::new(
        "户口迁移审批",
        "行政许可",
        "《中华人民共和国户口登记条例》第十条",
        "迁入地有合法稳定住所；迁移人员与迁入地户主的亲属关系经户籍档案核实。",
        "20",
        "10",
        "《准予迁入证明》",
        "合法稳定住所产权证明",
    ),
    Item::new(
        "无犯罪记录证明开具",
        "公共服务",
        "《公安机关办理犯罪记录查询工作规定》第六条",
        "申请人为本市户籍人员或在本市居住的中国公民。",
        "无",
        "3",
        "无犯罪记录证明",
        "居民身份证",
    ),
    Item::new(
        "机动车登记",
        "行政确认",
        "《中华人民共和国道路交通安全法》第八条",
        "机动车已通过安全技术检验；已依法投保机动车交通事故责任强制保险。",
        "2",
        "0",
        "《机动车登记证书》",
        "机动车交通事故责任强制保险凭证",
    ),
    Item::new(
        "机动车驾驶证核发",
        "行政许可",
        "《中华人民共和国道路交通安全法》第十九条",
        "申请人符合驾驶许可的年龄和身体条件；科目一至科目三考试合格。",
        "10",
        "1",
        "《中华人民共和国机动车驾驶证》",
        "县级以上医疗机构出具的身体条件证明",
    ),
    Item::new(
        "民用爆炸物品购买许可",
        "行政许可",
        "《民用爆炸物品安全管理条例》第二十一条",
        "申请单位持有营业执照或者事业单位法人证书；持有《爆破作业单位许可证》。",
        "5",
        "3",
        "《民用爆炸物品购买许可证》",
        "爆破作业单位许可证",
    ),
    Item::new(
        "烟花爆竹道路运输许可",
        "行政许可",
        "《烟花爆竹安全管理条例》第二十二条",
        "承运人持有危险货物道路运输经营许可；驾驶员、押运员具备危险货物运输从业资格。",
        "3",
        "1",
        "《烟花爆竹道路运输许可证》",
        "危险货物道路运输经营许可证",
    ),
    Item::new(
        "大型群众性活动安全许可",
        "行政许可",
        "《大型群众性活动安全管理条例》第十一条",
        "承办者制订了安全工作方案；活动场所符合安全要求；有与活动规模相适应的安全保卫人员。",
        "20",
        "7",
        "《大型群众性活动安全许可决定书》",
        "大型群众性活动安全工作方案",
    ),
    Item::new(
        "保安服务公司设立许可",
        "行政许可",
        "《保安服务管理条例》第八条",
        "有不低于人民币一百万元的注册资本；拟任法定代表人和主要管理人员具备任职条件。",
        "15",
        "10",
        "《保安服务许可证》",
        "注册资本验资报告",
    ),
    Item::new(
        "剧毒化学品购买许可",
        "行政许可",
        "《危险化学品安全管理条例》第三十九条",
        "申请单位持有营业执照；购买剧毒化学品的用途合法。",
        "3",
        "2",
        "《剧毒化学品购买许可证》",
        "剧毒化学品购买用途说明",
    ),
];

/// The police filing with its seeded problems, laid out; and the seeds.
fn police_filing() -> (Sheet, Sheet, Vec<Seed>) {
    let dept = police();
    let mut f = filing(&dept, POLICE_ITEMS);
    // Seeded: a promise longer than the law allows (entry 5).
    f.entries[4].set("承诺办结时限", "15");
    // Seeded: a catch-all clause in the conditions (entry 8).
    let conditions =
        "承办者制订了安全工作方案；活动场所符合安全要求；法律、行政法规规定的其他条件。";
    f.entries[7].set("受理条件", conditions);
    // Seeded: a division Loudi does not have (entry 10).
    f.entries[9].set("行政区划代码", "431310");
    // Seeded: vague wording in a material (the second one of entry 3).
    f.materials[5].set("材料名称", "户籍所在地相关证明");

    let numbers: Vec<String> = (1..=ITEM_HEADERS.len()).map(|n| n.to_string()).collect();
    let numbers: Vec<&str> = numbers.iter().map(String::as_str).collect();
    let items = f
        .items_sheet()
        .merged_title("娄底市公安局政务服务事项实施清单")
        .row_above(&[
            "填报单位（盖章）：娄底市公安局",
            "",
            "",
            "",
            "",
            "",
            "填报日期：2024年5月20日",
        ])
        .group_header("办理时限（工作日）", &["法定办结时限", "承诺办结时限"])
        .row_under_header(&numbers)
        .stored_as_text("序号")
        .stored_as_number("行政区划代码")
        // Codes of earlier revisions, typed as numbers.
        .set_cell("基本编码", 0, Cell::Number(430_701_001_000.0))
        .set_cell("基本编码", 3, Cell::Number(430_701_002_000.0))
        .set_cell("基本编码", 8, Cell::Number(430_101_005_000.0))
        // Seeded: a digits-only USCC typed as a number (entry 2).
        .set_cell("实施主体编码", 1, Cell::Number(114_313_000_061_403_548.0))
        // Seeded: a landline typed as a number, its 0 lost (entry 6).
        .set_cell("咨询电话", 5, Cell::Number(7_388_211_110.0))
        .row_below(&["注：1.本表由各实施单位填报，经法制机构审核后报市政务服务中心。"])
        .row_below(&["填表人：刘敏", "", "审核人：王建国"]);
    let materials = f
        .materials_sheet()
        .merged_title("娄底市公安局政务服务事项申请材料")
        .stored_as_text("事项序号")
        .merge_down("事项序号", 0, 1)
        .row_below(&["注：材料形式为复印件的，须验原件。"]);

    let seeds = vec![
        Seed {
            rule: "uscc-invalid",
            severity: "error",
            sheet: ITEMS,
            cell: items.cell("实施主体编码", 1),
            field: "agency_code",
            value: Value::Any,
        },
        Seed {
            rule: "promised-exceeds-statutory",
            severity: "error",
            sheet: ITEMS,
            cell: items.cell("承诺办结时限", 4),
            field: "promised_days",
            value: is("15"),
        },
        Seed {
            rule: "phone-invalid",
            severity: "error",
            sheet: ITEMS,
            cell: items.cell("咨询电话", 5),
            field: "contact_phone",
            value: is("7388211110"),
        },
        Seed {
            rule: "catch-all-clause",
            severity: "error",
            sheet: ITEMS,
            cell: items.cell("受理条件", 7),
            field: "conditions",
            value: is(conditions),
        },
        Seed {
            rule: "division-invalid",
            severity: "error",
            sheet: ITEMS,
            cell: items.cell("行政区划代码", 9),
            field: "division",
            value: is("431310"),
        },
        Seed {
            rule: "vague-wording",
            severity: "warning",
            sheet: MATERIALS,
            cell: materials.cell("材料名称", 5),
            field: "name",
            value: is("户籍所在地相关证明"),
        },
    ];
    (items, materials, seeds)
}

#[test]
fn police_workbook_with_titles_a_two_level_header_and_numbers() {
    let dir = tempdir();
    let (items, materials, seeds) = police_filing();
    write_xlsx(&dir.path().join(POLICE_FILE), &[items.clone(), materials]);
    let (report, code) = check(dir.path(), &[POLICE_FILE]);

    assert_exactly(&report, POLICE_FILE, &seeds);
    // Counted by hand: title, subtitle, group row, header (row 4), column
    // numbers; entry 2 on row 7, 实施主体编码 in column I.
    assert_eq!(items.cell("实施主体编码", 1), "I7");
    let d = report.one("uscc-invalid");
    assert_eq!(d.cell.as_deref(), Some("I7"));
    assert!(d.message.contains("精度"), "{}", d.message);
    assert!(report.one("phone-invalid").message.contains("0"));
    assert_eq!(report.summary.entries, 10);
    assert_eq!(report.summary.materials, 20);
    assert_eq!((report.summary.errors, report.summary.warnings), (5, 1));
    assert_eq!(code, 1);
}

// ---------------------------------------------------------------------------
// 双峰县市场监督管理局: a county filing in its own column order, with an empty
// column, column numbers under the header, the agency merged down the table
// and blank formatted rows at the end.
// ---------------------------------------------------------------------------

const MARKET_FILE: &str = "双峰县市场监管局2024年事项清单.xlsx";

fn market() -> Department {
    Department {
        agency: Agency {
            name: "双峰县市场监督管理局".into(),
            uscc: uscc("11", "431321", "MB1C4207"),
        },
        sector: "市场监管",
        level: "县级",
        division: "431321",
        scope: "全县",
        audience: "企业法人、非法人企业",
        address: "双峰县政务服务中心二楼市场监管窗口",
        phone: "0738-6822315",
        complaint: "12315",
    }
}

const MARKET_ITEMS: &[Item] = &[
    Item::new(
        "食品经营许可",
        "行政许可",
        "《中华人民共和国食品安全法》第三十五条",
        "具有与经营的食品品种、数量相适应的经营场所；有食品安全管理人员和保证食品安全的规章制度。",
        "20",
        "10",
        "《食品经营许可证》",
        "食品安全管理制度文本",
    ),
    Item::new(
        "食品生产许可",
        "行政许可",
        "《中华人民共和国食品安全法》第三十五条",
        "具有与生产的食品品种、数量相适应的生产场所；有专职的食品安全专业技术人员。",
        "20",
        "10",
        "《食品生产许可证》",
        "食品生产设备布局图和工艺流程图",
    ),
    Item::new(
        "药品零售企业许可",
        "行政许可",
        "《中华人民共和国药品管理法》第五十二条",
        "有依法经过资格认定的药师；有与所经营药品相适应的营业场所。",
        "30",
        "15",
        "《药品经营许可证》",
        "执业药师注册证",
    ),
    Item::new(
        "特种设备使用登记",
        "行政许可",
        "《中华人民共和国特种设备安全法》第三十三条",
        "特种设备已经监督检验合格；使用单位已配备安全管理人员。",
        "15",
        "5",
        "《特种设备使用登记证》",
        "特种设备监督检验证书",
    ),
    Item::new(
        "个体工商户登记",
        "行政许可",
        "《促进个体工商户发展条例》第八条",
        "申请人为有经营能力的公民；经营场所符合当地规划要求。",
        "15",
        "1",
        "《营业执照》",
        "经营场所使用证明",
    ),
    Item::new(
        "食品小作坊登记",
        "行政许可",
        "《湖南省食品生产加工小作坊小餐饮和食品摊贩管理条例》第十条",
        "有与生产加工的食品品种相适应的场所；生产加工人员持有健康证明。",
        "15",
        "5",
        "《食品小作坊登记证》",
        "从业人员健康证明",
    ),
    Item::new(
        "计量器具强制检定",
        "公共服务",
        "《中华人民共和国计量法》第九条",
        "计量器具列入强制检定目录；使用单位已向计量检定机构申请周期检定。",
        "无",
        "10",
        "检定证书",
        "计量器具清单",
    ),
    Item::new(
        "消费者投诉处理",
        "其他行政权力",
        "《市场监督管理投诉举报处理暂行办法》第九条",
        "投诉人与被投诉人之间存在消费者权益争议；投诉事项属于本部门管辖。",
        "7",
        "7",
        "投诉处理告知书",
        "投诉书",
    ),
];

fn market_filing() -> (Sheet, Sheet, Vec<Seed>) {
    let dept = market();
    let mut f = filing(&dept, MARKET_ITEMS);
    // Seeded: 即办件 with ten days promised (entry 2).
    f.entries[1].set("办件类型", "即办件");
    // Seeded: a county-level entry with a town's code (entry 4).
    f.entries[3].set("行政区划代码", "431321100000");
    // Seeded: online handling without its address (entry 5).
    f.entries[4].set("网办地址", "");
    // Seeded: the county's name in the item name (entry 6).
    f.entries[5].set("事项名称", "双峰县食品小作坊登记");
    // Seeded: an administrative power without its legal basis (entry 8).
    f.entries[7].set("设定依据", "");

    let order = [
        "序号",
        "事项名称",
        "子项名称",
        "事项类型",
        "实施主体",
        "实施主体编码",
        "实施主体性质",
        "行使层级",
        "行政区划代码",
        "业务指导部门",
        "基本编码",
        "实施编码",
        "设定依据",
        "受理条件",
        "承诺办结时限",
        "法定办结时限",
    ];
    let width = ITEM_HEADERS.len() + 1;
    let numbers: Vec<String> = (1..=width).map(|n| n.to_string()).collect();
    let numbers: Vec<&str> = numbers.iter().map(String::as_str).collect();
    let items = f
        .items_sheet()
        .order(&order)
        // A column left empty between the codes and the legal basis.
        .insert_column(12, "", &[])
        .merged_title("双峰县市场监督管理局政务服务事项实施清单（2024年版）")
        .row_under_header(&numbers)
        .merge_down("实施主体", 0, 7)
        .merge_down("实施主体编码", 0, 7)
        .merge_down("行使层级", 0, 2)
        .trailing_blank_rows(6);
    let materials = f
        .materials_sheet()
        .merged_title("申请材料清单")
        .trailing_blank_rows(4);

    let seeds = vec![
        Seed {
            rule: "handling-type-mismatch",
            severity: "error",
            sheet: ITEMS,
            cell: items.cell("办件类型", 1),
            field: "handling_type",
            value: is("即办件"),
        },
        Seed {
            rule: "level-division-mismatch",
            severity: "warning",
            sheet: ITEMS,
            cell: items.cell("行政区划代码", 3),
            field: "division",
            value: is("431321100000"),
        },
        Seed {
            rule: "online-url-missing",
            severity: "error",
            sheet: ITEMS,
            cell: items.cell("网办地址", 4),
            field: "online_url",
            value: Value::Blank,
        },
        Seed {
            rule: "name-has-agency",
            severity: "warning",
            sheet: ITEMS,
            cell: items.cell("事项名称", 5),
            field: "name",
            value: is("双峰县食品小作坊登记"),
        },
        Seed {
            rule: "legal-basis-missing",
            severity: "error",
            sheet: ITEMS,
            cell: items.cell("设定依据", 7),
            field: "legal_basis",
            value: Value::Blank,
        },
    ];
    (items, materials, seeds)
}

#[test]
fn county_market_workbook_in_its_own_column_order_with_merged_agency() {
    let dir = tempdir();
    let (items, materials, seeds) = market_filing();
    write_xlsx(&dir.path().join(MARKET_FILE), &[items.clone(), materials]);
    let (report, code) = check(dir.path(), &[MARKET_FILE]);

    assert_exactly(&report, MARKET_FILE, &seeds);
    // Counted by hand: title, header (row 2), column numbers; entry 4 on
    // row 7; 行政区划代码 is the 9th column.
    assert_eq!(items.cell("行政区划代码", 3), "I7");
    assert_eq!(report.summary.entries, 8);
    assert_eq!(report.summary.materials, 16);
    assert_eq!((report.summary.errors, report.summary.warnings), (3, 2));
    assert_eq!(code, 1);
}

// ---------------------------------------------------------------------------
// 娄底市人力资源和社会保障局: a CSV pair exported in GBK, with title rows and
// a note row.
// ---------------------------------------------------------------------------

const HR_PREFIX: &str = "娄底市人社局-";
const HR_ITEMS_FILE: &str = "娄底市人社局-事项.csv";
const HR_MATERIALS_FILE: &str = "娄底市人社局-申请材料.csv";

fn human_resources() -> Department {
    Department {
        agency: Agency::human_resources(),
        sector: "人力资源社会保障",
        level: "市级",
        division: "431300",
        scope: "全市",
        audience: "自然人、企业法人",
        address: "娄底市政务服务中心三楼人社窗口",
        phone: "0738-8222345",
        complaint: "12345",
    }
}

const HR_ITEMS: &[Item] = &[
    Item::new(
        "人力资源服务许可",
        "行政许可",
        "《人力资源市场暂行条例》第十八条",
        "有明确的章程和管理制度；有开展业务必备的固定场所；有三名以上具备人力资源服务专业知识的专职工作人员。",
        "20",
        "10",
        "《人力资源服务许可证》",
        "专职工作人员学历证书",
    ),
    Item::new(
        "劳务派遣经营许可",
        "行政许可",
        "《中华人民共和国劳动合同法》第五十七条",
        "注册资本不少于人民币二百万元；有与开展业务相适应的固定的经营场所和设施。",
        "20",
        "10",
        "《劳务派遣经营许可证》",
        "验资报告",
    ),
    Item::new(
        "企业实行不定时工作制和综合计算工时工作制审批",
        "行政许可",
        "《国务院关于职工工作时间的规定》第五条",
        "企业因生产特点不能实行标准工时制度；已听取工会和职工意见。",
        "20",
        "10",
        "不定时工作制和综合计算工时工作制审批决定书",
        "工会意见书",
    ),
    Item::new(
        "工伤认定",
        "行政确认",
        "《工伤保险条例》第十七条",
        "职工发生事故伤害或者被诊断、鉴定为职业病；在事故伤害发生之日起一年内提出申请。",
        "60",
        "30",
        "《认定工伤决定书》",
        "医疗诊断证明书",
    ),
    Item::new(
        "劳动能力鉴定",
        "行政确认",
        "《工伤保险条例》第二十三条",
        "职工已被认定为工伤；伤情处于相对稳定状态。",
        "60",
        "40",
        "《劳动能力鉴定结论书》",
        "认定工伤决定书",
    ),
    Item::new(
        "失业保险金申领",
        "行政给付",
        "《失业保险条例》第十四条",
        "失业前用人单位和本人已经缴纳失业保险费满一年；非因本人意愿中断就业；已经进行失业登记。",
        "10",
        "5",
        "",
        "解除劳动合同证明",
    ),
    Item::new(
        "社会保障卡申领",
        "公共服务",
        "《中华人民共和国社会保险法》第五十八条",
        "申请人已在本市参加社会保险。",
        "无",
        "10",
        "社会保障卡",
        "居民身份证",
    ),
    Item::new(
        "职业技能等级证书查询",
        "公共服务",
        "《中华人民共和国就业促进法》第五十一条",
        "申请人持有职业技能等级证书。",
        "无",
        "0",
        "职业技能等级证书查询结果",
        "居民身份证",
    ),
    Item::new(
        "就业困难人员认定",
        "行政确认",
        "《中华人民共和国就业促进法》第五十二条",
        "在劳动年龄内，有劳动能力和就业意愿；因身体状况、技能水平或家庭因素难以实现就业。",
        "15",
        "5",
        "就业困难人员认定结果",
        "就业创业证",
    ),
    Item::new(
        "技工学校设立审批",
        "行政许可",
        "《中华人民共和国职业教育法》第三十三条",
        "有组织机构和章程；有合格的教师和管理人员；有与培训任务相适应的设施、设备。",
        "60",
        "30",
        "技工学校设立批准文件",
        "学校章程",
    ),
];

fn hr_filing() -> (Sheet, Sheet, Vec<Seed>) {
    let dept = human_resources();
    let mut f = filing(&dept, HR_ITEMS);
    // Seeded: two visits in person (entry 2).
    f.entries[1].set("到办事现场次数", "2");
    // Seeded: a landline with digits missing (entry 4).
    f.entries[3].set("咨询电话", "0738-82223");
    // Seeded: charged, but no fee basis (entry 3).
    f.entries[2]
        .set("是否收费", "是")
        .set("收费标准", "每件200元");
    // Seeded: an 实施编码 with the county level code on a city entry (entry 7).
    let wrong_impl = format!("{}4432005001000", dept.agency.uscc);
    f.entries[6]
        .set("基本编码", "432005001000")
        .set("实施编码", wrong_impl.as_str());
    // Seeded: a catch-all material (the second one of entry 9).
    f.materials[17].set("材料名称", "其他材料");
    // Seeded: vague wording in the conditions (entry 10).
    let vague = "有组织机构和章程；有合格的教师和管理人员；设施、设备视情况由审批部门现场核查。";
    f.entries[9].set("受理条件", vague);

    let items = f
        .items_sheet()
        .row_above(&["娄底市人力资源和社会保障局政务服务事项实施清单"])
        .row_above(&["填报单位（盖章）：娄底市人力资源和社会保障局"])
        .row_below(&["注：本表共10项，其中行政许可4项。"]);
    let materials = f
        .materials_sheet()
        .row_above(&["娄底市人力资源和社会保障局政务服务事项申请材料"]);

    let seeds = vec![
        Seed {
            rule: "visits-exceed-one",
            severity: "warning",
            sheet: ITEMS,
            cell: items.cell("到办事现场次数", 1),
            field: "visits",
            value: is("2"),
        },
        Seed {
            rule: "fee-basis-missing",
            severity: "error",
            sheet: ITEMS,
            cell: items.cell("收费依据", 2),
            field: "fee_basis",
            value: Value::Blank,
        },
        Seed {
            rule: "phone-invalid",
            severity: "error",
            sheet: ITEMS,
            cell: items.cell("咨询电话", 3),
            field: "contact_phone",
            value: is("0738-82223"),
        },
        Seed {
            rule: "impl-code-mismatch",
            severity: "error",
            sheet: ITEMS,
            cell: items.cell("实施编码", 6),
            field: "impl_code",
            value: is(wrong_impl.as_str()),
        },
        Seed {
            rule: "vague-wording",
            severity: "warning",
            sheet: ITEMS,
            cell: items.cell("受理条件", 9),
            field: "conditions",
            value: is(vague),
        },
        Seed {
            rule: "catch-all-clause",
            severity: "error",
            sheet: MATERIALS,
            cell: materials.cell("材料名称", 17),
            field: "name",
            value: is("其他材料"),
        },
    ];
    (items, materials, seeds)
}

#[test]
fn city_hr_csv_pair_in_gbk_with_title_and_note_rows() {
    let dir = tempdir();
    let (items, materials, seeds) = hr_filing();
    write_csv_pair(dir.path(), HR_PREFIX, &items, &materials, Encoding::Gbk);
    let (report, code) = check(dir.path(), &["."]);

    // A CSV pair is one filing; findings name the file of their sheet.
    let (item_seeds, material_seeds): (Vec<Seed>, Vec<Seed>) =
        seeds.into_iter().partition(|s| s.sheet == ITEMS);
    assert_exactly(&report, HR_ITEMS_FILE, &item_seeds);
    assert_exactly(&report, HR_MATERIALS_FILE, &material_seeds);
    // Counted by hand: two title rows, header on row 3; entry 7 on row 10,
    // 实施编码 in column G.
    assert_eq!(items.cell("实施编码", 6), "G10");
    assert_eq!(report.summary.entries, 10);
    assert_eq!(report.summary.materials, 20);
    assert_eq!((report.summary.errors, report.summary.warnings), (4, 2));
    assert_eq!(code, 1);
}

// ---------------------------------------------------------------------------
// All three in one folder, as the service center checks a batch.
// ---------------------------------------------------------------------------

#[test]
fn the_three_filings_checked_as_one_batch() {
    let dir = tempdir();
    let batch = dir.path().join("2024年5月报送");
    std::fs::create_dir(&batch).expect("create folder");
    let (p_items, p_materials, p_seeds) = police_filing();
    write_xlsx(&batch.join(POLICE_FILE), &[p_items, p_materials]);
    let (m_items, m_materials, m_seeds) = market_filing();
    write_xlsx(&batch.join(MARKET_FILE), &[m_items, m_materials]);
    let (h_items, h_materials, h_seeds) = hr_filing();
    write_csv_pair(&batch, HR_PREFIX, &h_items, &h_materials, Encoding::Gbk);
    let (report, code) = check(dir.path(), &["2024年5月报送"]);

    let at = |f: &str| format!("2024年5月报送/{f}");
    assert_exactly(&report, &at(POLICE_FILE), &p_seeds);
    assert_exactly(&report, &at(MARKET_FILE), &m_seeds);
    let (item_seeds, material_seeds): (Vec<Seed>, Vec<Seed>) =
        h_seeds.into_iter().partition(|s| s.sheet == ITEMS);
    assert_exactly(&report, &at(HR_ITEMS_FILE), &item_seeds);
    assert_exactly(&report, &at(HR_MATERIALS_FILE), &material_seeds);
    // Nothing else anywhere: the three departments' items are no duplicates
    // of one another.
    assert_eq!(report.diagnostics.len(), 17, "{report}");
    assert_eq!(report.summary.files, 3);
    assert_eq!(report.summary.entries, 28);
    assert_eq!(report.summary.materials, 56);
    assert_eq!(code, 1);
}

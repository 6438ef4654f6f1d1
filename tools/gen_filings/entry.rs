//! One implementation entry as the cells of its 事项 row, its 申请材料 rows
//! and its rows of the optional sheets 收费项目 and 常见问题, in the column
//! order of the standard workbook (every element of SPEC §2 and §2a, see
//! `full.rs`), and the mistakes that can be seeded into it — each made so
//! that exactly one finding of its rule follows.

use crate::full;
use crate::rng::Rng;
use crate::words::{self, CATEGORIES};
use crate::world::{Agency, Item, Level, PUBLIC_SERVICE};
use yima::standard::Standard;
use yima::standard::elements::{FeeField, Field, MaterialField, QuestionField};

/// A cell as a department's workbook holds it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
}

impl Cell {
    fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }

    /// The cell as a CSV file (or a person reading it) shows it.
    pub fn shown(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Cell::Empty => "".into(),
            Cell::Text(s) => s.as_str().into(),
            Cell::Number(n) if n.fract() == 0.0 => format!("{}", *n as i64).into(),
            Cell::Number(n) => n.to_string().into(),
        }
    }
}

/// A mistake seeded into an entry, named by the rule that must find it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Mistake {
    /// The USCC's check character is wrong.
    UsccCheck,
    /// 承诺办结时限 > 法定办结时限.
    PromisedOverStatutory,
    /// 受理条件 points to "有关规定".
    VagueWording,
    /// No 设定依据 for an administrative power.
    LegalBasisMissing,
    /// 咨询电话 typed into a numeric cell, its leading 0 lost.
    PhoneLostZero,
    /// 受理条件 ends with a catch-all clause.
    CatchAll,
    /// 到办事现场次数 out of 0–9.
    VisitsOutOfRange,
    /// 即办件 with days promised.
    HandlingMismatch,
    /// 网上办理 without 网办地址.
    OnlineUrlMissing,
    /// A division code not in the table.
    DivisionUnknown,
    /// Charged, with no 收费依据.
    FeeBasisMissing,
    /// A material whose 事项序号 matches no entry.
    MaterialOrphan,
    /// 受理条件 left blank.
    ConditionsMissing,
    /// The county's name in 事项名称.
    NameHasPlace,
    /// 法定办结时限 written as 自然日 where its unit column says 工作日.
    DaysUnitMismatch,
    /// 网上办理深度 四级 (全程网办) with a visit to make.
    OnlineDepthMismatch,
    /// The application form's 空白表格 names a file no forms folder holds.
    FormMissing,
}

impl Mistake {
    pub const ALL: [Mistake; 17] = [
        Mistake::UsccCheck,
        Mistake::PromisedOverStatutory,
        Mistake::VagueWording,
        Mistake::LegalBasisMissing,
        Mistake::PhoneLostZero,
        Mistake::CatchAll,
        Mistake::VisitsOutOfRange,
        Mistake::HandlingMismatch,
        Mistake::OnlineUrlMissing,
        Mistake::DivisionUnknown,
        Mistake::FeeBasisMissing,
        Mistake::MaterialOrphan,
        Mistake::ConditionsMissing,
        Mistake::NameHasPlace,
        Mistake::DaysUnitMismatch,
        Mistake::OnlineDepthMismatch,
        Mistake::FormMissing,
    ];

    /// The rule id (SPEC §4) whose finding the mistake causes.
    pub fn rule(self) -> &'static str {
        match self {
            Mistake::UsccCheck => "uscc-invalid",
            Mistake::PromisedOverStatutory => "promised-exceeds-statutory",
            Mistake::VagueWording => "vague-wording",
            Mistake::LegalBasisMissing => "legal-basis-missing",
            Mistake::PhoneLostZero => "phone-invalid",
            Mistake::CatchAll => "catch-all-clause",
            Mistake::VisitsOutOfRange => "value-invalid",
            Mistake::HandlingMismatch => "handling-type-mismatch",
            Mistake::OnlineUrlMissing => "online-url-missing",
            Mistake::DivisionUnknown => "division-invalid",
            Mistake::FeeBasisMissing => "fee-basis-missing",
            Mistake::MaterialOrphan => "material-orphan",
            Mistake::ConditionsMissing => "value-missing",
            Mistake::NameHasPlace => "name-has-agency",
            Mistake::DaysUnitMismatch => "days-unit-mismatch",
            Mistake::OnlineDepthMismatch => "online-depth-mismatch",
            Mistake::FormMissing => "form-missing",
        }
    }

    /// Whether the mistake can be made in an entry of this item.
    pub fn fits(self, item: &Item) -> bool {
        match self {
            Mistake::LegalBasisMissing => item.power(),
            _ => true,
        }
    }
}

/// Column positions of the standard workbook's sheets.
pub struct Columns {
    items: Vec<usize>,
    materials: Vec<usize>,
    fees: Vec<usize>,
    questions: Vec<usize>,
    /// The headers, in sheet order.
    pub item_headers: Vec<String>,
    pub material_headers: Vec<String>,
    pub fee_headers: Vec<String>,
    pub question_headers: Vec<String>,
}

/// Where each field of `all` is among a sheet's elements.
fn positions<F: PartialEq + Copy>(
    all: &[F],
    def: &[yima::standard::elements::Element<F>],
) -> Vec<usize> {
    all.iter()
        .map(|f| {
            def.iter()
                .position(|e| e.field == *f)
                .expect("every field has a column")
        })
        .collect()
}

impl Columns {
    pub fn new(standard: &Standard) -> Columns {
        let e = &standard.elements;
        Columns {
            items: positions(Field::ALL, &e.items.elements),
            materials: positions(MaterialField::ALL, &e.materials.elements),
            fees: positions(FeeField::ALL, &e.fees.elements),
            questions: positions(QuestionField::ALL, &e.questions.elements),
            item_headers: e.items.elements.iter().map(|e| e.header.clone()).collect(),
            material_headers: e
                .materials
                .elements
                .iter()
                .map(|e| e.header.clone())
                .collect(),
            fee_headers: e.fees.elements.iter().map(|e| e.header.clone()).collect(),
            question_headers: e
                .questions
                .elements
                .iter()
                .map(|e| e.header.clone())
                .collect(),
        }
    }

    fn item_row(&self) -> ItemRow<'_> {
        ItemRow {
            cols: self,
            cells: vec![Cell::Empty; self.item_headers.len()],
        }
    }
}

/// A 事项 row being filled field by field.
struct ItemRow<'a> {
    cols: &'a Columns,
    cells: Vec<Cell>,
}

impl ItemRow<'_> {
    fn set(&mut self, f: Field, c: Cell) {
        // Field::ALL lists the fields in declaration order.
        let i = self.cols.items[f as usize];
        self.cells[i] = c;
    }

    fn text(&mut self, f: Field, s: impl Into<String>) {
        self.set(f, Cell::text(s));
    }
}

/// One generated entry: its 事项 row, its 申请材料 rows, and its rows of
/// 收费项目 and 常见问题.
pub struct Generated {
    pub item: Vec<Cell>,
    pub materials: Vec<Vec<Cell>>,
    pub fees: Vec<Vec<Cell>>,
    pub questions: Vec<Vec<Cell>>,
}

/// The cells of one entry. `rng` is the entry's own stream.
pub fn generate(
    cols: &Columns,
    seq: u32,
    agency: &Agency,
    item: &Item,
    rng: &mut Rng,
    mistake: Option<Mistake>,
) -> Generated {
    let sw = item.words();
    let o = item.object;
    let mut r = cols.item_row();
    r.set(Field::Seq, Cell::Number(f64::from(seq)));
    r.text(Field::Name, item.name.clone());
    if let Some(sub) = &item.sub_name {
        r.text(Field::SubName, sub.clone());
    }
    r.text(Field::Category, CATEGORIES[item.category]);
    r.text(Field::Sector, sw.sector);
    r.text(Field::Agency, agency.name.clone());
    r.text(Field::AgencyCode, agency.uscc.clone());
    r.text(Field::AgencyNature, agency.nature);
    r.text(Field::Level, agency.level.name());
    r.text(Field::Division, agency.division.clone());
    if item.power() {
        let source = match agency.level {
            Level::City | Level::County => {
                ["法定本级行使", "上级下放", "上级委托", "同级委托"][rng.weighted(&[17, 1, 1, 1])]
            }
            Level::Town | Level::Village => *rng.pick(&["上级下放", "上级委托", "法定本级行使"]),
        };
        r.text(Field::PowerSource, source);
        if source.ends_with("委托") {
            r.text(Field::EntrustingAgency, format!("湖南省{}厅", sw.sector));
        }
    }
    let audience = match agency.level {
        Level::Village | Level::Town => {
            *rng.pick(&["自然人", "自然人", "自然人、其他组织", "个人"])
        }
        _ => *rng.pick(&[
            "自然人",
            "企业法人",
            "企业法人、事业法人",
            "自然人、企业法人",
            "企业法人、非法人企业、其他组织",
            "社会组织法人",
        ]),
    };
    r.text(Field::Audience, audience);
    let article = words::article(rng.range(2, 60));
    if item.power() || rng.chance(0.6) {
        let mut basis = format!("《{}》{article}", item.law);
        if rng.chance(0.3) {
            let other = rng.pick(sw.laws);
            basis.push_str(&format!(
                "；《{other}》{}",
                words::article(rng.range(2, 40))
            ));
        }
        r.text(Field::LegalBasis, basis);
    }
    let who = *rng.pick(words::APPLICANTS);
    let conditions = rng
        .pick(words::CONDITIONS[item.category])
        .replace("{o}", o)
        .replace("{w}", who)
        .replace("{l}", item.law);
    r.text(Field::Process, *rng.pick(words::PROCESSES[item.category]));
    // Time limits: the statutory one from the law (none for many public
    // services), the promised one well within it.
    let mut statutory: Option<u32> = if item.category == PUBLIC_SERVICE && rng.chance(0.5) {
        None
    } else {
        Some(*rng.pick(&[3, 5, 10, 15, 20, 20, 30, 60]))
    };
    let mut promised = if rng.chance(0.25) {
        0
    } else {
        let cap = statutory.unwrap_or(5).max(1);
        rng.range(1, (cap / 2).max(1))
    };
    let mut instant = promised == 0;
    let mut visits = f64::from(u8::from(!rng.chance(0.35)));
    let charged = item.power() && rng.chance(0.04);
    let channels = match agency.level {
        Level::Village => *rng.pick(&["窗口办理", "窗口办理", "窗口办理、网上办理"]),
        _ => *rng.pick(&[
            "窗口办理、网上办理",
            "窗口办理、网上办理",
            "窗口办理、网上办理、移动端办理",
            "窗口办理",
            "网上办理、快递申请",
            "窗口办理、网上办理、自助终端",
        ]),
    };
    let mut channels = channels;
    let url = format!(
        "https://zwfw-new.hunan.gov.cn/hnzwfw/bszn/detail.do?orgId={}&itemId={:08X}",
        agency.serial,
        rng.next_u64() as u32
    );
    let mut url = (channels.contains("网上") || channels.contains("移动端")).then_some(url);
    let scope = match agency.level {
        Level::City => *rng.pick(&["全市", "全市", "全省"]),
        Level::County => *rng.pick(&["全县", "全市", "全县"]),
        _ => *rng.pick(&["全县", "不通办"]),
    };
    r.text(Field::Scope, scope);
    r.text(
        Field::InHall,
        if agency.level == Level::Village {
            "否"
        } else {
            "是"
        },
    );
    r.text(Field::Address, agency.address.clone());
    r.text(Field::Hours, *rng.pick(words::HOURS));
    r.text(Field::ContactPhone, agency.phone.clone());
    r.text(Field::ComplaintPhone, agency.complaint.clone());
    if let Some(result) = &item.result {
        r.text(Field::ResultName, result.clone());
    }
    if rng.chance(0.93) {
        r.text(Field::Forwarded, if rng.chance(0.03) { "是" } else { "否" });
    }
    if rng.chance(0.1) {
        r.text(Field::Notes, *rng.pick(words::ENTRY_NOTES));
    }
    let mut fee = charged.then(|| {
        (
            format!("每件{}元", rng.pick(&[5, 10, 20, 50, 100])),
            format!(
                "《湖南省行政事业性收费目录清单》；《{}》{}",
                item.law,
                words::article(rng.range(2, 40))
            ),
        )
    });

    // The materials: about four, the application form first.
    let count = [2, 3, 4, 5, 6][rng.weighted(&[15, 25, 25, 20, 15])];
    let mut materials = Vec::with_capacity(count + 1);
    let names: Vec<String> = std::iter::once(format!("{o}申请表"))
        .chain(
            rng.distinct(words::MATERIALS.len(), count - 1)
                .map(|i| words::MATERIALS[i].replace("{o}", o)),
        )
        .collect();
    for (i, name) in names.into_iter().enumerate() {
        materials.push(material(cols, seq, i as u32 + 1, name, item, rng));
    }

    let mut conditions = Some(conditions);
    let mut contact_number = false;
    match mistake {
        None => {}
        Some(Mistake::UsccCheck) => {
            let mut code = agency.uscc.clone();
            let last = code.pop().expect("18 characters");
            let alphabet = yima::rules::uscc::ALPHABET;
            let i = (alphabet.find(last).unwrap_or(0) + 1 + rng.below(29)) % alphabet.len();
            code.push(alphabet.as_bytes()[i] as char);
            r.text(Field::AgencyCode, code);
        }
        Some(Mistake::PromisedOverStatutory) => {
            let d = statutory.unwrap_or(10);
            statutory = Some(d);
            promised = d + rng.range(1, 10);
            instant = false;
        }
        Some(Mistake::VagueWording) => {
            conditions = conditions.map(|c| format!("{c}\n具体条件按有关规定执行。"));
        }
        Some(Mistake::LegalBasisMissing) => r.set(Field::LegalBasis, Cell::Empty),
        Some(Mistake::PhoneLostZero) => contact_number = true,
        Some(Mistake::CatchAll) => {
            conditions = conditions.map(|c| format!("{c}\n法律、法规规定的其他条件。"));
        }
        Some(Mistake::VisitsOutOfRange) => visits = f64::from(rng.range(10, 30)),
        Some(Mistake::HandlingMismatch) => {
            let d = statutory.unwrap_or(10);
            statutory = Some(d);
            promised = rng.range(1, d.max(1));
            instant = true;
        }
        Some(Mistake::OnlineUrlMissing) => {
            channels = "窗口办理、网上办理";
            url = None;
        }
        Some(Mistake::DivisionUnknown) => {
            // 431350–431379: inside the region, in no table (the counties are 02, 21, 22, 81, 82).
            r.text(Field::Division, format!("4313{:02}", rng.range(50, 79)));
        }
        Some(Mistake::FeeBasisMissing) => {
            fee = Some((format!("每件{}元", rng.pick(&[5, 10, 20])), String::new()));
        }
        Some(Mistake::MaterialOrphan) => {
            let n = materials.len() as u32 + 1;
            let mut orphan = material(cols, seq, n, format!("{o}补充说明"), item, rng);
            orphan[cols.materials[MaterialField::ItemSeq as usize]] =
                Cell::Number(f64::from(9_000_000 + seq));
            materials.push(orphan);
        }
        Some(Mistake::ConditionsMissing) => conditions = None,
        Some(Mistake::NameHasPlace) => {
            let place = match agency.level {
                Level::City => words::CITY.1,
                _ => agency.county,
            };
            r.text(Field::Name, format!("{place}{}", item.name));
        }
        Some(Mistake::DaysUnitMismatch) => statutory = statutory.or(Some(20)),
        Some(Mistake::OnlineDepthMismatch) => {
            // 全程网办 claimed for an entry that asks for one visit.
            channels = "窗口办理、网上办理";
            url = url.or_else(|| {
                Some(format!(
                    "https://zwfw-new.hunan.gov.cn/hnzwfw/bszn/detail.do?orgId={}",
                    agency.serial
                ))
            });
            visits = 1.0;
        }
        Some(Mistake::FormMissing) => {}
    }
    r.text(Field::Channels, channels);
    if let Some(u) = &url {
        r.text(Field::OnlineUrl, u.clone());
    }
    if let Some(c) = conditions {
        r.text(Field::Conditions, c);
    }
    r.set(Field::PromisedDays, Cell::Number(f64::from(promised)));
    r.text(
        Field::HandlingType,
        if instant { "即办件" } else { "承诺件" },
    );
    r.set(Field::Visits, Cell::Number(visits));
    // Half the charged entries list their fees as fee items (sheet 收费项目),
    // which then stand for the entry's own 收费标准 and 收费依据.
    let mut fees = Vec::new();
    let charged = fee.is_some();
    let itemized = fee.as_ref().is_some_and(|(_, basis)| !basis.is_empty()) && rng.chance(0.5);
    match fee {
        Some((standard, basis)) if itemized => {
            r.text(Field::Charged, "是");
            fees.push(fee_row(cols, seq, "证照工本费", &standard, &basis, None));
            if rng.chance(0.5) {
                fees.push(fee_row(
                    cols,
                    seq,
                    "检验检测费",
                    "按检验项目计收，每项 50 元",
                    &basis,
                    Some("《关于减免小微企业行政事业性收费的通知》第二条：小微企业免收"),
                ));
            }
        }
        Some((standard, basis)) => {
            r.text(Field::Charged, "是");
            r.text(Field::FeeStandard, standard);
            if !basis.is_empty() {
                r.text(Field::FeeBasis, basis);
            }
        }
        None => r.text(Field::Charged, "否"),
    }
    let days = Days {
        statutory,
        unit_mismatch: mistake == Some(Mistake::DaysUnitMismatch),
    };
    let online = channels.contains("网上") || channels.contains("移动端");
    let depth = if mistake == Some(Mistake::OnlineDepthMismatch) {
        "四级"
    } else {
        full::online_depth(online, visits as u32, rng)
    };
    let state = State {
        days,
        visits: visits as u32,
        channels,
        has_url: url.is_some(),
        charged,
        depth,
    };
    fill_full(&mut r, &state, agency, item, rng);
    for (i, m) in materials.iter_mut().enumerate() {
        let form_missing = i == 0 && mistake == Some(Mistake::FormMissing);
        fill_material(cols, m, i == 0, form_missing, o, rng);
    }
    let questions = if rng.chance(0.08) {
        let n = rng.range(1, 2) as usize;
        rng.distinct(full::QUESTIONS.len(), n)
            .map(|i| {
                let (q, a) = full::QUESTIONS[i];
                let mut cells = vec![Cell::Empty; cols.question_headers.len()];
                cells[cols.questions[QuestionField::ItemSeq as usize]] =
                    Cell::Number(f64::from(seq));
                cells[cols.questions[QuestionField::Question as usize]] = Cell::text(q);
                cells[cols.questions[QuestionField::Answer as usize]] = Cell::text(a);
                cells
            })
            .collect()
    } else {
        Vec::new()
    };
    if contact_number {
        // 0738-8123456 typed as a number: 7388123456.
        let digits: String = agency.phone.chars().filter(char::is_ascii_digit).collect();
        let n: f64 = digits
            .trim_start_matches('0')
            .parse()
            .unwrap_or(7_388_000_000.0);
        r.set(Field::ContactPhone, Cell::Number(n));
    }
    Generated {
        item: r.cells,
        materials,
        fees,
        questions,
    }
}

/// 法定办结时限 as the entry ends up with it.
struct Days {
    /// None: 无.
    statutory: Option<u32>,
    /// Written as 自然日 while its unit column says 工作日 (a seeded mistake).
    unit_mismatch: bool,
}

/// What the elements of SPEC §2a must agree with, once mistakes are made.
struct State<'a> {
    days: Days,
    visits: u32,
    channels: &'a str,
    has_url: bool,
    charged: bool,
    depth: &'static str,
}

/// The elements of SPEC §2a of the 事项 row: everything `profile: full` asks
/// for, and the optional ones some of the time.
fn fill_full(r: &mut ItemRow<'_>, s: &State<'_>, agency: &Agency, item: &Item, rng: &mut Rng) {
    let unit = if rng.chance(0.05) {
        "自然日"
    } else {
        "工作日"
    };
    match s.days.statutory {
        Some(d) if s.days.unit_mismatch => {
            r.text(Field::StatutoryDays, format!("{d}个自然日"));
            r.text(Field::StatutoryUnit, "工作日");
        }
        // Real filings write the unit into the cell too (SPEC §2b).
        Some(d) if rng.chance(0.15) => {
            r.text(Field::StatutoryDays, format!("{d}个{unit}"));
            r.text(Field::StatutoryUnit, unit);
        }
        Some(d) => {
            r.set(Field::StatutoryDays, Cell::Number(f64::from(d)));
            r.text(Field::StatutoryUnit, unit);
        }
        None => {
            r.text(Field::StatutoryDays, "无");
            r.text(Field::StatutoryUnit, "工作日");
        }
    }
    r.text(Field::PromisedUnit, unit);
    r.text(Field::StatutoryNote, *rng.pick(full::STATUTORY_NOTES));
    r.text(Field::PromisedNote, *rng.pick(full::PROMISED_NOTES));
    let licence = item.category == 0;
    r.text(
        Field::SpecialProcedure,
        if licence && rng.chance(0.3) {
            *rng.pick(full::SPECIAL_PROCEDURES)
        } else {
            "无"
        },
    );
    if s.visits >= 1 {
        r.text(Field::VisitReason, *rng.pick(full::VISIT_REASONS));
    }
    r.text(Field::Intermediary, "无");
    if rng.chance(0.5) {
        r.text(Field::QuantityLimit, "无");
    }
    if matches!(agency.level, Level::City | Level::County) && rng.chance(0.5) {
        r.text(Field::AuthorityDivision, *rng.pick(full::AUTHORITY));
        r.text(
            Field::ExerciseContent,
            format!("{}的受理、审查和决定。", item.name),
        );
    }
    let (citizen, business) = full::topics(item.words().sector);
    r.text(Field::CitizenTopics, citizen);
    if item.power() {
        r.text(Field::BusinessTopics, business);
    }
    r.text(Field::OnlineDepth, s.depth);
    let online = s.channels.contains("网上") || s.channels.contains("移动端");
    let yes_no = |b: bool| if b { "是" } else { "否" };
    r.text(Field::Online, yes_no(online && s.has_url));
    r.text(Field::Appointment, yes_no(rng.chance(0.6)));
    r.text(Field::PayOnline, yes_no(s.charged && online));
    r.text(
        Field::Courier,
        yes_no(s.channels.contains("快递") || rng.chance(0.4)),
    );
    r.text(Field::Kiosk, yes_no(s.channels.contains("自助终端")));
    r.text(Field::ConsultWay, *rng.pick(full::CONSULT_WAYS));
    r.text(Field::ComplaintWay, *rng.pick(full::COMPLAINT_WAYS));
    if let Some(result) = &item.result {
        r.text(Field::ResultType, full::result_type(result));
        if rng.chance(0.2) {
            r.text(
                Field::ResultSample,
                format!(
                    "https://zwfw-new.hunan.gov.cn/hnzwfw/sample/{:08X}.pdf",
                    rng.next_u64() as u32
                ),
            );
        }
    }
    if licence {
        r.text(
            Field::ReviewStandard,
            rng.pick(full::REVIEW_STANDARDS).replace("{l}", item.law),
        );
    }
    if rng.chance(0.3) {
        r.text(
            Field::EffectiveDate,
            format!("2024-{:02}-01", rng.range(1, 12)),
        );
    }
}

/// The elements of SPEC §2a of a material row.
fn fill_material(
    cols: &Columns,
    cells: &mut [Cell],
    application: bool,
    form_missing: bool,
    object: &str,
    rng: &mut Rng,
) {
    let mut set = |f: MaterialField, c: Cell| cells[cols.materials[f as usize]] = c;
    set(
        MaterialField::MaterialType,
        Cell::text(if application {
            "申请表格文书"
        } else {
            *rng.pick(&["证件证书证明", "证件证书证明", "其他"])
        }),
    );
    set(MaterialField::PaperSpec, Cell::text("A4"));
    let standard = if application {
        *rng.pick(full::ACCEPTANCE_FORM)
    } else {
        *rng.pick(full::ACCEPTANCE_CERTIFICATE)
    };
    set(MaterialField::AcceptanceStandard, Cell::text(standard));
    if form_missing {
        set(
            MaterialField::BlankForm,
            Cell::Text(format!("{object}申请表.docx")),
        );
    } else if application && rng.chance(0.5) {
        let id = rng.next_u64() as u32;
        set(
            MaterialField::BlankForm,
            Cell::Text(format!(
                "https://zwfw-new.hunan.gov.cn/hnzwfw/forms/{id:08X}.docx"
            )),
        );
        if rng.chance(0.5) {
            set(
                MaterialField::SampleForm,
                Cell::Text(format!(
                    "https://zwfw-new.hunan.gov.cn/hnzwfw/forms/{id:08X}-sample.pdf"
                )),
            );
        }
    }
}

/// One row of sheet 收费项目.
fn fee_row(
    cols: &Columns,
    seq: u32,
    name: &str,
    standard: &str,
    basis: &str,
    reduction: Option<&str>,
) -> Vec<Cell> {
    let mut cells = vec![Cell::Empty; cols.fee_headers.len()];
    let mut set = |f: FeeField, c: Cell| cells[cols.fees[f as usize]] = c;
    set(FeeField::ItemSeq, Cell::Number(f64::from(seq)));
    set(FeeField::Name, Cell::text(name));
    set(FeeField::Standard, Cell::text(standard));
    set(FeeField::Basis, Cell::text(basis));
    set(
        FeeField::Reducible,
        Cell::text(if reduction.is_some() { "是" } else { "否" }),
    );
    if let Some(r) = reduction {
        set(FeeField::ReductionBasis, Cell::text(r));
    }
    cells
}

fn material(
    cols: &Columns,
    seq: u32,
    n: u32,
    name: String,
    item: &Item,
    rng: &mut Rng,
) -> Vec<Cell> {
    let mut cells = vec![Cell::Empty; cols.material_headers.len()];
    let mut set = |f: MaterialField, c: Cell| {
        let i = cols.materials[f as usize];
        cells[i] = c;
    };
    set(MaterialField::Seq, Cell::Number(f64::from(n)));
    set(MaterialField::ItemSeq, Cell::Number(f64::from(seq)));
    set(MaterialField::Name, Cell::Text(name));
    let form = *rng.pick(&["原件", "复印件", "复印件", "原件和复印件", "电子材料"]);
    set(MaterialField::Form, Cell::text(form));
    let copies = if form == "电子材料" {
        rng.range(0, 1)
    } else {
        rng.range(1, 2)
    };
    set(MaterialField::Copies, Cell::Number(f64::from(copies)));
    let from_government = rng.chance(0.25);
    set(
        MaterialField::Source,
        Cell::text(if from_government {
            "政府部门核发"
        } else {
            "申请人自备"
        }),
    );
    if from_government || rng.chance(0.5) {
        let e = from_government && rng.chance(0.6);
        set(
            MaterialField::ELicense,
            Cell::text(if e { "是" } else { "否" }),
        );
    }
    let necessity = ["必要", "容缺后补", "非必要"][rng.weighted(&[17, 2, 1])];
    set(MaterialField::Necessity, Cell::text(necessity));
    if rng.chance(0.4) {
        set(
            MaterialField::Basis,
            Cell::Text(format!(
                "《{}》{}",
                item.law,
                words::article(rng.range(2, 50))
            )),
        );
    }
    if rng.chance(0.3) {
        set(
            MaterialField::Notes,
            Cell::text(*rng.pick(words::MATERIAL_NOTES)),
        );
    }
    cells
}

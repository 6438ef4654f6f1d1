//! The elements (columns) of the two filing sheets, as `schemas/elements.yaml`
//! defines them, and the header index that maps a sheet's header text to them.

use super::normalize_header;
use serde::Deserialize;
use std::collections::HashMap;

macro_rules! fields {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $id:literal,)* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
        pub enum $name {
            $( #[serde(rename = $id)] $variant, )*
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The field id used in reports and in `items/`.
            pub fn id(self) -> &'static str {
                match self { $($name::$variant => $id,)* }
            }
        }

        impl FieldId for $name {
            fn field_id(self) -> &'static str {
                self.id()
            }
            fn index(self) -> usize {
                self as usize
            }
        }
    };
}

/// The report id of a sheet's field, and its place among the sheet's fields.
pub trait FieldId {
    fn field_id(self) -> &'static str;
    /// Its place among the sheet's fields (0, 1, …).
    fn index(self) -> usize;
}

fields! {
    /// An element of sheet 事项.
    Field {
        Seq = "seq", Name = "name", SubName = "sub_name", Category = "category",
        Sector = "sector", BasicCode = "basic_code", ImplCode = "impl_code",
        Agency = "agency", AgencyCode = "agency_code", AgencyNature = "agency_nature",
        Level = "level", Division = "division", PowerSource = "power_source",
        Audience = "audience", LegalBasis = "legal_basis", Conditions = "conditions",
        Process = "process", StatutoryDays = "statutory_days",
        PromisedDays = "promised_days", HandlingType = "handling_type",
        Visits = "visits", Charged = "charged", FeeStandard = "fee_standard",
        FeeBasis = "fee_basis", Channels = "channels", OnlineUrl = "online_url",
        Scope = "scope", InHall = "in_hall", Address = "address", Hours = "hours",
        ContactPhone = "contact_phone", ComplaintPhone = "complaint_phone",
        ResultName = "result_name", Forwarded = "forwarded", Notes = "notes",
        // 全要素 (SPEC §2a).
        AuthorityDivision = "authority_division", ExerciseContent = "exercise_content",
        EntrustingAgency = "entrusting_agency", JointAgencies = "joint_agencies",
        CitizenTopics = "citizen_topics", BusinessTopics = "business_topics",
        StatutoryUnit = "statutory_unit", StatutoryNote = "statutory_note",
        PromisedUnit = "promised_unit", PromisedNote = "promised_note",
        SpecialProcedure = "special_procedure", VisitReason = "visit_reason",
        Intermediary = "intermediary", QuantityLimit = "quantity_limit",
        OnlineDepth = "online_depth", Online = "online", Appointment = "appointment",
        PayOnline = "pay_online", Courier = "courier", Kiosk = "kiosk",
        ConsultWay = "consult_way", ComplaintWay = "complaint_way",
        ResultType = "result_type", ResultSample = "result_sample",
        ReviewStandard = "review_standard", EffectiveDate = "effective_date",
    }
}

fields! {
    /// An element of sheet 申请材料.
    MaterialField {
        Seq = "seq", ItemSeq = "item_seq", Name = "name", Form = "form",
        Copies = "copies", Source = "source", ELicense = "e_license",
        Necessity = "necessity", Basis = "basis", Notes = "notes",
        // 全要素 (SPEC §2a).
        MaterialType = "material_type", PaperSpec = "paper_spec",
        SourceNote = "source_note", AcceptanceStandard = "acceptance_standard",
        BlankForm = "blank_form", SampleForm = "sample_form",
    }
}

fields! {
    /// An element of sheet 收费项目 (fee items, SPEC §2a).
    FeeField {
        ItemSeq = "item_seq", Name = "name", Standard = "standard", Basis = "basis",
        Reducible = "reducible", ReductionBasis = "reduction_basis",
    }
}

fields! {
    /// An element of sheet 常见问题 (questions, SPEC §2a).
    QuestionField {
        ItemSeq = "item_seq", Question = "question", Answer = "answer",
    }
}

/// When an element must be filled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Required {
    Yes,
    No,
    /// For the five administrative-power categories.
    WhenPower,
    /// For categories that must name their result (许可, 确认).
    WhenResult,
    /// When 是否收费 = 是.
    WhenCharged,
    /// When an online channel is chosen.
    WhenOnline,
    /// When 窗口办理 is chosen.
    WhenWindow,
}

impl Required {
    /// Whether the column must be present in the sheet.
    pub fn column_required(self) -> bool {
        self != Required::No
    }
}

/// A condition on another cell of the same row, under which an element's
/// value is required (`when:` and `full:` in `schemas/elements.yaml`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    /// The field id of the other element.
    pub field: String,
    /// It holds one of these values (canonical names of its code table).
    #[serde(default, rename = "in")]
    pub any_of: Vec<String>,
    /// It holds a whole number at least this large.
    #[serde(default)]
    pub min: Option<u32>,
}

/// When an element is required under `profile: full`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum Full {
    Always(bool),
    When(Condition),
}

impl Full {
    /// The condition, if any; `Some(None)` means always.
    pub fn condition(&self) -> Option<Option<&Condition>> {
        match self {
            Full::Always(true) => Some(None),
            Full::Always(false) => None,
            Full::When(c) => Some(Some(c)),
        }
    }
}

/// What kind of value an element holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Text,
    Lines,
    Integer,
    Days,
    Enum,
    Multi,
    Url,
    Phone,
    Code,
    /// Several free-text values (联办机构).
    List,
    /// A date: 2026-03-01, 2026年3月1日, or a date cell.
    Date,
    /// A file under the workspace's `forms/`, or an http(s) URL.
    Form,
}

/// One column of a filing sheet.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Element<F> {
    pub field: F,
    /// The header the standard workbook prints.
    pub header: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    pub required: Required,
    /// Its value is required when this holds (its column stays optional).
    #[serde(default)]
    pub when: Option<Condition>,
    /// Required under `profile: full`.
    #[serde(default)]
    pub full: Option<Full>,
    /// One of the elements of SPEC §2a a filing may leave out.
    #[serde(default)]
    pub optional: bool,
    /// The rule a blank required value is reported under (default
    /// value-missing), as a rule id.
    #[serde(default)]
    pub missing_rule: Option<String>,
    pub kind: Kind,
    /// The code table of an enum or multi element.
    #[serde(default)]
    pub table: Option<String>,
    #[serde(default)]
    pub max_len: Option<usize>,
    #[serde(default)]
    pub min: Option<u32>,
    #[serde(default)]
    pub max: Option<u32>,
    /// What to write, shown as a header comment and as help.
    pub help: String,
}

/// The elements of one sheet and the index of header spellings.
#[derive(Debug, Clone, Deserialize)]
#[serde(
    from = "SheetDefRaw<F>",
    bound(deserialize = "F: Deserialize<'de> + FieldId + Copy")
)]
pub struct SheetDef<F> {
    /// The sheet's standard name.
    pub sheet: String,
    /// Other sheet names departments use.
    pub aliases: Vec<String>,
    pub elements: Vec<Element<F>>,
    /// Whether the workspace's `profile: full` is in force: the elements
    /// marked `full` are then required.
    pub full: bool,
    index: HashMap<String, usize>,
    /// The elements with a condition, and where the cells their
    /// conditions read are (see [`Conditional`]).
    pub conditional: Vec<Conditional>,
    /// Whether no two elements name the same field (a workspace's own
    /// `schemas/elements.yaml` might): each element's value may then be
    /// taken rather than copied when an entry becomes cells.
    pub distinct: bool,
}

/// An element whose value a condition may require: its index, and the
/// index of the element its `when` condition reads and of the one its
/// `full` condition reads — found once, not per row.
#[derive(Debug, Clone, Copy)]
pub struct Conditional {
    pub element: usize,
    pub when: Option<usize>,
    pub full: Option<usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SheetDefRaw<F> {
    sheet: String,
    #[serde(default)]
    aliases: Vec<String>,
    elements: Vec<Element<F>>,
}

impl<F: FieldId + Copy> From<SheetDefRaw<F>> for SheetDef<F> {
    fn from(raw: SheetDefRaw<F>) -> Self {
        let at = |c: &Condition| {
            raw.elements
                .iter()
                .position(|o| o.field.field_id() == c.field)
        };
        let conditional = (raw.elements.iter().enumerate())
            .filter_map(|(element, e)| {
                let when = e.when.as_ref().and_then(at);
                let full = e.full.as_ref().and_then(|f| f.condition()).flatten();
                let full = full.and_then(at);
                (when.is_some() || full.is_some()).then_some(Conditional {
                    element,
                    when,
                    full,
                })
            })
            .collect();
        let mut index = HashMap::new();
        // Standard headers win over aliases of other elements.
        for (i, e) in raw.elements.iter().enumerate() {
            index.insert(normalize_header(&e.header), i);
        }
        for (i, e) in raw.elements.iter().enumerate() {
            for a in &e.aliases {
                index.entry(normalize_header(a)).or_insert(i);
            }
        }
        let ids: std::collections::HashSet<&str> =
            raw.elements.iter().map(|e| e.field.field_id()).collect();
        let distinct = ids.len() == raw.elements.len();
        SheetDef {
            sheet: raw.sheet,
            aliases: raw.aliases,
            elements: raw.elements,
            full: false,
            index,
            conditional,
            distinct,
        }
    }
}

impl<F: Copy + PartialEq> SheetDef<F> {
    /// The element a header cell names, if any.
    pub fn match_header(&self, header: &str) -> Option<&Element<F>> {
        self.index
            .get(&normalize_header(header))
            .map(|&i| &self.elements[i])
    }

    /// Whether a sheet must have the element's column.
    pub fn column_required(&self, e: &Element<F>) -> bool {
        e.required.column_required() || (self.full && e.full.is_some())
    }

    /// Whether the element's value is required in every row, whatever
    /// the other cells hold.
    pub fn always_required(&self, e: &Element<F>) -> bool {
        e.required == Required::Yes || (self.full && e.full == Some(Full::Always(true)))
    }

    /// The conditions under which a value is required besides
    /// [`Self::always_required`] and the `when-…` keywords: its `when`, and
    /// under `profile: full` its `full` condition.
    pub fn conditions<'e>(&self, e: &'e Element<F>) -> impl Iterator<Item = &'e Condition> {
        let full = if self.full {
            e.full.as_ref().and_then(|f| f.condition()).flatten()
        } else {
            None
        };
        e.when.iter().chain(full)
    }

    /// The element with this field id.
    pub fn by_id(&self, id: &str) -> Option<&Element<F>>
    where
        F: FieldId,
    {
        self.elements.iter().find(|e| e.field.field_id() == id)
    }

    pub fn element(&self, field: F) -> &Element<F> {
        self.elements
            .iter()
            .find(|e| e.field == field)
            .expect("every field has an element in schemas/elements.yaml")
    }

    /// The known header spelling closest to `header`, for "did you mean".
    pub fn suggest(&self, header: &str) -> Option<&Element<F>> {
        let h = normalize_header(header);
        if h.is_empty() {
            return None;
        }
        let names = self.index.iter().map(|(k, &i)| (k.as_str(), i));
        super::closest(&h, names).map(|i| &self.elements[i])
    }

    /// Whether `name` is this sheet's name or one of its aliases.
    pub fn names_sheet(&self, name: &str) -> bool {
        let n = normalize_header(name);
        n == normalize_header(&self.sheet) || self.aliases.iter().any(|a| normalize_header(a) == n)
    }
}

/// Both sheets.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Elements {
    pub items: SheetDef<Field>,
    pub materials: SheetDef<MaterialField>,
    /// 收费项目, an optional sheet.
    pub fees: SheetDef<FeeField>,
    /// 常见问题, an optional sheet.
    pub questions: SheetDef<QuestionField>,
}

impl Elements {
    /// Checks that every field of the model has exactly one element.
    pub fn validate(&self) -> Result<(), String> {
        fn check<F: Copy + PartialEq + std::fmt::Debug>(
            def: &SheetDef<F>,
            all: &[F],
        ) -> Result<(), String> {
            for f in all {
                let n = def.elements.iter().filter(|e| e.field == *f).count();
                if n != 1 {
                    return Err(format!(
                        "sheet {}: field {f:?} defined {n} times",
                        def.sheet
                    ));
                }
            }
            for e in &def.elements {
                if matches!(e.kind, Kind::Enum | Kind::Multi) && e.table.is_none() {
                    return Err(format!("element {} needs a table", e.header));
                }
            }
            Ok(())
        }
        check(&self.items, Field::ALL)?;
        check(&self.materials, MaterialField::ALL)?;
        check(&self.fees, FeeField::ALL)?;
        check(&self.questions, QuestionField::ALL)?;
        self.check_conditions()
    }

    /// Puts `profile: full` in force (or not) on every sheet.
    pub fn set_full(&mut self, full: bool) {
        self.items.full = full;
        self.materials.full = full;
        self.fees.full = full;
        self.questions.full = full;
    }

    /// Every condition names an element of its own sheet, with values of
    /// that element's code table.
    fn check_conditions(&self) -> Result<(), String> {
        fn check<F: Copy + PartialEq + FieldId>(def: &SheetDef<F>) -> Result<(), String> {
            for e in &def.elements {
                let conds = e
                    .when
                    .iter()
                    .chain(e.full.as_ref().and_then(|f| f.condition()).flatten());
                for c in conds {
                    let Some(other) = def.by_id(&c.field) else {
                        return Err(format!(
                            "element {}: its condition names `{}`, no element of sheet {}",
                            e.header, c.field, def.sheet
                        ));
                    };
                    if c.any_of.is_empty() == c.min.is_none() {
                        return Err(format!(
                            "element {}: a condition on {} needs either `in` or `min`",
                            e.header, other.header
                        ));
                    }
                }
                if let Some(r) = &e.missing_rule
                    && r.parse::<crate::diag::Rule>().is_err()
                {
                    return Err(format!("element {}: unknown missing_rule `{r}`", e.header));
                }
            }
            Ok(())
        }
        check(&self.items)?;
        check(&self.materials)?;
        check(&self.fees)?;
        check(&self.questions)
    }
}

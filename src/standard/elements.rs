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
    };
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
    }
}

fields! {
    /// An element of sheet 申请材料.
    MaterialField {
        Seq = "seq", ItemSeq = "item_seq", Name = "name", Form = "form",
        Copies = "copies", Source = "source", ELicense = "e_license",
        Necessity = "necessity", Basis = "basis", Notes = "notes",
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
#[serde(from = "SheetDefRaw<F>")]
pub struct SheetDef<F> {
    /// The sheet's standard name.
    pub sheet: String,
    /// Other sheet names departments use.
    pub aliases: Vec<String>,
    pub elements: Vec<Element<F>>,
    index: HashMap<String, usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SheetDefRaw<F> {
    sheet: String,
    #[serde(default)]
    aliases: Vec<String>,
    elements: Vec<Element<F>>,
}

impl<F> From<SheetDefRaw<F>> for SheetDef<F> {
    fn from(raw: SheetDefRaw<F>) -> Self {
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
        SheetDef {
            sheet: raw.sheet,
            aliases: raw.aliases,
            elements: raw.elements,
            index,
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
        check(&self.materials, MaterialField::ALL)
    }
}

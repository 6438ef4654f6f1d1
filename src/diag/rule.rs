//! The rule catalog: every finding yima can report has one stable, kebab-case
//! id (SPEC §4) and a default severity that a workspace may override.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// How much a finding weighs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Reported, does not fail the run (unless `--deny warnings`).
    Warning,
    /// Fails the run: exit code 1, and `ingest` writes nothing.
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

macro_rules! rules {
    ($( $(#[$doc:meta])* $variant:ident = $id:literal, $sev:ident; )*) => {
        /// A rule of the standard (SPEC §4).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Rule {
            $( $(#[$doc])* $variant, )*
        }

        impl Rule {
            /// Every rule, in the order of SPEC §4.
            pub const ALL: &'static [Rule] = &[$(Rule::$variant),*];

            /// The stable id, as used in reports, `yima.yaml` and `yima explain`.
            pub fn id(self) -> &'static str {
                match self { $(Rule::$variant => $id,)* }
            }

            /// The severity the standard gives it when no workspace says otherwise.
            pub fn default_severity(self) -> Severity {
                match self { $(Rule::$variant => Severity::$sev,)* }
            }
        }
    };
}

rules! {
    /// Not a readable workbook or CSV.
    FileUnreadable = "file-unreadable", Error;
    /// No 事项 or 申请材料 sheet recognized.
    SheetMissing = "sheet-missing", Error;
    /// No header row in the first 10 rows.
    HeaderMissing = "header-missing", Error;
    /// A required column is absent.
    ColumnMissing = "column-missing", Error;
    /// A column that maps to no element.
    ColumnUnknown = "column-unknown", Warning;
    /// Two columns map to the same element.
    ColumnDuplicate = "column-duplicate", Error;
    /// A required cell is blank.
    ValueMissing = "value-missing", Error;
    /// A value the element does not allow.
    ValueInvalid = "value-invalid", Error;
    /// A value over the element's length limit.
    ValueTooLong = "value-too-long", Error;
    /// 序号 repeated in one file.
    SeqDuplicate = "seq-duplicate", Error;
    /// A material whose 事项序号 matches no item.
    MaterialOrphan = "material-orphan", Error;
    /// A 统一社会信用代码 that fails GB 32100.
    UsccInvalid = "uscc-invalid", Error;
    /// An unknown division code, or one outside the region.
    DivisionInvalid = "division-invalid", Error;
    /// A malformed or inconsistent 基本编码.
    BasicCodeInvalid = "basic-code-invalid", Error;
    /// 实施编码 ≠ USCC + level code + 基本编码.
    ImplCodeMismatch = "impl-code-mismatch", Error;
    /// A 基本编码 the registry never issued.
    CodeUnknown = "code-unknown", Error;
    /// A retired code used again.
    CodeRetired = "code-retired", Error;
    /// A registered code under another name.
    CodeRenamed = "code-renamed", Warning;
    /// The same entry twice across the run.
    ItemDuplicate = "item-duplicate", Error;
    /// 承诺办结时限 > 法定办结时限.
    PromisedExceedsStatutory = "promised-exceeds-statutory", Error;
    /// 即办件 with days, or 承诺件 with none.
    HandlingTypeMismatch = "handling-type-mismatch", Error;
    /// More than one visit.
    VisitsExceedOne = "visits-exceed-one", Warning;
    /// No 设定依据 for an administrative power.
    LegalBasisMissing = "legal-basis-missing", Error;
    /// 设定依据 cites no 《…》.
    LegalBasisUnquoted = "legal-basis-unquoted", Warning;
    /// Charged without 收费标准 or 收费依据.
    FeeBasisMissing = "fee-basis-missing", Error;
    /// Online channel without 网办地址.
    OnlineUrlMissing = "online-url-missing", Error;
    /// Not a valid phone number.
    PhoneInvalid = "phone-invalid", Error;
    /// A catch-all clause.
    CatchAllClause = "catch-all-clause", Error;
    /// Vague wording.
    VagueWording = "vague-wording", Warning;
    /// 事项名称 with an agency name, place name or digits.
    NameHasAgency = "name-has-agency", Warning;
    /// An administrative-power entry without materials.
    NoMaterials = "no-materials", Warning;
    /// 行使层级 that does not fit the division code.
    LevelDivisionMismatch = "level-division-mismatch", Warning;
    /// USCC registered outside the region.
    UsccRegionMismatch = "uscc-region-mismatch", Warning;
    /// A form or sample names a file not in the workspace's forms/.
    FormMissing = "form-missing", Error;
    /// 网上办理深度 or 是否网办 that the entry's other elements contradict.
    OnlineDepthMismatch = "online-depth-mismatch", Warning;
    /// A time limit written in one unit where its unit column says the other.
    DaysUnitMismatch = "days-unit-mismatch", Error;
    /// An item name close to, not the same as, an item of the upper-level
    /// basic catalog.
    NameNearCatalog = "name-near-catalog", Warning;
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// The id names no rule.
#[derive(Debug, thiserror::Error)]
#[error("unknown rule `{0}`")]
pub struct UnknownRule(pub String);

impl FromStr for Rule {
    type Err = UnknownRule;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Rule::ALL
            .iter()
            .copied()
            .find(|r| r.id() == s)
            .ok_or_else(|| UnknownRule(s.to_string()))
    }
}

impl Serialize for Rule {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.id())
    }
}

impl<'de> Deserialize<'de> for Rule {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_are_unique_and_kebab_case() {
        let mut seen = HashSet::new();
        for r in Rule::ALL {
            assert!(seen.insert(r.id()), "duplicate id {}", r.id());
            assert!(
                r.id().chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{} is not kebab-case",
                r.id()
            );
            assert_eq!(r.id().parse::<Rule>().unwrap(), *r);
        }
        assert_eq!(Rule::ALL.len(), 37);
    }
}

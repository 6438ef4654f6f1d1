//! `yima schema`: prints a schema derived from the standard. The default is
//! the JSON Schema of a catalog entry file (`items/**.yaml`), the same as
//! `schemas/item.schema.json`; `--format frictionless` prints a Frictionless
//! Table Schema of the filing's 事项 sheet, so that generic table validators
//! check the same columns, required cells, code values and limits as yima's
//! element definitions (`schemas/elements.yaml`, `schemas/codes.yaml`).

use super::EXIT_OK;
use super::failure::Result;
use crate::catalog::CatalogEntry;
use crate::standard::Standard;
use crate::standard::elements::{Element, Field, Kind, Required};
use crate::standard::tables::Table;
use serde::Serialize;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// 输出格式
    #[arg(long, short = 'f', value_enum, default_value_t = SchemaFormat::JsonSchema)]
    pub format: SchemaFormat,
}

/// What `yima schema` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SchemaFormat {
    /// 目录条目文件的 JSON Schema
    JsonSchema,
    /// 填报表“事项”表的 Frictionless Table Schema
    Frictionless,
}

pub fn run(args: Args, workspace: Option<&std::path::Path>) -> Result<u8> {
    match args.format {
        SchemaFormat::JsonSchema => out!("{}", CatalogEntry::json_schema()),
        SchemaFormat::Frictionless => {
            // The workspace's standard, overrides included.
            let ws = crate::workspace::Workspace::discover(workspace)
                .map_err(|e| super::failure::Failure::new(e.to_string()))?;
            out!("{}", frictionless(&ws.standard))
        }
    }
    Ok(EXIT_OK)
}

/// A Frictionless Table Schema (Table Schema v2, as frictionless-py reads it).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TableSchema {
    pub fields: Vec<TableField>,
    pub missing_values: Vec<String>,
}

/// One column of the table.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TableField {
    /// The header the standard workbook prints.
    pub name: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub description: String,
    pub constraints: Constraints,
    /// Field-level missing values (Table Schema v2): 法定办结时限 takes `无`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing_values: Option<Vec<String>>,
}

/// The constraints of a column; absent ones are left out.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Constraints {
    pub required: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub unique: bool,
    #[serde(rename = "enum", skip_serializing_if = "Option::is_none")]
    pub one_of: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_length: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minimum: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maximum: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
}

/// USCC: 18 characters of the GB 32100 alphabet (no I, O, Z, S, V). The
/// check characters are beyond a pattern; yima checks them, a table validator
/// cannot.
pub const USCC_PATTERN: &str = "^[0-9A-HJ-NPQRTUWXY]{18}$";
/// Division: 6 digits (city, county) or 12 (town, village).
pub const DIVISION_PATTERN: &str = r"^\d{6}(\d{6})?$";
/// An http(s) address with a host and no white space. Table Schema patterns
/// match the whole value, so the pattern spells out the rest of the URL.
pub const URL_PATTERN: &str = r"^https?://[^\s/?#]+\.[^\s]*$";
/// 基本编码 and 实施编码: upper-case letters and digits of a fixed length.
const BASIC_CODE_PATTERN: &str = "^[0-9A-Z]{12}$";
const IMPL_CODE_PATTERN: &str = "^[0-9A-Z]{31}$";
/// One phone number as yima reads it (digits, brackets, dashes, spaces, an
/// extension after 转 or #), several separated as in a multi-valued cell.
const PHONE_ONE: &str = r"[0-9()（）\- ]+(?:[转#][0-9]+)?";
/// The separators of a multi-valued cell (SPEC §2).
const MULTI_SEPARATORS: &str = r"\s*[、,，;；/|\n]\s*";

/// A time limit as a filing may write it (SPEC §2b).
const DAYS_PATTERN: &str = r"^\s*(?:[0-9０-９]+\s*(?:个?\s*(?:工作日|自然日)|天|日)?\s*内?|即办|即时办结|当场办结|当场办理|立即办结)\s*$";
/// A date: 2026-03-01, 2026/3/1, 2026.3.1 or 2026年3月1日.
const DATE_PATTERN: &str = r"^\s*[0-9]{4}\s*(?:[-/.]\s*[0-9]{1,2}\s*[-/.]\s*[0-9]{1,2}|年\s*[0-9]{1,2}\s*月\s*[0-9]{1,2}\s*日?)\s*$";

/// The Table Schema of sheet 事项, pretty-printed with a final newline.
pub fn frictionless(standard: &Standard) -> String {
    let schema = table_schema(standard);
    let mut s = serde_json::to_string_pretty(&schema).expect("a table schema serializes");
    s.push('\n');
    s
}

/// The Table Schema of sheet 事项: one field per element, in the order of
/// `schemas/elements.yaml` (the order of the standard workbook).
pub fn table_schema(standard: &Standard) -> TableSchema {
    let fields = standard
        .elements
        .items
        .elements
        .iter()
        .map(|e| field(standard, e))
        .collect();
    TableSchema {
        fields,
        missing_values: vec![String::new()],
    }
}

fn field(standard: &Standard, e: &Element<Field>) -> TableField {
    // Conditional requirements (when-power, when-charged, …) depend on other
    // cells of the row, which a Table Schema cannot express: only the
    // unconditional ones are `required`.
    let mut c = Constraints {
        required: e.required == Required::Yes,
        max_length: e.max_len,
        ..Constraints::default()
    };
    let mut missing_values = None;
    let table = e.table.as_deref().and_then(|t| standard.tables.get(t));
    let kind = match e.kind {
        Kind::Integer => {
            // yima reads whole numbers ≥ 0 (u32); an element may narrow that.
            c.minimum = Some(e.min.unwrap_or(0));
            c.maximum = e.max;
            c.unique = e.field == Field::Seq;
            "integer"
        }
        Kind::Days => {
            // A number of days, with its unit or not (`20`, `20个工作日内`,
            // `20天`), or 即办; `无` = no statutory limit (公共服务).
            c.pattern = Some(DAYS_PATTERN.to_string());
            if e.required != Required::Yes {
                missing_values = Some(vec![String::new(), "无".to_string()]);
            }
            "string"
        }
        Kind::Enum => {
            c.one_of = table.map(spellings);
            "string"
        }
        Kind::Multi => {
            c.pattern = table.map(|t| multi_pattern(&spellings(t)));
            "string"
        }
        Kind::Url => {
            c.pattern = Some(URL_PATTERN.to_string());
            "string"
        }
        Kind::Phone => {
            c.pattern = Some(format!("^{PHONE_ONE}(?:{MULTI_SEPARATORS}{PHONE_ONE})*$"));
            "string"
        }
        Kind::Code => {
            c.pattern = match e.field {
                Field::AgencyCode => Some(USCC_PATTERN.to_string()),
                Field::Division => Some(DIVISION_PATTERN.to_string()),
                Field::BasicCode => Some(BASIC_CODE_PATTERN.to_string()),
                Field::ImplCode => Some(IMPL_CODE_PATTERN.to_string()),
                _ => None,
            };
            "string"
        }
        Kind::Date => {
            c.pattern = Some(DATE_PATTERN.to_string());
            "string"
        }
        Kind::Text | Kind::Lines | Kind::List | Kind::Form => "string",
    };
    TableField {
        name: e.header.clone(),
        kind,
        description: e.help.clone(),
        constraints: c,
        missing_values,
    }
}

/// Every spelling a code table accepts as written: canonical names, codes and
/// aliases, without repeats, in table order.
fn spellings(table: &Table) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for e in &table.entries {
        let all = std::iter::once(e.name.as_str())
            .chain(e.code.as_deref())
            .chain(e.aliases.iter().map(String::as_str));
        for s in all {
            if !out.iter().any(|o| o == s) {
                out.push(s.to_string());
            }
        }
    }
    out
}

/// A pattern for a multi-valued cell: one or more accepted spellings joined by
/// the separators of SPEC §2.
fn multi_pattern(values: &[String]) -> String {
    // Longer spellings first, so that an alternation never stops at a prefix.
    let mut sorted: Vec<&String> = values.iter().collect();
    sorted.sort_by_key(|v| std::cmp::Reverse(v.chars().count()));
    let one = sorted
        .iter()
        .map(|v| escape_regex(v))
        .collect::<Vec<_>>()
        .join("|");
    format!("^(?:{one})(?:{MULTI_SEPARATORS}(?:{one}))*$")
}

fn escape_regex(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if r"\.+*?()|[]{}^$-/".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema() -> serde_json::Value {
        serde_json::from_str(&frictionless(&Standard::embedded())).expect("valid JSON")
    }

    fn field_named<'a>(s: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
        s["fields"]
            .as_array()
            .expect("fields")
            .iter()
            .find(|f| f["name"] == name)
            .unwrap_or_else(|| panic!("no field {name}"))
    }

    #[test]
    fn names_every_element_of_the_items_sheet_with_its_requiredness() {
        let standard = Standard::embedded();
        let s = schema();
        let fields = s["fields"].as_array().expect("fields");
        let elements = &standard.elements.items.elements;
        assert_eq!(fields.len(), elements.len());
        assert_eq!(elements.len(), Field::ALL.len());
        for (f, e) in fields.iter().zip(elements) {
            assert_eq!(f["name"], e.header.as_str());
            assert_eq!(
                f["constraints"]["required"],
                e.required == Required::Yes,
                "required-ness of {}",
                e.header
            );
        }
        // Spot checks against SPEC §2: conditional columns are not required.
        assert_eq!(field_named(&s, "事项名称")["constraints"]["required"], true);
        assert_eq!(
            field_named(&s, "设定依据")["constraints"]["required"],
            false
        );
        assert_eq!(
            field_named(&s, "子项名称")["constraints"]["required"],
            false
        );
        assert_eq!(s["missingValues"], serde_json::json!([""]));
    }

    #[test]
    fn types_and_constraints_follow_the_elements() {
        let s = schema();
        let seq = field_named(&s, "序号");
        assert_eq!(seq["type"], "integer");
        assert_eq!(seq["constraints"]["minimum"], 1);
        assert_eq!(seq["constraints"]["unique"], true);
        let visits = field_named(&s, "到办事现场次数");
        assert_eq!(visits["type"], "integer");
        assert_eq!(visits["constraints"]["maximum"], 9);
        let statutory = field_named(&s, "法定办结时限");
        assert_eq!(statutory["type"], "string");
        assert_eq!(statutory["missingValues"], serde_json::json!(["", "无"]));
        let days = statutory["constraints"]["pattern"].as_str().unwrap();
        assert!(days.contains("工作日") && days.contains("即办"), "{days}");
        let promised = field_named(&s, "承诺办结时限");
        assert_eq!(promised["type"], "string");
        assert!(promised.get("missingValues").is_none());
        let name = field_named(&s, "事项名称");
        assert_eq!(name["type"], "string");
        assert_eq!(name["constraints"]["maxLength"], 200);
        let category = field_named(&s, "事项类型")["constraints"]["enum"]
            .as_array()
            .expect("enum")
            .clone();
        for v in ["行政许可", "公共服务", "01", "20"] {
            assert!(category.iter().any(|c| c == v), "{v} in 事项类型 enum");
        }
        assert_eq!(
            field_named(&s, "实施主体编码")["constraints"]["pattern"],
            USCC_PATTERN
        );
        assert_eq!(
            field_named(&s, "行政区划代码")["constraints"]["pattern"],
            DIVISION_PATTERN
        );
        assert_eq!(
            field_named(&s, "网办地址")["constraints"]["pattern"],
            URL_PATTERN
        );
        // Multi-valued columns are patterns, not enums: several values per cell.
        assert!(field_named(&s, "服务对象")["constraints"]["enum"].is_null());
    }

    #[test]
    fn multi_valued_pattern_accepts_lists_of_known_values_only() {
        let standard = Standard::embedded();
        let p = multi_pattern(&spellings(standard.tables.table("channel")));
        // The pattern is for Python's `re`; here the shape is checked.
        assert!(p.starts_with("^(?:"));
        assert!(p.contains("移动端办理"));
        let i_long = p.find("移动端办理").expect("long spelling");
        let i_short = p.find("|移动端|").expect("short alias");
        assert!(i_long < i_short, "longer spellings come first: {p}");
        assert_eq!(escape_regex("a.b(c)"), r"a\.b\(c\)");
    }
}

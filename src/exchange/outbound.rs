//! A catalog entry to platform rows: its basic row, extend row and child
//! rows, in the platform's columns and codes. What no column carries — and
//! what a column carries only approximately (非法人企业 as 6 其他组织, a unit
//! the entry left to its default) — goes into `extend_field` as the exact
//! cell text, found by reading the rows back the way the import does and
//! comparing: so an export imports as the very entry it came from.

use super::codes::Codes;
use super::envelope::Envelope;
use super::inbound::{self, Record};
use super::jsonl::{self, Row, Value};
use super::mapping::{self, Map};
use super::tables::{Column, Family, Table, Ty, index_of};
use crate::catalog::CatalogEntry;
use crate::catalog::convert::{self, Cells};
use crate::codes::registry::{Status, display_name};
use crate::standard::Standard;
use crate::standard::elements::{Field, FieldId};
use serde_json::{Map as JsonMap, Value as Json};
use std::collections::BTreeMap;

/// An entry's rows, each a value per column of its table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exported {
    pub family: Family,
    pub basic: Vec<Value>,
    pub extend: Vec<Value>,
    pub materials: Vec<Vec<Value>>,
    pub fees: Vec<Vec<Value>>,
    pub questions: Vec<Vec<Value>>,
}

/// What the export needs besides the entry.
pub struct Context<'a> {
    pub codes: &'a Codes,
    pub standard: &'a Standard,
    pub envelope: &'a Envelope,
    pub region_prefix: &'a str,
}

/// The row_guid of a record: a UUIDv5 (URL namespace) of a name made from
/// the 实施编码 (or 基本编码), so it never changes while the code does not.
pub fn guid(name: &str) -> String {
    uuid::Uuid::new_v5(
        &uuid::Uuid::NAMESPACE_URL,
        format!("urn:yima:{name}").as_bytes(),
    )
    .to_string()
}

/// One table's row being filled.
struct Builder {
    columns: &'static [Column],
    values: Vec<Value>,
}

impl Builder {
    fn new(columns: &'static [Column]) -> Builder {
        Builder {
            columns,
            values: columns.iter().map(jsonl::empty).collect(),
        }
    }

    /// Sets a column from text, typed as the column is; empty text leaves
    /// the column's empty value, and text that is no number for an int
    /// column too (the exact text then travels in `extend_field`).
    fn set(&mut self, key: &str, text: &str) {
        let Some(i) = index_of(self.columns, key) else {
            debug_assert!(false, "no column {key}");
            return;
        };
        if text.is_empty() {
            return;
        }
        self.values[i] = match self.columns[i].ty {
            Ty::Int => match text.parse() {
                Ok(n) => Value::Int(n),
                Err(_) => return,
            },
            _ => Value::Text(text.to_string()),
        };
    }

    fn envelope(&mut self, env: &Envelope, impl_code: &str) {
        self.set("cd_batch", &env.batch);
        self.set("cd_operation", env.operation(impl_code));
        self.set("cd_time", &env.time);
        self.set("data_source", &env.source);
    }

    fn simple<F: Copy + Ord>(
        &mut self,
        maps: &[Map<F>],
        table: Table,
        cells: &BTreeMap<F, String>,
        codes: &Codes,
    ) {
        for m in maps.iter().filter(|m| m.table == table) {
            if let Some(cell) = cells.get(&m.field) {
                self.set(m.key, &mapping::to_column(m.conv, cell, codes));
            }
        }
    }
}

/// The platform family of a category.
pub fn family_of(category: &str, codes: &Codes) -> Family {
    Family::of_task_type(codes.code("category", category).unwrap_or(""))
}

/// The rows of an entry.
pub fn rows(e: &CatalogEntry, ctx: &Context<'_>) -> Exported {
    let codes = ctx.codes;
    let family = family_of(&e.category, codes);
    let cells = convert::to_cells(e, 1, ctx.standard);
    let c = &cells.entry;
    let cell = |f: Field| c.get(&f).map_or("", String::as_str);
    let impl_code = &e.impl_code;
    let task_guid = guid(&format!("task/{impl_code}"));

    let mut b = Builder::new(Table::Basic.columns(family));
    b.simple(mapping::ENTRY, Table::Basic, c, codes);
    b.envelope(ctx.envelope, impl_code);
    b.set("task_name", &display_name(&e.name, &e.sub_name));
    b.set(
        "anticipate_day",
        match cell(Field::StatutoryDays) {
            "无" => "0",
            d => d,
        },
    );
    // The standard's default unit is 工作日 (code 1) when none is given.
    if cell(Field::StatutoryUnit).is_empty() {
        b.set("anticipate_type", "1");
    }
    if cell(Field::PromisedUnit).is_empty() {
        b.set("promise_type", "1");
    }
    b.set(
        "link_way",
        &compose(
            "咨询电话",
            cell(Field::ContactPhone),
            cell(Field::ConsultWay),
        ),
    );
    b.set(
        "supervise_way",
        &compose(
            "投诉电话",
            cell(Field::ComplaintPhone),
            cell(Field::ComplaintWay),
        ),
    );
    let url = cell(Field::OnlineUrl);
    b.set("link_addr", url);
    if e.channels.iter().any(|ch| ch == "移动端办理") {
        b.set("mobile_terminal_url", url);
    }
    b.set("row_guid", &task_guid);
    b.set(
        "task_state",
        codes.code("status", status_name(e.status)).unwrap_or("1"),
    );
    b.set(
        "task_version",
        &ctx.envelope.version_of(impl_code).to_string(),
    );

    let mut x = Builder::new(Table::Extend.columns(family));
    x.simple(mapping::ENTRY, Table::Extend, c, codes);
    x.envelope(ctx.envelope, impl_code);
    x.set("online_handle_url", url);
    x.set("row_guid", &guid(&format!("extend/{impl_code}")));
    x.set("task_code", impl_code);
    x.set("task_guid", &task_guid);
    let division = cell(Field::Division);
    if division.len() == 12 && division.bytes().all(|b| b.is_ascii_digit()) {
        x.set("town_code", &format!("{}000", &division[..9]));
        if &division[9..] != "000" {
            x.set("village_code", division);
        }
    }

    let child = |table: Table, n: usize, cells: &dyn Fn(&mut Builder)| {
        let mut r = Builder::new(table.columns(family));
        cells(&mut r);
        r.envelope(ctx.envelope, impl_code);
        r.set("order_num", &n.to_string());
        r.set(
            "row_guid",
            &guid(&format!("{}/{impl_code}/{n}", table_name(table))),
        );
        r.set("task_code", impl_code);
        r.set("task_guid", &task_guid);
        r.values
    };
    let materials: Vec<Vec<Value>> = (cells.materials.iter().enumerate())
        .map(|(i, m)| {
            child(Table::Material, i + 1, &|r| {
                r.simple(mapping::MATERIAL, Table::Material, m, codes)
            })
        })
        .collect();
    let fees: Vec<Vec<Value>> = (cells.fees.iter().enumerate())
        .map(|(i, f)| {
            child(Table::Fee, i + 1, &|r| {
                r.simple(mapping::FEE, Table::Fee, f, codes)
            })
        })
        .collect();
    let questions: Vec<Vec<Value>> = (cells.questions.iter().enumerate())
        .map(|(i, q)| {
            child(Table::Questions, i + 1, &|r| {
                r.simple(mapping::QUESTION, Table::Questions, q, codes)
            })
        })
        .collect();

    let mut out = Exported {
        family,
        basic: b.values,
        extend: x.values,
        materials,
        fees,
        questions,
    };
    let fixes = fixes(e, &cells, &out, ctx);
    if !fixes.is_empty() {
        let i = index_of(Table::Extend.columns(family), "extend_field").expect("extend_field");
        out.extend[i] = Value::Text(Json::Object(fixes).to_string());
    }
    out
}

fn table_name(t: Table) -> &'static str {
    match t {
        Table::Material => "material",
        Table::Fee => "fee",
        Table::Questions => "question",
        _ => "row",
    }
}

fn status_name(s: Status) -> &'static str {
    match s {
        Status::Active => "active",
        Status::Retired => "retired",
    }
}

/// `咨询电话：P；W` — the phone labelled, then the way: how a platform
/// reader sees both in the one column (and how the import splits them).
fn compose(label: &str, phone: &str, way: &str) -> String {
    match (phone.is_empty(), way.is_empty()) {
        (false, false) => format!("{label}：{phone}；{way}"),
        (false, true) => format!("{label}：{phone}"),
        (true, _) => way.to_string(),
    }
}

/// A written row as the import reads it.
fn as_row(values: &[Value], line: u32) -> Row<'_> {
    Row {
        line,
        cells: values
            .iter()
            .map(|v| match v {
                Value::Null => None,
                Value::Text(s) if s.is_empty() => None,
                Value::Text(s) => Some(std::borrow::Cow::Borrowed(s.as_str())),
                Value::Int(n) => Some(std::borrow::Cow::Owned(n.to_string())),
            })
            .collect(),
        extra: Vec::new(),
    }
}

/// What `extend_field` must carry: the cells the rows do not give back
/// exactly, and where the entry was filed.
fn fixes(
    e: &CatalogEntry,
    cells: &convert::Rows,
    out: &Exported,
    ctx: &Context<'_>,
) -> JsonMap<String, Json> {
    fn rows(v: &[Vec<Value>]) -> Vec<Row<'_>> {
        v.iter().map(|r| as_row(r, 0)).collect()
    }
    let (basic, extend) = (as_row(&out.basic, 0), as_row(&out.extend, 0));
    let (materials, fees, questions) =
        (rows(&out.materials), rows(&out.fees), rows(&out.questions));
    let back: Record = inbound::cells(
        &inbound::Rows {
            family: out.family,
            basic: &basic,
            extend: Some(&extend),
            materials: &materials,
            fees: &fees,
            questions: &questions,
        },
        &inbound::Context {
            codes: ctx.codes,
            standard: ctx.standard,
            region_prefix: ctx.region_prefix,
        },
    );
    let mut fixes = JsonMap::new();
    let mut entry_cells: Cells = cells.entry.clone();
    entry_cells.remove(&Field::Seq);
    diff(&entry_cells, &back.entry, &mut fixes, &[Field::Seq]);
    let mut child = |key: &str, diffs: Vec<JsonMap<String, Json>>| {
        let by_order: JsonMap<String, Json> = (diffs.into_iter().enumerate())
            .filter(|(_, d)| !d.is_empty())
            .map(|(i, d)| ((i + 1).to_string(), Json::Object(d)))
            .collect();
        if !by_order.is_empty() {
            fixes.insert(key.to_string(), Json::Object(by_order));
        }
    };
    use crate::standard::elements::{FeeField, MaterialField, QuestionField};
    child(
        "materials",
        (cells.materials.iter().zip(&back.materials))
            .map(|(a, (_, b))| one(a, b, &[MaterialField::Seq, MaterialField::ItemSeq]))
            .collect(),
    );
    child(
        "fee_items",
        (cells.fees.iter().zip(&back.fees))
            .map(|(a, (_, b))| one(a, b, &[FeeField::ItemSeq]))
            .collect(),
    );
    child(
        "questions",
        (cells.questions.iter().zip(&back.questions))
            .map(|(a, (_, b))| one(a, b, &[QuestionField::ItemSeq]))
            .collect(),
    );
    if let Ok(source) = serde_json::to_value(&e.source) {
        fixes.insert("source".into(), source);
    }
    fixes
}

fn one<F: Copy + Ord + FieldId>(
    a: &BTreeMap<F, String>,
    b: &BTreeMap<F, String>,
    skip: &[F],
) -> JsonMap<String, Json> {
    let mut out = JsonMap::new();
    diff(a, b, &mut out, skip);
    out
}

/// The cells of `want` that `got` does not hold as they are: their text,
/// or null for one `got` has and `want` has not.
fn diff<F: Copy + Ord + FieldId>(
    want: &BTreeMap<F, String>,
    got: &BTreeMap<F, String>,
    out: &mut JsonMap<String, Json>,
    skip: &[F],
) {
    for (f, v) in want {
        if !skip.contains(f) && got.get(f) != Some(v) {
            out.insert(f.field_id().to_string(), Json::String(v.clone()));
        }
    }
    for f in got.keys() {
        if !skip.contains(f) && !want.contains_key(f) {
            out.insert(f.field_id().to_string(), Json::Null);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guids_are_stable_uuid_v5() {
        let g = guid("task/1145072100811537184452004020000");
        assert_eq!(g, guid("task/1145072100811537184452004020000"));
        assert_ne!(g, guid("task/1145072100811537184452004021000"));
        assert_eq!(g.len(), 36);
        assert_eq!(&g[14..15], "5", "{g}");
    }

    #[test]
    fn ways_compose() {
        assert_eq!(
            compose("咨询电话", "0738-1", "窗口"),
            "咨询电话：0738-1；窗口"
        );
        assert_eq!(compose("咨询电话", "", "窗口"), "窗口");
        assert_eq!(
            inbound::split_way(Some(&compose("投诉电话", "12345", "")), "投诉电话"),
            (Some("12345".into()), None)
        );
    }
}

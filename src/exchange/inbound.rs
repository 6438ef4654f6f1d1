//! Platform rows to filing cells: one implementation record (its basic row,
//! extend row and child rows) becomes the cells a filing row would hold,
//! codes turned back into yima's values, so that the very parser and rules
//! that check a filing check the record. What `extend_field` carries is
//! laid over the cells last (see `outbound`).

use super::codes::Codes;
use super::jsonl::Row;
use super::mapping::{self, Map};
use super::tables::{Column, Family, Table};
use crate::catalog::convert::Cells;
use crate::catalog::entry::Source;
use crate::codes::registry::Status;
use crate::standard::Standard;
use crate::standard::elements::{FeeField, Field, FieldId, Kind, MaterialField, QuestionField};
use serde_json::Value as Json;
use std::collections::BTreeMap;

/// The rows of one implementation record.
pub struct Rows<'a> {
    pub family: Family,
    pub basic: &'a Row<'a>,
    pub extend: Option<&'a Row<'a>>,
    /// Child rows, in file order (sorted by `order_num` here).
    pub materials: &'a [Row<'a>],
    pub fees: &'a [Row<'a>],
    pub questions: &'a [Row<'a>],
}

/// What the import needs to know besides the rows.
pub struct Context<'a> {
    pub codes: &'a Codes,
    pub standard: &'a Standard,
    /// The workspace's issuing prefix: its codes carry their sector.
    pub region_prefix: &'a str,
}

/// A child row's cells and its line.
pub type Child<F> = (u32, BTreeMap<F, String>);

/// A record as filing cells.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Record {
    pub entry: Cells,
    pub materials: Vec<Child<MaterialField>>,
    pub fees: Vec<Child<FeeField>>,
    pub questions: Vec<Child<QuestionField>>,
    pub status: Status,
    /// Where the entry was filed, when `extend_field` says.
    pub source: Option<Source>,
    /// The line of the extend row.
    pub extend_line: Option<u32>,
}

/// A column's text in a row.
fn col<'r>(row: &'r Row<'_>, columns: &[Column], key: &str) -> Option<&'r str> {
    row.get(columns, key)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// The cells of the simple mappings of one table.
fn simple<F: Copy + Ord>(
    maps: &[Map<F>],
    table: Table,
    row: &Row<'_>,
    columns: &[Column],
    codes: &Codes,
    out: &mut BTreeMap<F, String>,
) {
    for m in maps.iter().filter(|m| m.table == table) {
        if let Some(v) = col(row, columns, m.key) {
            let cell = mapping::to_cell(m.conv, v, codes);
            if !cell.is_empty() {
                out.insert(m.field, cell);
            }
        }
    }
}

/// The record as cells, before `extend_field` is laid over them.
pub fn cells(rows: &Rows<'_>, ctx: &Context<'_>) -> Record {
    let codes = ctx.codes;
    let bcols = Table::Basic.columns(rows.family);
    let ecols = Table::Extend.columns(rows.family);
    let basic = rows.basic;
    let mut entry = Cells::new();
    simple(
        mapping::ENTRY,
        Table::Basic,
        basic,
        bcols,
        codes,
        &mut entry,
    );
    if let Some(ext) = rows.extend {
        simple(mapping::ENTRY, Table::Extend, ext, ecols, codes, &mut entry);
    }
    let extra = |key: &str| basic.extra(key).map(str::trim).filter(|s| !s.is_empty());

    // Real records spell some columns otherwise: serve_type, a legal basis
    // in parts, a window's phone, the area code.
    if !entry.contains_key(&Field::Audience)
        && let Some(v) = extra("serve_type")
    {
        entry.insert(Field::Audience, codes.split("audience", v).join("、"));
    }
    if !entry.contains_key(&Field::LegalBasis)
        && let Some(basis) = legal_basis(basic)
    {
        entry.insert(Field::LegalBasis, basis);
    }
    let task_code = col(basic, bcols, "task_code").unwrap_or("");
    if !entry.contains_key(&Field::BasicCode) && task_code.len() == 31 {
        entry.insert(Field::BasicCode, task_code[19..].to_string());
    }
    let category = entry.get(&Field::Category).cloned().or_else(|| {
        let code = rows.family.default_task_type()?;
        codes.name("category", code).map(str::to_string)
    });
    if let Some(c) = &category {
        entry.insert(Field::Category, c.clone());
    }
    if let Some(name) = col(basic, bcols, "task_name") {
        entry.insert(Field::Name, name.to_string());
    }
    if let Some(sector) = sector_of(entry.get(&Field::BasicCode), ctx) {
        entry.insert(Field::Sector, sector);
    }

    // 法定办结时限: 0 of a category without statutory limits is 无.
    if let Some(d) = col(basic, bcols, "anticipate_day") {
        let power = category
            .as_deref()
            .and_then(|c| ctx.standard.tables.table("category").get(c))
            .is_some_and(|c| c.power);
        let days = if d == "0" && !power { "无" } else { d };
        entry.insert(Field::StatutoryDays, days.to_string());
    }

    let (phone, way) = split_way(col(basic, bcols, "link_way"), "咨询电话");
    let phone = extra("window_tel").map(str::to_string).or(phone);
    put(&mut entry, Field::ContactPhone, phone);
    put(&mut entry, Field::ConsultWay, way);
    let (phone, way) = split_way(col(basic, bcols, "supervise_way"), "投诉电话");
    put(&mut entry, Field::ComplaintPhone, phone);
    put(&mut entry, Field::ComplaintWay, way);

    let url = rows
        .extend
        .and_then(|e| col(e, ecols, "online_handle_url"))
        .or_else(|| col(basic, bcols, "link_addr"))
        .or_else(|| col(basic, bcols, "mobile_terminal_url"));
    put(&mut entry, Field::OnlineUrl, url.map(str::to_string));

    let division = extra("areacode").map(str::to_string).or_else(|| {
        let ext = rows.extend?;
        let village = col(ext, ecols, "village_code").filter(|v| v.len() == 12);
        let town = col(ext, ecols, "town_code").map(|t| match t.len() {
            9 => format!("{t}000"),
            _ => t.to_string(),
        });
        village.map(str::to_string).or(town)
    });
    put(&mut entry, Field::Division, division);

    let mut materials = children(
        rows.materials,
        mapping::MATERIAL,
        Table::Material,
        rows.family,
        codes,
    );
    for (i, (_, m)) in materials.iter_mut().enumerate() {
        m.insert(MaterialField::Seq, (i + 1).to_string());
    }
    Record {
        entry,
        materials,
        fees: children(rows.fees, mapping::FEE, Table::Fee, rows.family, codes),
        questions: children(
            rows.questions,
            mapping::QUESTION,
            Table::Questions,
            rows.family,
            codes,
        ),
        status: match col(basic, bcols, "task_state").and_then(|s| codes.name("status", s)) {
            Some("retired") => Status::Retired,
            _ => Status::Active,
        },
        source: None,
        extend_line: rows.extend.map(|e| e.line),
    }
}

fn put(cells: &mut Cells, field: Field, value: Option<String>) {
    if let Some(v) = value.filter(|v| !v.is_empty()) {
        cells.insert(field, v);
    }
}

/// The sector a 基本编码 names: its digits 5–6, for a code the workspace
/// issues (upper-level catalogs number their sectors their own way).
fn sector_of(code: Option<&String>, ctx: &Context<'_>) -> Option<String> {
    let code = code?;
    if code.len() != 12 || !code.starts_with(ctx.region_prefix) {
        return None;
    }
    let digits = code.get(4..6)?;
    ctx.standard
        .tables
        .table("sector")
        .entries
        .iter()
        .find(|e| e.code.as_deref() == Some(digits))
        .map(|e| e.name.to_string())
}

/// The child rows as cells, in `order_num` order (file order for ties).
fn children<F: Copy + Ord>(
    rows: &[Row<'_>],
    maps: &[Map<F>],
    table: Table,
    family: Family,
    codes: &Codes,
) -> Vec<Child<F>> {
    let columns = table.columns(family);
    let mut order: Vec<(u64, &Row<'_>)> = rows
        .iter()
        .map(|r| {
            let n = col(r, columns, "order_num").and_then(|n| n.parse().ok());
            (n.unwrap_or(u64::MAX), r)
        })
        .collect();
    order.sort_by_key(|(n, r)| (*n, r.line));
    order
        .into_iter()
        .map(|(_, r)| {
            let mut cells = BTreeMap::new();
            simple(maps, table, r, columns, codes, &mut cells);
            (r.line, cells)
        })
        .collect()
}

/// A phone and the rest of a 咨询方式 / 监督投诉方式 text: `咨询电话：P；W`
/// (as yima writes it) gives P and W; other text is the way, and the phone
/// numbers it names are the phone.
pub fn split_way(text: Option<&str>, label: &str) -> (Option<String>, Option<String>) {
    let Some(text) = text else {
        return (None, None);
    };
    let labelled = text
        .strip_prefix(label)
        .and_then(|r| r.strip_prefix('：').or_else(|| r.strip_prefix(':')));
    if let Some(rest) = labelled {
        let (phone, way) = match rest.split_once('；') {
            Some((p, w)) => (p, Some(w.to_string())),
            None => (rest, None),
        };
        return (Some(phone.to_string()), way.filter(|w| !w.is_empty()));
    }
    let phones = find_phones(text);
    (
        (!phones.is_empty()).then(|| phones.join("、")),
        Some(text.to_string()),
    )
}

/// The phone numbers in a text: runs of digits with the dashes, brackets
/// and spaces numbers are written with, of at least five digits.
fn find_phones(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut run = String::new();
    let mut digits = 0;
    let flush = |run: &mut String, digits: &mut usize, out: &mut Vec<String>| {
        let t = run
            .trim_start_matches(|c: char| !c.is_ascii_digit() && c != '(' && c != '（')
            .trim_end_matches(|c: char| !c.is_ascii_digit());
        if *digits >= 5 {
            out.push(t.to_string());
        }
        run.clear();
        *digits = 0;
    };
    for c in text.chars() {
        if c.is_ascii_digit() {
            run.push(c);
            digits += 1;
        } else if matches!(c, '-' | '－' | '—' | '–' | '(' | ')' | '（' | '）' | ' ')
            && !run.is_empty()
            || matches!(c, '(' | '（')
        {
            run.push(c);
        } else {
            flush(&mut run, &mut digits, &mut out);
        }
    }
    flush(&mut run, &mut digits, &mut out);
    out
}

/// A legal basis written in parts, as real records have it: `law_name`,
/// `law_number`, `clause_number`, `clause_content` — on the row, or as a
/// list of such objects under `by_law` / `law_basis` / `legal_basis`.
fn legal_basis(row: &Row<'_>) -> Option<String> {
    let one = |get: &dyn Fn(&str) -> Option<String>| -> Option<String> {
        let name = get("law_name")?;
        let mut s = if name.starts_with('《') {
            name
        } else {
            format!("《{name}》")
        };
        if let Some(n) = get("law_number") {
            s.push_str(&format!("（{n}）"));
        }
        if let Some(c) = get("clause_number") {
            s.push_str(&c);
        }
        if let Some(c) = get("clause_content") {
            s.push('：');
            s.push_str(&c);
        }
        Some(s)
    };
    let flat = |k: &str| {
        row.extra(k)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    if let Some(s) = one(&flat) {
        return Some(s);
    }
    for key in ["law_basis", "legal_basis", "by_law_list"] {
        let Some(Json::Array(items)) = row.extra(key).and_then(|t| serde_json::from_str(t).ok())
        else {
            continue;
        };
        let parts: Vec<String> = items
            .iter()
            .filter_map(|it| {
                one(&|k| match it.get(k)? {
                    Json::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
                    Json::Number(n) => Some(n.to_string()),
                    _ => None,
                })
            })
            .collect();
        if !parts.is_empty() {
            return Some(parts.join("\n"));
        }
    }
    None
}

/// Lays what `extend_field` carries over the cells: a yima element's exact
/// cell text (or null: no value), per entry and per child row (`materials`,
/// `fee_items`, `questions`, keyed by their `order_num`), and `source`.
/// Returns the keys it did not know.
pub fn apply_fixes(
    rec: &mut Record,
    fixes: &serde_json::Map<String, Json>,
    standard: &Standard,
) -> Vec<String> {
    let mut unknown = Vec::new();
    for (key, value) in fixes {
        match key.as_str() {
            "source" => rec.source = serde_json::from_value(value.clone()).ok(),
            "status" => {
                if let Ok(s) = serde_json::from_value(value.clone()) {
                    rec.status = s;
                }
            }
            "materials" => fix_children(
                &mut rec.materials,
                value,
                &standard.elements.materials.elements,
                &mut unknown,
            ),
            "fee_items" => fix_children(
                &mut rec.fees,
                value,
                &standard.elements.fees.elements,
                &mut unknown,
            ),
            "questions" => fix_children(
                &mut rec.questions,
                value,
                &standard.elements.questions.elements,
                &mut unknown,
            ),
            _ => match Field::ALL.iter().find(|f| f.id() == key) {
                Some(f) => set(
                    &mut rec.entry,
                    *f,
                    value,
                    kind_of(&standard.elements.items.elements, *f),
                ),
                None => unknown.push(key.clone()),
            },
        }
    }
    unknown
}

fn kind_of<F: Copy + PartialEq>(elements: &[crate::standard::elements::Element<F>], f: F) -> Kind {
    elements
        .iter()
        .find(|e| e.field == f)
        .map_or(Kind::Text, |e| e.kind)
}

fn fix_children<F: Copy + Ord + FieldId + 'static>(
    rows: &mut [Child<F>],
    value: &Json,
    elements: &[crate::standard::elements::Element<F>],
    unknown: &mut Vec<String>,
) {
    let Json::Object(by_order) = value else {
        return;
    };
    for (order, fields) in by_order {
        let (Some(i), Json::Object(fields)) = (order.parse::<usize>().ok(), fields) else {
            continue;
        };
        let Some((_, cells)) = i.checked_sub(1).and_then(|i| rows.get_mut(i)) else {
            continue;
        };
        for (key, v) in fields {
            match elements.iter().find(|e| e.field.field_id() == key) {
                Some(e) => set(cells, e.field, v, e.kind),
                None => unknown.push(key.clone()),
            }
        }
    }
}

/// Sets (or, for null, removes) a cell from a JSON value.
fn set<F: Ord>(cells: &mut BTreeMap<F, String>, f: F, v: &Json, kind: Kind) {
    let text = match v {
        Json::Null => {
            cells.remove(&f);
            return;
        }
        Json::String(s) => s.clone(),
        Json::Number(n) => n.to_string(),
        Json::Bool(b) => if *b { "是" } else { "否" }.to_string(),
        Json::Array(parts) => {
            let joiner = if kind == Kind::Lines { "\n" } else { "、" };
            parts
                .iter()
                .filter_map(Json::as_str)
                .collect::<Vec<_>>()
                .join(joiner)
        }
        Json::Object(_) => return,
    };
    cells.insert(f, text);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ways_split_into_phone_and_text() {
        assert_eq!(
            split_way(Some("咨询电话：0738-8312345；窗口咨询"), "咨询电话"),
            (Some("0738-8312345".into()), Some("窗口咨询".into()))
        );
        assert_eq!(
            split_way(Some("咨询电话：12345"), "咨询电话"),
            (Some("12345".into()), None)
        );
        assert_eq!(
            split_way(Some("窗口咨询，电话0777－6512345（工作日）"), "咨询电话"),
            (
                Some("0777－6512345".into()),
                Some("窗口咨询，电话0777－6512345（工作日）".into())
            )
        );
        assert_eq!(
            split_way(Some("现场咨询"), "咨询电话"),
            (None, Some("现场咨询".into()))
        );
    }

    #[test]
    fn phones_are_found_in_text() {
        assert_eq!(
            find_phones("拨打（0738）8312345或12345"),
            ["（0738）8312345", "12345"]
        );
        assert!(find_phones("第3条第2款").is_empty());
    }
}

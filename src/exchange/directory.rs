//! The basic catalog (`task_directory`): the registry's codes as platform
//! rows, and back — the upper levels' items (national `00…`, provincial)
//! recorded as external codes with their canonical names, never issued
//! here. The registry's own history (provenance, former names, the release
//! a code first appeared in) has no platform column: it travels beside the
//! tables in `yima_codes.jsonl`, which the platform ignores and an import
//! into an empty workspace reads to give back the very registry.

use super::codes::Codes;
use super::envelope::Envelope;
use super::jsonl::{self, Row, Value};
use super::outbound::guid;
use super::tables::{DIRECTORY, Ty, index_of};
use crate::codes::ItemKey;
use crate::codes::registry::{Provenance, Record, Registry, Status, display_name};
use crate::rules::codes::parse_basic;
use crate::standard::{Standard, normalize_value};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The file of the registry's history, beside the platform's tables.
pub const CODES_FILE: &str = "yima_codes.jsonl";

/// The registry's own log (`items/codes.lock`, verbatim), beside
/// `yima_codes.jsonl`: imported into a workspace without codes, the registry
/// comes back byte for byte, its history with it.
pub const LOG_FILE: &str = "yima_codes.lock";

/// What the catalog's entries say of a code: the levels that implement it
/// and the legal basis of the first entry.
#[derive(Debug, Clone, Default)]
pub struct Usage {
    pub levels: BTreeSet<String>,
    pub by_law: Option<String>,
}

/// One record of the registry, as `yima_codes.jsonl` carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CodeRow {
    pub code: String,
    pub category: String,
    pub sector: String,
    pub name: String,
    #[serde(default)]
    pub sub_name: String,
    pub registered_name: String,
    #[serde(default)]
    pub registered_sub_name: String,
    pub status: Status,
    pub origin: Provenance,
    #[serde(default)]
    pub first_release: String,
    #[serde(default)]
    pub former_names: Vec<String>,
}

impl CodeRow {
    pub fn of(r: &Record) -> CodeRow {
        CodeRow {
            code: r.code.clone(),
            category: r.category.to_string(),
            sector: r.sector.to_string(),
            name: r.name.to_string(),
            sub_name: r.sub_name.to_string(),
            registered_name: r.registered_name.to_string(),
            registered_sub_name: r.registered_sub_name.to_string(),
            status: r.status,
            origin: r.origin,
            first_release: r.first_release.to_string(),
            former_names: r.former_names.clone(),
        }
    }

    /// The record, to adopt (the registry numbers it).
    fn record(self) -> Record {
        Record {
            code: self.code,
            category: self.category.into(),
            sector: self.sector.into(),
            name: self.name.into(),
            sub_name: self.sub_name.into(),
            registered_name: self.registered_name.into(),
            registered_sub_name: self.registered_sub_name.into(),
            status: self.status,
            origin: self.origin,
            serial: 0,
            first_release: self.first_release.into(),
            former_names: self.former_names,
        }
    }
}

/// The `task_directory` row of a record.
pub fn row(r: &Record, usage: Option<&Usage>, codes: &Codes, env: &Envelope) -> Vec<Value> {
    let mut v: Vec<Value> = DIRECTORY.iter().map(jsonl::empty).collect();
    let mut set = |key: &str, value: Value| {
        let i = index_of(DIRECTORY, key).expect("a directory column");
        debug_assert!(DIRECTORY[i].ty != Ty::Int || matches!(value, Value::Int(_)));
        v[i] = value;
    };
    let text = |s: &str| Value::Text(s.to_string());
    if let Some(law) = usage.and_then(|u| u.by_law.as_deref()) {
        set("by_law", text(law));
    }
    set("catalog_code", text(&r.code));
    set("cd_batch", text(&env.batch));
    // A code is new in the release that first listed it.
    let op = if r.first_release.is_empty() || r.first_release == env.batch {
        "I"
    } else {
        "U"
    };
    set("cd_operation", text(op));
    set("cd_time", text(&env.time));
    set("data_source", text(&env.source));
    set("row_guid", text(&guid(&format!("catalog/{}", r.code))));
    set("task_name", text(&display_name(&r.name, &r.sub_name)));
    let state = match r.status {
        Status::Active => "active",
        Status::Retired => "retired",
    };
    set(
        "task_state",
        text(codes.code("status", state).unwrap_or("1")),
    );
    set(
        "task_type",
        text(codes.code("category", &r.category).unwrap_or(&r.category)),
    );
    set("task_version", Value::Int(env.version));
    if let Some(u) = usage {
        let levels: Vec<&str> = u.levels.iter().map(String::as_str).collect();
        set("use_level", text(&levels.join(",")));
    }
    v
}

/// What importing codes did to the registry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CodesOutcome {
    /// Codes recorded, in order.
    pub added: Vec<String>,
    /// (code, old name, new name) of upper-level items whose canonical name
    /// changed.
    pub renamed: Vec<(String, String, String)>,
    /// Codes already in the registry.
    pub known: usize,
    /// Rows left out, by reason (keyed by its Chinese text), with a count.
    pub skipped: BTreeMap<String, (crate::diag::Text, usize)>,
}

/// The registry a `yima_codes.lock` holds, taken whole by a workspace that
/// has no codes yet — when the log is undamaged and holds exactly the
/// records of `yima_codes.jsonl` (when that came too). Else `None`: the
/// records are imported one by one.
pub fn whole_log(text: &str, rows: Option<&[CodeRow]>) -> Option<Registry> {
    let log = Registry::parse(text).ok()?;
    if !log.integrity().is_empty() || log.is_legacy() || log.is_empty() {
        return None;
    }
    if let Some(rows) = rows {
        let same = rows.len() == log.len()
            && rows
                .iter()
                .zip(log.records())
                .all(|(row, r)| *row == CodeRow::of(r));
        if !same {
            return None;
        }
    }
    Some(log)
}

/// Appends the records of `yima_codes.jsonl` the registry does not have.
pub fn import_code_rows(rows: Vec<CodeRow>, registry: &mut Registry, out: &mut CodesOutcome) {
    for r in rows {
        if registry.get(&r.code).is_some() {
            out.known += 1;
            continue;
        }
        out.added.push(r.code.clone());
        registry.adopt(r.record());
    }
}

/// What a directory row import needs to know.
pub struct Context<'a> {
    pub codes: &'a Codes,
    pub standard: &'a Standard,
    pub region_prefix: &'a str,
    pub external_prefixes: &'a [String],
}

/// Records one `task_directory` row: a code the registry lacks is appended
/// as external with the row's name; a known external code takes the row's
/// name as its canonical one (a rename); a retired one is retired.
pub fn import_row(row: &Row, registry: &mut Registry, ctx: &Context<'_>, out: &mut CodesOutcome) {
    let get = |k: &str| {
        row.get(DIRECTORY, k)
            .map(str::trim)
            .filter(|s| !s.is_empty())
    };
    let mut skip = |reason: crate::diag::Text| {
        out.skipped
            .entry(reason.zh.clone())
            .or_insert_with(|| (reason, 0))
            .1 += 1
    };
    let Some(code) = get("catalog_code") else {
        skip(crate::text!("无基本编码", "no catalog_code"));
        return;
    };
    let Ok(parts) = parse_basic(code) else {
        skip(crate::text!("基本编码格式不符", "a malformed catalog_code"));
        return;
    };
    if parts.prefix != ctx.region_prefix && !ctx.external_prefixes.iter().any(|p| p == parts.prefix)
    {
        let p = parts.prefix;
        skip(crate::text!(
            "基本编码前缀 {p} 既不是本地区的，也不是上级目录的",
            "基本编码 prefix {p} is neither this region's nor an upper level's"
        ));
        return;
    }
    let task_type = get("task_type").unwrap_or(parts.category);
    let Some(category) = ctx.codes.name("category", task_type) else {
        skip(crate::text!(
            "事项类型 {task_type} 未在本工作区启用",
            "category {task_type} is not enabled in this workspace"
        ));
        return;
    };
    let Some(task_name) = get("task_name") else {
        skip(crate::text!("无事项名称", "no task_name"));
        return;
    };
    let retired = get("task_state").and_then(|s| ctx.codes.name("status", s)) == Some("retired");
    let (name, sub) = split_sub(code, task_name, registry);
    if let Some(rec) = registry.get(code) {
        out.known += 1;
        let (old, new) = (
            display_name(&rec.name, &rec.sub_name),
            display_name(&normalize_value(&name), &normalize_value(&sub)),
        );
        if rec.origin == Provenance::External && old != new {
            registry.rename(code, &normalize_value(&name), &normalize_value(&sub));
            out.renamed.push((code.to_string(), old, new));
        }
    } else {
        let sector = if parts.prefix == ctx.region_prefix {
            sector_name(parts.sector, ctx.standard).unwrap_or_default()
        } else {
            String::new()
        };
        let key = ItemKey::new(category, &sector, &name, &sub);
        registry.append(Record::new(code, &key, Provenance::External));
        out.added.push(code.to_string());
    }
    if retired
        && registry
            .get(code)
            .is_some_and(|r| r.status == Status::Active)
    {
        registry.retire(code);
    }
}

/// A sub-item's name and its main item's: the row of a sub-item code names
/// it `主项名称（子项名称）`; the main item's name is its registered one when
/// the main item (its code ending `00Y`) is known, else the name before
/// the last bracket.
fn split_sub(code: &str, task_name: &str, registry: &Registry) -> (String, String) {
    let whole = (task_name.to_string(), String::new());
    let sub_part = &code[9..];
    if sub_part == "000" || sub_part == "00Y" {
        return whole;
    }
    let n = normalize_value(task_name);
    if let Some(main) = registry.get(&format!("{}00Y", &code[..9])) {
        let m = normalize_value(&main.name);
        if let Some(sub) = n
            .strip_prefix(&m)
            .and_then(|r| r.strip_prefix('('))
            .and_then(|r| r.strip_suffix(')'))
            && !sub.is_empty()
        {
            return (main.name.to_string(), sub.to_string());
        }
    }
    // (NFKC writes （ and ） as ( and ).)
    let Some(inner) = n.strip_suffix(')') else {
        return whole;
    };
    let mut depth = 0usize;
    for (i, c) in inner.char_indices().rev() {
        match c {
            ')' => depth += 1,
            '(' if depth > 0 => depth -= 1,
            '(' => {
                let (main, sub) = (&inner[..i], &inner[i + 1..]);
                if main.is_empty() || sub.is_empty() {
                    return whole;
                }
                return (main.to_string(), sub.to_string());
            }
            _ => {}
        }
    }
    whole
}

/// The sector a code's digits 5–6 name in the sector table.
fn sector_name(digits: &str, standard: &Standard) -> Option<String> {
    standard
        .tables
        .table("sector")
        .entries
        .iter()
        .find(|e| e.code.as_deref() == Some(digits))
        .map(|e| e.name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exchange::jsonl::parse;

    fn ctx<'a>(codes: &'a Codes, std: &'a Standard, ext: &'a [String]) -> Context<'a> {
        Context {
            codes,
            standard: std,
            region_prefix: "43",
            external_prefixes: ext,
        }
    }

    fn dir_row(code: &str, name: &str, task_type: &str) -> Row<'static> {
        let line = format!(
            r#"{{"catalog_code":"{code}","task_name":"{name}","task_type":"{task_type}","task_state":"1"}}"#
        );
        parse(&line, 1, DIRECTORY).unwrap().into_owned()
    }

    #[test]
    fn upper_items_become_external_records() {
        let (codes, std) = (Codes::embedded(), Standard::embedded());
        let ext = vec!["00".to_string()];
        let ctx = ctx(&codes, &std, &ext);
        let mut reg = Registry::default();
        let mut out = CodesOutcome::default();
        import_row(
            &dir_row("000104002000", "固定资产投资项目节能审查", "01"),
            &mut reg,
            &ctx,
            &mut out,
        );
        import_row(
            &dir_row("001033002000", "全民健身设施拆迁或者改变用途批准", "10"),
            &mut reg,
            &ctx,
            &mut out,
        );
        import_row(
            &dir_row("450104002000", "广西的事项", "01"),
            &mut reg,
            &ctx,
            &mut out,
        );
        import_row(
            &dir_row("000204001000", "某处罚", "02"),
            &mut reg,
            &ctx,
            &mut out,
        );
        import_row(
            &dir_row("430108001000", "商品房预售许可", "01"),
            &mut reg,
            &ctx,
            &mut out,
        );
        assert_eq!(out.added, ["000104002000", "001033002000", "430108001000"]);
        let count = |zh: &str| out.skipped.get(zh).map(|(_, n)| *n);
        assert_eq!(
            count("基本编码前缀 45 既不是本地区的，也不是上级目录的"),
            Some(1)
        );
        assert_eq!(count("事项类型 02 未在本工作区启用"), Some(1));
        let r = reg.get("000104002000").unwrap();
        assert_eq!(
            (r.origin, r.category.as_str(), r.sector.as_str()),
            (Provenance::External, "行政许可", "")
        );
        // A provincial code under the region's prefix carries its sector.
        assert_eq!(reg.get("430108001000").unwrap().sector, "住房城乡建设");
        assert!(reg.integrity().is_empty());
        // The same rows again change nothing; a new canonical name renames.
        let mut again = CodesOutcome::default();
        import_row(
            &dir_row("000104002000", "固定资产投资项目节能审查", "01"),
            &mut reg,
            &ctx,
            &mut again,
        );
        assert!(again.added.is_empty() && again.renamed.is_empty());
        import_row(
            &dir_row("000104002000", "固定资产投资项目节能审查意见", "01"),
            &mut reg,
            &ctx,
            &mut again,
        );
        assert_eq!(again.renamed.len(), 1);
        assert_eq!(
            reg.get("000104002000").unwrap().former_names,
            ["固定资产投资项目节能审查"]
        );
    }

    #[test]
    fn sub_items_are_split_from_their_main_item() {
        let (codes, std) = (Codes::embedded(), Standard::embedded());
        let ext = vec!["00".to_string()];
        let ctx = ctx(&codes, &std, &ext);
        let mut reg = Registry::default();
        let mut out = CodesOutcome::default();
        import_row(
            &dir_row("00010400100Y", "机动车登记", "01"),
            &mut reg,
            &ctx,
            &mut out,
        );
        import_row(
            &dir_row("000104001001", "机动车登记（注册登记）", "01"),
            &mut reg,
            &ctx,
            &mut out,
        );
        let r = reg.get("000104001001").unwrap();
        assert_eq!(
            (r.name.as_str(), r.sub_name.as_str()),
            ("机动车登记", "注册登记")
        );
        // Without its main item, the name before the last bracket.
        import_row(
            &dir_row(
                "000104003002",
                "社会团体成立、变更、注销登记（成立（分支）登记）",
                "01",
            ),
            &mut reg,
            &ctx,
            &mut out,
        );
        let r = reg.get("000104003002").unwrap();
        assert_eq!(
            (r.name.as_str(), r.sub_name.as_str()),
            ("社会团体成立、变更、注销登记", "成立(分支)登记")
        );
        import_row(
            &dir_row("000104004000", "事项（说明）", "01"),
            &mut reg,
            &ctx,
            &mut out,
        );
        assert_eq!(reg.get("000104004000").unwrap().sub_name, "");
    }
}

//! Reading the implementation records of one family: a batch of basic
//! lines, each joined with its child rows (found through the indexes),
//! turned into filing cells, and sorted out — a record to import, a record
//! left out for a reason (another region, a category not enabled here), or
//! a line that is no record (a finding).

use super::codes::Codes;
use super::files::Line;
use super::inbound::{self, Record};
use super::index::{ChildIndex, RunLines, read_runs};
use super::jsonl::{self, Row};
use super::tables::{Column, Family, Table};
use crate::diag::{Diagnostic, Rule};
use crate::model::Origin;
use crate::standard::elements::Field;
use crate::text;
use crate::workspace::Workspace;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The child tables of a family, by their place in [`CHILDREN`].
pub const CHILDREN: [Table; 4] = [Table::Extend, Table::Material, Table::Fee, Table::Questions];

/// A child table: its index and name in reports.
pub struct Child {
    pub index: ChildIndex,
    pub file: Arc<str>,
}

/// What reading a batch needs.
pub struct Context<'a> {
    pub ws: &'a Workspace,
    pub codes: &'a Codes,
    pub family: Family,
    pub basic_file: &'a Arc<str>,
    pub children: &'a [Child; 4],
}

/// A basic line sorted out.
pub enum Read {
    /// A record to import; `runs` are the child runs it claimed, per table.
    Record {
        line: u32,
        task_code: String,
        record: Box<Record>,
        runs: [Vec<usize>; 4],
    },
    /// Left out, for a reason counted in the summary.
    Skipped(crate::diag::Text),
    /// Not a record: a finding.
    Bad(Box<Diagnostic>),
}

/// Keys whose values yima keeps, per table (and the metadata of the
/// exchange itself): any other key with a value is counted as not carried.
pub fn read_keys(table: Table) -> Vec<&'static str> {
    const META: [&str; 9] = [
        "cd_batch",
        "cd_operation",
        "cd_time",
        "data_source",
        "row_guid",
        "task_version",
        "task_guid",
        "task_code",
        "order_num",
    ];
    let mut keys: Vec<&'static str> = META.to_vec();
    let maps: Vec<&'static str> = match table {
        Table::Basic | Table::Extend => (super::mapping::ENTRY.iter())
            .filter(|m| m.table == table)
            .map(|m| m.key)
            .chain(
                (super::mapping::COMPOSED.iter())
                    .filter(|(_, t, _)| *t == table)
                    .map(|(_, _, k)| *k),
            )
            .collect(),
        Table::Material => super::mapping::MATERIAL.iter().map(|m| m.key).collect(),
        Table::Fee => super::mapping::FEE.iter().map(|m| m.key).collect(),
        Table::Questions => super::mapping::QUESTION.iter().map(|m| m.key).collect(),
        Table::Directory => vec!["catalog_code", "task_name", "task_type", "task_state"],
    };
    keys.extend(maps);
    keys.extend(match table {
        Table::Basic => &[
            "link_addr",
            "mobile_terminal_url",
            "task_state",
            "serve_type",
            "areacode",
            "window_tel",
            "law_name",
            "law_number",
            "clause_number",
            "clause_content",
            "law_basis",
            "legal_basis",
            "by_law_list",
        ][..],
        Table::Extend => &["extend_field", "town_code"][..],
        _ => &[][..],
    });
    keys
}

/// Which columns of a table yima keeps, found once.
pub struct Keep {
    mask: Vec<bool>,
    keys: Vec<&'static str>,
}

impl Keep {
    pub fn new(table: Table, columns: &[Column]) -> Keep {
        let keys = read_keys(table);
        Keep {
            mask: columns.iter().map(|c| keys.contains(&c.key)).collect(),
            keys,
        }
    }
}

/// The values of a table's rows that yima does not keep, counted per
/// column (and per key the table does not have).
#[derive(Default)]
pub struct Tally {
    columns: Vec<usize>,
    extra: BTreeMap<String, usize>,
}

impl Tally {
    pub fn count(&mut self, row: &Row<'_>, keep: &Keep) {
        if self.columns.len() < row.cells.len() {
            self.columns.resize(row.cells.len(), 0);
        }
        for (i, v) in row.cells.iter().enumerate() {
            if v.is_some() && !keep.mask.get(i).copied().unwrap_or(true) {
                self.columns[i] += 1;
            }
        }
        for (k, _) in &row.extra {
            if !keep.keys.contains(&k.as_str()) {
                *self.extra.entry(k.clone()).or_default() += 1;
            }
        }
    }

    /// Adds the counts to `out`, as `file · key` → rows.
    pub fn add_to(self, columns: &[Column], file: &str, out: &mut BTreeMap<String, usize>) {
        for (c, n) in columns.iter().zip(self.columns).filter(|(_, n)| *n > 0) {
            *out.entry(format!("{file} · {}", c.key)).or_default() += n;
        }
        for (k, n) in self.extra {
            *out.entry(format!("{file} · {k}")).or_default() += n;
        }
    }
}

/// A finding at a line of an exchange file (and at a key, named first).
pub fn at_line(
    rule: Rule,
    file: &Arc<str>,
    line: u32,
    key: Option<&str>,
    message: crate::diag::Text,
) -> Diagnostic {
    let message = match key {
        Some(k) => crate::diag::Text::new(
            format!("{k}：{}", message.zh),
            format!("{k}: {}", message.en),
        ),
        None => message,
    };
    let mut d = Diagnostic::new(
        rule,
        Origin {
            file: file.clone(),
            sheet: None,
            row: Some(line),
            col: None,
        },
        message,
    );
    if let Some(k) = key {
        d = d.header(k);
    }
    d
}

/// file-unreadable at a line that is no JSON object (`why` is what the
/// JSON reader says, for the English message).
pub fn no_record(file: &Arc<str>, line: u32, why: &str) -> Diagnostic {
    at_line(
        Rule::FileUnreadable,
        file,
        line,
        None,
        text!(
            "第 {line} 行不是一条记录（不是 UTF-8 编码的 JSON 对象）",
            "line {line} is no record: {why}"
        ),
    )
    .help(text!(
        "交换文件每行一个 JSON 对象（JSON Lines），编码为 UTF-8。",
        "an exchange file holds one JSON object a line (JSON Lines), in UTF-8."
    ))
}

/// Whether a code can name a file: upper-case letters and digits.
pub fn path_safe(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// Reads a chunk of basic lines with their children; rows borrow from the
/// lines (and from the child lines read here).
pub fn read(
    lines: &[Result<Line, u32>],
    ctx: &Context<'_>,
    unkept: &mut BTreeMap<String, usize>,
) -> std::io::Result<Vec<Read>> {
    let bcols = Table::Basic.columns(ctx.family);
    let keep_basic = Keep::new(Table::Basic, bcols);
    let mut tally = Tally::default();
    let mut rows: Vec<Result<Row<'_>, Read>> = Vec::with_capacity(lines.len());
    for l in lines {
        rows.push(match l {
            Err(n) => Err(Read::Bad(Box::new(no_record(
                ctx.basic_file,
                *n,
                "not UTF-8 text",
            )))),
            Ok(line) => match jsonl::parse(&line.text, line.number, bcols) {
                Ok(row) => {
                    tally.count(&row, &keep_basic);
                    Ok(row)
                }
                Err(e) => Err(Read::Bad(Box::new(no_record(
                    ctx.basic_file,
                    line.number,
                    &e.0,
                )))),
            },
        });
    }
    tally.add_to(bcols, ctx.basic_file, unkept);
    let codes_of: Vec<Option<&str>> = rows
        .iter()
        .map(|r| {
            r.as_ref()
                .ok()
                .and_then(|r| r.get(bcols, "task_code"))
                .map(str::trim)
        })
        .collect();
    // The child runs of every record of the chunk, read together per table.
    let mut asks: [Vec<(usize, usize)>; 4] = Default::default();
    let mut texts: [Vec<RunLines>; 4] = Default::default();
    for (t, child) in ctx.children.iter().enumerate() {
        if child.index.is_empty() {
            continue;
        }
        let mut spans = Vec::new();
        for (i, code) in codes_of.iter().enumerate() {
            for (run, span) in code.iter().flat_map(|c| child.index.runs_of(c)) {
                asks[t].push((i, run));
                spans.push(span);
            }
        }
        texts[t] = read_runs(&child.index.path, &spans)?;
    }
    let mut children: Vec<[Vec<Row<'_>>; 4]> =
        (0..rows.len()).map(|_| Default::default()).collect();
    let mut claimed: Vec<[Vec<usize>; 4]> = (0..rows.len()).map(|_| Default::default()).collect();
    for t in 0..4 {
        let columns = CHILDREN[t].columns(ctx.family);
        let keep = Keep::new(CHILDREN[t], columns);
        let mut child_tally = Tally::default();
        for (&(i, run), lines) in asks[t].iter().zip(&texts[t]) {
            let code = codes_of[i].unwrap_or("");
            let mut mine = false;
            for l in lines {
                let Ok((n, text)) = l else { continue };
                let Ok(row) = jsonl::parse(text, *n, columns) else {
                    continue;
                };
                if row.get(columns, "task_code").map(str::trim) != Some(code) {
                    continue;
                }
                mine = true;
                child_tally.count(&row, &keep);
                children[i][t].push(row);
            }
            if mine {
                claimed[i][t].push(run);
            }
        }
        child_tally.add_to(columns, &ctx.children[t].file, unkept);
    }
    Ok(rows
        .into_iter()
        .zip(children)
        .zip(claimed)
        .map(|((row, kids), runs)| match row {
            Err(bad) => bad,
            Ok(row) => record(row, kids, runs, ctx, unkept),
        })
        .collect())
}

/// One basic row and its children, sorted out.
fn record(
    row: Row<'_>,
    kids: [Vec<Row<'_>>; 4],
    runs: [Vec<usize>; 4],
    ctx: &Context<'_>,
    unkept: &mut BTreeMap<String, usize>,
) -> Read {
    let bcols = Table::Basic.columns(ctx.family);
    let line = row.line;
    let task_code = row
        .get(bcols, "task_code")
        .map(str::trim)
        .unwrap_or("")
        .to_string();
    if task_code.chars().count() != 31 || !path_safe(&task_code) {
        let d = at_line(
            Rule::ImplCodeMismatch,
            ctx.basic_file,
            line,
            Some("task_code"),
            text!(
                "实施编码“{task_code}”不是 31 位数字和大写字母，记录未导入",
                "task_code `{task_code}` is not 31 digits and capitals: the record is not imported"
            ),
        )
        .field("impl_code")
        .value(task_code.clone())
        .help(text!(
            "实施编码 = 统一社会信用代码（18 位）+ 层级码（1 位）+ 基本编码（12 位）。",
            "the 实施编码 is the USCC (18) + the level code (1) + the 基本编码 (12)."
        ));
        return Read::Bad(Box::new(d));
    }
    let [extend, materials, fees, questions] = kids;
    let rows = inbound::Rows {
        family: ctx.family,
        basic: &row,
        extend: extend.first(),
        materials: &materials,
        fees: &fees,
        questions: &questions,
    };
    let ictx = inbound::Context {
        codes: ctx.codes,
        standard: &ctx.ws.standard,
        region_prefix: &ctx.ws.config.region_prefix,
    };
    let mut rec = inbound::cells(&rows, &ictx);
    if let Some(ext) = extend.first()
        && let Some(text) = ext.get(Table::Extend.columns(ctx.family), "extend_field")
    {
        // Text that is no object of yima's is the platform's own: kept out
        // of the entry, and counted.
        let file = &ctx.children[0].file;
        match serde_json::from_str(text) {
            Ok(serde_json::Value::Object(fixes)) => {
                for key in inbound::apply_fixes(&mut rec, &fixes, &ctx.ws.standard) {
                    *unkept
                        .entry(format!("{file} · extend_field.{key}"))
                        .or_default() += 1;
                }
            }
            _ => *unkept.entry(format!("{file} · extend_field")).or_default() += 1,
        }
    }
    // What the 实施编码 says, where the record leaves it blank.
    let derive = [
        (Field::AgencyCode, task_code[..18].to_string()),
        (
            Field::Level,
            ctx.codes
                .name("level", &task_code[18..19])
                .unwrap_or(&task_code[18..19])
                .to_string(),
        ),
        (Field::BasicCode, task_code[19..].to_string()),
    ];
    for (f, v) in derive {
        rec.entry.entry(f).or_insert(v);
    }
    rec.entry.insert(Field::ImplCode, task_code.clone());

    let category = rec.entry.get(&Field::Category).map_or("", String::as_str);
    let table = ctx.ws.standard.tables.table("category");
    if table.lookup(category).is_none() && table.refusal(category).is_some() {
        return Read::Skipped(text!(
            "事项类型“{category}”未在本工作区启用",
            "category `{category}` is not enabled in this workspace"
        ));
    }
    if let Some(area) = rec.entry.get(&Field::Division).and_then(|d| d.get(..6))
        && area.bytes().all(|b| b.is_ascii_digit())
        && area.get(..4) != ctx.ws.config.city_division.get(..4)
    {
        return Read::Skipped(text!("其他地区（{area}）", "another region ({area})"));
    }
    let basic = rec.entry.get(&Field::BasicCode).map_or("", String::as_str);
    let prefix = basic.get(..2).unwrap_or("");
    let cfg = &ctx.ws.config;
    if basic.len() == 12
        && prefix != cfg.region_prefix
        && !cfg.external_prefixes.iter().any(|p| p == prefix)
    {
        return Read::Skipped(text!(
            "基本编码前缀 {prefix} 既不是本地区的，也不是上级目录的",
            "基本编码 prefix {prefix} is neither this region's nor an upper level's"
        ));
    }
    Read::Record {
        line,
        task_code,
        record: Box::new(rec),
        runs,
    }
}

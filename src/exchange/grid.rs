//! Imported records checked as a filing is: a batch of records becomes the
//! grids of the sheets 事项, 申请材料, 收费项目 and 常见问题 — each cell at
//! its record's line, each column headed by the platform's key — and goes
//! through the filing parser. So a record gets the findings a filing row
//! would, at `task_general_basic.jsonl:17` under `promise_day`.

use super::inbound::Record;
use super::mapping;
use super::tables::Table;
use crate::diag::{Diagnostic, Sink};
use crate::filing::layout::{Column, Table as Layout};
use crate::filing::source::{Grid, GridRow, RawCell};
use crate::filing::{links, parse};
use crate::model::{Filing, Origin};
use crate::standard::Standard;
use crate::standard::elements::{FeeField, Field, FieldId, MaterialField, QuestionField, SheetDef};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// The files a batch's rows come from, as reports name them.
#[derive(Debug, Clone)]
pub struct Files {
    pub basic: Arc<str>,
    pub extend: Arc<str>,
    pub material: Arc<str>,
    pub fee: Arc<str>,
    pub questions: Arc<str>,
}

/// A record of the batch and the line of its basic row (its 序号).
pub struct Numbered<'a> {
    pub line: u32,
    pub record: &'a Record,
}

/// The platform key that carries an element of sheet 事项, as a finding's
/// column header.
pub fn entry_key(field: Field) -> &'static str {
    if field == Field::Seq {
        return "line";
    }
    if let Some(m) = mapping::ENTRY.iter().find(|m| m.field == field) {
        return m.key;
    }
    if let Some((_, _, k)) = mapping::COMPOSED.iter().find(|(f, _, _)| *f == field) {
        return k;
    }
    "extend_field"
}

/// Whether the extend row carries an element.
fn in_extend(field: Field) -> bool {
    mapping::ENTRY
        .iter()
        .any(|m| m.field == field && m.table == Table::Extend)
        || mapping::COMPOSED
            .iter()
            .any(|(f, t, _)| *f == field && *t == Table::Extend)
        || mapping::EXTEND_ONLY.contains(&field)
}

/// The platform key of a child element, as its header.
fn child_key<F: Copy + PartialEq>(
    maps: &[mapping::Map<F>],
    field: F,
    fallback: &'static str,
) -> &'static str {
    maps.iter()
        .find(|m| m.field == field)
        .map_or(fallback, |m| m.key)
}

/// A grid row: its line, its cells, and one more cell (its 序号 or the
/// 序号 of its record).
type GridInput<'a, F> = (u32, &'a BTreeMap<F, String>, Option<(F, u32)>);

fn seqs<'a>(rows: &[(u32, &'a BTreeMap<Field, String>)]) -> Vec<GridInput<'a, Field>> {
    rows.iter()
        .map(|(l, c)| (*l, *c, Some((Field::Seq, *l))))
        .collect()
}

fn linked<'a, F: Copy>(
    rows: &[(u32, &'a BTreeMap<F, String>, u32)],
    seq: F,
) -> Vec<GridInput<'a, F>> {
    rows.iter()
        .map(|(l, c, s)| (*l, *c, Some((seq, *s))))
        .collect()
}

/// A grid of rows in the columns of `def`, every element a column. Equal
/// texts are numbered as a workbook's shared strings are, so the parser
/// reads each once per element and the rules see one copy.
fn grid<F: Copy + Ord + FieldId>(
    file: &Arc<str>,
    def: &SheetDef<F>,
    rows: Vec<GridInput<'_, F>>,
) -> Grid {
    let mut ids: rustc_hash::FxHashMap<&str, u32> = rustc_hash::FxHashMap::default();
    let mut out = vec![GridRow::default()];
    for (line, cells, extra) in rows {
        out.push(GridRow {
            number: line,
            cells: (def.elements.iter())
                .map(|e| match cells.get(&e.field) {
                    _ if extra.is_some_and(|(f, _)| f == e.field) => {
                        RawCell::text(extra.map_or(0, |(_, n)| n).to_string())
                    }
                    Some(t) if !t.is_empty() => {
                        let next = ids.len() as u32;
                        RawCell {
                            text: t.clone(),
                            numeric: false,
                            shared: Some(*ids.entry(t.as_str()).or_insert(next)),
                        }
                    }
                    _ => RawCell::default(),
                })
                .collect(),
            lines: vec![line; def.elements.len()],
        });
    }
    Grid {
        file: file.clone(),
        name: Arc::from(def.sheet.as_str()),
        rows: out,
        yaml: true,
    }
}

/// The columns of a grid: every element but an optional one (SPEC §2a)
/// that none of its rows holds — as `yima check items/` reads an entry
/// file, so a record gets the findings the entry it becomes would get.
fn layout<'g, F: Copy + Ord + FieldId>(
    grid: &'g Grid,
    def: &SheetDef<F>,
    held: u64,
    key: impl Fn(F) -> &'static str,
) -> Layout<'g, F> {
    let columns = (def.elements.iter().enumerate())
        .filter(|(c, el)| !el.optional || held & (1 << c) != 0)
        .map(|(c, el)| Column {
            col: c as u32,
            field: el.field,
            element: c,
            header: key(el.field).to_string(),
        })
        .collect();
    Layout::new(grid, 0, columns)
}

/// Which optional elements of `def` some of `rows` hold, a bit each.
fn held<F: Copy + Ord>(def: &SheetDef<F>, rows: &[&BTreeMap<F, String>]) -> u64 {
    let mut bits = 0u64;
    for (i, el) in def.elements.iter().enumerate().take(64) {
        if el.optional && rows.iter().any(|r| r.contains_key(&el.field)) {
            bits |= 1 << i;
        }
    }
    bits
}

fn cells<F>(rows: &[(u32, BTreeMap<F, String>)]) -> Vec<&BTreeMap<F, String>> {
    rows.iter().map(|(_, c)| c).collect()
}

/// The optional elements a record and its child rows hold: records that
/// hold the same are read as one filing.
fn signature(r: &Record, standard: &Standard) -> [u64; 4] {
    let els = &standard.elements;
    [
        held(&els.items, &[&r.entry]),
        held(&els.materials, &cells(&r.materials)),
        held(&els.fees, &cells(&r.fees)),
        held(&els.questions, &cells(&r.questions)),
    ]
}

/// Reads a batch of records as filings (one per set of optional elements
/// held), its findings into `sink`.
pub fn filings(
    files: &Files,
    batch: &[Numbered<'_>],
    standard: &Standard,
    sink: &mut Sink,
) -> Vec<Filing> {
    let mut groups: Vec<([u64; 4], Vec<&Numbered<'_>>)> = Vec::new();
    for n in batch {
        let sig = signature(n.record, standard);
        match groups.iter_mut().find(|(s, _)| *s == sig) {
            Some((_, g)) => g.push(n),
            None => groups.push((sig, vec![n])),
        }
    }
    groups
        .into_iter()
        .map(|(sig, g)| filing(files, &g, sig, standard, sink))
        .collect()
}

/// Reads records as one filing.
fn filing(
    files: &Files,
    batch: &[&Numbered<'_>],
    held: [u64; 4],
    standard: &Standard,
    sink: &mut Sink,
) -> Filing {
    let els = &standard.elements;
    // The child rows refer to their record by its line (its 序号).
    let mut entries = Vec::with_capacity(batch.len());
    let mut materials = Vec::new();
    let mut fees = Vec::new();
    let mut questions = Vec::new();
    for &n in batch {
        let r = n.record;
        entries.push((n.line, &r.entry));
        materials.extend(r.materials.iter().map(|(l, c)| (*l, c, n.line)));
        fees.extend(r.fees.iter().map(|(l, c)| (*l, c, n.line)));
        questions.extend(r.questions.iter().map(|(l, c)| (*l, c, n.line)));
    }
    let g = grid(&files.fee, &els.fees, linked(&fees, FeeField::ItemSeq));
    let t = layout(&g, &els.fees, held[2], |f| match f {
        FeeField::ItemSeq => "task_code",
        f => child_key(mapping::FEE, f, "extend_field"),
    });
    let fees = parse::fee_parser(&t, standard).grid_rows(&t, sink);
    let fee_seqs = parse::fee_seqs(&fees);

    let g = grid(&files.basic, &els.items, seqs(&entries));
    let t = layout(&g, &els.items, held[0], entry_key);
    let mut entries = parse::entry_parser(&t, standard)
        .with_fees(&fee_seqs)
        .grid_rows(&t, sink);

    let g = grid(
        &files.material,
        &els.materials,
        linked(&materials, MaterialField::ItemSeq),
    );
    let t = layout(&g, &els.materials, held[1], |f| match f {
        MaterialField::ItemSeq => "task_code",
        MaterialField::Seq => "order_num",
        f => child_key(mapping::MATERIAL, f, "extend_field"),
    });
    let mats = parse::materials(&t, standard, sink);
    let material_count = mats.len();

    let g = grid(
        &files.questions,
        &els.questions,
        linked(&questions, QuestionField::ItemSeq),
    );
    let t = layout(&g, &els.questions, held[3], |f| match f {
        QuestionField::ItemSeq => "task_code",
        f => child_key(mapping::QUESTION, f, "extend_field"),
    });
    let questions = parse::question_parser(&t, standard).grid_rows(&t, sink);
    links::link_whole(&mut entries, mats, fees, questions, true, sink);

    Filing {
        file: files.basic.clone(),
        entries,
        material_count,
        materials_known: true,
    }
}

/// Puts the findings of a batch where they are in the exchange: an element
/// the extend row carries at that row (the grid holds every element of a
/// record at its basic row's line), and the key in front of the message,
/// as a JSON Lines file has no column to show.
pub fn place(diags: &mut [Diagnostic], files: &Files, extend_lines: &HashMap<u32, u32>) {
    for d in diags {
        if d.origin.file == files.basic
            && let Some(field) = d
                .field
                .and_then(|id| Field::ALL.iter().find(|f| f.id() == id))
            && in_extend(*field)
            && let Some(line) = d.origin.row.and_then(|r| extend_lines.get(&r))
        {
            d.origin = Origin {
                file: files.extend.clone(),
                sheet: None,
                row: Some(*line),
                col: None,
            };
        }
        if let Some(key) = &d.header {
            let (zh, en) = (&d.message.zh, &d.message.en);
            d.message = crate::diag::Text::new(format!("{key}：{zh}"), format!("{key}: {en}"));
        }
    }
}

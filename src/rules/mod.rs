//! The domain rules of the standard (SPEC §3, §4): codes and check digits,
//! divisions, time limits, legal bases, phones, wording, duplicates. Each rule
//! reads the typed entries of a run and pushes findings; none stops at the
//! first. (Structural rules — columns, blanks, code-table values — are applied
//! while reading, in [`crate::filing`].)

pub mod codes;
pub mod division;
pub mod duplicates;
pub mod forms;
pub mod online;
pub mod phone;
pub mod registry;
pub mod timing;
pub mod uscc;
pub mod wording;

use crate::codes::registry::Registry;
use crate::diag::{Diagnostic, Rule, Sink, Text};
use crate::model::{ArcStr, CellValue, Entry, Filing, Located, Material};
use crate::standard::Standard;
use crate::standard::elements::{Field, MaterialField};
use crate::workspace::Workspace;
use rustc_hash::FxHashMap;

/// What the rules worked out of a text alone, kept for the next time the
/// text comes: a filing repeats its texts. One memo serves one standard.
#[derive(Default)]
pub struct Memo {
    pub wording: wording::Seen,
    /// The digests of the parts of the entries' identities (item-duplicate).
    pub parts: duplicates::Parts,
    /// What is wrong with each 实施主体编码 (uscc-invalid).
    pub uscc: TextMemo<Result<(), uscc::UsccError>>,
    /// Whether each phone cell holds only valid numbers (phone-invalid).
    pub phones: TextMemo<bool>,
    /// The files found in the forms folders (form-missing).
    pub forms: forms::Forms,
}

/// What a rule worked out of a text (or a list of texts), for the next
/// time the same one comes. Texts are known by where they live in memory:
/// a filing's repeated cells share one copy ([`crate::filing::cells`]), so
/// that finds them again without hashing the text, and the copy kept here
/// pins the place, so no other text can take it. A text held twice is
/// worked out twice.
pub struct TextMemo<T, K = ArcStr> {
    seen: FxHashMap<usize, (K, T)>,
}

impl<T, K> Default for TextMemo<T, K> {
    fn default() -> Self {
        TextMemo {
            seen: FxHashMap::default(),
        }
    }
}

/// A shared value a [`TextMemo`] knows by its place.
pub trait Shared: Clone {
    fn place(&self) -> usize;
}

impl Shared for ArcStr {
    fn place(&self) -> usize {
        self.as_ptr() as usize
    }
}

impl Shared for std::sync::Arc<[ArcStr]> {
    fn place(&self) -> usize {
        self.as_ptr() as usize
    }
}

impl<T, K: Shared> TextMemo<T, K> {
    /// What `work` gives for `key`, worked out once.
    pub fn get(&mut self, key: &K, work: impl FnOnce(&K) -> T) -> &T {
        &self
            .seen
            .entry(key.place())
            .or_insert_with(|| (key.clone(), work(key)))
            .1
    }
}

/// What the rules read and where they report.
pub struct Context<'a> {
    pub workspace: &'a Workspace,
    /// The code registry, when the workspace has one.
    pub registry: Option<&'a Registry>,
    pub sink: &'a mut Sink,
}

impl Context<'_> {
    pub fn standard(&self) -> &Standard {
        &self.workspace.standard
    }

    pub fn push(&mut self, d: Diagnostic) {
        self.sink.push(d);
    }
}

/// A finding at a cell of an entry's row.
pub fn finding<T: CellValue>(
    standard: &Standard,
    rule: Rule,
    entry: &Entry,
    field: Field,
    at: &Located<T>,
    message: Text,
) -> Diagnostic {
    let mut d = Diagnostic::new(rule, at.at(&entry.origin), message)
        .field(field.id())
        .header(standard.elements.items.element(field).header.clone())
        .context(entry.context());
    let raw = at.raw_text();
    if !raw.is_empty() {
        d = d.value(raw);
    }
    d
}

/// A finding at a cell of a material's row.
pub fn material_finding<T: CellValue>(
    standard: &Standard,
    rule: Rule,
    material: &Material,
    field: MaterialField,
    at: &Located<T>,
    message: Text,
) -> Diagnostic {
    let mut d = Diagnostic::new(rule, at.at(&material.origin), message)
        .field(field.id())
        .header(standard.elements.materials.element(field).header.clone())
        .context(material.context());
    let raw = at.raw_text();
    if !raw.is_empty() {
        d = d.value(raw);
    }
    d
}

/// Runs the rules that look at one filing alone (every entry, and whether
/// administrative powers list materials). Safe to run in parallel.
pub fn check_filing(
    filing: &Filing,
    workspace: &Workspace,
    registry: Option<&Registry>,
    sink: &mut Sink,
) {
    use rayon::prelude::*;
    // Entries are checked in parallel, a chunk at a time, and the findings
    // joined in entry order.
    let sinks: Vec<Sink> = filing
        .entries
        .par_chunks(512)
        .map_init(Memo::default, |memo, chunk| {
            let mut own = Sink::default();
            let mut ctx = Context {
                workspace,
                registry,
                sink: &mut own,
            };
            for entry in chunk {
                check_entry(&mut ctx, memo, entry);
                if filing.materials_known {
                    timing::no_materials(&mut ctx, entry);
                }
            }
            own
        })
        .collect();
    for s in sinks {
        sink.extend(s);
    }
}

/// Runs every domain rule over the filings of one run (all in memory; the
/// streaming path is [`crate::check`]).
pub fn check(
    filings: &[Filing],
    workspace: &Workspace,
    registry: Option<&Registry>,
    sink: &mut Sink,
) {
    let mut dups = duplicates::Duplicates::default();
    for filing in filings {
        check_filing(filing, workspace, registry, sink);
        let mut ctx = Context {
            workspace,
            registry,
            sink,
        };
        dups.observe(&mut ctx, filing);
    }
}

/// The rules that look at one entry alone; `memo` keeps what they worked
/// out of its texts for the entries that repeat them.
pub fn check_entry(ctx: &mut Context<'_>, memo: &mut Memo, entry: &Entry) {
    uscc::check(ctx, &mut memo.uscc, entry);
    division::check(ctx, entry);
    codes::check(ctx, entry);
    timing::check(ctx, entry);
    phone::check(ctx, &mut memo.phones, entry);
    wording::check(ctx, &mut memo.wording, entry);
    online::check(ctx, entry);
    forms::check_entry(ctx, &mut memo.forms, entry);
    if let Some(r) = ctx.registry {
        registry::check(ctx, r, entry);
    }
}

//! The one diagnostics model every stage reports through: a finding is data
//! (rule, place, value, bilingual message and help), collected in a [`Report`]
//! and printed by one of the renderers in [`crate::report`].

pub mod catalog;
mod rule;

pub use rule::{Rule, Severity, UnknownRule};

use crate::model::Origin;
use serde::Serialize;
use std::collections::BTreeMap;

/// The language of messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Lang {
    /// 中文 (default).
    #[default]
    Zh,
    /// English.
    En,
}

/// A message in both languages; the renderer picks one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Text {
    pub zh: String,
    pub en: String,
}

impl Text {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Text {
            zh: zh.into(),
            en: en.into(),
        }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.zh.is_empty() && self.en.is_empty()
    }
}

/// `text!("中文 {x}", "English {x}")` builds a [`Text`] with both messages.
#[macro_export]
macro_rules! text {
    ($zh:literal, $en:literal $(,)?) => {
        $crate::diag::Text::new(format!($zh), format!($en))
    };
    ($zh:literal, $en:literal, $($arg:tt)+) => {
        $crate::diag::Text::new(format!($zh, $($arg)+), format!($en, $($arg)+))
    };
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub rule: Rule,
    pub severity: Severity,
    /// Where it is: a file, and the cell when there is one.
    pub origin: Origin,
    /// The element (field id) the cell holds.
    pub field: Option<&'static str>,
    /// The offending value, as read.
    pub value: Option<String>,
    pub message: Text,
    pub help: Text,
    /// A short note placed under the cell in human output.
    pub label: Option<Text>,
    /// Cells of the same row shown before the offending one, as (header, value).
    pub context: Vec<(String, String)>,
    /// The header of the offending column, as the sheet spells it.
    pub header: Option<String>,
    /// When the value was longer than [`VALUE_CHARS`]: its length in
    /// characters (the value holds its first [`VALUE_CHARS`]).
    pub value_chars: Option<usize>,
    /// For the note that stands for the findings of its rule and file past
    /// [`Sink::CAP`]: how many were not listed (0 for every other finding).
    pub omitted: usize,
}

/// The longest value a finding echoes: a cell of ten megabytes is reported,
/// not copied into every report.
pub const VALUE_CHARS: usize = 1000;

/// The longest message, help or context value a finding holds.
const TEXT_CHARS: usize = 4 * VALUE_CHARS;

/// `s` cut to at most `max` characters; its length in characters when cut.
fn cut(s: &mut String, max: usize) -> Option<usize> {
    // (Most texts are short: no count of characters for them.)
    if s.len() <= max {
        return None;
    }
    let (at, _) = s.char_indices().nth(max)?;
    let chars = max + s[at..].chars().count();
    s.truncate(at);
    Some(chars)
}

/// A text cut to [`TEXT_CHARS`], marked with `…` when cut.
fn cut_text(mut t: Text) -> Text {
    for s in [&mut t.zh, &mut t.en] {
        if cut(s, TEXT_CHARS).is_some() {
            s.push('…');
        }
    }
    t
}

impl Diagnostic {
    pub fn new(rule: Rule, origin: Origin, message: Text) -> Self {
        Diagnostic {
            rule,
            severity: rule.default_severity(),
            origin,
            field: None,
            value: None,
            message: cut_text(message),
            help: Text::default(),
            label: None,
            context: Vec::new(),
            header: None,
            value_chars: None,
            omitted: 0,
        }
    }

    /// The note standing for `omitted` findings of `like`'s rule and file
    /// that are not listed; its message is written when the report is
    /// made ([`Report::new`]), once the count is known.
    fn note(like: &Diagnostic, omitted: usize) -> Diagnostic {
        Diagnostic {
            omitted,
            ..Diagnostic::new(
                like.rule,
                Origin::file(like.origin.file.clone()),
                Text::default(),
            )
        }
    }

    /// Writes a note's message and help for its count.
    fn write_note(&mut self) {
        let (n, cap, rule) = (self.omitted, Sink::CAP, self.rule.id());
        self.message = crate::text!(
            "另有 {n} 处 {rule} 问题未逐一列出：每个文件每条规则只列出前 {cap} 处",
            "{n} more {rule} findings are not listed: a file lists the first {cap} of each rule"
        );
        self.help = crate::text!(
            "请先改正已列出的问题，再次检查时其余问题会列出。",
            "fix the findings listed and check again: the rest are listed then."
        );
    }

    pub fn field(mut self, field: &'static str) -> Self {
        self.field = Some(field);
        self
    }

    /// The offending value, cut to [`VALUE_CHARS`] (the finding then says
    /// how long it was).
    pub fn value(mut self, value: impl Into<String>) -> Self {
        let mut value = value.into();
        self.value_chars = cut(&mut value, VALUE_CHARS);
        self.value = Some(value);
        self
    }

    pub fn help(mut self, help: Text) -> Self {
        self.help = cut_text(help);
        self
    }

    pub fn label(mut self, label: Text) -> Self {
        self.label = Some(label);
        self
    }

    pub fn header(mut self, header: impl Into<String>) -> Self {
        self.header = Some(header.into());
        self
    }

    pub fn context(mut self, mut context: Vec<(String, String)>) -> Self {
        for (_, v) in &mut context {
            if cut(v, VALUE_CHARS).is_some() {
                v.push('…');
            }
        }
        self.context = context;
        self
    }

    /// The value as reports echo it: cut values end with a note of their
    /// length, in `lang`.
    pub fn shown_value(&self, lang: Lang) -> Option<std::borrow::Cow<'_, str>> {
        let value = self.value.as_deref()?;
        Some(match self.value_chars {
            None => std::borrow::Cow::Borrowed(value),
            Some(n) => std::borrow::Cow::Owned(match lang {
                Lang::Zh => format!("{value}…（已截断：原值共 {n} 个字符）"),
                Lang::En => format!("{value}… (cut: {n} characters in all)"),
            }),
        })
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Sort key: file, sheet, row, column, rule — the order reports print in.
    fn sort_key(&self) -> (&str, &str, u32, u32, Rule) {
        (
            &self.origin.file,
            self.origin.sheet.as_deref().unwrap_or(""),
            self.origin.row.unwrap_or(0),
            self.origin.col.map_or(0, |c| c + 1),
            self.rule,
        )
    }
}

/// Severity per rule: the defaults, overridden by a workspace.
#[derive(Debug, Clone, Default)]
pub struct Severities {
    overrides: BTreeMap<Rule, Option<Severity>>,
}

impl Severities {
    /// `None` turns the rule off.
    pub fn set(&mut self, rule: Rule, severity: Option<Severity>) {
        self.overrides.insert(rule, severity);
    }

    pub fn of(&self, rule: Rule) -> Option<Severity> {
        match self.overrides.get(&rule) {
            Some(s) => *s,
            None => Some(rule.default_severity()),
        }
    }
}

/// Where findings go while a stage runs: every problem is pushed, nothing
/// stops at the first. Of each rule in each file the first [`Sink::CAP`]
/// are kept; the rest are counted in one note (a finding of the rule at
/// the file, which every report shows), so memory holds what a person can
/// read, whatever a file holds. The first are those pushed first: stages
/// push a file's findings in sheet order.
#[derive(Debug, Default)]
pub struct Sink {
    /// The findings kept, and the notes, in the order pushed. (Stages may
    /// append here directly; the cap then applies when this sink is taken
    /// into another.)
    pub diagnostics: Vec<Diagnostic>,
    /// Per rule and file: findings kept, and where the note is.
    kept: rustc_hash::FxHashMap<(Rule, std::sync::Arc<str>), (usize, Option<usize>)>,
    /// Findings pushed, kept or not.
    pushed: usize,
}

impl Sink {
    /// Findings kept per rule and file.
    pub const CAP: usize = 1000;

    pub fn push(&mut self, d: Diagnostic) {
        self.pushed += 1;
        self.take(d);
    }

    /// How many findings were pushed (kept or counted in a note): grows
    /// with every push.
    pub fn pushed(&self) -> usize {
        self.pushed
    }

    pub fn extend(&mut self, other: Sink) {
        self.pushed += other.pushed;
        for d in other.diagnostics {
            self.take(d);
        }
    }

    /// Keeps `d`, or counts it in its rule and file's note.
    fn take(&mut self, d: Diagnostic) {
        let key = (d.rule, d.origin.file.clone());
        let (kept, note) = self.kept.entry(key).or_default();
        if d.omitted == 0 && *kept < Sink::CAP {
            *kept += 1;
            self.diagnostics.push(d);
            return;
        }
        let omitted = d.omitted.max(1);
        match note {
            Some(i) => self.diagnostics[*i].omitted += omitted,
            None => {
                *note = Some(self.diagnostics.len());
                self.diagnostics.push(Diagnostic::note(&d, omitted));
            }
        }
    }

    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Findings made in numbered parts (chunks of a sheet checked on several
/// threads), which come in any order: each part is taken in as soon as
/// those before it are, so the sink's cap keeps the first of the whole and
/// only the parts that came early wait.
#[derive(Debug, Default)]
pub struct InOrder {
    next: usize,
    waiting: BTreeMap<usize, Sink>,
    sink: Sink,
}

impl InOrder {
    /// Takes in part `index` (numbered from 0).
    pub fn add(&mut self, index: usize, part: Sink) {
        self.waiting.insert(index, part);
        while let Some(part) = self.waiting.remove(&self.next) {
            self.sink.extend(part);
            self.next += 1;
        }
    }

    /// All findings, in the parts' order.
    pub fn finish(mut self) -> Sink {
        for (_, part) in std::mem::take(&mut self.waiting) {
            self.sink.extend(part);
        }
        self.sink
    }
}

/// What one run counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub files: usize,
    pub entries: usize,
    pub materials: usize,
    pub errors: usize,
    pub warnings: usize,
}

/// Per-file counts, for the human report's closing lines.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileSummary {
    pub file: String,
    pub entries: usize,
    pub materials: usize,
    pub errors: usize,
    pub warnings: usize,
}

/// An entry that was checked, with the rows it was read from, so per-entry
/// reports (JUnit) can group findings: a finding belongs to the entry whose
/// row (or one of whose material rows) it is on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EntryRef {
    /// The filing it came from (as in [`FileSummary::file`]).
    pub file: String,
    /// Its row in sheet 事项.
    pub origin: Origin,
    pub seq: Option<u32>,
    pub name: Option<String>,
    /// The rows of its materials in sheet 申请材料.
    pub materials: Vec<Origin>,
}

/// The findings of a run, after severities are applied, sorted, and counted.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub diagnostics: Vec<Diagnostic>,
    pub files: Vec<FileSummary>,
    /// Every entry checked, in input order.
    pub entries: Vec<EntryRef>,
    pub summary: Summary,
}

impl Report {
    /// Applies the severities (dropping rules turned off), sorts, and counts.
    /// `files` lists each input with its entry and material counts.
    pub fn new(
        mut diagnostics: Vec<Diagnostic>,
        files: Vec<(String, usize, usize)>,
        severities: &Severities,
    ) -> Report {
        diagnostics.retain_mut(|d| match severities.of(d.rule) {
            Some(s) => {
                d.severity = s;
                if d.omitted > 0 {
                    d.write_note();
                }
                true
            }
            None => false,
        });
        diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        diagnostics.dedup();
        let mut summary = Summary {
            files: files.len(),
            ..Summary::default()
        };
        let mut per_file: Vec<FileSummary> = files
            .into_iter()
            .map(|(file, entries, materials)| {
                summary.entries += entries;
                summary.materials += materials;
                FileSummary {
                    file,
                    entries,
                    materials,
                    ..FileSummary::default()
                }
            })
            .collect();
        for d in &diagnostics {
            let fs = per_file.iter_mut().find(|f| *f.file == *d.origin.file);
            // A note counts the findings it stands for.
            let n = if d.omitted > 0 { d.omitted } else { 1 };
            match d.severity {
                Severity::Error => {
                    summary.errors += n;
                    if let Some(f) = fs {
                        f.errors += n;
                    }
                }
                Severity::Warning => {
                    summary.warnings += n;
                    if let Some(f) = fs {
                        f.warnings += n;
                    }
                }
            }
        }
        Report {
            diagnostics,
            files: per_file,
            entries: Vec::new(),
            summary,
        }
    }

    /// Whether the run failed: errors, or warnings when they are denied.
    pub fn failed(&self, deny_warnings: bool) -> bool {
        self.summary.errors > 0 || (deny_warnings && self.summary.warnings > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn finding(rule: Rule, file: &str, row: u32) -> Diagnostic {
        let origin = Origin {
            file: Arc::from(file),
            sheet: Some(Arc::from("事项")),
            row: Some(row),
            col: Some(0),
        };
        Diagnostic::new(rule, origin, Text::new("缺", "missing"))
    }

    #[test]
    fn a_sink_keeps_the_first_of_each_rule_and_file_and_counts_the_rest() {
        let mut sink = Sink::default();
        for row in 1..=Sink::CAP as u32 + 500 {
            sink.push(finding(Rule::ValueMissing, "a.xlsx", row));
        }
        sink.push(finding(Rule::ValueMissing, "b.xlsx", 1));
        sink.push(finding(Rule::ValueInvalid, "a.xlsx", 1));
        assert_eq!(sink.pushed(), Sink::CAP + 502);
        // The first thousand of a.xlsx, its note, and the other two.
        assert_eq!(sink.diagnostics.len(), Sink::CAP + 3);
        let note = &sink.diagnostics[Sink::CAP];
        assert_eq!((note.omitted, note.origin.row), (500, None));
        assert!(
            sink.diagnostics[..Sink::CAP]
                .iter()
                .all(|d| d.origin.row <= Some(Sink::CAP as u32))
        );
        // Taken into another sink, the note adds to its count.
        let mut all = Sink::default();
        all.push(finding(Rule::ValueMissing, "a.xlsx", 9999));
        all.extend(sink);
        assert_eq!(all.diagnostics.len(), Sink::CAP + 3);
        let note = all.diagnostics.iter().find(|d| d.omitted > 0).unwrap();
        assert_eq!(note.omitted, 501);
        // The report counts what the note stands for, and says it.
        let report = Report::new(all.diagnostics, Vec::new(), &Severities::default());
        assert_eq!(report.summary.errors, Sink::CAP + 501 + 2);
        let note = report.diagnostics.iter().find(|d| d.omitted > 0).unwrap();
        assert!(
            note.message.zh.contains("另有 501 处 value-missing"),
            "{}",
            note.message.zh
        );
        assert!(
            note.message.en.contains("501 more value-missing"),
            "{}",
            note.message.en
        );
        // A rule turned off takes its note with it.
        let mut off = Severities::default();
        off.set(Rule::ValueMissing, None);
        let mut sink = Sink::default();
        for row in 0..Sink::CAP as u32 + 1 {
            sink.push(finding(Rule::ValueMissing, "a.xlsx", row));
        }
        assert!(
            Report::new(sink.diagnostics, Vec::new(), &off)
                .diagnostics
                .is_empty()
        );
    }

    #[test]
    fn parts_taken_in_any_order_keep_the_first_of_the_whole() {
        let part = |i: u32| {
            let mut s = Sink::default();
            for row in i * 600..(i + 1) * 600 {
                s.push(finding(Rule::ValueMissing, "a.xlsx", row));
            }
            s
        };
        let rows =
            |s: Sink| -> Vec<Option<u32>> { s.diagnostics.iter().map(|d| d.origin.row).collect() };
        let mut forward = InOrder::default();
        let mut backward = InOrder::default();
        for i in 0..4 {
            forward.add(i as usize, part(i));
            backward.add(3 - i as usize, part(3 - i));
        }
        let (f, b) = (forward.finish(), backward.finish());
        assert_eq!(rows(f), rows(b));
    }

    #[test]
    fn a_long_value_is_cut_and_says_how_long_it_was() {
        let d = finding(Rule::ValueTooLong, "a.xlsx", 1).value("长".repeat(5000));
        assert_eq!(
            d.value.as_deref().map(|v| v.chars().count()),
            Some(VALUE_CHARS)
        );
        assert_eq!(d.value_chars, Some(5000));
        let shown = d.shown_value(Lang::Zh).unwrap();
        assert!(
            shown.ends_with("…（已截断：原值共 5000 个字符）"),
            "{shown}"
        );
        assert!(
            d.shown_value(Lang::En)
                .unwrap()
                .ends_with("(cut: 5000 characters in all)")
        );
        let short = finding(Rule::ValueTooLong, "a.xlsx", 1).value("短");
        assert_eq!(short.shown_value(Lang::Zh).as_deref(), Some("短"));
        assert_eq!(short.value_chars, None);
    }
}

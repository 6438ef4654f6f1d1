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
}

impl Diagnostic {
    pub fn new(rule: Rule, origin: Origin, message: Text) -> Self {
        Diagnostic {
            rule,
            severity: rule.default_severity(),
            origin,
            field: None,
            value: None,
            message,
            help: Text::default(),
            label: None,
            context: Vec::new(),
            header: None,
        }
    }

    pub fn field(mut self, field: &'static str) -> Self {
        self.field = Some(field);
        self
    }

    pub fn value(mut self, value: impl Into<String>) -> Self {
        self.value = Some(value.into());
        self
    }

    pub fn help(mut self, help: Text) -> Self {
        self.help = help;
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

    pub fn context(mut self, context: Vec<(String, String)>) -> Self {
        self.context = context;
        self
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
/// stops at the first.
#[derive(Debug, Default)]
pub struct Sink {
    pub diagnostics: Vec<Diagnostic>,
}

impl Sink {
    pub fn push(&mut self, d: Diagnostic) {
        self.diagnostics.push(d);
    }

    pub fn extend(&mut self, other: Sink) {
        self.diagnostics.extend(other.diagnostics);
    }

    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
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
            match d.severity {
                Severity::Error => {
                    summary.errors += 1;
                    if let Some(f) = fs {
                        f.errors += 1;
                    }
                }
                Severity::Warning => {
                    summary.warnings += 1;
                    if let Some(f) = fs {
                        f.warnings += 1;
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

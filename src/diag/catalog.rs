//! The rule catalog (`schemas/rules.yaml`): for every rule of SPEC §4 a title,
//! what it checks, why (the policy it serves), and a bad and a good example,
//! in Chinese and English. `yima explain`, the rule metadata of SARIF reports
//! and `docs/rules.md` are all rendered from it, so they cannot drift apart.

use super::{Lang, Rule, Severity, Text};
use serde::{Deserialize, Deserializer};
use std::fmt::Write as _;
use std::sync::OnceLock;

/// The catalog as shipped in the binary.
pub const EMBEDDED: &str = include_str!("../../schemas/rules.yaml");

/// What the catalog says about one rule.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDoc {
    /// The rule described; an id that names no rule fails to load.
    pub id: Rule,
    /// One line, as a heading.
    #[serde(deserialize_with = "text")]
    pub title: Text,
    /// What the rule looks at and when it reports.
    #[serde(deserialize_with = "text")]
    pub checks: Text,
    /// The policy it serves.
    #[serde(deserialize_with = "text")]
    pub why: Text,
    pub bad: Example,
    pub good: Example,
}

/// A bad or good example: cells as a filing holds them, and what to note.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    /// The cells, written the same in both languages (filings are in Chinese).
    pub sample: String,
    #[serde(deserialize_with = "text")]
    pub note: Text,
}

/// Both languages of a text, as the YAML spells them.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawText {
    zh: String,
    en: String,
}

fn text<'de, D: Deserializer<'de>>(d: D) -> Result<Text, D::Error> {
    let raw = RawText::deserialize(d)?;
    Ok(Text::new(raw.zh.trim(), raw.en.trim()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCatalog {
    rules: Vec<RuleDoc>,
}

/// A catalog that does not describe every rule exactly once.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// Not valid YAML for the catalog's shape (including an unknown rule id).
    #[error("rules.yaml: {0}")]
    Parse(String),
    /// A rule is described twice.
    #[error("rules.yaml: rule `{0}` is described more than once")]
    Duplicate(Rule),
    /// A rule is not described.
    #[error("rules.yaml: rule `{0}` is not described")]
    Missing(Rule),
    /// A text or sample is empty.
    #[error("rules.yaml: rule `{rule}` has an empty `{what}`")]
    Empty { rule: Rule, what: &'static str },
}

/// Every rule's description, in the order of SPEC §4 ([`Rule::ALL`]).
#[derive(Debug, Clone)]
pub struct Catalog {
    rules: Vec<RuleDoc>,
}

impl Catalog {
    /// Parses a catalog and checks that it describes every rule exactly once,
    /// with no empty text.
    pub fn parse(yaml: &str) -> Result<Catalog, CatalogError> {
        let raw: RawCatalog =
            serde_saphyr::from_str(yaml).map_err(|e| CatalogError::Parse(e.to_string()))?;
        let mut docs: Vec<Option<RuleDoc>> = vec![None; Rule::ALL.len()];
        for doc in raw.rules {
            doc.check_filled()?;
            let slot = &mut docs[index_of(doc.id)];
            if slot.is_some() {
                return Err(CatalogError::Duplicate(doc.id));
            }
            *slot = Some(doc);
        }
        let rules = docs
            .into_iter()
            .zip(Rule::ALL)
            .map(|(doc, rule)| doc.ok_or(CatalogError::Missing(*rule)))
            .collect::<Result<_, _>>()?;
        Ok(Catalog { rules })
    }

    /// The catalog embedded in the binary.
    pub fn embedded() -> &'static Catalog {
        static CATALOG: OnceLock<Catalog> = OnceLock::new();
        CATALOG.get_or_init(|| {
            Catalog::parse(EMBEDDED).expect("embedded rules.yaml is valid (tested)")
        })
    }

    /// Every rule's description, in the order of [`Rule::ALL`].
    pub fn rules(&self) -> &[RuleDoc] {
        &self.rules
    }

    /// The description of a rule.
    pub fn get(&self, rule: Rule) -> &RuleDoc {
        // `parse` fills one slot per rule, in the order of `Rule::ALL`.
        &self.rules[index_of(rule)]
    }
}

/// The position of a rule in [`Rule::ALL`] (also its SARIF `ruleIndex`).
pub fn index_of(rule: Rule) -> usize {
    Rule::ALL
        .iter()
        .position(|r| *r == rule)
        .expect("Rule::ALL lists every rule")
}

/// The section labels of a rule's description.
struct Labels {
    checks: &'static str,
    why: &'static str,
    bad: &'static str,
    good: &'static str,
    severity: &'static str,
}

fn labels(lang: Lang) -> Labels {
    match lang {
        Lang::Zh => Labels {
            checks: "检查什么",
            why: "为什么",
            bad: "错误示例",
            good: "正确示例",
            severity: "默认级别",
        },
        Lang::En => Labels {
            checks: "What it checks",
            why: "Why",
            bad: "Bad",
            good: "Good",
            severity: "Default severity",
        },
    }
}

/// A severity as the catalog names it: 错误/警告, error/warning.
pub fn severity_name(severity: Severity, lang: Lang) -> &'static str {
    match (lang, severity) {
        (Lang::Zh, Severity::Error) => "错误",
        (Lang::Zh, Severity::Warning) => "警告",
        (Lang::En, s) => s.as_str(),
    }
}

impl RuleDoc {
    fn check_filled(&self) -> Result<(), CatalogError> {
        let texts: [(&Text, &'static str); 5] = [
            (&self.title, "title"),
            (&self.checks, "checks"),
            (&self.why, "why"),
            (&self.bad.note, "bad.note"),
            (&self.good.note, "good.note"),
        ];
        for (t, what) in texts {
            if t.zh.is_empty() || t.en.is_empty() {
                return Err(CatalogError::Empty {
                    rule: self.id,
                    what,
                });
            }
        }
        for (e, what) in [(&self.bad, "bad.sample"), (&self.good, "good.sample")] {
            if e.sample.trim().is_empty() {
                return Err(CatalogError::Empty {
                    rule: self.id,
                    what,
                });
            }
        }
        Ok(())
    }

    /// The description as plain text for a terminal: title, default
    /// severity, then what it checks, why, and the two examples.
    pub fn plain(&self, lang: Lang) -> String {
        let l = labels(lang);
        let severity = severity_name(self.id.default_severity(), lang);
        let mut out = format!(
            "{} · {}\n{}{}{severity}\n\n",
            self.id,
            self.title.get(lang),
            l.severity,
            colon(lang)
        );
        out.push_str(&self.plain_body(lang));
        out
    }

    /// What it checks, why, and the two examples, as plain text (the help
    /// text of SARIF rule metadata).
    pub fn plain_body(&self, lang: Lang) -> String {
        let l = labels(lang);
        let mut out = String::new();
        for (label, body) in [(l.checks, &self.checks), (l.why, &self.why)] {
            let _ = writeln!(out, "{label}\n{}\n", indent(body.get(lang), "  "));
        }
        for (label, ex) in [(l.bad, &self.bad), (l.good, &self.good)] {
            let _ = writeln!(
                out,
                "{label}\n{}\n{}\n",
                indent(&ex.sample, "  │ "),
                indent(ex.note.get(lang), "  ")
            );
        }
        out.truncate(out.trim_end().len());
        out.push('\n');
        out
    }

    /// The description as Markdown, without a heading (the help markdown of
    /// SARIF rule metadata, and a section of `docs/rules.md`).
    pub fn markdown_body(&self, lang: Lang) -> String {
        let l = labels(lang);
        let severity = severity_name(self.id.default_severity(), lang);
        let mut out = format!(
            "**{}** · {}{}{severity}\n\n",
            self.title.get(lang),
            l.severity,
            colon(lang)
        );
        for (label, body) in [(l.checks, &self.checks), (l.why, &self.why)] {
            let _ = write!(out, "**{label}**\n\n{}\n\n", body.get(lang));
        }
        for (label, ex) in [(l.bad, &self.bad), (l.good, &self.good)] {
            let _ = write!(
                out,
                "**{label}**\n\n```text\n{}\n```\n\n{}\n\n",
                ex.sample.trim_end(),
                ex.note.get(lang)
            );
        }
        out.truncate(out.trim_end().len());
        out.push('\n');
        out
    }
}

/// The colon after a label: full width in Chinese.
fn colon(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "：",
        Lang::En => ": ",
    }
}

/// Prefixes every line.
fn indent(s: &str, prefix: &str) -> String {
    s.trim_end()
        .lines()
        .map(|l| format!("{prefix}{l}").trim_end().to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_rule_has_exactly_one_entry_and_every_entry_a_real_rule() {
        // Parsed independently of `Catalog::parse`, so a bug there cannot hide
        // a missing or doubled entry.
        #[derive(Deserialize)]
        struct Ids {
            rules: Vec<Id>,
        }
        #[derive(Deserialize)]
        struct Id {
            id: String,
        }
        let ids: Ids = serde_saphyr::from_str(EMBEDDED).unwrap();
        let mut seen = HashSet::new();
        for Id { id } in &ids.rules {
            assert!(id.parse::<Rule>().is_ok(), "`{id}` names no rule");
            assert!(seen.insert(id.as_str()), "`{id}` is described twice");
        }
        for r in Rule::ALL {
            assert!(seen.contains(r.id()), "`{r}` is not described");
        }
        assert_eq!(ids.rules.len(), Rule::ALL.len());

        let catalog = Catalog::parse(EMBEDDED).unwrap();
        for (doc, rule) in catalog.rules().iter().zip(Rule::ALL) {
            assert_eq!(doc.id, *rule);
            assert_eq!(catalog.get(*rule).id, *rule);
        }
    }

    #[test]
    fn english_texts_are_english_and_chinese_texts_chinese() {
        let han = |s: &str| {
            s.chars()
                .filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c))
                .count()
        };
        for doc in Catalog::embedded().rules() {
            for (t, what) in [
                (&doc.title, "title"),
                (&doc.checks, "checks"),
                (&doc.why, "why"),
            ] {
                // English texts quote Chinese column names, but mostly are English.
                let ascii_letters = t.en.chars().filter(char::is_ascii_alphabetic).count();
                assert!(
                    ascii_letters > han(&t.en),
                    "{}: {what} en is not English",
                    doc.id
                );
                assert!(han(&t.zh) > 0, "{}: {what} zh has no Chinese", doc.id);
            }
        }
    }

    #[test]
    fn rejects_unknown_ids_unknown_fields_duplicates_and_gaps() {
        let entry = |id: &str| {
            format!(
                "  - id: {id}\n    title: {{zh: 标题, en: Title}}\n    checks: {{zh: 检查, en: Checks}}\n    why: {{zh: 原因, en: Why}}\n    bad: {{sample: x, note: {{zh: 错, en: bad}}}}\n    good: {{sample: y, note: {{zh: 对, en: good}}}}\n"
            )
        };
        let all: String = Rule::ALL.iter().map(|r| entry(r.id())).collect();
        assert!(Catalog::parse(&format!("rules:\n{all}")).is_ok());

        let unknown = format!("rules:\n{all}{}", entry("no-such-rule"));
        assert!(matches!(
            Catalog::parse(&unknown),
            Err(CatalogError::Parse(_))
        ));

        let doubled = format!("rules:\n{all}{}", entry("seq-duplicate"));
        assert!(matches!(
            Catalog::parse(&doubled),
            Err(CatalogError::Duplicate(Rule::SeqDuplicate))
        ));

        let gap: String = Rule::ALL[1..].iter().map(|r| entry(r.id())).collect();
        assert!(matches!(
            Catalog::parse(&format!("rules:\n{gap}")),
            Err(CatalogError::Missing(Rule::FileUnreadable))
        ));

        let extra_field = format!("rules:\n{all}").replacen("    why:", "    typo: x\n    why:", 1);
        assert!(matches!(
            Catalog::parse(&extra_field),
            Err(CatalogError::Parse(_))
        ));

        let empty =
            format!("rules:\n{all}").replacen("{zh: 标题, en: Title}", "{zh: 标题, en: ''}", 1);
        assert!(matches!(
            Catalog::parse(&empty),
            Err(CatalogError::Empty { what: "title", .. })
        ));
    }

    #[test]
    fn renders_every_section() {
        let doc = Catalog::embedded().get(Rule::UsccInvalid);
        let plain = doc.plain(Lang::Zh);
        assert!(
            plain.starts_with("uscc-invalid · 统一社会信用代码不符合 GB 32100\n默认级别：错误\n")
        );
        for label in ["检查什么", "为什么", "错误示例", "正确示例"] {
            assert!(plain.contains(label), "{label} missing");
        }
        assert!(plain.contains("  │ 事项!I11  实施主体编码: 11431300006140469F"));
        let md = doc.markdown_body(Lang::En);
        assert!(md.starts_with("**The USCC fails GB 32100** · Default severity: error\n"));
        assert!(md.contains("```text\n事项!I11  实施主体编码: 11431300006140469E\n```"));
        assert_eq!(severity_name(Severity::Warning, Lang::Zh), "警告");
    }
}

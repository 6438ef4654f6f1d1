//! `yima explain [RULE]`: what a rule checks, why (the policy it serves), its
//! default severity, and a bad and a good example — all from the rule catalog
//! (`schemas/rules.yaml`). Without a rule it lists every rule; `--format md`
//! prints the catalog as Markdown, which is how `docs/rules.md` is made.

use super::EXIT_OK;
use super::failure::{Failure, Result};
use crate::diag::catalog::{Catalog, severity_name};
use crate::diag::{Lang, Rule};
use std::fmt::Write as _;
use std::io::Write as _;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// 规则编号，如 uscc-invalid；省略则列出全部规则
    #[arg(value_name = "RULE")]
    pub rule: Option<String>,

    /// 输出格式
    #[arg(long, short = 'f', value_enum, default_value_t = ExplainFormat::Text)]
    pub format: ExplainFormat,
}

/// The formats of `yima explain --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ExplainFormat {
    /// 终端文本
    #[default]
    Text,
    /// Markdown（不带规则编号时输出完整的规则手册，即 docs/rules.md）
    Md,
}

/// The command that regenerates `docs/rules.md`.
pub const REGENERATE_DOCS: &str = "cargo run -- explain --format md > docs/rules.md";

pub fn run(args: Args, lang: Lang) -> Result<u8> {
    let catalog = Catalog::embedded();
    let text = match (&args.rule, args.format) {
        (Some(id), format) => {
            let rule = find_rule(id, lang)?;
            let doc = catalog.get(rule);
            match format {
                ExplainFormat::Text => doc.plain(lang),
                ExplainFormat::Md => format!("## {rule}\n\n{}", doc.markdown_body(lang)),
            }
        }
        (None, ExplainFormat::Text) => list(catalog, lang),
        (None, ExplainFormat::Md) => markdown(catalog, lang),
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    // A closed pipe (`yima explain | head`) is not an error.
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
    Ok(EXIT_OK)
}

/// The rule an id names. Case, `_` and spaces are forgiven; an unknown id is
/// a usage error that suggests the closest ids.
pub fn find_rule(id: &str, lang: Lang) -> Result<Rule> {
    let wanted = id.trim().to_lowercase().replace(['_', ' '], "-");
    if let Ok(rule) = wanted.parse::<Rule>() {
        return Ok(rule);
    }
    let shown = id.trim();
    let near = suggestions(&wanted);
    let msg = match (lang, near.as_slice()) {
        (Lang::Zh, []) => format!("未知的规则编号“{shown}”。运行 yima explain 列出全部规则。"),
        (Lang::Zh, near) => format!(
            "未知的规则编号“{shown}”。是否应为{}？运行 yima explain 列出全部规则。",
            near.iter()
                .map(|r| format!("“{r}”"))
                .collect::<Vec<_>>()
                .join("或")
        ),
        (Lang::En, []) => {
            format!("unknown rule `{shown}`; run `yima explain` to list every rule.")
        }
        (Lang::En, near) => format!(
            "unknown rule `{shown}`; did you mean {}? Run `yima explain` to list every rule.",
            near.iter()
                .map(|r| format!("`{r}`"))
                .collect::<Vec<_>>()
                .join(" or ")
        ),
    };
    Err(Failure::new(msg))
}

/// The ids closest to a mistyped one: those within a small edit distance
/// (the nearest first), else those that contain it as a word fragment.
fn suggestions(wanted: &str) -> Vec<Rule> {
    let limit = (wanted.chars().count() / 4).max(2);
    let mut near: Vec<(usize, Rule)> = Rule::ALL
        .iter()
        .map(|r| (strsim::levenshtein(wanted, r.id()), *r))
        .filter(|(d, _)| *d <= limit)
        .collect();
    near.sort();
    if let Some(&(best, _)) = near.first() {
        return near
            .into_iter()
            .take_while(|(d, _)| *d == best)
            .map(|(_, r)| r)
            .collect();
    }
    if wanted.chars().count() < 3 {
        return Vec::new();
    }
    Rule::ALL
        .iter()
        .copied()
        .filter(|r| r.id().contains(wanted))
        .take(4)
        .collect()
}

/// Every rule on one line: id, default severity, title.
fn list(catalog: &Catalog, lang: Lang) -> String {
    let width = Rule::ALL.iter().map(|r| r.id().len()).max().unwrap_or(0);
    let sev_width = match lang {
        // Both Chinese names are two characters wide.
        Lang::Zh => 0,
        Lang::En => "warning".len(),
    };
    let mut out = String::new();
    for doc in catalog.rules() {
        let sev = severity_name(doc.id.default_severity(), lang);
        let _ = writeln!(
            out,
            "{:width$}  {sev:sev_width$}  {}",
            doc.id.id(),
            doc.title.get(lang)
        );
    }
    out.push('\n');
    out.push_str(match lang {
        Lang::Zh => "查看一条规则的说明：yima explain 规则编号（如 yima explain uscc-invalid）\n",
        Lang::En => {
            "For one rule's description: yima explain RULE (e.g. yima explain uscc-invalid)\n"
        }
    });
    out
}

/// The whole catalog as one Markdown document: an index table, then one
/// section per rule.
pub fn markdown(catalog: &Catalog, lang: Lang) -> String {
    let mut out = String::new();
    match lang {
        Lang::Zh => {
            let _ = write!(
                out,
                "# yima 规则手册\n\n\
                 <!-- 本文件由 `yima explain --format md` 生成，请勿手工修改。重新生成：{REGENERATE_DOCS} -->\n\n\
                 `yima check` 报告的每个问题都带有一个规则编号。下面列出全部 {} 条规则：检查什么、为什么（所服务的制度要求）、默认级别，以及错误和正确的示例。\
                 级别为“错误”的问题使检查失败（退出码 1，`yima ingest` 不写入任何内容）；“警告”只作提示，加 `--deny warnings` 时也算失败。\
                 工作区可以在 `yima.yaml` 中调整或关闭任一规则的级别。\n\n\
                 在终端中查看同样的说明：`yima explain 规则编号`；英文版：`yima --lang en explain`。\n\n\
                 | 规则 | 默认级别 | 说明 |\n|---|---|---|\n",
                Rule::ALL.len()
            );
        }
        Lang::En => {
            let _ = write!(
                out,
                "# yima rules\n\n\
                 <!-- Generated by `yima --lang en explain --format md`; do not edit by hand. -->\n\n\
                 Every finding of `yima check` carries a rule id. These are all {} rules: what each checks, why (the policy it serves), its default severity, and a bad and a good example. \
                 An error fails the check (exit code 1, and `yima ingest` writes nothing); a warning only informs, unless `--deny warnings` is given. \
                 A workspace may change or turn off any rule's severity in `yima.yaml`.\n\n\
                 The same text in a terminal: `yima explain RULE`.\n\n\
                 | rule | default | title |\n|---|---|---|\n",
                Rule::ALL.len()
            );
        }
    }
    for doc in catalog.rules() {
        let _ = writeln!(
            out,
            "| [{id}](#{id}) | {} | {} |",
            severity_name(doc.id.default_severity(), lang),
            doc.title.get(lang).replace('|', "\\|"),
            id = doc.id
        );
    }
    for doc in catalog.rules() {
        let _ = write!(out, "\n## {}\n\n{}", doc.id, doc.markdown_body(lang));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_forgiving_about_case_and_separators() {
        assert_eq!(
            find_rule("USCC_INVALID", Lang::Zh).unwrap(),
            Rule::UsccInvalid
        );
        assert_eq!(
            find_rule(" phone invalid ", Lang::En).unwrap(),
            Rule::PhoneInvalid
        );
    }

    #[test]
    fn unknown_ids_suggest_the_closest() {
        let e = find_rule("uscc-invaild", Lang::Zh).unwrap_err().to_string();
        assert!(e.contains("“uscc-invalid”"), "{e}");
        assert!(!e.contains("uscc-region-mismatch"), "{e}");

        let e = find_rule("visits", Lang::En).unwrap_err().to_string();
        assert!(e.contains("did you mean `visits-exceed-one`?"), "{e}");

        let e = find_rule("basis", Lang::En).unwrap_err().to_string();
        for id in [
            "legal-basis-missing",
            "legal-basis-unquoted",
            "fee-basis-missing",
        ] {
            assert!(e.contains(id), "{e}");
        }

        let e = find_rule("xyzzy-plugh", Lang::En).unwrap_err().to_string();
        assert!(!e.contains("did you mean"), "{e}");
    }

    #[test]
    fn the_list_names_every_rule_with_its_severity() {
        let text = list(Catalog::embedded(), Lang::En);
        for r in Rule::ALL {
            let line = text
                .lines()
                .find(|l| l.split_whitespace().next() == Some(r.id()))
                .unwrap_or_else(|| panic!("{r} not listed"));
            assert!(line.contains(r.default_severity().as_str()), "{line}");
        }
    }

    #[test]
    fn the_markdown_indexes_and_describes_every_rule() {
        let md = markdown(Catalog::embedded(), Lang::Zh);
        for r in Rule::ALL {
            assert!(
                md.contains(&format!("| [{r}](#{r}) |")),
                "{r} not in the index"
            );
            assert_eq!(md.matches(&format!("\n## {r}\n")).count(), 1, "{r} section");
        }
        assert!(md.contains(REGENERATE_DOCS));
    }
}

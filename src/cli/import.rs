//! `yima import --format platform DIR`: the platform's tables into the
//! catalog — the basic catalog into the registry, implementation records
//! as entries, each checked as a filing is. `--dry-run` prints what would
//! change and writes nothing; `--strict` writes nothing when a record has
//! an error. Exit 0 imported without errors, 1 with errors (imported all
//! the same unless `--strict`), 2 when the import could not run.

use super::export::describe;
use super::failure::{Failure, Result};
use super::{EXIT_FINDINGS, EXIT_OK, require_workspace};
use crate::diag::Lang;
use crate::exchange::import;
use crate::release::diff::Named;
use crate::report::{self, Format, Human};
use std::path::{Path, PathBuf};

/// What to import from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Source {
    /// 省级政务服务平台的交换表（JSON Lines）
    Platform,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// 来源格式
    #[arg(long, value_enum)]
    pub format: Source,
    /// 交换表所在目录
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// 只显示将要做的改动，不写入
    #[arg(long)]
    pub dry_run: bool,
    /// 有任何错误时不写入
    #[arg(long)]
    pub strict: bool,
}

/// Longest list of entries printed before the rest is only counted.
const LISTED: usize = 1000;

pub fn run(args: Args, workspace: Option<&Path>, lang: Lang) -> Result<u8> {
    super::check_paths_exist(std::slice::from_ref(&args.dir), lang)?;
    let ws = require_workspace(workspace, lang)?;
    let fail = |e| Failure::new(describe(&e, lang));
    let mut plan = import::plan(&ws, &args.dir, args.dry_run).map_err(fail)?;
    let zh = lang == Lang::Zh;
    if !plan.report.diagnostics.is_empty() {
        out!(
            "{}",
            report::render(&plan.report, Format::Human, lang, &Human::default())
        );
    }
    let mut listed = 0usize;
    let mut line = |mark: &str, n: &Named| {
        if listed < LISTED {
            let sub = if n.sub_name.is_empty() {
                String::new()
            } else {
                format!("（{}）", n.sub_name)
            };
            outln!("  {mark} {} {}{sub} · {}", n.impl_code, n.name, n.agency);
        }
        listed += 1;
    };
    plan.added.iter().for_each(|n| line("+", n));
    plan.changed.iter().for_each(|n| line("~", n));
    if listed > LISTED {
        let more = listed - LISTED;
        outln!(
            "{}",
            if zh {
                format!("  …（另有 {more} 项）")
            } else {
                format!("  … ({more} more)")
            }
        );
    }
    for (code, old, new) in &plan.codes.renamed {
        outln!("  ≈ {code} {old} → {new}");
    }
    for (why, n) in plan.skipped.values() {
        let why = why.get(lang);
        outln!(
            "{}",
            if zh {
                format!("未导入 {n} 条记录：{why}")
            } else {
                format!("{n} records not imported: {why}")
            }
        );
    }
    for (why, n) in plan.codes.skipped.values() {
        let why = why.get(lang);
        outln!(
            "{}",
            if zh {
                format!("未登记 {n} 个基本目录事项：{why}")
            } else {
                format!("{n} basic-catalog items not recorded: {why}")
            }
        );
    }
    if !plan.unkept.is_empty() {
        outln!(
            "{}",
            if zh {
                "以下列的值不在 yima 的要素中，未导入（docs/exchange.md）："
            } else {
                "values of these columns have no yima element and were not imported (docs/exchange.md):"
            }
        );
        for (col, n) in &plan.unkept {
            outln!(
                "{}",
                if zh {
                    format!("  {col}（{n} 行）")
                } else {
                    format!("  {col} ({n} rows)")
                }
            );
        }
    }
    let c = &plan.codes;
    let errors = plan.report.summary.errors;
    let summary = if zh {
        format!(
            "新增 {} 个，变更 {} 个，未变 {} 个；登记基本编码 {} 个（已有 {} 个），上级目录更名 {} 个",
            plan.added.len(),
            plan.changed.len(),
            plan.unchanged,
            c.added.len(),
            c.known,
            c.renamed.len()
        )
    } else {
        format!(
            "{} added, {} changed, {} unchanged; {} codes recorded ({} known), {} upper-level renames",
            plan.added.len(),
            plan.changed.len(),
            plan.unchanged,
            c.added.len(),
            c.known,
            c.renamed.len()
        )
    };
    if args.dry_run {
        outln!(
            "{summary}{}",
            if zh {
                "（试运行，未写入）"
            } else {
                " (dry run, nothing written)"
            }
        );
        return Ok(if errors > 0 { EXIT_FINDINGS } else { EXIT_OK });
    }
    if args.strict && errors > 0 {
        outln!(
            "{}",
            if zh {
                format!("有 {errors} 个错误，未写入任何内容（--strict）。")
            } else {
                format!("{errors} errors: nothing written (--strict).")
            }
        );
        return Ok(EXIT_FINDINGS);
    }
    if !plan.is_empty()
        && let Some(l) = import::apply(&ws, &mut plan).map_err(fail)?
    {
        super::writes::warn_leftover(
            &crate::filing::display_path(&l.path),
            &l.error.to_string(),
            lang,
        );
    }
    outln!("{summary}");
    if errors > 0 {
        outln!(
            "{}",
            if zh {
                format!("导入的记录有 {errors} 个错误（见上）；改正前 yima release 不会发布。")
            } else {
                format!(
                    "the imported records have {errors} errors (above); yima release refuses until they are fixed."
                )
            }
        );
        return Ok(EXIT_FINDINGS);
    }
    Ok(EXIT_OK)
}

//! `yima ingest PATH…`: checks filings and folds them into the catalog.
//! With any error it writes nothing; `--dry-run` shows the same without
//! writing. Exit 0 ingested (or nothing to do), 1 errors in the filings,
//! 2 when the catalog could not be written (it is then unchanged).

use super::failure::{Failure, Result};
use super::{EXIT_FINDINGS, EXIT_OK, require_workspace};
use crate::diag::Lang;
use crate::ingest::{self, IngestError};
use crate::release::diff::Named;
use crate::report::{self, Format, Human, inert};
use std::path::{Path, PathBuf};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// 填报表文件或目录
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// 只显示将要做的改动，不写入
    #[arg(long)]
    pub dry_run: bool,
    /// 把本次填报单位不再列出的事项注销（不删除）
    #[arg(long)]
    pub retire_missing: bool,
}

/// Longest list of entries printed before the rest is only counted.
const LISTED: usize = 1000;

/// The user's message for a failed ingest: what failed, and what state the
/// catalog is in (as it was, unless a swap was cut short — then where its
/// content waits for the next run).
pub fn failure(e: &IngestError, lang: Lang) -> Failure {
    let unchanged = match lang {
        Lang::Zh => "目录未做任何改动",
        Lang::En => "the catalog is unchanged",
    };
    Failure::new(match (e, lang) {
        (IngestError::Unsafe(problems), _) => {
            let mut s = match lang {
                Lang::Zh => format!(
                    "编码登记簿与目录不一致，未赋任何编码；{unchanged}。请从版本库恢复 items/codes.lock（yima assign --check 列出全部问题）："
                ),
                Lang::En => format!(
                    "the code registry disagrees with the catalog: no code was issued; {unchanged}. Restore items/codes.lock from version control (`yima assign --check` lists every problem):"
                ),
            };
            super::assign::list_problems(&mut s, problems, lang);
            s
        }
        (IngestError::Commit(c), _) => super::writes::commit_failure(c, lang),
        (IngestError::Lock(l), _) => format!("{}；{unchanged}", super::lock_message(l, lang)),
        (IngestError::Write(w), Lang::Zh) => {
            format!("无法写入 {}：{}；{unchanged}", w.path, w.source)
        }
        (IngestError::Write(w), Lang::En) => {
            format!("cannot write {}: {}; {unchanged}", w.path, w.source)
        }
        (IngestError::Stale, Lang::Zh) => {
            format!("导入期间目录被另一次运行修改；{unchanged}，请重新运行")
        }
        (IngestError::Stale, Lang::En) => {
            format!("another run changed the catalog meanwhile; {unchanged}, run again")
        }
        (other, Lang::Zh) => format!("{other}；{unchanged}"),
        (other, Lang::En) => format!("{other}; {unchanged}"),
    })
}

pub fn run(args: Args, workspace: Option<&Path>, lang: Lang) -> Result<u8> {
    super::check_paths_exist(&args.paths, lang)?;
    let ws = require_workspace(workspace, lang)?;
    let (report, plan) =
        ingest::plan(&args.paths, &ws, args.retire_missing).map_err(|e| failure(&e, lang))?;
    let Some(mut plan) = plan else {
        out!(
            "{}",
            report::render(&report, Format::Human, lang, &Human::default())
        );
        outln!(
            "{}",
            match lang {
                Lang::Zh => "填报表有错误，未写入任何内容。请改正后重新导入。",
                Lang::En =>
                    "the filings have errors: nothing was written. Fix them and ingest again.",
            }
        );
        return Ok(EXIT_FINDINGS);
    };
    let mut listed = 0usize;
    let mut more = 0usize;
    let mut line = |mark: &str, n: &Named| {
        if listed < LISTED {
            // Names come from cells: shown inert, whatever they hold.
            outln!(
                "  {mark} {} {}{} · {}",
                n.impl_code,
                inert(&n.name),
                inert(&sub(&n.sub_name)),
                inert(&n.agency)
            );
            listed += 1;
        } else {
            more += 1;
        }
    };
    plan.added.iter().for_each(|n| line("+", n));
    plan.changed.iter().for_each(|n| line("~", n));
    plan.retired.iter().for_each(|n| line("-", n));
    for (code, old, new) in &plan.renamed {
        outln!("  ≈ {code} {} → {}", inert(old), inert(new));
    }
    if more > 0 {
        outln!("  …（另有 {more} 项）");
    }
    let summary = match lang {
        Lang::Zh => format!(
            "新增 {} 个，变更 {} 个，未变 {} 个，注销 {} 个，更名 {} 个；新赋基本编码 {} 个",
            plan.added.len(),
            plan.changed.len(),
            plan.unchanged,
            plan.retired.len(),
            plan.renamed.len(),
            plan.issued.len()
        ),
        Lang::En => format!(
            "{} added, {} changed, {} unchanged, {} retired, {} renamed; {} new codes",
            plan.added.len(),
            plan.changed.len(),
            plan.unchanged,
            plan.retired.len(),
            plan.renamed.len(),
            plan.issued.len()
        ),
    };
    if args.dry_run {
        outln!(
            "{summary}{}",
            if lang == Lang::Zh {
                "（试运行，未写入）"
            } else {
                " (dry run, nothing written)"
            }
        );
        return Ok(EXIT_OK);
    }
    if !plan.is_empty() {
        let applied = ingest::apply(&ws, &mut plan).map_err(|e| failure(&e, lang))?;
        if let Some((path, why)) = applied.leftover {
            super::writes::warn_leftover(&path, &why, lang);
        }
    }
    outln!("{summary}");
    let warnings = report.summary.warnings;
    if warnings > 0 {
        outln!(
            "{}",
            match lang {
                Lang::Zh => format!("另有 {warnings} 个警告，运行 yima check 查看。"),
                Lang::En => format!("{warnings} warnings: run `yima check` to see them."),
            }
        );
    }
    Ok(EXIT_OK)
}

fn sub(s: &str) -> String {
    if s.is_empty() {
        String::new()
    } else {
        format!("（{s}）")
    }
}

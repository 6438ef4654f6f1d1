//! `yima ingest PATH…`: checks filings and folds them into the catalog.
//! With any error it writes nothing; `--dry-run` shows the same without
//! writing. Exit 0 ingested (or nothing to do), 1 errors in the filings.

use super::anyhow_free::{Failure, Result};
use super::{EXIT_FINDINGS, EXIT_OK, require_workspace};
use crate::diag::Lang;
use crate::ingest;
use crate::report::{self, Format, Human};
use std::io::Write;
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

pub fn run(args: Args, workspace: Option<&Path>, lang: Lang) -> Result<u8> {
    super::check_paths_exist(&args.paths, lang)?;
    let ws = require_workspace(workspace, lang)?;
    let (checked, plan) = ingest::plan(&args.paths, &ws, args.retire_missing)
        .map_err(|e| Failure::new(e.to_string()))?;
    let mut out = std::io::stdout().lock();
    let Some(plan) = plan else {
        let text = report::render(&checked.report, Format::Human, lang, &Human::default());
        let _ = out.write_all(text.as_bytes());
        let _ = writeln!(
            out,
            "{}",
            match lang {
                Lang::Zh => "填报表有错误，未写入任何内容。请改正后重新导入。",
                Lang::En =>
                    "the filings have errors: nothing was written. Fix them and ingest again.",
            }
        );
        return Ok(EXIT_FINDINGS);
    };
    let mut lines = String::new();
    for c in &plan.added {
        lines.push_str(&format!(
            "  + {} {}{} · {}\n",
            c.impl_code,
            c.name,
            sub(&c.sub_name),
            c.agency
        ));
    }
    for (_, c) in &plan.changed {
        lines.push_str(&format!(
            "  ~ {} {}{} · {}\n",
            c.impl_code,
            c.name,
            sub(&c.sub_name),
            c.agency
        ));
    }
    for c in &plan.retired {
        lines.push_str(&format!(
            "  - {} {}{} · {}\n",
            c.impl_code,
            c.name,
            sub(&c.sub_name),
            c.agency
        ));
    }
    for (code, old, new) in &plan.renamed {
        lines.push_str(&format!("  ≈ {code} {old} → {new}\n"));
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
    let warnings = checked.report.summary.warnings;
    let _ = out.write_all(lines.as_bytes());
    if args.dry_run {
        let _ = writeln!(
            out,
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
        ingest::apply(&ws, &plan).map_err(|e| Failure::new(e.to_string()))?;
    }
    let _ = writeln!(out, "{summary}");
    if warnings > 0 {
        let _ = writeln!(
            out,
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

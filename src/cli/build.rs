//! `yima build [--out DIR] [--only docx] [--full]`: renders the workspace's catalog
//! into `dist/` (guides in HTML, Markdown and Word, a Word 汇编 per agency,
//! catalogs by level, the site), replacing the old output in one atomic swap.
//! `--only docx` renders the Word documents alone and keeps the rest of the
//! old output. Builds are incremental: what the previous build's cache
//! proves unchanged is kept, `--full` renders everything. Exit 0 built; 2 when the build fails, with the old output
//! left as it was.

use super::failure::{Failure, Result};
use super::{EXIT_OK, require_workspace};
use crate::diag::Lang;
use crate::fsx::WorkspaceLock;
use crate::publish;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// 输出目录（默认为工作区的 dist/）
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// 在标准错误输出各阶段耗时（读取目录、核对编码、办事指南、Word 办事指南、目录表、站点、缓存、替换）
    #[arg(long)]
    pub timings: bool,

    /// 只生成这一种输出，其余保持原样：docx = Word 办事指南及各单位的办事指南汇编
    #[arg(long, value_enum, value_name = "WHAT")]
    pub only: Option<Only>,

    /// 全部重新生成，不沿用上次生成且未改变的文件（默认只重新生成有改动的部分）
    #[arg(long)]
    pub full: bool,
}

/// The outputs `--only` can pick.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Only {
    /// Word 办事指南（guides/<实施编码>.docx）与办事指南汇编
    Docx,
}

pub fn run(args: Args, workspace: Option<&Path>, lang: Lang) -> Result<u8> {
    let ws = require_workspace(workspace, lang)?;
    let out = args.out.unwrap_or_else(|| ws.path(&ws.config.paths.dist));
    // Two builds of one workspace would share the staging folder beside the
    // output; the workspace lock keeps them apart.
    let _lock = match &ws.root {
        Some(root) => Some(WorkspaceLock::acquire(root).map_err(|e| Failure::new(e.to_string()))?),
        None => None,
    };
    let progress = std::io::stderr().is_terminal();
    // The version is set by `yima release`; a plain build is unreleased.
    let outputs = match args.only {
        None => publish::Outputs::All,
        Some(Only::Docx) => publish::Outputs::Docx,
    };
    let reuse = if args.full {
        publish::Reuse::Nothing
    } else {
        publish::Reuse::Cache
    };
    let summary = publish::build_only(&ws, &out, "", progress, outputs, reuse).map_err(|e| {
        let shown = crate::filing::display_path(&out);
        Failure::new(match lang {
            Lang::Zh => format!("生成失败，{shown} 保持原样：{}", publish_failure(&e, lang)),
            Lang::En => format!(
                "build failed, {shown} left as it was: {}",
                publish_failure(&e, lang)
            ),
        })
    })?;
    if let Some((path, why)) = &summary.leftover {
        super::writes::warn_leftover(path, why, lang);
    }
    if let Some(why) = &summary.cache_ignored {
        errln!(
            "yima: {}",
            match lang {
                Lang::Zh => format!("上次生成的缓存无法使用（{why}），已全部重新生成"),
                Lang::En => format!(
                    "the previous build's cache is unusable ({why}); everything was rendered"
                ),
            }
        );
    }
    let word = summary.word;
    let shown = crate::filing::display_path(&out);
    outln!(
        "{}",
        match (lang, outputs) {
            (Lang::Zh, publish::Outputs::All) => format!(
                "已生成 {} 个事项的办事指南 {} 份（HTML 与 Markdown）、Word 办事指南 {} 份、\
                 办事指南汇编 {} 份，共 {} 个文件：{}",
                summary.entries,
                summary.guides,
                word.guides,
                word.compilations,
                summary.files,
                shown
            ),
            (Lang::En, publish::Outputs::All) => format!(
                "built {} entries: {} guides (HTML and Markdown), {} Word guides, \
                 {} Word compilations, {} files in {}",
                summary.entries,
                summary.guides,
                word.guides,
                word.compilations,
                summary.files,
                shown
            ),
            (Lang::Zh, publish::Outputs::Docx) => format!(
                "已生成 {} 个事项的 Word 办事指南 {} 份、办事指南汇编 {} 份，共 {} 个文件：{}",
                summary.entries, word.guides, word.compilations, summary.files, shown
            ),
            (Lang::En, publish::Outputs::Docx) => format!(
                "built {} entries: {} Word guides, {} Word compilations, {} files in {}",
                summary.entries, word.guides, word.compilations, summary.files, shown
            ),
        }
    );
    if outputs == publish::Outputs::All {
        let c = summary.counts;
        outln!(
            "{}",
            match lang {
                Lang::Zh => format!(
                    "重新生成 {} 个文件，沿用上次生成且未改变的 {} 个（yima build --full 全部重新生成）",
                    c.written, c.reused
                ),
                Lang::En => format!(
                    "{} files rendered, {} unchanged files kept from the previous build (yima build --full renders all)",
                    c.written, c.reused
                ),
            }
        );
    }
    if args.timings {
        // One line a stage, `stage<TAB>seconds`, for people and scripts;
        // then how many entries of the entry cache were parsed (those read
        // whole, `catalog::lazy`).
        for (stage, took) in &summary.stages {
            errln!("{stage}\t{:.3}", took.as_secs_f64());
        }
        errln!("parsed\t{}", crate::catalog::lazy::parses());
    }
    Ok(EXIT_OK)
}

/// Why a build (or release) of the catalog could not be made, naming every
/// file and line that stopped it.
pub fn publish_failure(e: &publish::PublishError, lang: Lang) -> String {
    match e {
        publish::PublishError::Catalog(c) => catalog_failure(c, lang),
        publish::PublishError::Codes(problems) => {
            let mut s = match lang {
                Lang::Zh => format!("编码有 {} 个问题（yima assign --check）：", problems.len()),
                Lang::En => format!("{} code problems (`yima assign --check`):", problems.len()),
            };
            super::assign::list_problems(&mut s, problems, lang);
            s
        }
        other => other.to_string(),
    }
}

/// A catalog that cannot be loaded whole: every file that is not an entry,
/// with its line.
pub fn catalog_failure(e: &crate::catalog::CatalogError, lang: Lang) -> String {
    let crate::catalog::CatalogError::Broken(files) = e else {
        return e.to_string();
    };
    let mut s = match lang {
        Lang::Zh => format!("{} 个条目文件无法读取（不会少发任何条目）：", files.len()),
        Lang::En => format!(
            "{} entry files cannot be read (nothing is published without them):",
            files.len()
        ),
    };
    for f in files.iter().take(20) {
        s.push_str(&format!(
            "\n  error: {}: {}",
            crate::report::inert(&f.place()),
            crate::report::inert(&f.message)
        ));
    }
    if files.len() > 20 {
        s.push_str(&format!("\n  … (+{})", files.len() - 20));
    }
    s
}

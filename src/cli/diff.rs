//! `yima diff OLD NEW [--format md|json]`: the change report between two
//! releases or catalogs (a release folder, a catalog.json, or an items/
//! folder), keyed by code. Needs no workspace.

use super::EXIT_OK;
use super::failure::{Failure, Result};
use crate::diag::Lang;
use crate::release::{changelog, diff};
use crate::workspace::Workspace;
use std::path::{Path, PathBuf};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// 旧版本：发布目录、catalog.json 或 items/ 目录
    pub old: PathBuf,
    /// 新版本
    pub new: PathBuf,
    /// 输出格式
    #[arg(long, short = 'f', value_enum, default_value_t = DiffFormat::Md)]
    pub format: DiffFormat,
}

/// How `yima diff` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    /// Markdown 变更说明
    Md,
    /// changes.json
    Json,
}

pub fn run(args: Args, workspace: Option<&Path>, lang: Lang) -> Result<u8> {
    super::check_paths_exist(&[args.old.clone(), args.new.clone()], lang)?;
    let ws = Workspace::discover(workspace).unwrap_or_else(|_| Workspace::defaults());
    let old = diff::Side::load(&args.old).map_err(|e| Failure::new(e.to_string()))?;
    let new = diff::Side::load(&args.new).map_err(|e| Failure::new(e.to_string()))?;
    let changes = diff::diff(&ws.standard, &old, &new);
    match args.format {
        DiffFormat::Json => {
            let s = serde_json::to_string_pretty(&changes).expect("changes serialize");
            outln!("{s}");
        }
        // Names come from catalogs: shown inert on a terminal.
        DiffFormat::Md => out!(
            "{}",
            crate::report::inert(&changelog::render(&changes, "变更说明"))
        ),
    }
    Ok(EXIT_OK)
}

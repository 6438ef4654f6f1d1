//! `yima release VERSION`: writes `releases/VERSION/` — the build, the
//! manifest, the change log. Refuses to overwrite a release, and refuses
//! when the catalog fails `yima check` or `yima assign --check`.

use super::failure::{Failure, Result};
use super::{EXIT_OK, require_workspace};
use crate::diag::Lang;
use crate::release;
use std::io::IsTerminal;
use std::path::Path;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// 版本号，如 2026.1
    pub version: String,
}

pub fn run(args: Args, workspace: Option<&Path>, lang: Lang) -> Result<u8> {
    let ws = require_workspace(workspace, lang)?;
    let progress = std::io::stderr().is_terminal();
    let s = release::release(&ws, &args.version, progress).map_err(|e| {
        Failure::new(match (&e, lang) {
            (release::ReleaseError::Exists(v), Lang::Zh) => {
                format!("版本 {v} 已发布，发布包不会被覆盖")
            }
            (release::ReleaseError::CheckFailed(n), Lang::Zh) => {
                format!("目录有 {n} 个错误，未发布（运行 yima check items/ 查看）")
            }
            (release::ReleaseError::CodesFailed(n), Lang::Zh) => {
                format!("编码有 {n} 个问题，未发布（运行 yima assign --check 查看）")
            }
            _ => e.to_string(),
        })
    })?;
    let c = &s.counts;
    let dir = crate::filing::display_path(&s.dir);
    match lang {
        Lang::Zh => {
            outln!("已发布 {}：{} 个文件", dir, s.files);
            outln!(
                "对比 {}：本版 {} 个事项，新增 {}，注销 {}，更名 {}，要素变更 {}；本版首次发布的编码 {} 个",
                s.previous.as_deref().unwrap_or("（首次发布）"),
                c.after,
                c.added,
                c.retired,
                c.renamed,
                c.changed,
                s.stamped
            );
        }
        Lang::En => {
            outln!("released {}: {} files", dir, s.files);
            outln!(
                "against {}: {} entries, {} added, {} retired, {} renamed, {} changed; {} codes first released",
                s.previous.as_deref().unwrap_or("(first release)"),
                c.after,
                c.added,
                c.retired,
                c.renamed,
                c.changed,
                s.stamped
            );
        }
    }
    Ok(EXIT_OK)
}

//! `yima init [DIR]`: a new workspace — `yima.yaml`, an empty `items/` with
//! its registry, and a `.gitignore` naming what yima makes again (the build,
//! the caches and memos), so a catalog repository commits `items/` and
//! `releases/` and nothing regenerated. An existing `.gitignore` is left as
//! it is.

use super::EXIT_OK;
use super::failure::{Failure, Result};
use crate::codes::registry::{self, Registry};
use crate::diag::Lang;
use crate::fsx::write_atomic;
use crate::workspace::CONFIG_FILE;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// 工作区目录（默认当前目录）
    #[arg(default_value = ".")]
    pub dir: PathBuf,
}

/// The `yima.yaml` a new workspace starts with.
pub const CONFIG_TEMPLATE: &str = include_str!("../../templates/yima.yaml");

/// The `.gitignore` a new workspace starts with (for the default paths).
pub const GITIGNORE_TEMPLATE: &str = include_str!("../../templates/workspace.gitignore");

pub fn run(args: Args, lang: Lang) -> Result<u8> {
    let cfg = args.dir.join(CONFIG_FILE);
    if cfg.exists() {
        return Err(Failure::new(match lang {
            Lang::Zh => format!("{} 已存在，未做改动", cfg.display()),
            Lang::En => format!("{} already exists; nothing changed", cfg.display()),
        }));
    }
    let io = |e: std::io::Error| Failure::new(e.to_string());
    write_atomic(&cfg, CONFIG_TEMPLATE.as_bytes()).map_err(io)?;
    let reg = args.dir.join("items").join(registry::FILE);
    if !reg.exists() {
        write_atomic(&reg, Registry::default().to_text().as_bytes()).map_err(io)?;
    }
    let ignore = args.dir.join(".gitignore");
    let wrote_ignore = !ignore.exists();
    if wrote_ignore {
        write_atomic(&ignore, GITIGNORE_TEMPLATE.as_bytes()).map_err(io)?;
    }
    let ignore_zh = if wrote_ignore { "、.gitignore" } else { "" };
    let ignore_en = if wrote_ignore { ", .gitignore" } else { "" };
    outln!(
        "{}",
        match lang {
            Lang::Zh => format!(
                "已创建工作区 {}：yima.yaml、items/codes.lock{ignore_zh}",
                args.dir.display()
            ),
            Lang::En => format!(
                "created workspace {}: yima.yaml, items/codes.lock{ignore_en}",
                args.dir.display()
            ),
        }
    );
    Ok(EXIT_OK)
}

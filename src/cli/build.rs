//! `yima build [--out DIR]`: renders the catalog into dist/.

use super::anyhow_free::{Failure, Result};
use crate::diag::Lang;
use std::path::{Path, PathBuf};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// 输出目录（默认为工作区的 dist/）
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

pub fn run(args: Args, workspace: Option<&Path>, lang: Lang) -> Result<u8> {
    let _ = (args, workspace, lang);
    Err(Failure::new("build: not yet available"))
}

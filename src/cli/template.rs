//! `yima template -o FILE`: writes the blank filing workbook.

use super::anyhow_free::{Failure, Result};
use crate::diag::Lang;
use std::path::{Path, PathBuf};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// 输出文件
    #[arg(short = 'o', long = "output", value_name = "FILE", default_value = "填报表.xlsx")]
    pub output: PathBuf,
}

pub fn run(args: Args, workspace: Option<&Path>, lang: Lang) -> Result<u8> {
    let _ = (args, workspace, lang);
    Err(Failure::new("template: not yet available"))
}

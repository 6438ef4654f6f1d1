//! `yima explain [RULE]`: what a rule checks, why, and a bad and a good example.

use super::anyhow_free::{Failure, Result};
use crate::diag::Lang;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// 规则编号，如 uscc-invalid；省略则列出全部规则
    pub rule: Option<String>,
}

pub fn run(args: Args, lang: Lang) -> Result<u8> {
    let _ = (args, lang);
    Err(Failure::new("explain: not yet available"))
}

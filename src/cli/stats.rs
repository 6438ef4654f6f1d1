//! `yima stats`: the reform's indicators for the catalog and per agency.

use super::anyhow_free::{Failure, Result};
use crate::diag::Lang;
use std::path::Path;

#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(args: Args, workspace: Option<&Path>, lang: Lang) -> Result<u8> {
    let _ = (args, workspace, lang);
    Err(Failure::new("stats: not yet available"))
}

//! `yima completions SHELL`: prints a completion script.

use super::failure::Result;
use clap::CommandFactory;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// bash, zsh, fish, powershell 或 elvish
    pub shell: clap_complete::Shell,
}

pub fn run(args: Args) -> Result<u8> {
    let mut cmd = super::Cli::command();
    // clap_complete panics when its writer fails: it writes into memory,
    // and the script goes out as one write that a closed pipe ends quietly.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "yima", &mut script);
    out!("{}", String::from_utf8_lossy(&script));
    Ok(super::EXIT_OK)
}

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
    clap_complete::generate(args.shell, &mut cmd, "yima", &mut std::io::stdout());
    Ok(super::EXIT_OK)
}

//! The `yima` binary: parses the command line and maps the outcome to an exit
//! code (0 ok, 1 findings, 2 usage or I/O error). All work is in the library.

use clap::Parser;
use std::process::ExitCode;
use yima::cli::{Cli, EXIT_USAGE, run};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("yima: {e}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

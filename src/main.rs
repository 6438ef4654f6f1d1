//! The `yima` binary: parses the command line and maps the outcome to an exit
//! code (0 ok, 1 findings, 2 usage or I/O error). All work is in the library.
//!
//! Output to a closed pipe (`yima … | head`, `yima … 2>&1 | true`) ends
//! quietly: the commands ignore a failed write, and should anything still
//! panic on one, the run ends with code 0 and no message or backtrace.

use clap::Parser;
use std::io::Write as _;
use std::process::ExitCode;
use yima::cli::{Cli, EXIT_USAGE, run};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    quiet_on_broken_pipe();
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "yima: {e}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

/// A panic caused by writing to a closed pipe is no failure of yima's: the
/// reader went away. Any other panic is reported as usual.
fn quiet_on_broken_pipe() {
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if message.contains("Broken pipe") || message.contains("os error 32") {
            std::process::exit(0);
        }
        report(info);
    }));
}

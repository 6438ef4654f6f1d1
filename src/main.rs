//! The `yima` binary: parses the command line and maps the outcome to an exit
//! code (0 ok, 1 findings, 2 usage or I/O error). All work is in the library.
//! Started from a window of its own (a file dropped on `yima.exe`), it waits
//! for Enter before the window closes.

use std::io::Write;
use std::process::ExitCode;
use yima::cli::args::{self, Parsed};
use yima::cli::{EXIT_USAGE, console, run};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let lang = args::lang_of(&argv);
    let code = match args::parse(argv) {
        Parsed::Run(cli) => match run(cli) {
            Ok(code) => code,
            Err(e) => {
                eprintln!("yima: {e}");
                EXIT_USAGE
            }
        },
        Parsed::Done { text, code, stderr } => {
            // A closed pipe (`yima --help | head`) is not an error.
            let _ = if stderr {
                std::io::stderr().write_all(text.as_bytes())
            } else {
                std::io::stdout().write_all(text.as_bytes())
            };
            code
        }
    };
    console::pause_if_window(lang);
    ExitCode::from(code)
}

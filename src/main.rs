//! The `yima` binary: parses the command line and maps the outcome to an exit
//! code (0 ok, 1 findings, 2 usage or I/O error). All work is in the library.
//! Started from a window of its own (a file dropped on `yima.exe`), it waits
//! for Enter before the window closes.
//!
//! Output to a closed pipe (`yima … | head`, `yima … 2>&1 | true`) ends
//! quietly: the commands ignore a failed write, and should anything still
//! panic on one, the run ends with code 0 and no message or backtrace.

use std::io::Write;
use std::process::ExitCode;
use yima::cli::args::{self, Parsed};
use yima::cli::{EXIT_USAGE, console, run};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (mimalloc.h, v3).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() -> ExitCode {
    // A run lasts seconds and frees and takes memory again in waves (a
    // steady build: the entry cache, then the catalogs): memory freed stays
    // the process's until it ends, instead of being given back and zeroed
    // again by the kernel when taken.
    // SAFETY: sets an option of the allocator; any value is valid.
    #[allow(unsafe_code)]
    unsafe {
        libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1)
    };
    quiet_on_broken_pipe();
    let argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let lang = args::lang_of(&argv);
    let code = match args::parse(argv) {
        Parsed::Run(cli) => {
            // Every command but `serve` ends the process when it is done:
            // its large structures are freed by the end of the process.
            if !matches!(cli.command, yima::cli::Command::Serve(_)) {
                yima::one_shot::leave_to_exit();
            }
            match run(cli) {
                Ok(code) => code,
                Err(e) => {
                    let _ = writeln!(std::io::stderr(), "yima: {e}");
                    EXIT_USAGE
                }
            }
        }
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

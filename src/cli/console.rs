//! The console window yima may have been started in. Dropping a filing on
//! `yima.exe` (or double-clicking it) opens a console window that belongs to
//! yima alone and closes the moment yima ends — before anyone has read the
//! findings. Then, and only then, yima waits for Enter. On other systems, and
//! when started from a terminal, it never waits.

use crate::diag::Lang;

/// Whether the console window was opened for this process alone: Windows
/// lists the processes attached to a console, and a terminal's shell is
/// one of them.
#[cfg(windows)]
#[allow(unsafe_code)]
fn console_is_ours_alone() -> bool {
    #[link(name = "kernel32")]
    unsafe extern "system" {
        fn GetConsoleProcessList(list: *mut u32, count: u32) -> u32;
    }
    let mut ids = [0u32; 4];
    // SAFETY: the buffer is valid for `ids.len()` process ids; the call
    // writes at most that many and returns how many are attached.
    let attached = unsafe { GetConsoleProcessList(ids.as_mut_ptr(), ids.len() as u32) };
    attached == 1
}

#[cfg(not(windows))]
fn console_is_ours_alone() -> bool {
    false
}

/// Waits for Enter when the window would otherwise close with the output.
pub fn pause_if_window(lang: Lang) {
    if !console_is_ours_alone() {
        return;
    }
    use std::io::{BufRead, Write};
    let mut err = std::io::stderr();
    let _ = write!(
        err,
        "{}",
        match lang {
            Lang::Zh => "\n按回车键关闭窗口……",
            Lang::En => "\nPress Enter to close this window…",
        }
    );
    let _ = err.flush();
    let mut line = String::new();
    let _ = std::io::stdin().lock().read_line(&mut line);
}

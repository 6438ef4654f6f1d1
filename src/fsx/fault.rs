//! Faults on purpose, for tests: every step of a write that a crash or a
//! full disk could interrupt calls [`point`] with its name, and in a debug
//! build the environment can make the run die there or that step fail.
//! Release builds compile every point to nothing.
//!
//! - `YIMA_FAULT=ACTION@WHERE[+]`: `ACTION` is `kill` (the process ends on
//!   the spot, as `kill -9` would: no destructor, no clean-up), `enospc`
//!   (the step fails: no space left on device), `eacces` (permission
//!   denied), `erofs` (read-only file system) or `pause` (the run waits
//!   while the file `YIMA_FAULT_PAUSE` exists, after creating it); `WHERE`
//!   is the n-th point reached (`7`), a point by name (`swap:between`), or
//!   its n-th time (`write#3`); a trailing `+` applies the action to every
//!   later point too (a disk that stays full).
//! - `YIMA_FAULT_LOG=FILE`: each point reached is appended to `FILE` as
//!   `n name`, so a test learns the points a command passes.

use std::io;

/// A step where a test may kill the run or fail the step.
#[inline]
pub fn point(name: &'static str) -> io::Result<()> {
    #[cfg(debug_assertions)]
    {
        armed::point(name)
    }
    #[cfg(not(debug_assertions))]
    {
        let _ = name;
        Ok(())
    }
}

#[cfg(debug_assertions)]
mod armed {
    use std::collections::HashMap;
    use std::io::{self, Write as _};
    use std::path::PathBuf;
    use std::sync::{Mutex, OnceLock};

    enum Action {
        Kill,
        Fail(i32),
        Pause,
    }

    enum Where {
        Nth(u64),
        Named(String, u64),
    }

    struct Plan {
        action: Option<(Action, Where, bool)>,
        log: Option<PathBuf>,
        pause: Option<PathBuf>,
    }

    fn plan() -> Option<&'static Plan> {
        static PLAN: OnceLock<Option<Plan>> = OnceLock::new();
        PLAN.get_or_init(|| {
            let spec = std::env::var("YIMA_FAULT").ok();
            let log = std::env::var_os("YIMA_FAULT_LOG").map(PathBuf::from);
            if spec.is_none() && log.is_none() {
                return None;
            }
            let action = spec.as_deref().and_then(parse);
            Some(Plan {
                action,
                log,
                pause: std::env::var_os("YIMA_FAULT_PAUSE").map(PathBuf::from),
            })
        })
        .as_ref()
    }

    fn parse(spec: &str) -> Option<(Action, Where, bool)> {
        let (action, at) = spec.split_once('@')?;
        let action = match action {
            "kill" => Action::Kill,
            "enospc" => Action::Fail(28),
            "eacces" => Action::Fail(13),
            "erofs" => Action::Fail(30),
            "pause" => Action::Pause,
            _ => return None,
        };
        let (at, later) = match at.strip_suffix('+') {
            Some(a) => (a, true),
            None => (at, false),
        };
        let at = match at.parse::<u64>() {
            Ok(n) => Where::Nth(n),
            Err(_) => match at.split_once('#') {
                Some((name, n)) => Where::Named(name.to_string(), n.parse().ok()?),
                None => Where::Named(at.to_string(), 1),
            },
        };
        Some((action, at, later))
    }

    pub fn point(name: &'static str) -> io::Result<()> {
        // Points are reached on several threads: one at a time is counted
        // and logged, so the log's lines are whole and in the points' order.
        static COUNTS: Mutex<Option<(u64, HashMap<&'static str, u64>)>> = Mutex::new(None);
        let Some(plan) = plan() else {
            return Ok(());
        };
        let mut counts = COUNTS.lock().unwrap_or_else(|e| e.into_inner());
        let (all, named) = counts.get_or_insert_with(Default::default);
        *all += 1;
        let n = *all;
        let nth_of_name = {
            let count = named.entry(name).or_insert(0);
            *count += 1;
            *count
        };
        if let Some(log) = &plan.log
            && let Ok(mut f) = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(log)
        {
            let _ = f.write_all(format!("{n} {name}\n").as_bytes());
        }
        drop(counts);
        let Some((action, at, later)) = &plan.action else {
            return Ok(());
        };
        let hit = match at {
            Where::Nth(k) => n == *k || (*later && n > *k),
            Where::Named(want, k) => {
                name == want && (nth_of_name == *k || (*later && nth_of_name > *k))
            }
        };
        if !hit {
            return Ok(());
        }
        match action {
            Action::Kill => std::process::exit(137),
            Action::Fail(errno) => Err(io::Error::from_raw_os_error(*errno)),
            Action::Pause => {
                if let Some(file) = &plan.pause {
                    let _ = std::fs::write(file, name);
                    let start = std::time::Instant::now();
                    while file.exists() && start.elapsed() < std::time::Duration::from_secs(60) {
                        std::thread::sleep(std::time::Duration::from_millis(5));
                    }
                }
                Ok(())
            }
        }
    }
}

//! Large structures left to the end of the process. A command run from the
//! command line holds a catalog of a hundred thousand entries, the previous
//! trees' caches and their memos — millions of allocations — and freeing
//! them one by one when the work is done costs a steady build or release
//! a few tenths of a second on one core, just before the process ends and
//! gives all its memory back at once. Such a run calls [`leave_to_exit`]
//! first; [`discard`] then forgets a value instead of dropping it. A
//! long-lived process (`yima serve`, the tests) never calls it, so there
//! `discard` is `drop`.
//!
//! Only plain memory is discarded so: a value whose `Drop` does something
//! beyond freeing (a staged tree removing itself, a file being flushed)
//! is dropped as usual.

use std::sync::atomic::{AtomicBool, Ordering};

static AT_EXIT: AtomicBool = AtomicBool::new(false);

/// This process ends when its one command does: what is [`discard`]ed is
/// left for the end of the process to free.
pub fn leave_to_exit() {
    AT_EXIT.store(true, Ordering::Relaxed);
}

/// Drops `value`, or leaves it for the end of the process (after
/// [`leave_to_exit`]).
pub fn discard<T>(value: T) {
    if AT_EXIT.load(Ordering::Relaxed) {
        std::mem::forget(value);
    } else {
        drop(value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    static DROPPED: AtomicUsize = AtomicUsize::new(0);
    struct Counted;
    impl Drop for Counted {
        fn drop(&mut self) {
            DROPPED.fetch_add(1, Ordering::Relaxed);
        }
    }

    #[test]
    fn a_long_lived_process_drops_what_it_discards() {
        // (The tests are such a process: nothing calls `leave_to_exit`.)
        let before = DROPPED.load(Ordering::Relaxed);
        discard(Counted);
        assert_eq!(DROPPED.load(Ordering::Relaxed), before + 1);
    }
}

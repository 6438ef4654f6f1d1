//! What the two threads reading a filing share ([`super::scan`]): the
//! chunks of entries read and waiting for the rules ([`Queue`]), and how far
//! each sheet has been read ([`Progress`]), by which the thread further on
//! takes the next chunk.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;

use crate::model::Entry;

/// A chunk of entries: its index in the sheet's chunks, and its entries.
pub type Job = (usize, Vec<Entry>);

/// The most chunks waiting for the other thread: past that the reading
/// thread checks them itself, so memory holds a few chunks of a filing, not
/// all of it.
pub const WAITING: usize = 4;

/// The value behind a lock, whether or not another thread panicked
/// holding it.
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Chunks of entries read and waiting for the rules, shared by the thread
/// that reads sheet 事项 and the one that reads 申请材料.
#[derive(Default)]
pub struct Queue {
    pub jobs: Mutex<VecDeque<Job>>,
    /// Sheet 事项 is read: no more chunks come.
    pub done: AtomicBool,
    /// Sheet 申请材料 is read: its thread waits for chunks.
    pub free: AtomicBool,
    pub changed: Condvar,
}

impl Queue {
    pub fn pop(&self) -> Option<Job> {
        lock(&self.jobs).pop_front()
    }

    /// Queues a chunk for the other thread; gives back the oldest when more
    /// than [`WAITING`] wait, for this thread to check.
    pub fn push(&self, job: Job) -> Option<Job> {
        let mut jobs = lock(&self.jobs);
        jobs.push_back(job);
        let more = (jobs.len() > WAITING).then(|| jobs.pop_front()).flatten();
        drop(jobs);
        self.changed.notify_one();
        more
    }

    /// No more chunks come: wakes the thread waiting for one.
    pub fn close(&self) {
        self.done.store(true, Ordering::Release);
        // (Taken so that a waiter cannot miss the wake-up.)
        drop(lock(&self.jobs));
        self.changed.notify_all();
    }

    /// Waits until a chunk comes or sheet 事项 is read; None then.
    pub fn next(&self) -> Option<Job> {
        let mut jobs = lock(&self.jobs);
        loop {
            if let Some(job) = jobs.pop_front() {
                return Some(job);
            }
            if self.done.load(Ordering::Acquire) {
                return None;
            }
            // (Woken by each chunk and by the end; the timeout is only a
            // safeguard.)
            jobs = self
                .changed
                .wait_timeout(jobs, Duration::from_millis(20))
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }
}

/// How far a sheet has been read: rows handed over, of the rows it
/// declares.
#[derive(Default)]
pub struct Progress {
    /// Rows the sheet declares (0: unknown).
    size: AtomicUsize,
    /// Rows handed over so far.
    rows: AtomicUsize,
}

impl Progress {
    pub fn expect(&self, rows: usize) {
        self.size.store(rows, Ordering::Relaxed);
    }

    pub fn advance(&self, rows: usize) {
        self.rows.fetch_add(rows, Ordering::Relaxed);
    }

    /// The share read, in millionths; None when the size is unknown.
    fn share(&self) -> Option<u64> {
        let size = self.size.load(Ordering::Relaxed) as u64;
        let rows = self.rows.load(Ordering::Relaxed) as u64;
        (size > 0).then(|| rows.min(size) * 1_000_000 / size)
    }

    /// Whether this sheet is further on than `other`; None when either
    /// size is unknown.
    pub fn ahead_of(&self, other: &Progress) -> Option<bool> {
        Some(self.share()? > other.share()?)
    }
}

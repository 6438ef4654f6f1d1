//! The hard links a release takes from the previous release, made by one
//! thread of their own while the rest renders (SPEC §10).
//!
//! A steady release links 300,000 unchanged guides from the release before
//! it. Linked from both rendering threads, each link waited on the target
//! folder's lock in the kernel: 304,453 links took 0.79 s on two threads
//! (1.6 s of CPU) against 0.88 s on one, looked up from open folders. So
//! a proven file is handed to one linker thread, which links it from its
//! folder (`linkat` relative to the folders it has open, on Linux) and
//! copies what cannot be linked; the rendering threads go on with the rest.
//! A build waits for the linker ([`Linker::finish`]) at the end of its
//! render; a release makes its change log and its manifest meanwhile (the
//! manifest lists the files the render recorded, linked yet or not) and
//! waits before it copies guides into `dist/` or puts the tree in place.
//! A file neither linked nor copied fails the build or release, naming it. The linker is also
//! waited for when dropped, so that no link lands in a tree being removed.

use std::io;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::mpsc::{Sender, channel};
use std::thread::JoinHandle;

/// A file to link: from where, to where.
pub type Job = (PathBuf, PathBuf);

/// The linker thread and the way to it.
pub struct Linker {
    jobs: Mutex<Option<Sender<Job>>>,
    thread: Mutex<Thread>,
}

/// The linker thread, running, or what it ended with once
/// [`Linker::finish`] waited for it (every later wait gives the same).
enum Thread {
    Running(JoinHandle<io::Result<usize>>),
    Ended(Result<usize, (io::ErrorKind, String)>),
}

impl Linker {
    /// A linker thread, waiting for files; it looks them up from their
    /// folders, kept open for `owner` (the tree's id,
    /// [`crate::fsx::link_or_copy_in`]).
    pub fn spawn(owner: u64) -> io::Result<Linker> {
        let (tx, rx) = channel::<Job>();
        let thread = std::thread::Builder::new()
            .name("yima-linker".into())
            .spawn(move || {
                let mut failed: Option<io::Error> = None;
                let mut linked = 0;
                for (from, to) in rx {
                    if failed.is_some() {
                        continue;
                    }
                    match crate::fsx::link_or_copy_in(owner, &from, &to) {
                        Ok(_) => linked += 1,
                        Err(e) => {
                            let display = crate::filing::display_path(&to);
                            failed = Some(io::Error::new(e.kind(), format!("{display}: {e}")));
                        }
                    }
                }
                failed.map_or(Ok(linked), Err)
            })?;
        Ok(Linker {
            jobs: Mutex::new(Some(tx)),
            thread: Mutex::new(Thread::Running(thread)),
        })
    }

    /// Hands the linker a file to link; the paths back (nothing handed)
    /// once it has finished.
    pub fn link(&self, from: PathBuf, to: PathBuf) -> Result<(), Job> {
        let jobs = self.jobs.lock().unwrap_or_else(|p| p.into_inner());
        match jobs.as_ref() {
            Some(tx) => tx.send((from, to)).map_err(|e| e.0),
            None => Err((from, to)),
        }
    }

    /// Waits until every file handed has been linked or copied; how many
    /// were linked, or the first that could be neither. Nothing is taken
    /// after it; from any thread, and as often as asked, it gives the same.
    pub fn finish(&self) -> io::Result<usize> {
        drop(self.jobs.lock().unwrap_or_else(|p| p.into_inner()).take());
        // (The lock is held while the thread is waited for: another wait
        // waits for it, then finds what it ended with.)
        let mut thread = self.thread.lock().unwrap_or_else(|p| p.into_inner());
        let ended = match std::mem::replace(&mut *thread, Thread::Ended(Ok(0))) {
            Thread::Running(t) => match t.join() {
                Ok(Ok(linked)) => Ok(linked),
                Ok(Err(e)) => Err((e.kind(), e.to_string())),
                Err(_) => Err((io::ErrorKind::Other, "the linker thread failed".into())),
            },
            Thread::Ended(ended) => ended,
        };
        *thread = Thread::Ended(ended.clone());
        ended.map_err(|(kind, why)| io::Error::new(kind, why))
    }
}

impl Drop for Linker {
    fn drop(&mut self) {
        let _ = self.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_handed_are_linked_by_the_time_it_finishes_and_a_failure_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        std::fs::create_dir_all(&a).unwrap();
        std::fs::create_dir_all(&b).unwrap();
        for i in 0..50 {
            std::fs::write(a.join(format!("{i}.html")), format!("<p>{i}</p>")).unwrap();
        }
        let linker = Linker::spawn(crate::fsx::settled::at::owner()).unwrap();
        for i in 0..50 {
            let name = format!("{i}.html");
            assert!(linker.link(a.join(&name), b.join(&name)).is_ok());
        }
        assert_eq!(linker.finish().unwrap(), 50);
        for i in 0..50 {
            let p = b.join(format!("{i}.html"));
            assert_eq!(std::fs::read_to_string(&p).unwrap(), format!("<p>{i}</p>"));
            #[cfg(unix)]
            {
                use std::os::unix::fs::MetadataExt;
                let ino = std::fs::metadata(a.join(format!("{i}.html")))
                    .unwrap()
                    .ino();
                assert_eq!(std::fs::metadata(&p).unwrap().ino(), ino, "a link");
            }
        }
        // Finished: nothing more is taken.
        assert!(linker.link(a.join("0.html"), b.join("again.html")).is_err());
        assert!(!b.join("again.html").exists());

        // A file that is missing can be neither linked nor copied: the
        // linker says which, and still links the rest handed before it.
        let linker = Linker::spawn(crate::fsx::settled::at::owner()).unwrap();
        assert!(
            linker
                .link(a.join("1.html"), dir.path().join("b/one.html"))
                .is_ok()
        );
        assert!(
            linker
                .link(a.join("missing.html"), b.join("missing.html"))
                .is_ok()
        );
        let e = linker.finish().unwrap_err();
        assert!(e.to_string().contains("missing.html"), "{e}");
        assert!(b.join("one.html").exists());
        // Waited for again, it says the same.
        let again = linker.finish().unwrap_err();
        assert_eq!((again.kind(), again.to_string()), (e.kind(), e.to_string()));
        // Two threads waiting: each returns once every file handed is in
        // place, with the same count.
        let linker = Linker::spawn(crate::fsx::settled::at::owner()).unwrap();
        for i in 0..50 {
            let name = format!("{i}.html");
            assert!(
                linker
                    .link(a.join(&name), b.join(format!("w{name}")))
                    .is_ok()
            );
        }
        let all_there = || (0..50).all(|i| b.join(format!("w{i}.html")).exists());
        let (x, y) = std::thread::scope(|s| {
            let x = s.spawn(|| (linker.finish().unwrap(), all_there()));
            let y = s.spawn(|| (linker.finish().unwrap(), all_there()));
            (x.join().unwrap(), y.join().unwrap())
        });
        assert_eq!((x, y), ((50, true), (50, true)));
        // Dropped unfinished: it waits, and what was handed is there.
        let linker = Linker::spawn(crate::fsx::settled::at::owner()).unwrap();
        assert!(linker.link(a.join("2.html"), b.join("two.html")).is_ok());
        drop(linker);
        assert!(b.join("two.html").exists());
    }
}

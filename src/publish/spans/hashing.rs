//! Writing a prefix hashed as it goes, its hashing waiting over bytes an
//! earlier file held at the same places ([`super`]'s header).

use super::state_hex;
use sha2::Digest;
use sha2::Sha256;
use std::io;

/// Where a prefix is written ([`crate::publish::cache::Output::write_prefixed`]):
/// its bytes hashed as they go, except while the hashing waits for the state
/// an earlier file recorded at the place where the bytes stop being its.
pub trait Prefixed: io::Write {
    /// Lets the hashing wait: the bytes written from here on are hashed
    /// only once it is taken up.
    fn wait(&mut self);
    /// Whether the hashing waits.
    fn waiting(&self) -> bool;
    /// Takes the hashing up from `state`: the hash of every byte written.
    fn take_up(&mut self, state: Sha256);
    /// The state of the hash of every byte written ([`state_hex`]); none
    /// while the hashing waits.
    fn state(&self) -> Option<String>;
}

/// A writer that hashes and counts what it passes on (hashing may wait,
/// [`Prefixed`]).
pub struct Hashing<W> {
    pub inner: W,
    pub hash: Sha256,
    pub len: u64,
    waiting: bool,
}

impl<W> Hashing<W> {
    /// Hashing what goes to `inner`.
    pub fn new(inner: W) -> Hashing<W> {
        Hashing {
            inner,
            hash: Sha256::new(),
            len: 0,
            waiting: false,
        }
    }
}

impl<W: io::Write> io::Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        if !self.waiting {
            self.hash.update(&buf[..n]);
        }
        self.len += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl<W: io::Write> Prefixed for Hashing<W> {
    fn wait(&mut self) {
        self.waiting = true;
    }

    fn waiting(&self) -> bool {
        self.waiting
    }

    fn take_up(&mut self, state: Sha256) {
        self.hash = state;
        self.waiting = false;
    }

    fn state(&self) -> Option<String> {
        (!self.waiting).then(|| state_hex(&self.hash))
    }
}

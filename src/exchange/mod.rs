//! Exchange with the provincial platform and open data (SPEC §8): the
//! catalog as the platform's exchange tables (JSON Lines, its columns and
//! code values) and back, the upper levels' basic catalog into the
//! registry, the catalog as a Frictionless data package, and the
//! schema.org markup of a guide. docs/exchange.md maps every element.
//!
//! ```text
//! items/ ──export──▶ task_directory.jsonl, task_{general,public,handle}_{basic,extend,
//!        ◀─import───   material,fee_project,questions}.jsonl, yima_codes.jsonl
//! ```

pub mod codes;
pub mod datapackage;
pub mod directory;
pub mod envelope;
pub mod export;
pub mod files;
pub mod grid;
pub mod import;
pub mod inbound;
pub mod index;
pub mod jsonl;
pub mod jsonld;
pub mod mapping;
pub mod outbound;
pub mod records;
pub mod tables;

use std::path::PathBuf;

/// Why an export or import could not run at all (what is wrong in a
/// record is a finding, not an error).
#[derive(Debug, thiserror::Error)]
pub enum ExchangeError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    /// The catalog could not be loaded.
    #[error(transparent)]
    Catalog(#[from] crate::catalog::CatalogError),
    /// A catalog entry file is not a valid entry.
    #[error("{path}: not a valid catalog entry: {message}")]
    Entry { path: String, message: String },
    /// `schemas/platform.yaml` is not valid.
    #[error(transparent)]
    Codes(#[from] codes::CodesError),
    /// The release or time of the envelope.
    #[error(transparent)]
    Envelope(#[from] envelope::EnvelopeError),
    /// The folder holds no exchange table.
    #[error("{0}: no exchange table (task_directory.jsonl, task_general_basic.jsonl, …)")]
    NoTables(String),
    /// Writing the catalog.
    #[error(transparent)]
    Write(#[from] crate::catalog::WriteError),
    #[error(transparent)]
    Lock(#[from] crate::fsx::LockError),
    /// Another run changed the catalog after this import was planned.
    #[error("the catalog changed since this import was planned")]
    Stale,
    /// The imported catalog could not be swapped in.
    #[error(transparent)]
    Commit(#[from] crate::catalog::CommitFailed),
}

impl ExchangeError {
    /// An I/O error at a path.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> ExchangeError {
        ExchangeError::Io {
            path: crate::filing::display_path(&path.into()),
            source,
        }
    }
}

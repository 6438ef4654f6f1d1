//! yima (一码): reads the spreadsheets in which departments file their
//! government service items, checks them against one standard, and keeps a
//! uniquely coded catalog published as guides, catalogs, a site and releases.
//!
//! The library is organized by pipeline stage:
//! - [`standard`]: the standard as data (elements, code tables, divisions, phrases);
//! - [`filing`]: reading filings into the [`model`];
//! - [`rules`]: the domain rules;
//! - [`diag`]: the findings every stage reports, and [`report`] to print them;
//! - [`workspace`]: the workspace configuration `yima.yaml`;
//! - [`check`]: the check stage as one call.
//!
//! ```no_run
//! let ws = yima::workspace::Workspace::defaults();
//! let checked = yima::check::check_paths(&["examples".into()], &ws, false).unwrap();
//! println!("{} errors", checked.report.summary.errors);
//! ```
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod annotate;
pub mod assign;
pub mod catalog;
pub mod check;
pub mod cli;
pub mod codes;
pub mod diag;
pub mod exchange;
pub mod filing;
pub mod fsx;
pub mod ingest;
pub mod model;
pub mod one_shot;
pub mod publish;
pub mod release;
pub mod report;
pub mod rules;
pub mod serve;
pub mod standard;
pub mod stats;
pub mod workspace;

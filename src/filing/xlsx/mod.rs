//! A dedicated reader of xlsx workbooks, for speed on big filings and for
//! trust in every byte: a sheet's XML is inflated in chunks and scanned
//! once, each row handed on in one reused buffer as soon as it is read (or
//! gathered into a [`Grid`](super::grid::Grid)) — no event objects, no
//! allocation per cell, the shared strings read once per workbook and shared
//! by the sheets read in parallel.
//!
//! It reads what Excel, WPS, LibreOffice and the common writers produce, and
//! gives the same cells as calamine (the tests compare the two, and so does
//! the fuzz target under `fuzz/`). What it reads is bounded by the input's
//! real content and by [`limits`](super::limits) — never by what a
//! `<dimension>`, a row number, a cell reference or an archive's header
//! claims — and anything that is not what the part must hold (broken or
//! truncated XML, a DOCTYPE, a shared string index that is not one, a part
//! inflating past its limit) makes the workbook unreadable with a cause that
//! says what is wrong, never read as other data. Only a file that is not an
//! xlsx package at all ([`Error::Foreign`]) is left to another reader.
//!
//! - [`archive`]: the zip archive, its parts inflated within their limits,
//!   and the workbook's index (sheets, relationships).
//! - [`strings`]: the shared strings table.
//! - [`sheet`]: the sheet scanner, and a whole sheet as a grid.
//! - [`cell`]: a cell's tag and plain value, read in one pass on the hot
//!   path; [`value`], what the value says for the cell's type.
//! - [`xml`]: the XML tokenizer under all of them; [`document`], what a
//!   part must be as a document; [`decode`], what its text says.

mod archive;
mod cell;
mod decode;
pub(crate) mod document;
mod sheet;
mod strings;
mod value;
pub(crate) mod xml;

pub use archive::{Index, index};
pub use sheet::{Scanned, SheetRead, scan, sheet};

use crate::diag::Text;
use std::sync::Arc;

/// Why the dedicated reader does not read a workbook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// Not an xlsx package — not a zip archive, or one without
    /// `xl/workbook.xml` (an ods, an xlsb, a Word document): another reader
    /// may know it.
    Foreign(String),
    /// A part is bigger than any filing needs (see `limits`), said in
    /// both languages.
    TooLarge(Text),
    /// A part does not hold what it must — damaged, cut short, or made to
    /// mislead —, said in both languages.
    Damaged(Text),
}

/// A part of the workbook, as messages name it.
#[derive(Debug, Clone)]
pub(crate) enum Part {
    /// A worksheet, by its name.
    Sheet(Arc<str>),
    /// The shared strings table.
    Strings,
    /// Another part, by its path in the archive.
    Path(String),
    /// The workbook as a whole.
    Workbook,
}

impl Part {
    /// `what` said of this part.
    fn says(&self, what: Text) -> Text {
        match self {
            Part::Sheet(name) => Text::new(
                format!("工作表“{name}”{}", what.zh),
                format!("sheet `{name}` {}", what.en),
            ),
            Part::Strings => Text::new(
                format!("共享字符串表{}", what.zh),
                format!("the shared strings table {}", what.en),
            ),
            Part::Path(p) => Text::new(
                format!("工作簿中的 {p} {}", what.zh),
                format!("part {p} of the workbook {}", what.en),
            ),
            Part::Workbook => Text::new(
                format!("工作簿{}", what.zh),
                format!("the workbook {}", what.en),
            ),
        }
    }

    pub(crate) fn damaged(&self, what: Text) -> Error {
        Error::Damaged(self.says(what))
    }

    pub(crate) fn too_large(&self, what: Text) -> Error {
        Error::TooLarge(self.says(what))
    }

    /// The part inflates to more than `limit` bytes.
    pub(crate) fn inflates_past(&self, limit: u64) -> Error {
        let mb = super::limits::mb(limit);
        self.too_large(crate::text!(
            "解压后超过 {mb} MB，远超任何填报表所需（可能是压缩炸弹）",
            "inflates to over {mb} MB, far more than any filing needs (perhaps a zip bomb)"
        ))
    }

    /// The part cannot be inflated: a damaged archive.
    pub(crate) fn unreadable(&self, e: &dyn std::fmt::Display) -> Error {
        self.damaged(crate::text!(
            "无法解压（数据损坏：{e}）",
            "cannot be inflated (damaged data: {e})"
        ))
    }
}

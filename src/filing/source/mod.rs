//! Loading a filing's sheets into plain grids of text cells: an xlsx
//! workbook through yima's own reader ([`super::xlsx`]), xls, xlsb and ods
//! through calamine ([`with_calamine`]) once they pass the checks of
//! [`guard`], CSV files in UTF-8 or GB18030/GBK ([`csv`]) — every file read
//! as untrusted input ([`file`]). Why a file cannot be read is a
//! [`ReadError`]. Nothing here knows the standard; it only turns bytes into
//! cells.

mod csv;
mod error;
mod file;
mod guard;
mod with_calamine;

pub use super::grid::{Grid, GridRow, RawCell, float_text};
pub use csv::{decode, read_csv};
pub use error::ReadError;
pub use file::read_bytes;
pub use with_calamine::cell_text;

use super::grid::fill_merges;
use super::xlsx;
use calamine::{Reader, Sheets};
use std::path::Path;
use std::sync::Arc;
use with_calamine::{grid_from_range, merged_regions, open, stream_sheet, xlsb_sheet};

/// A workbook's bytes, opened once to learn its format and sheets. Sheets
/// are read on demand: the first rows of each (to find the filing's sheets),
/// then the chosen ones in full — an xlsx sheet by the dedicated reader,
/// other formats through calamine once they have passed the checks of
/// [`guard`].
pub struct Book {
    bytes: Vec<u8>,
    path: std::path::PathBuf,
    display: Arc<str>,
    names: Vec<String>,
    /// An xlsx workbook the dedicated reader reads ([`super::xlsx`]).
    fast: Option<xlsx::Index>,
    /// Formats other than xlsx are read whole at open (they are small).
    whole: Option<Vec<Grid>>,
}

impl From<xlsx::Error> for ReadError {
    fn from(e: xlsx::Error) -> ReadError {
        match e {
            xlsx::Error::Foreign(detail) => ReadError::NotWorkbook {
                kind: crate::filing::sniff::FileKind::Unknown,
                detail,
            },
            xlsx::Error::TooLarge(t) => ReadError::TooLarge(t),
            xlsx::Error::Damaged(t) => ReadError::Damaged(t),
        }
    }
}

impl Book {
    /// Opens a workbook. The format is taken from the content, so a renamed
    /// file (an `.xls` saved as `.xlsx`) is still read. An xlsx package is
    /// the dedicated reader's alone: whatever is wrong with it is said as
    /// it finds it.
    pub fn open(path: &Path, display: &Arc<str>) -> Result<Book, ReadError> {
        Book::open_bytes(read_bytes(path)?, path, display)
    }

    /// Opens a workbook already in memory (an upload, a fuzzer's input);
    /// `path` is its name, whose extension tells calamine which format to
    /// try first.
    pub fn open_bytes(bytes: Vec<u8>, path: &Path, display: &Arc<str>) -> Result<Book, ReadError> {
        if bytes.is_empty() {
            return Err(ReadError::Empty);
        }
        match xlsx::index(&bytes) {
            Ok(index) => Ok(Book {
                names: index.sheets.iter().map(|(n, _)| n.clone()).collect(),
                fast: Some(index),
                bytes,
                path: path.to_path_buf(),
                display: display.clone(),
                whole: None,
            }),
            Err(xlsx::Error::Foreign(_)) => Book::from_bytes(bytes, path, display),
            Err(e) => Err(e.into()),
        }
    }

    /// Opens a workbook through calamine alone, never the dedicated xlsx
    /// reader: what the two readers give is compared in the tests.
    pub fn open_with_calamine(path: &Path, display: &Arc<str>) -> Result<Book, ReadError> {
        Book::from_bytes(read_bytes(path)?, path, display)
    }

    /// [`Book::open_with_calamine`] for a workbook in memory.
    pub fn open_bytes_with_calamine(
        bytes: Vec<u8>,
        path: &Path,
        display: &Arc<str>,
    ) -> Result<Book, ReadError> {
        Book::from_bytes(bytes, path, display)
    }

    fn from_bytes(bytes: Vec<u8>, path: &Path, display: &Arc<str>) -> Result<Book, ReadError> {
        guard::check(&bytes)?;
        let (names, whole) = guard::guarded(|| {
            let mut book = open(&bytes, path)?;
            let names = book.sheet_names();
            let whole = match &mut book {
                Sheets::Xlsx(_) => None,
                Sheets::Xlsb(x) => Some(
                    names
                        .iter()
                        .map(|n| xlsb_sheet(x, display, n))
                        .collect::<Result<Vec<_>, _>>()?,
                ),
                _ => {
                    let mut grids = Vec::with_capacity(names.len());
                    for name in &names {
                        let range = book.worksheet_range(name).map_err(|e| ReadError::Sheet {
                            sheet: name.clone(),
                            detail: e.to_string(),
                        })?;
                        let merges = merged_regions(&mut book, name);
                        grids.push(grid_from_range(
                            display.clone(),
                            Arc::from(name.as_str()),
                            &range,
                            &merges,
                        )?);
                    }
                    Some(grids)
                }
            };
            Ok((names, whole))
        })?;
        Ok(Book {
            bytes,
            path: path.to_path_buf(),
            display: display.clone(),
            names,
            fast: None,
            whole,
        })
    }

    /// Whether the dedicated xlsx reader reads this workbook.
    pub fn reads_fast(&self) -> bool {
        self.fast.is_some()
    }

    pub fn sheet_names(&self) -> &[String] {
        &self.names
    }

    /// The first `rows` rows of every sheet.
    pub fn heads(&self, rows: u32) -> Result<Vec<Grid>, ReadError> {
        if let Some(whole) = &self.whole {
            return Ok(whole
                .iter()
                .map(|g| Grid {
                    rows: g
                        .rows
                        .iter()
                        .take_while(|r| r.number <= rows)
                        .cloned()
                        .collect(),
                    ..g.clone()
                })
                .collect());
        }
        if let Some(index) = &self.fast {
            return (0..self.names.len())
                .map(|i| {
                    xlsx::sheet(&self.bytes, index, i, &self.display, Some(rows))
                        .map(|s| s.grid)
                        .map_err(ReadError::from)
                })
                .collect();
        }
        guard::guarded(|| {
            let mut book = open(&self.bytes, &self.path)?;
            let Sheets::Xlsx(x) = &mut book else {
                unreachable!("non-xlsx books are read whole")
            };
            self.names
                .iter()
                .map(|n| stream_sheet(x, &self.display, n, Some(rows), false))
                .collect()
        })
    }

    /// Streams the rows of sheet `index` through `on_row` (false stops)
    /// when the dedicated reader reads the workbook; None when it does not
    /// (read the sheet with [`Book::sheet`] then). Merged cells are not
    /// filled: the caller looks at the merged regions returned.
    pub fn stream(
        &self,
        index: usize,
        on_row: &mut dyn FnMut(xlsx::Scanned<'_>) -> bool,
    ) -> Option<Result<Vec<calamine::Dimensions>, ReadError>> {
        let fast = self.fast.as_ref()?;
        Some(xlsx::scan(&self.bytes, fast, index, None, on_row).map_err(ReadError::from))
    }

    /// One sheet in full, vertical merges filled down.
    pub fn sheet(&self, index: usize) -> Result<Grid, ReadError> {
        if let Some(whole) = &self.whole {
            return Ok(whole[index].clone());
        }
        if let Some(fast) = &self.fast {
            let read = xlsx::sheet(&self.bytes, fast, index, &self.display, None)?;
            let mut grid = read.grid;
            fill_merges(&mut grid, &read.merges).map_err(ReadError::Damaged)?;
            return Ok(grid);
        }
        guard::guarded(|| {
            let mut book = open(&self.bytes, &self.path)?;
            let Sheets::Xlsx(x) = &mut book else {
                unreachable!("non-xlsx books are read whole")
            };
            stream_sheet(x, &self.display, &self.names[index], None, true)
        })
    }
}

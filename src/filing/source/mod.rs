//! Loading a filing's sheets into plain grids of text cells: an xlsx
//! workbook through yima's own reader ([`super::xlsx`]), xls, xlsb and ods
//! through calamine ([`with_calamine`]) once they pass the checks of
//! [`guard`], CSV files in UTF-8 or GB18030/GBK ([`csv`]) — every file read
//! as untrusted input ([`file`]). Why a file cannot be read is a
//! [`ReadError`]. Nothing here knows the standard; it only turns bytes into
//! cells.

mod csv;
mod file;
mod guard;
mod with_calamine;

pub use super::grid::{Grid, GridRow, RawCell, float_text};
pub use csv::{decode, read_csv};
pub use file::read_bytes;
pub use with_calamine::cell_text;

use super::grid::fill_merges;
use super::xlsx;
use calamine::{Reader, Sheets};
use std::path::Path;
use std::sync::Arc;
use with_calamine::{grid_from_range, merged_regions, open, stream_sheet, xlsb_sheet};

/// Why a file could not be read as a filing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    /// The file has no bytes.
    #[error("file is empty")]
    Empty,
    /// The workbook is encrypted.
    #[error("workbook is password protected")]
    Password,
    /// Not a workbook of any kind calamine reads.
    #[error("not a workbook: {0}")]
    NotWorkbook(String),
    /// A sheet could not be decoded.
    #[error("sheet {sheet}: {message}")]
    Sheet { sheet: String, message: String },
    /// A CSV file whose text is neither UTF-8 nor GB18030.
    #[error("text is neither UTF-8 nor GB18030")]
    Encoding,
    /// A malformed CSV file.
    #[error("CSV: {0}")]
    Csv(String),
    /// The file could not be opened.
    #[error("{0}")]
    Io(String),
    /// Not a regular file (a pipe, a device, a folder), as said in both
    /// languages: only regular files are read.
    #[error("not a regular file: {}", .0.en)]
    NotAFile(crate::diag::Text),
    /// A folder that cannot be listed.
    #[error("the folder cannot be read: {0}")]
    Folder(String),
    /// Bigger than any filing (see `limits`): what and how, in both
    /// languages.
    #[error("{}", .0.en)]
    TooLarge(crate::diag::Text),
    /// Damaged content: what and where, in both languages.
    #[error("{}", .0.en)]
    Damaged(crate::diag::Text),
}

impl ReadError {
    /// What to tell the user, in both languages.
    pub fn describe(&self) -> crate::diag::Text {
        use crate::text;
        match self {
            ReadError::Empty => text!(
                "文件为空（0 字节），不是有效的填报表",
                "the file is empty (0 bytes)"
            ),
            ReadError::Password => text!(
                "工作簿设置了密码保护，无法读取",
                "the workbook is password protected and cannot be read"
            ),
            ReadError::NotWorkbook(m) => text!(
                "不是可读取的工作簿（文件损坏，或扩展名与实际格式不符）：{m}",
                "not a readable workbook (corrupt, or its extension does not match its format): {m}"
            ),
            ReadError::Sheet { sheet, message } => {
                text!(
                    "工作表“{sheet}”无法读取：{message}",
                    "sheet `{sheet}` cannot be read: {message}"
                )
            }
            ReadError::Encoding => text!(
                "CSV 文件的编码无法识别（应为 UTF-8 或 GBK/GB18030）",
                "the CSV text is neither UTF-8 nor GBK/GB18030"
            ),
            ReadError::Csv(m) => text!("CSV 文件格式错误：{m}", "malformed CSV: {m}"),
            ReadError::Io(m) => text!("文件无法打开：{m}", "the file cannot be opened: {m}"),
            ReadError::NotAFile(kind) => {
                let (zh, en) = (&kind.zh, &kind.en);
                text!(
                    "不是普通文件（{zh}），不予读取",
                    "not a regular file ({en}): not read"
                )
            }
            ReadError::Folder(m) => text!("文件夹无法读取：{m}", "the folder cannot be read: {m}"),
            ReadError::TooLarge(t) | ReadError::Damaged(t) => t.clone(),
        }
    }
}

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
            xlsx::Error::Foreign(m) => ReadError::NotWorkbook(m),
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
                            message: e.to_string(),
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

//! Loading a filing's sheets into plain grids of text cells: workbooks through
//! calamine (xlsx, xlsm, xls, xlsb, ods), CSV files in UTF-8 or GB18030/GBK.
//! Nothing here knows the standard; it only turns bytes into cells.

use super::limits;
use super::{foreign, xlsx};
use crate::text;
use calamine::{Data, Reader, Sheets};
use std::io::{Cursor, Read};
use std::path::Path;
use std::sync::Arc;

pub use super::grid::{Grid, GridRow, RawCell, float_text};

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
/// [`foreign`].
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
        foreign::check(&bytes)?;
        let (names, whole) = foreign::guarded(|| {
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
        foreign::guarded(|| {
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
            fill_merges(&mut grid, &read.merges)?;
            return Ok(grid);
        }
        foreign::guarded(|| {
            let mut book = open(&self.bytes, &self.path)?;
            let Sheets::Xlsx(x) = &mut book else {
                unreachable!("non-xlsx books are read whole")
            };
            stream_sheet(x, &self.display, &self.names[index], None, true)
        })
    }
}

/// A file's bytes, when it is a regular file (or a link to one) of at most
/// [`limits::FILE_BYTES`]; none is an error of its own. A pipe, a device or
/// a folder is never opened for reading: a pipe would wait for a writer
/// forever, a device such as `/dev/zero` never end.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, ReadError> {
    let io = |e: std::io::Error| ReadError::Io(e.to_string());
    let meta = std::fs::metadata(path).map_err(io)?;
    regular(path, &meta)?;
    let mut file = open_file(path).map_err(io)?;
    // (The file opened is checked again: it may have been swapped since.)
    let meta = file.metadata().map_err(io)?;
    regular(path, &meta)?;
    let mut bytes = Vec::with_capacity(meta.len().min(limits::FILE_BYTES) as usize);
    (&mut file)
        .take(limits::FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > limits::FILE_BYTES {
        return Err(too_big());
    }
    if bytes.is_empty() {
        return Err(ReadError::Empty);
    }
    Ok(bytes)
}

/// The file is over [`limits::FILE_BYTES`].
fn too_big() -> ReadError {
    let mb = limits::mb(limits::FILE_BYTES);
    ReadError::TooLarge(text!(
        "文件超过 {mb} MB，超出任何填报表的大小",
        "the file is over {mb} MB, bigger than any filing"
    ))
}

/// Whether `meta` is a regular file's of at most the size limit; else
/// what it is.
fn regular(path: &Path, meta: &std::fs::Metadata) -> Result<(), ReadError> {
    let ty = meta.file_type();
    if ty.is_file() {
        return if meta.len() > limits::FILE_BYTES {
            Err(too_big())
        } else {
            Ok(())
        };
    }
    if ty.is_dir() {
        // A folder is handed over as an input only when it cannot be
        // listed (see `filing::discover`): say why.
        return Err(match std::fs::read_dir(path) {
            Err(e) => ReadError::Folder(e.to_string()),
            Ok(_) => ReadError::NotAFile(text!("是文件夹", "a folder")),
        });
    }
    Err(ReadError::NotAFile(special_kind(&ty)))
}

/// What a file that is neither a regular file nor a folder is.
fn special_kind(ty: &std::fs::FileType) -> crate::diag::Text {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ty.is_fifo() {
            return text!("是命名管道", "a named pipe");
        }
        if ty.is_socket() {
            return text!("是套接字", "a socket");
        }
        if ty.is_block_device() || ty.is_char_device() {
            return text!("是设备", "a device");
        }
    }
    let _ = ty;
    text!("是特殊文件", "a special file")
}

/// Opens a file for reading; on Unix without waiting, should it have
/// become a pipe since it was looked at.
fn open_file(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        use std::os::unix::fs::OpenOptionsExt;
        const O_NONBLOCK: i32 = 0o4000;
        options.custom_flags(O_NONBLOCK);
    }
    #[cfg(target_os = "macos")]
    {
        use std::os::unix::fs::OpenOptionsExt;
        const O_NONBLOCK: i32 = 0x0004;
        options.custom_flags(O_NONBLOCK);
    }
    options.open(path)
}

/// Rows of cells as a calamine reader gives them, one at a time and in any
/// order, gathered into a sheet's rows: in order, a row given twice merged,
/// the cells held bounded by the filled ones ([`limits::grid_cells`]).
#[derive(Default)]
struct Rows {
    rows: Vec<GridRow>,
    in_order: bool,
    held: u64,
    filled: u64,
}

impl Rows {
    fn new() -> Rows {
        Rows {
            in_order: true,
            ..Rows::default()
        }
    }

    /// Adds cell (`r`, `c`) (0-based) of sheet `sheet`.
    fn add(&mut self, sheet: &str, r: u32, c: u32, raw: RawCell) -> Result<(), ReadError> {
        if raw.text.is_empty() {
            return Ok(());
        }
        if r >= limits::ROWS || c >= limits::COLUMNS {
            return Err(far_cell(sheet));
        }
        let number = r + 1;
        if self.rows.last().is_none_or(|last| last.number != number) {
            self.in_order &= self.rows.last().is_none_or(|last| last.number < number);
            self.rows.push(GridRow {
                number,
                cells: Vec::new(),
                lines: Vec::new(),
            });
        }
        let row = self.rows.last_mut().expect("just pushed");
        let c = c as usize;
        if row.cells.len() <= c {
            self.held += (c + 1 - row.cells.len()) as u64;
            row.cells.resize(c + 1, RawCell::default());
        }
        self.filled += 1;
        if self.held > limits::grid_cells(self.filled) {
            return Err(far_cell(sheet));
        }
        row.cells[c] = raw;
        Ok(())
    }

    /// The rows, in order.
    fn finish(mut self) -> Vec<GridRow> {
        if !self.in_order {
            self.rows.sort_by_key(|r| r.number);
            self.rows.dedup_by(|later, kept| {
                if later.number != kept.number {
                    return false;
                }
                for (c, cell) in std::mem::take(&mut later.cells).into_iter().enumerate() {
                    if !cell.text.is_empty() {
                        if kept.cells.len() <= c {
                            kept.cells.resize(c + 1, RawCell::default());
                        }
                        kept.cells[c] = cell;
                    }
                }
                true
            });
        }
        self.rows
    }
}

/// A sheet whose cells lie far beyond its content.
fn far_cell(sheet: &str) -> ReadError {
    ReadError::TooLarge(text!(
        "工作表“{sheet}”的单元格位置远超其内容（如极远的列或行），不像填报表",
        "sheet `{sheet}` places its cells far beyond its content (far columns or rows), unlike any filing"
    ))
}

/// Reads an xlsx sheet with calamine's streaming cell reader, up to row
/// `limit`.
fn stream_sheet(
    x: &mut calamine::Xlsx<Cursor<&[u8]>>,
    display: &Arc<str>,
    name: &str,
    limit: Option<u32>,
    merges: bool,
) -> Result<Grid, ReadError> {
    let err = |e: calamine::XlsxError| ReadError::Sheet {
        sheet: name.to_string(),
        message: e.to_string(),
    };
    let mut rows = Rows::new();
    {
        let mut reader = x.worksheet_cells_reader(name).map_err(err)?;
        while let Some(cell) = reader.next_cell().map_err(err)? {
            let (r, c) = cell.get_position();
            if limit.is_some_and(|l| r + 1 > l) {
                break;
            }
            rows.add(name, r, c, cell_ref_text(cell.get_value()))?;
        }
    }
    let mut grid = Grid {
        file: display.clone(),
        name: Arc::from(name),
        rows: rows.finish(),
        yaml: false,
    };
    if merges {
        let regions = x.merge_cells_by_sheet_name(name).unwrap_or_default();
        fill_merges(&mut grid, &regions)?;
    }
    Ok(grid)
}

/// Reads an xlsb sheet with calamine's streaming cell reader: a range
/// would be as big as the cells' far corner claims.
fn xlsb_sheet(
    x: &mut calamine::Xlsb<Cursor<&[u8]>>,
    display: &Arc<str>,
    name: &str,
) -> Result<Grid, ReadError> {
    let err = |e: calamine::XlsbError| ReadError::Sheet {
        sheet: name.to_string(),
        message: e.to_string(),
    };
    let mut rows = Rows::new();
    {
        let mut reader = x.worksheet_cells_reader(name).map_err(err)?;
        while let Some(cell) = reader.next_cell().map_err(err)? {
            let (r, c) = cell.get_position();
            rows.add(name, r, c, cell_ref_text(cell.get_value()))?;
        }
    }
    Ok(Grid {
        file: display.clone(),
        name: Arc::from(name),
        rows: rows.finish(),
        yaml: false,
    })
}

/// The text of a streamed cell, as [`cell_text`] gives it.
fn cell_ref_text(d: &calamine::DataRef<'_>) -> RawCell {
    use calamine::DataRef;
    match d {
        DataRef::SharedString(s) => RawCell::text((*s).to_string()),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => {
            RawCell::text(s.clone())
        }
        DataRef::Int(i) => RawCell::number(i.to_string()),
        DataRef::Float(f) => RawCell::number(float_text(*f)),
        DataRef::Bool(b) => RawCell::text(if *b { "TRUE" } else { "FALSE" }.to_string()),
        DataRef::DateTime(dt) => RawCell::number(float_text(dt.as_f64())),
        DataRef::Error(e) => RawCell::text(e.to_string()),
        DataRef::Empty => RawCell::default(),
    }
}

/// Vertically merged cells give their value to every row they cover that
/// the sheet has (a row with nothing of its own stays blank, however far a
/// merge reaches), rows looked up by number. Merges are walked row by row
/// from the region's first row actually held, so the work is the cells
/// they fill; overlapping merges, which Excel never writes, would fill a
/// cell more than once — past the cells held, the sheet is damaged.
pub(crate) fn fill_merges(
    grid: &mut Grid,
    merges: &[calamine::Dimensions],
) -> Result<(), ReadError> {
    let mut held: u64 = grid.rows.iter().map(|r| r.cells.len() as u64).sum();
    let filled: u64 = grid
        .rows
        .iter()
        .map(|r| r.cells.iter().filter(|c| !c.text.is_empty()).count() as u64)
        .sum();
    let budget = limits::grid_cells(filled);
    let mut work = 0u64;
    for m in merges {
        let (r0, c0) = m.start;
        let (r1, _) = m.end;
        if r1 <= r0 || c0 >= limits::COLUMNS {
            continue;
        }
        let top = r0 + 1;
        let Ok(at) = grid.rows.binary_search_by_key(&top, |r| r.number) else {
            continue;
        };
        let Some(value) = grid.rows[at].cell(c0).cloned() else {
            continue;
        };
        let last = r1.saturating_add(1);
        let c = c0 as usize;
        for row in grid.rows[at + 1..]
            .iter_mut()
            .take_while(|r| r.number <= last)
        {
            work += 1;
            if row.cells.len() <= c {
                held += (c + 1 - row.cells.len()) as u64;
                row.cells.resize(c + 1, RawCell::default());
            }
            if held.max(work) > budget {
                let sheet = &grid.name;
                return Err(ReadError::Damaged(text!(
                    "工作表“{sheet}”的合并单元格相互重叠或远超其内容，不像填报表",
                    "sheet `{sheet}` has merged cells that overlap or reach far beyond its content, unlike any filing"
                )));
            }
            if row.cells[c].text.is_empty() {
                row.cells[c] = value.clone();
            }
        }
    }
    Ok(())
}

fn open<'b>(bytes: &'b [u8], path: &Path) -> Result<Sheets<Cursor<&'b [u8]>>, ReadError> {
    use calamine::{Ods, Xls, Xlsb, Xlsx, open_workbook_from_rs};
    // A zip archive is taken for what it holds, whatever its name: an
    // xlsx package reaches calamine only to compare the two readers (the
    // dedicated reader reads every one it can index), and a package that
    // is none of the three is no workbook.
    // (A zip archive that cannot be opened is left to calamine below, to
    // say so as it does.)
    if bytes.starts_with(b"PK\x03\x04")
        && let Ok(zip) = zip::ZipArchive::new(Cursor::new(bytes))
    {
        let has = |name: &str| zip.index_for_name(name).is_some();
        let err = |e: calamine::Error| classify(e);
        return if has("content.xml") {
            open_workbook_from_rs::<Ods<_>, _>(Cursor::new(bytes))
                .map(Sheets::Ods)
                .map_err(|e| err(calamine::Error::Ods(e)))
        } else if has("xl/workbook.bin") {
            open_workbook_from_rs::<Xlsb<_>, _>(Cursor::new(bytes))
                .map(Sheets::Xlsb)
                .map_err(|e| err(calamine::Error::Xlsb(e)))
        } else if has("xl/workbook.xml") {
            open_workbook_from_rs::<Xlsx<_>, _>(Cursor::new(bytes))
                .map(Sheets::Xlsx)
                .map_err(|e| err(calamine::Error::Xlsx(e)))
        } else {
            Err(ReadError::NotWorkbook(
                "a zip archive holding no xlsx, xlsb or ods workbook".into(),
            ))
        };
    }
    let by_ext = match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("xls") => open_workbook_from_rs::<Xls<_>, _>(Cursor::new(bytes))
            .map(Sheets::Xls)
            .map_err(|e| classify(calamine::Error::Xls(e))),
        Some("xlsx" | "xlsm") => open_workbook_from_rs::<Xlsx<_>, _>(Cursor::new(bytes))
            .map(Sheets::Xlsx)
            .map_err(|e| classify(calamine::Error::Xlsx(e))),
        Some("xlsb") => open_workbook_from_rs::<Xlsb<_>, _>(Cursor::new(bytes))
            .map(Sheets::Xlsb)
            .map_err(|e| classify(calamine::Error::Xlsb(e))),
        Some("ods") => open_workbook_from_rs::<Ods<_>, _>(Cursor::new(bytes))
            .map(Sheets::Ods)
            .map_err(|e| classify(calamine::Error::Ods(e))),
        _ => Err(ReadError::NotWorkbook("unknown extension".into())),
    };
    match by_ext {
        Ok(book) => Ok(book),
        Err(ReadError::Password) => Err(ReadError::Password),
        Err(first) => calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| {
            match classify(e) {
                ReadError::Password => ReadError::Password,
                _ => first,
            }
        }),
    }
}

fn classify(e: calamine::Error) -> ReadError {
    let password = matches!(
        &e,
        calamine::Error::Xlsx(calamine::XlsxError::Password)
            | calamine::Error::Xls(calamine::XlsError::Password)
    );
    if password || e.to_string().to_lowercase().contains("password") {
        ReadError::Password
    } else {
        ReadError::NotWorkbook(e.to_string())
    }
}

fn merged_regions(book: &mut Sheets<Cursor<&[u8]>>, name: &str) -> Vec<calamine::Dimensions> {
    match book {
        Sheets::Xlsx(x) => x.merge_cells_by_sheet_name(name).unwrap_or_default(),
        #[allow(deprecated)] // the Xls reader has no newer name for it
        Sheets::Xls(x) => x.worksheet_merge_cells(name).unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// Turns a calamine range into a grid with absolute row numbers and column
/// indexes. Vertically merged cells (an agency merged over many rows) give
/// their value to every row they cover; horizontal merges (titles, notes) stay
/// in their first cell.
fn grid_from_range(
    file: Arc<str>,
    name: Arc<str>,
    range: &calamine::Range<Data>,
    merges: &[calamine::Dimensions],
) -> Result<Grid, ReadError> {
    let (row0, col0) = range.start().unwrap_or((0, 0));
    let rows: Vec<GridRow> = range
        .rows()
        .enumerate()
        .map(|(i, cells)| {
            let mut out = vec![RawCell::default(); col0 as usize];
            out.extend(cells.iter().map(cell_text));
            while out.last().is_some_and(|c| c.text.is_empty()) {
                out.pop();
            }
            GridRow {
                number: row0 + i as u32 + 1,
                cells: out,
                lines: Vec::new(),
            }
        })
        .collect();
    let mut grid = Grid {
        file,
        name,
        rows,
        yaml: false,
    };
    fill_merges(&mut grid, merges)?;
    Ok(grid)
}

/// The text of a cell. Integral floats lose their fraction; a float too large
/// to be exact (an 18-digit code typed into a numeric cell) is written out in
/// full so the check can say that digits were lost.
pub fn cell_text(d: &Data) -> RawCell {
    match d {
        Data::Empty => RawCell::default(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => RawCell::text(s.clone()),
        Data::Int(i) => RawCell::number(i.to_string()),
        Data::Float(f) => RawCell::number(float_text(*f)),
        Data::Bool(b) => RawCell::text(if *b { "TRUE" } else { "FALSE" }.to_string()),
        Data::DateTime(dt) => RawCell::number(float_text(dt.as_f64())),
        Data::Error(e) => RawCell::text(e.to_string()),
    }
}

/// Reads a CSV file, detecting its encoding (UTF-8 with or without BOM,
/// UTF-16 with BOM, else GB18030, which covers GBK).
pub fn read_csv(path: &Path, display: &Arc<str>, sheet: &str) -> Result<Grid, ReadError> {
    let bytes = read_bytes(path)?;
    let text = decode(&bytes)?;
    drop(bytes);
    if widest_record(&text) > limits::COLUMNS as usize {
        let most = limits::COLUMNS;
        return Err(ReadError::TooLarge(text!(
            "CSV 文件有一行超过 {most} 列，超出任何填报表",
            "a line of the CSV file has more than {most} fields, more than any filing"
        )));
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    // Cells held (each row up to its last filled one) and filled: a row of
    // a million commas holds nothing.
    let (mut held, mut filled) = (0u64, 0u64);
    for (i, rec) in reader.records().enumerate() {
        let rec = rec.map_err(|e| ReadError::Csv(e.to_string()))?;
        let used = (0..rec.len())
            .rev()
            .find(|&i| !rec[i].is_empty())
            .map_or(0, |i| i + 1);
        held += used as u64;
        filled += rec.iter().filter(|t| !t.is_empty()).count() as u64;
        if held > limits::grid_cells(filled) {
            return Err(far_cell(sheet));
        }
        let cells: Vec<RawCell> = rec
            .iter()
            .take(used)
            .map(|t| RawCell::text(t.to_string()))
            .collect();
        rows.push(GridRow {
            number: i as u32 + 1,
            cells,
            lines: Vec::new(),
        });
    }
    Ok(Grid {
        file: display.clone(),
        name: Arc::from(sheet),
        rows,
        yaml: false,
    })
}

/// The most fields a record of CSV `text` has (commas outside quotes, and
/// one): looked at before the CSV reader, which holds a record's fields
/// whole.
fn widest_record(text: &str) -> usize {
    let (mut widest, mut fields, mut quoted) = (0, 1, false);
    for b in text.bytes() {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => fields += 1,
            b'\n' if !quoted => {
                widest = widest.max(fields);
                fields = 1;
            }
            _ => {}
        }
    }
    widest.max(fields)
}

/// Decodes CSV bytes.
pub fn decode(bytes: &[u8]) -> Result<String, ReadError> {
    if let Some((enc, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, had_errors) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        return if had_errors {
            Err(ReadError::Encoding)
        } else {
            Ok(text.into_owned())
        };
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok(s.to_string());
    }
    let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
    if had_errors || text.contains('\0') {
        Err(ReadError::Encoding)
    } else {
        Ok(text.into_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_people_typed_them() {
        assert_eq!(cell_text(&Data::Float(20.0)).text, "20");
        assert_eq!(cell_text(&Data::Float(2.5)).text, "2.5");
        assert_eq!(cell_text(&Data::Int(7)).text, "7");
        // An 18-digit code in a numeric cell keeps all the digits the float has.
        let lost = cell_text(&Data::Float(114507210081153718.0));
        assert!(lost.numeric);
        assert_eq!(lost.text.len(), 18);
        assert_ne!(lost.text, "114507210081153718");
    }

    #[test]
    fn the_widest_record_counts_commas_outside_quotes() {
        assert_eq!(widest_record("a,b\nc"), 2);
        assert_eq!(widest_record("\"a,\nb\",c,d\n"), 3);
        assert_eq!(widest_record(""), 1);
    }

    #[test]
    fn decodes_utf8_bom_and_gbk() {
        assert_eq!(
            decode("\u{feff}序号,事项名称".as_bytes()).unwrap(),
            "序号,事项名称"
        );
        let (gbk, _, _) = encoding_rs::GBK.encode("序号,事项名称");
        assert_eq!(decode(&gbk).unwrap(), "序号,事项名称");
        assert_eq!(decode(b"\xff\xff\xff\x81"), Err(ReadError::Encoding));
    }
}

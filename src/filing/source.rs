//! Loading a filing's sheets into plain grids of text cells: workbooks through
//! calamine (xlsx, xlsm, xls, xlsb, ods), CSV files in UTF-8 or GB18030/GBK.
//! Nothing here knows the standard; it only turns bytes into cells.

use super::sniff::FileKind;
use calamine::{Data, Reader, Sheets};
use std::io::Cursor;
use std::path::Path;
use std::sync::Arc;

/// One cell as read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawCell {
    /// The text, with integral numbers written without a fraction (`20.0` → `20`).
    pub text: String,
    /// The cell held a number, not text.
    pub numeric: bool,
    /// The index of the workbook's shared string the text is, when it is
    /// one: cells of a sheet with the same index hold the same text, so what
    /// is worked out from one holds for all (see `cells::Memo`).
    pub shared: Option<u32>,
}

impl RawCell {
    /// A cell of text.
    pub fn text(text: String) -> RawCell {
        RawCell {
            text,
            ..RawCell::default()
        }
    }

    /// A cell that held a number, written as text.
    pub fn number(text: String) -> RawCell {
        RawCell {
            text,
            numeric: true,
            shared: None,
        }
    }
}

/// One row of a sheet.
#[derive(Debug, Clone, Default)]
pub struct GridRow {
    /// The row number Excel shows (1-based).
    pub number: u32,
    /// Cells by 0-based column index.
    pub cells: Vec<RawCell>,
    /// For a catalog file read as a row: the YAML line of each cell.
    pub lines: Vec<u32>,
}

impl GridRow {
    pub fn cell(&self, col: u32) -> Option<&RawCell> {
        self.cells.get(col as usize)
    }

    pub fn text(&self, col: u32) -> &str {
        self.cell(col).map_or("", |c| c.text.as_str())
    }

    pub fn is_blank(&self) -> bool {
        self.cells.iter().all(|c| c.text.trim().is_empty())
    }
}

/// A sheet: its file (a CSV pair has two), its name and its rows.
#[derive(Debug, Clone)]
pub struct Grid {
    pub file: Arc<str>,
    pub name: Arc<str>,
    pub rows: Vec<GridRow>,
    /// The grid was made from a catalog YAML file: places are file:line.
    pub yaml: bool,
}

/// Why a file could not be read as a filing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    /// The file has no bytes.
    #[error("file is empty")]
    Empty,
    /// The workbook is encrypted.
    #[error("workbook is password protected")]
    Password,
    /// Not a workbook yima reads: what the file is instead, and the
    /// reader's own words (shown in English only).
    #[error("not a workbook ({kind:?}): {detail}")]
    NotWorkbook { kind: FileKind, detail: String },
    /// A sheet could not be decoded.
    #[error("sheet {sheet}: {detail}")]
    Sheet { sheet: String, detail: String },
    /// A CSV file whose text is neither UTF-8 nor GB18030.
    #[error("text is neither UTF-8 nor GB18030")]
    Encoding,
    /// A malformed CSV file, at a line when known.
    #[error("CSV: {detail}")]
    Csv { line: Option<u64>, detail: String },
    /// The file could not be opened.
    #[error("{detail}")]
    Io {
        kind: std::io::ErrorKind,
        detail: String,
    },
}

impl ReadError {
    /// A file that is not a workbook yima reads, told by its bytes.
    pub fn not_workbook(bytes: &[u8], detail: impl Into<String>) -> ReadError {
        match super::sniff::sniff(bytes) {
            FileKind::Encrypted => ReadError::Password,
            kind => ReadError::NotWorkbook {
                kind,
                detail: detail.into(),
            },
        }
    }

    /// What to tell the user, in both languages: what the file is, in the
    /// user's words — never a library's English error in Chinese mode.
    pub fn describe(&self) -> crate::diag::Text {
        use crate::text;
        match self {
            ReadError::Empty => text!(
                "文件为空（0 字节），不是有效的填报表",
                "the file is empty (0 bytes)"
            ),
            ReadError::Password => text!(
                "工作簿设置了打开密码（已加密），无法读取",
                "the workbook is password protected (encrypted) and cannot be read"
            ),
            ReadError::NotWorkbook { kind, detail } => describe_kind(kind, detail),
            ReadError::Sheet { sheet, detail } => text!(
                "工作表“{sheet}”已损坏，无法读取",
                "sheet `{sheet}` cannot be read: {detail}"
            ),
            ReadError::Encoding => text!(
                "CSV 文件的编码无法识别（应为 UTF-8 或 GBK/GB18030）",
                "the CSV text is neither UTF-8 nor GBK/GB18030"
            ),
            ReadError::Csv {
                line: Some(line),
                detail,
            } => text!(
                "CSV 文件第 {line} 行格式错误，无法读取",
                "malformed CSV at line {line}: {detail}"
            ),
            ReadError::Csv { line: None, detail } => {
                text!("CSV 文件格式错误，无法读取", "malformed CSV: {detail}")
            }
            ReadError::Io { kind, detail } => {
                use std::io::ErrorKind as K;
                let zh = match kind {
                    K::NotFound => "文件不存在（可能已被移动或删除）",
                    K::PermissionDenied => {
                        "没有读取该文件的权限（文件可能正被其他程序以独占方式打开）"
                    }
                    K::IsADirectory => "这是一个文件夹，不是文件",
                    _ => "文件无法打开（读取时出错）",
                };
                crate::diag::Text::new(zh, format!("the file cannot be opened: {detail}"))
            }
        }
    }

    /// What to do about it, in both languages.
    pub fn help(&self) -> crate::diag::Text {
        use crate::text;
        let save_as = || {
            text!(
                "请用 Excel 或 WPS 打开后“另存为”Excel 工作簿（.xlsx），或导出为 UTF-8 编码的 CSV。",
                "open it in Excel or WPS and save it as an Excel workbook (.xlsx), or export UTF-8 CSV."
            )
        };
        match self {
            ReadError::Password => text!(
                "请在 Excel 或 WPS 中打开，去掉打开密码（文件 → 信息 → 保护工作簿 → 用密码进行加密，清空密码），另存为 .xlsx（不设密码）后再检查。",
                "open it in Excel or WPS, remove the opening password and save it as .xlsx without a password."
            ),
            ReadError::Empty => text!(
                "文件没有内容，可能是复制或下载时中断了；请重新获取原文件。",
                "the file has no content: the copy or download probably stopped; get the original file again."
            ),
            ReadError::NotWorkbook { kind, .. } => help_kind(kind),
            ReadError::Sheet { .. } => save_as(),
            ReadError::Encoding | ReadError::Csv { .. } => text!(
                "请用 Excel 或 WPS 打开后另存为 .xlsx，或另存为“CSV UTF-8（逗号分隔）”。",
                "open it in Excel or WPS and save it as .xlsx, or as “CSV UTF-8 (comma delimited)”."
            ),
            ReadError::Io { .. } => text!(
                "请关闭正在使用该文件的程序，确认文件还在原处且有读取权限后再检查。",
                "close the programs using the file, make sure it is still there and readable, and check again."
            ),
        }
    }
}

/// What a file that is not a workbook is, in both languages.
fn describe_kind(kind: &FileKind, detail: &str) -> crate::diag::Text {
    use crate::text;
    match kind {
        FileKind::Word { legacy: false } => text!(
            "这是一个 Word 文档（.docx），不是 Excel 工作簿",
            "this is a Word document (.docx), not an Excel workbook"
        ),
        FileKind::Word { legacy: true } => text!(
            "这是一个 Word 97-2003 文档（.doc），不是 Excel 工作簿",
            "this is a Word 97-2003 document (.doc), not an Excel workbook"
        ),
        FileKind::PowerPoint => text!(
            "这是一个 PowerPoint 演示文稿，不是 Excel 工作簿",
            "this is a PowerPoint presentation, not an Excel workbook"
        ),
        FileKind::OpenDocument => text!(
            "这是一个 OpenDocument 文本或演示文稿（.odt/.odp），不是表格",
            "this is an OpenDocument text or presentation (.odt/.odp), not a spreadsheet"
        ),
        FileKind::Pdf => text!(
            "这是一个 PDF 文件，不是 Excel 工作簿",
            "this is a PDF file, not an Excel workbook"
        ),
        FileKind::Image(format) => text!(
            "这是一张图片（{format}），不是 Excel 工作簿",
            "this is an image ({format}), not an Excel workbook"
        ),
        FileKind::Html => text!(
            "这是一个网页（HTML）文件，只是扩展名像工作簿；许多系统导出的“xls”其实是网页",
            "this is a web page (HTML) under a workbook's extension, as many systems export “xls” files"
        ),
        FileKind::Xml2003 => text!(
            "这是 Excel 2003 XML 表格，yima 不读取这种旧格式",
            "this is an Excel 2003 XML spreadsheet, an old format yima does not read"
        ),
        FileKind::Encrypted => text!(
            "工作簿设置了打开密码（已加密），无法读取",
            "the workbook is password protected (encrypted) and cannot be read"
        ),
        FileKind::Archive(names) => {
            let names = names.join("、");
            text!(
                "这是一个 zip 压缩包，不是工作簿（其中有：{names}）",
                "this is a zip archive, not a workbook (it holds: {names})"
            )
        }
        FileKind::OtherArchive(format) => text!(
            "这是一个 {format} 压缩包，不是工作簿",
            "this is a {format} archive, not a workbook"
        ),
        FileKind::Rtf => text!(
            "这是一个 RTF 文档，不是 Excel 工作簿",
            "this is an RTF document, not an Excel workbook"
        ),
        FileKind::Text => text!(
            "这是一个文本文件（可能是 CSV），不是 Excel 工作簿",
            "this is a text file (perhaps CSV), not an Excel workbook"
        ),
        FileKind::DamagedWorkbook => text!(
            "工作簿已损坏或不完整（文件结构残缺，可能是复制或下载时中断了）",
            "the workbook is damaged or incomplete ({detail})"
        ),
        FileKind::Unknown => text!(
            "不是 Excel、WPS 或 OpenDocument 工作簿，也不是 CSV（无法识别的文件格式）",
            "not an Excel, WPS or OpenDocument workbook, nor CSV (unrecognized format: {detail})"
        ),
    }
}

/// What to do with a file that is not a workbook, in both languages.
fn help_kind(kind: &FileKind) -> crate::diag::Text {
    use crate::text;
    match kind {
        FileKind::Word { .. } | FileKind::OpenDocument | FileKind::Rtf | FileKind::PowerPoint => {
            text!(
                "事项要填在填报表（Excel/WPS 表格）中：用 yima template 生成填报表，把内容填进“事项”和“申请材料”两个工作表后再检查。",
                "entries are filed in the filing workbook: write one with `yima template`, fill its sheets 事项 and 申请材料, and check that."
            )
        }
        FileKind::Pdf | FileKind::Image(_) => text!(
            "PDF、图片和扫描件无法检查；请提交填报表的原始文件（.xlsx）。",
            "PDFs, images and scans cannot be checked: send the filing workbook itself (.xlsx)."
        ),
        FileKind::Html | FileKind::Xml2003 => text!(
            "请用 Excel 或 WPS 打开它，再“另存为”Excel 工作簿（.xlsx）后检查。",
            "open it in Excel or WPS and save it as an Excel workbook (.xlsx), then check that."
        ),
        FileKind::Encrypted => text!(
            "请在 Excel 或 WPS 中打开，去掉打开密码后另存为 .xlsx（不设密码）再检查。",
            "open it in Excel or WPS, remove the opening password and save it as .xlsx without a password."
        ),
        FileKind::Archive(_) | FileKind::OtherArchive(_) => text!(
            "请先解压，再检查解压出的文件夹（yima check 文件夹）。",
            "unpack it first and check the folder it gives (yima check FOLDER)."
        ),
        FileKind::Text => text!(
            "若是 CSV 填报，请把扩展名改为 .csv，并按“单位名-事项.csv”“单位名-申请材料.csv”成对命名；否则请用 Excel 或 WPS 另存为 .xlsx。",
            "if it is a CSV filing, rename it to .csv as a pair “NAME-事项.csv” and “NAME-申请材料.csv”; otherwise save it as .xlsx from Excel or WPS."
        ),
        FileKind::DamagedWorkbook => text!(
            "请用 Excel 或 WPS 打开并“另存为”.xlsx；若打不开，请向报送单位重新索取原文件。",
            "open it in Excel or WPS and save it as .xlsx; if it does not open, ask the sender for the original file again."
        ),
        FileKind::Unknown => text!(
            "请提交 Excel 或 WPS 工作簿（.xlsx、.xls、.et 另存的 .xlsx）或 UTF-8 编码的 CSV。",
            "send an Excel or WPS workbook (.xlsx or .xls) or UTF-8 CSV."
        ),
    }
}

/// A workbook's bytes, opened once to learn its format and sheets. Sheets
/// are read on demand: the first rows of each (to find the filing's sheets),
/// then the chosen ones in full — an xlsx sheet through calamine's streaming
/// cell reader, without building a whole range first.
pub struct Book {
    bytes: Vec<u8>,
    path: std::path::PathBuf,
    display: Arc<str>,
    names: Vec<String>,
    /// An xlsx workbook the dedicated reader can read ([`super::xlsx`]).
    fast: Option<super::xlsx::Index>,
    /// Formats other than xlsx are read whole at open (they are small).
    whole: Option<Vec<Grid>>,
}

impl Book {
    /// Opens a workbook. The format is taken from the content, so a renamed
    /// file (an `.xls` saved as `.xlsx`) is still read.
    pub fn open(path: &Path, display: &Arc<str>) -> Result<Book, ReadError> {
        let bytes = read_bytes(path)?;
        if let Ok(index) = super::xlsx::index(&bytes) {
            return Ok(Book {
                names: index.sheets.iter().map(|(n, _)| n.clone()).collect(),
                fast: Some(index),
                bytes,
                path: path.to_path_buf(),
                display: display.clone(),
                whole: None,
            });
        }
        Book::from_bytes(bytes, path, display)
    }

    /// Opens a workbook through calamine alone, never the dedicated xlsx
    /// reader: what the two readers give is compared in the tests.
    pub fn open_with_calamine(path: &Path, display: &Arc<str>) -> Result<Book, ReadError> {
        Book::from_bytes(read_bytes(path)?, path, display)
    }

    fn from_bytes(bytes: Vec<u8>, path: &Path, display: &Arc<str>) -> Result<Book, ReadError> {
        let mut book = open(&bytes, path)?;
        let names = book.sheet_names();
        let whole = if matches!(book, Sheets::Xlsx(_)) {
            None
        } else {
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
                ));
            }
            Some(grids)
        };
        drop(book);
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
            let fast: Result<Vec<Grid>, _> = (0..self.names.len())
                .map(|i| {
                    super::xlsx::sheet(&self.bytes, index, i, &self.display, Some(rows))
                        .map(|s| s.grid)
                })
                .collect();
            if let Ok(grids) = fast {
                return Ok(grids);
            }
        }
        let mut book = open(&self.bytes, &self.path)?;
        let Sheets::Xlsx(x) = &mut book else {
            unreachable!("non-xlsx books are read whole")
        };
        self.names
            .iter()
            .map(|n| stream_sheet(x, &self.display, n, Some(rows), false))
            .collect()
    }

    /// Streams the rows of sheet `index` through `on_row` (false stops)
    /// when the dedicated reader can read the workbook; None when it cannot
    /// (read the sheet with [`Book::sheet`] then). Merged cells are not
    /// filled: the caller looks at the merged regions returned.
    pub fn stream(
        &self,
        index: usize,
        on_row: &mut dyn FnMut(super::xlsx::Scanned<'_>) -> bool,
    ) -> Option<Vec<calamine::Dimensions>> {
        let fast = self.fast.as_ref()?;
        super::xlsx::scan(&self.bytes, fast, index, None, on_row).ok()
    }

    /// One sheet in full, vertical merges filled down.
    pub fn sheet(&self, index: usize) -> Result<Grid, ReadError> {
        if let Some(whole) = &self.whole {
            return Ok(whole[index].clone());
        }
        if let Some(fast) = &self.fast
            && let Ok(read) = super::xlsx::sheet(&self.bytes, fast, index, &self.display, None)
        {
            let mut grid = read.grid;
            fill_merges(&mut grid, &read.merges);
            return Ok(grid);
        }
        let mut book = open(&self.bytes, &self.path)?;
        let Sheets::Xlsx(x) = &mut book else {
            unreachable!("non-xlsx books are read whole")
        };
        stream_sheet(x, &self.display, &self.names[index], None, true)
    }
}

/// A file's bytes; none is an error of its own.
fn read_bytes(path: &Path) -> Result<Vec<u8>, ReadError> {
    let bytes = std::fs::read(path).map_err(|e| ReadError::Io {
        kind: e.kind(),
        detail: e.to_string(),
    })?;
    if bytes.is_empty() {
        return Err(ReadError::Empty);
    }
    Ok(bytes)
}

/// Reads an xlsx sheet with the streaming cell reader, up to row `limit`.
fn stream_sheet(
    x: &mut calamine::Xlsx<Cursor<&[u8]>>,
    display: &Arc<str>,
    name: &str,
    limit: Option<u32>,
    merges: bool,
) -> Result<Grid, ReadError> {
    let err = |e: calamine::XlsxError| ReadError::Sheet {
        sheet: name.to_string(),
        detail: e.to_string(),
    };
    let mut rows: Vec<GridRow> = Vec::new();
    {
        let mut reader = x.worksheet_cells_reader(name).map_err(err)?;
        while let Some(cell) = reader.next_cell().map_err(err)? {
            let (r, c) = cell.get_position();
            let number = r + 1;
            if limit.is_some_and(|l| number > l) {
                break;
            }
            let raw = cell_ref_text(cell.get_value());
            if raw.text.is_empty() {
                continue;
            }
            if rows.last().is_none_or(|last| last.number != number) {
                rows.push(GridRow {
                    number,
                    cells: Vec::new(),
                    lines: Vec::new(),
                });
            }
            let row = rows.last_mut().expect("just pushed");
            let c = c as usize;
            if row.cells.len() <= c {
                row.cells.resize(c + 1, RawCell::default());
            }
            row.cells[c] = raw;
        }
    }
    let mut grid = Grid {
        file: display.clone(),
        name: Arc::from(name),
        rows,
        yaml: false,
    };
    if merges {
        let regions = x.merge_cells_by_sheet_name(name).unwrap_or_default();
        fill_merges(&mut grid, &regions);
    }
    Ok(grid)
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

/// Vertically merged cells give their value to every row they cover, with
/// rows looked up by number (a grid skips rows with no cell).
fn fill_merges(grid: &mut Grid, merges: &[calamine::Dimensions]) {
    for m in merges {
        let (r0, c0) = m.start;
        let (r1, _) = m.end;
        if r1 <= r0 {
            continue;
        }
        let find = |rows: &[GridRow], n: u32| rows.binary_search_by_key(&n, |r| r.number).ok();
        let Some(top) = find(&grid.rows, r0 + 1) else {
            continue;
        };
        let Some(value) = grid.rows[top].cell(c0).cloned() else {
            continue;
        };
        for n in (r0 + 2)..=(r1 + 1) {
            let i = match find(&grid.rows, n) {
                Some(i) => i,
                None => {
                    let at = grid.rows.partition_point(|r| r.number < n);
                    grid.rows.insert(
                        at,
                        GridRow {
                            number: n,
                            cells: Vec::new(),
                            lines: Vec::new(),
                        },
                    );
                    at
                }
            };
            let row = &mut grid.rows[i];
            let c = c0 as usize;
            if row.cells.len() <= c {
                row.cells.resize(c + 1, RawCell::default());
            }
            if row.cells[c].text.is_empty() {
                row.cells[c] = value.clone();
            }
        }
    }
}

fn open<'b>(bytes: &'b [u8], path: &Path) -> Result<Sheets<Cursor<&'b [u8]>>, ReadError> {
    use calamine::{Ods, Xls, Xlsb, Xlsx, open_workbook_from_rs};
    let by_ext = match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("xls") => open_workbook_from_rs::<Xls<_>, _>(Cursor::new(bytes))
            .map(Sheets::Xls)
            .map_err(|e| classify(calamine::Error::Xls(e), bytes)),
        Some("xlsx" | "xlsm") => open_workbook_from_rs::<Xlsx<_>, _>(Cursor::new(bytes))
            .map(Sheets::Xlsx)
            .map_err(|e| classify(calamine::Error::Xlsx(e), bytes)),
        Some("xlsb") => open_workbook_from_rs::<Xlsb<_>, _>(Cursor::new(bytes))
            .map(Sheets::Xlsb)
            .map_err(|e| classify(calamine::Error::Xlsb(e), bytes)),
        Some("ods") => open_workbook_from_rs::<Ods<_>, _>(Cursor::new(bytes))
            .map(Sheets::Ods)
            .map_err(|e| classify(calamine::Error::Ods(e), bytes)),
        _ => Err(ReadError::not_workbook(bytes, "unknown extension")),
    };
    match by_ext {
        Ok(book) => Ok(book),
        Err(ReadError::Password) => Err(ReadError::Password),
        Err(first) => calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| {
            match classify(e, bytes) {
                ReadError::Password => ReadError::Password,
                _ => first,
            }
        }),
    }
}

/// A reader's error as what to tell the user: a password, or what the
/// file really is.
fn classify(e: calamine::Error, bytes: &[u8]) -> ReadError {
    let password = matches!(
        &e,
        calamine::Error::Xlsx(calamine::XlsxError::Password)
            | calamine::Error::Xls(calamine::XlsError::Password)
    );
    if password || e.to_string().to_lowercase().contains("password") {
        ReadError::Password
    } else {
        ReadError::not_workbook(bytes, e.to_string())
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
) -> Grid {
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
    fill_merges(&mut grid, merges);
    grid
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

pub(super) fn float_text(f: f64) -> String {
    let mut s = String::new();
    push_float(&mut s, f);
    s
}

/// Appends a number as [`float_text`] writes it.
pub(super) fn push_float(out: &mut String, f: f64) {
    use std::fmt::Write;
    // Integers exactly representable as i64 print fast; larger ones (an
    // 18-digit code typed as a number) print all the digits the float has.
    let _ = if f.is_finite() && f.fract() == 0.0 && f.abs() < 9.0e15 {
        write!(out, "{}", f as i64)
    } else if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e21 {
        write!(out, "{f:.0}")
    } else {
        write!(out, "{f}")
    };
}

/// Reads a CSV file, detecting its encoding (UTF-8 with or without BOM,
/// UTF-16 with BOM, else GB18030, which covers GBK).
pub fn read_csv(path: &Path, display: &Arc<str>, sheet: &str) -> Result<Grid, ReadError> {
    let bytes = read_bytes(path)?;
    let text = decode(&bytes)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        let rec = rec.map_err(|e| ReadError::Csv {
            line: e.position().map(|p| p.line()),
            detail: e.to_string(),
        })?;
        let mut cells: Vec<RawCell> = rec.iter().map(|t| RawCell::text(t.to_string())).collect();
        while cells.last().is_some_and(|c| c.text.is_empty()) {
            cells.pop();
        }
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

//! Writing filings as rows arrive, never holding a whole filing (the four
//! sheets 事项, 申请材料, 收费项目 and 常见问题): xlsx
//! workbooks through rust_xlsxwriter's low-memory mode (rows go to a temp
//! file as they are written; strings go to the shared string table, as
//! Excel stores them), or CSV pairs in GBK (as Excel on a Chinese Windows
//! saves them, CRLF line ends) or UTF-8 with a BOM.

use crate::entry::Cell;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Where the rows of one filing go.
pub trait Sink {
    fn item(&mut self, row: &[Cell]) -> Result<(), SinkError>;
    fn material(&mut self, row: &[Cell]) -> Result<(), SinkError>;
    fn fee(&mut self, row: &[Cell]) -> Result<(), SinkError>;
    fn question(&mut self, row: &[Cell]) -> Result<(), SinkError>;
    /// Writes what is buffered; returns the files written.
    fn finish(self: Box<Self>) -> Result<Vec<PathBuf>, SinkError>;
}

/// Why a filing could not be written.
#[derive(Debug)]
pub enum SinkError {
    Xlsx(XlsxError),
    Io(std::io::Error),
    /// Text that GBK cannot encode, in a file asked to be GBK.
    Gbk(String),
}

impl std::fmt::Display for SinkError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SinkError::Xlsx(e) => write!(f, "xlsx: {e}"),
            SinkError::Io(e) => write!(f, "{e}"),
            SinkError::Gbk(s) => write!(f, "GBK cannot encode: {s}"),
        }
    }
}

impl std::error::Error for SinkError {}

impl From<XlsxError> for SinkError {
    fn from(e: XlsxError) -> Self {
        SinkError::Xlsx(e)
    }
}

impl From<std::io::Error> for SinkError {
    fn from(e: std::io::Error) -> Self {
        SinkError::Io(e)
    }
}

/// The headers and title every file carries.
pub struct Layout {
    pub title: String,
    pub item_headers: Vec<String>,
    pub material_headers: Vec<String>,
    pub fee_headers: Vec<String>,
    pub question_headers: Vec<String>,
}

pub const ITEMS_SHEET: &str = "事项";
pub const MATERIALS_SHEET: &str = "申请材料";
pub const FEES_SHEET: &str = "收费项目";
pub const QUESTIONS_SHEET: &str = "常见问题";

/// A workbook being written: sheet 事项 with a merged title row above its
/// header (as real filings have), the others with their header on row 1.
pub struct XlsxSink {
    path: PathBuf,
    book: Workbook,
    items: Worksheet,
    materials: Worksheet,
    fees: Worksheet,
    questions: Worksheet,
    item_row: u32,
    material_row: u32,
    fee_row: u32,
    question_row: u32,
}

impl XlsxSink {
    pub fn create(path: &Path, layout: &Layout, tempdir: &Path) -> Result<XlsxSink, SinkError> {
        let mut book = Workbook::new();
        book.set_tempdir(tempdir)?;
        // Fixed properties: the same seed gives the same bytes.
        let when = ExcelDateTime::from_ymd(2026, 1, 1)?;
        book.set_properties(
            &DocProperties::new()
                .set_author("娄底市行政审批服务局")
                .set_creation_datetime(&when),
        );
        let mut items = book.new_worksheet_with_low_memory()?;
        items.set_name(ITEMS_SHEET)?;
        let mut materials = book.new_worksheet_with_low_memory()?;
        materials.set_name(MATERIALS_SHEET)?;
        let mut fees = book.new_worksheet_with_low_memory()?;
        fees.set_name(FEES_SHEET)?;
        let mut questions = book.new_worksheet_with_low_memory()?;
        questions.set_name(QUESTIONS_SHEET)?;
        let header = Format::new().set_bold().set_text_wrap();
        let title = Format::new().set_bold().set_font_size(16);
        let last = layout.item_headers.len() as u16 - 1;
        items.merge_range(0, 0, 0, last, &layout.title, &title)?;
        for (c, h) in layout.item_headers.iter().enumerate() {
            items.write_string_with_format(1, c as u16, h, &header)?;
        }
        items.set_freeze_panes(2, 2)?;
        for (sheet, headers) in [
            (&mut materials, &layout.material_headers),
            (&mut fees, &layout.fee_headers),
            (&mut questions, &layout.question_headers),
        ] {
            for (c, h) in headers.iter().enumerate() {
                sheet.write_string_with_format(0, c as u16, h, &header)?;
            }
            sheet.set_freeze_panes(1, 0)?;
        }
        Ok(XlsxSink {
            path: path.to_path_buf(),
            book,
            items,
            materials,
            fees,
            questions,
            item_row: 2,
            material_row: 1,
            fee_row: 1,
            question_row: 1,
        })
    }
}

fn write_row(sheet: &mut Worksheet, row: u32, cells: &[Cell]) -> Result<(), XlsxError> {
    for (c, cell) in cells.iter().enumerate() {
        match cell {
            Cell::Empty => {}
            Cell::Text(s) => {
                sheet.write_string(row, c as u16, s)?;
            }
            Cell::Number(n) => {
                sheet.write_number(row, c as u16, *n)?;
            }
        }
    }
    Ok(())
}

impl Sink for XlsxSink {
    fn item(&mut self, row: &[Cell]) -> Result<(), SinkError> {
        write_row(&mut self.items, self.item_row, row)?;
        self.item_row += 1;
        Ok(())
    }

    fn material(&mut self, row: &[Cell]) -> Result<(), SinkError> {
        write_row(&mut self.materials, self.material_row, row)?;
        self.material_row += 1;
        Ok(())
    }

    fn fee(&mut self, row: &[Cell]) -> Result<(), SinkError> {
        write_row(&mut self.fees, self.fee_row, row)?;
        self.fee_row += 1;
        Ok(())
    }

    fn question(&mut self, row: &[Cell]) -> Result<(), SinkError> {
        write_row(&mut self.questions, self.question_row, row)?;
        self.question_row += 1;
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<Vec<PathBuf>, SinkError> {
        let XlsxSink {
            path,
            mut book,
            items,
            materials,
            fees,
            questions,
            ..
        } = *self;
        book.push_worksheet(items);
        book.push_worksheet(materials);
        book.push_worksheet(fees);
        book.push_worksheet(questions);
        book.save(&path)?;
        Ok(vec![path])
    }
}

/// The text encoding of a CSV pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Encoding {
    /// GBK, as Excel on a Chinese Windows saves "CSV (逗号分隔)".
    Gbk,
    /// UTF-8 with a BOM, as Excel saves "CSV UTF-8".
    Utf8,
}

/// A CSV set being written: `<stem>-事项.csv`, `<stem>-申请材料.csv`,
/// `<stem>-收费项目.csv` and `<stem>-常见问题.csv`.
pub struct CsvSink {
    encoding: Encoding,
    paths: [PathBuf; 4],
    files: [BufWriter<File>; 4],
    line: String,
}

impl CsvSink {
    pub fn create(
        dir: &Path,
        stem: &str,
        layout: &Layout,
        encoding: Encoding,
    ) -> Result<CsvSink, SinkError> {
        let paths = [ITEMS_SHEET, MATERIALS_SHEET, FEES_SHEET, QUESTIONS_SHEET]
            .map(|sheet| dir.join(format!("{stem}-{sheet}.csv")));
        let open = |p: &Path| -> Result<BufWriter<File>, SinkError> {
            let mut f = BufWriter::with_capacity(1 << 20, File::create(p)?);
            if encoding == Encoding::Utf8 {
                f.write_all(b"\xEF\xBB\xBF")?;
            }
            Ok(f)
        };
        let files = [
            open(&paths[0])?,
            open(&paths[1])?,
            open(&paths[2])?,
            open(&paths[3])?,
        ];
        let mut sink = CsvSink {
            encoding,
            paths,
            files,
            line: String::new(),
        };
        // Excel saves the merged title as its first cell and empty ones.
        let mut title = vec![Cell::Text(layout.title.clone())];
        title.resize(layout.item_headers.len(), Cell::Empty);
        sink.write(0, &title)?;
        let headers = |h: &[String]| h.iter().map(|s| Cell::Text(s.clone())).collect::<Vec<_>>();
        sink.write(0, &headers(&layout.item_headers))?;
        sink.write(1, &headers(&layout.material_headers))?;
        sink.write(2, &headers(&layout.fee_headers))?;
        sink.write(3, &headers(&layout.question_headers))?;
        Ok(sink)
    }

    fn write(&mut self, which: usize, cells: &[Cell]) -> Result<(), SinkError> {
        self.line.clear();
        for (i, c) in cells.iter().enumerate() {
            if i > 0 {
                self.line.push(',');
            }
            let v = c.shown();
            if v.contains([',', '"', '\n', '\r']) {
                self.line.push('"');
                self.line.push_str(&v.replace('"', "\"\""));
                self.line.push('"');
            } else {
                self.line.push_str(&v);
            }
        }
        self.line.push_str("\r\n");
        match self.encoding {
            Encoding::Utf8 => self.files[which].write_all(self.line.as_bytes())?,
            Encoding::Gbk => {
                let (bytes, _, unmappable) = encoding_rs::GBK.encode(&self.line);
                if unmappable {
                    return Err(SinkError::Gbk(self.line.clone()));
                }
                self.files[which].write_all(&bytes)?;
            }
        }
        Ok(())
    }
}

impl Sink for CsvSink {
    fn item(&mut self, row: &[Cell]) -> Result<(), SinkError> {
        self.write(0, row)
    }

    fn material(&mut self, row: &[Cell]) -> Result<(), SinkError> {
        self.write(1, row)
    }

    fn fee(&mut self, row: &[Cell]) -> Result<(), SinkError> {
        self.write(2, row)
    }

    fn question(&mut self, row: &[Cell]) -> Result<(), SinkError> {
        self.write(3, row)
    }

    fn finish(self: Box<Self>) -> Result<Vec<PathBuf>, SinkError> {
        let CsvSink { paths, files, .. } = *self;
        for f in files {
            f.into_inner().map_err(|e| e.into_error())?;
        }
        Ok(paths.to_vec())
    }
}

//! How much of a file yima reads before it calls the file unreadable. Each
//! limit sits well above what the biggest real filing needs (a province of a
//! million entries, in workbooks Excel can still open), so no real filing
//! meets one, and far below what would exhaust a department's PC: a file
//! that claims more — a zip bomb, a cell at the last column of the last row,
//! overlapping merges — is `file-unreadable` with the limit it broke, not a
//! run that eats the machine. docs/filing.md lists them.

/// A file read from disk (a workbook, or one half of a CSV pair). A
/// 200,000-entry workbook is about 50 MB; the CSV of a million entries
/// about 800 MB.
pub const FILE_BYTES: u64 = 1 << 30;

/// The most rows and columns a sheet can have (Excel's limits).
pub const ROWS: u32 = 1_048_576;
pub const COLUMNS: u32 = 16_384;

/// Parts in a workbook's zip archive: a sheet brings two or three.
pub const PARTS: usize = 10_000;

/// A worksheet's XML, inflated: a full sheet of Excel's 1,048,576 rows of
/// about a thousand bytes each (a 200,000-entry 事项 sheet is 180 MB).
pub const SHEET_XML: u64 = 1 << 30;

/// The shared strings, inflated (9 MB for 100,000 entries).
pub const SHARED_STRINGS: u64 = 256 << 20;

/// The small parts read whole: the workbook and its relationships.
pub const SMALL_PART: u64 = 16 << 20;

/// Any other part (styles, themes, pictures), inflated only to check it.
pub const OTHER_PART: u64 = 256 << 20;

/// Everything inflated while one workbook is read, all parts and all
/// passes together.
pub const INFLATED: u64 = 4 << 30;

/// One piece of XML held at once: a tag, or a text between tags. Excel
/// holds at most 32,767 characters in a cell.
pub const XML_TOKEN: usize = 64 << 20;

/// The text of one cell (or one shared string), however many runs it is
/// written in.
pub const CELL_TEXT: usize = 64 << 20;

/// Merged regions in a sheet.
pub const MERGES: usize = 2 << 20;

/// Cells a sheet held whole may take, empty ones before the last filled
/// cell of each row included: eight per filled cell, and a million more.
/// Real sheets fill most of the cells they span; a sheet whose cells claim
/// far columns and rows with nothing between them does not.
pub fn grid_cells(filled: u64) -> u64 {
    filled.saturating_mul(8).saturating_add(1 << 20)
}

/// Megabytes, for messages.
pub fn mb(bytes: u64) -> u64 {
    bytes >> 20
}

/// Items in the shared strings table (a million-entry filing has about a
/// million distinct texts).
pub const SHARED_ITEMS: usize = 16 << 20;

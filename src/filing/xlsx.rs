//! A dedicated reader of xlsx worksheets, for speed on big filings: a sheet's
//! XML is inflated in chunks and scanned once, each row handed on in one
//! reused buffer as soon as it is read (or gathered into a [`Grid`]) — no
//! event objects, no allocation per cell, the shared strings read once per
//! workbook and shared by the sheets read in parallel.
//!
//! It reads what Excel, WPS, LibreOffice and the common writers produce, and
//! gives the same cells as calamine (the tests compare the two). Anything it
//! does not expect — a DOCTYPE, an unknown cell type, broken XML — makes it
//! give up with [`Unsupported`], and the caller reads the workbook through
//! calamine instead, which then reports what is wrong.

use super::source::{Grid, GridRow, RawCell, push_float};
use std::io::{Cursor, Read};
use std::sync::Arc;

/// Why the fast reader gave up on a workbook (the caller falls back).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsupported(pub String);

fn unsupported<T>(why: impl Into<String>) -> Result<T, Unsupported> {
    Err(Unsupported(why.into()))
}

/// A workbook opened for the fast reader: its sheets and shared strings.
pub struct Index {
    /// Every sheet in workbook order: its name and, for a worksheet, the
    /// path of its XML in the archive (chart sheets have none).
    pub sheets: Vec<(String, Option<String>)>,
    strings: Strings,
}

/// The shared strings table: one buffer, each string's end in it.
#[derive(Default)]
struct Strings {
    text: String,
    ends: Vec<usize>,
}

impl Strings {
    fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)?;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        Some(&self.text[start..end])
    }
}

type Archive<'b> = zip::ZipArchive<Cursor<&'b [u8]>>;

/// Opens a workbook's index: sheet names and paths, shared strings.
pub fn index(bytes: &[u8]) -> Result<Index, Unsupported> {
    if !bytes.starts_with(b"PK\x03\x04") {
        return unsupported("not a zip archive");
    }
    let mut zip =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| Unsupported(e.to_string()))?;
    let rels = read_part(&mut zip, "xl/_rels/workbook.xml.rels")?;
    let mut targets: Vec<(String, String, String)> = Vec::new(); // id, type, path
    let mut sc = Scanner::new(rels.as_bytes());
    while let Some(tok) = sc.next()? {
        if let Tok::Open { name, attrs, .. } = tok
            && local(name) == b"Relationship"
        {
            let (Some(id), Some(ty), Some(target)) = (
                attr(attrs, b"Id"),
                attr(attrs, b"Type"),
                attr(attrs, b"Target"),
            ) else {
                continue;
            };
            let target = decode_attr(target)?;
            let path = match target.strip_prefix('/') {
                Some(abs) => abs.to_string(),
                None => format!("xl/{}", target.trim_start_matches("./")),
            };
            targets.push((decode_attr(id)?, decode_attr(ty)?, path));
        }
    }
    let workbook = read_part(&mut zip, "xl/workbook.xml")?;
    let mut sheets = Vec::new();
    let mut sc = Scanner::new(workbook.as_bytes());
    while let Some(tok) = sc.next()? {
        if let Tok::Open { name, attrs, .. } = tok
            && local(name) == b"sheet"
        {
            let Some(sheet_name) = attr(attrs, b"name") else {
                return unsupported("a sheet without a name");
            };
            let id = attr_local(attrs, b"id").map(decode_attr).transpose()?;
            let path = id.and_then(|id| {
                targets
                    .iter()
                    .find(|(i, ty, _)| *i == id && ty.ends_with("/worksheet"))
                    .map(|(_, _, p)| p.clone())
            });
            sheets.push((decode_attr(sheet_name)?, path));
        }
    }
    let sst = targets
        .iter()
        .find(|(_, ty, _)| ty.ends_with("/sharedStrings"))
        .map(|(_, _, p)| p.clone());
    let strings = match &sst {
        Some(p) => shared_strings(zip.by_name(p).map_err(|e| Unsupported(e.to_string()))?)?,
        None => Strings::default(),
    };
    // A damaged part is a damaged workbook, even one not read here (styles,
    // theme): inflating it checks its CRC. The sheets are checked as read.
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).map_err(|e| Unsupported(e.to_string()))?;
        let name = part
            .name()
            .map_err(|e| Unsupported(e.to_string()))?
            .to_string();
        if sst.as_deref() == Some(name.as_str())
            || sheets
                .iter()
                .any(|(_, p)| p.as_deref() == Some(name.as_str()))
        {
            continue;
        }
        std::io::copy(&mut part, &mut std::io::sink())
            .map_err(|e| Unsupported(format!("{name}: {e}")))?;
    }
    Ok(Index { sheets, strings })
}

fn read_part(zip: &mut Archive<'_>, name: &str) -> Result<String, Unsupported> {
    let mut f = zip
        .by_name(name)
        .map_err(|e| Unsupported(format!("{name}: {e}")))?;
    let mut s = String::new();
    f.read_to_string(&mut s)
        .map_err(|e| Unsupported(format!("{name}: {e}")))?;
    Ok(s)
}

/// Reads the shared strings: the text of each `<si>`, rich runs joined,
/// phonetic runs left out.
fn shared_strings(part: impl Read) -> Result<Strings, Unsupported> {
    let mut out = Strings::default();
    let mut sc = Scanner::new(part);
    let mut phonetic = false;
    let mut in_t: Option<bool> = None; // Some(preserve) inside <t>
    let mut piece = String::new();
    loop {
        // Nearly every item is one plain run, `<si><t>…</t></si>`: read at
        // once, else token by token below.
        if !phonetic
            && in_t.is_none()
            && let Some((text, preserve)) = sc.plain_item()
        {
            piece.clear();
            decode_text(&sc.buf[text], false, &mut piece)?;
            push_t(&mut out.text, &piece, preserve);
            out.ends.push(out.text.len());
            continue;
        }
        let Some(tok) = sc.next()? else { break };
        match tok {
            Tok::Open { name, attrs, empty } => match local(name) {
                b"si" if empty => out.ends.push(out.text.len()),
                b"rPh" => phonetic = !empty,
                b"t" if !phonetic && !empty => {
                    in_t = Some(attr(attrs, b"xml:space") == Some(b"preserve"));
                    piece.clear();
                }
                _ => {}
            },
            Tok::Close { name } => match local(name) {
                b"si" => out.ends.push(out.text.len()),
                b"rPh" => phonetic = false,
                b"t" => {
                    if let Some(preserve) = in_t.take() {
                        push_t(&mut out.text, &piece, preserve);
                    }
                }
                _ => {}
            },
            Tok::Text { raw, cdata } => {
                if in_t.is_some() {
                    decode_text(raw, cdata, &mut piece)?;
                }
            }
        }
    }
    Ok(out)
}

/// Appends the text of one `<t>`: trimmed of ASCII white space unless it
/// asks to be preserved, `_xHHHH_` escapes undone (as calamine does).
fn push_t(out: &mut String, text: &str, preserve: bool) {
    let text = if preserve {
        text
    } else {
        text.trim_matches([' ', '\t', '\r', '\n'])
    };
    unescape_x(text, out);
}

/// What one sheet read gives: its grid and its merged regions.
pub struct SheetRead {
    pub grid: Grid,
    pub merges: Vec<calamine::Dimensions>,
}

/// The type of a cell (`t` attribute).
#[derive(Clone, Copy, PartialEq)]
enum CellType {
    Number,
    NumberDeclared,
    Shared,
    Str,
    Inline,
    Bool,
    Error,
    Date,
}

/// What a scan hands over.
pub enum Scanned<'r> {
    /// The last row the sheet declares it uses (its `<dimension>`), read
    /// before any row: room can be made for that many.
    LastRow(u32),
    /// A row with at least one filled cell.
    Row(&'r GridRow),
}

/// Reads sheet `index` of the workbook into a grid, up to row `limit`
/// (1-based).
pub fn sheet(
    bytes: &[u8],
    book: &Index,
    index: usize,
    file: &Arc<str>,
    limit: Option<u32>,
) -> Result<SheetRead, Unsupported> {
    let mut rows: Vec<GridRow> = Vec::new();
    let merges = scan(bytes, book, index, limit, &mut |event| {
        let Scanned::Row(row) = event else {
            return true;
        };
        let copy = GridRow {
            number: row.number,
            cells: row.cells[..used(row)].to_vec(),
            lines: Vec::new(),
        };
        match rows.last() {
            Some(last) if last.number >= row.number => {
                // Out of order or repeated (rare): merge into place.
                match rows.binary_search_by_key(&row.number, |r| r.number) {
                    Ok(i) => {
                        for (c, cell) in copy.cells.into_iter().enumerate() {
                            if !cell.text.is_empty() {
                                let target = &mut rows[i].cells;
                                if target.len() <= c {
                                    target.resize(c + 1, RawCell::default());
                                }
                                target[c] = cell;
                            }
                        }
                    }
                    Err(i) => rows.insert(i, copy),
                }
            }
            _ => rows.push(copy),
        }
        true
    })?;
    let grid = Grid {
        file: file.clone(),
        name: Arc::from(book.sheets[index].0.as_str()),
        rows,
        yaml: false,
    };
    Ok(SheetRead { grid, merges })
}

/// The cells of a row up to its last filled one.
fn used(row: &GridRow) -> usize {
    row.cells
        .iter()
        .rposition(|c| !c.text.is_empty())
        .map_or(0, |i| i + 1)
}

/// Scans sheet `index`, handing each row that has a filled cell to
/// `on_row` in the order the sheet's XML holds them, up to row `limit`;
/// `on_row` returns false to stop. The row is one buffer, reused: its cells'
/// strings keep their room from row to row, so a big sheet is read without
/// an allocation per cell. Gives the merged regions (all of them only when
/// read to the end).
pub fn scan(
    bytes: &[u8],
    book: &Index,
    index: usize,
    limit: Option<u32>,
    on_row: &mut dyn FnMut(Scanned<'_>) -> bool,
) -> Result<Vec<calamine::Dimensions>, Unsupported> {
    let mut merges = Vec::new();
    let Some(path) = &book.sheets[index].1 else {
        return Ok(merges);
    };
    let mut zip =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| Unsupported(e.to_string()))?;
    let part = zip
        .by_name(path)
        .map_err(|e| Unsupported(format!("{path}: {e}")))?;
    let mut sc = Scanner::new(part);

    let mut row = new_row(0);
    // Whether the row buffer holds a filled cell.
    let mut filled = false;
    let mut in_data = false;
    let mut next_col: u32 = 0;
    // The open cell: its column and type.
    let mut cell: Option<(u32, CellType)> = None;
    let mut value = String::new();
    let mut piece = String::new();
    #[derive(PartialEq)]
    enum In {
        Nothing,
        V,
        F,
        Is,
        T(bool),
        Phonetic,
    }
    let mut inside = In::Nothing;
    // The row's number as its cells' references end.
    let mut current = RowDigits::new(row.number);
    // Hands the row over and clears it for the next; false to stop.
    fn flush(
        on_row: &mut dyn FnMut(Scanned<'_>) -> bool,
        row: &mut GridRow,
        filled: &mut bool,
    ) -> bool {
        let go = !*filled || on_row(Scanned::Row(row));
        if *filled {
            for c in &mut row.cells {
                c.text.clear();
                c.numeric = false;
                c.shared = None;
            }
        }
        *filled = false;
        go
    }
    // Hands the row over and goes on in row `number`; false to stop (also
    // past the `limit`).
    fn next_row(
        on_row: &mut dyn FnMut(Scanned<'_>) -> bool,
        row: &mut GridRow,
        filled: &mut bool,
        number: u32,
        limit: Option<u32>,
    ) -> bool {
        if !flush(on_row, row, filled) {
            return false;
        }
        row.number = number;
        limit.is_none_or(|l| number <= l)
    }
    loop {
        // Nearly every tag in sheetData is a cell's, written plainly and
        // holding `<v>…</v>`: read at once with its value, else token by
        // token below.
        let mut read = None;
        if in_data {
            if current.number != row.number {
                current = RowDigits::new(row.number);
            }
            read = sc.plain_cell(&current);
            // Then, once a row, its tags (`</row>` does nothing).
            if read.is_none()
                && let Some(tag) = sc.plain_row()
            {
                if let RowTag::Start(number) = tag {
                    let number = number.unwrap_or(row.number + 1);
                    if !next_row(on_row, &mut row, &mut filled, number, limit) {
                        return Ok(merges);
                    }
                    next_col = 0;
                }
                continue;
            }
        }
        if read.is_none() {
            let Some(tok) = sc.next()? else { break };
            match tok {
                Tok::Open { name, attrs, empty } => match local(name) {
                    b"dimension" if !in_data => {
                        let last = attr(attrs, b"ref")
                            .and_then(|r| r.rsplit(|&b| b == b':').next())
                            .and_then(cell_ref);
                        if let Some((row, _)) = last
                            && !on_row(Scanned::LastRow(row))
                        {
                            return Ok(merges);
                        }
                    }
                    b"sheetData" if !empty => in_data = true,
                    b"row" if in_data => {
                        let number = match attr(attrs, b"r") {
                            Some(r) => {
                                parse_u32(r).ok_or_else(|| Unsupported("row number".into()))?
                            }
                            None => row.number + 1,
                        };
                        if !next_row(on_row, &mut row, &mut filled, number, limit) {
                            return Ok(merges);
                        }
                        next_col = 0;
                    }
                    b"c" if in_data => {
                        let (at, t) = cell_attrs(attrs);
                        let at = match at {
                            Some(at) => Some(
                                cell_ref(at).ok_or_else(|| Unsupported("cell reference".into()))?,
                            ),
                            None => None,
                        };
                        let tag = CellTag {
                            at,
                            ty: cell_type(t)?,
                        };
                        // Nearly every cell is `<v>…</v></c>`: read it at once.
                        let body = match empty {
                            true => Body::Empty,
                            false => sc.simple_value().map_or(Body::Open, Body::Value),
                        };
                        read = Some((tag, body));
                    }
                    b"v" if cell.is_some_and(|(_, ty)| ty != CellType::Inline)
                        && !empty
                        && inside == In::Nothing =>
                    {
                        inside = In::V
                    }
                    b"f" if cell.is_some() && !empty => inside = In::F,
                    b"is" if cell.is_some() && !empty => inside = In::Is,
                    b"rPh" if inside == In::Is && !empty => inside = In::Phonetic,
                    b"t" if inside == In::Is && !empty => {
                        inside = In::T(attr(attrs, b"xml:space") == Some(b"preserve"));
                        piece.clear();
                    }
                    b"mergeCell" if !in_data => {
                        if let Some(r) = attr(attrs, b"ref")
                            && let Some(d) = merge_ref(r)
                        {
                            merges.push(d);
                        }
                    }
                    _ => {}
                },
                Tok::Close { name } => match local(name) {
                    b"sheetData" => {
                        in_data = false;
                        if !flush(on_row, &mut row, &mut filled) {
                            return Ok(merges);
                        }
                    }
                    b"v" if inside == In::V => inside = In::Nothing,
                    b"f" if inside == In::F => inside = In::Nothing,
                    b"t" => {
                        if let In::T(preserve) = inside {
                            push_t(&mut value, &piece, preserve);
                            inside = In::Is;
                        }
                    }
                    b"rPh" if inside == In::Phonetic => inside = In::Is,
                    b"is" => inside = In::Nothing,
                    b"c" => {
                        inside = In::Nothing;
                        if let Some((c, ty)) = cell.take() {
                            filled |= put_cell(&mut row, c, ty, &value, &book.strings)?;
                        }
                    }
                    _ => {}
                },
                Tok::Text { raw, cdata } => match inside {
                    In::V => decode_text(raw, cdata, &mut value)?,
                    In::T(_) => decode_text(raw, cdata, &mut piece)?,
                    _ => {}
                },
            }
        }
        let Some((tag, body)) = read else { continue };
        let (r, c) = tag.at.unwrap_or((row.number, next_col));
        if r != row.number {
            // A cell outside its row element: hand over what the row had
            // and go on in the cell's row.
            if !next_row(on_row, &mut row, &mut filled, r, limit) {
                return Ok(merges);
            }
        }
        next_col = c + 1;
        let ty = tag.ty;
        value.clear();
        cell = None;
        match body {
            Body::Empty => {}
            Body::Index(i) => filled |= put_shared(&mut row, c, i as usize, &book.strings)?,
            Body::Value(v) => {
                let raw = &sc.buf[v];
                if ty == CellType::Shared
                    && let Some(i) = parse_u32(raw)
                {
                    // A shared string's index, as digits: nothing to decode.
                    filled |= put_shared(&mut row, c, i as usize, &book.strings)?;
                } else if matches!(ty, CellType::Number | CellType::NumberDeclared)
                    && let Some(digits) = plain_integer(raw)
                {
                    // An integer's digits are its text: nothing to decode, no
                    // float to parse and print.
                    filled |= put_text(&mut row, c, digits, true, None);
                } else if ty != CellType::Inline {
                    // (An inline string's `<v>` is ignored, as calamine does.)
                    decode_text(raw, false, &mut value)?;
                    filled |= put_cell(&mut row, c, ty, &value, &book.strings)?;
                }
            }
            Body::Open => cell = Some((c, ty)),
        }
    }
    flush(on_row, &mut row, &mut filled);
    Ok(merges)
}

/// Writes a cell's text into the row buffer; true when it is filled.
fn put_cell(
    row: &mut GridRow,
    c: u32,
    ty: CellType,
    value: &str,
    strings: &Strings,
) -> Result<bool, Unsupported> {
    let c = c as usize;
    if row.cells.len() <= c {
        row.cells.resize(c + 1, RawCell::default());
    }
    let out = &mut row.cells[c];
    out.text.clear();
    out.shared = None;
    out.numeric = finish_cell(ty, value, strings, &mut out.text)?;
    Ok(!out.text.is_empty())
}

/// Writes shared string `i` into the row buffer; true when it is filled.
/// (Always inlined: it is called for most cells.)
#[inline(always)]
fn put_shared(row: &mut GridRow, c: u32, i: usize, strings: &Strings) -> Result<bool, Unsupported> {
    let Some(text) = strings.get(i) else {
        return unsupported("shared string index out of range");
    };
    Ok(put_text(row, c, text, false, Some(i as u32)))
}

/// Writes a cell's finished text into the row buffer; true when it is
/// filled.
fn put_text(row: &mut GridRow, c: u32, text: &str, numeric: bool, shared: Option<u32>) -> bool {
    let c = c as usize;
    if row.cells.len() <= c {
        row.cells.resize(c + 1, RawCell::default());
    }
    let out = &mut row.cells[c];
    out.text.clear();
    out.text.push_str(text);
    out.numeric = numeric;
    out.shared = shared;
    !text.is_empty()
}

/// `v` when it is an integer as writers write one — ASCII digits, no
/// leading zero, at most 15 of them, so exact in an f64 — whose text
/// [`push_float`] would give back unchanged: it need not be parsed.
fn plain_integer(v: &[u8]) -> Option<&str> {
    let plain = match v {
        [b'0'] => true,
        [b'1'..=b'9', rest @ ..] => rest.len() < 15 && rest.iter().all(u8::is_ascii_digit),
        _ => false,
    };
    if plain {
        std::str::from_utf8(v).ok()
    } else {
        None
    }
}

fn new_row(number: u32) -> GridRow {
    GridRow {
        number,
        cells: Vec::new(),
        lines: Vec::new(),
    }
}

/// Writes a cell's text, from its type and the text of its `<v>` or
/// `<is>`, into `out` (empty for an empty cell); true when it is a number.
fn finish_cell(
    ty: CellType,
    v: &str,
    strings: &Strings,
    out: &mut String,
) -> Result<bool, Unsupported> {
    match ty {
        CellType::Shared => {
            if v.is_empty() {
                return Ok(false);
            }
            let i: usize = v
                .parse()
                .map_err(|_| Unsupported("shared string index".into()))?;
            match strings.get(i) {
                Some(s) => out.push_str(s),
                None => return unsupported("shared string index out of range"),
            }
        }
        CellType::Number | CellType::NumberDeclared => {
            if v.is_empty() {
                return Ok(false);
            }
            if let Some(digits) = plain_integer(v.as_bytes()) {
                out.push_str(digits);
                return Ok(true);
            }
            match v.parse::<f64>() {
                Ok(f) => {
                    push_float(out, f);
                    return Ok(true);
                }
                Err(_) if ty == CellType::Number => out.push_str(v),
                Err(_) => return unsupported("a number cell that is not a number"),
            }
        }
        CellType::Str => unescape_x(v, out),
        CellType::Inline | CellType::Date => out.push_str(v),
        CellType::Bool => match v.trim() {
            "" => {}
            "1" | "true" => out.push_str("TRUE"),
            "0" | "false" => out.push_str("FALSE"),
            _ => return unsupported("a boolean cell that is not a boolean"),
        },
        CellType::Error => match v {
            "#DIV/0!" | "#N/A" | "#NAME?" | "#NULL!" | "#NUM!" | "#REF!" | "#VALUE!" => {
                out.push_str(v)
            }
            _ => return unsupported("an unknown error value"),
        },
    }
    Ok(false)
}

/// `AB12` → (12, 27): the 1-based row and 0-based column.
fn cell_ref(at: &[u8]) -> Option<(u32, u32)> {
    let letters = at.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    if letters == 0 || letters > 3 {
        return None;
    }
    let mut col: u32 = 0;
    for b in &at[..letters] {
        col = col * 26 + u32::from(b.to_ascii_uppercase() - b'A' + 1);
    }
    let row = parse_u32(&at[letters..])?;
    Some((row, col - 1))
}

/// `A1:C3` → 0-based (row, col) corners, as calamine gives merged regions.
fn merge_ref(r: &[u8]) -> Option<calamine::Dimensions> {
    let colon = r.iter().position(|&b| b == b':')?;
    let (r0, c0) = cell_ref(&r[..colon])?;
    let (r1, c1) = cell_ref(&r[colon + 1..])?;
    Some(calamine::Dimensions::new(
        (r0.checked_sub(1)?, c0),
        (r1.checked_sub(1)?, c1),
    ))
}

fn parse_u32(b: &[u8]) -> Option<u32> {
    if b.is_empty() || b.len() > 9 {
        return None;
    }
    // (One pass: shared string indexes are read for nearly every cell.)
    let mut n: u32 = 0;
    for &d in b {
        let d = d.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        n = n * 10 + u32::from(d);
    }
    Some(n)
}

/// The local part of a possibly prefixed name (`x:c` → `c`).
fn local(name: &[u8]) -> &[u8] {
    match name.iter().rposition(|&b| b == b':') {
        Some(i) => &name[i + 1..],
        None => name,
    }
}

/// A cell's opening tag: its place (`r`), when given, and its type.
struct CellTag {
    at: Option<(u32, u32)>,
    ty: CellType,
}

/// What follows a cell's opening tag, as far as it is read at once.
#[derive(Debug, PartialEq)]
enum Body {
    /// Nothing: the tag closes itself (`<c …/>`).
    Empty,
    /// `<v>…</v></c>`: the value's place in the buffer.
    Value(std::ops::Range<usize>),
    /// `<v>…</v></c>` in a shared string cell, the value plain digits:
    /// the index, read as the value was scanned.
    Index(u32),
    /// Anything else (an inline string, a formula, the end of the
    /// buffer), left to the tokens.
    Open,
}

/// The type a cell's `t` attribute gives.
fn cell_type(t: Option<&[u8]>) -> Result<CellType, Unsupported> {
    Ok(match t {
        None => CellType::Number,
        Some(b"n") => CellType::NumberDeclared,
        Some(b"s") => CellType::Shared,
        Some(b"str") => CellType::Str,
        Some(b"inlineStr") => CellType::Inline,
        Some(b"b") => CellType::Bool,
        Some(b"e") => CellType::Error,
        Some(b"d") => CellType::Date,
        Some(other) => {
            return unsupported(format!("cell type {}", String::from_utf8_lossy(other)));
        }
    })
}

/// The `r` and `t` attributes of a cell, in one pass.
fn cell_attrs(attrs: &[u8]) -> (Option<&[u8]>, Option<&[u8]>) {
    let (mut r, mut t) = (None, None);
    for (k, v) in Attrs(attrs) {
        match k {
            b"r" => r = Some(v),
            b"t" => t = Some(v),
            _ => {}
        }
    }
    (r, t)
}

/// The raw value of attribute `key` (exact name).
fn attr<'a>(attrs: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
    Attrs(attrs).find(|(k, _)| *k == key).map(|(_, v)| v)
}

/// The raw value of the first prefixed attribute whose local name is `key`
/// (`r:id`).
fn attr_local<'a>(attrs: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
    Attrs(attrs)
        .find(|(k, _)| k.contains(&b':') && local(k) == key)
        .map(|(_, v)| v)
}

/// Iterates `name="value"` pairs.
struct Attrs<'a>(&'a [u8]);

impl<'a> Iterator for Attrs<'a> {
    type Item = (&'a [u8], &'a [u8]);
    fn next(&mut self) -> Option<Self::Item> {
        let s = self.0;
        let start = s.iter().position(|b| !b.is_ascii_whitespace())?;
        let eq = start + s[start..].iter().position(|&b| b == b'=')?;
        let name = s[start..eq].trim_ascii_end();
        let q = eq + 1 + s[eq + 1..].iter().position(|b| !b.is_ascii_whitespace())?;
        let quote = s[q];
        if quote != b'"' && quote != b'\'' {
            return None;
        }
        let end = q + 1 + s[q + 1..].iter().position(|&b| b == quote)?;
        self.0 = &s[end + 1..];
        Some((name, &s[q + 1..end]))
    }
}

fn decode_attr(raw: &[u8]) -> Result<String, Unsupported> {
    let mut s = String::new();
    decode_text(raw, false, &mut s)?;
    Ok(s)
}

/// Appends XML text: UTF-8 checked, entities and character references
/// resolved, line ends normalized to `\n` (XML 1.0).
fn decode_text(raw: &[u8], cdata: bool, out: &mut String) -> Result<(), Unsupported> {
    let s = std::str::from_utf8(raw).map_err(|_| Unsupported("text is not UTF-8".into()))?;
    let plain = if cdata {
        memchr::memchr(b'\r', raw).is_none()
    } else {
        memchr::memchr2(b'&', b'\r', raw).is_none()
    };
    if plain {
        out.push_str(s);
        return Ok(());
    }
    let special: &[char] = if cdata { &['\r'] } else { &['&', '\r'] };
    let mut rest = s;
    while let Some(i) = rest.find(special) {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        if let Some(after) = rest.strip_prefix('\r') {
            out.push('\n');
            rest = after.strip_prefix('\n').unwrap_or(after);
            continue;
        }
        let Some(semi) = rest.find(';') else {
            return unsupported("an unterminated entity");
        };
        let entity = &rest[1..semi];
        match entity {
            "amp" => out.push('&'),
            "lt" => out.push('<'),
            "gt" => out.push('>'),
            "quot" => out.push('"'),
            "apos" => out.push('\''),
            _ => {
                let code = if let Some(hex) = entity.strip_prefix("#x") {
                    u32::from_str_radix(hex, 16).ok()
                } else if let Some(dec) = entity.strip_prefix('#') {
                    dec.parse().ok()
                } else {
                    None
                };
                match code.and_then(char::from_u32) {
                    Some(c) => out.push(c),
                    None => return unsupported(format!("entity &{entity};")),
                }
            }
        }
        rest = &rest[semi + 1..];
    }
    out.push_str(rest);
    Ok(())
}

/// Appends `text` with Excel's `_xHHHH_` escapes undone (`_x000D_` is a
/// carriage return); a lone surrogate becomes U+FFFD, as in calamine.
fn unescape_x(text: &str, out: &mut String) {
    let escape_at = |s: &str, i: usize| -> Option<u16> {
        let b = s.as_bytes().get(i..i + 7)?;
        if b[0] != b'_' || b[1] != b'x' || b[6] != b'_' {
            return None;
        }
        u16::from_str_radix(std::str::from_utf8(&b[2..6]).ok()?, 16).ok()
    };
    if !text.contains("_x") {
        out.push_str(text);
        return;
    }
    let bytes = text.as_bytes();
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        let Some(unit) = (bytes[i] == b'_').then(|| escape_at(text, i)).flatten() else {
            i += 1;
            continue;
        };
        out.push_str(&text[copied..i]);
        i += 7;
        match unit {
            0xD800..=0xDBFF => match escape_at(text, i) {
                Some(low @ 0xDC00..=0xDFFF) => {
                    let cp =
                        0x10000 + ((u32::from(unit) - 0xD800) << 10) + (u32::from(low) - 0xDC00);
                    out.push(char::from_u32(cp).unwrap_or(char::REPLACEMENT_CHARACTER));
                    i += 7;
                }
                _ => out.push(char::REPLACEMENT_CHARACTER),
            },
            0xDC00..=0xDFFF => out.push(char::REPLACEMENT_CHARACTER),
            _ => out.push(char::from_u32(u32::from(unit)).unwrap_or(char::REPLACEMENT_CHARACTER)),
        }
        copied = i;
    }
    out.push_str(&text[copied..]);
}

/// A cell's attributes, after `<c `, as Excel and most writers write them
/// — `r="B3"`, then ` s="…"` and ` t="…"` if given, in that order, in
/// double quotes — read straight through: the tag, whether it closes
/// itself, and what follows it.
fn excel_tag<'b>(b: &'b [u8], current: &RowDigits) -> Option<(CellTag, bool, &'b [u8])> {
    let (at, mut rest) = plain_ref(b.strip_prefix(b"r=\"")?, b'"', current)?;
    if let Some(tail) = rest.strip_prefix(b" s=\"") {
        rest = &tail[tail.iter().position(|&c| c == b'"')? + 1..];
    }
    let mut ty = CellType::Number;
    if let Some(tail) = rest.strip_prefix(b" t=\"") {
        let end = tail.iter().position(|&c| c == b'"')?;
        ty = match &tail[..end] {
            b"s" => CellType::Shared,
            t => cell_type(Some(t)).ok()?,
        };
        rest = &tail[end + 1..];
    }
    let at = Some(at);
    match rest {
        [b'>', tail @ ..] => Some((CellTag { at, ty }, false, tail)),
        [b'/', b'>', tail @ ..] => Some((CellTag { at, ty }, true, tail)),
        _ => None,
    }
}

/// A cell's attributes, after `<c `, in any order, separated by single
/// spaces, with single or double quotes: the tag, whether it closes itself,
/// and what follows it.
fn any_tag<'b>(b: &'b [u8], current: &RowDigits) -> Option<(CellTag, bool, &'b [u8])> {
    let mut rest = b;
    let (mut at, mut ty) = (None, CellType::Number);
    loop {
        // (Slice patterns: each step checks only the bytes it reads.)
        match rest {
            [b' ', tail @ ..] => rest = tail,
            [b'>', tail @ ..] => return Some((CellTag { at, ty }, false, tail)),
            [b'/', b'>', tail @ ..] => return Some((CellTag { at, ty }, true, tail)),
            [b'r', b'=', q @ (b'"' | b'\''), tail @ ..] => {
                let (place, tail) = plain_ref(tail, *q, current)?;
                at = Some(place);
                rest = tail;
            }
            [b't', b'=', q @ (b'"' | b'\''), tail @ ..] => {
                let end = tail.iter().position(|c| c == q)?;
                ty = cell_type(Some(&tail[..end])).ok()?;
                rest = &tail[end + 1..];
            }
            _ => rest = plain_attr(rest)?.2,
        }
    }
}

/// What follows a cell's opening tag, `b`, found at `at` in the buffer:
/// the [`Body`] read at once, and its length (none when left to the
/// tokens).
fn plain_body(b: &[u8], ty: CellType, at: usize) -> (Body, usize) {
    let Some(v) = b.strip_prefix(b"<v>") else {
        return (Body::Open, 0);
    };
    const END: &[u8] = b"</v></c>";
    if ty == CellType::Shared {
        // The index, as [`parse_u32`] reads it, read as it is scanned.
        let (mut i, mut rest) = (0u32, v);
        while let [d @ b'0'..=b'9', tail @ ..] = rest {
            i = i.wrapping_mul(10).wrapping_add(u32::from(d - b'0'));
            rest = tail;
        }
        let digits = v.len() - rest.len();
        if (1..=9).contains(&digits) && rest.starts_with(END) {
            return (Body::Index(i), 3 + digits + END.len());
        }
    }
    match plain_value(b) {
        Some(len) => (Body::Value(at + 3..at + 3 + len), 3 + len + END.len()),
        None => (Body::Open, 0),
    }
}

/// When `b` starts with `<v>…</v></c>`, the length of the value.
fn plain_value(b: &[u8]) -> Option<usize> {
    let body = b.strip_prefix(b"<v>")?;
    // (Values are short — digits, mostly —: no call to a search.)
    let lt = body.iter().position(|&c| c == b'<')?;
    body[lt..].starts_with(b"</v></c>").then_some(lt)
}

/// The cell reference at the start of `b` up to the closing `quote`, as
/// [`cell_ref`] reads it, and what follows the quote: read in one pass, as
/// the tag is scanned, its row matched at once when it is the `current`
/// one. (Too many letters or digits may wrap the numbers around before they
/// are refused.)
fn plain_ref<'b>(b: &'b [u8], quote: u8, current: &RowDigits) -> Option<((u32, u32), &'b [u8])> {
    let mut rest = b;
    let (mut col, mut letters) = (0u32, 0);
    // (Lower case letters, which no writer writes, are left to the tokens.)
    while let [l @ b'A'..=b'Z', tail @ ..] = rest {
        col = col.wrapping_mul(26).wrapping_add(u32::from(l - b'A' + 1));
        letters += 1;
        rest = tail;
    }
    if quote == b'"'
        && (1..=3).contains(&letters)
        && let Some(tail) = current.strip(rest)
    {
        return Some(((current.number, col - 1), tail));
    }
    let (mut row, mut digits) = (0u32, 0);
    while let [d @ b'0'..=b'9', tail @ ..] = rest {
        row = row.wrapping_mul(10).wrapping_add(u32::from(d - b'0'));
        digits += 1;
        rest = tail;
    }
    match rest {
        [q, tail @ ..]
            if *q == quote && (1..=3).contains(&letters) && (1..=9).contains(&digits) =>
        {
            Some(((row, col - 1), tail))
        }
        _ => None,
    }
}

/// A row number as its cells' references end in the XML — its digits and
/// a double quote (`12"`) — packed into a word, for the row of nearly every
/// cell to be matched with one comparison instead of read digit by digit.
struct RowDigits {
    number: u32,
    word: u64,
    mask: u64,
    len: usize,
}

impl RowDigits {
    fn new(number: u32) -> RowDigits {
        let digits = number.checked_ilog10().unwrap_or(0) as usize + 1;
        if digits > 7 {
            // Too long for the word: matches nothing (the digits are read).
            return RowDigits {
                number,
                word: 1,
                mask: 0,
                len: 0,
            };
        }
        let mut bytes = [0; 8];
        let mut n = number;
        for b in bytes[..digits].iter_mut().rev() {
            *b = b'0' + (n % 10) as u8;
            n /= 10;
        }
        bytes[digits] = b'"';
        let len = digits + 1;
        let mask = u64::MAX >> (64 - 8 * len);
        RowDigits {
            number,
            word: u64::from_le_bytes(bytes),
            mask,
            len,
        }
    }

    /// What follows the digits and quote when `b` starts with them (and
    /// has at least eight bytes).
    fn strip<'b>(&self, b: &'b [u8]) -> Option<&'b [u8]> {
        let head = u64::from_le_bytes(*b.first_chunk::<8>()?);
        (head & self.mask == self.word).then(|| &b[self.len..])
    }
}

/// The attribute written plainly at the start of `b` — a name without
/// white space in it (`r ="A1"` is left to the tokens), `=`, a quoted
/// value —: its name, its value and what follows.
fn plain_attr(b: &[u8]) -> Option<(&[u8], &[u8], &[u8])> {
    let eq = b
        .iter()
        .position(|&c| matches!(c, b'=' | b' ' | b'\t' | b'\r' | b'\n' | b'>' | b'/'))?;
    let (name, after) = b.split_at(eq);
    let [b'=', q @ (b'"' | b'\''), tail @ ..] = after else {
        return None;
    };
    if name.is_empty() {
        return None;
    }
    let end = tail.iter().position(|c| c == q)?;
    Some((name, &tail[..end], &tail[end + 1..]))
}

/// A row's tag, read by [`Scanner::plain_row`].
#[derive(Debug, PartialEq)]
enum RowTag {
    /// `<row …>`, with the row number it gives, if any.
    Start(Option<u32>),
    /// `</row>`.
    End,
}

/// One piece of XML.
enum Tok<'a> {
    Open {
        name: &'a [u8],
        attrs: &'a [u8],
        empty: bool,
    },
    Close {
        name: &'a [u8],
    },
    Text {
        raw: &'a [u8],
        cdata: bool,
    },
}

/// A pull scanner over XML read in chunks: each token must fit in the
/// buffer, which grows when one does not.
struct Scanner<R> {
    src: R,
    buf: Vec<u8>,
    pos: usize,
    end: usize,
    eof: bool,
}

impl<R: Read> Scanner<R> {
    fn new(src: R) -> Self {
        Scanner {
            src,
            buf: vec![0; 256 << 10],
            pos: 0,
            end: 0,
            eof: false,
        }
    }

    /// Reads more bytes, keeping those from `pos` on. False at the end.
    fn fill(&mut self) -> Result<bool, Unsupported> {
        if self.eof {
            return Ok(false);
        }
        if self.pos > 0 {
            self.buf.copy_within(self.pos..self.end, 0);
            self.end -= self.pos;
            self.pos = 0;
        }
        if self.end == self.buf.len() {
            let len = self.buf.len() * 2;
            self.buf.resize(len, 0);
        }
        loop {
            match self.src.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(false);
                }
                Ok(n) => {
                    self.end += n;
                    return Ok(true);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return unsupported(e.to_string()),
            }
        }
    }

    /// Finds `needle` at or after `from` (relative to `pos`), reading more
    /// as needed; the offset relative to `pos`.
    fn find(&mut self, from: usize, needle: &[u8]) -> Result<Option<usize>, Unsupported> {
        let mut searched = from;
        loop {
            let hay = &self.buf[self.pos + searched..self.end];
            let hit = if needle.len() == 1 {
                memchr::memchr(needle[0], hay)
            } else {
                memchr::memmem::find(hay, needle)
            };
            if let Some(i) = hit {
                return Ok(Some(searched + i));
            }
            searched = (self.end - self.pos)
                .saturating_sub(needle.len() - 1)
                .max(from);
            if !self.fill()? {
                return Ok(None);
            }
        }
    }

    /// The end of the tag opened at `pos` (the offset of its `>`), quotes
    /// respected.
    fn tag_end(&mut self) -> Result<Option<usize>, Unsupported> {
        let mut i = 1;
        let mut quote = 0u8;
        loop {
            while self.pos + i < self.end {
                let b = self.buf[self.pos + i];
                if quote != 0 {
                    if b == quote {
                        quote = 0;
                    }
                } else if b == b'>' {
                    return Ok(Some(i));
                } else if b == b'"' || b == b'\'' {
                    quote = b;
                }
                i += 1;
            }
            if !self.fill()? {
                return Ok(None);
            }
        }
    }

    /// When the bytes at the scan position are a cell's opening tag written
    /// plainly — `<c` and attributes separated by single spaces, all in the
    /// buffer — consumes it and gives what it says and, when `<v>…</v></c>`
    /// follows (as nearly always), the value, consumed too; else consumes
    /// nothing (the caller goes on token by token, which also reports what
    /// is wrong with the tag, if anything). One pass over the bytes: this
    /// is the reader's hottest path. (Always inlined into `scan`, as is
    /// [`put_shared`]: no call per cell, what it gives kept in registers.)
    #[inline(always)]
    fn plain_cell(&mut self, current: &RowDigits) -> Option<(CellTag, Body)> {
        let b = &self.buf[self.pos..self.end];
        let attrs = b.strip_prefix(b"<c ")?;
        let (tag, empty, rest) = excel_tag(attrs, current).or_else(|| any_tag(attrs, current))?;
        let body_at = self.pos + (b.len() - rest.len());
        let (body, len) = match empty {
            true => (Body::Empty, 0),
            false => plain_body(rest, tag.ty, body_at),
        };
        self.pos = body_at + len;
        Some((tag, body))
    }

    /// When the bytes at the scan position are a row's end tag, or its
    /// opening tag written plainly — `<row` and attributes separated by
    /// single spaces, a readable row number if any, all in the buffer —
    /// consumes it and gives which; else consumes nothing (the caller goes
    /// on token by token).
    fn plain_row(&mut self) -> Option<RowTag> {
        let b = &self.buf[self.pos..self.end];
        if b.starts_with(b"</row>") {
            self.pos += b"</row>".len();
            return Some(RowTag::End);
        }
        let mut rest = b.strip_prefix(b"<row")?;
        let mut number = None;
        loop {
            match rest {
                [b' ', tail @ ..] => rest = tail,
                [b'>', tail @ ..] | [b'/', b'>', tail @ ..] => {
                    rest = tail;
                    break;
                }
                _ => {
                    let (name, value, tail) = plain_attr(rest)?;
                    // The first `r` counts, as for the tokens.
                    if name == b"r" && number.is_none() {
                        number = Some(parse_u32(value)?);
                    }
                    rest = tail;
                }
            }
        }
        self.pos += b.len() - rest.len();
        Some(RowTag::Start(number))
    }

    /// When the bytes at the scan position are a shared string item of one
    /// plain run — `<si><t>…</t></si>`, the `<t>` perhaps with
    /// `xml:space="preserve"` — all in the buffer, consumes them and gives
    /// the text's place in the buffer and whether it is preserved; else
    /// consumes nothing.
    fn plain_item(&mut self) -> Option<(std::ops::Range<usize>, bool)> {
        const PRESERVED: &[u8] = b"<si><t xml:space=\"preserve\">";
        let b = &self.buf[self.pos..self.end];
        let (open, preserve) = if b.starts_with(b"<si><t>") {
            (7, false)
        } else if b.starts_with(PRESERVED) {
            (PRESERVED.len(), true)
        } else {
            return None;
        };
        let lt = open + memchr::memchr(b'<', &b[open..])?;
        if !b[lt..].starts_with(b"</t></si>") {
            return None;
        }
        let start = self.pos + open;
        let end = self.pos + lt;
        self.pos = end + b"</t></si>".len();
        Some((start..end, preserve))
    }

    /// When the bytes at the scan position are `<v>…</v></c>` — a cell's
    /// value as nearly every writer lays it out — consumes them and gives
    /// the value's place in the buffer; else consumes nothing (the caller
    /// goes on token by token).
    fn simple_value(&mut self) -> Option<std::ops::Range<usize>> {
        let len = plain_value(&self.buf[self.pos..self.end])?;
        let start = self.pos + 3;
        self.pos = start + len + b"</v></c>".len();
        Some(start..start + len)
    }

    fn next(&mut self) -> Result<Option<Tok<'_>>, Unsupported> {
        if self.pos == self.end && !self.fill()? {
            return Ok(None);
        }
        if self.buf[self.pos] != b'<' {
            let len = match self.find(0, b"<")? {
                Some(i) => i,
                None => self.end - self.pos,
            };
            let start = self.pos;
            self.pos += len;
            return Ok(Some(Tok::Text {
                raw: &self.buf[start..start + len],
                cdata: false,
            }));
        }
        // A tag: make sure its second byte is here.
        if self.pos + 1 >= self.end && !self.fill()? {
            return unsupported("XML ends inside a tag");
        }
        match self.buf[self.pos + 1] {
            b'?' => {
                let Some(i) = self.find(2, b"?>")? else {
                    return unsupported("unterminated processing instruction");
                };
                self.pos += i + 2;
                self.next()
            }
            b'!' => {
                while self.end - self.pos < 9 && self.fill()? {}
                let head = &self.buf[self.pos..self.end.min(self.pos + 9)];
                if head.starts_with(b"<!--") {
                    let Some(i) = self.find(4, b"-->")? else {
                        return unsupported("unterminated comment");
                    };
                    self.pos += i + 3;
                    self.next()
                } else if head.starts_with(b"<![CDATA[") {
                    let Some(i) = self.find(9, b"]]>")? else {
                        return unsupported("unterminated CDATA");
                    };
                    let start = self.pos + 9;
                    self.pos += i + 3;
                    Ok(Some(Tok::Text {
                        raw: &self.buf[start..start + i - 9],
                        cdata: true,
                    }))
                } else {
                    unsupported("a DOCTYPE or other declaration")
                }
            }
            b'/' => {
                let Some(i) = self.find(2, b">")? else {
                    return unsupported("XML ends inside a closing tag");
                };
                let start = self.pos;
                self.pos += i + 1;
                Ok(Some(Tok::Close {
                    name: self.buf[start + 2..start + i].trim_ascii(),
                }))
            }
            _ => {
                let Some(i) = self.tag_end()? else {
                    return unsupported("XML ends inside a tag");
                };
                let start = self.pos;
                self.pos += i + 1;
                let mut inner = &self.buf[start + 1..start + i];
                let empty = inner.last() == Some(&b'/');
                if empty {
                    inner = &inner[..inner.len() - 1];
                }
                let name_len = inner
                    .iter()
                    .position(|b| b.is_ascii_whitespace())
                    .unwrap_or(inner.len());
                Ok(Some(Tok::Open {
                    name: &inner[..name_len],
                    attrs: &inner[name_len..],
                    empty,
                }))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_references() {
        assert_eq!(cell_ref(b"A1"), Some((1, 0)));
        assert_eq!(cell_ref(b"AB12"), Some((12, 27)));
        assert_eq!(cell_ref(b"XFD1048576"), Some((1048576, 16383)));
        assert_eq!(cell_ref(b"12"), None);
        assert_eq!(cell_ref(b"A"), None);
        let d = merge_ref(b"B2:B5").unwrap();
        assert_eq!((d.start, d.end), ((1, 1), (4, 1)));
    }

    #[test]
    fn text_is_decoded_as_xml_says() {
        let mut s = String::new();
        decode_text(
            b"a &amp; b &lt;c&gt; &#20107;&#x9879;\r\nx\ry",
            false,
            &mut s,
        )
        .unwrap();
        assert_eq!(s, "a & b <c> 事项\nx\ny");
        let mut s = String::new();
        decode_text(b"&amp;", true, &mut s).unwrap();
        assert_eq!(s, "&amp;");
        assert!(decode_text(b"&bogus;", false, &mut String::new()).is_err());
        assert!(decode_text(b"a & b", false, &mut String::new()).is_err());
    }

    #[test]
    fn excel_escapes_are_undone() {
        let mut s = String::new();
        unescape_x("a_x000D_b_x_c_xD83D__xDE00_", &mut s);
        assert_eq!(s, "a\rb_x_c😀");
    }

    #[test]
    fn plainly_written_cells_are_read_at_once_and_others_left_to_the_tokens() {
        // What `plain_cell` gives — place, type, what follows the tag
        // (`/>`, `index 12`, `value 12` or `…` for the tokens) — and how far
        // it read, row 7 being read.
        type Read = (Option<(u32, u32)>, u8, String);
        let read = |xml: &[u8]| -> (Option<Read>, usize) {
            let mut sc = Scanner::new(xml);
            sc.fill().unwrap();
            let got = sc.plain_cell(&RowDigits::new(7)).map(|(t, body)| {
                let body = match body {
                    Body::Empty => "/>".to_string(),
                    Body::Index(i) => format!("index {i}"),
                    Body::Value(v) => format!("value {}", String::from_utf8_lossy(&sc.buf[v])),
                    Body::Open => "…".to_string(),
                };
                (t.at, t.ty as u8, body)
            });
            (got, sc.pos)
        };
        let shared = CellType::Shared as u8;
        let number = CellType::Number as u8;
        let string = CellType::Str as u8;
        let inline = CellType::Inline as u8;
        let cell = |at, ty, body: &str, len| (Some((at, ty, body.to_string())), len);
        // As Excel, WPS, rust_xlsxwriter write them; the next cell is not
        // read.
        let xml = br#"<c r="AB12" s="3" t="s"><v>1</v></c><c r="AC12"/>"#;
        assert_eq!(read(xml), cell(Some((12, 27)), shared, "index 1", 36));
        let xml = br#"<c r="B7" t="s"><v>46</v></c>"#;
        assert_eq!(read(xml), cell(Some((7, 1)), shared, "index 46", xml.len()));
        let xml = br#"<c r="C7"><v>2.5</v></c>"#;
        assert_eq!(
            read(xml),
            cell(Some((7, 2)), number, "value 2.5", xml.len())
        );
        let xml = br#"<c r="C7" s="1"/><c r="D7"/>"#;
        assert_eq!(read(xml), cell(Some((7, 2)), number, "/>", 17));
        // In any order, with either quote, with more spaces, with
        // attributes it does not know, however long.
        let xml = br#"<c t="s" r="C7"><v>12</v></c>"#;
        assert_eq!(read(xml), cell(Some((7, 2)), shared, "index 12", xml.len()));
        let xml = br#"<c r='B3' s='1'/>"#;
        assert_eq!(read(xml), cell(Some((3, 1)), number, "/>", xml.len()));
        let xml = br#"<c  t="s"  ><v>0</v></c>"#;
        assert_eq!(read(xml), cell(None, shared, "index 0", xml.len()));
        let xml = br#"<c r="A1" s="1" t="s" x="0123456789012345678901234567890123456789"/>"#;
        assert_eq!(read(xml), cell(Some((1, 0)), shared, "/>", xml.len()));
        // A value is given as written, to be decoded by the caller; so is a
        // shared string index that is not plain digits.
        let xml = br#"<c r="A1" t="str"><v>a&amp;b</v></c>"#;
        assert_eq!(
            read(xml),
            cell(Some((1, 0)), string, "value a&amp;b", xml.len())
        );
        for v in ["", " 1", "+1", "1234567890"] {
            let xml = format!(r#"<c r="A1" t="s"><v>{v}</v></c>"#);
            let body = format!("value {v}");
            let want = cell(Some((1, 0)), shared, &body, xml.len());
            assert_eq!(read(xml.as_bytes()), want, "{xml}");
        }
        // A cell holding more than `<v>` (an inline string, a formula), or
        // whose value is not all in the buffer: the tag alone is read, the
        // rest left to the tokens.
        for (xml, ty) in [
            (
                &br#"<c r="A1" t="inlineStr"><is><t>x</t></is></c>"#[..],
                inline,
            ),
            (br#"<c r="A1"><f>1+1</f><v>2</v></c>"#, number),
            (br#"<c r="A1" t="s"><v>2</v></x>"#, shared),
            (br#"<c r="A1"><v>2</v>"#, number),
            (br#"<c r="A1" t="s"><v>2</v>"#, shared),
        ] {
            let tag_len = xml.iter().position(|&b| b == b'>').unwrap() + 1;
            assert_eq!(
                read(xml),
                cell(Some((1, 0)), ty, "…", tag_len),
                "{}",
                String::from_utf8_lossy(xml)
            );
        }
        // Left to the tokens: another tag, white space other than single
        // spaces, an unknown type or a bad reference (reported there), an
        // unquoted value, a tag not all in the buffer.
        for xml in [
            &br#"<col min="1"/>"#[..],
            br#"<x:c r="A1"/>"#,
            br#"<c	r="A1"><v>1</v></c>"#,
            br#"<c r ="A1"><v>1</v></c>"#,
            br#"<c r="A1" t="x"><v>1</v></c>"#,
            br#"<c t="x" r="A1"><v>1</v></c>"#,
            br#"<c r="1A"><v>1</v></c>"#,
            br#"<c r="A1B"><v>1</v></c>"#,
            br#"<c r="ABCD1"><v>1</v></c>"#,
            br#"<c r="ABCDEFGHIJ1"><v>1</v></c>"#,
            br#"<c r="a1"><v>1</v></c>"#,
            br#"<c r="A12345678901234"><v>1</v></c>"#,
            br#"<c r="A1234567890"><v>1</v></c>"#,
            br#"<c r=A1><v>1</v></c>"#,
            br#"<c r="A1" t="s""#,
            br#"<c r="A1" t="s"/"#,
        ] {
            assert_eq!(read(xml), (None, 0), "{}", String::from_utf8_lossy(xml));
        }
    }

    #[test]
    fn references_in_the_current_row_are_matched_at_once_and_others_read() {
        let row_12 = RowDigits::new(12);
        assert_eq!(row_12.strip(br#"12" s="1">"#), Some(&br#" s="1">"#[..]));
        for other in [&br#"123" s="1">"#[..], br#"1" s="1">"#, br#"012" s="1">"#] {
            assert_eq!(row_12.strip(other), None);
        }
        // Fewer than eight bytes left: read digit by digit.
        assert_eq!(row_12.strip(br#"12">"#), None);
        // Either way, the same reference.
        for (current, r, row) in [
            (7, "7", 7),
            (7, "17", 17),
            (17, "7", 7),
            (7, "07", 7),
            (0, "0", 0),
            (1234567, "1234567", 1234567),
            (12345678, "12345678", 12345678),
            (12345678, "123456789", 123456789),
        ] {
            for quote in ['"', '\''] {
                let tag = format!("AB{r}{quote} t={quote}s{quote}>");
                let read = plain_ref(tag.as_bytes(), quote as u8, &RowDigits::new(current));
                let rest = format!(" t={quote}s{quote}>");
                assert_eq!(
                    read,
                    Some(((row, 27), rest.as_bytes())),
                    "{tag} in {current}"
                );
            }
        }
        assert_eq!(plain_ref(b"A1234567890\">", b'"', &RowDigits::new(7)), None);
    }

    #[test]
    fn plainly_written_row_tags_are_read_at_once_and_others_left_to_the_tokens() {
        let read = |xml: &[u8]| {
            let mut sc = Scanner::new(xml);
            sc.fill().unwrap();
            (sc.plain_row(), sc.pos)
        };
        assert_eq!(read(b"</row><row>"), (Some(RowTag::End), 6));
        assert_eq!(
            read(br#"<row r="12">"#),
            (Some(RowTag::Start(Some(12))), 12)
        );
        let excel = br#"<row r="3" spans="1:35" x14ac:dyDescent="0.25"><c"#;
        assert_eq!(read(excel), (Some(RowTag::Start(Some(3))), excel.len() - 2));
        assert_eq!(read(b"<row>"), (Some(RowTag::Start(None)), 5));
        assert_eq!(
            read(br#"<row ht='20' r='7'/>"#),
            (Some(RowTag::Start(Some(7))), 20)
        );
        // The first `r` counts, as for the tokens.
        assert_eq!(
            read(br#"<row r="2" r="x">"#),
            (Some(RowTag::Start(Some(2))), 17)
        );
        // Left to the tokens: another tag, a prefixed name, white space
        // other than single spaces, a bad row number (reported there), a
        // tag not all in the buffer.
        for xml in [
            &b"<rows>"[..],
            br#"<c r="A1"/>"#,
            br#"<x:row r="1">"#,
            b"</row >",
            br#"<row	r="1">"#,
            br#"<row r = "1">"#,
            br#"<row r="x">"#,
            br#"<row r="1""#,
        ] {
            assert_eq!(read(xml), (None, 0), "{}", String::from_utf8_lossy(xml));
        }
    }

    #[test]
    fn plain_integers_are_kept_as_written_and_others_parsed() {
        // Kept: what parsing and printing would give back unchanged.
        for v in ["0", "7", "46", "123456789012345"] {
            assert_eq!(plain_integer(v.as_bytes()), Some(v));
            let mut printed = String::new();
            push_float(&mut printed, v.parse().unwrap());
            assert_eq!(printed, v);
        }
        // Parsed: a sign, a leading zero, a fraction or exponent, white
        // space, 16 digits or more (not all exact), nothing.
        for v in [
            "-1",
            "+1",
            "007",
            "00",
            "1.5",
            "2.0",
            "1E3",
            " 1",
            "1 ",
            "1234567890123456",
            "",
        ] {
            assert_eq!(plain_integer(v.as_bytes()), None, "{v}");
        }
        // What a number cell reads as, either way.
        let strings = Strings::default();
        for (v, text) in [("46", "46"), ("007", "7"), ("2.0", "2"), ("0.5", "0.5")] {
            let mut out = String::new();
            assert!(finish_cell(CellType::Number, v, &strings, &mut out).unwrap());
            assert_eq!(out, text);
        }
    }

    #[test]
    fn scanner_handles_small_buffers_and_quotes() {
        // A reader that hands out one byte at a time exercises every refill.
        struct Trickle<'a>(&'a [u8]);
        impl Read for Trickle<'_> {
            fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
                if self.0.is_empty() || out.is_empty() {
                    return Ok(0);
                }
                out[0] = self.0[0];
                self.0 = &self.0[1..];
                Ok(1)
            }
        }
        let xml = br#"<?xml version="1.0"?><!-- c --><a x="1>2" y='q'><b/>t<![CDATA[<&>]]></a>"#;
        let mut sc = Scanner::new(Trickle(xml));
        sc.buf = vec![0; 4];
        let mut seen = Vec::new();
        while let Some(t) = sc.next().unwrap() {
            seen.push(match t {
                Tok::Open { name, attrs, empty } => format!(
                    "open {} {} {empty}",
                    String::from_utf8_lossy(name),
                    String::from_utf8_lossy(attr(attrs, b"x").unwrap_or(b"-"))
                ),
                Tok::Close { name } => format!("close {}", String::from_utf8_lossy(name)),
                Tok::Text { raw, cdata } => {
                    format!("text {} {cdata}", String::from_utf8_lossy(raw))
                }
            });
        }
        assert_eq!(
            seen,
            [
                "open a 1>2 false",
                "open b - true",
                "text t false",
                "text <&> true",
                "close a"
            ]
        );
    }
}

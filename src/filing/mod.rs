//! Reading filings: finding them (workbooks, CSV pairs, folders of both),
//! loading their sheets, locating header and columns, and parsing rows into
//! the item model — reporting every structural problem on the way; and
//! writing the standard workbook departments fill in ([`template`]).

pub mod cells;
mod conditions;
pub mod grid;
pub mod layout;
pub mod limits;
pub mod links;
pub mod parse;
pub mod sniff;
pub mod source;
pub mod template;
pub mod values;
pub mod xlsx;

use crate::diag::{Diagnostic, Rule, Sink};
use crate::model::{Entry, FeeItem, Filing, Material, Origin, Question};
use crate::standard::Standard;
use crate::standard::elements::{FeeField, Field, MaterialField, QuestionField, SheetDef};
use crate::text;
use source::{Grid, ReadError};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Extensions read as workbooks.
pub const WORKBOOK_EXTENSIONS: &[&str] = &["xlsx", "xlsm", "xls", "xlsb", "ods"];
/// A CSV filing is a pair of files whose names end so.
pub const CSV_ITEMS_SUFFIX: &str = "事项.csv";
pub const CSV_MATERIALS_SUFFIX: &str = "申请材料.csv";
/// The optional sheets of a CSV filing lie beside its 事项 file, named so.
pub const CSV_FEES_SUFFIX: &str = "收费项目.csv";
pub const CSV_QUESTIONS_SUFFIX: &str = "常见问题.csv";

/// One filing to read.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Input {
    /// A workbook file (or what stands where one was looked for: a folder
    /// that cannot be listed, a pipe — reported as unreadable).
    Workbook(PathBuf),
    /// A CSV pair; either half may be missing (reported as sheet-missing).
    Csv {
        items: Option<PathBuf>,
        materials: Option<PathBuf>,
    },
}

impl Input {
    /// The file the filing is known by in reports.
    pub fn display(&self) -> String {
        match self {
            Input::Workbook(p) => display_path(p),
            Input::Csv { items: Some(p), .. }
            | Input::Csv {
                materials: Some(p), ..
            } => display_path(p),
            Input::Csv { .. } => String::new(),
        }
    }
}

/// A path as reports show it: as given, with `/` separators.
pub fn display_path(p: &Path) -> String {
    // Workspace paths are absolute; under the current folder they read better
    // relative to it.
    // The current folder, resolved once per run (a catalog has a file an entry).
    static CWD: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    let cwd = CWD.get_or_init(|| std::env::current_dir().ok()?.canonicalize().ok());
    // (A load shows 100,000 entry files' paths: one under the current
    // folder, or elsewhere, in plain UTF-8 with no `\\`, `.` or empty name,
    // is its text, cut after the folder.)
    match shown_plainly(cwd.as_deref(), p) {
        Some(shown) => shown.to_string(),
        None => shown_generally(cwd.as_deref(), p),
    }
}

/// [`display_path`] of `p` with the current folder `cwd`, for any path.
fn shown_generally(cwd: Option<&Path>, p: &Path) -> String {
    let rel = cwd.and_then(|cwd| p.strip_prefix(cwd).ok());
    let p = rel.filter(|r| !r.as_os_str().is_empty()).unwrap_or(p);
    let s = p.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

/// [`display_path`] of `p` when its bytes are already what it shows: `p`
/// under `cwd` (as `Path::strip_prefix` cuts it) or not, and plain — UTF-8,
/// no `\\`, no empty or `.` name but a leading `/`, no `./` to drop.
fn shown_plainly<'p>(cwd: Option<&Path>, p: &'p Path) -> Option<&'p str> {
    let text = std::str::from_utf8(p.as_os_str().as_encoded_bytes()).ok()?;
    let plain = |t: &str| crate::fsx::is_plain_path(t.strip_prefix('/').unwrap_or(t));
    let cwd = cwd.map(|c| c.as_os_str().to_str()).unwrap_or(Some(""))?;
    let under = (!cwd.is_empty())
        .then(|| text.strip_prefix(cwd)?.strip_prefix('/'))
        .flatten();
    match under {
        Some(rel) => plain(rel).then_some(rel),
        // (Under the folder in any other way — the folder itself, or its
        // path not plain — is for the general case.)
        None if !text.starts_with(cwd) || cwd.is_empty() => plain(text).then_some(text),
        None => None,
    }
}

/// Finds the filings under the given paths: files as they are, folders
/// searched recursively for workbooks and CSV pairs (hidden files, Office
/// lock files `~$…` skipped; links to folders not followed, so no loop).
/// A folder that cannot be listed is handed on as an input of its own, to
/// be reported as unreadable with its name while the rest is checked; so
/// is a pipe or device named as a filing, which is never opened. The result
/// is sorted, so reports are stable.
pub fn discover(paths: &[PathBuf]) -> std::io::Result<Vec<Input>> {
    let mut inputs = Vec::new();
    let mut csv: Vec<PathBuf> = Vec::new();
    for p in paths {
        if p.is_dir() {
            walk(p, &mut inputs, &mut csv);
        } else if is_csv(p) {
            csv.push(p.clone());
            // One half named alone brings its other half along.
            if let Some(other) = partner_on_disk(p)
                && !csv.contains(&other)
                && !paths.contains(&other)
            {
                csv.push(other);
            }
        } else {
            inputs.push(Input::Workbook(p.clone()));
        }
    }
    inputs.extend(pair_csv(csv));
    inputs.sort();
    inputs.dedup();
    Ok(inputs)
}

fn is_csv(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"))
}

/// Searches `dir`; what cannot be listed — the folder, or an entry of it —
/// becomes an input that reading reports as unreadable.
fn walk(dir: &Path, inputs: &mut Vec<Input>, csv: &mut Vec<PathBuf>) {
    let listed = std::fs::read_dir(dir).and_then(|entries| entries.collect::<Result<Vec<_>, _>>());
    let mut entries = match listed {
        Ok(entries) => entries,
        Err(_) => {
            inputs.push(Input::Workbook(dir.to_path_buf()));
            return;
        }
    };
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || name.starts_with("~$") || is_annotation_name(&name) {
            continue;
        }
        // (The entry's own type: a link to a folder is not followed.)
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if is_dir {
            walk(&path, inputs, csv);
        } else if is_csv(&path) {
            // In a folder only the halves of CSV filings are filings (a
            // CSV named alone on the command line is read whatever its
            // name, see `pair_csv`).
            if name.ends_with(CSV_ITEMS_SUFFIX) || name.ends_with(CSV_MATERIALS_SUFFIX) {
                csv.push(path);
            }
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| WORKBOOK_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
        {
            inputs.push(Input::Workbook(path));
        }
    }
}

/// Whether a file is named as yima names a filing's annotated workbook
/// (`公安局（检查结果）.xlsx`, `公安局（检查结果 2）.xlsx`): its output, not a
/// filing, so a folder checked with `--annotate` into itself is not read
/// twice. Named on the command line, such a file is checked.
fn is_annotation_name(name: &str) -> bool {
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    let Some(inner) = stem.strip_suffix('）') else {
        return false;
    };
    let Some((_, tail)) = inner.rsplit_once('（') else {
        return false;
    };
    tail == "检查结果"
        || tail
            .strip_prefix("检查结果 ")
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Pairs `X事项.csv` with `X申请材料.csv` in the same folder. A CSV file
/// that is neither half (only ever one named on the command line: a folder
/// gives halves only) is a filing of its own, read as the 事项 half — which
/// of the two it holds is told by its header — so it is checked or
/// reported, never skipped.
fn pair_csv(files: Vec<PathBuf>) -> Vec<Input> {
    let stem = |p: &Path, suffix: &str| -> Option<(PathBuf, String)> {
        let name = p.file_name()?.to_str()?;
        let prefix = name.strip_suffix(suffix)?;
        Some((
            p.parent().map(Path::to_path_buf).unwrap_or_default(),
            prefix.to_string(),
        ))
    };
    let mut out: Vec<Input> = Vec::new();
    let mut materials: Vec<(PathBuf, String, PathBuf)> = files
        .iter()
        .filter_map(|p| stem(p, CSV_MATERIALS_SUFFIX).map(|(d, s)| (d, s, p.clone())))
        .collect();
    for p in &files {
        let Some((dir, prefix)) = stem(p, CSV_ITEMS_SUFFIX) else {
            continue;
        };
        let partner = materials
            .iter()
            .position(|(d, s, _)| *d == dir && trim_joiner(s) == trim_joiner(&prefix))
            .map(|i| materials.remove(i).2);
        out.push(Input::Csv {
            items: Some(p.clone()),
            materials: partner,
        });
    }
    out.extend(materials.into_iter().map(|(_, _, p)| Input::Csv {
        items: None,
        materials: Some(p),
    }));
    let is_half = |p: &Path| {
        p.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.ends_with(CSV_ITEMS_SUFFIX) || n.ends_with(CSV_MATERIALS_SUFFIX))
    };
    out.extend(files.iter().filter(|p| !is_half(p)).map(|p| Input::Csv {
        items: Some(p.clone()),
        materials: None,
    }));
    out
}

/// The other half of a CSV pair, looked for beside it.
fn partner_on_disk(p: &Path) -> Option<PathBuf> {
    let name = p.file_name()?.to_str()?;
    let (prefix, want) = match name.strip_suffix(CSV_ITEMS_SUFFIX) {
        Some(prefix) => (prefix, CSV_MATERIALS_SUFFIX),
        None => (name.strip_suffix(CSV_MATERIALS_SUFFIX)?, CSV_ITEMS_SUFFIX),
    };
    beside(p, prefix, want)
}

/// The optional sheet of a CSV filing beside its 事项 file `items`:
/// `民政局-事项.csv` → `民政局-收费项目.csv`.
fn csv_beside(items: &Path, suffix: &str) -> Option<PathBuf> {
    let name = items.file_name()?.to_str()?;
    beside(items, name.strip_suffix(CSV_ITEMS_SUFFIX)?, suffix).filter(|f| f.is_file())
}

/// The first file (by name) in `p`'s folder named `prefix` and `suffix`,
/// the prefix's trailing joiner aside.
fn beside(p: &Path, prefix: &str, suffix: &str) -> Option<PathBuf> {
    let prefix = trim_joiner(prefix);
    let dir = p
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let n = e.file_name().to_str()?.to_string();
            let other = n.strip_suffix(suffix)?;
            (trim_joiner(other) == prefix).then(|| p.with_file_name(&n))
        })
        .collect();
    found.sort();
    found.into_iter().next()
}

/// `民政局-` and `民政局_` and `民政局` name the same pair.
fn trim_joiner(s: &str) -> &str {
    s.trim_end_matches(['-', '_', ' ', '·', '—'])
}

/// Reads and parses one filing; every problem goes to the sink. The two
/// sheets are read and parsed at once, each on its own thread.
pub fn read(input: &Input, standard: &Standard, sink: &mut Sink) -> Filing {
    let mut entries: Vec<Entry> = Vec::new();
    let mut materials: Vec<Box<Material>> = Vec::new();
    let mut filing = Filing {
        file: Arc::from(input.display()),
        ..Filing::default()
    };
    let Some(outline) = read_with(
        input,
        standard,
        sink,
        usize::MAX,
        &mut |p| p.collect_into(&mut entries),
        &mut |p| p.collect_into(&mut materials),
    ) else {
        return filing;
    };
    filing.material_count = materials.len();
    filing.materials_known = outline.materials_known();
    links::link_whole(
        &mut entries,
        materials,
        outline.fees,
        outline.questions,
        outline.items_linkable,
        sink,
    );
    filing.entries = entries;
    filing
}

/// What a sheet's parser hands over as it goes.
pub enum Parsed<T> {
    /// About how many rows the sheet holds, before any is handed over (as
    /// the sheet declares it: a guide to how far reading has come, not a
    /// count to rely on).
    Size(usize),
    /// Rows parsed, in sheet order.
    Rows(Vec<T>),
    /// What was handed over so far is void: the sheet is parsed again from
    /// its first row (the streamed reading could not be faithful to it —
    /// rows out of order, or cells merged down, known only at its end).
    Restart,
    /// The sheet is read: nothing more comes (but a [`Parsed::Restart`] if
    /// the file turns out unreadable).
    End,
}

impl<T> Parsed<T> {
    /// Keeps the rows in `all`, forgetting them on a restart.
    pub fn collect_into(self, all: &mut Vec<T>) {
        match self {
            Parsed::Rows(rows) if all.is_empty() => *all = rows,
            Parsed::Rows(rows) => all.extend(rows),
            Parsed::Restart => all.clear(),
            Parsed::Size(_) | Parsed::End => {}
        }
    }
}

/// Says [`Parsed::End`] when a sheet's parsing is over, however it ends —
/// even by a panic, so that a thread waiting for the other sheet's rows is
/// not left waiting.
struct Ending<'a, T>(&'a mut (dyn FnMut(Parsed<T>) + Send));

impl<T> Drop for Ending<'_, T> {
    fn drop(&mut self) {
        (self.0)(Parsed::End);
    }
}

/// A filing as [`read_with`] leaves it: whether its rows can be linked, and
/// the rows of its optional sheets (收费项目, 常见问题), read whole before
/// its entries.
#[derive(Debug, Default)]
pub struct Outline {
    /// The 事项 sheet was read with its 序号 column.
    pub items_linkable: bool,
    /// The 申请材料 sheet was read with its 事项序号 column.
    pub materials_linkable: bool,
    pub fees: Vec<Box<FeeItem>>,
    pub questions: Vec<Box<Question>>,
}

impl Outline {
    /// Whether materials can be linked to entries, so that an entry
    /// without any is known to have none.
    pub fn materials_known(&self) -> bool {
        self.items_linkable && self.materials_linkable
    }
}

/// Reads and parses one filing without holding it: the entries go to
/// `on_entries` and the materials to `on_materials`, a chunk of at most
/// `chunk` rows at a time as they are read (each on the thread reading its
/// sheet), and the sheets' own findings to the sink. What comes after the
/// rows — linking them by 序号 ([`links`]) — is the caller's.
/// None when the file cannot be read at all (reported as file-unreadable).
pub fn read_with(
    input: &Input,
    standard: &Standard,
    sink: &mut Sink,
    chunk: usize,
    on_entries: &mut (dyn FnMut(Parsed<Entry>) + Send),
    on_materials: &mut (dyn FnMut(Parsed<Box<Material>>) + Send),
) -> Option<Outline> {
    let file: Arc<str> = Arc::from(input.display());
    let def_items = &standard.elements.items;
    let def_materials = &standard.elements.materials;
    let mut loaded = load(input, standard, sink)?;
    let items_grid = loaded.take(loaded.items_at);
    let materials_grid = loaded.take(loaded.materials_at);
    let fees_grid = loaded.take(loaded.fees_at);
    let questions_grid = loaded.take(loaded.questions_at);
    let (book, heads) = (loaded.book.as_ref(), &loaded.heads);
    // The optional sheets are small: read whole, first, so that the
    // entries know which of them have fee items.
    let mut fees: Vec<Box<FeeItem>> = Vec::new();
    let mut questions: Vec<Box<Question>> = Vec::new();
    let optional = (|| {
        let (_, fees_sink) = parse_sheet(
            book,
            heads,
            loaded.fees_at,
            fees_grid,
            &standard.elements.fees,
            FeeField::ItemSeq,
            |t| parse::fee_parser(t, standard),
            usize::MAX,
            &mut |p| p.collect_into(&mut fees),
        )?;
        let (_, questions_sink) = parse_sheet(
            book,
            heads,
            loaded.questions_at,
            questions_grid,
            &standard.elements.questions,
            QuestionField::ItemSeq,
            |t| parse::question_parser(t, standard),
            usize::MAX,
            &mut |p| p.collect_into(&mut questions),
        )?;
        Ok::<_, ReadError>((fees_sink, questions_sink))
    })();
    let (fees_sink, questions_sink) = match optional {
        Ok(sinks) => sinks,
        Err(e) => {
            if let Input::Workbook(p) = input {
                unreadable(sink, p, e);
            }
            on_entries(Parsed::End);
            on_materials(Parsed::End);
            return None;
        }
    };
    let fee_seqs = parse::fee_seqs(&fees);
    let (items, materials) = rayon::join(
        || {
            let end = Ending(on_entries);
            parse_sheet(
                book,
                heads,
                loaded.items_at,
                items_grid,
                def_items,
                Field::Seq,
                |t| parse::entry_parser(t, standard).with_fees(&fee_seqs),
                chunk,
                &mut *end.0,
            )
        },
        || {
            let end = Ending(on_materials);
            parse_sheet(
                book,
                heads,
                loaded.materials_at,
                materials_grid,
                def_materials,
                MaterialField::ItemSeq,
                |t| parse::material_parser(t, standard),
                chunk,
                &mut *end.0,
            )
        },
    );
    let ((items_linkable, items_sink), (materials_linkable, materials_sink)) =
        match (items, materials) {
            (Ok(i), Ok(m)) => (i, m),
            (Err(e), _) | (_, Err(e)) => {
                if let Input::Workbook(p) = input {
                    unreadable(sink, p, e);
                }
                // Nothing of the file counts: forget what was handed over.
                on_entries(Parsed::Restart);
                on_materials(Parsed::Restart);
                return None;
            }
        };
    sink.extend(fees_sink);
    sink.extend(questions_sink);
    sink.extend(items_sink);
    // A CSV filing missing a half names the file that would complete it.
    let lone = match input {
        Input::Csv {
            items: Some(p),
            materials: None,
        }
        | Input::Csv {
            items: None,
            materials: Some(p),
        } => Some(p.as_path()),
        _ => None,
    };
    if loaded.items_at.is_none() {
        match lone {
            Some(p) => csv_half_missing(sink, p, &def_items.sheet),
            None => sheet_missing(
                sink,
                Origin::file(file.clone()),
                &def_items.sheet,
                &loaded.heads,
            ),
        }
    }
    sink.extend(materials_sink);
    if loaded.materials_at.is_none() {
        let f = match input {
            Input::Csv {
                materials: Some(p), ..
            } => Arc::from(display_path(p)),
            _ => file.clone(),
        };
        match lone {
            Some(p) => csv_half_missing(sink, p, &def_materials.sheet),
            None => sheet_missing(sink, Origin::file(f), &def_materials.sheet, &loaded.heads),
        }
    }
    Some(Outline {
        items_linkable,
        materials_linkable,
        fees,
        questions,
    })
}

/// Parses one of a filing's sheets, at `at` among its sheets (None: it has
/// none): a workbook's streamed as it is read when it can be, else read
/// whole; a CSV file's from `grid`, read already. The rows go to `out` in
/// chunks of at most `chunk`. Gives whether the key column is there, and
/// the findings.
#[allow(clippy::too_many_arguments)]
fn parse_sheet<'s, F, T>(
    book: Option<&source::Book>,
    heads: &[Grid],
    at: Option<usize>,
    grid: Option<Grid>,
    def: &SheetDef<F>,
    key: F,
    make: impl Fn(&layout::Table<'_, F>) -> parse::RowParser<'s, F, T>,
    chunk: usize,
    out: &mut dyn FnMut(Parsed<T>),
) -> Result<(bool, Sink), ReadError>
where
    F: Copy + PartialEq + layout::FieldId + 'static,
{
    let mut sink = Sink::default();
    let Some(at) = at else {
        return Ok((false, sink));
    };
    if let Some(b) = book {
        match streamed(b, at, &heads[at], def, key, &make, chunk, out) {
            Some(done) => return done,
            // Read again whole, below.
            None => out(Parsed::Restart),
        }
    }
    let grid = match book {
        Some(b) => Some(b.sheet(at)?),
        None => grid,
    };
    let Some(grid) = grid else {
        return Ok((false, sink));
    };
    let Some(t) = layout::map_columns(&grid, def, &mut sink) else {
        return Ok((false, sink));
    };
    let rows = make(&t).grid_rows(&t, &mut sink);
    out(Parsed::Size(rows.len()));
    if rows.len() <= chunk {
        out(Parsed::Rows(rows));
    } else {
        let mut rows = rows.into_iter();
        loop {
            let part: Vec<T> = rows.by_ref().take(chunk).collect();
            if part.is_empty() {
                break;
            }
            out(Parsed::Rows(part));
        }
    }
    Ok((t.column(key).is_some(), sink))
}

/// Parses a workbook sheet row by row as it is read, without holding the
/// sheet: the header is found in the sheet's first rows (`head`), then each
/// row goes to the parser `make` gives, and the parsed rows to `out`, a
/// chunk at a time. None when that cannot be done faithfully — the
/// dedicated reader cannot read the workbook, no header in the first rows,
/// rows out of order, or cells merged down (they fill the rows below) — and
/// the caller reads the sheet whole instead. Gives whether the key column is
/// there, and the findings.
#[allow(clippy::too_many_arguments)]
fn streamed<'s, F, T>(
    book: &source::Book,
    at: usize,
    head: &Grid,
    def: &SheetDef<F>,
    key: F,
    make: &impl Fn(&layout::Table<'_, F>) -> parse::RowParser<'s, F, T>,
    chunk: usize,
    out: &mut dyn FnMut(Parsed<T>),
) -> Option<Result<(bool, Sink), ReadError>>
where
    F: Copy + PartialEq + layout::FieldId + 'static,
{
    let mut sink = Sink::default();
    let table = layout::map_columns(head, def, &mut sink)?;
    let linkable = table.column(key).is_some();
    let mut parser = make(&table);
    let mut last = 0;
    let mut in_order = true;
    let merges = book.stream(at, &mut |event| {
        let row = match event {
            xlsx::Scanned::LastRow(n) => {
                // Room for every row the sheet declares (or a chunk), so
                // the parsed rows are not copied as they grow (capped
                // against a lying declaration).
                let rows = n.saturating_sub(table.header_row()).min(1 << 20) as usize;
                parser.reserve(rows.min(chunk));
                out(Parsed::Size(rows));
                return true;
            }
            xlsx::Scanned::Row(row) => row,
        };
        in_order = row.number > last;
        last = row.number;
        if in_order {
            parser.row(&table, row, &mut sink);
            if parser.out.len() >= chunk {
                let full = std::mem::replace(&mut parser.out, Vec::with_capacity(chunk));
                out(Parsed::Rows(full));
            }
        }
        in_order
    })?;
    // (A sheet read only in part, out of order, may be damaged further
    // on: the whole read says so.)
    let merges = match merges {
        Ok(m) => m,
        Err(e) if in_order => return Some(Err(e)),
        Err(_) => return None,
    };
    if !in_order || merges.iter().any(|m| m.end.0 > m.start.0) {
        return None;
    }
    if !parser.out.is_empty() {
        out(Parsed::Rows(parser.out));
    }
    Some(Ok((linkable, sink)))
}

fn sheet_missing(sink: &mut Sink, origin: Origin, sheet: &str, grids: &[Grid]) {
    let names = grids
        .iter()
        .map(|g| g.name.to_string())
        .collect::<Vec<_>>()
        .join("、");
    let names = if names.is_empty() {
        "（无）".to_string()
    } else {
        names
    };
    sink.push(
        Diagnostic::new(
            Rule::SheetMissing,
            origin,
            text!("找不到“{sheet}”工作表", "no `{sheet}` sheet found"),
        )
        .value(names.clone())
        .help(text!(
            "填报表应有“事项”和“申请材料”两个工作表（现有：{names}）；请用 yima template 生成的模板填写。",
            "a filing has two sheets, 事项 and 申请材料 (found: {names}); start from the workbook `yima template` writes."
        )),
    );
}

/// A CSV filing of one file: sheet-missing at that file, naming the file
/// that would complete the pair (and the name the file itself should have
/// when it is neither half).
fn csv_half_missing(sink: &mut Sink, present: &Path, sheet: &str) {
    let name = present
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (prefix, named) = match name
        .strip_suffix(CSV_ITEMS_SUFFIX)
        .or_else(|| name.strip_suffix(CSV_MATERIALS_SUFFIX))
    {
        Some(prefix) => (prefix.to_string(), true),
        None => {
            let stem = name.rsplit_once('.').map_or(name.as_str(), |(s, _)| s);
            (format!("{stem}-"), false)
        }
    };
    let expected = format!("{prefix}{sheet}.csv");
    let (zh_rename, en_rename) = if named {
        (String::new(), String::new())
    } else {
        let other = if sheet == "事项" {
            "申请材料"
        } else {
            "事项"
        };
        (
            format!(
                "本文件的名称也不以“事项.csv”或“申请材料.csv”结尾，请改名为 {prefix}{other}.csv。"
            ),
            format!(
                " This file's own name ends in neither 事项.csv nor 申请材料.csv: rename it {prefix}{other}.csv."
            ),
        )
    };
    sink.push(
        Diagnostic::new(
            Rule::SheetMissing,
            Origin::file(Arc::from(display_path(present))),
            text!(
                "缺少 CSV 填报的另一个文件：{expected}（“{sheet}”表）",
                "the other file of this CSV filing is missing: {expected} (sheet `{sheet}`)"
            ),
        )
        .value(expected.clone())
        .help(text!(
            "CSV 填报由同一文件夹中前缀相同的两个文件组成：…事项.csv 与 …申请材料.csv（如 公安-事项.csv 与 公安-申请材料.csv）。请把 {expected} 放在 {name} 旁边。{zh_rename}",
            "a CSV filing is two files with one prefix in one folder: …事项.csv and …申请材料.csv (as 公安-事项.csv and 公安-申请材料.csv). Put {expected} beside {name}.{en_rename}"
        )),
    );
}

/// A filing opened: the first rows of each sheet (a CSV file's whole
/// sheet), which of them hold 事项 and 申请材料, and the workbook to read
/// those two from.
struct Loaded {
    heads: Vec<Grid>,
    items_at: Option<usize>,
    materials_at: Option<usize>,
    /// The optional sheets 收费项目 and 常见问题.
    fees_at: Option<usize>,
    questions_at: Option<usize>,
    book: Option<source::Book>,
}

impl Loaded {
    /// Takes a CSV sheet's rows out (a workbook's are read in full later).
    fn take(&mut self, at: Option<usize>) -> Option<Grid> {
        if self.book.is_some() {
            return None;
        }
        let g = &mut self.heads[at?];
        Some(Grid {
            file: g.file.clone(),
            name: g.name.clone(),
            rows: std::mem::take(&mut g.rows),
            yaml: g.yaml,
        })
    }
}

/// Reports a file that cannot be read as file-unreadable.
fn unreadable(sink: &mut Sink, path: &Path, e: ReadError) {
    let file: Arc<str> = Arc::from(display_path(path));
    sink.push(
        Diagnostic::new(Rule::FileUnreadable, Origin::file(file), e.describe()).help(e.help()),
    );
}

/// Opens a filing; a file that cannot be read is reported as
/// file-unreadable and gives nothing. Of a workbook only the first rows of
/// each sheet are read here, to find the filing's two sheets.
fn load(input: &Input, standard: &Standard, sink: &mut Sink) -> Option<Loaded> {
    let def_items = &standard.elements.items;
    let def_materials = &standard.elements.materials;
    let pick = |grids: &[Grid]| {
        let items_at = layout::pick_sheet(grids, def_items, def_materials, &[]);
        let materials_at = layout::pick_sheet(grids, def_materials, def_items, &[items_at]);
        let (fees, questions) = (&standard.elements.fees, &standard.elements.questions);
        let fees_at = layout::pick_sheet(grids, fees, def_materials, &[items_at, materials_at]);
        let questions_at =
            layout::pick_sheet(grids, questions, fees, &[items_at, materials_at, fees_at]);
        (items_at, materials_at, fees_at, questions_at)
    };
    match input {
        Input::Workbook(p) => {
            let display: Arc<str> = Arc::from(display_path(p));
            let read = || -> Result<Loaded, ReadError> {
                let book = source::Book::open(p, &display)?;
                let heads = book.heads(layout::HEADER_SEARCH_ROWS)?;
                let (items_at, materials_at, fees_at, questions_at) = pick(&heads);
                Ok(Loaded {
                    heads,
                    items_at,
                    materials_at,
                    fees_at,
                    questions_at,
                    book: Some(book),
                })
            };
            match read() {
                Ok(loaded) => Some(loaded),
                Err(e) => {
                    unreadable(sink, p, e);
                    None
                }
            }
        }
        Input::Csv { items, materials } => {
            let mut grids = Vec::new();
            let mut ok = true;
            let beside = |suffix: &str| items.as_deref().and_then(|p| csv_beside(p, suffix));
            let (fees, questions) = (beside(CSV_FEES_SUFFIX), beside(CSV_QUESTIONS_SUFFIX));
            let halves = [
                (items.as_ref(), "事项"),
                (materials.as_ref(), "申请材料"),
                (fees.as_ref(), "收费项目"),
                (questions.as_ref(), "常见问题"),
            ];
            for (path, sheet) in halves {
                let Some(p) = path else { continue };
                let display: Arc<str> = Arc::from(display_path(p));
                match source::read_csv(p, &display, sheet) {
                    Ok(g) => grids.push(g),
                    Err(e) => {
                        unreadable(sink, p, e);
                        ok = false;
                    }
                }
            }
            if !ok {
                return None;
            }
            let (items_at, materials_at, fees_at, questions_at) = pick(&grids);
            Some(Loaded {
                heads: grids,
                items_at,
                materials_at,
                fees_at,
                questions_at,
                book: None,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_shown_plainly_is_shown_as_the_general_case_shows_it() {
        let cwd = Path::new("/work/ws");
        let paths = [
            "/work/ws/items/a/b.yaml",
            "/work/ws",
            "/work/ws/",
            "/work/wsx/a.yaml",
            "/work/./ws/a.yaml",
            "/work//ws/a.yaml",
            "/work/ws/./a.yaml",
            "/work/ws/a//b.yaml",
            "/work/ws/../a.yaml",
            "/elsewhere/a.yaml",
            "items/a.yaml",
            "./items/a.yaml",
            "a\\b.yaml",
            "/",
            "",
            "事项/填报表.xlsx",
        ];
        let mut plain = 0;
        for cwd in [Some(cwd), Some(Path::new("/")), None] {
            for p in paths.map(Path::new) {
                let general = shown_generally(cwd, p);
                if let Some(shown) = shown_plainly(cwd, p) {
                    assert_eq!(shown, general, "{p:?} under {cwd:?}");
                    plain += 1;
                }
            }
        }
        // (The common cases take the short way.)
        assert_eq!(
            shown_plainly(Some(cwd), Path::new("/work/ws/items/a/b.yaml")),
            Some("items/a/b.yaml")
        );
        assert_eq!(
            shown_plainly(None, Path::new("事项/填报表.xlsx")),
            Some("事项/填报表.xlsx")
        );
        assert!(plain >= 10, "{plain}");
    }
}

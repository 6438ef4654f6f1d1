//! The catalogs by level (事项目录, SPEC §5): one workbook per 行使层级 and one
//! of 转报件, each formatted for reading and printing, plus the whole catalog
//! as `catalog.xlsx` (to open in Excel or WPS: its codes are text and stay
//! whole), `catalog.csv` (for programs: Excel turns its 31-digit codes into
//! numbers like 1.14313210072392E+30) and `catalog.json` (for other tools).
//!
//! What lands in the build root:
//!
//! ```text
//! catalogs/市本级事项目录.xlsx   entries of 行使层级 市级
//! catalogs/县级事项目录.xlsx     县级, one sheet per county
//! catalogs/乡级事项目录.xlsx     乡级, one sheet per county (the towns under it)
//! catalogs/村级事项目录.xlsx     村级, one sheet per county (the villages under it)
//! catalogs/转报件目录.xlsx       entries with 是否转报 = 是, every level
//! catalog.xlsx                  every entry, the workbook columns, codes as text
//! catalog.csv                   every entry, the workbook columns, UTF-8 with BOM
//! catalog.json                  every entry in full, versioned
//! ```
//!
//! No cell is ever a formula: workbook text is written as string cells (with
//! Excel's quote prefix when it starts with = + - @), and CSV text that starts
//! with one of them is prefixed with `'` (see [`defuse_csv`]). The columns and
//! these choices are documented in `docs/formats.md`.

mod csv_file;
mod json;
mod package;
mod rows;
mod workbook;

pub use workbook::HEADER_ROW;

use super::{BuildContext, Plan, PublishError};
use crate::catalog::CatalogEntry;
use crate::catalog::entry::StatutoryDays;
use crate::standard::Standard;
use crate::standard::divisions::Divisions;
use crate::standard::tables::DivisionKind;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use workbook::Book;

/// The folder of the workbooks, inside the build root.
pub const CATALOG_DIR: &str = "catalogs";
/// The catalog as CSV, inside the build root.
pub const CSV_FILE: &str = "catalog.csv";
/// The whole catalog as one workbook, inside the build root.
pub const XLSX_FILE: &str = "catalog.xlsx";
/// The catalog as JSON, inside the build root.
pub const JSON_FILE: &str = "catalog.json";
/// The workbook of 转报件 (是否转报 = 是), inside [`CATALOG_DIR`].
pub const FORWARDED_FILE: &str = "转报件目录.xlsx";
/// The version of `catalog.json`'s format.
pub const JSON_VERSION: u32 = 1;

/// One of the four catalogs by level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LevelCatalog {
    /// The file name inside [`CATALOG_DIR`].
    pub file: &'static str,
    /// The catalog's title.
    pub title: &'static str,
    /// The kind of division its 行使层级 goes with (the `division` flag of the
    /// `level` code table), which is how an entry finds its catalog.
    pub kind: DivisionKind,
}

/// The catalogs by level, city first.
pub const LEVEL_CATALOGS: [LevelCatalog; 4] = [
    LevelCatalog {
        file: "市本级事项目录.xlsx",
        title: "市本级事项目录",
        kind: DivisionKind::City,
    },
    LevelCatalog {
        file: "县级事项目录.xlsx",
        title: "县级事项目录",
        kind: DivisionKind::County,
    },
    LevelCatalog {
        file: "乡级事项目录.xlsx",
        title: "乡级事项目录",
        kind: DivisionKind::Town,
    },
    LevelCatalog {
        file: "村级事项目录.xlsx",
        title: "村级事项目录",
        kind: DivisionKind::Village,
    },
];

/// The catalog by level an entry belongs in, from its 行使层级.
pub fn level_catalog(level: &str, standard: &Standard) -> Option<&'static LevelCatalog> {
    let kind = standard.tables.table("level").lookup(level)?.division?;
    LEVEL_CATALOGS.iter().find(|c| c.kind == kind)
}

/// `catalog.json` as written: every entry in full, in 实施编码 order, and the
/// release it belongs to. Keys keep the order of the types, so the same
/// catalog gives the same bytes.
#[derive(Debug, Serialize)]
pub struct CatalogJson<'a> {
    pub version: u32,
    pub entries: &'a [&'a CatalogEntry],
    /// Last: everything before it is the same in a build and in the
    /// release of the same entries.
    pub release: &'a str,
}

/// `catalog.json` as read back (by release change logs, the site).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogDocument {
    pub version: u32,
    pub release: String,
    pub entries: Vec<CatalogEntry>,
}

/// The text of `catalog.json` (pretty-printed, ending in a newline).
pub fn catalog_json(release: &str, entries: &[&CatalogEntry]) -> String {
    let mut v = Vec::new();
    write_catalog_json(&mut v, release, entries).expect("writing to memory cannot fail");
    String::from_utf8(v).expect("serde_json writes UTF-8")
}

/// Writes [`catalog_json`]'s text to `w` as it is made (407 MB at 100,000
/// entries: never held in memory whole).
pub fn write_catalog_json(
    w: &mut dyn std::io::Write,
    release: &str,
    entries: &[&CatalogEntry],
) -> std::io::Result<()> {
    let doc = CatalogJson {
        version: JSON_VERSION,
        release,
        entries,
    };
    serde_json::to_writer_pretty(&mut *w, &doc)?;
    w.write_all(b"\n")
}

/// Reads a `catalog.json`.
pub fn read_catalog_json(text: &str) -> Result<CatalogDocument, serde_json::Error> {
    serde_json::from_str(text)
}

/// One cell of the catalog tables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Text(String),
    Number(u32),
    Blank,
}

/// What a column's value is computed from.
pub struct RowContext<'a> {
    /// 序号: the entry's position in its sheet (or file), from 1.
    pub seq: usize,
    pub entry: &'a CatalogEntry,
    pub divisions: &'a Divisions,
}

/// One column of the catalog (the same in every workbook and in the CSV).
pub struct Column {
    pub header: &'static str,
    /// Width in Excel character units.
    pub width: f64,
    pub value: fn(&RowContext<'_>) -> Cell,
}

/// Columns of codes: formatted as text in the workbooks, so a code someone
/// types or pastes there stays a code, never a number.
const CODE_COLUMNS: &[&str] = &["基本编码", "实施编码", "实施主体编码", "行政区划代码"];

fn text(s: &str) -> Cell {
    if s.is_empty() {
        Cell::Blank
    } else {
        Cell::Text(s.to_string())
    }
}

fn opt_text(s: &Option<String>) -> Cell {
    s.as_deref().map_or(Cell::Blank, text)
}

fn yes_no(b: Option<bool>) -> Cell {
    match b {
        Some(true) => text("是"),
        Some(false) => text("否"),
        None => Cell::Blank,
    }
}

fn number(n: Option<u32>) -> Cell {
    n.map_or(Cell::Blank, Cell::Number)
}

fn count(n: usize) -> Cell {
    Cell::Number(u32::try_from(n).unwrap_or(u32::MAX))
}

/// 法定办结时限: working days, or 无.
fn statutory(r: &RowContext<'_>) -> Cell {
    match r.entry.statutory_days {
        Some(StatutoryDays::Days(n)) => Cell::Number(n),
        Some(StatutoryDays::None(_)) => text("无"),
        None => Cell::Blank,
    }
}

/// The city or county a division code is under: the name of its first six
/// digits in the division table (a town or village shows its county).
fn division_name(r: &RowContext<'_>) -> Cell {
    let code = &r.entry.division;
    let county = code.get(..6).unwrap_or(code);
    r.divisions
        .get(county)
        .map_or(Cell::Blank, |d| text(&d.name))
}

/// A column, in one line of the table below.
const fn col(header: &'static str, width: f64, value: fn(&RowContext<'_>) -> Cell) -> Column {
    Column {
        header,
        width,
        value,
    }
}

/// The columns of the official catalog, in order.
pub const COLUMNS: &[Column] = &[
    col("序号", 6.0, |r| count(r.seq)),
    col("事项名称", 30.0, |r| text(&r.entry.name)),
    col("子项名称", 22.0, |r| text(&r.entry.sub_name)),
    col("事项类型", 12.0, |r| text(&r.entry.category)),
    col("业务指导部门", 14.0, |r| text(&r.entry.sector)),
    col("基本编码", 15.0, |r| text(&r.entry.basic_code)),
    col("实施编码", 35.0, |r| text(&r.entry.impl_code)),
    col("实施主体", 26.0, |r| text(&r.entry.agency)),
    col("实施主体编码", 21.0, |r| text(&r.entry.agency_code)),
    col("行使层级", 9.0, |r| text(&r.entry.level)),
    col("行政区划代码", 15.0, |r| text(&r.entry.division)),
    col("行政区划", 10.0, division_name),
    col("权力来源", 13.0, |r| opt_text(&r.entry.power_source)),
    col("法定办结时限（工作日）", 11.0, statutory),
    col("承诺办结时限（工作日）", 11.0, |r| {
        number(r.entry.promised_days)
    }),
    col("办件类型", 9.0, |r| opt_text(&r.entry.handling_type)),
    col("到办事现场次数", 9.0, |r| number(r.entry.visits)),
    col("是否收费", 8.0, |r| yes_no(r.entry.charged)),
    col("办理形式", 22.0, |r| text(&r.entry.channels.join("、"))),
    col("通办范围", 9.0, |r| opt_text(&r.entry.scope)),
    col("是否进驻政务大厅", 10.0, |r| {
        yes_no(r.entry.in_hall)
    }),
    col("网办地址", 30.0, |r| opt_text(&r.entry.online_url)),
    col("是否转报", 8.0, |r| yes_no(r.entry.forwarded)),
    col("申请材料数", 8.0, |r| count(r.entry.materials.len())),
    col("备注", 24.0, |r| opt_text(&r.entry.notes)),
];

/// Whether a spreadsheet program would take this text for a formula: it
/// starts with = + - @, or with a tab or carriage return (which some
/// programs strip before looking) — the OWASP list for CSV injection.
pub fn looks_like_formula(s: &str) -> bool {
    s.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// A CSV field made safe to open in a spreadsheet: text that
/// [`looks_like_formula`] gets a leading `'` (the OWASP practice), so Excel
/// shows it as text and never evaluates it. `catalog.json` keeps the values
/// as they are; the CSV is for people.
pub fn defuse_csv(s: &str) -> Cow<'_, str> {
    if looks_like_formula(s) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

/// Writes the catalogs into the plan's tree; returns the number of files
/// written. A level's workbook the previous build proves unchanged (same
/// entries, same keys) is kept; the whole-catalog files change with any
/// entry.
pub fn write(ctx: &BuildContext<'_>, plan: &Plan<'_>) -> Result<usize, PublishError> {
    let standard = &ctx.workspace.standard;
    let mut by_level: [Vec<usize>; 4] = Default::default();
    for (n, e) in ctx.entries.iter().enumerate() {
        let e = e.summary();
        let Some(i) = level_catalog(&e.level, standard)
            .and_then(|c| LEVEL_CATALOGS.iter().position(|l| l == c))
        else {
            // An entry no catalog would list must not vanish silently from
            // the official catalogs: the build stops and names it.
            return Err(PublishError::Workbook(format!(
                "实施编码 {} 的行使层级“{}”不在代码表中，无法归入分级目录（level not in the code table）",
                e.impl_code, e.level
            )));
        };
        by_level[i].push(n);
    }
    std::fs::create_dir_all(plan.out.root().join(CATALOG_DIR))?;
    let forwarded: Vec<usize> = (0..ctx.entries.len())
        .filter(|&n| ctx.entries[n].summary().forwarded == Some(true))
        .collect();
    // The files are made at once, each unless the previous build's copy is
    // proven current: the whole catalog's first (`catalog.json` the very
    // first, most of the work), so that the small ones fill the end, and
    // `catalog.json` is done, and settled, well before the build ends.
    use rayon::prelude::*;
    let written: Vec<Result<bool, PublishError>> = (0..LEVEL_CATALOGS.len() + 4)
        .into_par_iter()
        .rev()
        .map(|i| {
            let (rel, key) = match i {
                i if i < LEVEL_CATALOGS.len() => {
                    let rel = format!("{CATALOG_DIR}/{}", LEVEL_CATALOGS[i].file);
                    let key = plan.group_key(&rel, by_level[i].iter().copied());
                    (rel, key)
                }
                i if i == LEVEL_CATALOGS.len() => {
                    let rel = format!("{CATALOG_DIR}/{FORWARDED_FILE}");
                    let key = plan.group_key(&rel, forwarded.iter().copied());
                    (rel, key)
                }
                // (It shows neither the version nor any stamp: a release
                // takes the build's.)
                i if i == LEVEL_CATALOGS.len() + 1 => (
                    CSV_FILE.to_string(),
                    plan.content_key(ctx, CSV_FILE, 0..ctx.entries.len()),
                ),
                i if i == LEVEL_CATALOGS.len() + 2 => {
                    (XLSX_FILE.to_string(), plan.all_key(XLSX_FILE))
                }
                _ => (JSON_FILE.to_string(), plan.all_key(JSON_FILE)),
            };
            // A workbook is laid out first: kept as it was, its pieces are
            // kept for the next build too.
            let book = match i {
                i if i < LEVEL_CATALOGS.len() => {
                    Some(Book::level(ctx, plan, &LEVEL_CATALOGS[i], &by_level[i]))
                }
                i if i == LEVEL_CATALOGS.len() => Some(Book::forwarded(ctx, plan, &forwarded)),
                i if i == LEVEL_CATALOGS.len() + 2 => Some(Book::whole(ctx, plan)),
                _ => None,
            };
            // (`catalog.csv` is kept with its runs: when the spans at hand
            // do not record them, as a file taken from a release or made by
            // another binary, it is written, copying what runs they have.)
            let csv_runs = (rel == CSV_FILE).then(|| csv_file::run_keys(ctx, plan));
            let runs_known = csv_runs
                .as_ref()
                .is_none_or(|keys| plan.out.spans().has_runs(CSV_FILE, keys));
            if runs_known && plan.out.reuse(&key, &[&rel]) {
                if let Some(book) = &book {
                    book.keep(plan);
                }
                match &csv_runs {
                    Some(keys) => plan.out.spans().keep_runs(CSV_FILE, keys),
                    None if rel == JSON_FILE => plan.out.spans().keep(&rel),
                    None => {}
                }
                return Ok(false);
            }
            if rel == JSON_FILE {
                json::write(ctx, plan, &key)?;
                return Ok(true);
            }
            match book {
                Some(book) => {
                    let bytes = book
                        .render(ctx, plan)
                        .map_err(|e| PublishError::Workbook(format!("{rel}: {e}")))?;
                    plan.out.write(&rel, &key, &bytes)?;
                }
                None => {
                    let keys = csv_runs.unwrap_or_default();
                    plan.out.write_streamed(&rel, &key, &mut |w| {
                        csv_file::write(ctx, plan, &keys, w)
                    })?;
                }
            }
            Ok(true)
        })
        .collect();
    let mut files = 0;
    for w in written {
        files += usize::from(w?);
    }
    Ok(files)
}

/// The bytes of `catalog.csv`: a UTF-8 BOM (so Excel reads the Chinese
/// text), the header, one row per entry in the given order, CRLF line ends.
pub fn catalog_csv(entries: &[&CatalogEntry], divisions: &Divisions) -> Vec<u8> {
    let mut out = catalog_csv_rows(&[], 1, divisions, true);
    out.extend(catalog_csv_rows(entries, 1, divisions, false));
    out
}

/// Rows of `catalog.csv`: the BOM and header when `head`, then a row per
/// entry, the first numbered `first`.
fn catalog_csv_rows(
    entries: &[&CatalogEntry],
    first: usize,
    divisions: &Divisions,
    head: bool,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(entries.len() * 320 + 1024);
    if head {
        out.extend_from_slice("\u{feff}".as_bytes());
    }
    {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(&mut out);
        let write = |w: &mut csv::Writer<&mut Vec<u8>>, rec: Vec<Cow<'_, str>>| {
            w.write_record(rec.iter().map(|s| s.as_bytes()))
                .expect("writing to memory cannot fail");
        };
        if head {
            write(
                &mut w,
                COLUMNS.iter().map(|c| Cow::Borrowed(c.header)).collect(),
            );
        }
        for (i, entry) in entries.iter().enumerate() {
            let r = RowContext {
                seq: first + i,
                entry,
                divisions,
            };
            let rec = COLUMNS
                .iter()
                .map(|c| match (c.value)(&r) {
                    Cell::Text(s) => Cow::Owned(defuse_csv(&s).into_owned()),
                    Cell::Number(n) => Cow::Owned(n.to_string()),
                    Cell::Blank => Cow::Borrowed(""),
                })
                .collect();
            write(&mut w, rec);
        }
        w.flush().expect("writing to memory cannot fail");
    }
    out
}

/// At most the 32,767 UTF-16 units an Excel cell holds; longer text
/// (possible only in free-text fields) is cut rather than failing the build.
fn excel_text(s: &str) -> &str {
    const MAX: usize = 32_767;
    let mut units = 0;
    for (i, c) in s.char_indices() {
        units += c.len_utf16();
        if units > MAX {
            return &s[..i];
        }
    }
    s
}

/// What the tests of the catalog files share: a build of some entries.
#[cfg(test)]
mod testing {
    use crate::catalog::CatalogEntry;
    use crate::publish::cache::{Output, Previous};
    use crate::publish::{BuildContext, Plan};
    use crate::workspace::Workspace;

    /// Runs `f` on a build of `entries` (in the order given, as a build
    /// sorts them) at `version` into `root`, reusing what `previous` kept;
    /// the tree's caches are written after.
    /// Entries whose text is as awkward as a cell gets for JSON and CSV
    /// (line breaks, tabs, quotes, commas, backslashes), in 实施编码 order.
    pub fn entries(n: usize) -> Vec<CatalogEntry> {
        (0..n)
            .map(|i| CatalogEntry {
                impl_code: format!("11431300006140469E{i:013}"),
                name: format!("事项{i}\n第二行\t,\"引号\"\\"),
                division: "431302".into(),
                promised_days: (i % 2 == 0).then_some(5),
                channels: vec!["窗口办理".into()],
                materials: vec![Default::default(); i % 3],
                ..Default::default()
            })
            .collect()
    }

    pub fn with_plan<T>(
        entries: &[CatalogEntry],
        version: &str,
        previous: &Previous,
        root: &std::path::Path,
        f: impl FnOnce(&BuildContext<'_>, &Plan<'_>) -> T,
    ) -> T {
        let ws = Workspace::defaults();
        let lazy: Vec<crate::catalog::lazy::Entry> =
            entries.iter().cloned().map(Into::into).collect();
        let ctx = BuildContext {
            workspace: &ws,
            entries: lazy.iter().collect(),
            version: version.into(),
            stamps: Default::default(),
            progress: false,
        };
        let out = Output::new(root, previous);
        let plan = Plan::new(&ctx, &out, &Default::default());
        let done = f(&ctx, &plan);
        out.write_cache().unwrap();
        done
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_like_text_is_defused_in_csv() {
        for s in ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"] {
            assert_eq!(defuse_csv(s), format!("'{s}"));
        }
        for s in ["0738-8312345", "户籍 = 身份", "a-b", ""] {
            assert_eq!(defuse_csv(s), s);
        }
    }

    #[test]
    fn long_text_is_cut_to_what_a_cell_holds() {
        let s = "字".repeat(40_000);
        assert_eq!(excel_text(&s).chars().count(), 32_767);
        assert_eq!(excel_text("短"), "短");
        // A character beyond the BMP takes two of them.
        let s = "𠀀".repeat(20_000);
        assert_eq!(excel_text(&s).chars().count(), 16_383);
    }

    #[test]
    fn every_level_has_a_catalog() {
        let std = Standard::embedded();
        for level in ["市级", "县级", "乡级", "村级", "市本级"] {
            let e = CatalogEntry {
                level: level.into(),
                ..Default::default()
            };
            assert!(level_catalog(&e.level, &std).is_some(), "{level}");
        }
        let e = CatalogEntry {
            level: "省级".into(),
            ..Default::default()
        };
        assert_eq!(level_catalog(&e.level, &std), None);
    }
}

//! The catalog workbooks (SPEC §5): one sheet per county in a level's
//! workbook, one in the 转报件 and the whole catalog's. rust_xlsxwriter writes
//! each workbook's frame — properties, styles, the sheets with their title,
//! header, widths, filters, frozen panes and print setup — and the entry
//! rows come from [`super::rows`] as deflated pieces, those of unchanged
//! rows kept from the last build, joined into the frame's sheets by
//! [`super::package`]. A test holds the result to what rust_xlsxwriter
//! writes when it writes every cell itself.

use super::package::{self, SheetRows};
use super::rows::{self, StyleIds};
use super::{CODE_COLUMNS, COLUMNS, LevelCatalog, excel_text};
use crate::publish::pieces::Piece;
use crate::publish::{BuildContext, Plan};
use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet,
    XlsxError,
};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The header row (0-based) of every catalog sheet; the title is above it.
pub const HEADER_ROW: u32 = 1;

/// One sheet of a catalog workbook.
struct SheetPlan {
    /// The tab's name (already valid for Excel).
    name: String,
    /// Shown in the title row after the catalog's name.
    place: String,
    /// The entries (their places in [`BuildContext::entries`]), in the
    /// order of the rows.
    entries: Vec<usize>,
    /// Shown in place of rows when there are no entries.
    empty_note: &'static str,
}

/// A catalog workbook laid out: its sheets, their rows in order, and the
/// key of each piece of rows.
pub struct Book {
    title: &'static str,
    sheets: Vec<SheetPlan>,
    /// The keys of each sheet's pieces of [`rows::ROWS`] rows.
    keys: Vec<Vec<String>>,
}

impl Book {
    /// The workbook of one level: one sheet per city or county (the first
    /// six digits of the division code; a town or village is listed under
    /// its county), in code order, entries grouped by sector and category.
    /// A level without entries still gets its workbook, with the header and
    /// a note, so the set of files never changes.
    pub fn level(
        ctx: &BuildContext<'_>,
        plan: &Plan<'_>,
        catalog: &LevelCatalog,
        entries: &[usize],
    ) -> Book {
        let divisions = &ctx.workspace.standard.divisions;
        let mut groups: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for &i in entries {
            let division = &ctx.entries[i].summary().division;
            let code = division.get(..6).unwrap_or(division);
            groups.entry(code).or_default().push(i);
        }
        let mut names = SheetNames::default();
        let mut sheets: Vec<SheetPlan> = groups
            .into_iter()
            .map(|(code, entries)| {
                let place = divisions
                    .get(code)
                    .map_or_else(|| code.to_string(), |d| format!("{}（{code}）", d.name));
                let label = divisions.get(code).map_or(code, |d| d.name.as_str());
                SheetPlan {
                    name: names.claim(label, code),
                    place,
                    entries: grouped(ctx, &entries),
                    empty_note: "",
                }
            })
            .collect();
        if sheets.is_empty() {
            sheets.push(SheetPlan {
                name: "事项目录".into(),
                place: String::new(),
                entries: Vec::new(),
                empty_note: "本级目录暂无事项。",
            });
        }
        Book::new(ctx, plan, catalog.title, sheets)
    }

    /// The workbook of 转报件: one sheet, every level, grouped by sector
    /// and category.
    pub fn forwarded(ctx: &BuildContext<'_>, plan: &Plan<'_>, entries: &[usize]) -> Book {
        let sheets = vec![SheetPlan {
            name: "转报件目录".into(),
            place: String::new(),
            entries: grouped(ctx, entries),
            empty_note: "目录中暂无转报件。",
        }];
        Book::new(ctx, plan, "转报件目录", sheets)
    }

    /// The whole catalog as one workbook (`catalog.xlsx`): one sheet, every
    /// entry in 实施编码 order — the rows of `catalog.csv` — with its codes
    /// as text, so that Excel and WPS show all 31 digits.
    pub fn whole(ctx: &BuildContext<'_>, plan: &Plan<'_>) -> Book {
        let sheets = vec![SheetPlan {
            name: "事项目录".into(),
            place: String::new(),
            entries: (0..ctx.entries.len()).collect(),
            empty_note: "目录中暂无事项。",
        }];
        Book::new(ctx, plan, "完整事项目录", sheets)
    }

    fn new(
        ctx: &BuildContext<'_>,
        plan: &Plan<'_>,
        title: &'static str,
        sheets: Vec<SheetPlan>,
    ) -> Book {
        // A piece's rows show its entries, their places and nothing of
        // the release: its key is the stamp (binary, standard), where it
        // starts and the content of its entries.
        let keys = sheets
            .iter()
            .map(|sheet| {
                (sheet.entries.chunks(rows::ROWS).enumerate())
                    .map(|(k, chunk)| {
                        let (row, seq) = first_of(k);
                        let what = format!("catalog rows\0{row}\0{seq}\0{:?}", STYLE_IDS);
                        let digests: Vec<_> = chunk.iter().map(|&i| ctx.whole(i)).collect();
                        plan.stamp
                            .group_key(&what, digests.iter().map(|d| d.as_ref()))
                    })
                    .collect()
            })
            .collect();
        Book {
            title,
            sheets,
            keys,
        }
    }

    /// Notes the pieces of a workbook kept as it was, for the next build.
    pub fn keep(&self, plan: &Plan<'_>) {
        for key in self.keys.iter().flatten() {
            plan.out.pieces().keep(key);
        }
    }

    /// The workbook's bytes: the frame, and each sheet's rows from the
    /// pieces kept or written now.
    pub fn render(&self, ctx: &BuildContext<'_>, plan: &Plan<'_>) -> Result<Vec<u8>, String> {
        use rayon::prelude::*;
        let frame = frame(ctx, self.title, &self.sheets, &mut |_, _, _| Ok(()))
            .map_err(|e| e.to_string())?;
        let divisions = &ctx.workspace.standard.divisions;
        let last = crate::model::column_letter(COLUMNS.len() as u32 - 1);
        let mut parts = Vec::new();
        for (n, (sheet, keys)) in self.sheets.iter().zip(&self.keys).enumerate() {
            if sheet.entries.is_empty() {
                continue;
            }
            let pieces: Vec<Arc<Piece>> = (sheet.entries.par_chunks(rows::ROWS).zip(keys))
                .enumerate()
                .map(|(k, (chunk, key))| {
                    let (row, seq) = first_of(k);
                    plan.out.pieces().get(key, || {
                        let entries = ctx.parsed(chunk);
                        rows::xml(&entries, row, seq, divisions, STYLE_IDS)
                    })
                })
                .collect();
            let rows = HEADER_ROW + 1 + sheet.entries.len() as u32;
            parts.push(SheetRows {
                part: format!("xl/worksheets/sheet{}.xml", n + 1),
                after: format!("<row r=\"{}\"", HEADER_ROW + 1),
                dimension: (
                    format!("A1:{last}{}", HEADER_ROW + 1),
                    format!("A1:{last}{rows}"),
                ),
                pieces,
            });
        }
        package::splice(&frame, &parts)
    }
}

/// The first row (1-based) and 序号 of piece `k` of a sheet.
fn first_of(k: usize) -> (u32, usize) {
    let first = k * rows::ROWS;
    (HEADER_ROW + 2 + first as u32, first + 1)
}

/// Valid, distinct sheet names: Excel allows 31 characters and none of
/// `[]:*?/\`; a name that is taken or unusable falls back to the code.
#[derive(Default)]
struct SheetNames(Vec<String>);

impl SheetNames {
    fn claim(&mut self, label: &str, code: &str) -> String {
        let clean = |s: &str| -> String {
            s.chars()
                .filter(|c| !"[]:*?/\\'".contains(*c))
                .take(31)
                .collect()
        };
        let mut name = clean(label);
        if name.is_empty() || self.taken(&name) {
            name = clean(code);
        }
        let base = if name.is_empty() {
            "事项目录".to_string()
        } else {
            name.clone()
        };
        let mut n = 2;
        while name.is_empty() || self.taken(&name) {
            name = format!("{}-{n}", base.chars().take(27).collect::<String>());
            n += 1;
        }
        self.0.push(name.clone());
        name
    }

    fn taken(&self, name: &str) -> bool {
        // Excel compares sheet names without regard to case.
        self.0
            .iter()
            .any(|n| n.to_lowercase() == name.to_lowercase())
    }
}

/// The formats of a catalog workbook, in the order the frame registers them.
struct Styles {
    title: Format,
    header: Format,
    /// The format of a code column's cells below the table.
    code_column: Format,
    number: Format,
    text: Format,
    /// A code: text format, so it stays text when edited.
    code: Format,
    /// Text that looks like a formula: Excel's quote prefix keeps it text
    /// even when someone edits the cell.
    quoted: Format,
    note: Format,
}

/// The styles of the rows: the frame registers the formats in the order of
/// [`Styles`], after the default one (0), so each has its place.
const STYLE_IDS: StyleIds = StyleIds {
    number: 4,
    text: 5,
    code: 6,
    quoted: 7,
};

impl Styles {
    fn new() -> Styles {
        let border = Format::new()
            .set_border(FormatBorder::Thin)
            .set_border_color(Color::RGB(0xA6A6A6))
            .set_align(FormatAlign::VerticalCenter);
        Styles {
            title: Format::new()
                .set_bold()
                .set_font_size(14)
                .set_align(FormatAlign::VerticalCenter),
            header: border
                .clone()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_background_color(Color::RGB(0xD9E1F2)),
            code_column: Format::new().set_num_format_index(49),
            number: border.clone().set_align(FormatAlign::Center),
            text: border.clone(),
            code: border.clone().set_num_format_index(49),
            quoted: border.clone().set_quote_prefix(),
            note: Format::new()
                .set_italic()
                .set_font_color(Color::RGB(0x595959)),
        }
    }

    fn register(&self, book: &mut Workbook) {
        for f in [
            &self.title,
            &self.header,
            &self.code_column,
            &self.number,
            &self.text,
            &self.code,
            &self.quoted,
            &self.note,
        ] {
            book.register_format(f);
        }
    }
}

/// Writes the rows of a sheet (its index and its entries, by their place in
/// the build) through rust_xlsxwriter: nothing for the frame (the rows come
/// as pieces, and no entry is read), every cell for the test that holds the
/// pieces to it.
type Fill<'f> = dyn FnMut(&mut Worksheet, usize, &[usize]) -> Result<(), XlsxError> + 'f;

/// The workbook with its sheets' title and header, and the rows `fill`
/// writes. Printing: A4 landscape, two pages wide, the title and the header
/// (and 序号 and 事项名称) on every page. The filter covers the header and the
/// entries and nothing else: no heading row sits among the entries, so
/// filtering and sorting move whole entries only.
fn frame(
    ctx: &BuildContext<'_>,
    title: &str,
    sheets: &[SheetPlan],
    fill: &mut Fill<'_>,
) -> Result<Vec<u8>, XlsxError> {
    let release_name = &ctx.workspace.config.release_name;
    let mut book = Workbook::new();
    // A fixed creation time: the same catalog gives the same bytes.
    let created = ExcelDateTime::from_ymd(2024, 1, 1)?;
    book.set_properties(
        &DocProperties::new()
            .set_title(title)
            .set_subject(release_name.as_str())
            .set_author("yima")
            .set_creation_datetime(&created),
    );
    let styles = Styles::new();
    styles.register(&mut book);
    let last_col = COLUMNS.len() as u16 - 1;
    for (n, plan) in sheets.iter().enumerate() {
        // Written row by row, as constant-memory sheets must be: the title
        // and header, then the entries in order.
        let sheet = book.add_worksheet_with_constant_memory()?;
        sheet.set_name(&plan.name)?;
        let mut heading = format!("{release_name} · {title}");
        if !plan.place.is_empty() {
            heading.push_str(&format!(" · {}", plan.place));
        }
        heading.push_str(&format!("（{} 项", plan.entries.len()));
        if !ctx.version.is_empty() {
            heading.push_str(&format!("，版本 {}", ctx.version));
        }
        heading.push('）');
        sheet.merge_range(0, 0, 0, last_col, excel_text(&heading), &styles.title)?;
        sheet.set_row_height(0, 28)?;
        for (i, c) in COLUMNS.iter().enumerate() {
            let col = i as u16;
            sheet.set_column_width(col, c.width)?;
            sheet.write_string_with_format(HEADER_ROW, col, c.header, &styles.header)?;
            if CODE_COLUMNS.contains(&c.header) {
                // Rows added below keep codes as text too.
                sheet.set_column_format(col, &styles.code_column)?;
            }
        }
        sheet.set_row_height(HEADER_ROW, 32)?;
        if plan.entries.is_empty() {
            sheet.write_string_with_format(HEADER_ROW + 1, 0, plan.empty_note, &styles.note)?;
        }
        fill(sheet, n, &plan.entries)?;
        let last_row = (HEADER_ROW + 1 + plan.entries.len() as u32).max(HEADER_ROW + 2) - 1;
        sheet.autofilter(HEADER_ROW, 0, last_row, last_col)?;
        // The header stays in view, and so do 序号 and 事项名称 when
        // scrolling to the right.
        sheet.set_freeze_panes(HEADER_ROW + 1, 2)?;
        sheet.set_landscape();
        sheet.set_paper_size(9);
        sheet.set_print_fit_to_pages(2, 0);
        sheet.set_margins(0.4, 0.4, 0.5, 0.5, 0.3, 0.3);
        sheet.set_repeat_rows(0, HEADER_ROW)?;
        sheet.set_repeat_columns(0, 1)?;
        sheet.set_footer("&C第 &P 页，共 &N 页");
    }
    book.save_to_buffer()
}

/// Orders entries into groups: by 业务指导部门 (sector table order), then
/// 事项类型 (category table order), then 基本编码 and 实施编码. Values outside
/// the tables sort after them, by name.
fn grouped(ctx: &BuildContext<'_>, entries: &[usize]) -> Vec<usize> {
    let standard = &ctx.workspace.standard;
    let rank = |table: &str, value: &str| -> (usize, String) {
        let t = standard.tables.table(table);
        let pos = t
            .lookup(value)
            .and_then(|hit| t.entries.iter().position(|e| e.name == hit.name));
        (pos.unwrap_or(usize::MAX), value.to_string())
    };
    let mut out = entries.to_vec();
    out.sort_by_cached_key(|&i| {
        let e = ctx.entries[i].summary();
        (
            rank("sector", &e.sector),
            rank("category", &e.category),
            e.basic_code.clone(),
            e.impl_code.clone(),
        )
    });
    out
}

#[cfg(test)]
mod tests {
    use super::super::testing::with_plan;
    use super::super::{Cell, RowContext, looks_like_formula};
    use super::*;
    use crate::catalog::CatalogEntry;
    use crate::catalog::entry::StatutoryDays;
    use crate::publish::cache::Previous;
    use std::collections::BTreeMap;
    use std::io::Read;

    /// Every cell of the rows through rust_xlsxwriter, as the catalogs
    /// were written before their rows came in pieces.
    fn cells(
        ctx: &BuildContext<'_>,
    ) -> impl FnMut(&mut Worksheet, usize, &[usize]) -> Result<(), XlsxError> {
        let styles = Styles::new();
        let divisions = ctx.workspace.standard.divisions.clone();
        move |sheet, _, indices| {
            for (i, entry) in ctx.parsed(indices).iter().enumerate() {
                let row = HEADER_ROW + 1 + i as u32;
                let r = RowContext {
                    seq: i + 1,
                    entry,
                    divisions: &divisions,
                };
                for (c, column) in COLUMNS.iter().enumerate() {
                    let (col, code) = (c as u16, CODE_COLUMNS.contains(&column.header));
                    let plain = if code { &styles.code } else { &styles.text };
                    match (column.value)(&r) {
                        Cell::Text(s) => {
                            let s = excel_text(&s);
                            let f = if looks_like_formula(s) {
                                &styles.quoted
                            } else {
                                plain
                            };
                            sheet.write_string_with_format(row, col, s, f)?;
                        }
                        Cell::Number(n) => {
                            sheet.write_number_with_format(
                                row,
                                col,
                                f64::from(n),
                                &styles.number,
                            )?;
                        }
                        Cell::Blank => {
                            sheet.write_blank(row, col, plain)?;
                        }
                    }
                }
            }
            Ok(())
        }
    }

    /// A package's parts, uncompressed, in order.
    fn parts(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        (0..zip.len())
            .map(|i| {
                let mut f = zip.by_index(i).unwrap();
                let mut data = Vec::new();
                f.read_to_end(&mut data).unwrap();
                (f.name().unwrap().to_string(), data)
            })
            .collect()
    }

    /// Entries of two counties, some of their text as hostile as a cell
    /// gets: formulas, control characters, spaces at the ends, escapes,
    /// markup, text longer than a cell holds.
    fn entries(n: usize) -> Vec<CatalogEntry> {
        let odd = [
            "=SUM(A1)",
            " 前后有空格 ",
            "a\u{1}b\rc\td\ne",
            "_x0041_ 与 _x00e9",
            "<b>&amp;</b>\"'",
            "\u{fffe}\u{ffff}",
            "",
        ];
        (0..n)
            .map(|i| CatalogEntry {
                impl_code: format!("11431300006140469E{:013}", i),
                basic_code: format!("{:013}", i % 97),
                name: format!("事项{i}{}", odd[i % odd.len()]),
                sub_name: odd[(i / 3) % odd.len()].into(),
                category: ["行政许可", "行政确认", "其他行政权力"][i % 3].into(),
                sector: ["公安", "民政", "自然资源"][i % 3].into(),
                agency: "娄底市公安局".into(),
                agency_code: "11431300006140469E".into(),
                level: "县级".into(),
                division: ["431302", "431321"][i % 2].into(),
                statutory_days: Some(StatutoryDays::Days(i as u32 % 30)),
                promised_days: (i % 4 != 0).then_some(5),
                channels: vec!["窗口办理".into(), "网上办理".into()],
                notes: (i == 7).then(|| "长".repeat(40_000)),
                online_url: Some("https://example.com/?a=1&b=2".into()),
                ..Default::default()
            })
            .collect()
    }

    #[test]
    fn sheet_names_are_valid_and_distinct() {
        let mut n = SheetNames::default();
        assert_eq!(n.claim("双峰县", "431321"), "双峰县");
        assert_eq!(n.claim("双峰县", "431399"), "431399");
        assert_eq!(n.claim("a/b:c", "x"), "abc");
        assert_eq!(n.claim("431399", "431399"), "431399-2");
        let long = "长".repeat(40);
        assert_eq!(n.claim(&long, "1").chars().count(), 31);
    }

    /// A workbook's parts as rendered from pieces, and as rust_xlsxwriter
    /// writes them cell by cell from the same frame.
    type Parts = Vec<(String, Vec<u8>)>;
    fn ours_and_theirs(ctx: &BuildContext<'_>, plan: &Plan<'_>, book: &Book) -> (Parts, Parts) {
        let ours = book.render(ctx, plan).unwrap();
        let theirs = frame(ctx, book.title, &book.sheets, &mut cells(ctx)).unwrap();
        (parts(&ours), parts(&theirs))
    }

    #[test]
    fn rows_in_pieces_are_what_rust_xlsxwriter_writes_cell_by_cell() {
        let all = entries(rows::ROWS * 2 + 37);
        let dir = tempfile::tempdir().unwrap();
        with_plan(
            &all,
            "2026.1",
            &Previous::none(),
            dir.path(),
            |ctx, plan| {
                let level = &super::super::LEVEL_CATALOGS[1];
                let entries: Vec<usize> = (0..all.len()).collect();
                for book in [
                    Book::whole(ctx, plan),
                    Book::level(ctx, plan, level, &entries),
                    Book::level(ctx, plan, level, &[]),
                ] {
                    let (ours, theirs) = ours_and_theirs(ctx, plan, &book);
                    let names = |p: &Parts| p.iter().map(|x| x.0.clone()).collect::<Vec<_>>();
                    assert_eq!(names(&ours), names(&theirs));
                    for ((name, a), (_, b)) in ours.iter().zip(&theirs) {
                        if a != b {
                            let at = a.iter().zip(b.iter()).take_while(|(x, y)| x == y).count();
                            let show = |x: &[u8]| {
                                String::from_utf8_lossy(
                                    &x[at.saturating_sub(200)..(at + 200).min(x.len())],
                                )
                                .into_owned()
                            };
                            panic!(
                                "{name} differs at byte {at}:\n{}\n---\n{}",
                                show(a),
                                show(b)
                            );
                        }
                    }
                }
            },
        );
    }

    /// Text cut from pieces a cell's XML must escape or keep: markup,
    /// control characters, `_xHHHH_` escapes whole and cut, spaces at the
    /// ends, characters beyond the BMP, formula starts.
    fn awkward() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let piece = prop::sample::select(vec![
            "&", "<", ">", "\"", "'", "\t", "\n", "\r", "\u{0}", "\u{1}", "\u{b}", "\u{1f}",
            "\u{7f}", "\u{fffe}", "\u{ffff}", "_x", "_x0041_", "_x00e9_", "_xZZ41_", "_x12", "x",
            "_", "0", "F", " ", "=", "+", "-", "@", "事项", "𠀀", "\u{3000}", "\u{a0}", "&amp;",
        ]);
        prop_oneof![
            4 => prop::collection::vec(piece, 0..12).prop_map(|v| v.concat()),
            1 => "\\PC{0,40}",
        ]
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]
        #[test]
        fn any_text_is_written_as_rust_xlsxwriter_writes_it(
            texts in proptest::collection::vec(awkward(), 8),
        ) {

            let mut all = entries(3);
            for (e, t) in all.iter_mut().zip(texts.chunks(2)) {
                e.name = t[0].clone();
                e.sub_name = t[1].clone();
                e.notes = Some(format!("{}{}", t[1], t[0]));
            }
            all[2].scope = Some(texts[6].clone());
            all[2].handling_type = Some(texts[7].clone());
            let dir = tempfile::tempdir().unwrap();
            let (ours, theirs) = with_plan(&all, "", &Previous::none(), dir.path(), |ctx, plan| {
                ours_and_theirs(ctx, plan, &Book::whole(ctx, plan))
            });
            proptest::prop_assert_eq!(ours, theirs);
        }
    }

    #[test]
    fn a_changed_entry_writes_its_piece_alone_and_the_same_bytes() {
        let mut all = entries(rows::ROWS * 3);
        let render = |all: &[CatalogEntry], previous: &Previous, root: &std::path::Path| {
            with_plan(all, "", previous, root, |ctx, plan| {
                let bytes = Book::whole(ctx, plan).render(ctx, plan).unwrap();
                (bytes, plan.out.pieces().made())
            })
        };
        let (first, second) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let none = Previous::none();
        let (before, made) = render(&all, &none, first.path());
        assert_eq!(made, 3);
        all[rows::ROWS + 5].name = "改过的事项".into();
        let (fresh, _) = render(&all, &none, second.path());
        let kept = Previous::load(first.path());
        let (again, made) = render(&all, &kept, second.path());
        assert_eq!(made, 1, "only the changed piece is written");
        assert_eq!(again, fresh);
        assert_ne!(again, before);
        let mut names = BTreeMap::new();
        for (name, data) in parts(&again) {
            names.insert(name, data);
        }
        let sheet = String::from_utf8(names["xl/worksheets/sheet1.xml"].clone()).unwrap();
        assert!(sheet.contains("改过的事项"));
    }
}

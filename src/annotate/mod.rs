//! The department's own workbook returned marked (`yima check --annotate
//! DIR`, SPEC §7): every value, sheet, merged cell, width and style it had,
//! each finding's cell filled (red for an error, yellow for a warning) and
//! commented with the message and the help, and a first sheet 检查结果 that
//! lists every finding with a link to its cell.
//!
//! An xlsx workbook is marked in place ([`package`]): the package's parts are
//! copied as they are, but the few that must change. A CSV pair, an .xls,
//! .xlsb or .ods workbook — and an xlsx whose package cannot be edited —
//! comes back as a new xlsx of its values ([`convert`]), marked the same way.
//! `docs/report-formats.md` says why, and what each keeps.
//!
//! ```no_run
//! use yima::{annotate, check, filing, workspace::Workspace};
//! let ws = Workspace::defaults();
//! let paths = vec!["公安.xlsx".into()];
//! let report = check::check_paths(&paths, &ws, false).unwrap().report;
//! for input in filing::discover(&paths).unwrap() {
//!     let marked = annotate::annotate(&input, &report, yima::diag::Lang::Zh).unwrap();
//!     std::fs::write(annotate::output_name(&input, marked.macros), marked.bytes).unwrap();
//! }
//! ```

pub mod comments;
pub mod convert;
pub mod findings;
pub mod package;
pub mod sheet;
pub mod styles;
mod xml;

use crate::diag::{Diagnostic, Lang, Report, Rule, Text};
use crate::filing::{CSV_ITEMS_SUFFIX, CSV_MATERIALS_SUFFIX, Input, display_path};
use crate::text;
use std::path::{Path, PathBuf};

/// What is added to a file's name: `公安局.xlsx` → `公安局（检查结果）.xlsx`.
pub const SUFFIX: &str = "（检查结果）";

/// A filing's workbook, marked.
pub struct Annotated {
    pub bytes: Vec<u8>,
    /// The workbook holds macros (kept: its name ends in .xlsm).
    pub macros: bool,
    /// Cells marked.
    pub cells: usize,
    /// It was made anew from the filing's values (a CSV pair, an .xls or
    /// .ods, a workbook that could not be marked in place).
    pub rebuilt: bool,
}

/// Why a filing's annotation was not written.
#[derive(Debug, thiserror::Error)]
pub enum AnnotateError {
    /// The output would replace an input file.
    #[error("{0} is an input")]
    WouldOverwriteInput(PathBuf),
    /// A file is in the way that is not an earlier annotation.
    #[error("{0} exists and is not an earlier annotation")]
    WouldOverwrite(PathBuf),
    /// The workbook could not be built.
    #[error("cannot build the workbook: {0}")]
    Build(String),
    /// Writing it failed.
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl AnnotateError {
    /// What to tell the user, in both languages.
    pub fn describe(&self) -> Text {
        match self {
            AnnotateError::WouldOverwriteInput(p) => {
                let p = display_path(p);
                text!(
                    "不会覆盖输入文件 {p}：请把 --annotate 指向另一个目录",
                    "{p} is an input and is never overwritten: give --annotate another folder"
                )
            }
            AnnotateError::WouldOverwrite(p) => {
                let p = display_path(p);
                text!(
                    "{p} 已存在，且不是 yima 写的检查结果，没有覆盖它：请移走它，或把 --annotate 指向另一个目录",
                    "{p} exists and is not an annotation yima wrote, so it was left alone: move it, or give --annotate another folder"
                )
            }
            AnnotateError::Build(e) => {
                text!(
                    "无法生成检查结果工作簿（{e}）",
                    "cannot build the annotated workbook: {e}"
                )
            }
            AnnotateError::Write { path, source } => {
                let p = display_path(path);
                text!("无法写入 {p}（{source}）", "cannot write {p}: {source}")
            }
        }
    }
}

/// How the report names a file: as `yima check` shows paths
/// ([`display_path`]), or otherwise (the desk names an upload by the name it
/// was uploaded under).
pub type Namer<'a> = &'a dyn Fn(&Path) -> String;

/// The files of a filing as the report names them.
fn files_of(input: &Input, name: Namer<'_>) -> Vec<String> {
    match input {
        Input::Workbook(p) => vec![name(p)],
        Input::Csv { items, materials } => [items, materials]
            .into_iter()
            .flatten()
            .map(|p| name(p))
            .collect(),
    }
}

/// The findings of one filing, in report order.
pub fn findings_of<'r>(input: &Input, report: &'r Report, name: Namer<'_>) -> Vec<&'r Diagnostic> {
    let files = files_of(input, name);
    report
        .diagnostics
        .iter()
        .filter(|d| files.iter().any(|f| **f == *d.origin.file))
        .collect()
}

/// The file name of a filing's annotation: `公安局（检查结果）.xlsx`; a CSV
/// pair is named by its common prefix (`公安局-事项.csv` → `公安局（检查结果）.xlsx`),
/// a macro workbook keeps `.xlsm`.
pub fn output_name(input: &Input, macros: bool) -> String {
    let stem = match input {
        Input::Workbook(p) => p
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
        Input::Csv { items, materials } => {
            let p = items.as_ref().or(materials.as_ref());
            let name = p
                .and_then(|p| p.file_name())
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let prefix = name
                .strip_suffix(CSV_ITEMS_SUFFIX)
                .or_else(|| name.strip_suffix(CSV_MATERIALS_SUFFIX))
                .map(|s| s.trim_end_matches(['-', '_', ' ', '·', '—']).to_string())
                .unwrap_or_else(|| {
                    name.rsplit_once('.')
                        .map_or(name.clone(), |(s, _)| s.into())
                });
            if prefix.is_empty() {
                // `事项.csv` in a folder of its own: the folder's name.
                p.and_then(|p| p.parent())
                    .and_then(|d| d.file_name())
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "CSV填报".into())
            } else {
                prefix
            }
        }
    };
    let stem = stem.strip_suffix(SUFFIX).unwrap_or(&stem);
    let ext = if macros { "xlsm" } else { "xlsx" };
    format!("{stem}{SUFFIX}.{ext}")
}

/// What the 检查结果 sheet says above its table.
fn heading(
    input: &Input,
    report: &Report,
    note: Option<String>,
    name: Namer<'_>,
) -> findings::Heading {
    // The file's name alone: the workbook goes back to a department, and
    // the staffing office's folders are none of its business.
    let file = files_of(input, name)
        .into_iter()
        .next()
        .map(|f| f.rsplit(['/', '\\']).next().unwrap_or(&f).to_string())
        .unwrap_or_default();
    let counts = report.files.iter().find(|f| f.file == file);
    findings::Heading {
        file,
        entries: counts.map_or(0, |f| f.entries),
        materials: counts.map_or(0, |f| f.materials),
        note,
    }
}

/// The annotated workbook of one filing, from the run's `report`.
pub fn annotate(input: &Input, report: &Report, lang: Lang) -> Result<Annotated, AnnotateError> {
    annotate_named(input, report, lang, &|p| display_path(p))
}

/// [`annotate`], with the report naming files by `name`.
pub fn annotate_named(
    input: &Input,
    report: &Report,
    lang: Lang,
    name: Namer<'_>,
) -> Result<Annotated, AnnotateError> {
    let found = findings_of(input, report, name);
    let unreadable = found.iter().any(|d| d.rule == Rule::FileUnreadable);
    let build = |e: &dyn std::fmt::Display| AnnotateError::Build(e.to_string());
    let (bytes, note, rebuilt) = match input {
        _ if unreadable => {
            let note = match lang {
                Lang::Zh => "原文件无法读取，见“检查结果”工作表。",
                Lang::En => "The original file cannot be read: see sheet 检查结果.",
            };
            let bytes = convert::unreadable(note).map_err(|e| build(&e))?;
            (bytes, Some(note.to_string()), true)
        }
        Input::Workbook(p) => {
            let original = std::fs::read(p).map_err(|e| build(&e))?;
            let ooxml = original.starts_with(b"PK\x03\x04");
            if ooxml {
                let a = package::Annotation {
                    findings: found.clone(),
                    heading: heading(input, report, None, name),
                    lang,
                };
                if let Ok(m) = package::mark(&original, &a) {
                    return Ok(Annotated {
                        bytes: m.bytes,
                        macros: m.macros,
                        cells: m.cells,
                        rebuilt: false,
                    });
                }
            }
            let ext = p
                .extension()
                .map(|e| e.to_string_lossy().to_lowercase())
                .unwrap_or_default();
            let note = match lang {
                Lang::Zh => format!(
                    "本工作簿按原文件（.{ext}）各单元格的值重建：值、工作表和合并单元格照旧，原有的字体、颜色和列宽未保留。"
                ),
                Lang::En => format!(
                    "This workbook was rebuilt from the values of the original (.{ext}): values, sheets and merged cells are as they were; its fonts, colours and widths are not."
                ),
            };
            let bytes = convert::workbook(&original, findings::SHEET).map_err(|e| build(&e))?;
            (bytes, Some(note), true)
        }
        Input::Csv { items, materials } => {
            let halves: Vec<(&Path, &str)> = [(items, "事项"), (materials, "申请材料")]
                .into_iter()
                .filter_map(|(p, sheet)| p.as_deref().map(|p| (p, sheet)))
                .collect();
            let names = halves
                .iter()
                .map(|(p, _)| name(p))
                .collect::<Vec<_>>()
                .join(match lang {
                    Lang::Zh => "、",
                    Lang::En => ", ",
                });
            let note = match lang {
                Lang::Zh => format!("本工作簿由 CSV 文件 {names} 合成，每个文件一个工作表。"),
                Lang::En => {
                    format!("This workbook was made of the CSV files {names}, one sheet each.")
                }
            };
            let bytes = convert::csv(&halves).map_err(|e| build(&e))?;
            (bytes, Some(note), true)
        }
    };
    let a = package::Annotation {
        findings: found,
        heading: heading(input, report, note, name),
        lang,
    };
    let m = package::mark(&bytes, &a).map_err(|e| build(&e))?;
    Ok(Annotated {
        bytes: m.bytes,
        macros: false,
        cells: m.cells,
        rebuilt,
    })
}

/// One filing's annotation written, or why not.
pub struct Outcome {
    /// The filing, as the report names it.
    pub filing: String,
    pub result: Result<Written, AnnotateError>,
}

/// An annotation written.
pub struct Written {
    pub path: PathBuf,
    pub cells: usize,
    pub rebuilt: bool,
}

/// Whether the file at `path` is an annotation yima wrote: a workbook whose
/// first sheet is 检查结果 (it may have been edited and saved since).
fn is_annotation(path: &Path) -> bool {
    let Ok(bytes) = std::fs::read(path) else {
        return false;
    };
    crate::filing::xlsx::index(&bytes)
        .ok()
        .and_then(|i| i.sheets.first().map(|(name, _)| name == findings::SHEET))
        .unwrap_or(false)
}

/// Writes the annotation of each filing into `dir` (made if needed).
/// Nothing is ever written over an input, nor over a file that is not an
/// earlier annotation; two filings whose names would collide get `（检查结果
/// 2）`. Each file is written whole or not at all.
pub fn write_all(inputs: &[Input], report: &Report, dir: &Path, lang: Lang) -> Vec<Outcome> {
    let canonical = |p: &Path| std::fs::canonicalize(p).ok();
    let input_files: Vec<PathBuf> = inputs
        .iter()
        .flat_map(|i| match i {
            Input::Workbook(p) => vec![p.clone()],
            Input::Csv { items, materials } => {
                [items, materials].into_iter().flatten().cloned().collect()
            }
        })
        .filter_map(|p| canonical(&p))
        .collect();
    if let Err(source) = std::fs::create_dir_all(dir) {
        return inputs
            .iter()
            .map(|i| Outcome {
                filing: i.display(),
                result: Err(AnnotateError::Write {
                    path: dir.to_path_buf(),
                    source: std::io::Error::new(source.kind(), source.to_string()),
                }),
            })
            .collect();
    }
    let mut taken: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for input in inputs {
        let result = (|| {
            let marked = annotate(input, report, lang)?;
            let mut name = output_name(input, marked.macros);
            if taken.contains(&name) {
                let (stem, ext) = name.rsplit_once('.').unwrap_or((&name, "xlsx"));
                let stem = stem.strip_suffix(SUFFIX).unwrap_or(stem);
                name = (2..)
                    .map(|n| format!("{stem}（检查结果 {n}）.{ext}"))
                    .find(|n| !taken.contains(n))
                    .expect("a free name");
            }
            taken.push(name.clone());
            let path = dir.join(&name);
            if let Some(c) = canonical(&path) {
                if input_files.contains(&c) {
                    return Err(AnnotateError::WouldOverwriteInput(path));
                }
                if !is_annotation(&path) {
                    return Err(AnnotateError::WouldOverwrite(path));
                }
            }
            crate::fsx::write_atomic(&path, &marked.bytes).map_err(|source| {
                AnnotateError::Write {
                    path: path.clone(),
                    source,
                }
            })?;
            Ok(Written {
                path,
                cells: marked.cells,
                rebuilt: marked.rebuilt,
            })
        })();
        out.push(Outcome {
            filing: input.display(),
            result,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_of_annotations() {
        let wb = |p: &str| Input::Workbook(p.into());
        assert_eq!(
            output_name(&wb("a/娄底市公安局.xlsx"), false),
            "娄底市公安局（检查结果）.xlsx"
        );
        assert_eq!(output_name(&wb("旧表.xls"), false), "旧表（检查结果）.xlsx");
        assert_eq!(output_name(&wb("宏.xlsm"), true), "宏（检查结果）.xlsm");
        assert_eq!(
            output_name(&wb("公安（检查结果）.xlsx"), false),
            "公安（检查结果）.xlsx"
        );
        let csv = |i: Option<&str>, m: Option<&str>| Input::Csv {
            items: i.map(Into::into),
            materials: m.map(Into::into),
        };
        assert_eq!(
            output_name(
                &csv(Some("市场监管局-事项.csv"), Some("市场监管局-申请材料.csv")),
                false
            ),
            "市场监管局（检查结果）.xlsx"
        );
        assert_eq!(
            output_name(&csv(Some("民政局/事项.csv"), None), false),
            "民政局（检查结果）.xlsx"
        );
        assert_eq!(
            output_name(&csv(Some("公安.csv"), None), false),
            "公安（检查结果）.xlsx"
        );
    }
}

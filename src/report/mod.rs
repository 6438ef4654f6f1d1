//! Printing a [`Report`]: one model, one renderer per `--format` — human
//! (miette, the row as a small source with the cell labelled), JSON (SPEC §4),
//! the CI formats: SARIF (code scanning), GitHub workflow commands
//! (annotations) and JUnit XML (test reports), and the batch page (HTML,
//! SPEC §7) with each finding's row read back from its sheet ([`rows`]).

mod github;
pub mod html;
mod human;
mod json;
mod junit;
pub mod rows;
mod sarif;

use crate::diag::{Lang, Report};
use crate::model::Origin;

pub use human::{Human, inert};

/// The report formats of `--format` (the doc lines are its `--help`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// 编译器风格：显示问题所在的行并标出单元格
    #[default]
    Human,
    /// 带版本号的 JSON 报告（SPEC §4）
    Json,
    /// SARIF 2.1.0，供代码扫描使用（GitHub、GitLab、编辑器）
    Sarif,
    /// GitHub Actions 工作流命令：每个问题一条注解
    Github,
    /// JUnit XML：每个文件一个测试套件，每个事项一个测试用例
    Junit,
    /// 一个网页文件（可离线打开）：合计、各部门情况表、每个问题所在的行
    Html,
}

/// Renders a report in the given format and language.
pub fn render(report: &Report, format: Format, lang: Lang, human: &Human) -> String {
    match format {
        Format::Human => human.render(report, lang),
        Format::Json => json::render(report, lang),
        Format::Sarif => sarif::render(report, lang),
        Format::Github => github::render(report, lang),
        Format::Junit => junit::render(report, lang),
        // (Without the rows: `html::render` with `rows::gather` shows them.)
        Format::Html => html::render(report, &rows::Rows::default(), lang),
    }
}

/// The place inside a file, as the human report names it: `事项!H17`, or the
/// sheet and row, or the sheet alone; `None` for the file as a whole.
fn place(origin: &Origin) -> Option<String> {
    let sheet = origin.sheet.as_deref()?;
    Some(match (origin.a1(), origin.row) {
        (Some(a1), _) => format!("{sheet}!{a1}"),
        (None, Some(row)) => format!("{sheet}!{row}"),
        (None, None) => sheet.to_string(),
    })
}

/// A finding's message led by its place, as one line: `事项!H17: …`.
fn located_message(origin: &Origin, message: &str) -> String {
    match place(origin) {
        Some(p) => format!("{p}: {message}"),
        None => message.to_string(),
    }
}

/// The closing line of the CI formats: errors, warnings and what was read.
fn summary_line(report: &Report, lang: Lang) -> String {
    let s = &report.summary;
    match lang {
        Lang::Zh => format!(
            "yima: {} 个错误, {} 个警告 · {} 个文件, {} 个事项, {} 份材料",
            s.errors, s.warnings, s.files, s.entries, s.materials
        ),
        Lang::En => format!(
            "yima: {} errors, {} warnings · {} files, {} entries, {} materials",
            s.errors, s.warnings, s.files, s.entries, s.materials
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places() {
        let cell = Origin::cell("a.xlsx".into(), "事项".into(), 17, 7);
        assert_eq!(place(&cell).as_deref(), Some("事项!H17"));
        let mut row = Origin::sheet("a.xlsx".into(), "事项".into());
        assert_eq!(place(&row).as_deref(), Some("事项"));
        row.row = Some(3);
        assert_eq!(place(&row).as_deref(), Some("事项!3"));
        assert_eq!(place(&Origin::file("a.xlsx".into())), None);
        assert_eq!(located_message(&cell, "不对"), "事项!H17: 不对");
    }
}

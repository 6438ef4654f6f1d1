//! The standardized service guides (办事指南, SPEC §5): for every active entry
//! `guides/<实施编码>.html` (a standalone page, printable on A4) and
//! `guides/<实施编码>.md`, rendered in parallel from the typed context
//! [`Guide`] through the templates `guide.html` and `guide.md`.

use super::templates::Templates;
use super::{BuildContext, PublishError};
use crate::catalog::CatalogEntry;
use crate::catalog::entry::{CatalogMaterial, StatutoryDays};
use indicatif::{ProgressBar, ProgressStyle};
use minijinja::Value;
use minijinja::value::Serde;
use rayon::prelude::*;
use serde::Serialize;
use std::path::Path;

/// The template of the HTML guide.
pub const HTML_TEMPLATE: &str = "guide.html";
/// The template of the Markdown guide.
pub const MD_TEMPLATE: &str = "guide.md";

/// Everything one guide shows, in the order it shows it. Text that may span
/// lines comes as its lines, so each format lays them out its own way.
#[derive(Debug, Serialize)]
pub struct Guide<'a> {
    /// The catalog's name (`release_name` of `yima.yaml`).
    pub catalog: &'a str,
    /// The release version; empty for an unreleased build.
    pub version: &'a str,
    pub name: &'a str,
    pub sub_name: &'a str,
    pub basic_code: &'a str,
    pub impl_code: &'a str,
    pub facts: Facts<'a>,
    /// 设定依据
    pub legal_basis: Vec<&'a str>,
    /// 受理条件
    pub conditions: Vec<&'a str>,
    /// 申请材料
    pub materials: Vec<MaterialRow<'a>>,
    /// 办理流程, one step each, without their numbers.
    pub process: &'a [String],
    pub time_limits: TimeLimits,
    pub fees: Fees<'a>,
    pub place: Place<'a>,
    pub contacts: Contacts<'a>,
    /// 网办地址; none when not given.
    pub online: Option<Link<'a>>,
    /// 结果名称
    pub result_name: &'a str,
    /// 备注
    pub notes: Vec<&'a str>,
    /// Where the entry was filed, e.g. `公安.xlsx · 事项 第 5 行`.
    pub source: String,
    /// The page's schema.org markup (`GovernmentService`), as the JSON of a
    /// `<script type="application/ld+json">` block (src/exchange/jsonld.rs).
    pub jsonld: String,
}

/// The basic facts table (基本信息).
#[derive(Debug, Serialize)]
pub struct Facts<'a> {
    pub category: &'a str,
    pub sub_name: &'a str,
    pub sector: &'a str,
    pub agency: &'a str,
    pub agency_code: &'a str,
    pub agency_nature: &'a str,
    pub level: &'a str,
    pub division: &'a str,
    /// The city or county of the division code, from the division table.
    pub division_name: &'a str,
    pub power_source: &'a str,
    /// 服务对象, joined with 、.
    pub audience: String,
    pub handling_type: &'a str,
    /// 办理形式, joined with 、.
    pub channels: String,
    pub visits: Option<u32>,
    pub scope: &'a str,
    /// 是 · 否, or empty when not filed.
    pub in_hall: &'static str,
    pub forwarded: &'static str,
}

/// One row of the materials table.
#[derive(Debug, Serialize)]
pub struct MaterialRow<'a> {
    /// 1-based.
    pub no: usize,
    pub name: &'a str,
    pub form: &'a str,
    pub copies: Option<u32>,
    pub source: &'a str,
    pub e_license: &'static str,
    pub necessity: &'a str,
    pub basis: Vec<&'a str>,
    pub notes: Vec<&'a str>,
}

/// 办理时限, in working days.
#[derive(Debug, Serialize)]
pub struct TimeLimits {
    /// 法定办结时限; none when there is none (无) or it was not filed.
    pub statutory: Option<u32>,
    /// 承诺办结时限; 0 is the same day.
    pub promised: Option<u32>,
    /// How much the promise shortens the statutory limit (1 − 承诺/法定), as a
    /// percentage such as `50%`; none when there is nothing to compare.
    pub compression: Option<String>,
}

/// 收费
#[derive(Debug, Serialize)]
pub struct Fees<'a> {
    /// 是 · 否, or empty when not filed.
    pub charged: &'static str,
    pub standard: Vec<&'a str>,
    pub basis: Vec<&'a str>,
}

/// 办理地点与时间
#[derive(Debug, Serialize)]
pub struct Place<'a> {
    pub address: Vec<&'a str>,
    pub hours: Vec<&'a str>,
}

/// 咨询与投诉
#[derive(Debug, Serialize)]
pub struct Contacts<'a> {
    pub consult: &'a str,
    pub complaint: &'a str,
}

/// An address that is a link only when it is a plain http(s) URL.
#[derive(Debug, Serialize)]
pub struct Link<'a> {
    /// The URL to link to; none when the text is not a safe http(s) URL.
    pub href: Option<&'a str>,
    pub text: &'a str,
}

impl<'a> Guide<'a> {
    /// The guide of one entry.
    pub fn new(e: &'a CatalogEntry, ctx: &'a BuildContext<'_>) -> Guide<'a> {
        let divisions = &ctx.workspace.standard.divisions;
        let division_name = e
            .division
            .get(..6)
            .and_then(|c| divisions.get(c))
            .map_or("", |d| d.name.as_str());
        Guide {
            catalog: &ctx.workspace.config.release_name,
            version: &ctx.version,
            name: &e.name,
            sub_name: &e.sub_name,
            basic_code: &e.basic_code,
            impl_code: &e.impl_code,
            facts: Facts {
                category: &e.category,
                sub_name: &e.sub_name,
                sector: &e.sector,
                agency: &e.agency,
                agency_code: &e.agency_code,
                agency_nature: opt(&e.agency_nature),
                level: &e.level,
                division: &e.division,
                division_name,
                power_source: opt(&e.power_source),
                audience: e.audience.join("、"),
                handling_type: opt(&e.handling_type),
                channels: e.channels.join("、"),
                visits: e.visits,
                scope: opt(&e.scope),
                in_hall: yes_no(e.in_hall),
                forwarded: yes_no(e.forwarded),
            },
            legal_basis: lines(opt(&e.legal_basis)),
            conditions: lines(opt(&e.conditions)),
            materials: e
                .materials
                .iter()
                .enumerate()
                .map(|(i, m)| MaterialRow::new(i + 1, m))
                .collect(),
            process: &e.process,
            time_limits: TimeLimits::new(e),
            fees: Fees {
                charged: yes_no(e.charged),
                standard: lines(opt(&e.fee_standard)),
                basis: lines(opt(&e.fee_basis)),
            },
            place: Place {
                address: lines(opt(&e.address)),
                hours: lines(opt(&e.hours)),
            },
            contacts: Contacts {
                consult: opt(&e.contact_phone),
                complaint: opt(&e.complaint_phone),
            },
            online: e
                .online_url
                .as_deref()
                .map(str::trim)
                .filter(|u| !u.is_empty())
                .map(|u| Link {
                    href: is_web_url(u).then_some(u),
                    text: u,
                }),
            result_name: opt(&e.result_name),
            notes: lines(opt(&e.notes)),
            source: source(e),
            jsonld: crate::exchange::jsonld::GovernmentService::of(e, division_name).script(),
        }
    }
}

impl<'a> MaterialRow<'a> {
    fn new(no: usize, m: &'a CatalogMaterial) -> MaterialRow<'a> {
        MaterialRow {
            no,
            name: &m.name,
            form: opt(&m.form),
            copies: m.copies,
            source: opt(&m.source),
            e_license: yes_no(m.e_license),
            necessity: opt(&m.necessity),
            basis: lines(opt(&m.basis)),
            notes: lines(opt(&m.notes)),
        }
    }
}

impl TimeLimits {
    fn new(e: &CatalogEntry) -> TimeLimits {
        let statutory = match e.statutory_days {
            Some(StatutoryDays::Days(n)) => Some(n),
            _ => None,
        };
        TimeLimits {
            statutory,
            promised: e.promised_days,
            compression: statutory
                .zip(e.promised_days)
                .and_then(|(s, p)| compression(s, p)),
        }
    }
}

/// 1 − promised/statutory as a percentage with at most one decimal (`50%`,
/// `28.6%`); none without a statutory limit or when the promise exceeds it.
fn compression(statutory: u32, promised: u32) -> Option<String> {
    if statutory == 0 || promised > statutory {
        return None;
    }
    // Tenths of a percent, rounded half up, in integers so every platform
    // prints the same digits.
    let saved = u64::from(statutory - promised);
    let tenths = (saved * 2000 + u64::from(statutory)) / (u64::from(statutory) * 2);
    Some(if tenths % 10 == 0 {
        format!("{}%", tenths / 10)
    } else {
        format!("{}.{}%", tenths / 10, tenths % 10)
    })
}

fn opt(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or("")
}

fn yes_no(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "是",
        Some(false) => "否",
        None => "",
    }
}

/// The non-blank lines of a text, trimmed.
fn lines(s: &str) -> Vec<&str> {
    s.lines().map(str::trim).filter(|l| !l.is_empty()).collect()
}

/// Whether `u` may be a link target: an http(s) URL with a host and no
/// character that could leave an attribute or a Markdown link.
fn is_web_url(u: &str) -> bool {
    let lower = u.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/'))
        && u.chars().all(|c| {
            !c.is_whitespace()
                && !c.is_control()
                && !matches!(c, '"' | '\'' | '<' | '>' | '`' | '\\')
        })
}

/// Where the entry was filed, as the guide shows it.
fn source(e: &CatalogEntry) -> String {
    let s = &e.source;
    let mut out = s.file.clone();
    if !s.sheet.is_empty() {
        out.push_str(" · ");
        out.push_str(&s.sheet);
    }
    if let Some(row) = s.row {
        out.push_str(&format!(" 第 {row} 行"));
    }
    out
}

/// Whether a code can name a file: upper-case letters and digits only. Codes
/// that passed the checks always can; this guards a hand-edited catalog.
fn path_safe(code: &str) -> bool {
    !code.is_empty()
        && code
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// Writes both guides of every entry under `dir`; returns the number of
/// entries given guides.
pub fn write(ctx: &BuildContext<'_>, dir: &Path) -> Result<usize, PublishError> {
    let templates = Templates::load(ctx.workspace)?;
    std::fs::create_dir_all(dir)?;
    let bar = progress(ctx);
    ctx.entries
        .par_iter()
        .try_for_each(|e| -> Result<(), PublishError> {
            if !path_safe(&e.impl_code) {
                return Err(PublishError::Io(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!(
                        "实施编码 “{}” 不能用作文件名（not usable as a file name）：{}",
                        e.impl_code, e.name
                    ),
                )));
            }
            // One conversion of the context serves both templates.
            let guide = Value::from(Serde(Guide::new(e, ctx)));
            for (template, ext) in [(HTML_TEMPLATE, "html"), (MD_TEMPLATE, "md")] {
                let text = templates.render_value(template, guide.clone())?;
                let path = dir.join(format!("{}.{ext}", e.impl_code));
                std::fs::write(&path, text).map_err(|err| {
                    std::io::Error::new(err.kind(), format!("{}: {err}", path.display()))
                })?;
            }
            bar.inc(1);
            Ok(())
        })?;
    bar.finish_and_clear();
    Ok(ctx.entries.len())
}

/// A progress bar on stderr when the build asks for one, else a hidden one.
fn progress(ctx: &BuildContext<'_>) -> ProgressBar {
    if !ctx.progress {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(ctx.entries.len() as u64);
    if let Ok(style) = ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} {eta}") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message("办事指南");
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compression_is_rounded_to_a_tenth() {
        assert_eq!(compression(20, 10).as_deref(), Some("50%"));
        assert_eq!(compression(7, 5).as_deref(), Some("28.6%"));
        assert_eq!(compression(3, 0).as_deref(), Some("100%"));
        assert_eq!(compression(3, 3).as_deref(), Some("0%"));
        assert_eq!(compression(0, 0), None);
        assert_eq!(compression(3, 5), None);
    }

    #[test]
    fn only_plain_web_urls_are_links() {
        assert!(is_web_url("https://zwfw-new.hunan.gov.cn/"));
        assert!(is_web_url("HTTP://example.cn/a?b=1&c=2"));
        assert!(!is_web_url("javascript:alert(1)"));
        assert!(!is_web_url("https://x.cn/\"><img src=x onerror=alert(1)>"));
        assert!(!is_web_url("https:///path"));
        assert!(!is_web_url("ftp://x.cn"));
        assert!(!is_web_url("https://x.cn/a b"));
    }

    #[test]
    fn lines_drop_blanks_and_trim() {
        assert_eq!(lines(" 一 \n\n 二\r\n"), vec!["一", "二"]);
        assert!(lines("").is_empty());
    }
}

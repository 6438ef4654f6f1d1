//! `yima stats [--format table|json]`: the reform's indicators (SPEC §5) for
//! the workspace's catalog as a whole and per agency. The numbers come from
//! [`crate::stats`]; this file only lays them out.

use super::failure::{Failure, Result};
use super::{EXIT_OK, require_workspace};
use crate::assign;
use crate::catalog::CatalogEntry;
use crate::codes::registry::Status;
use crate::diag::Lang;
use crate::report::inert;
use crate::stats::{Compression, Indicators, Share, Stats};
use std::path::Path;
use unicode_width::UnicodeWidthStr;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// 输出格式
    #[arg(long, short = 'f', value_enum, default_value_t = StatsFormat::Table)]
    pub format: StatsFormat,
}

/// How `yima stats` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StatsFormat {
    /// 对齐的表格
    Table,
    /// JSON（带版本号，字段定义见 docs/formats.md）
    Json,
}

pub fn run(args: Args, workspace: Option<&Path>, lang: Lang) -> Result<u8> {
    let ws = require_workspace(workspace, lang)?;
    let catalog = assign::load(&ws).map_err(|e| Failure::new(e.to_string()))?;
    let mut entries: Vec<&CatalogEntry> = catalog
        .entries()
        .filter(|e| e.status == Status::Active)
        .collect();
    entries.sort_by(|a, b| a.impl_code.cmp(&b.impl_code));
    let stats = Stats::compute(&entries, &ws.standard);
    match args.format {
        StatsFormat::Json => {
            let json =
                serde_json::to_string_pretty(&stats).map_err(|e| Failure::new(e.to_string()))?;
            outln!("{json}");
        }
        StatsFormat::Table => out!("{}", render(&stats, &ws.config.release_name, lang)),
    }
    let unreadable = catalog.files.iter().filter(|f| f.entry.is_err()).count();
    if unreadable > 0 {
        errln!(
            "{}",
            match lang {
                Lang::Zh => format!(
                    "注意：{unreadable} 个条目文件无法读取，未计入统计（运行 yima check items 查看）"
                ),
                Lang::En => format!(
                    "note: {unreadable} entry files cannot be read and are not counted (run `yima check items`)"
                ),
            }
        );
    }
    Ok(EXIT_OK)
}

/// A share as a percentage with one decimal, or — when there is nothing to
/// take a share of.
fn percent(ratio: Option<f64>) -> String {
    ratio.map_or_else(|| "—".to_string(), |r| format!("{:.1}%", r * 100.0))
}

fn fraction(s: &Share) -> String {
    format!("{} / {}", s.numerator, s.denominator)
}

fn compression_detail(c: &Compression, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!(
            "1 − {} / {}（工作日，{} 个事项）",
            c.promised_days, c.statutory_days, c.entries
        ),
        Lang::En => format!(
            "1 − {} / {} (working days, {} entries)",
            c.promised_days, c.statutory_days, c.entries
        ),
    }
}

/// The labels of the shares, in the order both tables show them.
fn share_rows(i: &Indicators) -> [(&'static str, &'static str, &Share); 8] {
    [
        ("即办件占比", "instant (即办件)", &i.instant),
        (
            "只跑一次（到现场 ≤ 1 次）",
            "at most one visit",
            &i.at_most_one_visit,
        ),
        ("零跑腿（到现场 0 次）", "no visit", &i.zero_visits),
        ("全程网办（网办且 0 次）", "fully online", &i.fully_online),
        ("收费事项占比", "charged", &i.charged),
        ("通办事项占比", "shared scope (通办)", &i.shared_scope),
        (
            "网办深度四级占比（全程网办）",
            "online depth level 4 (fully online)",
            &i.online_depth_full,
        ),
        (
            "全要素占比（全要素均已填写）",
            "every element of the full profile",
            &i.full_elements,
        ),
    ]
}

/// The whole report as aligned text: the catalog's indicators, then one row
/// per agency.
pub fn render(stats: &Stats, title: &str, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    let pick = |z: &str, e: &str| if zh { z.to_string() } else { e.to_string() };
    let t = &stats.total;
    let mut out = String::new();
    let title = inert(title);
    out.push_str(&if zh {
        format!("{title}：统计指标\n\n")
    } else {
        format!("{title}: indicators\n\n")
    });

    let mut rows: Vec<Vec<String>> = vec![vec![
        pick("指标", "indicator"),
        pick("数值", "value"),
        pick("计算", "computed as"),
    ]];
    rows.push(vec![
        pick("事项总数", "entries"),
        t.entries.to_string(),
        String::new(),
    ]);
    for (label, tallies) in [
        (pick("按事项类型", "by category"), &t.by_category),
        (pick("按行使层级", "by level"), &t.by_level),
    ] {
        rows.push(vec![label, String::new(), String::new()]);
        for tally in tallies {
            let share = Share::new(tally.count, t.entries);
            rows.push(vec![
                format!("  {}", tally.name),
                tally.count.to_string(),
                percent(share.ratio),
            ]);
        }
    }
    let shares = share_rows(t);
    let (instant, rest) = shares.split_at(1);
    for (z, e, s) in instant {
        rows.push(vec![pick(z, e), percent(s.ratio), fraction(s)]);
    }
    rows.push(vec![
        pick("承诺时限压缩率", "time-limit compression"),
        percent(t.compression.rate),
        compression_detail(&t.compression, lang),
    ]);
    for (z, e, s) in rest {
        rows.push(vec![pick(z, e), percent(s.ratio), fraction(s)]);
    }
    let mpe = &t.materials_per_entry;
    rows.push(vec![
        pick("每事项材料数", "materials per entry"),
        mpe.ratio
            .map_or_else(|| "—".to_string(), |r| format!("{r:.2}")),
        fraction(mpe),
    ]);
    let el = &t.e_license_materials;
    rows.push(vec![
        pick("电子证照材料占比", "materials from e-licences"),
        percent(el.ratio),
        fraction(el),
    ]);
    out.push_str(&table(&rows, &[false, true, false]));

    out.push('\n');
    out.push_str(&pick("按实施主体\n", "by agency\n"));
    let mut rows: Vec<Vec<String>> = vec![if zh {
        [
            "实施主体",
            "实施主体编码",
            "事项",
            "即办件",
            "压缩率",
            "只跑一次",
            "零跑腿",
            "全程网办",
            "材料/事项",
            "电子证照",
            "收费",
            "通办",
            "四级",
            "全要素",
        ]
        .map(String::from)
        .to_vec()
    } else {
        [
            "agency",
            "USCC",
            "entries",
            "instant",
            "compression",
            "≤1 visit",
            "0 visits",
            "online",
            "materials",
            "e-licence",
            "charged",
            "shared",
            "level 4",
            "full",
        ]
        .map(String::from)
        .to_vec()
    }];
    for a in &stats.by_agency {
        let i = &a.indicators;
        rows.push(vec![
            a.agency.clone(),
            a.agency_code.clone(),
            i.entries.to_string(),
            percent(i.instant.ratio),
            percent(i.compression.rate),
            percent(i.at_most_one_visit.ratio),
            percent(i.zero_visits.ratio),
            percent(i.fully_online.ratio),
            i.materials_per_entry
                .ratio
                .map_or_else(|| "—".to_string(), |r| format!("{r:.2}")),
            percent(i.e_license_materials.ratio),
            percent(i.charged.ratio),
            percent(i.shared_scope.ratio),
            percent(i.online_depth_full.ratio),
            percent(i.full_elements.ratio),
        ]);
    }
    let mut right = vec![true; 14];
    right[0] = false;
    right[1] = false;
    out.push_str(&table(&rows, &right));
    out
}

/// Rows laid out in columns two spaces apart, padded by display width (a
/// Chinese character takes two columns), numbers right-aligned. Cells come
/// from the catalog: control characters in them are shown inert.
fn table(rows: &[Vec<String>], right: &[bool]) -> String {
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(|c| inert(c).into_owned()).collect())
        .collect();
    let rows = &rows[..];
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.width())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for r in rows {
        let mut line = String::new();
        for (c, cell) in r.iter().enumerate() {
            if c > 0 {
                line.push_str("  ");
            }
            let pad = " ".repeat(widths[c].saturating_sub(cell.width()));
            if right.get(c).copied().unwrap_or(false) {
                line.push_str(&pad);
                line.push_str(cell);
            } else {
                line.push_str(cell);
                line.push_str(&pad);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_align_by_display_width() {
        let rows = vec![
            vec!["事项".to_string(), "1".to_string()],
            vec!["ab".to_string(), "100".to_string()],
        ];
        let t = table(&rows, &[false, true]);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines, ["事项    1", "ab    100"]);
        assert_eq!(lines[0].width(), lines[1].width());
    }

    #[test]
    fn empty_shares_print_a_dash() {
        assert_eq!(percent(None), "—");
        assert_eq!(percent(Some(0.625)), "62.5%");
    }
}

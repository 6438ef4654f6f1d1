//! The bar charts of the statistics page, laid out at build time: this module
//! computes every bar's position and size, and the template `site/stats.html`
//! draws them as inline SVG — no script, no network, identical bytes on every
//! build. Labels are plain text values, escaped by the template like any
//! other.

use crate::stats::{Share, Tally};
use serde::Serialize;
use unicode_width::UnicodeWidthStr;

/// The widths of the charts' coordinate systems: half the page, or a row of
/// its own. The SVG is drawn at this size (so its text has the page's
/// size); it shrinks to fit a narrower page, and scrolls on a phone.
const HALF: u32 = 560;
const FULL: u32 = 880;
/// The height of one bar's row, and of the bar in it.
const ROW: u32 = 30;
const BAR: u32 = 18;
/// Room above the bars for the axis labels, and below them.
const TOP: u32 = 26;
const BOTTOM: u32 = 8;
/// Bounds of the room right of the plot for the value printed after a bar.
const MIN_VALUE: u32 = 60;
const MAX_VALUE: u32 = 260;
/// Label width bounds, in the coordinate system's units.
const MIN_LABEL: u32 = 72;
const MAX_LABEL: u32 = 250;
/// The width of one terminal column of label text at the chart's font size
/// (13 units): a Chinese character is two columns, about 13 units wide.
const COLUMN: f64 = 6.6;
/// The same for the value text (12 units).
const VALUE_COLUMN: f64 = 6.2;

/// How much of the page a chart takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span {
    Half,
    Full,
}

/// One chart, ready to draw.
#[derive(Debug, Clone, Serialize)]
pub struct BarChart {
    /// What the chart shows, as the `data-chart` attribute names it.
    pub id: &'static str,
    pub title: &'static str,
    /// Whether the chart takes the whole width of the page.
    pub full: bool,
    pub width: u32,
    pub height: u32,
    /// Where the plot starts (labels end left of it) and how wide it is.
    pub plot_x: u32,
    pub plot_width: u32,
    /// Where the labels end (they are right-aligned).
    pub label_x: u32,
    /// The height of every bar.
    pub bar_height: u32,
    /// Whether each bar has a grey track to 100 % behind it (shares).
    pub track: bool,
    pub ticks: Vec<Tick>,
    pub bars: Vec<Bar>,
}

/// A vertical grid line with its axis label.
#[derive(Debug, Clone, Serialize)]
pub struct Tick {
    pub x: String,
    pub label: String,
}

/// One bar: its label (shortened to fit; `full_label` is the whole), the
/// value printed after it, and its geometry.
#[derive(Debug, Clone, Serialize)]
pub struct Bar {
    pub label: String,
    pub full_label: String,
    pub value: String,
    pub y: u32,
    /// The baseline of the row's text.
    pub text_y: u32,
    pub width: String,
    /// Where the value text starts.
    pub value_x: String,
}

/// A bar of a chart before layout: its label, its length as a number, and
/// the text printed after it.
#[derive(Debug, Clone)]
pub struct Datum {
    pub label: String,
    pub amount: f64,
    pub value: String,
}

/// Counts (entries per category, level, agency): the axis runs from 0 to a
/// round number at or above the largest count.
pub fn counts(id: &'static str, title: &'static str, span: Span, tallies: &[Tally]) -> BarChart {
    let data: Vec<Datum> = tallies
        .iter()
        .map(|t| Datum {
            label: t.name.clone(),
            amount: t.count as f64,
            value: format!("{} 项", t.count),
        })
        .collect();
    let max = tallies.iter().map(|t| t.count).max().unwrap_or(0);
    let step = nice_step(max);
    let top = step * max.div_ceil(step).max(1);
    let ticks = (0..=top / step)
        .map(|i| (i * step) as f64 / top as f64)
        .zip((0..=top / step).map(|i| (i * step).to_string()))
        .collect::<Vec<_>>();
    layout((id, title, span), &data, top as f64, &ticks, false)
}

/// Shares (即办件占比 …), each as its label, its ratio and how it was
/// counted (`3/4`): the axis runs from 0 to 100 %, and each bar has a track
/// to 100 % behind it. A share without a ratio (nothing to divide) has no bar.
pub fn shares(
    id: &'static str,
    title: &'static str,
    span: Span,
    shares: &[(&str, Option<f64>, String)],
) -> BarChart {
    let data: Vec<Datum> = shares
        .iter()
        .map(|(label, ratio, detail)| Datum {
            label: (*label).to_string(),
            amount: ratio.unwrap_or(0.0).clamp(0.0, 1.0),
            value: match ratio {
                Some(r) => format!("{}（{detail}）", percent(*r)),
                None => "—（无数据）".to_string(),
            },
        })
        .collect();
    let ticks: Vec<(f64, String)> = (0..=4)
        .map(|i| (f64::from(i) / 4.0, format!("{}%", i * 25)))
        .collect();
    layout((id, title, span), &data, 1.0, &ticks, true)
}

/// How a share was counted, as a chart prints it after the percentage.
pub fn fraction(s: &Share) -> String {
    format!("{}/{}", s.numerator, s.denominator)
}

/// A ratio as a percentage with one decimal, as `yima stats` prints it.
pub fn percent(ratio: f64) -> String {
    format!("{:.1}%", ratio * 100.0)
}

/// Places the bars: labels right-aligned in a column as wide as the longest
/// (within bounds), bars scaled so that `top` fills the plot.
fn layout(
    (id, title, span): (&'static str, &'static str, Span),
    data: &[Datum],
    top: f64,
    ticks: &[(f64, String)],
    track: bool,
) -> BarChart {
    let max_columns = data.iter().map(|d| d.label.width()).max().unwrap_or(0);
    let label_width =
        ((max_columns as f64 * COLUMN).ceil() as u32 + 14).clamp(MIN_LABEL, MAX_LABEL);
    let fit_columns = ((label_width - 14) as f64 / COLUMN).floor() as usize;
    let value_columns = data.iter().map(|d| d.value.width()).max().unwrap_or(0);
    let value_width =
        ((value_columns as f64 * VALUE_COLUMN).ceil() as u32 + 12).clamp(MIN_VALUE, MAX_VALUE);
    let width = match span {
        Span::Half => HALF,
        Span::Full => FULL,
    };
    let plot_x = label_width;
    let plot_width = width - label_width - value_width;
    let scale = |amount: f64| {
        if top > 0.0 {
            (amount / top).clamp(0.0, 1.0) * f64::from(plot_width)
        } else {
            0.0
        }
    };
    let bars = data
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let y = TOP + i as u32 * ROW + (ROW - BAR) / 2;
            let width = scale(d.amount);
            Bar {
                label: shorten(&d.label, fit_columns),
                full_label: d.label.clone(),
                value: d.value.clone(),
                y,
                text_y: y + BAR / 2 + 5,
                width: coord(width),
                value_x: coord(f64::from(plot_x) + width + 6.0),
            }
        })
        .collect();
    BarChart {
        id,
        title,
        full: span == Span::Full,
        width,
        height: TOP + data.len() as u32 * ROW + BOTTOM,
        plot_x,
        plot_width,
        label_x: label_width - 10,
        bar_height: BAR,
        track,
        ticks: ticks
            .iter()
            .map(|(at, label)| Tick {
                x: coord(f64::from(plot_x) + at * f64::from(plot_width)),
                label: label.clone(),
            })
            .collect(),
        bars,
    }
}

/// A coordinate with at most one decimal, and none when it is whole, so the
/// output is short and the same on every platform.
fn coord(v: f64) -> String {
    let tenths = (v * 10.0).round() as i64;
    if tenths % 10 == 0 {
        (tenths / 10).to_string()
    } else {
        format!("{}.{}", tenths / 10, (tenths % 10).abs())
    }
}

/// The label cut to `columns` display columns, ending in … when cut.
fn shorten(label: &str, columns: usize) -> String {
    if label.width() <= columns {
        return label.to_string();
    }
    let mut out = String::new();
    let mut used = 1; // the ellipsis
    for c in label.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w > columns {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    out
}

/// A round step (1, 2 or 5 × 10ⁿ) that divides `0..=max` into at most five
/// parts.
fn nice_step(max: u64) -> u64 {
    let mut magnitude = 1u64;
    loop {
        for m in [1, 2, 5] {
            let step = m * magnitude;
            if max.div_ceil(step) <= 5 {
                return step;
            }
        }
        magnitude = magnitude.saturating_mul(10);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tally(name: &str, count: u64) -> Tally {
        Tally {
            name: name.into(),
            count,
        }
    }

    #[test]
    fn steps_are_round_and_cover_the_maximum() {
        assert_eq!(nice_step(0), 1);
        assert_eq!(nice_step(4), 1);
        assert_eq!(nice_step(7), 2);
        assert_eq!(nice_step(23), 5);
        assert_eq!(nice_step(73), 20);
        assert_eq!(nice_step(100_000), 20_000);
    }

    #[test]
    fn the_largest_count_never_overflows_the_plot() {
        let c = counts(
            "x",
            "x",
            Span::Half,
            &[tally("甲", 73), tally("乙", 0), tally("丙", 40)],
        );
        assert_eq!(c.bars.len(), 3);
        let widths: Vec<f64> = c.bars.iter().map(|b| b.width.parse().unwrap()).collect();
        assert!(widths[0] <= f64::from(c.plot_width), "{widths:?}");
        assert_eq!(widths[1], 0.0);
        assert!(widths[2] < widths[0]);
        // 0, 20, 40, 60, 80: the axis ends at the first step above 73.
        let labels: Vec<&str> = c.ticks.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(labels, ["0", "20", "40", "60", "80"]);
    }

    #[test]
    fn a_share_without_denominator_has_no_bar() {
        let c = shares(
            "s",
            "s",
            Span::Full,
            &[
                (
                    "即办件占比",
                    Share::new(1, 4).ratio,
                    fraction(&Share::new(1, 4)),
                ),
                ("收费", None, String::new()),
            ],
        );
        assert_eq!(c.bars[0].value, "25.0%（1/4）");
        assert_eq!(c.bars[1].width, "0");
        assert_eq!(c.bars[1].value, "—（无数据）");
    }

    #[test]
    fn long_labels_are_shortened_by_display_width() {
        let long = "娄底市某某某某某某某某某某某某某某某某某某某某某某某管理委员会";
        let c = counts("a", "a", Span::Half, &[tally(long, 1)]);
        let b = &c.bars[0];
        assert!(b.label.ends_with('…'), "{}", b.label);
        assert!(b.label.width() as f64 * COLUMN <= f64::from(c.label_x));
        assert_eq!(b.full_label, long);
        assert_eq!(shorten("民政", 10), "民政");
    }

    #[test]
    fn coordinates_are_short_and_stable() {
        assert_eq!(coord(12.0), "12");
        assert_eq!(coord(12.34), "12.3");
        assert_eq!(coord(0.05), "0.1");
    }
}

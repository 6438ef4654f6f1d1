//! Values as real filings write them (SPEC §2a, §2b), parsed without any
//! knowledge of cells: time limits with their unit (`20个工作日内`, `20天`,
//! `即办`), dates (`2026年3月1日`, an Excel date number), the names of form
//! files. The cell readers ([`super::cells`]) and the rules use these.

/// The unit a time limit is counted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// 工作日
    Working,
    /// 自然日
    Natural,
}

impl Unit {
    /// The canonical name, as the `days_unit` table has it.
    pub fn name(self) -> &'static str {
        match self {
            Unit::Working => "工作日",
            Unit::Natural => "自然日",
        }
    }

    /// The unit a canonical name stands for.
    pub fn of_name(name: &str) -> Option<Unit> {
        match name {
            "工作日" => Some(Unit::Working),
            "自然日" => Some(Unit::Natural),
            _ => None,
        }
    }
}

/// A time limit read from its text: the number of days and the unit the
/// text itself names (none for a bare number, `20天` or `20日`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub days: u32,
    pub unit: Option<Unit>,
}

/// Words that mean the matter is settled on the spot: a limit of 0.
const AT_ONCE: &[&str] = &[
    "即办",
    "即办件",
    "即时",
    "即时办结",
    "即时办理",
    "立即办结",
    "立即办理",
    "当场",
    "当场办结",
    "当场办理",
    "当即办结",
    "当日办结",
    "当天办结",
];

/// Why a text is no time limit: a unit that is not days (`个月`, `年`,
/// `小时`), or nothing that reads as one; with the number found in it, if
/// any, for the hint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotALimit {
    /// A number in another unit: months, years, hours.
    OtherUnit(u32, &'static str),
    /// No time limit; the number hidden in it, if any.
    Unreadable(Option<u32>),
}

/// Reads a time limit as a filing writes it (SPEC §2b): `20`, `20个工作日`,
/// `20个工作日内`, `20天`, `20日`, `20个自然日`, `二十个工作日`, `即办`,
/// `当场办结`; a note in brackets after it is passed over. `v` is the
/// cell's text with white space removed and NFKC applied (full-width
/// digits and brackets are ASCII).
pub fn parse_limit(v: &str) -> Result<Limit, NotALimit> {
    let mut t = v.trim();
    // (A note after the limit: "20个工作日(不含公示时间)".)
    if t.ends_with(')')
        && let Some(open) = t.rfind('(')
        && open > 0
    {
        t = t[..open].trim_end();
    }
    let t = t
        .strip_suffix("以内")
        .or_else(|| t.strip_suffix('内'))
        .unwrap_or(t);
    if AT_ONCE.contains(&t) {
        return Ok(Limit {
            days: 0,
            unit: None,
        });
    }
    let (days, rest) = leading_number(t).ok_or(NotALimit::Unreadable(None))?;
    let rest = rest.strip_prefix('个').unwrap_or(rest);
    let unit = match rest {
        "" | "天" | "日" => None,
        "工作日" | "个工作日" => Some(Unit::Working),
        "自然日" | "日历日" => Some(Unit::Natural),
        "月" => return Err(NotALimit::OtherUnit(days, "月")),
        "年" => return Err(NotALimit::OtherUnit(days, "年")),
        "小时" | "钟头" => return Err(NotALimit::OtherUnit(days, "小时")),
        "星期" | "周" => return Err(NotALimit::OtherUnit(days, "周")),
        _ => return Err(NotALimit::Unreadable(Some(days))),
    };
    Ok(Limit { days, unit })
}

/// The unit a time limit's text names, if any (for days-unit-mismatch).
pub fn unit_in_text(raw: &str) -> Option<Unit> {
    if raw.contains("自然日") || raw.contains("日历日") {
        Some(Unit::Natural)
    } else if raw.contains("工作日") {
        Some(Unit::Working)
    } else {
        None
    }
}

/// A whole number at the start of `t`: ASCII digits (a trailing `.0` of a
/// number cell allowed), or Chinese numerals up to 九百九十九.
fn leading_number(t: &str) -> Option<(u32, &str)> {
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 {
        let n: u32 = t[..digits].parse().ok()?;
        let rest = &t[digits..];
        let rest = rest
            .strip_prefix(".0")
            .map(|r| r.trim_start_matches('0'))
            .unwrap_or(rest);
        return Some((n, rest));
    }
    chinese_number(t)
}

/// 二十, 十五, 一百二十, 两 … (at most 999) at the start of `t`.
fn chinese_number(t: &str) -> Option<(u32, &str)> {
    let digit = |c: char| "零一二三四五六七八九".find(c).map(|i| (i / 3) as u32);
    let mut total = 0u32;
    let mut current: Option<u32> = None;
    let mut end = 0;
    let mut any = false;
    for (i, c) in t.char_indices() {
        let d = if c == '两' { Some(2) } else { digit(c) };
        match (d, c) {
            (Some(d), _) => current = Some(d),
            (None, '十') => {
                total += current.unwrap_or(1) * 10;
                current = None;
            }
            (None, '百') => {
                total += current.unwrap_or(1) * 100;
                current = None;
            }
            _ => break,
        }
        any = true;
        end = i + c.len_utf8();
    }
    if !any {
        return None;
    }
    Some((total + current.unwrap_or(0), &t[end..]))
}

/// A date as a filing writes it: `2026-03-01`, `2026/3/1`, `2026.3.1`,
/// `2026年3月1日`, or the day number of an Excel date cell. Gives ISO 8601.
pub fn parse_date(v: &str, from_number: bool) -> Option<String> {
    let t = v.trim();
    if from_number || t.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        // An Excel date: days since 1899-12-30 (dates from 1900-03-01).
        let n: f64 = t.parse().unwrap_or(-1.0);
        if (61.0..2_958_466.0).contains(&n) && n.fract() == 0.0 {
            let (y, m, d) = civil_from_days(n as i64 - 25_569);
            return Some(format!("{y:04}-{m:02}-{d:02}"));
        }
        if !from_number && t.len() == 8 && t.bytes().all(|b| b.is_ascii_digit()) {
            // 20260301
            return ymd(&t[..4], &t[4..6], &t[6..]);
        }
        if from_number || !t.contains('.') {
            return None;
        }
    }
    let t = t
        .strip_suffix('日')
        .or_else(|| t.strip_suffix('号'))
        .unwrap_or(t);
    let parts: Vec<&str> = t.split(['-', '/', '.', '年', '月']).collect();
    match parts.as_slice() {
        [y, m, d] => ymd(y, m, d),
        _ => None,
    }
}

fn ymd(y: &str, m: &str, d: &str) -> Option<String> {
    let (y, m, d): (u32, u32, u32) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let days_in = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    let ok = (1900..=2200).contains(&y)
        && (1..=12).contains(&m)
        && d >= 1
        && d <= days_in[m as usize - 1];
    ok.then(|| format!("{y:04}-{m:02}-{d:02}"))
}

/// The civil date of a day count since 1970-01-01 (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Whether a form reference is a plain file name, as files under `forms/`
/// are named: no folder, no way out of the folder, nothing a file system
/// refuses.
pub fn is_form_file_name(v: &str) -> bool {
    !v.is_empty()
        && v.len() <= 255
        && v != "."
        && v != ".."
        && !v.starts_with('.')
        && !v.chars().any(|c| {
            matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') || c.is_control()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limit(v: &str) -> Result<(u32, Option<Unit>), NotALimit> {
        parse_limit(v).map(|l| (l.days, l.unit))
    }

    #[test]
    fn time_limits_as_real_data_writes_them() {
        assert_eq!(limit("20"), Ok((20, None)));
        assert_eq!(limit("20个工作日"), Ok((20, Some(Unit::Working))));
        assert_eq!(limit("20个工作日内"), Ok((20, Some(Unit::Working))));
        assert_eq!(limit("20工作日"), Ok((20, Some(Unit::Working))));
        assert_eq!(limit("20天"), Ok((20, None)));
        assert_eq!(limit("20日"), Ok((20, None)));
        assert_eq!(limit("20日内"), Ok((20, None)));
        assert_eq!(limit("20个自然日"), Ok((20, Some(Unit::Natural))));
        assert_eq!(limit("二十个工作日"), Ok((20, Some(Unit::Working))));
        assert_eq!(limit("十五日"), Ok((15, None)));
        assert_eq!(limit("一百二十天"), Ok((120, None)));
        assert_eq!(limit("即办"), Ok((0, None)));
        assert_eq!(limit("当场办结"), Ok((0, None)));
        assert_eq!(limit("20.0"), Ok((20, None)));
        assert_eq!(
            limit("20个工作日(不含公示时间)"),
            Ok((20, Some(Unit::Working)))
        );
    }

    #[test]
    fn near_misses_are_not_time_limits() {
        assert_eq!(limit("20个月"), Err(NotALimit::OtherUnit(20, "月")));
        assert_eq!(limit("1年"), Err(NotALimit::OtherUnit(1, "年")));
        assert_eq!(limit("2小时"), Err(NotALimit::OtherUnit(2, "小时")));
        assert_eq!(limit("-1"), Err(NotALimit::Unreadable(None)));
        assert_eq!(limit("按规定"), Err(NotALimit::Unreadable(None)));
        assert_eq!(
            limit("20个工作日左右"),
            Err(NotALimit::Unreadable(Some(20)))
        );
        assert_eq!(limit("20.5"), Err(NotALimit::Unreadable(Some(20))));
    }

    #[test]
    fn units_named_in_text() {
        assert_eq!(unit_in_text("20个自然日"), Some(Unit::Natural));
        assert_eq!(unit_in_text("20个工作日内"), Some(Unit::Working));
        assert_eq!(unit_in_text("20天"), None);
    }

    #[test]
    fn dates() {
        assert_eq!(
            parse_date("2026-03-01", false).as_deref(),
            Some("2026-03-01")
        );
        assert_eq!(parse_date("2026/3/1", false).as_deref(), Some("2026-03-01"));
        assert_eq!(parse_date("2026.3.1", false).as_deref(), Some("2026-03-01"));
        assert_eq!(
            parse_date("2026年3月1日", false).as_deref(),
            Some("2026-03-01")
        );
        assert_eq!(parse_date("20260301", false).as_deref(), Some("2026-03-01"));
        // Excel's day number of 2026-03-01.
        assert_eq!(parse_date("46082", true).as_deref(), Some("2026-03-01"));
        assert_eq!(parse_date("2026-02-30", false), None);
        assert_eq!(parse_date("明年", false), None);
        assert_eq!(parse_date("2026-13-01", false), None);
    }

    #[test]
    fn form_file_names() {
        assert!(is_form_file_name("户口迁移申请表.docx"));
        assert!(!is_form_file_name("../secret.docx"));
        assert!(!is_form_file_name("sub/a.docx"));
        assert!(!is_form_file_name("C:\\a.docx"));
        assert!(!is_form_file_name(".hidden"));
    }
}

//! The sync envelope of every exported row (`cd_batch`, `cd_operation`,
//! `cd_time`, `data_source`) and `task_version`, filled from a release:
//! batch = the release's version, operation `I` for an entry the release
//! added and `U` for any other, time = the release's time stamp, source =
//! the workspace's region, version = the release's number (1 for the first
//! release of the workspace, 2 for the next …). An entry's `task_version`
//! (事项版本) is the number of its release stamp — the release in which it
//! last changed (`stamps.json`, SPEC §10) — so an entry that did not change
//! keeps its version from one release to the next.

use crate::release;
use crate::workspace::Workspace;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

/// What every row of an export carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    /// `cd_batch`: the release's version (`0` without a release).
    pub batch: String,
    /// `cd_time`, `YYYY-MM-DD HH:MM:SS` in China Standard Time.
    pub time: String,
    /// `data_source`: the workspace's region prefix.
    pub source: String,
    /// `task_version`: the release's number among the workspace's releases.
    pub version: i64,
    /// The 实施编码 the release added (`cd_operation` `I`).
    pub added: HashSet<String>,
    /// No release yet: every entry is new to the platform.
    pub all_new: bool,
    /// The number of each entry's release stamp, by 实施编码 (entries not
    /// listed take [`Envelope::version`]).
    pub stamped: HashMap<String, i64>,
}

/// Why an envelope cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum EnvelopeError {
    /// `--release` names no release of the workspace.
    #[error("no release `{0}` under releases/")]
    NoRelease(String),
    /// `--time` is not a time.
    #[error("`{0}` is not a time: write 2026-03-01 or 2026-03-01 09:30:00")]
    BadTime(String),
}

impl Envelope {
    /// The `task_version` of an entry: the number of the release in which
    /// it last changed.
    pub fn version_of(&self, impl_code: &str) -> i64 {
        self.stamped.get(impl_code).copied().unwrap_or(self.version)
    }

    /// The `cd_operation` of an entry.
    pub fn operation(&self, impl_code: &str) -> &'static str {
        if self.all_new || self.added.contains(impl_code) {
            "I"
        } else {
            "U"
        }
    }

    /// The envelope of `release` (the newest when none is named). Its time
    /// is `time` when given, else `SOURCE_DATE_EPOCH`, else when the
    /// release was written (its manifest's modification time). Without any
    /// release: batch `0`, version 0, every entry `I`.
    pub fn of(
        ws: &Workspace,
        release: Option<&str>,
        time: Option<&str>,
    ) -> Result<Envelope, EnvelopeError> {
        let dir = ws.path(&ws.config.paths.releases);
        let all = release::list(&dir);
        let chosen = match release {
            Some(v) if all.iter().any(|r| r == v) => Some(v.to_string()),
            Some(v) => return Err(EnvelopeError::NoRelease(v.to_string())),
            None => all.last().cloned(),
        };
        let fixed = match time {
            Some(t) => Some(parse_time(t).ok_or_else(|| EnvelopeError::BadTime(t.to_string()))?),
            None => std::env::var("SOURCE_DATE_EPOCH")
                .ok()
                .and_then(|s| s.trim().parse::<i64>().ok())
                .map(format_epoch),
        };
        let source = ws.config.region_prefix.clone();
        let Some(version) = chosen else {
            return Ok(Envelope {
                batch: "0".into(),
                time: fixed.unwrap_or_else(|| format_epoch(0)),
                source,
                version: 0,
                added: HashSet::new(),
                all_new: true,
                stamped: HashMap::new(),
            });
        };
        let at = dir.join(&version);
        let number = all.iter().position(|r| *r == version).map_or(0, |i| i + 1);
        let time = fixed.unwrap_or_else(|| {
            let stamp = std::fs::metadata(at.join(release::manifest::FILE))
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_secs() as i64);
            format_epoch(stamp)
        });
        let numbers: HashMap<&str, i64> = all
            .iter()
            .enumerate()
            .map(|(i, v)| (v.as_str(), i as i64 + 1))
            .collect();
        let stamped = crate::publish::stamps::of_release(&at)
            .into_iter()
            .filter_map(|(code, stamp)| Some((code, *numbers.get(stamp.as_str())?)))
            .collect();
        Ok(Envelope {
            batch: version,
            time,
            source,
            version: number as i64,
            added: added_in(&at),
            all_new: false,
            stamped,
        })
    }
}

/// The 实施编码 a release's `changes.json` lists as added.
fn added_in(release: &Path) -> HashSet<String> {
    #[derive(serde::Deserialize)]
    struct Changes {
        #[serde(default)]
        added: Vec<Added>,
    }
    #[derive(serde::Deserialize)]
    struct Added {
        impl_code: String,
    }
    std::fs::read_to_string(release.join("changes.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<Changes>(&t).ok())
        .map(|c| c.added.into_iter().map(|a| a.impl_code).collect())
        .unwrap_or_default()
}

/// Seconds since 1970 in China Standard Time (UTC+8), as the platform's
/// datetime columns write them.
pub fn format_epoch(secs: i64) -> String {
    let local = secs + 8 * 3600;
    let days = local.div_euclid(86_400);
    let rem = local.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Now, as [`format_epoch`] writes it.
pub fn now() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    format_epoch(secs)
}

/// `2026-03-01` or `2026-03-01 09:30:00` (or with `T`), as written.
fn parse_time(s: &str) -> Option<String> {
    let s = s.trim();
    let (date, clock) = match s.split_once([' ', 'T']) {
        Some((d, c)) => (d, c),
        None => (s, "00:00:00"),
    };
    let d: Vec<u32> = date
        .split('-')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    let c: Vec<u32> = clock
        .split(':')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    let ok = d.len() == 3
        && (1..=12).contains(&d[1])
        && (1..=31).contains(&d[2])
        && (2..=3).contains(&c.len())
        && c[0] < 24
        && c[1] < 60
        && c.get(2).is_none_or(|s| *s < 60);
    ok.then(|| {
        format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
            d[0],
            d[1],
            d[2],
            c[0],
            c[1],
            c.get(2).copied().unwrap_or(0)
        )
    })
}

/// (year, month, day) of a day count since 1970-01-01 (Howard Hinnant's
/// algorithm, exact for the proleptic Gregorian calendar).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_china_standard_time() {
        assert_eq!(format_epoch(0), "1970-01-01 08:00:00");
        // 2026-03-01 00:00:00 +08:00
        assert_eq!(format_epoch(1_772_294_400), "2026-03-01 00:00:00");
        assert_eq!(format_epoch(951_782_400 - 8 * 3600), "2000-02-29 00:00:00");
    }

    #[test]
    fn given_times_are_read() {
        assert_eq!(
            parse_time("2026-3-1").as_deref(),
            Some("2026-03-01 00:00:00")
        );
        assert_eq!(
            parse_time("2026-03-01T09:30").as_deref(),
            Some("2026-03-01 09:30:00")
        );
        assert_eq!(parse_time("2026-13-01"), None);
        assert_eq!(parse_time("yesterday"), None);
    }
}

//! The reform's indicators (SPEC §5) computed from catalog entries, for the
//! whole catalog and per agency: what `yima stats` prints and the site draws.
//!
//! Every share is a [`Share`] — numerator, denominator and their ratio — so a
//! reader can check the arithmetic and nothing divides by zero: a share over
//! no entries has no ratio (`null` in JSON), not a made-up 0 %.
//!
//! Each share is taken over the entries that *state* the fields it reads, so
//! an entry with a blank cell neither helps nor hurts an indicator. A catalog
//! that passes `yima check` has every such field filled, and the denominators
//! are then the entry count.
//!
//! ```
//! use yima::catalog::CatalogEntry;
//! use yima::standard::Standard;
//! let e = CatalogEntry { handling_type: Some("即办件".into()), ..Default::default() };
//! let s = yima::stats::Stats::compute(&[&e], &Standard::embedded());
//! assert_eq!(s.total.instant.ratio, Some(1.0));
//! ```

mod full;

use crate::catalog::CatalogEntry;
use crate::catalog::entry::StatutoryDays;
use crate::standard::Standard;
use crate::standard::tables::Table;
pub use full::FullProfile;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The version of the JSON document `yima stats --format json` prints.
pub const FORMAT_VERSION: u32 = 1;

/// The 通办范围 value that means the entry is handled only where it is filed.
/// It is the one value of the `scope` table that is not a 通办 area; aliases
/// (否, 无) resolve to it through the table.
pub const NOT_SHARED: &str = "不通办";

/// A part of a whole: `numerator` of `denominator`, and `ratio` =
/// numerator / denominator, absent when the denominator is 0.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Share {
    pub numerator: u64,
    pub denominator: u64,
    pub ratio: Option<f64>,
}

impl Share {
    /// `numerator / denominator`, without dividing by zero.
    pub fn new(numerator: u64, denominator: u64) -> Share {
        Share {
            numerator,
            denominator,
            ratio: (denominator > 0).then(|| numerator as f64 / denominator as f64),
        }
    }
}

/// 承诺时限压缩率 = 1 − Σ承诺办结时限 / Σ法定办结时限, over the entries that have a
/// numeric 法定办结时限 (not 无) and a 承诺办结时限. It is absent when those
/// statutory limits sum to 0 (nothing to compress). It is negative only when
/// promises exceed the law, which `promised-exceeds-statutory` reports.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Compression {
    /// The entries counted.
    pub entries: u64,
    /// Σ承诺办结时限 over those entries, in working days.
    pub promised_days: u64,
    /// Σ法定办结时限 over those entries, in working days.
    pub statutory_days: u64,
    pub rate: Option<f64>,
}

impl Compression {
    fn new(entries: u64, promised_days: u64, statutory_days: u64) -> Compression {
        Compression {
            entries,
            promised_days,
            statutory_days,
            rate: (statutory_days > 0).then(|| 1.0 - promised_days as f64 / statutory_days as f64),
        }
    }
}

/// How many entries carry one value of a field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    pub name: String,
    pub count: u64,
}

/// The indicators of a set of entries (the whole catalog, or one agency's).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Indicators {
    /// 事项数: the entries counted.
    pub entries: u64,
    /// Entries per 事项类型: every value of the code table in its order (zeros
    /// included, so charts of different agencies line up), then any value
    /// outside the table, by name.
    pub by_category: Vec<Tally>,
    /// Entries per 行使层级, in the same way.
    pub by_level: Vec<Tally>,
    /// 即办件占比: entries whose 办件类型 is 即办件, of the entries that state one.
    pub instant: Share,
    /// 承诺时限压缩率 (see [`Compression`]).
    pub compression: Compression,
    /// 只跑一次: entries with 到办事现场次数 ≤ 1, of the entries that state it.
    pub at_most_one_visit: Share,
    /// 零跑腿: entries with 到办事现场次数 = 0, of the entries that state it.
    pub zero_visits: Share,
    /// 全程网办: entries with an online channel (网上办理 or 移动端办理 — the
    /// values the `channel` table flags `online`) *and* 到办事现场次数 = 0,
    /// of the entries that state 到办事现场次数. An online channel alone is not
    /// enough: if the applicant must still come once, the entry is not
    /// handled fully online.
    pub fully_online: Share,
    /// 申请材料数: all materials of the entries.
    pub materials: u64,
    /// 每事项材料数: materials / entries (a ratio, not a share).
    pub materials_per_entry: Share,
    /// 电子证照材料占比: materials marked 电子证照 = 是, of all materials. The
    /// column is optional; a blank counts as 否 (the applicant brings it).
    pub e_license_materials: Share,
    /// 收费事项占比: entries with 是否收费 = 是, of the entries that state it.
    pub charged: Share,
    /// 通办事项占比: entries whose 通办范围 is not 不通办 (全省, 全市 or 全县),
    /// of the entries that state one.
    pub shared_scope: Share,
    /// 网办深度四级占比: entries whose 网上办理深度 is the level the
    /// `online_depth` table flags `full_online` (四级, 全程网办), of the
    /// entries that state a depth (SPEC §2a; the element is optional).
    #[serde(default)]
    pub online_depth_full: Share,
    /// 全要素占比: entries that fill every element marked `full` in
    /// `schemas/elements.yaml` that applies to them, their materials'
    /// included (see [`FullProfile`]), of all entries.
    #[serde(default)]
    pub full_elements: Share,
}

/// One agency's indicators. Entries belong to an agency by 实施主体编码 (the
/// USCC); the name shown is the one of its first entry in 实施编码 order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgencyStats {
    pub agency_code: String,
    pub agency: String,
    pub indicators: Indicators,
}

/// The indicators of the catalog as a whole and per agency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    /// [`FORMAT_VERSION`].
    pub version: u32,
    pub total: Indicators,
    /// One per 实施主体编码, in code order.
    pub by_agency: Vec<AgencyStats>,
}

impl Stats {
    /// The indicators of `entries` (the active entries of a catalog), with
    /// code-table facts (which 办件类型 is 即办件, which channels are online)
    /// read from `standard`.
    pub fn compute(entries: &[&CatalogEntry], standard: &Standard) -> Stats {
        let mut agencies: BTreeMap<&str, Vec<&CatalogEntry>> = BTreeMap::new();
        for e in entries {
            agencies.entry(e.agency_code.as_str()).or_default().push(e);
        }
        // (The agencies are counted side by side.)
        use rayon::prelude::*;
        let agencies: Vec<(&str, Vec<&CatalogEntry>)> = agencies.into_iter().collect();
        let by_agency: Vec<AgencyStats> = agencies
            .into_par_iter()
            .map(|(code, mut list)| {
                list.sort_by(|a, b| a.impl_code.cmp(&b.impl_code));
                AgencyStats {
                    agency_code: code.to_string(),
                    agency: list.first().map(|e| e.agency.clone()).unwrap_or_default(),
                    indicators: Indicators::compute(&list, standard),
                }
            })
            .collect();
        Stats::of_agencies(by_agency, standard)
    }

    /// The statistics of a catalog from its agencies' (in code order). Each
    /// agency's shares are worked out again from its counts, so indicators
    /// kept as JSON give the same figures as indicators just computed.
    pub fn of_agencies(mut by_agency: Vec<AgencyStats>, standard: &Standard) -> Stats {
        for a in &mut by_agency {
            a.indicators = Indicators::sum([&a.indicators], standard);
        }
        // (The whole catalog's counts are the sums of the agencies': each
        // entry is looked at once.)
        let total = Indicators::sum(by_agency.iter().map(|a| &a.indicators), standard);
        Stats {
            version: FORMAT_VERSION,
            total,
            by_agency,
        }
    }
}

impl Indicators {
    /// The indicators of one set of entries; the definitions are on the fields.
    pub fn compute(entries: &[&CatalogEntry], standard: &Standard) -> Indicators {
        let tables = &standard.tables;
        let handling = tables.table("handling_type");
        let channels = tables.table("channel");
        let scope = tables.table("scope");
        let depth = tables.get("online_depth");
        let profile = FullProfile::new(standard);

        let mut instant = (0, 0);
        let (mut compressed, mut promised, mut statutory) = (0, 0, 0);
        let (mut one, mut zero, mut online, mut stated_visits) = (0, 0, 0, 0);
        let (mut materials, mut e_license) = (0, 0);
        let mut charged = (0, 0);
        let mut shared = (0, 0);
        let mut depth_full = (0, 0);
        let mut full = 0;

        for e in entries {
            if let Some(h) = &e.handling_type {
                instant.1 += 1;
                if handling.lookup(h).is_some_and(|t| t.instant) {
                    instant.0 += 1;
                }
            }
            if let (Some(StatutoryDays::Days(s)), Some(p)) = (e.statutory_days, e.promised_days) {
                compressed += 1;
                statutory += u64::from(s);
                promised += u64::from(p);
            }
            if let Some(v) = e.visits {
                stated_visits += 1;
                one += u64::from(v <= 1);
                zero += u64::from(v == 0);
                let has_online = e
                    .channels
                    .iter()
                    .any(|c| channels.lookup(c).is_some_and(|t| t.online));
                online += u64::from(v == 0 && has_online);
            }
            materials += e.materials.len() as u64;
            e_license += e
                .materials
                .iter()
                .filter(|m| m.e_license == Some(true))
                .count() as u64;
            if let Some(c) = e.charged {
                charged.1 += 1;
                charged.0 += u64::from(c);
            }
            if let Some(s) = &e.scope {
                shared.1 += 1;
                let canonical = scope.lookup(s).map_or(s.as_str(), |t| t.name.as_str());
                shared.0 += u64::from(canonical != NOT_SHARED);
            }
            if let Some(d) = e.online_depth.as_deref().filter(|d| !d.trim().is_empty()) {
                depth_full.1 += 1;
                let level = depth.and_then(|t| t.lookup(d));
                depth_full.0 += u64::from(level.is_some_and(|t| t.full_online));
            }
            full += u64::from(profile.is_complete(e));
        }
        let n = entries.len() as u64;
        Indicators {
            entries: n,
            by_category: tally(entries, tables.table("category"), |e| &e.category),
            by_level: tally(entries, tables.table("level"), |e| &e.level),
            instant: Share::new(instant.0, instant.1),
            compression: Compression::new(compressed, promised, statutory),
            at_most_one_visit: Share::new(one, stated_visits),
            zero_visits: Share::new(zero, stated_visits),
            fully_online: Share::new(online, stated_visits),
            materials,
            materials_per_entry: Share::new(materials, n),
            e_license_materials: Share::new(e_license, materials),
            charged: Share::new(charged.0, charged.1),
            shared_scope: Share::new(shared.0, shared.1),
            online_depth_full: Share::new(depth_full.0, depth_full.1),
            full_elements: Share::new(full, n),
        }
    }
}

impl Indicators {
    /// The indicators of the union of sets of entries that share none, from
    /// each set's: the counts add up and the shares are taken of the sums,
    /// which gives what [`Indicators::compute`] gives over all of them.
    pub fn sum<'a>(
        parts: impl IntoIterator<Item = &'a Indicators>,
        standard: &Standard,
    ) -> Indicators {
        let tables = &standard.tables;
        let plus = |a: Share, b: Share| {
            Share::new(a.numerator + b.numerator, a.denominator + b.denominator)
        };
        let mut t = Indicators {
            by_category: tally(&[], tables.table("category"), |e| &e.category),
            by_level: tally(&[], tables.table("level"), |e| &e.level),
            ..Indicators::default()
        };
        let (mut categories, mut levels) = (BTreeMap::new(), BTreeMap::new());
        for p in parts {
            t.entries += p.entries;
            add_tallies(&mut t.by_category, &mut categories, &p.by_category);
            add_tallies(&mut t.by_level, &mut levels, &p.by_level);
            t.instant = plus(t.instant, p.instant);
            let (c, d) = (&t.compression, &p.compression);
            t.compression = Compression::new(
                c.entries + d.entries,
                c.promised_days + d.promised_days,
                c.statutory_days + d.statutory_days,
            );
            t.at_most_one_visit = plus(t.at_most_one_visit, p.at_most_one_visit);
            t.zero_visits = plus(t.zero_visits, p.zero_visits);
            t.fully_online = plus(t.fully_online, p.fully_online);
            t.materials += p.materials;
            t.e_license_materials = plus(t.e_license_materials, p.e_license_materials);
            t.charged = plus(t.charged, p.charged);
            t.shared_scope = plus(t.shared_scope, p.shared_scope);
            t.online_depth_full = plus(t.online_depth_full, p.online_depth_full);
            t.full_elements = plus(t.full_elements, p.full_elements);
        }
        t.materials_per_entry = Share::new(t.materials, t.entries);
        t.by_category.extend(
            categories
                .into_iter()
                .map(|(name, count)| Tally { name, count }),
        );
        t.by_level.extend(
            levels
                .into_iter()
                .map(|(name, count)| Tally { name, count }),
        );
        t
    }
}

/// Adds a part's tallies ([`tally`]) to the table's values in `known`, and
/// its values outside the table to `other`.
fn add_tallies(known: &mut [Tally], other: &mut BTreeMap<String, u64>, part: &[Tally]) {
    for (i, t) in part.iter().enumerate() {
        match known.get_mut(i) {
            Some(k) => k.count += t.count,
            None => *other.entry(t.name.clone()).or_default() += t.count,
        }
    }
}

/// Counts per value of a field: the table's values in order, then others by name.
fn tally(
    entries: &[&CatalogEntry],
    table: &Table,
    field: impl Fn(&CatalogEntry) -> &String,
) -> Vec<Tally> {
    let mut known: Vec<Tally> = table
        .entries
        .iter()
        .map(|t| Tally {
            name: t.name.to_string(),
            count: 0,
        })
        .collect();
    let mut other: BTreeMap<String, u64> = BTreeMap::new();
    for e in entries {
        let value = field(e);
        let canonical = table.lookup(value).map(|t| t.name.as_str());
        match canonical.and_then(|c| known.iter_mut().find(|k| k.name == c)) {
            Some(k) => k.count += 1,
            None => *other.entry(value.clone()).or_default() += 1,
        }
    }
    known.extend(other.into_iter().map(|(name, count)| Tally { name, count }));
    known
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_never_divide_by_zero() {
        let s = Stats::compute(&[], &Standard::embedded());
        assert_eq!(s.total.entries, 0);
        assert_eq!(s.total.instant, Share::new(0, 0));
        assert_eq!(s.total.instant.ratio, None);
        assert_eq!(s.total.compression.rate, None);
        assert!(s.by_agency.is_empty());
        // The code tables' values are listed even when nothing carries them.
        assert_eq!(s.total.by_category.len(), 6);
        assert!(s.total.by_category.iter().all(|t| t.count == 0));
    }

    #[test]
    fn the_whole_catalogs_indicators_are_the_sums_of_the_agencies() {
        use crate::catalog::entry::CatalogMaterial;
        // Entries of five agencies with every field varied, values outside
        // the code tables among them.
        let values = |i: usize, of: &[&str]| of[i % of.len()].to_string();
        let entries: Vec<CatalogEntry> = (0..97)
            .map(|i| CatalogEntry {
                impl_code: format!("{i:031}"),
                agency_code: format!("A{}", (i * 7) % 5),
                category: values(i, &["行政许可", "行政给付", "其他类", "自定义"]),
                level: values(i / 3, &["市级", "县级", "乡级", "省级"]),
                handling_type: (i % 4 != 0).then(|| values(i, &["即办件", "承诺件"])),
                statutory_days: match i % 3 {
                    0 => Some(StatutoryDays::Days(20 + i as u32 % 9)),
                    _ => None,
                },
                promised_days: (i % 2 == 0).then_some(i as u32 % 11),
                visits: (i % 5 != 0).then_some(i as u32 % 3),
                channels: vec![values(i, &["窗口办理", "网上办理", "移动端办理"])],
                charged: (i % 6 != 0).then_some(i % 2 == 1),
                scope: (i % 3 != 1).then(|| values(i, &["全省", "不通办", "否", "全国"])),
                online_depth: (i % 4 == 1).then(|| values(i, &["四级", "三级", " "])),
                materials: (0..i % 4)
                    .map(|k| CatalogMaterial {
                        name: format!("材料{k}"),
                        e_license: (k % 2 == 0).then_some(i % 3 == 0),
                        ..Default::default()
                    })
                    .collect(),
                ..Default::default()
            })
            .collect();
        let refs: Vec<&CatalogEntry> = entries.iter().collect();
        let standard = Standard::embedded();
        let stats = Stats::compute(&refs, &standard);
        assert_eq!(stats.by_agency.len(), 5);
        assert_eq!(stats.total, Indicators::compute(&refs, &standard));
        assert!(stats.total.by_category.iter().any(|t| t.name == "自定义"));
        assert!(stats.total.compression.rate.is_some());
    }

    #[test]
    fn values_outside_the_table_are_tallied_after_it() {
        let e = CatalogEntry {
            level: "省级".into(),
            ..Default::default()
        };
        let s = Stats::compute(&[&e], &Standard::embedded());
        let last = s.total.by_level.last().expect("a tally");
        assert_eq!((last.name.as_str(), last.count), ("省级", 1));
        assert_eq!(s.total.by_level.len(), 5);
    }
}

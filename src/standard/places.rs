//! The national division table (`schemas/national-divisions.yaml`: every
//! province, prefecture-level city and county of China with its short form)
//! and the search for place names in a text, which name-has-agency runs on
//! every item name. The workspace's own `divisions.yaml` stays the table
//! that decides division-invalid.

use rustc_hash::FxHashMap;
use serde::Deserialize;

/// The level of a division of the national table, read from its code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// `430000`.
    Province,
    /// `430100`.
    City,
    /// `430112`.
    County,
}

/// One division of the national table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub code: String,
    pub name: String,
    /// The name without its administrative ending (湖南省 → 湖南), when the
    /// table gives one.
    pub short: Option<String>,
}

impl Place {
    pub fn level(&self) -> Level {
        if self.code.ends_with("0000") {
            Level::Province
        } else if self.code.ends_with("00") {
            Level::City
        } else {
            Level::County
        }
    }
}

/// The national division table.
#[derive(Debug, Clone, Deserialize)]
#[serde(try_from = "Raw")]
pub struct NationalDivisions {
    pub places: Vec<Place>,
    /// A county's short form counts as a place name only with this many
    /// characters at least.
    pub county_short_min: usize,
}

/// The file as written: one line a division.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    county_short_min: usize,
    places: String,
}

impl TryFrom<Raw> for NationalDivisions {
    type Error = String;

    fn try_from(raw: Raw) -> Result<Self, String> {
        let mut places = Vec::new();
        for (k, line) in raw.places.lines().enumerate() {
            let mut parts = line.split_whitespace();
            let (Some(code), Some(name)) = (parts.next(), parts.next()) else {
                continue;
            };
            let short = parts.next().map(str::to_string);
            if code.len() != 6
                || !code.bytes().all(|b| b.is_ascii_digit())
                || parts.next().is_some()
            {
                return Err(format!(
                    "places, line {}: expected `code name [short]`, not `{line}`",
                    k + 1
                ));
            }
            places.push(Place {
                code: code.to_string(),
                name: name.to_string(),
                short,
            });
        }
        Ok(NationalDivisions {
            places,
            county_short_min: raw.county_short_min,
        })
    }
}

impl NationalDivisions {
    /// The names the divisions go by in text: every name, and the short
    /// forms of provinces and cities and of counties long enough to be no
    /// common word.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.places.iter().flat_map(move |p| {
            let short = p.short.as_deref().filter(|s| {
                p.level() != Level::County || s.chars().count() >= self.county_short_min
            });
            std::iter::once(p.name.as_str()).chain(short)
        })
    }
}

/// Place names indexed by their first character: a text is searched in one
/// pass, each position trying only the names that start with its character,
/// longest first.
#[derive(Debug, Clone, Default)]
pub struct PlaceNames {
    by_first: FxHashMap<char, Box<[Box<str>]>>,
}

impl PlaceNames {
    /// The index of `names`, without those in `not` (common words).
    pub fn new<'a>(names: impl IntoIterator<Item = &'a str>, not: &[String]) -> PlaceNames {
        let mut groups: FxHashMap<char, Vec<Box<str>>> = FxHashMap::default();
        for n in names {
            let Some(first) = n.chars().next() else {
                continue;
            };
            if not.iter().any(|w| w == n) {
                continue;
            }
            let group = groups.entry(first).or_default();
            if !group.iter().any(|g| &**g == n) {
                group.push(n.into());
            }
        }
        PlaceNames {
            by_first: groups
                .into_iter()
                .map(|(c, mut g)| {
                    g.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
                    (c, g.into_boxed_slice())
                })
                .collect(),
        }
    }

    /// The first place name in `text`, the longest of those starting there.
    pub fn find(&self, text: &str) -> Option<&str> {
        text.char_indices().find_map(|(i, c)| {
            let rest = &text[i..];
            self.by_first
                .get(&c)?
                .iter()
                .find(|n| rest.starts_with(&***n))
                .map(|n| &**n)
        })
    }

    /// How many names the index holds.
    pub fn len(&self) -> usize {
        self.by_first.values().map(|g| g.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.by_first.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_table_holds_the_country() {
        let t = crate::standard::Standard::embedded().national;
        assert!(t.places.len() > 3000, "{}", t.places.len());
        let find = |code: &str| t.places.iter().find(|p| p.code == code).unwrap();
        assert_eq!(find("430000").name, "湖南省");
        assert_eq!(find("430000").short.as_deref(), Some("湖南"));
        assert_eq!(find("430000").level(), Level::Province);
        assert_eq!(find("430100").short.as_deref(), Some("长沙"));
        assert_eq!(find("430100").level(), Level::City);
        assert_eq!(find("430112").name, "望城区");
        assert_eq!(find("430112").level(), Level::County);
        assert_eq!(find("433100").short.as_deref(), Some("湘西"));
        assert_eq!(find("450000").short.as_deref(), Some("广西"));
        // No grouping that is no place.
        assert!(
            t.places
                .iter()
                .all(|p| !p.name.contains("区划") && p.name != "市辖区")
        );
        let names: Vec<&str> = t.names().collect();
        assert!(names.contains(&"长沙") && names.contains(&"望城区"));
        // Two-character short forms of counties are left out, longer kept.
        assert!(!names.contains(&"资源") && !names.contains(&"望城"));
        assert!(names.contains(&"冷水江"));
    }

    #[test]
    fn leftmost_then_longest() {
        let p = PlaceNames::new(["娄底", "娄底市", "双峰", "城区"], &["城区".to_string()]);
        assert_eq!(p.find("娄底市双峰县社会团体登记"), Some("娄底市"));
        assert_eq!(p.find("双峰县娄底市"), Some("双峰"));
        assert_eq!(p.find("城区道路挖掘许可"), None);
        assert_eq!(p.find(""), None);
        assert_eq!(p.len(), 3);
    }

    #[test]
    fn a_malformed_line_is_an_error() {
        let bad = "county_short_min: 3\nplaces: |\n  43000 湖南省 湖南\n";
        let err = serde_saphyr::from_str::<NationalDivisions>(bad).unwrap_err();
        assert!(err.to_string().contains("43000"), "{err}");
    }
}

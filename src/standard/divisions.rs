//! The division table (`schemas/divisions.yaml`, GB/T 2260) and the structure
//! of 12-digit town and village codes (SPEC §3).

use super::tables::DivisionKind;
use serde::Deserialize;

/// A city or county of the region.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Division {
    pub code: String,
    pub name: String,
    pub kind: DivisionKind,
}

/// A range of town or village segment numbers and what they denote.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SegmentRange {
    pub from: u32,
    pub to: u32,
    pub kind: String,
}

/// The division table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Divisions {
    pub divisions: Vec<Division>,
    pub town_ranges: Vec<SegmentRange>,
    pub village_ranges: Vec<SegmentRange>,
    /// The place names of [`Divisions::place_names`], made once.
    #[serde(skip)]
    place_names: std::sync::OnceLock<Vec<String>>,
}

/// What a division code denotes, once checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place<'a> {
    pub kind: DivisionKind,
    /// The city or county the code is under.
    pub parent: &'a Division,
}

/// Why a division code is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DivisionError {
    /// Not 6 or 12 digits.
    Malformed,
    /// A six-digit code (or the county part of a 12-digit one) not in the table.
    Unknown,
    /// The town segment is outside every range.
    BadTown(u32),
    /// The village segment is outside every range.
    BadVillage(u32),
    /// A 12-digit code whose first six digits are the city, not a county.
    TownUnderCity,
}

impl Divisions {
    /// The names a place goes by in text: each division's name, then its
    /// name without 市/县/区 when two characters at least are left
    /// (娄底市, 娄底, 双峰县, 双峰, …).
    pub fn place_names(&self) -> &[String] {
        self.place_names.get_or_init(|| {
            let mut names = Vec::new();
            for d in &self.divisions {
                names.push(d.name.clone());
                let short = d.name.trim_end_matches(['市', '县', '区']);
                if short.chars().count() >= 2 {
                    names.push(short.to_string());
                }
            }
            names
        })
    }

    /// The city or county of a code: its six digits, or the same followed
    /// by `000000` (the 12-digit form of the area itself, `431302000000`).
    pub fn get(&self, code: &str) -> Option<&Division> {
        let code = match code.strip_suffix("000000") {
            Some(area) if area.len() == 6 => area,
            _ => code,
        };
        self.divisions.iter().find(|d| d.code == code)
    }

    pub fn city(&self) -> Option<&Division> {
        self.divisions.iter().find(|d| d.kind == DivisionKind::City)
    }

    /// Decodes a 6- or 12-digit code. What a code denotes is read from its
    /// segments, not its length: `431300000000` is the city as `431300` is,
    /// `431321100000` a town, `431321100201` a village.
    pub fn resolve(&self, code: &str) -> Result<Place<'_>, DivisionError> {
        if !code.bytes().all(|b| b.is_ascii_digit()) || !(code.len() == 6 || code.len() == 12) {
            return Err(DivisionError::Malformed);
        }
        let county = self.get(&code[..6]).ok_or(DivisionError::Unknown)?;
        // Six digits, or twelve whose town and village parts are 000: the
        // city or county itself, as the table has it.
        if code.len() == 6 || &code[6..] == "000000" {
            return Ok(Place {
                kind: county.kind,
                parent: county,
            });
        }
        if county.kind != DivisionKind::County {
            return Err(DivisionError::TownUnderCity);
        }
        let town: u32 = code[6..9].parse().expect("digits");
        let village: u32 = code[9..12].parse().expect("digits");
        let within =
            |ranges: &[SegmentRange], n: u32| ranges.iter().any(|r| (r.from..=r.to).contains(&n));
        if town == 0 || !within(&self.town_ranges, town) {
            return Err(DivisionError::BadTown(town));
        }
        if !within(&self.village_ranges, village) {
            return Err(DivisionError::BadVillage(village));
        }
        Ok(Place {
            kind: if village == 0 {
                DivisionKind::Town
            } else {
                DivisionKind::Village
            },
            parent: county,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loudi() -> Divisions {
        crate::standard::Standard::embedded().divisions
    }

    #[test]
    fn twelve_digit_codes_denote_by_their_segments() {
        let d = loudi();
        let kind = |c: &str| d.resolve(c).map(|p| (p.kind, p.parent.name.clone()));
        use DivisionKind::*;
        assert_eq!(kind("431300"), Ok((City, "娄底市".into())));
        assert_eq!(kind("431300000000"), Ok((City, "娄底市".into())));
        assert_eq!(kind("431302000000"), Ok((County, "娄星区".into())));
        assert_eq!(kind("431302"), Ok((County, "娄星区".into())));
        assert_eq!(kind("431321100000"), Ok((Town, "双峰县".into())));
        assert_eq!(kind("431321100201"), Ok((Village, "双峰县".into())));
        assert_eq!(
            d.get("431302000000").map(|x| x.code.as_str()),
            Some("431302")
        );
    }

    #[test]
    fn near_misses_of_twelve_digit_codes() {
        let d = loudi();
        for c in ["4313020", "43130200000", "4313020000000", "431302 00000"] {
            assert_eq!(d.resolve(c), Err(DivisionError::Malformed), "{c}");
        }
        assert_eq!(d.resolve("431399000000"), Err(DivisionError::Unknown));
        assert_eq!(d.resolve("431399"), Err(DivisionError::Unknown));
        // The town part 000 with a village is no town; 600 is in no range.
        assert_eq!(d.resolve("431321000201"), Err(DivisionError::BadTown(0)));
        assert_eq!(d.resolve("431321600000"), Err(DivisionError::BadTown(600)));
        assert_eq!(
            d.resolve("431321100400"),
            Err(DivisionError::BadVillage(400))
        );
        // A town is under a county, not the city.
        assert_eq!(d.resolve("431300100000"), Err(DivisionError::TownUnderCity));
        // 12 digits of the area itself only when all six are zeros.
        assert!(d.get("431302000001").is_none());
    }
}

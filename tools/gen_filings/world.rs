//! The synthetic region: the catalog of items (what can be implemented) and
//! the stream of agencies (who implements them) at every level — city and
//! county departments, town governments, village committees — with division
//! codes that fit their level and valid USCCs.

use crate::rng::Rng;
use crate::words::{self, SectorWords};
use yima::rules::uscc::{check_char, org_check_char};

/// Category indexes into [`words::CATEGORIES`].
pub const CONFIRM: usize = 1;
pub const PUBLIC_SERVICE: usize = 5;

/// One item of the catalog (a main item, or one sub-item of it).
#[derive(Debug)]
pub struct Item {
    pub sector: usize,
    pub category: usize,
    pub object: &'static str,
    pub name: String,
    pub sub_name: Option<String>,
    /// 结果名称, for 行政许可 and 行政确认.
    pub result: Option<String>,
    pub law: &'static str,
}

impl Item {
    /// One of the five administrative-power categories.
    pub fn power(&self) -> bool {
        self.category != PUBLIC_SERVICE
    }

    pub fn words(&self) -> &'static SectorWords {
        &words::SECTORS[self.sector]
    }
}

/// Every item, and which items each kind of agency implements.
pub struct Catalog {
    pub items: Vec<Item>,
    /// Items of each sector (city and county departments).
    pub by_sector: Vec<Vec<u32>>,
    /// Items of grassroots sectors (town governments).
    pub town: Vec<u32>,
    /// 公共服务 items of grassroots sectors (village committees).
    pub village: Vec<u32>,
}

impl Catalog {
    /// The catalog of a seed: every object of every sector with every action
    /// of every category; about a quarter of the 许可 and 确认 items are
    /// split into sub-items.
    pub fn new(seed: u64) -> Catalog {
        let mut items = Vec::new();
        let mut by_sector = vec![Vec::new(); words::SECTORS.len()];
        let mut town = Vec::new();
        let mut village = Vec::new();
        for (s, sw) in words::SECTORS.iter().enumerate() {
            for (o, object) in sw.objects.iter().enumerate() {
                for (category, actions) in words::ACTIONS.iter().enumerate() {
                    for (a, action) in actions.iter().enumerate() {
                        let mut rng = Rng::derive(
                            seed,
                            1,
                            ((s * 64 + o) * 8 + category) as u64 * 16 + a as u64,
                        );
                        let name = format!("{object}{action}");
                        let law = *rng.pick(sw.laws);
                        let result = (category <= CONFIRM)
                            .then(|| format!("《{object}{}》", rng.pick(words::RESULTS[category])));
                        let subs: Vec<Option<String>> = if category <= CONFIRM && rng.chance(0.25) {
                            let n = rng.range(2, 4) as usize;
                            let start = rng.below(words::SUB_ITEMS.len());
                            (0..n)
                                .map(|i| {
                                    let sub =
                                        words::SUB_ITEMS[(start + i) % words::SUB_ITEMS.len()];
                                    Some(format!("{name}（{sub}）"))
                                })
                                .collect()
                        } else {
                            vec![None]
                        };
                        for sub_name in subs {
                            let id = items.len() as u32;
                            items.push(Item {
                                sector: s,
                                category,
                                object,
                                name: name.clone(),
                                sub_name,
                                result: result.clone(),
                                law,
                            });
                            by_sector[s].push(id);
                            if sw.grassroots {
                                town.push(id);
                                if category == PUBLIC_SERVICE {
                                    village.push(id);
                                }
                            }
                        }
                    }
                }
            }
        }
        Catalog {
            items,
            by_sector,
            town,
            village,
        }
    }
}

/// 行使层级, in the order of `schemas/codes.yaml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    City,
    County,
    Town,
    Village,
}

impl Level {
    pub const ALL: [Level; 4] = [Level::City, Level::County, Level::Town, Level::Village];

    pub fn name(self) -> &'static str {
        match self {
            Level::City => "市级",
            Level::County => "县级",
            Level::Town => "乡级",
            Level::Village => "村级",
        }
    }
}

/// Who files entries: one department, town government or village committee.
#[derive(Debug)]
pub struct Agency {
    /// A number unique to the agency (its USCC is built from it).
    pub serial: u64,
    pub name: String,
    pub uscc: String,
    pub nature: &'static str,
    pub level: Level,
    pub division: String,
    /// The county's name (the city's for city departments).
    pub county: &'static str,
    /// Which catalog list it implements from, and its sector for departments.
    pub sector: Option<usize>,
    pub address: String,
    pub phone: String,
    pub complaint: String,
}

/// A town: its 12-digit prefix segment and name.
struct Town {
    county: usize,
    segment: u32,
    name: String,
    /// 街道 (street office) rather than 镇 or 乡.
    street: bool,
}

/// Villages per town: the town's own segment 000 is the town itself;
/// 001–199 are residents' committees, 200–399 villagers' committees.
const VILLAGES_PER_TOWN: u64 = 150;

/// Hands out agencies in a deterministic order, each level drawn by weight
/// until its supply runs out (the city has one department per sector; the
/// counties five times that; towns and villages many more).
pub struct Agencies {
    seed: u64,
    rng: Rng,
    towns: Vec<Town>,
    next: [u64; 4],
    serial: u64,
}

impl Agencies {
    /// Agencies for a filing of about `entries` entries: enough towns that
    /// the villages never run out.
    pub fn new(seed: u64, entries: u64) -> Agencies {
        let per_county = (entries / 4_000 + 12).min(300) as usize;
        let mut towns = Vec::new();
        for t in 0..per_county {
            for county in 0..words::COUNTIES.len() {
                // One in six is a 街道, half are 镇, the rest 乡: numbered in
                // their ranges of `schemas/divisions.yaml`.
                let (street, kind_no, base, cap) = match t % 6 {
                    0 => (true, t / 6, 1, 99),
                    1..=3 => (false, t / 6 * 3 + t % 6 - 1, 100, 100),
                    _ => (false, t / 6 * 2 + t % 6 - 4, 200, 200),
                };
                let segment = if kind_no < cap {
                    base + kind_no as u32
                } else {
                    // Past a range: the 400–599 "other" town units.
                    400 + (t as u32 % 200)
                };
                let a = words::TOWN_A[t % words::TOWN_A.len()];
                let b = words::TOWN_B[(t / words::TOWN_A.len() + t * 7) % words::TOWN_B.len()];
                let suffix = if street {
                    "街道"
                } else if base == 100 {
                    "镇"
                } else {
                    "乡"
                };
                towns.push(Town {
                    county,
                    segment,
                    name: format!("{a}{b}{suffix}"),
                    street,
                });
            }
        }
        Agencies {
            seed,
            rng: Rng::derive(seed, 2, 0),
            towns,
            next: [0; 4],
            serial: 0,
        }
    }

    fn supply(&self, level: Level) -> u64 {
        let sectors = words::SECTORS.len() as u64;
        match level {
            Level::City => sectors,
            Level::County => sectors * words::COUNTIES.len() as u64,
            Level::Town => self.towns.len() as u64,
            Level::Village => self.towns.len() as u64 * VILLAGES_PER_TOWN,
        }
    }

    /// The next agency, or `None` when every level has run out.
    pub fn next_agency(&mut self) -> Option<Agency> {
        // Agency counts, not entries: villages are many, departments few.
        let weights = [3, 12, 25, 60];
        let mut level = Level::ALL[self.rng.weighted(&weights)];
        if self.next[level as usize] >= self.supply(level) {
            level = *Level::ALL
                .iter()
                .rev()
                .find(|l| self.next[**l as usize] < self.supply(**l))?;
        }
        let n = self.next[level as usize];
        self.next[level as usize] += 1;
        self.serial += 1;
        Some(self.make(level, n))
    }

    fn make(&self, level: Level, n: u64) -> Agency {
        let serial = self.serial;
        let mut rng = Rng::derive(self.seed, 3, serial);
        let (name, division, county, sector, kind, address) = match level {
            Level::City => {
                let s = n as usize;
                let sw = &words::SECTORS[s];
                (
                    format!("{}{}", words::CITY.1, sw.dept),
                    words::CITY.0.to_string(),
                    words::CITY.1,
                    Some(s),
                    sw.uscc_kind,
                    format!(
                        "{}政务服务中心{}楼{}号窗口",
                        words::CITY.1,
                        rng.range(1, 4),
                        rng.range(1, 60)
                    ),
                )
            }
            Level::County => {
                // Sector first, so that a small filing still spans them all.
                let sectors = words::SECTORS.len() as u64;
                let s = (n % sectors) as usize;
                let c = (n / sectors) as usize % words::COUNTIES.len();
                let sw = &words::SECTORS[s];
                let (code, cname) = words::COUNTIES[c];
                (
                    format!("{cname}{}", sw.dept),
                    code.to_string(),
                    cname,
                    Some(s),
                    sw.uscc_kind,
                    format!(
                        "{cname}政务服务中心{}楼{}号窗口",
                        rng.range(1, 3),
                        rng.range(1, 40)
                    ),
                )
            }
            Level::Town => {
                let town = &self.towns[n as usize];
                let (code, cname) = words::COUNTIES[town.county];
                let gov = if town.street {
                    "办事处"
                } else {
                    "人民政府"
                };
                (
                    format!("{cname}{}{gov}", town.name),
                    format!("{code}{:03}000", town.segment),
                    cname,
                    None,
                    "11",
                    format!("{cname}{}便民服务中心{}号窗口", town.name, rng.range(1, 8)),
                )
            }
            Level::Village => {
                let town = &self.towns[(n % self.towns.len() as u64) as usize];
                let v = n / self.towns.len() as u64;
                let (code, cname) = words::COUNTIES[town.county];
                let a =
                    words::VILLAGE_A[(v as usize + town.segment as usize) % words::VILLAGE_A.len()];
                let b = words::VILLAGE_B[(v as usize / words::VILLAGE_A.len() + v as usize * 11)
                    % words::VILLAGE_B.len()];
                // Street offices have communities (居委会 001–199); towns
                // have a few communities and mostly villages (村委会 200–399).
                let (segment, vname) = if town.street || v < 3 {
                    (1 + v, format!("{a}{b}社区居民委员会"))
                } else {
                    (200 + v - 3, format!("{a}{b}村民委员会"))
                };
                (
                    format!("{cname}{}{vname}", town.name),
                    format!("{code}{:03}{segment:03}", town.segment),
                    cname,
                    None,
                    "54",
                    format!("{}{a}{b}便民服务站", town.name),
                )
            }
        };
        let uscc = uscc(kind, &division[..6], serial);
        let nature = match (level, kind) {
            (Level::Village, _) => "其他",
            (_, "12" | "13") => "授权组织",
            _ => "法定机关",
        };
        let phone = format!(
            "0738-{}{:06}",
            rng.pick(&['8', '3', '5']),
            rng.below(1_000_000)
        );
        let complaint = if rng.chance(0.3) {
            "12345".to_string()
        } else {
            format!(
                "0738-{}{:06}",
                rng.pick(&['8', '3', '5']),
                rng.below(1_000_000)
            )
        };
        Agency {
            serial,
            name,
            uscc,
            nature,
            level,
            division,
            county,
            sector,
            address,
            phone,
            complaint,
        }
    }

    /// The catalog list an agency implements from.
    pub fn pool<'c>(agency: &Agency, catalog: &'c Catalog) -> &'c [u32] {
        match (agency.level, agency.sector) {
            (Level::City | Level::County, Some(s)) => &catalog.by_sector[s],
            (Level::Village, _) => &catalog.village,
            _ => &catalog.town,
        }
    }
}

/// A valid USCC: registration kind (2), division (6), an organization code
/// (8 + its GB 11714 check) unique to the serial, and the GB 32100 check.
pub fn uscc(kind: &str, division: &str, serial: u64) -> String {
    // An affine map of the serial, bijective on 0..10^8 (the factor is
    // coprime with 10), so codes differ and do not look sequential.
    let body = format!(
        "{:08}",
        (serial.wrapping_mul(37_633_117) + 5_120_973) % 100_000_000
    );
    let org = org_check_char(&body).expect("digits");
    let first17 = format!("{kind}{division}{body}{org}");
    let check = check_char(&first17).expect("alphabet");
    format!("{first17}{check}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usccs_are_valid_and_distinct() {
        let a = uscc("11", "431300", 1);
        let b = uscc("11", "431300", 2);
        assert_ne!(a, b);
        for code in [a, b, uscc("54", "431321", 99_999)] {
            assert_eq!(yima::rules::uscc::validate(&code), Ok(()), "{code}");
        }
    }

    #[test]
    fn divisions_fit_levels() {
        let standard = yima::standard::Standard::embedded();
        let mut agencies = Agencies::new(7, 10_000);
        let mut seen = [false; 4];
        for _ in 0..2_000 {
            let Some(a) = agencies.next_agency() else {
                break;
            };
            seen[a.level as usize] = true;
            let place = standard.divisions.resolve(&a.division).expect(&a.division);
            let want = standard
                .tables
                .table("level")
                .get(a.level.name())
                .and_then(|l| l.division)
                .expect("level kinds");
            assert_eq!(place.kind, want, "{} {}", a.name, a.division);
        }
        assert_eq!(seen, [true; 4]);
    }

    #[test]
    fn catalog_items_are_unique_and_within_code_capacity() {
        let c = Catalog::new(7);
        let mut keys: Vec<(usize, usize, &str, Option<&str>)> = c
            .items
            .iter()
            .map(|i| (i.category, i.sector, i.name.as_str(), i.sub_name.as_deref()))
            .collect();
        let n = keys.len();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), n);
        // Basic codes give each (category, sector) 999 numbers before letters.
        let mut mains = std::collections::HashMap::new();
        for i in &c.items {
            mains
                .entry((i.category, i.sector))
                .or_insert_with(std::collections::HashSet::new)
                .insert(i.name.as_str());
        }
        assert!(mains.values().all(|m| m.len() < 999));
        assert!(!c.village.is_empty() && !c.town.is_empty());
    }
}

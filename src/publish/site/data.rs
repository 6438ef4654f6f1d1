//! What the catalog page searches: every active entry as a compact row, and
//! the choices of its filters. The rows are written as JSON in script files
//! beside the page, a shard of the catalog each (browsers refuse `fetch()`
//! of a local file, so a page opened from file:// loads its data with
//! `<script>` elements); [`script_json`] makes that JSON safe inside a
//! `<script>` element whatever the entries say. Each shard lists its own
//! repeated values; the page's script merges the shards.
//!
//! A search finds an entry by what a visitor knows of it: its name, sub-item
//! or codes, its agency, its city or county (双峰 finds the entries of
//! 双峰县's agencies and towns), a material it asks for or the result it
//! gives (营业执照), or one of its topics. Repeated values (category, level,
//! agency, division, 办件类型, material and result names, topics) are
//! written once in lists and referred to by index, so the script matches a
//! word against each distinct text once, and a catalog of 100 000 entries
//! stays at about 150 bytes an entry.

use crate::catalog::CatalogEntry;
use crate::standard::Standard;
use crate::standard::tables::Table;
use rustc_hash::FxHashMap as HashMap;
use serde::Serialize;
use serde::ser::SerializeSeq;
use std::collections::BTreeMap;

/// The version of the embedded data's layout; `site.js` refuses another.
pub const VERSION: u32 = 3;

/// The embedded data: lists of the repeated values, and one row per entry.
#[derive(Debug, Serialize)]
pub struct SearchData<'a> {
    pub version: u32,
    /// 事项类型 names; rows refer to them by index.
    pub categories: Vec<String>,
    /// 行使层级 names.
    pub levels: Vec<String>,
    /// Agencies as `[实施主体编码, 实施主体]`.
    pub agencies: Vec<(String, String)>,
    /// Cities and counties as `[code, name]`: an entry belongs to the one its
    /// division code starts with.
    pub divisions: Vec<(String, String)>,
    /// 办件类型 names (an empty one for entries that state none).
    pub handling: Vec<String>,
    /// The names of materials and results, each once, in the order entries
    /// first name them.
    pub texts: Vec<&'a str>,
    /// 面向自然人主题 names, in the topic table's order.
    pub citizen_topics: Vec<String>,
    /// 面向法人主题 names, in the topic table's order.
    pub business_topics: Vec<String>,
    pub rows: Vec<Row<'a>>,
}

/// One entry, as the JSON array `[事项名称, 子项名称, 基本编码, 实施编码,
/// category, level, agency, division, handling, 行政区划代码, [materials],
/// result, [citizen topics], [business topics]]`: `category` … `handling`
/// are indexes into the lists of [`SearchData`], the materials and the
/// result (or null) indexes into `texts`, the topics into the topic lists.
/// The last four are left off from the end while they are empty. `site.js`
/// reads the fields in this order.
#[derive(Debug)]
pub struct Row<'a> {
    pub name: &'a str,
    pub sub_name: &'a str,
    pub basic_code: &'a str,
    pub impl_code: &'a str,
    pub category: usize,
    pub level: usize,
    pub agency: usize,
    pub division: usize,
    pub handling: usize,
    pub division_code: &'a str,
    pub materials: Vec<usize>,
    pub result: Option<usize>,
    pub citizen_topics: Vec<usize>,
    pub business_topics: Vec<usize>,
}

impl Serialize for Row<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let tail = if !self.business_topics.is_empty() {
            4
        } else if !self.citizen_topics.is_empty() {
            3
        } else if self.result.is_some() {
            2
        } else if !self.materials.is_empty() {
            1
        } else {
            0
        };
        let mut seq = s.serialize_seq(Some(10 + tail))?;
        seq.serialize_element(self.name)?;
        seq.serialize_element(self.sub_name)?;
        seq.serialize_element(self.basic_code)?;
        seq.serialize_element(self.impl_code)?;
        seq.serialize_element(&self.category)?;
        seq.serialize_element(&self.level)?;
        seq.serialize_element(&self.agency)?;
        seq.serialize_element(&self.division)?;
        seq.serialize_element(&self.handling)?;
        seq.serialize_element(self.division_code)?;
        if tail >= 1 {
            seq.serialize_element(&self.materials)?;
        }
        if tail >= 2 {
            seq.serialize_element(&self.result)?;
        }
        if tail >= 3 {
            seq.serialize_element(&self.citizen_topics)?;
        }
        if tail >= 4 {
            seq.serialize_element(&self.business_topics)?;
        }
        seq.end()
    }
}

/// One choice of a filter: the value the page and its URL use, the label
/// shown, and how many entries have it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub count: usize,
}

/// The filters' choices: only values some entry has, in the order of the
/// code tables (agencies by code), each with its count.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Filters {
    pub category: Vec<Choice>,
    pub level: Vec<Choice>,
    pub agency: Vec<Choice>,
    pub division: Vec<Choice>,
    /// 面向自然人主题
    pub citizen: Vec<Choice>,
    /// 面向法人主题
    pub business: Vec<Choice>,
}

/// The distinct values of one field in display order, and each entry's index
/// into them.
struct Facet {
    choices: Vec<Choice>,
    of_entry: Vec<usize>,
}

/// A value of a field: where it sorts (a code-table position, or after the
/// table), the value itself, and its label.
type Keyed = ((usize, String), String);

impl Facet {
    fn new(entries: &[&CatalogEntry], key: impl Fn(&CatalogEntry) -> Keyed) -> Facet {
        let keys: Vec<Keyed> = entries.iter().map(|e| key(e)).collect();
        let counted = tally(keys.iter().map(|(k, label)| (k, label.as_str(), 1)));
        let index: HashMap<&(usize, String), usize> = (counted.iter().enumerate())
            .map(|(i, (k, ..))| (k, i))
            .collect();
        let of_entry = keys.iter().map(|(k, _)| index[k]).collect();
        let choices = counted.iter().map(choice).collect();
        Facet { choices, of_entry }
    }

    fn names(&self) -> Vec<String> {
        self.choices.iter().map(|c| c.value.clone()).collect()
    }

    fn pairs(&self) -> Vec<(String, String)> {
        self.choices
            .iter()
            .map(|c| (c.value.clone(), c.label.clone()))
            .collect()
    }
}

/// A multi-valued field by a code table (the topics): the values some entry
/// has, in the table's order (others after it, by name), each with its
/// count, and each entry's indexes into them.
struct Topics {
    choices: Vec<Choice>,
    of_entry: Vec<Vec<usize>>,
}

impl Topics {
    fn new(
        entries: &[&CatalogEntry],
        table: Option<&Table>,
        field: fn(&CatalogEntry) -> &[String],
    ) -> Topics {
        let (keys, found) = Topics::keyed(entries, table, field);
        let index: HashMap<&(usize, String), usize> =
            found.keys().enumerate().map(|(i, k)| (k, i)).collect();
        let of_entry = keys
            .iter()
            .map(|ks| ks.iter().map(|k| index[k]).collect())
            .collect();
        let choices = found
            .iter()
            .map(|((_, name), count)| Choice {
                value: name.clone(),
                label: name.clone(),
                count: *count,
            })
            .collect();
        Topics { choices, of_entry }
    }

    /// Each value some entry has, with how many have it.
    fn counted(
        entries: &[&CatalogEntry],
        table: Option<&Table>,
        field: fn(&CatalogEntry) -> &[String],
    ) -> BTreeMap<(usize, String), usize> {
        Topics::keyed(entries, table, field).1
    }

    /// The keys of each entry's values, and each value's count.
    #[allow(clippy::type_complexity)]
    fn keyed(
        entries: &[&CatalogEntry],
        table: Option<&Table>,
        field: fn(&CatalogEntry) -> &[String],
    ) -> (Vec<Vec<(usize, String)>>, BTreeMap<(usize, String), usize>) {
        let key = |v: &str| -> (usize, String) {
            let found = table.and_then(|t| {
                let name = &t.lookup(v)?.name;
                let i = t.entries.iter().position(|x| &x.name == name)?;
                Some((i, name.to_string()))
            });
            found.unwrap_or_else(|| (usize::MAX, v.trim().to_string()))
        };
        let mut found: BTreeMap<(usize, String), usize> = BTreeMap::new();
        let keys: Vec<Vec<(usize, String)>> = entries
            .iter()
            .map(|e| {
                let mut ks: Vec<(usize, String)> = field(e)
                    .iter()
                    .filter(|v| !v.trim().is_empty())
                    .map(|v| key(v))
                    .collect();
                ks.sort();
                ks.dedup();
                for k in &ks {
                    *found.entry(k.clone()).or_default() += 1;
                }
                ks
            })
            .collect();
        (keys, found)
    }

    fn names(&self) -> Vec<String> {
        self.choices.iter().map(|c| c.value.clone()).collect()
    }
}

/// The names of materials and results, each kept once.
#[derive(Default)]
struct Texts<'a> {
    list: Vec<&'a str>,
    index: HashMap<&'a str, usize>,
}

impl<'a> Texts<'a> {
    fn of(&mut self, text: &'a str) -> Option<usize> {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        let next = self.list.len();
        let i = *self.index.entry(text).or_insert(next);
        if i == next {
            self.list.push(text);
        }
        Some(i)
    }
}

/// A value by a code table: its canonical name, sorted by the table's order;
/// a value outside the table sorts after it, as written.
fn by_table(table: &Table, value: &str) -> Keyed {
    let found = table
        .lookup(value)
        .and_then(|t| table.entries.iter().position(|x| x.name == t.name));
    match found {
        Some(i) => {
            let name = table.entries[i].name.to_string();
            ((i, name.clone()), name)
        }
        None => ((usize::MAX, value.to_string()), value.to_string()),
    }
}

/// The city or county a division code belongs to (its first six digits),
/// in the division table's order; an unknown code stands for itself.
fn by_division(standard: &Standard, code: &str) -> Keyed {
    let divisions = &standard.divisions.divisions;
    let county = code.get(..6).unwrap_or(code);
    match divisions.iter().position(|d| d.code == county) {
        Some(i) => ((i, county.to_string()), divisions[i].name.clone()),
        None => ((usize::MAX, code.to_string()), code.to_string()),
    }
}

/// The filters' choices for `entries` (sorted by 实施编码), with their
/// counts.
pub fn filters(entries: &[&CatalogEntry], standard: &Standard) -> Filters {
    merge([&counts(entries, standard)])
}

/// A value of a filter as counted over some entries: where it sorts and the
/// value, its label (its first entry's), and how many entries have it.
pub type Counted = ((usize, String), String, usize);

/// The filters' values counted over `entries` (sorted by 实施编码), in the
/// order of [`Filters`]' fields: counts of parts of a catalog add up
/// ([`merge`]) to the counts of the whole.
pub fn counts(entries: &[&CatalogEntry], standard: &Standard) -> [Vec<Counted>; 6] {
    let tables = &standard.tables;
    let facet = |key: &dyn Fn(&CatalogEntry) -> Keyed| -> Vec<Counted> {
        let keys: Vec<Keyed> = entries.iter().map(|e| key(e)).collect();
        tally(keys.iter().map(|(k, label)| (k, label.as_str(), 1)))
    };
    let topics = |table: Option<&Table>, field: fn(&CatalogEntry) -> &[String]| {
        Topics::counted(entries, table, field)
            .into_iter()
            .map(|(k, n)| (k.clone(), k.1, n))
            .collect()
    };
    [
        facet(&|e| by_table(tables.table("category"), &e.category)),
        facet(&|e| by_table(tables.table("level"), &e.level)),
        facet(&|e| ((0, e.agency_code.clone()), e.agency.clone())),
        facet(&|e| by_division(standard, &e.division)),
        topics(tables.get("citizen_topic"), |e| &e.citizen_topics),
        topics(tables.get("business_topic"), |e| &e.business_topics),
    ]
}

/// Each key once, in its order, with the first label given for it and the
/// sum of the counts given with it.
fn tally<'k>(
    counted: impl IntoIterator<Item = (&'k (usize, String), &'k str, usize)>,
) -> Vec<Counted> {
    let mut found: BTreeMap<&(usize, String), (&str, usize)> = BTreeMap::new();
    for (k, label, n) in counted {
        found.entry(k).or_insert((label, 0)).1 += n;
    }
    (found.into_iter())
        .map(|(k, (label, n))| (k.clone(), label.to_string(), n))
        .collect()
}

/// A filter's choice of a counted value.
fn choice(((_, value), label, count): &Counted) -> Choice {
    Choice {
        value: value.clone(),
        label: label.clone(),
        count: *count,
    }
}

/// The filters of the whole of which `parts` are counted ([`counts`]),
/// parts in 实施编码 order where a label could differ between them (an
/// agency's entries are all in one part).
pub fn merge<'a>(parts: impl IntoIterator<Item = &'a [Vec<Counted>; 6]>) -> Filters {
    let parts: Vec<&[Vec<Counted>; 6]> = parts.into_iter().collect();
    let [category, level, agency, division, citizen, business] = std::array::from_fn(|f| {
        let counted = parts.iter().flat_map(|p| &p[f]);
        let all = tally(counted.map(|(k, label, n)| (k, label.as_str(), *n)));
        all.iter().map(choice).collect()
    });
    Filters {
        category,
        level,
        agency,
        division,
        citizen,
        business,
    }
}

/// The page's data and filters for `entries` (sorted by 实施编码).
pub fn build<'a>(entries: &[&'a CatalogEntry], standard: &Standard) -> (SearchData<'a>, Filters) {
    let tables = &standard.tables;
    let category = Facet::new(entries, |e| by_table(tables.table("category"), &e.category));
    let level = Facet::new(entries, |e| by_table(tables.table("level"), &e.level));
    let agency = Facet::new(entries, |e| ((0, e.agency_code.clone()), e.agency.clone()));
    let division = Facet::new(entries, |e| by_division(standard, &e.division));
    let handling = Facet::new(entries, |e| {
        by_table(
            tables.table("handling_type"),
            e.handling_type.as_deref().unwrap_or(""),
        )
    });
    let citizen = Topics::new(entries, tables.get("citizen_topic"), |e| &e.citizen_topics);
    let business = Topics::new(entries, tables.get("business_topic"), |e| {
        &e.business_topics
    });
    let mut texts = Texts::default();
    let rows = entries
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let mut materials: Vec<usize> = e
                .materials
                .iter()
                .filter_map(|m| texts.of(&m.name))
                .collect();
            materials.dedup();
            Row {
                name: &e.name,
                sub_name: &e.sub_name,
                basic_code: &e.basic_code,
                impl_code: &e.impl_code,
                category: category.of_entry[i],
                level: level.of_entry[i],
                agency: agency.of_entry[i],
                division: division.of_entry[i],
                handling: handling.of_entry[i],
                division_code: &e.division,
                materials,
                result: e.result_name.as_deref().and_then(|r| texts.of(r)),
                citizen_topics: citizen.of_entry[i].clone(),
                business_topics: business.of_entry[i].clone(),
            }
        })
        .collect();
    let data = SearchData {
        version: VERSION,
        categories: category.names(),
        levels: level.names(),
        agencies: agency.pairs(),
        divisions: division.pairs(),
        handling: handling.names(),
        texts: texts.list,
        citizen_topics: citizen.names(),
        business_topics: business.names(),
        rows,
    };
    let filters = Filters {
        category: category.choices,
        level: level.choices,
        agency: agency.choices,
        division: division.choices,
        citizen: citizen.choices,
        business: business.choices,
    };
    (data, filters)
}

/// JSON that may sit inside a `<script>` element: `<`, `>` and `&` become
/// `\u` escapes, so nothing in the data (`</script>`, `<!--`) can end or
/// change the element, and U+2028/U+2029 are escaped for older parsers. The
/// result is still the same JSON value.
pub fn script_json<T: Serialize>(value: &T) -> Result<String, serde_json::Error> {
    let json = serde_json::to_string(value)?;
    let mut out = String::with_capacity(json.len() + json.len() / 64);
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(code: &str, category: &str, agency_code: &str, division: &str) -> CatalogEntry {
        CatalogEntry {
            impl_code: code.into(),
            name: format!("事项{code}"),
            category: category.into(),
            level: "县级".into(),
            agency: format!("机关{agency_code}"),
            agency_code: agency_code.into(),
            division: division.into(),
            ..Default::default()
        }
    }

    #[test]
    fn script_json_cannot_close_the_element() {
        let s = script_json(&["</script><script>alert(1)</script>", "<!-- & \u{2028}"]).unwrap();
        assert!(
            !s.contains('<') && !s.contains('>') && !s.contains('&'),
            "{s}"
        );
        let back: Vec<String> = serde_json::from_str(&s).unwrap();
        assert_eq!(back[0], "</script><script>alert(1)</script>");
        assert_eq!(back[1], "<!-- & \u{2028}");
    }

    #[test]
    fn choices_follow_the_tables_and_count_entries() {
        let standard = Standard::embedded();
        let a = entry("A", "公共服务", "X2", "431321101000");
        let b = entry("B", "行政许可", "X1", "431321");
        let c = entry("C", "01", "X2", "431300");
        let d = entry("D", "自定义", "X2", "999999");
        let (data, filters) = build(&[&a, &b, &c, &d], &standard);
        let values = |v: &[Choice]| {
            v.iter()
                .map(|c| (c.value.clone(), c.count))
                .collect::<Vec<_>>()
        };
        // The code 01 is 行政许可; the table's order puts it before 公共服务;
        // a value outside the table comes last.
        assert_eq!(
            values(&filters.category),
            [
                ("行政许可".to_string(), 2),
                ("公共服务".to_string(), 1),
                ("自定义".to_string(), 1)
            ]
        );
        assert_eq!(
            values(&filters.agency),
            [("X1".to_string(), 1), ("X2".to_string(), 3)]
        );
        // A town code belongs to its county; the city comes first.
        let div: Vec<(String, String)> = data.divisions.clone();
        assert_eq!(div[0], ("431300".to_string(), "娄底市".to_string()));
        assert_eq!(div[1].1, "双峰县");
        assert_eq!(div[2].0, "999999");
        assert_eq!(data.rows[0].division, 1);
        assert_eq!(data.rows[0].division_code, "431321101000");
        assert_eq!(data.categories[data.rows[2].category], "行政许可");
    }

    #[test]
    fn materials_results_and_topics_are_listed_once_and_rows_end_early() {
        use crate::catalog::entry::CatalogMaterial;
        let standard = Standard::embedded();
        let material = |name: &str| CatalogMaterial {
            name: name.into(),
            ..Default::default()
        };
        let mut a = entry("A", "行政许可", "X1", "431300");
        a.materials = vec![material("营业执照"), material("居民身份证")];
        a.result_name = Some("食品经营许可证".into());
        a.business_topics = vec!["准营准办".into(), "设立变更".into()];
        let mut b = entry("B", "行政许可", "X1", "431300");
        b.materials = vec![material("居民身份证")];
        b.result_name = Some("营业执照".into());
        b.citizen_topics = vec!["婚姻".into()];
        let c = entry("C", "公共服务", "X1", "431300");
        let (data, filters) = build(&[&a, &b, &c], &standard);
        assert_eq!(data.texts, ["营业执照", "居民身份证", "食品经营许可证"]);
        assert_eq!(data.rows[0].materials, [0, 1]);
        assert_eq!(data.rows[0].result, Some(2));
        assert_eq!(data.rows[1].result, Some(0));
        // Topics by the table's order and canonical name (婚姻 is 婚姻登记).
        assert_eq!(data.business_topics, ["设立变更", "准营准办"]);
        assert_eq!(data.rows[0].business_topics, [0, 1]);
        assert_eq!(data.citizen_topics, ["婚姻登记"]);
        assert_eq!(filters.citizen[0].count, 1);
        let json = serde_json::to_value(&data.rows).unwrap();
        assert_eq!(json[0].as_array().unwrap().len(), 14);
        assert_eq!(json[1].as_array().unwrap().len(), 13);
        assert_eq!(json[1][12], serde_json::json!([0]));
        // An entry with none of them ends at its division code.
        assert_eq!(json[2].as_array().unwrap().len(), 10);
    }
}

//! The standard as data: elements, code tables, sectors, divisions and phrase
//! lists from `schemas/`. The defaults are embedded in the binary; a workspace
//! may replace any file with its own `schemas/<file>`.

pub mod divisions;
pub mod elements;
pub mod lexicon;
pub mod places;
pub mod tables;

use divisions::Divisions;
use elements::Elements;
use lexicon::Lexicon;
use places::{NationalDivisions, PlaceNames};
use std::path::{Path, PathBuf};
use tables::{REQUIRED_TABLES, Tables};
use unicode_normalization::UnicodeNormalization;

/// The embedded default schema files, by file name.
pub const EMBEDDED: &[(&str, &str)] = &[
    ("elements.yaml", include_str!("../../schemas/elements.yaml")),
    ("codes.yaml", include_str!("../../schemas/codes.yaml")),
    ("sectors.yaml", include_str!("../../schemas/sectors.yaml")),
    (
        "divisions.yaml",
        include_str!("../../schemas/divisions.yaml"),
    ),
    ("lexicon.yaml", include_str!("../../schemas/lexicon.yaml")),
    ("topics.yaml", include_str!("../../schemas/topics.yaml")),
    (
        "national-divisions.yaml",
        include_str!("../../schemas/national-divisions.yaml"),
    ),
];

/// The `yima.yaml` key that lists the categories a workspace accepts.
pub const CATEGORIES_KEY: &str = "categories";

/// A schema file that could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum StandardError {
    /// The override file exists but cannot be read.
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The file is not valid for its schema.
    #[error("{file}: {message}")]
    Invalid { file: String, message: String },
}

/// The whole standard.
#[derive(Debug, Clone)]
pub struct Standard {
    pub elements: Elements,
    pub tables: Tables,
    pub divisions: Divisions,
    pub lexicon: Lexicon,
    /// Every province, city and county of China (name-has-agency).
    pub national: NationalDivisions,
    /// The place names of the national table and of `divisions`, but the
    /// lexicon's `not_places`, indexed when first searched.
    place_names: std::sync::OnceLock<PlaceNames>,
}

impl Standard {
    /// The embedded defaults.
    pub fn embedded() -> Standard {
        Standard::load(None).expect("embedded schemas are valid (tested)")
    }

    /// Loads each file from `dir` when it has one, else the embedded default.
    pub fn load(dir: Option<&Path>) -> Result<Standard, StandardError> {
        let elements: Elements = parse(dir, "elements.yaml")?;
        elements
            .validate()
            .map_err(|message| StandardError::Invalid {
                file: "elements.yaml".into(),
                message,
            })?;
        let mut tables: Tables = parse(dir, "codes.yaml")?;
        let sectors: Tables = parse(dir, "sectors.yaml")?;
        tables.0.extend(sectors.0);
        let topics: Tables = parse(dir, "topics.yaml")?;
        tables.0.extend(topics.0);
        // A workspace's own codes.yaml written before the tables of the
        // elements of SPEC §2a existed takes them from the defaults.
        if dir.is_some() {
            let defaults: Tables = parse(None, "codes.yaml")?;
            for (name, table) in defaults.0 {
                tables.0.entry(name).or_insert(table);
            }
        }
        if let Some(t) = tables.0.get_mut("category") {
            t.switched_by(CATEGORIES_KEY);
        }
        for name in REQUIRED_TABLES {
            if tables.get(name).is_none() {
                return Err(StandardError::Invalid {
                    file: "codes.yaml".into(),
                    message: format!("code table `{name}` is missing"),
                });
            }
        }
        let used = (elements.items.elements.iter().map(|e| &e.table))
            .chain(elements.materials.elements.iter().map(|e| &e.table))
            .chain(elements.fees.elements.iter().map(|e| &e.table))
            .chain(elements.questions.elements.iter().map(|e| &e.table));
        for def in used.flatten() {
            if tables.get(def).is_none() {
                return Err(StandardError::Invalid {
                    file: "elements.yaml".into(),
                    message: format!("element names unknown code table `{def}`"),
                });
            }
        }
        let mut lexicon: Lexicon = parse(dir, "lexicon.yaml")?;
        lexicon.prepare_all();
        let known = |id: &str| {
            elements::Field::ALL.iter().any(|f| f.id() == id)
                || elements::MaterialField::ALL.iter().any(|f| f.id() == id)
                || elements::FeeField::ALL.iter().any(|f| f.id() == id)
        };
        if let Some(id) = lexicon.verbatim.iter().find(|id| !known(id)) {
            return Err(StandardError::Invalid {
                file: "lexicon.yaml".into(),
                message: format!("verbatim: `{id}` is no element id (see elements.yaml)"),
            });
        }
        Ok(Standard {
            elements,
            tables,
            divisions: parse(dir, "divisions.yaml")?,
            lexicon,
            national: parse(dir, "national-divisions.yaml")?,
            place_names: std::sync::OnceLock::new(),
        })
    }

    /// The place names an item name must not hold: every province, city
    /// and county of China (their short forms too) and the workspace's own
    /// divisions, but the common words of the lexicon's `not_places`.
    pub fn place_names(&self) -> &PlaceNames {
        self.place_names.get_or_init(|| {
            let own = self.divisions.place_names().iter().map(String::as_str);
            PlaceNames::new(self.national.names().chain(own), &self.lexicon.not_places)
        })
    }

    /// Accepts exactly these categories of the national table (by name,
    /// code or alias), as `yima.yaml` lists them; an unknown one is an error
    /// naming it.
    pub fn enable_categories(&mut self, names: &[String]) -> Result<(), crate::diag::Text> {
        match self.tables.0.get_mut("category") {
            Some(t) => t.enable(CATEGORIES_KEY, names),
            None => Err(crate::text!(
                "代码表 category 缺失",
                "code table `category` is missing"
            )),
        }
    }

    /// The embedded text of a default schema file.
    pub fn embedded_file(name: &str) -> Option<&'static str> {
        EMBEDDED.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
    }
}

fn parse<T: serde::de::DeserializeOwned>(
    dir: Option<&Path>,
    name: &str,
) -> Result<T, StandardError> {
    let over = dir.map(|d| d.join(name)).filter(|p| p.is_file());
    let (text, file) = match &over {
        Some(path) => (
            std::fs::read_to_string(path).map_err(|source| StandardError::Read {
                path: path.clone(),
                source,
            })?,
            path.display().to_string(),
        ),
        None => (
            Standard::embedded_file(name)
                .expect("every schema file is embedded")
                .to_string(),
            format!("(embedded) schemas/{name}"),
        ),
    };
    serde_saphyr::from_str(&text).map_err(|e| StandardError::Invalid {
        file,
        message: e.to_string(),
    })
}

/// NFKC, without work when the text already is.
pub fn nfkc(s: &str) -> std::borrow::Cow<'_, str> {
    use unicode_normalization::{IsNormalized, is_nfkc_quick};
    if stable(s, true) {
        return std::borrow::Cow::Borrowed(s);
    }
    if let Some(folded) = fold_wide(s) {
        return std::borrow::Cow::Owned(folded);
    }
    if is_nfkc_quick(s.chars()) == IsNormalized::Yes {
        std::borrow::Cow::Borrowed(s)
    } else {
        std::borrow::Cow::Owned(s.nfkc().collect())
    }
}

/// NFKC of a text whose characters are all stable (see [`Stable`]) but for
/// full-width forms and the ideographic space, which become their ASCII
/// characters and a space: Chinese text with （）：１２ and the like, done
/// without the general algorithm. None for any other text. (What they
/// become cannot compose with what follows: a character that could is not
/// stable, and gives None.)
fn fold_wide(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let u = c as u32;
        match u {
            0xFF01..=0xFF5E => out.push(char::from_u32(u - 0xFEE0)?),
            0x3000 => out.push(' '),
            0..0x80 | 0x4000..=0x9FFF => out.push(c),
            _ if u < 0x10000 && STABLE.has(u, true) => out.push(c),
            _ => return None,
        }
    }
    Some(out)
}

/// NFC, without work when the text already is.
pub fn nfc(s: &str) -> std::borrow::Cow<'_, str> {
    use unicode_normalization::{IsNormalized, is_nfc_quick};
    if stable(s, false) || is_nfc_quick(s.chars()) == IsNormalized::Yes {
        std::borrow::Cow::Borrowed(s)
    } else {
        std::borrow::Cow::Owned(s.nfc().collect())
    }
}

/// The characters of the Basic Multilingual Plane that a normal form leaves
/// alone wherever they stand (quick check Yes, combining class 0): a text
/// made only of them is already normal. One bit a character, worked out a
/// block of 64 characters at a time when a text first holds one of them —
/// most texts touch a few blocks, and the whole plane is 65,536 quick checks.
struct Stable {
    nfc: [AtomicU64; 1024],
    nfkc: [AtomicU64; 1024],
    known: [AtomicBool; 1024],
}

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

static STABLE: Stable = Stable {
    nfc: [const { AtomicU64::new(0) }; 1024],
    nfkc: [const { AtomicU64::new(0) }; 1024],
    known: [const { AtomicBool::new(false) }; 1024],
};

impl Stable {
    /// Whether `c` (in the Basic Multilingual Plane) is stable under NFKC
    /// (`compat`) or NFC.
    fn has(&self, c: u32, compat: bool) -> bool {
        let block = (c >> 6) as usize;
        if !self.known[block].load(Ordering::Acquire) {
            self.learn(block);
        }
        let set = if compat { &self.nfkc } else { &self.nfc };
        set[block].load(Ordering::Relaxed) & (1 << (c & 63)) != 0
    }

    /// Works out a block's bits. Two threads may both do it: they write the
    /// same bits.
    fn learn(&self, block: usize) {
        use unicode_normalization::char::canonical_combining_class;
        use unicode_normalization::{IsNormalized, is_nfc_quick, is_nfkc_quick};
        let (mut nfc, mut nfkc) = (0u64, 0u64);
        for bit in 0..64u32 {
            let Some(c) = char::from_u32((block as u32) << 6 | bit) else {
                continue;
            };
            if canonical_combining_class(c) != 0 {
                continue;
            }
            if is_nfc_quick(std::iter::once(c)) == IsNormalized::Yes {
                nfc |= 1 << bit;
            }
            if is_nfkc_quick(std::iter::once(c)) == IsNormalized::Yes {
                nfkc |= 1 << bit;
            }
        }
        self.nfc[block].store(nfc, Ordering::Relaxed);
        self.nfkc[block].store(nfkc, Ordering::Relaxed);
        self.known[block].store(true, Ordering::Release);
    }
}

/// Whether every character of `s` is stable under NFKC (`compat`) or NFC
/// (ASCII text always is).
fn stable(s: &str, compat: bool) -> bool {
    if s.is_ascii() {
        return true;
    }
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            0..0x80 => i += 1,
            // U+4000–U+9FFF, the bulk of the CJK ideographs, are stable
            // under both forms (`cjk_ideographs_are_stable` checks it): a
            // lead byte says so without decoding.
            0xE4..=0xE9 => i += 3,
            _ => {
                let Some(c) = s[i..].chars().next() else {
                    return false;
                };
                let u = c as u32;
                if u >= 0x10000 || !STABLE.has(u, compat) {
                    return false;
                }
                i += c.len_utf8();
            }
        }
    }
    true
}

/// Normalizes a header cell for matching: NFKC, no white space (full-width
/// included), no markers such as `*` or `※`, no parenthesized notes such as
/// `（必填）` or `（工作日）`.
pub fn normalize_header(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut depth = 0u32;
    for c in nfkc(s).chars() {
        match c {
            '(' | '[' | '【' | '〔' => depth += 1,
            ')' | ']' | '】' | '〕' => depth = depth.saturating_sub(1),
            '*' | '※' | '★' | '▲' | ':' => {}
            c if c.is_whitespace() => {}
            c if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// Normalizes a coded value for lookup: NFKC, no white space, ASCII upper case.
pub fn normalize_value(s: &str) -> String {
    let n = nfkc(s);
    // (Most values have nothing to take out or fold: copied whole rather
    // than a character at a time — every load compares 100,000 names.)
    if !n
        .chars()
        .any(|c| c.is_whitespace() || c.is_ascii_lowercase())
    {
        return n.into_owned();
    }
    n.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// The candidate closest to `needle`: one that contains it or is contained in
/// it, else the smallest edit distance within a third of the length.
pub(crate) fn closest<'a>(
    needle: &str,
    candidates: impl Iterator<Item = (&'a str, usize)>,
) -> Option<usize> {
    let n_len = needle.chars().count();
    if n_len == 0 {
        return None;
    }
    let mut best: Option<(usize, usize, &str)> = None;
    for (cand, idx) in candidates {
        let c_len = cand.chars().count();
        let contained = cand.contains(needle) || needle.contains(cand);
        let edit = strsim::levenshtein(needle, cand);
        let dist = if contained {
            edit.min(n_len.abs_diff(c_len))
        } else {
            edit
        };
        let limit = (n_len.max(c_len) / 3).max(1);
        // A contained candidate of one character says little ("否" in "是否").
        let meaningful = c_len >= 2 || n_len == 1;
        if (contained || dist <= limit) && meaningful {
            let better = match best {
                None => true,
                Some((d, _, c)) => dist < d || (dist == d && cand < c),
            };
            if better {
                best = Some((dist, idx, cand));
            }
        }
    }
    best.map(|(_, i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_standard_loads() {
        let s = Standard::embedded();
        assert_eq!(s.tables.table("category").entries.len(), 6);
        assert_eq!(
            s.tables
                .table("sector")
                .lookup("人社")
                .unwrap()
                .code
                .as_deref(),
            Some("05")
        );
        assert!(s.divisions.get("431300").is_some());
        assert!(!s.lexicon.catch_all.is_empty());
    }

    #[test]
    fn a_verbatim_element_must_exist() {
        let dir = tempfile::tempdir().unwrap();
        let lexicon = Standard::embedded_file("lexicon.yaml").unwrap().replace(
            "verbatim: [legal_basis, fee_basis, basis, reduction_basis]",
            "verbatim: [legal_bases]",
        );
        std::fs::write(dir.path().join("lexicon.yaml"), lexicon).unwrap();
        let err = Standard::load(Some(dir.path())).unwrap_err().to_string();
        assert!(err.contains("legal_bases"), "{err}");
    }

    #[test]
    fn national_categories_are_known_but_six_enabled() {
        let s = Standard::embedded();
        let t = s.tables.table("category");
        let off: Vec<&str> = t.disabled_names().collect();
        assert_eq!(
            off,
            ["行政处罚", "行政强制", "行政检查", "行政奖励", "行政裁决"]
        );
        assert!(t.lookup("08").is_none());
        let (message, help) = t.refusal("08").unwrap();
        assert!(message.zh.contains("行政奖励"), "{}", message.zh);
        assert!(help.zh.contains("yima.yaml"), "{}", help.zh);
        assert!(t.refusal("行政许可").is_none());
        assert!(t.refusal("行政审批").is_none());
    }

    #[test]
    fn cjk_ideographs_are_stable() {
        // What `stable` takes from a lead byte of E4–E9 alone.
        use unicode_normalization::char::canonical_combining_class;
        use unicode_normalization::{IsNormalized, is_nfc_quick, is_nfkc_quick};
        for c in ('\u{4000}'..='\u{9FFF}').filter(|c| c.len_utf8() == 3) {
            assert_eq!(canonical_combining_class(c), 0, "{c:?}");
            assert_eq!(is_nfc_quick(std::iter::once(c)), IsNormalized::Yes, "{c:?}");
            assert_eq!(
                is_nfkc_quick(std::iter::once(c)),
                IsNormalized::Yes,
                "{c:?}"
            );
        }
    }

    #[test]
    fn normal_forms_are_skipped_only_for_normal_text() {
        use unicode_normalization::UnicodeNormalization;
        for s in [
            "社会团体成立登记",
            "ＡＢＣ１２３",
            "实施主体\u{3000}编码",
            "e\u{301}",
            "㈱会社",
            "娄底市（市本级）",
            "①②",
            "丽\u{F9E9}",
            "𠮷野家",
            "建设工程消防验收（备案）：第１步",
            "（Ａ\u{301}）",
            "ＡＢ\u{3000}ｃ；①",
            "ｶﾞ（半角）",
        ] {
            assert_eq!(nfc(s), s.nfc().collect::<String>(), "{s}");
            assert_eq!(nfkc(s), s.nfkc().collect::<String>(), "{s}");
        }
    }

    #[test]
    fn full_width_text_folds_as_nfkc_does() {
        use unicode_normalization::UnicodeNormalization;
        let blocks = (0x2000..0x2100)
            .chain(0x3000..0x3100)
            .chain(0xFE00..0x10000);
        for c in blocks.filter_map(char::from_u32) {
            for s in [
                format!("（{c}）"),
                format!("{c}\u{301}"),
                format!("Ａ{c}"),
                format!("{c}\u{3099}登记"),
            ] {
                assert_eq!(nfkc(&s), s.nfkc().collect::<String>(), "{s:?}");
            }
        }
    }

    #[test]
    fn values_normalize_as_folded_character_by_character() {
        let slow = |s: &str| -> String {
            nfkc(s)
                .chars()
                .filter(|c| !c.is_whitespace())
                .map(|c| c.to_ascii_uppercase())
                .collect()
        };
        for v in [
            "婚姻登记",
            "婚姻 登记",
            "婚姻\u{3000}登记",
            "a\u{a0}b",
            "ｉｃｐ备案",
            "ICP备案",
            "icp备案（变更）",
            "",
            " \t\n",
            "Ⅻ号",
        ] {
            assert_eq!(normalize_value(v), slow(v), "{v:?}");
        }
        assert_eq!(normalize_value("ｉｃｐ 备案"), "ICP备案");
    }

    #[test]
    fn header_normalization() {
        assert_eq!(normalize_header("＊事项名称（必填）"), "事项名称");
        assert_eq!(normalize_header(" 法定办结\n时限(工作日) "), "法定办结时限");
        assert_eq!(normalize_header("实施主体　编码"), "实施主体编码");
        assert_eq!(normalize_header("*序号"), "序号");
    }

    #[test]
    fn header_match_by_alias() {
        let s = Standard::embedded();
        let e = s.elements.items.match_header("统一社会信用代码").unwrap();
        assert_eq!(e.field, elements::Field::AgencyCode);
        assert!(s.elements.items.match_header("填报人").is_none());
    }
}

//! The standard as data: elements, code tables, sectors, divisions and phrase
//! lists from `schemas/`. The defaults are embedded in the binary; a workspace
//! may replace any file with its own `schemas/<file>`.

pub mod divisions;
pub mod elements;
pub mod lexicon;
pub mod tables;

use divisions::Divisions;
use elements::Elements;
use lexicon::Lexicon;
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
];

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
        for name in REQUIRED_TABLES {
            if tables.get(name).is_none() {
                return Err(StandardError::Invalid {
                    file: "codes.yaml".into(),
                    message: format!("code table `{name}` is missing"),
                });
            }
        }
        for def in elements
            .items
            .elements
            .iter()
            .filter_map(|e| e.table.as_ref())
        {
            if tables.get(def).is_none() {
                return Err(StandardError::Invalid {
                    file: "elements.yaml".into(),
                    message: format!("element names unknown code table `{def}`"),
                });
            }
        }
        Ok(Standard {
            elements,
            tables,
            divisions: parse(dir, "divisions.yaml")?,
            lexicon: {
                let mut l: Lexicon = parse(dir, "lexicon.yaml")?;
                l.prepare_all();
                l
            },
        })
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
    if stable(s, &STABLE.get_or_init(stable_chars).nfkc)
        || is_nfkc_quick(s.chars()) == IsNormalized::Yes
    {
        std::borrow::Cow::Borrowed(s)
    } else {
        std::borrow::Cow::Owned(s.nfkc().collect())
    }
}

/// NFC, without work when the text already is.
pub fn nfc(s: &str) -> std::borrow::Cow<'_, str> {
    use unicode_normalization::{IsNormalized, is_nfc_quick};
    if stable(s, &STABLE.get_or_init(stable_chars).nfc)
        || is_nfc_quick(s.chars()) == IsNormalized::Yes
    {
        std::borrow::Cow::Borrowed(s)
    } else {
        std::borrow::Cow::Owned(s.nfc().collect())
    }
}

/// The characters of the Basic Multilingual Plane that a normal form leaves
/// alone wherever they stand (quick check Yes, combining class 0): a text
/// made only of them is already normal. One bit a character.
struct Stable {
    nfc: Box<[u64]>,
    nfkc: Box<[u64]>,
}

static STABLE: std::sync::OnceLock<Stable> = std::sync::OnceLock::new();

fn stable_chars() -> Stable {
    use unicode_normalization::char::canonical_combining_class;
    use unicode_normalization::{IsNormalized, is_nfc_quick, is_nfkc_quick};
    let mut nfc = vec![0u64; 1024].into_boxed_slice();
    let mut nfkc = vec![0u64; 1024].into_boxed_slice();
    for c in (0..0x10000u32).filter_map(char::from_u32) {
        if canonical_combining_class(c) != 0 {
            continue;
        }
        let bit = |set: &mut [u64]| set[(c as usize) >> 6] |= 1 << (c as u32 & 63);
        if is_nfc_quick(std::iter::once(c)) == IsNormalized::Yes {
            bit(&mut nfc);
        }
        if is_nfkc_quick(std::iter::once(c)) == IsNormalized::Yes {
            bit(&mut nfkc);
        }
    }
    Stable { nfc, nfkc }
}

/// Whether every character of `s` is in the set (ASCII text always is).
fn stable(s: &str, set: &[u64]) -> bool {
    s.is_ascii()
        || s.chars().all(|c| {
            let c = c as u32;
            c < 0x10000 && set[(c >> 6) as usize] & (1 << (c & 63)) != 0
        })
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
    nfkc(s)
        .chars()
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

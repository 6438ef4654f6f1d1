//! Published releases as the codes see them: which version names are
//! allowed, their natural order, and the registry the newest release
//! published — the record every later registry must still contain.

use super::registry::{self, Registry};
use crate::diag::Text;
use crate::text;
use std::path::{Path, PathBuf};

/// The manifest a release folder holds (`release::manifest::FILE`).
const MANIFEST: &str = "manifest.json";

/// Why a version cannot name a release.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadVersion {
    #[error("the version is empty")]
    Empty,
    #[error("the version is longer than 64 characters")]
    TooLong,
    /// A leading `-` reads as an option, a leading `.` hides the folder.
    #[error("a version starts with a letter or digit, not `{0}`")]
    Start(char),
    #[error("a version ends with a letter or digit, not `{0}`")]
    End(char),
    /// Path separators, spaces and the like.
    #[error("`{0}` cannot be part of a version: use letters, digits, `.`, `-` and `_`")]
    Char(char),
    #[error("a version cannot contain `..`")]
    DotDot,
    /// CON, PRN, AUX, NUL, COM1–9, LPT1–9: Windows cannot make such a folder.
    #[error("`{0}` is a device name on Windows and cannot name a folder")]
    Device(String),
}

/// Checks that a version can name a release folder on every system: ASCII
/// letters, digits, `.`, `-`, `_`; starting and ending with a letter or
/// digit; no `..`; not a Windows device name (even with an extension).
pub fn check_version(v: &str) -> Result<(), BadVersion> {
    let first = v.chars().next().ok_or(BadVersion::Empty)?;
    if v.len() > 64 {
        return Err(BadVersion::TooLong);
    }
    if let Some(c) = v
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')))
    {
        return Err(BadVersion::Char(c));
    }
    if !first.is_ascii_alphanumeric() {
        return Err(BadVersion::Start(first));
    }
    let last = v.chars().last().unwrap_or(first);
    if !last.is_ascii_alphanumeric() {
        return Err(BadVersion::End(last));
    }
    if v.contains("..") {
        return Err(BadVersion::DotDot);
    }
    let stem = v.split('.').next().unwrap_or(v).to_ascii_uppercase();
    let device = matches!(stem.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || ((stem.starts_with("COM") || stem.starts_with("LPT"))
            && stem.len() == 4
            && stem[3..].chars().all(|c| matches!(c, '1'..='9')));
    if device {
        return Err(BadVersion::Device(v.to_string()));
    }
    Ok(())
}

/// Whether a version can name a release folder ([`check_version`]).
pub fn valid_version(v: &str) -> bool {
    check_version(v).is_ok()
}

/// Natural order of versions: `2026.2` < `2026.10`.
pub fn version_key(v: &str) -> Vec<(u64, String)> {
    let mut out = Vec::new();
    let mut num = String::new();
    let mut text = String::new();
    for c in v.chars() {
        if c.is_ascii_digit() {
            if !text.is_empty() {
                out.push((0, std::mem::take(&mut text)));
            }
            num.push(c);
        } else {
            if !num.is_empty() {
                out.push((num.parse().unwrap_or(u64::MAX), String::new()));
                num.clear();
            }
            text.push(c);
        }
    }
    if !num.is_empty() {
        out.push((num.parse().unwrap_or(u64::MAX), String::new()));
    }
    if !text.is_empty() {
        out.push((0, text));
    }
    out
}

/// The releases in a folder, oldest first (folders holding a manifest).
pub fn list(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .filter(|e| e.path().join(MANIFEST).is_file())
                .filter_map(|e| e.file_name().to_str().map(str::to_string))
                .filter(|n| valid_version(n))
                .collect()
        })
        .unwrap_or_default();
    v.sort_by_key(|a| version_key(a));
    v
}

/// The registry a release published.
#[derive(Debug, Clone)]
pub struct Released {
    pub version: String,
    /// Its `codes.lock`.
    pub file: PathBuf,
    /// The registry, or why it cannot be trusted: unreadable, damaged, or
    /// not the one its manifest names.
    pub registry: Result<Registry, Text>,
}

/// The registry of the newest release in `releases`, if there is one.
pub fn latest(releases: &Path) -> Option<Released> {
    let version = list(releases).pop()?;
    let dir = releases.join(&version);
    let file = dir.join(registry::FILE);
    let registry = read(&dir, &file);
    Some(Released {
        version,
        file,
        registry,
    })
}

fn read(dir: &Path, file: &Path) -> Result<Registry, Text> {
    #[derive(serde::Deserialize)]
    struct Manifest {
        registry_sha256: String,
    }
    let bytes = std::fs::read(file).map_err(|e| text!("无法读取：{e}", "cannot be read: {e}"))?;
    let manifest: Manifest = std::fs::read_to_string(dir.join(MANIFEST))
        .map_err(|e| e.to_string())
        .and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()))
        .map_err(|e| {
            text!(
                "发布清单 {MANIFEST} 无法读取：{e}",
                "its release's {MANIFEST} cannot be read: {e}"
            )
        })?;
    if crate::fsx::sha256_hex(&bytes) != manifest.registry_sha256 {
        return Err(text!(
            "与发布清单 {MANIFEST} 记录的校验值不符：发布后被改动",
            "it does not match the sha256 its {MANIFEST} records: changed after the release"
        ));
    }
    let text = String::from_utf8(bytes)
        .map_err(|e| text!("不是 UTF-8 文本：{e}", "not UTF-8 text: {e}"))?;
    let reg =
        Registry::parse(&text).map_err(|e| text!("不是登记簿：{e}", "not a registry: {e}"))?;
    if let Some(d) = reg.integrity().first() {
        let (line, why) = (d.line, d.damage.message());
        let (zh, en) = (why.zh, why.en);
        return Err(text!("第 {line} 行：{zh}", "line {line}: {en}"));
    }
    Ok(reg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_sort_naturally() {
        let mut v = vec!["2026.10", "2026.2", "2026.1", "2025.12"];
        v.sort_by_key(|a| version_key(a));
        assert_eq!(v, ["2025.12", "2026.1", "2026.2", "2026.10"]);
    }

    #[test]
    fn versions_that_cannot_name_a_folder_everywhere_are_refused() {
        for good in ["2026.1", "2026.1-rc_1", "v2", "2026", "R1"] {
            assert_eq!(check_version(good), Ok(()), "{good}");
        }
        let bad = [
            ("", BadVersion::Empty),
            ("-rf", BadVersion::Start('-')),
            ("--help", BadVersion::Start('-')),
            (".hidden", BadVersion::Start('.')),
            ("_x", BadVersion::Start('_')),
            ("2026.", BadVersion::End('.')),
            ("a..b", BadVersion::DotDot),
            ("../x", BadVersion::Char('/')),
            ("a/b", BadVersion::Char('/')),
            ("a\\b", BadVersion::Char('\\')),
            ("v 1", BadVersion::Char(' ')),
            ("v:1", BadVersion::Char(':')),
            ("版本1", BadVersion::Char('版')),
            ("con", BadVersion::Device("con".into())),
            ("CON", BadVersion::Device("CON".into())),
            ("nul.1", BadVersion::Device("nul.1".into())),
            ("Com1", BadVersion::Device("Com1".into())),
            ("lpt9.2026", BadVersion::Device("lpt9.2026".into())),
        ];
        for (v, why) in bad {
            assert_eq!(check_version(v), Err(why), "{v}");
        }
        assert!(valid_version("com10"), "COM10 is no device");
        assert_eq!(check_version(&"1".repeat(65)), Err(BadVersion::TooLong));
    }
}

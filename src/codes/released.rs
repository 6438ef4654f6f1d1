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
    let bytes = std::fs::read(file).map_err(|e| text!("无法读取：{e}", "cannot be read: {e}"))?;
    let recorded = registry_sha256(&dir.join(MANIFEST)).map_err(|e| {
        text!(
            "发布清单 {MANIFEST} 无法读取：{e}",
            "its release's {MANIFEST} cannot be read: {e}"
        )
    })?;
    if crate::fsx::sha256_hex(&bytes) != recorded {
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

/// The registry's digest the manifest at `path` records. A manifest lists
/// every file of its release after it (300,000 at 100,000 entries, 40 MB),
/// and every build, release and `assign --check` reads this one field: it
/// is taken from the head of the file when yima's layout puts it there (one
/// member a line, each line parsed as JSON), else from the whole file.
fn registry_sha256(path: &Path) -> Result<String, String> {
    use std::io::Read;
    #[derive(serde::Deserialize)]
    struct Manifest {
        registry_sha256: String,
    }
    let mut head = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(HEAD).read_to_end(&mut head))
        .map_err(|e| e.to_string())?;
    if let Some(sha256) = from_head(&head) {
        return Ok(sha256);
    }
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let m: Manifest = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    Ok(m.registry_sha256)
}

/// How much of a manifest [`from_head`] looks at.
const HEAD: u64 = 16 * 1024;

/// `registry_sha256` from the first lines of a manifest, as yima writes it
/// (`{`, then a member a line, the file list last); none when the lines are
/// not so (the whole file is then parsed).
fn from_head(head: &[u8]) -> Option<String> {
    let mut lines = head.split(|&b| b == b'\n');
    if lines.next()? != b"{" {
        return None;
    }
    for line in lines {
        let member = std::str::from_utf8(line).ok()?.trim_end_matches(',');
        if !member.starts_with("  \"") || member.starts_with("  \"files\"") {
            return None;
        }
        let one: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&format!("{{{member}}}")).ok()?;
        if let Some(v) = one.get("registry_sha256") {
            return v.as_str().map(str::to_string);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_registrys_digest_is_read_from_the_manifests_head_or_its_whole() {
        use crate::release::manifest::{Manifest, ManifestFile};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(MANIFEST);
        let files: Vec<ManifestFile> = (0..5000)
            .map(|i| ManifestFile {
                path: format!("guides/{i}.html"),
                size: i,
                sha256: "0".repeat(64),
            })
            .collect();
        // As a release writes it.
        let pretty = Manifest {
            version: "2026.1".into(),
            yima: "0.1.0".into(),
            registry_sha256: "ab".repeat(32),
            files,
        };
        let text = serde_json::to_string_pretty(&pretty).unwrap();
        assert!(
            text.len() as u64 > HEAD,
            "the file list reaches past the head"
        );
        assert_eq!(from_head(text.as_bytes()), Some("ab".repeat(32)));
        std::fs::write(&path, &text).unwrap();
        assert_eq!(registry_sha256(&path), Ok("ab".repeat(32)));
        // Another layout (the list first, one line): from the whole file.
        let compact = format!(
            "{{\"files\":{},\"registry_sha256\":\"{}\"}}",
            serde_json::to_string(&pretty.files).unwrap(),
            "cd".repeat(32)
        );
        assert_eq!(from_head(compact.as_bytes()), None);
        std::fs::write(&path, &compact).unwrap();
        assert_eq!(registry_sha256(&path), Ok("cd".repeat(32)));
        // A value that only looks like the member, inside another string.
        let tricky = text.replacen(
            "\"yima\": \"0.1.0\"",
            "\"yima\": \"\\\"registry_sha256\\\": \\\"ef\\\"\"",
            1,
        );
        assert_ne!(tricky, text);
        assert_eq!(from_head(tricky.as_bytes()), Some("ab".repeat(32)));
        // Not a manifest at all.
        std::fs::write(&path, "{\"files\": []}").unwrap();
        assert!(registry_sha256(&path).is_err());
    }

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

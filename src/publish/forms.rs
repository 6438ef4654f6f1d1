//! The files guides offer for download (SPEC §2a): the blank forms (空白表格),
//! filled-in samples (示例样表) and result samples (结果样本) that entries name
//! by file are copied from the workspace's `forms/` folder into
//! `dist/forms/<sha256>.<ext>`, so a file keeps one stable name whatever it is
//! called, the same content is published once, and no text a department typed
//! becomes a path. A name that is not in `forms/` is not copied — reporting
//! it is `form-missing`'s job — and its guide shows the name without a link.
//! A value that is an http(s) URL is linked as it is.

use super::{BuildContext, PublishError};
use crate::catalog::lazy::Summary;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The folder of `dist/` the files are copied to.
pub const DIR: &str = "forms";

/// The form files of a build: each name an entry gives, and where its copy
/// is, as a guide links it (`../forms/<sha256>.<ext>`).
#[derive(Debug, Default)]
pub struct Forms {
    hrefs: BTreeMap<String, String>,
}

/// A link a guide shows: the text, and where it leads when it leads
/// somewhere (a copied form, or a plain web address).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Link<'a> {
    /// None when the text is neither a copied form nor a safe http(s) URL.
    pub href: Option<&'a str>,
    pub text: &'a str,
    /// The link leads to a copied form (saved under `text` when downloaded).
    pub file: bool,
}

impl Forms {
    /// Copies every form the entries name that is in the workspace's forms
    /// folder into `dir`, which is created only when there is something to
    /// copy. Without a workspace there are no forms.
    pub fn copy(ctx: &BuildContext<'_>, dir: &Path) -> Result<Forms, PublishError> {
        let mut forms = Forms::default();
        let Some(source) = ctx.workspace.forms_dir() else {
            return Ok(forms);
        };
        let names: BTreeSet<&str> = (ctx.entries.iter())
            .flat_map(|e| e.summary().forms.iter().map(String::as_str))
            .collect();
        for name in names {
            let path = source.join(name);
            if !path.is_file() {
                continue;
            }
            let digest = sha256(&path)?;
            let file = match extension(name) {
                Some(ext) => format!("{digest}.{ext}"),
                None => digest,
            };
            std::fs::create_dir_all(dir)?;
            let target = dir.join(&file);
            if !target.exists() {
                std::fs::copy(&path, &target).map_err(|e| {
                    std::io::Error::new(
                        e.kind(),
                        format!("无法复制表格 {}（cannot copy form）：{e}", path.display()),
                    )
                })?;
            }
            forms
                .hrefs
                .insert(name.to_string(), format!("../{DIR}/{file}"));
        }
        Ok(forms)
    }

    /// How a guide links a form value: a copied file by its copy, a web
    /// address as it is, anything else as plain text.
    pub fn link<'a>(&'a self, value: &'a str) -> Link<'a> {
        let value = value.trim();
        match self.hrefs.get(value) {
            Some(h) => Link {
                href: Some(h.as_str()),
                text: value,
                file: true,
            },
            None => Link {
                href: is_web_url(value).then_some(value),
                text: value,
                file: false,
            },
        }
    }

    /// Where the forms an entry names are linked, as one text: part of
    /// what its guides are rendered from (the build cache's key).
    pub fn links_of(&self, e: &Summary) -> String {
        let mut s = String::new();
        for name in &e.forms {
            if let Some(h) = self.hrefs.get(name.as_str()) {
                s.push_str(name);
                s.push('\t');
                s.push_str(h);
                s.push('\n');
            }
        }
        s
    }

    /// Each copied file, relative to the build root, with its sha256 (which
    /// names it).
    pub fn files(&self) -> Vec<(String, String)> {
        let files: BTreeSet<&str> = self
            .hrefs
            .values()
            .filter_map(|h| h.strip_prefix("../"))
            .collect();
        files
            .into_iter()
            .map(|rel| {
                let name = rel.rsplit('/').next().unwrap_or(rel);
                let digest = name.split('.').next().unwrap_or(name);
                (rel.to_string(), digest.to_string())
            })
            .collect()
    }

    /// How many distinct files were copied.
    pub fn len(&self) -> usize {
        self.hrefs.values().collect::<BTreeSet<_>>().len()
    }

    pub fn is_empty(&self) -> bool {
        self.hrefs.is_empty()
    }
}

/// The extension a copy keeps: the original's, lower-cased, when it is a
/// short run of ASCII letters and digits.
fn extension(name: &str) -> Option<String> {
    let ext = Path::new(name).extension()?.to_str()?;
    (!ext.is_empty() && ext.len() <= 8 && ext.bytes().all(|b| b.is_ascii_alphanumeric()))
        .then(|| ext.to_ascii_lowercase())
}

/// The SHA-256 of a form, read in pieces, as lower-case hex.
fn sha256(path: &Path) -> Result<String, PublishError> {
    let fail = |e: std::io::Error| {
        std::io::Error::new(
            e.kind(),
            format!("无法读取表格 {}（cannot read form）：{e}", path.display()),
        )
    };
    match crate::fsx::sha256_file(path).map_err(fail)? {
        Some((_, digest)) => Ok(digest),
        None => Err(fail(std::io::Error::other(
            "不是普通文件，或读取时仍在变化（not a regular file, or changed while read）",
        ))
        .into()),
    }
}

/// Whether `u` may be a link target: an http(s) URL with a host and no
/// character that could leave an attribute or a Markdown link.
pub fn is_web_url(u: &str) -> bool {
    let lower = u.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/'))
        && u.chars().all(|c| {
            !c.is_whitespace()
                && !c.is_control()
                && !matches!(c, '"' | '\'' | '<' | '>' | '`' | '\\')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_web_urls_are_links() {
        assert!(is_web_url("https://zwfw-new.hunan.gov.cn/"));
        assert!(is_web_url("HTTP://example.cn/a?b=1&c=2"));
        assert!(!is_web_url("javascript:alert(1)"));
        assert!(!is_web_url("https://x.cn/\"><img src=x onerror=alert(1)>"));
        assert!(!is_web_url("https:///path"));
        assert!(!is_web_url("ftp://x.cn"));
        assert!(!is_web_url("https://x.cn/a b"));
    }

    #[test]
    fn extensions_are_kept_when_plain() {
        assert_eq!(extension("申请表.DOCX").as_deref(), Some("docx"));
        assert_eq!(extension("样表.pdf").as_deref(), Some("pdf"));
        assert_eq!(extension("无扩展名"), None);
        assert_eq!(extension("a.表格"), None);
        assert_eq!(extension("a.verylongext"), None);
    }

    #[test]
    fn unknown_names_are_text_and_urls_links() {
        let mut forms = Forms::default();
        forms
            .hrefs
            .insert("申请表.docx".into(), "../forms/ab.docx".into());
        let l = forms.link(" 申请表.docx ");
        assert_eq!((l.href, l.text), (Some("../forms/ab.docx"), "申请表.docx"));
        assert!(l.file);
        let l = forms.link("缺失.docx");
        assert_eq!((l.href, l.text), (None, "缺失.docx"));
        let l = forms.link("https://x.cn/a.pdf");
        assert_eq!(l.href, Some("https://x.cn/a.pdf"));
        assert!(!l.file);
    }
}

//! Catalog releases (SPEC §5): `releases/VERSION/` holds the whole build,
//! `catalog.json`, the registry, `manifest.json` and the change log against
//! the previous release. The same catalog and version give a byte-identical
//! release; an existing release is never overwritten.

pub mod changelog;
pub mod diff;
pub mod manifest;

use crate::catalog;
use crate::codes::registry::{self, Registry};
use crate::fsx::{self, Staged, WorkspaceLock};
use crate::publish::{self, BuildContext};
use crate::workspace::Workspace;
use diff::Side;
use manifest::{Manifest, sha256_hex};
use std::path::{Path, PathBuf};

/// Why a release was not made.
#[derive(Debug, thiserror::Error)]
pub enum ReleaseError {
    /// The version cannot name a folder.
    #[error("invalid version `{0}`: use letters, digits, `.`, `-` and `_`")]
    BadVersion(String),
    /// Releases are never overwritten.
    #[error("release {0} already exists")]
    Exists(String),
    /// `yima check items/` has errors.
    #[error("the catalog has {0} errors (run `yima check items/`)")]
    CheckFailed(usize),
    /// `yima assign --check` has problems.
    #[error("the codes have {0} problems (run `yima assign --check`)")]
    CodesFailed(usize),
    #[error(transparent)]
    Lock(#[from] fsx::LockError),
    #[error(transparent)]
    Catalog(#[from] catalog::CatalogError),
    #[error(transparent)]
    Publish(#[from] publish::PublishError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// What a release wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseSummary {
    pub dir: PathBuf,
    pub previous: Option<String>,
    pub counts: diff::Counts,
    pub files: usize,
    /// Codes stamped with this release.
    pub stamped: usize,
}

/// Whether a version string is safe as a folder name.
pub fn valid_version(v: &str) -> bool {
    !v.is_empty()
        && v.len() <= 64
        && !v.starts_with('.')
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
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
                .filter(|e| e.path().join(manifest::FILE).is_file())
                .filter_map(|e| e.file_name().to_str().map(str::to_string))
                .filter(|n| valid_version(n))
                .collect()
        })
        .unwrap_or_default();
    v.sort_by_key(|a| version_key(a));
    v
}

/// The registry of the newest release, to check that no code was lost since.
pub fn latest_registry(ws: &Workspace) -> Option<(String, Registry)> {
    let dir = ws.path(&ws.config.paths.releases);
    let last = list(&dir).pop()?;
    let text = std::fs::read_to_string(dir.join(&last).join(registry::FILE)).ok()?;
    Registry::parse(&text).ok().map(|r| (last, r))
}

/// Makes release `version` of the workspace's catalog.
pub fn release(
    ws: &Workspace,
    version: &str,
    progress: bool,
) -> Result<ReleaseSummary, ReleaseError> {
    if !valid_version(version) {
        return Err(ReleaseError::BadVersion(version.to_string()));
    }
    let releases = ws.path(&ws.config.paths.releases);
    let target = releases.join(version);
    if target.exists() {
        return Err(ReleaseError::Exists(version.to_string()));
    }
    let root = ws.root.clone().unwrap_or_else(|| PathBuf::from("."));
    let _lock = WorkspaceLock::acquire(&root)?;
    let items = ws.path(&ws.config.paths.items);

    // The same gates CI runs.
    let checked = crate::check::check_paths(std::slice::from_ref(&items), ws, false)?;
    if checked.report.summary.errors > 0 {
        return Err(ReleaseError::CheckFailed(checked.report.summary.errors));
    }
    let cat = catalog::load(&items)?;
    let problems = crate::assign::audit(ws, &cat);
    if !problems.is_empty() {
        return Err(ReleaseError::CodesFailed(problems.len()));
    }

    let previous = list(&releases)
        .into_iter()
        .filter(|v| v != version)
        .max_by_key(|v| version_key(v));
    let mut registry = cat.registry.clone();
    let stamped = registry.stamp_release(version);
    let registry_yaml = registry.to_yaml();

    let ctx = BuildContext::new(ws, &cat, version, progress);
    let staged = Staged::new(&target)?;
    let out = staged.path().to_path_buf();
    publish::render_into(&ctx, &out)?;
    fsx::write_atomic(&out.join(registry::FILE), registry_yaml.as_bytes())?;

    let old = match &previous {
        Some(p) => Side::load(&releases.join(p)).unwrap_or_else(|_| Side {
            label: p.clone(),
            ..Side::default()
        }),
        None => Side {
            label: "（无）".into(),
            ..Side::default()
        },
    };
    let new = Side::from_entries(version, ctx.entries.iter().copied());
    let changes = diff::diff(&ws.standard, &old, &new);
    let mut json = serde_json::to_string_pretty(&changes).expect("changes serialize");
    json.push('\n');
    fsx::write_atomic(&out.join("changes.json"), json.as_bytes())?;
    let heading = format!("{} {} 变更说明", ws.config.release_name, version);
    fsx::write_atomic(
        &out.join("CHANGELOG.md"),
        changelog::render(&changes, &heading).as_bytes(),
    )?;

    let files = manifest::scan(&out)?;
    let m = Manifest {
        version: version.to_string(),
        yima: env!("CARGO_PKG_VERSION").to_string(),
        registry_sha256: sha256_hex(registry_yaml.as_bytes()),
        files,
    };
    let mut mj = serde_json::to_string_pretty(&m).expect("manifest serializes");
    mj.push('\n');
    fsx::write_atomic(&out.join(manifest::FILE), mj.as_bytes())?;

    // The registry is stamped before the release appears: a release that
    // exists always has its codes stamped; a retry stamps nothing new.
    if stamped > 0 {
        fsx::write_atomic(&items.join(registry::FILE), registry_yaml.as_bytes())?;
    }
    staged.commit()?;
    Ok(ReleaseSummary {
        dir: target,
        previous,
        counts: changes.counts,
        files: m.files.len() + 1,
        stamped,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_sort_naturally() {
        let mut v = vec!["2026.10", "2026.2", "2026.1", "2025.12"];
        v.sort_by_key(|a| version_key(a));
        assert_eq!(v, ["2025.12", "2026.1", "2026.2", "2026.10"]);
        assert!(valid_version("2026.1-rc_1"));
        assert!(!valid_version("../x"));
        assert!(!valid_version(".hidden"));
        assert!(!valid_version("v 1"));
    }
}

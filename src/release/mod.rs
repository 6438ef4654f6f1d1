//! Catalog releases (SPEC §5, §10): `releases/VERSION/` holds the whole build,
//! `catalog.json`, the registry, `manifest.json`, the release stamps of its
//! entries (`stamps.json`, [`crate::publish::stamps`]) and the change log against
//! the previous release. The same catalog, version and earlier releases give a
//! byte-identical release; an existing release is never overwritten.

pub mod changelog;
pub mod diff;
pub mod manifest;
mod seek;

use crate::assign::Problem;
use crate::catalog;
use crate::codes::registry;
pub use crate::codes::released::{BadVersion, check_version, list, valid_version, version_key};
use crate::fsx::{self, Staged, WorkspaceLock};
use crate::publish::{self, BuildContext};
use crate::workspace::Workspace;
use diff::Side;
use manifest::{Manifest, sha256_hex};
use std::path::PathBuf;

/// Why a release was not made.
#[derive(Debug, thiserror::Error)]
pub enum ReleaseError {
    /// The version cannot name a folder.
    #[error("invalid version `{0}`: {1}")]
    BadVersion(String, BadVersion),
    /// Releases are never overwritten.
    #[error("release {0} already exists")]
    Exists(String),
    /// `yima check items/` has errors.
    #[error("the catalog has {0} errors (run `yima check items/`)")]
    CheckFailed(usize),
    /// `yima assign --check` has problems.
    #[error("the codes have {} problems (run `yima assign --check`)", .0.len())]
    CodesFailed(Vec<Problem>),
    /// The previous release cannot be read, so no change log can be made
    /// against it.
    #[error("the previous release {0} cannot be read: {1}")]
    Previous(String, diff::DiffError),
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
    /// Files rendered, and files taken unchanged from the previous release
    /// or the last build.
    pub rendered: publish::cache::Counts,
    /// Codes stamped with this release.
    pub stamped: usize,
    /// Each stage and its wall time, in order (`yima release --timings`).
    pub stages: Vec<(&'static str, std::time::Duration)>,
    /// The stamped registry could not be put in place after the release was
    /// made (why); the next yima run puts it there.
    pub registry_pending: Option<String>,
    /// The guides of `dist/` brought up to the release's stamps
    /// ([`publish::cache::prepare`]), or why they could not be (the release
    /// stands; the next build does it).
    pub dist: Result<publish::cache::Restamped, String>,
}

/// Makes release `version` of the workspace's catalog.
///
/// Two things change: `releases/VERSION/` appears (built beside, swapped in)
/// and the registry gains the release's stamp. The stamped registry is
/// written first, beside the live one, under a name that says which release
/// it belongs to; the release folder is committed; then the registry is
/// renamed into place. Killed in between, the next run of any command keeps
/// the registry if the release exists and drops it if not
/// ([`fsx::recover_workspace`]) — so a release either happened, with its
/// stamp, or did not.
pub fn release(
    ws: &Workspace,
    version: &str,
    progress: bool,
) -> Result<ReleaseSummary, ReleaseError> {
    check_version(version).map_err(|why| ReleaseError::BadVersion(version.to_string(), why))?;
    let releases = ws.path(&ws.config.paths.releases);
    let target = releases.join(version);
    if target.exists() {
        return Err(ReleaseError::Exists(version.to_string()));
    }
    let root = ws.root.clone().unwrap_or_else(|| PathBuf::from("."));
    let _lock = WorkspaceLock::acquire(&root)?;
    let mut stages = Vec::new();
    let mut t = std::time::Instant::now();
    let mut timed = |stage: &'static str| {
        stages.push((stage, t.elapsed()));
        t = std::time::Instant::now();
    };
    let items = ws.path(&ws.config.paths.items);

    // The same gates CI runs, and a catalog whose every file reads: the
    // entries the last build kept in `dist/` spare parsing the files that
    // did not change since, and a file whose settled stat proves its digest
    // is not read at all (the gate reads again the few it checks).
    let dist = ws.path(&ws.config.paths.dist);
    let dist_cache = dist.join(catalog::cached::FILE);
    let previous = list(&releases)
        .into_iter()
        .filter(|v| v != version)
        .max_by_key(|v| version_key(v));
    let previous_dir = previous.as_ref().map(|p| releases.join(p));
    // What the previous release or the last build rendered the same way
    // (the guides of the entries unchanged since their stamp) is taken from
    // there once its cache proves it; the rest is rendered. Releases share
    // such files as hard links (a release is never written to); from
    // `dist/` they are copied, so that no edit there reaches a release.
    // Their caches are read while the entries are.
    let (cat, built) = rayon::join(
        || catalog::cached::load_whole(&items, Some(&dist_cache), false),
        || {
            let mut trees = Vec::new();
            if let Some(dir) = &previous_dir {
                let cache = publish::cache::release_cache(dir);
                trees.push((dir.as_path(), cache, publish::cache::Take::Link));
            }
            trees.push((
                dist.as_path(),
                dist.join(publish::cache::FILE),
                publish::cache::Take::Copy,
            ));
            let mut built = publish::cache::Previous::none();
            built.add_all(&trees);
            built
        },
    );
    let cat = cat?.catalog;
    timed("load");
    // (Each entry file's findings are kept beside the releases, by its
    // text: the next release checks only the files that changed.) The
    // gates, the registry's stamp and the context read the catalog only:
    // they run side by side, and what a failed gate made is dropped.
    let memo = releases.join(crate::check::gate::FILE);
    let (gated, (problems, (registry, ctx))) = rayon::join(
        || crate::check::gate::errors(&cat, ws, &items, &memo),
        || {
            rayon::join(
                || crate::assign::audit(ws, &cat),
                || {
                    rayon::join(
                        || {
                            let mut registry = cat.registry.clone();
                            let stamped = registry.stamp_release(version);
                            (stamped, registry.to_text())
                        },
                        || BuildContext::new(ws, &cat, version, progress),
                    )
                },
            )
        },
    );
    let gated = gated?;
    if gated.errors > 0 {
        let errors = gated.errors;
        gated.keep();
        return Err(ReleaseError::CheckFailed(errors));
    }
    if !problems.is_empty() {
        return Err(ReleaseError::CodesFailed(problems));
    }
    let (stamped, registry_text) = registry;
    // (The gate, the codes and the stamps, side by side.)
    timed("check");
    let staged = Staged::new(&target)?;
    let out = staged.path().to_path_buf();
    let (summary, tree) = publish::render_reusing(&ctx, &out, &built)?;
    timed("render");
    // (What took the time inside, for `--timings`: after `render`.)
    let inside: Vec<(&'static str, std::time::Duration)> = (summary.stages.iter())
        .map(|&(stage, took)| {
            let inner = match stage {
                "guides" => "render.guides",
                "docx" => "render.docx",
                "catalogs" => "render.catalogs",
                "site" => "render.site",
                _ => "render.other",
            };
            (inner, took)
        })
        .collect();

    // Releases are named by version, never by where a workspace lives: the
    // same catalog gives the same bytes on every computer.
    let old_label = previous.clone().unwrap_or_else(|| "（无）".into());
    let old_json = previous
        .as_ref()
        .map(|p| releases.join(p).join(publish::catalogs::JSON_FILE));
    // Only the entries whose content digest changed are compared field by
    // field; the whole catalogs when the previous release's stamps are not
    // at hand or do not match its catalog.json.
    let changes = || -> Result<_, ReleaseError> {
        let quick = ctx.stamps.previous.as_ref().and_then(|before| {
            diff::diff_changed(
                &ws.standard,
                (&old_label, old_json.as_deref(), before),
                (version, &ctx.entries, &ctx.stamps.content),
            )
        });
        if let Some(c) = quick {
            return Ok(c);
        }
        let old = match &previous {
            Some(p) => Side {
                label: p.clone(),
                ..Side::load(&releases.join(p)).map_err(|e| ReleaseError::Previous(p.clone(), e))?
            },
            None => Side {
                label: old_label.clone(),
                ..Side::default()
            },
        };
        let new = Side::from_entries(version, ctx.all_parsed().into_iter());
        Ok(diff::diff(&ws.standard, &old, &new))
    };
    // The digests of the files rendered or taken serve the manifest: they
    // are not read back and hashed again. (Gathered, and the registry and
    // stamps written, while the changes are worked out.)
    let (written, changes) = rayon::join(
        || -> Result<_, ReleaseError> {
            fsx::write_atomic(&out.join(registry::FILE), registry_text.as_bytes())?;
            ctx.stamps.write(&ctx.entries, version, &out)?;
            let (guides, rendered) = tree.sized_digests(publish::GUIDES_DIR);
            Ok((guides, rendered, tree.counts()))
        },
        changes,
    );
    let (guides, rendered, counts) = written?;
    // (The release made the guides' folder and only its render wrote
    // there: the files it recorded are the folder's, not listed again.)
    let guides = Some(manifest::Listed::recorded(publish::GUIDES_DIR, guides));
    let changes = changes?;
    let mut json = serde_json::to_string_pretty(&changes).expect("changes serialize");
    json.push('\n');
    fsx::write_atomic(&out.join("changes.json"), json.as_bytes())?;
    let heading = format!("{} {} 变更说明", ws.config.release_name, version);
    fsx::write_atomic(
        &out.join("CHANGELOG.md"),
        changelog::render(&changes, &heading).as_bytes(),
    )?;
    timed("changes");

    // What the release will keep beside itself for the next build and
    // release — its cache and memo, and the gate's memo (written beside its
    // place, put there once the release is) — and the guides `dist/` is to
    // show ([`publish::cache::prepare`]) are made while the manifest is
    // made and written.
    let (m, ((kept, gate), restamp)) = rayon::join(
        || -> std::io::Result<Manifest> {
            // (The manifest lists the files the render recorded, and those
            // the release wrote itself: made while the last links are, which
            // are waited for once it is written.)
            let m = Manifest {
                version: version.to_string(),
                yima: env!("CARGO_PKG_VERSION").to_string(),
                registry_sha256: sha256_hex(registry_text.as_bytes()),
                files: manifest::scan_listed(&out, &rendered, guides)?,
            };
            // (Written as it is made: 54 MB at 100,000 entries.)
            fsx::write_atomic_with(&out.join(manifest::FILE), &mut |w| m.write_to(w))?;
            tree.finish_links()?;
            Ok(m)
        },
        || {
            rayon::join(
                || {
                    rayon::join(
                        || publish::cache::ReleaseCache::of(&tree, &out, &target),
                        || gated.pending(),
                    )
                },
                || publish::cache::prepare(&dist, &out, &tree).map_err(|e| e.to_string()),
            )
        },
    );
    let m = m?;
    timed("manifest");

    let live = items.join(registry::FILE);
    let pending = (stamped > 0).then(|| fsx::pending_path(&live, version));
    if let Some(p) = &pending {
        fsx::write_atomic(p, registry_text.as_bytes())?;
    }
    let committed = staged.commit();
    if let Err(e) = committed {
        if let Some(p) = &pending {
            let _ = std::fs::remove_file(p);
        }
        return Err(ReleaseError::Io(e.into()));
    }
    // What the release holds serves the next build and release (losing it
    // costs only time).
    timed("commit");
    let _ = rayon::join(|| kept.keep(), || gate.put());
    timed("cache");
    // The release exists: its stamp goes into the registry.
    let registry_pending = pending.and_then(|p| {
        fsx::fault::point("release:registry")
            .and_then(|()| std::fs::rename(&p, &live))
            .err()
            .map(|e| e.to_string())
    });
    // The guides of `dist/` show what the release stamped: those it
    // rendered anew, copied beside `dist/` while the manifest was made, go
    // in (a build after it would copy them).
    let restamped = restamp.and_then(|prepared| match prepared {
        Some(p) => p.finish().map_err(|e| e.to_string()),
        None => Ok(publish::cache::Restamped::default()),
    });
    timed("dist");
    if let Some(at) = stages.iter().position(|(s, _)| *s == "render") {
        stages.splice(at + 1..at + 1, inside);
    }
    // (Freed with the process when it ends with this release: the digests
    // by path and the manifest alone are 900,000 allocations, a sixth of a
    // second on one thread.)
    let changed = changes.counts;
    let files = m.files.len() + 1;
    crate::one_shot::discard((tree, ctx, changes));
    crate::one_shot::discard((built, cat));
    crate::one_shot::discard((rendered, m));
    Ok(ReleaseSummary {
        dir: target,
        previous,
        counts: changed,
        files,
        rendered: counts,
        stamped,
        registry_pending,
        stages,
        dist: restamped,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn releases_are_listed_by_their_manifest() {
        // codes::released knows a release folder by the manifest it holds.
        let dir = tempfile::tempdir().unwrap();
        for v in ["2026.10", "2026.2", "draft"] {
            std::fs::create_dir_all(dir.path().join(v)).unwrap();
        }
        for v in ["2026.10", "2026.2"] {
            std::fs::write(dir.path().join(v).join(manifest::FILE), "{}").unwrap();
        }
        assert_eq!(list(dir.path()), ["2026.2", "2026.10"]);
    }
}

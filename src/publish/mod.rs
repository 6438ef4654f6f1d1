//! Publishing the catalog as files (SPEC §5, §9): `yima build` renders the
//! active entries of `items/` into `dist/` — guides (HTML, Markdown, Word,
//! and a Word 汇编 per agency) and the forms they link, catalogs by level,
//! the static site — staged beside the old `dist/` and put in place as a
//! whole or not at all (as every command sees it). Output is deterministic:
//! the same catalog gives the same bytes.
//!
//! Builds are incremental ([`cache`], SPEC §10): a file whose inputs are
//! unchanged stays in `dist/` instead of being rendered again, only the new
//! files are moved in (`Staged::commit_over`), and the result is the same
//! bytes a full build gives.

pub mod cache;
pub mod catalogs;
pub mod docx;
pub mod forms;
pub mod guides;
pub mod linker;
pub mod pieces;
pub mod site;
pub mod spans;
pub mod stamps;
pub mod templates;

use crate::catalog::{self, CatalogEntry, lazy::Entry};
use crate::codes::registry::Status;
use crate::fsx::Staged;
use crate::workspace::Workspace;
use std::path::Path;

/// What every output stage reads.
pub struct BuildContext<'a> {
    pub workspace: &'a Workspace,
    /// The active entries, sorted by 实施编码 (each parsed when first
    /// read, [`catalog::lazy`]).
    pub entries: Vec<&'a Entry>,
    /// The release version the output belongs to; empty for an unreleased build.
    pub version: String,
    /// The release stamp of each entry and 汇编 ([`stamps`]).
    pub stamps: stamps::Stamps,
    /// Show progress bars (on a terminal only).
    pub progress: bool,
}

impl<'a> BuildContext<'a> {
    /// The context of a catalog: its active entries, sorted by 实施编码.
    pub fn new(
        workspace: &'a Workspace,
        catalog: &'a catalog::Catalog,
        version: &str,
        progress: bool,
    ) -> Self {
        // (With the digests the load worked out, when it did.)
        let mut active: Vec<(&Entry, Option<&stamps::Sums>)> = catalog
            .files
            .iter()
            .filter_map(|f| Some((f.entry.as_ref().ok()?, f.sums.as_ref())))
            .filter(|(c, _)| c.summary().status == Status::Active)
            .collect();
        active.sort_by(|a, b| a.0.summary().impl_code.cmp(&b.0.summary().impl_code));
        let (entries, sums): (Vec<_>, Vec<_>) = active.into_iter().unzip();
        let stamps = stamps::Stamps::new(workspace, &entries, &sums, version);
        BuildContext {
            workspace,
            entries,
            version: version.to_string(),
            stamps,
            progress,
        }
    }

    /// The whole entries at `indices` (parsed now, side by side, where
    /// they were not yet).
    pub fn parsed(&self, indices: &[usize]) -> Vec<&'a CatalogEntry> {
        use rayon::prelude::*;
        indices.par_iter().map(|&i| self.entries[i].get()).collect()
    }

    /// Every entry, whole ([`BuildContext::parsed`]).
    pub fn all_parsed(&self) -> Vec<&'a CatalogEntry> {
        use rayon::prelude::*;
        self.entries.par_iter().map(|e| e.get()).collect()
    }

    /// The release stamp of the entry at `index`: the release in which it
    /// last changed, empty for 未发布 (the build's version when no stamps
    /// were worked out).
    pub fn stamp(&self, index: usize) -> &str {
        self.stamps.entries.get(index).unwrap_or(&self.version)
    }

    /// The digest of everything the entry at `index` holds
    /// ([`stamps::digests`]): what a file showing the entry and nothing of
    /// the release (a catalog row, its run of `catalog.json`) is made of.
    pub fn whole(&self, index: usize) -> std::borrow::Cow<'_, str> {
        match self.stamps.whole.get(index) {
            Some(d) => d.as_str().into(),
            None => stamps::digests(self.entries[index]).0.into(),
        }
    }

    /// The release stamp of an entry of the build.
    pub fn stamp_of(&self, e: &CatalogEntry) -> &str {
        match self
            .entries
            .binary_search_by(|x| x.summary().impl_code.as_str().cmp(&e.impl_code))
        {
            Ok(i) => self.stamp(i),
            Err(_) => &self.version,
        }
    }

    /// The release stamp of an agency's 汇编.
    pub fn agency_stamp(&self, agency_code: &str) -> &str {
        self.stamps
            .agencies
            .get(agency_code)
            .unwrap_or(&self.version)
    }
}

/// A build that failed; the previous output is left as it was.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error(transparent)]
    Catalog(#[from] catalog::CatalogError),
    /// The registry is damaged, lost what a release published, or lacks an
    /// entry's code. Nothing is published from it.
    #[error("the codes have {} problems (run `yima assign --check`)", .0.len())]
    Codes(Vec<crate::assign::Problem>),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// A template failed to render; the message names the template and line.
    #[error("{0}")]
    Template(String),
    /// A workbook could not be written.
    #[error("{0}")]
    Workbook(String),
    /// A Word document could not be packed.
    #[error("无法写入 Word 文档（cannot write a Word document）：{0}")]
    Word(String),
}

/// Which outputs a build renders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Outputs {
    /// Everything (`yima build`).
    #[default]
    All,
    /// The Word guides and 汇编 alone, with the forms they link
    /// (`yima build --only docx`); the rest of the old output stays as it was.
    Docx,
}

/// What a build wrote, and how long each stage took.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BuildSummary {
    pub entries: usize,
    /// Entries given HTML and Markdown guides.
    pub guides: usize,
    /// Word guides (one per entry) and 汇编 (one per agency) written.
    pub word: docx::Written,
    /// Files in the tree (counted by a build; a release counts its
    /// manifest's).
    pub files: usize,
    /// Each stage and its wall time, in order (`yima build --timings`).
    pub stages: Vec<(&'static str, std::time::Duration)>,
    /// Files rendered anew and files reused from the previous build.
    pub counts: cache::Counts,
    /// Entry files whose entry came from the previous build's cache
    /// ([`catalog::cached`]) rather than from parsing them.
    pub entries_reused: usize,
    /// Why the previous build's cache was not used (it was damaged or of
    /// another format); everything was rendered.
    pub cache_ignored: Option<String>,
    /// The previous output, replaced but not removed (its path and why);
    /// the next run removes it.
    pub leftover: Option<(String, String)>,
}

/// The folder of `dist/` the guides are written to.
pub const GUIDES_DIR: &str = "guides";

/// What the stages of a build share beyond the context: the tree being
/// built and the key of each entry (aligned with [`BuildContext::entries`]).
pub struct Plan<'o> {
    pub out: &'o cache::Output<'o>,
    pub stamp: cache::Stamp,
    /// The release version, part of the key of every file that shows it.
    version: String,
    pub keys: Vec<String>,
}

impl<'o> Plan<'o> {
    /// The plan of a build of `ctx` into `out`, with its forms copied.
    pub fn new(
        ctx: &BuildContext<'_>,
        out: &'o cache::Output<'o>,
        forms: &forms::Forms,
    ) -> Plan<'o> {
        use rayon::prelude::*;
        let stamp = cache::Stamp::new(ctx.workspace);
        for (rel, digest) in forms.files() {
            let key = stamp.group_key("form", [digest.as_str()]);
            out.record(&rel, &key, digest);
        }
        let keys = ctx
            .entries
            .par_iter()
            .enumerate()
            .map(|(i, e)| {
                stamp.entry_key(&ctx.whole(i), ctx.stamp(i), &forms.links_of(e.summary()))
            })
            .collect();
        Plan {
            out,
            stamp,
            version: ctx.version.clone(),
            keys,
        }
    }

    /// The key of a file made from some entries (by their index) that shows
    /// the release version.
    pub fn group_key(&self, what: &str, entries: impl IntoIterator<Item = usize>) -> String {
        let what = format!("{what}\0{}", self.version);
        self.stamp
            .group_key(&what, entries.into_iter().map(|i| self.keys[i].as_str()))
    }

    /// The key of a file made from some entries that shows `stamp` rather
    /// than the release version (a 汇编).
    pub fn stamped_key(
        &self,
        what: &str,
        stamp: &str,
        entries: impl IntoIterator<Item = usize>,
    ) -> String {
        let what = format!("{what}\0stamp\0{stamp}");
        self.stamp
            .group_key(&what, entries.into_iter().map(|i| self.keys[i].as_str()))
    }

    /// The key of a file made from every entry.
    pub fn all_key(&self, what: &str) -> String {
        self.group_key(what, 0..self.keys.len())
    }

    /// The key of a file made from the content of some entries alone, which
    /// shows neither the release version nor a release stamp nor where
    /// forms are linked (a run of `catalog.json`, a shard of the site's
    /// data, `catalog.csv`): a release takes such a file from the build
    /// before it instead of making it again.
    pub fn content_key(
        &self,
        ctx: &BuildContext<'_>,
        what: &str,
        entries: impl IntoIterator<Item = usize>,
    ) -> String {
        let what = format!("{what}\0content");
        let digests: Vec<_> = entries.into_iter().map(|i| ctx.whole(i)).collect();
        self.stamp
            .group_key(&what, digests.iter().map(|d| d.as_ref()))
    }
}

/// Renders every stage into `root`, an empty folder; returns the summary and
/// the sha256 of every file written, by path.
pub fn render_into(
    ctx: &BuildContext<'_>,
    root: &Path,
) -> Result<(BuildSummary, Vec<(String, String)>), PublishError> {
    let none = cache::Previous::none();
    let (mut summary, out) = render_reusing(ctx, root, &none)?;
    summary.files = count_files(root)?;
    Ok((summary, out.digests()))
}

/// [`render_into`], linking from the build `previous` what its cache proves
/// is what would be rendered (a release reuses `dist/` so).
///
/// The files handed to the linker may still be on their way when it
/// returns: [`cache::Output::finish_links`] before reading the tree (what
/// needs only the render's records, such as a change log, goes on while
/// the last links are made).
pub fn render_reusing<'p>(
    ctx: &BuildContext<'_>,
    root: &Path,
    previous: &'p cache::Previous,
) -> Result<(BuildSummary, cache::Output<'p>), PublishError> {
    let out = cache::Output::new(root, previous);
    let summary = render_linking(ctx, &out, Outputs::All)?;
    Ok((summary, out))
}

/// Renders the stages of `outputs` into the tree of `out`, reusing what its
/// previous build proves unchanged.
pub fn render_outputs(
    ctx: &BuildContext<'_>,
    out: &cache::Output<'_>,
    outputs: Outputs,
) -> Result<BuildSummary, PublishError> {
    let summary = render_linking(ctx, out, outputs)?;
    // (The files handed to the linker are all in place before the summary.)
    out.finish_links()?;
    Ok(summary)
}

/// [`render_outputs`], the linker perhaps still at work when it returns.
fn render_linking(
    ctx: &BuildContext<'_>,
    out: &cache::Output<'_>,
    outputs: Outputs,
) -> Result<BuildSummary, PublishError> {
    let root = out.root();
    let mut stages = Vec::new();
    let all = outputs == Outputs::All;
    let t = std::time::Instant::now();
    // The forms the guides link to are copied first, with the guides' time.
    let forms = forms::Forms::copy(ctx, &root.join(forms::DIR))?;
    let plan = Plan::new(ctx, out, &forms);
    // The guides and Word documents go into one folder, whose lock holds
    // up the links of a release on two threads; the catalogs and the site
    // go elsewhere and use what the links leave of the processors. So the
    // two run side by side (`--timings` shows each stage's own time, which
    // overlap).
    let per_entry = || -> Result<_, PublishError> {
        let guides = if all {
            guides::write(ctx, &forms, &plan)?
        } else {
            0
        };
        let took_guides = t.elapsed();
        let t = std::time::Instant::now();
        let word = docx::write(ctx, &forms, &plan)?;
        Ok((guides, took_guides, word, t.elapsed()))
    };
    let whole = || -> Result<_, PublishError> {
        if !all {
            return Ok(None);
        }
        // (The site's pages wait on few files of their own: made beside
        // the catalogs, they take the core the guides leave before the
        // catalogs are done instead of running alone after them.)
        let timed = |f: &dyn Fn() -> Result<usize, PublishError>| {
            let t = std::time::Instant::now();
            f().map(|_| t.elapsed())
        };
        let (took_catalogs, took_site) = rayon::join(
            || timed(&|| catalogs::write(ctx, &plan)),
            || timed(&|| site::write(ctx, &plan)),
        );
        Ok(Some((took_catalogs?, took_site?)))
    };
    let (per_entry, whole) = rayon::join(per_entry, whole);
    let (guides, took_guides, word, took_docx) = per_entry?;
    stages.push((if all { "guides" } else { "forms" }, took_guides));
    stages.push(("docx", took_docx));
    if let Some((took_catalogs, took_site)) = whole? {
        stages.push(("catalogs", took_catalogs));
        stages.push(("site", took_site));
    }
    Ok(BuildSummary {
        entries: ctx.entries.len(),
        guides,
        word,
        files: 0,
        stages,
        counts: out.counts(),
        entries_reused: 0,
        cache_ignored: None,
        leftover: None,
    })
}

/// Renders `entries` into `out` (replacing it atomically), reusing what the
/// cache of the old `out` proves unchanged.
pub fn build_entries(ctx: &BuildContext<'_>, out: &Path) -> Result<BuildSummary, PublishError> {
    build_outputs(ctx, out, Outputs::All, Reuse::Cache)
}

/// Whether a build may reuse the files of the previous one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Reuse {
    /// Reuse what the previous build's cache proves unchanged.
    #[default]
    Cache,
    /// Render everything (`yima build --full`).
    Nothing,
}

/// Renders the stages of `outputs` into `out`, atomically. A build of some
/// outputs starts from the old output, less what it renders anew (the Word
/// documents and the forms), so the rest stays as it was.
pub fn build_outputs(
    ctx: &BuildContext<'_>,
    out: &Path,
    outputs: Outputs,
    reuse: Reuse,
) -> Result<BuildSummary, PublishError> {
    build_with(ctx, out, outputs, reuse, None, None)
}

/// [`build_outputs`], putting `entry_cache` ([`catalog::cached::FILE`])
/// into the new tree beside the outputs.
fn build_with(
    ctx: &BuildContext<'_>,
    out: &Path,
    outputs: Outputs,
    reuse: Reuse,
    entry_cache: Option<&catalog::cached::EntryCache>,
    loaded: Option<cache::Previous>,
) -> Result<BuildSummary, PublishError> {
    let started = std::time::Instant::now();
    let staged = Staged::new(out)?;
    let previous = if outputs == Outputs::All && reuse == Reuse::Cache {
        // The previous build and the newest release (when not read
        // already): what the release rendered the same way (the entries
        // that did not change since) serves too.
        loaded.unwrap_or_else(|| {
            cache::Previous::load_with_release(out, ctx.stamps.release.as_deref())
        })
    } else {
        cache::Previous::none()
    };
    if outputs == Outputs::Docx {
        // Files of the old tree are hard-linked, never written through: what
        // is rendered anew is removed first. The old cache comes along: it
        // lists the Word documents as they were, so one rendered differently
        // now is rendered again by the next build.
        crate::fsx::link_tree(out, staged.path())?;
        remove_word_documents(&staged.path().join(GUIDES_DIR))?;
        let forms = staged.path().join(forms::DIR);
        if forms.exists() {
            std::fs::remove_dir_all(forms)?;
        }
    }
    // An incremental build of everything keeps the files it proves where
    // they are in the old tree and puts the rest in place over it
    // (`Staged::commit_over`): two file operations per changed file instead
    // of per file.
    let over = outputs == Outputs::All && !previous.is_empty() && out.is_dir();
    let tree = if over {
        cache::Output::over(staged.path(), out, &previous)
    } else {
        cache::Output::new(staged.path(), &previous)
    };
    // The entry cache's new lines go to the end of the one in the old tree
    // when that stays in place (once the tree is in place), else the whole
    // cache is written into the new tree.
    let put = match entry_cache {
        Some(cache) if outputs == Outputs::All => cache.plan(over),
        _ => catalog::cached::Put::default(),
    };
    let looked = started.elapsed();
    let mut summary = render_outputs(ctx, &tree, outputs)?;
    let staged_files = count_files(staged.path())?;
    summary.files = staged_files + tree.kept_len();
    summary.stages.insert(0, ("previous", looked));
    summary.cache_ignored = previous.ignored.clone();
    if outputs == Outputs::All {
        let t = std::time::Instant::now();
        // (The caches are independent files: written side by side.)
        let (outputs_cache, entries_cache) = rayon::join(
            || tree.write_cache(),
            || match entry_cache {
                Some(cache) => cache.write_whole(staged.path(), put),
                None => Ok(()),
            },
        );
        outputs_cache?;
        entries_cache?;
        // The files written are noted for the stat memo as they are now,
        // in the staged tree: once the caches are, so that the files the
        // render wrote last (`catalog.json`, whose copy a release resumes
        // only when the memo proves it) have had that much longer to settle.
        tree.note_written(staged.path());
        summary.stages.push(("caches", t.elapsed()));
    }
    let t = std::time::Instant::now();
    // The memos of the stats are written beside their trees while the tree
    // is put in place, and put in place once it is (a failed build leaves
    // the old ones).
    let all = outputs == Outputs::All;
    let (committed, (dist_memo, items_memo)) = rayon::join(
        || {
            if over {
                let mut kept = tree.kept();
                kept.extend(put.kept().map(String::from));
                staged.commit_over(&kept, staged_files)
            } else {
                staged.commit()
            }
        },
        || {
            rayon::join(
                || all.then(|| tree.memo_pending(out)),
                || entry_cache.filter(|_| all).map(|c| c.memo_pending()),
            )
        },
    );
    let leftover = committed.map_err(std::io::Error::from)?;
    summary.leftover =
        leftover.map(|l| (crate::filing::display_path(&l.path), l.error.to_string()));
    // A memo or cache line that cannot be written costs the next build
    // time only.
    for memo in [dist_memo, items_memo].into_iter().flatten().flatten() {
        let _ = memo.put();
    }
    if let Some(cache) = entry_cache {
        let _ = cache.put(put);
    }
    summary.stages.push(("commit", t.elapsed()));
    // (Freed with the process when it ends with this build.)
    crate::one_shot::discard(tree);
    crate::one_shot::discard(previous);
    Ok(summary)
}

/// Loads the workspace's catalog and builds it into `out` (see
/// [`build_only`]).
pub fn build(
    ws: &Workspace,
    out: &Path,
    version: &str,
    progress: bool,
) -> Result<BuildSummary, PublishError> {
    build_only(ws, out, version, progress, Outputs::All, Reuse::Cache)
}

/// Loads the workspace's catalog and builds the stages of `outputs` into
/// `out`. The catalog must be whole — every entry file readable
/// ([`catalog::load_whole`]) — and its registry sound
/// ([`crate::assign::verify_registry`]): intact, holding what the newest
/// release published and every entry's code.
pub fn build_only(
    ws: &Workspace,
    out: &Path,
    version: &str,
    progress: bool,
    outputs: Outputs,
    reuse: Reuse,
) -> Result<BuildSummary, PublishError> {
    let t = std::time::Instant::now();
    // The entries of the previous build in `out` spare parsing the files
    // that did not change; a build of some outputs, or a full one, reads
    // every file.
    let cache =
        (outputs == Outputs::All && reuse == Reuse::Cache).then(|| out.join(catalog::cached::FILE));
    // The caches of the previous build and of the newest release (the one
    // the stamps will compare with) are read while the entries are.
    let (loaded, previous) = rayon::join(
        || catalog::cached::load_whole(&ws.path(&ws.config.paths.items), cache.as_deref(), false),
        || {
            (cache.is_some()).then(|| {
                let release = stamps::previous(ws, version);
                cache::Previous::load_with_release(out, release.as_deref())
            })
        },
    );
    let loaded = loaded?;
    let cat = loaded.catalog;
    let entries_reused = loaded.reused;
    let entry_cache = (outputs == Outputs::All).then_some(loaded.cache);
    let loaded = t.elapsed();
    let t = std::time::Instant::now();
    // (Both read the catalog only: side by side; the context is dropped
    // when the registry does not hold.)
    let (problems, ctx) = rayon::join(
        || crate::assign::verify_registry(ws, &cat),
        || BuildContext::new(ws, &cat, version, progress),
    );
    if !problems.is_empty() {
        return Err(PublishError::Codes(problems));
    }
    let verified = t.elapsed();
    let mut summary = build_with(&ctx, out, outputs, reuse, entry_cache.as_ref(), previous)?;
    summary.entries_reused = entries_reused;
    summary.stages.insert(0, ("codes", verified));
    summary.stages.insert(0, ("load", loaded));
    crate::one_shot::discard(ctx);
    crate::one_shot::discard(entry_cache);
    crate::one_shot::discard(cat);
    Ok(summary)
}

/// Removes the `.docx` files of a folder (when there is one).
fn remove_word_documents(dir: &Path) -> std::io::Result<()> {
    if !dir.is_dir() {
        return Ok(());
    }
    for e in std::fs::read_dir(dir)? {
        let p = e?.path();
        if p.extension().is_some_and(|x| x == "docx") {
            std::fs::remove_file(p)?;
        }
    }
    Ok(())
}

/// How many files the tree `dir` holds (a link counts as one, not
/// followed): read a buffer of names at a time, the 300,000 a build
/// staged when it took every guide anew.
fn count_files(dir: &Path) -> std::io::Result<usize> {
    let mut n = 0;
    if dir.is_dir() {
        let mut inner = Vec::new();
        crate::fsx::names::each(dir, &mut |name, is_dir| {
            if is_dir {
                inner.push(dir.join(name));
            } else {
                n += 1;
            }
            Ok(())
        })?;
        for d in inner {
            n += count_files(&d)?;
        }
    }
    Ok(n)
}

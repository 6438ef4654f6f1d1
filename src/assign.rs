//! `yima assign`: codes for catalog entries that have none, 实施编码 derived
//! for every entry, and — with `--check` — the CI guard that changes nothing
//! and fails on any entry without a code, any code that disagrees with the
//! registry, and any registry edit that loses or reuses a code. [`guard`] is
//! the part of that check every command runs before it issues a code.

use crate::catalog::{self, Catalog, CatalogEntry, ItemFile, lazy::Summary};
use crate::codes::registry::{Registry, Status};
use crate::codes::released::{self, Released};
use crate::codes::{Assigner, ItemKey, impl_code};
use crate::diag::Text;
use crate::text;
use crate::workspace::Workspace;

/// One problem `assign --check` reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file it is in (relative to the workspace).
    pub file: String,
    /// The line, when the problem is at one.
    pub line: Option<usize>,
    pub message: Text,
}

impl Problem {
    fn in_file(file: &str, message: Text) -> Problem {
        Problem {
            file: file.to_string(),
            line: None,
            message,
        }
    }

    /// `file:line`, or the file.
    pub fn place(&self) -> String {
        match self.line {
            Some(l) => format!("{}:{l}", self.file),
            None => self.file.clone(),
        }
    }
}

/// The result of an assign run.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// Entries given codes or new 实施编码, to be written.
    pub updated: Vec<CatalogEntry>,
    /// Files to remove: entries whose 实施编码 (and so path) changed.
    pub moved_from: Vec<std::path::PathBuf>,
    pub registry: Registry,
}

/// Two entries that would share one 实施编码 (and so one file).
#[derive(Debug, thiserror::Error)]
pub enum AssignError {
    #[error(transparent)]
    Uncodable(#[from] crate::codes::Uncodable),
    #[error(transparent)]
    Catalog(#[from] crate::catalog::CatalogError),
    /// Two entries get one 实施编码.
    #[error("{first} and {second} get the same 实施编码 {code}")]
    Collision {
        code: String,
        first: String,
        second: String,
    },
    /// The registry is damaged or lacks a code the catalog uses: issuing
    /// now could give a code in use to another item.
    #[error("the registry must be repaired before codes are issued ({} problems)", .0.len())]
    Unsafe(Vec<Problem>),
}

fn key(c: &CatalogEntry) -> ItemKey {
    ItemKey::new(&c.category, &c.sector, &c.name, &c.sub_name)
}

/// [`key`], of what every entry keeps parsed ([`crate::catalog::lazy`]).
fn key_of(c: &Summary) -> ItemKey {
    ItemKey::new(&c.category, &c.sector, &c.name, &c.sub_name)
}

fn level_code(ws: &Workspace, level: &str) -> String {
    level_code_of(ws, level).to_string()
}

/// [`level_code`], borrowed.
fn level_code_of<'w>(ws: &'w Workspace, level: &str) -> &'w str {
    (ws.standard.tables.table("level").get(level))
        .and_then(|l| l.code.as_deref())
        .unwrap_or_default()
}

/// Checks the catalog against its registry and the code rules.
pub fn audit(ws: &Workspace, catalog: &Catalog) -> Vec<Problem> {
    let reg = &catalog.registry;
    use rayon::prelude::*;
    let mut out = audit_registry(ws, reg);
    let found: Vec<Vec<Problem>> = catalog
        .files
        .par_iter()
        .map(|f| audit_file(ws, reg, f))
        .collect();
    out.extend(found.into_iter().flatten());
    out
}

/// Checks the workspace's catalog as [`audit`] does, reading the entry files
/// a batch at a time instead of all at once: the guard stays cheap at
/// province scale. Returns the problems and the number of entry files.
pub fn audit_dir(
    ws: &Workspace,
) -> Result<(Vec<Problem>, usize, Registry), crate::catalog::CatalogError> {
    use rayon::prelude::*;
    let dir = ws.path(&ws.config.paths.items);
    // The entries the last build kept in `dist/` spare parsing the files
    // that did not change since (each file's digest checked against the one
    // recorded: by its stat when the last build noted it, else by reading).
    let cache = ws
        .path(&ws.config.paths.dist)
        .join(crate::catalog::cached::FILE);
    // (The registry, the list of entry files and the cache are read at
    // once.)
    let (registry, (paths, reader)) = rayon::join(
        || {
            crate::catalog::load_registry(&dir)
                .map(|registry| (audit_registry(ws, &registry), registry))
        },
        || {
            rayon::join(
                || crate::catalog::item_paths(&dir),
                || crate::catalog::cached::Reader::open(&dir, Some(&cache)),
            )
        },
    );
    let (mut out, registry) = registry?;
    let paths = paths?;
    for batch in paths.chunks(4096) {
        let found: Vec<Vec<Problem>> = batch
            .par_iter()
            .map(|rel| audit_file(ws, &registry, &reader.read(&dir, rel)))
            .collect();
        out.extend(found.into_iter().flatten());
    }
    Ok((out, paths.len(), registry))
}

/// The registry file as reports name it.
fn registry_file(ws: &Workspace) -> String {
    crate::filing::display_path(
        &ws.path(&ws.config.paths.items)
            .join(crate::codes::registry::FILE),
    )
}

/// The newest release of the workspace, if it has one.
pub fn newest_release(ws: &Workspace) -> Option<Released> {
    released::latest(&ws.path(&ws.config.paths.releases))
}

/// Checks the registry itself: every line intact, and nothing the newest
/// release published lost or changed — which needs that release's registry,
/// so one that cannot be read is a problem too, never a check skipped.
pub fn audit_registry(ws: &Workspace, reg: &Registry) -> Vec<Problem> {
    let reg_file = registry_file(ws);
    let mut out: Vec<Problem> = reg
        .integrity()
        .iter()
        .map(|i| Problem {
            file: reg_file.clone(),
            line: Some(i.line),
            message: i.damage.message(),
        })
        .collect();
    let Some(Released {
        version,
        file,
        registry,
    }) = newest_release(ws)
    else {
        return out;
    };
    let shown = crate::filing::display_path(&file);
    match registry {
        Err(why) => {
            let (zh, en) = (why.zh, why.en);
            out.push(Problem::in_file(
                &shown,
                text!(
                    "{version} 版发布的登记簿{zh}；无法确认已发布的编码都还在",
                    "the registry release {version} published {en}; cannot confirm that every released code is still there"
                ),
            ));
        }
        Ok(released) => {
            for code in reg.lost_since(&released) {
                out.push(Problem {
                    file: reg_file.clone(),
                    line: reg.line_of(&code),
                    message: text!(
                        "编码 {code} 已在 {version} 版发布，但登记簿中缺失或被改动",
                        "code {code} was released in {version} but is missing or altered in the registry"
                    ),
                });
            }
        }
    }
    out
}

/// What a build checks of the codes before it publishes: the registry is
/// intact and keeps everything released, and every code an entry carries
/// is in it (so a tampered or emptied `codes.lock` stops the build). The
/// rest of `yima assign --check` — names, 实施编码, paths — is release's
/// gate and CI's.
pub fn verify_registry(ws: &Workspace, catalog: &Catalog) -> Vec<Problem> {
    let reg = &catalog.registry;
    let mut out = audit_registry(ws, reg);
    for f in &catalog.files {
        if let Ok(c) = &f.entry
            && let c = c.summary()
            && !c.basic_code.is_empty()
            && reg.get(&c.basic_code).is_none()
        {
            let b = &c.basic_code;
            out.push(Problem::in_file(
                &f.display,
                text!(
                    "基本编码 {b} 不在登记簿中",
                    "基本编码 {b} is not in the registry"
                ),
            ));
        }
    }
    out
}

/// What must hold before a code is issued: the registry is intact, keeps
/// everything released, and holds every code an entry file of the catalog
/// carries — else a code lost from it could be issued again to another
/// item. Entry files are known by their names (`<USCC><level><基本编码>`),
/// so this reads only the folder; a file named otherwise is read.
pub fn guard(ws: &Workspace, reg: &Registry) -> Result<Vec<Problem>, catalog::CatalogError> {
    let dir = ws.path(&ws.config.paths.items);
    let mut out = audit_registry(ws, reg);
    let found = std::sync::Mutex::new(Vec::new());
    catalog::walk_items(&dir, &|rel, stem| {
        let code = if stem.len() == 31 && stem.is_ascii() {
            stem[19..].to_string()
        } else {
            match catalog::read_item(&dir, rel, false).entry {
                Ok(c) => c.into_inner().basic_code,
                Err(_) => return,
            }
        };
        if !code.is_empty() && reg.get(&code).is_none() {
            let mut found = found.lock().unwrap_or_else(|p| p.into_inner());
            found.push((rel.to_path_buf(), code));
        }
    })?;
    let mut missing: Vec<(std::path::PathBuf, String)> =
        found.into_inner().unwrap_or_else(|p| p.into_inner());
    missing.sort();
    for (rel, code) in missing {
        out.push(Problem::in_file(
            &crate::filing::display_path(&dir.join(&rel)),
            text!(
                "基本编码 {code} 不在登记簿中",
                "基本编码 {code} is not in the registry"
            ),
        ));
    }
    Ok(out)
}

/// Checks one entry file against the registry and the code rules.
pub fn audit_file(ws: &Workspace, reg: &Registry, f: &crate::catalog::ItemFile) -> Vec<Problem> {
    let mut out = Vec::new();
    {
        let file = f.display.clone();
        let c = match &f.entry {
            // (The codes and names, not the whole entry.)
            Ok(c) => c.summary(),
            Err(e) => {
                out.push(Problem {
                    file,
                    line: f.error_line,
                    message: text!(
                        "条目文件无法读取：{e}",
                        "the entry file cannot be read: {e}"
                    ),
                });
                return out;
            }
        };
        if c.basic_code.is_empty() {
            out.push(Problem {
                file,
                line: None,
                message: text!(
                    "条目没有基本编码（请运行 yima assign）",
                    "the entry has no 基本编码 (run `yima assign`)"
                ),
            });
            return out;
        }
        let b = &c.basic_code;
        match reg.get(b) {
            None => out.push(Problem {
                file: file.clone(),
                line: None,
                message: text!(
                    "基本编码 {b} 不在登记簿中",
                    "基本编码 {b} is not in the registry"
                ),
            }),
            Some(r) => {
                if r.status == Status::Retired && c.status == Status::Active {
                    out.push(Problem {
                        file: file.clone(),
                        line: None,
                        message: text!(
                            "有效条目使用了已注销的编码 {b}",
                            "an active entry uses the retired code {b}"
                        ),
                    });
                }
                if !r.answers_to(&key_of(c)) {
                    let rn = crate::codes::registry::display_name(&r.name, &r.sub_name);
                    let cn = crate::codes::registry::display_name(&c.name, &c.sub_name);
                    out.push(Problem {
                        file: file.clone(),
                        line: None,
                        message: text!(
                            "基本编码 {b} 登记为“{rn}”，条目为“{cn}”（名称变更须经 yima ingest 记录）",
                            "基本编码 {b} is registered as “{rn}”, the entry says “{cn}” (renames go through `yima ingest`)"
                        ),
                    });
                }
            }
        }
        // (Compared piece by piece: a code made for each of 100,000
        // entries only to be compared was most of the check.)
        let level = level_code_of(ws, &c.level);
        let is_want = [c.agency_code.as_str(), level, b.as_str()]
            .iter()
            .try_fold(c.impl_code.as_str(), |rest, piece| rest.strip_prefix(piece))
            == Some("");
        if !is_want {
            let want = impl_code(&c.agency_code, level, b);
            let got = &c.impl_code;
            out.push(Problem {
                file: file.clone(),
                line: None,
                message: text!(
                    "实施编码 {got} 应为 {want}",
                    "实施编码 {got} should be {want}"
                ),
            });
        }
        if !c.is_at(&f.rel) {
            let want = c.rel_path().display().to_string();
            out.push(Problem {
                file,
                line: None,
                message: text!(
                    "条目文件应位于 items/{want}",
                    "the entry file belongs at items/{want}"
                ),
            });
        }
    }
    out
}

/// A way to go over the entry files twice: the catalog in memory, or the
/// folder a batch at a time.
type Files<'a> =
    dyn Fn(&mut dyn FnMut(&ItemFile) -> Result<(), AssignError>) -> Result<(), AssignError> + 'a;

/// Gives codes to entries without one and derives every 实施编码. Refuses
/// when two entries would end up with one 实施编码.
pub fn assign(ws: &Workspace, catalog: &Catalog) -> Result<Outcome, AssignError> {
    let files =
        |f: &mut dyn FnMut(&ItemFile) -> Result<(), AssignError>| -> Result<(), AssignError> {
            catalog.files.iter().try_for_each(&mut *f)
        };
    assign_files(ws, catalog.registry.clone(), &files)
}

/// [`assign`] on the workspace's `items/`, read a batch at a time so a
/// province's catalog never has to fit in memory at once.
pub fn assign_dir(ws: &Workspace) -> Result<Outcome, AssignError> {
    use rayon::prelude::*;
    let dir = ws.path(&ws.config.paths.items);
    let registry = crate::catalog::load_registry(&dir)?;
    let paths = crate::catalog::item_paths(&dir)?;
    let files =
        |f: &mut dyn FnMut(&ItemFile) -> Result<(), AssignError>| -> Result<(), AssignError> {
            for batch in paths.chunks(4096) {
                let read: Vec<ItemFile> = batch
                    .par_iter()
                    .map(|rel| crate::catalog::read_item(&dir, rel, false))
                    .collect();
                read.iter().try_for_each(&mut *f)?;
            }
            Ok(())
        };
    assign_files(ws, registry, &files)
}

fn assign_files(
    ws: &Workspace,
    mut registry: Registry,
    files: &Files<'_>,
) -> Result<Outcome, AssignError> {
    // Pass 1: the keys that need a code, and the codes in use the registry
    // must hold before any is issued.
    let mut need: Vec<ItemKey> = Vec::new();
    let mut unsafe_ = audit_registry(ws, &registry);
    files(&mut |f| {
        if let Ok(c) = &f.entry {
            if c.basic_code.is_empty() {
                need.push(key(c));
            } else if registry.get(&c.basic_code).is_none() {
                let b = &c.basic_code;
                unsafe_.push(Problem::in_file(
                    &f.display,
                    text!(
                        "基本编码 {b} 不在登记簿中",
                        "基本编码 {b} is not in the registry"
                    ),
                ));
            }
        }
        Ok(())
    })?;
    if !unsafe_.is_empty() {
        return Err(AssignError::Unsafe(unsafe_));
    }
    let codes =
        Assigner::new(&mut registry, &ws.standard, &ws.config.region_prefix).assign(&need)?;
    drop(need);
    // Pass 2: every 实施编码, keeping only the entries that change.
    let mut out = Outcome::default();
    let mut owner: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    files(&mut |f| {
        let Ok(old) = &f.entry else { return Ok(()) };
        let mut c = old.get().clone();
        if c.basic_code.is_empty() {
            c.basic_code = codes[&key(&c)].clone();
        }
        c.impl_code = impl_code(&c.agency_code, &level_code(ws, &c.level), &c.basic_code);
        if let Some(first) = owner.insert(c.impl_code.clone(), f.display.clone()) {
            return Err(AssignError::Collision {
                code: c.impl_code,
                first,
                second: f.display.clone(),
            });
        }
        if f.rel != c.rel_path() || *old.get() != c {
            if f.rel != c.rel_path() {
                out.moved_from.push(f.rel.clone());
            }
            out.updated.push(c);
        }
        Ok(())
    })?;
    out.registry = registry;
    Ok(out)
}

/// Loads the workspace's catalog.
pub fn load(ws: &Workspace) -> Result<Catalog, catalog::CatalogError> {
    catalog::load(&ws.path(&ws.config.paths.items))
}

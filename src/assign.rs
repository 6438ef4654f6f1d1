//! `yima assign`: codes for catalog entries that have none, 实施编码 derived
//! for every entry, and — with `--check` — the CI guard that changes nothing
//! and fails on any entry without a code, any code that disagrees with the
//! registry, and any registry edit that loses or reuses a code.

use crate::catalog::{self, Catalog, CatalogEntry, ItemFile};
use crate::codes::registry::{Integrity, Registry, Status};
use crate::codes::{Assigner, ItemKey, impl_code};
use crate::diag::Text;
use crate::text;
use crate::workspace::Workspace;

/// One problem `assign --check` reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file it is in (relative to the workspace).
    pub file: String,
    pub message: Text,
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
}

fn key(c: &CatalogEntry) -> ItemKey {
    ItemKey::new(&c.category, &c.sector, &c.name, &c.sub_name)
}

fn level_code(ws: &Workspace, level: &str) -> String {
    ws.standard
        .tables
        .table("level")
        .get(level)
        .and_then(|l| l.code.clone())
        .unwrap_or_default()
}

/// Checks the catalog against its registry and the code rules.
pub fn audit(ws: &Workspace, catalog: &Catalog) -> Vec<Problem> {
    let reg = &catalog.registry;
    let mut out = audit_registry(ws, reg);
    for f in &catalog.files {
        out.extend(audit_file(ws, reg, f));
    }
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
    let registry = crate::catalog::load_registry(&dir)?;
    let mut out = audit_registry(ws, &registry);
    let paths = crate::catalog::item_paths(&dir)?;
    for batch in paths.chunks(4096) {
        let found: Vec<Vec<Problem>> = batch
            .par_iter()
            .map(|rel| audit_file(ws, &registry, &crate::catalog::read_item(&dir, rel, false)))
            .collect();
        out.extend(found.into_iter().flatten());
    }
    Ok((out, paths.len(), registry))
}

/// Checks the registry itself: integrity, and nothing released lost.
fn audit_registry(ws: &Workspace, reg: &Registry) -> Vec<Problem> {
    let reg_file = crate::filing::display_path(
        &ws.path(&ws.config.paths.items)
            .join(crate::codes::registry::FILE),
    );
    let mut out = Vec::new();
    for i in reg.integrity() {
        let message = match i {
            Integrity::DuplicateCode(c) => text!(
                "编码 {c} 在登记簿中出现多次（编码被重复使用）",
                "code {c} appears more than once (reused)"
            ),
            Integrity::DuplicateKey(c) => text!(
                "编码 {c} 所指事项已有另一个有效编码",
                "the item of code {c} has another active code"
            ),
            Integrity::BrokenChain { code, serial } => text!(
                "登记簿第 {serial} 条（{code}）的校验链断开：记录被删除、调换或改动",
                "record {serial} ({code}) breaks the chain: a record was removed, reordered or altered"
            ),
            Integrity::MissingSerial(n) => text!(
                "登记簿缺少第 {n} 条记录：编码被删除",
                "record {n} is missing from the registry: a code was lost"
            ),
        };
        out.push(Problem {
            file: reg_file.clone(),
            message,
        });
    }
    // Nothing released may be lost: every code of the newest release must
    // still be in the registry, with the same key.
    if let Some((version, released)) = crate::release::latest_registry(ws) {
        for code in reg.lost_since(&released) {
            out.push(Problem {
                file: reg_file.clone(),
                message: text!(
                    "编码 {code} 已在 {version} 版发布，但登记簿中缺失或被改动",
                    "code {code} was released in {version} but is missing or altered in the registry"
                ),
            });
        }
    }
    out
}

/// Checks one entry file against the registry and the code rules.
pub fn audit_file(ws: &Workspace, reg: &Registry, f: &crate::catalog::ItemFile) -> Vec<Problem> {
    let mut out = Vec::new();
    {
        let file = f.display.clone();
        let c = match &f.entry {
            Ok(c) => c,
            Err(e) => {
                out.push(Problem {
                    file,
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
                message: text!(
                    "基本编码 {b} 不在登记簿中",
                    "基本编码 {b} is not in the registry"
                ),
            }),
            Some(r) => {
                if r.status == Status::Retired && c.status == Status::Active {
                    out.push(Problem {
                        file: file.clone(),
                        message: text!(
                            "有效条目使用了已注销的编码 {b}",
                            "an active entry uses the retired code {b}"
                        ),
                    });
                }
                if !r.answers_to(&key(c)) {
                    let rn = crate::codes::registry::display_name(&r.name, &r.sub_name);
                    let cn = crate::codes::registry::display_name(&c.name, &c.sub_name);
                    out.push(Problem {
                        file: file.clone(),
                        message: text!(
                            "基本编码 {b} 登记为“{rn}”，条目为“{cn}”（名称变更须经 yima ingest 记录）",
                            "基本编码 {b} is registered as “{rn}”, the entry says “{cn}” (renames go through `yima ingest`)"
                        ),
                    });
                }
            }
        }
        let want = impl_code(&c.agency_code, &level_code(ws, &c.level), b);
        if c.impl_code != want {
            let got = &c.impl_code;
            out.push(Problem {
                file: file.clone(),
                message: text!(
                    "实施编码 {got} 应为 {want}",
                    "实施编码 {got} should be {want}"
                ),
            });
        }
        if f.rel != c.rel_path() {
            let want = c.rel_path().display().to_string();
            out.push(Problem {
                file,
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
    // Pass 1: the keys that need a code.
    let mut need: Vec<ItemKey> = Vec::new();
    files(&mut |f| {
        if let Ok(c) = &f.entry
            && c.basic_code.is_empty()
        {
            need.push(key(c));
        }
        Ok(())
    })?;
    let codes =
        Assigner::new(&mut registry, &ws.standard, &ws.config.region_prefix).assign(&need)?;
    drop(need);
    // Pass 2: every 实施编码, keeping only the entries that change.
    let mut out = Outcome::default();
    let mut owner: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    files(&mut |f| {
        let Ok(old) = &f.entry else { return Ok(()) };
        let mut c = old.clone();
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
        if f.rel != c.rel_path() || *old != c {
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

//! `yima export --format platform`: the catalog as the platform's tables.
//! Entries are read a batch at a time (a province does not fit in memory
//! at once), turned into rows in parallel and written in 实施编码 order, then
//! the basic catalog in the registry's order — the same catalog and
//! envelope give the same bytes.

use super::codes::Codes;
use super::directory::{self, CODES_FILE, CodeRow, Usage};
use super::envelope::Envelope;
use super::files::AtomicFile;
use super::outbound::{self, Exported};
use super::tables::{DIRECTORY, ENTRY_TABLES, Family, Table};
use super::{ExchangeError, jsonl};
use crate::catalog::{self, CatalogEntry};
use crate::codes::registry::Status;
use crate::workspace::Workspace;
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// What an export wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Each file written and its rows, in the order written.
    pub files: Vec<(String, usize)>,
    pub entries: usize,
    pub codes: usize,
}

/// Entries read and converted at once.
const BATCH: usize = 4096;

/// The files of one export, open for writing.
struct Out {
    dir: PathBuf,
    files: BTreeMap<(Family, Table), (AtomicFile, usize)>,
}

impl Out {
    fn open(dir: &Path) -> Result<Out, ExchangeError> {
        let mut files = BTreeMap::new();
        for family in Family::ALL {
            for table in ENTRY_TABLES {
                let path = dir.join(table.file(family));
                let f = AtomicFile::create(&path).map_err(|e| ExchangeError::io(&path, e))?;
                files.insert((family, table), (f, 0));
            }
        }
        Ok(Out {
            dir: dir.to_path_buf(),
            files,
        })
    }

    fn write(
        &mut self,
        family: Family,
        table: Table,
        bytes: &[u8],
        rows: usize,
    ) -> Result<(), ExchangeError> {
        let (f, n) = self.files.get_mut(&(family, table)).expect("opened");
        *n += rows;
        f.write_all(bytes)
            .map_err(|e| ExchangeError::io(self.dir.join(table.file(family)), e))
    }

    fn finish(self, summary: &mut Summary) -> Result<(), ExchangeError> {
        for ((family, table), (f, n)) in self.files {
            let name = table.file(family);
            f.finish()
                .map_err(|e| ExchangeError::io(self.dir.join(&name), e))?;
            summary.files.push((name, n));
        }
        Ok(())
    }
}

/// An entry's rows as the bytes of each table.
struct Lines {
    family: Family,
    tables: [(Vec<u8>, usize); 5],
}

fn lines(x: &Exported) -> Lines {
    let fam = x.family;
    let one = |t: Table, rows: &[&Vec<jsonl::Value>]| {
        let mut out = Vec::new();
        for r in rows {
            jsonl::write(&mut out, t.columns(fam), r);
        }
        (out, rows.len())
    };
    Lines {
        family: fam,
        tables: [
            one(Table::Basic, &[&x.basic]),
            one(Table::Extend, &[&x.extend]),
            one(Table::Material, &x.materials.iter().collect::<Vec<_>>()),
            one(Table::Fee, &x.fees.iter().collect::<Vec<_>>()),
            one(Table::Questions, &x.questions.iter().collect::<Vec<_>>()),
        ],
    }
}

/// Writes the workspace's catalog into `dir` as the platform's tables.
pub fn platform(ws: &Workspace, dir: &Path, envelope: &Envelope) -> Result<Summary, ExchangeError> {
    let items = ws.path(&ws.config.paths.items);
    let registry = catalog::load_registry_recovered(&items)?;
    let codes = Codes::load(ws)?;
    let paths = catalog::item_paths(&items)?;
    let ctx = outbound::Context {
        codes: &codes,
        standard: &ws.standard,
        envelope,
        region_prefix: &ws.config.region_prefix,
    };
    std::fs::create_dir_all(dir).map_err(|e| ExchangeError::io(dir, e))?;
    let mut out = Out::open(dir)?;
    let mut usage: HashMap<String, Usage> = HashMap::new();
    let mut summary = Summary::default();
    for batch in paths.chunks(BATCH) {
        let done: Vec<Result<(CatalogEntry, Lines), ExchangeError>> = batch
            .par_iter()
            .map(|rel| {
                let f = catalog::read_item(&items, rel, false);
                let e = f.entry.map_err(|message| ExchangeError::Entry {
                    path: f.display.clone(),
                    message,
                })?;
                let e = e.into_inner();
                let l = lines(&outbound::rows(&e, &ctx));
                Ok((e, l))
            })
            .collect();
        for d in done {
            let (e, l) = d?;
            for (t, (bytes, n)) in ENTRY_TABLES.iter().zip(&l.tables) {
                out.write(l.family, *t, bytes, *n)?;
            }
            summary.entries += 1;
            let u = usage.entry(e.basic_code.clone()).or_default();
            if e.status == Status::Active {
                if let Some(level) = codes.code("level", &e.level) {
                    u.levels.insert(level.to_string());
                }
                if u.by_law.is_none() {
                    u.by_law = e.legal_basis.clone();
                }
            }
        }
    }
    out.finish(&mut summary)?;

    let write = |name: &str, bytes: &[u8]| -> Result<(), ExchangeError> {
        let path = dir.join(name);
        let mut f = AtomicFile::create(&path).map_err(|e| ExchangeError::io(&path, e))?;
        f.write_all(bytes)
            .map_err(|e| ExchangeError::io(&path, e))?;
        f.finish().map_err(|e| ExchangeError::io(&path, e))
    };
    let mut dir_bytes = Vec::new();
    let mut code_bytes = Vec::new();
    for r in registry.records() {
        let row = directory::row(r, usage.get(&r.code), &codes, envelope);
        jsonl::write(&mut dir_bytes, DIRECTORY, &row);
        serde_json::to_writer(&mut code_bytes, &CodeRow::of(r)).expect("writing to memory");
        code_bytes.push(b'\n');
    }
    let n = registry.records().len();
    write(&Table::Directory.file(Family::General), &dir_bytes)?;
    write(CODES_FILE, &code_bytes)?;
    write(directory::LOG_FILE, registry.to_text().as_bytes())?;
    summary
        .files
        .insert(0, (Table::Directory.file(Family::General), n));
    summary.files.push((CODES_FILE.to_string(), n));
    summary.files.push((directory::LOG_FILE.to_string(), n));
    summary.codes = n;
    Ok(summary)
}

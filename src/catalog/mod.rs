//! The catalog `items/`: one YAML file per implementation entry plus the
//! code registry `codes.lock`. Loading, checking (the same rules as filings,
//! pointing at file and line), and writing it as one atomic swap.

pub mod cached;
pub mod convert;
pub mod entry;
pub mod fields;
pub mod lazy;
pub mod yaml;

use crate::codes::registry::{self, Registry, RegistryError};
use crate::diag::{Diagnostic, Rule, Sink};
use crate::filing::layout::{Column, Table};
use crate::filing::source::{Grid, GridRow, RawCell};
use crate::filing::{links, parse};
use crate::fsx;
use crate::model::{Filing, Origin};
use crate::standard::Standard;
use crate::standard::elements::{FieldId, SheetDef};
use crate::text;
pub use entry::CatalogEntry;
use rustc_hash::FxHashMap as FxMap;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A catalog file as found on disk.
#[derive(Debug, Clone)]
pub struct ItemFile {
    /// Path relative to `items/`.
    pub rel: PathBuf,
    /// The path as reports show it.
    pub display: String,
    pub text: String,
    /// The SHA-256 of the file's bytes, in hex, when the load knew it
    /// (else empty).
    pub digest: String,
    pub entry: Result<lazy::Entry, String>,
    /// The line the entry's error is at, when it is at one.
    pub error_line: Option<usize>,
    /// The digests of the entry's JSON, whole and content
    /// ([`crate::publish::stamps::digests`]), when the load worked them out
    /// on the way (a load with the entry cache does): a build need not
    /// write the entry as JSON again to stamp it.
    pub sums: Option<crate::publish::stamps::Sums>,
}

/// The catalog as loaded.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    pub files: Vec<ItemFile>,
    pub registry: Registry,
}

/// The catalog cannot be loaded at all.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// A file or folder cannot be read.
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The registry is not a registry file.
    #[error("{path}: {source}")]
    Registry {
        path: PathBuf,
        source: RegistryError,
    },
    /// Entry files that are not whole entries: a catalog missing them is
    /// never published ([`load_whole`]).
    #[error("{}", broken_list(.0))]
    Broken(Vec<BadFile>),
}

/// An entry file that cannot be read as an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadFile {
    /// The path as reports show it.
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
}

impl BadFile {
    /// `file:line`, or the file.
    pub fn place(&self) -> String {
        match self.line {
            Some(l) => format!("{}:{l}", self.file),
            None => self.file.clone(),
        }
    }
}

fn broken_list(files: &[BadFile]) -> String {
    let mut s = format!("{} entry files cannot be read:", files.len());
    for f in files {
        s.push_str(&format!("\n  {}: {}", f.place(), f.message));
    }
    s
}

impl Catalog {
    /// The valid entries.
    pub fn entries(&self) -> impl Iterator<Item = &CatalogEntry> {
        self.files
            .iter()
            .filter_map(|f| f.entry.as_ref().ok().map(|e| e.get()))
    }
}

/// Whether a path is the registry or an item file.
fn is_item_file(p: &Path) -> bool {
    p.extension().is_some_and(|e| e == "yaml" || e == "yml")
}

/// Loads `items/` (a missing folder is an empty catalog). Files are sorted
/// by path, so everything downstream is deterministic. A file that is not an
/// entry is kept with its error, for `yima check items/` to report among the
/// others; whatever publishes uses [`load_whole`].
///
/// An interrupted write of the catalog is repaired before any command reads
/// the workspace ([`crate::fsx::recover_workspace`]), not here.
pub fn load(dir: &Path) -> Result<Catalog, CatalogError> {
    let mut catalog = Catalog::default();
    if !dir.exists() {
        return Ok(catalog);
    }
    let paths = item_paths(dir)?;
    let read: Vec<ItemFile> = {
        use rayon::prelude::*;
        paths
            .par_iter()
            .map(|rel| read_item(dir, rel, true))
            .collect()
    };
    catalog.files = read;
    catalog.registry = load_registry(dir)?;
    Ok(catalog)
}

/// Loads `items/` as [`load`] does, and fails — naming every file and line —
/// when an entry file is not a whole entry (a merge-conflict marker, an
/// empty file, an unknown key): published outputs never silently miss an
/// entry.
pub fn load_whole(dir: &Path) -> Result<Catalog, CatalogError> {
    let catalog = load(dir)?;
    whole(&catalog)?;
    Ok(catalog)
}

/// Whether every file of a catalog is a whole entry; the error names each
/// one that is not, with its line.
fn whole(catalog: &Catalog) -> Result<(), CatalogError> {
    let broken: Vec<BadFile> = catalog
        .files
        .iter()
        .filter_map(|f| {
            f.entry.as_ref().err().map(|message| BadFile {
                file: f.display.clone(),
                line: f.error_line,
                message: message.clone(),
            })
        })
        .collect();
    if broken.is_empty() {
        Ok(())
    } else {
        Err(CatalogError::Broken(broken))
    }
}

/// The entry files under `items/`, relative to it, sorted.
pub fn item_paths(dir: &Path) -> Result<Vec<PathBuf>, CatalogError> {
    if !dir.exists() {
        return Ok(Vec::new());
    }
    collect(dir, Path::new("")).map_err(|source| CatalogError::Io {
        path: dir.to_path_buf(),
        source,
    })
}

/// The names in the folder `dir` but hidden ones (starting with `.`), each
/// with whether it is a folder.
fn shown_names(dir: &Path) -> std::io::Result<Vec<(std::ffi::OsString, bool)>> {
    let mut names = Vec::new();
    crate::fsx::names::each(dir, &mut |name, is_dir| {
        if !name.as_encoded_bytes().starts_with(b".") {
            names.push((name.to_os_string(), is_dir));
        }
        Ok(())
    })?;
    Ok(names)
}

/// The entry files under `dir` (which is `rel` inside `items/`), relative to
/// `items/`, in `Path`'s order: each folder's names sorted by their bytes,
/// which is how `Path` compares a component, and the folders under it read
/// side by side (a province's `items/` holds thousands of agencies' folders).
fn collect(dir: &Path, rel: &Path) -> std::io::Result<Vec<PathBuf>> {
    use rayon::prelude::*;
    let mut names = shown_names(dir)?;
    names.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let found: Vec<Vec<PathBuf>> = names
        .into_par_iter()
        .map(|(name, is_dir)| {
            let rel = rel.join(&name);
            if is_dir {
                collect(&dir.join(&name), &rel)
            } else if is_item_file(&rel) {
                Ok(vec![rel])
            } else {
                Ok(Vec::new())
            }
        })
        .collect::<std::io::Result<_>>()?;
    Ok(found.into_iter().flatten().collect())
}

/// Reads one entry file; `keep_text` keeps its text (for line numbers).
pub fn read_item(dir: &Path, rel: &Path, keep_text: bool) -> ItemFile {
    let full = dir.join(rel);
    let display = crate::filing::display_path(&full);
    let (text, parsed) = match std::fs::read_to_string(&full) {
        Ok(text) => {
            let parsed = parse_entry(&text);
            (text, parsed)
        }
        Err(e) => (String::new(), Err((e.to_string(), None))),
    };
    let (entry, error_line) = match parsed {
        Ok(e) => (Ok(e.into()), None),
        Err((message, line)) => (Err(message), line),
    };
    ItemFile {
        rel: rel.to_path_buf(),
        display,
        text: if keep_text { text } else { String::new() },
        digest: String::new(),
        entry,
        error_line,
        sums: None,
    }
}

/// Parses an entry file's text, or says why it is not an entry and at which
/// line. Before YAML sees it: an empty file, and the markers a git merge
/// leaves (`<<<<<<<`, `=======`, `>>>>>>>` at the start of a line), which
/// YAML could take for text inside a block.
fn parse_entry(text: &str) -> Result<CatalogEntry, (String, Option<usize>)> {
    if text.trim().is_empty() {
        return Err(("the file is empty".into(), None));
    }
    for (i, line) in text.lines().enumerate() {
        if ["<<<<<<<", "=======", ">>>>>>>", "|||||||"]
            .iter()
            .any(|m| line.starts_with(m))
        {
            let marker: String = line.chars().take(40).collect();
            return Err((
                format!("a merge-conflict marker `{marker}`: resolve the merge first"),
                Some(i + 1),
            ));
        }
    }
    let mut entry: CatalogEntry =
        serde_saphyr::from_str(text).map_err(|e| yaml_error(&e.to_string()))?;
    entry.source.file = file_name_only(&entry.source.file);
    Ok(entry)
}

/// serde-saphyr's message on one line, and the line it names.
fn yaml_error(message: &str) -> (String, Option<usize>) {
    let first = message.lines().next().unwrap_or(message);
    let first = first.strip_prefix("error: ").unwrap_or(first);
    let line = first
        .strip_prefix("line ")
        .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|n| n.parse().ok());
    (first.to_string(), line)
}

/// The file name of a path written on any system (`/` or `\\`): what an
/// entry names as the filing it came from, never a path on somebody's
/// computer (SPEC §7).
pub fn file_name_only(path: &str) -> String {
    path.rsplit(['/', '\\']).next().unwrap_or(path).to_string()
}

/// The registry of the catalog `dir` ([`load_registry`]); interrupted writes
/// are repaired before any command reads the workspace.
pub fn load_registry_recovered(dir: &Path) -> Result<Registry, CatalogError> {
    load_registry(dir)
}

/// The registry of `items/` (empty when there is none yet).
pub fn load_registry(dir: &Path) -> Result<Registry, CatalogError> {
    let path = dir.join(registry::FILE);
    if !path.exists() {
        return Ok(Registry::default());
    }
    let file = std::fs::File::open(&path).map_err(|source| CatalogError::Io {
        path: path.clone(),
        source,
    })?;
    let mut input = std::io::BufReader::with_capacity(1 << 16, file);
    Registry::read(&mut input).map_err(|source| CatalogError::Registry { path, source })
}

/// Calls `each` with the path (relative to `items/`) and file stem of every
/// entry file, in no particular order and on any thread (the agencies'
/// folders are read side by side), holding no list of them: a look at a
/// province's file names costs a walk of the folder, not its memory.
pub fn walk_items(dir: &Path, each: &(dyn Fn(&Path, &str) + Sync)) -> Result<(), CatalogError> {
    // (Each file's path inside `items/` is made from its folder's and its
    // name, not cut out of its whole path: `Path::strip_prefix` compares
    // them component by component, for each of 100,000 files.)
    fn walk(dir: &Path, rel: &Path, each: &(dyn Fn(&Path, &str) + Sync)) -> std::io::Result<()> {
        use rayon::prelude::*;
        let mut folders = Vec::new();
        for (name, is_dir) in shown_names(dir)? {
            let named = Path::new(&name);
            if is_dir {
                folders.push(name);
            } else if is_item_file(named) {
                let stem = named
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                each(&rel.join(named), &stem);
            }
        }
        folders
            .par_iter()
            .try_for_each(|name| walk(&dir.join(name), &rel.join(name), each))
    }
    if !dir.exists() {
        return Ok(());
    }
    walk(dir, Path::new(""), each).map_err(|source| CatalogError::Io {
        path: dir.to_path_buf(),
        source,
    })
}

/// Whether a code is safe as a path component (it always is once checked;
/// this guards against a rule turned off in `yima.yaml`).
fn path_safe(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// A new `items/` being prepared beside the current one: the entries
/// written go into a staging tree, the removed ones are noted, and
/// [`Writer::commit`] puts the result in place — the written files moved
/// in under a journal when they are few, else the rest of the current tree
/// linked beside them and the whole swapped in ([`fsx::Staged::commit_except`]).
/// Dropped without commit, it vanishes and `items/` is untouched.
pub struct Writer {
    staged: fsx::Staged,
    root: PathBuf,
    /// Files of the current tree taken out (relative, with `/`).
    removed: std::sync::Mutex<rustc_hash::FxHashSet<String>>,
    /// Entry files written (a file written twice counts twice).
    written: std::sync::atomic::AtomicUsize,
}

/// A write that failed, naming the file; nothing of the catalog changed.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {source}")]
pub struct WriteError {
    pub path: String,
    pub source: std::io::Error,
}

impl WriteError {
    fn at(path: &Path, source: std::io::Error) -> WriteError {
        WriteError {
            path: crate::filing::display_path(path),
            source,
        }
    }
}

impl Writer {
    /// Starts from the current tree of `dir`.
    pub fn begin(dir: &Path) -> Result<Writer, WriteError> {
        let staged = fsx::Staged::new(dir).map_err(|e| WriteError::at(dir, e))?;
        let root = staged.path().to_path_buf();
        Ok(Writer {
            staged,
            root,
            removed: Default::default(),
            written: Default::default(),
        })
    }

    /// The set of files taken out, locked.
    fn removed(&self) -> std::sync::MutexGuard<'_, rustc_hash::FxHashSet<String>> {
        self.removed.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Writes (or replaces) an entry's file. Safe to call from many threads.
    pub fn put(&self, e: &CatalogEntry) -> Result<(), WriteError> {
        self.put_yaml(&e.agency_code, &e.impl_code, e.to_yaml().as_bytes())
    }

    /// Writes (or replaces) the file of the entry `impl_code` of the agency
    /// `agency_code`, its YAML given.
    pub fn put_yaml(
        &self,
        agency_code: &str,
        impl_code: &str,
        yaml: &[u8],
    ) -> Result<(), WriteError> {
        let rel = entry::entry_path(agency_code, impl_code);
        let shown = Path::new("items").join(&rel);
        if !path_safe(agency_code) || !path_safe(impl_code) {
            return Err(WriteError::at(
                &shown,
                std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    "a code unfit for a file name",
                ),
            ));
        }
        let path = self.root.join(&rel);
        self.written
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        // A file written twice is replaced, never written through; one
        // removed and then written again is put in (what is staged wins
        // over what is noted removed).
        fsx::write_staged(&path, yaml).map_err(|err| WriteError::at(&shown, err))
    }

    /// Removes an entry file (its path relative to `items/`).
    pub fn remove(&self, rel: &Path) -> Result<(), WriteError> {
        let path = self.root.join(rel);
        self.removed().insert(cached::rel_key(rel));
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(WriteError::at(&Path::new("items").join(rel), e)),
        }
    }

    /// Writes the registry (in the log format, whatever it was read in).
    pub fn registry(&self, registry: &Registry) -> Result<(), WriteError> {
        let path = self.root.join(registry::FILE);
        let shown = Path::new("items").join(registry::FILE);
        // A registry staged already is replaced, never written through.
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(WriteError::at(&shown, e)),
        }
        fsx::write_atomic_with(&path, &mut |w| registry.write_to(w))
            .map_err(|e| WriteError::at(&shown, e))
    }

    /// Swaps the prepared tree in. Once it is in, the commit happened: an old
    /// tree that could not be removed comes back as a [`fsx::Leftover`].
    pub fn commit(self) -> Result<Option<fsx::Leftover>, CommitFailed> {
        let removed = std::mem::take(&mut *self.removed());
        // (A file written twice is one staged file: at least half as many.)
        let staged = self.written.into_inner().div_ceil(2);
        self.staged
            .commit_except(&removed, staged)
            .map_err(|e| CommitFailed {
                path: "items".into(),
                source: e.error,
                stranded: e.stranded.map(|p| crate::filing::display_path(&p)),
            })
    }
}

/// A swap of `items/` that did not happen. The catalog is as it was — or,
/// when `stranded` names a folder, `items/` is missing and its content waits
/// there, and the next yima run puts it back.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {source}")]
pub struct CommitFailed {
    pub path: String,
    pub source: std::io::Error,
    pub stranded: Option<String>,
}

/// sha256 of the registry file as it is on disk ("" when there is none):
/// what a plan was made against.
pub fn registry_fingerprint(dir: &Path) -> String {
    match std::fs::read(dir.join(registry::FILE)) {
        Ok(bytes) => fsx::sha256_hex(&bytes),
        Err(_) => String::new(),
    }
}

/// The line of each key in a catalog file: top-level, and per item of each
/// list of rows (`materials`, `fee_items`, `questions`), as yima writes
/// them (`key:` at the start of a line; rows as `- key:` items under their
/// list's key).
struct KeyLines {
    top: FxMap<String, u32>,
    lists: FxMap<String, Vec<FxMap<String, u32>>>,
}

impl KeyLines {
    fn of(text: &str) -> KeyLines {
        let mut top = FxMap::default();
        let mut lists: FxMap<String, Vec<FxMap<String, u32>>> = FxMap::default();
        let mut list: Option<String> = None;
        for (i, line) in text.lines().enumerate() {
            let n = i as u32 + 1;
            if line.is_empty() || line.trim_start().starts_with('#') {
                continue;
            }
            let indented = line.starts_with(' ') || line.starts_with('-');
            if !indented {
                if let Some((k, _)) = line.split_once(':') {
                    top.insert(k.trim().to_string(), n);
                    list = Some(k.trim().to_string());
                }
                continue;
            }
            let Some(rows) = list.as_ref().map(|l| lists.entry(l.clone()).or_default()) else {
                continue;
            };
            let t = line.trim_start();
            let t = match t.strip_prefix("- ") {
                Some(rest) => {
                    rows.push(FxMap::default());
                    rest
                }
                None => t,
            };
            if let (Some(m), Some((k, _))) = (rows.last_mut(), t.split_once(':'))
                && !k.contains(' ')
            {
                m.entry(k.trim().to_string()).or_insert(n);
            }
        }
        KeyLines { top, lists }
    }

    /// The line of each key of row `i` of `list`, and the line of the list.
    fn row(&self, list: &str, i: usize) -> (Option<&FxMap<String, u32>>, u32) {
        let rows = self.lists.get(list).and_then(|r| r.get(i));
        (rows, self.top.get(list).copied().unwrap_or(1))
    }
}

/// One row of a sheet of a catalog file: its cells, its line, and the line
/// of each of its keys.
type YamlRow<'l, F> = (BTreeMap<F, String>, u32, Option<&'l FxMap<String, u32>>);

/// The rows of one sheet of a catalog file, as a grid the filing parser
/// reads: every element a column, each cell at its YAML line.
fn yaml_grid<F: Copy + Ord + FieldId>(
    file: &Arc<str>,
    def: &SheetDef<F>,
    rows: Vec<YamlRow<'_, F>>,
) -> Grid {
    let mut grid_rows = vec![GridRow::default()];
    for (mut cells, number, lines) in rows {
        let mut r = GridRow {
            number,
            cells: Vec::with_capacity(def.elements.len()),
            lines: Vec::with_capacity(def.elements.len()),
        };
        for el in &def.elements {
            let text = if def.distinct {
                cells.remove(&el.field)
            } else {
                cells.get(&el.field).cloned()
            };
            r.cells.push(RawCell::text(text.unwrap_or_default()));
            r.lines.push(
                lines
                    .and_then(|l| l.get(el.field.field_id()))
                    .copied()
                    .unwrap_or(number),
            );
        }
        grid_rows.push(r);
    }
    Grid {
        file: file.clone(),
        name: Arc::from(def.sheet.as_str()),
        rows: grid_rows,
        yaml: true,
    }
}

/// The table of a grid [`yaml_grid`] made: every element in its column —
/// but an element of SPEC §2a that no row of the file holds, which is read
/// as a filing without its column is (see `filing::conditions`).
fn yaml_table<'g, F: Copy + PartialEq + FieldId>(
    grid: &'g Grid,
    def: &SheetDef<F>,
    keys: &dyn Fn(&str) -> bool,
) -> Table<'g, F> {
    let columns = def
        .elements
        .iter()
        .enumerate()
        .filter(|(_, el)| !el.optional || keys(el.field.field_id()))
        .map(|(c, el)| Column {
            col: c as u32,
            field: el.field,
            element: c,
            header: el.header.clone(),
        })
        .collect();
    Table::new(grid, 0, columns)
}

/// Reads the catalog's active entries as filings, one per file, through the
/// same typed reading and rules as a filing workbook. Files that are not
/// valid YAML of the item schema are file-unreadable findings.
pub fn as_filings(catalog: &Catalog, standard: &Standard, sink: &mut Sink) -> Vec<Filing> {
    use rayon::prelude::*;
    // Each file is converted on its own (in parallel), its findings kept
    // apart and taken in file order, so the report is the same as one
    // thread's.
    let done: Vec<(Option<Filing>, Sink)> = catalog
        .files
        .par_iter()
        .enumerate()
        .map(|(i, f)| {
            let mut own = Sink::default();
            let filing = as_filing(i, f, standard, &mut own);
            (filing, own)
        })
        .collect();
    let mut out = Vec::with_capacity(done.len());
    for (filing, own) in done {
        sink.extend(own);
        out.extend(filing);
    }
    out
}

/// One entry file as the filing it was made from (none when it is no entry,
/// with a finding saying so, or retired).
fn as_filing(i: usize, f: &ItemFile, standard: &Standard, sink: &mut Sink) -> Option<Filing> {
    as_filing_of(i, f, &f.text, standard, sink)
}

/// [`as_filing`] of an entry file whose text is `text` (its line numbers):
/// the text of a file loaded without it.
pub(crate) fn as_filing_of(
    i: usize,
    f: &ItemFile,
    text: &str,
    standard: &Standard,
    sink: &mut Sink,
) -> Option<Filing> {
    {
        let file: Arc<str> = Arc::from(f.display.as_str());
        let entry = match &f.entry {
            Ok(e) => e,
            Err(message) => {
                sink.push(
                    Diagnostic::new(
                        Rule::FileUnreadable,
                        Origin::file(file.clone()),
                        text!("目录文件不符合条目格式：{message}", "not a valid catalog entry: {message}"),
                    )
                    .help(text!(
                        "条目文件由 yima ingest 生成；手工修改后请对照 schemas/item.schema.json。",
                        "entry files are written by `yima ingest`; after editing by hand, compare with schemas/item.schema.json."
                    )),
                );
                return None;
            }
        };
        // A retired entry is history: kept, not checked as a current one.
        if entry.status == crate::codes::registry::Status::Retired {
            return None;
        }
        let lines = KeyLines::of(text);
        let rows = convert::to_cells(entry, i as u32 + 1, standard);
        let els = &standard.elements;

        let fee_rows = (rows.fees.into_iter().enumerate())
            .map(|(i, c)| {
                let (keys, line) = lines.row("fee_items", i);
                (c, line, keys)
            })
            .collect();
        // (The keys of the file's rows: `name` of a material is found in
        // the list of its keys, and a top-level key in the top ones.)
        let in_list = |list: &str| {
            let rows = lines.lists.get(list);
            move |k: &str| rows.is_some_and(|r| r.iter().any(|m| m.contains_key(k)))
        };
        let grid = yaml_grid(&file, &els.fees, fee_rows);
        let table = yaml_table(&grid, &els.fees, &in_list("fee_items"));
        let fees = parse::fee_parser(&table, standard).grid_rows(&table, sink);
        let fee_seqs = parse::fee_seqs(&fees);

        let grid = yaml_grid(&file, &els.items, vec![(rows.entry, 1, Some(&lines.top))]);
        let table = yaml_table(&grid, &els.items, &|k| lines.top.contains_key(k));
        let mut entries = parse::entry_parser(&table, standard)
            .with_fees(&fee_seqs)
            .grid_rows(&table, sink);

        let material_rows = (rows.materials.into_iter().enumerate())
            .map(|(i, c)| {
                let (keys, line) = lines.row("materials", i);
                (c, line, keys)
            })
            .collect();
        let grid = yaml_grid(&file, &els.materials, material_rows);
        let table = yaml_table(&grid, &els.materials, &in_list("materials"));
        let mats = parse::materials(&table, standard, sink);
        let count = mats.len();

        let question_rows = (rows.questions.into_iter().enumerate())
            .map(|(i, c)| {
                let (keys, line) = lines.row("questions", i);
                (c, line, keys)
            })
            .collect();
        let grid = yaml_grid(&file, &els.questions, question_rows);
        let table = yaml_table(&grid, &els.questions, &in_list("questions"));
        let questions = parse::question_parser(&table, standard).grid_rows(&table, sink);
        links::link_whole(&mut entries, mats, fees, questions, true, sink);

        Some(Filing {
            file,
            entries,
            material_count: count,
            materials_known: true,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_files_are_listed_in_paths_order() {
        let names = [
            "A/B.yaml",
            "A-x/B.yaml",
            "A/B-x.yaml",
            "A/B/C.yaml",
            "A.yaml",
            "AB/A.yaml",
            "A/B.yml",
            "B/0.yaml",
            "a/B.yaml",
            "A/a.yaml",
        ];
        let dir = tempfile::tempdir().unwrap();
        for name in names
            .iter()
            .chain(&["A/notes.txt", ".hidden/X.yaml", "A/.x.yaml"])
        {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "").unwrap();
        }
        let mut by_path: Vec<PathBuf> = names.iter().map(PathBuf::from).collect();
        by_path.sort();
        assert_eq!(item_paths(dir.path()).unwrap(), by_path);
        // (The case string order gets wrong: `-` sorts before `/`.)
        assert!(
            by_path.iter().position(|p| p == Path::new("A/B.yaml"))
                < by_path.iter().position(|p| p == Path::new("A-x/B.yaml"))
        );
        assert!(item_paths(&dir.path().join("none")).unwrap().is_empty());
    }

    #[test]
    fn key_lines_find_top_level_and_material_keys() {
        let text = "impl_code: X\nname: 甲\nconditions: |\n  a\n  b\nmaterials:\n- name: 身份证\n  form: 原件\n- name: 户口簿\n  copies: 1\nsource:\n  file: a.xlsx\n";
        let lines = KeyLines::of(text);
        assert_eq!(lines.top["name"], 2);
        assert_eq!(lines.top["conditions"], 3);
        assert_eq!(lines.top["source"], 11);
        let mats = &lines.lists["materials"];
        assert_eq!(mats.len(), 2);
        assert_eq!(mats[0]["form"], 8);
        assert_eq!(mats[1]["copies"], 10);
        assert_eq!(lines.row("materials", 1).1, 6);
    }
}

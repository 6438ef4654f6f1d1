//! The example data: one YAML file per filing under `tools/make_examples/data/`,
//! loaded into [`Filing`]s with the department's defaults merged into every
//! entry, 序号 assigned, and every name checked against the standard (field
//! ids, rule ids), so a typo in the data fails the run instead of producing a
//! quietly different example.

use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};
use yima::diag::Rule;
use yima::standard::Standard;

/// Why the data could not be loaded.
#[derive(Debug)]
pub struct DataError {
    pub file: PathBuf,
    pub message: String,
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file.display(), self.message)
    }
}

impl std::error::Error for DataError {}

/// A YAML scalar read as the text a department would type: numbers keep
/// their digits, so `20` and `"20"` are the same value, and the line break
/// that ends a YAML block (`|`) is not part of the cell.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scalar(pub String);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Scalar;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a text or a whole number")
            }
            fn visit_str<E>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar(v.trim_end_matches('\n').to_string()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_unit<E>(self) -> Result<Scalar, E> {
                Ok(Scalar(String::new()))
            }
        }
        d.deserialize_any(V)
    }
}

/// How a filing is laid out (see `layout.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LayoutKind {
    /// The workbook `yima template` writes: header in row 1, schema order.
    Standard,
    /// A title row, a 填报单位 row, decorated headers in row 3, merged cells, notes.
    Titled,
    /// Another column order, empty columns, other sheet names, text 序号.
    Rearranged,
    /// A pair of GBK CSV files.
    Csv,
}

/// What is done to the written file afterwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Damage {
    /// Only the first part of the bytes arrived.
    Truncate,
    /// The table is written as the HTML page a web system exports as `.xls`.
    Html,
}

/// A change to the columns of sheet 事项, for bad filings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnChange {
    /// Remove the column of this field.
    #[serde(default)]
    pub drop: Option<String>,
    /// Add a column after the column of this field…
    #[serde(default)]
    pub insert_after: Option<String>,
    /// …with this header…
    #[serde(default)]
    pub header: Option<String>,
    /// …holding this text in every row…
    #[serde(default)]
    pub value: Option<String>,
    /// …or the values of this field.
    #[serde(default)]
    pub copy_of: Option<String>,
}

/// Where a file-level seeded mistake is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum At {
    /// The file as a whole.
    File,
    /// A sheet as a whole.
    Sheet,
    /// The header row of a sheet.
    HeaderRow,
    /// A header cell, named by its text.
    Header,
}

/// Which of the two sheets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SheetRole {
    #[default]
    Items,
    Materials,
}

/// A seeded mistake that belongs to the file, a sheet or a header.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSeed {
    pub at: At,
    #[serde(default)]
    pub sheet: SheetRole,
    #[serde(default)]
    pub header: Option<String>,
    pub rule: String,
    pub mistake: String,
}

/// A seeded mistake in a cell of an entry's row, or of one of its
/// materials or fee items.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seed {
    /// The 1-based number of the entry's material, when the cell is in sheet 申请材料.
    #[serde(default)]
    pub material: Option<usize>,
    /// The 1-based number of the entry's fee item, when the cell is in sheet 收费项目.
    #[serde(default)]
    pub fee: Option<usize>,
    pub field: String,
    pub rule: String,
    pub mistake: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FilingYaml {
    file: String,
    about: String,
    layout: LayoutKind,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    filed: Option<String>,
    #[serde(default)]
    defaults: BTreeMap<String, Scalar>,
    /// Merged into every material (material field ids).
    #[serde(default)]
    material_defaults: BTreeMap<String, Scalar>,
    entries: Vec<EntryYaml>,
    #[serde(default)]
    changes: Vec<ColumnChange>,
    #[serde(default)]
    damage: Option<Damage>,
    #[serde(default)]
    materials_missing: bool,
    /// Files every element of SPEC §2a, not only those of §2.
    #[serde(default)]
    full: bool,
    #[serde(default)]
    extra_sheets: Vec<String>,
    #[serde(default)]
    materials_preamble: Vec<String>,
    #[serde(default)]
    needs_registry: bool,
    #[serde(default)]
    seeded: Vec<FileSeed>,
}

/// A material as the data writes it: positionally, in [`MATERIAL_ORDER`],
/// or by field id (any element of sheet 申请材料).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum MaterialYaml {
    List(Vec<Scalar>),
    Fields(BTreeMap<String, Scalar>),
}

#[derive(Debug, Deserialize)]
struct EntryYaml {
    #[serde(default)]
    materials: Vec<MaterialYaml>,
    /// Rows of sheet 收费项目, by field id.
    #[serde(default)]
    fees: Vec<BTreeMap<String, Scalar>>,
    /// Rows of sheet 常见问题, by field id.
    #[serde(default)]
    questions: Vec<BTreeMap<String, Scalar>>,
    #[serde(default)]
    seeded: Vec<Seed>,
    #[serde(default)]
    as_number: Vec<String>,
    #[serde(default)]
    deleted: bool,
    #[serde(flatten)]
    fields: BTreeMap<String, Scalar>,
}

/// The material fields in the order a material is written in the data:
/// `[name, form, copies, source, e_license, necessity, basis?, notes?]`.
pub const MATERIAL_ORDER: &[&str] = &[
    "name",
    "form",
    "copies",
    "source",
    "e_license",
    "necessity",
    "basis",
    "notes",
];

/// One filing, ready to lay out.
#[derive(Debug, Clone)]
pub struct Filing {
    /// The path under `examples/` (for a CSV pair, the common prefix).
    pub file: String,
    pub about: String,
    pub layout: LayoutKind,
    pub title: Option<String>,
    pub filed: Option<String>,
    pub entries: Vec<Entry>,
    pub changes: Vec<ColumnChange>,
    pub damage: Option<Damage>,
    pub materials_missing: bool,
    /// Files every element of SPEC §2a, not only those of §2.
    pub full: bool,
    pub extra_sheets: Vec<String>,
    pub materials_preamble: Vec<String>,
    /// Its mistakes show only in a workspace with a code registry.
    pub needs_registry: bool,
    pub seeds: Vec<FileSeed>,
}

impl Filing {
    /// A bad filing carries seeded mistakes; a good one must have none.
    pub fn is_bad(&self) -> bool {
        self.file.starts_with("bad/")
    }

    /// The department that sent it: the agency of its first entry.
    pub fn department(&self) -> &str {
        self.entries
            .first()
            .map(|e| e.get("agency"))
            .unwrap_or_default()
    }

    /// Entries written to sheet 事项.
    pub fn written(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(|e| !e.deleted)
    }

    /// Whether it has rows of sheet 收费项目.
    pub fn has_fees(&self) -> bool {
        self.entries.iter().any(|e| !e.fees.is_empty())
    }

    /// Whether it has rows of sheet 常见问题.
    pub fn has_questions(&self) -> bool {
        self.entries.iter().any(|e| !e.questions.is_empty())
    }
}

/// One implementation entry with its materials.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Cell text by field id; a field absent here is written blank.
    pub fields: BTreeMap<String, String>,
    /// Fields written as numbers although they are codes (a mistake to show).
    pub as_number: BTreeSet<String>,
    pub materials: Vec<BTreeMap<String, String>>,
    /// Its rows of sheet 收费项目 (with `item_seq`).
    pub fees: Vec<BTreeMap<String, String>>,
    /// Its rows of sheet 常见问题 (with `item_seq`).
    pub questions: Vec<BTreeMap<String, String>>,
    pub seeds: Vec<Seed>,
    /// Removed from sheet 事项 while its materials stayed in 申请材料.
    pub deleted: bool,
}

impl Entry {
    pub fn get(&self, field: &str) -> &str {
        self.fields.get(field).map_or("", String::as_str)
    }
}

/// Loads every `*.yaml` under `dir`, sorted by file name.
pub fn load_all(dir: &Path, standard: &Standard) -> Result<Vec<Filing>, DataError> {
    let fail = |file: &Path, message: String| DataError {
        file: file.to_path_buf(),
        message,
    };
    let mut paths: Vec<PathBuf> = Vec::new();
    collect(dir, &mut paths).map_err(|e| fail(dir, e.to_string()))?;
    paths.sort();
    let mut filings: Vec<Filing> = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(&path).map_err(|e| fail(&path, e.to_string()))?;
        let raw: FilingYaml =
            serde_saphyr::from_str(&text).map_err(|e| fail(&path, e.to_string()))?;
        let filing = resolve(raw, standard).map_err(|m| fail(&path, m))?;
        if filings.iter().any(|f| f.file == filing.file) {
            return Err(fail(&path, format!("{} is written twice", filing.file)));
        }
        filings.push(filing);
    }
    filings.sort_by(|a, b| a.file.cmp(&b.file));
    Ok(filings)
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "yaml") {
            out.push(path);
        }
    }
    Ok(())
}

/// Merges defaults, numbers the entries and checks every name.
fn resolve(raw: FilingYaml, standard: &Standard) -> Result<Filing, String> {
    let item_fields: Vec<&str> = standard
        .elements
        .items
        .elements
        .iter()
        .map(|e| e.field.id())
        .collect();
    let material_fields: Vec<&str> = standard
        .elements
        .materials
        .elements
        .iter()
        .map(|e| e.field.id())
        .collect();
    let fee_fields: Vec<&str> = standard
        .elements
        .fees
        .elements
        .iter()
        .map(|e| e.field.id())
        .collect();
    let question_fields: Vec<&str> = standard
        .elements
        .questions
        .elements
        .iter()
        .map(|e| e.field.id())
        .collect();
    // Rows of the sheets that refer to an entry, by field id: their fields
    // checked, blanks dropped, linked to the entry's 序号.
    let linked_row = |fields: &[&str],
                      sheet: &str,
                      row: BTreeMap<String, Scalar>,
                      seq: &str|
     -> Result<BTreeMap<String, String>, String> {
        let mut out = BTreeMap::new();
        for (k, v) in row {
            if !fields.contains(&k.as_str()) {
                return Err(format!("`{k}` is no field of sheet {sheet}"));
            }
            if !v.0.is_empty() {
                out.insert(k, v.0);
            }
        }
        out.insert("item_seq".into(), seq.to_string());
        Ok(out)
    };
    for k in raw.material_defaults.keys() {
        if !material_fields.contains(&k.as_str()) {
            return Err(format!(
                "material_defaults: `{k}` is no field of sheet 申请材料"
            ));
        }
    }
    let known_item = |f: &str, what: &str| -> Result<(), String> {
        if item_fields.contains(&f) {
            Ok(())
        } else {
            Err(format!("{what}: `{f}` is no field of sheet 事项"))
        }
    };
    let known_rule = |r: &str| -> Result<(), String> {
        if Rule::ALL.iter().any(|x| x.id() == r) {
            Ok(())
        } else {
            Err(format!("`{r}` is no rule id"))
        }
    };
    for k in raw.defaults.keys() {
        known_item(k, "defaults")?;
    }
    for c in &raw.changes {
        for f in [&c.drop, &c.insert_after, &c.copy_of].into_iter().flatten() {
            known_item(f, "changes")?;
        }
    }
    for s in &raw.seeded {
        known_rule(&s.rule)?;
        if s.at == At::Header && s.header.is_none() {
            return Err("a seed at a header names the header".into());
        }
    }
    let bad = raw.file.starts_with("bad/");
    let mut entries = Vec::with_capacity(raw.entries.len());
    for (i, e) in raw.entries.into_iter().enumerate() {
        let mut fields: BTreeMap<String, String> = raw
            .defaults
            .iter()
            .map(|(k, v)| (k.clone(), v.0.clone()))
            .collect();
        for (k, v) in e.fields {
            known_item(&k, &format!("entry {}", i + 1))?;
            fields.insert(k, v.0);
        }
        fields
            .entry("seq".into())
            .or_insert_with(|| (i + 1).to_string());
        fields.retain(|_, v| !v.is_empty());
        let seq = fields.get("seq").cloned().unwrap_or_default();
        let mut materials = Vec::with_capacity(e.materials.len());
        for (j, m) in e.materials.into_iter().enumerate() {
            let given: Vec<(String, Scalar)> = match m {
                MaterialYaml::List(m) => {
                    if m.len() < 6 || m.len() > MATERIAL_ORDER.len() {
                        return Err(format!(
                            "entry {} material {}: write [name, form, copies, source, e_license, necessity, basis?, notes?]",
                            i + 1,
                            j + 1
                        ));
                    }
                    MATERIAL_ORDER
                        .iter()
                        .map(|k| k.to_string())
                        .zip(m)
                        .collect()
                }
                MaterialYaml::Fields(m) => m.into_iter().collect(),
            };
            let mut row: BTreeMap<String, String> = raw
                .material_defaults
                .iter()
                .map(|(k, v)| (k.clone(), v.0.clone()))
                .collect();
            for (k, v) in given {
                if !material_fields.contains(&k.as_str()) {
                    return Err(format!(
                        "entry {} material {}: `{k}` is no field of sheet 申请材料",
                        i + 1,
                        j + 1
                    ));
                }
                row.insert(k, v.0);
            }
            row.retain(|_, v| !v.is_empty());
            row.insert("item_seq".into(), seq.clone());
            row.insert("seq".into(), (j + 1).to_string());
            materials.push(row);
        }
        let fees = e
            .fees
            .into_iter()
            .map(|f| linked_row(&fee_fields, "收费项目", f, &seq))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|m| format!("entry {}: {m}", i + 1))?;
        let questions = e
            .questions
            .into_iter()
            .map(|q| linked_row(&question_fields, "常见问题", q, &seq))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|m| format!("entry {}: {m}", i + 1))?;
        for s in &e.seeded {
            known_rule(&s.rule)?;
            match (s.material, s.fee) {
                (Some(_), Some(_)) => {
                    return Err(format!("entry {}: a seed is in one sheet", i + 1));
                }
                (Some(n), _) if n == 0 || n > materials.len() => {
                    return Err(format!("entry {}: no material {n}", i + 1));
                }
                (Some(_), _) if !material_fields.contains(&s.field.as_str()) => {
                    return Err(format!("`{}` is no field of sheet 申请材料", s.field));
                }
                (_, Some(n)) if n == 0 || n > fees.len() => {
                    return Err(format!("entry {}: no fee item {n}", i + 1));
                }
                (_, Some(_)) if !fee_fields.contains(&s.field.as_str()) => {
                    return Err(format!("`{}` is no field of sheet 收费项目", s.field));
                }
                (None, None) => known_item(&s.field, "seeded")?,
                _ => {}
            }
        }
        for f in &e.as_number {
            known_item(f, "as_number")?;
        }
        if !bad && (!e.seeded.is_empty() || e.deleted || !e.as_number.is_empty()) {
            return Err(format!(
                "entry {}: a good filing has no seeded mistakes",
                i + 1
            ));
        }
        entries.push(Entry {
            fields,
            as_number: e.as_number.into_iter().collect(),
            materials,
            fees,
            questions,
            seeds: e.seeded,
            deleted: e.deleted,
        });
    }
    let seeded_anywhere = !raw.seeded.is_empty() || entries.iter().any(|e| !e.seeds.is_empty());
    if bad && !seeded_anywhere {
        return Err("a bad filing seeds at least one mistake".into());
    }
    if !bad && (!raw.seeded.is_empty() || !raw.changes.is_empty() || raw.damage.is_some()) {
        return Err("a good filing has no seeded mistakes".into());
    }
    Ok(Filing {
        file: raw.file,
        about: raw.about,
        layout: raw.layout,
        title: raw.title,
        filed: raw.filed,
        entries,
        changes: raw.changes,
        damage: raw.damage,
        materials_missing: raw.materials_missing,
        full: raw.full,
        extra_sheets: raw.extra_sheets,
        materials_preamble: raw.materials_preamble,
        needs_registry: raw.needs_registry,
        seeds: raw.seeded,
    })
}

//! `yima export --format datapackage`: the catalog as open data — a
//! Frictionless data package (https://specs.frictionlessdata.io/): the
//! entries, their materials, fee items and questions as CSV (UTF-8, one
//! column per element, named by its field id), and `datapackage.json`
//! whose Table Schemas are made from the same element definitions — types,
//! code values, lengths, the code patterns, the keys that join the tables.

use super::ExchangeError;
use super::files::AtomicFile;
use crate::catalog::convert::{self, Rows};
use crate::catalog::{self, CatalogEntry};
use crate::codes::registry::Status;
use crate::publish::catalogs::defuse_csv;
use crate::standard::Standard;
use crate::standard::elements::{
    Element, FeeField, Field, FieldId, Kind, MaterialField, QuestionField,
};
use crate::workspace::Workspace;
use rayon::prelude::*;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::Path;

/// The descriptor's file name.
pub const DESCRIPTOR: &str = "datapackage.json";

/// What the data package holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Each resource's file and rows (beside them, `datapackage.json`).
    pub files: Vec<(String, usize)>,
}

/// A column of a resource: its name, and its Table Schema field.
struct Col {
    name: &'static str,
    field: Value,
}

/// Elements whose value must be there in every catalog entry.
const REQUIRED: &[&str] = &[
    "impl_code",
    "basic_code",
    "status",
    "name",
    "category",
    "sector",
    "agency",
    "agency_code",
    "level",
    "division",
];

/// The pattern of a code element, when it has one.
fn code_pattern(id: &str) -> Option<&'static str> {
    Some(match id {
        "impl_code" => "[0-9A-Z]{31}",
        "basic_code" => "[0-9A-Z]{12}",
        "agency_code" => "[0-9A-HJ-NPQRTUWXY]{18}",
        "division" => "[0-9]{6}([0-9]{6})?",
        _ => return None,
    })
}

/// A Table Schema field for an element.
fn field_of<F: Copy + FieldId>(e: &Element<F>, standard: &Standard) -> Value {
    let id = e.field.field_id();
    let mut f = json!({"name": id, "title": e.header, "description": e.help});
    let mut c = serde_json::Map::new();
    if REQUIRED.contains(&id) {
        c.insert("required".into(), json!(true));
    }
    let names = |table: &str| -> Vec<String> {
        standard
            .tables
            .get(table)
            .map(|t| t.entries.iter().map(|e| e.name.to_string()).collect())
            .unwrap_or_default()
    };
    let ty = match (e.kind, e.table.as_deref(), id) {
        (Kind::Integer, ..) | (Kind::Days, _, "promised_days") => {
            if let Some(min) = e.min.or(Some(0)) {
                c.insert("minimum".into(), json!(min));
            }
            if let Some(max) = e.max {
                c.insert("maximum".into(), json!(max));
            }
            "integer"
        }
        (Kind::Days, ..) => {
            c.insert("pattern".into(), json!("[0-9]+|无"));
            "string"
        }
        (Kind::Enum, Some("yes_no"), _) => {
            f["trueValues"] = json!(["是"]);
            f["falseValues"] = json!(["否"]);
            "boolean"
        }
        (Kind::Enum, Some(table), _) => {
            c.insert("enum".into(), json!(names(table)));
            "string"
        }
        (Kind::Multi, Some(table), _) => {
            let one = format!("({})", names(table).join("|"));
            c.insert("pattern".into(), json!(format!("{one}(、{one})*")));
            "string"
        }
        (Kind::Date, ..) => "date",
        _ => {
            if let Some(p) = code_pattern(id) {
                c.insert("pattern".into(), json!(p));
            }
            if let Some(n) = e.max_len {
                c.insert("maxLength".into(), json!(n));
            }
            "string"
        }
    };
    f["type"] = json!(ty);
    if !c.is_empty() {
        f["constraints"] = Value::Object(c);
    }
    f
}

fn text_col(name: &'static str, title: &str, required: bool) -> Col {
    let mut field = json!({"name": name, "title": title, "type": "string"});
    if let Some(p) = code_pattern(name) {
        field["constraints"] = json!({"pattern": p});
    }
    if required {
        field["constraints"]["required"] = json!(true);
    }
    Col { name, field }
}

fn columns<F: Copy + FieldId + PartialEq>(
    lead: Vec<Col>,
    elements: &[Element<F>],
    skip: &[F],
    standard: &Standard,
) -> Vec<Col> {
    let mut out = lead;
    for e in elements.iter().filter(|e| !skip.contains(&e.field)) {
        out.push(Col {
            name: e.field.field_id(),
            field: field_of(e, standard),
        });
    }
    out
}

fn link() -> Col {
    text_col("impl_code", "实施编码", true)
}

fn order() -> Col {
    Col {
        name: "seq",
        field: json!({"name": "seq", "title": "序号", "type": "integer",
                      "constraints": {"required": true, "minimum": 1}}),
    }
}

/// One CSV file and its resource.
struct Resource {
    name: &'static str,
    title: &'static str,
    columns: Vec<Col>,
    key: Vec<&'static str>,
    out: AtomicFile,
    writer: csv::Writer<Vec<u8>>,
    rows: usize,
}

impl Resource {
    fn new(
        dir: &Path,
        name: &'static str,
        title: &'static str,
        columns: Vec<Col>,
        key: Vec<&'static str>,
    ) -> Result<Resource, ExchangeError> {
        let path = dir.join(format!("{name}.csv"));
        let out = AtomicFile::create(&path).map_err(|e| ExchangeError::io(&path, e))?;
        let mut r = Resource {
            name,
            title,
            columns,
            key,
            out,
            writer: writer(),
            rows: 0,
        };
        let header: Vec<&str> = r.columns.iter().map(|c| c.name).collect();
        r.writer.write_record(&header).expect("writing to memory");
        r.flush(dir)?;
        Ok(r)
    }

    fn row(&mut self, cells: &BTreeMap<&str, String>) {
        let rec = self.columns.iter().map(|c| {
            cells
                .get(c.name)
                .map_or(String::new(), |v| defuse_csv(v).into_owned())
        });
        self.writer.write_record(rec).expect("writing to memory");
        self.rows += 1;
    }

    fn flush(&mut self, dir: &Path) -> Result<(), ExchangeError> {
        self.writer.flush().expect("writing to memory");
        let bytes = std::mem::replace(&mut self.writer, writer())
            .into_inner()
            .expect("flushed");
        self.out
            .write_all(&bytes)
            .map_err(|e| ExchangeError::io(dir.join(format!("{}.csv", self.name)), e))
    }

    fn descriptor(&self, foreign: bool) -> Value {
        let mut schema = json!({
            "fields": self.columns.iter().map(|c| c.field.clone()).collect::<Vec<_>>(),
            "primaryKey": self.key,
            "missingValues": [""],
        });
        if foreign {
            schema["foreignKeys"] = json!([{
                "fields": "impl_code",
                "reference": {"resource": "catalog", "fields": "impl_code"}
            }]);
        }
        json!({
            "name": self.name,
            "title": self.title,
            "path": format!("{}.csv", self.name),
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "header": true},
            "schema": schema,
        })
    }
}

fn writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new())
}

/// The cells of an entry's rows by column name.
fn named<F: Copy + Ord + FieldId>(cells: &BTreeMap<F, String>) -> BTreeMap<&'static str, String> {
    cells
        .iter()
        .map(|(f, v)| (f.field_id(), v.clone()))
        .collect()
}

/// Writes the workspace's catalog as a data package into `dir`.
pub fn write(ws: &Workspace, dir: &Path) -> Result<Summary, ExchangeError> {
    let std = &ws.standard;
    let els = &std.elements;
    std::fs::create_dir_all(dir).map_err(|e| ExchangeError::io(dir, e))?;
    let mut lead = vec![];
    let mut catalog_cols = columns(Vec::new(), &els.items.elements, &[Field::Seq], std);
    lead.push(Col {
        name: "status",
        field: json!({"name": "status", "title": "状态", "type": "string",
                      "constraints": {"required": true, "enum": ["active", "retired"]}}),
    });
    lead.push(text_col("source", "来源", false));
    catalog_cols.extend(lead);
    let mut res = [
        Resource::new(dir, "catalog", "实施清单", catalog_cols, vec!["impl_code"])?,
        Resource::new(
            dir,
            "materials",
            "申请材料",
            columns(
                vec![link(), order()],
                &els.materials.elements,
                &[MaterialField::Seq, MaterialField::ItemSeq],
                std,
            ),
            vec!["impl_code", "seq"],
        )?,
        Resource::new(
            dir,
            "fee_items",
            "收费项目",
            columns(
                vec![link(), order()],
                &els.fees.elements,
                &[FeeField::ItemSeq],
                std,
            ),
            vec!["impl_code", "seq"],
        )?,
        Resource::new(
            dir,
            "questions",
            "常见问题",
            columns(
                vec![link(), order()],
                &els.questions.elements,
                &[QuestionField::ItemSeq],
                std,
            ),
            vec!["impl_code", "seq"],
        )?,
    ];
    let items = ws.path(&ws.config.paths.items);
    let paths = catalog::item_paths(&items)?;
    for batch in paths.chunks(4096) {
        let read: Vec<Result<(CatalogEntry, Rows), ExchangeError>> = batch
            .par_iter()
            .map(|rel| {
                let f = catalog::read_item(&items, rel, false);
                let e = f.entry.map_err(|message| ExchangeError::Entry {
                    path: f.display.clone(),
                    message,
                })?;
                let e = e.into_inner();
                let rows = convert::to_cells(&e, 1, std);
                Ok((e, rows))
            })
            .collect();
        for r in read {
            let (e, rows) = r?;
            let mut top = named(&rows.entry);
            top.insert(
                "status",
                match e.status {
                    Status::Active => "active".into(),
                    Status::Retired => "retired".into(),
                },
            );
            top.insert("source", source(&e));
            res[0].row(&top);
            let child = |cells: BTreeMap<&'static str, String>, i: usize| {
                let mut c = cells;
                c.insert("impl_code", e.impl_code.clone());
                c.insert("seq", (i + 1).to_string());
                c
            };
            for (i, m) in rows.materials.iter().enumerate() {
                res[1].row(&child(named(m), i));
            }
            for (i, f) in rows.fees.iter().enumerate() {
                res[2].row(&child(named(f), i));
            }
            for (i, q) in rows.questions.iter().enumerate() {
                res[3].row(&child(named(q), i));
            }
        }
        for r in &mut res {
            r.flush(dir)?;
        }
    }
    let descriptor = json!({
        "profile": "tabular-data-package",
        "name": "yima-catalog",
        "title": ws.config.release_name,
        "resources": res.iter().enumerate().map(|(i, r)| r.descriptor(i > 0)).collect::<Vec<_>>(),
    });
    let mut text = serde_json::to_string_pretty(&descriptor).expect("descriptor serializes");
    text.push('\n');
    let mut summary = Summary::default();
    for r in res {
        summary.files.push((format!("{}.csv", r.name), r.rows));
        let path = dir.join(format!("{}.csv", r.name));
        r.out.finish().map_err(|e| ExchangeError::io(&path, e))?;
    }
    let path = dir.join(DESCRIPTOR);
    let mut f = AtomicFile::create(&path).map_err(|e| ExchangeError::io(&path, e))?;
    f.write_all(text.as_bytes())
        .map_err(|e| ExchangeError::io(&path, e))?;
    f.finish().map_err(|e| ExchangeError::io(&path, e))?;
    Ok(summary)
}

/// Where the entry was filed, as its guide says.
fn source(e: &CatalogEntry) -> String {
    let s = &e.source;
    let mut out = s.file.clone();
    if !s.sheet.is_empty() {
        out.push_str(" · ");
        out.push_str(&s.sheet);
    }
    if let Some(row) = s.row {
        out.push_str(&format!(" 第 {row} 行"));
    }
    out
}

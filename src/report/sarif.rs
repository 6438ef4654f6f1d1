//! The SARIF 2.1.0 report (`--format sarif`), for code scanning: GitHub's
//! SARIF upload, GitLab, and editors with a SARIF viewer.
//!
//! One run; `tool.driver.rules` describes every rule from the rule catalog
//! (so `ruleIndex` is the rule's place in SPEC §4); each finding is a result
//! at its file. A spreadsheet has no lines, so the region says row and column
//! (`startLine` = the row Excel shows, `startColumn` = column index + 1), and
//! the location's property bag names the sheet and the A1 cell, which the
//! message repeats (`事项!H17: …`). A finding about a whole file or sheet points
//! at line 1, because GitHub rejects results without a `startLine`.
//!
//! `partialFingerprints` identify a finding across runs by what it is about —
//! rule, file, sheet, element, value and the row's 序号/name — not by its row
//! number, so inserting a row above does not turn old findings into new ones.

use super::{located_message, place};
use crate::diag::catalog::{Catalog, index_of};
use crate::diag::{Diagnostic, Lang, Report, Rule, Severity};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// The key of yima's fingerprint; bump the version if its inputs change.
const FINGERPRINT_KEY: &str = "yima/v1";

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
struct Run<'a> {
    tool: Tool,
    results: Vec<SarifResult<'a>>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    rules: Vec<Descriptor>,
}

/// A `reportingDescriptor`: one rule's metadata.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Descriptor {
    id: &'static str,
    /// SARIF wants an identifier-like name: `UsccInvalid`.
    name: String,
    short_description: Message,
    full_description: Message,
    help: Help,
    default_configuration: Configuration,
}

#[derive(Serialize)]
struct Message {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Message,
    locations: [Location<'a>; 1],
    partial_fingerprints: BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "ResultProperties::is_empty")]
    properties: ResultProperties<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'a> {
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "LocationProperties::is_empty")]
    properties: LocationProperties<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    /// Never 0: rows are 1-based, and findings without a row use 1.
    start_line: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_column: Option<u32>,
}

/// Where in the workbook, since a region cannot say it.
#[derive(Serialize)]
struct LocationProperties<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    sheet: Option<&'a str>,
    /// The A1 reference: `H17`.
    #[serde(skip_serializing_if = "Option::is_none")]
    cell: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    column: Option<String>,
}

impl LocationProperties<'_> {
    fn is_empty(&self) -> bool {
        self.sheet.is_none() && self.cell.is_none() && self.column.is_none()
    }
}

/// What the finding is about, as the JSON report gives it.
#[derive(Serialize)]
struct ResultProperties<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<&'a str>,
}

impl ResultProperties<'_> {
    fn is_empty(&self) -> bool {
        self.field.is_none() && self.value.is_none()
    }
}

/// Renders the report as pretty-printed SARIF with a trailing newline.
pub fn render(report: &Report, lang: Lang) -> String {
    let catalog = Catalog::embedded();
    let rules = Rule::ALL
        .iter()
        .map(|&rule| {
            let doc = catalog.get(rule);
            Descriptor {
                id: rule.id(),
                name: pascal_case(rule.id()),
                short_description: Message {
                    text: doc.title.get(lang).to_string(),
                },
                full_description: Message {
                    text: doc.checks.get(lang).to_string(),
                },
                help: Help {
                    text: doc.plain_body(lang),
                    markdown: doc.markdown_body(lang),
                },
                default_configuration: Configuration {
                    level: level(rule.default_severity()),
                },
            }
        })
        .collect();

    let mut seen: HashMap<u64, u32> = HashMap::new();
    let results = report
        .diagnostics
        .iter()
        .map(|d| {
            let hash = fingerprint(d);
            // Identical findings (same rule, value and place description) get
            // 0, 1, 2… in report order, which is itself stable.
            let n = seen.entry(hash).or_insert(0);
            let print = format!("{hash:016x}:{n}");
            *n += 1;
            result(d, print, lang)
        })
        .collect();

    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "yima",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    rules,
                },
            },
            results,
        }],
    };
    let mut s = serde_json::to_string_pretty(&log).expect("SARIF serializes");
    s.push('\n');
    s
}

fn result(d: &Diagnostic, fingerprint: String, lang: Lang) -> SarifResult<'_> {
    let mut text = located_message(&d.origin, d.message.get(lang));
    let help = d.help.get(lang);
    if !help.is_empty() {
        text.push('\n');
        text.push_str(help);
    }
    let region = match d.origin.row.filter(|r| *r > 0) {
        Some(row) => Region {
            start_line: row,
            start_column: d.origin.col.map(|c| c + 1),
        },
        None => Region {
            start_line: 1,
            start_column: None,
        },
    };
    SarifResult {
        rule_id: d.rule.id(),
        rule_index: index_of(d.rule),
        level: level(d.severity),
        message: Message { text },
        locations: [Location {
            physical_location: PhysicalLocation {
                artifact_location: ArtifactLocation {
                    uri: artifact_uri(&d.origin.file),
                },
                region,
            },
            properties: LocationProperties {
                sheet: d.origin.sheet.as_deref(),
                cell: d.origin.a1(),
                column: d.origin.column_letter(),
            },
        }],
        partial_fingerprints: BTreeMap::from([(FINGERPRINT_KEY, fingerprint)]),
        properties: ResultProperties {
            field: d.field,
            value: d.value.as_deref(),
        },
    }
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// `uscc-invalid` → `UsccInvalid`.
fn pascal_case(id: &str) -> String {
    id.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// The file as a URI reference: a relative path stays relative (with `/`),
/// an absolute one becomes a `file://` URI. Characters a URI cannot hold are
/// percent-encoded; other non-ASCII characters stay as UTF-8, which GitHub
/// accepts and shows as written.
fn artifact_uri(file: &str) -> String {
    let path = file.replace('\\', "/");
    let path = path.strip_prefix("./").unwrap_or(&path);
    let bytes = path.as_bytes();
    let drive = bytes.len() >= 3 && bytes[0].is_ascii_alphabetic() && &bytes[1..3] == b":/";
    if drive {
        // `C:/dir/a.xlsx` → `file:///C:/dir/a.xlsx`
        format!("file:///{}:{}", &path[..1], encode(&path[2..]))
    } else if path.starts_with('/') {
        format!("file://{}", encode(path))
    } else {
        encode(path)
    }
}

fn encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        let keep = !c.is_ascii() || c.is_ascii_alphanumeric() || "/-._~!$&'()*+,;=@".contains(c);
        if keep {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

/// FNV-1a over what identifies a finding; stable across runs, platforms and
/// Rust versions (unlike `std`'s hasher). The row enters only when the finding
/// has no 序号/name context to be known by.
fn fingerprint(d: &Diagnostic) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |s: &str| {
        for b in s.bytes().chain(std::iter::once(0)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    };
    feed(d.rule.id());
    feed(&artifact_uri(&d.origin.file));
    feed(d.origin.sheet.as_deref().unwrap_or(""));
    feed(d.field.unwrap_or(""));
    feed(d.header.as_deref().unwrap_or(""));
    feed(d.value.as_deref().unwrap_or(""));
    if d.context.is_empty() {
        feed(&place(&d.origin).unwrap_or_default());
    } else {
        for (k, v) in &d.context {
            feed(k);
            feed(v);
        }
        // Cells of one row share its context; the column tells them apart.
        feed(&d.origin.column_letter().unwrap_or_default());
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_with_slashes_or_file_uris() {
        assert_eq!(artifact_uri("filings/公安.xlsx"), "filings/公安.xlsx");
        assert_eq!(artifact_uri(r".\filings\公安.xlsx"), "filings/公安.xlsx");
        assert_eq!(
            artifact_uri("filings/民政 局#1.xlsx"),
            "filings/民政%20局%231.xlsx"
        );
        assert_eq!(artifact_uri("/tmp/a b.csv"), "file:///tmp/a%20b.csv");
        assert_eq!(artifact_uri(r"C:\Users\a.xlsx"), "file:///C:/Users/a.xlsx");
        // A colon in a relative path would read as a URI scheme.
        assert_eq!(artifact_uri("12:30 报表.csv"), "12%3A30%20报表.csv");
    }

    #[test]
    fn names_are_pascal_case() {
        assert_eq!(pascal_case("uscc-invalid"), "UsccInvalid");
        assert_eq!(
            pascal_case("promised-exceeds-statutory"),
            "PromisedExceedsStatutory"
        );
    }
}

//! `codes.lock` as a log: two comment lines, a header, then one event a
//! line as a JSON object — a code issued, renamed or retired, a release
//! stamped — numbered from 1 and ending in a chain value:
//!
//! ```text
//! {"registry":"yima codes.lock","version":2}
//! {"n":1,"op":"issue","code":"430101001000","category":"行政许可","sector":"公安","name":"户口迁移","origin":"issued","chain":"9c1f…"}
//! {"n":2,"op":"rename","code":"430101001000","name":"户口迁移登记","chain":"04ab…"}
//! {"n":3,"op":"release","version":"2026.1","chain":"77e0…"}
//! ```
//!
//! The chain value of a line is the sha256, in hex, of the previous line's
//! chain value (empty for the first), a newline, and the line's own text up
//! to `,"chain":`. Any edit to a line breaks its chain; a line removed,
//! repeated or moved breaks the numbering. Lines are written with fixed key
//! order and JSON escaping, so the same events always give the same bytes
//! and an append never changes a line already written.

use super::Status;
use super::{Damage, Event, Integrity, Migrated, Provenance, Record, Registry, RegistryError};
use arcstr::ArcStr;
use rustc_hash::FxHashMap;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::borrow::Cow;

/// The format's version: the YAML of earlier versions was 1.
pub const VERSION: u32 = 2;

const COMMENT: &str = "# 基本编码登记簿（yima 维护，只增不减，请勿手工修改；格式见 docs/codes.md）\n# The code registry, maintained by yima: an append-only log, one event a line, chained. Do not edit.\n";
const HEADER: &str = r#"{"registry":"yima codes.lock","version":2}"#;
const CHAIN_KEY: &str = r#","chain":""#;

/// Whether a registry text is the log (its first line that is not a
/// comment is a JSON object).
pub fn is_log(text: &str) -> bool {
    text.lines()
        .map(str::trim_start)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .is_some_and(|l| l.starts_with('{'))
}

#[derive(Deserialize)]
#[serde(rename_all = "lowercase")]
enum Op {
    Issue,
    Rename,
    Retire,
    Release,
}

/// A line as written; which fields an event has depends on its `op`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Line<'a> {
    n: u64,
    op: Op,
    #[serde(borrow, default)]
    code: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    category: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    sector: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    sub_name: Option<Cow<'a, str>>,
    #[serde(default)]
    origin: Option<Provenance>,
    #[serde(borrow, default)]
    version: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    current_name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    current_sub_name: Option<Cow<'a, str>>,
    #[serde(default)]
    status: Option<Status>,
    #[serde(borrow, default)]
    first_release: Option<Cow<'a, str>>,
    #[serde(default)]
    former_names: Option<Vec<String>>,
    #[allow(dead_code)] // checked on the raw line, before parsing
    #[serde(borrow)]
    chain: Cow<'a, str>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    registry: String,
    version: u32,
}

/// One copy of each category and sector name: a handful of values shared
/// by a million records.
#[derive(Default)]
struct Interner(FxHashMap<String, ArcStr>);

impl Interner {
    fn get(&mut self, s: &str) -> ArcStr {
        if let Some(a) = self.0.get(s) {
            return a.clone();
        }
        let a = ArcStr::from(s);
        self.0.insert(s.to_string(), a.clone());
        a
    }
}

/// Reads the log. Damage is recorded at its line; only a header of another
/// format or version is an error.
pub fn parse(text: &str) -> Result<Registry, RegistryError> {
    let mut reader = LogReader::with_capacity(memchr::memchr_iter(b'\n', text.as_bytes()).count());
    let mut pieces = text.split('\n').peekable();
    while let Some(line) = pieces.next() {
        if line.is_empty() && pieces.peek().is_none() {
            break; // the final newline
        }
        reader.line(line)?;
    }
    Ok(reader.finish())
}

/// Reads the log a line at a time from `input`, which need not fit in
/// memory beside the registry.
pub fn read(input: &mut dyn std::io::BufRead) -> Result<Registry, RegistryError> {
    let mut reader = LogReader::with_capacity(0);
    let mut line = String::new();
    loop {
        line.clear();
        let n = input
            .read_line(&mut line)
            .map_err(|e| RegistryError(e.to_string()))?;
        if n == 0 {
            break;
        }
        reader.line(line.strip_suffix('\n').unwrap_or(&line))?;
    }
    Ok(reader.finish())
}

/// The log being read, a line at a time.
struct LogReader {
    reg: Registry,
    interner: Interner,
    header: bool,
    /// The previous line's chain value; None after a line without one (its
    /// successor cannot be checked, and one damage is reported once).
    prev: Option<[u8; 64]>,
    /// Whether there was a previous line (the first chains from nothing).
    chained: bool,
    expected: u64,
    lineno: usize,
}

impl LogReader {
    fn with_capacity(lines: usize) -> LogReader {
        let mut reg = Registry::default();
        reg.records.reserve(lines);
        reg.lines.reserve(lines);
        reg.log.reserve(lines);
        LogReader {
            reg,
            interner: Interner::default(),
            header: false,
            prev: Some([0; 64]),
            chained: false,
            expected: 1,
            lineno: 0,
        }
    }

    fn damage(&mut self, d: Damage) {
        self.reg.damage.push(Integrity {
            line: self.lineno,
            damage: d,
        });
    }

    fn line(&mut self, raw: &str) -> Result<(), RegistryError> {
        self.lineno += 1;
        let lineno = self.lineno;
        // A checkout that turned line ends into CRLF changes no event.
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if !self.header {
            if line.starts_with('#') {
                return Ok(());
            }
            let h: Header = serde_json::from_str(line).map_err(|e| {
                RegistryError(format!("line {lineno}: not a codes.lock header: {e}"))
            })?;
            if h.registry != "yima codes.lock" || h.version != VERSION {
                return Err(RegistryError(format!(
                    "line {lineno}: codes.lock format {} version {} is not one this yima reads (version {VERSION})",
                    h.registry, h.version
                )));
            }
            self.header = true;
            return Ok(());
        }
        let Some((prefix, chain)) = split_chain(line) else {
            self.damage(Damage::Unreadable(
                "no chain value at the end of the line".into(),
            ));
            self.prev = None;
            self.chained = true;
            return Ok(());
        };
        let this: [u8; 64] = chain.as_bytes().try_into().expect("split_chain checks");
        let l: Line<'_> = match serde_json::from_str(line) {
            Ok(l) => l,
            Err(e) => {
                self.damage(Damage::Unreadable(e.to_string()));
                self.prev = Some(this);
                self.chained = true;
                return Ok(());
            }
        };
        if l.n > self.expected {
            self.damage(Damage::Missing {
                first: self.expected,
                last: l.n - 1,
            });
            self.expected = l.n + 1;
        } else if l.n < self.expected {
            self.damage(Damage::Misplaced { n: l.n });
        } else {
            self.expected += 1;
            if let Some(p) = &self.prev {
                let prev: &[u8] = if self.chained { p } else { &[] };
                if chain_of(prev, prefix) != this {
                    self.damage(Damage::Altered);
                }
            }
        }
        self.prev = Some(this);
        self.chained = true;
        if let Err(d) = apply(&mut self.reg, l, lineno, &mut self.interner) {
            self.damage(d);
        }
        Ok(())
    }

    fn finish(self) -> Registry {
        self.reg
    }
}

/// The line's text before its chain value, and the value (64 hex digits).
fn split_chain(line: &str) -> Option<(&str, &str)> {
    let at = line.rfind(CHAIN_KEY)?;
    let value = line[at + CHAIN_KEY.len()..].strip_suffix("\"}")?;
    (value.len() == 64
        && value
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
    .then(|| (&line[..at], value))
}

/// The chain value of a line: sha256(previous value, "\n", text), in hex.
fn chain_of(prev: &[u8], prefix: &str) -> [u8; 64] {
    let mut h = Sha256::new();
    h.update(prev);
    h.update(b"\n");
    h.update(prefix.as_bytes());
    let digest = h.finalize();
    let mut out = [0u8; 64];
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for (i, b) in digest.iter().enumerate() {
        out[2 * i] = HEX[(b >> 4) as usize];
        out[2 * i + 1] = HEX[(b & 15) as usize];
    }
    out
}

/// Applies one event to the registry being read.
fn apply(
    reg: &mut Registry,
    l: Line<'_>,
    lineno: usize,
    interner: &mut Interner,
) -> Result<(), Damage> {
    let missing = |what: &str| Damage::Unreadable(format!("no `{what}`"));
    let code = l.code.as_deref();
    match l.op {
        Op::Issue => {
            let code = code.ok_or_else(|| missing("code"))?;
            let name = ArcStr::from(l.name.as_deref().ok_or_else(|| missing("name"))?);
            let sub_name = ArcStr::from(l.sub_name.as_deref().unwrap_or(""));
            let mut rec = Record {
                code: code.to_string(),
                category: interner.get(l.category.as_deref().ok_or_else(|| missing("category"))?),
                sector: interner.get(l.sector.as_deref().ok_or_else(|| missing("sector"))?),
                name: name.clone(),
                sub_name: sub_name.clone(),
                registered_name: name,
                registered_sub_name: sub_name,
                status: Status::Active,
                origin: l.origin.ok_or_else(|| missing("origin"))?,
                serial: reg.records.len() as u64 + 1,
                first_release: ArcStr::new(),
                former_names: Vec::new(),
            };
            let migrated = migrated(&l, &rec, interner);
            if let Some(m) = &migrated {
                rec.name = m.name.clone();
                rec.sub_name = m.sub_name.clone();
                rec.status = m.status;
                rec.first_release = m.first_release.clone();
                rec.former_names = m.former_names.clone();
            }
            let (i, taken) = reg.insert(rec, lineno as u32);
            reg.log.push(Event::Issue {
                record: i,
                migrated: migrated.map(Box::new),
            });
            if taken.code {
                Err(Damage::DuplicateCode(code.to_string()))
            } else if taken.key {
                Err(Damage::DuplicateKey(code.to_string()))
            } else {
                Ok(())
            }
        }
        Op::Rename => {
            let code = code.ok_or_else(|| missing("code"))?;
            let i = reg
                .index_of(code)
                .ok_or_else(|| Damage::UnknownCode(code.to_string()))?;
            let name = ArcStr::from(l.name.as_deref().ok_or_else(|| missing("name"))?);
            let sub_name = ArcStr::from(l.sub_name.as_deref().unwrap_or(""));
            reg.apply_rename(i, name.clone(), sub_name.clone());
            reg.log.push(Event::Rename {
                record: i,
                name,
                sub_name,
            });
            Ok(())
        }
        Op::Retire => {
            let code = code.ok_or_else(|| missing("code"))?;
            let i = reg
                .index_of(code)
                .ok_or_else(|| Damage::UnknownCode(code.to_string()))?;
            if reg.records[i as usize].status == Status::Active {
                reg.apply_retire(i);
            }
            reg.log.push(Event::Retire { record: i });
            Ok(())
        }
        Op::Release => {
            let version = interner.get(l.version.as_deref().ok_or_else(|| missing("version"))?);
            reg.apply_release(&version);
            reg.log.push(Event::Release { version });
            Ok(())
        }
    }
}

/// The state a migrated issue line carries beyond the issue itself.
fn migrated(l: &Line<'_>, rec: &Record, interner: &mut Interner) -> Option<Migrated> {
    let any = l.current_name.is_some()
        || l.current_sub_name.is_some()
        || l.status.is_some()
        || l.first_release.is_some()
        || l.former_names.is_some();
    any.then(|| Migrated {
        name: l
            .current_name
            .as_deref()
            .map_or_else(|| rec.name.clone(), ArcStr::from),
        sub_name: match (&l.current_name, &l.current_sub_name) {
            (_, Some(s)) => ArcStr::from(s.as_ref()),
            (Some(_), None) => ArcStr::new(),
            (None, None) => rec.sub_name.clone(),
        },
        status: l.status.unwrap_or(Status::Active),
        first_release: l
            .first_release
            .as_deref()
            .map_or_else(ArcStr::new, |v| interner.get(v)),
        former_names: l.former_names.clone().unwrap_or_default(),
    })
}

/// Writes the log: every event, numbered and chained.
pub fn write(reg: &Registry) -> String {
    let mut out: Vec<u8> = Vec::with_capacity(256 + reg.log.len() * 240);
    write_to(reg, &mut out).expect("writing to memory");
    String::from_utf8(out).expect("the log is written from text and ASCII")
}

/// Writes the log to `out` a line at a time: a file of a million codes is
/// never held whole in memory.
pub fn write_to(reg: &Registry, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    out.write_all(COMMENT.as_bytes())?;
    out.write_all(HEADER.as_bytes())?;
    out.write_all(b"\n")?;
    let mut prev = [0u8; 64];
    let mut chained = false;
    let mut buf: Vec<u8> = Vec::with_capacity(512);
    for (k, event) in reg.log.iter().enumerate() {
        buf.clear();
        line(&mut buf, k as u64 + 1, event, reg);
        let chain = chain_of(if chained { &prev } else { &[] }, str_of(&buf));
        buf.extend_from_slice(CHAIN_KEY.as_bytes());
        buf.extend_from_slice(&chain);
        buf.extend_from_slice(b"\"}\n");
        out.write_all(&buf)?;
        prev = chain;
        chained = true;
    }
    Ok(())
}

fn str_of(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).expect("the log is written from text and ASCII")
}

/// Writes a JSON string.
fn json(out: &mut Vec<u8>, s: &str) {
    serde_json::to_writer(&mut *out, s).expect("writing to memory");
}

fn field(out: &mut Vec<u8>, key: &str, value: &str) {
    out.push(b',');
    json(out, key);
    out.push(b':');
    json(out, value);
}

/// A line's text up to its chain value.
fn line(out: &mut Vec<u8>, n: u64, event: &Event, reg: &Registry) {
    use std::io::Write as _;
    let _ = write!(out, "{{\"n\":{n},\"op\":");
    let rec = |i: &u32| &reg.records[*i as usize];
    match event {
        Event::Issue { record, migrated } => {
            let r = rec(record);
            json(out, "issue");
            field(out, "code", &r.code);
            field(out, "category", &r.category);
            field(out, "sector", &r.sector);
            field(out, "name", &r.registered_name);
            if !r.registered_sub_name.is_empty() {
                field(out, "sub_name", &r.registered_sub_name);
            }
            field(
                out,
                "origin",
                match r.origin {
                    Provenance::Issued => "issued",
                    Provenance::External => "external",
                },
            );
            if let Some(m) = migrated {
                if (&m.name, &m.sub_name) != (&r.registered_name, &r.registered_sub_name) {
                    field(out, "current_name", &m.name);
                    if !m.sub_name.is_empty() {
                        field(out, "current_sub_name", &m.sub_name);
                    }
                }
                if m.status == Status::Retired {
                    field(out, "status", "retired");
                }
                if !m.first_release.is_empty() {
                    field(out, "first_release", &m.first_release);
                }
                if !m.former_names.is_empty() {
                    out.extend_from_slice(b",\"former_names\":");
                    serde_json::to_writer(&mut *out, &m.former_names).expect("writing to memory");
                }
            }
        }
        Event::Rename {
            record,
            name,
            sub_name,
        } => {
            json(out, "rename");
            field(out, "code", &rec(record).code);
            field(out, "name", name);
            if !sub_name.is_empty() {
                field(out, "sub_name", sub_name);
            }
        }
        Event::Retire { record } => {
            json(out, "retire");
            field(out, "code", &rec(record).code);
        }
        Event::Release { version } => {
            json(out, "release");
            field(out, "version", version);
        }
    }
}

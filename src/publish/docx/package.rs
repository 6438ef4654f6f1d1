//! The OOXML package of a Word guide: which parts it holds, their content
//! types and relationships — derived from one list, so they always agree —
//! and the zip they are written into, deterministically: parts in a fixed
//! order, every entry with the same time stamp and permissions, deflated.
//!
//! The parts that are the same in every document of a build (styles, fonts,
//! settings, numbering of a guide, header, footer, the package plumbing) are
//! rendered and compressed once, into a skeleton archive whose entries each
//! document copies as they are; only the document, its relationships and its
//! properties (and a 汇编's numbering) are compressed per document.

use super::super::PublishError;
use crate::publish::templates::escape_xml;
use std::io::{Cursor, Write};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipArchive, ZipWriter};

/// The kinds of Word documents a build writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `guides/<实施编码>.docx`.
    Guide,
    /// `guides/<统一社会信用代码>-办事指南汇编.docx`: also a cover page with
    /// its own (empty) header and footer.
    Compilation,
}

/// A content type of an Office part.
macro_rules! ct {
    ($s:literal) => {
        concat!("application/vnd.openxmlformats-officedocument.", $s)
    };
}

/// A relationship type of an Office part.
macro_rules! rel {
    ($s:literal) => {
        concat!(
            "http://schemas.openxmlformats.org/officeDocument/2006/relationships/",
            $s
        )
    };
}

/// A part of the package.
struct Part {
    name: &'static str,
    content_type: &'static str,
    /// Its relationship from the package (`_rels/.rels`) or from the main
    /// document (`word/_rels/document.xml.rels`): id and type.
    rel: Option<(&'static str, &'static str)>,
}

/// The type of a hyperlink's relationship.
const HYPERLINK: &str = rel!("hyperlink");

/// The parts of a guide, in the order they are written. The first three
/// are the package's own; the rest are the main document's.
const GUIDE_PARTS: &[Part] = &[
    Part {
        name: "word/document.xml",
        content_type: ct!("wordprocessingml.document.main+xml"),
        rel: Some(("rId1", rel!("officeDocument"))),
    },
    Part {
        name: "docProps/core.xml",
        content_type: "application/vnd.openxmlformats-package.core-properties+xml",
        rel: Some((
            "rId2",
            "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties",
        )),
    },
    Part {
        name: "docProps/app.xml",
        content_type: ct!("extended-properties+xml"),
        rel: Some(("rId3", rel!("extended-properties"))),
    },
    Part {
        name: "word/styles.xml",
        content_type: ct!("wordprocessingml.styles+xml"),
        rel: Some(("rIdStyles", rel!("styles"))),
    },
    Part {
        name: "word/settings.xml",
        content_type: ct!("wordprocessingml.settings+xml"),
        rel: Some(("rIdSettings", rel!("settings"))),
    },
    Part {
        name: "word/fontTable.xml",
        content_type: ct!("wordprocessingml.fontTable+xml"),
        rel: Some(("rIdFonts", rel!("fontTable"))),
    },
    Part {
        name: "word/numbering.xml",
        content_type: ct!("wordprocessingml.numbering+xml"),
        rel: Some(("rIdNumbering", rel!("numbering"))),
    },
    Part {
        name: "word/header1.xml",
        content_type: ct!("wordprocessingml.header+xml"),
        rel: Some(("rIdHeader", rel!("header"))),
    },
    Part {
        name: "word/footer1.xml",
        content_type: ct!("wordprocessingml.footer+xml"),
        rel: Some(("rIdFooter", rel!("footer"))),
    },
];

/// The cover page's header and footer, which a 汇编 has besides.
const COVER_PARTS: &[Part] = &[
    Part {
        name: "word/header2.xml",
        content_type: ct!("wordprocessingml.header+xml"),
        rel: Some(("rIdHeaderFirst", rel!("header"))),
    },
    Part {
        name: "word/footer2.xml",
        content_type: ct!("wordprocessingml.footer+xml"),
        rel: Some(("rIdFooterFirst", rel!("footer"))),
    },
];

/// The number of package-level parts at the head of [`GUIDE_PARTS`].
const PACKAGE_PARTS: usize = 3;

/// The empty header and footer of a 汇编's cover.
const EMPTY_HEADER: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:hdr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:p/></w:hdr>
"#;
const EMPTY_FOOTER: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:ftr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:p/></w:ftr>
"#;

const APP: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>yima</Application><DocSecurity>0</DocSecurity></Properties>
"#;

/// The time stamp of every entry and of the document properties: a build
/// of the same catalog gives the same bytes (as the catalog workbooks do).
const CREATED: &str = "2024-01-01T00:00:00Z";

fn parts(kind: Kind) -> impl Iterator<Item = &'static Part> {
    let cover: &[Part] = match kind {
        Kind::Guide => &[],
        Kind::Compilation => COVER_PARTS,
    };
    GUIDE_PARTS.iter().chain(cover)
}

/// `[Content_Types].xml`: every part by name.
fn content_types(kind: Kind) -> String {
    let mut s = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>"#,
    );
    for p in parts(kind) {
        s.push_str(&format!(
            r#"<Override PartName="/{}" ContentType="{}"/>"#,
            p.name, p.content_type
        ));
    }
    s.push_str("</Types>\n");
    s
}

fn relationship(id: &str, kind: &str, target: &str) -> String {
    format!(r#"<Relationship Id="{id}" Type="{kind}" Target="{target}"/>"#)
}

const RELS_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#;

/// `_rels/.rels`: the package's relationships.
fn package_rels() -> String {
    let mut s = String::from(RELS_HEAD);
    for p in &GUIDE_PARTS[..PACKAGE_PARTS] {
        if let Some((id, kind)) = p.rel {
            s.push_str(&relationship(id, kind, p.name));
        }
    }
    s.push_str("</Relationships>\n");
    s
}

/// `word/_rels/document.xml.rels`: the main document's parts, and each link
/// (`(id, href)`) as an external target.
fn document_rels(kind: Kind, links: &[(String, &str)]) -> String {
    let mut s = String::from(RELS_HEAD);
    for p in parts(kind).skip(PACKAGE_PARTS) {
        if let Some((id, kind)) = p.rel {
            let target = p.name.strip_prefix("word/").unwrap_or(p.name);
            s.push_str(&relationship(id, kind, target));
        }
    }
    for (id, href) in links {
        s.push_str(&format!(
            r#"<Relationship Id="{id}" Type="{HYPERLINK}" Target="{}" TargetMode="External"/>"#,
            escape_xml(&uri(href))
        ));
    }
    s.push_str("</Relationships>\n");
    s
}

/// A link target as a URI reference Word accepts: bytes outside the URI
/// characters (spaces, non-ASCII, `{|}^\`…) and a `%` that starts no escape
/// are percent-encoded. Word refuses a package whose relationship targets
/// are not URIs.
pub fn uri(href: &str) -> String {
    const KEEP: &[u8] = b"-._~:/?#[]@!$&'()*+,;=";
    let b = href.as_bytes();
    let mut out = String::with_capacity(href.len());
    for (i, &c) in b.iter().enumerate() {
        let escape_start = c == b'%'
            && b.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
            && b.get(i + 2).is_some_and(u8::is_ascii_hexdigit);
        if c.is_ascii_alphanumeric() || KEEP.contains(&c) || escape_start {
            out.push(char::from(c));
        } else {
            out.push_str(&format!("%{c:02X}"));
        }
    }
    out
}

/// The document properties (`docProps/core.xml`).
pub struct Core<'a> {
    pub title: &'a str,
    pub subject: &'a str,
    /// The catalog, named as the documents' author.
    pub creator: &'a str,
    pub keywords: &'a str,
}

fn core_xml(c: &Core<'_>) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>{}</dc:title><dc:subject>{}</dc:subject><dc:creator>{}</dc:creator><cp:keywords>{}</cp:keywords><dc:language>zh-CN</dc:language><cp:revision>1</cp:revision><dcterms:created xsi:type="dcterms:W3CDTF">{CREATED}</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">{CREATED}</dcterms:modified></cp:coreProperties>
"#,
        escape_xml(c.title),
        escape_xml(c.subject),
        escape_xml(c.creator),
        escape_xml(c.keywords),
    )
}

/// The parts of one kind of document that are the same throughout a build,
/// already compressed.
pub struct Skeleton {
    kind: Kind,
    /// A zip of the constant parts; the first [`HEAD`] go before the
    /// document's own parts, the others after.
    zip: Vec<u8>,
}

/// `[Content_Types].xml` and `_rels/.rels` come first in every package.
const HEAD: usize = 2;

/// The constant parts rendered from the templates of a build.
pub struct Constant {
    pub styles: String,
    pub settings: String,
    pub fonts: String,
    /// Absent for a 汇编, whose lists are one per guide.
    pub numbering: Option<String>,
    pub header: String,
    pub footer: String,
}

impl Skeleton {
    pub fn new(kind: Kind, c: &Constant) -> Result<Skeleton, PublishError> {
        let mut w = ZipWriter::new(Cursor::new(Vec::new()));
        let mut add = |name: &str, data: &str| -> Result<(), PublishError> {
            w.start_file(name, options()).map_err(zip_error)?;
            w.write_all(data.as_bytes())?;
            Ok(())
        };
        add("[Content_Types].xml", &content_types(kind))?;
        add("_rels/.rels", &package_rels())?;
        add("docProps/app.xml", APP)?;
        add("word/styles.xml", &c.styles)?;
        add("word/settings.xml", &c.settings)?;
        add("word/fontTable.xml", &c.fonts)?;
        if let Some(n) = &c.numbering {
            add("word/numbering.xml", n)?;
        }
        add("word/header1.xml", &c.header)?;
        add("word/footer1.xml", &c.footer)?;
        if kind == Kind::Compilation {
            add("word/header2.xml", EMPTY_HEADER)?;
            add("word/footer2.xml", EMPTY_FOOTER)?;
        }
        let zip = w.finish().map_err(zip_error)?.into_inner();
        Ok(Skeleton { kind, zip })
    }

    /// One document: the skeleton's parts and `document` (the main part),
    /// its `links` (`(id, href)`), its properties and, for a 汇编, its
    /// numbering.
    pub fn pack(
        &self,
        document: &str,
        links: &[(String, &str)],
        core: &Core<'_>,
        numbering: Option<&str>,
    ) -> Result<Vec<u8>, PublishError> {
        let mut skeleton = ZipArchive::new(Cursor::new(&self.zip[..])).map_err(zip_error)?;
        let mut w = ZipWriter::new(Cursor::new(Vec::with_capacity(
            self.zip.len() + document.len() / 4,
        )));
        for i in 0..HEAD {
            w.raw_copy_file(skeleton.by_index_raw(i).map_err(zip_error)?)
                .map_err(zip_error)?;
        }
        let rels = document_rels(self.kind, links);
        let core = core_xml(core);
        let mut own = vec![
            ("word/document.xml", document),
            ("word/_rels/document.xml.rels", rels.as_str()),
            ("docProps/core.xml", core.as_str()),
        ];
        if let Some(n) = numbering {
            own.push(("word/numbering.xml", n));
        }
        for (name, data) in own {
            w.start_file(name, options()).map_err(zip_error)?;
            w.write_all(data.as_bytes())?;
        }
        for i in HEAD..skeleton.len() {
            w.raw_copy_file(skeleton.by_index_raw(i).map_err(zip_error)?)
                .map_err(zip_error)?;
        }
        Ok(w.finish().map_err(zip_error)?.into_inner())
    }
}

/// Every entry alike: deflated, one fixed time stamp, read-write for the
/// owner and readable for others.
fn options() -> SimpleFileOptions {
    SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(1))
        .last_modified_time(DateTime::from_date_and_time(2024, 1, 1, 0, 0, 0).unwrap_or_default())
        .unix_permissions(0o644)
}

fn zip_error(e: zip::result::ZipError) -> PublishError {
    PublishError::Word(e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_keep_urls_and_encode_the_rest() {
        assert_eq!(uri("https://x.cn/a?b=1&c=%20"), "https://x.cn/a?b=1&c=%20");
        assert_eq!(uri("../forms/ab.pdf"), "../forms/ab.pdf");
        assert_eq!(
            uri("https://政务.cn/a b"),
            "https://%E6%94%BF%E5%8A%A1.cn/a%20b"
        );
        assert_eq!(uri("https://x.cn/100%"), "https://x.cn/100%25");
        assert_eq!(uri("https://x.cn/{a}|^"), "https://x.cn/%7Ba%7D%7C%5E");
    }

    #[test]
    fn every_part_has_a_content_type_and_a_relationship() {
        for kind in [Kind::Guide, Kind::Compilation] {
            let types = content_types(kind);
            let rels = format!("{}{}", package_rels(), document_rels(kind, &[]));
            for p in parts(kind) {
                assert!(
                    types.contains(&format!("PartName=\"/{}\"", p.name)),
                    "{}",
                    p.name
                );
                // The package links its parts by full name, the document
                // its own by a name relative to word/.
                let target = p.name.strip_prefix("word/").unwrap_or(p.name);
                assert!(
                    rels.contains(&format!("Target=\"{}\"", p.name))
                        || rels.contains(&format!("Target=\"{target}\"")),
                    "{}",
                    p.name
                );
            }
        }
        assert!(content_types(Kind::Compilation).contains("/word/footer2.xml"));
        assert!(!content_types(Kind::Guide).contains("/word/footer2.xml"));
    }

    #[test]
    fn link_targets_are_escaped() {
        let rels = document_rels(
            Kind::Guide,
            &[("rIdL1".into(), "https://x.cn/?a=1&b=\"2\"")],
        );
        assert!(
            rels.contains(r#"Id="rIdL1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" Target="https://x.cn/?a=1&amp;b=%222%22" TargetMode="External""#),
            "{rels}"
        );
    }
}

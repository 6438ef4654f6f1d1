//! The paper guides (纸质办事指南, SPEC §9): for every active entry
//! `guides/<实施编码>.docx`, and for every agency
//! `guides/<统一社会信用代码>-办事指南汇编.docx` — a cover, a table of
//! contents and each of the agency's guides on pages of its own — Word
//! documents to print at the service center's windows and to edit in Word
//! or WPS.
//!
//! A Word guide is rendered from the same [`Guide`] context as the HTML and
//! Markdown guides, through the templates `docx/*.xml`: the same sections,
//! order and labels. Its body (`docx/guide.xml`) is rendered once and serves
//! both the guide and its chapter of the 汇编. The package around it
//! ([`package`]) is deterministic, so a document is a function of its
//! entries, the templates and the release alone.
//!
//! Why templates rather than a docx-writing crate: see docs/formats.md
//! (Word guides): the crate that writes OOXML from Rust (docx-rs) cannot
//! mark repeated table header rows or declare font fallbacks, numbers its
//! links and bookmarks from process-wide counters (so parallel renders
//! differ from run to run), stores its parts uncompressed and writes control
//! characters into the XML.

mod package;

use super::forms::Forms;
use super::guides::{Guide, path_safe, progress};
use super::templates::Templates;
use super::{BuildContext, GUIDES_DIR, Plan, PublishError};
use crate::catalog::{CatalogEntry, lazy::Entry};
use minijinja::{Value, context};
use package::{Constant, Core, Kind, Skeleton};
use rayon::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};

/// The template of a guide's body.
pub const BODY_TEMPLATE: &str = "docx/guide.xml";
/// The template of a guide's main part.
pub const DOCUMENT_TEMPLATE: &str = "docx/document.xml";
/// The template of a 汇编's main part.
pub const COMPILATION_TEMPLATE: &str = "docx/compilation.xml";

/// The file name of an agency's 汇编 after its code.
pub const COMPILATION_SUFFIX: &str = "-办事指南汇编.docx";

/// The list of the process steps in a guide's body (numbering.xml); the
/// 汇编 gives each guide a list of its own.
const STEPS_LIST: &str = r#"<w:numId w:val="1"/>"#;

/// What the stage wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Written {
    /// Word guides, one per entry.
    pub guides: usize,
    /// 汇编, one per agency.
    pub compilations: usize,
}

/// The relationship id of a link target in every document that has it: a
/// digest of the target, so a guide's body is the same in the guide and in
/// the 汇编 whatever other links they hold.
pub fn link_id(href: &str) -> String {
    let digest = Sha256::digest(href.as_bytes());
    let mut id = String::from("rIdL");
    for b in &digest[..16] {
        id.push_str(&format!("{b:02x}"));
    }
    id
}

/// One guide's body, kept for its agency's 汇编.
struct Chapter<'a> {
    entry: &'a CatalogEntry,
    body: String,
    links: Vec<&'a str>,
}

/// What the parts around the body see (styles.xml, settings.xml, …).
#[derive(Serialize)]
struct PartContext<'a> {
    catalog: &'a str,
    version: &'a str,
    /// A 汇编, with a table of contents.
    toc: bool,
    /// The number of step lists (numbering.xml).
    lists: usize,
}

/// What compilation.xml sees.
#[derive(Serialize)]
struct CompilationContext<'a> {
    catalog: &'a str,
    version: &'a str,
    agency: &'a str,
    agency_code: &'a str,
    guides: Vec<ChapterContext<'a>>,
}

/// One chapter of a 汇编 as compilation.xml sees it.
#[derive(Serialize)]
struct ChapterContext<'a> {
    name: &'a str,
    sub_name: &'a str,
    impl_code: &'a str,
    /// The bookmark at the guide's start, which the table of contents links.
    bookmark: String,
    /// The bookmark's number, unique in the document.
    id: usize,
    body: Value,
}

/// Writes the Word guide of every entry and the 汇编 of every agency under
/// `guides/` of the plan's tree, linking the forms copied into `forms`. A
/// document the previous build proves unchanged is kept; an agency's 汇编 is
/// rendered again when any of its entries changed (or one came or went),
/// from the bodies of all its guides.
pub fn write(
    ctx: &BuildContext<'_>,
    forms: &Forms,
    plan: &Plan<'_>,
) -> Result<Written, PublishError> {
    let templates = Templates::load(ctx.workspace)?;
    let kits = Kits::new(&templates, ctx)?;
    std::fs::create_dir_all(plan.out.root().join(GUIDES_DIR))?;
    let bar = progress(ctx, "Word 办事指南");
    let agencies = by_agency(&ctx.entries);
    agencies
        .par_iter()
        .try_for_each(|(code, entries)| -> Result<(), PublishError> {
            let rel = format!("{GUIDES_DIR}/{code}{COMPILATION_SUFFIX}");
            let stamp = ctx.agency_stamp(code);
            let key = plan.stamped_key(&rel, stamp, entries.iter().copied());
            let kept = path_safe(code) && plan.out.reuse(&key, &[&rel]);
            let chapters = entries
                .par_iter()
                .map(|&i| {
                    // (Parsed only when something of it is rendered.)
                    let e = ctx.entries[i];
                    let code = &e.summary().impl_code;
                    let own = format!("{GUIDES_DIR}/{code}.docx");
                    let c = if path_safe(code) && plan.out.reuse(&plan.keys[i], &[&own]) {
                        // The guide stays; its body is needed only when
                        // the 汇编 is rendered again.
                        (!kept)
                            .then(|| chapter(ctx, forms, &templates, e))
                            .transpose()?
                    } else {
                        let kit = kits.get(ctx.stamp(i));
                        Some(guide(ctx, forms, &templates, kit, e, plan, &plan.keys[i])?)
                    };
                    bar.inc(1);
                    Ok(c)
                })
                .collect::<Result<Vec<Option<Chapter<'_>>>, PublishError>>()?;
            if kept {
                return Ok(());
            }
            let chapters: Vec<Chapter<'_>> = chapters.into_iter().flatten().collect();
            compilation(
                ctx,
                &templates,
                kits.get(stamp),
                code,
                &chapters,
                plan,
                &key,
            )
        })?;
    bar.finish_and_clear();
    Ok(Written {
        guides: ctx.entries.len(),
        compilations: agencies.len(),
    })
}

/// The parts every document of a build shares, by the release stamp their
/// header shows.
struct Kits {
    by_stamp: BTreeMap<String, Kit>,
}

impl Kits {
    /// The kits of every stamp of the build's entries and agencies.
    fn new(t: &Templates, ctx: &BuildContext<'_>) -> Result<Kits, PublishError> {
        let mut stamps: BTreeSet<&str> = ctx.stamps.entries.iter().map(String::as_str).collect();
        stamps.extend(ctx.stamps.agencies.values().map(String::as_str));
        stamps.insert(&ctx.version);
        let by_stamp = stamps
            .into_iter()
            .map(|s| Ok((s.to_string(), Kit::new(t, ctx, s)?)))
            .collect::<Result<_, PublishError>>()?;
        Ok(Kits { by_stamp })
    }

    /// The kit of a stamp (every stamp of the build has one).
    fn get(&self, stamp: &str) -> &Kit {
        match self.by_stamp.get(stamp) {
            Some(k) => k,
            None => self
                .by_stamp
                .values()
                .next()
                .expect("the build's version has a kit"),
        }
    }
}

/// The parts every document of one release stamp shares.
struct Kit {
    guide: Skeleton,
    compilation: Skeleton,
}

impl Kit {
    fn new(t: &Templates, ctx: &BuildContext<'_>, version: &str) -> Result<Kit, PublishError> {
        let part = |name: &str, toc: bool| {
            t.render(
                name,
                &PartContext {
                    catalog: &ctx.workspace.config.release_name,
                    version,
                    toc,
                    lists: 1,
                },
            )
        };
        let constant = |toc: bool| -> Result<Constant, PublishError> {
            Ok(Constant {
                styles: part("docx/styles.xml", toc)?,
                settings: part("docx/settings.xml", toc)?,
                fonts: part("docx/fontTable.xml", toc)?,
                numbering: (!toc)
                    .then(|| part("docx/numbering.xml", toc))
                    .transpose()?,
                header: part("docx/header.xml", toc)?,
                footer: part("docx/footer.xml", toc)?,
            })
        };
        Ok(Kit {
            guide: Skeleton::new(Kind::Guide, &constant(false)?)?,
            compilation: Skeleton::new(Kind::Compilation, &constant(true)?)?,
        })
    }
}

/// The active entries (by index) grouped by agency (实施主体编码), in code
/// order.
fn by_agency<'a>(entries: &[&'a Entry]) -> Vec<(&'a str, Vec<usize>)> {
    let mut map: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, e) in entries.iter().enumerate() {
        map.entry(e.summary().agency_code.as_str())
            .or_default()
            .push(i);
    }
    map.into_iter().collect()
}

/// One entry's guide body and the links it shows.
fn chapter<'a>(
    ctx: &'a BuildContext<'_>,
    forms: &'a Forms,
    templates: &Templates,
    e: &'a CatalogEntry,
) -> Result<Chapter<'a>, PublishError> {
    if !path_safe(&e.impl_code) {
        return Err(unsafe_name("实施编码", &e.impl_code, &e.name));
    }
    let g = Guide::new(e, ctx, forms);
    let body = templates.render(BODY_TEMPLATE, &g)?;
    let links = hrefs(&g);
    Ok(Chapter {
        entry: e,
        body,
        links,
    })
}

/// Writes one entry's Word guide; returns its body for the 汇编.
fn guide<'a>(
    ctx: &'a BuildContext<'_>,
    forms: &'a Forms,
    templates: &Templates,
    kit: &Kit,
    e: &'a CatalogEntry,
    plan: &Plan<'_>,
    key: &str,
) -> Result<Chapter<'a>, PublishError> {
    let c = chapter(ctx, forms, templates, e)?;
    let document = templates.render_value(
        DOCUMENT_TEMPLATE,
        context! { body => Value::from_safe_string(c.body.clone()) },
    )?;
    let title = if e.sub_name.is_empty() {
        e.name.to_string()
    } else {
        format!("{}（{}）", e.name, e.sub_name)
    };
    let bytes = kit.guide.pack(
        &document,
        &ids(c.links.iter().copied()),
        &Core {
            title: &title,
            subject: "办事指南",
            creator: &ctx.workspace.config.release_name,
            keywords: &e.impl_code,
        },
        None,
    )?;
    plan.out
        .write(&format!("{GUIDES_DIR}/{}.docx", e.impl_code), key, &bytes)?;
    Ok(c)
}

/// Writes the 汇编 of one agency from its guides' bodies.
fn compilation(
    ctx: &BuildContext<'_>,
    templates: &Templates,
    kit: &Kit,
    code: &str,
    chapters: &[Chapter<'_>],
    plan: &Plan<'_>,
    key: &str,
) -> Result<(), PublishError> {
    let Some(first) = chapters.first() else {
        return Ok(());
    };
    if !path_safe(code) {
        return Err(unsafe_name("实施主体编码", code, &first.entry.agency));
    }
    let guides: Vec<ChapterContext<'_>> = chapters
        .iter()
        .enumerate()
        .map(|(i, c)| ChapterContext {
            name: &c.entry.name,
            sub_name: &c.entry.sub_name,
            impl_code: &c.entry.impl_code,
            bookmark: format!("_Toc{}", c.entry.impl_code),
            id: i + 1,
            // Each guide's steps are a list of their own. Values are
            // escaped, so the element can only come from the template.
            body: Value::from_safe_string(
                c.body
                    .replace(STEPS_LIST, &format!(r#"<w:numId w:val="{}"/>"#, i + 1)),
            ),
        })
        .collect();
    let agency = first.entry.agency.as_str();
    let catalog = ctx.workspace.config.release_name.as_str();
    let document = templates.render(
        COMPILATION_TEMPLATE,
        &CompilationContext {
            catalog,
            version: ctx.agency_stamp(code),
            agency,
            agency_code: code,
            guides,
        },
    )?;
    let numbering = templates.render(
        "docx/numbering.xml",
        &PartContext {
            catalog,
            version: ctx.agency_stamp(code),
            toc: true,
            lists: chapters.len(),
        },
    )?;
    let links: BTreeSet<&str> = chapters
        .iter()
        .flat_map(|c| c.links.iter().copied())
        .collect();
    let title = format!("{agency}办事指南汇编");
    let bytes = kit.compilation.pack(
        &document,
        &ids(links.into_iter()),
        &Core {
            title: &title,
            subject: "办事指南汇编",
            creator: catalog,
            keywords: code,
        },
        Some(&numbering),
    )?;
    plan.out.write(
        &format!("{GUIDES_DIR}/{code}{COMPILATION_SUFFIX}"),
        key,
        &bytes,
    )?;
    Ok(())
}

/// The link targets a guide shows, each once, in order.
fn hrefs<'a>(g: &Guide<'a>) -> Vec<&'a str> {
    let facts = g
        .sections
        .iter()
        .flat_map(|s| s.facts.iter().flat_map(|f| f.links.iter()));
    let materials = g.sections.iter().flat_map(|s| {
        s.materials
            .iter()
            .flat_map(|m| m.blank_form.iter().chain(m.sample_form.iter()))
    });
    let mut seen = BTreeSet::new();
    facts
        .chain(materials)
        .filter_map(|l| l.href)
        .filter(|h| seen.insert(*h))
        .collect()
}

/// Each link target with its relationship id.
fn ids<'a>(hrefs: impl Iterator<Item = &'a str>) -> Vec<(String, &'a str)> {
    hrefs.map(|h| (link_id(h), h)).collect()
}

fn unsafe_name(what: &str, code: &str, name: &str) -> PublishError {
    PublishError::Io(std::io::Error::new(
        std::io::ErrorKind::InvalidData,
        format!("{what} “{code}” 不能用作文件名（not usable as a file name）：{name}"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_ids_are_names_that_depend_on_the_target_alone() {
        let a = link_id("../forms/ab.pdf");
        assert_eq!(a, link_id("../forms/ab.pdf"));
        assert_ne!(a, link_id("../forms/ac.pdf"));
        assert!(a.starts_with("rIdL") && a.len() == 36, "{a}");
        assert!(a[4..].bytes().all(|b| b.is_ascii_hexdigit()));
    }
}

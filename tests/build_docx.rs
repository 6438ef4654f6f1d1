//! `yima build`: the Word guides and 办事指南汇编 of SPEC §9.
//!
//! Every document is read back with python-docx (`tests/docx/read_docx.py`,
//! a reader that shares nothing with yima's writer) and printed to PDF by
//! LibreOffice headless, whose pages poppler's tools count, read and render
//! (a PNG of page 1 is kept under `target/docx-preview/` to look at).
//! These tools are installed by `.ci/run`; with `CI` set a missing one fails
//! the test, elsewhere the test says so and stops.
//!
//! Two workspaces: the full-element sample of `examples/workspace` (two
//! agencies, every element, fee items, questions, forms), and an ordinary
//! one ingested from a filing of three entries with five materials each.

mod support;

use assert_cmd::Command;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use support::{Filing, Record};
use yima::catalog::CatalogEntry;
use yima::codes::registry::Status;

// --- tools ------------------------------------------------------------------

/// Whether the tests must have their tools (CI), rather than skip without.
fn required() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false")
}

/// `Some(())` when `ok`; else fails under CI, or says why the test stops.
fn have(ok: bool, what: &str) -> Option<()> {
    if ok {
        return Some(());
    }
    assert!(
        !required(),
        "{what} is missing; .ci/run installs it (CI is set, so this fails)"
    );
    eprintln!("skipped: {what} is missing (.ci/run installs it)");
    None
}

/// The Python that has python-docx: `YIMA_PYTHON`, else `target/py-venv`
/// (where .ci/run installs it), else `python3`.
fn python() -> Option<PathBuf> {
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/py-venv/bin/python");
    let python = std::env::var_os("YIMA_PYTHON")
        .map(PathBuf::from)
        .or_else(|| venv.is_file().then_some(venv))
        .unwrap_or_else(|| "python3".into());
    let ok = std::process::Command::new(&python)
        .args(["-c", "import docx"])
        .output()
        .is_ok_and(|o| o.status.success());
    have(
        ok,
        "python-docx (pip install -r tests/docx/requirements.txt)",
    )?;
    Some(python)
}

fn runs(tool: &str, arg: &str) -> bool {
    std::process::Command::new(tool)
        .arg(arg)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// LibreOffice and poppler's tools.
fn printing_tools() -> Option<()> {
    have(
        runs("soffice", "--version"),
        "LibreOffice (apt-get install libreoffice-writer-nogui)",
    )?;
    have(
        runs("pdfinfo", "-v") && runs("pdftoppm", "-v"),
        "poppler-utils (pdfinfo, pdftotext, pdftoppm)",
    )
}

/// What python-docx reads in each file, by path.
fn read_docx(python: &Path, files: &[PathBuf]) -> BTreeMap<PathBuf, Value> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/docx/read_docx.py");
    let out = std::process::Command::new(python)
        .arg(script)
        .args(files)
        .output()
        .expect("run read_docx.py");
    assert!(
        out.status.success(),
        "python-docx could not read a document: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let all: BTreeMap<String, Value> = serde_json::from_slice(&out.stdout).expect("json");
    all.into_iter()
        .map(|(k, v)| (PathBuf::from(k), v))
        .collect()
}

/// Prints `files` to PDF in `out` with LibreOffice (a private profile, so
/// tests running at once do not share one instance).
fn print_pdf(files: &[PathBuf], out: &Path) {
    let profile = out.join("lo-profile");
    let status = std::process::Command::new("soffice")
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(out)
        .args(files)
        .output()
        .expect("run soffice");
    assert!(status.status.success(), "{status:?}");
    for f in files {
        let pdf = pdf_of(f, out);
        assert!(pdf.is_file(), "LibreOffice did not print {}", f.display());
    }
}

fn pdf_of(docx: &Path, dir: &Path) -> PathBuf {
    dir.join(docx.with_extension("pdf").file_name().expect("name"))
}

fn pdf_info(pdf: &Path) -> String {
    let out = std::process::Command::new("pdfinfo")
        .arg(pdf)
        .output()
        .expect("pdfinfo");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn pdf_pages(pdf: &Path) -> usize {
    pdf_info(pdf)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("page count")
}

/// The text of a PDF, or of its pages `first..=last` laid out as printed.
fn pdf_text(pdf: &Path, pages: Option<(usize, usize)>) -> String {
    let mut cmd = std::process::Command::new("pdftotext");
    if pages.is_some() {
        cmd.arg("-layout");
    }
    if let Some((first, last)) = pages {
        cmd.args(["-f", &first.to_string(), "-l", &last.to_string()]);
    }
    let out = cmd.arg(pdf).arg("-").output().expect("pdftotext");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Text without white space and hyphens: a PDF breaks a cell's text into
/// lines, and pdftotext joins a line broken after a hyphen without it.
fn squeeze(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect()
}

// --- workspaces -------------------------------------------------------------

fn yima(ws: &Path) -> Command {
    let mut cmd = Command::cargo_bin("yima").expect("yima binary");
    cmd.current_dir(ws).arg("-C").arg(ws);
    cmd
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read dir") {
        let p = e.expect("entry").path();
        let dst = to.join(p.file_name().expect("name"));
        if p.is_dir() {
            copy_tree(&p, &dst);
        } else {
            std::fs::copy(&p, &dst).expect("copy");
        }
    }
}

/// A copy of the full-element sample workspace and its forms; the
/// workspace is `<dir>/workspace`.
fn full_workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    copy_tree(
        &examples.join("workspace/items"),
        &dir.path().join("workspace/items"),
    );
    std::fs::copy(
        examples.join("workspace/yima.yaml"),
        dir.path().join("workspace/yima.yaml"),
    )
    .expect("copy yima.yaml");
    copy_tree(&examples.join("forms"), &dir.path().join("forms"));
    dir
}

/// An ordinary workspace: three entries of 娄底市民政局, five materials each.
fn ordinary_workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let ws = dir.path();
    Command::cargo_bin("yima")
        .expect("yima binary")
        .arg("init")
        .arg(ws)
        .assert()
        .success();
    let mut filing = Filing::valid(3);
    let extra = [
        ("社会团体章程草案", "《社会团体登记管理条例》第十四条"),
        ("住所使用权证明", "《社会团体登记管理条例》第十条"),
        ("验资报告", "《社会团体登记管理条例》第十条第四项"),
    ];
    for seq in 1..=3u32 {
        for (name, basis) in extra {
            let mut m: Record = filing.materials[0].clone();
            m.set("事项序号", seq.to_string())
                .set("材料名称", name)
                .set("材料依据", basis)
                .set("填报须知", "须加盖单位公章，复印件注明“与原件一致”");
            filing.materials.push(m);
        }
    }
    std::fs::create_dir_all(ws.join("filings")).expect("filings");
    filing.write_xlsx(&ws.join("filings/民政局.xlsx"));
    yima(ws).args(["ingest", "filings"]).assert().success();
    dir
}

/// The active entries of a workspace, in 实施编码 order.
fn active(ws: &Path) -> Vec<CatalogEntry> {
    let cat = yima::catalog::load(&ws.join("items")).expect("catalog");
    let mut v: Vec<CatalogEntry> = cat
        .entries()
        .filter(|e| e.status == Status::Active)
        .cloned()
        .collect();
    v.sort_by(|a, b| a.impl_code.cmp(&b.impl_code));
    v
}

fn build(ws: &Path, args: &[&str]) -> String {
    let out = yima(ws)
        .arg("build")
        .args(args)
        .output()
        .expect("yima build");
    assert!(
        out.status.success(),
        "build failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn guide_path(ws: &Path, e: &CatalogEntry) -> PathBuf {
    ws.join("dist/guides").join(format!("{}.docx", e.impl_code))
}

fn compilation_path(ws: &Path, agency_code: &str) -> PathBuf {
    ws.join("dist/guides")
        .join(format!("{agency_code}-办事指南汇编.docx"))
}

fn title(e: &CatalogEntry) -> String {
    if e.sub_name.is_empty() {
        e.name.to_string()
    } else {
        format!("{}（{}）", e.name, e.sub_name)
    }
}

// --- reading what python-docx found -----------------------------------------

fn body(doc: &Value) -> &Vec<Value> {
    doc["body"].as_array().expect("body")
}

fn paragraphs<'a>(doc: &'a Value, style: &str) -> Vec<&'a str> {
    body(doc)
        .iter()
        .filter(|b| b["kind"] == "p" && b["style"] == style)
        .map(|b| b["text"].as_str().expect("text"))
        .collect()
}

/// The tables whose header row starts with `first` (序号) and names `second`.
fn tables<'a>(doc: &'a Value, second: &str) -> Vec<&'a Vec<Value>> {
    body(doc)
        .iter()
        .filter(|b| b["kind"] == "table")
        .map(|b| b["rows"].as_array().expect("rows"))
        .filter(|rows| rows[0]["cells"][1] == second)
        .collect()
}

/// Every text of the body: paragraphs, and table cells in order.
fn texts(doc: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for b in body(doc) {
        if b["kind"] == "p" {
            out.push(b["text"].as_str().expect("text").to_string());
        } else {
            for r in b["rows"].as_array().expect("rows") {
                for c in r["cells"].as_array().expect("cells") {
                    out.push(c.as_str().expect("cell").to_string());
                }
            }
        }
    }
    out
}

/// The `<h2>` headings of an HTML guide, without their tags.
fn html_sections(html: &str) -> Vec<String> {
    html.split("<h2>")
        .skip(1)
        .map(|s| s.split("</h2>").next().unwrap_or("").to_string())
        .collect()
}

// --- tests -------------------------------------------------------------------

#[test]
fn every_entry_gets_a_word_guide_that_reads_back_in_the_html_guides_order() {
    let Some(python) = python() else { return };
    let dir = full_workspace();
    let ws = dir.path().join("workspace");
    let stdout = build(&ws, &[]);
    assert!(stdout.contains("Word 办事指南 9 份"), "{stdout}");
    assert!(stdout.contains("办事指南汇编 2 份"), "{stdout}");
    let entries = active(&ws);
    assert_eq!(entries.len(), 9);
    let files: Vec<PathBuf> = entries.iter().map(|e| guide_path(&ws, e)).collect();
    let docs = read_docx(&python, &files);
    let catalog = "娄底市政务服务事项目录";
    for (e, file) in entries.iter().zip(&files) {
        let doc = &docs[file];
        let all = texts(doc);
        let text = all.join("\n");
        // The entry's name, both codes.
        assert_eq!(paragraphs(doc, "Heading1"), [title(e)], "{}", e.impl_code);
        assert!(
            text.contains(&format!("基本编码：{}", e.basic_code)),
            "{text}"
        );
        assert!(
            text.contains(&format!("实施编码：{}", e.impl_code)),
            "{text}"
        );
        // The same sections, in the same order, as the HTML guide.
        let html = std::fs::read_to_string(file.with_extension("html")).expect("html");
        assert_eq!(
            paragraphs(doc, "Heading2"),
            html_sections(&html),
            "{}",
            e.impl_code
        );
        // Every material, in order, in a table whose header row repeats.
        let materials = tables(doc, "材料名称及要求");
        assert_eq!(materials.len(), 1, "{}", e.impl_code);
        let rows = materials[0];
        assert!(rows[0]["header"].as_bool().expect("header"));
        assert!(!rows[1..].iter().any(|r| r["header"] == true));
        assert_eq!(rows.len() - 1, e.materials.len());
        for (i, (row, m)) in rows[1..].iter().zip(&e.materials).enumerate() {
            assert_eq!(row["cells"][0], (i + 1).to_string());
            let cell = row["cells"][1].as_str().expect("cell");
            assert_eq!(cell.lines().next(), Some(m.name.as_str()), "{cell}");
            if let Some(std) = &m.acceptance_standard {
                assert!(
                    cell.contains(&format!("受理标准：{}", std.trim())),
                    "{cell}"
                );
            }
            // A row short enough for a page never splits across two.
            assert_eq!(row["cant_split"], true, "{cell}");
        }
        // Every fee item, in order.
        let fees = tables(doc, "收费项目");
        assert_eq!(fees.len(), usize::from(!e.fee_items.is_empty()));
        if let Some(rows) = fees.first() {
            assert!(rows[0]["header"].as_bool().expect("header"));
            let names: Vec<&str> = rows[1..]
                .iter()
                .map(|r| r["cells"][1].as_str().expect("name"))
                .collect();
            let want: Vec<&str> = e.fee_items.iter().map(|f| f.name.as_str()).collect();
            assert_eq!(names, want);
        }
        for q in &e.questions {
            assert!(
                text.contains(&format!("问：{}", q.question.trim())),
                "{text}"
            );
        }
        // Page, header and footer.
        let s = &doc["sections"][0];
        assert_eq!(
            (&s["page_width"], &s["page_height"], &s["orientation"]),
            (&Value::from(210.0), &Value::from(297.0), &Value::from(0))
        );
        assert_eq!(
            (&s["top"], &s["left"], &s["bottom"], &s["right"]),
            (
                &Value::from(37.0),
                &Value::from(28.0),
                &Value::from(35.0),
                &Value::from(26.0)
            ),
            "GB/T 9704 margins"
        );
        assert!(s["header"].as_str().expect("header").contains(catalog));
        assert!(s["header"].as_str().expect("header").contains("未发布"));
        assert_eq!(s["footer_fields"], serde_json::json!(["PAGE", "NUMPAGES"]));
        let footer = s["footer"].as_str().expect("footer");
        assert!(
            footer.starts_with("第 ") && footer.contains(" 页 共 "),
            "{footer}"
        );
        // Fonts: 黑体 headings, 仿宋 text, 宋体 tables.
        assert_eq!(doc["fonts"]["Heading1"], serde_json::json!(["黑体"]));
        assert_eq!(doc["fonts"]["Heading2"], serde_json::json!(["黑体"]));
        assert_eq!(doc["fonts"]["TableText"], serde_json::json!(["宋体"]));
        assert_eq!(doc["default_font"], serde_json::json!(["仿宋"]));
        assert_eq!(doc["core"]["title"], title(e));
        assert_eq!(doc["core"]["keywords"], e.impl_code.as_str());
        // A guide holds no field but the footer's.
        assert_eq!(doc["fields"], serde_json::json!([]));
        assert_eq!(doc["simple_fields"], 0);
    }
}

#[test]
fn every_agency_gets_a_compilation_of_its_guides_with_a_table_of_contents() {
    let Some(python) = python() else { return };
    let dir = full_workspace();
    let ws = dir.path().join("workspace");
    build(&ws, &[]);
    let entries = active(&ws);
    let mut by_agency: BTreeMap<&str, Vec<&CatalogEntry>> = BTreeMap::new();
    for e in &entries {
        by_agency.entry(e.agency_code.as_str()).or_default().push(e);
    }
    assert_eq!(by_agency.len(), 2);
    let files: Vec<PathBuf> = by_agency
        .keys()
        .map(|code| compilation_path(&ws, code))
        .collect();
    let docs = read_docx(&python, &files);
    for ((code, mine), file) in by_agency.iter().zip(&files) {
        let doc = &docs[file];
        let text = texts(doc).join("\n");
        // The cover: agency, catalog, release.
        assert!(text.starts_with(&mine[0].agency.to_string()), "{text}");
        assert!(text.contains("办事指南汇编"));
        assert!(text.contains("娄底市政务服务事项目录"));
        assert!(text.contains("版本：未发布"));
        assert!(text.contains(&format!("共 {} 个事项", mine.len())));
        assert_eq!(doc["sections"][0]["different_first_page"], true);
        // Every guide of the agency, in code order, each a chapter.
        let titles: Vec<String> = mine.iter().map(|e| title(e)).collect();
        assert_eq!(paragraphs(doc, "Heading1"), titles);
        let materials = tables(doc, "材料名称及要求");
        assert_eq!(materials.len(), mine.len());
        for (rows, e) in materials.iter().zip(mine) {
            let names: Vec<&str> = rows[1..]
                .iter()
                .filter_map(|r| r["cells"][1].as_str()?.lines().next())
                .collect();
            let want: Vec<&str> = e.materials.iter().map(|m| m.name.as_str()).collect();
            assert_eq!(names, want);
        }
        // The table of contents: a TOC field over the titles, an entry per
        // guide linking the bookmark at its start.
        let fields: Vec<&str> = doc["fields"]
            .as_array()
            .expect("fields")
            .iter()
            .map(|f| f.as_str().expect("field"))
            .collect();
        assert_eq!(fields[0], r#"TOC \o "1-1" \h \z \u"#);
        let bookmarks: Vec<String> = mine
            .iter()
            .map(|e| format!("_Toc{}", e.impl_code))
            .collect();
        let pagerefs: Vec<String> = bookmarks
            .iter()
            .map(|b| format!(r"PAGEREF {b} \h"))
            .collect();
        assert_eq!(
            fields[1..],
            pagerefs.iter().map(String::as_str).collect::<Vec<_>>()
        );
        assert_eq!(doc["bookmarks"], serde_json::json!(bookmarks));
        let toc: Vec<&str> = paragraphs(doc, "TOC1");
        assert_eq!(
            toc.len(),
            mine.len() + 1,
            "an entry per guide, and the field's end"
        );
        for (line, t) in toc.iter().zip(&titles) {
            assert!(line.starts_with(t.as_str()), "{line}");
        }
        assert!(file.ends_with(format!("{code}-办事指南汇编.docx")));
    }
}

#[test]
fn word_documents_are_byte_identical_whatever_the_threads() {
    let dir = full_workspace();
    let ws = dir.path().join("workspace");
    let read_all = |ws: &Path| -> BTreeMap<PathBuf, Vec<u8>> {
        std::fs::read_dir(ws.join("dist/guides"))
            .expect("guides")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|x| x == "docx"))
            .map(|p| {
                let bytes = std::fs::read(&p).expect("read");
                (p, bytes)
            })
            .collect()
    };
    build(&ws, &[]);
    let first = read_all(&ws);
    assert_eq!(first.len(), 11);
    let out = yima(&ws)
        .env("RAYON_NUM_THREADS", "1")
        .arg("build")
        .output()
        .expect("build");
    assert!(out.status.success());
    assert_eq!(read_all(&ws), first, "one thread gives the same bytes");
    // Inside each package: the same time stamp on every part, and
    // [Content_Types].xml first.
    for (path, bytes) in &first {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
        assert_eq!(
            zip.by_index(0).expect("first entry").name().expect("name"),
            "[Content_Types].xml"
        );
        for i in 0..zip.len() {
            let f = zip.by_index(i).expect("entry");
            let t = f.last_modified().expect("time");
            assert_eq!(
                (t.year(), t.month(), t.day(), t.hour(), t.minute()),
                (2024, 1, 1, 0, 0),
                "{} {}",
                path.display(),
                f.name().unwrap_or_default()
            );
        }
    }
}

/// Text that looks like Word fields, XML, macros or control characters.
const HOSTILE: [&str; 4] = [
    r#"{ DDEAUTO c:\\windows\\system32\\cmd.exe "/k calc" } { INCLUDETEXT "http://x.cn/a" }"#,
    r#"</w:t></w:r><w:fldSimple w:instr=" DATE "><w:r><w:t>注入</w:t></w:r></w:fldSimple>"#,
    "<![CDATA[x]]> &amp; &#x41; <?mso-application progid=\"Word.Document\"?> Sub AutoOpen() Shell \"calc\" End Sub",
    "控制\u{1}字\u{b}符\u{c}与\u{ffff}非字符",
];

#[test]
fn hostile_text_stays_text() {
    let Some(python) = python() else { return };
    let dir = full_workspace();
    let ws = dir.path().join("workspace");
    let mut e = active(&ws).remove(0);
    let path = ws
        .join("items")
        .join(e.agency_code.as_str())
        .join(format!("{}.yaml", e.impl_code));
    assert!(path.is_file(), "{}", path.display());
    e.conditions = Some(HOSTILE.join("\n"));
    e.materials[0].name = HOSTILE[0].into();
    e.materials[1].acceptance_standard = Some(HOSTILE[1].into());
    e.materials[0].notes = Some(HOSTILE[2].into());
    e.fee_items[0].name = HOSTILE[3].into();
    e.questions[0].answer = HOSTILE[1].into();
    e.hours = Some(HOSTILE[2].into());
    std::fs::write(&path, e.to_yaml()).expect("write entry");
    build(&ws, &[]);
    let guide = guide_path(&ws, &e);
    let compilation = compilation_path(&ws, &e.agency_code);
    let docs = read_docx(&python, &[guide.clone(), compilation.clone()]);
    let shown = |s: &str| -> String {
        s.chars()
            .filter(|c| !matches!(c, '\u{1}' | '\u{b}' | '\u{c}' | '\u{ffff}'))
            .collect()
    };
    for file in [&guide, &compilation] {
        let doc = &docs[file];
        let text = texts(doc).join("\n");
        for h in HOSTILE {
            assert!(text.contains(&shown(h)), "{} lacks {h}", file.display());
        }
        assert_eq!(doc["simple_fields"], 0);
        let fields = doc["fields"].as_array().expect("fields");
        assert!(
            fields.iter().all(|f| {
                let f = f.as_str().unwrap_or("");
                f.starts_with("TOC ") || f.starts_with("PAGEREF _Toc")
            }),
            "{fields:?}"
        );
    }
    let fees = tables(&docs[&guide], "收费项目");
    assert_eq!(fees[0][1]["cells"][1], shown(HOSTILE[3]));
}

#[test]
fn only_docx_renders_the_word_documents_and_keeps_the_rest() {
    let dir = full_workspace();
    let ws = dir.path().join("workspace");
    build(&ws, &[]);
    let html = std::fs::read_dir(ws.join("dist/guides"))
        .expect("guides")
        .map(|e| e.expect("entry").path())
        .find(|p| p.extension().is_some_and(|x| x == "html"))
        .expect("an html guide");
    let before = std::fs::read(&html).expect("html");
    let docx = html.with_extension("docx");
    std::fs::write(&docx, b"stale").expect("spoil a Word guide");
    let stdout = build(&ws, &["--only", "docx"]);
    assert!(
        stdout.contains("Word 办事指南 9 份、办事指南汇编 2 份"),
        "{stdout}"
    );
    assert_eq!(std::fs::read(&html).expect("html"), before);
    assert!(ws.join("dist/site/index.html").is_file());
    assert!(
        std::fs::read(&docx)
            .expect("docx")
            .starts_with(b"PK\x03\x04")
    );

    // Into a new folder: the Word documents and the forms they link, alone.
    let out = dir.path().join("word");
    let o = out.to_str().expect("utf-8 path");
    build(&ws, &["--only", "docx", "--out", o]);
    let mut kinds: Vec<String> = std::fs::read_dir(&out)
        .expect("out")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    kinds.sort();
    assert_eq!(kinds, ["forms", "guides"]);
    let names: Vec<String> = std::fs::read_dir(out.join("guides"))
        .expect("guides")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 11);
    assert!(names.iter().all(|n| n.ends_with(".docx")), "{names:?}");
}

/// Where the pictures of printed pages are kept for a person to look at.
fn preview_dir() -> PathBuf {
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/docx-preview");
    std::fs::create_dir_all(&d).expect("preview dir");
    d
}

/// Asserts that every paragraph and table cell of `doc` is in `pdf`'s text:
/// nothing was clipped or lost in printing.
fn assert_printed_whole(doc: &Value, pdf: &Path) {
    let text = pdf_text(pdf, None);
    let whole = squeeze(&text);
    let lines: Vec<String> = text
        .lines()
        .map(squeeze)
        .filter(|l| !l.is_empty())
        .collect();
    for t in texts(doc) {
        let t = squeeze(&t);
        assert!(
            whole.contains(&t) || printed_across_pages(&t, &lines),
            "{}: `{t}` is not on the printed pages",
            pdf.display()
        );
    }
}

/// Whether `t` is printed as consecutive lines with at most a page's
/// furniture between two of them: a table row that splits across pages has
/// the footer, the next page's header, the repeated header row and the
/// row's other cells between the parts of a cell.
fn printed_across_pages(t: &str, lines: &[String]) -> bool {
    const FURNITURE: usize = 16;
    (0..lines.len()).any(|start| {
        let mut at = 0;
        let mut skipped = 0;
        for l in &lines[start..] {
            if t[at..].starts_with(l.as_str()) {
                at += l.len();
                skipped = 0;
                if at == t.len() {
                    return true;
                }
            } else if at == 0 || skipped == FURNITURE {
                return false;
            } else {
                skipped += 1;
            }
        }
        false
    })
}

#[test]
fn an_ordinary_guide_prints_whole_on_two_a4_pages() {
    let Some(python) = python() else { return };
    let Some(()) = printing_tools() else { return };
    let dir = ordinary_workspace();
    let ws = dir.path();
    build(ws, &[]);
    let entries = active(ws);
    assert_eq!(entries.len(), 3);
    let files: Vec<PathBuf> = entries.iter().map(|e| guide_path(ws, e)).collect();
    let pdfs = dir.path().join("pdf");
    print_pdf(&files, &pdfs);
    let docs = read_docx(&python, &files);
    for (e, file) in entries.iter().zip(&files) {
        assert_eq!(e.materials.len(), 5);
        let pdf = pdf_of(file, &pdfs);
        // Kept to look at, beside the picture of page 1 below.
        std::fs::copy(
            &pdf,
            preview_dir().join(format!("ordinary-{}.pdf", e.impl_code)),
        )
        .expect("keep the PDF");
        let info = pdf_info(&pdf);
        assert!(info.contains("(A4)"), "{info}");
        let pages = pdf_pages(&pdf);
        assert!(pages <= 2, "{}: {pages} pages", e.impl_code);
        assert_printed_whole(&docs[file], &pdf);
        // The footer's fields were laid out: 第 1 页 共 N 页.
        let first = squeeze(&pdf_text(&pdf, Some((1, 1))));
        assert!(first.contains(&format!("第1页共{pages}页")), "{first}");
    }
    // Page 1 of the first guide, for a person to look at.
    let png = preview_dir().join("ordinary-guide");
    let out = std::process::Command::new("pdftoppm")
        .args(["-r", "80", "-png", "-f", "1", "-l", "1", "-singlefile"])
        .arg(pdf_of(&files[0], &pdfs))
        .arg(&png)
        .output()
        .expect("pdftoppm");
    assert!(out.status.success(), "{out:?}");
    let png = png.with_extension("png");
    let bytes = std::fs::read(&png).expect("png");
    assert!(
        bytes.starts_with(b"\x89PNG") && bytes.len() > 20_000,
        "{}",
        png.display()
    );
}

#[test]
fn full_guides_and_compilations_print_whole_and_long_rows_may_split() {
    let Some(python) = python() else { return };
    let Some(()) = printing_tools() else { return };
    let dir = full_workspace();
    let ws = dir.path().join("workspace");
    // A material whose 受理标准 is longer than a page: its row may split
    // (kept on one page it would run off it), and none of it is lost.
    let mut e = active(&ws).remove(0);
    let path = ws
        .join("items")
        .join(e.agency_code.as_str())
        .join(format!("{}.yaml", e.impl_code));
    let long: String = (1..=60)
        .map(|i| {
            format!("（{i}）申请材料须由申请人本人签字确认并注明日期，复印件须注明与原件一致；")
        })
        .collect();
    e.materials[0].acceptance_standard = Some(long.clone());
    std::fs::write(&path, e.to_yaml()).expect("write entry");
    build(&ws, &[]);
    let entries = active(&ws);
    let mut files: Vec<PathBuf> = entries.iter().map(|g| guide_path(&ws, g)).collect();
    let agencies: std::collections::BTreeSet<&str> =
        entries.iter().map(|g| g.agency_code.as_str()).collect();
    files.extend(agencies.iter().map(|c| compilation_path(&ws, c)));
    let pdfs = dir.path().join("pdf");
    print_pdf(&files, &pdfs);
    let docs = read_docx(&python, &files);
    for file in &files {
        assert_printed_whole(&docs[file], &pdf_of(file, &pdfs));
    }
    let long_row = &tables(&docs[&guide_path(&ws, &e)], "材料名称及要求")[0][1];
    assert_eq!(long_row["cant_split"], false);
    // In a 汇编 every guide starts a page: the cover, the contents, then
    // each title at the top of a page, in order.
    for code in &agencies {
        let pdf = pdf_of(&compilation_path(&ws, code), &pdfs);
        let mine: Vec<&CatalogEntry> = entries.iter().filter(|g| g.agency_code == *code).collect();
        let mut next = 0;
        for page in 1..=pdf_pages(&pdf) {
            let text = pdf_text(&pdf, Some((page, page)));
            // The line after the header (one line, as printed) is the
            // page's first.
            let top = text.lines().map(str::trim).filter(|l| !l.is_empty()).nth(1);
            if next < mine.len()
                && top.is_some_and(|t| squeeze(&title(mine[next])).starts_with(&squeeze(t)))
            {
                next += 1;
            }
        }
        assert_eq!(next, mine.len(), "{code}: every guide starts a page");
        let png = preview_dir().join("compilation-cover");
        std::process::Command::new("pdftoppm")
            .args(["-r", "50", "-png", "-f", "1", "-l", "1", "-singlefile"])
            .arg(&pdf)
            .arg(&png)
            .output()
            .expect("pdftoppm");
    }
}

/// The Python with LibreOffice's `uno` module: `YIMA_UNO_PYTHON`, else
/// Debian's `/usr/bin/python3` (python3-uno).
fn uno_python() -> Option<PathBuf> {
    let python = std::env::var_os("YIMA_UNO_PYTHON")
        .map_or_else(|| PathBuf::from("/usr/bin/python3"), PathBuf::from);
    let ok = std::process::Command::new(&python)
        .args(["-c", "import uno"])
        .output()
        .is_ok_and(|o| o.status.success());
    have(
        ok,
        "LibreOffice's Python bridge (apt-get install python3-uno)",
    )?;
    Some(python)
}

#[test]
fn the_table_of_contents_updates_to_the_page_where_each_guide_starts() {
    let Some(()) = printing_tools() else { return };
    let Some(python) = uno_python() else { return };
    let dir = full_workspace();
    let ws = dir.path().join("workspace");
    build(&ws, &[]);
    let entries = active(&ws);
    let code = entries[0].agency_code.as_str();
    let mine: Vec<&CatalogEntry> = entries.iter().filter(|e| e.agency_code == code).collect();
    let pdf = dir.path().join("updated.pdf");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/docx/update_toc.py");
    let out = std::process::Command::new(python)
        .arg(script)
        .arg(compilation_path(&ws, code))
        .arg(&pdf)
        .arg(dir.path().join("lo-uno-profile"))
        .output()
        .expect("run update_toc.py");
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "1", "one TOC");
    // Page 2 lists every guide with the page it starts on, and that page
    // begins (after the header) with the guide's title.
    let contents = pdf_text(&pdf, Some((2, 2)));
    for e in &mine {
        let t = title(e);
        let line = contents
            .lines()
            .find(|l| l.trim_start().starts_with(&t))
            .unwrap_or_else(|| panic!("`{t}` not in the contents:\n{contents}"));
        let page: usize = line
            .trim_end()
            .rsplit(|c: char| !c.is_ascii_digit())
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no page number: {line}"));
        let text = pdf_text(&pdf, Some((page, page)));
        let top = text.lines().map(str::trim).filter(|l| !l.is_empty()).nth(1);
        assert!(
            top.is_some_and(|l| squeeze(&t).starts_with(&squeeze(l))),
            "page {page} does not start with `{t}`: {top:?}"
        );
    }
    std::fs::copy(&pdf, preview_dir().join("compilation-updated.pdf")).expect("keep the PDF");
}

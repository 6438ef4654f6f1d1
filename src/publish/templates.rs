//! The template environment of the publish stage: the default templates are
//! embedded from `templates/` at compile time, and a workspace may replace any
//! of them with a file of the same name in its own templates folder
//! (`paths.templates` of `yima.yaml`). Every template is compiled once, when
//! loaded, so a broken override fails the build before anything is written.
//!
//! Escaping follows the output format, never the template author's care:
//! `.html` templates escape every value for HTML, `.md` templates escape every
//! value for Markdown ([`escape_markdown`]), `.xml` templates (the parts of
//! the Word guides) escape every value for XML and drop the characters XML
//! cannot hold ([`escape_xml`]). Data is only ever a value passed to a
//! template — text like `{{ … }}` inside an element is printed, not rendered.

use super::PublishError;
use crate::workspace::Workspace;
use minijinja::syntax::SyntaxConfig;
use minijinja::value::Serde;
use minijinja::{AutoEscape, Environment, Error, UndefinedBehavior, Value, escape_formatter};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The embedded default templates, by file name. A workspace overrides one by
/// putting a file of the same name in its templates folder.
pub const EMBEDDED: &[(&str, &str)] = &[
    ("guide.html", include_str!("../../templates/guide.html")),
    ("guide.md", include_str!("../../templates/guide.md")),
    ("guide.css", include_str!("../../templates/guide.css")),
    (
        "site/layout.html",
        include_str!("../../templates/site/layout.html"),
    ),
    (
        "site/index.html",
        include_str!("../../templates/site/index.html"),
    ),
    (
        "site/stats.html",
        include_str!("../../templates/site/stats.html"),
    ),
    (
        "site/site.css",
        include_str!("../../templates/site/site.css"),
    ),
    ("site/site.js", include_str!("../../templates/site/site.js")),
    (
        "docx/guide.xml",
        include_str!("../../templates/docx/guide.xml"),
    ),
    (
        "docx/document.xml",
        include_str!("../../templates/docx/document.xml"),
    ),
    (
        "docx/compilation.xml",
        include_str!("../../templates/docx/compilation.xml"),
    ),
    (
        "docx/page.xml",
        include_str!("../../templates/docx/page.xml"),
    ),
    (
        "docx/styles.xml",
        include_str!("../../templates/docx/styles.xml"),
    ),
    (
        "docx/fontTable.xml",
        include_str!("../../templates/docx/fontTable.xml"),
    ),
    (
        "docx/numbering.xml",
        include_str!("../../templates/docx/numbering.xml"),
    ),
    (
        "docx/settings.xml",
        include_str!("../../templates/docx/settings.xml"),
    ),
    (
        "docx/header.xml",
        include_str!("../../templates/docx/header.xml"),
    ),
    (
        "docx/footer.xml",
        include_str!("../../templates/docx/footer.xml"),
    ),
];

/// The auto-escape mode of `.md` templates.
const MARKDOWN: &str = "markdown";
/// The auto-escape mode of `.xml` templates.
const XML: &str = "xml";

/// The compiled templates of a build.
pub struct Templates {
    env: Environment<'static>,
    /// Where each template came from, as error messages name it: the override
    /// file's path, or the name marked as built in.
    origins: BTreeMap<&'static str, String>,
}

impl Templates {
    /// The embedded templates, each replaced by the workspace's own file of the
    /// same name when there is one. A workspace without a root (running on
    /// defaults) has no overrides.
    pub fn load(ws: &Workspace) -> Result<Templates, PublishError> {
        let dir = ws
            .root
            .as_ref()
            .map(|_| ws.path(&ws.config.paths.templates));
        let mut sources = Vec::with_capacity(EMBEDDED.len());
        for &(name, default) in EMBEDDED {
            let file = dir.as_ref().map(|d| d.join(name)).filter(|p| p.is_file());
            match file {
                Some(path) => {
                    let text = std::fs::read_to_string(&path).map_err(|e| {
                        std::io::Error::new(
                            e.kind(),
                            format!(
                                "无法读取模板 {}（cannot read template）：{e}",
                                path.display()
                            ),
                        )
                    })?;
                    sources.push((name, text, path.display().to_string()));
                }
                None => sources.push((name, default.to_string(), builtin(name))),
            }
        }
        Templates::from_sources(sources)
    }

    /// The embedded templates alone.
    pub fn embedded() -> Result<Templates, PublishError> {
        Templates::from_sources(
            EMBEDDED
                .iter()
                .map(|&(name, text)| (name, text.to_string(), builtin(name)))
                .collect(),
        )
    }

    fn from_sources(
        sources: Vec<(&'static str, String, String)>,
    ) -> Result<Templates, PublishError> {
        let mut env = Environment::new();
        env.add_filter("md_lines", md_lines);
        env.add_filter("w_lines", w_lines);
        env.set_auto_escape_callback(auto_escape);
        env.set_formatter(format_value);
        // A misspelt variable in an override is an error naming its line, not
        // a silently empty field; `{% if x %}` on a missing value still works.
        env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
        // For the Word guides: the relationship id of a link, and the size
        // of a table row (rows that fit on a page are kept on one).
        env.add_function("rid", |href: &str| super::docx::link_id(href));
        env.add_function("chars", |v: Value| count_chars(&v));
        // Block tags on lines of their own leave no blank lines behind, so
        // templates can be laid out readably and the output stays tidy.
        env.set_syntax(
            SyntaxConfig::builder()
                .trim_blocks(true)
                .lstrip_blocks(true)
                .keep_trailing_newline(true)
                .build()
                .map_err(|e| PublishError::Template(e.to_string()))?,
        );
        let mut origins = BTreeMap::new();
        for (name, text, origin) in sources {
            origins.insert(name, origin);
            if let Err(e) = env.add_template_owned(name, text) {
                return Err(template_error(&origins, &e));
            }
        }
        Ok(Templates { env, origins })
    }

    /// Renders the template `name` with a typed context.
    pub fn render<S: Serialize>(&self, name: &str, ctx: &S) -> Result<String, PublishError> {
        self.render_value(name, Value::from(Serde(ctx)))
    }

    /// Renders the template `name` with a context already converted — for
    /// one context rendered by several templates, converted once.
    pub fn render_value(&self, name: &str, ctx: Value) -> Result<String, PublishError> {
        self.env
            .get_template(name)
            .and_then(|t| t.render(ctx))
            .map_err(|e| template_error(&self.origins, &e))
    }

    /// Where the template `name` comes from, as messages name it.
    pub fn origin(&self, name: &str) -> Option<&str> {
        self.origins.get(name).map(String::as_str)
    }
}

fn builtin(name: &str) -> String {
    format!("{name}（内置 built-in）")
}

/// `.md` templates escape for Markdown, `.xml` for XML; the others by
/// minijinja's default (`.html` for HTML, `.json` for JSON, anything else
/// not at all).
fn auto_escape(name: &str) -> AutoEscape {
    if name.ends_with(".md") {
        AutoEscape::Custom(MARKDOWN.into())
    } else if name.ends_with(".xml") {
        AutoEscape::Custom(XML.into())
    } else {
        minijinja::default_auto_escape_callback(name)
    }
}

/// Prints a value: Markdown-escaped in `.md` templates, XML-escaped in `.xml`
/// templates, else as minijinja does.
fn format_value(
    out: &mut minijinja::Output,
    state: &mut minijinja::State,
    value: &Value,
) -> Result<(), Error> {
    if matches!(state.auto_escape(), AutoEscape::Custom(mode) if mode == XML) {
        if value.is_safe() {
            return write!(out, "{value}").map_err(Error::from);
        }
        if value.is_none() || value.is_undefined() {
            // An absent value leaves no text (“none” would be printed).
            return Ok(());
        }
        return match value.as_str() {
            Some(s) => escape_xml_to(s, out),
            None => escape_xml_to(&value.to_string(), out),
        }
        .map_err(Error::from);
    }
    if matches!(state.auto_escape(), AutoEscape::Custom(mode) if mode == MARKDOWN) {
        if value.is_safe() {
            return write!(out, "{value}").map_err(Error::from);
        }
        return match value.as_str() {
            Some(s) => escape_markdown_to(s, out),
            None => escape_markdown_to(&value.to_string(), out),
        }
        .map_err(Error::from);
    }
    escape_formatter(out, state, value)
}

/// The number of characters in the texts of a value (a text, or the texts
/// inside a list or map, however deep): how much a table row holds.
fn count_chars(v: &Value) -> usize {
    if let Some(s) = v.as_str() {
        return s.chars().count();
    }
    let Ok(items) = v.try_iter() else {
        return 0;
    };
    if v.kind() == minijinja::value::ValueKind::Map {
        items
            .map(|k| v.get_item(&k).map_or(0, |x| count_chars(&x)))
            .sum()
    } else {
        items.map(|x| count_chars(&x)).sum()
    }
}

/// Escapes text for XML content and attribute values alike, dropping the
/// characters XML 1.0 cannot hold at all (most C0 controls, U+FFFE, U+FFFF):
/// a document holding one is one Word refuses to open without repair.
pub fn escape_xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    // Writing into a String cannot fail.
    let _ = escape_xml_to(s, &mut out);
    out
}

/// [`escape_xml`] into a writer, copying the text in runs between the
/// characters that need an entity or are dropped.
pub fn escape_xml_to<W: std::fmt::Write>(s: &str, out: &mut W) -> std::fmt::Result {
    let bytes = s.as_bytes();
    let (mut run, mut i) = (0, 0);
    while i < bytes.len() {
        // Every position looked at is an ASCII byte or the lead byte of
        // U+FFFE/U+FFFF, so the slices below cut at character boundaries.
        let (entity, len) = match bytes[i] {
            b'&' => ("&amp;", 1),
            b'<' => ("&lt;", 1),
            b'>' => ("&gt;", 1),
            b'"' => ("&quot;", 1),
            b'\'' => ("&apos;", 1),
            b'\t' | b'\n' | b'\r' => {
                i += 1;
                continue;
            }
            0..=0x1f => ("", 1),
            0xef if bytes.get(i + 1) == Some(&0xbf)
                && matches!(bytes.get(i + 2), Some(0xbe | 0xbf)) =>
            {
                ("", 3)
            }
            _ => {
                i += 1;
                continue;
            }
        };
        out.write_str(&s[run..i])?;
        out.write_str(entity)?;
        i += len;
        run = i;
    }
    out.write_str(&s[run..])
}

/// A template failure as the user reads it: the template file, the line, what
/// went wrong.
fn template_error(origins: &BTreeMap<&'static str, String>, e: &Error) -> PublishError {
    let name = e.name().unwrap_or("?");
    let file = origins
        .get(name)
        .cloned()
        .unwrap_or_else(|| name.to_string());
    let mut msg = match e.line() {
        Some(line) => format!(
            "{file}:{line}: 模板第 {line} 行出错（template error, line {line}）：{}",
            e.kind()
        ),
        None => format!("{file}: 模板出错（template error）：{}", e.kind()),
    };
    if let Some(detail) = e.detail() {
        let _ = write!(msg, ": {detail}");
    }
    PublishError::Template(msg)
}

/// `{{ text | md_lines }}` in a Markdown template: each line of the text
/// escaped ([`escape_markdown`]) and the lines joined by `<br>`, so a text
/// that spans lines keeps its lines in a table cell and still cannot become
/// markup.
fn md_lines(text: &str) -> Value {
    let mut out = String::with_capacity(text.len() + 16);
    for (i, line) in text.lines().enumerate() {
        if i > 0 {
            out.push_str("<br>");
        }
        // Writing into a String cannot fail.
        let _ = escape_markdown_to(line, &mut out);
    }
    Value::from_safe_string(out)
}

/// `{{ text | w_lines }}` inside a run's `<w:t>` in a Word template: each
/// line of the text escaped ([`escape_xml`]) and the lines joined by a line
/// break of the run (`<w:br/>`), so a text that spans lines keeps its lines
/// in a table cell and still cannot become markup.
fn w_lines(text: &str) -> Value {
    let mut out = String::with_capacity(text.len() + 16);
    for (i, line) in text.lines().enumerate() {
        if i > 0 {
            out.push_str(r#"</w:t><w:br/><w:t xml:space="preserve">"#);
        }
        // Writing into a String cannot fail.
        let _ = escape_xml_to(line, &mut out);
    }
    Value::from_safe_string(out)
}

/// Escapes text so that a Markdown renderer shows it as it is: no HTML, no
/// links or images, no emphasis, no table cell breaks, and nothing that turns
/// a line into a heading, list, quote or code block. A line break becomes a
/// space, so one value never spans lines of the document.
pub fn escape_markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    // Writing into a String cannot fail.
    let _ = escape_markdown_to(s, &mut out);
    out
}

/// [`escape_markdown`] into a writer: guides print hundreds of values each,
/// so the text is copied in runs between the characters that need a backslash.
pub fn escape_markdown_to<W: std::fmt::Write>(s: &str, out: &mut W) -> std::fmt::Result {
    let mut first = true;
    for line in s
        .split(['\n', '\r'])
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        if !first {
            out.write_char(' ')?;
        }
        first = false;
        escape_line(line, out)?;
    }
    Ok(())
}

/// Characters that mean something to a Markdown renderer wherever they stand
/// (HTML, links, emphasis, code, tables, entities, headings, quotes), plus the
/// braces that some Markdown dialects read as expressions.
fn is_inline_special(b: u8) -> bool {
    matches!(
        b,
        b'\\'
            | b'`'
            | b'*'
            | b'_'
            | b'['
            | b']'
            | b'<'
            | b'>'
            | b'|'
            | b'!'
            | b'~'
            | b'&'
            | b'('
            | b')'
            | b'{'
            | b'}'
            | b'#'
    )
}

fn escape_line<W: std::fmt::Write>(line: &str, out: &mut W) -> std::fmt::Result {
    let bytes = line.as_bytes();
    // At the start of a line, `-`, `+`, `=` and `1.` / `1)` begin a block (a
    // list, a heading underline); a value may land at a line start, so they
    // are escaped there. `#` and `>` are escaped everywhere.
    if matches!(bytes.first(), Some(b'-' | b'+' | b'=')) {
        out.write_char('\\')?;
    }
    let digits = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
    let ordered_marker = digits > 0
        && matches!(bytes.get(digits), Some(b'.' | b')'))
        && bytes.get(digits + 1).is_none_or(u8::is_ascii_whitespace);
    // Every special character is ASCII, so byte positions are char
    // boundaries.
    let mut run = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if is_inline_special(b) || (ordered_marker && i == digits) {
            out.write_str(&line[run..i])?;
            out.write_char('\\')?;
            run = i;
        }
    }
    out.write_str(&line[run..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Ctx {
        text: String,
    }

    #[test]
    fn markdown_escaping_neutralizes_markup() {
        assert_eq!(escape_markdown("<script>"), "\\<script\\>");
        assert_eq!(
            escape_markdown("[x](javascript:alert(1))"),
            "\\[x\\]\\(javascript:alert\\(1\\)\\)"
        );
        assert_eq!(escape_markdown("a | b"), "a \\| b");
        assert_eq!(escape_markdown("# 标题"), "\\# 标题");
        assert_eq!(escape_markdown("- 项"), "\\- 项");
        assert_eq!(escape_markdown("12. 第十二"), "12\\. 第十二");
        assert_eq!(escape_markdown("第一行\n  # 第二行"), "第一行 \\# 第二行");
        assert_eq!(escape_markdown("    代码块"), "代码块");
        assert_eq!(escape_markdown("&lt;"), "\\&lt;");
        // Ordinary Chinese text, phones and dates stay readable.
        assert_eq!(escape_markdown("0738-8312345"), "0738-8312345");
        assert_eq!(escape_markdown("2024.1 版"), "2024.1 版");
    }

    #[test]
    fn markdown_templates_escape_values_and_html_templates_escape_html() {
        let t = Templates::embedded().unwrap();
        let mut env = t.env.clone();
        env.add_template("x.md", "{{ text }}|{{ '<b>' | safe }}")
            .unwrap();
        env.add_template("x.html", "{{ text }}").unwrap();
        let ctx = Ctx {
            text: "<img src=x onerror=alert(1)> {{ 1 + 1 }}".into(),
        };
        let md = env
            .get_template("x.md")
            .unwrap()
            .render(Serde(&ctx))
            .unwrap();
        assert_eq!(
            md,
            "\\<img src=x onerror=alert\\(1\\)\\> \\{\\{ 1 + 1 \\}\\}|<b>"
        );
        let html = env
            .get_template("x.html")
            .unwrap()
            .render(Serde(&ctx))
            .unwrap();
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("{{ 1 + 1 }}"), "{html}");
    }

    #[test]
    fn md_lines_escapes_each_line_and_joins_them() {
        let t = Templates::embedded().unwrap();
        let mut env = t.env.clone();
        env.add_template("y.md", "{{ text | md_lines }}").unwrap();
        let ctx = Ctx {
            text: "受理标准：<b>签字</b>\n# 盖章".into(),
        };
        let md = env
            .get_template("y.md")
            .unwrap()
            .render(Serde(&ctx))
            .unwrap();
        assert_eq!(md, "受理标准：\\<b\\>签字\\</b\\><br>\\# 盖章");
    }

    #[test]
    fn xml_escaping_keeps_text_and_drops_what_xml_cannot_hold() {
        assert_eq!(
            escape_xml("a<b>&\"'\u{1}\u{b}\t\n\u{ffff}\u{fffe}中\u{fffd}"),
            "a&lt;b&gt;&amp;&quot;&apos;\t\n中\u{fffd}"
        );
        assert_eq!(escape_xml("{ DDEAUTO c:\\x }"), "{ DDEAUTO c:\\x }");
        assert_eq!(escape_xml(""), "");
    }

    #[test]
    fn xml_templates_escape_values_keep_lines_and_count_characters() {
        let t = Templates::embedded().unwrap();
        let mut env = t.env.clone();
        env.add_template(
            "x.xml",
            "<w:t>{{ text }}</w:t><w:t>{{ text | w_lines }}</w:t>{{ chars(rows) }}|{{ none }}",
        )
        .unwrap();
        let out = env
            .get_template("x.xml")
            .unwrap()
            .render(minijinja::context! {
                text => "<w:br/>\u{1}甲\n乙",
                rows => minijinja::context! { a => "一二三", b => ["四", "五六"], n => 7 },
            })
            .unwrap();
        assert_eq!(
            out,
            "<w:t>&lt;w:br/&gt;甲\n乙</w:t><w:t>&lt;w:br/&gt;甲</w:t><w:br/><w:t xml:space=\"preserve\">乙</w:t>6|"
        );
    }

    #[test]
    fn errors_name_the_template_and_line() {
        let mut origins = BTreeMap::new();
        origins.insert("guide.html", "/ws/templates/guide.html".to_string());
        let mut env = Environment::new();
        let e = env
            .add_template("guide.html", "a\nb\n{% if %}\n")
            .unwrap_err();
        let PublishError::Template(msg) = template_error(&origins, &e) else {
            panic!("not a template error");
        };
        assert!(msg.starts_with("/ws/templates/guide.html:3: "), "{msg}");
        assert!(msg.contains("第 3 行"), "{msg}");
    }

    #[test]
    fn every_embedded_template_compiles() {
        let t = Templates::embedded().unwrap();
        for (name, _) in EMBEDDED {
            assert!(t.env.get_template(name).is_ok(), "{name}");
            assert_eq!(t.origin(name), Some(builtin(name).as_str()));
        }
    }
}

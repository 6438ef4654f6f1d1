//! The forms the full-profile examples link to (空白表格, 示例样表, 结果样本),
//! written into `examples/forms/` from `tools/make_examples/forms.yaml`: a
//! blank form as a small Word document (a title and a table of the fields
//! to fill in), a sample or a result sample as a one-page PDF (the fields
//! filled in). Both are made byte for byte the same on every run: the zip
//! entries carry a fixed time, and the PDF has no dates or ids.

use serde::Deserialize;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

/// `forms.yaml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormsYaml {
    pub forms: Vec<Form>,
}

/// One form file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Form {
    /// The file name under `examples/forms/` (`.docx` or `.pdf`).
    pub file: String,
    pub title: String,
    /// The fields, each `label` or `label: value`.
    pub rows: Vec<String>,
    /// A line under the table.
    #[serde(default)]
    pub note: Option<String>,
}

impl Form {
    fn rows(&self) -> impl Iterator<Item = (&str, &str)> {
        self.rows.iter().map(|r| match r.split_once('：') {
            Some((label, value)) => (label.trim(), value.trim()),
            None => (r.trim(), ""),
        })
    }
}

/// Writes every form under `dir`; returns the file names written.
pub fn write_all(spec: &Path, dir: &Path) -> Result<Vec<String>, Box<dyn std::error::Error>> {
    let text = std::fs::read_to_string(spec)?;
    let forms: FormsYaml =
        serde_saphyr::from_str(&text).map_err(|e| format!("{}: {e}", spec.display()))?;
    std::fs::create_dir_all(dir)?;
    let mut written = Vec::new();
    for form in &forms.forms {
        let bytes = if form.file.ends_with(".docx") {
            docx(form)?
        } else if form.file.ends_with(".pdf") {
            pdf(form)
        } else {
            return Err(format!("{}: a form is .docx or .pdf", form.file).into());
        };
        std::fs::write(dir.join(&form.file), bytes)?;
        written.push(form.file.clone());
    }
    Ok(written)
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A paragraph of one run: centred and bold for a title.
fn paragraph(text: &str, title: bool) -> String {
    let (ppr, rpr) = if title {
        (
            "<w:pPr><w:jc w:val=\"center\"/><w:spacing w:after=\"240\"/></w:pPr>",
            "<w:rPr><w:rFonts w:eastAsia=\"黑体\"/><w:b/><w:sz w:val=\"36\"/></w:rPr>",
        )
    } else {
        (
            "",
            "<w:rPr><w:rFonts w:eastAsia=\"仿宋\"/><w:sz w:val=\"24\"/></w:rPr>",
        )
    };
    format!(
        "<w:p>{ppr}<w:r>{rpr}<w:t xml:space=\"preserve\">{}</w:t></w:r></w:p>",
        xml_escape(text)
    )
}

/// A blank form: the title, a two-column table (the field, room to fill
/// it in), and the note.
fn docx(form: &Form) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    let mut body = paragraph(&form.title, true);
    body.push_str(
        "<w:tbl><w:tblPr><w:tblW w:w=\"5000\" w:type=\"pct\"/><w:tblBorders>\
         <w:top w:val=\"single\" w:sz=\"6\"/><w:left w:val=\"single\" w:sz=\"6\"/>\
         <w:bottom w:val=\"single\" w:sz=\"6\"/><w:right w:val=\"single\" w:sz=\"6\"/>\
         <w:insideH w:val=\"single\" w:sz=\"4\"/><w:insideV w:val=\"single\" w:sz=\"4\"/>\
         </w:tblBorders></w:tblPr><w:tblGrid><w:gridCol w:w=\"2800\"/><w:gridCol w:w=\"6200\"/></w:tblGrid>",
    );
    for (label, value) in form.rows() {
        let _ = write!(
            body,
            "<w:tr><w:trPr><w:trHeight w:val=\"600\"/></w:trPr><w:tc><w:tcPr><w:tcW w:w=\"2800\" w:type=\"dxa\"/></w:tcPr>{}</w:tc>\
             <w:tc><w:tcPr><w:tcW w:w=\"6200\" w:type=\"dxa\"/></w:tcPr>{}</w:tc></w:tr>",
            paragraph(label, false),
            paragraph(value, false)
        );
    }
    body.push_str("</w:tbl>");
    if let Some(note) = &form.note {
        body.push_str(&paragraph(note, false));
    }
    let document = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
         <w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
         <w:body>{body}<w:sectPr><w:pgSz w:w=\"11906\" w:h=\"16838\"/>\
         <w:pgMar w:top=\"1440\" w:right=\"1440\" w:bottom=\"1440\" w:left=\"1440\"/></w:sectPr>\
         </w:body></w:document>"
    );
    let parts: [(&str, &str); 3] = [
        (
            "[Content_Types].xml",
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
             <Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
             <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
             <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
             <Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>\
             </Types>",
        ),
        (
            "_rels/.rels",
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
             <Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
             <Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>\
             </Relationships>",
        ),
        ("word/document.xml", &document),
    ];
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    // The default time (1980-01-01) keeps the bytes the same on every run.
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    for (name, text) in parts {
        zip.start_file(name, options)?;
        zip.write_all(text.as_bytes())?;
    }
    Ok(zip.finish()?.into_inner())
}

/// Text as a PDF string for the UniGB-UCS2-H encoding: UTF-16BE in hex.
fn pdf_text(s: &str) -> String {
    let mut out = String::from("<");
    for unit in s.encode_utf16() {
        let _ = write!(out, "{unit:04X}");
    }
    out.push('>');
    out
}

/// A one-page A4 PDF: the title, then each field and its value on a ruled
/// line, in the STSong-Light font every PDF reader provides for Chinese
/// (its first 95 glyphs, ASCII, half as wide as the others).
fn pdf(form: &Form) -> Vec<u8> {
    let mut content = String::new();
    let _ = writeln!(
        content,
        "BT /F1 18 Tf {} 770 Td {} Tj ET",
        (595 - 18 * form.title.chars().count() as i32) / 2,
        pdf_text(&form.title)
    );
    let mut y = 720;
    content.push_str("0.5 w\n");
    for (label, value) in form.rows() {
        let _ = writeln!(content, "BT /F1 11 Tf 72 {y} Td {} Tj ET", pdf_text(label));
        if !value.is_empty() {
            let _ = writeln!(content, "BT /F1 11 Tf 220 {y} Td {} Tj ET", pdf_text(value));
        }
        let _ = writeln!(content, "72 {} m 523 {} l S", y - 8, y - 8);
        y -= 30;
    }
    if let Some(note) = &form.note {
        let _ = writeln!(
            content,
            "BT /F1 9 Tf 72 {} Td {} Tj ET",
            y - 10,
            pdf_text(note)
        );
    }
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] \
         /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>"
            .to_string(),
        format!(
            "<< /Length {} >>\nstream\n{content}endstream",
            content.len()
        ),
        "<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H \
         /DescendantFonts [6 0 R] >>"
            .to_string(),
        "<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light \
         /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> \
         /FontDescriptor 7 0 R /DW 1000 /W [1 95 500] >>"
            .to_string(),
        "<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 \
         /FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 \
         /CapHeight 880 /StemV 93 >>"
            .to_string(),
    ];
    let mut out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, obj) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{obj}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    let mut tail = format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
    for o in offsets {
        let _ = writeln!(tail, "{o:010} 00000 n ");
    }
    let _ = write!(
        tail,
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    );
    out.extend_from_slice(tail.as_bytes());
    out
}

//! What a file really is, told from its first bytes and structure rather than
//! its extension: when a file cannot be read as a filing, the clerk is told
//! "this is a Word document" or "this is a web page saved as .xls", not the
//! zip library's error. Only looked at once reading has failed.

use std::io::Cursor;

/// What a file that is not a readable workbook turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileKind {
    /// A Word document: `docx` (Office Open XML) or `doc` (Word 97–2003).
    Word { legacy: bool },
    /// A PowerPoint presentation.
    PowerPoint,
    /// An OpenDocument text or presentation (LibreOffice, WPS).
    OpenDocument,
    /// A PDF file.
    Pdf,
    /// An image; the format's name (PNG, JPEG, …).
    Image(&'static str),
    /// A web page (HTML), as many systems export “xls” files.
    Html,
    /// An Excel 2003 XML spreadsheet (`<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">`).
    Xml2003,
    /// An encrypted Office file (a workbook with an opening password).
    Encrypted,
    /// A zip archive holding other files, not a workbook; a few of their names.
    Archive(Vec<String>),
    /// Another kind of archive (7z, rar, gzip).
    OtherArchive(&'static str),
    /// An RTF document.
    Rtf,
    /// Plain text (perhaps CSV) under a workbook's extension.
    Text,
    /// A workbook whose structure is damaged or cut short (a download or
    /// copy that stopped half-way).
    DamagedWorkbook,
    /// Nothing yima recognizes.
    Unknown,
}

/// Tells what `bytes` are. `workbook_like` says the content looked like a
/// workbook of some format but could not be read as one.
pub fn sniff(bytes: &[u8]) -> FileKind {
    let head = &bytes[..bytes.len().min(64)];
    if head.starts_with(b"%PDF") {
        return FileKind::Pdf;
    }
    if let Some(image) = image(head) {
        return FileKind::Image(image);
    }
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        return zip_kind(bytes);
    }
    if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return ole_kind(bytes);
    }
    if head.starts_with(b"{\\rtf") {
        return FileKind::Rtf;
    }
    if head.starts_with(b"7z\xBC\xAF\x27\x1C") {
        return FileKind::OtherArchive("7z");
    }
    if head.starts_with(b"Rar!\x1A\x07") {
        return FileKind::OtherArchive("RAR");
    }
    if head.starts_with(&[0x1F, 0x8B]) {
        return FileKind::OtherArchive("gzip");
    }
    if let Some(text) = as_text(bytes) {
        let start = text.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
        let lower: String = start.chars().take(2048).collect::<String>().to_lowercase();
        if lower.contains("urn:schemas-microsoft-com:office:spreadsheet") {
            return FileKind::Xml2003;
        }
        if lower.starts_with("<!doctype html")
            || lower.starts_with("<html")
            || lower.starts_with("<table")
            || lower.starts_with("<meta")
            || (lower.starts_with('<') && lower.contains("<html"))
        {
            return FileKind::Html;
        }
        return FileKind::Text;
    }
    FileKind::Unknown
}

fn image(head: &[u8]) -> Option<&'static str> {
    Some(if head.starts_with(b"\x89PNG\r\n\x1A\n") {
        "PNG"
    } else if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        "JPEG"
    } else if head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a") {
        "GIF"
    } else if head.starts_with(b"BM") && head.len() > 14 && head[6..10] == [0, 0, 0, 0] {
        "BMP"
    } else if head.starts_with(b"II*\0") || head.starts_with(b"MM\0*") {
        "TIFF"
    } else if head.len() >= 12 && head.starts_with(b"RIFF") && &head[8..12] == b"WEBP" {
        "WebP"
    } else {
        return None;
    })
}

/// A zip archive: an Office document of another kind, a damaged workbook, or
/// an archive of files.
fn zip_kind(bytes: &[u8]) -> FileKind {
    let names: Vec<String> = match zip::ZipArchive::new(Cursor::new(bytes)) {
        Ok(z) => z
            .file_names()
            .filter_map(|n| n.ok().map(|n| n.into_owned()))
            .collect(),
        // Cut short or damaged: the local headers still name the parts.
        Err(_) => {
            let has = |s: &[u8]| memchr::memmem::find(bytes, s).is_some();
            return if has(b"word/") {
                FileKind::Word { legacy: false }
            } else if has(b"ppt/") {
                FileKind::PowerPoint
            } else {
                FileKind::DamagedWorkbook
            };
        }
    };
    let any = |prefix: &str| names.iter().any(|n| n.starts_with(prefix));
    if any("word/") {
        return FileKind::Word { legacy: false };
    }
    if any("ppt/") {
        return FileKind::PowerPoint;
    }
    if any("xl/") || any("[Content_Types].xml") {
        return FileKind::DamagedWorkbook;
    }
    if names.iter().any(|n| n == "mimetype") {
        let spreadsheet = memchr::memmem::find(bytes, b"opendocument.spreadsheet").is_some();
        return if spreadsheet {
            FileKind::DamagedWorkbook
        } else {
            FileKind::OpenDocument
        };
    }
    let mut shown: Vec<String> = names
        .iter()
        .filter(|n| !n.ends_with('/'))
        .take(3)
        .cloned()
        .collect();
    if names.len() > 3 {
        shown.push("…".into());
    }
    FileKind::Archive(shown)
}

/// An OLE compound file (Office 97–2003, or an encrypted Office file): the
/// names of its streams, stored in UTF-16, say what it holds.
fn ole_kind(bytes: &[u8]) -> FileKind {
    let has = |name: &str| {
        let utf16: Vec<u8> = name.encode_utf16().flat_map(u16::to_le_bytes).collect();
        memchr::memmem::find(bytes, &utf16).is_some()
    };
    if has("EncryptedPackage") || has("EncryptionInfo") {
        FileKind::Encrypted
    } else if has("WordDocument") {
        FileKind::Word { legacy: true }
    } else if has("PowerPoint Document") {
        FileKind::PowerPoint
    } else {
        FileKind::DamagedWorkbook
    }
}

/// The file as text, when it is text: UTF-8 (with or without BOM) or
/// GB18030, without control characters other than tab and line breaks.
fn as_text(bytes: &[u8]) -> Option<String> {
    let sample = &bytes[..bytes.len().min(8192)];
    // (A sample may end inside a character: only its last few bytes.)
    let text = match std::str::from_utf8(sample) {
        Ok(s) => s.to_string(),
        Err(e) if e.valid_up_to() + 4 >= sample.len() => {
            String::from_utf8_lossy(&sample[..e.valid_up_to()]).into_owned()
        }
        Err(_) => {
            let (t, _, bad) = encoding_rs::GB18030.decode(sample);
            if bad && t.chars().filter(|c| *c == '\u{fffd}').count() > 2 {
                return None;
            }
            t.into_owned()
        }
    };
    let control = text
        .chars()
        .filter(|c| c.is_control() && !matches!(c, '\t' | '\r' | '\n' | '\u{feff}'))
        .count();
    (!text.trim().is_empty() && control == 0).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zip_of(names: &[&str]) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        {
            let mut z = zip::ZipWriter::new(&mut out);
            for n in names {
                z.start_file(*n, zip::write::SimpleFileOptions::default())
                    .unwrap();
                std::io::Write::write_all(&mut z, b"<x/>").unwrap();
            }
            z.finish().unwrap();
        }
        out.into_inner()
    }

    #[test]
    fn tells_files_by_their_bytes() {
        assert_eq!(sniff(b"%PDF-1.7\n..."), FileKind::Pdf);
        assert_eq!(
            sniff(b"\x89PNG\r\n\x1A\n\0\0\0\rIHDR"),
            FileKind::Image("PNG")
        );
        assert_eq!(
            sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]),
            FileKind::Image("JPEG")
        );
        assert_eq!(
            sniff(b"<html><head><meta charset=gbk></head><table><tr><td>1</td></tr></table>"),
            FileKind::Html
        );
        assert_eq!(
            sniff("\u{feff}<!DOCTYPE html>\n<html>".as_bytes()),
            FileKind::Html
        );
        assert_eq!(
            sniff(b"<?xml version=\"1.0\"?>\n<Workbook xmlns=\"urn:schemas-microsoft-com:office:spreadsheet\">"),
            FileKind::Xml2003
        );
        assert_eq!(
            sniff("序号,事项名称\n1,婚姻登记\n".as_bytes()),
            FileKind::Text
        );
        let (gbk, _, _) = encoding_rs::GBK.encode("序号,事项名称\n1,婚姻登记\n");
        assert_eq!(sniff(&gbk), FileKind::Text);
        assert_eq!(sniff(&[0, 1, 2, 3, 0xfe, 0xff, 0x80]), FileKind::Unknown);
        assert_eq!(sniff(b"{\\rtf1\\ansi"), FileKind::Rtf);
    }

    #[test]
    fn tells_zip_packages_apart() {
        assert_eq!(
            sniff(&zip_of(&["[Content_Types].xml", "word/document.xml"])),
            FileKind::Word { legacy: false }
        );
        assert_eq!(
            sniff(&zip_of(&["[Content_Types].xml", "ppt/presentation.xml"])),
            FileKind::PowerPoint
        );
        assert_eq!(
            sniff(&zip_of(&["[Content_Types].xml", "xl/workbook.xml"])),
            FileKind::DamagedWorkbook
        );
        assert_eq!(
            sniff(&zip_of(&["公安.xlsx", "民政.xlsx", "说明.txt", "其他.doc"])),
            FileKind::Archive(vec![
                "公安.xlsx".into(),
                "民政.xlsx".into(),
                "说明.txt".into(),
                "…".into()
            ])
        );
        // Cut short: the local headers still tell.
        let word = zip_of(&["[Content_Types].xml", "word/document.xml"]);
        assert_eq!(
            sniff(&word[..word.len() - 40]),
            FileKind::Word { legacy: false }
        );
    }

    #[test]
    fn tells_ole_files_apart() {
        let ole = |stream: &str| {
            let mut b = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
            b.extend([0u8; 100]);
            b.extend(stream.encode_utf16().flat_map(u16::to_le_bytes));
            b
        };
        assert_eq!(sniff(&ole("EncryptedPackage")), FileKind::Encrypted);
        assert_eq!(sniff(&ole("WordDocument")), FileKind::Word { legacy: true });
        assert_eq!(sniff(&ole("Workbook")), FileKind::DamagedWorkbook);
    }
}

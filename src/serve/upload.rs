//! Uploads: a request body read within the size limit, its multipart form
//! parsed into files, and their names made safe to write into the desk's
//! private folder — a name is only ever a file name there, never a path.

use bytes::Bytes;
use std::io::Read;

/// At most this many files in one request.
pub const MOST_FILES: usize = 200;

/// Why an upload is refused.
#[derive(Debug, PartialEq, Eq)]
pub enum UploadError {
    /// Over the size limit (bytes).
    TooLarge(u64),
    /// Not a multipart form, or a malformed one.
    Malformed,
    /// No file in the form.
    NoFile,
    /// More than [`MOST_FILES`] files.
    TooMany,
    /// The connection broke while the body was read.
    Broken,
}

impl UploadError {
    /// The HTTP status and what to tell the clerk.
    pub fn answer(&self) -> (u16, String) {
        match self {
            UploadError::TooLarge(limit) => (
                413,
                format!(
                    "上传的文件太大：一次最多 {} MB。请分几次上传，或在命令行运行 yima check 检查大文件。",
                    limit / (1 << 20)
                ),
            ),
            UploadError::Malformed => (
                400,
                "上传的内容不是文件表单（multipart/form-data），无法检查。请在页面上选择文件后上传。".into(),
            ),
            UploadError::NoFile => (400, "没有收到文件：请先选择或拖入填报表。".into()),
            UploadError::TooMany => (
                400,
                format!("一次最多上传 {MOST_FILES} 个文件，请分几次上传。"),
            ),
            UploadError::Broken => (400, "上传中断，请重新上传。".into()),
        }
    }
}

/// Reads a body of at most `limit` bytes; a longer one is read to its end
/// and dropped (a chunk at a time, so memory stays small) and refused.
pub fn read_body(
    reader: &mut dyn Read,
    declared: Option<usize>,
    limit: u64,
) -> Result<Vec<u8>, UploadError> {
    let too_large = declared.is_some_and(|n| n as u64 > limit);
    let mut body = Vec::with_capacity(if too_large {
        0
    } else {
        declared.unwrap_or(0).min(limit as usize)
    });
    let mut chunk = vec![0u8; 64 << 10];
    let mut over = too_large;
    loop {
        let n = reader.read(&mut chunk).map_err(|_| UploadError::Broken)?;
        if n == 0 {
            break;
        }
        if !over {
            body.extend_from_slice(&chunk[..n]);
            if body.len() as u64 > limit {
                over = true;
                body = Vec::new();
            }
        }
    }
    if over {
        Err(UploadError::TooLarge(limit))
    } else {
        Ok(body)
    }
}

/// One uploaded file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    /// The name it was uploaded under, made safe.
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Runs a future that never waits: the body is in memory, so every step of
/// the multipart parser is ready at once.
fn ready<F: std::future::Future>(fut: F) -> F::Output {
    let mut fut = std::pin::pin!(fut);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

/// The files of a multipart form (fields without a file name are ignored).
pub fn files(content_type: &str, body: Vec<u8>) -> Result<Vec<Upload>, UploadError> {
    let boundary = multer::parse_boundary(content_type).map_err(|_| UploadError::Malformed)?;
    let stream =
        futures_util::stream::iter([Ok::<Bytes, std::convert::Infallible>(Bytes::from(body))]);
    let mut form = multer::Multipart::new(stream, boundary);
    let mut out: Vec<Upload> = Vec::new();
    ready(async {
        while let Some(field) = form
            .next_field()
            .await
            .map_err(|_| UploadError::Malformed)?
        {
            let Some(raw) = field.file_name().map(str::to_string) else {
                continue;
            };
            if out.len() >= MOST_FILES {
                return Err(UploadError::TooMany);
            }
            let bytes = field.bytes().await.map_err(|_| UploadError::Malformed)?;
            let name = unique(safe_name(&raw), &out);
            out.push(Upload {
                name,
                bytes: bytes.to_vec(),
            });
        }
        Ok(())
    })?;
    if out.is_empty() {
        return Err(UploadError::NoFile);
    }
    Ok(out)
}

/// A file name as uploaded, made a plain file name: the last part of a
/// path (`C:\fakepath\表.xlsx` → `表.xlsx`), no control characters, no
/// leading dots, not blank, at most 120 characters (the extension kept).
pub fn safe_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let clean: String = last
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, ':' | '*' | '?' | '"' | '<' | '>' | '|'))
        .collect();
    let clean = clean.trim().trim_start_matches('.').trim().to_string();
    let clean = if clean.is_empty() {
        "上传文件".to_string()
    } else {
        clean
    };
    if clean.chars().count() <= 120 {
        return clean;
    }
    let (stem, ext) = match clean.rsplit_once('.') {
        Some((s, e)) if e.chars().count() <= 8 => (s.to_string(), format!(".{e}")),
        _ => (clean.clone(), String::new()),
    };
    let stem: String = stem.chars().take(120 - ext.chars().count()).collect();
    format!("{stem}{ext}")
}

/// `name`, or `name (2)` etc. when another upload has it already.
fn unique(name: String, taken: &[Upload]) -> String {
    if taken.iter().all(|u| u.name != name) {
        return name;
    }
    let (stem, ext) = match name.rsplit_once('.') {
        Some((s, e)) => (s.to_string(), format!(".{e}")),
        None => (name.clone(), String::new()),
    };
    (2..)
        .map(|n| format!("{stem} ({n}){ext}"))
        .find(|n| taken.iter().all(|u| &u.name != n))
        .expect("a free name")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(parts: &[(&str, Option<&str>, &[u8])]) -> (String, Vec<u8>) {
        let mut body = Vec::new();
        for (name, file, bytes) in parts {
            body.extend_from_slice(b"--XyZ\r\n");
            match file {
                Some(f) => body.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
                ),
                None => body.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
                ),
            }
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(b"--XyZ--\r\n");
        ("multipart/form-data; boundary=XyZ".into(), body)
    }

    #[test]
    fn files_of_a_form() {
        let (ct, body) = form(&[
            ("note", None, b"hello"),
            ("files", Some("公安.xlsx"), b"PK\x03\x04"),
            ("files", Some("../../etc/公安.xlsx"), b"two"),
        ]);
        let got = files(&ct, body).unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].name, "公安.xlsx");
        assert_eq!(got[0].bytes, b"PK\x03\x04");
        assert_eq!(got[1].name, "公安 (2).xlsx");
    }

    #[test]
    fn bad_forms_are_refused() {
        assert_eq!(
            files("text/plain", b"x".to_vec()),
            Err(UploadError::Malformed)
        );
        let (ct, body) = form(&[("note", None, b"hello")]);
        assert_eq!(files(&ct, body), Err(UploadError::NoFile));
        let (ct, mut body) = form(&[("f", Some("a.xlsx"), b"abc")]);
        body.truncate(body.len() - 12);
        assert_eq!(files(&ct, body), Err(UploadError::Malformed));
    }

    #[test]
    fn names_are_plain_file_names() {
        assert_eq!(safe_name(r"C:\fakepath\填报表.xlsx"), "填报表.xlsx");
        assert_eq!(safe_name("../../.bashrc"), "bashrc");
        assert_eq!(safe_name("..."), "上传文件");
        assert_eq!(safe_name("a\u{0}b|c?.csv"), "abc.csv");
        let long = format!("{}.xlsx", "长".repeat(300));
        assert_eq!(safe_name(&long).chars().count(), 120);
        assert!(safe_name(&long).ends_with(".xlsx"));
    }

    #[test]
    fn bodies_over_the_limit_are_refused_without_being_held() {
        let big = vec![7u8; 300_000];
        assert_eq!(
            read_body(&mut &big[..], Some(big.len()), 100_000),
            Err(UploadError::TooLarge(100_000))
        );
        assert_eq!(
            read_body(&mut &big[..], None, 100_000),
            Err(UploadError::TooLarge(100_000))
        );
        assert_eq!(
            read_body(&mut &big[..], None, 300_000).unwrap().len(),
            300_000
        );
    }
}

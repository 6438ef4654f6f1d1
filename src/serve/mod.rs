//! The desk (`yima serve`, SPEC §7): a department's filing checked in the
//! browser, on 127.0.0.1 only.
//!
//! - `GET /` the page: pick or drop filings, see the findings, download the
//!   marked workbook and the blank template;
//! - `POST /check` (multipart, one or more files): the JSON report of SPEC §4,
//!   the same as `yima check --format json` on the same files, each named as
//!   it was uploaded (`?format=html`: the batch page instead);
//! - `POST /annotate` (the same form): the marked workbook of the filing (a
//!   zip of them for several filings);
//! - `GET /template`: the blank filing workbook.
//!
//! Uploads are written into a private temporary folder, checked, and the
//! folder is removed before the answer goes out. A request is at most the
//! size limit; checks run one at a time per core; a request whose Host is
//! not this desk (a web page trying DNS rebinding) or a form posted from
//! another site is refused.

pub mod upload;

use crate::annotate;
use crate::diag::{Lang, Report, Text};
use crate::filing::display_path;
use crate::report::{self, Format, Human};
use crate::text;
use crate::workspace::Workspace;
use std::collections::HashMap;
use std::io::Cursor;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use tiny_http::{Header, Method, Request, Response, Server};
use upload::Upload;

/// The port the desk listens on unless told otherwise.
pub const DEFAULT_PORT: u16 = 8421;
/// The most a request may carry, unless told otherwise: 50 MB.
pub const DEFAULT_LIMIT: u64 = 50 << 20;

const PAGE: &str = include_str!("page.html");

/// How to start the desk.
#[derive(Debug, Clone)]
pub struct Options {
    /// The address to listen on: a loopback address or `localhost`.
    pub bind: String,
    /// The port (0: any free one).
    pub port: u16,
    /// The most bytes one request may carry.
    pub limit: u64,
    pub lang: Lang,
}

/// Why the desk did not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The address is not a loopback address.
    #[error("{0} is not a loopback address")]
    NotLoopback(String),
    /// The port could not be bound.
    #[error("cannot listen on {addr}: {message}")]
    Bind { addr: SocketAddr, message: String },
    /// The blank template could not be built.
    #[error("template: {0}")]
    Template(String),
}

impl ServeError {
    /// What to tell the user, in both languages.
    pub fn describe(&self) -> Text {
        match self {
            ServeError::NotLoopback(a) => text!(
                "只能在本机地址上提供服务（127.0.0.1、::1 或 localhost），不能用 {a}：服务台不对局域网或互联网开放",
                "the desk listens on this computer only (127.0.0.1, ::1 or localhost), not on {a}"
            ),
            ServeError::Bind { addr, message } => {
                let port = addr.port();
                text!(
                    "无法在 {addr} 上启动服务台（端口 {port} 可能已被占用，可用 --port 换一个端口）：{message}",
                    "cannot listen on {addr} (port {port} may be in use: pick another with --port): {message}"
                )
            }
            ServeError::Template(e) => {
                text!(
                    "无法生成空白填报表：{e}",
                    "cannot build the blank template: {e}"
                )
            }
        }
    }
}

/// The address `bind` names, when it is a loopback one.
pub fn loopback(bind: &str) -> Option<IpAddr> {
    let b = bind.trim().trim_start_matches('[').trim_end_matches(']');
    if b.eq_ignore_ascii_case("localhost") {
        return Some(IpAddr::V4(Ipv4Addr::LOCALHOST));
    }
    b.parse::<IpAddr>().ok().filter(IpAddr::is_loopback)
}

/// Checks at a time: one per core.
struct Permits {
    free: Mutex<usize>,
    freed: Condvar,
}

struct Permit<'a>(&'a Permits);

impl Permits {
    fn take(&self) -> Permit<'_> {
        let mut free = self.free.lock().unwrap_or_else(|e| e.into_inner());
        while *free == 0 {
            free = self.freed.wait(free).unwrap_or_else(|e| e.into_inner());
        }
        *free -= 1;
        Permit(self)
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        *self.0.free.lock().unwrap_or_else(|e| e.into_inner()) += 1;
        self.0.freed.notify_one();
    }
}

/// What every request handler shares.
struct State {
    ws: Workspace,
    lang: Lang,
    limit: u64,
    template: Vec<u8>,
    /// `Host` values that name this desk.
    hosts: Vec<String>,
    permits: Permits,
}

/// A desk listening.
pub struct Desk {
    server: Arc<Server>,
    state: Arc<State>,
    addr: SocketAddr,
}

impl Desk {
    /// Listens on `options`' loopback address and port, for the workspace `ws`.
    pub fn start(options: &Options, ws: Workspace) -> Result<Desk, ServeError> {
        let ip =
            loopback(&options.bind).ok_or_else(|| ServeError::NotLoopback(options.bind.clone()))?;
        let wanted = SocketAddr::new(ip, options.port);
        let server = Server::http(wanted).map_err(|e| ServeError::Bind {
            addr: wanted,
            message: e.to_string(),
        })?;
        let addr = server.server_addr().to_ip().unwrap_or(wanted);
        let template = crate::filing::template::build(&ws.standard, &Default::default())
            .map_err(|e| ServeError::Template(e.describe().en))?;
        let port = addr.port();
        let hosts = vec![
            format!("127.0.0.1:{port}"),
            format!("localhost:{port}"),
            format!("[::1]:{port}"),
            addr.to_string(),
        ];
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Ok(Desk {
            server: Arc::new(server),
            state: Arc::new(State {
                ws,
                lang: options.lang,
                limit: options.limit,
                template,
                hosts,
                permits: Permits {
                    free: Mutex::new(cores),
                    freed: Condvar::new(),
                },
            }),
            addr,
        })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The page's address: `http://127.0.0.1:8421/`.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// Answers requests until the process ends: a few threads take them,
    /// the checks among them one per core at a time.
    pub fn serve(self) {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let workers: Vec<_> = (0..(cores * 2).max(4))
            .map(|_| {
                let server = Arc::clone(&self.server);
                let state = Arc::clone(&self.state);
                std::thread::spawn(move || {
                    while let Ok(request) = server.recv() {
                        handle(&state, request);
                    }
                })
            })
            .collect();
        for w in workers {
            let _ = w.join();
        }
    }
}

/// A response with `content_type`, never cached, never sniffed.
fn respond(
    request: Request,
    status: u16,
    content_type: &str,
    body: Vec<u8>,
    extra: &[(&str, String)],
) {
    let len = body.len();
    // Every answer is whole in memory: sent with its length, never chunked
    // (tiny_http chunks bodies over 32 KB by default).
    let mut response = Response::new(
        status.into(),
        Vec::new(),
        Cursor::new(body),
        Some(len),
        None,
    )
    .with_chunked_threshold(usize::MAX);
    let mut add = |k: &str, v: &str| {
        if let Ok(h) = Header::from_bytes(k.as_bytes(), v.as_bytes()) {
            response.add_header(h);
        }
    };
    add("Content-Type", content_type);
    add("Cache-Control", "no-store");
    add("X-Content-Type-Options", "nosniff");
    add("Referrer-Policy", "no-referrer");
    for (k, v) in extra {
        add(k, v);
    }
    let _ = request.respond(response);
}

/// An error answer: `{"error": "…"}`.
fn error(request: Request, status: u16, message: &str) {
    let body = serde_json::json!({ "error": message })
        .to_string()
        .into_bytes();
    respond(
        request,
        status,
        "application/json; charset=utf-8",
        body,
        &[],
    );
}

fn header<'r>(request: &'r Request, name: &str) -> Option<&'r str> {
    request
        .headers()
        .iter()
        .find(|h| h.field.as_str().as_str().eq_ignore_ascii_case(name))
        .map(|h| h.value.as_str())
}

/// `attachment; filename*=UTF-8''…`: a file name any browser keeps.
fn attachment(name: &str) -> String {
    let mut encoded = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

fn handle(state: &State, request: Request) {
    // Only this desk's own names: a page elsewhere that points a name of its
    // own at 127.0.0.1 (DNS rebinding) gets nothing.
    let host = header(&request, "Host").unwrap_or("");
    if !state.hosts.iter().any(|h| h.eq_ignore_ascii_case(host)) {
        return error(request, 403, "只接受本机地址的访问。");
    }
    let url = request.url().to_string();
    let (path, query) = url.split_once('?').unwrap_or((&url, ""));
    match (request.method(), path) {
        (Method::Get | Method::Head, "/") => respond(
            request,
            200,
            "text/html; charset=utf-8",
            PAGE.as_bytes().to_vec(),
            &[(
                "Content-Security-Policy",
                "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data: blob:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'".into(),
            )],
        ),
        (Method::Get | Method::Head, "/template") => {
            let body = state.template.clone();
            respond(
                request,
                200,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                body,
                &[("Content-Disposition", attachment("填报表.xlsx"))],
            )
        }
        (Method::Post, "/check" | "/annotate") => {
            // A form posted from another site's page is not the clerk's.
            let origin = header(&request, "Origin");
            if let Some(o) = origin {
                let ours = state.hosts.iter().any(|h| o.eq_ignore_ascii_case(&format!("http://{h}")));
                if !ours {
                    return error(request, 403, "只接受本页面的上传。");
                }
            }
            let html = query.split('&').any(|kv| kv == "format=html");
            let annotate = path == "/annotate";
            post(state, request, annotate, html);
        }
        (_, "/" | "/template" | "/check" | "/annotate") => {
            error(request, 405, "不支持这种请求方式。")
        }
        _ => error(request, 404, "没有这个页面。"),
    }
}

/// `POST /check` and `POST /annotate`.
fn post(state: &State, mut request: Request, annotate: bool, html: bool) {
    let content_type = header(&request, "Content-Type").unwrap_or("").to_string();
    let declared = request.body_length();
    let uploads = upload::read_body(request.as_reader(), declared, state.limit)
        .and_then(|body| upload::files(&content_type, body));
    let uploads = match uploads {
        Ok(u) => u,
        Err(e) => {
            let (status, message) = e.answer();
            return error(request, status, &message);
        }
    };
    let permit = state.permits.take();
    let answer = checked(state, &uploads, annotate, html);
    drop(permit);
    match answer {
        Ok((content_type, body, extra)) => respond(request, 200, &content_type, body, &extra),
        Err(message) => error(request, 500, &message),
    }
}

type Answer = (String, Vec<u8>, Vec<(&'static str, String)>);

/// Checks the uploads in a private folder (removed before this returns)
/// and gives the answer: the report, or the marked workbooks.
fn checked(
    state: &State,
    uploads: &[Upload],
    annotate: bool,
    html: bool,
) -> Result<Answer, String> {
    let lang = state.lang;
    let failed = |e: &dyn std::fmt::Display| match lang {
        Lang::Zh => format!("检查时出错：{e}"),
        Lang::En => format!("the check failed: {e}"),
    };
    let dir = tempfile::Builder::new()
        .prefix("yima-desk-")
        .tempdir()
        .map_err(|e| failed(&e))?;
    let mut paths = Vec::new();
    let mut names: HashMap<String, String> = HashMap::new();
    for u in uploads {
        let p = dir.path().join(&u.name);
        std::fs::write(&p, &u.bytes).map_err(|e| failed(&e))?;
        names.insert(display_path(&p), u.name.clone());
        paths.push(p);
    }
    let checked = crate::check::check_paths(&paths, &state.ws, false).map_err(|e| failed(&e))?;
    let mut report = checked.report;
    rename(&mut report, &names);
    let name_of = |p: &Path| {
        let shown = display_path(p);
        names.get(&shown).cloned().unwrap_or(shown)
    };
    let answer = if annotate {
        let inputs = crate::filing::discover(&paths).map_err(|e| failed(&e))?;
        let mut marked: Vec<(String, Vec<u8>)> = Vec::new();
        for input in &inputs {
            let a = annotate::annotate_named(input, &report, lang, &name_of)
                .map_err(|e| e.describe().get(lang).to_string())?;
            marked.push((annotate::output_name(input, a.macros), a.bytes));
        }
        match marked.len() {
            1 => {
                let (name, bytes) = marked.remove(0);
                let ct = if name.ends_with(".xlsm") {
                    "application/vnd.ms-excel.sheet.macroEnabled.12"
                } else {
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                };
                (
                    ct.to_string(),
                    bytes,
                    vec![("Content-Disposition", attachment(&name))],
                )
            }
            _ => {
                let bytes = zip_of(&marked).map_err(|e| failed(&e))?;
                (
                    "application/zip".to_string(),
                    bytes,
                    vec![("Content-Disposition", attachment("检查结果.zip"))],
                )
            }
        }
    } else if html {
        let inputs = crate::filing::discover(&paths).unwrap_or_default();
        // (The rows are read back before the names change: they are found
        // by the files' own paths.)
        let rows = report::rows::gather(&named_back(&report, &names), &inputs, &state.ws.standard);
        let rows = report::rows::Rows {
            sheets: rows
                .sheets
                .into_iter()
                .map(|((f, s), v)| ((names.get(&f).cloned().unwrap_or(f), s), v))
                .collect(),
        };
        (
            "text/html; charset=utf-8".to_string(),
            report::html::render(&report, &rows, lang).into_bytes(),
            vec![],
        )
    } else {
        let text = report::render(&report, Format::Json, lang, &Human::default());
        (
            "application/json; charset=utf-8".to_string(),
            text.into_bytes(),
            vec![],
        )
    };
    // The uploads go before the answer does.
    let path: PathBuf = dir.path().to_path_buf();
    dir.close().map_err(|e| failed(&e))?;
    debug_assert!(!path.exists());
    Ok(answer)
}

/// The report with each uploaded file named by the name it was uploaded
/// under, as `yima check` names a file given by that name.
fn rename(report: &mut Report, names: &HashMap<String, String>) {
    for d in &mut report.diagnostics {
        if let Some(n) = names.get(&*d.origin.file) {
            d.origin.file = Arc::from(n.as_str());
        }
    }
    for f in &mut report.files {
        if let Some(n) = names.get(&f.file) {
            f.file = n.clone();
        }
    }
    for e in &mut report.entries {
        if let Some(n) = names.get(&e.file) {
            e.file = n.clone();
        }
    }
}

/// The report with the files' own paths again (for reading rows back).
fn named_back(report: &Report, names: &HashMap<String, String>) -> Report {
    let back: HashMap<String, String> = names.iter().map(|(k, v)| (v.clone(), k.clone())).collect();
    let mut r = report.clone();
    rename(&mut r, &back);
    r
}

/// A zip of the marked workbooks.
fn zip_of(files: &[(String, Vec<u8>)]) -> Result<Vec<u8>, zip::result::ZipError> {
    use std::io::Write;
    let mut z = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, bytes) in files {
        z.start_file(name.as_str(), options)?;
        z.write_all(bytes)?;
    }
    Ok(z.finish()?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_addresses() {
        assert_eq!(loopback("127.0.0.1"), Some(IpAddr::V4(Ipv4Addr::LOCALHOST)));
        assert_eq!(loopback("localhost"), Some(IpAddr::V4(Ipv4Addr::LOCALHOST)));
        assert!(loopback("::1").is_some());
        assert!(loopback("[::1]").is_some());
        assert!(loopback("127.0.0.2").is_some());
        for other in [
            "0.0.0.0",
            "::",
            "192.168.1.5",
            "10.0.0.1",
            "example.com",
            "",
        ] {
            assert_eq!(loopback(other), None, "{other}");
        }
    }

    #[test]
    fn download_names_survive_any_browser() {
        assert_eq!(
            attachment("填报表.xlsx"),
            "attachment; filename=\"___.xlsx\"; filename*=UTF-8''%E5%A1%AB%E6%8A%A5%E8%A1%A8.xlsx"
        );
    }
}

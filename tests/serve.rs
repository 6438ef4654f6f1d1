//! `yima serve`: the desk, started and stopped by each test (`--port 0`,
//! its address read from what it prints), with its temporary folder in one
//! of the test's own so that nothing left behind goes unseen.
//!
//! The desk answers `POST /check` with exactly what `yima check --format
//! json` prints for the same file; it refuses addresses that are not this
//! computer's, requests for other hosts and forms from other sites; it
//! survives malformed, empty, hostile and oversized uploads and many at
//! once; it gives the blank template and the marked workbook; and in
//! headless Chromium a clerk's upload through the page shows its findings
//! and downloads the marked workbook.

mod browser;
mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use support::*;

/// A desk running for one test; stopped when dropped.
struct Desk {
    child: Child,
    addr: String,
    /// Its temporary folder (TMPDIR).
    tmp: tempfile::TempDir,
}

impl Desk {
    fn start(args: &[&str]) -> Desk {
        let tmp = tempdir();
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("yima"))
            .args(["serve", "--port", "0"])
            .args(args)
            .env("TMPDIR", tmp.path())
            .current_dir(tmp.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start yima serve");
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let url = first
            .split("http://")
            .nth(1)
            .unwrap_or_else(|| panic!("no address in {first:?}"));
        let addr = url.trim().trim_end_matches('/').to_string();
        Desk { child, addr, tmp }
    }

    /// What is left in its temporary folder.
    fn leftovers(&self) -> Vec<String> {
        std::fs::read_dir(self.tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect()
    }

    fn request(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Answer {
        http(&self.addr, method, path, headers, body)
    }

    fn post_files(&self, path: &str, files: &[(&str, &[u8])]) -> Answer {
        let (ct, body) = multipart(files);
        self.request("POST", path, &[("Content-Type", &ct)], &body)
    }
}

impl Drop for Desk {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP answer.
#[derive(Debug)]
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Answer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// One HTTP/1.1 request on a connection of its own.
fn http(addr: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Answer {
    let mut s = TcpStream::connect(addr).expect("connect to the desk");
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("Host")) {
        head.push_str(&format!("Host: {addr}\r\n"));
    }
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).unwrap();
    // A desk that answers before reading all (a refusal) may close early.
    let _ = s.write_all(body);
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no answer: {:?}", String::from_utf8_lossy(&raw)));
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    Answer {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    }
}

/// A multipart form of files: (content type, body).
fn multipart(files: &[(&str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----yimaTestBoundary7MA4YWxk";
    let mut body = Vec::new();
    for (name, bytes) in files {
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// A filing with mistakes: a wrong USCC, a blank required cell, a category
/// not in the table.
fn filing_with_mistakes() -> Vec<u8> {
    let mut f = Filing::valid(3);
    f.entries[0].set("实施主体编码", "11431300006140434T");
    f.entries[1].set("办理时间", "");
    f.entries[2].set("事项类型", "行政许");
    let items = f
        .items_sheet()
        .merged_title("娄底市民政局政务服务事项实施清单");
    xlsx_bytes(&[items, f.materials_sheet()])
}

#[test]
fn the_desk_answers_what_check_prints_for_the_same_file() {
    let desk = Desk::start(&[]);
    let dir = tempdir();
    let bytes = filing_with_mistakes();
    std::fs::write(dir.path().join("民政局 填报表.xlsx"), &bytes).unwrap();
    let cli = run(
        dir.path(),
        &["check", "--format", "json", "民政局 填报表.xlsx"],
    );
    let answer = desk.post_files("/check", &[("民政局 填报表.xlsx", &bytes)]);
    assert_eq!(answer.status, 200, "{}", answer.text());
    assert_eq!(
        answer.header("Content-Type"),
        Some("application/json; charset=utf-8")
    );
    assert_eq!(answer.text(), cli.stdout);
    assert!(answer.json()["summary"]["errors"].as_u64().unwrap() >= 3);
    // A browser sends the path the clerk picked from: only the name counts.
    let answer = desk.post_files("/check", &[(r"C:\fakepath\民政局 填报表.xlsx", &bytes)]);
    assert_eq!(answer.text(), cli.stdout);
    // A CSV pair uploaded together is one filing, as on the command line.
    let f = Filing::valid(2);
    f.write_csv(dir.path(), "公安-", Encoding::Gbk);
    let items = std::fs::read(dir.path().join("公安-事项.csv")).unwrap();
    let materials = std::fs::read(dir.path().join("公安-申请材料.csv")).unwrap();
    let cli = run(
        dir.path(),
        &[
            "check",
            "--format",
            "json",
            "公安-事项.csv",
            "公安-申请材料.csv",
        ],
    );
    let answer = desk.post_files(
        "/check",
        &[("公安-事项.csv", &items), ("公安-申请材料.csv", &materials)],
    );
    assert_eq!(answer.text(), cli.stdout);
    assert_eq!(answer.json()["summary"]["files"], 1);
    assert!(desk.leftovers().is_empty(), "{:?}", desk.leftovers());
}

#[test]
fn only_this_computer_is_served() {
    for bind in ["0.0.0.0", "::", "192.168.1.5", "example.com"] {
        let dir = tempdir();
        let r = run(dir.path(), &["serve", "--port", "0", "--bind", bind]);
        assert_eq!(r.code, 2, "{bind}: {r:?}");
        assert!(
            r.stderr.contains("只能在本机地址上提供服务"),
            "{bind}: {}",
            r.stderr
        );
    }
    let desk = Desk::start(&["--bind", "localhost"]);
    assert!(desk.addr.starts_with("127.0.0.1:"), "{}", desk.addr);
    // Requests naming another host (DNS rebinding) and forms posted from
    // another site are refused.
    let a = desk.request("GET", "/", &[("Host", "evil.example:80")], b"");
    assert_eq!(a.status, 403);
    let (ct, body) = multipart(&[("a.xlsx", &filing_with_mistakes())]);
    let a = desk.request(
        "POST",
        "/check",
        &[("Content-Type", &ct), ("Origin", "http://evil.example")],
        &body,
    );
    assert_eq!(a.status, 403);
    let origin = format!("http://{}", desk.addr);
    let a = desk.request(
        "POST",
        "/check",
        &[("Content-Type", &ct), ("Origin", &origin)],
        &body,
    );
    assert_eq!(a.status, 200, "{}", a.text());
}

#[test]
fn bad_uploads_get_an_answer_never_a_crash() {
    let desk = Desk::start(&["--max-upload-mb", "1"]);
    // Not a form at all.
    let a = desk.request(
        "POST",
        "/check",
        &[("Content-Type", "text/plain")],
        b"hello",
    );
    assert_eq!(a.status, 400);
    assert!(
        a.json()["error"].as_str().unwrap().contains("不是文件表单"),
        "{}",
        a.text()
    );
    // A form cut short.
    let (ct, mut body) = multipart(&[("a.xlsx", &filing_with_mistakes())]);
    body.truncate(body.len() / 2);
    let a = desk.request("POST", "/check", &[("Content-Type", &ct)], &body);
    assert_eq!(a.status, 400, "{}", a.text());
    // A form without a file.
    let (ct, _) = multipart(&[]);
    let a = desk.request(
        "POST",
        "/check",
        &[("Content-Type", &ct)],
        format!("--{}--\r\n", ct.split('=').nth(1).unwrap()).as_bytes(),
    );
    assert_eq!(a.status, 400);
    assert!(a.text().contains("没有收到文件"), "{}", a.text());
    // Over the limit: refused, whole.
    let big = vec![b'x'; 3 << 20];
    let a = desk.post_files("/check", &[("大文件.xlsx", &big)]);
    assert_eq!(a.status, 413, "{}", a.text());
    assert!(a.text().contains("最多 1 MB"), "{}", a.text());
    // Files that are no filing: a finding each, as `yima check` gives.
    let a = desk.post_files(
        "/check",
        &[
            ("空.xlsx", b""),
            ("扫描件.pdf", b"%PDF-1.7\n"),
            ("../../../etc/passwd", b"root:x:0:0"),
            ("<script>.xlsx", b"<html><table></table></html>"),
        ],
    );
    assert_eq!(a.status, 200, "{}", a.text());
    let report = a.json();
    let files: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "file-unreadable")
        .map(|d| d["file"].as_str().unwrap())
        .collect();
    assert_eq!(files.len(), 4, "{report}");
    assert!(files.contains(&"passwd"), "{files:?}");
    assert!(files.contains(&"script.xlsx"), "{files:?}");
    // Wrong method, unknown page.
    assert_eq!(desk.request("GET", "/check", &[], b"").status, 405);
    assert_eq!(desk.request("GET", "/nothing", &[], b"").status, 404);
    // Still serving, nothing left behind.
    assert_eq!(desk.request("GET", "/", &[], b"").status, 200);
    assert!(desk.leftovers().is_empty(), "{:?}", desk.leftovers());
}

#[test]
fn many_clerks_at_once_each_get_their_own_report() {
    let desk = Desk::start(&[]);
    let addr = desk.addr.clone();
    let answers: Vec<(usize, serde_json::Value)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|i| {
                let addr = addr.clone();
                s.spawn(move || {
                    let mut f = Filing::valid(1 + i as u32 % 5);
                    if i % 2 == 1 {
                        f.entries[0].set("事项类型", "行政许");
                    }
                    let bytes = f.items_sheet();
                    let bytes = xlsx_bytes(&[bytes, f.materials_sheet()]);
                    let (ct, body) = multipart(&[(&format!("第{i}个.xlsx"), &bytes)]);
                    let a = http(&addr, "POST", "/check", &[("Content-Type", &ct)], &body);
                    assert_eq!(a.status, 200, "{}", a.text());
                    (i, a.json())
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for (i, report) in answers {
        assert_eq!(report["summary"]["entries"], 1 + i as u64 % 5, "{report}");
        assert_eq!(
            report["summary"]["errors"],
            u64::from(i % 2 == 1),
            "{report}"
        );
        for d in report["diagnostics"].as_array().unwrap() {
            assert_eq!(d["file"], format!("第{i}个.xlsx"));
        }
    }
    assert!(desk.leftovers().is_empty(), "{:?}", desk.leftovers());
}

#[test]
fn the_template_and_the_marked_workbook_are_downloads() {
    use calamine::Reader;
    let desk = Desk::start(&[]);
    let t = desk.request("GET", "/template", &[], b"");
    assert_eq!(t.status, 200);
    assert!(
        t.header("Content-Disposition")
            .unwrap()
            .contains("filename*=UTF-8''%E5%A1%AB%E6%8A%A5%E8%A1%A8.xlsx")
    );
    let book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(t.body.clone())).unwrap();
    assert!(book.sheet_names().contains(&"事项".to_string()));

    let bytes = filing_with_mistakes();
    let a = desk.post_files("/annotate", &[("民政局.xlsx", &bytes)]);
    assert_eq!(a.status, 200, "{}", a.text());
    let cd = a.header("Content-Disposition").unwrap();
    assert!(cd.contains(&encode("民政局（检查结果）.xlsx")), "{cd}");
    let book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(a.body.clone())).unwrap();
    assert_eq!(book.sheet_names(), ["检查结果", "事项", "申请材料"]);
    // The 检查结果 sheet names the upload, not the desk's folder.
    let mut book = book;
    let list = book.worksheet_range("检查结果").unwrap();
    let title = list.get_value((0, 0)).unwrap().to_string();
    assert_eq!(title, "检查结果：民政局.xlsx");
    // Two filings: a zip of both.
    let a = desk.post_files("/annotate", &[("甲.xlsx", &bytes), ("乙.xlsx", &bytes)]);
    assert_eq!(a.header("Content-Type"), Some("application/zip"));
    let z = zip::ZipArchive::new(std::io::Cursor::new(a.body.clone())).unwrap();
    let mut names: Vec<String> = z.file_names().map(|n| n.unwrap().to_string()).collect();
    names.sort();
    assert_eq!(names, ["乙（检查结果）.xlsx", "甲（检查结果）.xlsx"]);
    assert!(desk.leftovers().is_empty(), "{:?}", desk.leftovers());
}

/// Percent-encoded UTF-8, as in `filename*`.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[test]
fn browser_a_clerk_uploads_sees_the_findings_and_downloads_the_marked_workbook() {
    if !browser::available(
        "browser_a_clerk_uploads_sees_the_findings_and_downloads_the_marked_workbook",
    ) {
        return;
    }
    use calamine::Reader;
    let desk = Desk::start(&[]);
    let dir = tempdir();
    let file = dir.path().join("民政局.xlsx");
    std::fs::write(&file, filing_with_mistakes()).unwrap();
    let cli = run(dir.path(), &["check", "--format", "json", "民政局.xlsx"]).report();
    let downloads = dir.path().join("downloads");
    std::fs::create_dir(&downloads).unwrap();
    let shot: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/desk-screenshot.png");
    let got = browser::run(
        "desk.mjs",
        &[
            &format!("http://{}/", desk.addr),
            file.to_str().unwrap(),
            downloads.to_str().unwrap(),
            shot.to_str().unwrap(),
        ],
    );
    assert_eq!(got["errors"], serde_json::json!([]), "{got}");
    // The page shows each finding of the report, at its cell.
    let shown: Vec<String> = got["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap().to_string())
        .collect();
    let expected: Vec<String> = cli
        .diagnostics
        .iter()
        .map(|d| {
            format!(
                "{}|{}|{}",
                d.file,
                d.rule,
                d.cell.clone().unwrap_or_default()
            )
        })
        .collect();
    assert_eq!(shown, expected);
    assert!(
        got["verdict"].as_str().unwrap().starts_with("未通过"),
        "{got}"
    );
    // The marked workbook was downloaded under its name.
    assert_eq!(got["download"], "民政局（检查结果）.xlsx");
    let bytes = std::fs::read(downloads.join("民政局（检查结果）.xlsx")).unwrap();
    let book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(book.sheet_names()[0], "检查结果");
    // And the blank template.
    assert_eq!(got["template"], "填报表.xlsx");
    let t = std::fs::read(downloads.join("填报表.xlsx")).unwrap();
    let mut t: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(t)).unwrap();
    assert!(t.worksheet_range("事项").is_ok());
    assert!(desk.leftovers().is_empty(), "{:?}", desk.leftovers());
}

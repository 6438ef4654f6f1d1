//! `yima check --format html -o FILE`: the batch page the staffing office
//! opens for forty departments. It holds every finding of the JSON report of
//! the same run, each with its row as it stands in the sheet and the cell
//! marked; it loads nothing from anywhere (one file, from file://); hostile
//! cell text stays text. In headless Chromium a 40-department batch loads,
//! sorts by errors, and makes no request but its own file.

mod browser;
mod support;

use std::collections::BTreeMap;
use std::path::Path;
use support::*;

/// A department that files: its name and a valid USCC.
fn agency(i: u32) -> Agency {
    Agency {
        name: format!("娄底市第{i}局"),
        uscc: uscc("11", "431300", &format!("{:08}", 61400000 + i * 7)),
    }
}

/// `n` departments' filings in `dir`: the i-th has `i % 4` seeded errors
/// and, every third, a warning; a CSV pair among them.
fn batch(dir: &Path, n: u32) {
    for i in 1..=n {
        let mut f = Filing::valid(4).by(&agency(i));
        for e in 0..(i % 4) as usize {
            f.entries[e].set("事项类型", "行政许");
        }
        if i % 3 == 0 {
            f.entries[3].set("到办事现场次数", "2");
        }
        if i == 2 {
            f.write_csv(dir, &format!("{}-", agency(i).name), Encoding::Utf8Bom);
        } else {
            let items = f
                .items_sheet()
                .merged_title(&format!("{}政务服务事项", agency(i).name));
            write_xlsx(
                &dir.join(format!("{}.xlsx", agency(i).name)),
                &[items, f.materials_sheet()],
            );
        }
    }
}

/// The (file, rule, cell) of each finding on the page.
fn on_page(html: &str) -> Vec<(String, String, String)> {
    let attr = |tag: &str, name: &str| -> String {
        let key = format!("{name}=\"");
        let at = tag.find(&key).unwrap() + key.len();
        let v = &tag[at..at + tag[at..].find('"').unwrap()];
        v.replace("&amp;", "&")
            .replace("&quot;", "\"")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
    };
    html.split("<article class=\"f ")
        .skip(1)
        .map(|rest| {
            let tag = &rest[..rest.find('>').unwrap()];
            (
                attr(tag, "data-file"),
                attr(tag, "data-rule"),
                attr(tag, "data-cell"),
            )
        })
        .collect()
}

fn counted(list: Vec<(String, String, String)>) -> BTreeMap<(String, String, String), usize> {
    let mut m = BTreeMap::new();
    for k in list {
        *m.entry(k).or_default() += 1;
    }
    m
}

#[test]
fn the_page_holds_every_finding_of_the_json_report() {
    let dir = tempdir();
    batch(dir.path(), 6);
    let (report, _) = check(dir.path(), &["."]);
    let r = run(
        dir.path(),
        &["check", "--format", "html", "-o", "报告.html", "."],
    );
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("报告已写入 报告.html"), "{}", r.stderr);
    let html = std::fs::read_to_string(dir.path().join("报告.html")).unwrap();
    let json: Vec<(String, String, String)> = report
        .diagnostics
        .iter()
        .map(|d| {
            (
                d.file.clone(),
                d.rule.clone(),
                d.cell.clone().unwrap_or_default(),
            )
        })
        .collect();
    assert!(json.len() >= 8, "{report}");
    assert_eq!(counted(on_page(&html)), counted(json));
    // The totals and a row a department.
    let s = report.summary;
    for (label, n) in [
        ("文件", s.files),
        ("事项", s.entries),
        ("错误", s.errors),
        ("警告", s.warnings),
    ] {
        assert!(
            html.contains(&format!("<b data-total=\"{label}\">{n}</b>")),
            "{label} {n}"
        );
    }
    assert_eq!(html.matches("<tr data-dept=").count(), 6);
    // The CSV pair is one department of two files.
    let row = &html[html
        .find("<tr data-dept=\"娄底市第2局\">")
        .expect("its row")..];
    assert!(
        row[..row.find("</tr>").unwrap()].contains("娄底市第2局</a></td><td class=\"n\">2</td>"),
        "{row}"
    );
}

#[test]
fn each_finding_shows_its_row_under_the_header_with_the_cell_marked() {
    let dir = tempdir();
    let mut f = Filing::valid(3);
    f.entries[1].set("实施主体编码", "11431300006140434T");
    let items = f
        .items_sheet()
        .merged_title("娄底市民政局政务服务事项实施清单")
        .row_above(&["填报单位：娄底市民政局"]);
    write_xlsx(
        &dir.path().join("民政局.xlsx"),
        &[items.clone(), f.materials_sheet()],
    );
    let r = run(dir.path(), &["check", "--format", "html", "民政局.xlsx"]);
    let html = r.stdout;
    let cell = items.cell("实施主体编码", 1);
    let start = html
        .find(&format!("data-cell=\"{cell}\""))
        .expect("the finding");
    let article = &html[start..start + html[start..].find("</article>").unwrap()];
    assert!(
        article.contains("<td class=\"hit\">11431300006140434T</td>"),
        "{article}"
    );
    // Its header row (the sheet's row 3, under the title rows) and its own
    // row number, as Excel shows them.
    assert!(
        article.contains(&format!(
            "<tr class=\"hdr\"><th>{}</th>",
            items.header_row()
        )),
        "{article}"
    );
    assert!(article.contains("<td>实施主体编码</td>"), "{article}");
    assert!(
        article.contains(&format!(
            "<tr><th>{}</th><td>2</td><td>社会团体变更登记</td>",
            items.row_of(1)
        )),
        "{article}"
    );
}

#[test]
fn the_page_loads_nothing_and_shows_hostile_text_as_text() {
    let dir = tempdir();
    let mut f = Filing::valid(2);
    f.entries[0].set(
        "事项名称",
        "<script>alert(1)</script><img src=x onerror=alert(2)>",
    );
    f.entries[0].set("事项类型", "\"><img src=y onerror=alert(3)>");
    f.write_xlsx(&dir.path().join("民政局.xlsx"));
    let html = run(dir.path(), &["check", "--format", "html", "民政局.xlsx"]).stdout;
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{html}"
    );
    assert!(!html.contains("<img"), "{html}");
    assert_eq!(html.matches("<script").count(), 1, "only its own script");
    for external in ["<link", "@import", "url(", "<iframe", "<object"] {
        assert!(!html.contains(external), "{external} in the page");
    }
    // No element has a source, and every link stays in the page.
    for tag in html
        .split('<')
        .skip(1)
        .map(|t| &t[..t.find('>').unwrap_or(t.len())])
    {
        assert!(!tag.contains(" src="), "<{tag}>");
        if let Some(at) = tag.find(" href=\"") {
            assert!(tag[at + 7..].starts_with('#'), "<{tag}>");
        }
    }
}

#[test]
fn browser_opens_forty_departments_in_under_a_second() {
    if !browser::available("browser_opens_forty_departments_in_under_a_second") {
        return;
    }
    let dir = tempdir();
    batch(dir.path(), 40);
    let (report, _) = check(dir.path(), &["."]);
    let r = run(
        dir.path(),
        &["check", "--format", "html", "-o", "报告.html", "."],
    );
    assert_eq!(r.code, 1);
    let page = dir.path().join("报告.html");
    let shot = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/report-screenshot.png");
    let got = browser::run(
        "report.mjs",
        &[page.to_str().unwrap(), shot.to_str().unwrap()],
    );
    assert_eq!(got["errors"], serde_json::json!([]), "{got}");
    // Its own file is the only request.
    let url = got["requests"].as_array().unwrap();
    assert_eq!(url.len(), 1, "{got}");
    assert!(url[0].as_str().unwrap().starts_with("file://"));
    assert_eq!(got["departments"], 40);
    assert_eq!(
        got["findings"].as_u64().unwrap() as usize,
        report.diagnostics.len()
    );
    assert_eq!(
        got["marked"], got["findings"],
        "every finding here is at a cell"
    );
    assert_eq!(
        got["totals"]["错误"].as_u64().unwrap() as usize,
        report.summary.errors
    );
    // Sorted by errors, descending: a department with the most first.
    let first = got["firstAfterSort"].as_str().unwrap();
    let most = (1..=40)
        .filter(|i| i % 4 == 3)
        .map(|i| agency(i).name)
        .collect::<Vec<_>>();
    assert!(most.iter().any(|m| m == first), "{first}");
    let load = got["load"].as_f64().unwrap();
    eprintln!(
        "40 departments, {} findings: loaded in {load:.0} ms",
        report.diagnostics.len()
    );
    // (Measured at about 0.2 s on two cores; the bound leaves room for a
    // busy machine.)
    assert!(load < 3000.0, "took {load} ms");
}

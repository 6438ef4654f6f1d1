//! The static catalog site (`dist/site/`, SPEC §5).
//!
//! - Page level, from entries built in the test: hostile text (`<script>`,
//!   `"><img onerror=…>`, `{{ }}`) in any element is escaped in the HTML and
//!   in the embedded JSON; two builds are byte-identical; the statistics page
//!   has one SVG bar per value; nothing is loaded from the network; a large
//!   catalog stays compact.
//! - In a real headless Chromium (`/usr/bin/chromium`), from file://: the
//!   bundled example filings are ingested and built with the `yima` binary,
//!   then the page is loaded with a search and filters in its URL and its DOM
//!   read back; a guide is opened from the page's link; no script error; a
//!   screenshot lands in `target/site-screenshot.png`. Without Chromium these
//!   tests print a notice and pass, unless `YIMA_REQUIRE_BROWSER` or `CI` is
//!   set: then they fail.

use assert_cmd::Command;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};
use yima::catalog::CatalogEntry;
use yima::catalog::entry::{CatalogMaterial, Source, StatutoryDays};
use yima::codes::registry::Status;
use yima::publish::{self, BuildContext, site};
use yima::workspace::Workspace;

// ---------------------------------------------------------------------------
// Entries built in the test
// ---------------------------------------------------------------------------

/// An active entry of `agency` (name, 18-character code) with sequence `n`.
fn entry(agency: (&str, &str), n: u32, name: &str, category: &str, level: &str) -> CatalogEntry {
    let level_code = match level {
        "市级" => "3",
        "县级" => "4",
        "乡级" => "5",
        _ => "6",
    };
    let basic = format!("430101{n:03}000");
    CatalogEntry {
        impl_code: format!("{}{level_code}{basic}", agency.1),
        basic_code: basic,
        status: Status::Active,
        name: name.into(),
        category: category.into(),
        sector: "公安".into(),
        agency: agency.0.into(),
        agency_code: agency.1.into(),
        level: level.into(),
        division: if level == "市级" {
            "431300"
        } else {
            "431321"
        }
        .into(),
        handling_type: Some(
            if n.is_multiple_of(2) {
                "即办件"
            } else {
                "承诺件"
            }
            .into(),
        ),
        statutory_days: Some(StatutoryDays::Days(20)),
        promised_days: Some(if n.is_multiple_of(2) { 0 } else { 5 }),
        visits: Some(n % 3),
        charged: Some(false),
        scope: Some("全市".into()),
        channels: vec!["窗口办理".into()],
        materials: vec![CatalogMaterial {
            name: "居民身份证".into(),
            e_license: Some(n.is_multiple_of(2)),
            ..Default::default()
        }],
        source: Source {
            file: "公安.csv".into(),
            sheet: "事项".into(),
            row: Some(n + 1),
        },
        ..Default::default()
    }
}

const POLICE: (&str, &str) = ("娄底市公安局", "11431300006140469E");
const CIVIL: (&str, &str) = ("娄底市民政局", "11431300006140514F");

/// Text that would run, break out of an attribute, or render as a template
/// if it were not escaped.
const SCRIPT: &str = "<script>alert(\"name\")</script>户口迁移";
const IMG: &str = "\"><img src=x onerror=alert(1)>";
const CLOSE: &str = "</script><img src=x onerror=alert(2)>";
const MUSTACHE: &str = "{{ 7 * 7 }}{% if true %}执行{% endif %}";

/// A catalog whose every kind of text carries hostile content.
fn hostile_entries() -> Vec<CatalogEntry> {
    let hostile_agency = (CLOSE, "11431300006140531B");
    let mut a = entry(POLICE, 101, SCRIPT, "行政许可", "市级");
    a.sub_name = IMG.into();
    let mut b = entry(hostile_agency, 102, MUSTACHE, "行政确认", "市级");
    b.agency = format!("{CLOSE}{MUSTACHE}");
    let mut c = entry(CIVIL, 103, "婚姻登记", MUSTACHE, "县级");
    c.division = format!("4313{IMG}");
    c.handling_type = Some(IMG.into());
    // A code no guide could be named after (a hand-edited catalog).
    let mut d = entry(CIVIL, 104, "收养登记", "行政确认", "县级");
    d.impl_code = format!("{IMG}X");
    d.agency_code = format!("{IMG}Y");
    vec![a, b, c, d]
}

/// A workspace on the defaults with `release_name` set.
fn workspace(release_name: &str) -> Workspace {
    let mut ws = Workspace::defaults();
    ws.config.release_name = release_name.into();
    ws
}

/// Writes the site of `entries` (sorted by 实施编码, as a build does) into
/// `dir/site`; returns the folder.
fn write_site(ws: &Workspace, entries: &[CatalogEntry], version: &str, dir: &Path) -> PathBuf {
    let mut list: Vec<yima::catalog::lazy::Entry> =
        entries.iter().cloned().map(Into::into).collect();
    list.sort_by(|a, b| a.impl_code.cmp(&b.impl_code));
    let list: Vec<_> = list.iter().collect();
    let ctx = BuildContext {
        workspace: ws,
        entries: list,
        version: version.into(),
        stamps: Default::default(),
        progress: false,
    };
    let none = publish::cache::Previous::none();
    let out = publish::cache::Output::new(dir, &none);
    let plan = publish::Plan::new(&ctx, &out, &Default::default());
    let written = site::write(&ctx, &plan).expect("site builds");
    let out = dir.join(site::DIR);
    let shards = fs::read_dir(out.join(site::DATA_DIR)).map_or(0, |d| d.count());
    assert_eq!(written, site::FILES.len() + shards);
    out
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The site's search data as the page sees it: the shards the manifest in
/// `index.html` lists, each checked against its row count and sha256, merged
/// as `site.js` merges them (each shard's lists into one, indexes mapped, rows
/// in 实施编码 order).
fn site_data(out: &Path) -> serde_json::Value {
    use serde_json::{Value, json};
    let index = read(&out.join("index.html"));
    let manifest: Value = serde_json::from_str(embedded_json(&index)).expect("manifest");
    assert_eq!(manifest["version"], site::data::VERSION);
    let lists = [
        "categories",
        "levels",
        "agencies",
        "divisions",
        "handling",
        "texts",
        "citizen_topics",
        "business_topics",
    ];
    let mut merged: BTreeMap<&str, Vec<Value>> = lists.iter().map(|l| (*l, vec![])).collect();
    let mut rows: Vec<Value> = Vec::new();
    for shard in manifest["shards"].as_array().unwrap() {
        let file = shard["file"].as_str().unwrap();
        assert!(
            index.contains(&format!("<script src=\"{file}\"></script>")),
            "{file} not loaded by the page"
        );
        let text = read(&out.join(file));
        assert_eq!(yima::fsx::sha256_hex(text.as_bytes()), shard["sha256"]);
        let name = shard["name"].as_str().unwrap();
        let prefix = format!("(window.YIMA_SHARDS = window.YIMA_SHARDS || {{}})[\"{name}\"] = ");
        let json = text
            .strip_prefix(&prefix)
            .and_then(|t| t.strip_suffix(";\n"))
            .unwrap_or_else(|| panic!("{file}: not a shard script"));
        assert!(!json.contains('<') && !json.contains('>'), "{json}");
        let data: Value = serde_json::from_str(json).expect("valid JSON");
        assert_eq!(data["version"], site::data::VERSION);
        let mut map: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for l in lists {
            let list = merged.get_mut(l).unwrap();
            let idx = data[l]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| {
                    let key = |x: &Value| {
                        if x.is_array() {
                            x[0].clone()
                        } else {
                            x.clone()
                        }
                    };
                    match list.iter().position(|x| key(x) == key(v)) {
                        Some(i) => i,
                        None => {
                            list.push(v.clone());
                            list.len() - 1
                        }
                    }
                })
                .collect();
            map.insert(l, idx);
        }
        let data_rows = data["rows"].as_array().unwrap();
        assert_eq!(data_rows.len() as u64, shard["rows"].as_u64().unwrap());
        for r in data_rows {
            let mut row = r.as_array().unwrap().clone();
            for (i, l) in [
                (4, "categories"),
                (5, "levels"),
                (6, "agencies"),
                (7, "divisions"),
                (8, "handling"),
            ] {
                row[i] = json!(map[l][r[i].as_u64().unwrap() as usize]);
            }
            let many = |l: &str, v: &Value| -> Value {
                json!(
                    v.as_array()
                        .unwrap()
                        .iter()
                        .map(|i| map[l][i.as_u64().unwrap() as usize])
                        .collect::<Vec<_>>()
                )
            };
            if row.len() > 10 {
                row[10] = many("texts", &r[10]);
            }
            if row.len() > 11 && !r[11].is_null() {
                row[11] = json!(map["texts"][r[11].as_u64().unwrap() as usize]);
            }
            if row.len() > 12 {
                row[12] = many("citizen_topics", &r[12]);
            }
            if row.len() > 13 {
                row[13] = many("business_topics", &r[13]);
            }
            rows.push(Value::Array(row));
        }
    }
    rows.sort_by(|a, b| a[3].as_str().cmp(&b[3].as_str()));
    let mut out: serde_json::Map<String, Value> = merged
        .into_iter()
        .map(|(k, v)| (k.to_string(), Value::Array(v)))
        .collect();
    out.insert("rows".into(), Value::Array(rows));
    Value::Object(out)
}

/// The text of the `<script type="application/json" id="data">` element.
fn embedded_json(html: &str) -> &str {
    let open = "<script type=\"application/json\" id=\"data\">";
    let start = html.find(open).expect("data element") + open.len();
    let len = html[start..]
        .find("</script>")
        .expect("end of data element");
    &html[start..start + len]
}

/// The SVG chart `id` of the statistics page.
fn chart<'a>(stats: &'a str, id: &str) -> &'a str {
    let start = stats
        .find(&format!("data-chart=\"{id}\""))
        .unwrap_or_else(|| panic!("chart {id}"));
    let len = stats[start..].find("</svg>").expect("end of svg");
    &stats[start..start + len]
}

/// The widths of the bars of a chart, in order.
fn bar_widths(svg: &str) -> Vec<f64> {
    svg.split("<rect class=\"bar\"")
        .skip(1)
        .map(|rest| {
            let w = rest.split("width=\"").nth(1).expect("width");
            w[..w.find('"').expect("quote")].parse().expect("number")
        })
        .collect()
}

#[test]
fn hostile_text_is_escaped_in_the_html() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = workspace(&format!("目录{CLOSE}"));
    let out = write_site(&ws, &hostile_entries(), IMG, tmp.path());
    let index = read(&out.join("index.html"));
    let stats = read(&out.join("stats.html"));

    for (page, html) in [("index", &index), ("stats", &stats)] {
        assert!(
            !html.contains("<img"),
            "{page}: an <img> element got through"
        );
        assert!(
            !html.contains("<script>alert"),
            "{page}: a script got through"
        );
        assert!(!html.contains("onerror=alert(1)>"), "{page}");
        // The release name and version are text in the header.
        assert!(html.contains("目录&lt;&#x2f;script&gt;&lt;img"), "{page}");
        // Template syntax in the data is printed, not run.
        assert!(html.contains(MUSTACHE), "{page}");
        assert!(!html.contains(">49<"), "{page}");
    }
    // The catalog page has exactly its own scripts: the error handler, the
    // manifest, one per shard of data and site.js.
    let shards = fs::read_dir(out.join(site::DATA_DIR)).unwrap().count();
    assert!(shards >= 1);
    assert_eq!(index.matches("<script").count(), 3 + shards, "{index}");
    assert_eq!(index.matches("</script>").count(), 3 + shards);
    // Hostile agency names and categories are text in the filters.
    assert!(index.contains("&lt;&#x2f;script&gt;&lt;img src=x onerror=alert(2)&gt;{{ 7 * 7 }}"));
    assert!(index.contains("{{ 7 * 7 }}{% if true %}执行{% endif %}（1）"));
    // The agency code is an escaped attribute value, never an attribute break.
    assert!(index.contains("value=\"&quot;&gt;&lt;img src=x onerror=alert(1)&gt;Y\""));

    // The statistics page draws with no script at all, and the hostile agency
    // is a chart label, a table cell and a percent-encoded link.
    assert!(!stats.contains("<script"));
    assert!(chart(&stats, "agency").contains("&lt;&#x2f;script&gt;&lt;img"));
    assert!(
        stats.contains("index.html?agency=%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3EY")
    );
    assert!(stats.contains("{{ 7 * 7 }}{% if true %}执行{% endif %}"));
}

#[test]
fn hostile_text_cannot_leave_the_embedded_json() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = workspace("娄底市政务服务事项目录");
    let out = write_site(&ws, &hostile_entries(), "", tmp.path());
    let index = read(&out.join("index.html"));
    let json = embedded_json(&index);
    assert!(!json.contains('<') && !json.contains('>'), "{json}");
    // Each shard's JSON is checked the same way as it is read.
    let data = site_data(&out);
    let rows = data["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 4);
    let names: Vec<&str> = rows.iter().map(|r| r[0].as_str().unwrap()).collect();
    assert!(
        names.contains(&SCRIPT) && names.contains(&MUSTACHE),
        "{names:?}"
    );
    let with_sub = rows.iter().find(|r| r[0] == SCRIPT).unwrap();
    assert_eq!(with_sub[1], IMG);
    let agencies: Vec<&str> = data["agencies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a[1].as_str().unwrap())
        .collect();
    assert!(
        agencies.contains(&format!("{CLOSE}{MUSTACHE}").as_str()),
        "{agencies:?}"
    );
    // Each row's indexes point into the lists: the hostile 办件类型 and
    // division come back exactly.
    let c = rows.iter().find(|r| r[0] == "婚姻登记").unwrap();
    assert_eq!(data["handling"][c[8].as_u64().unwrap() as usize], IMG);
    assert_eq!(c[9], format!("4313{IMG}"));
}

#[test]
fn two_builds_are_byte_identical() {
    let entries: Vec<CatalogEntry> = (1..=30)
        .map(|n| {
            let agency = if n % 3 == 0 { CIVIL } else { POLICE };
            let level = if n % 4 == 0 { "县级" } else { "市级" };
            entry(agency, n, &format!("事项{n}"), "行政许可", level)
        })
        .chain(hostile_entries())
        .collect();
    let ws = workspace("娄底市政务服务事项目录");
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let first = write_site(&ws, &entries, "2026.1", a.path());
    // Entries in another order give the same site.
    let reversed: Vec<CatalogEntry> = entries.iter().rev().cloned().collect();
    let second = write_site(&ws, &reversed, "2026.1", b.path());
    let files = |root: &Path| -> BTreeMap<String, Vec<u8>> {
        let shards = fs::read_dir(root.join(site::DATA_DIR)).unwrap().map(|e| {
            format!(
                "{}/{}",
                site::DATA_DIR,
                e.unwrap().file_name().to_string_lossy()
            )
        });
        site::FILES
            .iter()
            .map(|(f, _)| f.to_string())
            .chain(shards)
            .map(|f| {
                let bytes = fs::read(root.join(&f)).unwrap();
                (f, bytes)
            })
            .collect()
    };
    let (x, y) = (files(&first), files(&second));
    assert!(x.len() > 4, "{:?}", x.keys());
    assert_eq!(x.len(), y.len());
    // A released build names its version where an unreleased one says 未发布.
    let index = String::from_utf8(x["index.html"].clone()).unwrap();
    assert!(index.contains("<span class=\"badge\">版本 2026.1</span>"));
    assert!(!index.contains("未发布"));
    for (name, bytes) in &x {
        assert!(bytes == &y[name], "{name} differs between two builds");
        assert!(!bytes.is_empty(), "{name} is empty");
    }
}

#[test]
fn charts_have_one_bar_per_value() {
    let mut entries = vec![
        entry(POLICE, 1, "户口迁移", "行政许可", "市级"),
        entry(POLICE, 2, "居民身份证核发", "行政确认", "市级"),
        entry(POLICE, 3, "无犯罪记录证明出具", "公共服务", "市级"),
        entry(POLICE, 4, "机动车登记", "行政许可", "市级"),
        entry(CIVIL, 5, "婚姻登记", "行政确认", "县级"),
        entry(CIVIL, 6, "收养登记", "行政确认", "县级"),
    ];
    entries.push(entry(
        ("双峰县民政局", "11431321007235603K"),
        7,
        "临时救助审批",
        "行政给付",
        "县级",
    ));
    entries[0].online_depth = Some("四级".into());
    entries[1].online_depth = Some("三级".into());
    let tmp = tempfile::tempdir().unwrap();
    let out = write_site(&workspace("目录"), &entries, "", tmp.path());
    let stats = read(&out.join("stats.html"));

    // Every value of the code tables has a bar, zero or not, in table order.
    let category = bar_widths(chart(&stats, "category"));
    assert_eq!(category.len(), 6, "六类事项");
    // 行政许可 2 · 行政征收 0 · 行政给付 1 · 行政确认 3 · 其他行政权力 0 · 公共服务 1
    assert_eq!(category[1], 0.0);
    assert!(category[3] > category[0] && category[0] > category[2]);
    assert_eq!(category[2], category[5]);
    assert_eq!(bar_widths(chart(&stats, "level")).len(), 4);
    // One bar per agency, the longest for the agency with most entries.
    let agency = bar_widths(chart(&stats, "agency"));
    assert_eq!(agency.len(), 3);
    assert!(agency[0] > agency[1] && agency[1] > agency[2], "{agency:?}");
    // The shares chart: ten shares, each with its track.
    let shares = chart(&stats, "shares");
    assert_eq!(bar_widths(shares).len(), 10);
    assert_eq!(shares.matches("<rect class=\"track\"").count(), 10);
    // 即办件: entries 2, 4 and 6 of 7 (the escaper writes / as &#x2f;).
    assert!(shares.contains("42.9%（3&#x2f;7）"), "{shares}");
    // 网办深度四级: one of the two entries that state a depth; 全要素: none
    // of these entries fills the elements of SPEC §2a.
    assert!(
        shares.contains("网办深度四级：50.0%（1&#x2f;2）"),
        "{shares}"
    );
    assert!(shares.contains("全要素占比：0.0%（0&#x2f;7）"), "{shares}");
    // The agency table has a line per agency and the total.
    assert_eq!(stats.matches("index.html?agency=").count(), 3);
    assert!(stats.contains("<th scope=\"row\">全部事项</th>"));
}

#[test]
fn the_site_loads_nothing_from_the_network() {
    let tmp = tempfile::tempdir().unwrap();
    let entries = vec![entry(POLICE, 1, "户口迁移", "行政许可", "市级")];
    let out = write_site(&workspace("目录"), &entries, "", tmp.path());
    let shards = fs::read_dir(out.join(site::DATA_DIR)).unwrap().map(|e| {
        format!(
            "{}/{}",
            site::DATA_DIR,
            e.unwrap().file_name().to_string_lossy()
        )
    });
    for file in site::FILES.iter().map(|(f, _)| f.to_string()).chain(shards) {
        let text = read(&out.join(&file));
        for pattern in [
            "src=\"http",
            "href=\"http",
            "src=\"//",
            "href=\"//",
            "url(",
            "@import",
            "fetch(",
            "XMLHttpRequest",
            "https://",
            "http://",
        ] {
            assert!(!text.contains(pattern), "{file} contains {pattern}");
        }
    }
    // The pages use the site's own stylesheet and script, relative to them.
    let index = read(&out.join("index.html"));
    assert!(index.contains("<link rel=\"stylesheet\" href=\"assets/site.css\">"));
    assert!(index.contains("<script src=\"assets/site.js\"></script>"));
    assert!(index.contains("未发布"));
    // The stylesheet and script take no values: the template engine leaves
    // them exactly as written.
    let assets = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/site");
    for (file, source) in [("site.js", "site.js"), ("site.css", "site.css")] {
        assert_eq!(
            read(&out.join("assets").join(file)),
            read(&assets.join(source)),
            "{file}"
        );
    }
}

#[test]
fn a_workspace_overrides_the_site_templates() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(
        tmp.path().join("yima.yaml"),
        "release_name: 双峰县政务服务事项目录\n",
    )
    .unwrap();
    let templates = tmp.path().join("templates/site");
    fs::create_dir_all(&templates).unwrap();
    fs::write(templates.join("site.css"), "body { color: #000; }\n").unwrap();
    // A layout of its own; the pages keep their content.
    let layout = "<!DOCTYPE html><title>{{ site.catalog }}</title>\
                  <header class=\"county\">{{ site.catalog }}</header>\
                  {% block main %}{% endblock %}{% block scripts %}{% endblock %}\n";
    fs::write(templates.join("layout.html"), layout).unwrap();
    let ws = Workspace::load(tmp.path()).expect("workspace");
    let entries = vec![entry(POLICE, 1, "户口迁移", "行政许可", "市级")];
    let out = write_site(&ws, &entries, "", &tmp.path().join("dist"));
    assert_eq!(
        read(&out.join("assets/site.css")),
        "body { color: #000; }\n"
    );
    let index = read(&out.join("index.html"));
    assert!(index.contains("<header class=\"county\">双峰县政务服务事项目录</header>"));
    assert!(index.contains("id=\"result-count\""));
    // The script is the embedded one.
    let js = read(&out.join("assets/site.js"));
    assert!(js.contains("PAGE_SIZE"));
}

#[test]
fn a_large_catalog_stays_compact() {
    let agencies: Vec<(String, String)> = (0..200)
        .map(|i| (format!("娄底市第{i}局"), format!("114313000061{i:05}X")))
        .collect();
    let entries: Vec<CatalogEntry> = (0..20_000u32)
        .map(|n| {
            let (name, code) = &agencies[n as usize % agencies.len()];
            let mut e = entry(
                (name, code),
                n % 1000,
                &format!("社会团体成立变更注销登记第{n}号"),
                "行政许可",
                "市级",
            );
            e.sub_name = "成立登记".into();
            e.impl_code = format!("{code}3{n:012}");
            e
        })
        .collect();
    let tmp = tempfile::tempdir().unwrap();
    let out = write_site(&workspace("目录"), &entries, "", tmp.path());
    let index = fs::read(out.join("index.html")).unwrap();
    let shards: Vec<PathBuf> = fs::read_dir(out.join(site::DATA_DIR))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let data_bytes: usize = shards.iter().map(|p| fs::read(p).unwrap().len()).sum();
    // Name (~60 bytes), sub-item, two codes and five small indexes; the
    // lists each shard repeats are small.
    let per_entry = (index.len() + data_bytes) / entries.len();
    assert!(per_entry < 170, "{per_entry} bytes per entry");
    // 200 agencies over 64 shards by a digest: most shards have some.
    assert!(
        shards.len() > 40 && shards.len() <= site::SHARDS,
        "{}",
        shards.len()
    );
    let data = site_data(&out);
    assert_eq!(data["rows"].as_array().unwrap().len(), 20_000);
    assert_eq!(data["agencies"].as_array().unwrap().len(), 200);
}

// ---------------------------------------------------------------------------
// In headless Chromium
// ---------------------------------------------------------------------------

const CHROMIUM: &str = "/usr/bin/chromium";

/// Whether the browser tests can run: Chromium is there, or they must run
/// (`YIMA_REQUIRE_BROWSER`, which `.ci/run` sets, or `CI`) and fail
/// without it.
fn browser_available(test: &str) -> bool {
    if Path::new(CHROMIUM).exists() {
        return true;
    }
    let required = ["YIMA_REQUIRE_BROWSER", "CI"]
        .iter()
        .find(|v| std::env::var_os(v).is_some());
    assert!(
        required.is_none(),
        "{} is set but {CHROMIUM} is missing (apt-get install -y chromium)",
        required.unwrap_or(&"")
    );
    eprintln!("skipping {test}: {CHROMIUM} not found (set YIMA_REQUIRE_BROWSER to make this fail)");
    false
}

/// A headless Chromium with its own profile.
struct Browser {
    profile: tempfile::TempDir,
}

/// What one run of the browser gave.
struct Run {
    stdout: String,
    stderr: String,
}

impl Browser {
    fn new() -> Browser {
        Browser {
            profile: tempfile::tempdir().unwrap(),
        }
    }

    /// Runs Chromium on `url` with `extra` arguments (see [`Browser::launch`]),
    /// checking its console for script errors.
    fn run(&self, extra: &[&str], url: &str) -> Run {
        let run = self.launch(extra, url);
        for line in run.stderr.lines() {
            assert!(
                !line.contains("Uncaught") && !line.contains(":ERROR:CONSOLE"),
                "console error on {url}: {line}"
            );
        }
        run
    }

    /// The DOM of a page expected to show an error.
    fn broken_dom(&self, url: &str) -> String {
        let dom = self.launch(&["--dump-dom"], url).stdout;
        assert!(dom.contains("</html>"), "no DOM for {url}: {dom}");
        dom
    }

    /// Runs Chromium on `url` with `extra` arguments, waiting at most a
    /// minute; output goes to files (a DOM can outgrow a pipe's buffer).
    fn launch(&self, extra: &[&str], url: &str) -> Run {
        let out = self.profile.path().join("stdout");
        let err = self.profile.path().join("stderr");
        let mut child = std::process::Command::new(CHROMIUM)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--hide-scrollbars",
                "--enable-logging=stderr",
                "--v=0",
                "--virtual-time-budget=5000",
            ])
            .arg(format!(
                "--user-data-dir={}",
                self.profile.path().join("profile").display()
            ))
            .args(extra)
            .arg(url)
            .stdin(Stdio::null())
            .stdout(fs::File::create(&out).unwrap())
            .stderr(fs::File::create(&err).unwrap())
            .spawn()
            .expect("start chromium");
        let started = Instant::now();
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                assert!(status.success(), "chromium failed on {url}: {}", read(&err));
                break;
            }
            if started.elapsed() > Duration::from_secs(60) {
                let _ = child.kill();
                let _ = child.wait();
                panic!("chromium did not finish within 60 s on {url}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Run {
            stdout: read(&out),
            stderr: read(&err),
        }
    }

    /// The DOM of `url` once its scripts have run, checked for script errors.
    fn dom(&self, url: &str) -> String {
        let dom = self.run(&["--dump-dom"], url).stdout;
        assert!(dom.contains("</html>"), "no DOM for {url}: {dom}");
        assert_eq!(errors(&dom), "", "script errors on {url}");
        dom
    }
}

/// The text shown in `<div id="errors">` (empty when the page ran cleanly).
fn errors(dom: &str) -> String {
    let Some(start) = dom.find("<div id=\"errors\"") else {
        return String::new();
    };
    let body = &dom[start..];
    let open = body.find('>').expect("tag end") + 1;
    let close = body.find("</div>").expect("div end");
    text(&body[open..close])
}

/// Markup without its tags.
fn text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.trim().to_string()
}

/// The live count (`共 N 项`) of the page.
fn count(dom: &str) -> String {
    let start = dom.find("id=\"result-count\"").expect("count element");
    let body = &dom[start..];
    text(&body[body.find('>').unwrap() + 1..body.find("</p>").unwrap()])
}

/// The 实施编码 of the rows shown, in order.
fn shown(dom: &str) -> Vec<String> {
    dom.split("<tr data-code=\"")
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].to_string())
        .collect()
}

/// A `file://` URL of a path, with a query.
fn file_url(path: &Path, query: &str) -> String {
    let mut url = format!("file://{}", path.display());
    if !query.is_empty() {
        url.push('?');
        url.push_str(query);
    }
    url
}

/// A workspace holding the bundled example filings (not `examples/bad/`)
/// and the forms they name, ingested and built with the `yima` binary;
/// returns the build's `dist/`.
fn example_build(dir: &Path) -> PathBuf {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let filings = dir.join("filings");
    fs::create_dir_all(&filings).unwrap();
    for e in fs::read_dir(&examples).unwrap() {
        let path = e.unwrap().path();
        let keep = path.extension().is_some_and(|x| x == "xlsx" || x == "csv");
        if path.is_file() && keep {
            fs::copy(&path, filings.join(path.file_name().unwrap())).unwrap();
        }
    }
    // The forms the full-profile examples name.
    fs::create_dir_all(dir.join("forms")).unwrap();
    for e in fs::read_dir(examples.join("forms")).unwrap() {
        let path = e.unwrap().path();
        fs::copy(&path, dir.join("forms").join(path.file_name().unwrap())).unwrap();
    }
    let yima = |args: &[&str]| {
        Command::cargo_bin("yima")
            .unwrap()
            .current_dir(dir)
            .env("NO_COLOR", "1")
            .args(args)
            .assert()
            .success();
    };
    yima(&["init", "."]);
    yima(&["ingest", "filings"]);
    yima(&["build"]);
    dir.join("dist")
}

/// The entries of `catalog.json`, for the expected results of a search.
fn catalog(dist: &Path) -> Vec<serde_json::Value> {
    let json: serde_json::Value = serde_json::from_str(&read(&dist.join("catalog.json"))).unwrap();
    json["entries"].as_array().expect("entries").clone()
}

/// The 实施编码 of the entries a search should find, in catalog order: each
/// word of the query in the name, sub-item, either code, the agency, the
/// city or county, a material, the result or a topic; the filters exactly.
fn expected(entries: &[serde_json::Value], q: &str, filters: &[(&str, &str)]) -> Vec<String> {
    let standard = yima::standard::Standard::embedded();
    let field = |e: &serde_json::Value, k: &str| e[k].as_str().unwrap_or("").to_string();
    let list = |e: &serde_json::Value, k: &str| -> Vec<String> {
        e[k].as_array()
            .map(|a| {
                a.iter()
                    .map(|v| {
                        v.as_str().map_or_else(
                            || v["name"].as_str().unwrap_or("").to_string(),
                            String::from,
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut codes: Vec<String> = entries
        .iter()
        .filter(|e| {
            let division = field(e, "division");
            let county = standard
                .divisions
                .get(division.get(..6).unwrap_or(""))
                .map_or(String::new(), |d| d.name.clone());
            let mut hay: Vec<String> = [
                "name",
                "sub_name",
                "basic_code",
                "impl_code",
                "agency",
                "result_name",
            ]
            .map(|k| field(e, k))
            .to_vec();
            hay.push(county);
            hay.extend(list(e, "materials"));
            hay.extend(list(e, "citizen_topics"));
            hay.extend(list(e, "business_topics"));
            let hay = hay.join("\n").to_lowercase();
            q.split_whitespace()
                .all(|w| hay.contains(&w.to_lowercase()))
                && filters.iter().all(|(k, v)| match *k {
                    "category" => field(e, "category") == *v,
                    "level" => field(e, "level") == *v,
                    "agency" => field(e, "agency_code") == *v,
                    "division" => field(e, "division").starts_with(v),
                    "citizen" => list(e, "citizen_topics").iter().any(|t| t == v),
                    "business" => list(e, "business_topics").iter().any(|t| t == v),
                    other => panic!("filter {other}"),
                })
        })
        .map(|e| field(e, "impl_code"))
        .collect();
    codes.sort();
    codes
}

fn query(q: &str, filters: &[(&str, &str)]) -> String {
    let mut parts = vec![];
    if !q.is_empty() {
        parts.push(format!("q={q}"));
    }
    parts.extend(filters.iter().map(|(k, v)| format!("{k}={v}")));
    parts.join("&")
}

#[test]
fn browser_searches_filters_and_opens_a_guide() {
    if !browser_available("browser_searches_filters_and_opens_a_guide") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dist = example_build(tmp.path());
    let entries = catalog(&dist);
    let total = entries.len();
    assert!((51..=100).contains(&total), "{total} entries: two pages");
    let index = dist.join("site/index.html");
    let browser = Browser::new();

    // No search: the whole catalog, 50 rows to a page.
    let dom = browser.dom(&file_url(&index, ""));
    assert_eq!(count(&dom), format!("共 {total} 项"));
    let first_page = shown(&dom);
    assert_eq!(first_page.len(), 50);
    assert_eq!(first_page, expected(&entries, "", &[])[..50]);
    assert!(dom.contains("第 1 / 2 页"));
    let dom = browser.dom(&file_url(&index, "page=2"));
    assert_eq!(shown(&dom), expected(&entries, "", &[])[50..]);

    // Searches and filters, as a visitor sets them (and the URL keeps them).
    let county = entries
        .iter()
        .find(|e| e["level"] == "县级")
        .expect("a county entry");
    let agency = county["agency_code"].as_str().unwrap();
    let cases: [(&str, Vec<(&str, &str)>); 12] = [
        ("婚姻", vec![]),
        ("登记", vec![("category", "行政许可"), ("level", "市级")]),
        ("", vec![("agency", agency)]),
        ("", vec![("division", "431321")]),
        ("4301", vec![("level", "县级")]),
        ("没有这个事项", vec![]),
        // By agency, by material or result, by county, several words.
        ("公安局", vec![]),
        ("营业执照", vec![]),
        ("双峰", vec![]),
        ("双峰 救助", vec![]),
        // The topics of the full-profile examples.
        ("", vec![("citizen", "交通出行")]),
        ("登记", vec![("business", "抵押质押")]),
    ];
    for (q, filters) in &cases {
        let want = expected(&entries, q, filters);
        let dom = browser.dom(&file_url(&index, &query(q, filters)));
        assert_eq!(
            count(&dom),
            format!("共 {} 项", want.len()),
            "{q} {filters:?}"
        );
        assert_eq!(shown(&dom), want, "{q} {filters:?}");
        // "Nothing found" shows exactly when nothing is found.
        let notice = dom.contains("<p id=\"empty\" class=\"empty\">");
        assert_eq!(notice, want.is_empty(), "{q} {filters:?}");
    }
    assert!(!expected(&entries, "婚姻", &[]).is_empty());
    assert_eq!(expected(&entries, "", &[("citizen", "交通出行")]).len(), 4);
    assert_eq!(
        expected(&entries, "登记", &[("business", "抵押质押")]).len(),
        2
    );
    assert!(!expected(&entries, "", &[("division", "431321")]).is_empty());
    // What a visitor expects of the words that found nothing before: every
    // entry of the city's police, the entries that ask for or give a
    // business licence, and those of 双峰县 (its county agencies and towns).
    let field = |code: &str, k: &str| -> String {
        let e = entries.iter().find(|e| e["impl_code"] == code).unwrap();
        e[k].as_str().unwrap_or("").to_string()
    };
    let police = expected(&entries, "公安局", &[]);
    let of_police = |e: &&serde_json::Value| e["agency"].as_str().unwrap().contains("公安局");
    assert_eq!(police.len(), entries.iter().filter(of_police).count());
    assert!(
        police.len() > 15,
        "the bureau and its traffic police: {police:?}"
    );
    let licence = expected(&entries, "营业执照", &[]);
    assert!(licence.len() >= 3, "{licence:?}");
    assert!(
        licence
            .iter()
            .any(|c| !field(c, "name").contains("营业执照"))
    );
    let shuangfeng = expected(&entries, "双峰", &[]);
    assert!(shuangfeng.len() >= 5, "{shuangfeng:?}");
    assert!(
        shuangfeng
            .iter()
            .all(|c| field(c, "division").starts_with("431321"))
    );
    assert_eq!(
        shuangfeng,
        expected(&entries, "", &[("division", "431321")])
    );
    let dom = browser.dom(&file_url(&index, "q=营业执照"));
    assert!(
        dom.contains("<i>材料</i>"),
        "the row says which material matched"
    );

    // Open a guide from the page's own link.
    let dom = browser.dom(&file_url(&index, "q=婚姻"));
    let code = shown(&dom).remove(0);
    let at = dom.find("href=\"../guides/").expect("a guide link") + "href=\"".len();
    let href = &dom[at..at + dom[at..].find('"').unwrap()];
    assert_eq!(href, format!("../guides/{code}.html"));
    let guide_path = dist.join("site").join(href);
    let guide = browser.dom(&file_url(&guide_path, ""));
    let entry = entries
        .iter()
        .find(|e| e["impl_code"] == code.as_str())
        .unwrap();
    assert!(guide.contains(&code), "the guide shows its 实施编码");
    assert!(
        guide.contains(entry["name"].as_str().unwrap()),
        "the guide shows its name"
    );
    assert!(guide.contains("办事指南"));

    // The statistics page renders its charts.
    let stats = browser.dom(&file_url(&dist.join("site/stats.html"), ""));
    assert_eq!(stats.matches("<svg class=\"chart\"").count(), 4);

    // A screenshot of a search, for a person to look at.
    let shot = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/site-screenshot.png");
    let _ = fs::remove_file(&shot);
    browser.run(
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1280,1000",
        ],
        &file_url(&index, "q=登记"),
    );
    let png = fs::read(&shot).expect("screenshot written");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    // IHDR: width and height, big-endian, after the signature and chunk head.
    let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
    assert_eq!(width, 1280);
    assert!(
        png.len() > 20_000,
        "a blank screenshot ({} bytes)",
        png.len()
    );
}

/// Entries of three agencies with materials, results and topics, for the
/// search and topic filters in the browser.
fn topical_entries() -> Vec<CatalogEntry> {
    let material = |name: &str| CatalogMaterial {
        name: name.into(),
        ..Default::default()
    };
    let mut a = entry(POLICE, 1, "户口迁移", "行政许可", "市级");
    a.materials = vec![material("居民身份证"), material("户口簿")];
    a.citizen_topics = vec!["户籍办理".into()];
    let mut b = entry(
        ("娄底市市场监督管理局", "11431300MB1F053685"),
        2,
        "食品经营许可",
        "行政许可",
        "市级",
    );
    b.materials = vec![material("营业执照（副本）"), material("食品安全管理制度")];
    b.result_name = Some("食品经营许可证".into());
    b.business_topics = vec!["准营准办".into()];
    let mut c = entry(
        ("娄底市市场监督管理局", "11431300MB1F053685"),
        3,
        "个体工商户登记",
        "行政确认",
        "市级",
    );
    c.result_name = Some("营业执照".into());
    c.citizen_topics = vec!["就业创业".into()];
    c.business_topics = vec!["设立变更".into()];
    let mut d = entry(
        ("双峰县民政局", "11431321007235603K"),
        4,
        "结婚登记",
        "行政确认",
        "县级",
    );
    d.citizen_topics = vec!["婚姻登记".into(), "户籍办理".into()];
    let mut e = entry(
        ("双峰县青树坪镇人民政府", "11431321MB1C37287X"),
        5,
        "临时救助",
        "行政给付",
        "乡级",
    );
    e.division = "431321101000".into();
    vec![a, b, c, d, e]
}

#[test]
fn browser_finds_entries_by_agency_material_place_and_topic() {
    if !browser_available("browser_finds_entries_by_agency_material_place_and_topic") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let entries = topical_entries();
    let ws = workspace("目录");
    let mut list: Vec<yima::catalog::lazy::Entry> =
        entries.iter().cloned().map(Into::into).collect();
    list.sort_by(|a, b| a.impl_code.cmp(&b.impl_code));
    let list: Vec<_> = list.iter().collect();
    let ctx = BuildContext {
        workspace: &ws,
        entries: list,
        version: String::new(),
        stamps: Default::default(),
        progress: false,
    };
    let dist = tmp.path().join("dist");
    publish::build_entries(&ctx, &dist).expect("build");
    let index = dist.join("site/index.html");
    let browser = Browser::new();
    let code = |name: &str| {
        entries
            .iter()
            .find(|e| e.name == name)
            .map(|e| e.impl_code.clone())
            .unwrap()
    };
    let codes = |names: &[&str]| {
        let mut c: Vec<String> = names.iter().map(|n| code(n)).collect();
        c.sort();
        c
    };
    let cases: [(&str, &[&str]); 9] = [
        // An agency's name, in part.
        ("q=公安局", &["户口迁移"]),
        ("q=市场监督", &["食品经营许可", "个体工商户登记"]),
        // A material (营业执照（副本）) or a result (营业执照).
        ("q=营业执照", &["食品经营许可", "个体工商户登记"]),
        ("q=户口簿", &["户口迁移"]),
        // A county: its own agencies and its towns.
        ("q=双峰", &["结婚登记", "临时救助"]),
        // A topic's name, and words that must all be found.
        ("q=准营", &["食品经营许可"]),
        ("q=双峰 婚姻", &["结婚登记"]),
        // The topic filters.
        ("citizen=户籍办理", &["户口迁移", "结婚登记"]),
        ("business=设立变更&q=执照", &["个体工商户登记"]),
    ];
    for (query, want) in cases {
        let dom = browser.dom(&file_url(&index, query));
        assert_eq!(shown(&dom), codes(want), "{query}");
        assert_eq!(count(&dom), format!("共 {} 项", want.len()), "{query}");
    }
    // The topic filters offer the topics entries have, in the table's
    // order, with their counts; the URL's choice is selected.
    let dom = browser.dom(&file_url(&index, "citizen=婚姻登记"));
    assert_eq!(shown(&dom), codes(&["结婚登记"]));
    let select = &dom[dom.find("id=\"filter-citizen\"").expect("citizen filter")..];
    let select = &select[..select.find("</select>").unwrap()];
    let options: Vec<String> = select
        .split("<option")
        .skip(2)
        .map(|o| text(&format!("<option{o}")))
        .collect();
    assert_eq!(options, ["户籍办理（2）", "就业创业（1）", "婚姻登记（1）"]);
    assert!(dom.contains("id=\"filter-business\""));
    // Why a row was found is shown, the word marked.
    let dom = browser.dom(&file_url(&index, "q=营业执照"));
    assert!(
        dom.contains("<i>材料</i><mark>营业执照</mark>（副本）"),
        "{dom}"
    );
    assert!(dom.contains("<i>结果</i><mark>营业执照</mark>"), "{dom}");
    // A screenshot of a search by material, for a person to look at.
    let shot = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/site-search-screenshot.png");
    let _ = fs::remove_file(&shot);
    browser.run(
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1280,900",
        ],
        &file_url(&index, "q=营业执照"),
    );
    assert!(fs::metadata(&shot).expect("screenshot").len() > 20_000);
}

#[test]
fn browser_shows_hostile_text_as_text() {
    if !browser_available("browser_shows_hostile_text_as_text") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    // Codes that can name a guide, so the whole build runs.
    let mut entries = hostile_entries();
    entries.retain(|e| e.impl_code.bytes().all(|b| b.is_ascii_alphanumeric()));
    let ws = workspace(&format!("目录{IMG}"));
    let mut list: Vec<yima::catalog::lazy::Entry> =
        entries.iter().cloned().map(Into::into).collect();
    list.sort_by(|a, b| a.impl_code.cmp(&b.impl_code));
    let list: Vec<_> = list.iter().collect();
    let ctx = BuildContext {
        workspace: &ws,
        entries: list,
        version: String::new(),
        stamps: Default::default(),
        progress: false,
    };
    let dist = tmp.path().join("dist");
    publish::build_entries(&ctx, &dist).expect("build");
    let browser = Browser::new();
    let dom = browser.dom(&file_url(&dist.join("site/index.html"), ""));
    assert_eq!(count(&dom), format!("共 {} 项", entries.len()));
    // Had any of it been markup, the DOM would hold the elements.
    assert!(!dom.contains("<img"), "{dom}");
    let shards = fs::read_dir(dist.join("site").join(site::DATA_DIR))
        .unwrap()
        .count();
    assert_eq!(dom.matches("<script").count(), 3 + shards, "{dom}");
    assert!(dom.contains("&lt;script&gt;alert(\"name\")&lt;/script&gt;户口迁移"));
    assert!(dom.contains("{{ 7 * 7 }}{% if true %}执行{% endif %}"));
    // A search for the hostile text finds it as text.
    let dom = browser.dom(&file_url(&dist.join("site/index.html"), "q=%3Cscript%3E"));
    assert_eq!(count(&dom), "共 1 项");
    assert!(dom.contains("<mark>&lt;script&gt;</mark>"), "{dom}");
}

/// A shard of the data that is missing or is not the one the manifest
/// lists is an error on the page, never a catalog shown short; an
/// incremental build after one entry changed shows the change.
#[test]
fn browser_refuses_a_missing_or_stale_shard_and_shows_an_edit() {
    if !browser_available("browser_refuses_a_missing_or_stale_shard_and_shows_an_edit") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dist = example_build(tmp.path());
    let total = catalog(&dist).len();
    let index = dist.join("site/index.html");
    let browser = Browser::new();
    let dom = browser.dom(&file_url(&index, ""));
    assert_eq!(errors(&dom), "");
    assert_eq!(count(&dom), format!("共 {total} 项"));

    // An entry's result renamed in items/ and built again (incrementally):
    // the page finds it by the new result, with every other entry still
    // there.
    let items = tmp.path().join("items");
    let file = walk_yaml(&items)
        .into_iter()
        .find(|f| fs::read_to_string(f).unwrap().contains("\nresult_name:"))
        .unwrap();
    let text = fs::read_to_string(&file).unwrap();
    let old = text
        .lines()
        .find(|l| l.starts_with("result_name:"))
        .unwrap()
        .to_string();
    let code = file.file_stem().unwrap().to_string_lossy().into_owned();
    let dom = browser.dom(&file_url(&index, &query("九号窗口核验单", &[])));
    assert_eq!(count(&dom), "共 0 项");
    fs::write(&file, text.replace(&old, "result_name: 九号窗口核验单")).unwrap();
    let built = Command::cargo_bin("yima")
        .unwrap()
        .current_dir(tmp.path())
        .args(["build"])
        .assert()
        .success();
    let said = String::from_utf8_lossy(&built.get_output().stdout).into_owned();
    assert!(said.contains("沿用"), "{said}");
    let dom = browser.dom(&file_url(&index, ""));
    assert_eq!(errors(&dom), "");
    assert_eq!(count(&dom), format!("共 {total} 项"));
    let dom = browser.dom(&file_url(&index, &query("九号窗口核验单", &[])));
    assert_eq!(count(&dom), "共 1 项");
    assert!(dom.contains(&code), "{dom}");

    // A shard of another build (its rows cut short) is refused.
    let shard = fs::read_dir(dist.join("site").join(site::DATA_DIR))
        .unwrap()
        .map(|e| e.unwrap().path())
        .max_by_key(|p| fs::metadata(p).unwrap().len())
        .unwrap();
    let good = fs::read_to_string(&shard).unwrap();
    let json_start = good.find("] = ").unwrap() + 4;
    let mut data: serde_json::Value =
        serde_json::from_str(good[json_start..].trim_end().trim_end_matches(';')).unwrap();
    data["rows"].as_array_mut().unwrap().pop();
    fs::write(
        &shard,
        format!(
            "{}{};\n",
            &good[..json_start],
            serde_json::to_string(&data).unwrap()
        ),
    )
    .unwrap();
    let dom = browser.broken_dom(&file_url(&index, ""));
    assert!(errors(&dom).contains("与本页不符"), "{dom}");
    assert!(shown(&dom).is_empty(), "no catalog shown short");

    // A shard missing.
    fs::remove_file(&shard).unwrap();
    let dom = browser.broken_dom(&file_url(&index, ""));
    let shown_errors = errors(&dom);
    assert!(shown_errors.contains("未能载入"), "{shown_errors}");
    assert!(shown(&dom).is_empty(), "no catalog shown short");
}

fn walk_yaml(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk_yaml(&p));
        } else if p.extension().is_some_and(|x| x == "yaml") {
            out.push(p);
        }
    }
    out.sort();
    out
}

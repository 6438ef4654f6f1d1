//! The CI report formats — SARIF, GitHub workflow commands and JUnit XML —
//! as renderers of one `Report`: a report built in code with findings at
//! cells, on a material row, on the header and on a whole file, checked for
//! structure, escaping and counts, and snapshotted; then `yima check
//! --format …` on a CSV pair, end to end.

mod support;

use insta::{assert_json_snapshot, assert_snapshot};
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use yima::diag::{Diagnostic, EntryRef, Lang, Report, Rule, Severities};
use yima::model::Origin;
use yima::report::{self, Format, Human};
use yima::text;

const FILE: &str = "filings/民政 局.xlsx";
const BROKEN: &str = "filings/坏.xlsx";
const ITEMS: &str = "事项";
const MATERIALS: &str = "申请材料";

/// A message that needs escaping in every format: XML markup, quotes, `%`,
/// `:` and `,`, a line break.
const AWKWARD: &str = "材料 <其他材料> & \"附件\": 50%, 见下\n第二行";

fn cell(file: &str, sheet: &str, row: u32, col: u32) -> Origin {
    Origin::cell(Arc::from(file), Arc::from(sheet), row, col)
}

fn entry_context(seq: u32, name: &str) -> Vec<(String, String)> {
    vec![
        ("序号".into(), seq.to_string()),
        ("事项名称".into(), name.into()),
    ]
}

/// Two entries of one filing (rows 3 and 4, materials on rows 2–3 and 4) and
/// a second, unreadable file; `shift` moves every row down, as inserting
/// rows above would.
fn sample(shift: u32) -> Report {
    let r = |row: u32| row + shift;
    let diagnostics = vec![
        Diagnostic::new(
            Rule::UsccInvalid,
            cell(FILE, ITEMS, r(3), 8),
            text!(
                "实施主体编码的校验位不正确",
                "the USCC has a wrong check character"
            ),
        )
        .field("agency_code")
        .value("11431300006140469F")
        .header("实施主体编码")
        .context(entry_context(1, "社会团体成立登记"))
        .help(text!(
            "按 GB 32100 计算，第 18 位应为“E”。",
            "by GB 32100 the 18th character must be `E`."
        )),
        Diagnostic::new(
            Rule::ValueMissing,
            cell(FILE, ITEMS, r(3), 32),
            text!(
                "必填项“结果名称”为空",
                "required element `结果名称` is blank"
            ),
        )
        .field("result_name")
        .header("结果名称")
        .context(entry_context(1, "社会团体成立登记")),
        Diagnostic::new(
            Rule::VagueWording,
            cell(FILE, ITEMS, r(3), 15),
            text!("受理条件中有模糊表述“等”", "受理条件 uses the vague `等`"),
        )
        .field("conditions")
        .value("有固定的住所等")
        .context(entry_context(1, "社会团体成立登记")),
        Diagnostic::new(
            Rule::CatchAllClause,
            cell(FILE, MATERIALS, r(4), 1),
            text!("{AWKWARD}", "{AWKWARD}"),
        )
        .field("name")
        .value("其他材料 <附件>")
        .context(vec![("事项序号".into(), "2".into())]),
        Diagnostic::new(
            Rule::ColumnUnknown,
            cell(FILE, ITEMS, r(2), 35),
            text!(
                "列“填报人”不对应任何标准要素",
                "column `填报人` maps to no element"
            ),
        )
        .value("填报人"),
        Diagnostic::new(
            Rule::FileUnreadable,
            Origin::file(Arc::from(BROKEN)),
            text!("文件已加密", "the file is encrypted"),
        ),
    ];
    let files = vec![(FILE.to_string(), 2, 3), (BROKEN.to_string(), 0, 0)];
    let mut report = Report::new(diagnostics, files, &Severities::default());
    let row_origin = |sheet: &str, row: u32| Origin {
        row: Some(r(row)),
        ..Origin::sheet(Arc::from(FILE), Arc::from(sheet))
    };
    report.entries = vec![
        EntryRef {
            file: FILE.into(),
            origin: row_origin(ITEMS, 3),
            seq: Some(1),
            name: Some("社会团体成立登记".into()),
            materials: vec![row_origin(MATERIALS, 2), row_origin(MATERIALS, 3)],
        },
        EntryRef {
            file: FILE.into(),
            origin: row_origin(ITEMS, 4),
            seq: Some(2),
            name: Some("社会团体变更登记".into()),
            materials: vec![row_origin(MATERIALS, 4)],
        },
    ];
    report
}

fn render(report: &Report, format: Format, lang: Lang) -> String {
    report::render(report, format, lang, &Human::default())
}

// ---------------------------------------------------------------------------
// SARIF
// ---------------------------------------------------------------------------

fn sarif(report: &Report, lang: Lang) -> Value {
    serde_json::from_str(&render(report, Format::Sarif, lang)).expect("SARIF is JSON")
}

#[test]
fn sarif_has_one_run_by_yima_describing_every_rule() {
    let log = sarif(&sample(0), Lang::Zh);
    assert_eq!(
        log["$schema"],
        "https://json.schemastore.org/sarif-2.1.0.json"
    );
    assert_eq!(log["version"], "2.1.0");
    assert_eq!(log["runs"].as_array().unwrap().len(), 1);
    let driver = &log["runs"][0]["tool"]["driver"];
    assert_eq!(driver["name"], "yima");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    let rules = driver["rules"].as_array().unwrap();
    assert_eq!(rules.len(), Rule::ALL.len());
    for (meta, rule) in rules.iter().zip(Rule::ALL) {
        assert_eq!(meta["id"], rule.id());
        assert!(
            meta["name"]
                .as_str()
                .unwrap()
                .starts_with(char::is_uppercase)
        );
        for text in [
            &meta["shortDescription"]["text"],
            &meta["fullDescription"]["text"],
            &meta["help"]["text"],
            &meta["help"]["markdown"],
        ] {
            assert!(!text.as_str().unwrap().is_empty(), "{rule}: {meta}");
        }
        assert_eq!(
            meta["defaultConfiguration"]["level"],
            rule.default_severity().as_str()
        );
    }
    let uscc = &rules[Rule::ALL
        .iter()
        .position(|r| *r == Rule::UsccInvalid)
        .unwrap()];
    assert_eq!(uscc["name"], "UsccInvalid");
    assert_eq!(
        uscc["shortDescription"]["text"],
        "统一社会信用代码不符合 GB 32100"
    );
    assert!(
        uscc["help"]["markdown"]
            .as_str()
            .unwrap()
            .contains("```text")
    );

    let en = sarif(&sample(0), Lang::En);
    let en_uscc = &en["runs"][0]["tool"]["driver"]["rules"][11];
    assert_eq!(en_uscc["id"], "uscc-invalid");
    assert_eq!(
        en_uscc["shortDescription"]["text"],
        "The USCC fails GB 32100"
    );
}

#[test]
fn sarif_results_point_at_the_file_row_and_column() {
    let report = sample(0);
    let log = sarif(&report, Lang::Zh);
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), report.diagnostics.len());
    for (res, d) in results.iter().zip(&report.diagnostics) {
        assert_eq!(res["ruleId"], d.rule.id());
        let index = res["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], res["ruleId"], "ruleIndex");
        assert_eq!(res["level"], d.severity.as_str());
        let loc = &res["locations"][0]["physicalLocation"];
        let uri = loc["artifactLocation"]["uri"].as_str().unwrap();
        assert!(!uri.contains(['\\', ' ']) && !uri.starts_with('/'), "{uri}");
        // GitHub rejects startLine 0 and startColumn 0.
        assert!(loc["region"]["startLine"].as_u64().unwrap() >= 1);
        if let Some(col) = loc["region"]["startColumn"].as_u64() {
            assert!(col >= 1);
        }
    }

    let uscc = results
        .iter()
        .find(|r| r["ruleId"] == "uscc-invalid")
        .unwrap();
    let loc = &uscc["locations"][0];
    assert_eq!(
        loc["physicalLocation"]["artifactLocation"]["uri"],
        "filings/民政%20局.xlsx"
    );
    assert_eq!(loc["physicalLocation"]["region"]["startLine"], 3);
    assert_eq!(loc["physicalLocation"]["region"]["startColumn"], 9);
    assert_eq!(loc["properties"]["sheet"], "事项");
    assert_eq!(loc["properties"]["cell"], "I3");
    assert_eq!(
        uscc["message"]["text"],
        "事项!I3: 实施主体编码的校验位不正确\n按 GB 32100 计算，第 18 位应为“E”。"
    );
    assert_eq!(uscc["properties"]["value"], "11431300006140469F");

    let unreadable = results
        .iter()
        .find(|r| r["ruleId"] == "file-unreadable")
        .unwrap();
    let loc = &unreadable["locations"][0];
    assert_eq!(
        loc["physicalLocation"]["artifactLocation"]["uri"],
        "filings/坏.xlsx"
    );
    assert_eq!(loc["physicalLocation"]["region"]["startLine"], 1);
    assert!(
        loc["physicalLocation"]["region"]
            .get("startColumn")
            .is_none()
    );
    assert!(loc.get("properties").is_none());
    assert_eq!(unreadable["message"]["text"], "文件已加密");

    assert_json_snapshot!("sarif_results", results);
}

fn fingerprints(report: &Report) -> Vec<String> {
    sarif(report, Lang::Zh)["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["partialFingerprints"]["yima/v1"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

#[test]
fn sarif_fingerprints_are_unique_and_survive_inserted_rows() {
    let before = fingerprints(&sample(0));
    assert_eq!(before.iter().collect::<HashSet<_>>().len(), before.len());
    assert_eq!(before, fingerprints(&sample(0)), "same run, same prints");
    // Three rows inserted above: the findings that know their entry (序号,
    // name) keep their prints; the header finding has only its cell to go by.
    let after = fingerprints(&sample(3));
    let report = sample(0);
    for ((b, a), d) in before.iter().zip(&after).zip(&report.diagnostics) {
        if d.context.is_empty() && d.origin.row.is_some() {
            assert_ne!(b, a, "{}", d.rule);
        } else {
            assert_eq!(b, a, "{}", d.rule);
        }
    }
}

// ---------------------------------------------------------------------------
// GitHub workflow commands
// ---------------------------------------------------------------------------

#[test]
fn github_prints_one_escaped_command_per_finding_then_the_summary() {
    let report = sample(0);
    let out = render(&report, Format::Github, Lang::Zh);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), report.diagnostics.len() + 1);
    assert!(!out.contains('\r'));
    // Sorted by file: 坏 sorts before 民.
    assert_eq!(
        lines[0],
        "::error file=filings/坏.xlsx,title=file-unreadable::文件已加密"
    );
    assert_eq!(
        lines[2],
        "::error file=filings/民政 局.xlsx,line=3,col=9,title=uscc-invalid::事项!I3: 实施主体编码的校验位不正确%0A按 GB 32100 计算，第 18 位应为“E”。"
    );
    let warnings = lines.iter().filter(|l| l.starts_with("::warning ")).count();
    let errors = lines.iter().filter(|l| l.starts_with("::error ")).count();
    assert_eq!(
        (errors, warnings),
        (report.summary.errors, report.summary.warnings)
    );
    let catch_all = lines
        .iter()
        .find(|l| l.contains("title=catch-all-clause"))
        .unwrap();
    assert!(
        catch_all.ends_with("::申请材料!B4: 材料 <其他材料> & \"附件\": 50%25, 见下%0A第二行"),
        "{catch_all}"
    );
    assert_eq!(
        lines.last().unwrap(),
        &"yima: 4 个错误, 2 个警告 · 2 个文件, 2 个事项, 3 份材料"
    );
    assert_snapshot!("github", out);

    let en = render(&report, Format::Github, Lang::En);
    assert_eq!(
        en.lines().last().unwrap(),
        "yima: 4 errors, 2 warnings · 2 files, 2 entries, 3 materials"
    );
}

#[test]
fn github_escapes_commas_and_colons_in_the_file_property() {
    let d = Diagnostic::new(
        Rule::FileUnreadable,
        Origin::file(Arc::from("报表,第1版:终%.xlsx")),
        text!("无法读取", "unreadable"),
    );
    let report = Report::new(vec![d], vec![], &Severities::default());
    let out = render(&report, Format::Github, Lang::Zh);
    assert!(
        out.starts_with("::error file=报表%2C第1版%3A终%25.xlsx,title=file-unreadable::无法读取\n"),
        "{out}"
    );
}

// ---------------------------------------------------------------------------
// JUnit XML
// ---------------------------------------------------------------------------

/// An XML element as the test reads it back.
#[derive(Debug, Default)]
struct Node {
    name: String,
    attrs: BTreeMap<String, String>,
    children: Vec<Node>,
    text: String,
}

impl Node {
    fn all(&self, name: &str) -> Vec<&Node> {
        self.children.iter().filter(|c| c.name == name).collect()
    }

    fn attr(&self, name: &str) -> &str {
        self.attrs
            .get(name)
            .unwrap_or_else(|| panic!("<{}> has no {name}", self.name))
    }

    fn count(&self, name: &str) -> usize {
        self.attr(name).parse().unwrap()
    }
}

/// Parses XML with a conforming parser (end names checked, entities
/// resolved), so escaping mistakes fail here.
fn parse_xml(xml: &str) -> Node {
    use quick_xml::XmlVersion;
    use quick_xml::events::{BytesStart, Event};
    fn element(e: &BytesStart<'_>) -> Node {
        Node {
            name: e.name().as_ref().to_string(),
            attrs: e
                .attributes()
                .map(|a| {
                    let a = a.expect("well-formed attribute");
                    (
                        a.key.as_ref().to_string(),
                        // Normalized as the XML spec says: a raw line break
                        // would come back as a space.
                        a.normalized_value(XmlVersion::Explicit1_0)
                            .expect("escaped attribute")
                            .into_owned(),
                    )
                })
                .collect(),
            ..Node::default()
        }
    }
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut stack = vec![Node::default()];
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => stack.push(element(&e)),
            Event::Empty(e) => stack.last_mut().unwrap().children.push(element(&e)),
            Event::End(_) => {
                let done = stack.pop().unwrap();
                stack.last_mut().unwrap().children.push(done);
            }
            Event::Text(t) => stack.last_mut().unwrap().text.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => {
                let c = match r.resolve_char_ref().expect("char ref") {
                    Some(c) => c.to_string(),
                    None => quick_xml::escape::resolve_xml_entity(&r.xml10_content())
                        .expect("known entity")
                        .to_string(),
                };
                stack.last_mut().unwrap().text.push_str(&c);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(stack.len(), 1, "unclosed elements");
    let mut doc = stack.pop().unwrap();
    assert_eq!(doc.children.len(), 1, "one root element");
    doc.children.pop().unwrap()
}

#[test]
fn junit_has_a_suite_per_file_and_a_case_per_entry() {
    let report = sample(0);
    let xml = render(&report, Format::Junit, Lang::Zh);
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"));
    let root = parse_xml(&xml);
    assert_eq!(root.name, "testsuites");

    let suites = root.all("testsuite");
    let names: Vec<&str> = suites.iter().map(|s| s.attr("name")).collect();
    assert_eq!(names, [FILE, BROKEN]);
    let [filing, broken] = [suites[0], suites[1]];

    // The file itself, then each entry in input order.
    let cases = filing.all("testcase");
    let case_names: Vec<&str> = cases.iter().map(|c| c.attr("name")).collect();
    assert_eq!(
        case_names,
        [FILE, "序号 1 社会团体成立登记", "序号 2 社会团体变更登记"]
    );
    assert!(cases.iter().all(|c| c.attr("classname") == FILE));

    // The file case: the unknown header column, a warning, fails nothing.
    assert!(cases[0].all("failure").is_empty());
    let out = &cases[0].all("system-out")[0].text;
    assert!(
        out.starts_with("warning[column-unknown] 事项!AJ2: 列“填报人”不对应任何标准要素"),
        "{out}"
    );

    // Entry 1: two errors on its row, the vague wording as output.
    let failures = cases[1].all("failure");
    let types: Vec<&str> = failures.iter().map(|f| f.attr("type")).collect();
    assert_eq!(types, ["uscc-invalid", "value-missing"]);
    assert_eq!(
        failures[0].attr("message"),
        "事项!I3: 实施主体编码的校验位不正确"
    );
    assert_eq!(
        failures[0].text,
        "error[uscc-invalid] filings/民政 局.xlsx · 事项!I3\n实施主体编码的校验位不正确\n值：11431300006140469F\nhelp: 按 GB 32100 计算，第 18 位应为“E”。"
    );
    let out = &cases[1].all("system-out")[0].text;
    assert!(
        out.contains("warning[vague-wording] 事项!P3: 受理条件中有模糊表述“等”"),
        "{out}"
    );

    // Entry 2: the catch-all clause on its material row; markup, quotes and
    // the line break come back intact.
    let failures = cases[2].all("failure");
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0].attr("type"), "catch-all-clause");
    assert_eq!(
        failures[0].attr("message"),
        format!("申请材料!B4: {AWKWARD}")
    );
    assert!(failures[0].text.contains("值：其他材料 <附件>"));
    assert!(cases[2].all("system-out").is_empty());

    // The unreadable file: its own case fails.
    let cases = broken.all("testcase");
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0].all("failure")[0].attr("type"), "file-unreadable");

    // Counts: cases, and cases that failed.
    assert_eq!((filing.count("tests"), filing.count("failures")), (3, 2));
    assert_eq!((broken.count("tests"), broken.count("failures")), (1, 1));
    assert_eq!((root.count("tests"), root.count("failures")), (4, 3));
    assert_eq!(root.count("errors"), 0);

    assert_snapshot!("junit", xml);
}

#[test]
fn junit_keeps_case_names_unique_and_the_xml_valid_for_any_text() {
    let mut report = Report::new(
        vec![Diagnostic::new(
            Rule::SeqDuplicate,
            cell(FILE, ITEMS, 9, 0),
            text!("序号 1 重复\u{1}\u{8}", "序号 1 repeated\u{1}\u{8}"),
        )],
        vec![(FILE.to_string(), 2, 0)],
        &Severities::default(),
    );
    let entry = |row: u32| EntryRef {
        file: FILE.into(),
        origin: Origin {
            row: Some(row),
            ..Origin::sheet(Arc::from(FILE), Arc::from(ITEMS))
        },
        seq: Some(1),
        name: Some("A&B <C>".into()),
        materials: vec![],
    };
    report.entries = vec![entry(5), entry(9)];
    let xml = render(&report, Format::Junit, Lang::Zh);
    let root = parse_xml(&xml);
    let cases = root.all("testsuite")[0].all("testcase");
    let names: Vec<&str> = cases.iter().map(|c| c.attr("name")).collect();
    assert_eq!(names, [FILE, "序号 1 A&B <C>", "序号 1 A&B <C> (事项!9)"]);
    // Control characters XML cannot hold are replaced, not passed through.
    assert_eq!(
        cases[2].all("failure")[0].attr("message"),
        "事项!A9: 序号 1 重复\u{FFFD}\u{FFFD}"
    );
}

// ---------------------------------------------------------------------------
// End to end: `yima check --format …` on a CSV pair
// ---------------------------------------------------------------------------

/// A CSV pair with a bad 行使层级 on entry 1, a blank 材料名称 on a material
/// of entry 2, and a material that belongs to no entry.
fn broken_pair() -> tempfile::TempDir {
    let mut filing = support::Filing::valid(2);
    filing.entries[0].set("行使层级", "市直");
    filing.materials[2].set("材料名称", "");
    let mut orphan = filing.materials[0].clone();
    orphan.set("事项序号", "9");
    filing.materials.push(orphan);
    let dir = support::tempdir();
    filing.write_csv(dir.path(), "民政局-", support::Encoding::Utf8);
    dir
}

#[test]
fn check_writes_every_ci_format() {
    let dir = broken_pair();

    let run = support::run(dir.path(), &["check", "--format", "junit", "."]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let root = parse_xml(&run.stdout);
    let suites = root.all("testsuite");
    assert_eq!(
        suites.len(),
        1,
        "the 申请材料 file joins its 事项 file's suite"
    );
    assert_eq!(suites[0].attr("name"), "民政局-事项.csv");
    let cases = suites[0].all("testcase");
    let case_of = |rule: &str| {
        cases
            .iter()
            .find(|c| c.all("failure").iter().any(|f| f.attr("type") == rule))
            .map(|c| c.attr("name"))
            .unwrap_or_else(|| panic!("no {rule} failure in:\n{}", run.stdout))
    };
    assert_eq!(case_of("value-invalid"), "序号 1 社会团体成立登记");
    assert_eq!(case_of("value-missing"), "序号 2 社会团体变更登记");
    assert_eq!(case_of("material-orphan"), "民政局-事项.csv");

    let run = support::run(dir.path(), &["check", "--format", "sarif", "."]);
    assert_eq!(run.code, 1);
    let log: Value = serde_json::from_str(&run.stdout).expect("SARIF is JSON");
    let results = log["runs"][0]["results"].as_array().unwrap();
    let invalid = results
        .iter()
        .find(|r| r["ruleId"] == "value-invalid")
        .unwrap();
    let loc = &invalid["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "民政局-事项.csv");
    assert_eq!(loc["region"]["startLine"], 2);
    assert_eq!(loc["region"]["startColumn"], 11);
    assert!(
        invalid["message"]["text"]
            .as_str()
            .unwrap()
            .starts_with("事项!K2: ")
    );

    let run = support::run(
        dir.path(),
        &["--lang", "en", "check", "--format", "github", "."],
    );
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.lines().any(|l| l.starts_with(
            "::error file=民政局-事项.csv,line=2,col=11,title=value-invalid::事项!K2: `市直` is not an allowed value"
        )),
        "{}",
        run.stdout
    );
    let errors = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("::error "))
        .count();
    assert!(
        run.stdout
            .lines()
            .last()
            .unwrap()
            .starts_with(&format!("yima: {errors} errors")),
        "{}",
        run.stdout
    );
}

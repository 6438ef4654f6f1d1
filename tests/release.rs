//! Releases: two releases of a changed catalog give the expected change log,
//! a tampered release fails `verify`, a release is never made twice, and
//! the same catalog and version give the same bytes.

mod common_catalog;

use assert_cmd::Command;
use std::fs;
use std::path::{Path, PathBuf};

/// A valid USCC of an organ registered in 娄底市 (GB 32100 + GB 11714).
fn uscc(org: &str) -> String {
    let org_full = format!("{org}{}", yima::rules::uscc::org_check_char(org).unwrap());
    let body = format!("11431300{org_full}");
    format!("{body}{}", yima::rules::uscc::check_char(&body).unwrap())
}

const HEADER: &str = "序号,事项名称,子项名称,事项类型,业务指导部门,基本编码,实施主体,实施主体编码,实施主体性质,行使层级,行政区划代码,权力来源,服务对象,设定依据,受理条件,办理流程,法定办结时限,承诺办结时限,办件类型,到办事现场次数,是否收费,收费标准,收费依据,办理形式,网办地址,通办范围,是否进驻政务大厅,办理地点,办理时间,咨询电话,监督投诉电话,结果名称";

/// One entry row of the CSV filing.
struct Row<'a> {
    seq: u32,
    name: &'a str,
    category: &'a str,
    code: &'a str,
    agency: &'a str,
    uscc: &'a str,
    promised: u32,
}

impl Row<'_> {
    fn csv(&self) -> String {
        let result = if self.category == "行政许可" || self.category == "行政确认" {
            "证明文书"
        } else {
            ""
        };
        format!(
            "{},{},,{},民政,{},{},{},法定机关,市级,431300,法定本级行使,自然人,《社会团体登记管理条例》第九条,申请人具备完全民事行为能力,申请→受理→审查→决定,20,{},承诺件,1,否,,,窗口办理,,全市,是,娄底市政务服务中心二楼民政窗口,工作日9:00-17:00,0738-8312345,12345,{}",
            self.seq,
            self.name,
            self.category,
            self.code,
            self.agency,
            self.uscc,
            self.promised,
            result
        )
    }
}

fn write_filing(dir: &Path, stem: &str, rows: &[Row<'_>], materials: &[(u32, &str)]) -> PathBuf {
    let mut items = String::from(HEADER);
    for r in rows {
        items.push('\n');
        items.push_str(&r.csv());
    }
    items.push('\n');
    let path = dir.join(format!("{stem}-事项.csv"));
    fs::write(&path, items).unwrap();
    let mut m = String::from("事项序号,材料名称,材料形式,份数,材料来源,电子证照,必要性");
    for (seq, name) in materials {
        m.push_str(&format!("\n{seq},{name},原件,1,申请人自备,否,必要"));
    }
    m.push('\n');
    fs::write(dir.join(format!("{stem}-申请材料.csv")), m).unwrap();
    path
}

fn yima(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("yima").unwrap();
    c.current_dir(dir).env("NO_COLOR", "1");
    c
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap()
}

/// A workspace with release 2026.1 of three entries, then a changed filing
/// ingested: one added, one retired, one renamed (carrying its code), one
/// with a changed limit and a new material.
fn two_releases(dir: &Path) -> (String, serde_json::Value) {
    two_releases_from(dir, Where::Inside)
}

/// Where a release's commands run and its filings lie.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Where {
    /// In the workspace, filings at its root.
    Inside,
    /// From the folder above with `-C <absolute path>`, filings in a
    /// folder of their own, given by absolute path.
    Elsewhere,
}

/// [`two_releases`], run from `place`.
fn two_releases_from(dir: &Path, place: Where) -> (String, serde_json::Value) {
    let (run_in, filings) = match place {
        Where::Inside => (dir.to_path_buf(), dir.to_path_buf()),
        Where::Elsewhere => {
            let f = dir.join("收件箱").join("二〇二六年");
            fs::create_dir_all(&f).unwrap();
            (dir.parent().unwrap().to_path_buf(), f)
        }
    };
    let yima = |_: &Path| {
        let mut c = yima(&run_in);
        if place == Where::Elsewhere {
            c.arg("-C").arg(dir);
        }
        c
    };
    let a = uscc("00614046");
    self::yima(&run_in).arg("init").arg(dir).assert().success();
    let first = write_filing(
        &filings,
        "民政局",
        &[
            Row {
                seq: 1,
                name: "社会团体成立登记",
                category: "行政许可",
                code: "",
                agency: "娄底市民政局",
                uscc: &a,
                promised: 10,
            },
            Row {
                seq: 2,
                name: "社会团体注销登记",
                category: "行政许可",
                code: "",
                agency: "娄底市民政局",
                uscc: &a,
                promised: 10,
            },
            Row {
                seq: 3,
                name: "婚姻登记档案查询",
                category: "公共服务",
                code: "",
                agency: "娄底市民政局",
                uscc: &a,
                promised: 1,
            },
        ],
        &[
            (1, "社会团体章程草案"),
            (2, "注销登记申请书"),
            (3, "居民身份证"),
        ],
    );
    yima(dir).arg("ingest").arg(&first).assert().success();
    yima(dir).args(["release", "2026.1"]).assert().success();

    let catalog = json(&dir.join("releases/2026.1/catalog.json"));
    let code_of = |name: &str| -> String {
        catalog["entries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["name"] == name)
            .unwrap()["basic_code"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let archive = code_of("婚姻登记档案查询");
    let second = write_filing(
        &filings,
        "民政局",
        &[
            Row {
                seq: 1,
                name: "社会团体成立登记",
                category: "行政许可",
                code: "",
                agency: "娄底市民政局",
                uscc: &a,
                promised: 5,
            },
            Row {
                seq: 2,
                name: "婚姻登记档案查阅",
                category: "公共服务",
                code: &archive,
                agency: "娄底市民政局",
                uscc: &a,
                promised: 1,
            },
            Row {
                seq: 3,
                name: "慈善组织认定",
                category: "行政确认",
                code: "",
                agency: "娄底市民政局",
                uscc: &a,
                promised: 10,
            },
        ],
        &[
            (1, "社会团体章程草案"),
            (1, "验资报告"),
            (2, "居民身份证"),
            (3, "慈善组织认定申请书"),
        ],
    );
    yima(dir)
        .args(["ingest", "--retire-missing"])
        .arg(&second)
        .assert()
        .success();
    yima(dir).args(["release", "2026.2"]).assert().success();
    (a, json(&dir.join("releases/2026.2/changes.json")))
}

#[test]
fn change_log_lists_added_retired_renamed_and_field_changes() {
    let tmp = tempfile::tempdir().unwrap();
    let (uscc, changes) = two_releases(tmp.path());
    let c = &changes["counts"];
    assert_eq!(
        (c["before"].as_u64(), c["after"].as_u64()),
        (Some(3), Some(3))
    );
    assert_eq!(c["added"], 1);
    assert_eq!(c["retired"], 1);
    assert_eq!(c["renamed"], 1);
    assert_eq!(c["changed"], 1);
    // Named by version, never by where the workspace lives.
    assert_eq!(changes["from"], "2026.1");
    assert_eq!(changes["to"], "2026.2");
    assert_eq!(changes["added"][0]["name"], "慈善组织认定");
    assert_eq!(changes["retired"][0]["name"], "社会团体注销登记");
    assert_eq!(changes["renamed"][0]["name"], "婚姻登记档案查阅");
    assert_eq!(changes["renamed"][0]["old_name"], "婚姻登记档案查询");
    let changed = &changes["changed"][0];
    assert_eq!(changed["name"], "社会团体成立登记");
    assert_eq!(changed["agency_code"], uscc.as_str());
    let fields = changed["fields"].as_array().unwrap();
    assert_eq!(fields.len(), 2, "{fields:?}");
    assert_eq!(fields[0]["field"], "promised_days");
    assert_eq!(fields[0]["label"], "承诺办结时限");
    assert_eq!(
        (fields[0]["before"].as_u64(), fields[0]["after"].as_u64()),
        (Some(10), Some(5))
    );
    assert_eq!(fields[1]["field"], "materials[验资报告]");
    assert!(fields[1]["before"].is_null());

    // The change log for people: counts first, grouped by agency, in Chinese.
    let md = fs::read_to_string(tmp.path().join("releases/2026.2/CHANGELOG.md")).unwrap();
    let counts_at = md.find("| 新增 | 1 |").expect("counts table");
    let agency_at = md.find("## 娄底市民政局").expect("agency section");
    assert!(counts_at < agency_at);
    assert!(md.contains("- 社会团体注销登记 `"));
    assert!(md.contains("- 婚姻登记档案查询 → 婚姻登记档案查阅 `"));
    assert!(md.contains("  - 承诺办结时限：10 → 5"));

    // yima diff gives the same report without a workspace.
    let out = yima(tmp.path())
        .args([
            "diff",
            "releases/2026.1",
            "releases/2026.2",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let from_diff: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(from_diff["counts"], changes["counts"]);
    assert_eq!(from_diff["changed"], changes["changed"]);
}

#[test]
fn registry_is_stamped_with_the_first_release() {
    let tmp = tempfile::tempdir().unwrap();
    two_releases(tmp.path());
    let lock = fs::read_to_string(tmp.path().join("items/codes.lock")).unwrap();
    let reg = yima::codes::registry::Registry::parse(&lock).unwrap();
    let stamped = |v: &str| {
        reg.records()
            .iter()
            .filter(|r| r.first_release == v)
            .count()
    };
    assert_eq!(stamped("2026.1"), 3, "{lock}");
    assert_eq!(stamped("2026.2"), 1, "{lock}");
    // A release is one line appended to the log, whatever it stamps.
    assert_eq!(lock.matches("\"op\":\"release\"").count(), 2, "{lock}");
    // The live registry is byte for byte the one the newest release holds.
    assert_eq!(
        lock,
        fs::read_to_string(tmp.path().join("releases/2026.2/codes.lock")).unwrap()
    );
    yima(tmp.path())
        .args(["assign", "--check"])
        .assert()
        .success();
}

#[test]
fn verify_finds_changed_missing_and_added_files() {
    let tmp = tempfile::tempdir().unwrap();
    two_releases(tmp.path());
    let rel = tmp.path().join("releases/2026.2");
    yima(tmp.path())
        .args(["verify", "releases/2026.2"])
        .assert()
        .success();

    let manifest = json(&rel.join("manifest.json"));
    assert_eq!(manifest["version"], "2026.2");
    let files = manifest["files"].as_array().unwrap();
    assert!(files.iter().all(|f| f["path"] != "manifest.json"));
    assert!(files.iter().any(|f| f["path"] == "catalog.json"));
    assert!(files.iter().any(|f| f["path"] == "CHANGELOG.md"));

    fs::write(rel.join("catalog.csv"), "tampered").unwrap();
    fs::remove_file(rel.join("changes.json")).unwrap();
    fs::write(rel.join("extra.txt"), "x").unwrap();
    let out = yima(tmp.path())
        .args(["verify", "releases/2026.2"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("已改动: catalog.csv"), "{text}");
    assert!(text.contains("缺失: changes.json"), "{text}");
    assert!(text.contains("多出: extra.txt"), "{text}");
}

#[test]
fn a_release_is_never_made_twice_nor_from_a_failing_catalog() {
    let tmp = tempfile::tempdir().unwrap();
    two_releases(tmp.path());
    let before = fs::read(tmp.path().join("releases/2026.2/manifest.json")).unwrap();
    let out = yima(tmp.path())
        .args(["release", "2026.2"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("已发布"));
    assert_eq!(
        fs::read(tmp.path().join("releases/2026.2/manifest.json")).unwrap(),
        before
    );

    // Break an entry: the release is refused and nothing is written.
    let entry = fs::read_dir(tmp.path().join("items"))
        .unwrap()
        .filter_map(Result::ok)
        .find(|e| e.path().is_dir())
        .unwrap()
        .path();
    let file = fs::read_dir(&entry)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let text = fs::read_to_string(&file).unwrap();
    fs::write(
        &file,
        text.replace("handling_type: 承诺件", "handling_type: 即办件"),
    )
    .unwrap();
    let out = yima(tmp.path())
        .args(["release", "2026.3"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(!tmp.path().join("releases/2026.3").exists());
    // (Rendered beside the gates, in a staging folder that went with it.)
    let left: Vec<String> = fs::read_dir(tmp.path().join("releases"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("2026.3"))
        .collect();
    assert!(left.is_empty(), "{left:?}");

    // A version that cannot name a folder.
    let out = yima(tmp.path())
        .args(["release", "../escape"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                out.push((rel, fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// The same catalog and version give the same bytes — whatever folder the
/// workspace is in, where the commands run from and where the filings lay:
/// nothing published names a path on the computer that made it.
#[test]
fn the_same_catalog_and_version_give_the_same_bytes() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    two_releases(a.path());
    let b_ws = b.path().join("另一个工作区");
    fs::create_dir_all(&b_ws).unwrap();
    two_releases_from(&b_ws, Where::Elsewhere);
    let changelog = fs::read_to_string(b_ws.join("releases/2026.2/CHANGELOG.md")).unwrap();
    assert!(changelog.contains("对比：2026.1 → 2026.2"), "{changelog}");
    let b = &b_ws;
    // (But the stat memos beside the releases: they note the files' inodes
    // and times on this computer, once the files have settled — how many
    // have depends on how fast the run was.)
    let published = |t: Vec<(String, Vec<u8>)>| -> Vec<_> {
        t.into_iter()
            .filter(|(p, _)| !p.ends_with(".yima.stats"))
            .collect()
    };
    let ta = published(tree(&a.path().join("releases")));
    let tb = published(tree(&b.join("releases")));
    assert!(ta.iter().any(|(p, _)| p.ends_with(".yima.cache")));
    assert!(!ta.is_empty());
    assert_eq!(ta.len(), tb.len());
    for (x, y) in ta.iter().zip(&tb) {
        assert_eq!(x.0, y.0);
        assert!(x.1 == y.1, "{} differs between two runs", x.0);
    }
}

/// The release gate's memo (`releases/.yima.gate`): after each edit of the
/// catalog, its configuration or its forms, the gate counts the errors
/// `yima check items/` counts, taking from the memo exactly the files that
/// did not change while nothing else did.
#[test]
fn the_gate_counts_what_the_check_counts_and_remembers_only_unchanged_files() {
    use yima::diag::Rule;
    let dir = common_catalog::repo_sample();
    let root = dir.path();
    let memo = root.join("releases").join(yima::check::gate::FILE);
    // (errors the gate counts, files it remembered, errors the check counts,
    // the rules the check found, the entry files)
    let gate = || {
        let ws = yima::workspace::Workspace::load(root).unwrap();
        let items = root.join("items");
        let load = |text| (yima::catalog::cached::load_whole(&items, None, text).unwrap()).catalog;
        // (The gate as a release runs it: the files' texts not kept, the
        // files it checks read again.)
        let gated = yima::check::gate::errors(&load(false), &ws, &items, &memo).unwrap();
        let (errors, remembered) = (gated.errors, gated.remembered);
        gated.keep();
        let cat = load(true);
        let report = yima::check::check_catalog(&cat, &ws).report;
        let rules: Vec<Rule> = report.diagnostics.iter().map(|d| d.rule).collect();
        (
            errors,
            remembered,
            report.summary.errors,
            rules,
            cat.files.len(),
        )
    };
    let entry = |n: usize| -> PathBuf {
        let mut files: Vec<PathBuf> = fs::read_dir(root.join("items/11431300006140805J"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        files[n].clone()
    };
    let edit = |path: &Path, from: &str, to: &str| {
        let text = fs::read_to_string(path).unwrap();
        assert!(text.contains(from), "{}: no {from}", path.display());
        fs::write(path, text.replacen(from, to, 1)).unwrap();
    };

    // No releases folder yet (a first release refused): none is made for
    // the memo.
    let (errors, remembered, checked, _, files) = gate();
    assert_eq!(
        (errors, remembered, checked),
        (0, 0, 0),
        "the sample is clean"
    );
    assert!(!root.join("releases").exists());
    fs::create_dir_all(root.join("releases")).unwrap();
    let (errors, remembered, ..) = gate();
    assert_eq!((errors, remembered), (0, 0), "no memo was written");
    let (errors, remembered, ..) = gate();
    assert_eq!(
        (errors, remembered),
        (0, files),
        "nothing changed: all remembered"
    );

    // A phone number made invalid: that file alone is checked again.
    edit(
        &entry(0),
        "contact_phone: 0738-8312681",
        "contact_phone: 0738-83",
    );
    let (errors, remembered, checked, rules, files) = gate();
    assert!(rules.contains(&Rule::PhoneInvalid), "{rules:?}");
    assert_eq!((errors, remembered), (checked, files - 1));
    assert!(errors > 0);

    // The same entry a second time, under another file name (after all of
    // the agency's files, so the places of the others hold): item-duplicate
    // between two files, the second one remembered the next time.
    let copy = entry(0).with_file_name("11431300006140805JZZZ.yaml");
    fs::copy(entry(1), &copy).unwrap();
    let (errors, _, checked, rules, _) = gate();
    assert!(rules.contains(&Rule::ItemDuplicate), "{rules:?}");
    assert_eq!(errors, checked);
    let (errors, remembered, checked, _, files) = gate();
    assert_eq!(
        (errors, remembered),
        (checked, files),
        "a duplicate is counted from the memo too"
    );

    // A value outside its code table (found while the entry is made a
    // filing again), and a file removed (the files after it move up a
    // place: their findings' rows are theirs again).
    edit(&entry(2), "level: 市级", "level: 星级");
    fs::remove_file(entry(3)).unwrap();
    let (errors, _, checked, rules, _) = gate();
    assert!(rules.contains(&Rule::ValueInvalid), "{rules:?}");
    assert_eq!(errors, checked);

    // The workspace's severities: phone-invalid off changes every count.
    let config = root.join("yima.yaml");
    edit(&config, "rules: {}", "rules:\n  phone-invalid: off");
    let (errors, remembered, checked, rules, _) = gate();
    assert!(!rules.contains(&Rule::PhoneInvalid));
    assert_eq!(
        (errors, remembered),
        (checked, 0),
        "another configuration: nothing remembered"
    );

    // A form the entries name taken away: form-missing, nothing remembered.
    fs::remove_file(root.join("examples/forms/不动产登记申请书.docx")).unwrap();
    let (errors, remembered, checked, rules, _) = gate();
    assert!(rules.contains(&Rule::FormMissing), "{rules:?}");
    assert_eq!(
        (errors, remembered),
        (checked, 0),
        "other forms: nothing remembered"
    );

    // A damaged memo is not read.
    let (errors, remembered, _, _, files) = gate();
    assert_eq!((errors, remembered), (checked, files));
    let mut bytes = fs::read(&memo).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 1;
    fs::write(&memo, bytes).unwrap();
    let (errors, remembered, checked, ..) = gate();
    assert_eq!((errors, remembered), (checked, 0));

    // A file edited after the catalog was loaded (without its text) and
    // before the gate reads it again is an error naming it, never checked
    // in its new form while the old one is published.
    let ws = yima::workspace::Workspace::load(root).unwrap();
    let items = root.join("items");
    let cat = (yima::catalog::cached::load_whole(&items, None, false).unwrap()).catalog;
    edit(&entry(4), "status: active", "status: active\n# edited");
    fs::remove_file(&memo).unwrap();
    let Err(err) = yima::check::gate::errors(&cat, &ws, &items, &memo) else {
        panic!("an edited file passed the gate");
    };
    let name = entry(4).file_name().unwrap().to_string_lossy().into_owned();
    assert!(err.to_string().contains(&name), "{err}");
}

/// The files a build of the workspace in `dir` took unchanged from the last.
fn build_reused(dir: &Path) -> usize {
    let out = yima(dir).arg("build").output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    let after = text
        .split("沿用上次生成且未改变的 ")
        .nth(1)
        .unwrap_or_else(|| panic!("no count of files reused: {text}"));
    after.split(' ').next().unwrap().parse().unwrap()
}

#[test]
fn the_binarys_digest_is_remembered_by_its_stat_and_taken_only_while_it_holds() {
    let tmp = tempfile::tempdir().unwrap();
    two_releases(tmp.path());
    // (A binary built a moment ago has not settled: nothing is noted for
    // it until it has.)
    let binary = assert_cmd::cargo::cargo_bin("yima");
    let age = fs::metadata(&binary).unwrap().modified().unwrap().elapsed();
    let settle = std::time::Duration::from_secs(4);
    if let Some(wait) = age.ok().and_then(|age| settle.checked_sub(age)) {
        std::thread::sleep(wait);
    }
    build_reused(tmp.path());
    let memo = tmp.path().join(yima::publish::cache::BINARY_FILE);
    let text = fs::read_to_string(&memo).unwrap();
    let digest = yima::fsx::sha256_hex(&fs::read(&binary).unwrap());
    // (A stat memo: its header, the binary's line, its seal.)
    let mut lines = text.lines();
    let head = lines.next().unwrap();
    assert_eq!(head, "yima stat memo 1");
    let line: Vec<&str> = lines.next().unwrap().split('\t').collect();
    let [key, stat, noted] = line[..] else {
        panic!("{text}")
    };
    assert_eq!(noted, digest, "the binary's own digest");
    let memo_of =
        |stat: &str, digest: &str| yima::fsx::seal(format!("{head}\n{key}\t{stat}\t{digest}\n"));
    assert!(
        build_reused(tmp.path()) > 0,
        "the same binary trusts its cache"
    );
    // Another digest under the binary's stat is taken: as another binary,
    // the build trusts nothing cached.
    fs::write(&memo, memo_of(stat, &"0".repeat(64))).unwrap();
    assert_eq!(build_reused(tmp.path()), 0);
    // Under another stat it is not: the binary is read again, and noted.
    let (len, rest) = stat.split_once('.').unwrap();
    let other = format!("{}.{rest}", len.parse::<u64>().unwrap() + 1);
    fs::write(&memo, memo_of(&other, &"0".repeat(64))).unwrap();
    build_reused(tmp.path());
    assert_eq!(fs::read_to_string(&memo).unwrap(), text);
    assert!(build_reused(tmp.path()) > 0);
    // Damaged, it is written again.
    fs::write(&memo, memo_of("not a stat", &digest)).unwrap();
    assert!(build_reused(tmp.path()) > 0);
    assert_eq!(fs::read_to_string(&memo).unwrap(), text);
}

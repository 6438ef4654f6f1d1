//! `yima export/import --format platform` (SPEC §8): the bundled catalog
//! goes out as the platform's tables and comes back the same, byte for
//! byte; a real platform record imports with its codes as given and its
//! findings at its line and key; the upper levels' basic catalog lands in
//! the registry, and ingest then gives a filing row naming such an item its
//! code (and a near name a "did you mean").

mod common_catalog;

use common_catalog::*;
use std::path::Path;
use yima::codes::registry::Provenance;

/// An empty workspace as `yima init` makes it, with the sample's forms in
/// its forms/ folder: the platform's tables name the forms, the files come
/// apart (form-missing otherwise).
fn empty() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let r = run(dir.path(), &["init", "."]);
    assert_eq!(r.code, 0, "{r}");
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    copy_tree(&repo.join("examples/forms"), &dir.path().join("forms"));
    dir
}

fn ok(dir: &Path, args: &[&str]) -> Run {
    let r = run(dir, args);
    assert_eq!(r.code, 0, "yima {args:?}:\n{r}");
    r
}

fn export(dir: &Path, out: &Path) -> Run {
    ok(
        dir,
        &[
            "export",
            "--format",
            "platform",
            "--out",
            out.to_str().expect("utf-8 path"),
        ],
    )
}

fn import(dir: &Path, from: &Path, more: &[&str]) -> Run {
    let mut args = vec![
        "import",
        "--format",
        "platform",
        from.to_str().expect("utf-8 path"),
    ];
    args.extend_from_slice(more);
    run(dir, &args)
}

#[test]
fn the_sample_catalog_goes_out_and_comes_back_the_same() {
    let src = repo_sample();
    let out = tempfile::tempdir().expect("temp dir");
    let r = export(src.path(), out.path());
    let (n, codes) = active_entries(src.path());
    assert!(
        n > 50 && codes > 50,
        "the sample has its entries: {n}, {codes}"
    );
    assert!(
        r.stdout
            .contains(&format!("已导出 {n} 个事项、{codes} 个基本编码")),
        "{r}"
    );
    let tables = snapshot(out.path());
    for file in [
        "task_directory.jsonl",
        "task_general_basic.jsonl",
        "task_general_extend.jsonl",
        "task_general_material.jsonl",
        "task_public_basic.jsonl",
        "task_handle_basic.jsonl",
        "yima_codes.jsonl",
    ] {
        assert!(
            tables.get(file).is_some_and(|b| !b.is_empty()),
            "{file} missing or empty"
        );
    }

    // Into an empty workspace: the same entries and the same registry.
    let dst = empty();
    let r = import(dst.path(), out.path(), &[]);
    assert_eq!(r.code, 0, "{r}");
    assert!(
        r.stdout
            .contains(&format!("新增 {n} 个，变更 0 个，未变 0 个")),
        "{r}"
    );
    assert_same_tree(
        &snapshot(&src.path().join("items")),
        &snapshot(&dst.path().join("items")),
        "export → import",
    );
    // The imported workspace passes the CI guard and exports the same bytes.
    ok(dst.path(), &["assign", "--check"]);
    let again = tempfile::tempdir().expect("temp dir");
    export(dst.path(), again.path());
    assert_eq!(tables, snapshot(again.path()), "a re-export differs");

    // Importing the same tables again changes nothing.
    let r = import(dst.path(), out.path(), &[]);
    assert!(
        r.stdout
            .contains(&format!("新增 0 个，变更 0 个，未变 {n} 个")),
        "{r}"
    );
}

#[test]
fn the_platform_tables_alone_carry_the_catalog() {
    let src = repo_sample();
    let out = tempfile::tempdir().expect("temp dir");
    export(src.path(), out.path());
    std::fs::remove_file(out.path().join("yima_codes.jsonl")).expect("rm");
    let dst = empty();
    let r = import(dst.path(), out.path(), &[]);
    assert_eq!(r.code, 0, "{r}");
    let (a, b) = (
        snapshot(&src.path().join("items")),
        snapshot(&dst.path().join("items")),
    );
    let entries = |t: &Tree| -> Tree {
        t.iter()
            .filter(|(k, _)| k.ends_with(".yaml"))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    };
    assert_eq!(entries(&a), entries(&b), "entries differ");
    // The same codes for the same items; provenance is the history file's.
    let (before, after) = (
        yima::catalog::load_registry(&src.path().join("items")).expect("registry"),
        yima::catalog::load_registry(&dst.path().join("items")).expect("registry"),
    );
    assert_eq!(before.len(), after.len());
    for r in before.records() {
        let got = after
            .get(&r.code)
            .unwrap_or_else(|| panic!("{} lost", r.code));
        assert_eq!(
            (&got.category, &got.sector, &got.name, &got.sub_name),
            (&r.category, &r.sector, &r.name, &r.sub_name),
            "{}",
            r.code
        );
        assert_eq!(got.origin, Provenance::External, "{}", r.code);
    }
    assert!(after.integrity().is_empty());
}

#[test]
fn a_dry_run_prints_what_would_change_and_writes_nothing() {
    let src = repo_sample();
    let out = tempfile::tempdir().expect("temp dir");
    export(src.path(), out.path());
    let dst = empty();
    let before = snapshot(&dst.path().join("items"));
    let r = import(dst.path(), out.path(), &["--dry-run"]);
    assert_eq!(r.code, 0, "{r}");
    assert!(
        r.stdout
            .contains("+ 11431300006140469E3430101001000 剧毒化学品购买许可 · 娄底市公安局"),
        "{r}"
    );
    assert!(
        r.stdout
            .contains(&format!("新增 {} 个", active_entries(src.path()).0))
            && r.stdout.contains("（试运行，未写入）"),
        "{r}"
    );
    assert_same_tree(&before, &snapshot(&dst.path().join("items")), "dry run");
    let left: Vec<_> = std::fs::read_dir(dst.path())
        .expect("dir")
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert!(
        left.iter()
            .all(|n| !n.to_string_lossy().starts_with(".items")),
        "{left:?}"
    );
}

/// A Guangxi county record as the platform publishes it (灵山县, 2019–2020):
/// `serve_type`, a legal basis in parts, a window's phone, `areacode`.
const GUANGXI: &str = r#"{"task_code":"1145072100811537184452004020000","catalog_code":"452004020000","task_name":"学生资助申请受理","task_type":"20","task_state":"1","task_version":3,"dept_code":"114507210081153718","dept_name":"灵山县教育局","dept_type":"1","use_level":"4","areacode":"450721","serve_type":"3,6","handle_type":"1,2","project_type":"2","promise_day":5,"promise_type":"1","anticipate_day":0,"anticipate_type":"1","law_name":"国务院关于建立健全普通本科高校、高等职业学校和中等职业学校家庭经济困难学生资助政策体系的意见","law_number":"国发〔2007〕13号","clause_number":"第三条","clause_content":"建立健全家庭经济困难学生资助政策体系。","accept_condition":"具有灵山县户籍的家庭经济困难在校学生。","handle_flow":"申请\n受理\n审核\n公示\n发放","is_fee":"0","limit_scene_num":1,"transact_addr":"灵山县政务服务中心二楼教育窗口","transact_time":"工作日 8:00-12:00，15:00-18:00","window_tel":"0777-6512345","link_way":"窗口咨询","supervise_way":"投诉电话：12345","is_single_login":"0","cd_batch":"20200301","cd_operation":"U","cd_time":"2020-03-01 10:00:00","data_source":"450"}"#;
const GUANGXI_EXTEND: &str = r#"{"task_code":"1145072100811537184452004020000","is_entry_center":"1","is_online":"1","is_express":"0","is_pay_online":"0","handle_area":"3","online_handle_url":"http://www.gxzf.gov.cn/","result_type":"","cd_batch":"20200301"}"#;
const NATIONAL: &str = concat!(
    r#"{"catalog_code":"000104002000","task_name":"固定资产投资项目节能审查","task_type":"01","task_state":"1","use_level":"2,3","by_law":"《固定资产投资项目节能审查办法》"}"#,
    "\n",
    r#"{"catalog_code":"001033002000","task_name":"全民健身设施拆迁或者改变用途批准","task_type":"10","task_state":"1"}"#,
    "\n",
    r#"{"catalog_code":"000204001000","task_name":"某项行政处罚","task_type":"02","task_state":"1"}"#,
    "\n",
);

/// A workspace of 钦州市 (region 45) holding 灵山县.
fn qinzhou() -> tempfile::TempDir {
    let dir = empty();
    let cfg = std::fs::read_to_string(dir.path().join("yima.yaml")).expect("yima.yaml");
    let cfg = cfg
        .replace("region_prefix: \"43\"", "region_prefix: \"45\"")
        .replace("city_division: \"431300\"", "city_division: \"450700\"");
    assert!(
        cfg.contains("\"45\"") && cfg.contains("\"450700\""),
        "{cfg}"
    );
    std::fs::write(dir.path().join("yima.yaml"), cfg).expect("yima.yaml");
    std::fs::create_dir_all(dir.path().join("schemas")).expect("schemas/");
    std::fs::write(
        dir.path().join("schemas/divisions.yaml"),
        "divisions:\n  - {code: \"450700\", name: 钦州市, kind: city}\n  - {code: \"450721\", name: 灵山县, kind: county}\n\
         town_ranges:\n  - {from: 1, to: 599, kind: 乡镇}\nvillage_ranges:\n  - {from: 0, to: 399, kind: 村居}\n",
    )
    .expect("divisions.yaml");
    dir
}

fn platform_dir(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).expect("write table");
    }
    dir
}

#[test]
fn a_real_platform_record_imports_with_its_codes_as_given() {
    let ws = qinzhou();
    let tables = platform_dir(&[
        ("task_directory.jsonl", NATIONAL),
        ("task_public_basic.jsonl", &format!("{GUANGXI}\n")),
        ("task_public_extend.jsonl", &format!("{GUANGXI_EXTEND}\n")),
    ]);
    let r = import(ws.path(), tables.path(), &[]);
    assert_eq!(r.code, 0, "{r}");
    assert!(r.stdout.contains("新增 1 个"), "{r}");
    let entries = yima::catalog::load(&ws.path().join("items")).expect("catalog");
    let e: Vec<_> = entries.entries().collect();
    assert_eq!(e.len(), 1);
    let e = e[0];
    assert_eq!(e.impl_code, "1145072100811537184452004020000");
    assert_eq!(e.basic_code, "452004020000");
    assert_eq!(e.agency_code, "114507210081153718");
    assert_eq!(
        (e.category.as_str(), e.level.as_str(), e.division.as_str()),
        ("公共服务", "县级", "450721")
    );
    assert_eq!(e.audience, ["事业法人", "其他组织"]);
    assert_eq!(e.channels, ["窗口办理", "网上办理"]);
    assert_eq!(e.contact_phone.as_deref(), Some("0777-6512345"));
    assert_eq!(e.complaint_phone.as_deref(), Some("12345"));
    assert_eq!(e.consult_way.as_deref(), Some("窗口咨询"));
    assert_eq!(e.online_url.as_deref(), Some("http://www.gxzf.gov.cn/"));
    assert_eq!(e.scope.as_deref(), Some("全县"));
    assert_eq!(e.in_hall, Some(true));
    assert_eq!(e.promised_days, Some(5));
    let basis = e.legal_basis.as_deref().expect("legal basis");
    assert!(basis.starts_with("《国务院关于建立健全"), "{basis}");
    assert!(
        basis.contains("（国发〔2007〕13号）第三条：建立健全"),
        "{basis}"
    );
    assert_eq!(e.source.file, "task_public_basic.jsonl");
    assert_eq!(e.source.row, Some(1));

    // The codes: the record's own and the national catalog's, external.
    let reg = yima::catalog::load_registry(&ws.path().join("items")).expect("registry");
    for code in ["452004020000", "000104002000", "001033002000"] {
        assert_eq!(
            reg.get(code).map(|r| r.origin),
            Some(Provenance::External),
            "{code}"
        );
    }
    assert!(
        reg.get("000204001000").is_none(),
        "行政处罚 is not enabled here"
    );
    assert!(
        r.stdout
            .contains("未登记 1 个基本目录事项：事项类型 02 未在本工作区启用"),
        "{r}"
    );
    // Columns yima has no element for are named, not silently dropped.
    assert!(
        r.stdout
            .contains("task_public_basic.jsonl · is_single_login（1 行）"),
        "{r}"
    );
    assert!(
        r.stdout.contains("task_directory.jsonl · by_law（1 行）"),
        "{r}"
    );

    // The entry is a valid one of the workspace's catalog, and importing
    // the same record again changes nothing.
    let (report, code) = check_json(ws.path(), &["items"]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["summary"]["entries"], 1, "{report:#}");
    ok(ws.path(), &["assign", "--check"]);
    let r = import(ws.path(), tables.path(), &["--dry-run"]);
    assert!(r.stdout.contains("未变 1 个"), "{r}");
}

#[test]
fn findings_name_the_line_and_the_key() {
    let ws = qinzhou();
    // Line 2 is the record; line 1 no record at all.
    let bad = GUANGXI
        .replace("\"project_type\":\"2\"", "\"project_type\":\"7\"")
        .replace(",\"window_tel\":\"0777-6512345\"", "");
    let tables = platform_dir(&[
        ("task_public_basic.jsonl", &format!("not json\n{bad}\n")),
        (
            "task_public_material.jsonl",
            concat!(
                r#"{"task_code":"1145072100811537184452004020000","material_name":"申请表","material_format":"1","page_num":1,"source_type":"10","is_need":"1","order_num":1}"#,
                "\n",
                r#"{"task_code":"1145072100811537184452004029999","material_name":"孤儿材料","order_num":1}"#,
                "\n"
            ),
        ),
    ]);
    let r = import(ws.path(), tables.path(), &["--dry-run"]);
    assert_eq!(r.code, 1, "{r}");
    let at = |file: &str, line: u32| format!("╭─[{}:{line}]", tables.path().join(file).display());
    let block = |rule: &str, place: &str| -> bool {
        r.stdout
            .split("\n\n")
            .any(|b| b.contains(&format!("[{rule}]")) && b.contains(place))
    };
    assert!(
        block("file-unreadable", &at("task_public_basic.jsonl", 1)),
        "{r}"
    );
    assert!(
        block("value-invalid", &at("task_public_basic.jsonl", 2)),
        "{r}"
    );
    assert!(r.stdout.contains("project_type"), "{r}");
    // No phone: the way's text has none and no window_tel is given.
    assert!(block("value-missing", "咨询电话"), "{r}");
    assert!(
        block("material-orphan", &at("task_public_material.jsonl", 2)),
        "{r}"
    );
    assert!(r.stdout.contains("新增 1 个"), "{r}");
}

#[test]
fn a_record_of_another_region_is_left_out_and_counted() {
    let ws = empty(); // 娄底市, region 43
    let tables = platform_dir(&[("task_public_basic.jsonl", &format!("{GUANGXI}\n"))]);
    let r = import(ws.path(), tables.path(), &[]);
    assert_eq!(r.code, 0, "{r}");
    assert!(
        r.stdout.contains("未导入 1 条记录：其他地区（450721）"),
        "{r}"
    );
    assert!(r.stdout.contains("新增 0 个"), "{r}");
    assert!(
        yima::catalog::load(&ws.path().join("items"))
            .expect("catalog")
            .entries()
            .next()
            .is_none()
    );
}

#[test]
fn ingest_gives_a_row_naming_a_national_item_its_code() {
    let ws = Ws::new();
    let tables = platform_dir(&[("task_directory.jsonl", NATIONAL)]);
    let r = import(ws.root(), tables.path(), &[]);
    assert_eq!(r.code, 0, "{r}");
    assert!(r.stdout.contains("登记基本编码 2 个"), "{r}");

    let dev = Agency::development();
    let filing = Filing::new(vec![
        Item::new(&dev, "行政许可", "发展改革", "固定资产投资项目节能审查"),
        Item::new(&dev, "行政许可", "发展改革", "固定资产投资项目节能审核"),
    ]);
    let f = ws.file("发改-", &filing);
    // The near name gets a "did you mean"; the exact one nothing.
    let (report, code) = check_json(ws.root(), &[&f]);
    assert_eq!(code, 0, "{report:#}");
    let near = findings(&report, "name-near-catalog");
    assert_eq!(near.len(), 1, "{report:#}");
    assert_eq!(near[0]["value"], "固定资产投资项目节能审核");
    assert!(
        near[0]["help"]
            .as_str()
            .unwrap_or("")
            .contains("固定资产投资项目节能审查"),
        "{report:#}"
    );
    assert!(
        near[0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("000104002000"),
        "{report:#}"
    );

    let before = ws.registry().len();
    let run = ws.ingest_ok(&[&f]);
    assert!(run.stdout.contains("新赋基本编码 1 个"), "{run}");
    let entries = ws.entries();
    let exact = entry_named(&entries, "固定资产投资项目节能审查", "");
    assert_eq!(exact.basic_code, "000104002000");
    assert!(exact.impl_code.ends_with("000104002000"));
    let near = entry_named(&entries, "固定资产投资项目节能审核", "");
    assert!(near.basic_code.starts_with("430120"), "{}", near.basic_code);
    let reg = ws.registry();
    assert_eq!(reg.len(), before + 1, "only the near name got a local code");
    assert_eq!(
        reg.get("000104002000").map(|r| r.origin),
        Some(Provenance::External)
    );
    // And a second ingest keeps both, renaming nothing.
    let again = ws.ingest_ok(&[&f]);
    assert!(again.stdout.contains("更名 0 个"), "{again}");
}

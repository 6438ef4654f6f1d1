//! `yima build`: the service guides (办事指南) of SPEC §5. Each test starts a
//! workspace with `yima init`, ingests a valid CSV filing of 娄底市民政局
//! (three entries), builds, and reads what landed in `dist/guides/`.

use assert_cmd::Command;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use yima::catalog::CatalogEntry;
use yima::codes::registry::Status;
use yima::rules::uscc::{check_char, org_check_char};

/// A valid USCC of a Loudi state organ (11 + 431300 + organization code).
fn uscc(org_body: &str) -> String {
    let org = format!("{org_body}{}", org_check_char(org_body).expect("org body"));
    let body = format!("11431300{org}");
    format!("{body}{}", check_char(&body).expect("uscc body"))
}

#[path = "support/headers.rs"]
mod headers;
use headers::{ITEM_HEADERS, MATERIAL_HEADERS};

/// One 事项 row: (seq, name, category, legal basis, result name).
fn item_row(seq: u32, name: &str, category: &str, basis: &str, result: &str) -> Vec<String> {
    let agency_code = uscc("00614046");
    [
        &seq.to_string(),
        name,
        "",
        category,
        "民政",
        "",
        "",
        "娄底市民政局",
        &agency_code,
        "法定机关",
        "市级",
        "431300",
        "法定本级行使",
        "社会组织法人",
        basis,
        "（一）有 50 个以上的个人会员或者 30 个以上的单位会员；\n（二）有规范的名称和相应的组织机构；",
        "受理\n审查\n决定\n送达",
        "20",
        "10",
        "承诺件",
        "1",
        "否",
        "",
        "",
        "窗口办理、网上办理",
        "https://zwfw-new.hunan.gov.cn/",
        "全市",
        "是",
        "娄底市政务服务中心二楼民政窗口",
        "星期一至星期五 8:30-12:00，14:30-17:30（法定节假日除外）",
        "0738-8312345",
        "12345",
        result,
        "否",
        "",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn write_csv(path: &Path, headers: &[&str], rows: &[Vec<String>]) {
    let mut w = csv::Writer::from_path(path).expect("create csv");
    w.write_record(headers).expect("write header");
    for r in rows {
        w.write_record(r).expect("write row");
    }
    w.flush().expect("flush csv");
}

/// Writes the filing of 娄底市民政局 with the first `n` of its three entries.
fn write_filing(dir: &Path, n: usize) {
    let items = [
        item_row(
            1,
            "社会团体成立登记",
            "行政许可",
            "《社会团体登记管理条例》第三条、第九条",
            "社会团体法人登记证书",
        ),
        item_row(
            2,
            "民办非企业单位成立登记",
            "行政许可",
            "《民办非企业单位登记管理暂行条例》第五条",
            "民办非企业单位登记证书",
        ),
        item_row(
            3,
            "慈善组织认定",
            "行政确认",
            "《中华人民共和国慈善法》第十条",
            "慈善组织认定决定书",
        ),
    ];
    let material = |seq: u32, name: &str, form: &str| -> Vec<String> {
        [
            &seq.to_string(),
            name,
            form,
            "1",
            "申请人自备",
            "否",
            "必要",
            "《社会团体登记管理条例》第十一条",
            "加盖公章",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    };
    let materials: Vec<Vec<String>> = (1..=n as u32)
        .flat_map(|seq| {
            [
                material(seq, "成立登记申请书", "原件"),
                material(seq, "章程草案", "原件"),
                material(seq, "住所使用权证明", "复印件"),
            ]
        })
        .collect();
    std::fs::create_dir_all(dir).expect("filing dir");
    write_csv(&dir.join("民政局-事项.csv"), ITEM_HEADERS, &items[..n]);
    write_csv(
        &dir.join("民政局-申请材料.csv"),
        MATERIAL_HEADERS,
        &materials,
    );
}

fn yima(ws: &Path) -> Command {
    let mut cmd = Command::cargo_bin("yima").expect("yima binary");
    cmd.current_dir(ws).arg("-C").arg(ws);
    cmd
}

/// A workspace holding the three entries of the filing, then a revision of
/// it that drops the third (retired with `--retire-missing`).
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let ws = dir.path();
    Command::cargo_bin("yima")
        .expect("yima binary")
        .arg("init")
        .arg(ws)
        .assert()
        .success();
    write_filing(&ws.join("filings"), 3);
    yima(ws).args(["ingest", "filings"]).assert().success();
    write_filing(&ws.join("filings"), 2);
    yima(ws)
        .args(["ingest", "--retire-missing", "filings"])
        .assert()
        .success();
    dir
}

/// Every catalog entry file with its path.
fn entries(ws: &Path) -> Vec<(PathBuf, CatalogEntry)> {
    let mut out = Vec::new();
    let mut stack = vec![ws.join("items")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read items") {
            let p = e.expect("dir entry").path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "yaml") {
                let text = std::fs::read_to_string(&p).expect("read entry");
                let entry: CatalogEntry = serde_saphyr::from_str(&text).expect("entry yaml");
                out.push((p, entry));
            }
        }
    }
    out.sort_by(|a, b| a.1.impl_code.cmp(&b.1.impl_code));
    out
}

fn entry_named(ws: &Path, name: &str) -> (PathBuf, CatalogEntry) {
    entries(ws)
        .into_iter()
        .find(|(_, e)| e.name == name)
        .unwrap_or_else(|| panic!("no entry {name}"))
}

fn build(ws: &Path) -> std::process::Output {
    yima(ws).arg("build").output().expect("run yima build")
}

fn build_ok(ws: &Path) {
    let out = build(ws);
    assert!(
        out.status.success(),
        "build failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Every file under `dir`, by relative path.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).expect("read dist") {
            let p = e.expect("dir entry").path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).expect("under root");
                out.insert(
                    rel.to_string_lossy().into_owned(),
                    std::fs::read(&p).expect("read file"),
                );
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn guide(ws: &Path, code: &str, ext: &str) -> String {
    std::fs::read_to_string(ws.join("dist/guides").join(format!("{code}.{ext}")))
        .unwrap_or_else(|e| panic!("guide {code}.{ext}: {e}"))
}

/// The page without its one schema.org block (`<script
/// type="application/ld+json">`, data a browser never runs; its content is
/// tested in tests/open_data.rs), so that what is left can be searched for
/// anything that runs or fetches.
fn without_jsonld(html: &str) -> String {
    const OPEN: &str = "<script type=\"application/ld+json\">";
    let start = html.find(OPEN).expect("a guide has its JSON-LD block");
    let end = start + html[start..].find("</script>").expect("the block ends");
    let rest = format!("{}{}", &html[..start], &html[end + "</script>".len()..]);
    assert!(!rest.contains(OPEN), "one JSON-LD block only");
    rest
}

/// Asserts that `needles` occur in `hay` in this order (each after the last).
fn assert_in_order(hay: &str, needles: &[&str]) {
    let mut at = 0;
    for n in needles {
        match hay[at..].find(n) {
            Some(i) => at += i + n.len(),
            None => panic!(
                "`{n}` missing after byte {at}; found anywhere: {}",
                hay.contains(n)
            ),
        }
    }
}

#[test]
fn every_active_entry_gets_both_guides_and_retired_entries_none() {
    let dir = workspace();
    let ws = dir.path();
    let all = entries(ws);
    assert_eq!(all.len(), 3);
    let retired: Vec<_> = all
        .iter()
        .filter(|(_, e)| e.status == Status::Retired)
        .collect();
    assert_eq!(retired.len(), 1, "the third entry is retired");
    let out = build(ws);
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("2 个事项"), "{stdout}");

    let mut expected: Vec<String> = all
        .iter()
        .filter(|(_, e)| e.status == Status::Active)
        .flat_map(|(_, e)| {
            assert_eq!(e.impl_code.len(), 31);
            [
                format!("{}.html", e.impl_code),
                format!("{}.md", e.impl_code),
                format!("{}.docx", e.impl_code),
            ]
        })
        .collect();
    // And the Word 汇编 of the one agency.
    expected.push(format!("{}-办事指南汇编.docx", all[0].1.agency_code));
    expected.sort();
    let mut found: Vec<String> = std::fs::read_dir(ws.join("dist/guides"))
        .expect("guides folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    found.sort();
    assert_eq!(found, expected);
    assert!(!found.iter().any(|f| f.starts_with(&retired[0].1.impl_code)));
}

/// A guide without the colspans of its fact tables, so a fact reads
/// `<th>label</th><td>value</td>` whether it shares its line or not.
fn plain_facts(html: &str) -> String {
    html.replace(" colspan=\"3\"", "")
}

#[test]
fn html_guide_shows_every_element_in_order() {
    let dir = workspace();
    let ws = dir.path();
    build_ok(ws);
    let (_, e) = entry_named(ws, "社会团体成立登记");
    let html = guide(ws, &e.impl_code, "html");
    assert!(html.starts_with("<!DOCTYPE html>"), "{}", &html[..80]);
    let facts = plain_facts(&html);
    assert_in_order(
        &facts,
        &[
            "<title>社会团体成立登记 · 办事指南</title>",
            "娄底市政务服务事项目录",
            "<h1>社会团体成立登记</h1>",
            &e.basic_code,
            &e.impl_code,
            "一、基本信息",
            "<th>事项类型</th><td>行政许可</td>",
            "<th>业务指导部门</th><td>民政</td>",
            "<th>实施主体</th><td>娄底市民政局</td>",
            &format!("<th>实施主体编码</th><td>{}</td>", e.agency_code),
            "<th>实施主体性质</th><td>法定机关</td>",
            "<th>行使层级</th><td>市级</td>",
            "<th>行政区划</th><td>431300 娄底市</td>",
            "<th>权力来源</th><td>法定本级行使</td>",
            "<th>服务对象</th><td>社会组织法人</td>",
            "<th>办件类型</th><td>承诺件</td>",
            "<th>到办事现场次数</th><td>1 次</td>",
            "<th>办理形式</th><td>窗口办理、网上办理</td>",
            "<th>通办范围</th><td>全市</td>",
            "<th>是否转报</th><td>否</td>",
            "二、设定依据",
            "《社会团体登记管理条例》第三条、第九条",
            "三、受理条件",
            "<p>（一）有 50 个以上的个人会员或者 30 个以上的单位会员；</p>",
            "<p>（二）有规范的名称和相应的组织机构；</p>",
            "四、申请材料",
            "<table class=\"materials\">",
            "<th>材料名称及要求</th><th>材料形式</th><th>份数</th><th>材料来源</th><th>必要性</th>",
            "<td class=\"no\">1</td><td class=\"name\"><p class=\"m-name\">成立登记申请书</p>",
            "<dt>电子证照</dt><dd>否</dd>",
            "<dt>材料依据</dt><dd>《社会团体登记管理条例》第十一条</dd>",
            "<dt>填报须知</dt><dd>加盖公章</dd>",
            "<td class=\"c\">原件</td><td class=\"n\">1</td><td class=\"c\">申请人自备</td><td class=\"c\">必要</td>",
            "<p class=\"m-name\">章程草案</p>",
            "<p class=\"m-name\">住所使用权证明</p>",
            "<td class=\"c\">复印件</td>",
            "五、办理流程",
            "<ol class=\"steps\">",
            "<li>受理</li>",
            "<li>审查</li>",
            "<li>决定</li>",
            "<li>送达</li>",
            "六、办理时限",
            "<th>法定办结时限</th><td>20 个工作日</td>",
            "<th>承诺办结时限</th><td>10 个工作日</td>",
            "<th>时限压缩</th><td>承诺时限比法定时限压缩 50%</td>",
            "七、收费",
            "<th>是否收费</th><td>否</td>",
            "八、办理结果",
            "<th>结果名称</th><td>社会团体法人登记证书</td>",
            "九、办理地点与时间",
            "<th>办理地点</th><td>娄底市政务服务中心二楼民政窗口</td>",
            "<th>办理时间</th><td>星期一至星期五 8:30-12:00，14:30-17:30（法定节假日除外）</td>",
            "<th>是否进驻政务大厅</th><td>是</td>",
            "十、咨询与投诉",
            "<th>咨询电话</th><td>0738-8312345</td>",
            "<th>监督投诉电话</th><td>12345</td>",
            "十一、网上办理",
            "<a href=\"https:&#x2f;&#x2f;zwfw-new.hunan.gov.cn&#x2f;\" rel=\"noopener noreferrer\">",
            "<dt>版本</dt><dd>未发布</dd>",
            "<dt>来源</dt><dd>民政局-事项.csv · 事项 第 2 行</dd>",
        ],
    );
    // Elements without a value leave no row, and sections without any
    // leave no heading: no 子项名称, 收费标准 or 备注 here, no “无”.
    for absent in [
        "子项名称",
        "收费标准",
        "收费依据",
        "备注",
        "审查标准",
        "常见问题",
        "权限划分",
        "十二、",
        ">无<",
    ] {
        assert!(!html.contains(absent), "the guide shows `{absent}`");
    }
    // Standalone: the style is inline, nothing is fetched.
    assert!(html.contains("<style>") && html.contains("@page"));
    assert!(html.contains("size: A4"));
    let html = without_jsonld(&html);
    for fetch in ["<link", "<script", "src=", "@import", "url("] {
        assert!(!html.contains(fetch), "guide fetches something: {fetch}");
    }
}

#[test]
fn markdown_guide_shows_the_same_elements() {
    let dir = workspace();
    let ws = dir.path();
    build_ok(ws);
    let (_, e) = entry_named(ws, "民办非企业单位成立登记");
    let md = guide(ws, &e.impl_code, "md");
    assert_in_order(
        &md,
        &[
            "# 民办非企业单位成立登记\n",
            &format!("- 基本编码：{}\n", e.basic_code),
            &format!("- 实施编码：{}\n", e.impl_code),
            "## 一、基本信息",
            "| 事项类型 | 行政许可 |",
            "| 实施主体 | 娄底市民政局 |",
            "| 是否转报 | 否 |",
            "## 二、设定依据\n\n《民办非企业单位登记管理暂行条例》第五条\n",
            "## 三、受理条件",
            "## 四、申请材料",
            "| 序号 | 材料名称 | 材料形式 | 份数 | 材料来源 | 必要性 | 要求 |",
            "| 1 | 成立登记申请书 | 原件 | 1 | 申请人自备 | 必要 | 电子证照：否<br>材料依据：《社会团体登记管理条例》第十一条<br>填报须知：加盖公章 |",
            "## 五、办理流程\n\n1. 受理\n2. 审查\n3. 决定\n4. 送达\n",
            "## 六、办理时限",
            "| 法定办结时限 | 20 个工作日 |",
            "## 七、收费",
            "## 八、办理结果",
            "## 九、办理地点与时间",
            "## 十、咨询与投诉",
            "## 十一、网上办理",
            "| 网办地址 | <https://zwfw-new.hunan.gov.cn/> |",
            "- 版本：未发布",
            "- 来源：民政局-事项.csv · 事项 第 3 行",
        ],
    );
    assert!(!md.contains("子项名称") && !md.contains("## 十二"), "{md}");
}

/// Fills every element of SPEC §2a into the entry at `path`: the forms
/// named are `申请表.docx` (blank form, twice), `申请表（样表）.pdf`
/// (sample), `结果样本.pdf` (result sample), `缺失的表格.docx` (not in
/// forms/), a URL, and a name that tries to leave the forms folder.
fn fill_every_element(path: &Path, e: &CatalogEntry) -> CatalogEntry {
    use yima::catalog::entry::{CatalogFee, CatalogQuestion};
    let mut e = e.clone();
    e.power_source = Some("上级委托".into());
    e.entrusting_agency = Some("湖南省民政厅".into());
    e.joint_agencies = vec!["娄底市公安局".into(), "娄底市市场监督管理局".into()];
    e.citizen_topics = vec!["社会保障".into()];
    e.business_topics = vec!["设立变更".into(), "资质认证".into()];
    e.visit_reason = Some("须核验法定代表人身份证原件".into());
    e.intermediary = Some("无".into());
    e.quantity_limit = Some("无数量限制".into());
    e.effective_date = Some("2026-03-01".into());
    e.authority_division = Some("市级负责在市民政局登记的社会团体".into());
    e.exercise_content = Some("社会团体成立登记的受理、审查和决定".into());
    e.review_standard = Some("（一）发起人符合条件；\n（二）名称不与已登记的社会团体重复。".into());
    e.statutory_unit = Some("自然日".into());
    e.statutory_note = Some("自受理之日起计算，不含公告时间".into());
    e.promised_unit = Some("自然日".into());
    e.promised_note = Some("自受理之日起计算".into());
    e.special_procedure = Some("专家评审，5 个工作日".into());
    e.charged = Some(true);
    e.fee_items = vec![
        CatalogFee {
            name: "证书工本费".into(),
            standard: Some("每证 10 元".into()),
            basis: Some("《湖南省行政事业性收费标准》".into()),
            reducible: Some(true),
            reduction_basis: Some("《关于减免收费的通知》第二条".into()),
        },
        CatalogFee {
            name: "公告费".into(),
            standard: Some("每次 50 元".into()),
            basis: Some("《社会团体登记管理条例》第十五条".into()),
            reducible: Some(false),
            reduction_basis: None,
        },
    ];
    e.result_type = Some("证照".into());
    e.result_sample = Some("结果样本.pdf".into());
    e.consult_way = Some("窗口咨询；12345 热线".into());
    e.complaint_way = Some("投诉窗口；12345 热线".into());
    e.online_depth = Some("三级".into());
    e.online = Some(true);
    e.appointment = Some(true);
    e.pay_online = Some(false);
    e.courier = Some(true);
    e.kiosk = Some(false);
    e.notes = Some("登记证书有效期五年".into());
    e.questions = vec![
        CatalogQuestion {
            question: "会员不足 50 个能否申请？".into(),
            answer: "不能。\n请会员达到 50 个后再申请。".into(),
        },
        CatalogQuestion {
            question: "可以网上申请吗？".into(),
            answer: "可以，在湖南政务服务网申请。".into(),
        },
    ];
    let m = &mut e.materials;
    m[0].material_type = Some("申请表格文书".into());
    m[0].paper_spec = Some("A4".into());
    m[0].acceptance_standard = Some("法定代表人签字并加盖公章\n  内容与所附材料一致 ".into());
    m[0].blank_form = Some("申请表.docx".into());
    m[0].sample_form = Some("申请表（样表）.pdf".into());
    m[1].source = Some("其他".into());
    m[1].source_note = Some("到社会团体所在地公证处办理".into());
    m[1].blank_form = Some("申请表.docx".into());
    m[1].sample_form = Some("缺失的表格.docx".into());
    m[2].blank_form = Some("https://zwfw-new.hunan.gov.cn/forms/zsyq.docx".into());
    m[2].sample_form = Some("../items/codes.lock".into());
    std::fs::write(path, e.to_yaml()).expect("write entry");
    e
}

/// Puts the forms of [`fill_every_element`] into the workspace's forms/.
fn put_forms(ws: &Path) -> BTreeMap<&'static str, Vec<u8>> {
    let files = BTreeMap::from([
        ("申请表.docx", b"PK\x03\x04 blank form".to_vec()),
        ("申请表（样表）.pdf", b"%PDF-1.4 sample".to_vec()),
        ("结果样本.pdf", b"%PDF-1.4 result sample".to_vec()),
    ]);
    std::fs::create_dir_all(ws.join("forms")).expect("forms dir");
    for (name, bytes) in &files {
        std::fs::write(ws.join("forms").join(name), bytes).expect("write form");
    }
    files
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn every_element_of_a_full_entry_shows_in_the_order_of_a_guide() {
    let dir = workspace();
    let ws = dir.path();
    let (path, e) = entry_named(ws, "社会团体成立登记");
    let e = fill_every_element(&path, &e);
    let forms = put_forms(ws);
    build_ok(ws);
    let form = |name: &str| {
        let ext = name.rsplit('.').next().unwrap();
        format!("../forms/{}.{ext}", sha256_hex(&forms[name]))
    };
    let html = plain_facts(&guide(ws, &e.impl_code, "html"));
    assert_in_order(
        &html,
        &[
            "一、基本信息",
            "<th>权力来源</th><td>上级委托</td>",
            "<th>委托部门</th><td>湖南省民政厅</td>",
            "<th>联办机构</th><td>娄底市公安局、娄底市市场监督管理局</td>",
            "<th>服务对象</th>",
            "<th>面向自然人主题</th><td>社会保障</td>",
            "<th>面向法人主题</th><td>设立变更、资质认证</td>",
            "<th>到办事现场次数</th><td>1 次</td>",
            "<th>到现场原因说明</th><td>须核验法定代表人身份证原件</td>",
            "<th>中介服务</th><td>无</td>",
            "<th>数量限制</th><td>无数量限制</td>",
            "<th>生效日期</th><td>2026-03-01</td>",
            "二、设定依据",
            "三、权限划分与行使内容",
            "<th>权限划分</th><td>市级负责在市民政局登记的社会团体</td>",
            "<th>行使内容</th><td>社会团体成立登记的受理、审查和决定</td>",
            "四、受理条件",
            "五、申请材料",
            "<p class=\"m-name\">成立登记申请书</p>",
            "<dt>材料类型</dt><dd>申请表格文书</dd>",
            "<dt>纸质材料规格</dt><dd>A4</dd>",
            // Its lines kept (the stylesheet shows the break).
            "<dt>受理标准</dt><dd>法定代表人签字并加盖公章\n内容与所附材料一致</dd>",
            &format!(
                "<dt>空白表格</dt><dd><a href=\"{}\" download=\"申请表.docx\">申请表.docx</a></dd>",
                form("申请表.docx").replace('/', "&#x2f;")
            ),
            &format!(
                "<dt>示例样表</dt><dd><a href=\"{}\" download=\"申请表（样表）.pdf\">申请表（样表）.pdf</a></dd>",
                form("申请表（样表）.pdf").replace('/', "&#x2f;")
            ),
            "<p class=\"m-name\">章程草案</p>",
            "<dt>来源渠道说明</dt><dd>到社会团体所在地公证处办理</dd>",
            &format!("<a href=\"{}\"", form("申请表.docx").replace('/', "&#x2f;")),
            // Not in forms/: the name, without a link.
            "<dt>示例样表</dt><dd>缺失的表格.docx</dd>",
            "<p class=\"m-name\">住所使用权证明</p>",
            "<a href=\"https:&#x2f;&#x2f;zwfw-new.hunan.gov.cn&#x2f;forms&#x2f;zsyq.docx\" rel=\"noopener noreferrer\">",
            "<dt>示例样表</dt><dd>..&#x2f;items&#x2f;codes.lock</dd>",
            "六、办理流程",
            "七、审查标准",
            "<p>（一）发起人符合条件；</p><p>（二）名称不与已登记的社会团体重复。</p>",
            "八、办理时限",
            "<th>法定办结时限</th><td>20 个自然日</td>",
            "<th>承诺办结时限</th><td>10 个自然日</td>",
            "<th>法定办结时限说明</th><td>自受理之日起计算，不含公告时间</td>",
            "<th>承诺办结时限说明</th><td>自受理之日起计算</td>",
            "<th>时限压缩</th><td>承诺时限比法定时限压缩 50%</td>",
            "<th>特别程序</th><td>专家评审，5 个工作日</td>",
            "九、收费",
            "<th>是否收费</th><td>是</td>",
            "<table class=\"fee-items\">",
            "<td class=\"no\">1</td><td>证书工本费</td><td><p>每证 10 元</p></td><td><p>《湖南省行政事业性收费标准》</p></td><td class=\"c\">是</td><td><p>《关于减免收费的通知》第二条</p></td>",
            "<td class=\"no\">2</td><td>公告费</td><td><p>每次 50 元</p></td><td><p>《社会团体登记管理条例》第十五条</p></td><td class=\"c\">否</td><td></td>",
            "十、办理结果",
            "<th>结果名称</th><td>社会团体法人登记证书</td>",
            "<th>结果类型</th><td>证照</td>",
            &format!(
                "<th>结果样本</th><td><p><a href=\"{}\" download=\"结果样本.pdf\">结果样本.pdf</a></p></td>",
                form("结果样本.pdf").replace('/', "&#x2f;")
            ),
            "十一、办理地点与时间",
            "十二、咨询与投诉",
            "<th>咨询电话</th><td>0738-8312345</td>",
            "<th>咨询方式</th><td>窗口咨询；12345 热线</td>",
            "<th>监督投诉电话</th><td>12345</td>",
            "<th>监督投诉方式</th><td>投诉窗口；12345 热线</td>",
            "十三、网上办理",
            "<th>网办地址</th>",
            "<th>网上办理深度</th><td>三级（在线申报、预审）</td>",
            "<th>是否网办</th><td>是</td>",
            "<th>是否支持预约办理</th><td>是</td>",
            "<th>是否支持网上支付</th><td>否</td>",
            "<th>是否支持物流快递</th><td>是</td>",
            "<th>是否支持自助终端</th><td>否</td>",
            "十四、备注",
            "<p>登记证书有效期五年</p>",
            "十五、常见问题",
            "<dt><span class=\"qa-mark\">问</span>会员不足 50 个能否申请？</dt><dd><span class=\"qa-mark\">答</span><p>不能。</p><p>请会员达到 50 个后再申请。</p></dd>",
            "<dt><span class=\"qa-mark\">问</span>可以网上申请吗？</dt>",
            "<footer class=\"doc-foot\">",
        ],
    );

    let md = guide(ws, &e.impl_code, "md");
    assert_in_order(
        &md,
        &[
            "## 一、基本信息",
            "| 委托部门 | 湖南省民政厅 |",
            "| 面向法人主题 | 设立变更、资质认证 |",
            "## 三、权限划分与行使内容",
            "## 五、申请材料",
            &format!(
                "受理标准：法定代表人签字并加盖公章<br>内容与所附材料一致<br>材料依据：《社会团体登记管理条例》第十一条<br>填报须知：加盖公章<br>空白表格：[申请表.docx](<{}>)<br>示例样表：[申请表（样表）.pdf](<{}>) |",
                form("申请表.docx"),
                form("申请表（样表）.pdf")
            ),
            "示例样表：缺失的表格.docx |",
            "空白表格：<https://zwfw-new.hunan.gov.cn/forms/zsyq.docx><br>示例样表：../items/codes.lock |",
            "## 七、审查标准",
            "## 八、办理时限",
            "| 法定办结时限 | 20 个自然日 |",
            "| 特别程序 | 专家评审，5 个工作日 |",
            "## 九、收费",
            "| 序号 | 收费项目 | 收费标准 | 收费依据 | 可否减免 | 减免依据 |",
            "| 1 | 证书工本费 | 每证 10 元 | 《湖南省行政事业性收费标准》 | 是 | 《关于减免收费的通知》第二条 |",
            "| 2 | 公告费 | 每次 50 元 | 《社会团体登记管理条例》第十五条 | 否 |  |",
            "## 十、办理结果",
            &format!("| 结果样本 | [结果样本.pdf](<{}>) |", form("结果样本.pdf")),
            "## 十三、网上办理",
            "| 网上办理深度 | 三级（在线申报、预审） |",
            "## 十四、备注",
            "## 十五、常见问题",
            "**问：会员不足 50 个能否申请？**\n\n答：不能。\n\n请会员达到 50 个后再申请。\n",
            "**问：可以网上申请吗？**",
            "- 来源：",
        ],
    );
}

#[test]
fn forms_are_copied_under_their_sha256_and_missing_ones_are_not() {
    let dir = workspace();
    let ws = dir.path();
    let (path, e) = entry_named(ws, "社会团体成立登记");
    fill_every_element(&path, &e);
    let forms = put_forms(ws);
    // A form no entry names is not published.
    std::fs::write(ws.join("forms/无人引用.docx"), b"unused").expect("write form");
    build_ok(ws);
    let copied = tree(&ws.join("dist/forms"));
    let expected: BTreeMap<String, Vec<u8>> = forms
        .iter()
        .map(|(name, bytes)| {
            let ext = name.rsplit('.').next().unwrap();
            (format!("{}.{ext}", sha256_hex(bytes)), bytes.clone())
        })
        .collect();
    // 申请表.docx is named twice and copied once; 缺失的表格.docx and the
    // name outside forms/ are not copied (form-missing reports them).
    assert_eq!(copied, expected);
    let out = yima(ws).args(["check", "items"]).output().unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        report.contains("form-missing") && report.contains("缺失的表格.docx"),
        "{report}"
    );

    // Without any form named, there is no forms folder at all.
    let clean = workspace();
    build_ok(clean.path());
    assert!(!clean.path().join("dist/forms").exists());
}

/// Text that tries to become markup or template code.
const HOSTILE: [&str; 4] = [
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(2)>",
    "{{ \"pwn\" ~ \"ed\" }}{% raw %}",
    "[点我](javascript:alert(3)) | # 标题\n- 列表 *强调* `代码`",
];

/// Puts hostile text into every text element of the entry at `path`.
fn poison(path: &Path, e: &CatalogEntry) {
    let h = |i: usize| HOSTILE[i % HOSTILE.len()].to_string();
    let mut e = e.clone();
    e.name = h(0);
    e.sub_name = h(1);
    e.agency = h(2);
    e.agency_nature = Some(h(3));
    e.power_source = Some(h(0));
    e.audience = vec![h(1), h(2)];
    e.legal_basis = Some(h(3));
    e.conditions = Some(format!("{}\n{}", h(0), h(1)));
    e.process = vec![h(2), h(3)];
    e.handling_type = Some(h(0));
    e.fee_standard = Some(h(1));
    e.fee_basis = Some(h(2));
    e.channels = vec![h(3)];
    e.online_url = Some("javascript:alert(4)".into());
    e.scope = Some(h(0));
    e.address = Some(h(1));
    e.hours = Some(h(2));
    e.contact_phone = Some(h(3));
    e.complaint_phone = Some(h(0));
    e.result_name = Some(h(1));
    e.notes = Some(h(2));
    e.category = h(3);
    e.sector = h(0);
    e.authority_division = Some(h(1));
    e.review_standard = Some(h(2));
    e.special_procedure = Some(h(3));
    e.online_depth = Some(h(0));
    e.result_sample = Some(h(1));
    e.citizen_topics = vec![h(2)];
    e.fee_items = vec![yima::catalog::entry::CatalogFee {
        name: h(0),
        standard: Some(h(1)),
        basis: Some(h(2)),
        reducible: Some(true),
        reduction_basis: Some(h(3)),
    }];
    e.questions = vec![yima::catalog::entry::CatalogQuestion {
        question: h(3),
        answer: h(0),
    }];
    for (i, m) in e.materials.iter_mut().enumerate() {
        m.name = h(i);
        m.form = Some(h(i + 1));
        m.source = Some(h(i + 2));
        m.necessity = Some(h(i + 3));
        m.basis = Some(h(i));
        m.notes = Some(h(i + 1));
        m.acceptance_standard = Some(h(i + 2));
        m.blank_form = Some(h(i + 1));
        m.sample_form = Some(format!("javascript:alert({i})"));
    }
    e.source.file = h(1);
    e.source.sheet = h(0);
    std::fs::write(path, e.to_yaml()).expect("write poisoned entry");
}

#[test]
fn hostile_text_is_shown_as_text() {
    let dir = workspace();
    let ws = dir.path();
    let (path, e) = entry_named(ws, "社会团体成立登记");
    poison(&path, &e);
    build_ok(ws);

    let html = without_jsonld(&guide(ws, &e.impl_code, "html"));
    for raw in [
        "<script",
        "<img",
        "href=\"javascript",
        "pwned",
        "download=\"\"",
    ] {
        assert!(!html.contains(raw), "HTML guide contains `{raw}`");
    }
    assert!(html.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"));
    assert!(html.contains("&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"));
    // Template syntax in the data is printed, never rendered.
    assert!(html.contains("{{ &quot;pwn&quot; ~ &quot;ed&quot; }}{% raw %}"));
    assert!(
        html.contains("javascript:alert(4)"),
        "the address is shown as text"
    );

    let md = guide(ws, &e.impl_code, "md");
    assert!(!md.contains("pwned"));
    assert!(md.contains("\\<script\\>alert\\(1\\)\\</script\\>"), "{md}");
    assert!(
        md.contains("\\{\\{ \"pwn\" \\~ \"ed\" \\}\\}\\{% raw %\\}"),
        "{md}"
    );
    assert!(!md.contains("](javascript"));
    // Every `<` the Markdown holds is escaped, except the guide's own line
    // breaks in table cells.
    for (i, _) in md.match_indices('<') {
        let own = md[i..].starts_with("<br>");
        let escaped = i > 0 && md.as_bytes()[i - 1] == b'\\';
        assert!(own || escaped, "unescaped `<` at {i}: {}", &md[i..]);
    }
    // Filed text cannot open a heading, a list or a table row of its own.
    for line in md.lines() {
        assert!(
            !line.starts_with("# 标题") && !line.starts_with("- 列表"),
            "{line}"
        );
    }
    // Each materials row still has its 7 cells (8 unescaped bars).
    let rows: Vec<&str> = md
        .lines()
        .skip_while(|l| !l.starts_with("| 序号 |"))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .collect();
    assert_eq!(rows.len(), 3);
    for row in rows {
        let bars = row
            .char_indices()
            .filter(|&(i, c)| c == '|' && (i == 0 || row.as_bytes()[i - 1] != b'\\'))
            .count();
        assert_eq!(bars, 8, "{row}");
    }
}

#[test]
fn two_builds_are_byte_identical() {
    let dir = workspace();
    let ws = dir.path();
    build_ok(ws);
    let first = tree(&ws.join("dist"));
    assert!(first.len() >= 4, "{:?}", first.keys());
    build_ok(ws);
    assert_eq!(first, tree(&ws.join("dist")));
    // And into another folder.
    yima(ws)
        .args(["build", "--out", "other"])
        .assert()
        .success();
    assert_eq!(first, tree(&ws.join("other")));
}

#[test]
fn a_workspace_template_overrides_the_default() {
    let dir = workspace();
    let ws = dir.path();
    std::fs::create_dir_all(ws.join("templates")).expect("templates dir");
    std::fs::write(
        ws.join("templates/guide.html"),
        "<!DOCTYPE html>\n<h1>本地模板 {{ name }}</h1>\n<p>{{ agency }}</p>\n",
    )
    .expect("write override");
    build_ok(ws);
    let (_, e) = entry_named(ws, "社会团体成立登记");
    let html = guide(ws, &e.impl_code, "html");
    assert_eq!(
        html,
        "<!DOCTYPE html>\n<h1>本地模板 社会团体成立登记</h1>\n<p>娄底市民政局</p>\n"
    );
    // The Markdown guide keeps the embedded template.
    assert!(guide(ws, &e.impl_code, "md").contains("## 四、申请材料"));
}

#[test]
fn a_broken_override_names_file_and_line_and_keeps_the_old_dist() {
    let dir = workspace();
    let ws = dir.path();
    build_ok(ws);
    let before = tree(&ws.join("dist"));
    std::fs::create_dir_all(ws.join("templates")).expect("templates dir");

    // A syntax error, found when the template is loaded.
    std::fs::write(
        ws.join("templates/guide.md"),
        "# {{ name }}\n\n{% for step in process %}\n{{ step }\n{% endfor %}\n",
    )
    .expect("write override");
    let out = build(ws);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("templates/guide.md:4:"), "{err}");
    assert!(err.contains("第 4 行"), "{err}");
    assert_eq!(before, tree(&ws.join("dist")), "dist/ changed");

    // An error found while rendering: a value that does not exist.
    std::fs::write(
        ws.join("templates/guide.md"),
        "# {{ name }}\n{{ no_such_value.x }}\n",
    )
    .expect("write override");
    let out = build(ws);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("templates/guide.md:2:"), "{err}");
    assert_eq!(before, tree(&ws.join("dist")), "dist/ changed");
    let leftovers: Vec<_> = std::fs::read_dir(ws)
        .expect("workspace")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        // (The stat memo of dist/ lives beside it: no leftover.)
        .filter(|n| n.starts_with(".dist") && n != ".dist.yima.stats")
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn build_outside_a_workspace_is_a_usage_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = Command::cargo_bin("yima")
        .expect("yima binary")
        .current_dir(dir.path())
        .arg("build")
        .output()
        .expect("run yima build");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("yima init"));
    assert!(!dir.path().join("dist").exists());
}

/// The target: rendering guides runs at no less than half the speed
/// of writing the same bytes with plain file writes. Timing depends on the
/// machine (and disk writes on a shared one are noisy: the best of three
/// alternating rounds is compared), so it runs on request:
/// `cargo test --release --test build_guides -- --ignored --nocapture`.
#[test]
#[ignore = "timing; run on request in release mode"]
fn rendering_keeps_up_with_plain_writes() {
    use rayon::prelude::*;
    use std::time::{Duration, Instant};
    use yima::publish::templates::Templates;
    use yima::publish::{BuildContext, guides};
    use yima::workspace::Workspace;

    let dir = workspace();
    let ws = Workspace::load(dir.path()).expect("workspace");
    let base: Vec<CatalogEntry> = entries(dir.path())
        .into_iter()
        .map(|(_, e)| e)
        .filter(|e| e.status == Status::Active)
        .collect();
    let many: Vec<CatalogEntry> = (0..4000)
        .map(|i| {
            let mut e = base[i % base.len()].clone();
            e.impl_code = format!("{}{:06}", &e.impl_code[..25], i);
            e
        })
        .collect();
    let many: Vec<yima::catalog::lazy::Entry> = many.into_iter().map(Into::into).collect();
    let ctx = BuildContext {
        workspace: &ws,
        entries: many.iter().collect(),
        version: String::new(),
        stamps: Default::default(),
        progress: false,
    };

    // Rendering alone, into memory: what the templates cost. Its output is
    // what the plain writes write.
    let templates = Templates::load(&ws).expect("templates");
    let no_forms = yima::publish::forms::Forms::default();
    let start = Instant::now();
    let files: Vec<(String, String)> = ctx
        .entries
        .par_iter()
        .flat_map_iter(|e| {
            let g = minijinja::Value::from(minijinja::value::Serde(guides::Guide::new(
                e, &ctx, &no_forms,
            )));
            [(guides::HTML_TEMPLATE, "html"), (guides::MD_TEMPLATE, "md")].map(|(t, ext)| {
                let text = templates.render_value(t, g.clone()).expect("render");
                (format!("{}.{ext}", e.impl_code), text)
            })
        })
        .collect();
    let in_memory = start.elapsed();
    let bytes: usize = files.iter().map(|(_, t)| t.len()).sum();

    // Each timed phase starts with the page cache flushed, so neither pays
    // for the write-back of the other's files.
    let settle = || {
        let _ = std::process::Command::new("sync").status();
    };
    let (mut render, mut write) = (Duration::MAX, Duration::MAX);
    for round in 0..3 {
        let plain = dir.path().join(format!("plain{round}"));
        std::fs::create_dir_all(&plain).expect("plain dir");
        settle();
        let start = Instant::now();
        files.par_iter().for_each(|(name, text)| {
            std::fs::write(plain.join(name), text).expect("write");
        });
        write = write.min(start.elapsed());

        let rendered = dir.path().join(format!("rendered{round}"));
        let none = yima::publish::cache::Previous::none();
        let out = yima::publish::cache::Output::new(&rendered, &none);
        let plan = yima::publish::Plan::new(&ctx, &out, &no_forms);
        settle();
        let start = Instant::now();
        assert_eq!(
            guides::write(&ctx, &no_forms, &plan).expect("guides"),
            many.len()
        );
        render = render.min(start.elapsed());
    }
    let ratio = write.as_secs_f64() / render.as_secs_f64();
    println!(
        "{} guides ({bytes} bytes): render only {in_memory:?}; best of 3: \
         render+write {render:?}, plain writes {write:?}; speed ratio {ratio:.2}",
        files.len()
    );
    assert!(
        ratio >= 0.5,
        "rendering is {ratio:.2}× the speed of plain writes"
    );
}

#[test]
fn timings_name_each_stage_on_stderr() {
    let ws = workspace();
    let out = yima(ws.path())
        .args(["build", "--timings"])
        .output()
        .expect("run yima build --timings");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stages: Vec<(&str, f64)> = stderr
        .lines()
        .filter_map(|l| l.split_once('\t'))
        .filter(|(s, _)| *s != "parsed")
        .map(|(s, t)| (s, t.parse::<f64>().expect("seconds")))
        .collect();
    let names: Vec<&str> = stages.iter().map(|(s, _)| *s).collect();
    assert_eq!(
        names,
        [
            "load", "codes", "previous", "guides", "docx", "catalogs", "site", "caches", "commit"
        ]
    );
    // Then how many entries were parsed from the entry cache: none by a
    // first build (each file is parsed as it is read), none by a build that
    // renders nothing, the changed entry's and its neighbours' by a build
    // after one edit.
    let parsed = |stderr: &[u8]| -> usize {
        let text = String::from_utf8_lossy(stderr);
        let last = text.lines().last().unwrap_or_default().to_string();
        let n = last
            .strip_prefix("parsed\t")
            .expect("the last line")
            .parse();
        n.expect("a count")
    };
    assert_eq!(parsed(&out.stderr), 0);
    let again = yima(ws.path())
        .args(["build", "--timings"])
        .output()
        .unwrap();
    assert_eq!(parsed(&again.stderr), 0, "nothing changed, nothing parsed");
    assert!(
        stages.iter().all(|(_, t)| *t >= 0.0 && *t < 60.0),
        "{stages:?}"
    );
    // Without the flag, stderr holds no timings.
    let plain = yima(ws.path()).arg("build").output().unwrap();
    assert!(!String::from_utf8_lossy(&plain.stderr).contains("guides\t"));
}

//! The indicators of SPEC §5 against values computed by hand on a small
//! catalog, and `yima stats` reading a workspace's catalog (table and JSON).

use assert_cmd::Command;
use unicode_width::UnicodeWidthStr;
use yima::catalog::CatalogEntry;
use yima::catalog::entry::{CatalogMaterial, NoLimit, StatutoryDays};
use yima::codes::registry::Status;
use yima::standard::Standard;
use yima::stats::{Compression, Share, Stats};

const POLICE: &str = "11511300008778693M";
const CIVIL: &str = "12441500196720244T";

fn material(e_license: Option<bool>) -> CatalogMaterial {
    CatalogMaterial {
        name: "居民身份证".into(),
        form: Some("原件".into()),
        copies: Some(1),
        e_license,
        ..Default::default()
    }
}

#[allow(clippy::too_many_arguments)]
fn entry(
    uscc: &str,
    agency: &str,
    seq: u32,
    category: &str,
    level: &str,
    handling: Option<&str>,
    days: (Option<StatutoryDays>, Option<u32>),
    visits: Option<u32>,
    channels: &[&str],
    charged: Option<bool>,
    scope: Option<&str>,
    materials: Vec<CatalogMaterial>,
) -> CatalogEntry {
    let basic = format!("430201{seq:03}000");
    CatalogEntry {
        impl_code: format!("{uscc}3{basic}"),
        basic_code: basic,
        name: format!("事项{seq}"),
        category: category.into(),
        sector: "民政".into(),
        agency: agency.into(),
        agency_code: uscc.into(),
        level: level.into(),
        division: "431300".into(),
        handling_type: handling.map(Into::into),
        statutory_days: days.0,
        promised_days: days.1,
        visits,
        channels: channels.iter().map(|c| c.to_string()).collect(),
        charged,
        scope: scope.map(Into::into),
        materials,
        ..Default::default()
    }
}

fn days(n: u32) -> Option<StatutoryDays> {
    Some(StatutoryDays::Days(n))
}

/// Five entries of two agencies; the expected values below are worked out
/// by hand from this table.
///
/// | # | agency | category | level | 办件 | 法定/承诺 | 次数 | 办理形式 | 收费 | 通办 | 材料 (电子证照) |
/// |---|---|---|---|---|---|---|---|---|---|---|
/// | 1 | 公安 | 行政许可 | 市级 | 承诺件 | 20/5 | 1 | 窗口、网上 | 否 | 全市 | 3 (是, 否, —) |
/// | 2 | 公安 | 行政确认 | 市级 | 即办件 | 10/0 | 0 | 网上 | 是 | 不通办 | 1 (是) |
/// | 3 | 公安 | 公共服务 | 县级 | 即办件 | 无/0 | 0 | 窗口 | 否 | 全省 | 0 |
/// | 4 | 民政 | 行政给付 | 县级 | 承诺件 | 30/15 | 2 | 移动端 | 否 | 全县 | 2 (—, —) |
/// | 5 | 民政 | 公共服务 | 乡级 | 承诺件 | —/3 | 1 | 快递 | — | — | 2 (是, 否) |
fn sample() -> Vec<CatalogEntry> {
    vec![
        entry(
            POLICE,
            "娄底市公安局",
            1,
            "行政许可",
            "市级",
            Some("承诺件"),
            (days(20), Some(5)),
            Some(1),
            &["窗口办理", "网上办理"],
            Some(false),
            Some("全市"),
            vec![material(Some(true)), material(Some(false)), material(None)],
        ),
        entry(
            POLICE,
            "娄底市公安局",
            2,
            "行政确认",
            "市级",
            Some("即办件"),
            (days(10), Some(0)),
            Some(0),
            &["网上办理"],
            Some(true),
            Some("不通办"),
            vec![material(Some(true))],
        ),
        entry(
            POLICE,
            "娄底市公安局",
            3,
            "公共服务",
            "县级",
            Some("即办件"),
            (Some(StatutoryDays::None(NoLimit::None)), Some(0)),
            Some(0),
            &["窗口办理"],
            Some(false),
            Some("全省"),
            vec![],
        ),
        entry(
            CIVIL,
            "娄底市民政局",
            4,
            "行政给付",
            "县级",
            Some("承诺件"),
            (days(30), Some(15)),
            Some(2),
            &["移动端办理"],
            Some(false),
            Some("全县"),
            vec![material(None), material(None)],
        ),
        entry(
            CIVIL,
            "民政局（旧名）",
            5,
            "公共服务",
            "乡级",
            Some("承诺件"),
            (None, Some(3)),
            Some(1),
            &["快递申请"],
            None,
            None,
            vec![material(Some(true)), material(Some(false))],
        ),
    ]
}

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-12)
}

fn counts(t: &[yima::stats::Tally]) -> Vec<(&str, u64)> {
    t.iter().map(|t| (t.name.as_str(), t.count)).collect()
}

#[test]
fn the_whole_catalog_matches_the_hand_computed_values() {
    let entries = sample();
    let refs: Vec<&CatalogEntry> = entries.iter().collect();
    let s = Stats::compute(&refs, &Standard::embedded());
    let t = &s.total;
    assert_eq!(t.entries, 5);
    assert_eq!(
        counts(&t.by_category),
        [
            ("行政许可", 1),
            ("行政征收", 0),
            ("行政给付", 1),
            ("行政确认", 1),
            ("其他行政权力", 0),
            ("公共服务", 2)
        ]
    );
    assert_eq!(
        counts(&t.by_level),
        [("市级", 2), ("县级", 2), ("乡级", 1), ("村级", 0)]
    );
    assert_eq!(t.instant, Share::new(2, 5));
    assert_eq!(t.instant.ratio, Some(0.4));
    // Entries 1, 2 and 4 have a numeric 法定: 1 − (5+0+15)/(20+10+30) = 2/3.
    assert_eq!(
        (
            t.compression.entries,
            t.compression.promised_days,
            t.compression.statutory_days
        ),
        (3, 20, 60)
    );
    assert!(close(t.compression.rate, 2.0 / 3.0), "{:?}", t.compression);
    assert_eq!(t.at_most_one_visit, Share::new(4, 5));
    assert_eq!(t.zero_visits, Share::new(2, 5));
    // Only entry 2 is online with no visit: entry 3 has no online channel,
    // entry 4 is online but needs two visits.
    assert_eq!(t.fully_online, Share::new(1, 5));
    assert_eq!(t.materials, 8);
    assert_eq!(t.materials_per_entry, Share::new(8, 5));
    assert_eq!(t.materials_per_entry.ratio, Some(1.6));
    assert_eq!(t.e_license_materials, Share::new(3, 8));
    // Entry 5 states neither 是否收费 nor 通办范围: it is left out of both.
    assert_eq!(t.charged, Share::new(1, 4));
    assert_eq!(t.shared_scope, Share::new(3, 4));
    assert_eq!(t.shared_scope.ratio, Some(0.75));
}

#[test]
fn each_agency_matches_the_hand_computed_values() {
    let entries = sample();
    let refs: Vec<&CatalogEntry> = entries.iter().collect();
    let s = Stats::compute(&refs, &Standard::embedded());
    let codes: Vec<&str> = s.by_agency.iter().map(|a| a.agency_code.as_str()).collect();
    assert_eq!(codes, [POLICE, CIVIL]);

    let police = &s.by_agency[0];
    assert_eq!(police.agency, "娄底市公安局");
    let p = &police.indicators;
    assert_eq!(p.entries, 3);
    assert_eq!(p.instant, Share::new(2, 3));
    assert_eq!(
        p.compression,
        Compression {
            entries: 2,
            promised_days: 5,
            statutory_days: 30,
            rate: p.compression.rate
        }
    );
    assert!(close(p.compression.rate, 1.0 - 5.0 / 30.0));
    assert_eq!(p.at_most_one_visit, Share::new(3, 3));
    assert_eq!(p.zero_visits, Share::new(2, 3));
    assert_eq!(p.fully_online, Share::new(1, 3));
    assert_eq!(p.materials_per_entry, Share::new(4, 3));
    assert_eq!(p.e_license_materials, Share::new(2, 4));
    assert_eq!(p.charged, Share::new(1, 3));
    assert_eq!(p.shared_scope, Share::new(2, 3));

    let civil = &s.by_agency[1];
    // The name of the agency's first entry in 实施编码 order.
    assert_eq!(civil.agency, "娄底市民政局");
    let c = &civil.indicators;
    assert_eq!(c.entries, 2);
    assert_eq!(c.instant, Share::new(0, 2));
    assert_eq!(c.instant.ratio, Some(0.0));
    assert_eq!(c.compression.entries, 1);
    assert!(close(c.compression.rate, 0.5));
    assert_eq!(c.at_most_one_visit, Share::new(1, 2));
    assert_eq!(c.fully_online, Share::new(0, 2));
    assert_eq!(c.e_license_materials, Share::new(1, 4));
    assert_eq!(c.charged, Share::new(0, 1));
    assert_eq!(c.shared_scope, Share::new(1, 1));
    assert_eq!(
        counts(&c.by_level),
        [("市级", 0), ("县级", 1), ("乡级", 1), ("村级", 0)]
    );
}

#[test]
fn aliases_count_as_their_canonical_value() {
    let mut entries = sample();
    // 否 is an alias of 不通办; 即办 of 即办件; 网办 of 网上办理.
    entries[0].scope = Some("否".into());
    entries[0].handling_type = Some("即办".into());
    entries[3].channels = vec!["网办".into()];
    entries[3].visits = Some(0);
    let refs: Vec<&CatalogEntry> = entries.iter().collect();
    let t = Stats::compute(&refs, &Standard::embedded()).total;
    assert_eq!(t.shared_scope, Share::new(2, 4));
    assert_eq!(t.instant, Share::new(3, 5));
    assert_eq!(t.fully_online, Share::new(2, 5));
}

#[test]
fn the_json_has_a_version_and_null_for_shares_of_nothing() {
    let s = Stats::compute(&[], &Standard::embedded());
    let v = serde_json::to_value(&s).unwrap();
    assert_eq!(v["version"], 1);
    assert_eq!(v["total"]["instant"]["denominator"], 0);
    assert!(v["total"]["instant"]["ratio"].is_null());
    assert!(v["total"]["compression"]["rate"].is_null());
}

/// Fills every element `schemas/elements.yaml` marks `full` that applies to
/// the entry: the units and notes of both limits, 特别程序, the five online
/// flags, 咨询方式 and 监督投诉方式 always; 到现场原因说明 when it needs a
/// visit; 结果类型 for 行政许可 and 行政确认; 审查标准 for 行政许可; and 受理标准
/// of each material.
fn complete(mut e: CatalogEntry) -> CatalogEntry {
    e.statutory_unit = Some("工作日".into());
    e.statutory_note = Some("自受理之日起计算".into());
    e.promised_unit = Some("工作日".into());
    e.promised_note = Some("自受理之日起计算".into());
    e.special_procedure = Some("无".into());
    for flag in [
        &mut e.online,
        &mut e.appointment,
        &mut e.pay_online,
        &mut e.courier,
        &mut e.kiosk,
    ] {
        *flag = Some(false);
    }
    e.consult_way = Some("窗口咨询".into());
    e.complaint_way = Some("12345 热线".into());
    if e.visits.is_some_and(|v| v >= 1) {
        e.visit_reason = Some("须核验身份证原件".into());
    }
    if matches!(e.category.as_str(), "行政许可" | "行政确认") {
        e.result_type = Some("证照".into());
    }
    if e.category == "行政许可" {
        e.review_standard = Some("材料齐全、符合法定形式".into());
    }
    for m in &mut e.materials {
        m.acceptance_standard = Some("在有效期内".into());
    }
    e
}

/// The sample with the elements of SPEC §2a, worked out by hand:
///
/// | # | agency | category | 次数 | what it lacks of the full profile | 全要素 | 网上办理深度 |
/// |---|---|---|---|---|---|---|
/// | 1 | 公安 | 行政许可 | 1 | nothing | yes | 四级 |
/// | 2 | 公安 | 行政确认 | 0 | 审查标准 and 到现场原因说明, which it needs not | yes | 三级 |
/// | 3 | 公安 | 公共服务 | 0 | 特别程序 | no | — |
/// | 4 | 民政 | 行政给付 | 2 | 到现场原因说明 | no | 全程网办 (= 四级) |
/// | 5 | 民政 | 公共服务 | 1 | 受理标准 of its second material | no | 一级 |
fn full_sample() -> Vec<CatalogEntry> {
    let mut entries: Vec<CatalogEntry> = sample().into_iter().map(complete).collect();
    entries[0].online_depth = Some("四级".into());
    entries[1].online_depth = Some("三级".into());
    entries[2].special_procedure = None;
    entries[3].visit_reason = None;
    entries[3].online_depth = Some("全程网办".into());
    entries[4].materials[1].acceptance_standard = Some(" ".into());
    entries[4].online_depth = Some("一级".into());
    entries
}

#[test]
fn full_profile_and_online_depth_shares_match_the_hand_computed_values() {
    let entries = full_sample();
    let refs: Vec<&CatalogEntry> = entries.iter().collect();
    let standard = Standard::embedded();
    let s = Stats::compute(&refs, &standard);
    assert_eq!(s.total.full_elements, Share::new(2, 5));
    assert_eq!(s.total.online_depth_full, Share::new(2, 4));
    assert_eq!(s.total.online_depth_full.ratio, Some(0.5));
    let police = &s.by_agency[0].indicators;
    assert_eq!(police.full_elements, Share::new(2, 3));
    assert_eq!(police.online_depth_full, Share::new(1, 2));
    let civil = &s.by_agency[1].indicators;
    assert_eq!(civil.full_elements, Share::new(0, 2));
    assert_eq!(civil.online_depth_full, Share::new(1, 2));

    // The conditions are the schema's: 行政确认 needs its 结果类型 …
    let mut e = full_sample();
    e[1].result_type = None;
    let refs: Vec<&CatalogEntry> = e.iter().collect();
    assert_eq!(
        Stats::compute(&refs, &standard).total.full_elements,
        Share::new(1, 5)
    );
    // … and an entry that needs a visit its reason; the sample without
    // any of the elements of SPEC §2a has no complete entry.
    let mut e = full_sample();
    e[3].visit_reason = Some("须现场核验".into());
    let refs: Vec<&CatalogEntry> = e.iter().collect();
    assert_eq!(
        Stats::compute(&refs, &standard).total.full_elements,
        Share::new(3, 5)
    );
    let plain = sample();
    let refs: Vec<&CatalogEntry> = plain.iter().collect();
    let t = Stats::compute(&refs, &standard).total;
    assert_eq!(t.full_elements, Share::new(0, 5));
    assert_eq!(t.online_depth_full, Share::new(0, 0));
    assert_eq!(t.online_depth_full.ratio, None);
}

// ---------------------------------------------------------------------------
// yima stats
// ---------------------------------------------------------------------------

fn yima(dir: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("yima")
        .expect("the yima binary")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("yima runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr,
    )
}

/// A workspace made by `yima init` holding the sample entries, plus a
/// retired entry that must not be counted.
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = yima(dir.path(), &["init"]);
    assert_eq!(code, 0, "{err}");
    let mut entries = full_sample();
    let mut retired = entries[1].clone();
    retired.basic_code = "430201099000".into();
    retired.impl_code = format!("{POLICE}3430201099000");
    retired.status = Status::Retired;
    retired.visits = Some(9);
    entries.push(retired);
    for e in &entries {
        let path = dir.path().join("items").join(e.rel_path());
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, e.to_yaml()).unwrap();
    }
    dir
}

#[test]
fn stats_json_reports_the_active_entries_of_the_workspace() {
    let ws = workspace();
    let (code, out, err) = yima(ws.path(), &["stats", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let got: Stats = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}\n{out}"));
    let entries = full_sample();
    let refs: Vec<&CatalogEntry> = entries.iter().collect();
    let want = Stats::compute(&refs, &Standard::embedded());
    // Compared as text: floats need not survive a parse bit for bit.
    assert_eq!(out.trim_end(), serde_json::to_string_pretty(&want).unwrap());
    assert_eq!(got.total.entries, 5);
    assert_eq!(got.total.at_most_one_visit, Share::new(4, 5));
    assert_eq!(got.total.full_elements, Share::new(2, 5));
    assert_eq!(got.total.online_depth_full, Share::new(2, 4));
}

#[test]
fn stats_table_is_aligned_and_labelled_in_chinese_or_english() {
    let ws = workspace();
    let (code, out, err) = yima(ws.path(), &["stats"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("娄底市政务服务事项目录：统计指标"), "{out}");
    let line = |start: &str| -> &str {
        out.lines()
            .find(|l| l.starts_with(start))
            .unwrap_or_else(|| panic!("no line {start}\n{out}"))
    };
    assert!(line("即办件占比").contains("40.0%"), "{out}");
    assert!(line("即办件占比").contains("2 / 5"), "{out}");
    assert!(line("承诺时限压缩率").contains("66.7%"), "{out}");
    assert!(line("每事项材料数").contains("1.60"), "{out}");
    assert!(line("娄底市公安局").contains(POLICE), "{out}");
    assert!(line("网办深度四级占比").contains("50.0%"), "{out}");
    assert!(line("网办深度四级占比").contains("2 / 4"), "{out}");
    assert!(line("全要素占比").contains("40.0%"), "{out}");
    assert!(line("全要素占比").contains("2 / 5"), "{out}");
    // Per agency: 公安 has 2 of 3 entries complete, 1 of 2 depths at 四级.
    let police = line("娄底市公安局");
    assert!(police.ends_with("50.0%   66.7%"), "{police}");

    // The value column is right-aligned by display width: the end of 数值 in
    // the header lines up with the end of each value.
    let end_of = |l: &str, token: &str| -> usize {
        let i = l.find(token).expect("token") + token.len();
        l[..i].width()
    };
    let header = line("指标");
    let col_end = end_of(header, "数值");
    assert_eq!(end_of(line("事项总数"), "5"), col_end, "{out}");
    assert_eq!(end_of(line("即办件占比"), "40.0%"), col_end, "{out}");
    assert_eq!(end_of(line("承诺时限压缩率"), "66.7%"), col_end, "{out}");

    let (code, en, _) = yima(ws.path(), &["--lang", "en", "stats"]);
    assert_eq!(code, 0);
    assert!(en.contains("indicators"), "{en}");
    assert!(
        en.lines()
            .any(|l| l.starts_with("instant") && l.contains("40.0%")),
        "{en}"
    );
    assert!(en.contains("by agency"), "{en}");
}

#[test]
fn stats_outside_a_workspace_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = yima(dir.path(), &["-C", ".", "stats"]);
    assert_eq!(code, 2);
    assert!(err.contains("yima.yaml"), "{err}");
}

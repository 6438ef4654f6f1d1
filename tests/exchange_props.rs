//! Property tests of the platform exchange (SPEC §8): any catalog — every
//! element in use or left out, sub-items, retired entries, renamed and
//! external codes, materials, fee items and questions — exported and
//! imported into an empty workspace is the same catalog and registry, byte
//! for byte, and exports again to the same bytes.

mod common_catalog;

use common_catalog::{Agency, snapshot};
use proptest::prelude::*;
use std::path::Path;
use yima::catalog::CatalogEntry;
use yima::catalog::entry::{
    CatalogFee, CatalogMaterial, CatalogQuestion, NoLimit, Source, StatutoryDays,
};
use yima::codes::registry::{Provenance, Record, Registry, Status};
use yima::codes::{Assigner, ItemKey, impl_code};
use yima::exchange::envelope::Envelope;
use yima::exchange::{export, import};
use yima::workspace::Workspace;

/// Text as departments write it: characters of item names, conditions and
/// addresses, with inner punctuation; never blank, never around spaces.
fn text(max: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop::sample::select(
            "申请受理审查决定登记许可证明核发备案补贴给付征收办理服务窗口材料（）；，。《》第条款一二三四五六号路楼层A1"
                .chars()
                .collect::<Vec<_>>(),
        ),
        1..max,
    )
    .prop_map(|cs| cs.into_iter().collect::<String>())
    .prop_filter("starts and ends with a character of substance", |s| {
        let bad = |c: char| "（）；，。《》".contains(c) || c.is_ascii_digit();
        !s.starts_with(bad) && !s.ends_with(bad)
    })
}

fn opt<T: std::fmt::Debug + Clone>(
    s: impl Strategy<Value = T>,
) -> impl Strategy<Value = Option<T>> {
    prop::option::of(s)
}

fn one(values: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop::sample::select(values).prop_map(str::to_string)
}

/// Some values of a table, each once, in the table's order.
fn some(values: &'static [&'static str]) -> impl Strategy<Value = Vec<String>> {
    prop::sample::subsequence(values, 0..=values.len().min(4))
        .prop_map(|v| v.into_iter().map(str::to_string).collect())
}

fn material() -> impl Strategy<Value = CatalogMaterial> {
    (
        (
            text(12),
            opt(one(&["原件", "复印件", "原件和复印件", "电子材料"])),
            opt(1u32..5),
        ),
        (
            opt(one(&["申请人自备", "政府部门核发", "其他"])),
            opt(any::<bool>()),
            opt(one(&["必要", "非必要", "容缺后补"])),
        ),
        (
            opt(text(10)),
            opt(text(10)),
            opt(one(&["证件证书证明", "申请表格文书", "其他"])),
            opt(text(6)),
        ),
        (
            opt(text(8)),
            opt(text(8)),
            opt(one(&["https://zwfw.hunan.gov.cn/bg.docx"])),
            opt(one(&["https://zwfw.hunan.gov.cn/yb.pdf"])),
        ),
    )
        .prop_map(
            |(
                (name, form, copies),
                (source, e_license, necessity),
                (basis, notes, material_type, paper_spec),
                (source_note, acceptance_standard, blank_form, sample_form),
            )| CatalogMaterial {
                name,
                form,
                copies,
                source,
                e_license,
                necessity,
                basis,
                notes,
                material_type,
                paper_spec,
                source_note,
                acceptance_standard,
                blank_form,
                sample_form,
            },
        )
}

fn fee() -> impl Strategy<Value = CatalogFee> {
    (
        text(8),
        opt(text(10)),
        opt(text(10)),
        opt(any::<bool>()),
        opt(text(10)),
    )
        .prop_map(
            |(name, standard, basis, reducible, reduction_basis)| CatalogFee {
                name,
                standard,
                basis,
                reducible,
                reduction_basis,
            },
        )
}

fn question() -> impl Strategy<Value = CatalogQuestion> {
    (text(12), text(20)).prop_map(|(question, answer)| CatalogQuestion { question, answer })
}

/// An entry before its codes: (agency index, sub-item?, the entry).
fn entry() -> impl Strategy<Value = (usize, CatalogEntry)> {
    let agencies = 0..AGENCIES;
    let head = (
        agencies,
        one(&[
            "行政许可",
            "行政确认",
            "行政给付",
            "行政征收",
            "其他行政权力",
            "公共服务",
        ]),
        one(&["公安", "民政", "人力资源社会保障", "发展改革"]),
        text(10),
        prop_oneof![3 => Just(String::new()), 1 => text(6)],
        any::<bool>(),
    );
    let facts = (
        opt(one(&["法定机关", "授权组织", "受委托组织", "其他"])),
        opt(one(&[
            "法定本级行使",
            "上级下放",
            "上级授权",
            "同级授权",
            "上级委托",
            "同级委托",
        ])),
        some(&[
            "自然人",
            "企业法人",
            "事业法人",
            "社会组织法人",
            "非法人企业",
            "行政机关",
            "其他组织",
        ]),
        opt(text(20)),
        opt(text(20)),
        proptest::collection::vec(text(8), 0..4),
        opt(prop_oneof![
            (0u32..60).prop_map(StatutoryDays::Days),
            Just(StatutoryDays::None(NoLimit::None))
        ]),
        opt(0u32..30),
    );
    let how = (
        opt(one(&["即办件", "承诺件"])),
        opt(0u32..10),
        opt(any::<bool>()),
        opt(text(10)),
        opt(text(10)),
        some(&["窗口办理", "网上办理", "移动端办理", "快递申请", "自助终端"]),
        opt(one(&[
            "https://zwfw.hunan.gov.cn/",
            "http://www.gxzf.gov.cn/",
        ])),
        opt(one(&["全省", "全市", "全县", "不通办"])),
    );
    let place = (
        opt(any::<bool>()),
        opt(text(16)),
        opt(text(16)),
        opt(one(&["0738-8312345", "12345", "13812345678"])),
        opt(one(&["0738-8312346", "12345"])),
        opt(text(10)),
        opt(any::<bool>()),
        opt(text(10)),
    );
    let full = (
        (
            opt(text(12)),
            opt(text(12)),
            opt(text(8)),
            proptest::collection::vec(text(6), 0..3),
        ),
        (
            some(&["生育收养", "户籍办理", "就业创业", "社会保障"]),
            some(&["设立变更", "准营准办", "注销"]),
        ),
        (
            opt(one(&["工作日", "自然日"])),
            opt(text(10)),
            opt(one(&["工作日", "自然日"])),
            opt(text(10)),
        ),
        (opt(text(10)), opt(text(10)), opt(text(8)), opt(text(8))),
        (
            opt(one(&["一级", "二级", "三级", "四级"])),
            opt(any::<bool>()),
            opt(any::<bool>()),
            opt(any::<bool>()),
        ),
        (
            opt(any::<bool>()),
            opt(any::<bool>()),
            opt(text(10)),
            opt(text(10)),
        ),
        (
            opt(one(&["证照", "批文", "证明", "备案", "其他"])),
            opt(one(&["https://zwfw.hunan.gov.cn/yb.pdf"])),
            opt(text(12)),
            opt(one(&["2026-03-01", "2025-12-31"])),
        ),
    );
    let rows = (
        proptest::collection::vec(material(), 0..3),
        proptest::collection::vec(fee(), 0..2),
        proptest::collection::vec(question(), 0..2),
        any::<bool>(),
        1u32..300,
    );
    (head, facts, how, place, full, rows).prop_map(|(head, facts, how, place, full, rows)| {
        let (agency, category, sector, name, sub_name, _) = head;
        let (
            agency_nature,
            power_source,
            audience,
            legal_basis,
            conditions,
            process,
            statutory_days,
            promised_days,
        ) = facts;
        let (handling_type, visits, charged, fee_standard, fee_basis, channels, online_url, scope) =
            how;
        let (
            in_hall,
            address,
            hours,
            contact_phone,
            complaint_phone,
            result_name,
            forwarded,
            notes,
        ) = place;
        let (
            (authority_division, exercise_content, entrusting_agency, joint_agencies),
            (citizen_topics, business_topics),
            (statutory_unit, statutory_note, promised_unit, promised_note),
            (special_procedure, visit_reason, intermediary, quantity_limit),
            (online_depth, online, appointment, pay_online),
            (courier, kiosk, consult_way, complaint_way),
            (result_type, result_sample, review_standard, effective_date),
        ) = full;
        let (materials, fee_items, questions, retired, row) = rows;
        let a = agency_of(agency);
        (
            agency,
            CatalogEntry {
                impl_code: String::new(),
                basic_code: String::new(),
                status: if retired {
                    Status::Retired
                } else {
                    Status::Active
                },
                name,
                sub_name,
                category,
                sector,
                agency: a.name,
                agency_code: a.uscc,
                agency_nature,
                level: a.level,
                division: a.division,
                power_source,
                audience,
                legal_basis,
                conditions,
                process,
                statutory_days,
                promised_days,
                handling_type,
                visits,
                charged,
                fee_standard,
                fee_basis,
                channels,
                online_url,
                scope,
                in_hall,
                address,
                hours,
                contact_phone,
                complaint_phone,
                result_name,
                forwarded,
                notes,
                authority_division,
                exercise_content,
                entrusting_agency,
                joint_agencies,
                citizen_topics,
                business_topics,
                statutory_unit,
                statutory_note,
                promised_unit,
                promised_note,
                special_procedure,
                visit_reason,
                intermediary,
                quantity_limit,
                online_depth,
                online,
                appointment,
                pay_online,
                courier,
                kiosk,
                consult_way,
                complaint_way,
                result_type,
                result_sample,
                review_standard,
                effective_date,
                materials,
                fee_items,
                questions,
                source: Source {
                    file: "民政-事项.csv".into(),
                    sheet: String::new(),
                    row: Some(row),
                },
            },
        )
    })
}

const AGENCIES: usize = 4;

fn agency_of(i: usize) -> Agency {
    match i {
        0 => Agency::civil_affairs(),
        1 => Agency::public_security(),
        2 => Agency::county_civil_affairs(),
        _ => Agency::town_office(),
    }
}

/// An entry as the catalog reader reads it back: the values a filing can
/// hold, canonical (a generated 无 of an administrative power, say, is none
/// the parser keeps). The property is about the catalogs yima can hold.
fn canonical(e: CatalogEntry, ws: &Workspace) -> CatalogEntry {
    let (status, source) = (e.status, e.source.clone());
    let mut active = e.clone();
    active.status = Status::Active;
    let catalog = yima::catalog::Catalog {
        files: vec![yima::catalog::ItemFile {
            rel: active.rel_path(),
            display: "entry.yaml".into(),
            text: active.to_yaml(),
            digest: String::new(),
            entry: Ok(active.into()),
            error_line: None,
            sums: None,
        }],
        registry: Registry::default(),
    };
    let mut sink = yima::diag::Sink::default();
    let filings = yima::catalog::as_filings(&catalog, &ws.standard, &mut sink);
    let parsed = &filings[0].entries[0];
    let mut c = yima::catalog::convert::from_entry(parsed, &e.basic_code, &e.impl_code);
    c.status = status;
    c.source = source;
    c
}

/// A workspace holding these entries, codes given as yima would: issued
/// under 43, one national item external, a rename, a retirement, a release.
fn workspace(
    entries: Vec<(usize, CatalogEntry)>,
    national: bool,
    renamed: bool,
) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("yima.yaml"),
        yima::cli::init::CONFIG_TEMPLATE,
    )
    .expect("yima.yaml");
    let ws = Workspace::load(dir.path()).expect("workspace");
    let mut registry = Registry::default();
    let national_key = ItemKey::new("行政许可", "", "固定资产投资项目节能审查", "");
    if national {
        registry.append(Record::new(
            "000104002000",
            &national_key,
            Provenance::External,
        ));
    }
    let keys: Vec<ItemKey> = entries
        .iter()
        .map(|(_, e)| ItemKey::new(&e.category, &e.sector, &e.name, &e.sub_name))
        .collect();
    let codes = Assigner::new(&mut registry, &ws.standard, "43")
        .assign(&keys)
        .expect("codes");
    let level_code = |l: &str| {
        ws.standard
            .tables
            .table("level")
            .get(l)
            .and_then(|e| e.code.clone())
            .expect("level")
    };
    let mut seen = std::collections::HashSet::new();
    for ((_, mut e), key) in entries.into_iter().zip(&keys) {
        e.basic_code = codes[key].clone();
        if national && e.category == "行政许可" && e.sub_name.is_empty() && seen.is_empty() {
            e.basic_code = "000104002000".into();
        }
        e.impl_code = impl_code(&e.agency_code, &level_code(&e.level), &e.basic_code);
        if !seen.insert(e.impl_code.clone()) {
            continue;
        }
        let e = canonical(e, &ws);
        let path = dir.path().join("items").join(e.rel_path());
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, e.to_yaml()).expect("write entry");
    }
    if renamed
        && let Some(r) = registry
            .records()
            .iter()
            .find(|r| r.origin == Provenance::Issued)
            .cloned()
    {
        registry.rename(&r.code, &format!("{}新", r.name), &r.sub_name);
    }
    registry.stamp_release("2026.1");
    std::fs::create_dir_all(dir.path().join("items")).expect("items/");
    std::fs::write(dir.path().join("items/codes.lock"), registry.to_text()).expect("codes.lock");
    dir
}

fn export_to(dir: &Path, out: &Path) {
    let ws = Workspace::load(dir).expect("workspace");
    let env = Envelope::of(&ws, None, Some("2026-03-01 09:30:00")).expect("envelope");
    export::platform(&ws, out, &env).expect("export");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn any_catalog_comes_back_the_same(
        entries in proptest::collection::vec(entry(), 1..7),
        national in any::<bool>(),
        renamed in any::<bool>(),
    ) {
        let src = workspace(entries, national, renamed);
        let out = tempfile::tempdir().expect("temp dir");
        export_to(src.path(), out.path());

        let dst = tempfile::tempdir().expect("temp dir");
        std::fs::write(dst.path().join("yima.yaml"), yima::cli::init::CONFIG_TEMPLATE).expect("yima.yaml");
        let ws = Workspace::load(dst.path()).expect("workspace");
        let mut plan = import::plan(&ws, out.path(), false).expect("import plans");
        import::apply(&ws, &mut plan).expect("import applies");

        let (a, b) = (snapshot(&src.path().join("items")), snapshot(&dst.path().join("items")));
        for (path, bytes) in &a {
            let got = b.get(path).map(|g| String::from_utf8_lossy(g).into_owned());
            prop_assert_eq!(Some(String::from_utf8_lossy(bytes).into_owned()), got, "{}", path);
        }
        prop_assert_eq!(a.len(), b.len());

        let again = tempfile::tempdir().expect("temp dir");
        export_to(dst.path(), again.path());
        prop_assert!(snapshot(out.path()) == snapshot(again.path()), "a re-export differs");
    }
}

//! Properties of unified codes (SPEC §3), over generated item keys and over
//! real filings ingested into a temporary workspace:
//! - assignment is deterministic: the same keys (or filings) in any order give
//!   the same codes and byte-identical registries;
//! - a code, once given, never changes and is never issued again, even after
//!   its item is retired;
//! - every code is unique and well-formed (12 characters: region prefix,
//!   category code, sector code, sequence 001–999 or letter overflow without
//!   I/O/Z/S/V, sub-item code 000/00Y/001–999);
//! - a 31-character 实施编码 decodes back to its entry's agency, level,
//!   category and sector.

mod common_catalog;

use common_catalog::*;
use proptest::prelude::*;
use proptest::sample::Index;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::LazyLock;
use yima::catalog::CatalogEntry;
use yima::codes::registry::{Registry, Status};
use yima::codes::{Assigner, ItemKey, decode_sequence, encode_sequence};
use yima::rules::codes::{FORBIDDEN_SEQ_LETTERS, parse_basic};
use yima::standard::Standard;

static STANDARD: LazyLock<Standard> = LazyLock::new(Standard::embedded);

/// Few cases: the machine is small and each case of the filing properties
/// runs two ingests. Failures are not persisted into the source tree.
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Sectors drawn from: a few, so that groups (category, sector) collide.
const SECTORS: &[&str] = &["公安", "民政", "人力资源社会保障", "市场监管", "其他"];

/// Item names free of digits, place names and agency names, so filings made
/// of them pass `yima check`.
const NAMES: &[&str] = &[
    "社会团体成立登记",
    "社会团体变更登记",
    "社会团体注销登记",
    "基金会成立登记",
    "基金会变更登记",
    "民办非企业单位成立登记",
    "养老机构备案",
    "殡葬设施建设审批",
    "慈善组织认定",
    "临时救助金给付",
    "最低生活保障金给付",
    "婚姻登记档案查询",
    "户口迁移审批",
    "居民身份证申领",
    "机动车登记",
    "驾驶证补领",
    "失业保险金申领",
    "职业技能鉴定",
    "社会保障卡申领",
    "工伤认定",
];

const SUBS: &[&str] = &["首次申请", "变更申请", "延续申请"];

fn table_code(table: &str, name: &str) -> String {
    STANDARD
        .tables
        .table(table)
        .get(name)
        .and_then(|e| e.code.clone())
        .unwrap_or_else(|| panic!("no code for {table} {name}"))
}

fn key_strategy() -> impl Strategy<Value = ItemKey> {
    (
        proptest::sample::select(CATEGORIES),
        proptest::sample::select(SECTORS),
        proptest::sample::select(NAMES),
        prop_oneof![3 => Just(""), 1 => proptest::sample::select(SUBS)],
    )
        .prop_map(|(c, s, n, sub)| ItemKey::new(c, s, n, sub))
}

fn keys_strategy(max: usize) -> impl Strategy<Value = Vec<ItemKey>> {
    proptest::collection::vec(key_strategy(), 1..max)
}

/// Assigns codes to `keys` against `registry` with the region prefix 43.
fn assign(registry: &mut Registry, keys: &[ItemKey]) -> HashMap<ItemKey, String> {
    Assigner::new(registry, &STANDARD, "43")
        .assign(keys)
        .expect("every category and sector has a code")
}

/// The structure of one code as SPEC §3 defines it, for the key it was
/// given to. Returns a description of the first defect.
fn structure_defect(key: &ItemKey, code: &str) -> Option<String> {
    if code.len() != 12 || !code.is_ascii() {
        return Some(format!("{code}: not 12 ASCII characters"));
    }
    if let Err(e) = parse_basic(code) {
        return Some(format!("{code}: malformed ({e:?})"));
    }
    if &code[..2] != "43" {
        return Some(format!("{code}: region prefix is not 43"));
    }
    if code[2..4] != table_code("category", &key.category) {
        return Some(format!("{code}: category digits for {}", key.category));
    }
    if code[4..6] != table_code("sector", &key.sector) {
        return Some(format!("{code}: sector digits for {}", key.sector));
    }
    let seq = &code[6..9];
    if seq.starts_with(FORBIDDEN_SEQ_LETTERS) || decode_sequence(seq).is_none() {
        return Some(format!("{code}: sequence {seq}"));
    }
    let sub = &code[9..];
    let sub_ok = if key.is_sub() {
        sub.bytes().all(|b| b.is_ascii_digit()) && sub != "000"
    } else {
        sub == "000" || sub == "00Y"
    };
    if !sub_ok {
        return Some(format!("{code}: sub-item code {sub} for {key:?}"));
    }
    None
}

/// Asserts that the codes of one batch given to a fresh registry are unique
/// and well-formed, that a main item is `00Y` exactly when the batch has
/// sub-items of it, and that sub-items share their main item's stem.
fn assert_batch_structure(codes: &HashMap<ItemKey, String>) -> Result<(), TestCaseError> {
    let distinct: HashSet<&String> = codes.values().collect();
    prop_assert_eq!(
        distinct.len(),
        codes.len(),
        "a code given twice: {:?}",
        codes
    );
    let mains_with_subs: HashSet<ItemKey> = codes
        .keys()
        .filter(|k| k.is_sub())
        .map(ItemKey::main)
        .collect();
    for (key, code) in codes {
        if let Some(defect) = structure_defect(key, code) {
            return Err(TestCaseError::fail(defect));
        }
        if !key.is_sub() {
            let want = if mains_with_subs.contains(key) {
                "00Y"
            } else {
                "000"
            };
            prop_assert_eq!(&code[9..], want, "{:?}", key);
        } else if let Some(main) = codes.get(&key.main()) {
            prop_assert_eq!(&code[..9], &main[..9], "stem of {:?}", key);
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// The assigner over generated keys
// ---------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(64))]

    /// The same keys in any order: the same codes and the same registry bytes.
    #[test]
    fn same_keys_in_any_order_give_same_codes_and_registry(
        (keys, shuffled) in keys_strategy(40)
            .prop_flat_map(|k| (Just(k.clone()), Just(k).prop_shuffle()))
    ) {
        let mut a = Registry::default();
        let mut b = Registry::default();
        let codes_a = assign(&mut a, &keys);
        let codes_b = assign(&mut b, &shuffled);
        prop_assert_eq!(&codes_a, &codes_b);
        prop_assert_eq!(a.to_text(), b.to_text());
        prop_assert!(a.integrity().is_empty(), "{:?}", a.integrity());
    }

    /// Every code of a batch is unique and well-formed.
    #[test]
    fn every_code_is_unique_and_well_formed(keys in keys_strategy(60)) {
        let mut reg = Registry::default();
        let codes = assign(&mut reg, &keys);
        assert_batch_structure(&codes)?;
        // One record per distinct key, all active and issued.
        let distinct: BTreeSet<&ItemKey> = keys.iter().collect();
        prop_assert_eq!(reg.len(), distinct.len());
        for r in reg.records() {
            prop_assert_eq!(r.status, Status::Active);
            prop_assert_eq!(codes.get(&r.key()), Some(&r.code));
        }
    }

    /// Adding keys never changes the code of a key already registered, and
    /// the registry only grows: its earlier records are kept as they were.
    #[test]
    fn adding_keys_never_changes_an_existing_code(
        first in keys_strategy(30),
        more in keys_strategy(30),
        seed in any::<Index>(),
    ) {
        let mut reg = Registry::default();
        let before = assign(&mut reg, &first);
        let snapshot = reg.clone();
        // The old keys come again, mixed with the new ones.
        let mut all = more.clone();
        all.insert(seed.index(all.len() + 1), first[0].clone());
        all.extend(first.iter().cloned());
        let after = assign(&mut reg, &all);
        for (key, code) in &before {
            prop_assert_eq!(after.get(key), Some(code), "{:?}", key);
        }
        prop_assert_eq!(&reg.records()[..snapshot.len()], snapshot.records());
        prop_assert!(reg.lost_since(&snapshot).is_empty());
        prop_assert!(reg.integrity().is_empty(), "{:?}", reg.integrity());
        let distinct: HashSet<&String> = after.values().collect();
        prop_assert_eq!(distinct.len(), after.len(), "a code given twice");
    }

    /// Retiring codes and adding keys, round after round, never issues a code
    /// that was issued before — not even to the retired item coming back.
    #[test]
    fn retiring_and_adding_never_reuses_a_code(
        rounds in proptest::collection::vec(
            (keys_strategy(20), proptest::collection::vec(any::<bool>(), 20)),
            1..4,
        )
    ) {
        let mut reg = Registry::default();
        let mut ever: BTreeSet<String> = BTreeSet::new();
        let mut retired: BTreeMap<String, ItemKey> = BTreeMap::new();
        for (keys, retire) in rounds {
            // Retired items come back in this round, next to new ones.
            let mut batch = keys.clone();
            batch.extend(retired.values().cloned());
            let before: BTreeSet<String> =
                reg.records().iter().map(|r| r.code.clone()).collect();
            let codes = assign(&mut reg, &batch);
            for (key, code) in &codes {
                if let Some(defect) = structure_defect(key, code) {
                    return Err(TestCaseError::fail(defect));
                }
                prop_assert!(
                    !retired.contains_key(code),
                    "retired code {} given again to {:?}", code, key
                );
            }
            let issued: Vec<&String> =
                reg.records().iter().map(|r| &r.code).filter(|c| !before.contains(*c)).collect();
            for code in issued {
                prop_assert!(ever.insert(code.clone()), "{} issued twice", code);
            }
            prop_assert!(reg.integrity().is_empty(), "{:?}", reg.integrity());
            // Retire some of the codes in use.
            let active: Vec<(String, ItemKey)> = reg
                .records()
                .iter()
                .filter(|r| r.status == Status::Active)
                .map(|r| (r.code.clone(), r.key()))
                .collect();
            for ((code, key), yes) in active.into_iter().zip(retire.iter().cycle()) {
                if *yes {
                    reg.retire(&code);
                    retired.insert(code, key);
                }
            }
            // The registry keeps every record, retired ones included.
            prop_assert_eq!(reg.len(), ever.len());
            for code in retired.keys() {
                prop_assert_eq!(reg.get(code).map(|r| r.status), Some(Status::Retired));
            }
        }
    }

    /// A main item that comes back after retirement, alone, is a main item
    /// without sub-items: its code must end in 000 (SPEC §3: 00Y is a main
    /// item that has sub-items).
    #[test]
    fn a_main_item_back_from_retirement_without_sub_items_ends_in_000(key in key_strategy()) {
        let main = key.main();
        let mut reg = Registry::default();
        let first = assign(&mut reg, std::slice::from_ref(&main));
        reg.retire(&first[&main]);
        let again = assign(&mut reg, std::slice::from_ref(&main));
        prop_assert_ne!(&again[&main], &first[&main]);
        prop_assert_eq!(&again[&main][9..], "000", "{:?}", again);
    }

    /// The 31-character 实施编码 is USCC (18) + level code (1) + 基本编码 (12)
    /// and decodes back to the agency, level, category and sector.
    #[test]
    fn impl_code_decodes_back(
        key in key_strategy(),
        agency in proptest::sample::select(agencies()),
    ) {
        let mut reg = Registry::default();
        let basic = assign(&mut reg, std::slice::from_ref(&key))[&key].clone();
        let level = table_code("level", &agency.level);
        let code = yima::codes::impl_code(&agency.uscc, &level, &basic);
        prop_assert_eq!(code.len(), 31);
        let decoded = decode(&code);
        prop_assert_eq!(decoded, Decoded {
            agency_code: agency.uscc.clone(),
            level: agency.level.clone(),
            category: key.category.clone(),
            sector: key.sector.clone(),
            basic_code: basic,
        });
    }
}

proptest! {
    // Each case issues about a thousand codes.
    #![proptest_config(config(12))]

    /// Past 999 items in one group, the sequence's first character becomes a
    /// letter (never I, O, Z, S, V); codes stay unique and in issue order,
    /// whether the group is filled in one batch or two.
    #[test]
    fn sequences_past_999_overflow_to_letters(n in 990usize..1110, split in any::<Index>()) {
        let keys: Vec<ItemKey> = (0..n)
            .map(|i| ItemKey::new("行政许可", "公安", &format!("事项{i:05}"), ""))
            .collect();
        let cut = split.index(n + 1);
        let mut reg = Registry::default();
        let mut codes = assign(&mut reg, &keys[..cut]);
        codes.extend(assign(&mut reg, &keys[cut..]));
        prop_assert_eq!(codes.len(), n);
        let distinct: HashSet<&String> = codes.values().collect();
        prop_assert_eq!(distinct.len(), n);
        for (i, r) in reg.records().iter().enumerate() {
            if let Some(defect) = structure_defect(&r.key(), &r.code) {
                return Err(TestCaseError::fail(defect));
            }
            let want = encode_sequence(i as u32 + 1).expect("within capacity");
            prop_assert_eq!(&r.code, &format!("430101{want}000"));
        }
        prop_assert!(reg.integrity().is_empty());
    }
}

#[test]
fn a_retired_main_item_and_its_sub_items_get_new_stems() {
    let std_key = |sub: &str| ItemKey::new("行政许可", "公安", "机动车登记", sub);
    let mut reg = Registry::default();
    let first = assign(&mut reg, &[std_key(""), std_key("首次申请")]);
    assert!(first[&std_key("")].ends_with("00Y"), "{first:?}");
    for code in first.values() {
        reg.retire(code);
    }
    let again = assign(&mut reg, &[std_key(""), std_key("首次申请")]);
    for (key, code) in &again {
        assert!(
            !first.values().any(|c| c == code),
            "{code} reused for {key:?}"
        );
        assert_eq!(structure_defect(key, code), None);
    }
    assert!(reg.integrity().is_empty(), "{:?}", reg.integrity());
}

// ---------------------------------------------------------------------------
// Decoding codes
// ---------------------------------------------------------------------------

/// What a 实施编码 says about its entry.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Decoded {
    agency_code: String,
    level: String,
    category: String,
    sector: String,
    basic_code: String,
}

/// Reads a 实施编码 back through the code tables.
fn decode(code: &str) -> Decoded {
    assert_eq!(code.len(), 31, "{code}");
    let name = |table: &str, c: &str| {
        STANDARD
            .tables
            .table(table)
            .by_code(c)
            .map(|e| e.name.to_string())
            .unwrap_or_else(|| panic!("{code}: no {table} with code {c}"))
    };
    let (uscc, level, basic) = (&code[..18], &code[18..19], &code[19..]);
    assert!(
        yima::rules::uscc::validate(uscc).is_ok(),
        "{code}: USCC part"
    );
    Decoded {
        agency_code: uscc.to_string(),
        level: name("level", level),
        category: name("category", &basic[2..4]),
        sector: name("sector", &basic[4..6]),
        basic_code: basic.to_string(),
    }
}

fn agencies() -> Vec<Agency> {
    vec![
        Agency::civil_affairs(),
        Agency::public_security(),
        Agency::county_civil_affairs(),
        Agency::town_office(),
    ]
}

// ---------------------------------------------------------------------------
// Through real filings
// ---------------------------------------------------------------------------

/// One entry of a generated filing: which name, sub-item and agency.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Spec {
    name: usize,
    sub: Option<usize>,
    agency: usize,
}

/// A set of entries, unique by (name, sub-item, agency), and the category
/// and sector of each name.
#[derive(Debug, Clone)]
struct Catalogue {
    specs: Vec<Spec>,
    kinds: Vec<(&'static str, &'static str)>,
}

impl Catalogue {
    fn item(&self, s: &Spec) -> Item {
        let (category, sector) = self.kinds[s.name];
        let item = Item::new(&agencies()[s.agency], category, sector, NAMES[s.name]);
        match s.sub {
            Some(i) => item.sub(SUBS[i]),
            None => item,
        }
    }
}

fn spec_strategy() -> impl Strategy<Value = Spec> {
    (
        0..NAMES.len(),
        prop_oneof![3 => Just(None), 1 => (0..SUBS.len()).prop_map(Some)],
        0..4usize,
    )
        .prop_map(|(name, sub, agency)| Spec { name, sub, agency })
}

fn catalogue_strategy(max: usize) -> impl Strategy<Value = Catalogue> {
    (
        proptest::collection::btree_set(spec_strategy(), 1..max),
        proptest::collection::vec(
            (
                proptest::sample::select(CATEGORIES),
                proptest::sample::select(SECTORS),
            ),
            NAMES.len(),
        ),
    )
        .prop_map(|(specs, kinds)| Catalogue {
            specs: specs.into_iter().collect(),
            kinds,
        })
}

/// Writes `items` split over `files` CSV pairs (item i goes to file
/// `split[i] % files`) and returns their paths.
fn write_split(ws: &Ws, items: &[Item], split: &[usize], files: usize) -> Vec<PathBuf> {
    let mut parts: Vec<Vec<Item>> = vec![Vec::new(); files];
    for (i, item) in items.iter().enumerate() {
        parts[split.get(i).copied().unwrap_or(0) % files].push(item.clone());
    }
    parts
        .into_iter()
        .enumerate()
        .filter(|(_, p)| !p.is_empty())
        .map(|(i, p)| {
            ws.root()
                .join(ws.file(&format!("第{i}批-"), &Filing::new(p)))
        })
        .collect()
}

/// Ingests through the library (plan, then apply), failing on any error.
fn ingest(ws: &Ws, paths: &[PathBuf], retire_missing: bool) -> yima::ingest::Plan {
    let w = ws.workspace();
    let (report, plan) = yima::ingest::plan(paths, &w, retire_missing).expect("ingest runs");
    let Some(mut plan) = plan else {
        let text = yima::report::render(
            &report,
            yima::report::Format::Human,
            yima::diag::Lang::Zh,
            &yima::report::Human::default(),
        );
        panic!("the generated filings have errors:\n{text}");
    };
    assert_eq!(
        report.summary.warnings, 0,
        "generated filings should be clean"
    );
    yima::ingest::apply(&w, &mut plan).expect("ingest applies");
    plan
}

/// The basic code of every item key in the catalog.
fn codes_by_key(entries: &BTreeMap<String, CatalogEntry>) -> BTreeMap<ItemKey, String> {
    let mut out = BTreeMap::new();
    for e in entries.values() {
        let key = ItemKey::new(&e.category, &e.sector, &e.name, &e.sub_name);
        if let Some(prev) = out.insert(key.clone(), e.basic_code.clone()) {
            assert_eq!(prev, e.basic_code, "one key, two codes: {key:?}");
        }
    }
    out
}

/// Asserts every entry's codes decode back to the entry itself and the
/// catalog passes the `assign --check` audit.
fn assert_catalog_codes(ws: &Ws) -> Result<(), TestCaseError> {
    let entries = ws.entries();
    for e in entries.values() {
        prop_assert_eq!(
            decode(&e.impl_code),
            Decoded {
                agency_code: e.agency_code.clone(),
                level: e.level.clone(),
                category: e.category.clone(),
                sector: e.sector.clone(),
                basic_code: e.basic_code.clone(),
            }
        );
        let key = ItemKey::new(&e.category, &e.sector, &e.name, &e.sub_name);
        if let Some(defect) = structure_defect(&key, &e.basic_code) {
            return Err(TestCaseError::fail(defect));
        }
    }
    let w = ws.workspace();
    let catalog = yima::assign::load(&w).expect("catalog loads");
    let problems = yima::assign::audit(&w, &catalog);
    prop_assert!(problems.is_empty(), "{:?}", problems);
    Ok(())
}

proptest! {
    // Each case writes filings and ingests them, catalog writes included.
    #![proptest_config(config(8))]

    /// The same filings, rows in another order and split over other files,
    /// ingested into two workspaces: the same code for every item and
    /// byte-identical registries; every 实施编码 decodes back to its entry.
    #[test]
    fn filings_in_any_order_give_same_codes_and_registry(
        (cat, order, split, files) in catalogue_strategy(24).prop_flat_map(|c| {
            let n = c.specs.len();
            (
                Just(c),
                Just((0..n).collect::<Vec<usize>>()).prop_shuffle(),
                proptest::collection::vec(0..3usize, n),
                1..4usize,
            )
        })
    ) {
        let items: Vec<Item> = cat.specs.iter().map(|s| cat.item(s)).collect();
        let one = Ws::new();
        let path = one.root().join(one.file("全部-", &Filing::new(items.clone())));
        ingest(&one, &[path], false);

        let other = Ws::new();
        let shuffled: Vec<Item> = order.iter().map(|&i| items[i].clone()).collect();
        let paths = write_split(&other, &shuffled, &split, files);
        ingest(&other, &paths, false);

        prop_assert_eq!(codes_by_key(&one.entries()), codes_by_key(&other.entries()));
        prop_assert_eq!(one.registry_text(), other.registry_text());
        prop_assert_eq!(one.entries().len(), items.len());
        assert_catalog_codes(&one)?;
    }

    /// Ingesting more filings later — the old rows again without codes, new
    /// rows, and some old rows dropped — never changes an existing code and
    /// never loses a registry record.
    #[test]
    fn adding_filings_never_changes_an_existing_code(
        first in catalogue_strategy(16),
        later in catalogue_strategy(16),
        keep in proptest::collection::vec(any::<bool>(), 16),
    ) {
        let ws = Ws::new();
        let items: Vec<Item> = first.specs.iter().map(|s| first.item(s)).collect();
        let path = ws.root().join(ws.file("首批-", &Filing::new(items.clone())));
        ingest(&ws, &[path], false);
        let before = codes_by_key(&ws.entries());
        let registry_before = ws.registry();

        // The later filing reuses the first one's kinds for names it shares,
        // so a name keeps one category and sector as a real catalog does.
        let mut again: Vec<Item> = items
            .iter()
            .zip(keep.iter().cycle())
            .filter(|(_, k)| **k)
            .map(|(i, _)| i.clone())
            .collect();
        let taken: HashSet<(String, String, String)> = again
            .iter()
            .map(|i| (i.get("事项名称").into(), i.get("子项名称").into(), i.get("实施主体编码").into()))
            .collect();
        let mut kinds = later.clone();
        kinds.kinds = first.kinds.clone();
        for s in &later.specs {
            let item = kinds.item(s);
            let id = (item.get("事项名称").into(), item.get("子项名称").into(), item.get("实施主体编码").into());
            if !taken.contains(&id) {
                again.push(item);
            }
        }
        let path = ws.root().join(ws.file("次批-", &Filing::new(again)));
        ingest(&ws, &[path], false);

        let after = codes_by_key(&ws.entries());
        for (key, code) in &before {
            prop_assert_eq!(after.get(key), Some(code), "{:?}", key);
        }
        let registry = ws.registry();
        prop_assert!(registry.lost_since(&registry_before).is_empty());
        prop_assert_eq!(&registry.records()[..registry_before.len()], registry_before.records());
        let distinct: HashSet<&String> = registry.records().iter().map(|r| &r.code).collect();
        prop_assert_eq!(distinct.len(), registry.len());
        assert_catalog_codes(&ws)?;
    }

    /// An agency's filing dropping entries under `--retire-missing` retires
    /// them; filed again later they get new codes, never the retired ones.
    #[test]
    fn retired_codes_are_not_reissued_through_filings(
        cat in catalogue_strategy(16),
        drop in proptest::collection::vec(any::<bool>(), 16),
    ) {
        let ws = Ws::new();
        let items: Vec<Item> = cat.specs.iter().map(|s| cat.item(s)).collect();
        let path = ws.root().join(ws.file("全部-", &Filing::new(items.clone())));
        ingest(&ws, &[path], false);
        let first = ws.entries();

        // Every agency files again, without the dropped rows (an agency
        // that drops all its rows files nothing, so keeps them).
        let kept: Vec<Item> = items
            .iter()
            .zip(drop.iter().cycle())
            .filter(|(_, d)| !**d)
            .map(|(i, _)| i.clone())
            .collect();
        if !kept.is_empty() {
            let path = ws.root().join(ws.file("保留-", &Filing::new(kept)));
            ingest(&ws, &[path], true);
        }
        let registry = ws.registry();
        let retired: BTreeSet<String> = registry
            .records()
            .iter()
            .filter(|r| r.status == Status::Retired)
            .map(|r| r.code.clone())
            .collect();
        // Entries are retired, never deleted.
        let now = ws.entries();
        prop_assert_eq!(now.len(), first.len());

        // Everything filed again from scratch (no codes in the rows).
        std::fs::remove_dir_all(ws.filings()).expect("clear filings");
        std::fs::create_dir_all(ws.filings()).expect("filings/");
        let path = ws.root().join(ws.file("重报-", &Filing::new(items)));
        ingest(&ws, &[path], false);
        for e in ws.entries().values().filter(|e| e.status == Status::Active) {
            prop_assert!(
                !retired.contains(&e.basic_code),
                "retired code {} reissued to {}", e.basic_code, e.name
            );
        }
        let registry = ws.registry();
        prop_assert!(registry.integrity().is_empty(), "{:?}", registry.integrity());
        let distinct: HashSet<&String> = registry.records().iter().map(|r| &r.code).collect();
        prop_assert_eq!(distinct.len(), registry.len());
    }
}

/// Rows carrying external codes (prefix 00) are recorded in the registry;
/// the order of the rows must not change the registry's bytes either.
#[test]
fn external_codes_in_any_row_order_give_the_same_registry() {
    let a = Agency::development();
    let items = [
        Item::new(&a, "行政许可", "发展改革", "固定资产投资项目节能审查")
            .with("基本编码", "000104002000"),
        Item::new(&a, "其他行政权力", "发展改革", "政府投资项目初步设计审批")
            .with("基本编码", "001020003000"),
        Item::new(&a, "行政确认", "发展改革", "价格认定"),
    ];
    let mut registries = Vec::new();
    for order in [[0, 1, 2], [1, 0, 2], [2, 1, 0]] {
        let ws = Ws::new();
        let rows: Vec<Item> = order.iter().map(|&i| items[i].clone()).collect();
        let path = ws.root().join(ws.file("发改-", &Filing::new(rows)));
        ingest(&ws, &[path], false);
        registries.push(ws.registry_text());
    }
    assert_eq!(registries[0], registries[1]);
    assert_eq!(registries[0], registries[2]);
}

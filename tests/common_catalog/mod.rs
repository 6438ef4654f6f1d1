//! Test support for the catalog suites (`codes_props`, `ingest`,
//! `catalog_integrity`): valid filings built from a few item specs and
//! written as UTF-8 CSV pairs, a workspace in a temporary folder, runs of the
//! `yima` binary, and byte snapshots of `items/` to prove that a run changed
//! nothing.
//!
//! Every value [`Item::new`] fills in passes every rule of the standard, so a
//! test changes only the cell it is about.

// Each test binary uses a different part of this module.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;
use yima::catalog::CatalogEntry;
use yima::codes::registry::Registry;
use yima::workspace::Workspace;

// ---------------------------------------------------------------------------
// Agencies
// ---------------------------------------------------------------------------

/// A valid 统一社会信用代码 of an organ (`11`) registered in `division`, with
/// the eight-character organization-code body `org_body`; both check
/// characters are computed as SPEC §3 says (GB 11714, then GB 32100).
pub fn uscc(division: &str, org_body: &str) -> String {
    let org_check = yima::rules::uscc::org_check_char(org_body).expect("organization body");
    let body = format!("11{division}{org_body}{org_check}");
    let check = yima::rules::uscc::check_char(&body).expect("USCC alphabet");
    let code = format!("{body}{check}");
    assert!(yima::rules::uscc::validate(&code).is_ok(), "{code}");
    code
}

/// An agency that files: name, USCC, level and division.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agency {
    pub name: String,
    pub uscc: String,
    pub level: String,
    pub division: String,
}

impl Agency {
    fn city(name: &str, org_body: &str) -> Agency {
        Agency {
            name: name.into(),
            uscc: uscc("431300", org_body),
            level: "市级".into(),
            division: "431300".into(),
        }
    }

    /// 娄底市民政局.
    pub fn civil_affairs() -> Agency {
        Agency::city("娄底市民政局", "00614043")
    }

    /// 娄底市公安局.
    pub fn public_security() -> Agency {
        Agency::city("娄底市公安局", "00614035")
    }

    /// 娄底市人力资源和社会保障局.
    pub fn human_resources() -> Agency {
        Agency::city("娄底市人力资源和社会保障局", "00614051")
    }

    /// 娄底市发展和改革委员会.
    pub fn development() -> Agency {
        Agency::city("娄底市发展和改革委员会", "00614078")
    }

    /// 双峰县民政局, a county agency (行使层级 县级).
    pub fn county_civil_affairs() -> Agency {
        Agency {
            name: "双峰县民政局".into(),
            uscc: uscc("431321", "00622016"),
            level: "县级".into(),
            division: "431321".into(),
        }
    }

    /// 双峰县永丰街道办事处, a town agency (行使层级 乡级, 12-digit division).
    pub fn town_office() -> Agency {
        Agency {
            name: "双峰县永丰街道办事处".into(),
            uscc: uscc("431321", "00622024"),
            level: "乡级".into(),
            division: "431321001000".into(),
        }
    }
}

// ---------------------------------------------------------------------------
// Items and filings
// ---------------------------------------------------------------------------

#[path = "../support/headers.rs"]
mod headers;
pub use headers::{ITEM_HEADERS, MATERIAL_HEADERS};

/// The categories of SPEC §2.
pub const CATEGORIES: &[&str] = &[
    "行政许可",
    "行政确认",
    "行政给付",
    "行政征收",
    "其他行政权力",
    "公共服务",
];

/// Whether a category is one of the five administrative powers.
pub fn is_power(category: &str) -> bool {
    category != "公共服务"
}

/// One row of a sheet: a value per column, in column order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row(Vec<(&'static str, String)>);

impl Row {
    fn blank(headers: &[&'static str]) -> Row {
        Row(headers.iter().map(|h| (*h, String::new())).collect())
    }

    /// Sets a column; panics on an unknown header so a typo cannot make a
    /// test test nothing.
    pub fn set(&mut self, header: &str, value: impl Into<String>) -> &mut Row {
        let slot = self
            .0
            .iter_mut()
            .find(|(h, _)| *h == header)
            .unwrap_or_else(|| panic!("no column {header}"));
        slot.1 = value.into();
        self
    }

    pub fn get(&self, header: &str) -> &str {
        self.0
            .iter()
            .find(|(h, _)| *h == header)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("no column {header}"))
    }

    fn values(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(_, v)| v.as_str())
    }
}

/// An entry of sheet 事项 with its materials (序号 and 事项序号 are given when
/// the filing is written).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub row: Row,
    pub materials: Vec<Row>,
}

impl Item {
    /// A valid entry of `agency`: an administrative power with statutory and
    /// promised days, or a 公共服务 with 无 statutory limit handled on the
    /// spot; one material.
    pub fn new(agency: &Agency, category: &str, sector: &str, name: &str) -> Item {
        let mut row = Row::blank(ITEM_HEADERS);
        row.set("事项名称", name)
            .set("事项类型", category)
            .set("业务指导部门", sector)
            .set("实施主体", agency.name.as_str())
            .set("实施主体编码", agency.uscc.as_str())
            .set("实施主体性质", "法定机关")
            .set("行使层级", agency.level.as_str())
            .set("行政区划代码", agency.division.as_str())
            .set("服务对象", "自然人、企业法人")
            .set(
                "受理条件",
                "申请人具有完全民事行为能力；申请事项属于本机关职责范围。",
            )
            .set("办理流程", "申请→受理→审查→决定")
            .set("到办事现场次数", "1")
            .set("是否收费", "否")
            .set("办理形式", "窗口办理、网上办理")
            .set("网办地址", "https://zwfw.hunan.gov.cn/")
            .set("通办范围", "全市")
            .set("是否进驻政务大厅", "是")
            .set("办理地点", "娄底市政务服务中心一楼综合窗口")
            .set("办理时间", "工作日上午9:00-12:00，下午13:30-17:00")
            .set("咨询电话", "0738-8312345")
            .set("监督投诉电话", "0738-8312346")
            .set("是否转报", "否");
        if is_power(category) {
            row.set("权力来源", "法定本级行使")
                .set("设定依据", "《中华人民共和国行政许可法》第十二条")
                .set("法定办结时限", "20")
                .set("承诺办结时限", "5")
                .set("办件类型", "承诺件");
        } else {
            row.set("法定办结时限", "无")
                .set("承诺办结时限", "0")
                .set("办件类型", "即办件");
        }
        if matches!(category, "行政许可" | "行政确认") {
            row.set("结果名称", "《准予行政许可决定书》");
        }
        let mut item = Item {
            row,
            materials: Vec::new(),
        };
        item.material("申请书");
        item
    }

    /// Adds a valid material.
    pub fn material(&mut self, name: &str) -> &mut Row {
        let mut m = Row::blank(MATERIAL_HEADERS);
        m.set("材料名称", name)
            .set("材料形式", "原件")
            .set("份数", "1")
            .set("材料来源", "申请人自备")
            .set("电子证照", "否")
            .set("必要性", "必要");
        self.materials.push(m);
        self.materials.last_mut().expect("just pushed")
    }

    /// The same entry as a sub-item (子项) of its main item.
    pub fn sub(mut self, sub_name: &str) -> Item {
        self.row.set("子项名称", sub_name);
        self
    }

    /// Sets a column of the entry row.
    pub fn with(mut self, header: &str, value: impl Into<String>) -> Item {
        self.row.set(header, value);
        self
    }

    pub fn get(&self, header: &str) -> &str {
        self.row.get(header)
    }

    /// The item key's parts: category, sector, name, sub-item name.
    pub fn key(&self) -> yima::codes::ItemKey {
        yima::codes::ItemKey::new(
            self.get("事项类型"),
            self.get("业务指导部门"),
            self.get("事项名称"),
            self.get("子项名称"),
        )
    }
}

/// A filing: its entries in row order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filing {
    pub items: Vec<Item>,
}

impl Filing {
    pub fn new(items: Vec<Item>) -> Filing {
        Filing { items }
    }

    /// The two sheets as CSV text: 序号 1…n in row order, materials after.
    pub fn csv(&self) -> (String, String) {
        let mut items = csv::Writer::from_writer(Vec::new());
        items.write_record(ITEM_HEADERS).expect("CSV to memory");
        let mut mats = csv::Writer::from_writer(Vec::new());
        mats.write_record(MATERIAL_HEADERS).expect("CSV to memory");
        for (i, item) in self.items.iter().enumerate() {
            let seq = (i + 1).to_string();
            let mut row = item.row.clone();
            row.set("序号", seq.as_str());
            items.write_record(row.values()).expect("CSV to memory");
            for m in &item.materials {
                let mut m = m.clone();
                m.set("事项序号", seq.as_str());
                mats.write_record(m.values()).expect("CSV to memory");
            }
        }
        let text = |w: csv::Writer<Vec<u8>>| {
            String::from_utf8(w.into_inner().expect("CSV to memory")).expect("UTF-8")
        };
        (text(items), text(mats))
    }

    /// Writes `<prefix>事项.csv` and `<prefix>申请材料.csv` into `dir` and
    /// returns the path of the first.
    pub fn write_csv(&self, dir: &Path, prefix: &str) -> PathBuf {
        let (items, mats) = self.csv();
        let path = dir.join(format!("{prefix}事项.csv"));
        std::fs::write(&path, items).expect("write CSV");
        std::fs::write(dir.join(format!("{prefix}申请材料.csv")), mats).expect("write CSV");
        path
    }
}

// ---------------------------------------------------------------------------
// Workspace
// ---------------------------------------------------------------------------

/// A workspace in a temporary folder: `yima.yaml` as `yima init` writes it
/// and an empty registry; filings go into `filings/`.
pub struct Ws {
    pub dir: tempfile::TempDir,
}

impl Ws {
    pub fn new() -> Ws {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(
            dir.path().join("yima.yaml"),
            yima::cli::init::CONFIG_TEMPLATE,
        )
        .expect("write yima.yaml");
        std::fs::create_dir_all(dir.path().join("items")).expect("items/");
        std::fs::create_dir_all(dir.path().join("filings")).expect("filings/");
        std::fs::write(
            dir.path().join("items/codes.lock"),
            Registry::default().to_text(),
        )
        .expect("write codes.lock");
        Ws { dir }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn items(&self) -> PathBuf {
        self.root().join("items")
    }

    pub fn filings(&self) -> PathBuf {
        self.root().join("filings")
    }

    /// Writes a filing into `filings/` as a CSV pair named `<name>事项.csv`
    /// and returns its path relative to the workspace root.
    pub fn file(&self, name: &str, filing: &Filing) -> String {
        filing.write_csv(&self.filings(), name);
        format!("filings/{name}事项.csv")
    }

    /// The workspace as the library loads it.
    pub fn workspace(&self) -> Workspace {
        Workspace::load(self.root()).expect("workspace loads")
    }

    /// Runs `yima ARGS…` in the workspace.
    pub fn run(&self, args: &[&str]) -> Run {
        run(self.root(), args)
    }

    /// `yima ingest ARGS…`, asserting exit 0.
    pub fn ingest_ok(&self, args: &[&str]) -> Run {
        let mut all = vec!["ingest"];
        all.extend_from_slice(args);
        let r = self.run(&all);
        assert_eq!(r.code, 0, "ingest {args:?} failed:\n{r}");
        r
    }

    /// The catalog's entries by 实施编码.
    pub fn entries(&self) -> BTreeMap<String, CatalogEntry> {
        let catalog = yima::catalog::load(&self.items()).expect("catalog loads");
        for f in &catalog.files {
            assert!(f.entry.is_ok(), "{}: {:?}", f.display, f.entry);
        }
        catalog
            .entries()
            .map(|e| (e.impl_code.clone(), e.clone()))
            .collect()
    }

    /// The registry as stored.
    pub fn registry(&self) -> Registry {
        Registry::parse(&self.registry_text()).expect("codes.lock parses")
    }

    pub fn registry_text(&self) -> String {
        std::fs::read_to_string(self.items().join("codes.lock")).expect("read codes.lock")
    }

    /// Every file under `items/`, with its bytes.
    pub fn snapshot(&self) -> Tree {
        snapshot(&self.items())
    }

    /// Asserts no staging or backup tree of an interrupted swap is left.
    #[track_caller]
    pub fn assert_no_leftovers(&self) {
        let left: Vec<String> = std::fs::read_dir(self.root())
            .expect("workspace")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(".items.yima-"))
            .collect();
        assert!(left.is_empty(), "{left:?} left behind");
    }
}

/// The entry of a catalog whose name (and sub-item name) is given.
#[track_caller]
pub fn entry_named<'a>(
    entries: &'a BTreeMap<String, CatalogEntry>,
    name: &str,
    sub: &str,
) -> &'a CatalogEntry {
    let found: Vec<_> = entries
        .values()
        .filter(|e| e.name == name && e.sub_name == sub)
        .collect();
    assert_eq!(found.len(), 1, "entries named {name}/{sub}: {found:?}");
    found[0]
}

// ---------------------------------------------------------------------------
// Trees
// ---------------------------------------------------------------------------

/// A folder's files (hidden ones included) by relative path, with their bytes.
pub type Tree = BTreeMap<String, Vec<u8>>;

/// Reads every file under `dir`; a missing folder is an empty tree.
pub fn snapshot(dir: &Path) -> Tree {
    fn walk(root: &Path, dir: &Path, out: &mut Tree) {
        let Ok(read) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in read {
            let entry = entry.expect("read dir entry");
            let path = entry.path();
            if entry.file_type().expect("file type").is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path
                    .strip_prefix(root)
                    .expect("under root")
                    .to_string_lossy()
                    .into_owned();
                out.insert(rel, std::fs::read(&path).expect("read file"));
            }
        }
    }
    let mut out = Tree::new();
    walk(dir, dir, &mut out);
    out
}

/// Writes the files of `from` under `to`.
pub fn copy_tree(from: &Path, to: &Path) {
    for (rel, bytes) in snapshot(from) {
        let to = to.join(rel);
        std::fs::create_dir_all(to.parent().expect("parent")).expect("mkdir");
        std::fs::write(to, bytes).expect("copy");
    }
}

/// A copy of the repository's sample workspace: yima.yaml, items/ and the
/// forms its entries name (examples/forms, as its yima.yaml says).
pub fn repo_sample() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::copy(repo.join("yima.yaml"), dir.path().join("yima.yaml")).expect("yima.yaml");
    copy_tree(&repo.join("items"), &dir.path().join("items"));
    copy_tree(
        &repo.join("examples/forms"),
        &dir.path().join("examples/forms"),
    );
    dir
}

/// The active entries of a workspace's items/, and their distinct basic
/// codes.
pub fn active_entries(ws: &Path) -> (usize, usize) {
    let mut entries = 0;
    let mut codes = std::collections::BTreeSet::new();
    for (rel, bytes) in snapshot(&ws.join("items")) {
        let text = String::from_utf8_lossy(&bytes);
        if rel.ends_with(".yaml") && text.contains("\nstatus: active\n") {
            entries += 1;
            codes.extend(
                text.lines()
                    .find(|l| l.starts_with("basic_code:"))
                    .map(str::to_string),
            );
        }
    }
    (entries, codes.len())
}

/// Asserts two trees are byte-identical, naming the paths that differ.
#[track_caller]
pub fn assert_same_tree(before: &Tree, after: &Tree, what: &str) {
    if before == after {
        return;
    }
    let mut diff = Vec::new();
    for (p, b) in before {
        match after.get(p) {
            None => diff.push(format!("  - {p} (gone)")),
            Some(a) if a != b => diff.push(format!("  ~ {p} (changed)")),
            Some(_) => {}
        }
    }
    for p in after.keys().filter(|p| !before.contains_key(*p)) {
        diff.push(format!("  + {p} (new)"));
    }
    panic!("{what}: items/ changed:\n{}", diff.join("\n"));
}

// ---------------------------------------------------------------------------
// Running yima
// ---------------------------------------------------------------------------

/// The `yima` binary of this build.
pub fn yima_bin() -> &'static str {
    env!("CARGO_BIN_EXE_yima")
}

/// What a run printed.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

impl From<Output> for Run {
    fn from(out: Output) -> Run {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

/// A `yima` command in `dir`, with a stable environment (no colour).
pub fn command(dir: &Path) -> std::process::Command {
    let mut cmd = std::process::Command::new(yima_bin());
    cmd.current_dir(dir).env("NO_COLOR", "1");
    cmd
}

/// Runs `yima ARGS…` in `dir`; a panic is a failure of its own.
pub fn run(dir: &Path, args: &[&str]) -> Run {
    let run: Run = command(dir).args(args).output().expect("run yima").into();
    assert!(!run.stderr.contains("panicked"), "yima panicked:\n{run}");
    run
}

/// The JSON report of `yima check --format json PATH…` run in `dir`.
pub fn check_json(dir: &Path, paths: &[&str]) -> (serde_json::Value, i32) {
    let mut args = vec!["check", "--format", "json"];
    args.extend_from_slice(paths);
    let r = run(dir, &args);
    let report =
        serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("not a JSON report ({e}):\n{r}"));
    (report, r.code)
}

/// The findings of one rule in a JSON report.
pub fn findings<'a>(report: &'a serde_json::Value, rule: &str) -> Vec<&'a serde_json::Value> {
    report["diagnostics"]
        .as_array()
        .expect("diagnostics array")
        .iter()
        .filter(|d| d["rule"] == rule)
        .collect()
}

//! The workspace: a folder with `yima.yaml` (region, paths, rule severities),
//! found from the current folder upward or given with `-C DIR`. Without one,
//! yima runs with the embedded defaults (Loudi, region prefix 43).

use crate::diag::{Rule, Severities, Severity, Text};
use crate::standard::{Standard, StandardError};
use crate::text;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The configuration file's name.
pub const CONFIG_FILE: &str = "yima.yaml";

/// A rule's severity as `yima.yaml` writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Error,
    Warning,
    Off,
}

/// Where the workspace keeps things, relative to its root.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Paths {
    pub items: PathBuf,
    pub dist: PathBuf,
    pub releases: PathBuf,
    pub schemas: PathBuf,
    pub templates: PathBuf,
    /// Blank forms, samples and result samples entries link to (SPEC §2a).
    pub forms: PathBuf,
}

impl Default for Paths {
    fn default() -> Self {
        Paths {
            items: "items".into(),
            dist: "dist".into(),
            releases: "releases".into(),
            schemas: "schemas".into(),
            templates: "templates".into(),
            forms: "forms".into(),
        }
    }
}

/// Which elements a filing must fill (SPEC §2a).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    /// The elements of SPEC §2 and the conditions of §2a.
    #[default]
    Standard,
    /// Also every element marked F in SPEC §2a (全要素).
    Full,
}

/// `yima.yaml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// The two-digit prefix of the codes this workspace issues (Hunan: 43).
    pub region_prefix: String,
    /// The six-digit code of the city whose catalog this is.
    pub city_division: String,
    /// Prefixes of upper-level catalogs whose codes are accepted as given.
    pub external_prefixes: Vec<String>,
    /// The name releases carry, e.g. 娄底市政务服务事项目录.
    pub release_name: String,
    pub paths: Paths,
    /// `full` requires the 全要素 elements (SPEC §2a).
    pub profile: Profile,
    /// The 事项类型 this workspace accepts, by name, from the national
    /// table (`schemas/codes.yaml`); absent: the six of the standard.
    pub categories: Option<Vec<String>>,
    /// Severity per rule id: error, warning or off.
    pub rules: BTreeMap<String, Level>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            region_prefix: "43".into(),
            city_division: "431300".into(),
            external_prefixes: vec!["00".into()],
            release_name: "娄底市政务服务事项目录".into(),
            paths: Paths::default(),
            profile: Profile::Standard,
            categories: None,
            rules: BTreeMap::new(),
        }
    }
}

/// A workspace that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    /// `yima.yaml` cannot be read.
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// `yima.yaml` is not valid (unknown keys included).
    #[error("{path}: {error}")]
    Invalid { path: PathBuf, error: ConfigError },
    /// A schema override is not valid.
    #[error(transparent)]
    Standard(#[from] StandardError),
}

impl WorkspaceError {
    /// What to tell the user, in both languages.
    pub fn describe(&self) -> Text {
        match self {
            WorkspaceError::Read { path, source } => {
                let p = path.display();
                if source.kind() == std::io::ErrorKind::NotFound {
                    let dir = path.parent().unwrap_or(path).display();
                    text!(
                        "{dir} 中没有 {CONFIG_FILE}，不是 yima 工作区（用 -C 指定的目录必须含有 {CONFIG_FILE}；新建工作区请运行 yima init）",
                        "{dir} holds no {CONFIG_FILE}, so it is no yima workspace (the folder -C names must hold one; run `yima init` to make one)"
                    )
                } else {
                    text!(
                        "无法读取工作区配置 {p}（文件可能正被其他程序占用，或没有读取权限）",
                        "cannot read {p}: {source}"
                    )
                }
            }
            WorkspaceError::Invalid { path, error } => {
                let p = path.display();
                let (zh, en) = (&error.message.zh, &error.message.en);
                text!("{p}：{zh}", "{p}: {en}")
            }
            WorkspaceError::Standard(e) => {
                text!(
                    "工作区覆盖的标准文件无效：{e}",
                    "a standard file the workspace overrides is not valid: {e}"
                )
            }
        }
    }
}

/// What is wrong in `yima.yaml`, in both languages, at a line when known.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", message.en)]
pub struct ConfigError {
    pub message: Text,
    /// The line (1-based) of `yima.yaml` it is on.
    pub line: Option<u64>,
}

impl ConfigError {
    fn new(message: Text, line: Option<u64>) -> ConfigError {
        let message = match line {
            Some(l) => Text::new(
                format!("第 {l} 行：{}", message.zh),
                format!("line {l}: {}", message.en),
            ),
            None => message,
        };
        ConfigError { message, line }
    }
}

/// A loaded workspace, or the defaults when there is none.
#[derive(Debug, Clone)]
pub struct Workspace {
    /// The folder holding `yima.yaml`; None when running on defaults.
    pub root: Option<PathBuf>,
    pub config: Config,
    pub standard: Standard,
}

impl Workspace {
    /// The embedded defaults, no folder.
    pub fn defaults() -> Workspace {
        Workspace {
            root: None,
            config: Config::default(),
            standard: Standard::embedded(),
        }
    }

    /// Finds `yima.yaml` in `start` or a parent folder.
    pub fn find_root(start: &Path) -> Option<PathBuf> {
        let start = start.canonicalize().ok()?;
        start
            .ancestors()
            .find(|d| d.join(CONFIG_FILE).is_file())
            .map(Path::to_path_buf)
    }

    /// Loads the workspace at `root` (which holds `yima.yaml`).
    pub fn load(root: &Path) -> Result<Workspace, WorkspaceError> {
        let path = root.join(CONFIG_FILE);
        let text = std::fs::read_to_string(&path).map_err(|source| WorkspaceError::Read {
            path: path.clone(),
            source,
        })?;
        let config = parse_config(&text).map_err(|error| WorkspaceError::Invalid {
            path: path.clone(),
            error,
        })?;
        let mut standard = Standard::load(Some(&root.join(&config.paths.schemas)))?;
        crate::publish::cache::remember_binary_beside(root);
        standard.elements.set_full(config.profile == Profile::Full);
        if let Some(names) = &config.categories {
            standard
                .enable_categories(names)
                .map_err(|message| WorkspaceError::Invalid {
                    path: path.clone(),
                    error: ConfigError::new(message, None),
                })?;
        }
        Ok(Workspace {
            root: Some(root.to_path_buf()),
            config,
            standard,
        })
    }

    /// The workspace for a run: `-C DIR` if given, else the nearest one above
    /// the current folder, else the defaults.
    pub fn discover(dir: Option<&Path>) -> Result<Workspace, WorkspaceError> {
        match dir {
            Some(d) => {
                if d.join(CONFIG_FILE).is_file() {
                    Workspace::load(d)
                } else {
                    Err(WorkspaceError::Read {
                        path: d.join(CONFIG_FILE),
                        source: std::io::Error::new(
                            std::io::ErrorKind::NotFound,
                            "no yima.yaml here",
                        ),
                    })
                }
            }
            None => match std::env::current_dir()
                .ok()
                .and_then(|d| Workspace::find_root(&d))
            {
                Some(root) => Workspace::load(&root),
                None => Ok(Workspace::defaults()),
            },
        }
    }

    /// The severities the config sets.
    pub fn severities(&self) -> Severities {
        let mut s = Severities::default();
        for (id, level) in &self.config.rules {
            if let Ok(rule) = id.parse::<Rule>() {
                s.set(
                    rule,
                    match level {
                        Level::Error => Some(Severity::Error),
                        Level::Warning => Some(Severity::Warning),
                        Level::Off => None,
                    },
                );
            }
        }
        s
    }

    /// The workspace's `forms/` folder, when there is a workspace.
    pub fn forms_dir(&self) -> Option<PathBuf> {
        self.root.as_ref().map(|r| r.join(&self.config.paths.forms))
    }

    /// A path of the workspace, resolved against its root.
    pub fn path(&self, rel: &Path) -> PathBuf {
        match &self.root {
            Some(r) => r.join(rel),
            None => rel.to_path_buf(),
        }
    }
}

/// Parses `yima.yaml`, rejecting unknown keys (with the known key nearest
/// to each, as "did you mean"), unknown rule ids and severities by name, in
/// both languages.
pub fn parse_config(text: &str) -> Result<Config, ConfigError> {
    if text.trim().is_empty() {
        return Ok(Config::default());
    }
    // The keys first, from the text as plain YAML: an unknown key is told
    // with the known one it is nearest to.
    let plain: serde_json::Value = serde_saphyr::from_str(text).map_err(|e| syntax(text, &e))?;
    check_keys(text, &plain)?;
    let config: Config = serde_saphyr::from_str(text).map_err(|e| mistyped(text, &e))?;
    if config.region_prefix.len() != 2 || !config.region_prefix.bytes().all(|b| b.is_ascii_digit())
    {
        let v = &config.region_prefix;
        return Err(ConfigError::new(
            text!(
                "region_prefix 应为两位数字（如 \"43\"），而不是“{v}”",
                "region_prefix must be two digits (as \"43\"), not `{v}`"
            ),
            line_of(text, "region_prefix"),
        ));
    }
    for p in &config.external_prefixes {
        if p.len() != 2 || !p.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(ConfigError::new(
                text!(
                    "external_prefixes 中的“{p}”不是两位前缀（如 \"00\"）",
                    "external_prefixes: `{p}` is not a two-character prefix (as \"00\")"
                ),
                line_of(text, "external_prefixes"),
            ));
        }
    }
    Ok(config)
}

/// The keys a part of the configuration knows: those of its type, as
/// written out (so a field added to [`Config`] is known here at once).
fn known_keys<T: Serialize>(value: &T) -> Vec<String> {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::Object(map)) => map.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

/// Unknown keys, rule ids and severities, named with what was meant.
fn check_keys(text: &str, plain: &serde_json::Value) -> Result<(), ConfigError> {
    let serde_json::Value::Object(top) = plain else {
        return Err(ConfigError::new(
            text!(
                "{CONFIG_FILE} 应由“键: 值”组成（如 region_prefix: \"43\"）",
                "{CONFIG_FILE} must be a mapping of keys to values (as region_prefix: \"43\")"
            ),
            None,
        ));
    };
    let config_keys = known_keys(&Config::default());
    for key in top.keys() {
        unknown(text, "", key, &config_keys)?;
    }
    if let Some(serde_json::Value::Object(paths)) = top.get("paths") {
        let path_keys = known_keys(&Paths::default());
        for key in paths.keys() {
            unknown(text, "paths.", key, &path_keys)?;
        }
    }
    if let Some(serde_json::Value::Object(rules)) = top.get("rules") {
        let ids: Vec<String> = Rule::ALL.iter().map(|r| r.id().to_string()).collect();
        for (id, level) in rules {
            if !ids.contains(id) {
                let line = line_of(text, id);
                let (zh, en) = did_you_mean(id, &ids);
                return Err(ConfigError::new(
                    text!(
                        "rules 中的“{id}”不是规则编号{zh}（yima explain 列出全部规则）",
                        "rules: unknown rule `{id}`{en} (`yima explain` lists them)"
                    ),
                    line,
                ));
            }
            let levels = ["error", "warning", "off"];
            // (A plain `off` reads as YAML 1.1's false.)
            let ok = level.as_str().is_some_and(|l| levels.contains(&l))
                || *level == serde_json::Value::Bool(false);
            if !ok {
                let v = match level {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                let known: Vec<String> = levels.iter().map(|l| l.to_string()).collect();
                let (zh, en) = did_you_mean(&v, &known);
                return Err(ConfigError::new(
                    text!(
                        "规则 {id} 的级别“{v}”无效{zh}：只能是 error（错误）、warning（警告）或 off（关闭）",
                        "rule {id}: unknown severity `{v}`{en}: use error, warning or off"
                    ),
                    line_of(text, id),
                ));
            }
        }
    }
    Ok(())
}

/// An error when `key` (of the section `section`) is not one of `known`.
fn unknown(text: &str, section: &str, key: &str, known: &[String]) -> Result<(), ConfigError> {
    if known.iter().any(|k| k == key) {
        return Ok(());
    }
    let (zh, en) = did_you_mean(key, known);
    let list = known
        .iter()
        .map(|k| format!("{section}{k}"))
        .collect::<Vec<_>>();
    let (zh_list, en_list) = (list.join("、"), list.join(", "));
    Err(ConfigError::new(
        text!(
            "未知的设置项“{section}{key}”{zh}。可用的设置项：{zh_list}",
            "unknown key `{section}{key}`{en}; the keys are {en_list}"
        ),
        line_of(text, key),
    ))
}

/// The "did you mean" of a name not known, in Chinese and in English:
/// blank when no known name is near.
fn did_you_mean(got: &str, known: &[String]) -> (String, String) {
    let best = known
        .iter()
        .map(|k| (strsim::jaro_winkler(got, k), k))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k);
    match best {
        Some(k) => (
            format!("（是不是“{k}”？）"),
            format!(" (did you mean `{k}`?)"),
        ),
        None => (String::new(), String::new()),
    }
}

/// The first line (1-based) where `key` is written as a key.
fn line_of(text: &str, key: &str) -> Option<u64> {
    text.lines()
        .position(|l| {
            let l = l.trim_start().trim_start_matches("- ");
            let l = l.trim_start_matches(['"', '\'']);
            l.strip_prefix(key).is_some_and(|rest| {
                rest.trim_start_matches(['"', '\''])
                    .trim_start()
                    .starts_with(':')
            })
        })
        .map(|i| i as u64 + 1)
}

/// Text that is not YAML at all.
fn syntax(text: &str, e: &serde_saphyr::Error) -> ConfigError {
    let _ = text;
    let line = e.location().map(|l| l.line());
    ConfigError::new(
        text!(
            "{CONFIG_FILE} 的写法不是有效的 YAML（检查冒号、缩进和引号是否成对）",
            "{CONFIG_FILE} is not valid YAML: {e}"
        ),
        line,
    )
}

/// Keys that are all known, but a value of the wrong kind.
fn mistyped(text: &str, e: &serde_saphyr::Error) -> ConfigError {
    let line = e.location().map(|l| l.line());
    // The key on that line says what its value should be.
    let key = line
        .and_then(|l| text.lines().nth(l.saturating_sub(1) as usize))
        .and_then(|l| l.split(':').next())
        .map(|k| {
            k.trim()
                .trim_start_matches("- ")
                .trim_matches(['"', '\''])
                .to_string()
        })
        .unwrap_or_default();
    let want = match key.as_str() {
        "region_prefix" => "两位数字，如 region_prefix: \"43\"",
        "city_division" => "六位行政区划代码，如 city_division: \"431300\"",
        "external_prefixes" => "两位前缀的列表，如 external_prefixes: [\"00\"]",
        "release_name" => "文字，如 release_name: 娄底市政务服务事项目录",
        "paths" | "items" | "dist" | "releases" | "schemas" | "templates" => {
            "目录名，如 paths: 下一行缩进写 items: items"
        }
        "rules" => "规则编号与级别，如 rules: 下一行缩进写 visits-exceed-one: error",
        _ => "与 yima init 生成的 yima.yaml 相同的写法",
    };
    ConfigError::new(
        text!(
            "“{key}”的值写法不对，应为{want}",
            "the value of `{key}` is not of the right kind: {e}"
        ),
        line,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_are_named() {
        let err = parse_config("region_prefix: '43'\nregoin: x\n").unwrap_err();
        assert_eq!(err.line, Some(2));
        assert!(
            err.message
                .zh
                .contains("第 2 行：未知的设置项“regoin”（是不是“region_prefix”？"),
            "{err:?}"
        );
        let err = parse_config("paths:\n  itmes: x\n").unwrap_err();
        assert!(
            err.message.zh.contains("“paths.itmes”（是不是“items”？"),
            "{err:?}"
        );
        let err = parse_config("rules:\n  uscc-invalld: off\n").unwrap_err();
        assert!(
            err.message
                .zh
                .contains("“uscc-invalld”不是规则编号（是不是“uscc-invalid”？"),
            "{err:?}"
        );
        let err = parse_config("rules:\n  uscc-invalid: of\n").unwrap_err();
        assert!(
            err.message.zh.contains("级别“of”无效（是不是“off”？"),
            "{err:?}"
        );
        let err = parse_config("region_prefix: [1\n").unwrap_err();
        assert!(err.message.zh.starts_with("第 1 行："), "{err:?}");
        let err = parse_config("region_prefix: \"4\"\n").unwrap_err();
        assert!(err.message.zh.contains("两位数字"), "{err:?}");
        // Chinese throughout: no reader's English in the Chinese message.
        for bad in ["regoin: x", "region_prefix: [1", "rules: 3", "paths: [a]"] {
            let err = parse_config(bad).unwrap_err();
            assert!(
                !err.message.zh.contains("expected") && !err.message.zh.contains("unknown"),
                "{bad}: {err:?}"
            );
        }
    }

    #[test]
    fn categories_enable_national_ones_by_name() {
        let config = parse_config("categories: [行政许可, 公共服务, 行政奖励, '09']\n").unwrap();
        let names = config.categories.clone().unwrap();
        let mut s = Standard::embedded();
        s.enable_categories(&names).unwrap();
        let t = s.tables.table("category");
        let on: Vec<&str> = t.entries.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(on, ["行政许可", "行政奖励", "行政裁决", "公共服务"]);
        assert!(t.lookup("行政奖励").is_some_and(|e| e.power));
        assert!(t.lookup("行政确认").is_none());
        assert!(t.refusal("行政确认").is_some());
        let err = s
            .enable_categories(&["行政许可".into(), "行政审批".into()])
            .unwrap_err()
            .zh;
        assert!(
            err.contains("categories") && err.contains("行政审批"),
            "{err}"
        );
    }

    #[test]
    fn severities_apply() {
        let mut ws = Workspace::defaults();
        ws.config =
            parse_config("rules:\n  visits-exceed-one: error\n  vague-wording: off\n").unwrap();
        let s = ws.severities();
        assert_eq!(s.of(Rule::VisitsExceedOne), Some(Severity::Error));
        assert_eq!(s.of(Rule::VagueWording), None);
        assert_eq!(s.of(Rule::UsccInvalid), Some(Severity::Error));
    }
}

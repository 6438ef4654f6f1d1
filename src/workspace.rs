//! The workspace: a folder with `yima.yaml` (region, paths, rule severities),
//! found from the current folder upward or given with `-C DIR`. Without one,
//! yima runs with the embedded defaults (Loudi, region prefix 43).

use crate::diag::{Rule, Severities, Severity};
use crate::standard::{Standard, StandardError};
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
    #[serde(skip_serializing_if = "Option::is_none")]
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
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
    /// A schema override is not valid.
    #[error(transparent)]
    Standard(#[from] StandardError),
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
        let config = parse_config(&text).map_err(|message| WorkspaceError::Invalid {
            path: path.clone(),
            message,
        })?;
        let mut standard = Standard::load(Some(&root.join(&config.paths.schemas)))?;
        standard.elements.set_full(config.profile == Profile::Full);
        if let Some(names) = &config.categories {
            standard
                .enable_categories(names)
                .map_err(|message| WorkspaceError::Invalid {
                    path: path.clone(),
                    message,
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

/// Parses `yima.yaml`, rejecting unknown keys and unknown rule ids by name.
pub fn parse_config(text: &str) -> Result<Config, String> {
    let config: Config = if text.trim().is_empty() {
        Config::default()
    } else {
        serde_saphyr::from_str(text).map_err(|e| e.to_string())?
    };
    for id in config.rules.keys() {
        if id.parse::<Rule>().is_err() {
            return Err(format!(
                "rules: unknown rule `{id}` (see `yima explain` for the list)"
            ));
        }
    }
    if config.region_prefix.len() != 2 || !config.region_prefix.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(format!(
            "region_prefix must be two digits, not `{}`",
            config.region_prefix
        ));
    }
    for p in &config.external_prefixes {
        if p.len() != 2 || !p.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(format!(
                "external_prefixes: `{p}` is not a two-character prefix"
            ));
        }
    }
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_are_named() {
        let err = parse_config("region_prefix: '43'\nregoin: x\n").unwrap_err();
        assert!(err.contains("regoin"), "{err}");
        let err = parse_config("rules:\n  no-such-rule: off\n").unwrap_err();
        assert!(err.contains("no-such-rule"), "{err}");
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
            .unwrap_err();
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

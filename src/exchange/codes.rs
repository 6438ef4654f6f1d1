//! The platform's code values for yima's code tables, as data
//! (`schemas/platform.yaml`, which a workspace may override): a yima value
//! to its code on export, a code back to the value on import. Multi-valued
//! codes are joined with `,` (`server_type` "1,2"), as real records have them.

use crate::standard::Standard;
use crate::standard::normalize_value;
use crate::workspace::Workspace;
use rustc_hash::FxHashMap as HashMap;
use serde::Deserialize;

/// The file's name under `schemas/`.
pub const FILE: &str = "platform.yaml";
const EMBEDDED: &str = include_str!("../../schemas/platform.yaml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    own_codes: Vec<String>,
    codes: HashMap<String, Vec<Pair>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Pair {
    name: String,
    code: String,
}

/// One table's values and codes.
#[derive(Debug, Clone, Default)]
struct Map {
    to_code: HashMap<String, String>,
    /// Code → the first value listed with it.
    to_name: HashMap<String, String>,
}

impl Map {
    fn add(&mut self, name: &str, code: &str) {
        self.to_code.insert(name.to_string(), code.to_string());
        self.to_name
            .entry(normalize_value(code))
            .or_insert_with(|| name.to_string());
    }
}

/// The code maps of every table.
#[derive(Debug, Clone, Default)]
pub struct Codes {
    tables: HashMap<String, Map>,
}

/// `schemas/platform.yaml` is not valid.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {message}")]
pub struct CodesError {
    pub file: String,
    pub message: String,
}

impl Codes {
    /// The workspace's maps: its `schemas/platform.yaml`, else the embedded
    /// one; the `own_codes` tables from its code tables.
    pub fn load(ws: &Workspace) -> Result<Codes, CodesError> {
        let over = ws
            .root
            .as_ref()
            .map(|r| r.join(&ws.config.paths.schemas).join(FILE))
            .filter(|p| p.is_file());
        let (text, file) = match &over {
            Some(p) => (
                std::fs::read_to_string(p).map_err(|e| CodesError {
                    file: crate::filing::display_path(p),
                    message: e.to_string(),
                })?,
                crate::filing::display_path(p),
            ),
            None => (EMBEDDED.to_string(), format!("(embedded) schemas/{FILE}")),
        };
        let parsed: File = serde_saphyr::from_str(&text).map_err(|e| CodesError {
            file: file.clone(),
            message: e.to_string(),
        })?;
        Codes::from_file(parsed, &ws.standard).map_err(|message| CodesError { file, message })
    }

    /// The embedded maps over the embedded standard.
    pub fn embedded() -> Codes {
        let parsed: File = serde_saphyr::from_str(EMBEDDED).expect("embedded platform.yaml");
        Codes::from_file(parsed, &Standard::embedded()).expect("embedded platform.yaml is valid")
    }

    fn from_file(file: File, standard: &Standard) -> Result<Codes, String> {
        let mut tables: HashMap<String, Map> = HashMap::default();
        for name in &file.own_codes {
            let table = standard
                .tables
                .get(name)
                .ok_or_else(|| format!("own_codes: no code table `{name}`"))?;
            let map = tables.entry(name.clone()).or_default();
            for e in &table.entries {
                if let Some(code) = &e.code {
                    map.add(&e.name, code);
                }
            }
        }
        for (name, pairs) in file.codes {
            let map = tables.entry(name).or_default();
            for p in pairs {
                map.add(&p.name, &p.code);
            }
        }
        Ok(Codes { tables })
    }

    /// The platform's code of a yima value; none when the table does not
    /// list it.
    pub fn code(&self, table: &str, name: &str) -> Option<&str> {
        self.tables
            .get(table)?
            .to_code
            .get(name)
            .map(String::as_str)
    }

    /// The yima value of a platform code (normalized: `０１` is `01`).
    pub fn name(&self, table: &str, code: &str) -> Option<&str> {
        let map = self.tables.get(table)?;
        map.to_name
            .get(code)
            .or_else(|| map.to_name.get(&normalize_value(code)))
            .map(String::as_str)
    }

    /// Codes of several values, joined with `,` in the values' order,
    /// each once; a value without a code keeps its text.
    pub fn join(&self, table: &str, names: &[String]) -> String {
        let mut out: Vec<&str> = Vec::with_capacity(names.len());
        for n in names {
            let c = self.code(table, n).unwrap_or(n);
            if !out.contains(&c) {
                out.push(c);
            }
        }
        out.join(",")
    }

    /// The values of a `,`-joined code list (other separators too); a
    /// code the table does not know keeps its text, for the check to report.
    pub fn split(&self, table: &str, codes: &str) -> Vec<String> {
        codes
            .split([',', '，', '、', ';', '；', '|'])
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(|c| self.name(table, c).unwrap_or(c).to_string())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_both_ways() {
        let c = Codes::embedded();
        assert_eq!(c.code("category", "公共服务"), Some("20"));
        assert_eq!(c.name("category", "01"), Some("行政许可"));
        assert_eq!(c.code("level", "县级"), Some("4"));
        assert_eq!(c.code("audience", "非法人企业"), Some("6"));
        assert_eq!(c.name("audience", "6"), Some("其他组织"));
        assert_eq!(c.split("audience", "3,6"), ["事业法人", "其他组织"]);
        assert_eq!(c.split("channel", "1，2, 7"), ["窗口办理", "网上办理", "7"]);
        assert_eq!(
            c.join(
                "audience",
                &["自然人".into(), "其他组织".into(), "非法人企业".into()]
            ),
            "1,6"
        );
        assert_eq!(c.name("material_source", "99"), Some("其他"));
        assert_eq!(c.code("citizen_topic", "户籍办理"), Some("002"));
        assert_eq!(c.name("status", "2"), Some("retired"));
    }

    #[test]
    fn every_value_of_a_mapped_table_has_a_code() {
        let std = Standard::embedded();
        let c = Codes::embedded();
        for table in [
            "agency_nature",
            "power_source",
            "audience",
            "channel",
            "handling_type",
            "scope",
            "yes_no",
            "material_form",
            "material_source",
            "necessity",
            "category",
            "level",
            "days_unit",
            "online_depth",
            "material_type",
            "result_type",
        ] {
            for e in &std.tables.table(table).entries {
                assert!(c.code(table, &e.name).is_some(), "{table}: {}", e.name);
            }
        }
    }
}

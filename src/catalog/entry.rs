//! One catalog file (`items/<USCC>/<实施编码>.yaml`): an implementation entry
//! with every element, its materials, both codes, its status and where it was
//! filed. Its JSON Schema (`schemas/item.schema.json`) is generated from these
//! types and tested against them.

use crate::codes::registry::Status;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// 法定办结时限: working days, or 无.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum StatutoryDays {
    /// 工作日数
    Days(u32),
    /// “无”（公共服务无法定时限）
    None(NoLimit),
}

/// The word 无.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum NoLimit {
    #[serde(rename = "无")]
    None,
}

/// Where an entry was filed from.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "来源")]
pub struct Source {
    /// 填报文件
    #[schemars(title = "填报文件")]
    pub file: String,
    /// 工作表
    #[serde(default, skip_serializing_if = "String::is_empty")]
    #[schemars(title = "工作表")]
    pub sheet: String,
    /// 行号
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "行号")]
    pub row: Option<u32>,
}

/// 申请材料
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "申请材料")]
pub struct CatalogMaterial {
    #[schemars(title = "材料名称")]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "材料形式")]
    pub form: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "份数")]
    pub copies: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "材料来源")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "电子证照")]
    pub e_license: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "必要性")]
    pub necessity: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "材料依据")]
    pub basis: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "填报须知")]
    pub notes: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "材料类型")]
    pub material_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "纸质材料规格")]
    pub paper_spec: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "来源渠道说明")]
    pub source_note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "受理标准")]
    pub acceptance_standard: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "空白表格")]
    pub blank_form: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "示例样表")]
    pub sample_form: Option<String>,
}

/// 收费项目
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "收费项目")]
pub struct CatalogFee {
    #[schemars(title = "收费项目名称")]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "收费标准")]
    pub standard: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "收费依据")]
    pub basis: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "是否允许减免")]
    pub reducible: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "减免依据")]
    pub reduction_basis: Option<String>,
}

/// 常见问题
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "常见问题")]
pub struct CatalogQuestion {
    #[schemars(title = "问题")]
    pub question: String,
    #[schemars(title = "解答")]
    pub answer: String,
}

/// Where the entry `impl_code` of the agency `agency_code` lies inside
/// `items/` (from codes only, never user text).
pub fn entry_path(agency_code: &str, impl_code: &str) -> std::path::PathBuf {
    std::path::Path::new(agency_code).join(format!("{impl_code}.yaml"))
}

/// 实施清单条目 — one implementation entry of the catalog.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "实施清单条目")]
pub struct CatalogEntry {
    #[schemars(title = "实施编码")]
    pub impl_code: String,
    #[schemars(title = "基本编码")]
    pub basic_code: String,
    #[schemars(title = "状态")]
    pub status: Status,
    #[schemars(title = "事项名称")]
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    #[schemars(title = "子项名称")]
    pub sub_name: String,
    #[schemars(title = "事项类型")]
    pub category: String,
    #[schemars(title = "业务指导部门")]
    pub sector: String,
    #[schemars(title = "实施主体")]
    pub agency: String,
    #[schemars(title = "实施主体编码")]
    pub agency_code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "实施主体性质")]
    pub agency_nature: Option<String>,
    #[schemars(title = "行使层级")]
    pub level: String,
    #[schemars(title = "行政区划代码")]
    pub division: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "权力来源")]
    pub power_source: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(title = "服务对象")]
    pub audience: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "设定依据")]
    pub legal_basis: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "受理条件")]
    pub conditions: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(title = "办理流程")]
    pub process: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "法定办结时限")]
    pub statutory_days: Option<StatutoryDays>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "承诺办结时限")]
    pub promised_days: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "办件类型")]
    pub handling_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "到办事现场次数")]
    pub visits: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "是否收费")]
    pub charged: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "收费标准")]
    pub fee_standard: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "收费依据")]
    pub fee_basis: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(title = "办理形式")]
    pub channels: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "网办地址")]
    pub online_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "通办范围")]
    pub scope: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "是否进驻政务大厅")]
    pub in_hall: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "办理地点")]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "办理时间")]
    pub hours: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "咨询电话")]
    pub contact_phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "监督投诉电话")]
    pub complaint_phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "结果名称")]
    pub result_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "是否转报")]
    pub forwarded: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "备注")]
    pub notes: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "权限划分")]
    pub authority_division: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "行使内容")]
    pub exercise_content: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "委托部门")]
    pub entrusting_agency: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(title = "联办机构")]
    pub joint_agencies: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(title = "面向自然人主题")]
    pub citizen_topics: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(title = "面向法人主题")]
    pub business_topics: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "法定办结时限单位")]
    pub statutory_unit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "法定办结时限说明")]
    pub statutory_note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "承诺办结时限单位")]
    pub promised_unit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "承诺办结时限说明")]
    pub promised_note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "特别程序")]
    pub special_procedure: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "到现场原因说明")]
    pub visit_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "中介服务")]
    pub intermediary: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "数量限制")]
    pub quantity_limit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "网上办理深度")]
    pub online_depth: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "是否网办")]
    pub online: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "是否支持预约办理")]
    pub appointment: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "是否支持网上支付")]
    pub pay_online: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "是否支持物流快递")]
    pub courier: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "是否支持自助终端")]
    pub kiosk: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "咨询方式")]
    pub consult_way: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "监督投诉方式")]
    pub complaint_way: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "结果类型")]
    pub result_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "结果样本")]
    pub result_sample: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "审查标准")]
    pub review_standard: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "生效日期")]
    pub effective_date: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(title = "申请材料")]
    pub materials: Vec<CatalogMaterial>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(title = "收费项目")]
    pub fee_items: Vec<CatalogFee>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(title = "常见问题")]
    pub questions: Vec<CatalogQuestion>,
    #[schemars(title = "来源")]
    pub source: Source,
}

impl CatalogEntry {
    /// The file's path inside `items/`, from codes only (never user text).
    pub fn rel_path(&self) -> std::path::PathBuf {
        entry_path(&self.agency_code, &self.impl_code)
    }

    /// The form file names the entry gives (空白表格, 示例样表, 结果样本;
    /// URLs and names that could leave the forms folder are not file names).
    pub fn form_names(&self) -> impl Iterator<Item = &str> {
        use crate::filing::{cells::is_url, values::is_form_file_name};
        self.materials
            .iter()
            .flat_map(|m| [&m.blank_form, &m.sample_form])
            .chain([&self.result_sample])
            .filter_map(|v| v.as_deref())
            .map(str::trim)
            .filter(|v| !is_url(v) && is_form_file_name(v))
    }

    /// Serializes the entry as its YAML file.
    pub fn to_yaml(&self) -> String {
        super::yaml::to_yaml(self)
            .unwrap_or_else(|| serde_saphyr::to_string(self).expect("catalog entry serializes"))
    }

    /// The JSON Schema of an item file, as checked in at `schemas/item.schema.json`
    /// (a unit test keeps the two equal).
    pub fn json_schema() -> String {
        let schema = schemars::schema_for!(CatalogEntry);
        let mut s = serde_json::to_string_pretty(&schema).expect("schema serializes");
        s.push('\n');
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checked_in_schema_matches_the_types() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schemas/item.schema.json");
        let on_disk = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            on_disk == CatalogEntry::json_schema(),
            "schemas/item.schema.json is out of date: run `cargo run -- schema > schemas/item.schema.json`"
        );
    }

    #[test]
    fn schema_has_chinese_titles() {
        let s = CatalogEntry::json_schema();
        assert!(s.contains("\"title\": \"实施清单条目\""));
        assert!(s.contains("\"title\": \"实施编码\""));
    }
}

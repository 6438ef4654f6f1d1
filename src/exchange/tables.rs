//! The platform's exchange tables (`../shared/exchange.md`): their files,
//! families and columns — names, types and NOT NULL — exactly as the
//! national exchange DDL has them, in its (alphabetical) order. yima writes
//! the upload shape without the `up_` prefix and reads `up_`/`dn_` files too.

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    /// varchar or text.
    Text,
    /// int.
    Int,
    /// datetime, written `YYYY-MM-DD HH:MM:SS`.
    Time,
}

/// One column of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub key: &'static str,
    pub ty: Ty,
    /// NOT NULL (`!` in exchange.md).
    pub required: bool,
    /// The platform's comment, for docs and the datapackage.
    pub title: &'static str,
}

const fn t(key: &'static str, title: &'static str) -> Column {
    Column {
        key,
        ty: Ty::Text,
        required: false,
        title,
    }
}
const fn tr(key: &'static str, title: &'static str) -> Column {
    Column {
        key,
        ty: Ty::Text,
        required: true,
        title,
    }
}
const fn ir(key: &'static str, title: &'static str) -> Column {
    Column {
        key,
        ty: Ty::Int,
        required: true,
        title,
    }
}
const fn i(key: &'static str, title: &'static str) -> Column {
    Column {
        key,
        ty: Ty::Int,
        required: false,
        title,
    }
}
const fn dt(key: &'static str, title: &'static str) -> Column {
    Column {
        key,
        ty: Ty::Time,
        required: false,
        title,
    }
}
const fn dtr(key: &'static str, title: &'static str) -> Column {
    Column {
        key,
        ty: Ty::Time,
        required: true,
        title,
    }
}

/// The tables of an exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Table {
    /// 基本目录 (`task_directory`): one row per 基本编码.
    Directory,
    /// 实施清单基本信息.
    Basic,
    /// 实施清单扩展信息 (one row per basic row).
    Extend,
    /// 申请材料.
    Material,
    /// 收费项目.
    Fee,
    /// 常见问题.
    Questions,
}

/// A family of implementation tables: one per kind of item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    /// 许可、给付、确认、其他行政权力 (and 奖励、裁决).
    General,
    /// 公共服务.
    Public,
    /// 行政征收: the basic table adds `collect_type`.
    Handle,
}

impl Family {
    pub const ALL: [Family; 3] = [Family::General, Family::Public, Family::Handle];

    pub fn name(self) -> &'static str {
        match self {
            Family::General => "general",
            Family::Public => "public",
            Family::Handle => "handle",
        }
    }

    /// The family of a category by its platform code (task_type).
    pub fn of_task_type(code: &str) -> Family {
        match code {
            "20" => Family::Public,
            "04" => Family::Handle,
            _ => Family::General,
        }
    }

    /// The task_type a record of this family has when it does not say.
    pub fn default_task_type(self) -> Option<&'static str> {
        match self {
            Family::General => None,
            Family::Public => Some("20"),
            Family::Handle => Some("04"),
        }
    }
}

/// The implementation tables of a family, in the order they are written.
pub const ENTRY_TABLES: [Table; 5] = [
    Table::Basic,
    Table::Extend,
    Table::Material,
    Table::Fee,
    Table::Questions,
];

impl Table {
    /// The file name yima writes: `task_directory.jsonl`,
    /// `task_general_basic.jsonl`, `task_public_material.jsonl`, …
    pub fn file(self, family: Family) -> String {
        match self {
            Table::Directory => "task_directory.jsonl".into(),
            _ => format!("task_{}_{}.jsonl", family.name(), self.suffix()),
        }
    }

    fn suffix(self) -> &'static str {
        match self {
            Table::Directory => "directory",
            Table::Basic => "basic",
            Table::Extend => "extend",
            Table::Material => "material",
            Table::Fee => "fee_project",
            Table::Questions => "questions",
        }
    }

    /// Which table and family a file name is (`up_`/`dn_` prefixes allowed).
    pub fn of_file(name: &str) -> Option<(Table, Family)> {
        let stem = name.strip_suffix(".jsonl")?;
        let stem = stem
            .strip_prefix("up_")
            .or_else(|| stem.strip_prefix("dn_"))
            .unwrap_or(stem);
        if stem == "task_directory" {
            return Some((Table::Directory, Family::General));
        }
        let rest = stem.strip_prefix("task_")?;
        for family in Family::ALL {
            let Some(table) = rest
                .strip_prefix(family.name())
                .and_then(|r| r.strip_prefix('_'))
            else {
                continue;
            };
            for t in ENTRY_TABLES {
                if t.suffix() == table {
                    return Some((t, family));
                }
            }
        }
        None
    }

    /// The columns of the table in a family.
    pub fn columns(self, family: Family) -> &'static [Column] {
        match (self, family) {
            (Table::Directory, _) => DIRECTORY,
            (Table::Basic, Family::Handle) => &HANDLE_BASIC,
            (Table::Basic, _) => BASIC,
            (Table::Extend, _) => EXTEND,
            (Table::Material, _) => MATERIAL,
            (Table::Fee, _) => FEE,
            (Table::Questions, _) => QUESTIONS,
        }
    }
}

/// The index of a key among columns: every key of every row is looked up,
/// so the tables' keys are hashed once; other column lists (none in yima)
/// are searched (they are sorted).
pub fn index_of(columns: &[Column], key: &str) -> Option<usize> {
    type Index = rustc_hash::FxHashMap<&'static str, usize>;
    static INDEXES: std::sync::LazyLock<Vec<(usize, Index)>> = std::sync::LazyLock::new(|| {
        let all: [&'static [Column]; 7] = [
            DIRECTORY,
            BASIC,
            &HANDLE_BASIC,
            EXTEND,
            MATERIAL,
            FEE,
            QUESTIONS,
        ];
        all.iter()
            .map(|cols| {
                (
                    cols.as_ptr() as usize,
                    cols.iter().enumerate().map(|(i, c)| (c.key, i)).collect(),
                )
            })
            .collect()
    });
    let at = columns.as_ptr() as usize;
    match INDEXES.iter().find(|(p, _)| *p == at) {
        Some((_, index)) if index.len() == columns.len() => index.get(key).copied(),
        _ => columns.binary_search_by(|c| c.key.cmp(key)).ok(),
    }
}

/// up_task_directory (15 columns).
pub const DIRECTORY: &[Column] = &[
    tr("by_law", "设定依据"),
    tr("catalog_code", "基本编码"),
    tr("cd_batch", "批次号"),
    tr("cd_operation", "同步类型"),
    dtr("cd_time", "同步时间"),
    tr("data_source", "数据来源"),
    t("local_catalog_code", "地方基本编码"),
    dt("plan_cancel_date", "计划取消日期"),
    dt("plan_effective_date", "计划生效日期"),
    tr("row_guid", "记录唯一标识"),
    tr("task_name", "事项名称"),
    tr("task_state", "事项状态"),
    tr("task_type", "事项类型"),
    ir("task_version", "事项版本"),
    tr("use_level", "行使层级"),
];

/// up_task_general_basic (46 columns); `public` has the same.
pub const BASIC: &[Column] = &[
    tr("accept_condition", "受理条件"),
    ir("anticipate_day", "法定办结时限"),
    t("anticipate_explain", "法定办结时限说明"),
    tr("anticipate_type", "法定办结时限单位"),
    tr("app_is_single_login", "移动端是否对接单点登录"),
    tr("by_law", "设定依据"),
    tr("catalog_code", "基本编码"),
    tr("cd_batch", "批次号"),
    tr("cd_operation", "同步类型"),
    dtr("cd_time", "同步时间"),
    tr("data_source", "数据来源"),
    tr("dept_code", "实施主体编码"),
    tr("dept_name", "实施主体"),
    tr("dept_type", "实施主体性质"),
    t("entrust_name", "委托部门"),
    t("fee_basis", "收费依据"),
    tr("handle_flow", "办理流程"),
    t("handle_type", "办理形式"),
    tr("is_fee", "是否收费"),
    tr("is_single_login", "计算机端是否对接单点登录"),
    ir("limit_scene_num", "到办事现场次数"),
    t("link_addr", "计算机端在线办理跳转地址"),
    tr("link_way", "咨询方式"),
    t("local_catalog_code", "地方基本编码"),
    t("local_task_code", "地方实施编码"),
    t("mobile_terminal_url", "移动端办理地址"),
    dt("plan_cancel_date", "计划取消日期"),
    dt("plan_effective_date", "计划生效日期"),
    tr("power_source", "权力来源"),
    tr("project_type", "办件类型"),
    ir("promise_day", "承诺办结时限"),
    tr("promise_explain", "承诺办结时限说明"),
    ir("promise_type", "承诺办结时限单位"),
    tr("row_guid", "记录唯一标识"),
    tr("server_type", "服务对象"),
    tr("special_procedure", "特别程序"),
    tr("supervise_way", "监督投诉方式"),
    tr("task_code", "实施编码"),
    t("task_handle_item", "业务办理项编码"),
    tr("task_name", "事项名称"),
    tr("task_state", "事项状态"),
    tr("task_type", "事项类型"),
    ir("task_version", "事项版本"),
    tr("transact_addr", "办理地点"),
    tr("transact_time", "办理时间"),
    tr("use_level", "行使层级"),
];

/// up_task_handle_basic: the general columns and `collect_type` (征收类型).
pub static HANDLE_BASIC: std::sync::LazyLock<Vec<Column>> = std::sync::LazyLock::new(|| {
    let mut cols = BASIC.to_vec();
    cols.push(t("collect_type", "征收类型"));
    cols.sort_by_key(|c| c.key);
    cols
});

/// up_task_general_extend (33 columns).
pub const EXTEND: &[Column] = &[
    tr("cd_batch", "批次号"),
    tr("cd_operation", "同步类型"),
    dtr("cd_time", "同步时间"),
    t("corp_character_topic_type", "面向法人特色主题分类"),
    t("corp_topic_type", "面向法人事项主题分类"),
    tr("data_source", "数据来源"),
    t("extend_field", "扩展字段"),
    t("handle_area", "通办范围"),
    tr("is_entry_center", "是否进驻政务大厅"),
    tr("is_express", "是否支持物流快递"),
    tr("is_online", "是否网办"),
    tr("is_pay_online", "是否支持网上支付"),
    t("is_schedule", "是否支持预约办理"),
    t("is_service_terminals", "是否支持终端办理"),
    t("limit_explain", "数量限制"),
    t("limit_scene_explain", "办理现场办理原因说明"),
    t("online_handle_depth", "网上办理深度"),
    t("online_handle_url", "网办地址"),
    t("other_dept", "联办机构"),
    t("result_guid", "审批结果样本"),
    t("result_name", "审批结果名称"),
    tr("result_type", "审批结果类型"),
    tr("row_guid", "记录唯一标识"),
    t("service_type", "中介服务"),
    tr("task_code", "实施编码"),
    tr("task_guid", "事项唯一标识"),
    t("task_handle_item", "业务办理项编码"),
    t("town_code", "乡镇街道代码"),
    t("town_name", "乡镇街道名称"),
    t("user_character_topic_type", "面向自然人特色主题分类"),
    t("user_topic_type", "面向自然人事项主题分类"),
    t("village_code", "村居社区代码"),
    t("village_name", "村居社区名称"),
];

/// up_task_general_material (23 columns).
pub const MATERIAL: &[Column] = &[
    t("accept_stand", "受理标准"),
    t("by_law", "要求提供材料的依据"),
    tr("cd_batch", "批次号"),
    tr("cd_operation", "同步类型"),
    dtr("cd_time", "同步时间"),
    tr("data_source", "数据来源"),
    t("example_guid", "示例样表"),
    t("fill_explain", "填报须知"),
    t("form_guid", "空白表格"),
    t("is_need", "材料必要性"),
    t("material_format", "材料形式"),
    tr("material_name", "材料名称"),
    t("material_type", "材料类型"),
    ir("order_num", "排序"),
    t("page_format", "纸质材料规格"),
    i("page_num", "纸质材料份数"),
    t("remark", "备注"),
    tr("row_guid", "记录唯一标识"),
    t("source_explain", "来源渠道说明"),
    t("source_type", "来源渠道"),
    tr("task_code", "实施编码"),
    tr("task_guid", "事项唯一标识"),
    t("task_handle_item", "业务办理项编码"),
];

/// up_task_general_fee_project (15 columns).
pub const FEE: &[Column] = &[
    t("by_law", "收费依据"),
    tr("cd_batch", "批次号"),
    tr("cd_operation", "同步类型"),
    dtr("cd_time", "同步时间"),
    tr("data_source", "数据来源"),
    t("desc_explain", "允许减免依据"),
    tr("fee_name", "收费项目名称"),
    tr("fee_stand", "收费标准"),
    t("is_desc", "是否允许减免"),
    ir("order_num", "排序"),
    t("remark", "备注"),
    tr("row_guid", "记录唯一标识"),
    tr("task_code", "实施编码"),
    tr("task_guid", "事项唯一标识"),
    t("task_handle_item", "业务办理项编码"),
];

/// up_task_general_questions (11 columns).
pub const QUESTIONS: &[Column] = &[
    tr("answer", "答案"),
    tr("cd_batch", "批次号"),
    tr("cd_operation", "同步类型"),
    dtr("cd_time", "同步时间"),
    tr("data_source", "数据来源"),
    ir("order_num", "排序"),
    tr("question", "问题"),
    tr("row_guid", "记录唯一标识"),
    tr("task_code", "实施编码"),
    tr("task_guid", "事项唯一标识"),
    t("task_handle_item", "业务办理项编码"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_have_the_ddl_column_counts_in_sorted_order() {
        for (cols, n) in [
            (DIRECTORY, 15),
            (BASIC, 46),
            (&HANDLE_BASIC, 47),
            (EXTEND, 33),
            (MATERIAL, 23),
            (FEE, 15),
            (QUESTIONS, 11),
        ] {
            assert_eq!(cols.len(), n);
            assert!(
                cols.windows(2).all(|w| w[0].key < w[1].key),
                "{:?}",
                cols.iter().map(|c| c.key).collect::<Vec<_>>()
            );
            assert!(
                cols.iter()
                    .all(|c| !c.key.is_empty() && !c.title.is_empty())
            );
        }
        assert_eq!(
            BASIC[index_of(BASIC, "task_code").unwrap()].title,
            "实施编码"
        );
        assert!(index_of(&HANDLE_BASIC, "collect_type").is_some());
    }

    #[test]
    fn file_names_round_trip() {
        for family in Family::ALL {
            for table in ENTRY_TABLES {
                assert_eq!(Table::of_file(&table.file(family)), Some((table, family)));
            }
        }
        assert_eq!(
            Table::of_file("dn_task_public_material.jsonl"),
            Some((Table::Material, Family::Public))
        );
        assert_eq!(
            Table::of_file("up_task_directory.jsonl"),
            Some((Table::Directory, Family::General))
        );
        assert_eq!(Table::of_file("task_punish_basic.jsonl"), None);
        assert_eq!(Table::of_file("notes.txt"), None);
    }
}

//! The columns of the two filing sheets, as SPEC §2 names them: the tests'
//! own record of the standard, shared by the fixture builders.

/// The columns of sheet 事项, in the order of SPEC §2.
pub const ITEM_HEADERS: &[&str] = &[
    "序号",
    "事项名称",
    "子项名称",
    "事项类型",
    "业务指导部门",
    "基本编码",
    "实施编码",
    "实施主体",
    "实施主体编码",
    "实施主体性质",
    "行使层级",
    "行政区划代码",
    "权力来源",
    "服务对象",
    "设定依据",
    "受理条件",
    "办理流程",
    "法定办结时限",
    "承诺办结时限",
    "办件类型",
    "到办事现场次数",
    "是否收费",
    "收费标准",
    "收费依据",
    "办理形式",
    "网办地址",
    "通办范围",
    "是否进驻政务大厅",
    "办理地点",
    "办理时间",
    "咨询电话",
    "监督投诉电话",
    "结果名称",
    "是否转报",
    "备注",
];

/// The columns of sheet 申请材料, in the order of SPEC §2.
pub const MATERIAL_HEADERS: &[&str] = &[
    "事项序号",
    "材料名称",
    "材料形式",
    "份数",
    "材料来源",
    "电子证照",
    "必要性",
    "材料依据",
    "填报须知",
];

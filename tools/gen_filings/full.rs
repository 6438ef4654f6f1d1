//! The elements of SPEC §2a (全要素) of a generated entry, filled as a
//! department filing under `profile: full` fills them: the units and notes
//! of both time limits, special procedures, topics by the sector's life and
//! business events, online depth and flags that agree with the channels and
//! visits, consultation and complaint channels, the result's type, review
//! standards for licences, the materials' 受理标准 and blank forms (by URL:
//! a synthetic filing has no forms folder), fee items for some charged
//! entries (sheet 收费项目) and questions for some entries (sheet 常见问题).
//! Clean entries fill every element the full profile asks for, so the
//! generator's tests can check that too.

use crate::rng::Rng;

/// The life-event (面向自然人) and business-event (面向法人) topic of each
/// sector's items, by sector name (`schemas/topics.yaml`).
pub const TOPICS: &[(&str, &str, &str)] = &[
    ("公安", "户籍办理", "公安消防"),
    ("民政", "婚姻登记", "其他"),
    ("司法行政", "司法公证", "司法公证"),
    ("财政", "行政缴费", "税收财务"),
    ("人力资源社会保障", "就业创业", "人力资源"),
    ("自然资源", "住房保障", "规划建设"),
    ("生态环境", "环保绿化", "环保绿化"),
    ("住房城乡建设", "住房保障", "规划建设"),
    ("交通运输", "交通出行", "交通运输"),
    ("水利", "公用事业", "农林牧渔"),
    ("农业农村", "其他", "农林牧渔"),
    ("商务", "消费维权", "商务贸易"),
    ("文化旅游", "文化体育", "文化体育"),
    ("卫生健康", "医疗卫生", "医疗卫生"),
    ("应急管理", "公共安全", "安全生产"),
    ("市场监管", "消费维权", "准营准办"),
    ("税务", "行政缴费", "税收财务"),
    ("教育", "教育科研", "其他"),
    ("科技", "知识产权", "科技创新"),
    ("发展改革", "其他", "投资审批"),
    ("工业和信息化", "其他", "质量技术"),
    ("退役军人事务", "优待抚恤", "其他"),
    ("林业", "环保绿化", "农林牧渔"),
    ("医疗保障", "医疗卫生", "社会保障"),
    ("体育", "文化体育", "文化体育"),
    ("统计", "其他", "调查统计"),
    ("人防", "公共安全", "规划建设"),
    ("气象", "公共安全", "其他"),
    ("消防救援", "公共安全", "公安消防"),
    ("档案", "证件办理", "其他"),
    ("民族宗教", "民族宗教", "其他"),
    ("残联", "社会保障", "其他"),
    ("住房公积金", "住房保障", "人力资源"),
    ("公用事业", "公用事业", "公用事业"),
    ("其他", "其他", "其他"),
];

/// The topics of a sector's items.
pub fn topics(sector: &str) -> (&'static str, &'static str) {
    TOPICS
        .iter()
        .find(|(s, _, _)| *s == sector)
        .map_or(("其他", "其他"), |(_, c, b)| (*c, *b))
}

pub const STATUTORY_NOTES: &[&str] = &[
    "自受理之日起计算。",
    "自受理之日起计算；申请人补正材料的时间不计入。",
    "自受理之日起计算；听证、检验、检测、专家评审的时间不计入。",
    "自受理之日起计算，不含公告时间。",
];

pub const PROMISED_NOTES: &[&str] = &[
    "自受理之日起计算。",
    "材料齐全、符合法定形式的，自受理之日起计算。",
    "自受理之日起计算；邮寄送达时间不计入。",
];

/// Special procedures of licences, with the time each takes.
pub const SPECIAL_PROCEDURES: &[&str] = &[
    "专家评审，10 个工作日",
    "现场勘验，5 个工作日",
    "听证，20 个工作日",
    "检验检测，15 个工作日",
    "公示，7 个自然日",
];

pub const VISIT_REASONS: &[&str] = &[
    "须到窗口核验申请人身份证件原件。",
    "须现场提交纸质材料原件并签字确认。",
    "须到现场领取证照。",
    "须现场采集照片和指纹信息。",
];

pub const CONSULT_WAYS: &[&str] = &[
    "窗口咨询；拨打咨询电话或 12345 热线；在湖南政务服务网“我要咨询”栏目留言。",
    "到办事大厅咨询台当面咨询；拨打 12345 热线。",
];

pub const COMPLAINT_WAYS: &[&str] = &[
    "到政务服务中心投诉受理窗口投诉；拨打 12345 热线；在湖南政务服务网“我要投诉”栏目留言。",
    "拨打监督投诉电话或 12345 热线；向本级纪检监察机关来信反映。",
];

pub const REVIEW_STANDARDS: &[&str] = &[
    "（一）申请材料齐全、符合法定形式；\n（二）申请人符合受理条件所列各项条件；\n（三）现场核查结果与申请材料一致。",
    "（一）申请材料齐全、真实、有效；\n（二）符合《{l}》规定的条件和标准。",
];

pub const ACCEPTANCE_FORM: &[&str] = &[
    "申请人签字或盖章；各栏填写完整，无涂改。",
    "法定代表人签字并加盖单位公章；内容与所附材料一致。",
];

pub const ACCEPTANCE_CERTIFICATE: &[&str] = &[
    "在有效期内；与申请人信息一致。",
    "原件与复印件一致，复印件加盖单位公章。",
    "由出具单位盖章，内容清晰完整。",
];

pub const AUTHORITY: &[&str] = &[
    "市级负责市本级登记的申请人；县级负责本县市区范围内的申请人。",
    "本级负责本行政区域内的申请；跨行政区域的由上级部门办理。",
];

pub const QUESTIONS: &[(&str, &str)] = &[
    (
        "可以委托他人代为办理吗？",
        "可以。受托人须提交授权委托书和本人居民身份证原件。",
    ),
    (
        "可以网上申请吗？",
        "可以。在湖南政务服务网或“湘易办”提交申请，材料齐全的网上受理。",
    ),
    (
        "办理结果怎么领取？",
        "可以到窗口领取，也可以选择邮寄送达，邮寄费用由寄递企业按其价格收取。",
    ),
];

/// The 结果类型 of a result name.
pub fn result_type(result: &str) -> &'static str {
    if result.ends_with("证") || result.ends_with("证书") {
        "证照"
    } else if result.ends_with("决定书") || result.ends_with("文件") {
        "批文"
    } else if result.ends_with("回执") {
        "备案"
    } else {
        "证明"
    }
}

/// The 网上办理深度 an entry has: 四级 (fully online) only with an online
/// channel and no visit, else 三级 or 二级 online, 一级 otherwise.
pub fn online_depth(online: bool, visits: u32, rng: &mut Rng) -> &'static str {
    match (online, visits) {
        (true, 0) => "四级",
        (true, _) => ["三级", "二级"][rng.weighted(&[4, 1])],
        (false, _) => "一级",
    }
}

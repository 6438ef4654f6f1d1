//! Filings with every element of SPEC §2a (全要素): the valid entries of
//! [`Filing::valid`] with the further columns of sheets 事项 and 申请材料
//! filled as a careful department fills them, and the optional sheets 收费项目
//! and 常见问题.

use super::{Filing, Record, Sheet};

/// The elements of SPEC §2a of a valid entry (a licence of 民政 at city
/// level, one visit, online application).
pub const ENTRY_EXTRAS: &[(&str, &str)] = &[
    ("权限划分", "市级负责在本市登记的社会团体的成立登记"),
    ("行使内容", "社会团体成立登记的受理、审查和决定"),
    ("委托部门", ""),
    ("联办机构", ""),
    ("面向自然人主题", ""),
    ("面向法人主题", "设立变更"),
    ("法定办结时限单位", "工作日"),
    ("法定办结时限说明", "自受理之日起计算"),
    ("承诺办结时限单位", "工作日"),
    ("承诺办结时限说明", "自受理之日起计算，不含公示时间"),
    ("特别程序", "无"),
    ("到现场原因说明", "核验法定代表人身份证件原件"),
    ("中介服务", "无"),
    ("数量限制", "无"),
    ("网上办理深度", "三级"),
    ("是否网办", "是"),
    ("是否支持预约办理", "是"),
    ("是否支持网上支付", "否"),
    ("是否支持物流快递", "是"),
    ("是否支持自助终端", "否"),
    ("咨询方式", "窗口咨询、电话咨询、12345热线"),
    ("监督投诉方式", "投诉窗口、12345热线、湖南政务服务网"),
    ("结果类型", "证照"),
    ("结果样本", "https://zwfw.hunan.gov.cn/samples/shtt.pdf"),
    (
        "审查标准",
        "材料齐全、符合法定形式；名称、住所和章程符合《社会团体登记管理条例》第十条的规定",
    ),
    ("生效日期", "2026-03-01"),
];

/// The elements of SPEC §2a of a valid material.
pub const MATERIAL_EXTRAS: &[(&str, &str)] = &[
    ("材料类型", "申请表格文书"),
    ("纸质材料规格", "A4"),
    ("来源渠道说明", ""),
    ("受理标准", "须法定代表人签字并加盖发起单位公章"),
    ("空白表格", "https://zwfw.hunan.gov.cn/forms/shtt.docx"),
    ("示例样表", ""),
];

/// The columns of sheet 收费项目.
pub const FEE_HEADERS: &[&str] = &[
    "事项序号",
    "收费项目名称",
    "收费标准",
    "收费依据",
    "是否允许减免",
    "减免依据",
];

/// The columns of sheet 常见问题.
pub const QUESTION_HEADERS: &[&str] = &["事项序号", "问题", "解答"];

/// A filing with every element and both optional sheets.
#[derive(Debug, Clone)]
pub struct FullFiling {
    pub base: Filing,
    pub fees: Vec<Record>,
    pub questions: Vec<Record>,
}

impl FullFiling {
    /// `n` valid entries with every element of SPEC §2a; entry 1 is charged
    /// through one fee item (its own 收费标准/收费依据 left blank), and every
    /// entry has one question.
    pub fn valid(n: u32) -> FullFiling {
        let mut base = Filing::valid(n);
        for e in &mut base.entries {
            for (h, v) in ENTRY_EXTRAS {
                e.push(h, *v);
            }
        }
        for m in &mut base.materials {
            for (h, v) in MATERIAL_EXTRAS {
                m.push(h, *v);
            }
        }
        // The identity card is a certificate, not a form.
        for m in base.materials.iter_mut().skip(1).step_by(2) {
            m.set("材料类型", "证件证书证明").set("空白表格", "");
        }
        base.entries[0]
            .set("是否收费", "是")
            .set("是否支持网上支付", "是");
        let fees = vec![record(
            FEE_HEADERS,
            &[
                "1",
                "社会团体登记证书工本费",
                "每证 10 元",
                "《湖南省发展和改革委员会关于社会团体登记收费标准的通知》",
                "否",
                "",
            ],
        )];
        let questions = (1..=n)
            .map(|seq| {
                record(
                    QUESTION_HEADERS,
                    &[
                        &seq.to_string(),
                        "可以委托他人代为办理吗？",
                        "可以。受托人须携带授权委托书和本人居民身份证原件。",
                    ],
                )
            })
            .collect();
        FullFiling {
            base,
            fees,
            questions,
        }
    }

    pub fn items_sheet(&self) -> Sheet {
        sheet_of("事项", &self.base.entries)
    }

    pub fn materials_sheet(&self) -> Sheet {
        sheet_of("申请材料", &self.base.materials)
    }

    pub fn fees_sheet(&self) -> Sheet {
        sheet_of("收费项目", &self.fees)
    }

    pub fn questions_sheet(&self) -> Sheet {
        sheet_of("常见问题", &self.questions)
    }

    /// All four sheets.
    pub fn sheets(&self) -> Vec<Sheet> {
        vec![
            self.items_sheet(),
            self.materials_sheet(),
            self.fees_sheet(),
            self.questions_sheet(),
        ]
    }
}

/// A record of these headers and values.
fn record(headers: &[&str], values: &[&str]) -> Record {
    let mut r = Record(Vec::new());
    for (h, v) in headers.iter().zip(values) {
        r.push(h, *v);
    }
    r
}

/// A sheet of records, the columns those of its first record.
fn sheet_of(name: &str, records: &[Record]) -> Sheet {
    let headers: Vec<String> = records.first().map(Record::headers).unwrap_or_default();
    let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
    Sheet::from_records(name, &headers, records)
}

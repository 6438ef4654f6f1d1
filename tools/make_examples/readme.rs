//! `examples/README.md`: the prose of `README.template.md` with the tables
//! filled in from the data — the files, and every seeded mistake at its cell,
//! so the expected findings are listed exactly where they are made.

use crate::layout::Planned;
use crate::spec::{Filing, LayoutKind};
use std::fmt::Write as _;
use yima::diag::{Rule, Severity};

const TEMPLATE: &str = include_str!("README.template.md");

/// A written filing, for the tables.
pub struct Written<'a> {
    pub filing: &'a Filing,
    pub plan: &'a Planned,
    pub files: Vec<String>,
}

fn layout_name(l: LayoutKind) -> &'static str {
    match l {
        LayoutKind::Standard => "标准版式",
        LayoutKind::Titled => "标题行版式",
        LayoutKind::Rearranged => "自定列序版式",
        LayoutKind::Csv => "GBK CSV 文件对",
    }
}

fn files_cell(w: &Written<'_>) -> String {
    w.files
        .iter()
        .map(|f| format!("`{f}`"))
        .collect::<Vec<_>>()
        .join("<br>")
}

/// The default severity of a rule id (checked when the data was loaded).
fn severity(rule: &str) -> Option<Severity> {
    Rule::ALL
        .iter()
        .find(|r| r.id() == rule)
        .map(|r| r.default_severity())
}

/// Escapes a table cell.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

pub fn render(written: &[Written<'_>]) -> String {
    let mut good = String::from(
        "| 文件 | 实施主体 | 版式 | 事项 | 材料 | 收费项目 | 常见问题 | 说明 |\n|---|---|---|---|---|---|---|---|\n",
    );
    let mut bad = String::from("| 文件 | 单位 | 说明 |\n|---|---|---|\n");
    let table_head = "| file | cell | rule | the mistake |\n|---|---|---|---|\n";
    let mut seeded = String::from(table_head);
    let mut registry = String::from(table_head);
    let (mut entries, mut materials, mut fees, mut questions) = (0, 0, 0, 0);
    let (mut errors, mut warnings) = (0, 0);
    for w in written {
        let f = w.filing;
        if f.is_bad() {
            let _ = writeln!(
                bad,
                "| {} | {} | {} |",
                files_cell(w),
                f.department(),
                cell(&f.about)
            );
            let table = if f.needs_registry {
                &mut registry
            } else {
                &mut seeded
            };
            for s in &w.plan.seeds {
                if !f.needs_registry {
                    match severity(&s.rule) {
                        Some(Severity::Error) => errors += 1,
                        Some(Severity::Warning) => warnings += 1,
                        None => {}
                    }
                }
                let _ = writeln!(
                    table,
                    "| `{}` | `{}` | {} | {} |",
                    f.file,
                    s.cell,
                    s.rule,
                    cell(&s.mistake)
                );
            }
        } else {
            let n = f.written().count();
            let m: usize = f.entries.iter().map(|e| e.materials.len()).sum();
            let fi: usize = f.entries.iter().map(|e| e.fees.len()).sum();
            let q: usize = f.entries.iter().map(|e| e.questions.len()).sum();
            entries += n;
            materials += m;
            fees += fi;
            questions += q;
            let mut agencies: Vec<&str> = Vec::new();
            for e in f.written() {
                if !agencies.contains(&e.get("agency")) {
                    agencies.push(e.get("agency"));
                }
            }
            let _ = writeln!(
                good,
                "| {} | {} | {}{} | {n} | {m} | {fi} | {q} | {} |",
                files_cell(w),
                agencies.join("<br>"),
                layout_name(f.layout),
                if f.full { "（全要素）" } else { "" },
                cell(&f.about)
            );
        }
    }
    TEMPLATE
        .replace("{{good}}", good.trim_end())
        .replace("{{bad}}", bad.trim_end())
        .replace("{{seeded}}", seeded.trim_end())
        .replace("{{registry}}", registry.trim_end())
        .replace("{{entries}}", &entries.to_string())
        .replace("{{materials}}", &materials.to_string())
        .replace("{{fees}}", &fees.to_string())
        .replace("{{questions}}", &questions.to_string())
        .replace("{{errors}}", &errors.to_string())
        .replace("{{warnings}}", &warnings.to_string())
}

//! The change log people read (`CHANGELOG.md`): in Chinese, counts first,
//! then the details grouped by agency.

use super::diff::{Changes, FieldChange, Named};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write as _;

fn value(v: &Value) -> String {
    match v {
        Value::Null => "（空）".into(),
        Value::Bool(true) => "是".into(),
        Value::Bool(false) => "否".into(),
        Value::String(s) if s.is_empty() => "（空）".into(),
        Value::String(s) => s.replace('\n', " / "),
        Value::Number(n) => n.to_string(),
        Value::Array(a) => a.iter().map(value).collect::<Vec<_>>().join("、"),
        Value::Object(o) => o
            .get("name")
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| Value::Object(o.clone()).to_string()),
    }
}

/// Escapes text for a Markdown line: nothing in an element can start a
/// heading, a list, a table cell or inline HTML.
fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '!'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn key(n: &Named) -> (&str, &str) {
    (n.agency.as_str(), n.agency_code.as_str())
}

fn title(n: &Named) -> String {
    if n.sub_name.is_empty() {
        md(&n.name)
    } else {
        format!("{}（{}）", md(&n.name), md(&n.sub_name))
    }
}

#[derive(Default)]
struct Group<'a> {
    added: Vec<&'a Named>,
    retired: Vec<&'a Named>,
    renamed: Vec<(&'a Named, String)>,
    changed: Vec<(&'a Named, &'a [FieldChange])>,
}

/// Renders the change log.
pub fn render(c: &Changes, heading: &str) -> String {
    let mut groups: BTreeMap<(&str, &str), Group<'_>> = BTreeMap::new();
    for n in &c.added {
        groups.entry(key(n)).or_default().added.push(n);
    }
    for n in &c.retired {
        groups.entry(key(n)).or_default().retired.push(n);
    }
    for r in &c.renamed {
        let old = if r.old_sub_name.is_empty() {
            md(&r.old_name)
        } else {
            format!("{}（{}）", md(&r.old_name), md(&r.old_sub_name))
        };
        groups
            .entry(key(&r.entry))
            .or_default()
            .renamed
            .push((&r.entry, old));
    }
    for ch in &c.changed {
        groups
            .entry(key(&ch.entry))
            .or_default()
            .changed
            .push((&ch.entry, &ch.fields));
    }
    let k = &c.counts;
    let mut s = String::new();
    let _ = writeln!(s, "# {}\n", md(heading));
    let _ = writeln!(s, "对比：{} → {}\n", md(&c.from), md(&c.to));
    let _ = writeln!(s, "| 项目 | 数量 |\n|---|---:|");
    let _ = writeln!(s, "| 上一版事项 | {} |", k.before);
    let _ = writeln!(s, "| 本版事项 | {} |", k.after);
    let _ = writeln!(s, "| 新增 | {} |", k.added);
    let _ = writeln!(s, "| 注销 | {} |", k.retired);
    let _ = writeln!(s, "| 更名 | {} |", k.renamed);
    let _ = writeln!(s, "| 要素变更 | {} |", k.changed);
    if groups.is_empty() {
        let _ = writeln!(s, "\n本版与上一版相比没有变化。");
        return s;
    }
    for ((agency, code), g) in &groups {
        let _ = writeln!(s, "\n## {}（{}）\n", md(agency), md(code));
        let _ = writeln!(
            s,
            "新增 {}，注销 {}，更名 {}，要素变更 {}。",
            g.added.len(),
            g.retired.len(),
            g.renamed.len(),
            g.changed.len()
        );
        if !g.added.is_empty() {
            let _ = writeln!(s, "\n### 新增事项\n");
            for n in &g.added {
                let _ = writeln!(s, "- {} `{}`", title(n), n.impl_code);
            }
        }
        if !g.retired.is_empty() {
            let _ = writeln!(s, "\n### 注销事项\n");
            for n in &g.retired {
                let _ = writeln!(s, "- {} `{}`", title(n), n.impl_code);
            }
        }
        if !g.renamed.is_empty() {
            let _ = writeln!(s, "\n### 更名事项\n");
            for (n, old) in &g.renamed {
                let _ = writeln!(s, "- {old} → {} `{}`（编码不变）", title(n), n.impl_code);
            }
        }
        if !g.changed.is_empty() {
            let _ = writeln!(s, "\n### 要素变更\n");
            for (n, fields) in &g.changed {
                let _ = writeln!(s, "- {} `{}`", title(n), n.impl_code);
                for f in fields.iter() {
                    let _ = writeln!(
                        s,
                        "  - {}：{} → {}",
                        md(&f.label),
                        md(&value(&f.before)),
                        md(&value(&f.after))
                    );
                }
            }
        }
    }
    s
}

//! Codes against the registry (`items/codes.lock`): code-unknown,
//! code-retired, code-renamed, and name-near-catalog for a row without a
//! code whose name is close to an upper-level catalog item's. Only run in a
//! workspace that has a registry.

use super::{Context, finding};
use crate::codes::ItemKey;
use crate::codes::registry::{Registry, Status};
use crate::diag::Rule;
use crate::model::{Entry, text};
use crate::standard::elements::Field;
use crate::text;

pub fn check(ctx: &mut Context<'_>, registry: &Registry, entry: &Entry) {
    let Some(code) = &entry.basic_code else {
        near_catalog(ctx, registry, entry);
        return;
    };
    let v = &code.value;
    if crate::rules::codes::parse_basic(v).is_err() {
        return; // basic-code-invalid says what is wrong
    }
    let issuing = v.starts_with(&ctx.workspace.config.region_prefix);
    let std = ctx.standard();
    let Some(rec) = registry.get(v) else {
        if issuing {
            let d = finding(std, Rule::CodeUnknown, entry, Field::BasicCode, code, text!(
                "基本编码 {v} 未在编码登记簿中登记",
                "基本编码 {v} was never issued (not in the registry)"
            ))
            .help(text!(
                "新事项请把基本编码留空，由 yima 统一赋码；已有事项请从 yima template --agency 导出的表中复制编码。",
                "leave the code blank for a new item; for an existing one copy it from the workbook `yima template --agency` writes."
            ));
            ctx.push(d);
        }
        return;
    };
    if rec.status == Status::Retired {
        let name = &rec.name;
        let d = finding(
            std,
            Rule::CodeRetired,
            entry,
            Field::BasicCode,
            code,
            text!(
                "基本编码 {v}（{name}）已注销，不能再使用",
                "基本编码 {v} ({name}) is retired and cannot be used again"
            ),
        )
        .help(text!(
            "注销的编码永不复用；恢复实施的事项请把基本编码留空，重新赋码。",
            "retired codes are never reused; leave the code blank to get a new one."
        ));
        ctx.push(d);
        return;
    }
    let (Some(category), Some(sector), Some(_)) = (&entry.category, &entry.sector, &entry.name)
    else {
        return;
    };
    let key = ItemKey::new(
        &category.value,
        &sector.value,
        text(&entry.name),
        text(&entry.sub_name),
    );
    let registered = rec.key();
    if key == registered || key.category != registered.category || key.sector != registered.sector {
        return;
    }
    let (old, new) = (
        display_name(&rec.name, &rec.sub_name),
        display_name(text(&entry.name), text(&entry.sub_name)),
    );
    let name = entry.name.as_ref().expect("checked above");
    let d = finding(std, Rule::CodeRenamed, entry, Field::Name, name, text!(
        "基本编码 {v} 登记的名称为“{old}”，本行为“{new}”",
        "基本编码 {v} is registered as “{old}”, this row says “{new}”"
    ))
    .help(text!(
        "编码保持不变；导入时将记录为更名，原名称保留为曾用名。若不是同一事项，请清空基本编码。",
        "the code stays; ingest records a rename and keeps the old name. If it is another item, clear the code."
    ));
    ctx.push(d);
}

/// name-near-catalog: a row without a code that names an item of the
/// upper-level catalog almost, not exactly.
fn near_catalog(ctx: &mut Context<'_>, registry: &Registry, entry: &Entry) {
    let upper = registry.upper();
    if upper.is_empty() {
        return;
    }
    let (Some(category), Some(name)) = (&entry.category, &entry.name) else {
        return;
    };
    let Some((code, shown)) = upper.near(&category.value, &name.value, text(&entry.sub_name))
    else {
        return;
    };
    let given = display_name(&name.value, text(&entry.sub_name));
    let d = finding(
        ctx.standard(),
        Rule::NameNearCatalog,
        entry,
        Field::Name,
        name,
        text!(
            "事项名称“{given}”与上级基本目录的“{shown}”（{code}）相近",
            "“{given}” is close to “{shown}” ({code}) of the upper-level catalog"
        ),
    )
    .help(text!(
        "是不是“{shown}”？若是同一事项，请改用目录中的名称，导入时将使用编码 {code}，不另行赋码；若不是，可忽略此提示。",
        "did you mean “{shown}”? If it is that item, use the catalog's name and ingest gives the row {code}, no code of its own; if not, ignore this."
    ));
    ctx.push(d);
}

fn display_name(name: &str, sub: &str) -> String {
    if sub.is_empty() {
        name.to_string()
    } else {
        format!("{name}（{sub}）")
    }
}

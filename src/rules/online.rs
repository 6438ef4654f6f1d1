//! online-depth-mismatch: 网上办理深度 and 是否网办 (SPEC §2a) against what
//! the rest of the entry says — a fully online entry (四级) needs no visit
//! and has an online channel; an entry done online has its address.

use super::{Context, finding};
use crate::diag::Rule;
use crate::model::Entry;
use crate::standard::elements::Field;
use crate::text;

pub fn check(ctx: &mut Context<'_>, entry: &Entry) {
    let std = ctx.standard();
    if let Some(depth) = &entry.online_depth
        && std
            .tables
            .table("online_depth")
            .get(&depth.value)
            .is_some_and(|d| d.full_online)
    {
        let channels = std.tables.table("channel");
        let online_channel = entry.channels.as_ref().is_some_and(|c| {
            c.value
                .iter()
                .any(|c| channels.get(c).is_some_and(|t| t.online))
        });
        let visits = entry.visits.as_ref().map_or(0, |v| v.value);
        let problem = if visits > 0 {
            Some(text!(
                "网上办理深度为四级（全程网办），但到办事现场次数为 {visits}",
                "online depth is level four (fully online), but {visits} visit(s) in person are needed"
            ))
        } else if entry.channels.is_some() && !online_channel {
            Some(text!(
                "网上办理深度为四级（全程网办），但办理形式中没有网上办理或移动端办理",
                "online depth is level four (fully online), but no online channel is chosen"
            ))
        } else {
            None
        };
        if let Some(message) = problem {
            let d = finding(std, Rule::OnlineDepthMismatch, entry, Field::OnlineDepth, depth, message)
                .help(text!(
                    "全程网办的事项到现场次数应为 0，办理形式应含网上办理或移动端办理；做不到的，按实际填写网上办理深度（如三级：在线申报、预审）。",
                    "a fully online entry needs 0 visits and an online channel; otherwise give the depth it really has (e.g. 三级: online application and pre-check)."
                ));
            ctx.push(d);
        }
    }

    let std = ctx.standard();
    if let Some(online) = &entry.online
        && online.value
        && entry.online_url.is_none()
    {
        let d = finding(
            std,
            Rule::OnlineDepthMismatch,
            entry,
            Field::Online,
            online,
            text!(
                "是否网办为“是”，但网办地址为空",
                "是否网办 says the entry is done online, but 网办地址 is blank"
            ),
        )
        .help(text!(
            "填写网上办理的地址（以 https:// 开头）；不能网上办理的，是否网办填“否”。",
            "write the online address (starting with https://); if it cannot be done online, write 否."
        ));
        ctx.push(d);
    }
}

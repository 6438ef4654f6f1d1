//! What the command line says about the workspace's writes: the repair of
//! what an interrupted run left, done once before any command reads the
//! workspace; a swap of `items/` that did not happen; a replaced tree that
//! could not be removed.

use super::failure;
use crate::diag::Lang;
use crate::workspace::Workspace;
use std::path::Path;

/// Repairs what an interrupted run left in the workspace, before any
/// command looks at it — the one place this happens, so every command sees
/// the same repaired workspace ([`crate::fsx::recover_workspace`]). Says on
/// stderr what it repaired. Without a workspace, or with a `yima.yaml` the
/// command itself will complain about, there is nothing to do.
pub fn recover(dir: Option<&Path>, lang: Lang) -> failure::Result<()> {
    let root = match dir {
        Some(d) => Some(d.to_path_buf()),
        None => std::env::current_dir()
            .ok()
            .and_then(|d| Workspace::find_root(&d)),
    };
    let Some(root) = root else { return Ok(()) };
    let Some(config) = std::fs::read_to_string(root.join(crate::workspace::CONFIG_FILE))
        .ok()
        .and_then(|t| crate::workspace::parse_config(&t).ok())
    else {
        return Ok(());
    };
    let dirs = crate::fsx::WorkspaceDirs {
        items: root.join(&config.paths.items),
        dist: root.join(&config.paths.dist),
        releases: root.join(&config.paths.releases),
        root,
    };
    let repairs = crate::fsx::recover_workspace(&dirs).map_err(|e| {
        failure::Failure::new(match lang {
            Lang::Zh => format!("无法修复上次中断的写入：{e}"),
            Lang::En => format!("cannot repair what an interrupted run left: {e}"),
        })
    })?;
    for r in repairs {
        use crate::fsx::Repair;
        let shown = |p: &Path| crate::filing::display_path(p);
        let say = match (&r, lang) {
            (Repair::Undone(p), Lang::Zh) => format!(
                "上次运行在替换 {} 时中断：已恢复为那次运行之前的内容",
                shown(p)
            ),
            (Repair::Undone(p), Lang::En) => format!(
                "the last run was cut short while replacing {}: it is back as it was before that run",
                shown(p)
            ),
            (Repair::Completed(p), Lang::Zh) => format!(
                "上次运行在更新 {} 时中断：已按其计划完成更新，新内容已生效",
                shown(p)
            ),
            (Repair::Completed(p), Lang::En) => format!(
                "the last run was cut short while updating {}: its plan is carried out, the new content stands",
                shown(p)
            ),
            (Repair::Finished(p), Lang::Zh) => format!(
                "上次运行在替换 {} 后中断：新内容已生效，已删除旧内容的备份",
                shown(p)
            ),
            (Repair::Finished(p), Lang::En) => format!(
                "the last run was cut short after replacing {}: the new content stands, the old copy is removed",
                shown(p)
            ),
            (Repair::Pending { path, kept: true }, Lang::Zh) => format!(
                "上次发布在更新 {} 前中断：发布已完成，已补上登记簿的发布记录",
                shown(path)
            ),
            (Repair::Pending { path, kept: true }, Lang::En) => format!(
                "the last release was cut short before updating {}: the release exists, its stamp is now recorded",
                shown(path)
            ),
            (Repair::Pending { path, kept: false }, Lang::Zh) => format!(
                "上次发布在完成前中断：没有生成发布包，{} 保持原样",
                shown(path)
            ),
            (Repair::Pending { path, kept: false }, Lang::En) => format!(
                "the last release was cut short before it was made: no release, {} is as it was",
                shown(path)
            ),
        };
        errln!("yima: {say}");
    }
    Ok(())
}

/// The message of a swap of `items/` that did not happen: the catalog is
/// as it was, or — when the old tree could not be put back — where it waits
/// for the next run.
pub fn commit_failure(c: &crate::catalog::CommitFailed, lang: Lang) -> String {
    match (&c.stranded, lang) {
        (None, Lang::Zh) => format!("无法替换 {}：{}；目录未做任何改动", c.path, c.source),
        (None, Lang::En) => format!(
            "cannot replace {}: {}; the catalog is unchanged",
            c.path, c.source
        ),
        (Some(old), Lang::Zh) => format!(
            "无法替换 {}：{}；原目录完整保存在 {old}，下次运行 yima 时自动恢复",
            c.path, c.source
        ),
        (Some(old), Lang::En) => format!(
            "cannot replace {}: {}; the previous catalog is whole at {old} and the next yima run puts it back",
            c.path, c.source
        ),
    }
}

/// Says on stderr that a write succeeded but the tree it replaced could
/// not be removed (the next run removes it).
pub fn warn_leftover(path: &str, why: &str, lang: Lang) {
    errln!(
        "yima: {}",
        match lang {
            Lang::Zh => format!(
                "已写入；但替换下来的旧内容 {path} 未能删除（{why}），下次运行 yima 时会再删除"
            ),
            Lang::En => format!(
                "written; the replaced copy {path} could not be removed ({why}); the next yima run removes it"
            ),
        }
    );
}

//! `yima release VERSION`: writes `releases/VERSION/` — the build, the
//! manifest, the change log — then brings the guides of `dist/` up to its
//! stamps. Refuses to overwrite a release, and refuses when the catalog
//! fails `yima check` or `yima assign --check`.

use super::failure::{Failure, Result};
use super::{EXIT_OK, require_workspace};
use crate::diag::Lang;
use crate::release;
use std::io::IsTerminal;
use std::path::Path;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// 版本号，如 2026.1
    pub version: String,

    /// 在标准错误输出各阶段耗时（读取目录、检查、生成、变更说明、清单、替换、更新 dist/ 的版本标记）
    #[arg(long)]
    pub timings: bool,
}

pub fn run(args: Args, workspace: Option<&Path>, lang: Lang) -> Result<u8> {
    let ws = require_workspace(workspace, lang)?;
    let progress = std::io::stderr().is_terminal();
    let s = release::release(&ws, &args.version, progress).map_err(|e| {
        Failure::new(match (&e, lang) {
            (release::ReleaseError::BadVersion(v, why), Lang::Zh) => format!(
                "版本号 “{}” 不能用作文件夹名：{}",
                crate::report::inert(v),
                bad_version_zh(why)
            ),
            (release::ReleaseError::Exists(v), Lang::Zh) => {
                format!("版本 {v} 已发布，发布包不会被覆盖")
            }
            (release::ReleaseError::CheckFailed(n), Lang::Zh) => {
                format!("目录有 {n} 个错误，未发布（运行 yima check items/ 查看）")
            }
            (release::ReleaseError::CodesFailed(problems), _) => {
                let mut s = match lang {
                    Lang::Zh => format!("编码有 {} 个问题，未发布：", problems.len()),
                    Lang::En => format!(
                        "the codes have {} problems, nothing released:",
                        problems.len()
                    ),
                };
                super::assign::list_problems(&mut s, problems, lang);
                s
            }
            (release::ReleaseError::Catalog(c), _) => {
                let why = super::build::catalog_failure(c, lang);
                match lang {
                    Lang::Zh => format!("未发布：{why}"),
                    Lang::En => format!("nothing released: {why}"),
                }
            }
            (release::ReleaseError::Publish(p), _) => super::build::publish_failure(p, lang),
            (release::ReleaseError::Previous(v, why), Lang::Zh) => {
                format!("上一版 {v} 无法读取，无法生成变更说明，未发布：{why}")
            }
            _ => e.to_string(),
        })
    })?;
    if let Some(why) = &s.registry_pending {
        errln!(
            "yima: {}",
            match lang {
                Lang::Zh => format!(
                    "发布已完成，但登记簿的发布记录未能写入 items/codes.lock（{why}）；下次运行 yima 时自动补上"
                ),
                Lang::En => format!(
                    "released, but its stamp could not be written into items/codes.lock ({why}); the next yima run writes it"
                ),
            }
        );
    }
    let dist = crate::filing::display_path(&ws.path(&ws.config.paths.dist));
    match &s.dist {
        Err(why) => errln!(
            "yima: {}",
            match lang {
                Lang::Zh => format!(
                    "发布已完成，但 {dist} 中的办事指南未能换上本版的版本标记（{why}）；下次 yima build 时换上"
                ),
                Lang::En => format!(
                    "released, but the guides in {dist} could not be brought up to its stamps ({why}); the next yima build does it"
                ),
            }
        ),
        Ok(r) => {
            if let Some((path, why)) = &r.leftover {
                super::writes::warn_leftover(path, why, lang);
            }
        }
    }
    let c = &s.counts;
    let dir = crate::filing::display_path(&s.dir);
    match lang {
        Lang::Zh => {
            outln!(
                "已发布 {}：{} 个文件（新生成 {} 个，沿用上一版本或上次生成且未改变的 {} 个）",
                dir,
                s.files,
                s.rendered.written,
                s.rendered.reused
            );
            outln!(
                "对比 {}：本版 {} 个事项，新增 {}，注销 {}，更名 {}，要素变更 {}；本版首次发布的编码 {} 个",
                s.previous.as_deref().unwrap_or("（首次发布）"),
                c.after,
                c.added,
                c.retired,
                c.renamed,
                c.changed,
                s.stamped
            );
            if let Ok(r) = &s.dist
                && r.files > 0
            {
                outln!("{dist} 中 {} 个文件换上了本版的版本标记", r.files);
            }
        }
        Lang::En => {
            outln!(
                "released {}: {} files ({} rendered, {} unchanged ones taken from the previous release or build)",
                dir,
                s.files,
                s.rendered.written,
                s.rendered.reused
            );
            outln!(
                "against {}: {} entries, {} added, {} retired, {} renamed, {} changed; {} codes first released",
                s.previous.as_deref().unwrap_or("(first release)"),
                c.after,
                c.added,
                c.retired,
                c.renamed,
                c.changed,
                s.stamped
            );
            if let Ok(r) = &s.dist
                && r.files > 0
            {
                outln!("{} files in {dist} now show the release's stamps", r.files);
            }
        }
    }
    if args.timings {
        // One line a stage, `stage<TAB>seconds`, as `yima build --timings`.
        for (stage, took) in &s.stages {
            errln!("{stage}\t{:.3}", took.as_secs_f64());
        }
        errln!("parsed\t{}", crate::catalog::lazy::parses());
    }
    Ok(EXIT_OK)
}

/// Why a version cannot name a release, in Chinese.
fn bad_version_zh(why: &release::BadVersion) -> String {
    use release::BadVersion::*;
    match why {
        Empty => "版本号为空".into(),
        TooLong => "超过 64 个字符".into(),
        Start(c) => format!("须以字母或数字开头，不能以 “{c}” 开头"),
        End(c) => format!("须以字母或数字结尾，不能以 “{c}” 结尾"),
        Char(c) => format!(
            "不能含有 “{}”，只能用字母、数字、“.”、“-”、“_”",
            crate::report::inert(&c.to_string())
        ),
        DotDot => "不能含有 “..”".into(),
        Device(_) => {
            "这是 Windows 的设备名（CON、PRN、AUX、NUL、COM1–9、LPT1–9），不能作文件夹名".into()
        }
    }
}

//! `yima export --format platform|datapackage --out DIR`: the catalog in
//! the provincial platform's exchange tables, or as an open data package.
//! Exit 0 written, 2 when it could not be (nothing is left half-written).

use super::failure::{Failure, Result};
use super::{EXIT_OK, require_workspace};
use crate::diag::Lang;
use crate::exchange::envelope::Envelope;
use crate::exchange::{ExchangeError, datapackage, export};
use std::path::{Path, PathBuf};

/// What to export as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// 省级政务服务平台的交换表（JSON Lines）
    Platform,
    /// 开放数据包（Frictionless：CSV 与 datapackage.json）
    Datapackage,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// 导出格式
    #[arg(long, value_enum)]
    pub format: Format,
    /// 输出目录（其中同名文件被替换）
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// 同步批次所依据的发布版本（默认最新一版）
    #[arg(long, value_name = "VERSION")]
    pub release: Option<String>,
    /// 同步时间，如 "2026-03-01 09:30:00"（默认该版本发布的时间）
    #[arg(long, value_name = "TIME")]
    pub time: Option<String>,
}

/// The user's message for an export or import that could not run.
pub fn describe(e: &ExchangeError, lang: Lang) -> String {
    match (e, lang) {
        (ExchangeError::Io { path, source }, Lang::Zh) => format!("无法读写 {path}：{source}"),
        (ExchangeError::Entry { path, message }, Lang::Zh) => {
            format!("{path} 不是有效的目录条目：{message}（运行 yima check items/ 查看）")
        }
        (ExchangeError::NoTables(dir), Lang::Zh) => {
            format!("{dir} 中没有交换表（task_directory.jsonl、task_general_basic.jsonl 等）")
        }
        (
            ExchangeError::Envelope(crate::exchange::envelope::EnvelopeError::NoRelease(v)),
            Lang::Zh,
        ) => {
            format!("releases/ 下没有版本 {v}")
        }
        (
            ExchangeError::Envelope(crate::exchange::envelope::EnvelopeError::BadTime(t)),
            Lang::Zh,
        ) => {
            format!("“{t}”不是时间：请写成 2026-03-01 或 2026-03-01 09:30:00")
        }
        (ExchangeError::Lock(l), _) => super::lock_message(l, lang),
        (ExchangeError::Stale, Lang::Zh) => {
            "导入期间目录被另一次运行修改；目录未做任何改动，请重新运行".into()
        }
        (ExchangeError::Write(w), Lang::Zh) => {
            format!("无法写入 {}：{}；目录未做任何改动", w.path, w.source)
        }
        (ExchangeError::Codes(c), Lang::Zh) => format!("平台代码对照表无效：{c}"),
        (ExchangeError::Commit(c), _) => super::writes::commit_failure(c, lang),
        (other, _) => other.to_string(),
    }
}

pub fn run(args: Args, workspace: Option<&Path>, lang: Lang) -> Result<u8> {
    let ws = require_workspace(workspace, lang)?;
    let fail = |e: ExchangeError| Failure::new(describe(&e, lang));
    let (files, headline) = match args.format {
        Format::Platform => {
            let env = Envelope::of(&ws, args.release.as_deref(), args.time.as_deref())
                .map_err(|e| fail(e.into()))?;
            let s = export::platform(&ws, &args.out, &env).map_err(fail)?;
            let head = match lang {
                Lang::Zh => format!(
                    "已导出 {} 个事项、{} 个基本编码（批次 {}，同步时间 {}）",
                    s.entries, s.codes, env.batch, env.time
                ),
                Lang::En => format!(
                    "exported {} entries and {} codes (batch {}, time {})",
                    s.entries, s.codes, env.batch, env.time
                ),
            };
            (s.files, head)
        }
        Format::Datapackage => {
            let s = datapackage::write(&ws, &args.out).map_err(fail)?;
            let rows = s.files.first().map_or(0, |(_, n)| *n);
            let head = match lang {
                Lang::Zh => format!("已导出开放数据包：{rows} 个事项"),
                Lang::En => format!("exported the data package: {rows} entries"),
            };
            (s.files, head)
        }
    };
    outln!("{headline}");
    let dir = crate::filing::display_path(&args.out);
    for (name, n) in files {
        match lang {
            Lang::Zh => outln!("  {dir}/{name}  {n} 行"),
            Lang::En => outln!("  {dir}/{name}  {n} rows"),
        }
    }
    if args.format == Format::Datapackage {
        outln!("  {dir}/{}", datapackage::DESCRIPTOR);
    }
    Ok(EXIT_OK)
}

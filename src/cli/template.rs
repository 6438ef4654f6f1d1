//! `yima template [-o FILE] [--force]`: writes the blank filing workbook of the
//! workspace's standard (the embedded one when there is no workspace).
//! Exit 0 written, 2 when the file exists (without `--force`) or cannot be written.

use super::EXIT_OK;
use super::failure::{Failure, Result};
use crate::diag::Lang;
use crate::filing::display_path;
use crate::filing::template::{self, Prefill};
use crate::workspace::Workspace;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// 输出文件（.xlsx）
    #[arg(
        short = 'o',
        long = "output",
        value_name = "FILE",
        default_value = "填报表.xlsx"
    )]
    pub output: PathBuf,

    /// 覆盖已存在的文件
    #[arg(long)]
    pub force: bool,

    /// 预填该实施主体（统一社会信用代码）目录中的现有事项及编码，便于修订后重新导入
    #[arg(long, value_name = "USCC")]
    pub agency: Option<String>,
}

/// The current entries of one agency, as filled rows.
fn prefill(ws: &Workspace, uscc: &str, lang: Lang) -> Result<Prefill> {
    let catalog = crate::assign::load(ws).map_err(|e| Failure::new(e.to_string()))?;
    let mut entries: Vec<&crate::catalog::CatalogEntry> = catalog
        .entries()
        .filter(|c| c.agency_code == uscc && c.status == crate::codes::registry::Status::Active)
        .collect();
    if entries.is_empty() {
        return Err(Failure::new(match lang {
            Lang::Zh => format!("目录中没有实施主体编码为 {uscc} 的有效事项"),
            Lang::En => format!("the catalog has no active entry of agency {uscc}"),
        }));
    }
    entries.sort_by(|a, b| a.impl_code.cmp(&b.impl_code));
    let mut fill = Prefill::default();
    for (i, c) in entries.into_iter().enumerate() {
        let rows = crate::catalog::convert::to_cells(c, i as u32 + 1, &ws.standard);
        fill.items.push(rows.entry);
        fill.materials.extend(rows.materials);
        fill.fees.extend(rows.fees);
        fill.questions.extend(rows.questions);
    }
    Ok(fill)
}

pub fn run(args: Args, workspace: Option<&Path>, lang: Lang) -> Result<u8> {
    let out = &args.output;
    let shown = display_path(out);
    let is_xlsx = out
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    if !is_xlsx {
        return Err(Failure::new(match lang {
            Lang::Zh => format!("输出文件应以 .xlsx 结尾：{shown}"),
            Lang::En => format!("the output file must end in .xlsx: {shown}"),
        }));
    }
    // A filled-in workbook is a department's work: never replace it by accident.
    if out.exists() && !args.force {
        return Err(Failure::new(match lang {
            Lang::Zh => format!("文件已存在：{shown}；如需覆盖请加 --force"),
            Lang::En => format!("{shown} already exists; add --force to overwrite it"),
        }));
    }
    let ws = match &args.agency {
        Some(_) => super::require_workspace(workspace, lang)?,
        None => super::workspace(workspace, lang)?,
    };
    let fill = match &args.agency {
        Some(uscc) => prefill(&ws, &uscc.trim().to_uppercase(), lang)?,
        None => Prefill::default(),
    };
    template::write(&ws.standard, &fill, out)
        .map_err(|e| Failure::new(e.describe().get(lang).to_string()))?;
    let done = match lang {
        Lang::Zh => format!("已生成填报表：{shown}\n填写后可运行 yima check {shown} 检查。\n"),
        Lang::En => format!(
            "wrote the filing workbook: {shown}\nonce filled in, check it with: yima check {shown}\n"
        ),
    };
    // The workbook is written; a closed pipe for the message is not an error.
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(done.as_bytes())
        .and_then(|()| stdout.flush());
    Ok(EXIT_OK)
}

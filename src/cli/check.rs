//! `yima check PATH…`: checks filings (or a folder of them) and prints every
//! finding. Exit 0 no error, 1 errors found, 2 usage error or missing path.

use super::failure::{Failure, Result};
use super::{EXIT_FINDINGS, EXIT_OK};
use crate::diag::Lang;
use crate::report::{self, Format, Human};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// 填报表文件或目录（目录中的 xlsx/xls/ods 与 CSV 对都会被检查）
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// 输出格式
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// 把警告也当作错误（退出码 1）
    #[arg(long, value_enum, value_name = "WHAT")]
    pub deny: Option<Deny>,

    /// Stop after reading (structural findings only): the benchmark's
    /// figure for the reading stage.
    #[arg(long, hide = true)]
    pub read_only: bool,
}

/// What `--deny` turns into errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Deny {
    /// 警告
    Warnings,
}

pub fn run(args: Args, workspace: Option<&Path>, lang: Lang) -> Result<u8> {
    for p in &args.paths {
        if !p.exists() {
            return Err(Failure::new(match lang {
                Lang::Zh => format!("路径不存在：{}", p.display()),
                Lang::En => format!("no such file or folder: {}", p.display()),
            }));
        }
    }
    let ws = super::workspace(workspace, lang)?;
    let checked = if args.read_only {
        crate::check::read_paths(&args.paths, &ws)
    } else {
        crate::check::check_paths(&args.paths, &ws, args.format == Format::Junit)
    }
    .map_err(|e| Failure::new(e.to_string()))?;
    let stdout = std::io::stdout();
    let human = Human {
        color: stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        width: None,
    };
    let text = report::render(&checked.report, args.format, lang, &human);
    let mut out = stdout.lock();
    // A closed pipe (`yima check … | head`) is not an error.
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
    drop(out);
    // Nothing checked is not success: said after the report (on stdout
    // beside the human report, on stderr beside a machine-read one).
    let nothing = nothing_checked(&checked.report, &args.paths, lang);
    if let Some(message) = &nothing {
        if args.format == Format::Human {
            outln!("{message}");
        } else {
            eprintln!("{message}");
        }
    }
    let deny = args.deny == Some(Deny::Warnings);
    Ok(if checked.report.failed(deny) || nothing.is_some() {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    })
}

/// What was not checked although asked for: no filing found at all, or
/// filings without a single entry that no error explains (a blank
/// template). None when every filing had entries.
pub fn nothing_checked(
    report: &crate::diag::Report,
    paths: &[PathBuf],
    lang: Lang,
) -> Option<String> {
    if report.files.is_empty() {
        let paths = paths
            .iter()
            .map(|p| crate::filing::display_path(p))
            .collect::<Vec<_>>()
            .join(" ");
        return Some(match lang {
            Lang::Zh => format!(
                "没有找到要检查的填报表：{paths} 中没有 .xlsx、.xls、.ods 工作簿，也没有成对的“…事项.csv”“…申请材料.csv”。什么也没有检查，不算通过。"
            ),
            Lang::En => format!(
                "no filing found in {paths}: no .xlsx, .xls or .ods workbook and no CSV pair “…事项.csv” / “…申请材料.csv”. Nothing was checked, which is not a pass."
            ),
        });
    }
    let blank: Vec<&str> = report
        .files
        .iter()
        .filter(|f| f.entries == 0 && f.errors == 0)
        .map(|f| f.file.as_str())
        .collect();
    if blank.is_empty() {
        return None;
    }
    let lines = blank
        .iter()
        .map(|f| match lang {
            Lang::Zh => format!("{f}：没有读到任何事项（“事项”表的表头下面是空的），不算通过。"),
            Lang::En => {
                format!(
                    "{f}: no entry was read (sheet 事项 is blank below its header); not a pass."
                )
            }
        })
        .collect::<Vec<_>>();
    Some(lines.join("\n"))
}

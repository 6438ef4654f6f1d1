//! `yima check PATH…`: checks filings (or a folder of them) and prints every
//! finding — or writes them (`-o FILE`), as the batch page (`--format
//! html`), and each filing's own workbook marked (`--annotate DIR`).
//! Exit 0 no error, 1 errors found (or nothing checked), 2 usage error,
//! missing path, or an output that could not be written.

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

    /// 把报告写入文件（而不是屏幕），如 -o 检查报告.html
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// 把每个填报表标注后写入该目录：问题单元格标红（错误）或标黄（警告）并加批注，第一个工作表“检查结果”列出全部问题
    #[arg(long, value_name = "DIR")]
    pub annotate: Option<PathBuf>,

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
        color: args.output.is_none()
            && stdout.is_terminal()
            && std::env::var_os("NO_COLOR").is_none(),
        width: None,
    };
    // The filings themselves, for the rows of the batch page and the
    // annotated workbooks (catalog folders are neither).
    let filings = || {
        let files: Vec<PathBuf> = args
            .paths
            .iter()
            .filter(|p| !crate::check::is_catalog_dir(p))
            .cloned()
            .collect();
        crate::filing::discover(&files).unwrap_or_default()
    };
    let text = match args.format {
        Format::Html => {
            let rows = report::rows::gather(&checked.report, &filings(), &ws.standard);
            report::html::render(&checked.report, &rows, lang)
        }
        format => report::render(&checked.report, format, lang, &human),
    };
    let mut failed_writes = false;
    match &args.output {
        Some(path) => {
            if let Err(e) = crate::fsx::write_atomic(path, text.as_bytes()) {
                eprintln!(
                    "{}",
                    match lang {
                        Lang::Zh => format!("无法写入 {}：{e}", path.display()),
                        Lang::En => format!("cannot write {}: {e}", path.display()),
                    }
                );
                failed_writes = true;
            } else if args.format != Format::Human {
                eprintln!(
                    "{}",
                    match lang {
                        Lang::Zh => format!("报告已写入 {}", path.display()),
                        Lang::En => format!("report written to {}", path.display()),
                    }
                );
            } else {
                outln!(
                    "{}",
                    match lang {
                        Lang::Zh => format!("报告已写入 {}", path.display()),
                        Lang::En => format!("report written to {}", path.display()),
                    }
                );
            }
        }
        None => {
            let mut out = stdout.lock();
            // A closed pipe (`yima check … | head`) is not an error.
            let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
        }
    }
    if let Some(dir) = &args.annotate {
        // Beside a report on stdout that a program reads, the lines go to
        // stderr.
        let to_stderr = args.output.is_none() && args.format != Format::Human;
        let say = |line: String| {
            if to_stderr {
                eprintln!("{line}");
            } else {
                outln!("{line}");
            }
        };
        for o in crate::annotate::write_all(&filings(), &checked.report, dir, lang) {
            match o.result {
                Ok(w) => say(match lang {
                    Lang::Zh => format!(
                        "已写入 {}（标出 {} 个单元格{}）",
                        crate::filing::display_path(&w.path),
                        w.cells,
                        if w.rebuilt { "，按值重建" } else { "" }
                    ),
                    Lang::En => format!(
                        "wrote {} ({} cells marked{})",
                        crate::filing::display_path(&w.path),
                        w.cells,
                        if w.rebuilt {
                            ", rebuilt from values"
                        } else {
                            ""
                        }
                    ),
                }),
                Err(e) => {
                    failed_writes = true;
                    eprintln!("{}：{}", o.filing, e.describe().get(lang));
                }
            }
        }
    }
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
    Ok(if failed_writes {
        super::EXIT_USAGE
    } else if checked.report.failed(deny) || nothing.is_some() {
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

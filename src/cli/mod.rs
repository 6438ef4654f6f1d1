//! The command line: global options and one module per subcommand. Each
//! command returns its exit code; `main` only maps errors to code 2.
//! This is the one layer that prints; the library stages below never do.
#![allow(clippy::print_stdout, clippy::print_stderr)]

/// `println!` that ends quietly when stdout is closed (`yima … | head`)
/// instead of panicking, as a good command-line tool does.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

/// `eprintln!` that ends quietly when stderr is closed (`yima … 2>&1 | true`).
macro_rules! errln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

/// `print!` that ends quietly when stdout is closed.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout(), $($arg)*);
    }};
}

pub mod args;
pub mod assign;
pub mod build;
pub mod check;
pub mod completions;
pub mod console;
pub mod diff;
pub mod explain;
pub mod export;
pub mod import;
pub mod ingest;
pub mod init;
pub mod release;
pub mod schema;
pub mod serve;
pub mod stats;
pub mod template;
pub mod verify;
pub mod writes;

use crate::diag::Lang;
use crate::workspace::Workspace;
use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};

/// Exit code: the run found no error.
pub const EXIT_OK: u8 = 0;
/// Exit code: errors were found (or warnings, under `--deny warnings`).
pub const EXIT_FINDINGS: u8 = 1;
/// Exit code: usage error, or a path or workspace that cannot be used.
pub const EXIT_USAGE: u8 = 2;

/// yima（一码）：政务服务事项填报表检查、统一赋码与目录发布工具
#[derive(Debug, Parser)]
#[command(name = "yima", version, about, long_about = None)]
pub struct Cli {
    /// 工作区目录（含 yima.yaml）；默认从当前目录向上查找
    #[arg(short = 'C', long = "workspace", global = true, value_name = "DIR")]
    pub workspace: Option<PathBuf>,

    /// 消息语言
    #[arg(long, global = true, value_enum, default_value_t = Lang::Zh)]
    pub lang: Lang,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// 检查填报表（xlsx/xls/ods/CSV 或目录），报告每个问题所在的单元格
    Check(check::Args),
    /// 生成标准填报表（下拉选项、表头批注、填表说明）
    Template(template::Args),
    /// 解释一条规则：检查什么、为什么、错误与正确示例
    Explain(explain::Args),
    /// 检查填报表并导入目录：赋码、新增、变更、注销（有错误时不写入）
    Ingest(ingest::Args),
    /// 为没有编码的条目赋码、生成实施编码；--check 只检查编码一致性
    Assign(assign::Args),
    /// 新建工作区（yima.yaml 与空目录）
    Init(init::Args),
    /// 生成办事指南、分级事项目录与目录网站（dist/）
    Build(build::Args),
    /// 统计指标：即办件占比、承诺时限压缩率、只跑一次、全程网办等
    Stats(stats::Args),
    /// 发布版本：releases/VERSION/（构建结果、清单、变更说明）
    Release(release::Args),
    /// 比较两个版本或目录的变化（新增、注销、更名、逐要素变更）
    Diff(diff::Args),
    /// 校验发布包：重新计算清单，报告改动、缺失或多出的文件
    Verify(verify::Args),
    /// 输出目录条目文件的 JSON Schema
    Schema(schema::Args),
    /// 导出目录：省级平台交换表（--format platform）或开放数据包（--format datapackage）
    Export(export::Args),
    /// 导入省级平台交换表：上级基本目录登记入编码簿，实施清单导入为条目
    Import(import::Args),
    /// 在浏览器中检查填报表：本机服务台（只对本机开放）
    Serve(serve::Args),
    /// 生成 shell 补全脚本
    Completions(completions::Args),
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> failure::Result<u8> {
    writes::recover(cli.workspace.as_deref(), cli.lang)?;
    match cli.command {
        Command::Check(args) => check::run(args, cli.workspace.as_deref(), cli.lang),
        Command::Template(args) => template::run(args, cli.workspace.as_deref(), cli.lang),
        Command::Explain(args) => explain::run(args, cli.lang),
        Command::Ingest(args) => ingest::run(args, cli.workspace.as_deref(), cli.lang),
        Command::Assign(args) => assign::run(args, cli.workspace.as_deref(), cli.lang),
        Command::Init(args) => init::run(args, cli.lang),
        Command::Build(args) => build::run(args, cli.workspace.as_deref(), cli.lang),
        Command::Stats(args) => stats::run(args, cli.workspace.as_deref(), cli.lang),
        Command::Release(args) => release::run(args, cli.workspace.as_deref(), cli.lang),
        Command::Diff(args) => diff::run(args, cli.workspace.as_deref(), cli.lang),
        Command::Verify(args) => verify::run(args, cli.lang),
        Command::Schema(args) => schema::run(args, cli.workspace.as_deref()),
        Command::Export(args) => export::run(args, cli.workspace.as_deref(), cli.lang),
        Command::Import(args) => import::run(args, cli.workspace.as_deref(), cli.lang),
        Command::Serve(args) => serve::run(args, cli.workspace.as_deref(), cli.lang),
        Command::Completions(args) => completions::run(args),
    }
}

/// Fails with exit code 2 when a path does not exist.
pub fn check_paths_exist(paths: &[PathBuf], lang: Lang) -> failure::Result<()> {
    for p in paths {
        if !p.exists() {
            return Err(failure::Failure::new(match lang {
                Lang::Zh => format!("路径不存在：{}", p.display()),
                Lang::En => format!("no such file or folder: {}", p.display()),
            }));
        }
    }
    Ok(())
}

/// The message of a workspace that another process is writing.
pub fn lock_message(e: &crate::fsx::LockError, lang: Lang) -> String {
    match (e, lang) {
        (crate::fsx::LockError::Busy(p), Lang::Zh) => format!(
            "另一个 yima 进程正在写入该工作区（{}），请等它结束后再运行",
            crate::filing::display_path(p)
        ),
        (crate::fsx::LockError::Busy(p), Lang::En) => format!(
            "another yima process is writing this workspace ({}); run again when it is done",
            crate::filing::display_path(p)
        ),
        (other, _) => other.to_string(),
    }
}

/// The workspace of a run (`-C DIR`, the nearest `yima.yaml`, or the
/// defaults); one that cannot be used is told in the user's language.
pub fn workspace(dir: Option<&Path>, lang: Lang) -> failure::Result<Workspace> {
    Workspace::discover(dir).map_err(|e| failure::Failure::new(e.describe().get(lang)))
}

/// The workspace of a command that writes the catalog: one must exist.
pub fn require_workspace(dir: Option<&Path>, lang: Lang) -> failure::Result<Workspace> {
    let ws = workspace(dir, lang)?;
    if ws.root.is_none() {
        return Err(failure::Failure::new(match lang {
            Lang::Zh => {
                "当前目录不在 yima 工作区中（找不到 yima.yaml）；请先运行 yima init，或用 -C 指定工作区"
            }
            Lang::En => {
                "not inside a yima workspace (no yima.yaml found): run `yima init` first, or name one with -C"
            }
        }));
    }
    Ok(ws)
}

/// Errors that end a command with exit code 2.
pub mod failure {
    /// A message for the user; the command exits with code 2.
    #[derive(Debug, thiserror::Error)]
    #[error("{0}")]
    pub struct Failure(pub String);

    pub type Result<T> = std::result::Result<T, Failure>;

    impl Failure {
        pub fn new(msg: impl Into<String>) -> Self {
            Failure(msg.into())
        }
    }
}

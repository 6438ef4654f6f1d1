//! The command line: global options and one module per subcommand. Each
//! command returns its exit code; `main` only maps errors to code 2.

pub mod check;
pub mod completions;
pub mod explain;
pub mod template;

use crate::diag::Lang;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

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
    /// 生成 shell 补全脚本
    Completions(completions::Args),
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> anyhow_free::Result<u8> {
    match cli.command {
        Command::Check(args) => check::run(args, cli.workspace.as_deref(), cli.lang),
        Command::Template(args) => template::run(args, cli.workspace.as_deref(), cli.lang),
        Command::Explain(args) => explain::run(args, cli.lang),
        Command::Completions(args) => completions::run(args),
    }
}

/// Errors that end a command with exit code 2.
pub mod anyhow_free {
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

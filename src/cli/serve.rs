//! `yima serve [--port N]`: the desk in the browser, on this computer only.
//! Runs until stopped (Ctrl+C); exit 2 when it cannot start (an address that
//! is not this computer's, a port in use).

use super::failure::{Failure, Result};
use crate::diag::Lang;
use crate::serve::{DEFAULT_LIMIT, DEFAULT_PORT, Desk, Options};
use std::io::Write;
use std::path::Path;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// 端口（0 表示任选一个空闲端口）
    #[arg(long, default_value_t = DEFAULT_PORT)]
    pub port: u16,

    /// 监听地址：只能是本机地址 127.0.0.1、::1 或 localhost
    #[arg(long, default_value = "127.0.0.1", value_name = "ADDR")]
    pub bind: String,

    /// 一次上传的大小上限（MB）
    #[arg(long, default_value_t = DEFAULT_LIMIT >> 20, value_name = "MB")]
    pub max_upload_mb: u64,
}

pub fn run(args: Args, workspace: Option<&Path>, lang: Lang) -> Result<u8> {
    let ws = super::workspace(workspace, lang)?;
    let options = Options {
        bind: args.bind,
        port: args.port,
        limit: args.max_upload_mb.saturating_mul(1 << 20),
        lang,
    };
    let desk = Desk::start(&options, ws).map_err(|e| Failure::new(e.describe().get(lang)))?;
    let url = desk.url();
    let mut out = std::io::stdout();
    let _ = writeln!(
        out,
        "{}",
        match lang {
            Lang::Zh => format!(
                "yima 服务台已启动：{url}\n请在浏览器中打开上面的地址；只有本机可以访问。按 Ctrl+C 停止。"
            ),
            Lang::En => format!(
                "the yima desk is at {url}\nopen it in a browser; only this computer can reach it. Ctrl+C stops it."
            ),
        }
    );
    let _ = out.flush();
    desk.serve();
    Ok(super::EXIT_OK)
}

//! From the process's arguments to a [`Cli`]: the bare-file form (`yima
//! 填报表.xlsx` is `yima check 填报表.xlsx`, which is what dropping files on
//! `yima.exe` gives), and clap's own help and errors in the user's language —
//! in Chinese mode, Chinese throughout: headings, usage errors, unknown
//! commands and options with the one that was meant.

use super::{Cli, EXIT_OK, EXIT_USAGE};
use crate::diag::Lang;
use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{CommandFactory, FromArgMatches};
use std::ffi::OsString;
use std::path::Path;

/// What the arguments ask for.
pub enum Parsed {
    /// A command to run.
    Run(Cli),
    /// Nothing to run: help, the version or a usage error was printed
    /// (`text`), and the process ends with `code`.
    Done {
        text: String,
        code: u8,
        stderr: bool,
    },
}

/// The language the arguments ask for (`--lang en`), before they are
/// parsed: clap's own messages are given in it too.
pub fn lang_of(args: &[OsString]) -> Lang {
    let mut it = args.iter().map(|a| a.to_string_lossy());
    while let Some(a) = it.next() {
        let value = match a.strip_prefix("--lang") {
            Some("") => it.next().map(|v| v.into_owned()),
            Some(rest) => rest.strip_prefix('=').map(str::to_string),
            None => continue,
        };
        if value.as_deref() == Some("en") {
            return Lang::En;
        }
        return Lang::Zh;
    }
    Lang::Zh
}

/// Parses the process's arguments (the first is the program).
pub fn parse(args: Vec<OsString>) -> Parsed {
    let lang = lang_of(&args);
    let cmd = command(lang);
    let args = rewrite(args, &cmd, lang);
    let mut cmd_for_errors = cmd.clone();
    match cmd
        .try_get_matches_from(&args)
        .and_then(|m| Cli::from_arg_matches(&m))
    {
        Ok(cli) => Parsed::Run(cli),
        Err(e) => failed(e, &mut cmd_for_errors, &args, lang),
    }
}

/// The command line's definition, its help in `lang`.
pub fn command(lang: Lang) -> clap::Command {
    let cmd = Cli::command();
    match lang {
        Lang::En => cmd,
        Lang::Zh => localize(cmd, true),
    }
}

/// Chinese headings and help flags for `cmd` and its subcommands.
fn localize(cmd: clap::Command, top: bool) -> clap::Command {
    let mut cmd = cmd
        .help_template("{about-with-newline}\n用法：{usage}\n\n{all-args}{after-help}")
        .subcommand_help_heading("命令")
        .subcommand_value_name("命令")
        .disable_help_flag(true)
        .disable_help_subcommand(true)
        .mut_args(|a| {
            let heading = if a.is_positional() {
                "参数"
            } else {
                "选项"
            };
            a.help_heading(heading)
        })
        .arg(
            clap::Arg::new("help")
                .short('h')
                .long("help")
                .action(clap::ArgAction::Help)
                .help("显示帮助")
                .help_heading("选项"),
        );
    if top {
        cmd = cmd.disable_version_flag(true).arg(
            clap::Arg::new("version")
                .short('V')
                .long("version")
                .action(clap::ArgAction::Version)
                .help("显示版本")
                .help_heading("选项"),
        );
    }
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in names {
        cmd = cmd.mut_subcommand(name, |s| localize(s, false));
    }
    cmd
}

/// Extensions of files that are filings, for the bare-file form.
const FILING_EXTENSIONS: &[&str] = &["xlsx", "xlsm", "xls", "xlsb", "ods", "csv", "et"];

/// The arguments as clap should read them: `yima FILE…` becomes `yima check
/// FILE…` when the first word is no command but a file (one that exists,
/// or that is named like a filing or a path); in Chinese mode `yima help
/// [COMMAND]` becomes `yima [COMMAND] --help`.
pub fn rewrite(mut args: Vec<OsString>, cmd: &clap::Command, lang: Lang) -> Vec<OsString> {
    let mut i = 1;
    while i < args.len() {
        let a = args[i].to_string_lossy();
        match a.as_ref() {
            // Global options with a value, written apart.
            "-C" | "--workspace" | "--lang" => i += 2,
            s if s.starts_with('-') => {
                // Global options written with their value, and any other
                // option: a bare file comes before options only.
                let global_with_value = s.starts_with("--lang=")
                    || s.starts_with("--workspace=")
                    || (s.starts_with("-C") && s.len() > 2);
                if global_with_value {
                    i += 1;
                } else {
                    return args;
                }
            }
            word => {
                if cmd.find_subcommand(word).is_some() {
                    return args;
                }
                if word == "help" && lang == Lang::Zh {
                    args.remove(i);
                    args.push("--help".into());
                    return args;
                }
                if looks_like_a_file(Path::new(&args[i])) {
                    args.insert(i, "check".into());
                }
                return args;
            }
        }
    }
    args
}

/// Whether a word that is no command names a file: it exists, it has a
/// filing's extension, or it is written as a path.
fn looks_like_a_file(p: &Path) -> bool {
    let s = p.to_string_lossy();
    p.exists()
        || s.contains('/')
        || s.contains('\\')
        || p.extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| FILING_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// What to print for a parse that did not give a command.
fn failed(e: clap::Error, cmd: &mut clap::Command, args: &[OsString], lang: Lang) -> Parsed {
    // (Built, subcommands know their full name: `yima check`.)
    cmd.build();
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => Parsed::Done {
            text: localize_text(&e.render().to_string(), lang),
            code: EXIT_OK,
            stderr: false,
        },
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand | ErrorKind::MissingSubcommand => {
            // `yima` alone (or double-clicked): what it does and how to
            // start, on stdout, as help.
            let sub = subcommand_of(cmd, args);
            let help = match &sub {
                Some(name) => cmd
                    .find_subcommand_mut(name)
                    .map(|s| s.render_help().to_string())
                    .unwrap_or_default(),
                None => cmd.render_help().to_string(),
            };
            let mut text = localize_text(&help, lang);
            if sub.is_none() {
                text.push_str(match lang {
                    Lang::Zh => {
                        "\n检查填报表：把填报表文件拖到 yima 程序图标上，或运行 yima 填报表.xlsx；\n在浏览器中检查：运行 yima serve。\n"
                    }
                    Lang::En => {
                        "\nTo check a filing, drop it on the yima program, or run `yima FILING.xlsx`;\nto check in the browser, run `yima serve`.\n"
                    }
                });
            }
            Parsed::Done {
                text,
                code: EXIT_USAGE,
                stderr: false,
            }
        }
        _ if lang == Lang::En => Parsed::Done {
            text: e.render().to_string(),
            code: EXIT_USAGE,
            stderr: true,
        },
        _ => Parsed::Done {
            text: chinese_error(&e, cmd, args),
            code: EXIT_USAGE,
            stderr: true,
        },
    }
}

/// The subcommand the arguments name, if any.
fn subcommand_of(cmd: &clap::Command, args: &[OsString]) -> Option<String> {
    args.iter().skip(1).find_map(|a| {
        let a = a.to_string_lossy();
        cmd.find_subcommand(a.as_ref())
            .map(|s| s.get_name().to_string())
    })
}

/// clap's rendered help with its remaining English words in `lang`.
fn localize_text(text: &str, lang: Lang) -> String {
    if lang == Lang::En {
        return text.to_string();
    }
    text.replace("[OPTIONS]", "[选项]")
        .replace("<COMMAND>", "<命令>")
        .replace("[COMMAND]", "[命令]")
        .replace("[default: ", "[默认：")
        .replace("[possible values: ", "[可选值：")
        .replace("Possible values:", "可选值：")
        .replace("[aliases: ", "[别名：")
}

/// A context value as plain text.
fn context(e: &clap::Error, kind: ContextKind) -> Option<String> {
    match e.get(kind)? {
        ContextValue::String(s) => Some(s.clone()),
        ContextValue::Strings(v) => Some(v.join("、")),
        ContextValue::StyledStr(s) => Some(s.to_string()),
        ContextValue::StyledStrs(v) => Some(
            v.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("、"),
        ),
        ContextValue::Number(n) => Some(n.to_string()),
        ContextValue::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A usage error in Chinese: what is wrong, the one that was meant, the
/// usage of the command, and where to read more.
fn chinese_error(e: &clap::Error, cmd: &mut clap::Command, args: &[OsString]) -> String {
    let arg = context(e, ContextKind::InvalidArg).unwrap_or_default();
    let value = context(e, ContextKind::InvalidValue).unwrap_or_default();
    // (Several suggestions come as a list: “a”或“b”.)
    let meant = |kind: ContextKind| {
        context(e, kind)
            .map(|s| format!("（是不是“{}”？）", s.replace('、', "”或“")))
            .unwrap_or_default()
    };
    let message = match e.kind() {
        ErrorKind::InvalidSubcommand => {
            let sub = context(e, ContextKind::InvalidSubcommand).unwrap_or_default();
            format!(
                "没有“{sub}”这个命令，也没有叫这个名字的文件{}",
                meant(ContextKind::SuggestedSubcommand)
            )
        }
        ErrorKind::UnknownArgument => {
            let hint = meant(ContextKind::SuggestedArg);
            if arg.starts_with('-') {
                format!("不认识的选项“{arg}”{hint}")
            } else {
                format!("多余的参数“{arg}”{hint}")
            }
        }
        ErrorKind::InvalidValue => {
            let valid = context(e, ContextKind::ValidValue);
            let hint = meant(ContextKind::SuggestedValue);
            let value = if value.is_empty() {
                "（空）".to_string()
            } else {
                value
            };
            match valid {
                Some(v) => format!("{arg} 的值“{value}”无效{hint}，可选：{v}"),
                None => format!("{arg} 的值“{value}”无效{hint}"),
            }
        }
        ErrorKind::ValueValidation => format!("{arg} 的值“{value}”无效"),
        ErrorKind::NoEquals => format!("{arg} 的值要用等号连接，如 {arg}=值"),
        ErrorKind::TooManyValues => format!("{arg} 给的值太多：“{value}”"),
        ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => {
            format!("{arg} 的值的个数不对")
        }
        ErrorKind::ArgumentConflict => {
            let prior = context(e, ContextKind::PriorArg).unwrap_or_default();
            if prior.is_empty() || prior == arg {
                format!("{arg} 只能给一次")
            } else {
                format!("{arg} 不能与 {prior} 同时使用")
            }
        }
        ErrorKind::MissingRequiredArgument => format!("缺少必需的参数：{arg}"),
        _ => "命令行参数有误".to_string(),
    };
    let sub = subcommand_of(cmd, args);
    let usage = match &sub {
        Some(name) => cmd
            .find_subcommand_mut(name)
            .map(|s| s.render_usage().to_string())
            .unwrap_or_default(),
        None => cmd.render_usage().to_string(),
    };
    let usage = localize_text(usage.trim_start_matches("Usage: ").trim(), Lang::Zh);
    let help = match &sub {
        Some(name) => format!("yima {name} --help"),
        None => "yima --help".to_string(),
    };
    format!("错误：{message}\n\n用法：{usage}\n\n运行 {help} 查看说明。\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(args: &[&str]) -> Vec<OsString> {
        args.iter().map(OsString::from).collect()
    }

    fn rewritten(args: &[&str]) -> Vec<String> {
        let cmd = command(Lang::Zh);
        rewrite(os(args), &cmd, Lang::Zh)
            .into_iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn a_bare_file_is_checked() {
        assert_eq!(
            rewritten(&["yima", "填报表.xlsx"]),
            ["yima", "check", "填报表.xlsx"]
        );
        assert_eq!(
            rewritten(&["yima", "--lang", "en", "a.csv", "b.xls"]),
            ["yima", "--lang", "en", "check", "a.csv", "b.xls"]
        );
        assert_eq!(
            rewritten(&["yima", "-C", "ws", r"C:\Users\文员\Desktop\表"]),
            ["yima", "-C", "ws", "check", r"C:\Users\文员\Desktop\表"]
        );
        // Commands, options and unknown words are left to clap.
        assert_eq!(
            rewritten(&["yima", "check", "a.xlsx"]),
            ["yima", "check", "a.xlsx"]
        );
        assert_eq!(rewritten(&["yima", "--version"]), ["yima", "--version"]);
        assert_eq!(rewritten(&["yima", "chek"]), ["yima", "chek"]);
        assert_eq!(
            rewritten(&["yima", "help", "check"]),
            ["yima", "check", "--help"]
        );
    }

    #[test]
    fn the_language_is_read_before_parsing() {
        assert_eq!(lang_of(&os(&["yima", "--lang", "en", "x"])), Lang::En);
        assert_eq!(lang_of(&os(&["yima", "x", "--lang=en"])), Lang::En);
        assert_eq!(lang_of(&os(&["yima", "x"])), Lang::Zh);
    }

    fn error_text(args: &[&str]) -> String {
        match parse(os(args)) {
            Parsed::Done { text, code, stderr } => {
                assert_eq!(code, EXIT_USAGE, "{text}");
                assert!(stderr, "{text}");
                text
            }
            Parsed::Run(_) => panic!("{args:?} parsed"),
        }
    }

    #[test]
    fn usage_errors_are_chinese_with_what_was_meant() {
        let t = error_text(&["yima", "chek", "a"]);
        assert!(t.starts_with("错误：没有“chek”这个命令"), "{t}");
        assert!(t.contains("“check”"), "{t}");
        let t = error_text(&["yima", "check", "--formt", "json", "a.xlsx"]);
        assert!(
            t.contains("不认识的选项“--formt”（是不是“--format”？）"),
            "{t}"
        );
        assert!(t.contains("用法：yima check"), "{t}");
        let t = error_text(&["yima", "check", "--format", "xml", "a.xlsx"]);
        assert!(t.contains("的值“xml”无效"), "{t}");
        assert!(t.contains("可选：human、json"), "{t}");
        let t = error_text(&["yima", "check"]);
        assert!(t.contains("缺少必需的参数"), "{t}");
        for t in [t] {
            for english in [
                "error:",
                "Usage",
                "unrecognized",
                "tip:",
                "For more information",
            ] {
                assert!(!t.contains(english), "{english} in {t}");
            }
        }
    }

    #[test]
    fn help_is_chinese() {
        let Parsed::Done { text, code, .. } = parse(os(&["yima", "check", "--help"])) else {
            panic!("help parsed as a command");
        };
        assert_eq!(code, EXIT_OK);
        for word in ["用法：yima check [选项] <PATH>", "参数", "选项", "显示帮助"] {
            assert!(text.contains(word), "{word} missing in {text}");
        }
        for english in [
            "Usage:",
            "Options:",
            "Arguments:",
            "Print help",
            "[OPTIONS]",
        ] {
            assert!(!text.contains(english), "{english} in {text}");
        }
        let Parsed::Done { text, .. } = parse(os(&["yima", "--help"])) else {
            panic!("help parsed as a command");
        };
        assert!(text.contains("命令：") || text.contains("命令:"), "{text}");
        assert!(!text.contains("Commands:"), "{text}");
    }
}

//! What yima prints to a terminal stays text: cells holding escape
//! sequences, other control characters or bidi overrides are shown inert in
//! the human report, the ingest listing, the statistics, the change report
//! and what verify finds; output into a
//! closed pipe ends quietly; a release version that cannot name a folder on
//! every system is refused with a message saying why.

mod common_catalog;

use common_catalog::*;
use std::io::Read as _;
use std::process::Stdio;

/// Text a cell may hold that a terminal would act on: a title change (OSC),
/// a colour, a CSI from the C1 range, a right-to-left override that makes
/// `exe.txt` read as `txt.exe`, a bell.
const HOSTILE: &str = "登记\u{1b}]0;pwned\u{7}\u{1b}[31m\u{9b}2J\u{202e}txt.exe";

/// The characters of [`HOSTILE`] that must never reach the terminal.
const RAW: [char; 4] = ['\u{1b}', '\u{7}', '\u{9b}', '\u{202e}'];

/// Asserts no character of [`RAW`] is in `out`, and the escaped forms of
/// `shown` are.
#[track_caller]
fn assert_inert(what: &str, out: &str, shown: &[&str]) {
    for c in RAW {
        assert!(
            !out.contains(c),
            "{what}: raw U+{:04X} reaches the terminal:\n{out:?}",
            c as u32
        );
    }
    for s in shown {
        assert!(out.contains(s), "{what}: `{s}` not shown:\n{out}");
    }
}

/// Every hostile character of [`HOSTILE`], escaped.
const ALL_SHOWN: [&str; 3] = ["\\u{1b}]0;pwned\\u{7}", "\\u{9b}2J", "\\u{202e}txt.exe"];

/// A filing of 娄底市民政局 whose item and agency names hold [`HOSTILE`].
fn hostile_filing(ws: &Ws, with_error: bool) -> String {
    let mut a = Agency::civil_affairs();
    a.name = format!("娄底市民政局{HOSTILE}");
    let mut item = Item::new(&a, "行政许可", "民政", &format!("社会团体{HOSTILE}"));
    if with_error {
        item = item.with("咨询电话", "12");
    }
    ws.file("民政-", &Filing::new(vec![item]))
}

#[test]
fn check_shows_control_characters_of_cells_inert() {
    let ws = Ws::new();
    let path = hostile_filing(&ws, true);
    let run = ws.run(&["check", &path]);
    assert_eq!(run.code, 1, "{run}");
    // The report shortens long values; what it shows is escaped.
    assert_inert("check", &run.stdout, &ALL_SHOWN[..1]);
    // JSON keeps the text as it is, escaped by JSON itself.
    let (report, _) = check_json(ws.root(), &[&path]);
    let shown = serde_json::to_string(&report).expect("JSON");
    assert!(shown.contains("\\u001b]0;pwned"), "{shown}");
}

#[test]
fn ingest_stats_diff_and_verify_show_names_inert() {
    let ws = Ws::new();
    let path = hostile_filing(&ws, false);
    let run = ws.run(&["ingest", &path]);
    assert_eq!(run.code, 0, "{run}");
    assert_inert("ingest", &run.stdout, &ALL_SHOWN);
    let run = ws.run(&["stats"]);
    assert_eq!(run.code, 0, "{run}");
    assert_inert("stats", &run.stdout, &ALL_SHOWN);
    // The change report against an empty catalog lists the entry by name.
    let empty = Ws::new();
    let run = ws.run(&["diff", &empty.items().to_string_lossy(), "items"]);
    assert_eq!(run.code, 0, "{run}");
    // (Markdown escapes the brackets besides.)
    assert_inert("diff", &run.stdout, &ALL_SHOWN[1..]);
    // A file added to a release folder, named to act on the terminal.
    let run = ws.run(&["release", "2026.1"]);
    assert_eq!(run.code, 0, "{run}");
    std::fs::write(ws.root().join(format!("releases/2026.1/{HOSTILE}")), "x").expect("add");
    let run = ws.run(&["verify", "releases/2026.1"]);
    assert_eq!(run.code, 1, "{run}");
    assert_inert("verify", &run.stdout, &ALL_SHOWN);
}

/// Runs `yima ARGS` with its output (stdout and stderr together, as
/// `2>&1`) into a pipe whose reader keeps `keep` bytes and hangs up.
fn into_closed_pipe(ws: &Ws, args: &[&str], keep: usize) -> Run {
    use std::os::fd::{AsFd as _, OwnedFd};
    let (reader, writer) = std::io::pipe().expect("pipe");
    let err: OwnedFd = writer.as_fd().try_clone_to_owned().expect("dup");
    let child = command(ws.root())
        .args(args)
        .stdout(Stdio::from(OwnedFd::from(writer)))
        .stderr(Stdio::from(err))
        .spawn()
        .expect("spawn yima");
    let mut reader = reader;
    let mut buf = vec![0u8; keep];
    let _ = reader.read_exact(&mut buf);
    drop(reader);
    let out = child.wait_with_output().expect("wait");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::new(),
        stderr: String::new(),
    }
}

/// `yima completions bash | head` and `yima assign --check 2>&1 | true`:
/// the reader leaves, yima ends quietly with its own exit code (0 here),
/// no panic (which exits 101).
#[test]
fn a_closed_pipe_ends_quietly() {
    let ws = Ws::new();
    let path = ws.file(
        "民政-",
        &Filing::new(vec![Item::new(
            &Agency::civil_affairs(),
            "行政许可",
            "民政",
            "社会团体成立登记",
        )]),
    );
    ws.ingest_ok(&[&path]);
    for (args, keep) in [
        (vec!["completions", "bash"], 10),
        (vec!["assign", "--check"], 0),
        (vec!["--help"], 0),
        (vec!["explain", "uscc-invalid"], 0),
        (vec!["stats"], 0),
    ] {
        let run = into_closed_pipe(&ws, &args, keep);
        assert_eq!(
            run.code, 0,
            "yima {args:?} into a closed pipe: exit {}",
            run.code
        );
    }
    // A command that fails still says so by its exit code.
    let run = into_closed_pipe(&ws, &["check", "no-such-file.xlsx"], 0);
    assert_eq!(run.code, 2);
}

/// Versions that would make a folder that is not one on some system, read
/// as an option, or climb out of `releases/` are refused, with the reason.
#[test]
fn release_refuses_versions_that_cannot_name_a_folder() {
    let ws = Ws::new();
    let path = ws.file(
        "民政-",
        &Filing::new(vec![Item::new(
            &Agency::civil_affairs(),
            "行政许可",
            "民政",
            "社会团体成立登记",
        )]),
    );
    ws.ingest_ok(&[&path]);
    for (version, why) in [
        ("-rf", "须以字母或数字开头"),
        ("con", "Windows 的设备名"),
        ("LPT1.2026", "Windows 的设备名"),
        ("../x", "不能含有 “/”"),
        ("a\\b", "不能含有 “\\”"),
        (".hidden", "须以字母或数字开头"),
        ("2026..1", "不能含有 “..”"),
        ("2026.", "须以字母或数字结尾"),
    ] {
        let run = ws.run(&["release", "--", version]);
        assert_eq!(run.code, 2, "{version}: {run}");
        assert!(run.stderr.contains(why), "{version}: {run}");
        assert!(
            !ws.root().join("releases").exists()
                || std::fs::read_dir(ws.root().join("releases"))
                    .expect("releases")
                    .next()
                    .is_none(),
            "{version}: something was written"
        );
    }
    let run = ws.run(&["release", "2026.1"]);
    assert_eq!(run.code, 0, "{run}");
}

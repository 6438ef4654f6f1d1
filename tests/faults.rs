//! Nothing is lost (SPEC §6), for every command that writes: `ingest`,
//! `assign`, `build` and `release`, killed at each step of their writes or
//! meeting a failed write, a full disk or a read-only folder, leave
//! `items/`, `codes.lock`, `dist/` and `releases/` exactly as before or
//! exactly as after — as every command sees the workspace, once it has
//! repaired what the interrupted run left — and the next run succeeds and
//! leaves no stray file. Also: a swap cut between its renames is repaired
//! the same way by every command, a replaced tree that cannot be removed is
//! reported as what happened, and ingest writes what it checked of a
//! filing that changes while it runs.
//!
//! Faults come from yima's own hook (`src/fsx/fault.rs`, debug builds only):
//! `YIMA_FAULT_LOG` lists the steps a run passes, `YIMA_FAULT=kill@N` ends
//! the run at step N as `kill -9` would, `enospc@N`, `eacces@N+`… make step
//! N (and every later one, with `+`) fail. The killed ingests of
//! `catalog_integrity.rs` kill a real process from outside, by timing.

mod common_catalog;

use common_catalog::*;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

/// A temporary folder, on a RAM disk when there is one: these tests run
/// yima a few hundred times, and every write it makes is flushed to disk.
fn scratch_dir() -> tempfile::TempDir {
    let shm = Path::new("/dev/shm");
    if shm.is_dir()
        && let Ok(dir) = tempfile::Builder::new()
            .prefix("yima-faults")
            .tempdir_in(shm)
    {
        return dir;
    }
    tempfile::tempdir().expect("temp dir")
}

/// Copies a folder (a prepared workspace) into a new temporary one.
fn copy_ws(from: &Path) -> Ws {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).expect("mkdir");
        for e in std::fs::read_dir(from).expect("read dir").flatten() {
            let (src, dst) = (e.path(), to.join(e.file_name()));
            if e.file_type().expect("type").is_dir() {
                copy(&src, &dst);
            } else {
                std::fs::copy(&src, &dst).expect("copy");
            }
        }
    }
    let ws = Ws { dir: scratch_dir() };
    copy(from, ws.root());
    ws
}

/// Every file of the workspace that yima writes — items/, dist/, releases/
/// and whatever an interrupted run leaves beside them — but the filings, the
/// lock file, the stat memos and the entry cache. A memo notes the files
/// written long enough ago ([`yima::fsx::settled::SETTLE_FINE`]), so what it
/// holds depends on how fast this test runs; the entry cache
/// (`dist/.yima.entries` and `.yima.codes`) takes a build's new lines once
/// the build's tree is in place, so a build killed in between leaves them
/// out. Neither ever changes what a command makes: a memo that proved a file
/// wrongly, or a cache line that gave a wrong entry, would show in the
/// outputs of the next run.
fn state(ws: &Ws) -> Tree {
    snapshot(ws.root())
        .into_iter()
        .filter(|(p, _)| {
            !p.starts_with("filings")
                && p != ".yima.lock"
                && !p.ends_with(".yima.stats")
                && p != "dist/.yima.entries"
                && p != "dist/.yima.codes"
        })
        .collect()
}

/// Names in the workspace that only an interrupted run leaves.
fn strays(ws: &Ws) -> Vec<String> {
    snapshot(ws.root())
        .into_keys()
        .filter(|p| p.contains(".yima-") || p.contains(".tmp-"))
        .collect()
}

/// `yima ARGS` with extra environment.
fn run_env(ws: &Ws, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = command(ws.root());
    cmd.args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let run: Run = cmd.output().expect("run yima").into();
    assert!(!run.stderr.contains("panicked"), "yima panicked:\n{run}");
    run
}

/// The steps a run of `args` passes, from a copy of `template`.
fn steps(template: &Path, args: &[&str]) -> Vec<String> {
    let ws = copy_ws(template);
    let log = tempfile::NamedTempFile::new().expect("log file");
    let run = run_env(
        &ws,
        args,
        &[("YIMA_FAULT_LOG", log.path().to_str().expect("UTF-8 path"))],
    );
    assert_eq!(run.code, 0, "{args:?}: {run}");
    std::fs::read_to_string(log.path())
        .expect("log")
        .lines()
        .map(|l| l.split_once(' ').expect("n name").1.to_string())
        .collect()
}

/// The steps to kill at: the first time each step is reached, the last
/// step, and others spread between, `most` in all (the suite stays fast).
fn kill_points(steps: &[String], most: usize) -> Vec<usize> {
    let mut points: Vec<usize> = (0..steps.len())
        .filter(|&i| !steps[..i].contains(&steps[i]))
        .chain([steps.len() - 1])
        .collect();
    let spread = most.saturating_sub(points.len()).max(1);
    points.extend((1..=spread).map(|k| k * steps.len() / (spread + 1)));
    points.sort();
    points.dedup();
    points.into_iter().map(|i| i + 1).collect()
}

/// A command's before and after, and how to check a run of it.
struct Case {
    /// The workspace before the command.
    template: Ws,
    args: Vec<String>,
    before: Tree,
    after: Tree,
    /// The exit code of `yima assign --check` before and after.
    check_before: i32,
    check_after: i32,
}

impl Case {
    /// Runs `args` once on a copy of `template` for the state after.
    fn new(template: Ws, args: &[&str]) -> Case {
        let before = state(&template);
        let reference = copy_ws(template.root());
        let check_before = reference.run(&["assign", "--check"]).code;
        let run = reference.run(args);
        assert_eq!(run.code, 0, "{args:?}: {run}");
        let after = state(&reference);
        let check_after = reference.run(&["assign", "--check"]).code;
        assert_ne!(
            before, after,
            "{args:?} changes nothing: the case proves little"
        );
        Case {
            template,
            args: args.iter().map(|s| s.to_string()).collect(),
            before,
            after,
            check_before,
            check_after,
        }
    }

    fn args(&self) -> Vec<&str> {
        self.args.iter().map(String::as_str).collect()
    }

    /// The state as the next command sees it: a read-only command first
    /// repairs what an interrupted run left; then the state is the one
    /// before or the one after, and the codes check as they do there (no
    /// false "tampered"). Returns which.
    #[track_caller]
    fn settled(&self, ws: &Ws, what: &str) -> bool {
        let check = ws.run(&["assign", "--check"]);
        let now = state(ws);
        let done = now == self.after;
        if !done {
            assert_same_tree(&self.before, &now, what);
        }
        let want = if done {
            self.check_after
        } else {
            self.check_before
        };
        assert_eq!(
            check.code, want,
            "{what}: assign --check after it:\n{check}"
        );
        done
    }

    /// After whatever happened, the command runs to the end and leaves
    /// exactly the state after, with no stray file — or, for a release that
    /// was made, refuses to make it twice.
    #[track_caller]
    fn rerun(&self, ws: &Ws, what: &str, done: bool) {
        let run = ws.run(&self.args());
        if done && self.args[0] == "release" {
            assert_eq!(run.code, 2, "{what}: the next run\n{run}");
            assert!(run.stderr.contains("已发布"), "{what}: {run}");
        } else {
            assert_eq!(run.code, 0, "{what}: the next run\n{run}");
        }
        assert_same_tree(&self.after, &state(ws), &format!("{what}: the next run"));
        assert_eq!(strays(ws), Vec::<String>::new(), "{what}");
    }

    /// Kills the command at the points of [`kill_points`].
    fn kills(&self) {
        let steps = steps(self.template.root(), &self.args());
        assert!(steps.len() >= 8, "{:?}: {steps:?}", self.args);
        let mut landed = 0;
        for k in kill_points(&steps, 10) {
            let ws = copy_ws(self.template.root());
            let spec = format!("kill@{k}");
            let run = run_env(&ws, &self.args(), &[("YIMA_FAULT", &spec)]);
            let what = format!("{:?} killed at step {k} ({})", self.args, steps[k - 1]);
            assert_eq!(run.code, 137, "{what}: {run}");
            landed += 1;
            let done = self.settled(&ws, &what);
            self.rerun(&ws, &what, done);
        }
        assert!(landed >= 6, "{:?}: {landed} kills", self.args);
    }

    /// Makes writes fail: once at a step, or from a step on (a disk that is
    /// full, a folder that cannot be written). A run that fails says why and
    /// leaves the state before; one that ends well has the state after.
    fn failures(&self) {
        let steps = steps(self.template.root(), &self.args());
        let first_write = steps.iter().position(|s| s == "write").expect("a write") + 1;
        let middle = steps.len() / 2;
        let mut specs = vec![
            (format!("enospc@{first_write}"), "No space left on device"),
            (format!("enospc@{middle}+"), "No space left on device"),
            ("eacces@1+".to_string(), "Permission denied"),
            ("erofs@swap".to_string(), "Read-only file system"),
            ("enospc@swap:between".to_string(), "No space left on device"),
        ];
        if steps.iter().any(|s| s == "swap:cleanup") {
            specs.push(("eacces@swap:cleanup".into(), "Permission denied"));
        }
        if steps.iter().any(|s| s == "release:registry") {
            specs.push(("enospc@release:registry".into(), "No space left on device"));
        }
        for (spec, cause) in specs {
            let ws = copy_ws(self.template.root());
            let run = run_env(&ws, &self.args(), &[("YIMA_FAULT", &spec)]);
            let what = format!("{:?} with {spec}", self.args);
            assert!(
                run.stderr.contains(cause),
                "{what}: the message should give the cause\n{run}"
            );
            let done = self.settled(&ws, &what);
            assert_eq!(
                done,
                run.code == 0,
                "{what}: exit {} but {}",
                run.code,
                if done { "done" } else { "not done" }
            );
            if run.code != 0 {
                assert_eq!(run.code, 2, "{what}: {run}");
            }
            self.rerun(&ws, &what, done);
        }
    }
}

/// A catalog of two agencies, built once and released as 2026.1, and a
/// filing that adds to it, renames an item and changes another.
fn catalog() -> (Ws, String) {
    let ws = Ws::new();
    let civil = Agency::civil_affairs();
    let police = Agency::public_security();
    let first = Filing::new(vec![
        Item::new(&civil, "行政许可", "民政", "社会团体成立登记"),
        Item::new(&civil, "行政许可", "民政", "殡葬设施建设审批").sub("新建"),
        Item::new(&civil, "公共服务", "民政", "婚姻登记档案查询"),
        Item::new(&police, "行政确认", "公安", "户口登记"),
    ]);
    let a = ws.file("第一批-", &first);
    ws.ingest_ok(&[&a]);
    let hr = Agency::human_resources();
    let second = Filing::new(vec![
        Item::new(&civil, "行政许可", "民政", "社会团体成立登记").with("承诺办结时限", "3"),
        Item::new(&civil, "行政许可", "民政", "基金会成立登记"),
        Item::new(&hr, "行政给付", "人力资源社会保障", "失业保险金申领"),
        Item::new(&hr, "公共服务", "人力资源社会保障", "就业登记"),
    ]);
    let b = ws.file("第二批-", &second);
    (ws, b)
}

#[test]
fn ingest_killed_or_failing_anywhere_leaves_before_or_after() {
    let (ws, filing) = catalog();
    let case = Case::new(ws, &["ingest", &filing]);
    case.kills();
    case.failures();
}

#[test]
fn an_ingest_of_one_change_moves_it_in_and_killed_or_failing_leaves_before_or_after() {
    // A catalog of many entries and a filing that changes one: the new
    // files are moved into items/ under a journal (`patch:put`) instead of
    // the tree being linked and swapped whole.
    let ws = Ws::new();
    let civil = Agency::civil_affairs();
    let police = Agency::public_security();
    let names = [
        "社会团体成立登记",
        "基金会成立登记",
        "婚姻登记档案查询",
        "殡葬设施建设审批",
        "慈善组织认定",
        "社会团体章程核准",
    ];
    let mut items: Vec<Item> = (names.iter())
        .map(|n| Item::new(&civil, "行政许可", "民政", n))
        .collect();
    items.push(Item::new(&police, "行政确认", "公安", "户口登记"));
    items.push(Item::new(&police, "公共服务", "公安", "户籍证明"));
    let a = ws.file("全部-", &Filing::new(items));
    ws.ingest_ok(&[&a]);
    let police_only = Filing::new(vec![
        Item::new(&police, "行政确认", "公安", "户口登记").with("承诺办结时限", "3"),
        Item::new(&police, "公共服务", "公安", "户籍证明"),
    ]);
    let b = ws.file("公安-", &police_only);
    let case = Case::new(ws, &["ingest", &b]);
    let steps = steps(case.template.root(), &case.args());
    assert!(steps.iter().any(|s| s == "patch:put"), "{steps:?}");
    assert!(!steps.iter().any(|s| s == "link"), "{steps:?}");
    case.kills();
    case.failures();
}

#[test]
fn assign_killed_or_failing_anywhere_leaves_before_or_after() {
    let (ws, filing) = catalog();
    ws.ingest_ok(&[&filing]);
    // Two drafts without codes, as a clerk writes them by hand.
    for name in ["社会团体章程核准", "慈善组织认定"] {
        let entries = ws.entries();
        let mut draft = entry_named(&entries, "基金会成立登记", "").clone();
        draft.name = name.into();
        draft.basic_code.clear();
        draft.impl_code.clear();
        let path = ws
            .items()
            .join(&draft.agency_code)
            .join(format!("{name}.yaml"));
        std::fs::write(path, draft.to_yaml()).expect("draft");
    }
    let case = Case::new(ws, &["assign"]);
    case.kills();
    case.failures();
}

#[test]
fn build_killed_or_failing_anywhere_leaves_before_or_after() {
    let (ws, filing) = catalog();
    let run = ws.run(&["build"]);
    assert_eq!(run.code, 0, "{run}");
    ws.ingest_ok(&[&filing]);
    let case = Case::new(ws, &["build"]);
    case.kills();
    case.failures();
}

#[test]
fn release_killed_or_failing_anywhere_leaves_before_or_after() {
    let (ws, filing) = catalog();
    let run = ws.run(&["release", "2026.1"]);
    assert_eq!(run.code, 0, "{run}");
    ws.ingest_ok(&[&filing]);
    let case = Case::new(ws, &["release", "2026.2"]);
    case.kills();
    case.failures();
}

/// The state an ingest killed between the two renames of its swap leaves:
/// `items/` gone, the previous tree beside it as `.items.yima-old`.
fn cut_between_renames() -> (Ws, String, Tree, Tree) {
    let (template, filing) = catalog();
    let case = Case::new(template, &["ingest", &filing]);
    let ws = copy_ws(case.template.root());
    let run = run_env(
        &ws,
        &["ingest", &filing],
        &[("YIMA_FAULT", "kill@swap:between")],
    );
    assert_eq!(run.code, 137, "{run}");
    assert!(!ws.items().exists());
    assert!(ws.root().join(".items.yima-old").is_dir());
    (ws, filing, case.before, case.after)
}

/// Every command that reads the workspace repairs the cut swap the same way
/// before it reads — the previous catalog back — and says so; none reports
/// a missing path or tampered codes, and the first retry of the ingest
/// succeeds.
#[test]
fn every_command_repairs_a_cut_swap_the_same_way() {
    let (template, filing, before, after) = cut_between_renames();
    let said = "上次运行在替换 items 时中断：已恢复为那次运行之前的内容";
    for args in [
        vec!["check", "items"],
        vec!["assign", "--check"],
        vec!["stats"],
        vec!["build"],
        vec!["diff", "items", "items"],
        vec!["ingest", filing.as_str()],
    ] {
        let ws = copy_ws(template.root());
        let run = ws.run(&args);
        assert_eq!(run.code, 0, "{args:?} after a cut swap:\n{run}");
        assert!(run.stderr.contains(said), "{args:?}:\n{run}");
        // (Outputs, and the stat memos a build leaves beside dist/ and
        // items/, are no part of the catalog.)
        let now: Tree = state(&ws)
            .into_iter()
            .filter(|(p, _)| !p.starts_with("dist") && !p.ends_with(".yima.stats"))
            .collect();
        let want = if args[0] == "ingest" { &after } else { &before };
        assert_same_tree(want, &now, &format!("{args:?} after a cut swap"));
        assert_eq!(strays(&ws), Vec::<String>::new(), "{args:?}");
        // Said once: the next run has nothing to repair.
        let again = ws.run(&["assign", "--check"]);
        assert!(!again.stderr.contains("中断"), "{again}");
    }
}

/// A build of a changed catalog over its previous `dist/` moves only the
/// new files in, under a plan (`.dist.yima-patch`). Killed halfway through
/// the moves — some files new, some old — it has happened: every command
/// that reads the workspace first carries the plan out to its end and says
/// so, and `dist/` is then the one an uninterrupted build gives.
#[test]
fn a_build_killed_while_it_moves_files_in_is_finished_by_the_next_command() {
    // A catalog most of which stays as it is: one entry of eleven changes.
    let template = Ws::new();
    let civil = Agency::civil_affairs();
    let police = Agency::public_security();
    let mut items: Vec<Item> = [
        "新建", "改建", "扩建", "迁建", "变更", "注销", "延续", "补证",
    ]
    .into_iter()
    .map(|case| Item::new(&civil, "行政许可", "民政", "殡葬设施建设审批").sub(case))
    .collect();
    items.push(Item::new(&civil, "公共服务", "民政", "婚姻登记档案查询"));
    items.push(Item::new(&police, "行政确认", "公安", "户口登记"));
    items.push(Item::new(&civil, "行政许可", "民政", "社会团体成立登记"));
    let first = template.file("第一批-", &Filing::new(items.clone()));
    template.ingest_ok(&[&first]);
    let last = items.pop().expect("eleven").with("承诺办结时限", "3");
    items.push(last);
    let filing = template.file("第二批-", &Filing::new(items));
    let run = template.run(&["build"]);
    assert_eq!(run.code, 0, "{run}");
    template.ingest_ok(&[&filing]);
    let case = Case::new(template, &["build"]);
    let steps = steps(case.template.root(), &["build"]);
    let puts = steps.iter().filter(|s| *s == "patch:put").count();
    assert!(puts >= 4, "the build moves its new files in: {steps:?}");
    let said = "上次运行在更新 dist 时中断：已按其计划完成更新，新内容已生效";
    for args in [
        vec!["assign", "--check"],
        vec!["check", "items"],
        vec!["build"],
    ] {
        let ws = copy_ws(case.template.root());
        let kill = format!("kill@patch:put#{}", puts / 2);
        let run = run_env(&ws, &["build"], &[("YIMA_FAULT", &kill)]);
        assert_eq!(run.code, 137, "{run}");
        assert!(ws.root().join(".dist.yima-patch").is_file());
        let run = ws.run(&args);
        assert!(run.stderr.contains(said), "{args:?}:\n{run}");
        assert_same_tree(
            &case.after,
            &state(&ws),
            &format!("{args:?} after the kill"),
        );
        assert_eq!(strays(&ws), Vec::<String>::new(), "{args:?}");
    }
    // A move that fails halfway moves everything back: nothing happened.
    let ws = copy_ws(case.template.root());
    let fault = format!("enospc@patch:put#{}", puts / 2);
    let run = run_env(&ws, &["build"], &[("YIMA_FAULT", &fault)]);
    assert_eq!(run.code, 2, "{fault}: {run}");
    assert!(run.stderr.contains("No space left on device"), "{run}");
    assert_same_tree(&case.before, &state(&ws), &fault);
    assert_eq!(strays(&ws), Vec::<String>::new(), "{fault}");
}

/// A swap whose replaced tree cannot be removed has happened: the command
/// says the catalog was written and the old copy is left for the next run
/// (which removes it) — never that nothing changed.
#[test]
fn an_old_tree_that_cannot_be_removed_is_reported_as_it_is() {
    let (template, filing) = catalog();
    let case = Case::new(template, &["ingest", &filing]);
    let ws = copy_ws(case.template.root());
    let run = run_env(
        &ws,
        &["ingest", &filing],
        &[("YIMA_FAULT", "eacces@swap:cleanup")],
    );
    assert_eq!(run.code, 0, "{run}");
    assert!(!run.stderr.contains("未做任何改动"), "{run}");
    assert!(run.stderr.contains("已写入"), "{run}");
    assert!(run.stderr.contains(".items.yima-old"), "{run}");
    assert!(ws.root().join(".items.yima-old").is_dir());
    let items_now: Tree = state(&ws)
        .into_iter()
        .filter(|(p, _)| !p.starts_with(".items.yima-old"))
        .collect();
    assert_same_tree(&case.after, &items_now, "items/ is the new one");
    let next = ws.run(&["assign", "--check"]);
    assert_eq!(next.code, 0, "{next}");
    assert!(next.stderr.contains("新内容已生效"), "{next}");
    assert_eq!(strays(&ws), Vec::<String>::new());
}

/// Ingest reads each filing once: a filing changed after it was checked —
/// here between the two passes, two rows trading places — changes nothing
/// of what is written. The catalog is the one the checked filing makes,
/// each row with its own codes, and no spilled file is left behind.
#[test]
fn ingest_writes_what_it_checked_when_a_filing_changes_meanwhile() {
    let (ws, filing) = catalog();
    let twin = copy_ws(ws.root());
    let pause = ws
        .dir
        .path()
        .parent()
        .expect("tmp")
        .join(format!("yima-pause-{}", std::process::id()));
    let child = command(ws.root())
        .args(["ingest", &filing])
        .env("YIMA_FAULT", "pause@ingest:pass2")
        .env("YIMA_FAULT_PAUSE", &pause)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn yima ingest");
    let start = Instant::now();
    while !pause.exists() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "ingest never paused"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    // Between the passes: two rows trade places (same bytes count, other
    // codes for each row).
    let path: PathBuf = ws.root().join(&filing);
    let text = std::fs::read_to_string(&path).expect("filing");
    let swapped = text
        .replacen("基金会成立登记", "@@", 1)
        .replacen("社会团体成立登记", "基金会成立登记", 1)
        .replacen("@@", "社会团体成立登记", 1);
    assert_ne!(text, swapped);
    std::fs::write(&path, &swapped).expect("edit filing");
    std::fs::remove_file(&pause).expect("resume");
    let run: Run = child.wait_with_output().expect("wait").into();
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stdout.contains("基金会成立登记"), "{run}");
    assert_eq!(strays(&ws), Vec::<String>::new());
    // The twin ingests the filing as it was checked.
    let twin_run = twin.run(&["ingest", &filing]);
    assert_eq!(twin_run.code, 0, "{twin_run}");
    assert_same_tree(
        &state(&twin),
        &state(&ws),
        "the catalog of the checked filing",
    );
    // And the edited filing, ingested now, moves the two rows' content.
    std::fs::write(twin.root().join(&filing), &swapped).expect("edit twin's filing");
    let again = twin.run(&["ingest", &filing]);
    assert_eq!(again.code, 0, "{again}");
    assert_ne!(state(&twin), state(&ws), "the edit is a change");
}

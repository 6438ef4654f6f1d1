//! Nothing is lost (SPEC §6): a write that fails or an ingest that is killed
//! midway leaves `items/` and `codes.lock` byte for byte as they were, a
//! second process cannot write while one holds the workspace lock, and the
//! `assign --check` guard fails on every kind of drift between the entry
//! files and the registry, naming the line of every hand edit of
//! `codes.lock` — as does `yima ingest`, which then issues no code. Also
//! `yima check items/` pointing at file and line, `yima assign`, and `yima
//! init`. (Every writing command killed at each step of its writes, with
//! yima's fault hook: `faults.rs`.)

mod common_catalog;

use common_catalog::*;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};
use yima::codes::registry::Status;

/// A workspace with a small catalog: five entries of 民政 (among them a
/// main item and its two sub-items) and one of 公安, ingested from
/// `filings/`.
fn small_catalog() -> Ws {
    let ws = Ws::new();
    let civil = Agency::civil_affairs();
    let police = Agency::public_security();
    let civil_filing = Filing::new(vec![
        Item::new(&civil, "行政许可", "民政", "社会团体成立登记"),
        Item::new(&civil, "行政许可", "民政", "殡葬设施建设审批"),
        Item::new(&civil, "行政许可", "民政", "殡葬设施建设审批").sub("新建"),
        Item::new(&civil, "行政许可", "民政", "殡葬设施建设审批").sub("改建"),
        Item::new(&civil, "公共服务", "民政", "婚姻登记档案查询"),
    ]);
    let police_filing = Filing::new(vec![Item::new(&police, "行政确认", "公安", "户口登记")]);
    let a = ws.file("民政-", &civil_filing);
    let b = ws.file("公安-", &police_filing);
    ws.ingest_ok(&[&a, &b]);
    ws
}

/// Entries a later filing adds to [`small_catalog`]: new items of 民政 and a
/// changed one, and a new agency.
fn later_filing(ws: &Ws) -> String {
    let civil = Agency::civil_affairs();
    let hr = Agency::human_resources();
    let items = vec![
        Item::new(&civil, "行政许可", "民政", "社会团体成立登记").with("承诺办结时限", "3"),
        Item::new(&civil, "行政许可", "民政", "基金会成立登记"),
        Item::new(&civil, "行政确认", "民政", "慈善组织认定"),
        Item::new(&hr, "行政给付", "人力资源社会保障", "失业保险金申领"),
    ];
    ws.file("第二批-", &Filing::new(items))
}

/// Plans the ingest of `path` (what `--dry-run` shows) and returns the
/// 实施编码 it would add.
fn planned_additions(ws: &Ws, path: &str) -> Vec<String> {
    let w = ws.workspace();
    let (_, plan) = yima::ingest::plan(&[ws.root().join(path)], &w, false).expect("plan");
    let plan = plan.expect("no errors in the filing");
    plan.added.iter().map(|e| e.impl_code.clone()).collect()
}

// ---------------------------------------------------------------------------
// Failed and killed writes
// ---------------------------------------------------------------------------

/// A write that fails midway — a folder where an entry file must go, or a
/// file where an agency's folder must go — leaves items/ byte-identical,
/// leaves no staging tree behind, and exits 2 with a message; once the
/// obstacle is gone the same ingest works and gives the planned codes.
#[test]
fn a_failed_write_leaves_the_catalog_and_registry_as_they_were() {
    for obstacle in ["folder-for-file", "file-for-folder"] {
        let ws = small_catalog();
        let path = later_filing(&ws);
        let planned = planned_additions(&ws, &path);
        assert_eq!(planned.len(), 3, "{planned:?}");
        let entries = ws.entries();
        let uscc = Agency::civil_affairs().uscc;
        let hr = Agency::human_resources().uscc;
        // One of 民政's new entries: the run writes the others in parallel,
        // so the failure comes midway.
        let blocked_entry = planned
            .iter()
            .find(|c| c.starts_with(&uscc))
            .expect("a new 民政 entry");
        let blocker: PathBuf = match obstacle {
            "folder-for-file" => {
                let dir = ws.items().join(&uscc).join(format!("{blocked_entry}.yaml"));
                std::fs::create_dir_all(&dir).expect("blocking folder");
                std::fs::write(dir.join("keep.txt"), "x").expect("keep the folder non-empty");
                dir
            }
            _ => {
                let file = ws.items().join(&hr);
                std::fs::write(&file, "not a folder").expect("blocking file");
                file
            }
        };
        let before = ws.snapshot();

        let run = ws.run(&["ingest", &path]);
        assert_eq!(run.code, 2, "{obstacle}: {run}");
        assert!(
            !run.stderr.trim().is_empty(),
            "{obstacle}: no message\n{run}"
        );
        assert_same_tree(&before, &ws.snapshot(), obstacle);
        ws.assert_no_leftovers();
        assert_eq!(ws.entries(), entries, "{obstacle}");

        if blocker.is_dir() {
            std::fs::remove_dir_all(&blocker).expect("remove obstacle");
        } else {
            std::fs::remove_file(&blocker).expect("remove obstacle");
        }
        ws.ingest_ok(&[&path]);
        let now = ws.entries();
        for code in &planned {
            assert!(
                now.contains_key(code),
                "{obstacle}: {code} missing after retry"
            );
        }
        assert_eq!(now.len(), entries.len() + 3);
        ws.assert_no_leftovers();
    }
}

/// The message of a failed write says what could not be written, so the
/// user can remove the obstacle.
#[test]
fn a_failed_write_names_the_path_it_could_not_write() {
    let ws = small_catalog();
    let path = later_filing(&ws);
    let uscc = Agency::civil_affairs().uscc;
    let planned = planned_additions(&ws, &path);
    let blocked = planned
        .iter()
        .find(|c| c.starts_with(&uscc))
        .expect("a new 民政 entry");
    let dir = ws.items().join(&uscc).join(format!("{blocked}.yaml"));
    std::fs::create_dir_all(&dir).expect("blocking folder");
    std::fs::write(dir.join("keep.txt"), "x").expect("keep the folder non-empty");
    let run = ws.run(&["ingest", &path]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains(blocked.as_str()), "{run}");
}

/// Distinct item names without digits, places or agency names.
fn many_names(n: usize) -> Vec<String> {
    let pool: Vec<char> = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥金木水火土风雷山泽"
        .chars()
        .collect();
    assert!(n <= pool.len() * pool.len());
    (0..n)
        .map(|i| format!("{}{}类事项登记", pool[i / pool.len()], pool[i % pool.len()]))
        .collect()
}

/// A filing large enough that its ingest takes a while: `n` entries of
/// 民政 over three sectors.
fn big_filing(n: usize) -> Filing {
    let a = Agency::civil_affairs();
    Filing::new(
        many_names(n)
            .iter()
            .enumerate()
            .map(|(i, name)| Item::new(&a, "行政许可", ["民政", "公安", "其他"][i % 3], name))
            .collect(),
    )
}

/// The number of files under `dir`, counted while another process may be
/// changing it (what vanishes meanwhile is not counted).
fn count_files(dir: &Path) -> usize {
    let Ok(read) = std::fs::read_dir(dir) else {
        return 0;
    };
    read.flatten()
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => count_files(&e.path()),
            Ok(_) => 1,
            Err(_) => 0,
        })
        .sum()
}

/// The state of items/ after a kill: a killed swap may leave the old tree
/// as `.items.yima-old` with no items/ (the next run restores it); anything
/// else must already be whole.
fn state_after_kill(ws: &Ws) -> Tree {
    if !ws.items().exists() {
        assert!(
            ws.root().join(".items.yima-old").is_dir(),
            "items/ is gone and no backup is left"
        );
        yima::fsx::recover(&ws.items()).expect("recover");
    }
    ws.snapshot()
}

/// `yima ingest` killed at several points — as soon as it starts, once its
/// staging tree appears, once some entries are staged, and after fixed
/// delays — leaves items/ exactly as before (or, if the kill came after the
/// swap, exactly as a complete run leaves it); the next run cleans up and
/// gives the same catalog as an uninterrupted run.
#[test]
fn a_killed_ingest_leaves_the_catalog_whole() {
    const N: usize = 250;
    let filing = big_filing(N);
    let setup = || {
        let ws = small_catalog();
        let path = ws.file("大批-", &filing);
        (ws, path)
    };
    let (reference, path) = setup();
    let before = reference.snapshot();
    reference.ingest_ok(&[&path]);
    let after = reference.snapshot();
    assert_eq!(after.len(), before.len() + N);

    #[derive(Debug, Clone, Copy)]
    enum When {
        Delay(u64),
        Staging(usize),
    }
    // The last staging point is every entry written: the kill lands just
    // before or just after the swap.
    let points = [
        When::Delay(0),
        When::Staging(0),
        When::Staging(25),
        When::Staging(125),
        When::Staging(N),
        When::Delay(250),
    ];
    let mut interrupted = 0;
    for when in points {
        let (ws, path) = setup();
        assert_same_tree(&before, &ws.snapshot(), "setup");
        // Staging trees are named .items.yima-new-<pid>-<n>.
        let staging_of = |root: &std::path::Path| {
            std::fs::read_dir(root).ok().and_then(|rd| {
                rd.flatten().map(|e| e.path()).find(|p| {
                    p.file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with(".items.yima-new"))
                })
            })
        };
        let mut child = command(ws.root())
            .args(["ingest", &path])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn yima ingest");
        let start = Instant::now();
        match when {
            When::Delay(ms) => std::thread::sleep(Duration::from_millis(ms)),
            When::Staging(files) => {
                // Poll for the staging tree holding `files` new entries.
                while start.elapsed() < Duration::from_secs(30) {
                    let staging = staging_of(ws.root());
                    let staged = staging.as_deref().map_or(0, count_files);
                    if staging.is_some() && staged >= before.len() + files {
                        break;
                    }
                    if child.try_wait().expect("poll child").is_some() {
                        break;
                    }
                    std::thread::sleep(Duration::from_micros(200));
                }
            }
        }
        let finished = child.try_wait().expect("poll child").is_some();
        let _ = child.kill();
        child.wait().expect("reap child");

        let state = state_after_kill(&ws);
        if state == before {
            if !finished {
                interrupted += 1;
            }
        } else if state != after {
            assert_same_tree(&before, &state, &format!("killed at {when:?}"));
        }
        // The next run cleans up and ends where an uninterrupted run does.
        let rerun = ws.run(&["ingest", &path]);
        assert_eq!(rerun.code, 0, "after kill at {when:?}: {rerun}");
        assert_same_tree(&after, &ws.snapshot(), &format!("rerun after {when:?}"));
        ws.assert_no_leftovers();
    }
    assert!(
        interrupted >= 3,
        "too few kills landed before the swap ({interrupted}); the test proves little"
    );
}

/// While one process holds the workspace lock, `yima ingest` (and `yima
/// assign`) fail with exit 2 and a message naming the lock, and change
/// nothing; once the lock is released the ingest works.
#[test]
fn a_second_writer_is_refused_while_the_workspace_is_locked() {
    let ws = small_catalog();
    let path = later_filing(&ws);
    let before = ws.snapshot();
    {
        let _lock = yima::fsx::WorkspaceLock::acquire(ws.root()).expect("first lock");
        let run = ws.run(&["ingest", &path]);
        assert_eq!(run.code, 2, "{run}");
        assert!(
            run.stderr.contains(".yima.lock") && run.stderr.contains("另一个 yima 进程"),
            "the message should say another process holds the lock:\n{run}"
        );
        assert_same_tree(&before, &ws.snapshot(), "ingest while locked");

        let draft = write_draft(&ws, "社会团体章程核准");
        let before = ws.snapshot();
        let run = ws.run(&["assign"]);
        assert_eq!(run.code, 2, "{run}");
        assert_same_tree(&before, &ws.snapshot(), "assign while locked");
        std::fs::remove_file(draft).expect("remove draft");
    }
    ws.ingest_ok(&[&path]);
    assert_eq!(ws.entries().len(), 6 + 3);
}

/// The lock message speaks the user's language: Chinese by default.
#[test]
fn the_lock_message_is_in_chinese_by_default() {
    let ws = small_catalog();
    let path = later_filing(&ws);
    let _lock = yima::fsx::WorkspaceLock::acquire(ws.root()).expect("first lock");
    let run = ws.run(&["ingest", &path]);
    assert_eq!(run.code, 2, "{run}");
    assert!(
        run.stderr
            .chars()
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "{run}"
    );
}

/// Two ingests planned from the same catalog and applied one after the
/// other (two `yima ingest` processes started together: each plans before
/// it takes the lock): the second must not drop what the first wrote —
/// codes.lock never loses an entry.
#[test]
fn two_ingests_planned_together_lose_nothing() {
    let ws = small_catalog();
    let civil = Agency::civil_affairs();
    let a = ws.file(
        "甲-",
        &Filing::new(vec![Item::new(
            &civil,
            "行政许可",
            "民政",
            "基金会成立登记",
        )]),
    );
    let b = ws.file(
        "乙-",
        &Filing::new(vec![Item::new(&civil, "行政许可", "民政", "慈善组织认定")]),
    );
    let w = ws.workspace();
    let mut plan_a = yima::ingest::plan(&[ws.root().join(&a)], &w, false)
        .expect("plan a")
        .1
        .expect("no errors");
    let mut plan_b = yima::ingest::plan(&[ws.root().join(&b)], &w, false)
        .expect("plan b")
        .1
        .expect("no errors");
    yima::ingest::apply(&w, &mut plan_a).expect("apply a");
    let registry_a = ws.registry();
    // Applying a plan made before `a` was written must either refuse or keep
    // `a`'s work.
    if yima::ingest::apply(&w, &mut plan_b).is_ok() {
        let registry = ws.registry();
        assert!(
            registry.lost_since(&registry_a).is_empty(),
            "codes lost: {:?}",
            registry.lost_since(&registry_a)
        );
        let names: Vec<String> = ws.entries().values().map(|e| e.name.clone()).collect();
        assert!(names.contains(&"基金会成立登记".to_string()), "{names:?}");
        assert!(names.contains(&"慈善组织认定".to_string()), "{names:?}");
    }
}

// ---------------------------------------------------------------------------
// assign --check and assign
// ---------------------------------------------------------------------------

/// `yima assign --check`: exit code, output, and that it wrote nothing.
fn assign_check(ws: &Ws) -> Run {
    let before = ws.snapshot();
    let run = ws.run(&["assign", "--check"]);
    assert_same_tree(&before, &ws.snapshot(), "assign --check writes nothing");
    run
}

/// Asserts `assign --check` fails naming `file` (relative to the root).
#[track_caller]
fn assert_check_fails_on(ws: &Ws, file: &str, message: &str) {
    let run = assign_check(ws);
    assert_eq!(run.code, 1, "{run}");
    let prefix = format!("error: {file}: ");
    assert!(
        run.stdout
            .lines()
            .any(|l| l.starts_with(&prefix) && l.contains(message)),
        "no error naming {file} with “{message}”:\n{run}"
    );
}

/// The relative path of an entry file of the catalog.
fn entry_file(ws: &Ws, name: &str, sub: &str) -> String {
    let entries = ws.entries();
    let e = entry_named(&entries, name, sub);
    format!("items/{}", e.rel_path().display())
}

/// Edits a file of the workspace: replaces `from` (which must occur) by `to`.
#[track_caller]
fn edit(ws: &Ws, rel: &str, from: &str, to: &str) {
    let path = ws.root().join(rel);
    let text = std::fs::read_to_string(&path).expect("read file to edit");
    assert!(text.contains(from), "{rel} has no “{from}”:\n{text}");
    std::fs::write(&path, text.replacen(from, to, 1)).expect("write edited file");
}

/// The 1-based line of codes.lock on which `code` was issued, and its text.
fn issue_line(registry: &str, code: &str) -> (usize, String) {
    let needle = format!("\"op\":\"issue\",\"code\":\"{code}\"");
    registry
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains(&needle))
        .map(|(i, l)| (i + 1, l.to_string()))
        .unwrap_or_else(|| panic!("no issue of {code}:\n{registry}"))
}

/// codes.lock with its lines rearranged by `f` (0-based line indexes).
fn rewrite_lines(ws: &Ws, f: impl FnOnce(&mut Vec<String>)) {
    let text = ws.registry_text();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    f(&mut lines);
    std::fs::write(ws.items().join("codes.lock"), lines.join("\n") + "\n")
        .expect("write codes.lock");
}

/// Asserts that `yima ingest` of a new filing refuses to issue any code,
/// exits 2, names `place` (`file:line`) with `message`, and writes nothing.
#[track_caller]
fn assert_ingest_refuses(ws: &Ws, place: &str, message: &str) {
    let path = ws.file(
        "新增-",
        &Filing::new(vec![Item::new(
            &Agency::development(),
            "行政许可",
            "发展改革",
            "企业投资项目核准",
        )]),
    );
    let before = ws.snapshot();
    let run = ws.run(&["ingest", &path]);
    assert_eq!(run.code, 2, "{run}");
    let line = format!("error: {place}: ");
    assert!(
        run.stderr
            .lines()
            .any(|l| l.trim_start().starts_with(&line) && l.contains(message)),
        "ingest should name {place} with “{message}”:\n{run}"
    );
    assert!(run.stderr.contains("未赋任何编码"), "{run}");
    assert_same_tree(&before, &ws.snapshot(), "a refused ingest");
}

/// An entry file without codes, as a department's draft written by hand:
/// a copy of 社会团体成立登记 under another name, codes blank.
fn write_draft(ws: &Ws, name: &str) -> PathBuf {
    let entries = ws.entries();
    let mut draft = entry_named(&entries, "社会团体成立登记", "").clone();
    draft.name = name.into();
    draft.basic_code.clear();
    draft.impl_code.clear();
    let path = ws.items().join(&draft.agency_code).join("draft.yaml");
    std::fs::write(&path, draft.to_yaml()).expect("write draft");
    path
}

#[test]
fn assign_check_passes_on_a_consistent_catalog() {
    let ws = small_catalog();
    let run = assign_check(&ws);
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(run.stdout, "编码一致：6 个条目，登记簿 6 个编码\n");
}

#[test]
fn assign_check_fails_on_an_entry_without_a_code_and_assign_gives_one() {
    let ws = small_catalog();
    let draft = write_draft(&ws, "社会团体章程核准");
    let rel = format!("items/{}/draft.yaml", Agency::civil_affairs().uscc);
    assert_check_fails_on(&ws, &rel, "没有基本编码");

    let codes_before: Vec<String> = ws
        .registry()
        .records()
        .iter()
        .map(|r| r.code.clone())
        .collect();
    let run = ws.run(&["assign"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(!draft.exists(), "the draft moves to its code's path");
    let entries = ws.entries();
    let e = entry_named(&entries, "社会团体章程核准", "");
    assert!(
        e.basic_code.starts_with("430102") && e.basic_code.ends_with("000"),
        "{}",
        e.basic_code
    );
    assert!(!codes_before.contains(&e.basic_code), "{}", e.basic_code);
    assert_eq!(
        e.impl_code,
        format!("{}3{}", e.agency_code, e.basic_code),
        "实施编码 = USCC + 3 (市级) + 基本编码"
    );
    assert!(ws.items().join(e.rel_path()).is_file());
    let reg = ws.registry();
    assert_eq!(reg.len(), codes_before.len() + 1);
    assert_eq!(
        reg.get(&e.basic_code).map(|r| r.name.as_str()),
        Some("社会团体章程核准")
    );
    assert_eq!(assign_check(&ws).code, 0);

    // Nothing left to do: a second run writes nothing.
    let before = ws.snapshot();
    let run = ws.run(&["assign"]);
    assert_eq!(run.code, 0, "{run}");
    assert_same_tree(&before, &ws.snapshot(), "assign with nothing to do");
}

/// A draft without codes that is the same entry as one in the catalog (same
/// item, agency and level) gets the same 实施编码, hence the same file:
/// `yima assign` must refuse rather than keep one of the two silently.
#[test]
fn assign_refuses_two_entries_that_get_one_path() {
    let ws = small_catalog();
    let entries = ws.entries();
    let existing = entry_named(&entries, "社会团体成立登记", "").clone();
    let mut draft = existing.clone();
    draft.basic_code.clear();
    draft.impl_code.clear();
    draft.contact_phone = Some("0738-8312399".into());
    let path = ws.items().join(&draft.agency_code).join("draft.yaml");
    std::fs::write(&path, draft.to_yaml()).expect("write draft");
    let before = ws.snapshot();
    let run = ws.run(&["assign"]);
    assert_ne!(run.code, 0, "{run}");
    assert_same_tree(&before, &ws.snapshot(), "assign with a colliding draft");
}

#[test]
fn assign_check_fails_on_an_impl_code_that_disagrees() {
    let ws = small_catalog();
    let rel = entry_file(&ws, "婚姻登记档案查询", "");
    let entries = ws.entries();
    let e = entry_named(&entries, "婚姻登记档案查询", "");
    // The 市级 level code 3 changed to 4 inside the file.
    let wrong = format!("{}4{}", e.agency_code, e.basic_code);
    edit(
        &ws,
        &rel,
        &format!("impl_code: {}", e.impl_code),
        &format!("impl_code: {wrong}"),
    );
    assert_check_fails_on(&ws, &rel, &format!("实施编码 {wrong} 应为 {}", e.impl_code));
}

#[test]
fn assign_check_and_ingest_fail_when_the_registry_lost_a_line() {
    // A record from the middle: the next line says which record is gone,
    // and the entry using the code points at a code the registry lacks.
    let ws = small_catalog();
    let reg = ws.registry();
    let lost = reg.records()[0].code.clone();
    let user = ws
        .entries()
        .values()
        .find(|e| e.basic_code == lost)
        .map(|e| format!("items/{}", e.rel_path().display()))
        .expect("an entry uses the first code");
    let (line, _) = issue_line(&ws.registry_text(), &lost);
    rewrite_lines(&ws, |l| {
        l.remove(line - 1);
    });
    let at = format!("items/codes.lock:{line}");
    assert_check_fails_on(&ws, &at, "登记簿缺少第 1 条记录");
    assert_check_fails_on(&ws, &user, &format!("基本编码 {lost} 不在登记簿中"));
    assert_ingest_refuses(&ws, &at, "登记簿缺少第 1 条记录");

    // The last record: nothing follows it to break, but the entry using its
    // code still fails the check, and ingest will not issue a code that
    // could be the lost one again.
    let ws = small_catalog();
    let reg = ws.registry();
    let lost = reg.records()[reg.len() - 1].code.clone();
    let user = ws
        .entries()
        .values()
        .find(|e| e.basic_code == lost)
        .map(|e| format!("items/{}", e.rel_path().display()))
        .expect("an entry uses the last code");
    let (line, _) = issue_line(&ws.registry_text(), &lost);
    rewrite_lines(&ws, |l| {
        l.remove(line - 1);
    });
    assert_check_fails_on(&ws, &user, &format!("基本编码 {lost} 不在登记簿中"));
    assert_ingest_refuses(&ws, &user, &format!("基本编码 {lost} 不在登记簿中"));
}

/// One record removed is one problem of its kind: the records after it are
/// not missing, only renumbered.
#[test]
fn a_lost_record_is_reported_once() {
    let ws = small_catalog();
    let lost = ws.registry().records()[0].code.clone();
    let (line, _) = issue_line(&ws.registry_text(), &lost);
    rewrite_lines(&ws, |l| {
        l.remove(line - 1);
    });
    let run = assign_check(&ws);
    let missing: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.contains("登记簿缺少第"))
        .collect();
    assert_eq!(
        missing,
        [format!(
            "error: items/codes.lock:{line}: 登记簿缺少第 1 条记录：此行之前的一行被删除"
        )],
        "{run}"
    );
}

/// A registry emptied by hand holds none of the codes the catalog uses:
/// ingest must not issue them again to other items.
#[test]
fn an_emptied_registry_stops_ingest_from_reissuing_codes() {
    for emptied in ["", "# 基本编码登记簿\n"] {
        let ws = small_catalog();
        let entries = ws.entries();
        std::fs::write(ws.items().join("codes.lock"), emptied).expect("empty codes.lock");
        let user = entries.values().next().expect("an entry");
        let file = format!("items/{}", user.rel_path().display());
        let message = format!("基本编码 {} 不在登记簿中", user.basic_code);
        assert_check_fails_on(&ws, &file, &message);
        assert_ingest_refuses(&ws, &file, &message);
        // assign, which issues codes too, refuses as well.
        write_draft(&ws, "社会团体章程核准");
        let before = ws.snapshot();
        let run = ws.run(&["assign"]);
        assert_eq!(run.code, 2, "{run}");
        assert!(run.stderr.contains(&message), "{run}");
        assert_same_tree(&before, &ws.snapshot(), "a refused assign");
    }
}

#[test]
fn assign_check_and_ingest_fail_when_a_line_was_edited() {
    // A record's code changed.
    let ws = small_catalog();
    let entries = ws.entries();
    let code = entry_named(&entries, "户口登记", "").basic_code.clone();
    let altered = format!("{}9{}", &code[..8], &code[9..]);
    let (line, text) = issue_line(&ws.registry_text(), &code);
    edit(
        &ws,
        "items/codes.lock",
        &text,
        &text.replacen(&code, &altered, 1),
    );
    let at = format!("items/codes.lock:{line}");
    assert_check_fails_on(&ws, &at, "此行被改动（校验链断开）");
    assert_check_fails_on(&ws, &entry_file(&ws, "户口登记", ""), "不在登记簿中");
    assert_ingest_refuses(&ws, &at, "此行被改动");

    // A record's name changed by hand (renames go through ingest).
    let ws = small_catalog();
    let (line, text) = issue_line(&ws.registry_text(), &code);
    edit(
        &ws,
        "items/codes.lock",
        &text,
        &text.replace("\"name\":\"户口登记\"", "\"name\":\"户籍登记\""),
    );
    let at = format!("items/codes.lock:{line}");
    assert_check_fails_on(&ws, &at, "此行被改动");
    assert_ingest_refuses(&ws, &at, "此行被改动");
}

#[test]
fn assign_check_and_ingest_fail_when_a_line_is_repeated_or_moved() {
    let ws = small_catalog();
    let first = ws.registry().records()[0].code.clone();
    let (line, _) = issue_line(&ws.registry_text(), &first);
    rewrite_lines(&ws, |l| {
        let again = l[line - 1].clone();
        l.insert(line, again);
    });
    let at = format!("items/codes.lock:{}", line + 1);
    assert_check_fails_on(&ws, &at, "第 1 条记录重复或被移动");
    assert_check_fails_on(&ws, &at, &format!("编码 {first} 在登记簿中出现多次"));
    assert_ingest_refuses(&ws, &at, "第 1 条记录重复或被移动");

    // Two lines swapped.
    let ws = small_catalog();
    rewrite_lines(&ws, |l| l.swap(line - 1, line));
    let at = format!("items/codes.lock:{}", line + 1);
    assert_check_fails_on(&ws, &at, "第 1 条记录重复或被移动");
    assert_ingest_refuses(&ws, &at, "第 1 条记录重复或被移动");
}

#[test]
fn assign_check_fails_when_a_code_appears_twice() {
    let ws = small_catalog();
    let entries = ws.entries();
    let first = entry_named(&entries, "社会团体成立登记", "")
        .basic_code
        .clone();
    let second = entry_named(&entries, "户口登记", "").basic_code.clone();
    let (line, text) = issue_line(&ws.registry_text(), &second);
    let (first_line, _) = issue_line(&ws.registry_text(), &first);
    edit(
        &ws,
        "items/codes.lock",
        &text,
        &text.replacen(&second, &first, 1),
    );
    // The later of the two issues of one code is the one in the wrong.
    assert_check_fails_on(
        &ws,
        &format!("items/codes.lock:{}", line.max(first_line)),
        &format!("编码 {first} 在登记簿中出现多次"),
    );
}

/// The release a code first appeared in, and an item's former names, are
/// part of the record: an edit of either is found at its line (they went
/// unnoticed in the YAML registry).
#[test]
fn edits_of_first_release_and_former_names_are_found_at_their_line() {
    let ws = small_catalog();
    let run = ws.run(&["release", "2026.1"]);
    assert_eq!(run.code, 0, "{run}");
    let text = ws.registry_text();
    let (line, release) = text
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains("\"op\":\"release\""))
        .map(|(i, l)| (i + 1, l.to_string()))
        .expect("a release line");
    edit(
        &ws,
        "items/codes.lock",
        &release,
        &release.replace("2026.1", "2025.1"),
    );
    let at = format!("items/codes.lock:{line}");
    assert_check_fails_on(&ws, &at, "此行被改动");
    // The newest release still holds the true stamp: each code it stamped
    // is named at its own line.
    let run = assign_check(&ws);
    assert!(
        run.stdout
            .lines()
            .any(|l| l.starts_with("error: items/codes.lock:")
                && l.contains("已在 2026.1 版发布，但登记簿中缺失或被改动")),
        "{run}"
    );
    assert_ingest_refuses(&ws, &at, "此行被改动");

    // A rename, then its former name edited.
    let ws = small_catalog();
    let entries = ws.entries();
    let police = entry_named(&entries, "户口登记", "");
    let renamed = Item::new(
        &Agency::public_security(),
        "行政确认",
        "公安",
        "户口登记办理",
    )
    .with("基本编码", police.basic_code.as_str());
    let path = ws.file("更名-", &Filing::new(vec![renamed]));
    ws.ingest_ok(&[&path]);
    let text = ws.registry_text();
    let (line, rename) = text
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains("\"op\":\"rename\""))
        .map(|(i, l)| (i + 1, l.to_string()))
        .expect("a rename line");
    edit(
        &ws,
        "items/codes.lock",
        &rename,
        &rename.replace("户口登记办理", "户口登记变更"),
    );
    let at = format!("items/codes.lock:{line}");
    assert_check_fails_on(&ws, &at, "此行被改动");
    assert_ingest_refuses(&ws, &at, "此行被改动");
}

#[test]
fn assign_check_fails_when_an_entry_file_is_misplaced() {
    let ws = small_catalog();
    let rel = entry_file(&ws, "户口登记", "");
    let moved = format!("items/{}/户口登记.yaml", Agency::public_security().uscc);
    std::fs::rename(ws.root().join(&rel), ws.root().join(&moved)).expect("move entry file");
    assert_check_fails_on(&ws, &moved, "条目文件应位于");
}

// ---------------------------------------------------------------------------
// yima check items/
// ---------------------------------------------------------------------------

/// The 1-based line of the first line of `text` that starts with `prefix`.
fn line_of(text: &str, prefix: &str) -> u64 {
    text.lines()
        .position(|l| l.starts_with(prefix))
        .map(|i| i as u64 + 1)
        .unwrap_or_else(|| panic!("no line starting with {prefix}:\n{text}"))
}

#[test]
fn check_items_points_at_the_file_and_line_of_a_bad_value() {
    let ws = small_catalog();
    let (report, code) = check_json(ws.root(), &["items"]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["diagnostics"].as_array().map(Vec::len), Some(0));
    assert_eq!(report["summary"]["entries"], 6);

    let rel = entry_file(&ws, "社会团体成立登记", "");
    edit(&ws, &rel, "visits: 1", "visits: 3");
    edit(&ws, &rel, "handling_type: 承诺件", "handling_type: 马上办");
    let text = std::fs::read_to_string(ws.root().join(&rel)).expect("read entry");
    let (report, code) = check_json(ws.root(), &["items"]);
    assert_eq!(code, 1, "{report:#}");

    let visits = findings(&report, "visits-exceed-one");
    assert_eq!(visits.len(), 1, "{report:#}");
    assert_eq!(visits[0]["file"], rel.as_str());
    assert_eq!(visits[0]["row"], line_of(&text, "visits:"));
    assert_eq!(visits[0]["field"], "visits");
    assert_eq!(visits[0]["value"], "3");

    let invalid = findings(&report, "value-invalid");
    assert_eq!(invalid.len(), 1, "{report:#}");
    assert_eq!(invalid[0]["file"], rel.as_str());
    assert_eq!(invalid[0]["row"], line_of(&text, "handling_type:"));
    assert_eq!(invalid[0]["value"], "马上办");

    // The human report names the file and line too.
    let run = ws.run(&["check", "items"]);
    assert_eq!(run.code, 1);
    for key in ["visits:", "handling_type:"] {
        let place = format!("╭─[{rel}:{}]", line_of(&text, key));
        assert!(run.stdout.contains(&place), "no {place}:\n{run}");
    }
}

#[test]
fn check_items_points_at_the_line_of_a_bad_material_value() {
    let ws = small_catalog();
    let rel = entry_file(&ws, "婚姻登记档案查询", "");
    edit(&ws, &rel, "  form: 原件", "  form: 扫描件");
    let text = std::fs::read_to_string(ws.root().join(&rel)).expect("read entry");
    let (report, code) = check_json(ws.root(), &["items"]);
    assert_eq!(code, 1, "{report:#}");
    let invalid = findings(&report, "value-invalid");
    assert_eq!(invalid.len(), 1, "{report:#}");
    assert_eq!(invalid[0]["file"], rel.as_str());
    assert_eq!(invalid[0]["row"], line_of(&text, "  form:"));
    assert_eq!(invalid[0]["value"], "扫描件");
}

#[test]
fn check_items_reports_an_unreadable_entry_file_and_goes_on() {
    let ws = small_catalog();
    let rel = entry_file(&ws, "户口登记", "");
    let other = entry_file(&ws, "婚姻登记档案查询", "");
    edit(&ws, &rel, "visits: 1", "visits: [1");
    edit(&ws, &other, "visits: 1", "visits: 3");
    let (report, code) = check_json(ws.root(), &["items"]);
    assert_eq!(code, 1, "{report:#}");
    let unreadable = findings(&report, "file-unreadable");
    assert_eq!(unreadable.len(), 1, "{report:#}");
    assert_eq!(unreadable[0]["file"], rel.as_str());
    assert_eq!(
        findings(&report, "visits-exceed-one").len(),
        1,
        "{report:#}"
    );
}

// ---------------------------------------------------------------------------
// yima init
// ---------------------------------------------------------------------------

#[test]
fn init_creates_a_workspace_and_refuses_to_run_twice() {
    let dir = tempfile::tempdir().expect("temp dir");
    let run = run(dir.path(), &["init"]);
    assert_eq!(run.code, 0, "{run}");
    let config = std::fs::read_to_string(dir.path().join("yima.yaml")).expect("yima.yaml");
    assert_eq!(config, yima::cli::init::CONFIG_TEMPLATE);
    let parsed = yima::workspace::parse_config(&config).expect("valid yima.yaml");
    assert_eq!(parsed.region_prefix, "43");
    let lock = std::fs::read_to_string(dir.path().join("items/codes.lock")).expect("codes.lock");
    assert!(
        yima::codes::registry::Registry::parse(&lock)
            .expect("valid registry")
            .is_empty()
    );
    let before = snapshot(dir.path());

    let again = common_catalog::run(dir.path(), &["init"]);
    assert_eq!(again.code, 2, "{again}");
    assert!(again.stderr.contains("已存在"), "{again}");
    assert_same_tree(&before, &snapshot(dir.path()), "second init");

    // The new workspace works: a filing ingests into it.
    let ws_root = dir.path();
    let f = Filing::new(vec![Item::new(
        &Agency::civil_affairs(),
        "行政许可",
        "民政",
        "社会团体成立登记",
    )]);
    f.write_csv(ws_root, "民政-");
    let run = common_catalog::run(ws_root, &["ingest", "民政-事项.csv"]);
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(
        yima::catalog::load(&ws_root.join("items"))
            .expect("catalog")
            .entries()
            .filter(|e| e.status == Status::Active)
            .count(),
        1
    );
}

/// The `.gitignore` of a new workspace keeps out of the repository exactly
/// what yima makes again — the build, the caches and memos, the lock — and
/// lets in the catalog and its releases (git itself decides, as in CI).
#[test]
fn init_ignores_what_yima_makes_again_and_keeps_the_catalog_and_releases() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    let run = run(root, &["init"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stdout.contains(".gitignore"), "{run}");
    let ignore = std::fs::read_to_string(root.join(".gitignore")).expect(".gitignore");
    assert_eq!(ignore, yima::cli::init::GITIGNORE_TEMPLATE);
    let f = Filing::new(vec![Item::new(
        &Agency::civil_affairs(),
        "行政许可",
        "民政",
        "社会团体成立登记",
    )]);
    f.write_csv(root, "民政-");
    for args in [
        &["ingest", "民政-事项.csv"][..],
        &["build"],
        &["release", "2026.1"],
    ] {
        let run = common_catalog::run(root, args);
        assert_eq!(run.code, 0, "{args:?}: {run}");
    }
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .args(args)
            .current_dir(root)
            .output()
            .expect("git (installed by .ci/run) runs");
        assert!(out.status.success(), "git {args:?}: {out:?}");
        String::from_utf8(out.stdout).expect("UTF-8")
    };
    git(&["init", "-q"]);
    git(&["add", "-A"]);
    let committed: Vec<String> = git(&["ls-files"]).lines().map(String::from).collect();
    for path in &committed {
        let yima_made = path.starts_with("dist/") || path.contains(".yima");
        assert!(!yima_made, "{path} would be committed: {committed:?}");
    }
    for want in [
        ".gitignore",
        "yima.yaml",
        "items/codes.lock",
        "releases/2026.1/manifest.json",
        "releases/2026.1/codes.lock",
    ] {
        assert!(committed.iter().any(|p| p == want), "{want}: {committed:?}");
    }
    assert!(
        committed
            .iter()
            .any(|p| p.starts_with("items/") && p.ends_with(".yaml")),
        "the entries: {committed:?}"
    );
    assert!(
        committed
            .iter()
            .any(|p| p.starts_with("releases/2026.1/guides/")),
        "the release's guides: {committed:?}"
    );
    let ignored = git(&["status", "--porcelain", "--ignored"]);
    for want in [
        "!! dist/",
        "!! .items.yima.stats",
        "!! .dist.yima.stats",
        "!! releases/.yima.gate",
        "!! releases/.2026.1.yima.cache",
        "!! .yima.lock",
    ] {
        assert!(ignored.lines().any(|l| l == want), "{want}:\n{ignored}");
    }
}

#[test]
fn init_into_a_named_folder() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("目录")).expect("mkdir");
    let run = run(dir.path(), &["init", "目录"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(dir.path().join("目录/yima.yaml").is_file());
    assert!(dir.path().join("目录/items/codes.lock").is_file());
    assert!(!dir.path().join("yima.yaml").exists());
}

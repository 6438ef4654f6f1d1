//! The commit by plan: its plans, kills midway, errors, damage.

use super::*;
use rustc_hash::FxHashSet as HashSet;

fn tree(dir: &Path) -> Vec<(String, String)> {
    let (mut files, dirs) = list(dir).unwrap().unwrap();
    files.sort();
    let mut out: Vec<(String, String)> = files
        .into_iter()
        .map(|f| {
            let text = fs::read_to_string(dir.join(&f)).unwrap();
            (f, text)
        })
        .collect();
    out.extend(dirs.into_iter().map(|d| (d, "/".to_string())));
    out.sort();
    out
}

fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

/// An old tree, a staged one and what is kept; and the tree the commit
/// must give.
fn scene(root: &Path) -> (PathBuf, PathBuf, HashSet<String>, Vec<(String, String)>) {
    let target = root.join("dist");
    let staging = root.join(".dist.yima-new-1-0");
    write(&target, "guides/a.html", "a");
    write(&target, "guides/b.html", "b old");
    write(&target, "guides/c.html", "c");
    write(&target, "old/x/y.txt", "gone");
    write(&target, "cache", "old cache");
    write(&staging, "guides/b.html", "b new");
    write(&staging, "guides/d.html", "d");
    write(&staging, "new/e.txt", "e");
    write(&staging, "cache", "new cache");
    fs::create_dir_all(staging.join("empty")).unwrap();
    let mut kept: HashSet<String> = ["guides/a.html".to_string()].into_iter().collect();
    let mut want = vec![
        ("cache".into(), "new cache".into()),
        ("empty".into(), "/".into()),
        ("guides".into(), "/".into()),
        ("guides/a.html".into(), "a".into()),
        ("guides/b.html".into(), "b new".into()),
        ("guides/d.html".into(), "d".into()),
        ("new".into(), "/".into()),
        ("new/e.txt".into(), "e".into()),
    ];
    // Most of the tree is kept, as in a steady build.
    want.push(("many".into(), "/".into()));
    for i in 0..8 {
        let rel = format!("many/{i}.html");
        write(&target, &rel, "kept");
        want.push((rel.clone(), "kept".into()));
        kept.insert(rel);
    }
    want.sort();
    (target, staging, kept, want)
}

/// The plan as it was made from whole listings of both trees: what
/// [`plan_with`] must still give.
fn plan_by_lists(
    target: &Path,
    staging: &Path,
    keep: &dyn Fn(&str) -> bool,
) -> Option<(Plan, usize)> {
    let (Some((puts, new_dirs)), Some((old_files, old_dirs))) =
        (list(staging).unwrap(), list(target).unwrap())
    else {
        return None;
    };
    let put_set: HashSet<&str> = puts.iter().map(String::as_str).collect();
    // A folder where the old tree has a file, or a file where it has a
    // folder (an old tree someone rearranged by hand): swapped whole.
    let old_file_set: HashSet<&str> = old_files.iter().map(String::as_str).collect();
    let old_dir_set: HashSet<&str> = old_dirs.iter().map(String::as_str).collect();
    if new_dirs.iter().any(|d| old_file_set.contains(d.as_str()))
        || puts.iter().any(|f| old_dir_set.contains(f.as_str()))
    {
        return None;
    }
    let (kept, drops): (Vec<String>, Vec<String>) = old_files
        .into_iter()
        .filter(|f| !put_set.contains(f.as_str()))
        .partition(|f| keep(f));
    // The new tree's folders: the staged ones and those holding kept files.
    let mut wanted: HashSet<&str> = new_dirs.iter().map(String::as_str).collect();
    for rel in &kept {
        let mut rel = rel.as_str();
        while let Some((parent, _)) = rel.rsplit_once('/') {
            wanted.insert(parent);
            rel = parent;
        }
    }
    let plan = Plan::of(
        staging,
        puts,
        drops,
        (&new_dirs, &old_dirs, &old_dir_set),
        &wanted,
    );
    Some((plan, kept.len()))
}

#[test]
fn a_plan_from_one_walk_is_the_plan_from_whole_listings() {
    let dir = tempfile::tempdir().unwrap();
    let (target, staging, kept, _) = scene(dir.path());
    let keep = |f: &str| kept.contains(f);
    let want = plan_by_lists(&target, &staging, &keep);
    assert!(want.is_some());
    assert_eq!(plan_with(&target, &staging, &keep, 0).unwrap(), want);
    assert_eq!(plan_with(&target, &staging, &keep, 1).unwrap(), want);
    // Trees of random files and folders, some kept, some replaced,
    // some dropped, a kept one staged again.
    let mut x = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = |n: u64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % n
    };
    for round in 0..40 {
        let root = dir.path().join(format!("r{round}"));
        let (target, staging) = (root.join("t"), root.join(".t.yima-new-1-0"));
        let mut kept = HashSet::default();
        for i in 0..next(40) {
            let rel = format!("d{}/e{}/f{i}", next(3), next(2));
            let rel = if next(4) == 0 { format!("top{i}") } else { rel };
            write(&target, &rel, "old");
            if next(3) > 0 {
                kept.insert(rel.clone());
            }
            if next(5) == 0 {
                write(&staging, &rel, "new");
            }
        }
        for i in 0..next(6) {
            write(&staging, &format!("d{}/n{i}", next(4)), "new");
        }
        fs::create_dir_all(target.join(format!("empty{}", next(2)))).unwrap();
        fs::create_dir_all(&staging).unwrap();
        let keep = |f: &str| kept.contains(f);
        let want = plan_by_lists(&target, &staging, &keep);
        assert_eq!(
            plan_with(&target, &staging, &keep, 0).unwrap(),
            want,
            "{round}"
        );
    }
    // A file where a folder is staged, a folder where a file is.
    fs::write(target.join("new"), "a file by hand").unwrap();
    assert_eq!(plan_by_lists(&target, &staging, &keep), None);
    assert_eq!(plan_with(&target, &staging, &keep, 0).unwrap(), None);
}

#[test]
fn a_commit_gives_the_new_tree_and_leaves_nothing_beside_it() {
    let dir = tempfile::tempdir().unwrap();
    let (target, staging, kept, want) = scene(dir.path());
    // A release sharing a file of the old tree keeps its bytes: the
    // file is replaced, never written through.
    let shared = dir.path().join("shared");
    fs::hard_link(target.join("guides/b.html"), &shared).unwrap();
    let left = commit(&target, &staging, &|f| kept.contains(f), 0)
        .unwrap()
        .expect("listed");
    assert!(left.is_none());
    assert_eq!(tree(&target), want);
    assert!(!staging.exists() && !plan_path(&target).exists());
    assert_eq!(fs::read_to_string(shared).unwrap(), "b old");
}

/// The scene with its plan made and written beside the tree, as a commit
/// killed before its first step leaves it, and the tree it must end as.
fn plan_left(root: &Path) -> (PathBuf, PathBuf, Plan, Vec<(String, String)>) {
    let (target, staging, kept, want) = scene(root);
    let (p, _) = plan(&target, &staging, &|f| kept.contains(f))
        .unwrap()
        .unwrap();
    write_atomic(&plan_path(&target), p.to_text().as_bytes()).unwrap();
    (target, staging, p, want)
}

#[test]
fn a_plan_left_by_a_kill_is_carried_out_to_the_end_twice_over() {
    let dir = tempfile::tempdir().unwrap();
    let (target, staging, p, want) = plan_left(dir.path());
    assert_eq!(Plan::parse(&p.to_text()), Some(p.clone()));
    // Killed after two steps.
    fs::create_dir(target.join("empty")).unwrap();
    fs::rename(staging.join("cache"), target.join("cache")).unwrap();
    assert_eq!(
        recover(&target).unwrap(),
        Some(Repair::Completed(target.clone()))
    );
    assert_eq!(tree(&target), want);
    assert!(!staging.exists() && !plan_path(&target).exists());
    assert_eq!(recover(&target).unwrap(), None);
}

#[test]
fn a_tree_outside_the_workspace_is_finished_before_it_is_staged_again() {
    let dir = tempfile::tempdir().unwrap();
    let (target, staging, _, want) = plan_left(dir.path());
    fs::rename(staging.join("cache"), target.join("cache")).unwrap();
    // (No command repairs a `--out` folder first: the next build's
    // staging does, before it sweeps staging trees away.)
    let next = super::super::Staged::new(&target).unwrap();
    assert_eq!(tree(&target), want);
    assert!(!staging.exists() && !plan_path(&target).exists());
    drop(next);
}

#[test]
fn a_file_where_the_new_tree_has_a_folder_has_the_tree_swapped_whole() {
    let dir = tempfile::tempdir().unwrap();
    let (target, staging, kept, _) = scene(dir.path());
    fs::write(target.join("new"), "a file by hand").unwrap();
    assert_eq!(
        plan(&target, &staging, &|f| kept.contains(f)).unwrap(),
        None
    );
    fs::remove_file(target.join("new")).unwrap();
    fs::create_dir_all(target.join("guides/d.html")).unwrap();
    assert_eq!(
        plan(&target, &staging, &|f| kept.contains(f)).unwrap(),
        None
    );
    // Staged::commit_over then swaps the whole tree.
    let target2 = dir.path().join("dist");
    let staged = super::super::Staged::new(&target2).unwrap();
    write(staged.path(), "guides/d.html", "d");
    let kept_one: HashSet<String> = ["guides/a.html".to_string()].into_iter().collect();
    // (Its count of staged files not given: the plan is tried first.)
    staged.commit_over(&kept_one, 0).unwrap();
    assert_eq!(
        fs::read_to_string(target2.join("guides/d.html")).unwrap(),
        "d"
    );
    // The kept file came along; the rest of the old tree went.
    assert_eq!(
        fs::read_to_string(target2.join("guides/a.html")).unwrap(),
        "a"
    );
    assert!(!target2.join("guides/c.html").exists());
    assert!(!sibling(&target2, "old").exists());
}

#[test]
fn a_staged_tree_with_as_many_files_as_are_kept_is_swapped_whole_with_the_kept_ones() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("dist");
    write(&target, "guides/a.html", "a");
    write(&target, "guides/b.html", "b old");
    write(&target, "guides/c.html", "c");
    let staged = super::super::Staged::new(&target).unwrap();
    write(staged.path(), "guides/b.html", "b new");
    write(staged.path(), "guides/d.html", "d");
    let kept: HashSet<String> = ["guides/a.html".to_string()].into_iter().collect();
    // Two staged files, one kept: no plan can cost less than the swap.
    staged.commit_over(&kept, 2).unwrap();
    let want = [
        ("guides".to_string(), "/".to_string()),
        ("guides/a.html".into(), "a".into()),
        ("guides/b.html".into(), "b new".into()),
        ("guides/d.html".into(), "d".into()),
    ];
    assert_eq!(tree(&target), want);
    assert!(!sibling(&target, "old").exists() && !plan_path(&target).exists());
}

#[test]
fn a_staging_tree_known_to_outnumber_the_old_one_is_not_listed() {
    let dir = tempfile::tempdir().unwrap();
    let (target, staging, kept, _) = scene(dir.path());
    let keep = |f: &str| kept.contains(f);
    let old_files = list(&target).unwrap().unwrap().0.len();
    // As many staged as the old tree has: a swap, decided without
    // looking at the staging tree (here made unreadable as a tree).
    let moved = dir.path().join("moved");
    fs::rename(&staging, &moved).unwrap();
    fs::write(&staging, "no folder").unwrap();
    assert_eq!(
        plan_with(&target, &staging, &keep, old_files).unwrap(),
        None
    );
    fs::remove_file(&staging).unwrap();
    fs::rename(&moved, &staging).unwrap();
    // Fewer: planned as before.
    assert_eq!(
        plan_with(&target, &staging, &keep, 1).unwrap(),
        plan(&target, &staging, &keep).unwrap()
    );
    assert!(plan(&target, &staging, &keep).unwrap().is_some());
}

#[test]
fn a_tree_mostly_new_is_swapped_whole_rather_than_moved_in() {
    let dir = tempfile::tempdir().unwrap();
    let (target, staging, _, _) = scene(dir.path());
    let before = tree(&target);
    // One file kept, four new, two dropped: moving them in costs more
    // than linking the one and swapping.
    let one: HashSet<String> = ["guides/a.html".to_string()].into_iter().collect();
    let keep = |f: &str| one.contains(f);
    assert!(plan(&target, &staging, &keep).unwrap().is_some());
    assert!(matches!(commit(&target, &staging, &keep, 0), Ok(None)));
    assert_eq!(tree(&target), before);
    assert!(!plan_path(&target).exists());
}

/// The scene's trees, their plan, and the old tree as it was.
fn planned(root: &Path) -> (PathBuf, PathBuf, Plan, Vec<(String, String)>) {
    let (target, staging, kept, _) = scene(root);
    let before = tree(&target);
    let (p, _) = plan(&target, &staging, &|f| kept.contains(f))
        .unwrap()
        .unwrap();
    (target, staging, p, before)
}

#[test]
fn an_error_midway_puts_the_old_tree_back() {
    let dir = tempfile::tempdir().unwrap();
    let (target, staging, p, before) = planned(dir.path());
    let mut done = Vec::new();
    // A drop that cannot be carried out: the file is not there.
    let mut broken = p.clone();
    broken.drops.push("guides/none.html".into());
    assert!(carry_out(&target, &staging, &broken, &mut done).is_err());
    undo(&target, &staging, done);
    assert_eq!(tree(&target), before);
}

#[test]
fn a_damaged_plan_is_no_commit() {
    let dir = tempfile::tempdir().unwrap();
    let (target, _, p, before) = planned(dir.path());
    let text = p.to_text().replacen("put\t", "put\t../", 1);
    fs::write(plan_path(&target), text).unwrap();
    assert_eq!(recover(&target).unwrap(), None);
    assert_eq!(tree(&target), before);
    assert!(!plan_path(&target).exists());
}

/// An old tree of eight kept files and two to be replaced, a staging tree
/// that replaces them and adds a file in a new folder and one beside
/// them; and the tree a commit of puts alone must give.
fn puts_scene(root: &Path) -> (PathBuf, PathBuf, Vec<(String, String)>) {
    let target = root.join("dist");
    let staging = root.join(".dist.yima-new-1-0");
    let mut want = vec![("guides".to_string(), "/".to_string())];
    for i in 0..8 {
        let rel = format!("guides/{i}.html");
        write(&target, &rel, "kept");
        want.push((rel, "kept".into()));
    }
    for (rel, old, new) in [("guides/a.html", "a old", "a new"), ("cache", "old", "new")] {
        write(&target, rel, old);
        write(&staging, rel, new);
        want.push((rel.into(), new.into()));
    }
    write(&staging, "guides/b.html", "b");
    write(&staging, "more/c.html", "c");
    want.push(("guides/b.html".into(), "b".into()));
    want.push(("more".into(), "/".into()));
    want.push(("more/c.html".into(), "c".into()));
    want.sort();
    (target, staging, want)
}

#[test]
fn puts_alone_are_planned_from_the_staged_tree_as_a_walk_plans_them() {
    let dir = tempfile::tempdir().unwrap();
    let (target, staging, want) = puts_scene(dir.path());
    let all = |_: &str| true;
    // The plan that walks both trees, keeping every old file: the same
    // puts and folders, nothing dropped.
    let (walked, kept) = plan_by_lists(&target, &staging, &all).unwrap();
    let (alone, _) = plan_puts(&target, &staging, kept).unwrap().unwrap();
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    assert_eq!(sorted(alone.puts.clone()), sorted(walked.puts));
    assert_eq!(alone.dirs, walked.dirs);
    assert!(alone.drops.is_empty() && alone.gone.is_empty());
    // A release sharing a file of the old tree keeps its bytes.
    let shared = dir.path().join("shared");
    fs::hard_link(target.join("guides/a.html"), &shared).unwrap();
    let left = commit_puts(&target, &staging, 8).unwrap().expect("planned");
    assert!(left.is_none());
    assert_eq!(tree(&target), want);
    assert!(!staging.exists() && !plan_path(&target).exists());
    assert_eq!(fs::read_to_string(shared).unwrap(), "a old");
}

#[test]
fn puts_over_a_folder_of_the_old_tree_have_it_walked_or_swapped() {
    let dir = tempfile::tempdir().unwrap();
    let (target, staging, _) = puts_scene(dir.path());
    // A folder where a file is staged, a file where a folder is.
    fs::create_dir_all(target.join("guides/b.html/x")).unwrap();
    assert!(plan_puts(&target, &staging, 8).unwrap().is_none());
    fs::remove_dir_all(target.join("guides/b.html")).unwrap();
    fs::write(target.join("more"), "a file by hand").unwrap();
    assert!(plan_puts(&target, &staging, 8).unwrap().is_none());
    // Staged::commit_puts then walks the trees as any commit does, and
    // fails naming what is in the way rather than drop it: the old tree
    // stays as it was.
    let before = tree(&target);
    let staged = super::super::Staged::new(&target).unwrap();
    write(staged.path(), "more/c.html", "c");
    write(staged.path(), "guides/a.html", "a new");
    let err = staged.commit_puts(2, 9).unwrap_err();
    assert!(err.error.to_string().contains("more"), "{}", err.error);
    assert_eq!(tree(&target), before);
    assert!(!sibling(&target, "old").exists() && !plan_path(&target).exists());
}

#[test]
fn puts_as_many_as_the_kept_files_have_the_tree_swapped_with_the_kept_ones_linked() {
    use std::os::unix::fs::MetadataExt;
    let dir = tempfile::tempdir().unwrap();
    let (target, staging, want) = puts_scene(dir.path());
    let ino = |p: &Path| fs::metadata(p).unwrap().ino();
    let kept_before = ino(&target.join("guides/0.html"));
    let shared = dir.path().join("shared");
    fs::hard_link(target.join("guides/a.html"), &shared).unwrap();
    // Staged into a staging tree of Staged's own.
    let staged = super::super::Staged::new(&target).unwrap();
    for (rel, text) in tree(&staging) {
        if text != "/" {
            write(staged.path(), &rel, &text);
        }
    }
    fs::remove_dir_all(&staging).unwrap();
    // Four staged, told of no more than four kept: swapped whole.
    assert!(staged.commit_puts(4, 4).unwrap().is_none());
    assert_eq!(tree(&target), want);
    assert_eq!(
        ino(&target.join("guides/0.html")),
        kept_before,
        "linked, not copied"
    );
    assert_eq!(fs::read_to_string(shared).unwrap(), "a old");
    assert!(!sibling(&target, "old").exists() && !plan_path(&target).exists());
}

//! The bundled examples: `yima check examples` reports exactly the mistakes
//! `examples/README.md` lists — no more, no fewer — and the whole JSON report
//! is pinned as a golden file.

use assert_cmd::Command;
use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

/// Copies the examples as committed: a `dist/` built in the workspace
/// sample (ignored by git) is left behind.
fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dst = to.join(e.file_name());
        if e.path().is_dir() && e.file_name() == "dist" {
            continue;
        }
        if e.path().is_dir() {
            copy_dir(&e.path(), &dst);
        } else {
            fs::copy(e.path(), dst).unwrap();
        }
    }
}

/// Runs `yima check --format json examples` on a copy of the examples in a
/// folder outside any workspace.
fn report() -> serde_json::Value {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("examples"),
        &tmp.path().join("examples"),
    );
    let out = Command::cargo_bin("yima")
        .unwrap()
        .current_dir(tmp.path())
        .args(["check", "--format", "json", "examples"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "the bad examples have errors");
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The place of a finding as the README writes it: `事项!H17`, `事项!1`
/// (a header row), `申请材料` (a sheet), `—` (the file).
fn place(d: &serde_json::Value) -> String {
    match (d["sheet"].as_str(), d["cell"].as_str(), d["row"].as_u64()) {
        (Some(s), Some(c), _) => format!("{s}!{c}"),
        (Some(s), None, Some(r)) => format!("{s}!{r}"),
        (Some(s), None, None) => s.to_string(),
        _ => "—".to_string(),
    }
}

#[test]
fn the_report_lists_exactly_the_seeded_mistakes() {
    let readme =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/README.md"))
            .unwrap();
    let table = readme
        .split("| file | cell | rule | the mistake |")
        .nth(1)
        .expect("the table of seeded mistakes");
    let expected: BTreeSet<(String, String, String)> = table
        .lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| {
            let cols: Vec<&str> = l.split('|').map(|c| c.trim().trim_matches('`')).collect();
            (
                format!("examples/{}", cols[1]),
                cols[2].to_string(),
                cols[3].to_string(),
            )
        })
        .collect();
    assert!(
        expected.len() >= 40,
        "{} rows read from the README",
        expected.len()
    );

    let report = report();
    let found: BTreeSet<(String, String, String)> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["file"].as_str().unwrap().to_string(),
                place(d),
                d["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let missing: Vec<_> = expected.difference(&found).collect();
    let extra: Vec<_> = found.difference(&expected).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing: {missing:#?}\nextra: {extra:#?}"
    );

    // The good filings are clean, and every rule but the registry ones shows.
    let rules: BTreeSet<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["rule"].as_str().unwrap())
        .collect();
    for r in yima::diag::Rule::ALL {
        // These need a registry with codes (or an upper-level catalog) the
        // examples do not hold; tests/ingest.rs and tests/exchange.rs show them.
        let registry_rule = matches!(
            r.id(),
            "code-unknown" | "code-retired" | "code-renamed" | "name-near-catalog"
        );
        assert_eq!(rules.contains(r.id()), !registry_rule, "{}", r.id());
    }
}

#[test]
fn golden_json_report_of_the_examples() {
    insta::assert_json_snapshot!("examples_report", report());
}

//! The Python packages some tests use (`tests/python/requirements.txt`:
//! frictionless, PyLD), in the virtual environment `.ci/run` makes at
//! `target/py-venv` — or the interpreter `YIMA_PYTHON` names.
//!
//! Without them a test prints why and passes — unless `CI` is set, as
//! `.ci/run` does after installing them: then it fails.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The interpreter to run, when it has every module asked for; panics when
/// it must (CI) and has not.
pub fn python(test: &str, modules: &[&str]) -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let candidates: Vec<PathBuf> = match std::env::var_os("YIMA_PYTHON") {
        Some(p) => vec![PathBuf::from(p)],
        None => vec![
            root.join("target/py-venv/bin/python"),
            root.join("target/py-venv/Scripts/python.exe"),
        ],
    };
    let import = format!("import {}", modules.join(", "));
    for py in &candidates {
        let ok = Command::new(py)
            .args(["-c", &import])
            .output()
            .is_ok_and(|o| o.status.success());
        if ok {
            return Some(py.clone());
        }
    }
    let why = format!(
        "{} with {} (python3 -m venv target/py-venv && target/py-venv/bin/pip install -r tests/python/requirements.txt)",
        candidates
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(" or "),
        modules.join(", ")
    );
    assert!(
        std::env::var_os("CI").is_none(),
        "{test}: must run here (CI is set) but there is no {why}"
    );
    eprintln!("skipping {test}: no {why}");
    None
}

/// Runs a script of `tests/python/` and parses each line it prints as JSON.
pub fn run(python: &Path, script: &str, args: &[&str]) -> Vec<serde_json::Value> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/python")
        .join(script);
    let out = Command::new(python)
        .arg(&path)
        .args(args)
        .output()
        .expect("run python");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{script} failed:\n{stdout}\n{stderr}");
    stdout
        .lines()
        .map(|l| {
            serde_json::from_str(l)
                .unwrap_or_else(|e| panic!("{script}: not JSON ({e}): {l}\n{stderr}"))
        })
        .collect()
}

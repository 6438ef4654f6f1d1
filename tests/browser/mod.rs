//! Running the scripts of `tests/browser/` in node with playwright-core,
//! which drives the machine's headless Chromium (`/usr/bin/chromium`).
//!
//! Without Chromium or playwright-core a browser test prints why and passes
//! — unless `CI` or `YIMA_REQUIRE_BROWSER` is set, as `.ci/run` does after
//! installing both (`apt-get install chromium`, `npm ci` in this folder):
//! then it fails.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The folder of the scripts.
pub fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

/// Whether the browser tests can run here; panics when they must and
/// cannot.
pub fn available(test: &str) -> bool {
    let chromium = std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    let mut missing = Vec::new();
    if !chromium.exists() {
        missing.push(format!(
            "{} (apt-get install -y chromium)",
            chromium.display()
        ));
    }
    if !dir().join("node_modules/playwright-core").is_dir() {
        missing.push("playwright-core (cd tests/browser && npm ci)".to_string());
    }
    if Command::new("node").arg("--version").output().is_err() {
        missing.push("node".to_string());
    }
    if missing.is_empty() {
        return true;
    }
    let required =
        std::env::var_os("CI").is_some() || std::env::var_os("YIMA_REQUIRE_BROWSER").is_some();
    assert!(
        !required,
        "{test}: the browser test must run here (CI is set) but {} is missing",
        missing.join(", ")
    );
    eprintln!("skipping {test}: {} missing", missing.join(", "));
    false
}

/// Runs `node tests/browser/SCRIPT ARGS…` and parses the JSON it prints.
pub fn run(script: &str, args: &[&str]) -> serde_json::Value {
    let out = Command::new("node")
        .arg(dir().join(script))
        .args(args)
        .output()
        .expect("run node");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{script} failed:\n{stdout}\n{stderr}");
    let last = stdout.lines().last().unwrap_or_default();
    serde_json::from_str(last)
        .unwrap_or_else(|e| panic!("{script}: not JSON ({e}):\n{stdout}\n{stderr}"))
}

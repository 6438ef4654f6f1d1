//! `cargo run --example make-examples` writes the bundled example filings
//! under `examples/`: good filings of Loudi departments in the layouts real
//! departments send, bad filings in `examples/bad/` with seeded mistakes, and
//! `examples/README.md`, which names the cell of every seeded mistake.
//!
//! The content is data, one YAML file per filing in
//! `tools/make_examples/data/`, and the forms the full-profile filings link
//! to in `tools/make_examples/forms.yaml` (written into `examples/forms/`);
//! this program only lays it out and writes it.
//! The same data gives the same bytes on every run, so the generated files
//! are committed and a diff shows exactly what an edit changed.

#[path = "make_examples/forms.rs"]
mod forms;
#[path = "make_examples/layout.rs"]
mod layout;
#[path = "make_examples/readme.rs"]
mod readme;
#[path = "make_examples/render.rs"]
mod render;
#[path = "make_examples/spec.rs"]
mod spec;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("make-examples: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = root.join("examples");
    let standard = yima::standard::Standard::embedded();
    let filings = spec::load_all(&root.join("tools/make_examples/data"), &standard)?;
    let plans = filings
        .iter()
        .map(|f| layout::plan(f, &standard).map_err(|m| format!("{}: {m}", f.file)))
        .collect::<Result<Vec<_>, _>>()?;
    let mut written = Vec::with_capacity(filings.len());
    for (filing, plan) in filings.iter().zip(&plans) {
        let files = render::write(filing, plan, &out)?;
        written.push(readme::Written {
            filing,
            plan,
            files,
        });
    }
    std::fs::write(out.join("README.md"), readme::render(&written))?;
    let forms_dir = out.join("forms");
    let form_files = forms::write_all(&root.join("tools/make_examples/forms.yaml"), &forms_dir)?;

    let mut produced: BTreeSet<PathBuf> = written
        .iter()
        .flat_map(|w| w.files.iter().map(|f| out.join(f)))
        .collect();
    produced.insert(out.join("README.md"));
    produced.extend(form_files.iter().map(|f| forms_dir.join(f)));
    let seeds: usize = written.iter().map(|w| w.plan.seeds.len()).sum();
    println!(
        "wrote {} files under {} ({} seeded mistakes)",
        produced.len(),
        out.display(),
        seeds
    );
    // Files left from an earlier version of the data are reported, not
    // deleted: removing them is the author's call. The workspace sample is
    // made by `yima ingest` from these files (examples/README.md).
    let workspace = out.join("workspace");
    let found: BTreeSet<PathBuf> = files_under(&out)?
        .into_iter()
        .filter(|p| !p.starts_with(&workspace))
        .collect();
    for stale in found.difference(&produced) {
        eprintln!("make-examples: not generated (stale?): {}", stale.display());
    }
    Ok(())
}

fn files_under(dir: &Path) -> std::io::Result<BTreeSet<PathBuf>> {
    let mut out = BTreeSet::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            out.extend(files_under(&path)?);
        } else {
            out.insert(path);
        }
    }
    Ok(out)
}

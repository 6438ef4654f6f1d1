//! `cargo run --release --example registry-bench -- MODE …`: the code
//! registry at a nation's size, each step a process of its own so its time
//! and peak memory are its own (bench/run.sh runs them under bench/timed.py;
//! docs/performance.md has the figures).
//!
//! - `issue N FILE`: gives codes to N distinct items through the assigner
//!   (as ingest does for new items: sorted keys, sequences with letter
//!   overflow, sub-items under their main item's stem) and writes FILE;
//! - `read FILE`: reads it back, every line's chain checked;
//! - `append FILE`: reads it, issues one more code, writes it again — the
//!   registry part of an ingest that adds one item to a full registry.
//!
//! Each prints its own timing (`took SECONDS`) and the records it holds.

use std::path::Path;

// The allocator of the binary, so the figures are the binary's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::process::ExitCode;
use std::time::Instant;
use yima::codes::registry::Registry;
use yima::codes::{Assigner, ItemKey};
use yima::standard::Standard;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["issue", n, file] => n
            .parse()
            .map_err(|e| format!("{n}: {e}"))
            .and_then(|n| issue(n, Path::new(file))),
        ["read", file] => read(Path::new(file)).map(|_| ()),
        ["append", file] => append(Path::new(file)),
        _ => Err("usage: registry-bench issue N FILE | read FILE | append FILE".into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("registry-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

/// N distinct item keys over every category and sector: names of ten or so
/// characters, most main items with sub-items.
fn keys(n: usize, standard: &Standard) -> Vec<ItemKey> {
    let names = |t: &str| -> Vec<String> {
        standard
            .tables
            .table(t)
            .entries
            .iter()
            .map(|e| e.name.to_string())
            .collect()
    };
    let categories = names("category");
    let sectors = names("sector");
    let chars: Vec<char> = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥金木水火土"
        .chars()
        .collect();
    let word = |mut i: usize| {
        let mut s = String::new();
        for _ in 0..4 {
            s.push(chars[i % chars.len()]);
            i /= chars.len();
        }
        s
    };
    let mut out = Vec::with_capacity(n);
    let mut i = 0usize;
    while out.len() < n {
        let category = &categories[i % categories.len()];
        let sector = &sectors[(i / categories.len()) % sectors.len()];
        let name = format!("{}类事项许可登记", word(i));
        out.push(ItemKey::new(category, sector, &name, ""));
        // One main item in four stands alone, the others have one to three
        // sub-items: a registry under one region prefix holds at most
        // 6 × 35 × 3,099 main items, so a million codes need sub-items.
        for sub in 0..(i % 4) {
            if out.len() < n {
                out.push(ItemKey::new(
                    category,
                    sector,
                    &name,
                    &format!("第{sub}种情形"),
                ));
            }
        }
        i += 1;
    }
    out
}

fn issue(n: usize, file: &Path) -> Result<(), String> {
    let standard = Standard::embedded();
    let keys = keys(n, &standard);
    let started = Instant::now();
    let mut reg = Registry::default();
    Assigner::new(&mut reg, &standard, "43")
        .assign(&keys)
        .map_err(|e| e.to_string())?;
    let assigned = started.elapsed();
    yima::fsx::write_atomic_with(file, &mut |w| reg.write_to(w)).map_err(|e| e.to_string())?;
    let bytes = std::fs::metadata(file).map_err(|e| e.to_string())?.len();
    println!(
        "issued {} codes in {:.3} s, wrote {} MB; took {:.3}",
        reg.len(),
        assigned.as_secs_f64(),
        bytes >> 20,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn read(file: &Path) -> Result<Registry, String> {
    let started = Instant::now();
    let f = std::fs::File::open(file).map_err(|e| e.to_string())?;
    let reg = Registry::read(&mut std::io::BufReader::with_capacity(1 << 16, f))
        .map_err(|e| e.to_string())?;
    if let Some(d) = reg.integrity().first() {
        return Err(format!("line {}: {:?}", d.line, d.damage));
    }
    println!(
        "read {} codes; took {:.3}",
        reg.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(reg)
}

fn append(file: &Path) -> Result<(), String> {
    let started = Instant::now();
    let mut reg = read(file)?;
    let standard = Standard::embedded();
    let key = ItemKey::new("公共服务", "民政", "新增的一个事项", "");
    Assigner::new(&mut reg, &standard, "43")
        .assign(&[key])
        .map_err(|e| e.to_string())?;
    yima::fsx::write_atomic_with(file, &mut |w| reg.write_to(w)).map_err(|e| e.to_string())?;
    println!(
        "appended to {} codes; took {:.3}",
        reg.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

//! `cargo run --release --example gen-filings -- --entries 100000 --seed 7
//! --out DIR [--files N] [--error-share 0.02] [--format xlsx|csv]` writes
//! synthetic filings of any size for benchmarks and load tests: realistic
//! entries of all six categories, all four levels and every sector, about
//! four materials each, every element of SPEC §2a filled (units, notes,
//! topics, online depth and flags, review standards, 受理标准; fee items and
//! questions for some entries in sheets 收费项目 and 常见问题), with a fixed
//! share of seeded mistakes of several rules, counted in the summary it
//! prints (and writes to `DIR/gen-summary.json`).
//!
//! The output depends on the seed alone. Rows are written as they are made,
//! so a million entries take little memory.

#[path = "gen_filings/entry.rs"]
mod entry;
#[path = "gen_filings/full.rs"]
mod full;
#[path = "gen_filings/rng.rs"]
mod rng;
#[path = "gen_filings/sink.rs"]
mod sink;
#[path = "gen_filings/words.rs"]
mod words;
#[path = "gen_filings/world.rs"]
mod world;

use clap::Parser;
use entry::{Columns, Mistake};
use rng::Rng;
use sink::{CsvSink, Encoding, Layout, Sink, XlsxSink};
use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;
use world::{Agencies, Catalog, Level};

/// Writes synthetic filing workbooks (or CSV pairs) for benchmarks.
#[derive(Debug, Parser)]
#[command(name = "gen-filings")]
struct Args {
    /// Number of implementation entries (rows of sheet 事项), in all files.
    #[arg(long, default_value_t = 10_000)]
    entries: u64,
    /// Seed of every random choice: the same seed gives the same files.
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Output folder (created if missing).
    #[arg(long)]
    out: PathBuf,
    /// Number of files; agencies are never split between files.
    #[arg(long, default_value_t = 1)]
    files: u64,
    /// Share of entries with a seeded mistake (0 for clean filings).
    #[arg(long, default_value_t = 0.02)]
    error_share: f64,
    /// File format.
    #[arg(long, value_enum, default_value_t = FileFormat::Xlsx)]
    format: FileFormat,
    /// Text encoding of CSV files.
    #[arg(long, value_enum, default_value_t = Encoding::Gbk)]
    encoding: Encoding,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum FileFormat {
    Xlsx,
    Csv,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args).and_then(|t| report(&args, &t)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gen-filings: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The most entries one workbook can take (see `run`).
const MAX_ENTRIES_PER_WORKBOOK: u64 = 200_000;

/// What was generated, for the summary.
#[derive(Default)]
struct Tally {
    entries: u64,
    materials: u64,
    agencies: u64,
    by_level: [u64; 4],
    by_category: [u64; 6],
    sectors: HashSet<usize>,
    items_used: Vec<bool>,
    /// Rows of 收费项目 and 常见问题.
    fees: u64,
    questions: u64,
    mistakes: BTreeMap<&'static str, u64>,
    files: Vec<PathBuf>,
    seconds: f64,
}

/// Writes the filings; returns what was written.
fn run(args: &Args) -> Result<Tally, Box<dyn std::error::Error>> {
    if !(0.0..=1.0).contains(&args.error_share) {
        return Err("--error-share must be between 0 and 1".into());
    }
    if args.files == 0 || args.entries == 0 {
        return Err("--entries and --files must be at least 1".into());
    }
    // A sheet holds 1,048,576 rows; with about four materials per entry (up
    // to six, plus an orphan) sheet 申请材料 overflows past ~200,000 entries.
    let per_file = args.entries.div_ceil(args.files);
    if args.format == FileFormat::Xlsx && per_file > MAX_ENTRIES_PER_WORKBOOK {
        return Err(format!(
            "{per_file} entries per workbook: sheet 申请材料 would pass Excel's 1,048,576 rows; \
             use --files {} or more",
            args.entries.div_ceil(MAX_ENTRIES_PER_WORKBOOK)
        )
        .into());
    }
    let started = Instant::now();
    std::fs::create_dir_all(&args.out)?;
    let standard = yima::standard::Standard::embedded();
    let cols = Columns::new(&standard);
    let layout = Layout {
        title: "娄底市政务服务事项实施清单".to_string(),
        item_headers: cols.item_headers.clone(),
        material_headers: cols.material_headers.clone(),
        fee_headers: cols.fee_headers.clone(),
        question_headers: cols.question_headers.clone(),
    };
    let catalog = Catalog::new(args.seed);
    let mut agencies = Agencies::new(args.seed, args.entries);
    let mut tally = Tally {
        items_used: vec![false; catalog.items.len()],
        ..Tally::default()
    };
    // Mistakes are spread evenly: entry n has one when ⌊(n+1)·p⌋ > ⌊n·p⌋,
    // so the count is exactly ⌊N·p⌋ (p in millionths).
    let share = (args.error_share * 1e6).round() as u64;
    let mut sink: Option<Box<dyn Sink>> = None;
    let mut opened = 0u64;
    let mut seq = 0u32;
    while tally.entries < args.entries {
        let agency = agencies
            .next_agency()
            .ok_or("the region has run out of agencies for this many entries")?;
        if sink.is_none() || (opened < args.files && tally.entries >= opened * per_file) {
            if let Some(s) = sink.take() {
                tally.files.extend(s.finish()?);
            }
            opened += 1;
            seq = 0;
            sink = Some(open(args, &layout, opened)?);
        }
        let out = sink.as_mut().expect("opened above");
        let pool = Agencies::pool(&agency, &catalog);
        let mut rng = Rng::derive(args.seed, 5, agency.serial);
        let (lo, hi) = match agency.level {
            Level::City => (20, 80),
            Level::County => (15, 50),
            Level::Town => (40, 120),
            Level::Village => (8, 30),
        };
        let want = u64::from(rng.range(lo, hi)).min(args.entries - tally.entries) as usize;
        tally.agencies += 1;
        for idx in rng.distinct(pool.len(), want) {
            let id = pool[idx] as usize;
            let item = &catalog.items[id];
            let n = tally.entries;
            let mistake = if (n + 1) * share / 1_000_000 > n * share / 1_000_000 {
                let k = ((n + 1) * share / 1_000_000) as usize;
                (0..Mistake::ALL.len())
                    .map(|j| Mistake::ALL[(k + j) % Mistake::ALL.len()])
                    .find(|m| m.fits(item))
            } else {
                None
            };
            seq += 1;
            let mut erng = Rng::derive(args.seed, 6, n);
            let generated = entry::generate(&cols, seq, &agency, item, &mut erng, mistake);
            out.item(&generated.item)?;
            for m in &generated.materials {
                out.material(m)?;
            }
            for f in &generated.fees {
                out.fee(f)?;
            }
            for q in &generated.questions {
                out.question(q)?;
            }
            tally.entries += 1;
            tally.materials += generated.materials.len() as u64;
            tally.fees += generated.fees.len() as u64;
            tally.questions += generated.questions.len() as u64;
            tally.by_level[agency.level as usize] += 1;
            tally.by_category[item.category] += 1;
            tally.sectors.insert(item.sector);
            tally.items_used[id] = true;
            if let Some(m) = mistake {
                *tally.mistakes.entry(m.rule()).or_default() += 1;
            }
        }
    }
    if let Some(s) = sink.take() {
        tally.files.extend(s.finish()?);
    }
    tally.seconds = started.elapsed().as_secs_f64();
    Ok(tally)
}

fn open(args: &Args, layout: &Layout, n: u64) -> Result<Box<dyn Sink>, sink::SinkError> {
    let stem = if args.files == 1 {
        "娄底市政务服务事项实施清单".to_string()
    } else {
        format!("事项填报-{n:04}")
    };
    Ok(match args.format {
        FileFormat::Xlsx => Box::new(XlsxSink::create(
            &args.out.join(format!("{stem}.xlsx")),
            layout,
            &args.out,
        )?),
        FileFormat::Csv => Box::new(CsvSink::create(&args.out, &stem, layout, args.encoding)?),
    })
}

/// Prints the summary and writes it as `gen-summary.json` beside the files.
fn report(args: &Args, t: &Tally) -> Result<(), Box<dyn std::error::Error>> {
    let seconds = t.seconds;
    let seeded: u64 = t.mistakes.values().sum();
    let distinct = t.items_used.iter().filter(|u| **u).count();
    println!(
        "wrote {} entries, {} materials, {} fee items, {} questions, {} agencies in {} file(s) under {} ({seconds:.1} s)",
        t.entries,
        t.materials,
        t.fees,
        t.questions,
        t.agencies,
        t.files.len(),
        args.out.display()
    );
    let levels: Vec<String> = Level::ALL
        .iter()
        .map(|l| format!("{} {}", l.name(), t.by_level[*l as usize]))
        .collect();
    let categories: Vec<String> = words::CATEGORIES
        .iter()
        .zip(t.by_category)
        .map(|(c, n)| format!("{c} {n}"))
        .collect();
    println!("levels: {}", levels.join(" · "));
    println!("categories: {}", categories.join(" · "));
    println!("{} sectors, {distinct} distinct items", t.sectors.len());
    println!("seeded mistakes: {seeded} (share {})", args.error_share);
    for (rule, n) in &t.mistakes {
        println!("  {rule:<28} {n}");
    }
    let summary = serde_json::json!({
        "seed": args.seed,
        "entries": t.entries,
        "materials": t.materials,
        "fee_items": t.fees,
        "questions": t.questions,
        "agencies": t.agencies,
        "files": t.files.iter().map(|f| f.file_name().map(|n| n.to_string_lossy().into_owned())).collect::<Vec<_>>(),
        "levels": Level::ALL.iter().map(|l| (l.name(), t.by_level[*l as usize])).collect::<BTreeMap<_, _>>(),
        "categories": words::CATEGORIES.iter().zip(t.by_category).collect::<BTreeMap<_, _>>(),
        "sectors": t.sectors.len(),
        "distinct_items": distinct,
        "seeded": t.mistakes,
        "seeded_total": seeded,
    });
    std::fs::write(
        args.out.join("gen-summary.json"),
        serde_json::to_string_pretty(&summary)? + "\n",
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn generate(
        dir: &std::path::Path,
        entries: u64,
        files: u64,
        share: f64,
        format: FileFormat,
    ) -> Tally {
        let args = Args {
            entries,
            seed: 11,
            out: dir.to_path_buf(),
            files,
            error_share: share,
            format,
            encoding: Encoding::Gbk,
        };
        run(&args).expect("generated")
    }

    /// Findings of `yima check` by rule, under the default profile or
    /// `profile: full`.
    fn findings_as(dir: &std::path::Path, full: bool) -> (BTreeMap<String, u64>, u64, u64) {
        let mut ws = yima::workspace::Workspace::defaults();
        ws.standard.elements.set_full(full);
        let checked = yima::check::check_paths(&[dir.to_path_buf()], &ws, false).expect("checked");
        let mut by_rule = BTreeMap::new();
        for d in &checked.report.diagnostics {
            *by_rule.entry(d.rule.id().to_string()).or_default() += 1;
        }
        let s = &checked.report.summary;
        (by_rule, s.entries as u64, s.materials as u64)
    }

    fn findings(dir: &std::path::Path) -> (BTreeMap<String, u64>, u64, u64) {
        findings_as(dir, false)
    }

    #[test]
    fn clean_filings_pass_and_span_the_standard() {
        let dir = tempfile::tempdir().expect("temp dir");
        let t = generate(dir.path(), 1_500, 3, 0.0, FileFormat::Xlsx);
        assert_eq!(t.files.len(), 3);
        assert!(
            t.by_level.iter().all(|n| *n > 0),
            "every level: {:?}",
            t.by_level
        );
        assert!(
            t.by_category.iter().all(|n| *n > 0),
            "every category: {:?}",
            t.by_category
        );
        let per_entry = t.materials as f64 / t.entries as f64;
        assert!(
            (3.5..=4.5).contains(&per_entry),
            "about four materials: {per_entry}"
        );
        let (by_rule, entries, materials) = findings(dir.path());
        assert!(
            by_rule.is_empty(),
            "a clean filing has no finding: {by_rule:?}"
        );
        assert_eq!((entries, materials), (t.entries, t.materials));
        // Every element of SPEC §2a is filled as `profile: full` asks.
        let (by_rule, _, _) = findings_as(dir.path(), true);
        assert!(
            by_rule.is_empty(),
            "a clean filing is complete under the full profile: {by_rule:?}"
        );
        assert!(
            t.fees > 0 && t.questions > 0,
            "{} fee items, {} questions",
            t.fees,
            t.questions
        );
    }

    #[test]
    fn every_seeded_mistake_is_found_once_and_nothing_else() {
        for format in [FileFormat::Xlsx, FileFormat::Csv] {
            let dir = tempfile::tempdir().expect("temp dir");
            let t = generate(dir.path(), 1_400, 1, 0.05, format);
            assert_eq!(t.mistakes.values().sum::<u64>(), 70);
            assert!(t.mistakes.len() >= 12, "several rules: {:?}", t.mistakes);
            let seeded: BTreeMap<String, u64> = t
                .mistakes
                .iter()
                .map(|(k, v)| (k.to_string(), *v))
                .collect();
            let (by_rule, entries, _) = findings(dir.path());
            assert_eq!(entries, 1_400);
            assert_eq!(by_rule, seeded, "{format:?}");
        }
    }

    #[test]
    fn the_seed_alone_decides_the_bytes() {
        let (a, b) = (
            tempfile::tempdir().expect("dir"),
            tempfile::tempdir().expect("dir"),
        );
        let ta = generate(a.path(), 300, 1, 0.02, FileFormat::Xlsx);
        generate(b.path(), 300, 1, 0.02, FileFormat::Xlsx);
        let name = ta.files[0].file_name().expect("a file name");
        let read = |d: &tempfile::TempDir| std::fs::read(d.path().join(name)).expect("written");
        assert_eq!(read(&a), read(&b));
    }
}

//! The fuzz targets' oracle (`fuzz/harness.rs`) on every `cargo test`, on
//! stable Rust: the corpus under `fuzz/corpus/` mutated by a fixed-seed
//! generator — bytes changed, ranges cut, copied and moved, XML tokens and
//! awkward numbers put in, parts cut short — a bounded number of times, and
//! each mutant read by yima and by calamine. yima must never panic; where
//! both read a mutant they must agree; the whole run stays within a time
//! and memory bound. A failing case is written to
//! `target/reader-mutations/` for `cargo +nightly fuzz run` to take as a
//! seed; once fixed, it goes to `fuzz/regressions/`, which every run reads.
//! docs/fuzzing.md says how the fuzz targets themselves are run.

#[path = "../fuzz/harness.rs"]
mod harness;

use harness::Outcome;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Mutants read per run: well under a minute in a debug build.
const MUTANTS: usize = 2000;

/// A small, fixed pseudo-random generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// What mutations put in: the tokens of a worksheet and shared strings
/// table, as the fuzz targets' dictionary (`fuzz/xlsx.dict`, libFuzzer's
/// format: one quoted string a line) lists them.
fn tokens() -> Vec<Vec<u8>> {
    let dict = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/xlsx.dict");
    let text = std::fs::read_to_string(&dict).expect("fuzz/xlsx.dict");
    let tokens: Vec<Vec<u8>> = text
        .lines()
        .filter_map(|l| l.trim().strip_prefix('"')?.strip_suffix('"'))
        .map(|quoted| {
            let mut out = Vec::new();
            let mut escaped = false;
            for &b in quoted.as_bytes() {
                match (escaped, b) {
                    (false, b'\\') => escaped = true,
                    _ => {
                        out.push(b);
                        escaped = false;
                    }
                }
            }
            out
        })
        .collect();
    assert!(
        tokens.len() > 20,
        "{} tokens in {}",
        tokens.len(),
        dict.display()
    );
    tokens
}

/// Numbers that sit on a limit, or are not numbers.
const NUMBERS: &[&str] = &[
    "0",
    "-1",
    "37.0",
    "abc",
    "1048576",
    "1048577",
    "16384",
    "4294967296",
    "18446744073709551616",
    "1E400",
    "007",
    "",
];

/// The start of the tag at or before `at` (or `at` when there is none):
/// most mutations work on whole tags, so that what they make is mostly
/// still XML and reaches the readers' inner parts.
fn tag_at(b: &[u8], at: usize) -> usize {
    let at = at.min(b.len());
    b[..at].iter().rposition(|&c| c == b'<').unwrap_or(at)
}

/// Applies one or two mutations to `input`.
fn mutate(rng: &mut Rng, input: &[u8], tokens: &[Vec<u8>]) -> Vec<u8> {
    let mut b = input.to_vec();
    for _ in 0..1 + rng.below(2) {
        let len = b.len().max(1);
        let at = tag_at(&b, rng.below(len));
        // A tag or a few, from `at` on.
        let tags = |b: &[u8], n: usize| {
            let mut end = at;
            for _ in 0..n {
                match b[(end + 1).min(b.len())..].iter().position(|&c| c == b'<') {
                    Some(i) => end += 1 + i,
                    None => return b.len(),
                }
            }
            end
        };
        match rng.below(10) {
            0 => {
                // A byte anywhere.
                if !b.is_empty() {
                    let i = rng.below(b.len());
                    b[i] = rng.next() as u8;
                }
            }
            1 | 2 => {
                let end = tags(&b, 1 + rng.below(3));
                b.drain(at..end);
            }
            3 => {
                let end = tags(&b, 1 + rng.below(6));
                let piece = b[at..end].to_vec();
                let to = tag_at(&b, rng.below(b.len() + 1));
                b.splice(to..to, piece);
            }
            4..=6 => {
                let token = &tokens[rng.below(tokens.len())];
                b.splice(at..at, token.iter().copied());
            }
            7 => {
                // A number in place of the digits that follow `at`.
                if let Some(start) = b[at..].iter().position(u8::is_ascii_digit) {
                    let start = at + start;
                    let end = start + b[start..].iter().take_while(|c| c.is_ascii_digit()).count();
                    let n = NUMBERS[rng.below(NUMBERS.len())].as_bytes();
                    b.splice(start..end, n.iter().copied());
                }
            }
            8 => {
                // Tags moved elsewhere (rows out of order, a tag in
                // another's place).
                let end = tags(&b, 1 + rng.below(8));
                let piece: Vec<u8> = b.drain(at..end).collect();
                let to = tag_at(&b, rng.below(b.len() + 1));
                b.splice(to..to, piece);
            }
            _ => {
                // Cut short, mostly near the end.
                if rng.below(4) == 0 {
                    b.truncate(at.max(b.len() * 9 / 10));
                }
            }
        }
    }
    b
}

fn corpus(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    corpus_in(&format!("corpus/{target}"))
}

/// The files of a folder under `fuzz/`, sorted.
fn corpus_in(folder: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz")
        .join(folder);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect()
}

/// Keeps a failing input where `cargo fuzz` can take it as a seed.
fn keep(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/reader-mutations");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// The process's peak resident memory, in MB (Linux).
fn peak_mb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    Some(line.split_whitespace().nth(1)?.parse::<u64>().ok()? >> 10)
}

#[test]
fn mutated_workbooks_read_as_with_calamine_and_never_panic() {
    let start = std::time::Instant::now();
    let seeds = corpus("xlsx");
    assert!(seeds.len() >= 5, "a corpus to mutate");
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let tokens = tokens();
    let mut outcomes: BTreeMap<Outcome, usize> = BTreeMap::new();
    // The seeds themselves first: each must read, the same with both.
    for (path, input) in &seeds {
        let outcome = harness::xlsx_target(input);
        assert_eq!(outcome, Outcome::Agreed, "{}", path.display());
    }
    for case in 0..MUTANTS {
        let (_, seed) = &seeds[rng.below(seeds.len())];
        let input = mutate(&mut rng, seed, &tokens);
        let outcome = std::panic::catch_unwind(|| harness::xlsx_target(&input));
        match outcome {
            Ok(o) => *outcomes.entry(o).or_default() += 1,
            Err(panic) => {
                let kept = keep(&format!("xlsx-{case}"), &input);
                eprintln!("mutant {case} failed; its input is {}", kept.display());
                std::panic::resume_unwind(panic);
            }
        }
    }
    // Inputs that once made the readers panic or disagree (the fuzzer's
    // and this run's): any outcome but those.
    for (path, input) in corpus_in("regressions/xlsx") {
        let outcome = std::panic::catch_unwind(|| harness::xlsx_target(&input));
        assert!(outcome.is_ok(), "{}", path.display());
    }
    // Whole files too (zip and compound files, CRCs and all), for panics
    // only: most fail their checksums.
    let files = corpus("workbook");
    for case in 0..MUTANTS / 10 {
        let (path, seed) = &files[rng.below(files.len())];
        let bytes = mutate(&mut rng, seed, &tokens);
        let name = format!("变异.{}", path.extension().unwrap().to_string_lossy());
        let outcome = std::panic::catch_unwind(|| harness::workbook_target(&bytes, &name));
        if let Err(panic) = outcome {
            let kept = keep(&format!("workbook-{case}"), &bytes);
            eprintln!("mutant file {case} failed; it is {}", kept.display());
            std::panic::resume_unwind(panic);
        }
    }
    eprintln!("{outcomes:?} in {:.1} s", start.elapsed().as_secs_f64());
    // The oracle compared enough to mean something.
    let agreed = outcomes.get(&Outcome::Agreed).copied().unwrap_or(0);
    assert!(
        agreed * 10 >= MUTANTS,
        "only {agreed} mutants compared: {outcomes:?}"
    );
    // calamine reads nothing yima refuses but for the reasons yima is
    // stricter for: a shared string index that is not one, a value not of
    // its type, a sheet cut short. Those stay a minority.
    let stricter = outcomes.get(&Outcome::CalamineOnly).copied().unwrap_or(0);
    assert!(stricter * 2 < MUTANTS, "{outcomes:?}");
    if let Some(mb) = peak_mb() {
        assert!(mb < 1024, "peak memory {mb} MB");
    }
}

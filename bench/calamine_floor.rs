//! `cargo run --release --example calamine-floor -- [--mode range|stream]
//! PATH…`: the time calamine alone takes to load the filing workbooks under
//! PATH — the floor below which `yima check` cannot go while it reads with
//! calamine.
//!
//! - `range` (the default): each workbook opened once, then sheet 事项 and
//!   sheet 申请材料 loaded whole with `worksheet_range`, one after the other,
//!   as a straightforward reader does.
//! - `stream`: the two sheets read at the same time on two threads with the
//!   streaming `worksheet_cells_reader` (each thread opens the workbook, so
//!   the shared strings are parsed twice), holding no sheet in memory.
//!
//! Every cell is touched (counted, its text length summed), so nothing is
//! skipped. The last line is machine-readable for `bench/run.sh`.

use calamine::{Data, DataRef, Reader, Xlsx, open_workbook};
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// The sheets of a filing (SPEC §2).
const SHEETS: [&str; 2] = ["事项", "申请材料"];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Range,
    Stream,
}

/// What was read.
#[derive(Default, Clone, Copy)]
struct Count {
    cells: u64,
    text_bytes: u64,
}

impl Count {
    fn add(&mut self, o: Count) {
        self.cells += o.cells;
        self.text_bytes += o.text_bytes;
    }
}

type Failure = Box<dyn std::error::Error + Send + Sync>;

fn main() -> ExitCode {
    let mut mode = Mode::Range;
    let mut paths = Vec::new();
    let mut args = std::env::args_os().skip(1);
    while let Some(a) = args.next() {
        match a.to_str() {
            Some("--mode") => match args.next().as_ref().and_then(|m| m.to_str()) {
                Some("range") => mode = Mode::Range,
                Some("stream") => mode = Mode::Stream,
                _ => {
                    eprintln!("calamine-floor: --mode range|stream");
                    return ExitCode::from(2);
                }
            },
            _ => paths.push(PathBuf::from(a)),
        }
    }
    if paths.is_empty() {
        eprintln!("usage: calamine-floor [--mode range|stream] PATH…");
        return ExitCode::from(2);
    }
    match run(mode, &paths) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("calamine-floor: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(mode: Mode, paths: &[PathBuf]) -> Result<(), Failure> {
    let mut files = Vec::new();
    for p in paths {
        workbooks(p, &mut files)?;
    }
    files.sort();
    let started = Instant::now();
    let mut total = Count::default();
    for f in &files {
        total.add(match mode {
            Mode::Range => by_range(f)?,
            Mode::Stream => by_stream(f)?,
        });
    }
    let seconds = started.elapsed().as_secs_f64();
    let name = match mode {
        Mode::Range => "range",
        Mode::Stream => "stream",
    };
    println!(
        "calamine-floor: mode={name} files={} cells={} text_bytes={} seconds={seconds:.3}",
        files.len(),
        total.cells,
        total.text_bytes
    );
    Ok(())
}

fn workbooks(p: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if p.is_dir() {
        for e in std::fs::read_dir(p)? {
            workbooks(&e?.path(), out)?;
        }
    } else if p
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
    {
        out.push(p.to_path_buf());
    }
    Ok(())
}

/// The sheets to read: 事项 and 申请材料 when the workbook has them, else all.
fn sheet_names(book: &Xlsx<BufReader<File>>) -> Vec<String> {
    let names = book.sheet_names();
    let wanted: Vec<String> = SHEETS
        .iter()
        .filter(|s| names.iter().any(|n| n == *s))
        .map(|s| s.to_string())
        .collect();
    if wanted.is_empty() { names } else { wanted }
}

fn by_range(path: &Path) -> Result<Count, Failure> {
    let mut book: Xlsx<_> = open_workbook(path)?;
    let mut count = Count::default();
    for name in sheet_names(&book) {
        let range = book.worksheet_range(&name)?;
        for (_, _, d) in range.used_cells() {
            count.cells += 1;
            if let Data::String(s) = d {
                count.text_bytes += s.len() as u64;
            }
        }
        // The range is dropped here, before the next sheet is loaded.
    }
    Ok(count)
}

fn by_stream(path: &Path) -> Result<Count, Failure> {
    let names = {
        let book: Xlsx<_> = open_workbook(path)?;
        sheet_names(&book)
    };
    std::thread::scope(|scope| {
        let handles: Vec<_> = names
            .iter()
            .map(|name| scope.spawn(move || stream_sheet(path, name)))
            .collect();
        let mut count = Count::default();
        for h in handles {
            count.add(h.join().map_err(|_| "a reader thread panicked")??);
        }
        Ok(count)
    })
}

fn stream_sheet(path: &Path, name: &str) -> Result<Count, Failure> {
    let mut book: Xlsx<_> = open_workbook(path)?;
    let mut reader = book.worksheet_cells_reader(name)?;
    let mut count = Count::default();
    while let Some(cell) = reader.next_cell()? {
        match cell.get_value() {
            DataRef::Empty => continue,
            DataRef::SharedString(s) => count.text_bytes += s.len() as u64,
            DataRef::String(s) => count.text_bytes += s.len() as u64,
            _ => {}
        }
        count.cells += 1;
    }
    Ok(count)
}

//! Running `yima` under watch — wall time and peak memory, with a hard cap
//! on its address space so a regression cannot take the machine down — and
//! writing the hostile files the readers must withstand by hand: zip
//! archives and deflate streams built byte by byte (a gigabyte-sized bomb
//! costs megabytes and milliseconds to make), compound files for xls.

#![allow(dead_code)]

#[path = "../../fuzz/harness.rs"]
mod harness;

pub use harness::{WORKBOOK_RELS, Zip, xlsx_skeleton};
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What a watched run did.
#[derive(Debug)]
pub struct Watched {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    /// Peak resident memory (the kernel's high-water mark), in MB.
    pub peak_mb: u64,
    pub secs: f64,
}

/// The binary under test (`YIMA_BIN` runs another build, to see a test
/// fail on the code it was written against).
pub fn yima_bin() -> String {
    std::env::var("YIMA_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_yima").to_string())
}

/// Runs `yima ARGS` in `dir` and asserts it ends within `secs` seconds,
/// its peak resident memory under `mb` MB, and without a panic. Its
/// address space is capped (3 GiB), so a run that would blow up fails
/// instead of swapping.
#[track_caller]
pub fn watched(dir: &Path, args: &[&str], secs: u64, mb: u64) -> Watched {
    let run = watched_as(dir, args, secs, mb, &[]);
    assert!(
        run.code == 0 || run.code == 1,
        "yima {args:?} exited {}:\n{}",
        run.code,
        run.stderr
    );
    run
}

/// As [`watched`], the command prefixed with `before` (e.g. `setpriv …`),
/// whatever its exit code.
#[track_caller]
pub fn watched_as(dir: &Path, args: &[&str], secs: u64, mb: u64, before: &[&str]) -> Watched {
    let cap_kb = 3u64 << 20;
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(format!("ulimit -v {cap_kb} && exec \"$@\""))
        .arg("sh")
        .args(before)
        .arg(yima_bin())
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let start = Instant::now();
    let mut child = cmd.spawn().expect("run yima");
    let pid = child.id();
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let out_thread = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = out.read_to_end(&mut s);
        s
    });
    let err_thread = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err.read_to_end(&mut s);
        s
    });
    let mut peak_kb = 0u64;
    let status = loop {
        // (The high-water mark only grows: the last reading is the peak
        // but for the final milliseconds.)
        if let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status"))
            && let Some(line) = status.lines().find(|l| l.starts_with("VmHWM:"))
            && let Some(kb) = line.split_whitespace().nth(1).and_then(|v| v.parse().ok())
        {
            peak_kb = peak_kb.max(kb);
        }
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if start.elapsed() > Duration::from_secs(secs) {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "yima {args:?} ran over {secs} s (peak {} MB so far)",
                peak_kb >> 10
            );
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let secs_taken = start.elapsed().as_secs_f64();
    let run = Watched {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out_thread.join().unwrap()).into_owned(),
        stderr: String::from_utf8_lossy(&err_thread.join().unwrap()).into_owned(),
        peak_mb: peak_kb >> 10,
        secs: secs_taken,
    };
    assert!(
        !run.stderr.contains("panicked") && !run.stderr.contains("memory allocation"),
        "yima {args:?} crashed (exit {}):\n{}",
        run.code,
        run.stderr
    );
    assert!(
        run.peak_mb < mb,
        "yima {args:?} peaked at {} MB (limit {mb} MB)",
        run.peak_mb
    );
    run
}

/// Writes bits as deflate packs them: least significant first.
#[derive(Default)]
struct Bits {
    out: Vec<u8>,
    acc: u64,
    n: u32,
}

impl Bits {
    fn put(&mut self, value: u32, len: u32) {
        self.acc |= u64::from(value) << self.n;
        self.n += len;
        while self.n >= 8 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.n -= 8;
        }
    }

    /// A Huffman code: most significant bit first.
    fn code(&mut self, code: u32, len: u32) {
        let mut rev = 0;
        for i in 0..len {
            rev |= ((code >> i) & 1) << (len - 1 - i);
        }
        self.put(rev, len);
    }

    /// A literal byte or end of block (256), fixed Huffman codes.
    fn literal(&mut self, sym: u32) {
        match sym {
            0..=143 => self.code(0x30 + sym, 8),
            144..=255 => self.code(0x190 + sym - 144, 9),
            256..=279 => self.code(sym - 256, 7),
            _ => self.code(0xC0 + sym - 280, 8),
        }
    }

    fn finish(mut self) -> Vec<u8> {
        if self.n > 0 {
            self.out.push(self.acc as u8);
        }
        self.out
    }
}

/// A deflate stream inflating to `prefix`, then `filler` repeated `len`
/// times, then `suffix`: one block of fixed codes, the repeats as copies of
/// 258 bytes at distance `filler.len()` (at most 258). Gives the stream
/// and the size it inflates to.
pub fn bomb(prefix: &[u8], filler: &[u8], len: u64, suffix: &[u8]) -> (Vec<u8>, u64) {
    assert!(!filler.is_empty() && filler.len() <= 258);
    let mut b = Bits::default();
    b.put(1, 1); // last block
    b.put(1, 2); // fixed Huffman codes
    for &c in prefix {
        b.literal(u32::from(c));
    }
    let unit = filler.len() as u64;
    let mut left = len * unit;
    for &c in filler {
        b.literal(u32::from(c));
    }
    left -= unit;
    // Distance `unit`: codes 0..=3 for 1..=4, else with extra bits.
    let (dcode, extra, extra_len) = distance(filler.len() as u32);
    while left > 0 {
        let n = left.min(258);
        if n < 3 {
            for i in 0..n {
                b.literal(u32::from(filler[((len * unit - left + i) % unit) as usize]));
            }
            break;
        }
        let (lsym, lextra, lextra_len) = length(n as u32);
        b.literal(lsym);
        b.put(lextra, lextra_len);
        b.code(dcode, 5);
        b.put(extra, extra_len);
        left -= n;
    }
    for &c in suffix {
        b.literal(u32::from(c));
    }
    b.literal(256);
    let size = prefix.len() as u64 + len * unit + suffix.len() as u64;
    (b.finish(), size)
}

/// The length symbol for `n` (3..=258) and its extra bits.
fn length(n: u32) -> (u32, u32, u32) {
    const BASE: [u32; 29] = [
        3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115,
        131, 163, 195, 227, 258,
    ];
    const EXTRA: [u32; 29] = [
        0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
    ];
    let i = BASE.iter().rposition(|&b| b <= n).unwrap();
    (257 + i as u32, n - BASE[i], EXTRA[i])
}

/// The distance code for `d` (1..=258) and its extra bits.
fn distance(d: u32) -> (u32, u32, u32) {
    const BASE: [u32; 18] = [
        1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385,
    ];
    const EXTRA: [u32; 18] = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7];
    let i = BASE.iter().rposition(|&b| b <= d).unwrap();
    (i as u32, d - BASE[i], EXTRA[i])
}

/// The parts of an xlsx workbook, by name.
pub fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip archive");
    (0..zip.len())
        .map(|i| {
            let mut f = zip.by_index(i).unwrap();
            let mut data = Vec::new();
            f.read_to_end(&mut data).unwrap();
            (f.name().unwrap().to_string(), data)
        })
        .collect()
}

/// The workbook `bytes` with part `name` changed by `edit`.
pub fn patch(bytes: &[u8], name: &str, edit: impl FnOnce(String) -> String) -> Vec<u8> {
    let mut zip = Zip::default();
    let mut edit = Some(edit);
    for (n, data) in unzip(bytes) {
        if n == name {
            let text = String::from_utf8(data).expect("XML is UTF-8");
            let edited = (edit.take().expect("one part"))(text);
            zip.stored(&n, edited.as_bytes());
        } else {
            zip.stored(&n, &data);
        }
    }
    assert!(edit.is_none(), "no part {name}");
    zip.finish()
}

//! A sheet's XML and a shared strings table (split at a NUL byte), packaged
//! as a workbook and read by yima and by calamine: no panic, no hang, no
//! unbounded memory, and the same cells wherever both read it
//! (`fuzz/harness.rs`).

#![no_main]

#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    harness::xlsx_target(data);
});

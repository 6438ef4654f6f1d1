//! A whole file — zip, compound file or anything else — read as a workbook
//! by yima (and, for an xlsx package, by calamine): no panic, no hang, no
//! unbounded memory, the same cells wherever both read it.

#![no_main]

#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    // Named for the format its bytes begin as, as a department's file
    // would be.
    let name = if data.starts_with(b"\xD0\xCF\x11\xE0") {
        "变异.xls"
    } else if data.starts_with(b"PK") {
        "变异.xlsx"
    } else {
        "变异.ods"
    };
    harness::workbook_target(data, name);
});

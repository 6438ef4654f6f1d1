//! Entry files written by yima's own serializer (`src/catalog/yaml/`) are
//! serde-saphyr's bytes: arbitrary text, cut at NUL bytes into the string
//! elements of an entry and one of its materials, is written by both, and
//! wherever the fast path writes an entry it must be serde-saphyr's file
//! byte for byte (docs/fuzzing.md).

#![no_main]

use yima::catalog::CatalogEntry;
use yima::catalog::entry::{CatalogMaterial, Source};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.split('\0').map(str::to_string);
    let mut next = || parts.next().unwrap_or_default();
    let mut e = CatalogEntry {
        impl_code: next(),
        basic_code: next(),
        name: next(),
        category: next(),
        sector: next(),
        agency: next(),
        agency_code: next(),
        level: next(),
        division: next(),
        legal_basis: Some(next()),
        conditions: Some(next()),
        hours: Some(next()),
        promised_days: Some(3),
        charged: Some(false),
        source: Source {
            file: next(),
            sheet: next(),
            row: Some(7),
        },
        ..CatalogEntry::default()
    };
    e.audience = vec![next(), next()];
    e.materials = vec![CatalogMaterial {
        name: next(),
        notes: Some(next()),
        basis: Some(next()),
        copies: Some(1),
        ..CatalogMaterial::default()
    }];
    if let Some(fast) = yima::catalog::yaml::to_yaml(&e) {
        let general = serde_saphyr::to_string(&e).expect("an entry serializes");
        assert_eq!(fast, general);
    }
});

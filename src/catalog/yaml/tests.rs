//! The fast path of [`super`] against serde-saphyr itself.

use super::*;
use crate::catalog::CatalogEntry;
use proptest::prelude::*;

fn general(e: &CatalogEntry) -> String {
    serde_saphyr::to_string(e).expect("serializes")
}

/// The entries of the sample catalog (`items/`).
fn samples() -> Vec<CatalogEntry> {
    static SAMPLES: std::sync::OnceLock<Vec<CatalogEntry>> = std::sync::OnceLock::new();
    SAMPLES.get_or_init(read_samples).clone()
}

fn read_samples() -> Vec<CatalogEntry> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/items");
    let mut out = Vec::new();
    let mut stack = vec![std::path::PathBuf::from(dir)];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("items/ readable").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "yaml") {
                let text = std::fs::read_to_string(&p).expect("readable");
                out.push(serde_saphyr::from_str(&text).expect("an entry"));
            }
        }
    }
    assert!(out.len() > 10, "the sample catalog has entries");
    out
}

#[test]
fn the_sample_catalog_is_written_as_serde_saphyr_writes_it_and_none_falls_back() {
    for e in samples() {
        let fast = to_yaml(&e);
        assert_eq!(
            fast.as_deref(),
            Some(general(&e).as_str()),
            "{}",
            e.impl_code
        );
    }
}

#[test]
fn an_entry_file_is_its_code_lines_and_the_rest_written_with_other_codes() {
    for e in samples() {
        let mut blank = e.clone();
        blank.impl_code = String::new();
        blank.basic_code = "X".into();
        let joined = code_lines(&e.impl_code, &e.basic_code) + after_code_lines(&blank.to_yaml());
        assert_eq!(joined, e.to_yaml(), "{}", e.impl_code);
    }
}

#[test]
fn block_scalars_and_awkward_strings() {
    let base = samples().remove(0);
    let texts = [
        "第一行\n第二行",
        "  缩进的第一行\n第二行\n",
        "结尾两个换行\n\n",
        "\n",
        "带\r回车\n的两行",
        &"很长的一行没有空格".repeat(12),
        &"word ".repeat(40),
        &format!("{}  two spaces {}", "x".repeat(78), "y".repeat(90)),
        &format!("{}\tthen tab {}", "x ".repeat(40), "z".repeat(10)),
        "2024-11-01",
        "2024-1-1",
        "12:30",
        "0738-5956337",
        "432006052000",
        "-",
        "#",
        "- a",
        "a #b",
        "a: b",
        "结尾冒号：:",
        "true",
        "No",
        "~",
        "<<",
        "",
        " 前导空格",
        "尾随空格 ",
        "\u{3000}全角空格:\u{3000}",
        "BOM\u{FEFF}",
        "引号\"和\\反斜杠",
        "0x1F",
        "1e5",
        ".5",
        "+1",
        "https://example.org/a?b=c#d",
    ];
    for t in texts {
        let mut e = base.clone();
        e.conditions = Some(t.to_string());
        e.audience = vec![t.to_string(), "自然人".into()];
        if let Some(m) = e.materials.first_mut() {
            m.notes = Some(t.to_string());
        }
        e.source.sheet = t.to_string();
        if let Some(fast) = to_yaml(&e) {
            assert_eq!(fast, general(&e), "{t:?}");
        }
    }
    // Several lines and long lines are written here, not left to the
    // general emitter.
    let mut e = base.clone();
    e.conditions = Some("一、条件一；\n二、条件二。".into());
    e.legal_basis = Some(format!("{} 第三条", "《某某条例》".repeat(16)));
    e.materials[0].notes = Some("第一行\n第二行".into());
    assert_eq!(to_yaml(&e).as_deref(), Some(general(&e).as_str()));
}

/// Strings that stress the style rules: YAML keywords, numbers, dates,
/// indicators, comments, control characters, line breaks, long lines.
fn awkward() -> impl Strategy<Value = String> {
    let piece = prop::sample::select(vec![
        "a",
        "Z",
        "yes",
        "null",
        "0",
        "9",
        "-",
        ":",
        ": ",
        " ",
        "#",
        " #",
        ".",
        "_",
        "e",
        "x",
        "T",
        "中",
        "，",
        "：",
        "\n",
        "\t",
        "\"",
        "'",
        "\\",
        "\u{85}",
        "\u{3000}",
        "+",
        "!",
        "&",
        "*",
        "%",
        "@",
        "`",
        "|",
        ">",
        "[",
        "{",
        ",",
        "2024-11-01",
        "12:30",
        "\r",
        "\u{FEFF}",
        "~",
        "<<",
        "条例",
        "第三条",
        "---",
        "\u{a0}",
        "\u{2028}",
        "\u{1680}",
        "\u{205f}",
        "\u{9f}",
    ]);
    prop_oneof![
        3 => prop::collection::vec(piece.clone(), 0..8).prop_map(|v| v.concat()),
        1 => prop::collection::vec(piece, 20..70).prop_map(|v| v.concat()),
        1 => "[0-9-]{1,14}",
        1 => "\\PC{0,100}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]
    #[test]
    fn what_it_writes_is_what_serde_saphyr_writes(
        strings in prop::collection::vec(awkward(), 12),
        pick in 0usize..1000,
        drop_lists in any::<bool>(),
    ) {
        let all = samples();
        let mut e = all[pick % all.len()].clone();
        let mut s = strings.into_iter();
        let mut next = || s.next().unwrap_or_default();
        e.name = next();
        e.conditions = Some(next());
        e.legal_basis = Some(next());
        e.hours = Some(next());
        e.division = next();
        e.process = vec![next(), next()];
        if let Some(m) = e.materials.first_mut() {
            m.name = next();
            m.notes = Some(next());
            m.basis = Some(next());
        }
        e.source.file = next();
        e.source.sheet = next();
        if drop_lists {
            e.audience.clear();
            e.materials.clear();
        }
        let fast = to_yaml(&e);
        if let Some(fast) = &fast {
            prop_assert_eq!(fast, &general(&e));
        }
    }
}

/// Codes of digits and capital letters (统一社会信用代码, 实施编码, and the
/// numbers YAML sees in some of them: digits `E` digits) are written as
/// serde-saphyr writes them.
#[test]
fn codes_are_written_as_serde_saphyr_writes_them() {
    let mut codes = vec![
        "11431300006140469E3430101001000",
        "1E5",
        "12E",
        "1E2E3",
        "0E1",
        "0X1F",
        "0B11",
        "0O17",
        "0A",
        "9X",
        "12AB34",
        "114313000061404690",
        "91430100MA4L2X9Q8B",
        "1",
        "1E",
    ]
    .into_iter()
    .map(String::from)
    .collect::<Vec<_>>();
    for e in samples() {
        codes.extend([e.impl_code, e.basic_code, e.agency_code]);
    }
    for code in codes {
        let e = CatalogEntry {
            impl_code: code.clone(),
            name: code.clone(),
            ..samples()[0].clone()
        };
        assert_eq!(to_yaml(&e).as_deref(), Some(general(&e).as_str()), "{code}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]
    #[test]
    fn any_code_is_written_as_serde_saphyr_writes_it(code in "[0-9][0-9A-Z]{0,20}|[0-9]{1,6}E[0-9]{0,6}") {
        let e = CatalogEntry { impl_code: code.clone(), ..samples()[0].clone() };
        prop_assert_eq!(to_yaml(&e), Some(general(&e)));
    }
}

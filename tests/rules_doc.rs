//! `docs/rules.md` is the rule catalog as `yima explain --format md` prints
//! it. These tests fail when the two differ or a rule is missing, so code and
//! documentation cannot drift; and they check `yima explain` itself.

use assert_cmd::Command;
use std::path::Path;
use yima::cli::explain::REGENERATE_DOCS;
use yima::diag::Rule;

fn explain(args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("yima")
        .expect("yima binary")
        .arg("explain")
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run yima explain");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).expect("UTF-8 output"),
        String::from_utf8(out.stderr).expect("UTF-8 output"),
    )
}

fn committed_doc() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules.md");
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e}\nGenerate it with: {REGENERATE_DOCS}",
            path.display()
        )
    })
}

#[test]
fn docs_rules_md_is_what_yima_explain_generates() {
    let (code, generated, stderr) = explain(&["--format", "md"]);
    assert_eq!(code, 0, "{stderr}");
    let committed = committed_doc();
    if committed != generated {
        let first = committed
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| committed.lines().count().min(generated.lines().count()));
        panic!(
            "docs/rules.md is out of date (first difference at line {}).\n\
             Regenerate it with: {REGENERATE_DOCS}",
            first + 1
        );
    }
}

#[test]
fn docs_rules_md_describes_every_rule() {
    let doc = committed_doc();
    for rule in Rule::ALL {
        assert!(
            doc.contains(&format!("\n## {rule}\n")),
            "docs/rules.md has no section for `{rule}`. Regenerate it with: {REGENERATE_DOCS}"
        );
        assert!(
            doc.contains(&format!("| [{rule}](#{rule}) |")),
            "docs/rules.md does not index `{rule}`. Regenerate it with: {REGENERATE_DOCS}"
        );
    }
}

#[test]
fn explain_prints_checks_why_severity_and_examples() {
    let (code, out, _) = explain(&["catch-all-clause"]);
    assert_eq!(code, 0);
    assert!(
        out.starts_with("catch-all-clause · 兜底条款\n默认级别：错误\n"),
        "{out}"
    );
    for part in [
        "检查什么",
        "为什么",
        "错误示例",
        "正确示例",
        "法律、法规规定的其他条件",
        "只跑一次",
    ] {
        assert!(out.contains(part), "no {part} in:\n{out}");
    }

    let (code, out, _) = explain(&["--lang", "en", "visits-exceed-one"]);
    assert_eq!(code, 0);
    assert!(
        out.starts_with("visits-exceed-one · More than one visit\nDefault severity: warning\n"),
        "{out}"
    );
    for part in ["What it checks", "Why", "Bad", "Good", "只跑一次"] {
        assert!(out.contains(part), "no {part} in:\n{out}");
    }
}

#[test]
fn explain_alone_lists_every_rule_with_severity_and_title() {
    let (code, out, _) = explain(&[]);
    assert_eq!(code, 0);
    for rule in Rule::ALL {
        let line = out
            .lines()
            .find(|l| l.split_whitespace().next() == Some(rule.id()))
            .unwrap_or_else(|| panic!("`{rule}` not listed:\n{out}"));
        let severity = match rule.default_severity().as_str() {
            "error" => "错误",
            _ => "警告",
        };
        assert_eq!(line.split_whitespace().nth(1), Some(severity), "{line}");
    }
}

#[test]
fn an_unknown_rule_is_a_usage_error_with_a_suggestion() {
    let (code, out, err) = explain(&["phone-invlid"]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(
        err.contains("phone-invlid") && err.contains("“phone-invalid”"),
        "{err}"
    );

    let (code, _, err) = explain(&["--lang", "en", "no-such-thing-at-all"]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown rule `no-such-thing-at-all`"), "{err}");
}

/// The value of the cell `header` in an example's sample (`… header: value`).
fn sample_value<'a>(sample: &'a str, header: &str) -> &'a str {
    let key = format!("{header}: ");
    let line = sample
        .lines()
        .find(|l| l.contains(&key))
        .unwrap_or_else(|| panic!("no {header} in:\n{sample}"));
    let rest = &line[line.find(&key).unwrap() + key.len()..];
    rest.split("   ").next().unwrap().trim()
}

#[test]
fn the_catalog_examples_agree_with_the_rules() {
    use yima::diag::catalog::Catalog;
    use yima::rules::{codes, phone, uscc, wording};
    use yima::standard::{Standard, lexicon::Lexicon};

    let catalog = Catalog::embedded();
    let bad = |rule: Rule, header: &str| sample_value(&catalog.get(rule).bad.sample, header);
    let good = |rule: Rule, header: &str| sample_value(&catalog.get(rule).good.sample, header);

    let code = "实施主体编码";
    assert!(uscc::validate(bad(Rule::UsccInvalid, code)).is_err());
    assert!(uscc::validate(good(Rule::UsccInvalid, code)).is_ok());
    // Outside the region, but a valid code: only the region is wrong.
    assert!(uscc::validate(bad(Rule::UsccRegionMismatch, code)).is_ok());
    assert_eq!(&bad(Rule::UsccRegionMismatch, code)[2..8], "450721");
    assert!(uscc::validate(good(Rule::UsccRegionMismatch, code)).is_ok());
    assert_eq!(&good(Rule::UsccRegionMismatch, code)[2..8], "431300");

    // 实施编码 = USCC + 3 (市级) + 基本编码.
    let derived = format!("{}3430701001000", good(Rule::ImplCodeMismatch, code));
    assert_eq!(good(Rule::ImplCodeMismatch, "实施编码"), derived);
    assert_ne!(bad(Rule::ImplCodeMismatch, "实施编码"), derived);
    assert_eq!(good(Rule::BasicCodeInvalid, "基本编码"), &derived[19..]);

    let basic = codes::parse_basic(good(Rule::BasicCodeInvalid, "基本编码")).unwrap();
    assert_eq!(
        (basic.prefix, basic.category, basic.sector),
        ("43", "07", "01")
    );
    let basic = codes::parse_basic(bad(Rule::BasicCodeInvalid, "基本编码")).unwrap();
    assert_eq!(
        basic.category, "01",
        "well-formed, but the category of 行政许可"
    );

    // A cell may hold several numbers: each is checked.
    for header in ["咨询电话", "监督投诉电话"] {
        assert!(
            !phone::invalid(bad(Rule::PhoneInvalid, header)).is_empty(),
            "{header}"
        );
        assert!(
            phone::invalid(good(Rule::PhoneInvalid, header)).is_empty(),
            "{header}"
        );
    }

    let standard = Standard::embedded();
    let division = "行政区划代码";
    assert!(
        standard
            .divisions
            .resolve(bad(Rule::DivisionInvalid, division))
            .is_err()
    );
    assert!(
        standard
            .divisions
            .resolve(good(Rule::DivisionInvalid, division))
            .is_ok()
    );
    assert!(
        standard
            .divisions
            .resolve(good(Rule::LevelDivisionMismatch, division))
            .is_ok()
    );

    let catch_all = &standard.lexicon.catch_all;
    let conditions = "受理条件";
    assert!(Lexicon::find(catch_all, bad(Rule::CatchAllClause, conditions)).is_some());
    assert!(Lexicon::find(catch_all, good(Rule::CatchAllClause, conditions)).is_none());
    assert!(Lexicon::find(catch_all, bad(Rule::CatchAllClause, "材料名称")).is_some());
    let vague = &standard.lexicon.vague;
    assert!(Lexicon::find(vague, bad(Rule::VagueWording, "材料名称")).is_some());
    assert!(Lexicon::find(vague, good(Rule::VagueWording, "材料名称")).is_none());

    let basis = "设定依据";
    assert!(!wording::cites_a_law(bad(Rule::LegalBasisUnquoted, basis)));
    assert!(wording::cites_a_law(good(Rule::LegalBasisUnquoted, basis)));
    assert!(wording::cites_a_law(good(Rule::LegalBasisMissing, basis)));
}

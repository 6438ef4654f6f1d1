//! Open data (SPEC §8): `yima export --format datapackage` passes
//! `frictionless validate`, and fails it when a value breaks its schema;
//! the schema.org markup of every guide parses as JSON-LD and names what
//! its page shows. Both use Python packages from PyPI (tests/pytools).

mod common_catalog;
mod pytools;

use common_catalog::*;
use std::path::Path;

#[test]
fn the_data_package_passes_frictionless_validate() {
    let ws = repo_sample();
    let out = ws.path().join("open");
    let r = run(
        ws.path(),
        &["export", "--format", "datapackage", "--out", "open"],
    );
    assert_eq!(r.code, 0, "{r}");
    let n = active_entries(ws.path()).0;
    assert!(n > 50, "the sample has its entries: {n}");
    assert!(r.stdout.contains(&format!("{n} 个事项")), "{r}");
    let csv = std::fs::read_to_string(out.join("catalog.csv")).expect("catalog.csv");
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_string)
        .collect();
    assert_eq!(&header[..3], ["name", "sub_name", "category"]);
    assert_eq!(reader.records().count(), n);
    let materials = std::fs::read_to_string(out.join("materials.csv")).expect("materials.csv");
    assert!(
        materials.starts_with("impl_code,seq,name,"),
        "{}",
        &materials[..80]
    );
    // The same export twice: the same bytes.
    let again = ws.path().join("again");
    run(
        ws.path(),
        &["export", "--format", "datapackage", "--out", "again"],
    );
    assert_eq!(snapshot(&out), snapshot(&again));

    let Some(py) = pytools::python(
        "the_data_package_passes_frictionless_validate",
        &["frictionless"],
    ) else {
        return;
    };
    let descriptor = out.join("datapackage.json");
    let report = &pytools::run(
        &py,
        "datapackage_valid.py",
        &[descriptor.to_str().expect("utf-8")],
    )[0];
    assert_eq!(report["valid"], true, "{report:#}");
    assert_eq!(report["rows"]["catalog"], n, "{report:#}");
    let material_rows = csv::Reader::from_reader(materials.as_bytes())
        .records()
        .count();
    assert!(material_rows > n, "the sample's materials: {material_rows}");
    assert_eq!(report["rows"]["materials"], material_rows, "{report:#}");
    let fields = report["fields"]["catalog"].as_array().expect("fields");
    assert_eq!(
        fields
            .iter()
            .map(|f| f.as_str().unwrap_or(""))
            .collect::<Vec<_>>(),
        header
    );

    // A value its schema does not allow fails the validation: the schema
    // says something.
    let broken = csv.replacen(",行政许可,", ",行政审批,", 1);
    assert_ne!(broken, csv);
    std::fs::write(out.join("catalog.csv"), broken).expect("write");
    let report = &pytools::run(
        &py,
        "datapackage_valid.py",
        &[descriptor.to_str().expect("utf-8")],
    )[0];
    assert_eq!(report["valid"], false, "{report:#}");
    let errors = report["errors"].as_array().expect("errors");
    assert!(
        errors
            .iter()
            .any(|e| e[1] == "constraint-error" && e[2].as_str().unwrap_or("").contains("enum")),
        "{report:#}"
    );
}

#[test]
fn every_guide_carries_json_ld_of_what_its_page_shows() {
    let ws = repo_sample();
    let r = run(ws.path(), &["build"]);
    assert_eq!(r.code, 0, "{r}");
    let mut pages: Vec<String> = std::fs::read_dir(ws.path().join("dist/guides"))
        .expect("guides")
        .flatten()
        .map(|e| e.path().display().to_string())
        .filter(|p| p.ends_with(".html"))
        .collect();
    pages.sort();
    assert_eq!(pages.len(), active_entries(ws.path()).0);
    let Some(py) = pytools::python(
        "every_guide_carries_json_ld_of_what_its_page_shows",
        &["pyld"],
    ) else {
        return;
    };
    let args: Vec<&str> = pages.iter().map(String::as_str).collect();
    let shown = pytools::run(&py, "jsonld_guides.py", &args);
    assert_eq!(shown.len(), pages.len());
    let mut online = 0;
    for g in &shown {
        let page = g["page"].as_str().unwrap_or("");
        assert_eq!(g["blocks"], 1, "{page}");
        assert_eq!(
            g["types"][0], "http://schema.org/GovernmentService",
            "{page}"
        );
        let text = g["text"].as_str().unwrap_or("");
        // The 实施编码 is the page's own name.
        let stem = Path::new(page)
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("");
        assert_eq!(g["identifiers"][0], stem, "{page}");
        // Every value the markup gives is on the page.
        let name = g["name"].as_str().expect("a name");
        for part in name.split(['（', '）']).filter(|p| !p.is_empty()) {
            assert!(text.contains(part), "{page}: {part} not on the page");
        }
        let mut values: Vec<&serde_json::Value> = vec![&g["service_type"]];
        for key in [
            "identifiers",
            "provider",
            "provider_id",
            "area",
            "audience",
            "channels",
            "places",
            "phones",
            "urls",
            "output",
        ] {
            values.extend(g[key].as_array().expect(key));
        }
        for v in values {
            let v = v
                .as_str()
                .unwrap_or_else(|| panic!("{page}: {v} is no text"));
            assert!(text.contains(v), "{page}: {v} not on the page");
        }
        assert!(
            !g["provider"].as_array().expect("provider").is_empty(),
            "{page}"
        );
        online += g["urls"].as_array().map_or(0, Vec::len);
    }
    assert!(online > 0, "no guide names its online address");
}

//! The spans' tests: runs copied only while their bytes hold, and the
//! records read back.

use super::*;

#[test]
fn a_run_is_copied_only_while_its_bytes_hold() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("catalog.json");
    std::fs::write(&file, b"head[run one][run two]tail").unwrap();
    let first = Spans::new(vec![]);
    first.note("catalog.json", "one", 4, b"[run one]", None);
    first.note("catalog.json", "two", 13, b"[run two]", None);
    // (A run of another file is not one of this file's.)
    first.note("catalog.csv", "csv", 0, b"head", None);
    let prefix = Prefix {
        key: "k".into(),
        len: 22,
        state: state_hex(&Sha256::new()),
        sha256: "d".repeat(64),
    };
    first.note_prefix("catalog.json", prefix.clone());
    first.write(&dir.path().join(FILE)).unwrap();

    let next = Spans::new(vec![dir.path().to_path_buf()]);
    let one = next.copy("catalog.json", "one").unwrap();
    assert_eq!(
        one,
        (
            b"[run one]".to_vec().into(),
            crate::fsx::checksum_hex(b"[run one]")
        )
    );
    assert_eq!(
        next.copy("catalog.json", "two").unwrap().0[..],
        *b"[run two]"
    );
    assert_eq!(next.copy("catalog.json", "three"), None);
    assert_eq!(next.copy("catalog.json", "csv"), None);
    // The prefix reads back under its key only, for its file only.
    let (root, at, p) = next.prefix("catalog.json").unwrap();
    assert_eq!(
        (root, at.as_path(), p),
        (dir.path(), file.as_path(), &prefix)
    );
    assert!(next.prefix("catalog.csv").is_none());
    assert!(state_of(&p.state).is_some());
    assert!(state_of("00").is_none() && state_of("zz").is_none());

    // The file edited under a span: that run is written again.
    std::fs::write(&file, b"head[run one][run 2!]tail").unwrap();
    let edited = Spans::new(vec![dir.path().to_path_buf()]);
    assert_eq!(
        edited.copy("catalog.json", "one").unwrap().0[..],
        *b"[run one]"
    );
    assert_eq!(edited.copy("catalog.json", "two"), None);
    // Unless the file is proven whole (which this one would not be):
    // its bytes are then taken as they lie.
    edited.trust("catalog.json");
    assert_eq!(
        edited.copy("catalog.json", "two").unwrap().0[..],
        *b"[run 2!]t"
    );

    // A record reaching past the end (its checksum made to match) is
    // not read.
    let spans = dir.path().join(FILE);
    let forged = format!(
        "{HEADER}\nbig\t4\t{}\t{}\tcatalog.json\t-\n",
        u64::MAX / 2,
        "0".repeat(32)
    );
    std::fs::write(&spans, crate::fsx::seal(forged)).unwrap();
    let far = Spans::new(vec![dir.path().to_path_buf()]);
    assert_eq!(far.copy("catalog.json", "big"), None);
    first.write(&spans).unwrap();

    // The record altered: nothing is trusted.
    let text = std::fs::read_to_string(&spans).unwrap();
    std::fs::write(&spans, text.replacen("\t4\t", "\t5\t", 1)).unwrap();
    let altered = Spans::new(vec![dir.path().to_path_buf()]);
    assert_eq!(altered.copy("catalog.json", "one"), None);
}

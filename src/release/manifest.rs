//! `manifest.json`: every file of a release with its size and sha256, and
//! `yima verify`, which recomputes it and names what changed, went missing
//! or was added.

use rustc_hash::FxHashMap as HashMap;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The manifest's file name inside a release.
pub const FILE: &str = "manifest.json";

/// One file of a release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestFile {
    /// Relative to the release folder, with `/`.
    pub path: String,
    pub size: u64,
    pub sha256: String,
}

/// `manifest.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub version: String,
    /// The yima version that made it.
    pub yima: String,
    /// sha256 of the registry (`codes.lock`) at release time.
    pub registry_sha256: String,
    pub files: Vec<ManifestFile>,
}

/// Lowercase hex sha256.
pub use crate::fsx::sha256_hex;

impl Manifest {
    /// Writes the manifest as `serde_json::to_writer_pretty` does, byte for
    /// byte, and a newline: its 300,000 files at 100,000 entries written
    /// field by field (0.11-0.13 s into memory, against the generic pretty
    /// printer's 0.14-0.17 s).
    pub fn write_to(&self, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        /// A JSON string as serde_json writes it: as it stands, quoted,
        /// when nothing in it is escaped (a path or a digest, nearly
        /// always), else by serde_json.
        fn string(out: &mut Vec<u8>, s: &str) {
            if s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
                out.push(b'"');
                out.extend_from_slice(s.as_bytes());
                out.push(b'"');
            } else {
                serde_json::to_writer(&mut *out, s).expect("a string serializes");
            }
        }
        // (Each file's lines are made in one buffer and written at once:
        // the manifest ends a release on one thread.)
        let mut out = Vec::with_capacity(256);
        out.extend_from_slice(b"{\n  \"version\": ");
        string(&mut out, &self.version);
        out.extend_from_slice(b",\n  \"yima\": ");
        string(&mut out, &self.yima);
        out.extend_from_slice(b",\n  \"registry_sha256\": ");
        string(&mut out, &self.registry_sha256);
        out.extend_from_slice(b",\n  \"files\": [");
        w.write_all(&out)?;
        let mut size = itoa::Buffer::new();
        for (i, f) in self.files.iter().enumerate() {
            out.clear();
            out.extend_from_slice(if i == 0 { b"\n" } else { b",\n" });
            out.extend_from_slice(b"    {\n      \"path\": ");
            string(&mut out, &f.path);
            out.extend_from_slice(b",\n      \"size\": ");
            out.extend_from_slice(size.format(f.size).as_bytes());
            out.extend_from_slice(b",\n      \"sha256\": ");
            string(&mut out, &f.sha256);
            out.extend_from_slice(b"\n    }");
            w.write_all(&out)?;
        }
        if !self.files.is_empty() {
            w.write_all(b"\n  ")?;
        }
        w.write_all(b"]\n}\n")
    }
}

/// The files under `dir`, each as its path from the release folder with
/// `/` (`prefix` names `dir`), but those in the folder `skip` names (a
/// path from the release folder).
fn walk(
    dir: &Path,
    prefix: &str,
    skip: Option<&str>,
    out: &mut Vec<String>,
) -> std::io::Result<()> {
    for e in std::fs::read_dir(dir)? {
        let e = e?;
        let rel = format!("{prefix}{}", e.file_name().to_string_lossy());
        // (The entry's own type: a link to a folder is a file here, never
        // followed, so a link back up cannot loop.)
        if e.file_type()?.is_dir() {
            if skip != Some(rel.as_str()) {
                walk(&e.path(), &format!("{rel}/"), skip, out)?;
            }
        } else {
            out.push(rel);
        }
    }
    Ok(())
}

/// Lists and hashes every file under `root` except the manifest itself,
/// sorted by path.
pub fn scan(root: &Path) -> std::io::Result<Vec<ManifestFile>> {
    scan_known(root, &HashMap::default())
}

/// [`scan`], taking the sha256 of the files `known` lists (by path) from it
/// rather than reading them — the digests a build computed of the bytes it
/// wrote or linked in this run — and their size where it gives one; any
/// other file under `root` is read and hashed. A file `known` lists is
/// listed even when the walk does not meet it (one a linker has yet to put
/// there; one without a size is looked at, so it must be there).
pub fn scan_known(
    root: &Path,
    known: &HashMap<String, (String, Option<u64>)>,
) -> std::io::Result<Vec<ManifestFile>> {
    scan_listed(root, known, None)
}

/// The files of one folder of a release as the release recorded them when
/// it made that folder: each one's path from the release folder, sha256
/// and size when known, sorted by path. Only a folder no other writer
/// reaches — one the release made and nothing but its render wrote into —
/// may be taken so, instead of listed.
pub struct Listed {
    folder: String,
    files: crate::publish::cache::SizedFiles,
}

/// A file's sha256, and its size when known.
type Known = (String, Option<u64>);

impl Listed {
    /// The files `files` of `folder` (a name, no `/`), as recorded.
    pub fn recorded(folder: &str, files: crate::publish::cache::SizedFiles) -> Listed {
        Listed {
            folder: folder.to_string(),
            files,
        }
    }
}

/// [`scan_known`], taking the files of the folder `listed` names from it
/// rather than listing that folder again (300,000 guides: the records of
/// the render that made them).
pub fn scan_listed(
    root: &Path,
    known: &HashMap<String, Known>,
    listed: Option<Listed>,
) -> std::io::Result<Vec<ManifestFile>> {
    use rayon::prelude::*;
    let mut paths = Vec::new();
    walk(
        root,
        "",
        listed.as_ref().map(|l| l.folder.as_str()),
        &mut paths,
    )?;
    // (A file recorded is listed whether or not the walk met it: one still
    // being linked is there before the release is.)
    let walked: std::collections::HashSet<&str> = paths.iter().map(String::as_str).collect();
    let in_listed = |p: &str| {
        (listed.as_ref()).is_some_and(|l| {
            p.strip_prefix(l.folder.as_str())
                .is_some_and(|rest| rest.starts_with('/'))
        })
    };
    let recorded: Vec<String> = (known.keys())
        .filter(|p| !walked.contains(p.as_str()) && !in_listed(p))
        .cloned()
        .collect();
    drop(walked);
    paths.extend(recorded);
    let size_of = |path: &str, size: Option<u64>| match size {
        Some(size) => Ok(size),
        None => std::fs::metadata(root.join(path)).map(|m| m.len()),
    };
    let file = |path: String| {
        if let Some((sha256, size)) = known.get(&path) {
            let size = size_of(&path, *size)?;
            let sha256 = sha256.clone();
            return Ok(ManifestFile { path, size, sha256 });
        }
        // A file that is not regular is listed with no hash: it
        // matches no manifest entry, and `verify` names it.
        let (size, sha256) = crate::fsx::sha256_file(&root.join(&path))?.unwrap_or_default();
        Ok(ManifestFile { path, size, sha256 })
    };
    let by_path = |a: &ManifestFile, b: &ManifestFile| a.path.cmp(&b.path);
    // (Paths are unique: no order among equals to keep.)
    let mut rest: Vec<ManifestFile> = (paths.into_par_iter())
        .filter(|path| path != FILE)
        .map(file)
        .collect::<std::io::Result<_>>()?;
    rest.par_sort_unstable_by(by_path);
    let Some(listed) = listed else {
        return Ok(rest);
    };
    let mut inside: Vec<ManifestFile> = (listed.files.into_par_iter())
        .map(|(path, sha256, size)| {
            let size = size_of(&path, size)?;
            Ok(ManifestFile { path, size, sha256 })
        })
        .collect::<std::io::Result<_>>()?;
    // (Recorded files come sorted: a check of the order, not a sort.)
    if !inside.is_sorted_by(|a, b| a.path < b.path) {
        inside.par_sort_unstable_by(by_path);
    }
    Ok(merge(rest, inside))
}

/// Two lists of files sorted by path, as one.
fn merge(a: Vec<ManifestFile>, b: Vec<ManifestFile>) -> Vec<ManifestFile> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut a, mut b) = (a.into_iter().peekable(), b.into_iter().peekable());
    loop {
        let next = match (a.peek(), b.peek()) {
            (Some(x), Some(y)) if x.path <= y.path => a.next(),
            (Some(_), Some(_)) => b.next(),
            (Some(_), None) => a.next(),
            (None, _) => b.next(),
        };
        match next {
            Some(f) => out.push(f),
            None => return out,
        }
    }
}

/// What `verify` found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verification {
    pub changed: Vec<String>,
    pub missing: Vec<String>,
    pub added: Vec<String>,
    /// Of those changed or added, the ones that are not regular files (a
    /// pipe, a device, a link to one, a link to a folder): not read.
    pub not_regular: Vec<String>,
    pub checked: usize,
}

impl Verification {
    pub fn ok(&self) -> bool {
        self.changed.is_empty() && self.missing.is_empty() && self.added.is_empty()
    }
}

/// Why a release cannot be verified at all.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("cannot read {path}: {message}")]
    Read { path: String, message: String },
}

/// Recomputes a release folder's manifest and compares.
pub fn verify(dir: &Path) -> Result<Verification, VerifyError> {
    let mpath = dir.join(FILE);
    let err = |message: String| VerifyError::Read {
        path: crate::filing::display_path(&mpath),
        message,
    };
    // (Read as any file is: a regular file, within a size limit.)
    let bytes = crate::filing::source::read_bytes(&mpath).map_err(|e| err(e.to_string()))?;
    let manifest: Manifest = serde_json::from_slice(&bytes).map_err(|e| err(e.to_string()))?;
    let actual = scan(dir).map_err(|e| err(e.to_string()))?;
    let mut v = Verification {
        checked: manifest.files.len(),
        ..Verification::default()
    };
    let now: std::collections::HashMap<&str, &ManifestFile> =
        actual.iter().map(|f| (f.path.as_str(), f)).collect();
    let listed: std::collections::HashSet<&str> =
        manifest.files.iter().map(|f| f.path.as_str()).collect();
    for f in &manifest.files {
        match now.get(f.path.as_str()) {
            None => v.missing.push(f.path.clone()),
            Some(a) if a.sha256 != f.sha256 || a.size != f.size => v.changed.push(f.path.clone()),
            Some(_) => {}
        }
    }
    for a in &actual {
        if !listed.contains(a.path.as_str()) {
            v.added.push(a.path.clone());
        }
        if a.sha256.is_empty() {
            v.not_regular.push(a.path.clone());
        }
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(files: Vec<ManifestFile>) -> Manifest {
        Manifest {
            version: "2026.9".into(),
            yima: env!("CARGO_PKG_VERSION").into(),
            registry_sha256: sha256_hex(b"codes"),
            files,
        }
    }

    #[test]
    fn a_folder_as_recorded_gives_the_manifest_a_walk_gives() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for (rel, text) in [
            ("guides/a.html", "a"),
            ("guides/b.md", "b"),
            ("guides/sub/c.txt", "c"),
            ("catalog.json", "{}"),
            ("site/index.html", "<p>"),
            ("site/data/1.js", "x"),
        ] {
            std::fs::create_dir_all(root.join(rel).parent().unwrap()).unwrap();
            std::fs::write(root.join(rel), text).unwrap();
        }
        let known: HashMap<String, (String, Option<u64>)> =
            [("guides/a.html".to_string(), ("f".repeat(64), Some(1)))]
                .into_iter()
                .collect();
        let want = scan_known(root, &known).unwrap();
        assert_eq!(want.len(), 6);
        let a = want.iter().find(|f| f.path == "guides/a.html").unwrap();
        assert_eq!(a.sha256, "f".repeat(64), "known: not read");
        // The folder as a release recorded it (sorted, with what it knew
        // of each file): the same manifest, the files not read.
        let recorded = (want.iter())
            .filter(|f| f.path.starts_with("guides/"))
            .map(|f| {
                let size = (f.path != "guides/b.md").then_some(f.size);
                (f.path.clone(), f.sha256.clone(), size)
            })
            .collect();
        let got = scan_listed(root, &known, Some(Listed::recorded("guides", recorded))).unwrap();
        assert_eq!(got, want);
        std::fs::write(root.join("guides/a.html"), "altered").unwrap();
        let recorded = vec![("guides/a.html".into(), "e".repeat(64), Some(1))];
        let got = scan_listed(root, &known, Some(Listed::recorded("guides", recorded))).unwrap();
        let paths: Vec<&str> = got.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "catalog.json",
                "guides/a.html",
                "site/data/1.js",
                "site/index.html"
            ],
            "what was recorded, in order among the rest"
        );
        assert_eq!(got[1].sha256, "e".repeat(64), "as recorded, not read");
        // A file recorded that the walk does not meet (still being linked)
        // is listed as recorded, in its place; one the walk meets, once.
        let known: HashMap<String, (String, Option<u64>)> = [
            ("site/data/0.js".to_string(), ("d".repeat(64), Some(7))),
            ("site/data/1.js".to_string(), ("c".repeat(64), Some(1))),
        ]
        .into_iter()
        .collect();
        let got = scan_listed(root, &known, Some(Listed::recorded("guides", Vec::new()))).unwrap();
        let paths: Vec<&str> = got.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "catalog.json",
                "site/data/0.js",
                "site/data/1.js",
                "site/index.html"
            ]
        );
        assert_eq!(
            (got[1].size, got[1].sha256.as_str()),
            (7, "d".repeat(64).as_str())
        );
        assert_eq!(got[2].sha256, "c".repeat(64));
    }

    #[test]
    fn the_manifest_is_written_as_serde_json_writes_it_pretty() {
        let file = |path: &str, size| ManifestFile {
            path: path.into(),
            size,
            sha256: sha256_hex(path.as_bytes()),
        };
        for m in [
            manifest(Vec::new()),
            manifest(vec![file("catalog.json", 0)]),
            manifest(vec![
                file(
                    "guides/11440100MB2C9213XX4440123001000.html",
                    18_446_744_073_709_551_615,
                ),
                file("forms/申请表 \"甲\"\\乙.docx", 12_345),
                file("odd/\u{1}\t\n\u{7f}\u{2028}.md", 7),
            ]),
        ] {
            let mut ours = Vec::new();
            m.write_to(&mut ours).unwrap();
            let mut theirs = serde_json::to_vec_pretty(&m).unwrap();
            theirs.push(b'\n');
            assert_eq!(
                String::from_utf8(ours).unwrap(),
                String::from_utf8(theirs).unwrap()
            );
        }
    }
}

//! `yima verify RELEASE_DIR`: recomputes the manifest and names every file
//! changed, missing or added. Exit 0 intact, 1 tampered, 2 unreadable.

use super::failure::{Failure, Result};
use super::{EXIT_FINDINGS, EXIT_OK};
use crate::diag::Lang;
use crate::release::manifest;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// 发布目录，如 releases/2026.1
    pub dir: PathBuf,
}

pub fn run(args: Args, lang: Lang) -> Result<u8> {
    super::check_paths_exist(std::slice::from_ref(&args.dir), lang)?;
    let v = manifest::verify(&args.dir).map_err(|e| Failure::new(e.to_string()))?;
    let (changed, missing, added, special) = match lang {
        Lang::Zh => ("已改动", "缺失", "多出", "（不是普通文件，未读取）"),
        Lang::En => (
            "changed",
            "missing",
            "added",
            " (not a regular file: not read)",
        ),
    };
    let note = |f: &String| {
        if v.not_regular.contains(f) {
            special
        } else {
            ""
        }
    };
    // File names in a release folder are anybody's: shown inert.
    let inert = crate::report::inert;
    for f in &v.changed {
        outln!("{changed}: {}{}", inert(f), note(f));
    }
    for f in &v.missing {
        outln!("{missing}: {}", inert(f));
    }
    for f in &v.added {
        outln!("{added}: {}{}", inert(f), note(f));
    }
    let dir = crate::filing::display_path(&args.dir);
    let dir = inert(&dir);
    if v.ok() {
        outln!(
            "{}",
            match lang {
                Lang::Zh => format!("{dir}：{} 个文件与清单一致", v.checked),
                Lang::En => format!("{dir}: {} files match the manifest", v.checked),
            }
        );
        Ok(EXIT_OK)
    } else {
        let n = v.changed.len() + v.missing.len() + v.added.len();
        outln!(
            "{}",
            match lang {
                Lang::Zh => format!("{dir}：{n} 个文件与清单不符"),
                Lang::En => format!("{dir}: {n} files differ from the manifest"),
            }
        );
        Ok(EXIT_FINDINGS)
    }
}

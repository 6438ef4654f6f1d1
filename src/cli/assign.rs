//! `yima assign [--check]`: codes for catalog entries without one, every
//! 实施编码 derived. `--check` writes nothing and exits 1 on any problem —
//! the CI guard for the catalog repository.

use super::failure::{Failure, Result};
use super::{EXIT_FINDINGS, EXIT_OK, require_workspace};
use crate::assign;
use crate::diag::Lang;
use crate::fsx::WorkspaceLock;
use std::path::Path;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// 只检查，不写入；有任何问题时退出码为 1
    #[arg(long)]
    pub check: bool,
}

pub fn run(args: Args, workspace: Option<&Path>, lang: Lang) -> Result<u8> {
    let ws = require_workspace(workspace, lang)?;
    if args.check {
        let (problems, n, registry) =
            assign::audit_dir(&ws).map_err(|e| Failure::new(e.to_string()))?;
        for p in &problems {
            outln!("{}", problem_line(p, lang));
        }
        let codes = registry.len();
        if problems.is_empty() {
            outln!(
                "{}",
                match lang {
                    Lang::Zh => format!("编码一致：{n} 个条目，登记簿 {codes} 个编码"),
                    Lang::En =>
                        format!("codes consistent: {n} entries, {codes} codes in the registry"),
                }
            );
            return Ok(EXIT_OK);
        }
        outln!(
            "{}",
            match lang {
                Lang::Zh => format!("发现 {} 个编码问题", problems.len()),
                Lang::En => format!("{} code problems", problems.len()),
            }
        );
        return Ok(EXIT_FINDINGS);
    }
    let root = ws.root.clone().unwrap_or_else(|| ".".into());
    let _lock =
        WorkspaceLock::acquire(&root).map_err(|e| Failure::new(super::lock_message(&e, lang)))?;
    let before = crate::catalog::load_registry(&ws.path(&ws.config.paths.items))
        .map_err(|e| Failure::new(e.to_string()))?
        .len();
    let outcome = assign::assign_dir(&ws).map_err(|e| match (e, lang) {
        (
            assign::AssignError::Collision {
                code,
                first,
                second,
            },
            Lang::Zh,
        ) => Failure::new(format!(
            "{first} 与 {second} 得到同一个实施编码 {code}，未做改动；请删除重复的条目"
        )),
        (assign::AssignError::Unsafe(problems), _) => {
            let mut s = match lang {
                Lang::Zh => "编码登记簿与目录不一致，未赋任何编码，未做改动。请从版本库恢复 items/codes.lock（yima assign --check 列出全部问题）：".to_string(),
                Lang::En => "the code registry disagrees with the catalog: no code was issued, nothing changed. Restore items/codes.lock from version control (`yima assign --check` lists every problem):".to_string(),
            };
            list_problems(&mut s, &problems, lang);
            Failure::new(s)
        }
        (e, _) => Failure::new(e.to_string()),
    })?;
    let new_codes = outcome.registry.len() - before;
    // A registry still in the YAML of earlier versions is written as the
    // log now, even with nothing else to do: `yima assign` migrates it.
    let migrating = outcome.registry.is_legacy();
    if outcome.updated.is_empty() && new_codes == 0 && !migrating {
        outln!(
            "{}",
            if lang == Lang::Zh {
                "所有条目都已有编码，无需改动"
            } else {
                "every entry has its codes: nothing to do"
            }
        );
        return Ok(EXIT_OK);
    }
    let w = crate::catalog::Writer::begin(&ws.path(&ws.config.paths.items))
        .map_err(|e| write_failure(&e, lang))?;
    let staged = || -> std::result::Result<(), crate::catalog::WriteError> {
        for rel in &outcome.moved_from {
            w.remove(rel)?;
        }
        for c in &outcome.updated {
            w.put(c)?;
        }
        w.registry(&outcome.registry)
    };
    staged().map_err(|e| write_failure(&e, lang))?;
    let leftover = w
        .commit()
        .map_err(|c| Failure::new(super::writes::commit_failure(&c, lang)))?;
    if let Some(l) = leftover {
        super::writes::warn_leftover(
            &crate::filing::display_path(&l.path),
            &l.error.to_string(),
            lang,
        );
    }
    for c in &outcome.updated {
        outln!("  {}", c.impl_code);
    }
    if migrating {
        outln!(
            "{}",
            match lang {
                Lang::Zh => "登记簿已转为新格式（每行一条记录，只在末尾追加；见 docs/codes.md）",
                Lang::En =>
                    "the registry is now in the log format (one event a line, appended only; see docs/codes.md)",
            }
        );
    }
    outln!(
        "{}",
        match lang {
            Lang::Zh => format!(
                "新赋基本编码 {new_codes} 个，更新条目 {} 个",
                outcome.updated.len()
            ),
            Lang::En => format!(
                "{new_codes} new codes, {} entries updated",
                outcome.updated.len()
            ),
        }
    );
    Ok(EXIT_OK)
}

/// A write into the prepared catalog that failed: nothing changed.
fn write_failure(e: &crate::catalog::WriteError, lang: Lang) -> Failure {
    Failure::new(match lang {
        Lang::Zh => format!("无法写入 {}：{}；目录未做任何改动", e.path, e.source),
        Lang::En => format!(
            "cannot write {}: {}; the catalog is unchanged",
            e.path, e.source
        ),
    })
}

/// `error: file:line: message`, with whatever the message quotes from a
/// filing made inert for the terminal.
pub fn problem_line(p: &assign::Problem, lang: Lang) -> String {
    format!(
        "error: {}: {}",
        crate::report::inert(&p.place()),
        crate::report::inert(p.message.get(lang))
    )
}

/// Appends problems to a message, a line each (the first 20, then a count).
pub fn list_problems(s: &mut String, problems: &[assign::Problem], lang: Lang) {
    const SHOWN: usize = 20;
    for p in problems.iter().take(SHOWN) {
        s.push_str("\n  ");
        s.push_str(&problem_line(p, lang));
    }
    if problems.len() > SHOWN {
        let more = problems.len() - SHOWN;
        s.push_str(&match lang {
            Lang::Zh => format!("\n  …（另有 {more} 个）"),
            Lang::En => format!("\n  … ({more} more)"),
        });
    }
}

//! The standardized service guides (办事指南, SPEC §2a, §5): for every active
//! entry `guides/<实施编码>.html` (a standalone page, printable on A4) and
//! `guides/<实施编码>.md`, rendered in parallel from the typed context
//! [`Guide`] (see [`context`]) through the templates `guide.html` and
//! `guide.md`. The forms the entries name are linked to their copies in
//! `dist/forms/` ([`super::forms`]).

mod context;

pub use context::{Fact, FeeRow, Guide, MaterialRow, Qa, Section};

use super::forms::Forms;
use super::templates::Templates;
use super::{BuildContext, GUIDES_DIR, Plan, PublishError};
use indicatif::{ProgressBar, ProgressStyle};
use minijinja::Value;
use minijinja::value::Serde;
use rayon::prelude::*;

/// The template of the HTML guide.
pub const HTML_TEMPLATE: &str = "guide.html";
/// The template of the Markdown guide.
pub const MD_TEMPLATE: &str = "guide.md";

/// Whether a code can name a file: upper-case letters and digits only. Codes
/// that passed the checks always can; this guards a hand-edited catalog.
pub(super) fn path_safe(code: &str) -> bool {
    !code.is_empty()
        && code
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// Writes both guides of every entry under `guides/` of the plan's tree,
/// linking the forms copied into `forms`; an entry whose guides the previous
/// build proves unchanged keeps them. Returns the number of entries given
/// guides.
pub fn write(
    ctx: &BuildContext<'_>,
    forms: &Forms,
    plan: &Plan<'_>,
) -> Result<usize, PublishError> {
    let templates = Templates::load(ctx.workspace)?;
    std::fs::create_dir_all(plan.out.root().join(GUIDES_DIR))?;
    let bar = progress(ctx, "办事指南");
    ctx.entries
        .par_iter()
        .zip(plan.keys.par_iter())
        .try_for_each(|(entry, key)| -> Result<(), PublishError> {
            // (Only what the key and path need, unless it is rendered.)
            let e = entry.summary();
            if !path_safe(&e.impl_code) {
                return Err(PublishError::Io(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!(
                        "实施编码 “{}” 不能用作文件名（not usable as a file name）：{}",
                        e.impl_code, e.name
                    ),
                )));
            }
            let paths = [HTML_TEMPLATE, MD_TEMPLATE].map(|t| guide_path(&e.impl_code, t));
            if plan.out.reuse(key, &[&paths[0], &paths[1]]) {
                bar.inc(1);
                return Ok(());
            }
            // One conversion of the context serves both templates.
            let guide = Value::from(Serde(Guide::new(entry, ctx, forms)));
            for (template, path) in [HTML_TEMPLATE, MD_TEMPLATE].iter().zip(&paths) {
                let text = templates.render_value(template, guide.clone())?;
                plan.out.write(path, key, text.as_bytes())?;
            }
            bar.inc(1);
            Ok(())
        })?;
    bar.finish_and_clear();
    Ok(ctx.entries.len())
}

/// Where an entry's guide of `template` goes, relative to the build root.
fn guide_path(code: &str, template: &str) -> String {
    let ext = if template == HTML_TEMPLATE {
        "html"
    } else {
        "md"
    };
    format!("{GUIDES_DIR}/{code}.{ext}")
}

/// A progress bar over the entries, named `what`, on stderr when the build
/// asks for one, else a hidden one.
pub(super) fn progress(ctx: &BuildContext<'_>, what: &'static str) -> ProgressBar {
    if !ctx.progress {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(ctx.entries.len() as u64);
    if let Ok(style) = ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} {eta}") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(what);
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_upper_case_letters_and_digits_name_a_file() {
        assert!(path_safe("11431300006140469E3430101001000"));
        assert!(!path_safe(""));
        assert!(!path_safe("../X"));
        assert!(!path_safe("abc"));
    }
}

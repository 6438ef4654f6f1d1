//! form-missing (SPEC §2a): a blank form, a filled-in sample or a result
//! sample named by its file must be in the workspace's `forms/` folder (or,
//! checked outside a workspace, a `forms/` folder beside the filing), so
//! that the published guide can link it. URLs are taken as given.

use super::{Context, finding, material_finding};
use crate::diag::{Diagnostic, Rule, Text};
use crate::model::{ArcStr, Entry, Located, Material};
use crate::standard::Standard;
use crate::standard::elements::{Field, MaterialField};
use crate::text;
use crate::workspace::Workspace;
use rustc_hash::FxHashMap;
use std::path::{Path, PathBuf};

/// The forms folders of one filing and what was found in them, for the
/// names its rows repeat.
#[derive(Default)]
pub struct Forms {
    /// The filing they were looked up for.
    file: Option<std::sync::Arc<str>>,
    dirs: Vec<PathBuf>,
    found: FxHashMap<String, bool>,
}

impl Forms {
    /// Whether `name` is a file in one of the forms folders of `file`.
    fn has(&mut self, ws: &Workspace, file: &std::sync::Arc<str>, name: &str) -> bool {
        if self.file.as_ref() != Some(file) {
            self.file = Some(file.clone());
            self.dirs = forms_dirs(ws, Path::new(&**file));
            self.found.clear();
        }
        if let Some(&known) = self.found.get(name) {
            return known;
        }
        let there = self.dirs.iter().any(|d| d.join(name).is_file());
        self.found.insert(name.to_string(), there);
        there
    }
}

/// Where the forms of a filing may be: the workspace's `forms/`, else (no
/// workspace) a `forms/` folder beside the filing.
pub fn forms_dirs(ws: &Workspace, filing: &Path) -> Vec<PathBuf> {
    match ws.forms_dir() {
        Some(d) => vec![d],
        None => {
            let dir = filing.parent().filter(|d| !d.as_os_str().is_empty());
            vec![dir.unwrap_or(Path::new(".")).join("forms")]
        }
    }
}

/// A form value that names a file (not a URL).
fn file_name(v: &Located<ArcStr>) -> Option<&str> {
    let s = v.value.as_str();
    (!crate::filing::cells::is_url(s)).then_some(s)
}

fn message(name: &str, header: &str) -> (Text, Text) {
    (
        text!(
            "“{header}”写的文件“{name}”不在 forms 文件夹中",
            "`{header}` names `{name}`, which is not in the forms folder"
        ),
        text!(
            "把“{name}”放进工作区的 forms 文件夹（yima.yaml 的 paths.forms），或改为文件的网址；文件名须与 forms 中的完全一致。",
            "put `{name}` into the workspace's forms folder (paths.forms in yima.yaml), or give the file's URL; the name must match exactly."
        ),
    )
}

/// The entry's 结果样本, and the forms of its materials.
pub fn check_entry(ctx: &mut Context<'_>, forms: &mut Forms, entry: &Entry) {
    let mut found = Vec::new();
    for m in &entry.materials {
        check_material(ctx.workspace, forms, m, &mut found);
    }
    if let Some(v) = &entry.result_sample
        && let Some(name) = file_name(v)
        && !forms.has(ctx.workspace, &entry.origin.file, name)
    {
        let std = ctx.standard();
        let header = &std.elements.items.element(Field::ResultSample).header;
        let (m, h) = message(name, header);
        found.push(finding(std, Rule::FormMissing, entry, Field::ResultSample, v, m).help(h));
    }
    for d in found {
        ctx.push(d);
    }
}

/// A material's 空白表格 and 示例样表.
pub fn check_material(
    ws: &Workspace,
    forms: &mut Forms,
    m: &Material,
    found: &mut Vec<Diagnostic>,
) {
    let std: &Standard = &ws.standard;
    for (field, value) in [
        (MaterialField::BlankForm, &m.blank_form),
        (MaterialField::SampleForm, &m.sample_form),
    ] {
        let Some(v) = value else { continue };
        let Some(name) = file_name(v) else { continue };
        if forms.has(ws, &m.origin.file, name) {
            continue;
        }
        let header = &std.elements.materials.element(field).header;
        let (msg, h) = message(name, header);
        found.push(material_finding(std, Rule::FormMissing, m, field, v, msg).help(h));
    }
}

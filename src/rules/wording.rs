//! Wording: catch-all-clause (兜底条款), vague-wording, name-has-agency and
//! legal-basis-unquoted. The phrase lists are data (`schemas/lexicon.yaml`).

use super::{Context, TextMemo, finding, material_finding};
use crate::diag::{Diagnostic, Rule, Text};
use crate::model::{ArcStr, Entry, Located, Material};
use crate::standard::Standard;
use crate::standard::elements::{Field, MaterialField};
use crate::standard::lexicon::{Lexicon, Phrase, PhraseList};
use crate::text;
use std::sync::Arc;

/// What the wording rules found in texts seen before: the phrase of each
/// list (its index, or none), and what an item name holds. A filing repeats
/// its texts — the conditions of an item every village offers, the name of
/// a material every entry asks for — and each is searched once.
#[derive(Default)]
pub struct Seen {
    catch_all: TextMemo<Option<usize>>,
    vague: TextMemo<Option<usize>>,
    /// The place or digit name-has-agency finds in each item name.
    names: TextMemo<Option<(Text, String)>>,
    /// The vague phrase of each list of lines (办理流程).
    lines: TextMemo<Option<usize>, Arc<[ArcStr]>>,
}

impl Seen {
    fn catch_all<'s>(&mut self, std: &'s Standard, text: &ArcStr) -> Option<&'s Phrase> {
        let list = &std.lexicon.catch_all;
        Seen::find(&mut self.catch_all, list, text).map(|k| &list[k])
    }

    fn vague<'s>(&mut self, std: &'s Standard, text: &ArcStr) -> Option<&'s Phrase> {
        let list = &std.lexicon.vague;
        Seen::find(&mut self.vague, list, text).map(|k| &list[k])
    }

    /// The vague phrase of several texts taken as one, a line each: the
    /// best phrase of any (no phrase spans a line break).
    fn vague_lines<'s>(&mut self, std: &'s Standard, lines: &Arc<[ArcStr]>) -> Option<&'s Phrase> {
        let list = &std.lexicon.vague;
        let vague = &mut self.vague;
        let best = *self.lines.get(lines, |lines| {
            let mut best = None;
            for line in lines.iter() {
                if let Some(k) = Seen::find(vague, list, line)
                    && list.better(k, best)
                {
                    best = Some(k);
                }
            }
            best
        });
        best.map(|k| &list[k])
    }

    fn find(seen: &mut TextMemo<Option<usize>>, list: &PhraseList, text: &ArcStr) -> Option<usize> {
        *seen.get(text, |t| Lexicon::find_index(list, t))
    }

    /// The place or digit in an item name (see [`place_or_digit`]).
    fn in_name(&mut self, std: &Standard, name: &ArcStr) -> Option<(Text, String)> {
        self.names.get(name, |n| place_or_digit(std, n)).clone()
    }
}

fn catch_all_message(p: &Phrase, header: &str) -> (Text, Text) {
    let (phrase, why, instead) = (&p.phrase, &p.why, &p.instead);
    (
        text!(
            "“{header}”含兜底条款“{phrase}”",
            "`{header}` contains the catch-all clause “{phrase}”"
        ),
        text!(
            "{why}{instead}",
            "catch-all clauses are not allowed: {instead}"
        ),
    )
}

fn vague_message(p: &Phrase, header: &str) -> (Text, Text) {
    let (phrase, why, instead) = (&p.phrase, &p.why, &p.instead);
    (
        text!(
            "“{header}”用语模糊：“{phrase}”",
            "`{header}` is vague: “{phrase}”"
        ),
        text!("{why}{instead}", "vague wording: {instead}"),
    )
}

fn labelled(d: Diagnostic, p: &Phrase) -> Diagnostic {
    let phrase = &p.phrase;
    d.label(text!("“{phrase}”", "“{phrase}”"))
}

/// The wording of a material: catch-all clauses and vague wording in its
/// name and notes (its 材料依据 quotes the law: the lexicon's `verbatim`).
pub fn material(std: &Standard, seen: &mut Seen, m: &Material, found: &mut Vec<Diagnostic>) {
    for (field, value) in [
        (MaterialField::Name, &m.name),
        (MaterialField::Notes, &m.notes),
        (MaterialField::Basis, &m.basis),
    ] {
        let Some(value) = value else { continue };
        if std.lexicon.material_is_verbatim(field) {
            continue;
        }
        let header = || &std.elements.materials.element(field).header;
        if let Some(p) = seen.catch_all(std, &value.value) {
            let (msg, h) = catch_all_message(p, header());
            found.push(labelled(
                material_finding(std, Rule::CatchAllClause, m, field, value, msg).help(h),
                p,
            ));
        } else if let Some(p) = seen.vague(std, &value.value) {
            let (msg, h) = vague_message(p, header());
            found.push(labelled(
                material_finding(std, Rule::VagueWording, m, field, value, msg).help(h),
                p,
            ));
        }
    }
}

/// The wording of an entry and of its materials.
pub fn check(ctx: &mut Context<'_>, seen: &mut Seen, entry: &Entry) {
    let std = ctx.standard();
    let mut found: Vec<Diagnostic> = Vec::new();
    for (field, value) in entry.prose() {
        // 设定依据 and 收费依据 quote the law as it is written.
        if std.lexicon.item_is_verbatim(field) {
            continue;
        }
        let header = || &std.elements.items.element(field).header;
        // Catch-all clauses are looked for where they do harm: the conditions.
        if field == Field::Conditions
            && let Some(p) = seen.catch_all(std, &value.value)
        {
            let (m, h) = catch_all_message(p, header());
            found.push(labelled(
                finding(std, Rule::CatchAllClause, entry, field, value, m).help(h),
                p,
            ));
            continue;
        }
        if field == Field::Name || field == Field::SubName || field == Field::ResultName {
            continue;
        }
        if let Some(p) = seen.vague(std, &value.value) {
            let (m, h) = vague_message(p, header());
            found.push(labelled(
                finding(std, Rule::VagueWording, entry, field, value, m).help(h),
                p,
            ));
        }
    }
    // 办理流程: each step is prose too.
    if let Some(process) = &entry.process
        && let Some(p) = seen.vague_lines(std, &process.value)
    {
        let header = &std.elements.items.element(Field::Process).header;
        let (m, h) = vague_message(p, header);
        found.push(labelled(
            finding(std, Rule::VagueWording, entry, Field::Process, process, m).help(h),
            p,
        ));
    }
    for m in &entry.materials {
        material(std, seen, m, &mut found);
    }
    // 事项名称 and 子项名称 are standard names alike.
    for (field, name) in [
        (Field::Name, &entry.name),
        (Field::SubName, &entry.sub_name),
    ] {
        if let Some(name) = name
            && let Some(d) = name_has_agency(std, seen, entry, field, name)
        {
            found.push(d);
        }
    }
    if let Some(basis) = &entry.legal_basis
        && !cites_a_law(&basis.value)
    {
        found.push(
            finding(std, Rule::LegalBasisUnquoted, entry, Field::LegalBasis, basis, text!(
                "设定依据没有用书名号引用法律法规",
                "the legal basis cites no law in 《…》"
            ))
            .help(text!(
                "写明法律法规全称及条款，如：《中华人民共和国行政许可法》第二十九条。",
                "name the law in 《…》 with its article, e.g. 《中华人民共和国行政许可法》第二十九条."
            )),
        );
    }
    for d in found {
        ctx.push(d);
    }
}

/// Whether a legal basis cites at least one 《title》.
pub fn cites_a_law(text: &str) -> bool {
    text.find('《')
        .and_then(|i| text[i..].find('》').map(|j| j > '《'.len_utf8()))
        .unwrap_or(false)
}

/// A place name (of China: [`Standard::place_names`]) or a digit in an item
/// name.
fn place_or_digit(std: &Standard, v: &str) -> Option<(Text, String)> {
    if let Some(p) = std.place_names().find(v) {
        return Some((
            text!("包含地名“{p}”", "contains the place name “{p}”"),
            p.to_string(),
        ));
    }
    v.chars()
        .find(|c| c.is_ascii_digit() || ('０'..='９').contains(c))
        .map(|c| {
            (
                text!("包含数字“{c}”", "contains the digit “{c}”"),
                c.to_string(),
            )
        })
}

/// Whether `text` holds `part`, for the short texts of names: compared
/// where the first two bytes match (setting up a substring search costs
/// more than such a search).
fn holds(text: &str, part: &str) -> bool {
    let (t, p) = (text.as_bytes(), part.as_bytes());
    match p {
        [] => true,
        [a] => t.contains(a),
        [a, b, ..] => t
            .windows(p.len())
            .any(|w| w[0] == *a && w[1] == *b && w == p),
    }
}

/// name-has-agency: the standard name of an item (事项名称, and 子项名称 of a
/// sub-item) is the same everywhere, so it carries no agency, no place and
/// no digits.
fn name_has_agency(
    std: &Standard,
    seen: &mut Seen,
    entry: &Entry,
    field: Field,
    name: &Located<ArcStr>,
) -> Option<Diagnostic> {
    let v = &name.value;
    let agency = entry
        .agency
        .as_ref()
        .map(|a| a.value.as_str())
        .unwrap_or("");
    // Every suffix of three characters or more holds the last three: when
    // the name lacks those, no suffix can be in it (the common case, one
    // search instead of one a suffix).
    let last3 = agency
        .char_indices()
        .rev()
        .nth(2)
        .map_or("", |(i, _)| &agency[i..]);
    let agency_short = (!last3.is_empty() && holds(v, last3))
        .then(|| {
            agency
                .char_indices()
                .map(|(i, _)| &agency[i..])
                .find(|s| s.chars().count() >= 3 && holds(v, s))
        })
        .flatten();
    let hit: Option<(Text, String)> = if !agency.is_empty() && holds(v, agency) {
        Some((
            text!(
                "包含实施主体名称“{agency}”",
                "contains the agency name “{agency}”"
            ),
            agency.to_string(),
        ))
    } else if let Some(s) = agency_short
        .filter(|s| s.ends_with(['局', '委', '会', '府', '办', '院', '所', '队', '心', '站']))
    {
        Some((
            text!("包含机关名称“{s}”", "contains the agency name “{s}”"),
            s.to_string(),
        ))
    } else {
        // What the name holds alone, the same wherever the item is filed.
        seen.in_name(std, v)
    };
    let (what, part) = hit?;
    let (wz, we) = (&what.zh, &what.en);
    let (hz, he) = match field {
        Field::SubName => ("子项名称", "the sub-item name"),
        _ => ("事项名称", "the item name"),
    };
    Some(
        finding(std, Rule::NameHasAgency, entry, field, name, text!(
            "{hz}{wz}",
            "{he} {we}"
        ))
        .label(text!("“{part}”", "“{part}”"))
        .help(text!(
            "事项名称使用全省统一的规范名称，不写实施机关、地名和数字；这些信息已在其他要素中。",
            "use the standard name, the same everywhere: the agency, place and numbers belong in other elements."
        )),
    )
}

#[cfg(test)]
mod tests {
    use super::{cites_a_law, holds};

    #[test]
    fn parts_of_names() {
        assert!(holds("娄底市社会团体成立登记", "娄底市"));
        assert!(holds("社会团体成立登记", "登记"));
        assert!(holds("社会团体成立登记", ""));
        assert!(!holds("社会团体成立登记", "团体登记"));
        assert!(!holds("登记", "成立登记"));
        assert!(holds("a登记登录", "登录"));
    }

    #[test]
    fn citations() {
        assert!(cites_a_law("《中华人民共和国户口登记条例》第十条"));
        assert!(!cites_a_law("户口登记条例第十条"));
        assert!(!cites_a_law("《》"));
        assert!(!cites_a_law("《户口登记条例"));
    }
}

//! The banned-phrase lists of catch-all-clause and vague-wording
//! (`schemas/lexicon.yaml`): each phrase with why it is banned and what to
//! write instead; the text that holds a phrase without meaning it; the
//! elements the wording rules leave alone (they quote the law); and the
//! common words that name-has-agency does not take for place names.

use super::elements::{Field, MaterialField};
use serde::Deserialize;

/// A banned phrase.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Phrase {
    pub phrase: String,
    /// Matches only at the end of the text or of a clause.
    #[serde(default)]
    pub at_end: bool,
    /// Matches only the whole text, give or take its numbering and final
    /// punctuation: a condition that says nothing but “符合规定条件”.
    #[serde(default)]
    pub whole: bool,
    pub why: String,
    pub instead: String,
    /// The phrase as matched (see [`prepare`]), computed once at load; a
    /// `…` in it stands for any text within one clause (适时…补充或调整).
    #[serde(skip)]
    prepared: String,
    /// The first character of `prepared`.
    #[serde(skip)]
    first: Option<char>,
    /// `prepared` has a `…`.
    #[serde(skip)]
    gapped: bool,
}

/// The lists of `schemas/lexicon.yaml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lexicon {
    pub catch_all: PhraseList,
    pub vague: PhraseList,
    /// Texts that hold a phrase of either list without meaning it
    /// (“无需提交其他材料”): a phrase found inside one of them is not found.
    #[serde(default)]
    pub allow: Vec<String>,
    /// The ids of the elements that quote the law verbatim (设定依据,
    /// 收费依据, 材料依据, 减免依据): the wording rules do not read them. An id
    /// names the element in every sheet that has it.
    #[serde(default)]
    pub verbatim: Vec<String>,
    /// `verbatim` of each element of sheet 事项 and of sheet 申请材料, by
    /// its place in `Field::ALL` and `MaterialField::ALL`, worked out once.
    #[serde(skip)]
    verbatim_items: Box<[bool]>,
    #[serde(skip)]
    verbatim_materials: Box<[bool]>,
    /// Place names that are also common words of item names (城区, 郊区):
    /// name-has-agency does not take them for places.
    #[serde(default)]
    pub not_places: Vec<String>,
}

/// A list of phrases, with the first character of each marked in a bitmap
/// of the Basic Multilingual Plane: a cell is searched in one pass over its
/// characters, phrases tried only where one could start.
#[derive(Debug, Clone, Deserialize)]
#[serde(from = "Vec<Phrase>")]
pub struct PhraseList {
    phrases: Vec<Phrase>,
    /// The allow list of the lexicon, prepared (see [`Lexicon::allow`]).
    allow: Vec<String>,
    /// Bit `c` is set when a prepared phrase starts with `c` (BMP only).
    starts: Box<[u64]>,
    /// Some phrase starts outside the BMP: every position is tried.
    astral: bool,
}

impl From<Vec<Phrase>> for PhraseList {
    fn from(phrases: Vec<Phrase>) -> Self {
        let mut list = PhraseList {
            phrases: with_variants(phrases),
            allow: Vec::new(),
            starts: vec![0; 1024].into_boxed_slice(),
            astral: false,
        };
        list.index();
        list
    }
}

/// The phrases, each written with 其他 followed by the same written with 其它
/// (both are in use), unless the list has that one already.
fn with_variants(phrases: Vec<Phrase>) -> Vec<Phrase> {
    let mut out: Vec<Phrase> = Vec::with_capacity(phrases.len());
    for p in phrases {
        let variant = p.phrase.contains(OTHER).then(|| Phrase {
            phrase: p.phrase.replace(OTHER, OTHER_ALSO),
            ..p.clone()
        });
        out.push(p);
        if let Some(v) = variant {
            out.push(v);
        }
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|p| seen.insert(p.phrase.clone()));
    out
}

/// 其他 and the other way it is written.
const OTHER: &str = "其他";
const OTHER_ALSO: &str = "其它";

/// A text of an allow list, with 其它 for 其他 as phrases have.
fn allow_variants(allow: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for a in allow {
        let p = prepare(a);
        if p.contains(OTHER) {
            out.push(p.replace(OTHER, OTHER_ALSO));
        }
        out.push(p);
    }
    out
}

impl std::ops::Deref for PhraseList {
    type Target = [Phrase];
    fn deref(&self) -> &[Phrase] {
        &self.phrases
    }
}

impl PhraseList {
    /// Prepares every phrase and marks where each starts.
    fn index(&mut self) {
        self.starts.fill(0);
        self.astral = false;
        for p in &mut self.phrases {
            p.prepared = prepare(&p.phrase);
            p.first = p.prepared.chars().next();
            p.gapped = p.prepared.contains('…');
            match p.prepared.chars().next().map(u32::from) {
                Some(c) if c < 0x10000 => self.starts[(c >> 6) as usize] |= 1 << (c & 63),
                Some(_) => self.astral = true,
                None => {}
            }
        }
    }

    /// Whether phrase `k` is preferred to phrase `than` (none: any is):
    /// the longer, and of equally long ones the last listed.
    pub fn better(&self, k: usize, than: Option<usize>) -> bool {
        let len = |i: usize| self.phrases[i].phrase.chars().count();
        than.is_none_or(|j| len(k) > len(j) || (len(k) == len(j) && k > j))
    }

    fn may_start(&self, c: char) -> bool {
        let c = u32::from(c);
        if c >= 0x10000 {
            return self.astral;
        }
        self.starts[(c >> 6) as usize] & (1 << (c & 63)) != 0
    }
}

/// Clause ends: a phrase marked `at_end` must be followed by one of these or
/// by the end of the text.
const CLAUSE_END: &[char] = &['。', '；', ';', '，', ',', '、', '.', '\n', ')', '）'];

/// What may stand before a `whole` phrase: the numbering of a list.
fn is_numbering(c: char) -> bool {
    c.is_ascii_digit()
        || matches!(
            c,
            '.' | '、'
                | '('
                | ')'
                | '（'
                | '）'
                | '\n'
                | '一'
                | '二'
                | '三'
                | '四'
                | '五'
                | '六'
                | '七'
                | '八'
                | '九'
                | '十'
        )
}

/// What may stand after a `whole` phrase: its final punctuation.
fn is_final(c: char) -> bool {
    matches!(c, '。' | '.' | ';' | '；' | ',' | '，' | '!' | '！' | '\n')
}

/// The text a `…` of a phrase stands for: at most this many characters of
/// one clause.
const GAP: usize = 30;

/// Where the prepared phrase `p` (its `…` parts) matches at the start of
/// `rest`: the length matched.
fn match_at(p: &str, rest: &str) -> Option<usize> {
    let mut parts = p.split('…');
    let first = parts.next()?;
    let mut end = rest.strip_prefix(first).map(|_| first.len())?;
    for part in parts {
        // The next part within one clause and GAP characters.
        let window: usize = rest[end..]
            .char_indices()
            .take_while(|&(k, c)| k < GAP * 4 && !matches!(c, '。' | '；' | ';' | '\n'))
            .map(|(k, c)| k + c.len_utf8())
            .last()?;
        let at = rest[end..end + window].find(part)?;
        end += at + part.len();
    }
    Some(end)
}

impl Phrase {
    /// Whether the (already normalized) text contains the phrase.
    pub fn found_in(&self, normalized: &str) -> bool {
        let owned;
        let p = if self.prepared.is_empty() {
            owned = prepare(&self.phrase);
            &owned
        } else {
            &self.prepared
        };
        normalized.char_indices().any(|(i, _)| {
            self.matches(p, &normalized[..i], &normalized[i..])
                .is_some()
        })
    }

    /// Whether the phrase, prepared as `p`, matches at the start of `rest`,
    /// `before` being the text before it: the length matched.
    fn matches(&self, p: &str, before: &str, rest: &str) -> Option<usize> {
        let len = if self.gapped || (self.prepared.is_empty() && p.contains('…')) {
            match_at(p, rest)?
        } else {
            rest.starts_with(p).then_some(p.len())?
        };
        let after = &rest[len..];
        if p.is_empty()
            || self.at_end
                // "等等" is its own phrase.
                && (before.ends_with(p) || !(after.is_empty() || after.starts_with(CLAUSE_END)))
            || self.whole && !(before.chars().all(is_numbering) && after.chars().all(is_final))
        {
            return None;
        }
        Some(len)
    }
}

impl Lexicon {
    /// Normalizes every phrase once, so matching a cell costs no more than
    /// normalizing the cell.
    pub fn prepare_all(&mut self) {
        self.catch_all.index();
        self.vague.index();
        let allow = allow_variants(&self.allow);
        self.catch_all.allow = allow.clone();
        self.vague.allow = allow;
        self.verbatim_items = Field::ALL
            .iter()
            .map(|f| self.is_verbatim(f.id()))
            .collect();
        self.verbatim_materials = MaterialField::ALL
            .iter()
            .map(|f| self.is_verbatim(f.id()))
            .collect();
    }

    /// Whether the wording rules leave the element with this id alone.
    pub fn is_verbatim(&self, id: &str) -> bool {
        self.verbatim.iter().any(|v| v == id)
    }

    /// [`Lexicon::is_verbatim`] of an element of sheet 事项, at no cost.
    pub fn item_is_verbatim(&self, field: Field) -> bool {
        self.verbatim_items
            .get(field as usize)
            .copied()
            .unwrap_or(false)
    }

    /// [`Lexicon::is_verbatim`] of an element of sheet 申请材料.
    pub fn material_is_verbatim(&self, field: MaterialField) -> bool {
        self.verbatim_materials
            .get(field as usize)
            .copied()
            .unwrap_or(false)
    }

    /// The longest phrase of a list found in the text (of equally long ones,
    /// the last listed).
    pub fn find<'a>(list: &'a PhraseList, text: &str) -> Option<&'a Phrase> {
        Lexicon::find_index(list, text).map(|k| &list.phrases[k])
    }

    /// [`Lexicon::find`], as the phrase's index in the list.
    pub fn find_index(list: &PhraseList, text: &str) -> Option<usize> {
        // (The search tries phrases only where one may start: a text with
        // no such character costs the preparation and one pass.)
        thread_local! {
            static PREPARED: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
        }
        PREPARED.with_borrow_mut(|n| {
            n.clear();
            prepare_into(text, n);
            Lexicon::search(list, n)
        })
    }

    fn search(list: &PhraseList, n: &str) -> Option<usize> {
        let mut best: Option<usize> = None;
        for (i, c) in n.char_indices() {
            if !list.may_start(c) {
                continue;
            }
            let (before, rest) = n.split_at(i);
            for (k, p) in list.phrases.iter().enumerate() {
                if p.first != Some(c) {
                    continue;
                }
                let Some(len) = p.matches(&p.prepared, before, rest) else {
                    continue;
                };
                if list.better(k, best) && !list.allowed(n, i, len) {
                    best = Some(k);
                }
            }
        }
        best
    }
}

impl PhraseList {
    /// Whether the phrase found at `at..at + len` of `n` lies inside a text
    /// of the allow list.
    fn allowed(&self, n: &str, at: usize, len: usize) -> bool {
        let found = &n[at..at + len];
        self.allow.iter().any(|a| {
            a.match_indices(found)
                .any(|(k, _)| at >= k && n.get(at - k..).is_some_and(|t| t.starts_with(a.as_str())))
        })
    }
}

/// Full-width forms folded to their ASCII letters, digits and punctuation
/// (what NFKC does to the text of a guide, at a fraction of its cost), white
/// space removed but line breaks kept, so a clause that ends a line still
/// ends there.
pub fn prepare(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    prepare_into(text, &mut out);
    out
}

/// Appends `text` as [`prepare`] leaves it. Runs of characters it keeps as
/// they are — ASCII other than white space, and the CJK ideographs of
/// U+4000–U+9FFF, known by their UTF-8 lead byte — are copied whole; the
/// others (punctuation, full-width forms, spaces) one at a time.
fn prepare_into(text: &str, out: &mut String) {
    let b = text.as_bytes();
    let mut run = 0;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\n' => i += 1,
            b' ' | b'\t' | b'\r' | 0x0b | 0x0c => {
                out.push_str(&text[run..i]);
                i += 1;
                run = i;
            }
            0..0x80 => i += 1,
            0xE4..=0xE9 => i += 3,
            _ => {
                out.push_str(&text[run..i]);
                let c = text[i..].chars().next().unwrap_or_default();
                if let Some(p) = prepared_char(c) {
                    out.push(p);
                }
                i += c.len_utf8();
                run = i;
            }
        }
    }
    out.push_str(&text[run..]);
}

/// One character as [`prepare`] leaves it (None: dropped).
fn prepared_char(c: char) -> Option<char> {
    match c {
        '\n' => Some('\n'),
        c if c.is_whitespace() => None,
        c => Some(fold(c)),
    }
}

/// A full-width form as its ASCII letter, digit or punctuation.
fn fold(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        c => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phrase(p: &str, at_end: bool) -> Phrase {
        Phrase {
            phrase: p.into(),
            at_end,
            whole: false,
            why: String::new(),
            instead: String::new(),
            prepared: String::new(),
            first: None,
            gapped: false,
        }
    }

    #[test]
    fn trailing_deng_only_at_clause_end() {
        let deng = phrase("等", true);
        assert!(deng.found_in(&prepare("身份证、户口簿等")));
        assert!(deng.found_in(&prepare("身份证、户口簿等；\n2.申请表")));
        assert!(deng.found_in(&prepare("身份证等\n户口簿")));
        assert!(!deng.found_in(&prepare("等级评定申请表")));
        assert!(!deng.found_in(&prepare("平等自愿")));
        assert!(!deng.found_in(&prepare("材料齐全等等")));
    }

    #[test]
    fn prepared_text_is_what_each_character_gives() {
        for text in [
            "",
            "申请人：年满１８周岁，具有完全民事行为能力。",
            "法律、法规 规定的其他条件\r\n2.\t其它\u{3000}材料（ＡＢＣ）",
            "ａ\u{a0}b\u{2028}c\u{85}d😀e\u{feff}",
            "相关材料等\n",
        ] {
            let slow: String = text.chars().filter_map(prepared_char).collect();
            assert_eq!(prepare(text), slow, "{text:?}");
        }
    }

    #[test]
    fn plain_phrases_match_across_widths_and_spaces() {
        let p = phrase("包括但不限于", false);
        assert!(p.found_in(&prepare("材料包括 但不限于身份证")));
        assert!(!p.found_in(&prepare("材料包括身份证")));
    }

    fn embedded() -> Lexicon {
        crate::standard::Standard::embedded().lexicon
    }

    /// The catch-all phrase found in a text, as written in the list.
    fn catch_all(text: &str) -> Option<String> {
        let l = embedded();
        Lexicon::find(&l.catch_all, text).map(|p| p.phrase.clone())
    }

    #[test]
    fn whole_phrases_match_only_a_text_that_says_nothing_else() {
        for t in [
            "符合规定条件",
            "符合规定条件。",
            "1.符合以上条件；",
            "（一）符合上述条件",
            "\n符合法定条件\n",
        ] {
            assert!(catch_all(t).is_some(), "{t}");
        }
        for t in [
            "申请人年满十八周岁；符合以上条件的，予以受理。",
            "符合规定条件的，当场办结。",
            "不符合规定条件",
            "申请人应当符合上述条件并提交申请书。",
        ] {
            assert_eq!(catch_all(t), None, "{t}");
        }
    }

    #[test]
    fn a_gap_stands_for_text_within_one_clause() {
        assert_eq!(
            catch_all("本清单将根据法律法规变化适时进行补充或调整。").as_deref(),
            Some("适时…补充或调整")
        );
        assert_eq!(
            catch_all("适时调整或补充").as_deref(),
            Some("适时…调整或补充")
        );
        // Not across clauses, nor farther than the gap allows.
        assert_eq!(
            catch_all("结果适时公布。材料如需补充或调整，另行说明"),
            None
        );
        let far = format!("适时{}补充或调整", "很".repeat(40));
        assert_eq!(catch_all(&far), None);
    }

    #[test]
    fn qita_is_written_both_ways() {
        assert_eq!(catch_all("其它材料").as_deref(), Some("其它材料"));
        assert_eq!(
            catch_all("法律、法规规定的其它条件").as_deref(),
            Some("法律、法规规定的其它条件")
        );
        assert_eq!(
            catch_all("其它需要提交的证明").as_deref(),
            Some("其它需要提交的")
        );
        // Each phrase once, whichever way the list writes it.
        let l = embedded();
        let n = l
            .catch_all
            .iter()
            .filter(|p| p.phrase == "其它材料")
            .count();
        assert_eq!(n, 1);
    }

    #[test]
    fn allowed_text_holds_a_phrase_without_meaning_it() {
        for t in [
            "通过电子证照库获取的，无需提交其他材料。",
            "不得要求申请人提交其它材料",
            "审核意见备注",
        ] {
            let l = embedded();
            assert!(Lexicon::find(&l.catch_all, t).is_none(), "{t}");
            assert!(Lexicon::find(&l.vague, t).is_none(), "{t}");
        }
        // The same phrase elsewhere in the text is still found.
        assert_eq!(
            catch_all("无需提交其他材料；另需其他材料").as_deref(),
            Some("其他材料")
        );
    }

    #[test]
    fn ordinary_other_is_no_catch_all() {
        for t in [
            "企业、事业单位和其他社会组织",
            "与其他单位合并",
            "法人或者其他组织",
            "其他组织参照执行",
            "不得用于其他用途",
        ] {
            assert_eq!(catch_all(t), None, "{t}");
        }
    }

    #[test]
    fn verbatim_elements_are_the_legal_bases() {
        let l = embedded();
        for id in ["legal_basis", "fee_basis", "basis"] {
            assert!(l.is_verbatim(id), "{id}");
        }
        for id in ["conditions", "name", "notes"] {
            assert!(!l.is_verbatim(id), "{id}");
        }
        // The flags by place agree with the ids.
        for (i, f) in Field::ALL.iter().enumerate() {
            assert_eq!(*f as usize, i);
            assert_eq!(l.item_is_verbatim(*f), l.is_verbatim(f.id()), "{f:?}");
        }
        for (i, f) in MaterialField::ALL.iter().enumerate() {
            assert_eq!(*f as usize, i);
            assert_eq!(l.material_is_verbatim(*f), l.is_verbatim(f.id()), "{f:?}");
        }
        assert!(
            l.item_is_verbatim(Field::LegalBasis) && l.material_is_verbatim(MaterialField::Basis)
        );
    }
}

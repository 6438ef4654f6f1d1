//! The banned-phrase lists of catch-all-clause and vague-wording
//! (`schemas/lexicon.yaml`): each phrase with why it is banned and what to
//! write instead.

use serde::Deserialize;

/// A banned phrase.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Phrase {
    pub phrase: String,
    /// Matches only at the end of the text or of a clause.
    #[serde(default)]
    pub at_end: bool,
    pub why: String,
    pub instead: String,
    /// The phrase as matched (see [`prepare`]), computed once at load.
    #[serde(skip)]
    prepared: String,
    /// The first character of `prepared`.
    #[serde(skip)]
    first: Option<char>,
}

/// Both lists.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lexicon {
    pub catch_all: PhraseList,
    pub vague: PhraseList,
}

/// A list of phrases, with the first character of each marked in a bitmap
/// of the Basic Multilingual Plane: a cell is searched in one pass over its
/// characters, phrases tried only where one could start.
#[derive(Debug, Clone, Deserialize)]
#[serde(from = "Vec<Phrase>")]
pub struct PhraseList {
    phrases: Vec<Phrase>,
    /// Bit `c` is set when a prepared phrase starts with `c` (BMP only).
    starts: Box<[u64]>,
    /// Some phrase starts outside the BMP: every position is tried.
    astral: bool,
}

impl From<Vec<Phrase>> for PhraseList {
    fn from(phrases: Vec<Phrase>) -> Self {
        let mut list = PhraseList {
            phrases,
            starts: vec![0; 1024].into_boxed_slice(),
            astral: false,
        };
        list.index();
        list
    }
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
        if !self.at_end {
            return normalized.contains(p.as_str());
        }
        normalized.match_indices(p.as_str()).any(|(i, m)| {
            let rest = &normalized[i + m.len()..];
            let before_ok = !normalized[..i].ends_with(p.as_str()); // "等等" is its own phrase
            before_ok && (rest.is_empty() || rest.starts_with(CLAUSE_END))
        })
    }
}

impl Lexicon {
    /// Normalizes every phrase once, so matching a cell costs no more than
    /// normalizing the cell.
    pub fn prepare_all(&mut self) {
        self.catch_all.index();
        self.vague.index();
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
                let Some(after) = rest.strip_prefix(p.prepared.as_str()) else {
                    continue;
                };
                if p.prepared.is_empty()
                    || p.at_end
                        && (before.ends_with(p.prepared.as_str())
                            || !(after.is_empty() || after.starts_with(CLAUSE_END)))
                {
                    continue;
                }
                if list.better(k, best) {
                    best = Some(k);
                }
            }
        }
        best
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
            why: String::new(),
            instead: String::new(),
            prepared: String::new(),
            first: None,
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
}

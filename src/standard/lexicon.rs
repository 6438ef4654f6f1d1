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
}

/// Both lists.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lexicon {
    pub catch_all: Vec<Phrase>,
    pub vague: Vec<Phrase>,
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
        for p in self.catch_all.iter_mut().chain(self.vague.iter_mut()) {
            p.prepared = prepare(&p.phrase);
        }
    }

    /// The longest phrase of a list found in the text.
    pub fn find<'a>(list: &'a [Phrase], text: &str) -> Option<&'a Phrase> {
        let n = prepare(text);
        list.iter()
            .filter(|p| p.found_in(&n))
            .max_by_key(|p| p.phrase.chars().count())
    }
}

/// Full-width forms folded to their ASCII letters, digits and punctuation
/// (what NFKC does to the text of a guide, at a fraction of its cost), white
/// space removed but line breaks kept, so a clause that ends a line still
/// ends there.
pub fn prepare(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            '\n' => Some('\n'),
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0),
            c if c.is_whitespace() => None,
            c => Some(c),
        })
        .collect()
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
    fn plain_phrases_match_across_widths_and_spaces() {
        let p = phrase("包括但不限于", false);
        assert!(p.found_in(&prepare("材料包括 但不限于身份证")));
        assert!(!p.found_in(&prepare("材料包括身份证")));
    }
}

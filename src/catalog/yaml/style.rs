//! How serde-saphyr writes a string as a value — plain, double-quoted, a
//! literal or a folded block — where its own rules, a subset of which is
//! here, make it sure; else serde-saphyr is asked about the one string.

use super::{Result, Unsupported};
use std::borrow::Cow;

/// The widest single-line string serde-saphyr writes as a plain or quoted
/// scalar; a longer plain one is folded (its `folded_wrap_chars`).
const FOLD: usize = 80;

/// A string as serde-saphyr writes it as a value.
pub(super) enum Styled<'s> {
    /// On the key's line (or after `- `).
    Inline(Cow<'s, str>),
    /// A block scalar: its header, a line break and its lines.
    Block(String),
}

/// How serde-saphyr writes the string `s` as the value of a key at
/// `indent` (or an item of a list when `indent` is `None`), when the rules
/// here are sure of it.
pub(super) fn styled(s: &str, indent: Option<usize>) -> Result<Styled<'_>> {
    if s.contains('\n') {
        // Several lines: a literal block when every character can be in
        // one, else a quoted line.
        if block_safe(s) {
            return literal(s, indent.ok_or(Unsupported)?).map(Styled::Block);
        }
        return asked(s).map(|l| Styled::Inline(Cow::Owned(l)));
    }
    if s.len() > FOLD && s.chars().count() > FOLD {
        // A long line is folded when it could be plain (trailing spaces
        // aside); serde-saphyr is asked about any other.
        let probe = s.trim_end_matches(' ');
        if !probe.is_empty() && plain(probe) {
            let mut out = String::from(">-\n");
            fold(&mut out, s, &" ".repeat(indent.ok_or(Unsupported)? + 2));
            return Ok(Styled::Block(out));
        }
        return asked(s).map(|l| Styled::Inline(Cow::Owned(l)));
    }
    if plain(s) {
        return Ok(Styled::Inline(Cow::Borrowed(s)));
    }
    if quoted_as_is(s) {
        return Ok(Styled::Inline(Cow::Owned(format!("\"{s}\""))));
    }
    asked(s).map(|l| Styled::Inline(Cow::Owned(l)))
}

/// A code of digits and capital letters led by a digit (a 统一社会信用代码,
/// an 实施编码 — every entry has several): plain (`Some(true)`) unless YAML
/// reads it as a number, digits `E` digits, which serde-saphyr quotes
/// (`Some(false)`); `None` for anything else, or a `0B`/`0O`/`0X` start
/// (radix prefixes), where the rules here are not sure.
fn code(s: &str) -> Option<bool> {
    let b = s.as_bytes();
    if b.len() < 2
        || b.len() > FOLD
        || !b[0].is_ascii_digit()
        || (b[0] == b'0' && b[1].is_ascii_uppercase())
        || !b
            .iter()
            .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
    {
        return None;
    }
    let mut letters = b.iter().enumerate().filter(|(_, c)| c.is_ascii_uppercase());
    match (letters.next(), letters.next()) {
        // Digits only: [`quoted_as_is`].
        (None, _) => None,
        (Some((at, b'E')), None) => Some(at + 1 == b.len()),
        _ => Some(true),
    }
}

/// serde-saphyr's answer for one string, when it is a plain or
/// double-quoted line.
fn asked(s: &str) -> Result<String> {
    let answer = serde_saphyr::to_string(&s).map_err(|_| Unsupported)?;
    match answer.strip_suffix('\n') {
        Some(line) if !line.contains('\n') && (line == s || line.starts_with('"')) => {
            Ok(line.to_owned())
        }
        _ => Err(Unsupported),
    }
}

/// Whether every character of `s` can stand in a block scalar.
fn block_safe(s: &str) -> bool {
    s.chars().all(|c| match c {
        '\n' | '\t' => true,
        '\r' | '\u{0085}' | '\u{2028}' | '\u{2029}' | '\u{FEFF}' => false,
        c => matches!(
            c as u32,
            0x20..=0x7E | 0xA0..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x0010_FFFF
        ),
    })
}

/// A literal block (`|`) for a key at `indent`: chomping by the trailing
/// line breaks, an indentation indicator when the first line starts with
/// spaces, empty lines left empty.
fn literal(s: &str, indent: usize) -> Result<String> {
    let content = s.trim_end_matches('\n');
    let trailing = s.len() - content.len();
    let mut out = String::with_capacity(s.len() + 16);
    out.push('|');
    let leading = content
        .split('\n')
        .find(|l| !l.is_empty())
        .is_some_and(|l| l.starts_with(' '));
    if leading {
        out.push('2');
    }
    match trailing {
        0 => out.push('-'),
        1 if !content.is_empty() => {}
        _ => out.push('+'),
    }
    out.push('\n');
    if content.is_empty() {
        for _ in 0..trailing {
            out.push('\n');
        }
        return Ok(out);
    }
    let pad = " ".repeat(indent + 2);
    for line in content.split('\n') {
        if !line.is_empty() {
            out.push_str(&pad);
            out.push_str(line);
        }
        out.push('\n');
    }
    for _ in 1..trailing.max(1) {
        out.push('\n');
    }
    Ok(out)
}

/// The lines of a folded block (`>`) for one line of text: broken only at
/// runs of ASCII spaces once a line passes the folding width, one space of
/// each run standing for the break.
fn fold(out: &mut String, line: &str, pad: &str) {
    let mut start = 0;
    let mut col = 0;
    // The last run of spaces: (start, end, length in characters).
    let mut last: Option<(usize, usize, usize)> = None;
    let (mut in_run, mut run_start, mut run_len) = (false, 0, 0);
    let (mut prev, mut prev_len) = (0, 0);
    for (i, ch) in line.char_indices() {
        if in_run && ch != ' ' {
            // A tab after the run would make the next line more indented.
            if ch != '\t' {
                last = Some((run_start, prev + prev_len, run_len));
            }
            in_run = false;
            run_len = 0;
        }
        if ch == ' ' {
            if in_run {
                run_len += 1;
            } else {
                (in_run, run_start, run_len) = (true, i, 1);
            }
        }
        col += 1;
        if col > FOLD {
            let Some((ws_start, ws_end, ws_len)) = last else {
                break;
            };
            out.push_str(pad);
            out.push_str(&line[start..ws_start]);
            for _ in 1..ws_len {
                out.push(' ');
            }
            out.push('\n');
            start = ws_end;
            col = 0;
            last = None;
        }
        prev = i;
        prev_len = ch.len_utf8();
    }
    out.push_str(pad);
    out.push_str(&line[start..]);
    out.push('\n');
}

/// Whether serde-saphyr surely finds `s` fit to be plain, its length aside
/// (false when unsure).
fn plain(s: &str) -> bool {
    let b = s.as_bytes();
    let (Some(&first), Some(&last)) = (b.first(), b.last()) else {
        return false;
    };
    if last.is_ascii_whitespace() {
        return false;
    }
    if first.is_ascii_digit() {
        // Digits and hyphens: plain unless a number or a date; a code of
        // digits and capitals plain unless a number.
        return (b.iter().all(|c| c.is_ascii_digit() || *c == b'-') && !quoted_as_is(s))
            || code(s) == Some(true);
    }
    // A non-ASCII first character starts no YAML indicator, number,
    // keyword or date; a letter starts only keywords (null, true, yes, on,
    // n, nan, inf …), none longer than five letters.
    let lead = first >= 0x80
        || (first.is_ascii_alphabetic() && (b.len() > 5 || !b.iter().all(u8::is_ascii_alphabetic)));
    if !lead {
        return false;
    }
    // Bytes, not characters: beyond ASCII only a few characters are
    // escaped or whitespace, told by their first three bytes ([`wide`]).
    let mut after_space = false;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c < 0x80 {
            if c < 0x20 || c == 0x7F {
                return false;
            }
            // `#` after whitespace starts a comment; `: ` makes a key.
            if (c == b'#' && after_space) || (c == b':' && b.get(i + 1) == Some(&b' ')) {
                return false;
            }
            after_space = c == b' ';
            i += 1;
            continue;
        }
        let width = match c {
            0xF0.. => 4,
            0xE0.. => 3,
            _ => 2,
        };
        // The character's bytes after the first (a `str` holds whole ones).
        let next = |k: usize| b.get(i + k).copied().unwrap_or(0);
        match wide(c, next(1), next(2)) {
            Wide::Escaped => return false,
            Wide::Space => after_space = true,
            Wide::Other => after_space = false,
        }
        i += width;
    }
    // serde-saphyr trims both ends: the same, as ':' is no whitespace.
    !s.trim_end().ends_with(':')
}

/// What a character beyond ASCII is to the plain-scalar rules.
enum Wide {
    /// Escaped by serde-saphyr: C1 controls, U+2028/9, U+FEFF, U+FFFE/F.
    Escaped,
    /// Whitespace (`char::is_whitespace`): U+00A0, U+1680, U+2000–U+200A,
    /// U+202F, U+205F, U+3000.
    Space,
    Other,
}

/// [`Wide`] of the character whose UTF-8 starts with `lead`, `b1`, `b2`.
fn wide(lead: u8, b1: u8, b2: u8) -> Wide {
    match (lead, b1, b2) {
        (0xC2, 0x80..=0x9F, _)
        | (0xE2, 0x80, 0xA8 | 0xA9)
        | (0xEF, 0xBB, 0xBF)
        | (0xEF, 0xBF, 0xBE | 0xBF) => Wide::Escaped,
        (0xC2, 0xA0, _)
        | (0xE1, 0x9A, 0x80)
        | (0xE2, 0x80, 0x80..=0x8A | 0xAF)
        | (0xE2, 0x81, 0x9F)
        | (0xE3, 0x80, 0x80) => Wide::Space,
        _ => Wide::Other,
    }
}

/// Digits, a date (`2024-1-01`) or a code that is a number ([`code`]):
/// serde-saphyr quotes them, and they need no escapes.
fn quoted_as_is(s: &str) -> bool {
    let b = s.as_bytes();
    if (!b.is_empty() && b.iter().all(u8::is_ascii_digit)) || code(s) == Some(false) {
        return true;
    }
    let mut parts = s.split('-');
    let mut run = |min: usize, max: usize| {
        parts.next().is_some_and(|p| {
            (min..=max).contains(&p.len()) && p.bytes().all(|c| c.is_ascii_digit())
        })
    };
    run(4, 4) && run(1, 2) && run(1, 2) && parts.next().is_none()
}

#[cfg(test)]
mod tests {
    use super::{Wide, wide};

    /// Characters serde-saphyr escapes (its `is_controll_which_needs_escaping`).
    fn escaped(c: char) -> bool {
        c.is_control()
            || matches!(
                c,
                '\u{FEFF}' | '\u{2028}' | '\u{2029}' | '\u{FFFE}' | '\u{FFFF}'
            )
    }

    #[test]
    fn every_character_beyond_ascii_is_classed_as_its_properties_say() {
        for c in '\u{80}'..=char::MAX {
            let mut buf = [0; 4];
            let b = c.encode_utf8(&mut buf).as_bytes();
            let got = wide(
                b[0],
                b.get(1).copied().unwrap_or(0),
                b.get(2).copied().unwrap_or(0),
            );
            let want = if escaped(c) {
                "escaped"
            } else if c.is_whitespace() {
                "space"
            } else {
                "other"
            };
            let got = match got {
                Wide::Escaped => "escaped",
                Wide::Space => "space",
                Wide::Other => "other",
            };
            assert_eq!(got, want, "U+{:04X}", c as u32);
        }
    }
}

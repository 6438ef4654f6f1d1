//! A [`Summary`] read from the entry cache's line as `serde_json` wrote it.
//!
//! Every load reads the summaries of all entries (100,000 per command, four
//! commands a steady step): `serde_json`'s derived reader matched each
//! field's name against all of them and looked at every byte of every
//! string for an escape, a third of reading a cache line. The line is this
//! binary's own writing (its checksum holds), so its fields come in the
//! order and form `serde_json::to_string` gives them: read so, field after
//! field. A summary in any other form — a string with an escape, fields in
//! another order, spaces — is read by `serde_json` as before.

use super::Summary;
use crate::codes::registry::Status;

impl Summary {
    /// The summary in the JSON `text`: as `serde_json::to_string` writes
    /// one, else as `serde_json` reads it; none when it is no summary.
    pub fn read(text: &str) -> Option<Summary> {
        written(text).or_else(|| serde_json::from_str(text).ok())
    }
}

/// The summary in `text` when it is exactly as `serde_json::to_string`
/// writes it with no escape in any string.
fn written(text: &str) -> Option<Summary> {
    // (No escape, nor a control character, which a writer escapes: looked
    // for in the whole text at once, without stopping at the first.)
    let plain = !text
        .bytes()
        .fold(false, |odd, b| odd | (b == b'\\') | (b < 0x20));
    if !plain {
        return None;
    }
    let mut r = Reader { text, at: 0 };
    r.expect(b"{\"impl_code\":")?;
    let impl_code = r.string()?;
    r.expect(b",\"basic_code\":")?;
    let basic_code = r.string()?;
    r.expect(b",\"status\":")?;
    let status = match r.str()? {
        "active" => Status::Active,
        "retired" => Status::Retired,
        _ => return None,
    };
    let mut next = |name: &[u8]| -> Option<String> {
        r.expect(b",\"")?;
        r.expect(name)?;
        r.expect(b"\":")?;
        r.string()
    };
    let (name, sub_name, category) = (next(b"name")?, next(b"sub_name")?, next(b"category")?);
    let (sector, agency_code, level) = (next(b"sector")?, next(b"agency_code")?, next(b"level")?);
    // (The fields left out when empty or none.)
    let division = match r.take(b",\"division\":") {
        true => r.string()?,
        false => String::new(),
    };
    let forwarded = match r.take(b",\"forwarded\":") {
        true if r.take(b"true") => Some(true),
        true if r.take(b"false") => Some(false),
        true => return None,
        false => None,
    };
    let mut forms = Vec::new();
    if r.take(b",\"forms\":[") {
        loop {
            forms.push(r.string()?);
            if r.take(b"]") {
                break;
            }
            r.expect(b",")?;
        }
        if forms.is_empty() {
            return None;
        }
    }
    r.expect(b"}")?;
    (r.at == text.len()).then_some(Summary {
        impl_code,
        basic_code,
        status,
        name,
        sub_name,
        category,
        sector,
        agency_code,
        level,
        division,
        forwarded,
        forms,
    })
}

/// Where reading has got to in a text.
struct Reader<'t> {
    text: &'t str,
    at: usize,
}

impl<'t> Reader<'t> {
    /// Steps over `what` when the text goes on with it.
    fn take(&mut self, what: &[u8]) -> bool {
        let goes_on = self.text.as_bytes()[self.at..].starts_with(what);
        if goes_on {
            self.at += what.len();
        }
        goes_on
    }

    /// Steps over `what`; none when the text does not go on with it.
    fn expect(&mut self, what: &[u8]) -> Option<()> {
        self.take(what).then_some(())
    }

    /// A string (of a text without escapes).
    fn str(&mut self) -> Option<&'t str> {
        self.expect(b"\"")?;
        let start = self.at;
        let end = start + memchr::memchr(b'"', &self.text.as_bytes()[start..])?;
        self.at = end + 1;
        // (Between two quotes: on the boundaries of characters.)
        self.text.get(start..end)
    }

    fn string(&mut self) -> Option<String> {
        self.str().map(str::to_string)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(n: usize) -> Summary {
        Summary {
            impl_code: format!("11431300MB123456{n:02}X3430201001000"),
            basic_code: "430201001000".into(),
            status: if n.is_multiple_of(3) {
                Status::Retired
            } else {
                Status::Active
            },
            name: "婚姻登记".into(),
            sub_name: if n.is_multiple_of(2) {
                String::new()
            } else {
                "结婚登记（补发）".into()
            },
            category: "公共服务".into(),
            sector: "民政".into(),
            agency_code: "11431300MB1234567X".into(),
            level: "市级".into(),
            division: if n % 4 == 1 {
                String::new()
            } else {
                "431300".into()
            },
            forwarded: [None, Some(true), Some(false)][n % 3],
            forms: (0..n % 3).map(|i| format!("表{i}.docx")).collect(),
        }
    }

    #[test]
    fn a_summary_as_written_reads_field_by_field_and_as_serde_json_reads_it() {
        for n in 0..12 {
            let s = summary(n);
            let text = serde_json::to_string(&s).unwrap();
            assert_eq!(written(&text), Some(s.clone()), "{text}");
            assert_eq!(Summary::read(&text), Some(s), "{text}");
        }
    }

    #[test]
    fn any_other_form_is_read_by_serde_json_and_nothing_else_is_a_summary() {
        let mut s = summary(5);
        s.name = "名称\"带引号\"\\与反斜杠\n".into();
        let text = serde_json::to_string(&s).unwrap();
        assert_eq!(written(&text), None, "an escape");
        assert_eq!(Summary::read(&text), Some(s.clone()));
        let pretty = serde_json::to_string_pretty(&s).unwrap();
        assert_eq!(written(&pretty), None);
        assert_eq!(Summary::read(&pretty), Some(s.clone()));
        // Fields in another order, or one missing (its default).
        let reordered = r#"{"basic_code":"1","impl_code":"2","status":"active","name":"n","sub_name":"","category":"c","sector":"s","agency_code":"a","level":"l"}"#;
        assert_eq!(written(reordered), None);
        assert_eq!(Summary::read(reordered).unwrap().impl_code, "2");
        let text = serde_json::to_string(&summary(4)).unwrap();
        for bad in [
            text.replace("\"active\"", "\"dormant\""),
            text.replace("}", ",\"extra\":1}"),
            text.replace("}", "} "),
            format!("{text}x"),
            text[..text.len() - 1].to_string(),
            text.replace("\"forms\":[", "\"forms\":[1,"),
            String::new(),
        ] {
            assert_eq!(written(&bad), None, "{bad}");
            assert_eq!(
                Summary::read(&bad),
                serde_json::from_str::<Summary>(&bad).ok(),
                "{bad}"
            );
        }
        // An empty list of forms is never written: serde_json reads it.
        let empty = text.replace("}", ",\"forms\":[]}");
        assert_eq!(written(&empty), None);
        assert_eq!(Summary::read(&empty), serde_json::from_str(&empty).ok());
    }
}

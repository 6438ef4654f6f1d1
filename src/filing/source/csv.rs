//! CSV filings: a file's text decoded (UTF-8 with or without BOM, UTF-16
//! with BOM, else GB18030, which covers GBK) and split into rows, no record
//! wider than Excel's columns and no row holding more than its filled cells
//! allow.

use super::ReadError;
use super::file::read_bytes;
use super::with_calamine::far_cell;
use crate::filing::grid::{Grid, GridRow, RawCell};
use crate::filing::limits;
use crate::text;
use std::path::Path;
use std::sync::Arc;

/// Reads a CSV file, detecting its encoding (UTF-8 with or without BOM,
/// UTF-16 with BOM, else GB18030, which covers GBK).
pub fn read_csv(path: &Path, display: &Arc<str>, sheet: &str) -> Result<Grid, ReadError> {
    let bytes = read_bytes(path)?;
    let text = decode(&bytes)?;
    drop(bytes);
    if widest_record(&text) > limits::COLUMNS as usize {
        let most = limits::COLUMNS;
        return Err(ReadError::TooLarge(text!(
            "CSV 文件有一行超过 {most} 列，超出任何填报表",
            "a line of the CSV file has more than {most} fields, more than any filing"
        )));
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    // Cells held (each row up to its last filled one) and filled: a row of
    // a million commas holds nothing.
    let (mut held, mut filled) = (0u64, 0u64);
    for (i, rec) in reader.records().enumerate() {
        let rec = rec.map_err(|e| ReadError::Csv {
            line: e.position().map(|p| p.line()),
            detail: e.to_string(),
        })?;
        let used = (0..rec.len())
            .rev()
            .find(|&i| !rec[i].is_empty())
            .map_or(0, |i| i + 1);
        held += used as u64;
        filled += rec.iter().filter(|t| !t.is_empty()).count() as u64;
        if held > limits::grid_cells(filled) {
            return Err(far_cell(sheet));
        }
        let cells: Vec<RawCell> = rec
            .iter()
            .take(used)
            .map(|t| RawCell::text(t.to_string()))
            .collect();
        rows.push(GridRow {
            number: i as u32 + 1,
            cells,
            lines: Vec::new(),
        });
    }
    Ok(Grid {
        file: display.clone(),
        name: Arc::from(sheet),
        rows,
        yaml: false,
    })
}

/// The most fields a record of CSV `text` has (commas outside quotes, and
/// one): looked at before the CSV reader, which holds a record's fields
/// whole.
fn widest_record(text: &str) -> usize {
    let (mut widest, mut fields, mut quoted) = (0, 1, false);
    for b in text.bytes() {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => fields += 1,
            b'\n' if !quoted => {
                widest = widest.max(fields);
                fields = 1;
            }
            _ => {}
        }
    }
    widest.max(fields)
}

/// Decodes CSV bytes.
pub fn decode(bytes: &[u8]) -> Result<String, ReadError> {
    if let Some((enc, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, had_errors) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        return if had_errors {
            Err(ReadError::Encoding)
        } else {
            Ok(text.into_owned())
        };
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok(s.to_string());
    }
    let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
    if had_errors || text.contains('\0') {
        Err(ReadError::Encoding)
    } else {
        Ok(text.into_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_widest_record_counts_commas_outside_quotes() {
        assert_eq!(widest_record("a,b\nc"), 2);
        assert_eq!(widest_record("\"a,\nb\",c,d\n"), 3);
        assert_eq!(widest_record(""), 1);
    }

    #[test]
    fn decodes_utf8_bom_and_gbk() {
        assert_eq!(
            decode("\u{feff}序号,事项名称".as_bytes()).unwrap(),
            "序号,事项名称"
        );
        let (gbk, _, _) = encoding_rs::GBK.encode("序号,事项名称");
        assert_eq!(decode(&gbk).unwrap(), "序号,事项名称");
        assert_eq!(decode(b"\xff\xff\xff\x81"), Err(ReadError::Encoding));
    }
}

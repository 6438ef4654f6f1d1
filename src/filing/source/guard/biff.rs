//! An xls workbook stream (BIFF records) looked through as calamine will
//! read it: each sheet's substream, from where its BoundSheet record says,
//! to its end. calamine makes every sheet a dense range from the sheet's
//! nearest to its farthest cell, and first reserves the area its
//! DIMENSIONS record declares; here each of those areas must stay within
//! `limits::grid_cells` of the cells the sheet really holds, sheets must not
//! share or overlap their records, and the records calamine slices without
//! looking must be long enough.

use super::super::ReadError;
use super::far_cells;
use crate::filing::limits;
use crate::text;

/// One record: its type and data (continuations are records of their own
/// here; calamine joins them to the record before, which holds no cell).
struct Record<'s> {
    ty: u16,
    data: &'s [u8],
}

/// The records of a stream from its start, up to one that does not fit.
fn records(stream: &[u8]) -> impl Iterator<Item = (usize, Record<'_>)> {
    let mut at = 0usize;
    std::iter::from_fn(move || {
        let head = stream.get(at..at + 4)?;
        let ty = u16::from_le_bytes([head[0], head[1]]);
        let len = u16::from_le_bytes([head[2], head[3]]) as usize;
        let data = stream.get(at + 4..at + 4 + len)?;
        let start = at;
        at += 4 + len;
        Some((start, Record { ty, data }))
    })
}

fn u16_at(b: &[u8], at: usize) -> u32 {
    b.get(at..at + 2)
        .map_or(0, |s| u32::from(u16::from_le_bytes([s[0], s[1]])))
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    b.get(at..at + 4)
        .map_or(0, |s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

fn damaged(what: &str) -> ReadError {
    ReadError::Damaged(text!(
        "xls 工作簿的记录损坏（{what}）",
        "the xls workbook's records are damaged ({what})"
    ))
}

/// The span of a set of cells.
#[derive(Default)]
struct Span {
    cells: u64,
    rows: Option<(u32, u32)>,
    cols: Option<(u32, u32)>,
}

impl Span {
    fn add(&mut self, row: u32, col: u32) {
        self.cells += 1;
        let widen = |s: Option<(u32, u32)>, v: u32| match s {
            None => Some((v, v)),
            Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
        };
        self.rows = widen(self.rows, row);
        self.cols = widen(self.cols, col);
    }

    /// The cells of the dense range calamine makes of them.
    fn area(&self) -> u64 {
        match (self.rows, self.cols) {
            (Some((r0, r1)), Some((c0, c1))) => {
                u64::from(r1 - r0 + 1).saturating_mul(u64::from(c1 - c0 + 1))
            }
            _ => 0,
        }
    }
}

/// Checks a workbook stream; an empty one is calamine's to refuse.
pub(super) fn check(stream: &[u8]) -> Result<(), ReadError> {
    // The sheets' substreams, where the globals' BoundSheet records say.
    let mut starts = Vec::new();
    for (_, r) in records(stream) {
        match r.ty {
            0x0085 => {
                if r.data.len() < 8 {
                    return Err(damaged("BoundSheet"));
                }
                starts.push(u32_at(r.data, 0) as usize);
            }
            0x000A => break,
            _ => {}
        }
    }
    // Walked in the order they lie, each up to where the next starts: no
    // two sheets share records (calamine would read them again for each),
    // so the stream is walked about once.
    let mut order: Vec<(usize, usize)> = starts
        .iter()
        .enumerate()
        .map(|(n, &s)| (s, n + 1))
        .collect();
    order.sort_unstable();
    for (i, &(start, n)) in order.iter().enumerate() {
        if start > stream.len() {
            return Err(damaged("BoundSheet"));
        }
        let end = start + sheet(&stream[start..], n)?;
        if order
            .get(i + 1)
            .is_some_and(|&(next, _)| next < end || next == start)
        {
            return Err(damaged("工作表重叠 / sheets overlap"));
        }
    }
    Ok(())
}

/// Looks through one sheet's substream (sheet `n`, 1-based); gives where
/// calamine stops reading it.
fn sheet(sub: &[u8], n: usize) -> Result<usize, ReadError> {
    let mut cells = Span::default();
    let mut formulas = Span::default();
    let mut declared = 0u64;
    let mut fmla = (0, 0);
    let mut seen_bof = false;
    let mut depth = 0usize;
    let mut end = sub.len();
    for (at, r) in records(sub) {
        if depth > 0 {
            match r.ty {
                0x0809 => depth += 1,
                0x000A => depth -= 1,
                _ => {}
            }
            continue;
        }
        let d = r.data;
        let pos = || (u16_at(d, 0), u16_at(d, 2));
        match r.ty {
            0x0809 if seen_bof => depth += 1,
            0x0809 => seen_bof = true,
            0x0200 => declared = declared.max(dimensions(d)),
            0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x027E | 0x00FD => {
                let (row, col) = pos();
                cells.add(row, col);
            }
            0x0207 => cells.add(fmla.0, fmla.1),
            0x00BD => {
                if d.len() < 6 || (d.len() - 6) % 6 != 0 {
                    return Err(damaged("MulRk"));
                }
                let (row, first) = pos();
                let last = u16_at(d, d.len() - 2);
                if last < first || (last - first + 1) as usize != (d.len() - 6) / 6 {
                    return Err(damaged("MulRk"));
                }
                for col in first..=last {
                    cells.add(row, col);
                }
            }
            0x0006 => {
                fmla = pos();
                cells.add(fmla.0, fmla.1);
                formulas.add(fmla.0, fmla.1);
            }
            0x000A => {
                end = at + 4 + d.len();
                break;
            }
            _ => {}
        }
    }
    let most = limits::grid_cells(cells.cells);
    if cells.area() > most || formulas.area() > most || declared > most {
        return Err(far_cells(n));
    }
    Ok(end)
}

/// The cells calamine reserves room for from a DIMENSIONS record, its
/// arithmetic as it does it (wrapping where it wraps).
fn dimensions(d: &[u8]) -> u64 {
    let (rf, rl, mut cf, cl) = match d.len() {
        10 => (u16_at(d, 0), u16_at(d, 2), u16_at(d, 4), u16_at(d, 6)),
        14 | 16 => (u32_at(d, 0), u32_at(d, 4), u16_at(d, 8), u16_at(d, 10)),
        _ => return 0,
    };
    if 0xFF < cf || cl < cf {
        cf = 0;
    }
    let (end_r, end_c) = if 1 <= rl && 1 <= cl {
        (rl - 1, cl - 1)
    } else {
        (rf, cf)
    };
    let rows = end_r.wrapping_sub(rf).wrapping_add(1) as u64;
    let cols = end_c.wrapping_sub(cf).wrapping_add(1) as u64;
    rows.saturating_mul(cols)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(ty: u16, data: &[u8]) -> Vec<u8> {
        let mut r = ty.to_le_bytes().to_vec();
        r.extend((data.len() as u16).to_le_bytes());
        r.extend(data);
        r
    }

    fn number(row: u16, col: u16) -> Vec<u8> {
        let mut d = row.to_le_bytes().to_vec();
        d.extend(col.to_le_bytes());
        d.extend([0u8; 10]);
        record(0x0203, &d)
    }

    /// A stream of globals naming one sheet, then that sheet's records.
    fn stream(sheet: &[Vec<u8>]) -> Vec<u8> {
        let bof = record(0x0809, &[0; 16]);
        let eof = record(0x000A, &[]);
        let bound_len = 4 + 8;
        let globals_len = bof.len() + bound_len + eof.len();
        let mut bound = (globals_len as u32).to_le_bytes().to_vec();
        bound.extend([0, 0, 1, 0]);
        let mut s = bof.clone();
        s.extend(record(0x0085, &bound));
        s.extend(&eof);
        s.extend(&bof);
        for r in sheet {
            s.extend(r);
        }
        s.extend(eof);
        s
    }

    #[test]
    fn cells_near_each_other_pass_and_a_far_cell_does_not() {
        let near: Vec<Vec<u8>> = (0..50).map(|i| number(i, i % 5)).collect();
        assert!(check(&stream(&near)).is_ok());
        let far = vec![number(0, 0), number(65535, 255)];
        assert!(matches!(check(&stream(&far)), Err(ReadError::TooLarge(_))));
    }

    #[test]
    fn declared_dimensions_past_the_content_do_not_pass() {
        // Rows 0..4,000,000,000 declared, one cell held.
        let mut d = 0u32.to_le_bytes().to_vec();
        d.extend(4_000_000_000u32.to_le_bytes());
        d.extend([0, 0, 1, 0, 0, 0]);
        let sheet = vec![record(0x0200, &d), number(0, 0)];
        assert!(matches!(
            check(&stream(&sheet)),
            Err(ReadError::TooLarge(_))
        ));
    }

    #[test]
    fn a_sheet_past_the_stream_or_a_short_record_is_damaged() {
        let mut s = stream(&[number(0, 0)]);
        // Point the BoundSheet past the end.
        let at = 4 + 16 + 4;
        s[at..at + 4].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(matches!(check(&s), Err(ReadError::Damaged(_))));
        let short = [record(0x0809, &[0; 16]), record(0x0085, &[1, 2])].concat();
        assert!(matches!(check(&short), Err(ReadError::Damaged(_))));
    }
}

//! The compound file (MS-CFB) an xls workbook is stored in, walked as
//! calamine will walk it — header, sector tables, directory, mini stream —
//! with every chain of sectors checked: each sector inside the file, each
//! table entry present, no sector visited twice. calamine follows these
//! chains without such checks (a loop in one grows a buffer without end;
//! a sector past the end panics). Gives the workbook stream, for
//! [`super::biff`] to look through.

use super::super::ReadError;
use crate::text;

pub(super) const SIGNATURE: [u8; 8] = *b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";

const ENDOFCHAIN: u32 = 0xFFFF_FFFE;
const DIFSECT: u32 = 0xFFFF_FFFC;
const RESERVED: u32 = 0xFFFF_FFFA;

fn damaged(what: &str) -> ReadError {
    ReadError::Damaged(text!(
        "复合文档结构损坏（{what}），不是可读取的 xls 工作簿",
        "the compound file is damaged ({what}): not a readable xls workbook"
    ))
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    b.get(at..at + 2)
        .map_or(0, |s| u16::from_le_bytes([s[0], s[1]]))
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    b.get(at..at + 4)
        .map_or(0, |s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

fn u32s(b: &[u8]) -> impl Iterator<Item = u32> + '_ {
    b.chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
}

/// Sectors of one size, laid after a header of `start` bytes.
struct Sectors<'b> {
    data: &'b [u8],
    start: usize,
    size: usize,
}

impl<'b> Sectors<'b> {
    /// Sector `id`, whole, or none when it does not lie in the data.
    fn get(&self, id: u32) -> Option<&'b [u8]> {
        let at = self
            .start
            .checked_add((id as usize).checked_mul(self.size)?)?;
        self.data.get(at..at.checked_add(self.size)?)
    }

    /// The bytes of the chain from `first` through `table`, at most `len`
    /// of them: every sector present, every link in the table, none
    /// visited twice; a chain read to its end ends with ENDOFCHAIN.
    fn chain(&self, first: u32, table: &[u32], len: usize) -> Result<Vec<u8>, ReadError> {
        let mut out = Vec::new();
        let mut seen = vec![false; table.len()];
        let mut id = first;
        while id != ENDOFCHAIN {
            let sector = self
                .get(id)
                .ok_or_else(|| damaged("扇区超出文件 / a sector past the end"))?;
            let take = sector.len().min(len - out.len());
            out.extend_from_slice(&sector[..take]);
            if out.len() >= len {
                break;
            }
            let i = id as usize;
            if i >= table.len() {
                return Err(damaged("扇区表缺项 / a sector missing from its table"));
            }
            if std::mem::replace(&mut seen[i], true) {
                return Err(damaged("扇区链成环 / a chain of sectors loops"));
            }
            id = table[i];
        }
        Ok(out)
    }
}

/// The workbook stream (`Workbook`, or `Book` in old files) as calamine
/// will read it.
pub(super) fn workbook_stream(bytes: &[u8]) -> Result<Vec<u8>, ReadError> {
    if bytes.len() < 512 {
        return Err(damaged("文件头不完整 / the header is cut short"));
    }
    let size = match u16_at(bytes, 30) {
        0x0009 => 512,
        0x000C => 4096,
        _ => return Err(damaged("扇区大小无效 / an invalid sector size")),
    };
    if u16_at(bytes, 32) != 0x0006 {
        return Err(damaged("小扇区大小无效 / an invalid mini sector size"));
    }
    let version = u16_at(bytes, 26);
    let dir_start = u32_at(bytes, 48);
    let mini_fat_start = u32_at(bytes, 60);
    let mini_fat_len = u32_at(bytes, 64) as usize;
    let difat_start = u32_at(bytes, 68);
    let sectors = Sectors {
        data: bytes,
        start: size,
        size,
    };
    // The most sectors the file holds: no chain is longer.
    let most = bytes.len() / size + 1;

    // The sector allocation table, through the DIFAT (its first 109
    // entries in the header, the rest in a chain of its own).
    let mut difat: Vec<u32> = u32s(&bytes[76..512]).collect();
    let mut id = difat_start;
    let mut steps = 0;
    while id < RESERVED {
        steps += 1;
        if steps > most {
            return Err(damaged("DIFAT 链成环 / the DIFAT loops"));
        }
        let sector = sectors
            .get(id)
            .ok_or_else(|| damaged("扇区超出文件 / a sector past the end"))?;
        difat.extend(u32s(sector));
        id = difat.pop().unwrap_or(ENDOFCHAIN);
    }
    let mut fat = Vec::new();
    for id in difat.into_iter().filter(|&id| id < DIFSECT) {
        let sector = sectors
            .get(id)
            .ok_or_else(|| damaged("扇区超出文件 / a sector past the end"))?;
        fat.extend(u32s(sector));
    }

    // The directory: 128 bytes an entry.
    let dirs = sectors.chain(dir_start, &fat, usize::MAX)?;
    let entries: Vec<&[u8]> = dirs.chunks_exact(128).collect();
    let Some(root) = entries.first() else {
        return Err(damaged("没有根目录 / no root directory"));
    };
    let entry_len = |e: &[u8]| -> usize {
        if size == 512 {
            u32_at(e, 120) as usize
        } else {
            let lo = u64::from(u32_at(e, 120));
            let hi = u64::from(u32_at(e, 124));
            usize::try_from(lo | hi << 32).unwrap_or(usize::MAX)
        }
    };
    if version != 3 && u32_at(root, 116) == ENDOFCHAIN {
        return Err(damaged("根目录为空 / an empty root directory"));
    }
    let (mini_fat, mini_stream) = if mini_fat_len > 0 {
        let stream = sectors.chain(u32_at(root, 116), &fat, entry_len(root))?;
        let table = sectors.chain(mini_fat_start, &fat, mini_fat_len.saturating_mul(size))?;
        (u32s(&table).collect::<Vec<u32>>(), stream)
    } else {
        (Vec::new(), Vec::new())
    };
    let name = |e: &[u8]| -> String {
        let units: Vec<u16> = e[..64]
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        let s = String::from_utf16_lossy(&units);
        match s.find('\0') {
            Some(end) => s[..end].to_string(),
            None => s,
        }
    };
    let find = |wanted: &str| {
        entries
            .iter()
            .find(|e| name(e).eq_ignore_ascii_case(wanted))
            .copied()
    };
    let Some(entry) = find("Workbook").or_else(|| find("Book")) else {
        // (calamine says there is no workbook stream.)
        return Ok(Vec::new());
    };
    let (start, len) = (u32_at(entry, 116), entry_len(entry));
    if len < 4096 {
        let minis = Sectors {
            data: &mini_stream,
            start: 0,
            size: 64,
        };
        minis.chain(start, &mini_fat, len)
    } else {
        sectors.chain(start, &fat, len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A compound file of 512-byte sectors: header, then `sectors`.
    fn file(dir_start: u32, fat: &[u32], sectors: &[Vec<u8>]) -> Vec<u8> {
        let mut b = vec![0u8; 512];
        b[..8].copy_from_slice(&SIGNATURE);
        b[26..28].copy_from_slice(&3u16.to_le_bytes());
        b[30..32].copy_from_slice(&9u16.to_le_bytes());
        b[32..34].copy_from_slice(&6u16.to_le_bytes());
        b[48..52].copy_from_slice(&dir_start.to_le_bytes());
        b[68..72].copy_from_slice(&ENDOFCHAIN.to_le_bytes());
        // The FAT in sector 0; no other DIFAT entry.
        for i in 0..109 {
            let v: u32 = if i == 0 { 0 } else { 0xFFFF_FFFF };
            b[76 + 4 * i..80 + 4 * i].copy_from_slice(&v.to_le_bytes());
        }
        let mut fat_sector = vec![0xFFu8; 512];
        for (i, v) in fat.iter().enumerate() {
            fat_sector[4 * i..4 * i + 4].copy_from_slice(&v.to_le_bytes());
        }
        b.extend(fat_sector);
        for s in sectors {
            let mut s = s.clone();
            s.resize(512, 0);
            b.extend(s);
        }
        b
    }

    #[test]
    fn a_directory_chain_that_loops_or_leaves_the_file_is_damaged() {
        // Sector 1 (the directory) links to itself.
        let looping = file(1, &[0xFFFF_FFFD, 1], &[vec![0; 512]]);
        assert!(matches!(
            workbook_stream(&looping),
            Err(ReadError::Damaged(_))
        ));
        // The directory starts past the end of the file.
        let outside = file(7, &[0xFFFF_FFFD, ENDOFCHAIN], &[vec![0; 512]]);
        assert!(matches!(
            workbook_stream(&outside),
            Err(ReadError::Damaged(_))
        ));
        // Its link is missing from the table.
        let missing = file(1, &[0xFFFF_FFFD], &[vec![0; 512]]);
        assert!(matches!(
            workbook_stream(&missing),
            Err(ReadError::Damaged(_))
        ));
    }

    #[test]
    fn a_workbook_stream_is_read_through_its_chain() {
        // Directory in sector 1: root, then `Workbook` of 4096 bytes in
        // sectors 2..=9.
        let mut dir = vec![0u8; 512];
        let entry = |dir: &mut Vec<u8>, at: usize, name: &str, start: u32, len: u32| {
            for (i, u) in name.encode_utf16().enumerate() {
                dir[at + 2 * i..at + 2 * i + 2].copy_from_slice(&u.to_le_bytes());
            }
            dir[at + 116..at + 120].copy_from_slice(&start.to_le_bytes());
            dir[at + 120..at + 124].copy_from_slice(&len.to_le_bytes());
        };
        entry(&mut dir, 0, "Root Entry", ENDOFCHAIN, 0);
        entry(&mut dir, 128, "Workbook", 2, 4096);
        let mut fat = vec![0xFFFF_FFFD, ENDOFCHAIN];
        fat.extend(3..=9);
        fat.push(ENDOFCHAIN);
        let mut sectors = vec![dir];
        sectors.extend((0..8u8).map(|i| vec![i; 512]));
        let stream = workbook_stream(&file(1, &fat, &sectors)).unwrap();
        assert_eq!(stream.len(), 4096);
        assert_eq!(stream[512 * 7], 7);
    }
}

//! The rules across the rows of one filing: each 序号 of sheet 事项 unique
//! (seq-duplicate), and each row of 申请材料, 收费项目 and 常见问题 linked by its
//! 事项序号 to the entry that first had that 序号 (material-orphan; which
//! entries have materials, for no-materials). [`Links`] takes in the entries'
//! 序号 and the materials' 事项序号 as they come, in any interleaving, and
//! ends the same whatever the order: a filing read whole links through it
//! ([`link_whole`]), and `yima check` links through it while the two sheets
//! are still being read on two threads (`crate::check`).

use crate::diag::{Diagnostic, Rule, Sink};
use crate::model::{ArcStr, Entry, FeeItem, Linked, Located, Material, Origin, Question};
use crate::text;
use rustc_hash::FxHashMap as HashMap;
use std::borrow::Cow;

/// The 序号 of the entries of a filing and the rows that refer to them, as
/// they come. `W` is what a material keeps while its entry is not taken in
/// yet (the material itself, or as much of it as a finding needs).
pub struct Links<W> {
    /// Each 序号 taken in, with the entry (by index in sheet 事项) that had it
    /// first: the one its rows link to.
    first: HashMap<u32, u32>,
    /// The 序号 of `first` in the order taken in.
    order: Vec<u32>,
    /// Each entry that repeats a 序号, with the entry that had it first.
    repeats: Vec<(u32, u32)>,
    /// Whether each entry taken in has a material.
    has_materials: Vec<bool>,
    /// Materials whose entry was not taken in yet, by their 事项序号.
    waiting: HashMap<u32, Vec<W>>,
    /// How many of `order` were looked up in `waiting` so far: each 序号 is
    /// looked up once, however many materials wait.
    looked_up: usize,
}

impl<W> Default for Links<W> {
    fn default() -> Self {
        Links {
            first: HashMap::default(),
            order: Vec::new(),
            repeats: Vec::new(),
            has_materials: Vec::new(),
            waiting: HashMap::default(),
            looked_up: 0,
        }
    }
}

/// What [`Links`] found once every row is in.
pub struct Ends<W> {
    /// Each entry that repeats a 序号, with the entry that had it first.
    repeats: Vec<(u32, u32)>,
    /// The materials whose 事项序号 matches no entry (none when the entries'
    /// 序号 could not be read at all).
    orphans: Vec<W>,
    /// Whether each entry has a material.
    pub has_materials: Vec<bool>,
}

impl<W> Links<W> {
    /// Makes room for `n` more entries.
    pub fn reserve(&mut self, n: usize) {
        self.first.reserve(n);
        self.has_materials.reserve(n);
    }

    /// Entries taken in so far.
    pub fn entries(&self) -> usize {
        self.has_materials.len()
    }

    /// Takes in the next entries of sheet 事项, in sheet order.
    pub fn take_entries(&mut self, entries: &[Entry]) {
        self.first.reserve(entries.len());
        for e in entries {
            let i = self.has_materials.len() as u32;
            self.has_materials.push(false);
            let Some(seq) = &e.seq else { continue };
            match self.first.entry(seq.value) {
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert(i);
                    self.order.push(seq.value);
                }
                std::collections::hash_map::Entry::Occupied(o) => {
                    self.repeats.push((i, *o.get()));
                }
            }
        }
    }

    /// Links a material whose 事项序号 is `seq`: the index of its entry, when
    /// that entry is taken in already. Else None, and the caller hands the
    /// material to [`Links::wait`].
    pub fn link(&mut self, seq: u32) -> Option<u32> {
        let &i = self.first.get(&seq)?;
        self.has_materials[i as usize] = true;
        Some(i)
    }

    /// Keeps a material whose entry (of 序号 `seq`) is not taken in yet.
    pub fn wait(&mut self, seq: u32, row: W) {
        self.waiting.entry(seq).or_default().push(row);
    }

    /// Hands each waiting material whose entry has been taken in since to
    /// `linked`, with the index of its entry.
    pub fn arrived(&mut self, mut linked: impl FnMut(u32, W)) {
        if !self.waiting.is_empty() {
            for seq in &self.order[self.looked_up..] {
                if let Some(rows) = self.waiting.remove(seq) {
                    let i = self.first[seq];
                    self.has_materials[i as usize] = true;
                    for r in rows {
                        linked(i, r);
                    }
                }
            }
        }
        self.looked_up = self.order.len();
    }

    /// The entry (by index) that 序号 `seq` stands for, once every entry is
    /// taken in. (It marks no entry as having materials: for 收费项目 and
    /// 常见问题.)
    pub fn entry_of(&self, seq: u32) -> Option<u32> {
        self.first.get(&seq).copied()
    }

    /// Links the rows of a sheet read whole that refers to entries (收费项目,
    /// 常见问题), once every entry is taken in: each goes to `to` with the
    /// index of its entry, and each whose 事项序号 matches none is
    /// material-orphan — unless the entries' 序号 could not be read at all
    /// (`linkable` false: no 事项 sheet, header or 序号 column), a problem
    /// already named once. A row without 事项序号 is value-missing already.
    pub fn link_rows<T: Linked>(
        &self,
        rows: impl IntoIterator<Item = T>,
        linkable: bool,
        sink: &mut Sink,
        mut to: impl FnMut(u32, T),
    ) {
        for r in rows {
            let Some(seq) = r.item_seq().map(|s| s.value) else {
                continue;
            };
            match self.entry_of(seq) {
                Some(i) => to(i, r),
                None if linkable => sink.push(orphan(&r)),
                None => {}
            }
        }
    }

    /// Every entry is in: the materials still waiting go to `linked` if
    /// their entry came, and are orphans if not (dropped when `linkable` is
    /// false, as in [`Links::link_rows`]).
    pub fn finish(mut self, linkable: bool, linked: impl FnMut(u32, W)) -> Ends<W> {
        self.arrived(linked);
        let orphans = if linkable {
            self.waiting.into_values().flatten().collect()
        } else {
            Vec::new()
        };
        Ends {
            repeats: self.repeats,
            orphans,
            has_materials: self.has_materials,
        }
    }
}

impl<W: Linked> Ends<W> {
    /// Reports seq-duplicate, each entry found by its index through `entry`,
    /// and material-orphan; gives whether each entry has a material.
    pub fn report<'e>(
        self,
        entry: impl Fn(u32) -> Option<Cow<'e, Entry>>,
        sink: &mut Sink,
    ) -> Vec<bool> {
        for (i, first) in self.repeats {
            let (Some(e), Some(prev)) = (entry(i), entry(first)) else {
                continue;
            };
            if let (Some(seq), Some(prev_seq)) = (&e.seq, &prev.seq) {
                sink.push(seq_duplicate(
                    &e.origin,
                    seq,
                    e.name.as_ref(),
                    &prev.origin,
                    prev_seq,
                ));
            }
        }
        // (The report is sorted by place: the order of these does not show.)
        for m in &self.orphans {
            sink.push(orphan(m));
        }
        self.has_materials
    }
}

/// Links the rows of a filing read whole to its entries — materials, fee
/// items, questions, each in sheet order — and reports seq-duplicate and
/// material-orphan. `linkable`: whether the entries' 序号 could be read (see
/// [`Links::link_rows`]).
pub fn link_whole(
    entries: &mut [Entry],
    materials: Vec<Box<Material>>,
    fees: Vec<Box<FeeItem>>,
    questions: Vec<Box<Question>>,
    linkable: bool,
    sink: &mut Sink,
) {
    let mut links = Links::default();
    links.take_entries(entries);
    for m in materials {
        let Some(seq) = m.item_seq.as_ref().map(|s| s.value) else {
            continue;
        };
        match links.link(seq) {
            Some(i) => entries[i as usize].materials.push(m),
            None => links.wait(seq, m),
        }
    }
    links.link_rows(fees, linkable, sink, |i, f| {
        entries[i as usize].fees.push(f);
    });
    links.link_rows(questions, linkable, sink, |i, q| {
        entries[i as usize].questions.push(q);
    });
    // (Every entry was in before the materials: none waits.)
    let ends = links.finish(linkable, |i, m| entries[i as usize].materials.push(m));
    ends.report(|i| entries.get(i as usize).map(Cow::Borrowed), sink);
}

/// seq-duplicate: the row at `origin` (序号 `seq`, 事项名称 `name`)
/// repeats the 序号 of the row at `prev_origin`.
fn seq_duplicate(
    origin: &Origin,
    seq: &Located<u32>,
    name: Option<&Located<ArcStr>>,
    prev_origin: &Origin,
    prev: &Located<u32>,
) -> Diagnostic {
    let n = seq.value;
    let prev_at = prev.at(prev_origin).a1().unwrap_or_default();
    Diagnostic::new(
        Rule::SeqDuplicate,
        seq.at(origin),
        text!("序号 {n} 与 {prev_at} 重复", "序号 {n} repeats {prev_at}"),
    )
    .field("seq")
    .value(seq.raw_text())
    .header("序号")
    .context(Entry::context_of(Some(seq), name))
    .help(text!(
        "每个事项的序号必须唯一；申请材料按序号对应事项，重复会使材料挂错事项。",
        "each entry needs its own 序号: materials refer to it, and a repeat attaches them to the wrong entry."
    ))
}

/// material-orphan: a material (or fee item, or question) whose 事项序号
/// matches no entry.
fn orphan(m: &dyn Linked) -> Diagnostic {
    let seq = m.item_seq();
    let n = seq.map(|s| s.value).unwrap_or_default();
    let at = seq.map_or_else(|| m.origin().clone(), |s| s.at(m.origin()));
    Diagnostic::new(
        Rule::MaterialOrphan,
        at,
        text!(
            "事项序号 {n} 在事项表中不存在",
            "事项序号 {n} matches no entry of sheet 事项"
        ),
    )
    .field("item_seq")
    .value(seq.map(|s| s.raw_text().into_owned()).unwrap_or_default())
    .header("事项序号")
    .context(m.context())
    .help({
        let what = m.what();
        let (zh, en) = (&what.zh, &what.en);
        text!(
            "请填写事项表中该{zh}所属事项的序号。",
            "write the 序号 of the entry, in sheet 事项, that this {en} belongs to."
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn entry(seq: Option<u32>) -> Entry {
        Entry {
            seq: seq.map(|value| Located {
                value,
                row: 0,
                col: None,
                raw: ArcStr::new(),
                from_number: false,
            }),
            ..Entry::default()
        }
    }

    /// The repeats, each material's entry (None: an orphan), and whether
    /// each entry has materials.
    type Ended = (Vec<(u32, u32)>, Vec<Option<u32>>, Vec<bool>);

    /// What the links of `seqs` (entries) and `refs` (materials, by their
    /// 事项序号) end with: the repeats, each material's entry or orphan, and
    /// the entries with materials — the entries taken in `entry_chunk` at a
    /// time and the materials `material_chunk` at a time, in the turns
    /// `turns` gives (true: the entries' turn).
    fn run(
        seqs: &[Option<u32>],
        refs: &[u32],
        entry_chunk: usize,
        material_chunk: usize,
        turns: &[bool],
    ) -> Ended {
        let mut links: Links<usize> = Links::default();
        let mut linked = vec![None; refs.len()];
        let entries: Vec<Entry> = seqs.iter().map(|s| entry(*s)).collect();
        let (mut e, mut m) = (0, 0);
        let mut turns = turns.iter().copied().cycle();
        while e < entries.len() || m < refs.len() {
            let entries_turn = turns.next().unwrap_or(true);
            if m >= refs.len() || (entries_turn && e < entries.len()) {
                let end = e.saturating_add(entry_chunk).min(entries.len());
                links.take_entries(&entries[e..end]);
                e = end;
            } else {
                links.arrived(|i, id| linked[id] = Some(i));
                let end = m.saturating_add(material_chunk).min(refs.len());
                for (id, &seq) in refs.iter().enumerate().take(end).skip(m) {
                    match links.link(seq) {
                        Some(i) => linked[id] = Some(i),
                        None => links.wait(seq, id),
                    }
                }
                m = end;
            }
        }
        let ends = links.finish(true, |i, id| linked[id] = Some(i));
        for &id in &ends.orphans {
            assert_eq!(linked[id], None, "an orphan was linked");
        }
        assert_eq!(
            ends.orphans.len(),
            linked.iter().filter(|l| l.is_none()).count(),
            "each material is linked or an orphan"
        );
        (ends.repeats, linked, ends.has_materials)
    }

    proptest! {
        #[test]
        fn links_end_the_same_whatever_the_interleaving(
            seqs in prop::collection::vec(prop::option::weighted(0.9, 1u32..12), 0..30),
            refs in prop::collection::vec(1u32..15, 0..40),
            entry_chunk in 1usize..6,
            material_chunk in 1usize..6,
            turns in prop::collection::vec(any::<bool>(), 1..20),
        ) {
            // The plain way: every entry, then every material.
            let whole = run(&seqs, &refs, usize::MAX, usize::MAX, &[true]);
            let streamed = run(&seqs, &refs, entry_chunk, material_chunk, &turns);
            prop_assert_eq!(&streamed, &whole);
            // And the plain way is right: a material links to the first
            // entry of its 序号; an entry repeats the first that had its 序号.
            let first = |seq: u32| seqs.iter().position(|s| *s == Some(seq)).map(|i| i as u32);
            for (id, &seq) in refs.iter().enumerate() {
                prop_assert_eq!(whole.1[id], first(seq));
            }
            let repeats: Vec<(u32, u32)> = seqs
                .iter()
                .enumerate()
                .filter_map(|(i, s)| {
                    let f = first((*s)?)?;
                    (f != i as u32).then_some((i as u32, f))
                })
                .collect();
            prop_assert_eq!(&whole.0, &repeats);
            for (i, has) in whole.2.iter().enumerate() {
                prop_assert_eq!(*has, whole.1.contains(&Some(i as u32)));
            }
        }
    }

    #[test]
    fn rows_of_an_unlinkable_filing_are_no_orphans() {
        let mut links: Links<usize> = Links::default();
        links.wait(3, 0);
        let ends = links.finish(false, |_, _| panic!("no entry to link to"));
        assert!(ends.orphans.is_empty());
        let mut sink = Sink::default();
        links_of(&[Some(1)]).link_rows([Box::new(fee(3))], false, &mut sink, |_, _| {});
        assert!(sink.diagnostics.is_empty());
        links_of(&[Some(1)]).link_rows([Box::new(fee(3))], true, &mut sink, |_, _| {});
        assert_eq!(sink.diagnostics.len(), 1);
        assert_eq!(sink.diagnostics[0].rule, Rule::MaterialOrphan);
    }

    fn links_of(seqs: &[Option<u32>]) -> Links<usize> {
        let mut links = Links::default();
        let entries: Vec<Entry> = seqs.iter().map(|s| entry(*s)).collect();
        links.take_entries(&entries);
        links
    }

    fn fee(seq: u32) -> FeeItem {
        FeeItem {
            item_seq: entry(Some(seq)).seq,
            ..FeeItem::default()
        }
    }
}

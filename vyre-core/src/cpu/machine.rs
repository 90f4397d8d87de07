//! [`CpuMachine`]: the protocol's memory in plain Rust, and the memory
//! operations of the [`Engine`](crate::engine::Engine) trait.

use std::sync::Arc;

use crate::error::{Error, Result};
use crate::ir::ScalarType;
use crate::program::Program;
use crate::protocol::{self, ctrl, slot, ControlLayout, PRIORITIES, SLOT_WORDS};

/// Most lanes a CPU backend runs: the most a wgpu dispatch can have
/// (65,535 workgroups of 256 lanes), so any lane count the runtime may
/// choose for a GPU is also accepted on the CPU.
pub const MAX_LANES: u32 = 65_535 * 256;

/// Most elements a user buffer may hold on the CPU: indices and `len()`
/// are `u32`, so a longer buffer could not be addressed anyway.
pub const MAX_BUFFER_ELEMENTS: u64 = u32::MAX as u64;

/// Name under which range errors report the ring buffer.
pub(crate) const RING_NAME: &str = "vy_ring";
/// Name under which range errors report the inboxes.
pub(crate) const INBOX_NAME: &str = "vy_inbox";
/// Name under which range errors report the control buffer.
pub(crate) const CTRL_NAME: &str = "vy_ctrl";

/// One program instance's device memory, held on the CPU: the ring (slots
/// then inboxes), the control block and the declared buffers, laid out
/// exactly as `docs/protocol.md` says. Zeroed memory is an empty ring and
/// an idle control block, as on the GPU.
///
/// Every access is bounds-checked: the host may write any word of the
/// control block (a corrupt claim list, say), and the machine still never
/// panics — an out-of-range read yields 0 and an out-of-range write is
/// dropped, like a robust-access GPU.
#[derive(Debug, Clone)]
pub struct CpuMachine {
    pub(crate) program: Arc<Program>,
    pub(crate) layout: ControlLayout,
    pub(crate) partitions: [(u32, u32); PRIORITIES],
    pub(crate) lanes: u32,
    /// Per handler, per buffer parameter: the program buffer it binds to.
    /// Copied out of the program so lookups can use `get` and never panic.
    pub(crate) bindings: Vec<Vec<usize>>,
    pub(crate) ring: Vec<u32>,
    /// The inboxes (`vy_inbox`).
    pub(crate) inbox: Vec<u32>,
    pub(crate) ctrl: Vec<u32>,
    pub(crate) buffers: Vec<Vec<u32>>,
    /// Words of the ticket log a submission returns
    /// ([`Engine::set_ticket_log_words`](crate::engine::Engine::set_ticket_log_words)).
    pub(crate) ticket_log_words: u32,
    /// Whether maintain lists the EMPTY slots ([`Program::spawns`]).
    pub(crate) free_lists: bool,
    /// While the place pass runs (`passes.rs`, [`CpuMachine::submit`]):
    /// per partition, the next inbox entry it takes.
    pub(crate) placing: Option<[u32; PRIORITIES]>,
}

/// Allocates `words` zeroed words, or says which buffer is too large.
fn zeroed(name: &str, words: u64, max: u64) -> Result<Vec<u32>> {
    let too_large = || Error::BufferTooLarge {
        name: name.to_string(),
        bytes: words.saturating_mul(4),
        max: max.saturating_mul(4),
    };
    if words > max {
        return Err(too_large());
    }
    let n = usize::try_from(words).map_err(|_| too_large())?;
    let mut v = Vec::new();
    v.try_reserve_exact(n).map_err(|_| too_large())?;
    v.resize(n, 0);
    Ok(v)
}

impl CpuMachine {
    /// Allocates zeroed memory for `program` run by `lanes` lanes.
    ///
    /// Errors: [`Error::InvalidRunOption`] when `lanes` is 0 or above
    /// [`MAX_LANES`]; [`Error::BufferTooLarge`] when the ring or the control
    /// block cannot be allocated.
    pub fn new(program: impl Into<Arc<Program>>, lanes: u32) -> Result<CpuMachine> {
        if lanes == 0 || lanes > MAX_LANES {
            return Err(Error::InvalidRunOption {
                option: "lanes",
                reason: format!("{lanes} lanes; a CPU backend runs 1 ..= {MAX_LANES} lanes"),
            });
        }
        let program = program.into();
        let config = program.config();
        let layout = program.control_layout();
        let ring = zeroed(RING_NAME, config.ring_words(), u32::MAX as u64)?;
        let ctrl_words = layout.lane_state as u64 + lanes as u64;
        let mut ctrl = zeroed(CTRL_NAME, ctrl_words, u32::MAX as u64)?;
        let capacities = [config.inbox_capacity; PRIORITIES];
        let inbox_words =
            PRIORITIES as u64 * config.inbox_capacity as u64 * program.entry_words() as u64;
        let inbox = zeroed(INBOX_NAME, inbox_words, u32::MAX as u64)?;
        let at = ctrl::INBOX_BASE as usize;
        ctrl[at..at + 2 * PRIORITIES].copy_from_slice(&protocol::inbox_words(&capacities));
        let at = ctrl::SLOTS as usize;
        ctrl[at..at + 1 + 2 * PRIORITIES]
            .copy_from_slice(&protocol::ring_words(&config.partitions()));
        let bindings = program
            .handlers()
            .iter()
            .enumerate()
            .map(|(h, handler)| {
                (0..handler.buffers.len())
                    .map(|p| program.binding(h, p))
                    .collect()
            })
            .collect();
        Ok(CpuMachine {
            layout,
            partitions: config.partitions(),
            lanes,
            bindings,
            ring,
            inbox,
            ctrl,
            buffers: vec![Vec::new(); program.buffers().len()],
            free_lists: program.spawns(),
            placing: None,
            program,
            ticket_log_words: crate::protocol::ticket::LOG_HEAD,
        })
    }

    /// How many words of the ticket log the next submissions return,
    /// clamped to `LOG_HEAD ..= ENTRIES`.
    pub fn set_ticket_log_words(&mut self, words: u32) {
        self.ticket_log_words = crate::protocol::ticket::log_words(words);
    }

    /// The program this memory belongs to.
    pub fn program(&self) -> &Arc<Program> {
        &self.program
    }

    /// The control-block layout of the program.
    pub fn layout(&self) -> ControlLayout {
        self.layout
    }

    /// Lanes of a work dispatch (the size of the lane-state table).
    pub fn lanes(&self) -> u32 {
        self.lanes
    }

    /// `(first slot, slot count)` of each partition, CRITICAL first.
    pub fn partitions(&self) -> [(u32, u32); PRIORITIES] {
        self.partitions
    }

    /// The partition (= priority index) that holds `slot`.
    pub fn partition_of(&self, slot: u32) -> Option<usize> {
        crate::protocol::partition_of(&self.partitions, slot)
    }

    /// Slots of the ring now (the program's, or more once the host grew
    /// the ring).
    pub fn slots(&self) -> u32 {
        self.partitions.iter().map(|&(_, size)| size).sum()
    }

    /// The ring buffer: `slots × 16` words of slots.
    pub fn ring(&self) -> &[u32] {
        &self.ring
    }

    /// The ring buffer, writable (its length is fixed).
    pub fn ring_mut(&mut self) -> &mut [u32] {
        &mut self.ring
    }

    /// The control block.
    pub fn ctrl(&self) -> &[u32] {
        &self.ctrl
    }

    /// The control block, writable (its length is fixed).
    pub fn ctrl_mut(&mut self) -> &mut [u32] {
        &mut self.ctrl
    }

    /// Declared buffer `buffer` (program order), at its logical length.
    pub fn buffer(&self, buffer: usize) -> Option<&[u32]> {
        self.buffers.get(buffer).map(Vec::as_slice)
    }

    /// Declared buffer `buffer`, writable (resize with
    /// [`resize_buffer`](Self::resize_buffer)).
    pub fn buffer_mut(&mut self, buffer: usize) -> Option<&mut [u32]> {
        self.buffers.get_mut(buffer).map(Vec::as_mut_slice)
    }

    // ---- word access that never panics -------------------------------

    /// Control word `index`; 0 when outside the block.
    pub(crate) fn cw(&self, index: u32) -> u32 {
        self.ctrl.get(index as usize).copied().unwrap_or(0)
    }

    /// Sets control word `index`; dropped when outside the block.
    pub(crate) fn set_cw(&mut self, index: u32, value: u32) {
        if let Some(w) = self.ctrl.get_mut(index as usize) {
            *w = value;
        }
    }

    /// `atomicAdd` on a control word: adds (wrapping) and returns the old
    /// value.
    pub(crate) fn add_cw(&mut self, index: u32, delta: u32) -> u32 {
        let old = self.cw(index);
        self.set_cw(index, old.wrapping_add(delta));
        old
    }

    /// Ring word `index` (u64: the inboxes may lie past `u32::MAX / 16`
    /// slots' worth of words on 64-bit hosts); 0 when outside.
    pub(crate) fn rw(&self, index: u64) -> u32 {
        usize::try_from(index)
            .ok()
            .and_then(|i| self.ring.get(i))
            .copied()
            .unwrap_or(0)
    }

    /// Sets ring word `index`; dropped when outside.
    pub(crate) fn set_rw(&mut self, index: u64, value: u32) {
        if let Some(w) = usize::try_from(index)
            .ok()
            .and_then(|i| self.ring.get_mut(i))
        {
            *w = value;
        }
    }

    /// Word `word` of slot `slot`.
    pub(crate) fn slot_word(&self, slot: u32, word: u32) -> u32 {
        self.rw(slot as u64 * SLOT_WORDS as u64 + word as u64)
    }

    /// Sets word `word` of slot `slot`.
    pub(crate) fn set_slot_word(&mut self, slot: u32, word: u32, value: u32) {
        self.set_rw(slot as u64 * SLOT_WORDS as u64 + word as u64, value);
    }

    /// Status word of slot `slot`.
    pub fn status(&self, slot: u32) -> u32 {
        self.slot_word(slot, slot::STATUS)
    }

    /// Whether a handler asked for shutdown (`SHUTDOWN != 0`).
    pub fn shutdown_requested(&self) -> bool {
        self.cw(ctrl::SHUTDOWN) != 0
    }

    /// The element type of declared buffer `buffer`.
    /// Words per element of program buffer `buffer` (2 for `u64`/`i64`).
    pub(crate) fn elem_words(&self, buffer: usize) -> usize {
        self.program
            .buffers()
            .get(buffer)
            .map_or(1, |b| b.kind.element_words().max(1) as usize)
    }

    pub(crate) fn buffer_elem(&self, buffer: usize) -> ScalarType {
        self.program
            .buffers()
            .get(buffer)
            .map_or(ScalarType::U32, |b| b.kind.elem)
    }

    /// The program buffer that parameter `param` of handler `handler`
    /// binds to.
    pub(crate) fn bound_buffer(&self, handler: usize, param: u32) -> Option<usize> {
        self.bindings.get(handler)?.get(param as usize).copied()
    }

    // ---- Engine memory operations ------------------------------------

    fn range(name: &str, len: usize, offset: u64, count: usize) -> Result<std::ops::Range<usize>> {
        let end = offset.checked_add(count as u64);
        match end {
            Some(end) if end <= len as u64 => Ok(offset as usize..end as usize),
            _ => Err(Error::BufferRange {
                name: name.to_string(),
                len: len as u64,
                offset,
                end: end.unwrap_or(u64::MAX),
            }),
        }
    }

    fn declared(&self, buffer: usize) -> Result<&str> {
        self.program
            .buffers()
            .get(buffer)
            .map(|b| b.name.as_str())
            .ok_or_else(|| Error::UnknownBuffer {
                name: format!("#{buffer}"),
                declared: self
                    .program
                    .buffers()
                    .iter()
                    .map(|b| b.name.clone())
                    .collect(),
            })
    }

    /// Writes words into the ring at word `offset`.
    /// Errors with [`Error::BufferRange`] (buffer `vy_ring`) outside it.
    pub fn write_ring(&mut self, offset: u64, words: &[u32]) -> Result<()> {
        let r = Self::range(RING_NAME, self.ring.len(), offset, words.len())?;
        self.ring[r].copy_from_slice(words);
        Ok(())
    }

    /// Reads `len` ring words from word `offset`.
    /// Errors with [`Error::BufferRange`] (buffer `vy_ring`) outside it.
    pub fn read_ring(&self, offset: u64, len: u64) -> Result<Vec<u32>> {
        let count = usize::try_from(len).unwrap_or(usize::MAX);
        let r = Self::range(RING_NAME, self.ring.len(), offset, count)?;
        Ok(self.ring[r].to_vec())
    }

    /// The inboxes (`vy_inbox`).
    pub fn inbox(&self) -> &[u32] {
        &self.inbox
    }

    /// Writes words into the inboxes at word `offset`.
    /// Errors with [`Error::BufferRange`] (buffer `vy_inbox`) outside them.
    pub fn write_inbox(&mut self, offset: u64, words: &[u32]) -> Result<()> {
        let r = Self::range(INBOX_NAME, self.inbox.len(), offset, words.len())?;
        self.inbox[r].copy_from_slice(words);
        Ok(())
    }

    /// Writes `units` units of `unit_words` words from word `offset`,
    /// produced by `fill(first_unit, words)`.
    /// Errors with [`Error::BufferRange`] (buffer `vy_inbox`) outside them.
    pub fn write_inbox_with(
        &mut self,
        offset: u64,
        units: usize,
        unit_words: usize,
        fill: &(dyn Fn(usize, &mut [u32]) + Sync),
    ) -> Result<()> {
        let len = units.saturating_mul(unit_words);
        let r = Self::range(INBOX_NAME, self.inbox.len(), offset, len)?;
        fill(0, &mut self.inbox[r]);
        Ok(())
    }

    /// Gives the ring the partitions `partitions` (see
    /// [`Engine::resize_ring`](crate::engine::Engine::resize_ring)): a
    /// zeroed ring, and a control block with the same words up to the claim
    /// lists and the same lane state.
    /// Errors: [`Error::BufferTooLarge`] when the memory cannot be had.
    pub fn resize_ring(&mut self, partitions: [(u32, u32); PRIORITIES]) -> Result<()> {
        let slots: u64 = partitions.iter().map(|&(_, size)| u64::from(size)).sum();
        let layout = self
            .layout
            .with_slots(slots.min(u64::from(u32::MAX)) as u32);
        let ring = zeroed(RING_NAME, slots * u64::from(SLOT_WORDS), u32::MAX as u64)?;
        let lanes = self.lanes as usize;
        let mut ctrl = zeroed(
            CTRL_NAME,
            u64::from(layout.lane_state) + lanes as u64,
            u32::MAX as u64,
        )?;
        let kept = self.layout.claim_list as usize;
        ctrl[..kept].copy_from_slice(&self.ctrl[..kept]);
        let (old, new) = (self.layout.lane_state as usize, layout.lane_state as usize);
        ctrl[new..new + lanes].copy_from_slice(&self.ctrl[old..old + lanes]);
        let at = ctrl::SLOTS as usize;
        ctrl[at..at + 1 + 2 * PRIORITIES].copy_from_slice(&protocol::ring_words(&partitions));
        self.ring = ring;
        self.ctrl = ctrl;
        self.layout = layout;
        self.partitions = partitions;
        Ok(())
    }

    /// Words of the inboxes.
    pub fn inbox_words(&self) -> u64 {
        self.inbox.len() as u64
    }

    /// The most inbox words a CPU machine holds (`u32` entry indices).
    pub fn max_inbox_words(&self) -> u64 {
        u32::MAX as u64
    }

    /// Replaces the inboxes by `words` zeroed words (the host moves the
    /// inboxes only while they are empty).
    /// Errors: [`Error::BufferTooLarge`] when they cannot be had.
    pub fn resize_inbox(&mut self, words: u64) -> Result<()> {
        self.inbox = zeroed(INBOX_NAME, words, u32::MAX as u64)?;
        Ok(())
    }

    /// The expand pass (see [`CpuMachine::expand_ranges`]); `widest` only
    /// sizes the GPU's dispatch.
    pub fn expand(&mut self, ranges: u32, _widest: u32) -> Result<()> {
        self.expand_ranges(ranges);
        Ok(())
    }

    /// Inbox word `index` (0 outside).
    pub(crate) fn iw(&self, index: u64) -> u32 {
        usize::try_from(index)
            .ok()
            .and_then(|i| self.inbox.get(i))
            .copied()
            .unwrap_or(0)
    }

    /// Sets inbox word `index`; dropped when outside.
    pub(crate) fn set_iw(&mut self, index: u64, value: u32) {
        if let Some(w) = usize::try_from(index)
            .ok()
            .and_then(|i| self.inbox.get_mut(i))
        {
            *w = value;
        }
    }

    /// Writes words into the control block at word `offset`.
    /// Errors with [`Error::BufferRange`] (buffer `vy_ctrl`) outside it.
    pub fn write_control(&mut self, offset: u64, words: &[u32]) -> Result<()> {
        let r = Self::range(CTRL_NAME, self.ctrl.len(), offset, words.len())?;
        self.ctrl[r].copy_from_slice(words);
        Ok(())
    }

    /// Reads `len` control words from word `offset`.
    /// Errors with [`Error::BufferRange`] (buffer `vy_ctrl`) outside it.
    pub fn read_control(&self, offset: u64, len: u64) -> Result<Vec<u32>> {
        let count = usize::try_from(len).unwrap_or(usize::MAX);
        let r = Self::range(CTRL_NAME, self.ctrl.len(), offset, count)?;
        Ok(self.ctrl[r].to_vec())
    }

    /// Writes elements of declared buffer `buffer` from element `offset`.
    /// Errors: [`Error::UnknownBuffer`] for a buffer index the program does
    /// not declare, [`Error::BufferRange`] outside its logical length.
    pub fn write_buffer(&mut self, buffer: usize, offset: u64, words: &[u32]) -> Result<()> {
        let name = self.declared(buffer)?.to_string();
        let w = self.elem_words(buffer);
        let data = &mut self.buffers[buffer];
        let r = Self::range(&name, data.len() / w, offset, words.len() / w)?;
        data[r.start * w..r.end * w].copy_from_slice(&words[..r.len() * w]);
        Ok(())
    }

    /// Reads `len` elements of declared buffer `buffer` from element
    /// `offset`. Errors as [`write_buffer`](Self::write_buffer).
    pub fn read_buffer(&self, buffer: usize, offset: u64, len: u64) -> Result<Vec<u32>> {
        let name = self.declared(buffer)?;
        let w = self.elem_words(buffer);
        let data = &self.buffers[buffer];
        let count = usize::try_from(len).unwrap_or(usize::MAX);
        let r = Self::range(name, data.len() / w, offset, count)?;
        Ok(data[r.start * w..r.end * w].to_vec())
    }

    /// Gives declared buffer `buffer` a logical length of `len` elements,
    /// keeping the common prefix and zero-filling the rest.
    /// Errors: [`Error::UnknownBuffer`]; [`Error::BufferTooLarge`] above
    /// [`MAX_BUFFER_ELEMENTS`] or when the memory cannot be had.
    pub fn resize_buffer(&mut self, buffer: usize, len: u64) -> Result<()> {
        let name = self.declared(buffer)?.to_string();
        let w = self.elem_words(buffer);
        let too_large = || Error::BufferTooLarge {
            name: name.clone(),
            bytes: len.saturating_mul(4 * w as u64),
            max: MAX_BUFFER_ELEMENTS * 4,
        };
        let words = len.saturating_mul(w as u64);
        if words > MAX_BUFFER_ELEMENTS {
            return Err(too_large());
        }
        let n = usize::try_from(words).map_err(|_| too_large())?;
        let data = &mut self.buffers[buffer];
        if n > data.len() {
            data.try_reserve_exact(n - data.len())
                .map_err(|_| too_large())?;
        }
        data.resize(n, 0);
        Ok(())
    }

    /// Logical length of declared buffer `buffer` (0 for an index the
    /// program does not declare).
    pub fn buffer_len(&self, buffer: usize) -> u64 {
        self.buffers
            .get(buffer)
            .map_or(0, |b| (b.len() / self.elem_words(buffer)) as u64)
    }

    /// The words the host reads after a submission: control words
    /// `0 .. layout.summary_words()`.
    pub fn summary(&self) -> Vec<u32> {
        let n = (self.layout.summary_words() as usize).min(self.ctrl.len());
        self.ctrl[..n].to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Access, BufferKind, HandlerBuilder};
    use crate::program::ProgramConfig;
    use crate::protocol::{status, Priority};

    fn program() -> Program {
        let mut h = HandlerBuilder::new(1, "touch");
        let a = h.buffer("a", ScalarType::U32, Access::ReadWrite);
        h.body(|b| b.store(a, 0u32, 1u32));
        Program::builder("machine")
            .config(ProgramConfig {
                slots: 10,
                inbox_capacity: 4,
                ..ProgramConfig::default()
            })
            .buffer("a", BufferKind::plain(ScalarType::U32))
            .buffer("b", BufferKind::plain(ScalarType::F32))
            .opcode(h.finish().unwrap())
            .build()
            .unwrap()
    }

    #[test]
    fn lanes_are_checked() {
        for lanes in [0, MAX_LANES + 1, u32::MAX] {
            assert!(matches!(
                CpuMachine::new(program(), lanes),
                Err(Error::InvalidRunOption {
                    option: "lanes",
                    ..
                })
            ));
        }
    }

    #[test]
    fn memory_is_sized_and_zeroed_as_the_protocol_says() {
        let p = program();
        let m = CpuMachine::new(p.clone(), 6).unwrap();
        assert_eq!(m.ring().len() as u64, p.config().ring_words());
        assert_eq!(m.ctrl().len() as u32, p.control_layout().total_words(6));
        // Five inboxes of `inbox_capacity` entries of 3 words (no arguments).
        assert_eq!(p.entry_words(), 3);
        assert_eq!(m.inbox().len(), 5 * 4 * 3);
        assert!(m.ring().iter().chain(m.inbox()).all(|&w| w == 0));
        // The control block is zeroed but for the inboxes' bases and masks
        // and the ring's sizes (10 slots: 2 each).
        let at = ctrl::INBOX_BASE as usize;
        assert_eq!(m.ctrl()[at..at + 10], [0, 4, 8, 12, 16, 3, 3, 3, 3, 3]);
        let sizes = ctrl::SLOTS as usize;
        assert_eq!(
            m.ctrl()[sizes..sizes + 11],
            [10, 0, 2, 4, 6, 8, 2, 2, 2, 2, 2]
        );
        assert!(m.ctrl()[..at]
            .iter()
            .chain(&m.ctrl()[at + 10..sizes])
            .chain(&m.ctrl()[sizes + 11..])
            .all(|&w| w == 0));
        assert_eq!(m.buffer_len(0), 0);
        assert_eq!(m.buffer_len(7), 0);
        assert_eq!(m.summary().len() as u32, m.layout().summary_words());
        assert_eq!(m.partition_of(0), Some(0));
        assert_eq!(m.partition_of(9), Some(4));
        assert_eq!(m.partition_of(10), None);
    }

    #[test]
    fn out_of_range_accesses_are_typed_errors() {
        let mut m = CpuMachine::new(program(), 1).unwrap();
        let ring = m.ring().len() as u64;
        let ctrl = m.ctrl().len() as u64;
        assert!(m.write_ring(ring - 2, &[1, 2]).is_ok());
        assert_eq!(m.read_ring(ring - 2, 2).unwrap(), [1, 2]);
        let e = m.write_ring(ring - 1, &[1, 2]).unwrap_err();
        assert!(
            matches!(e, Error::BufferRange { ref name, len, .. } if name == "vy_ring" && len == ring)
        );
        assert!(m.write_ring(u64::MAX, &[1]).is_err());
        assert!(m.read_ring(0, u64::MAX).is_err());
        assert!(m.write_control(ctrl, &[1]).is_err());
        assert!(m.read_control(u64::MAX, 2).is_err());
        assert!(m.read_control(0, ctrl + 1).is_err());
        assert_eq!(m.read_control(ctrl, 0).unwrap(), Vec::<u32>::new());
        assert!(matches!(
            m.write_buffer(2, 0, &[1]),
            Err(Error::UnknownBuffer { .. })
        ));
        assert!(matches!(
            m.read_buffer(9, 0, 0),
            Err(Error::UnknownBuffer { .. })
        ));
        assert!(matches!(
            m.resize_buffer(9, 1),
            Err(Error::UnknownBuffer { .. })
        ));
        assert!(matches!(
            m.write_buffer(0, 0, &[1]),
            Err(Error::BufferRange { ref name, .. }) if name == "a"
        ));
        assert!(matches!(
            m.resize_buffer(1, MAX_BUFFER_ELEMENTS + 1),
            Err(Error::BufferTooLarge { ref name, .. }) if name == "b"
        ));
    }

    #[test]
    fn resize_keeps_the_prefix_and_zero_fills() {
        let mut m = CpuMachine::new(program(), 1).unwrap();
        m.resize_buffer(0, 3).unwrap();
        m.write_buffer(0, 0, &[7, 8, 9]).unwrap();
        m.resize_buffer(0, 5).unwrap();
        assert_eq!(m.read_buffer(0, 0, 5).unwrap(), [7, 8, 9, 0, 0]);
        m.resize_buffer(0, 2).unwrap();
        assert_eq!(m.buffer_len(0), 2);
        m.resize_buffer(0, 4).unwrap();
        assert_eq!(m.read_buffer(0, 0, 4).unwrap(), [7, 8, 0, 0]);
        assert!(m.read_buffer(0, 3, 2).is_err());
        m.buffer_mut(0).unwrap()[3] = 5;
        assert_eq!(m.buffer(0).unwrap(), [7, 8, 0, 5]);
        m.resize_buffer(0, 0).unwrap();
        assert_eq!(m.buffer(0).unwrap(), [] as [u32; 0]);
    }

    #[test]
    fn corrupt_claim_lists_never_panic() {
        let mut m = CpuMachine::new(program(), 1).unwrap();
        let claim_list = m.layout().claim_list;
        // A claim list that claims to be huge and names slots outside the
        // ring, a non-PUBLISHED slot, and an out-of-table ticket.
        m.ctrl_mut()[ctrl::LIST_LEN as usize] = u32::MAX;
        m.ctrl_mut()[claim_list as usize] = u32::MAX;
        m.ctrl_mut()[claim_list as usize + 1] = 3;
        let mut lane = m.begin_lane(0);
        assert_eq!(m.claim(&mut lane), None);
        assert!(lane.finished);
        // Every ticket counted as a claim, up to the budget.
        assert_eq!(lane.claims, m.program().config().claim_budget);
        assert_eq!(m.claim(&mut lane), None);
        m.end_lane(&lane);
    }

    #[test]
    fn spawn_takes_the_free_list_and_checks_the_priority() {
        let mut m = CpuMachine::new(program(), 1).unwrap();
        // The test program has no spawn: maintain builds no free list.
        assert!(!m.free_lists);
        m.prepare();
        m.maintain();
        assert_eq!(m.ctrl()[(ctrl::FREE_LEN + 3) as usize], 0);
        // As for a program that spawns: maintain builds the free lists.
        m.free_lists = true;
        assert_eq!(
            m.spawn(5, 1, 0, 0, &[]),
            Err(crate::cpu::TaskFault::bad_priority(5))
        );
        // No maintenance pass has listed a free slot yet.
        assert_eq!(m.spawn(3, 1, 2, 0, &[]), Ok(false));
        m.prepare();
        m.maintain();
        let (start, size) = m.partitions()[Priority::Low.index()];
        assert_eq!(size, 2);
        assert_eq!(m.ctrl()[(ctrl::FREE_LEN + 3) as usize], 2);
        assert_eq!(m.spawn(3, 1, 2, 0, &[4; 20]), Ok(true));
        assert_eq!(m.spawn(3, 1, 2, 0, &[]), Ok(true));
        assert_eq!(m.spawn(3, 1, 2, 0, &[]), Ok(false));
        assert_eq!(m.status(start), status::PENDING);
        assert_eq!(m.status(start + 1), status::PENDING);
        // Free-list entry 0 (the partition's first EMPTY slot, listed at
        // the end of its span) went to the first spawn.
        let words = m.read_ring(start as u64 * 16, 16).unwrap();
        assert_eq!(words[..4], [status::PENDING, 1, 2, 0]);
        assert_eq!(words[4..], [4; 12]);
        let c = m.ctrl();
        assert_eq!(c[ctrl::SPAWNED as usize], 2);
        assert_eq!(c[ctrl::SPAWN_OVERFLOW as usize], 2);
        // A used-up list refuses without taking an entry.
        assert_eq!(c[(ctrl::FREE_NEXT + 3) as usize], 2);
        assert_eq!(m.spawn(3, 1, 2, 0, &[]), Ok(false));
        let c = m.ctrl();
        assert_eq!(c[ctrl::SPAWN_OVERFLOW as usize], 3);
        assert_eq!(c[(ctrl::FREE_NEXT + 3) as usize], 2);
        assert_eq!(c[(ctrl::FREE_NEXT + 2) as usize], 0, "per partition");
        m.prepare();
        assert_eq!(m.ctrl()[(ctrl::FREE_LEN + 3) as usize], 0);
        assert_eq!(m.ctrl()[(ctrl::FREE_NEXT + 3) as usize], 0);
    }
}

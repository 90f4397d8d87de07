//! The three small passes of `M` (prepare, maintain, finalize), exactly as
//! `docs/protocol.md` writes them, and the submission driver
//! `M, (W, M) × rounds`.

use super::machine::CpuMachine;
use super::work::WorkPass;
use crate::engine::Submission;
use crate::error::Result;
use crate::protocol::{
    ctrl, entry, range, slot, status, MAX_ARGS, PRIORITIES, RANGE_SLOTS, RANGE_WORDS,
};

/// Dispatches one `M` records: prepare, maintain and finalize.
pub(crate) const MAINTENANCE_DISPATCHES: u64 = 3;
/// Dispatches one round records: the work dispatch and one `M`.
pub(crate) const ROUND_DISPATCHES: u64 = 1 + MAINTENANCE_DISPATCHES;

impl CpuMachine {
    /// *prepare*: for each partition, `LIST_LEN = LIST_NEXT = INBOX_TAKE =
    /// PARKED = FREE_LEN = FREE_NEXT = 0`.
    /// Nothing while the ring is idle (see [`finalize`](Self::finalize)).
    pub fn prepare(&mut self) {
        if self.idle() {
            return;
        }
        for p in 0..PRIORITIES as u32 {
            for base in [
                ctrl::LIST_LEN,
                ctrl::LIST_NEXT,
                ctrl::INBOX_TAKE,
                ctrl::PARKED,
                ctrl::FREE_LEN,
                ctrl::FREE_NEXT,
            ] {
                self.set_cw(base + p, 0);
            }
        }
    }

    /// *maintain*: one invocation per slot, run here in slot order (the
    /// GPU runs them in parallel, ranking them per workgroup; the outcome
    /// differs only in which slot receives which inbox entry and in the
    /// order of the claim lists, which no deterministic workload can
    /// observe).
    ///
    /// PENDING → PUBLISHED, an EMPTY slot takes the next
    /// inbox entry of its partition if there is one, every PUBLISHED
    /// slot is faulted (tenant outside the table), listed (tenant enabled)
    /// or counted as parked, and — in a program that spawns — every slot
    /// still EMPTY goes on the free list: `k = FREE_LEN[p]++`, at
    /// `claim_list + start + size - 1 - k`.
    /// Nothing while the ring is idle (see [`finalize`](Self::finalize)).
    pub fn maintain(&mut self) {
        if self.idle() {
            return;
        }
        let layout = self.layout;
        let tenants = self.program.config().tenants;
        let free_lists = self.free_lists;
        for (p, (start, size)) in self.partitions.into_iter().enumerate() {
            let p32 = p as u32;
            for s in start..start + size {
                let mut st = self.status(s);
                if st == status::PENDING {
                    st = status::PUBLISHED;
                    self.set_slot_word(s, slot::STATUS, st);
                }
                let head = self.cw(ctrl::INBOX_HEAD + p32);
                let waiting = self.cw(ctrl::INBOX_TAIL + p32).wrapping_sub(head);
                // A ticket only while some are left: the same entries are
                // placed as with a ticket per EMPTY slot.
                if st == status::EMPTY && waiting != 0 && self.cw(ctrl::INBOX_TAKE + p32) < waiting
                {
                    let t = self.add_cw(ctrl::INBOX_TAKE + p32, 1);
                    if t < waiting {
                        self.place_entry(p32, t, s);
                        st = status::PUBLISHED;
                    }
                }
                if st == status::PUBLISHED {
                    let tenant = self.slot_word(s, slot::TENANT);
                    if tenant >= tenants {
                        self.fault_bad_tenant(s, p32);
                    } else if self.cw(layout.tenant_enabled.wrapping_add(tenant)) != 0 {
                        let k = self.add_cw(ctrl::LIST_LEN + p32, 1);
                        let at = layout.claim_list.wrapping_add(start).wrapping_add(k);
                        self.set_cw(at, s);
                    } else {
                        self.add_cw(ctrl::PARKED + p32, 1);
                    }
                }
                if st == status::EMPTY && free_lists {
                    let k = self.add_cw(ctrl::FREE_LEN + p32, 1);
                    let at = layout
                        .claim_list
                        .wrapping_add(start + size - 1)
                        .wrapping_sub(k);
                    self.set_cw(at, s);
                }
            }
        }
    }

    /// The first word of entry `t` past the head of partition `p`'s inbox
    /// in `vy_inbox`: entry k lives at `INBOX_BASE + (k & INBOX_MASK)`
    /// (u32 k).
    pub(crate) fn inbox_entry(&self, p: u32, t: u32) -> u64 {
        let head = self.cw(ctrl::INBOX_HEAD + p);
        let at = self
            .cw(ctrl::INBOX_BASE + p)
            .wrapping_add(head.wrapping_add(t) & self.cw(ctrl::INBOX_MASK + p));
        u64::from(at) * u64::from(self.program.entry_words())
    }

    /// Copies entry `t` past the head of partition `p`'s inbox into `slot`
    /// (an entry is a slot without its status word) and publishes it.
    pub(crate) fn place_entry(&mut self, p: u32, t: u32, slot: u32) {
        let entry = self.inbox_entry(p, t);
        for k in 0..self.program.entry_words() {
            let v = self.iw(entry + u64::from(k));
            self.set_slot_word(slot, slot::OPCODE + k, v);
        }
        self.set_slot_word(slot, slot::STATUS, status::PUBLISHED);
    }

    /// Place and run's prepare: prepare, then each partition takes its
    /// first inbox entries, as many as it has slots, and the lanes take
    /// them from the first ([`CpuMachine::claim`]).
    fn prepare_place(&mut self) {
        self.prepare();
        for (p, (_, size)) in self.partitions.into_iter().enumerate() {
            let p = p as u32;
            let waiting = self
                .cw(ctrl::INBOX_TAIL + p)
                .wrapping_sub(self.cw(ctrl::INBOX_HEAD + p));
            self.set_cw(ctrl::INBOX_TAKE + p, waiting.min(size));
        }
        self.placing = Some([0; PRIORITIES]);
    }

    /// *finalize*: for each partition `INBOX_HEAD += min(INBOX_TAKE,
    /// INBOX_TAIL - INBOX_HEAD)` (wrapping) — the entries maintain placed,
    /// which are also added to `PLACED` — then `ROUND += 1`, then `IDLE =
    /// 1` when nothing is listed and every inbox is empty: until the host
    /// writes, no pass can change the ring, so the rest of the submission
    /// does nothing (on the GPU: zero-workgroup indirect dispatches).
    pub fn finalize(&mut self) {
        if self.idle() {
            return;
        }
        let mut placed = 0u32;
        let mut busy = false;
        for p in 0..PRIORITIES as u32 {
            let head = self.cw(ctrl::INBOX_HEAD + p);
            let tail = self.cw(ctrl::INBOX_TAIL + p);
            let take = self.cw(ctrl::INBOX_TAKE + p);
            let consumed = take.min(tail.wrapping_sub(head));
            self.set_cw(ctrl::INBOX_HEAD + p, head.wrapping_add(consumed));
            placed = placed.wrapping_add(consumed);
            busy |= tail != head.wrapping_add(consumed) || self.cw(ctrl::LIST_LEN + p) != 0;
        }
        self.add_cw(ctrl::PLACED, placed);
        self.add_cw(ctrl::ROUND, 1);
        self.set_cw(ctrl::IDLE, u32::from(!busy));
    }

    /// Whether a finalize pass found the ring idle.
    pub(crate) fn idle(&self) -> bool {
        self.cw(ctrl::IDLE) != 0
    }

    /// *expand*: writes the entries of the first `ranges` descriptors at
    /// inbox positions `position + i` of their partitions: entry `i` of a
    /// range (`publish_range`) is `[opcode, tenant, ticket, first + i,
    /// rest..]`, of a batch (`SOURCE_WORDS` = `n` > 0) `[opcode, tenant,
    /// ticket, the n inbox words from first + i × n, zeros]`.
    pub fn expand_ranges(&mut self, ranges: u32) {
        let entry_words = self.program.entry_words();
        for r in 0..ranges.min(RANGE_SLOTS) {
            let d = self.layout.ranges + r * RANGE_WORDS;
            let dw = |w: u32| self.cw(d + w);
            let p = dw(range::PARTITION).min(PRIORITIES as u32 - 1);
            let (position, count) = (dw(range::POSITION), dw(range::COUNT));
            let (opcode, tenant, first) = (dw(range::OPCODE), dw(range::TENANT), dw(range::FIRST));
            let source_words = dw(range::SOURCE_WORDS);
            let ticket = dw(range::TICKET);
            let rest: Vec<u32> = (0..MAX_ARGS as u32 - 1)
                .map(|i| dw(range::REST + i))
                .collect();
            let base = self.cw(ctrl::INBOX_BASE + p);
            let mask = self.cw(ctrl::INBOX_MASK + p);
            for i in 0..count {
                let at =
                    base.wrapping_add(position.wrapping_add(i) & mask) as u64 * entry_words as u64;
                self.set_iw(at + entry::OPCODE as u64, opcode);
                self.set_iw(at + entry::TENANT as u64, tenant);
                self.set_iw(at + entry::TICKET as u64, ticket);
                let src = u64::from(first) + u64::from(i) * u64::from(source_words);
                for k in entry::ARG0..entry_words {
                    let a = k - entry::ARG0;
                    let v = match (source_words, a) {
                        (0, 0) => first.wrapping_add(i),
                        (0, _) => rest[(a - 1) as usize],
                        (n, a) if a < n => self.iw(src + u64::from(a)),
                        _ => 0,
                    };
                    self.set_iw(at + k as u64, v);
                }
            }
        }
    }

    /// What a submission's first prepare pass does first: zeroes the
    /// counters its summary reports ([`ctrl::SUBMISSION_COUNTERS`] and
    /// `executed_by_op`; `FAULT_COUNT` is the host's to zero).
    fn clear_counters(&mut self) {
        let layout = self.layout;
        let handlers = self.program.handlers().len() as u32;
        let by_op = (0..handlers).map(|h| layout.executed_by_op + h);
        for w in ctrl::SUBMISSION_COUNTERS.into_iter().chain(by_op) {
            self.set_cw(w, 0);
        }
    }

    /// `M`: prepare, maintain, finalize (three dispatches on the GPU).
    pub fn maintenance(&mut self) {
        self.prepare();
        self.maintain();
        self.finalize();
    }

    /// One submission: `M, (W, M) × rounds`, with `work` as `W`. Returns
    /// the summary words after the last pass and the dispatch count
    /// `3 + 4 × rounds`. The work pass may stop the submission early only
    /// by returning an error; shutdown does not end it (lanes stop claiming
    /// and the remaining rounds are cheap), exactly as on the GPU, where
    /// the command buffer is already recorded.
    ///
    /// With `place` (the ring empty, a program that
    /// [places and runs](crate::Program::places_and_runs)), the first `M`
    /// places and runs (`docs/protocol.md`, "Place and run"): prepare
    /// takes each partition's first inbox entries, `work`'s lanes claim
    /// them straight from the inbox ([`CpuMachine::claim`]), and finalize
    /// consumes them; no maintain pass.
    pub fn submit(
        &mut self,
        work: &mut dyn WorkPass,
        rounds: u32,
        place: bool,
    ) -> Result<Submission> {
        // The host may have written since the last submission.
        self.set_cw(ctrl::IDLE, 0);
        self.clear_counters();
        if place {
            self.prepare_place();
            let ran = work.run(self);
            // After an error (a handler that panicked), what the lanes took
            // is consumed and the rest stays in the inbox: no task that ran
            // is placed again.
            if let (Err(_), Some(taken)) = (&ran, self.placing) {
                for (p, t) in taken.into_iter().enumerate() {
                    self.set_cw(ctrl::INBOX_TAKE + p as u32, t);
                }
            }
            self.placing = None;
            self.finalize();
            ran?;
        } else {
            self.maintenance();
        }
        for _ in 0..rounds {
            // Zero workgroups while idle, as on the GPU.
            if !self.idle() {
                work.run(self)?;
            }
            self.maintenance();
        }
        let log = self.layout.ticket_log;
        Ok(Submission {
            summary: self.summary(),
            ticket_log: (0..self.ticket_log_words)
                .map(|i| self.cw(log + i))
                .collect(),
            dispatches: MAINTENANCE_DISPATCHES + ROUND_DISPATCHES * rounds as u64,
            gpu_time: None,
            passes: None,
        })
    }
}

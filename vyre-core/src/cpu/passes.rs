//! The three small passes of `M` (prepare, maintain, finalize), exactly as
//! `docs/protocol.md` writes them, and the submission driver
//! `M, (W, M) × rounds`.

use super::machine::CpuMachine;
use super::work::WorkPass;
use crate::engine::Submission;
use crate::error::Result;
use crate::protocol::{ctrl, fault, slot, status, PRIORITIES, SLOT_WORDS};

/// Dispatches one `M` records: prepare, maintain and finalize.
pub(crate) const MAINTENANCE_DISPATCHES: u64 = 3;
/// Dispatches one round records: the work dispatch and one `M`.
pub(crate) const ROUND_DISPATCHES: u64 = 1 + MAINTENANCE_DISPATCHES;

impl CpuMachine {
    /// *prepare*: for each partition, `LIST_LEN = LIST_NEXT = INBOX_TAKE =
    /// PARKED = SPAWN_FULL = 0`.
    pub fn prepare(&mut self) {
        for p in 0..PRIORITIES as u32 {
            for base in [
                ctrl::LIST_LEN,
                ctrl::LIST_NEXT,
                ctrl::INBOX_TAKE,
                ctrl::PARKED,
                ctrl::SPAWN_FULL,
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
    /// DONE → EMPTY, PENDING → PUBLISHED, an EMPTY slot takes the next
    /// inbox entry of its partition if there is one, and every PUBLISHED
    /// slot is faulted (tenant outside the table), listed (tenant enabled)
    /// or counted as parked.
    pub fn maintain(&mut self) {
        let layout = self.layout;
        let tenants = self.program.config().tenants;
        let capacity = self.program.config().inbox_capacity;
        for (p, (start, size)) in self.partitions.into_iter().enumerate() {
            let p32 = p as u32;
            let inbox = self.program.config().inbox_base(p);
            for s in start..start + size {
                let mut st = self.status(s);
                if st == status::DONE {
                    st = status::EMPTY;
                    self.set_slot_word(s, slot::STATUS, st);
                }
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
                        // Entry k lives at position k % capacity (u32 k).
                        let pos = head.wrapping_add(t) % capacity.max(1);
                        let entry = inbox + pos as u64 * SLOT_WORDS as u64;
                        for w in 1..SLOT_WORDS {
                            let v = self.rw(entry + w as u64);
                            self.set_slot_word(s, w, v);
                        }
                        st = status::PUBLISHED;
                        self.set_slot_word(s, slot::STATUS, st);
                    }
                }
                if st == status::PUBLISHED {
                    let tenant = self.slot_word(s, slot::TENANT);
                    if tenant >= tenants {
                        let opcode = self.slot_word(s, slot::OPCODE);
                        self.record_fault([
                            s,
                            opcode,
                            fault::BAD_TENANT,
                            tenant,
                            tenant,
                            p32,
                            self.cw(ctrl::ROUND),
                            u32::MAX,
                        ]);
                        self.set_slot_word(s, slot::STATUS, status::FAULT);
                        self.add_cw(ctrl::FAULTED, 1);
                    } else if self.cw(layout.tenant_enabled.wrapping_add(tenant)) != 0 {
                        let k = self.add_cw(ctrl::LIST_LEN + p32, 1);
                        let at = layout.claim_list.wrapping_add(start).wrapping_add(k);
                        self.set_cw(at, s);
                    } else {
                        self.add_cw(ctrl::PARKED + p32, 1);
                    }
                }
            }
        }
    }

    /// *finalize*: for each partition `INBOX_HEAD += min(INBOX_TAKE,
    /// INBOX_TAIL - INBOX_HEAD)` (wrapping) — the entries maintain placed,
    /// which are also added to `PLACED` — then `ROUND += 1`.
    pub fn finalize(&mut self) {
        let mut placed = 0u32;
        for p in 0..PRIORITIES as u32 {
            let head = self.cw(ctrl::INBOX_HEAD + p);
            let tail = self.cw(ctrl::INBOX_TAIL + p);
            let take = self.cw(ctrl::INBOX_TAKE + p);
            let consumed = take.min(tail.wrapping_sub(head));
            self.set_cw(ctrl::INBOX_HEAD + p, head.wrapping_add(consumed));
            placed = placed.wrapping_add(consumed);
        }
        self.add_cw(ctrl::PLACED, placed);
        self.add_cw(ctrl::ROUND, 1);
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
    pub fn submit(&mut self, work: &mut dyn WorkPass, rounds: u32) -> Result<Submission> {
        self.maintenance();
        for _ in 0..rounds {
            work.run(self)?;
            self.maintenance();
        }
        Ok(Submission {
            summary: self.summary(),
            dispatches: MAINTENANCE_DISPATCHES + ROUND_DISPATCHES * rounds as u64,
            gpu_time: None,
        })
    }
}

//! The lane side of the work pass: claiming with tickets, finishing a task
//! (EMPTY again, or FAULT with its record), spawning, printf and shutdown — the
//! pseudo-code of `docs/protocol.md` ("work", "Inside a task"), one
//! primitive per step so that any work pass can drive it.

use super::fault::TaskFault;
use super::machine::CpuMachine;
use crate::protocol::{
    ctrl, entry, fault, request, slot, status, ticket, FAULT_RECORD_WORDS, MAX_ARGS,
    PRINTF_MAX_ARGS, PRINTF_RECORD_WORDS, PRIORITIES,
};

/// The scheduler state of one lane during one work dispatch: the claim
/// streak (persisted in `lane_state` between dispatches), the claims made
/// and the loop iterations run in this dispatch, and whether the lane has
/// left its claim loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LaneSched {
    /// Global lane index (`ctx.lane()`).
    pub lane: u32,
    /// Consecutive claims since the last bottom-up scan.
    pub streak: u32,
    /// Claims made in this dispatch (tickets taken, exchanged or not).
    pub claims: u32,
    /// Loop iterations the lane's tasks ran in this dispatch.
    pub iterations: u32,
    /// The sharded form: the lane's next own slot is `lane + cursor ×
    /// lanes`.
    pub cursor: u32,
    /// Set when the lane left its claim loop (budget, shutdown, or a scan
    /// that found nothing); it claims nothing more in this dispatch.
    pub finished: bool,
}

/// A task a lane has claimed: the slot's words, and which handler runs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Claimed {
    /// The ring slot (now CLAIMED).
    pub slot: u32,
    /// The slot's opcode word.
    pub opcode: u32,
    /// Program index of the opcode's handler; `None` for an opcode the
    /// program does not have (the task must fault `UNKNOWN_OPCODE`).
    pub handler: Option<usize>,
    /// The slot's tenant word (checked against the table by *maintain*).
    pub tenant: u32,
    /// The slot's ticket word (0: none).
    pub ticket: u32,
    /// The task's priority: the partition the slot was claimed from.
    pub priority: u32,
    /// The argument words.
    pub args: [u32; MAX_ARGS],
}

impl CpuMachine {
    /// Starts lane `lane`'s part of a work dispatch: reads its streak from
    /// `lane_state`.
    pub fn begin_lane(&self, lane: u32) -> LaneSched {
        LaneSched {
            lane,
            streak: self.cw(self.layout.lane_state.wrapping_add(lane)),
            claims: 0,
            iterations: 0,
            cursor: 0,
            finished: false,
        }
    }

    /// Ends lane `lane`'s part of a work dispatch: stores its streak.
    pub fn end_lane(&mut self, lane: &LaneSched) {
        self.set_cw(self.layout.lane_state.wrapping_add(lane.lane), lane.streak);
    }

    /// One turn of the lane's claim loop (protocol.md, "work"): checks the
    /// claim budget, the iteration budget and `SHUTDOWN`; scans the claim
    /// lists top-down, or bottom-up after `starvation_limit` consecutive
    /// claims; takes a ticket; updates the streak and the claim count; and
    /// takes the slot PUBLISHED → CLAIMED. A ticket whose slot is not
    /// PUBLISHED (only possible when the host corrupted a list) counts as
    /// a claim and the loop goes on, as the protocol's `continue` does.
    ///
    /// Returns `None` when the lane leaves its loop; [`LaneSched::finished`]
    /// is then set and stays set.
    pub fn claim(&mut self, lane: &mut LaneSched) -> Option<Claimed> {
        if lane.finished {
            return None;
        }
        if self.placing.is_some() {
            return self.claim_entry(lane);
        }
        if self.program.config().sharded {
            return self.claim_own(lane);
        }
        let config = self.program.config();
        let (claim_budget, iteration_budget) = (config.claim_budget, config.iteration_budget);
        let starvation_limit = config.starvation_limit;
        loop {
            if lane.claims >= claim_budget
                || lane.iterations >= iteration_budget
                || self.shutdown_requested()
            {
                lane.finished = true;
                return None;
            }
            let bottom_up = starvation_limit != 0 && lane.streak >= starvation_limit;
            let Some((p, slot)) = self.take_ticket(bottom_up) else {
                lane.finished = true;
                return None;
            };
            lane.streak = if bottom_up {
                0
            } else {
                lane.streak.wrapping_add(1)
            };
            lane.claims = lane.claims.wrapping_add(1);
            if let Some(claimed) = self.exchange_claim(p, slot) {
                return Some(claimed);
            }
        }
    }

    /// The claim loop of the sharded form (`docs/protocol.md`, "Sharded
    /// lanes"): walks the lane's own slots (`lane`, `lane + lanes`, …) from
    /// its cursor and claims the next PUBLISHED one whose tenant is
    /// enabled, within the budgets and unless shutdown was requested.
    fn claim_own(&mut self, lane: &mut LaneSched) -> Option<Claimed> {
        let config = self.program.config();
        let (claim_budget, iteration_budget) = (config.claim_budget, config.iteration_budget);
        let tenants = config.tenants;
        let (slots, lanes) = (self.slots(), self.lanes.max(1));
        loop {
            let slot = u64::from(lane.lane) + u64::from(lane.cursor) * u64::from(lanes);
            if slot >= u64::from(slots)
                || lane.claims >= claim_budget
                || lane.iterations >= iteration_budget
                || self.shutdown_requested()
            {
                lane.finished = true;
                return None;
            }
            lane.cursor += 1;
            let slot = slot as u32;
            if self.status(slot) != status::PUBLISHED {
                continue;
            }
            let tenant = self.slot_word(slot, slot::TENANT);
            if tenant >= tenants || self.cw(self.layout.tenant_enabled.wrapping_add(tenant)) == 0 {
                continue;
            }
            lane.claims = lane.claims.wrapping_add(1);
            let p = self.partition_of(slot).unwrap_or(0);
            if let Some(claimed) = self.exchange_claim(p, slot) {
                return Some(claimed);
            }
        }
    }

    /// Whether a lane starting its claim loop now could claim anything:
    /// some claim list has a ticket left and no shutdown was requested.
    /// Within a dispatch tickets only run out (spawned tasks wait for the
    /// next round's lists), so once this is false every later lane of the
    /// dispatch leaves its loop at once, without a side effect. In the
    /// sharded form every lane owns slots of its own: true unless shutdown
    /// was requested.
    pub fn tickets_left(&self) -> bool {
        if let Some(next) = self.placing {
            return !self.shutdown_requested()
                && (0..PRIORITIES).any(|p| next[p] < self.cw(ctrl::INBOX_TAKE + p as u32));
        }
        if self.program.config().sharded {
            return !self.shutdown_requested();
        }
        !self.shutdown_requested()
            && (0..PRIORITIES as u32)
                .any(|p| self.cw(ctrl::LIST_NEXT + p) < self.cw(ctrl::LIST_LEN + p))
    }

    /// The place pass's claim (`docs/protocol.md`, "Place and run"): the
    /// next inbox entry prepare took, partitions in priority order; entry
    /// *t* of partition *p* is the task of the partition's slot *t*, which
    /// is EMPTY. A task of an enabled tenant is returned to run straight
    /// from its entry (its slot is written only if it faults); any other
    /// goes into its slot and is admitted as maintain admits it (a
    /// disabled tenant's is parked, an unknown tenant's faults), and the
    /// next entry is taken. Budgets do not apply (each task is one
    /// invocation on the GPU); after a handler asked for shutdown the
    /// entries not yet taken stay in the inbox (`INBOX_TAKE` shrinks to
    /// what was taken), where the GPU, whose invocations are all under way
    /// at once, runs them all.
    fn claim_entry(&mut self, lane: &mut LaneSched) -> Option<Claimed> {
        let tenants = self.program.config().tenants;
        let entry_words = self.program.entry_words();
        loop {
            let mut next = self.placing?;
            let found = (0..PRIORITIES).find(|&p| next[p] < self.cw(ctrl::INBOX_TAKE + p as u32));
            let Some(p) = found else {
                lane.finished = true;
                return None;
            };
            let p32 = p as u32;
            if self.shutdown_requested() {
                for q in 0..PRIORITIES as u32 {
                    self.set_cw(ctrl::INBOX_TAKE + q, next[q as usize]);
                }
                lane.finished = true;
                return None;
            }
            let t = next[p];
            next[p] += 1;
            self.placing = Some(next);
            let slot = self.partitions[p].0 + t;
            let entry = self.inbox_entry(p32, t);
            let word = |m: &Self, k: u32| m.iw(entry + u64::from(k));
            let (opcode, tenant, ticket) = (
                word(self, entry::OPCODE),
                word(self, entry::TENANT),
                word(self, entry::TICKET),
            );
            if tenant < tenants && self.cw(self.layout.tenant_enabled.wrapping_add(tenant)) != 0 {
                let mut args = [0; MAX_ARGS];
                for (i, a) in args.iter_mut().enumerate() {
                    let k = entry::ARG0 + i as u32;
                    if k < entry_words {
                        *a = word(self, k);
                    }
                }
                return Some(Claimed {
                    slot,
                    opcode,
                    handler: self.program.handler_index(opcode),
                    tenant,
                    ticket,
                    priority: p32,
                    args,
                });
            }
            // Waits in its slot, or faults there, as maintain would have it.
            self.place_entry(p32, t, slot);
            if tenant >= tenants {
                self.fault_bad_tenant(slot, p32);
            } else {
                self.add_cw(ctrl::PARKED + p32, 1);
            }
        }
    }

    /// Faults the PUBLISHED task in `slot` of partition `p` whose tenant is
    /// outside the table, as the maintenance pass does: a `BAD_TENANT`
    /// record (lane `u32::MAX`), status FAULT, `FAULTED += 1`, and one live
    /// task fewer on its ticket.
    pub(crate) fn fault_bad_tenant(&mut self, slot: u32, p: u32) {
        let tenant = self.slot_word(slot, slot::TENANT);
        let ticket = self.slot_word(slot, slot::TICKET);
        self.record_fault([
            slot,
            self.slot_word(slot, slot::OPCODE),
            fault::BAD_TENANT,
            tenant,
            tenant,
            p,
            self.cw(ctrl::ROUND),
            u32::MAX,
            ticket,
        ]);
        self.set_slot_word(slot, slot::STATUS, status::FAULT);
        self.add_cw(ctrl::FAULTED, 1);
        self.ticket_end(ticket);
    }

    /// Takes the next ticket of the first list (in scan order) that has
    /// one; returns its partition and slot.
    fn take_ticket(&mut self, bottom_up: bool) -> Option<(usize, u32)> {
        for k in 0..PRIORITIES {
            let p = if bottom_up { PRIORITIES - 1 - k } else { k };
            let p32 = p as u32;
            let len = self.cw(ctrl::LIST_LEN + p32);
            if self.cw(ctrl::LIST_NEXT + p32) < len {
                let t = self.add_cw(ctrl::LIST_NEXT + p32, 1);
                if t < len {
                    let start = self.partitions[p].0;
                    let at = self.layout.claim_list.wrapping_add(start).wrapping_add(t);
                    return Some((p, self.cw(at)));
                }
            }
        }
        None
    }

    /// CAS PUBLISHED → CLAIMED on `slot`, retrying only spurious failures
    /// (none on the CPU), and reads the task's words when it exchanged.
    fn exchange_claim(&mut self, p: usize, slot: u32) -> Option<Claimed> {
        // A slot number outside the ring (a corrupt list) cannot exchange.
        if slot >= self.slots() {
            return None;
        }
        // protocol.md retries a weak CAS up to 8 times when it fails
        // spuriously (old == PUBLISHED). This compare-exchange is strong:
        // it fails only when the status differs, so there is no retry.
        if self.status(slot) != status::PUBLISHED {
            return None;
        }
        self.set_slot_word(slot, slot::STATUS, status::CLAIMED);
        let opcode = self.slot_word(slot, slot::OPCODE);
        let mut args = [0; MAX_ARGS];
        for (i, a) in args.iter_mut().enumerate() {
            *a = self.slot_word(slot, slot::ARG0 + i as u32);
        }
        Some(Claimed {
            slot,
            opcode,
            handler: self.program.handler_index(opcode),
            tenant: self.slot_word(slot, slot::TENANT),
            ticket: self.slot_word(slot, slot::TICKET),
            priority: p as u32,
            args,
        })
    }

    /// Finishes `task` normally: its slot EMPTY at once, `EXECUTED`,
    /// `EXECUTED_BY_PRIORITY[priority]` and `executed_by_op[handler]` += 1,
    /// and one live task fewer on its ticket.
    pub fn complete(&mut self, task: &Claimed) {
        self.set_slot_word(task.slot, slot::STATUS, status::EMPTY);
        self.ticket_end(task.ticket);
        self.add_cw(ctrl::EXECUTED, 1);
        if (task.priority as usize) < PRIORITIES {
            self.add_cw(ctrl::EXECUTED_BY_PRIORITY + task.priority, 1);
        }
        if let Some(h) = task.handler {
            self.add_cw(self.layout.executed_by_op.wrapping_add(h as u32), 1);
        }
    }

    /// Finishes `task` with `fault`, run on lane `lane`: appends the fault
    /// record, sets status FAULT and `FAULTED += 1`, and one live task
    /// fewer on its ticket.
    pub fn fault(&mut self, task: &Claimed, fault: TaskFault, lane: u32) {
        // The place pass runs a task in the round its finalize counts.
        let round = self.cw(ctrl::ROUND) + u32::from(self.placing.is_some());
        self.record_fault([
            task.slot,
            task.opcode,
            fault.code,
            fault.detail,
            task.tenant,
            task.priority,
            round,
            lane,
            task.ticket,
        ]);
        self.set_slot_word(task.slot, slot::STATUS, status::FAULT);
        self.add_cw(ctrl::FAULTED, 1);
        self.ticket_end(task.ticket);
    }

    /// A task with ticket word `ticket` ended: its entry's `LIVE` -= 1, and
    /// the task that takes it to zero appends the entry's index to the
    /// ticket log (`n = TICKETS_ENDED++`, written when `n <` the log's
    /// room). Nothing for word 0.
    pub(crate) fn ticket_end(&mut self, ticket: u32) {
        if ticket == 0 {
            return;
        }
        let index = ticket & ticket::INDEX;
        let live = self.layout.tickets + index * ticket::ENTRY_WORDS + ticket::LIVE;
        if self.add_cw(live, u32::MAX) == 1 {
            let n = self.add_cw(ctrl::TICKETS_ENDED, 1);
            if n < ticket::ENTRIES {
                self.set_cw(self.layout.ticket_log + n, index);
            }
        }
    }

    /// A spawn of a task with ticket word `ticket` was refused:
    /// `SPAWN_OVERFLOW` += 1, and the entry's `REFUSED` += 1.
    fn spawn_refused(&mut self, ticket: u32) {
        self.add_cw(ctrl::SPAWN_OVERFLOW, 1);
        if ticket != 0 {
            let index = ticket & ticket::INDEX;
            self.add_cw(
                self.layout.tickets + index * ticket::ENTRY_WORDS + ticket::REFUSED,
                1,
            );
        }
    }

    /// Appends a fault record: `n = FAULT_COUNT++`, written at record
    /// `n % slots` of the log (a ring: every unread record holds a slot in
    /// FAULT, so none is written over).
    pub(crate) fn record_fault(&mut self, record: [u32; FAULT_RECORD_WORDS as usize]) {
        let n = self.add_cw(ctrl::FAULT_COUNT, 1) % self.slots().max(1);
        let base = self.layout.fault_log + n * FAULT_RECORD_WORDS;
        for (i, w) in record.into_iter().enumerate() {
            self.set_cw(base + i as u32, w);
        }
    }

    /// A device spawn of `opcode` with `args` (missing words are 0, words
    /// past 12 are ignored) for `tenant` at `priority`, by a task with
    /// ticket word `ticket` (the new task's own ticket word is `ticket`
    /// when that follows descendants, adding one to the entry's `LIVE`,
    /// else 0): takes free-list entry `k = FREE_NEXT[p]++` and, when `k <
    /// FREE_LEN[p]`, writes the task into that slot and marks it PENDING
    /// (`SPAWNED += 1`, `Ok(true)`). A used-up list — the partition has no
    /// EMPTY slot left — counts `SPAWN_OVERFLOW` and yields `Ok(false)`
    /// (without bumping `FREE_NEXT` once it has passed the length, as the
    /// GPU's first load sees). A priority above 4 is `Err(BAD_PRIORITY)`,
    /// for the caller to record.
    pub fn spawn(
        &mut self,
        priority: u32,
        opcode: u32,
        tenant: u32,
        ticket: u32,
        args: &[u32],
    ) -> Result<bool, TaskFault> {
        if priority as usize >= PRIORITIES {
            return Err(TaskFault::bad_priority(priority));
        }
        let free = self.cw(ctrl::FREE_LEN + priority);
        if self.cw(ctrl::FREE_NEXT + priority) >= free {
            self.spawn_refused(ticket);
            return Ok(false);
        }
        let k = self.add_cw(ctrl::FREE_NEXT + priority, 1);
        let (start, size) = self.partitions[priority as usize];
        let s = self.cw(self.layout.claim_list + start + size - 1 - k);
        let inherited = self.inherit_ticket(ticket);
        self.set_slot_word(s, slot::OPCODE, opcode);
        self.set_slot_word(s, slot::TENANT, tenant);
        self.set_slot_word(s, slot::TICKET, inherited);
        for i in 0..MAX_ARGS {
            let w = args.get(i).copied().unwrap_or(0);
            self.set_slot_word(s, slot::ARG0 + i as u32, w);
        }
        self.set_slot_word(s, slot::STATUS, status::PENDING);
        self.add_cw(ctrl::SPAWNED, 1);
        Ok(true)
    }

    /// A device→host request (`docs/protocol.md`, "Host requests"):
    /// `i = REQUEST_NEXT++`; past the slots, or a slot not FREE, it is
    /// refused (`REQUEST_REFUSED += 1`, and the ticket's `REFUSED`, as a
    /// refused spawn); otherwise the slot goes FREE → WRITING, gets the
    /// words, then WRITTEN, and the continuation counts as spawned (and,
    /// for a ticket that follows descendants, as one more live task).
    /// `words` are the request's argument words, then the continuation's
    /// given words.
    pub fn request(
        &mut self,
        head: RequestHead,
        tenant: u32,
        ticket: u32,
        words: &[u32],
    ) -> Result<bool, TaskFault> {
        if head.priority as usize >= PRIORITIES {
            return Err(TaskFault::bad_priority(head.priority));
        }
        let slots = self.program.request_slots();
        let i = self.add_cw(ctrl::REQUEST_NEXT, 1);
        let base = self.layout.requests + i.min(slots) * request::SLOT_WORDS;
        if i >= slots || self.cw(base + request::STATE) != request::FREE {
            self.add_cw(ctrl::REQUEST_REFUSED, 1);
            self.spawn_refused(ticket);
            return Ok(false);
        }
        self.set_cw(base + request::STATE, request::WRITING);
        let inherited = self.inherit_ticket(ticket);
        self.set_cw(base + request::KIND, head.kind);
        self.set_cw(base + request::TENANT, tenant);
        self.set_cw(base + request::TICKET, inherited);
        self.set_cw(base + request::PRIORITY, head.priority);
        self.set_cw(base + request::OPCODE, head.opcode);
        self.set_cw(base + request::WORDS, head.arg_words);
        for i in 0..2 * MAX_ARGS as u32 {
            let w = words.get(i as usize).copied().unwrap_or(0);
            self.set_cw(base + request::ARGS + i, w);
        }
        self.set_cw(base + request::STATE, request::WRITTEN);
        self.add_cw(ctrl::SPAWNED, 1);
        Ok(true)
    }

    /// A request served inside its task (the native backend): its
    /// continuation is born (`SPAWNED += 1`) and, for a ticket that follows
    /// descendants, counted live as a spawn is. Returns the continuation's
    /// ticket word.
    pub fn request_served(&mut self, ticket: u32) -> u32 {
        self.add_cw(ctrl::SPAWNED, 1);
        self.inherit_ticket(ticket)
    }

    /// The ticket word a new task (a spawn, or a request's continuation)
    /// of a task with ticket word `ticket` gets: the same word, counted one
    /// more live task, when the ticket follows descendants; 0 otherwise.
    fn inherit_ticket(&mut self, ticket: u32) -> u32 {
        if ticket & ticket::DESCENDANTS == 0 {
            return 0;
        }
        let index = ticket & ticket::INDEX;
        self.add_cw(
            self.layout.tickets + index * ticket::ENTRY_WORDS + ticket::LIVE,
            1,
        );
        ticket
    }

    /// A printf record `[format_id, args (0-padded to 6), lane]`:
    /// `n = PRINTF_COUNT++`, written when `n < printf_capacity`.
    pub fn printf(&mut self, format_id: u32, args: &[u32], lane: u32) {
        let n = self.add_cw(ctrl::PRINTF_COUNT, 1);
        if n < self.program.config().printf_capacity {
            let base = self.layout.printf_log + n * PRINTF_RECORD_WORDS;
            self.set_cw(base, format_id);
            for i in 0..PRINTF_MAX_ARGS {
                let w = args.get(i).copied().unwrap_or(0);
                self.set_cw(base + 1 + i as u32, w);
            }
            self.set_cw(base + 1 + PRINTF_MAX_ARGS as u32, lane);
        }
    }

    /// `ctx.shutdown()`: `SHUTDOWN = 1`.
    pub fn shutdown(&mut self) {
        self.set_cw(ctrl::SHUTDOWN, 1);
    }
}

/// What a request names besides its words: its kind, the continuation's
/// opcode and priority, and how many of the words are the request's own.
#[derive(Debug, Clone, Copy)]
pub struct RequestHead {
    /// The request kind.
    pub kind: u32,
    /// The continuation's priority.
    pub priority: u32,
    /// The continuation's opcode.
    pub opcode: u32,
    /// The request's argument words (the given words follow them).
    pub arg_words: u32,
}

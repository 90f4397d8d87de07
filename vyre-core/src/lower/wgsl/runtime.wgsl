//! The running task's private state and the runtime helpers every program
//! has (faults, loops, partitions, claims, spawn, printf, shutdown,
//! maintenance checks, argument access). Placeholder: PRINTF_ARG_STORES, a
//! block of one atomicStore per argument word (unrolled: see the comment
//! above it). The spawn itself is spawn.wgsl, once per argument count the
//! program spawns with.
// ---- the running task (set by vy_work around each handler call) ----

var<private> vy_fault: u32;         // first fault code of the task, 0 = none
var<private> vy_fault_detail: u32;  // its detail
var<private> vy_task_iters: u32;    // loop iterations of the task
var<private> vy_lane_iters: u32;    // loop iterations of the lane's finished tasks in this dispatch
var<private> vy_lane: u32;          // ctx.lane()
var<private> vy_slot: u32;          // ctx.slot()
var<private> vy_tenant: u32;        // ctx.tenant()
var<private> vy_priority: u32;      // ctx.priority()
var<private> vy_ticket: u32;        // the task's ticket word (0: none)
var<private> vy_spawned: u32;       // successful spawns of the lane, flushed at the end
var<private> vy_overflowed: u32;    // refused spawns of the lane, flushed at the end
var<private> vy_spawn_full: u32;    // bit p: partition p's free list was used up when this lane spawned
// Free-list positions the lane reserved and has not used yet (spawn.wgsl):
// positions next .. end of partition vy_spawn_part's list; and the
// reservations the running task has made in that partition.
var<private> vy_spawn_part: u32;
var<private> vy_spawn_next: u32;
var<private> vy_spawn_end: u32;
var<private> vy_spawn_runs: u32;
var<private> vy_task_refused: u32;  // refused spawns and requests of the running task
var<private> vy_task_children: u32; // tasks the running task made that its ticket follows
// FREE_LEN per partition, read at the start of the work pass by a program
// that spawns (vy_spawn_start): fixed during the pass.
var<private> vy_free_len0: u32;
var<private> vy_free_len1: u32;
var<private> vy_free_len2: u32;
var<private> vy_free_len3: u32;
var<private> vy_free_len4: u32;
var<private> vy_round_ahead: u32;   // 1 in the place pass: its tasks run in the round its finalize counts

// ---- runtime helpers ----

// Records a fault of the running task unless one is recorded already: the
// first fault is the one reported.
fn vy_fail(code: u32, detail: u32) {
    if (vy_fault == 0u) {
        vy_fault = code;
        vy_fault_detail = detail;
    }
}

// Counts one loop iteration of the task, just before a loop body runs.
// Returns true (after recording LOOP_LIMIT, detail = the limit) when the
// task has gone past the limit, or when it has faulted (statements after
// a fault run without effect and without a check of their own, so a
// loop is where a faulted task stops spending time); the caller then
// ends the handler. The
// lane's count is only read when the lane claims, so the work loop adds
// the task's iterations to it once, when the task ends (one counter per
// iteration instead of two).
fn vy_tick() -> bool {
    vy_task_iters += 1u;
    if (vy_task_iters > vy_LOOP_LIMIT) {
        vy_fail(vy_FAULT_LOOP_LIMIT, vy_LOOP_LIMIT);
        return true;
    }
    return vy_fault != 0u;
}

// Charges n loop iterations of the task at once, before a loop whose
// iterations are known at its start (a `for` over a range with no `break`
// and no loop inside it). True when they fit under the limit: the loop
// then runs without a vy_tick per iteration; false leaves the count alone
// and the loop ticks as any other, so that the task reaches LOOP_LIMIT
// at exactly the same iteration either way. The count never decreases
// and never wraps (n is at most what the limit leaves).
fn vy_charge(n: u32) -> bool {
    if (n <= vy_LOOP_LIMIT - vy_task_iters) {
        vy_task_iters += n;
        return true;
    }
    return false;
}

// Runs after every handler loop, with the loop's exit state; true when the
// handler ends. LOOP_DONE (the program left the loop) goes on; LOOP_RETURN
// (return, a fault or LOOP_LIMIT inside the loop) ends the handler. A state
// still LOOP_RUNNING means that nothing but the driver left the loop: some
// drivers cut loops (Mesa's lavapipe lets one invocation take about 65,535
// loop back-edges in all, then leaves each loop at its next back-edge as if
// it had ended). The task faults with LOOP_CUT (detail: its loop
// iterations) rather than go on with a half-finished loop. The state is
// set where the program leaves the loop and read at the loop's top, so it
// crosses the back-edge: a flag set next to a `break` would not be
// current after a cut (see lower/loops.rs).
fn vy_loop_end(state: u32) -> bool {
    if (state == vy_LOOP_RUNNING) {
        vy_fail(vy_FAULT_LOOP_CUT, vy_task_iters);
    }
    return state != vy_LOOP_DONE;
}

// The ring's sizes, read from the control block by every entry point that
// needs them (vy_load_sizes): the host may resize the ring between
// submissions, so they are not WGSL constants.
var<private> vy_slots: u32;
var<private> vy_start0: u32;
var<private> vy_start1: u32;
var<private> vy_start2: u32;
var<private> vy_start3: u32;
var<private> vy_start4: u32;
var<private> vy_size0: u32;
var<private> vy_size1: u32;
var<private> vy_size2: u32;
var<private> vy_size3: u32;
var<private> vy_size4: u32;
// The fault log and the lane state follow the claim lists, whose length
// is the ring's.
var<private> vy_fault_log: u32;
var<private> vy_lane_state: u32;

// Sets the sizes from the words of SLOTS, PART_START and PART_SIZE.
fn vy_set_sizes(w: array<u32, vy_RING_WORDS>) {
    vy_slots = w[0];
    vy_start0 = w[1];
    vy_start1 = w[2];
    vy_start2 = w[3];
    vy_start3 = w[4];
    vy_start4 = w[5];
    vy_size0 = w[6];
    vy_size1 = w[7];
    vy_size2 = w[8];
    vy_size3 = w[9];
    vy_size4 = w[10];
    vy_fault_log = vy_CLAIM_LIST + vy_slots;
    vy_lane_state = vy_fault_log + vy_slots * vy_FAULT_RECORD_WORDS;
}

// Reads SLOTS, PART_START and PART_SIZE (word by word: a loop here could
// be cut by the driver, see vy_loop_end).
fn vy_load_sizes() {
    var w: array<u32, vy_RING_WORDS>;
    w[0] = atomicLoad(&vy_ctrl[vy_CTRL_SLOTS]);
    w[1] = atomicLoad(&vy_ctrl[vy_CTRL_PART_START]);
    w[2] = atomicLoad(&vy_ctrl[vy_CTRL_PART_START + 1u]);
    w[3] = atomicLoad(&vy_ctrl[vy_CTRL_PART_START + 2u]);
    w[4] = atomicLoad(&vy_ctrl[vy_CTRL_PART_START + 3u]);
    w[5] = atomicLoad(&vy_ctrl[vy_CTRL_PART_START + 4u]);
    w[6] = atomicLoad(&vy_ctrl[vy_CTRL_PART_SIZE]);
    w[7] = atomicLoad(&vy_ctrl[vy_CTRL_PART_SIZE + 1u]);
    w[8] = atomicLoad(&vy_ctrl[vy_CTRL_PART_SIZE + 2u]);
    w[9] = atomicLoad(&vy_ctrl[vy_CTRL_PART_SIZE + 3u]);
    w[10] = atomicLoad(&vy_ctrl[vy_CTRL_PART_SIZE + 4u]);
    vy_set_sizes(w);
}

// First slot of partition p.
fn vy_part_start(p: u32) -> u32 {
    return select(select(select(select(vy_start0, vy_start1, p == 1u),
        vy_start2, p == 2u), vy_start3, p == 3u), vy_start4, p == 4u);
}

// Slots of partition p.
fn vy_part_size(p: u32) -> u32 {
    return select(select(select(select(vy_size0, vy_size1, p == 1u),
        vy_size2, p == 2u), vy_size3, p == 3u), vy_size4, p == 4u);
}

// The partition holding slot s (partitions are contiguous, CRITICAL first,
// none empty).
fn vy_partition_of(s: u32) -> u32 {
    return u32(s >= vy_start1) + u32(s >= vy_start2) + u32(s >= vy_start3)
        + u32(s >= vy_start4);
}

// Appends a fault record; it is written only while the log has room
// (outstanding faults never exceed the slots, so none is lost).
fn vy_record_fault(slot: u32, opcode: u32, code: u32, detail: u32, tenant: u32, priority: u32, lane: u32, ticket: u32) {
    // The log is a ring of one record per slot: every record not yet read
    // belongs to a slot still in FAULT (the host empties it after reading
    // the record), so a record never lands on an unread one, even while
    // the host reads the records of an earlier submission.
    let n = atomicAdd(&vy_ctrl[vy_CTRL_FAULT_COUNT], 1u) % max(vy_slots, 1u);
    let r = vy_fault_log + n * vy_FAULT_RECORD_WORDS;
    atomicStore(&vy_ctrl[r + vy_RECORD_SLOT], slot);
    atomicStore(&vy_ctrl[r + vy_RECORD_OPCODE], opcode);
    atomicStore(&vy_ctrl[r + vy_RECORD_CODE], code);
    atomicStore(&vy_ctrl[r + vy_RECORD_DETAIL], detail);
    atomicStore(&vy_ctrl[r + vy_RECORD_TENANT], tenant);
    atomicStore(&vy_ctrl[r + vy_RECORD_PRIORITY], priority);
    atomicStore(&vy_ctrl[r + vy_RECORD_ROUND], atomicLoad(&vy_ctrl[vy_CTRL_ROUND]) + vy_round_ahead);
    atomicStore(&vy_ctrl[r + vy_RECORD_LANE], lane);
    atomicStore(&vy_ctrl[r + vy_RECORD_TICKET], ticket);
}

// A task with ticket word `ticket` ended (finished or FAULT): one live task
// fewer; the task that ends the ticket's last one logs the entry's index
// for the host. (A ticket's entry cannot be reused before the host has
// read that record, so the log never holds more than the table.)
fn vy_ticket_end(ticket: u32) {
    if (ticket == 0u) {
        return;
    }
    let index = ticket & vy_TICKET_INDEX;
    let live = atomicSub(&vy_ctrl[vy_TICKETS + index * vy_TICKET_ENTRY_WORDS + vy_TICKET_LIVE], 1u);
    if (live == 1u) {
        let n = atomicAdd(&vy_ctrl[vy_CTRL_TICKETS_ENDED], 1u);
        if (n < vy_TICKET_ENTRIES) {
            atomicStore(&vy_ctrl[vy_TICKET_LOG + n], index);
        }
    }
}

// After the running task's handler (finished or faulted), before its
// ticket ends: its refused spawns join the lane's count and its ticket's,
// and the tasks it made that its ticket follows join the ticket's live
// count. Counted here once per task rather than at each spawn, so a spawn
// site stays small: a spawned task is claimable only after the next
// maintain pass, so it cannot end before this count is in place.
fn vy_task_settle(ticket: u32) {
    let entry = vy_TICKETS + (ticket & vy_TICKET_INDEX) * vy_TICKET_ENTRY_WORDS;
    if (vy_task_children != 0u) {
        atomicAdd(&vy_ctrl[entry + vy_TICKET_LIVE], vy_task_children);
    }
    if (vy_task_refused != 0u) {
        vy_overflowed += vy_task_refused;
        if (ticket != 0u) {
            atomicAdd(&vy_ctrl[entry + vy_TICKET_REFUSED], vy_task_refused);
        }
    }
}

// The ring word holding slot `slot`'s status. Statuses live apart from the
// slots' other words, one word a slot after all of them (the status
// plane, docs/protocol.md "Slots"; a slot's own first word is unused
// on the GPU): the maintain pass reads and writes every slot's status every
// round, and a status 4 bytes from its neighbour's costs a fraction of
// the memory traffic of one in every 64-byte slot.
fn vy_status_word(slot: u32) -> u32 {
    return vy_slots * vy_SLOT_WORDS + slot;
}

// Whether the listed slot `slot` is PUBLISHED: the
// claim of the lane that holds its ticket. No compare-exchange: a ticket
// goes to one lane only (tickets are handed out by an atomic add on the
// claim list, and maintain lists a slot once), and nothing else writes a
// PUBLISHED slot during a work pass, so the lane owns the slot until it
// stores EMPTY or FAULT. No other invocation can observe the slot in
// between, so the CLAIMED status is not stored either. The check only
// skips a ticket a corrupted list could hold.
fn vy_claimable(slot: u32) -> bool {
    return atomicLoad(&vy_ring[vy_status_word(slot)]) == vy_STATUS_PUBLISHED;
}

// The start of a work pass of a program that spawns: the lane holds no
// reserved free-list positions (no partition is vy_spawn_part, and the
// other three words are read only after a reservation there set them;
// run_claimed.wgsl resets vy_spawn_runs per task), and reads FREE_LEN of
// every partition: the words do not change during the pass, so a spawn
// compares against a private copy instead of loading one of the pass's
// hottest cache lines.
fn vy_spawn_start() {
    vy_spawn_part = vy_PRIORITIES;
    vy_free_len0 = atomicLoad(&vy_ctrl[vy_CTRL_FREE_LEN]);
    vy_free_len1 = atomicLoad(&vy_ctrl[vy_CTRL_FREE_LEN + 1u]);
    vy_free_len2 = atomicLoad(&vy_ctrl[vy_CTRL_FREE_LEN + 2u]);
    vy_free_len3 = atomicLoad(&vy_ctrl[vy_CTRL_FREE_LEN + 3u]);
    vy_free_len4 = atomicLoad(&vy_ctrl[vy_CTRL_FREE_LEN + 4u]);
}

// FREE_LEN of partition p (vy_spawn_start).
fn vy_free_len(p: u32) -> u32 {
    return select(select(select(select(vy_free_len0, vy_free_len1, p == 1u),
        vy_free_len2, p == 2u), vy_free_len3, p == 3u), vy_free_len4, p == 4u);
}

// printf!: appends a record [format id, args.., lane] while the log has
// room; the count goes on, so the host knows how many were dropped.
fn vy_printf(format: u32, args: array<u32, vy_PRINTF_MAX_ARGS>) {
    if (vy_fault != 0u) {
        return;
    }
    let n = atomicAdd(&vy_ctrl[vy_CTRL_PRINTF_COUNT], 1u);
    if (n >= vy_PRINTF_CAPACITY) {
        return;
    }
    let r = vy_PRINTF_LOG + n * vy_PRINTF_RECORD_WORDS;
    atomicStore(&vy_ctrl[r], format);
    vy_write_printf_args(r + vy_PRINTF_ARG0, args);
    atomicStore(&vy_ctrl[r + vy_PRINTF_LANE], vy_lane);
}

// ctx.shutdown(): lanes stop claiming, the host stops.
fn vy_shutdown() {
    if (vy_fault == 0u) {
        atomicStore(&vy_ctrl[vy_CTRL_SHUTDOWN], 1u);
    }
}

// maintain: whether the PUBLISHED slot s (partition p) goes into the
// claim list; `opcode`, `tenant` and `ticket` are the slot's (read from
// the inbox entry when the slot is being filled from one, whose copy
// other invocations may still be writing). A tenant
// outside the table faults the slot (BAD_TENANT, lane vy_NO_LANE); a
// disabled tenant's slot is parked.
fn vy_admit(s: u32, opcode: u32, tenant: u32, ticket: u32, p: u32) -> bool {
    if (tenant >= vy_TENANTS) {
        vy_record_fault(s, opcode, vy_FAULT_BAD_TENANT, tenant, tenant, p, vy_NO_LANE, ticket);
        atomicStore(&vy_ring[vy_status_word(s)], vy_STATUS_FAULT);
        atomicAdd(&vy_ctrl[vy_CTRL_FAULTED], 1u);
        vy_ticket_end(ticket);
        return false;
    }
    if (!vy_tenant_enabled(tenant)) {
        atomicAdd(&vy_ctrl[vy_CTRL_PARKED + p], 1u);
        return false;
    }
    return true;
}

// Argument word i of the slot whose first word is `base`.
fn vy_arg(base: u32, i: u32) -> u32 {
    return atomicLoad(&vy_ring[base + vy_SLOT_ARG0 + i]);
}

// Argument word i of the inbox entry whose first word is `base` (the place
// pass runs tasks straight from their entries).
fn vy_entry_arg(base: u32, i: u32) -> u32 {
    return vy_inbox[base + vy_ENTRY_ARG0 + i];
}

// Writes a printf record's arguments, word by word. Unrolled: a loop here could be cut by the
// driver (see vy_loop_end) after some of the words, silently.
fn vy_write_printf_args(at: u32, args: array<u32, vy_PRINTF_MAX_ARGS>) {
    {{PRINTF_ARG_STORES}}
}


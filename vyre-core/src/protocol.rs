//! The ring and control-buffer protocol shared by the WGSL program, the CPU
//! backends and the host. Every word offset lives here; `docs/protocol.md`
//! describes the same map in prose. Const assertions keep the map
//! consistent.

/// Words per ring slot: `[status, opcode, tenant, ticket, arg0 .. arg11]`.
pub const SLOT_WORDS: u32 = 16;

/// Words of a ring of `slots` slots as the GPU stores it: the slots'
/// [`SLOT_WORDS`] words each, then the *status plane*, one word a slot
/// ([`status_word`]; a slot's own [`slot::STATUS`] word is unused there).
/// The maintain pass reads and writes every slot's status every round, and
/// statuses side by side cost it a sixteenth of the memory traffic of one
/// in each 64-byte slot. The host and the CPU backends address the ring as
/// slots of `SLOT_WORDS` words, status first; the GPU engine maps a
/// slot's status word to the plane when the host reads or writes the ring.
pub const fn ring_storage_words(slots: u64) -> u64 {
    slots * (SLOT_WORDS as u64 + 1)
}

/// The word holding slot `slot`'s status in a GPU ring of `slots` slots
/// ([`ring_storage_words`]).
pub const fn status_word(slots: u64, slot: u64) -> u64 {
    slots * SLOT_WORDS as u64 + slot
}
pub use vyre_lang::limits::{MAX_ARGS, PRINTF_MAX_ARGS, RESERVED_ID_START};
pub use vyre_lang::{Priority, PRIORITIES};

/// Word offsets inside one slot.
pub mod slot {
    /// Slot status, one of [`status`](super::status).
    pub const STATUS: u32 = 0;
    /// The opcode id of the task.
    pub const OPCODE: u32 = 1;
    /// The tenant of the task.
    pub const TENANT: u32 = 2;
    /// The task's ticket word ([`ticket`](super::ticket)): 0 for a task
    /// no ticket follows. (A task's priority is its partition's.)
    pub const TICKET: u32 = 3;
    /// First argument word; argument `i` is at `ARG0 + i`.
    pub const ARG0: u32 = 4;
}

/// Word offsets inside one inbox entry. Entries are compact: a program's
/// entries have [`ENTRY_HEADER_WORDS`] words and then as many argument
/// words as its widest handler takes ([`entry_words`]).
pub mod entry {
    /// The opcode id of the task.
    pub const OPCODE: u32 = 0;
    /// The tenant of the task.
    pub const TENANT: u32 = 1;
    /// The task's ticket word (0: none).
    pub const TICKET: u32 = 2;
    /// First argument word; argument `i` is at `ARG0 + i`.
    pub const ARG0: u32 = 3;
}

/// Words of an inbox entry before its arguments.
pub const ENTRY_HEADER_WORDS: u32 = entry::ARG0;

/// Words of one inbox entry of a program whose widest handler takes
/// `max_args` arguments (at most [`MAX_ARGS`] count).
pub const fn entry_words(max_args: usize) -> u32 {
    let args = if max_args < MAX_ARGS {
        max_args
    } else {
        MAX_ARGS
    };
    ENTRY_HEADER_WORDS + args as u32
}

/// A range descriptor of the expand pass (`publish_range`): the device
/// writes `COUNT` inbox entries of partition `PARTITION` from inbox
/// position `POSITION` on, entry `i` being `[OPCODE, TENANT, TICKET,
/// FIRST + i, REST..]`.
pub mod range {
    /// The partition whose inbox receives the entries.
    pub const PARTITION: u32 = 0;
    /// The inbox position (a `u32` entry counter, like `INBOX_TAIL`) of
    /// the first entry.
    pub const POSITION: u32 = 1;
    /// How many entries.
    pub const COUNT: u32 = 2;
    /// The opcode id of every entry.
    pub const OPCODE: u32 = 3;
    /// The tenant of every entry.
    pub const TENANT: u32 = 4;
    /// The first argument of entry 0; entry `i` has `FIRST + i`.
    pub const FIRST: u32 = 5;
    /// The other arguments (1 ..), the same for every entry.
    pub const REST: u32 = 6;
    /// 0 for a range. For a batch (`publish_batch`, `publish_with`: the
    /// host uploads only the argument words), the words each entry takes
    /// from the batch area: entry `i`'s arguments are the `SOURCE_WORDS`
    /// words of `vy_inbox` from word `FIRST + i × SOURCE_WORDS` (the
    /// others zero), and `REST` is unused.
    pub const SOURCE_WORDS: u32 = REST + crate::protocol::MAX_ARGS as u32 - 1;
    /// The ticket word of every entry.
    pub const TICKET: u32 = SOURCE_WORDS + 1;
}

/// The control words `INBOX_BASE[P]` then `INBOX_MASK[P]` (contiguous) for
/// inboxes of `capacities` entries (powers of two), laid out one after the
/// other in partition order.
pub fn inbox_words(capacities: &[u32; PRIORITIES]) -> [u32; 2 * PRIORITIES] {
    let mut words = [0; 2 * PRIORITIES];
    let mut base = 0u32;
    for (p, &cap) in capacities.iter().enumerate() {
        words[p] = base;
        words[PRIORITIES + p] = cap.wrapping_sub(1);
        base = base.wrapping_add(cap);
    }
    words
}

/// The partitions `(first slot, slots)` of a ring whose partitions have
/// `sizes` slots, laid out one after the other from slot 0, CRITICAL first.
pub fn partitions(sizes: [u32; PRIORITIES]) -> [(u32, u32); PRIORITIES] {
    let mut out = [(0, 0); PRIORITIES];
    let mut start = 0u32;
    for (p, size) in sizes.into_iter().enumerate() {
        out[p] = (start, size);
        start = start.wrapping_add(size);
    }
    out
}

/// The partition (= priority index) of `partitions` that holds `slot`,
/// or `None` for a slot outside the ring.
pub fn partition_of(partitions: &[(u32, u32); PRIORITIES], slot: u32) -> Option<usize> {
    partitions
        .iter()
        .position(|&(start, size)| slot >= start && slot - start < size)
}

/// How many control words describe the ring's size: `SLOTS`,
/// `PART_START[P]` and `PART_SIZE[P]`, contiguous from `ctrl::SLOTS`.
pub const RING_WORDS: usize = 1 + 2 * PRIORITIES;

/// The control words `SLOTS`, `PART_START[P]`, `PART_SIZE[P]`
/// (contiguous) of a ring split into `partitions` (`(start, size)` each).
pub fn ring_words(partitions: &[(u32, u32); PRIORITIES]) -> [u32; RING_WORDS] {
    let mut words = [0u32; RING_WORDS];
    for (p, &(start, size)) in partitions.iter().enumerate() {
        words[0] = words[0].wrapping_add(size);
        words[1 + p] = start;
        words[1 + PRIORITIES + p] = size;
    }
    words
}

/// Words of one range descriptor: its header, `MAX_ARGS - 1` rest words,
/// the source words and the ticket.
pub const RANGE_WORDS: u32 = range::TICKET + 1;
/// Range descriptors one expand dispatch reads at most.
pub const RANGE_SLOTS: u32 = 8;

/// The indirect dispatch arguments the prepare and finalize passes write
/// (binding `vy_indirect`, group 1): the live `(x, y, z)` of the next work
/// and maintain dispatches, then the full grids the host chose, which
/// finalize copies into the live words while the ring has work and
/// replaces with `(0, 1, 1)` once it is idle; last, the place pass's grid,
/// which a submission's first prepare writes (`ctrl::START`).
pub mod indirect {
    /// Live work dispatch `(x, y, z)`.
    pub const WORK: u32 = 0;
    /// Live maintain dispatch `(x, y, z)`.
    pub const MAINTAIN: u32 = 3;
    /// The full work grid.
    pub const FULL_WORK: u32 = 6;
    /// The full maintain grid.
    pub const FULL_MAINTAIN: u32 = 9;
    /// The place pass `(x, y, z)`: `(0, 1, 1)` unless the submission
    /// starts by placing and running (`ctrl::START`).
    pub const PLACE: u32 = 12;
    /// Words of the buffer.
    pub const WORDS: u32 = 15;
}

/// How a submission starts (`ctrl::START`).
///
/// Both have the top bit set; the first prepare replaces the word with 1
/// in a submission that places and runs (later prepares may place again
/// while the submission has faulted and parked nothing) and 0 otherwise.
pub mod start {
    /// The bit every start mode has.
    pub const MODE: u32 = 0x8000_0000;
    /// The first maintain pass places the inbox entries, the work pass
    /// runs them (every submission but the one below).
    pub const MAINTAIN: u32 = MODE;
    /// The ring is empty (every slot EMPTY) and the program's handlers
    /// neither spawn, request nor read their lane: the place pass puts
    /// each partition's first inbox entries into its first slots and runs
    /// them at once, instead of the first maintain pass and the first work
    /// pass, and again in later rounds while every slot stays EMPTY.
    pub const PLACE_AND_RUN: u32 = MODE | 1;
}

/// Slot status values. EMPTY → (PENDING →) PUBLISHED → CLAIMED → EMPTY;
/// FAULT stays until the host has read the fault record. (4 is unused: a
/// task that finishes empties its slot at once.)
pub mod status {
    /// Free.
    pub const EMPTY: u32 = 0;
    /// Spawned this round (the spawn took the slot off its partition's
    /// free list, so no other writer can reach it); becomes PUBLISHED in
    /// the maintenance pass.
    pub const PENDING: u32 = 1;
    /// Claimable (when its tenant is enabled).
    pub const PUBLISHED: u32 = 2;
    /// Claimed by a lane, running.
    pub const CLAIMED: u32 = 3;
    /// Faulted; recycled by the host once it has read the fault record.
    pub const FAULT: u32 = 5;
}

/// Fault codes of fault records.
pub mod fault {
    /// A buffer index out of bounds; detail = the index.
    pub const OUT_OF_BOUNDS: u32 = 1;
    /// Integer division or remainder by zero.
    pub const DIVIDE_BY_ZERO: u32 = 2;
    /// A loop exceeded the per-slot iteration limit; detail = the limit.
    pub const LOOP_LIMIT: u32 = 3;
    /// The slot's opcode is not in the program; detail = the opcode id.
    pub const UNKNOWN_OPCODE: u32 = 4;
    /// The slot's tenant is outside the tenant table; detail = the tenant.
    pub const BAD_TENANT: u32 = 5;
    /// `ctx.fault(code)`; detail = the user's code.
    pub const USER: u32 = 6;
    /// A spawn with a priority above 4; detail = the priority.
    pub const BAD_PRIORITY: u32 = 7;
    /// The driver ended one of the task's loops (or the probe of one of its
    /// spawns) before the program left it; detail = the task's loop
    /// iterations when this was found. Only the wgpu backend records it:
    /// some software drivers (Mesa's lavapipe) silently stop a shader's
    /// loops after a fixed number of iterations, and the generated WGSL
    /// faults the task rather than let it go on with wrong state. The CPU
    /// backends never cut a loop.
    pub const LOOP_CUT: u32 = 8;
    /// The host could not serve the device→host request whose
    /// continuation the task was (recorded by the host, never by the
    /// device; `report::RequestProblem` says why).
    pub const REQUEST: u32 = 9;
}

/// Device→host requests (`docs/protocol.md`, "Host requests"): the words
/// of one request slot and the states of its `STATE` word.
pub mod request {
    use super::MAX_ARGS;

    /// Who owns the slot: [`FREE`], [`WRITING`] or [`WRITTEN`].
    pub const STATE: u32 = 0;
    /// The request kind.
    pub const KIND: u32 = 1;
    /// The requester's tenant.
    pub const TENANT: u32 = 2;
    /// The requester's ticket word (passed on as a spawn passes it).
    pub const TICKET: u32 = 3;
    /// The continuation's priority.
    pub const PRIORITY: u32 = 4;
    /// The continuation's opcode.
    pub const OPCODE: u32 = 5;
    /// The request's argument words, which come first in `ARGS`; the
    /// continuation's given words follow up to the end of the words the
    /// request kind and the continuation declare.
    pub const WORDS: u32 = 6;
    /// First argument word.
    pub const ARGS: u32 = 7;
    /// Words of one slot: the header and room for a request's and a
    /// continuation's arguments.
    pub const SLOT_WORDS: u32 = ARGS + 2 * MAX_ARGS as u32;
    /// The device may claim it (compare-exchange to [`WRITING`]).
    pub const FREE: u32 = 0;
    /// One lane owns it and is writing it.
    pub const WRITING: u32 = 1;
    /// Written by the device; the host owns it until it writes [`FREE`].
    pub const WRITTEN: u32 = 2;
}

/// Words of one fault record in the fault log.
pub const FAULT_RECORD_WORDS: u32 = 9;
/// Word offsets inside a fault record.
pub mod fault_record {
    /// The slot that faulted.
    pub const SLOT: u32 = 0;
    /// Its opcode id.
    pub const OPCODE: u32 = 1;
    /// The fault code ([`fault`](super::fault)).
    pub const CODE: u32 = 2;
    /// Code-specific detail.
    pub const DETAIL: u32 = 3;
    /// The task's tenant.
    pub const TENANT: u32 = 4;
    /// The task's priority.
    pub const PRIORITY: u32 = 5;
    /// The round (value of the ROUND counter) in which it faulted.
    pub const ROUND: u32 = 6;
    /// The lane that ran it (`u32::MAX` when the maintenance pass faulted it).
    pub const LANE: u32 = 7;
    /// The task's ticket word.
    pub const TICKET: u32 = 8;
}

/// Tickets (`docs/protocol.md`, "Tickets"): a task's ticket word names
/// an entry of the control block's ticket table, which counts the
/// ticket's live tasks. The host sets an entry when it publishes the
/// ticket's tasks (`LIVE` = their number); every task with the ticket
/// takes one off `LIVE` when it ends (finished or FAULT), and the one that
/// takes it to zero appends the entry's index to the ticket log. A
/// ticket that follows its descendants ([`DESCENDANTS`](ticket::DESCENDANTS))
/// passes its word on to the tasks its tasks spawn, each adding one to
/// `LIVE` first; other spawned tasks have ticket word 0. A refused spawn
/// of a task with a ticket adds one to the entry's `REFUSED`.
pub mod ticket {
    /// Entries of the ticket table; entry 0 is never used (word 0 is "no
    /// ticket").
    pub const ENTRIES: u32 = 1 << 16;
    /// The bits of a ticket word that hold the entry's index.
    pub const INDEX: u32 = ENTRIES - 1;
    /// The bit of a ticket word that passes it on to spawned tasks.
    pub const DESCENDANTS: u32 = 1 << 31;
    /// Word of an entry: the ticket's tasks not yet ended.
    pub const LIVE: u32 = 0;
    /// Word of an entry: spawns of the ticket's tasks the ring refused.
    pub const REFUSED: u32 = 1;
    /// Words of one entry.
    pub const ENTRY_WORDS: u32 = 2;
    /// Words at the head of the ticket log that every submission reads
    /// back with its summary: a submission that ended at most this many
    /// tickets needs no second read (a round trip to the device each).
    pub const LOG_HEAD: u32 = 64;

    /// The words of the ticket log a submission returns when the host
    /// asks for `asked` (`Engine::set_ticket_log_words`): at least
    /// [`LOG_HEAD`], at most the log.
    pub const fn log_words(asked: u32) -> u32 {
        if asked < LOG_HEAD {
            LOG_HEAD
        } else if asked > ENTRIES {
            ENTRIES
        } else {
            asked
        }
    }
}

/// Words of one printf record: `[format id, arg0 .. arg5, lane]`.
pub const PRINTF_RECORD_WORDS: u32 = 8;

/// Fixed words at the start of the control buffer.
pub mod ctrl {
    use super::PRIORITIES;
    const P: u32 = PRIORITIES as u32;

    /// Set to 1 by `ctx.shutdown()`; lanes stop claiming, the host stops.
    pub const SHUTDOWN: u32 = 0;
    /// Rounds completed (incremented by the finalize pass).
    pub const ROUND: u32 = 1;
    /// Fault records written since the host last zeroed it (which it does
    /// only with no submission in flight, after reading records); record
    /// `n` is at `n % slots` of the fault log, a ring.
    pub const FAULT_COUNT: u32 = 2;
    /// Printf records requested this submission (those past the log's
    /// capacity were dropped); the first prepare pass zeroes it.
    pub const PRINTF_COUNT: u32 = 3;
    /// Successful device spawns this submission; the first prepare pass
    /// zeroes it.
    pub const SPAWNED: u32 = 4;
    /// Device spawns refused because the target partition was full.
    pub const SPAWN_OVERFLOW: u32 = 5;
    /// Inbox entries placed into slots this submission; the first prepare
    /// pass zeroes it.
    pub const PLACED: u32 = 6;
    /// Tasks executed to completion this submission; the first prepare
    /// pass zeroes it.
    pub const EXECUTED: u32 = 7;
    /// Per partition: tasks in this round's claim list.
    pub const LIST_LEN: u32 = 8;
    /// Per partition: next claim ticket of this round.
    pub const LIST_NEXT: u32 = LIST_LEN + P;
    /// Per partition: inbox tickets taken by the maintenance pass.
    pub const INBOX_TAKE: u32 = LIST_NEXT + P;
    /// Per partition: inbox entries consumed (device-owned).
    pub const INBOX_HEAD: u32 = INBOX_TAKE + P;
    /// Per partition: inbox entries written (host-owned).
    pub const INBOX_TAIL: u32 = INBOX_HEAD + P;
    /// Per partition: free-list entries taken by this work pass's spawns
    /// (may pass `FREE_LEN`: the spawns past it were refused).
    pub const FREE_NEXT: u32 = INBOX_TAIL + P;
    /// Per priority: tasks executed this submission; the first prepare
    /// pass zeroes them.
    pub const EXECUTED_BY_PRIORITY: u32 = FREE_NEXT + P;
    /// Per partition: PUBLISHED slots of disabled tenants (parked), as
    /// counted by the last maintenance pass.
    pub const PARKED: u32 = EXECUTED_BY_PRIORITY + P;
    /// Faulted tasks this submission (records may be fewer only if the log
    /// overflowed, which its sizing prevents); the first prepare pass
    /// zeroes it.
    pub const FAULTED: u32 = PARKED + P;
    /// Per partition: the length of this pass's free list, the EMPTY
    /// slots the maintenance pass left (cleared by the prepare pass). They
    /// are listed from the end of the partition's claim-list span
    /// backwards: listed and free slots of a partition never outnumber
    /// its slots, so the two lists share the span without overlapping.
    pub const FREE_LEN: u32 = FAULTED + 1;
    /// Per partition: the first entry of the partition's inbox in
    /// `vy_inbox` (host-owned).
    pub const INBOX_BASE: u32 = FREE_LEN + P;
    /// Per partition: inbox capacity − 1 (capacities are powers of two;
    /// host-owned).
    pub const INBOX_MASK: u32 = INBOX_BASE + P;
    /// 1 once a finalize pass found nothing listed and every inbox empty:
    /// the ring cannot change until the host writes, so the submission's
    /// remaining passes skip their work (the host clears it before each
    /// submission).
    pub const IDLE: u32 = INBOX_MASK + P;
    /// How the submission starts (host-written with `IDLE`, one of
    /// [`start`](super::start)); the first prepare pass reads it, sizes the
    /// first maintain and place dispatches by it, and leaves 1 in its place
    /// when later rounds may place and run, 0 otherwise.
    pub const START: u32 = IDLE + 1;
    /// Range descriptors the next expand dispatch reads.
    pub const RANGE_COUNT: u32 = START + 1;
    /// Ring slots in use (host-owned; the ring may change size between
    /// submissions, so the passes read it instead of a WGSL constant).
    pub const SLOTS: u32 = RANGE_COUNT + 1;
    /// Per partition: its first slot (host-owned).
    pub const PART_START: u32 = SLOTS + 1;
    /// Per partition: its slots (host-owned).
    pub const PART_SIZE: u32 = PART_START + P;
    /// Ticket log records written this submission; the first prepare pass
    /// zeroes it.
    pub const TICKETS_ENDED: u32 = PART_SIZE + P;
    /// Request slots handed out this submission (may pass the slots: the
    /// requests past them were refused); the host serves the first ones
    /// and writes it back to zero.
    pub const REQUEST_NEXT: u32 = TICKETS_ENDED + 1;
    /// Requests refused since the host last cleared it (no request slot).
    pub const REQUEST_REFUSED: u32 = REQUEST_NEXT + 1;
    /// Number of fixed words; the variable tables follow.
    pub const FIXED_WORDS: u32 = REQUEST_REFUSED + 1;

    /// The fixed counters a summary reports that the first prepare pass of
    /// every submission zeroes (with `executed_by_op`; the WGSL's stores
    /// and the CPU engines' are generated from this list), so that each
    /// summary holds its own submission's counts. `FAULT_COUNT` is not
    /// among them: the host zeroes it between submissions once it has read
    /// fault records (a second submission in flight appends after the
    /// first's records).
    pub const SUBMISSION_COUNTERS: [u32; 7 + P as usize] = [
        PRINTF_COUNT,
        SPAWNED,
        SPAWN_OVERFLOW,
        PLACED,
        EXECUTED,
        FAULTED,
        TICKETS_ENDED,
        EXECUTED_BY_PRIORITY,
        EXECUTED_BY_PRIORITY + 1,
        EXECUTED_BY_PRIORITY + 2,
        EXECUTED_BY_PRIORITY + 3,
        EXECUTED_BY_PRIORITY + 4,
    ];
}

/// Where each variable-size table sits in the control buffer of one
/// program instance, in words. Tables follow the fixed words in this
/// order: those whose size the program fixes first, then the two that grow
/// with the ring (claim lists, fault log), so that resizing the ring moves
/// no offset the WGSL names (the passes compute the fault log's and the
/// lane state's from `SLOTS`); the lane state comes last so that its size
/// (the number of lanes, chosen when the program is instantiated) moves no
/// other offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ControlLayout {
    /// Per handler (program order): tasks executed.
    pub executed_by_op: u32,
    /// Per tenant: 1 when enabled.
    pub tenant_enabled: u32,
    /// The ticket table: [`ticket::ENTRIES`] entries of
    /// [`ticket::ENTRY_WORDS`].
    pub tickets: u32,
    /// The ticket log: the indices of entries whose `LIVE` reached zero,
    /// room for [`ticket::ENTRIES`].
    pub ticket_log: u32,
    /// Request slots: `request_slots` of [`request::SLOT_WORDS`].
    pub requests: u32,
    /// Claim lists: one word per slot, partition `p`'s list at the
    /// partition's own slot range.
    pub claim_list: u32,
    /// Fault log: `slots` records of [`FAULT_RECORD_WORDS`].
    pub fault_log: u32,
    /// Printf log: `printf_capacity` records of [`PRINTF_RECORD_WORDS`].
    pub printf_log: u32,
    /// Range descriptors: [`RANGE_SLOTS`] of [`RANGE_WORDS`].
    pub ranges: u32,
    /// Per lane: the lane's claim streak (anti-starvation state).
    pub lane_state: u32,
}

impl ControlLayout {
    /// The layout for `handlers` opcodes, `tenants` tenants, `slots` ring
    /// slots, room for `printf_capacity` printf records and
    /// `request_slots` requests.
    pub const fn new(
        handlers: u32,
        tenants: u32,
        slots: u32,
        printf_capacity: u32,
        request_slots: u32,
    ) -> Self {
        let executed_by_op = ctrl::FIXED_WORDS;
        let tenant_enabled = executed_by_op + handlers;
        let printf_log = tenant_enabled + tenants;
        let ranges = printf_log + printf_capacity * PRINTF_RECORD_WORDS;
        let tickets = ranges + RANGE_SLOTS * RANGE_WORDS;
        let ticket_log = tickets + ticket::ENTRIES * ticket::ENTRY_WORDS;
        let requests = ticket_log + ticket::ENTRIES;
        let claim_list = requests + request_slots * request::SLOT_WORDS;
        let fault_log = claim_list + slots;
        let lane_state = fault_log + slots * FAULT_RECORD_WORDS;
        ControlLayout {
            executed_by_op,
            tenant_enabled,
            tickets,
            ticket_log,
            requests,
            claim_list,
            fault_log,
            printf_log,
            ranges,
            lane_state,
        }
    }

    /// The same layout for a ring of `slots` slots: only the fault log's
    /// and the lane state's offsets move.
    pub const fn with_slots(self, slots: u32) -> Self {
        let fault_log = self.claim_list + slots;
        ControlLayout {
            fault_log,
            lane_state: fault_log + slots * FAULT_RECORD_WORDS,
            ..self
        }
    }

    /// Total control words for `lanes` lanes.
    pub const fn total_words(&self, lanes: u32) -> u32 {
        self.lane_state + lanes
    }

    /// Words the host reads back after each submission: the fixed words
    /// and the per-opcode counters.
    pub const fn summary_words(&self) -> u32 {
        self.tenant_enabled
    }
}

const _: () = {
    assert!(slot::ARG0 as usize + MAX_ARGS == SLOT_WORDS as usize);
    assert!(PRINTF_MAX_ARGS + 2 == PRINTF_RECORD_WORDS as usize);
    assert!(fault_record::LANE < FAULT_RECORD_WORDS);
    assert!(ctrl::REQUEST_REFUSED + 1 == ctrl::FIXED_WORDS);
    assert!(ctrl::INBOX_MASK == ctrl::INBOX_BASE + PRIORITIES as u32);
    assert!(ctrl::PART_START == ctrl::SLOTS + 1 && ctrl::PART_SIZE == ctrl::PART_START + 5);
    // An entry is a slot without its status word, in the same order.
    assert!(entry_words(MAX_ARGS) + 1 == SLOT_WORDS);
    assert!(entry::OPCODE + 1 == slot::OPCODE && entry::TENANT + 1 == slot::TENANT);
    assert!(entry::TICKET + 1 == slot::TICKET && entry::ARG0 + 1 == slot::ARG0);
    assert!(ticket::ENTRIES.is_power_of_two() && ticket::INDEX & ticket::DESCENDANTS == 0);
    assert!(ctrl::LIST_LEN > ctrl::EXECUTED);
    assert!(status::FAULT > status::CLAIMED && status::EMPTY == 0);
    assert!(ticket::log_words(0) == ticket::LOG_HEAD && ticket::log_words(1000) == 1000);
    assert!(ticket::log_words(u32::MAX) == ticket::ENTRIES);
    // Zeroed memory is a valid empty ring and a valid idle control block.
    assert!(status::EMPTY == 0);
    // The host writes IDLE and START in one write; a count of tasks (at
    // most a ring's slots) never looks like a start mode.
    assert!(ctrl::START == ctrl::IDLE + 1);
    assert!(start::MAINTAIN & start::MODE != 0 && start::PLACE_AND_RUN & start::MODE != 0);
    assert!(start::MAINTAIN != start::PLACE_AND_RUN);
};

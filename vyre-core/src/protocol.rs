//! The ring and control-buffer protocol shared by the WGSL program, the CPU
//! backends and the host. Every word offset lives here; `docs/protocol.md`
//! describes the same map in prose. Const assertions keep the map
//! consistent.

/// Words per ring slot: `[status, opcode, tenant, priority, arg0 .. arg11]`.
pub const SLOT_WORDS: u32 = 16;
pub use vyre_lang::limits::{MAX_ARGS, PRINTF_MAX_ARGS, RESERVED_ID_START};
pub use vyre_lang::{Priority, PRIORITIES};

/// Word offsets inside one slot (and one inbox entry, which has the same
/// layout).
pub mod slot {
    /// Slot status, one of [`status`](super::status).
    pub const STATUS: u32 = 0;
    /// The opcode id of the task.
    pub const OPCODE: u32 = 1;
    /// The tenant of the task.
    pub const TENANT: u32 = 2;
    /// The priority of the task (0 = CRITICAL .. 4 = IDLE).
    pub const PRIORITY: u32 = 3;
    /// First argument word; argument `i` is at `ARG0 + i`.
    pub const ARG0: u32 = 4;
}

/// Slot status values. EMPTY → (RESERVED → PENDING →) PUBLISHED → CLAIMED →
/// DONE → EMPTY; FAULT stays until the host has read the fault record.
pub mod status {
    /// Free.
    pub const EMPTY: u32 = 0;
    /// Taken by a device spawn that is writing the slot's words.
    pub const RESERVED: u32 = 1;
    /// Spawned this round; becomes PUBLISHED in the maintenance pass.
    pub const PENDING: u32 = 2;
    /// Claimable (when its tenant is enabled).
    pub const PUBLISHED: u32 = 3;
    /// Claimed by a lane, running.
    pub const CLAIMED: u32 = 4;
    /// Finished; recycled to EMPTY by the maintenance pass.
    pub const DONE: u32 = 5;
    /// Faulted; recycled by the host once it has read the fault record.
    pub const FAULT: u32 = 6;
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
}

/// Words of one fault record in the fault log.
pub const FAULT_RECORD_WORDS: u32 = 8;
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
    /// Fault records written since the host last cleared it.
    pub const FAULT_COUNT: u32 = 2;
    /// Printf records requested since the host last cleared it (those past
    /// the log's capacity were dropped).
    pub const PRINTF_COUNT: u32 = 3;
    /// Successful device spawns since the host last cleared it.
    pub const SPAWNED: u32 = 4;
    /// Device spawns refused because the target partition was full.
    pub const SPAWN_OVERFLOW: u32 = 5;
    /// Inbox entries placed into slots since the host last cleared it.
    pub const PLACED: u32 = 6;
    /// Tasks executed to completion (DONE) since the host last cleared it.
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
    /// Per partition: next probe position of device spawns.
    pub const SPAWN_CURSOR: u32 = INBOX_TAIL + P;
    /// Per priority: tasks executed since the host last cleared it.
    pub const EXECUTED_BY_PRIORITY: u32 = SPAWN_CURSOR + P;
    /// Per partition: PUBLISHED slots of disabled tenants (parked), as
    /// counted by the last maintenance pass.
    pub const PARKED: u32 = EXECUTED_BY_PRIORITY + P;
    /// Faulted tasks since the host last cleared it (records may be fewer
    /// only if the log overflowed, which its sizing prevents).
    pub const FAULTED: u32 = PARKED + P;
    /// Per partition: 1 once a spawn found no EMPTY slot in this work pass
    /// (cleared by the prepare pass). No slot becomes EMPTY during a work
    /// pass, so the partition stays full until then: later spawns overflow
    /// at once instead of probing every slot again.
    pub const SPAWN_FULL: u32 = FAULTED + 1;
    /// Number of fixed words; the variable tables follow.
    pub const FIXED_WORDS: u32 = SPAWN_FULL + P;

    /// Counters the host reads and clears after each submission.
    pub const CLEARED_AFTER_READ: [u32; 6] = [
        FAULT_COUNT,
        PRINTF_COUNT,
        SPAWNED,
        SPAWN_OVERFLOW,
        PLACED,
        EXECUTED,
    ];
}

/// Where each variable-size table sits in the control buffer of one
/// program instance, in words. Tables follow the fixed words in this
/// order; the lane state comes last so that its size (the number of lanes,
/// chosen when the program is instantiated) moves no other offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ControlLayout {
    /// Per handler (program order): tasks executed.
    pub executed_by_op: u32,
    /// Per tenant: 1 when enabled.
    pub tenant_enabled: u32,
    /// Claim lists: one word per slot, partition `p`'s list at the
    /// partition's own slot range.
    pub claim_list: u32,
    /// Fault log: `slots` records of [`FAULT_RECORD_WORDS`].
    pub fault_log: u32,
    /// Printf log: `printf_capacity` records of [`PRINTF_RECORD_WORDS`].
    pub printf_log: u32,
    /// Per lane: the lane's claim streak (anti-starvation state).
    pub lane_state: u32,
}

impl ControlLayout {
    /// The layout for `handlers` opcodes, `tenants` tenants, `slots` ring
    /// slots and room for `printf_capacity` printf records.
    pub const fn new(handlers: u32, tenants: u32, slots: u32, printf_capacity: u32) -> Self {
        let executed_by_op = ctrl::FIXED_WORDS;
        let tenant_enabled = executed_by_op + handlers;
        let claim_list = tenant_enabled + tenants;
        let fault_log = claim_list + slots;
        let printf_log = fault_log + slots * FAULT_RECORD_WORDS;
        let lane_state = printf_log + printf_capacity * PRINTF_RECORD_WORDS;
        ControlLayout {
            executed_by_op,
            tenant_enabled,
            claim_list,
            fault_log,
            printf_log,
            lane_state,
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
    assert!(ctrl::SPAWN_FULL + PRIORITIES as u32 == ctrl::FIXED_WORDS);
    assert!(ctrl::LIST_LEN > ctrl::EXECUTED);
    assert!(status::FAULT > status::DONE && status::EMPTY == 0);
    // Zeroed memory is a valid empty ring and a valid idle control block.
    assert!(status::EMPTY == 0);
};

//! Every constant the code names. Each placeholder has the constant's name
//! without `vy_`; the values come from the program's configuration and
//! control layout, lower/mod.rs, lower/handler.rs and protocol.rs (the one
//! source of the ring and control protocol's numbers).
// ---- program configuration ----
const vy_WORKGROUP_SIZE: u32 = {{WORKGROUP_SIZE}}u; // lanes per workgroup of the work pass
const vy_MAINTAIN_WORKGROUP_SIZE: u32 = {{MAINTAIN_WORKGROUP_SIZE}}u; // invocations per workgroup of the maintain pass
const vy_EXPAND_WORKGROUP_SIZE: u32 = {{EXPAND_WORKGROUP_SIZE}}u; // invocations per workgroup of the expand pass
const vy_ENTRY_WORDS: u32 = {{ENTRY_WORDS}}u; // words per inbox entry (header and the widest handler's arguments)
const vy_TENANTS: u32 = {{TENANTS}}u; // size of the tenant table
const vy_CLAIM_BUDGET: u32 = {{CLAIM_BUDGET}}u; // claims per lane per dispatch
const vy_ITERATION_BUDGET: u32 = {{ITERATION_BUDGET}}u; // loop iterations per lane per dispatch
const vy_LOOP_LIMIT: u32 = {{LOOP_LIMIT}}u; // loop iterations per task
const vy_STARVATION_LIMIT: u32 = {{STARVATION_LIMIT}}u; // consecutive claims before a bottom-up scan; 0 = strict priority
const vy_PRINTF_CAPACITY: u32 = {{PRINTF_CAPACITY}}u; // printf records per submission
// ---- control block layout (protocol::ControlLayout) ----
const vy_EXECUTED_BY_OP: u32 = {{EXECUTED_BY_OP}}u; // per handler: tasks executed
const vy_TENANT_ENABLED: u32 = {{TENANT_ENABLED}}u; // per tenant: 1 = enabled
const vy_CLAIM_LIST: u32 = {{CLAIM_LIST}}u; // claim lists, one word per slot
const vy_PRINTF_LOG: u32 = {{PRINTF_LOG}}u; // printf records
const vy_RANGES: u32 = {{RANGES}}u; // range descriptors of the expand pass
// ---- protocol constants (protocol.rs) ----
const vy_PRIORITIES: u32 = {{PRIORITIES}}u; // priority levels and partitions
const vy_SLOT_WORDS: u32 = {{SLOT_WORDS}}u; // words per slot
const vy_MAX_ARGS: u32 = {{MAX_ARGS}}u; // argument words per slot
const vy_PRINTF_MAX_ARGS: u32 = {{PRINTF_MAX_ARGS}}u; // argument words per printf record
const vy_FAULT_RECORD_WORDS: u32 = {{FAULT_RECORD_WORDS}}u; // words per fault record
const vy_PRINTF_RECORD_WORDS: u32 = {{PRINTF_RECORD_WORDS}}u; // words per printf record
const vy_PRINTF_ARG0: u32 = {{PRINTF_ARG0}}u; // printf record: first argument (after the format id)
const vy_PRINTF_LANE: u32 = {{PRINTF_LANE}}u; // printf record: the lane
const vy_NO_LANE: u32 = {{NO_LANE}}u; // lane of fault records written by the maintain pass
const vy_NO_HANDLER: u32 = {{NO_HANDLER}}u; // dispatch result for an unknown opcode
const vy_CLAIM_TRIES: u32 = {{CLAIM_TRIES}}u; // compare-exchange tries of a claim or spawn reservation
const vy_CAS_TRIES: u32 = {{CAS_TRIES}}u; // compare-exchange tries of a handler's compare_exchange
const vy_SLOT_STATUS: u32 = {{SLOT_STATUS}}u; // word of a slot
const vy_SLOT_OPCODE: u32 = {{SLOT_OPCODE}}u; // word of a slot
const vy_SLOT_TENANT: u32 = {{SLOT_TENANT}}u; // word of a slot
const vy_SLOT_PRIORITY: u32 = {{SLOT_PRIORITY}}u; // word of a slot
const vy_SLOT_ARG0: u32 = {{SLOT_ARG0}}u; // word of a slot
const vy_ENTRY_OPCODE: u32 = {{ENTRY_OPCODE}}u; // word of an inbox entry
const vy_ENTRY_TENANT: u32 = {{ENTRY_TENANT}}u; // word of an inbox entry
const vy_ENTRY_ARG0: u32 = {{ENTRY_ARG0}}u; // word of an inbox entry
const vy_RANGE_SLOTS: u32 = {{RANGE_SLOTS}}u; // range descriptors per expand dispatch
const vy_RANGE_WORDS: u32 = {{RANGE_WORDS}}u; // words per range descriptor
const vy_RANGE_PARTITION: u32 = {{RANGE_PARTITION}}u; // word of a range descriptor
const vy_RANGE_POSITION: u32 = {{RANGE_POSITION}}u; // word of a range descriptor
const vy_RANGE_COUNT: u32 = {{RANGE_COUNT}}u; // word of a range descriptor
const vy_RANGE_OPCODE: u32 = {{RANGE_OPCODE}}u; // word of a range descriptor
const vy_RANGE_TENANT: u32 = {{RANGE_TENANT}}u; // word of a range descriptor
const vy_RANGE_FIRST: u32 = {{RANGE_FIRST}}u; // word of a range descriptor
const vy_RANGE_REST: u32 = {{RANGE_REST}}u; // word of a range descriptor
const vy_INDIRECT_WORK: u32 = {{INDIRECT_WORK}}u; // word of vy_indirect
const vy_INDIRECT_MAINTAIN: u32 = {{INDIRECT_MAINTAIN}}u; // word of vy_indirect
const vy_INDIRECT_FULL_WORK: u32 = {{INDIRECT_FULL_WORK}}u; // word of vy_indirect
const vy_INDIRECT_FULL_MAINTAIN: u32 = {{INDIRECT_FULL_MAINTAIN}}u; // word of vy_indirect
const vy_STATUS_EMPTY: u32 = {{STATUS_EMPTY}}u; // slot status
const vy_STATUS_RESERVED: u32 = {{STATUS_RESERVED}}u; // slot status
const vy_STATUS_PENDING: u32 = {{STATUS_PENDING}}u; // slot status
const vy_STATUS_PUBLISHED: u32 = {{STATUS_PUBLISHED}}u; // slot status
const vy_STATUS_CLAIMED: u32 = {{STATUS_CLAIMED}}u; // slot status
const vy_STATUS_DONE: u32 = {{STATUS_DONE}}u; // slot status
const vy_STATUS_FAULT: u32 = {{STATUS_FAULT}}u; // slot status
const vy_FAULT_OUT_OF_BOUNDS: u32 = {{FAULT_OUT_OF_BOUNDS}}u; // fault code
const vy_FAULT_DIVIDE_BY_ZERO: u32 = {{FAULT_DIVIDE_BY_ZERO}}u; // fault code
const vy_FAULT_LOOP_LIMIT: u32 = {{FAULT_LOOP_LIMIT}}u; // fault code
const vy_FAULT_UNKNOWN_OPCODE: u32 = {{FAULT_UNKNOWN_OPCODE}}u; // fault code
const vy_FAULT_BAD_TENANT: u32 = {{FAULT_BAD_TENANT}}u; // fault code
const vy_FAULT_USER: u32 = {{FAULT_USER}}u; // fault code
const vy_FAULT_BAD_PRIORITY: u32 = {{FAULT_BAD_PRIORITY}}u; // fault code
const vy_FAULT_LOOP_CUT: u32 = {{FAULT_LOOP_CUT}}u; // fault code
const vy_LOOP_RUNNING: u32 = {{LOOP_RUNNING}}u; // loop exit state: iterating; after the loop, the driver cut it
const vy_LOOP_DONE: u32 = {{LOOP_DONE}}u; // loop exit state: the program left the loop
const vy_LOOP_RETURN: u32 = {{LOOP_RETURN}}u; // loop exit state: the handler ends (return, fault)
const vy_RECORD_SLOT: u32 = {{RECORD_SLOT}}u; // word of a fault record
const vy_RECORD_OPCODE: u32 = {{RECORD_OPCODE}}u; // word of a fault record
const vy_RECORD_CODE: u32 = {{RECORD_CODE}}u; // word of a fault record
const vy_RECORD_DETAIL: u32 = {{RECORD_DETAIL}}u; // word of a fault record
const vy_RECORD_TENANT: u32 = {{RECORD_TENANT}}u; // word of a fault record
const vy_RECORD_PRIORITY: u32 = {{RECORD_PRIORITY}}u; // word of a fault record
const vy_RECORD_ROUND: u32 = {{RECORD_ROUND}}u; // word of a fault record
const vy_RECORD_LANE: u32 = {{RECORD_LANE}}u; // word of a fault record
const vy_CTRL_SHUTDOWN: u32 = {{CTRL_SHUTDOWN}}u; // control word
const vy_CTRL_ROUND: u32 = {{CTRL_ROUND}}u; // control word
const vy_CTRL_FAULT_COUNT: u32 = {{CTRL_FAULT_COUNT}}u; // control word
const vy_CTRL_PRINTF_COUNT: u32 = {{CTRL_PRINTF_COUNT}}u; // control word
const vy_CTRL_SPAWNED: u32 = {{CTRL_SPAWNED}}u; // control word
const vy_CTRL_SPAWN_OVERFLOW: u32 = {{CTRL_SPAWN_OVERFLOW}}u; // control word
const vy_CTRL_PLACED: u32 = {{CTRL_PLACED}}u; // control word
const vy_CTRL_EXECUTED: u32 = {{CTRL_EXECUTED}}u; // control word
const vy_CTRL_LIST_LEN: u32 = {{CTRL_LIST_LEN}}u; // control word, first of five (one per priority)
const vy_CTRL_LIST_NEXT: u32 = {{CTRL_LIST_NEXT}}u; // control word, first of five (one per priority)
const vy_CTRL_INBOX_TAKE: u32 = {{CTRL_INBOX_TAKE}}u; // control word, first of five (one per priority)
const vy_CTRL_INBOX_HEAD: u32 = {{CTRL_INBOX_HEAD}}u; // control word, first of five (one per priority)
const vy_CTRL_INBOX_TAIL: u32 = {{CTRL_INBOX_TAIL}}u; // control word, first of five (one per priority)
const vy_CTRL_SPAWN_CURSOR: u32 = {{CTRL_SPAWN_CURSOR}}u; // control word, first of five (one per priority)
const vy_CTRL_EXECUTED_BY_PRIORITY: u32 = {{CTRL_EXECUTED_BY_PRIORITY}}u; // control word, first of five (one per priority)
const vy_CTRL_PARKED: u32 = {{CTRL_PARKED}}u; // control word, first of five (one per priority)
const vy_CTRL_FAULTED: u32 = {{CTRL_FAULTED}}u; // control word
const vy_CTRL_SPAWN_FULL: u32 = {{CTRL_SPAWN_FULL}}u; // control word, first of five (one per priority)
const vy_CTRL_INBOX_BASE: u32 = {{CTRL_INBOX_BASE}}u; // control word, first of five (one per priority)
const vy_CTRL_INBOX_MASK: u32 = {{CTRL_INBOX_MASK}}u; // control word, first of five (one per priority)
const vy_CTRL_IDLE: u32 = {{CTRL_IDLE}}u; // control word
const vy_CTRL_RANGE_COUNT: u32 = {{CTRL_RANGE_COUNT}}u; // control word
const vy_CTRL_SLOTS: u32 = {{CTRL_SLOTS}}u; // control word
const vy_CTRL_PART_START: u32 = {{CTRL_PART_START}}u; // control word, first of five (one per priority)
const vy_CTRL_PART_SIZE: u32 = {{CTRL_PART_SIZE}}u; // control word, first of five (one per priority)


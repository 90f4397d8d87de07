//! The scheduler half of the module: bindings, protocol constants, the
//! task's private state, the runtime helpers (faults, spawn, printf,
//! claims), the opcode dispatch and the four entry points, in the
//! variants of [`LowerOptions`].
//!
//! The WGSL lives in `lower/wgsl/*.wgsl`, filled by the `template` module:
//! everything that depends on the program is a WGSL `const` whose value
//! comes from [`crate::protocol`] and the
//! [`ProgramConfig`](crate::ProgramConfig) through `constants.wgsl`; the
//! code itself is fixed text that only names those constants, so the
//! passes read like the pseudo-code of `docs/protocol.md`. This file only
//! chooses the templates and gives them their values.

use std::fmt::Write;

use super::handler::{LOOP_DONE, LOOP_RETURN, LOOP_RUNNING};
use super::names::{self, wgsl_type};
use super::template::Template;
use super::{
    buffer_binding, ClaimVariant, LowerOptions, BIND_GROUP, CAS_TRIES, CTRL_BINDING,
    EXPAND_WORKGROUP_SIZE, INBOX_BINDING, INDIRECT_BINDING, INDIRECT_GROUP,
    MAINTAIN_WORKGROUP_SIZE, NO_HANDLER, PLACE_SPREAD, RING_BINDING, SPAWN_BLOCK, SPAWN_SINGLES,
};
use crate::ir::ScalarType;
use crate::program::Program;
use crate::protocol::{
    ctrl, entry, fault, fault_record, indirect, range, request, slot, start, status, ticket,
    FAULT_RECORD_WORDS, MAX_ARGS, PRINTF_MAX_ARGS, PRINTF_RECORD_WORDS, PRIORITIES, RANGE_SLOTS,
    RANGE_WORDS, SLOT_WORDS,
};

/// Declares the templates, each from its file under `lower/wgsl/`, and
/// `TEMPLATES`, the list of them all with the spawn's (`lower/spawn.rs`),
/// for the tests.
macro_rules! templates {
    ($($(#[$doc:meta])* $name:ident = $file:literal;)*) => {
        $($(#[$doc])* const $name: Template = Template::new($file, include_str!(concat!("wgsl/", $file)));)*
        /// Every template of the module.
        #[cfg(test)]
        const TEMPLATES: &[Template] = &[$($name,)* super::spawn::SPAWN];
    };
}

templates! {
    /// The opening comment: what the module is and how to run it.
    HEADER = "header.wgsl";
    /// Ring and control bindings, then [`BUFFER_BINDING`]s.
    BINDINGS = "bindings.wgsl";
    /// One declared buffer's binding.
    BUFFER_BINDING = "buffer_binding.wgsl";
    /// Every constant the code names.
    CONSTANTS = "constants.wgsl";
    /// The running task's state and the runtime helpers.
    RUNTIME = "runtime.wgsl";
    /// `vy_dispatch`, with a [`DISPATCH_CASE`] per handler.
    DISPATCH = "dispatch.wgsl";
    /// One handler's case of `vy_dispatch`.
    DISPATCH_CASE = "dispatch_case.wgsl";
    /// The prepare pass.
    PREPARE = "prepare.wgsl";
    /// The maintain pass.
    MAINTAIN = "maintain.wgsl";
    /// The finalize pass.
    FINALIZE = "finalize.wgsl";
    /// The expand pass (`publish_range`).
    EXPAND = "expand.wgsl";
    /// The work pass of [`ClaimVariant::PerLane`].
    WORK_PER_LANE = "work_per_lane.wgsl";
    /// The work pass of [`ClaimVariant::Cooperative`].
    WORK_COOPERATIVE = "work_cooperative.wgsl";
    /// The work pass of the sharded form (`ProgramConfig::sharded`),
    /// whatever the claim variant.
    WORK_SHARDED = "work_sharded.wgsl";
    /// A claimed task's run, inside either work pass.
    RUN_CLAIMED = "run_claimed.wgsl";
    /// The lane's counters, at the end of either work pass.
    WORK_FLUSH = "work_flush.wgsl";
    /// The lane's task state and counters, at the start of every work pass.
    WORK_LANE_START = "work_lane_start.wgsl";
    /// The place pass (place and run), for programs that allow it.
    PLACE = "place.wgsl";
}

/// The opening comment: what the module is and how to run it.
pub(super) fn header(program: &Program, out: &mut String) {
    let c = program.config();
    out.push_str(&HEADER.fill(&[
        ("NAME", &names::comment_text(program.name())),
        ("HANDLERS", &program.handlers().len()),
        ("BUFFERS", &program.buffers().len()),
        ("WORKGROUP_SIZE", &c.workgroup_size),
        ("TENANTS", &c.tenants),
    ]));
}

/// The bindings: ring, control block, then the declared buffers in order.
pub(super) fn bindings(program: &Program, out: &mut String) {
    let mut buffers = String::new();
    for (i, b) in program.buffers().iter().enumerate() {
        let t = wgsl_type(b.kind.elem);
        let (access, ty) = if b.kind.atomic {
            ("read_write", format!("array<atomic<{t}>>"))
        } else if b.written {
            ("read_write", format!("array<{t}>"))
        } else {
            ("read", format!("array<{t}>"))
        };
        buffers.push_str(&BUFFER_BINDING.fill(&[
            ("NAME", &names::comment_text(&b.name)),
            ("KIND", &b.kind),
            ("GROUP", &BIND_GROUP),
            ("BINDING", &buffer_binding(i)),
            ("ACCESS", &access),
            ("IDENT", &names::buffer(&b.name)),
            ("TYPE", &ty),
        ]));
    }
    out.push_str(&BINDINGS.fill(&[
        ("SLOT_WORDS", &SLOT_WORDS),
        ("ENTRY_WORDS", &program.entry_words()),
        ("GROUP", &BIND_GROUP),
        ("RING_BINDING", &RING_BINDING),
        ("CTRL_BINDING", &CTRL_BINDING),
        ("INBOX_BINDING", &INBOX_BINDING),
        ("INDIRECT_GROUP", &INDIRECT_GROUP),
        ("INDIRECT_BINDING", &INDIRECT_BINDING),
        ("BUFFERS", &buffers),
    ]));
}

/// Every constant the code names, from the program's configuration and
/// control layout and from [`crate::protocol`].
pub(super) fn constants(program: &Program, out: &mut String) {
    let c = program.config();
    let layout = program.control_layout();
    out.push_str(
        &CONSTANTS.fill(&[
            ("WORKGROUP_SIZE", &c.workgroup_size),
            ("MAINTAIN_WORKGROUP_SIZE", &MAINTAIN_WORKGROUP_SIZE),
            ("PLACE_SPREAD", &PLACE_SPREAD),
            ("SPAWN_DOUBLINGS", &SPAWN_BLOCK.trailing_zeros()),
            ("SPAWN_SINGLES", &SPAWN_SINGLES),
            ("EXPAND_WORKGROUP_SIZE", &EXPAND_WORKGROUP_SIZE),
            ("ENTRY_WORDS", &program.entry_words()),
            ("TENANTS", &c.tenants),
            ("CLAIM_BUDGET", &c.claim_budget),
            ("ITERATION_BUDGET", &c.iteration_budget),
            ("LANE_LOOP_BOUND", &c.claim_budget.saturating_add(1)),
            (
                "WORKGROUP_LOOP_BOUND",
                &c.claim_budget
                    .saturating_mul(c.workgroup_size)
                    .saturating_add(1),
            ),
            ("LOOP_LIMIT", &c.loop_limit),
            ("STARVATION_LIMIT", &c.starvation_limit),
            ("SHARDED", &c.sharded),
            ("FREE_LISTS", &program.spawns()),
            ("PRINTF_CAPACITY", &c.printf_capacity),
            ("EXECUTED_BY_OP", &layout.executed_by_op),
            ("HANDLERS", &program.handlers().len()),
            ("TENANT_ENABLED", &layout.tenant_enabled),
            ("CLAIM_LIST", &layout.claim_list),
            ("PRINTF_LOG", &layout.printf_log),
            ("RANGES", &layout.ranges),
            ("TICKETS", &layout.tickets),
            ("TICKET_LOG", &layout.ticket_log),
            ("TICKET_ENTRIES", &ticket::ENTRIES),
            ("TICKET_INDEX", &ticket::INDEX),
            ("TICKET_DESCENDANTS", &ticket::DESCENDANTS),
            ("TICKET_LIVE", &ticket::LIVE),
            ("TICKET_REFUSED", &ticket::REFUSED),
            ("TICKET_ENTRY_WORDS", &ticket::ENTRY_WORDS),
            ("PRIORITIES", &PRIORITIES),
            ("SLOT_WORDS", &SLOT_WORDS),
            ("RING_WORDS", &crate::protocol::RING_WORDS),
            ("PRINTF_MAX_ARGS", &PRINTF_MAX_ARGS),
            ("FAULT_RECORD_WORDS", &FAULT_RECORD_WORDS),
            ("PRINTF_RECORD_WORDS", &PRINTF_RECORD_WORDS),
            // A printf record is [format id, arguments.., lane].
            ("PRINTF_ARG0", &1),
            ("PRINTF_LANE", &(1 + PRINTF_MAX_ARGS)),
            ("NO_LANE", &u32::MAX),
            ("NO_HANDLER", &NO_HANDLER),
            ("NO_SPAWN", &u32::MAX),
            ("CAS_TRIES", &CAS_TRIES),
            ("SLOT_OPCODE", &slot::OPCODE),
            ("SLOT_TENANT", &slot::TENANT),
            ("SLOT_TICKET", &slot::TICKET),
            ("SLOT_ARG0", &slot::ARG0),
            ("ENTRY_OPCODE", &entry::OPCODE),
            ("ENTRY_TENANT", &entry::TENANT),
            ("ENTRY_TICKET", &entry::TICKET),
            ("ENTRY_ARG0", &entry::ARG0),
            ("RANGE_SLOTS", &RANGE_SLOTS),
            ("RANGE_WORDS", &RANGE_WORDS),
            ("RANGE_PARTITION", &range::PARTITION),
            ("RANGE_POSITION", &range::POSITION),
            ("RANGE_COUNT", &range::COUNT),
            ("RANGE_OPCODE", &range::OPCODE),
            ("RANGE_TENANT", &range::TENANT),
            ("RANGE_FIRST", &range::FIRST),
            ("RANGE_REST", &range::REST),
            ("RANGE_SOURCE_WORDS", &range::SOURCE_WORDS),
            ("RANGE_TICKET", &range::TICKET),
            ("INDIRECT_WORK", &indirect::WORK),
            ("INDIRECT_MAINTAIN", &indirect::MAINTAIN),
            ("INDIRECT_FULL_WORK", &indirect::FULL_WORK),
            ("INDIRECT_FULL_MAINTAIN", &indirect::FULL_MAINTAIN),
            ("INDIRECT_PLACE", &indirect::PLACE),
            ("START_PLACE_AND_RUN", &start::PLACE_AND_RUN),
            ("START_MODE", &start::MODE),
            ("STATUS_EMPTY", &status::EMPTY),
            ("STATUS_PENDING", &status::PENDING),
            ("STATUS_PUBLISHED", &status::PUBLISHED),
            ("STATUS_CLAIMED", &status::CLAIMED),
            ("STATUS_FAULT", &status::FAULT),
            ("FAULT_OUT_OF_BOUNDS", &fault::OUT_OF_BOUNDS),
            ("FAULT_DIVIDE_BY_ZERO", &fault::DIVIDE_BY_ZERO),
            ("FAULT_LOOP_LIMIT", &fault::LOOP_LIMIT),
            ("FAULT_UNKNOWN_OPCODE", &fault::UNKNOWN_OPCODE),
            ("FAULT_BAD_TENANT", &fault::BAD_TENANT),
            ("FAULT_USER", &fault::USER),
            ("FAULT_BAD_PRIORITY", &fault::BAD_PRIORITY),
            ("FAULT_LOOP_CUT", &fault::LOOP_CUT),
            ("LOOP_RUNNING", &LOOP_RUNNING),
            ("LOOP_DONE", &LOOP_DONE),
            ("LOOP_RETURN", &LOOP_RETURN),
            ("RECORD_SLOT", &fault_record::SLOT),
            ("RECORD_OPCODE", &fault_record::OPCODE),
            ("RECORD_CODE", &fault_record::CODE),
            ("RECORD_DETAIL", &fault_record::DETAIL),
            ("RECORD_TENANT", &fault_record::TENANT),
            ("RECORD_PRIORITY", &fault_record::PRIORITY),
            ("RECORD_ROUND", &fault_record::ROUND),
            ("RECORD_LANE", &fault_record::LANE),
            ("RECORD_TICKET", &fault_record::TICKET),
            ("CTRL_SHUTDOWN", &ctrl::SHUTDOWN),
            ("CTRL_ROUND", &ctrl::ROUND),
            ("CTRL_FAULT_COUNT", &ctrl::FAULT_COUNT),
            ("CTRL_PRINTF_COUNT", &ctrl::PRINTF_COUNT),
            ("CTRL_SPAWNED", &ctrl::SPAWNED),
            ("CTRL_SPAWN_OVERFLOW", &ctrl::SPAWN_OVERFLOW),
            ("CTRL_PLACED", &ctrl::PLACED),
            ("CTRL_EXECUTED", &ctrl::EXECUTED),
            ("CTRL_LIST_LEN", &ctrl::LIST_LEN),
            ("CTRL_LIST_NEXT", &ctrl::LIST_NEXT),
            ("CTRL_INBOX_TAKE", &ctrl::INBOX_TAKE),
            ("CTRL_INBOX_HEAD", &ctrl::INBOX_HEAD),
            ("CTRL_INBOX_TAIL", &ctrl::INBOX_TAIL),
            ("CTRL_FREE_NEXT", &ctrl::FREE_NEXT),
            ("CTRL_EXECUTED_BY_PRIORITY", &ctrl::EXECUTED_BY_PRIORITY),
            ("CTRL_PARKED", &ctrl::PARKED),
            ("CTRL_FAULTED", &ctrl::FAULTED),
            ("CTRL_FREE_LEN", &ctrl::FREE_LEN),
            ("CTRL_INBOX_BASE", &ctrl::INBOX_BASE),
            ("CTRL_INBOX_MASK", &ctrl::INBOX_MASK),
            ("CTRL_IDLE", &ctrl::IDLE),
            ("CTRL_START", &ctrl::START),
            ("CTRL_RANGE_COUNT", &ctrl::RANGE_COUNT),
            ("CTRL_SLOTS", &ctrl::SLOTS),
            ("CTRL_PART_START", &ctrl::PART_START),
            ("CTRL_PART_SIZE", &ctrl::PART_SIZE),
            ("CTRL_TICKETS_ENDED", &ctrl::TICKETS_ENDED),
        ]),
    );
}

/// The private state of the running task and lane, and the runtime
/// helpers every program has.
pub(super) fn runtime(out: &mut String) {
    out.push_str(&RUNTIME.fill(&[("PRINTF_ARG_STORES", &printf_arg_stores())]));
}

/// `vy_request`, for a program that declares request kinds
/// (`docs/protocol.md`, "Host requests"; `cpu/sched.rs`'s `request` is
/// its twin): takes request slot `REQUEST_NEXT++` by compare-exchange
/// from FREE to WRITING, writes the words and stores WRITTEN; refused
/// (false, counted with the refused spawns) past the slots or when the
/// slot is not FREE. Programs without request kinds get none of it.
pub(super) fn requests(program: &Program, out: &mut String) {
    let slots = program.request_slots();
    if slots == 0 {
        return;
    }
    let layout = program.control_layout();
    let words = 2 * MAX_ARGS;
    let mut stores = String::new();
    for i in 0..words {
        let _ = writeln!(
            stores,
            "    atomicStore(&vy_ctrl[base + {}u], args[{i}]);",
            request::ARGS as usize + i
        );
    }
    let _ = write!(
        out,
        "
// ---- device->host requests ----
const vy_REQUESTS: u32 = {requests}u; // the request slots
const vy_REQUEST_SLOTS: u32 = {slots}u;
const vy_REQUEST_WORDS: u32 = {slot_words}u; // words per request slot
const vy_REQUEST_ARGS: u32 = {words}u; // the request's words, then the continuation's

// A device->host request: the continuation `opcode` at `priority` gets the
// host's reply after the given words (`args` holds the request's
// `arg_words` words, then those). False when the task has faulted, or when
// no request slot is left this submission (counted with the refused
// spawns). The slot is claimed by compare-exchange from FREE, so no two
// lanes, and never the device and the host, own one slot; a weak exchange
// that fails spuriously is tried again, a few times at most.
fn vy_request(priority: u32, kind: u32, opcode: u32, arg_words: u32, args: array<u32, vy_REQUEST_ARGS>) -> bool {{
    if (vy_fault != 0u) {{
        return false;
    }}
    if (priority >= vy_PRIORITIES) {{
        vy_fail(vy_FAULT_BAD_PRIORITY, priority);
        return false;
    }}
    let i = atomicAdd(&vy_ctrl[{next}u], 1u);
    var taken = false;
    let base = vy_REQUESTS + min(i, vy_REQUEST_SLOTS - 1u) * vy_REQUEST_WORDS;
    if (i < vy_REQUEST_SLOTS) {{
        for (var t = 0u; t < 4u; t++) {{
            let r = atomicCompareExchangeWeak(&vy_ctrl[base + {state}u], {free}u, {writing}u);
            if (r.exchanged || r.old_value != {free}u) {{
                taken = r.exchanged;
                break;
            }}
        }}
    }}
    if (!taken) {{
        atomicAdd(&vy_ctrl[{refused}u], 1u);
        vy_task_refused += 1u;
        return false;
    }}
    // Counted live at vy_task_settle, as a spawn is.
    let follows = (vy_ticket & vy_TICKET_DESCENDANTS) != 0u;
    vy_task_children += u32(follows);
    let ticket = select(0u, vy_ticket, follows);
    atomicStore(&vy_ctrl[base + {kind_w}u], kind);
    atomicStore(&vy_ctrl[base + {tenant_w}u], vy_tenant);
    atomicStore(&vy_ctrl[base + {ticket_w}u], ticket);
    atomicStore(&vy_ctrl[base + {priority_w}u], priority);
    atomicStore(&vy_ctrl[base + {opcode_w}u], opcode);
    atomicStore(&vy_ctrl[base + {words_w}u], arg_words);
{stores}    atomicStore(&vy_ctrl[base + {state}u], {written}u);
    vy_spawned += 1u;
    return true;
}}
",
        requests = layout.requests,
        slot_words = request::SLOT_WORDS,
        next = ctrl::REQUEST_NEXT,
        refused = ctrl::REQUEST_REFUSED,
        state = request::STATE,
        free = request::FREE,
        writing = request::WRITING,
        written = request::WRITTEN,
        kind_w = request::KIND,
        tenant_w = request::TENANT,
        ticket_w = request::TICKET,
        priority_w = request::PRIORITY,
        opcode_w = request::OPCODE,
        words_w = request::WORDS,
    );
}

/// The body of a printf record's argument writer: its words of `args`
/// stored at `vy_ctrl[at + i]`, one statement per word (unrolled because
/// a loop could be cut by the driver half-way, leaving a record with some
/// words of an earlier one).
fn printf_arg_stores() -> String {
    let mut body = String::new();
    for i in 0..PRINTF_MAX_ARGS {
        let _ = writeln!(body, "atomicStore(&vy_ctrl[at + {i}u], args[{i}]);");
    }
    body
}

/// The first prepare's stores that zero the counters a summary reports:
/// one per word of [`ctrl::SUBMISSION_COUNTERS`], the list the CPU engines
/// zero too, so that the two cannot drift apart.
fn counter_zeroes() -> String {
    let mut body = String::new();
    for w in ctrl::SUBMISSION_COUNTERS {
        let _ = writeln!(body, "atomicStore(&vy_ctrl[{w}u], 0u);");
    }
    body
}

/// The expand pass's copies of a descriptor's rest words into an entry:
/// argument 1 onwards, one statement per word the program's entries hold.
fn expand_arg_stores() -> String {
    let mut body = String::new();
    for i in 1..MAX_ARGS {
        let _ = writeln!(
            body,
            "if ({i}u + vy_ENTRY_ARG0 < vy_ENTRY_WORDS) {{ vy_inbox[at + vy_ENTRY_ARG0 + {i}u] = vy_xwg_range[vy_RANGE_REST + {}u]; }}",
            i - 1
        );
    }
    body
}

/// The expand pass's copies of a batch entry's argument words from the
/// batch area: one statement per word the program's entries hold, zero
/// past the batch's own words.
fn batch_arg_stores() -> String {
    let mut body = String::new();
    for i in 0..MAX_ARGS {
        let _ = writeln!(
            body,
            "if ({i}u + vy_ENTRY_ARG0 < vy_ENTRY_WORDS) {{ vy_inbox[at + vy_ENTRY_ARG0 + {i}u] = select(0u, vy_inbox[src + {i}u], {i}u < source_words); }}",
        );
    }
    body
}

/// `vy_dispatch`: runs the handler of an opcode, decoding its arguments
/// from the slot words, then the spawn the handler deferred from its tail
/// (`tail`, `Helpers::tail_call`); and, for a program that
/// [places and runs](Program::places_and_runs), `vy_dispatch_entry`, the
/// same from an inbox entry's words (the place pass's).
pub(super) fn dispatch(program: &Program, tail: &str, out: &mut String) {
    dispatch_from(program, ("vy_dispatch", "slot"), "vy_arg", tail, out);
    if program.places_and_runs() {
        dispatch_from(
            program,
            ("vy_dispatch_entry", "inbox entry"),
            "vy_entry_arg",
            tail,
            out,
        );
    }
}

/// One opcode switch, `function`, whose handlers read argument word `k`
/// as `reader(base, k)` from the task's `source`, followed by `tail`.
///
/// The words that more than one handler reads are read once, before the
/// switch (`vy_word{k}`): the driver compiles a read per case otherwise,
/// twenty handlers of two words being forty reads (atomic loads from the
/// ring, which it does not merge across cases) where two do. They are a
/// prefix of the words (as many as the second-widest handler takes), all
/// inside every slot and every inbox entry (which hold the widest
/// handler's words), so a task of a narrower handler reads at most a few
/// words of its own slot or entry that it does not use.
fn dispatch_from(
    program: &Program,
    (function, source): (&str, &str),
    reader: &str,
    tail: &str,
    out: &mut String,
) {
    let widths: Vec<usize> = program.handlers().iter().map(|h| h.arg_words()).collect();
    let shared = shared_words(&widths);
    let word = |k: u32| {
        if k < shared {
            format!("vy_word{k}")
        } else {
            format!("{reader}(base, {k}u)")
        }
    };
    let mut reads = String::new();
    for k in 0..shared {
        let _ = writeln!(reads, "let vy_word{k} = {reader}(base, {k}u);");
    }
    let mut cases = String::new();
    for (i, h) in program.handlers().iter().enumerate() {
        // Arguments take one word each, `u64` and `i64` two (low first).
        let mut at = 0u32;
        let args: Vec<String> = h
            .arg_types()
            .iter()
            .map(|ty| {
                let w = word(at);
                let next = word(at + 1);
                at += ty.words();
                match ty {
                    ScalarType::U32 => w,
                    ScalarType::I32 => format!("bitcast<i32>({w})"),
                    ScalarType::F32 => format!("bitcast<f32>({w})"),
                    ScalarType::Bool => format!("{w} != 0u"),
                    ScalarType::U64 | ScalarType::I64 => format!("vec2<u32>({w}, {next})"),
                }
            })
            .collect();
        cases.push_str(&DISPATCH_CASE.fill(&[
            ("OPCODE", &h.id),
            ("NAME", &names::comment_text(&h.name)),
            ("FUNCTION", &names::handler(&h.name)),
            ("ARGS", &args.join(", ")),
            ("INDEX", &i),
        ]));
    }
    out.push_str(&DISPATCH.fill(&[
        ("FUNCTION", &function),
        ("SOURCE", &source),
        ("SHARED", &reads),
        ("CASES", &cases),
        ("TAIL", &tail),
    ]));
}

/// How many argument words, from the first, more than one handler of
/// argument widths `widths` (words per handler) reads: the second-largest
/// width (0 for fewer than two handlers).
fn shared_words(widths: &[usize]) -> u32 {
    let mut sorted = widths.to_vec();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    // At most MAX_ARGS words: a handler's arguments fit a slot.
    sorted.get(1).map_or(0, |&w| w as u32)
}

/// The entry points, in the variant `options` asks for; the work pass of
/// the sharded form when `config.sharded`, the maintain pass caching as
/// much of the tenant table as a workgroup covers, and the place pass
/// only for a program that [places and runs](Program::places_and_runs).
pub(super) fn entry_points(options: &LowerOptions, program: &Program, out: &mut String) {
    let config = program.config();
    out.push_str(&PREPARE.fill(&[
        ("PRIORITIES", &PRIORITIES),
        ("COPIED_WORDS", &(SLOT_WORDS - 1)),
        ("COUNTER_ZEROES", &counter_zeroes()),
    ]));
    out.push_str(&MAINTAIN.fill(&[
        ("PRIORITIES", &PRIORITIES),
        (
            "CACHED_TENANTS",
            &config.tenants.min(MAINTAIN_WORKGROUP_SIZE),
        ),
    ]));
    out.push_str(&FINALIZE.fill(&[]));
    out.push_str(&EXPAND.fill(&[
        ("ENTRY_ARG_STORES", &expand_arg_stores()),
        ("BATCH_ARG_STORES", &batch_arg_stores()),
    ]));
    // A program that spawns reads the free lists' lengths once per lane
    // and starts with no reserved positions.
    let spawn_start = if program.spawns() {
        "vy_spawn_start();"
    } else {
        ""
    };
    let start = WORK_LANE_START.fill(&[("SPAWN_START", &spawn_start)]);
    let run_claimed = RUN_CLAIMED.fill(&[]);
    let flush = WORK_FLUSH.fill(&[]);
    let blocks = [
        ("LANE_START", &start as &dyn std::fmt::Display),
        ("RUN_CLAIMED", &run_claimed),
        ("FLUSH", &flush),
    ];
    if program.places_and_runs() {
        let handlers = program.handlers().len().max(1);
        out.push_str(&PLACE.fill(&[
            ("PRIORITIES", &PRIORITIES),
            ("HANDLERS", &handlers),
            (
                "COUNTER_ROUNDS",
                &handlers.div_ceil(MAINTAIN_WORKGROUP_SIZE as usize),
            ),
        ]));
    }
    out.push_str(&match options.claims {
        _ if config.sharded => WORK_SHARDED.fill(&blocks),
        ClaimVariant::PerLane => WORK_PER_LANE.fill(&blocks),
        ClaimVariant::Cooperative => WORK_COOPERATIVE.fill(&[
            ("DIRECTED_LISTS", &(2 * PRIORITIES)),
            blocks[0],
            blocks[1],
            blocks[2],
        ]),
    });
}

#[cfg(test)]
mod tests;

//! The opcode switch. Placeholders: FUNCTION (vy_dispatch, or
//! vy_dispatch_entry for the place pass), SOURCE (what `base` is),
//! SHARED, the reads of the argument words more than one handler takes
//! (`let vy_word{k} = …;`, lower/scheduler.rs, dispatch_from),
//! CASES, a block of dispatch_case.wgsl, one per handler in program order,
//! whose arguments are those words or read through the matching vy_arg or
//! vy_entry_arg, and
//! TAIL, the spawn handlers defer from their tails (lower/spawn.rs; empty
//! when none does).
// Runs the handler of `opcode` on the task whose {{SOURCE}} starts at word
// `base` and returns the handler's index (program order), or
// vy_NO_HANDLER after faulting UNKNOWN_OPCODE (detail = the opcode).
fn {{FUNCTION}}(opcode: u32, base: u32) -> u32 {
    var handler = vy_NO_HANDLER;
    {{SHARED}}
    switch opcode {
        {{CASES}}
        default: {
            vy_fail(vy_FAULT_UNKNOWN_OPCODE, opcode);
        }
    }
    {{TAIL}}
    return handler;
}

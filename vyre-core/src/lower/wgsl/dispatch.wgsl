//! vy_dispatch, the opcode switch. Placeholder: CASES, a block of
//! dispatch_case.wgsl, one per handler in program order.
// Runs the handler of `opcode` on the task whose slot starts at word `base`
// and returns the handler's index (program order), or vy_NO_HANDLER after
// faulting UNKNOWN_OPCODE (detail = the opcode).
fn vy_dispatch(opcode: u32, base: u32) -> u32 {
    var handler = vy_NO_HANDLER;
    switch opcode {
        {{CASES}}
        default: {
            vy_fail(vy_FAULT_UNKNOWN_OPCODE, opcode);
        }
    }
    return handler;
}


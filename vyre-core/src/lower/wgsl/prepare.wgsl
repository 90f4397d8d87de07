//! The prepare pass, after the section comment of the entry points.
//! Placeholders (in comments): PRIORITIES, COPIED_WORDS (slot words after
//! the status word).
// ---- entry points ----

// Drivers that cut loops (see vy_loop_end) count per invocation and
// dispatch: the loops of the prepare, maintain and finalize passes run a
// few iterations per invocation ({{PRIORITIES}} partitions, {{COPIED_WORDS}} slot words, at most a
// workgroup's size for a rank), far below any such cap, so they always
// finish. The work pass's loops are guarded or argued in vy_work.

// prepare (one invocation): resets this pass's claim and free lists, inbox
// tickets and parked counts — unless the ring is idle (vy_finalize), when the
// counts of the last pass that ran are still the ring's.
@compute @workgroup_size(1)
fn vy_prepare() {
    if (atomicLoad(&vy_ctrl[vy_CTRL_IDLE]) != 0u) {
        return;
    }
    for (var p = 0u; p < vy_PRIORITIES; p++) {
        atomicStore(&vy_ctrl[vy_CTRL_LIST_LEN + p], 0u);
        atomicStore(&vy_ctrl[vy_CTRL_LIST_NEXT + p], 0u);
        atomicStore(&vy_ctrl[vy_CTRL_INBOX_TAKE + p], 0u);
        atomicStore(&vy_ctrl[vy_CTRL_PARKED + p], 0u);
        atomicStore(&vy_ctrl[vy_CTRL_FREE_LEN + p], 0u);
        atomicStore(&vy_ctrl[vy_CTRL_FREE_NEXT + p], 0u);
    }
}


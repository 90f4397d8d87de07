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
// counts of the last pass that ran are still the ring's. The submission's
// first prepare also reads how it starts (START, written by the host) and
// sizes the first maintain and place dispatches: to place and run, each
// partition's first inbox entries (as many as it has slots) are taken
// here, the place pass gets one invocation per entry taken and the first
// maintain none; otherwise the place pass gets none and the first maintain
// the full grid. It leaves the number of entries taken in START, so that
// later prepares of the submission skip this.
@compute @workgroup_size(1)
fn vy_prepare() {
    if (atomicLoad(&vy_ctrl[vy_CTRL_IDLE]) != 0u) {
        return;
    }
    let start = atomicLoad(&vy_ctrl[vy_CTRL_START]);
    let place = start == vy_START_PLACE_AND_RUN;
    var taken = 0u;
    for (var p = 0u; p < vy_PRIORITIES; p++) {
        var take = 0u;
        if (place) {
            let waiting = atomicLoad(&vy_ctrl[vy_CTRL_INBOX_TAIL + p])
                - atomicLoad(&vy_ctrl[vy_CTRL_INBOX_HEAD + p]);
            take = min(waiting, atomicLoad(&vy_ctrl[vy_CTRL_PART_SIZE + p]));
            taken += take;
        }
        atomicStore(&vy_ctrl[vy_CTRL_LIST_LEN + p], 0u);
        atomicStore(&vy_ctrl[vy_CTRL_LIST_NEXT + p], 0u);
        atomicStore(&vy_ctrl[vy_CTRL_INBOX_TAKE + p], take);
        atomicStore(&vy_ctrl[vy_CTRL_PARKED + p], 0u);
        atomicStore(&vy_ctrl[vy_CTRL_FREE_LEN + p], 0u);
        atomicStore(&vy_ctrl[vy_CTRL_FREE_NEXT + p], 0u);
    }
    if ((start & vy_START_MODE) == 0u) {
        return;
    }
    atomicStore(&vy_ctrl[vy_CTRL_START], taken);
    // The place grid: x alone while it fits a dimension's 65,535
    // workgroups (every adapter's least), else spread over y.
    let groups = taken / vy_MAINTAIN_WORKGROUP_SIZE
        + u32(taken % vy_MAINTAIN_WORKGROUP_SIZE != 0u);
    let y = max(groups / 65535u + u32(groups % 65535u != 0u), 1u);
    let x = groups / y + u32(groups % y != 0u);
    var grid = array<u32, 3>(x, y, 1u);
    for (var i = 0u; i < 3u; i++) {
        let full = vy_indirect[vy_INDIRECT_FULL_MAINTAIN + i];
        // x is 0 for the dispatch that does not run; y and z stay 1.
        let none = select(1u, 0u, i == 0u);
        vy_indirect[vy_INDIRECT_MAINTAIN + i] = select(full, none, place);
        vy_indirect[vy_INDIRECT_PLACE + i] = select(none, grid[i], place);
    }
}


//! The finalize pass: consumes the placed inbox entries, counts PLACED and
//! the round, and sizes the next dispatches. No placeholders.
// finalize (one invocation): consumes the inbox entries this pass placed
// (and counts them in PLACED), counts the round, then decides whether the
// ring is idle: nothing listed and every inbox empty. An idle ring cannot
// change before the host writes (no task runs, so nothing is spawned or
// finished, and nothing waits in an inbox), so the rest of the submission
// skips its work: the work and maintain dispatches get zero workgroups
// (vy_indirect) and prepare and finalize return at once, leaving the
// counts of this pass for the host to read. Busy, the next maintain
// dispatch gets the full grid the host wrote, and the next work dispatch
// as many workgroups as the listed tasks need (one lane each), at most the
// host's grid: a round with a few tasks does not start every lane. (The
// sharded form's work pass gets the full grid: each lane owns its slots.)
@compute @workgroup_size(1)
fn vy_finalize() {
    if (atomicLoad(&vy_ctrl[vy_CTRL_IDLE]) != 0u) {
        return;
    }
    var placed = 0u;
    var busy = false;
    var listed = 0u;
    for (var p = 0u; p < vy_PRIORITIES; p++) {
        let head = atomicLoad(&vy_ctrl[vy_CTRL_INBOX_HEAD + p]);
        let tail = atomicLoad(&vy_ctrl[vy_CTRL_INBOX_TAIL + p]);
        let take = atomicLoad(&vy_ctrl[vy_CTRL_INBOX_TAKE + p]);
        let consumed = min(take, tail - head);
        atomicStore(&vy_ctrl[vy_CTRL_INBOX_HEAD + p], head + consumed);
        placed += consumed;
        let len = atomicLoad(&vy_ctrl[vy_CTRL_LIST_LEN + p]);
        listed += len;
        busy = busy || tail != head + consumed || len != 0u;
    }
    atomicAdd(&vy_ctrl[vy_CTRL_PLACED], placed);
    atomicAdd(&vy_ctrl[vy_CTRL_ROUND], 1u);
    atomicStore(&vy_ctrl[vy_CTRL_IDLE], select(1u, 0u, busy));
    let needed = listed / vy_WORKGROUP_SIZE + u32(listed % vy_WORKGROUP_SIZE != 0u);
    for (var i = 0u; i < 3u; i++) {
        var work = vy_indirect[vy_INDIRECT_FULL_WORK + i];
        let maintain = vy_indirect[vy_INDIRECT_FULL_MAINTAIN + i];
        if (i == 0u && !vy_SHARDED) {
            work = min(work, needed);
        }
        // x is 0 when idle; y and z stay (a zero in x alone is enough).
        let keep = busy || i != 0u;
        vy_indirect[vy_INDIRECT_WORK + i] = select(0u, work, keep);
        vy_indirect[vy_INDIRECT_MAINTAIN + i] = select(0u, maintain, keep);
    }
    // The place pass runs only where the prepare before it sized it: an
    // idle round's prepare returns at once, and its place dispatch must
    // not run the last grid again.
    vy_indirect[vy_INDIRECT_PLACE] = 0u;
}

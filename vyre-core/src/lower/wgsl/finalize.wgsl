//! The finalize pass: consumes the placed inbox entries, counts PLACED and
//! the round. No placeholders.
// finalize (one invocation): consumes the inbox entries this pass placed
// (and counts them in PLACED), then counts the round.
@compute @workgroup_size(1)
fn vy_finalize() {
    var placed = 0u;
    for (var p = 0u; p < vy_PRIORITIES; p++) {
        let head = atomicLoad(&vy_ctrl[vy_CTRL_INBOX_HEAD + p]);
        let tail = atomicLoad(&vy_ctrl[vy_CTRL_INBOX_TAIL + p]);
        let take = atomicLoad(&vy_ctrl[vy_CTRL_INBOX_TAKE + p]);
        let consumed = min(take, tail - head);
        atomicStore(&vy_ctrl[vy_CTRL_INBOX_HEAD + p], head + consumed);
        placed += consumed;
    }
    atomicAdd(&vy_ctrl[vy_CTRL_PLACED], placed);
    atomicAdd(&vy_ctrl[vy_CTRL_ROUND], 1u);
}


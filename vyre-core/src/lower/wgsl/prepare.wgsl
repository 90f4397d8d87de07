//! The prepare pass, after the section comment of the entry points.
//! Placeholders (in comments): PRIORITIES, COPIED_WORDS (slot words after
//! the status word); COUNTER_ZEROES, a block (one store per word of
//! protocol::ctrl::SUBMISSION_COUNTERS, the list the CPU engines zero).
// ---- entry points ----

// Drivers that cut loops (see vy_loop_end) count per invocation and
// dispatch: the loops of the prepare, maintain and finalize passes run a
// few iterations per invocation ({{PRIORITIES}} partitions, {{COPIED_WORDS}} slot words, at most a
// workgroup's size for a rank), far below any such cap, so they always
// finish. The work pass's loops are guarded or argued in vy_work.

// prepare (one invocation): resets this pass's claim and free lists, inbox
// tickets and parked counts — unless the ring is idle (vy_finalize), when the
// counts of the last pass that ran are still the ring's. It also decides
// whether this pass places and runs (ctrl START): in a submission the host
// started so (the ring empty, the program one that places and runs), the
// first prepare does, and each later one as long as the submission has
// faulted and parked nothing — the program's slots hold nothing else
// between passes, so every slot is still EMPTY. Placing, it takes each
// partition's first inbox entries (as many as it has slots), gives the
// place pass a grid for them (below) and the next maintain pass none. The first prepare also sizes the first maintain and place
// dispatches when the submission starts with maintain, leaves in START
// whether later prepares may place (1) or not (0), and zeroes the counters
// the submission's summary reports (vy_clear_counters).
@compute @workgroup_size(1)
fn vy_prepare() {
    if (atomicLoad(&vy_ctrl[vy_CTRL_IDLE]) != 0u) {
        return;
    }
    let start = atomicLoad(&vy_ctrl[vy_CTRL_START]);
    let first = (start & vy_START_MODE) != 0u;
    let place_mode = (start | vy_START_MODE) == vy_START_PLACE_AND_RUN;
    // A later pass places while the submission has faulted nothing and the
    // last pass parked nothing; after a handler asked for shutdown, lanes
    // stop claiming, and no later pass places (and so runs) more either.
    // Only read in a submission that started by placing: every round's
    // prepare is one invocation's chain of loads.
    var place = place_mode && first;
    if (place_mode && !first) {
        var left = 0u; // parked by the last pass
        for (var p = 0u; p < vy_PRIORITIES; p++) {
            left += atomicLoad(&vy_ctrl[vy_CTRL_PARKED + p]);
        }
        place = left == 0u && atomicLoad(&vy_ctrl[vy_CTRL_FAULTED]) == 0u
            && atomicLoad(&vy_ctrl[vy_CTRL_SHUTDOWN]) == 0u;
    }
    // A round of a placing submission has no maintain pass to count the
    // parked slots again (gpu/engine/plan.rs): once its prepares stop
    // placing, the counts of the pass that parked stay the ring's.
    let keep_parked = place_mode && !first && !place;
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
        if (!keep_parked) {
            atomicStore(&vy_ctrl[vy_CTRL_PARKED + p], 0u);
        }
        atomicStore(&vy_ctrl[vy_CTRL_FREE_LEN + p], 0u);
        atomicStore(&vy_ctrl[vy_CTRL_FREE_NEXT + p], 0u);
    }
    if (first) {
        atomicStore(&vy_ctrl[vy_CTRL_START], u32(place_mode));
        vy_clear_counters();
    }
    // A submission that starts with maintain never places: its first
    // prepare sizes both dispatches once and later ones leave them alone.
    if (!first && !place_mode) {
        return;
    }
    // The place grid: one invocation per entry taken, up to vy_PLACE_SPREAD
    // invocations per lane of the work pass's full grid (the adapter's
    // tuned dispatch); past that an invocation takes several entries.
    let lanes = vy_indirect[vy_INDIRECT_FULL_WORK] * vy_WORKGROUP_SIZE * vy_PLACE_SPREAD;
    let most = max(lanes / vy_MAINTAIN_WORKGROUP_SIZE, 1u);
    let x = min(taken / vy_MAINTAIN_WORKGROUP_SIZE
        + u32(taken % vy_MAINTAIN_WORKGROUP_SIZE != 0u), most);
    var grid = array<u32, 3>(x, 1u, 1u);
    for (var i = 0u; i < 3u; i++) {
        // x is 0 for a dispatch that does not run; y and z stay 1.
        let none = select(1u, 0u, i == 0u);
        vy_indirect[vy_INDIRECT_PLACE + i] = select(none, grid[i], place);
        // Placing, the maintain pass has nothing to do; otherwise the first
        // maintain gets the full grid, and a later one what finalize chose.
        if (place) {
            vy_indirect[vy_INDIRECT_MAINTAIN + i] = none;
        } else if (first) {
            vy_indirect[vy_INDIRECT_MAINTAIN + i] = vy_indirect[vy_INDIRECT_FULL_MAINTAIN + i];
        }
    }
}

// The counters a summary reports, zeroed as its submission starts, so that
// each summary holds its own submission's counts. The device does it
// rather than the host: its five queue writes cost 20-45 us of every run()
// (H200, docs/benchmarks.md, session 28).
// Not FAULT_COUNT: it places fault records, and the host zeroes it once it
// has read them with no other submission in flight.
fn vy_clear_counters() {
    {{COUNTER_ZEROES}}
    for (var h = 0u; h < vy_HANDLERS; h++) {
        atomicStore(&vy_ctrl[vy_EXECUTED_BY_OP + h], 0u);
    }
}

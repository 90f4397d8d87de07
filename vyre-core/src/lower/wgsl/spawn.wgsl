//! ctx.spawn of a task of a given number of argument words, emitted once
//! per count the program's spawns use (lower/helpers.rs). Placeholders:
//! NAME (vy_spawn_<count>), PARAMS (`, a0: u32` and so on) and ARG_STORES
//! (one atomicStore per word: unrolled, since a loop could be cut by the
//! driver half-way, leaving a slot with some words of an earlier task).
// ctx.spawn(priority, task): takes the next slot of the partition's free
// list (the EMPTY slots the maintenance pass left, each handed out once,
// so no other writer can reach it), writes the task's header and its
// argument words, passed as values, and marks it PENDING (claimable after
// the next maintenance pass). False when the list is used up — the
// partition has no slot left that was EMPTY when the pass began and that
// no lane has reserved (a slot a task finishes in, or one a lane reserved
// and did not use, joins the list at the next maintenance pass): counted
// as refused — or the task has faulted. No loop and no compare-exchange:
// a spawn costs the same whatever the partition holds. Its code is
// inlined at every spawn site, and the driver's compile time grows with
// it, so it is kept small: one function with the words as values (no
// array to take apart, no second call for the shared part), and what the
// spawn owes the task's ticket (its refusals, the children the ticket
// follows) waits for vy_task_settle, once per task.
fn {{NAME}}(priority: u32, opcode: u32{{PARAMS}}) -> bool {
    if (vy_fault != 0u) {
        return false;
    }
    if (priority >= vy_PRIORITIES) {
        vy_fail(vy_FAULT_BAD_PRIORITY, priority);
        return false;
    }
    // A list this lane has seen used up stays used up for the rest of the
    // pass (FREE_LEN is fixed during a pass, FREE_NEXT only grows): the
    // spawn is refused without touching the control block, so a loop of
    // spawns into a full partition costs nothing, and FREE_NEXT passes
    // FREE_LEN by less than a block (1 << vy_SPAWN_DOUBLINGS) per lane and
    // priority (it cannot wrap).
    // No load of FREE_NEXT before the add: the add's result says whether
    // the list had room. The add is the one access a spawn makes to the
    // pass's hottest words; the two loads it used to make beside it cost
    // BFS a quarter of its time on an H100 (docs/benchmarks.md).
    //
    // Positions are reserved in blocks: a task's first vy_SPAWN_SINGLES
    // reservations in a partition take one position each (so a task that
    // spawns that many children or fewer takes exactly what it uses), and
    // each later one twice as many as the last (2, 4, …, at most
    // 1 << vy_SPAWN_DOUBLINGS). A task spawning a long run of children —
    // BFS discovering a hub, 1,253 of them — then waits
    // for one add per block instead of one per child (the add's result
    // decides what the spawn writes where, so each spawn waited for a round
    // trip to the hottest word: a third of BFS's time on an H100,
    // docs/benchmarks.md). Positions left over stay the lane's for the
    // rest of the pass; unused, their slots stay EMPTY and are listed again
    // at the next maintenance pass.
    var k = vy_NO_SPAWN;
    if (priority == vy_spawn_part && vy_spawn_next < vy_spawn_end) {
        k = vy_spawn_next;
        vy_spawn_next += 1u;
    } else {
        let bit = 1u << priority;
        let len = vy_free_len(priority);
        if ((vy_spawn_full & bit) == 0u) {
            // The task's reservations in this partition so far decide the
            // size: 1 for the first vy_SPAWN_SINGLES, then 2, 4, … (the
            // count stops where the block is full size; a select, not a
            // branch, at every spawn site).
            let runs = select(0u, vy_spawn_runs, priority == vy_spawn_part);
            let n = select(1u, 1u << (runs + 1u - vy_SPAWN_SINGLES), runs >= vy_SPAWN_SINGLES);
            k = atomicAdd(&vy_ctrl[vy_CTRL_FREE_NEXT + priority], n);
            vy_spawn_part = priority;
            vy_spawn_runs = min(runs + 1u, vy_SPAWN_SINGLES + vy_SPAWN_DOUBLINGS - 1u);
            vy_spawn_next = k + 1u;
            vy_spawn_end = min(k + n, len);
        }
        if (k >= len) {
            vy_spawn_full |= bit;
            vy_task_refused += 1u;
            return false;
        }
    }
    let slot = atomicLoad(&vy_ctrl[vy_CLAIM_LIST + vy_part_start(priority)
        + vy_part_size(priority) - 1u - k]);
    let base = slot * vy_SLOT_WORDS;
    // A ticket that follows descendants counts the new task live (at
    // vy_task_settle, before it can run); any other spawned task has no
    // ticket.
    let follows = (vy_ticket & vy_TICKET_DESCENDANTS) != 0u;
    vy_task_children += u32(follows);
    atomicStore(&vy_ring[base + vy_SLOT_OPCODE], opcode);
    atomicStore(&vy_ring[base + vy_SLOT_TENANT], vy_tenant);
    atomicStore(&vy_ring[base + vy_SLOT_TICKET], select(0u, vy_ticket, follows));
    {{ARG_STORES}}
    atomicStore(&vy_ring[vy_status_word(slot)], vy_STATUS_PENDING);
    vy_spawned += 1u;
    return true;
}

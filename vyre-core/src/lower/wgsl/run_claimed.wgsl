//! Inside either work loop: runs the claimed slot's handler and marks the
//! slot EMPTY (finished) or FAULT (slot, part, base, lane and the counters
//! are the loop's locals). A block of work_per_lane.wgsl and work_cooperative.wgsl;
//! no placeholders.
let opcode = atomicLoad(&vy_ring[base + vy_SLOT_OPCODE]);
let tenant = atomicLoad(&vy_ring[base + vy_SLOT_TENANT]);
let ticket = atomicLoad(&vy_ring[base + vy_SLOT_TICKET]);
vy_slot = slot;
vy_ticket = ticket;
vy_tenant = tenant;
vy_priority = part;
vy_fault = 0u;
vy_fault_detail = 0u;
vy_task_iters = 0u;
vy_task_refused = 0u;
vy_spawn_runs = 0u;
vy_task_children = 0u;
let handler = vy_dispatch(opcode, base);
vy_lane_iters += vy_task_iters;
vy_task_settle(ticket);
if (vy_fault != 0u) {
    vy_record_fault(slot, opcode, vy_fault, vy_fault_detail, tenant, part, lane, ticket);
    atomicStore(&vy_ring[vy_status_word(slot)], vy_STATUS_FAULT);
    vy_ticket_end(ticket);
    faulted += 1u;
} else {
    atomicStore(&vy_ring[vy_status_word(slot)], vy_STATUS_EMPTY);
    vy_ticket_end(ticket);
    executed += 1u;
    if (handler != run_op) {
        if (run_op_count != 0u) {
            atomicAdd(&vy_ctrl[vy_EXECUTED_BY_OP + run_op], run_op_count);
        }
        run_op = handler;
        run_op_count = 0u;
    }
    run_op_count += 1u;
    if (part != run_prio) {
        if (run_prio_count != 0u) {
            atomicAdd(&vy_ctrl[vy_CTRL_EXECUTED_BY_PRIORITY + run_prio], run_prio_count);
        }
        run_prio = part;
        run_prio_count = 0u;
    }
    run_prio_count += 1u;
}

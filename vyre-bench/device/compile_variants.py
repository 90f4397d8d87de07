#!/usr/bin/env python3
"""Hand-edited variants of a lowered module, for `compile_probe`: where the
driver's compile of the work pass goes (docs/benchmarks.md, "Probes").

    startup 1 1 --wgsl > h1.wgsl; startup 20 1 --wgsl > h20.wgsl
    python3 compile_variants.py h1.wgsl h20.wgsl DIR

writes into DIR, from the 1-handler module: `h1` as lowered; `nodispatch`
(the claim loop without the handler switch); `nospawn` (the handler, not the
deferred tail spawn); `noticket` (no switch, no ticket or fault book-keeping
per task); `oneprio` (no switch, the claim loops over one priority);
`onedir` (no switch, one list walk for both scan directions); `emptywork`
(the module, a work pass of two statements: the floor of a pipeline from
it); `flat1` (the handler switch in a plain kernel, no claim loop) and
`tiny` (a module of one binding and one atomic); from the 20-handler
module: `h20` and `flat20`. The variants only need to compile: they are
not correct programs.
"""
import os
import sys

CALL = 'let handler = vy_dispatch(opcode, base);'
SPAWN = '_ = vy_spawn_2(vy_tail_priority, vy_tail_opcode, vy_tail_a0, vy_tail_a1);'
BOOKS = ['vy_task_settle(ticket);',
         'vy_record_fault(slot, opcode, vy_fault, vy_fault_detail, tenant, part, lane, ticket);',
         'vy_ticket_end(ticket);']
PRIO_LOOP = 'for (var k = 0u; k < vy_PRIORITIES; k++)'
TAKE = 'let got = vy_take_tickets(0u, top) + vy_take_tickets(1u, bottom);'
WORK = '@compute @workgroup_size(vy_WORKGROUP_SIZE)\nfn vy_work('
FLAT = '''@compute @workgroup_size(vy_WORKGROUP_SIZE)
fn vy_work(@builtin(global_invocation_id) vy_gid: vec3<u32>) {
    vy_load_sizes();
    vy_spawn_start();
    let slot = vy_gid.x;
    let base = slot * vy_SLOT_WORDS;
    if (slot < vy_slots && vy_claimable(slot)) {
        let opcode = atomicLoad(&vy_ring[base + vy_SLOT_OPCODE]);
        vy_ticket = atomicLoad(&vy_ring[base + vy_SLOT_TICKET]);
        vy_fault = 0u;
        vy_task_iters = 0u;
        let handler = vy_dispatch(opcode, base);
        vy_task_settle(vy_ticket);
        atomicStore(&vy_ring[vy_status_word(slot)], select(vy_STATUS_EMPTY, vy_STATUS_FAULT, vy_fault != 0u));
        atomicAdd(&vy_ctrl[vy_EXECUTED_BY_OP + handler], 1u);
    }
    if (vy_spawned != 0u) {
        atomicAdd(&vy_ctrl[vy_CTRL_SPAWNED], vy_spawned);
    }
}
'''
EMPTY = '''@compute @workgroup_size(vy_WORKGROUP_SIZE)
fn vy_work(@builtin(global_invocation_id) vy_gid: vec3<u32>) {
    vy_load_sizes();
    atomicAdd(&vy_ctrl[vy_lane_state + vy_gid.x], 1u);
}
'''
TINY = '''@group(0) @binding(1) var<storage, read_write> vy_ctrl: array<atomic<u32>>;
@compute @workgroup_size(64)
fn vy_work(@builtin(global_invocation_id) g: vec3<u32>) { atomicAdd(&vy_ctrl[g.x], 1u); }
'''


def replaced(text, old, new):
    if old not in text:
        sys.exit(f'compile_variants: `{old}` is not in the module (the lowering changed)')
    return text.replace(old, new)


def before_work(text):
    if WORK not in text:
        sys.exit('compile_variants: no cooperative vy_work in the module')
    return text[:text.index(WORK)]


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    one, twenty, out = open(sys.argv[1]).read(), open(sys.argv[2]).read(), sys.argv[3]
    bare = replaced(one, CALL, 'let handler = opcode;')
    books = bare
    for line in BOOKS:
        books = replaced(books, line, '')
    variants = {
        'h1': one,
        'nodispatch': bare,
        'nospawn': replaced(one, SPAWN, ''),
        'noticket': books,
        'oneprio': replaced(bare, PRIO_LOOP, 'for (var k = 0u; k < 1u; k++)'),
        'onedir': replaced(bare, TAKE, 'let got = vy_take_tickets(0u, top + bottom);'),
        'emptywork': before_work(one) + EMPTY,
        'flat1': before_work(one) + FLAT,
        'tiny': TINY,
        'h20': twenty,
        'flat20': before_work(twenty) + FLAT,
    }
    os.makedirs(out, exist_ok=True)
    for name, text in variants.items():
        with open(os.path.join(out, name + '.wgsl'), 'w') as f:
            f.write(text)


if __name__ == '__main__':
    main()

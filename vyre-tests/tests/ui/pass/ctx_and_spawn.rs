#![allow(unused_variables)]

use vyre::prelude::*;

#[opcode(id = 0x10)]
pub fn h(ctx: &Ctx, out: &mut Buffer<u32>, depth: u32) {
    out[0] = ctx.lane() + ctx.slot() + ctx.tenant() + ctx.priority() as u32;
    if ctx.priority() == Priority::Critical || ctx.priority() >= Priority::Low {
        ctx.shutdown();
    }
    let p = ctx.priority();
    match p {
        Priority::High => out[1] = 1,
        _ => {}
    }
    if depth > 0 {
        ctx.spawn(Priority::High, h::task(depth - 1));
        let queued = ctx.spawn(p, other::task(1.5, -2, true));
        if !queued {
            ctx.fault(1);
        }
        if !ctx.spawn(depth % 5, other::task(0.0, 0, false)) {
            out[2] += 1;
        }
    }
    if depth > 100 {
        ctx.fault(depth);
    }
}

#[opcode]
pub fn other(x: f32, y: i32, z: bool) {}

fn main() {
    vyre::ir::validate_handler(&h::handler()).unwrap();
    vyre::ir::validate_handler(&other::handler()).unwrap();
}

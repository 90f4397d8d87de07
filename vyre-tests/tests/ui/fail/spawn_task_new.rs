#![allow(unused)]

use vyre::prelude::*;

#[opcode]
pub fn h(ctx: &Ctx, n: u32) {
    ctx.spawn(Priority::High, Task::new(7, [Literal::U32(n)]));
}

fn main() {}

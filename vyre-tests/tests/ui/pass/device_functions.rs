use vyre::prelude::*;

#[device]
pub fn square(x: u32) -> u32 {
    x * x
}

#[device]
fn first_at_least(buf: &Buffer<u32>, min: u32) -> u32 {
    for i in 0..buf.len() {
        if buf[i] >= min {
            return i;
        }
    }
    buf.len()
}

#[device]
fn note(ctx: &Ctx, counts: &Buffer<Atomic<u32>>, i: u32) {
    counts[i].fetch_add(1);
    if i > 10 {
        ctx.fault(2);
    }
}

mod util {
    use vyre::prelude::*;

    #[device]
    pub fn twice(x: u32) -> u32 {
        super::square(x) + 2 * x
    }
}

use util::twice;

#[opcode]
pub fn h(ctx: &Ctx, data: &Buffer<u32>, counts: &Buffer<Atomic<u32>>, out: &mut Buffer<u32>, n: u32) {
    out[0] = square(n) + util::twice(3) + twice(4);
    out[1] = first_at_least(data, n);
    note(ctx, counts, n % 4);
    let v = if n > 2 { square(2) } else { 0 };
    out[2] = data[0] + v + square(5);
}

fn main() {
    vyre::ir::validate_handler(&h::handler()).unwrap();
}

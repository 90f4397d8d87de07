use vyre::prelude::*;

#[opcode]
pub fn h(acc: &Buffer<Atomic<u32>>, iacc: &Buffer<Atomic<i32>>, out: &mut Buffer<u32>, n: u32, x: i32) {
    let a = acc[0].load();
    acc[1].store(a + 1);
    let b = acc[2].fetch_add(n) + acc[2].fetch_sub(1) + acc[3].fetch_min(n) + acc[3].fetch_max(n);
    let c = acc[4].fetch_and(n) ^ acc[4].fetch_or(n) ^ acc[4].fetch_xor(n) ^ acc[5].swap(n);
    iacc[0].fetch_min(x);
    iacc[0].fetch_max(x);
    out[0] = b + c + acc.len();
}

fn main() {
    vyre::ir::validate_handler(&h::handler()).unwrap();
}

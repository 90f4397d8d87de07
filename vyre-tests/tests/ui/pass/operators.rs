use vyre::prelude::*;

#[opcode]
pub fn h(out: &mut Buffer<u32>, iout: &mut Buffer<i32>, a: u32, b: u32, x: i32, p: bool, q: bool) {
    out[0] = a.wrapping_add(b).wrapping_sub(1).wrapping_mul(3);
    out[1] = a / (b | 1) + a % (b | 1);
    out[2] = a & b | a ^ b;
    out[3] = (a << 3) >> (b & 7);
    out[4] = !a;
    out[5] = ((a < b) && (a <= b) || (a > b) && (a >= b) || a == b || a != b) as u32;
    out[6] = (p & q | p ^ q) as u32 + (!p) as u32;
    iout[0] = -x >> 2;
    iout[1] = x << 3u32;
    iout[2] = !x;
}

fn main() {
    vyre::ir::validate_handler(&h::handler()).unwrap();
}

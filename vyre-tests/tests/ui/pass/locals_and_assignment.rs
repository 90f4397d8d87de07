use vyre::prelude::*;

#[opcode]
pub fn h(out: &mut Buffer<u32>, n: u32, mut m: i32) {
    let a = n + 1;
    let mut b: u32 = a * 2;
    b += 3;
    b -= 1;
    b *= 2;
    b /= 2;
    b %= 100;
    b &= 0xFF;
    b |= 1;
    b ^= 2;
    b <<= 1;
    b >>= 1i32;
    m -= 1;
    let a = a + b; // shadowing
    let _ = a;
    _ = m;
    out[0] = a;
    out[1] += b;
    out[2] <<= 2u32;
}

fn main() {
    vyre::ir::validate_handler(&h::handler()).unwrap();
}

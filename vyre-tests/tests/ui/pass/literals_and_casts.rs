use vyre::prelude::*;

const LIMIT: u32 = 10;
const SCALE: f32 = 0.25;
const NEG: i32 = -3;
const ON: bool = true;

#[opcode]
pub fn h(out: &mut Buffer<u32>, fout: &mut Buffer<f32>, n: u32, x: i32, f: f32, b: bool) {
    out[0] = 7;
    out[1] = 0xFF_u32 + 0b1010 + 0o17;
    out[2] = (x as u32) + (f as u32) + (b as u32) + (-1i32 as u32);
    out[3] = u32::MAX - n.min(5) + LIMIT - u32::MIN;
    out[4] = i32::MAX as u32 + 1;
    fout[0] = 1.5 + n as f32 + x as f32 + SCALE;
    fout[1] = f32::MAX.min(f) + f32::EPSILON + core::f32::consts::PI;
    fout[2] = 2f32 + 1e3 + (NEG as f32);
    let t = if ON { 1 } else { 0 };
    out[5] = t;
}


fn main() {
    vyre::ir::validate_handler(&h::handler()).unwrap();
}

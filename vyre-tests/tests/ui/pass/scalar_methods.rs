use vyre::prelude::*;

#[opcode]
pub fn h(out: &mut Buffer<u32>, iout: &mut Buffer<i32>, fout: &mut Buffer<f32>, a: u32, x: i32, f: f32) {
    out[0] = a.min(3) + a.max(4) + a.clamp(1, 9);
    out[1] = a.wrapping_add(1).wrapping_sub(2).wrapping_mul(3);
    out[2] = a.count_ones() + a.leading_zeros() + a.trailing_zeros();
    out[3] = a.rotate_left(3).rotate_right(1).reverse_bits();
    out[4] = u32::min(a, 2) + u32::wrapping_add(a, 1);
    iout[0] = x.abs() + x.min(0) + x.max(0) + x.clamp(-1, 1);
    iout[1] = x.wrapping_add(1).rotate_left(2).reverse_bits();
    fout[0] = f.sqrt() + f.floor() + f.ceil() + f.round();
    fout[1] = f.sin() + f.cos() + f.exp() + f.ln();
    fout[2] = f.powf(2.0) + f.mul_add(2.0, 1.0) + f.abs() + f.min(1.0) + f.max(0.0) + f.clamp(0.0, 1.0);
    fout[3] = f32::sqrt(f) + f32::abs(f);
}

fn main() {
    vyre::ir::validate_handler(&h::handler()).unwrap();
}

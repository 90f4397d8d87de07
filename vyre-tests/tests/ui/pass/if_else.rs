use vyre::prelude::*;

#[opcode]
pub fn h(inp: &Buffer<u32>, out: &mut Buffer<u32>, n: u32) {
    if n > 3 {
        out[0] = 1;
    }
    if n > 4 {
        out[1] = 1;
    } else if n > 2 {
        out[1] = 2;
    } else {
        out[1] = 3;
    }
    // Value ifs: a select (both branches cheap), and a branch with effects.
    let a = if n > 1 { n } else { 0 };
    let b = if n < inp.len() { inp[n] } else { 0 };
    let c = if n == 0 {
        out[2] = 9;
        5
    } else if n == 1 {
        6
    } else {
        return;
    };
    out[3] = a + b + c;
}

fn main() {
    vyre::ir::validate_handler(&h::handler()).unwrap();
}

use vyre::prelude::*;

#[opcode]
pub fn h(out: &mut Buffer<u32>, n: u32, x: i32) {
    match n {
        0 => out[0] = 1,
        1 | 2 | 3 => {
            out[0] = 2;
        }
        _ => {}
    }
    match x {
        -1 => out[1] = 1,
        7 => out[1] = 2,
        other => out[1] = other as u32,
    }
    let v = match n % 3 {
        0 => 10,
        1 => 20,
        _ => 30,
    };
    out[2] = v;
    match n {
        5 => return,
        6 => ctx_free(),
        _ => {}
    }
}

#[device]
pub fn ctx_free() {}

fn main() {
    vyre::ir::validate_handler(&h::handler()).unwrap();
}

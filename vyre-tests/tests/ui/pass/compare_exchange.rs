use vyre::prelude::*;

#[opcode]
pub fn h(acc: &Buffer<Atomic<u32>>, out: &mut Buffer<u32>, n: u32) {
    match acc[0].compare_exchange(0, n) {
        Ok(prev) => out[0] = prev,
        Err(actual) => out[0] = actual,
    }
    if let Ok(prev) = acc[1].compare_exchange(1, 2) {
        out[1] = prev;
    } else {
        out[1] = 0;
    }
    if let Err(actual) = acc[1].compare_exchange(2, 3) {
        out[2] = actual;
    }
    if acc[2].compare_exchange(0, 1).is_ok() {
        out[3] = 1;
    }
    let failed = acc[2].compare_exchange(0, 1).is_err();
    let r = acc[3].compare_exchange(4, 5);
    match r {
        Ok(_) => out[4] = 1,
        Err(_) => out[4] = failed as u32,
    }
    if r.is_ok() {
        out[5] = 1;
    }
    let old = match acc[4].compare_exchange(n, n + 1) {
        Ok(v) | Err(v) => v,
    };
    out[6] = old;
    let _ = acc[5].compare_exchange(0, 1);
}

fn main() {
    vyre::ir::validate_handler(&h::handler()).unwrap();
}

use vyre::prelude::*;

#[opcode]
pub fn h(out: &mut Buffer<u32>, n: u32, s: i32) {
    for i in 0..n {
        out[i] = i;
    }
    for i in 0..=n {
        if i == 2 {
            continue;
        }
        if i == 5 {
            break;
        }
    }
    for _ in 0..3u32 {}
    for k in -3..s {
        let _ = k;
    }
    let mut i = 0;
    while i < n {
        i += 1;
    }
    loop {
        i -= 1;
        if i == 0 {
            break;
        }
    }
    {
        let scoped = i;
        out[0] = scoped;
    }
}

fn main() {
    vyre::ir::validate_handler(&h::handler()).unwrap();
}

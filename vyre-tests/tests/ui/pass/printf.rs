use vyre::prelude::*;

#[opcode]
pub fn h(n: u32, x: i32, f: f32, b: bool) {
    vyre::printf!("plain");
    vyre::printf!("n = {}", n);
    printf!("{} {} {} {}", n, x, f, b);
    printf!("{{escaped}} {}", n + 1);
    printf!("six {} {} {} {} {} {}", n, n, n, n, n, n,);
}

fn main() {
    vyre::ir::validate_handler(&h::handler()).unwrap();
}

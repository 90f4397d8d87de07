use vyre::prelude::*;

#[opcode]
pub fn nothing() {}

#[cfg(any())]
#[opcode]
pub fn compiled_out(n: u32) {}

#[opcode]
fn private_handler(ctx: &Ctx) {
    ctx.shutdown();
}

fn main() {
    vyre::ir::validate_handler(&nothing::handler()).unwrap();
    vyre::ir::validate_handler(&private_handler::handler()).unwrap();
}

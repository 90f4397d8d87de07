// The generated code names everything by absolute path, so it works where
// the prelude is not in scope.
#[no_implicit_prelude]
mod bare {
    #[::vyre::opcode(id = 5)]
    pub fn h(ctx: &::vyre::host::Ctx, out: &mut ::vyre::host::Buffer<u32>, n: u32) {
        let mut i = 0u32;
        while i < n {
            out[i] += 1;
            i += 1;
        }
        ::vyre::printf!("{}", n);
        ctx.spawn(::vyre::Priority::Low, h::task(n));
        let _ = helper(n);
    }

    #[::vyre::device]
    pub fn helper(x: u32) -> u32 {
        x + 1
    }
}

fn main() {
    vyre::ir::validate_handler(&bare::h::handler()).unwrap();
    let _ = bare::h::task(1);
}

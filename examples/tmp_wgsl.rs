use vyre::ir::{Access, BufferKind, HandlerBuilder, ScalarType};
use vyre::program::ProgramConfig;
use vyre::Program;
fn main() {
    let u = ScalarType::U32;
    let mut g = HandlerBuilder::new(100, "good");
    let hits = g.buffer("hits", u, Access::Atomic);
    g.body(|b| b.eval(hits.fetch_add(0u32, 1u32)));
    let mut h = HandlerBuilder::new(4, "spin");
    let _d = h.buffer("data", u, Access::ReadWrite);
    h.body(|b| b.loop_(|_| {}));
    let p = Program::builder("faults")
        .config(ProgramConfig {
            slots: 64,
            loop_limit: 500,
            tenants: 2,
            ..Default::default()
        })
        .buffer("hits", BufferKind::atomic(u))
        .buffer("data", BufferKind::plain(u))
        .opcode(g.finish().unwrap())
        .opcode(h.finish().unwrap())
        .build()
        .unwrap();
    print!("{}", p.wgsl());
}

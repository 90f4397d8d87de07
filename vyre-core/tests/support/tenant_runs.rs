//! The two runs of a scheduling scenario around a disabled tenant, shared
//! by the tests that hold a backend's scheduling against the reference's.
//! Their programs count into two atomic buffers: `per_priority` (5
//! words) and `seen` (64).

use vyre_core::ir::{BufferKind, ScalarType};
use vyre_core::program::{OpcodeHandler, Program, ProgramConfig};
use vyre_core::{RunLimits, RunReport, Runtime};

/// A scenario's program: `handler` over the two counting buffers.
pub fn program(name: &str, config: ProgramConfig, handler: OpcodeHandler) -> Program {
    Program::builder(name)
        .config(config)
        .buffer("per_priority", BufferKind::atomic(ScalarType::U32))
        .buffer("seen", BufferKind::atomic(ScalarType::U32))
        .opcode(handler)
        .build()
        .expect("program")
}

/// What the two runs did together.
pub struct TenantRuns {
    /// The first run (the disabled tenant's tasks park).
    pub first: RunReport,
    /// The second, after the tenant is enabled.
    pub second: RunReport,
    /// Tasks executed per priority over both.
    pub by_priority: [u64; 5],
    /// `per_priority` and `seen` after both.
    pub buffers: (Vec<u32>, Vec<u32>),
    /// Whether the books balance with nothing waiting.
    pub balanced: bool,
}

/// Zeroes the two buffers, disables the tenant table's last tenant, lets
/// `publish` publish (it is given that tenant), runs, enables the tenant
/// and runs again.
pub fn around_a_disabled_tenant(
    rt: &mut Runtime,
    publish: impl FnOnce(&mut Runtime, u32),
) -> TenantRuns {
    let pp = rt.buffer::<u32>("per_priority").unwrap();
    let seen = rt.buffer::<u32>("seen").unwrap();
    rt.upload(pp, &[0; 5]).unwrap();
    rt.upload(seen, &[0; 64]).unwrap();
    let last = rt.program().config().tenants - 1;
    rt.disable_tenant(last).unwrap();
    rt.set_limits(RunLimits {
        max_rounds: 10_000,
        ..RunLimits::default()
    })
    .unwrap();
    publish(rt, last);
    let first = rt.run().unwrap();
    rt.enable_tenant(last).unwrap();
    let second = rt.run().unwrap();
    let mut by_priority = first.executed_by_priority;
    for (a, b) in by_priority.iter_mut().zip(second.executed_by_priority) {
        *a += b;
    }
    let books = rt.accounting();
    TenantRuns {
        first,
        second,
        by_priority,
        buffers: (rt.read(pp).unwrap(), rt.read(seen).unwrap()),
        balanced: books.balanced() && books.waiting == 0,
    }
}

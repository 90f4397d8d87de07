//! Waiting for a submission (`VYRE_WAIT_SPIN_US`): a run's results and
//! books are exact whether each wait polls the device until the submission
//! ends, polls a moment and then blocks, or blocks at once. Software adapters
//! block by default, so without this test CI would never take the polling
//! path.

mod common;

use vyre::prelude::*;

/// Counts itself and spawns two children while `depth > 0`: several
/// submissions, each waited for.
#[opcode]
pub fn fork(ctx: &Ctx, seen: &Buffer<Atomic<u32>>, depth: u32) {
    seen[0].fetch_add(1);
    if depth > 0 {
        ctx.spawn(Priority::Normal, fork::task(depth - 1));
        ctx.spawn(Priority::Normal, fork::task(depth - 1));
    }
}

megakernel! {
    /// A ring small enough for a tree to take many submissions.
    pub struct Forks {
        workgroup_size: 8,
        slots: 640,
        buffers: { seen: Atomic<u32> },
        opcodes: [fork],
    }
}

#[test]
fn every_way_of_waiting_gives_the_same_run() {
    // Read when a device opens; this binary's only test sets it.
    for spin in ["10000000", "1", "0"] {
        std::env::set_var("VYRE_WAIT_SPIN_US", spin);
        let Some(gpu) = common::wgpu_backend("wait_spin") else {
            return;
        };
        let mut k = Forks::new(&gpu).unwrap();
        k.seen().upload(&[0]).unwrap();
        for _ in 0..4 {
            k.publish(Priority::High, fork::task(6)).unwrap();
        }
        let report = k.run().unwrap();
        let seen = k.seen().read().unwrap()[0];
        assert!(report.submissions > 1, "spin {spin}: several waits");
        assert_eq!(u64::from(seen), report.executed, "spin {spin}");
        assert_eq!(report.executed, 4 + report.spawned, "spin {spin}");
        assert!(k.runtime().accounting().balanced(), "spin {spin}");
    }
    std::env::remove_var("VYRE_WAIT_SPIN_US");
}

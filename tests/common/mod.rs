//! Shared by the integration tests: backends to compare, and the parts of a
//! report that every backend must agree on.

#![allow(dead_code)]

use vyre::prelude::*;

/// Whether GPU tests must run (CI sets it after installing lavapipe).
pub fn gpu_required() -> bool {
    std::env::var("VYRE_REQUIRE_GPU").is_ok_and(|v| v == "1")
}

/// The wgpu backend on any adapter (lavapipe included), or `None` with a
/// printed notice when there is none; with `VYRE_REQUIRE_GPU=1` a missing
/// adapter fails the test instead.
pub fn wgpu_backend(test: &str) -> Option<Gpu> {
    match Gpu::wgpu() {
        Ok(gpu) => Some(gpu),
        Err(e) if gpu_required() => panic!("{test}: VYRE_REQUIRE_GPU=1 but no wgpu adapter: {e}"),
        Err(e) => {
            eprintln!("{test}: skipping the wgpu half: no wgpu adapter ({e}); set VYRE_REQUIRE_GPU=1 to make this a failure");
            None
        }
    }
}

/// The reference interpreter and, where an adapter exists, wgpu.
pub fn backends(test: &str, workgroups: u32) -> Vec<Gpu> {
    let mut v = vec![Gpu::reference().with_workgroups(workgroups).with_seed(7)];
    v.extend(wgpu_backend(test).map(|g| g.with_workgroups(workgroups)));
    v
}

/// The native backend, the reference interpreter with `workgroups`
/// workgroups and, where an adapter exists, wgpu.
pub fn every_backend(test: &str, workgroups: u32) -> Vec<Gpu> {
    let mut v = vec![Gpu::cpu(), Gpu::reference().with_workgroups(workgroups)];
    v.extend(wgpu_backend(test));
    v
}

/// The parts of a report that do not depend on timing or slot placement.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub stop: StopReason,
    pub executed: u64,
    pub executed_by_opcode: Vec<(u32, u64)>,
    pub executed_by_priority: [u64; 5],
    pub spawned: u64,
    pub spawn_overflows: u64,
    pub parked: u64,
    pub waiting: u64,
    pub published: u64,
    /// (opcode, kind, tenant, priority), sorted.
    pub faults: Vec<(u32, FaultKind, u32, u32)>,
    /// Sorted lines.
    pub printf: Vec<String>,
}

impl Outcome {
    pub fn of(r: &RunReport) -> Outcome {
        let mut faults: Vec<_> = r
            .faults
            .iter()
            .map(|f| (f.opcode, f.kind, f.tenant, f.priority))
            .collect();
        faults.sort_by_key(|f| format!("{f:?}"));
        let mut printf = r.printf.clone();
        printf.sort();
        Outcome {
            stop: r.stop,
            executed: r.executed,
            executed_by_opcode: r
                .executed_by_opcode
                .iter()
                .map(|c| (c.id, c.executed))
                .collect(),
            executed_by_priority: r.executed_by_priority,
            spawned: r.spawned,
            spawn_overflows: r.spawn_overflows,
            parked: r.parked,
            waiting: r.waiting,
            published: r.published,
            faults,
            printf,
        }
    }
}

/// Runs `scenario` on every backend and asserts they agree on its result.
/// Returns the reference backend's result.
pub fn on_every_backend<R: PartialEq + std::fmt::Debug>(
    test: &str,
    workgroups: u32,
    scenario: impl Fn(&Gpu) -> R,
) -> R {
    let mut results = Vec::new();
    for gpu in backends(test, workgroups) {
        let r = scenario(&gpu);
        results.push((gpu.description(), r));
    }
    let (first_name, first) = &results[0];
    for (name, r) in &results[1..] {
        assert_eq!(first, r, "{test}: {first_name} and {name} disagree");
    }
    results.swap_remove(0).1
}

/// The language issue's particle, shared by the struct tests.
#[derive(Clone, Copy, Debug, PartialEq, vyre::Element)]
#[repr(C)]
pub struct Particle {
    pub pos: [f32; 2],
    pub vel: [f32; 2],
    pub id: u32,
    pub hits: u32,
}

/// Particle `k` of a test set: positions left and right of the wall at 0,
/// velocities that carry some across it.
pub fn particle(k: u32) -> Particle {
    Particle {
        pos: [k as f32 * 0.25 - 3.0, 1.5 + k as f32],
        vel: [-1.0 + k as f32 * 0.125, 0.5],
        id: 0,
        hits: k % 3,
    }
}

/// A waker that unparks the current thread.
pub fn thread_waker() -> std::task::Waker {
    /// Wakes a parked thread.
    struct Unpark(std::thread::Thread);

    impl std::task::Wake for Unpark {
        fn wake(self: std::sync::Arc<Self>) {
            self.0.unpark();
        }
    }
    std::task::Waker::from(std::sync::Arc::new(Unpark(std::thread::current())))
}

/// The smallest executor: polls `f` on this thread, parking between
/// polls (what the service and async tests await futures with, beside
/// pollster).
pub fn park_on<F: std::future::Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    let waker = thread_waker();
    let mut cx = std::task::Context::from_waker(&waker);
    loop {
        if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
        std::thread::park();
    }
}

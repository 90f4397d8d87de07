//! The examples' own logic, run small on the CPU backends and on wgpu
//! (lavapipe in CI; skipped with a notice when there is no adapter, a
//! failure with `VYRE_REQUIRE_GPU=1`), with each result checked.
//!
//! Each example keeps its work in a public function next to its `main`;
//! this file includes the example sources as modules and calls them.

mod common;

#[allow(dead_code)]
#[path = "../examples/hello.rs"]
mod hello;

#[allow(dead_code)]
#[path = "../examples/priority_scheduler.rs"]
mod priority_scheduler;

use common::wgpu_backend;
use vyre::prelude::*;

/// The native and reference CPU backends, and wgpu where there is one.
fn every_backend(test: &str) -> Vec<Gpu> {
    let mut v = vec![Gpu::cpu(), Gpu::reference()];
    v.extend(wgpu_backend(test));
    v
}

#[test]
fn hello_squares_and_greets_on_every_backend() {
    for gpu in every_backend("hello_squares_and_greets_on_every_backend") {
        let (values, lines) = hello::hello(&gpu, 8).unwrap();
        assert_eq!(values, (0..8).map(|i| i * i).collect::<Vec<u32>>());
        assert_eq!(lines.len(), 8, "{lines:?}");
        assert!(lines[3].starts_with("hello from task 3 on lane"), "{lines:?}");
    }
}

#[test]
fn priority_scheduler_counts_match_what_was_published() {
    use priority_scheduler::{plan, schedule, UNLUCKY};
    let jobs = 40;
    // The expectation, computed independently of the example's checks.
    let mut executed = [0u64; 5];
    let mut faulted = 0;
    for n in 0..jobs {
        for p in Priority::ALL {
            if plan(n, p).1 % UNLUCKY == 0 {
                faulted += 1;
            } else {
                executed[p.index()] += 1;
            }
        }
    }
    assert!(faulted > 0, "the scenario includes faults");
    for gpu in every_backend("priority_scheduler_counts_match_what_was_published") {
        let s = schedule(&gpu, jobs).unwrap();
        assert_eq!(s.published, u64::from(jobs) * 5);
        assert_eq!(s.executed, executed, "{}", gpu.description());
        assert_eq!(s.faulted, faulted);
        assert_eq!(s.parked, 50, "tenant 3's quarter waits out run 1");
        assert_eq!(
            s.per_tenant.iter().map(|&t| u64::from(t)).sum::<u64>(),
            executed.iter().sum::<u64>()
        );
    }
}

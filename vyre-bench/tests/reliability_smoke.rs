//! Smoke test of the reliability binary (`src/bin/reliability.rs`): its
//! `--quick` storm, soak and service soak, on the reference interpreter and on wgpu
//! (lavapipe in CI). Not timed: the storm checks every scenario's counts
//! exactly, the soak checks the handlers' own counters against every
//! report and the books at the end.

// The root's test helpers, shared rather than copied.
#[path = "../../tests/common/mod.rs"]
mod common;

use vyre_bench::reliability as workload;

use vyre::prelude::*;
use workload::{service_soak, soak, storm, SoakOptions, StormOptions, SCENARIOS};

fn backends() -> Vec<Gpu> {
    let mut v = vec![Gpu::reference()];
    v.extend(common::wgpu_backend("reliability smoke"));
    v
}

#[test]
fn quick_storm_counts_are_exact() {
    for gpu in backends() {
        let mut lines = Vec::new();
        let results = storm(&gpu, &StormOptions::quick(), &mut |l| {
            lines.push(l.to_string())
        })
        .unwrap_or_else(|e| panic!("{}: {e}", gpu.description()));
        assert_eq!(results.len(), SCENARIOS.len());
        for r in &results {
            assert!(r.problems.is_empty(), "{}: {}", gpu.description(), r.line());
            assert!(r.faulted + r.executed + r.overflows > 0, "{}", r.line());
        }
        for l in lines {
            eprintln!("{}: {l}", gpu.kind());
        }
    }
}

#[test]
fn quick_soak_is_exact() {
    for gpu in backends() {
        let opts = SoakOptions::quick();
        let r =
            soak(&gpu, &opts, &mut |_| {}).unwrap_or_else(|e| panic!("{}: {e}", gpu.description()));
        eprintln!("{}: {}", gpu.kind(), r.summary());
        assert!(r.done() >= opts.tasks, "{}", r.summary());
        assert!(r.spawned > r.published, "spawn-driven: {}", r.summary());
        assert!(r.overflows > 0, "partitions overflowed: {}", r.summary());
        assert!(r.faulted > 0, "faults mixed in: {}", r.summary());
    }
}

#[test]
fn quick_service_soak_is_exact() {
    for gpu in backends() {
        let opts = SoakOptions::quick();
        let r = service_soak(&gpu, &opts, &mut |_| {})
            .unwrap_or_else(|e| panic!("{}: {e}", gpu.description()));
        eprintln!("{}: {}", gpu.kind(), r.summary());
        assert!(r.executed + r.faulted >= opts.tasks, "{}", r.summary());
        assert!(r.overflows > 0, "partitions overflowed: {}", r.summary());
        assert!(r.tickets == r.published, "{}", r.summary());
    }
}

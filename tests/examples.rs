//! The examples' own logic, run small on the CPU backends and on wgpu
//! (lavapipe in CI; skipped with a notice when there is no adapter, a
//! failure with `VYRE_REQUIRE_GPU=1`), with each result checked.
//!
//! Each example keeps its work in a public function next to its `main`;
//! this file includes the example sources as modules and calls them.

// Each example includes `examples/common/mod.rs`; here they are all one
// crate, so that file is loaded once per example (on purpose).
#![allow(clippy::duplicate_mod)]

mod common;

#[allow(dead_code)]
#[path = "../examples/hello.rs"]
mod hello;

#[allow(dead_code)]
#[path = "../examples/priority_scheduler.rs"]
mod priority_scheduler;

#[allow(dead_code)]
#[path = "../examples/bfs.rs"]
mod bfs;

#[allow(dead_code)]
#[path = "../examples/scan.rs"]
mod scan;

#[allow(dead_code)]
#[path = "../examples/particles.rs"]
mod particles;

#[allow(dead_code)]
#[path = "../examples/wgpu_interop.rs"]
mod wgpu_interop;

#[allow(dead_code)]
#[path = "../examples/host_requests.rs"]
mod host_requests;

#[allow(dead_code)]
#[path = "../examples/multi_gpu.rs"]
mod multi_gpu;

// The examples' flag parser, included once more to test it directly
// (without the process exits of `parse_args`).
#[path = "../examples/common/mod.rs"]
mod flags;

use common::wgpu_backend;
use vyre::prelude::*;

// The proof that vyre's shaders may go without naga's loop and division
// checks (`vyre-core/tests/trusted_shaders.rs`).
#[path = "../vyre-core/tests/wgsl_common/trusted.rs"]
#[allow(dead_code)]
mod trusted;

#[test]
fn every_example_may_go_without_nagas_loop_and_division_checks() {
    let programs = [
        hello::Hello::try_program().unwrap(),
        priority_scheduler::Scheduler::try_program().unwrap(),
        bfs::Bfs::try_program().unwrap(),
        scan::Scan::try_program().unwrap(),
        particles::Particles::try_program().unwrap(),
        wgpu_interop::Interop::try_program().unwrap(),
        host_requests::WordCount::try_program().unwrap(),
    ];
    // Each in both scheduling forms: the sharded work pass has its own
    // loop over the lane's slots.
    let sharded: Vec<_> = programs
        .iter()
        .map(|p| {
            let config = vyre::ProgramConfig {
                sharded: true,
                ..p.config().clone()
            };
            (**p).clone().with_config(config).unwrap()
        })
        .collect();
    for program in programs.iter().map(|p| &**p).chain(&sharded) {
        for options in vyre::lower::LowerOptions::all() {
            trusted::assert_trusted(
                &format!(
                    "example `{}` (sharded: {}), {options:?}",
                    program.name(),
                    program.config().sharded
                ),
                &vyre::lower::wgsl_with(program, &options),
            );
        }
    }
}

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
        assert!(
            lines[3].starts_with("hello from task 3 on lane"),
            "{lines:?}"
        );
    }
}

#[test]
fn host_requests_count_the_words_of_files_on_every_backend() {
    let dir = std::env::temp_dir().join(format!("vyre-host-requests-test-{}", std::process::id()));
    let files = host_requests::write_files(&dir, 6).unwrap();
    let want: Vec<u32> = files
        .iter()
        .map(|p| host_requests::count_words(&std::fs::read(p).unwrap()))
        .collect();
    assert!(want.iter().all(|&w| w > 0), "{want:?}");
    let chunks: u64 = files
        .iter()
        .map(|p| std::fs::metadata(p).unwrap().len() / u64::from(host_requests::CHUNK_BYTES) + 1)
        .sum();
    for gpu in every_backend("host_requests_count_the_words_of_files_on_every_backend") {
        let (got, requested) = host_requests::count_files(&gpu, &files).unwrap();
        assert_eq!(got, want, "{}", gpu.description());
        // One request, one continuation, per chunk of every file.
        assert_eq!(requested, chunks, "{}", gpu.description());
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn particles_match_plain_rust_on_every_backend() {
    let start = particles::particles(500);
    let want = particles::reference(&start, 12, 0.5);
    assert!(
        want.0.iter().any(|p| p.hits > 0),
        "some particles hit a wall"
    );
    for gpu in every_backend("particles_match_plain_rust_on_every_backend") {
        let got = particles::simulate(&gpu, &start, 12, 0.5).unwrap();
        particles::compare(&got, &want).unwrap_or_else(|e| panic!("{}: {e}", gpu.description()));
    }
}

#[test]
fn priority_scheduler_counts_match_what_was_published() {
    use priority_scheduler::{cost, plan, serve, Load, UNLUCKY};
    let load = Load {
        threads: 3,
        calls: Some(25),
        seconds: 0.0,
    };
    // The expectation, computed independently of the example's checks.
    let mut executed = [0u64; 5];
    let mut faulted = 0;
    for t in 0..load.threads {
        for c in 0..25 {
            let (priority, _, jobs) = plan(t, c);
            for j in 0..jobs {
                if cost((c * priority_scheduler::BATCH + j) * 64 + t) % UNLUCKY == 0 {
                    faulted += 1;
                } else {
                    executed[priority.index()] += 1;
                }
            }
        }
    }
    for gpu in every_backend("priority_scheduler_counts_match_what_was_published") {
        let s = serve(&gpu, load).unwrap();
        assert_eq!(s.published, executed.iter().sum::<u64>() + faulted);
        assert_eq!(s.executed, executed, "{}", gpu.description());
        assert_eq!(s.faulted, faulted);
        assert_eq!(
            s.per_tenant.iter().map(|&t| u64::from(t)).sum::<u64>(),
            executed.iter().sum::<u64>()
        );
        // One latency per ticket: 25 calls per thread.
        let tickets: usize = s.latencies.iter().map(Vec::len).sum();
        assert_eq!(tickets, 75);
    }
}

#[test]
fn bfs_distances_match_a_cpu_bfs() {
    let g = bfs::uniform_graph(2_000, 16_000, 42);
    let expect = bfs::cpu_bfs(&g, 0);
    assert!(expect.iter().filter(|&&d| d != u32::MAX).count() > 1_900);
    for gpu in every_backend("bfs_distances_match_a_cpu_bfs") {
        let run = bfs::bfs_checked(&gpu, &g).unwrap();
        assert_eq!(run.dist, expect, "{}", gpu.description());
        assert!(run.tasks >= 1_900);
    }
}

#[test]
fn scan_counts_match_aho_corasick_across_chunk_borders() {
    // Chunks of 16 bytes: most 3..10-byte patterns straddle some border.
    let (text, patterns) = scan::generate(20_000, 12, 3);
    let expect = scan::oracle(&text, &patterns).unwrap();
    assert!(expect.iter().all(|&c| c > 0) || expect.iter().sum::<u32>() > 100);
    for gpu in every_backend("scan_counts_match_aho_corasick_across_chunk_borders") {
        let run = scan::scan_checked(&gpu, &text, &patterns, 16).unwrap();
        assert_eq!(run.counts, expect, "{}", gpu.description());
        assert_eq!(run.tasks, 20_000u64.div_ceil(16));
    }
}

#[test]
fn scan_overlapping_matches_count_once_each() {
    // "AA" occurs 3 times in "AAAA", at the border of 2-byte chunks too.
    let text = b"AAAA".to_vec();
    let patterns = vec![b"AA".to_vec(), b"AAA".to_vec(), b"C".to_vec()];
    assert_eq!(scan::oracle(&text, &patterns).unwrap(), [3, 2, 0]);
    for chunk in [1, 2, 3, 4] {
        let run = scan::scan_checked(&Gpu::cpu(), &text, &patterns, chunk).unwrap();
        assert_eq!(run.counts, [3, 2, 0], "chunk {chunk}");
    }
}

/// Regression: with the old default `iteration_budget` (65,536), lavapipe's
/// cap of 65,535 loop iterations per invocation cut lanes short and chunks
/// of hundreds of bytes lost matches on wgpu (the H100 always agreed). The
/// default budget now keeps a lane under the cap.
#[test]
fn scan_with_large_chunks_on_wgpu() {
    let Some(gpu) = wgpu_backend("scan_with_large_chunks_on_wgpu") else {
        return;
    };
    let (text, patterns) = scan::generate(200_000, 16, 7);
    scan::scan_checked(&gpu, &text, &patterns, 1024).unwrap();
}

/// The examples' hand-written parser accepts what clap accepted before
/// (`--flag value`, `--flag=value`, `--help`) and refuses the rest with a
/// message naming the flag.
#[test]
fn example_flags_parse_and_refuse() {
    use flags::{number, parse_from, usage, Backend, Emit, Flag};
    let own = [Flag {
        name: "--jobs",
        value: "N",
        help: "jobs",
    }];
    let args = |s: &str| s.split_whitespace().map(String::from).collect::<Vec<_>>();
    let mut jobs = 0;
    let common = parse_from(
        args("--backend native --emit=wgsl --jobs 40"),
        &own,
        |_, v| {
            jobs = number(v, 1..=800)?;
            Ok(())
        },
    )
    .unwrap()
    .unwrap();
    assert_eq!(common.backend, Some(Backend::Native));
    assert_eq!(common.emit, Some(Emit::Wgsl));
    assert_eq!(jobs, 40);
    let defaults = parse_from(args(""), &own, |_, _| Ok(())).unwrap().unwrap();
    assert_eq!((defaults.backend, defaults.emit), (None, None));
    assert!(parse_from(args("--emit ir --help"), &own, |_, _| Ok(()))
        .unwrap()
        .is_none());
    for (bad, why) in [
        ("--backend cuda", "expected wgpu, reference or native"),
        ("--emit ptx", "expected ir or wgsl"),
        ("--jobs 0", "0 is not in 1..=800"),
        ("--jobs many", "invalid digit"),
        ("--jobs", "'--jobs' needs a value"),
        ("--jobs --emit ir", "'--jobs' needs a value"),
        ("--frobs 1", "unexpected argument '--frobs'"),
        ("extra", "unexpected argument 'extra'"),
        ("--emit ir --emit wgsl", "more than once"),
    ] {
        let err = parse_from(args(bad), &own, |_, v| number(v, 1..=800u32).map(drop)).unwrap_err();
        assert!(err.contains(why), "{bad}: {err}");
    }
    let text = usage("demo", "A demo.", &own);
    for line in [
        "A demo.",
        "Usage: demo [OPTIONS]",
        "--backend wgpu|reference|native",
        "--emit ir|wgsl",
        "--jobs N",
        "--help",
    ] {
        assert!(text.contains(line), "{line} missing from\n{text}");
    }
}

#[test]
fn wgpu_interop_shares_the_applications_device_and_buffer() {
    match wgpu_interop::interop(1000).unwrap() {
        Some(values) => {
            let want: Vec<u32> = (0..1000).map(|i| i * i * 3 + 1).collect();
            assert_eq!(values, want);
        }
        None => assert!(
            !common::gpu_required(),
            "VYRE_REQUIRE_GPU=1 but the example found no wgpu adapter"
        ),
    }
}

#[test]
fn multi_gpu_spreads_the_work_over_a_set_and_checks_it() {
    let mut sets = vec![
        GpuSet::new(vec![Gpu::cpu(), Gpu::cpu()]).unwrap(),
        GpuSet::new(vec![Gpu::reference(), Gpu::cpu()]).unwrap(),
    ];
    sets.extend(wgpu_backend("multi_gpu").map(|g| GpuSet::new(vec![g, Gpu::cpu()]).unwrap()));
    for set in sets {
        let summary = multi_gpu::multi_gpu(&set, 5_000, 2).unwrap();
        assert!(summary.balanced);
        let report = &summary.report;
        assert_eq!(report.devices.len(), set.len());
        assert_eq!(report.total.executed, 5_000 + 2 * 2047);
        assert_eq!(report.shares().iter().sum::<u64>(), report.total.executed);
    }
}

//! Criterion benchmarks of the CPU paths the suite compares against:
//! the reference interpreter running the trivial and mix workloads
//! through the runtime, and the plain single-threaded Rust versions of
//! the same work (trivial counters, hashing, BFS on an RMAT graph).
//!
//! ```text
//! cargo bench --bench cpu_paths
//! ```
//!
//! The GPU paths are measured by `examples/bench.rs`, not here: criterion's
//! wall-clock sampling cannot see GPU timestamps, and one GPU run is
//! already an average over millions of tasks.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use vyre::{Gpu, Priority, Runtime};

// The suite's own unit tests are compiled (benches build with cfg(test))
// but not run here; the smoke test runs them.
#[allow(dead_code, unused_imports)]
#[path = "../examples/bench/suite.rs"]
mod suite;

use suite::{cpu, graph, programs};

fn plain_rust(c: &mut Criterion) {
    let mut g = c.benchmark_group("plain_rust");
    let n = 1 << 16;
    let args: Vec<u32> = (0..n)
        .map(|k| cpu::trivial_arg(k, programs::HITS))
        .collect();
    g.throughput(Throughput::Elements(n as u64));
    g.bench_function("trivial_64k", |b| {
        let mut hits = vec![0u32; programs::HITS as usize];
        b.iter(|| cpu::trivial(black_box(&args), &mut hits));
    });
    let tasks: Vec<u32> = (0..n as u32)
        .flat_map(|i| [i % 5, cpu::mix_seed(i)])
        .collect();
    g.bench_function("mix_64k", |b| {
        let mut out = vec![0u32; n];
        b.iter(|| cpu::mix(black_box(&tasks), &mut out));
    });
    let csr = graph::rmat(14, 16, 14);
    let root = graph::pick_root(&csr, 7);
    g.throughput(Throughput::Elements(graph::bfs(&csr, root).edges_scanned));
    g.bench_function("bfs_rmat14", |b| {
        b.iter(|| graph::bfs(black_box(&csr), root))
    });
    g.finish();
}

fn reference(c: &mut Criterion) {
    let mut g = c.benchmark_group("reference");
    g.sample_size(10);
    let n = 1 << 10;
    let config = programs::ring(Priority::Normal, n as u64, 64);
    let program = programs::trivial(config.clone()).expect("trivial program");
    let mut rt = Runtime::new(&Gpu::reference(), program).expect("reference runtime");
    let hits = rt.buffer::<u32>("hits").expect("hits");
    rt.upload(hits, &vec![0; programs::HITS as usize])
        .expect("upload");
    g.throughput(Throughput::Elements(n as u64));
    g.bench_function("trivial_1k", |b| {
        b.iter_batched(
            || (),
            |()| {
                rt.publish_with(0, Priority::Normal, programs::BUMP, n, |k, w| {
                    w[0] = cpu::trivial_arg(k, programs::HITS)
                })
                .expect("publish");
                rt.run().expect("run")
            },
            BatchSize::PerIteration,
        )
    });
    let program = programs::mix(config).expect("mix program");
    let mut rt = Runtime::new(&Gpu::reference(), program).expect("reference runtime");
    let out = rt.buffer::<u32>("out").expect("out");
    rt.upload(out, &vec![0; n]).expect("upload");
    g.bench_function("mix16_1k", |b| {
        b.iter(|| {
            rt.publish_with(0, Priority::Normal, programs::MIX_BASE + 2, n, |i, w| {
                w[0] = i as u32;
                w[1] = cpu::mix_seed(i as u32);
            })
            .expect("publish");
            rt.run().expect("run")
        })
    });
    g.finish();
}

criterion_group!(benches, plain_rust, reference);
criterion_main!(benches);

//! Criterion benchmarks of the CPU paths the suite compares against:
//! the reference interpreter and the native backend running the trivial
//! and mix workloads through the runtime, the plain single-threaded Rust
//! versions of the same work (trivial counters, hashing, BFS on an RMAT
//! graph), and the macros' expansion (`vyre-expand`).
//!
//! ```text
//! cargo bench -p vyre-bench --bench cpu_paths
//! ```
//!
//! The GPU paths are measured by the `bench` binary, not here: criterion's
//! wall-clock sampling cannot see GPU timestamps, and one GPU run is
//! already an average over millions of tasks.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use vyre::{Gpu, Priority, Runtime};

use vyre_bench::handlers::bump;
use vyre_bench::{cpu, graph, programs};

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

/// The trivial and mix workloads through the runtime on a CPU backend:
/// `n` tasks per iteration.
fn backend(c: &mut Criterion, name: &str, gpu: &Gpu, n: usize) {
    let mut g = c.benchmark_group(name);
    g.sample_size(10);
    let config = programs::ring(Priority::Normal, n as u64, 64);
    let program = programs::trivial(config.clone()).expect("trivial program");
    let mut rt = Runtime::new(gpu, program).expect("runtime");
    let hits = rt.buffer::<u32>("hits").expect("hits");
    rt.upload(hits, &vec![0; programs::HITS as usize])
        .expect("upload");
    g.throughput(Throughput::Elements(n as u64));
    g.bench_function(format!("trivial_{n}"), |b| {
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
    let mut rt = Runtime::new(gpu, program).expect("runtime");
    let out = rt.buffer::<u32>("out").expect("out");
    rt.upload(out, &vec![0; n]).expect("upload");
    g.bench_function(format!("mix16_{n}"), |b| {
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

/// The reference interpreter (slow: 1K tasks).
fn reference(c: &mut Criterion) {
    backend(c, "reference", &Gpu::reference(), 1 << 10);
}

/// The native backend: the `#[opcode]` functions on the CPU scheduler.
fn native(c: &mut Criterion) {
    backend(c, "native", &Gpu::cpu(), 1 << 14);
}

/// One `publish` call per task (the host path alone: the loop of calls
/// is timed, the `run()` that empties the queue is not), on the native
/// backend; the bench's `single_publish_ns` is the same loop on a GPU.
fn publish(c: &mut Criterion) {
    let mut g = c.benchmark_group("publish");
    let n: u32 = 1 << 20;
    let config = programs::ring(Priority::Normal, n.into(), 64);
    let program = programs::trivial(config).expect("trivial program");
    let mut rt = Runtime::new(&Gpu::cpu(), program).expect("runtime");
    let hits = rt.buffer::<u32>("hits").expect("hits");
    rt.upload(hits, &vec![0; programs::HITS as usize])
        .expect("upload");
    g.throughput(Throughput::Elements(n.into()));
    g.sample_size(10);
    g.bench_function("single_1m", |b| {
        b.iter_custom(|iters| {
            let mut spent = std::time::Duration::ZERO;
            for _ in 0..iters {
                let t = std::time::Instant::now();
                for k in 0..n {
                    rt.publish(Priority::Normal, bump::task(k % programs::HITS))
                        .expect("publish");
                }
                spent += t.elapsed();
                rt.run().expect("run");
            }
            spent
        })
    });
    g.finish();
}

/// `#[opcode]` and `megakernel!` expansion (`vyre-expand`), on the build
/// workload's handler source, already tokenized.
fn expansion(c: &mut Criterion) {
    let mut g = c.benchmark_group("expansion");
    let tokens = |s: &str| s.parse::<proc_macro2::TokenStream>().expect("tokens");
    let (attr, item) = programs::handler_source(3, 20, 1);
    let (attr, item) = (tokens(&attr), tokens(&item));
    g.bench_function("opcode", |b| {
        b.iter_batched(
            || (attr.clone(), item.clone()),
            |(a, i)| vyre_expand::opcode(a, i),
            BatchSize::SmallInput,
        )
    });
    let kernel = tokens(&programs::megakernel_source(20));
    g.bench_function("megakernel_20", |b| {
        b.iter_batched(
            || kernel.clone(),
            vyre_expand::megakernel,
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

criterion_group!(benches, plain_rust, reference, native, publish, expansion);
criterion_main!(benches);

//! `run_async` and `read_async` under two executors (a hand-written one that
//! parks its thread, and pollster), on every backend: the same report and
//! buffers as the blocking calls; the executor's thread is free while the
//! worker runs; a future dropped early, or leaked, never loses the runtime
//! or lets two threads at it.

mod common;

use common::every_backend;

use std::future::Future;
use std::pin::Pin;
use std::task::Context;

use vyre::prelude::*;

/// `sums[i % len] += i`, after `rounds` rounds of a hash (some work for
/// the interpreter).
#[opcode]
pub fn add(sums: &Buffer<Atomic<u32>>, i: u32, rounds: u32) {
    let mut x = i;
    for r in 0..rounds {
        x = (x ^ r).wrapping_mul(0x9E37_79B9);
    }
    // (x | 1) & 1 is 1: the hash stays live without changing the sum.
    sums[i % sums.len()].fetch_add(i * ((x | 1) & 1));
}

megakernel! {
    /// One opcode over one buffer.
    pub struct Adder {
        workgroup_size: 16,
        buffers: { sums: Atomic<u32> },
        opcodes: [add],
    }
}

fn loaded(gpu: &Gpu, n: u32) -> Adder {
    let mut k = Adder::new(gpu).unwrap();
    k.sums().upload(&[0; 8]).unwrap();
    for i in 0..n {
        k.publish(Priority::ALL[(i % 5) as usize], add::task(i, 3))
            .unwrap();
    }
    k
}

#[test]
fn both_executors_give_what_the_blocking_calls_give() {
    for gpu in every_backend("async runtime", 2) {
        let what = gpu.description();
        let mut blocking = loaded(&gpu, 300);
        let want = blocking.run().unwrap();
        let want_sums = blocking.sums().read().unwrap();
        for executor in ["parking", "pollster"] {
            let mut k = loaded(&gpu, 300);
            let sums = k.sums().handle().unwrap();
            let rt = k.runtime_mut();
            let job = async {
                let report = rt.run_async().await?;
                let sums = rt.read_async(sums).await?;
                Ok::<_, vyre::Error>((report, sums))
            };
            let (report, got) = match executor {
                "parking" => common::park_on(job),
                _ => vyre::gpu::block_on(job),
            }
            .unwrap();
            assert_eq!(
                (report.executed, report.executed_by_priority, report.stop),
                (want.executed, want.executed_by_priority, want.stop),
                "{what}, {executor}"
            );
            assert_eq!(got, want_sums, "{what}, {executor}");
            assert!(k.runtime().accounting().balanced(), "{what}");
        }
    }
}

#[test]
fn the_executor_thread_is_free_while_the_worker_runs() {
    // 20,000 interpreted tasks take far longer than one poll: the first
    // poll finds the run still going, and returns at once.
    let mut k = loaded(&Gpu::reference(), 20_000);
    let rt = k.runtime_mut();
    let mut run = rt.run_async();
    let waker = common::thread_waker();
    let mut cx = Context::from_waker(&waker);
    assert!(Pin::new(&mut run).poll(&mut cx).is_pending());
    let report = common::park_on(run).unwrap();
    assert_eq!(report.executed, 20_000);
}

#[test]
fn a_future_dropped_early_waits_and_gives_the_runtime_back() {
    let mut k = loaded(&Gpu::reference(), 5_000);
    {
        let mut run = k.runtime_mut().run_async();
        let waker = common::thread_waker();
        let _ = Pin::new(&mut run).poll(&mut Context::from_waker(&waker));
        // Dropped here, mid-run: the drop waits for the worker.
    }
    let books = k.runtime().accounting();
    assert!(books.balanced(), "{books:?}");
    assert_eq!(books.executed, 5_000);
    let sums: u64 = k.sums().read().unwrap().iter().map(|&s| u64::from(s)).sum();
    assert_eq!(sums, (0..5_000u64).sum::<u64>());
}

#[test]
fn a_leaked_future_leaves_a_runtime_that_says_it_is_busy() {
    let mut k = loaded(&Gpu::reference(), 10);
    std::mem::forget(k.runtime_mut().run_async());
    // The runtime went to its worker and never came back: what stands in
    // its place refuses every call with a typed error.
    assert!(matches!(k.run(), Err(Error::Busy { .. })));
    assert!(matches!(k.sums().read(), Err(Error::Busy { .. })));
}

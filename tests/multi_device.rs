//! One program over a set of devices (`GpuSet`, `MultiRuntime`,
//! `MultiKernel`), tested on CPU backends — the reference interpreter and
//! the native backend, two of each — and, where an adapter exists,
//! lavapipe beside them (`VYRE_REQUIRE_GPU=1` makes a missing adapter a
//! failure): the work is spread and moved between devices, nothing is
//! lost or run twice, buffer modes read back as one buffer, the books are
//! exact per device and over the set, and a set gives the results one
//! device gives.

mod common;

use vyre::prelude::*;
use vyre::DeviceReport;

const MUL: u32 = 0x9E37_79B1;

/// `out[i]` = a hash of `i` over `rounds` rounds.
#[opcode]
pub fn fill(out: &mut Buffer<u32>, i: u32, rounds: u32) {
    let mut h = i;
    for r in 0..rounds {
        h = (h ^ r).wrapping_mul(MUL);
    }
    out[i] = h;
}

/// `hits[bucket] += 1`.
#[opcode]
pub fn tally(hits: &Buffer<Atomic<u32>>, bucket: u32) {
    hits[bucket].fetch_add(1);
}

/// A binary tree of spawns: a leaf counts itself.
#[opcode]
pub fn tree(ctx: &Ctx, hits: &Buffer<Atomic<u32>>, depth: u32) {
    if depth == 0 {
        hits[0].fetch_add(1);
    } else {
        ctx.spawn(Priority::High, tree::task(depth - 1));
        ctx.spawn(Priority::High, tree::task(depth - 1));
    }
}

/// `out[i] = 3 * input[i]`: reads a replicated input.
#[opcode]
pub fn triple(input: &Buffer<u32>, out: &mut Buffer<u32>, i: u32) {
    out[i] = input[i] * 3;
}

/// Asks the runtime to stop.
#[opcode]
pub fn halt(ctx: &Ctx) {
    ctx.shutdown();
}

megakernel! {
    /// Everything the set's tests need.
    pub struct Spread {
        buffers: { out: u32, hits: Atomic<u32>, input: u32 },
        opcodes: [fill, tally, tree, triple, halt],
    }
}

/// The modes `Spread` needs on a set.
const MODES: [(&str, BufferMode); 2] = [("out", BufferMode::Output), ("hits", BufferMode::Summed)];

/// Two reference interpreters, two native backends, and lavapipe where
/// there is an adapter.
fn sets(test: &str) -> Vec<GpuSet> {
    let mut sets = vec![
        GpuSet::new(vec![Gpu::reference(), Gpu::reference().with_seed(11)]).unwrap(),
        GpuSet::new(vec![Gpu::cpu(), Gpu::cpu(), Gpu::cpu()]).unwrap(),
    ];
    if let Some(gpu) = common::wgpu_backend(test) {
        sets.push(GpuSet::new(vec![gpu, Gpu::cpu()]).unwrap());
    }
    sets
}

fn kernel(set: &GpuSet, chunk: u64) -> MultiRuntime {
    let program = <Spread as vyre::kernel::Megakernel>::try_program().unwrap();
    let mut builder = MultiRuntime::builder(set, program).chunk(chunk);
    for (name, mode) in MODES {
        builder = builder.mode(name, mode);
    }
    builder.build().unwrap()
}

fn hash(i: u32, rounds: u32) -> u32 {
    (0..rounds).fold(i, |h, r| (h ^ r).wrapping_mul(MUL))
}

fn executed(devices: &[DeviceReport]) -> Vec<u64> {
    devices.iter().map(|d| d.report.executed).collect()
}

#[test]
fn a_batch_is_spread_over_every_device_and_read_back_as_one() {
    for set in sets("a_batch_is_spread") {
        let mut rt = kernel(&set, 64);
        let out = rt.buffer::<u32>("out").unwrap();
        let n = 2_000u32;
        rt.resize(&out, u64::from(n)).unwrap();
        rt.publish_range(Priority::Normal, fill::Op, 0..n, 5)
            .unwrap();
        let report = rt.run().unwrap();
        assert_eq!(report.total.stop, StopReason::Idle);
        assert_eq!(report.total.executed, u64::from(n));
        assert_eq!(report.shares().iter().sum::<u64>(), u64::from(n));
        // 32 chunks of 64 tasks (the last of 16), each run whole by the
        // device that took it: which device took how many is up to the
        // devices' speed.
        let chunks: u64 = report.devices.iter().map(|d| d.chunks).sum();
        assert_eq!(chunks, 32, "{:?}", set.descriptions());
        let partial = report
            .devices
            .iter()
            .filter(|d| d.report.executed % 64 != 0)
            .count();
        assert_eq!(partial, 1, "{:?}", executed(&report.devices));
        let want: Vec<u32> = (0..n).map(|i| hash(i, 5)).collect();
        assert_eq!(rt.read(&out).unwrap(), want);
        let books = rt.accounting();
        assert!(books.balanced(), "{books:?}");
        assert_eq!(books.total.executed, u64::from(n));
        assert_eq!(books.total.waiting, 0);
    }
}

#[test]
fn counters_sum_over_devices_and_books_are_exact() {
    for set in sets("counters_sum") {
        let mut rt = kernel(&set, 100);
        let hits = rt.buffer::<u32>("hits").unwrap();
        // Device 0 starts from the upload, the others from zero.
        rt.upload(&hits, &[1000, 0, 0, 0]).unwrap();
        rt.publish_with(0, Priority::Low, tally::ID, 3_000, |k, w| {
            w[0] = k as u32 % 4
        })
        .unwrap();
        let tasks: Vec<u32> = (0..1_000).map(|k| k % 2).collect();
        rt.publish_batch(Priority::Critical, tally::Op, &tasks)
            .unwrap();
        rt.publish(Priority::Idle, tally::task(3)).unwrap();
        let queued = rt.accounting();
        assert_eq!(queued.queued, [1_000, 0, 0, 3_000, 1]);
        assert!(queued.balanced());
        let report = rt.run().unwrap();
        assert_eq!(report.total.executed, 4_001);
        assert_eq!(report.total.executed_by_priority, [1_000, 0, 0, 3_000, 1]);
        assert_eq!(
            rt.read(&hits).unwrap(),
            vec![1000 + 750 + 500, 750 + 500, 750, 751]
        );
        let books = rt.accounting();
        assert!(books.balanced(), "{books:?}");
        assert_eq!(books.total.published, 4_001);
        for (d, device) in books.devices.iter().enumerate() {
            assert_eq!(device.executed, report.devices[d].report.executed);
        }
        // Read back twice: a sum is not consumed by reading.
        assert_eq!(rt.read(&hits).unwrap()[3], 751);
        // sync moves the total to device 0.
        rt.sync(&hits).unwrap();
        assert_eq!(
            rt.read_device(0, &hits).unwrap(),
            vec![2250, 1250, 750, 751]
        );
        for d in 1..set.len() {
            assert_eq!(rt.read_device(d, &hits).unwrap(), vec![0; 4]);
        }
    }
}

#[test]
fn spawned_work_stays_on_its_device() {
    for set in sets("spawned_work_stays") {
        let mut rt = kernel(&set, 1);
        let hits = rt.buffer::<u32>("hits").unwrap();
        rt.upload(&hits, &[0; 4]).unwrap();
        // Eight roots of depth 6: 8 × 127 tasks, 8 × 64 leaves.
        for _ in 0..8 {
            rt.publish(Priority::High, tree::task(6)).unwrap();
        }
        let report = rt.run().unwrap();
        assert_eq!(report.total.executed, 8 * 127);
        assert_eq!(report.total.spawned, 8 * 126);
        assert_eq!(report.total.spawn_overflows, 0);
        assert_eq!(rt.read(&hits).unwrap()[0], 8 * 64);
        // A root's whole tree ran where the root did: each device ran
        // 127 tasks per chunk (root) it took.
        for d in &report.devices {
            assert_eq!(d.report.executed, 127 * d.chunks, "{:?}", d.adapter);
            assert_eq!(d.report.spawned, 126 * d.chunks);
        }
        assert!(rt.accounting().balanced());
    }
}

#[test]
fn a_set_gives_what_one_device_gives() {
    let n = 500u32;
    let input: Vec<u32> = (0..n).map(|i| i * 7 + 1).collect();
    let one = {
        let mut k = Spread::new(&Gpu::cpu()).unwrap();
        k.input().upload(&input).unwrap();
        k.out().upload(&vec![0; n as usize]).unwrap();
        k.hits().upload(&[0; 4]).unwrap();
        k.publish_range(Priority::Normal, triple::Op, 0..n, ())
            .unwrap();
        k.publish_batch(Priority::High, tally::Op, &[0, 1, 2, 3, 3])
            .unwrap();
        k.run().unwrap();
        (k.out().read().unwrap(), k.hits().read().unwrap())
    };
    for set in sets("a_set_gives") {
        let mut k = MultiKernel::<Spread>::new(&set, &MODES).unwrap();
        let rt = k.runtime_mut();
        let (inp, out, hits) = (
            rt.buffer::<u32>("input").unwrap(),
            rt.buffer::<u32>("out").unwrap(),
            rt.buffer::<u32>("hits").unwrap(),
        );
        rt.upload(&inp, &input).unwrap();
        rt.upload(&out, &vec![0; n as usize]).unwrap();
        rt.upload(&hits, &[0; 4]).unwrap();
        k.publish_range(Priority::Normal, triple::Op, 0..n, ())
            .unwrap();
        k.publish_batch(Priority::High, tally::Op, &[0, 1, 2, 3, 3])
            .unwrap();
        let report = k.run().unwrap();
        assert_eq!(report.total.executed, u64::from(n) + 5);
        let rt = k.runtime_mut();
        assert_eq!((rt.read(&out).unwrap(), rt.read(&hits).unwrap()), one);
        // The replicated input is the same on every device.
        for d in 0..set.len() {
            assert_eq!(rt.read_device(d, &inp).unwrap(), input);
        }
    }
}

#[test]
fn pinned_tasks_run_on_their_device() {
    let set = GpuSet::new(vec![Gpu::cpu(), Gpu::reference()]).unwrap();
    let mut rt = kernel(&set, 16);
    let hits = rt.buffer::<u32>("hits").unwrap();
    rt.upload(&hits, &[0; 4]).unwrap();
    for _ in 0..10 {
        rt.publish_on(1, Priority::Normal, tally::task(2)).unwrap();
    }
    let before = rt.accounting();
    assert_eq!(before.devices[1].waiting, 10);
    assert!(before.balanced());
    let report = rt.run().unwrap();
    assert_eq!(executed(&report.devices), vec![0, 10]);
    assert_eq!(rt.read_device(1, &hits).unwrap(), vec![0, 0, 10, 0]);
    assert_eq!(rt.read_device(0, &hits).unwrap(), vec![0; 4]);
    let err = rt
        .publish_on(2, Priority::Normal, tally::task(0))
        .unwrap_err();
    assert!(matches!(err, Error::DeviceSet { .. }), "{err}");
    assert!(err.to_string().contains("device 2 is not in the set"));
}

#[test]
fn two_devices_writing_one_output_element_is_a_conflict() {
    let set = GpuSet::new(vec![Gpu::cpu(), Gpu::cpu()]).unwrap();
    let mut rt = kernel(&set, 1);
    let out = rt.buffer::<u32>("out").unwrap();
    rt.resize(&out, 4).unwrap();
    // The same element from two devices, one task each.
    rt.publish_on(0, Priority::Normal, fill::task(2, 1))
        .unwrap();
    rt.publish_on(1, Priority::Normal, fill::task(2, 2))
        .unwrap();
    rt.run().unwrap();
    match rt.read(&out).unwrap_err() {
        Error::OutputConflict {
            buffer,
            element,
            first,
            second,
        } => assert_eq!((buffer.as_str(), element, first, second), ("out", 2, 0, 1)),
        other => panic!("{other}"),
    }
    // Each device's own copy is still there to look at.
    assert_eq!(rt.read_device(0, &out).unwrap()[2], hash(2, 1));
    assert_eq!(rt.read_device(1, &out).unwrap()[2], hash(2, 2));
}

#[test]
fn modes_are_checked_when_the_set_is_built() {
    let set = GpuSet::new(vec![Gpu::cpu(), Gpu::cpu()]).unwrap();
    let program = <Spread as vyre::kernel::Megakernel>::try_program().unwrap();
    let build = |modes: &[(&str, BufferMode)]| {
        let mut b = MultiRuntime::builder(&set, program.clone());
        for (name, mode) in modes {
            b = b.mode(name, *mode);
        }
        b.build().map(|_| ()).unwrap_err().to_string()
    };
    // A written buffer without a mode.
    let e = build(&[("hits", BufferMode::Summed)]);
    assert!(
        e.contains("`out`") && e.contains("handler `fill` writes it"),
        "{e}"
    );
    // A replicated buffer a handler writes.
    let e = build(&[
        ("out", BufferMode::Replicated),
        ("hits", BufferMode::Summed),
    ]);
    assert!(
        e.contains("replicated") && e.contains("&mut Buffer<u32>"),
        "{e}"
    );
    // Summed on a buffer that is not atomic.
    let e = build(&[("out", BufferMode::Summed), ("hits", BufferMode::Summed)]);
    assert!(e.contains("only atomic counters"), "{e}");
    // A mode for a buffer the program does not declare.
    let e = build(&[("nope", BufferMode::Output)]);
    assert!(e.contains("nope"), "{e}");
    // A chunk of nothing.
    let e = MultiRuntime::builder(&set, program.clone())
        .mode("out", BufferMode::Output)
        .mode("hits", BufferMode::Summed)
        .chunk(0)
        .build()
        .unwrap_err()
        .to_string();
    assert!(e.contains("chunk of 0"), "{e}");
    // Typed publishing refuses another program's argument types.
    let mut rt = kernel(&set, 4);
    assert!(rt.publish(Priority::Normal, Task::new(999, [])).is_err());
    assert!(rt
        .publish_with(1 << 30, Priority::Normal, tally::ID, 1, |_, _| {})
        .is_err());
    // A batch the host cannot hold is a typed error, not an abort.
    let e = rt
        .publish_with(0, Priority::Normal, tally::ID, usize::MAX, |_, _| {})
        .unwrap_err();
    assert!(matches!(e, Error::BufferTooLarge { .. }), "{e}");
    assert_eq!(rt.accounting().total.published, 0);
}

#[test]
fn priorities_hold_across_chunks() {
    // One device, chunks of 10: the queue hands out CRITICAL before IDLE,
    // so every CRITICAL task runs in the first chunk.
    let set = GpuSet::new(vec![Gpu::cpu()]).unwrap();
    let mut rt = kernel(&set, 10);
    let hits = rt.buffer::<u32>("hits").unwrap();
    rt.upload(&hits, &[0; 4]).unwrap();
    rt.publish_with(0, Priority::Idle, tally::ID, 50, |_, w| w[0] = 1)
        .unwrap();
    rt.publish_with(0, Priority::Critical, tally::ID, 10, |_, w| w[0] = 0)
        .unwrap();
    let report = rt.run().unwrap();
    let d = &report.devices[0];
    assert_eq!(d.chunks, 6);
    // The first submission's run executed exactly the CRITICAL ones.
    assert_eq!(report.total.executed_by_priority, [10, 0, 0, 0, 50]);
    assert_eq!(rt.read(&hits).unwrap(), vec![10, 50, 0, 0]);
}

#[test]
fn shutdown_stops_every_device_and_keeps_the_rest_queued() {
    let set = GpuSet::new(vec![Gpu::cpu(), Gpu::cpu()]).unwrap();
    let mut rt = kernel(&set, 5);
    let hits = rt.buffer::<u32>("hits").unwrap();
    rt.upload(&hits, &[0; 4]).unwrap();
    rt.publish(Priority::Critical, halt::task()).unwrap();
    rt.publish_with(0, Priority::Idle, tally::ID, 1_000, |_, _| {})
        .unwrap();
    let report = rt.run().unwrap();
    let stops: Vec<_> = report
        .devices
        .iter()
        .map(|d| (d.report.stop, d.chunks, d.report.executed))
        .collect();
    assert_eq!(report.total.stop, StopReason::Shutdown, "{stops:?}");
    let books = rt.accounting();
    assert!(books.balanced(), "{books:?}");
    // Most of the flood never left the set's queue; none of it is lost.
    assert!(books.queued[4] > 0, "{books:?}");
    assert_eq!(
        books.total.executed + books.total.waiting,
        1_001,
        "{books:?}"
    );
    assert_eq!(report.total.waiting, books.total.waiting);
}

#[test]
fn gpu_all_always_finds_a_device() {
    let set = Gpu::all().unwrap();
    assert!(!set.is_empty());
    for d in set.descriptions() {
        assert!(!d.is_empty());
    }
}

#[test]
fn adapters_are_picked_by_name_fragments() {
    use vyre::gpu::{AdapterChoice, GpuContext};
    // A fragment no adapter has is a typed error that lists what was seen.
    let none = GpuContext::all(AdapterChoice::Any, Some(&["no such adapter".to_string()]));
    match none {
        Err(Error::BackendUnavailable { reason, .. }) => {
            assert!(reason.contains("no such adapter"), "{reason}")
        }
        other => panic!("{:?}", other.map(|v| v.len())),
    }
    // Where there is an adapter, naming it (in any case) opens it, once.
    let Some(gpu) = common::wgpu_backend("adapters_are_picked_by_name_fragments") else {
        return;
    };
    let name = gpu.context().unwrap().adapter_info().name.clone();
    let fragment = name.to_uppercase();
    let opened = GpuContext::all(AdapterChoice::Any, Some(&[fragment, name.clone()])).unwrap();
    assert!(!opened.is_empty());
    assert!(opened.iter().all(|c| c.adapter_info().name == name));
    let mut buses: Vec<String> = opened
        .iter()
        .map(|c| format!("{:?}", c.adapter_info()))
        .collect();
    buses.dedup();
    assert_eq!(buses.len(), opened.len(), "an adapter opened twice");
}

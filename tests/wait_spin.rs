//! Waiting for a submission (`VYRE_WAIT_SPIN_US`) under a service: every
//! ticket resolves and the counts are exact whether each wait polls the
//! device until the submission ends, polls a moment and then blocks, or
//! blocks at once. Software adapters block by default, so without this
//! test CI would never take the polling path; the service's driver also
//! flushes the next step's calls while each submission is in flight, on
//! a real device here.

mod common;

use vyre::prelude::*;
use vyre::{Service, ServiceOptions};

/// `hits[i] += 1`.
#[opcode]
pub fn hit(hits: &Buffer<Atomic<u32>>, i: u32) {
    hits[i].fetch_add(1);
}

/// `i` stirred `n` times into `sink[i]`, then `hits[i] += 1`: a task that
/// keeps the device busy for a while.
#[opcode]
pub fn slow(hits: &Buffer<Atomic<u32>>, sink: &mut Buffer<u32>, i: u32, n: u32) {
    let mut x = i;
    for _ in 0..n {
        x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
    }
    sink[i] = x;
    hits[i].fetch_add(1);
}

megakernel! {
    /// Partitions of 64 and small inboxes, so that the calls stream
    /// through many submissions.
    pub struct Hits {
        workgroup_size: 16,
        slots: 320,
        inbox_capacity: 64,
        buffers: { hits: Atomic<u32>, sink: u32 },
        opcodes: [hit, slow],
    }
}

const N: u32 = 3000;

#[test]
fn every_way_of_waiting_resolves_every_ticket_exactly() {
    // Read when a device opens; this binary's only test sets it.
    for spin in ["10000000", "1", "0"] {
        std::env::set_var("VYRE_WAIT_SPIN_US", spin);
        let Some(gpu) = common::wgpu_backend("wait_spin") else {
            return;
        };
        let mut k = Hits::new(&gpu).unwrap();
        k.hits().upload(&vec![0; N as usize]).unwrap();
        k.sink().upload(&vec![0; N as usize]).unwrap();
        if spin == "10000000" {
            overtaking(&gpu, true);
            overtaking(&gpu, false);
        }
        let service = Service::start(k.into_runtime(), ServiceOptions::default()).unwrap();
        // Two threads: batches at every priority and single CRITICAL
        // tasks, arriving while the driver has submissions in flight.
        let tickets: Vec<Ticket> = std::thread::scope(|s| {
            let batches = s.spawn(|| {
                (0..N)
                    .step_by(100)
                    .map(|first| {
                        let args: Vec<u32> = (first..first + 100).collect();
                        let p = Priority::ALL[(first / 100) as usize % 5];
                        service.publish_batch(p, hit::Op, &args).unwrap()
                    })
                    .collect::<Vec<_>>()
            });
            let singles: Vec<Ticket> = (0..N)
                .step_by(10)
                .map(|i| service.publish(Priority::Critical, hit::task(i)).unwrap())
                .collect();
            let mut all = batches.join().unwrap();
            all.extend(singles);
            all
        });
        for t in &tickets {
            let outcome = t.wait();
            assert_eq!(outcome.unfinished, 0, "spin {spin}");
            assert!(outcome.faults.is_empty(), "spin {spin}");
        }
        let hits = service
            .with_runtime(|rt| {
                let b = rt.buffer::<u32>("hits")?;
                rt.read(b)
            })
            .unwrap()
            .unwrap();
        let expected: Vec<u32> = (0..N).map(|i| 1 + u32::from(i % 10 == 0)).collect();
        assert_eq!(hits, expected, "spin {spin}");
        let report = service.shutdown();
        // The submissions' GPU time, where the adapter can time them.
        let timed = gpu.context().is_some_and(|c| c.has_timestamps());
        assert_eq!(
            report.status.gpu_time.is_some_and(|t| !t.is_zero()),
            timed,
            "spin {spin}: {:?}",
            report.status.gpu_time
        );
        let b = report.status.books;
        assert!(b.balanced(), "spin {spin}: {b:?}");
        assert_eq!(
            (b.published, b.executed),
            (u64::from(N + N / 10), u64::from(N + N / 10)),
            "spin {spin}"
        );
    }
    std::env::remove_var("VYRE_WAIT_SPIN_US");
}

/// CRITICAL calls published while a long submission runs start the next
/// submission at once (two in flight) when waits poll: every ticket
/// resolves exactly, and the faults of both submissions reach their
/// tickets although the second writes its fault records before the host
/// has read the first's (the fault log is a ring).
///
/// With `ServiceOptions::overtake` off, the same calls never overtake.
fn overtaking(gpu: &Gpu, overtake: bool) {
    const SLOW: u32 = 512;
    let mut k = Hits::new(gpu).unwrap();
    k.hits().upload(&vec![0; N as usize]).unwrap();
    k.sink().upload(&vec![0; N as usize]).unwrap();
    let options = ServiceOptions {
        overtake,
        ..ServiceOptions::default()
    };
    let service = Service::start(k.into_runtime(), options).unwrap();
    // Slow IDLE tasks, a call each, every eighth faulting (an index past
    // `hits`): a submission ends many tickets.
    let faults = |i: u32| if i % 8 == 7 { N + i } else { i };
    let slow: Vec<(u32, Ticket)> = (0..SLOW)
        .map(|i| {
            let t = service.publish(Priority::Idle, slow::task(faults(i), 20_000));
            (faults(i), t.unwrap())
        })
        .collect();
    // Bursts of CRITICAL calls while the slow ones run, every other one
    // faulting: an overtaking submission ends more tickets than the log's
    // head, and writes its fault records, before the host has read the
    // slow submission's.
    // Then a trickle, one call every 100 µs: some arrive while a
    // submission runs (lavapipe's take milliseconds), so some overtake.
    let mut critical = Vec::new();
    for burst in 0..5u32 {
        std::thread::sleep(std::time::Duration::from_millis(5));
        for k in 0..100u32 {
            let j = SLOW + burst * 100 + k;
            let i = if k % 2 == 1 { N + j } else { j };
            if burst == 4 {
                std::thread::sleep(std::time::Duration::from_micros(100));
            }
            critical.push((
                i,
                service.publish(Priority::Critical, hit::task(i)).unwrap(),
            ));
        }
    }
    for (i, t) in slow.iter().chain(&critical) {
        // A lost ticket end would leave the ticket open for ever.
        let outcome = t
            .wait_timeout(std::time::Duration::from_secs(60))
            .unwrap_or_else(|| panic!("task {i}: its ticket never resolved"));
        assert_eq!(outcome.unfinished, 0, "task {i}");
        if *i >= N {
            assert_eq!(outcome.faults.len(), 1, "task {i}");
            assert_eq!(oob_index(&outcome.faults[0]), *i, "task {i}");
        } else {
            assert!(outcome.faults.is_empty(), "task {i}: {:?}", outcome.faults);
        }
    }
    let report = service.shutdown();
    // wgpu's GL backend runs a submission's commands as it submits them:
    // by the time a second call could start, the first is done.
    let gl = gpu
        .context()
        .is_some_and(|c| c.adapter_info().backend == vyre::wgpu::Backend::Gl);
    assert!(
        gl || !overtake || report.status.overtaking > 0,
        "no CRITICAL call overtook the slow submission: {:?}",
        report.status
    );
    if !overtake {
        assert_eq!(report.status.overtaking, 0);
    }
    let b = report.status.books;
    assert!(b.balanced(), "{b:?}");
    assert_eq!(
        (b.published, b.executed + b.faulted),
        (u64::from(SLOW) + 500, u64::from(SLOW) + 500)
    );
    assert_eq!(b.faulted, u64::from(SLOW / 8) + 250);
    println!(
        "overtake {overtake}: overtaking submissions: {}",
        report.status.overtaking
    );
}

/// The index of an out-of-bounds fault.
fn oob_index(f: &vyre::Fault) -> u32 {
    match f.kind {
        FaultKind::OutOfBounds { index } => index,
        other => panic!("expected an out-of-bounds fault, got {other:?}"),
    }
}

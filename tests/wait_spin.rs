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

megakernel! {
    /// Partitions of 64 and small inboxes, so that the calls stream
    /// through many submissions.
    pub struct Hits {
        workgroup_size: 16,
        slots: 320,
        inbox_capacity: 64,
        buffers: { hits: Atomic<u32> },
        opcodes: [hit],
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

//! `set_partition_sizes`: the ring's five partitions resized between runs
//! without rebuilding, on every backend — sizes the ring cannot take and
//! a ring that holds tasks are typed errors that change nothing; tasks
//! waiting in the inboxes and host queues are unaffected; the books stay
//! exact and every task runs once, before and after.

mod common;

use common::every_backend;
use vyre::prelude::*;
use vyre::Error;

/// `hits[i] += 1`, and a child `i + 1000` while `depth > 0` (a spawn the
/// ring may refuse when LOW is full: counted apart, never lost).
#[opcode(id = 0x30)]
pub fn hop(ctx: &Ctx, hits: &Buffer<Atomic<u32>>, i: u32, depth: u32) {
    hits[i % hits.len()].fetch_add(1);
    if depth > 0 {
        ctx.spawn(Priority::Low, hop::task(i + 1000, depth - 1));
    }
}

megakernel! {
    /// Small partitions, two tenants.
    pub struct Parts {
        workgroup_size: 16,
        slots: 40,
        tenants: 2,
        partitions: [8, 8, 8, 8, 8],
        buffers: { hits: Atomic<u32> },
        opcodes: [hop],
    }
}

const N: u32 = 300;

fn books_balance(k: &Parts) {
    let b = k.runtime().accounting();
    assert_eq!(
        b.published + b.spawned,
        b.executed + b.faulted + b.parked + b.waiting,
        "{b:?}"
    );
}

/// Publishes `N` tasks over the priorities (more than the ring holds).
fn publish_load(k: &mut Parts, tenant: u32) {
    for i in 0..N {
        let p = Priority::ALL[(i % 5) as usize];
        k.publish_for(tenant, p, hop::task(i, 0)).unwrap();
    }
}

#[test]
fn partitions_resize_between_runs_and_every_task_runs_once() {
    let layout = |sizes: [u32; 5]| {
        let mut first = 0;
        sizes.map(|s| {
            let p = (first, s);
            first += s;
            p
        })
    };
    for gpu in every_backend("partition_sizes", 2) {
        let what = gpu.description();
        let mut k = Parts::new(&gpu).unwrap();
        k.hits().upload(&[0; 2100]).unwrap();
        let start = k.runtime().partitions();
        assert_eq!(start, layout([8; 5]), "{what}");

        // Sizes the ring cannot take: typed errors, nothing changed.
        for bad in [[0, 10, 10, 10, 10], [8, 8, 8, 8, 9], [40, 0, 0, 0, 0]] {
            let e = k.set_partition_sizes(bad).unwrap_err();
            assert!(
                matches!(e, Error::PartitionSizes { slots: 40, .. }),
                "{what}: {e}"
            );
            assert_eq!(k.runtime().partitions(), start, "{what}");
        }

        // Tasks waiting in the host queues (published, not yet run) stay
        // where they are: the ring is empty.
        publish_load(&mut k, 0);
        k.set_partition_sizes([4, 4, 24, 4, 4]).unwrap();
        assert_eq!(k.runtime().partitions(), layout([4, 4, 24, 4, 4]), "{what}");
        books_balance(&k);

        // A run cut short leaves every partition full (more tasks wait in
        // the inboxes): a partition smaller than what it holds is refused,
        // with how many, and nothing changes.
        k.runtime_mut()
            .set_limits(RunLimits {
                max_rounds: 2,
                ..RunLimits::default()
            })
            .unwrap();
        let report = k.run().unwrap();
        assert!(report.faults.is_empty(), "{what}: {:?}", report.faults);
        books_balance(&k);
        match k.set_partition_sizes([20, 2, 10, 4, 4]) {
            Err(Error::PartitionTooSmall {
                priority: Priority::High,
                tasks: 4,
                size: 2,
            }) => {}
            other => panic!("{what}: {other:?}"),
        }
        assert_eq!(k.runtime().partitions(), layout([4, 4, 24, 4, 4]), "{what}");

        // Run to the end; then a run cut short with LOW full and the
        // rest empty: its claimable tasks move to the new LOW, and run once.
        k.runtime_mut().set_limits(RunLimits::default()).unwrap();
        k.run().unwrap();
        for i in 0..40 {
            k.publish(Priority::Low, hop::task(2000 + i, 0)).unwrap();
        }
        k.runtime_mut()
            .set_limits(RunLimits {
                max_rounds: 1,
                ..RunLimits::default()
            })
            .unwrap();
        k.run().unwrap();
        books_balance(&k);
        assert!(k.runtime().accounting().waiting > 0, "{what}");
        k.set_partition_sizes([4, 4, 20, 8, 4]).unwrap();
        books_balance(&k);

        // Run to the end; then resize and run a second load.
        k.runtime_mut().set_limits(RunLimits::default()).unwrap();
        k.run().unwrap();
        books_balance(&k);
        k.set_partition_sizes([20, 5, 5, 5, 5]).unwrap();
        publish_load(&mut k, 0);
        let report = k.run().unwrap();
        assert!(report.faults.is_empty(), "{what}: {:?}", report.faults);
        books_balance(&k);

        // Parked tasks of a disabled tenant sit in their slots: they move
        // with their partition (HIGH starts at slot 20, then at 8), stay
        // parked, and run once when the tenant is enabled.
        k.disable_tenant(1).unwrap();
        for i in [7, 8, 9] {
            k.publish_for(1, Priority::High, hop::task(i, u32::from(i == 7)))
                .unwrap();
        }
        k.run().unwrap();
        assert_eq!(k.runtime().accounting().parked, 3, "{what}");
        match k.set_partition_sizes([36, 1, 1, 1, 1]) {
            Err(Error::PartitionTooSmall { tasks: 3, .. }) => {}
            other => panic!("{what}: {other:?}"),
        }
        k.set_partition_sizes([8; 5]).unwrap();
        assert_eq!(k.runtime().partitions(), start, "{what}");
        assert_eq!(k.runtime().accounting().parked, 3, "{what}");
        books_balance(&k);
        k.enable_tenant(1).unwrap();
        k.run().unwrap();
        books_balance(&k);

        // Every task ran exactly once: both loads, the three parked ones
        // and one child (the ring was empty: its spawn fit).
        let b = k.runtime().accounting();
        assert_eq!((b.waiting, b.parked, b.faulted), (0, 0, 0), "{what}: {b:?}");
        assert_eq!((b.spawned, b.spawn_overflows), (1, 0), "{what}: {b:?}");
        assert_eq!(b.executed, 2 * u64::from(N) + 44, "{what}: {b:?}");
        let hits = k.hits().read().unwrap();
        for (i, &h) in hits.iter().enumerate().take(N as usize) {
            let parked = u32::from((7..=9).contains(&i));
            assert_eq!(h, 2 + parked, "{what}: hits[{i}]");
        }
        assert_eq!(hits[1007], 1, "{what}: the child");
        assert_eq!(&hits[2000..2040], &[1; 40], "{what}: the moved LOW tasks");
    }
}

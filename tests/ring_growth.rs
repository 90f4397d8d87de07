//! The ring grows to fit the published work when the program lets it
//! (`megakernel!` without `slots` or `partitions`), on every backend:
//! between runs, while the ring is empty, without recompiling; never when
//! the user declared the sizes, and never while a slot holds a task.

mod common;

use common::on_every_backend;
use vyre::prelude::*;

/// `sums[i] += 1`, then, below `fork`, a spawn of `bump(i + fork)`.
#[opcode(id = 0x21)]
pub fn bump(ctx: &Ctx, sums: &Buffer<Atomic<u32>>, i: u32, fork: u32) {
    sums[i].fetch_add(1);
    if i < fork {
        ctx.spawn(Priority::Low, bump::task(i + fork, 0));
    }
}

megakernel! {
    /// Default sizes: the runtime may grow the ring.
    pub struct Growing {
        workgroup_size: 32,
        buffers: { sums: Atomic<u32> },
        opcodes: [bump],
    }
}

megakernel! {
    /// Declared sizes: kept exactly.
    pub struct Fixed {
        workgroup_size: 32,
        slots: 500,
        buffers: { sums: Atomic<u32> },
        opcodes: [bump],
    }
}

const N: u32 = 40_000;

#[test]
fn a_batch_larger_than_its_partition_grows_the_ring() {
    let out = on_every_backend("ring growth", 2, |gpu| {
        let mut k = Growing::new(gpu).unwrap();
        k.sums().upload(&vec![0; 2 * N as usize]).unwrap();
        let before = k.runtime().partitions();
        // N NORMAL tasks, the first 1,000 spawning one LOW task each.
        k.publish_range(Priority::Normal, bump::Op, 0..N, 1000)
            .unwrap();
        let report = k.run().unwrap();
        let after = k.runtime().partitions();
        let books = k.runtime().accounting();
        assert_eq!(books.waiting + books.parked, 0, "{books:?}");
        // A second, smaller batch reuses the grown ring.
        k.publish_batch(Priority::Normal, bump::Op, &[(0, 0), (1, 0)])
            .unwrap();
        let again = k.run().unwrap();
        assert_eq!(k.runtime().partitions(), after);
        (
            before,
            after,
            report.executed,
            again.executed,
            k.sums().read().unwrap(),
        )
    });
    let (before, after, executed, again, sums) = out;
    let normal = Priority::Normal.index();
    assert!(before[normal].1 < N, "{before:?}");
    assert_eq!(after[normal].1, N.next_power_of_two(), "{after:?}");
    for p in 0..5 {
        if p != normal {
            assert_eq!(after[p].1, before[p].1, "partition {p} changed");
        }
    }
    // Contiguous from slot 0.
    let mut start = 0;
    for &(s, size) in &after {
        assert_eq!(s, start);
        start += size;
    }
    assert_eq!((executed, again), (u64::from(N) + 1000, 2));
    let mut want = vec![0u32; 2 * N as usize];
    for i in 0..N {
        want[i as usize] += 1;
    }
    for i in 0..1000 {
        want[(i + 1000) as usize] += 1;
    }
    want[0] += 1;
    want[1] += 1;
    assert_eq!(sums, want);
}

#[test]
fn declared_sizes_are_kept_and_the_batch_streams() {
    let out = on_every_backend("fixed ring", 1, |gpu| {
        let mut k = Fixed::new(gpu).unwrap();
        k.sums().upload(&vec![0; N as usize]).unwrap();
        let before = k.runtime().partitions();
        k.publish_range(Priority::Normal, bump::Op, 0..N, 0)
            .unwrap();
        let report = k.run().unwrap();
        assert_eq!(k.runtime().partitions(), before);
        // Sizes set through the builder are kept too.
        let mut c = Growing::builder(gpu)
            .configure(|c| c.slots = 600)
            .build()
            .unwrap();
        c.sums().upload(&vec![0; N as usize]).unwrap();
        let declared = c.runtime().partitions();
        c.publish_range(Priority::Normal, bump::Op, 0..N, 0)
            .unwrap();
        let streamed = c.run().unwrap();
        assert_eq!(c.runtime().partitions(), declared);
        (report.executed, streamed.executed, k.sums().read().unwrap())
    });
    assert_eq!((out.0, out.1), (u64::from(N), u64::from(N)));
    assert_eq!(out.2, vec![1; N as usize]);
}

#[test]
fn a_ring_holding_parked_tasks_does_not_grow() {
    let out = on_every_backend("no growth while parked", 1, |gpu| {
        let mut k = Growing::new(gpu).unwrap();
        k.sums().upload(&vec![0; N as usize]).unwrap();
        k.disable_tenant(1).unwrap();
        k.runtime_mut()
            .publish_for(1, Priority::Normal, bump::task(0, 0))
            .unwrap();
        assert_eq!(k.run().unwrap().parked, 1);
        let before = k.runtime().partitions();
        k.publish_range(Priority::Normal, bump::Op, 1..N, 0)
            .unwrap();
        let first = k.run().unwrap();
        assert_eq!(k.runtime().partitions(), before, "grew with a parked task");
        k.enable_tenant(1).unwrap();
        let second = k.run().unwrap();
        (first.executed + second.executed, k.sums().read().unwrap())
    });
    assert_eq!(out.0, u64::from(N));
    assert_eq!(out.1, vec![1; N as usize]);
}

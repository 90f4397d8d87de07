//! The sharded scheduling form (`ProgramConfig::sharded`: every lane walks
//! its own slots, no claim lists, no priority scan) against the priority
//! form, on every backend: the same tasks run, spawn, overflow, fault and
//! park, with the same counts and buffers; and what the sharded form gives
//! up (CRITICAL first) is documented, not tested.

mod common;

use common::{every_backend, Outcome};
use vyre::prelude::*;

/// `out[i] = hash(i, rounds)`; faults when `rounds` is a multiple of 13.
#[opcode(id = 0x60)]
pub fn hash_into(ctx: &Ctx, out: &mut Buffer<u32>, i: u32, rounds: u32) {
    if rounds % 13 == 0 {
        ctx.fault(rounds);
    }
    let mut x = i;
    for r in 0..rounds {
        x = (x ^ r).wrapping_mul(0x9E37_79B9);
    }
    out[i] = x;
}

/// Counts itself in `hits[0]`, then spawns two children while `depth > 0`
/// (into partitions too small for every tree: some spawns are refused).
#[opcode(id = 0x61)]
pub fn fan(ctx: &Ctx, hits: &Buffer<Atomic<u32>>, depth: u32) {
    hits[0].fetch_add(1);
    if depth > 0 {
        ctx.spawn(Priority::Low, fan::task(depth - 1));
        ctx.spawn(Priority::Low, fan::task(depth - 1));
    }
}

megakernel! {
    /// A small ring over two tenants.
    pub struct Shards {
        workgroup_size: 8,
        slots: 96,
        tenants: 2,
        partitions: [16, 16, 32, 16, 16],
        buffers: { out: u32, hits: Atomic<u32> },
        opcodes: [hash_into, fan],
    }
}

megakernel! {
    /// The same kernel, sharded by its declaration.
    pub struct DeclaredShards {
        workgroup_size: 8,
        slots: 96,
        scheduling: sharded,
        buffers: { out: u32, hits: Atomic<u32> },
        opcodes: [hash_into, fan],
    }
}

#[test]
fn scheduling_sharded_in_the_macro_sets_the_config() {
    assert!(DeclaredShards::try_program().unwrap().config().sharded);
    assert!(!Shards::try_program().unwrap().config().sharded);
}

const TASKS: u32 = 400;

fn rounds_of(i: u32) -> u32 {
    1 + (i * 7) % 60
}

/// Publishes the load (tenant 1 parked for the first run), runs twice,
/// and returns both runs' outcomes and the buffers.
fn serve(gpu: &Gpu, sharded: bool) -> (Vec<Outcome>, Vec<u32>, u32) {
    let mut k = Shards::builder(gpu)
        .configure(|c| c.sharded = sharded)
        .build()
        .unwrap();
    assert_eq!(k.runtime().program().config().sharded, sharded);
    k.out().upload(&vec![0; TASKS as usize]).unwrap();
    k.hits().upload(&[0]).unwrap();
    k.disable_tenant(1).unwrap();
    for i in 0..TASKS {
        let p = Priority::ALL[(i % 5) as usize];
        k.publish_for(i % 2, p, hash_into::task(i, rounds_of(i)))
            .unwrap();
        if i % 20 == 0 {
            k.publish(Priority::High, fan::task(4)).unwrap();
        }
    }
    let first = k.run().unwrap();
    k.enable_tenant(1).unwrap();
    let second = k.run().unwrap();
    let books = k.runtime().accounting();
    assert!(books.balanced(), "{books:?}");
    assert_eq!(books.waiting + books.parked, 0, "{books:?}");
    (
        vec![Outcome::of(&first), Outcome::of(&second)],
        k.out().read().unwrap(),
        k.hits().read().unwrap()[0],
    )
}

#[test]
fn the_sharded_form_runs_what_the_priority_form_runs() {
    let gpus = every_backend("sharded", 3);
    for gpu in gpus {
        let what = gpu.description();
        let priority = serve(&gpu, false);
        let sharded = serve(&gpu, true);
        assert_eq!(sharded, priority, "{what}");
        let (outcomes, out, hits) = sharded;
        // The plan, computed here: every task of tenant 0 ran in the first
        // run, tenant 1's in the second, and the unlucky ones faulted.
        for (i, &x) in out.iter().enumerate() {
            let i = i as u32;
            let want = if rounds_of(i) % 13 == 0 {
                0
            } else {
                (0..rounds_of(i)).fold(i, |x, r| (x ^ r).wrapping_mul(0x9E37_79B9))
            };
            assert_eq!(x, want, "{what}: out[{i}]");
        }
        // Tenant 1's tasks parked in the ring (and what queued behind them
        // waited) until the second run.
        assert!(outcomes[0].parked > 0, "{what}");
        assert_eq!(outcomes[1].parked + outcomes[1].waiting, 0, "{what}");
        let fans = u64::from(TASKS / 20);
        let ran: u64 = outcomes.iter().map(|o| o.executed_by_opcode[1].1).sum();
        assert_eq!(u64::from(hits), ran, "{what}");
        assert!(outcomes[0].spawn_overflows > 0, "{what}: trees overflow");
        assert!(ran > fans, "{what}: children ran");
    }
}

//! The quick tier (`VYRE_TIERED`): a module the driver would compile from
//! scratch is compiled first with naga's checks, and its trusted pipelines
//! in the background; engines move to them between submissions. Results
//! are the same on both tiers, a running engine moves over, and a later
//! engine starts on the trusted tier. Software adapters skip the quick
//! tier unless it is asked for, as here.

mod common;

use vyre::prelude::*;

/// A loop and a division: what naga's checks guard.
#[opcode]
pub fn mix(out: &mut Buffer<u32>, i: u32, cost: u32) {
    let mut x = i;
    for j in 0..cost {
        x = (x ^ j).wrapping_mul(0x9E37_79B9);
        x ^= x >> 16;
    }
    out[i] = x / (cost + 1);
}

megakernel! {
    pub struct Mixes {
        workgroup_size: 32,
        slots: 640,
        buffers: { out: u32 },
        opcodes: [mix],
    }
}

const N: u32 = 500;
const COST: u32 = 40;

fn expected() -> Vec<u32> {
    (0..N)
        .map(|i| {
            let mut x = i;
            for j in 0..COST {
                x = (x ^ j).wrapping_mul(0x9E37_79B9);
                x ^= x >> 16;
            }
            x / (COST + 1)
        })
        .collect()
}

fn run(k: &mut Mixes) -> Vec<u32> {
    k.out().upload(&vec![0; N as usize]).unwrap();
    for i in 0..N {
        k.publish(Priority::Normal, mix::task(i, COST)).unwrap();
    }
    assert_eq!(k.run().unwrap().executed, u64::from(N));
    k.out().read().unwrap()
}

#[test]
fn the_quick_tier_gives_way_to_the_trusted_one_with_the_same_results() {
    // Read when the device opens; this binary's only test sets them. No
    // disk cache: it would list the module after the first upgrade.
    std::env::set_var("VYRE_TIERED", "always");
    std::env::set_var("VYRE_CACHE", "off");
    let Some(gpu) = common::wgpu_backend("tiered") else {
        return;
    };
    let ctx = gpu.context().expect("a wgpu backend has a context").clone();
    let mut k = Mixes::new(&gpu).unwrap();
    assert_eq!(run(&mut k), expected(), "quick tier");
    ctx.finish_compiles();
    assert_eq!(ctx.pipeline_cache_stats().upgrades, 1);
    // The running engine moves over at its next submission.
    assert_eq!(run(&mut k), expected(), "the same engine, trusted tier");
    let before = ctx.pipeline_cache_stats();
    let mut later = Mixes::new(&gpu).unwrap();
    let after = ctx.pipeline_cache_stats();
    assert_eq!(
        after.misses, before.misses,
        "a later engine compiles nothing"
    );
    assert_eq!(run(&mut later), expected(), "a later engine");
    assert_eq!(ctx.pipeline_cache_stats().upgrades, 1);
    std::env::remove_var("VYRE_TIERED");
    std::env::remove_var("VYRE_CACHE");
}

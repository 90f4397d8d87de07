//! The reference engine never panics, whatever the host wrote: garbage in
//! every ring and control word, and buffers of any size.

mod support;

use support::{atomic_u32, plain, program, small_config};
use vyre_core::ir::{Access, Expr, HandlerBuilder, ScalarType};
use vyre_core::protocol::{ctrl, SLOT_WORDS};
use vyre_core::reference::{ReferenceEngine, SplitMix64};
use vyre_core::Engine;

const U32: ScalarType = ScalarType::U32;

fn garbage_program() -> vyre_core::Program {
    let mut a = HandlerBuilder::new(1, "walk");
    let data = a.buffer("data", U32, Access::ReadWrite);
    let cnt = a.buffer("cnt", U32, Access::Atomic);
    let x = a.arg("x", U32);
    let y = a.arg("y", U32);
    a.body(|b| {
        b.for_range("i", x % 7u32, y % 9u32, |b, i| {
            b.store(data, i * x, data.at(i) / y);
            b.eval(cnt.fetch_max(y, i));
        });
        b.while_(cnt.load(0u32).lt(x), |b| b.eval(cnt.fetch_add(0u32, 1u32)));
        b.spawn(y % 7u32, 2, vec![x.into()]);
        b.printf("{} {}", vec![x.into(), y.into()]);
    });
    let mut c = HandlerBuilder::new(2, "leaf");
    let cnt2 = c.buffer("cnt", U32, Access::Atomic);
    let z = c.arg("z", U32);
    c.body(|b| {
        b.if_(z.equals(3u32), |b| b.shutdown());
        b.fault(z);
        b.eval(cnt2.fetch_add(z, Expr::from(1u32)));
    });
    program(
        small_config(),
        &[("data", plain(U32)), ("cnt", atomic_u32())],
        vec![a.finish().unwrap(), c.finish().unwrap()],
    )
}

#[test]
fn garbage_memory_never_panics() {
    let p = garbage_program();
    let layout = p.control_layout();
    for seed in 0..40u64 {
        let mut rng = SplitMix64::new(seed);
        let mut e = ReferenceEngine::new(&p, 1 + (seed as u32 % 9), seed).unwrap();
        let word = |rng: &mut SplitMix64| -> u32 {
            // Mostly small values, so that opcodes, statuses, tenants and
            // priorities hit real ones; sometimes anything.
            match rng.below(4) {
                0 => rng.next_u64() as u32,
                1 => rng.below(8) as u32,
                2 => [1, 2, u32::MAX, 0x8000_0000][rng.below(4) as usize],
                _ => rng.below(64) as u32,
            }
        };
        let ring: Vec<u32> = (0..p.config().ring_words())
            .map(|_| word(&mut rng))
            .collect();
        e.write_ring(0, &ring).unwrap();
        let total = layout.total_words(e.lanes());
        let control: Vec<u32> = (0..total).map(|_| word(&mut rng)).collect();
        e.write_control(0, &control).unwrap();
        if seed % 2 == 0 {
            e.write_control(ctrl::SHUTDOWN as u64, &[0]).unwrap();
        }
        for b in 0..2 {
            let len = rng.below(40);
            e.resize_buffer(b, len).unwrap();
            let words: Vec<u32> = (0..len).map(|_| word(&mut rng)).collect();
            e.write_buffer(b, 0, &words).unwrap();
        }
        for _ in 0..3 {
            let s = e.submit(3).unwrap();
            assert_eq!(s.summary.len() as u32, layout.summary_words());
            // The host recycles faulted slots and zeroes FAULT_COUNT (the
            // next submission zeroes the other counters).
            let n = s.summary[ctrl::FAULT_COUNT as usize].min(p.config().slots);
            let log = e
                .read_control(
                    layout.fault_log as u64,
                    n as u64 * vyre_core::protocol::FAULT_RECORD_WORDS as u64,
                )
                .unwrap();
            for r in log.chunks(vyre_core::protocol::FAULT_RECORD_WORDS as usize) {
                if r[0] < p.config().slots {
                    e.write_ring(r[0] as u64 * SLOT_WORDS as u64, &[0]).unwrap();
                }
            }
            e.write_control(ctrl::FAULT_COUNT as u64, &[0]).unwrap();
        }
    }
}

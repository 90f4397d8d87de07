//! Argument words that several handlers take are read once, before the
//! opcode switch (`lower/scheduler.rs`, `dispatch_from`): handlers of one,
//! four and five words, a `u64` that straddles the last word read before
//! the switch, `f32`, `i32` and `bool` words, agree with plain Rust on
//! every backend, in a program that spawns (its tasks run from slots) and
//! in one that does not (the place pass runs them from inbox entries).

mod common;

use common::every_backend;
use vyre::prelude::*;

/// One word.
#[opcode(id = 0x720)]
pub fn narrow(out: &mut Buffer<u32>, i: u32) {
    out[i] = i * 3 + 1;
}

/// Four words: `i`, `x` (words 1 and 2), `f` (word 3).
#[opcode(id = 0x721)]
pub fn mixed(out: &mut Buffer<u32>, floats: &mut Buffer<f32>, i: u32, x: u64, f: f32) {
    out[i] = (x >> 32) as u32 ^ (x as u32).wrapping_mul(7);
    floats[i] = f * 2.0 + 0.5;
}

/// Five words: `i`, `s`, `b`, `y` (words 3 and 4: the first read before
/// the switch, the second in the case).
#[opcode(id = 0x722)]
pub fn wide(out: &mut Buffer<u32>, i: u32, s: i32, b: bool, y: u64) {
    let t = if b {
        (s as u32).wrapping_add(5)
    } else {
        s as u32
    };
    out[i] = t ^ (y >> 29) as u32 ^ (y as u32);
}

/// `wide`, then a spawn of `narrow`: a program with this handler spawns,
/// so its tasks run from ring slots.
#[opcode(id = 0x723)]
pub fn wide_then_narrow(ctx: &Ctx, out: &mut Buffer<u32>, i: u32, s: i32, b: bool, y: u64) {
    let t = if b {
        (s as u32).wrapping_add(5)
    } else {
        s as u32
    };
    out[i] = t ^ (y >> 29) as u32 ^ (y as u32);
    ctx.spawn(Priority::Low, narrow::task(i + 1));
}

megakernel! {
    /// No spawn: its tasks are placed and run from their inbox entries.
    pub struct Placed {
        buffers: { out: u32, floats: f32 },
        opcodes: [narrow, mixed, wide],
    }
}

megakernel! {
    /// A spawn: its tasks run from ring slots.
    pub struct Slotted {
        buffers: { out: u32, floats: f32 },
        opcodes: [narrow, mixed, wide_then_narrow],
    }
}

megakernel! {
    /// One handler: nothing is shared.
    pub struct Alone {
        buffers: { out: u32, floats: f32 },
        opcodes: [mixed],
    }
}

/// Tasks at indexes `3 k`, `3 k + 1` and `3 k + 2` (and, in the spawning
/// program, `narrow` at `3 k + 1` again after the `wide` task at `3 k`).
const ROUNDS: u32 = 40;
const LEN: usize = (3 * ROUNDS) as usize;

fn x(k: u32) -> u64 {
    (u64::from(k) << 37) ^ 0x1234_5678_9abc_def0_u64.rotate_left(k)
}

fn f(k: u32) -> f32 {
    k as f32 * 0.25 - 3.0
}

fn s(k: u32) -> i32 {
    k as i32 * 1_000_003 - 20_000_000
}

fn y(k: u32) -> u64 {
    0xfedc_ba98_7654_3210_u64.rotate_right(k * 3) ^ u64::from(k)
}

/// What plain Rust writes, with or without the spawned `narrow` tasks
/// (each overwrites the word its `mixed` sibling wrote in an earlier
/// run; the `f32` stays).
fn plain_rust(spawns: bool) -> (Vec<u32>, Vec<f32>) {
    let mut out = vec![0u32; LEN];
    let mut floats = vec![0f32; LEN];
    for k in 0..ROUNDS {
        let i = 3 * k;
        let b = k % 2 == 0;
        let t = if b {
            (s(k) as u32).wrapping_add(5)
        } else {
            s(k) as u32
        };
        out[i as usize] = t ^ (y(k) >> 29) as u32 ^ (y(k) as u32);
        out[i as usize + 1] = (x(k) >> 32) as u32 ^ (x(k) as u32).wrapping_mul(7);
        floats[i as usize + 1] = f(k) * 2.0 + 0.5;
        out[i as usize + 2] = (i + 2) * 3 + 1;
        if spawns {
            out[i as usize + 1] = (i + 1) * 3 + 1;
        }
    }
    (out, floats)
}

#[test]
fn placed_tasks_of_every_width_agree_with_plain_rust() {
    let (out, floats) = plain_rust(false);
    for gpu in every_backend("shared_argument_words", 2) {
        let what = gpu.description();
        let mut k = Placed::new(&gpu).unwrap();
        k.out().upload(&vec![0; LEN]).unwrap();
        k.floats().upload(&vec![0.0; LEN]).unwrap();
        for r in 0..ROUNDS {
            let i = 3 * r;
            k.publish(Priority::Normal, wide::task(i, s(r), r % 2 == 0, y(r)))
                .unwrap();
            k.publish(Priority::Normal, mixed::task(i + 1, x(r), f(r)))
                .unwrap();
            k.publish(Priority::Normal, narrow::task(i + 2)).unwrap();
        }
        let report = k.run().unwrap();
        assert!(report.faults.is_empty(), "{what}: {:?}", report.faults);
        assert_eq!(report.executed, u64::from(3 * ROUNDS), "{what}");
        assert_eq!(k.out().read().unwrap(), out, "{what}");
        assert_eq!(k.floats().read().unwrap(), floats, "{what}");
    }
}

#[test]
fn slotted_tasks_of_every_width_agree_with_plain_rust() {
    let (out, floats) = plain_rust(true);
    for gpu in every_backend("shared_argument_words", 2) {
        let what = gpu.description();
        let mut k = Slotted::new(&gpu).unwrap();
        k.out().upload(&vec![0; LEN]).unwrap();
        k.floats().upload(&vec![0.0; LEN]).unwrap();
        // The `mixed` tasks first, in a run of their own: each `narrow`
        // a `wide_then_narrow` task spawns overwrites its sibling's word.
        for r in 0..ROUNDS {
            k.publish(Priority::Normal, mixed::task(3 * r + 1, x(r), f(r)))
                .unwrap();
        }
        k.run().unwrap();
        for r in 0..ROUNDS {
            let i = 3 * r;
            k.publish(
                Priority::Normal,
                wide_then_narrow::task(i, s(r), r % 2 == 0, y(r)),
            )
            .unwrap();
            k.publish(Priority::Normal, narrow::task(i + 2)).unwrap();
        }
        let report = k.run().unwrap();
        assert!(report.faults.is_empty(), "{what}: {:?}", report.faults);
        assert_eq!(report.executed, u64::from(3 * ROUNDS), "{what}");
        assert_eq!(report.spawned, u64::from(ROUNDS), "{what}");
        assert_eq!(k.out().read().unwrap(), out, "{what}");
        assert_eq!(k.floats().read().unwrap(), floats, "{what}");
    }
}

/// The lowering reads the four words that two or more handlers take once
/// per switch, and the fifth (only the widest handler's) in its case; a
/// program of one handler reads every word in its case.
#[test]
fn words_two_handlers_take_are_read_once_per_switch() {
    let wgsl = vyre::lower::wgsl(&Placed::program());
    for (function, reader) in [
        ("fn vy_dispatch(", "vy_arg"),
        ("fn vy_dispatch_entry(", "vy_entry_arg"),
    ] {
        let start = wgsl.find(function).expect(function);
        let body = &wgsl[start..start + wgsl[start..].find("\n}\n").unwrap()];
        for k in 0..4 {
            let read = format!("let vy_word{k} = {reader}(base, {k}u);");
            assert_eq!(body.matches(&read).count(), 1, "{read}:\n{body}");
        }
        assert!(!body.contains("vy_word4"), "{body}");
        assert_eq!(
            body.matches(&format!("{reader}(base, ")).count(),
            5,
            "{body}"
        );
        assert!(
            body.contains(&format!("vec2<u32>(vy_word3, {reader}(base, 4u))")),
            "{body}"
        );
        assert!(body.contains("bitcast<f32>(vy_word3)"), "{body}");
        assert!(body.contains("vy_word2 != 0u"), "{body}");
    }
    let alone = vyre::lower::wgsl(&Alone::program());
    assert!(!alone.contains("vy_word"), "{alone}");
    assert!(alone.contains("vec2<u32>(vy_arg(base, 1u), vy_arg(base, 2u))"));
}

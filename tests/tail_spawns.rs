//! Spawns in a handler's tail position, which the WGSL lowering defers to
//! one call after the opcode switch (`lower/spawn.rs`): the same tasks,
//! faults, refusals and counters as plain Rust, the reference interpreter
//! and the native backend, through every way a handler can end with a
//! spawn (an `if`, a `match` arm, a nested block, a kept `bool`), with
//! two argument-word counts, a faulting argument and a bad priority — and
//! the lowering defers exactly the spawns in tail position.

mod common;

use common::{every_backend, Outcome};
use vyre::prelude::*;

/// Counts itself and ends with a spawn in every kind of tail: each arm of
/// the `match` ends the handler. `step == 0` faults in arm 2 (a division
/// in the spawn's argument), `step == 9` in arm 3 (priority 5 to 7).
#[opcode(id = 0x710)]
pub fn relay(ctx: &Ctx, hits: &Buffer<Atomic<u32>>, n: u32, step: u32) {
    hits[0].fetch_add(1);
    hits[1].fetch_add(n);
    if n == 0 {
        return;
    }
    match n % 4 {
        0 => {
            // Three words (a u64 takes two): a second word count.
            ctx.spawn(
                Priority::Normal,
                widen::task(n - 1, ((n as u64) << 40) | step as u64),
            );
        }
        1 => {
            let _queued = ctx.spawn(Priority::Low, relay::task(n - 1, step));
        }
        2 => {
            ctx.spawn(Priority::High, relay::task(n - 1, 100 / step));
        }
        _ => {
            if step == 9 {
                ctx.spawn(5 + n % 3, relay::task(n - 1, step));
            } else {
                ctx.spawn(Priority::Idle, relay::task(n - 1, step + 1));
            }
        }
    }
}

/// Spawns in a loop (not a tail: each stays where it is), then once more
/// at its tail.
#[opcode(id = 0x711)]
pub fn widen(ctx: &Ctx, hits: &Buffer<Atomic<u32>>, n: u32, w: u64) {
    hits[2].fetch_add((w >> 40) as u32);
    for k in 0..n % 3 {
        ctx.spawn(Priority::Low, leaf::task(k));
    }
    ctx.spawn(Priority::Low, relay::task(n / 2, (w & 0xff) as u32));
}

/// A task that spawns nothing.
#[opcode(id = 0x712)]
pub fn leaf(hits: &Buffer<Atomic<u32>>, k: u32) {
    hits[3].fetch_add(k + 1);
}

/// Ends with one spawn into LOW, which the refusal test keeps small.
#[opcode(id = 0x713)]
pub fn fan(ctx: &Ctx, hits: &Buffer<Atomic<u32>>, i: u32) {
    hits[4].fetch_add(1);
    ctx.spawn(Priority::Low, leaf::task(i));
}

megakernel! {
    /// The tail forms, at the default sizes.
    pub struct Tails {
        buffers: { hits: Atomic<u32> },
        opcodes: [relay, widen, leaf],
    }
}

megakernel! {
    /// Partitions of 8 slots: spawns at the tail refused by a full LOW.
    pub struct SmallTails {
        workgroup_size: 16,
        slots: 40,
        partitions: [8, 8, 8, 8, 8],
        buffers: { hits: Atomic<u32> },
        opcodes: [fan, leaf],
    }
}

megakernel! {
    /// No spawn at all.
    pub struct Leaves {
        buffers: { hits: Atomic<u32> },
        opcodes: [leaf],
    }
}

/// The tasks the first test publishes: chains of every length and step.
fn roots() -> Vec<(u32, u32)> {
    (1..=24)
        .flat_map(|n| [0, 1, 4, 9].map(|step| (n, step)))
        .collect()
}

/// What plain Rust makes of `roots()`: the hits, the tasks run to the
/// end, the tasks spawned and the faults (kind and priority), sorted.
fn plain_rust() -> ([u32; 4], u64, u64, Vec<FaultKind>) {
    #[derive(Clone, Copy)]
    enum Task {
        Relay(u32, u32),
        Widen(u32, u64),
        Leaf(u32),
    }
    let mut hits = [0u32; 4];
    let (mut executed, mut spawned) = (0u64, 0u64);
    let mut faults = Vec::new();
    let mut queue: Vec<Task> = roots()
        .into_iter()
        .map(|(n, s)| Task::Relay(n, s))
        .collect();
    while let Some(task) = queue.pop() {
        let mut spawn = |t: Task| {
            spawned += 1;
            queue.push(t);
        };
        let fault = match task {
            Task::Relay(n, step) => {
                hits[0] += 1;
                hits[1] += n;
                match (n, n % 4) {
                    (0, _) => None,
                    (_, 0) => {
                        spawn(Task::Widen(n - 1, (u64::from(n) << 40) | u64::from(step)));
                        None
                    }
                    (_, 1) => {
                        spawn(Task::Relay(n - 1, step));
                        None
                    }
                    (_, 2) if step == 0 => Some(FaultKind::DivideByZero),
                    (_, 2) => {
                        spawn(Task::Relay(n - 1, 100 / step));
                        None
                    }
                    _ if step == 9 => Some(FaultKind::BadPriority {
                        priority: 5 + n % 3,
                    }),
                    _ => {
                        spawn(Task::Relay(n - 1, step + 1));
                        None
                    }
                }
            }
            Task::Widen(n, w) => {
                hits[2] += (w >> 40) as u32;
                for k in 0..n % 3 {
                    spawn(Task::Leaf(k));
                }
                spawn(Task::Relay(n / 2, (w & 0xff) as u32));
                None
            }
            Task::Leaf(k) => {
                hits[3] += k + 1;
                None
            }
        };
        match fault {
            Some(f) => faults.push(f),
            None => executed += 1,
        }
    }
    faults.sort_by_key(|f| format!("{f:?}"));
    (hits, executed, spawned, faults)
}

#[test]
fn tail_spawns_agree_with_plain_rust_on_every_backend() {
    let (hits, executed, spawned, faults) = plain_rust();
    assert!(faults.contains(&FaultKind::DivideByZero));
    assert!(faults
        .iter()
        .any(|f| matches!(f, FaultKind::BadPriority { .. })));
    let mut outcomes = Vec::new();
    for gpu in every_backend("tail_spawns", 2) {
        let what = gpu.description();
        let mut k = Tails::new(&gpu).unwrap();
        k.hits().upload(&[0; 4]).unwrap();
        for (n, step) in roots() {
            k.publish(Priority::Critical, relay::task(n, step)).unwrap();
        }
        let report = k.run().unwrap();
        let mut kinds: Vec<FaultKind> = report.faults.iter().map(|f| f.kind).collect();
        kinds.sort_by_key(|f| format!("{f:?}"));
        assert_eq!(k.hits().read().unwrap(), hits, "{what}");
        assert_eq!(report.executed, executed, "{what}");
        assert_eq!(report.spawned, spawned, "{what}");
        assert_eq!(report.spawn_overflows, 0, "{what}");
        assert_eq!(kinds, faults, "{what}");
        outcomes.push((what, Outcome::of(&report)));
    }
    let (first, rest) = outcomes.split_first().unwrap();
    for (what, o) in rest {
        assert_eq!(&first.1, o, "{} and {what} disagree", first.0);
    }
}

/// A tail spawn into a full partition is refused and counted exactly as
/// one made in place: 20 CRITICAL tasks, 8 at a time, each spawning one
/// LOW task into a LOW partition of 8 slots.
#[test]
fn tail_spawns_are_refused_alike() {
    let mut results = Vec::new();
    for gpu in every_backend("tail_spawns_are_refused_alike", 2) {
        let what = gpu.description();
        let mut k = SmallTails::new(&gpu).unwrap();
        k.hits().upload(&[0; 5]).unwrap();
        for i in 0..20 {
            k.publish(Priority::Critical, fan::task(i)).unwrap();
        }
        let report = k.run().unwrap();
        assert!(report.faults.is_empty(), "{what}: {:?}", report.faults);
        assert_eq!(report.spawned + report.spawn_overflows, 20, "{what}");
        assert!(report.spawn_overflows > 0, "{what}: {report:?}");
        let b = k.runtime().accounting();
        assert_eq!(
            b.published + b.spawned,
            b.executed + b.faulted + b.parked + b.waiting,
            "{what}: {b:?}"
        );
        let hits = k.hits().read().unwrap();
        assert_eq!(hits[4], 20, "{what}");
        results.push((what, Outcome::of(&report), hits));
    }
    let (first, rest) = results.split_first().unwrap();
    for r in rest {
        assert_eq!(
            (&first.1, &first.2),
            (&r.1, &r.2),
            "{} and {} disagree",
            first.0,
            r.0
        );
    }
}

/// The lowering defers the spawns in tail position and only those: each
/// spawn helper is defined once and called once — the two deferred word
/// counts from `vy_dispatch`, the loop's one-word spawn at its site.
#[test]
fn only_tail_spawns_are_deferred() {
    let wgsl = vyre::lower::wgsl(&Tails::program());
    let count = |s: &str| wgsl.matches(s).count();
    // relay's arms 1, 2 and 3 (twice) and widen's last spawn: 2 words.
    assert_eq!(count("vy_tail_spawn = 3u;"), 5, "{wgsl}");
    // relay's arm 0: 3 words.
    assert_eq!(count("vy_tail_spawn = 4u;"), 1, "{wgsl}");
    for helper in ["vy_spawn_1(", "vy_spawn_2(", "vy_spawn_3("] {
        assert_eq!(count(helper), 2, "{helper}: {wgsl}");
    }
    // The deferred call chooses between the two counts after the switch.
    let dispatch = &wgsl[wgsl.find("fn vy_dispatch(").expect("vy_dispatch")..];
    assert!(dispatch.contains("_ = vy_spawn_2(vy_tail_priority, vy_tail_opcode"));
    assert!(dispatch.contains("_ = vy_spawn_3(vy_tail_priority, vy_tail_opcode"));
    // fan's one word; a program without tail spawns has no tail state.
    assert!(vyre::lower::wgsl(&SmallTails::program()).contains("vy_tail_spawn = 2u;"));
    assert!(!vyre::lower::wgsl(&Leaves::program()).contains("vy_tail"));
}

//! The reference engine's scheduler, driven through the `Engine` trait as
//! a host would: priorities, spawns, overflow, tenants, inbox wrap-around,
//! anti-starvation and determinism.

mod support;

use support::{atomic_u32, plain, program, small_config, Host};
use vyre_core::ir::{Access, CtxValue, HandlerBuilder, ScalarType};
use vyre_core::program::{OpcodeHandler, ProgramConfig};
use vyre_core::protocol::{ctrl, slot, status, PRIORITIES, SLOT_WORDS};
use vyre_core::reference::ReferenceEngine;
use vyre_core::{BackendKind, Engine, Priority};

const U32: ScalarType = ScalarType::U32;

/// `rec(tag)`: `order[ticket.fetch_add(0, 1)] = tag`.
fn recorder(id: u32) -> OpcodeHandler {
    let mut h = HandlerBuilder::new(id, "rec");
    let ticket = h.buffer("ticket", U32, Access::Atomic);
    let order = h.buffer("order", U32, Access::ReadWrite);
    let tag = h.arg("tag", U32);
    h.body(|b| {
        let t = b.let_("t", ticket.fetch_add(0u32, 1u32));
        b.store(order, t, tag);
    });
    h.finish().unwrap()
}

fn recorder_program(config: ProgramConfig) -> vyre_core::Program {
    program(
        config,
        &[("ticket", atomic_u32()), ("order", plain(U32))],
        vec![recorder(1)],
    )
}

#[test]
fn engine_identity_and_dispatches() {
    let p = recorder_program(small_config());
    let mut e = ReferenceEngine::new(&p, 8, 42).unwrap();
    assert_eq!(e.kind(), BackendKind::Reference);
    assert_eq!(e.lanes(), 8);
    assert_eq!(
        e.adapter(),
        "vyre reference interpreter (CPU, 8 lanes, seed 42)"
    );
    let s = e.submit(0).unwrap();
    assert_eq!(s.dispatches, 3);
    assert_eq!(s.gpu_time, None);
    assert_eq!(s.summary[ctrl::ROUND as usize], 1);
    // An empty ring is idle: the first maintenance of a submission runs
    // (and counts its round), the five rounds after it do nothing.
    assert_eq!(s.summary[ctrl::IDLE as usize], 1);
    let s = e.submit(5).unwrap();
    assert_eq!(s.dispatches, 23);
    assert_eq!(s.summary[ctrl::ROUND as usize], 2);
    assert!(matches!(
        ReferenceEngine::new(&p, 0, 1),
        Err(vyre_core::Error::InvalidRunOption {
            option: "lanes",
            ..
        })
    ));
    assert!(ReferenceEngine::new(&p, u32::MAX, 1).is_err());
}

#[test]
fn one_lane_claims_every_critical_before_any_idle() {
    for starvation_limit in [0, 64] {
        let config = ProgramConfig {
            starvation_limit,
            claim_budget: 64,
            ..small_config()
        };
        let mut host = Host::new(recorder_program(config), 1, 3);
        host.zeroed_buffer("ticket", 1);
        host.zeroed_buffer("order", 40);
        // Interleave the publishes: IDLE, CRITICAL, LOW, HIGH, NORMAL, ...
        let prios = [
            Priority::Idle,
            Priority::Critical,
            Priority::Low,
            Priority::High,
            Priority::Normal,
        ];
        let mut n = 0;
        for round in 0..4u32 {
            for p in prios {
                host.publish(p, 1, 0, &[p as u32 * 100 + round]);
                n += 1;
            }
        }
        host.submit(1);
        let order = host.buffer("order");
        let prio_of: Vec<u32> = order[..n].iter().map(|t| t / 100).collect();
        let mut sorted = prio_of.clone();
        sorted.sort();
        assert_eq!(prio_of, sorted, "claim order {order:?}");
        assert_eq!(host.ctrl(ctrl::EXECUTED), n as u32);
        for p in 0..PRIORITIES as u32 {
            assert_eq!(host.ctrl(ctrl::EXECUTED_BY_PRIORITY + p), 4);
        }
        assert_eq!(host.ctrl(host.layout.executed_by_op), n as u32);
    }
}

/// `step(depth)`: `seen[depth] = 1; if depth + 1 < len { spawn step(depth+1) }`.
fn chain() -> vyre_core::Program {
    let mut h = HandlerBuilder::new(7, "step");
    let seen = h.buffer("seen", U32, Access::ReadWrite);
    let depth = h.arg("depth", U32);
    h.body(|b| {
        b.store(seen, depth, 1u32);
        b.if_((depth + 1u32).lt(seen.len()), |b| {
            b.spawn(Priority::High, 7, vec![depth + 1u32]);
        });
    });
    program(
        small_config(),
        &[("seen", plain(U32))],
        vec![h.finish().unwrap()],
    )
}

#[test]
fn spawned_tasks_become_claimable_only_next_round() {
    let mut host = Host::new(chain(), 16, 9);
    host.zeroed_buffer("seen", 10);
    host.publish(Priority::Normal, 7, 0, &[0]);
    // The first M places the task; each round runs exactly one link.
    let s = host.submit(3);
    assert_eq!(s.summary[ctrl::EXECUTED as usize], 3);
    assert_eq!(s.summary[ctrl::SPAWNED as usize], 3);
    assert_eq!(s.summary[ctrl::PLACED as usize], 1);
    // The fourth link is PUBLISHED and listed for the next round.
    assert_eq!(
        s.summary[ctrl::LIST_LEN as usize + Priority::High.index()],
        1
    );
    assert_eq!(host.buffer("seen"), [1, 1, 1, 0, 0, 0, 0, 0, 0, 0]);
    // Each summary counts its own submission: the other seven links.
    let s = host.submit(20);
    assert_eq!(s.summary[ctrl::EXECUTED as usize], 7);
    assert_eq!(s.summary[ctrl::SPAWNED as usize], 6);
    assert_eq!(s.summary[ctrl::EXECUTED_BY_PRIORITY as usize + 1], 7);
    assert_eq!(host.buffer("seen"), vec![1; 10]);
    // Spawned tasks carry the spawner's tenant, sit in the spawn's
    // priority's partition, and have no ticket (the spawner had none).
    let (start, size) = host.program.config().partitions()[Priority::High.index()];
    let ring = host.engine.machine().ring().to_vec();
    let spawned_slots: Vec<u32> = (start..start + size)
        .filter(|&s| ring[(s * SLOT_WORDS + slot::OPCODE) as usize] == 7)
        .collect();
    assert!(!spawned_slots.is_empty());
    for s in spawned_slots {
        assert_eq!(ring[(s * SLOT_WORDS + slot::TICKET) as usize], 0);
        assert_eq!(ring[(s * SLOT_WORDS + slot::TENANT) as usize], 0);
    }
}

/// `fan(n)`: n spawns of `leaf` at NORMAL, counting successes and refusals.
fn fan_program(config: ProgramConfig) -> vyre_core::Program {
    let mut fan = HandlerBuilder::new(1, "fan");
    let ok = fan.buffer("ok", U32, Access::Atomic);
    let n = fan.arg("n", U32);
    fan.body(|b| {
        b.for_range("i", 0u32, n, |b, i| {
            let queued = b.spawn(Priority::Normal, 2, vec![i.into()]);
            b.if_else(
                queued,
                |b| b.eval(ok.fetch_add(0u32, 1u32)),
                |b| b.eval(ok.fetch_add(1u32, 1u32)),
            );
        });
    });
    let mut leaf = HandlerBuilder::new(2, "leaf");
    let hits = leaf.buffer("hits", U32, Access::Atomic);
    let i = leaf.arg("i", U32);
    leaf.body(|b| b.eval(hits.fetch_add(i, 1u32)));
    program(
        config,
        &[("ok", atomic_u32()), ("hits", atomic_u32())],
        vec![fan.finish().unwrap(), leaf.finish().unwrap()],
    )
}

#[test]
fn spawn_overflow_is_counted_and_nothing_is_lost() {
    let config = ProgramConfig {
        slots: 10,
        partition_sizes: Some([2, 2, 2, 2, 2]),
        ..small_config()
    };
    let mut host = Host::new(fan_program(config), 4, 5);
    host.zeroed_buffer("ok", 2);
    host.zeroed_buffer("hits", 5);
    host.publish(Priority::Critical, 1, 0, &[5]);
    let s = host.submit(1);
    let first = s.summary[ctrl::EXECUTED as usize];
    assert_eq!(s.summary[ctrl::SPAWNED as usize], 2);
    assert_eq!(s.summary[ctrl::SPAWN_OVERFLOW as usize], 3);
    assert_eq!(host.buffer("ok"), [2, 3]);
    // The free list held the partition's two slots: the two spawns that
    // succeeded took them, the other three found it used up (the last
    // prepare cleared both words again).
    assert_eq!(s.summary[ctrl::FREE_NEXT as usize + 2], 0);
    assert_eq!(s.summary[ctrl::FREE_LEN as usize + 2], 0);
    let s = host.submit(2);
    // Accounting: published + spawned = executed + faulted + parked +
    // waiting, each summary counting its own submission.
    let executed = first + s.summary[ctrl::EXECUTED as usize];
    assert_eq!(1 + 2, executed);
    assert_eq!(host.buffer("hits"), [1, 1, 0, 0, 0]);
    assert_eq!(s.summary[ctrl::FAULTED as usize], 0);
}

#[test]
fn disabled_tenants_are_parked_then_run_when_enabled() {
    let mut host = Host::new(recorder_program(small_config()), 1, 11);
    host.zeroed_buffer("ticket", 1);
    host.zeroed_buffer("order", 8);
    host.publish(Priority::Normal, 1, 2, &[5]);
    host.publish(Priority::Low, 1, 2, &[6]);
    host.publish(Priority::Low, 1, 0, &[7]);
    let s = host.submit(3);
    assert_eq!(s.summary[ctrl::EXECUTED as usize], 1);
    assert_eq!(s.summary[ctrl::PARKED as usize + 2], 1);
    assert_eq!(s.summary[ctrl::PARKED as usize + 3], 1);
    assert_eq!(s.summary[ctrl::PLACED as usize], 3);
    assert_eq!(host.buffer("order")[0], 7);
    host.enable(2, true);
    let s = host.submit(1);
    assert_eq!(s.summary[ctrl::EXECUTED as usize], 2);
    assert_eq!(s.summary[ctrl::PARKED as usize + 2], 0);
    assert_eq!(host.buffer("order")[..3], [7, 5, 6]);
}

#[test]
fn inbox_wraps_around_positions_and_u32_counters() {
    let config = ProgramConfig {
        inbox_capacity: 4,
        slots: 10,
        claim_budget: 2,
        ..small_config()
    };
    let mut host = Host::new(recorder_program(config), 1, 13);
    host.zeroed_buffer("ticket", 1);
    host.zeroed_buffer("order", 64);
    // Start the counters just below u32::MAX so they wrap mid-test.
    host.set_inbox_counters(Priority::Normal.index(), u32::MAX - 5);
    let mut next = 0u32;
    for _ in 0..30 {
        // Fill the inbox as far as the host may.
        loop {
            let p = Priority::Normal.index() as u32;
            let head = host.ctrl(ctrl::INBOX_HEAD + p);
            if host.tails[p as usize].wrapping_sub(head) >= 4 || next >= 40 {
                break;
            }
            host.publish(Priority::Normal, 1, 0, &[next]);
            next += 1;
        }
        host.submit(1);
    }
    assert_eq!(next, 40);
    let order = host.buffer("order");
    // One lane, FIFO inbox, slot-ordered placement: the tags come back in
    // publish order.
    assert_eq!(order[..40], (0..40).collect::<Vec<_>>()[..]);
    let p = Priority::Normal.index() as u32;
    assert_eq!(
        host.ctrl(ctrl::INBOX_HEAD + p),
        (u32::MAX - 5).wrapping_add(40)
    );
    assert_eq!(
        host.ctrl(ctrl::INBOX_TAIL + p),
        (u32::MAX - 5).wrapping_add(40)
    );
}

/// CRITICAL `flood()` respawns itself twice; IDLE `idle()` marks a flag.
fn flood_program(starvation_limit: u32) -> vyre_core::Program {
    let mut flood = HandlerBuilder::new(1, "flood");
    flood.body(|b| {
        b.spawn(Priority::Critical, 1, vec![]);
        b.spawn(Priority::Critical, 1, vec![]);
    });
    let mut idle = HandlerBuilder::new(2, "idle");
    let flag = idle.buffer("flag", U32, Access::Atomic);
    idle.body(|b| b.eval(flag.fetch_add(0u32, 1u32)));
    let config = ProgramConfig {
        slots: 80,
        partition_sizes: Some([64, 4, 4, 4, 4]),
        claim_budget: 4,
        starvation_limit,
        ..small_config()
    };
    program(
        config,
        &[("flag", atomic_u32())],
        vec![flood.finish().unwrap(), idle.finish().unwrap()],
    )
}

#[test]
fn anti_starvation_lets_idle_work_through_a_critical_flood() {
    let mut host = Host::new(flood_program(2), 2, 17);
    host.zeroed_buffer("flag", 1);
    for _ in 0..8 {
        host.publish(Priority::Critical, 1, 0, &[]);
    }
    host.publish(Priority::Idle, 2, 0, &[]);
    host.submit(1);
    assert_eq!(host.buffer("flag"), [1]);
    assert_eq!(host.ctrl(ctrl::EXECUTED_BY_PRIORITY + 4), 1);
    // The lane state keeps each lane's streak across dispatches.
    let streaks = host
        .engine
        .read_control(host.layout.lane_state as u64, 2)
        .unwrap();
    assert!(streaks.iter().all(|&s| s <= 2), "{streaks:?}");
}

#[test]
fn strict_priority_starves_idle_work_under_a_critical_flood() {
    let mut host = Host::new(flood_program(0), 2, 17);
    host.zeroed_buffer("flag", 1);
    for _ in 0..8 {
        host.publish(Priority::Critical, 1, 0, &[]);
    }
    host.publish(Priority::Idle, 2, 0, &[]);
    host.submit(30);
    assert_eq!(host.buffer("flag"), [0]);
    assert_eq!(host.ctrl(ctrl::EXECUTED), 2 * 4 * 30);
    assert!(host.ctrl(ctrl::SPAWN_OVERFLOW) > 0);
    assert_eq!(host.ctrl(ctrl::LIST_LEN + 4), 1, "IDLE still listed");
}

#[test]
fn shutdown_stops_claiming() {
    let mut h = HandlerBuilder::new(3, "stop");
    let hits = h.buffer("hits", U32, Access::Atomic);
    h.body(|b| {
        b.eval(hits.fetch_add(0u32, 1u32));
        b.shutdown();
    });
    let p = program(
        small_config(),
        &[("hits", atomic_u32())],
        vec![h.finish().unwrap()],
    );
    let mut host = Host::new(p, 1, 1);
    host.zeroed_buffer("hits", 1);
    for _ in 0..5 {
        host.publish(Priority::Normal, 3, 0, &[]);
    }
    let s = host.submit(4);
    assert_eq!(s.summary[ctrl::SHUTDOWN as usize], 1);
    assert_eq!(host.buffer("hits"), [1]);
    assert_eq!(s.summary[ctrl::LIST_LEN as usize + 2], 4);
}

/// `log(tag)`: appends `tag` and the lane to a shared log (racy order),
/// adds `tag` to a sum (commutative), prints it.
fn racy_program() -> vyre_core::Program {
    let mut h = HandlerBuilder::new(5, "log");
    let ticket = h.buffer("ticket", U32, Access::Atomic);
    let log = h.buffer("log", U32, Access::ReadWrite);
    let sum = h.buffer("sum", U32, Access::Atomic);
    let tag = h.arg("tag", U32);
    h.body(|b| {
        let t = b.let_("t", ticket.fetch_add(0u32, 1u32));
        b.eval(sum.fetch_add(0u32, tag));
        b.store(log, t, tag);
        b.printf(
            "tag {} on lane {}",
            vec![tag.into(), vyre_core::ir::ctx(CtxValue::Lane)],
        );
        b.if_(tag.lt(8u32), |b| {
            b.spawn(Priority::Low, 5, vec![tag + 100u32]);
        });
    });
    let config = ProgramConfig {
        slots: 80,
        ..small_config()
    };
    program(
        config,
        &[
            ("ticket", atomic_u32()),
            ("log", plain(U32)),
            ("sum", atomic_u32()),
        ],
        vec![h.finish().unwrap()],
    )
}

fn run_racy(seed: u64) -> (Vec<u32>, Vec<u32>, Vec<[u32; 8]>) {
    let mut host = Host::new(racy_program(), 8, seed);
    host.zeroed_buffer("ticket", 1);
    host.zeroed_buffer("log", 64);
    host.zeroed_buffer("sum", 1);
    for tag in 0..24 {
        host.publish(Priority::ALL[tag as usize % 5], 5, 0, &[tag]);
    }
    host.submit(4);
    (host.buffer("log"), host.buffer("sum"), host.printfs())
}

#[test]
fn same_seed_same_results_different_seeds_same_commutative_results() {
    let a = run_racy(1234);
    assert_eq!(a, run_racy(1234));
    let expected_sum: u32 = (0..24).sum::<u32>() + (0..8).map(|t| t + 100).sum::<u32>();
    assert_eq!(a.1, [expected_sum]);
    let mut orders = std::collections::HashSet::new();
    for seed in 0..8 {
        let (log, sum, prints) = run_racy(seed);
        assert_eq!(sum, [expected_sum]);
        let mut tags = log[..32].to_vec();
        tags.sort();
        let mut want: Vec<u32> = (0..24).chain(100..108).collect();
        want.sort();
        assert_eq!(tags, want);
        assert_eq!(prints.len(), 32);
        orders.insert(log);
    }
    assert!(
        orders.len() > 1,
        "different seeds should interleave differently"
    );
}

#[test]
fn counters_and_claim_lists_after_each_submission() {
    let mut host = Host::new(recorder_program(small_config()), 2, 21);
    host.zeroed_buffer("ticket", 1);
    host.zeroed_buffer("order", 8);
    for i in 0..3 {
        host.publish(Priority::High, 1, 0, &[i]);
    }
    let s = host.submit(0);
    // After M alone: placed and listed, nothing executed.
    assert_eq!(s.summary[ctrl::PLACED as usize], 3);
    assert_eq!(s.summary[ctrl::LIST_LEN as usize + 1], 3);
    assert_eq!(s.summary[ctrl::LIST_NEXT as usize + 1], 0);
    assert_eq!(s.summary[ctrl::INBOX_HEAD as usize + 1], 3);
    assert_eq!(s.summary[ctrl::EXECUTED as usize], 0);
    let s = host.submit(1);
    assert_eq!(s.summary[ctrl::EXECUTED as usize], 3);
    assert_eq!(s.summary[ctrl::LIST_LEN as usize + 1], 0);
    // Finished tasks left their slots EMPTY.
    let (start, size) = host.program.config().partitions()[1];
    for sl in start..start + size {
        assert_eq!(host.engine.machine().status(sl), status::EMPTY);
    }
}

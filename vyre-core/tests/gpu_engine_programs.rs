//! Real programs on the wgpu engine: the lowering's WGSL, driven through
//! the protocol by a minimal host (inbox appends and `INBOX_TAIL` writes,
//! no readback per publish, so throughput is measured on the device).
//! Without an adapter every test prints a skip notice and passes, unless
//! `VYRE_REQUIRE_GPU=1`.

use std::time::Instant;

use vyre_core::gpu::{test_context, AdapterChoice, GpuContext, WgpuEngine};
use vyre_core::ir::{Access, BufferKind, HandlerBuilder, ScalarType};
use vyre_core::program::Program;
use vyre_core::protocol::ctrl;
use vyre_core::protocol::{entry, fault, fault_record, FAULT_RECORD_WORDS, PRIORITIES, SLOT_WORDS};
use vyre_core::Priority;
use vyre_core::{Engine, Error};

/// The host side of `docs/protocol.md`, reduced to what these tests need:
/// inbox appends and `INBOX_TAIL` writes.
struct Host {
    program: Program,
    engine: WgpuEngine,
    tails: [u32; PRIORITIES],
}

impl Host {
    fn new(ctx: &GpuContext, program: Program, workgroups: u32) -> Host {
        let mut engine = WgpuEngine::new(ctx, &program, workgroups).expect("engine");
        // Tenant 0 enabled; others stay disabled.
        let layout = program.control_layout();
        engine
            .write_control(u64::from(layout.tenant_enabled), &[1])
            .expect("enable tenant 0");
        Host {
            program,
            engine,
            tails: [0; PRIORITIES],
        }
    }

    /// Appends one inbox entry to `priority`'s inbox and publishes the
    /// new tail.
    fn publish(&mut self, priority: Priority, opcode: u32, tenant: u32, args: &[u32]) {
        let p = priority.index();
        let config = self.program.config();
        let k = u64::from(self.tails[p] % config.inbox_capacity);
        let ew = self.program.entry_words();
        let at = self.program.initial_inbox_offset(p) + k * u64::from(ew);
        let mut words = vec![0u32; ew as usize];
        words[entry::OPCODE as usize] = opcode;
        words[entry::TENANT as usize] = tenant;
        for (i, a) in args.iter().enumerate() {
            words[entry::ARG0 as usize + i] = *a;
        }
        self.engine.write_inbox(at, &words).expect("inbox entry");
        self.tails[p] = self.tails[p].wrapping_add(1);
        self.engine
            .write_control(u64::from(ctrl::INBOX_TAIL) + p as u64, &[self.tails[p]])
            .expect("inbox tail");
    }

    fn executed_by_op(&mut self, handler: usize) -> u32 {
        let at = u64::from(self.program.control_layout().executed_by_op) + handler as u64;
        self.engine.read_control(at, 1).expect("read")[0]
    }
}

fn bump_program() -> Program {
    let mut h = HandlerBuilder::new(1, "bump");
    let hits = h.buffer("hits", ScalarType::U32, Access::Atomic);
    let i = h.arg("i", ScalarType::U32);
    h.body(|b| b.eval(hits.fetch_add(i, 1u32)));
    Program::builder("bump")
        .slots(1000)
        .buffer("hits", BufferKind::atomic(ScalarType::U32))
        .opcode(h.finish().expect("handler"))
        .build()
        .expect("program")
}

#[test]
fn lowered_program_runs_published_tasks() {
    let Some(ctx) = test_context() else { return };
    let mut host = Host::new(&ctx, bump_program(), 2);
    host.engine.resize_buffer(0, 10).expect("resize");
    for k in 0..100u32 {
        let priority = Priority::ALL[(k % 5) as usize];
        host.publish(priority, 1, 0, &[k % 10]);
    }
    let s = host.engine.submit(2).expect("submit");
    let w = |i: u32| s.summary[i as usize];
    assert_eq!(w(ctrl::PLACED), 100);
    assert_eq!(w(ctrl::EXECUTED), 100);
    assert_eq!(w(ctrl::FAULT_COUNT), 0);
    // The first round's maintenance found the ring idle: the second round
    // did nothing and finalize did not count it.
    assert_eq!(w(ctrl::ROUND), 2);
    assert_eq!(w(ctrl::IDLE), 1);
    for p in 0..PRIORITIES as u32 {
        // No handler spawns: maintain builds no free list.
        assert_eq!(w(ctrl::FREE_LEN + p), 0, "free list {p}");
        assert_eq!(w(ctrl::EXECUTED_BY_PRIORITY + p), 20, "priority {p}");
        assert_eq!(w(ctrl::INBOX_HEAD + p), 20, "inbox {p} consumed");
        assert_eq!(w(ctrl::LIST_LEN + p), 0, "nothing left to claim");
    }
    let by_op = u64::from(host.program.control_layout().executed_by_op);
    assert_eq!(
        s.summary[by_op as usize], 100,
        "summary holds executed_by_op"
    );
    assert_eq!(host.executed_by_op(0), 100);
    assert_eq!(
        host.engine.read_buffer(0, 0, 10).expect("read"),
        vec![10; 10]
    );
    // Every slot is EMPTY again.
    let slots = host.program.config().slots;
    let ring = host
        .engine
        .read_ring(0, u64::from(slots * SLOT_WORDS))
        .expect("ring");
    assert!(ring.chunks(SLOT_WORDS as usize).all(|s| s[0] == 0));
}

#[test]
fn lowered_program_spawns_across_rounds() {
    let Some(ctx) = test_context() else { return };
    let mut h = HandlerBuilder::new(7, "countdown");
    let out = h.buffer("out", ScalarType::U32, Access::Atomic);
    let n = h.arg("n", ScalarType::U32);
    h.body(|b| {
        b.eval(out.fetch_add(n, 1u32));
        b.if_(n.gt(0u32), |b| {
            b.spawn(Priority::Low, 7, vec![n - 1u32]);
        });
    });
    let program = Program::builder("countdown")
        .slots(100)
        .buffer("out", BufferKind::atomic(ScalarType::U32))
        .opcode(h.finish().expect("handler"))
        .build()
        .expect("program");
    let mut host = Host::new(&ctx, program, 1);
    host.engine.resize_buffer(0, 8).expect("resize");
    host.publish(Priority::Normal, 7, 0, &[5]);
    // A spawned task becomes claimable only in the next round.
    let s = host.engine.submit(3).expect("submit");
    assert_eq!(s.summary[ctrl::EXECUTED as usize], 3);
    assert_eq!(s.summary[ctrl::SPAWNED as usize], 3);
    let s = host.engine.submit(10).expect("submit");
    assert_eq!(
        s.summary[ctrl::EXECUTED as usize],
        3,
        "a summary counts its own submission (the first prepare clears)"
    );
    assert_eq!(s.summary[ctrl::SPAWNED as usize], 2);
    assert_eq!(s.summary[ctrl::SPAWN_OVERFLOW as usize], 0);
    assert_eq!(
        host.engine.read_buffer(0, 0, 8).expect("read"),
        vec![1, 1, 1, 1, 1, 1, 0, 0]
    );
}

#[test]
fn lowered_program_reports_faults_and_parks_disabled_tenants() {
    let Some(ctx) = test_context() else { return };
    let mut host = Host::new(&ctx, bump_program(), 1);
    host.engine.resize_buffer(0, 4).expect("resize");
    host.publish(Priority::High, 1, 0, &[2]); // fine
    host.publish(Priority::High, 1, 0, &[9]); // out of bounds
    host.publish(Priority::Normal, 1, 3, &[1]); // tenant 3 is disabled
    host.publish(Priority::Normal, 0xBAD, 0, &[]); // unknown opcode
    let s = host.engine.submit(2).expect("submit");
    let w = |i: u32| s.summary[i as usize];
    assert_eq!(w(ctrl::EXECUTED), 1);
    assert_eq!(w(ctrl::FAULTED), 2);
    assert_eq!(w(ctrl::FAULT_COUNT), 2);
    assert_eq!(w(ctrl::PARKED + Priority::Normal as u32), 1);
    let layout = host.program.control_layout();
    let records = host
        .engine
        .read_control(
            u64::from(layout.fault_log),
            2 * u64::from(FAULT_RECORD_WORDS),
        )
        .expect("fault log");
    let mut codes: Vec<(u32, u32)> = records
        .chunks(FAULT_RECORD_WORDS as usize)
        .map(|r| {
            (
                r[fault_record::CODE as usize],
                r[fault_record::DETAIL as usize],
            )
        })
        .collect();
    codes.sort();
    assert_eq!(
        codes,
        vec![(fault::OUT_OF_BOUNDS, 9), (fault::UNKNOWN_OPCODE, 0xBAD)]
    );
    assert_eq!(
        host.engine.read_buffer(0, 0, 4).expect("read"),
        vec![0, 0, 1, 0]
    );
    // Enabling the tenant releases the parked task in the next submission.
    host.engine
        .write_control(u64::from(layout.tenant_enabled) + 3, &[1])
        .expect("enable");
    let s = host.engine.submit(1).expect("submit");
    assert_eq!(s.summary[ctrl::EXECUTED as usize], 1);
    assert_eq!(s.summary[ctrl::FAULTED as usize], 0);
    // FAULT_COUNT is the host's to zero: it still places records.
    assert_eq!(s.summary[ctrl::FAULT_COUNT as usize], 2);
    assert_eq!(
        host.engine.read_buffer(0, 0, 4).expect("read"),
        vec![0, 1, 1, 0]
    );
}

#[test]
fn lowered_programs_share_the_pipeline_cache() {
    if test_context().is_none() {
        return;
    }
    // A context of its own: the shared one's cache counters move with the
    // compiles of this binary's other tests, which run at the same time
    // (seen in CI: a miss between the two counts).
    let ctx = GpuContext::new(AdapterChoice::Any).expect("context");
    let program = bump_program();
    let t = Instant::now();
    let _first = WgpuEngine::new(&ctx, &program, 1).expect("engine");
    let first = t.elapsed();
    let before = ctx.pipeline_cache_stats();
    let t = Instant::now();
    let _second = WgpuEngine::new(&ctx, &program, 8).expect("engine");
    let second = t.elapsed();
    let after = ctx.pipeline_cache_stats();
    assert_eq!(after.misses, before.misses);
    assert_eq!(after.hits, before.hits + 1);
    println!(
        "lowered `bump` ({} bytes of WGSL): first engine {first:?}, second {second:?}",
        program.wgsl().len()
    );
}

/// Throughput of the lowered scheduler on this adapter, printed (run with
/// `--nocapture`); not asserted beyond correctness.
#[test]
fn lowered_program_throughput() {
    let Some(ctx) = test_context() else { return };
    let mut h = HandlerBuilder::new(1, "bump");
    let hits = h.buffer("hits", ScalarType::U32, Access::Atomic);
    let i = h.arg("i", ScalarType::U32);
    h.body(|b| b.eval(hits.fetch_add(i, 1u32)));
    let program = Program::builder("bump_big")
        .slots(1 << 14)
        .buffer("hits", BufferKind::atomic(ScalarType::U32))
        .opcode(h.finish().expect("handler"))
        .build()
        .expect("program");
    let mut host = Host::new(&ctx, program, 16);
    host.engine.resize_buffer(0, 64).expect("resize");
    let per_priority = 4000u32;
    for k in 0..per_priority {
        for p in Priority::ALL {
            host.publish(p, 1, 0, &[k % 64]);
        }
    }
    let total = per_priority * PRIORITIES as u32;
    // The first submission also carries the 2 × 20,000 queued writes of
    // the publishes above; one submission of M alone measures their cost.
    let t = Instant::now();
    host.engine.submit(0).expect("flush writes");
    let flush = t.elapsed();
    let t = Instant::now();
    let (mut executed, mut submissions, mut gpu) = (0u32, 0u32, std::time::Duration::ZERO);
    while executed < total && submissions < 100 {
        let s = host.engine.submit(4).expect("submit");
        executed = s.summary[ctrl::EXECUTED as usize];
        gpu += s.gpu_time.unwrap_or_default();
        submissions += 1;
    }
    let wall = t.elapsed();
    assert_eq!(executed, total);
    let hits = host.engine.read_buffer(0, 0, 64).expect("read");
    assert_eq!(hits.iter().sum::<u32>(), total);
    println!(
        "{}: {total} tasks, {} lanes, {submissions} submissions of 4 rounds: wall {wall:?} \
         ({:.0} tasks/s), gpu {gpu:?}; flushing the publishes' writes took {flush:?}",
        ctx.description(),
        host.engine.lanes(),
        f64::from(total) / wall.as_secs_f64()
    );
}

#[test]
fn deeply_nested_programs_fail_as_values() {
    let Some(ctx) = test_context() else { return };
    // naga's WGSL parser has a recursion limit; a program past it must
    // come back as `Error::Gpu`, never a panic (and compile if the
    // lowering ever flattens such expressions).
    let mut h = HandlerBuilder::new(1, "deep");
    let out = h.buffer("out", ScalarType::U32, Access::Atomic);
    let i = h.arg("i", ScalarType::U32);
    let mut e: vyre_core::ir::Expr = i.into();
    for _ in 0..1000 {
        e = e + 1u32;
    }
    h.body(|b| b.eval(out.fetch_add(0u32, e)));
    let program = Program::builder("deep")
        .slots(100)
        .buffer("out", BufferKind::atomic(ScalarType::U32))
        .opcode(h.finish().expect("handler"))
        .build()
        .expect("program");
    match WgpuEngine::new(&ctx, &program, 1) {
        Ok(_) => {}
        Err(Error::Gpu { stage, message }) => {
            assert!(stage.contains("shader module"), "{stage}: {message}");
        }
        Err(other) => panic!("unexpected {other:?}"),
    }
    ctx.health().expect("healthy");
}

#[test]
fn a_ring_past_the_device_limit_is_buffer_too_large() {
    let Some(ctx) = test_context() else { return };
    let mut h = HandlerBuilder::new(1, "noop");
    let _ = h.arg("i", ScalarType::U32);
    h.body(|_| {});
    let config = vyre_core::ProgramConfig {
        slots: vyre_core::program::MAX_SLOTS,
        inbox_capacity: 1 << 20,
        ..Default::default()
    };
    let program = Program::builder("huge")
        .config(config)
        .opcode(h.finish().expect("handler"))
        .build()
        .expect("program");
    // The buffer holds the slots and their status plane.
    let slots = u64::from(program.config().slots);
    let bytes = vyre_core::protocol::ring_storage_words(slots) * 4;
    if bytes <= ctx.max_storage_buffer_bytes() {
        println!("skipping: this adapter binds {bytes}-byte buffers");
        return;
    }
    match WgpuEngine::new(&ctx, &program, 1) {
        Err(Error::BufferTooLarge {
            name,
            bytes: b,
            max,
        }) => {
            assert_eq!(name, "vy_ring");
            assert_eq!(b, bytes);
            assert_eq!(max, ctx.max_storage_buffer_bytes());
        }
        other => panic!("expected BufferTooLarge, got {other:?}"),
    }
}

/// wgpu's validation of indirect dispatch arguments is off
/// (`instance_descriptor` in `gpu/context.rs`): after every submission of
/// busy, spawning, idle, sharded and resized rings, each live grid the
/// finalize pass wrote is zero workgroups or at most the full grid, whose
/// every dimension the adapter can dispatch.
#[test]
fn every_indirect_grid_stays_within_the_full_grid_and_the_limits() {
    let Some(ctx) = test_context() else { return };
    let max = ctx.limits().max_compute_workgroups_per_dimension;
    let check = |engine: &mut WgpuEngine, what: &str| {
        let g = engine.read_indirect().expect("indirect");
        let (work, maintain) = (&g[0..3], &g[3..6]);
        let (full_work, full_maintain) = (&g[6..9], &g[9..12]);
        for (live, full) in [(work, full_work), (maintain, full_maintain)] {
            assert!(
                full.iter().all(|&d| (1..=max).contains(&d)),
                "{what}: {g:?}"
            );
            assert!(live[0] <= full[0], "{what}: {g:?}");
            assert!(live[0] == 0 || live[1..] == full[1..], "{what}: {g:?}");
        }
    };
    for sharded in [false, true] {
        let mut h = HandlerBuilder::new(7, "countdown");
        let out = h.buffer("out", ScalarType::U32, Access::Atomic);
        let n = h.arg("n", ScalarType::U32);
        h.body(|b| {
            b.eval(out.fetch_add(0u32, 1u32));
            b.if_(n.gt(0u32), |b| {
                b.spawn(Priority::Low, 7, vec![n - 1u32]);
                b.spawn(Priority::Normal, 7, vec![n - 1u32]);
            });
        });
        let program = Program::builder("grids")
            .slots(300)
            .buffer("out", BufferKind::atomic(ScalarType::U32))
            .opcode(h.finish().expect("handler"))
            .config(vyre_core::program::ProgramConfig {
                slots: 300,
                sharded,
                ..Default::default()
            })
            .build()
            .expect("program");
        let mut host = Host::new(&ctx, program, 3);
        host.engine.resize_buffer(0, 1).expect("resize");
        let what = format!("sharded {sharded}");
        for k in 0..40u32 {
            host.publish(Priority::ALL[(k % 5) as usize], 7, 0, &[k % 6]);
        }
        // Busy rounds, spawns refused by full partitions, then idle ones.
        for rounds in [1, 2, 5, 30] {
            host.engine.submit(rounds).expect("submit");
            check(&mut host.engine, &what);
        }
        // A larger ring: a new maintain grid.
        host.engine
            .resize_ring(vyre_core::protocol::partitions([4096; PRIORITIES]))
            .expect("resize ring");
        host.publish(Priority::High, 7, 0, &[3]);
        for rounds in [1, 4] {
            host.engine.submit(rounds).expect("submit");
            check(&mut host.engine, &what);
        }
    }
}

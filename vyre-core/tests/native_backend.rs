//! The native engine against the reference interpreter, with hand-written
//! twins of IR handlers (what `#[opcode]` emits: the original function and
//! its `__native` adapter), through the shared [`Runtime`].

use std::sync::Arc;

use vyre_core::engine::{BackendKind, Engine};
use vyre_core::error::Error;
use vyre_core::host::{loop_tick, Atomic, Buffer, Ctx, HostBuffers};
use vyre_core::ir::OpcodeHandler;
use vyre_core::ir::{ctx, Access, BufferKind, CtxValue, HandlerBuilder, Literal, ScalarType};
use vyre_core::native::{NativeEngine, NativeTable};
use vyre_core::program::{Program, ProgramConfig};
use vyre_core::protocol::Priority;
use vyre_core::report::{Fault, FaultKind, RunReport, StopReason};
use vyre_core::runtime::{RawTask, Runtime, Task};
use vyre_core::Gpu;

const U32: ScalarType = ScalarType::U32;
const SUM: u32 = 0x10;
const SPIN: u32 = 0x11;
const PICK: u32 = 0x12;
const DIV: u32 = 0x13;
const USER: u32 = 0x14;
const PRIO: u32 = 0x15;
const SAY: u32 = 0x16;
const STOP: u32 = 0x17;
const INFO: u32 = 0x18;
const LOOP_LIMIT: u32 = 50;

// ---- the original functions -------------------------------------------

fn sum(ctx: &Ctx, data: &Buffer<u32>, acc: &Buffer<Atomic<u32>>, i: u32) {
    acc[0].fetch_add(data[i]);
    if i + 1 < data.len() {
        ctx.spawn(Priority::Low, Task::new(SUM, [Literal::U32(i + 1)]));
    }
}

fn spin() {
    loop {
        loop_tick();
    }
}

fn pick(data: &Buffer<u32>, out: &mut Buffer<u32>, i: u32) {
    out[0] = data[i];
}

fn div(out: &mut Buffer<u32>, a: u32, b: u32) {
    out[1] = a / b;
}

fn user(ctx: &Ctx, code: u32) {
    ctx.fault(code);
}

fn prio(ctx: &Ctx, p: u32) {
    ctx.spawn(p, Task::new(STOP, []));
}

fn say(x: u32) {
    vyre_core::host::printf("x = {}", &[Literal::U32(x)]);
}

fn stop(ctx: &Ctx) {
    ctx.shutdown();
}

fn info(ctx: &Ctx, out: &mut Buffer<u32>) {
    out[2] = ctx.lane();
    out[3] = ctx.slot();
    out[4] = ctx.tenant();
    out[5] = ctx.priority() as u32;
}

// ---- their `__native` adapters ------------------------------------------

fn sum_n(ctx: &Ctx, b: &HostBuffers, bind: &[usize], args: &[u32]) {
    sum(
        ctx,
        &b.read::<u32>(bind, 0),
        b.atomic::<u32>(bind, 1),
        args[0],
    );
}
fn spin_n(_: &Ctx, _: &HostBuffers, _: &[usize], _: &[u32]) {
    spin();
}
fn pick_n(_: &Ctx, b: &HostBuffers, bind: &[usize], args: &[u32]) {
    pick(
        &b.read::<u32>(bind, 0),
        &mut b.write::<u32>(bind, 1),
        args[0],
    );
}
fn div_n(_: &Ctx, b: &HostBuffers, bind: &[usize], args: &[u32]) {
    div(&mut b.write::<u32>(bind, 0), args[0], args[1]);
}
fn user_n(ctx: &Ctx, _: &HostBuffers, _: &[usize], args: &[u32]) {
    user(ctx, args[0]);
}
fn prio_n(ctx: &Ctx, _: &HostBuffers, _: &[usize], args: &[u32]) {
    prio(ctx, args[0]);
}
fn say_n(_: &Ctx, _: &HostBuffers, _: &[usize], args: &[u32]) {
    say(args[0]);
}
fn stop_n(ctx: &Ctx, _: &HostBuffers, _: &[usize], _: &[u32]) {
    stop(ctx);
}
fn info_n(ctx: &Ctx, b: &HostBuffers, bind: &[usize], _: &[u32]) {
    info(ctx, &mut b.write::<u32>(bind, 0));
}

// ---- their IR ----------------------------------------------------------

fn handlers() -> Vec<OpcodeHandler> {
    let mut v = Vec::new();
    let mut h = HandlerBuilder::new(SUM, "sum");
    let data = h.buffer("data", U32, Access::Read);
    let acc = h.buffer("acc", U32, Access::Atomic);
    let i = h.arg("i", U32);
    h.body(|b| {
        b.eval(acc.fetch_add(0u32, data.at(i)));
        b.if_((i + 1u32).lt(data.len()), |b| {
            b.spawn(Priority::Low, SUM, vec![i + 1u32]);
        });
    });
    v.push(h.finish().unwrap());
    let mut h = HandlerBuilder::new(SPIN, "spin");
    h.body(|b| b.loop_(|_| {}));
    v.push(h.finish().unwrap());
    let mut h = HandlerBuilder::new(PICK, "pick");
    let data = h.buffer("data", U32, Access::Read);
    let out = h.buffer("out", U32, Access::ReadWrite);
    let i = h.arg("i", U32);
    h.body(|b| b.store(out, 0u32, data.at(i)));
    v.push(h.finish().unwrap());
    let mut h = HandlerBuilder::new(DIV, "div");
    let out = h.buffer("out", U32, Access::ReadWrite);
    let a = h.arg("a", U32);
    let d = h.arg("b", U32);
    h.body(|b| b.store(out, 1u32, a / d));
    v.push(h.finish().unwrap());
    let mut h = HandlerBuilder::new(USER, "user");
    let code = h.arg("code", U32);
    h.body(|b| b.fault(code));
    v.push(h.finish().unwrap());
    let mut h = HandlerBuilder::new(PRIO, "prio");
    let p = h.arg("p", U32);
    h.body(|b| {
        b.spawn(p, STOP, vec![]);
    });
    v.push(h.finish().unwrap());
    let mut h = HandlerBuilder::new(SAY, "say");
    let x = h.arg("x", U32);
    h.body(|b| b.printf("x = {}", vec![x.into()]));
    v.push(h.finish().unwrap());
    let mut h = HandlerBuilder::new(STOP, "stop");
    h.body(|b| b.shutdown());
    v.push(h.finish().unwrap());
    let mut h = HandlerBuilder::new(INFO, "info");
    let out = h.buffer("out", U32, Access::ReadWrite);
    h.body(|b| {
        b.store(out, 2u32, ctx(CtxValue::Lane));
        b.store(out, 3u32, ctx(CtxValue::Slot));
        b.store(out, 4u32, ctx(CtxValue::Tenant));
        b.store(out, 5u32, ctx(CtxValue::Priority));
    });
    v.push(h.finish().unwrap());
    v
}

fn table() -> NativeTable {
    NativeTable::new()
        .with(SUM, sum_n)
        .with(SPIN, spin_n)
        .with(PICK, pick_n)
        .with(DIV, div_n)
        .with(USER, user_n)
        .with(PRIO, prio_n)
        .with(SAY, say_n)
        .with(STOP, stop_n)
        .with(INFO, info_n)
}

fn program(slots: u32, native: Option<NativeTable>) -> Program {
    let config = ProgramConfig {
        slots,
        loop_limit: LOOP_LIMIT,
        tenants: 3,
        workgroup_size: 4,
        ..ProgramConfig::default()
    };
    twins("twins", config, |_| true, native)
}

/// The handlers whose ids `keep` takes, over the buffers `data`, `acc` and
/// `out`, with their native twins from `native`.
fn twins(
    name: &str,
    config: ProgramConfig,
    keep: impl Fn(u32) -> bool,
    native: Option<NativeTable>,
) -> Program {
    let mut b = Program::builder(name)
        .config(config)
        .buffer("data", BufferKind::plain(U32))
        .buffer("acc", BufferKind::atomic(U32))
        .buffer("out", BufferKind::plain(U32));
    for h in handlers().into_iter().filter(|h| keep(h.id)) {
        b = b.opcode(h);
    }
    if let Some(t) = native {
        b = b.native(t);
    }
    b.build().unwrap()
}

/// The report's faults as `key` sees them, in a stable order (the order
/// the device logs them in depends on scheduling).
fn sorted_faults<K: std::fmt::Debug>(r: &RunReport, key: impl Fn(&Fault) -> K) -> Vec<K> {
    let mut faults: Vec<K> = r.faults.iter().map(key).collect();
    faults.sort_by_key(|f| format!("{f:?}"));
    faults
}

fn task(op: u32, args: &[u32]) -> Task {
    Task::new(op, args.iter().map(|&a| Literal::U32(a)))
}

/// What must agree: the report without timing, and the buffers.
fn summary(r: &RunReport, rt: &mut Runtime) -> impl PartialEq + std::fmt::Debug {
    let faults = sorted_faults(r, |f| (f.opcode, f.kind, f.tenant, f.priority, f.round));
    let bufs: Vec<Vec<u32>> = ["data", "acc", "out"]
        .iter()
        .map(|n| {
            let h = rt.buffer::<u32>(n).unwrap();
            rt.read(h).unwrap()
        })
        .collect();
    (
        r.stop,
        r.executed,
        r.executed_by_opcode.clone(),
        r.executed_by_priority,
        r.spawned,
        r.spawn_overflows,
        faults,
        r.printf.clone(),
        r.rounds,
        bufs,
    )
}

fn scenario(gpu: &Gpu, program: &Arc<Program>) -> impl PartialEq + std::fmt::Debug {
    let mut rt = Runtime::new(gpu, Arc::clone(program)).unwrap();
    let data = rt.buffer::<u32>("data").unwrap();
    let acc = rt.buffer::<u32>("acc").unwrap();
    let out = rt.buffer::<u32>("out").unwrap();
    rt.upload(data, &[1, 2, 3, 4, 5, 6]).unwrap();
    rt.upload(acc, &[0]).unwrap();
    rt.resize(out, 6).unwrap();
    rt.publish(Priority::Normal, task(SUM, &[0])).unwrap();
    rt.publish(Priority::High, task(SPIN, &[])).unwrap();
    rt.publish(Priority::Normal, task(PICK, &[4])).unwrap();
    rt.publish(Priority::Normal, task(PICK, &[40])).unwrap();
    rt.publish(Priority::Idle, task(DIV, &[7, 2])).unwrap();
    rt.publish(Priority::Idle, task(DIV, &[7, 0])).unwrap();
    rt.publish_for(2, Priority::Critical, task(USER, &[77]))
        .unwrap();
    rt.publish(Priority::Low, task(PRIO, &[9])).unwrap();
    rt.publish(Priority::Low, task(SAY, &[5])).unwrap();
    rt.publish(Priority::Low, task(SAY, &[6])).unwrap();
    rt.publish_for(1, Priority::High, task(INFO, &[])).unwrap();
    rt.publish_raw(
        Priority::Normal,
        RawTask {
            opcode: 0xBAD,
            tenant: 0,
            args: [0; 12],
        },
    );
    let first = rt.run().unwrap();
    let a = summary(&first, &mut rt);
    // Spawn overflow: LOW has 2 slots here.
    for _ in 0..3 {
        rt.publish(Priority::Low, task(PRIO, &[Priority::Low as u32]))
            .unwrap();
    }
    let second = rt.run().unwrap();
    (a, summary(&second, &mut rt))
}

#[test]
fn native_matches_the_reference_on_every_fault_kind_and_primitive() {
    let program = Arc::new(program(10, Some(table())));
    let native = scenario(&Gpu::cpu(), &program);
    let reference = scenario(&Gpu::reference(), &program);
    assert_eq!(native, reference);
    let text = format!("{native:?}");
    for kind in [
        FaultKind::OutOfBounds { index: 40 },
        FaultKind::DivideByZero,
        FaultKind::LoopLimit { limit: LOOP_LIMIT },
        FaultKind::User { code: 77 },
        FaultKind::BadPriority { priority: 9 },
        FaultKind::UnknownOpcode,
    ] {
        assert!(text.contains(&format!("{kind:?}")), "{kind:?} in {text}");
    }
    assert!(text.contains("x = 5") && text.contains("x = 6"));
}

#[test]
fn the_cpu_backend_is_native_only_with_a_table() {
    let with = Runtime::new(&Gpu::cpu(), program(10, Some(table()))).unwrap();
    assert_eq!(with.backend(), BackendKind::Native);
    // The native default: as many workgroups as on the GPU (of 4 lanes here).
    assert!(
        with.adapter().starts_with("native (CPU, 2048 lanes"),
        "{}",
        with.adapter()
    );
    let without = Runtime::new(&Gpu::cpu(), program(10, None)).unwrap();
    assert_eq!(without.backend(), BackendKind::Reference);
    assert!(matches!(
        NativeEngine::new(program(10, None), 4),
        Err(Error::BackendUnavailable { .. })
    ));
    let partial = NativeTable::new().with(SUM, sum_n);
    let e = NativeEngine::new(program(10, Some(partial)), 4).unwrap_err();
    assert!(e.to_string().contains("`spin`"), "{e}");
}

#[test]
fn spawn_chains_and_shutdown_report_like_the_reference() {
    let program = Arc::new(program(40, Some(table())));
    let run = |gpu: &Gpu| {
        let mut rt = Runtime::new(gpu, Arc::clone(&program)).unwrap();
        let data = rt.buffer::<u32>("data").unwrap();
        let acc = rt.buffer::<u32>("acc").unwrap();
        rt.upload(data, &(1..=100).collect::<Vec<_>>()).unwrap();
        rt.upload(acc, &[0]).unwrap();
        rt.publish(Priority::Normal, task(SUM, &[0])).unwrap();
        let r = rt.run().unwrap();
        rt.publish(Priority::Normal, task(STOP, &[])).unwrap();
        let s = rt.run().unwrap();
        (
            r.executed,
            r.spawned,
            r.rounds,
            rt.read(acc).unwrap(),
            s.stop,
        )
    };
    let native = run(&Gpu::cpu());
    assert_eq!(native, run(&Gpu::reference()));
    assert_eq!(native.3, [5050]);
    assert_eq!(native.4, StopReason::Shutdown);
}

fn boom(_: &Ctx, _: &HostBuffers, _: &[usize], _: &[u32]) {
    let x: u32 = std::hint::black_box(u32::MAX);
    let _ = std::hint::black_box(x.checked_add(1).expect("a panic that is not a fault"));
}

#[test]
fn a_panic_that_is_not_a_fault_is_a_typed_error_and_the_engine_survives() {
    let program = program(10, Some(table().with(STOP, boom)));
    let mut rt = Runtime::new(&Gpu::cpu(), program).unwrap();
    rt.publish(Priority::Normal, task(STOP, &[])).unwrap();
    let e = rt.run().unwrap_err();
    assert!(
        matches!(&e, Error::NativeHandler { opcode, problem } if opcode == "stop" && problem.contains("not a fault")),
        "{e}"
    );
    // The memory is still there: the engine serves reads and runs again.
    let out = rt.buffer::<u32>("out").unwrap();
    rt.upload(out, &[1, 2, 3, 4, 5, 6]).unwrap();
    rt.publish(Priority::Normal, task(INFO, &[])).unwrap();
    let r = rt.run().unwrap();
    assert_eq!(r.executed, 1);
}

#[test]
fn engine_memory_ops_go_to_the_host_buffers() {
    let mut e = NativeEngine::new(program(10, Some(table())), 2).unwrap();
    e.resize_buffer(2, 3).unwrap();
    e.write_buffer(2, 1, &[7, 8]).unwrap();
    assert_eq!(e.read_buffer(2, 0, 3).unwrap(), [0, 7, 8]);
    assert_eq!(e.buffer_len(2), 3);
    assert_eq!(e.buffers().get(2).unwrap().to_words(), [0, 7, 8]);
    assert_eq!(e.lanes(), 2);
    assert!(e.read_control(0, 1).is_ok());
    assert!(e.write_ring(u64::MAX, &[1]).is_err());
    assert_eq!(e.machine().lanes(), 2);
}

#[test]
fn many_default_lanes_run_a_big_batch_in_one_round_with_the_same_result() {
    let base = program(1 << 15, Some(table()));
    // Every slot but a few in NORMAL, and an inbox that takes the batch.
    let config = ProgramConfig {
        inbox_capacity: 1 << 15,
        partition_sizes: Some([64, 64, (1 << 15) - 256, 64, 64]),
        ..base.config().clone()
    };
    let big = base.with_config(config).unwrap();
    let run = |gpu: &Gpu| {
        let mut rt = Runtime::new(gpu, big.clone()).unwrap();
        let data = rt.buffer::<u32>("data").unwrap();
        rt.upload(data, &[3]).unwrap();
        let acc = rt.buffer::<u32>("acc").unwrap();
        rt.upload(acc, &[0]).unwrap();
        for _ in 0..20_000 {
            rt.publish(Priority::Normal, task(SUM, &[0])).unwrap();
        }
        let r = rt.run().unwrap();
        (r.executed, r.rounds, rt.read(acc).unwrap())
    };
    // 2,048 lanes of 64 claims each: one round; lanes past the last ticket
    // are skipped, not run.
    let (executed, rounds, acc) = run(&Gpu::cpu());
    assert_eq!((executed, rounds, acc), (20_000, 1, vec![60_000]));
    // One workgroup (4 lanes): the same work in many rounds.
    let (executed, rounds, acc) = run(&Gpu::cpu().with_workgroups(1));
    assert_eq!((executed, acc), (20_000, vec![60_000]));
    assert!(rounds >= 20_000 / 256, "{rounds} rounds");
}

/// The twins that neither spawn, request nor read their lane (pick, div,
/// user, say) with a claim budget of 4: a program whose submissions on an
/// empty ring place and run.
fn placing_program() -> Program {
    let keep = [PICK, DIV, USER, SAY];
    let config = ProgramConfig {
        slots: 400,
        tenants: 3,
        workgroup_size: 4,
        claim_budget: 4,
        ..ProgramConfig::default()
    };
    let table = NativeTable::new()
        .with(PICK, pick_n)
        .with(DIV, div_n)
        .with(USER, user_n)
        .with(SAY, say_n);
    twins(
        "placing twins",
        config,
        |id| keep.contains(&id),
        Some(table),
    )
}

/// 300 tasks over the five priorities (faults among them, one of the last
/// at task 295, a disabled tenant's tasks parked), one run; what it did,
/// and the lane that ran task 295's fault.
fn placing_scenario(gpu: &Gpu, program: &Arc<Program>) -> (impl PartialEq + std::fmt::Debug, u32) {
    let mut rt = Runtime::new(gpu, Arc::clone(program)).unwrap();
    let data = rt.buffer::<u32>("data").unwrap();
    let out = rt.buffer::<u32>("out").unwrap();
    rt.upload(data, &[1, 2, 3, 4, 5, 6]).unwrap();
    rt.resize(out, 6).unwrap();
    rt.disable_tenant(2).unwrap();
    for k in 0..300u32 {
        let p = Priority::ALL[(k % 5) as usize];
        // Only what does not depend on the order tasks run in: `pick`
        // reads past `data` or reads it (`out[0]` is the last pick's, so
        // only in-bounds picks of one value), `div` divides by zero or
        // not (`out[1]` is the last division's, so all divide one value).
        let t = match k % 4 {
            0 => task(PICK, &[if k % 3 == 0 { 6 } else { 2 }]),
            1 => task(DIV, &[84, if k % 3 == 0 { 0 } else { 2 }]),
            2 => task(SAY, &[k]),
            _ => task(USER, &[k]),
        };
        rt.publish_for(u32::from(k % 10 == 9) * 2, p, t).unwrap();
    }
    let report = rt.run().unwrap();
    let last = report
        .faults
        .iter()
        .find(|f| f.kind == FaultKind::User { code: 295 })
        .map_or(u32::MAX, |f| f.lane);
    // Everything but the rounds the faults name: the place pass runs every
    // entry it took in the first round, whatever the claim budget, where
    // claims from the lists take four a lane a round (`docs/protocol.md`,
    // "Place and run").
    let faults = sorted_faults(&report, |f| (f.opcode, f.kind, f.tenant, f.priority));
    let out = rt.read(out).unwrap();
    let books = rt.accounting();
    (
        (
            report.executed_by_opcode.clone(),
            report.executed_by_priority,
            report.printf.len(),
            faults,
            out,
            books.parked,
            books.balanced(),
        ),
        last,
    )
}

#[test]
fn native_places_and_runs_on_an_empty_ring_as_the_reference_runs() {
    let program = Arc::new(placing_program());
    assert!(program.places_and_runs());
    let (native, lane) = placing_scenario(&Gpu::cpu(), &program);
    let (reference, _) = placing_scenario(&Gpu::reference(), &program);
    assert_eq!(native, reference);
    let text = format!("{native:?}");
    assert!(
        text.contains("DivideByZero") && text.contains("OutOfBounds"),
        "{text}"
    );
    // The place pass's one lane ran every task of the submission; claims
    // from the lists would have spread them over lanes four at a time.
    assert_eq!(lane, 0, "{text}");
}

fn count_n(_: &Ctx, b: &HostBuffers, bind: &[usize], _: &[u32]) {
    b.atomic::<u32>(bind, 0)[0].fetch_add(1);
}

#[test]
fn a_panic_in_the_place_pass_runs_no_task_twice() {
    // `count` adds one to `acc[0]`; `stop`'s native twin panics. The place
    // pass runs ten counts, then the panic ends the submission: the ten
    // that ran are consumed, so the next run runs only the ten after it.
    let mut h = HandlerBuilder::new(SUM, "count");
    let acc = h.buffer("acc", U32, Access::Atomic);
    h.body(|b| {
        b.eval(acc.fetch_add(0u32, 1u32));
    });
    let count = h.finish().unwrap();
    let mut h = HandlerBuilder::new(STOP, "stop");
    h.body(|_| {});
    let stop = h.finish().unwrap();
    let program = Program::builder("panicking")
        .config(ProgramConfig {
            slots: 100,
            workgroup_size: 4,
            ..ProgramConfig::default()
        })
        .buffer("acc", BufferKind::atomic(U32))
        .opcode(count)
        .opcode(stop)
        .native(NativeTable::new().with(SUM, count_n).with(STOP, boom))
        .build()
        .unwrap();
    assert!(program.places_and_runs());
    let mut rt = Runtime::new(&Gpu::cpu(), program).unwrap();
    let acc = rt.buffer::<u32>("acc").unwrap();
    rt.upload(acc, &[0]).unwrap();
    for _ in 0..10 {
        rt.publish(Priority::Normal, task(SUM, &[])).unwrap();
    }
    rt.publish(Priority::Normal, task(STOP, &[])).unwrap();
    for _ in 0..10 {
        rt.publish(Priority::Normal, task(SUM, &[])).unwrap();
    }
    let e = rt.run().unwrap_err();
    assert!(matches!(&e, Error::NativeHandler { .. }), "{e}");
    assert_eq!(rt.read(acc).unwrap(), [10]);
    let r = rt.run().unwrap();
    assert_eq!(r.executed, 10);
    assert_eq!(rt.read(acc).unwrap(), [20]);
}

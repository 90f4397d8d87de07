//! The wgpu engine on whatever adapter is present (Mesa's lavapipe in CI).
//! Without an adapter every test prints a skip notice and passes, unless
//! `VYRE_REQUIRE_GPU=1`.

use std::time::Instant;

use vyre_core::gpu::{test_context, AdapterChoice, GpuContext, WgpuEngine};
use vyre_core::ir::{Access, BufferKind, HandlerBuilder, ScalarType};
use vyre_core::program::Program;
use vyre_core::protocol::ctrl;
use vyre_core::{BackendKind, Engine, Error};

/// Declared buffer indices of [`probe_program`].
const INPUT: usize = 0;
const OUT: usize = 1;
const HITS: usize = 2;

/// A program with one read-only, one written and one atomic buffer, so the
/// bind group layout has every access mode.
fn probe_program(slots: u32, workgroup_size: u32) -> Program {
    let mut h = HandlerBuilder::new(1, "copy");
    let input = h.buffer("input", ScalarType::U32, Access::Read);
    let out = h.buffer("out", ScalarType::U32, Access::ReadWrite);
    let hits = h.buffer("hits", ScalarType::U32, Access::Atomic);
    let i = h.arg("i", ScalarType::U32);
    h.body(|b| {
        b.store(out, i, input.at(i) + 1u32);
        b.eval(hits.fetch_add(i, 1u32));
    });
    Program::builder("probe")
        .slots(slots)
        .workgroup_size(workgroup_size)
        .buffer("input", BufferKind::plain(ScalarType::U32))
        .buffer("out", BufferKind::plain(ScalarType::U32))
        .buffer("hits", BufferKind::atomic(ScalarType::U32))
        .opcode(h.finish().expect("valid handler"))
        .build()
        .expect("valid program")
}

/// A hand-written module with the lowering's bindings and entry points.
/// Each pass leaves a trace in the control block so that the test can
/// count passes:
/// - prepare: `SPAWNED += 1`
/// - maintain: `PLACED += 1` per slot
/// - finalize: `ROUND += 1`
/// - work: `EXECUTED += 1` per lane; `FAULTED += ring[0]` (lane 0);
///   `out[i] = input[i] + 1` within both lengths; `hits[lane % len] += 1`.
///
/// `tag` goes into a comment, to make the text (the cache key) unique.
fn probe_wgsl(program: &Program, tag: &str) -> String {
    let c = program.config();
    format!(
        r#"// probe module {tag}
@group(0) @binding(0) var<storage, read_write> vy_ring: array<atomic<u32>>;
@group(0) @binding(1) var<storage, read_write> vy_ctrl: array<atomic<u32>>;
@group(0) @binding(2) var<storage, read> u_input: array<u32>;
@group(0) @binding(3) var<storage, read_write> u_out: array<u32>;
@group(0) @binding(4) var<storage, read_write> u_hits: array<atomic<u32>>;

const SLOTS: u32 = {slots}u;

@compute @workgroup_size(1)
fn vy_prepare() {{
    atomicAdd(&vy_ctrl[{spawned}], 1u);
}}

@compute @workgroup_size(64)
fn vy_maintain(@builtin(global_invocation_id) gid: vec3<u32>) {{
    if gid.x < SLOTS {{
        atomicAdd(&vy_ctrl[{placed}], 1u);
    }}
}}

@compute @workgroup_size(1)
fn vy_finalize() {{
    atomicAdd(&vy_ctrl[{round}], 1u);
}}

@compute @workgroup_size({wg})
fn vy_work(@builtin(global_invocation_id) gid: vec3<u32>) {{
    let lane = gid.x;
    atomicAdd(&vy_ctrl[{executed}], 1u);
    if lane == 0u {{
        atomicAdd(&vy_ctrl[{faulted}], atomicLoad(&vy_ring[0]));
    }}
    let n_in = arrayLength(&u_input) - 1u;
    let n_out = arrayLength(&u_out) - 1u;
    if lane < n_in && lane < n_out {{
        u_out[lane] = u_input[lane] + 1u;
    }}
    let n_hits = arrayLength(&u_hits) - 1u;
    if n_hits > 0u {{
        atomicAdd(&u_hits[lane % n_hits], 1u);
    }}
}}
"#,
        slots = c.slots,
        wg = c.workgroup_size,
        spawned = ctrl::SPAWNED,
        placed = ctrl::PLACED,
        round = ctrl::ROUND,
        executed = ctrl::EXECUTED,
        faulted = ctrl::FAULTED,
    )
}

fn probe_engine(ctx: &GpuContext, workgroups: u32, tag: &str) -> (Program, WgpuEngine) {
    let program = probe_program(320, 64);
    let wgsl = probe_wgsl(&program, tag);
    let engine = WgpuEngine::with_wgsl(ctx, &program, workgroups, &wgsl).expect("engine");
    (program, engine)
}

#[test]
fn context_describes_its_adapter() {
    let Some(ctx) = test_context() else { return };
    let d = ctx.description();
    assert!(!d.is_empty());
    assert!(d.contains(&ctx.adapter_info().name), "{d}");
    assert!(d.contains("Vulkan"), "{d}");
    ctx.health().expect("healthy");
    println!(
        "adapter: {d}; timestamps: {}; largest storage buffer: {} bytes",
        ctx.has_timestamps(),
        ctx.max_storage_buffer_bytes()
    );
}

#[test]
fn hardware_choice_lists_the_adapters_it_rejected() {
    let Some(_) = test_context() else { return };
    let adapters = GpuContext::available_adapters();
    let only_cpu = adapters.iter().all(|a| {
        matches!(
            a.device_type,
            wgpu::DeviceType::Cpu | wgpu::DeviceType::Other
        )
    });
    match GpuContext::new(AdapterChoice::Hardware) {
        Ok(ctx) => assert!(!only_cpu && !ctx.is_software(), "{}", ctx.description()),
        Err(Error::BackendUnavailable { backend, reason }) => {
            assert!(only_cpu, "{reason}");
            assert_eq!(backend, "wgpu");
            for a in &adapters {
                assert!(reason.contains(&a.name), "{reason} should name {}", a.name);
            }
        }
        Err(other) => panic!("unexpected error {other}"),
    }
}

/// Software adapters (lavapipe, which cuts long loops short) get per-lane
/// claims and guarded loops; GPUs the default, cooperative claims, with
/// plain loops.
#[test]
fn software_adapters_lower_with_per_lane_claims() {
    let Some(ctx) = test_context() else { return };
    let options = ctx.lower_options();
    let default = vyre_core::lower::LowerOptions::default();
    assert_eq!(options.guard_loops, ctx.is_software());
    let want = if ctx.is_software() {
        vyre_core::lower::ClaimVariant::PerLane
    } else {
        default.claims
    };
    assert_eq!(options.claims, want, "{}", ctx.description());
}

#[test]
fn engine_reports_kind_lanes_and_adapter() {
    let Some(ctx) = test_context() else { return };
    let (program, engine) = probe_engine(&ctx, 3, "kind");
    assert_eq!(engine.kind(), BackendKind::Wgpu);
    assert_eq!(engine.lanes(), 3 * 64);
    assert_eq!(engine.adapter(), ctx.description());
    assert_eq!(engine.ring_words(), program.config().ring_words());
    let layout = program.control_layout();
    assert_eq!(
        engine.control_words(),
        u64::from(layout.total_words(3 * 64))
    );
    for b in 0..program.buffers().len() {
        assert_eq!(engine.buffer_len(b), 0);
    }
}

#[test]
fn buffer_round_trips() {
    let Some(ctx) = test_context() else { return };
    let (_, mut engine) = probe_engine(&ctx, 1, "round trip");
    engine.resize_buffer(INPUT, 100).expect("resize");
    assert_eq!(engine.buffer_len(INPUT), 100);
    assert_eq!(
        engine.read_buffer(INPUT, 0, 100).expect("read"),
        vec![0; 100]
    );
    let data: Vec<u32> = (0..100).map(|i| i * 7 + 3).collect();
    engine.write_buffer(INPUT, 0, &data).expect("write");
    assert_eq!(engine.read_buffer(INPUT, 0, 100).expect("read"), data);
    // Partial writes and reads at an offset.
    engine.write_buffer(INPUT, 10, &[1, 2, 3]).expect("write");
    assert_eq!(
        engine.read_buffer(INPUT, 9, 5).expect("read"),
        vec![data[9], 1, 2, 3, data[13]]
    );
    assert_eq!(
        engine.read_buffer(INPUT, 99, 1).expect("read"),
        vec![data[99]]
    );
    assert_eq!(
        engine.read_buffer(INPUT, 100, 0).expect("read"),
        Vec::<u32>::new()
    );
    engine.write_buffer(INPUT, 50, &[]).expect("empty write");
    // Other buffers are untouched.
    assert_eq!(engine.buffer_len(OUT), 0);
}

#[test]
fn resize_keeps_prefix_and_zero_fills() {
    let Some(ctx) = test_context() else { return };
    let (_, mut engine) = probe_engine(&ctx, 1, "resize");
    let data: Vec<u32> = (1..=64).collect();
    engine.resize_buffer(OUT, 64).expect("resize");
    engine.write_buffer(OUT, 0, &data).expect("write");
    // Grow: the prefix stays, the rest is zero.
    engine.resize_buffer(OUT, 200).expect("grow");
    let grown = engine.read_buffer(OUT, 0, 200).expect("read");
    assert_eq!(&grown[..64], &data[..]);
    assert!(grown[64..].iter().all(|&w| w == 0));
    // Shrink, then grow again: what was cut off does not come back.
    engine.resize_buffer(OUT, 10).expect("shrink");
    assert_eq!(
        engine.read_buffer(OUT, 0, 10).expect("read"),
        data[..10].to_vec()
    );
    engine.resize_buffer(OUT, 80).expect("grow again");
    let again = engine.read_buffer(OUT, 0, 80).expect("read");
    assert_eq!(&again[..10], &data[..10]);
    assert!(again[10..].iter().all(|&w| w == 0));
    // Down to empty and back.
    engine.resize_buffer(OUT, 0).expect("empty");
    assert_eq!(engine.buffer_len(OUT), 0);
    engine.resize_buffer(OUT, 5).expect("regrow");
    assert_eq!(engine.read_buffer(OUT, 0, 5).expect("read"), vec![0; 5]);
}

#[test]
fn large_buffers_round_trip() {
    let Some(ctx) = test_context() else { return };
    let (_, mut engine) = probe_engine(&ctx, 1, "large");
    let n: u64 = 4 << 20; // 16 MiB
    engine.resize_buffer(INPUT, n).expect("resize");
    let data: Vec<u32> = (0..n as u32)
        .map(|i| i.wrapping_mul(2_654_435_761))
        .collect();
    engine.write_buffer(INPUT, 0, &data).expect("write");
    let back = engine.read_buffer(INPUT, 0, n).expect("read");
    assert!(back == data, "16 MiB round trip differs");
    // A window from the middle.
    let mid = engine.read_buffer(INPUT, n / 2, 1000).expect("read");
    assert_eq!(
        mid,
        data[(n / 2) as usize..(n / 2) as usize + 1000].to_vec()
    );
}

#[test]
fn oversized_buffers_are_typed_errors() {
    let Some(ctx) = test_context() else { return };
    let (_, mut engine) = probe_engine(&ctx, 1, "oversized");
    let max = ctx.max_storage_buffer_bytes();
    match engine.resize_buffer(HITS, max / 4 + 1) {
        Err(Error::BufferTooLarge {
            name,
            bytes,
            max: m,
        }) => {
            assert_eq!(name, "hits");
            assert!(bytes > m);
            assert_eq!(m, max);
        }
        other => panic!("expected BufferTooLarge, got {other:?}"),
    }
    assert!(matches!(
        engine.resize_buffer(HITS, u64::MAX),
        Err(Error::BufferTooLarge { .. })
    ));
    // The engine is still usable and the buffer unchanged.
    assert_eq!(engine.buffer_len(HITS), 0);
    engine.resize_buffer(HITS, 4).expect("small resize");
}

#[test]
fn out_of_range_accesses_are_typed_errors() {
    let Some(ctx) = test_context() else { return };
    let (_, mut engine) = probe_engine(&ctx, 1, "ranges");
    engine.resize_buffer(INPUT, 10).expect("resize");
    assert!(matches!(
        engine.write_buffer(INPUT, 8, &[1, 2, 3]),
        Err(Error::BufferRange {
            len: 10,
            offset: 8,
            end: 11,
            ..
        })
    ));
    assert!(matches!(
        engine.read_buffer(INPUT, 0, 11),
        Err(Error::BufferRange { .. })
    ));
    assert!(matches!(
        engine.read_buffer(INPUT, u64::MAX, 2),
        Err(Error::BufferRange { .. })
    ));
    assert!(matches!(
        engine.read_buffer(7, 0, 1),
        Err(Error::UnknownBuffer { .. })
    ));
    assert!(matches!(
        engine.resize_buffer(7, 1),
        Err(Error::UnknownBuffer { .. })
    ));
    let ring = engine.ring_words();
    assert!(matches!(
        engine.write_ring(ring, &[1]),
        Err(Error::BufferRange { .. })
    ));
    let control = engine.control_words();
    assert!(matches!(
        engine.read_control(control - 1, 2),
        Err(Error::BufferRange { .. })
    ));
}

#[test]
fn ring_and_control_round_trip() {
    let Some(ctx) = test_context() else { return };
    let (program, mut engine) = probe_engine(&ctx, 2, "ring");
    let ring = engine.ring_words();
    let control = engine.control_words();
    // Fresh memory is zero: an empty ring, an idle control block.
    assert!(engine
        .read_ring(0, ring)
        .expect("ring")
        .iter()
        .all(|&w| w == 0));
    assert!(engine
        .read_control(0, control)
        .expect("control")
        .iter()
        .all(|&w| w == 0));

    let base = program.config().inbox_base(2);
    let entry: Vec<u32> = (0..16).map(|i| 0xA000 + i).collect();
    engine.write_ring(base, &entry).expect("write inbox");
    engine.write_ring(ring - 1, &[77]).expect("write last word");
    assert_eq!(engine.read_ring(base, 16).expect("read"), entry);
    assert_eq!(engine.read_ring(ring - 1, 1).expect("read"), vec![77]);

    engine
        .write_control(u64::from(ctrl::INBOX_TAIL) + 2, &[5])
        .expect("write tail");
    engine
        .write_control(control - 1, &[9])
        .expect("last lane word");
    let words = engine.read_control(0, control).expect("read");
    assert_eq!(words[(ctrl::INBOX_TAIL + 2) as usize], 5);
    assert_eq!(words[control as usize - 1], 9);
    assert_eq!(words.iter().filter(|&&w| w != 0).count(), 2);
}

#[test]
fn submit_runs_m_then_w_m_per_round() {
    let Some(ctx) = test_context() else { return };
    let (program, mut engine) = probe_engine(&ctx, 2, "submit");
    let slots = program.config().slots;
    let lanes = engine.lanes();
    let summary_words = program.control_layout().summary_words() as usize;
    engine.resize_buffer(INPUT, 100).expect("resize");
    engine.resize_buffer(OUT, 50).expect("resize");
    engine.resize_buffer(HITS, 7).expect("resize");
    let input: Vec<u32> = (0..100).map(|i| i * 3).collect();
    engine.write_buffer(INPUT, 0, &input).expect("write");
    engine.write_ring(0, &[5]).expect("ring word");

    let rounds = 3u32;
    let s = engine.submit(rounds).expect("submit");
    assert_eq!(s.dispatches, 3 + 4 * u64::from(rounds));
    assert_eq!(s.summary.len(), summary_words);
    let w = |i: u32| s.summary[i as usize];
    assert_eq!(w(ctrl::ROUND), rounds + 1, "finalize runs once per M");
    assert_eq!(w(ctrl::SPAWNED), rounds + 1, "prepare runs once per M");
    assert_eq!(
        w(ctrl::PLACED),
        (rounds + 1) * slots,
        "maintain covers every slot"
    );
    assert_eq!(w(ctrl::EXECUTED), rounds * lanes, "work runs every lane");
    assert_eq!(w(ctrl::FAULTED), rounds * 5, "work reads the ring");
    if ctx.has_timestamps() {
        println!("gpu time of {rounds} rounds: {:?}", s.gpu_time);
    } else {
        assert_eq!(s.gpu_time, None);
    }

    let out = engine.read_buffer(OUT, 0, 50).expect("read");
    assert_eq!(out, input[..50].iter().map(|x| x + 1).collect::<Vec<_>>());
    let hits = engine.read_buffer(HITS, 0, 7).expect("read");
    assert_eq!(hits.iter().sum::<u32>(), rounds * lanes);

    // A second submission continues from the first's state; zero rounds
    // is M alone.
    let s2 = engine.submit(0).expect("submit");
    assert_eq!(s2.dispatches, 3);
    assert_eq!(s2.summary[ctrl::ROUND as usize], rounds + 2);
    assert_eq!(s2.summary[ctrl::EXECUTED as usize], rounds * lanes);

    // Resizing rebinds: the next submission sees the new lengths.
    engine.resize_buffer(HITS, 1).expect("resize");
    let before = engine.read_buffer(HITS, 0, 1).expect("read")[0];
    engine.submit(1).expect("submit");
    assert_eq!(
        engine.read_buffer(HITS, 0, 1).expect("read")[0],
        before + lanes
    );
}

#[test]
fn engines_share_compiled_pipelines() {
    let Some(ctx) = test_context() else { return };
    let program = probe_program(320, 64);
    let wgsl = probe_wgsl(&program, "cache hit test");
    let before = ctx.pipeline_cache_stats();
    let t0 = Instant::now();
    let mut first = WgpuEngine::with_wgsl(&ctx, &program, 1, &wgsl).expect("first");
    let cold = t0.elapsed();
    let mid = ctx.pipeline_cache_stats();
    assert!(mid.misses > before.misses);
    let t1 = Instant::now();
    let mut second = WgpuEngine::with_wgsl(&ctx, &program, 4, &wgsl).expect("second");
    let warm = t1.elapsed();
    let after = ctx.pipeline_cache_stats();
    assert_eq!(
        after.misses, mid.misses,
        "the second engine compiled nothing"
    );
    assert!(after.hits > mid.hits);
    assert!(after.entries >= 1);
    println!("engine creation: cold {cold:?}, cached {warm:?}");
    // Both engines work, with their own buffers.
    assert_eq!(
        first.submit(1).expect("first").summary[ctrl::EXECUTED as usize],
        64
    );
    assert_eq!(
        second.submit(1).expect("second").summary[ctrl::EXECUTED as usize],
        256
    );
}

#[test]
fn invalid_wgsl_is_a_gpu_error() {
    let Some(ctx) = test_context() else { return };
    let program = probe_program(320, 64);
    match WgpuEngine::with_wgsl(&ctx, &program, 1, "fn vy_work( { this is not wgsl") {
        Err(Error::Gpu { stage, message }) => {
            assert!(stage.contains("shader module"), "{stage}");
            assert!(!message.is_empty());
        }
        other => panic!("expected Error::Gpu, got {other:?}"),
    }
    assert!(matches!(
        WgpuEngine::with_wgsl(&ctx, &program, 1, "  "),
        Err(Error::Gpu { .. })
    ));
    // The context survives and still runs valid programs.
    ctx.health().expect("healthy");
    let (_, mut engine) = probe_engine(&ctx, 1, "after invalid");
    engine.submit(1).expect("submit");
}

#[test]
fn contract_violations_are_gpu_errors() {
    let Some(ctx) = test_context() else { return };
    let program = probe_program(320, 64);
    let valid = probe_wgsl(&program, "violations");
    // A missing entry point.
    let no_finalize = valid.replace("fn vy_finalize()", "fn vy_finalise()");
    match WgpuEngine::with_wgsl(&ctx, &program, 1, &no_finalize) {
        Err(Error::Gpu { stage, .. }) => assert!(stage.contains("vy_finalize"), "{stage}"),
        other => panic!("expected Error::Gpu, got {other:?}"),
    }
    // A read-only buffer declared read_write in the shader.
    let wrong_access = valid.replace(
        "var<storage, read> u_input",
        "var<storage, read_write> u_input",
    );
    match WgpuEngine::with_wgsl(&ctx, &program, 1, &wrong_access) {
        Err(Error::Gpu { stage, .. }) => assert!(stage.contains("pipeline"), "{stage}"),
        other => panic!("expected Error::Gpu, got {other:?}"),
    }
    ctx.health().expect("healthy");
}

#[test]
fn invalid_workgroup_counts_are_rejected() {
    let Some(ctx) = test_context() else { return };
    let program = probe_program(320, 64);
    let wgsl = probe_wgsl(&program, "workgroups");
    assert!(matches!(
        WgpuEngine::with_wgsl(&ctx, &program, 0, &wgsl),
        Err(Error::InvalidRunOption {
            option: "workgroups",
            ..
        })
    ));
    assert!(matches!(
        WgpuEngine::with_wgsl(&ctx, &program, u32::MAX, &wgsl),
        Err(Error::InvalidRunOption {
            option: "workgroups",
            ..
        })
    ));
}

#[test]
fn device_loss_is_an_error_value() {
    let Some(_) = test_context() else { return };
    // A context of its own: destroying the shared one would break the
    // other tests.
    let ctx = GpuContext::new(AdapterChoice::Any).expect("context");
    let (_, mut engine) = probe_engine(&ctx, 1, "device loss");
    engine.resize_buffer(INPUT, 8).expect("resize");
    ctx.device().destroy();
    // wgpu reports the loss through the callback; give it a poll.
    let _ = ctx.device().poll(wgpu::PollType::Poll);
    let results = [
        engine.submit(1).err(),
        engine.read_buffer(INPUT, 0, 8).err(),
        engine.write_buffer(INPUT, 0, &[1]).err(),
        engine.resize_buffer(INPUT, 16).err(),
        WgpuEngine::with_wgsl(&ctx, &probe_program(320, 64), 1, "x").err(),
    ];
    for r in results {
        match r {
            Some(Error::DeviceLost { reason }) => assert!(!reason.is_empty()),
            other => panic!("expected DeviceLost, got {other:?}"),
        }
    }
}

/// Submission latency on this adapter, printed (run with `--nocapture`);
/// timings are not asserted.
#[test]
fn submission_latency() {
    let Some(ctx) = test_context() else { return };
    let (_, mut engine) = probe_engine(&ctx, 4, "latency");
    engine.submit(1).expect("warm-up");
    for rounds in [1u32, 16, 64] {
        let reps = 10;
        let mut walls = Vec::new();
        let mut gpus = Vec::new();
        for _ in 0..reps {
            let t = Instant::now();
            let s = engine.submit(rounds).expect("submit");
            walls.push(t.elapsed());
            gpus.extend(s.gpu_time);
        }
        walls.sort();
        gpus.sort();
        println!(
            "{}: {rounds} rounds ({} dispatches): median wall {:?}, median gpu {:?}",
            ctx.description(),
            3 + 4 * rounds,
            walls[reps / 2],
            gpus.get(gpus.len() / 2)
        );
    }
    let t = Instant::now();
    for _ in 0..20 {
        engine.read_control(0, 64).expect("read");
    }
    println!("read_control(64 words): {:?} each", t.elapsed() / 20);
}

#[test]
fn a_poll_timeout_is_a_typed_error_and_the_engine_recovers() {
    let Some(_) = test_context() else { return };
    // A context of its own: wgpu-core 30 can trip an internal assertion
    // when a timed wait races with other threads polling the same device
    // (vyre reports that as `Error::Gpu`, but it would fail other tests).
    let ctx = GpuContext::new(AdapterChoice::Any).expect("context");
    let program = probe_program(320, 64);
    // A work pass that keeps every lane busy for a while.
    let slow = probe_wgsl(&program, "slow").replace(
        "    let lane = gid.x;\n",
        "    let lane = gid.x;\n    var h = lane;\n    for (var i = 0u; i < 4000000u; i++) { h = h * 1664525u + 1013904223u; }\n    if h == 1u { atomicAdd(&vy_ctrl[0], 1u); }\n",
    );
    assert_ne!(slow, probe_wgsl(&program, "slow"));
    let mut engine = WgpuEngine::with_wgsl(&ctx, &program, 1, &slow).expect("engine");
    engine.set_poll_timeout(Some(std::time::Duration::from_micros(1)));
    let t = Instant::now();
    match engine.submit(1) {
        Err(Error::Gpu { stage, message }) => {
            assert_eq!(stage, "submission");
            assert!(message.contains("did not finish"), "{message}");
        }
        Ok(s) => {
            // Only a very fast adapter gets here; nothing to check then.
            println!("finished within 1 µs?! {:?}", s.gpu_time);
            return;
        }
        Err(other) => panic!("expected a timeout, got {other:?}"),
    }
    println!("timed out after {:?}", t.elapsed());
    engine.set_poll_timeout(None);
    // The next submission waits behind the first; both ran.
    let s = engine.submit(0).expect("submit after timeout");
    assert_eq!(s.summary[ctrl::EXECUTED as usize], 64);
    assert_eq!(s.summary[ctrl::ROUND as usize], 3);
    ctx.health().expect("healthy");
}

// ---- real programs: the lowering's WGSL, driven through the protocol ----

use vyre_core::protocol::{fault, fault_record, slot, PRIORITIES, SLOT_WORDS};
use vyre_core::Priority;

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
        let at = config.inbox_base(p) + k * u64::from(SLOT_WORDS);
        let mut entry = vec![0u32; SLOT_WORDS as usize];
        entry[slot::OPCODE as usize] = opcode;
        entry[slot::TENANT as usize] = tenant;
        entry[slot::PRIORITY as usize] = priority as u32;
        for (i, a) in args.iter().enumerate() {
            entry[slot::ARG0 as usize + i] = *a;
        }
        self.engine.write_ring(at, &entry).expect("inbox entry");
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
    assert_eq!(w(ctrl::ROUND), 3);
    for p in 0..PRIORITIES as u32 {
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
        6,
        "counters accumulate until cleared"
    );
    assert_eq!(s.summary[ctrl::SPAWNED as usize], 5);
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
        .read_control(u64::from(layout.fault_log), 16)
        .expect("fault log");
    let mut codes: Vec<(u32, u32)> = records
        .chunks(8)
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
    assert_eq!(s.summary[ctrl::EXECUTED as usize], 2);
    assert_eq!(
        host.engine.read_buffer(0, 0, 4).expect("read"),
        vec![0, 1, 1, 0]
    );
}

#[test]
fn lowered_programs_share_the_pipeline_cache() {
    let Some(ctx) = test_context() else { return };
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
    let bytes = program.config().ring_words() * 4;
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

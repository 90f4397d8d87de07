//! The wgpu engine on whatever adapter is present (Mesa's lavapipe in CI):
//! the context, and the engine's buffers, ring, control block and
//! submissions on the probe program (`support/probe.rs`). Typed errors are
//! in `gpu_engine_errors.rs`, lowered programs in `gpu_engine_programs.rs`.
//! Without an adapter every test prints a skip notice and passes, unless
//! `VYRE_REQUIRE_GPU=1`.

mod support;

use std::time::Instant;

use support::probe::{probe_engine, probe_program, probe_wgsl, HITS, INPUT, OUT};
use vyre_core::gpu::{test_context, AdapterChoice, GpuContext, WgpuEngine, CACHED_MODULES};
use vyre_core::protocol::{self, ctrl, SLOT_WORDS};
use vyre_core::{BackendKind, Engine, Error};

#[test]
fn context_describes_its_adapter() {
    let Some(ctx) = test_context() else { return };
    let d = ctx.description();
    assert!(!d.is_empty());
    assert!(d.contains(&ctx.adapter_info().name), "{d}");
    // The backend in words: Vulkan, Metal, DX12 or GL.
    assert!(
        ["Vulkan", "Metal", "DX12", "GL"]
            .iter()
            .any(|b| d.contains(&format!("({b}"))),
        "{d}"
    );
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
fn ring_and_control_round_trip() {
    let Some(ctx) = test_context() else { return };
    let (program, mut engine) = probe_engine(&ctx, 2, "ring");
    let ring = engine.ring_words();
    let control = engine.control_words();
    // Fresh memory is zero: an empty ring, an idle control block but for
    // the inboxes' layout and the ring's sizes.
    assert!(engine
        .read_ring(0, ring)
        .expect("ring")
        .iter()
        .all(|&w| w == 0));
    let cap = program.config().inbox_capacity;
    let inboxes = protocol::inbox_words(&[cap; 5]);
    let sizes = protocol::ring_words(&program.config().partitions());
    let at = ctrl::INBOX_BASE as usize;
    let fresh = engine.read_control(0, control).expect("control");
    assert_eq!(fresh[at..at + 10], inboxes);
    let at = ctrl::SLOTS as usize;
    assert_eq!(fresh[at..at + 11], sizes);
    let nonzero = |w: &[u32]| w.iter().filter(|&&w| w != 0).count();
    let layout_words = nonzero(&inboxes) + nonzero(&sizes);
    assert_eq!(nonzero(&fresh), layout_words);

    let base = 2 * u64::from(SLOT_WORDS);
    let slot: Vec<u32> = (0..16).map(|i| 0xA000 + i).collect();
    engine.write_ring(base, &slot).expect("write slot");
    engine.write_ring(ring - 1, &[77]).expect("write last word");
    assert_eq!(engine.read_ring(base, 16).expect("read"), slot);
    assert_eq!(engine.read_ring(ring - 1, 1).expect("read"), vec![77]);
    // The device keeps statuses apart (the status plane): ranges that
    // start inside a slot and cross the next slots' status words still
    // read back what was written, and a status written alone is the
    // slot's status.
    let span: Vec<u32> = (0..40).map(|i| 0xB000 + i).collect();
    engine.write_ring(base + 9, &span).expect("write span");
    assert_eq!(engine.read_ring(base + 9, 40).expect("read"), span);
    assert_eq!(engine.read_ring(base + 16, 1).expect("read"), vec![0xB007]);
    engine.write_ring(base + 32, &[3]).expect("write status");
    assert_eq!(
        engine.read_ring(base + 31, 3).expect("read"),
        vec![0xB016, 3, 0xB018]
    );
    engine.write_ring(base, &slot).expect("write slot");
    engine.write_ring(base + 16, &[0; 32]).expect("clear");

    engine
        .write_control(u64::from(ctrl::INBOX_TAIL) + 2, &[5])
        .expect("write tail");
    engine
        .write_control(control - 1, &[9])
        .expect("last lane word");
    let words = engine.read_control(0, control).expect("read");
    assert_eq!(words[(ctrl::INBOX_TAIL + 2) as usize], 5);
    assert_eq!(words[control as usize - 1], 9);
    assert_eq!(nonzero(&words), 2 + layout_words);
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
fn the_pipeline_cache_keeps_the_modules_used_last() {
    if test_context().is_none() {
        return;
    }
    // A process that builds program after program keeps CACHED_MODULES
    // of them, dropping the least recently used (found by a 1,000-program
    // run of random_differential that grew to 24 GB on lavapipe).
    let ctx = GpuContext::new(AdapterChoice::Any).expect("context");
    let program = probe_program(320, 64);
    let module = |k: usize| probe_wgsl(&program, &format!("cache bound {k}"));
    let engine = |k: usize| WgpuEngine::with_wgsl(&ctx, &program, 1, &module(k)).expect("engine");
    let misses = || ctx.pipeline_cache_stats().misses;
    for k in 0..CACHED_MODULES {
        engine(k);
    }
    assert_eq!(ctx.pipeline_cache_stats().entries, CACHED_MODULES);
    // Module 0 used again (a hit), so module 1 is now the oldest.
    let m = misses();
    let _kept = engine(0);
    assert_eq!(misses(), m, "module 0 was cached");
    engine(CACHED_MODULES);
    assert_eq!(ctx.pipeline_cache_stats().entries, CACHED_MODULES);
    let m = misses();
    engine(0);
    engine(CACHED_MODULES);
    assert_eq!(misses(), m, "the modules used last stay");
    engine(1);
    assert_eq!(misses(), m + 1, "the least recently used went");
    // An engine whose module the cache dropped still runs.
    let mut oldest = engine(2);
    for k in CACHED_MODULES + 1..CACHED_MODULES + 3 {
        engine(k);
    }
    assert_eq!(
        oldest.submit(1).expect("submit").summary[ctrl::EXECUTED as usize],
        64
    );
}

#[test]
fn engines_share_compiled_pipelines() {
    if test_context().is_none() {
        return;
    }
    // A context of its own: the shared one's cache counters move with the
    // compiles of this binary's other tests, which run at the same time.
    let ctx = GpuContext::new(AdapterChoice::Any).expect("context");
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
fn large_inbox_uploads_arrive_whole() {
    // More than two 32 MB staging chunks (each reused), packed on several
    // threads, at an offset, plus a small write next to it.
    let Some(ctx) = test_context() else { return };
    let (_, mut engine) = probe_engine(&ctx, 1, "upload");
    let unit = 5usize;
    let units = 4_000_000usize;
    let words = (units * unit) as u64 + 10;
    engine.resize_inbox(words).expect("resize");
    let word = |k: usize, j: usize| (k as u32).wrapping_mul(2_654_435_761) ^ j as u32;
    engine
        .write_inbox_with(7, units, unit, &|first, out: &mut [u32]| {
            for (i, e) in out.chunks_exact_mut(unit).enumerate() {
                for (j, w) in e.iter_mut().enumerate() {
                    *w = word(first + i, j);
                }
            }
        })
        .expect("large upload");
    engine.write_inbox(2, &[1, 2, 3]).expect("small write");
    let back = engine.read_inbox(0, words).expect("read");
    assert_eq!(back[2..5], [1, 2, 3]);
    for k in 0..units {
        for j in 0..unit {
            assert_eq!(back[7 + k * unit + j], word(k, j), "unit {k} word {j}");
        }
    }
    // A second upload reuses the chunks (their maps come back).
    engine
        .write_inbox_with(0, units, unit, &|first, out: &mut [u32]| {
            out.fill(first as u32 % 7)
        })
        .expect("second upload");
    let back = engine.read_inbox(0, 4 * unit as u64).expect("read");
    assert_eq!(back, vec![0; 4 * unit]);
}

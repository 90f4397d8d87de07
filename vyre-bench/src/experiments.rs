//! Experiments: the scheduler's knobs, each measured against the others in
//! one process, to choose (and to document) the megakernel's
//! optimisations.
//!
//! - `library`: the library's lowering at the bench's dispatch;
//! - `lowering`: each claim variant of [`LowerOptions`] on the trivial
//!   workload;
//! - `dispatch`, `claim budget`: dispatch sizing;
//! - `default ring`: the library's default ring (16K slots);
//! - per submission, timing artifacts, heavy dispatch, idle rounds and the
//!   round's breakdown (see their functions);
//! - `bfs`: the library's lowering at the default and the bench's
//!   dispatch, and every claim variant at the bench's.
//!
//! The sweeps after `lowering` use the library's lowering
//! (`GpuContext::lower_options`). The maintain variants measured before
//! (per-slot, lean, aggregated) were removed from the library; their last
//! figures are in `docs/benchmarks.md`.

use serde_json::{json, Value};
use vyre::gpu::WgpuEngine;
use vyre::lower::{wgsl_with, ClaimVariant, LowerOptions};
use vyre::program::{Program, ProgramConfig};
use vyre::{Engine, Priority, RunLimits, Runtime};

use super::stats::Plan;
use super::workloads::{
    bfs, check_report, dispatch, mix, mk_json, mk_seconds, trivial, Dispatch, MkRun,
};
use super::{cpu, fail, graph, programs, Bench, Result};

/// Every claim variant, without loop guards (as on hardware).
fn variants() -> Vec<LowerOptions> {
    ClaimVariant::ALL
        .into_iter()
        .map(|claims| LowerOptions {
            claims,
            guard_loops: false,
        })
        .collect()
}

fn name(o: &LowerOptions) -> String {
    let guard = if o.guard_loops { ", guarded loops" } else { "" };
    format!("{:?}{guard}", o.claims)
}

/// A runtime for `program` in variant `options` with `workgroups` work
/// workgroups.
fn runtime(
    bench: &Bench,
    program: Program,
    options: &LowerOptions,
    workgroups: u32,
) -> Result<Runtime> {
    let wgsl = wgsl_with(&program, options);
    let engine = WgpuEngine::with_wgsl(&bench.ctx, &program, workgroups, &wgsl)?;
    let mut rt = Runtime::with_engine(program, Box::new(engine))?;
    rt.set_limits(bench.limits())?;
    Ok(rt)
}

/// One trivial-workload measurement.
struct Trial<'a> {
    bench: &'a Bench,
    plan: Plan,
    n: usize,
    args: Vec<u32>,
    expected: Vec<u32>,
    rows: Vec<Value>,
}

impl Trial<'_> {
    fn run(
        &mut self,
        experiment: &str,
        setting: String,
        config: ProgramConfig,
        options: &LowerOptions,
        workgroups: u32,
        limits: RunLimits,
    ) -> Result<Option<f64>> {
        let program = programs::trivial(config)?;
        let mut rt = runtime(self.bench, program, options, workgroups)?;
        rt.set_limits(limits)?;
        let mk = trivial::megakernel(&mut rt, &self.plan, &self.args, &self.expected)?;
        let s = mk_seconds(&mk);
        self.bench.log(format!(
            "  {experiment} {setting}: {:.3e} tasks/s",
            s.map_or(0.0, |s| self.n as f64 / s)
        ));
        self.rows.push(json!({
            "experiment": experiment,
            "setting": setting,
            "tasks": self.n,
            "workgroups": workgroups,
            "megakernel": mk_json(&mk, self.n as f64),
        }));
        Ok(s)
    }
}

/// The library's default dispatch (and the one before the benchmarks):
/// 512 workgroups of 64.
const DEFAULT_DISPATCH: Dispatch = Dispatch {
    workgroups: 512,
    workgroup_size: 64,
};

/// The library's default dispatch and the bench's `d`, once each (they
/// are the same on software adapters).
fn dispatches(d: Dispatch) -> Vec<Dispatch> {
    if d == DEFAULT_DISPATCH {
        vec![d]
    } else {
        vec![DEFAULT_DISPATCH, d]
    }
}

/// Runs the experiments.
pub fn run(bench: &Bench) -> Result<Value> {
    let small = bench.args.quick || bench.args.smoke;
    let n = if bench.args.smoke {
        1 << 10
    } else if small {
        1 << 14
    } else {
        1 << 22
    };
    let plan = Plan {
        warmup: bench.args.warmup.min(1),
        reps: bench.args.reps.clamp(1, 3),
    };
    let d = dispatch(bench);
    let args: Vec<u32> = (0..n)
        .map(|k| cpu::trivial_arg(k, programs::HITS))
        .collect();
    let expected = trivial::expected_hits(n, plan.warmup + plan.reps);
    let mut t = Trial {
        bench,
        plan,
        n,
        args,
        expected,
        rows: Vec::new(),
    };
    let ring = programs::ring(Priority::Normal, n as u64, 64);
    let defaults = bench.limits();
    // One round per submission: what the runtime's batching now does for
    // this workload; the old doubling is emulated by `doubling` below.
    let one_round = RunLimits {
        max_rounds_per_submission: 1,
        ..bench.limits()
    };

    bench.log(format!("experiments: {n} trivial tasks"));
    // Where the library is now.
    t.run(
        "library",
        format!(
            "{} at {}x{}",
            name(&bench.ctx.lower_options()),
            d.workgroups,
            d.workgroup_size
        ),
        d.apply(ring.clone()),
        &bench.ctx.lower_options(),
        d.workgroups,
        defaults,
    )?;

    // The sharded scheduling form (issue 17) at the library's dispatch.
    t.run(
        "scheduling",
        format!("sharded at {}x{}", d.workgroups, d.workgroup_size),
        ProgramConfig {
            sharded: true,
            ..d.apply(ring.clone())
        },
        &bench.ctx.lower_options(),
        d.workgroups,
        defaults,
    )?;

    for options in variants() {
        t.run(
            "lowering",
            format!(
                "{} at {}x{}",
                name(&options),
                d.workgroups,
                d.workgroup_size
            ),
            d.apply(ring.clone()),
            &options,
            d.workgroups,
            one_round,
        )?;
    }

    let counts: &[u32] = if small {
        &[16, 64]
    } else {
        &[132, 264, 1056, 2112]
    };
    for &w in counts {
        t.run(
            "dispatch",
            format!("{w} x {}", d.workgroup_size),
            d.apply(ring.clone()),
            &bench.ctx.lower_options(),
            w,
            one_round,
        )?;
    }
    for (w, size) in [(528u32, 64u32), (2112, 64)] {
        let dd = Dispatch {
            workgroups: w,
            workgroup_size: size,
        };
        t.run(
            "dispatch",
            format!("{w} x {size}"),
            dd.apply(ring.clone()),
            &bench.ctx.lower_options(),
            w,
            one_round,
        )?;
    }
    for budget in [16, 256] {
        let config = ProgramConfig {
            claim_budget: budget,
            ..d.apply(ring.clone())
        };
        t.run(
            "claim budget",
            format!("{budget}"),
            config,
            &bench.ctx.lower_options(),
            d.workgroups,
            one_round,
        )?;
    }
    t.run(
        "default ring",
        "16K slots (the library's default config)".into(),
        d.apply(ProgramConfig::default()),
        &bench.ctx.lower_options(),
        d.workgroups,
        defaults,
    )?;

    let submissions = per_submission(bench, n, d)?;
    let artifacts = timing_artifacts(bench, d)?;
    let heavy = heavy_dispatch(bench, d)?;
    let idle = idle_rounds(bench, d)?;
    let split = breakdown(bench, d)?;
    let bfs_rows = bfs_variants(bench, d)?;
    Ok(json!({
        "what": "trivial workload under each knob; GPU time where available",
        "tasks": n,
        "dispatch": {"workgroups": d.workgroups, "workgroup_size": d.workgroup_size},
        "runs": t.rows,
        "per_submission": submissions,
        "timing_artifacts": artifacts,
        "heavy_dispatch": heavy,
        "idle_round": idle,
        "breakdown": split,
        "bfs": bfs_rows,
    }))
}

/// GPU time of each submission of a 4-submission run, through the runtime
/// (one `run()` per submission) and through the engine directly (inbox
/// written by hand, one `submit(1)` each): to see whether the runtime's
/// submissions cost what the engine's do.
fn per_submission(bench: &Bench, n: usize, d: Dispatch) -> Result<Value> {
    use vyre::protocol::ctrl;
    let program = programs::trivial(d.apply(programs::ring(Priority::Normal, n as u64, 64)))?;
    let config = program.config().clone();
    let cap = config.inbox_capacity as usize;
    let mut rt = runtime(
        bench,
        program.clone(),
        &bench.ctx.lower_options(),
        d.workgroups,
    )?;
    rt.set_limits(RunLimits {
        max_rounds: 1,
        ..bench.limits()
    })?;
    let hits = rt.buffer::<u32>("hits")?;
    rt.upload(hits, &vec![0; programs::HITS as usize])?;
    let mut via_runtime = Vec::new();
    for _ in 0..3 {
        rt.publish_with(0, Priority::Normal, programs::BUMP, n, |k, w| {
            w[0] = cpu::trivial_arg(k, programs::HITS)
        })?;
        let mut times = Vec::new();
        loop {
            let r = rt.run()?;
            times.push(r.gpu_time.map(|t| t.as_secs_f64()));
            if r.stop == vyre::StopReason::Idle || times.len() > 64 {
                break;
            }
        }
        via_runtime.push(json!(times));
    }
    drop(rt);
    let wgsl = wgsl_with(&program, &bench.ctx.lower_options());
    let mut engine = WgpuEngine::with_wgsl(&bench.ctx, &program, d.workgroups, &wgsl)?;
    engine.resize_buffer(0, u64::from(programs::HITS))?;
    let layout = program.control_layout();
    engine.write_control(u64::from(layout.tenant_enabled), &[1])?;
    let p = Priority::Normal.index();
    let entries = inbox_entries(&program, cap);
    let mut tail = 0u32;
    let mut via_engine = Vec::new();
    for _ in 0..3 {
        let mut times = Vec::new();
        for _ in 0..n.div_ceil(cap) {
            engine.write_inbox(program.initial_inbox_offset(p), &entries)?;
            tail = tail.wrapping_add(cap as u32);
            engine.write_control(u64::from(ctrl::INBOX_TAIL) + p as u64, &[tail])?;
            times.push(engine.submit(1)?.gpu_time.map(|t| t.as_secs_f64()));
        }
        via_engine.push(json!(times));
    }
    bench.log(format!(
        "  per submission: runtime {via_runtime:?}, engine {via_engine:?}"
    ));
    Ok(json!({"runtime": via_runtime, "engine": via_engine}))
}

/// GPU time of rounds with nothing to do, per round, by ring size and
/// dispatch.
fn idle_rounds(bench: &Bench, d: Dispatch) -> Result<Value> {
    let mut rows = Vec::new();
    let slots: &[u64] = if bench.args.quick || bench.args.smoke {
        &[1 << 12]
    } else {
        &[1 << 14, 1 << 20]
    };
    for &size in slots {
        for dd in dispatches(d) {
            let options = bench.ctx.lower_options();
            let program = programs::trivial(dd.apply(programs::ring(Priority::Normal, size, 64)))?;
            let wgsl = wgsl_with(&program, &options);
            let mut engine = WgpuEngine::with_wgsl(&bench.ctx, &program, dd.workgroups, &wgsl)?;
            engine.resize_buffer(0, u64::from(programs::HITS))?;
            let rounds = 32;
            let mut times = Vec::new();
            for _ in 0..4 {
                let s = engine.submit(rounds)?;
                if let Some(t) = s.gpu_time {
                    times.push(t.as_secs_f64() / f64::from(rounds));
                }
            }
            let per_round = super::stats::Stats::of(&times[1.min(times.len())..]);
            bench.log(format!(
                "  idle round, {size} slots, {} at {}x{}: {:.1} us",
                name(&options),
                dd.workgroups,
                dd.workgroup_size,
                per_round.map_or(0.0, |s| s.median * 1e6)
            ));
            rows.push(json!({
                "slots": program.config().slots,
                "variant": name(&options),
                "workgroups": dd.workgroups,
                "workgroup_size": dd.workgroup_size,
                "seconds_per_round": super::stats::json_opt(per_round),
            }));
        }
    }
    Ok(Value::Array(rows))
}

/// BFS at one scale under the library's lowering, at the default and the
/// bench's dispatch, then under every other claim variant at the bench's
/// dispatch (spawned work of uneven length: the cooperative loop's lanes
/// wait for their workgroup at each claim, the per-lane loop's never).
fn bfs_variants(bench: &Bench, d: Dispatch) -> Result<Value> {
    let scale = if bench.args.quick || bench.args.smoke {
        bench.args.min_scale
    } else {
        20
    };
    let g = graph::rmat(scale, bfs::EDGE_FACTOR, u64::from(scale));
    let root = graph::pick_root(&g, 7);
    let oracle = graph::bfs(&g, root);
    let plan = Plan {
        warmup: bench.args.warmup.min(1),
        reps: bench.args.reps.clamp(1, 3),
    };
    let mut rows = Vec::new();
    let library = bench.ctx.lower_options();
    let runs = dispatches(d).into_iter().map(|dd| (dd, library)).chain(
        variants()
            .into_iter()
            .filter(|o| *o != library)
            .map(|o| (d, o)),
    );
    for (dd, options) in runs {
        let w = dd.workgroups;
        let program = programs::bfs(dd.apply(bfs::config(&g)))?;
        let mut rt = runtime(bench, program, &options, w)?;
        bfs::load(&mut rt, &g)?;
        let runs: Vec<MkRun> = plan.run(|_| {
            let (run, report) = bfs::mk_bfs(&mut rt, &g, root)?;
            check_report(&report, report.executed, "bfs experiment")?;
            let dist = rt.buffer::<u32>("dist")?;
            if rt.read(dist)? != oracle.dist {
                return fail("bfs experiment: wrong distances");
            }
            Ok(run)
        })?;
        let s = mk_seconds(&runs);
        bench.log(format!(
            "  bfs scale {scale}, {} at {w}x{}: {:.2} ms",
            name(&options),
            dd.workgroup_size,
            s.unwrap_or(0.0) * 1e3
        ));
        rows.push(json!({
            "scale": scale,
            "variant": name(&options),
            "workgroups": w,
            "workgroup_size": dd.workgroup_size,
            "megakernel": mk_json(&runs, oracle.edges_scanned as f64),
        }));
    }
    Ok(Value::Array(rows))
}

/// Where the time of one full round goes, at 1M tasks (quick: 4K), at the
/// default and the bench's dispatch: the placing maintain pass alone (`M`
/// with a full inbox, submit(0)), a whole round (`M, W, M`, submit(1)),
/// and an idle `M`. The work pass plus the recycling `M` is the difference
/// of the first two.
fn breakdown(bench: &Bench, d: Dispatch) -> Result<Value> {
    use vyre::protocol::ctrl;
    let n: u32 = if bench.args.quick || bench.args.smoke {
        1 << 12
    } else {
        1 << 20
    };
    let mut rows = Vec::new();
    let options = bench.ctx.lower_options();
    for dd in dispatches(d) {
        let wg = dd.workgroups;
        let program =
            programs::trivial(dd.apply(programs::ring(Priority::Normal, u64::from(n), 64)))?;
        let layout = program.control_layout();
        let wgsl = wgsl_with(&program, &options);
        let mut engine = WgpuEngine::with_wgsl(&bench.ctx, &program, wg, &wgsl)?;
        engine.resize_buffer(0, u64::from(programs::HITS))?;
        engine.write_control(u64::from(layout.tenant_enabled), &[1])?;
        let p = Priority::Normal.index();
        let entries = inbox_entries(&program, n as usize);
        let mut tail = 0u32;
        let mut fill = |engine: &mut WgpuEngine| -> Result<()> {
            engine.write_inbox(program.initial_inbox_offset(p), &entries)?;
            tail = tail.wrapping_add(n);
            engine.write_control(u64::from(ctrl::INBOX_TAIL) + p as u64, &[tail])?;
            Ok(())
        };
        let gpu = |s: vyre::Submission| s.gpu_time.map(|t| t.as_secs_f64());
        let (mut place, mut round, mut idle) = (Vec::new(), Vec::new(), Vec::new());
        // Each summary counts its own submission's tasks.
        let mut executed = 0u32;
        let mut count = |s: &vyre::Submission| executed += s.summary[ctrl::EXECUTED as usize];
        for rep in 0..4 {
            // M placing n entries, then the round that runs them.
            fill(&mut engine)?;
            let s = engine.submit(0)?;
            count(&s);
            let a = gpu(s);
            count(&engine.submit(1)?);
            // A whole round whose first M places the entries.
            fill(&mut engine)?;
            let s = engine.submit(1)?;
            count(&s);
            let c = gpu(s);
            let s = engine.submit(0)?;
            count(&s);
            let d = gpu(s);
            if rep > 0 {
                place.extend(a);
                round.extend(c);
                idle.extend(d);
            }
        }
        // Eight fills of n tasks, every one executed.
        if executed != 8 * n {
            return fail(format!(
                "breakdown: {executed} tasks executed, {} published",
                8 * n
            ));
        }
        let st = |v: &[f64]| super::stats::json_opt(super::stats::Stats::of(v));
        bench.log(format!(
            "  breakdown {} at {wg}x{}, {n} tasks: placing M {:.1} us, whole round {:.1} us, idle M {:.1} us",
            name(&options),
            dd.workgroup_size,
            super::stats::Stats::of(&place).map_or(0.0, |s| s.median * 1e6),
            super::stats::Stats::of(&round).map_or(0.0, |s| s.median * 1e6),
            super::stats::Stats::of(&idle).map_or(0.0, |s| s.median * 1e6),
        ));
        rows.push(json!({
            "variant": name(&options),
            "tasks": n,
            "workgroups": wg,
            "placing_maintain_s": st(&place),
            "whole_round_s": st(&round),
            "idle_maintain_s": st(&idle),
        }));
    }
    Ok(Value::Array(rows))
}

/// Whether the GPU time of a submission depends on what happened just
/// before it: the same idle round (1M-slot ring, nothing to run) right
/// after another submission, after 50 ms of host idleness, and after a
/// 64 MB upload into the ring that the round does not use.
fn timing_artifacts(bench: &Bench, d: Dispatch) -> Result<Value> {
    let small = bench.args.quick || bench.args.smoke;
    let slots: u64 = if small { 1 << 12 } else { 1 << 20 };
    let program = programs::trivial(d.apply(programs::ring(Priority::Normal, slots, 64)))?;
    let wgsl = wgsl_with(&program, &bench.ctx.lower_options());
    let mut engine = WgpuEngine::with_wgsl(&bench.ctx, &program, d.workgroups, &wgsl)?;
    engine.resize_buffer(0, u64::from(programs::HITS))?;
    let base = program.initial_inbox_offset(Priority::Normal.index());
    let junk = vec![0u32; (slots * u64::from(program.entry_words())) as usize];
    let mut rows = serde_json::Map::new();
    for case in ["back to back", "after 50 ms idle", "after a 64 MB upload"] {
        let mut times = Vec::new();
        for rep in 0..9 {
            match case {
                "after 50 ms idle" => std::thread::sleep(std::time::Duration::from_millis(50)),
                "after a 64 MB upload" => engine.write_inbox(base, &junk)?,
                _ => {}
            }
            let t = engine.submit(1)?.gpu_time.map(|t| t.as_secs_f64());
            if rep > 0 {
                times.extend(t);
            }
        }
        let st = super::stats::Stats::of(&times);
        bench.log(format!(
            "  idle round {case}: median {:.1} us (min {:.1}, max {:.1})",
            st.map_or(0.0, |s| s.median * 1e6),
            st.map_or(0.0, |s| s.min * 1e6),
            st.map_or(0.0, |s| s.max * 1e6)
        ));
        rows.insert(case.into(), super::stats::json_opt(st));
    }
    Ok(Value::Object(rows))
}

/// Heavy uniform work (256 and 1024 hash rounds) by dispatch size: long
/// handler loops want more lanes than claiming does.
fn heavy_dispatch(bench: &Bench, d: Dispatch) -> Result<Value> {
    let small = bench.args.quick || bench.args.smoke;
    let n: usize = if small { 1 << 10 } else { 1 << 20 };
    let plan = Plan {
        warmup: bench.args.warmup.min(1),
        reps: bench.args.reps.clamp(1, 3),
    };
    let counts: Vec<u32> = if small {
        vec![d.workgroups]
    } else {
        vec![264, 528, 1056, 2112]
    };
    let costs: &[u32] = if small { &[64] } else { &[256, 1024] };
    let mut rows = Vec::new();
    for &w in &counts {
        let program = programs::mix(d.apply(programs::ring(Priority::Normal, n as u64, 64)))?;
        let mut rt = runtime(bench, program, &bench.ctx.lower_options(), w)?;
        let out = rt.buffer::<u32>("out")?;
        rt.upload(out, &vec![0; n])?;
        for &cost in costs {
            let runs = mix::run_heavy(&mut rt, &plan, n, cost, "heavy dispatch")?;
            let s = mk_seconds(&runs);
            bench.log(format!(
                "  heavy {cost} rounds at {w}x{}: {:.3e} tasks/s",
                d.workgroup_size,
                s.map_or(0.0, |s| n as f64 / s)
            ));
            rows.push(json!({
                "workgroups": w,
                "workgroup_size": d.workgroup_size,
                "hash_rounds": cost,
                "tasks": n,
                "megakernel": mk_json(&runs, n as f64),
            }));
        }
    }
    Ok(Value::Array(rows))
}

/// `n` inbox entries of the trivial workload's `bump` (tenant 0), as the
/// host packs them.
fn inbox_entries(program: &vyre::Program, n: usize) -> Vec<u32> {
    let ew = program.entry_words() as usize;
    let mut entries = vec![0u32; n * ew];
    for (k, e) in entries.chunks_exact_mut(ew).enumerate() {
        e[vyre::protocol::entry::OPCODE as usize] = programs::BUMP;
        e[vyre::protocol::entry::ARG0 as usize] = cpu::trivial_arg(k, programs::HITS);
    }
    entries
}

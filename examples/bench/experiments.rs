//! Experiments: the scheduler's knobs, each measured against the others in
//! one process, to choose (and to document) the megakernel's
//! optimisations.
//!
//! - `lowering`: every [`LowerOptions`] variant on the trivial workload;
//! - `rounds/submission`: one round per submission against the runtime's
//!   doubling batches (the cost of idle rounds);
//! - `idle round`: GPU time of a round with nothing to do, by ring size;
//! - `workgroups`, `workgroup size`, `claim budget`: dispatch sizing;
//! - `default config`: the library's default ring (16K slots);
//! - `bfs` and `mix`: the lowering variants on the other workloads.
//!
//! After the lowering sweep, the later sweeps use its fastest variant.

use serde_json::{json, Value};
use vyre::gpu::WgpuEngine;
use vyre::lower::{wgsl_with, ClaimVariant, LowerOptions, MaintainVariant};
use vyre::program::{Program, ProgramConfig};
use vyre::{Engine, Priority, RunLimits, Runtime};

use super::stats::Plan;
use super::workloads::{bfs, check_report, mk_json, mk_seconds, trivial, workgroups, MkRun};
use super::{cpu, fail, graph, programs, Bench, Result};

/// Every lowering variant.
fn variants() -> Vec<LowerOptions> {
    let mut v = Vec::new();
    for maintain in [
        MaintainVariant::PerSlot,
        MaintainVariant::Lean,
        MaintainVariant::Aggregated,
    ] {
        for claims in [ClaimVariant::PerLane, ClaimVariant::Cooperative] {
            v.push(LowerOptions { maintain, claims });
        }
    }
    v
}

fn name(o: &LowerOptions) -> String {
    format!("{:?}+{:?}", o.maintain, o.claims)
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

/// Runs the experiments.
pub fn run(bench: &Bench) -> Result<Value> {
    let n = if bench.args.smoke {
        1 << 10
    } else if bench.args.quick {
        1 << 14
    } else {
        1 << 22
    };
    let plan = Plan {
        warmup: bench.args.warmup.min(1),
        reps: bench.args.reps.clamp(1, 3),
    };
    let wg = workgroups(bench);
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
    let one_round = RunLimits {
        max_rounds_per_submission: 1,
        ..bench.limits()
    };

    bench.log(format!("experiments: lowering variants, {n} trivial tasks"));
    let mut best = (LowerOptions::default(), f64::MAX);
    for options in variants() {
        if let Some(s) = t.run(
            "lowering",
            name(&options),
            ring.clone(),
            &options,
            wg,
            one_round,
        )? {
            if s < best.1 {
                best = (options, s);
            }
        }
    }
    let best = best.0;
    bench.log(format!("  fastest: {}", name(&best)));

    let mut pair = vec![LowerOptions::default(), best];
    pair.dedup();
    for options in pair {
        t.run(
            "rounds/submission",
            format!("doubling to 32, {}", name(&options)),
            ring.clone(),
            &options,
            wg,
            defaults,
        )?;
    }

    let sizes: &[u32] = if bench.args.quick || bench.args.smoke {
        &[16, 64]
    } else {
        &[132, 264, 528, 1056, 2112, 4224, 8448]
    };
    let mut best_wg = (wg, f64::MAX);
    for &w in sizes {
        if let Some(s) = t.run(
            "workgroups",
            format!("{w} x 64 lanes"),
            ring.clone(),
            &best,
            w,
            one_round,
        )? {
            if s < best_wg.1 {
                best_wg = (w, s);
            }
        }
    }
    let best_wg = best_wg.0;
    let big: &[u32] = if bench.args.quick || bench.args.smoke {
        &[16]
    } else {
        &[132, 528, 2112]
    };
    for &w in big {
        let config = ProgramConfig {
            workgroup_size: 256,
            ..ring.clone()
        };
        t.run(
            "workgroup size",
            format!("{w} x 256 lanes"),
            config,
            &best,
            w,
            one_round,
        )?;
    }
    for budget in [16, 256, 1024] {
        let config = ProgramConfig {
            claim_budget: budget,
            ..ring.clone()
        };
        t.run(
            "claim budget",
            format!("{budget} ({best_wg} workgroups)"),
            config,
            &best,
            best_wg,
            one_round,
        )?;
    }
    t.run(
        "default config",
        format!("16K slots, {}", name(&best)),
        ProgramConfig::default(),
        &best,
        best_wg,
        defaults,
    )?;

    let idle = idle_rounds(bench, &best, best_wg)?;
    let split = breakdown(bench, &best, best_wg)?;
    let bfs_rows = bfs_variants(bench, &best, best_wg)?;
    Ok(json!({
        "what": "trivial workload under each knob; GPU time where available",
        "tasks": n,
        "fastest_lowering": name(&best),
        "fastest_workgroups": best_wg,
        "runs": t.rows,
        "idle_round": idle,
        "breakdown": split,
        "bfs": bfs_rows,
    }))
}

/// GPU time of rounds with nothing to do, per round, by ring size and
/// variant.
fn idle_rounds(bench: &Bench, best: &LowerOptions, wg: u32) -> Result<Value> {
    let mut rows = Vec::new();
    let slots: &[u64] = if bench.args.quick || bench.args.smoke {
        &[1 << 12]
    } else {
        &[1 << 14, 1 << 20]
    };
    for &size in slots {
        for options in [LowerOptions::default(), *best] {
            let program = programs::trivial(programs::ring(Priority::Normal, size, 64))?;
            let wgsl = wgsl_with(&program, &options);
            let mut engine = WgpuEngine::with_wgsl(&bench.ctx, &program, wg, &wgsl)?;
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
                "  idle round, {size} slots, {}: {:.1} us",
                name(&options),
                per_round.map_or(0.0, |s| s.median * 1e6)
            ));
            rows.push(json!({
                "slots": program.config().slots,
                "variant": name(&options),
                "seconds_per_round": super::stats::json_opt(per_round),
            }));
        }
    }
    Ok(Value::Array(rows))
}

/// BFS at one scale under the baseline and the fastest variant, at the
/// default and the fastest workgroup count.
fn bfs_variants(bench: &Bench, best: &LowerOptions, best_wg: u32) -> Result<Value> {
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
    let wg = workgroups(bench);
    let mut rows = Vec::new();
    let mut settings = vec![(LowerOptions::default(), wg), (*best, wg), (*best, best_wg)];
    settings.dedup();
    for (options, w) in settings {
        let program = programs::bfs(bfs::config(&g))?;
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
            "  bfs scale {scale}, {} with {w} workgroups: {:.2} ms",
            name(&options),
            s.unwrap_or(0.0) * 1e3
        ));
        rows.push(json!({
            "scale": scale,
            "variant": name(&options),
            "workgroups": w,
            "megakernel": mk_json(&runs, oracle.edges_scanned as f64),
        }));
    }
    Ok(Value::Array(rows))
}

/// Where the time of one full round goes, at 1M tasks (quick: 16K): the
/// placing maintain pass alone (`M` with a full inbox, submit(0)), a whole
/// round (`M, W, M`, submit(1)), and an idle `M`. The work pass plus the
/// recycling `M` is the difference of the first two.
fn breakdown(bench: &Bench, best: &LowerOptions, wg: u32) -> Result<Value> {
    use vyre::protocol::{ctrl, slot, status, SLOT_WORDS};
    let n: u32 = if bench.args.quick || bench.args.smoke {
        1 << 12
    } else {
        1 << 20
    };
    let mut rows = Vec::new();
    let mut pair = vec![LowerOptions::default(), *best];
    pair.dedup();
    for options in pair {
        let program = programs::trivial(programs::ring(Priority::Normal, u64::from(n), 64))?;
        let config = program.config().clone();
        let layout = program.control_layout();
        let wgsl = wgsl_with(&program, &options);
        let mut engine = WgpuEngine::with_wgsl(&bench.ctx, &program, wg, &wgsl)?;
        engine.resize_buffer(0, u64::from(programs::HITS))?;
        engine.write_control(u64::from(layout.tenant_enabled), &[1])?;
        let p = Priority::Normal.index();
        let mut entries = vec![0u32; (n * SLOT_WORDS) as usize];
        for (k, e) in entries.chunks_exact_mut(SLOT_WORDS as usize).enumerate() {
            e[slot::STATUS as usize] = status::PUBLISHED;
            e[slot::OPCODE as usize] = programs::BUMP;
            e[slot::PRIORITY as usize] = p as u32;
            e[slot::ARG0 as usize] = cpu::trivial_arg(k, programs::HITS);
        }
        let mut tail = 0u32;
        let mut fill = |engine: &mut WgpuEngine| -> Result<()> {
            engine.write_ring(config.inbox_base(p), &entries)?;
            tail = tail.wrapping_add(n);
            engine.write_control(u64::from(ctrl::INBOX_TAIL) + p as u64, &[tail])?;
            Ok(())
        };
        let gpu = |s: vyre::Submission| s.gpu_time.map(|t| t.as_secs_f64());
        let (mut place, mut round, mut idle) = (Vec::new(), Vec::new(), Vec::new());
        for rep in 0..4 {
            // M placing n entries, then the round that runs them.
            fill(&mut engine)?;
            let a = gpu(engine.submit(0)?);
            engine.submit(1)?;
            // A whole round whose first M places the entries.
            fill(&mut engine)?;
            let c = gpu(engine.submit(1)?);
            let d = gpu(engine.submit(0)?);
            if rep > 0 {
                place.extend(a);
                round.extend(c);
                idle.extend(d);
            }
        }
        // Eight fills of n tasks, every one executed (EXECUTED is never
        // cleared here).
        let executed = engine.read_control(u64::from(ctrl::EXECUTED), 1)?[0];
        if executed != 8 * n {
            return fail(format!(
                "breakdown: {executed} tasks executed, {} published",
                8 * n
            ));
        }
        let st = |v: &[f64]| super::stats::json_opt(super::stats::Stats::of(v));
        bench.log(format!(
            "  breakdown {}, {n} tasks: placing M {:.1} us, whole round {:.1} us, idle M {:.1} us",
            name(&options),
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

//! Workload 1: one trivial opcode, `bump(i)` = `hits[i].fetch_add(1)`,
//! from 1K to 16M tasks, against the raw claim loop, the direct kernel,
//! one dispatch per task, the reference and native backends and plain Rust.

use serde_json::{json, Value};
use vyre::{Priority, Runtime};

use super::super::baselines::{ClaimLoop, Direct, DirectWork, DispatchPerTask};
use super::super::stats::{best_seconds, timing_json, Plan, Stats, Timing};
use super::super::{cpu, fail, programs, Bench, Result};
use super::{check_report, dispatch, mk_json, mk_seconds, num, ratio, wall, CpuBackend, MkRun};

/// Task counts of the full and quick modes.
pub const FULL: [usize; 6] = [1 << 10, 1 << 14, 1 << 18, 1 << 20, 1 << 22, 1 << 24];
/// Task counts of the quick mode.
pub const QUICK: [usize; 2] = [1 << 10, 1 << 14];
/// Largest count run as one dispatch per task (4.5 µs each on an H100).
const DISPATCH_CAP_FULL: usize = 1 << 16;
const DISPATCH_CAP_QUICK: usize = 1 << 10;
/// Largest count run on the reference interpreter.
const REFERENCE_CAP_FULL: usize = 1 << 14;
const REFERENCE_CAP_QUICK: usize = 1 << 10;
/// Largest count run on the native backend.
const NATIVE_CAP_FULL: usize = 1 << 20;
const NATIVE_CAP_QUICK: usize = 1 << 14;

/// Expected counters after `runs` runs of `n` tasks.
pub fn expected_hits(n: usize, runs: usize) -> Vec<u32> {
    let c = programs::HITS as usize;
    (0..c)
        .map(|i| {
            let per = n / c + usize::from(i < n % c);
            (per * runs) as u32
        })
        .collect()
}

/// Measures the megakernel in `rt` (a trivial program) on the tasks
/// `args` under `plan`, and checks the counters against `expected` (the
/// counts after every run of the plan).
pub fn megakernel(
    rt: &mut Runtime,
    plan: &Plan,
    args: &[u32],
    expected: &[u32],
) -> Result<Vec<MkRun>> {
    let n = args.len();
    let hits = rt.buffer::<u32>("hits")?;
    rt.upload(hits, &vec![0; programs::HITS as usize])?;
    let mk: Vec<MkRun> = plan.run(|_| {
        let (run, report) = MkRun::measure(rt, |rt| {
            Ok(
                rt.publish_with(0, Priority::Normal, programs::BUMP, n, |k, w| {
                    w[0] = args[k]
                })?,
            )
        })?;
        check_report(&report, n as u64, "trivial megakernel")?;
        Ok(run)
    })?;
    if rt.read(hits)? != expected {
        return fail(format!(
            "trivial megakernel: wrong counters after {n} tasks"
        ));
    }
    Ok(mk)
}

/// Runs the workload.
pub fn run(bench: &Bench) -> Result<Value> {
    let sizes = bench.args.sizes(&FULL, &QUICK);
    let quick = bench.args.quick || bench.args.smoke;
    let dispatch_cap = if quick {
        DISPATCH_CAP_QUICK
    } else {
        DISPATCH_CAP_FULL
    };
    let reference_cap = if quick {
        REFERENCE_CAP_QUICK
    } else {
        REFERENCE_CAP_FULL
    };
    let native_cap = if quick {
        NATIVE_CAP_QUICK
    } else {
        NATIVE_CAP_FULL
    };
    let ctx = &bench.ctx;
    let plan = bench.plan();
    let runs_per_config = plan.warmup + plan.reps;
    let d = dispatch(bench);
    let wg = d.workgroups;
    let max = sizes.iter().copied().max().unwrap_or(1) as u32;
    let claim = ClaimLoop::new(ctx, max, wg, d.workgroup_size)?;
    let mut rows = Vec::new();
    for &n in &sizes {
        bench.log(format!("trivial: {n} tasks"));
        let args: Vec<u32> = (0..n)
            .map(|k| cpu::trivial_arg(k, programs::HITS))
            .collect();
        let expected = expected_hits(n, runs_per_config);

        // The megakernel: publish n tasks, run until idle.
        let config = d.apply(programs::ring(Priority::Normal, n as u64, 64));
        let program = programs::trivial(config)?;
        let mut rt = bench.runtime(&bench.gpu_with(wg), program.clone())?;
        bench.heat()?;
        let mk = megakernel(&mut rt, &plan, &args, &expected)?;
        drop(rt);

        bench.heat()?;
        let claim_t: Vec<Timing> = plan.run(|_| claim.run(ctx, n as u32))?;

        let direct = Direct::new(ctx, DirectWork::Trivial, n as u32, &args, programs::HITS)?;
        bench.heat()?;
        let direct_t: Vec<Timing> = plan.run(|_| direct.run(ctx))?;
        if direct.hits(ctx, programs::HITS)? != expected {
            return fail("trivial direct kernel: wrong counters");
        }
        drop(direct);

        let dispatch_t = if n <= dispatch_cap {
            let d = DispatchPerTask::new(ctx, &args, programs::HITS)?;
            bench.heat()?;
            let t: Vec<Timing> = plan.run(|_| d.run(ctx))?;
            if d.hits(ctx, programs::HITS)? != expected {
                return fail("one dispatch per task: wrong counters");
            }
            Some(t)
        } else {
            None
        };

        // The CPU backends on the same program: the interpreter at small
        // counts, the native backend further.
        let cpu_backend = |backend: CpuBackend, plan: &Plan| -> Result<Vec<Timing>> {
            let (t, mut rt) = backend.measure(
                bench,
                program.clone(),
                plan,
                Some(n as u64),
                |rt| {
                    let hits = rt.buffer::<u32>("hits")?;
                    Ok(rt.upload(hits, &vec![0; programs::HITS as usize])?)
                },
                |rt| {
                    Ok(
                        rt.publish_with(0, Priority::Normal, programs::BUMP, n, |k, w| {
                            w[0] = args[k]
                        })?,
                    )
                },
            )?;
            let hits = rt.buffer::<u32>("hits")?;
            let runs = plan.warmup + plan.reps;
            if rt.read(hits)? != expected_hits(n, runs) {
                return fail(format!("trivial {}: wrong counters", backend.name()));
            }
            Ok(t)
        };
        let reference_t = (n <= reference_cap)
            .then(|| cpu_backend(CpuBackend::Reference, &bench.plan_capped(3)))
            .transpose()?;
        let native_t = (n <= native_cap)
            .then(|| cpu_backend(CpuBackend::Native, &bench.plan_capped(5)))
            .transpose()?;

        let mut host_hits = vec![0u32; programs::HITS as usize];
        let cpu_t: Vec<Timing> = plan.run(|_| {
            let (s, ()) = wall(|| cpu::trivial(&args, &mut host_hits));
            Ok(Timing { wall: s, gpu: None })
        })?;
        if host_hits != expected {
            return fail("trivial plain Rust: wrong counters");
        }

        let nf = n as f64;
        let mk_s = mk_seconds(&mk);
        let claim_s = best_seconds(&claim_t).map(|s| s.median);
        let direct_s = best_seconds(&direct_t).map(|s| s.median);
        let dispatch_per_task = dispatch_t
            .as_ref()
            .and_then(|t| best_seconds(t))
            .map(|s| s.median / nf);
        let cpu_s = Stats::of_by(&cpu_t, |t| t.wall).map(|s| s.median);
        let native_s = native_t
            .as_ref()
            .and_then(|t| Stats::of_by(t, |t| t.wall))
            .map(|s| s.median);
        let mk_per_task = mk_s.map(|s| s / nf);
        rows.push(json!({
            "tasks": n,
            "megakernel": mk_json(&mk, nf),
            "claim_loop": timing_json(&claim_t, nf),
            "direct": timing_json(&direct_t, nf),
            "dispatch_per_task": dispatch_t.as_ref().map_or(Value::Null, |t| timing_json(t, nf)),
            "reference": reference_t.as_ref().map_or(Value::Null, |t| timing_json(t, nf)),
            "cpu_plain": timing_json(&cpu_t, nf),
            "native": native_t.as_ref().map_or(Value::Null, |t| timing_json(t, nf)),
            "ratios": {
                "megakernel_over_claim_loop": num(ratio(claim_s, mk_s)),
                "megakernel_over_direct": num(ratio(direct_s, mk_s)),
                "megakernel_over_cpu_plain": num(ratio(cpu_s, mk_s)),
                "megakernel_over_native": num(ratio(native_s, mk_s)),
                "native_over_cpu_plain": num(ratio(cpu_s, native_s)),
                "megakernel_over_dispatch_per_task": num(ratio(dispatch_per_task, mk_per_task)),
            },
        }));
        bench.log(format!(
            "  megakernel {:.3e} tasks/s, claim loop {:.3e}, direct {:.3e}",
            mk_s.map_or(0.0, |s| nf / s),
            claim_s.map_or(0.0, |s| nf / s),
            direct_s.map_or(0.0, |s| nf / s)
        ));
    }
    // One dispatch per task is measured at small counts only; its cost per
    // task is flat, so the largest measured count stands for all.
    let dispatch_per_task_s = rows.iter().rev().find_map(|r| {
        r["dispatch_per_task"]["gpu_s"]["median"]
            .as_f64()
            .or(r["dispatch_per_task"]["wall_s"]["median"].as_f64())
            .map(|s| s / r["tasks"].as_f64().unwrap_or(1.0))
    });
    Ok(json!({
        "what": "bump(i) = hits[i].fetch_add(1), one NORMAL task per publish; rates are tasks per second",
        "workgroups": wg,
        "workgroup_size": d.workgroup_size,
        "dispatch_per_task_cap": dispatch_cap,
        "reference_cap": reference_cap,
        "dispatch_per_task_seconds_per_task": num(dispatch_per_task_s),
        "sizes": rows,
    }))
}

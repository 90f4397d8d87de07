//! Workload 2: five opcodes of different costs (1 to 256 hash rounds).
//! Six variants over the same tasks: each cost alone ("uniform") and the
//! five interleaved ("mixed"), against the direct kernel doing the same
//! hashing with one invocation per task, the reference backend and plain
//! Rust.

use serde_json::{json, Value};
use vyre::{Gpu, Priority, Runtime};

use super::super::baselines::{Direct, DirectWork};
use super::super::programs::{self, hash, MIX_BASE, MIX_COSTS};
use super::super::stats::{best_seconds, timing_json, Stats, Timing};
use super::super::{cpu, fail, Bench, Result};
use super::{check_report, mk_json, mk_seconds, num, ratio, wall, workgroups, MkRun};

/// The variants: `Some(k)` = every task runs handler `k`; `None` = task
/// `i` runs handler `i % 5`.
const VARIANTS: [Option<usize>; 6] = [Some(0), Some(1), Some(2), Some(3), Some(4), None];

fn variant_name(v: Option<usize>) -> String {
    match v {
        Some(k) => format!("uniform{k}"),
        None => "mixed".into(),
    }
}

/// Runs the workload.
pub fn run(bench: &Bench) -> Result<Value> {
    let n = bench.args.sizes(&[1usize << 20], &[1 << 12])[0];
    let n = if bench.args.smoke { 1 << 8 } else { n };
    let reference_n = if bench.args.quick || bench.args.smoke {
        64
    } else {
        1 << 10
    };
    let ctx = &bench.ctx;
    let plan = bench.plan();
    let wg = workgroups(bench);
    let config = programs::ring(Priority::Normal, n as u64, 64);
    let program = programs::mix(config)?;
    let mut rt = bench.runtime(&bench.gpu_with(wg), program.clone())?;
    let out = rt.buffer::<u32>("out")?;
    rt.upload(out, &vec![0; n])?;
    let mut rows = Vec::new();
    for variant in VARIANTS {
        let name = variant_name(variant);
        bench.log(format!("mix: {name}, {n} tasks"));
        let kind = |i: usize| variant.unwrap_or(i % MIX_COSTS.len());
        let tasks: Vec<u32> = (0..n)
            .flat_map(|i| [kind(i) as u32, cpu::mix_seed(i as u32)])
            .collect();
        let expected: Vec<u32> = (0..n)
            .map(|i| hash(cpu::mix_seed(i as u32), MIX_COSTS[kind(i)]))
            .collect();
        let rounds: f64 = (0..n).map(|i| f64::from(MIX_COSTS[kind(i)])).sum::<f64>() / n as f64;

        let publish = |rt: &mut Runtime, count: usize| -> Result<()> {
            match variant {
                Some(k) => {
                    rt.publish_with(0, Priority::Normal, MIX_BASE + k as u32, count, |i, w| {
                        w[0] = i as u32;
                        w[1] = cpu::mix_seed(i as u32);
                    })?
                }
                // Interleaved: one call per task keeps the opcodes mixed in
                // the ring, as independent publishers would.
                None => {
                    for i in 0..count {
                        let op = MIX_BASE + (i % MIX_COSTS.len()) as u32;
                        rt.publish_with(0, Priority::Normal, op, 1, |_, w| {
                            w[0] = i as u32;
                            w[1] = cpu::mix_seed(i as u32);
                        })?;
                    }
                }
            }
            Ok(())
        };

        rt.write(out, 0, &vec![0; n])?;
        let mk: Vec<MkRun> = plan.run(|_| {
            let (run, report) = MkRun::measure(&mut rt, |rt| publish(rt, n))?;
            check_report(&report, n as u64, "mix megakernel")?;
            Ok(run)
        })?;
        if rt.read(out)? != expected {
            return fail(format!("mix megakernel ({name}): wrong outputs"));
        }

        let direct = Direct::new(ctx, DirectWork::Mix, n as u32, &tasks, 1)?;
        let direct_t: Vec<Timing> = plan.run(|_| direct.run(ctx))?;
        if direct.out(ctx)? != expected {
            return fail(format!("mix direct kernel ({name}): wrong outputs"));
        }
        drop(direct);

        let rplan = bench.plan_capped(3);
        let mut rref = bench.runtime(&Gpu::reference(), program.clone())?;
        let rout = rref.buffer::<u32>("out")?;
        rref.upload(rout, &vec![0; reference_n])?;
        let reference_t: Vec<Timing> = rplan.run(|_| {
            let (run, report) = MkRun::measure(&mut rref, |rt| publish(rt, reference_n))?;
            check_report(&report, reference_n as u64, "mix reference")?;
            Ok(Timing {
                wall: run.publish + run.run,
                gpu: None,
            })
        })?;
        if rref.read(rout)? != expected[..reference_n] {
            return fail(format!("mix reference ({name}): wrong outputs"));
        }

        let mut host = vec![0u32; n];
        let cpu_t: Vec<Timing> = plan.run(|_| {
            let (s, ()) = wall(|| cpu::mix(&tasks, &mut host));
            Ok(Timing { wall: s, gpu: None })
        })?;
        if host != expected {
            return fail("mix plain Rust: wrong outputs");
        }

        let nf = n as f64;
        let mk_s = mk_seconds(&mk);
        let direct_s = best_seconds(&direct_t).map(|s| s.median);
        let cpu_s = Stats::of_by(&cpu_t, |t| t.wall).map(|s| s.median);
        bench.log(format!(
            "  megakernel {:.3e} tasks/s, direct {:.3e}, ratio {:.3}",
            mk_s.map_or(0.0, |s| nf / s),
            direct_s.map_or(0.0, |s| nf / s),
            ratio(direct_s, mk_s).unwrap_or(0.0)
        ));
        rows.push(json!({
            "variant": name,
            "hash_rounds_per_task": rounds,
            "tasks": n,
            "megakernel": mk_json(&mk, nf),
            "direct": timing_json(&direct_t, nf),
            "reference": timing_json(&reference_t, reference_n as f64),
            "reference_tasks": reference_n,
            "cpu_plain": timing_json(&cpu_t, nf),
            "native": Value::Null,
            "ratios": {
                "megakernel_over_direct": num(ratio(direct_s, mk_s)),
                "megakernel_over_cpu_plain": num(ratio(cpu_s, mk_s)),
            },
        }));
    }
    Ok(json!({
        "what": "work_k(i, seed): out[i] = hash(seed, rounds_k), rounds = [1, 4, 16, 64, 256]; uniformK = all tasks of cost k, mixed = task i runs work_{i % 5}",
        "costs": MIX_COSTS,
        "workgroups": wg,
        "variants": rows,
    }))
}

//! Probes: the measurements behind the analyses of missed targets in
//! `docs/benchmarks.md` (`--only probes`; not part of the default run).
//!
//! - `inbox`: the trivial workload's largest size with partitions and
//!   inboxes of 1M, 2M and 4M entries: fewer, larger submissions;
//! - `heavy alone`: the heavy hash handler in a program of its own and in
//!   the six-handler mix program (do the other handlers' code and
//!   registers slow it down?);
//! - `occupancy`: the direct kernel's heavy hash in workgroups padded with
//!   workgroup memory, so that fewer of them fit on an SM at once (is the
//!   hash loop bound by how many lanes are resident?), and with the
//!   megakernel's per-iteration loop accounting (does the loop-limit check
//!   slow the loop?).

use serde_json::{json, Value};
use vyre::{Priority, Program};

use super::baselines::{Direct, DirectWork};
use super::stats::{best_seconds, timing_json, Plan, Timing};
use super::workloads::{dispatch, mix, mk_json, mk_seconds, trivial, MkRun};
use super::{cpu, fail, handlers, programs, Bench, Result};

/// Runs the probes.
pub fn run(bench: &Bench) -> Result<Value> {
    let plan = Plan {
        warmup: bench.args.warmup.min(1),
        reps: bench.args.reps.clamp(1, 5),
    };
    Ok(json!({
        "what": "measurements behind the analyses of missed targets",
        "inbox": inbox(bench, &plan)?,
        "heavy_alone": heavy_alone(bench, &plan)?,
        "occupancy": occupancy(bench, &plan)?,
    }))
}

/// The trivial workload at its largest size with larger partitions.
fn inbox(bench: &Bench, plan: &Plan) -> Result<Value> {
    let small = bench.args.quick || bench.args.smoke;
    let (n, caps): (usize, &[u64]) = if small {
        (1 << 14, &[1 << 12, 1 << 14])
    } else {
        (1 << 24, &[1 << 20, 1 << 21, 1 << 22])
    };
    let d = dispatch(bench);
    let args: Vec<u32> = (0..n)
        .map(|k| cpu::trivial_arg(k, programs::HITS))
        .collect();
    let expected = trivial::expected_hits(n, plan.warmup + plan.reps);
    let mut rows = Vec::new();
    for &cap in caps {
        let config = d.apply(programs::ring_capped(Priority::Normal, n as u64, 64, cap));
        let mut rt = bench.runtime(&bench.gpu_with(d.workgroups), programs::trivial(config)?)?;
        bench.heat()?;
        let mk = trivial::megakernel(&mut rt, plan, &args, &expected)?;
        let s = mk_seconds(&mk);
        bench.log(format!(
            "  inbox {cap}: {:.3e} tasks/s",
            s.map_or(0.0, |s| n as f64 / s)
        ));
        rows.push(json!({
            "partition_and_inbox": cap,
            "tasks": n,
            "megakernel": mk_json(&mk, n as f64),
        }));
    }
    Ok(Value::Array(rows))
}

/// The costs of the heavy probes: hardware runs the mix workload's heavy
/// costs; lavapipe cuts long loops, so it runs a short one.
fn heavy_costs(bench: &Bench) -> (usize, Vec<u32>) {
    if bench.args.quick || bench.args.smoke || bench.ctx.is_software() {
        (1 << 12, vec![64])
    } else {
        (1 << 20, programs::HEAVY_COSTS.to_vec())
    }
}

/// `heavy(i, seed, cost)` in the mix program and in a program of its own.
fn heavy_alone(bench: &Bench, plan: &Plan) -> Result<Value> {
    let (n, costs) = heavy_costs(bench);
    let d = dispatch(bench);
    let config = d.apply(programs::ring(Priority::Normal, n as u64, 64));
    let programs: [(&str, Program); 2] = [
        ("mix program (6 handlers)", programs::mix(config.clone())?),
        (
            "heavy alone (1 handler)",
            handlers::HeavyAlone::try_program()?.with_config(config)?,
        ),
    ];
    let mut rts = Vec::new();
    for (name, program) in programs {
        let mut rt = bench.runtime(&bench.gpu_with(d.workgroups), program)?;
        let out = rt.buffer::<u32>("out")?;
        rt.upload(out, &vec![0; n])?;
        rts.push((name, rt));
    }
    let mut rows = Vec::new();
    for &cost in &costs {
        // Both programs once per repetition, in turn: the same clocks.
        bench.heat()?;
        let series: Vec<Vec<MkRun>> = plan.run_alternating(rts.len(), |v| {
            mix::heavy_once(&mut rts[v].1, n, cost, "heavy probe")
        })?;
        for ((name, rt), runs) in rts.iter_mut().zip(series) {
            let out = rt.buffer::<u32>("out")?;
            let got = rt.read(out)?;
            if (0..n).any(|i| got[i] != programs::hash(cpu::mix_seed(i as u32), cost)) {
                return fail(format!("heavy probe ({name}, {cost}): wrong outputs"));
            }
            let s = mk_seconds(&runs);
            bench.log(format!(
                "  {name}, {cost} rounds: {:.3e} tasks/s",
                s.map_or(0.0, |s| n as f64 / s)
            ));
            rows.push(json!({
                "program": name,
                "hash_rounds": cost,
                "tasks": n,
                "megakernel": mk_json(&runs, n as f64),
            }));
        }
    }
    Ok(Value::Array(rows))
}

/// The direct kernel's heavy hash with 0 to 48 KB of workgroup memory per
/// workgroup of 256 (an H100 SM holds 228 KB: 48 KB leaves room for 4
/// workgroups, half the lanes an SM can hold).
fn occupancy(bench: &Bench, plan: &Plan) -> Result<Value> {
    let (n, costs) = heavy_costs(bench);
    let limit = bench.ctx.limits().max_compute_workgroup_storage_size;
    let pads: Vec<u32> = [0u32, 16 << 10, 32 << 10, 48 << 10]
        .into_iter()
        .filter(|&b| b <= limit)
        .collect();
    let mut rows = Vec::new();
    for &cost in &costs {
        let tasks: Vec<u32> = (0..n)
            .flat_map(|i| [cost, cpu::mix_seed(i as u32)])
            .collect();
        let expected: Vec<u32> = (0..n)
            .map(|i| programs::hash(cpu::mix_seed(i as u32), cost))
            .collect();
        // `None`: the loop-check probe (no padding, the megakernel's loop
        // accounting).
        let variants: Vec<(Option<u32>, DirectWork)> = pads
            .iter()
            .copied()
            .map(Some)
            .chain([None])
            .map(|bytes| {
                let work = match bytes {
                    Some(0) => DirectWork::Mix,
                    Some(bytes) => DirectWork::MixPadded { bytes },
                    None => DirectWork::MixTicked,
                };
                (bytes, work)
            })
            .collect();
        let kernels = variants
            .iter()
            .map(|&(_, work)| Direct::new(&bench.ctx, work, n as u32, &tasks, 1))
            .collect::<Result<Vec<_>>>()?;
        // Every variant once per repetition, in turn: they see the same
        // clocks (measured one after another, the later ones ran faster
        // only because the clock had climbed).
        bench.heat()?;
        let series: Vec<Vec<Timing>> =
            plan.run_alternating(kernels.len(), |v| kernels[v].run(&bench.ctx))?;
        for (((bytes, work), direct), t) in variants.iter().zip(&kernels).zip(series) {
            if direct.out(&bench.ctx)? != expected {
                return fail(format!("occupancy probe ({work:?}, {cost}): wrong outputs"));
            }
            let s = best_seconds(&t).map(|s| s.median);
            bench.log(format!(
                "  direct, {cost} rounds, {work:?}: {:.3e} tasks/s",
                s.map_or(0.0, |s| n as f64 / s)
            ));
            rows.push(json!({
                "variant": format!("{work:?}"),
                "workgroup_memory_bytes": bytes.unwrap_or(0),
                "loop_accounting": bytes.is_none(),
                "hash_rounds": cost,
                "tasks": n,
                "direct": timing_json(&t, n as f64),
            }));
        }
    }
    Ok(json!({"max_workgroup_memory": limit, "runs": rows}))
}

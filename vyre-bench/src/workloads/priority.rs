//! Workload 3: priority latency. 1M IDLE tasks and 1K CRITICAL tasks are
//! published together (IDLE first, so publication order cannot explain
//! the result); every task records its completion position and the round
//! it finished in. The run goes one round per `run()` call, so the host
//! can stamp each round. The "no priorities" variant publishes the same
//! 1K tasks at IDLE, after the flood: what a FIFO without priorities does.

use serde_json::{json, Value};
use vyre::program::ProgramConfig;
use vyre::{Priority, RunLimits, Runtime, StopReason};

use super::super::programs::{self, JOB};
use super::super::stats::{json_opt, Stats};
use super::super::{fail, Bench, Result};
use super::dispatch;

/// What one repetition measured.
#[derive(Debug, Clone)]
struct Outcome {
    /// Rounds until the ring was idle.
    rounds: u32,
    /// Round (0-based) in which the last urgent task finished.
    urgent_last_round: u32,
    /// Completion positions (0-based, among all tasks) of the urgent tasks.
    urgent_positions: Vec<u32>,
    /// Flood tasks that finished before the last urgent one.
    flood_before_last_urgent: u64,
    /// GPU (else wall) seconds of the first round and of the whole run.
    first_round_s: f64,
    total_s: f64,
    /// Per round: urgent and flood tasks completed.
    per_round: Vec<(u64, u64)>,
}

/// The ring: the flood's partition holds `flood_slots`, CRITICAL holds the
/// urgent tasks, the inbox takes the whole flood at once.
fn config(urgent: usize, flood: usize, flood_slots: u32) -> ProgramConfig {
    let crit = (urgent as u32).next_power_of_two().max(64);
    let sizes = [crit, 16, 16, 16, flood_slots];
    ProgramConfig {
        slots: sizes.iter().sum(),
        partition_sizes: Some(sizes),
        inbox_capacity: (flood.max(urgent) as u32).next_power_of_two(),
        ..ProgramConfig::default()
    }
}

fn one_run(
    rt: &mut Runtime,
    urgent: usize,
    flood: usize,
    urgent_priority: Priority,
) -> Result<Outcome> {
    let total = urgent + flood;
    let seq = rt.buffer::<u32>("seq")?;
    let order = rt.buffer::<u32>("order")?;
    let round_of = rt.buffer::<u32>("round_of")?;
    let epoch = rt.buffer::<u32>("epoch")?;
    rt.write(seq, 0, &[0])?;
    rt.write(order, 0, &vec![u32::MAX; total])?;
    rt.write(round_of, 0, &vec![u32::MAX; total])?;
    // Tasks 0..flood are the flood, flood..total the urgent ones; the
    // flood is published first.
    rt.publish_with(0, Priority::Idle, JOB, flood, |k, w| w[0] = k as u32)?;
    rt.publish_with(0, urgent_priority, JOB, urgent, |k, w| {
        w[0] = (flood + k) as u32
    })?;
    let mut rounds = 0u32;
    let mut times = Vec::new();
    loop {
        rt.write(epoch, 0, &[rounds])?;
        let report = rt.run()?;
        if let Some(f) = report.faults.first() {
            return fail(format!("priority: a task faulted: {f:?}"));
        }
        times.push(
            report
                .gpu_time
                .map_or(report.wall_time, |t| t)
                .as_secs_f64(),
        );
        rounds += 1;
        match report.stop {
            StopReason::Idle => break,
            StopReason::RoundLimit if rounds < 100_000 => {}
            other => return fail(format!("priority: the run stopped with {other:?}")),
        }
    }
    let order = rt.read(order)?;
    let round_of = rt.read(round_of)?;
    if order.iter().chain(&round_of).any(|&w| w == u32::MAX) {
        return fail("priority: some task never ran");
    }
    let urgent_positions: Vec<u32> = order[flood..].to_vec();
    let last = urgent_positions.iter().copied().max().unwrap_or(0);
    let urgent_last_round = round_of[flood..].iter().copied().max().unwrap_or(0);
    let mut per_round = vec![(0u64, 0u64); rounds as usize];
    for (i, &r) in round_of.iter().enumerate() {
        let slot = &mut per_round[(r as usize).min(rounds as usize - 1)];
        if i >= flood {
            slot.0 += 1;
        } else {
            slot.1 += 1;
        }
    }
    Ok(Outcome {
        rounds,
        urgent_last_round,
        flood_before_last_urgent: order[..flood].iter().filter(|&&p| p < last).count() as u64,
        urgent_positions,
        first_round_s: times.first().copied().unwrap_or(0.0),
        total_s: times.iter().sum(),
        per_round,
    })
}

fn summary(outcomes: &[Outcome], urgent: usize, flood: usize) -> Value {
    let total = (urgent + flood) as f64;
    let last_position = Stats::of_by(outcomes, |o| {
        f64::from(o.urgent_positions.iter().copied().max().unwrap_or(0))
    });
    let median_position = Stats::of_by(outcomes, |o| {
        let mut v = o.urgent_positions.clone();
        v.sort_unstable();
        f64::from(v.get(v.len() / 2).copied().unwrap_or(0))
    });
    // The CDF of urgent completions over the global completion order, from
    // the median run (by last position): for the plot.
    let mut sorted: Vec<&Outcome> = outcomes.iter().collect();
    sorted.sort_by_key(|o| o.urgent_positions.iter().copied().max().unwrap_or(0));
    let median = sorted.get(sorted.len() / 2);
    let cdf: Vec<Value> = median
        .map(|o| {
            let mut v = o.urgent_positions.clone();
            v.sort_unstable();
            let step = (v.len() / 64).max(1);
            v.iter()
                .enumerate()
                .filter(|(i, _)| i % step == 0 || *i + 1 == v.len())
                .map(|(i, &p)| json!([f64::from(p) / total, (i + 1) as f64 / v.len() as f64]))
                .collect()
        })
        .unwrap_or_default();
    json!({
        "rounds": json_opt(Stats::of_by(outcomes, |o| f64::from(o.rounds))),
        "urgent_last_round": json_opt(Stats::of_by(outcomes, |o| f64::from(o.urgent_last_round))),
        "urgent_all_in_first_round": outcomes.iter().all(|o| o.urgent_last_round == 0),
        "urgent_last_position": json_opt(last_position),
        "urgent_last_position_fraction": json_opt(last_position.map(|s| s.scaled(1.0 / total))),
        "urgent_median_position": json_opt(median_position),
        "flood_before_last_urgent": json_opt(Stats::of_by(outcomes, |o| o.flood_before_last_urgent as f64)),
        "first_round_s": json_opt(Stats::of_by(outcomes, |o| o.first_round_s)),
        "total_s": json_opt(Stats::of_by(outcomes, |o| o.total_s)),
        "per_round_urgent_flood": median.map_or(Value::Null, |o| json!(o.per_round)),
        "urgent_cdf": cdf,
    })
}

/// Runs the workload.
pub fn run(bench: &Bench) -> Result<Value> {
    let (flood, urgent, flood_slots) = if bench.args.smoke {
        (1 << 10, 16, 256)
    } else if bench.args.quick {
        (1 << 14, 64, 4096)
    } else {
        (1 << 20, 1 << 10, 1 << 16)
    };
    let plan = bench.plan();
    let d = dispatch(bench);
    let wg = d.workgroups;
    let program = programs::priority(d.apply(config(urgent, flood, flood_slots)))?;
    let mut rt = bench.runtime(&bench.gpu_with(wg), program)?;
    rt.set_limits(RunLimits {
        max_rounds: 1,
        ..bench.limits()
    })?;
    let total = urgent + flood;
    for (name, len) in [
        ("seq", 1),
        ("order", total),
        ("round_of", total),
        ("epoch", 1),
        ("sink", total),
    ] {
        let b = rt.buffer::<u32>(name)?;
        rt.upload(b, &vec![0; len])?;
    }
    bench.log(format!("priority: {urgent} CRITICAL under {flood} IDLE"));
    bench.heat()?;
    let with = plan.run(|_| one_run(&mut rt, urgent, flood, Priority::Critical))?;
    bench.log("priority: the same tasks without priorities (all IDLE)");
    bench.heat()?;
    let without = plan.run(|_| one_run(&mut rt, urgent, flood, Priority::Idle))?;
    let with_json = summary(&with, urgent, flood);
    bench.log(format!(
        "  CRITICAL all in round 1: {}; last CRITICAL at position {} of {total}",
        with_json["urgent_all_in_first_round"], with_json["urgent_last_position"]["median"]
    ));
    Ok(json!({
        "what": "job(id): 64 hash rounds, then records its completion position and round; urgent tasks published after the flood",
        "urgent": urgent,
        "flood": flood,
        "flood_partition_slots": flood_slots,
        "workgroups": wg,
        "workgroup_size": d.workgroup_size,
        "with_priorities": with_json,
        "without_priorities": summary(&without, urgent, flood),
    }))
}

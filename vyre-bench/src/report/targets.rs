//! The targets, judged from the results document: each with its
//! goal, the measured value, how it is shown and whether it was met.

use serde_json::{json, Value};

use super::{f, fixed, sci};

fn target(
    name: &str,
    goal: &str,
    measured: Option<f64>,
    shown: String,
    met: Option<bool>,
) -> Value {
    json!({"name": name, "target": goal, "measured": measured, "shown": shown, "met": met})
}

/// The targets, judged from the results in `doc`; a target whose
/// workload did not run is `met: null`.
pub fn targets(doc: &Value) -> Value {
    let w = &doc["workloads"];
    let mut out = Vec::new();

    // Trivial: throughput and share of the claim loop at the largest size.
    let sizes = w["trivial"]["sizes"].as_array();
    let last = sizes.and_then(|s| s.last());
    let rate = last.and_then(|r| {
        f(&r["megakernel"]["per_s_gpu"]["median"])
            .or(f(&r["megakernel"]["per_s_run_wall"]["median"]))
    });
    let tasks = last.and_then(|r| f(&r["tasks"]));
    out.push(target(
        "trivial-opcode throughput (largest size)",
        ">= 2e9 tasks/s",
        rate,
        format!("{} tasks/s at {} tasks", sci(rate), sci(tasks)),
        rate.map(|r| r >= 2e9),
    ));
    let share = last.and_then(|r| f(&r["ratios"]["megakernel_over_claim_loop"]));
    out.push(target(
        "trivial-opcode throughput vs raw claim loop",
        ">= 1/6 (0.167)",
        share,
        fixed(share, 3),
        share.map(|s| s >= 1.0 / 6.0),
    ));
    // One dispatch per task: its flat per-task cost over the megakernel's
    // at the largest size.
    let per_task = f(&w["trivial"]["dispatch_per_task_seconds_per_task"]);
    let mk_per_task = last.and_then(|r| {
        let s = f(&r["megakernel"]["gpu_s"]["median"])
            .or(f(&r["megakernel"]["run_wall_s"]["median"]))?;
        Some(s / f(&r["tasks"])?)
    });
    let speedup = match (per_task, mk_per_task) {
        (Some(a), Some(b)) if b > 0.0 => Some(a / b),
        _ => None,
    };
    out.push(target(
        "vs one dispatch per task",
        ">= 10,000x",
        speedup,
        format!("{}x", sci(speedup)),
        speedup.map(|s| s >= 1e4),
    ));

    // Uniform work vs the direct kernel, every cost.
    let uniform: Vec<(String, f64)> = w["mix"]["variants"]
        .as_array()
        .map(|v| {
            v.iter()
                .filter(|r| {
                    r["variant"]
                        .as_str()
                        .is_some_and(|n| n.starts_with("uniform"))
                })
                .filter_map(|r| {
                    Some((
                        format!("{} rounds", r["hash_rounds_per_task"]),
                        f(&r["ratios"]["megakernel_over_direct"])?,
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    let worst = uniform.iter().map(|u| u.1).reduce(f64::min);
    out.push(target(
        "uniform work vs direct kernel (every cost)",
        ">= 0.5x",
        worst,
        uniform
            .iter()
            .map(|(n, r)| format!("{n}: {r:.2}"))
            .collect::<Vec<_>>()
            .join(", "),
        worst.map(|r| r >= 0.5),
    ));

    // Priority.
    let p = &w["priority"]["with_priorities"];
    let first = p["urgent_all_in_first_round"].as_bool();
    out.push(target(
        "every CRITICAL task finishes in the first round under the IDLE flood",
        "round 1",
        f(&p["urgent_last_round"]["max"]),
        match first {
            Some(true) => format!(
                "yes; last CRITICAL at completion position {} of {}",
                sci(f(&p["urgent_last_position"]["max"])),
                sci(w["priority"]["flood"]
                    .as_f64()
                    .zip(w["priority"]["urgent"].as_f64())
                    .map(|(a, b)| a + b))
            ),
            Some(false) => "no".into(),
            None => "not run".into(),
        },
        first,
    ));

    // BFS at the largest scale.
    let scales = w["bfs"]["scales"].as_array();
    let big = scales.and_then(|s| s.last());
    let bfs = big.and_then(|r| f(&r["ratios"]["megakernel_over_cpu_plain"]));
    let scale = big.and_then(|r| r["scale"].as_u64());
    out.push(target(
        "BFS vs single-threaded CPU BFS at scale 22",
        ">= 10x",
        bfs,
        format!(
            "{}x at scale {}",
            fixed(bfs, 1),
            scale.map_or("-".into(), |s| s.to_string())
        ),
        bfs.filter(|_| scale == Some(22)).map(|r| r >= 10.0),
    ));

    // Build: 20 handlers.
    let row = w["build"]["handlers"]
        .as_array()
        .and_then(|v| v.iter().find(|r| r["handlers"].as_u64() == Some(20)));
    let ms = row
        .and_then(|r| f(&r["assembly_wgsl_pipeline_s"]["median"]))
        .map(|s| s * 1e3);
    let expansion = w["build"]["handlers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| f(&r["opcode_macro_expansion_s_per_handler"]["median"]))
        .reduce(f64::max)
        .map(|s| s * 1e3);
    out.push(target(
        "#[opcode] expansion per handler (worst handler count)",
        "<= 2 ms",
        expansion,
        format!("{} ms", fixed(expansion, 3)),
        expansion.map(|m| m <= 2.0),
    ));
    out.push(target(
        "assembly + WGSL + pipeline for 20 handlers",
        "<= 50 ms",
        ms,
        format!("{} ms", fixed(ms, 1)),
        ms.map(|m| m <= 50.0),
    ));
    Value::Array(out)
}

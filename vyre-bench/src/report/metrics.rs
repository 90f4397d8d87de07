//! The document's top-level `metrics`: every key an issue names, met or
//! not (`null` when its workload did not run or does not exist yet), so
//! that a later run can be compared key by key.
//!
//! Issue 13 (host path) keys come from the `wall` workload's own
//! `metrics`; issue 14 (kernel) keys are read off the trivial, mix,
//! priority and BFS workloads; issue 16 (service mode) keys come from the
//! `service` workload's own `metrics`; issue 19 (several GPUs) keys come
//! from the `scale` workload's (null until it runs on two GPUs or more).

use serde_json::{json, Map, Value};

use super::f;

/// Issue 13's keys, in its table's order.
pub const HOST_PATH: [&str; 13] = [
    "trivial_16m_gpu_tasks_per_s",
    "trivial_16m_batch_run_tasks_per_s",
    "trivial_16m_range_run_tasks_per_s",
    "trivial_1m_batch_run_tasks_per_s",
    "run_wall_over_gpu_1m",
    "cpu_1thread_trivial_16m_tasks_per_s",
    "cpu_all_threads_hash1024_16m_tasks_per_s",
    "hash1024_16m_batch_run_tasks_per_s",
    "cold_start_20_handlers_ms",
    "warm_process_start_20_handlers_ms",
    "autotune_ms",
    "single_publish_ns",
    "default_over_tuned",
];

/// Issue 16's keys (service mode).
pub const SERVICE: [&str; 4] = [
    "service_idle_tasks_per_s",
    "service_critical_p50_us",
    "service_critical_p99_us",
    "service_critical_p99_over_unloaded",
];

/// Issue 19's keys (several GPUs): always present; the 4- and 8-GPU
/// ones as the scale workload writes them.
pub const SCALE: [&str; 2] = ["scale_2gpu_hash_efficiency", "scale_2gpu_queens_efficiency"];

/// The metrics of `doc`.
pub fn metrics(doc: &Value) -> Value {
    let w = &doc["workloads"];
    let mut out = Map::new();
    for key in HOST_PATH {
        out.insert(key.into(), w["wall"]["metrics"][key].clone());
    }
    for key in SERVICE {
        out.insert(key.into(), w["service"]["metrics"][key].clone());
    }
    // Issue 14: the kernel against hand-written code.
    let uniform = |rounds: f64| {
        w["mix"]["variants"].as_array().and_then(|v| {
            v.iter()
                .find(|r| {
                    r["variant"]
                        .as_str()
                        .is_some_and(|n| n.starts_with("uniform"))
                        && f(&r["hash_rounds_per_task"]) == Some(rounds)
                })
                .and_then(|r| f(&r["ratios"]["megakernel_over_direct"]))
        })
    };
    let mixed = w["mix"]["variants"].as_array().and_then(|v| {
        v.iter()
            .find(|r| r["variant"] == "mixed")
            .and_then(|r| f(&r["ratios"]["megakernel_over_direct"]))
    });
    let bfs22 = w["bfs"]["scales"]
        .as_array()
        .and_then(|s| s.iter().find(|r| r["scale"].as_u64() == Some(22)));
    let gteps = bfs22.and_then(|r| {
        let s = f(&r["megakernel"]["gpu_s"]["median"])
            .or(f(&r["megakernel"]["run_wall_s"]["median"]))?;
        Some(f(&r["directed_edges"])? / s / 1e9)
    });
    let sizes = w["trivial"]["sizes"].as_array();
    let trivial16 = sizes.and_then(|s| {
        s.iter()
            .find(|r| r["tasks"].as_u64() == Some(1 << 24))
            .cloned()
    });
    let vs_dispatch = trivial16.as_ref().and_then(|r| {
        let per_task = f(&w["trivial"]["dispatch_per_task_seconds_per_task"])?;
        let mk = f(&r["megakernel"]["gpu_s"]["median"])? / f(&r["tasks"])?;
        Some(per_task / mk)
    });
    // The round the last CRITICAL task finished in, counted from 1 as the
    // issue writes it (the workload counts from 0).
    let first_round =
        f(&w["priority"]["with_priorities"]["urgent_last_round"]["max"]).map(|r| r + 1.0);
    for (key, value) in [
        ("uniform_64_mk_over_direct", json!(uniform(64.0))),
        ("uniform_1024_mk_over_direct", json!(uniform(1024.0))),
        ("mixed_mk_over_direct", json!(mixed)),
        (
            "bfs_s22_mk_over_direct",
            json!(bfs22.and_then(|r| f(&r["ratios"]["megakernel_over_direct"]))),
        ),
        ("bfs_s22_gteps", json!(gteps)),
        ("vs_dispatch_per_task_16m", json!(vs_dispatch)),
        ("critical_first_round", json!(first_round)),
    ] {
        out.insert(key.into(), value);
    }
    for key in SCALE {
        out.insert(key.into(), w["scale"]["metrics"][key].clone());
    }
    if let Some(more) = w["scale"]["metrics"].as_object() {
        for (key, value) in more {
            if !value.is_null() {
                out.insert(key.clone(), value.clone());
            }
        }
    }
    Value::Object(out)
}

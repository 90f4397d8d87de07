//! `summary.md`: the header, the targets and one Markdown table per
//! workload, ready to paste into `docs/benchmarks.md`.

use std::fmt::Write as _;

use serde_json::Value;

use super::{best, best_rate, f, fixed, sci};

/// Milliseconds from a seconds summary (`{"median": ..}`), or `-`.
fn ms(v: &Value) -> String {
    fixed(f(&v["median"]).map(|s| s * 1e3), 3)
}

/// The Markdown summary: header, targets, one table per workload.
pub fn markdown(doc: &Value) -> String {
    let mut s = String::new();
    let a = &doc["adapter"];
    let _ = writeln!(s, "- adapter: {}", a["description"].as_str().unwrap_or("?"));
    let _ = writeln!(s, "- date: {}", doc["date_utc"].as_str().unwrap_or("?"));
    let _ = writeln!(s, "- command: `{}`", doc["command"].as_str().unwrap_or("?"));
    let _ = writeln!(
        s,
        "- mode: {}, {} repetitions after {} warm-up run(s); medians (min–max in results.json); GPU time from timestamp queries: {}",
        doc["mode"].as_str().unwrap_or("?"),
        doc["repetitions"],
        doc["warmup"],
        a["timestamps"]
    );
    let _ = writeln!(
        s,
        "\n### Targets\n\n| target | goal | measured | met |\n|---|---|---|---|"
    );
    for t in doc["targets"].as_array().into_iter().flatten() {
        let met = match t["met"].as_bool() {
            Some(true) => "met",
            Some(false) => "**missed**",
            None => "not run",
        };
        let _ = writeln!(
            s,
            "| {} | {} | {} | {met} |",
            t["name"].as_str().unwrap_or(""),
            t["target"].as_str().unwrap_or(""),
            t["shown"].as_str().unwrap_or("")
        );
    }
    if let Some(m) = doc["metrics"].as_object() {
        let _ = writeln!(
            s,
            "\n### Metrics (every key an issue names)\n\n| key | value |\n|---|---|"
        );
        for (k, v) in m {
            let shown = match v.as_f64() {
                Some(x) if x.abs() >= 1e4 => sci(Some(x)),
                Some(x) => fixed(Some(x), 3),
                None => "-".into(),
            };
            let _ = writeln!(s, "| `{k}` | {shown} |");
        }
    }
    let w = &doc["workloads"];
    if let Some(rows) = w["wall"]["sizes"].as_array() {
        let _ = writeln!(
            s,
            "\n### What you see on your wall clock (trivial tasks/s)\n\n| tasks | GPU time | publish_batch + run() | publish_range + run() | CPU 1 thread | CPU all threads |\n|---|---|---|---|---|---|"
        );
        for r in rows {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {} |",
                sci(f(&r["tasks"])),
                sci(f(&r["batch"]["per_s_gpu"]["median"])),
                sci(f(&r["batch"]["per_s_wall"]["median"])),
                sci(f(&r["range"]["per_s_wall"]["median"])),
                sci(f(&r["cpu_1thread_per_s"])),
                sci(f(&r["cpu_all_threads_per_s"])),
            );
        }
    }
    if let Some(rows) = w["trivial"]["sizes"].as_array() {
        let _ = writeln!(
            s,
            "\n### 1. Trivial opcode (tasks/s)\n\n| tasks | megakernel (GPU) | megakernel run() wall | publish + run | raw claim loop | direct kernel | dispatch/task | reference | native | plain Rust | mk/claim | mk/direct | mk/native |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|"
        );
        for r in rows {
            let m = &r["megakernel"];
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                sci(f(&r["tasks"])),
                sci(f(&m["per_s_gpu"]["median"])),
                sci(f(&m["per_s_run_wall"]["median"])),
                sci(f(&m["per_s_end_to_end"]["median"])),
                sci(best_rate(&r["claim_loop"])),
                sci(best_rate(&r["direct"])),
                sci(best_rate(&r["dispatch_per_task"])),
                sci(f(&r["reference"]["per_s_wall"]["median"])),
                sci(f(&r["native"]["per_s_wall"]["median"])),
                sci(f(&r["cpu_plain"]["per_s_wall"]["median"])),
                fixed(f(&r["ratios"]["megakernel_over_claim_loop"]), 3),
                fixed(f(&r["ratios"]["megakernel_over_direct"]), 3),
                fixed(f(&r["ratios"]["megakernel_over_native"]), 1),
            );
        }
    }
    if let Some(rows) = w["mix"]["variants"].as_array() {
        let _ = writeln!(
            s,
            "\n### 2. Five opcodes of different costs (tasks/s, {} tasks)\n\n| variant | hash rounds/task | megakernel (GPU) | direct kernel | mk/direct | reference | native | plain Rust | mk/plain Rust | mk/native |\n|---|---|---|---|---|---|---|---|---|---|",
            rows.first().map_or(Value::Null, |r| r["tasks"].clone())
        );
        for r in rows {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                r["variant"].as_str().unwrap_or(""),
                sci(f(&r["hash_rounds_per_task"])),
                sci(f(&r["megakernel"]["per_s_gpu"]["median"])
                    .or(f(&r["megakernel"]["per_s_run_wall"]["median"]))),
                sci(best_rate(&r["direct"])),
                fixed(f(&r["ratios"]["megakernel_over_direct"]), 3),
                sci(f(&r["reference"]["per_s_wall"]["median"])),
                sci(f(&r["native"]["per_s_wall"]["median"])),
                sci(f(&r["cpu_plain"]["per_s_wall"]["median"])),
                fixed(f(&r["ratios"]["megakernel_over_cpu_plain"]), 2),
                fixed(f(&r["ratios"]["megakernel_over_native"]), 1),
            );
        }
    }
    let p = &w["priority"];
    if p.is_object() {
        let _ = writeln!(
            s,
            "\n### 3. Priority latency ({} CRITICAL published with {} IDLE)\n\n| | rounds | last urgent round | last urgent position | median urgent position | flood done before last urgent | first round (ms) | all rounds (ms) |\n|---|---|---|---|---|---|---|---|",
            p["urgent"], p["flood"]
        );
        for (name, v) in [
            ("CRITICAL (priorities)", &p["with_priorities"]),
            (
                "same tasks at IDLE (no priorities)",
                &p["without_priorities"],
            ),
        ] {
            let _ = writeln!(
                s,
                "| {name} | {} | {} | {} | {} | {} | {} | {} |",
                sci(f(&v["rounds"]["median"])),
                sci(f(&v["urgent_last_round"]["max"]).map(|r| r + 1.0)),
                sci(f(&v["urgent_last_position"]["median"])),
                sci(f(&v["urgent_median_position"]["median"])),
                sci(f(&v["flood_before_last_urgent"]["median"])),
                ms(&v["first_round_s"]),
                ms(&v["total_s"]),
            );
        }
    }
    if let Some(rows) = w["bfs"]["scales"].as_array() {
        let _ = writeln!(
            s,
            "\n### 4. BFS on RMAT graphs (edge factor 16)\n\n| scale | vertices | directed edges | reached | depth | tasks | megakernel (ms, GPU) | run() wall (ms) | direct kernel (ms) | CPU BFS (ms) | mk/CPU | mk/direct | megakernel GTEPS |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|"
        );
        for r in rows {
            let m = &r["megakernel"];
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                r["scale"],
                sci(f(&r["vertices"])),
                sci(f(&r["directed_edges"])),
                sci(f(&r["reached"])),
                r["depth"],
                sci(f(&r["tasks"])),
                ms(&m["gpu_s"]),
                ms(&m["run_wall_s"]),
                ms(best(&r["direct"])),
                ms(&r["cpu_plain"]["wall_s"]),
                fixed(f(&r["ratios"]["megakernel_over_cpu_plain"]), 1),
                fixed(f(&r["ratios"]["megakernel_over_direct"]), 2),
                fixed(
                    f(&m["per_s_gpu"]["median"])
                        .or(f(&m["per_s_run_wall"]["median"]))
                        .map(|x| x / 1e9),
                    2
                ),
            );
        }
        for (name, r) in [
            ("Reference", &w["bfs"]["reference"]),
            ("Native", &w["bfs"]["native"]),
        ] {
            if r.is_object() {
                let _ = writeln!(
                    s,
                    "\n{name} backend: scale {}, {} edges/s ({}x the CPU BFS at that scale).",
                    r["scale"],
                    sci(f(&r["edges_per_s"]["median"])),
                    fixed(f(&r["over_cpu_plain"]), 3)
                );
            }
        }
    }
    if let Some(rows) = w["build"]["handlers"].as_array() {
        let _ = writeln!(
            s,
            "\n### 5. Build costs (ms)\n\n| handlers | WGSL bytes | handler IR | assembly | WGSL | pipeline (cold) | IR + assembly + WGSL + pipeline | pipeline (driver cache warm) | cached engine | Runtime::with_engine | `#[opcode]` expansion/handler | `megakernel!` expansion |\n|---|---|---|---|---|---|---|---|---|---|---|---|"
        );
        for r in rows {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                r["handlers"],
                r["wgsl_bytes"],
                ms(&r["ir_s"]),
                ms(&r["assembly_s"]),
                ms(&r["wgsl_s"]),
                ms(&r["pipeline_s"]),
                ms(&r["assembly_wgsl_pipeline_s"]),
                ms(&r["pipeline_driver_warm_s"]),
                ms(&r["cached_engine_s"]),
                ms(&r["runtime_new_s"]),
                ms(&r["opcode_macro_expansion_s_per_handler"]),
                ms(&r["megakernel_macro_expansion_s"]),
            );
        }
    }
    if let Some(rows) = w["experiments"]["runs"].as_array() {
        let _ = writeln!(
            s,
            "\n### Experiments\n\n| experiment | setting | tasks | tasks/s (GPU) | run() wall (ms) | rounds | submissions |\n|---|---|---|---|---|---|---|"
        );
        for r in rows {
            let m = &r["megakernel"];
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {} | {} |",
                r["experiment"].as_str().unwrap_or(""),
                r["setting"].as_str().unwrap_or(""),
                sci(f(&r["tasks"])),
                sci(f(&m["per_s_gpu"]["median"]).or(f(&m["per_s_run_wall"]["median"]))),
                ms(&m["run_wall_s"]),
                sci(f(&m["rounds"]["median"])),
                sci(f(&m["submissions"]["median"])),
            );
        }
    }
    if let Some(points) = w["scale"]["points"].as_array() {
        let _ = writeln!(
            s,
            "\n### Several devices ({} found)\n\n| devices | hash tasks/s | N-queens boards/s | hash shares | N-queens shares |\n|---|---|---|---|---|",
            w["scale"]["devices_found"]
        );
        for p in points {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} |",
                p["devices"],
                sci(f(&p["hash_tasks_per_s"]["median"])),
                sci(f(&p["queens_boards_per_s"]["median"])),
                p["hash_shares"],
                p["queens_shares"]
            );
        }
    }
    s
}

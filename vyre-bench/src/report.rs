//! What the suite writes: `results.json` (everything), `summary.md`
//! (tables and the targets, ready to paste into `docs/benchmarks.md`) and
//! SVG plots, at most eight files in all.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use plotters::prelude::*;
use serde_json::{json, Value};

use super::Result;

/// `YYYY-MM-DD HH:MM:SS UTC` from the system clock (no date crate: the
/// civil-from-days algorithm is short).
pub fn utc_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

fn f(v: &Value) -> Option<f64> {
    v.as_f64()
}

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

/// `1.23e9`, or `-`.
pub fn sci(x: Option<f64>) -> String {
    match x {
        Some(x) if x.abs() >= 1e4 || (x != 0.0 && x.abs() < 1e-2) => format!("{x:.2e}"),
        Some(x) if x.fract() == 0.0 => format!("{x:.0}"),
        Some(x) => format!("{x:.2}"),
        None => "-".into(),
    }
}

/// `x` with `d` decimals, or `-`.
pub fn fixed(x: Option<f64>, d: usize) -> String {
    x.map_or("-".into(), |x| format!("{x:.d$}"))
}

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
    let w = &doc["workloads"];
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
    s
}

/// The rate by the best clock of a `timing_json` value.
fn best_rate(v: &Value) -> Option<f64> {
    f(&v["per_s_gpu"]["median"]).or(f(&v["per_s_wall"]["median"]))
}

/// The seconds summary by the best clock of a `timing_json` value.
fn best(v: &Value) -> &Value {
    if v["gpu_s"].is_object() {
        &v["gpu_s"]
    } else {
        &v["wall_s"]
    }
}

/// One line of a plot.
struct Line {
    name: String,
    points: Vec<(f64, f64)>,
}

/// A log-log line chart.
fn chart(path: &Path, title: &str, x_desc: &str, y_desc: &str, lines: &[Line]) -> Result<()> {
    let pts: Vec<(f64, f64)> = lines
        .iter()
        .flat_map(|l| l.points.iter().copied())
        .filter(|(x, y)| *x > 0.0 && *y > 0.0 && x.is_finite() && y.is_finite())
        .collect();
    if pts.is_empty() {
        return Ok(());
    }
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for (x, y) in &pts {
        x0 = x0.min(*x);
        x1 = x1.max(*x);
        y0 = y0.min(*y);
        y1 = y1.max(*y);
    }
    let (x0, x1) = (x0 / 1.5, x1 * 1.5);
    let (y0, y1) = (y0 / 2.0, y1 * 2.0);
    let root = SVGBackend::new(path, (900, 560)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut c = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d((x0..x1).log_scale(), (y0..y1).log_scale())?;
    c.configure_mesh()
        .x_desc(x_desc)
        .y_desc(y_desc)
        .x_label_formatter(&|x| sci(Some(*x)))
        .y_label_formatter(&|y| sci(Some(*y)))
        .draw()?;
    for (i, l) in lines.iter().enumerate() {
        let color = Palette99::pick(i).to_rgba();
        let points: Vec<(f64, f64)> = l
            .points
            .iter()
            .copied()
            .filter(|(x, y)| *x > 0.0 && *y > 0.0)
            .collect();
        if points.is_empty() {
            continue;
        }
        c.draw_series(LineSeries::new(points.clone(), color.stroke_width(2)))?
            .label(l.name.as_str())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2))
            });
        c.draw_series(
            points
                .into_iter()
                .map(|p| Circle::new(p, 3, color.filled())),
        )?;
    }
    c.configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()?;
    root.present()?;
    Ok(())
}

fn series(
    rows: &[Value],
    name: &str,
    x: impl Fn(&Value) -> Option<f64>,
    y: impl Fn(&Value) -> Option<f64>,
) -> Line {
    Line {
        name: name.to_string(),
        points: rows.iter().filter_map(|r| Some((x(r)?, y(r)?))).collect(),
    }
}

/// Writes the plots next to the JSON; returns the file names written.
fn plots(doc: &Value, dir: &Path) -> Result<Vec<String>> {
    let w = &doc["workloads"];
    let adapter = doc["adapter"]["name"].as_str().unwrap_or("?");
    let mut written = Vec::new();
    if let Some(rows) = w["trivial"]["sizes"].as_array() {
        let x = |r: &Value| f(&r["tasks"]);
        let lines = vec![
            series(rows, "megakernel (GPU time)", x, |r| {
                f(&r["megakernel"]["per_s_gpu"]["median"])
            }),
            series(rows, "megakernel (run() wall)", x, |r| {
                f(&r["megakernel"]["per_s_run_wall"]["median"])
            }),
            series(rows, "raw claim loop", x, |r| best_rate(&r["claim_loop"])),
            series(rows, "direct kernel", x, |r| best_rate(&r["direct"])),
            series(rows, "one dispatch per task", x, |r| {
                best_rate(&r["dispatch_per_task"])
            }),
            series(rows, "reference backend", x, |r| {
                f(&r["reference"]["per_s_wall"]["median"])
            }),
            series(rows, "native backend", x, |r| {
                f(&r["native"]["per_s_wall"]["median"])
            }),
            series(rows, "plain Rust (1 thread)", x, |r| {
                f(&r["cpu_plain"]["per_s_wall"]["median"])
            }),
        ];
        chart(
            &dir.join("trivial.svg"),
            &format!("Trivial opcode throughput — {adapter}"),
            "tasks",
            "tasks / s",
            &lines,
        )?;
        written.push("trivial.svg".into());
    }
    if let Some(rows) = w["mix"]["variants"].as_array() {
        let uniform: Vec<Value> = rows
            .iter()
            .filter(|r| {
                r["variant"]
                    .as_str()
                    .is_some_and(|n| n.starts_with("uniform"))
            })
            .cloned()
            .collect();
        let x = |r: &Value| f(&r["hash_rounds_per_task"]);
        let lines = vec![
            series(&uniform, "megakernel (GPU time)", x, |r| {
                f(&r["megakernel"]["per_s_gpu"]["median"])
                    .or(f(&r["megakernel"]["per_s_run_wall"]["median"]))
            }),
            series(&uniform, "direct kernel", x, |r| best_rate(&r["direct"])),
            series(&uniform, "plain Rust (1 thread)", x, |r| {
                f(&r["cpu_plain"]["per_s_wall"]["median"])
            }),
        ];
        chart(
            &dir.join("mix.svg"),
            &format!("Uniform work by task cost — {adapter}"),
            "hash rounds per task",
            "tasks / s",
            &lines,
        )?;
        written.push("mix.svg".into());
    }
    let p = &w["priority"];
    if p.is_object() {
        let cdf = |v: &Value| Line {
            name: String::new(),
            points: v["urgent_cdf"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|p| Some((f(&p[0])?.max(1e-7), f(&p[1])?)))
                        .collect()
                })
                .unwrap_or_default(),
        };
        let mut a = cdf(&p["with_priorities"]);
        a.name = "CRITICAL (with priorities)".into();
        let mut b = cdf(&p["without_priorities"]);
        b.name = "same tasks at IDLE, published last".into();
        chart(
            &dir.join("priority.svg"),
            &format!("Urgent tasks finished vs all tasks finished — {adapter}"),
            "fraction of all tasks finished (completion position)",
            "fraction of urgent tasks finished",
            &[a, b],
        )?;
        written.push("priority.svg".into());
    }
    if let Some(rows) = w["bfs"]["scales"].as_array() {
        let x = |r: &Value| r["scale"].as_f64().map(|s| 2f64.powf(s));
        let lines = vec![
            series(rows, "megakernel (GPU time)", x, |r| {
                f(&r["megakernel"]["gpu_s"]["median"])
                    .or(f(&r["megakernel"]["run_wall_s"]["median"]))
                    .map(|s| s * 1e3)
            }),
            series(rows, "megakernel (run() wall)", x, |r| {
                f(&r["megakernel"]["run_wall_s"]["median"]).map(|s| s * 1e3)
            }),
            series(rows, "direct level-synchronous kernel", x, |r| {
                f(&best(&r["direct"])["median"]).map(|s| s * 1e3)
            }),
            series(rows, "CPU BFS (1 thread)", x, |r| {
                f(&r["cpu_plain"]["wall_s"]["median"]).map(|s| s * 1e3)
            }),
        ];
        chart(
            &dir.join("bfs.svg"),
            &format!("BFS on RMAT graphs — {adapter}"),
            "vertices (2^scale)",
            "milliseconds",
            &lines,
        )?;
        written.push("bfs.svg".into());
    }
    if let Some(rows) = w["build"]["handlers"].as_array() {
        let x = |r: &Value| f(&r["handlers"]);
        let msv = |k: &'static str| move |r: &Value| f(&r[k]["median"]).map(|s| s * 1e3);
        let lines = vec![
            series(
                rows,
                "IR + assembly + WGSL + pipeline",
                x,
                msv("assembly_wgsl_pipeline_s"),
            ),
            series(rows, "pipeline (cold)", x, msv("pipeline_s")),
            series(
                rows,
                "pipeline (driver cache warm)",
                x,
                msv("pipeline_driver_warm_s"),
            ),
            series(rows, "WGSL lowering", x, msv("wgsl_s")),
            series(rows, "handler IR + assembly", x, |r| {
                Some((f(&r["ir_s"]["median"])? + f(&r["assembly_s"]["median"])?) * 1e3)
            }),
            series(rows, "cached engine", x, msv("cached_engine_s")),
        ];
        chart(
            &dir.join("build.svg"),
            &format!("Build costs — {adapter}"),
            "handlers",
            "milliseconds",
            &lines,
        )?;
        written.push("build.svg".into());
    }
    Ok(written)
}

/// Writes `results.json`, `summary.md` and the plots into `dir`.
pub fn write(doc: &Value, dir: &Path) -> Result<Vec<String>> {
    fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let json = serde_json::to_string_pretty(doc)?;
    fs::write(dir.join("results.json"), json)
        .map_err(|e| format!("cannot write {}: {e}", dir.join("results.json").display()))?;
    fs::write(dir.join("summary.md"), markdown(doc))
        .map_err(|e| format!("cannot write {}: {e}", dir.join("summary.md").display()))?;
    let mut files = vec!["results.json".to_string(), "summary.md".to_string()];
    files.extend(plots(doc, dir)?);
    Ok(files)
}

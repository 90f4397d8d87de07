//! The SVG plots: one log-log line chart per workload that ran.

use std::path::Path;

use plotters::prelude::*;
use serde_json::Value;

use super::{best, best_rate, f, sci};
use crate::Result;

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
pub(super) fn plots(doc: &Value, dir: &Path) -> Result<Vec<String>> {
    let w = &doc["workloads"];
    let adapter = doc["adapter"]["name"].as_str().unwrap_or("?");
    let mut written = Vec::new();
    if let Some(rows) = w["wall"]["sizes"].as_array() {
        let x = |r: &Value| f(&r["tasks"]);
        let lines = vec![
            series(rows, "GPU time", x, |r| {
                f(&r["batch"]["per_s_gpu"]["median"])
            }),
            series(rows, "vyre wall: publish_batch + run()", x, |r| {
                f(&r["batch"]["per_s_wall"]["median"])
            }),
            series(rows, "vyre wall: publish_range + run()", x, |r| {
                f(&r["range"]["per_s_wall"]["median"])
            }),
            series(rows, "CPU, 1 thread", x, |r| f(&r["cpu_1thread_per_s"])),
            series(rows, "CPU, all threads", x, |r| {
                f(&r["cpu_all_threads_per_s"])
            }),
        ];
        chart(
            &dir.join("wall.svg"),
            &format!("What you see on your wall clock: trivial tasks — {adapter}"),
            "tasks in the batch",
            "tasks / s",
            &lines,
        )?;
        written.push("wall.svg".into());
    }
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

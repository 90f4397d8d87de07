//! What a user sees on their wall clock (issue 13): from `publish_batch`
//! or `publish_range` of a batch to `run()` returning, against the GPU
//! time of the same runs and against plain Rust on one thread and on every
//! thread; `run()` alone over GPU time; one `publish` call per task; heavy
//! tasks (1,024 hash rounds) through vyre and on every CPU thread; a new
//! process's start-up with vyre's disk cache cold and warm (the `startup`
//! binary, in fresh processes); and the library's defaults against the
//! bench's tuned ring and dispatch.
//!
//! Its `metrics` object holds issue 13's keys; `report::metrics` lifts
//! them to the document's top level.

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use serde_json::{json, Value};
use vyre::{Gpu, Priority, Runtime};

use super::{dispatch, Dispatch};
use crate::handlers::{self, bump, heavy};
use crate::stats::{json_opt, Stats};
use crate::{cpu, programs, Bench, Result};

/// Hash rounds per task of the heavy comparison.
const HEAVY_ROUNDS: u32 = 1024;

/// One measured run: wall seconds from the first publish call to `run()`
/// returning, and the GPU seconds of its submissions.
#[derive(Debug, Clone, Copy)]
struct Wall {
    wall: f64,
    gpu: Option<f64>,
    /// Rounds and submissions `run()` took.
    rounds: u64,
    submissions: u64,
    /// The GPU time split by pass (`VYRE_PASS_TIMES=1`).
    passes: Option<vyre::PassTimes>,
}

/// Times `publish` then `run()`; checks that all `n` tasks ran.
fn timed(
    rt: &mut Runtime,
    n: u64,
    publish: impl FnOnce(&mut Runtime) -> Result<()>,
) -> Result<Wall> {
    let t = Instant::now();
    publish(rt)?;
    let report = rt.run()?;
    let wall = t.elapsed().as_secs_f64();
    if report.executed != n || !report.faults.is_empty() {
        return crate::fail(format!(
            "{} of {n} tasks ran, {} faults",
            report.executed,
            report.faults.len()
        ));
    }
    Ok(Wall {
        wall,
        gpu: report.gpu_time.map(|d| d.as_secs_f64()),
        rounds: report.rounds,
        submissions: report.submissions,
        passes: vyre::PassTimes::total(&report.submission_times),
    })
}

/// Median rates of `runs` over `n` tasks: wall and GPU.
fn rates(runs: &[Wall], n: f64) -> Value {
    let wall = Stats::of_by(runs, |r| r.wall);
    let gpu = Stats::of_opt(runs, |r| r.gpu);
    json!({
        "wall_s": json_opt(wall),
        "gpu_s": json_opt(gpu),
        "per_s_wall": json_opt(wall.map(|s| s.rate(n))),
        "per_s_gpu": json_opt(gpu.map(|s| s.rate(n))),
        "rounds": json_opt(Stats::of_by(runs, |r| r.rounds as f64)),
        "submissions": json_opt(Stats::of_by(runs, |r| r.submissions as f64)),
        "passes_us": super::passes_json(runs, |r| r.passes),
    })
}

/// Median of the rate at `key` (`per_s_wall` or `per_s_gpu`).
fn median(v: &Value, key: &str) -> Option<f64> {
    v[key]["median"].as_f64()
}

/// Seconds of `f` on one thread, best of `reps`.
fn best_of(reps: usize, mut f: impl FnMut()) -> f64 {
    (0..reps.max(1))
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

/// `body(range)` over `0..n` split across every host thread.
fn on_all_threads(n: usize, body: impl Fn(std::ops::Range<usize>) + Sync) {
    let threads = std::thread::available_parallelism().map_or(1, |t| t.get());
    let chunk = n.div_ceil(threads).max(1);
    std::thread::scope(|s| {
        for start in (0..n).step_by(chunk) {
            let body = &body;
            s.spawn(move || body(start..(start + chunk).min(n)));
        }
    });
}

/// A runtime of the trivial program with a NORMAL partition for `n` tasks
/// and `counters` zeroed counters.
fn trivial_runtime(
    bench: &Bench,
    gpu: &Gpu,
    d: Dispatch,
    n: u32,
    counters: u32,
) -> Result<(Runtime, vyre::BufferHandle<u32>)> {
    let program = programs::trivial(d.apply(programs::ring(Priority::Normal, n.into(), 64)))?;
    let mut rt = bench.runtime(gpu, program)?;
    let hits = rt.buffer::<u32>("hits")?;
    rt.upload(hits, &vec![0; counters as usize])?;
    Ok((rt, hits))
}

/// The trivial workload at `n` tasks (`hits[k] += 1` for task k, every
/// counter once): `publish_batch` and `publish_range` runs, then plain
/// Rust on one thread and on every thread.
fn trivial_row(bench: &Bench, gpu: &Gpu, d: Dispatch, n: u32) -> Result<Value> {
    let (mut rt, hits) = trivial_runtime(bench, gpu, d, n, n)?;
    let args: Vec<u32> = (0..n).collect();
    let plan = bench.plan();
    bench.heat()?;
    let batch = plan.run(|_| {
        timed(&mut rt, n.into(), |rt| {
            Ok(rt.publish_batch(Priority::Normal, bump::Op, &args)?)
        })
    })?;
    bench.heat()?;
    let range = plan.run(|_| {
        timed(&mut rt, n.into(), |rt| {
            Ok(rt.publish_range(Priority::Normal, bump::Op, 0..n, ())?)
        })
    })?;
    let runs = 2 * (plan.warmup + plan.reps) as u32;
    let counted = rt.read(hits)?;
    if let Some(k) = counted.iter().position(|&c| c != runs) {
        return crate::fail(format!("hits[{k}] = {}, expected {runs}", counted[k]));
    }
    // Plain Rust: the same counters bumped by the same tasks.
    let mut plain = vec![0u32; n as usize];
    let one = best_of(plan.reps, || cpu::trivial(&args, &mut plain));
    let shared: Vec<std::sync::atomic::AtomicU32> = (0..n).map(|_| 0.into()).collect();
    let all = best_of(plan.reps, || {
        on_all_threads(n as usize, |r| {
            for &i in &args[r] {
                shared[i as usize].fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
        })
    });
    let batch = rates(&batch, n.into());
    let range = rates(&range, n.into());
    bench.log(format!(
        "  wall {n}: batch {:.3e} tasks/s (GPU {:.3e}), range {:.3e}, CPU 1 thread {:.3e}, all threads {:.3e}",
        median(&batch, "per_s_wall").unwrap_or(0.0),
        median(&batch, "per_s_gpu").unwrap_or(0.0),
        median(&range, "per_s_wall").unwrap_or(0.0),
        f64::from(n) / one,
        f64::from(n) / all,
    ));
    Ok(json!({
        "tasks": n,
        "batch": batch,
        "range": range,
        "cpu_1thread_per_s": f64::from(n) / one,
        "cpu_all_threads_per_s": f64::from(n) / all,
    }))
}

/// `run()` alone over its GPU time, `n` tasks already published.
fn run_over_gpu(bench: &Bench, gpu: &Gpu, d: Dispatch, n: u32) -> Result<Value> {
    let (mut rt, _) = trivial_runtime(bench, gpu, d, n, n)?;
    let args: Vec<u32> = (0..n).collect();
    bench.heat()?;
    // With `--stages`, this row's stages apart from the workload's: where
    // `run()`'s wall time goes around the GPU's.
    let stages = crate::stages::StageTotals::installed();
    if let Some(s) = stages {
        s.take_table();
    }
    let runs = bench.plan().run(|_| {
        rt.publish_batch(Priority::Normal, bump::Op, &args)?;
        timed(&mut rt, n.into(), |_| Ok(()))
    })?;
    if let Some(s) = stages {
        bench.log(format!(
            "stages of run() over GPU time (publish_batch and run()):\n{}",
            s.take_table()
        ));
    }
    let ratios: Vec<f64> = runs.iter().filter_map(|r| Some(r.wall / r.gpu?)).collect();
    let ratio = Stats::of(&ratios);
    bench.log(format!(
        "  run() over GPU time, {n} published: {:.2}",
        ratio.map_or(0.0, |s| s.median)
    ));
    Ok(json!({
        "tasks": n,
        "run": rates(&runs, n.into()),
        "run_wall_over_gpu": json_opt(ratio),
    }))
}

/// One `publish` call per task, host time only (the run that follows
/// drains them and is checked, not timed).
fn single_publish(bench: &Bench, gpu: &Gpu, d: Dispatch, n: u32) -> Result<Value> {
    let (mut rt, _) = trivial_runtime(bench, gpu, d, n, programs::HITS)?;
    let mut samples = Vec::new();
    for _ in 0..bench.plan().reps.clamp(1, 3) {
        let t = Instant::now();
        for k in 0..n {
            rt.publish(Priority::Normal, bump::task(k % programs::HITS))?;
        }
        samples.push(t.elapsed().as_secs_f64() / f64::from(n) * 1e9);
        let report = rt.run()?;
        if report.executed != u64::from(n) {
            return crate::fail(format!("{} of {n} published tasks ran", report.executed));
        }
    }
    let ns = Stats::of(&samples);
    bench.log(format!(
        "  one publish call per task, {n} tasks: {:.2} ns/task",
        ns.map_or(0.0, |s| s.median)
    ));
    Ok(json!({"tasks": n, "ns_per_task": json_opt(ns)}))
}

/// `n` tasks of [`HEAVY_ROUNDS`] hash rounds: through vyre
/// (`publish_batch`, user wall clock) and on every host thread.
fn heavy_row(bench: &Bench, gpu: &Gpu, d: Dispatch, n: u32) -> Result<Value> {
    let program = programs::mix(d.apply(programs::ring(Priority::Normal, n.into(), 64)))?;
    let mut rt = bench.runtime(gpu, program)?;
    let out = rt.buffer::<u32>("out")?;
    rt.upload(out, &vec![0; n as usize])?;
    let tasks: Vec<(u32, u32, u32)> = (0..n)
        .map(|i| (i, cpu::mix_seed(i), HEAVY_ROUNDS))
        .collect();
    bench.heat()?;
    let runs = bench.plan().run(|_| {
        timed(&mut rt, n.into(), |rt| {
            Ok(rt.publish_batch(Priority::Normal, heavy::Op, &tasks)?)
        })
    })?;
    let got = rt.read(out)?;
    for i in (0..n).step_by((n as usize / 1000).max(1)) {
        let want = handlers::hash(cpu::mix_seed(i), HEAVY_ROUNDS);
        if got[i as usize] != want {
            return crate::fail(format!("out[{i}] = {}, expected {want}", got[i as usize]));
        }
    }
    let sink: Vec<std::sync::atomic::AtomicU32> = (0..n).map(|_| 0.into()).collect();
    let all = best_of(1, || {
        on_all_threads(n as usize, |r| {
            for i in r {
                let h = handlers::hash(cpu::mix_seed(i as u32), HEAVY_ROUNDS);
                sink[i].store(h, std::sync::atomic::Ordering::Relaxed);
            }
        })
    });
    let vyre = rates(&runs, n.into());
    bench.log(format!(
        "  {n} tasks of {HEAVY_ROUNDS} hash rounds: vyre {:.3e} tasks/s (GPU {:.3e}), every CPU thread {:.3e}",
        median(&vyre, "per_s_wall").unwrap_or(0.0),
        median(&vyre, "per_s_gpu").unwrap_or(0.0),
        f64::from(n) / all
    ));
    Ok(json!({
        "tasks": n,
        "hash_rounds": HEAVY_ROUNDS,
        "vyre": vyre,
        "cpu_all_threads_per_s": f64::from(n) / all,
        "cpu_threads": std::thread::available_parallelism().map_or(1, |t| t.get()),
    }))
}

/// The library's defaults (`Trivial::new` / `Mix::new`: default ring,
/// partitions, inboxes and dispatch) against the bench's tuned ring and
/// dispatch, on `n` trivial and `n` hash-64 tasks, the two sides in turn.
fn defaults(bench: &Bench, d: Dispatch, n: u32) -> Result<Value> {
    let plan = bench.plan();
    let args: Vec<u32> = (0..n).collect();
    let tasks: Vec<(u32, u32, u32)> = (0..n).map(|i| (i, cpu::mix_seed(i), 64)).collect();
    // Both sides are built first and measured in turn, repetition by
    // repetition: measured one after the other, the side that ran first
    // (right after the first-use tuning) saw other GPU clocks.
    let mut trivial = Vec::new();
    let mut mix = Vec::new();
    for tuned in [false, true] {
        let gpu = if tuned {
            bench.gpu_with(d.workgroups)
        } else {
            bench.gpu.clone()
        };
        let (t, m) = if tuned {
            let ring = programs::ring(Priority::Normal, n.into(), 64);
            (
                programs::trivial(d.apply(ring.clone()))?,
                programs::mix(d.apply(ring))?,
            )
        } else {
            (
                handlers::Trivial::try_program()?.as_ref().clone(),
                handlers::Mix::try_program()?.as_ref().clone(),
            )
        };
        let mut rt = bench.runtime(&gpu, t)?;
        let hits = rt.buffer::<u32>("hits")?;
        rt.upload(hits, &vec![0; n as usize])?;
        trivial.push(rt);
        let mut rt = bench.runtime(&gpu, m)?;
        let out = rt.buffer::<u32>("out")?;
        rt.upload(out, &vec![0; n as usize])?;
        mix.push(rt);
    }
    bench.heat()?;
    let t = plan.run_alternating(2, |v| {
        timed(&mut trivial[v], n.into(), |rt| {
            Ok(rt.publish_batch(Priority::Normal, bump::Op, &args)?)
        })
    })?;
    let h = plan.run_alternating(2, |v| {
        timed(&mut mix[v], n.into(), |rt| {
            Ok(rt.publish_batch(Priority::Normal, heavy::Op, &tasks)?)
        })
    })?;
    let mut rows = Vec::new();
    for (v, tuned) in [false, true].into_iter().enumerate() {
        // What the library chose for the default program (its first-use
        // tuning), against the bench's own dispatch.
        let dispatch = if tuned {
            Some((d.workgroup_size, d.workgroups))
        } else {
            bench
                .gpu
                .auto_dispatch(handlers::Trivial::try_program()?.as_ref())
        };
        let last = |runs: &[Wall]| runs.last().map(|w| (w.rounds, w.submissions));
        rows.push(json!({
            "tuned": tuned,
            "rounds_submissions": {"trivial": last(&t[v]), "hash64": last(&h[v])},
            "dispatch": dispatch.map(|(size, groups)| json!({"workgroup_size": size, "workgroups": groups})),
            "trivial": rates(&t[v], n.into()),
            "hash64": rates(&h[v], n.into()),
        }));
    }
    let ratio =
        |w: &str| Some(median(&rows[0][w], "per_s_wall")? / median(&rows[1][w], "per_s_wall")?);
    let worst = [ratio("trivial"), ratio("hash64")]
        .into_iter()
        .flatten()
        .reduce(f64::min);
    bench.log(format!(
        "  defaults over tuned, {n} tasks: trivial {:.3}, hash64 {:.3} (default dispatch {}, rounds and submissions {}; tuned {}, {})",
        ratio("trivial").unwrap_or(0.0),
        ratio("hash64").unwrap_or(0.0),
        rows[0]["dispatch"],
        rows[0]["rounds_submissions"],
        rows[1]["dispatch"],
        rows[1]["rounds_submissions"]
    ));
    Ok(json!({"tasks": n, "rows": rows, "default_over_tuned": worst}))
}

/// The first-use tuning of the dispatch (`Gpu::autotune`) for the
/// start-up program (20 handlers), on this process's adapter: how long it
/// takes and what it measured.
fn autotune(bench: &Bench) -> Result<Value> {
    let built = (0..20)
        .map(|k| programs::build_handler(k, 20, 7))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    let program = programs::build_program(built)?;
    let tuning = match bench.gpu.autotune(&program) {
        Ok(t) => t,
        Err(e) => return Ok(json!({"skipped": e.to_string()})),
    };
    let ms = tuning.elapsed.as_secs_f64() * 1e3;
    bench.log(format!(
        "  autotune: {ms:.0} ms, chose {} workgroups of {} lanes",
        tuning.workgroups, tuning.workgroup_size
    ));
    let measured: Vec<Value> = tuning
        .measured
        .iter()
        .map(|&(size, groups, rate)| json!({"workgroup_size": size, "workgroups": groups, "tasks_per_s": rate}))
        .collect();
    Ok(json!({
        "ms": ms,
        "workgroup_size": tuning.workgroup_size,
        "workgroups": tuning.workgroups,
        "measured": measured,
    }))
}

/// Milliseconds one `startup` process reports for program + runtime.
fn startup_ms(exe: &PathBuf, cache: &PathBuf, salt: u64) -> Result<(f64, String)> {
    let out = Command::new(exe)
        .args(["20", &salt.to_string()])
        .env("VYRE_CACHE_DIR", cache)
        .env("__GL_SHADER_DISK_CACHE", "0")
        .output()?;
    let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if !out.status.success() {
        return crate::fail(format!(
            "startup failed: {text} {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let field = |name: &str| -> Option<f64> {
        let at = text.find(name)? + name.len();
        text[at..].trim_start().split(' ').next()?.parse().ok()
    };
    match (field(", program "), field("runtime (WGSL + pipelines) ")) {
        (Some(p), Some(r)) => Ok((p + r, text)),
        _ => crate::fail(format!("cannot read the startup line `{text}`")),
    }
}

/// Fresh processes of the `startup` binary (next to this one): with
/// vyre's cache empty (a salt no process has seen) and then warm (the
/// same salt again), the driver's own cache off.
fn startup(bench: &Bench) -> Result<Value> {
    let exe = std::env::current_exe()?.with_file_name("startup");
    if !exe.exists() {
        return Ok(json!({"skipped": format!("{} not built", exe.display())}));
    }
    let cache = std::env::temp_dir().join(format!("vyre-bench-cache-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&cache);
    let base = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(1, |d| d.as_secs() % 100_000_000);
    let (mut cold, mut warm, mut lines) = (Vec::new(), Vec::new(), Vec::new());
    for k in 0..bench.plan().reps.clamp(1, 3) as u64 {
        let salt = base * 16 + k;
        let (c, line) = startup_ms(&exe, &cache, salt)?;
        cold.push(c);
        lines.push(format!("cold: {line}"));
        let (w, line) = startup_ms(&exe, &cache, salt)?;
        warm.push(w);
        lines.push(format!("warm: {line}"));
    }
    let _ = std::fs::remove_dir_all(&cache);
    let (cold, warm) = (Stats::of(&cold), Stats::of(&warm));
    bench.log(format!(
        "  start-up, 20 handlers: cold {:.1} ms, warm {:.1} ms",
        cold.map_or(0.0, |s| s.median),
        warm.map_or(0.0, |s| s.median)
    ));
    Ok(json!({"cold_ms": json_opt(cold), "warm_ms": json_opt(warm), "lines": lines}))
}

/// Upload rates into the inboxes, the same words both ways in one run:
/// `Queue::write_buffer` (a fresh staging buffer per call, what batches
/// went through before the staging chunks) against the engine's bulk
/// path (`write_inbox_with`: persistent chunks, packed on several
/// threads). Each is timed to the end of a one-word read that waits for
/// the copies.
fn upload_probe(bench: &Bench, words: u64) -> Result<Value> {
    use vyre::gpu::WgpuEngine;
    use vyre::Engine;
    let program = programs::trivial(vyre::ProgramConfig::default())?;
    let mut engine = WgpuEngine::new(&bench.ctx, &program, 1)?;
    // At most what one binding holds on this adapter.
    let words = words.min(engine.max_inbox_words()).max(1);
    engine.resize_inbox(words)?;
    let data: Vec<u32> = (0..words as u32).collect();
    let mut queue = Vec::new();
    let mut chunks = Vec::new();
    for _ in 0..bench.plan().reps.clamp(2, 5) {
        let t = Instant::now();
        engine.write_inbox(0, &data)?;
        engine.read_inbox(words - 1, 1)?;
        queue.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        engine.write_inbox_with(0, data.len(), 1, &|first, out: &mut [u32]| {
            out.copy_from_slice(&data[first..first + out.len()])
        })?;
        let last = engine.read_inbox(words - 1, 1)?;
        chunks.push(t.elapsed().as_secs_f64());
        if last != [data[data.len() - 1]] {
            return crate::fail("the bulk upload lost its last word");
        }
    }
    let gbps = |s: Option<Stats>| s.map(|s| words as f64 * 4.0 / s.median / 1e9);
    let (q, c) = (Stats::of(&queue), Stats::of(&chunks));
    bench.log(format!(
        "  upload of {} MB: write_buffer {:.2} GB/s, staging chunks {:.2} GB/s",
        (words * 4) >> 20,
        gbps(q).unwrap_or(0.0),
        gbps(c).unwrap_or(0.0)
    ));
    Ok(json!({
        "bytes": words * 4,
        "write_buffer_s": json_opt(q),
        "staging_chunks_s": json_opt(c),
        "write_buffer_gb_per_s": gbps(q),
        "staging_chunks_gb_per_s": gbps(c),
    }))
}

/// The workload.
pub fn run(bench: &Bench) -> Result<Value> {
    let d = dispatch(bench);
    let gpu = bench.gpu_with(d.workgroups);
    let full = !(bench.args.quick || bench.args.smoke);
    let sizes = bench.args.sizes(
        &[1 << 10, 1 << 14, 1 << 18, 1 << 20, 1 << 22, 1 << 24],
        &[1 << 10, 1 << 14],
    );
    let mut rows = Vec::new();
    for &n in &sizes {
        rows.push(trivial_row(bench, &gpu, d, n)?);
    }
    let big = if full { 1 << 20 } else { 1 << 12 };
    let huge = if full { 1 << 24 } else { 1 << 12 };
    let run_gpu = run_over_gpu(bench, &gpu, d, big)?;
    let single = single_publish(bench, &gpu, d, huge)?;
    let heavy = heavy_row(bench, &gpu, d, huge)?;
    let defaults_1m = defaults(bench, d, big)?;
    // The same at 16M: the default program grows its ring to the batch
    // (up to the largest ring), the tuned one has the bench's 2^22 cap.
    let defaults_16m = if full {
        defaults(bench, d, huge)?
    } else {
        Value::Null
    };
    let startup = startup(bench)?;
    let tuning = autotune(bench)?;
    let upload_words = std::env::var("VYRE_BENCH_UPLOAD_WORDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if full { 48 << 20 } else { 2 << 20 });
    let upload = upload_probe(bench, upload_words)?;

    let row = |n: u32| rows.iter().find(|r| r["tasks"].as_u64() == Some(n.into()));
    let at = |n: u32, path: [&str; 2]| row(n).and_then(|r| median(&r[path[0]], path[1]));
    let gpu16 = at(1 << 24, ["batch", "per_s_gpu"]);
    let cpu_heavy = heavy["cpu_all_threads_per_s"].as_f64().filter(|_| full);
    let metrics = json!({
        "trivial_16m_gpu_tasks_per_s": gpu16,
        "trivial_16m_batch_run_tasks_per_s": at(1 << 24, ["batch", "per_s_wall"]),
        "trivial_16m_range_run_tasks_per_s": at(1 << 24, ["range", "per_s_wall"]),
        "trivial_1m_batch_run_tasks_per_s": at(1 << 20, ["batch", "per_s_wall"]),
        "run_wall_over_gpu_1m": run_gpu["run_wall_over_gpu"]["median"].as_f64().filter(|_| full),
        "cpu_1thread_trivial_16m_tasks_per_s": row(1 << 24).and_then(|r| r["cpu_1thread_per_s"].as_f64()),
        "cpu_all_threads_hash1024_16m_tasks_per_s": cpu_heavy,
        "hash1024_16m_batch_run_tasks_per_s": median(&heavy["vyre"], "per_s_wall").filter(|_| full),
        "cold_start_20_handlers_ms": startup["cold_ms"]["median"].as_f64(),
        "warm_process_start_20_handlers_ms": startup["warm_ms"]["median"].as_f64(),
        "autotune_ms": tuning["ms"].as_f64(),
        "single_publish_ns": single["ns_per_task"]["median"].as_f64().filter(|_| full),
        "default_over_tuned": defaults_1m["default_over_tuned"].as_f64().filter(|_| full),
    });
    Ok(json!({
        "what": "user wall clock: publish_batch / publish_range of a batch to run() returning, against GPU time and plain Rust; run() over GPU time; one publish per task; 1,024-round hash tasks; start-up in fresh processes; defaults against tuned",
        "workgroups": d.workgroups,
        "workgroup_size": d.workgroup_size,
        "sizes": rows,
        "run_over_gpu": run_gpu,
        "single_publish": single,
        "heavy": heavy,
        "defaults": defaults_1m,
        "defaults_16m": defaults_16m,
        "startup": startup,
        "upload": upload,
        "autotune": tuning,
        "metrics": metrics,
    }))
}

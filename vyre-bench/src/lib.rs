//! The vyre benchmark suite (issue 5) as a small library: the binary
//! `src/bin/bench.rs`, the smoke test `tests/bench_smoke.rs` and the
//! criterion benches in `benches/` all use it, so they run the same code.
//! [`reliability`] holds the reliability workloads of the second binary,
//! `src/bin/reliability.rs`.
//!
//! Layout:
//! - [`args`]: the command line (`--quick`, `--only`, `--out`, ...);
//! - [`stats`]: repetitions, medians, min/max;
//! - [`kernels`]: small wgpu helpers for the hand-written baselines
//!   (pipelines, buffers, pass timestamps, readback);
//! - [`baselines`]: the hand-written WGSL baselines (raw claim loop,
//!   direct kernels, one dispatch per task, level-synchronous BFS);
//! - [`cpu`]: the plain single-threaded Rust versions of the same work;
//! - [`graph`]: RMAT graphs in CSR form and the CPU BFS;
//! - [`handlers`]: the workloads' `#[opcode]` handlers and `megakernel!`s;
//! - [`programs`]: their programs with rings sized per workload, and the
//!   build-cost handlers (`HandlerBuilder`, salted per repetition);
//! - [`workloads`]: the five workloads, each measuring the megakernel and
//!   its baselines in the same run;
//! - [`experiments`]: configuration sweeps and lowering variants used to
//!   choose the optimisations recorded in `docs/benchmarks.md`;
//! - [`probes`]: measurements behind the analyses of missed targets;
//! - [`report`]: JSON, the Markdown summary, the SVG plots, the targets.

// A library now, not a `#[path]` include: hold it to the project's rule
// that every public item is documented.
#![warn(missing_docs)]

pub mod args;
pub mod baselines;
pub mod cpu;
pub mod experiments;
pub mod graph;
pub mod handlers;
pub mod kernels;
pub mod probes;
pub mod programs;
pub mod reliability;
pub mod report;
pub mod stages;
pub mod stats;
pub mod workloads;

use std::time::Instant;

use serde_json::{json, Value};
use vyre::gpu::GpuContext;
use vyre::Gpu;

pub use args::{Args, Workload};

/// How long [`Bench::heat`] keeps the GPU busy at least before a
/// measurement.
pub const HEAT: std::time::Duration = std::time::Duration::from_millis(300);
/// How long the first [`Bench::heat`] of a process keeps the GPU busy at
/// least: long enough for the driver to raise an idle GPU's clock all the
/// way (about 2 s of sustained work on the H100s lent, in steps).
pub const HEAT_FIRST: std::time::Duration = std::time::Duration::from_millis(2000);
/// How long [`Bench::heat`] keeps the GPU busy at most, settled or not.
pub const HEAT_MAX: std::time::Duration = std::time::Duration::from_millis(3000);

/// Every error of the suite, with its message.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;
/// The suite's result type.
pub type Result<T> = std::result::Result<T, BoxError>;

/// Turns a message into an error.
pub fn fail<T>(message: impl Into<String>) -> Result<T> {
    Err(message.into().into())
}

/// What every workload needs: the options, the wgpu backend and its
/// context (the baselines record their own work on the same device), and
/// a log that also goes to stdout.
pub struct Bench {
    /// The options.
    pub args: Args,
    /// The wgpu backend the megakernel runs on.
    pub gpu: Gpu,
    /// Its context, shared with the baselines.
    pub ctx: GpuContext,
    started: Instant,
    /// The kernel [`Bench::heat`] runs, made on first use.
    heater: std::cell::RefCell<Option<baselines::Direct>>,
    /// The heater's fastest run in this process (seconds), the mark a
    /// later heat waits for.
    heater_best: std::cell::Cell<Option<f64>>,
}

impl Bench {
    /// Opens the wgpu backend (hardware first, any adapter allowed so
    /// that lavapipe runs the quick mode).
    pub fn new(args: Args) -> Result<Bench> {
        let gpu = Gpu::wgpu().map_err(|e| {
            format!(
                "the benchmark needs a wgpu adapter: {e} \
                 (on Debian, lavapipe: apt-get install mesa-vulkan-drivers libvulkan1)"
            )
        })?;
        let ctx = match gpu.context() {
            Some(ctx) => ctx.clone(),
            None => return fail("the wgpu backend came without a context"),
        };
        Ok(Bench {
            args,
            gpu,
            ctx,
            started: Instant::now(),
            heater: std::cell::RefCell::new(None),
            heater_best: std::cell::Cell::new(None),
        })
    }

    /// Keeps the GPU busy (a hash kernel, run again and again) until its
    /// clocks are those a sustained workload runs at, so that the
    /// measurement that follows does not start at the idle clocks the
    /// driver drops to while the host prepares tasks and expected
    /// results. Seen on the H100 (SM clock 345 MHz idle, 1,980 MHz
    /// maximum): the same kernel measured first or fifth after a pause
    /// differed up to fourfold, and after seconds of host work (a graph's
    /// generation) the clock took about 2 s of load to climb, in steps,
    /// so a fixed 300 ms left BFS's first runs at a fraction of it
    /// (`docs/benchmarks.md`, session 26). So a heat lasts until the
    /// heater runs as fast as it ever did in this process
    /// ([`heat_settled`]). Software adapters and smoke runs skip it.
    pub fn heat(&self) -> Result<()> {
        if self.ctx.is_software() || self.args.smoke {
            return Ok(());
        }
        let mut heater = self.heater.borrow_mut();
        if heater.is_none() {
            let n = 1u32 << 20;
            let tasks: Vec<u32> = (0..n).flat_map(|i| [256, i]).collect();
            *heater = Some(baselines::Direct::new(
                &self.ctx,
                baselines::DirectWork::Mix,
                n,
                &tasks,
                1,
            )?);
        }
        if let Some(kernel) = heater.as_ref() {
            let before = self.heater_best.get();
            let mut best = before;
            let t = Instant::now();
            loop {
                let run = kernel.run(&self.ctx)?;
                let last = run.gpu.unwrap_or(run.wall);
                best = Some(best.map_or(last, |b: f64| b.min(last)));
                if heat_settled(t.elapsed(), last, before) {
                    break;
                }
            }
            self.heater_best.set(best);
        }
        Ok(())
    }

    /// The wgpu backend with `workgroups` work workgroups.
    pub fn gpu_with(&self, workgroups: u32) -> Gpu {
        self.gpu.clone().with_workgroups(workgroups)
    }

    /// Prints a progress line with the time since the start.
    pub fn log(&self, line: impl AsRef<str>) {
        if !self.args.silent {
            println!(
                "[{:7.2}s] {}",
                self.started.elapsed().as_secs_f64(),
                line.as_ref()
            );
        }
    }

    /// Warm-up runs, then measured repetitions.
    pub fn plan(&self) -> stats::Plan {
        stats::Plan {
            warmup: self.args.warmup,
            reps: self.args.reps,
        }
    }

    /// The run limits of every runtime the suite creates: the defaults
    /// with a time limit, so that a scheduler bug ends a run (and fails
    /// its check) instead of hanging the suite.
    pub fn limits(&self) -> vyre::RunLimits {
        vyre::RunLimits {
            time_limit: Some(std::time::Duration::from_secs(120)),
            ..vyre::RunLimits::default()
        }
    }

    /// `Runtime::new` with [`limits`](Self::limits).
    pub fn runtime(&self, gpu: &Gpu, program: vyre::Program) -> Result<vyre::Runtime> {
        let mut rt = vyre::Runtime::new(gpu, program)?;
        rt.set_limits(self.limits())?;
        Ok(rt)
    }

    /// The same plan with at most `reps` repetitions (for the slow CPU
    /// interpreter), still at least one.
    pub fn plan_capped(&self, reps: usize) -> stats::Plan {
        stats::Plan {
            warmup: self.args.warmup.min(1),
            reps: self.args.reps.min(reps).max(1),
        }
    }
}

/// Whether a heat may end after `elapsed`, its last run having taken
/// `last` seconds: at [`HEAT_MAX`] in any case; else after [`HEAT`], once
/// the last run is within 5% of `best`, the fastest run of the process's
/// earlier heats; the first heat (no `best`) lasts [`HEAT_FIRST`].
pub fn heat_settled(elapsed: std::time::Duration, last: f64, best: Option<f64>) -> bool {
    if elapsed >= HEAT_MAX {
        return true;
    }
    match best {
        Some(best) => elapsed >= HEAT && last <= best * 1.05,
        None => elapsed >= HEAT_FIRST,
    }
}

/// Runs the selected workloads and returns the whole JSON document
/// (also what `report::write` turns into files).
pub fn run(bench: &Bench) -> Result<Value> {
    let info = bench.ctx.adapter_info();
    bench.log(format!(
        "adapter: {} ({:?}); timestamps: {}",
        bench.ctx.description(),
        info.device_type,
        bench.ctx.has_timestamps()
    ));
    let stages = if bench.args.stages {
        let totals = stages::StageTotals::install();
        if totals.is_none() {
            bench.log("--stages: a tracing subscriber was installed already; no table");
        }
        totals
    } else {
        None
    };
    let mut workloads = serde_json::Map::new();
    for w in Workload::ALL {
        if !bench.args.selected(w) {
            continue;
        }
        bench.log(format!("== workload {}", w.name()));
        let result = match w {
            Workload::Wall => workloads::wall::run(bench),
            Workload::Trivial => workloads::trivial::run(bench),
            Workload::Mix => workloads::mix::run(bench),
            Workload::Priority => workloads::priority::run(bench),
            Workload::Bfs => workloads::bfs::run(bench),
            Workload::Build => workloads::build::run(bench),
            Workload::Service => workloads::service::run(bench),
            Workload::Scale => workloads::scale::run(bench),
            Workload::Experiments => experiments::run(bench),
            Workload::Probes => probes::run(bench),
        };
        // A failed workload is recorded and the others still run: one
        // device session should not be lost to one bug.
        let value = result.unwrap_or_else(|e| {
            bench.log(format!("workload {} FAILED: {e}", w.name()));
            json!({"error": e.to_string()})
        });
        workloads.insert(w.name().to_string(), value);
        if let Some(totals) = stages {
            bench.log(format!("stages of {}:\n{}", w.name(), totals.take_table()));
        }
        // Partial results survive a run cut short (a device time limit).
        let partial = json!({"partial": true, "workloads": Value::Object(workloads.clone())});
        if std::fs::create_dir_all(&bench.args.out).is_ok() {
            if let Ok(text) = serde_json::to_string_pretty(&partial) {
                let _ = std::fs::write(bench.args.out.join("results.json"), text);
            }
        }
    }
    let mut doc = json!({
        "suite": "vyre-bench",
        "format": 1,
        "date_utc": report::utc_now(),
        "command": bench.args.command_line.clone(),
        "mode": if bench.args.quick { "quick" } else { "full" },
        "repetitions": bench.args.reps,
        "warmup": bench.args.warmup,
        "adapter": {
            "description": bench.ctx.description(),
            "name": info.name,
            "device_type": format!("{:?}", info.device_type),
            "backend": format!("{:?}", info.backend),
            "driver": info.driver,
            "driver_info": info.driver_info,
            "timestamps": bench.ctx.has_timestamps(),
        },
        "host": {
            "os": std::env::consts::OS,
            "arch": std::env::consts::ARCH,
            "threads": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        },
        "native_backend": {
            "status": "not yet available",
            "note": "slot for the native CPU backend (megakernel! calling the original Rust functions); every workload has a `native` entry, null until it lands",
        },
        "workloads": Value::Object(workloads),
    });
    let failed: Vec<String> = doc["workloads"]
        .as_object()
        .map(|m| {
            m.iter()
                .filter(|(_, v)| v.get("error").is_some())
                .map(|(k, _)| k.clone())
                .collect()
        })
        .unwrap_or_default();
    doc["failed"] = json!(failed);
    let targets = report::targets(&doc);
    doc["targets"] = targets;
    doc["metrics"] = report::metrics(&doc);
    doc["elapsed_s"] = json!(bench.started.elapsed().as_secs_f64());
    Ok(doc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_heat_waits_for_the_process_best_within_its_bounds() {
        let ms = Duration::from_millis;
        // No earlier heat: the first lasts HEAT_FIRST, however fast it runs.
        assert!(!heat_settled(ms(1_999), 1.0, None));
        assert!(heat_settled(HEAT_FIRST, 9.0, None));
        // A later one: at least HEAT, then until a run is within 5% of the
        // process's best.
        assert!(!heat_settled(ms(299), 1.0, Some(1.0)));
        assert!(heat_settled(HEAT, 1.05, Some(1.0)));
        assert!(!heat_settled(ms(1_000), 1.06, Some(1.0)));
        assert!(!heat_settled(ms(2_999), 4.0, Some(1.0)));
        // Never past HEAT_MAX.
        assert!(heat_settled(HEAT_MAX, 4.0, Some(1.0)));
        assert!(heat_settled(HEAT_MAX, 4.0, None));
    }
}

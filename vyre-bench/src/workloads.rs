//! The workloads. Each measures the megakernel and its baselines in
//! the same run and returns its JSON section; shared helpers live here.

pub mod bfs;
pub mod build;
pub mod mix;
pub mod priority;
pub mod scale;
pub mod service;
pub mod trivial;
pub mod wall;

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use vyre::backend::DEFAULT_WGPU_WORKGROUPS;
use vyre::program::ProgramConfig;
use vyre::{Gpu, Program, RunReport, Runtime, StopReason};

use super::stats::{json_opt, Plan, Stats, Timing};
use super::{fail, Bench, Result};

/// How the megakernel's work pass is dispatched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dispatch {
    /// Work workgroups per dispatch.
    pub workgroups: u32,
    /// Lanes per workgroup (the program's `workgroup_size`).
    pub workgroup_size: u32,
}

impl Dispatch {
    /// `config` with this dispatch's workgroup size.
    pub fn apply(&self, config: ProgramConfig) -> ProgramConfig {
        ProgramConfig {
            workgroup_size: self.workgroup_size,
            ..config
        }
    }

    /// Lanes per dispatch.
    pub fn lanes(&self) -> u32 {
        self.workgroups * self.workgroup_size
    }
}

/// Workgroups of 256 lanes on hardware GPUs: the experiments found 528 of
/// them (4 per SM of an H100) fastest with cooperative claims.
pub const HARDWARE_DISPATCH: Dispatch = Dispatch {
    workgroups: 528,
    workgroup_size: 256,
};

/// The megakernel's dispatch: [`HARDWARE_DISPATCH`] on a hardware GPU, the
/// library's defaults (512 workgroups of 64) on a software adapter;
/// `--workgroups` overrides the count.
pub fn dispatch(bench: &Bench) -> Dispatch {
    let d = if bench.ctx.is_software() {
        Dispatch {
            workgroups: DEFAULT_WGPU_WORKGROUPS,
            workgroup_size: ProgramConfig::default().workgroup_size,
        }
    } else {
        HARDWARE_DISPATCH
    };
    Dispatch {
        workgroups: bench.args.workgroups.unwrap_or(d.workgroups),
        ..d
    }
}

/// One measured megakernel run: host publishing, then `run()`.
#[derive(Debug, Clone, Copy)]
pub struct MkRun {
    /// Seconds spent publishing (host queue only; the upload happens in
    /// `run()`).
    pub publish: f64,
    /// Wall seconds of `run()`: inbox uploads, submissions, readbacks.
    pub run: f64,
    /// GPU seconds of the run's submissions (timestamps), if available.
    pub gpu: Option<f64>,
    /// Rounds run.
    pub rounds: u64,
    /// Submissions (device round trips).
    pub submissions: u64,
    /// The GPU time split by pass over the run's submissions
    /// (`VYRE_PASS_TIMES=1`).
    pub passes: Option<vyre::PassTimes>,
}

impl MkRun {
    /// Times `publish(rt)`, then `rt.run()`.
    pub fn measure(
        rt: &mut Runtime,
        publish: impl FnOnce(&mut Runtime) -> Result<()>,
    ) -> Result<(MkRun, RunReport)> {
        let t0 = Instant::now();
        publish(rt)?;
        let published = t0.elapsed();
        let t1 = Instant::now();
        let report = rt.run()?;
        let ran = t1.elapsed();
        Ok((
            MkRun {
                publish: published.as_secs_f64(),
                run: ran.as_secs_f64(),
                gpu: report.gpu_time.map(|d: Duration| d.as_secs_f64()),
                rounds: report.rounds,
                submissions: report.submissions,
                passes: vyre::PassTimes::total(&report.submission_times),
            },
            report,
        ))
    }
}

/// The JSON summary of megakernel runs over `n` units of work.
pub fn mk_json(runs: &[MkRun], n: f64) -> Value {
    let publish = Stats::of_by(runs, |r| r.publish);
    let run = Stats::of_by(runs, |r| r.run);
    let total = Stats::of_by(runs, |r| r.publish + r.run);
    let gpu = Stats::of_opt(runs, |r| r.gpu);
    json!({
        "publish_s": json_opt(publish),
        "run_wall_s": json_opt(run),
        "end_to_end_s": json_opt(total),
        "gpu_s": json_opt(gpu),
        "per_s_gpu": json_opt(gpu.map(|s| s.rate(n))),
        "per_s_run_wall": json_opt(run.map(|s| s.rate(n))),
        "per_s_end_to_end": json_opt(total.map(|s| s.rate(n))),
        "rounds": json_opt(Stats::of_by(runs, |r| r.rounds as f64)),
        "submissions": json_opt(Stats::of_by(runs, |r| r.submissions as f64)),
        "passes_us": passes_json(runs, |r| r.passes),
    })
}

/// Median GPU microseconds of each pass of `runs` (`VYRE_PASS_TIMES=1`),
/// or null.
pub fn passes_json<R>(runs: &[R], passes: impl Fn(&R) -> Option<vyre::PassTimes>) -> Value {
    let field = |f: fn(&vyre::PassTimes) -> Duration| {
        Stats::of_opt(runs, |r| passes(r).map(|p| f(&p).as_secs_f64() * 1e6)).map(|s| s.median)
    };
    match field(|p| p.work) {
        None => Value::Null,
        Some(work) => json!({
            "lead": field(|p| p.lead),
            "place": field(|p| p.place),
            "first_maintain": field(|p| p.first_maintain),
            "work": work,
            "maintain": field(|p| p.maintain),
            "small": field(|p| p.small),
        }),
    }
}

/// Median seconds of the megakernel runs by the best clock: GPU time
/// where every run has it, else the wall time of `run()`.
pub fn mk_seconds(runs: &[MkRun]) -> Option<f64> {
    Stats::of_opt(runs, |r| r.gpu)
        .or_else(|| Stats::of_by(runs, |r| r.run))
        .map(|s| s.median)
}

/// Checks that a run finished its work: idle stop, `executed` tasks, no
/// faults, no lost spawns.
pub fn check_report(report: &RunReport, executed: u64, what: &str) -> Result<()> {
    if report.stop != StopReason::Idle {
        return fail(format!("{what}: the run stopped with {:?}", report.stop));
    }
    if let Some(f) = report.faults.first() {
        return fail(format!(
            "{what}: {} task(s) faulted, first: {:?}",
            report.faults.len(),
            f
        ));
    }
    if report.spawn_overflows > 0 {
        return fail(format!(
            "{what}: {} spawn(s) found their partition full",
            report.spawn_overflows
        ));
    }
    if report.executed != executed {
        return fail(format!(
            "{what}: {} tasks executed, {executed} expected",
            report.executed
        ));
    }
    Ok(())
}

/// Times `f` once, in wall seconds.
pub fn wall<T>(f: impl FnOnce() -> T) -> (f64, T) {
    let t = Instant::now();
    let v = f();
    (t.elapsed().as_secs_f64(), v)
}

/// `a / b` when both exist and `b > 0`.
pub fn ratio(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) if b > 0.0 && a.is_finite() && b.is_finite() => Some(a / b),
        _ => None,
    }
}

/// A number or null.
pub fn num(x: Option<f64>) -> Value {
    x.map_or(Value::Null, |x| json!(x))
}

/// A CPU backend measured beside the megakernel: the reference
/// interpreter (the IR, statement by statement) or the native backend (the
/// `#[opcode]` functions themselves, on the same CPU scheduler).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CpuBackend {
    /// `Gpu::reference()`.
    Reference,
    /// `Gpu::cpu()`: the native backend for `megakernel!` programs.
    Native,
}

impl CpuBackend {
    /// Its name in logs and errors.
    pub fn name(self) -> &'static str {
        match self {
            CpuBackend::Reference => "reference",
            CpuBackend::Native => "native",
        }
    }

    /// The backend.
    pub fn gpu(self) -> Gpu {
        match self {
            CpuBackend::Reference => Gpu::reference(),
            CpuBackend::Native => Gpu::cpu(),
        }
    }

    /// Runs `program` on this backend under `plan`: `prepare` once (buffers),
    /// then per repetition `publish` and `run()`, each run checked with
    /// [`check_report`] (`executed` tasks, or any number when `None`). Wall
    /// seconds of publish + run; the runtime comes back for checking
    /// results.
    pub fn measure(
        self,
        bench: &Bench,
        program: Program,
        plan: &Plan,
        executed: Option<u64>,
        prepare: impl FnOnce(&mut Runtime) -> Result<()>,
        mut publish: impl FnMut(&mut Runtime) -> Result<()>,
    ) -> Result<(Vec<Timing>, Runtime)> {
        if self == CpuBackend::Native && program.native().is_none() {
            return fail(format!(
                "{}: the native backend needs a megakernel! program",
                program.name()
            ));
        }
        let mut rt = bench.runtime(&self.gpu(), program)?;
        prepare(&mut rt)?;
        let what = self.name();
        let t = plan.run(|_| {
            let (run, report) = MkRun::measure(&mut rt, &mut publish)?;
            check_report(&report, executed.unwrap_or(report.executed), what)?;
            Ok(Timing {
                wall: run.publish + run.run,
                gpu: None,
            })
        })?;
        Ok((t, rt))
    }
}

//! Reliability measurements: the longest single dispatch under adversarial
//! handlers (`storm`) and a long soak with sustained spawn overflow
//! (`soak`). See `docs/reliability.md` for what they show and the figures.
//!
//! ```text
//! cargo run --release -p vyre-bench --bin reliability -- storm            # default sizes
//! cargo run --release -p vyre-bench --bin reliability -- soak             # >= 1e8 tasks
//! cargo run --release -p vyre-bench --bin reliability -- service          # the soak as a service
//! cargo run --release -p vyre-bench --bin reliability -- all --quick      # lavapipe-sized
//! cargo run --release -p vyre-bench --bin reliability -- soak --quick --backend reference
//! ```
//!
//! Options: `--quick` (small sizes: ~1e5 soak tasks), `--backend
//! wgpu|reference|auto` (default `auto`: `VYRE_BACKEND`, else a hardware
//! adapter, else any wgpu adapter, else the reference interpreter),
//! `--tasks N` and `--seconds S` (soak target and time cap), `--workgroups
//! N` (lanes = N × the workgroup size), `--out DIR`
//! (also write `reliability.txt` there). Exits non-zero on any inexact
//! count.

use vyre_bench::reliability as workload;

use std::io::Write as _;
use std::process::ExitCode;
use std::time::Duration;

use vyre::prelude::*;
use workload::{service_soak, soak, storm, SoakOptions, StormOptions};

struct Args {
    mode: String,
    quick: bool,
    backend: String,
    tasks: Option<u64>,
    seconds: Option<u64>,
    workgroups: Option<u32>,
    out: Option<std::path::PathBuf>,
}

fn parse() -> Result<Args, String> {
    let mut a = Args {
        mode: "all".into(),
        quick: false,
        backend: "auto".into(),
        tasks: None,
        seconds: None,
        workgroups: None,
        out: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "storm" | "soak" | "service" | "all" => a.mode = arg,
            "--quick" => a.quick = true,
            "--backend" => a.backend = value("--backend")?,
            "--tasks" => {
                a.tasks = Some(
                    value("--tasks")?
                        .parse()
                        .map_err(|e| format!("--tasks: {e}"))?,
                )
            }
            "--seconds" => {
                a.seconds = Some(
                    value("--seconds")?
                        .parse()
                        .map_err(|e| format!("--seconds: {e}"))?,
                )
            }
            "--workgroups" => {
                a.workgroups = Some(
                    value("--workgroups")?
                        .parse()
                        .map_err(|e| format!("--workgroups: {e}"))?,
                )
            }
            "--out" => a.out = Some(value("--out")?.into()),
            "-h" | "--help" => return Err(
                "usage: reliability [storm|soak|service|all] [--quick] [--backend wgpu|reference|auto] \
                            [--tasks N] [--seconds S] [--workgroups N] [--out DIR]"
                    .into(),
            ),
            other => return Err(format!("unknown argument `{other}` (try --help)")),
        }
    }
    Ok(a)
}

fn backend(name: &str) -> Result<Gpu, String> {
    match name {
        "auto" => {
            if std::env::var(vyre::backend::BACKEND_ENV).is_ok() {
                return Gpu::auto().map_err(|e| e.to_string());
            }
            Gpu::hardware()
                .or_else(|_| Gpu::wgpu())
                .or_else(|_| Ok(Gpu::reference()))
        }
        other => Gpu::of_kind(BackendKind::parse(other).map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string()),
    }
}

fn main() -> ExitCode {
    let args = match parse() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let mut lines: Vec<String> = Vec::new();
    let mut log = |line: &str| {
        println!("{line}");
        let _ = std::io::stdout().flush();
        lines.push(line.to_string());
    };
    let mut failures = Vec::new();
    match backend(&args.backend) {
        Err(e) => failures.push(format!("no backend: {e}")),
        Ok(gpu) => {
            log(&format!(
                "backend: {} ({})",
                gpu.description(),
                gpu.reason()
            ));
            // The storm and the soak run independently: one failing does
            // not hide the other's figures.
            if args.mode == "storm" || args.mode == "all" {
                if let Err(e) = run_storm(&gpu, &args, &mut log) {
                    failures.push(e);
                }
            }
            if args.mode == "soak" || args.mode == "all" {
                if let Err(e) = run_soak(&gpu, &args, &mut log) {
                    failures.push(e);
                }
            }
            if args.mode == "service" || args.mode == "all" {
                if let Err(e) = run_service_soak(&gpu, &args, &mut log) {
                    failures.push(e);
                }
            }
        }
    }
    for e in &failures {
        log(&format!("FAILED: {e}"));
    }
    if let Some(dir) = &args.out {
        let _ = std::fs::create_dir_all(dir);
        if let Err(e) = std::fs::write(dir.join("reliability.txt"), lines.join("\n") + "\n") {
            eprintln!("could not write the results: {e}");
        }
    }
    if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn run_storm(gpu: &Gpu, args: &Args, log: &mut dyn FnMut(&str)) -> Result<(), String> {
    let mut opts = if args.quick {
        StormOptions::quick()
    } else {
        StormOptions::full()
    };
    opts.workgroups = args.workgroups.or(opts.workgroups);
    log(&format!(
        "storm: one round per submission; loop_limit {}, iteration_budget {}, claim_budget {}, {} slots",
        opts.config.loop_limit, opts.config.iteration_budget, opts.config.claim_budget, opts.config.slots
    ));
    let results = storm(gpu, &opts, log)?;
    let longest = results.iter().filter_map(|r| r.longest_gpu).max();
    log(&format!(
        "storm: longest single submission (one round): {}",
        longest.map_or("no GPU timestamps on this backend".into(), |d| format!(
            "{:.3} ms GPU",
            d.as_secs_f64() * 1e3
        ))
    ));
    if results.iter().any(|r| !r.problems.is_empty()) {
        return Err("storm: counts differ from the exact expectations".into());
    }
    Ok(())
}

fn run_soak(gpu: &Gpu, args: &Args, log: &mut dyn FnMut(&str)) -> Result<(), String> {
    let r = soak(gpu, &soak_options(args), log)?;
    log(&r.summary());
    log("soak: throughput samples (seconds, tasks done, tasks/s of that run):");
    for s in &r.samples {
        log(&format!("  {:>8.2} {:>12} {:>12.3e}", s.at, s.done, s.rate));
    }
    log("soak: books exact, handler counters equal the reports after every run");
    Ok(())
}

fn soak_options(args: &Args) -> SoakOptions {
    let mut opts = if args.quick {
        SoakOptions::quick()
    } else {
        SoakOptions::full()
    };
    opts.workgroups = args.workgroups.or(opts.workgroups);
    if let Some(t) = args.tasks {
        opts.tasks = t;
    }
    if let Some(s) = args.seconds {
        opts.max_time = Duration::from_secs(s);
    }
    opts
}

fn run_service_soak(gpu: &Gpu, args: &Args, log: &mut dyn FnMut(&str)) -> Result<(), String> {
    let r = service_soak(gpu, &soak_options(args), log)?;
    log(&r.summary());
    log("service soak: every ticket resolved; its faults and refused spawns, the handlers' counters and the books agree");
    Ok(())
}

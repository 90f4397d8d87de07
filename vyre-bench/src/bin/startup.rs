//! A process's start-up as a user sees it: open the best adapter, build a
//! program of the build workload's handlers, and create its runtime (WGSL
//! lowering and the pipelines, compiled by the driver or taken from vyre's
//! disk cache). Run it in fresh processes to compare a cold and a warm
//! disk cache (`VYRE_CACHE_DIR`, `VYRE_CACHE=off`); with NVIDIA's own
//! cache off (`__GL_SHADER_DISK_CACHE=0`) only vyre's cache can help.
//!
//! ```text
//! startup [HANDLERS] [SALT]         # defaults: 20 handlers, salt 1
//! startup [HANDLERS] [SALT] --wgsl    # print the WGSL a hardware adapter gets
//! startup [HANDLERS] [SALT] --wgsl --per-lane  # … with the per-lane claim loop
//! startup [HANDLERS] [SALT] --stages  # also print vyre's stages (tracing spans)
//! ```
//!
//! The same handler count and salt build the same WGSL in every process;
//! another salt builds a program no cache has seen.

use std::process::ExitCode;
use std::time::Instant;

use vyre::{Gpu, Runtime};
use vyre_bench::programs;

fn main() -> ExitCode {
    let arg = |i: usize, default: u32| -> Result<u32, String> {
        match std::env::args().nth(i) {
            None => Ok(default),
            Some(v) => v
                .parse()
                .map_err(|_| format!("argument {i} must be a whole number, not `{v}`")),
        }
    };
    let run = || -> Result<(), String> {
        let handlers = arg(1, 20)?;
        let salt = arg(2, 1)?;
        if std::env::args().nth(3).as_deref() == Some("--stages") {
            vyre_bench::stages::install();
        }
        let build = || -> Result<vyre::Program, String> {
            let built = (0..handlers)
                .map(|k| programs::build_handler(k, handlers, salt))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| e.to_string())?;
            programs::build_program(built).map_err(|e| e.to_string())
        };
        if std::env::args().nth(3).as_deref() == Some("--wgsl") {
            let program = build()?;
            // What GpuContext::lower_options gives a hardware adapter
            // (`--per-lane`: with a software adapter's claim loop, for the
            // compile probes of vyre-bench/device/compile_variants.py).
            let per_lane = std::env::args().nth(4).as_deref() == Some("--per-lane");
            let options = vyre::lower::LowerOptions {
                guard_loops: false,
                claims: if per_lane {
                    vyre::lower::ClaimVariant::PerLane
                } else {
                    vyre::lower::ClaimVariant::Cooperative
                },
            };
            print!("{}", vyre::lower::wgsl_with(&program, &options));
            return Ok(());
        }
        let t0 = Instant::now();
        let gpu = Gpu::auto().map_err(|e| e.to_string())?;
        let t1 = Instant::now();
        let program = build()?;
        let t2 = Instant::now();
        // The lowering alone, to split the runtime's time between vyre's
        // WGSL and wgpu and the driver (the runtime lowers again; this
        // copy is outside the other figures).
        let wgsl = program.wgsl();
        let t3 = Instant::now();
        let _rt = Runtime::new(&gpu, program).map_err(|e| e.to_string())?;
        let t4 = Instant::now();
        let ms = |a: Instant, b: Instant| (b - a).as_secs_f64() * 1e3;
        println!(
            "{}: {handlers} handlers, salt {salt}: adapter {:.1} ms, program {:.1} ms, runtime (WGSL + pipelines) {:.1} ms, total {:.1} ms; lowering alone {:.1} ms ({} bytes)",
            gpu.description(),
            ms(t0, t1),
            ms(t1, t2),
            ms(t3, t4),
            ms(t0, t2) + ms(t3, t4),
            ms(t2, t3),
            wgsl.len()
        );
        Ok(())
    };
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("startup: {e}");
            ExitCode::FAILURE
        }
    }
}

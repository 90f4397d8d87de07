//! How long the driver takes to compile each entry point of some WGSL
//! modules: the probe behind the cold start-up's analysis
//! (`docs/benchmarks.md`, "Probes"). Every file is one module: naga's
//! translation is timed apart from the driver's pipeline compiles, which
//! run one after another, in the order given, with no pipeline cache (turn
//! the driver's own disk cache off too, e.g. `__GL_SHADER_DISK_CACHE=0`).
//!
//! ```text
//! compile_probe [--entries vy_work,vy_maintain] [--parallel] FILE.wgsl...
//! ```
//!
//! Modules are created as vyre creates them (naga's loop bounding and
//! division guards off); pipelines take their layout from the shader.
//! `--parallel` builds every file's pipelines at once, one thread per
//! file, and reports the wall time of the whole set too: what a program
//! split into several modules would wait for where the driver compiles
//! in parallel.

use std::process::ExitCode;
use std::time::Instant;

use vyre::gpu::{AdapterChoice, GpuContext};
use vyre::wgpu;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("compile_probe: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let mut entries = vec!["vy_work".to_string()];
    let mut files = Vec::new();
    let mut parallel = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--parallel" {
            parallel = true;
        } else if arg == "--entries" {
            let list = args
                .next()
                .ok_or("--entries needs a comma-separated list")?;
            entries = list.split(',').map(str::to_string).collect();
        } else {
            files.push(arg);
        }
    }
    if files.is_empty() {
        return Err("usage: compile_probe [--entries a,b] FILE.wgsl...".into());
    }
    // The device vyre itself would open (hardware preferred, any adapter
    // accepted), with vyre's features and limits; no pipeline cache is
    // used below.
    let ctx = GpuContext::new(AdapterChoice::Any).map_err(|e| e.to_string())?;
    let device = ctx.device();
    let info = ctx.adapter_info();
    println!("# {} ({:?}, {})", info.name, info.backend, info.driver_info);
    let sources = files
        .iter()
        .map(|f| std::fs::read_to_string(f).map_err(|e| format!("{f}: {e}")))
        .collect::<Result<Vec<_>, _>>()?;
    if parallel {
        let t = Instant::now();
        let lines = std::thread::scope(|s| {
            let handles: Vec<_> = files
                .iter()
                .zip(&sources)
                .map(|(file, source)| s.spawn(|| compile(device, file, source, &entries)))
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| "a compile thread panicked".into())
                })
                .collect::<Vec<_>>()
        });
        for line in lines {
            println!("{line}");
        }
        println!(
            "parallel: {} modules in {:.1} ms",
            files.len(),
            t.elapsed().as_secs_f64() * 1e3
        );
    } else {
        for (file, source) in files.iter().zip(&sources) {
            println!("{}", compile(device, file, source, &entries));
        }
    }
    Ok(())
}

/// Creates `source`'s module and a pipeline for each entry point, timed;
/// the line to print.
fn compile(device: &wgpu::Device, file: &str, source: &str, entries: &[String]) -> String {
    let mut checks = wgpu::ShaderRuntimeChecks::checked();
    checks.force_loop_bounding = false;
    checks.int_div_checks = false;
    let t0 = Instant::now();
    let scope = device.push_error_scope(wgpu::ErrorFilter::Validation);
    // SAFETY: a probe of vyre's own shaders, created as vyre creates
    // them (gpu/pipeline.rs says why their loops and divisions are safe).
    let module = unsafe {
        device.create_shader_module_trusted(
            wgpu::ShaderModuleDescriptor {
                label: Some(file),
                source: wgpu::ShaderSource::Wgsl(source.into()),
            },
            checks,
        )
    };
    let module_ms = t0.elapsed().as_secs_f64() * 1e3;
    let mut line = format!("{file}: {} bytes, module {module_ms:.1} ms", source.len());
    for entry in entries {
        let t = Instant::now();
        let _pipeline = device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
            label: Some(entry),
            layout: None,
            module: &module,
            entry_point: Some(entry),
            compilation_options: wgpu::PipelineCompilationOptions::default(),
            cache: None,
        });
        line += &format!(", {entry} {:.1} ms", t.elapsed().as_secs_f64() * 1e3);
    }
    if let Some(e) = vyre::gpu::block_on(scope.pop()) {
        line += &format!(" (error: {e})");
    }
    line
}

//! Workload 5: build costs for 1 to 64 handlers — handler IR construction
//! and program assembly, WGSL lowering, pipeline creation (an engine whose
//! WGSL was never compiled: every repetition salts the handlers'
//! constants, so neither vyre's pipeline cache nor the driver's shader
//! cache can help), and cached re-creation (a second engine for the same
//! program: vyre's pipeline cache hits).
//!
//! `#[opcode]` expansion is a compile-time cost: it is timed by calling
//! `vyre_expand::opcode` (the library behind the proc macro) on the Rust
//! source of the same handlers, with `megakernel!`'s expansion beside it.
//! rustc hands a proc macro its tokens through a bridge, which this
//! in-process timing leaves out (see `docs/benchmarks.md`).

use std::time::Instant;

use proc_macro2::TokenStream;
use serde_json::{json, Value};
use vyre::gpu::WgpuEngine;
use vyre::lower::wgsl_with;
use vyre::Runtime;

use super::super::programs;
use super::super::stats::{json_opt, Stats};
use super::super::{fail, Bench, Result};

/// Handler counts.
pub const FULL: [u32; 8] = [1, 2, 4, 8, 16, 20, 32, 64];
/// Handler counts of the quick mode.
pub const QUICK: [u32; 3] = [1, 4, 20];
/// Work workgroups of the engines created here (their size does not
/// matter for build costs; small keeps the buffers small).
const WORKGROUPS: u32 = 8;

/// One repetition's times, in seconds.
#[derive(Debug, Clone, Copy)]
struct Build {
    ir: f64,
    assembly: f64,
    wgsl: f64,
    pipeline: f64,
    driver_warm: f64,
    cached: f64,
    runtime: f64,
    wgsl_bytes: usize,
}

/// One repetition's expansion times, in seconds.
#[derive(Debug, Clone, Copy)]
struct Expansion {
    /// `#[opcode]` on every handler, divided by their number.
    opcode_per_handler: f64,
    /// `megakernel!` over all of them.
    megakernel: f64,
    /// Tokens the expansions produced, all together.
    tokens: usize,
}

/// Expands `#[opcode]` on the source of `n` handlers and `megakernel!` over
/// them, timing the expansions alone (the source is tokenized first, as
/// rustc does before calling a macro). An expansion that reports an error
/// fails the workload: the handlers must be valid.
fn expand(n: u32, salt: u32) -> Result<Expansion> {
    let parse = |src: &str| -> Result<TokenStream> {
        src.parse::<TokenStream>()
            .map_err(|e| format!("build: handler source does not tokenize: {e}").into())
    };
    let sources = (0..n)
        .map(|k| {
            let (attr, item) = programs::handler_source(k, n, salt);
            Ok((parse(&attr)?, parse(&item)?))
        })
        .collect::<Result<Vec<_>>>()?;
    let kernel = parse(&programs::megakernel_source(n))?;
    let t = Instant::now();
    let expanded: Vec<TokenStream> = sources
        .into_iter()
        .map(|(attr, item)| vyre_expand::opcode(attr, item))
        .collect();
    let opcode = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let assembled = vyre_expand::megakernel(kernel);
    let megakernel = t.elapsed().as_secs_f64();
    let mut tokens = 0;
    for out in expanded.iter().chain([&assembled]) {
        let text = out.to_string();
        if text.contains("compile_error") {
            return fail(format!(
                "build: an expansion reported an error: {text:.400}"
            ));
        }
        tokens += out.clone().into_iter().count();
    }
    Ok(Expansion {
        opcode_per_handler: opcode / f64::from(n),
        megakernel,
        tokens,
    })
}

/// Runs the workload.
pub fn run(bench: &Bench) -> Result<Value> {
    let counts = bench.args.sizes(&FULL, &QUICK);
    let ctx = &bench.ctx;
    let plan = bench.plan();
    let mut rows = Vec::new();
    for n in counts {
        bench.log(format!("build: {n} handler(s)"));
        // Cold compiles of 32 and 64 handlers take seconds each on an H100:
        // three repetitions there; the full count up to 20 (the target).
        let plan = if n > 20 { bench.plan_capped(3) } else { plan };
        let builds: Vec<Build> = plan.run(|rep| {
            // A salt no earlier run of this process used.
            let salt = n * 1_000 + rep as u32 + 1;
            let t = Instant::now();
            let handlers = (0..n)
                .map(|k| programs::build_handler(k, n, salt))
                .collect::<Result<Vec<_>>>()?;
            let ir = t.elapsed().as_secs_f64();
            let t = Instant::now();
            let program = programs::build_program(handlers)?;
            let assembly = t.elapsed().as_secs_f64();
            let t = Instant::now();
            // What `WgpuEngine::new` lowers on this adapter (on hardware:
            // plain loops, `LowerOptions::guard_loops` off).
            let wgsl = wgsl_with(&program, &ctx.lower_options());
            let wgsl_s = t.elapsed().as_secs_f64();
            ctx.clear_pipeline_cache();
            let t = Instant::now();
            let first = WgpuEngine::with_wgsl(ctx, &program, WORKGROUPS, &wgsl)?;
            let pipeline = t.elapsed().as_secs_f64();
            // The same WGSL again with vyre's cache cleared: the driver has
            // just compiled this shader (what a second launch of the same
            // program sees when the driver keeps its shader cache).
            ctx.clear_pipeline_cache();
            let t = Instant::now();
            let warm = WgpuEngine::with_wgsl(ctx, &program, WORKGROUPS, &wgsl)?;
            let driver_warm = t.elapsed().as_secs_f64();
            drop(warm);
            let t = Instant::now();
            let second = WgpuEngine::with_wgsl(ctx, &program, WORKGROUPS, &wgsl)?;
            let cached = t.elapsed().as_secs_f64();
            let t = Instant::now();
            let rt = Runtime::with_engine(program, Box::new(second))?;
            let runtime = t.elapsed().as_secs_f64();
            drop((first, rt));
            Ok(Build {
                ir,
                assembly,
                wgsl: wgsl_s,
                pipeline,
                driver_warm,
                cached,
                runtime,
                wgsl_bytes: wgsl.len(),
            })
        })?;
        let expansions: Vec<Expansion> = plan.run(|rep| expand(n, n * 1_000 + rep as u32 + 1))?;
        let stat = |f: fn(&Build) -> f64| json_opt(Stats::of_by(&builds, f));
        let total = Stats::of_by(&builds, |b| b.ir + b.assembly + b.wgsl + b.pipeline);
        bench.log(format!(
            "  assembly + WGSL + pipeline: {:.2} ms",
            total.map_or(0.0, |s| s.median * 1e3)
        ));
        rows.push(json!({
            "handlers": n,
            "wgsl_bytes": builds.first().map_or(0, |b| b.wgsl_bytes),
            "ir_s": stat(|b| b.ir),
            "assembly_s": stat(|b| b.assembly),
            "wgsl_s": stat(|b| b.wgsl),
            "pipeline_s": stat(|b| b.pipeline),
            "pipeline_driver_warm_s": stat(|b| b.driver_warm),
            "cached_engine_s": stat(|b| b.cached),
            "runtime_new_s": stat(|b| b.runtime),
            "assembly_wgsl_pipeline_s": json_opt(total),
            "opcode_macro_expansion_s_per_handler": json_opt(Stats::of_by(&expansions, |e| e.opcode_per_handler)),
            "megakernel_macro_expansion_s": json_opt(Stats::of_by(&expansions, |e| e.megakernel)),
            "expanded_top_level_tokens": expansions.first().map_or(0, |e| e.tokens),
        }));
    }
    Ok(json!({
        "what": "ir = HandlerBuilder for every handler; assembly = Program::builder().build(); wgsl = lower::wgsl_with(program, ctx.lower_options()), what WgpuEngine::new compiles; pipeline = WgpuEngine creation with a pipeline-cache miss (shader module, 4 pipelines, buffers) on WGSL the driver never saw; pipeline_driver_warm = the same right after, vyre's cache cleared (the driver's own shader cache may hit); cached_engine = the same with a hit; runtime_new = Runtime::with_engine; assembly_wgsl_pipeline = ir + assembly + wgsl + pipeline",
        "opcode_macro_expansion": "vyre_expand::opcode (the library behind #[opcode]) on the Rust source of each handler, already tokenized, timed in-process and divided by the handlers; megakernel_macro_expansion = vyre_expand::megakernel over them; rustc's proc-macro bridge is not included",
        "workgroups": WORKGROUPS,
        "handlers": rows,
    }))
}

//! Probes: the measurements behind the analyses of missed targets in
//! `docs/benchmarks.md` (`--only probes`; not part of the default run).
//!
//! - `inbox`: the trivial workload's largest size with partitions and
//!   inboxes of 1M, 2M and 4M entries: fewer, larger submissions;
//! - `heavy alone`: the heavy hash handler in a program of its own and in
//!   the six-handler mix program (do the other handlers' code and
//!   registers slow it down?);
//! - `occupancy`: the direct kernel's heavy hash in workgroups padded with
//!   workgroup memory, so that fewer of them fit on an SM at once (is the
//!   hash loop bound by how many lanes are resident?), and with the
//!   megakernel's per-iteration loop accounting (does the loop-limit check
//!   slow the loop?);
//! - `round_trip`: the floor under every `run()`: one submission of a
//!   4-byte copy (with and without a one-workgroup dispatch before it)
//!   read back through a mapped buffer, waited for by polling and by
//!   blocking, with the host's encoding, submit and wait apart.

use serde_json::{json, Value};
use vyre::{Priority, Program};

use super::baselines::{Direct, DirectWork};
use super::stats::{best_seconds, timing_json, Plan, Timing};
use super::workloads::{dispatch, mix, mk_json, mk_seconds, trivial, MkRun};
use super::{cpu, fail, handlers, programs, Bench, Result};

/// Runs the probes.
pub fn run(bench: &Bench) -> Result<Value> {
    let plan = Plan {
        warmup: bench.args.warmup.min(1),
        reps: bench.args.reps.clamp(1, 5),
    };
    Ok(json!({
        "what": "measurements behind the analyses of missed targets",
        "inbox": inbox(bench, &plan)?,
        "heavy_alone": heavy_alone(bench, &plan)?,
        "occupancy": occupancy(bench, &plan)?,
        "round_trip": round_trip(bench)?,
    }))
}

/// The trivial workload at its largest size with larger partitions.
fn inbox(bench: &Bench, plan: &Plan) -> Result<Value> {
    let small = bench.args.quick || bench.args.smoke;
    let (n, caps): (usize, &[u64]) = if small {
        (1 << 14, &[1 << 12, 1 << 14])
    } else {
        (1 << 24, &[1 << 20, 1 << 21, 1 << 22])
    };
    let d = dispatch(bench);
    let args: Vec<u32> = (0..n)
        .map(|k| cpu::trivial_arg(k, programs::HITS))
        .collect();
    let expected = trivial::expected_hits(n, plan.warmup + plan.reps);
    let mut rows = Vec::new();
    for &cap in caps {
        let config = d.apply(programs::ring_capped(Priority::Normal, n as u64, 64, cap));
        let mut rt = bench.runtime(&bench.gpu_with(d.workgroups), programs::trivial(config)?)?;
        bench.heat()?;
        let mk = trivial::megakernel(&mut rt, plan, &args, &expected)?;
        let s = mk_seconds(&mk);
        bench.log(format!(
            "  inbox {cap}: {:.3e} tasks/s",
            s.map_or(0.0, |s| n as f64 / s)
        ));
        rows.push(json!({
            "partition_and_inbox": cap,
            "tasks": n,
            "megakernel": mk_json(&mk, n as f64),
        }));
    }
    Ok(Value::Array(rows))
}

/// The costs of the heavy probes: hardware runs the mix workload's heavy
/// costs; lavapipe cuts long loops, so it runs a short one.
fn heavy_costs(bench: &Bench) -> (usize, Vec<u32>) {
    if bench.args.quick || bench.args.smoke || bench.ctx.is_software() {
        (1 << 12, vec![64])
    } else {
        (1 << 20, programs::HEAVY_COSTS.to_vec())
    }
}

/// `heavy(i, seed, cost)` in the mix program and in a program of its own.
fn heavy_alone(bench: &Bench, plan: &Plan) -> Result<Value> {
    let (n, costs) = heavy_costs(bench);
    let d = dispatch(bench);
    let config = d.apply(programs::ring(Priority::Normal, n as u64, 64));
    let programs: [(&str, Program); 2] = [
        ("mix program (6 handlers)", programs::mix(config.clone())?),
        (
            "heavy alone (1 handler)",
            handlers::HeavyAlone::try_program()?.with_config(config)?,
        ),
    ];
    let mut rts = Vec::new();
    for (name, program) in programs {
        let mut rt = bench.runtime(&bench.gpu_with(d.workgroups), program)?;
        let out = rt.buffer::<u32>("out")?;
        rt.upload(out, &vec![0; n])?;
        rts.push((name, rt));
    }
    let mut rows = Vec::new();
    for &cost in &costs {
        // Both programs once per repetition, in turn: the same clocks.
        bench.heat()?;
        let series: Vec<Vec<MkRun>> = plan.run_alternating(rts.len(), |v| {
            mix::heavy_once(&mut rts[v].1, n, cost, "heavy probe")
        })?;
        for ((name, rt), runs) in rts.iter_mut().zip(series) {
            let out = rt.buffer::<u32>("out")?;
            let got = rt.read(out)?;
            if (0..n).any(|i| got[i] != programs::hash(cpu::mix_seed(i as u32), cost)) {
                return fail(format!("heavy probe ({name}, {cost}): wrong outputs"));
            }
            let s = mk_seconds(&runs);
            bench.log(format!(
                "  {name}, {cost} rounds: {:.3e} tasks/s",
                s.map_or(0.0, |s| n as f64 / s)
            ));
            rows.push(json!({
                "program": name,
                "hash_rounds": cost,
                "tasks": n,
                "megakernel": mk_json(&runs, n as f64),
            }));
        }
    }
    Ok(Value::Array(rows))
}

/// The direct kernel's heavy hash with 0 to 48 KB of workgroup memory per
/// workgroup of 256 (an H100 SM holds 228 KB: 48 KB leaves room for 4
/// workgroups, half the lanes an SM can hold).
fn occupancy(bench: &Bench, plan: &Plan) -> Result<Value> {
    let (n, costs) = heavy_costs(bench);
    let limit = bench.ctx.limits().max_compute_workgroup_storage_size;
    let pads: Vec<u32> = [0u32, 16 << 10, 32 << 10, 48 << 10]
        .into_iter()
        .filter(|&b| b <= limit)
        .collect();
    let mut rows = Vec::new();
    for &cost in &costs {
        let tasks: Vec<u32> = (0..n)
            .flat_map(|i| [cost, cpu::mix_seed(i as u32)])
            .collect();
        let expected: Vec<u32> = (0..n)
            .map(|i| programs::hash(cpu::mix_seed(i as u32), cost))
            .collect();
        // `None`: the loop-check probe (no padding, the megakernel's loop
        // accounting).
        let variants: Vec<(Option<u32>, DirectWork)> = pads
            .iter()
            .copied()
            .map(Some)
            .chain([None])
            .map(|bytes| {
                let work = match bytes {
                    Some(0) => DirectWork::Mix,
                    Some(bytes) => DirectWork::MixPadded { bytes },
                    None => DirectWork::MixTicked,
                };
                (bytes, work)
            })
            .collect();
        let kernels = variants
            .iter()
            .map(|&(_, work)| Direct::new(&bench.ctx, work, n as u32, &tasks, 1))
            .collect::<Result<Vec<_>>>()?;
        // Every variant once per repetition, in turn: they see the same
        // clocks (measured one after another, the later ones ran faster
        // only because the clock had climbed).
        bench.heat()?;
        let series: Vec<Vec<Timing>> =
            plan.run_alternating(kernels.len(), |v| kernels[v].run(&bench.ctx))?;
        for (((bytes, work), direct), t) in variants.iter().zip(&kernels).zip(series) {
            if direct.out(&bench.ctx)? != expected {
                return fail(format!("occupancy probe ({work:?}, {cost}): wrong outputs"));
            }
            let s = best_seconds(&t).map(|s| s.median);
            bench.log(format!(
                "  direct, {cost} rounds, {work:?}: {:.3e} tasks/s",
                s.map_or(0.0, |s| n as f64 / s)
            ));
            rows.push(json!({
                "variant": format!("{work:?}"),
                "workgroup_memory_bytes": bytes.unwrap_or(0),
                "loop_accounting": bytes.is_none(),
                "hash_rounds": cost,
                "tasks": n,
                "direct": timing_json(&t, n as f64),
            }));
        }
    }
    Ok(json!({"max_workgroup_memory": limit, "runs": rows}))
}

/// How a [`round_trip`] waits for its submission.
#[derive(Clone, Copy)]
enum Wait {
    /// `poll(Poll)` in a loop until the map's callback has run.
    Spin,
    /// `poll(Wait)` on the submission, then the callback.
    Block,
}

/// The host's clock around one submission that copies a word into a
/// mapped buffer and reads it, `n` times: seconds of encoding (with
/// `finish`), of `submit`, and of the wait and map, each sorted.
fn round_trips(bench: &Bench, dispatch: bool, wait: Wait, n: usize) -> Result<[Vec<f64>; 3]> {
    use std::time::Instant;
    let ctx = &bench.ctx;
    let device = ctx.device();
    let kernel = super::kernels::Kernel::new(
        ctx,
        "round trip",
        "@group(0) @binding(0) var<storage, read_write> w: array<u32>;\n\
         @compute @workgroup_size(64) fn main(@builtin(local_invocation_index) i: u32) {\n\
             if (i == 0u) { w[0] = w[0] + 1u; }\n}\n",
        "main",
    )?;
    let word = device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("round trip word"),
        size: 4,
        usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC,
        mapped_at_creation: false,
    });
    let staging = device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("round trip staging"),
        size: 4,
        usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    });
    let group = kernel.bind(ctx, &[&word])?;
    let mut times = [Vec::new(), Vec::new(), Vec::new()];
    for k in 0..n + 5 {
        let t0 = Instant::now();
        let mut enc = super::kernels::encoder(ctx);
        if dispatch {
            let mut pass = enc.begin_compute_pass(&wgpu::ComputePassDescriptor::default());
            kernel.set(&mut pass, &group);
            pass.dispatch_workgroups(1, 1, 1);
        }
        enc.copy_buffer_to_buffer(&word, 0, &staging, 0, 4);
        let commands = enc.finish();
        let t1 = Instant::now();
        let index = ctx.queue().submit([commands]);
        let t2 = Instant::now();
        let (tx, rx) = std::sync::mpsc::channel();
        staging.map_async(wgpu::MapMode::Read, 0..4, move |r| {
            let _ = tx.send(r);
        });
        let mapped = match wait {
            Wait::Spin => loop {
                device
                    .poll(wgpu::PollType::Poll)
                    .map_err(|e| format!("polling: {e}"))?;
                if let Ok(r) = rx.try_recv() {
                    break r;
                }
                std::hint::spin_loop();
            },
            Wait::Block => {
                device
                    .poll(wgpu::PollType::Wait {
                        submission_index: Some(index),
                        timeout: None,
                    })
                    .map_err(|e| format!("waiting: {e}"))?;
                loop {
                    device
                        .poll(wgpu::PollType::Poll)
                        .map_err(|e| format!("polling: {e}"))?;
                    if let Ok(r) = rx.try_recv() {
                        break r;
                    }
                }
            }
        };
        mapped.map_err(|e| format!("mapping: {e}"))?;
        let value = staging
            .get_mapped_range(0..4)
            .map(|v| u32::from_le_bytes([v[0], v[1], v[2], v[3]]))
            .map_err(|e| format!("reading: {e}"))?;
        staging.unmap();
        let t3 = Instant::now();
        if dispatch && value != k as u32 + 1 {
            return fail(format!("round trip {k}: read {value}, expected {}", k + 1));
        }
        if k >= 5 {
            times[0].push((t1 - t0).as_secs_f64());
            times[1].push((t2 - t1).as_secs_f64());
            times[2].push((t3 - t2).as_secs_f64());
        }
    }
    super::kernels::health(ctx, "the round-trip probe")?;
    for t in &mut times {
        t.sort_by(f64::total_cmp);
    }
    Ok(times)
}

/// The round trip of one submission, four ways (see the module docs).
fn round_trip(bench: &Bench) -> Result<Value> {
    let n = if bench.args.quick || bench.args.smoke {
        20
    } else {
        500
    };
    let mut rows = Vec::new();
    for (dispatch, wait, name) in [
        (false, Wait::Spin, "copy, polled"),
        (false, Wait::Block, "copy, blocking"),
        (true, Wait::Spin, "dispatch + copy, polled"),
        (true, Wait::Block, "dispatch + copy, blocking"),
    ] {
        let [encode, submit, wait] = round_trips(bench, dispatch, wait, n)?;
        let us = |v: &[f64], q: f64| v[((v.len() - 1) as f64 * q) as usize] * 1e6;
        bench.log(format!(
            "  round trip, {name}: encode {:.1} µs, submit {:.1}, wait + map {:.1} (p50; p99 {:.1})",
            us(&encode, 0.5),
            us(&submit, 0.5),
            us(&wait, 0.5),
            us(&wait, 0.99)
        ));
        rows.push(json!({
            "what": name,
            "n": n,
            "encode_us_p50": us(&encode, 0.5),
            "submit_us_p50": us(&submit, 0.5),
            "wait_us_p50": us(&wait, 0.5),
            "wait_us_p99": us(&wait, 0.99),
        }));
    }
    Ok(Value::Array(rows))
}

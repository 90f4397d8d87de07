//! One program over every GPU of this machine: `Gpu::all()` opens each
//! adapter (a CPU backend when there is none), `MultiKernel` runs a
//! `megakernel!` type on all of them at once, and the report says what
//! share of the work each device took.
//!
//! The work: a hash of every index into an output buffer (each element
//! written by the one device that ran its task: `BufferMode::Output`),
//! and trees of spawned tasks whose leaves count themselves in an atomic
//! counter (`BufferMode::Summed`; a tree stays on the device its root
//! went to). Every result is checked against plain Rust.
//!
//! ```text
//! cargo run --release --example multi_gpu
//! cargo run --release --example multi_gpu -- --backend native --devices 4
//! VYRE_ADAPTERS="H100,H200" cargo run --release --example multi_gpu
//! ```

mod common;

use common::{check, Backend, CommonArgs, Result};
use vyre::prelude::*;

/// The hash's multiplier.
const MUL: u32 = 0x9E37_79B1;

/// `out[i]` = `i` hashed over `rounds` rounds.
#[opcode]
pub fn hash(out: &mut Buffer<u32>, i: u32, rounds: u32) {
    let mut h = i;
    for r in 0..rounds {
        h = (h ^ r).wrapping_mul(MUL);
        h ^= h >> 15;
    }
    out[i] = h;
}

/// A binary tree of `depth` levels of spawned tasks; each leaf counts
/// itself.
#[opcode]
pub fn grow(ctx: &Ctx, leaves: &Buffer<Atomic<u32>>, depth: u32) {
    if depth == 0 {
        leaves[0].fetch_add(1);
    } else {
        ctx.spawn(Priority::High, grow::task(depth - 1));
        ctx.spawn(Priority::High, grow::task(depth - 1));
    }
}

// HIGH holds the last two levels of 64 trees at once (32,768 parents
// and their 65,536 leaves), so no spawn is refused even when one device
// takes every tree; NORMAL streams the hashes.
megakernel! {
    /// Hashes and trees, on as many devices as there are.
    pub struct Spread {
        slots: 1 << 18,
        partitions: [1024, 131072, 128000, 1024, 1024],
        buffers: { out: u32, leaves: Atomic<u32> },
        opcodes: [hash, grow],
    }
}

/// How each buffer lives on several devices.
pub const MODES: [(&str, BufferMode); 2] =
    [("out", BufferMode::Output), ("leaves", BufferMode::Summed)];

/// Hash rounds per task.
pub const ROUNDS: u32 = 64;
/// Depth of each tree (2^depth leaves, 2^(depth+1) − 1 tasks).
pub const TREE_DEPTH: u32 = 10;

/// What a run did.
#[derive(Debug)]
pub struct Summary {
    /// The set's report.
    pub report: MultiReport,
    /// Whether the books balanced over the set and on every device.
    pub balanced: bool,
}

/// `x` hashed as `hash` does.
pub fn plain_hash(i: u32, rounds: u32) -> u32 {
    (0..rounds).fold(i, |h, r| {
        let h = (h ^ r).wrapping_mul(MUL);
        h ^ (h >> 15)
    })
}

/// Runs `tasks` hashes and `trees` trees on `set`, checks every result,
/// and returns the report.
pub fn multi_gpu(set: &GpuSet, tasks: u32, trees: u32) -> Result<Summary> {
    let mut k = MultiKernel::<Spread>::new(set, &MODES)?;
    let rt = k.runtime_mut();
    let out = rt.buffer::<u32>("out")?;
    let leaves = rt.buffer::<u32>("leaves")?;
    rt.resize(&out, u64::from(tasks))?;
    rt.upload(&leaves, &[0])?;
    // One descriptor per device share: nothing per task crosses the bus.
    k.publish_range(Priority::Normal, hash::Op, 0..tasks, ROUNDS)?;
    let roots = vec![TREE_DEPTH; trees as usize];
    k.publish_batch(Priority::High, grow::Op, &roots)?;
    let report = k.run()?;
    let rt = k.runtime_mut();
    let tree_tasks = u64::from(trees) * ((2u64 << TREE_DEPTH) - 1);
    check(report.total.spawn_overflows == 0, || {
        format!(
            "{} spawns found the HIGH partition full: fewer --trees",
            report.total.spawn_overflows
        )
    })?;
    check(report.total.faults.is_empty(), || {
        format!("unexpected faults: {:?}", report.total.faults)
    })?;
    check(
        report.total.executed == u64::from(tasks) + tree_tasks,
        || {
            format!(
                "{} tasks executed, expected {} (stop {:?}, waiting {}, books {:?})",
                report.total.executed,
                u64::from(tasks) + tree_tasks,
                report.total.stop,
                report.total.waiting,
                rt.accounting()
            )
        },
    )?;
    let hashed = rt.read(&out)?;
    if let Some(i) = (0..tasks).find(|&i| hashed[i as usize] != plain_hash(i, ROUNDS)) {
        return Err(format!(
            "out[{i}] = {}, plain Rust says {}",
            hashed[i as usize],
            plain_hash(i, ROUNDS)
        )
        .into());
    }
    let counted = rt.read(&leaves)?[0];
    let want = trees << TREE_DEPTH;
    check(counted == want, || {
        format!("{counted} leaves, expected {want}")
    })?;
    let balanced = rt.accounting().balanced();
    check(balanced, || {
        format!("the books do not balance: {:?}", rt.accounting())
    })?;
    Ok(Summary { report, balanced })
}

/// Command-line flags.
#[derive(Debug)]
pub struct Cli {
    /// `--backend` and `--emit`.
    pub common: CommonArgs,
    /// Hash tasks.
    pub tasks: u32,
    /// Trees of spawned tasks.
    pub trees: u32,
    /// CPU devices in the set when `--backend` picks a CPU backend.
    pub devices: usize,
}

impl Cli {
    /// Reads the command line; exits on `--help` or a bad flag.
    pub fn parse() -> Cli {
        let about = "One program over every GPU of this machine, each device's share reported";
        let own = [
            common::Flag {
                name: "--tasks",
                value: "N",
                help: "hash tasks (default 4194304; 1 ..= 2^30)",
            },
            common::Flag {
                name: "--trees",
                value: "N",
                help: "trees of 2047 spawned tasks each (default 64; 0 ..= 64)",
            },
            common::Flag {
                name: "--devices",
                value: "N",
                help: "CPU devices when --backend is native or reference (default 2; 1 ..= 16)",
            },
        ];
        let (mut tasks, mut trees, mut devices) = (1u32 << 22, 64u32, 2usize);
        let common = common::parse_args("multi_gpu", about, &own, |flag, value| {
            match flag {
                "--tasks" => tasks = common::number(value, 1..=1 << 30)?,
                "--trees" => trees = common::number(value, 0..=64)?,
                _ => devices = common::number(value, 1..=16)?,
            }
            Ok(())
        });
        Cli {
            common,
            tasks,
            trees,
            devices,
        }
    }

    /// The devices: every adapter here (`Gpu::all`), or `--devices` CPU
    /// backends of the kind `--backend` names.
    pub fn set(&self) -> Result<GpuSet> {
        let cpu = |gpu: Gpu| GpuSet::new(vec![gpu; self.devices]);
        Ok(match self.common.backend {
            Some(Backend::Native) => cpu(Gpu::cpu())?,
            Some(Backend::Reference) => cpu(Gpu::reference())?,
            Some(Backend::Wgpu) | None => Gpu::all()?,
        })
    }
}

fn run() -> Result<()> {
    let cli = Cli::parse();
    if cli.common.emit(&*Spread::try_program()?) {
        return Ok(());
    }
    let set = cli.set()?;
    println!("{} device(s):", set.len());
    for (d, description) in set.descriptions().iter().enumerate() {
        println!("  {d}: {description}");
    }
    let summary = multi_gpu(&set, cli.tasks, cli.trees)?;
    let total = &summary.report.total;
    println!(
        "\n{:>6}  {:>6}  {:>12}  {:>6}  {:>10}  adapter",
        "device", "chunks", "tasks", "share", "GPU ms"
    );
    for (d, device) in summary.report.devices.iter().enumerate() {
        let r = &device.report;
        let gpu = r
            .gpu_time
            .map_or("-".into(), |t| format!("{:.2}", t.as_secs_f64() * 1e3));
        println!(
            "{d:>6}  {:>6}  {:>12}  {:>5.1}%  {gpu:>10}  {}",
            device.chunks,
            r.executed,
            100.0 * r.executed as f64 / total.executed.max(1) as f64,
            device.adapter
        );
    }
    println!(
        "\n{} tasks ({} spawned) in {:.2?} of wall time: {:.3e} tasks/s; books balanced: {}",
        total.executed,
        total.spawned,
        total.wall_time,
        total.executed as f64 / total.wall_time.as_secs_f64(),
        summary.balanced
    );
    Ok(())
}

fn main() -> std::process::ExitCode {
    common::main_of("multi_gpu", run)
}

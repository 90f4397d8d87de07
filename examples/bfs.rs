//! Breadth-first search by device-side spawning.
//!
//! Generates a uniform random directed graph from a seeded PRNG (CSR form),
//! publishes one `visit` task for the source, and lets each task relax its
//! vertex's edges with `dist[next].fetch_min(depth + 1)`, spawning a task
//! for every vertex it improved. When the ring is full a spawn is refused
//! (never lost silently: the report counts it); each task records the depth
//! at which it expanded its vertex, and after a run the host publishes again
//! every vertex whose distance is below the depth it was expanded at. The distances are
//! checked against a CPU BFS.
//!
//! ```text
//! cargo run --release --example bfs                 # ~1M edges
//! cargo run --release --example bfs -- --edges 100000 --backend native
//! cargo run --release --example bfs -- --emit ir
//! ```

mod common;

use std::collections::VecDeque;
use std::time::Instant;

use common::{check, end_status_line, status_line, CommonArgs, Flag, Result, SplitMix64};
use vyre::prelude::*;

/// Relaxes the edges of `node`, reached at `depth`, and records that the
/// vertex was expanded at that depth.
#[opcode(id = 0x100)]
pub fn visit(
    ctx: &Ctx,
    offsets: &Buffer<u32>,
    edges: &Buffer<u32>,
    dist: &Buffer<Atomic<u32>>,
    expanded: &Buffer<Atomic<u32>>,
    node: u32,
    depth: u32,
) {
    // A shorter path reached this vertex since the task was made; the task
    // of that path expands it.
    if dist[node].load() < depth {
        return;
    }
    for e in offsets[node]..offsets[node + 1] {
        let next = edges[e];
        if dist[next].fetch_min(depth + 1) > depth + 1 {
            // Refused when the ring is full (counted in the report); the
            // host then finds `next` unexpanded and publishes it again.
            ctx.spawn(Priority::High, visit::task(next, depth + 1));
        }
    }
    expanded[node].fetch_min(depth);
}

// The HIGH partition holds about a million tasks (64 MB of ring): the
// widest frontier of an 8M-edge graph (`--edges 8000000`) fits, so the
// search runs in one host pass with no spawn refused. With a quarter of
// it, 566,020 spawns of the first pass were refused and the search took
// three passes (native backend, 2026-12-05).
megakernel! {
    /// Breadth-first search over a CSR graph.
    pub struct Bfs {
        slots: 1 << 20,
        partitions: [1024, 1044480, 1024, 1024, 1024],
        buffers: { offsets: u32, edges: u32, dist: Atomic<u32>, expanded: Atomic<u32> },
        opcodes: [visit],
    }
}

/// Command-line flags.
#[derive(Debug)]
pub struct Cli {
    /// `--backend` and `--emit`.
    pub common: CommonArgs,
    /// Edges of the generated graph.
    pub edges: u32,
    /// Vertices (default: edges / 8).
    pub nodes: Option<u32>,
    /// Seed of the graph generator.
    pub seed: u64,
}

impl Cli {
    /// Reads the command line; exits on `--help` or a bad flag.
    pub fn parse() -> Cli {
        let flags = [
            Flag {
                name: "--edges",
                value: "N",
                help: "edges of the generated graph (default 1048576, 1..=67108864)",
            },
            Flag {
                name: "--nodes",
                value: "N",
                help: "vertices (default: edges / 8; 2..=67108864)",
            },
            Flag {
                name: "--seed",
                value: "N",
                help: "seed of the graph generator (default 42)",
            },
        ];
        let about = "Breadth-first search by device-side spawning, checked against a CPU BFS";
        let mut cli = Cli {
            common: CommonArgs::default(),
            edges: 1 << 20,
            nodes: None,
            seed: 42,
        };
        cli.common = common::parse_args("bfs", about, &flags, |flag, value| {
            match flag {
                "--edges" => cli.edges = common::number(value, 1..=(1 << 26))?,
                "--nodes" => cli.nodes = Some(common::number(value, 2..=(1 << 26))?),
                _ => cli.seed = common::number(value, 0..=u64::MAX)?,
            }
            Ok(())
        });
        cli
    }
}

/// A graph in CSR form: the edges of `v` are `edges[offsets[v]..offsets[v + 1]]`.
#[derive(Debug, Clone)]
pub struct Graph {
    /// `nodes + 1` offsets into `edges`.
    pub offsets: Vec<u32>,
    /// Edge targets.
    pub edges: Vec<u32>,
}

/// `edges` uniform random directed edges over `nodes` vertices.
pub fn uniform_graph(nodes: u32, edges: u32, seed: u64) -> Graph {
    let mut rng = SplitMix64(seed);
    let pairs: Vec<(u32, u32)> = (0..edges)
        .map(|_| (rng.below(nodes), rng.below(nodes)))
        .collect();
    let mut offsets = vec![0u32; nodes as usize + 1];
    for &(s, _) in &pairs {
        offsets[s as usize + 1] += 1;
    }
    for i in 0..nodes as usize {
        offsets[i + 1] += offsets[i];
    }
    let mut fill = offsets.clone();
    let mut targets = vec![0u32; edges as usize];
    for &(s, t) in &pairs {
        targets[fill[s as usize] as usize] = t;
        fill[s as usize] += 1;
    }
    Graph {
        offsets,
        edges: targets,
    }
}

/// Distances from `source` by an ordinary queue-based BFS (`u32::MAX`:
/// unreachable).
pub fn cpu_bfs(g: &Graph, source: u32) -> Vec<u32> {
    let mut dist = vec![u32::MAX; g.offsets.len() - 1];
    let mut queue = VecDeque::from([source]);
    dist[source as usize] = 0;
    while let Some(v) = queue.pop_front() {
        let (a, b) = (g.offsets[v as usize], g.offsets[v as usize + 1]);
        for &w in &g.edges[a as usize..b as usize] {
            if dist[w as usize] == u32::MAX {
                dist[w as usize] = dist[v as usize] + 1;
                queue.push_back(w);
            }
        }
    }
    dist
}

/// What the search did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BfsRun {
    /// Distances from vertex 0.
    pub dist: Vec<u32>,
    /// Host passes (1 + the passes that republished refused spawns).
    pub passes: u32,
    /// Scheduler rounds over all passes.
    pub rounds: u64,
    /// Tasks executed over all passes.
    pub tasks: u64,
}

/// Searches `g` from vertex 0 on `gpu`.
pub fn bfs(gpu: &Gpu, g: &Graph) -> Result<BfsRun> {
    let nodes = g.offsets.len() - 1;
    let mut k = Bfs::new(gpu)?;
    k.offsets().upload(&g.offsets)?;
    k.edges().upload(&g.edges)?;
    let mut dist = vec![u32::MAX; nodes];
    dist[0] = 0;
    k.dist().upload(&dist)?;
    k.expanded().upload(&vec![u32::MAX; nodes])?;
    k.publish(Priority::High, visit::task(0, 0))?;
    status_line(k.runtime_mut(), "search");
    let (mut passes, mut rounds, mut tasks) = (0, 0, 0);
    loop {
        passes += 1;
        let r = k.run()?;
        end_status_line();
        println!(
            "pass {passes}: {} tasks ({} spawned, {} spawns refused) in {} rounds, {:.2?}",
            r.executed, r.spawned, r.spawn_overflows, r.rounds, r.wall_time
        );
        check(r.faults.is_empty(), || format!("faults: {:?}", r.faults))?;
        check(r.stop != StopReason::RoundLimit, || {
            "hit the round limit".into()
        })?;
        rounds += r.rounds;
        tasks += r.executed;
        // Vertices reached by a shorter path than the one they were
        // expanded at (their spawn was refused): expand them again.
        let dist = k.dist().read()?;
        let expanded = k.expanded().read()?;
        let pending: Vec<u32> = (0..nodes as u32)
            .filter(|&v| dist[v as usize] < expanded[v as usize])
            .collect();
        if pending.is_empty() {
            break;
        }
        for v in pending {
            k.publish(Priority::High, visit::task(v, dist[v as usize]))?;
        }
    }
    Ok(BfsRun {
        dist: k.dist().read()?,
        passes,
        rounds,
        tasks,
    })
}

/// Searches `g` and checks the distances against the CPU BFS.
pub fn bfs_checked(gpu: &Gpu, g: &Graph) -> Result<BfsRun> {
    let run = bfs(gpu, g)?;
    let expect = cpu_bfs(g, 0);
    if let Some(v) = (0..expect.len()).find(|&v| run.dist[v] != expect[v]) {
        return Err(format!(
            "vertex {v}: distance {} on the device, {} by the CPU BFS",
            run.dist[v], expect[v]
        )
        .into());
    }
    Ok(run)
}

fn run() -> Result<()> {
    let cli = Cli::parse();
    if cli.common.emit(&*Bfs::try_program()?) {
        return Ok(());
    }
    let gpu = cli.common.gpu()?;
    let nodes = cli.nodes.unwrap_or((cli.edges / 8).max(2));
    let start = Instant::now();
    let g = uniform_graph(nodes, cli.edges, cli.seed);
    println!(
        "graph: {nodes} vertices, {} edges (seed {}), made in {:.2?}",
        cli.edges,
        cli.seed,
        start.elapsed()
    );
    let start = Instant::now();
    let run = bfs_checked(&gpu, &g)?;
    let elapsed = start.elapsed();
    let reached = run.dist.iter().filter(|&&d| d != u32::MAX).count();
    let depth = run
        .dist
        .iter()
        .filter(|&&d| d != u32::MAX)
        .max()
        .unwrap_or(&0);
    println!(
        "reached {reached} of {nodes} vertices, depth {depth}: {} tasks, {} rounds, {} passes, {elapsed:.2?}",
        run.tasks, run.rounds, run.passes
    );
    println!("distances agree with the CPU BFS");
    Ok(())
}

fn main() -> std::process::ExitCode {
    common::main_of("bfs", run)
}

//! Breadth-first search by device-side spawning.
//!
//! Generates a uniform random directed graph from a seeded PRNG (CSR form),
//! publishes one `visit` task for the source, and lets each task relax its
//! vertex's edges with `dist[next].fetch_min(depth + 1)`, spawning a task
//! for every vertex it improved. When the ring is full a spawn is refused
//! (never lost silently): the handler flags the vertex, and the host
//! publishes the flagged vertices again in the next pass. The distances are
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

use clap::Parser;
use common::{check, CommonArgs, Result};
use vyre::prelude::*;

/// Relaxes the edges of `node`, reached at `depth`.
#[opcode(id = 0x100)]
pub fn visit(
    ctx: &Ctx,
    offsets: &Buffer<u32>,
    edges: &Buffer<u32>,
    dist: &Buffer<Atomic<u32>>,
    again: &Buffer<Atomic<u32>>,
    node: u32,
    depth: u32,
) {
    // A shorter path reached this vertex since the task was made.
    if dist[node].load() < depth {
        return;
    }
    for e in offsets[node]..offsets[node + 1] {
        let next = edges[e];
        if dist[next].fetch_min(depth + 1) > depth + 1
            && !ctx.spawn(Priority::High, visit::task(next, depth + 1))
        {
            // The ring is full: the host publishes it in the next pass.
            again[next].store(1);
        }
    }
}

megakernel! {
    /// Breadth-first search over a CSR graph.
    pub struct Bfs {
        slots: 1 << 16,
        partitions: [1024, 61440, 1024, 1024, 1024],
        buffers: { offsets: u32, edges: u32, dist: Atomic<u32>, again: Atomic<u32> },
        opcodes: [visit],
    }
}

/// Command-line flags.
#[derive(Debug, Parser)]
#[command(about = "Breadth-first search by device-side spawning, checked against a CPU BFS")]
pub struct Cli {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Edges of the generated graph.
    #[arg(long, default_value_t = 1 << 20, value_parser = clap::value_parser!(u32).range(1..=(1 << 26)))]
    pub edges: u32,
    /// Vertices (default: edges / 8).
    #[arg(long, value_parser = clap::value_parser!(u32).range(2..=(1 << 26)))]
    pub nodes: Option<u32>,
    /// Seed of the graph generator.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
}

/// A graph in CSR form: the edges of `v` are `edges[offsets[v]..offsets[v + 1]]`.
#[derive(Debug, Clone)]
pub struct Graph {
    /// `nodes + 1` offsets into `edges`.
    pub offsets: Vec<u32>,
    /// Edge targets.
    pub edges: Vec<u32>,
}

/// SplitMix64: small, fast, and good enough to generate test graphs.
pub struct SplitMix64(pub u64);

impl SplitMix64 {
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (n > 0).
    pub fn below(&mut self, n: u32) -> u32 {
        ((self.next_u64() >> 32) * u64::from(n) >> 32) as u32
    }
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
    k.again().upload(&vec![0; nodes])?;
    k.publish(Priority::High, visit::task(0, 0))?;
    let (mut passes, mut rounds, mut tasks) = (0, 0, 0);
    loop {
        passes += 1;
        let r = k.run()?;
        println!(
            "pass {passes}: {} tasks ({} spawned, {} spawns refused) in {} rounds, {:.2?}",
            r.executed, r.spawned, r.spawn_overflows, r.rounds, r.wall_time
        );
        check(r.faults.is_empty(), || format!("faults: {:?}", r.faults))?;
        check(r.stop != StopReason::RoundLimit, || "hit the round limit".into())?;
        rounds += r.rounds;
        tasks += r.executed;
        // Vertices whose spawn was refused: visit them again.
        let again = k.again().read()?;
        let pending: Vec<u32> = (0..nodes as u32)
            .filter(|&v| again[v as usize] != 0)
            .collect();
        if pending.is_empty() {
            break;
        }
        k.again().upload(&vec![0; nodes])?;
        let dist = k.dist().read()?;
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
    let depth = run.dist.iter().filter(|&&d| d != u32::MAX).max().unwrap_or(&0);
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

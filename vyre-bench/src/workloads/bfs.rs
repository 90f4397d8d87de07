//! Workload 4: BFS on RMAT graphs (scales 18 to 22, edge factor 16) by
//! device-side spawning, against a level-synchronous hand-written WGSL
//! BFS over the same edge chunks, the single-threaded CPU BFS, and the
//! reference and native backends on smaller graphs.

use serde_json::{json, Value};
use vyre::program::{ProgramConfig, MAX_SLOTS};
use vyre::{Priority, Runtime};

use super::super::baselines::DirectBfs;
use super::super::graph::{self, Csr};
use super::super::programs::{self, BFS_CHUNK, SCAN, UNREACHED};
use super::super::stats::{best_seconds, json_opt, timing_json, Plan, Stats, Timing};
use super::super::{fail, Bench, Result};
use super::{check_report, dispatch, mk_json, mk_seconds, num, ratio, wall, CpuBackend, MkRun};

/// Edges generated per vertex (Graph500).
pub const EDGE_FACTOR: u32 = 16;

/// A ring for BFS on `g`: HIGH holds every chunk the graph has and a
/// quarter more (capped at the largest ring); the other partitions one
/// slot each. Every maintain pass scans every slot, so the ring is no
/// larger than that: rounding 2.7M chunks up to a power of two (4M, which
/// only inbox capacities need) cost BFS at scale 22 40% more maintenance
/// (session 25, `docs/benchmarks.md`). The quarter is room for what a
/// pass cannot reuse: two levels' chunks are live at once (90–97% of the
/// graph's at scales 18 to 22), and the positions lanes reserve in blocks
/// and leave unused are free again only next pass; a ring of the chunks
/// alone refused 19,427 spawns at scale 20 (session 26).
pub fn config(g: &Csr) -> ProgramConfig {
    let chunks: u64 = (0..g.vertices())
        .map(|v| u64::from(g.degree(v).div_ceil(BFS_CHUNK)))
        .sum();
    let high = (chunks + chunks / 4)
        .max(1024)
        .min(u64::from(MAX_SLOTS) - 4) as u32;
    let sizes = [1, high, 1, 1, 1];
    ProgramConfig {
        slots: sizes.iter().sum(),
        partition_sizes: Some(sizes),
        inbox_capacity: 1024,
        // A task walks at most BFS_CHUNK edges, but one that discovers
        // hubs also loops over their chunks while spawning them.
        loop_limit: 1 << 24,
        ..ProgramConfig::default()
    }
}

/// One megakernel BFS from `root`: resets the distances, publishes the
/// root's chunks, runs until idle.
pub fn mk_bfs(rt: &mut Runtime, g: &Csr, root: u32) -> Result<(MkRun, vyre::RunReport)> {
    reset_dist(rt, g, root)?;
    MkRun::measure(rt, |rt| publish_root(rt, g, root))
}

/// Sets every distance to [`UNREACHED`] but the root's (0).
fn reset_dist(rt: &mut Runtime, g: &Csr, root: u32) -> Result<()> {
    let dist = rt.buffer::<u32>("dist")?;
    let mut init = vec![UNREACHED; g.vertices() as usize];
    init[root as usize] = 0;
    Ok(rt.write(dist, 0, &init)?)
}

/// Publishes the root's adjacency as HIGH `scan` tasks.
fn publish_root(rt: &mut Runtime, g: &Csr, root: u32) -> Result<()> {
    let chunks = g.chunks(root);
    rt.publish_with(0, Priority::High, SCAN, chunks.len(), |k, w| {
        w[0] = chunks[k][0];
        w[1] = chunks[k][1];
        w[2] = 0;
    })?;
    Ok(())
}

/// Uploads `g` into the BFS program's `offsets` and `edges` buffers and
/// sizes `dist` for its vertices.
pub fn load(rt: &mut Runtime, g: &Csr) -> Result<()> {
    let offsets = rt.buffer::<u32>("offsets")?;
    let edges = rt.buffer::<u32>("edges")?;
    let dist = rt.buffer::<u32>("dist")?;
    rt.upload(offsets, &g.offsets)?;
    rt.upload(edges, &g.edges)?;
    rt.resize(dist, u64::from(g.vertices()))?;
    Ok(())
}

/// Runs the workload.
pub fn run(bench: &Bench) -> Result<Value> {
    let scales: Vec<u32> = if bench.args.smoke {
        vec![bench.args.min_scale]
    } else {
        (bench.args.min_scale..=bench.args.max_scale).collect()
    };
    let (reference_scale, native_scale) = if bench.args.quick || bench.args.smoke {
        (6, 10)
    } else {
        (10, 18)
    };
    let ctx = &bench.ctx;
    let plan = bench.plan();
    let d = dispatch(bench);
    let wg = d.workgroups;
    let mut rows = Vec::new();
    for scale in scales {
        let (gen_s, g) = wall(|| graph::rmat(scale, EDGE_FACTOR, u64::from(scale)));
        let root = graph::pick_root(&g, 7);
        let oracle = graph::bfs(&g, root);
        let profile = graph::level_profile(&g, &oracle);
        let peak_chunks = profile
            .windows(2)
            .map(|w| w[0].1 + w[1].1)
            .max()
            .unwrap_or(0);
        bench.log(format!(
            "bfs: scale {scale}: {} vertices, {} directed edges (generated in {gen_s:.2} s), root {root}: {} reached, depth {}",
            g.vertices(),
            g.edges.len(),
            oracle.reached,
            oracle.depth
        ));
        let edges = oracle.edges_scanned as f64;

        let mut config = d.apply(config(&g));
        let ring_high = config.partition_sizes.map_or(0, |s| s[1]);
        // `--workgroups auto`: the dispatch the library chooses for this
        // program and adapter (tuned on first use), not the bench's.
        config.auto_dispatch = bench.args.auto_dispatch;
        let program = programs::bfs(config)?;
        let gpu = if bench.args.auto_dispatch {
            let chosen = bench.gpu.auto_dispatch(&program);
            bench.log(format!(
                "bfs: the library's dispatch (size, workgroups): {chosen:?}"
            ));
            bench.gpu.clone()
        } else {
            bench.gpu_with(wg)
        };
        // The megakernel and the direct BFS alternate, one search each per
        // repetition, so both see the same GPU clocks: after the graph's
        // generation the GPU has idled for seconds, and measured one after
        // the other the megakernel ran at the climbing clock and the direct
        // BFS at the top one (`docs/benchmarks.md`, session 26).
        let direct = DirectBfs::new(ctx, &g.offsets, &g.edges)?;
        let root_chunks = g.chunks(root);
        let mut rt = bench.runtime(&gpu, program)?;
        load(&mut rt, &g)?;
        let mut tasks = 0u64;
        bench.heat()?;
        let runs: Vec<(MkRun, Timing)> = plan.run(|_| {
            let (run, report) = mk_bfs(&mut rt, &g, root)?;
            check_report(&report, report.executed, "bfs megakernel")?;
            tasks = report.executed;
            let dist = rt.buffer::<u32>("dist")?;
            if rt.read(dist)? != oracle.dist {
                return fail(format!("bfs megakernel: wrong distances at scale {scale}"));
            }
            let direct_run = direct.run(ctx, root, &root_chunks, oracle.depth + 2)?;
            Ok((run, direct_run))
        })?;
        if direct.dist(ctx)? != oracle.dist {
            return fail(format!(
                "bfs direct kernel: wrong distances at scale {scale}"
            ));
        }
        let (mk, direct_t): (Vec<MkRun>, Vec<Timing>) = runs.into_iter().unzip();
        drop(rt);
        drop(direct);

        let cpu_t: Vec<Timing> = plan.run(|_| {
            let (s, r) = wall(|| graph::bfs(&g, root));
            if r.reached != oracle.reached {
                return fail("bfs CPU: inconsistent result");
            }
            Ok(Timing { wall: s, gpu: None })
        })?;

        let mk_s = mk_seconds(&mk);
        let direct_s = best_seconds(&direct_t).map(|s| s.median);
        let cpu_s = Stats::of_by(&cpu_t, |t| t.wall).map(|s| s.median);
        bench.log(format!(
            "  megakernel {:.2} ms, direct {:.2} ms, CPU {:.2} ms ({} tasks, peak chunks in flight {peak_chunks}, ring {ring_high})",
            mk_s.unwrap_or(0.0) * 1e3,
            direct_s.unwrap_or(0.0) * 1e3,
            cpu_s.unwrap_or(0.0) * 1e3,
            tasks
        ));
        rows.push(json!({
            "scale": scale,
            "vertices": g.vertices(),
            "directed_edges": g.edges.len(),
            "generation_s": gen_s,
            "root": root,
            "reached": oracle.reached,
            "edges_scanned": oracle.edges_scanned,
            "depth": oracle.depth,
            "tasks": tasks,
            "peak_chunks_two_levels": peak_chunks,
            "ring_high_slots": ring_high,
            "megakernel": mk_json(&mk, edges),
            "direct": timing_json(&direct_t, edges),
            "cpu_plain": timing_json(&cpu_t, edges),
            "ratios": {
                "megakernel_over_cpu_plain": num(ratio(cpu_s, mk_s)),
                "megakernel_over_direct": num(ratio(direct_s, mk_s)),
            },
        }));
    }

    // The CPU backends on smaller graphs: the interpreter, and the native
    // backend (the `scan` function itself on the CPU scheduler).
    let cpu_backend = |backend: CpuBackend, scale: u32, plan: &Plan| -> Result<Value> {
        bench.log(format!("bfs: {} backend at scale {scale}", backend.name()));
        let g = graph::rmat(scale, EDGE_FACTOR, u64::from(scale));
        let root = graph::pick_root(&g, 7);
        let oracle = graph::bfs(&g, root);
        // Each run resets the distances (inside the wall time: a copy,
        // small beside the search) and publishes the root's edges.
        let (t, mut rt) = backend.measure(
            bench,
            programs::bfs(config(&g))?,
            plan,
            None,
            |rt| load(rt, &g),
            |rt| {
                reset_dist(rt, &g, root)?;
                publish_root(rt, &g, root)
            },
        )?;
        let dist = rt.buffer::<u32>("dist")?;
        if rt.read(dist)? != oracle.dist {
            return fail(format!("bfs {}: wrong distances", backend.name()));
        }
        let cpu_t: Vec<Timing> = plan.run(|_| {
            let (s, _) = wall(|| graph::bfs(&g, root));
            Ok(Timing { wall: s, gpu: None })
        })?;
        let s = Stats::of_by(&t, |t| t.wall);
        let cpu_s = Stats::of_by(&cpu_t, |t| t.wall).map(|s| s.median);
        Ok(json!({
            "scale": scale,
            "edges_scanned": oracle.edges_scanned,
            "seconds": json_opt(s),
            "edges_per_s": json_opt(s.map(|s| s.rate(oracle.edges_scanned as f64))),
            "cpu_plain_s": num(cpu_s),
            "over_cpu_plain": num(ratio(cpu_s, s.map(|s| s.median))),
        }))
    };
    let reference = cpu_backend(
        CpuBackend::Reference,
        reference_scale,
        &bench.plan_capped(3),
    )?;
    let native = cpu_backend(CpuBackend::Native, native_scale, &bench.plan_capped(5))?;
    Ok(json!({
        "what": "scan(lo, hi, depth) relaxes edges lo..hi; a discovered vertex spawns its adjacency as HIGH scan tasks of <= 256 edges; rates are scanned edges per second",
        "edge_factor": EDGE_FACTOR,
        "chunk": BFS_CHUNK,
        "workgroups": wg,
        "workgroup_size": d.workgroup_size,
        "scales": rows,
        "reference": reference,
        "native": native,
    }))
}

//! Workload: one program over 1, 2, 4 and 8 devices (issue 19), as many
//! as `Gpu::all()` finds on this machine: the 1,024-round hash over 64M
//! tasks into an output buffer (`BufferMode::Output`), and N-queens (n =
//! 15) by spawned tasks from the boards of its first rows. Each is timed
//! as a user would (publishing and `run()` on the wall clock; the read
//! afterwards is checked, not timed); efficiency on N devices is the
//! throughput on N over N times the throughput on one.

use std::time::Instant;

use serde_json::{json, Map, Value};
use vyre::kernel::MultiKernel;
use vyre::{BufferMode, Gpu, GpuSet, MultiReport, Priority};

use super::super::handlers::{heavy, queens, Scale, QUEENS_SPAWN_ROWS};
use super::super::programs::hash;
use super::super::stats::{json_opt, Stats};
use super::super::{fail, Bench, Result};
use super::check_report;

/// How each buffer lives on several devices.
const MODES: [(&str, BufferMode); 2] = [
    ("out", BufferMode::Output),
    ("solutions", BufferMode::Summed),
];

/// Solutions of N-queens, n = 0 ..= 16.
const QUEENS_SOLUTIONS: [u32; 17] = [
    1, 1, 0, 0, 2, 10, 4, 40, 92, 352, 724, 2680, 14200, 73712, 365596, 2279184, 14772512,
];

/// Rows the host places before publishing: the boards of these rows are
/// the tasks the devices share.
const QUEENS_HOST_ROWS: u32 = 3;

/// The sizes of a run.
struct Sizes {
    hash_tasks: u32,
    hash_rounds: u32,
    queens_n: u32,
}

/// What one set size gave.
struct Point {
    devices: usize,
    hash_per_s: Option<Stats>,
    queens_per_s: Option<Stats>,
    shares_hash: Vec<u64>,
    shares_queens: Vec<u64>,
}

/// Runs the workload.
pub fn run(bench: &Bench) -> Result<Value> {
    let sizes = if bench.args.smoke {
        Sizes {
            hash_tasks: 1 << 12,
            hash_rounds: 16,
            queens_n: 8,
        }
    } else if bench.args.quick {
        Sizes {
            hash_tasks: 1 << 18,
            hash_rounds: 64,
            queens_n: 10,
        }
    } else {
        Sizes {
            hash_tasks: 1 << 26,
            hash_rounds: 1024,
            queens_n: 15,
        }
    };
    // Every adapter on hardware; the bench's own device elsewhere (a
    // software adapter measures nothing about scaling, but runs the code).
    let all: Vec<Gpu> = if bench.ctx.is_software() {
        vec![bench.gpu.clone()]
    } else {
        Gpu::all()?.gpus().to_vec()
    };
    let counts: Vec<usize> = [1, 2, 4, 8]
        .into_iter()
        .filter(|&n| n <= all.len())
        .collect();
    bench.log(format!(
        "scale: {} device(s): {}",
        all.len(),
        all.iter()
            .map(Gpu::description)
            .collect::<Vec<_>>()
            .join("; ")
    ));
    let mut points = Vec::new();
    for &n in &counts {
        let set = GpuSet::new(all[..n].to_vec())?;
        let point = measure(bench, &set, &sizes)?;
        bench.log(format!(
            "  {n} device(s): hash {} tasks/s (shares {:?}), queens {} boards/s (shares {:?})",
            point
                .hash_per_s
                .map_or("-".into(), |s| format!("{:.3e}", s.median)),
            point.shares_hash,
            point
                .queens_per_s
                .map_or("-".into(), |s| format!("{:.3e}", s.median)),
            point.shares_queens
        ));
        points.push(point);
    }
    let mut metrics = Map::new();
    for n in [2usize, 4, 8] {
        let one = points.first();
        let at = points.iter().find(|p| p.devices == n);
        let eff = |f: fn(&Point) -> Option<Stats>| -> Value {
            match (one.and_then(f), at.and_then(f)) {
                (Some(a), Some(b)) => json!(b.median / (n as f64 * a.median)),
                _ => Value::Null,
            }
        };
        metrics.insert(
            format!("scale_{n}gpu_hash_efficiency"),
            eff(|p| p.hash_per_s),
        );
        metrics.insert(
            format!("scale_{n}gpu_queens_efficiency"),
            eff(|p| p.queens_per_s),
        );
    }
    Ok(json!({
        "what": "one program over 1, 2, 4, 8 devices (as many as Gpu::all() finds): the hash over an output buffer and N-queens by spawned tasks, publishing and run() on the wall clock; efficiency = rate on N / (N x rate on 1)",
        "devices_found": all.len(),
        "adapters": all.iter().map(Gpu::description).collect::<Vec<_>>(),
        "hash_tasks": sizes.hash_tasks,
        "hash_rounds": sizes.hash_rounds,
        "queens_n": sizes.queens_n,
        "queens_host_rows": QUEENS_HOST_ROWS,
        "queens_spawn_rows": QUEENS_SPAWN_ROWS,
        "points": points.iter().map(|p| json!({
            "devices": p.devices,
            "hash_tasks_per_s": json_opt(p.hash_per_s),
            "queens_boards_per_s": json_opt(p.queens_per_s),
            "hash_shares": p.shares_hash,
            "queens_shares": p.shares_queens,
        })).collect::<Vec<_>>(),
        "metrics": Value::Object(metrics),
    }))
}

/// Both programs on `set`, the bench's repetitions each.
fn measure(bench: &Bench, set: &GpuSet, sizes: &Sizes) -> Result<Point> {
    let mut k = MultiKernel::<Scale>::new(set, &MODES)?;
    k.runtime_mut().set_limits(bench.limits())?;
    let plan = bench.plan_capped(5);
    let mut shares_hash = Vec::new();
    let hash_runs = plan.run(|_| {
        let (seconds, report) = hash_run(&mut k, sizes)?;
        shares_hash = report.shares();
        Ok(seconds)
    })?;
    let mut shares_queens = Vec::new();
    let mut boards = 0u64;
    let queens_runs = plan.run(|_| {
        let (seconds, report) = queens_run(&mut k, sizes.queens_n)?;
        shares_queens = report.shares();
        boards = report.total.executed;
        Ok(seconds)
    })?;
    Ok(Point {
        devices: set.len(),
        hash_per_s: Stats::of(&hash_runs).map(|s| s.rate(f64::from(sizes.hash_tasks))),
        queens_per_s: Stats::of(&queens_runs).map(|s| s.rate(boards as f64)),
        shares_hash,
        shares_queens,
    })
}

/// One hash run: seconds from publishing to `run()` returning, checked.
fn hash_run(k: &mut MultiKernel<Scale>, sizes: &Sizes) -> Result<(f64, MultiReport)> {
    let rt = k.runtime_mut();
    let out = rt.buffer::<u32>("out")?;
    rt.upload(&out, &vec![0; sizes.hash_tasks as usize])?;
    let seed = 0x5EED;
    let t0 = Instant::now();
    k.publish_range(
        Priority::Normal,
        heavy::Op,
        0..sizes.hash_tasks,
        (seed, sizes.hash_rounds),
    )?;
    let report = k.run()?;
    let seconds = t0.elapsed().as_secs_f64();
    check_report(&report.total, u64::from(sizes.hash_tasks), "scale hash")?;
    let got = k.runtime_mut().read(&out)?;
    let want = hash(seed, sizes.hash_rounds);
    if let Some(i) = got.iter().position(|&w| w != want) {
        return fail(format!(
            "scale hash: out[{i}] = {}, expected {want}",
            got[i]
        ));
    }
    Ok((seconds, report))
}

/// One N-queens run: the host places the first rows, the devices the
/// rest. Seconds from publishing to `run()` returning, checked.
fn queens_run(k: &mut MultiKernel<Scale>, n: u32) -> Result<(f64, MultiReport)> {
    let rt = k.runtime_mut();
    let solutions = rt.buffer::<u32>("solutions")?;
    rt.upload(&solutions, &[0])?;
    let boards = host_boards(n, QUEENS_HOST_ROWS.min(n));
    let t0 = Instant::now();
    k.publish_batch(Priority::High, queens::Op, &boards)?;
    let report = k.run()?;
    let seconds = t0.elapsed().as_secs_f64();
    // How many boards the search visits is what it finds out: only the
    // stop, faults and refused spawns are checked here.
    check_report(&report.total, report.total.executed, "scale queens")?;
    let found = k.runtime_mut().read(&solutions)?[0];
    let want = QUEENS_SOLUTIONS[n as usize];
    if found != want {
        return fail(format!(
            "scale queens: n = {n}: {found} solutions, expected {want}"
        ));
    }
    Ok((seconds, report))
}

/// Every board of `rows` queens on an `n`-column board with no two
/// attacking: `(n, rows, cols, left, right)` as `queens` takes them.
fn host_boards(n: u32, rows: u32) -> Vec<(u32, u32, u32, u32, u32)> {
    let all = (1u32 << n) - 1;
    let mut boards = vec![(n, 0, 0, 0, 0)];
    for _ in 0..rows {
        let mut next = Vec::new();
        for &(n, row, cols, left, right) in &boards {
            let mut free = all & !(cols | left | right);
            while free != 0 {
                let bit = free & free.wrapping_neg();
                free ^= bit;
                next.push((
                    n,
                    row + 1,
                    cols | bit,
                    ((left | bit) << 1) & all,
                    (right | bit) >> 1,
                ));
            }
        }
        boards = next;
    }
    boards
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_boards_count_the_first_rows() {
        // 8 queens: 8 boards of one queen, 42 of two, 140 of three.
        assert_eq!(host_boards(8, 1).len(), 8);
        assert_eq!(host_boards(8, 2).len(), 42);
        assert_eq!(host_boards(8, 3).len(), 140);
        // A full board of n queens is a solution.
        assert_eq!(host_boards(8, 8).len(), 92);
        assert_eq!(host_boards(6, 6).len(), 4);
    }

    #[test]
    fn the_program_assembles() {
        assert!(Scale::try_program().is_ok());
    }
}

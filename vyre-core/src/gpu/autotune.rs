//! Choosing the work pass's dispatch (lanes per workgroup, workgroups) for
//! an adapter and a program: a short tuning run on first use, kept on disk.
//!
//! The best dispatch depends on the GPU (its compute units and how many
//! lanes each keeps resident) and on the program (its handlers' registers
//! limit residency), so no constant is right everywhere. On first use of a
//! program on a hardware adapter, [`tune`] compiles the program with one
//! extra trivial handler (`vyre_tune(i)`, one atomic add) at a few
//! workgroup sizes — in parallel, so the cost is about one compile — and
//! runs a batch of its tasks at several lane counts, timed by the GPU's
//! timestamps; the dispatch with the most lanes among those within 5% of
//! the fastest wins (a trivial handler measures several alike). The other handlers are compiled in, so
//! their register pressure is part of what is measured, but never run: the
//! tuning touches none of the program's buffers (it runs on engines of its
//! own).
//!
//! The choice is kept per process (in the context) and on disk next to the
//! pipeline cache (`autotune-<key>.bin`, in vyre's envelope), keyed by
//! vyre's version, the adapter and its driver, and the program's handlers
//! and buffers. A damaged or foreign file is ignored (warned once) and the
//! tuning runs again. `VYRE_AUTOTUNE=off` skips the tuning and uses
//! [`HARDWARE_WORKGROUP_SIZE`] × [`HARDWARE_WORKGROUPS`];
//! `VYRE_AUTOTUNE=always` tunes on software adapters too.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::ir::{Access, BufferKind, HandlerBuilder, ScalarType};
use crate::program::{Program, ProgramConfig, HARDWARE_WORKGROUPS, HARDWARE_WORKGROUP_SIZE};
use crate::protocol::{Priority, RESERVED_ID_START};
use crate::runtime::Runtime;

use super::disk_cache::{self, fnv1a};
use super::sync::lock;
use super::{GpuContext, WgpuEngine};

/// `VYRE_AUTOTUNE=off` (or `0`, `false`) uses the fixed hardware dispatch
/// instead of tuning; `VYRE_AUTOTUNE=always` tunes on software adapters
/// (which otherwise keep the program's own dispatch) too.
pub const AUTOTUNE_ENV: &str = "VYRE_AUTOTUNE";

/// Lanes per workgroup the tuning tries (those the adapter allows).
const SIZES: [u32; 3] = [64, 128, 256];
/// Total lanes the tuning tries at each size.
const LANES: [u32; 5] = [1 << 14, 1 << 15, 1 << 16, 1 << 17, 1 << 18];
/// Timed runs per candidate (the fastest counts), after one warm-up.
const REPS: usize = 2;
/// Buffer words the tuning handler adds into (`i & (COUNTERS - 1)`).
const COUNTERS: u32 = 1 << 16;
/// Head of the cache file's payload; the number is the format's version.
const HEADER: &str = "vyre autotune 1";

/// The work pass's dispatch chosen for an adapter and a program, and how
/// it was chosen.
#[derive(Debug, Clone, PartialEq)]
pub struct Tuning {
    /// Lanes per workgroup.
    pub workgroup_size: u32,
    /// Work workgroups.
    pub workgroups: u32,
    /// Every dispatch measured: `(workgroup size, workgroups, trivial
    /// tasks per second)`, empty when the choice came from a cache or the
    /// tuning is off.
    pub measured: Vec<(u32, u32, f64)>,
    /// Time the tuning took, compiles included (zero when nothing was
    /// measured).
    pub elapsed: Duration,
}

/// What `VYRE_AUTOTUNE` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// `off`, `0`, `false`: the fixed hardware dispatch, never a tuning.
    Off,
    /// Unset (or anything else): tune on hardware adapters.
    Hardware,
    /// `always`: tune on software adapters too (tests, CI).
    Always,
}

/// The mode the environment `var` asks for.
pub(crate) fn mode(var: impl Fn(&str) -> Option<String>) -> Mode {
    match var(AUTOTUNE_ENV).as_deref().map(str::trim) {
        Some(v) if v.eq_ignore_ascii_case("off") || v == "0" || v.eq_ignore_ascii_case("false") => {
            Mode::Off
        }
        Some(v) if v.eq_ignore_ascii_case("always") => Mode::Always,
        _ => Mode::Hardware,
    }
}

/// What identifies a tuning: vyre's version, the adapter and its driver,
/// and the program's handlers and buffers (not its sizes, which the
/// runtime may change, nor its workgroup size, which is what is chosen).
pub(crate) fn key(ctx: &GpuContext, program: &Program) -> u64 {
    let info = ctx.adapter_info();
    let mut text = format!(
        "vyre {}\n{}\n{:x}:{:x}:{:?}:{:?}\n{}\n{}\n",
        env!("CARGO_PKG_VERSION"),
        info.name,
        info.vendor,
        info.device,
        info.device_type,
        info.backend,
        info.driver,
        info.driver_info,
    );
    for b in program.buffers() {
        let _ = writeln!(text, "{b:?}");
    }
    for h in program.handlers() {
        let _ = writeln!(text, "{h:?}");
    }
    fnv1a(text.as_bytes())
}

/// The cache file of `key`, or `None` when the disk cache is off.
fn file(key: u64) -> Option<PathBuf> {
    let dir = disk_cache::cache_dir(|name| std::env::var(name).ok())?;
    Some(dir.join(format!("autotune-{key:016x}.bin")))
}

/// The payload of a cache file for `key`.
fn encode(key: u64, ctx: &GpuContext, t: &Tuning) -> String {
    format!(
        "{HEADER}\nkey {key:016x}\nadapter {}\nworkgroup_size {}\nworkgroups {}\n",
        ctx.description().replace('\n', " "),
        t.workgroup_size,
        t.workgroups
    )
}

/// The dispatch in a cache file's payload, when it is one for `key` that
/// this adapter can run.
fn decode(payload: &[u8], key: u64, max_size: u32, max_groups: u32) -> Option<(u32, u32)> {
    let text = std::str::from_utf8(payload).ok()?;
    let mut lines = text.lines();
    if lines.next()? != HEADER {
        return None;
    }
    let mut field = |name: &str| -> Option<String> {
        let line = lines.next()?;
        line.strip_prefix(name)?
            .strip_prefix(' ')
            .map(str::to_string)
    };
    if field("key")? != format!("{key:016x}") {
        return None;
    }
    field("adapter")?;
    let size: u32 = field("workgroup_size")?.parse().ok()?;
    let groups: u32 = field("workgroups")?.parse().ok()?;
    let fits = (1..=max_size).contains(&size) && (1..=max_groups).contains(&groups);
    fits.then_some((size, groups))
}

/// The dispatch for `program` on `ctx`: this process's earlier choice, the
/// disk's, or a new tuning (kept in both). Never fails: a tuning that
/// fails is warned once and the fixed dispatch used.
pub(crate) fn tuned(ctx: &GpuContext, program: &Program) -> (u32, u32) {
    let key = key(ctx, program);
    // Held while tuning, so that two threads building the same program do
    // not both tune it.
    let mut known = lock(&ctx.inner.tunings);
    if let Some(&choice) = known.get(&key) {
        return choice;
    }
    let path = file(key);
    let (max_size, max_groups) = limits(ctx);
    let cached = path
        .as_deref()
        .and_then(disk_cache::load)
        .and_then(|payload| {
            let found = decode(&payload, key, max_size, max_groups);
            if found.is_none() {
                disk_cache::warn_once("an autotune file is not for this adapter and program");
            }
            found
        });
    let choice = cached.unwrap_or_else(|| match tune(ctx, program) {
        Ok(t) => {
            if let Some(path) = &path {
                disk_cache::store(path, encode(key, ctx, &t).as_bytes());
            }
            (t.workgroup_size, t.workgroups)
        }
        Err(e) => {
            eprintln!(
                "vyre: tuning the dispatch failed ({e}); using {HARDWARE_WORKGROUPS} \
                 workgroups of {HARDWARE_WORKGROUP_SIZE} lanes"
            );
            (HARDWARE_WORKGROUP_SIZE, HARDWARE_WORKGROUPS)
        }
    });
    known.insert(key, choice);
    choice
}

/// Records `t` as the choice for `program` in this process and on disk.
pub(crate) fn remember(ctx: &GpuContext, program: &Program, t: &Tuning) {
    let key = key(ctx, program);
    lock(&ctx.inner.tunings).insert(key, (t.workgroup_size, t.workgroups));
    if let Some(path) = file(key) {
        disk_cache::store(&path, encode(key, ctx, t).as_bytes());
    }
}

/// The largest workgroup size and count the adapter dispatches.
fn limits(ctx: &GpuContext) -> (u32, u32) {
    let l = ctx.limits();
    (
        l.max_compute_invocations_per_workgroup
            .min(l.max_compute_workgroup_size_x)
            .min(crate::program::MAX_WORKGROUP_SIZE),
        l.max_compute_workgroups_per_dimension,
    )
}

/// Measures the candidate dispatches for `program` on `ctx` and returns
/// the fastest (remembered nowhere: [`remember`] does that).
pub(crate) fn tune(ctx: &GpuContext, program: &Program) -> Result<Tuning> {
    let tasks = if ctx.is_software() { 1 << 14 } else { 1 << 20 };
    let started = Instant::now();
    let (max_size, max_groups) = limits(ctx);
    let (probe, opcode) = with_tuning_handler(program, tasks)?;
    let sizes: Vec<u32> = SIZES.into_iter().filter(|&s| s <= max_size).collect();
    // Compile every size at once (the driver compiles in parallel); the
    // engines measured below then find their pipelines in the context.
    let programs = sizes
        .iter()
        .map(|&size| {
            let config = ProgramConfig {
                workgroup_size: size,
                ..probe.config().clone()
            };
            probe.with_config(config).map_err(Error::from)
        })
        .collect::<Result<Vec<_>>>()?;
    std::thread::scope(|s| {
        let handles: Vec<_> = programs
            .iter()
            .map(|p| s.spawn(move || WgpuEngine::new(ctx, p, 1).map(drop)))
            .collect();
        handles
            .into_iter()
            .try_for_each(|h| h.join().unwrap_or_else(|_| Err(compile_panicked())))
    })?;
    let mut measured = Vec::new();
    for (size, p) in sizes.iter().zip(&programs) {
        let mut counts: Vec<u32> = LANES.iter().map(|lanes| lanes / size).collect();
        if *size == HARDWARE_WORKGROUP_SIZE {
            counts.push(HARDWARE_WORKGROUPS);
        }
        for groups in counts
            .into_iter()
            .filter(|&g| (1..=max_groups).contains(&g))
        {
            let seconds = measure(ctx, p, opcode, tasks, groups)?;
            measured.push((*size, groups, f64::from(tasks) / seconds));
        }
    }
    let (workgroup_size, workgroups) =
        choose(&measured).ok_or_else(|| Error::InvalidRunOption {
            option: "workgroup_size",
            reason: format!("the adapter allows no workgroup size of {SIZES:?}"),
        })?;
    Ok(Tuning {
        workgroup_size,
        workgroups,
        measured,
        elapsed: started.elapsed(),
    })
}

/// The dispatch to keep from `(workgroup size, workgroups, tasks/s)`
/// measurements: the most lanes among those within [`NEAR_BEST`] of the
/// fastest (then the faster). The tuning handler is trivial, so several
/// dispatches measure alike, within the runs' noise; more lanes then serve
/// the program's heavier handlers better (H200, 2026-12-05: one process
/// measured 256 × 128 at 2.76e9 and 256 × 512 at 2.66e9 with the trivial
/// handler, and the 64-round hash then ran at 1.10e9 on the first, 2.31e9
/// on the second).
fn choose(measured: &[(u32, u32, f64)]) -> Option<(u32, u32)> {
    let best = measured.iter().map(|m| m.2).fold(f64::NAN, f64::max);
    measured
        .iter()
        .filter(|m| m.2 >= best * NEAR_BEST)
        .max_by(|a, b| {
            let lanes = |m: &(u32, u32, f64)| u64::from(m.0) * u64::from(m.1);
            lanes(a).cmp(&lanes(b)).then(a.2.total_cmp(&b.2))
        })
        .map(|m| (m.0, m.1))
}

/// How close to the fastest measured dispatch a dispatch with more lanes
/// may be and still be chosen.
const NEAR_BEST: f64 = 0.95;

fn compile_panicked() -> Error {
    Error::Gpu {
        stage: "autotune compile".into(),
        message: "a compile thread panicked".into(),
    }
}

/// `program`'s handlers and buffers plus `vyre_tune(i)` (`counter[i &
/// (COUNTERS - 1)] += 1`, atomically) under an opcode the program does not
/// use, with a NORMAL partition that holds `tasks`; and that opcode.
fn with_tuning_handler(program: &Program, tasks: u32) -> Result<(Program, u32)> {
    let taken = |name: &str| {
        program.buffer_index(name).is_some() || program.handlers().iter().any(|h| h.name == name)
    };
    let name = (0..)
        .map(|n| format!("vyre_tune{n}"))
        .find(|n| !taken(n))
        .unwrap_or_default();
    let opcode = program
        .handlers()
        .iter()
        .map(|h| h.id + 1)
        .max()
        .unwrap_or(0)
        .min(RESERVED_ID_START - 1);
    let mut h = HandlerBuilder::new(opcode, name.clone());
    let counter = h.buffer(&name, ScalarType::U32, Access::Atomic);
    let i = h.arg("i", ScalarType::U32);
    h.body(|b| b.eval(counter.fetch_add(i & (COUNTERS - 1), 1u32)));
    let handler = h.finish().map_err(|e| Error::Gpu {
        stage: "autotune handler".into(),
        message: e.to_string(),
    })?;
    let edge = 16;
    let config = ProgramConfig {
        slots: tasks + 4 * edge,
        partition_sizes: Some([edge, edge, tasks, edge, edge]),
        grow_ring: false,
        auto_dispatch: false,
        ..program.config().clone()
    };
    let mut builder = Program::builder(format!("{} (autotune)", program.name())).config(config);
    for b in program.buffers() {
        builder = builder.buffer(b.name.clone(), b.kind);
    }
    builder = builder.buffer(name, BufferKind::atomic(ScalarType::U32));
    for h in program.handlers() {
        builder = builder.opcode(h.clone());
    }
    Ok((builder.opcode(handler).build()?, opcode))
}

/// Seconds the fastest of [`REPS`] runs of `tasks` tuning tasks takes on
/// `groups` workgroups (GPU time where the adapter has timestamps).
fn measure(
    ctx: &GpuContext,
    program: &Program,
    opcode: u32,
    tasks: u32,
    groups: u32,
) -> Result<f64> {
    let engine = WgpuEngine::new(ctx, program, groups)?;
    let mut rt = Runtime::with_engine(program.clone(), Box::new(engine))?;
    let counter = program.buffers().len() - 1;
    let name = program.buffers()[counter].name.clone();
    let handle = rt.buffer::<u32>(&name)?;
    rt.upload(handle, &vec![0; COUNTERS as usize])?;
    let mut best = f64::INFINITY;
    for rep in 0..=REPS {
        rt.publish_with(0, Priority::Normal, opcode, tasks as usize, |k, w| {
            w[0] = k as u32;
        })?;
        let report = rt.run()?;
        if report.executed != u64::from(tasks) || !report.faults.is_empty() {
            return Err(Error::Gpu {
                stage: "autotune run".into(),
                message: format!(
                    "{} of {tasks} tuning tasks executed, {} faulted",
                    report.executed,
                    report.faults.len()
                ),
            });
        }
        let time = report.gpu_time.unwrap_or(report.wall_time);
        if rep > 0 {
            best = best.min(time.as_secs_f64().max(1e-9));
        }
    }
    Ok(best)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_lanes_within_five_percent_of_the_fastest_win() {
        // The H200's measurements of 2026-12-05 (tasks/s in 1e9): one
        // process where 256 x 128 measured fastest by a hair, one where
        // 256 x 512 was clearly fastest.
        let hot = [
            (64, 512, 2.33),
            (128, 256, 2.69),
            (256, 128, 2.76),
            (256, 256, 2.74),
            (256, 512, 2.66),
            (256, 1024, 2.16),
        ];
        assert_eq!(choose(&hot), Some((256, 512)));
        let cold = [
            (128, 512, 1.03),
            (256, 256, 1.12),
            (256, 512, 1.23),
            (256, 1024, 0.96),
        ];
        assert_eq!(choose(&cold), Some((256, 512)));
        // Equal lanes: the faster.
        assert_eq!(
            choose(&[(128, 512, 1.0), (256, 256, 0.99)]),
            Some((128, 512))
        );
        assert_eq!(choose(&[(64, 256, 1.0)]), Some((64, 256)));
        assert_eq!(choose(&[]), None);
    }

    #[test]
    fn a_cache_payload_is_read_only_for_its_key_and_limits() {
        let payload = |key: &str, size: &str, groups: &str| {
            format!(
                "{HEADER}\nkey {key}\nadapter some GPU\nworkgroup_size {size}\nworkgroups {groups}\n"
            )
        };
        let key = 0x1234_u64;
        let hex = format!("{key:016x}");
        let ok = payload(&hex, "128", "1024");
        assert_eq!(decode(ok.as_bytes(), key, 256, 65_535), Some((128, 1024)));
        // Another program's or adapter's key, a size or count this adapter
        // cannot run, a damaged number, another format.
        assert_eq!(decode(ok.as_bytes(), key + 1, 256, 65_535), None);
        assert_eq!(decode(ok.as_bytes(), key, 64, 65_535), None);
        assert_eq!(decode(ok.as_bytes(), key, 256, 512), None);
        for bad in [
            payload(&hex, "0", "1024"),
            payload(&hex, "12x", "1024"),
            payload(&hex, "128", ""),
            ok.replace(HEADER, "vyre autotune 0"),
            ok.replace("adapter", "adaptor"),
            String::new(),
        ] {
            assert_eq!(decode(bad.as_bytes(), key, 256, 65_535), None, "{bad:?}");
        }
        assert_eq!(decode(&[0xff, 0xfe], key, 256, 65_535), None);
    }

    #[test]
    fn the_environment_chooses_the_mode() {
        let env = |v: &'static str| move |name: &str| (name == AUTOTUNE_ENV).then(|| v.to_string());
        assert_eq!(mode(env("off")), Mode::Off);
        assert_eq!(mode(env(" 0 ")), Mode::Off);
        assert_eq!(mode(env("FALSE")), Mode::Off);
        assert_eq!(mode(env("Always")), Mode::Always);
        assert_eq!(mode(env("on")), Mode::Hardware);
        assert_eq!(mode(|_: &str| None), Mode::Hardware);
    }
}

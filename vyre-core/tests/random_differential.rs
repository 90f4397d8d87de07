//! Random programs nobody wrote compute the same on the reference
//! interpreter and on wgpu, in every lowering variant (lavapipe in CI).
//!
//! Each case is a program of a random handler (`random_gen/`, seeded)
//! over eight buffers and a sink that its spawns name; in a quarter of the
//! cases a second random handler with other arguments, which writes
//! buffers of its own and reads the first's read-only ones. The random handlers use every statement kind and every
//! integer type (`u64` and `i64` included) but nothing whose result may
//! differ between backends by design: no `f32` (WGSL leaves NaN and
//! rounding details to the implementation), no lane or slot (`ctx.lane()`
//! depends on the schedule) and no shutdown (which other tasks a shutdown
//! lets finish depends on the schedule). One task of each random handler
//! runs; neither writes a buffer the other touches, so the two run in any
//! order or together without a race, and the spawned sink tasks only add to counters. The
//! sink's argument words are fewer than the random handlers' in half of
//! the cases and more in the other half, so both sides of the shared
//! argument reads (`docs/protocol.md`, "Reading the arguments") are
//! exercised, with random spawn priorities, faults of every kind and
//! loops cut at the loop limit. A one-task case's ring is small, so most
//! spawns are refused (the refusals, and what the handler does with
//! `spawn`'s `false`, must agree too); a two-task case's ring holds every
//! spawn, since which task's spawn a full partition refuses is the
//! schedule's.
//!
//! Compared: every buffer's contents, the run's counts (executed,
//! faulted, spawned, refused, printf lines dropped), each fault's opcode,
//! kind, priority and tenant, the printf lines (as sets: their order
//! across tasks is the schedule's), and why the run stopped.
//!
//! Cases: `VYRE_FUZZ_CASES` (default 16); `VYRE_DIFF_SEED=<seed>` runs
//! that one seed and prints its outcome (a failure names its seed).
//! Without a wgpu adapter the test checks the reference backend alone and
//! says so, unless `VYRE_REQUIRE_GPU=1`.

mod random_gen;
mod support;

use std::sync::Arc;

use proptest::test_runner::{Config, TestRunner};
use random_gen::{Profile, Rng};
use support::variants::{on_every_variant, on_reference};
use vyre_core::gpu::test_context;
use vyre_core::ir::{Access, AtomicOp, BufferKind, CtxValue, Expr, HandlerBuilder, ScalarType};
use vyre_core::lower::{wgsl_with, LowerOptions};
use vyre_core::program::{OpcodeHandler, Program, ProgramConfig};
use vyre_core::{Priority, Runtime};

use ScalarType::{Bool, F32, I32, I64, U32, U64};

const RANDOM: u32 = 0x42;
const SINK: u32 = 0x43;
const SECOND: u32 = 0x44;

/// The program buffer a random handler's buffer `base` is. The second
/// random handler writes buffers of its own (`x` and the first's name)
/// and shares the others with the first, which only reads them. With no
/// `f32` in the profiles each handler has six buffers, so a two-task
/// program declares eleven: with vyre's ring, control, inboxes and
/// indirect arguments, within the 16 storage buffers a GL adapter allows
/// a shader stage.
fn program_buffer(second: bool, base: &str) -> String {
    match base {
        "wu" | "wi" | "au" | "ai" if second => format!("x{base}"),
        _ => base.to_string(),
    }
}

/// What the random handler may use when it names a sink of two words.
const NARROW_SINK: Profile = Profile {
    types: &[Bool, U32, I32, U64, I64],
    ctx: &[CtxValue::Tenant, CtxValue::Priority],
    args: &[("a", U32), ("b", I32), ("c", U64), ("d", Bool)],
    spawn_opcode: SINK,
    spawn_args: &[U32, Bool],
    shutdown: false,
    tame: true,
};

/// The same with a sink of seven words (wider than the random handler's
/// five).
const WIDE_SINK: Profile = Profile {
    spawn_args: &[U64, I32, Bool, I64, U32],
    ..NARROW_SINK
};

/// The second random handler's arguments: three words.
const SECOND_ARGS: &[(&str, ScalarType)] = &[("p", U64), ("q", Bool)];
const SECOND_NARROW: Profile = Profile {
    args: SECOND_ARGS,
    ..NARROW_SINK
};
const SECOND_WIDE: Profile = Profile {
    args: SECOND_ARGS,
    ..WIDE_SINK
};

/// The shape of a case, from its seed.
struct Shape {
    /// The sink is wider than the random handlers.
    wide: bool,
    /// The second random handler runs too.
    two: bool,
}

fn shape(seed: u64) -> Shape {
    Shape {
        wide: seed % 2 == 1,
        two: seed % 4 >= 2 && (seed >> 2) % 2 == 1,
    }
}

/// The sink: `sink[0] += 1` and `sink[1] += ` a mix of its argument
/// words, atomically (the same totals in any order).
fn sink(args: &[ScalarType]) -> OpcodeHandler {
    let mut h = HandlerBuilder::new(SINK, "sink");
    let counts = h.buffer("sink", U32, Access::Atomic);
    let vars: Vec<_> = args
        .iter()
        .enumerate()
        .map(|(k, &t)| h.arg(&format!("s{k}"), t))
        .collect();
    h.body(|b| {
        // Every word: a 64-bit argument's high word too.
        let mut words: Vec<Expr> = Vec::new();
        for (v, t) in vars.iter().zip(args) {
            words.push(Expr::from(*v).cast(U32));
            if matches!(t, U64 | I64) {
                words.push((Expr::from(*v) >> Expr::lit(32u32)).cast(U32));
            }
        }
        let mut mix = Expr::lit(0u32);
        for (k, word) in words.into_iter().enumerate() {
            mix = (mix * Expr::lit(0x9E37_79B1u32)) ^ (word + Expr::lit(k as u32));
        }
        b.eval(counts.atomic(AtomicOp::FetchAdd, 0u32, Some(Expr::lit(1u32))));
        b.eval(counts.atomic(AtomicOp::FetchAdd, 1u32, Some(mix)));
    });
    h.finish().expect("the sink is valid")
}

/// The case's program. A one-task case's ring is small (spawns get
/// refused); a two-task case's partitions hold 8,192 slots each, more than
/// its two tasks spawn under its loop limit of 500 iterations a task
/// (`run_case` checks that no spawn was refused). The loop
/// limits are well under lavapipe's cut of an invocation's loops (about
/// 65,535 back-edges), which would otherwise end long loops on wgpu alone.
fn program(seed: u64) -> Program {
    let shape = shape(seed);
    let (first, second) = match shape.wide {
        false => (&NARROW_SINK, &SECOND_NARROW),
        true => (&WIDE_SINK, &SECOND_WIDE),
    };
    let config = ProgramConfig {
        workgroup_size: 4,
        slots: if shape.two { 5 * 8_192 } else { 40 },
        inbox_capacity: 16,
        loop_limit: if shape.two { 500 } else { 2_000 },
        printf_capacity: 64,
        ..ProgramConfig::default()
    };
    let mut b = Program::builder(format!("diff_{seed:x}")).config(config);
    b = random_gen::declare_buffers(b, first, |base| Some(program_buffer(false, base)))
        .buffer("sink", BufferKind::atomic(U32))
        .opcode(random_gen::random_handler(
            seed,
            first,
            RANDOM,
            "random",
            |base| program_buffer(false, base),
        ))
        .opcode(sink(first.spawn_args));
    if shape.two {
        let handler =
            random_gen::random_handler(Rng(!seed).next(), second, SECOND, "second", |base| {
                program_buffer(true, base)
            });
        // Only the buffers it does not share with the first.
        let own = |base: &str| {
            let name = program_buffer(true, base);
            (name != program_buffer(false, base)).then_some(name)
        };
        b = random_gen::declare_buffers(b, second, own).opcode(handler);
    }
    b.build().expect("valid program")
}

/// What one run did, with nothing that depends on the schedule.
#[derive(Debug, PartialEq)]
struct Outcome {
    buffers: Vec<(String, Vec<u32>)>,
    counts: [u64; 5],
    faults: Vec<String>,
    printf: Vec<String>,
    stop: String,
}

/// Uploads `words` (bit patterns) into buffer `name` of element `elem`.
fn upload_words(rt: &mut Runtime, name: &str, elem: ScalarType, words: &[u32]) {
    let done = match elem {
        I32 => {
            let h = rt.buffer::<i32>(name).expect("declared");
            rt.upload(h, &words.iter().map(|&w| w as i32).collect::<Vec<_>>())
        }
        F32 => {
            let h = rt.buffer::<f32>(name).expect("declared");
            rt.upload(
                h,
                &words.iter().map(|&w| f32::from_bits(w)).collect::<Vec<_>>(),
            )
        }
        _ => {
            let h = rt.buffer::<u32>(name).expect("declared");
            rt.upload(h, words)
        }
    };
    done.expect("upload");
}

/// Buffer `name` of element `elem` read back as bit patterns.
fn read_words(rt: &mut Runtime, name: &str, elem: ScalarType) -> Vec<u32> {
    match elem {
        I32 => {
            let h = rt.buffer::<i32>(name).expect("declared");
            rt.read(h)
                .expect("read")
                .into_iter()
                .map(|v| v as u32)
                .collect()
        }
        F32 => {
            let h = rt.buffer::<f32>(name).expect("declared");
            rt.read(h)
                .expect("read")
                .into_iter()
                .map(f32::to_bits)
                .collect()
        }
        _ => {
            let h = rt.buffer::<u32>(name).expect("declared");
            rt.read(h).expect("read")
        }
    }
}

/// The case's buffers the random handlers use: name and element type.
fn case_buffers(seed: u64) -> Vec<(String, ScalarType)> {
    let mut all: Vec<(String, ScalarType)> = Vec::new();
    for second in [false, true] {
        if second && !shape(seed).two {
            break;
        }
        for (base, elem, _) in random_gen::buffers_of(&NARROW_SINK) {
            let name = program_buffer(second, base);
            if !all.iter().any(|(n, _)| *n == name) {
                all.push((name, elem));
            }
        }
    }
    all
}

/// Uploads the case's buffers, publishes one task of each random handler
/// and runs them.
fn run_case(rt: &mut Runtime, seed: u64) -> Outcome {
    let mut rng = Rng(seed);
    let mut next = || rng.next();
    // TAME_BUFFER_LEN words each (the handlers' indices stay below it),
    // but in half of the cases one buffer is shorter (0..=15 words: its
    // accesses past the end fault); each word random, small or an edge
    // value.
    let buffers = case_buffers(seed);
    let short = match next() % 2 {
        0 => Some((
            (next() % buffers.len() as u64) as usize,
            (next() % 16) as usize,
        )),
        _ => None,
    };
    for (k, (name, elem)) in buffers.iter().enumerate() {
        let len = match short {
            Some((buffer, len)) if buffer == k => len,
            _ => random_gen::TAME_BUFFER_LEN,
        };
        let words: Vec<u32> = (0..len)
            .map(|_| match next() % 4 {
                0 => (next() % 8) as u32,
                1 => u32::MAX,
                _ => next() as u32,
            })
            .collect();
        upload_words(rt, name, *elem, &words);
    }
    let sink = rt.buffer::<u32>("sink").expect("declared");
    rt.upload(sink, &[0, 0]).expect("upload");
    // The first handler's five words (`u32`, `i32`, `u64`, `bool`), the
    // second's three (`u64`, `bool`); each at a random priority.
    let mut task = |opcode: u32, words: usize| {
        let mut w: Vec<u32> = (0..words).map(|_| next() as u32).collect();
        w[words - 1] %= 2;
        let priority = Priority::ALL[(next() % 5) as usize];
        rt.publish_with(0, priority, opcode, 1, |_, out| out.copy_from_slice(&w))
            .expect("publish");
    };
    task(RANDOM, 5);
    if shape(seed).two {
        task(SECOND, 3);
    }
    let report = rt.run().expect("run");
    let mut buffers: Vec<(String, Vec<u32>)> = case_buffers(seed)
        .into_iter()
        .map(|(name, elem)| {
            let words = read_words(rt, &name, elem);
            (name, words)
        })
        .collect();
    buffers.push(("sink".to_string(), read_words(rt, "sink", U32)));
    let mut faults: Vec<String> = report
        .faults
        .iter()
        .map(|f| {
            format!(
                "opcode {:#x} {:?} priority {} tenant {}",
                f.opcode, f.kind, f.priority, f.tenant
            )
        })
        .collect();
    faults.sort();
    let mut printf = report.printf.clone();
    printf.sort();
    let books = rt.accounting();
    assert!(books.balanced(), "seed {seed:#x}: books {books:?}");
    assert!(
        !shape(seed).two || report.spawn_overflows == 0,
        "seed {seed:#x}: a two-task case's ring must hold every spawn"
    );
    Outcome {
        buffers,
        counts: [
            report.executed,
            report.faults.len() as u64,
            report.spawned,
            report.spawn_overflows,
            report.printf_dropped,
        ],
        faults,
        printf,
        stop: format!("{:?}", report.stop),
    }
}

/// Runs `seed` on the reference and on every wgpu variant and returns
/// the reference's outcome; `Err` says where they differ.
fn check(seed: u64) -> Result<Outcome, String> {
    let p = Arc::new(program(seed));
    let want = run_case(&mut on_reference(&p, 8), seed);
    let Some(ctx) = test_context() else {
        return Ok(want);
    };
    for (options, mut rt) in on_every_variant(&ctx, &p) {
        let got = run_case(&mut rt, seed);
        if got != want {
            return Err(format!(
                "seed {seed:#x} ({options:?}): wgpu differs from the reference\n\
                 reference: {want:#?}\nwgpu: {got:#?}\n\
                 rerun with VYRE_DIFF_SEED={seed}"
            ));
        }
    }
    Ok(want)
}

#[test]
fn random_programs_agree_on_the_reference_and_wgpu() {
    if let Some(seed) = std::env::var("VYRE_DIFF_SEED")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        match check(seed) {
            Ok(outcome) => eprintln!("seed {seed:#x}: {outcome:#?}"),
            Err(msg) => panic!("{msg}"),
        }
        return;
    }
    if test_context().is_none() {
        eprintln!("random_differential: no wgpu adapter; the reference runs alone");
    }
    let cases = std::env::var("VYRE_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(16);
    // No shrinking: a smaller seed is another program, not a smaller one.
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 0,
        ..Config::default()
    });
    // Over all cases: executed, faulted, spawned, refused, printf lines.
    let tally = std::cell::Cell::new([0u64; 5]);
    let result = runner.run(&proptest::prelude::any::<u64>(), |seed| {
        let o = check(seed).map_err(proptest::test_runner::TestCaseError::fail)?;
        let mut t = tally.get();
        for (sum, n) in t.iter_mut().zip([
            o.counts[0],
            o.counts[1],
            o.counts[2],
            o.counts[3],
            o.printf.len() as u64,
        ]) {
            *sum += n;
        }
        tally.set(t);
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    let [executed, faulted, spawned, refused, printed] = tally.get();
    eprintln!(
        "random_differential: {cases} programs: {executed} tasks executed, {faulted} faulted, \
         {spawned} spawned, {refused} spawns refused, {printed} printf lines"
    );
    // The generator's shapes, not luck: across a dozen programs some
    // spawn, some fault and some print.
    if cases >= 12 {
        assert!(
            spawned > 0 && faulted > 0 && printed > 0,
            "{:?}",
            tally.get()
        );
    }
}

#[test]
fn the_programs_reach_the_lowerings_they_are_meant_to_check() {
    // Across a few dozen seeds the programs, lowered in every variant the
    // comparison runs, take every path of the lowering it is there to
    // check: arguments read once
    // for the switch, a spawn deferred to the switch's tail, a constant
    // loop charged without its ticking copy, 64-bit arithmetic, both
    // claim forms' tasks from slots (spawning programs) and the place
    // pass (programs that do not spawn).
    let mut all = String::new();
    let mut placing = 0;
    for seed in 0..64 {
        let p = program(seed);
        placing += usize::from(p.places_and_runs());
        for options in LowerOptions::all() {
            all.push_str(&wgsl_with(&p, &options));
        }
    }
    for needle in [
        "let vy_word4 = ",
        "vy_tail_spawn = ",
        "iterations before: the charge always fits.",
        "vy_w_mul(",
        "vy_u64_shr(",
        "vy_i64_div(",
        "vy_i64_lt(",
        "vy_cas_u_au",
        "vy_printf(",
    ] {
        // Used, not only defined (a library is emitted whole).
        let defined = all.matches(&format!("fn {needle}")).count();
        assert!(
            all.matches(needle).count() > defined,
            "no use of `{needle}` in 64 programs"
        );
    }
    assert!(
        (1..64).contains(&placing),
        "{placing} of 64 programs place and run"
    );
}

//! Host API fuzzing: random sequences of every host call — checked,
//! per-tenant and raw publishing, `run()` under any limits (valid or not),
//! tenant switches, typed buffer handles (write, read, resize, upload,
//! with valid and invalid offsets, lengths, element types and names, and
//! handles that belong to another runtime), and construction with sizes
//! and limits in and out of range — on the reference interpreter for every
//! case and on wgpu (lavapipe in CI) for fewer.
//!
//! The handlers spawn (beyond partition capacity: the rings are tiny),
//! fault in every way, print, shut down, and touch buffers whose lengths
//! the host keeps changing. After **every** step:
//! - nothing panicked;
//! - a call the test's model says is invalid returned the typed error the
//!   model predicts, and a valid call succeeded;
//! - the books balance exactly: `executed + faulted + parked + waiting ==
//!   published + spawned`, with `published` counted by the test itself;
//! - buffer reads return what the model holds (what was written, resized
//!   or uploaded since the contents were last read back);
//! - every run's report agrees with the books and describes each fault
//!   fully (slot in its partition, opcode, code).
//!
//! Spawn overflows are spawn *attempts* refused because the target
//! partition was full: they never became tasks, so they are not part of
//! the invariant (`Accounting::spawn_overflows` counts them apart).
//!
//! At the end of each case every tenant is enabled and the ring drained:
//! nothing may be left waiting or parked, so every published or spawned
//! task was executed or faulted.
//!
//! Cases: `VYRE_FUZZ_CASES` (default 48 on the reference backend; wgpu
//! runs a quarter of them, at least 2).

// The root's test helpers, shared rather than copied.
#[path = "../../tests/common/mod.rs"]
mod common;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::Duration;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use vyre::ir::{Access, BufferKind, HandlerBuilder, ScalarType};
use vyre::prelude::*;
use vyre::program::{OpcodeHandler, ProgramConfig, MAX_SLOTS, MAX_TENANTS, MAX_WORKGROUP_SIZE};
use vyre::{Accounting, Element, RawTask};

const U32: ScalarType = ScalarType::U32;

const WORK: u32 = 1;
const FORK: u32 = 2;
const FAULTY: u32 = 3;
const FLOAT: u32 = 4;
/// Opcode ids the programs do not contain (one in the reserved range).
const STRANGERS: [u32; 3] = [0, 99, 0xFFFF_0001];

/// Cases to run on the reference backend (`VYRE_FUZZ_CASES`).
fn cases() -> u32 {
    std::env::var("VYRE_FUZZ_CASES")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(48)
}

fn runner(cases: u32) -> TestRunner {
    TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    })
}

/// The wgpu backend, created once per test binary (device creation is slow
/// on software drivers); `None` with a printed notice when there is no
/// adapter, a failure with `VYRE_REQUIRE_GPU=1`.
fn wgpu() -> Option<Gpu> {
    static GPU: OnceLock<Option<Gpu>> = OnceLock::new();
    GPU.get_or_init(|| common::wgpu_backend("fuzz_host"))
        .clone()
}

/// Totals over a test, printed at its end (the figures of
/// `docs/reliability.md`).
struct Stats {
    cases: AtomicU64,
    steps: AtomicU64,
    refused: AtomicU64,
    published: AtomicU64,
    runs: AtomicU64,
    executed: AtomicU64,
    faulted: AtomicU64,
    spawned: AtomicU64,
    overflows: AtomicU64,
}

impl Stats {
    const fn new() -> Stats {
        Stats {
            cases: AtomicU64::new(0),
            steps: AtomicU64::new(0),
            refused: AtomicU64::new(0),
            published: AtomicU64::new(0),
            runs: AtomicU64::new(0),
            executed: AtomicU64::new(0),
            faulted: AtomicU64::new(0),
            spawned: AtomicU64::new(0),
            overflows: AtomicU64::new(0),
        }
    }

    fn add(&self, field: &AtomicU64, n: u64) {
        let _ = self;
        field.fetch_add(n, Ordering::Relaxed);
    }

    fn print(&self, test: &str) {
        let g = |f: &AtomicU64| f.load(Ordering::Relaxed);
        eprintln!(
            "{test}: {} cases, {} steps ({} invalid calls refused with typed errors), \
             {} tasks published, {} runs: {} executed, {} faulted, {} spawned, {} spawn overflows",
            g(&self.cases),
            g(&self.steps),
            g(&self.refused),
            g(&self.published),
            g(&self.runs),
            g(&self.executed),
            g(&self.faulted),
            g(&self.spawned),
            g(&self.overflows),
        );
    }
}

// ---- the program under test ---------------------------------------------

/// `work(i, v)`: `hits[0] += 1; data[i] = data[i] + v` — out of bounds
/// whenever the host made the buffers short.
fn work() -> OpcodeHandler {
    let mut h = HandlerBuilder::new(WORK, "work");
    let data = h.buffer("data", U32, Access::ReadWrite);
    let hits = h.buffer("hits", U32, Access::Atomic);
    let i = h.arg("i", U32);
    let v = h.arg("v", U32);
    h.body(|b| {
        b.eval(hits.fetch_add(0u32, 1u32));
        b.store(data, i, data.at(i) + v);
    });
    h.finish().unwrap()
}

/// `fork(depth, fan, prio)`: spawns `fan & 3` children `fork(d - 1, fan,
/// prio)` at priority `prio` while `d = depth & 3 > 0`. Tiny partitions
/// make most of a tree overflow; `prio > 4` faults the first spawn.
fn fork() -> OpcodeHandler {
    let mut h = HandlerBuilder::new(FORK, "fork");
    let depth = h.arg("depth", U32);
    let fan = h.arg("fan", U32);
    let prio = h.arg("prio", U32);
    h.body(|b| {
        let d = b.let_("d", depth & 3u32);
        b.if_(d.gt(0u32), |b| {
            b.for_range("k", 0u32, fan & 3u32, |b, _| {
                b.spawn(prio, FORK, vec![d - 1u32, fan.into(), prio.into()]);
            });
        });
    });
    h.finish().unwrap()
}

/// `faulty(kind, v)`: by `kind`, a user fault, a division by zero, an
/// endless loop, a spawn at priority `v`, a store at `data[v]`, a
/// shutdown, a printf, or nothing.
fn faulty() -> OpcodeHandler {
    let mut h = HandlerBuilder::new(FAULTY, "faulty");
    let data = h.buffer("data", U32, Access::ReadWrite);
    let kind = h.arg("kind", U32);
    let v = h.arg("v", U32);
    type Arm<'a> = Box<dyn FnOnce(&mut vyre::ir::BlockBuilder<'_>) + 'a>;
    let arms: Vec<(Vec<Literal>, Arm<'_>)> = vec![
        (vec![Literal::U32(0)], Box::new(move |b| b.fault(v))),
        (
            vec![Literal::U32(1)],
            Box::new(move |b| b.store(data, 0u32, v / (kind - 1u32))),
        ),
        (vec![Literal::U32(2)], Box::new(|b| b.loop_(|_| {}))),
        (
            vec![Literal::U32(3)],
            Box::new(move |b| {
                b.spawn(v, WORK, vec![0u32.into(), 0u32.into()]);
            }),
        ),
        (
            vec![Literal::U32(4)],
            Box::new(move |b| b.store(data, v, 1u32)),
        ),
        (vec![Literal::U32(5)], Box::new(|b| b.shutdown())),
        (
            vec![Literal::U32(6)],
            Box::new(move |b| b.printf("faulty {} {}", vec![kind.into(), v.into()])),
        ),
    ];
    h.body(|b| b.switch(kind, arms, |_| {}));
    h.finish().unwrap()
}

/// `float(x, on, n)`: `if on { fdata[0] = x * n as f32 }` — bool, f32 and
/// i32 arguments for the type checks.
fn float() -> OpcodeHandler {
    let mut h = HandlerBuilder::new(FLOAT, "float");
    let fdata = h.buffer("fdata", ScalarType::F32, Access::ReadWrite);
    let x = h.arg("x", ScalarType::F32);
    let on = h.arg("on", ScalarType::Bool);
    let n = h.arg("n", ScalarType::I32);
    h.body(|b| b.if_(on, |b| b.store(fdata, 0u32, x * n.cast(ScalarType::F32))));
    h.finish().unwrap()
}

/// Declared buffers: name, kind. `idata` is used by no handler.
const BUFFERS: [(&str, BufferKind); 4] = [
    ("data", BufferKind::plain(U32)),
    ("hits", BufferKind::atomic(U32)),
    ("fdata", BufferKind::plain(ScalarType::F32)),
    ("idata", BufferKind::plain(ScalarType::I32)),
];

/// The small configurations the fuzzer picks from: tiny rings and inboxes
/// so partitions fill, spawns overflow and the host queue backs up.
fn configs() -> [ProgramConfig; 3] {
    [
        ProgramConfig {
            workgroup_size: 2,
            slots: 10,
            tenants: 3,
            inbox_capacity: 4,
            claim_budget: 4,
            iteration_budget: 256,
            loop_limit: 64,
            starvation_limit: 2,
            printf_capacity: 4,
            ..ProgramConfig::default()
        },
        ProgramConfig {
            workgroup_size: 4,
            slots: 23,
            partition_sizes: Some([1, 2, 15, 4, 1]),
            tenants: 2,
            inbox_capacity: 8,
            claim_budget: 64,
            iteration_budget: 1024,
            loop_limit: 40,
            starvation_limit: 0,
            printf_capacity: 2,
        },
        ProgramConfig {
            workgroup_size: 1,
            slots: 5,
            tenants: 1,
            inbox_capacity: 1,
            claim_budget: 1,
            iteration_budget: 16,
            loop_limit: 32,
            starvation_limit: 1,
            printf_capacity: 1,
            ..ProgramConfig::default()
        },
    ]
}

fn program(config: &ProgramConfig) -> Program {
    let mut b = Program::builder("fuzz").config(config.clone());
    for (name, kind) in BUFFERS {
        b = b.buffer(name, kind);
    }
    b.opcode(work())
        .opcode(fork())
        .opcode(faulty())
        .opcode(float())
        .build()
        .unwrap()
}

/// A second program with more buffers, whose handles the fuzzer passes to
/// the runtime under test: handles of another runtime must be refused.
fn other_program() -> Program {
    let mut h = HandlerBuilder::new(1, "noop");
    h.body(|_| {});
    let mut b = Program::builder("other");
    for (i, kind) in [
        BufferKind::plain(ScalarType::F32),
        BufferKind::plain(U32),
        BufferKind::plain(U32),
        BufferKind::plain(U32),
        BufferKind::plain(U32),
        BufferKind::plain(ScalarType::I32),
    ]
    .into_iter()
    .enumerate()
    {
        b = b.buffer(format!("b{i}"), kind);
    }
    b.opcode(h.finish().unwrap()).build().unwrap()
}

// ---- steps ---------------------------------------------------------------

/// An offset or length, resolved against the buffer's current length when
/// the step runs, so that boundaries are hit often.
#[derive(Debug, Clone, Copy)]
enum Extent {
    /// An absolute value.
    At(u64),
    /// The current length plus a small delta (may be past the end).
    End(i8),
}

impl Extent {
    fn resolve(self, len: u64) -> u64 {
        match self {
            Extent::At(v) => v,
            Extent::End(d) => len.saturating_add_signed(d as i64),
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Elem {
    U32,
    I32,
    F32,
}

#[derive(Debug, Clone)]
enum BufOp {
    Write { offset: Extent, words: Vec<u32> },
    Read { offset: Extent, len: Extent },
    ReadAll,
    Resize(Extent),
    Upload(Vec<u32>),
    Len,
}

#[derive(Debug, Clone)]
enum Step {
    /// `publish` (tenant 0) or `publish_for`; `args: None` means the
    /// handler's own argument types filled from `words`.
    Publish {
        /// The same task this many times.
        copies: usize,
        via_publish: bool,
        tenant: u32,
        priority: usize,
        opcode: u32,
        args: Option<Vec<Literal>>,
        words: [u32; 12],
    },
    /// `publish_raw`: unchecked words, possibly an unknown opcode or a
    /// tenant outside the table (faulted by the device).
    PublishRaw {
        priority: usize,
        opcode: u32,
        tenant: u32,
        words: [u32; 12],
    },
    /// Sets limits (valid or not) and runs.
    Run(Option<RunLimits>),
    /// Sets limits only.
    Limits(RunLimits),
    Tenant {
        tenant: u32,
        enabled: bool,
    },
    Buffer {
        name: &'static str,
        elem: Elem,
        op: BufOp,
    },
    /// A handle of the other runtime (by index into its buffers).
    Foreign {
        index: usize,
        op: BufOp,
    },
}

fn word() -> impl Strategy<Value = u32> {
    prop_oneof![
        6 => 0u32..8,
        2 => any::<u32>(),
        1 => Just(u32::MAX),
    ]
}

fn words12() -> impl Strategy<Value = [u32; 12]> {
    prop::array::uniform12(word())
}

fn literal() -> impl Strategy<Value = Literal> {
    prop_oneof![
        any::<bool>().prop_map(Literal::Bool),
        word().prop_map(Literal::U32),
        any::<i32>().prop_map(Literal::I32),
        any::<f32>().prop_map(Literal::F32),
    ]
}

fn extent() -> impl Strategy<Value = Extent> {
    prop_oneof![
        4 => (0u64..24).prop_map(Extent::At),
        4 => (-2i8..=2).prop_map(Extent::End),
        1 => prop_oneof![
            Just(u64::MAX),
            Just(u64::MAX - 1),
            Just(1u64 << 33),
            Just(1u64 << 62),
        ]
        .prop_map(Extent::At),
    ]
}

fn resize_extent() -> impl Strategy<Value = Extent> {
    prop_oneof![
        5 => (0u64..40).prop_map(Extent::At),
        3 => (-2i8..=3).prop_map(Extent::End),
        // Too large for any backend: u32 indices address at most 2^32
        // elements, and no adapter binds 2^35 bytes.
        1 => prop_oneof![Just(u64::MAX), Just(1u64 << 33), Just(1u64 << 40)].prop_map(Extent::At),
    ]
}

fn buf_op() -> impl Strategy<Value = BufOp> {
    prop_oneof![
        4 => (extent(), prop::collection::vec(word(), 0..12))
            .prop_map(|(offset, words)| BufOp::Write { offset, words }),
        3 => (extent(), extent()).prop_map(|(offset, len)| BufOp::Read { offset, len }),
        1 => Just(BufOp::ReadAll),
        2 => resize_extent().prop_map(BufOp::Resize),
        2 => prop::collection::vec(word(), 0..20).prop_map(BufOp::Upload),
        1 => Just(BufOp::Len),
    ]
}

fn limits() -> impl Strategy<Value = RunLimits> {
    (
        prop_oneof![Just(0u64), 1u64..4, Just(64), Just(1 << 20)],
        prop_oneof![
            6 => Just(None),
            1 => Just(Some(Duration::ZERO)),
            1 => Just(Some(Duration::from_millis(2))),
        ],
        prop_oneof![
            Just(0u32),
            1u32..4,
            Just(32),
            Just(4096),
            Just(4097),
            Just(u32::MAX)
        ],
    )
        .prop_map(|(max_rounds, time_limit, per)| RunLimits {
            max_rounds,
            time_limit,
            max_rounds_per_submission: per,
        })
}

fn step() -> impl Strategy<Value = Step> {
    let opcode = prop_oneof![
        4 => prop::sample::select(vec![WORK, FORK, FAULTY, FLOAT]),
        1 => prop::sample::select(STRANGERS.to_vec()),
    ];
    let tenant = prop_oneof![5 => 0u32..3, 1 => 3u32..5, 1 => Just(u32::MAX)];
    prop_oneof![
        10 => (
            prop_oneof![3 => Just(1usize), 1 => 2usize..16],
            any::<bool>(),
            tenant.clone(),
            0usize..5,
            opcode.clone(),
            prop_oneof![
                4 => Just(None),
                1 => prop::collection::vec(literal(), 0..14).prop_map(Some),
            ],
            words12(),
        )
            .prop_map(|(copies, via_publish, tenant, priority, opcode, args, words)| Step::Publish {
                copies,
                via_publish,
                tenant,
                priority,
                opcode,
                args,
                words,
            }),
        3 => (0usize..5, opcode, tenant, words12()).prop_map(|(priority, opcode, tenant, words)| {
            Step::PublishRaw {
                priority,
                opcode,
                tenant,
                words,
            }
        }),
        4 => prop::option::weighted(0.3, limits()).prop_map(Step::Run),
        1 => limits().prop_map(Step::Limits),
        2 => (prop_oneof![4 => 0u32..3, 1 => 3u32..6, 1 => Just(u32::MAX)], any::<bool>())
            .prop_map(|(tenant, enabled)| Step::Tenant { tenant, enabled }),
        6 => (
            prop::sample::select(vec!["data", "hits", "fdata", "idata", "nope", ""]),
            prop_oneof![Just(Elem::U32), Just(Elem::I32), Just(Elem::F32)],
            buf_op(),
        )
            .prop_map(|(name, elem, op)| Step::Buffer { name, elem, op }),
        1 => (0usize..6, buf_op()).prop_map(|(index, op)| Step::Foreign { index, op }),
    ]
}

#[derive(Debug, Clone)]
struct Case {
    config: usize,
    workgroups: u32,
    seed: u64,
    steps: Vec<Step>,
}

fn case(steps: std::ops::Range<usize>, configs: usize) -> impl Strategy<Value = Case> {
    (
        0..configs,
        1u32..4,
        any::<u64>(),
        prop::collection::vec(step(), steps),
    )
        .prop_map(|(config, workgroups, seed, steps)| Case {
            config,
            workgroups,
            seed,
            steps,
        })
}

// ---- the model -----------------------------------------------------------

/// An element type whose values the fuzzer makes from raw words.
trait Bits: Element + Copy + std::fmt::Debug {
    fn from_bits(w: u32) -> Self;
    fn to_bits(self) -> u32;
}
impl Bits for u32 {
    fn from_bits(w: u32) -> Self {
        w
    }
    fn to_bits(self) -> u32 {
        self
    }
}
impl Bits for i32 {
    fn from_bits(w: u32) -> Self {
        w as i32
    }
    fn to_bits(self) -> u32 {
        self as u32
    }
}
impl Bits for f32 {
    fn from_bits(w: u32) -> Self {
        f32::from_bits(w)
    }
    fn to_bits(self) -> u32 {
        f32::to_bits(self)
    }
}

/// What the test knows independently of the runtime.
struct Model {
    program: Program,
    /// Buffer contents as words, by program buffer index.
    contents: Vec<Vec<u32>>,
    tenants: Vec<bool>,
    limits: RunLimits,
    published: u64,
    /// Sums over every report.
    executed: u64,
    faulted: u64,
    spawned: u64,
    overflows: u64,
    reported_published: u64,
    /// Tasks the test expects to have been published with a priority and
    /// tenant (checked: published; unchecked raw tasks too).
    runs: u32,
}

/// The largest length a resize may ask for and still be expected to work.
const SANE_LEN: u64 = 1 << 20;

impl Model {
    fn new(program: Program) -> Model {
        let tenants = vec![true; program.config().tenants as usize];
        Model {
            contents: vec![Vec::new(); program.buffers().len()],
            program,
            tenants,
            limits: RunLimits::default(),
            published: 0,
            executed: 0,
            faulted: 0,
            spawned: 0,
            overflows: 0,
            reported_published: 0,
            runs: 0,
        }
    }

    /// The error `publish_for` must return, if any.
    fn publish_error(&self, tenant: u32, opcode: u32, args: &[Literal]) -> Option<Error> {
        if tenant as usize >= self.tenants.len() {
            return Some(Error::UnknownTenant {
                tenant,
                tenants: self.tenants.len() as u32,
            });
        }
        let Some(h) = self.program.handler_index(opcode) else {
            return Some(Error::UnknownOpcode { id: opcode });
        };
        let h = &self.program.handlers()[h];
        let types = h.arg_types();
        if types.len() != args.len() {
            return Some(Error::ArgumentCount {
                opcode: h.name.clone(),
                expected: types.len(),
                found: args.len(),
            });
        }
        for (index, (a, t)) in args.iter().zip(&types).enumerate() {
            if a.ty() != *t {
                return Some(Error::ArgumentType {
                    opcode: h.name.clone(),
                    index,
                    expected: *t,
                    found: a.ty(),
                });
            }
        }
        None
    }

    fn tenant_error(&self, tenant: u32) -> Option<Error> {
        ((tenant as usize) >= self.tenants.len()).then_some(Error::UnknownTenant {
            tenant,
            tenants: self.tenants.len() as u32,
        })
    }
}

fn limits_valid(l: &RunLimits) -> bool {
    l.max_rounds >= 1 && (1..=4096).contains(&l.max_rounds_per_submission)
}

thread_local! {
    /// Invalid calls refused with the expected typed error, on this thread.
    static REFUSED: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Asserts that `got` is the error `want` (or success when `want` is
/// `None`), naming the step.
fn expect<T: std::fmt::Debug>(what: &str, got: &Result<T, Error>, want: Option<&Error>) {
    match (got, want) {
        (Ok(_), None) => {}
        (Err(e), Some(w)) => {
            assert_eq!(e, w, "{what}: wrong error");
            REFUSED.with(|r| r.set(r.get() + 1));
        }
        (Ok(v), Some(w)) => panic!("{what}: expected {w:?}, got Ok({v:?})"),
        (Err(e), None) => panic!("{what}: expected success, got {e:?}"),
    }
}

/// Asserts that `got` failed with an error of the kind `pred` accepts.
fn expect_err<T: std::fmt::Debug>(
    what: &str,
    got: &Result<T, Error>,
    pred: impl Fn(&Error) -> bool,
) {
    match got {
        Err(e) if pred(e) => REFUSED.with(|r| r.set(r.get() + 1)),
        other => panic!("{what}: unexpected {other:?}"),
    }
}

// ---- the driver ----------------------------------------------------------

struct Driver {
    stats: &'static Stats,
    rt: Runtime,
    model: Model,
    other: Runtime,
    backend: &'static str,
}

impl Driver {
    fn new(gpu: &Gpu, config: &ProgramConfig, stats: &'static Stats) -> Driver {
        let program = program(config);
        let mut rt = Runtime::new(gpu, program.clone()).expect("runtime");
        let other = Runtime::new(&Gpu::reference(), other_program()).expect("other runtime");
        let mut model = Model::new(program);
        // Start with room for the handlers' accesses; steps change it.
        let data = rt.buffer::<u32>("data").unwrap();
        rt.upload(data, &[0; 8]).unwrap();
        let hits = rt.buffer::<u32>("hits").unwrap();
        rt.upload(hits, &[0; 2]).unwrap();
        let fdata = rt.buffer::<f32>("fdata").unwrap();
        rt.upload(fdata, &[0.0; 2]).unwrap();
        let idata = rt.buffer::<i32>("idata").unwrap();
        rt.upload(idata, &[1, -2, 3]).unwrap();
        model.contents = vec![
            vec![0; 8],
            vec![0; 2],
            vec![0; 2],
            vec![1, (-2i32) as u32, 3],
        ];
        Driver {
            stats,
            backend: if gpu.kind() == BackendKind::Wgpu {
                "wgpu"
            } else {
                "reference"
            },
            rt,
            model,
            other,
        }
    }

    fn check_books(&self, what: &str) {
        let a = self.rt.accounting();
        let m = &self.model;
        assert!(
            a.balanced(),
            "{}: {what}: books do not balance: {a:?}",
            self.backend
        );
        assert_eq!(a.published, m.published, "{what}: published");
        assert_eq!(a.executed, m.executed, "{what}: executed vs the reports");
        assert_eq!(a.faulted, m.faulted, "{what}: faulted vs the reports");
        assert_eq!(a.spawned, m.spawned, "{what}: spawned vs the reports");
        assert_eq!(
            a.spawn_overflows, m.overflows,
            "{what}: overflows vs the reports"
        );
    }

    fn step(&mut self, i: usize, step: &Step) {
        let what = format!("step {i} {step:?}");
        self.stats.add(&self.stats.steps, 1);
        match step {
            Step::Publish {
                copies,
                via_publish,
                tenant,
                priority,
                opcode,
                args,
                words,
            } => {
                let args = match args {
                    Some(a) => a.clone(),
                    None => match self.model.program.handler_index(*opcode) {
                        Some(h) => self.model.program.handlers()[h]
                            .arg_types()
                            .iter()
                            .zip(words)
                            .map(|(t, w)| Literal::from_word(*t, *w))
                            .collect(),
                        None => vec![],
                    },
                };
                let tenant = if *via_publish { 0 } else { *tenant };
                let want = self.model.publish_error(tenant, *opcode, &args);
                let task = Task::new(*opcode, args);
                let prio = Priority::ALL[*priority];
                for _ in 0..*copies {
                    let got = if *via_publish {
                        self.rt.publish(prio, task.clone())
                    } else {
                        self.rt.publish_for(tenant, prio, task.clone())
                    };
                    expect(&what, &got, want.as_ref());
                    if got.is_ok() {
                        self.model.published += 1;
                        self.stats.add(&self.stats.published, 1);
                    }
                }
            }
            Step::PublishRaw {
                priority,
                opcode,
                tenant,
                words,
            } => {
                self.rt.publish_raw(
                    Priority::ALL[*priority],
                    RawTask {
                        opcode: *opcode,
                        tenant: *tenant,
                        args: *words,
                    },
                );
                self.model.published += 1;
                self.stats.add(&self.stats.published, 1);
            }
            Step::Limits(l) => self.set_limits(&what, l),
            Step::Run(l) => {
                if let Some(l) = l {
                    self.set_limits(&what, l);
                }
                self.run(&what);
            }
            Step::Tenant { tenant, enabled } => {
                let want = self.model.tenant_error(*tenant);
                let got = match (i % 3, enabled) {
                    (0, true) => self.rt.enable_tenant(*tenant),
                    (0, false) => self.rt.disable_tenant(*tenant),
                    _ => self.rt.set_tenant_enabled(*tenant, *enabled),
                };
                expect(&what, &got, want.as_ref());
                if got.is_ok() {
                    self.model.tenants[*tenant as usize] = *enabled;
                }
                let q = self.rt.tenant_enabled(*tenant);
                expect(&what, &q, want.as_ref());
                if let Ok(q) = q {
                    assert_eq!(q, *enabled, "{what}: tenant_enabled");
                }
            }
            Step::Buffer { name, elem, op } => match elem {
                Elem::U32 => self.buffer::<u32>(&what, name, op),
                Elem::I32 => self.buffer::<i32>(&what, name, op),
                Elem::F32 => self.buffer::<f32>(&what, name, op),
            },
            Step::Foreign { index, op } => {
                let name = format!("b{index}");
                match index {
                    0 => {
                        let h = self.other.buffer::<f32>(&name).unwrap();
                        self.foreign(&what, h, op)
                    }
                    5 => {
                        let h = self.other.buffer::<i32>(&name).unwrap();
                        self.foreign(&what, h, op)
                    }
                    _ => {
                        let h = self.other.buffer::<u32>(&name).unwrap();
                        self.foreign(&what, h, op)
                    }
                }
            }
        }
        self.check_books(&what);
    }

    fn set_limits(&mut self, what: &str, l: &RunLimits) {
        let got = self.rt.set_limits(*l);
        if limits_valid(l) {
            expect(what, &got, None);
            self.model.limits = *l;
        } else {
            expect_err(what, &got, |e| matches!(e, Error::InvalidRunOption { .. }));
        }
        assert_eq!(self.rt.limits(), self.model.limits, "{what}: limits");
    }

    fn run(&mut self, what: &str) -> RunReport {
        let before = self.rt.accounting();
        let r = match self.rt.run() {
            Ok(r) => r,
            Err(e) => panic!("{}: {what}: run failed: {e}", self.backend),
        };
        self.model.runs += 1;
        let st = self.stats;
        st.add(&st.runs, 1);
        st.add(&st.executed, r.executed);
        st.add(&st.faulted, r.faults.len() as u64);
        st.add(&st.spawned, r.spawned);
        st.add(&st.overflows, r.spawn_overflows);
        self.check_report(what, &r, &before);
        self.model.executed += r.executed;
        self.model.faulted += r.faults.len() as u64;
        self.model.spawned += r.spawned;
        self.model.overflows += r.spawn_overflows;
        self.model.reported_published += r.published;
        self.resync(what);
        r
    }

    /// Reads every buffer back: handlers changed them.
    fn resync(&mut self, what: &str) {
        for (i, (name, kind)) in BUFFERS.iter().enumerate() {
            let words: Vec<u32> = match kind.elem {
                ScalarType::U32 => {
                    let h = self.rt.buffer::<u32>(name).unwrap();
                    self.rt.read(h).unwrap()
                }
                ScalarType::I32 => {
                    let h = self.rt.buffer::<i32>(name).unwrap();
                    self.rt
                        .read(h)
                        .unwrap()
                        .into_iter()
                        .map(|v| v as u32)
                        .collect()
                }
                _ => {
                    let h = self.rt.buffer::<f32>(name).unwrap();
                    self.rt
                        .read(h)
                        .unwrap()
                        .into_iter()
                        .map(f32::to_bits)
                        .collect()
                }
            };
            assert_eq!(
                words.len(),
                self.model.contents[i].len(),
                "{what}: a run changed the length of `{name}`"
            );
            if *name == "idata" {
                // No handler touches it.
                assert_eq!(words, self.model.contents[i], "{what}: idata changed");
            }
            self.model.contents[i] = words;
        }
    }

    fn check_report(&self, what: &str, r: &RunReport, before: &Accounting) {
        let config = self.model.program.config();
        let after = self.rt.accounting();
        assert_eq!(r.executed, after.executed - before.executed, "{what}");
        assert_eq!(
            r.faults.len() as u64,
            after.faulted - before.faulted,
            "{what}"
        );
        assert_eq!(r.spawned, after.spawned - before.spawned, "{what}");
        assert_eq!(
            r.spawn_overflows,
            after.spawn_overflows - before.spawn_overflows,
            "{what}"
        );
        assert_eq!(
            r.published,
            after.published - self.model.reported_published,
            "{what}"
        );
        assert_eq!(
            (r.parked, r.waiting),
            (after.parked, after.waiting),
            "{what}"
        );
        let by_op: u64 = r.executed_by_opcode.iter().map(|c| c.executed).sum();
        let by_prio: u64 = r.executed_by_priority.iter().sum();
        assert_eq!(
            (by_op, by_prio),
            (r.executed, r.executed),
            "{what}: per-opcode/priority sums"
        );
        assert!(r.rounds >= 1 && r.submissions >= 1, "{what}: {r:?}");
        if self.model.limits.time_limit.is_none() {
            assert!(
                r.rounds <= self.model.limits.max_rounds,
                "{what}: round limit"
            );
        }
        if r.stop == StopReason::Idle && self.model.tenants.iter().all(|&e| e) {
            assert_eq!(
                (r.waiting, r.parked),
                (0, 0),
                "{}: {what}: idle with runnable work left; report {r:?}",
                self.backend
            );
        }
        let parts = config.partitions();
        for f in &r.faults {
            assert!(f.slot < config.slots, "{what}: {f:?}");
            let (start, size) = parts[f.priority as usize];
            assert!(
                f.slot >= start && f.slot < start + size,
                "{what}: fault slot outside its priority's partition: {f:?}"
            );
            let known = self.model.program.handler_index(f.opcode);
            assert_eq!(
                f.opcode_name.as_deref(),
                known.map(|h| self.model.program.handlers()[h].name.as_str()),
                "{what}: {f:?}"
            );
            assert_eq!(
                f.lane == u32::MAX,
                f.kind == FaultKind::BadTenant,
                "{what}: {f:?}"
            );
            match f.kind {
                FaultKind::BadTenant => assert!(f.tenant >= config.tenants, "{what}: {f:?}"),
                FaultKind::UnknownOpcode => assert!(known.is_none(), "{what}: {f:?}"),
                FaultKind::LoopLimit { limit } => {
                    assert_eq!(limit, config.loop_limit, "{what}: {f:?}")
                }
                FaultKind::OutOfBounds { .. }
                | FaultKind::DivideByZero
                | FaultKind::User { .. } => {
                    assert!(known.is_some(), "{what}: {f:?}")
                }
                FaultKind::BadPriority { priority } => assert!(priority > 4, "{what}: {f:?}"),
                // The fuzzer's loop limits and budgets stay far below any
                // driver's loop cap (lavapipe's 65,535 back-edges).
                FaultKind::LoopCut { .. } => {
                    panic!("{what}: the driver cut a loop at fuzzer sizes: {f:?}")
                }
                FaultKind::Unknown { .. } => panic!("{what}: undecodable fault {f:?}"),
            }
            if f.kind != FaultKind::BadTenant {
                assert!(f.tenant < config.tenants, "{what}: {f:?}");
            }
        }
        for line in &r.printf {
            assert!(
                line.starts_with("faulty 6 "),
                "{what}: printf line {line:?}"
            );
        }
    }

    /// Runs until nothing is left, every tenant enabled: every task was
    /// executed or faulted.
    fn drain(&mut self) {
        for t in 0..self.model.tenants.len() as u32 {
            self.rt.enable_tenant(t).unwrap();
            self.model.tenants[t as usize] = true;
        }
        self.rt.set_limits(RunLimits::default()).unwrap();
        self.model.limits = RunLimits::default();
        for attempt in 0.. {
            let r = self.run("drain");
            self.check_books("drain");
            if r.stop == StopReason::Idle {
                break;
            }
            assert!(
                r.stop == StopReason::Shutdown && attempt < 200,
                "drain: {r:?}"
            );
        }
        let a = self.rt.accounting();
        assert_eq!(
            (a.waiting, a.parked),
            (0, 0),
            "{}: drain left work: {a:?}",
            self.backend
        );
        assert_eq!(a.executed + a.faulted, a.published + a.spawned, "{a:?}");
    }

    fn buffer<T: Bits>(&mut self, what: &str, name: &str, op: &BufOp) {
        let declared = BUFFERS.iter().position(|(n, _)| *n == name);
        let h = self.rt.buffer::<T>(name);
        let index = match declared {
            None => {
                expect_err(
                    what,
                    &h,
                    |e| matches!(e, Error::UnknownBuffer { name: n, .. } if n == name),
                );
                return;
            }
            Some(i) if BUFFERS[i].1.elem != T::TYPE => {
                expect_err(what, &h, |e| matches!(e, Error::BufferType { .. }));
                return;
            }
            Some(i) => i,
        };
        let h = h.unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(h.index(), index);
        let len = self.model.contents[index].len() as u64;
        assert_eq!(self.rt.len(h), len, "{what}: len");
        let range_ok = |offset: u64, n: u64| offset.checked_add(n).is_some_and(|e| e <= len);
        let shadow = &mut self.model.contents[index];
        match op {
            BufOp::Write { offset, words } => {
                let offset = offset.resolve(len);
                let data: Vec<T> = words.iter().map(|&w| T::from_bits(w)).collect();
                let got = self.rt.write(h, offset, &data);
                if range_ok(offset, words.len() as u64) {
                    expect(what, &got, None);
                    let o = offset as usize;
                    shadow[o..o + words.len()].copy_from_slice(words);
                } else {
                    expect_err(what, &got, |e| matches!(e, Error::BufferRange { .. }));
                }
            }
            BufOp::Read { offset, len: n } => {
                let (offset, n) = (offset.resolve(len), n.resolve(len));
                let got = self.rt.read_range(h, offset, n);
                if range_ok(offset, n) {
                    let got: Vec<u32> = got
                        .unwrap_or_else(|e| panic!("{what}: {e}"))
                        .into_iter()
                        .map(T::to_bits)
                        .collect();
                    assert_eq!(
                        got,
                        shadow[offset as usize..(offset + n) as usize],
                        "{what}"
                    );
                } else {
                    expect_err(what, &got, |e| matches!(e, Error::BufferRange { .. }));
                }
            }
            BufOp::ReadAll => {
                let got: Vec<u32> = self
                    .rt
                    .read(h)
                    .unwrap_or_else(|e| panic!("{what}: {e}"))
                    .into_iter()
                    .map(T::to_bits)
                    .collect();
                assert_eq!(&got, shadow, "{what}");
            }
            BufOp::Resize(n) => {
                let n = n.resolve(len);
                let got = self.rt.resize(h, n);
                if n <= SANE_LEN {
                    expect(what, &got, None);
                    shadow.resize(n as usize, 0);
                } else {
                    expect_err(what, &got, |e| matches!(e, Error::BufferTooLarge { .. }));
                }
            }
            BufOp::Upload(words) => {
                let data: Vec<T> = words.iter().map(|&w| T::from_bits(w)).collect();
                expect(what, &self.rt.upload(h, &data), None);
                *shadow = words.clone();
            }
            BufOp::Len => {}
        }
        assert_eq!(
            self.rt.len(h),
            self.model.contents[index].len() as u64,
            "{what}: len after"
        );
    }

    /// Every fallible call with a handle of another runtime is refused,
    /// and no buffer changes.
    fn foreign<T: Bits>(&mut self, what: &str, h: BufferHandle<T>, op: &BufOp) {
        let foreign = |e: &Error| matches!(e, Error::ForeignBuffer { .. });
        match op {
            BufOp::Write { offset, words } => {
                let data: Vec<T> = words.iter().map(|&w| T::from_bits(w)).collect();
                expect_err(what, &self.rt.write(h, offset.resolve(0), &data), foreign);
            }
            BufOp::Read { offset, len } => {
                let got = self.rt.read_range(h, offset.resolve(0), len.resolve(0));
                expect_err(what, &got, foreign);
            }
            BufOp::ReadAll => expect_err(what, &self.rt.read(h), foreign),
            BufOp::Resize(n) => expect_err(what, &self.rt.resize(h, n.resolve(0)), foreign),
            BufOp::Upload(words) => {
                let data: Vec<T> = words.iter().map(|&w| T::from_bits(w)).collect();
                expect_err(what, &self.rt.upload(h, &data), foreign);
            }
            BufOp::Len => {
                let _ = self.rt.len(h);
            }
        }
        // Nothing changed.
        for (i, (name, kind)) in BUFFERS.iter().enumerate() {
            let len = match kind.elem {
                ScalarType::U32 => self.rt.len(self.rt.buffer::<u32>(name).unwrap()),
                ScalarType::I32 => self.rt.len(self.rt.buffer::<i32>(name).unwrap()),
                _ => self.rt.len(self.rt.buffer::<f32>(name).unwrap()),
            };
            assert_eq!(len, self.model.contents[i].len() as u64, "{what}: `{name}`");
        }
    }
}

fn exercise(gpu: &Gpu, case: &Case, stats: &'static Stats) {
    stats.add(&stats.cases, 1);
    let configs = configs();
    let mut d = Driver::new(gpu, &configs[case.config], stats);
    d.check_books("new");
    for (i, s) in case.steps.iter().enumerate() {
        d.step(i, s);
    }
    d.drain();
    stats.add(&stats.refused, REFUSED.with(|r| r.replace(0)));
}

static REFERENCE_STATS: Stats = Stats::new();
static WGPU_STATS: Stats = Stats::new();

#[test]
fn random_host_calls_on_the_reference_backend() {
    let mut runner = runner(cases());
    runner
        .run(&case(1..64, configs().len()), |case| {
            let gpu = Gpu::reference()
                .with_workgroups(case.workgroups)
                .with_seed(case.seed);
            exercise(&gpu, &case, &REFERENCE_STATS);
            Ok(())
        })
        .unwrap();
    REFERENCE_STATS.print("host fuzz, reference");
}

#[test]
fn random_host_calls_on_wgpu() {
    let Some(gpu) = wgpu() else { return };
    let mut runner = runner((cases() / 4).max(2));
    // Two configurations only: each new one compiles its pipelines.
    runner
        .run(&case(1..32, 2), |case| {
            let gpu = gpu.clone().with_workgroups(case.workgroups);
            exercise(&gpu, &case, &WGPU_STATS);
            Ok(())
        })
        .unwrap();
    WGPU_STATS.print("host fuzz, wgpu");
}

// ---- construction --------------------------------------------------------

/// A configuration in range: mostly small, sometimes at a bound.
fn valid_config() -> impl Strategy<Value = ProgramConfig> {
    let pow2 = |max_log: u32| (0..=max_log).prop_map(|l| 1u32 << l);
    (
        prop_oneof![4 => 1u32..9, 1 => Just(MAX_WORKGROUP_SIZE)],
        prop_oneof![
            2 => (5u32..60).prop_map(|s| (s, None)),
            1 => prop::array::uniform5(1u32..12).prop_map(|p| (p.iter().sum(), Some(p))),
        ],
        prop_oneof![4 => 1u32..5, 1 => Just(MAX_TENANTS)],
        prop_oneof![4 => pow2(6), 1 => Just(1 << 20)],
        (
            prop_oneof![4 => 1u32..100, 1 => Just(1 << 20)],
            prop_oneof![4 => 1u32..1000, 1 => Just(1 << 30)],
            prop_oneof![4 => 1u32..1000, 1 => Just(1 << 30)],
        ),
        (any::<u32>(), prop_oneof![4 => 1u32..64, 1 => Just(1 << 20)]),
    )
        .prop_map(
            |(workgroup_size, (slots, partition_sizes), tenants, inbox_capacity, budgets, rest)| {
                ProgramConfig {
                    workgroup_size,
                    slots,
                    partition_sizes,
                    tenants,
                    inbox_capacity,
                    claim_budget: budgets.0,
                    iteration_budget: budgets.1,
                    loop_limit: budgets.2,
                    starvation_limit: rest.0,
                    printf_capacity: rest.1,
                }
            },
        )
}

/// A configuration with up to two fields set to values at or past their
/// bounds (half the time none).
fn config() -> impl Strategy<Value = ProgramConfig> {
    let bad = prop_oneof![
        Just(0u32),
        Just(1),
        Just(3),
        Just(4),
        Just(MAX_WORKGROUP_SIZE + 1),
        Just(MAX_TENANTS + 1),
        Just(MAX_SLOTS),
        Just(MAX_SLOTS + 1),
        Just((1 << 20) + 1),
        Just((1 << 30) + 1),
        Just(u32::MAX),
        any::<u32>(),
    ];
    let mutation = (
        0usize..11,
        bad,
        prop::array::uniform5(prop_oneof![Just(0u32), 1u32..12, Just(u32::MAX)]),
    );
    (
        valid_config(),
        prop::collection::vec(mutation, 0..3),
        any::<bool>(),
    )
        .prop_map(|(mut c, mutations, keep)| {
            if keep {
                return c;
            }
            for (field, v, sizes) in mutations {
                match field {
                    0 => c.workgroup_size = v,
                    1 => c.slots = v,
                    2 => c.partition_sizes = Some(sizes),
                    3 => c.tenants = v,
                    4 => c.inbox_capacity = v,
                    5 => c.claim_budget = v,
                    6 => c.iteration_budget = v,
                    7 => c.loop_limit = v,
                    8 => c.starvation_limit = v,
                    9 => c.printf_capacity = v,
                    _ => c.partition_sizes = None,
                }
            }
            c
        })
}

/// The test's own reading of `ProgramConfig`'s documented ranges.
fn config_valid(c: &ProgramConfig) -> bool {
    let within = |v: u32, max: u32| (1..=max).contains(&v);
    within(c.workgroup_size, MAX_WORKGROUP_SIZE)
        && (5..=MAX_SLOTS).contains(&c.slots)
        && c.partition_sizes.is_none_or(|s| {
            !s.contains(&0) && s.iter().map(|&v| v as u64).sum::<u64>() == c.slots as u64
        })
        && within(c.tenants, MAX_TENANTS)
        && c.inbox_capacity.is_power_of_two()
        && within(c.inbox_capacity, MAX_SLOTS)
        && within(c.claim_budget, 1 << 20)
        && within(c.iteration_budget, 1 << 30)
        && within(c.loop_limit, 1 << 30)
        && within(c.printf_capacity, 1 << 20)
}

/// Configurations small enough to instantiate in a test.
fn config_small(c: &ProgramConfig) -> bool {
    c.slots <= 64 && c.inbox_capacity <= 64 && c.printf_capacity <= 1024 && c.loop_limit <= 4096
}

#[test]
fn construction_with_any_sizes_and_limits() {
    let mut runner = runner(cases() * 8);
    let built = std::cell::Cell::new(0u32);
    runner
        .run(
            &(
                config(),
                prop_oneof![
                    Just(0u32),
                    1u32..5,
                    Just(65_535),
                    Just(65_536),
                    Just(u32::MAX)
                ],
                limits(),
            ),
            |(c, workgroups, limits)| {
                let valid = config_valid(&c);
                let v = c.validate();
                assert_eq!(v.is_ok(), valid, "{c:?}: {v:?}");
                let mut b = Program::builder("config").config(c.clone());
                for (name, kind) in BUFFERS {
                    b = b.buffer(name, kind);
                }
                let p = b
                    .opcode(work())
                    .opcode(fork())
                    .opcode(faulty())
                    .opcode(float())
                    .build();
                match (&p, &v) {
                    (Err(e), Err(v)) => assert_eq!(e, v),
                    (Ok(_), Ok(())) => {}
                    _ => panic!("{c:?}: build {p:?} but validate {v:?}"),
                }
                let Ok(p) = p else { return Ok(()) };
                if !config_small(&c) {
                    return Ok(());
                }
                // Only small lane counts are worth instantiating on a CPU.
                let wg_ok = (1..=65_535).contains(&workgroups);
                let lanes = workgroups as u64 * c.workgroup_size as u64;
                if wg_ok && lanes > 4096 {
                    return Ok(());
                }
                let gpu = Gpu::reference().with_workgroups(workgroups);
                let rt = Runtime::new(&gpu, p);
                let mut rt = match (rt, wg_ok) {
                    (Ok(rt), true) => rt,
                    (
                        Err(Error::InvalidRunOption {
                            option: "workgroups",
                            ..
                        }),
                        false,
                    ) => return Ok(()),
                    (rt, _) => panic!("{c:?} with {workgroups} workgroups: {rt:?}"),
                };
                built.set(built.get() + 1);
                let got = rt.set_limits(limits);
                assert_eq!(got.is_ok(), limits_valid(&limits), "{limits:?}: {got:?}");
                rt.publish(
                    Priority::Low,
                    Task::new(FORK, [2u32, 2, 3].map(Literal::U32)),
                )
                .unwrap();
                rt.publish(
                    Priority::High,
                    Task::new(FAULTY, [2u32, 0].map(Literal::U32)),
                )
                .unwrap();
                rt.set_limits(RunLimits::default()).unwrap();
                let r = rt.run().unwrap();
                assert!(rt.accounting().balanced(), "{:?}", rt.accounting());
                assert_eq!(r.stop, StopReason::Idle, "{r:?}");
                assert_eq!(r.waiting + r.parked, 0, "{r:?}");
                // The endless loop faults; with a tiny loop limit so may a
                // fork's `for`.
                assert!(r.faults.iter().any(|f| f.opcode == FAULTY), "{r:?}");
                assert!(
                    r.faults
                        .iter()
                        .all(|f| matches!(f.kind, FaultKind::LoopLimit { .. })),
                    "{r:?}"
                );
                Ok(())
            },
        )
        .unwrap();
    eprintln!(
        "construction: {} small valid configurations instantiated and run",
        built.get()
    );
}

#[test]
fn wgpu_refuses_invalid_workgroups_with_typed_errors() {
    let Some(gpu) = wgpu() else { return };
    let p = program(&configs()[0]);
    for wg in [0, 65_536, u32::MAX] {
        let r = Runtime::new(&gpu.clone().with_workgroups(wg), p.clone());
        assert!(
            matches!(
                r,
                Err(Error::InvalidRunOption {
                    option: "workgroups",
                    ..
                })
            ),
            "{wg}: {r:?}"
        );
    }
}

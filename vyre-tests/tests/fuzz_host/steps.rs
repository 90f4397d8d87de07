//! The host calls the fuzzer makes ([`Step`]) and their proptest
//! strategies, down to offsets and lengths relative to the current buffer
//! length ([`Extent`]) so that boundaries are hit often.

use std::time::Duration;

use proptest::prelude::*;
use vyre::prelude::*;

use crate::program::{FAULTY, FLOAT, FORK, STRANGERS, WORK};

/// An offset or length, resolved against the buffer's current length when
/// the step runs, so that boundaries are hit often.
#[derive(Debug, Clone, Copy)]
pub enum Extent {
    /// An absolute value.
    At(u64),
    /// The current length plus a small delta (may be past the end).
    End(i8),
}

impl Extent {
    pub fn resolve(self, len: u64) -> u64 {
        match self {
            Extent::At(v) => v,
            Extent::End(d) => len.saturating_add_signed(d as i64),
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub enum Elem {
    U32,
    I32,
    F32,
}

#[derive(Debug, Clone)]
pub enum BufOp {
    Write { offset: Extent, words: Vec<u32> },
    Read { offset: Extent, len: Extent },
    ReadAll,
    Resize(Extent),
    Upload(Vec<u32>),
    Len,
}

#[derive(Debug, Clone)]
pub enum Step {
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
    /// `publish_with`: `count` tasks at once, task `k`'s argument words
    /// `words` plus `k` (large counts take the device's bulk path, whole
    /// entries or argument words alone, or the host queue).
    PublishWith {
        tenant: u32,
        priority: usize,
        opcode: u32,
        count: usize,
        words: [u32; 12],
    },
    /// `set_partition_sizes`: the ring's slots shared by `weights` (each
    /// partition at least one slot), or, when `bad`, sizes with a zero or
    /// a sum off by `bad`.
    Partitions {
        weights: [u8; 5],
        bad: Option<i8>,
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

pub fn word() -> impl Strategy<Value = u32> {
    prop_oneof![
        6 => 0u32..8,
        2 => any::<u32>(),
        1 => Just(u32::MAX),
    ]
}

pub fn words12() -> impl Strategy<Value = [u32; 12]> {
    prop::array::uniform12(word())
}

pub fn literal() -> impl Strategy<Value = Literal> {
    prop_oneof![
        any::<bool>().prop_map(Literal::Bool),
        word().prop_map(Literal::U32),
        any::<i32>().prop_map(Literal::I32),
        any::<f32>().prop_map(Literal::F32),
    ]
}

pub fn extent() -> impl Strategy<Value = Extent> {
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

pub fn resize_extent() -> impl Strategy<Value = Extent> {
    prop_oneof![
        5 => (0u64..40).prop_map(Extent::At),
        3 => (-2i8..=3).prop_map(Extent::End),
        // Too large for any backend: u32 indices address at most 2^32
        // elements, and no adapter binds 2^35 bytes.
        1 => prop_oneof![Just(u64::MAX), Just(1u64 << 33), Just(1u64 << 40)].prop_map(Extent::At),
    ]
}

pub fn buf_op() -> impl Strategy<Value = BufOp> {
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

pub fn limits() -> impl Strategy<Value = RunLimits> {
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

pub fn step() -> impl Strategy<Value = Step> {
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
        3 => (0usize..5, opcode.clone(), tenant.clone(), words12()).prop_map(|(priority, opcode, tenant, words)| {
            Step::PublishRaw {
                priority,
                opcode,
                tenant,
                words,
            }
        }),
        1 => (
            tenant,
            0usize..5,
            opcode,
            prop_oneof![3 => 1usize..40, 1 => Just(4096usize), 1 => Just(5000usize)],
            words12(),
        )
            .prop_map(|(tenant, priority, opcode, count, words)| Step::PublishWith {
                tenant,
                priority,
                opcode,
                count,
                words,
            }),
        1 => (
            prop::array::uniform5(0u8..8),
            prop::option::weighted(0.3, prop_oneof![Just(0i8), Just(-1), Just(1), Just(5)]),
        )
            .prop_map(|(weights, bad)| Step::Partitions { weights, bad }),
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
pub struct Case {
    pub config: usize,
    pub workgroups: u32,
    pub seed: u64,
    pub steps: Vec<Step>,
}

pub fn case(steps: std::ops::Range<usize>, configs: usize) -> impl Strategy<Value = Case> {
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

//! Construction: random `ProgramConfig`s with fields at, inside and past
//! their bounds, and the test's own reading of the documented ranges.

use proptest::prelude::*;
use vyre::program::{ProgramConfig, MAX_SLOTS, MAX_TENANTS, MAX_WORKGROUP_SIZE};

/// A configuration in range: mostly small, sometimes at a bound.
pub fn valid_config() -> impl Strategy<Value = ProgramConfig> {
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
                    request_slots: rest.1,
                    grow_ring: rest.0 % 2 == 0,
                    auto_dispatch: rest.0 % 3 == 0,
                    sharded: rest.0 % 5 == 0,
                }
            },
        )
}

/// A configuration with up to two fields set to values at or past their
/// bounds (half the time none).
pub fn config() -> impl Strategy<Value = ProgramConfig> {
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
pub fn config_valid(c: &ProgramConfig) -> bool {
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
        && within(c.request_slots, 1 << 16)
}

/// Configurations small enough to instantiate in a test.
pub fn config_small(c: &ProgramConfig) -> bool {
    c.slots <= 64 && c.inbox_capacity <= 64 && c.printf_capacity <= 1024 && c.loop_limit <= 4096
}

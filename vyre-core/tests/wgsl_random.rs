//! Random well-typed handler bodies, built through `HandlerBuilder`,
//! lower to WGSL that naga accepts.
//!
//! A seed drives the deterministic generator of `random_gen/` (proptest
//! supplies and shrinks the seed), here with every construct and type of
//! the language (`random_gen::EVERYTHING`).

mod random_gen;
mod wgsl_common;

use proptest::prelude::*;
use vyre_core::ir::{ArrayInit, Expr, HandlerBuilder, ScalarType};
use vyre_core::program::Program;
use wgsl_common::{check_loop_guards, validate_source};

use ScalarType::U32;

const OPCODE: u32 = 0x42;

/// A program with one random handler (seeded) over every buffer kind,
/// using every construct of the language.
fn random_program(seed: u64) -> Program {
    let handler = random_gen::random_handler(
        seed,
        &random_gen::EVERYTHING,
        OPCODE,
        "random",
        str::to_string,
    );
    random_gen::declare_buffers(
        Program::builder(format!("random_{seed:x}")),
        &random_gen::EVERYTHING,
        |n| Some(n.to_string()),
    )
    .opcode(handler)
    .build()
    .expect("valid program")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_handlers_lower_to_valid_wgsl(seed in any::<u64>()) {
        let program = random_program(seed);
        let src = program.wgsl();
        if let Err(msg) = validate_source(&src) {
            prop_assert!(false, "seed {seed:#x}:\n{msg}");
        }
        if let Err(msg) = check_loop_guards(&src) {
            prop_assert!(false, "seed {seed:#x}: {msg}");
        }
        // Without naga's loop bounding and division guards too.
        wgsl_common::prove_every_variant(&program);
    }
}

#[test]
fn generator_covers_the_language() {
    // Across a few seeds the generator emits every statement kind that
    // matters for the lowering.
    let mut all = String::new();
    for seed in 0..64 {
        all.push_str(&random_program(seed).wgsl());
    }
    for needle in [
        "== vy_LOOP_RUNNING && ",
        "continuing {",
        "vy_LOOP_RETURN; continue;",
        "fn vy_spawn_",
        "vy_printf(",
        "vy_fail(vy_FAULT_USER",
        "vy_shutdown();",
        "} else if ",
        "vy_cas_u_a",
        "vy_div_",
        "vy_rem_",
        "vy_f32_bits(",
        "var vy_t",
        // Local arrays of every element type, read and written with
        // their bounds checks.
        "> = array<bool, ",
        "> = array<u32, ",
        "> = array<i32, ",
        "> = array<f32, ",
        "> = array<vec2<u32>, ",
        "u) { vy_fail(vy_FAULT_OUT_OF_BOUNDS, ",
        "u)];",
        "u)] = ",
    ] {
        assert!(all.contains(needle), "no `{needle}` in 64 random programs");
    }
}

/// Found by this test: a store into a local array at a constant index out
/// of bounds lowered to `a[vy_t0] = …` behind the bounds check, with
/// `let vy_t0 = 5u;`; naga folds the `let` and rejects the constant
/// index even in the branch that never runs. The store's index is now
/// clamped like a read's.
#[test]
fn constant_out_of_bounds_array_store_lowers_to_valid_wgsl() {
    for index in [2u32, 5, u32::MAX] {
        let mut h = HandlerBuilder::new(OPCODE, "store_oob");
        h.body(|bb| {
            let a = bb.let_array("a", U32, 2, true, ArrayInit::Repeat(Expr::lit(0u32)));
            bb.store_index(a, index, 1u32);
        });
        let program = Program::builder("store_oob")
            .opcode(h.finish().expect("valid"))
            .build()
            .expect("valid program");
        if let Err(msg) = validate_source(&program.wgsl()) {
            panic!("index {index}:\n{msg}");
        }
    }
}

//! Loops a driver may cut (`lower/handler.rs`, "Loops a driver may cut"):
//! the lowering guards every loop so that a loop the driver stops is a
//! LOOP_CUT fault, never a silent wrong result, and the unguarded variant
//! still validates.

mod wgsl_common;

use vyre_core::ir::{Access, BufferKind, Expr, HandlerBuilder, ScalarType};
use vyre_core::program::Program;
use wgsl_common::{check_loop_guards, handler_text, lower_and_validate};

use wgsl_common::fixtures::{bfs, sink_program};
use wgsl_common::{finish, program};
use ScalarType::U32;

/// `for i in 0..n { while acc < i { if acc == 99 { return; } acc += 1;
/// if acc == 50 { break; } } } out[0] = acc;`
fn cut_candidate() -> Program {
    let mut h = HandlerBuilder::new(9, "spin");
    let out = h.buffer("out", U32, Access::ReadWrite);
    let n = h.arg("n", U32);
    h.body(|b| {
        let acc = b.let_mut("acc", 0u32);
        b.for_range("i", 0u32, n, |b, i| {
            b.while_(Expr::from(acc).lt(i), |b| {
                b.if_(acc.equals(99u32), |b| b.return_());
                b.assign(acc, acc + 1u32);
                b.if_(acc.equals(50u32), |b| b.break_());
            });
        });
        b.store(out, 0u32, acc);
    });
    program("spin", &[("out", BufferKind::plain(U32))], vec![finish(h)])
}

/// The shape of a guarded loop, as documented in `docs/protocol.md`: the
/// exit state is set wherever the program leaves the loop and tested at
/// its top (the only `break`); `return` inside a loop becomes the state
/// LOOP_RETURN, passed on outwards; after each loop `vy_loop_end` faults
/// LOOP_CUT when nothing but the driver left it.
#[test]
fn a_guarded_loop_has_the_documented_shape() {
    let (src, _) = lower_and_validate(&cut_candidate());
    let text = handler_text(&src, "spin");
    let want = "\
fn op_spin(l0_n: u32) {
    var l1_acc: u32 = 0u;
    var l2_i: u32 = 0u;
    var vy_exit0: u32 = vy_LOOP_RUNNING;
    loop {
        if (vy_exit0 != vy_LOOP_RUNNING) { break; }
        if (l2_i >= l0_n) { vy_exit0 = vy_LOOP_DONE; continue; }
        if (vy_tick()) { vy_exit0 = vy_LOOP_RETURN; continue; }
        var vy_exit1: u32 = vy_LOOP_RUNNING;
        loop {
            if (vy_exit1 != vy_LOOP_RUNNING) { break; }
            if (!(l1_acc < l2_i)) { vy_exit1 = vy_LOOP_DONE; continue; }
            if (vy_tick()) { vy_exit1 = vy_LOOP_RETURN; continue; }
            if (l1_acc == 99u) {
                vy_exit1 = vy_LOOP_RETURN; continue;
            }
            l1_acc = (l1_acc + 1u);
            if (l1_acc == 50u) {
                vy_exit1 = vy_LOOP_DONE; continue;
            }
        }
        if (vy_loop_end(vy_exit1)) { vy_exit0 = vy_LOOP_RETURN; continue; }
        continuing {
            l2_i = l2_i + 1u;
        }
    }
    if (vy_loop_end(vy_exit0)) { return; }
    vy_store_u_out(0u, l1_acc);
}";
    assert_eq!(text, want);
    assert!(src.contains(
        "fn vy_loop_end(state: u32) -> bool {\n    \
         if (state == vy_LOOP_RUNNING) {\n        \
         vy_fail(vy_FAULT_LOOP_CUT, vy_task_iters);\n    }\n    \
         return state != vy_LOOP_DONE;\n}"
    ));
    assert_eq!(check_loop_guards(&src), Ok(2));
}

/// No `return` inside any loop of the module and every handler loop
/// guarded, in every scheduler variant.
#[test]
fn no_loop_of_any_variant_can_be_cut_silently() {
    use vyre_core::lower::{wgsl_with, ClaimVariant, LowerOptions};
    for p in [sink_program(), bfs(), cut_candidate()] {
        for claims in ClaimVariant::ALL {
            let src = wgsl_with(
                &p,
                &LowerOptions {
                    claims,
                    ..LowerOptions::default()
                },
            );
            wgsl_common::validate_source(&src).expect("valid WGSL");
            if let Err(e) = check_loop_guards(&src) {
                panic!("{} {claims:?}: {e}", p.name());
            }
        }
    }
}

/// The checker itself finds what it looks for: the shapes the lowering
/// had before the guard fail it.
#[test]
fn the_loop_guard_checker_rejects_unguarded_loops() {
    let (src, _) = lower_and_validate(&cut_candidate());
    let broken = [
        // A `return` inside a loop (how LOOP_LIMIT ended a handler).
        src.replacen(
            "if (vy_tick()) { vy_exit1 = vy_LOOP_RETURN; continue; }",
            "if (vy_tick()) { return; }",
            1,
        ),
        // A plain `break` (how `break` and loop conditions were lowered).
        src.replacen(
            "if (l1_acc == 50u) {\n                vy_exit1 = vy_LOOP_DONE; continue;",
            "if (l1_acc == 50u) {\n                break;",
            1,
        ),
        // No test after the loop.
        src.replacen("    if (vy_loop_end(vy_exit0)) { return; }\n", "", 1),
        // A flag set before the break instead of a state read at the top.
        src.replacen(
            "        if (vy_exit1 != vy_LOOP_RUNNING) { break; }\n",
            "",
            1,
        ),
    ];
    for (i, b) in broken.iter().enumerate() {
        assert_ne!(b, &src, "case {i} did not apply");
        assert!(check_loop_guards(b).is_err(), "case {i} passed");
    }
}

/// A spawn has no loop a driver could cut (it takes its slot off the free
/// list), and the argument words of spawns and printf records are written
/// without a loop, a spawn's only as many as its callee takes.
#[test]
fn spawns_and_argument_writes_have_no_loop() {
    use vyre_core::protocol::PRINTF_MAX_ARGS;
    let (src, _) = lower_and_validate(&sink_program());
    let func = |name: &str| {
        let start = src
            .find(&format!("fn {name}("))
            .unwrap_or_else(|| panic!("no {name}"));
        let rest = &src[start..];
        rest[..rest.find("\n}\n").expect("end of function")].to_string()
    };
    // The sink's spawns pass the four argument words they write, and the
    // program has one spawn helper, for four words, that stores each once.
    assert_eq!(src.matches("vy_spawn_4(3u, 1u, ").count(), 1, "{src}");
    let helpers: Vec<_> = src
        .match_indices("fn vy_spawn_")
        .filter(|(at, m)| src[at + m.len()..].starts_with(|c: char| c.is_ascii_digit()))
        .collect();
    assert_eq!(helpers.len(), 1, "{src}");
    let spawn = func("vy_spawn_4");
    assert!(
        spawn.contains("vy_CTRL_FREE_NEXT") && !spawn.contains("vy_transition"),
        "{spawn}"
    );
    for i in 0..4 {
        assert!(
            spawn.contains(&format!("vy_SLOT_ARG0 + {i}u], a{i});")),
            "{spawn}"
        );
    }
    // Opcode, tenant, ticket, the four words and the status.
    assert_eq!(spawn.matches("atomicStore(").count(), 8, "{spawn}");
    let printf = func("vy_write_printf_args");
    assert_eq!(
        printf.matches("atomicStore(&vy_ctrl[at + ").count(),
        PRINTF_MAX_ARGS
    );
    for f in [&spawn, &printf, &func("vy_printf")] {
        assert!(!f.contains("for (") && !f.contains("loop {"), "{f}");
    }
}

#[test]
fn unguarded_lowering_has_plain_loops_and_validates() {
    use vyre_core::lower::{wgsl_with, LowerOptions};
    for p in [sink_program(), bfs(), cut_candidate()] {
        let plain = wgsl_with(
            &p,
            &LowerOptions {
                guard_loops: false,
                ..LowerOptions::default()
            },
        );
        wgsl_common::validate_source(&plain).expect("valid WGSL");
        assert!(!plain.contains("vy_exit"), "{}: {plain}", p.name());
        assert!(!plain.contains("vy_loop_end(vy_exit"), "{}", p.name());
    }
    // The same handler loops, guarded by default.
    for p in [bfs(), cut_candidate()] {
        let guarded = wgsl_with(&p, &LowerOptions::default());
        assert!(guarded.contains("vy_loop_end(vy_exit0)"), "{}", p.name());
    }
}

//! The proof that lets vyre create its shader modules without naga's loop
//! bounding and division guards (`gpu/pipeline.rs`, `VYRE_TRUSTED`): every
//! loop of every module the lowering makes carries a bound vyre put there
//! and every integer division a vyre check (`wgsl_common::trusted`). Every
//! lowering test runs the same proof on its programs through
//! `lower_and_validate`; here, the fixtures in every variant, and modules
//! the proof must refuse.

mod wgsl_common;

use vyre_core::lower::{wgsl_with, LowerOptions};
use wgsl_common::fixtures::{bfs, sink_program};
use wgsl_common::trusted::assert_trusted;

#[test]
fn every_variant_of_the_fixtures_is_proven() {
    for program in [bfs(), sink_program()] {
        for options in LowerOptions::all() {
            assert_trusted(
                &format!("{} {options:?}", program.name()),
                &wgsl_with(&program, &options),
            );
        }
    }
}

#[test]
fn a_program_with_requests_is_proven() {
    use vyre_core::ir::{Access, BufferKind, HandlerBuilder, ScalarType};
    use vyre_core::{Program, RequestKind};
    let u32_ = ScalarType::U32;
    let mut ask = HandlerBuilder::new(1, "ask");
    let i = ask.arg("i", u32_);
    ask.body(|b| {
        b.request(2u32, 7, vec![i.into()], 2, vec![i.into()]);
    });
    let mut got = HandlerBuilder::new(2, "got");
    let out = got.buffer("out", u32_, Access::ReadWrite);
    let (i, v) = (got.arg("i", u32_), got.arg("v", u32_));
    got.body(|b| b.store(out, i, v));
    let program = Program::builder("requests")
        .buffer("out", BufferKind::plain(u32_))
        .request_kind(RequestKind {
            id: 7,
            name: "lookup".into(),
            args: vec![u32_],
            reply: vec![u32_],
        })
        .opcode(ask.finish().unwrap())
        .opcode(got.finish().unwrap())
        .build()
        .unwrap();
    for options in LowerOptions::all() {
        assert_trusted(
            &format!("requests {options:?}"),
            &wgsl_with(&program, &options),
        );
    }
}

/// Parses and proves `body`, a module of its own with a `vy_tick` like
/// vyre's; the problems found.
fn problems(body: &str) -> Vec<String> {
    let src = format!(
        "const vy_LOOP_LIMIT: u32 = 100u;
var<private> vy_task_iters: u32;
@group(0) @binding(0) var<storage, read_write> out: array<u32>;
fn vy_tick() -> bool {{
    vy_task_iters = vy_task_iters + 1u;
    if (vy_task_iters > vy_LOOP_LIMIT) {{
        return true;
    }}
    return false;
}}
{body}
@compute @workgroup_size(1)
fn main() {{
    vy_task_iters = 0u;
    f(out[0], out[1]);
}}
"
    );
    let module = naga::front::wgsl::parse_str(&src).expect("parses");
    let info = naga::valid::Validator::new(
        naga::valid::ValidationFlags::all(),
        naga::valid::Capabilities::all(),
    )
    .validate(&module)
    .expect("validates");
    wgsl_common::trusted::check_trusted(&module, &info)
}

#[test]
fn the_proof_accepts_the_forms_vyre_writes() {
    for body in [
        // A counted loop, with a conjunct and a test of its own inside.
        "fn f(a: u32, n: u32) { for (var i = 0u; i < n; i++) { if (a == i) { break; } out[i] = a; } }",
        // A constant stride below a constant bound.
        "fn f(a: u32, n: u32) { for (var w = a; w < 640u; w += 64u) { out[w] = n; } }",
        // A handler loop: the range test, then the tick.
        "fn f(a: u32, n: u32) { var i = a; loop { if (i >= n) { break; } if (vy_tick()) { return; } out[0] = i; continuing { i = i + 1u; } } }",
        // Division by a nonzero constant and by max(x, 1).
        "fn f(a: u32, n: u32) { out[0] = a / 3u + a % max(n, 1u); }",
    ] {
        assert_eq!(problems(body), Vec::<String>::new(), "{body}");
    }
}

#[test]
fn the_proof_refuses_what_could_run_forever_or_divide_by_zero() {
    for (body, why) in [
        ("fn f(a: u32, n: u32) { loop { if (out[0] == a) { break; } out[1] = n; } }", "a loop without a vyre bound"),
        // The counter is also stored in the body.
        ("fn f(a: u32, n: u32) { for (var i = 0u; i < n; i++) { i = a; } }", "a loop without a vyre bound"),
        // The bound changes in the loop.
        ("fn f(a: u32, n: u32) { var m = n; for (var i = 0u; i < m; i++) { m = m + 1u; } }", "a loop without a vyre bound"),
        // A runtime stride may wrap past any bound.
        ("fn f(a: u32, n: u32) { for (var i = 0u; i < n; i += a) { out[i] = 1u; } }", "a loop without a vyre bound"),
        // A `continue` before the tick skips it.
        ("fn f(a: u32, n: u32) { var i = a; loop { if (i == 3u) { continue; } if (vy_tick()) { return; } i = i + 1u; } }", "a loop without a vyre bound"),
        // The tick's result is ignored.
        ("fn f(a: u32, n: u32) { loop { _ = vy_tick(); out[0] = a; } }", "a loop without a vyre bound"),
        ("fn f(a: u32, n: u32) { out[0] = a / n; }", "Divide"),
        ("fn f(a: u32, n: u32) { out[0] = a % (n + 1u); }", "Modulo"),
        ("fn f(a: u32, n: u32) { out[0] = u32(i32(a) / -1i); }", "Divide"),
    ] {
        let found = problems(body);
        assert!(found.iter().any(|p| p.contains(why)), "{body}: {found:?}");
    }
}

#[test]
fn a_tick_that_does_not_count_or_a_reset_outside_the_entry_points_is_refused() {
    let src = |tick: &str, extra: &str| {
        format!(
            "const vy_LOOP_LIMIT: u32 = 100u;
var<private> vy_task_iters: u32;
{tick}
{extra}
@compute @workgroup_size(1)
fn main() {{ vy_task_iters = 0u; _ = vy_tick(); }}
"
        )
    };
    let good = "fn vy_tick() -> bool { vy_task_iters = vy_task_iters + 1u; if (vy_task_iters > vy_LOOP_LIMIT) { return true; } return false; }";
    let no_count = "fn vy_tick() -> bool { if (vy_task_iters > vy_LOOP_LIMIT) { return true; } return false; }";
    let reset = "fn helper() { vy_task_iters = 0u; }";
    let prove = |text: String| {
        let module = naga::front::wgsl::parse_str(&text).expect("parses");
        wgsl_common::trusted::check_tick(&module)
    };
    assert!(prove(src(good, "")).is_empty());
    assert!(!prove(src(no_count, "")).is_empty());
    assert!(!prove(src(good, reset)).is_empty());
}

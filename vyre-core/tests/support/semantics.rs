//! The case tables of the reference semantics tests: edge values of every
//! type, their bit patterns, and [`check`], which runs a handler built per
//! case on the reference engine and compares what it stores with Rust.

use vyre_core::ir::{Access, Expr, HandlerBuilder, ScalarType, Var};
use vyre_core::program::ProgramConfig;
use vyre_core::protocol::fault;
use vyre_core::Priority;

use super::{plain, program, small_config, Host};
use ScalarType::{F32, U32};

pub const SENTINEL: u32 = 0xDEAD_BEEF;

/// Builds a comparison of two locals.
pub type CmpBuilder = fn(Var, Var) -> Expr;
/// A Rust `f32` method.
pub type F32Fn = fn(f32) -> f32;

pub const U32S: [u32; 12] = [
    0,
    1,
    2,
    31,
    32,
    33,
    63,
    0x7FFF_FFFF,
    0x8000_0000,
    u32::MAX - 1,
    u32::MAX,
    123_456_789,
];

pub const I32S: [i32; 13] = [
    0,
    1,
    -1,
    2,
    -2,
    31,
    32,
    33,
    i32::MIN,
    i32::MIN + 1,
    i32::MAX,
    -123_456,
    7,
];

pub fn f32s() -> Vec<f32> {
    vec![
        0.0,
        -0.0,
        1.0,
        -1.0,
        0.5,
        -0.5,
        1.5,
        2.5,
        -2.5,
        3.7,
        -3.7,
        f32::MAX,
        f32::MIN,
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::NAN,
        4_294_967_296.0,
        2_147_483_648.0,
        -2_147_483_904.0,
        1e-40,
        100.0,
    ]
}

pub fn bits_u(v: &[u32]) -> Vec<u32> {
    v.to_vec()
}
pub fn bits_i(v: &[i32]) -> Vec<u32> {
    v.iter().map(|&x| x as u32).collect()
}
pub fn bits_f(v: &[f32]) -> Vec<u32> {
    v.iter().map(|x| x.to_bits()).collect()
}
pub fn f(w: u32) -> f32 {
    f32::from_bits(w)
}

/// All `arity`-tuples of `values`.
pub fn tuples(values: &[u32], arity: usize) -> Vec<Vec<u32>> {
    let mut out = vec![vec![]];
    for _ in 0..arity {
        out = out
            .into_iter()
            .flat_map(|t| {
                values.iter().map(move |&v| {
                    let mut t = t.clone();
                    t.push(v);
                    t
                })
            })
            .collect();
    }
    out
}

/// Runs `out[i] = build(args)` for every case (`args` as slot words) and
/// checks each result against `expected` (`None`: the task must fault
/// with DIVIDE_BY_ZERO and store nothing).
pub fn check(
    name: &str,
    arg_types: &[ScalarType],
    out_ty: ScalarType,
    build: impl Fn(&[Var]) -> Expr,
    cases: &[Vec<u32>],
    expected: impl Fn(&[u32]) -> Option<u32>,
) {
    let mut h = HandlerBuilder::new(1, "case");
    let out = h.buffer("out", out_ty, Access::ReadWrite);
    let i = h.arg("i", U32);
    let args: Vec<Var> = arg_types
        .iter()
        .enumerate()
        .map(|(k, &t)| h.arg(&format!("a{k}"), t))
        .collect();
    h.body(|b| b.store(out, i, build(&args)));
    let handler = h
        .finish()
        .unwrap_or_else(|e| panic!("{name}: invalid handler: {e}"));
    let config = ProgramConfig {
        slots: 5 * 256,
        inbox_capacity: 256,
        claim_budget: 1 << 12,
        ..small_config()
    };
    let p = program(config, &[("out", plain(out_ty))], vec![handler]);
    let mut host = Host::new(p, 3, 99);
    host.set_buffer("out", &vec![SENTINEL; cases.len()]);
    let mut expected_faults = 0;
    for chunk in (0..cases.len()).collect::<Vec<_>>().chunks(200) {
        for &k in chunk {
            let mut words = vec![k as u32];
            words.extend(&cases[k]);
            host.publish(Priority::Normal, 1, 0, &words);
        }
        host.run_until_idle(2, 10);
        for fr in host.faults() {
            assert_eq!(fr[2], fault::DIVIDE_BY_ZERO, "{name}: {fr:?}");
        }
        expected_faults += chunk
            .iter()
            .filter(|&&k| expected(&cases[k]).is_none())
            .count();
        host.clear();
    }
    let got = host.buffer("out");
    let mut faults = 0;
    for (k, case) in cases.iter().enumerate() {
        match expected(case) {
            None => {
                faults += 1;
                assert_eq!(got[k], SENTINEL, "{name}{case:x?}: expected a fault");
            }
            Some(want) => {
                let same = if out_ty == F32 {
                    (f(want).is_nan() && f(got[k]).is_nan()) || want == got[k]
                } else {
                    want == got[k]
                };
                assert!(
                    same,
                    "{name}{case:x?}: got {:#x}, Rust says {:#x}",
                    got[k], want
                );
            }
        }
    }
    assert_eq!(faults, expected_faults);
}

pub fn bin(op: fn(Expr, Expr) -> Expr) -> impl Fn(&[Var]) -> Expr {
    move |a: &[Var]| op(a[0].into(), a[1].into())
}

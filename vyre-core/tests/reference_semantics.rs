//! Operator, intrinsic, cast and control-flow semantics of the reference
//! interpreter, checked against Rust itself on edge values (u32::MAX
//! wrap, i32::MIN, shifts by 32 and more, NaN and infinite casts, ...).
//! Each case is a task whose arguments are the operands and which stores
//! the result; the whole pipeline (slot words → locals → evaluation →
//! store) is exercised.

mod support;

use support::{plain, program, small_config, Host};
use vyre_core::ir::{
    ctx, Access, CtxValue, Expr, HandlerBuilder, Intrinsic, Literal, ScalarType, Var,
};
use vyre_core::program::ProgramConfig;
use vyre_core::protocol::{ctrl, fault};
use vyre_core::Priority;

use ScalarType::{Bool, F32, I32, U32};

const SENTINEL: u32 = 0xDEAD_BEEF;

/// Builds a comparison of two locals.
type CmpBuilder = fn(Var, Var) -> Expr;
/// A Rust `f32` method.
type F32Fn = fn(f32) -> f32;

const U32S: [u32; 12] = [
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

const I32S: [i32; 13] = [
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

fn f32s() -> Vec<f32> {
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

fn bits_u(v: &[u32]) -> Vec<u32> {
    v.to_vec()
}
fn bits_i(v: &[i32]) -> Vec<u32> {
    v.iter().map(|&x| x as u32).collect()
}
fn bits_f(v: &[f32]) -> Vec<u32> {
    v.iter().map(|x| x.to_bits()).collect()
}
fn f(w: u32) -> f32 {
    f32::from_bits(w)
}

/// All `arity`-tuples of `values`.
fn tuples(values: &[u32], arity: usize) -> Vec<Vec<u32>> {
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
fn check(
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

fn bin(op: fn(Expr, Expr) -> Expr) -> impl Fn(&[Var]) -> Expr {
    move |a: &[Var]| op(a[0].into(), a[1].into())
}

#[test]
fn u32_arithmetic_bitwise_and_shifts() {
    let cases = tuples(&bits_u(&U32S), 2);
    let t = [U32, U32];
    check("u32 +", &t, U32, bin(|a, b| a + b), &cases, |v| {
        Some(v[0].wrapping_add(v[1]))
    });
    check("u32 -", &t, U32, bin(|a, b| a - b), &cases, |v| {
        Some(v[0].wrapping_sub(v[1]))
    });
    check("u32 *", &t, U32, bin(|a, b| a * b), &cases, |v| {
        Some(v[0].wrapping_mul(v[1]))
    });
    check("u32 /", &t, U32, bin(|a, b| a / b), &cases, |v| {
        v[0].checked_div(v[1])
    });
    check("u32 %", &t, U32, bin(|a, b| a % b), &cases, |v| {
        v[0].checked_rem(v[1])
    });
    check("u32 &", &t, U32, bin(|a, b| a & b), &cases, |v| {
        Some(v[0] & v[1])
    });
    check("u32 |", &t, U32, bin(|a, b| a | b), &cases, |v| {
        Some(v[0] | v[1])
    });
    check("u32 ^", &t, U32, bin(|a, b| a ^ b), &cases, |v| {
        Some(v[0] ^ v[1])
    });
    check("u32 <<", &t, U32, bin(|a, b| a << b), &cases, |v| {
        Some(v[0].wrapping_shl(v[1]))
    });
    check("u32 >>", &t, U32, bin(|a, b| a >> b), &cases, |v| {
        Some(v[0].wrapping_shr(v[1]))
    });
    check(
        "u32 !",
        &[U32],
        U32,
        |a| !a[0],
        &tuples(&U32S, 1),
        |v| Some(!v[0]),
    );
}

#[test]
fn i32_arithmetic_bitwise_and_shifts() {
    let cases = tuples(&bits_i(&I32S), 2);
    let t = [I32, I32];
    let i = |w: u32| w as i32;
    check("i32 +", &t, I32, bin(|a, b| a + b), &cases, |v| {
        Some(i(v[0]).wrapping_add(i(v[1])) as u32)
    });
    check("i32 -", &t, I32, bin(|a, b| a - b), &cases, |v| {
        Some(i(v[0]).wrapping_sub(i(v[1])) as u32)
    });
    check("i32 *", &t, I32, bin(|a, b| a * b), &cases, |v| {
        Some(i(v[0]).wrapping_mul(i(v[1])) as u32)
    });
    // i32::MIN / -1 = i32::MIN and i32::MIN % -1 = 0 (wrapping), / 0 faults.
    let div = |v: &[u32]| (v[1] != 0).then(|| i(v[0]).wrapping_div(i(v[1])) as u32);
    let rem = |v: &[u32]| (v[1] != 0).then(|| i(v[0]).wrapping_rem(i(v[1])) as u32);
    check("i32 /", &t, I32, bin(|a, b| a / b), &cases, div);
    check("i32 %", &t, I32, bin(|a, b| a % b), &cases, rem);
    check("i32 &", &t, I32, bin(|a, b| a & b), &cases, |v| {
        Some(v[0] & v[1])
    });
    check("i32 |", &t, I32, bin(|a, b| a | b), &cases, |v| {
        Some(v[0] | v[1])
    });
    check("i32 ^", &t, I32, bin(|a, b| a ^ b), &cases, |v| {
        Some(v[0] ^ v[1])
    });
    let shifts: Vec<Vec<u32>> = bits_i(&I32S)
        .into_iter()
        .flat_map(|a| U32S.iter().map(move |&b| vec![a, b]))
        .collect();
    let st = [I32, U32];
    check("i32 <<", &st, I32, bin(|a, b| a << b), &shifts, |v| {
        Some(i(v[0]).wrapping_shl(v[1]) as u32)
    });
    check("i32 >>", &st, I32, bin(|a, b| a >> b), &shifts, |v| {
        Some(i(v[0]).wrapping_shr(v[1]) as u32)
    });
    let one = tuples(&bits_i(&I32S), 1);
    check(
        "i32 -x",
        &[I32],
        I32,
        |a| -a[0],
        &one,
        |v| Some(i(v[0]).wrapping_neg() as u32),
    );
    check(
        "i32 !x",
        &[I32],
        I32,
        |a| !a[0],
        &one,
        |v| Some(!i(v[0]) as u32),
    );
}

#[test]
fn comparisons_on_every_type() {
    let ops: [(&str, CmpBuilder); 6] = [
        ("==", |a, b| a.equals(b)),
        ("!=", |a, b| a.not_equals(b)),
        ("<", |a, b| a.lt(b)),
        ("<=", |a, b| a.le(b)),
        (">", |a, b| a.gt(b)),
        (">=", |a, b| a.ge(b)),
    ];
    fn rust<T: PartialOrd>(op: &str, a: T, b: T) -> bool {
        match op {
            "==" => a == b,
            "!=" => a != b,
            "<" => a < b,
            "<=" => a <= b,
            ">" => a > b,
            _ => a >= b,
        }
    }
    for (name, op) in ops {
        let build = move |v: &[Var]| op(v[0], v[1]).cast(U32);
        check(name, &[U32, U32], U32, build, &tuples(&U32S, 2), |v| {
            Some(rust(name, v[0], v[1]) as u32)
        });
        check(
            name,
            &[I32, I32],
            U32,
            build,
            &tuples(&bits_i(&I32S), 2),
            |v| Some(rust(name, v[0] as i32, v[1] as i32) as u32),
        );
        check(
            name,
            &[F32, F32],
            U32,
            build,
            &tuples(&bits_f(&f32s()), 2),
            |v| Some(rust(name, f(v[0]), f(v[1])) as u32),
        );
        if matches!(name, "==" | "!=") {
            check(name, &[Bool, Bool], U32, build, &tuples(&[0, 1], 2), |v| {
                Some(rust(name, v[0] != 0, v[1] != 0) as u32)
            });
        }
    }
}

#[test]
fn f32_arithmetic() {
    let cases = tuples(&bits_f(&f32s()), 2);
    let t = [F32, F32];
    let r = |x: f32| Some(x.to_bits());
    check("f32 +", &t, F32, bin(|a, b| a + b), &cases, |v| {
        r(f(v[0]) + f(v[1]))
    });
    check("f32 -", &t, F32, bin(|a, b| a - b), &cases, |v| {
        r(f(v[0]) - f(v[1]))
    });
    check("f32 *", &t, F32, bin(|a, b| a * b), &cases, |v| {
        r(f(v[0]) * f(v[1]))
    });
    check("f32 /", &t, F32, bin(|a, b| a / b), &cases, |v| {
        r(f(v[0]) / f(v[1]))
    });
    check("f32 %", &t, F32, bin(|a, b| a % b), &cases, |v| {
        r(f(v[0]) % f(v[1]))
    });
    check(
        "f32 -x",
        &[F32],
        F32,
        |a| -a[0],
        &tuples(&bits_f(&f32s()), 1),
        |v| r(-f(v[0])),
    );
}

#[test]
fn bool_operators_select_and_short_circuit() {
    let cases = tuples(&[0, 1], 2);
    let t = [Bool, Bool];
    let b2 = |v: &[u32]| (v[0] != 0, v[1] != 0);
    let u = |x: bool| Some(x as u32);
    check(
        "&&",
        &t,
        U32,
        |v| v[0].and(v[1]).cast(U32),
        &cases,
        |v| u(b2(v).0 && b2(v).1),
    );
    check(
        "||",
        &t,
        U32,
        |v| v[0].or(v[1]).cast(U32),
        &cases,
        |v| u(b2(v).0 || b2(v).1),
    );
    check(
        "&",
        &t,
        U32,
        |v| (v[0] & v[1]).cast(U32),
        &cases,
        |v| u(b2(v).0 & b2(v).1),
    );
    check(
        "|",
        &t,
        U32,
        |v| (v[0] | v[1]).cast(U32),
        &cases,
        |v| u(b2(v).0 | b2(v).1),
    );
    check(
        "^",
        &t,
        U32,
        |v| (v[0] ^ v[1]).cast(U32),
        &cases,
        |v| u(b2(v).0 ^ b2(v).1),
    );
    check(
        "!",
        &[Bool],
        U32,
        |v| (!v[0]).cast(U32),
        &tuples(&[0, 1], 1),
        |v| u(v[0] == 0),
    );
    // A bool argument word other than 0/1 is true.
    check(
        "bool word",
        &[Bool],
        U32,
        |v| v[0].cast(U32),
        &[vec![5], vec![0]],
        |v| u(v[0] != 0),
    );
    let sel = tuples(&[0, 1, 7, u32::MAX], 3);
    check(
        "select",
        &[U32, U32, U32],
        U32,
        |v| Expr::from(v[1]).select(v[0].not_equals(0u32), v[2]),
        &sel,
        |v| Some(if v[0] != 0 { v[1] } else { v[2] }),
    );
    // `false && x / 0 == 0` does not evaluate the division: no fault.
    check(
        "&& short-circuit",
        &[U32, U32],
        U32,
        |v| {
            v[0].not_equals(0u32)
                .and((Expr::from(v[1]) / v[0]).equals(1u32))
                .cast(U32)
        },
        &tuples(&[0, 1, 2], 2),
        |v| Some((v[0] != 0 && v[1] / v[0] == 1) as u32),
    );
    check(
        "|| short-circuit",
        &[U32, U32],
        U32,
        |v| {
            v[0].equals(0u32)
                .or((Expr::from(v[1]) / v[0]).equals(1u32))
                .cast(U32)
        },
        &tuples(&[0, 1, 2], 2),
        |v| Some((v[0] == 0 || v[1] / v[0] == 1) as u32),
    );
}

#[test]
fn casts_follow_rust_as() {
    let us = tuples(&U32S, 1);
    let is = tuples(&bits_i(&I32S), 1);
    let fs = tuples(&bits_f(&f32s()), 1);
    let c = |to: ScalarType| move |v: &[Var]| v[0].cast(to);
    check("u32 as i32", &[U32], I32, c(I32), &us, |v| {
        Some(v[0] as i32 as u32)
    });
    check("u32 as f32", &[U32], F32, c(F32), &us, |v| {
        Some((v[0] as f32).to_bits())
    });
    check("u32 as u32", &[U32], U32, c(U32), &us, |v| Some(v[0]));
    check("i32 as u32", &[I32], U32, c(U32), &is, |v| {
        Some(v[0] as i32 as u32)
    });
    check("i32 as f32", &[I32], F32, c(F32), &is, |v| {
        Some((v[0] as i32 as f32).to_bits())
    });
    check("f32 as u32", &[F32], U32, c(U32), &fs, |v| {
        Some(f(v[0]) as u32)
    });
    check("f32 as i32", &[F32], I32, c(I32), &fs, |v| {
        Some(f(v[0]) as i32 as u32)
    });
    check("f32 as f32", &[F32], F32, c(F32), &fs, |v| Some(v[0]));
    let bs = tuples(&[0, 1], 1);
    check("bool as u32", &[Bool], U32, c(U32), &bs, |v| Some(v[0]));
    check("bool as i32", &[Bool], I32, c(I32), &bs, |v| Some(v[0]));
    // Spot checks of the saturating rules themselves.
    assert_eq!(std::hint::black_box(f32::NAN) as u32, 0);
    assert_eq!(-1.5f32 as u32, 0);
    assert_eq!(f32::INFINITY as i32, i32::MAX);
    assert_eq!(4_294_967_296.0f32 as u32, u32::MAX);
}

#[test]
fn integer_intrinsics() {
    use Intrinsic as I;
    let call = |func: Intrinsic| {
        move |v: &[Var]| v[0].call(func, v[1..].iter().map(|&x| x.into()).collect())
    };
    let u2 = tuples(&U32S, 2);
    let u1 = tuples(&U32S, 1);
    let i2 = tuples(&bits_i(&I32S), 2);
    let i1 = tuples(&bits_i(&I32S), 1);
    let i = |w: u32| w as i32;
    let s = |x: u32| Some(x);
    check("u32 min", &[U32, U32], U32, call(I::Min), &u2, |v| {
        s(v[0].min(v[1]))
    });
    check("u32 max", &[U32, U32], U32, call(I::Max), &u2, |v| {
        s(v[0].max(v[1]))
    });
    check("i32 min", &[I32, I32], I32, call(I::Min), &i2, |v| {
        s(i(v[0]).min(i(v[1])) as u32)
    });
    check("i32 max", &[I32, I32], I32, call(I::Max), &i2, |v| {
        s(i(v[0]).max(i(v[1])) as u32)
    });
    // clamp with lo <= hi is Rust's; with lo > hi (Rust panics) it is hi.
    let clamp_u = |v: &[u32]| {
        s(if v[1] <= v[2] {
            v[0].clamp(v[1], v[2])
        } else {
            v[2]
        })
    };
    let clamp_i = |v: &[u32]| {
        let (x, lo, hi) = (i(v[0]), i(v[1]), i(v[2]));
        s((if lo <= hi { x.clamp(lo, hi) } else { hi }) as u32)
    };
    check(
        "u32 clamp",
        &[U32, U32, U32],
        U32,
        call(I::Clamp),
        &tuples(&U32S, 3),
        clamp_u,
    );
    check(
        "i32 clamp",
        &[I32, I32, I32],
        I32,
        call(I::Clamp),
        &tuples(&bits_i(&I32S), 3),
        clamp_i,
    );
    check("i32 abs", &[I32], I32, call(I::Abs), &i1, |v| {
        s(i(v[0]).wrapping_abs() as u32)
    });
    for (name, func, ru, ri) in [
        (
            "wrapping_add",
            I::WrappingAdd,
            u32::wrapping_add as fn(u32, u32) -> u32,
            i32::wrapping_add as fn(i32, i32) -> i32,
        ),
        (
            "wrapping_sub",
            I::WrappingSub,
            u32::wrapping_sub,
            i32::wrapping_sub,
        ),
        (
            "wrapping_mul",
            I::WrappingMul,
            u32::wrapping_mul,
            i32::wrapping_mul,
        ),
    ] {
        check(name, &[U32, U32], U32, call(func), &u2, move |v| {
            s(ru(v[0], v[1]))
        });
        check(name, &[I32, I32], I32, call(func), &i2, move |v| {
            s(ri(i(v[0]), i(v[1])) as u32)
        });
    }
    check(
        "u32 count_ones",
        &[U32],
        U32,
        call(I::CountOnes),
        &u1,
        |v| s(v[0].count_ones()),
    );
    check(
        "i32 count_ones",
        &[I32],
        U32,
        call(I::CountOnes),
        &i1,
        |v| s(i(v[0]).count_ones()),
    );
    check(
        "u32 leading_zeros",
        &[U32],
        U32,
        call(I::LeadingZeros),
        &u1,
        |v| s(v[0].leading_zeros()),
    );
    check(
        "i32 leading_zeros",
        &[I32],
        U32,
        call(I::LeadingZeros),
        &i1,
        |v| s(i(v[0]).leading_zeros()),
    );
    check(
        "u32 trailing_zeros",
        &[U32],
        U32,
        call(I::TrailingZeros),
        &u1,
        |v| s(v[0].trailing_zeros()),
    );
    check(
        "i32 trailing_zeros",
        &[I32],
        U32,
        call(I::TrailingZeros),
        &i1,
        |v| s(i(v[0]).trailing_zeros()),
    );
    check(
        "u32 rotate_left",
        &[U32, U32],
        U32,
        call(I::RotateLeft),
        &u2,
        |v| s(v[0].rotate_left(v[1])),
    );
    check(
        "u32 rotate_right",
        &[U32, U32],
        U32,
        call(I::RotateRight),
        &u2,
        |v| s(v[0].rotate_right(v[1])),
    );
    let iu: Vec<Vec<u32>> = bits_i(&I32S)
        .into_iter()
        .flat_map(|a| U32S.iter().map(move |&b| vec![a, b]))
        .collect();
    check(
        "i32 rotate_left",
        &[I32, U32],
        I32,
        call(I::RotateLeft),
        &iu,
        |v| s(i(v[0]).rotate_left(v[1]) as u32),
    );
    check(
        "i32 rotate_right",
        &[I32, U32],
        I32,
        call(I::RotateRight),
        &iu,
        |v| s(i(v[0]).rotate_right(v[1]) as u32),
    );
    check(
        "u32 reverse_bits",
        &[U32],
        U32,
        call(I::ReverseBits),
        &u1,
        |v| s(v[0].reverse_bits()),
    );
    check(
        "i32 reverse_bits",
        &[I32],
        I32,
        call(I::ReverseBits),
        &i1,
        |v| s(i(v[0]).reverse_bits() as u32),
    );
}

#[test]
fn f32_intrinsics() {
    use Intrinsic as I;
    let call = |func: Intrinsic| {
        move |v: &[Var]| v[0].call(func, v[1..].iter().map(|&x| x.into()).collect())
    };
    let f1 = tuples(&bits_f(&f32s()), 1);
    let f2 = tuples(&bits_f(&f32s()), 2);
    let r = |x: f32| Some(x.to_bits());
    let unary: [(&str, Intrinsic, F32Fn); 9] = [
        ("abs", I::Abs, f32::abs),
        ("sqrt", I::Sqrt, f32::sqrt),
        ("floor", I::Floor, f32::floor),
        ("ceil", I::Ceil, f32::ceil),
        ("round", I::Round, f32::round),
        ("sin", I::Sin, f32::sin),
        ("cos", I::Cos, f32::cos),
        ("exp", I::Exp, f32::exp),
        ("ln", I::Ln, f32::ln),
    ];
    for (name, func, rust) in unary {
        check(name, &[F32], F32, call(func), &f1, move |v| {
            r(rust(f(v[0])))
        });
    }
    // Round half away from zero, as Rust: 2.5 -> 3, -2.5 -> -3.
    assert_eq!(2.5f32.round(), 3.0);
    check("min", &[F32, F32], F32, call(I::Min), &f2, |v| {
        r(f(v[0]).min(f(v[1])))
    });
    check("max", &[F32, F32], F32, call(I::Max), &f2, |v| {
        r(f(v[0]).max(f(v[1])))
    });
    check("powf", &[F32, F32], F32, call(I::Powf), &f2, |v| {
        r(f(v[0]).powf(f(v[1])))
    });
    let small: Vec<f32> = vec![0.0, -1.0, 1.5, f32::NAN, f32::INFINITY, -2.5, 1e-40];
    let f3 = tuples(&bits_f(&small), 3);
    check(
        "mul_add",
        &[F32, F32, F32],
        F32,
        call(I::MulAdd),
        &f3,
        |v| r(f(v[0]).mul_add(f(v[1]), f(v[2]))),
    );
    check("clamp", &[F32, F32, F32], F32, call(I::Clamp), &f3, |v| {
        let (x, lo, hi) = (f(v[0]), f(v[1]), f(v[2]));
        // Rust's algorithm, without its assertion (lo <= hi, no NaN bounds).
        let mut y = x;
        if y < lo {
            y = lo;
        }
        if y > hi {
            y = hi;
        }
        if lo <= hi {
            assert_eq!(y.to_bits(), x.clamp(lo, hi).to_bits());
        }
        r(y)
    });
}

/// Builds a one-handler program over `out: u32` and runs one task.
fn run_body(
    loop_limit: u32,
    body: impl FnOnce(&mut vyre_core::ir::BlockBuilder<'_>, vyre_core::ir::BufferRef),
) -> (Vec<u32>, Vec<[u32; 8]>) {
    let mut h = HandlerBuilder::new(1, "body");
    let out = h.buffer("out", U32, Access::ReadWrite);
    h.body(|b| body(b, out));
    let config = ProgramConfig {
        loop_limit,
        ..small_config()
    };
    let p = program(config, &[("out", plain(U32))], vec![h.finish().unwrap()]);
    let mut host = Host::new(p, 2, 1);
    host.zeroed_buffer("out", 16);
    host.publish(Priority::High, 1, 0, &[]);
    host.submit(1);
    (host.buffer("out"), host.faults())
}

#[test]
fn for_ranges_at_the_edges_of_u32_and_i32() {
    let (out, faults) = run_body(100, |b, out| {
        // u32::MAX - 2 ..= u32::MAX: three iterations, no overflow.
        b.for_range_inclusive("i", u32::MAX - 2, u32::MAX, |b, i| {
            b.store(out, 0u32, out.at(0u32) + 1u32);
            b.store(out, 1u32, i);
        });
        // An empty range and a reversed one run nothing.
        b.for_range("j", 5u32, 5u32, |b, _| b.store(out, 2u32, 99u32));
        b.for_range("k", 6u32, 2u32, |b, _| b.store(out, 2u32, 98u32));
        // i32::MIN .. i32::MIN + 3: three iterations.
        b.for_range("m", i32::MIN, i32::MIN + 3, |b, m| {
            b.store(out, 3u32, out.at(3u32) + 1u32);
            b.store(out, 4u32, m.cast(U32));
        });
        // -2 ..= 1 crosses zero: four iterations.
        b.for_range_inclusive("n", -2i32, 1i32, |b, _| {
            b.store(out, 5u32, out.at(5u32) + 1u32);
        });
        // i32::MAX ..= i32::MAX: one iteration.
        b.for_range_inclusive("o", i32::MAX, i32::MAX, |b, _| {
            b.store(out, 6u32, out.at(6u32) + 1u32);
        });
    });
    assert!(faults.is_empty(), "{faults:?}");
    assert_eq!(out[..7], [3, u32::MAX, 0, 3, (i32::MIN + 2) as u32, 4, 1]);
}

#[test]
fn break_continue_return_and_match() {
    let (out, faults) = run_body(1000, |b, out| {
        // Sum of odd i < 10, stopping at 7: 1 + 3 + 5 + 7.
        let sum = b.let_mut("sum", 0u32);
        b.for_range("i", 0u32, 100u32, |b, i| {
            b.if_((i % 2u32).equals(0u32), |b| b.continue_());
            b.assign(sum, sum + i);
            b.if_(i.equals(7u32), |b| b.break_());
        });
        b.store(out, 0u32, sum);
        // Nested loops: break leaves only the inner one.
        let n = b.let_mut("n", 0u32);
        b.for_range("a", 0u32, 3u32, |b, _| {
            b.loop_(|b| {
                b.assign(n, n + 1u32);
                b.break_();
            });
        });
        b.store(out, 1u32, n);
        // while with a counter.
        let w = b.let_mut("w", 0u32);
        b.while_(w.lt(5u32), |b| b.assign(w, w + 1u32));
        b.store(out, 2u32, w);
        // match: literal, `|` arms and `_`.
        for (k, sel) in [(3u32, 1u32), (4, 2), (5, 3), (6, 40)] {
            let s = b.let_("s", sel);
            b.switch(
                s,
                vec![
                    (
                        vec![Literal::U32(1)],
                        Box::new(move |b: &mut vyre_core::ir::BlockBuilder<'_>| {
                            b.store(out, k, 10u32)
                        }),
                    ),
                    (
                        vec![Literal::U32(2), Literal::U32(3)],
                        Box::new(move |b: &mut vyre_core::ir::BlockBuilder<'_>| {
                            b.store(out, k, 20u32)
                        }),
                    ),
                ],
                move |b| b.store(out, k, 30u32),
            );
        }
        b.store(out, 7u32, 1u32);
        b.return_();
        b.store(out, 8u32, 1u32);
    });
    assert!(faults.is_empty(), "{faults:?}");
    assert_eq!(out[..9], [16, 3, 5, 10, 20, 20, 30, 1, 0]);
}

#[test]
fn loop_limit_counts_every_loop_of_the_task() {
    // Two loops of 3 iterations each with a limit of 5: the sixth faults.
    let (out, faults) = run_body(5, |b, out| {
        b.for_range("i", 0u32, 3u32, |b, _| {
            b.store(out, 0u32, out.at(0u32) + 1u32)
        });
        b.for_range("j", 0u32, 3u32, |b, _| {
            b.store(out, 1u32, out.at(1u32) + 1u32)
        });
    });
    assert_eq!(out[..2], [3, 2]);
    assert_eq!(faults.len(), 1);
    assert_eq!(faults[0][2..4], [fault::LOOP_LIMIT, 5]);
}

#[test]
fn deep_nesting_runs_without_recursion_over_statements() {
    use vyre_core::ir::{Block, Stmt};
    use vyre_core::program::{BufferParam, OpcodeHandler};
    const DEPTH: usize = 5000;
    // Building, validating, cloning and dropping IR recurse over the tree
    // (not this module's code): do those on a thread with a large stack,
    // and run the interpreter on one with a small stack, where a
    // recursive statement walker would overflow at this depth.
    fn big<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
        std::thread::Builder::new()
            .stack_size(512 << 20)
            .spawn(f)
            .unwrap()
            .join()
            .unwrap()
    }
    let mut host = big(|| {
        let mut stmt = Stmt::Store {
            buffer: vyre_core::ir::BufferId(0),
            index: 0u32.into(),
            value: 42u32.into(),
        };
        for _ in 0..DEPTH {
            stmt = Stmt::If {
                cond: true.into(),
                then_body: Block(vec![Stmt::Block(Block(vec![stmt]))]),
                else_body: Block::new(),
            };
        }
        let h = OpcodeHandler {
            id: 1,
            name: "deep".into(),
            buffers: vec![BufferParam {
                name: "out".into(),
                elem: U32,
                access: Access::ReadWrite,
            }],
            arg_count: 0,
            locals: vec![],
            body: Block(vec![stmt]),
        };
        let p = program(small_config(), &[("out", plain(U32))], vec![h]);
        let mut host = Host::new(p, 1, 1);
        host.zeroed_buffer("out", 1);
        host.publish(Priority::Normal, 1, 0, &[]);
        host
    });
    let mut host = std::thread::Builder::new()
        .stack_size(256 << 10)
        .spawn(move || {
            host.submit(1);
            host
        })
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(host.buffer("out"), [42]);
    assert!(host.faults().is_empty());
    big(move || drop(host));
}

#[test]
fn ctx_values_and_argument_words() {
    let mut h = HandlerBuilder::new(1, "who");
    let out = h.buffer("out", U32, Access::ReadWrite);
    let a = h.arg("a", F32);
    let c = h.arg("c", I32);
    h.body(|b| {
        b.store(out, 0u32, ctx(CtxValue::Lane));
        b.store(out, 1u32, ctx(CtxValue::Slot));
        b.store(out, 2u32, ctx(CtxValue::Tenant));
        b.store(out, 3u32, ctx(CtxValue::Priority));
        b.store(out, 4u32, (a * 2.0f32).cast(U32));
        b.store(out, 5u32, c.cast(U32));
        b.store(out, 6u32, out.len());
    });
    let p = program(
        small_config(),
        &[("out", plain(U32))],
        vec![h.finish().unwrap()],
    );
    let mut host = Host::new(p, 1, 1);
    host.enable(3, true);
    host.zeroed_buffer("out", 8);
    host.publish(Priority::Low, 1, 3, &[1.25f32.to_bits(), (-7i32) as u32]);
    host.submit(1);
    let start = host.program.config().partitions()[Priority::Low.index()].0;
    assert_eq!(
        host.buffer("out"),
        [0, start, 3, 3, 2, (-7i32) as u32, 8, 0]
    );
    assert_eq!(host.ctrl(ctrl::EXECUTED_BY_PRIORITY + 3), 1);
}

#[test]
fn atomics_on_i32_use_signed_order_and_cas_is_strong() {
    let mut h = HandlerBuilder::new(1, "atom");
    let s = h.buffer("s", I32, Access::Atomic);
    let out = h.buffer("out", I32, Access::ReadWrite);
    h.body(|b| {
        b.store(out, 0u32, s.fetch_min(0u32, -5i32));
        b.store(out, 1u32, s.fetch_max(1u32, -5i32));
        b.store(out, 2u32, s.fetch_add(2u32, 1i32));
        b.store(out, 3u32, s.fetch_sub(3u32, 1i32));
        b.store(out, 4u32, s.swap(4u32, 9i32));
        b.store(out, 5u32, s.fetch_and(5u32, 6i32));
        b.store(out, 6u32, s.fetch_or(6u32, 6i32));
        b.store(out, 7u32, s.fetch_xor(7u32, 6i32));
        let (old, ok) = b.compare_exchange(s, 8u32, 3i32, 4i32);
        b.store(out, 8u32, old);
        b.store(out, 9u32, ok.cast(I32));
        let (old, ok) = b.compare_exchange(s, 9u32, 3i32, 4i32);
        b.store(out, 10u32, old);
        b.store(out, 11u32, ok.cast(I32));
        b.atomic_store(s, 10u32, -1i32);
        b.store(out, 12u32, s.load(10u32));
    });
    let p = program(
        small_config(),
        &[
            ("s", vyre_core::ir::BufferKind::atomic(I32)),
            ("out", plain(I32)),
        ],
        vec![h.finish().unwrap()],
    );
    let mut host = Host::new(p, 1, 1);
    let init: Vec<i32> = vec![3, 3, i32::MAX, i32::MIN, 1, 3, 3, 3, 3, 2, 0];
    host.set_buffer("s", &init.iter().map(|&x| x as u32).collect::<Vec<_>>());
    host.zeroed_buffer("out", 13);
    host.publish(Priority::Normal, 1, 0, &[]);
    host.submit(1);
    let s: Vec<i32> = host.buffer("s").iter().map(|&x| x as i32).collect();
    let out: Vec<i32> = host.buffer("out").iter().map(|&x| x as i32).collect();
    assert_eq!(s, [-5, 3, i32::MIN, i32::MAX, 9, 2, 7, 5, 4, 2, -1]);
    assert_eq!(out, [3, 3, i32::MAX, i32::MIN, 1, 3, 3, 3, 3, 1, 2, 0, -1]);
}

//! Cast and intrinsic semantics of the reference interpreter, checked
//! against Rust's `as` and methods on edge values (NaN and infinite
//! casts, overflowing and signed intrinsics, f32 rounding), through the
//! case tables of `support/semantics.rs`.

mod support;

use vyre_core::ir::{Intrinsic, ScalarType, Var};

use support::semantics::{bits_f, bits_i, check, f, f32s, tuples, F32Fn, I32S, U32S};
use ScalarType::{Bool, F32, I32, U32};

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

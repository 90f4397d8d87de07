//! Operator semantics of the reference interpreter, checked against Rust
//! itself on edge values (u32::MAX wrap, i32::MIN, shifts by 32 and more,
//! NaN and infinity, short-circuits). Each case is a task whose arguments
//! are the operands and which stores the result; the whole pipeline (slot
//! words → locals → evaluation → store) is exercised. Casts and intrinsics
//! are in `reference_intrinsics.rs`, control flow in
//! `reference_control_flow.rs`; the case tables in `support/semantics.rs`.

mod support;

use vyre_core::ir::{Expr, ScalarType, Var};

use support::semantics::{
    bin, bits_f, bits_i, bits_u, check, f, f32s, tuples, CmpBuilder, I32S, U32S,
};
use ScalarType::{Bool, F32, I32, U32};

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

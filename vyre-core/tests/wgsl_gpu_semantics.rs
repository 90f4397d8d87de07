//! The generated WGSL computes integer (and exact f32) results bit-exact
//! against Rust on a real wgpu adapter (Mesa's lavapipe in CI), through
//! the minimal host of `wgsl_common/machine.rs`. Without an adapter the
//! test prints a notice and passes, unless `VYRE_REQUIRE_GPU=1`.

mod wgsl_common;

use vyre_core::ir::{
    Access, BinOp, BlockBuilder, BufferKind, Expr, HandlerBuilder, Intrinsic, ScalarType,
};
use vyre_core::program::{OpcodeHandler, Program};
use vyre_core::protocol::ctrl;
use vyre_core::Priority;

use ScalarType::{F32, I32, U32};

use wgsl_common::machine::{config, gpu, Machine};

/// The inputs of one `ops` task.
#[derive(Clone, Copy, Debug)]
struct Inputs {
    a: u32,
    b: i32,
    c: f32,
    d: u32,
    e: i32,
}

/// `(name, Rust's value as bits)` for every operation `ops` computes.
fn expected(x: Inputs) -> Vec<(&'static str, u32)> {
    let Inputs { a, b, c, d, e } = x;
    let b32 = |v: i32| v as u32;
    vec![
        ("a+d", a.wrapping_add(d)),
        ("a-d", a.wrapping_sub(d)),
        ("a*d", a.wrapping_mul(d)),
        ("a/d", a / d),
        ("a%d", a % d),
        ("b+e", b32(b.wrapping_add(e))),
        ("b-e", b32(b.wrapping_sub(e))),
        ("b*e", b32(b.wrapping_mul(e))),
        ("b/e", b32(b.wrapping_div(e))),
        ("b%e", b32(b.wrapping_rem(e))),
        ("-b", b32(b.wrapping_neg())),
        ("!a", !a),
        ("!b", b32(!b)),
        ("a<<d", a.wrapping_shl(d)),
        ("a>>d", a.wrapping_shr(d)),
        ("b<<d", b32(b.wrapping_shl(d))),
        ("b>>d", b32(b.wrapping_shr(d))),
        ("a&d", a & d),
        ("a|d", a | d),
        ("a^d", a ^ d),
        ("b<e", u32::from(b < e)),
        ("a>=d", u32::from(a >= d)),
        ("min_u", a.min(d)),
        ("max_i", b32(b.max(e))),
        ("clamp_i", b32(b.clamp(-5, 7))),
        ("abs_b", b32(b.wrapping_abs())),
        ("rotl_a", a.rotate_left(d)),
        ("rotr_a", a.rotate_right(d)),
        ("rotl_b", b32(b.rotate_left(d))),
        ("rotr_b", b32(b.rotate_right(d))),
        ("ones_a", a.count_ones()),
        ("ones_b", b.count_ones()),
        ("lz_a", a.leading_zeros()),
        ("lz_b", b.leading_zeros()),
        ("tz_a", a.trailing_zeros()),
        ("tz_b", b.trailing_zeros()),
        ("rev_a", a.reverse_bits()),
        ("rev_b", b32(b.reverse_bits())),
        ("a_as_i32", b32(a as i32)),
        ("b_as_u32", b as u32),
        ("c_as_u32", c as u32),
        ("c_as_i32", b32(c as i32)),
        ("bool_as_u32", u32::from(a > d)),
        ("bool_as_i32", b32(i32::from(b > e))),
        ("round_c", c.round().to_bits()),
        ("floor_c", c.floor().to_bits()),
        ("ceil_c", c.ceil().to_bits()),
        ("neg_c", (-c).to_bits()),
        ("abs_c", c.abs().to_bits()),
        ("select", if b < e { a } else { d }),
        ("xor_bool", u32::from((a > d) ^ (b > e))),
        ("and_bool", u32::from((a > d) & (b > e))),
    ]
}

/// The handler computing [`expected`]'s operations into `out[base..]`
/// (f32 results into `out_f[base..]`, so that their bits survive).
fn ops_handler(count: usize) -> OpcodeHandler {
    let mut h = HandlerBuilder::new(0x10, "ops");
    let out = h.buffer("out", U32, Access::ReadWrite);
    let out_f = h.buffer("out_f", F32, Access::ReadWrite);
    let base = h.arg("base", U32);
    let a = h.arg("a", U32);
    let b = h.arg("b", I32);
    let c = h.arg("c", F32);
    let d = h.arg("d", U32);
    let e = h.arg("e", I32);
    let bin = |op, l: Expr, r: Expr| Expr::Binary {
        op,
        lhs: Box::new(l),
        rhs: Box::new(r),
    };
    let call = |x: Expr, f, args: Vec<Expr>| x.call(f, args);
    let u = |x: Expr| x.cast(U32);
    let (a, b, c, d, e): (Expr, Expr, Expr, Expr, Expr) =
        (a.into(), b.into(), c.into(), d.into(), e.into());
    let values: Vec<(&str, Expr)> = vec![
        ("a+d", bin(BinOp::Add, a.clone(), d.clone())),
        ("a-d", bin(BinOp::Sub, a.clone(), d.clone())),
        ("a*d", bin(BinOp::Mul, a.clone(), d.clone())),
        ("a/d", bin(BinOp::Div, a.clone(), d.clone())),
        ("a%d", bin(BinOp::Rem, a.clone(), d.clone())),
        ("b+e", u(bin(BinOp::Add, b.clone(), e.clone()))),
        ("b-e", u(bin(BinOp::Sub, b.clone(), e.clone()))),
        ("b*e", u(bin(BinOp::Mul, b.clone(), e.clone()))),
        ("b/e", u(bin(BinOp::Div, b.clone(), e.clone()))),
        ("b%e", u(bin(BinOp::Rem, b.clone(), e.clone()))),
        ("-b", u(-b.clone())),
        ("!a", !a.clone()),
        ("!b", u(!b.clone())),
        ("a<<d", bin(BinOp::Shl, a.clone(), d.clone())),
        ("a>>d", bin(BinOp::Shr, a.clone(), d.clone())),
        ("b<<d", u(bin(BinOp::Shl, b.clone(), d.clone()))),
        ("b>>d", u(bin(BinOp::Shr, b.clone(), d.clone()))),
        ("a&d", bin(BinOp::BitAnd, a.clone(), d.clone())),
        ("a|d", bin(BinOp::BitOr, a.clone(), d.clone())),
        ("a^d", bin(BinOp::BitXor, a.clone(), d.clone())),
        ("b<e", u(b.clone().lt(e.clone()))),
        ("a>=d", u(a.clone().ge(d.clone()))),
        ("min_u", a.clone().min(d.clone())),
        ("max_i", u(b.clone().max(e.clone()))),
        (
            "clamp_i",
            u(call(
                b.clone(),
                Intrinsic::Clamp,
                vec![(-5i32).into(), 7i32.into()],
            )),
        ),
        ("abs_b", u(call(b.clone(), Intrinsic::Abs, vec![]))),
        (
            "rotl_a",
            call(a.clone(), Intrinsic::RotateLeft, vec![d.clone()]),
        ),
        (
            "rotr_a",
            call(a.clone(), Intrinsic::RotateRight, vec![d.clone()]),
        ),
        (
            "rotl_b",
            u(call(b.clone(), Intrinsic::RotateLeft, vec![d.clone()])),
        ),
        (
            "rotr_b",
            u(call(b.clone(), Intrinsic::RotateRight, vec![d.clone()])),
        ),
        ("ones_a", call(a.clone(), Intrinsic::CountOnes, vec![])),
        ("ones_b", call(b.clone(), Intrinsic::CountOnes, vec![])),
        ("lz_a", call(a.clone(), Intrinsic::LeadingZeros, vec![])),
        ("lz_b", call(b.clone(), Intrinsic::LeadingZeros, vec![])),
        ("tz_a", call(a.clone(), Intrinsic::TrailingZeros, vec![])),
        ("tz_b", call(b.clone(), Intrinsic::TrailingZeros, vec![])),
        ("rev_a", call(a.clone(), Intrinsic::ReverseBits, vec![])),
        ("rev_b", u(call(b.clone(), Intrinsic::ReverseBits, vec![]))),
        ("a_as_i32", u(a.clone().cast(I32))),
        ("b_as_u32", b.clone().cast(U32)),
        ("c_as_u32", c.clone().cast(U32)),
        ("c_as_i32", u(c.clone().cast(I32))),
        ("bool_as_u32", a.clone().gt(d.clone()).cast(U32)),
        ("bool_as_i32", u(b.clone().gt(e.clone()).cast(I32))),
        ("round_c", call(c.clone(), Intrinsic::Round, vec![])),
        ("floor_c", call(c.clone(), Intrinsic::Floor, vec![])),
        ("ceil_c", call(c.clone(), Intrinsic::Ceil, vec![])),
        ("neg_c", -c.clone()),
        ("abs_c", call(c.clone(), Intrinsic::Abs, vec![])),
        (
            "select",
            a.clone().select(b.clone().lt(e.clone()), d.clone()),
        ),
        (
            "xor_bool",
            u(bin(
                BinOp::BitXor,
                a.clone().gt(d.clone()),
                b.clone().gt(e.clone()),
            )),
        ),
        (
            "and_bool",
            u(bin(
                BinOp::BitAnd,
                a.clone().gt(d.clone()),
                b.clone().gt(e.clone()),
            )),
        ),
    ];
    assert_eq!(values.len(), count);
    h.body(|bb: &mut BlockBuilder<'_>| {
        for (i, (name, v)) in values.into_iter().enumerate() {
            let target = if FLOAT_RESULTS.contains(&name) {
                out_f
            } else {
                out
            };
            bb.store(target, base + i as u32, v);
        }
    });
    h.finish().expect("valid ops handler")
}

#[test]
fn integer_and_exact_float_semantics_match_rust() {
    let Some(gpu) = gpu() else { return };
    let inputs = [
        Inputs {
            a: 7,
            b: -7,
            c: 2.5,
            d: 3,
            e: 2,
        },
        Inputs {
            a: u32::MAX,
            b: i32::MIN,
            c: -2.5,
            d: 33,
            e: -1,
        },
        Inputs {
            a: 0x8000_0001,
            b: i32::MAX,
            c: 0.49999997,
            d: 32,
            e: i32::MIN,
        },
        Inputs {
            a: 0,
            b: 0,
            c: f32::NAN,
            d: 1,
            e: 1,
        },
        Inputs {
            a: 12345,
            b: -1,
            c: 3.0e9,
            d: 31,
            e: 7,
        },
        Inputs {
            a: 1,
            b: 5,
            c: -3.0e9,
            d: 0xFFFF_FFFF,
            e: -5,
        },
        Inputs {
            a: 0xDEAD_BEEF,
            b: -123456,
            c: f32::INFINITY,
            d: 17,
            e: 3,
        },
        Inputs {
            a: 100,
            b: 99,
            c: -0.5,
            d: 100,
            e: 99,
        },
        Inputs {
            a: 5,
            b: 6,
            c: f32::NEG_INFINITY,
            d: 64,
            e: -6,
        },
        Inputs {
            a: 9,
            b: 8,
            c: 1.5e-40,
            d: 4,
            e: 2,
        },
    ];
    let count = expected(inputs[0]).len();
    let ops = ops_handler(count);
    let program = Program::builder("ops")
        .config(config(64))
        .buffer("out", BufferKind::plain(U32))
        .buffer("out_f", BufferKind::plain(F32))
        .opcode(ops)
        .build()
        .expect("valid program");
    let len = inputs.len() * count;
    let mut m = Machine::new(&gpu, program, &[vec![0; len], vec![0; len]], 2);
    for (t, x) in inputs.iter().enumerate() {
        let args = [
            (t * count) as u32,
            x.a,
            x.b as u32,
            x.c.to_bits(),
            x.d,
            x.e as u32,
        ];
        m.publish(Priority::Normal, 0x10, 0, &args);
    }
    m.submit(2);
    assert_eq!(
        m.ctrl_word(ctrl::FAULT_COUNT),
        0,
        "faults: {:?}",
        m.faults()
    );
    assert_eq!(m.ctrl_word(ctrl::EXECUTED), inputs.len() as u32);
    let out = m.buffer(0, len);
    let out_f = m.buffer(1, len);
    let mut mismatches = Vec::new();
    for (t, x) in inputs.iter().enumerate() {
        for (i, (name, want)) in expected(*x).into_iter().enumerate() {
            let k = t * count + i;
            let float = FLOAT_RESULTS.contains(&name);
            let got = if float { out_f[k] } else { out[k] };
            let same = if float {
                let (g, w) = (f32::from_bits(got), f32::from_bits(want));
                got == want
                    || (g.is_nan() && w.is_nan())
                    || (FLUSHES && w.is_subnormal() && g == 0.0)
            } else {
                got == want
            };
            if !same {
                mismatches.push(format!("{name} on {x:?}: got {got:#x}, Rust {want:#x}"));
            }
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

/// Results that are f32 values (compared by bits, NaN to any NaN).
const FLOAT_RESULTS: [&str; 5] = ["round_c", "floor_c", "ceil_c", "neg_c", "abs_c"];
/// Whether 0 may stand for a subnormal result (WGSL lets GPUs flush
/// subnormals).
const FLUSHES: bool = true;

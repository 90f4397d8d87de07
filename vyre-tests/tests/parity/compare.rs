//! The comparison of two backends' results: integers (the `u64` and `i64`
//! buffers bit for bit), faults, spawns, printf lines and counters exactly;
//! `f32` outputs within WGSL's accuracy, with a tolerance per operation.

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use crate::handlers::STRIDE;
use crate::workload::{Case, Observed};

/// Absolute and relative tolerance of each `float_ops` output (WGSL's
/// accuracy, §"Floating Point Accuracy" of the WGSL spec, for the input
/// ranges of [`case`](crate::workload::case)):
/// `|a - b| <= abs + rel * max(|a|, |b|)`.
pub const F32_OPS: [(&str, f32, f32); 20] = [
    ("sqrt: inherited from 1/inverseSqrt, 2.5 ULP", 0.0, 4e-7),
    ("floor: exact", 0.0, 0.0),
    ("ceil: exact", 0.0, 0.0),
    // The product f * 10.0 is correctly rounded, so round() sees the same
    // value everywhere.
    ("round: exact", 0.0, 0.0),
    ("sin: absolute 2^-11 on [-pi, pi]", 4.9e-4, 0.0),
    ("cos: absolute 2^-11 on [-pi, pi]", 4.9e-4, 0.0),
    ("exp: 3 + 2|x| ULP (|x| <= 4)", 0.0, 1.4e-6),
    ("ln: absolute 2^-21 on [0.5, 2], else 3 ULP", 4.8e-7, 3.6e-7),
    ("powf: inherited from exp2(y * log2(x))", 1e-6, 1e-4),
    ("mul_add: x * y + z, fused or not", 1e-4, 2.4e-7),
    ("-abs: exact", 0.0, 0.0),
    ("min + max: correctly rounded sum", 0.0, 1.2e-7),
    ("clamp: exact", 0.0, 0.0),
    ("+: correctly rounded", 0.0, 0.0),
    ("-: correctly rounded", 0.0, 0.0),
    ("*: correctly rounded", 0.0, 0.0),
    ("/: 2.5 ULP", 0.0, 3e-7),
    ("casts of truncated products: exact", 0.0, 0.0),
    ("if value: exact", 0.0, 0.0),
    ("bool casts: exact", 0.0, 0.0),
];

pub fn f32_close(op: usize, a: f32, b: f32) -> bool {
    if a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()) {
        return true;
    }
    let (_, abs, rel) = F32_OPS[op];
    (a - b).abs() <= abs + rel * a.abs().max(b.abs())
}

/// Which task wrote element `i` of `buffer` (`wout` or `wiout`), and its
/// inputs.
fn wide_writer(c: &Case, buffer: &str, i: usize) -> String {
    let (slot, word) = (i / STRIDE as usize, i % STRIDE as usize);
    let first = c.first_wide();
    let what = match slot.checked_sub(first) {
        Some(j) if j < c.wides.len() => {
            let (a, b, s) = c.wides[j];
            let task = format!("u64_ops(a = {a:#x}, b = {b:#x}, s = {s})");
            if buffer == "wiout" {
                format!("the i64_ops spawned by {task}")
            } else {
                task
            }
        }
        Some(j) if j - c.wides.len() < c.swides.len() => {
            let (x, y, f) = c.swides[j - c.wides.len()];
            format!("i64_ops(x = {x}, y = {y}, f = {f:?} = {:#x})", f.to_bits())
        }
        _ => "no 64-bit task".into(),
    };
    format!("slot {slot}, word {word}: {what}")
}

/// The first element where two 64-bit buffers differ, bit for bit.
fn same_bits<T: Copy + Into<i128> + std::fmt::Debug>(
    what: &str,
    name: &str,
    c: &Case,
    a: &[T],
    b: &[T],
) -> Result<(), TestCaseError> {
    prop_assert_eq!(a.len(), b.len(), "{} lengths", what);
    if let Some(i) = (0..a.len()).find(|&i| a[i].into() != b[i].into()) {
        let (x, y): (i128, i128) = (a[i].into(), b[i].into());
        prop_assert!(
            false,
            "native and {} disagree on {}[{}] ({}): {} = {:#x} vs {} = {:#x}",
            name,
            what,
            i,
            wide_writer(c, what, i),
            x,
            x as u64,
            y,
            y as u64
        );
    }
    Ok(())
}

/// Compares a backend's result with the native one's: everything but the
/// `f32` outputs exactly (the 64-bit buffers first, bit for bit, to name
/// the task of a difference), the `f32` outputs within [`F32_OPS`].
pub fn compare(
    name: &str,
    c: &Case,
    (a, af): &(Observed, Vec<f32>),
    (b, bf): &(Observed, Vec<f32>),
) -> Result<(), TestCaseError> {
    same_bits("wout", name, c, &a.wout, &b.wout)?;
    same_bits("wiout", name, c, &a.wiout, &b.wiout)?;
    prop_assert_eq!(a, b, "native and {} disagree on {:?}", name, c);
    prop_assert_eq!(af.len(), bf.len());
    for (i, (x, y)) in af.iter().zip(bf).enumerate() {
        let op = i % F32_OPS.len();
        prop_assert!(
            f32_close(op, *x, *y),
            "native and {} disagree on {} (output {}): {} vs {} (inputs {:?})",
            name,
            F32_OPS[op].0,
            i,
            x,
            y,
            c.floats[i / F32_OPS.len()]
        );
    }
    Ok(())
}

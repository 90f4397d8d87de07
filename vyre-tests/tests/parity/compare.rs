//! The comparison of two backends' results: integers (the `u64` and `i64`
//! buffers bit for bit), faults, spawns, printf lines and counters exactly;
//! the struct buffer `recs` field by field (integer fields bit for bit,
//! its `f32` field within the tolerance of its one operation); `f32`
//! outputs within WGSL's accuracy, with a tolerance per operation.

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use crate::handlers::{Rec, STRIDE};
use crate::workload::{Case, Run};

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

/// The `F32_OPS` entry of an operation, by the start of its description.
fn f32_op(name: &str) -> usize {
    F32_OPS.iter().position(|o| o.0.starts_with(name)).unwrap()
}

/// A `Rec`'s integer fields, named, as `i128` (every field's value exactly).
fn rec_ints(r: &Rec) -> Vec<(String, i128)> {
    let mut v = vec![
        ("key".to_string(), r.key as i128),
        ("skey".into(), r.skey as i128),
    ];
    v.extend((0..4).map(|k| (format!("vals[{k}]"), r.vals[k] as i128)));
    v.push(("inner.lo".into(), r.inner.lo as i128));
    v.push(("inner.sign".into(), r.inner.sign as i128));
    v.extend((0..2).map(|k| (format!("inner.w[{k}]"), r.inner.w[k] as i128)));
    v.extend((0..3).map(|k| (format!("bins[{k}]"), r.bins[k] as i128)));
    v
}

/// Which `cells` task owns element `i` of `recs`, and its inputs.
fn rec_writer(c: &Case, i: usize) -> String {
    let n = i / 2;
    match c.cells.get(n) {
        Some(&(ti, tj, e, x, y)) => format!(
            "owned by cells task {n} (slot {}): cells(i = {ti}, j = {tj}, e = {e}, x = {x:#x}, y = {y}); initially {:?}",
            c.first_cell() + n,
            c.recs[i]
        ),
        None => format!("a spare element no task owns; initially {:?}", c.recs[i]),
    }
}

/// The first field of the first element where two `recs` differ: integer
/// fields bit for bit, `f` (`r.f + small integer`) as `+` in [`F32_OPS`].
fn same_recs(name: &str, c: &Case, a: &[Rec], b: &[Rec]) -> Result<(), TestCaseError> {
    prop_assert_eq!(a.len(), b.len(), "recs lengths");
    let add = f32_op("+:");
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        for ((field, u), (_, v)) in rec_ints(x).into_iter().zip(rec_ints(y)) {
            prop_assert!(
                u == v,
                "native and {} disagree on recs[{}].{}: {} = {:#x} vs {} = {:#x} ({})",
                name,
                i,
                field,
                u,
                u as u64,
                v,
                v as u64,
                rec_writer(c, i)
            );
        }
        prop_assert!(
            f32_close(add, x.f, y.f),
            "native and {} disagree on recs[{}].f: {:?} ({:#x}) vs {:?} ({:#x}) ({})",
            name,
            i,
            x.f,
            x.f.to_bits(),
            y.f,
            y.f.to_bits(),
            rec_writer(c, i)
        );
    }
    Ok(())
}

/// Compares a backend's result with the native one's: everything but the
/// `f32` outputs exactly (the 64-bit buffers first, bit for bit, to name
/// the task of a difference, then `recs` field by field), the `f32`
/// outputs within [`F32_OPS`].
pub fn compare(
    name: &str,
    c: &Case,
    (a, af, ar): &Run,
    (b, bf, br): &Run,
) -> Result<(), TestCaseError> {
    same_bits("wout", name, c, &a.wout, &b.wout)?;
    same_bits("wiout", name, c, &a.wiout, &b.wiout)?;
    same_recs(name, c, ar, br)?;
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

//! Local arrays in handlers (`[0u32; 32]`, `[a, b, c]`, `a[i as usize]`,
//! `a[i] = v`, `a[i] += v`, `a.len()`, a constant length): results agree
//! with plain Rust on the native backend, the reference interpreter and
//! wgpu, and an index out of bounds is the `OUT_OF_BOUNDS` fault on all
//! three (a panic only in a plain host call).

mod common;

use common::wgpu_backend;
use vyre::prelude::*;

/// Depth of `sort4`'s scratch array, a constant length.
const SCRATCH: usize = 4;

/// The depth-first search: nodes below `root` in the implicit
/// binary tree (children `2v + 1`, `2v + 2` while `v < 64`).
#[opcode(id = 0x400)]
pub fn dfs(out: &mut Buffer<u32>, root: u32) {
    let mut stack = [0u32; 32];
    let mut top = 1u32;
    stack[0] = root;
    let mut seen = 0u32;
    while top > 0 {
        top -= 1;
        let v = stack[top as usize];
        seen += 1;
        if v < 64 {
            stack[top as usize] = 2 * v + 1;
            stack[(top + 1) as usize] = 2 * v + 2;
            top += 2;
        }
    }
    out[root] = seen;
}

/// Sorts four values with an insertion sort in a local array, and writes
/// them, their sum (a list literal's elements added with `+=`) and a
/// 64-bit product.
#[opcode(id = 0x401)]
pub fn sort4(out: &mut Buffer<u32>, wide: &mut Buffer<u64>, i: u32, a: u32, b: u32, c: u32) {
    let mut v = [a, b, c, a ^ b];
    let mut scratch = [0u64; SCRATCH];
    for k in 1..v.len() {
        let mut j = k;
        while j > 0 && v[j - 1] > v[j] {
            let t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
            j -= 1;
        }
    }
    let mut sum = [0u32; 1];
    for k in 0..4u32 {
        out[i * 5 + k] = v[k as usize];
        sum[0] = sum[0].wrapping_add(v[k as usize]);
        scratch[k as usize] = v[k as usize] as u64 * (k as u64 + 1);
    }
    out[i * 5 + 4] = sum[0];
    scratch[SCRATCH - 1] += scratch[0];
    wide[i] = scratch[3] ^ (scratch[1] << 32u32);
}

/// Reads `[10, 20, 30][k]`: `k` of 3 or more is out of bounds.
#[opcode(id = 0x402)]
pub fn probe(out: &mut Buffer<u32>, k: u32) {
    let table = [10u32, 20, 30];
    out[0] = table[k as usize];
}

megakernel! {
    /// The local-array test kernel.
    pub struct Arrays {
        workgroup_size: 64,
        buffers: { out: u32, wide: u64 },
        opcodes: [dfs, sort4, probe],
    }
}

/// `dfs(root)` in plain Rust.
fn dfs_count(root: u32) -> u32 {
    let mut out = Buffer::from(vec![0u32; 400]);
    dfs(&mut out, root);
    out[root]
}

#[test]
fn arrays_agree_with_rust_on_every_backend() {
    let mut gpus = vec![Gpu::cpu(), Gpu::reference().with_workgroups(4)];
    gpus.extend(wgpu_backend("local_arrays"));
    let inputs: Vec<(u32, u32, u32)> = (0..64u32)
        .map(|k| (k.wrapping_mul(2_654_435_761), k * 7 % 13, u32::MAX - k))
        .collect();
    for gpu in &gpus {
        let what = gpu.description();
        let mut k = Arrays::new(gpu).unwrap();
        k.out().upload(&vec![0; 400]).unwrap();
        k.wide().upload(&vec![0; 64]).unwrap();
        for root in 1..64u32 {
            k.publish(Priority::Normal, dfs::task(root + 320)).unwrap();
        }
        for (i, &(a, b, c)) in inputs.iter().enumerate() {
            k.publish(Priority::Normal, sort4::task(i as u32, a, b, c))
                .unwrap();
        }
        let report = k.run().unwrap();
        assert!(report.faults.is_empty(), "{what}: {:?}", report.faults);
        let out = k.out().read().unwrap();
        let wide = k.wide().read().unwrap();
        for root in 1..64u32 {
            assert_eq!(
                out[(root + 320) as usize],
                dfs_count(root + 320),
                "{what}: dfs({root})"
            );
        }
        for (i, &(a, b, c)) in inputs.iter().enumerate() {
            let mut o = Buffer::from(vec![0u32; 400]);
            let mut w = Buffer::from(vec![0u64; 64]);
            sort4(&mut o, &mut w, i as u32, a, b, c);
            assert_eq!(
                &out[i * 5..i * 5 + 5],
                &o.as_slice()[i * 5..i * 5 + 5],
                "{what}: sort4({i})"
            );
            assert_eq!(wide[i], w[i as u32], "{what}: sort4({i}) wide");
        }

        // Out of bounds: the same fault everywhere, nothing stored.
        k.out().upload(&[5; 400]).unwrap();
        k.publish(Priority::Normal, probe::task(2)).unwrap();
        k.publish(Priority::Low, probe::task(7)).unwrap();
        let report = k.run().unwrap();
        assert_eq!(report.faults.len(), 1, "{what}: {:?}", report.faults);
        assert_eq!(
            report.faults[0].kind,
            FaultKind::OutOfBounds { index: 7 },
            "{what}"
        );
        assert_eq!(
            k.out().read().unwrap()[0],
            30,
            "{what}: the in-bounds probe"
        );
    }
}

#[test]
fn a_plain_host_call_panics_like_rust() {
    let caught = std::panic::catch_unwind(|| {
        let mut out = Buffer::from(vec![0u32; 1]);
        probe(&mut out, 9);
    });
    let message = caught
        .err()
        .and_then(|p| p.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    assert_eq!(
        message,
        "index out of bounds: the len is 3 but the index is 9"
    );
}

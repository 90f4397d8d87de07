//! The plain single-threaded Rust versions of the workloads' work: what a
//! programmer would write without vyre. `black_box` keeps the optimiser
//! from folding the loops away; nothing else is held back.

use std::hint::black_box;

use super::programs::hash;

/// Argument of trivial task `k`: the counter it bumps.
pub fn trivial_arg(k: usize, counters: u32) -> u32 {
    (k as u32) % counters
}

/// Seed of mix task `i` (any well-spread function of `i`).
pub fn mix_seed(i: u32) -> u32 {
    i.wrapping_mul(0x85EB_CA6B) ^ 0xA5A5_A5A5
}

/// The trivial workload: `hits[args[k]] += 1` for every task.
pub fn trivial(args: &[u32], hits: &mut [u32]) {
    for &a in args {
        let h = &mut hits[a as usize];
        *h = black_box(h.wrapping_add(1));
    }
}

/// The mix workload: `out[i] = hash(seed, cost)` for tasks given as
/// `[cost, seed]` pairs.
pub fn mix(tasks: &[u32], out: &mut [u32]) {
    for (i, t) in tasks.chunks_exact(2).enumerate() {
        out[i] = black_box(hash(t[1], t[0]));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trivial_counts_and_mix_hashes() {
        let mut hits = vec![0; 4];
        let args: Vec<u32> = (0..10).map(|k| trivial_arg(k, 4)).collect();
        trivial(&args, &mut hits);
        assert_eq!(hits, vec![3, 3, 2, 2]);
        let mut out = vec![0; 2];
        mix(&[1, 5, 256, 5], &mut out);
        assert_eq!(out, vec![hash(5, 1), hash(5, 256)]);
    }
}

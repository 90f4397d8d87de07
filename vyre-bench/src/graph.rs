//! RMAT graphs (Graph500 parameters) in CSR form, and the single-threaded
//! CPU BFS that is the baseline and the oracle of the GPU BFS.

use super::programs::{BFS_CHUNK, UNREACHED};

/// A graph in compressed sparse row form: the neighbours of `v` are
/// `edges[offsets[v] .. offsets[v + 1]]`.
#[derive(Debug, Clone)]
pub struct Csr {
    /// `vertices + 1` offsets into `edges`.
    pub offsets: Vec<u32>,
    /// Concatenated adjacency lists.
    pub edges: Vec<u32>,
}

impl Csr {
    /// Number of vertices.
    pub fn vertices(&self) -> u32 {
        self.offsets.len().saturating_sub(1) as u32
    }

    /// Degree of `v`.
    pub fn degree(&self, v: u32) -> u32 {
        self.offsets[v as usize + 1] - self.offsets[v as usize]
    }

    /// The `[lo, hi)` edge chunks of `v`'s adjacency, [`BFS_CHUNK`] edges
    /// at most each: the BFS's unit of work on every backend.
    pub fn chunks(&self, v: u32) -> Vec<[u32; 2]> {
        let (a, b) = (self.offsets[v as usize], self.offsets[v as usize + 1]);
        (a..b)
            .step_by(BFS_CHUNK as usize)
            .map(|lo| [lo, (lo + BFS_CHUNK).min(b)])
            .collect()
    }
}

/// SplitMix64: small, fast, and good enough for graph generation.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`), by multiply-shift.
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }
}

/// An undirected RMAT graph of `2^scale` vertices and `edge_factor ·
/// 2^scale` generated edges (Graph500: A = 0.57, B = C = 0.19, vertex
/// labels randomly permuted, self-loops dropped, duplicates kept), each
/// edge stored in both directions. Deterministic for a seed; generated on
/// every available core.
pub fn rmat(scale: u32, edge_factor: u32, seed: u64) -> Csr {
    let n = 1u64 << scale;
    let m = u64::from(edge_factor) << scale;
    // Quadrant thresholds in 32-bit fixed point.
    let a = (0.57 * 4_294_967_296.0) as u64;
    let ab = ((0.57 + 0.19) * 4_294_967_296.0) as u64;
    let abc = ((0.57 + 0.19 + 0.19) * 4_294_967_296.0) as u64;
    let mut perm: Vec<u32> = (0..n as u32).collect();
    let mut rng = Rng::new(seed ^ 0x5EED_0F6A);
    for i in (1..perm.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        perm.swap(i, j);
    }
    // A fixed number of independently seeded pieces, so that the graph
    // does not depend on how many cores generate it.
    const PIECES: u64 = 64;
    let per = m.div_ceil(PIECES);
    let piece = |t: u64| -> Vec<(u32, u32)> {
        let mut rng = Rng::new(seed.wrapping_mul(0x100_0000_01B3) ^ (t + 1));
        let count = per.min(m.saturating_sub(t * per));
        let mut out = Vec::with_capacity(count as usize);
        for _ in 0..count {
            let (mut u, mut v) = (0u32, 0u32);
            let mut bits = 0u64;
            for level in 0..scale {
                if level % 2 == 0 {
                    bits = rng.next_u64();
                }
                let r = (bits >> (32 * (level % 2))) & 0xFFFF_FFFF;
                let (bu, bv) = if r < a {
                    (0, 0)
                } else if r < ab {
                    (0, 1)
                } else if r < abc {
                    (1, 0)
                } else {
                    (1, 1)
                };
                u = (u << 1) | bu;
                v = (v << 1) | bv;
            }
            let (u, v) = (perm[u as usize], perm[v as usize]);
            if u != v {
                out.push((u, v));
            }
        }
        out
    };
    let threads = std::thread::available_parallelism()
        .map(|t| t.get() as u64)
        .unwrap_or(1)
        .clamp(1, PIECES);
    let mut parts: Vec<Vec<(u32, u32)>> = vec![Vec::new(); PIECES as usize];
    std::thread::scope(|s| {
        let piece = &piece;
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                s.spawn(move || {
                    (t..PIECES)
                        .step_by(threads as usize)
                        .map(|i| (i, piece(i)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for h in handles {
            for (i, part) in h.join().unwrap_or_default() {
                parts[i as usize] = part;
            }
        }
    });
    let mut degree = vec![0u32; n as usize + 1];
    for part in &parts {
        for &(u, v) in part {
            degree[u as usize] += 1;
            degree[v as usize] += 1;
        }
    }
    let mut offsets = Vec::with_capacity(n as usize + 1);
    let mut total = 0u32;
    for d in &degree[..n as usize] {
        offsets.push(total);
        total += d;
    }
    offsets.push(total);
    let mut next = offsets.clone();
    let mut edges = vec![0u32; total as usize];
    for part in &parts {
        for &(u, v) in part {
            edges[next[u as usize] as usize] = v;
            next[u as usize] += 1;
            edges[next[v as usize] as usize] = u;
            next[v as usize] += 1;
        }
    }
    Csr { offsets, edges }
}

/// A deterministic root with at least one edge (Graph500 picks random
/// non-isolated roots).
pub fn pick_root(g: &Csr, seed: u64) -> u32 {
    let mut rng = Rng::new(seed);
    let n = u64::from(g.vertices().max(1));
    for _ in 0..1000 {
        let v = rng.below(n) as u32;
        if g.degree(v) > 0 {
            return v;
        }
    }
    (0..g.vertices()).find(|&v| g.degree(v) > 0).unwrap_or(0)
}

/// What a BFS found.
#[derive(Debug, Clone)]
pub struct BfsResult {
    /// Distance of every vertex from the root ([`UNREACHED`] if none).
    pub dist: Vec<u32>,
    /// Vertices reached, the root included.
    pub reached: u64,
    /// Directed edges scanned (the sum of the reached vertices' degrees):
    /// the work of any BFS of this graph from this root.
    pub edges_scanned: u64,
    /// Largest distance.
    pub depth: u32,
}

/// Queue-based single-threaded BFS.
pub fn bfs(g: &Csr, root: u32) -> BfsResult {
    let n = g.vertices() as usize;
    let mut dist = vec![UNREACHED; n];
    let mut queue = Vec::with_capacity(n);
    let mut edges_scanned = 0u64;
    if (root as usize) < n {
        dist[root as usize] = 0;
        queue.push(root);
    }
    let mut head = 0;
    while head < queue.len() {
        let u = queue[head];
        head += 1;
        let du = dist[u as usize] + 1;
        let adj = &g.edges[g.offsets[u as usize] as usize..g.offsets[u as usize + 1] as usize];
        edges_scanned += adj.len() as u64;
        for &v in adj {
            let d = &mut dist[v as usize];
            if *d == UNREACHED {
                *d = du;
                queue.push(v);
            }
        }
    }
    let depth = queue.last().map_or(0, |&v| dist[v as usize]);
    BfsResult {
        reached: queue.len() as u64,
        dist,
        edges_scanned,
        depth,
    }
}

/// Per BFS level: how many vertices and how many `scan` chunks it holds
/// (sizes the megakernel's ring).
pub fn level_profile(g: &Csr, r: &BfsResult) -> Vec<(u64, u64)> {
    let mut levels = vec![(0u64, 0u64); r.depth as usize + 1];
    for (v, &d) in r.dist.iter().enumerate() {
        if d != UNREACHED {
            let l = &mut levels[d as usize];
            l.0 += 1;
            l.1 += u64::from(g.degree(v as u32).div_ceil(BFS_CHUNK));
        }
    }
    levels
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rmat_is_symmetric_and_bfs_is_consistent() {
        let g = rmat(8, 8, 1);
        assert_eq!(g.vertices(), 256);
        assert_eq!(*g.offsets.last().unwrap() as usize, g.edges.len());
        // Symmetric: every edge has its reverse.
        let mut pairs: Vec<(u32, u32)> = Vec::new();
        for v in 0..g.vertices() {
            for &w in &g.edges[g.offsets[v as usize] as usize..g.offsets[v as usize + 1] as usize] {
                pairs.push((v, w));
            }
        }
        let mut rev: Vec<(u32, u32)> = pairs.iter().map(|&(a, b)| (b, a)).collect();
        pairs.sort_unstable();
        rev.sort_unstable();
        assert_eq!(pairs, rev);
        let root = pick_root(&g, 3);
        let r = bfs(&g, root);
        assert!(r.reached > 1);
        for v in 0..g.vertices() {
            let dv = r.dist[v as usize];
            if dv == UNREACHED {
                continue;
            }
            for &w in &g.edges[g.offsets[v as usize] as usize..g.offsets[v as usize + 1] as usize] {
                assert!(r.dist[w as usize] <= dv + 1);
            }
        }
        assert_eq!(rmat(8, 8, 1).edges, g.edges, "deterministic");
    }
}

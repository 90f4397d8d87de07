//! Hand-written WGSL baselines, run on the megakernel's own device in the
//! same process:
//!
//! - [`ClaimLoop`]: the atomic ceiling — lanes take tickets from one
//!   counter and claim a slot with a compare-exchange; no handler work;
//! - [`Direct`]: the same work as a workload's handlers with one
//!   invocation per task and no scheduling (trivial and mix);
//! - [`DispatchPerTask`]: one single-invocation dispatch per task, all
//!   recorded in one compute pass;
//! - [`DirectBfs`]: a level-synchronous BFS over the same edge chunks as
//!   the megakernel's `scan` tasks, one invocation per chunk, one
//!   indirect dispatch per level.

use vyre::gpu::GpuContext;

use super::kernels::{self, grid, Kernel, PassTimer, DIRECT_WG};
use super::programs::{BFS_CHUNK, HASH_MUL};
use super::stats::Timing;
use super::{fail, Result};

/// The raw claim loop. `{WG}` is the workgroup size.
const CLAIM_LOOP: &str = r#"
// The atomic ceiling: every lane takes tickets from one counter and claims
// the ticket's slot (a status word at vyre's 16-word slot stride) with a
// compare-exchange, then marks it done. No handler, no claim list, no
// priorities, no maintenance pass.
@group(0) @binding(0) var<storage, read_write> ring: array<atomic<u32>>;
// [next ticket, tasks, claimed]
@group(0) @binding(1) var<storage, read_write> ctl: array<atomic<u32>>;

@compute @workgroup_size({WG})
fn claim() {
    let n = atomicLoad(&ctl[1]);
    var claimed = 0u;
    loop {
        let t = atomicAdd(&ctl[0], 1u);
        if (t >= n) {
            break;
        }
        let s = t * 16u;
        for (var k = 0u; k < 8u; k++) {
            let r = atomicCompareExchangeWeak(&ring[s], 3u, 4u);
            if (r.exchanged) {
                atomicStore(&ring[s], 5u);
                claimed += 1u;
                break;
            }
            if (r.old_value != 3u) {
                break;
            }
        }
    }
    atomicAdd(&ctl[2], claimed);
}

// Marks slots 0..n PUBLISHED again (not timed).
@compute @workgroup_size(256)
fn reset(@builtin(global_invocation_id) g: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
    let i = g.y * nw.x * 256u + g.x;
    if (i < atomicLoad(&ctl[1])) {
        atomicStore(&ring[i * 16u], 3u);
    }
}
"#;

/// The raw claim loop baseline, sized for up to `max` tasks.
pub struct ClaimLoop {
    claim: Kernel,
    reset: Kernel,
    ctl: wgpu::Buffer,
    claim_group: wgpu::BindGroup,
    reset_group: wgpu::BindGroup,
    timer: PassTimer,
    max: u32,
    workgroups: u32,
}

impl ClaimLoop {
    /// Allocates a ring of `max` slots; the loop runs `workgroups`
    /// workgroups of `wg` lanes (the megakernel's lanes).
    pub fn new(ctx: &GpuContext, max: u32, workgroups: u32, wg: u32) -> Result<ClaimLoop> {
        let wgsl = CLAIM_LOOP.replace("{WG}", &wg.to_string());
        let claim = Kernel::new(ctx, "claim loop", &wgsl, "claim")?;
        let reset = Kernel::new(ctx, "claim loop reset", &wgsl, "reset")?;
        let ring = kernels::zeroed(ctx, "claim loop ring", u64::from(max) * 16)?;
        let ctl = kernels::zeroed(ctx, "claim loop ctl", 4)?;
        Ok(ClaimLoop {
            claim_group: claim.bind(ctx, &[&ring, &ctl])?,
            reset_group: reset.bind(ctx, &[&ring, &ctl])?,
            claim,
            reset,
            ctl,
            timer: PassTimer::new(ctx, 1)?,
            max,
            workgroups,
        })
    }

    /// Claims `n` slots; checks that every one was claimed exactly once.
    pub fn run(&self, ctx: &GpuContext, n: u32) -> Result<Timing> {
        if n > self.max {
            return fail(format!(
                "claim loop sized for {} tasks, asked for {n}",
                self.max
            ));
        }
        kernels::write(ctx, &self.ctl, 0, &[0, n, 0, 0]);
        let t = kernels::timed(ctx, &self.timer, |enc| {
            {
                let mut pass = enc.begin_compute_pass(&Default::default());
                self.reset.set(&mut pass, &self.reset_group);
                let (x, y) = grid(n.div_ceil(256));
                pass.dispatch_workgroups(x, y, 1);
            }
            let mut pass = enc.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("claim loop"),
                timestamp_writes: self.timer.writes(0),
            });
            self.claim.set(&mut pass, &self.claim_group);
            pass.dispatch_workgroups(self.workgroups, 1, 1);
        })?;
        let claimed = kernels::read(ctx, &self.ctl, 2, 1)?[0];
        if claimed != n {
            return fail(format!("claim loop claimed {claimed} of {n} slots"));
        }
        Ok(t)
    }
}

/// One invocation per task: `hits[args[i]] += 1` (trivial) or
/// `out[i] = hash(seed, cost)` (mix).
const DIRECT: &str = r#"
@group(0) @binding(0) var<storage, read_write> hits: array<atomic<u32>>;
@group(0) @binding(1) var<storage, read_write> out: array<u32>;
// trivial: one word per task (the counter); mix: [cost, seed] per task
@group(0) @binding(2) var<storage, read> args: array<u32>;
// [tasks]
@group(0) @binding(3) var<storage, read> params: array<u32>;

@compute @workgroup_size(256)
fn trivial(@builtin(global_invocation_id) g: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
    let i = g.y * nw.x * 256u + g.x;
    if (i >= params[0]) {
        return;
    }
    atomicAdd(&hits[args[i]], 1u);
}

@compute @workgroup_size(256)
fn mix(@builtin(global_invocation_id) g: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
    let i = g.y * nw.x * 256u + g.x;
    if (i >= params[0]) {
        return;
    }
    out[i] = hash(args[2u * i + 1u], args[2u * i]);
}

fn hash(seed: u32, cost: u32) -> u32 {
    var x = seed;
    for (var j = 0u; j < cost; j++) {
        x = (x ^ j) * {MUL}u;
        x = x ^ (x >> 16u);
    }
    return x;
}

// `mix` with workgroup memory that does nothing but limit how many
// workgroups an SM holds at once (the occupancy probe). Reading the
// zero-initialised array keeps it from being optimised away.
var<workgroup> pad: array<u32, {PAD}>;

@compute @workgroup_size(256)
fn mix_padded(@builtin(global_invocation_id) g: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>, @builtin(local_invocation_index) l: u32) {
    let i = g.y * nw.x * 256u + g.x;
    if (i >= params[0]) {
        return;
    }
    out[i] = hash(args[2u * i + 1u], args[2u * i]) ^ pad[l % {PAD}u];
}

// `mix` with the megakernel's loop accounting (the loop-check probe): each
// iteration counts itself in a private counter and leaves the task when it
// passes the loop limit (65,536 by default, never reached here), as
// `vy_tick` does in a handler loop.
var<private> ticks: u32;
var<private> ticked_out: u32;

fn hash_ticked(seed: u32, cost: u32) -> u32 {
    var x = seed;
    var j = 0u;
    loop {
        if (j >= cost) { break; }
        ticks += 1u;
        if (ticks > 65536u) {
            ticked_out = 1u;
            return 0u;
        }
        x = (x ^ j) * {MUL}u;
        x = x ^ (x >> 16u);
        continuing {
            j = j + 1u;
        }
    }
    return x;
}

@compute @workgroup_size(256)
fn mix_ticked(@builtin(global_invocation_id) g: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
    let i = g.y * nw.x * 256u + g.x;
    if (i >= params[0]) {
        return;
    }
    ticks = 0u;
    ticked_out = 0u;
    let x = hash_ticked(args[2u * i + 1u], args[2u * i]);
    if (ticked_out != 0u) {
        return;
    }
    out[i] = x;
}
"#;

fn direct_wgsl(pad_words: u32) -> String {
    DIRECT
        .replace("{MUL}", &format!("{HASH_MUL:#x}"))
        .replace("{PAD}", &pad_words.max(1).to_string())
}

/// Which work the direct kernel does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DirectWork {
    /// `hits[args[i]] += 1`.
    Trivial,
    /// `out[i] = hash(args[2i+1], args[2i])`.
    Mix,
    /// `Mix` in workgroups that each hold `bytes` of workgroup memory (the
    /// occupancy probe: fewer workgroups fit on an SM at once).
    MixPadded {
        /// Workgroup memory per workgroup, in bytes.
        bytes: u32,
    },
    /// `Mix` with a handler loop's per-iteration count and limit check
    /// (the loop-check probe).
    MixTicked,
}

/// The direct kernel over one set of tasks.
pub struct Direct {
    kernel: Kernel,
    group: wgpu::BindGroup,
    hits: wgpu::Buffer,
    out: wgpu::Buffer,
    timer: PassTimer,
    tasks: u32,
}

impl Direct {
    /// Uploads `args` for `tasks` tasks of `work`; `hits` counters (trivial)
    /// or `tasks` outputs (mix) start at zero.
    pub fn new(
        ctx: &GpuContext,
        work: DirectWork,
        tasks: u32,
        args: &[u32],
        hits: u32,
    ) -> Result<Direct> {
        let (entry, pad_bytes) = match work {
            DirectWork::Trivial => ("trivial", 0),
            DirectWork::Mix => ("mix", 0),
            DirectWork::MixPadded { bytes } => ("mix_padded", bytes),
            DirectWork::MixTicked => ("mix_ticked", 0),
        };
        let wgsl = direct_wgsl(pad_bytes / 4);
        let kernel = Kernel::new(ctx, &format!("direct {entry}"), &wgsl, entry)?;
        let hits_buf = kernels::zeroed(ctx, "direct hits", u64::from(hits))?;
        let out = kernels::zeroed(ctx, "direct out", u64::from(tasks))?;
        let args = kernels::storage(ctx, "direct args", args)?;
        let params = kernels::storage(ctx, "direct params", &[tasks])?;
        // The auto layout holds only the bindings the entry point uses.
        let group = match work {
            DirectWork::Trivial => {
                kernel.bind_at(ctx, &[(0, &hits_buf), (2, &args), (3, &params)])?
            }
            DirectWork::Mix | DirectWork::MixPadded { .. } | DirectWork::MixTicked => {
                kernel.bind_at(ctx, &[(1, &out), (2, &args), (3, &params)])?
            }
        };
        Ok(Direct {
            kernel,
            group,
            hits: hits_buf,
            out,
            timer: PassTimer::new(ctx, 1)?,
            tasks,
        })
    }

    /// One run over every task.
    pub fn run(&self, ctx: &GpuContext) -> Result<Timing> {
        kernels::timed(ctx, &self.timer, |enc| {
            let mut pass = enc.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("direct"),
                timestamp_writes: self.timer.writes(0),
            });
            self.kernel.set(&mut pass, &self.group);
            let (x, y) = grid(self.tasks.div_ceil(DIRECT_WG));
            pass.dispatch_workgroups(x, y, 1);
        })
    }

    /// The counters (trivial).
    pub fn hits(&self, ctx: &GpuContext, len: u32) -> Result<Vec<u32>> {
        kernels::read(ctx, &self.hits, 0, u64::from(len))
    }

    /// The outputs (mix).
    pub fn out(&self, ctx: &GpuContext) -> Result<Vec<u32>> {
        kernels::read(ctx, &self.out, 0, u64::from(self.tasks))
    }
}

const ONE: &str = r#"
@group(0) @binding(0) var<storage, read_write> hits: array<atomic<u32>>;
@group(0) @binding(1) var<storage, read> args: array<u32>;
@group(0) @binding(2) var<storage, read_write> next: array<atomic<u32>>;

// One task per dispatch: the task index comes from a counter.
@compute @workgroup_size(1)
fn one() {
    let i = atomicAdd(&next[0], 1u);
    atomicAdd(&hits[args[i]], 1u);
}
"#;

/// One dispatch per task, recorded in one compute pass (wgpu inserts the
/// barriers between dispatches that touch the same storage).
pub struct DispatchPerTask {
    kernel: Kernel,
    group: wgpu::BindGroup,
    next: wgpu::Buffer,
    hits: wgpu::Buffer,
    timer: PassTimer,
    tasks: u32,
}

impl DispatchPerTask {
    /// Uploads `args` (one counter index per task).
    pub fn new(ctx: &GpuContext, args: &[u32], hits: u32) -> Result<DispatchPerTask> {
        let kernel = Kernel::new(ctx, "dispatch per task", ONE, "one")?;
        let hits_buf = kernels::zeroed(ctx, "per-task hits", u64::from(hits))?;
        let args_buf = kernels::storage(ctx, "per-task args", args)?;
        let next = kernels::zeroed(ctx, "per-task next", 1)?;
        Ok(DispatchPerTask {
            group: kernel.bind(ctx, &[&hits_buf, &args_buf, &next])?,
            kernel,
            next,
            hits: hits_buf,
            timer: PassTimer::new(ctx, 1)?,
            tasks: args.len() as u32,
        })
    }

    /// Records and runs one dispatch per task. The wall time includes
    /// recording (part of the cost of this style).
    pub fn run(&self, ctx: &GpuContext) -> Result<Timing> {
        kernels::write(ctx, &self.next, 0, &[0]);
        let start = std::time::Instant::now();
        let t = kernels::timed(ctx, &self.timer, |enc| {
            let mut pass = enc.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("dispatch per task"),
                timestamp_writes: self.timer.writes(0),
            });
            self.kernel.set(&mut pass, &self.group);
            for _ in 0..self.tasks {
                pass.dispatch_workgroups(1, 1, 1);
            }
        })?;
        Ok(Timing {
            wall: start.elapsed().as_secs_f64(),
            gpu: t.gpu,
        })
    }

    /// The counters.
    pub fn hits(&self, ctx: &GpuContext, len: u32) -> Result<Vec<u32>> {
        kernels::read(ctx, &self.hits, 0, u64::from(len))
    }
}

const BFS_EXPAND: &str = r#"
@group(0) @binding(0) var<storage, read> offsets: array<u32>;
@group(0) @binding(1) var<storage, read> edges: array<u32>;
@group(0) @binding(2) var<storage, read_write> dist: array<atomic<u32>>;
// Edge chunks [lo, hi) of this level and of the next.
@group(0) @binding(3) var<storage, read> qin: array<u32>;
@group(0) @binding(4) var<storage, read_write> qout: array<u32>;
// [chunks this level, chunks next level, level]
@group(0) @binding(5) var<storage, read_write> ctl: array<atomic<u32>>;

// One invocation per chunk of the level: relax its edges; a vertex whose
// distance drops appends its adjacency, in chunks, to the next level.
@compute @workgroup_size(256)
fn expand(@builtin(global_invocation_id) g: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
    let i = g.y * nw.x * 256u + g.x;
    if (i >= atomicLoad(&ctl[0])) {
        return;
    }
    let lo = qin[2u * i];
    let hi = qin[2u * i + 1u];
    let nd = atomicLoad(&ctl[2]) + 1u;
    for (var e = lo; e < hi; e++) {
        let v = edges[e];
        if (atomicMin(&dist[v], nd) > nd) {
            let a = offsets[v];
            let b = offsets[v + 1u];
            let k = (b - a + {CHUNK}u - 1u) / {CHUNK}u;
            if (k > 0u) {
                let base = atomicAdd(&ctl[1], k);
                for (var c = 0u; c < k; c++) {
                    let start = a + c * {CHUNK}u;
                    qout[2u * (base + c)] = start;
                    qout[2u * (base + c) + 1u] = min(start + {CHUNK}u, b);
                }
            }
        }
    }
}
"#;

const BFS_ADVANCE: &str = r#"
@group(0) @binding(0) var<storage, read_write> ctl: array<atomic<u32>>;
@group(0) @binding(1) var<storage, read_write> indirect: array<u32>;

// Moves to the next level and sizes its dispatch (x and y, 65,535 max).
@compute @workgroup_size(1)
fn advance() {
    let n = atomicLoad(&ctl[1]);
    atomicStore(&ctl[0], n);
    atomicStore(&ctl[1], 0u);
    atomicAdd(&ctl[2], 1u);
    let groups = (n + 255u) / 256u;
    let y = max((groups + 65534u) / 65535u, 1u);
    indirect[0] = (groups + y - 1u) / y;
    indirect[1] = y;
    indirect[2] = 1u;
}
"#;

/// The level-synchronous BFS baseline on one graph.
pub struct DirectBfs {
    expand: Kernel,
    advance: Kernel,
    groups: [wgpu::BindGroup; 2],
    advance_group: wgpu::BindGroup,
    dist: wgpu::Buffer,
    qa: wgpu::Buffer,
    ctl: wgpu::Buffer,
    indirect: wgpu::Buffer,
    timer: PassTimer,
    vertices: u32,
}

impl DirectBfs {
    /// Uploads the CSR graph.
    pub fn new(ctx: &GpuContext, offsets: &[u32], edges: &[u32]) -> Result<DirectBfs> {
        let vertices = offsets.len().saturating_sub(1) as u32;
        let chunks: u64 = offsets
            .windows(2)
            .map(|w| u64::from((w[1] - w[0]).div_ceil(BFS_CHUNK)))
            .sum();
        let wgsl = BFS_EXPAND.replace("{CHUNK}", &BFS_CHUNK.to_string());
        let expand = Kernel::new(ctx, "bfs expand", &wgsl, "expand")?;
        let advance = Kernel::new(ctx, "bfs advance", BFS_ADVANCE, "advance")?;
        let off = kernels::storage(ctx, "bfs offsets", offsets)?;
        let edg = kernels::storage(ctx, "bfs edges", edges)?;
        let dist = kernels::zeroed(ctx, "bfs dist", u64::from(vertices))?;
        // Every vertex is discovered at most once, so its chunks are
        // appended at most once.
        let qa = kernels::zeroed(ctx, "bfs queue a", 2 * chunks + 2)?;
        let qb = kernels::zeroed(ctx, "bfs queue b", 2 * chunks + 2)?;
        let ctl = kernels::zeroed(ctx, "bfs ctl", 4)?;
        let indirect = kernels::zeroed(ctx, "bfs indirect", 4)?;
        let groups = [
            expand.bind(ctx, &[&off, &edg, &dist, &qa, &qb, &ctl])?,
            expand.bind(ctx, &[&off, &edg, &dist, &qb, &qa, &ctl])?,
        ];
        let advance_group = advance.bind(ctx, &[&ctl, &indirect])?;
        Ok(DirectBfs {
            expand,
            advance,
            groups,
            advance_group,
            dist,
            qa,
            ctl,
            indirect,
            timer: PassTimer::new(ctx, 1)?,
            vertices,
        })
    }

    /// A BFS from `root` (whose chunks are `root_chunks`) over `levels`
    /// levels (the CPU BFS's depth + 1; extra levels are empty
    /// dispatches).
    pub fn run(
        &self,
        ctx: &GpuContext,
        root: u32,
        root_chunks: &[[u32; 2]],
        levels: u32,
    ) -> Result<Timing> {
        let mut dist = vec![u32::MAX; self.vertices as usize];
        if let Some(d) = dist.get_mut(root as usize) {
            *d = 0;
        }
        kernels::write(ctx, &self.dist, 0, &dist);
        let q: Vec<u32> = root_chunks.iter().flatten().copied().collect();
        kernels::write(ctx, &self.qa, 0, &q);
        let n = root_chunks.len() as u32;
        kernels::write(ctx, &self.ctl, 0, &[n, 0, 0, 0]);
        let (x, y) = grid(n.div_ceil(256));
        kernels::write(ctx, &self.indirect, 0, &[x, y, 1, 0]);
        kernels::timed(ctx, &self.timer, |enc| {
            let mut pass = enc.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("direct bfs"),
                timestamp_writes: self.timer.writes(0),
            });
            for level in 0..levels {
                self.expand
                    .set(&mut pass, &self.groups[(level % 2) as usize]);
                pass.dispatch_workgroups_indirect(&self.indirect, 0);
                self.advance.set(&mut pass, &self.advance_group);
                pass.dispatch_workgroups(1, 1, 1);
            }
        })
    }

    /// The distances after a run.
    pub fn dist(&self, ctx: &GpuContext) -> Result<Vec<u32>> {
        kernels::read(ctx, &self.dist, 0, u64::from(self.vertices))
    }
}

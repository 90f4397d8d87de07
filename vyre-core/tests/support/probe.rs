//! The probe program of the wgpu engine tests: a program with every
//! buffer access mode and hand-written WGSL that follows the binding and
//! entry-point contract of `docs/protocol.md`, so that the engine is
//! tested apart from the lowering.

use vyre_core::gpu::{GpuContext, WgpuEngine};
use vyre_core::ir::{Access, BufferKind, HandlerBuilder, ScalarType};
use vyre_core::program::Program;
use vyre_core::protocol::ctrl;

/// Declared buffer indices of [`probe_program`].
pub const INPUT: usize = 0;
pub const OUT: usize = 1;
pub const HITS: usize = 2;

/// A program with one read-only, one written and one atomic buffer, so the
/// bind group layout has every access mode.
pub fn probe_program(slots: u32, workgroup_size: u32) -> Program {
    let mut h = HandlerBuilder::new(1, "copy");
    let input = h.buffer("input", ScalarType::U32, Access::Read);
    let out = h.buffer("out", ScalarType::U32, Access::ReadWrite);
    let hits = h.buffer("hits", ScalarType::U32, Access::Atomic);
    let i = h.arg("i", ScalarType::U32);
    h.body(|b| {
        b.store(out, i, input.at(i) + 1u32);
        b.eval(hits.fetch_add(i, 1u32));
    });
    Program::builder("probe")
        .slots(slots)
        .workgroup_size(workgroup_size)
        .buffer("input", BufferKind::plain(ScalarType::U32))
        .buffer("out", BufferKind::plain(ScalarType::U32))
        .buffer("hits", BufferKind::atomic(ScalarType::U32))
        .opcode(h.finish().expect("valid handler"))
        .build()
        .expect("valid program")
}

/// A hand-written module with the lowering's bindings and entry points.
/// Each pass leaves a trace in the control block so that the test can
/// count passes:
/// - prepare: `SPAWNED += 1`
/// - maintain: `PLACED += 1` per slot
/// - finalize: `ROUND += 1`, and the full grids into the live indirect
///   arguments (never idle)
/// - work: `EXECUTED += 1` per lane; `FAULTED += ring[0]` (lane 0);
///   `out[i] = input[i] + 1` within both lengths; `hits[lane % len] += 1`.
///
/// `tag` goes into a comment, to make the text (the cache key) unique.
pub fn probe_wgsl(program: &Program, tag: &str) -> String {
    let c = program.config();
    format!(
        r#"// probe module {tag}
@group(0) @binding(0) var<storage, read_write> vy_ring: array<atomic<u32>>;
@group(0) @binding(1) var<storage, read_write> vy_ctrl: array<atomic<u32>>;
@group(0) @binding(2) var<storage, read_write> vy_inbox: array<u32>;
@group(0) @binding(3) var<storage, read> u_input: array<u32>;
@group(0) @binding(4) var<storage, read_write> u_out: array<u32>;
@group(0) @binding(5) var<storage, read_write> u_hits: array<atomic<u32>>;
@group(1) @binding(0) var<storage, read_write> vy_indirect: array<u32>;

const SLOTS: u32 = {slots}u;

@compute @workgroup_size(1)
fn vy_prepare() {{
    atomicAdd(&vy_ctrl[{spawned}], 1u);
}}

@compute @workgroup_size({mwg})
fn vy_maintain(@builtin(global_invocation_id) gid: vec3<u32>) {{
    if gid.x < SLOTS {{
        atomicAdd(&vy_ctrl[{placed}], 1u);
    }}
}}

@compute @workgroup_size(1)
fn vy_finalize() {{
    atomicAdd(&vy_ctrl[{round}], 1u);
    // Never idle: every round's work and maintain dispatches run in full.
    for (var i = 0u; i < 6u; i++) {{
        vy_indirect[i] = vy_indirect[6u + i];
    }}
}}

@compute @workgroup_size({wg})
fn vy_work(@builtin(global_invocation_id) gid: vec3<u32>) {{
    let lane = gid.x;
    atomicAdd(&vy_ctrl[{executed}], 1u);
    if lane == 0u {{
        atomicAdd(&vy_ctrl[{faulted}], atomicLoad(&vy_ring[0]));
    }}
    let n_in = arrayLength(&u_input) - 1u;
    let n_out = arrayLength(&u_out) - 1u;
    if lane < n_in && lane < n_out {{
        u_out[lane] = u_input[lane] + 1u;
    }}
    let n_hits = arrayLength(&u_hits) - 1u;
    if n_hits > 0u {{
        atomicAdd(&u_hits[lane % n_hits], 1u);
    }}
}}
"#,
        slots = c.slots,
        wg = c.workgroup_size,
        mwg = vyre_core::lower::MAINTAIN_WORKGROUP_SIZE,
        spawned = ctrl::SPAWNED,
        placed = ctrl::PLACED,
        round = ctrl::ROUND,
        executed = ctrl::EXECUTED,
        faulted = ctrl::FAULTED,
    )
}

pub fn probe_engine(ctx: &GpuContext, workgroups: u32, tag: &str) -> (Program, WgpuEngine) {
    let program = probe_program(320, 64);
    let wgsl = probe_wgsl(&program, tag);
    let engine = WgpuEngine::with_wgsl(ctx, &program, workgroups, &wgsl).expect("engine");
    (program, engine)
}

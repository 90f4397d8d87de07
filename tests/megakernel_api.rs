//! The API `megakernel!` generates, on every backend: the program and its
//! cache, instances and their builder, typed buffer accessors, publishing,
//! tenants, run reports, and the native backend chosen by `Gpu::cpu()` and
//! `VYRE_BACKEND=native`.

mod common;

use std::sync::Arc;

use common::wgpu_backend;
use vyre::prelude::*;

/// Relax one vertex of a breadth-first search.
#[opcode(id = 0x100)]
pub fn visit(
    ctx: &Ctx,
    offsets: &Buffer<u32>,
    edges: &Buffer<u32>,
    dist: &Buffer<Atomic<u32>>,
    node: u32,
    depth: u32,
) {
    for e in offsets[node]..offsets[node + 1] {
        let next = edges[e];
        if dist[next].fetch_min(depth + 1) > depth + 1 {
            ctx.spawn(Priority::High, visit::task(next, depth + 1));
        }
    }
}

megakernel! {
    /// Breadth-first search over a CSR graph.
    pub struct Bfs {
        workgroup_size: 64,
        slots: 1 << 10,
        buffers: { offsets: u32, edges: u32, dist: Atomic<u32> },
        opcodes: [visit],
    }
}

/// Counts a hit for its tenant, prints it, and stops everything on 99.
#[opcode(id = 0x200)]
fn hit(ctx: &Ctx, hits: &Buffer<Atomic<u32>>, code: u32) {
    hits[ctx.tenant()].fetch_add(1);
    vyre::printf!("tenant {} code {}", ctx.tenant(), code);
    if code == 99 {
        ctx.shutdown();
    }
    if code == 13 {
        ctx.fault(code);
    }
}

/// Scales a float buffer in place.
#[opcode(id = 0x201)]
fn scale(values: &mut Buffer<f32>, i: u32, k: f32) {
    values[i] *= k;
}

megakernel! {
    struct Tenants {
        workgroup_size: 4,
        slots: 40,
        tenants: 3,
        partitions: [8, 8, 8, 8, 8],
        loop_limit: 100,
        buffers: { hits: Atomic<u32>, values: f32 },
        opcodes: [hit, scale],
    }
}

/// A line graph 0 → 1 → … → n-1, as CSR.
fn line(n: u32) -> (Vec<u32>, Vec<u32>) {
    let mut offsets: Vec<u32> = (0..n).collect();
    offsets.push(n - 1);
    (offsets, (1..n).collect())
}

fn bfs_on(gpu: &Gpu, n: u32) -> (Vec<u32>, u64, u64) {
    let (offsets, edges) = line(n);
    let mut bfs = Bfs::builder(gpu).workgroups(2).build().unwrap();
    bfs.offsets().upload(&offsets).unwrap();
    bfs.edges().upload(&edges).unwrap();
    let mut dist = vec![u32::MAX; n as usize];
    dist[0] = 0;
    bfs.dist().upload(&dist).unwrap();
    bfs.publish(Priority::High, visit::task(0, 0)).unwrap();
    let r = bfs.run().unwrap();
    assert!(r.faults.is_empty(), "{:?}", r.faults);
    (bfs.dist().read().unwrap(), r.executed, r.spawned)
}

#[test]
fn bfs_agrees_on_every_backend() {
    let expect: Vec<u32> = (0..50).collect();
    let native = bfs_on(&Gpu::cpu(), 50);
    assert_eq!(native, (expect, 50, 49));
    assert_eq!(bfs_on(&Gpu::reference(), 50), native);
    if let Some(gpu) = wgpu_backend("bfs_agrees_on_every_backend") {
        assert_eq!(bfs_on(&gpu, 50), native);
    }
}

#[test]
fn the_program_is_assembled_once_and_shared() {
    let a = Bfs::try_program().unwrap();
    let b = Bfs::try_program().unwrap();
    assert!(Arc::ptr_eq(&a, &b));
    assert_eq!(Bfs::NAME, "Bfs");
    assert_eq!(a.name(), "Bfs");
    assert_eq!(a.config(), &Bfs::config());
    assert_eq!(Bfs::config().slots, 1024);
    assert_eq!(Bfs::program().handlers().len(), 1);
    assert!(a.native().is_some_and(|t| t.get(visit::ID).is_some()));
    let wgsl = Bfs::wgsl();
    assert!(wgsl.contains("fn op_visit"), "{wgsl}");
    assert_eq!(
        Tenants::config().partition_sizes,
        Some([8, 8, 8, 8, 8]),
        "partitions reach the config"
    );
    assert_eq!(<Bfs as vyre::kernel::Megakernel>::NAME, "Bfs");
}

#[test]
fn configure_sizes_one_instance_and_checks_the_result() {
    let (offsets, edges) = line(40);
    let mut dist = vec![u32::MAX; 40];
    dist[0] = 0;
    let mut big = Bfs::builder(&Gpu::reference())
        .configure(|c| c.slots = 1 << 12)
        .configure(|c| {
            c.partition_sizes = None;
            c.inbox_capacity = 1 << 11;
        })
        .build()
        .unwrap();
    let config = big.runtime().program().config().clone();
    assert_eq!((config.slots, config.inbox_capacity), (1 << 12, 1 << 11));
    assert_eq!(config.workgroup_size, Bfs::config().workgroup_size);
    // The declared configuration and other instances are untouched.
    assert_eq!(Bfs::config().slots, 1 << 10);
    assert_eq!(
        Bfs::new(&Gpu::cpu())
            .unwrap()
            .runtime()
            .program()
            .config()
            .slots,
        1 << 10
    );
    big.offsets().upload(&offsets).unwrap();
    big.edges().upload(&edges).unwrap();
    big.dist().upload(&dist).unwrap();
    big.publish(Priority::High, visit::task(0, 0)).unwrap();
    assert!(big.run().unwrap().faults.is_empty());
    assert_eq!(big.dist().read().unwrap(), (0..40).collect::<Vec<u32>>());
    // An invalid configuration is the assembly error that says which field.
    assert!(matches!(
        Bfs::builder(&Gpu::cpu()).configure(|c| c.slots = 2).build(),
        Err(Error::Assembly(vyre::AssemblyError::InvalidConfig {
            field: "slots",
            value: 2,
            ..
        }))
    ));
}

#[test]
fn accessors_write_read_and_resize_with_checked_ranges() {
    let mut k = Tenants::builder(&Gpu::cpu())
        .buffer_len("values", 4)
        .build()
        .unwrap();
    let mut values = k.values();
    assert_eq!(values.name(), "values");
    assert_eq!(values.len(), 4);
    values.write(1, &[1.5, 2.5]).unwrap();
    assert_eq!(values.read().unwrap(), [0.0, 1.5, 2.5, 0.0]);
    assert_eq!(values.read_range(2, 2).unwrap(), [2.5, 0.0]);
    assert!(matches!(
        values.write(3, &[1.0, 2.0]),
        Err(Error::BufferRange {
            len: 4,
            offset: 3,
            end: 5,
            ..
        })
    ));
    values.resize(2).unwrap();
    assert_eq!(values.read().unwrap(), [0.0, 1.5]);
    values.upload(&[]).unwrap();
    assert!(values.is_empty());
    let handle = k.values().handle().unwrap();
    assert_eq!(k.runtime_mut().read(handle).unwrap(), Vec::<f32>::new());
    assert!(matches!(
        Tenants::builder(&Gpu::cpu()).buffer_len("nope", 1).build(),
        Err(Error::UnknownBuffer { ref name, .. }) if name == "nope"
    ));
}

/// Hits per tenant, printf lines, tasks of each run, why the second
/// stopped, and the first run's faults.
type TenantRun = (
    Vec<u32>,
    Vec<String>,
    u64,
    u64,
    StopReason,
    Vec<(u32, FaultKind)>,
);

fn tenants_on(gpu: &Gpu) -> TenantRun {
    let mut k = Tenants::builder(gpu)
        .workgroups(1)
        .seed(3)
        .limits(RunLimits {
            max_rounds: 100,
            ..RunLimits::default()
        })
        .build()
        .unwrap();
    k.hits().upload(&[0, 0, 0]).unwrap();
    k.values().upload(&[1.0, 2.0]).unwrap();
    k.disable_tenant(1).unwrap();
    for t in 0..3 {
        k.publish_for(t, Priority::Normal, hit::task(t)).unwrap();
    }
    k.publish_for(2, Priority::Low, hit::task(13)).unwrap();
    k.publish(Priority::Idle, scale::task(1, 0.5)).unwrap();
    assert!(matches!(
        k.publish_for(3, Priority::Normal, hit::task(0)),
        Err(Error::UnknownTenant {
            tenant: 3,
            tenants: 3
        })
    ));
    let first = k.run().unwrap();
    assert_eq!(first.parked, 1);
    k.enable_tenant(1).unwrap();
    k.publish(Priority::Idle, hit::task(99)).unwrap();
    let second = k.run().unwrap();
    let mut lines = first.printf.clone();
    lines.extend(second.printf.clone());
    lines.sort();
    let faults = first.faults.iter().map(|f| (f.tenant, f.kind)).collect();
    assert_eq!(k.values().read().unwrap(), [1.0, 1.0]);
    (
        k.hits().read().unwrap(),
        lines,
        first.executed,
        second.executed,
        second.stop,
        faults,
    )
}

#[test]
fn tenants_printf_faults_and_shutdown_agree_on_every_backend() {
    let native = tenants_on(&Gpu::cpu());
    assert_eq!(native.0, [2, 1, 2]);
    assert_eq!(native.2, 3);
    assert_eq!(native.4, StopReason::Shutdown);
    assert_eq!(native.5, [(2, FaultKind::User { code: 13 })]);
    assert!(native.1.contains(&"tenant 2 code 13".to_string()));
    assert_eq!(tenants_on(&Gpu::reference()), native);
    if let Some(gpu) = wgpu_backend("tenants_printf_faults_and_shutdown_agree_on_every_backend") {
        assert_eq!(tenants_on(&gpu), native);
    }
}

#[test]
fn the_runtime_is_reachable_and_the_instance_debug_prints() {
    let mut k = Bfs::new(&Gpu::reference()).unwrap();
    assert_eq!(k.backend(), BackendKind::Reference);
    assert_eq!(k.runtime().program().name(), "Bfs");
    k.runtime_mut()
        .set_limits(RunLimits {
            max_rounds: 5,
            ..RunLimits::default()
        })
        .unwrap();
    assert!(format!("{k:?}").starts_with("Bfs { runtime: Runtime"));
    let rt = k.into_runtime();
    assert_eq!(rt.limits().max_rounds, 5);
    assert!(Bfs::builder(&Gpu::cpu()).workgroups(0).build().is_err());
    assert!(Bfs::builder(&Gpu::cpu())
        .limits(RunLimits {
            max_rounds: 0,
            ..RunLimits::default()
        })
        .build()
        .is_err());
}

#[test]
fn vyre_backend_native_selects_the_native_engine() {
    // The only test of this binary that reads VYRE_BACKEND.
    std::env::set_var("VYRE_BACKEND", "native");
    let gpu = Gpu::auto().unwrap();
    std::env::remove_var("VYRE_BACKEND");
    assert_eq!(gpu.kind(), BackendKind::Native);
    let bfs = Bfs::new(&gpu).unwrap();
    assert_eq!(bfs.backend(), BackendKind::Native);
    assert!(bfs.runtime().adapter().starts_with("native (CPU"));
}

/// Spawns an opcode its megakernel does not list.
#[opcode(id = 0x300)]
fn stray(ctx: &Ctx) {
    ctx.spawn(Priority::Low, visit::task(0, 0));
}

megakernel! {
    struct Stray {
        buffers: {},
        opcodes: [stray],
    }
}

#[test]
fn assembly_errors_are_typed_and_cached() {
    let e = Stray::new(&Gpu::cpu()).unwrap_err();
    assert!(
        matches!(e, Error::Assembly(vyre::AssemblyError::SpawnUnknownOpcode { ref opcode, target: 0x100 }) if opcode == "stray"),
        "{e}"
    );
    assert_eq!(Stray::try_program().unwrap_err(), e);
    let panic = std::panic::catch_unwind(Stray::program).unwrap_err();
    let msg = panic.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(
        msg.starts_with("megakernel `Stray`: opcode `stray` spawns"),
        "{msg}"
    );
}

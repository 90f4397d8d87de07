//! Bring your own wgpu: a runtime on an application's device, buffers
//! handed out and bound in, and every misfit a typed error that changes
//! nothing. Needs a wgpu adapter (lavapipe in CI); `VYRE_REQUIRE_GPU=1`
//! turns the skip into a failure.

mod common;

use vyre::prelude::*;
use vyre::wgpu;

/// `cells[i] += 1`, `wide[i] += i`.
#[opcode]
pub fn bump(cells: &mut Buffer<u32>, wide: &mut Buffer<u64>, i: u32) {
    cells[i] += 1;
    wide[i] += i as u64;
}

megakernel! {
    /// Two buffers: one of 4-byte, one of 8-byte elements.
    pub struct Shared {
        buffers: { cells: u32, wide: u64 },
        opcodes: [bump],
    }
}

/// The application's device: what `Gpu::wgpu()` would open, opened by
/// the test itself.
fn device() -> Option<(wgpu::Adapter, wgpu::Device, wgpu::Queue)> {
    let gpu = common::wgpu_backend("interop")?;
    let ctx = gpu.context()?;
    let adapter = ctx.adapter().clone();
    let (device, queue) = vyre::gpu::block_on(adapter.request_device(&wgpu::DeviceDescriptor {
        label: Some("the test's device"),
        ..Default::default()
    }))
    .ok()?;
    Some((adapter, device, queue))
}

fn buffer(device: &wgpu::Device, bytes: u64, usage: wgpu::BufferUsages) -> wgpu::Buffer {
    device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("the application's buffer"),
        size: bytes,
        usage,
        mapped_at_creation: false,
    })
}

const ALL: wgpu::BufferUsages = wgpu::BufferUsages::STORAGE
    .union(wgpu::BufferUsages::COPY_SRC)
    .union(wgpu::BufferUsages::COPY_DST);

#[test]
fn a_runtime_on_the_applications_device_shares_its_buffers() {
    let Some((adapter, device, queue)) = device() else {
        return;
    };
    let gpu = Gpu::from_wgpu(adapter, device.clone(), queue.clone());
    let mut k = Shared::new(&gpu).unwrap();
    let cells = k.cells().handle().unwrap();
    let wide = k.wide().handle().unwrap();

    // The application's buffer of 8 + 1 words, its own data written in.
    let mine = buffer(&device, 9 * 4, ALL);
    queue.write_buffer(
        &mine,
        0,
        &(10u32..19).flat_map(u32::to_le_bytes).collect::<Vec<u8>>(),
    );
    k.runtime_mut()
        .bind_wgpu_buffer(cells, mine.clone())
        .unwrap();
    assert_eq!(k.cells().len(), 8);
    assert_eq!(k.cells().read().unwrap(), (10..18).collect::<Vec<u32>>());
    k.wide().upload(&[0; 8]).unwrap();
    k.publish_range(Priority::High, bump::Op, 0..8, ()).unwrap();
    assert_eq!(k.run().unwrap().executed, 8);
    // vyre's view and the buffer handed out are the application's buffer.
    assert_eq!(k.cells().read().unwrap(), (11..19).collect::<Vec<u32>>());
    let out = k.runtime().wgpu_buffer(cells).unwrap();
    assert_eq!(out.size(), mine.size());
    assert_eq!(k.wide().read().unwrap(), (0..8).collect::<Vec<u64>>());
    assert_eq!(k.runtime().wgpu_buffer(wide).unwrap().size(), 9 * 8);

    // Misfits: typed errors, nothing changed.
    match k
        .runtime_mut()
        .bind_wgpu_buffer(cells, buffer(&device, 9 * 4, wgpu::BufferUsages::STORAGE))
    {
        Err(Error::Interop { reason, .. }) => assert!(reason.contains("usages"), "{reason}"),
        other => panic!("usages: {other:?}"),
    }
    for bytes in [12, 4] {
        match k
            .runtime_mut()
            .bind_wgpu_buffer(wide, buffer(&device, bytes, ALL))
        {
            Err(Error::Interop { reason, .. }) => {
                assert!(reason.contains("whole elements"), "{reason}")
            }
            other => panic!("{bytes} bytes: {other:?}"),
        }
    }
    assert_eq!(k.cells().len(), 8);
    assert_eq!(k.wide().len(), 8);

    // After a resize vyre owns a new buffer; the application's keeps its
    // contents.
    k.cells().resize(20).unwrap();
    assert_eq!(k.cells().len(), 20);
    assert_ne!(k.runtime().wgpu_buffer(cells).unwrap().size(), mine.size());
}

#[test]
fn cpu_backends_have_no_device_buffers() {
    for gpu in [Gpu::cpu(), Gpu::reference()] {
        let mut k = Shared::new(&gpu).unwrap();
        let cells = k.cells().handle().unwrap();
        assert!(matches!(
            k.runtime().wgpu_buffer(cells),
            Err(Error::Interop { .. })
        ));
        let Some((_, device, _)) = device() else {
            continue;
        };
        assert!(matches!(
            k.runtime_mut()
                .bind_wgpu_buffer(cells, buffer(&device, 8, ALL)),
            Err(Error::Interop { .. })
        ));
    }
}

//! Bring your own wgpu: an application that already has a wgpu device
//! runs a vyre program on it, over a buffer the application made.
//!
//! The application opens its own device, creates a storage buffer and
//! fills it with its own compute pass (`v[i] = i * i`). It hands its
//! device to vyre (`Gpu::from_wgpu`), binds its buffer as the megakernel's
//! declared buffer `values` (`Runtime::bind_wgpu_buffer`), publishes one
//! task per element (`v[i] = 3 * v[i] + 1`) and runs. It then reads the
//! result twice — through vyre, and through its own copy of the buffer, as
//! a render pass would draw from it (`Runtime::wgpu_buffer` hands the
//! buffer out) — and checks both against plain Rust.
//!
//! ```text
//! cargo run --release --example wgpu_interop
//! cargo run --release --example wgpu_interop -- --elements 100000
//! ```

mod common;

use common::{check, Result};
use vyre::prelude::*;
use vyre::wgpu;

/// `values[i] = 3 * values[i] + 1`.
#[opcode]
pub fn triple(values: &mut Buffer<u32>, i: u32) {
    values[i] = values[i] * 3 + 1;
}

megakernel! {
    /// One handler over the application's buffer.
    pub struct Interop {
        buffers: { values: u32 },
        opcodes: [triple],
    }
}

/// The application's own compute pass: `values[i] = i * i`.
const FILL: &str = r#"
@group(0) @binding(0) var<storage, read_write> values: array<u32>;

@compute @workgroup_size(64)
fn fill(@builtin(global_invocation_id) id: vec3<u32>) {
    // The buffer keeps vyre's spare element at the end.
    if (id.x + 1u < arrayLength(&values)) {
        values[id.x] = id.x * id.x;
    }
}
"#;

/// The application: a device of its own (any adapter), or `None` with a
/// notice when there is none.
fn open_device() -> Option<(wgpu::Adapter, wgpu::Device, wgpu::Queue)> {
    let mut desc = wgpu::InstanceDescriptor::new_without_display_handle_from_env();
    // The backends vyre itself would look on (WGPU_BACKEND honoured).
    desc.backends = vyre::gpu::backends();
    let instance = wgpu::Instance::new(desc);
    let adapter = vyre::gpu::block_on(instance.request_adapter(&wgpu::RequestAdapterOptions {
        power_preference: wgpu::PowerPreference::HighPerformance,
        ..Default::default()
    }))
    .ok()?;
    let (device, queue) = vyre::gpu::block_on(adapter.request_device(&wgpu::DeviceDescriptor {
        label: Some("the application's device"),
        required_limits: adapter.limits(),
        ..Default::default()
    }))
    .ok()?;
    Some((adapter, device, queue))
}

/// Fills `buffer` (`n + 1` words) with the application's own pass.
fn fill(device: &wgpu::Device, queue: &wgpu::Queue, buffer: &wgpu::Buffer, n: u32) {
    let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
        label: Some("fill"),
        source: wgpu::ShaderSource::Wgsl(FILL.into()),
    });
    let pipeline = device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
        label: Some("fill"),
        layout: None,
        module: &module,
        entry_point: Some("fill"),
        compilation_options: Default::default(),
        cache: None,
    });
    let group = device.create_bind_group(&wgpu::BindGroupDescriptor {
        label: Some("fill"),
        layout: &pipeline.get_bind_group_layout(0),
        entries: &[wgpu::BindGroupEntry {
            binding: 0,
            resource: buffer.as_entire_binding(),
        }],
    });
    let mut encoder = device.create_command_encoder(&Default::default());
    {
        let mut pass = encoder.begin_compute_pass(&Default::default());
        pass.set_pipeline(&pipeline);
        pass.set_bind_group(0, &group, &[]);
        pass.dispatch_workgroups(n.div_ceil(64).max(1), 1, 1);
    }
    queue.submit([encoder.finish()]);
}

/// Reads `n` words of `buffer` back the application's way.
fn read_back(
    device: &wgpu::Device,
    queue: &wgpu::Queue,
    buffer: &wgpu::Buffer,
    n: u32,
) -> Vec<u32> {
    let bytes = u64::from(n) * 4;
    let staging = device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("read back"),
        size: bytes.max(4),
        usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    });
    let mut encoder = device.create_command_encoder(&Default::default());
    encoder.copy_buffer_to_buffer(buffer, 0, &staging, 0, bytes);
    queue.submit([encoder.finish()]);
    let slice = staging.slice(..bytes);
    slice.map_async(wgpu::MapMode::Read, |_| {});
    let _ = device.poll(wgpu::PollType::Wait {
        submission_index: None,
        timeout: None,
    });
    let words = match slice.get_mapped_range() {
        Ok(view) => bytes_to_words(&view),
        Err(_) => Vec::new(),
    };
    staging.unmap();
    words
}

fn bytes_to_words(bytes: &[u8]) -> Vec<u32> {
    bytes
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

/// Runs the whole exchange over `n` elements; `None` when this machine has
/// no wgpu adapter. Returns what the application read back.
pub fn interop(n: u32) -> Result<Option<Vec<u32>>> {
    let Some((adapter, device, queue)) = open_device() else {
        println!("no wgpu adapter here: nothing to share a device with");
        return Ok(None);
    };
    println!("the application's adapter: {}", adapter.get_info().name);
    // The application's buffer: vyre binds `len + 1` elements (the spare
    // one keeps an empty buffer bindable), so `n` values take `n + 1`.
    let buffer = device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("the application's values"),
        size: (u64::from(n) + 1) * 4,
        usage: wgpu::BufferUsages::STORAGE
            | wgpu::BufferUsages::COPY_SRC
            | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    });
    fill(&device, &queue, &buffer, n);

    let gpu = Gpu::from_wgpu(adapter, device.clone(), queue.clone());
    let mut k = Interop::new(&gpu)?;
    let values = k.values().handle()?;
    k.runtime_mut().bind_wgpu_buffer(values, buffer.clone())?;
    check(k.values().len() == u64::from(n), || {
        format!("vyre sees {} values, expected {n}", k.values().len())
    })?;
    k.publish_range(Priority::Normal, triple::Op, 0..n, ())?;
    let report = k.run()?;
    println!(
        "vyre ran {} tasks on the application's device ({})",
        report.executed, report.adapter
    );

    let want: Vec<u32> = (0..n).map(|i| (i * i) * 3 + 1).collect();
    let through_vyre = k.values().read()?;
    check(through_vyre == want, || "vyre read wrong values".into())?;
    // The same buffer, handed out to the application.
    let shared = k.runtime().wgpu_buffer(values)?;
    let theirs = read_back(&device, &queue, &shared, n);
    check(theirs == want, || {
        "the application read wrong values from its buffer".into()
    })?;
    println!("checks passed: {n} values filled by the application, tripled by vyre, read by both");
    Ok(Some(theirs))
}

fn run() -> Result<()> {
    let about = "Runs a vyre program on a device and a buffer the application made itself";
    let flags = [common::Flag {
        name: "--elements",
        value: "N",
        help: "values in the shared buffer (default 4096, 1..=16777216)",
    }];
    let mut n = 4096;
    let _common = common::parse_args("wgpu_interop", about, &flags, |_, value| {
        n = common::number(value, 1..=1 << 24)?;
        Ok(())
    });
    interop(n)?;
    Ok(())
}

fn main() -> std::process::ExitCode {
    common::main_of("wgpu_interop", run)
}

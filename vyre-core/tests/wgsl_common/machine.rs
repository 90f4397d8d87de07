//! A minimal host for the generated WGSL, apart from the runtime and the
//! engine: buffers, one bind group layout, the four pipelines and
//! `M, (W, M) × R` per submission, so that the lowering is checked on its
//! own. [`gpu`] opens the adapter, or prints a notice and returns `None`
//! unless `VYRE_REQUIRE_GPU=1`.

use std::borrow::Cow;

use vyre_core::lower::{
    buffer_binding, CTRL_BINDING, ENTRY_FINALIZE, ENTRY_MAINTAIN, ENTRY_PREPARE, ENTRY_WORK,
    INBOX_BINDING, INDIRECT_BINDING, MAINTAIN_WORKGROUP_SIZE, RING_BINDING,
};
use vyre_core::program::{Program, ProgramConfig};
use vyre_core::protocol::{self, ctrl, entry, indirect, FAULT_RECORD_WORDS};
use vyre_core::Priority;

pub const WORD: u64 = 4;

pub struct Gpu {
    device: wgpu::Device,
    queue: wgpu::Queue,
}

/// The first adapter wgpu finds on vyre's backends (`WGPU_BACKEND` when
/// set), or `None` with a notice; panics instead when `VYRE_REQUIRE_GPU=1`.
pub fn gpu() -> Option<Gpu> {
    let required = std::env::var("VYRE_REQUIRE_GPU").is_ok_and(|v| v == "1");
    let mut desc = wgpu::InstanceDescriptor::new_without_display_handle_from_env();
    desc.backends = vyre_core::gpu::backends();
    let backends = desc.backends;
    let instance = wgpu::Instance::new(desc);
    let adapters = pollster::block_on(instance.enumerate_adapters(backends));
    let Some(adapter) = adapters.into_iter().next() else {
        assert!(!required, "VYRE_REQUIRE_GPU=1 but wgpu found no adapter");
        eprintln!("notice: no wgpu adapter; skipping the GPU test");
        return None;
    };
    let desc = wgpu::DeviceDescriptor {
        label: Some("wgsl_gpu test"),
        required_features: wgpu::Features::empty(),
        required_limits: adapter.limits(),
        experimental_features: wgpu::ExperimentalFeatures::disabled(),
        memory_hints: wgpu::MemoryHints::Performance,
        trace: wgpu::Trace::Off,
    };
    match pollster::block_on(adapter.request_device(&desc)) {
        Ok((device, queue)) => {
            let info = adapter.get_info();
            eprintln!("wgsl_gpu: running on {} ({:?})", info.name, info.backend);
            Some(Gpu { device, queue })
        }
        Err(e) => {
            assert!(!required, "VYRE_REQUIRE_GPU=1 but no device: {e}");
            eprintln!("notice: no wgpu device ({e}); skipping the GPU test");
            None
        }
    }
}

/// One program instance on the GPU.
pub struct Machine<'g> {
    gpu: &'g Gpu,
    pub program: Program,
    ring: wgpu::Buffer,
    ctrl: wgpu::Buffer,
    inbox: wgpu::Buffer,
    indirect: wgpu::Buffer,
    user: Vec<wgpu::Buffer>,
    bind_group: wgpu::BindGroup,
    indirect_group: wgpu::BindGroup,
    pipelines: [wgpu::ComputePipeline; 4],
    workgroups: u32,
    tails: [u32; 5],
}

impl<'g> Machine<'g> {
    /// Instantiates `program` with declared buffer contents `data` and
    /// `workgroups` work workgroups; every tenant enabled.
    pub fn new(gpu: &'g Gpu, program: Program, data: &[Vec<u32>], workgroups: u32) -> Machine<'g> {
        let wgsl = program.wgsl();
        super::validate_source(&wgsl).expect("valid WGSL");
        let device = &gpu.device;
        let scope = device.push_error_scope(wgpu::ErrorFilter::Validation);
        let storage = |label: &str, words: u64| {
            device.create_buffer(&wgpu::BufferDescriptor {
                label: Some(label),
                size: words.max(1) * WORD,
                usage: wgpu::BufferUsages::STORAGE
                    | wgpu::BufferUsages::COPY_DST
                    | wgpu::BufferUsages::COPY_SRC,
                mapped_at_creation: false,
            })
        };
        let config = program.config().clone();
        let lanes = workgroups * config.workgroup_size;
        let layout = program.control_layout();
        let ring = storage(
            "ring",
            protocol::ring_storage_words(u64::from(config.slots)),
        );
        let ctrl = storage("ctrl", u64::from(layout.total_words(lanes)));
        let inbox = storage(
            "inbox",
            5 * u64::from(config.inbox_capacity) * u64::from(program.entry_words()),
        );
        let indirect = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("indirect"),
            size: u64::from(indirect::WORDS) * WORD,
            usage: wgpu::BufferUsages::STORAGE
                | wgpu::BufferUsages::INDIRECT
                | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let full_work = [workgroups, 1, 1];
        let full_maintain = [config.slots.div_ceil(MAINTAIN_WORKGROUP_SIZE), 1, 1];
        let grids = [full_work, full_maintain, full_work, full_maintain].concat();
        gpu.queue
            .write_buffer(&indirect, 0, bytemuck::cast_slice(&grids));
        let user: Vec<wgpu::Buffer> = program
            .buffers()
            .iter()
            .enumerate()
            .map(|(i, b)| {
                let words = data.get(i).map_or(&[][..], |d| &d[..]);
                // One element more than the logical length.
                let buf = storage(&b.name, words.len() as u64 + 1);
                gpu.queue.write_buffer(&buf, 0, bytemuck::cast_slice(words));
                buf
            })
            .collect();
        let entry = |binding, read_only| wgpu::BindGroupLayoutEntry {
            binding,
            visibility: wgpu::ShaderStages::COMPUTE,
            ty: wgpu::BindingType::Buffer {
                ty: wgpu::BufferBindingType::Storage { read_only },
                has_dynamic_offset: false,
                min_binding_size: None,
            },
            count: None,
        };
        let mut entries = vec![
            entry(RING_BINDING, false),
            entry(CTRL_BINDING, false),
            entry(INBOX_BINDING, false),
        ];
        for (i, b) in program.buffers().iter().enumerate() {
            entries.push(entry(buffer_binding(i), !(b.written || b.kind.atomic)));
        }
        let bgl = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("vyre"),
            entries: &entries,
        });
        let mut bind_entries = vec![
            wgpu::BindGroupEntry {
                binding: RING_BINDING,
                resource: ring.as_entire_binding(),
            },
            wgpu::BindGroupEntry {
                binding: CTRL_BINDING,
                resource: ctrl.as_entire_binding(),
            },
            wgpu::BindGroupEntry {
                binding: INBOX_BINDING,
                resource: inbox.as_entire_binding(),
            },
        ];
        for (i, b) in user.iter().enumerate() {
            bind_entries.push(wgpu::BindGroupEntry {
                binding: buffer_binding(i),
                resource: b.as_entire_binding(),
            });
        }
        let bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("vyre"),
            layout: &bgl,
            entries: &bind_entries,
        });
        let indirect_bgl = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("vyre indirect"),
            entries: &[entry(INDIRECT_BINDING, false)],
        });
        let indirect_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("vyre indirect"),
            layout: &indirect_bgl,
            entries: &[wgpu::BindGroupEntry {
                binding: INDIRECT_BINDING,
                resource: indirect.as_entire_binding(),
            }],
        });
        let pl = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("vyre"),
            bind_group_layouts: &[Some(&bgl)],
            immediate_size: 0,
        });
        let finalize_pl = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("vyre finalize"),
            bind_group_layouts: &[Some(&bgl), Some(&indirect_bgl)],
            immediate_size: 0,
        });
        let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some(program.name()),
            source: wgpu::ShaderSource::Wgsl(Cow::Owned(wgsl)),
        });
        let pipeline = |entry: &str| {
            // prepare and finalize write the indirect arguments.
            let layout = if entry == ENTRY_FINALIZE || entry == ENTRY_PREPARE {
                &finalize_pl
            } else {
                &pl
            };
            device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                label: Some(entry),
                layout: Some(layout),
                module: &module,
                entry_point: Some(entry),
                compilation_options: wgpu::PipelineCompilationOptions::default(),
                cache: None,
            })
        };
        let pipelines = [
            pipeline(ENTRY_PREPARE),
            pipeline(ENTRY_MAINTAIN),
            pipeline(ENTRY_FINALIZE),
            pipeline(ENTRY_WORK),
        ];
        if let Some(e) = pollster::block_on(scope.pop()) {
            panic!("wgpu rejected the program: {e}");
        }
        let m = Machine {
            gpu,
            program,
            ring,
            ctrl,
            inbox,
            indirect,
            user,
            bind_group,
            indirect_group,
            pipelines,
            workgroups,
            tails: [0; 5],
        };
        let enabled = vec![1u32; config.tenants as usize];
        m.write_ctrl(layout.tenant_enabled, &enabled);
        m.write_ctrl(
            ctrl::INBOX_BASE,
            &protocol::inbox_words(&[config.inbox_capacity; 5]),
        );
        m.write_ctrl(ctrl::SLOTS, &protocol::ring_words(&config.partitions()));
        m
    }

    pub fn write_ctrl(&self, word: u32, words: &[u32]) {
        self.gpu.queue.write_buffer(
            &self.ctrl,
            u64::from(word) * WORD,
            bytemuck::cast_slice(words),
        );
    }

    /// Appends a task to partition `p`'s inbox.
    pub fn publish(&mut self, p: Priority, opcode: u32, tenant: u32, args: &[u32]) {
        let i = p.index();
        let config = self.program.config();
        let pos = u64::from(self.tails[i] % config.inbox_capacity);
        let ew = self.program.entry_words() as usize;
        let mut words = vec![0u32; ew];
        words[entry::OPCODE as usize] = opcode;
        words[entry::TENANT as usize] = tenant;
        for (k, a) in args.iter().enumerate().take(ew - entry::ARG0 as usize) {
            words[entry::ARG0 as usize + k] = *a;
        }
        let at = self.program.initial_inbox_offset(i) + pos * ew as u64;
        self.gpu
            .queue
            .write_buffer(&self.inbox, at * WORD, bytemuck::cast_slice(&words));
        self.tails[i] = self.tails[i].wrapping_add(1);
        self.write_ctrl(ctrl::INBOX_TAIL + i as u32, &[self.tails[i]]);
    }

    /// One submission: `M, (W, M) × rounds`.
    pub fn submit(&self, rounds: u32) {
        let slots = self.program.config().slots;
        let device = &self.gpu.device;
        // The host wrote: the ring is not known to be idle.
        self.write_ctrl(ctrl::IDLE, &[0]);
        let mut encoder = device.create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("vyre"),
        });
        {
            let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("vyre"),
                timestamp_writes: None,
            });
            pass.set_bind_group(0, &self.bind_group, &[]);
            pass.set_bind_group(1, &self.indirect_group, &[]);
            let [prepare, maintain, finalize, work] = &self.pipelines;
            pass.set_pipeline(prepare);
            pass.dispatch_workgroups(1, 1, 1);
            pass.set_pipeline(maintain);
            pass.dispatch_workgroups(slots.div_ceil(MAINTAIN_WORKGROUP_SIZE), 1, 1);
            pass.set_pipeline(finalize);
            pass.dispatch_workgroups(1, 1, 1);
            for _ in 0..rounds {
                pass.set_pipeline(work);
                pass.dispatch_workgroups_indirect(&self.indirect, u64::from(indirect::WORK) * WORD);
                pass.set_pipeline(prepare);
                pass.dispatch_workgroups(1, 1, 1);
                pass.set_pipeline(maintain);
                pass.dispatch_workgroups_indirect(
                    &self.indirect,
                    u64::from(indirect::MAINTAIN) * WORD,
                );
                pass.set_pipeline(finalize);
                pass.dispatch_workgroups(1, 1, 1);
            }
        }
        self.gpu.queue.submit([encoder.finish()]);
    }

    pub fn read(&self, buffer: &wgpu::Buffer, word: u64, len: u64) -> Vec<u32> {
        if len == 0 {
            return Vec::new();
        }
        let device = &self.gpu.device;
        let staging = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("staging"),
            size: len * WORD,
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let mut encoder = device.create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("readback"),
        });
        encoder.copy_buffer_to_buffer(buffer, word * WORD, &staging, 0, len * WORD);
        let index = self.gpu.queue.submit([encoder.finish()]);
        staging.map_async(wgpu::MapMode::Read, .., |r| r.expect("map"));
        device
            .poll(wgpu::PollType::Wait {
                submission_index: Some(index),
                timeout: None,
            })
            .expect("poll");
        let view = staging.get_mapped_range(..).expect("mapped");
        let words = bytemuck::pod_collect_to_vec::<u8, u32>(&view);
        drop(view);
        staging.unmap();
        words
    }

    pub fn ctrl_words(&self, word: u32, len: u32) -> Vec<u32> {
        self.read(&self.ctrl, u64::from(word), u64::from(len))
    }

    pub fn ctrl_word(&self, word: u32) -> u32 {
        self.ctrl_words(word, 1)[0]
    }

    pub fn buffer(&self, i: usize, len: usize) -> Vec<u32> {
        self.read(&self.user[i], 0, len as u64)
    }

    pub fn slot_status(&self, s: u32) -> u32 {
        let slots = u64::from(self.program.config().slots);
        self.read(&self.ring, protocol::status_word(slots, u64::from(s)), 1)[0]
    }

    /// Fault records `[slot, opcode, code, detail, tenant, priority,
    /// round, lane]`.
    pub fn faults(&self) -> Vec<Vec<u32>> {
        let n = self.ctrl_word(ctrl::FAULT_COUNT);
        let words = self.ctrl_words(
            self.program.control_layout().fault_log,
            n * FAULT_RECORD_WORDS,
        );
        words
            .chunks(FAULT_RECORD_WORDS as usize)
            .map(<[u32]>::to_vec)
            .collect()
    }
}

pub fn config(slots: u32) -> ProgramConfig {
    ProgramConfig {
        slots,
        inbox_capacity: 64,
        printf_capacity: 64,
        loop_limit: 100,
        ..ProgramConfig::default()
    }
}

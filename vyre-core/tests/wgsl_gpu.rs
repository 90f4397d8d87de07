//! The generated WGSL runs on a real wgpu adapter (Mesa's lavapipe in CI)
//! and computes what the handler language says: integer results bit-exact
//! against Rust, every fault kind with its record, printf records, spawns
//! through the ring, and a breadth-first search to completion.
//!
//! A minimal host lives here (buffers, one bind group layout, the four
//! pipelines, `M, (W, M) × R` per submission) so that the lowering is
//! checked on its own, independently of the runtime. Without an adapter
//! the tests print a notice and pass, unless `VYRE_REQUIRE_GPU=1`.

mod wgsl_common;

use std::borrow::Cow;

use vyre_core::ir::{
    Access, BinOp, BlockBuilder, BufferKind, CtxValue, Expr, HandlerBuilder, Intrinsic, Literal,
    ScalarType,
};
use vyre_core::lower::{
    buffer_binding, CTRL_BINDING, ENTRY_FINALIZE, ENTRY_MAINTAIN, ENTRY_PREPARE, ENTRY_WORK,
    MAINTAIN_WORKGROUP_SIZE, RING_BINDING,
};
use vyre_core::program::{OpcodeHandler, Program, ProgramConfig};
use vyre_core::protocol::{
    ctrl, fault, slot, status, FAULT_RECORD_WORDS, PRINTF_RECORD_WORDS, SLOT_WORDS,
};
use vyre_core::Priority;

use ScalarType::{Bool, F32, I32, U32};

const WORD: u64 = 4;

/// The body of one `match` arm, as `BlockBuilder::switch` takes it.
type Arm = Box<dyn FnOnce(&mut BlockBuilder<'_>)>;

struct Gpu {
    device: wgpu::Device,
    queue: wgpu::Queue,
}

/// The first adapter wgpu finds on Vulkan (or `WGPU_BACKEND`), or `None`
/// with a notice; panics instead when `VYRE_REQUIRE_GPU=1`.
fn gpu() -> Option<Gpu> {
    let required = std::env::var("VYRE_REQUIRE_GPU").is_ok_and(|v| v == "1");
    let mut desc = wgpu::InstanceDescriptor::new_without_display_handle_from_env();
    if wgpu::Backends::from_env().is_none() {
        desc.backends = wgpu::Backends::VULKAN;
    }
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
struct Machine<'g> {
    gpu: &'g Gpu,
    program: Program,
    ring: wgpu::Buffer,
    ctrl: wgpu::Buffer,
    user: Vec<wgpu::Buffer>,
    bind_group: wgpu::BindGroup,
    pipelines: [wgpu::ComputePipeline; 4],
    workgroups: u32,
    tails: [u32; 5],
}

impl<'g> Machine<'g> {
    /// Instantiates `program` with declared buffer contents `data` and
    /// `workgroups` work workgroups; every tenant enabled.
    fn new(gpu: &'g Gpu, program: Program, data: &[Vec<u32>], workgroups: u32) -> Machine<'g> {
        let wgsl = program.wgsl();
        wgsl_common::validate_source(&wgsl).expect("valid WGSL");
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
        let ring = storage("ring", config.ring_words());
        let ctrl = storage("ctrl", u64::from(layout.total_words(lanes)));
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
        let mut entries = vec![entry(RING_BINDING, false), entry(CTRL_BINDING, false)];
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
        let pl = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("vyre"),
            bind_group_layouts: &[Some(&bgl)],
            immediate_size: 0,
        });
        let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some(program.name()),
            source: wgpu::ShaderSource::Wgsl(Cow::Owned(wgsl)),
        });
        let pipeline = |entry: &str| {
            device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                label: Some(entry),
                layout: Some(&pl),
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
            user,
            bind_group,
            pipelines,
            workgroups,
            tails: [0; 5],
        };
        let enabled = vec![1u32; config.tenants as usize];
        m.write_ctrl(layout.tenant_enabled, &enabled);
        m
    }

    fn write_ctrl(&self, word: u32, words: &[u32]) {
        self.gpu.queue.write_buffer(
            &self.ctrl,
            u64::from(word) * WORD,
            bytemuck::cast_slice(words),
        );
    }

    /// Appends a task to partition `p`'s inbox.
    fn publish(&mut self, p: Priority, opcode: u32, tenant: u32, args: &[u32]) {
        let i = p.index();
        let config = self.program.config();
        let pos = u64::from(self.tails[i] % config.inbox_capacity);
        let mut entry = vec![0u32; SLOT_WORDS as usize];
        entry[slot::OPCODE as usize] = opcode;
        entry[slot::TENANT as usize] = tenant;
        entry[slot::PRIORITY as usize] = i as u32;
        for (k, a) in args.iter().enumerate() {
            entry[slot::ARG0 as usize + k] = *a;
        }
        let at = config.inbox_base(i) + pos * u64::from(SLOT_WORDS);
        self.gpu
            .queue
            .write_buffer(&self.ring, at * WORD, bytemuck::cast_slice(&entry));
        self.tails[i] = self.tails[i].wrapping_add(1);
        self.write_ctrl(ctrl::INBOX_TAIL + i as u32, &[self.tails[i]]);
    }

    /// One submission: `M, (W, M) × rounds`.
    fn submit(&self, rounds: u32) {
        let slots = self.program.config().slots;
        let device = &self.gpu.device;
        let mut encoder = device.create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("vyre"),
        });
        {
            let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("vyre"),
                timestamp_writes: None,
            });
            pass.set_bind_group(0, &self.bind_group, &[]);
            let [prepare, maintain, finalize, work] = &self.pipelines;
            let m = |pass: &mut wgpu::ComputePass<'_>| {
                pass.set_pipeline(prepare);
                pass.dispatch_workgroups(1, 1, 1);
                pass.set_pipeline(maintain);
                pass.dispatch_workgroups(slots.div_ceil(MAINTAIN_WORKGROUP_SIZE), 1, 1);
                pass.set_pipeline(finalize);
                pass.dispatch_workgroups(1, 1, 1);
            };
            m(&mut pass);
            for _ in 0..rounds {
                pass.set_pipeline(work);
                pass.dispatch_workgroups(self.workgroups, 1, 1);
                m(&mut pass);
            }
        }
        self.gpu.queue.submit([encoder.finish()]);
    }

    fn read(&self, buffer: &wgpu::Buffer, word: u64, len: u64) -> Vec<u32> {
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

    fn ctrl_words(&self, word: u32, len: u32) -> Vec<u32> {
        self.read(&self.ctrl, u64::from(word), u64::from(len))
    }

    fn ctrl_word(&self, word: u32) -> u32 {
        self.ctrl_words(word, 1)[0]
    }

    fn buffer(&self, i: usize, len: usize) -> Vec<u32> {
        self.read(&self.user[i], 0, len as u64)
    }

    fn slot_status(&self, s: u32) -> u32 {
        self.read(&self.ring, u64::from(s * SLOT_WORDS + slot::STATUS), 1)[0]
    }

    /// Fault records `[slot, opcode, code, detail, tenant, priority,
    /// round, lane]`.
    fn faults(&self) -> Vec<Vec<u32>> {
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

fn config(slots: u32) -> ProgramConfig {
    ProgramConfig {
        slots,
        inbox_capacity: 64,
        printf_capacity: 64,
        loop_limit: 100,
        ..ProgramConfig::default()
    }
}

// ---- integer (and exact f32) semantics against Rust ----

/// The inputs of one `ops` task.
#[derive(Clone, Copy, Debug)]
struct Inputs {
    a: u32,
    b: i32,
    c: f32,
    d: u32,
    e: i32,
}

/// `(name, Rust's value as bits)` for every operation `ops` computes.
fn expected(x: Inputs) -> Vec<(&'static str, u32)> {
    let Inputs { a, b, c, d, e } = x;
    let b32 = |v: i32| v as u32;
    vec![
        ("a+d", a.wrapping_add(d)),
        ("a-d", a.wrapping_sub(d)),
        ("a*d", a.wrapping_mul(d)),
        ("a/d", a / d),
        ("a%d", a % d),
        ("b+e", b32(b.wrapping_add(e))),
        ("b-e", b32(b.wrapping_sub(e))),
        ("b*e", b32(b.wrapping_mul(e))),
        ("b/e", b32(b.wrapping_div(e))),
        ("b%e", b32(b.wrapping_rem(e))),
        ("-b", b32(b.wrapping_neg())),
        ("!a", !a),
        ("!b", b32(!b)),
        ("a<<d", a.wrapping_shl(d)),
        ("a>>d", a.wrapping_shr(d)),
        ("b<<d", b32(b.wrapping_shl(d))),
        ("b>>d", b32(b.wrapping_shr(d))),
        ("a&d", a & d),
        ("a|d", a | d),
        ("a^d", a ^ d),
        ("b<e", u32::from(b < e)),
        ("a>=d", u32::from(a >= d)),
        ("min_u", a.min(d)),
        ("max_i", b32(b.max(e))),
        ("clamp_i", b32(b.clamp(-5, 7))),
        ("abs_b", b32(b.wrapping_abs())),
        ("rotl_a", a.rotate_left(d)),
        ("rotr_a", a.rotate_right(d)),
        ("rotl_b", b32(b.rotate_left(d))),
        ("rotr_b", b32(b.rotate_right(d))),
        ("ones_a", a.count_ones()),
        ("ones_b", b.count_ones()),
        ("lz_a", a.leading_zeros()),
        ("lz_b", b.leading_zeros()),
        ("tz_a", a.trailing_zeros()),
        ("tz_b", b.trailing_zeros()),
        ("rev_a", a.reverse_bits()),
        ("rev_b", b32(b.reverse_bits())),
        ("a_as_i32", b32(a as i32)),
        ("b_as_u32", b as u32),
        ("c_as_u32", c as u32),
        ("c_as_i32", b32(c as i32)),
        ("bool_as_u32", u32::from(a > d)),
        ("bool_as_i32", b32(i32::from(b > e))),
        ("round_c", c.round().to_bits()),
        ("floor_c", c.floor().to_bits()),
        ("ceil_c", c.ceil().to_bits()),
        ("neg_c", (-c).to_bits()),
        ("abs_c", c.abs().to_bits()),
        ("select", if b < e { a } else { d }),
        ("xor_bool", u32::from((a > d) ^ (b > e))),
        ("and_bool", u32::from((a > d) & (b > e))),
    ]
}

/// The handler computing [`expected`]'s operations into `out[base..]`
/// (f32 results into `out_f[base..]`, so that their bits survive).
fn ops_handler(count: usize) -> OpcodeHandler {
    let mut h = HandlerBuilder::new(0x10, "ops");
    let out = h.buffer("out", U32, Access::ReadWrite);
    let out_f = h.buffer("out_f", F32, Access::ReadWrite);
    let base = h.arg("base", U32);
    let a = h.arg("a", U32);
    let b = h.arg("b", I32);
    let c = h.arg("c", F32);
    let d = h.arg("d", U32);
    let e = h.arg("e", I32);
    let bin = |op, l: Expr, r: Expr| Expr::Binary {
        op,
        lhs: Box::new(l),
        rhs: Box::new(r),
    };
    let call = |x: Expr, f, args: Vec<Expr>| x.call(f, args);
    let u = |x: Expr| x.cast(U32);
    let (a, b, c, d, e): (Expr, Expr, Expr, Expr, Expr) =
        (a.into(), b.into(), c.into(), d.into(), e.into());
    let values: Vec<(&str, Expr)> = vec![
        ("a+d", bin(BinOp::Add, a.clone(), d.clone())),
        ("a-d", bin(BinOp::Sub, a.clone(), d.clone())),
        ("a*d", bin(BinOp::Mul, a.clone(), d.clone())),
        ("a/d", bin(BinOp::Div, a.clone(), d.clone())),
        ("a%d", bin(BinOp::Rem, a.clone(), d.clone())),
        ("b+e", u(bin(BinOp::Add, b.clone(), e.clone()))),
        ("b-e", u(bin(BinOp::Sub, b.clone(), e.clone()))),
        ("b*e", u(bin(BinOp::Mul, b.clone(), e.clone()))),
        ("b/e", u(bin(BinOp::Div, b.clone(), e.clone()))),
        ("b%e", u(bin(BinOp::Rem, b.clone(), e.clone()))),
        ("-b", u(-b.clone())),
        ("!a", !a.clone()),
        ("!b", u(!b.clone())),
        ("a<<d", bin(BinOp::Shl, a.clone(), d.clone())),
        ("a>>d", bin(BinOp::Shr, a.clone(), d.clone())),
        ("b<<d", u(bin(BinOp::Shl, b.clone(), d.clone()))),
        ("b>>d", u(bin(BinOp::Shr, b.clone(), d.clone()))),
        ("a&d", bin(BinOp::BitAnd, a.clone(), d.clone())),
        ("a|d", bin(BinOp::BitOr, a.clone(), d.clone())),
        ("a^d", bin(BinOp::BitXor, a.clone(), d.clone())),
        ("b<e", u(b.clone().lt(e.clone()))),
        ("a>=d", u(a.clone().ge(d.clone()))),
        ("min_u", a.clone().min(d.clone())),
        ("max_i", u(b.clone().max(e.clone()))),
        (
            "clamp_i",
            u(call(
                b.clone(),
                Intrinsic::Clamp,
                vec![(-5i32).into(), 7i32.into()],
            )),
        ),
        ("abs_b", u(call(b.clone(), Intrinsic::Abs, vec![]))),
        (
            "rotl_a",
            call(a.clone(), Intrinsic::RotateLeft, vec![d.clone()]),
        ),
        (
            "rotr_a",
            call(a.clone(), Intrinsic::RotateRight, vec![d.clone()]),
        ),
        (
            "rotl_b",
            u(call(b.clone(), Intrinsic::RotateLeft, vec![d.clone()])),
        ),
        (
            "rotr_b",
            u(call(b.clone(), Intrinsic::RotateRight, vec![d.clone()])),
        ),
        ("ones_a", call(a.clone(), Intrinsic::CountOnes, vec![])),
        ("ones_b", call(b.clone(), Intrinsic::CountOnes, vec![])),
        ("lz_a", call(a.clone(), Intrinsic::LeadingZeros, vec![])),
        ("lz_b", call(b.clone(), Intrinsic::LeadingZeros, vec![])),
        ("tz_a", call(a.clone(), Intrinsic::TrailingZeros, vec![])),
        ("tz_b", call(b.clone(), Intrinsic::TrailingZeros, vec![])),
        ("rev_a", call(a.clone(), Intrinsic::ReverseBits, vec![])),
        ("rev_b", u(call(b.clone(), Intrinsic::ReverseBits, vec![]))),
        ("a_as_i32", u(a.clone().cast(I32))),
        ("b_as_u32", b.clone().cast(U32)),
        ("c_as_u32", c.clone().cast(U32)),
        ("c_as_i32", u(c.clone().cast(I32))),
        ("bool_as_u32", a.clone().gt(d.clone()).cast(U32)),
        ("bool_as_i32", u(b.clone().gt(e.clone()).cast(I32))),
        ("round_c", call(c.clone(), Intrinsic::Round, vec![])),
        ("floor_c", call(c.clone(), Intrinsic::Floor, vec![])),
        ("ceil_c", call(c.clone(), Intrinsic::Ceil, vec![])),
        ("neg_c", -c.clone()),
        ("abs_c", call(c.clone(), Intrinsic::Abs, vec![])),
        (
            "select",
            a.clone().select(b.clone().lt(e.clone()), d.clone()),
        ),
        (
            "xor_bool",
            u(bin(
                BinOp::BitXor,
                a.clone().gt(d.clone()),
                b.clone().gt(e.clone()),
            )),
        ),
        (
            "and_bool",
            u(bin(
                BinOp::BitAnd,
                a.clone().gt(d.clone()),
                b.clone().gt(e.clone()),
            )),
        ),
    ];
    assert_eq!(values.len(), count);
    h.body(|bb: &mut BlockBuilder<'_>| {
        for (i, (name, v)) in values.into_iter().enumerate() {
            let target = if FLOAT_RESULTS.contains(&name) {
                out_f
            } else {
                out
            };
            bb.store(target, base + i as u32, v);
        }
    });
    h.finish().expect("valid ops handler")
}

#[test]
fn integer_and_exact_float_semantics_match_rust() {
    let Some(gpu) = gpu() else { return };
    let inputs = [
        Inputs {
            a: 7,
            b: -7,
            c: 2.5,
            d: 3,
            e: 2,
        },
        Inputs {
            a: u32::MAX,
            b: i32::MIN,
            c: -2.5,
            d: 33,
            e: -1,
        },
        Inputs {
            a: 0x8000_0001,
            b: i32::MAX,
            c: 0.49999997,
            d: 32,
            e: i32::MIN,
        },
        Inputs {
            a: 0,
            b: 0,
            c: f32::NAN,
            d: 1,
            e: 1,
        },
        Inputs {
            a: 12345,
            b: -1,
            c: 3.0e9,
            d: 31,
            e: 7,
        },
        Inputs {
            a: 1,
            b: 5,
            c: -3.0e9,
            d: 0xFFFF_FFFF,
            e: -5,
        },
        Inputs {
            a: 0xDEAD_BEEF,
            b: -123456,
            c: f32::INFINITY,
            d: 17,
            e: 3,
        },
        Inputs {
            a: 100,
            b: 99,
            c: -0.5,
            d: 100,
            e: 99,
        },
        Inputs {
            a: 5,
            b: 6,
            c: f32::NEG_INFINITY,
            d: 64,
            e: -6,
        },
        Inputs {
            a: 9,
            b: 8,
            c: 1.5e-40,
            d: 4,
            e: 2,
        },
    ];
    let count = expected(inputs[0]).len();
    let ops = ops_handler(count);
    let program = Program::builder("ops")
        .config(config(64))
        .buffer("out", BufferKind::plain(U32))
        .buffer("out_f", BufferKind::plain(F32))
        .opcode(ops)
        .build()
        .expect("valid program");
    let len = inputs.len() * count;
    let mut m = Machine::new(&gpu, program, &[vec![0; len], vec![0; len]], 2);
    for (t, x) in inputs.iter().enumerate() {
        let args = [
            (t * count) as u32,
            x.a,
            x.b as u32,
            x.c.to_bits(),
            x.d,
            x.e as u32,
        ];
        m.publish(Priority::Normal, 0x10, 0, &args);
    }
    m.submit(2);
    assert_eq!(
        m.ctrl_word(ctrl::FAULT_COUNT),
        0,
        "faults: {:?}",
        m.faults()
    );
    assert_eq!(m.ctrl_word(ctrl::EXECUTED), inputs.len() as u32);
    let out = m.buffer(0, len);
    let out_f = m.buffer(1, len);
    let mut mismatches = Vec::new();
    for (t, x) in inputs.iter().enumerate() {
        for (i, (name, want)) in expected(*x).into_iter().enumerate() {
            let k = t * count + i;
            let float = FLOAT_RESULTS.contains(&name);
            let got = if float { out_f[k] } else { out[k] };
            let same = if float {
                let (g, w) = (f32::from_bits(got), f32::from_bits(want));
                got == want
                    || (g.is_nan() && w.is_nan())
                    || (FLUSHES && w.is_subnormal() && g == 0.0)
            } else {
                got == want
            };
            if !same {
                mismatches.push(format!("{name} on {x:?}: got {got:#x}, Rust {want:#x}"));
            }
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

/// Results that are f32 values (compared by bits, NaN to any NaN).
const FLOAT_RESULTS: [&str; 5] = ["round_c", "floor_c", "ceil_c", "neg_c", "abs_c"];
/// Whether 0 may stand for a subnormal result (WGSL lets GPUs flush
/// subnormals).
const FLUSHES: bool = true;

// ---- faults ----

#[test]
fn every_fault_kind_is_recorded_with_its_detail() {
    let Some(gpu) = gpu() else { return };
    let mut h = HandlerBuilder::new(0x20, "faulty");
    let data = h.buffer("data", U32, Access::ReadWrite);
    let kind = h.arg("kind", U32);
    let x = h.arg("x", U32);
    h.body(|b| {
        let arms: Vec<(Vec<Literal>, Arm)> = vec![
            // Out of bounds: the load faults, the store does not happen.
            (
                vec![1u32.into()],
                Box::new(move |b| b.store(data, 0u32, data.at(x))),
            ),
            // Division by zero inside a store's value: no store.
            (
                vec![2u32.into()],
                Box::new(move |b| b.store(data, 1u32, Expr::from(7u32) / (x - x))),
            ),
            // Loop limit.
            (
                vec![3u32.into()],
                Box::new(move |b| {
                    b.loop_(|b| b.store(data, 2u32, data.at(2u32) + 1u32));
                }),
            ),
            // A user fault.
            (vec![4u32.into()], Box::new(move |b| b.fault(x + 1000u32))),
            // Spawn at a bad priority.
            (
                vec![5u32.into()],
                Box::new(move |b| {
                    b.spawn(x, 0x20, vec![0u32.into(), 0u32.into()]);
                    b.store(data, 3u32, 99u32);
                }),
            ),
            // First fault wins: OOB (index evaluated first) before division.
            (
                vec![6u32.into()],
                Box::new(move |b| b.store(data, data.at(x) + 0u32, Expr::from(1u32) / (x - x))),
            ),
        ];
        b.switch(kind, arms, |_| {});
    });
    let program = Program::builder("faults")
        .config(config(64))
        .tenants(2)
        .buffer("data", BufferKind::plain(U32))
        .opcode(h.finish().expect("valid"))
        .build()
        .expect("valid program");
    let mut m = Machine::new(&gpu, program, &[vec![0; 4]], 1);
    m.publish(Priority::Critical, 0x20, 0, &[1, 77]);
    m.publish(Priority::High, 0x20, 0, &[2, 5]);
    m.publish(Priority::Normal, 0x20, 0, &[3, 0]);
    m.publish(Priority::Low, 0x20, 1, &[4, 5]);
    m.publish(Priority::Idle, 0x20, 0, &[5, 9]);
    m.publish(Priority::Normal, 0x20, 0, &[6, 1234]);
    m.publish(Priority::Normal, 0xBAD, 1, &[]);
    m.publish(Priority::Normal, 0x20, 2, &[1, 1]);
    m.submit(1);
    let mut got: Vec<(u32, u32, u32)> = m.faults().iter().map(|r| (r[2], r[3], r[7])).collect();
    got.sort_unstable();
    let lane_of = |code| {
        got.iter()
            .find(|f| f.0 == code)
            .map(|f| f.2)
            .unwrap_or_default()
    };
    let mut want = vec![
        (fault::OUT_OF_BOUNDS, 77, lane_of(fault::OUT_OF_BOUNDS)),
        (fault::DIVIDE_BY_ZERO, 0, lane_of(fault::DIVIDE_BY_ZERO)),
        (fault::LOOP_LIMIT, 100, lane_of(fault::LOOP_LIMIT)),
        (fault::UNKNOWN_OPCODE, 0xBAD, lane_of(fault::UNKNOWN_OPCODE)),
        (fault::BAD_TENANT, 2, u32::MAX),
        (fault::USER, 1005, lane_of(fault::USER)),
        (fault::BAD_PRIORITY, 9, lane_of(fault::BAD_PRIORITY)),
    ];
    // kind 6: OUT_OF_BOUNDS with detail 1234 (the first fault).
    want.push((fault::OUT_OF_BOUNDS, 1234, lane_of(fault::OUT_OF_BOUNDS)));
    want.sort_unstable();
    let got_codes: Vec<(u32, u32)> = got.iter().map(|f| (f.0, f.1)).collect();
    let want_codes: Vec<(u32, u32)> = want.iter().map(|f| (f.0, f.1)).collect();
    assert_eq!(got_codes, want_codes);
    assert!(got
        .iter()
        .any(|f| f.0 == fault::BAD_TENANT && f.2 == u32::MAX));
    assert_eq!(m.ctrl_word(ctrl::FAULTED), 8);
    assert_eq!(m.ctrl_word(ctrl::EXECUTED), 0);
    // No side effect after a fault: the stores did not happen, the loop
    // ran exactly the limit's iterations.
    assert_eq!(m.buffer(0, 4), vec![0, 0, 100, 0]);
    for r in m.faults() {
        assert_eq!(m.slot_status(r[0]), status::FAULT);
        // The maintain pass of the first M faults bad tenants before the
        // first round is counted; the work pass runs in round 1.
        let round = if r[7] == u32::MAX { 0 } else { 1 };
        assert_eq!(r[6], round, "round of {r:?}");
    }
}

// ---- printf, ctx values, spawn chains ----

#[test]
fn printf_records_and_spawn_chains() {
    let Some(gpu) = gpu() else { return };
    let mut h = HandlerBuilder::new(0x30, "chain");
    let hits = h.buffer("hits", U32, Access::Atomic);
    let n = h.arg("n", U32);
    let f = h.arg("f", F32);
    let i = h.arg("i", I32);
    let flag = h.arg("flag", Bool);
    h.body(|b| {
        b.eval(hits.fetch_add(n, 1u32));
        b.printf(
            "n={} f={} i={} flag={} prio={} tenant={}",
            vec![
                n.into(),
                f.into(),
                i.into(),
                flag.into(),
                vyre_core::ir::ctx(CtxValue::Priority),
                vyre_core::ir::ctx(CtxValue::Tenant),
            ],
        );
        b.if_(n.lt(9u32), |b| {
            b.spawn(
                Priority::Low,
                0x30,
                vec![n + 1u32, f * 2.0f32, -Expr::from(i), !Expr::from(flag)],
            );
        });
    });
    let program = Program::builder("chain")
        .config(config(40))
        .buffer("hits", BufferKind::atomic(U32))
        .opcode(h.finish().expect("valid"))
        .build()
        .expect("valid program");
    let mut m = Machine::new(&gpu, program, &[vec![0; 10]], 1);
    m.publish(Priority::High, 0x30, 3, &[0, 1.5f32.to_bits(), 7, 1]);
    m.submit(12);
    assert_eq!(m.buffer(0, 10), vec![1; 10]);
    assert_eq!(m.ctrl_word(ctrl::EXECUTED), 10);
    assert_eq!(m.ctrl_word(ctrl::SPAWNED), 9);
    assert_eq!(m.ctrl_word(ctrl::PRINTF_COUNT), 10);
    let by_prio = m.ctrl_words(ctrl::EXECUTED_BY_PRIORITY, 5);
    assert_eq!(by_prio, vec![0, 1, 0, 9, 0]);
    let layout = m.program.control_layout();
    assert_eq!(m.ctrl_word(layout.executed_by_op), 10);
    let records = m.ctrl_words(layout.printf_log, 10 * PRINTF_RECORD_WORDS);
    let mut seen: Vec<Vec<u32>> = records
        .chunks(PRINTF_RECORD_WORDS as usize)
        .map(|r| r[..7].to_vec())
        .collect();
    seen.sort_unstable();
    let mut want = Vec::new();
    for k in 0..10u32 {
        let f = 1.5f32 * (1u32 << k) as f32;
        let i = if k % 2 == 0 { 7i32 } else { -7 };
        let prio = if k == 0 { 1 } else { 3 };
        want.push(vec![
            0,
            k,
            f.to_bits(),
            i as u32,
            u32::from(k % 2 == 0),
            prio,
            3,
        ]);
    }
    want.sort_unstable();
    assert_eq!(seen, want);
}

// ---- breadth-first search ----

#[test]
fn breadth_first_search_reaches_every_vertex_at_its_depth() {
    let Some(gpu) = gpu() else { return };
    // A small graph in CSR form: a ring of 24 vertices plus chords.
    let n = 24u32;
    let mut adj: Vec<Vec<u32>> = (0..n).map(|v| vec![(v + 1) % n, (v + n - 1) % n]).collect();
    adj[0].push(12);
    adj[5].push(17);
    let mut offsets = vec![0u32];
    let mut edges = Vec::new();
    for a in &adj {
        edges.extend(a);
        offsets.push(edges.len() as u32);
    }
    // Rust's BFS.
    let mut want = vec![u32::MAX; n as usize];
    want[0] = 0;
    let mut queue = std::collections::VecDeque::from([0u32]);
    while let Some(v) = queue.pop_front() {
        for &w in &adj[v as usize] {
            if want[w as usize] == u32::MAX {
                want[w as usize] = want[v as usize] + 1;
                queue.push_back(w);
            }
        }
    }
    let mut h = HandlerBuilder::new(0x100, "visit");
    let off = h.buffer("offsets", U32, Access::Read);
    let edg = h.buffer("edges", U32, Access::Read);
    let dist = h.buffer("dist", U32, Access::Atomic);
    let node = h.arg("node", U32);
    let depth = h.arg("depth", U32);
    h.body(|b| {
        b.for_range("e", off.at(node), off.at(node + 1u32), |b, e| {
            let next = b.let_("next", edg.at(e));
            let old = dist.fetch_min(next, depth + 1u32);
            b.if_(old.gt(depth + 1u32), |b| {
                b.spawn(Priority::High, 0x100, vec![next.into(), depth + 1u32]);
            });
        });
    });
    let program = Program::builder("bfs")
        .config(config(500))
        .buffer("offsets", BufferKind::plain(U32))
        .buffer("edges", BufferKind::plain(U32))
        .buffer("dist", BufferKind::atomic(U32))
        .opcode(h.finish().expect("valid"))
        .build()
        .expect("valid program");
    let mut init = vec![u32::MAX; n as usize];
    init[0] = 0;
    let mut m = Machine::new(&gpu, program, &[offsets, edges, init], 2);
    m.publish(Priority::High, 0x100, 0, &[0, 0]);
    for _ in 0..10 {
        m.submit(8);
    }
    assert_eq!(m.buffer(2, n as usize), want);
    assert_eq!(m.ctrl_word(ctrl::FAULT_COUNT), 0);
    assert_eq!(m.ctrl_word(ctrl::SPAWN_OVERFLOW), 0);
    let lists = m.ctrl_words(ctrl::LIST_LEN, 5);
    assert_eq!(lists, vec![0; 5], "work left over");
}

//! The WGSL lowering of whole programs: every buffer kind, argument list
//! and a sweep of configurations lower to WGSL that naga parses and
//! validates, with the bindings, entry points, names and protocol
//! constants the runtime relies on. Each IR construct is covered in
//! `wgsl_lowering_constructs.rs`, loop guards in `wgsl_loop_guards.rs`;
//! the programs they share are in `wgsl_common/fixtures.rs`.

mod wgsl_common;

use vyre_core::ir::{Access, BufferKind, Expr, HandlerBuilder, ScalarType};
use vyre_core::lower::{
    buffer_binding, ENTRY_FINALIZE, ENTRY_MAINTAIN, ENTRY_POINTS, ENTRY_PREPARE, ENTRY_WORK,
    MAINTAIN_WORKGROUP_SIZE,
};
use vyre_core::program::{Program, ProgramConfig};
use vyre_core::Priority;
use wgsl_common::{handler_text, lower_and_validate};

use wgsl_common::fixtures::{bfs, bfs_visit, sink_program};
use wgsl_common::{finish, program, TYPES};
use ScalarType::{F32, I32, U32};

#[test]
fn bfs_example_lowers_and_validates() {
    let (src, module) = lower_and_validate(&bfs());
    let text = handler_text(&src, "visit");
    assert!(
        text.contains("fn op_visit(l0_node: u32, l1_depth: u32)"),
        "{text}"
    );
    assert!(text.contains("vy_atomic_min_u_dist("), "{text}");
    assert!(text.contains("vy_spawn_2(1u, 256u, "), "{text}");
    let names: Vec<_> = module
        .entry_points
        .iter()
        .map(|e| e.name.as_str())
        .collect();
    for e in ENTRY_POINTS {
        assert!(names.contains(&e), "missing entry point {e}: {names:?}");
    }
}

#[test]
fn entry_points_have_the_documented_workgroup_sizes() {
    for wg in [1, 64, 256] {
        let p = Program::builder("wg")
            .workgroup_size(wg)
            .buffer("offsets", BufferKind::plain(U32))
            .buffer("edges", BufferKind::plain(U32))
            .buffer("dist", BufferKind::atomic(U32))
            .opcode(bfs_visit())
            .build()
            .unwrap();
        let (_, module) = lower_and_validate(&p);
        let size = |name: &str| {
            module
                .entry_points
                .iter()
                .find(|e| e.name == name)
                .map(|e| e.workgroup_size)
                .unwrap_or_else(|| panic!("no entry point {name}"))
        };
        assert_eq!(size(ENTRY_PREPARE), [1, 1, 1]);
        assert_eq!(size(ENTRY_MAINTAIN), [MAINTAIN_WORKGROUP_SIZE, 1, 1]);
        assert_eq!(size(ENTRY_FINALIZE), [1, 1, 1]);
        assert_eq!(size(ENTRY_WORK), [wg, 1, 1]);
        for e in &module.entry_points {
            assert_eq!(e.stage, naga::ShaderStage::Compute);
        }
    }
}

#[test]
fn buffer_kinds_and_access_modes() {
    let mut reader = HandlerBuilder::new(10, "reader");
    let ro_u = reader.buffer("ro_u32", U32, Access::Read);
    let shared = reader.buffer("shared_f32", F32, Access::Read);
    let ro_i = reader.buffer("ro_i32", I32, Access::Read);
    reader.body(|b| {
        let x = b.let_("x", ro_u.at(0u32));
        let y = b.let_("y", shared.at(x));
        b.let_("z", ro_i.at(ro_i.len()));
        b.printf("{}", vec![y.into()]);
    });
    let mut writer = HandlerBuilder::new(11, "writer");
    let shared_w = writer.buffer("shared_f32", F32, Access::ReadWrite);
    let rw_i = writer.buffer("rw_i32", I32, Access::ReadWrite);
    let au = writer.buffer("au32", U32, Access::Atomic);
    let ai = writer.buffer("ai32", I32, Access::Atomic);
    writer.body(|b| {
        b.store(shared_w, 0u32, 1.5f32);
        b.store(rw_i, au.fetch_add(0u32, 1u32), ai.fetch_sub(0u32, 1i32));
    });
    let buffers = [
        ("ro_u32", BufferKind::plain(U32)),
        ("shared_f32", BufferKind::plain(F32)),
        ("ro_i32", BufferKind::plain(I32)),
        ("rw_i32", BufferKind::plain(I32)),
        ("au32", BufferKind::atomic(U32)),
        ("ai32", BufferKind::atomic(I32)),
        ("unused", BufferKind::plain(F32)),
    ];
    let p = program("kinds", &buffers, vec![finish(reader), finish(writer)]);
    let (src, module) = lower_and_validate(&p);
    let expect = [
        ("vy_ring", 0, true),
        ("vy_ctrl", 1, true),
        ("vy_inbox", 2, true),
        ("u_ro_u32", buffer_binding(0), false),
        ("u_shared_f32", buffer_binding(1), true),
        ("u_ro_i32", buffer_binding(2), false),
        ("u_rw_i32", buffer_binding(3), true),
        ("u_au32", buffer_binding(4), true),
        ("u_ai32", buffer_binding(5), true),
        ("u_unused", buffer_binding(6), false),
    ];
    for (name, binding, writable) in expect {
        let (_, var) = module
            .global_variables
            .iter()
            .find(|(_, v)| v.name.as_deref() == Some(name))
            .unwrap_or_else(|| panic!("no global {name}"));
        let rb = var.binding.as_ref().expect("bound");
        assert_eq!((rb.group, rb.binding), (0, binding), "{name}");
        match var.space {
            naga::AddressSpace::Storage { access } => {
                assert_eq!(
                    access.contains(naga::StorageAccess::STORE),
                    writable,
                    "{name}"
                );
            }
            other => panic!("{name} in {other:?}"),
        }
    }
    assert!(src.contains("var<storage, read> u_ro_u32: array<u32>;"));
    assert!(src.contains("var<storage, read_write> u_shared_f32: array<f32>;"));
    assert!(src.contains("var<storage, read_write> u_au32: array<atomic<u32>>;"));
    assert!(src.contains("var<storage, read_write> u_ai32: array<atomic<i32>>;"));
}

#[test]
fn program_without_buffers() {
    let mut h = HandlerBuilder::new(7, "alone");
    let n = h.arg("n", U32);
    h.body(|b| {
        b.if_(n.gt(0u32), |b| {
            b.spawn(Priority::Idle, 7, vec![n - 1u32]);
        });
    });
    let mut empty = HandlerBuilder::new(8, "empty");
    empty.body(|_| {});
    let p = program("alone", &[], vec![finish(h), finish(empty)]);
    let (src, module) = lower_and_validate(&p);
    assert!(src.contains("fn op_empty() {"));
    assert_eq!(
        module
            .global_variables
            .iter()
            .filter(|(_, v)| v.binding.is_some())
            .count(),
        4,
        "the ring, control block, inboxes and indirect arguments"
    );
}

#[test]
fn twelve_arguments_of_every_type() {
    let mut h = HandlerBuilder::new(30, "wide");
    let out = h.buffer("out", U32, Access::ReadWrite);
    let args: Vec<_> = (0..12)
        .map(|i| h.arg(&format!("a{i}"), TYPES[i % 4]))
        .collect();
    h.body(|b| {
        let mut acc: Expr = 0u32.into();
        for a in &args {
            let word = match a.ty {
                F32 => a.cast(I32).cast(U32),
                _ => a.cast(U32),
            };
            acc = acc + word;
        }
        b.store(out, 0u32, acc);
        b.if_(args[1].lt(100u32), |b| {
            let next: Vec<Expr> = args
                .iter()
                .enumerate()
                .map(|(i, a)| if i == 1 { *a + 1u32 } else { (*a).into() })
                .collect();
            b.spawn(Priority::Normal, 30, next);
        });
    });
    let p = program("wide", &[("out", BufferKind::plain(U32))], vec![finish(h)]);
    let (src, _) = lower_and_validate(&p);
    assert!(src.contains("bitcast<f32>(vy_arg(base, 11u))"), "{src}");
    assert!(src.contains("vy_arg(base, 8u) != 0u"));
    let text = handler_text(&src, "wide");
    assert!(
        !text.contains(", 0u)"),
        "all twelve words are arguments:\n{text}"
    );
}

#[test]
fn config_sweep() {
    let mut count = 0;
    for workgroup_size in [1, 64, 256] {
        for (slots, sizes) in [
            (5, Some([1, 1, 1, 1, 1])),
            (1000, Some([100, 200, 400, 200, 100])),
            (1 << 16, Some([1, 1, (1 << 16) - 4, 1, 1])),
        ] {
            for explicit in [false, true] {
                for tenants in [1, 16] {
                    for starvation_limit in [0, 8] {
                        let config = ProgramConfig {
                            workgroup_size,
                            slots,
                            partition_sizes: if explicit { sizes } else { None },
                            tenants,
                            starvation_limit,
                            ..ProgramConfig::default()
                        };
                        let p = Program::builder("sweep")
                            .config(config.clone())
                            .buffer("offsets", BufferKind::plain(U32))
                            .buffer("edges", BufferKind::plain(U32))
                            .buffer("dist", BufferKind::atomic(U32))
                            .opcode(bfs_visit())
                            .build()
                            .expect("valid config");
                        let (src, _) = lower_and_validate(&p);
                        // The ring's sizes are control words: the text is
                        // the same for every ring (one compile serves all).
                        let other = p
                            .with_config(ProgramConfig {
                                slots: 4096,
                                partition_sizes: None,
                                ..config.clone()
                            })
                            .expect("valid config");
                        assert_eq!(src, other.wgsl(), "the WGSL depends on the ring's size");
                        assert!(!src.contains("vy_PART0_START") && !src.contains("vy_SLOTS"));
                        assert!(src.contains(&format!(
                            "const vy_STARVATION_LIMIT: u32 = {starvation_limit}u;"
                        )));
                        assert!(src.contains(&format!("const vy_TENANTS: u32 = {tenants}u;")));
                        count += 1;
                    }
                }
            }
        }
    }
    assert_eq!(count, 72);
}

#[test]
fn names_are_hygienic() {
    let keywords = [
        "loop", "var", "fn", "ptr", "array", "texture", "vy_fault", "vy_t0", "vy_lane", "u_x",
        "op_sink", "l0_a", "select", "new", "from", "self", "let", "bitcast", "f32", "true",
        "return", "struct", "atomic", "_", "__x", "a b", "1x", "",
    ];
    let mut h = HandlerBuilder::new(20, "vy_work");
    let buf = h.buffer("vy_ring", U32, Access::ReadWrite);
    let arg = h.arg("override", U32);
    let arg2 = h.arg("vy_slot", I32);
    h.body(|b| {
        let mut prev: Expr = arg.into();
        for name in keywords {
            let v = b.let_mut(name, prev.clone() + 1u32);
            b.assign(v, v + arg2.cast(U32));
            prev = v.into();
        }
        b.store(buf, prev.clone(), prev.clone());
        b.for_range("loop", 0u32, prev, |b, i| {
            b.store(buf, i, i);
        });
    });
    let mut other = HandlerBuilder::new(21, "op_sink");
    let other_buf = other.buffer("u_x", F32, Access::Read);
    other.body(|b| {
        b.let_("vy_fault", other_buf.at(0u32));
    });
    let p = program(
        "hygiene",
        &[
            ("vy_ring", BufferKind::plain(U32)),
            ("u_x", BufferKind::plain(F32)),
        ],
        vec![finish(h), finish(other)],
    );
    let (src, _) = lower_and_validate(&p);
    assert!(src.contains("fn op_vy_work(l0_override: u32, l1_vy_slot: i32)"));
    assert!(src.contains("fn op_op_sink()"));
    assert!(src.contains("var<storage, read_write> u_vy_ring: array<u32>;"));
    assert!(src.contains("var<storage, read> u_u_x: array<f32>;"));
    assert!(src.contains("var l2_loop: u32"));
    assert!(src.contains("var l4_fn: u32"));
    assert!(src.contains("var l8_vy_fault: u32"));
    assert!(src.contains("var l27_a_b: u32"));
    assert!(src.contains("var l29_: u32"));
    assert!(src.contains("let l0_vy_fault: f32"));
}

#[test]
fn dispatch_decodes_arguments_by_type() {
    let (src, _) = lower_and_validate(&sink_program());
    assert!(src.contains(
        "op_sink(vy_arg(base, 0u), bitcast<i32>(vy_arg(base, 1u)), \
         bitcast<f32>(vy_arg(base, 2u)), vy_arg(base, 3u) != 0u);"
    ));
    assert!(src.contains("case 1u: { // sink"));
    assert!(src.contains("vy_fail(vy_FAULT_UNKNOWN_OPCODE, opcode);"));
}

#[test]
fn protocol_constants_come_from_protocol_rs() {
    use vyre_core::protocol::{ctrl, fault, status};
    let p = bfs();
    let src = p.wgsl();
    let layout = p.control_layout();
    for (name, value) in [
        ("CTRL_SHUTDOWN", ctrl::SHUTDOWN),
        ("CTRL_LIST_NEXT", ctrl::LIST_NEXT),
        ("CTRL_FAULTED", ctrl::FAULTED),
        ("STATUS_PUBLISHED", status::PUBLISHED),
        ("FAULT_LOOP_LIMIT", fault::LOOP_LIMIT),
        ("FAULT_LOOP_CUT", fault::LOOP_CUT),
        ("CLAIM_LIST", layout.claim_list),
        ("CTRL_SLOTS", ctrl::SLOTS),
        ("CTRL_PART_START", ctrl::PART_START),
    ] {
        assert!(
            src.contains(&format!("const vy_{name}: u32 = {value}u;")),
            "vy_{name}"
        );
    }
}

#[test]
fn lowering_is_deterministic() {
    assert_eq!(sink_program().wgsl(), sink_program().wgsl());
}

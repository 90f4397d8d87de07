//! Each validation and assembly error kind, on a hand-built bad program.

use vyre_core::error::AssemblyError;
use vyre_core::ir::*;
use vyre_core::program::{LocalDecl, OpcodeHandler, Program, ProgramConfig};

fn kind_of(h: HandlerBuilder) -> ValidationErrorKind {
    h.finish().expect_err("the handler must be rejected").kind
}

fn raw(body: Vec<Stmt>, locals: Vec<LocalDecl>, arg_count: usize) -> OpcodeHandler {
    OpcodeHandler {
        id: 1,
        name: "bad".into(),
        buffers: vec![],
        arg_count,
        locals,
        body: Block(body),
    }
}

fn local(name: &str, ty: ScalarType, mutable: bool) -> LocalDecl {
    LocalDecl::scalar(name, ty, mutable)
}

#[test]
fn undeclared_local() {
    let h = raw(
        vec![Stmt::Eval(Expr::Local(LocalId(0)))],
        vec![local("x", ScalarType::U32, false)],
        0,
    );
    let e = validate_handler(&h).unwrap_err();
    assert!(
        matches!(
            e.kind,
            ValidationErrorKind::UndeclaredLocal { local: 0, .. }
        ),
        "{e}"
    );
    assert!(e.to_string().contains("`x`"), "{e}");
}

#[test]
fn local_used_outside_its_scope() {
    let mut h = HandlerBuilder::new(1, "scope");
    let out = h.buffer("out", ScalarType::U32, Access::ReadWrite);
    h.body(|b| {
        let mut inner = None;
        b.block(|b| inner = Some(b.let_("x", 1u32)));
        b.store(out, 0u32, inner.unwrap());
    });
    assert!(matches!(
        kind_of(h),
        ValidationErrorKind::UndeclaredLocal { .. }
    ));
}

#[test]
fn local_redeclared() {
    let h = raw(
        vec![
            Stmt::Let {
                local: LocalId(0),
                value: Expr::from(1u32),
            },
            Stmt::Let {
                local: LocalId(0),
                value: Expr::from(2u32),
            },
        ],
        vec![local("x", ScalarType::U32, false)],
        0,
    );
    let e = validate_handler(&h).unwrap_err();
    assert!(
        matches!(e.kind, ValidationErrorKind::LocalRedeclared { .. }),
        "{e}"
    );
}

#[test]
fn unknown_buffer() {
    let h = raw(
        vec![Stmt::Eval(Expr::Len {
            buffer: BufferId(3),
        })],
        vec![],
        0,
    );
    let e = validate_handler(&h).unwrap_err();
    assert!(
        matches!(e.kind, ValidationErrorKind::UnknownBuffer { buffer: 3 }),
        "{e}"
    );
}

#[test]
fn type_mismatch_in_if_condition() {
    let mut h = HandlerBuilder::new(1, "cond");
    let x = h.arg("x", ScalarType::U32);
    h.body(|b| b.if_(x, |_| {}));
    match kind_of(h) {
        ValidationErrorKind::TypeMismatch { context, found, .. } => {
            assert!(context.contains("if"), "{context}");
            assert_eq!(found, ScalarType::U32);
        }
        k => panic!("unexpected {k:?}"),
    }
}

#[test]
fn type_mismatch_between_operands() {
    let mut h = HandlerBuilder::new(1, "mix");
    let x = h.arg("x", ScalarType::U32);
    let y = h.arg("y", ScalarType::I32);
    h.body(|b| {
        b.let_("z", x + y);
    });
    assert!(matches!(
        kind_of(h),
        ValidationErrorKind::TypeMismatch { .. }
    ));
}

#[test]
fn invalid_operator_and_cast() {
    let mut h = HandlerBuilder::new(1, "neg");
    let x = h.arg("x", ScalarType::U32);
    h.body(|b| {
        b.let_("y", -x);
    });
    assert!(matches!(
        kind_of(h),
        ValidationErrorKind::InvalidOperator { .. }
    ));

    let mut h = HandlerBuilder::new(1, "cast");
    let x = h.arg("x", ScalarType::U32);
    h.body(|b| {
        b.let_("y", x.cast(ScalarType::Bool));
    });
    assert!(matches!(
        kind_of(h),
        ValidationErrorKind::InvalidCast { .. }
    ));
}

#[test]
fn invalid_intrinsic() {
    let mut h = HandlerBuilder::new(1, "sqrt");
    let x = h.arg("x", ScalarType::U32);
    h.body(|b| {
        b.let_("y", x.call(Intrinsic::Sqrt, vec![]));
    });
    assert!(matches!(
        kind_of(h),
        ValidationErrorKind::InvalidIntrinsic { .. }
    ));
}

#[test]
fn write_to_read_only_buffer() {
    let mut h = HandlerBuilder::new(1, "w");
    let input = h.buffer("input", ScalarType::U32, Access::Read);
    h.body(|b| b.store(input, 0u32, 1u32));
    let k = kind_of(h);
    assert!(matches!(k, ValidationErrorKind::WriteToReadOnly { ref buffer } if buffer == "input"));
    assert!(k.to_string().contains("&mut Buffer<T>"));
}

#[test]
fn atomic_on_plain_buffer() {
    let mut h = HandlerBuilder::new(1, "a");
    let plain = h.buffer("plain", ScalarType::U32, Access::ReadWrite);
    h.body(|b| b.eval(plain.fetch_add(0u32, 1u32)));
    assert!(matches!(
        kind_of(h),
        ValidationErrorKind::AtomicOnPlainBuffer { .. }
    ));
}

#[test]
fn plain_store_and_load_on_atomic_buffer() {
    let mut h = HandlerBuilder::new(1, "s");
    let counts = h.buffer("counts", ScalarType::U32, Access::Atomic);
    h.body(|b| b.store(counts, 0u32, 1u32));
    assert!(matches!(
        kind_of(h),
        ValidationErrorKind::PlainAccessToAtomicBuffer { ref what, .. } if what == "store"
    ));

    let mut h = HandlerBuilder::new(1, "l");
    let counts = h.buffer("counts", ScalarType::U32, Access::Atomic);
    h.body(|b| {
        b.let_("v", counts.at(0u32));
    });
    assert!(matches!(
        kind_of(h),
        ValidationErrorKind::PlainAccessToAtomicBuffer { ref what, .. } if what == "load"
    ));
}

#[test]
fn assign_to_immutable() {
    let mut h = HandlerBuilder::new(1, "imm");
    h.body(|b| {
        let x = b.let_("x", 1u32);
        b.assign(x, 2u32);
    });
    assert!(matches!(
        kind_of(h),
        ValidationErrorKind::AssignToImmutable { .. }
    ));
}

#[test]
fn break_and_continue_outside_loop() {
    let mut h = HandlerBuilder::new(1, "b");
    h.body(|b| b.break_());
    assert_eq!(kind_of(h), ValidationErrorKind::BreakOutsideLoop);
    let mut h = HandlerBuilder::new(1, "c");
    h.body(|b| b.if_(true, |b| b.continue_()));
    assert_eq!(kind_of(h), ValidationErrorKind::ContinueOutsideLoop);
}

#[test]
fn break_inside_a_match_inside_a_loop_is_fine() {
    let mut h = HandlerBuilder::new(1, "ok");
    let x = h.arg("x", ScalarType::U32);
    h.body(|b| {
        b.loop_(|b| {
            b.switch(
                x,
                vec![(
                    vec![Literal::U32(1)],
                    Box::new(|b: &mut BlockBuilder<'_>| b.break_()),
                )],
                |b| b.break_(),
            );
        })
    });
    h.finish().expect("valid");
}

#[test]
fn too_many_arguments() {
    let mut h = HandlerBuilder::new(1, "many");
    for i in 0..13 {
        h.arg(&format!("a{i}"), ScalarType::U32);
    }
    assert!(matches!(
        kind_of(h),
        ValidationErrorKind::TooManyArgs { count: 13 }
    ));
}

#[test]
fn invalid_buffer_elements() {
    let mut h = HandlerBuilder::new(1, "f");
    h.buffer("floats", ScalarType::F32, Access::Atomic);
    assert!(matches!(
        kind_of(h),
        ValidationErrorKind::InvalidBufferElement { .. }
    ));
    let mut h = HandlerBuilder::new(1, "b");
    h.buffer("flags", ScalarType::Bool, Access::Read);
    assert!(matches!(
        kind_of(h),
        ValidationErrorKind::InvalidBufferElement { .. }
    ));
}

#[test]
fn duplicate_parameter_and_invalid_name() {
    let mut h = HandlerBuilder::new(1, "dup");
    h.buffer("x", ScalarType::U32, Access::Read);
    h.arg("x", ScalarType::U32);
    assert!(matches!(
        kind_of(h),
        ValidationErrorKind::DuplicateParameter { .. }
    ));
    let h = HandlerBuilder::new(1, "9lives");
    assert!(matches!(
        kind_of(h),
        ValidationErrorKind::InvalidName { .. }
    ));
}

#[test]
fn printf_arity_and_size() {
    let mut h = HandlerBuilder::new(1, "p");
    h.body(|b| b.printf("{} and {}", vec![Expr::from(1u32)]));
    assert!(matches!(
        kind_of(h),
        ValidationErrorKind::PrintfArity {
            placeholders: 2,
            args: 1,
            ..
        }
    ));
    let mut h = HandlerBuilder::new(1, "q");
    h.body(|b| b.printf("{}{}{}{}{}{}{}", (0..7u32).map(Expr::from).collect()));
    assert!(matches!(
        kind_of(h),
        ValidationErrorKind::PrintfTooManyArgs { args: 7 }
    ));
    assert_eq!(validate::count_placeholders("{{}} {} }} {"), 1);
}

#[test]
fn duplicate_match_case() {
    let mut h = HandlerBuilder::new(1, "m");
    let x = h.arg("x", ScalarType::U32);
    h.body(|b| {
        b.switch(
            x,
            vec![
                (
                    vec![Literal::U32(1), Literal::U32(2)],
                    Box::new(|_: &mut BlockBuilder<'_>| {}),
                ),
                (
                    vec![Literal::U32(2)],
                    Box::new(|_: &mut BlockBuilder<'_>| {}),
                ),
            ],
            |_| {},
        )
    });
    assert!(matches!(
        kind_of(h),
        ValidationErrorKind::DuplicateCase { .. }
    ));
}

#[test]
fn reserved_id_and_late_argument() {
    assert!(matches!(
        kind_of(HandlerBuilder::new(0xFFFF_0001, "sys")),
        ValidationErrorKind::ReservedId { id: 0xFFFF_0001 }
    ));
    let mut h = HandlerBuilder::new(1, "late");
    h.body(|b| {
        b.let_("x", 1u32);
    });
    h.arg("y", ScalarType::U32);
    assert!(matches!(
        kind_of(h),
        ValidationErrorKind::ArgumentAfterBody { .. }
    ));
}

fn bump(id: u32, name: &str, buffer: &str, access: Access) -> OpcodeHandler {
    let mut h = HandlerBuilder::new(id, name);
    let buf = h.buffer(buffer, ScalarType::U32, access);
    h.body(|b| match access {
        Access::Atomic => b.eval(buf.fetch_add(0u32, 1u32)),
        Access::ReadWrite => b.store(buf, 0u32, 1u32),
        Access::Read => {
            b.let_("v", buf.at(0u32));
        }
    });
    h.finish().expect("valid handler")
}

#[test]
fn assembly_errors() {
    let atomic = BufferKind::atomic(ScalarType::U32);
    let ok = || bump(1, "a", "hits", Access::Atomic);

    let e = Program::builder("p").build().unwrap_err();
    assert_eq!(e, AssemblyError::NoOpcodes);

    let e = Program::builder("p")
        .buffer("hits", atomic)
        .opcode(ok())
        .opcode(bump(1, "b", "hits", Access::Atomic))
        .build()
        .unwrap_err();
    assert!(matches!(e, AssemblyError::DuplicateId { id: 1, .. }), "{e}");

    let e = Program::builder("p")
        .buffer("hits", atomic)
        .opcode(ok())
        .opcode(bump(2, "a", "hits", Access::Atomic))
        .build()
        .unwrap_err();
    assert!(matches!(e, AssemblyError::DuplicateOpcode { .. }), "{e}");

    let e = Program::builder("p").opcode(ok()).build().unwrap_err();
    assert!(matches!(e, AssemblyError::UnknownBuffer { .. }), "{e}");
    assert!(
        e.to_string().contains("`a`") && e.to_string().contains("`hits`"),
        "{e}"
    );

    let e = Program::builder("p")
        .buffer("hits", BufferKind::plain(ScalarType::U32))
        .opcode(ok())
        .build()
        .unwrap_err();
    assert!(matches!(e, AssemblyError::IncompatibleBuffer { .. }), "{e}");

    let e = Program::builder("p")
        .buffer("hits", atomic)
        .buffer("hits", atomic)
        .opcode(ok())
        .build()
        .unwrap_err();
    assert!(matches!(e, AssemblyError::DuplicateBuffer { .. }), "{e}");

    let e = Program::builder("p")
        .buffer("hits", BufferKind::atomic(ScalarType::F32))
        .opcode(ok())
        .build()
        .unwrap_err();
    assert!(matches!(e, AssemblyError::InvalidBufferKind { .. }), "{e}");

    for (field, config) in [
        (
            "workgroup_size",
            ProgramConfig {
                workgroup_size: 0,
                ..Default::default()
            },
        ),
        (
            "workgroup_size",
            ProgramConfig {
                workgroup_size: 257,
                ..Default::default()
            },
        ),
        (
            "slots",
            ProgramConfig {
                slots: 4,
                ..Default::default()
            },
        ),
        (
            "tenants",
            ProgramConfig {
                tenants: 0,
                ..Default::default()
            },
        ),
        (
            "inbox_capacity",
            ProgramConfig {
                inbox_capacity: 100,
                ..Default::default()
            },
        ),
        (
            "loop_limit",
            ProgramConfig {
                loop_limit: 0,
                ..Default::default()
            },
        ),
    ] {
        let e = Program::builder("p")
            .config(config)
            .buffer("hits", atomic)
            .opcode(ok())
            .build()
            .unwrap_err();
        assert!(
            matches!(e, AssemblyError::InvalidConfig { field: f, .. } if f == field),
            "{field}: {e}"
        );
    }
    let e = Program::builder("p")
        .config(ProgramConfig {
            slots: 10,
            partition_sizes: Some([2, 2, 2, 2, 1]),
            ..Default::default()
        })
        .buffer("hits", atomic)
        .opcode(ok())
        .build()
        .unwrap_err();
    assert!(matches!(e, AssemblyError::PartitionSizes { .. }), "{e}");
}

#[test]
fn spawn_checks_at_assembly() {
    let atomic = BufferKind::atomic(ScalarType::U32);
    let mut h = HandlerBuilder::new(1, "spawner");
    h.body(|b| {
        b.spawn(2u32, 99, vec![]);
    });
    let e = Program::builder("p")
        .buffer("hits", atomic)
        .opcode(h.finish().unwrap())
        .build()
        .unwrap_err();
    assert!(
        matches!(e, AssemblyError::SpawnUnknownOpcode { target: 99, .. }),
        "{e}"
    );

    let mut h = HandlerBuilder::new(1, "spawner");
    let x = h.arg("x", ScalarType::U32);
    h.body(|b| {
        b.spawn(2u32, 1, vec![x.cast(ScalarType::I32)]);
    });
    let e = Program::builder("p")
        .buffer("hits", atomic)
        .opcode(h.finish().unwrap())
        .build()
        .unwrap_err();
    assert!(matches!(e, AssemblyError::SpawnArguments { .. }), "{e}");
}

#[test]
fn a_well_formed_program_assembles() {
    let program = Program::builder("p")
        .buffer("hits", BufferKind::atomic(ScalarType::U32))
        .buffer("out", BufferKind::plain(ScalarType::U32))
        .opcode(bump(1, "a", "hits", Access::Atomic))
        .opcode(bump(2, "b", "out", Access::ReadWrite))
        .opcode(bump(3, "c", "out", Access::Read))
        .build()
        .expect("valid program");
    assert!(program.buffers()[1].written);
    assert!(!program.buffers()[0].written);
    assert_eq!(program.handler_index(3), Some(2));
    assert_eq!(program.binding(2, 0), 1);
}

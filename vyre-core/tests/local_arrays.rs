//! Local arrays in the IR (`Stmt::LetArray`, `Expr::Index`,
//! `Stmt::StoreIndex`): a depth-first search with an explicit stack agrees
//! with plain Rust on the reference interpreter and on wgpu, an index out
//! of bounds faults the task with `OUT_OF_BOUNDS` on both, and the
//! validator refuses arrays used wrongly.

mod info_walk;

use vyre_core::gpu::test_context;
use vyre_core::ir::{
    validate_handler, Access, ArrayInit, BinOp, BufferKind, Expr, HandlerBuilder, ScalarType,
    ValidationErrorKind,
};
use vyre_core::{FaultKind, Gpu, Priority, Program, Runtime, Task};

const U32: ScalarType = ScalarType::U32;

/// `dfs(root)`: counts the nodes of the implicit binary tree below `root`
/// (children `2v + 1`, `2v + 2` while `v < 64`) with a 32-entry stack, and
/// writes the count to `out[root]`; `probe(i)` reads `[10, 20, 30][i]`
/// into `out[0]` (an index of 3 or more is out of bounds).
fn program() -> Program {
    let mut h = HandlerBuilder::new(1, "dfs");
    let out = h.buffer("out", U32, Access::ReadWrite);
    let root = h.arg("root", U32);
    h.body(|b| {
        let stack = b.let_array("stack", U32, 32, true, ArrayInit::Repeat(0u32.into()));
        let top = b.let_mut("top", 1u32);
        b.store_index(stack, 0u32, root);
        let seen = b.let_mut("seen", 0u32);
        b.while_(top.gt(0u32), |b| {
            b.assign(top, top - 1u32);
            let v = b.let_("v", stack.at(top));
            b.assign(seen, seen + 1u32);
            b.if_(v.lt(64u32), |b| {
                b.store_index(stack, top, v * 2u32 + 1u32);
                b.store_index(stack, top + 1u32, v * 2u32 + 2u32);
                b.assign(top, top + 2u32);
            });
        });
        b.store(out, root, seen);
    });
    let dfs = h.finish().expect("dfs");

    let mut h = HandlerBuilder::new(2, "probe");
    let out = h.buffer("out", U32, Access::ReadWrite);
    let i = h.arg("i", U32);
    h.body(|b| {
        let list = ArrayInit::List(vec![10u32.into(), 20u32.into(), 30u32.into()]);
        let small = b.let_array("small", U32, 3, false, list);
        let wide = b.let_array(
            "wide",
            ScalarType::U64,
            2,
            true,
            ArrayInit::Repeat(Expr::lit(u64::MAX)),
        );
        b.store_index(wide, 1u32, Expr::lit(7u64));
        let w = wide.at(1u32).cast(U32) + wide.at(0u32).cast(U32);
        b.store(out, 0u32, small.at(i) + w);
    });
    let probe = h.finish().expect("probe");
    Program::builder("arrays")
        .buffer("out", BufferKind::plain(U32))
        .opcode(dfs)
        .opcode(probe)
        .build()
        .expect("program")
}

/// What `dfs(root)` counts, in plain Rust.
fn dfs(root: u32) -> u32 {
    let mut stack = [0u32; 32];
    let mut top = 1usize;
    stack[0] = root;
    let mut seen = 0;
    while top > 0 {
        top -= 1;
        let v = stack[top];
        seen += 1;
        if v < 64 {
            stack[top] = 2 * v + 1;
            stack[top + 1] = 2 * v + 2;
            top += 2;
        }
    }
    seen
}

#[test]
fn arrays_agree_with_rust_and_fault_out_of_bounds() {
    let mut gpus = vec![Gpu::reference().with_workgroups(2)];
    if test_context().is_some() {
        gpus.push(Gpu::wgpu().expect("a wgpu adapter"));
    }
    for gpu in &gpus {
        let what = gpu.description();
        let mut rt = Runtime::new(gpu, program()).unwrap();
        let out = rt.buffer::<u32>("out").unwrap();
        rt.upload(out, &[0; 200]).unwrap();
        for root in 1..200u32 {
            rt.publish(Priority::Normal, Task::new(1, [root.into()]))
                .unwrap();
        }
        let report = rt.run().unwrap();
        assert!(report.faults.is_empty(), "{what}: {:?}", report.faults);
        let got = rt.read(out).unwrap();
        for root in 1..200u32 {
            assert_eq!(got[root as usize], dfs(root), "{what}: dfs({root})");
        }

        // In bounds: 20 + (7 + u32::MAX) wraps to 26.
        rt.publish(Priority::Normal, Task::new(2, [1u32.into()]))
            .unwrap();
        let report = rt.run().unwrap();
        assert!(report.faults.is_empty(), "{what}: {:?}", report.faults);
        assert_eq!(rt.read(out).unwrap()[0], 26, "{what}");
        // Out of bounds: a fault naming the index, nothing stored.
        rt.upload(out, &[5; 200]).unwrap();
        rt.publish(Priority::Normal, Task::new(2, [3u32.into()]))
            .unwrap();
        let report = rt.run().unwrap();
        assert_eq!(report.faults.len(), 1, "{what}");
        assert_eq!(
            report.faults[0].kind,
            FaultKind::OutOfBounds { index: 3 },
            "{what}"
        );
        assert_eq!(rt.read(out).unwrap()[0], 5, "{what}: nothing stored");
    }
}

#[test]
fn the_validator_refuses_arrays_used_wrongly() {
    let refuse = |build: &dyn Fn(&mut vyre_core::ir::BlockBuilder<'_>)| {
        let mut h = HandlerBuilder::new(1, "bad");
        h.buffer("out", U32, Access::ReadWrite);
        h.body(|b| build(b));
        match h.finish() {
            Ok(_) => panic!("accepted"),
            Err(e) => e.kind,
        }
    };
    let zeros = || ArrayInit::Repeat(0u32.into());
    // An array as a value.
    let k = refuse(&|b| {
        let a = b.let_array("a", U32, 4, false, zeros());
        b.let_("x", Expr::Local(a.id));
    });
    assert!(
        matches!(k, ValidationErrorKind::ArrayAsValue { .. }),
        "{k:?}"
    );
    // Lengths: zero, above the limit, a literal of another length.
    for len in [0, vyre_core::ir::MAX_ARRAY_LEN + 1] {
        let k = refuse(&|b| {
            b.let_array("a", U32, len, false, zeros());
        });
        assert!(
            matches!(k, ValidationErrorKind::ArrayLength { .. }),
            "{k:?}"
        );
    }
    let k = refuse(&|b| {
        b.let_array("a", U32, 3, false, ArrayInit::List(vec![1u32.into()]));
    });
    assert!(
        matches!(
            k,
            ValidationErrorKind::ArrayInitLength {
                expected: 3,
                found: 1,
                ..
            }
        ),
        "{k:?}"
    );
    // A store into an immutable array, an index of the wrong type, an
    // element of the wrong type.
    let k = refuse(&|b| {
        let a = b.let_array("a", U32, 2, false, zeros());
        b.store_index(a, 0u32, 1u32);
    });
    assert!(
        matches!(k, ValidationErrorKind::AssignToImmutable { .. }),
        "{k:?}"
    );
    let k = refuse(&|b| {
        let a = b.let_array("a", U32, 2, true, zeros());
        b.store_index(a, 0i32, 1u32);
    });
    assert!(
        matches!(k, ValidationErrorKind::TypeMismatch { .. }),
        "{k:?}"
    );
    let k = refuse(&|b| {
        b.let_array("a", U32, 2, true, ArrayInit::Repeat(1.5f32.into()));
    });
    assert!(
        matches!(k, ValidationErrorKind::TypeMismatch { .. }),
        "{k:?}"
    );
    // Indexing a scalar.
    let k = refuse(&|b| {
        let x = b.let_("x", 1u32);
        b.let_(
            "y",
            Expr::Index {
                array: x.id,
                index: Box::new(Expr::Binary {
                    op: BinOp::Add,
                    lhs: Box::new(0u32.into()),
                    rhs: Box::new(0u32.into()),
                }),
            },
        );
    });
    assert!(matches!(k, ValidationErrorKind::NotAnArray { .. }), "{k:?}");
    // The valid handlers validate, and their statements and expressions
    // are numbered in the documented pre-order.
    let p = program();
    for h in p.handlers() {
        let info = validate_handler(h).unwrap();
        info_walk::check(h, &info);
    }
}

/// `grid(j, k)`: element `[j][k]` of a 2 × 3 table flattened into one
/// array, each subscript checked on its own (`Expr::CheckIndex`, the form
/// of `a[j].w[k]` of a local array of structs).
fn grid_program() -> Program {
    let mut h = HandlerBuilder::new(3, "grid");
    let out = h.buffer("out", U32, Access::ReadWrite);
    let j = h.arg("j", U32);
    let k = h.arg("k", U32);
    h.body(|b| {
        let cells = (10..16u32).map(Expr::from).collect();
        let table = b.let_array("table", U32, 6, false, ArrayInit::List(cells));
        let row = Expr::CheckIndex {
            index: Box::new(j.into()),
            len: 2,
        };
        let col = Expr::CheckIndex {
            index: Box::new(k.into()),
            len: 3,
        };
        b.store(out, 0u32, table.at(row * 3u32 + col));
    });
    let grid = h.finish().expect("grid");
    let info = validate_handler(&grid).expect("valid");
    info_walk::check(&grid, &info);
    Program::builder("grid")
        .buffer("out", BufferKind::plain(U32))
        .opcode(grid)
        .build()
        .expect("program")
}

#[test]
fn each_subscript_of_a_flattened_array_faults_with_its_own_index() {
    let mut gpus = vec![Gpu::reference()];
    if test_context().is_some() {
        gpus.push(Gpu::wgpu().expect("a wgpu adapter"));
    }
    for gpu in &gpus {
        let what = gpu.description();
        let mut rt = Runtime::new(gpu, grid_program()).unwrap();
        let out = rt.buffer::<u32>("out").unwrap();
        for (j, k, want) in [
            (1u32, 2u32, Ok(15)),
            (0, 0, Ok(10)),
            (2, 0, Err(2)),
            (0, 3, Err(3)),
            (5, 7, Err(5)),
            (1, u32::MAX, Err(u32::MAX)),
        ] {
            rt.upload(out, &[99]).unwrap();
            rt.publish(Priority::Normal, Task::new(3, [j.into(), k.into()]))
                .unwrap();
            let report = rt.run().unwrap();
            let kinds: Vec<FaultKind> = report.faults.iter().map(|f| f.kind).collect();
            match want {
                Ok(v) => {
                    assert!(kinds.is_empty(), "{what}: [{j}][{k}]: {kinds:?}");
                    assert_eq!(rt.read(out).unwrap()[0], v, "{what}: [{j}][{k}]");
                }
                Err(index) => {
                    assert_eq!(
                        kinds,
                        [FaultKind::OutOfBounds { index }],
                        "{what}: [{j}][{k}]"
                    );
                    assert_eq!(rt.read(out).unwrap()[0], 99, "{what}: nothing stored");
                }
            }
        }
    }
}

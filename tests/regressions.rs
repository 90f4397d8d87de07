//! Regression tests for reliability bugs found by the fuzzers
//! (`tests/fuzz_host.rs`, `vyre-core/tests/ir_property.rs`), each the
//! smallest case that showed the bug, on every backend.

mod common;

use common::on_every_backend;
use vyre::ir::{BufferKind, HandlerBuilder, ScalarType};
use vyre::prelude::*;

const U32: ScalarType = ScalarType::U32;

fn buffers_program(n: usize) -> Program {
    let mut h = HandlerBuilder::new(1, "noop");
    h.body(|_| {});
    let mut b = Program::builder("buffers");
    for i in 0..n {
        b = b.buffer(format!("b{i}"), BufferKind::plain(U32));
    }
    b.opcode(h.finish().unwrap()).build().unwrap()
}

/// A handle made by one runtime, used with another, indexed the other
/// runtime's buffer table: an index past its end panicked (in the error
/// path of the range check), and a matching index silently touched an
/// unrelated buffer. Every fallible call now refuses it.
#[test]
fn a_buffer_handle_of_another_runtime_is_refused() {
    on_every_backend("foreign handle", 1, |gpu| {
        let other = Runtime::new(&Gpu::reference(), buffers_program(5)).unwrap();
        let mut rt = Runtime::new(gpu, buffers_program(1)).unwrap();
        let mine = rt.buffer::<u32>("b0").unwrap();
        rt.upload(mine, &[7, 8, 9]).unwrap();
        for name in ["b0", "b4"] {
            let theirs = other.buffer::<u32>(name).unwrap();
            let foreign = |r: Result<(), Error>| {
                assert!(
                    matches!(r, Err(Error::ForeignBuffer { .. })),
                    "{name}: {r:?}"
                );
            };
            foreign(rt.write(theirs, 3, &[1]));
            foreign(rt.write(theirs, 0, &[1]));
            foreign(rt.resize(theirs, 9));
            foreign(rt.upload(theirs, &[1, 2]));
            foreign(rt.read(theirs).map(drop));
            foreign(rt.read_range(theirs, 0, 1).map(drop));
            assert_eq!(rt.len(theirs), 0);
        }
        assert_eq!(rt.read(mine).unwrap(), [7, 8, 9], "nothing changed");
    });
}

//! Tests of the host types and the native-mode hooks.

use super::native::{self, Caught};
use super::*;
use crate::host::Task;
use crate::ir::{Access, BufferKind, Literal, ScalarType};
use crate::protocol::Priority;
use crate::report::FaultKind;

#[test]
fn buffers_index_by_u32_and_report_u32_lengths() {
    let mut b = Buffer::from(vec![1u32, 2, 3]);
    assert_eq!(b.len(), 3);
    b[1] += 5;
    assert_eq!(b.as_slice(), &[1, 7, 3]);
    assert_eq!(Buffer::<f32>::zeroed(2).as_slice(), &[0.0, 0.0]);
    let out = std::panic::catch_unwind(|| Buffer::from(vec![1u32])[4]);
    let msg = out.unwrap_err();
    let msg = msg.downcast_ref::<String>().unwrap();
    assert_eq!(msg, "index out of bounds: the len is 1 but the index is 4");
}

#[test]
fn atomics_follow_std() {
    let a = Atomic::new(5u32);
    assert_eq!(a.fetch_add(3), 5);
    assert_eq!(a.fetch_sub(10), 8);
    assert_eq!(a.load(), u32::MAX - 1);
    assert_eq!(a.fetch_min(7), u32::MAX - 1);
    assert_eq!(a.fetch_max(9), 7);
    assert_eq!(a.compare_exchange(1, 2), Err(9));
    assert_eq!(a.compare_exchange(9, 2), Ok(9));
    assert_eq!(a.swap(0xF0), 2);
    assert_eq!(a.fetch_and(0x30), 0xF0);
    assert_eq!(a.fetch_or(1), 0x30);
    assert_eq!(a.fetch_xor(0x31), 0x31);
    let i = Atomic::new(-3i32);
    assert_eq!(i.fetch_min(-10), -3);
    assert_eq!(i.fetch_max(4), -10);
    assert_eq!(i.fetch_add(-1), 4);
    assert_eq!(i.load(), 3);
    let b = Buffer::<Atomic<i32>>::from_values([-1, 2]);
    b[0].store(-7);
    assert_eq!(b.to_values(), vec![-7, 2]);
}

#[test]
fn ctx_records_and_catches() {
    let ctx = Ctx::new()
        .with_tenant(3)
        .with_priority(Priority::Low)
        .with_spawn_capacity(1);
    let out = ctx.run(|ctx| {
        assert!(ctx.spawn(Priority::High, Task::new(1, [Literal::U32(1)])));
        assert!(!ctx.spawn(4u32, Task::new(1, [])));
        printf("x = {}", &[Literal::I32(-2)]);
        ctx.shutdown();
        ctx.tenant()
    });
    assert_eq!(out.result, Ok(3));
    assert_eq!(out.spawns.len(), 2);
    assert!(!out.spawns[1].accepted);
    assert_eq!(out.prints, vec!["x = -2"]);
    assert!(out.shutdown);
    let out = Ctx::call(|ctx| ctx.spawn(9u32, Task::new(1, [])));
    assert_eq!(out.fault(), Some(FaultKind::BadPriority { priority: 9 }));
    #[allow(unconditional_panic)]
    let out = Ctx::call(|_| {
        let zero = std::hint::black_box(0u32);
        10 / zero
    });
    assert_eq!(out.fault(), Some(FaultKind::DivideByZero));
}

#[test]
fn loop_limit_in_native_mode() {
    let spin = |n: u32| {
        let mut i = 0;
        while i < n {
            loop_tick();
            i += 1;
        }
        i
    };
    // Outside native mode: no limit.
    assert_eq!(spin(100), 100);
    let _mode = native::enter(10);
    native::begin_task();
    assert_eq!(native::catch(|| spin(10)).ok(), Some(10));
    native::begin_task();
    match native::catch(|| spin(11)) {
        Err(Caught::Fault(k)) => assert_eq!(k, FaultKind::LoopLimit { limit: 10 }),
        other => panic!("{other:?}"),
    }
    assert!(native::in_fault_mode());
}

#[test]
fn sinks_and_print_hooks() {
    struct Sink(std::sync::Arc<std::sync::Mutex<Vec<(u32, Priority, u32)>>>);
    impl CtxSink for Sink {
        fn spawn(&mut self, from: &TaskInfo, priority: Priority, task: Task) -> bool {
            self.0
                .lock()
                .unwrap()
                .push((from.lane, priority, task.opcode()));
            task.opcode() != 99
        }
        fn shutdown(&mut self, _: &TaskInfo) {}
    }
    let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let ctx = Ctx::with_sink(
        TaskInfo {
            lane: 4,
            ..TaskInfo::default()
        },
        Box::new(Sink(log.clone())),
    );
    assert!(ctx.spawn(Priority::Idle, Task::new(5, [])));
    assert!(!ctx.spawn(Priority::Idle, Task::new(99, [])));
    assert_eq!(log.lock().unwrap().len(), 2);
    assert_eq!(log.lock().unwrap()[0], (4, Priority::Idle, 5));

    let seen = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let s = seen.clone();
    let prev = native::set_print_hook(Some(Box::new(move |f, a| {
        s.borrow_mut().push((f, a.to_vec()))
    })));
    printf("{} {}", &[Literal::U32(1), Literal::Bool(true)]);
    native::set_print_hook(prev);
    assert_eq!(
        seen.borrow()[0],
        ("{} {}", vec![Literal::U32(1), Literal::Bool(true)])
    );
}

#[test]
fn host_buffers_hand_out_bound_buffers() {
    let bufs: HostBuffers = [
        HostBuffer::from_words(BufferKind::plain(ScalarType::F32), &[1.5f32.to_bits()]),
        HostBuffer::from_words(BufferKind::atomic(ScalarType::U32), &[7, 8]),
        HostBuffer::zeroed(BufferKind::plain(ScalarType::I32), 3),
    ]
    .into_iter()
    .collect();
    let bindings = [2, 0, 1];
    {
        let mut ints = bufs.write::<i32>(&bindings, 0);
        let floats = bufs.read::<f32>(&bindings, 1);
        let counts = bufs.atomic::<u32>(&bindings, 2);
        ints[2] = -1;
        counts[1].fetch_add(floats[0] as u32);
    }
    assert_eq!(bufs.get(2).unwrap().to_words(), vec![0, 0, u32::MAX]);
    assert_eq!(bufs.get(1).unwrap().to_words(), vec![7, 9]);
    assert_eq!(
        bufs.get(1).unwrap().kind(),
        BufferKind::atomic(ScalarType::U32)
    );
    let wrong = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _ = bufs.read::<u32>(&bindings, 0);
    }));
    assert!(wrong.is_err());
}

#[test]
fn buffer_meta_is_const() {
    const METAS: &[BufferMeta] = &[
        BufferMeta::new("edges", ScalarType::U32, Access::Read),
        BufferMeta::new("dist", ScalarType::U32, Access::Atomic),
    ];
    const DIST: Option<usize> = BufferMeta::find(METAS, "dist");
    const OK: bool = METAS[1].admits(BufferKind::atomic(ScalarType::U32))
        && !METAS[0].admits(BufferKind::atomic(ScalarType::U32))
        && METAS[0].admits(BufferKind::plain(ScalarType::U32));
    assert_eq!(DIST, Some(1));
    const { assert!(OK) };
    assert_eq!(BufferMeta::find(METAS, "nope"), None);
}

#[test]
fn faults_outside_fault_mode_panic_with_the_signal() {
    let ctx = Ctx::new();
    let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| ctx.fault(7))).unwrap_err();
    assert_eq!(
        err.downcast_ref::<native::FaultSignal>(),
        Some(&native::FaultSignal(FaultKind::User { code: 7 }))
    );
    // native::catch classifies it the same way.
    let caught = native::catch(|| ctx.fault(8)).unwrap_err();
    assert_eq!(caught.fault(), Some(FaultKind::User { code: 8 }));
}

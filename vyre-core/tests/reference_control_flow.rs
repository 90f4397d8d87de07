//! Control-flow semantics of the reference interpreter: `for` ranges at
//! the edges of u32 and i32, `break`/`continue`/`return`/`match`, the loop
//! limit, deep nesting without recursion, context values and argument
//! words, and signed atomics with a strong compare-exchange.

mod support;

use support::{plain, program, small_config, Host};
use vyre_core::ir::{ctx, Access, CtxValue, HandlerBuilder, Literal, ScalarType};
use vyre_core::program::ProgramConfig;
use vyre_core::protocol::{ctrl, fault};
use vyre_core::Priority;

use ScalarType::{F32, I32, U32};

/// Builds a one-handler program over `out: u32` and runs one task.
fn run_body(
    loop_limit: u32,
    body: impl FnOnce(&mut vyre_core::ir::BlockBuilder<'_>, vyre_core::ir::BufferRef),
) -> (Vec<u32>, Vec<support::FaultRecord>) {
    let mut h = HandlerBuilder::new(1, "body");
    let out = h.buffer("out", U32, Access::ReadWrite);
    h.body(|b| body(b, out));
    let config = ProgramConfig {
        loop_limit,
        ..small_config()
    };
    let p = program(config, &[("out", plain(U32))], vec![h.finish().unwrap()]);
    let mut host = Host::new(p, 2, 1);
    host.zeroed_buffer("out", 16);
    host.publish(Priority::High, 1, 0, &[]);
    host.submit(1);
    (host.buffer("out"), host.faults())
}

#[test]
fn for_ranges_at_the_edges_of_u32_and_i32() {
    let (out, faults) = run_body(100, |b, out| {
        // u32::MAX - 2 ..= u32::MAX: three iterations, no overflow.
        b.for_range_inclusive("i", u32::MAX - 2, u32::MAX, |b, i| {
            b.store(out, 0u32, out.at(0u32) + 1u32);
            b.store(out, 1u32, i);
        });
        // An empty range and a reversed one run nothing.
        b.for_range("j", 5u32, 5u32, |b, _| b.store(out, 2u32, 99u32));
        b.for_range("k", 6u32, 2u32, |b, _| b.store(out, 2u32, 98u32));
        // i32::MIN .. i32::MIN + 3: three iterations.
        b.for_range("m", i32::MIN, i32::MIN + 3, |b, m| {
            b.store(out, 3u32, out.at(3u32) + 1u32);
            b.store(out, 4u32, m.cast(U32));
        });
        // -2 ..= 1 crosses zero: four iterations.
        b.for_range_inclusive("n", -2i32, 1i32, |b, _| {
            b.store(out, 5u32, out.at(5u32) + 1u32);
        });
        // i32::MAX ..= i32::MAX: one iteration.
        b.for_range_inclusive("o", i32::MAX, i32::MAX, |b, _| {
            b.store(out, 6u32, out.at(6u32) + 1u32);
        });
    });
    assert!(faults.is_empty(), "{faults:?}");
    assert_eq!(out[..7], [3, u32::MAX, 0, 3, (i32::MIN + 2) as u32, 4, 1]);
}

#[test]
fn break_continue_return_and_match() {
    let (out, faults) = run_body(1000, |b, out| {
        // Sum of odd i < 10, stopping at 7: 1 + 3 + 5 + 7.
        let sum = b.let_mut("sum", 0u32);
        b.for_range("i", 0u32, 100u32, |b, i| {
            b.if_((i % 2u32).equals(0u32), |b| b.continue_());
            b.assign(sum, sum + i);
            b.if_(i.equals(7u32), |b| b.break_());
        });
        b.store(out, 0u32, sum);
        // Nested loops: break leaves only the inner one.
        let n = b.let_mut("n", 0u32);
        b.for_range("a", 0u32, 3u32, |b, _| {
            b.loop_(|b| {
                b.assign(n, n + 1u32);
                b.break_();
            });
        });
        b.store(out, 1u32, n);
        // while with a counter.
        let w = b.let_mut("w", 0u32);
        b.while_(w.lt(5u32), |b| b.assign(w, w + 1u32));
        b.store(out, 2u32, w);
        // match: literal, `|` arms and `_`.
        for (k, sel) in [(3u32, 1u32), (4, 2), (5, 3), (6, 40)] {
            let s = b.let_("s", sel);
            b.switch(
                s,
                vec![
                    (
                        vec![Literal::U32(1)],
                        Box::new(move |b: &mut vyre_core::ir::BlockBuilder<'_>| {
                            b.store(out, k, 10u32)
                        }),
                    ),
                    (
                        vec![Literal::U32(2), Literal::U32(3)],
                        Box::new(move |b: &mut vyre_core::ir::BlockBuilder<'_>| {
                            b.store(out, k, 20u32)
                        }),
                    ),
                ],
                move |b| b.store(out, k, 30u32),
            );
        }
        b.store(out, 7u32, 1u32);
        b.return_();
        b.store(out, 8u32, 1u32);
    });
    assert!(faults.is_empty(), "{faults:?}");
    assert_eq!(out[..9], [16, 3, 5, 10, 20, 20, 30, 1, 0]);
}

#[test]
fn loop_limit_counts_every_loop_of_the_task() {
    // Two loops of 3 iterations each with a limit of 5: the sixth faults.
    let (out, faults) = run_body(5, |b, out| {
        b.for_range("i", 0u32, 3u32, |b, _| {
            b.store(out, 0u32, out.at(0u32) + 1u32)
        });
        b.for_range("j", 0u32, 3u32, |b, _| {
            b.store(out, 1u32, out.at(1u32) + 1u32)
        });
    });
    assert_eq!(out[..2], [3, 2]);
    assert_eq!(faults.len(), 1);
    assert_eq!(faults[0][2..4], [fault::LOOP_LIMIT, 5]);
}

#[test]
fn deep_nesting_runs_without_recursion_over_statements() {
    use vyre_core::ir::{Block, Stmt};
    use vyre_core::program::{BufferParam, OpcodeHandler};
    const DEPTH: usize = 5000;
    // Building, validating, cloning and dropping IR recurse over the tree
    // (not this module's code): do those on a thread with a large stack,
    // and run the interpreter on one with a small stack, where a
    // recursive statement walker would overflow at this depth.
    fn big<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
        std::thread::Builder::new()
            .stack_size(512 << 20)
            .spawn(f)
            .unwrap()
            .join()
            .unwrap()
    }
    let mut host = big(|| {
        let mut stmt = Stmt::Store {
            buffer: vyre_core::ir::BufferId(0),
            index: 0u32.into(),
            value: 42u32.into(),
        };
        for _ in 0..DEPTH {
            stmt = Stmt::If {
                cond: true.into(),
                then_body: Block(vec![Stmt::Block(Block(vec![stmt]))]),
                else_body: Block::new(),
            };
        }
        let h = OpcodeHandler {
            id: 1,
            name: "deep".into(),
            buffers: vec![BufferParam {
                name: "out".into(),
                elem: U32,
                access: Access::ReadWrite,
                structure: None,
            }],
            arg_count: 0,
            locals: vec![],
            body: Block(vec![stmt]),
        };
        let p = program(small_config(), &[("out", plain(U32))], vec![h]);
        let mut host = Host::new(p, 1, 1);
        host.zeroed_buffer("out", 1);
        host.publish(Priority::Normal, 1, 0, &[]);
        host
    });
    let mut host = std::thread::Builder::new()
        .stack_size(256 << 10)
        .spawn(move || {
            host.submit(1);
            host
        })
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(host.buffer("out"), [42]);
    assert!(host.faults().is_empty());
    big(move || drop(host));
}

#[test]
fn ctx_values_and_argument_words() {
    let mut h = HandlerBuilder::new(1, "who");
    let out = h.buffer("out", U32, Access::ReadWrite);
    let a = h.arg("a", F32);
    let c = h.arg("c", I32);
    h.body(|b| {
        b.store(out, 0u32, ctx(CtxValue::Lane));
        b.store(out, 1u32, ctx(CtxValue::Slot));
        b.store(out, 2u32, ctx(CtxValue::Tenant));
        b.store(out, 3u32, ctx(CtxValue::Priority));
        b.store(out, 4u32, (a * 2.0f32).cast(U32));
        b.store(out, 5u32, c.cast(U32));
        b.store(out, 6u32, out.len());
    });
    let p = program(
        small_config(),
        &[("out", plain(U32))],
        vec![h.finish().unwrap()],
    );
    let mut host = Host::new(p, 1, 1);
    host.enable(3, true);
    host.zeroed_buffer("out", 8);
    host.publish(Priority::Low, 1, 3, &[1.25f32.to_bits(), (-7i32) as u32]);
    host.submit(1);
    let start = host.program.config().partitions()[Priority::Low.index()].0;
    assert_eq!(
        host.buffer("out"),
        [0, start, 3, 3, 2, (-7i32) as u32, 8, 0]
    );
    assert_eq!(host.ctrl(ctrl::EXECUTED_BY_PRIORITY + 3), 1);
}

#[test]
fn atomics_on_i32_use_signed_order_and_cas_is_strong() {
    let mut h = HandlerBuilder::new(1, "atom");
    let s = h.buffer("s", I32, Access::Atomic);
    let out = h.buffer("out", I32, Access::ReadWrite);
    h.body(|b| {
        b.store(out, 0u32, s.fetch_min(0u32, -5i32));
        b.store(out, 1u32, s.fetch_max(1u32, -5i32));
        b.store(out, 2u32, s.fetch_add(2u32, 1i32));
        b.store(out, 3u32, s.fetch_sub(3u32, 1i32));
        b.store(out, 4u32, s.swap(4u32, 9i32));
        b.store(out, 5u32, s.fetch_and(5u32, 6i32));
        b.store(out, 6u32, s.fetch_or(6u32, 6i32));
        b.store(out, 7u32, s.fetch_xor(7u32, 6i32));
        let (old, ok) = b.compare_exchange(s, 8u32, 3i32, 4i32);
        b.store(out, 8u32, old);
        b.store(out, 9u32, ok.cast(I32));
        let (old, ok) = b.compare_exchange(s, 9u32, 3i32, 4i32);
        b.store(out, 10u32, old);
        b.store(out, 11u32, ok.cast(I32));
        b.atomic_store(s, 10u32, -1i32);
        b.store(out, 12u32, s.load(10u32));
    });
    let p = program(
        small_config(),
        &[
            ("s", vyre_core::ir::BufferKind::atomic(I32)),
            ("out", plain(I32)),
        ],
        vec![h.finish().unwrap()],
    );
    let mut host = Host::new(p, 1, 1);
    let init: Vec<i32> = vec![3, 3, i32::MAX, i32::MIN, 1, 3, 3, 3, 3, 2, 0];
    host.set_buffer("s", &init.iter().map(|&x| x as u32).collect::<Vec<_>>());
    host.zeroed_buffer("out", 13);
    host.publish(Priority::Normal, 1, 0, &[]);
    host.submit(1);
    let s: Vec<i32> = host.buffer("s").iter().map(|&x| x as i32).collect();
    let out: Vec<i32> = host.buffer("out").iter().map(|&x| x as i32).collect();
    assert_eq!(s, [-5, 3, i32::MIN, i32::MAX, 9, 2, 7, 5, 4, 2, -1]);
    assert_eq!(out, [3, 3, i32::MAX, i32::MIN, 1, 3, 3, 3, 3, 1, 2, 0, -1]);
}

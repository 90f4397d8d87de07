//! Device→host requests in the language (`#[request]`, `ctx.request`,
//! `op::then`, `serve`) on every backend: the same results everywhere; the
//! native backend calls the handler inside the requesting task (no request
//! slot, so never a refusal), the others serve the request slots between
//! submissions; a handler's failure faults the continuation alone; and a
//! handler run under `Ctx::new` records its requests.

mod common;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use common::every_backend;
use vyre::prelude::*;
use vyre::RequestProblem;

/// Multiplies on the host: a two-word reply.
#[request(id = 3)]
pub fn times_big(x: u32) -> u64;

const BIG: u64 = 3_000_000_000;
/// The key the host refuses.
const REFUSED_KEY: u32 = 13;

/// Asks for `i × BIG`; a refused request (no slot left this submission)
/// asks again from a new task.
#[opcode(id = 0x61)]
pub fn ask(ctx: &Ctx, i: u32) {
    if !ctx.request(Priority::Normal, times_big::call(i), got::then(i)) {
        ctx.spawn(Priority::Low, ask::task(i));
    }
}

/// Stores the reply.
#[opcode(id = 0x62)]
pub fn got(out: &mut Buffer<u64>, i: u32, value: u64) {
    out[i] = value;
}

megakernel! {
    /// Two request slots: most requests of a batch are refused where the
    /// slots are used.
    pub struct Asker {
        slots: 5 * 512,
        request_slots: 2,
        buffers: { out: u64 },
        opcodes: [ask, got],
        requests: [times_big],
    }
}

#[test]
fn requests_give_the_same_results_on_every_backend() {
    let n = 200u32;
    for gpu in every_backend("host_requests", 2) {
        let what = gpu.description();
        let mut k = Asker::new(&gpu).unwrap();
        k.out().upload(&vec![0; n as usize]).unwrap();
        let calls = Arc::new(AtomicU64::new(0));
        let counted = Arc::clone(&calls);
        k.serve(times_big::serve(move |x, _reply| {
            counted.fetch_add(1, Ordering::Relaxed);
            if x == REFUSED_KEY {
                return Err(format!("key {x} is not served"));
            }
            Ok(u64::from(x) * BIG)
        }))
        .unwrap();
        k.publish_range(Priority::Normal, ask::Op, 0..n, ())
            .unwrap();
        let report = k.run().unwrap();
        let out = k.out().read().unwrap();
        for i in 0..n {
            let want = if i == REFUSED_KEY {
                0
            } else {
                u64::from(i) * BIG
            };
            assert_eq!(out[i as usize], want, "{what}: out[{i}]");
        }
        assert_eq!(report.faults.len(), 1, "{what}: {:?}", report.faults);
        let f = &report.faults[0];
        assert_eq!(
            f.kind,
            FaultKind::Request {
                kind: times_big::ID,
                problem: RequestProblem::Failed
            },
            "{what}"
        );
        assert_eq!(f.message.as_deref(), Some("key 13 is not served"), "{what}");
        assert_eq!(f.opcode, got::ID, "{what}");
        // Every request reached the handler once.
        assert_eq!(calls.load(Ordering::Relaxed), u64::from(n), "{what}");
        if gpu.kind() == BackendKind::Native {
            // Served inside the task: no request slot, never refused.
            assert_eq!(report.spawn_overflows, 0, "{what}");
        } else {
            assert!(
                report.spawn_overflows > 0,
                "{what}: two slots took every request"
            );
        }
        assert!(k.runtime().accounting().balanced(), "{what}");
    }
}

#[test]
fn a_handler_under_a_recording_context_records_its_request() {
    let ctx = Ctx::new();
    let outcome = ctx.run(|ctx| ask(ctx, 7));
    assert!(outcome.is_done());
    let made = ctx.requested();
    assert_eq!(made.len(), 1);
    assert_eq!(made[0].kind, times_big::ID);
    assert_eq!(made[0].args, vec![7]);
    assert_eq!(made[0].opcode, got::ID);
    assert_eq!(made[0].given, vec![7]);
    assert_eq!(made[0].priority, Priority::Normal);
    // A task with no request kind handler still builds its IR.
    let h = ask::handler();
    assert_eq!(h.id, ask::ID);
}

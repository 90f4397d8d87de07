//! Device→host requests (`docs/protocol.md`, "Host requests") through
//! the IR builder, on every backend: replies reach their continuations,
//! every way the host can fail faults that continuation and nothing else,
//! a storm of more requests than slots loses none, tickets of a service
//! follow continuations, and programs that misuse requests do not build.

use vyre_core::gpu::test_context;
use vyre_core::ir::{Access, BufferKind, Expr, HandlerBuilder, ScalarType};
use vyre_core::program::{AssemblyError, OpcodeHandler, ProgramConfig};
use vyre_core::{FaultKind, Gpu, Priority, Program, RequestKind, RequestProblem, Runtime, Task};

const U32: ScalarType = ScalarType::U32;
/// The request kind: `lookup(key) -> value`.
const LOOKUP: u32 = 7;
const ASK: u32 = 1;
const GOT: u32 = 2;

/// Keys whose lookup the host fails in each way.
const ERROR_KEY: u32 = 5;
const PANIC_KEY: u32 = 6;
const SHORT_KEY: u32 = 8;
const WRITE_KEY: u32 = 9;
const UNSERVED_KEY: u32 = 4;

/// `ask(i)`: requests `lookup(i)` with `got(i, value)` as continuation;
/// when no request slot is left, spawns itself again at LOW (a refused
/// request is never lost: the handler sees it and tries later).
fn ask() -> OpcodeHandler {
    let mut h = HandlerBuilder::new(ASK, "ask");
    let i = h.arg("i", U32);
    h.body(|b| {
        let ok = b.request(
            Priority::Normal.index() as u32,
            LOOKUP,
            vec![i.into()],
            GOT,
            vec![i.into()],
        );
        b.if_(!Expr::from(ok), |b| {
            b.spawn(Priority::Low.index() as u32, ASK, vec![i.into()]);
        });
    });
    h.finish().unwrap()
}

/// `got(i, value)`: `out[i] = value`.
fn got() -> OpcodeHandler {
    let mut h = HandlerBuilder::new(GOT, "got");
    let out = h.buffer("out", U32, Access::ReadWrite);
    let i = h.arg("i", U32);
    let value = h.arg("value", U32);
    h.body(|b| b.store(out, i, value));
    h.finish().unwrap()
}

fn lookup() -> RequestKind {
    RequestKind {
        id: LOOKUP,
        name: "lookup".into(),
        args: vec![U32],
        reply: vec![U32],
    }
}

/// A ring whose LOW partition holds every retry (a refused spawn would
/// lose one) and `request_slots` request slots.
fn program(request_slots: u32) -> Program {
    Program::builder("host_requests")
        .config(ProgramConfig {
            slots: 64 * 4 + 2048,
            partition_sizes: Some([64, 64, 64, 2048, 64]),
            request_slots,
            ..ProgramConfig::default()
        })
        .buffer("out", BufferKind::plain(U32))
        .buffer("side", BufferKind::plain(U32))
        .request_kind(lookup())
        .opcode(ask())
        .opcode(got())
        .build()
        .unwrap()
}

fn value(key: u32) -> u32 {
    key.wrapping_mul(3) + 1
}

/// Every backend: reference, native (the reference machine for an
/// IR-only program), and wgpu where an adapter exists.
fn backends() -> Vec<Gpu> {
    let mut gpus = vec![Gpu::reference().with_workgroups(2), Gpu::cpu()];
    if test_context().is_some() {
        gpus.push(Gpu::wgpu().expect("an adapter"));
    }
    gpus
}

/// Registers the lookup handler: `value(key)`, a write of the key into
/// `side[key]`, and a failure of every kind for the special keys.
fn serve(rt: &mut Runtime) {
    let side = rt.buffer::<u32>("side").unwrap();
    rt.on_request(LOOKUP, move |req, reply| {
        let key = req.word(0);
        match key {
            ERROR_KEY => return Err(format!("no value for key {key}")),
            PANIC_KEY => panic!("the host map is poisoned"),
            SHORT_KEY => return Ok(()),
            WRITE_KEY => reply.write(side, 1 << 20, &[key]),
            _ => reply.write(side, u64::from(key), &[key]),
        }
        reply.push(value(key));
        Ok(())
    })
    .unwrap();
}

#[test]
fn replies_reach_their_continuations_and_failures_fault_only_theirs() {
    for gpu in backends() {
        let what = gpu.description();
        let mut rt = Runtime::new(&gpu, program(64)).unwrap();
        // More requests than slots: some are refused and tried again.
        let n = 200u32;
        let out = rt.buffer::<u32>("out").unwrap();
        let side = rt.buffer::<u32>("side").unwrap();
        rt.upload(out, &vec![0; n as usize]).unwrap();
        rt.upload(side, &vec![0; n as usize]).unwrap();
        // Unregistered kind: the first run has no handler.
        rt.publish(Priority::Normal, Task::new(ASK, [UNSERVED_KEY.into()]))
            .unwrap();
        let report = rt.run().unwrap();
        assert_eq!(report.faults.len(), 1, "{what}: {:?}", report.faults);
        let f = &report.faults[0];
        assert_eq!(
            f.kind,
            FaultKind::Request {
                kind: LOOKUP,
                problem: RequestProblem::NoHandler
            },
            "{what}"
        );
        assert_eq!(f.opcode, GOT, "{what}");
        assert!(rt.accounting().balanced(), "{what}: {:?}", rt.accounting());

        serve(&mut rt);
        for i in 0..n {
            rt.publish(Priority::Normal, Task::new(ASK, [i.into()]))
                .unwrap();
        }
        let report = rt.run().unwrap();
        let mut problems: Vec<(RequestProblem, Option<String>)> = report
            .faults
            .iter()
            .map(|f| match f.kind {
                FaultKind::Request { kind, problem } => {
                    assert_eq!(kind, LOOKUP, "{what}");
                    assert_eq!(f.opcode, GOT, "{what}");
                    (problem, f.message.clone())
                }
                other => panic!("{what}: unexpected fault {other}"),
            })
            .collect();
        problems.sort_by_key(|(p, _)| format!("{p:?}"));
        assert_eq!(
            problems,
            vec![
                (RequestProblem::Failed, Some("no value for key 5".into())),
                (
                    RequestProblem::Panicked,
                    Some("the host map is poisoned".into())
                ),
                (
                    RequestProblem::ReplyWords {
                        expected: 1,
                        found: 0
                    },
                    None
                ),
                (RequestProblem::Write, None),
            ],
            "{what}"
        );
        let got = rt.read(out).unwrap();
        let side = rt.read(side).unwrap();
        for i in 0..n {
            let failed = [ERROR_KEY, PANIC_KEY, SHORT_KEY, WRITE_KEY].contains(&i);
            let want = if failed { 0 } else { value(i) };
            assert_eq!(got[i as usize], want, "{what}: out[{i}]");
            if !failed {
                assert_eq!(side[i as usize], i, "{what}: side[{i}]");
            }
        }
        let books = rt.accounting();
        assert!(books.balanced(), "{what}: {books:?}");
        // Every served request's continuation ran, once; the asks ran
        // once each and again for every refused request.
        let ran = |id: u32| {
            report
                .executed_by_opcode
                .iter()
                .find(|c| c.id == id)
                .map_or(0, |c| c.executed)
        };
        assert_eq!(ran(GOT), u64::from(n - 4), "{what}");
        assert_eq!(ran(ASK), u64::from(n) + report.spawn_overflows, "{what}");
        assert_eq!(report.executed, ran(ASK) + ran(GOT), "{what}");
    }
}

#[test]
fn a_storm_of_requests_loses_none() {
    // Eight request slots for 1,000 requests in one batch: most are
    // refused at first (reported with the refused spawns) and their tasks
    // try again; every one is served in the end.
    for gpu in backends() {
        let what = gpu.description();
        let mut rt = Runtime::new(&gpu, program(8)).unwrap();
        let n = 1000u32;
        let out = rt.buffer::<u32>("out").unwrap();
        let side = rt.buffer::<u32>("side").unwrap();
        rt.upload(out, &vec![0; n as usize]).unwrap();
        rt.upload(side, &vec![0; n as usize]).unwrap();
        serve(&mut rt);
        let keys: Vec<u32> = (0..n).map(|i| i + 10).filter(|&k| k < n).collect();
        for &k in &keys {
            rt.publish(Priority::Normal, Task::new(ASK, [k.into()]))
                .unwrap();
        }
        let report = rt.run().unwrap();
        assert!(report.faults.is_empty(), "{what}: {:?}", report.faults);
        assert!(
            report.spawn_overflows > 0,
            "{what}: eight slots took every request"
        );
        let got = rt.read(out).unwrap();
        for &k in &keys {
            assert_eq!(got[k as usize], value(k), "{what}: out[{k}]");
        }
        assert!(rt.accounting().balanced(), "{what}: {:?}", rt.accounting());
    }
}

#[test]
fn misused_requests_do_not_build() {
    let build = |kinds: Vec<RequestKind>, handlers: Vec<OpcodeHandler>| {
        let mut b = Program::builder("bad").buffer("out", BufferKind::plain(U32));
        for k in kinds {
            b = b.request_kind(k);
        }
        for h in handlers {
            b = b.opcode(h);
        }
        b.build()
    };
    // No such kind.
    assert!(matches!(
        build(vec![], vec![ask(), got()]),
        Err(AssemblyError::RequestUnknownKind { kind: LOOKUP, .. })
    ));
    // No such continuation.
    assert!(matches!(
        build(vec![lookup()], vec![ask()]),
        Err(AssemblyError::RequestUnknownOpcode { target: GOT, .. })
    ));
    // The reply does not fit the continuation's parameters.
    let wide = RequestKind {
        reply: vec![U32, U32],
        ..lookup()
    };
    assert!(matches!(
        build(vec![wide], vec![ask(), got()]),
        Err(AssemblyError::RequestArguments { .. })
    ));
    // The request's arguments do not match the kind.
    let float = RequestKind {
        args: vec![ScalarType::F32],
        ..lookup()
    };
    assert!(matches!(
        build(vec![float], vec![ask(), got()]),
        Err(AssemblyError::RequestArguments { .. })
    ));
    // Two kinds with one id.
    assert!(matches!(
        build(vec![lookup(), lookup()], vec![ask(), got()]),
        Err(AssemblyError::DuplicateRequestKind { id: LOOKUP, .. })
    ));
    // A handler for a kind the program does not declare.
    let mut rt = Runtime::new(&Gpu::reference(), program(8)).unwrap();
    assert!(rt.on_request(99, |_, _| Ok(())).is_err());
}

#[test]
fn a_service_serves_requests_and_tickets_follow_continuations() {
    use vyre_core::{PublishOptions, Service, ServiceOptions};
    for gpu in backends() {
        let what = gpu.description();
        let mut rt = Runtime::new(&gpu, program(16)).unwrap();
        let n = 300u32;
        let out = rt.buffer::<u32>("out").unwrap();
        let side = rt.buffer::<u32>("side").unwrap();
        rt.upload(out, &vec![0; n as usize]).unwrap();
        rt.upload(side, &vec![0; n as usize]).unwrap();
        serve(&mut rt);
        let service = Service::start(rt, ServiceOptions::default()).unwrap();
        let follow = service.publisher(PublishOptions {
            descendants: true,
            ..PublishOptions::default()
        });
        // A ticket that follows descendants ends after the continuations
        // (and the retries of refused requests); the faulted continuation
        // of ERROR_KEY is on it.
        let tickets: Vec<_> = (0..n)
            .step_by(50)
            .map(|from| {
                follow
                    .publish_with(Priority::Normal, ASK, 50, move |k, w| {
                        w[0] = from + k as u32;
                    })
                    .unwrap()
            })
            .collect();
        for (t, from) in tickets.iter().zip((0..n).step_by(50)) {
            let o = t.wait();
            let keys = from..from + 50;
            let failing: Vec<u32> = [ERROR_KEY, PANIC_KEY, SHORT_KEY, WRITE_KEY]
                .into_iter()
                .filter(|k| keys.contains(k))
                .collect();
            assert_eq!(o.faults.len(), failing.len(), "{what}: {:?}", o.faults);
            assert!(o
                .faults
                .iter()
                .all(|f| matches!(f.kind, FaultKind::Request { kind: LOOKUP, .. })));
            assert_eq!(o.unfinished, 0, "{what}");
        }
        let report = service.shutdown();
        assert!(
            report.status.books.balanced(),
            "{what}: {:?}",
            report.status.books
        );
        let mut rt = service.into_runtime().expect("the runtime");
        let got = rt.read(out).unwrap();
        for i in 0..n {
            let failed = [ERROR_KEY, PANIC_KEY, SHORT_KEY, WRITE_KEY].contains(&i);
            assert_eq!(
                got[i as usize],
                if failed { 0 } else { value(i) },
                "{what}: out[{i}]"
            );
        }
    }
}

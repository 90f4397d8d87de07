//! `Runtime::on_progress`: called once per submission of a run, with
//! counts that only grow and end at the report's, on every backend.

mod common;

use std::sync::{Arc, Mutex};

use vyre::prelude::*;
use vyre::Progress;

/// Counts itself and spawns two children while `depth > 0`: spawned work
/// keeps the ring busy for several submissions.
#[opcode]
pub fn fork(ctx: &Ctx, seen: &Buffer<Atomic<u32>>, depth: u32) {
    seen[0].fetch_add(1);
    if depth > 0 {
        ctx.spawn(Priority::Normal, fork::task(depth - 1));
        ctx.spawn(Priority::Normal, fork::task(depth - 1));
    }
}

megakernel! {
    /// A ring small enough for the trees to take many rounds.
    pub struct Forks {
        workgroup_size: 8,
        slots: 640,
        buffers: { seen: Atomic<u32> },
        opcodes: [fork],
    }
}

#[test]
fn progress_is_reported_after_every_submission() {
    let mut gpus = vec![Gpu::cpu(), Gpu::reference()];
    gpus.extend(common::wgpu_backend("progress"));
    for gpu in gpus {
        let what = gpu.description();
        let mut k = Forks::new(&gpu).unwrap();
        k.seen().upload(&[0]).unwrap();
        for _ in 0..4 {
            k.publish(Priority::High, fork::task(6)).unwrap();
        }
        let shared: Arc<Mutex<Vec<Progress>>> = Arc::default();
        let log = Arc::clone(&shared);
        k.runtime_mut()
            .on_progress(move |p| log.lock().unwrap().push(*p));
        let report = k.run().unwrap();
        let seen = shared.lock().unwrap().clone();
        assert_eq!(seen.len() as u64, report.submissions, "{what}");
        assert!(seen.len() > 1, "{what}: several submissions");
        for pair in seen.windows(2) {
            assert!(pair[1].executed >= pair[0].executed, "{what}");
            assert!(pair[1].rounds > pair[0].rounds, "{what}");
        }
        let last = seen.last().unwrap();
        assert_eq!(last.executed, report.executed, "{what}");
        // The four roots and every spawn the ring took (some are refused:
        // a partition holds 128 of a tree's 127 tasks at most).
        assert_eq!(last.executed, 4 + last.spawned, "{what}");
        assert_eq!(last.spawned, report.spawned, "{what}");
        assert_eq!(last.rounds, report.rounds, "{what}");
        assert_eq!(
            last.executed_by_priority, report.executed_by_priority,
            "{what}"
        );
        assert_eq!(last.waiting, 0, "{what}");
        k.runtime_mut().clear_progress();
        k.publish(Priority::High, fork::task(0)).unwrap();
        k.run().unwrap();
        let after = shared.lock().unwrap().len() as u64;
        assert_eq!(after, report.submissions, "{what}: cleared");
    }
}

/// `VYRE_PASS_TIMES=1` on wgpu: every submission's GPU time is split by
/// pass, the split adds up to no more than the submission's time, and a
/// run with work charges the work dispatches; a service's status adds its
/// submissions' splits up the same way. (The variable is read when
/// an engine is made; this binary's other test may gain the split too.)
#[test]
fn pass_times_split_each_submission() {
    std::env::set_var("VYRE_PASS_TIMES", "1");
    let Some(gpu) = common::wgpu_backend("pass_times") else {
        return;
    };
    let mut k = Forks::new(&gpu).unwrap();
    k.seen().upload(&[0]).unwrap();
    k.publish(Priority::Normal, fork::task(6)).unwrap();
    let report = k.run().unwrap();
    assert_eq!(report.executed, 127);
    let Some(gpu_time) = report.gpu_time else {
        eprintln!("pass_times: the adapter has no timestamp queries; nothing to split");
        return;
    };
    let inside = vyre::wgpu::Features::TIMESTAMP_QUERY_INSIDE_PASSES;
    if !gpu.context().is_some_and(|c| c.features().contains(inside)) {
        eprintln!("pass_times: the adapter cannot write timestamps inside a pass; skipped");
        return;
    }
    let mut work = std::time::Duration::ZERO;
    for t in &report.submission_times {
        let p = t.passes.expect("every submission is split");
        let sum = p.lead + p.first_maintain + p.work + p.maintain + p.small;
        assert!(sum <= t.gpu.expect("timed"), "{p:?} against {:?}", t.gpu);
        work += p.work;
    }
    assert!(work > std::time::Duration::ZERO && work <= gpu_time);

    // A service adds its submissions' splits up in its status.
    let mut k = Forks::new(&gpu).unwrap();
    k.seen().upload(&[0]).unwrap();
    let service = Service::start(k.into_runtime(), ServiceOptions::default()).unwrap();
    let ticket = service.publish(Priority::Normal, fork::task(5)).unwrap();
    assert!(ticket.wait().is_done());
    let report = service.shutdown();
    let status = report.status;
    assert_eq!(status.books.executed, 63);
    let gpu_time = status.gpu_time.expect("timed as the runtime was");
    let p = status
        .passes
        .expect("every submission of the service is split");
    let sum = p.lead + p.place + p.first_maintain + p.work + p.maintain + p.small;
    assert!(sum <= gpu_time, "{p:?} against {gpu_time:?}");
    assert!(p.work > std::time::Duration::ZERO, "{p:?}");
}

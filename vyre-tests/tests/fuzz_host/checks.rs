//! The checks after every step: the books against the model and the
//! reports, and each run report against the books and the configuration.

use vyre::prelude::*;
use vyre::Accounting;

use crate::driver::Driver;

impl Driver {
    pub fn check_books(&self, what: &str) {
        let a = self.rt.accounting();
        let m = &self.model;
        assert!(
            a.balanced(),
            "{}: {what}: books do not balance: {a:?}",
            self.backend
        );
        assert_eq!(a.published, m.published, "{what}: published");
        assert_eq!(a.executed, m.executed, "{what}: executed vs the reports");
        assert_eq!(a.faulted, m.faulted, "{what}: faulted vs the reports");
        assert_eq!(a.spawned, m.spawned, "{what}: spawned vs the reports");
        assert_eq!(
            a.spawn_overflows, m.overflows,
            "{what}: overflows vs the reports"
        );
    }

    pub fn check_report(&self, what: &str, r: &RunReport, before: &Accounting) {
        let config = self.model.program.config();
        let after = self.rt.accounting();
        assert_eq!(r.executed, after.executed - before.executed, "{what}");
        assert_eq!(
            r.faults.len() as u64,
            after.faulted - before.faulted,
            "{what}"
        );
        assert_eq!(r.spawned, after.spawned - before.spawned, "{what}");
        assert_eq!(
            r.spawn_overflows,
            after.spawn_overflows - before.spawn_overflows,
            "{what}"
        );
        assert_eq!(
            r.published,
            after.published - self.model.reported_published,
            "{what}"
        );
        assert_eq!(
            (r.parked, r.waiting),
            (after.parked, after.waiting),
            "{what}"
        );
        let by_op: u64 = r.executed_by_opcode.iter().map(|c| c.executed).sum();
        let by_prio: u64 = r.executed_by_priority.iter().sum();
        assert_eq!(
            (by_op, by_prio),
            (r.executed, r.executed),
            "{what}: per-opcode/priority sums"
        );
        assert!(r.rounds >= 1 && r.submissions >= 1, "{what}: {r:?}");
        if self.model.limits.time_limit.is_none() {
            assert!(
                r.rounds <= self.model.limits.max_rounds,
                "{what}: round limit"
            );
        }
        if r.stop == StopReason::Idle && self.model.tenants.iter().all(|&e| e) {
            assert_eq!(
                (r.waiting, r.parked),
                (0, 0),
                "{}: {what}: idle with runnable work left; report {r:?}",
                self.backend
            );
        }
        // The ring's partitions now: the program's (or the last ones the
        // test set), or grown by the runtime (never smaller than those).
        let parts = self.rt.partitions();
        let slots: u32 = parts.iter().map(|&(_, size)| size).sum();
        assert!(slots >= config.slots, "{what}: the ring shrank");
        let set = self.model.resized.unwrap_or_else(|| config.partitions());
        for (now, set) in parts.iter().zip(set) {
            assert!(now.1 >= set.1, "{what}: a partition shrank");
        }
        if !config.grow_ring {
            assert_eq!(parts, set, "{what}: a fixed ring changed");
        }
        for f in &r.faults {
            assert!(f.slot < slots, "{what}: {f:?}");
            let (start, size) = parts[f.priority as usize];
            assert!(
                f.slot >= start && f.slot < start + size,
                "{what}: fault slot outside its priority's partition: {f:?}"
            );
            let known = self.model.program.handler_index(f.opcode);
            assert_eq!(
                f.opcode_name.as_deref(),
                known.map(|h| self.model.program.handlers()[h].name.as_str()),
                "{what}: {f:?}"
            );
            assert_eq!(
                f.lane == u32::MAX,
                f.kind == FaultKind::BadTenant,
                "{what}: {f:?}"
            );
            match f.kind {
                FaultKind::BadTenant => assert!(f.tenant >= config.tenants, "{what}: {f:?}"),
                FaultKind::UnknownOpcode => assert!(known.is_none(), "{what}: {f:?}"),
                FaultKind::LoopLimit { limit } => {
                    assert_eq!(limit, config.loop_limit, "{what}: {f:?}")
                }
                FaultKind::OutOfBounds { .. }
                | FaultKind::DivideByZero
                | FaultKind::User { .. } => {
                    assert!(known.is_some(), "{what}: {f:?}")
                }
                FaultKind::BadPriority { priority } => assert!(priority > 4, "{what}: {f:?}"),
                // The fuzzer's loop limits and budgets stay far below any
                // driver's loop cap (lavapipe's 65,535 back-edges).
                FaultKind::LoopCut { .. } => {
                    panic!("{what}: the driver cut a loop at fuzzer sizes: {f:?}")
                }
                FaultKind::Unknown { .. } => panic!("{what}: undecodable fault {f:?}"),
                // The fuzzed programs make no requests.
                FaultKind::Request { .. } => {
                    panic!("{what}: a request fault without requests {f:?}")
                }
            }
            if f.kind != FaultKind::BadTenant {
                assert!(f.tenant < config.tenants, "{what}: {f:?}");
            }
        }
        for line in &r.printf {
            assert!(
                line.starts_with("faulty 6 "),
                "{what}: printf line {line:?}"
            );
        }
    }
}

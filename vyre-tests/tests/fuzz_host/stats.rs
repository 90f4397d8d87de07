//! The totals each test prints at its end: the figures quoted in
//! `docs/reliability.md`.

use std::sync::atomic::{AtomicU64, Ordering};

/// Totals over a test, printed at its end (the figures of
/// `docs/reliability.md`).
pub struct Stats {
    pub cases: AtomicU64,
    pub steps: AtomicU64,
    pub refused: AtomicU64,
    pub published: AtomicU64,
    pub runs: AtomicU64,
    pub executed: AtomicU64,
    pub faulted: AtomicU64,
    pub spawned: AtomicU64,
    pub overflows: AtomicU64,
}

impl Stats {
    pub const fn new() -> Stats {
        Stats {
            cases: AtomicU64::new(0),
            steps: AtomicU64::new(0),
            refused: AtomicU64::new(0),
            published: AtomicU64::new(0),
            runs: AtomicU64::new(0),
            executed: AtomicU64::new(0),
            faulted: AtomicU64::new(0),
            spawned: AtomicU64::new(0),
            overflows: AtomicU64::new(0),
        }
    }

    pub fn add(&self, field: &AtomicU64, n: u64) {
        let _ = self;
        field.fetch_add(n, Ordering::Relaxed);
    }

    pub fn print(&self, test: &str) {
        let g = |f: &AtomicU64| f.load(Ordering::Relaxed);
        eprintln!(
            "{test}: {} cases, {} steps ({} invalid calls refused with typed errors), \
             {} tasks published, {} runs: {} executed, {} faulted, {} spawned, {} spawn overflows",
            g(&self.cases),
            g(&self.steps),
            g(&self.refused),
            g(&self.published),
            g(&self.runs),
            g(&self.executed),
            g(&self.faulted),
            g(&self.spawned),
            g(&self.overflows),
        );
    }
}

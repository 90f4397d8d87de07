//! The seeded schedule of the reference interpreter: a tiny PRNG and the
//! work pass that interleaves the lanes statement by statement.

use std::sync::Arc;

use super::lane::LaneRun;
use crate::cpu::{CpuMachine, WorkPass};
use crate::engine::BackendKind;
use crate::error::Result;

/// SplitMix64 (Steele, Lea and Flood): a 64-bit generator with one word of
/// state, good enough to pick lanes and small enough to keep the
/// interpreter free of dependencies. The same seed always gives the same
/// sequence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        SplitMix64 { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0 .. n` (0 when `n` is 0), by multiply-shift: no
    /// division, and a bias far below anything a schedule could notice.
    pub fn below(&mut self, n: u64) -> u64 {
        ((self.next_u64() as u128 * n as u128) >> 64) as u64
    }
}

/// The reference interpreter's work pass: at every step it picks, with
/// the seeded generator, one of the lanes that are still in the dispatch
/// — a running one, or the next lane that has not started — and runs one
/// step of it (a claim, or one statement: see the `lane` module).
///
/// Lanes start in index order (a lane's first step is its first claim)
/// but are interleaved arbitrarily once started, so only the lanes that
/// have work hold interpreter state. The generator is not reset between
/// dispatches: a sequence of submissions is one deterministic schedule.
#[derive(Debug, Clone)]
pub struct Interleaved {
    seed: u64,
    rng: SplitMix64,
}

impl Interleaved {
    /// A schedule seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Interleaved {
            seed,
            rng: SplitMix64::new(seed),
        }
    }

    /// The seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }
}

impl WorkPass for Interleaved {
    fn kind(&self) -> BackendKind {
        BackendKind::Reference
    }

    fn describe(&self, lanes: u32) -> String {
        format!(
            "vyre reference interpreter (CPU, {lanes} lanes, seed {})",
            self.seed
        )
    }

    fn run(&mut self, machine: &mut CpuMachine) -> Result<()> {
        // The lanes borrow the handlers' statements for the dispatch while
        // the machine's memory changes: hold the program by its own Arc.
        let program = Arc::clone(machine.program());
        let lanes = machine.lanes();
        let mut active: Vec<LaneRun<'_>> = Vec::new();
        let mut started = 0u32;
        loop {
            let waiting = (lanes - started) as u64;
            let choices = active.len() as u64 + waiting;
            if choices == 0 {
                return Ok(());
            }
            let pick = self.rng.below(choices) as usize;
            let i = if pick < active.len() {
                pick
            } else {
                active.push(LaneRun::start(machine, started));
                started += 1;
                active.len() - 1
            };
            if active[i].step(machine, &program) {
                active.swap_remove(i);
            }
        }
    }
}

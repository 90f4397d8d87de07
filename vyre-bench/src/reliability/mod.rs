//! The reliability workloads, shared by the `reliability` binary
//! (`src/bin/reliability.rs`) and the smoke test
//! `tests/reliability_smoke.rs`:
//!
//! - [`storm()`]: adversarial handlers — endless loops in every lane, storms
//!   of out-of-bounds faults, spawn storms far beyond partition capacity
//!   and spawns in a loop into a full partition — run one round per
//!   submission (`RunLimits::max_rounds_per_submission: 1`), reporting the
//!   longest single submission's GPU time: the longest the scheduler ever
//!   holds the device.
//! - [`soak()`]: trees of tasks that spawn two children until a depth, into
//!   partitions too small for them (sustained spawn overflow), while the
//!   host keeps publishing new roots; checks after every `run()` that the
//!   per-opcode counters the handlers keep in buffers equal the report's
//!   counts, and at the end that the books are exact.
//!
//! - [`service_soak()`]: the soak's trees published from several threads
//!   into a [`vyre::Service`], each root's ticket following its
//!   descendants: every ticket must resolve with its tree's faults and
//!   refused spawns, and their sums, the handlers' counters and the books
//!   must agree at the end.
//!
//! Each lives in its own file (`storm.rs`, `soak.rs`, `service_soak.rs`) with its handlers
//! and program; what both use (handler building, the striped counters)
//! is here.

#![allow(dead_code)]

use vyre::ir::{CtxValue, Expr, HandlerBuilder, ScalarType};
use vyre::program::OpcodeHandler;

mod service_soak;
mod soak;
mod storm;

pub use service_soak::{service_soak, ServiceSoakResult};
pub use soak::{soak, Sample, SoakOptions, SoakResult};
pub use storm::{storm, StormOptions, StormResult, SCENARIOS};

const U32: ScalarType = ScalarType::U32;

/// A failure of a workload: what went wrong, in words.
pub type Failure = String;

/// Any error as a [`Failure`], for `map_err`.
fn fail(e: impl std::fmt::Display) -> Failure {
    e.to_string()
}

/// Counters are striped over this many words by lane, so that millions of
/// lanes do not all hit one atomic.
pub const STRIPES: u32 = 256;

/// The counter word of the current lane (its stripe).
fn lane_stripe() -> Expr {
    vyre::ir::ctx(CtxValue::Lane) & (STRIPES - 1)
}

/// A handler built with `f`, its error as a [`Failure`].
fn handler(
    id: u32,
    name: &str,
    f: impl FnOnce(&mut HandlerBuilder),
) -> Result<OpcodeHandler, Failure> {
    let mut h = HandlerBuilder::new(id, name);
    f(&mut h);
    h.finish().map_err(fail)
}

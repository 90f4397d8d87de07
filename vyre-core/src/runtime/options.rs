//! Limits of one `run()`.

use std::time::Duration;

use crate::error::{Error, Result};

/// When `run()` stops at the latest, and how it batches rounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunLimits {
    /// Stop after this many rounds (`StopReason::RoundLimit`).
    pub max_rounds: u64,
    /// Stop once this much wall time has passed (`StopReason::TimeLimit`),
    /// checked between submissions.
    pub time_limit: Option<Duration>,
    /// Rounds encoded into one submission at most. The host starts with one
    /// (for a program that spawns: as many as its last run took to drain
    /// the device) and doubles while the device ends a submission with work still
    /// claimable, so short runs pay one round trip and long runs few; after
    /// a submission that drained the device it starts again from one (the
    /// next submission runs newly published work, which needs one round
    /// unless it spawns).
    pub max_rounds_per_submission: u32,
}

impl Default for RunLimits {
    fn default() -> Self {
        RunLimits {
            max_rounds: 1 << 20,
            time_limit: None,
            max_rounds_per_submission: 32,
        }
    }
}

impl RunLimits {
    /// Checks the limits.
    pub fn validate(&self) -> Result<()> {
        if self.max_rounds == 0 {
            return Err(Error::InvalidRunOption {
                option: "max_rounds",
                reason: "must be at least 1".into(),
            });
        }
        if self.max_rounds_per_submission == 0 || self.max_rounds_per_submission > 4096 {
            return Err(Error::InvalidRunOption {
                option: "max_rounds_per_submission",
                reason: format!("{} is outside 1 ..= 4096", self.max_rounds_per_submission),
            });
        }
        Ok(())
    }
}

//! The dispatches of one submission, in order: what `submit_rounds`
//! records and what the pass timer charges each timestamp to. Only
//! dispatches that can have workgroups are recorded: on an NVIDIA H100 a
//! dispatch costs GPU time with its barrier even when its indirect grid
//! is empty (about 2.5 µs, 10 with a timestamp after it), which was most
//! of an idle service's one-task submission (`docs/benchmarks.md`,
//! session 19).

/// One dispatch of a submission.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Pass {
    Prepare,
    Place,
    Maintain,
    Finalize,
    Work,
}

use Pass::{Finalize, Maintain, Place, Prepare, Work};

/// A submission's dispatches: a lead chain, then `rounds` round chains.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Plan {
    lead: &'static [Pass],
    round: &'static [Pass],
    rounds: u32,
}

impl Plan {
    /// The plan of a submission of `rounds` rounds that starts by placing
    /// (`place`: the ring empty, the program one that places and runs) or
    /// with the maintain pass.
    ///
    /// Starting by placing, the first prepare gives the first maintain no
    /// grid, so it is left out, and so are every round's work and maintain
    /// passes: while the rounds' prepares place, the ring holds nothing
    /// claimable and nothing to place (tasks run from their entries, and
    /// one that parks or faults ends the placing), and once they stop, the
    /// entries left wait for the next submission, which the runtime starts
    /// ([`Engine::next_starts_on_empty_ring`](crate::engine::Engine::next_starts_on_empty_ring)
    /// says so). When moreover `fits` (every partition's
    /// inbox entries fit its slots), the place pass takes every waiting
    /// entry and the first finalize finds the ring idle (a program that
    /// places spawns nothing, and a parked task waits for the host), so
    /// no round after it has work and none is recorded. Starting with
    /// maintain, no prepare places, so no place pass is recorded.
    pub(super) fn new(place: bool, fits: bool, rounds: u32) -> Plan {
        if place {
            Plan {
                lead: &[Prepare, Place, Finalize],
                round: &[Prepare, Place, Finalize],
                rounds: if fits { 0 } else { rounds },
            }
        } else {
            Plan {
                lead: &[Prepare, Maintain, Finalize],
                round: &[Work, Prepare, Maintain, Finalize],
                rounds,
            }
        }
    }

    /// How many dispatches it records.
    pub(super) fn len(&self) -> u32 {
        let round = self.round.len() as u32;
        (self.lead.len() as u32).saturating_add(round.saturating_mul(self.rounds))
    }

    /// Its dispatches, in order.
    pub(super) fn passes(&self) -> impl Iterator<Item = Pass> + '_ {
        let rounds = (0..self.rounds).flat_map(|_| self.round.iter().copied());
        self.lead.iter().copied().chain(rounds)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_placing_start_records_no_work_or_maintain_and_no_round_when_all_fits() {
        let p = Plan::new(true, true, 3);
        assert_eq!(p.passes().collect::<Vec<_>>(), [Prepare, Place, Finalize]);
        assert_eq!(p.len(), 3);
        let p = Plan::new(true, false, 2);
        let all: Vec<_> = p.passes().collect();
        assert_eq!(all.len() as u32, p.len());
        assert_eq!(all.len(), 3 + 2 * 3);
        assert_eq!(
            all,
            [Prepare, Place, Finalize, Prepare, Place, Finalize, Prepare, Place, Finalize]
        );
        assert!(!all.contains(&Work) && !all.contains(&Maintain));
    }

    #[test]
    fn a_maintain_start_records_no_place_pass() {
        let p = Plan::new(false, true, 2);
        let all: Vec<_> = p.passes().collect();
        assert_eq!(all.len() as u32, p.len());
        assert_eq!(
            all,
            [
                Prepare, Maintain, Finalize, Work, Prepare, Maintain, Finalize, Work, Prepare,
                Maintain, Finalize
            ]
        );
        assert_eq!(Plan::new(false, false, u32::MAX).len(), u32::MAX);
    }
}

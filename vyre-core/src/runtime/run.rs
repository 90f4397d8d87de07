//! `run()`: submissions of rounds until no runnable work is left.

use std::time::Instant;

use super::Runtime;
use crate::engine::InFlight;
use crate::error::Result;
use crate::protocol::{
    self, ctrl, fault_record, status, FAULT_RECORD_WORDS, PRINTF_RECORD_WORDS, PRIORITIES,
    SLOT_WORDS,
};
use crate::report::{Fault, FaultKind, OpcodeCount, RunReport, StopReason, SubmissionTime};

/// What the host accumulates over one run (or one service step).
#[derive(Default)]
pub(crate) struct Tally {
    executed_by_op: Vec<u64>,
    pub(crate) executed_by_priority: [u64; PRIORITIES],
    pub(crate) executed: u64,
    pub(crate) faulted: u64,
    pub(crate) spawned: u64,
    overflows: u64,
    /// The fault records read of tasks without a ticket (those with one
    /// are reported on it: [`Runtime::take_ticket_events`]).
    pub(crate) faults: Vec<Fault>,
    /// Printf lines.
    pub(crate) printf: Vec<String>,
    pub(crate) printf_dropped: u64,
    pub(crate) rounds: u64,
    /// Rounds the device ran (each submission's lead pass aside): rounds
    /// it found idle are skipped, and not counted.
    rounds_ran: u64,
    pub(crate) submissions: u64,
    dispatches: u64,
    gpu_nanos: Option<u128>,
    submission_times: Vec<SubmissionTime>,
}

impl Tally {
    /// The submissions' GPU time, where the adapter has timestamp queries.
    pub(crate) fn gpu_time(&self) -> Option<std::time::Duration> {
        self.gpu_nanos
            .map(|n| std::time::Duration::from_nanos(n.min(u128::from(u64::MAX)) as u64))
    }

    /// The submissions' GPU time by pass, where every one of them was
    /// split (`VYRE_PASS_TIMES=1`).
    pub(crate) fn passes(&self) -> Option<crate::report::PassTimes> {
        crate::report::PassTimes::total(&self.submission_times)
    }
}

/// A submission [`Runtime::start_step`] started, on its way.
pub(crate) struct Started {
    flight: InFlight,
    rounds: u32,
    submitted: Instant,
    /// Its rounds only place ([`Engine::next_starts_on_empty_ring`]): what
    /// they leave in the inboxes waits for the next submission.
    places_only: bool,
}

impl Started {
    /// Whether the device has finished it (without waiting; `false` where
    /// the engine cannot tell).
    pub(crate) fn is_done(&self) -> bool {
        self.flight.is_done()
    }
}

/// One submission of [`Runtime::finish_step`].
pub(crate) struct Step {
    /// What it did.
    pub(crate) tally: Tally,
    /// A handler asked for shutdown (the flag is cleared again).
    pub(crate) shutdown: bool,
    /// Whether another submission could make progress now.
    pub(crate) runnable: bool,
}

impl Runtime {
    /// Runs rounds until no runnable work is left, a handler asks for
    /// shutdown, or a limit of [`RunLimits`](super::RunLimits) is reached.
    pub fn run(&mut self) -> Result<RunReport> {
        crate::trace::stage!("run", program = self.program.name());
        let started = Instant::now();
        let mut tally = Tally {
            executed_by_op: vec![0; self.program.handlers().len()],
            ..Tally::default()
        };
        self.grow_ring()?;
        // What the host queues hold goes to the inboxes now rather than in
        // the first submission, so that its size knows what is left behind.
        self.inbox.flush(self.engine.as_mut(), self.in_flight > 0)?;
        let mut batch = self.first_batch();
        let stop = loop {
            batch = batch.max(self.rounds_for_waiting());
            let remaining = self.limits.max_rounds.saturating_sub(tally.rounds);
            let rounds = (batch as u64).min(remaining).max(1) as u32;
            let shutdown = self.submission(rounds, &mut tally)?;
            self.report_progress(&tally);
            if shutdown {
                break StopReason::Shutdown;
            }
            if !self.can_progress() {
                break StopReason::Idle;
            }
            if tally.rounds >= self.limits.max_rounds {
                break StopReason::RoundLimit;
            }
            if self
                .limits
                .time_limit
                .is_some_and(|l| started.elapsed() >= l)
            {
                break StopReason::TimeLimit;
            }
            // Double the rounds while the device ends a submission with work
            // still claimable (spawned work, whose amount the host cannot
            // know). Once it has drained everything, the next submission
            // starts again from what the waiting work needs. Rounds past
            // the end of the work cost next to nothing (the device finds
            // the ring idle and skips them), but a submission of many
            // rounds still encodes them all.
            batch = if self.claimable.iter().all(|&c| c == 0) {
                1
            } else {
                (batch * 2).min(self.limits.max_rounds_per_submission)
            };
        };
        // Learned only from a clean run: a faulted task holds its slot
        // until the host reads it (between submissions), and spawns a full
        // partition refused depend on when the host refilled it, so either
        // may come out otherwise in one long submission than in several.
        if self.program.spawns() && stop == StopReason::Idle {
            let clean = tally.faulted == 0 && tally.overflows == 0;
            self.drained_in = if clean { tally.rounds_ran } else { 0 };
        }
        let published = std::mem::take(&mut self.published_since_run);
        Ok(self.report(tally, stop, published, started.elapsed()))
    }

    /// Rounds of a run's first submission before the waiting work is
    /// counted: one, or for a program that spawns, as many as its last
    /// run took to drain the device (at most a submission's limit).
    ///
    /// Why: the host cannot know how many rounds spawned work needs, so a
    /// run starts small and doubles, paying a round trip and a first
    /// maintenance pass per submission (BFS at scale 22: 1 + 2 + 4 rounds
    /// in three submissions). Programs are mostly run again on work of
    /// the same shape, and a round past the end of the work costs the
    /// device next to nothing (it finds the ring idle and skips it:
    /// `docs/protocol.md`, "Idle rounds"; the host still encodes it, about
    /// 17 µs a round on the H100 hosts), so the last run's count is a
    /// better first guess than one, and a wrong one costs one run.
    ///
    /// Not while tasks wait in a host queue after a flush (they reach the
    /// device's inboxes only between submissions), and only after a run that
    /// neither faulted nor had a spawn refused (see `run`): where the
    /// host's work between submissions changes what the device can do,
    /// the host keeps the pace that lets it (`tests/sharded.rs`).
    fn first_batch(&self) -> u32 {
        if (0..PRIORITIES).any(|p| self.inbox.queued(p) > 0) {
            return 1;
        }
        let learned = self
            .drained_in
            .min(u64::from(self.limits.max_rounds_per_submission));
        (learned as u32).max(1)
    }

    /// Starts one submission of at most `max_rounds` rounds (as many as
    /// the waiting work needs, at least one), for a service that keeps the
    /// runtime fed: the unit `run()` repeats. Until
    /// [`finish_step`](Self::finish_step), the caller may only publish
    /// into the host queues, [`flush_ahead`](Self::flush_ahead), and —
    /// where [`can_overlap`](Self::can_overlap) — start one more step,
    /// which runs after this one; steps finish in the order they started.
    pub(crate) fn start_step(&mut self, max_rounds: u32) -> Result<Started> {
        debug_assert!(self.in_flight == 0 || (self.in_flight == 1 && self.can_overlap()));
        self.grow_ring()?;
        let rounds = self.rounds_for_waiting().min(max_rounds.max(1));
        self.start_submission(rounds)
    }

    /// How long the engine's waits poll before they block.
    pub(crate) fn wait_spin(&self) -> std::time::Duration {
        self.engine.wait_spin()
    }

    /// Whether a second step may start while one is in flight: not for
    /// programs with printf or device→host requests, whose logs and
    /// request slots the host reads after a submission and clears before
    /// the next (a second submission would write them first).
    pub(crate) fn can_overlap(&self) -> bool {
        self.program.printf_formats().is_empty() && self.program.request_kinds().is_empty()
    }

    /// Waits for the submission [`start_step`](Self::start_step) started
    /// and absorbs it.
    pub(crate) fn finish_step(&mut self, started: Started) -> Result<Step> {
        let mut tally = Tally {
            executed_by_op: vec![0; self.program.handlers().len()],
            ..Tally::default()
        };
        let shutdown = self.finish_submission(started, &mut tally)?;
        self.published_since_run = 0;
        Ok(Step {
            tally,
            shutdown,
            runnable: self.can_progress(),
        })
    }

    /// While a step's submission runs: moves what the host queues hold
    /// into the inbox entries that were free before it started, so that
    /// the next step finds them on the device (their writes land after
    /// the running submission).
    pub(crate) fn flush_ahead(&mut self) -> Result<()> {
        self.inbox.flush(self.engine.as_mut(), true).map(drop)
    }

    /// One submission of `rounds` rounds, its summary absorbed into
    /// `tally` and the books. Returns whether a handler asked for shutdown
    /// (the flag is cleared again).
    fn submission(&mut self, rounds: u32, tally: &mut Tally) -> Result<bool> {
        crate::trace::stage!("submission", rounds = rounds);
        let started = self.start_submission(rounds)?;
        self.finish_submission(started, tally)
    }

    /// Writes what waits on the host (opened tickets, queued tasks) and
    /// starts a submission of `rounds` rounds.
    fn start_submission(&mut self, rounds: u32) -> Result<Started> {
        {
            crate::trace::stage!("write_tickets");
            self.write_tickets()?;
        }
        // With a submission in flight, only entries free as of the last
        // summary are written, and no inbox grows.
        let ahead = self.in_flight > 0;
        self.inbox.flush(self.engine.as_mut(), ahead)?;
        self.reset_fault_count(ahead)?;
        // Every ticket this submission can end comes back with its summary
        // (at most one record per ticket open now).
        self.engine.set_ticket_log_words(self.tickets.in_use());
        let mut places_only = false;
        if self.places_and_runs && self.in_flight == 0 && self.ring_is_empty() {
            let fits = (0..PRIORITIES).all(|p| self.inbox.pending(p) <= self.partitions[p].1);
            places_only = self.engine.next_starts_on_empty_ring(fits);
        }
        let submitted = Instant::now();
        let flight = self.engine.start_submit(rounds)?;
        self.in_flight += 1;
        Ok(Started {
            flight,
            rounds,
            submitted,
            places_only,
        })
    }

    /// Waits for a started submission and absorbs its summary.
    fn finish_submission(&mut self, started: Started, tally: &mut Tally) -> Result<bool> {
        let Started {
            flight,
            rounds,
            submitted,
            places_only,
        } = started;
        let waited = flight.wait();
        self.in_flight -= 1;
        let sub = waited?;
        self.placed_only = places_only;
        crate::trace::event!(
            "submitted",
            wall_ns = submitted.elapsed().as_nanos() as u64,
            gpu_ns = sub.gpu_time.map_or(0, |t| t.as_nanos() as u64),
            dispatches = sub.dispatches
        );
        tally.submission_times.push(SubmissionTime {
            rounds,
            wall: submitted.elapsed(),
            gpu: sub.gpu_time,
            passes: sub.passes,
        });
        tally.rounds += rounds as u64;
        tally.submissions += 1;
        tally.dispatches += sub.dispatches;
        if let Some(t) = sub.gpu_time {
            *tally.gpu_nanos.get_or_insert(0) += t.as_nanos();
        }
        let shutdown = self.absorb(&sub.summary, &sub.ticket_log, tally)?;
        if shutdown {
            self.engine.write_control(ctrl::SHUTDOWN as u64, &[0])?;
        }
        Ok(shutdown)
    }

    /// Whether every slot is EMPTY between submissions: the last summary
    /// left nothing claimable or parked (PENDING slots are published by
    /// each submission's last maintenance pass, and the host empties the
    /// FAULT slots as it reads their records). Only meaningful with no
    /// submission in flight.
    fn ring_is_empty(&self) -> bool {
        self.claimable.iter().all(|&c| c == 0) && self.books.parked == 0
    }

    /// Grows the ring when the program lets it (`ProgramConfig::grow_ring`),
    /// the ring is empty (nothing claimable or parked: every slot EMPTY
    /// between runs) and some partition has more tasks waiting than slots
    /// ([`grown_sizes`]); the others keep their sizes.
    fn grow_ring(&mut self) -> Result<()> {
        if !self.program.config().grow_ring || self.in_flight > 0 || !self.ring_is_empty() {
            return Ok(());
        }
        let sizes = self.partitions.map(|(_, size)| size);
        let waiting: [u64; PRIORITIES] =
            std::array::from_fn(|p| u64::from(self.inbox.pending(p)) + self.inbox.queued(p));
        let Some(sizes) = grown_sizes(sizes, waiting, self.engine.max_ring_slots()) else {
            return Ok(());
        };
        let total: u32 = sizes.iter().sum();
        let partitions = protocol::partitions(sizes);
        self.engine.resize_ring(partitions)?;
        self.layout = self.layout.with_slots(total);
        self.partitions = partitions;
        Ok(())
    }

    /// Rounds the work the host knows of needs at least: one per
    /// partition-full of the tasks waiting for the partition (claimable, in
    /// its inbox or queued), at least one and at most
    /// `max_rounds_per_submission`.
    fn rounds_for_waiting(&self) -> u32 {
        let rounds = (0..PRIORITIES)
            .map(|p| self.rounds_for(p))
            .max()
            .unwrap_or(0);
        rounds.clamp(1, u64::from(self.limits.max_rounds_per_submission)) as u32
    }

    /// Rounds the work waiting for partition `p` needs (claimable, in its
    /// inbox or host queue), at one partition's worth a round.
    pub(crate) fn rounds_for(&self, p: usize) -> u64 {
        let waiting = self.claimable[p] + u64::from(self.inbox.pending(p)) + self.inbox.queued(p);
        waiting.div_ceil(u64::from(self.partitions[p].1.max(1)))
    }

    /// Whether a service should hand this runtime `tasks` more tasks of
    /// partition `p` now: yes while what waits for that partition off the
    /// ring (host queue and device inbox, as of the last summary) is less
    /// than what two submissions of `max_rounds` rounds take in, and
    /// always when nothing waits (a call larger than that still goes in,
    /// alone). Work handed over earlier than that only waits in front of
    /// later, more urgent calls, and makes the next flush longer.
    pub(crate) fn wants(&self, p: usize, tasks: u64, max_rounds: u32) -> bool {
        let waiting = self.inbox.queued(p) + u64::from(self.inbox.pending(p));
        let budget = 2 * u64::from(self.partitions[p].1.max(1)) * u64::from(max_rounds.max(1));
        waiting == 0 || waiting + tasks <= budget
    }

    /// Whether another submission can make progress: something is
    /// claimable, or a host queue can move into an inbox the device has
    /// fully drained (an inbox that still holds entries after a maintenance
    /// pass means its partition is full, so pushing more would not help),
    /// or the host has just emptied faulted slots of a partition whose
    /// inbox or queue holds work (the last maintenance pass saw those
    /// slots as FAULT, so the work did not fit then but fits now), or the
    /// ring is empty while an inbox of a partition with slots holds
    /// entries (a submission whose last pass placed and ran, ran out of
    /// rounds: the next one places them), or the last submission's rounds
    /// only placed and an inbox still holds entries (a task parked or
    /// faulted and ended the placing: the next submission's maintain
    /// passes place the rest; it does not place only, since the ring is
    /// not empty, so this asks for one submission at most).
    fn can_progress(&self) -> bool {
        let empty = self.ring_is_empty();
        self.claimable.iter().any(|&c| c > 0)
            || (0..PRIORITIES).any(|p| {
                let waiting = self.inbox.queued(p) > 0 || self.inbox.pending(p) > 0;
                (self.inbox.queued(p) > 0 && self.inbox.pending(p) == 0)
                    || (self.recycled[p] > 0 && waiting)
                    || (empty && self.partitions[p].1 > 0 && self.inbox.pending(p) > 0)
                    || (self.placed_only && self.inbox.pending(p) > 0)
            })
    }

    /// Decodes one submission's summary into the tally and the books, reads
    /// and acknowledges fault and printf records. (The counters were
    /// cleared just before the submission, so they are its own.) Returns
    /// whether a handler asked for shutdown.
    fn absorb(&mut self, summary: &[u32], ticket_log: &[u32], tally: &mut Tally) -> Result<bool> {
        let word = |w: u32| summary[w as usize] as u64;
        // `ROUND` counts the finalize passes that ran: the lead's, then one
        // a round the device did not find idle.
        let round = summary[ctrl::ROUND as usize];
        tally.rounds_ran += u64::from(round.wrapping_sub(self.round_seen).saturating_sub(1));
        self.round_seen = round;
        let executed = word(ctrl::EXECUTED);
        let faulted = word(ctrl::FAULTED);
        let spawned = word(ctrl::SPAWNED);
        tally.executed += executed;
        tally.faulted += faulted;
        tally.spawned += spawned;
        tally.overflows += word(ctrl::SPAWN_OVERFLOW);
        for p in 0..PRIORITIES {
            tally.executed_by_priority[p] += word(ctrl::EXECUTED_BY_PRIORITY + p as u32);
        }
        let by_op = self.layout.executed_by_op;
        for (i, n) in tally.executed_by_op.iter_mut().enumerate() {
            *n += word(by_op + i as u32);
        }
        self.inbox.observe(summary);
        let mut parked = 0;
        for p in 0..PRIORITIES {
            self.claimable[p] = word(ctrl::LIST_LEN + p as u32);
            parked += word(ctrl::PARKED + p as u32);
        }
        self.read_faults(summary[ctrl::FAULT_COUNT as usize], tally)?;
        self.read_tickets(
            word(ctrl::TICKETS_ENDED),
            word(ctrl::SPAWN_OVERFLOW) != 0,
            ticket_log,
        )?;
        self.read_printf(word(ctrl::PRINTF_COUNT), tally)?;
        let request_faults = self.serve_requests(word(ctrl::REQUEST_NEXT), &mut tally.faults)?;
        tally.faulted += request_faults;

        let b = &mut self.books;
        b.faulted += request_faults;
        b.spawned += spawned;
        b.spawn_overflows += word(ctrl::SPAWN_OVERFLOW);
        b.executed += executed;
        b.faulted += faulted;
        b.parked = parked;
        b.waiting = self.claimable.iter().sum::<u64>()
            + (0..PRIORITIES)
                .map(|p| self.inbox.pending(p) as u64 + self.inbox.queued(p))
                .sum::<u64>();
        Ok(word(ctrl::SHUTDOWN) != 0)
    }

    /// Reads the fault records written since the last read: `count` is
    /// `FAULT_COUNT` after the submission, and record `k` of the ring
    /// (one record per slot) is at `k % slots`.
    fn read_faults(&mut self, count: u32, tally: &mut Tally) -> Result<()> {
        self.recycled = [0; PRIORITIES];
        let slots: u64 = self
            .partitions
            .iter()
            .map(|&(_, size)| u64::from(size))
            .sum();
        let n = u64::from(count.wrapping_sub(self.fault_read)).min(slots);
        let first = u64::from(self.fault_read) % slots.max(1);
        self.fault_read = count;
        if n == 0 {
            return Ok(());
        }
        // At most two spans: up to the end of the log, then from its start.
        let record = FAULT_RECORD_WORDS as u64;
        let log = self.layout.fault_log as u64;
        let tail = n.min(slots - first);
        let mut words = self
            .engine
            .read_control(log + first * record, tail * record)?;
        if n > tail {
            words.extend(self.engine.read_control(log, (n - tail) * record)?);
        }
        let partitions = self.partitions;
        for rec in words.chunks_exact(FAULT_RECORD_WORDS as usize) {
            let f = |w: u32| rec[w as usize];
            let opcode = f(fault_record::OPCODE);
            let slot = f(fault_record::SLOT);
            let fault = Fault {
                slot,
                opcode,
                opcode_name: self
                    .program
                    .handler_index(opcode)
                    .map(|i| self.program.handlers()[i].name.clone()),
                kind: FaultKind::from_words(f(fault_record::CODE), f(fault_record::DETAIL)),
                tenant: f(fault_record::TENANT),
                priority: f(fault_record::PRIORITY),
                round: f(fault_record::ROUND),
                lane: f(fault_record::LANE),
                message: None,
            };
            match f(fault_record::TICKET) {
                0 => tally.faults.push(fault),
                ticket => self.tickets.fault(ticket, fault),
            }
            // The record is read: the slot may be reused. (A slot outside
            // the ring would name an inbox entry: never write there.)
            if let Some(p) = protocol::partition_of(&partitions, slot) {
                self.engine
                    .write_ring(slot as u64 * SLOT_WORDS as u64, &[status::EMPTY])?;
                self.recycled[p] += 1;
            }
        }
        Ok(())
    }

    fn read_printf(&mut self, count: u64, tally: &mut Tally) -> Result<()> {
        let capacity = self.program.config().printf_capacity as u64;
        let n = count.min(capacity);
        tally.printf_dropped += count - n;
        if n == 0 {
            return Ok(());
        }
        let words = self.engine.read_control(
            self.layout.printf_log as u64,
            n * PRINTF_RECORD_WORDS as u64,
        )?;
        let formats = self.program.printf_formats();
        for rec in words.chunks_exact(PRINTF_RECORD_WORDS as usize) {
            let line = match formats.get(rec[0] as usize) {
                Some(format) => format.render(&rec[1..]),
                None => format!("<unknown printf format {}>", rec[0]),
            };
            tally.printf.push(line);
        }
        Ok(())
    }

    /// Starts the fault log again from record 0 once the host has read
    /// records and no submission is in flight (`ahead`: one is, whose
    /// records the host may not have read yet), so that `FAULT_COUNT`
    /// never wraps. The other counters a summary reports are zeroed by
    /// the submission's first pass (`docs/protocol.md`, "Control buffer"):
    /// the host's five queue writes for them cost 20–45 µs of every
    /// `run()`.
    fn reset_fault_count(&mut self, ahead: bool) -> Result<()> {
        if ahead || self.fault_read == 0 {
            return Ok(());
        }
        self.fault_read = 0;
        self.engine
            .write_control(u64::from(ctrl::FAULT_COUNT), &[0])
    }

    fn report(
        &self,
        tally: Tally,
        stop: StopReason,
        published: u64,
        wall: std::time::Duration,
    ) -> RunReport {
        let gpu_time = tally.gpu_time();
        RunReport {
            backend: self.engine.kind().name().to_string(),
            adapter: self.engine.adapter(),
            stop,
            executed_by_opcode: self
                .program
                .handlers()
                .iter()
                .zip(&tally.executed_by_op)
                .map(|(h, &executed)| OpcodeCount {
                    id: h.id,
                    name: h.name.clone(),
                    executed,
                })
                .collect(),
            executed_by_priority: tally.executed_by_priority,
            executed: tally.executed,
            faults: tally.faults,
            published,
            spawned: tally.spawned,
            spawn_overflows: tally.overflows,
            parked: self.books.parked,
            waiting: self.books.waiting,
            printf: tally.printf,
            printf_dropped: tally.printf_dropped,
            rounds: tally.rounds,
            submissions: tally.submissions,
            dispatches: tally.dispatches,
            wall_time: wall,
            gpu_time,
            submission_times: tally.submission_times,
        }
    }
}

/// The partition sizes a ring of partitions `sizes` grows to for the
/// tasks `waiting` for each partition, or `None` when none grows: a
/// partition with more tasks waiting than slots becomes the next power of
/// two that holds them, at most what `max_slots` (the engine's
/// [`max_ring_slots`](crate::engine::Engine::max_ring_slots), never more
/// than [`MAX_SLOTS`](crate::program::MAX_SLOTS)) leaves beside the other
/// partitions (then not a power of
/// two: a partition need not be one). A larger partition is fewer rounds
/// for a large batch: 16M trivial tasks in 5 rounds of a 4M partition
/// take half the GPU time of 16 rounds of 1M (`docs/benchmarks.md`,
/// session 26). A partition never shrinks, and the ring never passes
/// `max_slots`.
fn grown_sizes(
    sizes: [u32; PRIORITIES],
    waiting: [u64; PRIORITIES],
    max_slots: u32,
) -> Option<[u32; PRIORITIES]> {
    let mut grown = sizes;
    for p in 0..PRIORITIES {
        if waiting[p] <= u64::from(grown[p]) {
            continue;
        }
        let others: u64 = (0..PRIORITIES)
            .filter(|&q| q != p)
            .map(|q| u64::from(grown[q]))
            .sum();
        let room = u64::from(max_slots).saturating_sub(others);
        let want = waiting[p].next_power_of_two().min(room);
        grown[p] = grown[p].max(want as u32);
    }
    (grown != sizes).then_some(grown)
}

#[cfg(test)]
mod tests {
    use crate::ir::{Access, BufferKind, HandlerBuilder, ScalarType};
    use crate::program::ProgramConfig;
    use crate::{Gpu, Priority, Program, Runtime};

    /// `bump(i)`: `hits[i] += 1`, on a ring of 4 slots a partition (so a
    /// round takes few tasks off the inbox) and an inbox that starts at 8
    /// entries.
    fn program() -> Program {
        let mut h = HandlerBuilder::new(1, "bump");
        let hits = h.buffer("hits", ScalarType::U32, Access::Atomic);
        let i = h.arg("i", ScalarType::U32);
        h.body(|b| b.eval(hits.fetch_add(i, 1u32)));
        Program::builder("flush_ahead")
            .buffer("hits", BufferKind::atomic(ScalarType::U32))
            .opcode(h.finish().expect("handler"))
            .config(ProgramConfig {
                slots: 20,
                partition_sizes: Some([4; 5]),
                inbox_capacity: 8,
                grow_ring: false,
                ..ProgramConfig::default()
            })
            .build()
            .expect("program")
    }

    /// [`program`] on the reference backend.
    fn runtime() -> Runtime {
        Runtime::new(&Gpu::reference(), program()).expect("runtime")
    }

    /// [`program`] on the GPU, when there is one.
    fn gpu_runtime() -> Option<Runtime> {
        let ctx = crate::gpu::test_context()?;
        let program = program();
        let engine = crate::gpu::WgpuEngine::new(&ctx, &program, 4).expect("engine");
        Some(Runtime::with_engine(program, Box::new(engine)).expect("runtime"))
    }

    fn publish(rt: &mut Runtime, from: usize, n: usize) {
        rt.publish_with(0, Priority::Normal, 1, n, |k, w| w[0] = (from + k) as u32)
            .expect("publish");
    }

    #[test]
    fn a_partition_grows_to_a_power_of_two_within_the_ring_and_the_device() {
        use super::grown_sizes;
        use crate::program::MAX_SLOTS;
        let sizes = [64, 64, 800, 64, 64];
        // Nothing waits beyond its partition: no growth.
        assert_eq!(grown_sizes(sizes, [64, 0, 800, 0, 0], MAX_SLOTS), None);
        // NORMAL grows to the next power of two; the others keep theirs.
        assert_eq!(
            grown_sizes(sizes, [0, 0, 40_000, 0, 0], MAX_SLOTS),
            Some([64, 64, 65_536, 64, 64])
        );
        // 16M waiting: as much as the largest ring has beside the others.
        let big = grown_sizes(sizes, [0, 0, 1 << 24, 0, 0], MAX_SLOTS).expect("grows");
        assert_eq!(big[2], MAX_SLOTS - 4 * 64);
        assert!(big[2] <= MAX_SLOTS);
        assert_eq!(big.iter().sum::<u32>(), MAX_SLOTS);
        // A device that binds less: the ring stops at its size.
        let small = grown_sizes(sizes, [0, 0, 1 << 24, 0, 0], 1 << 21).expect("grows");
        assert_eq!(small, [64, 64, (1 << 21) - 256, 64, 64]);
        // Two partitions growing share the room; the ring never passes it,
        // and a partition never shrinks.
        let two = grown_sizes(sizes, [0, 0, 1 << 24, 0, 1 << 24], 1 << 20).expect("grows");
        assert_eq!(two.iter().sum::<u32>(), 1 << 20);
        assert!(two.iter().zip(sizes).all(|(&g, s)| g >= s));
        // A ring already full: nothing grows.
        let full = [64, 64, (1 << 20) - 256, 64, 64];
        assert_eq!(grown_sizes(full, [0, 0, 1 << 24, 0, 0], 1 << 20), None);
    }

    /// Each run's faults are read once: the device zeroes the other
    /// counters as a submission starts but not `FAULT_COUNT`, which the
    /// host zeroes once it has read records and nothing is in flight; the
    /// next run's records start again at record 0. On the reference backend
    /// and the GPU, when there is one.
    #[test]
    fn each_run_reads_its_own_faults_and_the_log_starts_again_after_a_read() {
        use crate::protocol::ctrl;
        use crate::report::FaultKind;
        let runtimes = std::iter::once(runtime()).chain(gpu_runtime());
        for mut rt in runtimes {
            let hits = rt.buffer::<u32>("hits").expect("hits");
            rt.upload(hits, &[0; 4]).expect("upload");
            let count = |rt: &mut Runtime| {
                let w = rt.engine.read_control(u64::from(ctrl::FAULT_COUNT), 1);
                w.expect("read")[0]
            };
            for (run, bad) in [9u32, 10, 11].into_iter().enumerate() {
                // Two tasks in bounds, one out of bounds.
                publish(&mut rt, 1, 2);
                publish(&mut rt, bad as usize, 1);
                let report = rt.run().expect("run");
                assert_eq!(report.executed, 2, "run {run}");
                assert_eq!(report.faults.len(), 1, "run {run}");
                let kinds: Vec<FaultKind> = report.faults.iter().map(|f| f.kind).collect();
                assert_eq!(kinds, [FaultKind::OutOfBounds { index: bad }], "run {run}");
                // The record went in at 0 each time: the host zeroed the
                // count before the run's submission, after reading.
                assert_eq!(count(&mut rt), 1, "run {run}");
                assert_eq!(rt.fault_read, 1, "run {run}");
            }
            // A clean run: nothing to read, nothing written.
            publish(&mut rt, 0, 1);
            let report = rt.run().expect("run");
            assert_eq!((report.executed, report.faults.len()), (1, 0));
            assert_eq!(count(&mut rt), 0);
            assert_eq!(rt.fault_read, 0);
            assert_eq!(rt.read(hits).expect("hits"), [1, 3, 3, 0]);
        }
    }

    /// The fault log is a ring of one record per slot: records from the
    /// last one read up to `FAULT_COUNT`, across the log's end, are read
    /// in order and their slots emptied.
    #[test]
    fn fault_records_are_read_across_the_end_of_the_ring() {
        use crate::protocol::{fault, fault_record, status, FAULT_RECORD_WORDS, SLOT_WORDS};
        let mut rt = runtime();
        let log = u64::from(rt.layout.fault_log);
        // 20 slots: records 18, 19, 20 and 21 sit at 18, 19, 0 and 1.
        rt.fault_read = 18;
        for (k, slot) in [(18u64, 3u32), (19, 7), (0, 11), (1, 15)] {
            let mut rec = [0u32; FAULT_RECORD_WORDS as usize];
            rec[fault_record::SLOT as usize] = slot;
            rec[fault_record::OPCODE as usize] = 1;
            rec[fault_record::CODE as usize] = fault::DIVIDE_BY_ZERO;
            rt.engine
                .write_control(log + k * u64::from(FAULT_RECORD_WORDS), &rec)
                .expect("record");
            rt.engine
                .write_ring(u64::from(slot * SLOT_WORDS), &[status::FAULT])
                .expect("status");
        }
        let mut tally = super::Tally::default();
        rt.read_faults(22, &mut tally).expect("read");
        let slots: Vec<u32> = tally.faults.iter().map(|f| f.slot).collect();
        assert_eq!(slots, [3, 7, 11, 15]);
        assert_eq!(rt.fault_read, 22);
        for slot in slots {
            let word = rt.engine.read_ring(u64::from(slot * SLOT_WORDS), 1);
            assert_eq!(word.expect("status"), [status::EMPTY]);
        }
        // Nothing new: nothing read.
        rt.read_faults(22, &mut tally).expect("read");
        assert_eq!(tally.faults.len(), 4);
    }

    const NO_REST: [u32; crate::protocol::MAX_ARGS - 1] = [0; crate::protocol::MAX_ARGS - 1];

    /// Ranges flushed ahead of a step and after it, on the GPU: the
    /// expand passes of the range table written while a submission runs
    /// and of the one written after it leave no range's entries lost or
    /// written twice.
    #[test]
    fn ranges_flushed_ahead_are_expanded_before_the_next_range_table() {
        let p = Priority::Normal.index();
        // `test_context` says why it skips (and fails instead under
        // VYRE_REQUIRE_GPU=1).
        let Some(mut rt) = gpu_runtime() else { return };
        let hits = rt.buffer::<u32>("hits").expect("hits");
        rt.upload(hits, &[0; 60]).expect("upload");
        rt.queue_range(0, Priority::Normal, 1, 0..20, NO_REST);
        let started = rt.start_step(1).expect("start");
        // 12 of the next range fit past the 20 entries the step was
        // given.
        rt.queue_range(0, Priority::Normal, 1, 20..40, NO_REST);
        rt.flush_ahead().expect("flush ahead");
        assert_eq!(rt.inbox.pending(p), 32);
        let step = rt.finish_step(started).expect("finish");
        // The run's flush writes the rest of that range and a third one
        // into the range table again.
        rt.queue_range(0, Priority::Normal, 1, 40..60, NO_REST);
        let report = rt.run().expect("run");
        assert_eq!(step.tally.executed + report.executed, 60);
        assert_eq!(rt.read(hits).expect("read"), vec![1; 60]);
        let b = rt.accounting();
        assert_eq!((b.published, b.executed, b.waiting), (60, 60, 0));
    }

    #[test]
    fn a_flush_while_a_submission_runs_writes_only_entries_free_before_it() {
        let p = Priority::Normal.index();
        let mut rt = runtime();
        let hits = rt.buffer::<u32>("hits").expect("hits");
        rt.upload(hits, &[0; 60]).expect("upload");
        publish(&mut rt, 0, 20);
        // The step's flush grows the empty inbox to 32 entries and moves
        // all 20 tasks; its one round takes a few of them.
        let started = rt.start_step(1).expect("start");
        assert_eq!(rt.inbox.queued(p), 0);
        assert_eq!(rt.inbox.pending(p), 20);
        // While it runs, the host knows of no consumed entry yet: of 40
        // more tasks, only the 12 that fit past the 20 it wrote may move.
        publish(&mut rt, 20, 40);
        rt.flush_ahead().expect("flush ahead");
        assert_eq!(rt.inbox.queued(p), 28);
        assert_eq!(rt.inbox.pending(p), 32);
        let step = rt.finish_step(started).expect("finish");
        assert!(step.tally.executed > 0 && step.runnable);
        // Nothing was written over: every task runs once.
        let report = rt.run().expect("run");
        assert_eq!(step.tally.executed + report.executed, 60);
        assert_eq!(rt.read(hits).expect("read"), vec![1; 60]);
        let b = rt.accounting();
        assert_eq!((b.published, b.executed, b.waiting), (60, 60, 0));
    }
}

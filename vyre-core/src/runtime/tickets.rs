//! The host's half of tickets (`docs/protocol.md`, "Tickets"): which
//! entries of the device's ticket table are free, the entries opened since
//! the last submission (written together before it), and what the device
//! reported about the others — entries whose tasks all ended, faults of
//! tasks with a ticket, refused spawns — until the service takes it.

use super::Runtime;
use crate::error::Result;
use crate::protocol::ticket;
use crate::report::Fault;

/// A ticket whose tasks (and followed descendants) all ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TicketEnd {
    /// Its entry.
    pub(crate) index: u32,
    /// Spawns of its tasks the ring refused.
    pub(crate) refused: u32,
}

/// What the device reported about tickets since the last
/// [`Runtime::take_ticket_events`]: faults first (a ticket's faults always
/// come before or with its end).
#[derive(Debug, Default)]
pub(crate) struct TicketEvents {
    /// `(entry, fault)` for every faulted task with a ticket.
    pub(crate) faults: Vec<(u32, Fault)>,
    /// Tickets that ended; their entries are free again.
    pub(crate) ended: Vec<TicketEnd>,
}

/// What the host knows of one entry.
#[derive(Debug, Clone, Copy, Default)]
struct EntryState {
    in_use: bool,
    refused: u32,
}

/// The table's host state.
#[derive(Debug)]
pub(crate) struct Tickets {
    /// Entries given back, the last given back on top (reused first, so
    /// that the entries in use stay at the front of the table and reading
    /// their words reads a short span).
    free: Vec<u32>,
    /// The next entry never handed out (entry 0 is never used).
    fresh: u32,
    /// Entries in use.
    open: u32,
    /// The highest entry handed out since the table was last empty.
    high: u32,
    /// Entries opened since the last submission: `(index, live)`.
    unwritten: Vec<(u32, u32)>,
    /// Per entry handed out: whether it is in use, and its `REFUSED` as
    /// last read (0 when opened).
    entries: Vec<EntryState>,
    /// Reported and not yet taken.
    events: TicketEvents,
}

impl Default for Tickets {
    fn default() -> Self {
        // Nothing is allocated until a service opens a ticket.
        Tickets {
            free: Vec::new(),
            fresh: 1,
            open: 0,
            high: 0,
            unwritten: Vec::new(),
            entries: Vec::new(),
            events: TicketEvents::default(),
        }
    }
}

impl Tickets {
    /// Entries in use: no submission started now can end more tickets.
    pub(crate) fn in_use(&self) -> u32 {
        self.open
    }

    /// Records a fault of a task with ticket word `word`.
    pub(crate) fn fault(&mut self, word: u32, fault: Fault) {
        self.events.faults.push((word & ticket::INDEX, fault));
    }

    /// Entry `index` ended (its last live task): reported, and free
    /// again. Only an entry in use can end, once: an index that names no
    /// such entry (device memory gone wrong) is not taken for one.
    fn end(&mut self, index: u32) {
        let Some(state) = self.entries.get_mut(index as usize).filter(|e| e.in_use) else {
            return;
        };
        state.in_use = false;
        self.events.ended.push(TicketEnd {
            index,
            refused: state.refused,
        });
        self.free.push(index);
        self.open -= 1;
        if self.open == 0 {
            self.high = 0;
        }
    }
}

impl Runtime {
    /// Opens a ticket for `tasks` tasks (which the caller publishes next
    /// with the returned word), following their descendants when
    /// `descendants`; `None` while every entry is in use. The entry is
    /// written to the device before the next submission.
    pub(crate) fn open_ticket(&mut self, tasks: u32, descendants: bool) -> Option<u32> {
        let t = &mut self.tickets;
        let index = match t.free.pop() {
            Some(index) => index,
            None if t.fresh < ticket::ENTRIES => {
                t.fresh += 1;
                t.fresh - 1
            }
            None => return None,
        };
        t.open += 1;
        t.high = t.high.max(index);
        if t.entries.len() <= index as usize {
            t.entries.resize(index as usize + 1, EntryState::default());
        }
        t.entries[index as usize] = EntryState {
            in_use: true,
            refused: 0,
        };
        t.unwritten.push((index, tasks));
        Some(index | if descendants { ticket::DESCENDANTS } else { 0 })
    }

    /// Gives back the entry of a ticket opened by [`open_ticket`](Self::open_ticket)
    /// whose tasks could not be published after all (before any
    /// submission: it is not written yet).
    pub(crate) fn abandon_ticket(&mut self, word: u32) {
        let index = word & ticket::INDEX;
        let t = &mut self.tickets;
        if let Some(at) = t.unwritten.iter().position(|&(i, _)| i == index) {
            t.unwritten.swap_remove(at);
            t.entries[index as usize].in_use = false;
            t.free.push(index);
            t.open -= 1;
        }
    }

    /// Writes the entries opened since the last submission, in runs of
    /// neighbouring entries (never a word of an entry in use: the device
    /// owns those).
    pub(crate) fn write_tickets(&mut self) -> Result<()> {
        let t = &mut self.tickets;
        if t.unwritten.is_empty() {
            return Ok(());
        }
        t.unwritten.sort_unstable();
        let mut words = Vec::new();
        let mut i = 0;
        while i < t.unwritten.len() {
            let first = t.unwritten[i].0;
            words.clear();
            let mut next = first;
            while i < t.unwritten.len() && t.unwritten[i].0 == next {
                words.extend_from_slice(&[t.unwritten[i].1, 0]);
                next += 1;
                i += 1;
            }
            let at = self.layout.tickets + first * ticket::ENTRY_WORDS;
            self.engine.write_control(u64::from(at), &words)?;
        }
        t.unwritten.clear();
        Ok(())
    }

    /// Reads what one submission reported: the ticket log (`ended`
    /// records; `head` holds its first words, read with the summary, so
    /// that a few ended tickets cost no read of their own) and, when some
    /// spawn was refused, the `REFUSED` words of the entries in use.
    pub(crate) fn read_tickets(
        &mut self,
        ended: u64,
        overflowed: bool,
        head: &[u32],
    ) -> Result<()> {
        if self.tickets.open == 0 {
            return Ok(());
        }
        if overflowed {
            let span = self.tickets.high + 1;
            let words = self.engine.read_control(
                u64::from(self.layout.tickets),
                u64::from(span * ticket::ENTRY_WORDS),
            )?;
            for (state, entry) in self
                .tickets
                .entries
                .iter_mut()
                .zip(words.chunks_exact(ticket::ENTRY_WORDS as usize))
            {
                state.refused = entry[ticket::REFUSED as usize];
            }
        }
        let n = ended.min(u64::from(ticket::ENTRIES));
        if n == 0 {
            return Ok(());
        }
        let log = match head.get(..n as usize) {
            Some(words) => words.to_vec(),
            None => self
                .engine
                .read_control(u64::from(self.layout.ticket_log), n)?,
        };
        for index in log {
            self.tickets.end(index & ticket::INDEX);
        }
        Ok(())
    }

    /// The live task counts of entries `indices` (tasks of theirs not yet
    /// ended), read from the device.
    pub(crate) fn ticket_live(&mut self, indices: &[u32]) -> Result<Vec<u32>> {
        let Some(&high) = indices.iter().max() else {
            return Ok(Vec::new());
        };
        let words = self.engine.read_control(
            u64::from(self.layout.tickets),
            u64::from((high + 1) * ticket::ENTRY_WORDS),
        )?;
        Ok(indices
            .iter()
            .map(|&i| words[(i * ticket::ENTRY_WORDS + ticket::LIVE) as usize])
            .collect())
    }

    /// Ends, on the host, one live task of the ticket with word `word`
    /// (a request's continuation the host faulted, which the device
    /// counted live when the request was taken): `LIVE` goes down by one,
    /// and the ticket ends here when that was its last task. Between
    /// submissions only (the device is not running).
    pub(crate) fn end_task_on_host(&mut self, word: u32) -> Result<()> {
        if word & ticket::DESCENDANTS == 0 {
            return Ok(());
        }
        let index = word & ticket::INDEX;
        let at = u64::from(self.layout.tickets + index * ticket::ENTRY_WORDS + ticket::LIVE);
        let live = self.engine.read_control(at, 1)?;
        let live = live.first().copied().unwrap_or(0).saturating_sub(1);
        self.engine.write_control(at, &[live])?;
        if live == 0 {
            self.tickets.end(index);
        }
        Ok(())
    }

    /// Takes what the device reported about tickets since the last call.
    pub(crate) fn take_ticket_events(&mut self) -> TicketEvents {
        std::mem::take(&mut self.tickets.events)
    }
}

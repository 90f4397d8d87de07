//! [`CpuEngine`]: a [`CpuMachine`] and a [`WorkPass`] make a complete
//! [`Engine`].

use super::machine::CpuMachine;
use super::work::WorkPass;
use crate::engine::{BackendKind, Engine, Submission};
use crate::error::Result;

/// The [`Engine`] methods that only reach the protocol's memory (ring,
/// inboxes, control block), forwarded to the `CpuMachine` (or engine) in
/// field `$memory`: the three CPU engines differ only in their buffers and
/// their work pass.
macro_rules! forward_protocol_memory {
    ($memory:ident) => {
        fn write_ring(&mut self, offset: u64, words: &[u32]) -> $crate::error::Result<()> {
            self.$memory.write_ring(offset, words)
        }

        fn read_ring(&mut self, offset: u64, len: u64) -> $crate::error::Result<Vec<u32>> {
            self.$memory.read_ring(offset, len)
        }

        fn write_inbox(&mut self, offset: u64, words: &[u32]) -> $crate::error::Result<()> {
            self.$memory.write_inbox(offset, words)
        }

        fn write_inbox_with(
            &mut self,
            offset: u64,
            units: usize,
            unit_words: usize,
            fill: &(dyn Fn(usize, &mut [u32]) + Sync),
        ) -> $crate::error::Result<()> {
            self.$memory
                .write_inbox_with(offset, units, unit_words, fill)
        }

        fn inbox_words(&self) -> u64 {
            self.$memory.inbox_words()
        }

        fn set_ticket_log_words(&mut self, words: u32) {
            self.$memory.set_ticket_log_words(words)
        }

        fn max_inbox_words(&self) -> u64 {
            self.$memory.max_inbox_words()
        }

        fn resize_inbox(&mut self, words: u64) -> $crate::error::Result<()> {
            self.$memory.resize_inbox(words)
        }

        fn expand(&mut self, ranges: u32, widest: u32) -> $crate::error::Result<()> {
            self.$memory.expand(ranges, widest)
        }

        fn resize_ring(
            &mut self,
            partitions: [(u32, u32); $crate::protocol::PRIORITIES],
        ) -> $crate::error::Result<()> {
            self.$memory.resize_ring(partitions)
        }

        fn write_control(&mut self, offset: u64, words: &[u32]) -> $crate::error::Result<()> {
            self.$memory.write_control(offset, words)
        }

        fn read_control(&mut self, offset: u64, len: u64) -> $crate::error::Result<Vec<u32>> {
            self.$memory.read_control(offset, len)
        }
    };
}

/// A complete [`Engine`] made of a [`CpuMachine`] and a [`WorkPass`]: the
/// memory operations are the machine's, and a submission is
/// [`CpuMachine::submit`] with the work pass as `W`.
#[derive(Debug, Clone)]
pub struct CpuEngine<W> {
    machine: CpuMachine,
    work: W,
}

impl<W: WorkPass> CpuEngine<W> {
    /// An engine over `machine` whose work dispatch is `work`.
    pub fn new(machine: CpuMachine, work: W) -> Self {
        CpuEngine { machine, work }
    }

    /// The memory.
    pub fn machine(&self) -> &CpuMachine {
        &self.machine
    }

    /// The memory, writable.
    pub fn machine_mut(&mut self) -> &mut CpuMachine {
        &mut self.machine
    }

    /// The work pass.
    pub fn work(&self) -> &W {
        &self.work
    }
}

impl<W: WorkPass> Engine for CpuEngine<W> {
    fn kind(&self) -> BackendKind {
        self.work.kind()
    }

    fn adapter(&self) -> String {
        self.work.describe(self.machine.lanes())
    }

    fn lanes(&self) -> u32 {
        self.machine.lanes()
    }

    forward_protocol_memory!(machine);

    fn write_buffer(&mut self, buffer: usize, offset: u64, words: &[u32]) -> Result<()> {
        self.machine.write_buffer(buffer, offset, words)
    }

    fn read_buffer(&mut self, buffer: usize, offset: u64, len: u64) -> Result<Vec<u32>> {
        self.machine.read_buffer(buffer, offset, len)
    }

    fn resize_buffer(&mut self, buffer: usize, len: u64) -> Result<()> {
        self.machine.resize_buffer(buffer, len)
    }

    fn buffer_len(&self, buffer: usize) -> u64 {
        self.machine.buffer_len(buffer)
    }

    fn submit(&mut self, rounds: u32) -> Result<Submission> {
        self.machine.submit(&mut self.work, rounds, false)
    }
}

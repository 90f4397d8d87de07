//! A minimal host for driving an engine through the `Engine` trait the way
//! the runtime does: inbox entries + INBOX_TAIL, tenant table, summary,
//! fault and printf logs, counter clearing. Beside it, [`cache_file`]
//! forges vyre's cache files, [`probe`] holds the
//! wgpu engine tests' probe program, [`semantics`] the case tables of
//! the reference semantics tests, [`tenant_runs`] the two runs of the
//! scheduling scenarios around a disabled tenant and [`variants`] a
//! program's runtimes on the reference and on every wgpu variant.

#![allow(dead_code)]

pub mod cache_file;
pub mod probe;
pub mod semantics;
pub mod tenant_runs;
pub mod variants;

use vyre_core::ir::{BufferKind, ScalarType};
use vyre_core::program::{OpcodeHandler, Program, ProgramConfig};
use vyre_core::protocol::{
    ctrl, entry, slot, status, ControlLayout, FAULT_RECORD_WORDS, PRINTF_RECORD_WORDS, PRIORITIES,
    SLOT_WORDS,
};
use vyre_core::reference::ReferenceEngine;
use vyre_core::{Engine, Priority, Submission};

/// One fault record's words.
pub type FaultRecord = [u32; FAULT_RECORD_WORDS as usize];
/// A small config for tests: few slots, small budgets.
pub fn small_config() -> ProgramConfig {
    ProgramConfig {
        workgroup_size: 4,
        slots: 40,
        tenants: 4,
        inbox_capacity: 64,
        claim_budget: 16,
        iteration_budget: 1 << 16,
        loop_limit: 1000,
        starvation_limit: 16,
        printf_capacity: 64,
        ..ProgramConfig::default()
    }
}

/// Builds a program from handlers and `(name, kind)` buffers.
pub fn program(
    config: ProgramConfig,
    buffers: &[(&str, BufferKind)],
    handlers: Vec<OpcodeHandler>,
) -> Program {
    let mut b = Program::builder("test").config(config);
    for (name, kind) in buffers {
        b = b.buffer(*name, *kind);
    }
    for h in handlers {
        b = b.opcode(h);
    }
    b.build().expect("test program assembles")
}

pub fn atomic_u32() -> BufferKind {
    BufferKind::atomic(ScalarType::U32)
}

pub fn plain(elem: ScalarType) -> BufferKind {
    BufferKind::plain(elem)
}

pub struct Host<E: Engine = ReferenceEngine> {
    pub engine: E,
    pub program: Program,
    pub layout: ControlLayout,
    pub tails: [u32; PRIORITIES],
}

impl Host<ReferenceEngine> {
    /// A reference engine with `lanes` lanes and `seed`; tenant 0 enabled.
    pub fn new(program: Program, lanes: u32, seed: u64) -> Self {
        let engine = ReferenceEngine::new(&program, lanes, seed).expect("engine");
        Host::with_engine(program, engine)
    }
}

impl<E: Engine> Host<E> {
    pub fn with_engine(program: Program, engine: E) -> Self {
        let layout = program.control_layout();
        let mut host = Host {
            engine,
            program,
            layout,
            tails: [0; PRIORITIES],
        };
        host.enable(0, true);
        host
    }

    pub fn enable(&mut self, tenant: u32, on: bool) {
        self.engine
            .write_control((self.layout.tenant_enabled + tenant) as u64, &[on as u32])
            .unwrap();
    }

    pub fn ctrl(&mut self, word: u32) -> u32 {
        self.engine.read_control(word as u64, 1).unwrap()[0]
    }

    pub fn set_ctrl(&mut self, word: u32, value: u32) {
        self.engine.write_control(word as u64, &[value]).unwrap();
    }

    /// Starts the inbox counters of partition `p` at `value` (head = tail).
    pub fn set_inbox_counters(&mut self, p: usize, value: u32) {
        self.set_ctrl(ctrl::INBOX_HEAD + p as u32, value);
        self.set_ctrl(ctrl::INBOX_TAIL + p as u32, value);
        self.tails[p] = value;
    }

    /// Writes a task given as the 16 words of a slot (status and priority
    /// ignored) into partition `p`'s inbox as a compact entry and bumps
    /// INBOX_TAIL, as the host does.
    pub fn publish_raw(&mut self, p: usize, words: [u32; SLOT_WORDS as usize]) {
        let head = self.ctrl(ctrl::INBOX_HEAD + p as u32);
        let cap = self.program.config().inbox_capacity;
        let tail = self.tails[p];
        assert!(tail.wrapping_sub(head) < cap, "inbox {p} full");
        let pos = (tail % cap) as u64;
        let ew = self.program.entry_words() as usize;
        let mut e = vec![0u32; ew];
        e[entry::OPCODE as usize] = words[slot::OPCODE as usize];
        e[entry::TENANT as usize] = words[slot::TENANT as usize];
        e[entry::TICKET as usize] = words[slot::TICKET as usize];
        let args = ew - entry::ARG0 as usize;
        e[entry::ARG0 as usize..]
            .copy_from_slice(&words[slot::ARG0 as usize..slot::ARG0 as usize + args]);
        let at = self.program.initial_inbox_offset(p) + pos * ew as u64;
        self.engine.write_inbox(at, &e).unwrap();
        self.tails[p] = tail.wrapping_add(1);
        self.set_ctrl(ctrl::INBOX_TAIL + p as u32, self.tails[p]);
    }

    /// Publishes a task of `opcode` for `tenant` at `priority`.
    pub fn publish(&mut self, priority: Priority, opcode: u32, tenant: u32, args: &[u32]) {
        let mut w = [0u32; SLOT_WORDS as usize];
        w[slot::OPCODE as usize] = opcode;
        w[slot::TENANT as usize] = tenant;
        for (i, a) in args.iter().enumerate() {
            w[slot::ARG0 as usize + i] = *a;
        }
        self.publish_raw(priority.index(), w);
    }

    pub fn submit(&mut self, rounds: u32) -> Submission {
        let s = self.engine.submit(rounds).unwrap();
        assert_eq!(s.summary.len() as u32, self.layout.summary_words());
        assert_eq!(s.dispatches, 3 + 4 * rounds as u64);
        s
    }

    /// The fault records the device wrote (FAULT_COUNT of them).
    pub fn faults(&mut self) -> Vec<FaultRecord> {
        let n = self
            .ctrl(ctrl::FAULT_COUNT)
            .min(self.program.config().slots);
        let words = self
            .engine
            .read_control(
                self.layout.fault_log as u64,
                (n * FAULT_RECORD_WORDS) as u64,
            )
            .unwrap();
        words
            .chunks(FAULT_RECORD_WORDS as usize)
            .map(|c| c.try_into().unwrap())
            .collect()
    }

    /// The printf records the device wrote.
    pub fn printfs(&mut self) -> Vec<[u32; 8]> {
        let n = self
            .ctrl(ctrl::PRINTF_COUNT)
            .min(self.program.config().printf_capacity);
        let words = self
            .engine
            .read_control(
                self.layout.printf_log as u64,
                (n * PRINTF_RECORD_WORDS) as u64,
            )
            .unwrap();
        words.chunks(8).map(|c| c.try_into().unwrap()).collect()
    }

    /// What the host does after reading: faulted slots back to EMPTY,
    /// `FAULT_COUNT` and `SHUTDOWN` zeroed (the next submission's first
    /// pass zeroes the other counters).
    pub fn clear(&mut self) {
        for f in self.faults() {
            self.engine
                .write_ring(f[0] as u64 * SLOT_WORDS as u64, &[status::EMPTY])
                .unwrap();
        }
        self.set_ctrl(ctrl::FAULT_COUNT, 0);
        self.set_ctrl(ctrl::SHUTDOWN, 0);
    }

    fn buffer_index(&self, name: &str) -> usize {
        self.program.buffer_index(name).expect("declared buffer")
    }

    pub fn set_buffer(&mut self, name: &str, words: &[u32]) {
        let b = self.buffer_index(name);
        self.engine.resize_buffer(b, words.len() as u64).unwrap();
        self.engine.write_buffer(b, 0, words).unwrap();
    }

    pub fn zeroed_buffer(&mut self, name: &str, len: usize) {
        self.set_buffer(name, &vec![0; len]);
    }

    pub fn buffer(&mut self, name: &str) -> Vec<u32> {
        let b = self.buffer_index(name);
        let len = self.engine.buffer_len(b);
        self.engine.read_buffer(b, 0, len).unwrap()
    }

    /// Runs submissions of `rounds` rounds until a round leaves nothing
    /// claimable and nothing waits in the inboxes (or `max` submissions).
    pub fn run_until_idle(&mut self, rounds: u32, max: u32) {
        for _ in 0..max {
            let s = self.submit(rounds);
            let listed: u32 = (0..PRIORITIES)
                .map(|p| s.summary[ctrl::LIST_LEN as usize + p])
                .sum();
            let inbox: u32 = (0..PRIORITIES)
                .map(|p| {
                    s.summary[ctrl::INBOX_TAIL as usize + p]
                        .wrapping_sub(s.summary[ctrl::INBOX_HEAD as usize + p])
                })
                .sum();
            if listed == 0 && inbox == 0 {
                return;
            }
        }
        panic!("still busy after {max} submissions");
    }
}

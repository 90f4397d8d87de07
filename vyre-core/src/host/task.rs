//! Tasks as the host publishes them (and as a handler run on the host
//! spawns them).

use crate::ir::{Literal, ScalarType};
use crate::protocol::MAX_ARGS;

/// A task: an opcode id and its arguments. `#[opcode]` generates a typed
/// encoder (`visit::task(node, depth)`) that builds one; by hand, use
/// [`Task::new`].
///
/// The arguments live inline as the words a slot holds (one per argument,
/// two for `u64` and `i64`; at most [`MAX_ARGS`] words) and their types,
/// so building and publishing a task allocates nothing and copies a few
/// dozen bytes.
#[derive(Debug, Clone, Copy)]
pub struct Task {
    opcode: u32,
    /// Arguments given, which may exceed what fits (only counted, so that
    /// `publish` can say how many were given).
    given: u32,
    /// Argument words needed, which may exceed `MAX_ARGS` likewise.
    used: u32,
    /// Arguments whose words all fit: `types` holds that many.
    kept: u32,
    /// The words of the arguments that fit (`Literal::to_words`).
    words: [u32; MAX_ARGS],
    /// Their types.
    types: [ScalarType; MAX_ARGS],
}

impl Task {
    /// A task for opcode `opcode` with `args` (checked against the
    /// handler's argument types when published; more than a slot holds is
    /// an argument-count error then).
    #[inline]
    pub fn new(opcode: u32, args: impl IntoIterator<Item = Literal>) -> Self {
        let mut task = Task {
            opcode,
            given: 0,
            used: 0,
            kept: 0,
            words: [0; MAX_ARGS],
            types: [ScalarType::U32; MAX_ARGS],
        };
        for arg in args {
            let n = arg.ty().words();
            let at = task.used as usize;
            if task.kept == task.given && at + n as usize <= MAX_ARGS {
                // Word by word, not a copy of a run-time length (a call to
                // `memcpy` on `publish`'s path).
                let w = arg.to_words();
                task.words[at] = w[0];
                if n == 2 {
                    task.words[at + 1] = w[1];
                }
                task.types[task.kept as usize] = arg.ty();
                task.kept += 1;
            }
            task.given = task.given.saturating_add(1);
            task.used = task.used.saturating_add(n);
        }
        task
    }

    /// The opcode id.
    #[inline]
    pub fn opcode(&self) -> u32 {
        self.opcode
    }

    /// The arguments (those whose words fit in a slot; see
    /// [`arg_count`](Self::arg_count)).
    pub fn args(&self) -> Vec<Literal> {
        let mut at = 0;
        self.types()
            .iter()
            .map(|&ty| {
                let mut words = [0, 0];
                let n = ty.words() as usize;
                words[..n].copy_from_slice(&self.words[at..at + n]);
                at += n;
                Literal::from_words(ty, words)
            })
            .collect()
    }

    /// The arguments' words, as a slot holds them: one per argument, two
    /// (low first) for `u64` and `i64` (at most [`MAX_ARGS`]).
    #[inline]
    pub fn words(&self) -> &[u32] {
        &self.words[..(self.used as usize).min(MAX_ARGS)]
    }

    /// The types of the arguments whose words fit in a slot.
    #[inline]
    pub fn types(&self) -> &[ScalarType] {
        &self.types[..self.kept as usize]
    }

    /// How many arguments were given, also when more than a slot holds.
    #[inline]
    pub fn arg_count(&self) -> usize {
        self.given as usize
    }

    /// How many slot words the arguments need, also when more than a slot
    /// holds ([`MAX_ARGS`]).
    #[inline]
    pub fn word_count(&self) -> usize {
        self.used as usize
    }

    /// The argument types.
    pub fn arg_types(&self) -> Vec<ScalarType> {
        self.types().to_vec()
    }
}

impl PartialEq for Task {
    /// Tasks are equal when their opcodes, argument counts and given
    /// arguments are (the unused inline words do not count).
    fn eq(&self, other: &Self) -> bool {
        self.opcode == other.opcode
            && self.given == other.given
            && self.used == other.used
            && self.words() == other.words()
            && self.types() == other.types()
    }
}

/// A task published without any host-side check, words as they go into the
/// slot. For testing the device's own fault handling (unknown opcodes,
/// tenants outside the table); ordinary code uses [`Task`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawTask {
    /// Opcode word.
    pub opcode: u32,
    /// Tenant word.
    pub tenant: u32,
    /// Argument words.
    pub args: [u32; MAX_ARGS],
}

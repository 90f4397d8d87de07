//! Tasks as the host publishes them (and as a handler run on the host
//! spawns them).

use crate::ir::{Literal, ScalarType};
use crate::protocol::MAX_ARGS;

/// A task: an opcode id and its arguments. `#[opcode]` generates a typed
/// encoder (`visit::task(node, depth)`) that builds one; by hand, use
/// [`Task::new`].
///
/// The arguments live inline as the words a slot holds and their types
/// (at most [`MAX_ARGS`]), so building and publishing a task allocates
/// nothing and copies a few dozen bytes.
#[derive(Debug, Clone, Copy)]
pub struct Task {
    opcode: u32,
    /// Arguments given, which may exceed `MAX_ARGS` (only counted, so that
    /// `publish` can say how many were given).
    given: u32,
    /// The first `MAX_ARGS` arguments' words (`Literal::to_word`).
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
            words: [0; MAX_ARGS],
            types: [ScalarType::U32; MAX_ARGS],
        };
        for arg in args {
            let i = task.given as usize;
            if i < MAX_ARGS {
                task.words[i] = arg.to_word();
                task.types[i] = arg.ty();
            }
            task.given = task.given.saturating_add(1);
        }
        task
    }

    /// The opcode id.
    #[inline]
    pub fn opcode(&self) -> u32 {
        self.opcode
    }

    /// The arguments (at most [`MAX_ARGS`]; see
    /// [`arg_count`](Self::arg_count)).
    pub fn args(&self) -> Vec<Literal> {
        self.words()
            .iter()
            .zip(self.types())
            .map(|(&w, &ty)| Literal::from_word(ty, w))
            .collect()
    }

    /// The arguments' words, as a slot holds them (at most [`MAX_ARGS`]).
    #[inline]
    pub fn words(&self) -> &[u32] {
        &self.words[..(self.given as usize).min(MAX_ARGS)]
    }

    /// The arguments' types (at most [`MAX_ARGS`]).
    #[inline]
    pub fn types(&self) -> &[ScalarType] {
        &self.types[..(self.given as usize).min(MAX_ARGS)]
    }

    /// How many arguments were given, also when more than a slot holds.
    #[inline]
    pub fn arg_count(&self) -> usize {
        self.given as usize
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

//! Tasks as the host publishes them (and as a handler run on the host
//! spawns them).

use crate::ir::{Literal, ScalarType};
use crate::protocol::MAX_ARGS;

/// A task: an opcode id and its arguments. `#[opcode]` generates a typed
/// encoder (`visit::task(node, depth)`) that builds one; by hand, use
/// [`Task::new`].
///
/// The arguments live inline (a slot holds at most
/// [`MAX_ARGS`]), so building and publishing a task allocates nothing.
#[derive(Debug, Clone)]
pub struct Task {
    opcode: u32,
    /// The first `MAX_ARGS` arguments; the rest cannot be published and
    /// are only counted, so that `publish` can say how many were given.
    args: [Literal; MAX_ARGS],
    /// Arguments given, which may exceed `MAX_ARGS`.
    given: usize,
}

impl Task {
    /// A task for opcode `opcode` with `args` (checked against the
    /// handler's argument types when published; more than a slot holds is
    /// an argument-count error then).
    pub fn new(opcode: u32, args: impl IntoIterator<Item = Literal>) -> Self {
        let mut task = Task {
            opcode,
            args: [Literal::U32(0); MAX_ARGS],
            given: 0,
        };
        for arg in args {
            if let Some(slot) = task.args.get_mut(task.given) {
                *slot = arg;
            }
            task.given += 1;
        }
        task
    }

    /// The opcode id.
    pub fn opcode(&self) -> u32 {
        self.opcode
    }

    /// The arguments (at most [`MAX_ARGS`]; see
    /// [`arg_count`](Self::arg_count)).
    pub fn args(&self) -> &[Literal] {
        &self.args[..self.given.min(MAX_ARGS)]
    }

    /// How many arguments were given, also when more than a slot holds.
    pub fn arg_count(&self) -> usize {
        self.given
    }

    /// The argument types.
    pub fn arg_types(&self) -> Vec<ScalarType> {
        self.args().iter().map(|a| a.ty()).collect()
    }
}

impl PartialEq for Task {
    /// Tasks are equal when their opcodes, argument counts and given
    /// arguments are (the unused inline words do not count).
    fn eq(&self, other: &Self) -> bool {
        self.opcode == other.opcode && self.given == other.given && self.args() == other.args()
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

//! Tasks as the host publishes them (and as a handler run on the host
//! spawns them).

use crate::ir::{Literal, ScalarType};
use crate::protocol::MAX_ARGS;

/// A task: an opcode id and its arguments. `#[opcode]` generates a typed
/// encoder (`visit::task(node, depth)`) that builds one; by hand, use
/// [`Task::new`].
#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    opcode: u32,
    args: Vec<Literal>,
}

impl Task {
    /// A task for opcode `opcode` with `args` (checked against the
    /// handler's argument types when published).
    pub fn new(opcode: u32, args: impl IntoIterator<Item = Literal>) -> Self {
        Task {
            opcode,
            args: args.into_iter().collect(),
        }
    }

    /// The opcode id.
    pub fn opcode(&self) -> u32 {
        self.opcode
    }

    /// The arguments.
    pub fn args(&self) -> &[Literal] {
        &self.args
    }

    /// The argument types.
    pub fn arg_types(&self) -> Vec<ScalarType> {
        self.args.iter().map(|a| a.ty()).collect()
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

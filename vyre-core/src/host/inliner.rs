//! The state of one `handler()` build while `#[device]` calls are inlined:
//! the growing local table and the chain of device functions entered, so a
//! cycle or too deep a chain is a typed error rather than a stack overflow.

use crate::ir::{HandlerError, LocalDecl};

/// How deep `#[device]` calls may nest while inlining.
pub const MAX_DEVICE_DEPTH: usize = 64;

/// State of one `handler()` build: the local table (which inlined device
/// functions extend) and the chain of device functions being inlined.
#[derive(Debug)]
pub struct Inliner {
    /// Every local so far.
    pub locals: Vec<LocalDecl>,
    stack: Vec<&'static str>,
}

impl Inliner {
    /// Starts with the handler's own locals.
    pub fn new(locals: Vec<LocalDecl>) -> Self {
        Inliner {
            locals,
            stack: Vec::new(),
        }
    }

    /// Enters device function `key` (`module::path::name`): fails on a
    /// cycle or past the nesting limit.
    pub fn enter(&mut self, key: &'static str) -> Result<(), HandlerError> {
        if let Some(pos) = self.stack.iter().position(|k| *k == key) {
            let mut cycle: Vec<&str> = self.stack[pos..].to_vec();
            cycle.push(key);
            return Err(HandlerError::DeviceRecursion {
                cycle: cycle.join(" -> "),
            });
        }
        if self.stack.len() >= MAX_DEVICE_DEPTH {
            return Err(HandlerError::DeviceNesting {
                limit: MAX_DEVICE_DEPTH,
                chain: self.stack.join(" -> "),
            });
        }
        self.stack.push(key);
        Ok(())
    }

    /// Leaves the innermost device function.
    pub fn leave(&mut self) {
        self.stack.pop();
    }

    /// Appends locals, returning the index of the first.
    pub fn alloc(&mut self, locals: Vec<LocalDecl>) -> u32 {
        let base = self.locals.len() as u32;
        self.locals.extend(locals);
        base
    }
}

//! [`NativeTable`]: the original Rust functions of a program's handlers.

use crate::host::{Ctx, HostBuffers};

/// How the native backend calls one handler: the `__native` function that
/// `#[opcode]` emits next to the original one.
///
/// Arguments: the task's [`Ctx`] (its spawns, shutdown and `printf!` go to
/// the machine), the program's buffers, `bindings[i]` = the program buffer
/// index of the handler's buffer parameter `i`, and the task's argument
/// words (the slot's twelve words; the function decodes the ones it
/// takes).
pub type NativeFn = fn(&Ctx, &HostBuffers, &[usize], &[u32]);

/// The native functions of a program's handlers, by opcode id: what
/// `megakernel!` attaches to the program it assembles
/// ([`ProgramBuilder::native`](crate::program::ProgramBuilder::native)),
/// so that [`Gpu::engine`](crate::Gpu::engine) can run the program on the
/// native backend.
///
/// ```
/// use vyre_core::host::{Ctx, HostBuffers};
/// use vyre_core::program::NativeTable;
///
/// fn noop(_: &Ctx, _: &HostBuffers, _: &[usize], _: &[u32]) {}
///
/// let table = NativeTable::new().with(7, noop);
/// assert!(table.get(7).is_some() && table.get(8).is_none());
/// ```
#[derive(Clone, Default)]
pub struct NativeTable {
    entries: Vec<(u32, NativeFn)>,
}

impl std::fmt::Debug for NativeTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set()
            .entries(self.entries.iter().map(|(id, _)| format!("{id:#x}")))
            .finish()
    }
}

impl NativeTable {
    /// An empty table.
    pub fn new() -> Self {
        NativeTable::default()
    }

    /// Adds (or replaces) the function of opcode `id`.
    pub fn with(mut self, id: u32, f: NativeFn) -> Self {
        self.insert(id, f);
        self
    }

    /// Adds (or replaces) the function of opcode `id`.
    pub fn insert(&mut self, id: u32, f: NativeFn) {
        match self.entries.iter_mut().find(|(i, _)| *i == id) {
            Some(entry) => entry.1 = f,
            None => self.entries.push((id, f)),
        }
    }

    /// The function of opcode `id`.
    pub fn get(&self, id: u32) -> Option<NativeFn> {
        self.entries.iter().find(|(i, _)| *i == id).map(|&(_, f)| f)
    }

    /// Number of functions.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The opcode ids, in insertion order.
    pub fn ids(&self) -> impl Iterator<Item = u32> + '_ {
        self.entries.iter().map(|&(id, _)| id)
    }
}

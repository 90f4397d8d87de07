//! What `megakernel!` generates code against: the [`Megakernel`] trait,
//! its [`KernelBuilder`], the typed buffer accessor [`BufferAccess`], and
//! (hidden) the assembly function and the const-evaluated checks of the
//! generated code.
//!
//! A `megakernel!` type wraps one [`Runtime`]: its methods (`publish`,
//! `run`, tenants, one accessor per declared buffer) forward to it, and
//! `runtime()` / `runtime_mut()` give it out for everything else. The
//! program is assembled once per type, on first use, and shared.

mod access;
mod builder;
mod multi;

#[doc(hidden)]
pub mod __private;

use std::sync::Arc;

pub use access::BufferAccess;
pub use builder::KernelBuilder;
pub use multi::MultiKernel;

use crate::error::Result;
use crate::program::Program;
use crate::runtime::Runtime;

/// Implemented by a megakernel type for each opcode it lists
/// (`impl HasOpcode<square::Op> for Hello`), so that its typed bulk
/// methods accept only its own opcodes: publishing another kernel's
/// opcode does not compile.
#[diagnostic::on_unimplemented(
    message = "`{O}` is not an opcode of `{Self}`",
    label = "not in `{Self}`'s `opcodes: [...]`",
    note = "list the opcode in the megakernel's `opcodes`, or publish it on the megakernel that lists it"
)]
pub trait HasOpcode<O: crate::Opcode> {}

/// A megakernel type, as `megakernel!` generates it: a named program
/// (assembled once) and a [`Runtime`] of it.
pub trait Megakernel: Sized {
    /// The type's name, which is also the program's.
    const NAME: &'static str;

    /// The assembled program, shared: built on first use, then cached. An
    /// error says what could not be assembled (a handler whose IR cannot
    /// be built, a spawn of an opcode the kernel does not list).
    fn try_program() -> Result<Arc<Program>>;

    /// Wraps a runtime of [`try_program`](Self::try_program)'s program.
    #[doc(hidden)]
    fn from_runtime(runtime: Runtime) -> Self;

    /// The runtime.
    fn runtime(&self) -> &Runtime;

    /// The runtime, mutably.
    fn runtime_mut(&mut self) -> &mut Runtime;
}

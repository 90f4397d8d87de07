//! The host side of the handler language: the types a handler's parameters
//! name ([`Buffer`], [`Atomic`], [`Ctx`]), the tasks it spawns and the host
//! publishes ([`Task`]), the metadata `#[opcode]` emits ([`BufferMeta`]),
//! and the hooks the native backend drives ([`native`], [`HostBuffers`]).
//!
//! It sits just above the IR: the program keeps the handlers' native
//! functions, which take these types, so nothing here names a program,
//! an engine or a runtime.
//!
//! An `#[opcode]` function stays an ordinary Rust function. Called on the
//! host it reads and writes [`Buffer`]s, and its [`Ctx`] records what it
//! asked the scheduler for, so a handler can be unit-tested as plain Rust:
//!
//! ```
//! use vyre_core::host::{Atomic, Buffer, Ctx};
//! use vyre_core::Priority;
//!
//! // What `#[opcode] fn bump(ctx: &Ctx, hits: &Buffer<Atomic<u32>>, i: u32)`
//! // would look like written by hand.
//! fn bump(ctx: &Ctx, hits: &Buffer<Atomic<u32>>, i: u32) {
//!     if hits[i].fetch_add(1) == 0 {
//!         ctx.shutdown();
//!     }
//! }
//!
//! let hits = Buffer::<Atomic<u32>>::from_values([0, 5]);
//! let out = Ctx::call(|ctx| bump(ctx, &hits, 0));
//! assert!(out.is_done() && out.shutdown);
//! assert_eq!(hits.to_values(), vec![1, 5]);
//!
//! // An index out of bounds is the fault the GPU would report.
//! let out = Ctx::call(|ctx| bump(ctx, &hits, 7));
//! assert_eq!(out.fault(), Some(vyre_core::FaultKind::OutOfBounds { index: 7 }));
//! # let _ = Priority::High;
//! ```
//!
//! # Native mode
//!
//! The native backend runs the original functions. It drives them through
//! the thread-local hooks of [`native`]: [`native::enter`] switches the
//! current thread into *fault mode* with a per-task loop limit, in which an
//! out-of-bounds index, `ctx.fault(code)`, a bad spawn priority and
//! [`loop_tick`] past the limit unwind with a [`native::FaultSignal`]
//! (through [`std::panic::resume_unwind`], so no panic message is printed),
//! and [`native::catch`] turns the unwinding into a [`FaultKind`]. Outside
//! fault mode the same conditions panic with ordinary messages.

mod atomic;
mod buffer;
mod buffers;
mod ctx;
mod inliner;
pub mod native;
mod opcode;
mod request;
mod struct_local;
mod structs;
mod task;

#[doc(hidden)]
pub mod __private;

#[cfg(test)]
mod tests;

pub use crate::ir::HandlerError;
pub use atomic::{Atomic, AtomicElement};
pub use buffer::Buffer;
pub(crate) use buffers::each_buffer;
pub use buffers::{BufferMeta, HostAtomic, HostBuffer, HostBuffers, PlainElement};
pub use ctx::{Ctx, CtxSink, Outcome, Requested, SpawnPriority, Spawned, TaskInfo};
pub use opcode::{ArgWord, Opcode, RangeOpcode};
pub use request::{Continuation, RequestCall};
pub(crate) use structs::StructCell;
pub use structs::StructData;
pub use task::{RawTask, Task};

use crate::ir::{Literal, ScalarType};
use crate::report::FaultKind;

/// Counts one loop iteration of the running task.
///
/// `#[opcode]` and `#[device]` insert `::vyre::host::loop_tick();` as the
/// first statement of every `for`, `while` and `loop` body of the function
/// they emit. Outside native mode it is a thread-local increment and one
/// comparison that never trips; in native mode ([`native::enter`]) the task
/// faults with [`FaultKind::LoopLimit`] once its iterations exceed the
/// limit, exactly like the GPU program and the reference interpreter.
#[inline]
pub fn loop_tick() {
    native::tick();
}

/// Where `vyre::printf!` sends a line on the host.
///
/// With a print hook installed ([`native::set_print_hook`], which
/// [`Ctx::run`] and the native backend do) the format string and the typed
/// arguments go to the hook; otherwise the rendered line is printed to
/// standard output. Rendering is the one the GPU's printf records get.
pub fn printf(format: &'static str, args: &[Literal]) {
    if !native::call_print_hook(format, args) {
        println!("{}", render(format, args));
    }
}

/// Renders a printf format with its arguments the way the host report
/// renders GPU printf records.
pub fn render(format: &str, args: &[Literal]) -> String {
    let types: Vec<ScalarType> = args.iter().map(|a| a.ty()).collect();
    let words: Vec<u32> = args.iter().map(|a| a.to_word()).collect();
    render_words(format, &types, &words)
}

/// Renders a printf format whose `{}` placeholders take `words` decoded as
/// `types` (`{{` and `}}` are escaped braces): one rendering for the
/// host's `printf!` and the GPU's printf records
/// ([`PrintfFormat::render`](crate::program::PrintfFormat::render)).
pub fn render_words(format: &str, types: &[ScalarType], words: &[u32]) -> String {
    let mut out = String::new();
    let mut args = types.iter().zip(words);
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek()) {
            ('{', Some('{')) | ('}', Some('}')) => {
                chars.next();
                out.push(c);
            }
            ('{', Some('}')) => {
                chars.next();
                if let Some((ty, w)) = args.next() {
                    out.push_str(&render_word(*ty, *w));
                }
            }
            _ => out.push(c),
        }
    }
    out
}

fn render_word(ty: ScalarType, w: u32) -> String {
    match ty {
        ScalarType::Bool => (w != 0).to_string(),
        ScalarType::U32 => w.to_string(),
        ScalarType::I32 => (w as i32).to_string(),
        ScalarType::F32 => f32::from_bits(w).to_string(),
        // printf! takes 32-bit arguments only (the validator refuses
        // 64-bit ones); the word is what there is.
        ScalarType::U64 | ScalarType::I64 => w.to_string(),
    }
}

/// A short description of a fault, for panic messages.
pub(crate) fn describe_fault(kind: &FaultKind) -> String {
    kind.to_string()
}

//! Thread-local hooks that let a backend run the original handler
//! functions with GPU semantics (the *native* backend), and that
//! [`Ctx::run`](super::Ctx::run) uses for unit tests.
//!
//! State, per thread:
//! - *fault mode* ([`enter`] … the guard's drop): while on, an
//!   out-of-bounds [`Buffer`](super::Buffer) index, `ctx.fault(code)`, a
//!   spawn priority above 4 and a loop past the limit unwind with a
//!   [`FaultSignal`] payload through [`std::panic::resume_unwind`] (no panic
//!   hook runs, so nothing is printed). Off, an out-of-bounds index panics
//!   like a `Vec` does, and `ctx.fault`/a bad priority panic with a
//!   `FaultSignal` payload and a message naming the fault.
//! - the *loop limit* and the running task's *loop count*:
//!   [`loop_tick`](super::loop_tick) adds one per iteration; past the
//!   limit the task faults with [`FaultKind::LoopLimit`]. [`begin_task`]
//!   resets the count.
//! - the *print hook* ([`set_print_hook`]) that receives `printf!` calls.
//!
//! A backend runs a task as:
//!
//! ```
//! use vyre_core::host::{native, Ctx};
//! use vyre_core::FaultKind;
//!
//! let _mode = native::enter(1 << 16); // once per thread and run
//! native::begin_task();               // per task: loop count = 0
//! let ctx = Ctx::new();
//! let result = native::catch(|| ctx.fault(7));
//! assert_eq!(result.err().and_then(|c| c.fault()), Some(FaultKind::User { code: 7 }));
//! ```
//!
//! Integer division or remainder by zero is a Rust panic that the host
//! function raises itself; [`catch`] classifies it as
//! [`FaultKind::DivideByZero`], and [`install_quiet_panic_hook`] keeps it
//! from being printed while fault mode is on. Other panics (a debug-build
//! overflow, a failed `assert!`) come back as [`Caught::Panic`].

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

use crate::ir::Literal;
use crate::report::FaultKind;

/// The unwinding payload of a fault raised in fault mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FaultSignal(pub FaultKind);

/// What [`catch`] caught.
#[derive(Debug)]
pub enum Caught {
    /// The task faulted (fault signal, or division by zero).
    Fault(FaultKind),
    /// Any other panic, with its payload.
    Panic(Box<dyn Any + Send>),
}

impl Caught {
    /// The fault, when it is one.
    pub fn fault(&self) -> Option<FaultKind> {
        match self {
            Caught::Fault(k) => Some(*k),
            Caught::Panic(_) => None,
        }
    }

    /// The panic message, when the payload is a string.
    pub fn message(&self) -> Option<&str> {
        match self {
            Caught::Fault(_) => None,
            Caught::Panic(p) => payload_str(p.as_ref()),
        }
    }
}

struct State {
    fault_mode: Cell<bool>,
    loop_limit: Cell<u32>,
    loop_count: Cell<u32>,
}

thread_local! {
    static STATE: State = const {
        State {
            fault_mode: Cell::new(false),
            loop_limit: Cell::new(u32::MAX),
            loop_count: Cell::new(0),
        }
    };
    static PRINT_HOOK: RefCell<Option<PrintHook>> = const { RefCell::new(None) };
}

/// Receives `printf!` calls: the format string and the typed arguments.
pub type PrintHook = Box<dyn FnMut(&'static str, &[Literal])>;

/// Restores the previous fault mode and loop limit when dropped.
#[derive(Debug)]
#[must_use = "fault mode ends when the guard is dropped"]
pub struct FaultModeGuard {
    fault_mode: bool,
    loop_limit: u32,
    loop_count: u32,
}

impl Drop for FaultModeGuard {
    fn drop(&mut self) {
        STATE.with(|s| {
            s.fault_mode.set(self.fault_mode);
            s.loop_limit.set(self.loop_limit);
            s.loop_count.set(self.loop_count);
        });
    }
}

/// Turns fault mode on for this thread, with `loop_limit` iterations per
/// task (`u32::MAX`: none), and resets the loop count. Also installs the
/// quiet panic hook ([`install_quiet_panic_hook`]). Nests: the guard
/// restores the previous state.
pub fn enter(loop_limit: u32) -> FaultModeGuard {
    install_quiet_panic_hook();
    STATE.with(|s| FaultModeGuard {
        fault_mode: s.fault_mode.replace(true),
        loop_limit: s.loop_limit.replace(loop_limit),
        loop_count: s.loop_count.replace(0),
    })
}

/// Whether this thread is in fault mode.
pub fn in_fault_mode() -> bool {
    STATE.with(|s| s.fault_mode.get())
}

/// Starts a task: its loop count goes back to 0.
pub fn begin_task() {
    STATE.with(|s| s.loop_count.set(0));
}

/// Loop iterations the running task has made.
pub fn loop_count() -> u32 {
    STATE.with(|s| s.loop_count.get())
}

/// The loop limit in force (`u32::MAX` outside fault mode).
pub fn loop_limit() -> u32 {
    STATE.with(|s| s.loop_limit.get())
}

#[inline]
pub(super) fn tick() {
    let tripped = STATE.with(|s| {
        let n = s.loop_count.get().wrapping_add(1);
        s.loop_count.set(n);
        n > s.loop_limit.get()
    });
    if tripped {
        raise(FaultKind::LoopLimit {
            limit: loop_limit(),
        });
    }
}

/// Faults the running task: unwinds with a [`FaultSignal`] payload. In
/// fault mode nothing is printed ([`std::panic::resume_unwind`]); outside
/// it this is an ordinary panic whose message (printed by the hook that
/// [`install_quiet_panic_hook`] installs) describes the fault, so that a
/// handler called as plain Rust fails loudly.
#[cold]
#[track_caller]
pub fn raise(kind: FaultKind) -> ! {
    if in_fault_mode() {
        panic::resume_unwind(Box::new(FaultSignal(kind)))
    }
    install_quiet_panic_hook();
    panic::panic_any(FaultSignal(kind))
}

/// Runs `f`, turning a fault into `Err(Caught::Fault)`: a [`FaultSignal`]
/// unwinding, Rust's integer division/remainder-by-zero panic, or its
/// index-out-of-bounds panic (an array indexed past its end). Any other
/// panic is returned as `Err(Caught::Panic)`.
pub fn catch<R>(f: impl FnOnce() -> R) -> Result<R, Caught> {
    panic::catch_unwind(AssertUnwindSafe(f)).map_err(classify)
}

fn classify(payload: Box<dyn Any + Send>) -> Caught {
    if let Some(FaultSignal(kind)) = payload.downcast_ref::<FaultSignal>() {
        return Caught::Fault(*kind);
    }
    if payload_str(payload.as_ref()).is_some_and(is_division_by_zero) {
        return Caught::Fault(FaultKind::DivideByZero);
    }
    if let Some(index) = payload_str(payload.as_ref()).and_then(out_of_bounds_index) {
        return Caught::Fault(FaultKind::OutOfBounds { index });
    }
    Caught::Panic(payload)
}

/// The index of Rust's own out-of-bounds panic (an array field of a struct,
/// say: `p.pos[j]`), saturated to `u32` as the fault's detail.
fn out_of_bounds_index(msg: &str) -> Option<u32> {
    let rest = msg.strip_prefix("index out of bounds: the len is ")?;
    let (_, index) = rest.split_once(" but the index is ")?;
    let index: u64 = index.trim().parse().ok()?;
    Some(u32::try_from(index).unwrap_or(u32::MAX))
}

fn payload_str(p: &(dyn Any + Send)) -> Option<&str> {
    p.downcast_ref::<&'static str>()
        .copied()
        .or_else(|| p.downcast_ref::<String>().map(String::as_str))
}

fn is_division_by_zero(msg: &str) -> bool {
    msg == "attempt to divide by zero"
        || msg == "attempt to calculate the remainder with a divisor of zero"
}

/// Wraps the current panic hook: on threads in fault mode, Rust's
/// division/remainder-by-zero panics print nothing (they are reported as
/// faults); a [`FaultSignal`] raised outside fault mode prints a message
/// naming the fault. Every other panic goes to the previous hook.
/// Installed once per process; [`enter`] and [`raise`] call it.
pub fn install_quiet_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if let Some(FaultSignal(kind)) = info.payload().downcast_ref::<FaultSignal>() {
                let thread = std::thread::current();
                let name = thread.name().unwrap_or("<unnamed>");
                let at = info
                    .location()
                    .map(|l| format!(" at {}:{}:{}", l.file(), l.line(), l.column()))
                    .unwrap_or_default();
                eprintln!(
                    "thread '{name}' panicked{at}:\nvyre: the handler faulted: {} (run it through Ctx::run or a backend to observe faults)",
                    super::describe_fault(kind)
                );
                return;
            }
            let quiet =
                in_fault_mode() && payload_str(info.payload()).is_some_and(is_division_by_zero);
            if !quiet {
                previous(info);
            }
        }));
    });
}

/// Installs the print hook of this thread, returning the previous one.
pub fn set_print_hook(hook: Option<PrintHook>) -> Option<PrintHook> {
    PRINT_HOOK.with(|h| std::mem::replace(&mut *h.borrow_mut(), hook))
}

/// Calls the print hook if one is installed; false when none is.
pub(super) fn call_print_hook(format: &'static str, args: &[Literal]) -> bool {
    // Take the hook out while it runs, so a hook that prints does not
    // re-borrow it.
    let Some(mut hook) = PRINT_HOOK.with(|h| h.borrow_mut().take()) else {
        return false;
    };
    hook(format, args);
    PRINT_HOOK.with(|h| {
        let mut slot = h.borrow_mut();
        if slot.is_none() {
            *slot = Some(hook);
        }
    });
    true
}

//! Support for the code `megakernel!` generates. Not a public API: it
//! changes with the macro.
//!
//! The compile-time checks that need values from other items (the
//! handlers' ids and buffer parameters, which `#[opcode]` emits as
//! constants) are `const fn`s returning a message; the generated code
//! panics with it inside a `const _: () = …;` item placed on the span of
//! the opcode it is about, so rustc reports it there, as a compile error.

use std::sync::Arc;

use crate::error::{Error, Result};
use crate::host::{BufferMeta, HandlerError};
use crate::ir::OpcodeHandler;
use crate::ir::{Access, BufferKind, ScalarType};
use crate::program::{NativeFn, NativeTable};
use crate::program::{Program, ProgramConfig};
use crate::protocol::RESERVED_ID_START;

/// One buffer the megakernel declares.
#[derive(Debug, Clone, Copy)]
pub struct Declared {
    /// Its name.
    pub name: &'static str,
    /// Its element type and atomicity.
    pub kind: BufferKind,
}

impl Declared {
    /// A declared buffer.
    pub const fn new(name: &'static str, kind: BufferKind) -> Self {
        Declared { name, kind }
    }
}

/// One opcode of the megakernel, as the generated code lists it.
pub struct Opcode {
    /// The handler's IR, or why it cannot be built.
    pub handler: fn() -> std::result::Result<OpcodeHandler, HandlerError>,
    /// Its id.
    pub id: u32,
    /// Its name.
    pub name: &'static str,
    /// Its native entry point.
    pub native: NativeFn,
}

/// Assembles the program of megakernel `name`.
pub fn assemble(
    name: &str,
    config: ProgramConfig,
    buffers: &[Declared],
    opcodes: &[Opcode],
) -> Result<Arc<Program>> {
    assemble_all(name, config, buffers, opcodes, &[])
}

fn assemble_all(
    name: &str,
    config: ProgramConfig,
    buffers: &[Declared],
    opcodes: &[Opcode],
    requests: &[fn() -> crate::program::RequestKind],
) -> Result<Arc<Program>> {
    let mut builder = Program::builder(name).config(config);
    for kind in requests {
        builder = builder.request_kind(kind());
    }
    for b in buffers {
        builder = builder.buffer(b.name, b.kind);
    }
    let mut table = NativeTable::new();
    for op in opcodes {
        let handler = (op.handler)().map_err(|source| Error::Handler {
            opcode: op.name.to_string(),
            source,
        })?;
        builder = builder.opcode(handler);
        table.insert(op.id, op.native);
    }
    Ok(Arc::new(builder.native(table).build()?))
}

/// [`assemble`] for a megakernel with `requests: [..]`: the request kinds
/// (each `kind::kind`) declared too.
pub fn assemble_with_requests(
    name: &str,
    config: ProgramConfig,
    buffers: &[Declared],
    opcodes: &[Opcode],
    requests: &[fn() -> crate::program::RequestKind],
) -> Result<Arc<Program>> {
    assemble_all(name, config, buffers, opcodes, requests)
}

// ---- const-evaluated checks -------------------------------------------

/// A message built at compile time (a fixed buffer; longer text is cut).
#[derive(Clone, Copy)]
pub struct Msg {
    buf: [u8; Msg::CAPACITY],
    len: usize,
}

impl Msg {
    const CAPACITY: usize = 1024;

    /// An empty message.
    pub const fn new() -> Self {
        Msg {
            buf: [0; Msg::CAPACITY],
            len: 0,
        }
    }

    /// Appends `s` (whole UTF-8 strings only, so the text stays valid).
    pub const fn push(mut self, s: &str) -> Self {
        let b = s.as_bytes();
        if self.len + b.len() > Msg::CAPACITY {
            return self;
        }
        let mut i = 0;
        while i < b.len() {
            self.buf[self.len] = b[i];
            self.len += 1;
            i += 1;
        }
        self
    }

    /// Appends `v` in base `radix` (10 or 16), without leading zeros.
    const fn push_radix(self, mut v: u32, radix: u32) -> Self {
        let mut digits = [0u8; 10];
        let mut start = digits.len();
        loop {
            let d = (v % radix) as u8;
            start -= 1;
            digits[start] = if d < 10 { b'0' + d } else { b'a' + d - 10 };
            v /= radix;
            if v == 0 {
                break;
            }
        }
        let (_, tail) = digits.split_at(start);
        match std::str::from_utf8(tail) {
            Ok(s) => self.push(s),
            Err(_) => self,
        }
    }

    /// Appends `v` in hexadecimal (`0x…`).
    pub const fn push_hex(self, v: u32) -> Self {
        self.push("0x").push_radix(v, 16)
    }

    /// Appends `v` in decimal.
    pub const fn push_dec(self, v: u32) -> Self {
        self.push_radix(v, 10)
    }

    /// The text.
    pub const fn as_str(&self) -> &str {
        let (head, _) = self.buf.split_at(self.len);
        match std::str::from_utf8(head) {
            Ok(s) => s,
            Err(_) => "megakernel!: invalid message",
        }
    }
}

impl Default for Msg {
    fn default() -> Self {
        Msg::new()
    }
}

const fn elem_name(t: ScalarType) -> &'static str {
    match t {
        ScalarType::Bool => "bool",
        ScalarType::U32 => "u32",
        ScalarType::I32 => "i32",
        ScalarType::F32 => "f32",
        ScalarType::U64 => "u64",
        ScalarType::I64 => "i64",
    }
}

/// `&Buffer<u32>`, `&mut Buffer<u32>` or `&Buffer<Atomic<u32>>`.
const fn push_param(m: Msg, p: &BufferMeta) -> Msg {
    let m = match p.access {
        Access::Read => m.push("&Buffer<"),
        Access::ReadWrite => m.push("&mut Buffer<"),
        Access::Atomic => m.push("&Buffer<Atomic<"),
    };
    let m = match p.structure {
        Some(s) => m.push(s.name),
        None => m.push(elem_name(p.elem)),
    };
    match p.access {
        Access::Atomic => m.push(">>"),
        _ => m.push(">"),
    }
}

/// `u32`, `Atomic<u32>` or a struct's name.
const fn push_kind(m: Msg, k: BufferKind) -> Msg {
    if let Some(s) = k.structure {
        m.push(s.name)
    } else if k.atomic {
        m.push("Atomic<").push(elem_name(k.elem)).push(">")
    } else {
        m.push(elem_name(k.elem))
    }
}

/// Finds `name` among the declared buffers.
const fn find(declared: &[Declared], name: &str) -> Option<BufferKind> {
    let mut i = 0;
    while i < declared.len() {
        let d = &declared[i];
        let meta = BufferMeta::new(d.name, ScalarType::U32, Access::Read);
        if meta.name_is(name) {
            return Some(d.kind);
        }
        i += 1;
    }
    None
}

/// Checks that every buffer parameter of opcode `opcode` binds to a
/// declared buffer of a compatible kind; the message of the first that
/// does not.
pub const fn check_bindings(
    kernel: &str,
    opcode: &str,
    params: &[BufferMeta],
    declared: &[Declared],
) -> Option<Msg> {
    let mut i = 0;
    while i < params.len() {
        let p = &params[i];
        let head = Msg::new()
            .push("megakernel `")
            .push(kernel)
            .push("`: opcode `")
            .push(opcode)
            .push("` takes buffer `")
            .push(p.name)
            .push("` as `");
        let head = push_param(head, p);
        match find(declared, p.name) {
            None => {
                let m = head
                    .push("`, but `")
                    .push(kernel)
                    .push("` declares no buffer `")
                    .push(p.name)
                    .push("`; add `")
                    .push(p.name)
                    .push(": ");
                let kind = match p.structure {
                    Some(s) => BufferKind::of(vyre_lang::Layout::Struct(s)),
                    None if matches!(p.access, Access::Atomic) => BufferKind::atomic(p.elem),
                    None => BufferKind::plain(p.elem),
                };
                let m = push_kind(m, kind).push(
                    "` to its `buffers: { … }`, or rename the parameter to a declared buffer",
                );
                return Some(m);
            }
            Some(kind) => {
                if !p.admits(kind) {
                    let m = head.push("`, but `").push(kernel).push("` declares `");
                    let m = push_kind(m.push(p.name).push(": "), kind).push("`; ");
                    let m = if let Some(s) = kind.structure {
                        m.push("take it as `&Buffer<")
                            .push(s.name)
                            .push(">` or `&mut Buffer<")
                            .push(s.name)
                            .push(">`")
                    } else if kind.atomic {
                        m.push("take it as `&Buffer<Atomic<")
                            .push(elem_name(kind.elem))
                            .push(">>`")
                    } else {
                        m.push("take it as `&Buffer<")
                            .push(elem_name(kind.elem))
                            .push(">` or `&mut Buffer<")
                            .push(elem_name(kind.elem))
                            .push(">`")
                    };
                    let m = m.push(", or declare it as `").push(p.name).push(": ");
                    let wanted = match p.structure {
                        Some(s) => BufferKind::of(vyre_lang::Layout::Struct(s)),
                        None if matches!(p.access, Access::Atomic) => BufferKind::atomic(p.elem),
                        None => BufferKind::plain(p.elem),
                    };
                    return Some(push_kind(m, wanted).push("`"));
                }
            }
        }
        i += 1;
    }
    None
}

/// The message when opcode `opcode`'s id is reserved.
pub const fn check_reserved(kernel: &str, opcode: &str, id: u32) -> Option<Msg> {
    if id < RESERVED_ID_START {
        return None;
    }
    Some(
        Msg::new()
            .push("megakernel `")
            .push(kernel)
            .push("`: opcode `")
            .push(opcode)
            .push("` has id ")
            .push_hex(id)
            .push(", in the range 0xffff0000..=0xffffffff reserved for the system; give it another id with #[opcode(id = …)]"),
    )
}

/// The message when opcode `index` of `opcodes` (path, id) has the id of
/// an earlier one (the first such).
pub const fn check_unique(kernel: &str, opcodes: &[(&str, u32)], index: usize) -> Option<Msg> {
    if index >= opcodes.len() {
        return None;
    }
    let (second, id) = opcodes[index];
    let mut j = 0;
    while j < index {
        if opcodes[j].1 == id {
            return check_distinct(kernel, opcodes[j].0, opcodes[j].1, second, id);
        }
        j += 1;
    }
    None
}

/// The message when opcodes `first` and `second` share an id.
pub const fn check_distinct(
    kernel: &str,
    first: &str,
    first_id: u32,
    second: &str,
    second_id: u32,
) -> Option<Msg> {
    if first_id != second_id {
        return None;
    }
    Some(
        Msg::new()
            .push("megakernel `")
            .push(kernel)
            .push("`: opcodes `")
            .push(first)
            .push("` and `")
            .push(second)
            .push("` both have id ")
            .push_hex(second_id)
            .push("; a task names its handler by id, so give one of them another id with #[opcode(id = …)]"),
    )
}

/// The message when a configuration value lies outside `min ..= max`.
pub const fn check_range(
    kernel: &str,
    field: &str,
    value: u32,
    min: u32,
    max: u32,
    why: &str,
) -> Option<Msg> {
    if value >= min && value <= max {
        return None;
    }
    Some(
        Msg::new()
            .push("megakernel `")
            .push(kernel)
            .push("`: `")
            .push(field)
            .push("` is ")
            .push_dec(value)
            .push(", but ")
            .push(why),
    )
}

/// The message when `value` is not a power of two.
pub const fn check_power_of_two(kernel: &str, field: &str, value: u32, why: &str) -> Option<Msg> {
    if value.is_power_of_two() {
        return None;
    }
    Some(
        Msg::new()
            .push("megakernel `")
            .push(kernel)
            .push("`: `")
            .push(field)
            .push("` is ")
            .push_dec(value)
            .push(", which is not a power of two: ")
            .push(why),
    )
}

/// The message when partition sizes do not split the ring.
pub const fn check_partitions(kernel: &str, sizes: [u32; 5], slots: u32) -> Option<Msg> {
    let mut sum = 0u64;
    let mut zero = false;
    let mut i = 0;
    while i < 5 {
        sum += sizes[i] as u64;
        zero |= sizes[i] == 0;
        i += 1;
    }
    if !zero && sum == slots as u64 {
        return None;
    }
    Some(
        Msg::new()
            .push("megakernel `")
            .push(kernel)
            .push("`: `partitions` must give each of the five priorities at least one slot and add up to `slots`"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const DECLARED: &[Declared] = &[
        Declared::new("dist", BufferKind::atomic(ScalarType::U32)),
        Declared::new("edges", BufferKind::plain(ScalarType::U32)),
    ];

    #[test]
    fn binding_messages_name_the_kernel_the_opcode_and_the_buffer() {
        let ok = [
            BufferMeta::new("edges", ScalarType::U32, Access::Read),
            BufferMeta::new("dist", ScalarType::U32, Access::Atomic),
        ];
        assert!(check_bindings("Bfs", "visit", &ok, DECLARED).is_none());
        let missing = [BufferMeta::new("seen", ScalarType::I32, Access::ReadWrite)];
        let m = check_bindings("Bfs", "visit", &missing, DECLARED).unwrap();
        assert_eq!(
            m.as_str(),
            "megakernel `Bfs`: opcode `visit` takes buffer `seen` as `&mut Buffer<i32>`, but `Bfs` declares no buffer `seen`; add `seen: i32` to its `buffers: { … }`, or rename the parameter to a declared buffer"
        );
        let plain = [BufferMeta::new("dist", ScalarType::U32, Access::ReadWrite)];
        let m = check_bindings("Bfs", "visit", &plain, DECLARED).unwrap();
        assert_eq!(
            m.as_str(),
            "megakernel `Bfs`: opcode `visit` takes buffer `dist` as `&mut Buffer<u32>`, but `Bfs` declares `dist: Atomic<u32>`; take it as `&Buffer<Atomic<u32>>`, or declare it as `dist: u32`"
        );
        let atomic = [BufferMeta::new("edges", ScalarType::U32, Access::Atomic)];
        let m = check_bindings("Bfs", "visit", &atomic, DECLARED).unwrap();
        assert!(m
            .as_str()
            .contains("take it as `&Buffer<u32>` or `&mut Buffer<u32>`"));
    }

    #[test]
    fn id_messages() {
        assert!(check_reserved("K", "a", 0xFFFE_FFFF).is_none());
        let m = check_reserved("K", "a", 0xFFFF_0001).unwrap();
        assert!(m.as_str().contains("has id 0xffff0001"), "{}", m.as_str());
        assert_eq!(
            Msg::new().push_dec(0).push(" ").push_dec(u32::MAX).as_str(),
            "0 4294967295"
        );
        assert_eq!(Msg::new().push_hex(0).as_str(), "0x0");
        assert!(check_distinct("K", "a", 1, "b", 2).is_none());
        let m = check_distinct("K", "a", 0x100, "b", 0x100).unwrap();
        assert!(m.as_str().contains("`a` and `b` both have id 0x100"));
    }

    #[test]
    fn config_messages() {
        assert!(check_range("K", "slots", 5, 5, 10, "").is_none());
        assert!(check_range("K", "slots", 4, 5, 10, "why").is_some());
        assert!(check_power_of_two("K", "inbox_capacity", 64, "").is_none());
        assert!(check_power_of_two("K", "inbox_capacity", 63, "").is_some());
        assert!(check_partitions("K", [1, 1, 1, 1, 1], 5).is_none());
        assert!(check_partitions("K", [0, 2, 1, 1, 1], 5).is_some());
        assert!(check_partitions("K", [u32::MAX, 1, 1, 1, 1], 4).is_some());
    }

    #[test]
    fn long_messages_are_cut_at_a_whole_string() {
        let long = "x".repeat(600);
        let m = Msg::new().push(&long).push(&long).push("end");
        assert_eq!(m.as_str().len(), 603);
        assert_eq!(Msg::default().as_str(), "");
    }
}

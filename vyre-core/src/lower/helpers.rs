//! Helper functions emitted on demand: checked buffer access, checked
//! integer division, Rust-exact conversions and intrinsics.
//!
//! Each helper is registered under its (hygienic) name the first time a
//! handler needs it and emitted once, in name order, so the module only
//! holds what the program uses. Helpers that can fault call `vy_fail`,
//! which keeps the first fault of the task; helpers with side effects do
//! nothing once a fault is recorded (`docs/protocol.md`, "Inside a task").
//! Every helper is a function call, so naga never constant-folds through
//! it (a folded fault or non-finite value would be a shader-creation
//! error rather than a runtime fault).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use super::names::{buffer, buffer_helper, wgsl_type, zero};
use super::CAS_TRIES;
use crate::ir::{AtomicOp, ScalarType};
use crate::program::ProgramBuffer;

/// The helpers one module needs, by name.
#[derive(Debug, Default)]
pub(super) struct Helpers {
    items: BTreeMap<String, String>,
    /// The argument word counts of the spawns deferred from handlers'
    /// tails ([`Helpers::tail_spawn`]).
    tail_words: BTreeSet<usize>,
}

impl Helpers {
    /// Registers helper `name`, built by `make` unless already present,
    /// and returns the name.
    fn add(&mut self, name: String, make: impl FnOnce(&str) -> String) -> String {
        if !self.items.contains_key(&name) {
            let text = make(&name);
            self.items.insert(name.clone(), text);
        }
        name
    }

    /// Appends every registered helper to `out`.
    pub(super) fn emit(&self, out: &mut String) {
        if self.items.is_empty() {
            return;
        }
        out.push_str("// ---- helpers used by the handlers ----\n\n");
        for text in self.items.values() {
            out.push_str(text);
            out.push('\n');
        }
        if let Some(&words) = self.tail_words.last() {
            out.push_str(&super::spawn::tail_state(words));
            out.push('\n');
        }
    }

    /// Checked integer `/` (or `%` when `rem`) on `ty` (`u32` or `i32`).
    pub(super) fn div(&mut self, ty: ScalarType, rem: bool) -> String {
        let t = wgsl_type(ty);
        let what = if rem { "rem" } else { "div" };
        self.add(format!("vy_{what}_{t}"), |name| {
            let z = zero(ty);
            let mut s = String::new();
            let doc = if rem { "Remainder" } else { "Division" };
            let _ = writeln!(
                s,
                "// {doc} as in Rust, but a zero divisor faults the task (DIVIDE_BY_ZERO, detail 0)\n\
                 // and yields 0 instead of panicking."
            );
            let _ = writeln!(s, "fn {name}(a: {t}, b: {t}) -> {t} {{");
            let _ = writeln!(s, "    if (b == {z}) {{");
            let _ = writeln!(s, "        vy_fail(vy_FAULT_DIVIDE_BY_ZERO, 0u);");
            let _ = writeln!(s, "        return {z};");
            let _ = writeln!(s, "    }}");
            if ty == ScalarType::I32 {
                // i32::MIN / -1 overflows: Rust's wrapping_div gives MIN,
                // wrapping_rem gives 0. x / -1 == -x (wrapping) and
                // x % -1 == 0 for every x, so test the divisor alone.
                let _ = writeln!(s, "    // i32::MIN / -1 wraps to i32::MIN and i32::MIN % -1 is 0, as with");
                let _ = writeln!(s, "    // Rust's wrapping_div / wrapping_rem; no fault.");
                let _ = writeln!(s, "    if (b == -1i) {{");
                if rem {
                    let _ = writeln!(s, "        return 0i;");
                } else {
                    let _ = writeln!(s, "        return bitcast<i32>(0u - bitcast<u32>(a));");
                }
                let _ = writeln!(s, "    }}");
            }
            if rem && ty == ScalarType::I32 {
                // Through the truncating division rather than `%`: naga's
                // GLSL back end writes `%`, whose result GLSL leaves
                // undefined for negative operands (llvmpipe's GL gives the
                // floored remainder); `a - (a / b) * b` is Rust's `%` on
                // every backend.
                let _ = writeln!(s, "    return a - (a / b) * b;");
            } else {
                let op = if rem { "%" } else { "/" };
                let _ = writeln!(s, "    return a {op} b;");
            }
            let _ = writeln!(s, "}}");
            s
        })
    }

    /// The 64-bit integer library (`wgsl/int64.wgsl`): `u64` and `i64` as
    /// `vec2<u32>`, low word first.
    pub(super) fn int64(&mut self) {
        self.add("vy_int64".into(), |_| {
            include_str!("wgsl/int64.wgsl").to_string()
        });
    }

    /// Checked `/` (or `%` when `rem`) on `u64` or `i64`: a zero divisor
    /// faults the task, as on 32-bit integers.
    pub(super) fn div_wide(&mut self, ty: ScalarType, rem: bool) -> String {
        self.int64();
        let t = ty.rust_name();
        let what = if rem { "rem" } else { "div" };
        self.add(format!("vy_{what}_{t}"), |name| {
            let doc = if rem { "Remainder" } else { "Division" };
            format!(
                "// {doc} as in Rust (wrapping for i64::MIN / -1), but a zero divisor faults the
                 // task (DIVIDE_BY_ZERO, detail 0) and yields 0 instead of panicking.
                 fn {name}(a: vec2<u32>, b: vec2<u32>) -> vec2<u32> {{
                     if (all(b == vec2<u32>())) {{
        vy_fail(vy_FAULT_DIVIDE_BY_ZERO, 0u);
                         return vec2<u32>();
    }}
    return vy_{t}_{what}(a, b);
}}
"
            )
        })
    }

    /// `ctx.spawn` of a task of `words` argument words, as
    /// `vy_spawn_<words>(priority, opcode, a0, …)` (`wgsl/spawn.wgsl`). One
    /// helper per argument count the program spawns with: a spawn site
    /// passes its words as values, not as an array of `MAX_ARGS` words
    /// that the driver would take apart again at every site
    /// (docs/benchmarks.md, "Latest runs (session 18)").
    pub(super) fn spawn(&mut self, words: usize) -> String {
        self.add(super::spawn::name(words), |name| {
            super::spawn::spawn(name, words)
        })
    }

    /// A spawn of `words` argument words in a handler's tail position,
    /// deferred to `vy_dispatch` ([`Helpers::tail_call`]): registers the
    /// spawn helper that call uses and the tail state's words.
    pub(super) fn tail_spawn(&mut self, words: usize) {
        self.spawn(words);
        self.tail_words.insert(words);
    }

    /// `vy_dispatch`'s call of the spawns handlers deferred from their
    /// tails (`spawn::tail_call`); empty when there are none.
    pub(super) fn tail_call(&self) -> String {
        let counts: Vec<usize> = self.tail_words.iter().copied().collect();
        super::spawn::tail_call(&counts)
    }

    /// `bitcast<f32>(bits)` behind a call, so special values (NaN, ±inf,
    /// -0.0, subnormals) reach the shader bit-exact and are never
    /// constant-folded (WGSL rejects non-finite constants).
    pub(super) fn f32_bits(&mut self) -> String {
        self.add("vy_f32_bits".into(), |name| {
            format!(
                "// An f32 from its IEEE-754 bits: how literals that WGSL cannot spell exactly\n\
                 // (NaN, infinities, -0.0, subnormals) are written.\n\
                 fn {name}(bits: u32) -> f32 {{\n    return bitcast<f32>(bits);\n}}\n"
            )
        })
    }

    fn is_nan(&mut self) -> String {
        self.add("vy_is_nan".into(), |name| {
            format!(
                "// NaN test on the bits, immune to fast-math assumptions about x != x.\n\
                 fn {name}(x: f32) -> bool {{\n    return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u;\n}}\n"
            )
        })
    }

    /// Rust's `f32 as u32` / `f32 as i32`: truncation toward zero,
    /// saturating at the type's bounds, NaN to 0.
    pub(super) fn f32_to_int(&mut self, to: ScalarType) -> String {
        let nan = self.is_nan();
        let t = wgsl_type(to);
        self.add(format!("vy_f32_to_{t}"), |name| {
            let (low, high) = if to == ScalarType::I32 {
                (
                    "    if (x < -2147483648.0f) {\n        return -2147483647i - 1i;\n    }\n",
                    "    if (x >= 2147483648.0f) {\n        return 2147483647i;\n    }\n",
                )
            } else {
                (
                    "    if (x <= 0.0f) {\n        return 0u;\n    }\n",
                    "    if (x >= 4294967296.0f) {\n        return 4294967295u;\n    }\n",
                )
            };
            format!(
                "// Rust's `f32 as {t}`: rounds toward zero and saturates; NaN becomes 0.\n\
                 fn {name}(x: f32) -> {t} {{\n    if ({nan}(x)) {{\n        return {z};\n    }}\n\
                 {low}{high}    return {t}(x);\n}}\n",
                z = zero(to)
            )
        })
    }

    /// Rust's `f32::round`: half away from zero (WGSL's `round` is half
    /// to even).
    pub(super) fn round(&mut self) -> String {
        self.add("vy_round".into(), |name| {
            format!(
                "// Rust's f32::round: halfway cases round away from zero. x - trunc(x) is exact,\n\
                 // so 0.49999997 stays 0 and large values (no fraction) are unchanged; NaN and\n\
                 // infinities pass through.\n\
                 fn {name}(x: f32) -> f32 {{\n    let t = trunc(x);\n    \
                 return select(t, t + sign(x), abs(x - t) >= 0.5f);\n}}\n"
            )
        })
    }

    /// `u32::rotate_left` (or `rotate_right`), amount modulo 32.
    pub(super) fn rotate(&mut self, left: bool) -> String {
        let (what, a, b) = if left {
            ("rotl", "<<", ">>")
        } else {
            ("rotr", ">>", "<<")
        };
        self.add(format!("vy_{what}"), |name| {
            format!(
                "// u32::rotate_{dir}: the amount is taken modulo 32; an amount of 0 (mod 32)\n\
                 // returns x unchanged (the complementary shift is masked to 0 as well).\n\
                 fn {name}(x: u32, n: u32) -> u32 {{\n    let k = n & 31u;\n    \
                 return (x {a} k) | (x {b} ((32u - k) & 31u));\n}}\n",
                dir = if left { "left" } else { "right" }
            )
        })
    }

    /// `buf.len()`: the logical length (the host allocates one more).
    pub(super) fn len(&mut self, buf: &ProgramBuffer) -> String {
        let b = buffer(&buf.name);
        // A struct buffer is bound as its words.
        let per = buf.kind.element_words().max(1);
        let words = if buf.kind.structure.is_some() && per > 1 {
            format!("arrayLength(&{b}) / {per}u")
        } else {
            format!("arrayLength(&{b})")
        };
        self.add(buffer_helper("len", &buf.name), |name| {
            format!(
                "// Logical length of `{src}`: the host allocates one element more, so that an\n\
                 // empty buffer is still a valid binding.\n\
                 fn {name}() -> u32 {{\n    return max({words}, 1u) - 1u;\n}}\n",
                src = buf.name
            )
        })
    }

    /// One word of `buf[index]`'s struct, bounds-checked: the element index
    /// first (fault detail: it), then the array field's index (`ok` false:
    /// fault with `detail`), as Rust checks them.
    pub(super) fn field_word(&mut self, buf: &ProgramBuffer) -> String {
        let len = self.len(buf);
        let b = buffer(&buf.name);
        let per = buf.kind.element_words().max(1);
        self.add(buffer_helper("field", &buf.name), |name| {
            format!(
                "// One word of a `{src}` struct: the element index out of bounds faults with\n\
                 // it, then an array field's index with `detail`; yields 0 then.\n\
                 fn {name}(index: u32, word: u32, ok: bool, detail: u32) -> u32 {{\n    \
                 if (index >= {len}()) {{\n        vy_fail(vy_FAULT_OUT_OF_BOUNDS, index);\n        return 0u;\n    }}\n    \
                 if (!ok) {{\n        vy_fail(vy_FAULT_OUT_OF_BOUNDS, detail);\n        return 0u;\n    }}\n    \
                 return {b}[index * {per}u + word];\n}}\n",
                src = buf.name
            )
        })
    }

    /// Stores one word of `buf[index]`'s struct, with the checks of
    /// [`field_word`](Self::field_word); nothing once the task has faulted.
    pub(super) fn store_field_word(&mut self, buf: &ProgramBuffer) -> String {
        let len = self.len(buf);
        let b = buffer(&buf.name);
        let per = buf.kind.element_words().max(1);
        self.add(buffer_helper("store_field", &buf.name), |name| {
            format!(
                "// Stores one word of a `{src}` struct, checked as the loads are; nothing is\n\
                 // written once the task has faulted.\n\
                 fn {name}(index: u32, word: u32, value: u32, ok: bool, detail: u32) {{\n    \
                 if (index >= {len}()) {{\n        vy_fail(vy_FAULT_OUT_OF_BOUNDS, index);\n        return;\n    }}\n    \
                 if (!ok) {{\n        vy_fail(vy_FAULT_OUT_OF_BOUNDS, detail);\n        return;\n    }}\n    \
                 if (vy_fault == 0u) {{\n        {b}[index * {per}u + word] = value;\n    }}\n}}\n",
                src = buf.name
            )
        })
    }

    /// `buf[index]` on a plain buffer, bounds-checked.
    pub(super) fn load(&mut self, buf: &ProgramBuffer) -> String {
        let len = self.len(buf);
        let b = buffer(&buf.name);
        let t = wgsl_type(buf.kind.elem);
        self.add(buffer_helper("load", &buf.name), |name| {
            format!(
                "// `{src}[index]`: out of bounds faults the task (OUT_OF_BOUNDS, detail = index)\n\
                 // and yields 0.\n\
                 fn {name}(index: u32) -> {t} {{\n    if (index < {len}()) {{\n        return {b}[index];\n    }}\n    \
                 vy_fail(vy_FAULT_OUT_OF_BOUNDS, index);\n    return {z};\n}}\n",
                src = buf.name,
                z = zero(buf.kind.elem)
            )
        })
    }

    /// `buf[index] = value` on a read-write buffer, bounds-checked, skipped
    /// once the task has faulted.
    pub(super) fn store(&mut self, buf: &ProgramBuffer) -> String {
        let len = self.len(buf);
        let b = buffer(&buf.name);
        let t = wgsl_type(buf.kind.elem);
        self.add(buffer_helper("store", &buf.name), |name| {
            format!(
                "// `{src}[index] = value`, after both were evaluated: out of bounds faults the\n\
                 // task; nothing is written once the task has faulted.\n\
                 fn {name}(index: u32, value: {t}) {{\n    if (index >= {len}()) {{\n        \
                 vy_fail(vy_FAULT_OUT_OF_BOUNDS, index);\n        return;\n    }}\n    \
                 if (vy_fault == 0u) {{\n        {b}[index] = value;\n    }}\n}}\n",
                src = buf.name
            )
        })
    }

    /// An atomic read-modify-write (or load) on an atomic buffer element.
    pub(super) fn atomic(&mut self, buf: &ProgramBuffer, op: AtomicOp) -> String {
        let len = self.len(buf);
        let b = buffer(&buf.name);
        let t = wgsl_type(buf.kind.elem);
        let (what, call) = match op {
            AtomicOp::Load => ("atomic_load", "atomicLoad"),
            AtomicOp::FetchAdd => ("atomic_add", "atomicAdd"),
            AtomicOp::FetchSub => ("atomic_sub", "atomicSub"),
            AtomicOp::FetchMin => ("atomic_min", "atomicMin"),
            AtomicOp::FetchMax => ("atomic_max", "atomicMax"),
            AtomicOp::FetchAnd => ("atomic_and", "atomicAnd"),
            AtomicOp::FetchOr => ("atomic_or", "atomicOr"),
            AtomicOp::FetchXor => ("atomic_xor", "atomicXor"),
            AtomicOp::Swap => ("atomic_swap", "atomicExchange"),
        };
        let z = zero(buf.kind.elem);
        let (param, arg) = if op.has_operand() {
            (format!(", value: {t}"), ", value")
        } else {
            (String::new(), "")
        };
        self.add(buffer_helper(what, &buf.name), |name| {
            format!(
                "// `{src}[index].{method}(..)`: out of bounds faults the task; once the task has\n\
                 // faulted it does nothing. Yields the previous value (0 when skipped).\n\
                 fn {name}(index: u32{param}) -> {t} {{\n    if (index >= {len}()) {{\n        \
                 vy_fail(vy_FAULT_OUT_OF_BOUNDS, index);\n        return {z};\n    }}\n    \
                 if (vy_fault != 0u) {{\n        return {z};\n    }}\n    \
                 return {call}(&{b}[index]{arg});\n}}\n",
                src = buf.name,
                method = op.method_name(),
            )
        })
    }

    /// `buf[index].store(value)` on an atomic buffer.
    pub(super) fn atomic_store(&mut self, buf: &ProgramBuffer) -> String {
        let len = self.len(buf);
        let b = buffer(&buf.name);
        let t = wgsl_type(buf.kind.elem);
        self.add(buffer_helper("atomic_store", &buf.name), |name| {
            format!(
                "// `{src}[index].store(value)`: out of bounds faults the task; nothing is\n\
                 // written once the task has faulted.\n\
                 fn {name}(index: u32, value: {t}) {{\n    if (index >= {len}()) {{\n        \
                 vy_fail(vy_FAULT_OUT_OF_BOUNDS, index);\n        return;\n    }}\n    \
                 if (vy_fault == 0u) {{\n        atomicStore(&{b}[index], value);\n    }}\n}}\n",
                src = buf.name
            )
        })
    }

    /// The struct a compare-exchange helper returns for element type `ty`.
    pub(super) fn cas_result(&mut self, ty: ScalarType) -> String {
        let t = wgsl_type(ty);
        self.add(format!("vy_cas_result_{t}"), |name| {
            format!(
                "// What a strong compare-exchange yields: the previous value and whether the\n\
                 // exchange happened.\n\
                 struct {name} {{\n    old: {t},\n    exchanged: bool,\n}}\n"
            )
        })
    }

    /// `buf[index].compare_exchange(current, new)`, strong.
    pub(super) fn cas(&mut self, buf: &ProgramBuffer) -> String {
        let len = self.len(buf);
        let result = self.cas_result(buf.kind.elem);
        let b = buffer(&buf.name);
        let t = wgsl_type(buf.kind.elem);
        let z = zero(buf.kind.elem);
        self.add(buffer_helper("cas", &buf.name), |name| {
            format!(
                "// `{src}[index].compare_exchange(current, new)`, strong: WGSL only has a weak\n\
                 // compare-exchange, which may fail spuriously (old_value == current but not\n\
                 // exchanged); such failures are retried, at most {CAS_TRIES} tries. The result is\n\
                 // carried round the retry loop, so a driver that cuts it (see vy_loop_end) leaves\n\
                 // the last try's result: at worst (current, false), as after {CAS_TRIES} failures. Out of bounds\n\
                 // faults the task; once the task has faulted it does nothing and yields (0, false).\n\
                 fn {name}(index: u32, current: {t}, replacement: {t}) -> {result} {{\n    \
                 if (index >= {len}()) {{\n        vy_fail(vy_FAULT_OUT_OF_BOUNDS, index);\n        \
                 return {result}({z}, false);\n    }}\n    \
                 if (vy_fault != 0u) {{\n        return {result}({z}, false);\n    }}\n    \
                 var r = atomicCompareExchangeWeak(&{b}[index], current, replacement);\n    \
                 for (var i = 1u; i < vy_CAS_TRIES; i++) {{\n        \
                 if (r.exchanged || r.old_value != current) {{\n            break;\n        }}\n        \
                 r = atomicCompareExchangeWeak(&{b}[index], current, replacement);\n    }}\n    \
                 return {result}(r.old_value, r.old_value == current && r.exchanged);\n}}\n",
                src = buf.name,
            )
        })
    }
}

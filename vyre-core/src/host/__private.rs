//! Support for the code `#[opcode]`, `#[device]` and `printf!` generate.
//! Not a public API: it changes with the macros.

use crate::ir::HandlerError;
use crate::ir::{BufferId, Expr, Literal, ScalarType};
use crate::protocol::Priority;

pub use super::buffers::HostAtomic;
pub use super::inliner::{Inliner, MAX_DEVICE_DEPTH};
pub use super::struct_local::{FieldInit, StructLocal};
/// `#[derive(Element)]` implements bytemuck's traits through this path.
pub use bytemuck;

/// One argument of a `#[device]` call.
#[derive(Debug, Clone)]
pub enum DeviceArg {
    /// A scalar value.
    Scalar(Expr),
    /// A buffer parameter of the caller.
    Buffer(BufferId),
    /// The caller's `ctx`.
    Ctx,
    /// A struct local of the caller (the device function copies it).
    Struct(StructLocal),
}

impl DeviceArg {
    /// The scalar, or an error naming the device and the parameter.
    pub fn scalar(self, device: &str, param: &str) -> Result<Expr, HandlerError> {
        match self {
            DeviceArg::Scalar(e) => Ok(e),
            _ => Err(arg_error(device, param, "a scalar")),
        }
    }

    /// The buffer, or an error naming the device and the parameter.
    pub fn buffer(self, device: &str, param: &str) -> Result<BufferId, HandlerError> {
        match self {
            DeviceArg::Buffer(b) => Ok(b),
            _ => Err(arg_error(device, param, "a buffer")),
        }
    }

    /// The struct, or an error naming the device and the parameter.
    pub fn structure(self, device: &str, param: &str) -> Result<StructLocal, HandlerError> {
        match self {
            DeviceArg::Struct(s) => Ok(s),
            _ => Err(arg_error(device, param, "a struct")),
        }
    }

    /// Checks that the argument is the context.
    pub fn ctx(self, device: &str, param: &str) -> Result<(), HandlerError> {
        match self {
            DeviceArg::Ctx => Ok(()),
            _ => Err(arg_error(device, param, "the `ctx`")),
        }
    }
}

fn arg_error(device: &str, param: &str, what: &str) -> HandlerError {
    HandlerError::DeviceArguments {
        device: device.to_string(),
        problem: format!("parameter `{param}` expects {what}"),
    }
}

/// Takes the `count` arguments of a device call.
pub fn device_args<const N: usize>(
    device: &str,
    args: Vec<DeviceArg>,
) -> Result<[DeviceArg; N], HandlerError> {
    let found = args.len();
    args.try_into().map_err(|_| HandlerError::DeviceArguments {
        device: device.to_string(),
        problem: format!("expected {N} argument(s), found {found}"),
    })
}

/// What an inlined `#[device]` call gives back.
#[derive(Debug, Clone)]
pub enum DeviceValue {
    /// The function returns nothing.
    Unit,
    /// A scalar result.
    Scalar(Expr),
    /// A struct result: the struct local the function returned into.
    Struct(StructLocal),
}

/// The result of a device call used as a scalar value.
pub fn device_value(device: &str, value: DeviceValue) -> Result<Expr, HandlerError> {
    match value {
        DeviceValue::Scalar(e) => Ok(e),
        DeviceValue::Unit => Err(HandlerError::DeviceArguments {
            device: device.to_string(),
            problem: "its result is used, but it returns nothing".to_string(),
        }),
        DeviceValue::Struct(_) => Err(HandlerError::DeviceArguments {
            device: device.to_string(),
            problem: "it returns a struct, used here as a scalar; bind it to a struct local \
                      first (`let p: T = f(…);`)"
                .to_string(),
        }),
    }
}

/// The result of a device call used as a struct value.
pub fn device_struct(device: &str, value: DeviceValue) -> Result<StructLocal, HandlerError> {
    match value {
        DeviceValue::Struct(s) => Ok(s),
        _ => Err(HandlerError::DeviceArguments {
            device: device.to_string(),
            problem: "its result is used as a struct, but it does not return one".to_string(),
        }),
    }
}

/// Type `i` of a parameter list (spawn targets, device functions); `u32`
/// past the end (the host code does not compile then).
pub const fn param_type(types: &[ScalarType], i: usize) -> ScalarType {
    if i < types.len() {
        types[i]
    } else {
        ScalarType::U32
    }
}

/// An integer literal of a type known only when `handler()` runs.
pub fn int_lit(ty: ScalarType, value: i64) -> Literal {
    match ty {
        ScalarType::U32 => Literal::U32(value as u32),
        ScalarType::I32 => Literal::I32(value as i32),
        ScalarType::F32 => Literal::F32(value as f32),
        ScalarType::Bool => Literal::Bool(value != 0),
        ScalarType::U64 => Literal::U64(value as u64),
        ScalarType::I64 => Literal::I64(value),
    }
}

/// An integer literal too large for an `i64` (above `i64::MAX`), of a type
/// known only when `handler()` runs: as a `u64` it is the value, as any
/// other type the bits Rust's `as` would keep.
pub fn wide_lit(ty: ScalarType, value: u64) -> Literal {
    match ty {
        ScalarType::U64 => Literal::U64(value),
        ScalarType::F32 => Literal::F32(value as f32),
        other => int_lit(other, value as i64),
    }
}

/// A float literal of a type known only when `handler()` runs.
pub fn float_lit(ty: ScalarType, value: f32) -> Literal {
    match ty {
        ScalarType::F32 => Literal::F32(value),
        ScalarType::U32 => Literal::U32(value as u32),
        ScalarType::I32 => Literal::I32(value as i32),
        ScalarType::Bool => Literal::Bool(value != 0.0),
        ScalarType::U64 => Literal::U64(value as u64),
        ScalarType::I64 => Literal::I64(value as i64),
    }
}

/// The zero of a type (initial value of temporaries).
pub fn zero(ty: ScalarType) -> Literal {
    int_lit(ty, 0)
}

/// A Rust constant used inside a handler: read when `handler()` builds the
/// IR and embedded as a literal.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be used inside a GPU handler",
    label = "only constants of type u32, i32, f32, u64, i64, bool or Priority can be used here",
    note = "a handler's IR embeds the values of the constants it names; other values do not exist on the GPU"
)]
pub trait ScalarConst: Copy {
    /// Its IR type.
    const TYPE: ScalarType;
    /// Its value.
    fn literal(self) -> Literal;
}

/// `impl ScalarConst` for Rust types that are IR scalars as they are.
macro_rules! scalar_const {
    ($($rust:ty => $ir:ident),* $(,)?) => {$(
        impl ScalarConst for $rust {
            const TYPE: ScalarType = ScalarType::$ir;
            fn literal(self) -> Literal {
                Literal::$ir(self)
            }
        }
    )*};
}

scalar_const!(u32 => U32, i32 => I32, f32 => F32, u64 => U64, i64 => I64, bool => Bool);

/// `usize` constants appear where Rust wants a `usize`: array indices
/// and lengths, which are `u32` in the IR (saturated: an index that large
/// is out of bounds either way).
impl ScalarConst for usize {
    const TYPE: ScalarType = ScalarType::U32;
    fn literal(self) -> Literal {
        Literal::U32(u32::try_from(self).unwrap_or(u32::MAX))
    }
}
impl ScalarConst for Priority {
    const TYPE: ScalarType = ScalarType::U32;
    fn literal(self) -> Literal {
        Literal::U32(self as u32)
    }
}

/// The IR type of a constant.
pub fn const_type<T: ScalarConst>(_: &T) -> ScalarType {
    T::TYPE
}

/// The literal of a constant.
pub fn const_lit<T: ScalarConst>(value: T) -> Literal {
    value.literal()
}

/// A `printf!` argument.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be printed by printf!",
    label = "printf! arguments are u32, i32, f32 or bool",
    note = "a printf record holds 32-bit words; cast other values (a Priority: `p as u32`)"
)]
pub trait PrintfArg {
    /// The argument as a literal.
    fn printf_literal(self) -> Literal;
}

macro_rules! printf_arg {
    ($($t:ty),*) => {$(
        impl PrintfArg for $t {
            fn printf_literal(self) -> Literal {
                Literal::from(self)
            }
        }
    )*};
}
printf_arg!(u32, i32, f32, bool);

/// Converts a `printf!` argument.
pub fn printf_arg<T: PrintfArg>(value: T) -> Literal {
    value.printf_literal()
}

/// A task argument as `handler`'s parameter type.
#[diagnostic::on_unimplemented(message = "`{Self}` is not a task argument type")]
pub trait FromWord: Sized {
    /// From the argument's slot words (one, or two for `u64` and `i64`,
    /// low first; missing words read as 0).
    fn from_words(words: &[u32]) -> Self;
}

/// Word `i` of `words`, 0 past the end.
fn word_at(words: &[u32], i: usize) -> u32 {
    words.get(i).copied().unwrap_or(0)
}

impl FromWord for u32 {
    fn from_words(w: &[u32]) -> Self {
        word_at(w, 0)
    }
}
impl FromWord for i32 {
    fn from_words(w: &[u32]) -> Self {
        word_at(w, 0) as i32
    }
}
impl FromWord for f32 {
    fn from_words(w: &[u32]) -> Self {
        f32::from_bits(word_at(w, 0))
    }
}
impl FromWord for bool {
    fn from_words(w: &[u32]) -> Self {
        word_at(w, 0) != 0
    }
}
impl FromWord for u64 {
    fn from_words(w: &[u32]) -> Self {
        u64::from(word_at(w, 0)) | (u64::from(word_at(w, 1)) << 32)
    }
}
impl FromWord for i64 {
    fn from_words(w: &[u32]) -> Self {
        u64::from_words(w) as i64
    }
}

/// The task argument starting at slot word `at` (0 past the end).
pub fn arg<T: FromWord>(args: &[u32], at: usize) -> T {
    T::from_words(args.get(at..).unwrap_or(&[]))
}

/// The scalar at field `path` of a struct (`["best", "id"]`), for typing
/// a field access when `handler()` runs; `u32` when the path does not name
/// one ([`field_ref`] reports why).
pub fn field_type(layout: vyre_lang::Layout, path: &[&str]) -> ScalarType {
    resolve_field(layout, path)
        .map(|f| f.ty)
        .unwrap_or(ScalarType::U32)
}

/// The scalar at field `path` of a struct buffer's element, as an IR
/// [`FieldRef`](crate::ir::FieldRef): `element` indexes an array field.
pub fn field_ref(
    layout: vyre_lang::Layout,
    path: &[&str],
    element: Option<Expr>,
) -> Result<crate::ir::FieldRef, HandlerError> {
    field_ref_in(layout, path, Vec::new(), element)
}

/// [`field_ref`] through arrays of structs on the path: `rows` index
/// them, outermost first (`buf[i].all[j].id`: `rows` = `[j]`).
pub fn field_ref_in(
    layout: vyre_lang::Layout,
    path: &[&str],
    rows: Vec<Expr>,
    element: Option<Expr>,
) -> Result<crate::ir::FieldRef, HandlerError> {
    let f = resolve_field(layout, path)?;
    let problem = |p: &str| HandlerError::StructField {
        structure: layout.name().to_string(),
        path: path.join("."),
        problem: p.to_string(),
    };
    if rows.len() != f.arrays.len() {
        return Err(problem(if rows.len() < f.arrays.len() {
            "goes through an array of structs: index it (`buf[i].all[j].field`)"
        } else {
            "indexes a field that is not an array of structs"
        }));
    }
    let rows = rows
        .into_iter()
        .zip(&f.arrays)
        .map(|(index, &(len, stride))| crate::ir::FieldRow {
            index: Box::new(index),
            len,
            stride,
        })
        .collect();
    let field = match (f.len, element) {
        (None, None) => crate::ir::FieldRef::scalar(f.word, f.ty),
        (Some(n), Some(e)) => crate::ir::FieldRef::element(f.word, f.ty, e, n),
        (Some(_), None) => return Err(problem("an array is not a value in a handler; index it")),
        (None, Some(_)) => return Err(problem("the field is not an array")),
    };
    Ok(field.within(rows))
}

/// Word offset of the nested struct at field `path` of a struct (`let q:
/// Inner = ps[i].inner;`).
pub fn field_word(layout: vyre_lang::Layout, path: &[&str]) -> Result<u32, HandlerError> {
    let problem = |p: &str| HandlerError::StructField {
        structure: layout.name().to_string(),
        path: path.join("."),
        problem: p.to_string(),
    };
    let mut current = layout;
    let mut word = 0;
    for name in path {
        let vyre_lang::Layout::Struct(s) = current else {
            return Err(problem("is not a nested struct"));
        };
        let f = s.field(name).ok_or_else(|| problem("names no field"))?;
        if f.len.is_some() {
            return Err(problem("is an array, not a nested struct"));
        }
        word += f.word;
        current = f.ty;
    }
    match current {
        vyre_lang::Layout::Struct(_) => Ok(word),
        vyre_lang::Layout::Scalar(_) => Err(problem("is a scalar, not a nested struct")),
    }
}

/// A scalar field found by path: its word (in element 0 of every array of
/// structs on the path), type, array length, and those arrays (length,
/// stride in words; outermost first).
struct FoundField {
    word: u32,
    ty: ScalarType,
    len: Option<u32>,
    arrays: Vec<(u32, u32)>,
}

/// The scalar field at `path`.
fn resolve_field(layout: vyre_lang::Layout, path: &[&str]) -> Result<FoundField, HandlerError> {
    let problem = |p: String| HandlerError::StructField {
        structure: layout.name().to_string(),
        path: path.join("."),
        problem: p,
    };
    let mut current = layout;
    let mut word = 0;
    let mut arrays = Vec::new();
    for (k, name) in path.iter().enumerate() {
        let vyre_lang::Layout::Struct(s) = current else {
            return Err(problem(format!("`{}` has no fields", current.name())));
        };
        let Some(f) = s.field(name) else {
            return Err(problem(format!("`{}` has no field `{name}`", s.name)));
        };
        word += f.word;
        let last = k + 1 == path.len();
        match (f.ty, f.len, last) {
            (vyre_lang::Layout::Scalar(ty), len, true) => {
                return Ok(FoundField {
                    word,
                    ty,
                    len,
                    arrays,
                })
            }
            (vyre_lang::Layout::Scalar(_), _, false) => {
                return Err(problem(format!("`{name}` is a scalar, it has no fields")))
            }
            (vyre_lang::Layout::Struct(_), Some(_), true) => {
                return Err(problem(format!(
                    "`{name}` is an array of structs: read a field of an element \
                     (`buf[i].{name}[j].field`)"
                )))
            }
            (inner @ vyre_lang::Layout::Struct(s), Some(n), false) => {
                arrays.push((n, s.words));
                current = inner;
            }
            (vyre_lang::Layout::Struct(_), None, true) => {
                return Err(problem(format!(
                    "`{name}` is a whole struct: read its fields (`{name}.field`), or read it \
                     into a local with its type (`let q: Inner = buf[i].{name};`)"
                )))
            }
            (inner @ vyre_lang::Layout::Struct(_), None, false) => current = inner,
        }
    }
    Err(problem("an empty field path".into()))
}

/// The length of a local array `[v; N]` whose `N` is a constant, for its
/// IR declaration (saturated to `u32`: the validator refuses lengths above
/// [`MAX_ARRAY_LEN`](crate::ir::MAX_ARRAY_LEN)).
pub const fn array_len(n: usize) -> u32 {
    if n > u32::MAX as usize {
        u32::MAX
    } else {
        n as u32
    }
}

/// Whether a local array of `count` structs of `layout` fits the local
/// array limit: every leaf array it flattens into (one per scalar or
/// array field, `count` times the field's length, times the lengths of
/// the arrays of structs on its path) holds 1 to
/// [`MAX_ARRAY_LEN`](crate::ir::MAX_ARRAY_LEN) values. `#[opcode]` checks
/// it at compile time, in a `const` block on the array's length.
pub const fn struct_array_fits(layout: vyre_lang::Layout, count: u32) -> bool {
    let max = vyre_lang::limits::MAX_ARRAY_LEN;
    if count == 0 || count > max {
        return false;
    }
    let vyre_lang::Layout::Struct(s) = layout else {
        return true;
    };
    let mut k = 0;
    while k < s.fields.len() {
        let f = &s.fields[k];
        let fits = match (f.ty, f.len) {
            (vyre_lang::Layout::Scalar(_), Some(len)) => {
                (count as u64) * (len as u64) <= max as u64
            }
            (vyre_lang::Layout::Scalar(_), None) => true,
            (inner, None) => struct_array_fits(inner, count),
            (inner, Some(n)) => {
                (count as u64) * (n as u64) <= max as u64 && struct_array_fits(inner, count * n)
            }
        };
        if !fits {
            return false;
        }
        k += 1;
    }
    true
}

/// `index` when it is inside an array of `len` elements; otherwise the
/// `OUT_OF_BOUNDS` fault in fault mode (the native backend, `Ctx::run`),
/// Rust's own panic message otherwise. `#[opcode]` routes the emitted
/// function's local-array indices through it.
#[inline]
#[track_caller]
pub fn array_index(index: usize, len: usize) -> usize {
    if index < len {
        index
    } else {
        super::buffer::array_out_of_bounds(len, index)
    }
}

/// The literal of a task argument value (for `task()`).
pub fn task_arg<T: Into<Literal>>(value: T) -> Literal {
    value.into()
}

/// The handler `#[opcode]` built: its id, name and buffer parameters (the
/// generated `BUFFERS`), its scalar argument count (`ARGS.len()`), the
/// locals the build allocated and the body, validated. One function for
/// every handler, so that each expansion only passes its constants.
pub fn finish_handler(
    id: u32,
    name: &str,
    buffers: &[super::BufferMeta],
    arg_count: usize,
    cx: &mut Inliner,
    body: crate::ir::Block,
) -> Result<crate::ir::OpcodeHandler, HandlerError> {
    let handler = crate::ir::OpcodeHandler {
        id,
        name: name.to_string(),
        buffers: buffers
            .iter()
            .map(|b| crate::ir::BufferParam {
                name: b.name.to_string(),
                elem: b.elem,
                access: b.access,
                structure: b.structure,
            })
            .collect(),
        arg_count,
        locals: std::mem::take(&mut cx.locals),
        body,
    };
    crate::ir::validate_handler(&handler)?;
    Ok(handler)
}

/// `handler()`: the built handler, or a panic naming it and the reason
/// (`try_handler()` returns the reason instead).
pub fn expect_handler(
    name: &str,
    built: Result<crate::ir::OpcodeHandler, HandlerError>,
) -> crate::ir::OpcodeHandler {
    match built {
        Ok(h) => h,
        Err(e) => panic!("vyre: handler `{name}`: {e}"),
    }
}

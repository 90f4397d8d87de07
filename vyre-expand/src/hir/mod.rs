//! The typed tree the translator builds from a function body: Rust's
//! syntax reduced to what the IR can express, with every name resolved and
//! every expression given a type (solved after lowering).

use proc_macro2::{Span, TokenStream};
pub(crate) use vyre_lang::{
    Access, AtomicOp, BinOp, CtxValue, Intrinsic, Priority, ScalarType, UnOp,
};

use crate::types::Ty;

pub(crate) mod visit;

/// Index of a local in the function's local table.
pub(crate) type LocalIdx = usize;
/// Index of a buffer parameter, in parameter order.
pub(crate) type BufIdx = usize;

/// A local of the function (parameters first).
pub(crate) struct LocalInfo {
    pub(crate) name: String,
    /// The type (an array's element type).
    pub(crate) ty: Ty,
    pub(crate) mutable: bool,
    /// A local array: its length, as tokens of a `u32` expression that
    /// `handler()` evaluates (a literal, or a constant's value).
    pub(crate) array: Option<TokenStream>,
}

/// A buffer parameter.
#[derive(Clone)]
pub(crate) struct BufInfo {
    pub(crate) name: String,
    pub(crate) elem: ScalarType,
    pub(crate) access: Access,
    /// A buffer of `#[derive(Element)]` structs: the struct's type.
    pub(crate) structure: Option<syn::Type>,
}

/// Index of a struct local in the function's struct table.
pub(crate) type StructIdx = usize;

/// A struct local (`let mut p = ps[i];`): its leaves are allocated when
/// `handler()` runs (`vyre::host::__private::StructLocal`).
#[derive(Clone)]
pub(crate) struct StructInfo {
    pub(crate) name: String,
    /// The struct's type.
    pub(crate) ty: syn::Type,
    pub(crate) mutable: bool,
    /// For a local array of structs (`let a = [p; 4];`): its length
    /// (tokens of a `u32` expression).
    pub(crate) count: Option<proc_macro2::TokenStream>,
}

/// A struct local, or a view into it through arrays of structs: `a[i]`
/// of a local array of structs, `p.all[j]` of an array-of-structs field,
/// `a[i].all[j]`. Each step is the field path to the array (empty for the
/// local array itself) and the index into it (a `u32`).
pub(crate) struct StructRef {
    pub(crate) s: StructIdx,
    pub(crate) steps: Vec<(Vec<String>, Box<Expr>)>,
}

impl StructRef {
    /// The struct local `s` itself.
    pub(crate) fn whole(s: StructIdx) -> Self {
        StructRef {
            s,
            steps: Vec::new(),
        }
    }

    /// Whether this is a view through an array of structs.
    pub(crate) fn is_view(&self) -> bool {
        !self.steps.is_empty()
    }

    /// The indices of the steps, in evaluation order.
    pub(crate) fn indices(&self) -> impl Iterator<Item = &Expr> {
        self.steps.iter().map(|(_, i)| &**i)
    }
}

/// What a struct local starts as.
pub(crate) enum StructInit {
    /// Element `index` of a struct buffer.
    Buffer(BufIdx, Expr),
    /// A copy of another struct local.
    Copy(StructIdx),
    /// A struct literal: each leaf's path and value.
    Literal(Vec<(Vec<String>, LeafInit)>),
    /// A `#[device]` function's struct parameter `k` (a copy of the
    /// caller's struct local).
    Param(usize),
    /// Every leaf zero (a `#[device]` function's struct result).
    Zero,
    /// The struct a `#[device]` call returns (`let p: T = f(…);`).
    Call(Box<DeviceCall>),
    /// The nested struct at a field of another struct local
    /// (`let q: Inner = p.inner;`).
    LocalField(StructRef, Vec<String>),
    /// The nested struct at a field of a struct buffer's element
    /// (`let q: Inner = ps[i].inner;`): the buffer, its struct type, the
    /// index, the field path.
    BufferField(BufIdx, Box<syn::Type>, Expr, Vec<String>),
    /// An element of a local array of structs (`let q = a[j];`).
    Row(StructRef),
    /// A local array of structs, every element the same struct
    /// (`[p; N]`).
    Repeat(StructIdx),
    /// A local array of structs from its elements (`[p, q, r]`).
    List(Vec<StructIdx>),
}

/// A struct literal's value for one leaf.
pub(crate) enum LeafInit {
    Value(Expr),
    Repeat(Expr),
    List(Vec<Expr>),
    /// A nested struct field given as a struct local.
    Local(StructIdx),
}

/// One scalar of a struct buffer's element: `buf[index].a.b` or
/// `buf[index].a.b[element]`.
pub(crate) struct FieldAccess {
    pub(crate) buf: BufIdx,
    /// The buffer's struct type.
    pub(crate) structure: syn::Type,
    pub(crate) index: Expr,
    /// The field names, outermost first.
    pub(crate) path: Vec<String>,
    /// The indices into the arrays of structs on the path
    /// (`buf[i].all[j].id`: `j`), outermost first.
    pub(crate) rows: Vec<Expr>,
    /// The index into an array field.
    pub(crate) element: Option<Expr>,
}

impl FieldAccess {
    /// The subscripts after the element index, in evaluation order: the
    /// rows, then the array field's index.
    pub(crate) fn subscripts(&self) -> impl Iterator<Item = &Expr> {
        self.rows.iter().chain(self.element.as_ref())
    }
}

/// A literal value; its type is the expression's.
#[derive(Debug, Clone, Copy)]
pub(crate) enum LitVal {
    /// Any value an integer type holds (`i64::MIN ..= u64::MAX`).
    Int(i128),
    Float(f32),
    Bool(bool),
}

/// An expression with its type and span.
pub(crate) struct Expr {
    pub(crate) kind: ExprKind,
    pub(crate) ty: Ty,
    /// First and last token, for messages.
    pub(crate) span: Span,
    pub(crate) end: Span,
}

/// A `#[device]` call argument.
pub(crate) enum DevArg {
    Scalar(Expr),
    Buffer(BufIdx),
    Ctx,
    /// A struct local, or an element of a local array of structs (copied
    /// into the device function's parameter).
    Struct(StructRef),
}

/// What an expression is.
pub(crate) enum ExprKind {
    Lit(LitVal),
    Local(LocalIdx),
    /// A Rust constant read when `handler()` runs: the path expression.
    Const(TokenStream),
    Unary(UnOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    Cast(ScalarType, Box<Expr>),
    /// A scalar method; `args[0]` is the receiver.
    Intrinsic(Intrinsic, Vec<Expr>),
    Load(BufIdx, Box<Expr>),
    Len(BufIdx),
    /// `buf[index].op(operand)`.
    Atomic(AtomicOp, BufIdx, Box<Expr>, Option<Box<Expr>>),
    /// `ctx.lane()`, ….
    Ctx(CtxValue),
    /// A `Priority::X` constant.
    Prio(Priority),
    /// `if` with a value.
    If(Box<Expr>, Block, Block),
    /// `match` on an integer with a value.
    Match(Box<Match>),
    /// A block with a value: its statements, then its tail.
    Block(Block),
    /// A `#[device]` call.
    Device(Box<DeviceCall>),
    /// `ctx.spawn(..)` used as a value (`bool`).
    Spawn(Box<Spawn>),
    /// Diverging: `return`, `break`, `continue`, `ctx.fault(code)`.
    Diverge(Box<Stmt>),
    /// `array[index]` on a local array (the index is `u32` here).
    Index(LocalIdx, Box<Expr>),
    /// `array.len()`: the length, a `u32`.
    ArrayLen(ArrayOf),
    /// A scalar field of a struct buffer's element.
    LoadField(Box<FieldAccess>),
    /// `p.a.b` (or `p.a.b[j]`) of a struct local (or `a[i].b` of an
    /// array of them).
    StructGet(StructRef, Vec<String>, Option<Box<Expr>>),
}

/// A local array: of scalars, or of structs.
#[derive(Debug, Clone, Copy)]
pub(crate) enum ArrayOf {
    Scalars(LocalIdx),
    Structs(StructIdx),
}

/// The elements of a new local array.
pub(crate) enum ArrayInit {
    /// `[value; N]`.
    Repeat(Expr),
    /// `[a, b, c]`.
    List(Vec<Expr>),
}

/// `path::to::helper(args)`.
pub(crate) struct DeviceCall {
    /// Path of the function (its module has the same path).
    pub(crate) path: syn::Path,
    pub(crate) args: Vec<DevArg>,
}

impl DeviceCall {
    /// The function's path as written, without spaces (for errors raised
    /// when `handler()` runs).
    pub(crate) fn name(&self) -> String {
        quote::ToTokens::to_token_stream(&self.path)
            .to_string()
            .replace(' ', "")
    }
}

/// `ctx.spawn(priority, target::task(args))`, or a device→host request
/// `ctx.request(priority, kind::call(..), target::then(args))`, whose
/// reply spawns `target` with `args` and the reply.
pub(crate) struct Spawn {
    pub(crate) priority: Expr,
    /// Path of the target opcode's module.
    pub(crate) target: syn::Path,
    pub(crate) args: Vec<Expr>,
    /// The request, when this is one.
    pub(crate) request: Option<RequestPart>,
}

/// `kind::call(args)` of a request.
pub(crate) struct RequestPart {
    /// Path of the request kind's module.
    pub(crate) kind: syn::Path,
    pub(crate) args: Vec<Expr>,
}

/// One `match` arm on an integer.
pub(crate) struct Arm {
    /// The literal values with their types and spans.
    pub(crate) values: Vec<(LitVal, Ty, Span)>,
    pub(crate) body: Block,
}

/// `match` on an integer (or `Priority`).
pub(crate) struct Match {
    pub(crate) scrutinee: Expr,
    pub(crate) arms: Vec<Arm>,
    /// The catch-all arm (`_` or a binding, which lowering turns into a
    /// `let` before the match).
    pub(crate) default: Option<Block>,
}

/// `buf[i].compare_exchange(current, new)`, declaring `old` and
/// `exchanged`.
pub(crate) struct Cas {
    pub(crate) buf: BufIdx,
    pub(crate) index: Expr,
    pub(crate) current: Expr,
    pub(crate) new: Expr,
    pub(crate) old: LocalIdx,
    pub(crate) exchanged: LocalIdx,
}

/// A block: statements and, for blocks with a value, the tail.
#[derive(Default)]
pub(crate) struct Block {
    pub(crate) stmts: Vec<Stmt>,
    pub(crate) tail: Option<Box<Expr>>,
}

/// A statement.
pub(crate) enum Stmt {
    Let(LocalIdx, Expr),
    Assign(LocalIdx, Expr),
    Store(BufIdx, Expr, Expr),
    /// `let a = [v; N];` / `[a, b, c]`.
    LetArray(LocalIdx, ArrayInit),
    /// `array[i] = v`.
    StoreIndex(LocalIdx, Expr, Expr),
    /// `buf[i].field = v` (or `op=`: the operator) on a struct buffer.
    StoreField(Box<FieldAccess>, Option<BinOp>, Expr),
    /// `let [mut] p = …;` of a struct.
    LetStruct(StructIdx, StructInit),
    /// `p.a.b = v` / `p.a.b[j] = v` (or `op=`) on a struct local.
    StructSet(StructRef, Vec<String>, Option<Expr>, Option<BinOp>, Expr),
    /// `p = q` between struct locals, `p.a = q` (the nested struct at the
    /// path), `p.a = q.b` (a field or nested struct of the same shape);
    /// either side may be an element of an array of structs (`a[j] = q`).
    AssignStruct(StructRef, Vec<String>, StructRef, Vec<String>),
    /// `p.a[j] = q.b[k]` between struct locals: elements of scalar array
    /// fields, or whole elements of arrays of structs (which one is known
    /// when `handler()` runs).
    AssignElement(StructRef, Vec<String>, Expr, StructRef, Vec<String>, Expr),
    /// `buf[i] = p`: a struct local into a struct buffer's element.
    StoreStruct(BufIdx, Expr, StructIdx),
    /// `array[i] op= v`.
    CompoundStoreIndex(LocalIdx, Expr, BinOp, Expr),
    /// `buf[i] op= v`.
    CompoundStore(BufIdx, Expr, BinOp, Expr),
    AtomicStore(BufIdx, Expr, Expr),
    Cas(Box<Cas>),
    Eval(Expr),
    If(Expr, Block, Block),
    Match(Box<Match>),
    For {
        var: LocalIdx,
        start: Expr,
        end: Expr,
        inclusive: bool,
        body: Block,
    },
    While(Expr, Block),
    Loop(Block),
    Break,
    Continue,
    /// `return;` (or `return v;` in a device function).
    Return(Option<Expr>),
    Block(Block),
    Fault(Expr),
    Shutdown,
    Printf(String, Vec<Expr>),
    Spawn(Box<Spawn>),
    /// A `#[device]` call whose value is not used.
    Device(Box<DeviceCall>),
}

impl Stmt {
    /// Whether control never reaches the statement after this one.
    pub(crate) fn diverges(&self) -> bool {
        matches!(
            self,
            Stmt::Return(_) | Stmt::Break | Stmt::Continue | Stmt::Fault(_)
        )
    }
}

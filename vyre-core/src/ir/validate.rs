//! The validator: checks a handler body and computes the type of every
//! expression. Errors name the handler and what is wrong.

use std::collections::HashSet;

use super::expr::{BufferId, Expr, LocalId};
use super::stmt::{Block, Stmt};
use crate::program::{BufferParam, LocalDecl, OpcodeHandler};
use crate::protocol::{MAX_ARGS, PRINTF_MAX_ARGS, RESERVED_ID_START};
use vyre_lang::{Access, ScalarType};
use vyre_lang::{BinOp, UnOp};

/// A handler that failed validation: which handler and what is wrong.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("handler `{handler}`: {kind}")]
pub struct ValidationError {
    /// The handler's name.
    pub handler: String,
    /// What is wrong.
    pub kind: ValidationErrorKind,
}

/// What is wrong with a handler.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ValidationErrorKind {
    /// A local was used before its declaration, or outside its scope.
    #[error("local #{local} (`{name}`) is used where it is not declared; declare it with `let` in an enclosing block first")]
    UndeclaredLocal {
        /// Local index.
        local: u32,
        /// Its name, or `?` when the index is outside the local table.
        name: String,
    },
    /// A local was declared twice.
    #[error("local `{name}` (#{local}) is declared twice; each `let` needs a fresh local")]
    LocalRedeclared {
        /// Local index.
        local: u32,
        /// Its name.
        name: String,
    },
    /// A buffer index outside the handler's buffer table.
    #[error("buffer #{buffer} is not a parameter of this handler")]
    UnknownBuffer {
        /// Buffer index.
        buffer: u32,
    },
    /// An expression has the wrong type.
    #[error("type mismatch in {context}: expected {expected}, found {found}")]
    TypeMismatch {
        /// Where (`condition of if`, `right operand of +`, ...).
        context: String,
        /// What was expected.
        expected: String,
        /// What was found.
        found: ScalarType,
    },
    /// An operator applied to a type it does not exist for.
    #[error("operator `{op}` is not defined for {ty}")]
    InvalidOperator {
        /// The operator's Rust spelling.
        op: String,
        /// The operand type.
        ty: ScalarType,
    },
    /// An invalid `as` cast.
    #[error("cannot cast {from} to {to}; Rust's `as` allows bool to integers and between u32, i32 and f32")]
    InvalidCast {
        /// Source type.
        from: ScalarType,
        /// Target type.
        to: ScalarType,
    },
    /// A scalar method on a type that does not have it, or with the wrong
    /// number of operands.
    #[error("`{method}` is not available on {ty} with {operands} operand(s)")]
    InvalidIntrinsic {
        /// Method name.
        method: String,
        /// Receiver type.
        ty: ScalarType,
        /// Operand count, the receiver included.
        operands: usize,
    },
    /// A store through a read-only buffer.
    #[error(
        "buffer `{buffer}` is read-only (`&Buffer<T>`); take `&mut Buffer<T>` to store into it"
    )]
    WriteToReadOnly {
        /// Buffer name.
        buffer: String,
    },
    /// An atomic operation on a plain buffer.
    #[error("`{op}` is an atomic operation but buffer `{buffer}` is not atomic; declare it as `&Buffer<Atomic<T>>`")]
    AtomicOnPlainBuffer {
        /// Buffer name.
        buffer: String,
        /// The operation.
        op: String,
    },
    /// A plain load or store on an atomic buffer.
    #[error("buffer `{buffer}` is atomic: use `.load()` and `.store(v)` (or another atomic method) on its elements, not a plain {what}")]
    PlainAccessToAtomicBuffer {
        /// Buffer name.
        buffer: String,
        /// `load` or `store`.
        what: String,
    },
    /// An assignment to an immutable local.
    #[error("cannot assign twice to immutable local `{name}`; declare it with `let mut`")]
    AssignToImmutable {
        /// Local name.
        name: String,
    },
    /// `break` outside a loop.
    #[error("`break` outside of a loop")]
    BreakOutsideLoop,
    /// `continue` outside a loop.
    #[error("`continue` outside of a loop")]
    ContinueOutsideLoop,
    /// More task arguments than a slot holds.
    #[error("{count} task arguments, but a slot holds at most {MAX_ARGS}; pass the rest through a buffer")]
    TooManyArgs {
        /// Argument count.
        count: usize,
    },
    /// A buffer element type the GPU cannot hold.
    #[error("buffer `{buffer}` has element type {elem}{atomic}; buffers hold u32, i32 or f32, atomic buffers u32 or i32")]
    InvalidBufferElement {
        /// Buffer name.
        buffer: String,
        /// Element type.
        elem: ScalarType,
        /// `" (atomic)"` or empty.
        atomic: &'static str,
    },
    /// A name used twice among the handler's parameters.
    #[error("parameter name `{name}` is used twice")]
    DuplicateParameter {
        /// The name.
        name: String,
    },
    /// A name that is not a valid identifier.
    #[error("`{name}` is not a valid identifier (ASCII letters, digits and `_`, not starting with a digit)")]
    InvalidName {
        /// The name.
        name: String,
    },
    /// `printf!` placeholders and arguments disagree.
    #[error("format string {format:?} has {placeholders} `{{}}` placeholder(s) but {args} argument(s) were given")]
    PrintfArity {
        /// The format string.
        format: String,
        /// Placeholders found.
        placeholders: usize,
        /// Arguments given.
        args: usize,
    },
    /// Too many `printf!` arguments.
    #[error("printf! takes at most {PRINTF_MAX_ARGS} arguments, {args} were given")]
    PrintfTooManyArgs {
        /// Arguments given.
        args: usize,
    },
    /// A switch arm value repeated, or of the wrong type.
    #[error("match arm value {value} appears twice")]
    DuplicateCase {
        /// The value.
        value: String,
    },
    /// An opcode id in the reserved range.
    #[error("opcode id {id:#x} is reserved for the system (0xFFFF_0000..=0xFFFF_FFFF); choose another id")]
    ReservedId {
        /// The id.
        id: u32,
    },
    /// A task argument declared after body locals (builder misuse).
    #[error(
        "task argument `{name}` is declared after the body's locals; declare every argument first"
    )]
    ArgumentAfterBody {
        /// The argument's name.
        name: String,
    },
    /// More task arguments than the handler has locals (arguments are the
    /// first locals).
    #[error("{arg_count} task arguments are declared but the handler has only {locals} locals; every argument needs its local (arguments are the first locals)")]
    ArgumentsWithoutLocals {
        /// The handler's `arg_count`.
        arg_count: usize,
        /// Its number of locals.
        locals: usize,
    },
    /// A spawn with more arguments than a slot holds.
    #[error(
        "spawn of opcode {opcode:#x} passes {count} arguments, but a slot holds at most {MAX_ARGS}"
    )]
    SpawnTooManyArgs {
        /// Target opcode id.
        opcode: u32,
        /// Argument count.
        count: usize,
    },
}

/// Checks `handler` and returns the first problem found.
pub fn validate_handler(handler: &OpcodeHandler) -> Result<(), ValidationError> {
    let wrap = |kind| ValidationError {
        handler: handler.name.clone(),
        kind,
    };
    check_signature(handler).map_err(wrap)?;
    let mut v = Validator {
        locals: &handler.locals,
        buffers: &handler.buffers,
        declared: vec![false; handler.locals.len()],
        in_scope: Vec::new(),
        loop_depth: 0,
    };
    for i in 0..handler.arg_count {
        v.declared[i] = true;
        v.in_scope.push(LocalId(i as u32));
    }
    v.block(&handler.body).map_err(wrap)
}

fn check_signature(h: &OpcodeHandler) -> Result<(), ValidationErrorKind> {
    use ValidationErrorKind as K;
    if h.id >= RESERVED_ID_START {
        return Err(K::ReservedId { id: h.id });
    }
    if h.arg_count > MAX_ARGS {
        return Err(K::TooManyArgs { count: h.arg_count });
    }
    if h.arg_count > h.locals.len() {
        return Err(K::ArgumentsWithoutLocals {
            arg_count: h.arg_count,
            locals: h.locals.len(),
        });
    }
    check_name(&h.name)?;
    let mut names = HashSet::new();
    for b in &h.buffers {
        check_name(&b.name)?;
        if !names.insert(b.name.as_str()) {
            return Err(K::DuplicateParameter {
                name: b.name.clone(),
            });
        }
        let atomic = b.access == Access::Atomic;
        let ok = if atomic {
            b.elem.is_integer()
        } else {
            b.elem.is_buffer_element()
        };
        if !ok {
            return Err(K::InvalidBufferElement {
                buffer: b.name.clone(),
                elem: b.elem,
                atomic: if atomic { " (atomic)" } else { "" },
            });
        }
    }
    for a in &h.locals[..h.arg_count.min(h.locals.len())] {
        check_name(&a.name)?;
        if !names.insert(a.name.as_str()) {
            return Err(K::DuplicateParameter {
                name: a.name.clone(),
            });
        }
    }
    Ok(())
}

/// Checks that `name` is an identifier usable in generated code.
pub(crate) fn check_name(name: &str) -> Result<(), ValidationErrorKind> {
    let mut chars = name.chars();
    let ok = match chars.next() {
        Some(c) if c.is_ascii_alphabetic() || c == '_' => {
            chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        }
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(ValidationErrorKind::InvalidName {
            name: name.to_string(),
        })
    }
}

/// Counts the `{}` placeholders of a printf format string (`{{` and `}}`
/// are escaped braces).
pub fn count_placeholders(format: &str) -> usize {
    let mut n = 0;
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek()) {
            ('{', Some('{')) | ('}', Some('}')) => {
                chars.next();
            }
            ('{', Some('}')) => {
                chars.next();
                n += 1;
            }
            _ => {}
        }
    }
    n
}

struct Validator<'a> {
    // Locals and buffers are borrowed for 'a so lookups do not borrow the validator.
    locals: &'a [LocalDecl],
    buffers: &'a [BufferParam],
    declared: Vec<bool>,
    in_scope: Vec<LocalId>,
    loop_depth: usize,
}

type VResult<T> = Result<T, ValidationErrorKind>;

impl<'a> Validator<'a> {
    fn block(&mut self, block: &Block) -> VResult<()> {
        let mark = self.in_scope.len();
        for s in block.stmts() {
            self.stmt(s)?;
        }
        self.in_scope.truncate(mark);
        Ok(())
    }

    fn loop_body(&mut self, body: &Block) -> VResult<()> {
        self.loop_depth += 1;
        let r = self.block(body);
        self.loop_depth -= 1;
        r
    }

    fn declare(&mut self, local: LocalId) -> VResult<ScalarType> {
        let decl = self.local_decl(local)?;
        let slot = &mut self.declared[local.0 as usize];
        if *slot {
            return Err(ValidationErrorKind::LocalRedeclared {
                local: local.0,
                name: decl.name.clone(),
            });
        }
        *slot = true;
        self.in_scope.push(local);
        Ok(decl.ty)
    }

    fn local_decl(&self, local: LocalId) -> VResult<&'a LocalDecl> {
        self.locals
            .get(local.0 as usize)
            .ok_or(ValidationErrorKind::UndeclaredLocal {
                local: local.0,
                name: "?".into(),
            })
    }

    fn buffer(&self, id: BufferId) -> VResult<&'a BufferParam> {
        buffer_param(self.buffers, id)
    }

    fn expect(&self, e: &Expr, expected: ScalarType, context: &str) -> VResult<()> {
        let found = self.expr(e)?;
        if found == expected {
            Ok(())
        } else {
            Err(mismatch(context, expected.rust_name(), found))
        }
    }

    fn expr(&self, e: &Expr) -> VResult<ScalarType> {
        let in_scope = |l: LocalId| self.in_scope.contains(&l);
        type_of(e, self.locals, self.buffers, &in_scope)
    }

    fn stmt(&mut self, s: &Stmt) -> VResult<()> {
        use ValidationErrorKind as K;
        match s {
            Stmt::Let { local, value } => {
                let found = self.expr(value)?;
                let ty = self.declare(*local)?;
                if found != ty {
                    return Err(mismatch(
                        &format!("initialiser of `{}`", self.locals[local.0 as usize].name),
                        ty.rust_name(),
                        found,
                    ));
                }
            }
            Stmt::Assign { local, value } => {
                let decl = self.local_decl(*local)?;
                if !self.in_scope.contains(local) {
                    return Err(K::UndeclaredLocal {
                        local: local.0,
                        name: decl.name.clone(),
                    });
                }
                if !decl.mutable {
                    return Err(K::AssignToImmutable {
                        name: decl.name.clone(),
                    });
                }
                let ctx = format!("assignment to `{}`", decl.name);
                self.expect(value, decl.ty, &ctx)?;
            }
            Stmt::Store {
                buffer,
                index,
                value,
            } => {
                let b = self.buffer(*buffer)?;
                match b.access {
                    Access::Read => {
                        return Err(K::WriteToReadOnly {
                            buffer: b.name.clone(),
                        })
                    }
                    Access::Atomic => {
                        return Err(K::PlainAccessToAtomicBuffer {
                            buffer: b.name.clone(),
                            what: "store".into(),
                        })
                    }
                    Access::ReadWrite => {}
                }
                self.expect(index, ScalarType::U32, "buffer index")?;
                self.expect(value, b.elem, &format!("value stored into `{}`", b.name))?;
            }
            Stmt::AtomicStore {
                buffer,
                index,
                value,
            } => {
                let b = self.atomic_buffer(*buffer, "store")?;
                self.expect(index, ScalarType::U32, "buffer index")?;
                self.expect(value, b.elem, &format!("value stored into `{}`", b.name))?;
            }
            Stmt::CompareExchange {
                buffer,
                index,
                current,
                new,
                old,
                exchanged,
            } => {
                let b = self.atomic_buffer(*buffer, "compare_exchange")?;
                let elem = b.elem;
                self.expect(index, ScalarType::U32, "buffer index")?;
                self.expect(current, elem, "current value of compare_exchange")?;
                self.expect(new, elem, "new value of compare_exchange")?;
                let old_ty = self.declare(*old)?;
                if old_ty != elem {
                    return Err(mismatch(
                        "old value of compare_exchange",
                        elem.rust_name(),
                        old_ty,
                    ));
                }
                let ex_ty = self.declare(*exchanged)?;
                if ex_ty != ScalarType::Bool {
                    return Err(mismatch(
                        "`exchanged` flag of compare_exchange",
                        "bool",
                        ex_ty,
                    ));
                }
            }
            Stmt::Eval(e) => {
                self.expr(e)?;
            }
            Stmt::If {
                cond,
                then_body,
                else_body,
            } => {
                self.expect(cond, ScalarType::Bool, "condition of `if`")?;
                self.block(then_body)?;
                self.block(else_body)?;
            }
            Stmt::Switch {
                selector,
                cases,
                default,
            } => {
                let ty = self.expr(selector)?;
                if !ty.is_integer() {
                    return Err(mismatch("match scrutinee", "u32 or i32", ty));
                }
                let mut seen = HashSet::new();
                for case in cases {
                    for v in &case.values {
                        if v.ty() != ty {
                            return Err(mismatch("match arm pattern", ty.rust_name(), v.ty()));
                        }
                        if !seen.insert(v.to_word()) {
                            return Err(K::DuplicateCase {
                                value: v.to_string(),
                            });
                        }
                    }
                    self.block(&case.body)?;
                }
                self.block(default)?;
            }
            Stmt::For {
                var,
                start,
                end,
                body,
                ..
            } => {
                let ty = self.expr(start)?;
                if !ty.is_integer() {
                    return Err(mismatch("start of a `for` range", "u32 or i32", ty));
                }
                self.expect(end, ty, "end of a `for` range")?;
                let mark = self.in_scope.len();
                let var_ty = self.declare(*var)?;
                if var_ty != ty {
                    return Err(mismatch("`for` loop variable", ty.rust_name(), var_ty));
                }
                let r = self.loop_body(body);
                self.in_scope.truncate(mark);
                r?;
            }
            Stmt::While { cond, body } => {
                self.expect(cond, ScalarType::Bool, "condition of `while`")?;
                self.loop_body(body)?;
            }
            Stmt::Loop { body } => self.loop_body(body)?,
            Stmt::Break if self.loop_depth == 0 => return Err(K::BreakOutsideLoop),
            Stmt::Continue if self.loop_depth == 0 => return Err(K::ContinueOutsideLoop),
            Stmt::Break | Stmt::Continue | Stmt::Return | Stmt::Shutdown => {}
            Stmt::Block(b) => self.block(b)?,
            Stmt::Spawn {
                priority,
                opcode,
                args,
                result,
            } => {
                self.expect(priority, ScalarType::U32, "spawn priority")?;
                if args.len() > MAX_ARGS {
                    return Err(K::SpawnTooManyArgs {
                        opcode: *opcode,
                        count: args.len(),
                    });
                }
                for a in args {
                    self.expr(a)?;
                }
                if let Some(r) = result {
                    let ty = self.declare(*r)?;
                    if ty != ScalarType::Bool {
                        return Err(mismatch("result of spawn", "bool", ty));
                    }
                }
            }
            Stmt::Fault { code } => self.expect(code, ScalarType::U32, "fault code")?,
            Stmt::Printf { format, args } => {
                if args.len() > PRINTF_MAX_ARGS {
                    return Err(K::PrintfTooManyArgs { args: args.len() });
                }
                let placeholders = count_placeholders(format);
                if placeholders != args.len() {
                    return Err(K::PrintfArity {
                        format: format.clone(),
                        placeholders,
                        args: args.len(),
                    });
                }
                for a in args {
                    self.expr(a)?;
                }
            }
        }
        Ok(())
    }

    fn atomic_buffer(&self, id: BufferId, op: &str) -> VResult<&'a BufferParam> {
        let b = self.buffer(id)?;
        if b.access != Access::Atomic {
            return Err(ValidationErrorKind::AtomicOnPlainBuffer {
                buffer: b.name.clone(),
                op: op.into(),
            });
        }
        Ok(b)
    }
}

fn mismatch(context: &str, expected: &str, found: ScalarType) -> ValidationErrorKind {
    ValidationErrorKind::TypeMismatch {
        context: context.to_string(),
        expected: expected.to_string(),
        found,
    }
}

fn buffer_param(buffers: &[BufferParam], id: BufferId) -> VResult<&BufferParam> {
    buffers
        .get(id.0 as usize)
        .ok_or(ValidationErrorKind::UnknownBuffer { buffer: id.0 })
}

/// Computes the type of `e`. `in_scope` says whether a local may be read
/// here; pass `&|_| true` to skip scope checks (the builder does).
pub fn type_of(
    e: &Expr,
    locals: &[LocalDecl],
    buffers: &[BufferParam],
    in_scope: &dyn Fn(LocalId) -> bool,
) -> VResult<ScalarType> {
    use ScalarType::*;
    use ValidationErrorKind as K;
    let ty = |e: &Expr| type_of(e, locals, buffers, in_scope);
    let same = |l: &Expr, r: &Expr, what: &str| -> VResult<ScalarType> {
        let lt = ty(l)?;
        let rt = ty(r)?;
        if lt == rt {
            Ok(lt)
        } else {
            Err(mismatch(what, lt.rust_name(), rt))
        }
    };
    match e {
        Expr::Lit(l) => Ok(l.ty()),
        Expr::Local(id) => {
            let decl = locals.get(id.0 as usize).ok_or(K::UndeclaredLocal {
                local: id.0,
                name: "?".into(),
            })?;
            if !in_scope(*id) {
                return Err(K::UndeclaredLocal {
                    local: id.0,
                    name: decl.name.clone(),
                });
            }
            Ok(decl.ty)
        }
        Expr::Unary { op, operand } => {
            let t = ty(operand)?;
            let ok = match op {
                UnOp::Neg => matches!(t, I32 | F32),
                UnOp::Not => matches!(t, Bool | U32 | I32),
            };
            if ok {
                Ok(t)
            } else {
                let sym = if *op == UnOp::Neg { "unary -" } else { "!" };
                Err(K::InvalidOperator {
                    op: sym.into(),
                    ty: t,
                })
            }
        }
        Expr::Binary { op, lhs, rhs } => {
            let context = format!("right operand of `{}`", op.symbol());
            match op {
                BinOp::Shl | BinOp::Shr => {
                    let lt = ty(lhs)?;
                    if !lt.is_integer() {
                        return Err(K::InvalidOperator {
                            op: op.symbol().into(),
                            ty: lt,
                        });
                    }
                    let rt = ty(rhs)?;
                    if rt != U32 {
                        return Err(mismatch("shift amount", "u32", rt));
                    }
                    Ok(lt)
                }
                BinOp::And | BinOp::Or => {
                    let t = same(lhs, rhs, &context)?;
                    if t != Bool {
                        return Err(K::InvalidOperator {
                            op: op.symbol().into(),
                            ty: t,
                        });
                    }
                    Ok(Bool)
                }
                BinOp::Eq | BinOp::Ne => {
                    same(lhs, rhs, &context)?;
                    Ok(Bool)
                }
                BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                    let t = same(lhs, rhs, &context)?;
                    if t == Bool {
                        return Err(K::InvalidOperator {
                            op: op.symbol().into(),
                            ty: t,
                        });
                    }
                    Ok(Bool)
                }
                BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor => {
                    let t = same(lhs, rhs, &context)?;
                    if t == F32 {
                        return Err(K::InvalidOperator {
                            op: op.symbol().into(),
                            ty: t,
                        });
                    }
                    Ok(t)
                }
                BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Rem => {
                    let t = same(lhs, rhs, &context)?;
                    if t == Bool {
                        return Err(K::InvalidOperator {
                            op: op.symbol().into(),
                            ty: t,
                        });
                    }
                    Ok(t)
                }
            }
        }
        Expr::Cast { to, value } => {
            let from = ty(value)?;
            let ok = match (from, *to) {
                (Bool, Bool) => true,
                (Bool, U32 | I32) => true,
                (_, Bool) | (Bool, F32) => false,
                _ => true,
            };
            if ok {
                Ok(*to)
            } else {
                Err(K::InvalidCast { from, to: *to })
            }
        }
        Expr::Select {
            cond,
            if_true,
            if_false,
        } => {
            let c = ty(cond)?;
            if c != Bool {
                return Err(mismatch("condition of `if` expression", "bool", c));
            }
            same(if_true, if_false, "`else` branch of `if` expression")
        }
        Expr::Intrinsic { func, args } => {
            let invalid = |t: ScalarType| K::InvalidIntrinsic {
                method: func.method_name().into(),
                ty: t,
                operands: args.len(),
            };
            let recv = match args.first() {
                Some(r) => ty(r)?,
                None => {
                    return Err(K::InvalidIntrinsic {
                        method: func.method_name().into(),
                        ty: U32,
                        operands: 0,
                    })
                }
            };
            if args.len() != func.arity() {
                return Err(invalid(recv));
            }
            let result = func.result_type(recv).ok_or_else(|| invalid(recv))?;
            for (i, a) in args.iter().enumerate().skip(1) {
                let expected = func.operand_type(i, recv);
                let t = ty(a)?;
                if t != expected {
                    return Err(mismatch(
                        &format!("operand {i} of `{}`", func.method_name()),
                        expected.rust_name(),
                        t,
                    ));
                }
            }
            Ok(result)
        }
        Expr::Load { buffer, index } => {
            let b = buffer_param(buffers, *buffer)?;
            if b.access == Access::Atomic {
                return Err(K::PlainAccessToAtomicBuffer {
                    buffer: b.name.clone(),
                    what: "load".into(),
                });
            }
            let it = ty(index)?;
            if it != U32 {
                return Err(mismatch("buffer index", "u32", it));
            }
            Ok(b.elem)
        }
        Expr::Len { buffer } => {
            buffer_param(buffers, *buffer)?;
            Ok(U32)
        }
        Expr::Atomic {
            op,
            buffer,
            index,
            value,
        } => {
            let b = buffer_param(buffers, *buffer)?;
            if b.access != Access::Atomic {
                return Err(K::AtomicOnPlainBuffer {
                    buffer: b.name.clone(),
                    op: op.method_name().into(),
                });
            }
            let it = ty(index)?;
            if it != U32 {
                return Err(mismatch("buffer index", "u32", it));
            }
            match (op.has_operand(), value) {
                (true, Some(v)) => {
                    let vt = ty(v)?;
                    if vt != b.elem {
                        return Err(mismatch(
                            &format!("operand of `{}`", op.method_name()),
                            b.elem.rust_name(),
                            vt,
                        ));
                    }
                }
                (false, None) => {}
                _ => {
                    return Err(K::InvalidIntrinsic {
                        method: op.method_name().into(),
                        ty: b.elem,
                        operands: 1 + value.is_some() as usize,
                    })
                }
            }
            Ok(b.elem)
        }
        Expr::Ctx(_) => Ok(U32),
    }
}

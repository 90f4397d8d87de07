//! Statement checks: scopes, mutability, buffer access, loops and the
//! statement-level operands, recording every statement and expression in
//! the handler's [`HandlerInfo`].

use std::collections::HashSet;

use super::error::ValidationErrorKind;
use super::signature::count_placeholders;
use super::typing::{
    buffer_param, check_field, mismatch, record, visible_local, LocalUse, Typing, VResult,
};
use crate::ir::expr::{BufferId, Expr, LocalId};
use crate::ir::handler::{BufferParam, LocalDecl};
use crate::ir::info::{ExprEntry, HandlerInfo, StmtEntry};
use crate::ir::stmt::{ArrayInit, Block, Stmt};
use crate::protocol::{MAX_ARGS, PRINTF_MAX_ARGS};
use vyre_lang::limits::MAX_ARRAY_LEN;
use vyre_lang::{Access, ScalarType};

/// Walks a body once, in the pre-order of [`HandlerInfo`], checking every
/// statement and recording it and its expressions.
pub(super) struct Validator<'a> {
    // Locals and buffers are borrowed for 'a so lookups do not borrow the validator.
    locals: &'a [LocalDecl],
    buffers: &'a [BufferParam],
    declared: Vec<bool>,
    in_scope: Vec<LocalId>,
    loop_depth: usize,
    stmts: Vec<StmtEntry>,
    exprs: Vec<ExprEntry>,
    reads_lane: std::cell::Cell<bool>,
}

impl<'a> Validator<'a> {
    /// A validator for a body over `locals` and `buffers`, in whose scope
    /// the first `args` locals (the task arguments) are declared.
    pub(super) fn new(locals: &'a [LocalDecl], buffers: &'a [BufferParam], args: usize) -> Self {
        let mut v = Validator {
            locals,
            buffers,
            declared: vec![false; locals.len()],
            in_scope: Vec::new(),
            loop_depth: 0,
            stmts: Vec::new(),
            exprs: Vec::new(),
            reads_lane: std::cell::Cell::new(false),
        };
        for i in 0..args.min(locals.len()) {
            v.declared[i] = true;
            v.in_scope.push(LocalId(i as u32));
        }
        v
    }

    /// Checks `body` and returns what was learned about it.
    pub(super) fn body(mut self, body: &Block) -> VResult<HandlerInfo> {
        self.block(body)?;
        Ok(HandlerInfo {
            locals: self.locals.iter().map(|l| l.ty).collect(),
            stmts: self.stmts,
            exprs: self.exprs,
            reads_lane: self.reads_lane.get(),
        })
    }

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

    /// Declares the scalar local `local` here; its type.
    fn declare(&mut self, local: LocalId) -> VResult<ScalarType> {
        if let Some(decl) = self
            .locals
            .get(local.0 as usize)
            .filter(|d| d.array.is_some())
        {
            return Err(ValidationErrorKind::ArrayAsValue {
                name: decl.name.clone(),
            });
        }
        self.declare_any(local)
    }

    /// Declares `local` (scalar or array) here; its (element) type.
    fn declare_any(&mut self, local: LocalId) -> VResult<ScalarType> {
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

    /// `local`'s declaration where a statement uses it as `usage`.
    fn visible_local(&self, local: LocalId, usage: LocalUse) -> VResult<&'a LocalDecl> {
        let in_scope = self.in_scope.contains(&local);
        visible_local(self.locals, local, in_scope, usage)
    }

    fn buffer(&self, id: BufferId) -> VResult<&'a BufferParam> {
        buffer_param(self.buffers, id)
    }

    fn expect(&mut self, e: &Expr, expected: ScalarType, context: &str) -> VResult<()> {
        let found = self.expr(e)?;
        if found == expected {
            Ok(())
        } else {
            Err(mismatch(context, expected.rust_name(), found))
        }
    }

    /// Types `e` (a statement's own operand) and records its entries.
    fn expr(&mut self, e: &Expr) -> VResult<ScalarType> {
        let scope = &self.in_scope;
        let in_scope = |l: LocalId| scope.contains(&l);
        let cx = Typing {
            locals: self.locals,
            buffers: self.buffers,
            in_scope: &in_scope,
            reads_lane: &self.reads_lane,
        };
        record(e, &cx, &mut self.exprs)
    }

    /// Checks `s`, recording its entry before its expressions and the
    /// statements nested in it (pre-order).
    fn stmt(&mut self, s: &Stmt) -> VResult<()> {
        let at = self.stmts.len();
        self.stmts.push(StmtEntry {
            first_expr: self.exprs.len() as u32,
            end: 0,
        });
        self.check(s)?;
        self.stmts[at].end = self.stmts.len() as u32;
        Ok(())
    }

    fn check(&mut self, s: &Stmt) -> VResult<()> {
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
                let decl = self.visible_local(*local, LocalUse::Scalar)?;
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
            Stmt::StoreField {
                buffer,
                index,
                field,
                value,
            } => {
                let b = self.buffer(*buffer)?;
                check_field(b, field)?;
                if b.access != Access::ReadWrite {
                    return Err(K::WriteToReadOnly {
                        buffer: b.name.clone(),
                    });
                }
                self.expect(index, ScalarType::U32, "buffer index")?;
                for i in field.subscripts() {
                    self.expect(i, ScalarType::U32, "index of an array field")?;
                }
                self.expect(value, field.ty, &format!("value stored into `{}`", b.name))?;
            }
            Stmt::LetArray { array, init } => {
                let decl = self.local_decl(*array)?;
                let Some(len) = decl.array else {
                    return Err(K::NotAnArray {
                        name: decl.name.clone(),
                    });
                };
                if len == 0 || len > MAX_ARRAY_LEN {
                    return Err(K::ArrayLength {
                        name: decl.name.clone(),
                        len,
                        max: MAX_ARRAY_LEN,
                    });
                }
                let context = format!("element of `{}`", decl.name);
                match init {
                    ArrayInit::Repeat(v) => self.expect(v, decl.ty, &context)?,
                    ArrayInit::List(values) => {
                        if values.len() != len as usize {
                            return Err(K::ArrayInitLength {
                                name: decl.name.clone(),
                                expected: len,
                                found: values.len(),
                            });
                        }
                        for v in values {
                            self.expect(v, decl.ty, &context)?;
                        }
                    }
                }
                self.declare_any(*array)?;
            }
            Stmt::StoreIndex {
                array,
                index,
                value,
            } => {
                let decl = self.visible_local(*array, LocalUse::Array)?;
                if !decl.mutable {
                    return Err(K::AssignToImmutable {
                        name: decl.name.clone(),
                    });
                }
                self.expect(index, ScalarType::U32, "array index")?;
                self.expect(
                    value,
                    decl.ty,
                    &format!("value stored into `{}`", decl.name),
                )?;
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
                if ty.is_wide() {
                    return Err(K::WideControl { what: "match", ty });
                }
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
                if ty.is_wide() {
                    return Err(K::WideControl {
                        what: "a `for` range",
                        ty,
                    });
                }
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
                let mut words = 0;
                for a in args {
                    words += self.expr(a)?.words() as usize;
                }
                if words > MAX_ARGS {
                    return Err(K::SpawnTooManyArgs {
                        opcode: *opcode,
                        count: words,
                    });
                }
                if let Some(r) = result {
                    let ty = self.declare(*r)?;
                    if ty != ScalarType::Bool {
                        return Err(mismatch("result of spawn", "bool", ty));
                    }
                }
            }
            Stmt::Request {
                priority,
                kind,
                args,
                given,
                result,
                ..
            } => {
                self.expect(priority, ScalarType::U32, "request priority")?;
                let mut words = 0;
                for a in args {
                    words += self.expr(a)?.words() as usize;
                }
                if words > MAX_ARGS {
                    return Err(K::RequestTooManyArgs {
                        kind: *kind,
                        count: words,
                    });
                }
                let mut words = 0;
                for a in given {
                    words += self.expr(a)?.words() as usize;
                }
                if words > MAX_ARGS {
                    return Err(K::RequestTooManyArgs {
                        kind: *kind,
                        count: words,
                    });
                }
                if let Some(r) = result {
                    let ty = self.declare(*r)?;
                    if ty != ScalarType::Bool {
                        return Err(mismatch("result of request", "bool", ty));
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
                    let ty = self.expr(a)?;
                    if ty.is_wide() {
                        return Err(K::PrintfWideArgument { ty });
                    }
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

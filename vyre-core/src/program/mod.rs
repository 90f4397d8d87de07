//! Megakernel assembly: opcode handlers and declared buffers become one
//! checked [`Program`].

mod config;
mod error;
mod native;
mod printf;

use std::collections::{HashMap, HashSet};

pub use config::{
    ProgramConfig, HARDWARE_WORKGROUPS, HARDWARE_WORKGROUP_SIZE, MAX_SLOTS, MAX_TENANTS,
    MAX_WORKGROUP_SIZE,
};
pub use error::AssemblyError;
pub use native::{NativeFn, NativeTable};
pub use printf::PrintfFormat;
// The handler types live in `ir`; generated code names them here.
pub use crate::ir::{BufferParam, LocalDecl, OpcodeHandler};

use crate::ir::{validate_handler, BufferKind, HandlerInfo, Stmt, StmtId};
use crate::protocol::{ControlLayout, RESERVED_ID_START};

/// A buffer the megakernel declares; handlers bind to it by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgramBuffer {
    /// Name (an identifier).
    pub name: String,
    /// Element type and atomicity.
    pub kind: BufferKind,
    /// Whether some handler stores into it (decides the GPU binding's
    /// access mode).
    pub written: bool,
}

/// A kind of device→host request a program's handlers may make
/// (`docs/protocol.md`, "Host requests"): what it sends and what the
/// host's reply holds, which the continuation receives after the
/// arguments it was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestKind {
    /// The kind's id (what the host registers its handler under).
    pub id: u32,
    /// Its name (an identifier), for messages.
    pub name: String,
    /// The types of the request's arguments.
    pub args: Vec<crate::ir::ScalarType>,
    /// The types of the reply's values.
    pub reply: Vec<crate::ir::ScalarType>,
}

impl RequestKind {
    /// Argument words of a request of this kind.
    pub fn arg_words(&self) -> usize {
        self.args.iter().map(|t| t.words() as usize).sum()
    }

    /// Words of the reply.
    pub fn reply_words(&self) -> usize {
        self.reply.iter().map(|t| t.words() as usize).sum()
    }
}

/// An assembled, checked megakernel program: what the WGSL lowering, the
/// reference interpreter and the runtime all consume.
#[derive(Debug, Clone)]
pub struct Program {
    name: String,
    config: ProgramConfig,
    buffers: Vec<ProgramBuffer>,
    handlers: Vec<OpcodeHandler>,
    /// Per handler: what validating it learned (the types of its locals
    /// and expressions).
    infos: Vec<HandlerInfo>,
    /// Per handler: program buffer index of each handler buffer parameter.
    bindings: Vec<Vec<usize>>,
    formats: Vec<PrintfFormat>,
    format_ids: HashMap<(usize, String), u32>,
    /// `(opcode id, handler index)` sorted by id: the lookup of every
    /// `publish`, where a binary search over a few ids beats hashing.
    by_id: Vec<(u32, usize)>,
    /// Per handler: its argument types, for `publish`'s check.
    arg_types: Vec<Vec<crate::ir::ScalarType>>,
    /// The handlers' original Rust functions, for the native backend
    /// (programs made by `megakernel!`).
    native: Option<NativeTable>,
    /// The request kinds the handlers may use, sorted by id.
    requests: Vec<RequestKind>,
}

impl Program {
    /// Starts assembling a program called `name`.
    pub fn builder(name: impl Into<String>) -> ProgramBuilder {
        ProgramBuilder {
            name: name.into(),
            config: ProgramConfig::default(),
            buffers: Vec::new(),
            handlers: Vec::new(),
            native: None,
            requests: Vec::new(),
        }
    }

    /// The request kinds the program declares, sorted by id.
    pub fn request_kinds(&self) -> &[RequestKind] {
        &self.requests
    }

    /// The request kind with id `id`.
    pub fn request_kind(&self, id: u32) -> Option<&RequestKind> {
        self.requests
            .binary_search_by_key(&id, |k| k.id)
            .ok()
            .map(|at| &self.requests[at])
    }

    /// Request slots of this program's control block: the configured
    /// number when it declares request kinds, none otherwise.
    pub fn request_slots(&self) -> u32 {
        if self.requests.is_empty() {
            0
        } else {
            self.config.request_slots
        }
    }

    /// The native functions of the handlers, when the program has them
    /// (programs made by `megakernel!`): what the native backend runs.
    pub fn native(&self) -> Option<&NativeTable> {
        self.native.as_ref()
    }

    /// The program's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Sizes and limits.
    pub fn config(&self) -> &ProgramConfig {
        &self.config
    }

    /// Declared buffers, in declaration order (their binding order).
    pub fn buffers(&self) -> &[ProgramBuffer] {
        &self.buffers
    }

    /// Handlers in program order (the order of per-opcode counters).
    pub fn handlers(&self) -> &[OpcodeHandler] {
        &self.handlers
    }

    /// The types of the locals and expressions of handler `index` (in
    /// program order), as validation computed them.
    pub fn handler_info(&self, index: usize) -> Option<&HandlerInfo> {
        self.infos.get(index)
    }

    /// Index of the handler with opcode `id`.
    #[inline]
    pub fn handler_index(&self, id: u32) -> Option<usize> {
        self.by_id
            .binary_search_by_key(&id, |&(id, _)| id)
            .ok()
            .map(|at| self.by_id[at].1)
    }

    /// The argument types of handler `index` (program order); empty for
    /// an index past the handlers.
    #[inline]
    pub fn arg_types(&self, index: usize) -> &[crate::ir::ScalarType] {
        self.arg_types.get(index).map_or(&[], Vec::as_slice)
    }

    /// Index of the declared buffer called `name`.
    pub fn buffer_index(&self, name: &str) -> Option<usize> {
        self.buffers.iter().position(|b| b.name == name)
    }

    /// Program buffer index bound to buffer parameter `param` of handler
    /// `handler`.
    pub fn binding(&self, handler: usize, param: usize) -> usize {
        self.bindings[handler][param]
    }

    /// Whether some handler spawns. Only then does the maintain pass list
    /// each partition's EMPTY slots for the spawns to take (the free
    /// lists): a program that never spawns would never read them.
    pub fn spawns(&self) -> bool {
        self.handlers.iter().any(|h| {
            let mut found = false;
            crate::ir::visit_stmts(&h.body, &mut |s| {
                found |= matches!(s, Stmt::Spawn { .. });
            });
            found
        })
    }

    /// Whether a submission that starts on an empty ring may place each
    /// partition's first inbox entries and run them in one pass
    /// (`docs/protocol.md`, "Place and run"): only when no handler
    /// spawns or makes host requests (the place pass builds no free lists
    /// and hands out no request slots) or reads `ctx.lane()` (the place
    /// pass's invocations are not the work pass's lanes).
    pub fn places_and_runs(&self) -> bool {
        !self.spawns()
            && self.request_kinds().is_empty()
            && !self.infos.iter().any(crate::ir::HandlerInfo::reads_lane)
    }

    /// Every printf format used by the program; record ids index this.
    pub fn printf_formats(&self) -> &[PrintfFormat] {
        &self.formats
    }

    /// The printf format id of `format` used in handler `handler`.
    pub fn printf_id(&self, handler: usize, format: &str) -> Option<u32> {
        self.format_ids.get(&(handler, format.to_string())).copied()
    }

    /// Words of one of this program's inbox entries: the header and as
    /// many argument words as its widest handler takes
    /// (`docs/protocol.md`, "Inboxes").
    pub fn entry_words(&self) -> u32 {
        let widest = self.handlers.iter().map(|h| h.arg_words()).max();
        crate::protocol::entry_words(widest.unwrap_or(0))
    }

    /// Word offset in `vy_inbox` of partition `p`'s first entry in the
    /// layout a new engine starts with (`inbox_capacity` entries per
    /// partition, one after the other; the runtime may grow them later).
    pub fn initial_inbox_offset(&self, p: usize) -> u64 {
        p as u64 * u64::from(self.config.inbox_capacity) * u64::from(self.entry_words())
    }

    /// Control-buffer layout of this program.
    pub fn control_layout(&self) -> ControlLayout {
        ControlLayout::new(
            self.handlers.len() as u32,
            self.config.tenants,
            self.config.slots,
            self.config.printf_capacity,
            self.request_slots(),
        )
    }

    /// The same buffers, handlers and native functions with other sizes and
    /// limits, checked as [`ProgramBuilder::build`] checks them: how a ring
    /// is sized to the work at run time.
    ///
    /// ```
    /// use vyre_core::ir::{Access, BufferKind, HandlerBuilder, ScalarType};
    /// use vyre_core::program::{Program, ProgramConfig};
    ///
    /// let mut h = HandlerBuilder::new(1, "bump");
    /// let hits = h.buffer("hits", ScalarType::U32, Access::Atomic);
    /// let i = h.arg("i", ScalarType::U32);
    /// h.body(|b| b.eval(hits.fetch_add(i, 1u32)));
    /// let small = Program::builder("counter")
    ///     .buffer("hits", BufferKind::atomic(ScalarType::U32))
    ///     .opcode(h.finish()?)
    ///     .build()?;
    /// let big = small.with_config(ProgramConfig { slots: 1 << 20, ..small.config().clone() })?;
    /// assert_eq!(big.config().slots, 1 << 20);
    /// assert!(small.with_config(ProgramConfig { slots: 3, ..ProgramConfig::default() }).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_config(&self, config: ProgramConfig) -> Result<Program, AssemblyError> {
        let mut builder = Program::builder(self.name.clone()).config(config);
        for b in &self.buffers {
            builder = builder.buffer(b.name.clone(), b.kind);
        }
        for h in &self.handlers {
            builder = builder.opcode(h.clone());
        }
        if let Some(table) = &self.native {
            builder = builder.native(table.clone());
        }
        for k in &self.requests {
            builder = builder.request_kind(k.clone());
        }
        builder.build()
    }
}

/// Assembles a [`Program`] from declared buffers and handlers.
///
/// ```
/// use vyre_core::ir::{Access, BufferKind, HandlerBuilder, ScalarType};
/// use vyre_core::program::Program;
///
/// let mut h = HandlerBuilder::new(1, "bump");
/// let hits = h.buffer("hits", ScalarType::U32, Access::Atomic);
/// let i = h.arg("i", ScalarType::U32);
/// h.body(|b| b.eval(hits.fetch_add(i, 1u32)));
///
/// let program = Program::builder("counter")
///     .buffer("hits", BufferKind::atomic(ScalarType::U32))
///     .opcode(h.finish()?)
///     .build()?;
/// assert!(program.wgsl().contains("fn op_bump"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct ProgramBuilder {
    name: String,
    config: ProgramConfig,
    buffers: Vec<(String, BufferKind)>,
    handlers: Vec<OpcodeHandler>,
    native: Option<NativeTable>,
    requests: Vec<RequestKind>,
}

impl ProgramBuilder {
    /// Declares a request kind the handlers may use
    /// ([`BlockBuilder::request`](crate::ir::BlockBuilder::request)).
    pub fn request_kind(mut self, kind: RequestKind) -> Self {
        self.requests.push(kind);
        self
    }

    /// Attaches the handlers' original Rust functions, so that the native
    /// backend can run the program (`megakernel!` does this). The table is
    /// checked when an engine is made: every handler needs its function.
    pub fn native(mut self, table: NativeTable) -> Self {
        self.native = Some(table);
        self
    }

    /// Replaces every size and limit.
    pub fn config(mut self, config: ProgramConfig) -> Self {
        self.config = config;
        self
    }

    /// Lanes per workgroup.
    pub fn workgroup_size(mut self, n: u32) -> Self {
        self.config.workgroup_size = n;
        self
    }

    /// Ring slots.
    pub fn slots(mut self, n: u32) -> Self {
        self.config.slots = n;
        self
    }

    /// Size of the tenant table.
    pub fn tenants(mut self, n: u32) -> Self {
        self.config.tenants = n;
        self
    }

    /// Declares a buffer.
    pub fn buffer(mut self, name: impl Into<String>, kind: BufferKind) -> Self {
        self.buffers.push((name.into(), kind));
        self
    }

    /// Adds a handler.
    pub fn opcode(mut self, handler: OpcodeHandler) -> Self {
        self.handlers.push(handler);
        self
    }

    /// Checks everything and assembles the program.
    pub fn build(self) -> Result<Program, AssemblyError> {
        crate::trace::stage!(
            "program_build",
            program = self.name.as_str(),
            handlers = self.handlers.len()
        );
        self.config.validate()?;
        if self.handlers.is_empty() {
            return Err(AssemblyError::NoOpcodes);
        }
        let buffers = self.check_buffers()?;
        let mut by_id = HashMap::new();
        let mut names = HashSet::new();
        let mut infos = Vec::with_capacity(self.handlers.len());
        for (i, h) in self.handlers.iter().enumerate() {
            infos.push(validate_handler(h)?);
            if h.id >= RESERVED_ID_START {
                return Err(AssemblyError::ReservedId {
                    opcode: h.name.clone(),
                    id: h.id,
                });
            }
            if let Some(&first) = by_id.get(&h.id) {
                let first: &OpcodeHandler = &self.handlers[first];
                return Err(AssemblyError::DuplicateId {
                    id: h.id,
                    first: first.name.clone(),
                    second: h.name.clone(),
                });
            }
            by_id.insert(h.id, i);
            if !names.insert(h.name.as_str()) {
                return Err(AssemblyError::DuplicateOpcode {
                    opcode: h.name.clone(),
                });
            }
        }
        let mut buffers = buffers;
        let bindings = self.bind_buffers(&mut buffers)?;
        let mut program = Program {
            name: self.name,
            config: self.config,
            buffers,
            infos,
            bindings,
            formats: Vec::new(),
            format_ids: HashMap::new(),
            by_id: {
                let mut sorted: Vec<(u32, usize)> = by_id.into_iter().collect();
                sorted.sort_unstable();
                sorted
            },
            arg_types: self.handlers.iter().map(|h| h.arg_types()).collect(),
            handlers: self.handlers,
            native: self.native,
            requests: check_request_kinds(self.requests)?,
        };
        check_spawns(&program)?;
        check_requests(&program)?;
        printf::collect_formats(&mut program);
        Ok(program)
    }

    fn check_buffers(&self) -> Result<Vec<ProgramBuffer>, AssemblyError> {
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for (name, kind) in &self.buffers {
            if crate::ir::validate::check_name(name).is_err() {
                return Err(AssemblyError::InvalidBufferName { name: name.clone() });
            }
            if !seen.insert(name.as_str()) {
                return Err(AssemblyError::DuplicateBuffer { name: name.clone() });
            }
            let ok = if kind.atomic {
                kind.elem.is_atomic_element()
            } else {
                kind.elem.is_buffer_element()
            };
            if !ok {
                return Err(AssemblyError::InvalidBufferKind {
                    name: name.clone(),
                    kind: *kind,
                });
            }
            out.push(ProgramBuffer {
                name: name.clone(),
                kind: *kind,
                written: false,
            });
        }
        Ok(out)
    }

    fn bind_buffers(
        &self,
        buffers: &mut [ProgramBuffer],
    ) -> Result<Vec<Vec<usize>>, AssemblyError> {
        let mut all = Vec::new();
        for h in &self.handlers {
            let mut map = Vec::new();
            for p in &h.buffers {
                let Some(idx) = buffers.iter().position(|b| b.name == p.name) else {
                    return Err(AssemblyError::UnknownBuffer {
                        opcode: h.name.clone(),
                        buffer: p.name.clone(),
                        declared: buffers.iter().map(|b| b.name.clone()).collect(),
                    });
                };
                let decl = &mut buffers[idx];
                let admits = match (p.structure, decl.kind.structure) {
                    (None, None) => decl.kind.admits(p.elem, p.access),
                    (Some(a), Some(b)) => {
                        p.access != crate::ir::Access::Atomic
                            && vyre_lang::same_layout(
                                &vyre_lang::Layout::Struct(a),
                                &vyre_lang::Layout::Struct(b),
                            )
                    }
                    _ => false,
                };
                if !admits {
                    let elem = p.structure.map_or(p.elem.rust_name(), |s| s.name);
                    return Err(AssemblyError::IncompatibleBuffer {
                        opcode: h.name.clone(),
                        buffer: p.name.clone(),
                        declared: decl.kind,
                        requested: match p.access {
                            crate::ir::Access::Read => format!("&Buffer<{elem}>"),
                            crate::ir::Access::ReadWrite => format!("&mut Buffer<{elem}>"),
                            crate::ir::Access::Atomic => format!("&Buffer<Atomic<{elem}>>"),
                        },
                    });
                }
                decl.written |= p.access == crate::ir::Access::ReadWrite;
                map.push(idx);
            }
            all.push(map);
        }
        Ok(all)
    }
}

/// Every spawn names an opcode of the program, with its argument types.
fn check_spawns(program: &Program) -> Result<(), AssemblyError> {
    check_stmts(program, |h, info, stmt, s| {
        let Stmt::Spawn { opcode, args, .. } = s else {
            return Ok(());
        };
        let Some(t) = program.handler_index(*opcode) else {
            return Err(AssemblyError::SpawnUnknownOpcode {
                opcode: h.name.clone(),
                target: *opcode,
            });
        };
        let target = &program.handlers()[t];
        // The priority is the statement's first expression, the
        // arguments follow it.
        let priority = info.stmt_expr(stmt);
        let found: Vec<_> = info
            .siblings(info.next_expr(priority))
            .take(args.len())
            .map(|a| info.ty(a))
            .collect();
        if found != target.arg_types() {
            return Err(AssemblyError::SpawnArguments {
                opcode: h.name.clone(),
                target: target.name.clone(),
                expected: target.arg_types(),
                found,
            });
        }
        Ok(())
    })
}

/// Runs `check(handler, info, id, statement)` over every statement of
/// every handler (numbered in the order `visit_stmts` visits them); the
/// first error wins.
fn check_stmts(
    program: &Program,
    mut check: impl FnMut(&OpcodeHandler, &HandlerInfo, StmtId, &Stmt) -> Result<(), AssemblyError>,
) -> Result<(), AssemblyError> {
    for (h, info) in program.handlers.iter().zip(&program.infos) {
        let mut err = None;
        let mut id = StmtId(0);
        crate::ir::visit_stmts(&h.body, &mut |s| {
            let stmt = id;
            id = StmtId(id.0 + 1);
            if err.is_none() {
                err = check(h, info, stmt, s).err();
            }
        });
        if let Some(e) = err {
            return Err(e);
        }
    }
    Ok(())
}

fn check_request_kinds(mut kinds: Vec<RequestKind>) -> Result<Vec<RequestKind>, AssemblyError> {
    kinds.sort_by_key(|k| k.id);
    for pair in kinds.windows(2) {
        if pair[0].id == pair[1].id {
            return Err(AssemblyError::DuplicateRequestKind {
                id: pair[0].id,
                first: pair[0].name.clone(),
                second: pair[1].name.clone(),
            });
        }
    }
    for k in &kinds {
        for (what, words) in [("argument", k.arg_words()), ("reply", k.reply_words())] {
            if words > crate::protocol::MAX_ARGS {
                return Err(AssemblyError::RequestKindTooWide {
                    kind: k.name.clone(),
                    what,
                    words,
                    max: crate::protocol::MAX_ARGS,
                });
            }
        }
    }
    Ok(kinds)
}

/// Every request names a declared kind with its argument types and an
/// opcode of the program whose arguments are the given ones followed by
/// the kind's reply.
fn check_requests(program: &Program) -> Result<(), AssemblyError> {
    check_stmts(program, |h, info, stmt, s| {
        let Stmt::Request {
            kind,
            args,
            opcode,
            given,
            ..
        } = s
        else {
            return Ok(());
        };
        let Some(k) = program.request_kind(*kind) else {
            return Err(AssemblyError::RequestUnknownKind {
                opcode: h.name.clone(),
                kind: *kind,
            });
        };
        let Some(t) = program.handler_index(*opcode) else {
            return Err(AssemblyError::RequestUnknownOpcode {
                opcode: h.name.clone(),
                target: *opcode,
            });
        };
        // Priority first, then the request's arguments, then the
        // continuation's given ones.
        let priority = info.stmt_expr(stmt);
        let mut types = info
            .siblings(info.next_expr(priority))
            .take(args.len() + given.len())
            .map(|a| info.ty(a));
        let found: Vec<_> = types.by_ref().take(args.len()).collect();
        if found != k.args {
            return Err(AssemblyError::RequestArguments {
                opcode: h.name.clone(),
                kind: k.name.clone(),
                what: "arguments".into(),
                expected: k.args.clone(),
                found,
            });
        }
        let mut found: Vec<_> = types.collect();
        found.extend(k.reply.iter().copied());
        let target = &program.handlers()[t];
        if found != target.arg_types() {
            return Err(AssemblyError::RequestArguments {
                opcode: h.name.clone(),
                kind: k.name.clone(),
                what: format!("continuation `{}` given, then the reply,", target.name),
                expected: target.arg_types(),
                found,
            });
        }
        Ok(())
    })
}

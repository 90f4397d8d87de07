//! The host's half of device→host requests (`docs/protocol.md`, "Host
//! requests"): a handler per request kind, and serving the requests of a
//! submission between submissions — each one's reply published as its
//! continuation task, or the continuation faulted with what went wrong.

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex};

use super::{BufferHandle, Element, EntryHeader, Runtime};
use crate::engine::{
    BufferWrite, HostRequest, RequestFailure, RequestServer, ServedReply, ServedRequest,
};
use crate::error::{Error, Result};
use crate::program::Program;
use crate::protocol::{ctrl, request, Priority};
use crate::report::{Fault, FaultKind, RequestProblem};

/// What a request handler answers: the reply's words, which the
/// continuation receives after the arguments it was given, and writes into
/// the program's buffers, which land before the continuation runs.
#[derive(Debug, Default)]
pub struct Reply {
    words: Vec<u32>,
    writes: Vec<BufferWrite>,
}

impl Reply {
    /// Appends one reply word.
    pub fn push(&mut self, word: u32) -> &mut Self {
        self.words.push(word);
        self
    }

    /// Appends a 64-bit reply value (two words, low first).
    pub fn push_u64(&mut self, value: u64) -> &mut Self {
        self.words.push(value as u32);
        self.words.push((value >> 32) as u32);
        self
    }

    /// Writes `data` at element `offset` of `buffer` before the
    /// continuation runs. A write that does not fit the buffer faults the
    /// continuation ([`RequestProblem::Write`]).
    pub fn write<T: Element>(&mut self, buffer: BufferHandle<T>, offset: u64, data: &[T]) {
        let words: &[u32] = bytemuck::cast_slice(data);
        self.writes.push(BufferWrite {
            buffer: buffer.index,
            offset,
            elements: data.len() as u64,
            words: words.to_vec(),
        });
    }

    /// Appends reply words as they are (each value as the bits a task
    /// stores).
    pub fn push_words(&mut self, words: &[u32]) -> &mut Self {
        self.words.extend_from_slice(words);
        self
    }

    /// The reply words so far.
    pub fn words(&self) -> &[u32] {
        &self.words
    }
}

/// A request kind's handler: the request, and the reply to fill; an error
/// (any message) faults the continuation.
pub type RequestHandler =
    Box<dyn FnMut(&HostRequest<'_>, &mut Reply) -> std::result::Result<(), String> + Send>;

/// A request kind's id with its handler, as `#[request]`'s `serve` makes
/// them (typed) for [`Runtime::serve`].
pub struct Served {
    kind: u32,
    handler: RequestHandler,
}

impl Served {
    /// Handler `handler` for request kind `kind`.
    pub fn new(kind: u32, handler: RequestHandler) -> Self {
        Served { kind, handler }
    }

    /// The request kind.
    pub fn kind(&self) -> u32 {
        self.kind
    }
}

impl std::fmt::Debug for Served {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Served").field("kind", &self.kind).finish()
    }
}

/// The request handlers of a runtime, by kind: shared with an engine that
/// serves requests inside its tasks (the native backend calls the handler
/// the moment a task makes the request).
#[derive(Clone, Default)]
pub(crate) struct RequestHandlers(Arc<Mutex<HashMap<u32, RequestHandler>>>);

impl std::fmt::Debug for RequestHandlers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut kinds: Vec<u32> = lock(&self.0).keys().copied().collect();
        kinds.sort();
        f.debug_struct("RequestHandlers")
            .field("kinds", &kinds)
            .finish()
    }
}

impl RequestServer for RequestHandlers {
    fn serve(
        &self,
        program: &Program,
        call: &HostRequest<'_>,
        opcode: u32,
        given: &[u32],
    ) -> ServedReply {
        let Some(k) = program.request_kind(call.kind) else {
            return Err((RequestProblem::NoHandler, None));
        };
        let reply_words = k.reply_words();
        let continuation = program
            .handler_index(opcode)
            .map_or(0, |i| program.handlers()[i].arg_words());
        let given_words = continuation.saturating_sub(reply_words);
        let mut handlers = lock(&self.0);
        let Some(handler) = handlers.get_mut(&call.kind) else {
            return Err((RequestProblem::NoHandler, None));
        };
        let mut reply = Reply::default();
        match catch_unwind(AssertUnwindSafe(|| handler(call, &mut reply))) {
            Ok(Ok(())) => {}
            Ok(Err(message)) => return Err((RequestProblem::Failed, Some(message))),
            Err(panic) => {
                let message = crate::error::panic_message(&*panic);
                return Err((RequestProblem::Panicked, message));
            }
        }
        if reply.words.len() != reply_words {
            let found = reply.words.len() as u32;
            return Err((
                RequestProblem::ReplyWords {
                    expected: reply_words as u32,
                    found,
                },
                None,
            ));
        }
        let mut args: Vec<u32> = given.iter().copied().take(given_words).collect();
        args.resize(given_words, 0);
        args.extend_from_slice(&reply.words);
        Ok((args, reply.writes))
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A handler that panicked was caught inside the lock; the map is
    // intact.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Runtime {
    /// Serves requests of kind `kind` with `handler` from now on (replacing
    /// an earlier handler of the kind). Handlers run on the thread that
    /// runs the runtime (`run()`, or a service's driver), one request at a
    /// time in the order the tasks made them: between submissions on the
    /// GPU and the reference backend, inside the requesting task on the
    /// native backend (which runs on the host already).
    ///
    /// # Errors
    ///
    /// [`Error::UnknownRequestKind`] when the program declares no such
    /// kind.
    pub fn on_request(
        &mut self,
        kind: u32,
        handler: impl FnMut(&HostRequest<'_>, &mut Reply) -> std::result::Result<(), String>
            + Send
            + 'static,
    ) -> Result<()> {
        if self.program.request_kind(kind).is_none() {
            return Err(Error::UnknownRequestKind {
                kind,
                declared: self.program.request_kinds().iter().map(|k| k.id).collect(),
            });
        }
        lock(&self.requests.0).insert(kind, Box::new(handler));
        Ok(())
    }

    /// Serves requests with a typed handler made by `#[request]`'s
    /// `serve`: `rt.serve(lookup::serve(|key, reply| Ok(map[&key])))`.
    ///
    /// # Errors
    ///
    /// As [`on_request`](Self::on_request).
    pub fn serve(&mut self, served: Served) -> Result<()> {
        let Served { kind, handler } = served;
        self.on_request(kind, handler)
    }

    /// The runtime's handlers, for an engine that serves requests itself.
    pub(crate) fn request_handlers(&self) -> RequestHandlers {
        self.requests.clone()
    }

    /// Finishes the requests of the last submission: those the engine
    /// served inside its tasks, then the request slots the device wrote
    /// (`made` handed out, as its summary says), each served here; every
    /// slot read is FREE again and `REQUEST_NEXT` zero afterwards.
    /// Returns the continuations faulted.
    pub(crate) fn serve_requests(&mut self, made: u64, faults: &mut Vec<Fault>) -> Result<u64> {
        let mut faulted = 0;
        for served in self.engine.take_served_requests() {
            faulted += u64::from(self.finish_request(served, faults)?);
        }
        let slots = u64::from(self.program.request_slots());
        let n = made.min(slots);
        if n == 0 {
            return Ok(faulted);
        }
        let words_per = request::SLOT_WORDS as usize;
        let base = u64::from(self.layout.requests);
        let slots_read = self.engine.read_control(base, n * words_per as u64)?;
        for rec in slots_read.chunks_exact(words_per) {
            if rec[request::STATE as usize] != request::WRITTEN {
                continue;
            }
            let w = |i: u32| rec[i as usize];
            let arg_words = (w(request::WORDS) as usize).min(2 * crate::protocol::MAX_ARGS);
            let at = request::ARGS as usize;
            let call = HostRequest {
                kind: w(request::KIND),
                args: &rec[at..at + arg_words],
                tenant: w(request::TENANT),
            };
            let given = &rec[at + arg_words..];
            let outcome = self
                .requests
                .serve(&self.program, &call, w(request::OPCODE), given);
            let served = ServedRequest {
                kind: call.kind,
                priority: w(request::PRIORITY),
                opcode: w(request::OPCODE),
                tenant: call.tenant,
                ticket: w(request::TICKET),
                outcome,
            };
            faulted += u64::from(self.finish_request(served, faults)?);
        }
        self.engine
            .write_control(base, &vec![0; n as usize * words_per])?;
        self.engine
            .write_control(u64::from(ctrl::REQUEST_NEXT), &[0, 0])?;
        Ok(faulted)
    }

    /// A reply's buffer writes, or [`RequestProblem::Write`] (none made)
    /// when one does not fit its buffer.
    fn apply_writes(
        &mut self,
        writes: Vec<BufferWrite>,
    ) -> std::result::Result<(), RequestFailure> {
        let fits = writes.iter().all(|w| {
            self.engine
                .buffer_len(w.buffer)
                .checked_sub(w.offset)
                .is_some_and(|room| room >= w.elements)
        });
        if !fits {
            return Err((RequestProblem::Write, None));
        }
        for w in writes {
            if let Err(e) = self.engine.write_buffer(w.buffer, w.offset, &w.words) {
                return Err((RequestProblem::Write, Some(e.to_string())));
            }
        }
        Ok(())
    }

    /// Lands a served request's buffer writes and publishes its
    /// continuation, or records its fault: on its ticket (ending one of the
    /// ticket's live tasks, which the device counted when it took the
    /// request) or in `faults`. Returns whether it faulted.
    fn finish_request(&mut self, served: ServedRequest, faults: &mut Vec<Fault>) -> Result<bool> {
        let priority = Priority::from_index(served.priority).unwrap_or(Priority::Idle);
        let outcome = match served.outcome {
            Ok((args, writes)) => self.apply_writes(writes).map(|()| args),
            Err(failure) => Err(failure),
        };
        let (problem, message) = match outcome {
            Ok(args) => {
                let header = EntryHeader {
                    opcode: served.opcode,
                    tenant: served.tenant,
                    ticket: served.ticket,
                };
                self.inbox.push(priority.index(), header, &args);
                return Ok(false);
            }
            Err(failure) => failure,
        };
        let fault = Fault {
            slot: u32::MAX,
            opcode: served.opcode,
            opcode_name: self
                .program
                .handler_index(served.opcode)
                .map(|i| self.program.handlers()[i].name.clone()),
            kind: FaultKind::Request {
                kind: served.kind,
                problem,
            },
            tenant: served.tenant,
            priority: served.priority,
            round: 0,
            lane: u32::MAX,
            message,
        };
        match served.ticket {
            0 => faults.push(fault),
            ticket => {
                self.tickets.fault(ticket, fault);
                self.end_task_on_host(ticket)?;
            }
        }
        Ok(true)
    }
}

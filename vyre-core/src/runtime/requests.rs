//! The host's half of device→host requests (`docs/protocol.md`, "Host
//! requests"): a handler per request kind, and serving the requests of a
//! submission between submissions — each one's reply published as its
//! continuation task, or the continuation faulted with what went wrong.

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};

use super::{BufferHandle, Element, EntryHeader, Runtime};
use crate::error::{Error, Result};
use crate::protocol::{ctrl, request, Priority};
use crate::report::{Fault, FaultKind, RequestProblem};

/// One request as its handler sees it.
#[derive(Debug, Clone, Copy)]
pub struct HostRequest<'a> {
    /// The request kind.
    pub kind: u32,
    /// The request's argument words (each argument as the bits a task
    /// stores: `bool` 0 or 1, `i32` two's complement, `f32` its IEEE
    /// bits; `u64` and `i64` two words, low first).
    pub args: &'a [u32],
    /// The requesting task's tenant.
    pub tenant: u32,
}

impl HostRequest<'_> {
    /// Argument word `i`, or 0 past the arguments.
    pub fn word(&self, i: usize) -> u32 {
        self.args.get(i).copied().unwrap_or(0)
    }
}

/// What a request handler answers: the reply's words, which the
/// continuation receives after the arguments it was given, and writes into
/// the program's buffers, which land before the continuation runs.
#[derive(Debug, Default)]
pub struct Reply {
    words: Vec<u32>,
    writes: Vec<(usize, u64, Vec<u32>)>,
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
        self.writes.push((buffer.index, offset, words.to_vec()));
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

/// The handlers of one runtime, by kind.
#[derive(Default)]
pub(crate) struct Handlers {
    by_kind: HashMap<u32, RequestHandler>,
}

impl std::fmt::Debug for Handlers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut kinds: Vec<_> = self.by_kind.keys().collect();
        kinds.sort();
        f.debug_struct("Handlers").field("kinds", &kinds).finish()
    }
}

/// What serving one request came to.
enum Outcome {
    /// The continuation's argument words (given, then the reply).
    Reply(Vec<u32>, Vec<(usize, u64, Vec<u32>)>),
    Fault(RequestProblem, Option<String>),
}

impl Runtime {
    /// Serves requests of kind `kind` with `handler` from now on (replacing
    /// an earlier handler of the kind). Handlers run between submissions, on
    /// the thread that runs the runtime (`run()`, or a service's driver),
    /// one request at a time in the order the device made them.
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
        self.requests.by_kind.insert(kind, Box::new(handler));
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

    /// Serves the requests of the last submission (`made` slots handed
    /// out, as its summary says): each slot the device wrote is served and
    /// its continuation queued or faulted; then every slot read is FREE
    /// again and `REQUEST_NEXT` zero. Returns the continuations faulted.
    pub(crate) fn serve_requests(&mut self, made: u64, faults: &mut Vec<Fault>) -> Result<u64> {
        let slots = u64::from(self.program.request_slots());
        let n = made.min(slots);
        if n == 0 {
            return Ok(0);
        }
        let words_per = request::SLOT_WORDS as usize;
        let base = u64::from(self.layout.requests);
        let slots_read = self.engine.read_control(base, n * words_per as u64)?;
        let mut faulted = 0;
        for rec in slots_read.chunks_exact(words_per) {
            if rec[request::STATE as usize] != request::WRITTEN {
                continue;
            }
            let w = |i: u32| rec[i as usize];
            let header = EntryHeader {
                opcode: w(request::OPCODE),
                tenant: w(request::TENANT),
                ticket: w(request::TICKET),
            };
            let priority = Priority::from_index(w(request::PRIORITY)).unwrap_or(Priority::Idle);
            match self.serve_one(rec) {
                Outcome::Reply(args, writes) => {
                    let mut bad_write = false;
                    for (buffer, offset, data) in writes {
                        let fits = self
                            .engine
                            .buffer_len(buffer)
                            .checked_sub(offset)
                            .is_some_and(|room| room >= data.len() as u64);
                        if !fits {
                            bad_write = true;
                            break;
                        }
                        self.engine.write_buffer(buffer, offset, &data)?;
                    }
                    if bad_write {
                        faulted += 1;
                        self.request_fault(rec, RequestProblem::Write, None, faults)?;
                    } else {
                        self.inbox.push(priority.index(), header, &args);
                    }
                }
                Outcome::Fault(problem, message) => {
                    faulted += 1;
                    self.request_fault(rec, problem, message, faults)?;
                }
            }
        }
        self.engine
            .write_control(base, &vec![0; n as usize * words_per])?;
        self.engine
            .write_control(u64::from(ctrl::REQUEST_NEXT), &[0, 0])?;
        Ok(faulted)
    }

    /// Runs the handler of the request in slot words `rec`.
    fn serve_one(&mut self, rec: &[u32]) -> Outcome {
        let w = |i: u32| rec[i as usize];
        let kind = w(request::KIND);
        let Some(k) = self.program.request_kind(kind) else {
            return Outcome::Fault(RequestProblem::NoHandler, None);
        };
        let reply_words = k.reply_words();
        let arg_words = (w(request::WORDS) as usize).min(2 * crate::protocol::MAX_ARGS);
        let args_at = request::ARGS as usize;
        let continuation = self
            .program
            .handler_index(w(request::OPCODE))
            .map_or(0, |i| self.program.handlers()[i].arg_words());
        let given = continuation.saturating_sub(reply_words);
        let Some(handler) = self.requests.by_kind.get_mut(&kind) else {
            return Outcome::Fault(RequestProblem::NoHandler, None);
        };
        let req = HostRequest {
            kind,
            args: &rec[args_at..args_at + arg_words],
            tenant: w(request::TENANT),
        };
        let mut reply = Reply::default();
        match catch_unwind(AssertUnwindSafe(|| handler(&req, &mut reply))) {
            Ok(Ok(())) => {}
            Ok(Err(message)) => return Outcome::Fault(RequestProblem::Failed, Some(message)),
            Err(panic) => {
                let message = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned());
                return Outcome::Fault(RequestProblem::Panicked, message);
            }
        }
        if reply.words.len() != reply_words {
            return Outcome::Fault(
                RequestProblem::ReplyWords {
                    expected: reply_words as u32,
                    found: reply.words.len() as u32,
                },
                None,
            );
        }
        let from = args_at + arg_words;
        let mut args: Vec<u32> = rec[from..(from + given).min(rec.len())].to_vec();
        args.resize(given, 0);
        args.extend_from_slice(&reply.words);
        Outcome::Reply(args, reply.writes)
    }

    /// Records the fault of the continuation of the request in `rec`: on
    /// its ticket (ending one of the ticket's live tasks, which the device
    /// counted when it took the request) or in `faults`.
    fn request_fault(
        &mut self,
        rec: &[u32],
        problem: RequestProblem,
        message: Option<String>,
        faults: &mut Vec<Fault>,
    ) -> Result<()> {
        let w = |i: u32| rec[i as usize];
        let opcode = w(request::OPCODE);
        let fault = Fault {
            slot: u32::MAX,
            opcode,
            opcode_name: self
                .program
                .handler_index(opcode)
                .map(|i| self.program.handlers()[i].name.clone()),
            kind: FaultKind::Request {
                kind: w(request::KIND),
                problem,
            },
            tenant: w(request::TENANT),
            priority: w(request::PRIORITY),
            round: 0,
            lane: u32::MAX,
            message,
        };
        match w(request::TICKET) {
            0 => faults.push(fault),
            ticket => {
                self.tickets.fault(ticket, fault);
                self.end_task_on_host(ticket)?;
            }
        }
        Ok(())
    }
}

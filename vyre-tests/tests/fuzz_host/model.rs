//! What the test knows independently of the runtime: buffer contents,
//! tenant switches, limits and counts ([`Model`]), the errors a call must
//! return, and the assertions that a call got exactly that error.

use vyre::prelude::*;
use vyre::Element;

/// An element type whose values the fuzzer makes from raw words.
pub trait Bits: Element + Copy + std::fmt::Debug {
    fn from_bits(w: u32) -> Self;
    fn to_bits(self) -> u32;
}
impl Bits for u32 {
    fn from_bits(w: u32) -> Self {
        w
    }
    fn to_bits(self) -> u32 {
        self
    }
}
impl Bits for i32 {
    fn from_bits(w: u32) -> Self {
        w as i32
    }
    fn to_bits(self) -> u32 {
        self as u32
    }
}
impl Bits for f32 {
    fn from_bits(w: u32) -> Self {
        f32::from_bits(w)
    }
    fn to_bits(self) -> u32 {
        f32::to_bits(self)
    }
}

/// What the test knows independently of the runtime.
pub struct Model {
    pub program: Program,
    /// Buffer contents as words, by program buffer index.
    pub contents: Vec<Vec<u32>>,
    pub tenants: Vec<bool>,
    pub limits: RunLimits,
    pub published: u64,
    /// Sums over every report.
    pub executed: u64,
    pub faulted: u64,
    pub spawned: u64,
    pub overflows: u64,
    pub reported_published: u64,
    /// Tasks the test expects to have been published with a priority and
    /// tenant (checked: published; unchecked raw tasks too).
    pub runs: u32,
    /// The partitions a successful `set_partition_sizes` gave the ring
    /// last (the runtime may grow them afterwards when the program lets
    /// it).
    pub resized: Option<[(u32, u32); 5]>,
}

/// The largest length a resize may ask for and still be expected to work.
pub const SANE_LEN: u64 = 1 << 20;

impl Model {
    pub fn new(program: Program) -> Model {
        let tenants = vec![true; program.config().tenants as usize];
        Model {
            contents: vec![Vec::new(); program.buffers().len()],
            program,
            tenants,
            limits: RunLimits::default(),
            published: 0,
            executed: 0,
            faulted: 0,
            spawned: 0,
            overflows: 0,
            reported_published: 0,
            runs: 0,
            resized: None,
        }
    }

    /// The error `publish_for` must return, if any.
    /// Arguments of the handler of `opcode`'s own types, from `words`
    /// (none for an opcode the program does not have).
    pub fn own_args(&self, opcode: u32, words: &[u32; 12]) -> Vec<Literal> {
        match self.program.handler_index(opcode) {
            Some(h) => self.program.handlers()[h]
                .arg_types()
                .iter()
                .zip(words)
                .map(|(t, w)| Literal::from_word(*t, *w))
                .collect(),
            None => vec![],
        }
    }

    pub fn publish_error(&self, tenant: u32, opcode: u32, args: &[Literal]) -> Option<Error> {
        if tenant as usize >= self.tenants.len() {
            return Some(Error::UnknownTenant {
                tenant,
                tenants: self.tenants.len() as u32,
            });
        }
        let Some(h) = self.program.handler_index(opcode) else {
            return Some(Error::UnknownOpcode { id: opcode });
        };
        let h = &self.program.handlers()[h];
        let types = h.arg_types();
        if types.len() != args.len() {
            return Some(Error::ArgumentCount {
                opcode: h.name.clone(),
                expected: types.len(),
                found: args.len(),
            });
        }
        for (index, (a, t)) in args.iter().zip(&types).enumerate() {
            if a.ty() != *t {
                return Some(Error::ArgumentType {
                    opcode: h.name.clone(),
                    index,
                    expected: *t,
                    found: a.ty(),
                });
            }
        }
        None
    }

    pub fn tenant_error(&self, tenant: u32) -> Option<Error> {
        ((tenant as usize) >= self.tenants.len()).then_some(Error::UnknownTenant {
            tenant,
            tenants: self.tenants.len() as u32,
        })
    }
}

pub fn limits_valid(l: &RunLimits) -> bool {
    l.max_rounds >= 1 && (1..=4096).contains(&l.max_rounds_per_submission)
}

thread_local! {
    /// Invalid calls refused with the expected typed error, on this thread.
    pub static REFUSED: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Asserts that `got` is the error `want` (or success when `want` is
/// `None`), naming the step.
pub fn expect<T: std::fmt::Debug>(what: &str, got: &Result<T, Error>, want: Option<&Error>) {
    match (got, want) {
        (Ok(_), None) => {}
        (Err(e), Some(w)) => {
            assert_eq!(e, w, "{what}: wrong error");
            REFUSED.with(|r| r.set(r.get() + 1));
        }
        (Ok(v), Some(w)) => panic!("{what}: expected {w:?}, got Ok({v:?})"),
        (Err(e), None) => panic!("{what}: expected success, got {e:?}"),
    }
}

/// Asserts that `got` failed with an error of the kind `pred` accepts.
pub fn expect_err<T: std::fmt::Debug>(
    what: &str,
    got: &Result<T, Error>,
    pred: impl Fn(&Error) -> bool,
) {
    match got {
        Err(e) if pred(e) => REFUSED.with(|r| r.set(r.get() + 1)),
        other => panic!("{what}: unexpected {other:?}"),
    }
}

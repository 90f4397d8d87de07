//! Buffer metadata of a handler ([`BufferMeta`]) and the native backend's
//! buffer store ([`HostBuffers`]).

use std::cell::{Ref, RefCell, RefMut};

use super::atomic::{Atomic, AtomicElement};
use super::buffer::Buffer;
use super::structs::{StructCell, StructData};
use crate::ir::{Access, BufferKind, ScalarType};
use crate::runtime::Element;
use vyre_lang::{Layout, StructLayout};

/// One buffer parameter of a handler, as `#[opcode]` describes it in the
/// handler module's `BUFFERS` constant: const-constructible, so that
/// `megakernel!` can check bindings with const assertions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BufferMeta {
    /// Parameter name: the megakernel buffer it binds to.
    pub name: &'static str,
    /// Element type (`u32`, `i32`, `f32`).
    pub elem: ScalarType,
    /// `Read` (`&Buffer<T>`), `ReadWrite` (`&mut Buffer<T>`) or `Atomic`
    /// (`&Buffer<Atomic<T>>`).
    pub access: Access,
    /// For a buffer of `#[derive(Element)]` structs, their layout (`elem`
    /// is then `u32`).
    pub structure: Option<&'static StructLayout>,
}

impl BufferMeta {
    /// A buffer parameter of scalars.
    pub const fn new(name: &'static str, elem: ScalarType, access: Access) -> Self {
        BufferMeta {
            name,
            elem,
            access,
            structure: None,
        }
    }

    /// A buffer parameter of elements of `layout` (scalars or structs).
    pub const fn of(name: &'static str, layout: Layout, access: Access) -> Self {
        match layout {
            Layout::Scalar(elem) => BufferMeta::new(name, elem, access),
            Layout::Struct(s) => BufferMeta {
                name,
                elem: ScalarType::U32,
                access,
                structure: Some(s),
            },
        }
    }

    /// Whether the parameter is called `name` (usable in const context).
    pub const fn name_is(&self, name: &str) -> bool {
        const_str_eq(self.name, name)
    }

    /// Whether the parameter may bind to a declared buffer of `kind`: same
    /// element type, and atomic exactly when the parameter is (usable in
    /// const context).
    pub const fn admits(&self, kind: BufferKind) -> bool {
        let same_structure = match (self.structure, kind.structure) {
            (None, None) => true,
            (Some(a), Some(b)) => vyre_lang::same_layout(&Layout::Struct(a), &Layout::Struct(b)),
            _ => false,
        };
        same_structure
            && self.elem as u8 == kind.elem as u8
            && matches!(self.access, Access::Atomic) == kind.atomic
    }

    /// The index of the parameter called `name` in `metas` (usable in const
    /// context).
    pub const fn find(metas: &[BufferMeta], name: &str) -> Option<usize> {
        let mut i = 0;
        while i < metas.len() {
            if metas[i].name_is(name) {
                return Some(i);
            }
            i += 1;
        }
        None
    }
}

/// String equality usable in const context.
pub(crate) const fn const_str_eq(a: &str, b: &str) -> bool {
    vyre_lang::str_eq(a, b)
}

/// One program buffer on the host, as the native backend holds it.
#[derive(Debug)]
pub enum HostBuffer {
    /// `u32` elements.
    U32(RefCell<Buffer<u32>>),
    /// `i32` elements.
    I32(RefCell<Buffer<i32>>),
    /// `f32` elements.
    F32(RefCell<Buffer<f32>>),
    /// `u64` elements.
    U64(RefCell<Buffer<u64>>),
    /// `i64` elements.
    I64(RefCell<Buffer<i64>>),
    /// `Atomic<u32>` elements.
    AtomicU32(Buffer<Atomic<u32>>),
    /// `Atomic<i32>` elements.
    AtomicI32(Buffer<Atomic<i32>>),
    /// `#[derive(Element)]` structs, as the words of their layout
    /// (handlers do not take struct buffers yet; the host reads and writes
    /// them).
    Struct(&'static StructLayout, StructData),
}

/// `$body` with `$c` bound to the `RefCell<Buffer<T>>` of a plain buffer,
/// `$atomic` with `$a` bound to the `Buffer<Atomic<T>>` of an atomic one,
/// or `$structs` with `$l` and `$w` bound to a struct buffer's layout and
/// words: one code path for every element type.
macro_rules! each_buffer {
    ($b:expr, $c:ident => $body:expr, $a:ident => $atomic:expr, ($l:pat, $w:ident) => $structs:expr) => {
        match $b {
            HostBuffer::U32($c) => $body,
            HostBuffer::I32($c) => $body,
            HostBuffer::F32($c) => $body,
            HostBuffer::U64($c) => $body,
            HostBuffer::I64($c) => $body,
            HostBuffer::AtomicU32($a) => $atomic,
            HostBuffer::AtomicI32($a) => $atomic,
            HostBuffer::Struct($l, $w) => $structs,
        }
    };
}
pub(crate) use each_buffer;

/// A handler's struct buffer parameter bound to another kind of buffer: a
/// megakernel assembly bug.
#[cold]
#[track_caller]
fn struct_mismatch(param: usize, wanted: &str, bound: BufferKind) -> ! {
    panic!("vyre: buffer parameter {param} expects a buffer of {wanted}, but it is bound to a buffer of {bound}")
}

/// Elements of `T` from their bit patterns (`T::TYPE.words()` words each).
fn plain_from<T: PlainElement>(words: &[u32]) -> RefCell<Buffer<T>> {
    let per = T::TYPE.words() as usize;
    RefCell::new(words.chunks_exact(per).map(T::from_bits).collect())
}

/// Atomic elements of `T` from their bit patterns.
fn atomic_from<T: AtomicElement>(words: &[u32]) -> Buffer<Atomic<T>> {
    words
        .iter()
        .map(|&w| Atomic::new(T::from_bits(w)))
        .collect()
}

impl HostBuffer {
    /// A zero-filled buffer of `kind` with `len` elements.
    pub fn zeroed(kind: BufferKind, len: u32) -> Self {
        let words = len as usize * kind.element_words() as usize;
        Self::from_words(kind, &vec![0; words])
    }

    /// A buffer of `kind` holding `words` (the elements' bit patterns: two
    /// words, low first, per `u64`/`i64` element). `Bool` elements (which
    /// no buffer has) are stored as `u32`.
    pub fn from_words(kind: BufferKind, words: &[u32]) -> Self {
        if let Some(s) = kind.structure {
            let per = s.words.max(1) as usize;
            let whole = words.len() / per * per;
            return HostBuffer::Struct(s, StructData::words(words[..whole].to_vec()));
        }
        match (kind.elem, kind.atomic) {
            (ScalarType::I32, true) => HostBuffer::AtomicI32(atomic_from(words)),
            (_, true) => HostBuffer::AtomicU32(atomic_from(words)),
            (ScalarType::I32, false) => HostBuffer::I32(plain_from(words)),
            (ScalarType::F32, false) => HostBuffer::F32(plain_from(words)),
            (ScalarType::U64, false) => HostBuffer::U64(plain_from(words)),
            (ScalarType::I64, false) => HostBuffer::I64(plain_from(words)),
            (ScalarType::U32 | ScalarType::Bool, false) => HostBuffer::U32(plain_from(words)),
        }
    }

    /// The kind of buffer.
    pub fn kind(&self) -> BufferKind {
        match self {
            HostBuffer::U32(_) => BufferKind::plain(ScalarType::U32),
            HostBuffer::I32(_) => BufferKind::plain(ScalarType::I32),
            HostBuffer::F32(_) => BufferKind::plain(ScalarType::F32),
            HostBuffer::U64(_) => BufferKind::plain(ScalarType::U64),
            HostBuffer::I64(_) => BufferKind::plain(ScalarType::I64),
            HostBuffer::AtomicU32(_) => BufferKind::atomic(ScalarType::U32),
            HostBuffer::AtomicI32(_) => BufferKind::atomic(ScalarType::I32),
            HostBuffer::Struct(s, _) => BufferKind::of(Layout::Struct(s)),
        }
    }

    /// Number of elements.
    pub fn len(&self) -> u32 {
        each_buffer!(
            self,
            c => c.borrow().len(),
            a => a.len(),
            (s, cell) => match &*cell.0.borrow() {
                StructCell::Words(words) => u32::try_from(words.len() / s.words.max(1) as usize).unwrap_or(u32::MAX),
                StructCell::Typed(b) => u32::try_from(b.len()).unwrap_or(u32::MAX),
            }
        )
    }

    /// Whether it has no element.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The elements' bit patterns (two words, low first, per `u64`/`i64`
    /// element).
    pub fn to_words(&self) -> Vec<u32> {
        each_buffer!(
            self,
            c => {
                let b = c.borrow();
                let per = words_of(&*b);
                let mut out = vec![0; b.len() as usize * per];
                for (v, chunk) in b.iter().zip(out.chunks_exact_mut(per)) {
                    v.put_bits(chunk);
                }
                out
            },
            a => a.iter().map(|x| x.load().to_bits()).collect(),
            (_, cell) => cell.0.borrow().to_words()
        )
    }
}

/// Words per element of a plain buffer (for the generic arms of
/// [`each_buffer!`]).
pub(crate) fn words_of<T: PlainElement>(_: &Buffer<T>) -> usize {
    T::TYPE.words() as usize
}

/// The element types of plain buffers (`u32`, `i32`, `f32`, `u64`, `i64`).
pub trait PlainElement: Copy + Default + Sized + 'static {
    /// The element's scalar type.
    const TYPE: ScalarType;
    #[doc(hidden)]
    fn plain(b: &HostBuffer) -> Option<&RefCell<Buffer<Self>>>;
    /// The element from its bit pattern (`TYPE.words()` words, low first).
    #[doc(hidden)]
    fn from_bits(words: &[u32]) -> Self;
    /// Writes the element's bit pattern into `out` (`TYPE.words()` words).
    #[doc(hidden)]
    fn put_bits(self, out: &mut [u32]);
}

macro_rules! plain_element {
    ($($t:ty => $ty:ident, |$w:ident| $from:expr, |$v:ident| $bits:expr;)*) => {$(
        impl PlainElement for $t {
            const TYPE: ScalarType = ScalarType::$ty;
            fn plain(b: &HostBuffer) -> Option<&RefCell<Buffer<$t>>> {
                match b {
                    HostBuffer::$ty(c) => Some(c),
                    _ => None,
                }
            }
            fn from_bits($w: &[u32]) -> $t {
                $from
            }
            fn put_bits(self, out: &mut [u32]) {
                let $v = self;
                let bits: u64 = $bits;
                out[0] = bits as u32;
                if let Some(high) = out.get_mut(1) {
                    *high = (bits >> 32) as u32;
                }
            }
        }
    )*};
}

/// The `u64` of two words, low first.
fn wide(w: &[u32]) -> u64 {
    u64::from(w[0]) | (u64::from(w.get(1).copied().unwrap_or(0)) << 32)
}

plain_element! {
    u32 => U32, |w| w[0], |v| u64::from(v);
    i32 => I32, |w| w[0] as i32, |v| u64::from(v as u32);
    f32 => F32, |w| f32::from_bits(w[0]), |v| u64::from(v.to_bits());
    u64 => U64, |w| wide(w), |v| v;
    i64 => I64, |w| wide(w) as i64, |v| v as u64;
}

#[doc(hidden)]
pub trait HostAtomic: AtomicElement {
    fn atomic(b: &HostBuffer) -> Option<&Buffer<Atomic<Self>>>;
}
impl HostAtomic for u32 {
    fn atomic(b: &HostBuffer) -> Option<&Buffer<Atomic<u32>>> {
        match b {
            HostBuffer::AtomicU32(c) => Some(c),
            _ => None,
        }
    }
}
impl HostAtomic for i32 {
    fn atomic(b: &HostBuffer) -> Option<&Buffer<Atomic<i32>>> {
        match b {
            HostBuffer::AtomicI32(c) => Some(c),
            _ => None,
        }
    }
}

/// The program's buffers on the host, handed to handlers by the
/// `__native` function `#[opcode]` generates: `bindings[i]` is the program
/// buffer index of the handler's buffer parameter `i`.
///
/// Plain buffers sit in `RefCell`s: a handler borrows each of its buffers
/// once (a handler never names one buffer twice), read-only ones shared and
/// read-write ones exclusively, for the duration of one call. The store is
/// for one thread at a time (`Send`, not `Sync`).
#[derive(Debug, Default)]
pub struct HostBuffers {
    buffers: Vec<HostBuffer>,
}

impl HostBuffers {
    /// An empty store.
    pub fn new() -> Self {
        HostBuffers::default()
    }

    /// Appends a buffer, returning its index.
    pub fn push(&mut self, buffer: HostBuffer) -> usize {
        self.buffers.push(buffer);
        self.buffers.len() - 1
    }

    /// Number of buffers.
    pub fn len(&self) -> usize {
        self.buffers.len()
    }

    /// Whether there is no buffer.
    pub fn is_empty(&self) -> bool {
        self.buffers.is_empty()
    }

    /// Buffer `index`.
    pub fn get(&self, index: usize) -> Option<&HostBuffer> {
        self.buffers.get(index)
    }

    /// Buffer `index`, mutably (to upload, resize or replace it).
    pub fn get_mut(&mut self, index: usize) -> Option<&mut HostBuffer> {
        self.buffers.get_mut(index)
    }

    #[track_caller]
    fn bound(&self, bindings: &[usize], param: usize) -> &HostBuffer {
        let Some(&index) = bindings.get(param) else {
            panic!(
                "vyre: buffer parameter {param} has no binding ({} given)",
                bindings.len()
            )
        };
        match self.buffers.get(index) {
            Some(b) => b,
            None => panic!(
                "vyre: buffer parameter {param} is bound to buffer {index}, but there are {}",
                self.buffers.len()
            ),
        }
    }

    #[track_caller]
    fn plain<T: PlainElement>(&self, bindings: &[usize], param: usize) -> &RefCell<Buffer<T>> {
        let b = self.bound(bindings, param);
        match T::plain(b) {
            Some(c) => c,
            None => panic!(
                "vyre: buffer parameter {param} expects a plain buffer of {}, but it is bound to a buffer of {}",
                T::TYPE,
                b.kind()
            ),
        }
    }

    /// The buffer bound to handler buffer parameter `param`, read-only.
    ///
    /// # Panics
    ///
    /// When the binding is missing, of another kind, or the buffer is
    /// borrowed mutably (bound twice) — a megakernel assembly bug.
    #[track_caller]
    pub fn read<T: PlainElement>(&self, bindings: &[usize], param: usize) -> Ref<'_, Buffer<T>> {
        self.plain::<T>(bindings, param).borrow()
    }

    /// The buffer bound to handler buffer parameter `param`, read-write.
    ///
    /// # Panics
    ///
    /// As [`read`](Self::read), and when it is already borrowed.
    #[track_caller]
    pub fn write<T: PlainElement>(
        &self,
        bindings: &[usize],
        param: usize,
    ) -> RefMut<'_, Buffer<T>> {
        self.plain::<T>(bindings, param).borrow_mut()
    }

    /// The struct buffer bound to handler buffer parameter `param`,
    /// read-only, as `Buffer<T>`.
    ///
    /// # Panics
    ///
    /// As [`read`](Self::read): a missing binding, another element type,
    /// or a buffer borrowed mutably — a megakernel assembly bug.
    #[track_caller]
    pub fn read_struct<T: Element>(&self, bindings: &[usize], param: usize) -> Ref<'_, Buffer<T>> {
        let b = self.bound(bindings, param);
        let typed = match b {
            HostBuffer::Struct(_, cell) => super::structs::borrow::<T>(&cell.0),
            _ => None,
        };
        typed.unwrap_or_else(|| struct_mismatch(param, T::LAYOUT.name(), b.kind()))
    }

    /// The struct buffer bound to handler buffer parameter `param`,
    /// read-write, as `Buffer<T>`.
    ///
    /// # Panics
    ///
    /// As [`read_struct`](Self::read_struct), and when it is already
    /// borrowed.
    #[track_caller]
    pub fn write_struct<T: Element>(
        &self,
        bindings: &[usize],
        param: usize,
    ) -> RefMut<'_, Buffer<T>> {
        let b = self.bound(bindings, param);
        let typed = match b {
            HostBuffer::Struct(_, cell) => super::structs::borrow_mut::<T>(&cell.0),
            _ => None,
        };
        typed.unwrap_or_else(|| struct_mismatch(param, T::LAYOUT.name(), b.kind()))
    }

    /// The atomic buffer bound to handler buffer parameter `param`.
    ///
    /// # Panics
    ///
    /// When the binding is missing or of another kind.
    #[track_caller]
    pub fn atomic<T: HostAtomic>(&self, bindings: &[usize], param: usize) -> &Buffer<Atomic<T>> {
        let b = self.bound(bindings, param);
        match T::atomic(b) {
            Some(c) => c,
            None => panic!(
                "vyre: buffer parameter {param} expects an atomic buffer, but it is bound to a buffer of {}",
                b.kind()
            ),
        }
    }
}

impl FromIterator<HostBuffer> for HostBuffers {
    fn from_iter<I: IntoIterator<Item = HostBuffer>>(iter: I) -> Self {
        HostBuffers {
            buffers: iter.into_iter().collect(),
        }
    }
}

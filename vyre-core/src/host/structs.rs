//! Struct buffers on the host (the native backend): a buffer of
//! `#[derive(Element)]` structs is kept as the words of its layout until a
//! handler first borrows it as `Buffer<T>`; from then on it is that typed
//! buffer (handlers borrow it without a copy), and the engine's word
//! operations (upload, read, resize) convert through [`StructStore`].

use std::any::Any;
use std::cell::{Ref, RefCell, RefMut};
use std::fmt;

use super::buffer::Buffer;
use crate::runtime::Element;

/// A typed struct buffer, seen as words.
pub(crate) trait StructStore: Send {
    /// Elements.
    fn len(&self) -> usize;
    /// Every element's words.
    fn to_words(&self) -> Vec<u32>;
    /// Overwrites elements from `offset` with `words` (whole elements; the
    /// caller checked the range).
    fn write_words(&mut self, offset: usize, words: &[u32]);
    /// `n` elements from `offset`, as words (the caller checked the range).
    fn read_words(&self, offset: usize, n: usize) -> Vec<u32>;
    /// Gives the buffer `n` elements, zero-filling new ones; `None` when the
    /// memory cannot be had.
    fn resize(&mut self, n: usize) -> Option<()>;
    /// The buffer, for the typed borrow.
    fn as_any(&self) -> &dyn Any;
    /// The buffer, for the typed mutable borrow.
    fn as_any_mut(&mut self) -> &mut dyn Any;
}

impl<T: Element> StructStore for Buffer<T> {
    fn len(&self) -> usize {
        self.as_slice().len()
    }

    fn to_words(&self) -> Vec<u32> {
        bytemuck::cast_slice(self.as_slice()).to_vec()
    }

    fn write_words(&mut self, offset: usize, words: &[u32]) {
        // Copied element by element: the words need not be aligned for T.
        let values: Vec<T> = bytemuck::pod_collect_to_vec(words);
        if let Some(dst) = self.as_mut_slice().get_mut(offset..offset + values.len()) {
            dst.copy_from_slice(&values);
        }
    }

    fn read_words(&self, offset: usize, n: usize) -> Vec<u32> {
        self.as_slice()
            .get(offset..offset + n)
            .map(|s| bytemuck::cast_slice(s).to_vec())
            .unwrap_or_default()
    }

    fn resize(&mut self, n: usize) -> Option<()> {
        let mut v = std::mem::replace(self, Buffer::new()).into_vec();
        if n > v.len() {
            v.try_reserve_exact(n - v.len()).ok()?;
        }
        v.resize(n, T::zeroed());
        *self = Buffer::from(v);
        Some(())
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// A struct buffer's contents: words until a handler borrows it typed.
pub(crate) enum StructCell {
    /// The words of the layout, element after element.
    Words(Vec<u32>),
    /// The typed buffer a handler borrowed.
    Typed(Box<dyn StructStore>),
}

impl fmt::Debug for StructCell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StructCell::Words(w) => write!(f, "Words({} words)", w.len()),
            StructCell::Typed(b) => write!(f, "Typed({} elements)", b.len()),
        }
    }
}

impl StructCell {
    /// Every element's words.
    pub(crate) fn to_words(&self) -> Vec<u32> {
        match self {
            StructCell::Words(w) => w.clone(),
            StructCell::Typed(b) => b.to_words(),
        }
    }

    /// Makes the contents a `Buffer<T>` (from the words, once); false when
    /// they already are a buffer of another type.
    fn ensure<T: Element>(&mut self) -> bool {
        if let StructCell::Words(words) = self {
            let values: Vec<T> = bytemuck::pod_collect_to_vec(words);
            *self = StructCell::Typed(Box::new(Buffer::from(values)));
        }
        match self {
            StructCell::Typed(b) => b.as_any().is::<Buffer<T>>(),
            StructCell::Words(_) => false,
        }
    }
}

/// A struct buffer's contents on the host (opaque): the words of its
/// layout, or the `Buffer<T>` a handler borrowed.
#[derive(Debug)]
pub struct StructData(pub(crate) RefCell<StructCell>);

impl StructData {
    /// Contents from the words of the layout.
    pub(crate) fn words(words: Vec<u32>) -> Self {
        StructData(RefCell::new(StructCell::Words(words)))
    }
}

/// The contents as `Buffer<T>`, shared; `None` when they are another type.
pub(crate) fn borrow<T: Element>(cell: &RefCell<StructCell>) -> Option<Ref<'_, Buffer<T>>> {
    if !cell.borrow_mut().ensure::<T>() {
        return None;
    }
    Ref::filter_map(cell.borrow(), |c| match c {
        StructCell::Typed(b) => b.as_any().downcast_ref::<Buffer<T>>(),
        StructCell::Words(_) => None,
    })
    .ok()
}

/// The contents as `Buffer<T>`, exclusively; `None` when they are another
/// type.
pub(crate) fn borrow_mut<T: Element>(cell: &RefCell<StructCell>) -> Option<RefMut<'_, Buffer<T>>> {
    let mut c = cell.borrow_mut();
    if !c.ensure::<T>() {
        return None;
    }
    RefMut::filter_map(c, |c| match c {
        StructCell::Typed(b) => b.as_any_mut().downcast_mut::<Buffer<T>>(),
        StructCell::Words(_) => None,
    })
    .ok()
}

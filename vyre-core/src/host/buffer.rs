//! [`Buffer<T>`]: the host form of a buffer parameter.

use std::fmt;
use std::ops::{Index, IndexMut};

use super::native;
use crate::report::FaultKind;

/// A buffer as a handler sees it on the host: a `Vec`-backed array indexed
/// by `u32`, whose length is a `u32` (as on the GPU).
///
/// Handlers take `&Buffer<T>` (read-only), `&mut Buffer<T>` (read-write) or
/// `&Buffer<Atomic<T>>` (atomic elements), `T` one of `u32`, `i32`, `f32`.
///
/// Indexing out of bounds panics with a `Vec`-like message in ordinary host
/// code; in native mode (see [`native`]) it faults the task with
/// [`FaultKind::OutOfBounds`] instead, as the GPU does.
#[derive(Clone, Default, PartialEq)]
pub struct Buffer<T> {
    data: Vec<T>,
}

impl<T> Buffer<T> {
    /// An empty buffer.
    pub fn new() -> Self {
        Buffer { data: Vec::new() }
    }

    /// The number of elements, as `u32` like `arrayLength` on the GPU.
    ///
    /// # Panics
    ///
    /// Never for buffers built through this API, which refuses more than
    /// `u32::MAX` elements.
    #[allow(clippy::len_without_is_empty)]
    pub fn len(&self) -> u32 {
        self.data.len() as u32
    }

    /// Whether the buffer has no element.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The element at `index`, if in bounds.
    pub fn get(&self, index: u32) -> Option<&T> {
        self.data.get(index as usize)
    }

    /// The element at `index`, mutably, if in bounds.
    pub fn get_mut(&mut self, index: u32) -> Option<&mut T> {
        self.data.get_mut(index as usize)
    }

    /// The elements as a slice.
    pub fn as_slice(&self) -> &[T] {
        &self.data
    }

    /// The elements as a mutable slice.
    pub fn as_mut_slice(&mut self) -> &mut [T] {
        &mut self.data
    }

    /// Iterates over the elements.
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.data.iter()
    }

    /// The backing vector.
    pub fn into_vec(self) -> Vec<T> {
        self.data
    }

    /// Appends an element (host-side setup; handlers cannot grow buffers).
    ///
    /// # Panics
    ///
    /// When the buffer already holds `u32::MAX` elements.
    pub fn push(&mut self, value: T) {
        assert!(
            self.data.len() < u32::MAX as usize,
            "a vyre Buffer holds at most u32::MAX elements"
        );
        self.data.push(value);
    }
}

impl<T: Default> Buffer<T> {
    /// A buffer of `len` default (zero) elements.
    pub fn zeroed(len: u32) -> Self {
        Buffer {
            data: std::iter::repeat_with(T::default)
                .take(len as usize)
                .collect(),
        }
    }
}

fn checked<T>(data: Vec<T>) -> Buffer<T> {
    assert!(
        data.len() <= u32::MAX as usize,
        "a vyre Buffer holds at most u32::MAX elements, got {}",
        data.len()
    );
    Buffer { data }
}

impl<T> From<Vec<T>> for Buffer<T> {
    /// # Panics
    ///
    /// When `data` has more than `u32::MAX` elements.
    fn from(data: Vec<T>) -> Self {
        checked(data)
    }
}

impl<T: Clone> From<&[T]> for Buffer<T> {
    fn from(data: &[T]) -> Self {
        checked(data.to_vec())
    }
}

impl<T, const N: usize> From<[T; N]> for Buffer<T> {
    fn from(data: [T; N]) -> Self {
        checked(Vec::from(data))
    }
}

impl<T> FromIterator<T> for Buffer<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        checked(iter.into_iter().collect())
    }
}

impl<T> From<Buffer<T>> for Vec<T> {
    fn from(b: Buffer<T>) -> Self {
        b.data
    }
}

impl<'a, T> IntoIterator for &'a Buffer<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.data.iter()
    }
}

impl<T: fmt::Debug> fmt::Debug for Buffer<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.data.iter()).finish()
    }
}

/// An array index out of bounds: the `OUT_OF_BOUNDS` fault in fault mode
/// (detail: the index, saturated to `u32`), Rust's panic otherwise.
#[cold]
#[inline(never)]
#[track_caller]
pub(crate) fn array_out_of_bounds(len: usize, index: usize) -> ! {
    if native::in_fault_mode() {
        native::raise(FaultKind::OutOfBounds {
            index: u32::try_from(index).unwrap_or(u32::MAX),
        })
    }
    panic!("index out of bounds: the len is {len} but the index is {index}")
}

#[cold]
#[inline(never)]
#[track_caller]
fn out_of_bounds(len: usize, index: u32) -> ! {
    if native::in_fault_mode() {
        native::raise(FaultKind::OutOfBounds { index })
    }
    panic!("index out of bounds: the len is {len} but the index is {index}")
}

impl<T> Index<u32> for Buffer<T> {
    type Output = T;

    #[inline]
    #[track_caller]
    fn index(&self, index: u32) -> &T {
        match self.data.get(index as usize) {
            Some(v) => v,
            None => out_of_bounds(self.data.len(), index),
        }
    }
}

impl<T> IndexMut<u32> for Buffer<T> {
    #[inline]
    #[track_caller]
    fn index_mut(&mut self, index: u32) -> &mut T {
        let len = self.data.len();
        match self.data.get_mut(index as usize) {
            Some(v) => v,
            None => out_of_bounds(len, index),
        }
    }
}

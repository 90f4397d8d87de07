//! [`Atomic<T>`]: the element type of atomic buffers.

use std::fmt;
use std::sync::atomic::{AtomicI32, AtomicU32, Ordering};

use super::buffer::Buffer;

mod sealed {
    pub trait Sealed {}
    impl Sealed for u32 {}
    impl Sealed for i32 {}
}

/// The element types an [`Atomic`] can hold: `u32` and `i32`, the types of
/// WGSL's atomics.
#[diagnostic::on_unimplemented(
    message = "`Atomic<{Self}>` does not exist: GPU atomics hold `u32` or `i32`",
    label = "not an atomic element type",
    note = "WGSL has atomic<u32> and atomic<i32> only; store other values in a plain buffer"
)]
pub trait AtomicElement:
    sealed::Sealed + Copy + Default + fmt::Debug + Send + Sync + 'static
{
    /// The std atomic that holds it.
    #[doc(hidden)]
    type Repr: Send + Sync + fmt::Debug + Default;
    #[doc(hidden)]
    fn new_repr(v: Self) -> Self::Repr;
    #[doc(hidden)]
    fn load(r: &Self::Repr) -> Self;
}

impl AtomicElement for u32 {
    type Repr = AtomicU32;
    fn new_repr(v: u32) -> AtomicU32 {
        AtomicU32::new(v)
    }
    fn load(r: &AtomicU32) -> u32 {
        r.load(Ordering::SeqCst)
    }
}

impl AtomicElement for i32 {
    type Repr = AtomicI32;
    fn new_repr(v: i32) -> AtomicI32 {
        AtomicI32::new(v)
    }
    fn load(r: &AtomicI32) -> i32 {
        r.load(Ordering::SeqCst)
    }
}

/// An atomic `u32` or `i32`: the element of a `&Buffer<Atomic<T>>`.
///
/// The methods are std's without orderings (the host uses `SeqCst`; the GPU
/// has only relaxed atomics, so handlers must not rely on ordering between
/// different elements). Arithmetic wraps.
#[derive(Default)]
pub struct Atomic<T: AtomicElement> {
    repr: T::Repr,
}

impl<T: AtomicElement> Atomic<T> {
    /// A new atomic holding `value`.
    pub fn new(value: T) -> Self {
        Atomic {
            repr: T::new_repr(value),
        }
    }
}

impl<T: AtomicElement> From<T> for Atomic<T> {
    fn from(v: T) -> Self {
        Atomic::new(v)
    }
}

impl<T: AtomicElement> Clone for Atomic<T> {
    fn clone(&self) -> Self {
        Atomic::new(T::load(&self.repr))
    }
}

impl<T: AtomicElement> PartialEq for Atomic<T>
where
    T: PartialEq,
{
    fn eq(&self, other: &Self) -> bool {
        T::load(&self.repr) == T::load(&other.repr)
    }
}

impl<T: AtomicElement> fmt::Debug for Atomic<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&T::load(&self.repr), f)
    }
}

macro_rules! atomic_impl {
    ($t:ty) => {
        impl Atomic<$t> {
            /// The current value.
            #[inline]
            pub fn load(&self) -> $t {
                self.repr.load(Ordering::SeqCst)
            }
            /// Replaces the value.
            #[inline]
            pub fn store(&self, value: $t) {
                self.repr.store(value, Ordering::SeqCst)
            }
            /// Adds (wrapping), returning the previous value.
            #[inline]
            pub fn fetch_add(&self, value: $t) -> $t {
                self.repr.fetch_add(value, Ordering::SeqCst)
            }
            /// Subtracts (wrapping), returning the previous value.
            #[inline]
            pub fn fetch_sub(&self, value: $t) -> $t {
                self.repr.fetch_sub(value, Ordering::SeqCst)
            }
            /// Stores the minimum, returning the previous value.
            #[inline]
            pub fn fetch_min(&self, value: $t) -> $t {
                self.repr.fetch_min(value, Ordering::SeqCst)
            }
            /// Stores the maximum, returning the previous value.
            #[inline]
            pub fn fetch_max(&self, value: $t) -> $t {
                self.repr.fetch_max(value, Ordering::SeqCst)
            }
            /// Bitwise and, returning the previous value.
            #[inline]
            pub fn fetch_and(&self, value: $t) -> $t {
                self.repr.fetch_and(value, Ordering::SeqCst)
            }
            /// Bitwise or, returning the previous value.
            #[inline]
            pub fn fetch_or(&self, value: $t) -> $t {
                self.repr.fetch_or(value, Ordering::SeqCst)
            }
            /// Bitwise xor, returning the previous value.
            #[inline]
            pub fn fetch_xor(&self, value: $t) -> $t {
                self.repr.fetch_xor(value, Ordering::SeqCst)
            }
            /// Stores `value`, returning the previous value.
            #[inline]
            pub fn swap(&self, value: $t) -> $t {
                self.repr.swap(value, Ordering::SeqCst)
            }
            /// Stores `new` if the value is `current`: `Ok(previous)` when
            /// it did, `Err(actual)` when it did not. Strong: it fails only
            /// when the value differs from `current`.
            #[inline]
            pub fn compare_exchange(&self, current: $t, new: $t) -> Result<$t, $t> {
                self.repr
                    .compare_exchange(current, new, Ordering::SeqCst, Ordering::SeqCst)
            }
        }

        impl Buffer<Atomic<$t>> {
            /// The current values of every element.
            pub fn to_values(&self) -> Vec<$t> {
                self.iter().map(|a| a.load()).collect()
            }
        }

        impl From<Vec<$t>> for Buffer<Atomic<$t>> {
            fn from(values: Vec<$t>) -> Self {
                values.into_iter().map(Atomic::new).collect()
            }
        }

        impl From<&[$t]> for Buffer<Atomic<$t>> {
            fn from(values: &[$t]) -> Self {
                values.iter().copied().map(Atomic::new).collect()
            }
        }
    };
}
atomic_impl!(u32);
atomic_impl!(i32);

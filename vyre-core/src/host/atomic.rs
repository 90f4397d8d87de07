//! [`Atomic<T>`]: the element type of atomic buffers.

use std::fmt;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicU32, Ordering};

use super::buffer::Buffer;

mod sealed {
    pub trait Sealed {}
    impl Sealed for u32 {}
    impl Sealed for i32 {}
}

/// The element types an [`Atomic`] can hold: `u32` and `i32`, the types of
/// WGSL's atomics.
pub trait AtomicElement:
    sealed::Sealed + Copy + Default + fmt::Debug + Send + Sync + 'static
{
    #[doc(hidden)]
    fn to_bits(self) -> u32;
    #[doc(hidden)]
    fn from_bits(bits: u32) -> Self;
}

impl AtomicElement for u32 {
    fn to_bits(self) -> u32 {
        self
    }
    fn from_bits(bits: u32) -> u32 {
        bits
    }
}

impl AtomicElement for i32 {
    fn to_bits(self) -> u32 {
        self as u32
    }
    fn from_bits(bits: u32) -> i32 {
        bits as i32
    }
}

/// An atomic `u32` or `i32`: the element of a `&Buffer<Atomic<T>>`.
///
/// The methods are std's without orderings (the host uses `SeqCst`; the GPU
/// has only relaxed atomics, so handlers must not rely on ordering between
/// different elements). Arithmetic wraps. The value is kept as its 32-bit
/// pattern; `Atomic<T>` has methods only for `T = u32` and `T = i32` (other
/// element types are rejected by `#[opcode]`).
pub struct Atomic<T> {
    bits: AtomicU32,
    _elem: PhantomData<fn() -> T>,
}

impl<T: AtomicElement> Atomic<T> {
    /// A new atomic holding `value`.
    pub fn new(value: T) -> Self {
        Atomic {
            bits: AtomicU32::new(value.to_bits()),
            _elem: PhantomData,
        }
    }

    fn get(&self) -> T {
        T::from_bits(self.bits.load(Ordering::SeqCst))
    }
}

impl<T: AtomicElement> Default for Atomic<T> {
    fn default() -> Self {
        Atomic::new(T::default())
    }
}

impl<T: AtomicElement> From<T> for Atomic<T> {
    fn from(v: T) -> Self {
        Atomic::new(v)
    }
}

impl<T: AtomicElement> Clone for Atomic<T> {
    fn clone(&self) -> Self {
        Atomic::new(self.get())
    }
}

impl<T: AtomicElement + PartialEq> PartialEq for Atomic<T> {
    fn eq(&self, other: &Self) -> bool {
        self.get() == other.get()
    }
}

impl<T: AtomicElement> fmt::Debug for Atomic<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.get(), f)
    }
}

macro_rules! atomic_impl {
    ($t:ty) => {
        impl Atomic<$t> {
            fn rmw(&self, f: impl Fn($t) -> $t) -> $t {
                let prev = self
                    .bits
                    .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |b| {
                        Some(f(<$t>::from_bits(b)).to_bits())
                    })
                    .unwrap_or_else(|b| b);
                <$t>::from_bits(prev)
            }
            /// The current value.
            #[inline]
            pub fn load(&self) -> $t {
                self.get()
            }
            /// Replaces the value.
            #[inline]
            pub fn store(&self, value: $t) {
                self.bits.store(value.to_bits(), Ordering::SeqCst)
            }
            /// Adds (wrapping), returning the previous value.
            #[inline]
            pub fn fetch_add(&self, value: $t) -> $t {
                <$t>::from_bits(self.bits.fetch_add(value.to_bits(), Ordering::SeqCst))
            }
            /// Subtracts (wrapping), returning the previous value.
            #[inline]
            pub fn fetch_sub(&self, value: $t) -> $t {
                <$t>::from_bits(self.bits.fetch_sub(value.to_bits(), Ordering::SeqCst))
            }
            /// Stores the minimum, returning the previous value.
            #[inline]
            pub fn fetch_min(&self, value: $t) -> $t {
                self.rmw(|v| v.min(value))
            }
            /// Stores the maximum, returning the previous value.
            #[inline]
            pub fn fetch_max(&self, value: $t) -> $t {
                self.rmw(|v| v.max(value))
            }
            /// Bitwise and, returning the previous value.
            #[inline]
            pub fn fetch_and(&self, value: $t) -> $t {
                <$t>::from_bits(self.bits.fetch_and(value.to_bits(), Ordering::SeqCst))
            }
            /// Bitwise or, returning the previous value.
            #[inline]
            pub fn fetch_or(&self, value: $t) -> $t {
                <$t>::from_bits(self.bits.fetch_or(value.to_bits(), Ordering::SeqCst))
            }
            /// Bitwise xor, returning the previous value.
            #[inline]
            pub fn fetch_xor(&self, value: $t) -> $t {
                <$t>::from_bits(self.bits.fetch_xor(value.to_bits(), Ordering::SeqCst))
            }
            /// Stores `value`, returning the previous value.
            #[inline]
            pub fn swap(&self, value: $t) -> $t {
                <$t>::from_bits(self.bits.swap(value.to_bits(), Ordering::SeqCst))
            }
            /// Stores `new` if the value is `current`: `Ok(previous)` when
            /// it did, `Err(actual)` when it did not. Strong: it fails only
            /// when the value differs from `current`.
            #[inline]
            pub fn compare_exchange(&self, current: $t, new: $t) -> Result<$t, $t> {
                self.bits
                    .compare_exchange(
                        current.to_bits(),
                        new.to_bits(),
                        Ordering::SeqCst,
                        Ordering::SeqCst,
                    )
                    .map(<$t>::from_bits)
                    .map_err(<$t>::from_bits)
            }
        }

        impl Buffer<Atomic<$t>> {
            /// The current values of every element.
            pub fn to_values(&self) -> Vec<$t> {
                self.iter().map(|a| a.load()).collect()
            }
        }

        impl Buffer<Atomic<$t>> {
            /// An atomic buffer holding `values`.
            pub fn from_values(values: impl IntoIterator<Item = $t>) -> Self {
                values.into_iter().map(Atomic::new).collect()
            }
        }
    };
}
atomic_impl!(u32);
atomic_impl!(i32);

//! Opcodes known at compile time: what `#[opcode]` implements for the
//! marker type `name::Op`, so that publishing many tasks is typed (a wrong
//! argument type does not compile) and packs argument words directly.

use crate::ir::ScalarType;

/// The bit pattern of one argument in a task's words: `u32` as is, `i32`
/// two's complement, `f32` its IEEE bits, `bool` 0 or 1, `u64` and `i64`
/// two words, low first (what
/// [`Literal::to_words`](crate::ir::Literal::to_words) gives).
pub trait ArgWord: Copy {
    /// The argument's type.
    const TYPE: ScalarType;
    /// Writes the argument's words (one, or two for `u64` and `i64`) at
    /// the start of `words`.
    fn write(self, words: &mut [u32]);
}

macro_rules! one_word {
    ($($t:ty => $ty:ident, |$v:ident| $word:expr;)*) => {$(
        impl ArgWord for $t {
            const TYPE: ScalarType = ScalarType::$ty;
            #[inline]
            fn write(self, words: &mut [u32]) {
                let $v = self;
                words[0] = $word;
            }
        }
    )*};
}

one_word! {
    u32 => U32, |v| v;
    i32 => I32, |v| v as u32;
    f32 => F32, |v| v.to_bits();
    bool => Bool, |v| u32::from(v);
}

impl ArgWord for u64 {
    const TYPE: ScalarType = ScalarType::U64;
    #[inline]
    fn write(self, words: &mut [u32]) {
        words[0] = self as u32;
        words[1] = (self >> 32) as u32;
    }
}

impl ArgWord for i64 {
    const TYPE: ScalarType = ScalarType::I64;
    #[inline]
    fn write(self, words: &mut [u32]) {
        (self as u64).write(words);
    }
}

/// An opcode whose id and argument types are known at compile time.
/// `#[opcode] fn name(..)` implements it for `name::Op`; the typed bulk
/// paths (`publish_batch`, `publish_range`) take it.
pub trait Opcode: Copy {
    /// The opcode id.
    const ID: u32;
    /// The handler's name.
    const NAME: &'static str;
    /// The handler's argument types, in order (checked against the
    /// program's handler when publishing).
    const ARG_TYPES: &'static [ScalarType];
    /// One task's arguments: `()` for none, the value itself for one, a
    /// tuple for more.
    type Args: Copy + Send + Sync;
    /// Writes the argument words of `args` into `words` (one per argument,
    /// two for `u64` and `i64`).
    fn encode(args: &Self::Args, words: &mut [u32]);
}

/// An [`Opcode`] whose first argument is a `u32` index: `publish_range`
/// publishes one task per index, the device writing the tasks from one
/// descriptor.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be published by range: its first argument is not a `u32`",
    label = "`publish_range` needs an opcode whose first argument is the `u32` index",
    note = "publish these tasks with `publish_batch` instead"
)]
pub trait RangeOpcode: Opcode {
    /// The arguments after the index, as [`Opcode::Args`] writes them.
    type Rest: Copy + Send + Sync;
    /// Writes the words of the arguments after the index into `words`.
    fn encode_rest(rest: &Self::Rest, words: &mut [u32]);
}

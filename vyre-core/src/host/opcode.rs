//! Opcodes known at compile time: what `#[opcode]` implements for the
//! marker type `name::Op`, so that publishing many tasks is typed (a wrong
//! argument type does not compile) and packs argument words directly.

use crate::ir::ScalarType;

/// The bit pattern of one argument in a task's words: `u32` as is, `i32`
/// two's complement, `f32` its IEEE bits, `bool` 0 or 1 (what
/// [`Literal::to_word`](crate::ir::Literal::to_word) gives).
pub trait ArgWord: Copy {
    /// The argument's type.
    const TYPE: ScalarType;
    /// The word.
    fn to_word(self) -> u32;
}

impl ArgWord for u32 {
    const TYPE: ScalarType = ScalarType::U32;
    #[inline]
    fn to_word(self) -> u32 {
        self
    }
}

impl ArgWord for i32 {
    const TYPE: ScalarType = ScalarType::I32;
    #[inline]
    fn to_word(self) -> u32 {
        self as u32
    }
}

impl ArgWord for f32 {
    const TYPE: ScalarType = ScalarType::F32;
    #[inline]
    fn to_word(self) -> u32 {
        self.to_bits()
    }
}

impl ArgWord for bool {
    const TYPE: ScalarType = ScalarType::Bool;
    #[inline]
    fn to_word(self) -> u32 {
        u32::from(self)
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
    /// Writes the argument words of `args` into `words` (one per argument).
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

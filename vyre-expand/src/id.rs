//! Opcode ids: derived from handler names, and kept out of the range the
//! system reserves (`vyre_lang::limits::RESERVED_ID_START` on).

use proc_macro2::{Literal, Span, TokenStream};
use quote::quote_spanned;
use vyre_lang::limits::{RESERVED_ID_RANGE, RESERVED_ID_START};

/// FNV-1a, 32 bits, of `text`'s UTF-8 bytes.
pub(crate) fn fnv1a32(text: &str) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in text.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// The id of a handler without `id = N`: FNV-1a 32 of the function's name
/// (without `r#`), with the top bit cleared when the hash falls in the
/// reserved range `0xFFFF_0000..`.
pub(crate) fn derived_id(fn_name: &str) -> u32 {
    let h = fnv1a32(fn_name);
    if h >= RESERVED_ID_START {
        h & 0x7FFF_FFFF
    } else {
        h
    }
}

/// The first reserved id as the messages write it (`0xFFFF_0000`): hex in
/// two 16-bit groups, like the range in `RESERVED_ID_RANGE`.
fn reserved_start_text() -> String {
    format!(
        "{:#06X}_{:04X}",
        RESERVED_ID_START >> 16,
        RESERVED_ID_START & 0xFFFF
    )
}

/// Why the literal id `id` (reserved) is rejected.
pub(crate) fn reserved_literal_message(id: u32) -> String {
    format!(
        "opcode id {id:#X} is reserved for the system ({RESERVED_ID_RANGE}); choose an id below {}",
        reserved_start_text()
    )
}

/// The const assertion, placed in the generated module at `span` (the
/// user's id expression), that its `ID` is not reserved: the macro cannot
/// evaluate a constant expression itself. The bound is vyre's own
/// constant; the message is text because a const `assert!` cannot format.
pub(crate) fn reserved_check(span: Span) -> TokenStream {
    let msg = format!(
        "opcode ids {RESERVED_ID_RANGE} are reserved for the system; choose an id below {}",
        reserved_start_text()
    );
    let mut msg = Literal::string(&msg);
    msg.set_span(span);
    quote_spanned! {span=>
        const _: () = ::core::assert!(
            ID < ::vyre::protocol::RESERVED_ID_START,
            #msg
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_reference_values() {
        assert_eq!(fnv1a32(""), 0x811c_9dc5);
        assert_eq!(fnv1a32("a"), 0xe40c_292c);
        assert_eq!(fnv1a32("foobar"), 0xbf9c_f968);
    }

    #[test]
    fn derived_ids_avoid_the_reserved_range() {
        for name in ["visit", "relax", "a", "zz_top", "x1"] {
            assert!(derived_id(name) < RESERVED_ID_START);
        }
        assert_eq!(derived_id("visit"), fnv1a32("visit"));
    }

    #[test]
    fn messages_write_the_reserved_start_like_the_range() {
        assert!(RESERVED_ID_RANGE.starts_with(&reserved_start_text()));
        assert_eq!(
            reserved_literal_message(0xFFFF_0001),
            "opcode id 0xFFFF0001 is reserved for the system (0xFFFF_0000..=0xFFFF_FFFF); choose an id below 0xFFFF_0000"
        );
    }
}

//! Opcode ids derived from handler names.

use crate::sig::RESERVED_ID_START;

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
}

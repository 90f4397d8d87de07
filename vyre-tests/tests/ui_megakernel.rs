//! trybuild suite of `megakernel!`: every compile-time rejection, with the
//! message a user reads (`tests/ui/megakernel/*.stderr`), and programs that
//! must compile (`tests/ui/megakernel/pass/`).
//!
//! Refresh the expected output with `TRYBUILD=overwrite cargo test -p
//! vyre-tests --test ui_megakernel`, then read every changed `.stderr` as
//! a user would.

#[test]
fn ui_megakernel() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/megakernel/*.rs");
    t.pass("tests/ui/megakernel/pass/*.rs");
}

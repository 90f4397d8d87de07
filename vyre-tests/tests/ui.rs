//! The trybuild UI suite: every rejection of the handler language, with the
//! messages users see, and compile-pass cases for every construct (which
//! also run: each builds its handlers' IR and validates it).

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/fail/*.rs");
    t.pass("tests/ui/pass/*.rs");
}

//! How many cases the proptest suites run, and their runner: shared by
//! the suites that include this file.

use proptest::test_runner::{Config, TestRunner};

/// Cases to run on the reference backend (`VYRE_FUZZ_CASES`, default 48).
pub fn cases() -> u32 {
    std::env::var("VYRE_FUZZ_CASES")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(48)
}

/// A runner of `cases` cases that keeps no failure file.
pub fn runner(cases: u32) -> TestRunner {
    TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    })
}

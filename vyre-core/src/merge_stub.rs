//! TEMPORARY, branch `macros` only: a stand-in for `Gpu`, which the facade's
//! prelude re-exports but which arrives with the backend branches. It exists
//! only so that the facade (and the macro tests that depend on it) compile
//! before those branches are merged. Revert this commit when merging.

/// Placeholder for the backend selector; see the module docs.
#[derive(Debug, Clone)]
pub struct Gpu {
    _private: (),
}

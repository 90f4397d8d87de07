//! `ctx.spawn` in WGSL: one function per argument count that a program's
//! spawns use (`wgsl/spawn.wgsl`), registered by the handlers' helpers.
//! Apart from the scheduler's templates because the helpers fill it, and
//! the scheduler depends on the handlers' lowering, not the reverse.

use std::fmt::Write;

use super::template::Template;

/// `ctx.spawn` of a task of a given number of argument words.
pub(super) const SPAWN: Template = Template::new("spawn.wgsl", include_str!("wgsl/spawn.wgsl"));

/// `ctx.spawn` of a task of `words` argument words, as the function
/// `name` (the program's `vy_spawn_<words>` helper): the words are its
/// parameters, stored one statement each.
pub(super) fn spawn(name: &str, words: usize) -> String {
    let mut params = String::new();
    let mut stores = String::new();
    for i in 0..words {
        let _ = write!(params, ", a{i}: u32");
        let _ = writeln!(
            stores,
            "atomicStore(&vy_ring[base + vy_SLOT_ARG0 + {i}u], a{i});"
        );
    }
    SPAWN.fill(&[
        ("NAME", &name),
        ("PARAMS", &params),
        ("ARG_STORES", &stores),
    ])
}

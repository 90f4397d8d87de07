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

/// The private state a deferred tail spawn leaves for `vy_dispatch`
/// (`vy_tail_spawn`: 0, or 1 + the spawn's argument words; its priority,
/// opcode and up to `words` argument words), for a program whose
/// handlers end with a spawn (`FnLowerer::spawn`).
pub(super) fn tail_state(words: usize) -> String {
    let mut s = String::from(
        "// A spawn in a handler's tail position, deferred to one site after the opcode\n\
         // switch (vy_dispatch), so the driver inlines vy_spawn_<n> once, not once per\n\
         // handler: 0, or 1 + the spawn's argument words; then its priority, opcode and\n\
         // words as the handler evaluated them.\n\
         var<private> vy_tail_spawn: u32;\n\
         var<private> vy_tail_priority: u32;\n\
         var<private> vy_tail_opcode: u32;\n",
    );
    for i in 0..words {
        let _ = writeln!(s, "var<private> vy_tail_a{i}: u32;");
    }
    s
}

/// What a spawn in tail position writes instead of calling `spawn`, one
/// statement a line: its evaluated priority, opcode and argument words
/// into the tail state, then the marker that `vy_dispatch` tests
/// ([`tail_call`]).
pub(super) fn tail_site(priority: &str, opcode: u32, words: &[String]) -> Vec<String> {
    let mut lines = vec![
        format!("vy_tail_priority = {priority};"),
        format!("vy_tail_opcode = {opcode}u;"),
    ];
    for (i, w) in words.iter().enumerate() {
        lines.push(format!("vy_tail_a{i} = {w};"));
    }
    lines.push(format!("vy_tail_spawn = {}u;", words.len() + 1));
    lines
}

/// The name of the spawn helper of `words` argument words.
pub(super) fn name(words: usize) -> String {
    format!("vy_spawn_{words}")
}

/// `vy_dispatch`'s deferred tail spawn, after the opcode switch: the spawn
/// a handler's tail recorded, through the helper of its word count, one
/// of `counts`. Nothing runs between the handler's last statement and
/// this call, so the spawn sees the same task state (fault, reservations,
/// ticket) it would have seen in place. Empty when no handler ends with a
/// spawn.
pub(super) fn tail_call(counts: &[usize]) -> String {
    let call = |words: usize| {
        let args: String = (0..words).map(|i| format!(", vy_tail_a{i}")).collect();
        format!(
            "_ = {}(vy_tail_priority, vy_tail_opcode{args});",
            name(words)
        )
    };
    let body = match counts {
        [] => return String::new(),
        [words] => format!("    {}\n", call(*words)),
        _ => {
            // One test per count: 1 + the words is what the site stored.
            let tests: Vec<String> = counts
                .iter()
                .map(|&w| {
                    format!(
                        "if (vy_tail_spawn == {}u) {{\n        {}\n    }}",
                        w + 1,
                        call(w)
                    )
                })
                .collect();
            format!("    {}\n", tests.join(" else "))
        }
    };
    format!(
        "// The spawn a handler ended with (vy_tail_spawn), made here once for every\n\
         // handler.\n\
         if (vy_tail_spawn != 0u) {{\n{body}    vy_tail_spawn = 0u;\n}}\n"
    )
}

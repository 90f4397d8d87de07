//! `tracing` spans and events for the stages a user waits on: program
//! build, WGSL lowering, shader module and pipeline creation (with vyre's
//! cache hit or miss), uploads, each submission with its rounds, and
//! readbacks. All of them are at the `INFO` level with target `vyre`.
//!
//! They exist only with the crate feature `tracing` (off by default;
//! the `vyre` facade forwards it). Without it the macros below expand to
//! nothing at all, so a default build pays nothing; with it and no
//! subscriber, each span costs a check of a cached callsite interest
//! (`docs/benchmarks.md` gives the measured cost).

/// Enters a span named `$name` until the end of the enclosing block, with
/// `field = value` pairs (values `tracing` can record: integers, `bool`,
/// `&str`).
macro_rules! stage {
    ($name:literal $(, $field:ident = $value:expr)* $(,)?) => {
        #[cfg(feature = "tracing")]
        let _vyre_stage =
            ::tracing::info_span!(target: "vyre", $name $(, $field = $value)*).entered();
    };
}

/// Records an event `$message` with `field = value` pairs in the current
/// span.
macro_rules! event {
    ($message:literal $(, $field:ident = $value:expr)* $(,)?) => {
        #[cfg(feature = "tracing")]
        ::tracing::info!(target: "vyre", $($field = $value,)* $message);
    };
}

pub(crate) use {event, stage};

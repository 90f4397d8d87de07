//! A `tracing` subscriber that prints vyre's stages as they end, with
//! their wall time (`startup --stages`): where a process's start-up goes.

use std::collections::HashMap;
use std::fmt::{Debug, Write as _};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// Prints each span when it closes (`   12.34 ms  name field=value …`)
/// and each event as it happens, on standard error.
#[derive(Default)]
pub struct StagePrinter {
    open: Mutex<HashMap<u64, (String, Instant)>>,
    next: AtomicU64,
}

/// Installs a [`StagePrinter`] as the process's subscriber (false when
/// one was installed already).
pub fn install() -> bool {
    tracing::subscriber::set_global_default(StagePrinter::default()).is_ok()
}

/// `name field=value …` of a span or an event.
struct Line(String);

impl Visit for Line {
    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        if field.name() == "message" {
            let _ = write!(self.0, " {value:?}");
        } else {
            let _ = write!(self.0, " {}={value:?}", field.name());
        }
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            let _ = write!(self.0, " {value}");
        } else {
            let _ = write!(self.0, " {}={value}", field.name());
        }
    }
}

impl Subscriber for StagePrinter {
    fn enabled(&self, meta: &Metadata<'_>) -> bool {
        meta.target() == "vyre"
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let mut line = Line(span.metadata().name().to_string());
        span.record(&mut line);
        let id = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        if let Ok(mut open) = self.open.lock() {
            open.insert(id, (line.0, Instant::now()));
        }
        Id::from_u64(id)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut line = Line(String::from("event:"));
        event.record(&mut line);
        eprintln!("{:>11}  {}", "", line.0);
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
    fn try_close(&self, id: Id) -> bool {
        let closed = self
            .open
            .lock()
            .ok()
            .and_then(|mut o| o.remove(&id.into_u64()));
        if let Some((line, started)) = closed {
            eprintln!("{:>8.2} ms  {line}", started.elapsed().as_secs_f64() * 1e3);
        }
        true
    }
}

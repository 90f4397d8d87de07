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

/// The spans a subscriber has open: what it keeps of each (`T`) and when
/// it opened, under the id handed to `tracing`.
struct OpenSpans<T> {
    open: Mutex<HashMap<u64, (T, Instant)>>,
    next: AtomicU64,
}

impl<T> Default for OpenSpans<T> {
    fn default() -> Self {
        OpenSpans {
            open: Mutex::new(HashMap::new()),
            next: AtomicU64::new(0),
        }
    }
}

impl<T> OpenSpans<T> {
    /// Opens a span keeping `value`; its id.
    fn open(&self, value: T) -> Id {
        let id = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        if let Ok(mut open) = self.open.lock() {
            open.insert(id, (value, Instant::now()));
        }
        Id::from_u64(id)
    }

    /// Closes span `id`: its value and how long it was open.
    fn close(&self, id: Id) -> Option<(T, f64)> {
        let (value, started) = self.open.lock().ok()?.remove(&id.into_u64())?;
        Some((value, started.elapsed().as_secs_f64()))
    }
}

/// Prints each span when it closes (`   12.34 ms  name field=value …`)
/// and each event as it happens, on standard error.
#[derive(Default)]
pub struct StagePrinter {
    spans: OpenSpans<String>,
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
        self.spans.open(line.0)
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
        if let Some((line, secs)) = self.spans.close(id) {
            eprintln!("{:>8.2} ms  {line}", secs * 1e3);
        }
        true
    }
}

/// The process's [`StageTotals`], once installed.
static INSTALLED: std::sync::OnceLock<&'static StageTotals> = std::sync::OnceLock::new();

/// Sums each span's wall time by name, on every thread (`bench
/// --stages`): where a workload's host time goes. Events are ignored.
#[derive(Default)]
pub struct StageTotals {
    spans: OpenSpans<&'static str>,
    totals: Mutex<HashMap<&'static str, (u64, f64)>>,
}

impl StageTotals {
    /// Installs a shared [`StageTotals`] as the process's subscriber and
    /// returns it (`None` when a subscriber was installed already).
    pub fn install() -> Option<&'static StageTotals> {
        let totals: &'static StageTotals = Box::leak(Box::default());
        tracing::subscriber::set_global_default(totals).ok()?;
        let _ = INSTALLED.set(totals);
        Some(totals)
    }

    /// The totals [`install`](Self::install) installed, for a workload
    /// that reports its phases apart.
    pub fn installed() -> Option<&'static StageTotals> {
        INSTALLED.get().copied()
    }

    /// `name  calls  total ms  µs per call`, largest total first, and
    /// resets the sums.
    pub fn take_table(&self) -> String {
        let mut rows: Vec<(&'static str, (u64, f64))> = self
            .totals
            .lock()
            .map(|mut t| t.drain().collect())
            .unwrap_or_default();
        rows.sort_by(|a, b| b.1 .1.total_cmp(&a.1 .1));
        // wgpu's scope names are longer than vyre's stage names.
        let width = rows
            .iter()
            .map(|(name, _)| name.len())
            .max()
            .unwrap_or(0)
            .max(14);
        let mut out = format!("{:<width$}    calls     total ms   µs/call\n", "stage");
        for (name, (calls, secs)) in rows {
            let _ = writeln!(
                out,
                "{name:<width$} {calls:>8} {:>12.2} {:>9.2}",
                secs * 1e3,
                secs * 1e6 / calls.max(1) as f64
            );
        }
        out
    }
}

/// Whether spans of `target` are stages: vyre's, and with the
/// `wgpu-scopes` feature wgpu's own profiling scopes (their targets are
/// wgpu's module paths).
fn is_stage(target: &str) -> bool {
    target == "vyre" || (cfg!(feature = "wgpu-scopes") && target.starts_with("wgpu"))
}

/// A leaked [`StageTotals`] is the subscriber (`install` keeps the
/// reference to read the table).
impl Subscriber for &'static StageTotals {
    fn enabled(&self, meta: &Metadata<'_>) -> bool {
        is_stage(meta.target()) && meta.is_span()
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        self.spans.open(span.metadata().name())
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, _: &Event<'_>) {}
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
    fn try_close(&self, id: Id) -> bool {
        if let (Some((name, secs)), Ok(mut totals)) = (self.spans.close(id), self.totals.lock()) {
            let t = totals.entry(name).or_insert((0, 0.0));
            t.0 += 1;
            t.1 += secs;
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_sum_vyre_spans_by_name_and_reset() {
        let totals: &'static StageTotals = Box::leak(Box::default());
        tracing::subscriber::with_default(totals, || {
            for _ in 0..3 {
                let _s = tracing::info_span!(target: "vyre", "submission").entered();
                let _inner = tracing::info_span!(target: "vyre", "gpu_wait").entered();
            }
            // Other targets are not vyre's stages.
            let _other = tracing::info_span!(target: "elsewhere", "submission").entered();
        });
        let table = totals.take_table();
        let calls = |name: &str| {
            table
                .lines()
                .find(|l| l.split_whitespace().next() == Some(name))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse::<u64>().ok())
        };
        assert_eq!(calls("submission"), Some(3), "{table}");
        assert_eq!(calls("gpu_wait"), Some(3), "{table}");
        assert_eq!(table.lines().count(), 3, "{table}");
        // Taken: the next table is empty.
        assert_eq!(totals.take_table().lines().count(), 1);
    }
}

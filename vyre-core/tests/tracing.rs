//! The `tracing` feature's spans and events: every stage a user waits on
//! is a span of target `vyre` with the fields it promises, vyre's pipeline
//! cache says when it hit, and a submission says what it ran.
//!
//! One test in its own binary: it installs a process-wide subscriber (the
//! small passes' pipelines compile on threads of their own). Built only
//! with the feature (the workspace's test run turns it on through
//! vyre-bench).
#![cfg(feature = "tracing")]

use std::fmt::Debug;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};
use vyre_core::gpu::test_context;
use vyre_core::ir::{Access, BufferKind, HandlerBuilder, Literal, ScalarType};
use vyre_core::{Gpu, Priority, Program, Runtime, Task};

/// One span or event: its name (an event's message), target and fields.
#[derive(Debug, Clone)]
struct Seen {
    name: String,
    target: String,
    fields: Vec<(String, String)>,
}

impl Seen {
    fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Writes every field as text.
struct Fields<'a>(&'a mut Vec<(String, String)>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        self.0
            .push((field.name().to_string(), format!("{value:?}")));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.push((field.name().to_string(), value.to_string()));
    }
}

/// A subscriber that keeps what it saw.
#[derive(Default)]
struct Recorder {
    spans: Mutex<Vec<Seen>>,
    events: Mutex<Vec<Seen>>,
    next: AtomicU64,
}

fn seen(meta: &Metadata<'_>, name: String, record: impl FnOnce(&mut Fields<'_>)) -> Seen {
    let mut fields = Vec::new();
    record(&mut Fields(&mut fields));
    Seen {
        name,
        target: meta.target().to_string(),
        fields,
    }
}

/// The recorder as the process's subscriber.
struct Shared(Arc<Recorder>);

impl Subscriber for Shared {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let s = seen(span.metadata(), span.metadata().name().to_string(), |f| {
            span.record(f)
        });
        self.0.spans.lock().unwrap().push(s);
        Id::from_u64(self.0.next.fetch_add(1, Ordering::Relaxed) + 1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut s = seen(event.metadata(), String::new(), |f| event.record(f));
        if let Some(i) = s.fields.iter().position(|(k, _)| k == "message") {
            s.name = s.fields.remove(i).1;
        }
        self.0.events.lock().unwrap().push(s);
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

/// `square(i)`: `out[i] = i * i`.
fn program() -> Program {
    let mut h = HandlerBuilder::new(1, "square");
    let out = h.buffer("out", ScalarType::U32, Access::ReadWrite);
    let i = h.arg("i", ScalarType::U32);
    h.body(|b| b.store(out, i, i * i));
    Program::builder("traced")
        .buffer("out", BufferKind::plain(ScalarType::U32))
        .opcode(h.finish().expect("handler"))
        .build()
        .expect("program")
}

#[test]
fn every_stage_a_user_waits_on_is_a_span() {
    let recorder = Arc::new(Recorder::default());
    tracing::subscriber::set_global_default(Shared(recorder.clone())).expect("the only subscriber");

    let program = program();
    let names = |r: &Recorder| -> Vec<String> {
        r.spans
            .lock()
            .unwrap()
            .iter()
            .map(|s| s.name.clone())
            .collect()
    };
    let build = recorder.spans.lock().unwrap()[0].clone();
    assert_eq!(build.name, "program_build");
    assert_eq!(build.target, "vyre");
    assert_eq!(build.field("program"), Some("traced"));
    assert_eq!(build.field("handlers"), Some("1"));

    // The CPU backends: no pipelines, the rest the same.
    let mut backends = vec![Gpu::reference()];
    let hardware = test_context().is_some();
    if hardware {
        backends.push(Gpu::wgpu().expect("an adapter"));
    }
    for gpu in &backends {
        recorder.spans.lock().unwrap().clear();
        recorder.events.lock().unwrap().clear();
        let mut rt = Runtime::new(gpu, program.clone()).expect("runtime");
        let out = rt.buffer::<u32>("out").expect("buffer");
        rt.upload(out, &[0; 64]).expect("upload");
        for i in 0..64u32 {
            rt.publish(Priority::Normal, Task::new(1, [Literal::U32(i)]))
                .expect("publish");
        }
        let report = rt.run().expect("run");
        let got = rt.read(out).expect("read");
        assert_eq!(got, (0..64u32).map(|i| i * i).collect::<Vec<_>>());

        let spans = recorder.spans.lock().unwrap().clone();
        let events = recorder.events.lock().unwrap().clone();
        let find = |name: &str| {
            spans
                .iter()
                .find(|s| s.name == name)
                .unwrap_or_else(|| panic!("no `{name}` span on {}: {spans:?}", gpu.description()))
        };
        for s in &spans {
            assert_eq!(s.target, "vyre", "{s:?}");
        }
        assert_eq!(find("runtime_new").field("program"), Some("traced"));
        assert_eq!(find("upload").field("bytes"), Some("256"));
        assert_eq!(find("readback").field("bytes"), Some("256"));
        assert_eq!(find("run").field("program"), Some("traced"));
        find("inbox_flush");
        let submissions: Vec<_> = spans.iter().filter(|s| s.name == "submission").collect();
        assert_eq!(submissions.len() as u64, report.submissions, "{spans:?}");
        let rounds: u64 = submissions
            .iter()
            .map(|s| s.field("rounds").unwrap().parse::<u64>().unwrap())
            .sum();
        assert_eq!(rounds, report.rounds);
        let submitted: Vec<_> = events.iter().filter(|e| e.name == "submitted").collect();
        assert_eq!(submitted.len(), submissions.len());
        let dispatches: u64 = submitted
            .iter()
            .map(|e| e.field("dispatches").unwrap().parse::<u64>().unwrap())
            .sum();
        assert_eq!(dispatches, report.dispatches);
        let flushed = events
            .iter()
            .find(|e| e.name == "flushed")
            .expect("flushed");
        assert_eq!(flushed.field("tasks"), Some("64"));

        if gpu.kind() == vyre_core::BackendKind::Wgpu {
            // A new context: its pipelines are compiled, module and entry
            // points each in a span of their own.
            assert!(find("wgsl").field("program") == Some("traced"));
            let pipelines = find("pipelines");
            assert!(
                pipelines
                    .field("wgsl_bytes")
                    .unwrap()
                    .parse::<u64>()
                    .unwrap()
                    > 1000
            );
            // From the WGSL through naga, or from vyre's own SPIR-V where
            // the device takes it (Vulkan, the disk cache on).
            let source = find("shader_module").field("source");
            assert!(matches!(source, Some("wgsl" | "spirv")), "{source:?}");
            let mut entries: Vec<_> = spans
                .iter()
                .filter(|s| s.name == "pipeline")
                .map(|s| s.field("entry").unwrap().to_string())
                .collect();
            entries.sort();
            assert_eq!(
                entries,
                [
                    "vy_finalize",
                    "vy_maintain",
                    "vy_place",
                    "vy_prepare",
                    "vy_work"
                ],
                "{}",
                gpu.description()
            );
            // The same program again on the same context: vyre's cache.
            recorder.spans.lock().unwrap().clear();
            recorder.events.lock().unwrap().clear();
            let _again = Runtime::new(gpu, program.clone()).expect("runtime");
            assert!(!names(&recorder).iter().any(|n| n == "pipelines"));
            let events = recorder.events.lock().unwrap().clone();
            let hit = events
                .iter()
                .find(|e| e.name == "pipelines from vyre's cache")
                .expect("a cache hit");
            assert_eq!(hit.field("program"), Some("traced"));
        } else {
            assert!(!spans.iter().any(|s| s.name == "pipelines"), "{spans:?}");
        }
    }
    if !hardware {
        eprintln!("tracing: wgpu's spans not checked (no adapter)");
    }
}

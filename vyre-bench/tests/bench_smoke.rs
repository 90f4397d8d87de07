//! Smoke test of the benchmark suite (the `bench` binary): every
//! workload, the experiments included, at the quick mode's smallest sizes
//! with one repetition, through the suite's own code. Nothing is
//! timing-asserted; the suite itself checks every result (counters,
//! outputs, BFS distances) against plain Rust and fails on a mismatch.

use vyre_bench as suite;

// The root's test helpers, shared rather than copied.
#[path = "../../tests/common/mod.rs"]
mod common;

#[test]
fn the_quick_suite_runs_every_workload() {
    if common::wgpu_backend("bench smoke").is_none() {
        return;
    }
    let out = std::env::temp_dir().join(format!("vyre-bench-smoke-{}", std::process::id()));
    let args = suite::Args::smoke(out.clone());
    let bench = suite::Bench::new(args).expect("a wgpu adapter");
    let doc = suite::run(&bench).expect("the suite runs");
    assert_eq!(doc["failed"], serde_json::json!([]), "{doc:#}");
    for w in [
        "trivial",
        "mix",
        "priority",
        "bfs",
        "build",
        "experiments",
        "probes",
    ] {
        assert!(doc["workloads"][w].is_object(), "workload {w} missing");
    }
    assert_eq!(
        doc["workloads"]["priority"]["with_priorities"]["urgent_all_in_first_round"],
        serde_json::json!(true)
    );
    let targets = doc["targets"].as_array().expect("targets");
    assert_eq!(targets.len(), 8);
    let files = suite::report::write(&doc, &out).expect("report files");
    assert!(files.iter().any(|f| f == "results.json") && files.iter().any(|f| f.ends_with(".svg")));
    let back: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap()).unwrap();
    assert_eq!(back["suite"], "vyre-bench");
    let _ = std::fs::remove_dir_all(&out);
}

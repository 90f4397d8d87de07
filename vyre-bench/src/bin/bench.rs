//! The vyre benchmark suite (issue 5): one binary that runs every workload
//! and its baselines in one invocation — warm-up, repetitions, medians,
//! GPU timestamps, ratios — and writes `results.json`, `summary.md` and
//! SVG plots.
//!
//! ```text
//! cargo build --release -p vyre-bench
//! ./target/release/bench --out bench-out          # full suite
//! ./target/release/bench --quick --out /tmp/b     # lavapipe-sized
//! ./target/release/bench --help
//! ```
//!
//! See `docs/benchmarks.md` for the method and the H100 results.

use std::process::ExitCode;

// The suite is the library, shared with the smoke test and the criterion
// benches.
use vyre_bench as suite;

fn main() -> ExitCode {
    let args = match suite::Args::parse(std::env::args().skip(1)) {
        Ok(Some(args)) => args,
        Ok(None) => {
            print!("{}", suite::args::USAGE);
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("bench: {message}");
            return ExitCode::from(2);
        }
    };
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: suite::Args) -> suite::Result<()> {
    let out = args.out.clone();
    let bench = suite::Bench::new(args)?;
    let doc = suite::run(&bench)?;
    let files = suite::report::write(&doc, &out)?;
    println!("\n{}", suite::report::markdown(&doc));
    println!("wrote {} into {}", files.join(", "), out.display());
    match doc["failed"].as_array() {
        Some(failed) if !failed.is_empty() => Err(format!(
            "workload(s) failed (see results.json): {}",
            failed
                .iter()
                .filter_map(|v| v.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )
        .into()),
        _ => Ok(()),
    }
}

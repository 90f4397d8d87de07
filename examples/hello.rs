//! The smallest complete vyre program: two handlers, one megakernel.
//!
//! `square` squares one element of a buffer; `greet` counts itself, prints a
//! line from the device, and spawns a `square` task for its number.
//!
//! ```text
//! cargo run --example hello
//! cargo run --example hello -- --backend reference
//! cargo run --example hello -- --emit wgsl
//! ```

mod common;

use common::{check, CommonArgs, Result};
use vyre::prelude::*;

/// Squares `values[i]` in place.
#[opcode]
pub fn square(values: &mut Buffer<u32>, i: u32) {
    values[i] = values[i] * values[i];
}

/// Says hello, counts the greeting, and hands its number to `square`.
#[opcode]
pub fn greet(ctx: &Ctx, greetings: &Buffer<Atomic<u32>>, n: u32) {
    greetings[0].fetch_add(1);
    vyre::printf!("hello from task {} on lane {}", n, ctx.lane());
    ctx.spawn(Priority::Normal, square::task(n));
}

megakernel! {
    /// Greets, then squares.
    pub struct Hello {
        buffers: { values: u32, greetings: Atomic<u32> },
        opcodes: [greet, square],
    }
}

/// Command-line flags.
#[derive(Debug)]
pub struct Cli {
    /// `--backend` and `--emit`.
    pub common: CommonArgs,
}

impl Cli {
    /// Reads the command line; exits on `--help` or a bad flag.
    pub fn parse() -> Cli {
        let about = "The smallest complete vyre program";
        // No flags of its own, so `set` is never called.
        let common = common::parse_args("hello", about, &[], |_, _| Ok(()));
        Cli { common }
    }
}

/// Publishes `n` greetings and returns the squared values and the printf
/// lines (sorted: lanes run in any order).
pub fn hello(gpu: &Gpu, n: u32) -> Result<(Vec<u32>, Vec<String>)> {
    let mut k = Hello::new(gpu)?;
    k.values().upload(&(0..n).collect::<Vec<u32>>())?;
    k.greetings().upload(&[0])?;
    // greet(0) .. greet(n - 1): one descriptor, the device writes the tasks.
    k.publish_range(Priority::High, greet::Op, 0..n, ())?;
    let report = k.run()?;
    println!(
        "ran {} tasks ({} spawned on the device) in {:.2?}",
        report.executed, report.spawned, report.wall_time
    );
    check(report.faults.is_empty(), || {
        format!("unexpected faults: {:?}", report.faults)
    })?;
    let greetings = k.greetings().read()?[0];
    check(greetings == n, || {
        format!("{greetings} greetings, expected {n}")
    })?;
    let mut lines = report.printf;
    lines.sort();
    Ok((k.values().read()?, lines))
}

fn run() -> Result<()> {
    let cli = Cli::parse();
    if cli.common.emit(&*Hello::try_program()?) {
        return Ok(());
    }
    let gpu = cli.common.gpu()?;
    let (values, lines) = hello(&gpu, 8)?;
    for line in &lines {
        println!("printf: {line}");
    }
    println!("squares: {values:?}");
    let expected: Vec<u32> = (0..8).map(|i| i * i).collect();
    check(values == expected, || format!("expected {expected:?}"))
}

fn main() -> std::process::ExitCode {
    common::main_of("hello", run)
}

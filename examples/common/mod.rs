//! Helpers shared by the examples: the `--backend` and `--emit` flags and
//! a small command-line parser for them and each example's own flags.
//!
//! Each example includes this file with `mod common;`, and the tests in
//! `tests/examples.rs` include the examples themselves, so everything here
//! is plain functions over `vyre`'s public API. The parser is written by
//! hand (no clap) so that building an example compiles nothing but vyre.

#![allow(dead_code)]

use std::error::Error;
use std::fmt::Display;
use std::ops::RangeInclusive;
use std::str::FromStr;

use vyre::prelude::*;

/// The result type of the examples: any error, printed by `main`.
pub type Result<T> = std::result::Result<T, Box<dyn Error>>;

/// Which backend runs the example.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// wgpu on any adapter (hardware, or a software one such as lavapipe).
    Wgpu,
    /// The reference interpreter on the CPU (slow, checks everything).
    Reference,
    /// The native CPU backend (the handlers compiled as ordinary Rust).
    Native,
}

impl Backend {
    /// Reads a `--backend` value.
    pub fn parse(value: &str) -> std::result::Result<Backend, String> {
        match value {
            "wgpu" => Ok(Backend::Wgpu),
            "reference" => Ok(Backend::Reference),
            "native" => Ok(Backend::Native),
            _ => Err("expected wgpu, reference or native".into()),
        }
    }
}

/// What to print instead of running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Emit {
    /// The assembled program (handlers' typed IR, buffers, config).
    Ir,
    /// The WGSL the wgpu backend compiles.
    Wgsl,
}

impl Emit {
    /// Reads an `--emit` value.
    pub fn parse(value: &str) -> std::result::Result<Emit, String> {
        match value {
            "ir" => Ok(Emit::Ir),
            "wgsl" => Ok(Emit::Wgsl),
            _ => Err("expected ir or wgsl".into()),
        }
    }
}

/// The flags every example takes.
#[derive(Debug, Clone, Default)]
pub struct CommonArgs {
    /// The backend to run on; without it, the best one here (a hardware GPU
    /// through wgpu, else the CPU; `VYRE_BACKEND` overrides).
    pub backend: Option<Backend>,
    /// Print the program as IR or WGSL and exit without running it.
    pub emit: Option<Emit>,
}

/// One of an example's own flags, as `--help` shows it. Every flag takes a
/// value.
#[derive(Debug, Clone, Copy)]
pub struct Flag {
    /// The flag with its dashes, e.g. `--jobs`.
    pub name: &'static str,
    /// What its value is, e.g. `N`.
    pub value: &'static str,
    /// Its help line, with the default and the accepted range.
    pub help: &'static str,
}

/// The flags every example takes, as `--help` shows them.
const COMMON_FLAGS: [Flag; 2] = [
    Flag {
        name: "--backend",
        value: "wgpu|reference|native",
        help: "the backend to run on (default: a hardware GPU through wgpu, else the CPU; VYRE_BACKEND overrides)",
    },
    Flag {
        name: "--emit",
        value: "ir|wgsl",
        help: "print the program as IR or WGSL and exit without running it",
    },
];

/// The text `--help` prints for example `name`.
pub fn usage(name: &str, about: &str, own: &[Flag]) -> String {
    let flags: Vec<Flag> = COMMON_FLAGS.iter().chain(own).copied().collect();
    let left = |f: &Flag| format!("{} {}", f.name, f.value);
    let width = flags.iter().map(|f| left(f).len()).max().unwrap_or(0);
    let mut text = format!("{about}\n\nUsage: {name} [OPTIONS]\n\nOptions:\n");
    for f in &flags {
        text += &format!("  {:width$}  {}\n", left(f), f.help);
    }
    text += &format!("  {:width$}  print this help\n", "-h, --help");
    text
}

/// Reads `args` (without the program name): `--backend` and `--emit` here,
/// each flag of `own` through `set(flag, value)`. A value follows its flag
/// (`--jobs 40`) or is joined to it with `=` (`--jobs=40`). `Ok(None)`
/// means `--help` was asked for; `Err` says what is wrong: an unknown or
/// repeated flag, a missing value, or one refused (by `set` for `own`).
pub fn parse_from(
    args: impl IntoIterator<Item = String>,
    own: &[Flag],
    mut set: impl FnMut(&str, &str) -> std::result::Result<(), String>,
) -> std::result::Result<Option<CommonArgs>, String> {
    let mut common = CommonArgs::default();
    let mut seen: Vec<String> = Vec::new();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        if arg == "--help" || arg == "-h" {
            return Ok(None);
        }
        let (flag, joined) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => {
                (flag.to_string(), Some(value.to_string()))
            }
            _ => (arg, None),
        };
        let known = COMMON_FLAGS.iter().chain(own).any(|f| f.name == flag);
        if !known {
            return Err(format!("unexpected argument '{flag}'"));
        }
        if seen.contains(&flag) {
            return Err(format!("'{flag}' given more than once"));
        }
        // A following flag is not a value: `--jobs --emit ir` lacks one.
        let value = match joined.or_else(|| args.next().filter(|v| !v.starts_with("--"))) {
            Some(value) => value,
            None => return Err(format!("'{flag}' needs a value")),
        };
        let invalid = |e: String| format!("invalid value '{value}' for '{flag}': {e}");
        match flag.as_str() {
            "--backend" => common.backend = Some(Backend::parse(&value).map_err(invalid)?),
            "--emit" => common.emit = Some(Emit::parse(&value).map_err(invalid)?),
            _ => set(&flag, &value).map_err(invalid)?,
        }
        seen.push(flag);
    }
    Ok(Some(common))
}

/// Reads the command line of example `name` with [`parse_from`]: on
/// `--help` prints [`usage`] and exits 0; on an error prints it and exits
/// 2, the usual status of a usage error.
pub fn parse_args(
    name: &str,
    about: &str,
    own: &[Flag],
    set: impl FnMut(&str, &str) -> std::result::Result<(), String>,
) -> CommonArgs {
    match parse_from(std::env::args().skip(1), own, set) {
        Ok(Some(common)) => common,
        Ok(None) => {
            print!("{}", usage(name, about, own));
            std::process::exit(0)
        }
        Err(message) => {
            eprintln!(
                "{name}: error: {message}\n\nUsage: {name} [OPTIONS]\nFor the flags, try '--help'."
            );
            std::process::exit(2)
        }
    }
}

/// Reads a number for one of an example's flags, refusing one outside
/// `range`.
pub fn number<T>(value: &str, range: RangeInclusive<T>) -> std::result::Result<T, String>
where
    T: FromStr + PartialOrd + Display,
    T::Err: Display,
{
    let n: T = value.parse().map_err(|e: T::Err| e.to_string())?;
    if range.contains(&n) {
        Ok(n)
    } else {
        Err(format!("{n} is not in {}..={}", range.start(), range.end()))
    }
}

impl CommonArgs {
    /// The backend the flags ask for, saying which one it is and why.
    pub fn gpu(&self) -> Result<Gpu> {
        let gpu = match self.backend {
            None => Gpu::auto()?,
            Some(Backend::Wgpu) => Gpu::wgpu().map_err(|e| {
                format!("--backend wgpu: no wgpu adapter ({e}); try --backend native")
            })?,
            Some(Backend::Reference) => Gpu::reference(),
            Some(Backend::Native) => Gpu::cpu(),
        };
        println!("backend: {} ({})", gpu.description(), gpu.reason());
        Ok(gpu)
    }

    /// Prints `program` when `--emit` was given; returns whether it did.
    pub fn emit(&self, program: &Program) -> bool {
        match self.emit {
            None => false,
            Some(Emit::Ir) => {
                println!("{program:#?}");
                true
            }
            Some(Emit::Wgsl) => {
                println!("{}", program.wgsl());
                true
            }
        }
    }
}

/// Runs an example's `run`, printing its error and exiting non-zero on
/// failure.
pub fn main_of(name: &str, run: impl FnOnce() -> Result<()>) -> std::process::ExitCode {
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{name} failed: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Fails with `message` unless `ok`.
pub fn check(ok: bool, message: impl FnOnce() -> String) -> Result<()> {
    if ok {
        Ok(())
    } else {
        Err(message().into())
    }
}

/// SplitMix64: a small, fast, seeded PRNG for generating test inputs.
pub struct SplitMix64(pub u64);

impl SplitMix64 {
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (n > 0).
    pub fn below(&mut self, n: u32) -> u32 {
        (((self.next_u64() >> 32) * u64::from(n)) >> 32) as u32
    }
}

/// Shows where each run of `rt` stands on a status line of standard error
/// (rounds, tasks done per priority, spawned, waiting), through
/// `Runtime::on_progress`, which calls back after every submission. Only
/// when standard error is a terminal, so that logs and tests stay clean;
/// [`end_status_line`] clears it.
pub fn status_line(rt: &mut Runtime, what: &'static str) {
    use std::io::{IsTerminal, Write};
    if !std::io::stderr().is_terminal() {
        return;
    }
    rt.on_progress(move |p| {
        let [c, h, n, l, i] = p.executed_by_priority;
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\r{what}: round {}, {} tasks done (critical {c}, high {h}, normal {n}, low {l}, idle {i}), {} spawned, {} waiting\x1b[K",
            p.rounds, p.executed, p.spawned, p.waiting
        );
        let _ = err.flush();
    });
}

/// Clears the status line of [`status_line`].
pub fn end_status_line() {
    use std::io::IsTerminal;
    if std::io::stderr().is_terminal() {
        eprint!("\r\x1b[K");
    }
}

//! Helpers shared by the examples: the `--backend` and `--emit` flags.
//!
//! Each example includes this file with `mod common;`, and the tests in
//! `tests/examples.rs` include the examples themselves, so everything here
//! is plain functions over `vyre`'s public API.

#![allow(dead_code)]

use std::error::Error;

use clap::{Args, ValueEnum};
use vyre::prelude::*;

/// The result type of the examples: any error, printed by `main`.
pub type Result<T> = std::result::Result<T, Box<dyn Error>>;

/// Which backend runs the example.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Backend {
    /// wgpu on any adapter (hardware, or a software one such as lavapipe).
    Wgpu,
    /// The reference interpreter on the CPU (slow, checks everything).
    Reference,
    /// The native CPU backend (the handlers compiled as ordinary Rust).
    Native,
}

/// What to print instead of running.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Emit {
    /// The assembled program (handlers' typed IR, buffers, config).
    Ir,
    /// The WGSL the wgpu backend compiles.
    Wgsl,
}

/// The flags every example takes.
#[derive(Debug, Clone, Args)]
pub struct CommonArgs {
    /// The backend to run on; without it, the best one here (a hardware GPU
    /// through wgpu, else the CPU; `VYRE_BACKEND` overrides).
    #[arg(long, value_enum)]
    pub backend: Option<Backend>,
    /// Print the program as IR or WGSL and exit without running it.
    #[arg(long, value_enum)]
    pub emit: Option<Emit>,
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

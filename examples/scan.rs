//! Multi-pattern scanning: one task per chunk of a large input.
//!
//! Generates a DNA-like input (bytes of `ACGT`, packed four to a `u32`) and
//! a set of distinct patterns from a seeded PRNG, publishes one `scan` task
//! per chunk, and counts each pattern's matches with an atomic per pattern.
//!
//! Semantics: **every occurrence counts, overlapping ones included** (in
//! `AAAA`, `AA` occurs three times), as aho-corasick's
//! `find_overlapping_iter` reports them. A match belongs to the chunk that
//! holds its *first* byte; a task tries every start position of its chunk
//! and may read up to `longest pattern - 1` bytes past the chunk's end, so a
//! match across a chunk border is found exactly once. The counts are checked
//! against the `aho-corasick` crate.
//!
//! ```text
//! cargo run --release --example scan                   # 4 MiB input
//! cargo run --release --example scan -- --bytes 100000 --chunk 512 --backend native
//! cargo run --release --example scan -- --emit wgsl
//! ```

mod common;

use std::time::Instant;

use common::{check, CommonArgs, Flag, Result, SplitMix64};
use vyre::prelude::*;

/// Byte `i` of a text packed four bytes to a word, little-endian.
#[device]
pub fn byte_at(text: &Buffer<u32>, i: u32) -> u32 {
    (text[i >> 2] >> ((i & 3) * 8)) & 0xFF
}

/// Counts the matches of every pattern that start in `start..end` of a text
/// of `len` bytes. Pattern `p` is `pat_bytes[pat_off[p]..pat_off[p + 1]]`,
/// one byte per word.
#[opcode(id = 0x300)]
pub fn scan(
    text: &Buffer<u32>,
    pat_bytes: &Buffer<u32>,
    pat_off: &Buffer<u32>,
    counts: &Buffer<Atomic<u32>>,
    start: u32,
    end: u32,
    len: u32,
) {
    let patterns = pat_off.len() - 1;
    for p in 0..patterns {
        let a = pat_off[p];
        let n = pat_off[p + 1] - a;
        let head = pat_bytes[a];
        // Reading past `end` into the next chunk is the overlap; `len` is
        // the hard stop.
        let last = end.min(len + 1 - n.min(len + 1));
        let mut found = 0;
        for i in start..last {
            // Cheap first-byte filter, then the rest.
            if byte_at(text, i) == head {
                let mut j = 1;
                while j < n && byte_at(text, i + j) == pat_bytes[a + j] {
                    j += 1;
                }
                if j == n {
                    found += 1;
                }
            }
        }
        // One atomic per pattern and chunk, not one per match.
        if found > 0 {
            counts[p].fetch_add(found);
        }
    }
}

megakernel! {
    /// Counts pattern matches chunk by chunk.
    pub struct Scan {
        slots: 1 << 13,
        buffers: { text: u32, pat_bytes: u32, pat_off: u32, counts: Atomic<u32> },
        opcodes: [scan],
    }
}

/// Command-line flags.
#[derive(Debug)]
pub struct Cli {
    /// `--backend` and `--emit`.
    pub common: CommonArgs,
    /// Input size in bytes.
    pub bytes: u32,
    /// Bytes per task.
    pub chunk: u32,
    /// Patterns to look for (distinct, 3 to 10 bytes).
    pub patterns: u32,
    /// Seed of the generator.
    pub seed: u64,
}

impl Cli {
    /// Reads the command line; exits on `--help` or a bad flag.
    pub fn parse() -> Cli {
        let flags = [
            Flag {
                name: "--bytes",
                value: "N",
                help: "input size in bytes (default 4194304, 1..=268435456)",
            },
            Flag {
                name: "--chunk",
                value: "N",
                help: "bytes per task (default 1024, 1..=65536)",
            },
            Flag {
                name: "--patterns",
                value: "N",
                help: "patterns to look for, distinct, 3 to 10 bytes (default 16, 1..=256)",
            },
            Flag {
                name: "--seed",
                value: "N",
                help: "seed of the generator (default 7)",
            },
        ];
        let about = "Multi-pattern scanning, one task per chunk, checked against aho-corasick";
        let mut cli = Cli {
            common: CommonArgs::default(),
            bytes: 4 << 20,
            chunk: 1024,
            patterns: 16,
            seed: 7,
        };
        cli.common = common::parse_args("scan", about, &flags, |flag, value| {
            match flag {
                "--bytes" => cli.bytes = common::number(value, 1..=(1 << 28))?,
                "--chunk" => cli.chunk = common::number(value, 1..=(1 << 16))?,
                "--patterns" => cli.patterns = common::number(value, 1..=256)?,
                _ => cli.seed = common::number(value, 0..=u64::MAX)?,
            }
            Ok(())
        });
        cli
    }
}

/// A random text of `bytes` bytes of `ACGT` and `patterns` distinct
/// patterns of 3 to 10 bytes (shorter ones match often, longer ones rarely).
pub fn generate(bytes: u32, patterns: u32, seed: u64) -> (Vec<u8>, Vec<Vec<u8>>) {
    const ALPHABET: &[u8; 4] = b"ACGT";
    let mut rng = SplitMix64(seed);
    let text = (0..bytes)
        .map(|_| ALPHABET[rng.below(4) as usize])
        .collect();
    let mut pats: Vec<Vec<u8>> = Vec::new();
    while pats.len() < patterns as usize {
        let n = 3 + rng.below(8);
        let p: Vec<u8> = (0..n).map(|_| ALPHABET[rng.below(4) as usize]).collect();
        if !pats.contains(&p) {
            pats.push(p);
        }
    }
    (text, pats)
}

/// Every pattern's count of (overlapping) occurrences, by aho-corasick.
pub fn oracle(text: &[u8], patterns: &[Vec<u8>]) -> Result<Vec<u32>> {
    let ac = aho_corasick::AhoCorasick::new(patterns)?;
    let mut counts = vec![0u32; patterns.len()];
    for m in ac.find_overlapping_iter(text) {
        counts[m.pattern().as_usize()] += 1;
    }
    Ok(counts)
}

/// What the scan did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanRun {
    /// Matches per pattern.
    pub counts: Vec<u32>,
    /// Tasks (chunks) executed.
    pub tasks: u64,
    /// Scheduler rounds.
    pub rounds: u64,
}

/// Scans `text` for `patterns` in chunks of `chunk` bytes on `gpu`.
pub fn scan_text(gpu: &Gpu, text: &[u8], patterns: &[Vec<u8>], chunk: u32) -> Result<ScanRun> {
    let len = u32::try_from(text.len()).map_err(|_| "the input is over 4 GiB")?;
    check(chunk > 0, || "--chunk must be positive".into())?;
    let words: Vec<u32> = text
        .chunks(4)
        .map(|c| c.iter().rev().fold(0, |w, &b| (w << 8) | u32::from(b)))
        .collect();
    let mut pat_off = vec![0u32];
    let mut pat_bytes = Vec::new();
    for p in patterns {
        check(!p.is_empty(), || "patterns must not be empty".into())?;
        pat_bytes.extend(p.iter().map(|&b| u32::from(b)));
        pat_off.push(pat_bytes.len() as u32);
    }
    let mut k = Scan::new(gpu)?;
    k.text().upload(&words)?;
    k.pat_bytes().upload(&pat_bytes)?;
    k.pat_off().upload(&pat_off)?;
    k.counts().upload(&vec![0; patterns.len()])?;
    let mut start = 0;
    while start < len {
        let end = start.saturating_add(chunk).min(len);
        k.publish(Priority::Normal, scan::task(start, end, len))?;
        start = end;
    }
    let r = k.run()?;
    println!(
        "scanned {len} bytes: {} tasks in {} rounds, {} submissions, {:.2?}",
        r.executed, r.rounds, r.submissions, r.wall_time
    );
    check(r.faults.is_empty(), || format!("faults: {:?}", r.faults))?;
    check(r.waiting == 0, || {
        format!("{} chunks left unscanned", r.waiting)
    })?;
    Ok(ScanRun {
        counts: k.counts().read()?,
        tasks: r.executed,
        rounds: r.rounds,
    })
}

/// Scans and checks the counts against aho-corasick.
pub fn scan_checked(gpu: &Gpu, text: &[u8], patterns: &[Vec<u8>], chunk: u32) -> Result<ScanRun> {
    let run = scan_text(gpu, text, patterns, chunk)?;
    let expect = oracle(text, patterns)?;
    for (p, pat) in patterns.iter().enumerate() {
        check(run.counts[p] == expect[p], || {
            format!(
                "pattern {:?}: {} matches on the device, {} by aho-corasick",
                String::from_utf8_lossy(pat),
                run.counts[p],
                expect[p]
            )
        })?;
    }
    Ok(run)
}

fn run() -> Result<()> {
    let cli = Cli::parse();
    if cli.common.emit(&*Scan::try_program()?) {
        return Ok(());
    }
    let gpu = cli.common.gpu()?;
    let (text, patterns) = generate(cli.bytes, cli.patterns, cli.seed);
    println!(
        "input: {} bytes of ACGT, {} patterns, chunks of {} bytes",
        cli.bytes, cli.patterns, cli.chunk
    );
    let start = Instant::now();
    let run = scan_checked(&gpu, &text, &patterns, cli.chunk)?;
    let elapsed = start.elapsed();
    for (p, n) in patterns.iter().zip(&run.counts) {
        println!("  {:<10} {n:>8}", String::from_utf8_lossy(p));
    }
    println!(
        "{} matches in {elapsed:.2?} (with the CPU check); counts agree with aho-corasick",
        run.counts.iter().map(|&c| u64::from(c)).sum::<u64>()
    );
    Ok(())
}

fn main() -> std::process::ExitCode {
    common::main_of("scan", run)
}

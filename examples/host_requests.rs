//! Device→host requests: the device counts the words of every file in a
//! directory, asking the host for each chunk of each file, which the host
//! reads with `std::fs`.
//!
//! The example writes its files (a few MB of generated text) into a
//! temporary directory. Each file starts as one task, `start(file)`, which
//! requests the file's first chunk; the host's handler reads the chunk into
//! the `text` buffer and replies its length; the continuation,
//! `count(file, chunk, len)`, counts the words that start in the chunk and
//! requests the next one, until a chunk comes back short. The counts are
//! checked against plain Rust.
//!
//! ```text
//! cargo run --example host_requests
//! cargo run --example host_requests -- --backend reference --files 8
//! ```

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::{check, CommonArgs, Flag, Result, SplitMix64};
use vyre::prelude::*;

/// Bytes of one chunk (a multiple of 4: the `text` buffer holds words).
pub const CHUNK_BYTES: u32 = 2048;
/// Words of one chunk.
const CHUNK_WORDS: u32 = CHUNK_BYTES / 4;

/// The host reads chunk `chunk` of file `file` into `text` (at the file's
/// first chunk slot, plus `chunk`) and replies how many bytes it read:
/// `CHUNK_BYTES`, or fewer for the file's last chunk.
#[request(id = 1)]
pub fn read_chunk(file: u32, chunk: u32) -> u32;

/// Whether byte `b` separates words (ASCII whitespace).
#[device]
pub fn is_space(b: u32) -> bool {
    b == 32 || b == 10 || b == 9 || b == 13
}

/// Byte `i` of chunk slot `slot` of `text` (four bytes a word, the first
/// in the low bits).
#[device]
pub fn byte_at(text: &Buffer<u32>, slot: u32, i: u32) -> u32 {
    (text[slot * CHUNK_WORDS + i / 4] >> ((i % 4) * 8)) & 255
}

/// Asks for the first chunk of `file`.
#[opcode(id = 1)]
pub fn start(ctx: &Ctx, file: u32) {
    if !ctx.request(
        Priority::Normal,
        read_chunk::call(file, 0),
        count::then(file, 0),
    ) {
        // No request slot left in this submission: try again from a
        // later one (a refused request is never lost, only refused).
        ctx.spawn(Priority::Low, start::task(file));
    }
}

/// Counts the words that start in chunk `chunk` of `file` (`len` bytes,
/// read by the host into its slot) and asks for the next chunk.
#[opcode(id = 2)]
pub fn count(
    ctx: &Ctx,
    text: &Buffer<u32>,
    first_slot: &Buffer<u32>,
    words: &Buffer<Atomic<u32>>,
    file: u32,
    chunk: u32,
    len: u32,
) {
    let slot = first_slot[file] + chunk;
    // A word starts at a non-space byte after a space, or at the file's
    // first byte; the byte before this chunk is the last of the one before.
    let mut before_is_space = true;
    if chunk > 0 {
        before_is_space = is_space(byte_at(text, slot - 1, CHUNK_BYTES - 1));
    }
    let mut found = 0u32;
    for i in 0..len {
        let space = is_space(byte_at(text, slot, i));
        if !space && before_is_space {
            found += 1;
        }
        before_is_space = space;
    }
    words[file].fetch_add(found);
    if len == CHUNK_BYTES {
        let next = chunk + 1;
        if !ctx.request(
            Priority::Normal,
            read_chunk::call(file, next),
            count::then(file, next),
        ) {
            // Retry from a new task: the continuation of this chunk again.
            ctx.spawn(Priority::Low, retry::task(file, next));
        }
    }
}

/// Asks again for chunk `chunk` of `file` after a refused request.
#[opcode(id = 3)]
pub fn retry(ctx: &Ctx, file: u32, chunk: u32) {
    if !ctx.request(
        Priority::Normal,
        read_chunk::call(file, chunk),
        count::then(file, chunk),
    ) {
        ctx.spawn(Priority::Low, retry::task(file, chunk));
    }
}

megakernel! {
    /// Counts words, one chunk request at a time per file.
    pub struct WordCount {
        // Few request slots, so that even a small run has requests refused
        // and tried again.
        request_slots: 16,
        buffers: { text: u32, first_slot: u32, words: Atomic<u32> },
        opcodes: [start, count, retry],
        requests: [read_chunk],
    }
}

/// Command-line flags.
#[derive(Debug)]
pub struct Cli {
    /// `--backend` and `--emit`.
    pub common: CommonArgs,
    /// Files to write and count.
    pub files: u32,
}

impl Cli {
    /// Reads the command line; exits on `--help` or a bad flag.
    pub fn parse() -> Cli {
        let about =
            "Counts the words of a directory's files on the device, asking the host for each chunk";
        let mut files = 48;
        let own = [Flag {
            name: "--files",
            value: "N",
            help: "files to write and count (default 48, about 3 MB)",
        }];
        let common = common::parse_args("host_requests", about, &own, |flag, value| {
            if flag == "--files" {
                files = common::number(value, 1..=4096)?;
            }
            Ok(())
        });
        Cli { common, files }
    }
}

/// Writes `n` files of generated text (up to 128 KB each) into `dir`.
pub fn write_files(dir: &Path, n: u32) -> Result<Vec<PathBuf>> {
    fs::create_dir_all(dir)?;
    let mut rng = SplitMix64(0x5EED ^ u64::from(n));
    let words = [
        "gpu",
        "lane",
        "ring",
        "task",
        "spawn",
        "priority",
        "a",
        "megakernel",
    ];
    (0..n)
        .map(|f| {
            let size = 1 + rng.below(128 * 1024) as usize;
            let mut text = String::with_capacity(size + 16);
            while text.len() < size {
                text.push_str(words[rng.below(words.len() as u32) as usize]);
                text.push(match rng.below(8) {
                    0 => '\n',
                    1 => '\t',
                    2 => ' ',
                    _ => ' ',
                });
                if rng.below(13) == 0 {
                    text.push(' ');
                }
            }
            text.truncate(size);
            let path = dir.join(format!("file-{f:04}.txt"));
            fs::write(&path, text.as_bytes())?;
            Ok(path)
        })
        .collect()
}

/// The words of `bytes`, as plain Rust counts them.
pub fn count_words(bytes: &[u8]) -> u32 {
    bytes
        .split(|b| matches!(b, b' ' | b'\n' | b'\t' | b'\r'))
        .filter(|w| !w.is_empty())
        .count() as u32
}

/// Counts the words of `files` on `gpu`, the device asking the host for
/// every chunk; returns the counts and how many requests were made.
pub fn count_files(gpu: &Gpu, files: &[PathBuf]) -> Result<(Vec<u32>, u64)> {
    let mut k = WordCount::new(gpu)?;
    // Each file's chunks get consecutive slots of `text`.
    let mut first_slot = Vec::with_capacity(files.len());
    let mut slots = 0u32;
    for path in files {
        first_slot.push(slots);
        let len = fs::metadata(path)?.len();
        slots += (len / u64::from(CHUNK_BYTES)) as u32 + 1;
    }
    k.text().upload(&vec![0; (slots * CHUNK_WORDS) as usize])?;
    k.first_slot().upload(&first_slot)?;
    k.words().upload(&vec![0; files.len()])?;
    let text = k.runtime().buffer::<u32>("text")?;
    let paths = files.to_vec();
    let slot_of = first_slot.clone();
    // The host side: `std::fs` reads a chunk into its slot of `text`.
    k.serve(read_chunk::serve(move |file, chunk, reply| {
        use std::io::{Read, Seek, SeekFrom};
        let path = paths
            .get(file as usize)
            .ok_or_else(|| format!("no file {file}"))?;
        let mut f = fs::File::open(path).map_err(|e| e.to_string())?;
        f.seek(SeekFrom::Start(u64::from(chunk) * u64::from(CHUNK_BYTES)))
            .map_err(|e| e.to_string())?;
        let mut bytes = vec![0u8; CHUNK_BYTES as usize];
        let mut len = 0;
        while len < bytes.len() {
            let n = f.read(&mut bytes[len..]).map_err(|e| e.to_string())?;
            if n == 0 {
                break;
            }
            len += n;
        }
        let words: Vec<u32> = bytes
            .chunks_exact(4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        let slot = slot_of[file as usize] + chunk;
        reply.write(text, u64::from(slot * CHUNK_WORDS), &words);
        Ok(len as u32)
    }))?;
    let n = files.len() as u32;
    k.publish_range(Priority::Normal, start::Op, 0..n, ())?;
    let report = k.run()?;
    check(report.faults.is_empty(), || {
        format!("unexpected faults: {:?}", report.faults)
    })?;
    let requests = report.executed_by_opcode.iter().find(|c| c.id == count::ID);
    Ok((k.words().read()?, requests.map_or(0, |c| c.executed)))
}

fn run() -> Result<()> {
    let cli = Cli::parse();
    if cli.common.emit(&*WordCount::try_program()?) {
        return Ok(());
    }
    let gpu = cli.common.gpu()?;
    let dir = std::env::temp_dir().join(format!("vyre-host-requests-{}", std::process::id()));
    let files = write_files(&dir, cli.files)?;
    let bytes: u64 = files
        .iter()
        .map(|p| fs::metadata(p).map(|m| m.len()).unwrap_or(0))
        .sum();
    let started = std::time::Instant::now();
    let (counts, chunks) = count_files(&gpu, &files)?;
    let elapsed = started.elapsed();
    let expected: Vec<u32> = files
        .iter()
        .map(|p| fs::read(p).map(|b| count_words(&b)))
        .collect::<std::io::Result<_>>()?;
    let _ = fs::remove_dir_all(&dir);
    println!(
        "{} files, {:.1} MB, {} words, {chunks} chunks requested from the host, {elapsed:.2?} on {}",
        files.len(),
        bytes as f64 / 1e6,
        counts.iter().map(|&c| u64::from(c)).sum::<u64>(),
        gpu.description()
    );
    check(counts == expected, || {
        format!("the device counted {counts:?}, plain Rust {expected:?}")
    })
}

fn main() -> std::process::ExitCode {
    common::main_of("host_requests", run)
}

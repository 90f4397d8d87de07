//! A particle simulation with structs: `#[derive(Element)]` particles in
//! a struct buffer, one task per particle per step, walls that bounce and
//! count each particle's collisions, and a 64-bit checksum of the final
//! state — checked against the same functions run as plain Rust: exactly
//! on the collision counts, within the f32 rules on positions.
//!
//! ```text
//! cargo run --release --example particles
//! cargo run --release --example particles -- --particles 100000 --steps 50
//! ```

mod common;

use common::{check, end_status_line, status_line, CommonArgs, Flag, Result};
use vyre::prelude::*;

/// One particle: position, velocity, its id, and how often it hit a wall.
#[derive(Clone, Copy, Debug, PartialEq, Element)]
#[repr(C)]
pub struct Particle {
    /// Position in the box `[0, SIZE)²`.
    pub pos: [f32; 2],
    /// Velocity, box units per time unit.
    pub vel: [f32; 2],
    /// Its index.
    pub id: u32,
    /// Wall collisions so far.
    pub hits: u32,
}

/// The box's side.
pub const SIZE: f32 = 64.0;

/// Moves particle `i` by `dt`, bouncing off the walls (each bounce counts
/// as one collision of this particle).
#[opcode]
pub fn step(ps: &mut Buffer<Particle>, i: u32, dt: f32) {
    let mut p = ps[i];
    for k in 0..2u32 {
        let axis = k as usize;
        p.pos[axis] += p.vel[axis] * dt;
        if p.pos[axis] < 0.0 {
            p.pos[axis] = -p.pos[axis];
            p.vel[axis] = -p.vel[axis];
            p.hits += 1;
        }
        if p.pos[axis] >= SIZE {
            p.pos[axis] = 2.0 * SIZE - p.pos[axis];
            p.vel[axis] = -p.vel[axis];
            p.hits += 1;
        }
    }
    ps[i] = p;
}

/// Folds particle `i` into a 64-bit checksum slot: its id and collision
/// count mixed with SplitMix64's finaliser.
#[opcode]
pub fn digest(ps: &Buffer<Particle>, sums: &mut Buffer<u64>, i: u32) {
    let mut z = (ps[i].id as u64) << 32 | ps[i].hits as u64;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    sums[i] = z ^ (z >> 31);
}

megakernel! {
    /// Particles in a box.
    pub struct Particles {
        buffers: { ps: Particle, sums: u64 },
        opcodes: [step, digest],
    }
}

/// Command-line flags.
#[derive(Debug)]
pub struct Cli {
    /// `--backend` and `--emit`.
    pub common: CommonArgs,
    /// Particles.
    pub particles: u32,
    /// Time steps.
    pub steps: u32,
}

impl Cli {
    /// Reads the command line; exits on `--help` or a bad flag.
    pub fn parse() -> Cli {
        let flags = [
            Flag {
                name: "--particles",
                value: "N",
                help: "particles (default 65536, 1..=4194304)",
            },
            Flag {
                name: "--steps",
                value: "N",
                help: "time steps (default 32, 1..=10000)",
            },
        ];
        let about = "Particles bouncing in a box, with structs; checked against plain Rust";
        let mut cli = Cli {
            common: CommonArgs::default(),
            particles: 1 << 16,
            steps: 32,
        };
        cli.common = common::parse_args("particles", about, &flags, |flag, value| {
            match flag {
                "--particles" => cli.particles = common::number(value, 1..=(1 << 22))?,
                _ => cli.steps = common::number(value, 1..=10_000)?,
            }
            Ok(())
        });
        cli
    }
}

/// `n` particles spread over the box, with velocities that are multiples
/// of 1/8 (so that with `dt = 0.5` every position stays exact in f32 and
/// the host and the device agree bit for bit).
pub fn particles(n: u32) -> Vec<Particle> {
    let mut rng = common::SplitMix64(7);
    (0..n)
        .map(|id| {
            let mut coord = || (rng.next_u64() % (SIZE as u64 * 8)) as f32 / 8.0;
            let pos = [coord(), coord()];
            let mut speed = || (rng.next_u64() % 129) as f32 / 8.0 - 8.0;
            let vel = [speed(), speed()];
            Particle {
                pos,
                vel,
                id,
                hits: 0,
            }
        })
        .collect()
}

/// The final particles and checksums of `steps` steps of `dt` on `gpu`.
pub fn simulate(
    gpu: &Gpu,
    start: &[Particle],
    steps: u32,
    dt: f32,
) -> Result<(Vec<Particle>, Vec<u64>)> {
    let n = start.len() as u32;
    let mut k = Particles::new(gpu)?;
    k.ps().upload(start)?;
    k.sums().upload(&vec![0; start.len()])?;
    status_line(k.runtime_mut(), "simulation");
    let mut executed = 0;
    for _ in 0..steps {
        // One step: a task per particle, written by the device from one
        // descriptor.
        k.publish_range(Priority::Normal, step::Op, 0..n, dt)?;
        executed += k.run()?.executed;
    }
    k.publish_range(Priority::Normal, digest::Op, 0..n, ())?;
    let report = k.run()?;
    end_status_line();
    executed += report.executed;
    check(report.faults.is_empty(), || {
        format!("unexpected faults: {:?}", report.faults)
    })?;
    let expected = u64::from(n) * u64::from(steps + 1);
    check(executed == expected, || {
        format!("{executed} tasks ran, expected {expected}")
    })?;
    Ok((k.ps().read()?, k.sums().read()?))
}

/// The same simulation as plain Rust: the handlers called on host buffers.
pub fn reference(start: &[Particle], steps: u32, dt: f32) -> (Vec<Particle>, Vec<u64>) {
    let mut ps = Buffer::from(start.to_vec());
    let mut sums = Buffer::from(vec![0u64; start.len()]);
    for _ in 0..steps {
        for i in 0..start.len() as u32 {
            step(&mut ps, i, dt);
        }
    }
    for i in 0..start.len() as u32 {
        digest(&ps, &mut sums, i);
    }
    (ps.as_slice().to_vec(), sums.as_slice().to_vec())
}

/// Checks a simulation's result against the reference: exact collision
/// counts and checksums, positions within f32 rounding (exact here, by
/// construction of the inputs).
pub fn compare(got: &(Vec<Particle>, Vec<u64>), want: &(Vec<Particle>, Vec<u64>)) -> Result<()> {
    check(got.0.len() == want.0.len(), || {
        "particle count differs".into()
    })?;
    for (g, w) in got.0.iter().zip(&want.0) {
        check(g.hits == w.hits && g.id == w.id, || {
            format!(
                "particle {}: {} collisions, plain Rust counts {}",
                w.id, g.hits, w.hits
            )
        })?;
        for axis in 0..2 {
            let close = (g.pos[axis] - w.pos[axis]).abs() <= 1e-4 * SIZE
                && (g.vel[axis] - w.vel[axis]).abs() <= 1e-4;
            check(close, || {
                format!(
                    "particle {}: at {:?} moving {:?}, plain Rust has {:?} {:?}",
                    w.id, g.pos, g.vel, w.pos, w.vel
                )
            })?;
        }
    }
    check(got.1 == want.1, || "checksums differ".into())
}

fn run() -> Result<()> {
    let cli = Cli::parse();
    if cli.common.emit(&*Particles::try_program()?) {
        return Ok(());
    }
    let gpu = cli.common.gpu()?;
    println!(
        "{} particles, {} steps on {}",
        cli.particles,
        cli.steps,
        gpu.description()
    );
    let start = particles(cli.particles);
    let t = std::time::Instant::now();
    let got = simulate(&gpu, &start, cli.steps, 0.5)?;
    let took = t.elapsed();
    let t = std::time::Instant::now();
    let want = reference(&start, cli.steps, 0.5);
    let plain = t.elapsed();
    compare(&got, &want)?;
    let hits: u64 = got.0.iter().map(|p| u64::from(p.hits)).sum();
    println!(
        "{hits} wall collisions; vyre {took:.2?}, plain Rust on one thread {plain:.2?}; matches plain Rust"
    );
    Ok(())
}

fn main() -> std::process::ExitCode {
    common::main_of("particles", run)
}

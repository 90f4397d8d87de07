//! The command line: parsed by hand (a handful of flags does not need a
//! parser crate), every mistake a message rather than a panic.

use std::path::PathBuf;

/// One workload of the suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workload {
    /// What a user sees on their wall clock: bulk publishing to `run()`
    /// returning, start-up, defaults (issue 13).
    Wall,
    /// (1) one trivial opcode (an atomic add), 1K to 16M tasks.
    Trivial,
    /// (2) five opcodes of different costs, uniform and mixed.
    Mix,
    /// (3) priority latency: 1K CRITICAL under 1M IDLE.
    Priority,
    /// (4) BFS on RMAT graphs by device-side spawning.
    Bfs,
    /// (5) build costs: assembly, WGSL, pipelines.
    Build,
    /// Service mode: CRITICAL latency under an open-loop IDLE flood.
    Service,
    /// One program over 1, 2, 4, 8 devices (issue 19).
    Scale,
    /// Configuration sweeps and lowering variants (not part of `all`).
    Experiments,
    /// Measurements behind the analyses of missed targets (not part of
    /// `all`).
    Probes,
}

impl Workload {
    /// Every workload, in the order the suite runs them.
    pub const ALL: [Workload; 10] = [
        Workload::Wall,
        Workload::Trivial,
        Workload::Mix,
        Workload::Priority,
        Workload::Bfs,
        Workload::Build,
        Workload::Service,
        Workload::Scale,
        Workload::Experiments,
        Workload::Probes,
    ];

    /// The name used by `--only` and in the JSON.
    pub fn name(self) -> &'static str {
        match self {
            Workload::Wall => "wall",
            Workload::Trivial => "trivial",
            Workload::Mix => "mix",
            Workload::Priority => "priority",
            Workload::Bfs => "bfs",
            Workload::Build => "build",
            Workload::Service => "service",
            Workload::Scale => "scale",
            Workload::Experiments => "experiments",
            Workload::Probes => "probes",
        }
    }

    fn parse(name: &str) -> Option<Workload> {
        Workload::ALL
            .into_iter()
            .find(|w| w.name().eq_ignore_ascii_case(name.trim()))
    }
}

/// The options of one invocation.
#[derive(Debug, Clone)]
pub struct Args {
    /// Small sizes and few repetitions (lavapipe, CI smoke runs).
    pub quick: bool,
    /// Only the smallest size of each workload, one repetition, no
    /// warm-up (the smoke test).
    pub smoke: bool,
    /// Workloads to run; empty means all but the experiments.
    pub only: Vec<Workload>,
    /// Where the JSON, the Markdown summary and the plots go.
    pub out: PathBuf,
    /// Measured repetitions per configuration.
    pub reps: usize,
    /// Unmeasured warm-up runs per configuration.
    pub warmup: usize,
    /// Largest RMAT scale of the BFS workload.
    pub max_scale: u32,
    /// Smallest RMAT scale of the BFS workload.
    pub min_scale: u32,
    /// Work workgroups of the megakernel (lanes = workgroups × workgroup
    /// size); `None` keeps the library's default.
    pub workgroups: Option<u32>,
    /// `--workgroups auto`: the BFS workload runs at the library's own
    /// dispatch (`ProgramConfig::auto_dispatch`, tuned per adapter and
    /// program), what a user who sets no dispatch gets.
    pub auto_dispatch: bool,
    /// IDLE tasks per second the service workload offers (full mode).
    pub service_rate: Option<f64>,
    /// The service workload's CRITICAL calls never overtake a running
    /// submission (`ServiceOptions::overtake` off), for an A/B in one
    /// binary.
    pub no_overtake: bool,
    /// Sum vyre's tracing spans by name and log the table after each
    /// workload (where the host time goes).
    pub stages: bool,
    /// No progress lines (tests).
    pub silent: bool,
    /// The command line as given, for the report.
    pub command_line: String,
}

/// What `--help` prints.
pub const USAGE: &str = "\
vyre benchmark suite (issue 5): every workload and its baselines in one run.

usage: bench [--quick] [--only LIST] [--out DIR] [--reps N] [--warmup N]
             [--min-scale S] [--max-scale S] [--workgroups N] [--service-rate R]
             [--no-overtake] [--stages]

  --quick          small sizes, 3 repetitions (lavapipe: well under a minute)
  --only LIST      comma-separated workloads: wall, trivial, mix, priority, bfs,
                   build, service, experiments, probes (default: all but
                   experiments and probes)
  --out DIR        where results.json, summary.md and the SVG plots go
                   (default: bench-out)
  --reps N         measured repetitions per configuration (default 10, quick 3)
  --warmup N       warm-up runs per configuration (default 1)
  --min-scale S    smallest RMAT scale for bfs (default 18, quick 8)
  --max-scale S    largest RMAT scale for bfs (default 22, quick 10)
  --workgroups N   work workgroups of the megakernel (default: 528 of 256 lanes
                   on hardware); `auto`: BFS at the library's tuned dispatch
  --service-rate R IDLE tasks/s the service workload offers (default 1.05e8)
  --no-overtake    the service's CRITICAL calls wait for the running
                   submission (ServiceOptions::overtake off)
  --stages         after each workload, log the wall time of vyre's stages
                   (tracing spans summed by name, every thread)
  --help           this text

build: cargo build --release -p vyre-bench
run:   ./target/release/bench --out bench-out
";

impl Args {
    /// Parses `argv` (without the program name). `Ok(None)` means
    /// `--help` was asked for.
    pub fn parse(argv: impl IntoIterator<Item = String>) -> Result<Option<Args>, String> {
        let argv: Vec<String> = argv.into_iter().collect();
        let mut args = Args::defaults(false);
        args.command_line = std::iter::once("bench".to_string())
            .chain(argv.iter().cloned())
            .collect::<Vec<_>>()
            .join(" ");
        let mut reps = None;
        let mut warmup = None;
        let mut min_scale = None;
        let mut max_scale = None;
        let mut it = argv.into_iter();
        while let Some(flag) = it.next() {
            let mut value = |name: &str| {
                it.next()
                    .ok_or_else(|| format!("{name} needs a value; see --help"))
            };
            match flag.as_str() {
                "--help" | "-h" => return Ok(None),
                "--quick" => args.quick = true,
                "--smoke" => args.smoke = true,
                "--silent" => args.silent = true,
                "--stages" => args.stages = true,
                "--no-overtake" => args.no_overtake = true,
                "--only" => {
                    let list = value("--only")?;
                    for name in list.split(',').filter(|s| !s.trim().is_empty()) {
                        let w = Workload::parse(name).ok_or_else(|| {
                            format!(
                                "unknown workload `{name}` in --only; use {}",
                                Workload::ALL.map(Workload::name).join(", ")
                            )
                        })?;
                        if !args.only.contains(&w) {
                            args.only.push(w);
                        }
                    }
                    if args.only.is_empty() {
                        return Err("--only needs at least one workload".into());
                    }
                }
                "--out" => args.out = PathBuf::from(value("--out")?),
                "--reps" => reps = Some(number(&value("--reps")?, "--reps", 1, 1000)?),
                "--warmup" => warmup = Some(number(&value("--warmup")?, "--warmup", 0, 100)?),
                "--min-scale" => {
                    min_scale = Some(number(&value("--min-scale")?, "--min-scale", 4, 24)? as u32)
                }
                "--max-scale" => {
                    max_scale = Some(number(&value("--max-scale")?, "--max-scale", 4, 24)? as u32)
                }
                "--workgroups" => {
                    let text = value("--workgroups")?;
                    if text == "auto" {
                        args.auto_dispatch = true;
                    } else {
                        args.workgroups = Some(number(&text, "--workgroups", 1, 65_535)? as u32)
                    }
                }
                "--service-rate" => {
                    let text = value("--service-rate")?;
                    let rate: f64 = text
                        .trim()
                        .parse()
                        .map_err(|_| format!("--service-rate takes a number, not `{text}`"))?;
                    if !(1.0..=1e12).contains(&rate) {
                        return Err(format!("--service-rate {rate} is outside 1 ..= 1e12"));
                    }
                    args.service_rate = Some(rate);
                }
                other => return Err(format!("unknown argument `{other}`; see --help")),
            }
        }
        let base = Args::defaults(args.quick);
        args.reps = reps.unwrap_or(if args.smoke { 1 } else { base.reps });
        args.warmup = warmup.unwrap_or(if args.smoke { 0 } else { base.warmup });
        args.min_scale = min_scale.unwrap_or(base.min_scale);
        args.max_scale = max_scale.unwrap_or(base.max_scale);
        if args.min_scale > args.max_scale {
            return Err(format!(
                "--min-scale {} is above --max-scale {}",
                args.min_scale, args.max_scale
            ));
        }
        Ok(Some(args))
    }

    /// The defaults of the full (`quick == false`) or quick mode.
    pub fn defaults(quick: bool) -> Args {
        Args {
            quick,
            smoke: false,
            only: Vec::new(),
            out: PathBuf::from("bench-out"),
            reps: if quick { 3 } else { 10 },
            warmup: 1,
            min_scale: if quick { 8 } else { 18 },
            max_scale: if quick { 10 } else { 22 },
            workgroups: None,
            auto_dispatch: false,
            service_rate: None,
            no_overtake: false,
            stages: false,
            silent: false,
            command_line: String::new(),
        }
    }

    /// The smoke test's options: quick mode, smallest sizes, one
    /// repetition, no warm-up, every workload including the experiments.
    pub fn smoke(out: PathBuf) -> Args {
        Args {
            smoke: true,
            reps: 1,
            warmup: 0,
            min_scale: 6,
            max_scale: 6,
            out,
            silent: true,
            only: Workload::ALL.to_vec(),
            command_line: "bench --quick --smoke (smoke test)".into(),
            ..Args::defaults(true)
        }
    }

    /// Whether workload `w` runs.
    pub fn selected(&self, w: Workload) -> bool {
        if self.only.is_empty() {
            !matches!(w, Workload::Experiments | Workload::Probes)
        } else {
            self.only.contains(&w)
        }
    }

    /// `full`, `quick` or `smoke` sizes: picks one of three lists and
    /// keeps only its first element in smoke mode.
    pub fn sizes<T: Clone>(&self, full: &[T], quick: &[T]) -> Vec<T> {
        let list = if self.quick || self.smoke {
            quick
        } else {
            full
        };
        if self.smoke {
            list.iter().take(1).cloned().collect()
        } else {
            list.to_vec()
        }
    }
}

fn number(text: &str, flag: &str, min: usize, max: usize) -> Result<usize, String> {
    let n: usize = text
        .trim()
        .parse()
        .map_err(|_| format!("{flag} takes a whole number, not `{text}`"))?;
    if n < min || n > max {
        return Err(format!("{flag} {n} is outside {min} ..= {max}"));
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Option<Args>, String> {
        Args::parse(s.split_whitespace().map(String::from))
    }

    #[test]
    fn flags_parse_and_mistakes_are_messages() {
        let a = parse("--quick --only trivial,bfs --out x --reps 5")
            .unwrap()
            .unwrap();
        assert!(a.quick && a.reps == 5 && a.out == std::path::Path::new("x"));
        assert_eq!(a.only, vec![Workload::Trivial, Workload::Bfs]);
        assert!(parse("--help").unwrap().is_none());
        assert!(parse("--only nope")
            .unwrap_err()
            .contains("unknown workload"));
        assert!(parse("--reps").unwrap_err().contains("needs a value"));
        assert!(parse("--reps 0").unwrap_err().contains("outside"));
        assert!(parse("--bogus").unwrap_err().contains("unknown argument"));
        assert!(parse("--min-scale 20 --max-scale 18").is_err());
        let auto = parse("--workgroups auto").unwrap().unwrap();
        assert!(auto.auto_dispatch && auto.workgroups.is_none());
        let fixed = parse("--workgroups 792").unwrap().unwrap();
        assert!(!fixed.auto_dispatch && fixed.workgroups == Some(792));
        assert!(parse("--workgroups many")
            .unwrap_err()
            .contains("--workgroups"));
    }
}

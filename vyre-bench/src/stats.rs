//! Repetitions and their summaries: median, min and max of each
//! measured quantity.

use serde_json::{json, Value};

use super::Result;

/// Warm-up runs (results discarded) and measured repetitions.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    /// Runs before measuring: pipeline compilation, first-touch
    /// allocation and driver warm-up stay out of the numbers.
    pub warmup: usize,
    /// Measured runs.
    pub reps: usize,
}

impl Plan {
    /// Runs `f(i)` `warmup` times, then `reps` times, and returns the
    /// measured results. `i` counts every call (warm-up included), so a
    /// caller can make each run distinct (salts, seeds).
    pub fn run<T>(&self, mut f: impl FnMut(usize) -> Result<T>) -> Result<Vec<T>> {
        for i in 0..self.warmup {
            f(i)?;
        }
        (0..self.reps).map(|i| f(self.warmup + i)).collect()
    }

    /// Runs `variants` variants in turn, `f(v)` once each per repetition
    /// (warm-ups included), and returns each variant's measured results:
    /// compared variants then see the same GPU clocks (a clock that is
    /// still climbing favours whichever runs last).
    pub fn run_alternating<T>(
        &self,
        variants: usize,
        mut f: impl FnMut(usize) -> Result<T>,
    ) -> Result<Vec<Vec<T>>> {
        let mut out: Vec<Vec<T>> = (0..variants).map(|_| Vec::new()).collect();
        for rep in self.run(|_| (0..variants).map(&mut f).collect::<Result<Vec<T>>>())? {
            for (series, sample) in out.iter_mut().zip(rep) {
                series.push(sample);
            }
        }
        Ok(out)
    }
}

/// Median, min and max of a set of samples.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stats {
    /// The median (the mean of the two middle samples for an even count).
    pub median: f64,
    /// The smallest sample.
    pub min: f64,
    /// The largest sample.
    pub max: f64,
    /// How many samples.
    pub n: usize,
}

impl Stats {
    /// The summary of `samples`; `None` when there are none (or any is
    /// not a finite number).
    pub fn of(samples: &[f64]) -> Option<Stats> {
        if samples.is_empty() || samples.iter().any(|x| !x.is_finite()) {
            return None;
        }
        let mut v = samples.to_vec();
        v.sort_by(f64::total_cmp);
        let n = v.len();
        let median = if n % 2 == 1 {
            v[n / 2]
        } else {
            (v[n / 2 - 1] + v[n / 2]) / 2.0
        };
        Some(Stats {
            median,
            min: v[0],
            max: v[n - 1],
            n,
        })
    }

    /// The summary of `f` over `items`, where `f` may have no value for
    /// some (GPU time without timestamps): `None` unless every item has
    /// one.
    pub fn of_opt<T>(items: &[T], f: impl Fn(&T) -> Option<f64>) -> Option<Stats> {
        let v: Option<Vec<f64>> = items.iter().map(f).collect();
        v.and_then(|v| Stats::of(&v))
    }

    /// The summary of `f` over `items`.
    pub fn of_by<T>(items: &[T], f: impl Fn(&T) -> f64) -> Option<Stats> {
        Stats::of(&items.iter().map(f).collect::<Vec<_>>())
    }

    /// `n / x` for each of median, min, max (a time becomes a rate: the
    /// fastest time gives the highest rate, so min and max swap).
    pub fn rate(&self, n: f64) -> Stats {
        Stats {
            median: n / self.median,
            min: n / self.max,
            max: n / self.min,
            n: self.n,
        }
    }

    /// Every field scaled by `k` (seconds to milliseconds, say).
    pub fn scaled(&self, k: f64) -> Stats {
        Stats {
            median: self.median * k,
            min: self.min * k,
            max: self.max * k,
            n: self.n,
        }
    }

    /// `{"median": .., "min": .., "max": .., "n": ..}`.
    pub fn json(&self) -> Value {
        json!({"median": self.median, "min": self.min, "max": self.max, "n": self.n})
    }
}

/// `stats.json()` or `null`.
pub fn json_opt(stats: Option<Stats>) -> Value {
    stats.map_or(Value::Null, |s| s.json())
}

/// A measured time: wall clock and, where the adapter has timestamps,
/// GPU time, in seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Timing {
    /// Wall-clock seconds.
    pub wall: f64,
    /// GPU seconds (timestamp queries), when available.
    pub gpu: Option<f64>,
}

/// The summary of a set of timings as JSON: `wall_s`, `gpu_s` and, for
/// `n` units of work, the rates `per_s_wall` and `per_s_gpu`.
pub fn timing_json(timings: &[Timing], n: f64) -> Value {
    let wall = Stats::of_by(timings, |t| t.wall);
    let gpu = Stats::of_opt(timings, |t| t.gpu);
    json!({
        "wall_s": json_opt(wall),
        "gpu_s": json_opt(gpu),
        "per_s_wall": json_opt(wall.map(|s| s.rate(n))),
        "per_s_gpu": json_opt(gpu.map(|s| s.rate(n))),
    })
}

/// The best time measure: GPU time where every run has it, else wall.
pub fn best_seconds(timings: &[Timing]) -> Option<Stats> {
    Stats::of_opt(timings, |t| t.gpu).or_else(|| Stats::of_by(timings, |t| t.wall))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alternating_runs_interleave_and_split_by_variant() {
        let plan = Plan { warmup: 1, reps: 2 };
        let mut calls = Vec::new();
        let series = plan
            .run_alternating(3, |v| {
                calls.push(v);
                Ok(calls.len())
            })
            .unwrap();
        assert_eq!(calls, [0, 1, 2, 0, 1, 2, 0, 1, 2]);
        assert_eq!(series, [vec![4, 7], vec![5, 8], vec![6, 9]]);
    }

    #[test]
    fn median_min_max() {
        let s = Stats::of(&[3.0, 1.0, 2.0]).unwrap();
        assert_eq!((s.median, s.min, s.max, s.n), (2.0, 1.0, 3.0, 3));
        assert_eq!(Stats::of(&[4.0, 1.0, 2.0, 3.0]).unwrap().median, 2.5);
        assert!(Stats::of(&[]).is_none());
        assert!(Stats::of(&[f64::NAN]).is_none());
        let r = Stats::of(&[1.0, 2.0, 4.0]).unwrap().rate(8.0);
        assert_eq!((r.median, r.min, r.max), (4.0, 2.0, 8.0));
    }
}

//! What the suite writes: `results.json` (everything), `summary.md`
//! (tables and the targets, ready to paste into `docs/benchmarks.md`) and
//! SVG plots, at most eight files in all.
//!
//! - `targets.rs`: [`targets()`], the targets judged from the
//!   results;
//! - `summary.rs`: [`markdown()`], the summary;
//! - `plots.rs`: the plots;
//!
//! and, here, the number formats they share and [`write()`], which writes
//! every file.

use std::fs;
use std::path::Path;

use serde_json::Value;

use super::Result;

mod metrics;
mod plots;
mod summary;
mod targets;

pub use metrics::{metrics, HOST_PATH};
pub use summary::markdown;
pub use targets::targets;

/// `YYYY-MM-DD HH:MM:SS UTC` from the system clock (no date crate: the
/// civil-from-days algorithm is short).
pub fn utc_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// The number at `v`, if it is one.
fn f(v: &Value) -> Option<f64> {
    v.as_f64()
}

/// `1.23e9`, or `-`.
pub fn sci(x: Option<f64>) -> String {
    match x {
        Some(x) if x.abs() >= 1e4 || (x != 0.0 && x.abs() < 1e-2) => format!("{x:.2e}"),
        Some(x) if x.fract() == 0.0 => format!("{x:.0}"),
        Some(x) => format!("{x:.2}"),
        None => "-".into(),
    }
}

/// `x` with `d` decimals, or `-`.
pub fn fixed(x: Option<f64>, d: usize) -> String {
    x.map_or("-".into(), |x| format!("{x:.d$}"))
}

/// The rate by the best clock of a `timing_json` value.
fn best_rate(v: &Value) -> Option<f64> {
    f(&v["per_s_gpu"]["median"]).or(f(&v["per_s_wall"]["median"]))
}

/// The seconds summary by the best clock of a `timing_json` value.
fn best(v: &Value) -> &Value {
    if v["gpu_s"].is_object() {
        &v["gpu_s"]
    } else {
        &v["wall_s"]
    }
}

/// Writes `results.json`, `summary.md` and the plots into `dir`.
pub fn write(doc: &Value, dir: &Path) -> Result<Vec<String>> {
    fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let json = serde_json::to_string_pretty(doc)?;
    fs::write(dir.join("results.json"), json)
        .map_err(|e| format!("cannot write {}: {e}", dir.join("results.json").display()))?;
    fs::write(dir.join("summary.md"), markdown(doc))
        .map_err(|e| format!("cannot write {}: {e}", dir.join("summary.md").display()))?;
    let mut files = vec!["results.json".to_string(), "summary.md".to_string()];
    files.extend(plots::plots(doc, dir)?);
    Ok(files)
}

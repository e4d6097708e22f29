//! Helpers shared by the benchmarks (each bench includes this module).
#![allow(dead_code)]

use std::time::Duration;

#[path = "../../tests/it/common/wat.rs"]
pub mod wat_abi;

/// The `p` quantile (0..=1) of ascending `sorted`, nearest rank.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// A size knob for `scripts/perf-smoke`: the `CAXTON_BENCH_SCALE` divisor
/// (default 1, the full benchmark) applied to `full`, never below `min`.
pub fn scaled(full: usize, min: usize) -> usize {
    let scale: usize = std::env::var("CAXTON_BENCH_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .filter(|&s| s > 0)
        .unwrap_or(1);
    (full / scale).max(min)
}

/// One machine-readable figure for `scripts/perf-smoke`, where lower is
/// better (a time, or time per item): `PERF <key> <value> <unit>`.
pub fn figure(key: &str, value: f64, unit: &str) {
    println!("PERF {key} {value:.3} {unit}");
}

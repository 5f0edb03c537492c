//! What both benchmarks share: the W1 row values, the official crate's
//! version, and the memcpy upper bound.
#![allow(dead_code)]

use std::hint::black_box;
use std::time::{Duration, Instant};

/// W1 (trades) values, /work/shared/BENCHMARKS.md.
pub const W1_SYMBOL: &str = "ETH-USD";
pub const W1_SIDE: &str = "sell";
pub const PRICE: f64 = 2615.54;
pub const AMOUNT: f64 = 0.00044;
pub const TS_BASE_NANOS: i64 = 1_700_000_000_000_000_000;

/// Version of questdb-rs actually resolved in Cargo.lock.
pub fn official_version() -> &'static str {
    let lock = include_str!("../../Cargo.lock");
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "name = \"questdb-rs\"" {
            if let Some(v) = lines
                .next()
                .and_then(|l| l.trim().strip_prefix("version = "))
            {
                return v.trim_matches('"');
            }
        }
    }
    "unknown"
}

/// Copies `total` bytes in chunks of `chunk` bytes from a source buffer into a
/// reused destination, as a sender fills one batch: the median of `runs`
/// timed runs after `warmup` untimed ones.
pub fn memcpy_median(total: u64, chunk: usize, warmup: usize, runs: usize) -> Duration {
    let src: Vec<u8> = (0..chunk).map(|i| i as u8).collect();
    let mut dst: Vec<u8> = Vec::with_capacity(chunk);
    let batches = total.div_ceil(chunk as u64);
    let mut times = Vec::new();
    for r in 0..warmup + runs {
        let start = Instant::now();
        for _ in 0..batches {
            dst.clear();
            dst.extend_from_slice(black_box(&src));
            black_box(&mut dst);
        }
        let t = start.elapsed();
        if r >= warmup {
            times.push(t);
        }
    }
    times.sort();
    times[times.len() / 2]
}

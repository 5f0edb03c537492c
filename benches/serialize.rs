//! Serialization benchmark (no network): workloads W1-W4 of
//! /work/shared/BENCHMARKS.md through the Rust API, ours against the official
//! `questdb-rs` crate, measured side by side in the same run.
//!
//! Run: `cargo bench -j2 --bench serialize`
//!
//! Each run writes 1,000,000 rows, clearing the buffer every 10,000 rows.
//! Names are validated once, before the loop. Runs of ours and of the official
//! crate are interleaved (the order alternates) and the median is reported.
//! Before any timing, the first 10,000 rows of every (workload, protocol) are
//! serialized by both and must be byte-identical.
//!
//! Optional arguments filter the workloads by label prefix, e.g.
//! `cargo bench -j2 --bench serialize -- W4`. For profiling, the environment
//! variable `SERIALIZE_PROFILE=ours` (or `official`) times only that side and
//! prints no table.

use std::hint::black_box;
use std::time::{Duration, Instant};

mod common;

use common::{memcpy_median, official_version, AMOUNT, PRICE, TS_BASE_NANOS, W1_SIDE, W1_SYMBOL};
use questdb::ingress as qdb;
use questdb_client as ours;

const ROWS_PER_RUN: usize = 1_000_000;
const ROWS_PER_BATCH: usize = 10_000;
const RUNS: usize = 7;
const WARMUP_RUNS: usize = 1;
const TS_BASE_MICROS: i64 = 1_700_000_000_000_000;

// ---------------------------------------------------------------- workloads

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Workload {
    W1,
    W2,
    W3,
    W4,
}

impl Workload {
    fn label(self) -> &'static str {
        match self {
            Workload::W1 => "W1 trades",
            Workload::W2 => "W2 wide",
            Workload::W3 => "W3 escaped",
            Workload::W4 => "W4 arrays",
        }
    }
}

// W1
// W2
const W2_ID: &str = "toronto1";
const W2_REGION: &str = "north-east";
const W2_F64: [f64; 4] = [23.5, 0.49, 1013.25, 3.75];
/// A string of 20 chars, nothing to escape.
const W2_NOTE: &str = "all systems nominal.";
// W3: symbol values with spaces, commas and '='; a string with every escapable byte
const W3_SYMBOL: &str = "ETH USD,spot=1";
const W3_SIDE: &str = "sell, limit=2";
const W3_NOTE: &str = "fill \"partial\", qty=1\\2\nnext line, a=b";
// W4: 2x16 f64
const W4_SYMBOL: &str = "ETH-USD";
const W4_SHAPE: [usize; 2] = [2, 16];

fn w4_data() -> [[f64; 16]; 2] {
    let mut a = [[0.0f64; 16]; 2];
    for (r, row) in a.iter_mut().enumerate() {
        for (c, v) in row.iter_mut().enumerate() {
            *v = 2615.0 + (r as f64) * 0.5 + (c as f64) * 0.01;
        }
    }
    a
}

/// Names of both crates, validated once.
struct OursNames<'a> {
    trades: ours::TableName<'a>,
    sensors: ours::TableName<'a>,
    books: ours::TableName<'a>,
    symbol: ours::ColumnName<'a>,
    side: ours::ColumnName<'a>,
    price: ours::ColumnName<'a>,
    amount: ours::ColumnName<'a>,
    note: ours::ColumnName<'a>,
    id: ours::ColumnName<'a>,
    region: ours::ColumnName<'a>,
    f: [ours::ColumnName<'a>; 4],
    count: ours::ColumnName<'a>,
    errors: ours::ColumnName<'a>,
    ok: ours::ColumnName<'a>,
    seen: ours::ColumnName<'a>,
    bids: ours::ColumnName<'a>,
}

struct OfficialNames<'a> {
    trades: qdb::TableName<'a>,
    sensors: qdb::TableName<'a>,
    books: qdb::TableName<'a>,
    symbol: qdb::ColumnName<'a>,
    side: qdb::ColumnName<'a>,
    price: qdb::ColumnName<'a>,
    amount: qdb::ColumnName<'a>,
    note: qdb::ColumnName<'a>,
    id: qdb::ColumnName<'a>,
    region: qdb::ColumnName<'a>,
    f: [qdb::ColumnName<'a>; 4],
    count: qdb::ColumnName<'a>,
    errors: qdb::ColumnName<'a>,
    ok: qdb::ColumnName<'a>,
    seen: qdb::ColumnName<'a>,
    bids: qdb::ColumnName<'a>,
}

const F_NAMES: [&str; 4] = ["temperature", "humidity", "pressure", "wind"];

fn ours_names() -> OursNames<'static> {
    let c = |n| ours::ColumnName::new(n).unwrap();
    let t = |n| ours::TableName::new(n).unwrap();
    OursNames {
        trades: t("trades"),
        sensors: t("sensors"),
        books: t("books"),
        symbol: c("symbol"),
        side: c("side"),
        price: c("price"),
        amount: c("amount"),
        note: c("note"),
        id: c("id"),
        region: c("region"),
        f: F_NAMES.map(c),
        count: c("count"),
        errors: c("errors"),
        ok: c("ok"),
        seen: c("seen"),
        bids: c("bids"),
    }
}

fn official_names() -> OfficialNames<'static> {
    let c = |n| qdb::ColumnName::new(n).unwrap();
    let t = |n| qdb::TableName::new(n).unwrap();
    OfficialNames {
        trades: t("trades"),
        sensors: t("sensors"),
        books: t("books"),
        symbol: c("symbol"),
        side: c("side"),
        price: c("price"),
        amount: c("amount"),
        note: c("note"),
        id: c("id"),
        region: c("region"),
        f: F_NAMES.map(c),
        count: c("count"),
        errors: c("errors"),
        ok: c("ok"),
        seen: c("seen"),
        bids: c("bids"),
    }
}

// ------------------------------------------------------- the two implementations

/// One implementation of the buffer, able to write one row of any workload.
trait Impl {
    type Buf;
    const NAME: &'static str;
    fn new_buf(v: u8) -> Self::Buf;
    fn write_row(&self, buf: &mut Self::Buf, w: Workload, i: usize);
    fn len(buf: &Self::Buf) -> usize;
    fn bytes(buf: &Self::Buf) -> &[u8];
    fn clear(buf: &mut Self::Buf);
}

struct Ours {
    n: OursNames<'static>,
    arr: [[f64; 16]; 2],
}

struct Official {
    n: OfficialNames<'static>,
    arr: [[f64; 16]; 2],
}

impl Impl for Ours {
    type Buf = ours::Buffer;
    const NAME: &'static str = "ours";

    fn new_buf(v: u8) -> ours::Buffer {
        ours::Buffer::new(match v {
            1 => ours::ProtocolVersion::V1,
            _ => ours::ProtocolVersion::V2,
        })
    }

    #[inline(always)]
    fn write_row(&self, buf: &mut ours::Buffer, w: Workload, i: usize) {
        let n = &self.n;
        let ts = TS_BASE_NANOS + i as i64;
        match w {
            Workload::W1 => buf
                .table(n.trades)
                .unwrap()
                .symbol(n.symbol, black_box(W1_SYMBOL))
                .unwrap()
                .symbol(n.side, black_box(W1_SIDE))
                .unwrap()
                .column_f64(n.price, black_box(PRICE))
                .unwrap()
                .column_f64(n.amount, black_box(AMOUNT))
                .unwrap()
                .at_nanos(ts)
                .unwrap(),
            Workload::W2 => {
                let f = black_box(W2_F64);
                buf.table(n.sensors)
                    .unwrap()
                    .symbol(n.id, black_box(W2_ID))
                    .unwrap()
                    .symbol(n.region, black_box(W2_REGION))
                    .unwrap()
                    .column_f64(n.f[0], f[0])
                    .unwrap()
                    .column_f64(n.f[1], f[1])
                    .unwrap()
                    .column_f64(n.f[2], f[2])
                    .unwrap()
                    .column_f64(n.f[3], f[3])
                    .unwrap()
                    .column_i64(n.count, black_box(i as i64))
                    .unwrap()
                    .column_i64(n.errors, black_box(-12))
                    .unwrap()
                    .column_bool(n.ok, black_box(true))
                    .unwrap()
                    .column_str(n.note, black_box(W2_NOTE))
                    .unwrap()
                    .column_ts_micros(n.seen, TS_BASE_MICROS + i as i64)
                    .unwrap()
                    .at_nanos(ts)
                    .unwrap()
            }
            Workload::W3 => buf
                .table(n.trades)
                .unwrap()
                .symbol(n.symbol, black_box(W3_SYMBOL))
                .unwrap()
                .symbol(n.side, black_box(W3_SIDE))
                .unwrap()
                .column_f64(n.price, black_box(PRICE))
                .unwrap()
                .column_f64(n.amount, black_box(AMOUNT))
                .unwrap()
                .column_str(n.note, black_box(W3_NOTE))
                .unwrap()
                .at_nanos(ts)
                .unwrap(),
            Workload::W4 => {
                let arr: &[[f64; 16]; 2] = black_box(&self.arr);
                let view = ours::ArrayView::c_major(&W4_SHAPE, arr.as_flattened());
                buf.table(n.books)
                    .unwrap()
                    .symbol(n.symbol, black_box(W4_SYMBOL))
                    .unwrap()
                    .column_f64_arr(n.bids, view)
                    .unwrap()
                    .at_nanos(ts)
                    .unwrap()
            }
        }
    }

    fn len(buf: &ours::Buffer) -> usize {
        buf.len()
    }
    fn bytes(buf: &ours::Buffer) -> &[u8] {
        buf.as_bytes()
    }
    fn clear(buf: &mut ours::Buffer) {
        buf.clear()
    }
}

impl Impl for Official {
    type Buf = qdb::Buffer;
    const NAME: &'static str = "official";

    fn new_buf(v: u8) -> qdb::Buffer {
        qdb::Buffer::new(match v {
            1 => qdb::ProtocolVersion::V1,
            _ => qdb::ProtocolVersion::V2,
        })
    }

    #[inline(always)]
    fn write_row(&self, buf: &mut qdb::Buffer, w: Workload, i: usize) {
        let n = &self.n;
        let ts = qdb::TimestampNanos::new(TS_BASE_NANOS + i as i64);
        match w {
            Workload::W1 => buf
                .table(n.trades)
                .unwrap()
                .symbol(n.symbol, black_box(W1_SYMBOL))
                .unwrap()
                .symbol(n.side, black_box(W1_SIDE))
                .unwrap()
                .column_f64(n.price, black_box(PRICE))
                .unwrap()
                .column_f64(n.amount, black_box(AMOUNT))
                .unwrap()
                .at(ts)
                .unwrap(),
            Workload::W2 => {
                let f = black_box(W2_F64);
                buf.table(n.sensors)
                    .unwrap()
                    .symbol(n.id, black_box(W2_ID))
                    .unwrap()
                    .symbol(n.region, black_box(W2_REGION))
                    .unwrap()
                    .column_f64(n.f[0], f[0])
                    .unwrap()
                    .column_f64(n.f[1], f[1])
                    .unwrap()
                    .column_f64(n.f[2], f[2])
                    .unwrap()
                    .column_f64(n.f[3], f[3])
                    .unwrap()
                    .column_i64(n.count, black_box(i as i64))
                    .unwrap()
                    .column_i64(n.errors, black_box(-12))
                    .unwrap()
                    .column_bool(n.ok, black_box(true))
                    .unwrap()
                    .column_str(n.note, black_box(W2_NOTE))
                    .unwrap()
                    .column_ts(n.seen, qdb::TimestampMicros::new(TS_BASE_MICROS + i as i64))
                    .unwrap()
                    .at(ts)
                    .unwrap()
            }
            Workload::W3 => buf
                .table(n.trades)
                .unwrap()
                .symbol(n.symbol, black_box(W3_SYMBOL))
                .unwrap()
                .symbol(n.side, black_box(W3_SIDE))
                .unwrap()
                .column_f64(n.price, black_box(PRICE))
                .unwrap()
                .column_f64(n.amount, black_box(AMOUNT))
                .unwrap()
                .column_str(n.note, black_box(W3_NOTE))
                .unwrap()
                .at(ts)
                .unwrap(),
            Workload::W4 => {
                let arr: &[[f64; 16]; 2] = black_box(&self.arr);
                buf.table(n.books)
                    .unwrap()
                    .symbol(n.symbol, black_box(W4_SYMBOL))
                    .unwrap()
                    .column_arr(n.bids, arr)
                    .unwrap()
                    .at(ts)
                    .unwrap()
            }
        }
    }

    fn len(buf: &qdb::Buffer) -> usize {
        buf.len()
    }
    fn bytes(buf: &qdb::Buffer) -> &[u8] {
        buf.as_bytes()
    }
    fn clear(buf: &mut qdb::Buffer) {
        buf.clear()
    }
}

// ------------------------------------------------------------------ running

/// Serializes the first `rows` rows into one buffer and returns its bytes.
fn reference_bytes<I: Impl>(imp: &I, w: Workload, v: u8, rows: usize) -> Vec<u8> {
    let mut buf = I::new_buf(v);
    for i in 0..rows {
        imp.write_row(&mut buf, w, i);
    }
    I::bytes(&buf).to_vec()
}

/// One timed run: ROWS_PER_RUN rows, cleared every ROWS_PER_BATCH rows.
/// Returns the elapsed time and the number of ILP bytes produced.
#[inline(never)]
fn timed_run<I: Impl>(imp: &I, w: Workload, v: u8) -> (Duration, u64) {
    let mut buf = I::new_buf(v);
    let mut total = 0u64;
    let start = Instant::now();
    let mut i = 0;
    while i < ROWS_PER_RUN {
        for _ in 0..ROWS_PER_BATCH {
            imp.write_row(&mut buf, w, i);
            i += 1;
        }
        black_box(I::bytes(&buf));
        total += I::len(&buf) as u64;
        I::clear(&mut buf);
    }
    let elapsed = start.elapsed();
    black_box(&buf);
    (elapsed, total)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

struct Measured {
    ours: Duration,
    official: Duration,
    bytes: u64,
    batch_bytes: usize,
}

fn measure(o: &Ours, q: &Official, w: Workload, v: u8) -> Measured {
    let (mut to, mut tq) = (Vec::new(), Vec::new());
    let mut bytes = None;
    for r in 0..WARMUP_RUNS + RUNS {
        // Alternate which implementation goes first.
        let (a, b) = if r % 2 == 0 {
            let a = timed_run(o, w, v);
            (a, timed_run(q, w, v))
        } else {
            let b = timed_run(q, w, v);
            (timed_run(o, w, v), b)
        };
        assert_eq!(a.1, b.1, "byte volume differs for {:?} v{}", w, v);
        bytes = Some(a.1);
        if r >= WARMUP_RUNS {
            to.push(a.0);
            tq.push(b.0);
        }
    }
    let bytes = bytes.unwrap();
    Measured {
        ours: median(to),
        official: median(tq),
        bytes,
        batch_bytes: (bytes / (ROWS_PER_RUN / ROWS_PER_BATCH) as u64) as usize,
    }
}

fn hex_window(bytes: &[u8], at: usize) -> String {
    let lo = at.saturating_sub(32);
    let hi = (at + 32).min(bytes.len());
    let hex: Vec<String> = bytes[lo..hi].iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "bytes[{lo}..{hi}] = {} ({:?})",
        hex.join(" "),
        String::from_utf8_lossy(&bytes[lo..hi])
    )
}

fn check_identical(o: &Ours, q: &Official, w: Workload, v: u8) {
    let a = reference_bytes(o, w, v, ROWS_PER_BATCH);
    let b = reference_bytes(q, w, v, ROWS_PER_BATCH);
    if a != b {
        let at = a
            .iter()
            .zip(&b)
            .position(|(x, y)| x != y)
            .unwrap_or(a.len().min(b.len()));
        panic!(
            "{} v{}: ours and official differ (ours {} bytes, official {} bytes), first at byte {}\n  ours:     {}\n  official: {}",
            w.label(),
            v,
            a.len(),
            b.len(),
            at,
            hex_window(&a, at),
            hex_window(&b, at)
        );
    }
}

fn rate(count: f64, t: Duration) -> f64 {
    count / t.as_secs_f64()
}

fn main() {
    // `cargo bench` passes `--bench`; accept an optional workload filter (e.g. `W4`).
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();

    let arr = w4_data();
    let o = Ours {
        n: ours_names(),
        arr,
    };
    let q = Official {
        n: official_names(),
        arr,
    };

    let configs: Vec<(Workload, u8)> = [
        (Workload::W1, 1),
        (Workload::W1, 2),
        (Workload::W2, 1),
        (Workload::W2, 2),
        (Workload::W3, 1),
        (Workload::W3, 2),
        (Workload::W4, 2),
    ]
    .into_iter()
    .filter(|(w, _)| filter.is_empty() || filter.iter().any(|f| w.label().starts_with(f)))
    .collect();

    for &(w, v) in &configs {
        check_identical(&o, &q, w, v);
    }

    // Profiling aid: `SERIALIZE_PROFILE=ours|official` runs only that
    // implementation (RUNS runs per config), prints nothing else.
    if let Ok(which) = std::env::var("SERIALIZE_PROFILE") {
        for &(w, v) in &configs {
            for _ in 0..RUNS {
                match which.as_str() {
                    "ours" => black_box(timed_run(&o, w, v)),
                    _ => black_box(timed_run(&q, w, v)),
                };
            }
        }
        return;
    }
    println!(
        "Byte-identical output checked: first {} rows of each (workload, protocol).",
        ROWS_PER_BATCH
    );
    println!(
        "questdb-rs {} (`questdb::ingress::Buffer`) vs questdb-client {} (`{}` / `{}`)",
        official_version(),
        env!("CARGO_PKG_VERSION"),
        Ours::NAME,
        Official::NAME
    );
    println!(
        "{} rows per run, cleared every {} rows, median of {} runs (+{} warm-up), ours/official interleaved.\n",
        ROWS_PER_RUN, ROWS_PER_BATCH, RUNS, WARMUP_RUNS
    );

    let mut results = Vec::new();
    for &(w, v) in &configs {
        results.push((w, v, measure(&o, &q, w, v)));
    }

    println!("| workload | protocol | ours rows/s | ours MB/s | official rows/s | official MB/s | ours/official |");
    println!("|---|---|---:|---:|---:|---:|---:|");
    let rows = ROWS_PER_RUN as f64;
    for (w, v, r) in &results {
        let mb = r.bytes as f64 / 1e6;
        println!(
            "| {} | {} | {:.2} M | {:.0} | {:.2} M | {:.0} | {:.2} |",
            w.label(),
            v,
            rate(rows, r.ours) / 1e6,
            rate(mb, r.ours),
            rate(rows, r.official) / 1e6,
            rate(mb, r.official),
            r.official.as_secs_f64() / r.ours.as_secs_f64()
        );
    }

    println!("\nmemcpy upper bound (same byte volume per run, copied in batch-sized chunks):");
    for (w, v, r) in &results {
        let t = memcpy_median(r.bytes, r.batch_bytes, WARMUP_RUNS, RUNS);
        println!(
            "  {} v{}: {:.1} MB in {:.2} ms = {:.0} MB/s (= {:.0} M rows/s)",
            w.label(),
            v,
            r.bytes as f64 / 1e6,
            t.as_secs_f64() * 1e3,
            rate(r.bytes as f64 / 1e6, t),
            rate(rows, t) / 1e6
        );
    }
}

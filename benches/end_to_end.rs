//! End-to-end loopback benchmark ("End to end (loopback)" of
//! /work/shared/BENCHMARKS.md): 2,000,000 W1 rows through a sender to a sink
//! on 127.0.0.1, ours against the official `questdb-rs` crate.
//!
//! Run: `cargo bench -j2 --bench end_to_end`
//! Fewer repetitions: `E2E_RUNS=3 cargo bench -j2 --bench end_to_end`
//! (default 5 runs per client and config, plus one warm-up pair).
//!
//! Configs: TCP flush every 10,000 rows (protocol 1 and 2); HTTP flush every
//! 10,000 and every 75,000 rows (protocol 1). `protocol_version` is always
//! set in the config string, so no `/settings` probe happens.
//!
//! Every run is a child process (this binary re-executed with `E2E_RUN` set)
//! that runs only the client, then prints one `E2E_RESULT` line with the
//! elapsed time and its `VmHWM` (peak RSS). The sinks are threads of the
//! parent, which checks that each run delivered exactly the expected bytes.
//! Runs of ours and of the official crate are interleaved (order alternates)
//! and the median is reported. Before anything, the first rows are serialized
//! by both crates and must be byte-identical.
//!
//! Without `--bench` (e.g. under `cargo test --all-targets`) it does nothing.

use std::hint::black_box;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

mod common;

use common::{memcpy_median, official_version, AMOUNT, PRICE, TS_BASE_NANOS, W1_SIDE, W1_SYMBOL};
use questdb::ingress as qdb;
use questdb_client as ours;

const ROWS: usize = 2_000_000;
const CHECK_ROWS: usize = 1_000;
const RAW_TOTAL: u64 = 1 << 30;
const RAW_CHUNK: usize = 64 * 1024;

// ------------------------------------------------------------------ rows

struct OursNames {
    trades: ours::TableName<'static>,
    symbol: ours::ColumnName<'static>,
    side: ours::ColumnName<'static>,
    price: ours::ColumnName<'static>,
    amount: ours::ColumnName<'static>,
}

impl OursNames {
    fn new() -> Self {
        let c = |n| ours::ColumnName::new(n).unwrap();
        OursNames {
            trades: ours::TableName::new("trades").unwrap(),
            symbol: c("symbol"),
            side: c("side"),
            price: c("price"),
            amount: c("amount"),
        }
    }

    #[inline(always)]
    fn row(&self, buf: &mut ours::Buffer, i: usize) {
        buf.table(self.trades)
            .unwrap()
            .symbol(self.symbol, black_box(W1_SYMBOL))
            .unwrap()
            .symbol(self.side, black_box(W1_SIDE))
            .unwrap()
            .column_f64(self.price, black_box(PRICE))
            .unwrap()
            .column_f64(self.amount, black_box(AMOUNT))
            .unwrap()
            .at_nanos(TS_BASE_NANOS + i as i64)
            .unwrap();
    }
}

struct OfficialNames {
    trades: qdb::TableName<'static>,
    symbol: qdb::ColumnName<'static>,
    side: qdb::ColumnName<'static>,
    price: qdb::ColumnName<'static>,
    amount: qdb::ColumnName<'static>,
}

impl OfficialNames {
    fn new() -> Self {
        let c = |n| qdb::ColumnName::new(n).unwrap();
        OfficialNames {
            trades: qdb::TableName::new("trades").unwrap(),
            symbol: c("symbol"),
            side: c("side"),
            price: c("price"),
            amount: c("amount"),
        }
    }

    #[inline(always)]
    fn row(&self, buf: &mut qdb::Buffer, i: usize) {
        buf.table(self.trades)
            .unwrap()
            .symbol(self.symbol, black_box(W1_SYMBOL))
            .unwrap()
            .symbol(self.side, black_box(W1_SIDE))
            .unwrap()
            .column_f64(self.price, black_box(PRICE))
            .unwrap()
            .column_f64(self.amount, black_box(AMOUNT))
            .unwrap()
            .at(qdb::TimestampNanos::new(TS_BASE_NANOS + i as i64))
            .unwrap();
    }
}

fn ours_version(v: u8) -> ours::ProtocolVersion {
    match v {
        1 => ours::ProtocolVersion::V1,
        _ => ours::ProtocolVersion::V2,
    }
}

fn official_version_of(v: u8) -> qdb::ProtocolVersion {
    match v {
        1 => qdb::ProtocolVersion::V1,
        _ => qdb::ProtocolVersion::V2,
    }
}

/// The first CHECK_ROWS rows must be identical; returns the total byte
/// volume of ROWS rows (checked equal between the two crates).
fn check_and_expected_bytes(v: u8) -> u64 {
    let (on, qn) = (OursNames::new(), OfficialNames::new());
    let mut ob = ours::Buffer::new(ours_version(v));
    let mut qb = qdb::Buffer::new(official_version_of(v));
    for i in 0..CHECK_ROWS {
        on.row(&mut ob, i);
        qn.row(&mut qb, i);
    }
    if ob.as_bytes() != qb.as_bytes() {
        let (a, b) = (ob.as_bytes(), qb.as_bytes());
        let at = a.iter().zip(b).position(|(x, y)| x != y).unwrap_or(0);
        panic!(
            "v{v}: ours and official differ at byte {at}: ours {:?} official {:?}",
            String::from_utf8_lossy(&a[at.saturating_sub(20)..(at + 20).min(a.len())]),
            String::from_utf8_lossy(&b[at.saturating_sub(20)..(at + 20).min(b.len())])
        );
    }
    ob.clear();
    qb.clear();
    let (mut to, mut tq) = (0u64, 0u64);
    for i in 0..ROWS {
        on.row(&mut ob, i);
        qn.row(&mut qb, i);
        if (i + 1) % 10_000 == 0 {
            to += ob.len() as u64;
            tq += qb.len() as u64;
            ob.clear();
            qb.clear();
        }
    }
    to += ob.len() as u64;
    tq += qb.len() as u64;
    assert_eq!(to, tq, "v{v}: total byte volume differs");
    to
}

// ------------------------------------------------------------------ child

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Client {
    Ours,
    Official,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Transport {
    Tcp,
    Http,
}

#[derive(Clone, Copy, Debug)]
struct RunConfig {
    transport: Transport,
    flush: usize,
    version: u8,
}

impl RunConfig {
    fn label(&self) -> String {
        format!(
            "{} v{} flush {}",
            match self.transport {
                Transport::Tcp => "TCP",
                Transport::Http => "HTTP",
            },
            self.version,
            self.flush
        )
    }

    fn conf(&self, port: u16) -> String {
        let scheme = match self.transport {
            Transport::Tcp => "tcp",
            Transport::Http => "http",
        };
        format!(
            "{scheme}::addr=127.0.0.1:{port};protocol_version={};",
            self.version
        )
    }
}

fn vm_hwm_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

#[inline(never)]
fn run_ours(conf: &str, flush: usize) -> Duration {
    let n = OursNames::new();
    let mut sender = ours::Sender::from_conf(conf).expect("ours: from_conf");
    let mut buf = sender.new_buffer();
    let start = Instant::now();
    for i in 0..ROWS {
        n.row(&mut buf, i);
        if (i + 1) % flush == 0 {
            sender.flush(&mut buf).expect("ours: flush");
        }
    }
    if !buf.is_empty() {
        sender.flush(&mut buf).expect("ours: flush");
    }
    let t = start.elapsed();
    drop(sender);
    t
}

#[inline(never)]
fn run_official(conf: &str, flush: usize) -> Duration {
    let n = OfficialNames::new();
    let mut sender = qdb::Sender::from_conf(conf).expect("official: from_conf");
    let mut buf = sender.new_buffer();
    let start = Instant::now();
    for i in 0..ROWS {
        n.row(&mut buf, i);
        if (i + 1) % flush == 0 {
            sender.flush(&mut buf).expect("official: flush");
        }
    }
    if !buf.is_empty() {
        sender.flush(&mut buf).expect("official: flush");
    }
    let t = start.elapsed();
    drop(sender);
    t
}

/// `E2E_RUN=client,transport,flush,version,port`
fn child(spec: &str) {
    let p: Vec<&str> = spec.split(',').collect();
    assert_eq!(p.len(), 5, "bad E2E_RUN {spec:?}");
    let cfg = RunConfig {
        transport: if p[1] == "http" {
            Transport::Http
        } else {
            Transport::Tcp
        },
        flush: p[2].parse().unwrap(),
        version: p[3].parse().unwrap(),
    };
    let port: u16 = p[4].parse().unwrap();
    let conf = cfg.conf(port);
    let t = match p[0] {
        "ours" => run_ours(&conf, cfg.flush),
        _ => run_official(&conf, cfg.flush),
    };
    println!("E2E_RESULT nanos={} vmhwm_kb={}", t.as_nanos(), vm_hwm_kb());
}

// ------------------------------------------------------------------ sinks

/// Bytes received and connections closed since start, shared with the parent.
#[derive(Default)]
struct SinkStats {
    bytes: AtomicU64,
    closed: AtomicU64,
}

fn tcp_sink() -> (u16, Arc<SinkStats>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let stats = Arc::new(SinkStats::default());
    let s = stats.clone();
    thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            let s = s.clone();
            thread::spawn(move || {
                let mut buf = vec![0u8; 256 * 1024];
                loop {
                    match conn.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => {
                            s.bytes.fetch_add(n as u64, Ordering::Relaxed);
                        }
                    }
                }
                s.closed.fetch_add(1, Ordering::SeqCst);
            });
        }
    });
    (port, stats)
}

fn http_sink() -> (u16, Arc<SinkStats>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let stats = Arc::new(SinkStats::default());
    let s = stats.clone();
    thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(conn) = conn else { continue };
            let s = s.clone();
            thread::spawn(move || {
                let _ = serve_http(conn, &s);
                s.closed.fetch_add(1, Ordering::SeqCst);
            });
        }
    });
    (port, stats)
}

/// Keep-alive HTTP/1.1: `POST /write...` gets 204, anything else 404.
fn serve_http(conn: TcpStream, stats: &SinkStats) -> std::io::Result<()> {
    conn.set_nodelay(true)?;
    let mut out = conn.try_clone()?;
    let mut reader = BufReader::with_capacity(256 * 1024, conn);
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let request_line = line.trim_end().to_string();
        if request_line.is_empty() {
            continue;
        }
        let mut content_length = 0u64;
        let mut expect_continue = false;
        loop {
            line.clear();
            if reader.read_line(&mut line)? == 0 {
                return Ok(());
            }
            let h = line.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                let (k, v) = (k.trim(), v.trim());
                if k.eq_ignore_ascii_case("content-length") {
                    content_length = v.parse().unwrap_or(0);
                } else if k.eq_ignore_ascii_case("expect") && v.eq_ignore_ascii_case("100-continue")
                {
                    expect_continue = true;
                } else if k.eq_ignore_ascii_case("transfer-encoding") {
                    panic!("http sink: unexpected Transfer-Encoding: {v}");
                }
            }
        }
        let mut parts = request_line.split(' ');
        let is_write = parts.next() == Some("POST")
            && parts
                .next()
                .is_some_and(|p| p == "/write" || p.starts_with("/write?"));
        if expect_continue {
            out.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
        }
        let got = std::io::copy(
            &mut reader.by_ref().take(content_length),
            &mut std::io::sink(),
        )?;
        if got != content_length {
            return Ok(());
        }
        if is_write {
            stats.bytes.fetch_add(got, Ordering::Relaxed);
            out.write_all(b"HTTP/1.1 204 No Content\r\n\r\n")?;
        } else {
            out.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")?;
        }
    }
}

/// Waits until one more connection than `closed_before` has closed and the
/// byte count has reached `expected` (or stopped moving), then returns the
/// bytes received since `bytes_before`.
fn wait_sink(stats: &SinkStats, closed_before: u64, bytes_before: u64, expected: u64) -> u64 {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let got = stats.bytes.load(Ordering::SeqCst) - bytes_before;
        let closed = stats.closed.load(Ordering::SeqCst) > closed_before;
        if (closed && got >= expected) || got > expected || Instant::now() > deadline {
            // Let any other connection of this run finish too.
            thread::sleep(Duration::from_millis(20));
            return stats.bytes.load(Ordering::SeqCst) - bytes_before;
        }
        thread::sleep(Duration::from_millis(2));
    }
}

// ------------------------------------------------------------------ parent

struct RunResult {
    secs: f64,
    vmhwm_kb: u64,
}

fn spawn_run(
    client: Client,
    cfg: &RunConfig,
    port: u16,
    stats: &SinkStats,
    expected: u64,
) -> RunResult {
    let spec = format!(
        "{},{},{},{},{}",
        match client {
            Client::Ours => "ours",
            Client::Official => "official",
        },
        match cfg.transport {
            Transport::Tcp => "tcp",
            Transport::Http => "http",
        },
        cfg.flush,
        cfg.version,
        port
    );
    let closed_before = stats.closed.load(Ordering::SeqCst);
    let bytes_before = stats.bytes.load(Ordering::SeqCst);
    let out = Command::new(std::env::current_exe().unwrap())
        .env("E2E_RUN", &spec)
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .expect("spawn child");
    assert!(out.status.success(), "child {spec} failed: {}", out.status);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .find(|l| l.starts_with("E2E_RESULT "))
        .unwrap_or_else(|| panic!("child {spec}: no result line in {stdout:?}"));
    let field = |name: &str| -> u64 {
        line.split(' ')
            .find_map(|kv| kv.strip_prefix(name).and_then(|v| v.strip_prefix('=')))
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("child {spec}: no {name} in {line:?}"))
    };
    let got = wait_sink(stats, closed_before, bytes_before, expected);
    assert_eq!(
        got, expected,
        "{spec}: sink received {got} bytes, expected {expected}"
    );
    RunResult {
        secs: field("nanos") as f64 / 1e9,
        vmhwm_kb: field("vmhwm_kb"),
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

/// 1 GiB in 64 KiB writes to the TCP discard sink, until the sink has it all.
fn raw_tcp_secs(port: u16, stats: &SinkStats, runs: usize) -> f64 {
    let chunk = vec![b'x'; RAW_CHUNK];
    let mut times = Vec::new();
    for r in 0..runs + 1 {
        let closed_before = stats.closed.load(Ordering::SeqCst);
        let bytes_before = stats.bytes.load(Ordering::SeqCst);
        let start = Instant::now();
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        let mut sent = 0u64;
        while sent < RAW_TOTAL {
            s.write_all(&chunk).unwrap();
            sent += RAW_CHUNK as u64;
        }
        drop(s);
        loop {
            let got = stats.bytes.load(Ordering::SeqCst) - bytes_before;
            if got >= RAW_TOTAL && stats.closed.load(Ordering::SeqCst) > closed_before {
                break;
            }
            std::hint::spin_loop();
        }
        let t = start.elapsed().as_secs_f64();
        assert_eq!(stats.bytes.load(Ordering::SeqCst) - bytes_before, RAW_TOTAL);
        if r > 0 {
            times.push(t);
        }
    }
    median(times)
}

fn main() {
    if let Ok(spec) = std::env::var("E2E_RUN") {
        child(&spec);
        return;
    }
    if !std::env::args().any(|a| a == "--bench") {
        println!("end_to_end: not run without --bench (use `cargo bench --bench end_to_end`)");
        return;
    }
    let runs: usize = std::env::var("E2E_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5)
        .max(1);

    let expected_v1 = check_and_expected_bytes(1);
    let expected_v2 = check_and_expected_bytes(2);
    println!(
        "Byte-identical output checked: first {CHECK_ROWS} rows, protocol 1 and 2; \
         {ROWS} rows = {expected_v1} bytes (v1), {expected_v2} bytes (v2)."
    );
    println!(
        "questdb-rs {} (`questdb::ingress::Sender`) vs questdb-client {} (`questdb_client::Sender`)",
        official_version(),
        env!("CARGO_PKG_VERSION")
    );
    println!(
        "{ROWS} W1 rows per run, one child process per run, median of {runs} runs \
         (+1 warm-up pair), ours/official interleaved.\n"
    );

    let (tcp_port, tcp_stats) = tcp_sink();
    let (http_port, http_stats) = http_sink();

    let configs = [
        RunConfig {
            transport: Transport::Tcp,
            flush: 10_000,
            version: 1,
        },
        RunConfig {
            transport: Transport::Tcp,
            flush: 10_000,
            version: 2,
        },
        RunConfig {
            transport: Transport::Http,
            flush: 10_000,
            version: 1,
        },
        RunConfig {
            transport: Transport::Http,
            flush: 75_000,
            version: 1,
        },
    ];

    struct Row {
        label: String,
        ours: Vec<RunResult>,
        official: Vec<RunResult>,
    }
    let mut table = Vec::new();
    for cfg in &configs {
        let (port, stats) = match cfg.transport {
            Transport::Tcp => (tcp_port, &*tcp_stats),
            Transport::Http => (http_port, &*http_stats),
        };
        let expected = if cfg.version == 1 {
            expected_v1
        } else {
            expected_v2
        };
        let (mut o, mut q) = (Vec::new(), Vec::new());
        for r in 0..runs + 1 {
            let pair = if r % 2 == 0 {
                let a = spawn_run(Client::Ours, cfg, port, stats, expected);
                (a, spawn_run(Client::Official, cfg, port, stats, expected))
            } else {
                let b = spawn_run(Client::Official, cfg, port, stats, expected);
                (spawn_run(Client::Ours, cfg, port, stats, expected), b)
            };
            println!(
                "  {:<20} run {}{}: ours {:>6.2} M rows/s ({} kB), official {:>6.2} M rows/s ({} kB)",
                cfg.label(),
                r,
                if r == 0 { " (warm-up)" } else { "" },
                ROWS as f64 / pair.0.secs / 1e6,
                pair.0.vmhwm_kb,
                ROWS as f64 / pair.1.secs / 1e6,
                pair.1.vmhwm_kb
            );
            if r > 0 {
                o.push(pair.0);
                q.push(pair.1);
            }
        }
        table.push(Row {
            label: cfg.label(),
            ours: o,
            official: q,
        });
    }

    println!("\n| config | ours rows/s | official rows/s | ours/official | ours peak RSS (kB) | official peak RSS (kB) |");
    println!("|---|---:|---:|---:|---:|---:|");
    let rss = |v: &[RunResult]| {
        let mut k: Vec<u64> = v.iter().map(|r| r.vmhwm_kb).collect();
        k.sort();
        let med = k[k.len() / 2];
        let max = *k.last().unwrap();
        format!("{med} (max {max})")
    };
    for row in &table {
        let o = median(row.ours.iter().map(|r| ROWS as f64 / r.secs).collect());
        let q = median(row.official.iter().map(|r| ROWS as f64 / r.secs).collect());
        println!(
            "| {} | {:.2} M | {:.2} M | {:.2} | {} | {} |",
            row.label,
            o / 1e6,
            q / 1e6,
            o / q,
            rss(&row.ours),
            rss(&row.official)
        );
    }

    println!("\nLimits:");
    for (v, bytes) in [(1u8, expected_v1), (2, expected_v2)] {
        let chunk = (bytes / (ROWS as u64 / 10_000)) as usize;
        let t = memcpy_median(bytes, chunk, 1, runs).as_secs_f64();
        println!(
            "  memcpy, v{v} volume ({:.1} MB in {} B chunks): {:.2} ms = {:.0} MB/s (= {:.0} M rows/s)",
            bytes as f64 / 1e6,
            chunk,
            t * 1e3,
            bytes as f64 / 1e6 / t,
            ROWS as f64 / t / 1e6
        );
    }
    let t = raw_tcp_secs(tcp_port, &tcp_stats, runs.min(3));
    println!(
        "  raw loopback TCP, 1 GiB in 64 KiB writes: {:.0} ms = {:.0} MB/s (= {:.1} M v1 rows/s)",
        t * 1e3,
        RAW_TOTAL as f64 / 1e6 / t,
        RAW_TOTAL as f64 / (expected_v1 as f64 / ROWS as f64) / t / 1e6
    );
}

//! `questdb-ilp-capture` end to end: the built binary on free ports with
//! `--json`, fed by `questdb_client::Sender` over HTTP (protocol detected
//! from its `/settings`) and TCP (v1, v2, v3), and by raw garbage.

use questdb_client::{
    ArrayView, Buffer, ColumnName, ErrorCode, ProtocolVersion, Sender, TableName,
};
use serde_json::{json, Value as Json};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(10);

/// The running binary; killed on drop (also when a test panics).
struct Capture {
    child: Child,
    lines: mpsc::Receiver<String>,
    http_port: u16,
    tcp_port: u16,
}

impl Capture {
    fn start(extra: &[&str]) -> Capture {
        let mut child = Command::new(env!("CARGO_BIN_EXE_questdb-ilp-capture"))
            .args(["--http-port", "0", "--tcp-port", "0", "--json"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start questdb-ilp-capture");
        let stdout = child.stdout.take().unwrap();
        let stderr = child.stderr.take().unwrap();
        // Take ownership before anything may panic, so Drop kills the child.
        let (tx, lines) = mpsc::channel();
        let mut cap = Capture {
            child,
            lines,
            http_port: 0,
            tcp_port: 0,
        };
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut stderr = BufReader::new(stderr);
        let mut first = String::new();
        stderr.read_line(&mut first).unwrap();
        // Keep draining stderr so the child never blocks on it.
        std::thread::spawn(move || {
            let mut sink = Vec::new();
            let _ = stderr.read_to_end(&mut sink);
        });
        let port = |key: &str| -> u16 {
            let word = first
                .split_whitespace()
                .find_map(|w| w.strip_prefix(key))
                .unwrap_or_else(|| panic!("no {key} in {first:?}"));
            word.strip_prefix("127.0.0.1:").unwrap().parse().unwrap()
        };
        assert!(first.starts_with("listening "), "{first:?}");
        cap.http_port = port("http=");
        cap.tcp_port = port("tcp=");
        cap
    }

    /// The next stdout line, parsed as JSON.
    fn next_json(&self) -> Json {
        let line = self
            .lines
            .recv_timeout(TIMEOUT)
            .expect("a line from questdb-ilp-capture");
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?}"))
    }

    fn expect_lines(&self, expected: &[Json]) {
        for want in expected {
            assert_eq!(&self.next_json(), want);
        }
    }

    fn expect_silence(&self) {
        if let Ok(line) = self.lines.recv_timeout(Duration::from_millis(200)) {
            panic!("unexpected output {line:?}");
        }
    }

    fn http(&self, extra: &str) -> Sender {
        Sender::from_conf(&format!("http::addr=127.0.0.1:{};{extra}", self.http_port)).unwrap()
    }

    fn tcp(&self, version: u8) -> Sender {
        Sender::from_conf(&format!(
            "tcp::addr=127.0.0.1:{};protocol_version={version};",
            self.tcp_port
        ))
        .unwrap()
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn col(name: &str) -> ColumnName<'_> {
    ColumnName::new(name).unwrap()
}

fn table(name: &str) -> TableName<'_> {
    TableName::new(name).unwrap()
}

/// `trades,symbol=ETH-USD,side=sell price=2615.54,amount=0.00044 <ts>`
fn trade(buf: &mut Buffer, ts: i64) {
    buf.table(table("trades"))
        .unwrap()
        .symbol(col("symbol"), "ETH-USD")
        .unwrap()
        .symbol(col("side"), "sell")
        .unwrap()
        .column_f64(col("price"), 2615.54)
        .unwrap()
        .column_f64(col("amount"), 0.00044)
        .unwrap()
        .at_nanos(ts)
        .unwrap();
}

fn trade_json(ts: i64, transport: &str) -> Json {
    json!({
        "table": "trades",
        "symbols": {"symbol": "ETH-USD", "side": "sell"},
        "columns": {"price": 2615.54, "amount": 0.00044},
        "timestamp": ts,
        "timestamp_unit": "ns",
        "transport": transport,
    })
}

/// Waits for the child to exit.
fn wait_exit(child: &mut Child) -> std::process::ExitStatus {
    let deadline = Instant::now() + TIMEOUT;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(Instant::now() < deadline, "capture did not exit");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn http_detects_v3_and_prints_every_type() {
    let cap = Capture::start(&[]);
    let mut sender = cap.http("");
    assert_eq!(sender.protocol_version(), ProtocolVersion::V3);
    let mut buf = sender.new_buffer();
    trade(&mut buf, 1_700_000_000_000_000_000);
    let shape = [2usize, 2];
    let data = [1.0, -2.5, f64::INFINITY, 0.0];
    buf.table(table("all types"))
        .unwrap()
        .symbol(col("sym bol"), "a,b=c d")
        .unwrap()
        .column_bool(col("b"), true)
        .unwrap()
        .column_i64(col("i"), -12)
        .unwrap()
        .column_f64(col("nan"), f64::NAN)
        .unwrap()
        .column_str(col("s"), "say \"hi\"\n\\")
        .unwrap()
        .column_ts_micros(col("tu"), 1_700_000_000_000_000)
        .unwrap()
        .column_ts_nanos(col("tn"), -5)
        .unwrap()
        .column_dec_str(col("dt"), "-1.5e-3")
        .unwrap()
        .column_dec(col("db"), 2, &[0xCF, 0xC7])
        .unwrap()
        .column_f64_arr(col("arr"), ArrayView::c_major(&shape, &data))
        .unwrap()
        .at_micros(1_700_000_000_000_001)
        .unwrap();
    buf.table(table("m"))
        .unwrap()
        .symbol(col("host"), "a")
        .unwrap()
        .at_now()
        .unwrap();
    sender.flush(&mut buf).unwrap();
    cap.expect_lines(&[
        trade_json(1_700_000_000_000_000_000, "http"),
        json!({
            "table": "all types",
            "symbols": {"sym bol": "a,b=c d"},
            "columns": {
                "b": true,
                "i": -12,
                "nan": "NaN",
                "s": "say \"hi\"\n\\",
                "tu": {"us": 1_700_000_000_000_000_i64},
                "tn": {"ns": -5},
                "dt": "-1.5e-3",
                "db": "-123.45",
                "arr": [[1.0, -2.5], ["Infinity", 0.0]],
            },
            "timestamp": 1_700_000_000_000_001_i64,
            "timestamp_unit": "us",
            "transport": "http",
        }),
        json!({
            "table": "m",
            "symbols": {"host": "a"},
            "columns": {},
            "timestamp": null,
            "timestamp_unit": null,
            "transport": "http",
        }),
    ]);
    // Keep-alive: a second flush on the same sender.
    trade(&mut buf, 7);
    sender.flush(&mut buf).unwrap();
    cap.expect_lines(&[trade_json(7, "http")]);
}

#[test]
fn tcp_v1_v2_v3() {
    let cap = Capture::start(&[]);

    let mut v1 = cap.tcp(1);
    let mut buf = v1.new_buffer();
    trade(&mut buf, 1_646_762_637_609_765_000);
    buf.table(table("t"))
        .unwrap()
        .column_ts_nanos(col("tn"), 1_234_567)
        .unwrap()
        .at_micros(5)
        .unwrap();
    v1.flush(&mut buf).unwrap();
    cap.expect_lines(&[
        trade_json(1_646_762_637_609_765_000, "tcp"),
        // v1: nanos columns become micros, micros timestamps become nanos.
        json!({"table": "t", "symbols": {}, "columns": {"tn": {"us": 1234}},
               "timestamp": 5000, "timestamp_unit": "ns", "transport": "tcp"}),
    ]);

    let mut v2 = cap.tcp(2);
    let mut buf = v2.new_buffer();
    trade(&mut buf, 1);
    // Binary bytes include 0x0A (`\n`): the shape 10, and 3.25 (0x400A_0000_0000_0000).
    let data: Vec<f64> = (0..10).map(f64::from).collect();
    let shape = [10usize];
    buf.table(table("arr"))
        .unwrap()
        .column_f64_arr(col("a"), ArrayView::c_major(&shape, &data))
        .unwrap()
        .column_f64(col("x"), 3.25)
        .unwrap()
        .at_micros(10)
        .unwrap();
    v2.flush(&mut buf).unwrap();
    cap.expect_lines(&[
        trade_json(1, "tcp"),
        json!({"table": "arr", "symbols": {},
               "columns": {"a": [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0],
                           "x": 3.25},
               "timestamp": 10, "timestamp_unit": "us", "transport": "tcp"}),
    ]);

    let mut v3 = cap.tcp(3);
    let mut buf = v3.new_buffer();
    buf.table(table("dec"))
        .unwrap()
        .symbol(col("s"), "v")
        .unwrap()
        .column_dec(col("d"), 2, &[0x30, 0x39])
        .unwrap()
        .column_dec(col("z"), 3, &[])
        .unwrap()
        .column_dec_str(col("t"), "NaN")
        .unwrap()
        .at_nanos(0)
        .unwrap();
    v3.flush(&mut buf).unwrap();
    cap.expect_lines(&[json!({"table": "dec", "symbols": {"s": "v"},
        "columns": {"d": "123.45", "z": "0.000", "t": "NaN"},
        "timestamp": 0, "timestamp_unit": "ns", "transport": "tcp"})]);
}

fn fails_with(status: u16) {
    let cap = Capture::start(&["--fail-with", &status.to_string()]);
    let mut sender = cap.http("retry_timeout=0;");
    assert_eq!(sender.protocol_version(), ProtocolVersion::V3);
    let mut buf = sender.new_buffer();
    trade(&mut buf, 1);
    let err = sender.flush(&mut buf).unwrap_err();
    assert_eq!(err.code(), ErrorCode::ServerFlushError);
    assert_eq!(
        err.msg(),
        format!(
            "Could not flush buffer: capture tool configured to fail (--fail-with {status}) \
             [id: capture-1, code: invalid, line: 1]"
        )
    );
    assert!(!buf.is_empty());
    cap.expect_silence();
}

#[test]
fn fail_with_500() {
    fails_with(500);
}

#[test]
fn fail_with_400() {
    fails_with(400);
}

#[test]
fn garbage_prints_an_error_and_the_tool_keeps_serving() {
    let cap = Capture::start(&[]);

    // TCP: a valid row, then garbage; that connection is closed.
    let mut raw = TcpStream::connect(("127.0.0.1", cap.tcp_port)).unwrap();
    raw.write_all(b"ok,s=v x=1i\nbad line\n").unwrap();
    cap.expect_lines(&[
        json!({"table": "ok", "symbols": {"s": "v"}, "columns": {"x": 1},
               "timestamp": null, "timestamp_unit": null, "transport": "tcp"}),
        json!({"error": "column name: unescaped \"\\\\x0a\"", "row": 1, "offset": 20,
               "transport": "tcp"}),
    ]);
    raw.set_read_timeout(Some(TIMEOUT)).unwrap();
    assert_eq!(raw.read(&mut [0u8; 16]).unwrap_or(0), 0, "closed");

    // HTTP: garbage is a 400 with a JSON error; nothing of it is printed.
    let mut http = TcpStream::connect(("127.0.0.1", cap.http_port)).unwrap();
    let body = b"ok x=1i\nbad line\n";
    write!(
        http,
        "POST /write?precision=n HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .unwrap();
    http.write_all(body).unwrap();
    http.set_read_timeout(Some(TIMEOUT)).unwrap();
    let mut answer = String::new();
    http.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 400 "), "{answer}");
    assert!(
        answer.contains("Content-Type: application/json; charset=utf-8\r\n"),
        "{answer}"
    );
    let json_body: Json = serde_json::from_str(answer.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    assert_eq!(json_body["code"], "invalid");
    assert_eq!(json_body["line"], 2);
    assert_eq!(json_body["errorId"], "capture-1");
    let err = cap.next_json();
    assert_eq!(err["transport"], "http");
    assert_eq!(err["row"], 1);
    assert_eq!(err["offset"], 16);

    // Unknown paths are 404.
    let mut http = TcpStream::connect(("127.0.0.1", cap.http_port)).unwrap();
    http.write_all(b"GET /nope HTTP/1.1\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut answer = String::new();
    http.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 404 "), "{answer}");

    // Still serving both sides.
    let mut sender = cap.http("");
    let mut buf = sender.new_buffer();
    trade(&mut buf, 2);
    sender.flush(&mut buf).unwrap();
    cap.expect_lines(&[trade_json(2, "http")]);
    let mut sender = cap.tcp(2);
    let mut buf = sender.new_buffer();
    trade(&mut buf, 3);
    sender.flush(&mut buf).unwrap();
    cap.expect_lines(&[trade_json(3, "tcp")]);
}

#[test]
fn chunked_http_body() {
    let cap = Capture::start(&[]);
    let mut http = TcpStream::connect(("127.0.0.1", cap.http_port)).unwrap();
    http.write_all(
        b"POST /write HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n\
          5\r\nt,s=v\r\n4;ext=1\r\n x=1\r\n2\r\ni\n\r\n0\r\n\r\n\
          GET /settings HTTP/1.1\r\nConnection: close\r\n\r\n",
    )
    .unwrap();
    http.set_read_timeout(Some(TIMEOUT)).unwrap();
    let mut answer = String::new();
    http.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 204 "), "{answer}");
    assert!(answer.contains("HTTP/1.1 200 "), "{answer}");
    assert!(answer.ends_with(
        r#"{"config":{"line.proto.support.versions":[1,2,3],"cairo.max.file.name.length":127}}"#
    ));
    cap.expect_lines(&[
        json!({"table": "t", "symbols": {"s": "v"}, "columns": {"x": 1},
               "timestamp": null, "timestamp_unit": null, "transport": "http"}),
    ]);
}

#[test]
fn exits_after_max_rows() {
    let mut cap = Capture::start(&["--max-rows", "2"]);
    let mut sender = cap.tcp(1);
    let mut buf = sender.new_buffer();
    for ts in 1..=3 {
        trade(&mut buf, ts);
    }
    sender.flush(&mut buf).unwrap();
    cap.expect_lines(&[trade_json(1, "tcp"), trade_json(2, "tcp")]);
    let status = wait_exit(&mut cap.child);
    assert!(status.success(), "{status}");
    assert!(cap.lines.recv_timeout(TIMEOUT).is_err(), "no third row");
}

#[test]
fn help() {
    let out = Command::new(env!("CARGO_BIN_EXE_questdb-ilp-capture"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for word in [
        "--http-port",
        "--tcp-port",
        "--json",
        "--fail-with",
        "--max-rows",
        "ts=now",
    ] {
        assert!(text.contains(word), "{word} missing from --help");
    }
    let bad = Command::new(env!("CARGO_BIN_EXE_questdb-ilp-capture"))
        .arg("--bogus")
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

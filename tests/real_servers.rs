//! End-to-end tests against real servers from the Debian packages
//! (`apt-get install victoria-metrics influxdb`; see tests/common/servers.rs):
//!
//! - VictoriaMetrics ingests ILP over HTTP (`/write`) and over TCP; every
//!   numeric and boolean value sent through `Sender` must come back from its
//!   export API, with the tags and (millisecond) timestamps.
//! - InfluxDB 1.x with authentication on: wrong or missing credentials are an
//!   `AuthError` carrying InfluxDB's 401 body; right credentials get through
//!   authentication and fail with InfluxDB's own "database is required" (a
//!   QuestDB client sends no `db=`), as a `ServerFlushError`.
//!
//! The `harness_*` tests check the servers and the harness with raw ILP,
//! without `Sender`. Every test starts its own server and stops it at the end.

mod common;

use std::collections::BTreeMap;
use std::io::Write;
use std::net::TcpStream;
use std::time::Duration;

use common::servers::{
    assert_loopback_only, basic_auth, http_post, InfluxDb, Series, VictoriaMetrics,
};
use questdb_client::{Buffer, ColumnName, ErrorCode, Sender, TableName};

/// How long to wait for VictoriaMetrics to make ingested rows visible.
const INGEST_TIMEOUT: Duration = Duration::from_secs(10);

const NS_PER_MS: i64 = 1_000_000;

fn col(name: &str) -> ColumnName<'_> {
    ColumnName::new(name).unwrap()
}

// ---------------------------------------------------------------------------
// Expected series in VictoriaMetrics
// ---------------------------------------------------------------------------

/// (metric name, labels) → sorted (timestamp ms, value) points.
type Expected = BTreeMap<(String, BTreeMap<String, String>), Vec<(i64, f64)>>;

fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn expect_point(
    expected: &mut Expected,
    metric: &str,
    tags: &[(&str, &str)],
    ts_ns: i64,
    value: f64,
) {
    let points = expected
        .entry((metric.to_string(), labels(tags)))
        .or_default();
    // VictoriaMetrics keeps milliseconds (it truncates nanoseconds).
    points.push((ts_ns.div_euclid(NS_PER_MS), value));
    points.sort_by_key(|p| p.0);
}

/// The exported series as (name, labels) → points, minus `skip` metrics.
fn actual(series: &[Series], skip: &[&str]) -> Expected {
    series
        .iter()
        .filter(|s| !skip.contains(&s.name.as_str()))
        .map(|s| ((s.name.clone(), s.labels.clone()), s.points()))
        .collect()
}

/// Polls the export of `t_.*` until it holds `expected`, then asserts it
/// holds exactly that (besides `skip` metrics), and returns all series.
fn assert_landed(vm: &VictoriaMetrics, expected: &Expected, skip: &[&str]) -> Vec<Series> {
    let series = vm.export_until("t_.*", INGEST_TIMEOUT, |s| actual(s, skip) == *expected);
    let got = actual(&series, skip);
    if got != *expected {
        panic!(
            "VictoriaMetrics export differs after {INGEST_TIMEOUT:?}\n\
             expected: {expected:#?}\n     got: {got:#?}\nserver log:\n{}",
            vm.log()
        );
    }
    series
}

// ---------------------------------------------------------------------------
// Harness self-tests: raw ILP, no Sender
// ---------------------------------------------------------------------------

#[test]
fn harness_victoria_metrics_raw_ilp_over_tcp_and_http() {
    let vm = VictoriaMetrics::start();
    assert_loopback_only("victoria-metrics", vm.pid());

    let ts_tcp = questdb_client::now_nanos();
    let mut stream = TcpStream::connect(vm.influx_addr()).expect("connect influx port");
    stream
        .write_all(format!("t,host=a n=42i,x=1.5,b=t {ts_tcp}\n").as_bytes())
        .unwrap();
    stream.flush().unwrap();
    drop(stream);

    let ts_http = questdb_client::now_nanos() + 1_234_567;
    let r = http_post(
        vm.http_port,
        "/write?precision=n",
        &[("Content-Type", "text/plain; charset=utf-8")],
        format!("t,host=b n=-7i,x=-0.25,b=f {ts_http}\n").as_bytes(),
    )
    .expect("POST /write");
    assert_eq!(r.status, 204, "VictoriaMetrics /write: {r:?}");

    let mut expected = Expected::new();
    for (host, ts, n, x, b) in [
        ("a", ts_tcp, 42.0, 1.5, 1.0),
        ("b", ts_http, -7.0, -0.25, 0.0),
    ] {
        expect_point(&mut expected, "t_n", &[("host", host)], ts, n);
        expect_point(&mut expected, "t_x", &[("host", host)], ts, x);
        expect_point(&mut expected, "t_b", &[("host", host)], ts, b);
    }
    assert_landed(&vm, &expected, &[]);
}

#[test]
fn harness_influxdb_auth_with_raw_http() {
    let db = InfluxDb::start_with_admin("admin", "s3cret");
    assert_loopback_only("influxd", db.pid());
    let line = b"t,host=a n=42i\n";
    let write = |auth: Option<String>| {
        let mut headers = vec![("Content-Type", "text/plain; charset=utf-8")];
        if let Some(auth) = &auth {
            headers.push(("Authorization", auth.as_str()));
        }
        http_post(db.http_port, "/write?precision=n", &headers, line).expect("POST /write")
    };

    let r = write(Some(basic_auth("admin", "wrong")));
    assert_eq!(r.status, 401, "{r:?}");
    assert!(r.body.contains("authorization failed"), "{r:?}");

    let r = write(None);
    assert_eq!(r.status, 401, "{r:?}");
    assert!(
        r.body
            .contains("unable to parse authentication credentials"),
        "{r:?}"
    );

    let r = write(Some(basic_auth("admin", "s3cret")));
    assert_eq!(r.status, 400, "{r:?}");
    assert!(r.body.contains("database is required"), "{r:?}");
}

// ---------------------------------------------------------------------------
// Sender → VictoriaMetrics
// ---------------------------------------------------------------------------

struct Row {
    host: &'static str,
    region: &'static str,
    n: i64,
    x: f64,
    b: bool,
    s: &'static str,
    ts_ns: i64,
}

/// Five rows at current timestamps (VictoriaMetrics drops points outside its
/// retention), with sub-millisecond parts; two share their tags, so one
/// series gets two points.
fn rows() -> Vec<Row> {
    let now = questdb_client::now_nanos();
    let row = |host, region, n, x, b, s, back_ms: i64| Row {
        host,
        region,
        n,
        x,
        b,
        s,
        ts_ns: now - back_ms * NS_PER_MS - 123_456,
    };
    vec![
        row("a", "eu", 42, 1.5, true, "dropped", 0),
        row("b", "eu", -7, -0.25, false, "dropped too", 1),
        row("c", "us", 9_007_199_254_740_992, 1e10, true, "x y", 2),
        row("d", "us", 0, -3.75e-3, false, "", 3),
        row("a", "eu", 1_000_000_007, 2.5, false, "again", 1500),
    ]
}

fn fill(buf: &mut Buffer, rows: &[Row]) {
    for r in rows {
        buf.table(TableName::new("t").unwrap())
            .unwrap()
            .symbol(col("host"), r.host)
            .unwrap()
            .symbol(col("region"), r.region)
            .unwrap()
            .column_i64(col("n"), r.n)
            .unwrap()
            .column_f64(col("x"), r.x)
            .unwrap()
            .column_bool(col("b"), r.b)
            .unwrap()
            .column_str(col("s"), r.s)
            .unwrap()
            .at_nanos(r.ts_ns)
            .unwrap();
    }
}

fn expected_for(rows: &[Row]) -> Expected {
    let mut expected = Expected::new();
    for r in rows {
        let tags = [("host", r.host), ("region", r.region)];
        expect_point(&mut expected, "t_n", &tags, r.ts_ns, r.n as f64);
        expect_point(&mut expected, "t_x", &tags, r.ts_ns, r.x);
        expect_point(
            &mut expected,
            "t_b",
            &tags,
            r.ts_ns,
            f64::from(u8::from(r.b)),
        );
    }
    expected
}

/// Sends `rows` in one flush and checks they all landed. Strings: the text
/// must not be stored. VictoriaMetrics 1.79 does keep a `t_s` series, with
/// the string parsed "best effort" as a number (0 for non-numeric text);
/// absence is accepted too.
fn send_and_check(vm: &VictoriaMetrics, conf: &str) {
    let rows = rows();
    let mut sender =
        Sender::from_conf(conf).unwrap_or_else(|e| panic!("Sender::from_conf({conf:?}): {e}"));
    let mut buf = sender.new_buffer();
    fill(&mut buf, &rows);
    assert_eq!(buf.row_count(), rows.len());
    sender
        .flush(&mut buf)
        .unwrap_or_else(|e| panic!("flush to VictoriaMetrics ({conf:?}): {e}"));
    assert!(buf.is_empty(), "flush must clear the buffer");
    drop(sender);

    let series = assert_landed(vm, &expected_for(&rows), &["t_s"]);
    for s in series.iter().filter(|s| s.name == "t_s") {
        assert!(
            s.values.iter().all(|v| *v == 0.0),
            "string text stored as a value: {s:?}"
        );
    }
}

#[test]
fn sender_http_to_victoria_metrics() {
    let vm = VictoriaMetrics::start();
    send_and_check(
        &vm,
        &format!("http::addr={};protocol_version=1;", vm.http_addr()),
    );
}

#[test]
fn sender_tcp_to_victoria_metrics() {
    let vm = VictoriaMetrics::start();
    send_and_check(&vm, &format!("tcp::addr={};", vm.influx_addr()));
}

// ---------------------------------------------------------------------------
// Sender → InfluxDB 1.x with authentication
// ---------------------------------------------------------------------------

/// Flushes one row with `credentials` (`username=..;password=..;` or empty)
/// and returns the error, after checking the buffer was left untouched.
fn influx_flush_error(db: &InfluxDb, credentials: &str) -> questdb_client::Error {
    let conf = format!(
        "http::addr={};protocol_version=1;retry_timeout=0;{credentials}",
        db.http_addr()
    );
    let mut sender =
        Sender::from_conf(&conf).unwrap_or_else(|e| panic!("Sender::from_conf({conf:?}): {e}"));
    let mut buf = sender.new_buffer();
    buf.table(TableName::new("t").unwrap())
        .unwrap()
        .symbol(col("host"), "a")
        .unwrap()
        .column_i64(col("n"), 42)
        .unwrap()
        .at_nanos(questdb_client::now_nanos())
        .unwrap();
    let before = buf.as_bytes().to_vec();
    let err = match sender.flush(&mut buf) {
        Ok(()) => panic!("InfluxDB accepted a write ({conf:?})"),
        Err(e) => e,
    };
    assert_eq!(
        buf.as_bytes(),
        &before[..],
        "failed flush changed the buffer"
    );
    assert!(
        !err.msg().contains("s3cret") && !format!("{err:?}").contains("s3cret"),
        "the password leaked into the error: {:?}",
        err.msg()
    );
    err
}

#[test]
fn sender_influxdb_auth() {
    let db = InfluxDb::start_with_admin("admin", "s3cret");

    let err = influx_flush_error(&db, "username=admin;password=wrong;");
    assert_eq!(err.code(), ErrorCode::AuthError, "wrong password: {err}");
    assert!(
        err.msg().contains("authorization failed") && err.msg().contains("401"),
        "wrong password: message must carry InfluxDB's 401 body and status: {:?}",
        err.msg()
    );

    let err = influx_flush_error(&db, "username=nobody;password=s3cret;");
    assert_eq!(err.code(), ErrorCode::AuthError, "unknown user: {err}");
    assert!(
        err.msg().contains("authorization failed") && err.msg().contains("401"),
        "unknown user: {:?}",
        err.msg()
    );

    let err = influx_flush_error(&db, "");
    assert_eq!(err.code(), ErrorCode::AuthError, "no credentials: {err}");
    assert!(
        err.msg()
            .contains("unable to parse authentication credentials")
            && err.msg().contains("401"),
        "no credentials: message must carry InfluxDB's 401 body and status: {:?}",
        err.msg()
    );

    let err = influx_flush_error(&db, "username=admin;password=s3cret;");
    assert_eq!(
        err.code(),
        ErrorCode::ServerFlushError,
        "right credentials: {err}"
    );
    assert!(
        err.msg().starts_with("Could not flush buffer")
            && err.msg().contains("database is required"),
        "right credentials: message must carry InfluxDB's 400 error: {:?}",
        err.msg()
    );
}

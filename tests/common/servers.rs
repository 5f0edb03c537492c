//! Real servers for end-to-end tests: VictoriaMetrics and InfluxDB 1.x from
//! the Debian packages (`apt-get install victoria-metrics influxdb`).
//!
//! Each `start` picks free 127.0.0.1 ports, writes its data into a fresh
//! directory under `std::env::temp_dir()`, and waits until the server
//! answers. The returned guard kills the server, waits for it and removes the
//! directory when dropped. A missing binary is a panic, never a skip: these
//! tests run in CI.
//!
//! Also here: a tiny HTTP/1.0 client over `std::net` (no dependencies), the
//! VictoriaMetrics export reader, and a check that a process listens on the
//! loopback interface only.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::{ErrorKind, Read, Write};
use std::net::{Ipv4Addr, Ipv6Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread::sleep;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// How long a server may take to become ready.
const START_DEADLINE: Duration = Duration::from_secs(20);
/// Attempts to start a server, in case another process took a free port
/// between our probe and the server's bind.
const START_ATTEMPTS: usize = 3;
const INSTALL_HINT: &str = "apt-get install victoria-metrics influxdb";

// ---------------------------------------------------------------------------
// Process and directory guard
// ---------------------------------------------------------------------------

/// A running server: the child process and its temporary directory.
struct Running {
    child: Child,
    dir: PathBuf,
    log: PathBuf,
}

impl Running {
    fn log_text(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// `Some(status)` once the process has exited.
    fn exited(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().expect("try_wait on server process")
    }

    fn stop(&mut self) {
        // `kill` fails only if the process was already reaped; fine.
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = fs::remove_dir_all(&self.dir);
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A new empty directory under the system temp dir, unique per process,
/// call and time.
fn unique_temp_dir(kind: &str) -> PathBuf {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    let dir = std::env::temp_dir().join(format!(
        "questdb-client-{kind}-{}-{}-{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("create {}: {e}", dir.display()));
    dir
}

/// A port on 127.0.0.1 that was free a moment ago.
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local_addr").port()
}

/// Spawns `program` with stdout and stderr going to `<dir>/server.log`.
fn spawn(program: &str, args: &[String], dir: PathBuf) -> Running {
    let log = dir.join("server.log");
    let out = fs::File::create(&log).expect("create server log");
    let err = out.try_clone().expect("clone log handle");
    let child = Command::new(program)
        .args(args)
        .current_dir(&dir)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn();
    match child {
        Ok(child) => Running { child, dir, log },
        Err(e) if e.kind() == ErrorKind::NotFound => {
            let _ = fs::remove_dir_all(&dir);
            panic!(
                "`{program}` not found in PATH: these end-to-end tests need real servers; \
                 install them with `{INSTALL_HINT}` (Debian/Ubuntu packages)"
            )
        }
        Err(e) => {
            let _ = fs::remove_dir_all(&dir);
            panic!("could not start `{program}`: {e}")
        }
    }
}

/// Polls `ready` until it returns true. Returns false if the process exits
/// first (likely a port clash, worth another attempt); panics with the
/// server's log at the deadline.
fn wait_ready(name: &str, running: &mut Running, mut ready: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + START_DEADLINE;
    loop {
        if let Some(status) = running.exited() {
            eprintln!(
                "{name} exited during start-up ({status}); log:\n{}",
                running.log_text()
            );
            return false;
        }
        if ready() {
            return true;
        }
        if Instant::now() > deadline {
            panic!(
                "{name} not ready after {:?}; log:\n{}",
                START_DEADLINE,
                running.log_text()
            );
        }
        sleep(Duration::from_millis(50));
    }
}

fn can_connect(port: u16) -> bool {
    TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), Duration::from_millis(200)).is_ok()
}

// ---------------------------------------------------------------------------
// Tiny HTTP client
// ---------------------------------------------------------------------------

/// A response of the tiny HTTP client.
#[derive(Debug, Clone)]
pub struct HttpResponse {
    pub status: u16,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl HttpResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// One HTTP/1.0 request to 127.0.0.1:`port` (the server closes the
/// connection after the response). `path` includes the query string, already
/// encoded. `headers` are extra request headers.
pub fn http_request(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<HttpResponse> {
    let mut stream =
        TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), Duration::from_secs(5))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    stream.set_write_timeout(Some(Duration::from_secs(10)))?;
    let mut request = format!(
        "{method} {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\
         Content-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    let mut bytes = request.into_bytes();
    bytes.extend_from_slice(body);
    stream.write_all(&bytes)?;
    stream.flush()?;

    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    parse_response(&raw)
        .ok_or_else(|| std::io::Error::new(ErrorKind::InvalidData, "malformed HTTP response"))
}

pub fn http_get(port: u16, path: &str) -> std::io::Result<HttpResponse> {
    http_request(port, "GET", path, &[], b"")
}

pub fn http_post(
    port: u16,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<HttpResponse> {
    http_request(port, "POST", path, headers, body)
}

fn parse_response(raw: &[u8]) -> Option<HttpResponse> {
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&raw[..split]).ok()?;
    let mut body = raw[split + 4..].to_vec();
    let mut lines = head.split("\r\n");
    let status_line = lines.next()?;
    let status = status_line.split(' ').nth(1)?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| {
            let (name, value) = line.split_once(':')?;
            Some((name.trim().to_ascii_lowercase(), value.trim().to_string()))
        })
        .collect();
    let chunked = headers
        .iter()
        .any(|(n, v)| n == "transfer-encoding" && v.eq_ignore_ascii_case("chunked"));
    if chunked {
        body = dechunk(&body)?;
    }
    Some(HttpResponse {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

/// Decodes a chunked body (servers should not send one to HTTP/1.0, but a
/// few do).
fn dechunk(mut data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let eol = data.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&data[..eol]).ok()?;
        let size_text = size_text.split(';').next()?.trim();
        let size = usize::from_str_radix(size_text, 16).ok()?;
        data = &data[eol + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(data.get(..size)?);
        data = data.get(size + 2..)?;
    }
}

/// Percent-encodes a query-string component (RFC 3986 unreserved kept).
pub fn url_encode(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// `Authorization: Basic ...` value.
pub fn basic_auth(user: &str, pass: &str) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let input = format!("{user}:{pass}").into_bytes();
    let mut out = String::from("Basic ");
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Listening sockets of a process (from /proc)
// ---------------------------------------------------------------------------

/// The local addresses (`ip:port`) of every listening TCP socket and every
/// UDP socket that process `pid` holds, from /proc (Linux).
pub fn listening_addrs(pid: u32) -> Vec<String> {
    let mut inodes = BTreeSet::new();
    let fd_dir = format!("/proc/{pid}/fd");
    for entry in fs::read_dir(&fd_dir).unwrap_or_else(|e| panic!("read {fd_dir}: {e}")) {
        let Ok(entry) = entry else { continue };
        let Ok(target) = fs::read_link(entry.path()) else {
            continue;
        };
        let target = target.to_string_lossy();
        if let Some(inode) = target
            .strip_prefix("socket:[")
            .and_then(|s| s.strip_suffix(']'))
        {
            inodes.insert(inode.to_string());
        }
    }
    let mut addrs = Vec::new();
    for (table, listen_state) in [
        ("tcp", Some("0A")),
        ("tcp6", Some("0A")),
        ("udp", None),
        ("udp6", None),
    ] {
        let Ok(text) = fs::read_to_string(format!("/proc/{pid}/net/{table}")) else {
            continue;
        };
        for line in text.lines().skip(1) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            if fields.len() < 10 || !inodes.contains(fields[9]) {
                continue;
            }
            if listen_state.is_some_and(|s| fields[3] != s) {
                continue;
            }
            if let Some(addr) = decode_proc_addr(fields[1]) {
                addrs.push(format!("{table} {addr}"));
            }
        }
    }
    addrs
}

/// `0100007F:1F90` → `127.0.0.1:8080`; IPv6 addresses are four
/// little-endian 32-bit words.
fn decode_proc_addr(text: &str) -> Option<String> {
    let (ip, port) = text.split_once(':')?;
    let port = u16::from_str_radix(port, 16).ok()?;
    match ip.len() {
        8 => {
            let n = u32::from_str_radix(ip, 16).ok()?;
            Some(format!("{}:{port}", Ipv4Addr::from(n.to_le_bytes())))
        }
        32 => {
            let mut bytes = [0u8; 16];
            for word in 0..4 {
                let n = u32::from_str_radix(&ip[word * 8..word * 8 + 8], 16).ok()?;
                bytes[word * 4..word * 4 + 4].copy_from_slice(&n.to_le_bytes());
            }
            Some(format!("[{}]:{port}", Ipv6Addr::from(bytes)))
        }
        _ => None,
    }
}

/// Panics unless every listening socket of `pid` is on the loopback
/// interface (127.0.0.1 or ::1), and there is at least one.
pub fn assert_loopback_only(name: &str, pid: u32) {
    let addrs = listening_addrs(pid);
    assert!(!addrs.is_empty(), "{name}: no listening sockets found");
    for addr in &addrs {
        let local = addr.split_once(' ').map_or(addr.as_str(), |(_, a)| a);
        assert!(
            local.starts_with("127.0.0.1:") || local.starts_with("[::1]:"),
            "{name} listens beyond loopback: {addr} (all: {addrs:?})"
        );
    }
}

// ---------------------------------------------------------------------------
// VictoriaMetrics
// ---------------------------------------------------------------------------

/// A VictoriaMetrics single-node server: HTTP API (including `/write`) on
/// `http_port`, InfluxDB line protocol over TCP (and UDP) on `influx_port`.
pub struct VictoriaMetrics {
    running: Running,
    pub http_port: u16,
    pub influx_port: u16,
}

/// One time series from `/api/v1/export`.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// `__name__`: `<table>_<field>` for ILP input.
    pub name: String,
    /// The other labels: ILP tags (symbols).
    pub labels: BTreeMap<String, String>,
    pub values: Vec<f64>,
    /// Milliseconds since the epoch.
    pub timestamps: Vec<i64>,
}

impl Series {
    /// (timestamp ms, value) pairs.
    pub fn points(&self) -> Vec<(i64, f64)> {
        self.timestamps
            .iter()
            .copied()
            .zip(self.values.iter().copied())
            .collect()
    }
}

impl VictoriaMetrics {
    pub fn start() -> Self {
        for attempt in 1..=START_ATTEMPTS {
            let http_port = free_port();
            let influx_port = free_port();
            let dir = unique_temp_dir("victoria-metrics");
            let args = vec![
                format!("-httpListenAddr=127.0.0.1:{http_port}"),
                format!("-influxListenAddr=127.0.0.1:{influx_port}"),
                format!("-storageDataPath={}", dir.join("data").display()),
                // Rows carry current timestamps; older ones would be dropped.
                "-retentionPeriod=1d".to_string(),
                "-search.latencyOffset=0s".to_string(),
                "-loggerLevel=WARN".to_string(),
            ];
            let mut running = spawn("victoria-metrics", &args, dir);
            let ready = wait_ready("victoria-metrics", &mut running, || {
                http_get(http_port, "/health").is_ok_and(|r| r.status == 200)
                    && can_connect(influx_port)
            });
            if ready {
                return VictoriaMetrics {
                    running,
                    http_port,
                    influx_port,
                };
            }
            eprintln!("victoria-metrics: start attempt {attempt} failed");
        }
        panic!("victoria-metrics did not start after {START_ATTEMPTS} attempts")
    }

    pub fn pid(&self) -> u32 {
        self.running.child.id()
    }

    pub fn log(&self) -> String {
        self.running.log_text()
    }

    /// `127.0.0.1:<http_port>`, for `http::addr=...`.
    pub fn http_addr(&self) -> String {
        format!("127.0.0.1:{}", self.http_port)
    }

    /// `127.0.0.1:<influx_port>`, for `tcp::addr=...`.
    pub fn influx_addr(&self) -> String {
        format!("127.0.0.1:{}", self.influx_port)
    }

    /// Makes recently ingested data searchable.
    pub fn force_flush(&self) {
        let r = http_get(self.http_port, "/internal/force_flush").expect("force_flush");
        assert_eq!(r.status, 200, "force_flush: {r:?}");
    }

    /// Every series whose metric name matches the regex `name_regex`, sorted
    /// by name then labels.
    pub fn export(&self, name_regex: &str) -> Vec<Series> {
        self.force_flush();
        let selector = format!("{{__name__=~\"{name_regex}\"}}");
        let path = format!("/api/v1/export?match[]={}", url_encode(&selector));
        let r = http_get(self.http_port, &path).expect("export");
        assert_eq!(r.status, 200, "export: {r:?}");
        let mut series: Vec<Series> = r
            .body
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(parse_series)
            .collect();
        series.sort_by(|a, b| (&a.name, &a.labels).cmp(&(&b.name, &b.labels)));
        series
    }

    /// Polls `export(name_regex)` until `done` accepts it or `timeout`
    /// passes; returns the last export either way (ingestion is async).
    pub fn export_until(
        &self,
        name_regex: &str,
        timeout: Duration,
        mut done: impl FnMut(&[Series]) -> bool,
    ) -> Vec<Series> {
        let deadline = Instant::now() + timeout;
        loop {
            let series = self.export(name_regex);
            if done(&series) || Instant::now() > deadline {
                return series;
            }
            sleep(Duration::from_millis(100));
        }
    }
}

/// One JSON line of `/api/v1/export`:
/// `{"metric":{"__name__":"t_n","host":"a"},"values":[42],"timestamps":[1700000000000]}`.
fn parse_series(line: &str) -> Series {
    let json: serde_json::Value =
        serde_json::from_str(line).unwrap_or_else(|e| panic!("export line {line:?}: {e}"));
    let metric = json["metric"]
        .as_object()
        .unwrap_or_else(|| panic!("no metric in {line}"));
    let mut name = String::new();
    let mut labels = BTreeMap::new();
    for (key, value) in metric {
        let value = value.as_str().unwrap_or_default().to_string();
        if key == "__name__" {
            name = value;
        } else {
            labels.insert(key.clone(), value);
        }
    }
    let values = json["values"]
        .as_array()
        .unwrap_or_else(|| panic!("no values in {line}"))
        .iter()
        .map(|v| match v {
            serde_json::Value::Number(n) => n.as_f64().expect("f64 value"),
            // VictoriaMetrics writes NaN and infinities as strings.
            serde_json::Value::String(s) => match s.as_str() {
                "Inf" | "+Inf" => f64::INFINITY,
                "-Inf" => f64::NEG_INFINITY,
                _ => f64::NAN,
            },
            other => panic!("value {other} in {line}"),
        })
        .collect();
    let timestamps = json["timestamps"]
        .as_array()
        .unwrap_or_else(|| panic!("no timestamps in {line}"))
        .iter()
        .map(|t| t.as_i64().expect("i64 timestamp"))
        .collect();
    Series {
        name,
        labels,
        values,
        timestamps,
    }
}

// ---------------------------------------------------------------------------
// InfluxDB 1.x
// ---------------------------------------------------------------------------

/// An InfluxDB 1.x server with HTTP authentication enabled and one admin
/// user. Only the HTTP API (`http_port`) and the meta/RPC service
/// (`rpc_port`) listen, both on 127.0.0.1.
pub struct InfluxDb {
    running: Running,
    pub http_port: u16,
    pub rpc_port: u16,
}

impl InfluxDb {
    /// Starts the server and creates admin `user` with password `pass`
    /// (InfluxDB lets anyone create the first admin while there is none).
    /// Both must be plain (no quotes or backslashes).
    pub fn start_with_admin(user: &str, pass: &str) -> Self {
        assert!(
            !user.contains(['\'', '"', '\\']) && !pass.contains(['\'', '"', '\\']),
            "keep test credentials plain"
        );
        let db = Self::start();
        let q = format!("CREATE USER \"{user}\" WITH PASSWORD '{pass}' WITH ALL PRIVILEGES");
        let body = format!("q={}", url_encode(&q));
        let r = http_post(
            db.http_port,
            "/query",
            &[("Content-Type", "application/x-www-form-urlencoded")],
            body.as_bytes(),
        )
        .expect("create admin user");
        assert!(
            r.status == 200 && !r.body.contains("\"error\""),
            "create admin user: {r:?}\nlog:\n{}",
            db.log()
        );
        // With an admin in place, anonymous queries must now be refused.
        let r = http_get(db.http_port, "/query?q=SHOW%20USERS").expect("anonymous query");
        assert_eq!(
            r.status, 401,
            "auth not enforced after creating admin: {r:?}"
        );
        db
    }

    fn start() -> Self {
        for attempt in 1..=START_ATTEMPTS {
            let http_port = free_port();
            let rpc_port = free_port();
            let ifql_port = free_port();
            let dir = unique_temp_dir("influxdb");
            let config = influx_config(&dir, http_port, rpc_port, ifql_port);
            let config_path = dir.join("influxdb.conf");
            fs::write(&config_path, config).expect("write influxdb.conf");
            let args = vec!["-config".to_string(), config_path.display().to_string()];
            let mut running = spawn("influxd", &args, dir);
            let ready = wait_ready("influxd", &mut running, || {
                http_get(http_port, "/ping").is_ok_and(|r| r.status == 204)
            });
            if ready {
                return InfluxDb {
                    running,
                    http_port,
                    rpc_port,
                };
            }
            eprintln!("influxd: start attempt {attempt} failed");
        }
        panic!("influxd did not start after {START_ATTEMPTS} attempts")
    }

    pub fn pid(&self) -> u32 {
        self.running.child.id()
    }

    pub fn log(&self) -> String {
        self.running.log_text()
    }

    /// `127.0.0.1:<http_port>`, for `http::addr=...`.
    pub fn http_addr(&self) -> String {
        format!("127.0.0.1:{}", self.http_port)
    }
}

/// A complete influxd 1.x configuration: every listener on 127.0.0.1 (or
/// disabled), every file under `dir`, no usage reporting, no self-monitoring.
/// Graphite, collectd, OpenTSDB and UDP inputs are off by default.
fn influx_config(dir: &Path, http_port: u16, rpc_port: u16, ifql_port: u16) -> String {
    let d = dir.display();
    format!(
        r#"reporting-enabled = false
bind-address = "127.0.0.1:{rpc_port}"

[meta]
  dir = "{d}/meta"
  retention-autocreate = true
  logging-enabled = false

[data]
  dir = "{d}/data"
  wal-dir = "{d}/wal"
  wal-fsync-delay = "0s"
  query-log-enabled = false

[monitor]
  store-enabled = false

[http]
  enabled = true
  bind-address = "127.0.0.1:{http_port}"
  auth-enabled = true
  log-enabled = false
  pprof-enabled = false
  https-enabled = false
  unix-socket-enabled = false

[ifql]
  enabled = false
  bind-address = "127.0.0.1:{ifql_port}"

[logging]
  level = "warn"
  suppress-logo = true

[continuous_queries]
  enabled = false
"#
    )
}

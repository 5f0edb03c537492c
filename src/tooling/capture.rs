//! The capture server behind `questdb-ilp-capture`: it accepts ILP over HTTP
//! and TCP on 127.0.0.1, decodes every row with the independent
//! [`decoder`](super::decoder) and prints it (see [`format`](super::format)).
//!
//! HTTP (a small HTTP/1.1 server: keep-alive, `Content-Length` and chunked
//! bodies): `GET /settings` advertises protocol versions 1–3, `POST /write`
//! (also `/api/v2/write`) decodes the body, prints its rows and answers 204,
//! or 400 with a QuestDB-style JSON error when the body is not valid ILP (no
//! row of it is printed then); `GET /ping` answers 204; anything else 404.
//! With `fail_with` set, `/write` answers that status with a JSON error body
//! and prints nothing.
//!
//! TCP: rows are printed as soon as they are complete; invalid bytes print an
//! error and close that connection (as QuestDB does), other connections go on.

use super::decoder::{decode, decode_partial, DecodeError, Row};
use super::format::{self, Transport};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;

/// The `--help` text of `questdb-ilp-capture`.
pub const HELP: &str = "\
questdb-ilp-capture: print every ILP row an application sends.

Listens on 127.0.0.1 for ILP over HTTP (POST /write; GET /settings offers
protocol versions 1, 2 and 3) and over TCP, decodes every row (text v1,
binary v2/v3: doubles, arrays, decimals) and prints one line per row on
stdout. Once bound it prints `listening http=127.0.0.1:P tcp=127.0.0.1:Q`
on stderr.

Usage: questdb-ilp-capture [OPTIONS]

Options:
  --http-port N        HTTP port (default 9000; 0 picks a free port)
  --tcp-port N         TCP port (default 9009; 0 picks a free port)
  --json               print JSON lines instead of readable lines
  --fail-with STATUS   answer every POST /write with HTTP STATUS (e.g. 400,
                       500) and a QuestDB-style JSON error; print nothing
  --max-rows N         exit (status 0) once N rows were printed
  --exit-after-rows N  same as --max-rows
  --ready-file PATH    once bound, write the `listening ...` line to PATH
  -h, --help           print this help

Readable output (an empty part is `-`):
  TABLE SYMBOL=VALUE... | COLUMN=VALUE... | ts=TIMESTAMP
  trades symbol=ETH-USD side=sell | price=2615.54 amount=0.00044 | ts=1700000000000000000ns
  Values: true/false, 12i (integer), 2615.54 / NaN / Infinity (double),
  \"text\" (string, JSON escapes), 123us / 123ns (timestamp column), 123.45d
  (decimal), [[1.0,2.0],[3.0,4.0]] (array). The designated timestamp is
  ts=Nns (suffix n or none), ts=Nus (suffix t) or ts=now (none sent). Names
  and symbol values backslash-escape `\\`, space, `=` and control characters.

JSON output (--json), one object per row, columns in wire order:
  {\"table\":\"trades\",\"symbols\":{\"symbol\":\"ETH-USD\"},\"columns\":{\"price\":2615.54},
   \"timestamp\":1700000000000000000,\"timestamp_unit\":\"ns\",\"transport\":\"http\"}
  Integers and finite doubles are JSON numbers; NaN/Infinity/-Infinity,
  decimals (\"123.45\") and strings are strings; timestamp columns are
  {\"us\":N} or {\"ns\":N}; arrays are nested lists; timestamp and
  timestamp_unit (\"ns\"/\"us\") are null when the server assigns the time.

Errors (invalid ILP) are one line on stdout:
  error: http: row R, byte B: MESSAGE         (readable)
  {\"error\":\"MESSAGE\",\"row\":R,\"offset\":B,\"transport\":\"http\"}   (--json)
  The byte offset counts from the start of the HTTP body or the TCP stream.
  HTTP answers 400; TCP closes that connection. The tool keeps serving.
";

/// What the capture server does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// HTTP port on 127.0.0.1 (0: any free port).
    pub http_port: u16,
    /// TCP port on 127.0.0.1 (0: any free port).
    pub tcp_port: u16,
    /// Print JSON lines instead of readable lines.
    pub json: bool,
    /// Answer every `/write` with this HTTP status.
    pub fail_with: Option<u16>,
    /// Stop once this many rows were printed.
    pub max_rows: Option<u64>,
    /// Write the `listening ...` line to this file once bound.
    pub ready_file: Option<PathBuf>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            http_port: 9000,
            tcp_port: 9009,
            json: false,
            fail_with: None,
            max_rows: None,
            ready_file: None,
        }
    }
}

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Run the server.
    Run(Options),
    /// Print [`HELP`].
    Help,
}

/// Parses the arguments (without the program name).
pub fn parse_args<I: IntoIterator<Item = String>>(args: I) -> Result<Command, String> {
    let mut opts = Options::default();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let mut value = |what: &str| -> Result<String, String> {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{flag} needs {what}"))
        };
        match flag.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "--json" => opts.json = true,
            "--http-port" => opts.http_port = parse_num(&flag, &value("a port")?)?,
            "--tcp-port" => opts.tcp_port = parse_num(&flag, &value("a port")?)?,
            "--fail-with" => {
                let status: u16 = parse_num(&flag, &value("an HTTP status")?)?;
                if !(200..=599).contains(&status) {
                    return Err(format!("--fail-with: {status} is not an HTTP status"));
                }
                opts.fail_with = Some(status);
            }
            "--max-rows" | "--exit-after-rows" => {
                opts.max_rows = Some(parse_num(&flag, &value("a row count")?)?)
            }
            "--ready-file" => opts.ready_file = Some(PathBuf::from(value("a path")?)),
            _ => return Err(format!("unknown argument {arg:?} (see --help)")),
        }
    }
    Ok(Command::Run(opts))
}

fn parse_num<T: std::str::FromStr>(flag: &str, text: &str) -> Result<T, String> {
    text.parse()
        .map_err(|_| format!("{flag}: invalid number {text:?}"))
}

/// A bound capture server.
pub struct Capture {
    http: TcpListener,
    tcp: TcpListener,
    shared: Arc<Shared>,
    done: mpsc::Receiver<()>,
}

struct Shared {
    opts: Options,
    out: Mutex<Output>,
    error_ids: AtomicU64,
    done: Mutex<mpsc::Sender<()>>,
}

struct Output {
    rows: u64,
}

impl Capture {
    /// Binds both listeners on 127.0.0.1.
    pub fn bind(opts: Options) -> io::Result<Capture> {
        let http = TcpListener::bind(("127.0.0.1", opts.http_port))
            .map_err(|e| io::Error::new(e.kind(), format!("HTTP port {}: {e}", opts.http_port)))?;
        let tcp = TcpListener::bind(("127.0.0.1", opts.tcp_port))
            .map_err(|e| io::Error::new(e.kind(), format!("TCP port {}: {e}", opts.tcp_port)))?;
        let (tx, rx) = mpsc::channel();
        Ok(Capture {
            http,
            tcp,
            shared: Arc::new(Shared {
                opts,
                out: Mutex::new(Output { rows: 0 }),
                error_ids: AtomicU64::new(0),
                done: Mutex::new(tx),
            }),
            done: rx,
        })
    }

    /// The bound HTTP address.
    pub fn http_addr(&self) -> io::Result<SocketAddr> {
        self.http.local_addr()
    }

    /// The bound TCP address.
    pub fn tcp_addr(&self) -> io::Result<SocketAddr> {
        self.tcp.local_addr()
    }

    /// The line announcing the ports: `listening http=127.0.0.1:P tcp=127.0.0.1:Q`.
    pub fn listening_line(&self) -> io::Result<String> {
        Ok(format!(
            "listening http={} tcp={}",
            self.http_addr()?,
            self.tcp_addr()?
        ))
    }

    /// Announces the ports (stderr and the ready file), then serves until
    /// `max_rows` rows were printed (forever without it).
    pub fn run(self) -> io::Result<()> {
        let line = self.listening_line()?;
        if let Some(path) = &self.shared.opts.ready_file {
            let tmp = path.with_extension("tmp");
            std::fs::write(&tmp, format!("{line}\n"))?;
            std::fs::rename(&tmp, path)?;
        }
        eprintln!("{line}");
        if self.shared.opts.max_rows == Some(0) {
            return Ok(());
        }
        let Capture {
            http,
            tcp,
            shared,
            done,
        } = self;
        spawn_acceptor(http, shared.clone(), serve_http);
        spawn_acceptor(tcp, shared, serve_tcp);
        // Every sender lives in `Shared`, which the acceptors keep: this
        // only returns once the row limit was reached.
        let _ = done.recv();
        Ok(())
    }
}

fn spawn_acceptor(
    listener: TcpListener,
    shared: Arc<Shared>,
    serve: fn(TcpStream, &Shared) -> io::Result<()>,
) {
    thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(conn) = conn else { continue };
            let shared = shared.clone();
            thread::spawn(move || {
                let _ = conn.set_nodelay(true);
                let _ = serve(conn, &shared);
            });
        }
    });
}

impl Shared {
    /// Prints rows up to the row limit; true once the limit is reached.
    fn print_rows(&self, rows: &[Row], transport: Transport) -> bool {
        let mut out = self.out.lock().unwrap_or_else(|e| e.into_inner());
        let stdout = io::stdout();
        let mut w = stdout.lock();
        for row in rows {
            if self.opts.max_rows.is_some_and(|max| out.rows >= max) {
                break;
            }
            let line = if self.opts.json {
                format::json(row, transport)
            } else {
                format::readable(row)
            };
            let _ = writeln!(w, "{line}");
            out.rows += 1;
        }
        let _ = w.flush();
        self.opts.max_rows.is_some_and(|max| out.rows >= max)
    }

    fn print_error(&self, err: &DecodeError, transport: Transport) {
        let _out = self.out.lock().unwrap_or_else(|e| e.into_inner());
        let line = if self.opts.json {
            format!(
                "{{\"error\":{},\"row\":{},\"offset\":{},\"transport\":\"{}\"}}",
                serde_json::Value::from(err.msg.as_str()),
                err.row,
                err.offset,
                transport.name()
            )
        } else {
            format!("error: {}: {err}", transport.name())
        };
        let stdout = io::stdout();
        let mut w = stdout.lock();
        let _ = writeln!(w, "{line}");
        let _ = w.flush();
    }

    fn finish(&self) {
        let _ = self.done.lock().unwrap_or_else(|e| e.into_inner()).send(());
    }

    fn next_error_id(&self) -> String {
        format!(
            "capture-{}",
            self.error_ids.fetch_add(1, Ordering::Relaxed) + 1
        )
    }
}

// ---------------------------------------------------------------- TCP

fn serve_tcp(mut conn: TcpStream, shared: &Shared) -> io::Result<()> {
    let mut buf: Vec<u8> = Vec::new();
    let mut base = 0usize; // stream offset of buf[0]
    let mut rows_before = 0usize;
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        let n = conn.read(&mut chunk)?;
        if n == 0 {
            if !buf.is_empty() {
                let err = DecodeError {
                    offset: base + buf.len(),
                    row: rows_before,
                    msg: format!(
                        "connection closed in the middle of a row ({} bytes pending)",
                        buf.len()
                    ),
                };
                shared.print_error(&err, Transport::Tcp);
            }
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
        let partial = decode_partial(&buf);
        if !partial.rows.is_empty() && shared.print_rows(&partial.rows, Transport::Tcp) {
            shared.finish();
        }
        if let Some(mut err) = partial.error {
            err.offset += base;
            err.row += rows_before;
            shared.print_error(&err, Transport::Tcp);
            let _ = conn.shutdown(std::net::Shutdown::Both);
            return Ok(());
        }
        rows_before += partial.rows.len();
        base += partial.consumed;
        buf.drain(..partial.consumed);
    }
}

// ---------------------------------------------------------------- HTTP

/// Largest request head (request line and headers) accepted.
const MAX_HEAD: usize = 64 * 1024;

struct Request {
    method: String,
    path: String,
    keep_alive: bool,
    body: Vec<u8>,
}

fn serve_http(conn: TcpStream, shared: &Shared) -> io::Result<()> {
    let mut writer = conn.try_clone()?;
    let mut reader = BufReader::new(conn);
    loop {
        let req = match read_request(&mut reader, &mut writer) {
            Ok(Some(req)) => req,
            Ok(None) => return Ok(()),
            Err(e) if e.kind() == io::ErrorKind::InvalidData => {
                respond(
                    &mut writer,
                    400,
                    "text/plain",
                    e.to_string().as_bytes(),
                    false,
                )?;
                return Ok(());
            }
            Err(e) => return Err(e),
        };
        let route = req.path.split('?').next().unwrap_or("");
        let mut finished = false;
        match (req.method.as_str(), route) {
            ("GET", "/settings") => respond(
                &mut writer,
                200,
                "application/json",
                SETTINGS.as_bytes(),
                req.keep_alive,
            )?,
            ("GET" | "HEAD", "/ping") => respond(&mut writer, 204, "", b"", req.keep_alive)?,
            ("POST", "/write" | "/api/v2/write") => {
                if let Some(status) = shared.opts.fail_with {
                    let body = error_body(
                        &format!("capture tool configured to fail (--fail-with {status})"),
                        1,
                        &shared.next_error_id(),
                    );
                    eprintln!("answered {status} to POST {} (--fail-with)", req.path);
                    respond(
                        &mut writer,
                        status,
                        JSON_UTF8,
                        body.as_bytes(),
                        req.keep_alive,
                    )?;
                } else {
                    match decode(&req.body) {
                        Ok(rows) => {
                            finished = shared.print_rows(&rows, Transport::Http);
                            respond(&mut writer, 204, "", b"", req.keep_alive)?;
                        }
                        Err(err) => {
                            shared.print_error(&err, Transport::Http);
                            let body = error_body(
                                &format!(
                                    "failed to parse line protocol: error in line {}: byte {}: {}",
                                    err.row + 1,
                                    err.offset,
                                    err.msg
                                ),
                                err.row + 1,
                                &shared.next_error_id(),
                            );
                            respond(&mut writer, 400, JSON_UTF8, body.as_bytes(), req.keep_alive)?;
                        }
                    }
                }
            }
            _ => respond(&mut writer, 404, "text/plain", b"Not Found", req.keep_alive)?,
        }
        if finished {
            shared.finish();
        }
        if !req.keep_alive {
            return Ok(());
        }
    }
}

const SETTINGS: &str =
    r#"{"config":{"line.proto.support.versions":[1,2,3],"cairo.max.file.name.length":127}}"#;
const JSON_UTF8: &str = "application/json; charset=utf-8";

fn error_body(message: &str, line: usize, id: &str) -> String {
    format!(
        "{{\"code\":\"invalid\",\"message\":{},\"line\":{line},\"errorId\":{}}}",
        serde_json::Value::from(message),
        serde_json::Value::from(id)
    )
}

fn bad(msg: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg.into())
}

/// Reads a line ending in `\n` (CRLF or LF), without the line ending.
fn read_line(reader: &mut impl BufRead, limit: usize) -> io::Result<Option<String>> {
    let mut line = Vec::new();
    let n = reader.take(limit as u64 + 1).read_until(b'\n', &mut line)?;
    if n == 0 {
        return Ok(None);
    }
    if line.last() != Some(&b'\n') {
        return Err(if n > limit {
            bad("request head too long")
        } else {
            io::Error::new(io::ErrorKind::UnexpectedEof, "connection closed mid-line")
        });
    }
    line.pop();
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    String::from_utf8(line)
        .map(Some)
        .map_err(|_| bad("request head is not UTF-8"))
}

fn read_request(
    reader: &mut BufReader<TcpStream>,
    writer: &mut TcpStream,
) -> io::Result<Option<Request>> {
    let request_line = loop {
        match read_line(reader, MAX_HEAD)? {
            None => return Ok(None),
            Some(l) if l.is_empty() => continue, // stray CRLF between requests
            Some(l) => break l,
        }
    };
    let mut parts = request_line.split_whitespace();
    let (Some(method), Some(path), Some(version)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(bad(format!("bad request line {request_line:?}")));
    };
    let mut keep_alive = version != "HTTP/1.0";
    let mut content_length: Option<usize> = None;
    let mut chunked = false;
    let mut expect_continue = false;
    loop {
        let line = read_line(reader, MAX_HEAD)?
            .ok_or_else(|| io::Error::new(io::ErrorKind::UnexpectedEof, "closed in headers"))?;
        if line.is_empty() {
            break;
        }
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| bad(format!("bad header {line:?}")))?;
        let value = value.trim();
        match name.trim().to_ascii_lowercase().as_str() {
            "content-length" => {
                content_length = Some(value.parse().map_err(|_| bad("bad Content-Length"))?)
            }
            "transfer-encoding" => chunked = value.to_ascii_lowercase().contains("chunked"),
            "connection" => {
                let v = value.to_ascii_lowercase();
                if v.contains("close") {
                    keep_alive = false;
                } else if v.contains("keep-alive") {
                    keep_alive = true;
                }
            }
            "expect" => expect_continue = value.eq_ignore_ascii_case("100-continue"),
            _ => {}
        }
    }
    if expect_continue {
        writer.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
    }
    let body = if chunked {
        read_chunked(reader)?
    } else {
        let len = content_length.unwrap_or(0);
        let mut body = Vec::new();
        reader.take(len as u64).read_to_end(&mut body)?;
        if body.len() != len {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "closed in the body",
            ));
        }
        body
    };
    Ok(Some(Request {
        method: method.to_string(),
        path: path.to_string(),
        keep_alive,
        body,
    }))
}

fn read_chunked(reader: &mut BufReader<TcpStream>) -> io::Result<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let line = read_line(reader, 1024)?
            .ok_or_else(|| io::Error::new(io::ErrorKind::UnexpectedEof, "closed in a chunk"))?;
        let size = line.split(';').next().unwrap_or("").trim();
        let size =
            usize::from_str_radix(size, 16).map_err(|_| bad(format!("bad chunk size {size:?}")))?;
        if size == 0 {
            // Trailers, up to the empty line.
            while let Some(l) = read_line(reader, MAX_HEAD)? {
                if l.is_empty() {
                    break;
                }
            }
            return Ok(body);
        }
        let start = body.len();
        reader.take(size as u64).read_to_end(&mut body)?;
        if body.len() - start != size {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "closed in a chunk",
            ));
        }
        let crlf = read_line(reader, 2)?;
        if crlf.as_deref() != Some("") {
            return Err(bad("chunk not followed by CRLF"));
        }
    }
}

fn respond(
    w: &mut TcpStream,
    status: u16,
    content_type: &str,
    body: &[u8],
    keep_alive: bool,
) -> io::Result<()> {
    let mut head = format!("HTTP/1.1 {status} {}\r\n", reason(status));
    if !content_type.is_empty() {
        head.push_str(&format!("Content-Type: {content_type}\r\n"));
    }
    if status != 204 {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str(if keep_alive {
        "Connection: keep-alive\r\n\r\n"
    } else {
        "Connection: close\r\n\r\n"
    });
    let mut msg = head.into_bytes();
    if status != 204 {
        msg.extend_from_slice(body);
    }
    w.write_all(&msg)?;
    w.flush()
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        413 => "Payload Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Result<Command, String> {
        parse_args(list.iter().map(|s| s.to_string()))
    }

    #[test]
    fn parses_options() {
        assert_eq!(args(&[]), Ok(Command::Run(Options::default())));
        assert_eq!(args(&["--help"]), Ok(Command::Help));
        let Ok(Command::Run(o)) = args(&[
            "--http-port",
            "0",
            "--tcp-port=0",
            "--json",
            "--fail-with",
            "500",
            "--exit-after-rows",
            "3",
            "--ready-file",
            "/tmp/x",
        ]) else {
            panic!()
        };
        assert_eq!(o.http_port, 0);
        assert_eq!(o.tcp_port, 0);
        assert!(o.json);
        assert_eq!(o.fail_with, Some(500));
        assert_eq!(o.max_rows, Some(3));
        assert_eq!(o.ready_file, Some(PathBuf::from("/tmp/x")));
        assert!(args(&["--http-port"]).is_err());
        assert!(args(&["--http-port", "x"]).is_err());
        assert!(args(&["--fail-with", "42"]).is_err());
        assert!(args(&["--bogus"]).is_err());
    }
}

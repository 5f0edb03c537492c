//! A scripted in-process HTTP/1.1 server for sender tests (std only).
//!
//! `MockHttp::start()` listens on `127.0.0.1:0`. Every request is recorded
//! ([`Request`]). Answers come from two scripts: one for `GET /settings`
//! (default 404) and one for every other path (default 204). Each script is
//! a queue of [`Action`]s consumed one per request, falling back to the
//! default when empty. Connections are kept alive (several requests per
//! connection) unless the client sends `Connection: close`. Dropping the
//! server stops every thread and closes every socket.

use std::collections::VecDeque;
use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

const POLL: Duration = Duration::from_millis(20);

/// What the server does with one request.
#[derive(Clone, Debug)]
pub enum Action {
    /// Read the whole request, answer with this status, headers and body
    /// (`Content-Length` is added, except for 204).
    Respond {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// Close the connection right after reading the request headers.
    CloseMidRequest,
    /// Read the request and never answer; the socket stays open until the
    /// server is dropped.
    Hang,
    /// Read the request, wait, then do the inner action.
    Delay(Duration, Box<Action>),
}

impl Action {
    /// A response without body.
    pub fn status(status: u16) -> Self {
        Action::Respond {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// A response with a body and a `Content-Type`.
    pub fn body(status: u16, content_type: &str, body: &str) -> Self {
        Action::Respond {
            status,
            headers: vec![("Content-Type".to_string(), content_type.to_string())],
            body: body.as_bytes().to_vec(),
        }
    }

    /// A JSON response as QuestDB sends it (`application/json; charset=utf-8`).
    pub fn json(status: u16, body: &str) -> Self {
        Self::body(status, "application/json; charset=utf-8", body)
    }
}

/// One request as received.
#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    /// Path without the query string.
    pub path: String,
    /// Text after `?`, empty when absent.
    pub query: String,
    /// Headers in arrival order, names as sent.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// When the request headers were complete.
    pub at: Instant,
    /// Index of the accepted connection (0-based) it arrived on.
    pub connection: usize,
}

impl Request {
    /// First header with this name, compared case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

struct Script {
    queue: VecDeque<Action>,
    default: Action,
}

impl Script {
    fn next(&mut self) -> Action {
        self.queue
            .pop_front()
            .unwrap_or_else(|| self.default.clone())
    }
}

struct Shared {
    shutdown: AtomicBool,
    connections: AtomicUsize,
    requests: Mutex<Vec<Request>>,
    write: Mutex<Script>,
    settings: Mutex<Script>,
    workers: Mutex<Vec<JoinHandle<()>>>,
}

/// The server; see the module documentation.
pub struct MockHttp {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept: Option<JoinHandle<()>>,
}

impl MockHttp {
    /// Starts a server on a free port of 127.0.0.1.
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind mock HTTP server");
        let addr = listener.local_addr().unwrap();
        let shared = Arc::new(Shared {
            shutdown: AtomicBool::new(false),
            connections: AtomicUsize::new(0),
            requests: Mutex::new(Vec::new()),
            write: Mutex::new(Script {
                queue: VecDeque::new(),
                default: Action::status(204),
            }),
            settings: Mutex::new(Script {
                queue: VecDeque::new(),
                default: Action::status(404),
            }),
            workers: Mutex::new(Vec::new()),
        });
        let accept_shared = shared.clone();
        let accept = std::thread::spawn(move || accept_loop(listener, accept_shared));
        MockHttp {
            addr,
            shared,
            accept: Some(accept),
        }
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Queues an action for the next request to any path but `/settings`.
    pub fn push(&self, action: Action) -> &Self {
        self.shared.write.lock().unwrap().queue.push_back(action);
        self
    }

    /// The action for requests (not `/settings`) once the queue is empty.
    pub fn set_default(&self, action: Action) -> &Self {
        self.shared.write.lock().unwrap().default = action;
        self
    }

    /// Queues an action for the next `/settings` request.
    pub fn push_settings(&self, action: Action) -> &Self {
        self.shared.settings.lock().unwrap().queue.push_back(action);
        self
    }

    /// The action for `/settings` once its queue is empty (initially 404).
    pub fn set_settings_default(&self, action: Action) -> &Self {
        self.shared.settings.lock().unwrap().default = action;
        self
    }

    /// Every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<Request> {
        self.shared.requests.lock().unwrap().clone()
    }

    /// Requests received so far to this path.
    pub fn requests_to(&self, path: &str) -> Vec<Request> {
        self.requests()
            .into_iter()
            .filter(|r| r.path == path)
            .collect()
    }

    /// Number of accepted connections.
    pub fn connections(&self) -> usize {
        self.shared.connections.load(Ordering::SeqCst)
    }
}

impl Drop for MockHttp {
    fn drop(&mut self) {
        self.shared.shutdown.store(true, Ordering::SeqCst);
        // Wake the accept loop.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
        let workers: Vec<_> = self.shared.workers.lock().unwrap().drain(..).collect();
        for worker in workers {
            let _ = worker.join();
        }
    }
}

fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    for stream in listener.incoming() {
        if shared.shutdown.load(Ordering::SeqCst) {
            return;
        }
        let Ok(stream) = stream else { continue };
        let index = shared.connections.fetch_add(1, Ordering::SeqCst);
        let worker_shared = shared.clone();
        let worker = std::thread::spawn(move || serve(stream, index, worker_shared));
        shared.workers.lock().unwrap().push(worker);
    }
}

/// Reads from `stream` into `buf` until `done(buf)` holds. `false` on EOF,
/// error or shutdown.
fn read_until(
    stream: &mut TcpStream,
    buf: &mut Vec<u8>,
    shared: &Shared,
    done: impl Fn(&[u8]) -> bool,
) -> bool {
    let mut chunk = [0u8; 16 * 1024];
    while !done(buf) {
        if shared.shutdown.load(Ordering::SeqCst) {
            return false;
        }
        match stream.read(&mut chunk) {
            Ok(0) => return false,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(_) => return false,
        }
    }
    true
}

fn find_header_end(buf: &[u8]) -> Option<usize> {
    buf.windows(4).position(|w| w == b"\r\n\r\n").map(|p| p + 4)
}

fn serve(mut stream: TcpStream, connection: usize, shared: Arc<Shared>) {
    let _ = stream.set_read_timeout(Some(POLL));
    let mut buf = Vec::new();
    loop {
        if !read_until(&mut stream, &mut buf, &shared, |b| {
            find_header_end(b).is_some()
        }) {
            return;
        }
        let end = find_header_end(&buf).unwrap();
        let head = String::from_utf8_lossy(&buf[..end - 4]).into_owned();
        let at = Instant::now();
        let mut lines = head.split("\r\n");
        let mut parts = lines.next().unwrap_or("").split(' ');
        let method = parts.next().unwrap_or("").to_string();
        let target = parts.next().unwrap_or("").to_string();
        let (path, query) = match target.split_once('?') {
            Some((p, q)) => (p.to_string(), q.to_string()),
            None => (target.clone(), String::new()),
        };
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.to_string(), v.trim().to_string()))
            .collect();
        let mut request = Request {
            method,
            path,
            query,
            headers,
            body: Vec::new(),
            at,
            connection,
        };
        let mut action = if request.path == "/settings" {
            shared.settings.lock().unwrap().next()
        } else {
            shared.write.lock().unwrap().next()
        };
        if let Action::CloseMidRequest = action {
            shared.requests.lock().unwrap().push(request);
            return;
        }
        let len: usize = request
            .header("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        buf.drain(..end);
        let complete = read_until(&mut stream, &mut buf, &shared, |b| b.len() >= len);
        let taken = len.min(buf.len());
        request.body = buf.drain(..taken).collect();
        let close = request
            .header("connection")
            .is_some_and(|v| v.eq_ignore_ascii_case("close"));
        shared.requests.lock().unwrap().push(request);
        if !complete {
            return;
        }
        loop {
            match action {
                Action::Delay(wait, inner) => {
                    let until = Instant::now() + wait;
                    while Instant::now() < until {
                        if shared.shutdown.load(Ordering::SeqCst) {
                            return;
                        }
                        std::thread::sleep(POLL.min(until - Instant::now()));
                    }
                    action = *inner;
                }
                Action::Hang => {
                    while !shared.shutdown.load(Ordering::SeqCst) {
                        std::thread::sleep(POLL);
                    }
                    return;
                }
                Action::CloseMidRequest => return,
                Action::Respond {
                    status,
                    headers,
                    body,
                } => {
                    let mut out = format!("HTTP/1.1 {} {}\r\n", status, reason(status));
                    for (n, v) in &headers {
                        out.push_str(&format!("{}: {}\r\n", n, v));
                    }
                    if status != 204 && !(100..200).contains(&status) {
                        out.push_str(&format!("Content-Length: {}\r\n", body.len()));
                    }
                    if close {
                        out.push_str("Connection: close\r\n");
                    }
                    out.push_str("\r\n");
                    let mut bytes = out.into_bytes();
                    bytes.extend_from_slice(&body);
                    if stream.write_all(&bytes).is_err() || close {
                        return;
                    }
                    break;
                }
            }
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

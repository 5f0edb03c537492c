//! A recording TCP server for sender tests (std only).
//!
//! `MockTcp::start(mode)` listens on `127.0.0.1:0` (`start_v6` on `[::1]:0`),
//! accepts every connection and records the bytes received on each.
//! [`Mode`] can make it close connections early. Dropping the server stops
//! its threads and closes every socket.

use std::io::{ErrorKind, Read};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

const POLL: Duration = Duration::from_millis(20);

/// What the server does with each accepted connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Read and record until the peer closes.
    Record,
    /// Record the first N bytes, then close.
    CloseAfter(usize),
    /// Close right after accepting.
    CloseOnAccept,
}

struct Shared {
    shutdown: AtomicBool,
    /// Bytes received, one entry per accepted connection.
    received: Mutex<Vec<Vec<u8>>>,
    changed: Condvar,
    workers: Mutex<Vec<JoinHandle<()>>>,
}

/// The server; see the module documentation.
pub struct MockTcp {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept: Option<JoinHandle<()>>,
}

impl MockTcp {
    /// Starts on a free port of 127.0.0.1.
    pub fn start(mode: Mode) -> Self {
        Self::start_on("127.0.0.1:0", mode).expect("bind mock TCP server")
    }

    /// Starts on a free port of ::1; the error if IPv6 loopback is unavailable.
    pub fn start_v6(mode: Mode) -> std::io::Result<Self> {
        Self::start_on("[::1]:0", mode)
    }

    fn start_on(addr: &str, mode: Mode) -> std::io::Result<Self> {
        let listener = TcpListener::bind(addr)?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            shutdown: AtomicBool::new(false),
            received: Mutex::new(Vec::new()),
            changed: Condvar::new(),
            workers: Mutex::new(Vec::new()),
        });
        let accept_shared = shared.clone();
        let accept = std::thread::spawn(move || accept_loop(listener, mode, accept_shared));
        Ok(MockTcp {
            addr,
            shared,
            accept: Some(accept),
        })
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Number of accepted connections.
    pub fn connections(&self) -> usize {
        self.shared.received.lock().unwrap().len()
    }

    /// Bytes received so far, per connection.
    pub fn received(&self) -> Vec<Vec<u8>> {
        self.shared.received.lock().unwrap().clone()
    }

    /// Waits until at least `count` bytes arrived (all connections together)
    /// and returns them concatenated in connection order. Panics after
    /// `timeout`, showing what did arrive.
    pub fn wait_for_bytes(&self, count: usize, timeout: Duration) -> Vec<u8> {
        let deadline = Instant::now() + timeout;
        let mut received = self.shared.received.lock().unwrap();
        loop {
            let all: Vec<u8> = received.concat();
            if all.len() >= count {
                return all;
            }
            let now = Instant::now();
            if now >= deadline {
                panic!(
                    "expected {} bytes within {:?}, got {}: {:?}",
                    count,
                    timeout,
                    all.len(),
                    String::from_utf8_lossy(&all)
                );
            }
            received = self
                .shared
                .changed
                .wait_timeout(received, deadline - now)
                .unwrap()
                .0;
        }
    }
}

impl Drop for MockTcp {
    fn drop(&mut self) {
        self.shared.shutdown.store(true, Ordering::SeqCst);
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

fn accept_loop(listener: TcpListener, mode: Mode, shared: Arc<Shared>) {
    for stream in listener.incoming() {
        if shared.shutdown.load(Ordering::SeqCst) {
            return;
        }
        let Ok(stream) = stream else { continue };
        let index = {
            let mut received = shared.received.lock().unwrap();
            received.push(Vec::new());
            received.len() - 1
        };
        shared.changed.notify_all();
        if mode == Mode::CloseOnAccept {
            drop(stream);
            continue;
        }
        let limit = match mode {
            Mode::CloseAfter(n) => n,
            _ => usize::MAX,
        };
        let worker_shared = shared.clone();
        let worker = std::thread::spawn(move || record(stream, index, limit, worker_shared));
        shared.workers.lock().unwrap().push(worker);
    }
}

fn record(mut stream: TcpStream, index: usize, limit: usize, shared: Arc<Shared>) {
    let _ = stream.set_read_timeout(Some(POLL));
    let mut chunk = [0u8; 64 * 1024];
    let mut total = 0usize;
    while total < limit && !shared.shutdown.load(Ordering::SeqCst) {
        let want = chunk.len().min(limit - total);
        match stream.read(&mut chunk[..want]) {
            Ok(0) => return,
            Ok(n) => {
                total += n;
                shared.received.lock().unwrap()[index].extend_from_slice(&chunk[..n]);
                shared.changed.notify_all();
            }
            Err(e)
                if matches!(
                    e.kind(),
                    ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted
                ) => {}
            Err(_) => return,
        }
    }
}

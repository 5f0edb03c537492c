//! ILP over TCP: a flush writes the buffer to the socket; the server never
//! answers, and drops the connection when it dislikes the data.

use super::address::{authority, numeric_port, resolve};
use crate::auth::EcdsaKey;
use crate::conf::SenderOptions;
use crate::error::{Error, ErrorCode, Result};
use crate::tls;
use rustls::{ClientConfig, ClientConnection, StreamOwned};
use socket2::{Domain, Protocol, SockAddr, Socket, Type};
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::Duration;

/// How long unsent data may linger after close.
const LINGER: Duration = Duration::from_secs(120);

/// A byte stream to the server: the plain socket, or TLS over it.
pub(crate) trait Stream: Read + Write + Send {}
impl<T: Read + Write + Send> Stream for T {}

pub(crate) struct TcpTransport {
    /// `None` once a write failed: the sender must be closed.
    stream: Option<Box<dyn Stream>>,
    /// The raw socket, kept to shut down the write side on close.
    socket: TcpStream,
}

impl TcpTransport {
    /// Connects, then runs the TLS handshake (with `tls`) and the ECDSA
    /// handshake (with `key`), both bounded by `auth_timeout`.
    pub fn connect(
        opts: &SenderOptions,
        tls: Option<Arc<ClientConfig>>,
        key: Option<&EcdsaKey>,
    ) -> Result<Self> {
        let socket = Self::connect_socket(opts)?;
        let plain = socket
            .try_clone()
            .map_err(|e| socket_error(format!("Could not clone socket: {}", e)))?;
        let mut stream: Box<dyn Stream> = match tls {
            Some(config) => Box::new(tls_handshake(plain, config, opts)?),
            None => Box::new(plain),
        };
        if let Some(key) = key {
            key.authenticate(&mut stream)?;
        }
        Ok(TcpTransport {
            stream: Some(stream),
            socket,
        })
    }

    /// Resolves, connects, and sets the socket up for low-latency writes.
    fn connect_socket(opts: &SenderOptions) -> Result<TcpStream> {
        let addrs = resolve(opts.host(), opts.port())?;
        let bind = match opts.bind_interface() {
            Some(interface) => Some(resolve_bind(interface)?),
            None => None,
        };
        let shown = authority(opts.host(), numeric_port(opts.port())?);
        let mut last_error = None;
        for addr in addrs {
            let bind_for_family = match &bind {
                Some(candidates) => match candidates.iter().find(|b| b.is_ipv4() == addr.is_ipv4())
                {
                    Some(b) => Some(*b),
                    None => continue,
                },
                None => None,
            };
            match connect_one(addr, bind_for_family, &shown) {
                Ok(socket) => {
                    socket
                        .set_read_timeout(Some(opts.auth_timeout()))
                        .map_err(|e| socket_error(format!("Could not set read timeout: {}", e)))?;
                    return Ok(socket);
                }
                Err(err) => last_error = Some(err),
            }
        }
        Err(last_error.unwrap_or_else(|| {
            socket_error(format!(
                "Could not connect to {:?}: no address of the same family as bind_interface {:?}",
                shown,
                opts.bind_interface().unwrap_or("")
            ))
        }))
    }

    pub fn is_connected(&self) -> bool {
        self.stream.is_some()
    }

    /// Writes all of `bytes`. A failure disconnects the sender for good:
    /// the server may have seen part of the data, so resending is unsafe.
    pub fn send(&mut self, bytes: &[u8]) -> Result<()> {
        let Some(stream) = self.stream.as_mut() else {
            return Err(not_connected());
        };
        let written = stream.write_all(bytes).and_then(|()| stream.flush());
        if let Err(err) = written {
            self.stream = None;
            return Err(socket_error(format!("Could not flush buffer: {}", err)));
        }
        Ok(())
    }
}

impl Drop for TcpTransport {
    fn drop(&mut self) {
        // Flush TLS state, then tell the server we are done writing.
        if let Some(mut stream) = self.stream.take() {
            let _ = stream.flush();
        }
        let _ = self.socket.shutdown(Shutdown::Write);
    }
}

/// Completes the TLS handshake before any data is sent, so that
/// certificate problems surface at build time as `tls_error`.
fn tls_handshake(
    mut socket: TcpStream,
    config: Arc<ClientConfig>,
    opts: &SenderOptions,
) -> Result<StreamOwned<ClientConnection, TcpStream>> {
    let name = tls::server_name(opts.host())?;
    let mut conn = ClientConnection::new(config, name)
        .map_err(|e| tls::tls_error(format!("Could not start TLS: {}", e)))?;
    while conn.is_handshaking() {
        if let Err(err) = conn.complete_io(&mut socket) {
            let cause = match err.kind() {
                ErrorKind::WouldBlock | ErrorKind::TimedOut => format!(
                    "Timed out waiting for server response after {:?}.",
                    opts.auth_timeout()
                ),
                _ => match tls::rustls_cause(&err) {
                    Some(tls_err) => tls_err.to_string(),
                    None => err.to_string(),
                },
            };
            return Err(tls::tls_error(format!(
                "Failed to complete TLS handshake: {}",
                cause
            )));
        }
    }
    Ok(StreamOwned::new(conn, socket))
}

pub(crate) fn not_connected() -> Error {
    socket_error("Could not flush buffer: not connected to database.".to_string())
}

fn socket_error(msg: String) -> Error {
    Error::new(ErrorCode::SocketError, msg)
}

fn resolve_bind(interface: &str) -> Result<Vec<SocketAddr>> {
    resolve(interface, "0").map_err(|e| {
        Error::new(
            ErrorCode::CouldNotResolveAddr,
            format!(
                "Could not resolve bind_interface {:?}: {}",
                interface,
                e.msg()
            ),
        )
    })
}

fn connect_one(addr: SocketAddr, bind: Option<SocketAddr>, shown: &str) -> Result<TcpStream> {
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))
        .map_err(|e| socket_error(format!("Could not open TCP socket: {}", e)))?;
    let option = |name: &str, result: std::io::Result<()>| {
        result.map_err(|e| socket_error(format!("Could not set {}: {}", name, e)))
    };
    option("SO_REUSEADDR", socket.set_reuse_address(true))?;
    option("SO_LINGER", socket.set_linger(Some(LINGER)))?;
    option("SO_KEEPALIVE", socket.set_keepalive(true))?;
    option("TCP_NODELAY", socket.set_tcp_nodelay(true))?;
    if let Some(local) = bind {
        socket.bind(&SockAddr::from(local)).map_err(|e| {
            socket_error(format!(
                "Could not bind to interface address {:?}: {}",
                local.ip().to_string(),
                e
            ))
        })?;
    }
    socket
        .connect(&SockAddr::from(addr))
        .map_err(|e| socket_error(format!("Could not connect to {:?}: {}", shown, e)))?;
    Ok(socket.into())
}

//! A sender owns one transport (TCP or HTTP) and sends buffers over it.
//! The checks before sending are the same for both transports; what "send"
//! means is the transport's business.

mod address;
mod http;
mod retry;
mod tcp;
mod tls_connector;

use crate::auth::EcdsaKey;
use crate::buffer::{Buffer, ProtocolVersion};
use crate::conf::{Auth, SenderOptions};
use crate::error::{Error, ErrorCode, Result};
use crate::tls;

/// Sends buffers of ILP rows to one server.
pub struct Sender {
    transport: Transport,
    protocol_version: ProtocolVersion,
    max_name_len: usize,
    max_buf_size: usize,
    init_buf_size: usize,
}

impl std::fmt::Debug for Sender {
    // Hand-written so that credentials held by the transport never show.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let transport = match &self.transport {
            Transport::Tcp(_) => "tcp",
            Transport::Http(_) => "http",
        };
        f.debug_struct("Sender")
            .field("transport", &transport)
            .field("protocol_version", &self.protocol_version)
            .field("max_name_len", &self.max_name_len)
            .field("max_buf_size", &self.max_buf_size)
            .field("must_close", &self.must_close())
            .finish()
    }
}

enum Transport {
    Tcp(tcp::TcpTransport),
    Http(http::HttpTransport),
}

impl Sender {
    /// Connects (TCP) or prepares the HTTP agent and detects the protocol
    /// version (HTTP, when not set). `opts` is not consumed.
    pub fn build(opts: &SenderOptions) -> Result<Self> {
        let auth = opts.auth()?;
        opts.check_tls()?;
        let tls = if opts.protocol().is_tls() {
            Some(tls::client_config(opts)?)
        } else {
            None
        };
        let mut max_name_len = opts.max_name_len();
        let (transport, protocol_version) = if opts.protocol().is_http() {
            let http = http::HttpTransport::new(opts, &auth, tls)?;
            let version = match opts.protocol_version() {
                Some(version) => version,
                None => {
                    let server = http.detect()?;
                    if let (Some(len), false) = (server.max_name_len, opts.max_name_len_is_set()) {
                        max_name_len = len;
                    }
                    server.version
                }
            };
            (Transport::Http(http), version)
        } else {
            let key = match &auth {
                Auth::Ecdsa { key_id, d, x, y } => Some(EcdsaKey::new(key_id, d, x, y)?),
                _ => None,
            };
            let tcp = tcp::TcpTransport::connect(opts, tls, key.as_ref())?;
            let version = opts.protocol_version().unwrap_or(ProtocolVersion::V1);
            (Transport::Tcp(tcp), version)
        };
        Ok(Sender {
            transport,
            protocol_version,
            max_name_len,
            max_buf_size: opts.max_buf_size(),
            init_buf_size: opts.init_buf_size(),
        })
    }

    /// `SenderOptions::from_conf` then `build`.
    pub fn from_conf(conf: &str) -> Result<Self> {
        Self::build(&SenderOptions::from_conf(conf)?)
    }

    /// `SenderOptions::from_env` then `build`.
    pub fn from_env() -> Result<Self> {
        Self::build(&SenderOptions::from_env()?)
    }

    /// The version buffers must be written in to be sent by this sender.
    pub fn protocol_version(&self) -> ProtocolVersion {
        self.protocol_version
    }

    /// The longest table or column name the server accepts.
    pub fn max_name_len(&self) -> usize {
        self.max_name_len
    }

    /// A buffer matching this sender's version and name limit, with
    /// `init_buf_size` bytes reserved.
    pub fn new_buffer(&self) -> Buffer {
        let mut buffer = Buffer::with_max_name_len(self.protocol_version, self.max_name_len);
        buffer.reserve(self.init_buf_size);
        buffer
    }

    /// True once a TCP write failed: the sender can no longer send.
    pub fn must_close(&self) -> bool {
        match &self.transport {
            Transport::Tcp(tcp) => !tcp.is_connected(),
            Transport::Http(_) => false,
        }
    }

    /// Sends the buffer, then clears it. On error the buffer is untouched.
    pub fn flush(&mut self, buffer: &mut Buffer) -> Result<()> {
        self.flush_and_keep(buffer)?;
        buffer.clear();
        Ok(())
    }

    /// Sends the buffer and keeps its contents.
    pub fn flush_and_keep(&mut self, buffer: &Buffer) -> Result<()> {
        self.flush_and_keep_with_flags(buffer, false)
    }

    /// Sends the buffer and keeps its contents; with `transactional`, refuses
    /// a buffer that spans several tables (HTTP) or any buffer (TCP).
    pub fn flush_and_keep_with_flags(
        &mut self,
        buffer: &Buffer,
        transactional: bool,
    ) -> Result<()> {
        self.check_flush(buffer, transactional)?;
        if buffer.is_empty() {
            return Ok(());
        }
        match &mut self.transport {
            Transport::Tcp(tcp) => tcp.send(buffer.as_bytes()),
            Transport::Http(http) => http.send(buffer.as_bytes()),
        }
    }

    /// Everything that makes a buffer unsendable, checked before any I/O.
    fn check_flush(&self, buffer: &Buffer, transactional: bool) -> Result<()> {
        if self.must_close() {
            return Err(tcp::not_connected());
        }
        buffer.check_can_flush()?;
        if buffer.len() > self.max_buf_size {
            return Err(Error::new(
                ErrorCode::InvalidApiCall,
                format!(
                    "Could not flush buffer: Buffer size of {} exceeds maximum configured allowed size of {} bytes.",
                    buffer.len(),
                    self.max_buf_size
                ),
            ));
        }
        if buffer.protocol_version() != self.protocol_version {
            return Err(Error::new(
                ErrorCode::ProtocolVersionError,
                format!(
                    "Attempting to send with protocol version {} but the sender is configured to use protocol version {}",
                    buffer.protocol_version(),
                    self.protocol_version
                ),
            ));
        }
        if transactional {
            self.check_transactional(buffer)?;
        }
        Ok(())
    }

    fn check_transactional(&self, buffer: &Buffer) -> Result<()> {
        let refusal = match &self.transport {
            Transport::Tcp(_) => "Transactional flushes are not supported for ILP over TCP.",
            Transport::Http(_) if !buffer.transactional() && !buffer.is_empty() => {
                "Buffer contains lines for multiple tables. Transactional flushes are only supported for buffers containing lines for a single table."
            }
            Transport::Http(_) => return Ok(()),
        };
        Err(Error::new(ErrorCode::InvalidApiCall, refusal))
    }
}

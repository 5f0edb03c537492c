//! A sender owns one transport (TCP or HTTP) and sends buffers over it.
//! The checks before sending are the same for both transports; what "send"
//! means is the transport's business.

mod http;
mod tcp;

use crate::buffer::{Buffer, ProtocolVersion};
use crate::conf::SenderOptions;
use crate::error::Result;

/// Sends buffers of ILP rows to one server.
pub struct Sender {
    transport: Transport,
    protocol_version: ProtocolVersion,
    max_name_len: usize,
    max_buf_size: usize,
    init_buf_size: usize,
}

enum Transport {
    Tcp(tcp::TcpTransport),
    Http(http::HttpTransport),
}

impl Sender {
    /// Connects (TCP) or prepares the HTTP agent and detects the protocol
    /// version (HTTP, when not set). `opts` is not consumed.
    pub fn build(opts: &SenderOptions) -> Result<Self> {
        let _ = opts;
        todo!()
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
        todo!()
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
    pub fn flush_and_keep_with_flags(&mut self, buffer: &Buffer, transactional: bool) -> Result<()> {
        let _ = (buffer, transactional);
        todo!()
    }
}

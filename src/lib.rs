//! questdb-client: stream rows into QuestDB over ILP, from Rust or through a C ABI
//! compatible with QuestDB's official C/C++ client.

mod auth;
pub mod buffer;
pub mod conf;
mod error;
pub mod ffi;
mod names;
pub mod sender;
mod tls;
pub mod tooling;

pub use buffer::{ArrayView, Buffer, ProtocolVersion};
pub use conf::{Auth, AutoFlush, CertificateAuthority, Protocol, SenderOptions};
pub use error::{Error, ErrorCode, Result};
pub use names::{ColumnName, TableName};
pub use sender::Sender;

/// Nanoseconds since the Unix epoch, from the system clock.
pub fn now_nanos() -> i64 {
    since_epoch().as_nanos() as i64
}

/// Microseconds since the Unix epoch, from the system clock.
pub fn now_micros() -> i64 {
    since_epoch().as_micros() as i64
}

fn since_epoch() -> std::time::Duration {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
}

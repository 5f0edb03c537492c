//! The one error type of the library: a code (numbered like the C enum) and a message.

use std::fmt;

/// Category of an error. The numeric values are those of the C enum
/// `line_sender_error_code` and must never change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum ErrorCode {
    /// Host, port or bind interface does not resolve.
    CouldNotResolveAddr = 0,
    /// Calls in the wrong order, buffer too large, bad transactional flush.
    InvalidApiCall = 1,
    /// Connect, read or write failure.
    SocketError = 2,
    /// A string is not valid UTF-8.
    InvalidUtf8 = 3,
    /// A bad or too long table or column name.
    InvalidName = 4,
    /// A negative designated timestamp or a unit conversion overflow.
    InvalidTimestamp = 5,
    /// Authentication failed.
    AuthError = 6,
    /// TLS handshake or certificate failure.
    TlsError = 7,
    /// The HTTP endpoint does not accept ILP.
    HttpNotSupported = 8,
    /// The server rejected the data.
    ServerFlushError = 9,
    /// A bad configuration string or option.
    ConfigError = 10,
    /// A bad array rank, shape, strides or size.
    ArrayError = 11,
    /// A type not supported by the protocol version, or a version mismatch.
    ProtocolVersionError = 12,
    /// A bad decimal string, scale or size.
    InvalidDecimal = 13,
}

/// An error: what went wrong (`code`) and a human-readable UTF-8 message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    code: ErrorCode,
    msg: String,
}

impl Error {
    /// Creates an error with the given code and message.
    pub fn new(code: ErrorCode, msg: impl Into<String>) -> Self {
        Error {
            code,
            msg: msg.into(),
        }
    }

    /// The error's category.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// The error's message.
    pub fn msg(&self) -> &str {
        &self.msg
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.msg)
    }
}

impl std::error::Error for Error {}

/// Result alias used throughout the crate.
pub type Result<T> = std::result::Result<T, Error>;

/// Builds an `Err` with a formatted message.
macro_rules! fail {
    ($code:ident, $($arg:tt)*) => {
        Err($crate::error::Error::new(
            $crate::error::ErrorCode::$code,
            format!($($arg)*),
        ))
    };
}
pub(crate) use fail;

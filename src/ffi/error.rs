use super::{call_infallible, size_t};
use crate::error::{Error, ErrorCode};

/// An error returned by the library. Free it with `line_sender_error_free`.
pub struct line_sender_error(Error);

impl line_sender_error {
    pub(crate) fn boxed(err: Error) -> *mut line_sender_error {
        Box::into_raw(Box::new(line_sender_error(err)))
    }
}

/// Category of a `line_sender_error`.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum line_sender_error_code {
    /// Host, port or bind interface does not resolve.
    line_sender_error_could_not_resolve_addr = 0,
    /// Calls in the wrong order, buffer over the max size, bad transactional flush.
    line_sender_error_invalid_api_call = 1,
    /// Connect, write or read failure; sender no longer connected.
    line_sender_error_socket_error = 2,
    /// A string is not valid UTF-8.
    line_sender_error_invalid_utf8 = 3,
    /// A bad or too long table or column name.
    line_sender_error_invalid_name = 4,
    /// A negative designated timestamp or a unit conversion overflow.
    line_sender_error_invalid_timestamp = 5,
    /// Bad keys, missing challenge, HTTP 401/403.
    line_sender_error_auth_error = 6,
    /// TLS handshake, certificates, root store.
    line_sender_error_tls_error = 7,
    /// The HTTP endpoint does not support ILP (404).
    line_sender_error_http_not_supported = 8,
    /// The server rejected the data.
    line_sender_error_server_flush_error = 9,
    /// A bad configuration string or option.
    line_sender_error_config_error = 10,
    /// A bad array rank, shape, strides or size.
    line_sender_error_array_error = 11,
    /// A type not supported by the buffer's protocol version, a version mismatch, or failed detection.
    line_sender_error_protocol_version_error = 12,
    /// A bad decimal string, scale or size.
    line_sender_error_invalid_decimal = 13,
}

impl From<ErrorCode> for line_sender_error_code {
    fn from(code: ErrorCode) -> Self {
        use line_sender_error_code::*;
        match code {
            ErrorCode::CouldNotResolveAddr => line_sender_error_could_not_resolve_addr,
            ErrorCode::InvalidApiCall => line_sender_error_invalid_api_call,
            ErrorCode::SocketError => line_sender_error_socket_error,
            ErrorCode::InvalidUtf8 => line_sender_error_invalid_utf8,
            ErrorCode::InvalidName => line_sender_error_invalid_name,
            ErrorCode::InvalidTimestamp => line_sender_error_invalid_timestamp,
            ErrorCode::AuthError => line_sender_error_auth_error,
            ErrorCode::TlsError => line_sender_error_tls_error,
            ErrorCode::HttpNotSupported => line_sender_error_http_not_supported,
            ErrorCode::ServerFlushError => line_sender_error_server_flush_error,
            ErrorCode::ConfigError => line_sender_error_config_error,
            ErrorCode::ArrayError => line_sender_error_array_error,
            ErrorCode::ProtocolVersionError => line_sender_error_protocol_version_error,
            ErrorCode::InvalidDecimal => line_sender_error_invalid_decimal,
        }
    }
}

/// The error's category. A NULL error yields `line_sender_error_invalid_api_call`.
#[no_mangle]
pub unsafe extern "C" fn line_sender_error_get_code(
    error: *const line_sender_error,
) -> line_sender_error_code {
    match error.as_ref() {
        Some(err) => err.0.code().into(),
        None => line_sender_error_code::line_sender_error_invalid_api_call,
    }
}

/// The error's UTF-8 message. Never NULL and not NUL-terminated: its length
/// is written to `*len_out` (when `len_out` is not NULL). The text lives as
/// long as the error.
#[no_mangle]
pub unsafe extern "C" fn line_sender_error_msg(
    error: *const line_sender_error,
    len_out: *mut size_t,
) -> *const std::ffi::c_char {
    let msg = match error.as_ref() {
        Some(err) => err.0.msg(),
        None => "",
    };
    if !len_out.is_null() {
        *len_out = msg.len();
    }
    msg.as_ptr() as *const std::ffi::c_char
}

/// Frees an error. NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn line_sender_error_free(error: *mut line_sender_error) {
    if !error.is_null() {
        call_infallible((), || drop(Box::from_raw(error)));
    }
}

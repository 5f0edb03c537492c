use super::line_sender_protocol_version;
use super::{
    call_bool, call_infallible, line_sender_error, line_sender_utf8, null_error, report, size_t,
};
use crate::conf::{CertificateAuthority, Protocol, SenderOptions};
use crate::error::Result;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Settings for building a sender. Made by `line_sender_opts_new`,
/// `line_sender_opts_new_service`, `line_sender_opts_from_conf` or
/// `line_sender_opts_from_env`; freed with `line_sender_opts_free`.
pub struct line_sender_opts(pub(crate) SenderOptions);

/// The transport, and whether it runs over TLS.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum line_sender_protocol {
    /// ILP over TCP.
    line_sender_protocol_tcp,
    /// ILP over TCP with TLS.
    line_sender_protocol_tcps,
    /// ILP over HTTP.
    line_sender_protocol_http,
    /// ILP over HTTPS.
    line_sender_protocol_https,
}

impl From<line_sender_protocol> for Protocol {
    fn from(protocol: line_sender_protocol) -> Self {
        match protocol {
            line_sender_protocol::line_sender_protocol_tcp => Protocol::Tcp,
            line_sender_protocol::line_sender_protocol_tcps => Protocol::Tcps,
            line_sender_protocol::line_sender_protocol_http => Protocol::Http,
            line_sender_protocol::line_sender_protocol_https => Protocol::Https,
        }
    }
}

/// Where TLS trust anchors come from.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum line_sender_ca {
    /// Mozilla's root set, built in (webpki-roots).
    line_sender_ca_webpki_roots,
    /// The operating system's certificate store.
    line_sender_ca_os_roots,
    /// Both of the above (the default).
    line_sender_ca_webpki_and_os_roots,
    /// Only the PEM file given with `line_sender_opts_tls_roots`.
    line_sender_ca_pem_file,
}

impl From<line_sender_ca> for CertificateAuthority {
    fn from(ca: line_sender_ca) -> Self {
        match ca {
            line_sender_ca::line_sender_ca_webpki_roots => CertificateAuthority::WebpkiRoots,
            line_sender_ca::line_sender_ca_os_roots => CertificateAuthority::OsRoots,
            line_sender_ca::line_sender_ca_webpki_and_os_roots => {
                CertificateAuthority::WebpkiAndOsRoots
            }
            line_sender_ca::line_sender_ca_pem_file => CertificateAuthority::PemFile,
        }
    }
}

pub(crate) unsafe fn opts_ref<'a>(opts: *const line_sender_opts) -> Result<&'a SenderOptions> {
    opts.as_ref()
        .map(|o| &o.0)
        .ok_or_else(|| null_error("opts"))
}

/// Runs a setter behind a panic boundary. Setters validate before they
/// change anything, so a failed call leaves the options as they were.
unsafe fn with_opts(
    opts: *mut line_sender_opts,
    err_out: *mut *mut line_sender_error,
    f: impl FnOnce(&mut SenderOptions) -> Result<()>,
) -> bool {
    call_bool(err_out, || {
        f(opts
            .as_mut()
            .map(|o| &mut o.0)
            .ok_or_else(|| null_error("opts"))?)
    })
}

/// Runs `f` behind a panic boundary; NULL and `*err_out` on failure.
pub(crate) unsafe fn call_ptr<T>(
    err_out: *mut *mut line_sender_error,
    f: impl FnOnce() -> Result<T>,
) -> *mut T {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(value)) => Box::into_raw(Box::new(value)),
        Ok(Err(err)) => {
            report(err_out, err);
            std::ptr::null_mut()
        }
        Err(payload) => {
            report(err_out, super::panic_error(payload));
            std::ptr::null_mut()
        }
    }
}

/// Options from a config string such as `http::addr=localhost:9000;`.
/// NULL and `config_error` when the string is invalid.
#[no_mangle]
pub unsafe extern "C" fn line_sender_opts_from_conf(
    config: line_sender_utf8,
    err_out: *mut *mut line_sender_error,
) -> *mut line_sender_opts {
    call_ptr(err_out, || {
        Ok(line_sender_opts(SenderOptions::from_conf(
            config.as_str()?,
        )?))
    })
}

/// Options from the config string in the `QDB_CLIENT_CONF` environment variable.
#[no_mangle]
pub unsafe extern "C" fn line_sender_opts_from_env(
    err_out: *mut *mut line_sender_error,
) -> *mut line_sender_opts {
    call_ptr(err_out, || Ok(line_sender_opts(SenderOptions::from_env()?)))
}

/// Options for `protocol` to `host:port`, everything else default. No I/O.
/// NULL only when `host` is not valid UTF-8.
#[no_mangle]
pub unsafe extern "C" fn line_sender_opts_new(
    protocol: line_sender_protocol,
    host: line_sender_utf8,
    port: u16,
) -> *mut line_sender_opts {
    call_ptr(std::ptr::null_mut(), || {
        Ok(line_sender_opts(SenderOptions::new(
            protocol.into(),
            host.as_str()?,
            port,
        )))
    })
}

/// Like `line_sender_opts_new`, with the port as text: a number or a
/// service name such as `"http"`.
#[no_mangle]
pub unsafe extern "C" fn line_sender_opts_new_service(
    protocol: line_sender_protocol,
    host: line_sender_utf8,
    port: line_sender_utf8,
) -> *mut line_sender_opts {
    call_ptr(std::ptr::null_mut(), || {
        Ok(line_sender_opts(SenderOptions::new_service(
            protocol.into(),
            host.as_str()?,
            port.as_str()?,
        )))
    })
}

/// TCP only: the local address to connect from.
#[no_mangle]
pub unsafe extern "C" fn line_sender_opts_bind_interface(
    opts: *mut line_sender_opts,
    bind_interface: line_sender_utf8,
    err_out: *mut *mut line_sender_error,
) -> bool {
    with_opts(opts, err_out, |o| {
        o.set_bind_interface(bind_interface.as_str()?)
    })
}

/// TCP: the ECDSA key id. HTTP: the basic-auth user name.
#[no_mangle]
pub unsafe extern "C" fn line_sender_opts_username(
    opts: *mut line_sender_opts,
    username: line_sender_utf8,
    err_out: *mut *mut line_sender_error,
) -> bool {
    with_opts(opts, err_out, |o| o.set_username(username.as_str()?))
}

/// HTTP: the basic-auth password.
#[no_mangle]
pub unsafe extern "C" fn line_sender_opts_password(
    opts: *mut line_sender_opts,
    password: line_sender_utf8,
    err_out: *mut *mut line_sender_error,
) -> bool {
    with_opts(opts, err_out, |o| o.set_password(password.as_str()?))
}

/// HTTP: the bearer token. TCP: the ECDSA private key (base64url).
#[no_mangle]
pub unsafe extern "C" fn line_sender_opts_token(
    opts: *mut line_sender_opts,
    token: line_sender_utf8,
    err_out: *mut *mut line_sender_error,
) -> bool {
    with_opts(opts, err_out, |o| o.set_token(token.as_str()?))
}

/// TCP: the ECDSA public key's x coordinate (base64url).
#[no_mangle]
pub unsafe extern "C" fn line_sender_opts_token_x(
    opts: *mut line_sender_opts,
    token_x: line_sender_utf8,
    err_out: *mut *mut line_sender_error,
) -> bool {
    with_opts(opts, err_out, |o| o.set_token_x(token_x.as_str()?))
}

/// TCP: the ECDSA public key's y coordinate (base64url).
#[no_mangle]
pub unsafe extern "C" fn line_sender_opts_token_y(
    opts: *mut line_sender_opts,
    token_y: line_sender_utf8,
    err_out: *mut *mut line_sender_error,
) -> bool {
    with_opts(opts, err_out, |o| o.set_token_y(token_y.as_str()?))
}

/// The protocol version to send; without it HTTP asks the server and TCP uses 1.
#[no_mangle]
pub unsafe extern "C" fn line_sender_opts_protocol_version(
    opts: *mut line_sender_opts,
    version: line_sender_protocol_version,
    err_out: *mut *mut line_sender_error,
) -> bool {
    with_opts(opts, err_out, |o| o.set_protocol_version(version.into()))
}

/// Read timeout for the TLS handshake and TCP authentication, in ms (> 0).
#[no_mangle]
pub unsafe extern "C" fn line_sender_opts_auth_timeout(
    opts: *mut line_sender_opts,
    millis: u64,
    err_out: *mut *mut line_sender_error,
) -> bool {
    with_opts(opts, err_out, |o| o.set_auth_timeout(millis))
}

/// TLS only: `false` accepts any server certificate (testing only).
#[no_mangle]
pub unsafe extern "C" fn line_sender_opts_tls_verify(
    opts: *mut line_sender_opts,
    verify: bool,
    err_out: *mut *mut line_sender_error,
) -> bool {
    with_opts(opts, err_out, |o| o.set_tls_verify(verify))
}

/// TLS only: where trusted root certificates come from.
#[no_mangle]
pub unsafe extern "C" fn line_sender_opts_tls_ca(
    opts: *mut line_sender_opts,
    ca: line_sender_ca,
    err_out: *mut *mut line_sender_error,
) -> bool {
    with_opts(opts, err_out, |o| o.set_tls_ca(ca.into()))
}

/// TLS only: trust only the certificates in this PEM file (read now).
#[no_mangle]
pub unsafe extern "C" fn line_sender_opts_tls_roots(
    opts: *mut line_sender_opts,
    path: line_sender_utf8,
    err_out: *mut *mut line_sender_error,
) -> bool {
    with_opts(opts, err_out, |o| o.set_tls_roots(path.as_str()?))
}

/// The largest buffer a flush accepts, in bytes (≥ 1024).
#[no_mangle]
pub unsafe extern "C" fn line_sender_opts_max_buf_size(
    opts: *mut line_sender_opts,
    max_buf_size: size_t,
    err_out: *mut *mut line_sender_error,
) -> bool {
    with_opts(opts, err_out, |o| o.set_max_buf_size(max_buf_size))
}

/// The longest table or column name, in bytes (≥ 16).
#[no_mangle]
pub unsafe extern "C" fn line_sender_opts_max_name_len(
    opts: *mut line_sender_opts,
    max_name_len: size_t,
    err_out: *mut *mut line_sender_error,
) -> bool {
    with_opts(opts, err_out, |o| o.set_max_name_len(max_name_len))
}

/// HTTP only: how long to keep retrying a failed flush, in ms (0 = never).
#[no_mangle]
pub unsafe extern "C" fn line_sender_opts_retry_timeout(
    opts: *mut line_sender_opts,
    millis: u64,
    err_out: *mut *mut line_sender_error,
) -> bool {
    with_opts(opts, err_out, |o| o.set_retry_timeout(millis))
}

/// HTTP only: the slowest transfer rate allowed, in bytes/s; it lengthens the
/// timeout of big requests (0 = no size allowance).
#[no_mangle]
pub unsafe extern "C" fn line_sender_opts_request_min_throughput(
    opts: *mut line_sender_opts,
    bytes_per_sec: u64,
    err_out: *mut *mut line_sender_error,
) -> bool {
    with_opts(opts, err_out, |o| {
        o.set_request_min_throughput(bytes_per_sec)
    })
}

/// HTTP only: the base timeout of one request, in ms (> 0).
#[no_mangle]
pub unsafe extern "C" fn line_sender_opts_request_timeout(
    opts: *mut line_sender_opts,
    millis: u64,
    err_out: *mut *mut line_sender_error,
) -> bool {
    with_opts(opts, err_out, |o| o.set_request_timeout(millis))
}

/// HTTP: the User-Agent header. Replaces any earlier value.
#[no_mangle]
pub unsafe extern "C" fn line_sender_opts_user_agent(
    opts: *mut line_sender_opts,
    user_agent: line_sender_utf8,
    err_out: *mut *mut line_sender_error,
) -> bool {
    with_opts(opts, err_out, |o| o.set_user_agent(user_agent.as_str()?))
}

/// A deep copy; free both. NULL gives NULL.
#[no_mangle]
pub unsafe extern "C" fn line_sender_opts_clone(
    opts: *mut line_sender_opts,
) -> *mut line_sender_opts {
    match opts.as_ref() {
        Some(o) => call_ptr(std::ptr::null_mut(), || Ok(line_sender_opts(o.0.clone()))),
        None => std::ptr::null_mut(),
    }
}

/// Frees options. NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn line_sender_opts_free(opts: *mut line_sender_opts) {
    if !opts.is_null() {
        call_infallible((), || drop(Box::from_raw(opts)));
    }
}

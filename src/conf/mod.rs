//! Sender configuration: one options struct, filled either from a config
//! string (`http::addr=host:port;key=value;`) or by setters. Both paths apply
//! the same validation, so `from_conf` is just "parse, then call setters".

mod auth;
mod keys;
mod parse;
mod setters;

use crate::buffer::{ProtocolVersion, DEFAULT_MAX_NAME_LEN};
use crate::error::{fail, Result};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The transport and whether it is wrapped in TLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Protocol {
    Tcp,
    Tcps,
    Http,
    Https,
}

impl Protocol {
    /// `tcp`, `tcps`, `http` or `https`.
    pub fn schema(self) -> &'static str {
        match self {
            Protocol::Tcp => "tcp",
            Protocol::Tcps => "tcps",
            Protocol::Http => "http",
            Protocol::Https => "https",
        }
    }

    pub fn is_http(self) -> bool {
        matches!(self, Protocol::Http | Protocol::Https)
    }

    pub fn is_tls(self) -> bool {
        matches!(self, Protocol::Tcps | Protocol::Https)
    }

    /// 9009 for TCP, 9000 for HTTP.
    pub fn default_port(self) -> u16 {
        if self.is_http() {
            9000
        } else {
            9009
        }
    }
}

/// Where TLS trust anchors come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CertificateAuthority {
    WebpkiRoots,
    OsRoots,
    WebpkiAndOsRoots,
    PemFile,
}

/// How a sender proves who it is, as resolved from the credential settings.
#[derive(Clone, PartialEq, Eq)]
pub enum Auth {
    None,
    Basic {
        username: String,
        password: String,
    },
    Bearer {
        token: String,
    },
    Ecdsa {
        key_id: String,
        d: String,
        x: String,
        y: String,
    },
}

impl std::fmt::Debug for Auth {
    // Secrets never reach Debug output.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Auth::None => f.write_str("None"),
            Auth::Basic { username, .. } => {
                write!(f, "Basic {{ username: {:?}, password: *** }}", username)
            }
            Auth::Bearer { .. } => f.write_str("Bearer { token: *** }"),
            Auth::Ecdsa { key_id, .. } => write!(f, "Ecdsa {{ key_id: {:?}, keys: *** }}", key_id),
        }
    }
}

/// Auto-flush thresholds (PROTOCOL.md §7). `None` = that trigger is off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AutoFlush {
    pub rows: Option<usize>,
    pub bytes: Option<usize>,
    pub interval: Option<Duration>,
}

/// Everything needed to build a sender. Each optional setting remembers
/// whether it was specified: setting it again to a different value is a
/// `config_error` ("already specified").
#[derive(Clone, PartialEq, Eq)]
pub struct SenderOptions {
    protocol: Protocol,
    host: String,
    port: String,
    user_agent: String,
    bind_interface: Option<String>,
    username: Option<String>,
    password: Option<String>,
    token: Option<String>,
    token_x: Option<String>,
    token_y: Option<String>,
    auth_timeout: Option<u64>,
    tls_verify: Option<bool>,
    tls_ca: Option<CertificateAuthority>,
    tls_roots: Option<PathBuf>,
    max_buf_size: Option<usize>,
    max_name_len: Option<usize>,
    init_buf_size: Option<usize>,
    retry_timeout: Option<u64>,
    request_min_throughput: Option<u64>,
    request_timeout: Option<u64>,
    protocol_version: Option<ProtocolVersion>,
    auto_flush_enabled: Option<bool>,
    auto_flush_rows: Option<Option<usize>>,
    auto_flush_bytes: Option<Option<usize>>,
    auto_flush_interval: Option<Option<u64>>,
}

pub const DEFAULT_MAX_BUF_SIZE: usize = 100 * 1024 * 1024;
pub const DEFAULT_INIT_BUF_SIZE: usize = 64 * 1024;
pub const DEFAULT_AUTH_TIMEOUT_MS: u64 = 15_000;
pub const DEFAULT_RETRY_TIMEOUT_MS: u64 = 10_000;
pub const DEFAULT_REQUEST_TIMEOUT_MS: u64 = 10_000;
pub const DEFAULT_REQUEST_MIN_THROUGHPUT: u64 = 100 * 1024;
pub const ENV_VAR: &str = "QDB_CLIENT_CONF";
const DEFAULT_AUTO_FLUSH_ROWS_HTTP: usize = 75_000;
const DEFAULT_AUTO_FLUSH_ROWS_TCP: usize = 600;
const DEFAULT_AUTO_FLUSH_INTERVAL_MS: u64 = 1000;

impl SenderOptions {
    /// Options for `protocol` to `host:port`, everything else default.
    pub fn new(protocol: Protocol, host: &str, port: u16) -> Self {
        Self::new_service(protocol, host, &port.to_string())
    }

    /// Like `new`, with the port as a string (a number or a service name).
    pub fn new_service(protocol: Protocol, host: &str, port: &str) -> Self {
        SenderOptions {
            protocol,
            host: host.to_string(),
            port: port.to_string(),
            user_agent: concat!("questdb-client/", env!("CARGO_PKG_VERSION")).to_string(),
            bind_interface: None,
            username: None,
            password: None,
            token: None,
            token_x: None,
            token_y: None,
            auth_timeout: None,
            tls_verify: None,
            tls_ca: None,
            tls_roots: None,
            max_buf_size: None,
            max_name_len: None,
            init_buf_size: None,
            retry_timeout: None,
            request_min_throughput: None,
            request_timeout: None,
            protocol_version: None,
            auto_flush_enabled: None,
            auto_flush_rows: None,
            auto_flush_bytes: None,
            auto_flush_interval: None,
        }
    }

    /// Parses a config string (PROTOCOL.md §3).
    pub fn from_conf(conf: &str) -> Result<Self> {
        keys::from_conf(conf)
    }

    /// Reads the config string from `QDB_CLIENT_CONF`.
    pub fn from_env() -> Result<Self> {
        match std::env::var(ENV_VAR) {
            Ok(conf) => Self::from_conf(&conf),
            Err(_) => fail!(ConfigError, "Environment variable {ENV_VAR} not set."),
        }
    }

    // ---- getters (defaults applied) ----

    pub fn protocol(&self) -> Protocol {
        self.protocol
    }
    pub fn host(&self) -> &str {
        &self.host
    }
    pub fn port(&self) -> &str {
        &self.port
    }
    pub fn user_agent(&self) -> &str {
        &self.user_agent
    }
    pub fn bind_interface(&self) -> Option<&str> {
        self.bind_interface.as_deref()
    }
    pub fn auth_timeout(&self) -> Duration {
        Duration::from_millis(self.auth_timeout.unwrap_or(DEFAULT_AUTH_TIMEOUT_MS))
    }
    pub fn tls_verify(&self) -> bool {
        self.tls_verify.unwrap_or(true)
    }
    pub fn tls_ca(&self) -> CertificateAuthority {
        self.tls_ca
            .unwrap_or(CertificateAuthority::WebpkiAndOsRoots)
    }
    pub fn tls_roots(&self) -> Option<&Path> {
        self.tls_roots.as_deref()
    }
    pub fn max_buf_size(&self) -> usize {
        self.max_buf_size.unwrap_or(DEFAULT_MAX_BUF_SIZE)
    }
    pub fn max_name_len(&self) -> usize {
        self.max_name_len.unwrap_or(DEFAULT_MAX_NAME_LEN)
    }
    /// True when the user chose max_name_len (it then wins over the server's).
    pub fn max_name_len_is_set(&self) -> bool {
        self.max_name_len.is_some()
    }
    pub fn init_buf_size(&self) -> usize {
        self.init_buf_size.unwrap_or(DEFAULT_INIT_BUF_SIZE)
    }
    pub fn retry_timeout(&self) -> Duration {
        Duration::from_millis(self.retry_timeout.unwrap_or(DEFAULT_RETRY_TIMEOUT_MS))
    }
    pub fn request_min_throughput(&self) -> u64 {
        self.request_min_throughput
            .unwrap_or(DEFAULT_REQUEST_MIN_THROUGHPUT)
    }
    pub fn request_timeout(&self) -> Duration {
        Duration::from_millis(self.request_timeout.unwrap_or(DEFAULT_REQUEST_TIMEOUT_MS))
    }
    /// `None` = auto (HTTP detects, TCP uses V1).
    pub fn protocol_version(&self) -> Option<ProtocolVersion> {
        self.protocol_version
    }
    pub fn auto_flush(&self) -> AutoFlush {
        if self.auto_flush_enabled == Some(false) {
            return AutoFlush {
                rows: None,
                bytes: None,
                interval: None,
            };
        }
        let default_rows = if self.protocol.is_http() {
            DEFAULT_AUTO_FLUSH_ROWS_HTTP
        } else {
            DEFAULT_AUTO_FLUSH_ROWS_TCP
        };
        let interval = self
            .auto_flush_interval
            .unwrap_or(Some(DEFAULT_AUTO_FLUSH_INTERVAL_MS));
        AutoFlush {
            rows: self.auto_flush_rows.unwrap_or(Some(default_rows)),
            bytes: self.auto_flush_bytes.unwrap_or(None),
            interval: interval.map(Duration::from_millis),
        }
    }
    /// The authentication the credential settings add up to, or a
    /// `config_error` naming what is missing or inconsistent.
    pub fn auth(&self) -> Result<Auth> {
        auth::resolve(self)
    }

    /// Reports `tls_ca` = `PemFile` without a `tls_roots` file; the setters
    /// cannot, because `tls_roots` may still follow.
    pub fn check_tls(&self) -> Result<()> {
        if self.tls_ca == Some(CertificateAuthority::PemFile) && self.tls_roots.is_none() {
            return fail!(
                ConfigError,
                "\"tls_ca\" is \"pem_file\", but \"tls_roots\" (the path of the PEM file) is not specified."
            );
        }
        Ok(())
    }
}

impl std::fmt::Debug for SenderOptions {
    // Secrets never reach Debug output.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SenderOptions")
            .field("protocol", &self.protocol)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("user_agent", &self.user_agent)
            .field("bind_interface", &self.bind_interface)
            .field("username", &self.username)
            .field("password", &Redacted(&self.password))
            .field("token", &Redacted(&self.token))
            .field("token_x", &Redacted(&self.token_x))
            .field("token_y", &Redacted(&self.token_y))
            .field("auth_timeout", &self.auth_timeout)
            .field("tls_verify", &self.tls_verify)
            .field("tls_ca", &self.tls_ca)
            .field("tls_roots", &self.tls_roots)
            .field("max_buf_size", &self.max_buf_size)
            .field("max_name_len", &self.max_name_len)
            .field("init_buf_size", &self.init_buf_size)
            .field("retry_timeout", &self.retry_timeout)
            .field("request_min_throughput", &self.request_min_throughput)
            .field("request_timeout", &self.request_timeout)
            .field("protocol_version", &self.protocol_version)
            .field("auto_flush", &self.auto_flush())
            .finish()
    }
}

/// Shows whether a secret is set, never its value.
struct Redacted<'a>(&'a Option<String>);

impl std::fmt::Debug for Redacted<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() { "***" } else { "None" })
    }
}

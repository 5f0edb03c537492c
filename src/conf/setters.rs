//! The setters shared by `from_conf` and programmatic construction, named
//! `set_<key>` because the getters own the plain names. Every
//! check runs before anything is stored, so a failed call changes nothing.

use super::{CertificateAuthority, SenderOptions};
use crate::buffer::ProtocolVersion;
use crate::error::{fail, Result};
use std::io::Read;
use std::path::{Path, PathBuf};

const MIN_MAX_BUF_SIZE: usize = 1024;
const MIN_MAX_NAME_LEN: usize = 16;

impl SenderOptions {
    /// Local address to bind the socket to (TCP only).
    pub fn set_bind_interface(&mut self, value: &str) -> Result<()> {
        if self.protocol.is_http() {
            return fail!(
                ConfigError,
                "The \"bind_interface\" setting can only be used with the TCP protocol."
            );
        }
        set_str(&mut self.bind_interface, "bind_interface", value)
    }

    /// HTTP: basic auth user; TCP: ECDSA key id.
    pub fn set_username(&mut self, value: &str) -> Result<()> {
        set_str(&mut self.username, "username", value)
    }

    /// HTTP basic auth password.
    pub fn set_password(&mut self, value: &str) -> Result<()> {
        set_str(&mut self.password, "password", value)
    }

    /// HTTP: bearer token; TCP: ECDSA private key.
    pub fn set_token(&mut self, value: &str) -> Result<()> {
        set_str(&mut self.token, "token", value)
    }

    /// ECDSA public key X coordinate (TCP).
    pub fn set_token_x(&mut self, value: &str) -> Result<()> {
        set_str(&mut self.token_x, "token_x", value)
    }

    /// ECDSA public key Y coordinate (TCP).
    pub fn set_token_y(&mut self, value: &str) -> Result<()> {
        set_str(&mut self.token_y, "token_y", value)
    }

    pub fn set_protocol_version(&mut self, value: ProtocolVersion) -> Result<()> {
        set_once(&mut self.protocol_version, "protocol_version", value)
    }

    /// Milliseconds; must be > 0 (ours: the official client waits forever on 0).
    pub fn set_auth_timeout(&mut self, millis: u64) -> Result<()> {
        check_positive("auth_timeout", millis)?;
        set_once(&mut self.auth_timeout, "auth_timeout", millis)
    }

    pub fn set_tls_verify(&mut self, verify: bool) -> Result<()> {
        self.ensure_tls("tls_verify")?;
        set_once(&mut self.tls_verify, "tls_verify", verify)
    }

    pub fn set_tls_ca(&mut self, ca: CertificateAuthority) -> Result<()> {
        self.ensure_tls("tls_ca")?;
        set_once(&mut self.tls_ca, "tls_ca", ca)
    }

    /// A PEM file of trusted roots; implies `tls_ca` = `PemFile`. The file
    /// is read now so a wrong path fails here rather than at connect time.
    pub fn set_tls_roots(&mut self, path: &str) -> Result<()> {
        self.ensure_tls("tls_roots")?;
        let path = PathBuf::from(path);
        check_unchanged(&self.tls_ca, "tls_ca", &CertificateAuthority::PemFile)?;
        check_unchanged(&self.tls_roots, "tls_roots", &path)?;
        check_readable(&path)?;
        self.tls_ca = Some(CertificateAuthority::PemFile);
        self.tls_roots = Some(path);
        Ok(())
    }

    /// Bytes; at least 1024.
    pub fn set_max_buf_size(&mut self, value: usize) -> Result<()> {
        if value < MIN_MAX_BUF_SIZE {
            return fail!(
                ConfigError,
                "\"max_buf_size\" must be at least {MIN_MAX_BUF_SIZE} bytes."
            );
        }
        set_once(&mut self.max_buf_size, "max_buf_size", value)
    }

    /// Bytes; at least 16.
    pub fn set_max_name_len(&mut self, value: usize) -> Result<()> {
        if value < MIN_MAX_NAME_LEN {
            return fail!(
                ConfigError,
                "\"max_name_len\" must be at least {MIN_MAX_NAME_LEN} bytes."
            );
        }
        set_once(&mut self.max_name_len, "max_name_len", value)
    }

    /// Initial capacity, in bytes, of buffers made for the sender.
    pub fn set_init_buf_size(&mut self, value: usize) -> Result<()> {
        set_once(&mut self.init_buf_size, "init_buf_size", value)
    }

    /// Milliseconds of retrying (HTTP only); 0 disables retries.
    pub fn set_retry_timeout(&mut self, millis: u64) -> Result<()> {
        self.ensure_http("retry_timeout")?;
        set_once(&mut self.retry_timeout, "retry_timeout", millis)
    }

    /// Bytes per second (HTTP only); 0 disables the size-based timeout.
    pub fn set_request_min_throughput(&mut self, value: u64) -> Result<()> {
        self.ensure_http("request_min_throughput")?;
        set_once(
            &mut self.request_min_throughput,
            "request_min_throughput",
            value,
        )
    }

    /// Milliseconds (HTTP only); must be > 0.
    pub fn set_request_timeout(&mut self, millis: u64) -> Result<()> {
        self.ensure_http("request_timeout")?;
        check_positive("request_timeout", millis)?;
        set_once(&mut self.request_timeout, "request_timeout", millis)
    }

    /// Replaces the user agent: wrappers set their own on top of ours, so
    /// there is deliberately no "already specified" check.
    pub fn set_user_agent(&mut self, value: &str) -> Result<()> {
        check_chars("user_agent", value)?;
        self.user_agent = value.to_string();
        Ok(())
    }

    /// `false` turns off all three auto-flush triggers.
    pub fn set_auto_flush(&mut self, enabled: bool) -> Result<()> {
        set_once(&mut self.auto_flush_enabled, "auto_flush", enabled)
    }

    /// Rows that trigger a flush; `None` = off.
    pub fn set_auto_flush_rows(&mut self, rows: Option<usize>) -> Result<()> {
        check_trigger("auto_flush_rows", rows.map(|n| n as u64))?;
        set_once(&mut self.auto_flush_rows, "auto_flush_rows", rows)
    }

    /// Buffer bytes that trigger a flush; `None` = off.
    pub fn set_auto_flush_bytes(&mut self, bytes: Option<usize>) -> Result<()> {
        check_trigger("auto_flush_bytes", bytes.map(|n| n as u64))?;
        set_once(&mut self.auto_flush_bytes, "auto_flush_bytes", bytes)
    }

    /// Milliseconds since the last flush that trigger one; `None` = off.
    pub fn set_auto_flush_interval(&mut self, millis: Option<u64>) -> Result<()> {
        check_trigger("auto_flush_interval", millis)?;
        set_once(&mut self.auto_flush_interval, "auto_flush_interval", millis)
    }

    fn ensure_tls(&self, key: &str) -> Result<()> {
        if self.protocol.is_tls() {
            return Ok(());
        }
        fail!(
            ConfigError,
            "Cannot set \"{key}\": TLS is not supported for protocol {}",
            self.protocol.schema()
        )
    }

    fn ensure_http(&self, key: &str) -> Result<()> {
        if self.protocol.is_http() {
            return Ok(());
        }
        fail!(ConfigError, "\"{key}\" is supported only in ILP over HTTP.")
    }
}

/// Fails if `slot` already holds a value other than `value`.
fn check_unchanged<T: PartialEq>(slot: &Option<T>, key: &str, value: &T) -> Result<()> {
    match slot {
        Some(old) if old != value => fail!(ConfigError, "\"{key}\" is already specified"),
        _ => Ok(()),
    }
}

fn set_once<T: PartialEq>(slot: &mut Option<T>, key: &str, value: T) -> Result<()> {
    check_unchanged(slot, key, &value)?;
    *slot = Some(value);
    Ok(())
}

fn set_str(slot: &mut Option<String>, key: &str, value: &str) -> Result<()> {
    check_chars(key, value)?;
    check_unchanged(slot, key, &value.to_string())?;
    *slot = Some(value.to_string());
    Ok(())
}

/// Rejects the control characters the config-string parser rejects. The
/// message names the setting and the character only: values may be secrets.
fn check_chars(key: &str, value: &str) -> Result<()> {
    match value.chars().enumerate().find(|(_, c)| c.is_control()) {
        Some((pos, c)) => fail!(
            ConfigError,
            "Invalid character {c:?} at position {pos} in \"{key}\""
        ),
        None => Ok(()),
    }
}

fn check_positive(key: &str, value: u64) -> Result<()> {
    if value == 0 {
        return fail!(ConfigError, "\"{key}\" must be greater than 0.");
    }
    Ok(())
}

fn check_trigger(key: &str, value: Option<u64>) -> Result<()> {
    if value == Some(0) {
        return fail!(
            ConfigError,
            "\"{key}\" must be greater than 0 (use \"off\" to disable it)."
        );
    }
    Ok(())
}

fn check_readable(path: &Path) -> Result<()> {
    // Opening a directory succeeds on Unix; reading a byte does not.
    let read = std::fs::File::open(path).and_then(|mut f| f.read(&mut [0u8; 1]));
    match read {
        Ok(_) => Ok(()),
        Err(e) => fail!(
            ConfigError,
            "Could not open root certificate file from path {path:?}: {e}"
        ),
    }
}

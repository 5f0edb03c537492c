//! From a parsed config string to options: the schema, `addr`, then every
//! other key in string order through the public setters, so both ways of
//! configuring fail alike and the first error reported is deterministic.

use super::parse::{self, ConfStr};
use super::{CertificateAuthority, Protocol, SenderOptions};
use crate::buffer::ProtocolVersion;
use crate::error::{fail, Error, ErrorCode, Result};
use std::fmt::Display;
use std::str::FromStr;

pub(super) fn from_conf(conf: &str) -> Result<SenderOptions> {
    let ConfStr { schema, params } = parse::parse(conf)?;
    let protocol = protocol_from_schema(schema)?;
    let Some((_, addr)) = params.iter().find(|(key, _)| *key == "addr") else {
        return fail!(ConfigError, "Missing \"addr\" parameter in config string");
    };
    let (host, port) = split_addr(addr)?;
    let port = port.map_or_else(|| protocol.default_port().to_string(), str::to_string);
    let mut opts = SenderOptions::new_service(protocol, host, &port);
    for (key, value) in &params {
        apply(&mut opts, key, value)?;
    }
    Ok(opts)
}

fn protocol_from_schema(schema: &str) -> Result<Protocol> {
    match schema {
        "tcp" => Ok(Protocol::Tcp),
        "tcps" => Ok(Protocol::Tcps),
        "http" => Ok(Protocol::Http),
        "https" => Ok(Protocol::Https),
        _ => fail!(ConfigError, "Unsupported protocol: {schema}"),
    }
}

/// `host`, `host:port`, `[v6]` or `[v6]:port` → host (brackets stripped)
/// and the port, if any.
fn split_addr(addr: &str) -> Result<(&str, Option<&str>)> {
    let (host, port) = match addr.strip_prefix('[') {
        Some(rest) => split_bracketed(addr, rest)?,
        None => split_plain(addr)?,
    };
    if host.is_empty() {
        return addr_error(addr, "the host is empty.");
    }
    if port == Some("") {
        return addr_error(addr, "the port is empty.");
    }
    Ok((host, port))
}

fn split_bracketed<'a>(addr: &str, rest: &'a str) -> Result<(&'a str, Option<&'a str>)> {
    let Some((host, after)) = rest.split_once(']') else {
        return addr_error(addr, "missing \"]\" after the IPv6 address.");
    };
    if after.is_empty() {
        return Ok((host, None));
    }
    match after.strip_prefix(':') {
        Some(port) => Ok((host, Some(port))),
        None => addr_error(addr, "expected \":\" and a port after \"]\"."),
    }
}

fn split_plain(addr: &str) -> Result<(&str, Option<&str>)> {
    match addr.split_once(':') {
        Some((_, port)) if port.contains(':') => addr_error(
            addr,
            "an IPv6 address must be written in brackets, like \"[::1]:9000\".",
        ),
        Some((host, port)) => Ok((host, Some(port))),
        None => Ok((addr, None)),
    }
}

fn addr_error<T>(addr: &str, why: &str) -> Result<T> {
    fail!(ConfigError, "Invalid \"addr\" parameter {addr:?}: {why}")
}

fn apply(opts: &mut SenderOptions, key: &str, value: &str) -> Result<()> {
    match key {
        "bind_interface" => opts.set_bind_interface(value),
        "username" => opts.set_username(value),
        "password" => opts.set_password(value),
        "token" => opts.set_token(value),
        "token_x" => opts.set_token_x(value),
        "token_y" => opts.set_token_y(value),
        "protocol_version" => match protocol_version(value)? {
            Some(version) => opts.set_protocol_version(version),
            None => Ok(()),
        },
        "auth_timeout" => opts.set_auth_timeout(number(key, value)?),
        "tls_verify" => opts.set_tls_verify(tls_verify(value)?),
        "tls_ca" => opts.set_tls_ca(tls_ca(value)?),
        "tls_roots" => opts.set_tls_roots(value),
        "tls_roots_password" => fail!(ConfigError, "\"tls_roots_password\" is not supported."),
        "max_buf_size" => opts.set_max_buf_size(number(key, value)?),
        "max_name_len" => opts.set_max_name_len(number(key, value)?),
        "init_buf_size" => opts.set_init_buf_size(number(key, value)?),
        "retry_timeout" => opts.set_retry_timeout(number(key, value)?),
        "request_min_throughput" => opts.set_request_min_throughput(number(key, value)?),
        "request_timeout" => opts.set_request_timeout(number(key, value)?),
        "auto_flush" => opts.set_auto_flush(on_off(value)?),
        "auto_flush_rows" => opts.set_auto_flush_rows(number_or_off(key, value)?),
        "auto_flush_bytes" => opts.set_auto_flush_bytes(number_or_off(key, value)?),
        "auto_flush_interval" => opts.set_auto_flush_interval(number_or_off(key, value)?),
        // `addr` is already applied; `user_agent` is programmatic only; other
        // keys belong to other clients sharing the string.
        _ => Ok(()),
    }
}

fn number<T: FromStr>(key: &str, value: &str) -> Result<T>
where
    T::Err: Display,
{
    value.parse().map_err(|e| {
        Error::new(
            ErrorCode::ConfigError,
            format!("Could not parse \"{key}\" to number: {e}"),
        )
    })
}

fn number_or_off<T: FromStr>(key: &str, value: &str) -> Result<Option<T>>
where
    T::Err: Display,
{
    match value {
        "off" => Ok(None),
        _ => number(key, value).map(Some),
    }
}

/// `None` = auto.
fn protocol_version(value: &str) -> Result<Option<ProtocolVersion>> {
    match value {
        "auto" => Ok(None),
        "1" => Ok(Some(ProtocolVersion::V1)),
        "2" => Ok(Some(ProtocolVersion::V2)),
        "3" => Ok(Some(ProtocolVersion::V3)),
        _ => fail!(
            ConfigError,
            "invalid \"protocol_version\" [value={value}, allowed-values=[auto, 1, 2, 3]]"
        ),
    }
}

fn tls_verify(value: &str) -> Result<bool> {
    match value {
        "on" => Ok(true),
        "unsafe_off" => Ok(false),
        _ => fail!(
            ConfigError,
            "Config parameter \"tls_verify\" must be either \"on\" or \"unsafe_off\"."
        ),
    }
}

fn tls_ca(value: &str) -> Result<CertificateAuthority> {
    match value {
        "webpki_roots" => Ok(CertificateAuthority::WebpkiRoots),
        "os_roots" => Ok(CertificateAuthority::OsRoots),
        "webpki_and_os_roots" => Ok(CertificateAuthority::WebpkiAndOsRoots),
        "pem_file" => Ok(CertificateAuthority::PemFile),
        _ => fail!(ConfigError, "Invalid value {value:?} for \"tls_ca\""),
    }
}

fn on_off(value: &str) -> Result<bool> {
    match value {
        "on" => Ok(true),
        "off" => Ok(false),
        _ => fail!(
            ConfigError,
            "Config parameter \"auto_flush\" must be either \"on\" or \"off\"."
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addr_forms() {
        let cases = [
            ("h", ("h", None)),
            ("h:1", ("h", Some("1"))),
            ("h:http", ("h", Some("http"))),
            ("[::1]", ("::1", None)),
            ("[::1]:9000", ("::1", Some("9000"))),
            ("[fe80::1%eth0]:9", ("fe80::1%eth0", Some("9"))),
            ("[h]:1", ("h", Some("1"))),
        ];
        for (addr, want) in cases {
            assert_eq!(split_addr(addr).unwrap(), want, "{addr}");
        }
    }

    #[test]
    fn bad_addrs() {
        let cases = [
            ("", "the host is empty"),
            (":1", "the host is empty"),
            ("[]:1", "the host is empty"),
            ("h:", "the port is empty"),
            ("[::1]:", "the port is empty"),
            ("[::1", "missing \"]\""),
            ("[::1]9000", "expected \":\""),
            ("::1", "brackets"),
            ("h:1:2", "brackets"),
        ];
        for (addr, want) in cases {
            let e = split_addr(addr).unwrap_err();
            assert_eq!(e.code(), ErrorCode::ConfigError);
            assert!(e.msg().contains(want), "{addr}: {}", e.msg());
            assert!(
                e.msg().starts_with("Invalid \"addr\" parameter"),
                "{}",
                e.msg()
            );
        }
    }

    #[test]
    fn keys_apply_in_string_order() {
        // Both keys are invalid on TCP; the first one in the string wins.
        let e = from_conf("tcp::addr=h;retry_timeout=1;request_timeout=1;").unwrap_err();
        assert!(e.msg().contains("retry_timeout"), "{}", e.msg());
        let e = from_conf("tcp::addr=h;request_timeout=1;retry_timeout=1;").unwrap_err();
        assert!(e.msg().contains("request_timeout"), "{}", e.msg());
    }
}

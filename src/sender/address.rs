//! Host and port handling shared by both transports.

use crate::error::{Error, ErrorCode, Result};
use std::net::{SocketAddr, ToSocketAddrs};

/// `host:port` for messages and URLs; IPv6 literals get their brackets back.
pub(crate) fn authority(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{}]:{}", host, port)
    } else {
        format!("{}:{}", host, port)
    }
}

/// The port as a number: either it is one, or it is a service name that the
/// system's services database knows (`/etc/services`).
pub(crate) fn numeric_port(port: &str) -> Result<u16> {
    if let Ok(number) = port.parse::<u16>() {
        return Ok(number);
    }
    service_port(port).ok_or_else(|| {
        Error::new(
            ErrorCode::CouldNotResolveAddr,
            format!(
                "Could not resolve port {:?}: not a number nor a known TCP service",
                port
            ),
        )
    })
}

/// Every address `host:port` resolves to, in the resolver's order.
pub(crate) fn resolve(host: &str, port: &str) -> Result<Vec<SocketAddr>> {
    let number = numeric_port(port)?;
    let failed = |why: String| {
        Error::new(
            ErrorCode::CouldNotResolveAddr,
            format!("Could not resolve {:?}: {}", authority(host, number), why),
        )
    };
    let addrs: Vec<SocketAddr> = (host, number)
        .to_socket_addrs()
        .map_err(|e| failed(e.to_string()))?
        .collect();
    if addrs.is_empty() {
        return Err(failed("no addresses found".to_string()));
    }
    Ok(addrs)
}

#[cfg(unix)]
fn service_port(name: &str) -> Option<u16> {
    use std::ffi::CString;
    let service = CString::new(name).ok()?;
    let mut hints: libc::addrinfo = unsafe { std::mem::zeroed() };
    hints.ai_family = libc::AF_INET;
    hints.ai_socktype = libc::SOCK_STREAM;
    hints.ai_flags = libc::AI_PASSIVE;
    let mut found: *mut libc::addrinfo = std::ptr::null_mut();
    // SAFETY: valid NUL-terminated service, zeroed hints, and an out pointer
    // that getaddrinfo fills and freeaddrinfo releases.
    unsafe {
        if libc::getaddrinfo(std::ptr::null(), service.as_ptr(), &hints, &mut found) != 0
            || found.is_null()
        {
            return None;
        }
        let addr = (*found).ai_addr as *const libc::sockaddr_in;
        let port = if addr.is_null() {
            None
        } else {
            Some(u16::from_be((*addr).sin_port))
        };
        libc::freeaddrinfo(found);
        port
    }
}

#[cfg(not(unix))]
fn service_port(_name: &str) -> Option<u16> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_authority_is_bracketed() {
        assert_eq!(authority("::1", 9000), "[::1]:9000");
        assert_eq!(authority("localhost", 9000), "localhost:9000");
    }

    #[test]
    fn ports_are_numbers_or_services() {
        assert_eq!(numeric_port("9009").unwrap(), 9009);
        let err = numeric_port("no-such-service-xyz").unwrap_err();
        assert_eq!(err.code(), ErrorCode::CouldNotResolveAddr);
        assert!(err.msg().contains("no-such-service-xyz"), "{}", err.msg());
    }

    #[test]
    fn known_service_names_resolve_when_the_system_lists_them() {
        // /etc/services lists http on every Debian system (netbase).
        if std::path::Path::new("/etc/services").exists() {
            assert_eq!(numeric_port("http").unwrap(), 80);
        }
    }
}

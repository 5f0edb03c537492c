//! Config strings and setters against PROTOCOL.md §3: table rows of valid
//! strings (checked through the getters), invalid strings (config_error and a
//! message fragment) and credential combinations (checked through `auth()`).

use questdb_client::{
    Auth, AutoFlush, CertificateAuthority, ErrorCode, Protocol, ProtocolVersion, SenderOptions,
};
use std::path::{Path, PathBuf};
use std::time::Duration;
use Protocol::{Http, Https, Tcp, Tcps};

// Distinctive values so any leak into a message or Debug output is caught.
const SECRETS: [&str; 4] = ["Pw_s3cret", "Tk_s3cret", "Tx_s3cret", "Ty_s3cret"];

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn flush(rows: Option<usize>, bytes: Option<usize>, interval: Option<u64>) -> AutoFlush {
    AutoFlush {
        rows,
        bytes,
        interval: interval.map(ms),
    }
}

fn conf(s: &str) -> SenderOptions {
    SenderOptions::from_conf(s).unwrap_or_else(|e| panic!("{s:?}: {}", e.msg()))
}

fn conf_err(s: &str) -> String {
    match SenderOptions::from_conf(s) {
        Ok(o) => panic!("{s:?} should fail, got {o:?}"),
        Err(e) => {
            assert_eq!(e.code(), ErrorCode::ConfigError, "{s:?}: {}", e.msg());
            e.msg().to_string()
        }
    }
}

fn assert_no_secrets(text: &str) {
    for secret in SECRETS {
        assert!(!text.contains(secret), "secret leaked: {text}");
    }
}

/// Every default that a bare `addr` string leaves in place.
fn defaults(o: &SenderOptions) {
    assert!(o.user_agent().starts_with("questdb-client/"));
    assert_eq!(o.bind_interface(), None);
    assert_eq!(o.auth_timeout(), ms(15_000));
    assert!(o.tls_verify());
    assert_eq!(o.tls_ca(), CertificateAuthority::WebpkiAndOsRoots);
    assert_eq!(o.tls_roots(), None);
    assert_eq!(o.max_buf_size(), 100 * 1024 * 1024);
    assert_eq!(o.max_name_len(), 127);
    assert!(!o.max_name_len_is_set());
    assert_eq!(o.init_buf_size(), 65_536);
    assert_eq!(o.retry_timeout(), ms(10_000));
    assert_eq!(o.request_min_throughput(), 102_400);
    assert_eq!(o.request_timeout(), ms(10_000));
    assert_eq!(o.protocol_version(), None);
    assert_eq!(o.auth(), Ok(Auth::None));
    o.check_tls().unwrap();
    let rows = if o.protocol().is_http() { 75_000 } else { 600 };
    assert_eq!(o.auto_flush(), flush(Some(rows), None, Some(1000)));
}

fn auth_ok(o: &SenderOptions) -> Auth {
    o.auth().unwrap_or_else(|e| panic!("{}", e.msg()))
}

struct Valid {
    conf: &'static str,
    protocol: Protocol,
    host: &'static str,
    port: &'static str,
    check: fn(&SenderOptions),
}

fn v(
    conf: &'static str,
    protocol: Protocol,
    host: &'static str,
    port: &'static str,
    check: fn(&SenderOptions),
) -> Valid {
    Valid {
        conf,
        protocol,
        host,
        port,
        check,
    }
}

fn valid_rows() -> Vec<Valid> {
    vec![
        // Schemas, default ports, trailing ';' optional.
        v("http::addr=localhost:9000;", Http, "localhost", "9000", defaults),
        v("tcp::addr=localhost:9009", Tcp, "localhost", "9009", defaults),
        v("https::addr=db.example.com", Https, "db.example.com", "9000", defaults),
        v("tcps::addr=db;", Tcps, "db", "9009", defaults),
        v("http::addr=h", Http, "h", "9000", defaults),
        v("tcp::addr=h;", Tcp, "h", "9009", defaults),
        // Service-name ports.
        v("http::addr=h:http;", Http, "h", "http", defaults),
        v("tcp::addr=h:questdb", Tcp, "h", "questdb", defaults),
        // IPv6 in brackets (ours).
        v("http::addr=[::1]:9000;", Http, "::1", "9000", defaults),
        v("tcp::addr=[::1];", Tcp, "::1", "9009", defaults),
        v("https::addr=[fe80::1]:443", Https, "fe80::1", "443", defaults),
        // Unknown keys, `user_agent` and wrong-case keys are ignored.
        v("http::addr=127.0.0.1:9000;unknown_key=whatever;", Http, "127.0.0.1", "9000", defaults),
        v("http::addr=h;user_agent=foo;", Http, "h", "9000", defaults),
        v("http::addr=h;Retry_Timeout=abc;", Http, "h", "9000", defaults),
        v("http::addr=h;x=;", Http, "h", "9000", defaults),
        v("tcp::addr=h;addr2=x:1:2", Tcp, "h", "9009", defaults),
        // `;;` escapes a semicolon, even in addr.
        v("http::addr=h;;x=1", Http, "h;x=1", "9000", defaults),
        v("https::addr=db.example.com:9000;username=alice;password=s3cr;;et;", Https, "db.example.com", "9000", |o| {
            assert_eq!(auth_ok(o), Auth::Basic { username: "alice".into(), password: "s3cr;et".into() });
        }),
        v("http::addr=h;username=u;password=p;;;;", Http, "h", "9000", |o| {
            assert_eq!(auth_ok(o), Auth::Basic { username: "u".into(), password: "p;;".into() });
        }),
        // Empty values are values.
        v("http::addr=h;username=;password=", Http, "h", "9000", |o| {
            assert_eq!(auth_ok(o), Auth::Basic { username: "".into(), password: "".into() });
        }),
        v("http::addr=h;token=abc123;protocol_version=2;", Http, "h", "9000", |o| {
            assert_eq!(auth_ok(o), Auth::Bearer { token: "abc123".into() });
            assert_eq!(o.protocol_version(), Some(ProtocolVersion::V2));
        }),
        v("tcp::addr=h;username=kid;token=d;token_x=x;token_y=y", Tcp, "h", "9009", |o| {
            let want = Auth::Ecdsa { key_id: "kid".into(), d: "d".into(), x: "x".into(), y: "y".into() };
            assert_eq!(auth_ok(o), want);
        }),
        // protocol_version.
        v("tcp::addr=h;protocol_version=1", Tcp, "h", "9009", |o| {
            assert_eq!(o.protocol_version(), Some(ProtocolVersion::V1));
        }),
        v("http::addr=h;protocol_version=3", Http, "h", "9000", |o| {
            assert_eq!(o.protocol_version(), Some(ProtocolVersion::V3));
        }),
        v("http::addr=h;protocol_version=auto", Http, "h", "9000", defaults),
        // TCP-only, any-protocol and HTTP-only numeric keys.
        v("tcp::addr=h;bind_interface=0.0.0.0;", Tcp, "h", "9009", |o| {
            assert_eq!(o.bind_interface(), Some("0.0.0.0"));
        }),
        v("tcps::addr=h;bind_interface=192.168.1.2", Tcps, "h", "9009", |o| {
            assert_eq!(o.bind_interface(), Some("192.168.1.2"));
        }),
        v("tcp::addr=h;auth_timeout=5000;", Tcp, "h", "9009", |o| {
            assert_eq!(o.auth_timeout(), ms(5000));
        }),
        v("http::addr=h;auth_timeout=+7;", Http, "h", "9000", |o| {
            assert_eq!(o.auth_timeout(), ms(7));
        }),
        v("http::addr=h;max_buf_size=1024;", Http, "h", "9000", |o| {
            assert_eq!(o.max_buf_size(), 1024);
        }),
        v("tcp::addr=h;max_name_len=16;", Tcp, "h", "9009", |o| {
            assert_eq!(o.max_name_len(), 16);
            assert!(o.max_name_len_is_set());
        }),
        v("http::addr=h;init_buf_size=1024", Http, "h", "9000", |o| {
            assert_eq!(o.init_buf_size(), 1024);
        }),
        v("tcp::addr=h;init_buf_size=0", Tcp, "h", "9009", |o| {
            assert_eq!(o.init_buf_size(), 0);
        }),
        v("http::addr=h;retry_timeout=0;", Http, "h", "9000", |o| {
            assert_eq!(o.retry_timeout(), Duration::ZERO);
        }),
        v("http::addr=h;retry_timeout=01", Http, "h", "9000", |o| {
            assert_eq!(o.retry_timeout(), ms(1));
        }),
        v("https::addr=h;request_min_throughput=0;", Https, "h", "9000", |o| {
            assert_eq!(o.request_min_throughput(), 0);
        }),
        v("http::addr=h;request_timeout=5000", Http, "h", "9000", |o| {
            assert_eq!(o.request_timeout(), ms(5000));
        }),
        v("http::addr=h;request_timeout=1;retry_timeout=2;request_min_throughput=3;max_buf_size=2048;max_name_len=200;", Http, "h", "9000", |o| {
            assert_eq!(o.request_timeout(), ms(1));
            assert_eq!(o.retry_timeout(), ms(2));
            assert_eq!(o.request_min_throughput(), 3);
            assert_eq!(o.max_buf_size(), 2048);
            assert_eq!(o.max_name_len(), 200);
        }),
        // TLS keys.
        v("tcps::addr=h;tls_verify=unsafe_off;", Tcps, "h", "9009", |o| {
            assert!(!o.tls_verify());
        }),
        v("https::addr=h;tls_verify=on", Https, "h", "9000", |o| {
            assert!(o.tls_verify());
        }),
        v("tcps::addr=h;tls_ca=webpki_roots;", Tcps, "h", "9009", |o| {
            assert_eq!(o.tls_ca(), CertificateAuthority::WebpkiRoots);
        }),
        v("https::addr=h;tls_ca=os_roots", Https, "h", "9000", |o| {
            assert_eq!(o.tls_ca(), CertificateAuthority::OsRoots);
        }),
        v("https::addr=h;tls_ca=webpki_and_os_roots", Https, "h", "9000", |o| {
            assert_eq!(o.tls_ca(), CertificateAuthority::WebpkiAndOsRoots);
            o.check_tls().unwrap();
        }),
        v("https::addr=h;tls_ca=pem_file", Https, "h", "9000", |o| {
            assert_eq!(o.tls_ca(), CertificateAuthority::PemFile);
            let e = o.check_tls().unwrap_err();
            assert_eq!(e.code(), ErrorCode::ConfigError);
            assert!(e.msg().contains("\"tls_roots\""), "{}", e.msg());
        }),
        v("https::addr=h:9000;tls_verify=unsafe_off;tls_ca=os_roots;protocol_version=2;auth_timeout=1", Https, "h", "9000", |o| {
            assert!(!o.tls_verify());
            assert_eq!(o.tls_ca(), CertificateAuthority::OsRoots);
            assert_eq!(o.protocol_version(), Some(ProtocolVersion::V2));
            assert_eq!(o.auth_timeout(), ms(1));
        }),
        // Auto-flush.
        v("http::addr=localhost:9000;auto_flush=off;retry_timeout=0;request_timeout=5000", Http, "localhost", "9000", |o| {
            assert_eq!(o.auto_flush(), flush(None, None, None));
            assert_eq!(o.retry_timeout(), Duration::ZERO);
            assert_eq!(o.request_timeout(), ms(5000));
        }),
        v("http::addr=h;auto_flush=on;", Http, "h", "9000", defaults),
        v("tcp::addr=h;auto_flush=on", Tcp, "h", "9009", defaults),
        v("http::addr=h;auto_flush_rows=10;", Http, "h", "9000", |o| {
            assert_eq!(o.auto_flush(), flush(Some(10), None, Some(1000)));
        }),
        v("tcp::addr=h;auto_flush_rows=off;", Tcp, "h", "9009", |o| {
            assert_eq!(o.auto_flush(), flush(None, None, Some(1000)));
        }),
        v("http::addr=h;auto_flush_bytes=4096;", Http, "h", "9000", |o| {
            assert_eq!(o.auto_flush(), flush(Some(75_000), Some(4096), Some(1000)));
        }),
        v("tcp::addr=h;auto_flush_bytes=off", Tcp, "h", "9009", |o| {
            assert_eq!(o.auto_flush(), flush(Some(600), None, Some(1000)));
        }),
        v("http::addr=h;auto_flush_interval=250;", Http, "h", "9000", |o| {
            assert_eq!(o.auto_flush(), flush(Some(75_000), None, Some(250)));
        }),
        v("tcp::addr=h;auto_flush_interval=off", Tcp, "h", "9009", |o| {
            assert_eq!(o.auto_flush(), flush(Some(600), None, None));
        }),
        v("http::addr=h;auto_flush_rows=1;auto_flush_bytes=2;auto_flush_interval=3", Http, "h", "9000", |o| {
            assert_eq!(o.auto_flush(), flush(Some(1), Some(2), Some(3)));
        }),
        v("http::addr=h;auto_flush=off;auto_flush_rows=10;auto_flush_interval=5", Http, "h", "9000", |o| {
            assert_eq!(o.auto_flush(), flush(None, None, None));
        }),
        v("https::addr=h;auto_flush=on;auto_flush_rows=off;auto_flush_bytes=off;auto_flush_interval=off", Https, "h", "9000", |o| {
            assert_eq!(o.auto_flush(), flush(None, None, None));
        }),
    ]
}

#[test]
fn valid_strings() {
    for row in valid_rows() {
        let o = conf(row.conf);
        assert_eq!(o.protocol(), row.protocol, "{}", row.conf);
        assert_eq!(o.host(), row.host, "{}", row.conf);
        assert_eq!(o.port(), row.port, "{}", row.conf);
        (row.check)(&o);
    }
}

/// (config string, fragment of the expected config_error message)
const INVALID: &[(&str, &str)] = &[
    // Grammar.
    (
        "",
        "Config parse error: expected identifier, not an empty string at position 0",
    ),
    (
        "http:addr=h",
        "Config parse error: bad separator, expected ':' got 'a' at position 5",
    ),
    (
        "http::addr",
        "incomplete key-value pair before end of input at position 10",
    ),
    (
        "http::addr=h;k",
        "incomplete key-value pair before end of input at position 14",
    ),
    (
        "http::addr=h;x y=1",
        "must be alphanumeric, not ' ' at position 14",
    ),
    ("http::addr=h;=1", "at position 13"),
    ("http::addr=h; retry_timeout=1", "not ' ' at position 13"),
    (
        "http::addr=h;addr=i",
        "duplicate key \"addr\" at position 13",
    ),
    (
        "http::addr=h;username=a;username=a",
        "duplicate key \"username\" at position 24",
    ),
    // Control characters in values.
    (
        "http::addr=h\n",
        "invalid char '\\n' in value at position 12",
    ),
    (
        "http::addr=h;password=Pw_s3cret\t",
        "invalid char '\\t' in value at position 31",
    ),
    (
        "http::addr=h;token=\u{7f}",
        "invalid char '\\u{7f}' in value at position 19",
    ),
    (
        "http::addr=h;username=\u{85}x",
        "invalid char '\\u{85}' in value at position 22",
    ),
    ("http::addr=h;unknown=\u{0}", "invalid char '\\0' in value"),
    // Schema (case-sensitive) and addr.
    ("HTTP::addr=h", "Unsupported protocol: HTTP"),
    ("Tcp::addr=h", "Unsupported protocol: Tcp"),
    ("udp::addr=h", "Unsupported protocol: udp"),
    ("http", "Missing \"addr\" parameter in config string"),
    ("http::", "Missing \"addr\" parameter in config string"),
    (
        "http::Addr=h",
        "Missing \"addr\" parameter in config string",
    ),
    ("http::addr=:9000", "the host is empty"),
    ("http::addr=", "the host is empty"),
    ("http::addr=h:", "the port is empty"),
    ("http::addr=::1", "like \"[::1]:9000\""),
    ("tcp::addr=fe80::1:9000", "must be written in brackets"),
    ("http::addr=h:1:2", "must be written in brackets"),
    ("http::addr=[::1", "missing \"]\""),
    ("http::addr=[::1]9000", "expected \":\" and a port"),
    ("http::addr=[]:9000", "the host is empty"),
    ("http::addr=[::1]:", "the port is empty"),
    // Protocol applicability.
    (
        "http::addr=h;bind_interface=0.0.0.0",
        "The \"bind_interface\" setting can only be used with the TCP protocol.",
    ),
    (
        "https::addr=h;bind_interface=x",
        "can only be used with the TCP protocol",
    ),
    (
        "tcp::addr=h;retry_timeout=1",
        "\"retry_timeout\" is supported only in ILP over HTTP.",
    ),
    (
        "tcps::addr=h;request_min_throughput=1",
        "\"request_min_throughput\" is supported only in ILP over HTTP.",
    ),
    (
        "tcp::addr=h;request_timeout=1",
        "\"request_timeout\" is supported only in ILP over HTTP.",
    ),
    (
        "tcp::addr=h;tls_verify=on",
        "Cannot set \"tls_verify\": TLS is not supported for protocol tcp",
    ),
    (
        "http::addr=h;tls_verify=unsafe_off",
        "Cannot set \"tls_verify\": TLS is not supported for protocol http",
    ),
    (
        "tcp::addr=h;tls_ca=os_roots",
        "Cannot set \"tls_ca\": TLS is not supported for protocol tcp",
    ),
    (
        "http::addr=h;tls_ca=pem_file",
        "Cannot set \"tls_ca\": TLS is not supported for protocol http",
    ),
    (
        "http::addr=h;tls_roots=/etc/hosts",
        "Cannot set \"tls_roots\": TLS is not supported for protocol http",
    ),
    // Keys apply in string order: the first bad one is reported.
    (
        "tcp::addr=h;tls_verify=on;retry_timeout=1",
        "\"tls_verify\"",
    ),
    (
        "tcp::addr=h;retry_timeout=1;tls_verify=on",
        "\"retry_timeout\"",
    ),
    // TLS values.
    (
        "https::addr=h;tls_verify=off",
        "Config parameter \"tls_verify\" must be either \"on\" or \"unsafe_off\".",
    ),
    (
        "tcps::addr=h;tls_verify=ON",
        "must be either \"on\" or \"unsafe_off\"",
    ),
    (
        "https::addr=h;tls_ca=webpki",
        "Invalid value \"webpki\" for \"tls_ca\"",
    ),
    ("https::addr=h;tls_ca=", "Invalid value \"\" for \"tls_ca\""),
    (
        "https::addr=h;tls_ca=OS_ROOTS",
        "Invalid value \"OS_ROOTS\" for \"tls_ca\"",
    ),
    (
        "https::addr=h;tls_roots_password=x",
        "\"tls_roots_password\" is not supported.",
    ),
    (
        "http::addr=h;tls_roots_password=",
        "\"tls_roots_password\" is not supported.",
    ),
    (
        "https::addr=h;tls_roots=/nonexistent/ca.pem",
        "Could not open root certificate file from path \"/nonexistent/ca.pem\"",
    ),
    (
        "tcps::addr=h;tls_roots=/",
        "Could not open root certificate file from path \"/\"",
    ),
    (
        "https::addr=h;tls_roots=",
        "Could not open root certificate file from path \"\"",
    ),
    // Numeric keys: ranges and parse errors.
    (
        "http::addr=h;max_buf_size=1023",
        "\"max_buf_size\" must be at least 1024 bytes.",
    ),
    (
        "http::addr=h;max_buf_size=1k",
        "Could not parse \"max_buf_size\" to number: invalid digit",
    ),
    (
        "http::addr=h;max_name_len=15",
        "\"max_name_len\" must be at least 16 bytes.",
    ),
    (
        "http::addr=h;max_name_len=-1",
        "Could not parse \"max_name_len\" to number",
    ),
    (
        "tcp::addr=h;init_buf_size=x",
        "Could not parse \"init_buf_size\" to number",
    ),
    (
        "tcp::addr=h;auth_timeout=0",
        "\"auth_timeout\" must be greater than 0.",
    ),
    (
        "tcp::addr=h;auth_timeout=",
        "Could not parse \"auth_timeout\" to number: cannot parse integer from empty string",
    ),
    (
        "tcp::addr=h;auth_timeout=1.5",
        "Could not parse \"auth_timeout\" to number",
    ),
    (
        "http::addr=h;retry_timeout= 1",
        "Could not parse \"retry_timeout\" to number",
    ),
    (
        "http::addr=h;request_min_throughput=1_000",
        "Could not parse \"request_min_throughput\" to number",
    ),
    (
        "http::addr=h;request_timeout=99999999999999999999",
        "Could not parse \"request_timeout\" to number: number too large",
    ),
    (
        "http::addr=h;request_timeout=0",
        "\"request_timeout\" must be greater than 0.",
    ),
    (
        "http::addr=h;retry_timeout=1;request_timeout=0",
        "\"request_timeout\" must be greater than 0.",
    ),
    // protocol_version.
    (
        "http::addr=h;protocol_version=4",
        "invalid \"protocol_version\" [value=4, allowed-values=[auto, 1, 2, 3]]",
    ),
    (
        "tcp::addr=h;protocol_version=v2",
        "[value=v2, allowed-values=[auto, 1, 2, 3]]",
    ),
    ("http::addr=h;protocol_version=AUTO", "[value=AUTO,"),
    ("http::addr=h;protocol_version=", "[value=,"),
    // Auto-flush.
    (
        "http::addr=h;auto_flush=true",
        "Config parameter \"auto_flush\" must be either \"on\" or \"off\".",
    ),
    (
        "tcp::addr=h;auto_flush=OFF",
        "\"auto_flush\" must be either \"on\" or \"off\"",
    ),
    (
        "http::addr=h;auto_flush_rows=0",
        "\"auto_flush_rows\" must be greater than 0",
    ),
    (
        "http::addr=h;auto_flush_rows=many",
        "Could not parse \"auto_flush_rows\" to number",
    ),
    (
        "tcp::addr=h;auto_flush_rows=",
        "Could not parse \"auto_flush_rows\" to number",
    ),
    (
        "http::addr=h;auto_flush_bytes=0",
        "\"auto_flush_bytes\" must be greater than 0",
    ),
    (
        "http::addr=h;auto_flush_bytes=-5",
        "Could not parse \"auto_flush_bytes\" to number",
    ),
    (
        "http::addr=h;auto_flush_interval=0",
        "\"auto_flush_interval\" must be greater than 0",
    ),
    (
        "http::addr=h;auto_flush_interval=Off",
        "Could not parse \"auto_flush_interval\" to number",
    ),
];

#[test]
fn invalid_strings() {
    for (s, fragment) in INVALID {
        let msg = conf_err(s);
        assert!(msg.contains(fragment), "{s:?}: {msg:?} lacks {fragment:?}");
        assert_no_secrets(&msg);
    }
}

/// (config string, the Auth it resolves to or a fragment of the error)
const AUTH: &[(&str, Result<&str, &str>)] = &[
    ("tcp::addr=h", Ok("None")),
    ("tcp::addr=h;username=kid;token=Tk_s3cret;token_x=Tx_s3cret;token_y=Ty_s3cret", Ok("Ecdsa")),
    ("tcps::addr=h;token_y=Ty_s3cret;token_x=Tx_s3cret;token=Tk_s3cret;username=kid", Ok("Ecdsa")),
    ("tcp::addr=h;username=u;password=Pw_s3cret", Err("The \"basic_auth\" setting can only be used with the ILP/HTTP protocol.")),
    ("tcp::addr=h;token=Tk_s3cret", Err("Token authentication can only be used with the ILP/HTTP protocol.")),
    ("tcp::addr=h;username=kid;token=Tk_s3cret;token_x=Tx_s3cret", Err("Incomplete ECDSA authentication parameters. Specify either all or none of: \"username\", \"token\", \"token_x\", \"token_y\".")),
    ("tcps::addr=h;username=kid", Err("Incomplete ECDSA authentication parameters.")),
    ("tcp::addr=h;token_x=Tx_s3cret;token_y=Ty_s3cret", Err("Incomplete ECDSA authentication parameters.")),
    ("tcp::addr=h;password=Pw_s3cret", Err("Incomplete authentication parameters. Check \"username\", \"password\", \"token\", \"token_x\" and \"token_y\" parameters are set correctly.")),
    ("tcp::addr=h;username=kid;password=Pw_s3cret;token=Tk_s3cret;token_x=Tx_s3cret;token_y=Ty_s3cret", Err("Incomplete authentication parameters.")),
    ("http::addr=h", Ok("None")),
    ("http::addr=h;username=u;password=Pw_s3cret", Ok("Basic")),
    ("https::addr=h;password=Pw_s3cret;username=u", Ok("Basic")),
    ("http::addr=h;token=Tk_s3cret", Ok("Bearer")),
    ("http::addr=h;username=u", Err("Basic authentication parameter \"username\" is present, but \"password\" is missing.")),
    ("https::addr=h;password=Pw_s3cret", Err("Basic authentication parameter \"password\" is present, but \"username\" is missing.")),
    ("http::addr=h;username=kid;token=Tk_s3cret;token_x=Tx_s3cret;token_y=Ty_s3cret", Err("ECDSA authentication is only available with ILP/TCP and not available with ILP/HTTP.")),
    ("http::addr=h;username=u;password=Pw_s3cret;token=Tk_s3cret", Err("Inconsistent HTTP authentication parameters. Specify either \"username\" and \"password\", or just \"token\".")),
    ("http::addr=h;username=u;token=Tk_s3cret", Err("Inconsistent HTTP authentication parameters.")),
    ("https::addr=h;password=Pw_s3cret;token=Tk_s3cret", Err("Inconsistent HTTP authentication parameters.")),
    ("http::addr=h;token_x=Tx_s3cret", Err("Incomplete authentication parameters.")),
    ("http::addr=h;token=Tk_s3cret;token_x=Tx_s3cret;token_y=Ty_s3cret", Err("Incomplete authentication parameters.")),
];

fn auth_kind(auth: &Auth) -> &'static str {
    match auth {
        Auth::None => "None",
        Auth::Basic { .. } => "Basic",
        Auth::Bearer { .. } => "Bearer",
        Auth::Ecdsa { .. } => "Ecdsa",
    }
}

#[test]
fn auth_combinations() {
    for (s, want) in AUTH {
        let o = conf(s);
        assert_no_secrets(&format!("{o:?}"));
        match (o.auth(), want) {
            (Ok(auth), Ok(kind)) => {
                assert_eq!(auth_kind(&auth), *kind, "{s}");
                assert_no_secrets(&format!("{auth:?}"));
            }
            (Err(e), Err(fragment)) => {
                assert_eq!(e.code(), ErrorCode::ConfigError, "{s}");
                assert!(e.msg().contains(fragment), "{s}: {}", e.msg());
                assert_no_secrets(e.msg());
            }
            (got, _) => panic!("{s}: unexpected {got:?}"),
        }
    }
}

#[test]
fn auth_values_reach_the_auth() {
    let o = conf("tcp::addr=h;username=kid;token=Tk_s3cret;token_x=Tx_s3cret;token_y=Ty_s3cret");
    let want = Auth::Ecdsa {
        key_id: "kid".into(),
        d: "Tk_s3cret".into(),
        x: "Tx_s3cret".into(),
        y: "Ty_s3cret".into(),
    };
    assert_eq!(o.auth(), Ok(want));
}

#[test]
fn debug_never_shows_secrets() {
    let mut o = SenderOptions::new(Tcp, "h", 9009);
    let printed = format!("{o:?}");
    assert!(printed.contains("password: None"), "{printed}");
    o.set_username("kid").unwrap();
    o.set_password(SECRETS[0]).unwrap();
    o.set_token(SECRETS[1]).unwrap();
    o.set_token_x(SECRETS[2]).unwrap();
    o.set_token_y(SECRETS[3]).unwrap();
    let printed = format!("{o:?}");
    assert_no_secrets(&printed);
    assert_no_secrets(&format!("{o:#?}"));
    assert_eq!(printed.matches("***").count(), 4, "{printed}");
    for shown in ["Tcp", "\"h\"", "\"9009\"", "\"kid\""] {
        assert!(printed.contains(shown), "{printed} lacks {shown}");
    }
    let o = conf("https::addr=h;username=u;password=Pw_s3cret;tls_verify=unsafe_off");
    let printed = format!("{o:?}");
    assert_no_secrets(&printed);
    assert!(printed.contains("tls_verify: Some(false)"), "{printed}");
}

#[test]
fn new_and_new_service() {
    let o = SenderOptions::new(Https, "db", 443);
    assert_eq!((o.protocol(), o.host(), o.port()), (Https, "db", "443"));
    defaults(&o);
    let o = SenderOptions::new_service(Tcp, "db", "questdb");
    assert_eq!((o.protocol(), o.host(), o.port()), (Tcp, "db", "questdb"));
    defaults(&o);
}

type Setter<T> = fn(&mut SenderOptions, T) -> questdb_client::Result<()>;
type StrSetter = fn(&mut SenderOptions, &str) -> questdb_client::Result<()>;

fn err_msg(r: questdb_client::Result<()>) -> String {
    let e = r.expect_err("should fail");
    assert_eq!(e.code(), ErrorCode::ConfigError);
    e.msg().to_string()
}

/// `set` twice with `a` succeeds, then with `b` fails as already specified,
/// and the failure leaves the options as they were.
fn set_once<T: Copy>(o: &mut SenderOptions, key: &str, set: Setter<T>, a: T, b: T) {
    set(o, a).unwrap_or_else(|e| panic!("{key}: {}", e.msg()));
    set(o, a).unwrap_or_else(|e| panic!("{key} again: {}", e.msg()));
    let before = o.clone();
    let msg = err_msg(set(o, b));
    assert_eq!(msg, format!("\"{key}\" is already specified"));
    assert_eq!(*o, before, "{key}");
}

#[test]
fn setters_are_set_once() {
    let mut t = SenderOptions::new(Tcps, "h", 9009);
    set_once(
        &mut t,
        "bind_interface",
        SenderOptions::set_bind_interface,
        "a",
        "b",
    );
    set_once(&mut t, "username", SenderOptions::set_username, "a", "b");
    set_once(&mut t, "password", SenderOptions::set_password, "a", "b");
    set_once(&mut t, "token", SenderOptions::set_token, "a", "b");
    set_once(&mut t, "token_x", SenderOptions::set_token_x, "a", "b");
    set_once(&mut t, "token_y", SenderOptions::set_token_y, "a", "b");
    let v = (ProtocolVersion::V1, ProtocolVersion::V2);
    set_once(
        &mut t,
        "protocol_version",
        SenderOptions::set_protocol_version,
        v.0,
        v.1,
    );
    set_once(
        &mut t,
        "auth_timeout",
        SenderOptions::set_auth_timeout,
        5,
        6,
    );
    set_once(
        &mut t,
        "tls_verify",
        SenderOptions::set_tls_verify,
        false,
        true,
    );
    let ca = (
        CertificateAuthority::OsRoots,
        CertificateAuthority::WebpkiRoots,
    );
    set_once(&mut t, "tls_ca", SenderOptions::set_tls_ca, ca.0, ca.1);
    set_once(
        &mut t,
        "max_buf_size",
        SenderOptions::set_max_buf_size,
        2048,
        4096,
    );
    set_once(
        &mut t,
        "max_name_len",
        SenderOptions::set_max_name_len,
        20,
        30,
    );
    set_once(
        &mut t,
        "init_buf_size",
        SenderOptions::set_init_buf_size,
        1,
        2,
    );
    set_once(
        &mut t,
        "auto_flush",
        SenderOptions::set_auto_flush,
        true,
        false,
    );
    set_once(
        &mut t,
        "auto_flush_rows",
        SenderOptions::set_auto_flush_rows,
        Some(5),
        None,
    );
    set_once(
        &mut t,
        "auto_flush_bytes",
        SenderOptions::set_auto_flush_bytes,
        None,
        Some(5),
    );
    set_once(
        &mut t,
        "auto_flush_interval",
        SenderOptions::set_auto_flush_interval,
        Some(9),
        None,
    );
    assert_eq!(t.bind_interface(), Some("a"));
    assert_eq!(t.auth_timeout(), ms(5));
    assert_eq!(t.auto_flush(), flush(Some(5), None, Some(9)));

    let mut h = SenderOptions::new(Http, "h", 9000);
    set_once(
        &mut h,
        "retry_timeout",
        SenderOptions::set_retry_timeout,
        0,
        1,
    );
    set_once(
        &mut h,
        "request_min_throughput",
        SenderOptions::set_request_min_throughput,
        0,
        1,
    );
    set_once(
        &mut h,
        "request_timeout",
        SenderOptions::set_request_timeout,
        1,
        2,
    );
    assert_eq!(h.retry_timeout(), Duration::ZERO);
    assert_eq!(h.request_timeout(), ms(1));
}

#[test]
fn setters_after_from_conf() {
    let mut o = conf("http::addr=h;retry_timeout=5;username=u");
    o.set_retry_timeout(5).unwrap();
    o.set_username("u").unwrap();
    assert!(err_msg(o.set_retry_timeout(6)).contains("\"retry_timeout\" is already specified"));
    assert!(err_msg(o.set_username("v")).contains("\"username\" is already specified"));
    o.set_password("p").unwrap();
    assert_eq!(
        o.auth().unwrap(),
        Auth::Basic {
            username: "u".into(),
            password: "p".into()
        }
    );
}

#[test]
fn failed_setters_change_nothing() {
    let mut t = SenderOptions::new(Tcp, "h", 9009);
    let before = t.clone();
    let failures = [
        t.set_retry_timeout(1),
        t.set_request_timeout(1),
        t.set_request_min_throughput(1),
        t.set_tls_verify(false),
        t.set_tls_ca(CertificateAuthority::OsRoots),
        t.set_tls_roots("/etc/hosts"),
        t.set_auth_timeout(0),
        t.set_max_buf_size(1023),
        t.set_max_name_len(15),
        t.set_auto_flush_rows(Some(0)),
        t.set_auto_flush_bytes(Some(0)),
        t.set_auto_flush_interval(Some(0)),
        t.set_username("a\u{1}"),
        t.set_user_agent("ua\n"),
    ];
    for r in failures {
        err_msg(r);
    }
    assert_eq!(t, before);
    let mut h = SenderOptions::new(Http, "h", 9000);
    err_msg(h.set_bind_interface("0.0.0.0"));
    err_msg(h.set_request_timeout(0));
    assert_eq!(h, SenderOptions::new(Http, "h", 9000));
}

#[test]
fn setter_control_chars() {
    let mut o = SenderOptions::new(Http, "h", 9000);
    assert_eq!(
        err_msg(o.set_username("use\nr")),
        "Invalid character '\\n' at position 3 in \"username\""
    );
    assert_eq!(
        err_msg(SenderOptions::new(Tcp, "h", 1).set_bind_interface("é\u{9f}")),
        "Invalid character '\\u{9f}' at position 1 in \"bind_interface\""
    );
    let setters: [(&str, StrSetter); 4] = [
        ("password", SenderOptions::set_password),
        ("token", SenderOptions::set_token),
        ("token_x", SenderOptions::set_token_x),
        ("token_y", SenderOptions::set_token_y),
    ];
    for ((key, set), secret) in setters.into_iter().zip(SECRETS) {
        let msg = err_msg(set(&mut o, &format!("{secret}\u{7f}")));
        assert_eq!(
            msg,
            format!("Invalid character '\\u{{7f}}' at position 9 in \"{key}\"")
        );
        assert_no_secrets(&msg);
    }
    assert!(err_msg(o.set_user_agent("a\u{0}")).contains("\"user_agent\""));
    assert_eq!(o, SenderOptions::new(Http, "h", 9000));
    // Just outside the control ranges.
    o.set_username("\u{a0} ~").unwrap();
}

#[test]
fn user_agent_replaces() {
    let mut o = conf("http::addr=h;user_agent=ignored");
    assert!(o.user_agent().starts_with("questdb-client/"));
    o.set_user_agent("questdb/c/1").unwrap();
    o.set_user_agent("questdb/cpp/2").unwrap();
    assert_eq!(o.user_agent(), "questdb/cpp/2");
}

#[test]
fn check_tls_programmatic() {
    let mut o = SenderOptions::new(Https, "h", 9000);
    o.check_tls().unwrap();
    o.set_tls_ca(CertificateAuthority::PemFile).unwrap();
    let e = o.check_tls().unwrap_err();
    assert_eq!(e.code(), ErrorCode::ConfigError);
    assert!(e.msg().contains("\"pem_file\""), "{}", e.msg());
}

/// A PEM-looking file in the temp dir, removed on drop.
struct TempFile(PathBuf);

impl TempFile {
    fn new(name: &str) -> Self {
        let path = std::env::temp_dir().join(format!("qdb-conf-{}-{name}.pem", std::process::id()));
        std::fs::write(
            &path,
            "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n",
        )
        .unwrap();
        TempFile(path)
    }

    fn path(&self) -> &Path {
        &self.0
    }

    fn str(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[test]
fn tls_roots_file() {
    let a = TempFile::new("a");
    let b = TempFile::new("b");
    let ok_rows = [
        format!("https::addr=h;tls_roots={}", a.str()),
        format!("tcps::addr=h;tls_ca=pem_file;tls_roots={}", a.str()),
        format!("tcps::addr=h;tls_roots={};tls_ca=pem_file;", a.str()),
    ];
    for s in &ok_rows {
        let o = conf(s);
        assert_eq!(o.tls_ca(), CertificateAuthority::PemFile, "{s}");
        assert_eq!(o.tls_roots(), Some(a.path()), "{s}");
        o.check_tls().unwrap();
    }
    let bad_rows = [
        format!("https::addr=h;tls_ca=os_roots;tls_roots={}", a.str()),
        format!("https::addr=h;tls_roots={};tls_ca=webpki_roots", a.str()),
    ];
    for s in &bad_rows {
        assert!(
            conf_err(s).contains("\"tls_ca\" is already specified"),
            "{s}"
        );
    }

    let mut o = SenderOptions::new(Https, "h", 9000);
    o.set_tls_roots(a.str()).unwrap();
    o.set_tls_roots(a.str()).unwrap();
    let before = o.clone();
    assert_eq!(
        err_msg(o.set_tls_roots(b.str())),
        "\"tls_roots\" is already specified"
    );
    assert_eq!(o, before);

    let mut o = SenderOptions::new(Tcps, "h", 9009);
    let missing = format!("{}.missing", a.str());
    let msg = err_msg(o.set_tls_roots(&missing));
    assert!(msg.contains(&format!("from path {missing:?}")), "{msg}");
    assert_eq!(o, SenderOptions::new(Tcps, "h", 9009));
    o.set_tls_ca(CertificateAuthority::WebpkiRoots).unwrap();
    assert_eq!(
        err_msg(o.set_tls_roots(a.str())),
        "\"tls_ca\" is already specified"
    );
    assert_eq!(o.tls_roots(), None);
}

// The only test that touches the environment, so nothing races on it.
#[test]
fn from_env_set_and_unset() {
    std::env::remove_var("QDB_CLIENT_CONF");
    let e = SenderOptions::from_env().unwrap_err();
    assert_eq!(e.code(), ErrorCode::ConfigError);
    assert_eq!(e.msg(), "Environment variable QDB_CLIENT_CONF not set.");

    std::env::set_var("QDB_CLIENT_CONF", "tcp::addr=envhost:1234;auth_timeout=99;");
    let o = SenderOptions::from_env().unwrap();
    assert_eq!((o.protocol(), o.host(), o.port()), (Tcp, "envhost", "1234"));
    assert_eq!(o.auth_timeout(), ms(99));

    std::env::set_var("QDB_CLIENT_CONF", "tcp::addr=envhost;retry_timeout=1");
    let e = SenderOptions::from_env().unwrap_err();
    assert!(e.msg().contains("\"retry_timeout\""), "{}", e.msg());
    std::env::remove_var("QDB_CLIENT_CONF");
}

#[test]
fn enough_rows() {
    let rows = valid_rows().len() + INVALID.len() + AUTH.len();
    assert!(rows >= 70, "{rows}");
}

//! TLS over TCP (`tcps`) and HTTP (`https`) against a local TLS terminator
//! with certificates generated at test time, in front of the plain mocks.

mod common;

use common::rows::{build_err, two_rows, TWO_ROWS};

use common::mock_http::{Action, MockHttp};
use common::mock_tcp::{MockTcp, Mode};
use common::tls::{Pki, SilentServer, TlsProxy};
use questdb_client::{ColumnName, ErrorCode, Sender, TableName};
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(5);

fn tls_conf(schema: &str, host: &str, port: u16, pki: &Pki, extra: &str) -> String {
    format!(
        "{schema}::addr={host}:{port};tls_roots={};{extra}",
        pki.ca_path().display()
    )
}

#[test]
fn tcps_with_the_ca_file_delivers_the_bytes_decrypted() {
    let pki = Pki::generate("tcps-ok");
    let sink = MockTcp::start(Mode::Record);
    let proxy = TlsProxy::start(pki.good.server_config(), sink_addr(&sink));
    for host in ["localhost", "127.0.0.1"] {
        let before = sink.received().concat().len();
        let mut sender =
            Sender::from_conf(&tls_conf("tcps", host, proxy.port(), &pki, "")).unwrap();
        let mut buf = two_rows(&sender);
        sender.flush(&mut buf).unwrap();
        drop(sender);
        let got = sink.wait_for_bytes(before + TWO_ROWS.len(), WAIT);
        assert_eq!(&got[before..], TWO_ROWS, "via {host}");
    }
}

fn sink_addr(sink: &MockTcp) -> std::net::SocketAddr {
    format!("127.0.0.1:{}", sink.port()).parse().unwrap()
}

#[test]
fn https_with_the_ca_file_posts_and_detects_over_tls() {
    let pki = Pki::generate("https-ok");
    let server = MockHttp::start();
    server.push_settings(Action::json(
        200,
        r#"{"config":{"line.proto.support.versions":[1,2]}}"#,
    ));
    let proxy = TlsProxy::start(pki.good.server_config(), server.addr());
    let mut sender = Sender::from_conf(&tls_conf(
        "https",
        "localhost",
        proxy.port(),
        &pki,
        "username=u;password=p;",
    ))
    .unwrap();
    assert_eq!(
        sender.protocol_version() as u8,
        2,
        "/settings read over TLS"
    );
    let mut buf = sender.new_buffer();
    buf.table(TableName::new("t").unwrap())
        .unwrap()
        .column_i64(ColumnName::new("n").unwrap(), 1)
        .unwrap()
        .at_nanos(5)
        .unwrap();
    let expected = buf.as_bytes().to_vec();
    sender.flush(&mut buf).unwrap();
    let mut second = two_rows(&sender);
    let second_bytes = second.as_bytes().to_vec();
    sender.flush(&mut second).unwrap();
    let writes = server.requests_to("/write");
    assert_eq!(writes.len(), 2);
    assert_eq!(writes[0].body, expected);
    assert_eq!(writes[1].body, second_bytes);
    assert_eq!(server.connections(), 1, "one kept-alive TLS connection");
    assert_eq!(writes[0].header("Authorization"), Some("Basic dTpw"));
    assert_eq!(
        server.requests_to("/settings")[0].header("Authorization"),
        Some("Basic dTpw")
    );
}

#[test]
fn unknown_issuer_is_a_tls_error() {
    let pki = Pki::generate("unknown-ca");
    let sink = MockTcp::start(Mode::Record);
    let proxy = TlsProxy::start(pki.self_signed.server_config(), sink_addr(&sink));
    let err = build_err(&tls_conf("tcps", "localhost", proxy.port(), &pki, ""));
    assert_eq!(err.code(), ErrorCode::TlsError);
    assert!(
        err.msg().starts_with("Failed to complete TLS handshake: ")
            && err.msg().contains("UnknownIssuer"),
        "{}",
        err.msg()
    );
    // The Mozilla roots do not know our CA either.
    let err = build_err(&format!(
        "tcps::addr=localhost:{};tls_ca=webpki_roots;",
        proxy.port()
    ));
    assert_eq!(err.code(), ErrorCode::TlsError);
    assert!(err.msg().contains("UnknownIssuer"), "{}", err.msg());
    assert!(sink.received().concat().is_empty(), "nothing got through");
}

#[test]
fn wrong_name_is_a_tls_error() {
    let pki = Pki::generate("wrong-name");
    let sink = MockTcp::start(Mode::Record);
    let proxy = TlsProxy::start(pki.wrong_name.server_config(), sink_addr(&sink));
    let err = build_err(&tls_conf("tcps", "localhost", proxy.port(), &pki, ""));
    assert_eq!(err.code(), ErrorCode::TlsError);
    assert!(
        err.msg()
            .contains("certificate not valid for name \"localhost\""),
        "{}",
        err.msg()
    );
}

#[test]
fn expired_certificate_is_a_tls_error() {
    let pki = Pki::generate("expired");
    let sink = MockTcp::start(Mode::Record);
    let proxy = TlsProxy::start(pki.expired.server_config(), sink_addr(&sink));
    let err = build_err(&tls_conf("tcps", "localhost", proxy.port(), &pki, ""));
    assert_eq!(err.code(), ErrorCode::TlsError);
    assert!(
        err.msg()
            .contains("invalid peer certificate: certificate expired"),
        "{}",
        err.msg()
    );
}

#[test]
fn https_certificate_problems_are_tls_errors_and_not_retried() {
    let pki = Pki::generate("https-bad");
    let server = MockHttp::start();
    let proxy = TlsProxy::start(pki.self_signed.server_config(), server.addr());
    let conf = tls_conf(
        "https",
        "localhost",
        proxy.port(),
        &pki,
        "protocol_version=1;retry_timeout=5000;",
    );
    let mut sender = Sender::from_conf(&conf).unwrap();
    let mut buf = two_rows(&sender);
    let before = buf.as_bytes().to_vec();
    let start = Instant::now();
    let err = sender.flush(&mut buf).unwrap_err();
    assert_eq!(err.code(), ErrorCode::TlsError, "{}", err.msg());
    assert!(err.msg().contains("UnknownIssuer"), "{}", err.msg());
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "a certificate error is final, not retried for 5 s: {:?}",
        start.elapsed()
    );
    assert_eq!(buf.as_bytes(), &before[..]);
    assert!(server.requests().is_empty());

    // Detection goes over TLS too, and reports the TLS failure as such.
    let err = build_err(&tls_conf("https", "localhost", proxy.port(), &pki, ""));
    assert_eq!(err.code(), ErrorCode::TlsError, "{}", err.msg());
    assert!(err.msg().contains("UnknownIssuer"), "{}", err.msg());
}

#[test]
fn unsafe_off_accepts_a_self_signed_certificate() {
    let pki = Pki::generate("unsafe-off");
    let sink = MockTcp::start(Mode::Record);
    let proxy = TlsProxy::start(pki.self_signed.server_config(), sink_addr(&sink));
    let mut sender = Sender::from_conf(&format!(
        "tcps::addr=localhost:{};tls_verify=unsafe_off;",
        proxy.port()
    ))
    .unwrap();
    sender.flush(&mut two_rows(&sender)).unwrap();
    drop(sender);
    assert_eq!(sink.wait_for_bytes(TWO_ROWS.len(), WAIT), TWO_ROWS);

    let server = MockHttp::start();
    let proxy = TlsProxy::start(pki.expired.server_config(), server.addr());
    let mut sender = Sender::from_conf(&format!(
        "https::addr=localhost:{};tls_verify=unsafe_off;protocol_version=1;",
        proxy.port()
    ))
    .unwrap();
    sender.flush(&mut two_rows(&sender)).unwrap();
    assert_eq!(server.requests_to("/write")[0].body, TWO_ROWS);
}

#[test]
fn a_handshake_that_never_completes_times_out_after_auth_timeout() {
    let silent = SilentServer::start();
    let pki = Pki::generate("silent");
    let start = Instant::now();
    let err = build_err(&tls_conf(
        "tcps",
        "localhost",
        silent.port(),
        &pki,
        "auth_timeout=300;",
    ));
    let elapsed = start.elapsed();
    assert_eq!(err.code(), ErrorCode::TlsError);
    assert_eq!(
        err.msg(),
        "Failed to complete TLS handshake: Timed out waiting for server response after 300ms."
    );
    assert!(
        elapsed >= Duration::from_millis(280) && elapsed < Duration::from_secs(2),
        "{elapsed:?}"
    );
}

#[test]
fn https_handshake_that_never_completes_times_out_after_request_timeout() {
    let silent = SilentServer::start();
    let pki = Pki::generate("silent-http");
    let conf = tls_conf(
        "https",
        "localhost",
        silent.port(),
        &pki,
        "protocol_version=1;request_timeout=300;retry_timeout=0;",
    );
    let mut sender = Sender::from_conf(&conf).unwrap();
    let mut buf = two_rows(&sender);
    let start = Instant::now();
    let err = sender.flush(&mut buf).unwrap_err();
    let elapsed = start.elapsed();
    assert_eq!(err.code(), ErrorCode::SocketError, "{}", err.msg());
    assert!(err.msg().contains("timeout"), "{}", err.msg());
    assert!(elapsed < Duration::from_secs(2), "{elapsed:?}");
}

#[test]
fn tls_settings_are_validated() {
    let err = build_err("tcps::addr=localhost:1;tls_roots=/nonexistent/ca.pem;");
    assert_eq!(err.code(), ErrorCode::ConfigError);
    assert!(err.msg().contains("/nonexistent/ca.pem"), "{}", err.msg());

    let pki = Pki::generate("not-pem");
    let junk = pki.dir.join("junk.pem");
    std::fs::write(&junk, "not a certificate\n").unwrap();
    let err = build_err(&format!(
        "tcps::addr=localhost:1;tls_roots={};",
        junk.display()
    ));
    assert_eq!(err.code(), ErrorCode::TlsError);
    assert!(err.msg().contains("No valid certificate"), "{}", err.msg());

    let err = build_err("tcp::addr=localhost:1;tls_verify=unsafe_off;");
    assert_eq!(err.code(), ErrorCode::ConfigError);
    let err = build_err("http::addr=localhost:1;tls_ca=os_roots;");
    assert_eq!(err.code(), ErrorCode::ConfigError);
}

//! `tls_ca=os_roots` and the default `webpki_and_os_roots` with a test CA
//! installed into the OS store the way users do it without root:
//! `SSL_CERT_FILE` or `SSL_CERT_DIR`. One test per binary, because it sets
//! process-wide environment variables.

mod common;

use common::mock_tcp::{MockTcp, Mode};
use common::tls::{Pki, TlsProxy};
use questdb_client::{ColumnName, ErrorCode, Sender, TableName};
use std::time::Duration;

fn send_one(conf: &str) -> Result<(), questdb_client::Error> {
    let mut sender = Sender::from_conf(conf)?;
    let mut buf = sender.new_buffer();
    buf.table(TableName::new("t").unwrap())?
        .column_i64(ColumnName::new("n").unwrap(), 1)?
        .at_nanos(1)?;
    sender.flush(&mut buf)
}

#[test]
fn os_roots_follow_ssl_cert_file_and_ssl_cert_dir() {
    let pki = Pki::generate("os-roots");
    let sink = MockTcp::start(Mode::Record);
    let backend = format!("127.0.0.1:{}", sink.port()).parse().unwrap();
    let proxy = TlsProxy::start(pki.good.server_config(), backend);
    let addr = format!("localhost:{}", proxy.port());
    let empty_dir = pki.dir.join("empty");
    std::fs::create_dir_all(&empty_dir).unwrap();

    // An OS store that does not know the CA: rejected.
    std::env::set_var("SSL_CERT_DIR", &empty_dir);
    std::env::set_var("SSL_CERT_FILE", pki.dir.join("missing.pem"));
    let err = send_one(&format!("tcps::addr={addr};tls_ca=webpki_and_os_roots;")).unwrap_err();
    assert_eq!(err.code(), ErrorCode::TlsError, "{}", err.msg());
    assert!(err.msg().contains("UnknownIssuer"), "{}", err.msg());

    // SSL_CERT_FILE names a bundle holding the CA.
    std::env::set_var("SSL_CERT_FILE", pki.ca_path());
    send_one(&format!("tcps::addr={addr};tls_ca=os_roots;")).unwrap();
    send_one(&format!("tcps::addr={addr};")).unwrap(); // the default
    std::env::remove_var("SSL_CERT_FILE");

    // SSL_CERT_DIR names a directory with the CA in it.
    let dir = pki.dir.join("certs");
    std::fs::create_dir_all(&dir).unwrap();
    pki.write_ca_as(&dir.join("test-ca.pem"));
    std::env::set_var("SSL_CERT_DIR", &dir);
    send_one(&format!("tcps::addr={addr};tls_ca=os_roots;")).unwrap();

    let expected = b"t n=1i 1\n".repeat(3);
    assert_eq!(
        sink.wait_for_bytes(expected.len(), Duration::from_secs(5)),
        expected
    );

    // webpki_roots alone ignores the OS store.
    let err = send_one(&format!("tcps::addr={addr};tls_ca=webpki_roots;")).unwrap_err();
    assert_eq!(err.code(), ErrorCode::TlsError);
}

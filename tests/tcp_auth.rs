//! ECDSA authentication over TCP against a server that issues a random
//! challenge and verifies the signature with ring, plain and over TLS.

mod common;

use common::rows::build_err;

use common::ecdsa_server::{EcdsaServer, KeySet, Outcome};
use common::tls::{Pki, TlsProxy};
use questdb_client::{Buffer, ColumnName, ErrorCode, Sender, TableName};
use std::net::TcpListener;
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(5);

/// The documented sample key set (test credentials, not a secret).
fn sample_keys() -> KeySet {
    KeySet {
        d: "5UjEMuA0Pj5pjK8a-fa24dyIf-Es5mYny3oE_Wmus48".into(),
        x: "fLKYEaoEb9lrn3nkwLDA-M_xnuFOdSt9y0Z7_vWSHLU".into(),
        y: "Dt5tbS1dEDMSYfym3fgMv0B99szno-dFc1rYF9t0aac".into(),
    }
}

fn one_row(sender: &Sender) -> Buffer {
    let mut buf = sender.new_buffer();
    buf.table(TableName::new("t").unwrap())
        .unwrap()
        .symbol(ColumnName::new("s").unwrap(), "v")
        .unwrap()
        .column_f64(ColumnName::new("x").unwrap(), 1.5)
        .unwrap()
        .at_nanos(1000)
        .unwrap();
    buf
}

#[test]
fn generated_and_sample_keys_authenticate_and_rows_follow() {
    for keys in [KeySet::generate(), sample_keys()] {
        let server = EcdsaServer::start("kid1", &keys);
        let conf = format!(
            "tcp::addr=127.0.0.1:{};{}",
            server.port(),
            keys.conf("kid1")
        );
        let mut sender = Sender::from_conf(&conf).unwrap();
        let mut buf = one_row(&sender);
        sender.flush(&mut buf).unwrap();
        drop(sender);
        let outcomes = server.wait_outcomes(1, WAIT);
        assert_eq!(
            outcomes,
            [Outcome::Accepted {
                key_id: "kid1".into(),
                rows: b"t,s=v x=1.5 1000\n".to_vec(),
            }]
        );
    }
}

#[test]
fn a_wrong_private_key_is_rejected_by_the_server_and_the_next_flush_fails() {
    let registered = KeySet::generate();
    let other = KeySet::generate();
    let server = EcdsaServer::start("kid1", &registered);
    // The client's key pair is consistent, but not the one the server knows.
    let conf = format!(
        "tcp::addr=127.0.0.1:{};{}",
        server.port(),
        other.conf("kid1")
    );
    let mut sender = Sender::from_conf(&conf).unwrap();
    let outcomes = server.wait_outcomes(1, WAIT);
    assert_eq!(
        outcomes,
        [Outcome::Rejected {
            key_id: "kid1".into()
        }]
    );
    // QuestDB says nothing and closes: writes fail once the close is seen.
    let deadline = Instant::now() + WAIT;
    let err = loop {
        let mut buf = one_row(&sender);
        match sender.flush(&mut buf) {
            Ok(()) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            Ok(()) => panic!("flushes kept succeeding after the server closed"),
            Err(e) => break e,
        }
    };
    assert_eq!(err.code(), ErrorCode::SocketError);
    assert!(sender.must_close());
}

#[test]
fn an_unknown_key_id_is_rejected() {
    let keys = KeySet::generate();
    let server = EcdsaServer::start("kid1", &keys);
    let conf = format!(
        "tcp::addr=127.0.0.1:{};{}",
        server.port(),
        keys.conf("intruder")
    );
    let _sender = Sender::from_conf(&conf).unwrap();
    assert_eq!(
        server.wait_outcomes(1, WAIT),
        [Outcome::Rejected {
            key_id: "intruder".into()
        }]
    );
}

#[test]
fn auth_over_tls() {
    let keys = KeySet::generate();
    let pki = Pki::generate("auth-tls");
    let server = EcdsaServer::start("kid1", &keys);
    let proxy = TlsProxy::start(pki.good.server_config(), server.addr());
    let conf = format!(
        "tcps::addr=localhost:{};tls_roots={};{}",
        proxy.port(),
        pki.ca_path().display(),
        keys.conf("kid1")
    );
    let mut sender = Sender::from_conf(&conf).unwrap();
    let mut buf = one_row(&sender);
    sender.flush(&mut buf).unwrap();
    drop(sender);
    assert_eq!(
        server.wait_outcomes(1, WAIT),
        [Outcome::Accepted {
            key_id: "kid1".into(),
            rows: b"t,s=v x=1.5 1000\n".to_vec(),
        }]
    );
}

#[test]
fn a_server_without_auth_that_closes_gives_a_clear_auth_error() {
    // A server that accepts and closes at once: no challenge ever comes.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let closer = std::thread::spawn(move || {
        let (conn, _) = listener.accept().unwrap();
        drop(conn);
    });
    let keys = sample_keys();
    let err = build_err(&format!("tcp::addr=127.0.0.1:{port};{}", keys.conf("kid1")));
    closer.join().unwrap();
    assert_eq!(err.code(), ErrorCode::AuthError);
    assert_eq!(
        err.msg(),
        "Did not receive auth challenge. Is the database configured to require authentication?"
    );
}

#[test]
fn a_server_that_never_sends_the_challenge_times_out_after_auth_timeout() {
    let silent = common::tls::SilentServer::start();
    let keys = sample_keys();
    let start = Instant::now();
    let err = build_err(&format!(
        "tcp::addr=127.0.0.1:{};auth_timeout=300;{}",
        silent.port(),
        keys.conf("kid1")
    ));
    let elapsed = start.elapsed();
    assert_eq!(err.code(), ErrorCode::AuthError);
    assert_eq!(
        err.msg(),
        "Did not receive auth challenge. Is the database configured to require authentication? \
         No challenge arrived within auth_timeout."
    );
    assert!(
        elapsed >= Duration::from_millis(280) && elapsed < Duration::from_secs(2),
        "{elapsed:?}"
    );
}

#[test]
fn key_problems_are_reported_before_connecting() {
    let keys = sample_keys();
    // Port 1 on loopback refuses: an error about keys proves they were
    // checked first.
    let base = "tcp::addr=127.0.0.1:1;username=kid1;";
    let cases = [
        (
            format!("token={};token_x={}=;token_y={};", keys.d, keys.x, keys.y),
            ErrorCode::AuthError,
            "Could not decode public key x",
        ),
        (
            format!("token={};token_x={};token_y=+/+/;", keys.d, keys.x),
            ErrorCode::AuthError,
            "Could not decode public key y",
        ),
        (
            format!("token=%%%;token_x={};token_y={};", keys.x, keys.y),
            ErrorCode::AuthError,
            "Could not decode private authentication key",
        ),
        (
            format!(
                "token={};token_x={}AAAA;token_y={};",
                keys.d, keys.x, keys.y
            ),
            ErrorCode::AuthError,
            "Public key x is too long: 35 bytes",
        ),
        (
            format!("token={};token_x=AAAA;token_y={};", keys.d, keys.y),
            ErrorCode::AuthError,
            "Misconfigured ILP authentication keys:",
        ),
        (
            format!("token={};token_x={};", keys.d, keys.x),
            ErrorCode::ConfigError,
            "Incomplete ECDSA authentication parameters. Specify either all or none of: \
             \"username\", \"token\", \"token_x\", \"token_y\". Missing: \"token_y\".",
        ),
        (
            format!("token_x={};token_y={};", keys.x, keys.y),
            ErrorCode::ConfigError,
            "Missing: \"token\".",
        ),
    ];
    for (creds, code, fragment) in cases {
        let err = build_err(&format!("{base}{creds}"));
        assert_eq!(err.code(), code, "{creds}: {}", err.msg());
        assert!(err.msg().contains(fragment), "{creds}: {}", err.msg());
        assert!(
            !err.msg().contains(&keys.d),
            "private key leaked: {}",
            err.msg()
        );
        if code == ErrorCode::AuthError {
            assert!(err.msg().contains("Hint"), "{}", err.msg());
        }
    }
    let err = build_err(&format!(
        "http::addr=127.0.0.1:1;protocol_version=1;{}",
        keys.conf("kid1")
    ));
    assert_eq!(err.code(), ErrorCode::ConfigError);
    assert_eq!(
        err.msg(),
        "ECDSA authentication is only available with ILP/TCP and not available with ILP/HTTP."
    );
}

//! Secrets never show: not in error messages, not in `Debug` output of
//! options, auth, senders or errors, whichever path produced them.

mod common;

use common::rows::build_err;

use common::mock_http::{Action, MockHttp};
use questdb_client::{Error, Protocol, Sender, SenderOptions};

const PASSWORD: &str = "pw-Zq81-SECRET";
const TOKEN: &str = "tok-Kx27-SECRET";
// A well-formed private scalar (base64url of 32 bytes) that is not the one
// of the public key below, and a distinctive one with bad characters.
const PRIVATE: &str = "5UjEMuA0Pj5pjK8a-fa24dyIf-Es5mYny3oE_Wmus48";
const BAD_PRIVATE: &str = "priv+Mn55/SECRET";
const X: &str = "fLKYEaoEb9lrn3nkwLDA-M_xnuFOdSt9y0Z7_vWSHLU";
const Y: &str = "Dt5tbS1dEDMSYfym3fgMv0B99szno-dFc1rYF9t0aac";

fn assert_hidden(what: &str, text: &str) {
    for secret in [PASSWORD, TOKEN, PRIVATE, BAD_PRIVATE, "SECRET"] {
        assert!(!text.contains(secret), "{what} shows a secret: {text}");
    }
}

fn assert_error_hidden(what: &str, err: &Error) {
    assert_hidden(what, err.msg());
    assert_hidden(what, &format!("{err:?}"));
    assert_hidden(what, &err.to_string());
}

#[test]
fn options_and_auth_debug_output_is_redacted() {
    let confs = [
        format!("http::addr=h;username=u;password={PASSWORD};"),
        format!("http::addr=h;token={TOKEN};"),
        format!("tcp::addr=h;username=kid;token={PRIVATE};token_x={X};token_y={Y};"),
    ];
    for conf in confs {
        let opts = SenderOptions::from_conf(&conf).unwrap();
        assert_hidden("SenderOptions Debug", &format!("{opts:?}"));
        assert_hidden("SenderOptions Debug (pretty)", &format!("{opts:#?}"));
        assert_hidden("Auth Debug", &format!("{:?}", opts.auth().unwrap()));
        assert_hidden("clone Debug", &format!("{:?}", opts.clone()));
    }
}

#[test]
fn errors_about_credentials_do_not_repeat_them() {
    // Inconsistent combinations.
    for conf in [
        format!("http::addr=h;password={PASSWORD};"),
        format!("http::addr=h;username=u;password={PASSWORD};token={TOKEN};"),
        format!("tcp::addr=h;token={TOKEN};"),
        format!("tcp::addr=h;username=kid;password={PASSWORD};"),
        format!("tcp::addr=h;username=kid;token={PRIVATE};token_x={X};"),
    ] {
        assert_error_hidden(&conf, &build_err(&conf));
    }
    // Bad key material.
    for conf in [
        format!("tcp::addr=127.0.0.1:1;username=kid;token={BAD_PRIVATE};token_x={X};token_y={Y};"),
        format!("tcp::addr=127.0.0.1:1;username=kid;token={PRIVATE};token_x={X};token_y=AAAA;"),
    ] {
        let err = build_err(&conf);
        assert_eq!(
            err.code(),
            questdb_client::ErrorCode::AuthError,
            "{}",
            err.msg()
        );
        assert_error_hidden(&conf, &err);
    }
    // Control characters in secrets: the message names the key only.
    let mut opts = SenderOptions::new(Protocol::Http, "h", 9000);
    let err = opts.set_password(&format!("{PASSWORD}\u{7}")).unwrap_err();
    assert_error_hidden("set_password", &err);
    let err = opts.set_token(&format!("{TOKEN}\n")).unwrap_err();
    assert_error_hidden("set_token", &err);
    // Setting a secret twice.
    opts.set_password(PASSWORD).unwrap();
    let err = opts.set_password("another-SECRET").unwrap_err();
    assert_error_hidden("password twice", &err);
    // Parse errors of a config string that carries secrets.
    let err = build_err(&format!(
        "http::addr=h;password={PASSWORD};password={PASSWORD};"
    ));
    assert_error_hidden("duplicate key", &err);
    let err = build_err(&format!("http::addr=h;password={PASSWORD}\u{1};"));
    assert_error_hidden("control char", &err);
}

#[test]
fn server_and_transport_errors_do_not_show_credentials() {
    let server = MockHttp::start();
    server
        .push(Action::body(401, "text/plain", "bad credentials"))
        .push(Action::status(403))
        .push(Action::body(500, "text/plain", "boom"));
    for creds in [
        format!("username=u;password={PASSWORD};"),
        format!("token={TOKEN};"),
    ] {
        let conf = format!(
            "http::addr=127.0.0.1:{};protocol_version=1;retry_timeout=0;{creds}",
            server.port()
        );
        let mut sender = Sender::from_conf(&conf).unwrap();
        assert_hidden("Sender Debug", &format!("{sender:?}"));
        let mut buf = sender.new_buffer();
        buf.table(questdb_client::TableName::new("t").unwrap())
            .unwrap()
            .column_i64(questdb_client::ColumnName::new("n").unwrap(), 1)
            .unwrap()
            .at_nanos(1)
            .unwrap();
        let err = sender.flush(&mut buf).unwrap_err();
        assert_error_hidden("HTTP error", &err);
    }
    // Connection refused, with credentials configured.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let conf =
        format!("http::addr=127.0.0.1:{port};username=u;password={PASSWORD};retry_timeout=0;");
    assert_error_hidden("detection failure", &build_err(&conf));
}

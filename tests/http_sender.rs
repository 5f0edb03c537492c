//! ILP over HTTP against the scripted in-process server: request bytes and
//! headers, keep-alive, retries, error mapping, timeouts, flush refusals and
//! protocol detection through `/settings`.
//!
//! Every fault case checks the error code, the message, how long it took and
//! that the buffer is still there for a retry.

mod common;

use common::rows::{row, two_rows, TWO_ROWS};

use common::mock_http::{Action, MockHttp};
use questdb_client::{
    Buffer, ColumnName, Error, ErrorCode, Protocol, ProtocolVersion, Sender, SenderOptions,
    TableName,
};
use std::time::{Duration, Instant};

/// A v1 sender (no `/settings` probe) on the mock, with `extra` keys.
fn sender_with(server: &MockHttp, extra: &str) -> Sender {
    let conf = format!(
        "http::addr=127.0.0.1:{};protocol_version=1;{}",
        server.port(),
        extra
    );
    Sender::from_conf(&conf).unwrap_or_else(|e| panic!("from_conf({conf:?}): {e}"))
}

/// Flushes a buffer that must fail; checks it is left intact and returns
/// the error and how long the flush took.
fn failing_flush(sender: &mut Sender, buf: &mut Buffer) -> (Error, Duration) {
    let before = buf.as_bytes().to_vec();
    let rows = buf.row_count();
    let start = Instant::now();
    let err = match sender.flush(buf) {
        Ok(()) => panic!("flush succeeded, an error was expected"),
        Err(e) => e,
    };
    let elapsed = start.elapsed();
    assert_eq!(
        buf.as_bytes(),
        &before[..],
        "a failed flush changed the buffer"
    );
    assert_eq!(buf.row_count(), rows);
    (err, elapsed)
}

// ---------------------------------------------------------------------------
// Success
// ---------------------------------------------------------------------------

#[test]
fn flush_posts_the_buffer_with_headers_and_reuses_the_connection() {
    let server = MockHttp::start();
    let mut sender = sender_with(&server, "");
    let mut buf = two_rows(&sender);
    sender.flush(&mut buf).unwrap();
    assert!(buf.is_empty(), "flush clears the buffer");

    row(&mut buf, "u", 3.0, 3_000);
    sender.flush_and_keep(&buf).unwrap();
    assert_eq!(buf.row_count(), 1, "flush_and_keep keeps the rows");

    let requests = server.requests();
    assert_eq!(requests.len(), 2, "{requests:#?}");
    let first = &requests[0];
    assert_eq!(first.method, "POST");
    assert_eq!(first.path, "/write");
    assert_eq!(first.query, "precision=n");
    assert_eq!(first.body, TWO_ROWS);
    assert_eq!(
        first.header("Content-Type"),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(
        first.header("Content-Length"),
        Some(TWO_ROWS.len().to_string().as_str())
    );
    let agent = first.header("User-Agent").unwrap_or("");
    assert!(agent.starts_with("questdb-client/"), "User-Agent {agent:?}");
    assert_eq!(first.header("Authorization"), None);
    assert_eq!(requests[1].body, b"u,s=v x=3.0 3000\n");
    assert_eq!(server.connections(), 1, "keep-alive: one connection");
    assert_eq!(requests[1].connection, 0);
    assert!(server.requests_to("/settings").is_empty());
}

#[test]
fn empty_buffer_flush_sends_nothing() {
    let server = MockHttp::start();
    let mut sender = sender_with(&server, "");
    let mut buf = sender.new_buffer();
    sender.flush(&mut buf).unwrap();
    sender.flush_and_keep_with_flags(&buf, true).unwrap();
    assert!(server.requests().is_empty());
}

#[test]
fn user_agent_is_set_programmatically_not_by_the_config_string() {
    let server = MockHttp::start();
    let mut opts = SenderOptions::new(Protocol::Http, "127.0.0.1", server.port());
    opts.set_protocol_version(ProtocolVersion::V1).unwrap();
    opts.set_user_agent("gateway/2.0").unwrap();
    let mut sender = Sender::build(&opts).unwrap();
    let mut buf = two_rows(&sender);
    sender.flush(&mut buf).unwrap();

    // As in the official client, `user_agent` is not a config key.
    let mut other = sender_with(&server, "user_agent=gateway/2.0;");
    let mut buf = two_rows(&other);
    other.flush(&mut buf).unwrap();

    let writes = server.requests_to("/write");
    assert_eq!(writes[0].header("User-Agent"), Some("gateway/2.0"));
    let default = writes[1].header("User-Agent").unwrap();
    assert_eq!(
        default,
        concat!("questdb-client/", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn credentials_are_sent_on_write_and_settings() {
    let server = MockHttp::start();
    let conf = format!(
        "http::addr=127.0.0.1:{};username=u;password=p;",
        server.port()
    );
    let mut sender = Sender::from_conf(&conf).unwrap();
    let mut buf = two_rows(&sender);
    sender.flush(&mut buf).unwrap();
    let settings = server.requests_to("/settings");
    assert_eq!(settings.len(), 1);
    assert_eq!(settings[0].method, "GET");
    assert_eq!(settings[0].header("Authorization"), Some("Basic dTpw"));
    let writes = server.requests_to("/write");
    assert_eq!(writes[0].header("Authorization"), Some("Basic dTpw"));

    let server = MockHttp::start();
    let conf = format!("http::addr=127.0.0.1:{};token=abc;", server.port());
    let mut sender = Sender::from_conf(&conf).unwrap();
    let mut buf = two_rows(&sender);
    sender.flush(&mut buf).unwrap();
    assert_eq!(
        server.requests_to("/settings")[0].header("Authorization"),
        Some("Bearer abc")
    );
    assert_eq!(
        server.requests_to("/write")[0].header("Authorization"),
        Some("Bearer abc")
    );
}

#[test]
fn token_with_newline_is_refused_without_echoing_it() {
    let mut opts = SenderOptions::new(Protocol::Http, "127.0.0.1", 1);
    let err = opts.set_token("secret\nmore").unwrap_err();
    assert_eq!(err.code(), ErrorCode::ConfigError);
    assert_eq!(
        err.msg(),
        "Invalid character '\\n' at position 6 in \"token\""
    );

    let err = Sender::from_conf("http::addr=127.0.0.1:1;token=secret\nmore;")
        .err()
        .unwrap();
    assert_eq!(err.code(), ErrorCode::ConfigError);
    assert!(!err.msg().contains("secret"), "{}", err.msg());
}

// ---------------------------------------------------------------------------
// Retries
// ---------------------------------------------------------------------------

#[test]
fn retriable_status_is_retried_with_the_same_bytes() {
    let server = MockHttp::start();
    server.push(Action::status(500)).push(Action::status(503));
    let mut sender = sender_with(&server, "");
    let mut buf = two_rows(&sender);
    sender.flush(&mut buf).unwrap();
    assert!(buf.is_empty());
    let writes = server.requests_to("/write");
    assert_eq!(writes.len(), 3, "two failures then a success");
    for w in &writes {
        assert_eq!(w.body, TWO_ROWS);
    }
    // First sleep 10 ms ± 5, second 20 ms ± 5.
    let gap1 = writes[1].at - writes[0].at;
    let gap2 = writes[2].at - writes[1].at;
    assert!(gap1 >= Duration::from_millis(5), "first backoff {gap1:?}");
    assert!(gap2 >= Duration::from_millis(15), "second backoff {gap2:?}");
}

#[test]
fn retries_stop_at_retry_timeout_and_report_the_last_answer() {
    let server = MockHttp::start();
    server.set_default(Action::body(503, "text/plain", "busy"));
    let mut sender = sender_with(&server, "retry_timeout=1000;");
    let mut buf = two_rows(&sender);
    let (err, elapsed) = failing_flush(&mut sender, &mut buf);
    assert_eq!(err.code(), ErrorCode::ServerFlushError);
    assert_eq!(err.msg(), "Could not flush buffer: busy");
    assert!(
        elapsed >= Duration::from_millis(580) && elapsed < Duration::from_millis(1500),
        "retry_timeout=1000 took {elapsed:?}"
    );
    // Sleeps of 10, 20, 40, 80, 160, 320 ms (±5) fit; the next, 640 ms,
    // would end past the 1000 ms budget: the sender gives up at ~630 ms.
    let attempts = server.requests_to("/write").len();
    assert!((6..=8).contains(&attempts), "{attempts} attempts");
}

#[test]
fn retry_timeout_zero_means_one_attempt() {
    let server = MockHttp::start();
    server.set_default(Action::status(500));
    let mut sender = sender_with(&server, "retry_timeout=0;");
    let mut buf = two_rows(&sender);
    let (err, _) = failing_flush(&mut sender, &mut buf);
    assert_eq!(err.code(), ErrorCode::ServerFlushError);
    assert_eq!(err.msg(), "Could not flush buffer: ");
    assert_eq!(server.requests_to("/write").len(), 1);
}

#[test]
fn client_errors_are_not_retried() {
    for status in [400u16, 405, 413, 501] {
        let server = MockHttp::start();
        server.set_default(Action::body(status, "text/plain", "nope"));
        let mut sender = sender_with(&server, "retry_timeout=2000;");
        let mut buf = two_rows(&sender);
        let (err, elapsed) = failing_flush(&mut sender, &mut buf);
        assert_eq!(err.code(), ErrorCode::ServerFlushError, "status {status}");
        assert_eq!(err.msg(), "Could not flush buffer: nope");
        assert_eq!(server.requests_to("/write").len(), 1, "status {status}");
        assert!(elapsed < Duration::from_millis(500), "{elapsed:?}");
    }
}

#[test]
fn connection_refused_is_retried_then_a_socket_error() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let conf = format!("http::addr=127.0.0.1:{port};protocol_version=1;retry_timeout=300;");
    let mut sender = Sender::from_conf(&conf).unwrap();
    let mut buf = two_rows(&sender);
    let (err, elapsed) = failing_flush(&mut sender, &mut buf);
    assert_eq!(err.code(), ErrorCode::SocketError);
    let prefix = format!("Could not flush buffer: http://127.0.0.1:{port}/write: ");
    assert!(
        err.msg().starts_with(&prefix) && err.msg().contains("onnection refused"),
        "{:?}",
        err.msg()
    );
    assert!(
        elapsed >= Duration::from_millis(120) && elapsed < Duration::from_millis(1000),
        "retry_timeout=300 took {elapsed:?}"
    );
    assert!(!sender.must_close(), "an HTTP sender stays usable");
}

#[test]
fn connection_closed_mid_request_is_retried() {
    let server = MockHttp::start();
    server.push(Action::CloseMidRequest);
    let mut sender = sender_with(&server, "");
    let mut buf = two_rows(&sender);
    sender.flush(&mut buf).unwrap();
    let writes = server.requests_to("/write");
    assert_eq!(writes.len(), 2);
    assert_eq!(writes[1].body, TWO_ROWS);
    assert_eq!(server.connections(), 2, "the closed connection is replaced");
}

#[test]
fn connection_closed_every_time_is_a_socket_error() {
    let server = MockHttp::start();
    server.set_default(Action::CloseMidRequest);
    let mut sender = sender_with(&server, "retry_timeout=200;");
    let mut buf = two_rows(&sender);
    let (err, elapsed) = failing_flush(&mut sender, &mut buf);
    assert_eq!(err.code(), ErrorCode::SocketError, "{}", err.msg());
    assert!(err
        .msg()
        .starts_with("Could not flush buffer: http://127.0.0.1:"));
    assert!(elapsed < Duration::from_millis(1500), "{elapsed:?}");
    assert!(server.requests_to("/write").len() >= 2);
}

// ---------------------------------------------------------------------------
// Timeouts
// ---------------------------------------------------------------------------

#[test]
fn a_server_that_never_answers_times_out_after_request_timeout() {
    let server = MockHttp::start();
    server.set_default(Action::Hang);
    let mut sender = sender_with(
        &server,
        "request_timeout=300;request_min_throughput=0;retry_timeout=0;",
    );
    let mut buf = two_rows(&sender);
    let (err, elapsed) = failing_flush(&mut sender, &mut buf);
    assert_eq!(err.code(), ErrorCode::SocketError);
    assert!(
        err.msg()
            .starts_with("Could not flush buffer: http://127.0.0.1:")
            && err.msg().contains("timeout"),
        "{:?}",
        err.msg()
    );
    assert!(
        elapsed >= Duration::from_millis(280) && elapsed < Duration::from_secs(2),
        "request_timeout=300 took {elapsed:?}"
    );
    assert_eq!(server.requests_to("/write").len(), 1);
}

#[test]
fn the_request_timeout_grows_with_the_size_over_min_throughput() {
    // 200 ms + 500 bytes at 1000 bytes/s = 700 ms.
    let server = MockHttp::start();
    server.set_default(Action::Hang);
    let mut sender = sender_with(
        &server,
        "request_timeout=200;request_min_throughput=1000;retry_timeout=0;",
    );
    let mut buf = sender.new_buffer();
    let pad = "p".repeat(491);
    buf.table(TableName::new("t").unwrap())
        .unwrap()
        .column_str(ColumnName::new("s").unwrap(), &pad)
        .unwrap()
        .at_nanos(1)
        .unwrap();
    assert_eq!(
        buf.len(),
        500,
        "{}",
        String::from_utf8_lossy(buf.as_bytes())
    );
    let (err, elapsed) = failing_flush(&mut sender, &mut buf);
    assert_eq!(err.code(), ErrorCode::SocketError);
    assert!(
        elapsed >= Duration::from_millis(650) && elapsed < Duration::from_millis(2000),
        "200 ms + 500 B / 1000 B/s took {elapsed:?}"
    );
}

#[test]
fn a_slow_answer_within_the_timeout_succeeds() {
    let server = MockHttp::start();
    server.push(Action::Delay(
        Duration::from_millis(150),
        Box::new(Action::status(204)),
    ));
    let mut sender = sender_with(&server, "request_timeout=1000;retry_timeout=0;");
    let mut buf = two_rows(&sender);
    sender.flush(&mut buf).unwrap();
    assert_eq!(server.requests_to("/write").len(), 1);
}

// ---------------------------------------------------------------------------
// Error mapping
// ---------------------------------------------------------------------------

#[test]
fn questdb_json_error_is_decoded_whatever_the_charset() {
    let server = MockHttp::start();
    server.push(Action::json(
        400,
        r#"{"code":"invalid","message":"failed to parse line protocol:errors encountered on line(s):\nerror in line 1: table: t, column: x; cast error","line":1,"errorId":"9b1d-42"}"#,
    ));
    let mut sender = sender_with(&server, "");
    let mut buf = two_rows(&sender);
    let (err, _) = failing_flush(&mut sender, &mut buf);
    assert_eq!(err.code(), ErrorCode::ServerFlushError);
    assert_eq!(
        err.msg(),
        "Could not flush buffer: failed to parse line protocol:errors encountered on line(s):\n\
         error in line 1: table: t, column: x; cast error [id: 9b1d-42, code: invalid, line: 1]"
    );
    assert_eq!(server.requests_to("/write").len(), 1, "400 is not retried");

    // The buffer is intact, so the same flush can be retried and succeed.
    sender.flush(&mut buf).unwrap();
    assert!(buf.is_empty());
    let writes = server.requests_to("/write");
    assert_eq!(writes.len(), 2);
    assert_eq!(writes[1].body, TWO_ROWS);
}

#[test]
fn json_error_details_appear_only_when_present() {
    let cases = [
        (
            "application/json",
            r#"{"message":"bad","code":"c"}"#,
            "Could not flush buffer: bad [code: c]",
        ),
        (
            "Application/JSON;charset=UTF-8",
            r#"{"message":"bad","line":7}"#,
            "Could not flush buffer: bad [line: 7]",
        ),
        (
            "application/json",
            r#"{"message":"bad"}"#,
            "Could not flush buffer: bad",
        ),
        // Not QuestDB's shape: shown as text.
        (
            "application/json",
            r#"{"error":"x"}"#,
            r#"Could not flush buffer: {"error":"x"}"#,
        ),
        (
            "application/json",
            "not json",
            "Could not flush buffer: not json",
        ),
        (
            "text/plain",
            r#"{"message":"bad"}"#,
            r#"Could not flush buffer: {"message":"bad"}"#,
        ),
    ];
    for (content_type, body, expected) in cases {
        let server = MockHttp::start();
        server.push(Action::body(400, content_type, body));
        let mut sender = sender_with(&server, "");
        let mut buf = two_rows(&sender);
        let (err, _) = failing_flush(&mut sender, &mut buf);
        assert_eq!(
            err.code(),
            ErrorCode::ServerFlushError,
            "{content_type} {body}"
        );
        assert_eq!(err.msg(), expected, "{content_type} {body}");
    }
}

#[test]
fn not_found_means_no_ilp_endpoint() {
    let server = MockHttp::start();
    server.set_default(Action::body(404, "text/html", "<h1>no</h1>"));
    let mut sender = sender_with(&server, "");
    let mut buf = two_rows(&sender);
    let (err, elapsed) = failing_flush(&mut sender, &mut buf);
    assert_eq!(err.code(), ErrorCode::HttpNotSupported);
    assert_eq!(
        err.msg(),
        "Could not flush buffer: HTTP endpoint does not support ILP."
    );
    assert_eq!(server.requests_to("/write").len(), 1);
    assert!(elapsed < Duration::from_millis(500));
}

#[test]
fn unauthorized_and_forbidden_are_auth_errors() {
    let server = MockHttp::start();
    server
        .push(Action::body(401, "text/plain", "bad credentials"))
        .push(Action::status(403));
    let mut sender = sender_with(&server, "username=u;password=secret-pw;");
    let mut buf = two_rows(&sender);

    let (err, _) = failing_flush(&mut sender, &mut buf);
    assert_eq!(err.code(), ErrorCode::AuthError);
    assert_eq!(
        err.msg(),
        "Could not flush buffer: HTTP endpoint authentication error: bad credentials [code: 401]"
    );
    let (err, _) = failing_flush(&mut sender, &mut buf);
    assert_eq!(err.code(), ErrorCode::AuthError);
    assert_eq!(
        err.msg(),
        "Could not flush buffer: HTTP endpoint authentication error [code: 403]"
    );
    assert!(!format!("{err:?}").contains("secret-pw"));
    assert_eq!(server.requests_to("/write").len(), 2, "not retried");
}

// ---------------------------------------------------------------------------
// Refusals before any I/O
// ---------------------------------------------------------------------------

#[test]
fn transactional_flush_needs_a_single_table() {
    let server = MockHttp::start();
    let mut sender = sender_with(&server, "");
    let mut buf = two_rows(&sender);
    sender.flush_and_keep_with_flags(&buf, true).unwrap();
    assert_eq!(server.requests_to("/write").len(), 1);

    row(&mut buf, "other", 1.0, 3);
    let before = buf.as_bytes().to_vec();
    let err = sender.flush_and_keep_with_flags(&buf, true).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidApiCall);
    assert_eq!(
        err.msg(),
        "Buffer contains lines for multiple tables. Transactional flushes are only supported for buffers containing lines for a single table."
    );
    assert_eq!(buf.as_bytes(), &before[..]);
    assert_eq!(server.requests_to("/write").len(), 1, "nothing sent");
    sender.flush_and_keep_with_flags(&buf, false).unwrap();
    assert_eq!(server.requests_to("/write").len(), 2);
}

#[test]
fn incomplete_row_oversize_buffer_and_version_mismatch_are_refused() {
    let server = MockHttp::start();
    let mut sender = sender_with(&server, "max_buf_size=1024;");

    let mut buf = sender.new_buffer();
    buf.table(TableName::new("t").unwrap()).unwrap();
    let (err, _) = failing_flush(&mut sender, &mut buf);
    assert_eq!(err.code(), ErrorCode::InvalidApiCall);

    let mut buf = sender.new_buffer();
    while buf.len() <= 1024 {
        row(&mut buf, "t", 1.0, 1);
    }
    let (err, _) = failing_flush(&mut sender, &mut buf);
    assert_eq!(err.code(), ErrorCode::InvalidApiCall);
    assert_eq!(
        err.msg(),
        format!(
            "Could not flush buffer: Buffer size of {} exceeds maximum configured allowed size of 1024 bytes.",
            buf.len()
        )
    );

    let mut buf = Buffer::new(ProtocolVersion::V2);
    row(&mut buf, "t", 1.0, 1);
    let (err, _) = failing_flush(&mut sender, &mut buf);
    assert_eq!(err.code(), ErrorCode::ProtocolVersionError);
    assert_eq!(
        err.msg(),
        "Attempting to send with protocol version v2 but the sender is configured to use protocol version v1"
    );
    assert!(server.requests().is_empty(), "nothing was sent");
}

// ---------------------------------------------------------------------------
// Protocol detection through /settings
// ---------------------------------------------------------------------------

fn detect(server: &MockHttp, extra: &str) -> Result<Sender, Error> {
    Sender::from_conf(&format!("http::addr=127.0.0.1:{};{}", server.port(), extra))
}

#[test]
fn questdb_9_settings_select_v3_and_the_server_name_length() {
    let server = MockHttp::start();
    server.push_settings(Action::json(
        200,
        r#"{"config":{"release.type":"OSS","line.proto.support.versions":[1,2,3],"cairo.max.file.name.length":64},"preferences.version":0}"#,
    ));
    let sender = detect(&server, "").unwrap();
    assert_eq!(sender.protocol_version(), ProtocolVersion::V3);
    assert_eq!(sender.max_name_len(), 64);
    let buf = sender.new_buffer();
    assert_eq!(buf.protocol_version(), ProtocolVersion::V3);
    assert_eq!(buf.max_name_len(), 64);
    let settings = server.requests_to("/settings");
    assert_eq!(settings.len(), 1);
    assert_eq!(settings[0].method, "GET");
}

#[test]
fn a_user_set_max_name_len_wins_over_the_server() {
    let server = MockHttp::start();
    server.push_settings(Action::json(
        200,
        r#"{"config":{"line.proto.support.versions":[1,2],"cairo.max.file.name.length":64}}"#,
    ));
    let sender = detect(&server, "max_name_len=100;").unwrap();
    assert_eq!(sender.protocol_version(), ProtocolVersion::V2);
    assert_eq!(sender.max_name_len(), 100);
}

#[test]
fn older_servers_select_v1() {
    // QuestDB 8: flat keys, no version list.
    let server = MockHttp::start();
    server.push_settings(Action::json(
        200,
        r#"{"release.type":"OSS","cairo.max.file.name.length":127}"#,
    ));
    let sender = detect(&server, "").unwrap();
    assert_eq!(sender.protocol_version(), ProtocolVersion::V1);
    assert_eq!(sender.max_name_len(), 127);

    // No /settings endpoint at all.
    let server = MockHttp::start();
    let sender = detect(&server, "protocol_version=auto;").unwrap();
    assert_eq!(sender.protocol_version(), ProtocolVersion::V1);
    assert_eq!(sender.max_name_len(), 127);
}

#[test]
fn flat_version_list_selects_v2() {
    let server = MockHttp::start();
    server.push_settings(Action::json(
        200,
        r#"{"line.proto.support.versions":[1,2]}"#,
    ));
    let sender = detect(&server, "").unwrap();
    assert_eq!(sender.protocol_version(), ProtocolVersion::V2);
}

#[test]
fn unusable_settings_are_protocol_version_errors() {
    let server = MockHttp::start();
    server.push_settings(Action::json(200, "{garbage"));
    let err = detect(&server, "").err().unwrap();
    assert_eq!(err.code(), ErrorCode::ProtocolVersionError);
    assert_eq!(
        err.msg(),
        format!(
            "Malformed server response, settings url: http://127.0.0.1:{}/settings, err: response is not valid JSON.",
            server.port()
        )
    );

    let server = MockHttp::start();
    server.push_settings(Action::json(
        200,
        r#"{"config":{"line.proto.support.versions":[4]}}"#,
    ));
    let err = detect(&server, "").err().unwrap();
    assert_eq!(err.code(), ErrorCode::ProtocolVersionError);
    assert!(
        err.msg()
            .contains("Server does not support any of the client protocol versions"),
        "{}",
        err.msg()
    );

    let server = MockHttp::start();
    server.set_settings_default(Action::status(400));
    let err = detect(&server, "").err().unwrap();
    assert_eq!(err.code(), ErrorCode::ProtocolVersionError);
    assert_eq!(
        err.msg(),
        format!(
            "Could not detect server's line protocol version, settings url: http://127.0.0.1:{}/settings, status code: 400.",
            server.port()
        )
    );
    assert_eq!(
        server.requests_to("/settings").len(),
        1,
        "400 is not retried"
    );
}

#[test]
fn settings_failing_with_500_is_retried_for_about_a_second() {
    let server = MockHttp::start();
    server.set_settings_default(Action::status(500));
    let start = Instant::now();
    let err = detect(&server, "").err().unwrap();
    let elapsed = start.elapsed();
    assert_eq!(err.code(), ErrorCode::ProtocolVersionError);
    assert!(err.msg().contains("status code: 500"), "{}", err.msg());
    assert!(
        elapsed >= Duration::from_millis(580) && elapsed < Duration::from_millis(1500),
        "{elapsed:?}"
    );
    assert!(server.requests_to("/settings").len() >= 6);
}

#[test]
fn settings_retry_recovers() {
    let server = MockHttp::start();
    server
        .push_settings(Action::status(503))
        .push_settings(Action::json(
            200,
            r#"{"config":{"line.proto.support.versions":[2]}}"#,
        ));
    let sender = detect(&server, "").unwrap();
    assert_eq!(sender.protocol_version(), ProtocolVersion::V2);
    assert_eq!(server.requests_to("/settings").len(), 2);
}

#[test]
fn explicit_protocol_version_skips_settings() {
    let server = MockHttp::start();
    server.set_settings_default(Action::status(500));
    for v in ["1", "2", "3"] {
        let sender = detect(&server, &format!("protocol_version={v};")).unwrap();
        assert_eq!(sender.protocol_version() as u8, v.parse::<u8>().unwrap());
        assert_eq!(sender.max_name_len(), 127);
    }
    assert!(server.requests().is_empty());
}

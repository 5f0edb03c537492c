//! ILP over TCP against the in-process mock server.

mod common;

use common::rows::row;

use common::mock_tcp::{MockTcp, Mode};
use questdb_client::{ErrorCode, ProtocolVersion, Sender};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(5);

fn connect(server: &MockTcp, extra: &str) -> Sender {
    Sender::from_conf(&format!("tcp::addr=127.0.0.1:{};{}", server.port(), extra)).unwrap()
}

#[test]
fn mock_tcp_self_test_records_and_closes() {
    let server = MockTcp::start(Mode::Record);
    let mut client = TcpStream::connect(("127.0.0.1", server.port())).unwrap();
    client.write_all(b"hello ").unwrap();
    client.write_all(b"world").unwrap();
    assert_eq!(server.wait_for_bytes(11, WAIT), b"hello world");
    assert_eq!(server.connections(), 1);

    let closing = MockTcp::start(Mode::CloseAfter(3));
    let mut client = TcpStream::connect(("127.0.0.1", closing.port())).unwrap();
    client.write_all(b"abc").unwrap();
    assert_eq!(closing.wait_for_bytes(3, WAIT), b"abc");
    client
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut rest = Vec::new();
    // EOF (or a reset) once the server closed its side.
    let _ = client.read_to_end(&mut rest);
    assert!(rest.is_empty());
}

#[test]
fn server_receives_exactly_the_buffer_v1() {
    let server = MockTcp::start(Mode::Record);
    let mut sender = connect(&server, "");
    assert_eq!(sender.protocol_version(), ProtocolVersion::V1);
    let mut buf = sender.new_buffer();
    row(&mut buf, "t", 1.5, 1000);
    let sent = buf.as_bytes().to_vec();
    assert_eq!(sent, b"t,s=v x=1.5 1000\n");
    sender.flush(&mut buf).unwrap();
    assert!(buf.is_empty());
    assert_eq!(buf.row_count(), 0);
    assert_eq!(server.wait_for_bytes(sent.len(), WAIT), sent);
}

#[test]
fn server_receives_exactly_the_buffer_v2() {
    let server = MockTcp::start(Mode::Record);
    let mut sender = connect(&server, "protocol_version=2;");
    assert_eq!(sender.protocol_version(), ProtocolVersion::V2);
    let mut buf = sender.new_buffer();
    row(&mut buf, "t", 1.5, 1000);
    let sent = buf.as_bytes().to_vec();
    sender.flush_and_keep(&buf).unwrap();
    assert_eq!(buf.as_bytes(), &sent[..]);
    assert_eq!(server.wait_for_bytes(sent.len(), WAIT), sent);
}

#[test]
fn two_flushes_concatenate() {
    let server = MockTcp::start(Mode::Record);
    let mut sender = connect(&server, "");
    let mut a = sender.new_buffer();
    row(&mut a, "a", 1.0, 1);
    let mut b = sender.new_buffer();
    row(&mut b, "b", 2.0, 2);
    let mut expected = a.as_bytes().to_vec();
    expected.extend_from_slice(b.as_bytes());
    sender.flush(&mut a).unwrap();
    sender.flush(&mut b).unwrap();
    assert_eq!(server.wait_for_bytes(expected.len(), WAIT), expected);
    assert_eq!(server.connections(), 1);
}

#[test]
fn ipv6_loopback() {
    let server = match MockTcp::start_v6(Mode::Record) {
        Ok(server) => server,
        Err(e) => {
            println!("skipping: cannot bind [::1]:0: {}", e);
            return;
        }
    };
    let mut sender = Sender::from_conf(&format!("tcp::addr=[::1]:{};", server.port())).unwrap();
    let mut buf = sender.new_buffer();
    row(&mut buf, "t6", 6.0, 6);
    let sent = buf.as_bytes().to_vec();
    sender.flush(&mut buf).unwrap();
    assert_eq!(server.wait_for_bytes(sent.len(), WAIT), sent);
}

#[test]
fn server_close_fails_a_later_flush_and_disconnects() {
    let server = MockTcp::start(Mode::CloseAfter(10));
    let mut sender = connect(&server, "");
    let mut buf = sender.new_buffer();
    for i in 0..200 {
        row(&mut buf, "t", i as f64, i);
    }
    let before = buf.as_bytes().to_vec();
    let rows = buf.row_count();
    let started = Instant::now();
    let mut sent = 0usize;
    let err = loop {
        match sender.flush_and_keep(&buf) {
            Ok(()) => {
                sent += buf.len();
                assert!(sent < 8 * 1024 * 1024, "no error after {} bytes", sent);
                std::thread::sleep(Duration::from_millis(10));
            }
            Err(e) => break e,
        }
    };
    assert_eq!(err.code(), ErrorCode::SocketError, "{}", err.msg());
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(sender.must_close());
    assert_eq!(buf.as_bytes(), &before[..]);
    assert_eq!(buf.row_count(), rows);

    let err = sender.flush(&mut buf).unwrap_err();
    assert_eq!(err.code(), ErrorCode::SocketError);
    assert!(err.msg().contains("not connected"), "{}", err.msg());
    assert_eq!(buf.as_bytes(), &before[..]);
    assert_eq!(buf.row_count(), rows);
}

#[test]
fn close_on_accept_also_fails_eventually() {
    let server = MockTcp::start(Mode::CloseOnAccept);
    let mut sender = connect(&server, "");
    let mut buf = sender.new_buffer();
    row(&mut buf, "t", 1.0, 1);
    let mut sent = 0usize;
    let err = loop {
        match sender.flush_and_keep(&buf) {
            Ok(()) => {
                sent += buf.len();
                assert!(sent < 4 * 1024 * 1024, "no error after {} bytes", sent);
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(e) => break e,
        }
    };
    assert_eq!(err.code(), ErrorCode::SocketError, "{}", err.msg());
    assert!(sender.must_close());
}

#[test]
fn transactional_flush_is_refused() {
    let server = MockTcp::start(Mode::Record);
    let mut sender = connect(&server, "");
    let mut buf = sender.new_buffer();
    row(&mut buf, "t", 1.0, 1);
    let err = sender.flush_and_keep_with_flags(&buf, true).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidApiCall);
    assert!(err.msg().contains("TCP"), "{}", err.msg());
    assert!(!sender.must_close());
    // Nothing went out: a later flush is the first bytes the server sees.
    let sent = buf.as_bytes().to_vec();
    sender.flush(&mut buf).unwrap();
    assert_eq!(server.wait_for_bytes(sent.len(), WAIT), sent);
}

#[test]
fn connect_to_closed_port_fails_at_build() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let err = match Sender::from_conf(&format!("tcp::addr=127.0.0.1:{};", port)) {
        Ok(_) => panic!("connected to a closed port"),
        Err(e) => e,
    };
    assert_eq!(err.code(), ErrorCode::SocketError, "{}", err.msg());
    assert!(err.msg().contains("127.0.0.1"), "{}", err.msg());
    assert!(err.msg().contains(&port.to_string()), "{}", err.msg());
}

#[test]
fn unresolvable_host() {
    let err = match Sender::from_conf("tcp::addr=nonexistent.invalid:9009;") {
        Ok(_) => panic!("resolved nonexistent.invalid"),
        Err(e) => e,
    };
    assert_eq!(err.code(), ErrorCode::CouldNotResolveAddr, "{}", err.msg());
    assert!(err.msg().contains("nonexistent.invalid"), "{}", err.msg());
}

#[test]
fn bind_interface_loopback() {
    let server = MockTcp::start(Mode::Record);
    let mut sender = connect(&server, "bind_interface=127.0.0.1;");
    let mut buf = sender.new_buffer();
    row(&mut buf, "t", 1.0, 1);
    let sent = buf.as_bytes().to_vec();
    sender.flush(&mut buf).unwrap();
    assert_eq!(server.wait_for_bytes(sent.len(), WAIT), sent);
}

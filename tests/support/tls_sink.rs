//! A one-connection TLS sink for the C tests (PROTOCOL.md 5.1 and 6).
//!
//! Usage: `tls_sink <dir> [--ecdsa <x_b64url> <y_b64url>] [--http] [--plain]`
//!
//! At start it makes a throw-away CA and a server certificate for
//! `localhost` and 127.0.0.1 signed by it, writes the CA to `<dir>/ca.pem`,
//! listens on 127.0.0.1 with a free port and prints `PORT <n>`. It then
//! accepts one connection and does the TLS server handshake.
//!
//! - Default (ILP/TCP): with `--ecdsa`, it first plays the server's side of the
//!   ECDSA challenge (key id line, random challenge, signature line checked
//!   against the public key `0x04 ‖ x ‖ y`); a bad signature prints
//!   `AUTH FAILED`. Then it reads until the client closes and prints
//!   `BYTES <len>` followed by the raw bytes received.
//! - `--http`: it answers HTTP/1.1 requests on the connection (keep-alive):
//!   `POST /write` with 204, printing each body as `BYTES <len>` + raw bytes,
//!   and anything else (such as `GET /settings`) with 404.
//!
//! `--plain` skips TLS (for ILP/TCP with ECDSA but without TLS); the CA is
//! still written. The server offers only ChaCha20-Poly1305 (see `server_config`). A failed
//! handshake prints `TLS FAILED <reason>`. Every outcome exits 0,
//! except a watchdog that ends the process with status 3 after 20 s so that a
//! broken test never hangs.

use base64ct::{Base64, Base64UrlUnpadded, Encoding};
use rcgen::{
    BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose,
    PKCS_ECDSA_P256_SHA256,
};
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{UnparsedPublicKey, ECDSA_P256_SHA256_FIXED};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::{CipherSuite, ServerConfig, ServerConnection, StreamOwned};
use std::error::Error;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::exit;
use std::sync::Arc;
use std::time::Duration;

type Res<T> = Result<T, Box<dyn Error>>;
/// The accepted connection, after the TLS handshake unless `--plain`.
type Tls = BufReader<Box<dyn Stream>>;

trait Stream: Read + Write {}
impl<T: Read + Write> Stream for T {}

const WATCHDOG: Duration = Duration::from_secs(20);
/// Longest line or HTTP head the sink accepts.
const MAX_LINE: usize = 64 * 1024;

enum Mode {
    Ilp { ecdsa: Option<Vec<u8>> },
    Http,
}

fn main() {
    std::thread::spawn(|| {
        std::thread::sleep(WATCHDOG);
        eprintln!("tls_sink: watchdog: giving up after {WATCHDOG:?}");
        exit(3);
    });
    if let Err(e) = run() {
        eprintln!("tls_sink: {e}");
        exit(2);
    }
}

fn run() -> Res<()> {
    let (dir, mode, plain) = parse_args()?;
    let config = server_config(Path::new(&dir))?;
    let listener = TcpListener::bind("127.0.0.1:0")?;
    emit(format!("PORT {}\n", listener.local_addr()?.port()).as_bytes())?;

    let (sock, _) = listener.accept()?;
    drop(listener);
    sock.set_nodelay(true)?;
    let stream: Box<dyn Stream> = if plain {
        Box::new(sock)
    } else {
        let mut stream = StreamOwned::new(ServerConnection::new(config)?, sock);
        while stream.conn.is_handshaking() {
            if let Err(e) = stream.conn.complete_io(&mut stream.sock) {
                emit(format!("TLS FAILED {e}\n").as_bytes())?;
                return Ok(());
            }
        }
        Box::new(stream)
    };
    let mut tls = BufReader::new(stream);
    match mode {
        Mode::Ilp { ecdsa } => {
            if let Some(public_key) = ecdsa {
                if !authenticate(&mut tls, &public_key)? {
                    emit(b"AUTH FAILED\n")?;
                    return Ok(());
                }
            }
            let mut bytes = Vec::new();
            read_to_close(&mut tls, &mut bytes)?;
            emit_bytes(&bytes)?;
        }
        Mode::Http => serve_http(&mut tls)?,
    }
    Ok(())
}

fn parse_args() -> Res<(String, Mode, bool)> {
    const USAGE: &str = "usage: tls_sink <dir> [--ecdsa <x_b64url> <y_b64url>] [--http] [--plain]";
    let mut args = std::env::args().skip(1);
    let dir = args.next().ok_or(USAGE)?;
    let mut mode = Mode::Ilp { ecdsa: None };
    let mut plain = false;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--ecdsa" => {
                let x = args.next().ok_or(USAGE)?;
                let y = args.next().ok_or(USAGE)?;
                mode = Mode::Ilp {
                    ecdsa: Some(public_key(&x, &y)?),
                };
            }
            "--http" => mode = Mode::Http,
            "--plain" => plain = true,
            _ => return Err(USAGE.into()),
        }
    }
    Ok((dir, mode, plain))
}

/// SEC1 uncompressed point `0x04 ‖ x ‖ y`, coordinates left-padded to 32 bytes.
fn public_key(x: &str, y: &str) -> Res<Vec<u8>> {
    let mut key = vec![4u8];
    for (name, coord) in [("x", x), ("y", y)] {
        let bytes = Base64UrlUnpadded::decode_vec(coord)
            .map_err(|e| format!("public key {name} is not base64url: {e}"))?;
        if bytes.len() > 32 {
            return Err(format!("public key {name} is longer than 32 bytes").into());
        }
        key.resize(key.len() + 32 - bytes.len(), 0);
        key.extend_from_slice(&bytes);
    }
    Ok(key)
}

/// A fresh CA (written to `dir/ca.pem`) and a server certificate it signed.
fn server_config(dir: &Path) -> Res<Arc<ServerConfig>> {
    let ca_key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256)?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "questdb-client tls_sink test CA");
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca = ca_params.self_signed(&ca_key)?;

    let server_key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256)?;
    let mut params =
        CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])?;
    params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    let cert = params.signed_by(&server_key, &ca, &ca_key)?;
    std::fs::write(dir.join("ca.pem"), ca.pem())?;

    let chain: Vec<CertificateDer<'static>> = vec![cert.der().clone()];
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der()));
    // ChaCha20-Poly1305 only. The C tests run the client under valgrind,
    // which reports uninitialised bytes in the records and tags that ring's
    // AES-GCM makes inside rustls (in this sink too, when run under valgrind:
    // memcheck's model, not a wrong result, since the peer decrypts them).
    let mut provider = rustls::crypto::ring::default_provider();
    provider.cipher_suites.retain(|suite| {
        matches!(
            suite.suite(),
            CipherSuite::TLS13_CHACHA20_POLY1305_SHA256
                | CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256
        )
    });
    let provider = Arc::new(provider);
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, key)?;
    Ok(Arc::new(config))
}

/// The server side of the ECDSA challenge; true if the signature verifies.
fn authenticate(tls: &mut Tls, public_key: &[u8]) -> Res<bool> {
    let Some(_key_id) = read_line(tls)? else {
        return Ok(false);
    };
    let mut random = [0u8; 48];
    SystemRandom::new()
        .fill(&mut random)
        .map_err(|_| "no system randomness")?;
    let challenge = Base64UrlUnpadded::encode_string(&random);
    let writer = tls.get_mut();
    writer.write_all(challenge.as_bytes())?;
    writer.write_all(b"\n")?;
    writer.flush()?;

    let Some(line) = read_line(tls)? else {
        return Ok(false);
    };
    let Ok(signature) = Base64::decode_vec(std::str::from_utf8(&line).unwrap_or("")) else {
        return Ok(false);
    };
    if signature.len() != 64 {
        return Ok(false);
    }
    let key = UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, public_key);
    Ok(key.verify(challenge.as_bytes(), &signature).is_ok())
}

/// One line without its `\n`; `None` if the client closed before a whole line.
fn read_line(tls: &mut Tls) -> Res<Option<Vec<u8>>> {
    let mut line = Vec::new();
    match tls
        .by_ref()
        .take(MAX_LINE as u64)
        .read_until(b'\n', &mut line)
    {
        Ok(_) => {}
        Err(e) if is_close(&e) => return Ok(None),
        Err(e) => return Err(e.into()),
    }
    if line.pop() != Some(b'\n') {
        return Ok(None);
    }
    Ok(Some(line))
}

/// `read_line` without a trailing `\r` either.
fn read_crlf_line(tls: &mut Tls) -> Res<Option<Vec<u8>>> {
    let mut line = read_line(tls)?;
    if let Some(l) = line.as_mut() {
        if l.last() == Some(&b'\r') {
            l.pop();
        }
    }
    Ok(line)
}

/// Appends everything until the client closes, with or without close_notify.
fn read_to_close(tls: &mut Tls, out: &mut Vec<u8>) -> Res<()> {
    match tls.read_to_end(out) {
        Ok(_) => Ok(()),
        Err(e) if is_close(&e) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// A client that shuts its socket down without a TLS close_notify.
fn is_close(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::UnexpectedEof | io::ErrorKind::ConnectionReset
    )
}

fn serve_http(tls: &mut Tls) -> Res<()> {
    while let Some(head) = read_head(tls)? {
        let text = String::from_utf8_lossy(&head);
        let mut lines = text.split("\r\n");
        let request_line = lines.next().unwrap_or("");
        let mut content_length = 0usize;
        let mut chunked = false;
        for header in lines {
            let Some((name, value)) = header.split_once(':') else {
                continue;
            };
            let value = value.trim();
            if name.eq_ignore_ascii_case("content-length") {
                content_length = value.parse()?;
            } else if name.eq_ignore_ascii_case("transfer-encoding") {
                chunked = value.eq_ignore_ascii_case("chunked");
            }
        }
        let body = if chunked {
            read_chunked(tls)?
        } else {
            let mut body = vec![0u8; content_length];
            tls.read_exact(&mut body)?;
            body
        };
        let mut parts = request_line.split(' ');
        let method = parts.next().unwrap_or("");
        let path = parts.next().unwrap_or("");
        let writer = tls.get_mut();
        if method == "POST" && (path == "/write" || path.starts_with("/write?")) {
            emit_bytes(&body)?;
            writer.write_all(b"HTTP/1.1 204 No Content\r\nConnection: keep-alive\r\n\r\n")?;
        } else {
            writer.write_all(
                b"HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\n\
                  Content-Length: 9\r\nConnection: keep-alive\r\n\r\nnot found",
            )?;
        }
        writer.flush()?;
    }
    Ok(())
}

/// The request line and headers up to the blank line; `None` once the client
/// has closed between requests.
fn read_head(tls: &mut Tls) -> Res<Option<Vec<u8>>> {
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        let before = head.len();
        match tls
            .by_ref()
            .take(MAX_LINE as u64)
            .read_until(b'\n', &mut head)
        {
            Ok(0) | Err(_) if head.is_empty() => return Ok(None),
            Ok(0) => return Err("client closed inside a request head".into()),
            Ok(_) => {}
            Err(e) => return Err(e.into()),
        }
        if head.len() == before || head.len() > MAX_LINE {
            return Err("request head too long".into());
        }
    }
    Ok(Some(head))
}

fn read_chunked(tls: &mut Tls) -> Res<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let line = read_crlf_line(tls)?.ok_or("client closed inside a chunk")?;
        let size_text = String::from_utf8_lossy(&line);
        let size_text = size_text.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_text, 16)?;
        if size == 0 {
            // Trailers, up to the blank line.
            while !read_crlf_line(tls)?
                .ok_or("client closed in trailers")?
                .is_empty()
            {}
            return Ok(body);
        }
        let start = body.len();
        body.resize(start + size, 0);
        tls.read_exact(&mut body[start..])?;
        let crlf = read_crlf_line(tls)?.ok_or("client closed after a chunk")?;
        if !crlf.is_empty() {
            return Err("bad chunk terminator".into());
        }
    }
}

fn emit_bytes(bytes: &[u8]) -> Res<()> {
    let mut out = format!("BYTES {}\n", bytes.len()).into_bytes();
    out.extend_from_slice(bytes);
    emit(&out)
}

fn emit(bytes: &[u8]) -> Res<()> {
    let mut out = io::stdout().lock();
    out.write_all(bytes)?;
    out.flush()?;
    Ok(())
}

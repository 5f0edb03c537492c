//! TLS for tests: certificates generated at test time (rcgen) and a TLS
//! terminator on 127.0.0.1 that decrypts and forwards to a plain mock
//! server (TCP or HTTP), so the mocks see exactly what the client sent.

use rcgen::{
    BasicConstraints, Certificate, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::{ServerConfig, ServerConnection};
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

const POLL: Duration = Duration::from_millis(5);
const HANDSHAKE_LIMIT: Duration = Duration::from_secs(10);

/// A server certificate with its key, chained to `Pki::ca` unless self-signed.
pub struct ServerCert {
    pub chain: Vec<CertificateDer<'static>>,
    key_der: Vec<u8>,
}

impl ServerCert {
    pub fn server_config(&self) -> Arc<ServerConfig> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key_der.clone()));
        let config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(self.chain.clone(), key)
            .expect("server certificate and key");
        Arc::new(config)
    }
}

/// A test CA and the server certificates of the TLS test cases, with the
/// CA written as PEM into a fresh directory.
pub struct Pki {
    pub dir: PathBuf,
    /// `localhost` and 127.0.0.1, signed by the CA, valid now.
    pub good: ServerCert,
    /// Same names, signed by the CA, expired in 2021.
    pub expired: ServerCert,
    /// Only for `other.example`, signed by the CA.
    pub wrong_name: ServerCert,
    /// `localhost` and 127.0.0.1, self-signed (no CA knows it).
    pub self_signed: ServerCert,
    ca_pem: String,
}

impl Pki {
    pub fn generate(tag: &str) -> Pki {
        let dir = std::env::temp_dir().join(format!(
            "qdb-tls-{}-{}-{}",
            tag,
            std::process::id(),
            questdb_client::now_nanos()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let (ca, ca_key) = make_ca("questdb-client test CA");
        let ca_der = ca.der().clone();
        let local = ["localhost", "127.0.0.1"];
        let good = signed(&local, false, &ca, &ca_key, &ca_der);
        let expired = signed(&local, true, &ca, &ca_key, &ca_der);
        let wrong_name = signed(&["other.example"], false, &ca, &ca_key, &ca_der);
        let self_signed = self_signed(&local);
        let pki = Pki {
            dir,
            good,
            expired,
            wrong_name,
            self_signed,
            ca_pem: ca.pem(),
        };
        std::fs::write(pki.ca_path(), &pki.ca_pem).unwrap();
        pki
    }

    /// The CA certificate as a PEM file.
    pub fn ca_path(&self) -> PathBuf {
        self.dir.join("ca.pem")
    }

    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// Writes the CA PEM under another name (e.g. for SSL_CERT_DIR).
    pub fn write_ca_as(&self, path: &Path) {
        std::fs::write(path, &self.ca_pem).unwrap();
    }
}

impl Drop for Pki {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn make_ca(name: &str) -> (Certificate, KeyPair) {
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, name);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let cert = params.self_signed(&key).unwrap();
    (cert, key)
}

/// With `expired`, valid only during 2020.
fn leaf_params(names: &[&str], expired: bool) -> CertificateParams {
    let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    let mut params = CertificateParams::new(names).unwrap();
    params
        .distinguished_name
        .push(DnType::CommonName, "questdb-client test server");
    if expired {
        params.not_before = rcgen::date_time_ymd(2020, 1, 1);
        params.not_after = rcgen::date_time_ymd(2021, 1, 1);
    }
    params
}

fn signed(
    names: &[&str],
    expired: bool,
    ca: &Certificate,
    ca_key: &KeyPair,
    ca_der: &CertificateDer<'static>,
) -> ServerCert {
    let key = KeyPair::generate().unwrap();
    let cert = leaf_params(names, expired)
        .signed_by(&key, ca, ca_key)
        .unwrap();
    ServerCert {
        chain: vec![cert.der().clone(), ca_der.clone()],
        key_der: key.serialize_der(),
    }
}

fn self_signed(names: &[&str]) -> ServerCert {
    let key = KeyPair::generate().unwrap();
    let cert = leaf_params(names, false).self_signed(&key).unwrap();
    ServerCert {
        chain: vec![cert.der().clone()],
        key_der: key.serialize_der(),
    }
}

/// Accepts TLS on 127.0.0.1 and relays the plaintext both ways to
/// `backend`, one backend connection per client connection.
pub struct TlsProxy {
    port: u16,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

impl TlsProxy {
    pub fn start(config: Arc<ServerConfig>, backend: SocketAddr) -> TlsProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let accept_stop = stop.clone();
        let accept = std::thread::spawn(move || {
            let mut workers = Vec::new();
            while !accept_stop.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((client, _)) => {
                        let config = config.clone();
                        let stop = accept_stop.clone();
                        workers.push(std::thread::spawn(move || {
                            let _ = relay(client, config, backend, &stop);
                        }));
                    }
                    Err(e) if e.kind() == ErrorKind::WouldBlock => std::thread::sleep(POLL),
                    Err(_) => break,
                }
            }
            for w in workers {
                let _ = w.join();
            }
        });
        TlsProxy {
            port,
            stop,
            accept: Some(accept),
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }
}

impl Drop for TlsProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
}

fn is_timeout(e: &std::io::Error) -> bool {
    matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut)
}

fn relay(
    mut client: TcpStream,
    config: Arc<ServerConfig>,
    backend: SocketAddr,
    stop: &AtomicBool,
) -> std::io::Result<()> {
    client.set_nonblocking(false)?;
    client.set_read_timeout(Some(POLL))?;
    let mut tls = ServerConnection::new(config).map_err(std::io::Error::other)?;
    let started = Instant::now();
    while tls.is_handshaking() {
        if stop.load(Ordering::SeqCst) || started.elapsed() > HANDSHAKE_LIMIT {
            return Ok(());
        }
        match tls.complete_io(&mut client) {
            Ok(_) => {}
            Err(e) if is_timeout(&e) => {}
            // The client rejected our certificate, or went away.
            Err(_) => return Ok(()),
        }
    }
    let mut upstream = TcpStream::connect(backend)?;
    upstream.set_read_timeout(Some(POLL))?;
    let mut buf = vec![0u8; 64 * 1024];
    let mut client_done = false;
    while !stop.load(Ordering::SeqCst) {
        if !client_done {
            match tls.read_tls(&mut client) {
                Ok(0) => client_done = true,
                Ok(_) => {
                    if tls.process_new_packets().is_err() {
                        break;
                    }
                }
                Err(e) if is_timeout(&e) => {}
                Err(_) => client_done = true,
            }
            loop {
                match tls.reader().read(&mut buf) {
                    Ok(0) => {
                        client_done = true;
                        break;
                    }
                    Ok(n) => upstream.write_all(&buf[..n])?,
                    Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                    Err(_) => {
                        client_done = true;
                        break;
                    }
                }
            }
            if client_done {
                // Let the backend see the end of the stream, then keep
                // relaying its answers until it closes.
                let _ = upstream.shutdown(Shutdown::Write);
            }
        }
        match upstream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => tls.writer().write_all(&buf[..n])?,
            Err(e) if is_timeout(&e) => {}
            Err(_) => break,
        }
        while tls.wants_write() {
            if tls.write_tls(&mut client).is_err() {
                return Ok(());
            }
        }
    }
    Ok(())
}

/// Accepts connections and never says a word: a TLS handshake against it
/// can only time out.
pub struct SilentServer {
    port: u16,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl SilentServer {
    pub fn start() -> SilentServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let thread_stop = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut held = Vec::new();
            while !thread_stop.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((conn, _)) => held.push(conn),
                    Err(_) => std::thread::sleep(POLL),
                }
            }
        });
        SilentServer {
            port,
            stop,
            thread: Some(thread),
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }
}

impl Drop for SilentServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

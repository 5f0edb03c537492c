//! A TCP ILP server that requires ECDSA authentication as QuestDB does:
//! reads the key id line, sends a random challenge line, verifies the
//! signature line with ring against the public key registered for that key
//! id, then records the rows, or closes the connection when it fails.

use base64ct::{Base64, Base64UrlUnpadded, Encoding};
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{
    EcdsaKeyPair, KeyPair, UnparsedPublicKey, ECDSA_P256_SHA256_FIXED,
    ECDSA_P256_SHA256_FIXED_SIGNING,
};
use std::io::{BufRead, BufReader, ErrorKind, Read};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

const POLL: Duration = Duration::from_millis(5);

/// A P-256 key set in the configuration's encoding (base64url, no padding).
#[derive(Clone, Debug)]
pub struct KeySet {
    pub d: String,
    pub x: String,
    pub y: String,
}

impl KeySet {
    /// A fresh key pair. ring's PKCS#8 document for P-256 holds the private
    /// scalar at bytes 36..68; loading it back checks that reading.
    pub fn generate() -> KeySet {
        let rng = SystemRandom::new();
        let doc = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
        let pair =
            EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, doc.as_ref(), &rng).unwrap();
        let public = pair.public_key().as_ref();
        let d = &doc.as_ref()[36..68];
        EcdsaKeyPair::from_private_key_and_public_key(
            &ECDSA_P256_SHA256_FIXED_SIGNING,
            d,
            public,
            &rng,
        )
        .expect("private scalar read from the PKCS#8 document");
        KeySet {
            d: Base64UrlUnpadded::encode_string(d),
            x: Base64UrlUnpadded::encode_string(&public[1..33]),
            y: Base64UrlUnpadded::encode_string(&public[33..65]),
        }
    }

    /// SEC1 uncompressed public point.
    pub fn public_point(&self) -> Vec<u8> {
        let mut p = vec![4u8];
        p.extend(Base64UrlUnpadded::decode_vec(&self.x).unwrap());
        p.extend(Base64UrlUnpadded::decode_vec(&self.y).unwrap());
        p
    }

    /// The config-string keys for this set under `key_id`.
    pub fn conf(&self, key_id: &str) -> String {
        format!(
            "username={};token={};token_x={};token_y={};",
            key_id, self.d, self.x, self.y
        )
    }
}

/// What happened on one connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Signature verified; these bytes followed.
    Accepted { key_id: String, rows: Vec<u8> },
    /// The signature did not verify (or the key id is unknown).
    Rejected { key_id: String },
    /// The client went away before finishing the handshake.
    Incomplete,
}

struct Shared {
    stop: AtomicBool,
    outcomes: Mutex<Vec<Outcome>>,
}

pub struct EcdsaServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl EcdsaServer {
    /// Accepts `key_id` with the public point of `keys`.
    pub fn start(key_id: &str, keys: &KeySet) -> EcdsaServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let shared = Arc::new(Shared {
            stop: AtomicBool::new(false),
            outcomes: Mutex::new(Vec::new()),
        });
        let key_id = key_id.to_string();
        let public = keys.public_point();
        let thread_shared = shared.clone();
        let thread = std::thread::spawn(move || {
            let mut workers = Vec::new();
            while !thread_shared.stop.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((conn, _)) => {
                        let shared = thread_shared.clone();
                        let key_id = key_id.clone();
                        let public = public.clone();
                        workers.push(std::thread::spawn(move || {
                            let outcome = serve(conn, &key_id, &public, &shared.stop);
                            shared.outcomes.lock().unwrap().push(outcome);
                        }));
                    }
                    Err(_) => std::thread::sleep(POLL),
                }
            }
            for w in workers {
                let _ = w.join();
            }
        });
        EcdsaServer {
            addr,
            shared,
            thread: Some(thread),
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Waits until `count` connections have ended, then returns them all.
    pub fn wait_outcomes(&self, count: usize, timeout: Duration) -> Vec<Outcome> {
        let deadline = Instant::now() + timeout;
        loop {
            let outcomes = self.shared.outcomes.lock().unwrap().clone();
            if outcomes.len() >= count || Instant::now() > deadline {
                return outcomes;
            }
            std::thread::sleep(POLL);
        }
    }
}

impl Drop for EcdsaServer {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn read_line(reader: &mut BufReader<TcpStream>, stop: &AtomicBool) -> Option<String> {
    let mut line = Vec::new();
    loop {
        match reader.read_until(b'\n', &mut line) {
            Ok(0) => return None,
            Ok(_) if line.ends_with(b"\n") => {
                line.pop();
                return Some(String::from_utf8_lossy(&line).into_owned());
            }
            Ok(_) => {}
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                if stop.load(Ordering::SeqCst) {
                    return None;
                }
            }
            Err(_) => return None,
        }
    }
}

fn serve(conn: TcpStream, key_id: &str, public: &[u8], stop: &AtomicBool) -> Outcome {
    use std::io::Write;
    conn.set_nonblocking(false).unwrap();
    conn.set_read_timeout(Some(POLL)).unwrap();
    let mut writer = conn.try_clone().unwrap();
    let mut reader = BufReader::new(conn);
    let Some(got_id) = read_line(&mut reader, stop) else {
        return Outcome::Incomplete;
    };
    let mut random = [0u8; 48];
    SystemRandom::new().fill(&mut random).unwrap();
    let challenge = Base64::encode_string(&random);
    if writer
        .write_all(format!("{}\n", challenge).as_bytes())
        .is_err()
    {
        return Outcome::Incomplete;
    }
    let Some(signature) = read_line(&mut reader, stop) else {
        return Outcome::Incomplete;
    };
    let verified = got_id == key_id
        && Base64::decode_vec(&signature)
            .ok()
            .filter(|sig| sig.len() == 64)
            .map(|sig| {
                UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, public)
                    .verify(challenge.as_bytes(), &sig)
                    .is_ok()
            })
            .unwrap_or(false);
    if !verified {
        // QuestDB closes the connection without a word.
        return Outcome::Rejected { key_id: got_id };
    }
    let mut rows = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    loop {
        match reader.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => rows.extend_from_slice(&chunk[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
            }
            Err(_) => break,
        }
    }
    Outcome::Accepted {
        key_id: got_id,
        rows,
    }
}

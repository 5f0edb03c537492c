//! ECDSA challenge-response authentication for ILP over TCP (PROTOCOL.md
//! §5.1): send the key id, sign the server's challenge with P-256/SHA-256,
//! send the fixed-size signature in standard base64.
//!
//! The private key never appears in a message: errors say which part of the
//! key is wrong and why, not what it is.

use crate::error::{Error, ErrorCode, Result};
use base64ct::{Base64, Base64UrlUnpadded, Encoding};
use ring::rand::SystemRandom;
use ring::signature::{EcdsaKeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
use std::io::{ErrorKind, Read, Write};

const COORDINATE_LEN: usize = 32;
const NO_CHALLENGE: &str =
    "Did not receive auth challenge. Is the database configured to require authentication?";
const KEY_HINT: &str = "Hint: Check the keys for a possible typo.";

/// A loaded key pair and the key id it is registered under on the server.
pub(crate) struct EcdsaKey {
    key_id: String,
    pair: EcdsaKeyPair,
    rng: SystemRandom,
}

impl std::fmt::Debug for EcdsaKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "EcdsaKey {{ key_id: {:?}, keys: *** }}", self.key_id)
    }
}

impl EcdsaKey {
    /// Decodes the base64url (unpadded) private scalar `d` and public point
    /// `x`, `y`, and checks they form a P-256 key pair.
    pub fn new(key_id: &str, d: &str, x: &str, y: &str) -> Result<Self> {
        if key_id.contains('\n') {
            return Err(auth_error(format!(
                "Bad key id {:?}: Should not contain new-line char.",
                key_id
            )));
        }
        let d = decode_part(d, "private authentication key")?;
        let x = decode_part(x, "public key x")?;
        let y = decode_part(y, "public key y")?;
        let d = left_pad(&d, "Private key")?;
        let mut public = Vec::with_capacity(1 + 2 * COORDINATE_LEN);
        public.push(0x04);
        public.extend_from_slice(&left_pad(&x, "Public key x")?);
        public.extend_from_slice(&left_pad(&y, "Public key y")?);
        let rng = SystemRandom::new();
        let pair = EcdsaKeyPair::from_private_key_and_public_key(
            &ECDSA_P256_SHA256_FIXED_SIGNING,
            &d,
            &public,
            &rng,
        )
        .map_err(|e| {
            auth_error(format!(
                "Misconfigured ILP authentication keys: {}. {}",
                e, KEY_HINT
            ))
        })?;
        Ok(EcdsaKey {
            key_id: key_id.to_string(),
            pair,
            rng,
        })
    }

    /// Runs the handshake on a connected (and, for tcps, TLS) stream. The
    /// server says nothing on success; a rejected key shows up as a closed
    /// connection at the next write.
    pub fn authenticate(&self, stream: &mut dyn ReadWrite) -> Result<()> {
        let mut hello = self.key_id.clone().into_bytes();
        hello.push(b'\n');
        if let Err(e) = stream.write_all(&hello).and_then(|()| stream.flush()) {
            if matches!(e.kind(), ErrorKind::BrokenPipe | ErrorKind::ConnectionReset) {
                return Err(auth_error(NO_CHALLENGE.into()));
            }
            return Err(socket_error(format!(
                "Failed to send the authentication key id: {}",
                e
            )));
        }
        let challenge = read_challenge(stream)?;
        let signature = self
            .pair
            .sign(&self.rng, &challenge)
            .map_err(|_| auth_error("Could not sign the authentication challenge.".into()))?;
        let mut reply = Base64::encode_string(signature.as_ref()).into_bytes();
        reply.push(b'\n');
        stream
            .write_all(&reply)
            .and_then(|()| stream.flush())
            .map_err(|e| {
                socket_error(format!(
                    "Failed to send the authentication signature: {}",
                    e
                ))
            })
    }
}

/// What the handshake needs from a stream.
pub(crate) trait ReadWrite: Read + Write {}
impl<T: Read + Write + ?Sized> ReadWrite for T {}

/// Reads the challenge up to its `\n`, byte by byte: anything after it is
/// not ours to consume (the server sends nothing more, but be exact).
fn read_challenge(stream: &mut dyn ReadWrite) -> Result<Vec<u8>> {
    let mut challenge = Vec::with_capacity(512);
    let mut byte = [0u8; 1];
    loop {
        let read = stream.read(&mut byte);
        // A server without authentication drops the connection on the key
        // id line: closed or reset, it is the same missing challenge.
        let dropped = matches!(&read, Err(e) if e.kind() == ErrorKind::ConnectionReset);
        match read {
            _ if dropped && challenge.is_empty() => return Err(auth_error(NO_CHALLENGE.into())),
            Ok(0) if challenge.is_empty() => return Err(auth_error(NO_CHALLENGE.into())),
            Ok(0) => {
                return Err(auth_error(format!(
                    "Received incomplete auth challenge: {:?}",
                    String::from_utf8_lossy(&challenge)
                )))
            }
            Ok(_) if byte[0] == b'\n' => return Ok(challenge),
            Ok(_) => challenge.push(byte[0]),
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            // The socket's read timeout is auth_timeout (PROTOCOL.md §5.1).
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                return Err(auth_error(format!(
                    "{} No challenge arrived within auth_timeout.",
                    NO_CHALLENGE
                )))
            }
            Err(e) => {
                return Err(socket_error(format!(
                    "Failed to read authentication challenge (timed out?): {}",
                    e
                )))
            }
        }
    }
}

fn decode_part(value: &str, what: &str) -> Result<Vec<u8>> {
    Base64UrlUnpadded::decode_vec(value).map_err(|e| {
        auth_error(format!(
            "Misconfigured ILP authentication keys. Could not decode {}: {}. \
             The keys must be base64url without padding. {}",
            what, e, KEY_HINT
        ))
    })
}

/// Big-endian bytes left-padded with zeros to 32 bytes.
fn left_pad(bytes: &[u8], what: &str) -> Result<[u8; COORDINATE_LEN]> {
    if bytes.len() > COORDINATE_LEN {
        return Err(auth_error(format!(
            "Misconfigured ILP authentication keys. {} is too long: {} bytes, at most {}. {}",
            what,
            bytes.len(),
            COORDINATE_LEN,
            KEY_HINT
        )));
    }
    let mut out = [0u8; COORDINATE_LEN];
    out[COORDINATE_LEN - bytes.len()..].copy_from_slice(bytes);
    Ok(out)
}

fn auth_error(msg: String) -> Error {
    Error::new(ErrorCode::AuthError, msg)
}

fn socket_error(msg: String) -> Error {
    Error::new(ErrorCode::SocketError, msg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::signature::{UnparsedPublicKey, ECDSA_P256_SHA256_FIXED};

    // The documented sample key set (test credentials, not a secret).
    const D: &str = "5UjEMuA0Pj5pjK8a-fa24dyIf-Es5mYny3oE_Wmus48";
    const X: &str = "fLKYEaoEb9lrn3nkwLDA-M_xnuFOdSt9y0Z7_vWSHLU";
    const Y: &str = "Dt5tbS1dEDMSYfym3fgMv0B99szno-dFc1rYF9t0aac";

    /// A stream that replays `input` and records what is written.
    struct Scripted {
        input: std::io::Cursor<Vec<u8>>,
        output: Vec<u8>,
    }

    impl Read for Scripted {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            self.input.read(buf)
        }
    }

    impl Write for Scripted {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.output.extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn scripted(input: &[u8]) -> Scripted {
        Scripted {
            input: std::io::Cursor::new(input.to_vec()),
            output: Vec::new(),
        }
    }

    #[test]
    fn handshake_signs_the_challenge_without_its_newline() {
        let key = EcdsaKey::new("admin", D, X, Y).unwrap();
        let mut stream = scripted(b"some challenge\nrest");
        key.authenticate(&mut stream).unwrap();
        let out = String::from_utf8(stream.output).unwrap();
        let (kid, sig) = out.split_once('\n').unwrap();
        assert_eq!(kid, "admin");
        assert_eq!(sig.len(), 89, "88 base64 chars and a newline: {sig:?}");
        let sig = Base64::decode_vec(sig.trim_end()).unwrap();
        assert_eq!(sig.len(), 64);
        let mut public = vec![4u8];
        public.extend(Base64UrlUnpadded::decode_vec(X).unwrap());
        public.extend(Base64UrlUnpadded::decode_vec(Y).unwrap());
        UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, &public)
            .verify(b"some challenge", &sig)
            .expect("signature verifies against the public key");
        assert_eq!(stream.input.position(), 15, "stops after the newline");
    }

    #[test]
    fn missing_or_incomplete_challenge_is_an_auth_error() {
        let key = EcdsaKey::new("admin", D, X, Y).unwrap();
        let err = key.authenticate(&mut scripted(b"")).unwrap_err();
        assert_eq!(err.code(), ErrorCode::AuthError);
        assert!(err.msg().starts_with("Did not receive auth challenge."));
        let err = key.authenticate(&mut scripted(b"abc")).unwrap_err();
        assert_eq!(err.code(), ErrorCode::AuthError);
        assert_eq!(err.msg(), "Received incomplete auth challenge: \"abc\"");
    }

    #[test]
    fn bad_keys_are_auth_errors_that_never_show_the_private_key() {
        let cases = [
            (
                D,
                "fLKYEaoEb9lrn3nkwLDA+M/xnuFOdSt9y0Z7/vWSHLU",
                "Could not decode public key x",
            ),
            (D, &format!("{}=", X), "Could not decode public key x"),
            (D, "AAAA", "Misconfigured ILP authentication keys:"),
            (
                D,
                &Base64UrlUnpadded::encode_string(&[7u8; 33]),
                "Public key x is too long: 33 bytes",
            ),
            (
                "not*base64",
                X,
                "Could not decode private authentication key",
            ),
            ("AQ", X, "Misconfigured ILP authentication keys:"),
        ];
        for (d, x, fragment) in cases {
            let err = EcdsaKey::new("admin", d, x, Y).unwrap_err();
            assert_eq!(err.code(), ErrorCode::AuthError, "{x}");
            assert!(
                err.msg().contains(fragment),
                "{:?} lacks {fragment:?}",
                err.msg()
            );
            assert!(err.msg().contains("Hint"), "{}", err.msg());
            assert!(!err.msg().contains(D), "private key leaked: {}", err.msg());
        }
        let err = EcdsaKey::new("ad\nmin", D, X, Y).unwrap_err();
        assert_eq!(err.code(), ErrorCode::AuthError);
        assert_eq!(
            err.msg(),
            "Bad key id \"ad\\nmin\": Should not contain new-line char."
        );
    }

    #[test]
    fn debug_output_hides_the_keys() {
        let key = EcdsaKey::new("admin", D, X, Y).unwrap();
        let shown = format!("{key:?}");
        assert_eq!(shown, "EcdsaKey { key_id: \"admin\", keys: *** }");
    }
}

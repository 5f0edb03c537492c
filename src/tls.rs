//! TLS client configuration (rustls with the ring provider), shared by the
//! TCP and HTTP transports, and the wording of TLS failures.

use crate::conf::{CertificateAuthority, SenderOptions};
use crate::error::{Error, ErrorCode, Result};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{ring as ring_provider, CryptoProvider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use std::path::Path;
use std::sync::Arc;

/// The client configuration the options ask for: root store (or no
/// verification with `tls_verify=unsafe_off`), no client certificate.
pub(crate) fn client_config(opts: &SenderOptions) -> Result<Arc<ClientConfig>> {
    let provider = Arc::new(ring_provider::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| tls_error(format!("Could not set up TLS: {}", e)))?;
    let mut config = if opts.tls_verify() {
        builder
            .with_root_certificates(root_store(opts)?)
            .with_no_client_auth()
    } else {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(NoVerification(provider)))
            .with_no_client_auth()
    };
    // SSLKEYLOGFILE=path lets Wireshark decrypt a session when debugging.
    config.key_log = Arc::new(rustls::KeyLogFile::new());
    Ok(Arc::new(config))
}

/// The name the certificate must carry, from the `addr` host.
pub(crate) fn server_name(host: &str) -> Result<ServerName<'static>> {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    ServerName::try_from(bare.to_string())
        .map_err(|e| tls_error(format!("Bad host {:?} for TLS: {}", host, e)))
}

fn root_store(opts: &SenderOptions) -> Result<RootCertStore> {
    let mut store = RootCertStore::empty();
    match opts.tls_ca() {
        CertificateAuthority::WebpkiRoots => add_webpki_roots(&mut store),
        CertificateAuthority::OsRoots => add_os_roots(&mut store, true)?,
        CertificateAuthority::WebpkiAndOsRoots => {
            add_webpki_roots(&mut store);
            // The Mozilla set is there either way, so an unreadable OS
            // store is not fatal here; `os_roots` alone is strict.
            add_os_roots(&mut store, false)?;
        }
        CertificateAuthority::PemFile => {
            let path = opts.tls_roots().ok_or_else(|| {
                Error::new(
                    ErrorCode::ConfigError,
                    "\"tls_ca\" is \"pem_file\", but \"tls_roots\" (the path of the PEM file) is not specified.",
                )
            })?;
            add_pem_file(&mut store, path)?;
        }
    }
    Ok(store)
}

fn add_webpki_roots(store: &mut RootCertStore) {
    store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
}

fn add_os_roots(store: &mut RootCertStore, strict: bool) -> Result<()> {
    let loaded = rustls_native_certs::load_native_certs();
    if strict && !loaded.errors.is_empty() {
        let errors: Vec<String> = loaded.errors.iter().map(|e| e.to_string()).collect();
        return Err(tls_error(format!(
            "Could not load OS native TLS certificates: {}",
            errors.join(", ")
        )));
    }
    let found = loaded.certs.len();
    let (added, _ignored) = store.add_parsable_certificates(loaded.certs);
    if strict && added == 0 {
        return Err(tls_error(format!(
            "No valid certificates found in the OS root store ({} found but none valid). \
             Install the ca-certificates package, set SSL_CERT_FILE or SSL_CERT_DIR, \
             or use tls_roots=<path of a PEM file>.",
            found
        )));
    }
    Ok(())
}

fn add_pem_file(store: &mut RootCertStore, path: &Path) -> Result<()> {
    let certs = CertificateDer::pem_file_iter(path).map_err(|e| {
        tls_error(format!(
            "Could not open tls_roots certificate authority file from path {:?}: {}",
            path.display().to_string(),
            e
        ))
    })?;
    let mut certs_read = Vec::new();
    for cert in certs {
        let cert = cert.map_err(|e| {
            tls_error(format!(
                "Could not read certificate authority file from path {:?}: {}",
                path.display().to_string(),
                e
            ))
        })?;
        certs_read.push(cert);
    }
    let (added, _ignored) = store.add_parsable_certificates(certs_read);
    if added == 0 {
        return Err(tls_error(format!(
            "No valid certificate in tls_roots file {:?}.",
            path.display().to_string()
        )));
    }
    Ok(())
}

pub(crate) fn tls_error(msg: String) -> Error {
    Error::new(ErrorCode::TlsError, msg)
}

/// The rustls error inside an I/O error, when the failure was TLS's.
pub(crate) fn rustls_cause(err: &std::io::Error) -> Option<&rustls::Error> {
    err.get_ref()?.downcast_ref::<rustls::Error>()
}

/// `tls_verify=unsafe_off`: accepts any certificate. Signatures are still
/// checked, so the session is at least consistent with the presented key.
#[derive(Debug)]
struct NoVerification(Arc<CryptoProvider>);

impl ServerCertVerifier for NoVerification {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

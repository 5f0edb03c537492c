//! ILP over HTTP: one `POST /write?precision=n` per flush, with retries,
//! server error decoding, and protocol detection through `/settings`.

use super::address::{authority, numeric_port};
use super::retry::{is_retriable_status, Backoff};
use super::tls_connector::TlsConnector;
use crate::buffer::ProtocolVersion;
use crate::conf::{Auth, SenderOptions};
use crate::error::{Error, ErrorCode, Result};
use crate::tls;
use base64ct::{Base64, Encoding};
use rustls::ClientConfig;
use std::sync::Arc;
use std::time::{Duration, Instant};
use ureq::http::Response;
use ureq::unversioned::resolver::DefaultResolver;
use ureq::unversioned::transport::{Connector, TcpConnector};
use ureq::{Agent, Body};

/// How long `/settings` may be retried at sender construction.
const SETTINGS_RETRY_BUDGET: Duration = Duration::from_secs(1);

/// Error bodies past this size are cut; they only feed an error message.
const MAX_BODY_BYTES: u64 = 1024 * 1024;

pub(crate) struct HttpTransport {
    agent: Agent,
    write_url: String,
    /// The write URL without its query, as error messages show it.
    write_endpoint: String,
    settings_url: String,
    authorization: Option<String>,
    request_timeout: Duration,
    request_min_throughput: u64,
    retry_timeout: Duration,
}

/// What the server answered, read in full so the connection can be reused.
struct Reply {
    status: u16,
    content_type: String,
    body: Vec<u8>,
}

type Attempt = std::result::Result<Reply, ureq::Error>;

/// The protocol facts learned from `/settings`.
pub(crate) struct ServerSettings {
    pub version: ProtocolVersion,
    pub max_name_len: Option<usize>,
}

impl HttpTransport {
    /// With `tls`, every connection is TLS with that configuration.
    pub fn new(opts: &SenderOptions, auth: &Auth, tls: Option<Arc<ClientConfig>>) -> Result<Self> {
        let scheme = opts.protocol().schema();
        let base = format!(
            "{}://{}",
            scheme,
            authority(opts.host(), numeric_port(opts.port())?)
        );
        let config = Agent::config_builder()
            .user_agent(opts.user_agent())
            .no_delay(true)
            .http_status_as_error(false)
            // A database client talks to its server, not through the
            // environment's proxy; the official client does the same.
            .proxy(None)
            .timeout_connect(Some(opts.request_timeout()))
            .build();
        let agent = match tls {
            Some(tls) => Agent::with_parts(
                config,
                ().chain(TcpConnector::default())
                    .chain(TlsConnector::new(tls)),
                DefaultResolver::default(),
            ),
            None => config.into(),
        };
        Ok(HttpTransport {
            agent,
            write_url: format!("{}/write?precision=n", base),
            write_endpoint: format!("{}/write", base),
            settings_url: format!("{}/settings", base),
            authorization: authorization_header(auth)?,
            request_timeout: opts.request_timeout(),
            request_min_throughput: opts.request_min_throughput(),
            retry_timeout: opts.retry_timeout(),
        })
    }

    /// Sends `body`, retrying transient failures; any 2xx is success.
    pub fn send(&self, body: &[u8]) -> Result<()> {
        let timeout = self.write_timeout(body.len());
        let attempt = with_retries(self.retry_timeout, || self.post(body, timeout));
        match attempt {
            Ok(reply) if reply.status < 400 => Ok(()),
            Ok(reply) => Err(flush_error(&reply)),
            Err(err) => Err(Error::new(
                transport_error_code(&err),
                format!(
                    "Could not flush buffer: {}: {}",
                    self.write_endpoint,
                    describe(&err)
                ),
            )),
        }
    }

    /// Asks the server which protocol versions and name length it supports.
    pub fn detect(&self) -> Result<ServerSettings> {
        let attempt = with_retries(SETTINGS_RETRY_BUDGET, || self.get_settings());
        let url = &self.settings_url;
        let reply = attempt.map_err(|err| {
            let msg = format!(
                "Could not detect server's line protocol version, settings url: {}, err: {}.",
                url,
                describe(&err)
            );
            match transport_error_code(&err) {
                ErrorCode::TlsError => tls::tls_error(msg),
                _ => detection_error(msg),
            }
        })?;
        if reply.status == 404 {
            return Ok(ServerSettings {
                version: ProtocolVersion::V1,
                max_name_len: None,
            });
        }
        if reply.status >= 400 {
            return Err(detection_error(format!(
                "Could not detect server's line protocol version, settings url: {}, status code: {}.",
                url, reply.status
            )));
        }
        parse_settings(&reply.body).map_err(|why| {
            detection_error(format!(
                "Malformed server response, settings url: {}, err: {}.",
                url, why
            ))
        })
    }

    /// `request_timeout` plus the time the body takes at the minimum throughput.
    fn write_timeout(&self, len: usize) -> Duration {
        if self.request_min_throughput == 0 {
            return self.request_timeout;
        }
        self.request_timeout
            + Duration::from_secs_f64(len as f64 / self.request_min_throughput as f64)
    }

    fn post(&self, body: &[u8], timeout: Duration) -> Attempt {
        let mut request = self
            .agent
            .post(&self.write_url)
            .header("Content-Type", "text/plain; charset=utf-8");
        if let Some(value) = &self.authorization {
            request = request.header("Authorization", value);
        }
        let response = request
            .config()
            .timeout_global(Some(timeout))
            .build()
            .send(body)?;
        read_reply(response)
    }

    fn get_settings(&self) -> Attempt {
        let mut request = self.agent.get(&self.settings_url);
        // Ours: servers with access control may require credentials here too.
        if let Some(value) = &self.authorization {
            request = request.header("Authorization", value);
        }
        let response = request
            .config()
            .timeout_global(Some(self.request_timeout))
            .build()
            .call()?;
        read_reply(response)
    }
}

fn authorization_header(auth: &Auth) -> Result<Option<String>> {
    match auth {
        Auth::None => Ok(None),
        Auth::Basic { username, password } => Ok(Some(format!(
            "Basic {}",
            Base64::encode_string(format!("{}:{}", username, password).as_bytes())
        ))),
        Auth::Bearer { token } => {
            if token.contains('\n') {
                return Err(Error::new(
                    ErrorCode::AuthError,
                    "Bad auth token: Should not contain new-line char.",
                ));
            }
            Ok(Some(format!("Bearer {}", token)))
        }
        Auth::Ecdsa { .. } => Err(Error::new(
            ErrorCode::ConfigError,
            "ECDSA authentication is only available with ILP/TCP and not available with ILP/HTTP.",
        )),
    }
}

/// Runs `attempt`, then repeats it while it fails in a retriable way and the
/// next backoff sleep still ends within `budget` of the first failure.
fn with_retries(budget: Duration, attempt: impl Fn() -> Attempt) -> Attempt {
    let mut result = attempt();
    if budget.is_zero() || !is_retriable(&result) {
        return result;
    }
    let deadline = Instant::now() + budget;
    let mut backoff = Backoff::new();
    while let Some(sleep) = backoff.next_sleep(deadline) {
        std::thread::sleep(sleep);
        result = attempt();
        if !is_retriable(&result) {
            break;
        }
    }
    result
}

fn is_retriable(attempt: &Attempt) -> bool {
    match attempt {
        Ok(reply) => is_retriable_status(reply.status),
        // A certificate the client rejects will not become acceptable.
        Err(err) if transport_error_code(err) == ErrorCode::TlsError => false,
        // Refused, reset or closed connections and timeouts are transient
        // from the client's point of view: the server may be restarting.
        Err(ureq::Error::Io(_))
        | Err(ureq::Error::Timeout(_))
        | Err(ureq::Error::ConnectionFailed)
        | Err(ureq::Error::Protocol(_)) => true,
        Err(_) => false,
    }
}

fn read_reply(mut response: Response<Body>) -> Attempt {
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let body = response
        .body_mut()
        .with_config()
        .limit(MAX_BODY_BYTES)
        .read_to_vec()?;
    Ok(Reply {
        status,
        content_type,
        body,
    })
}

/// Turns a 4xx/5xx answer to `/write` into the error the user sees.
fn flush_error(reply: &Reply) -> Error {
    let body = String::from_utf8_lossy(&reply.body);
    match reply.status {
        404 => Error::new(
            ErrorCode::HttpNotSupported,
            "Could not flush buffer: HTTP endpoint does not support ILP.",
        ),
        401 | 403 => {
            let detail = if body.is_empty() {
                String::new()
            } else {
                format!(": {}", body)
            };
            Error::new(
                ErrorCode::AuthError,
                format!(
                    "Could not flush buffer: HTTP endpoint authentication error{} [code: {}]",
                    detail, reply.status
                ),
            )
        }
        _ => {
            let message = json_error_message(reply).unwrap_or_else(|| body.into_owned());
            Error::new(
                ErrorCode::ServerFlushError,
                format!("Could not flush buffer: {}", message),
            )
        }
    }
}

/// QuestDB's JSON error: `message [id: .., code: .., line: ..]`, each bracketed
/// part only when present. `None` when the reply is not such a JSON.
fn json_error_message(reply: &Reply) -> Option<String> {
    if !is_json_media_type(&reply.content_type) {
        return None;
    }
    let json: serde_json::Value = serde_json::from_slice(&reply.body).ok()?;
    let message = json.get("message")?.as_str()?;
    let mut details = Vec::new();
    if let Some(id) = json.get("errorId").and_then(|v| v.as_str()) {
        details.push(format!("id: {}", id));
    }
    if let Some(code) = json.get("code").and_then(|v| v.as_str()) {
        details.push(format!("code: {}", code));
    }
    if let Some(line) = json.get("line").and_then(|v| v.as_i64()) {
        details.push(format!("line: {}", line));
    }
    if details.is_empty() {
        return Some(message.to_string());
    }
    Some(format!("{} [{}]", message, details.join(", ")))
}

/// `application/json`, whatever parameters follow (QuestDB adds a charset).
fn is_json_media_type(content_type: &str) -> bool {
    let media_type = content_type.split(';').next().unwrap_or("").trim();
    media_type.eq_ignore_ascii_case("application/json")
}

/// Picks the protocol version and name length from a `/settings` body.
/// QuestDB 9 nests the keys under `config`; older servers answer flat.
fn parse_settings(body: &[u8]) -> std::result::Result<ServerSettings, &'static str> {
    let json: serde_json::Value =
        serde_json::from_slice(body).map_err(|_| "response is not valid JSON")?;
    let config = json.get("config").unwrap_or(&json);
    if !config.is_object() {
        return Err("response is not a JSON object");
    }
    let supported: Vec<u64> = match config.get("line.proto.support.versions") {
        Some(serde_json::Value::Array(items)) => items.iter().filter_map(|v| v.as_u64()).collect(),
        _ => vec![1],
    };
    let version = [
        ProtocolVersion::V3,
        ProtocolVersion::V2,
        ProtocolVersion::V1,
    ]
    .into_iter()
    .find(|v| supported.contains(&(*v as u64)))
    .ok_or("Server does not support any of the client protocol versions: [v3, v2, v1]")?;
    let max_name_len = config
        .get("cairo.max.file.name.length")
        .and_then(|v| v.as_u64())
        .filter(|&n| n > 0)
        .map(|n| n as usize);
    Ok(ServerSettings {
        version,
        max_name_len,
    })
}

fn detection_error(msg: String) -> Error {
    Error::new(ErrorCode::ProtocolVersionError, msg)
}

/// `tls_error` when TLS failed (handshake, certificate), else `socket_error`.
fn transport_error_code(err: &ureq::Error) -> ErrorCode {
    match err {
        ureq::Error::Tls(_) => ErrorCode::TlsError,
        ureq::Error::Io(io) if tls::rustls_cause(io).is_some() => ErrorCode::TlsError,
        _ => ErrorCode::SocketError,
    }
}

/// ureq's error text, with the OS error spelled out for I/O failures.
fn describe(err: &ureq::Error) -> String {
    match err {
        ureq::Error::Io(io) => format!("io: {}", io),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_auth_header_is_standard_base64_of_user_colon_password() {
        let auth = Auth::Basic {
            username: "u".into(),
            password: "p".into(),
        };
        assert_eq!(
            authorization_header(&auth).unwrap().as_deref(),
            Some("Basic dTpw")
        );
        let auth = Auth::Basic {
            username: "Aladdin".into(),
            password: "open sesame".into(),
        };
        assert_eq!(
            authorization_header(&auth).unwrap().as_deref(),
            Some("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==")
        );
    }

    #[test]
    fn json_media_type_ignores_parameters_and_case() {
        assert!(is_json_media_type("application/json"));
        assert!(is_json_media_type("application/json; charset=utf-8"));
        assert!(is_json_media_type("Application/JSON;charset=UTF-8"));
        assert!(!is_json_media_type("text/plain"));
        assert!(!is_json_media_type(""));
    }

    #[test]
    fn settings_pick_highest_common_version() {
        let v = |body: &str| parse_settings(body.as_bytes()).map(|s| s.version);
        assert_eq!(
            v(r#"{"config":{"line.proto.support.versions":[1,2,3]}}"#),
            Ok(ProtocolVersion::V3)
        );
        assert_eq!(
            v(r#"{"config":{"line.proto.support.versions":[1,2]}}"#),
            Ok(ProtocolVersion::V2)
        );
        assert_eq!(
            v(r#"{"config":{"release.version":"8.2.1"}}"#),
            Ok(ProtocolVersion::V1)
        );
        assert_eq!(v(r#"{"release.version":"8.2.1"}"#), Ok(ProtocolVersion::V1));
        assert!(v(r#"{"config":{"line.proto.support.versions":[7]}}"#).is_err());
        assert!(v("not json{").is_err());
        assert!(v("[1,2]").is_err());
    }
}

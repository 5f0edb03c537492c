//! Which authentication the credential settings add up to (PROTOCOL.md §3).
//! Only presence is checked here; bad key material fails when it is used.

use super::{Auth, SenderOptions};
use crate::error::{fail, Result};

const INCOMPLETE: &str = "Incomplete authentication parameters. Check \"username\", \"password\", \
     \"token\", \"token_x\" and \"token_y\" parameters are set correctly.";

pub(super) fn resolve(opts: &SenderOptions) -> Result<Auth> {
    let all_absent = [
        &opts.username,
        &opts.password,
        &opts.token,
        &opts.token_x,
        &opts.token_y,
    ]
    .iter()
    .all(|s| s.is_none());
    if all_absent {
        Ok(Auth::None)
    } else if opts.protocol.is_http() {
        resolve_http(opts)
    } else {
        resolve_tcp(opts)
    }
}

fn resolve_tcp(opts: &SenderOptions) -> Result<Auth> {
    let creds = (
        &opts.username,
        &opts.password,
        &opts.token,
        &opts.token_x,
        &opts.token_y,
    );
    match creds {
        (Some(key_id), None, Some(d), Some(x), Some(y)) => Ok(Auth::Ecdsa {
            key_id: key_id.clone(),
            d: d.clone(),
            x: x.clone(),
            y: y.clone(),
        }),
        (Some(_), Some(_), None, None, None) => fail!(
            ConfigError,
            "The \"basic_auth\" setting can only be used with the ILP/HTTP protocol."
        ),
        (None, None, Some(_), None, None) => fail!(
            ConfigError,
            "Token authentication can only be used with the ILP/HTTP protocol."
        ),
        (_, None, _, _, _) => fail!(
            ConfigError,
            "Incomplete ECDSA authentication parameters. Specify either all or none of: \
             \"username\", \"token\", \"token_x\", \"token_y\". Missing: {}.",
            missing_ecdsa_keys(opts)
        ),
        _ => fail!(ConfigError, "{INCOMPLETE}"),
    }
}

/// The ECDSA keys not set, quoted and comma separated.
fn missing_ecdsa_keys(opts: &SenderOptions) -> String {
    let keys = [
        ("username", &opts.username),
        ("token", &opts.token),
        ("token_x", &opts.token_x),
        ("token_y", &opts.token_y),
    ];
    let missing: Vec<String> = keys
        .iter()
        .filter(|(_, value)| value.is_none())
        .map(|(name, _)| format!("{:?}", name))
        .collect();
    missing.join(", ")
}

fn resolve_http(opts: &SenderOptions) -> Result<Auth> {
    let creds = (
        &opts.username,
        &opts.password,
        &opts.token,
        &opts.token_x,
        &opts.token_y,
    );
    match creds {
        (Some(username), Some(password), None, None, None) => Ok(Auth::Basic {
            username: username.clone(),
            password: password.clone(),
        }),
        (None, None, Some(token), None, None) => Ok(Auth::Bearer {
            token: token.clone(),
        }),
        (Some(_), None, None, None, None) => fail!(
            ConfigError,
            "Basic authentication parameter \"username\" is present, but \"password\" is missing."
        ),
        (None, Some(_), None, None, None) => fail!(
            ConfigError,
            "Basic authentication parameter \"password\" is present, but \"username\" is missing."
        ),
        (Some(_), None, Some(_), Some(_), Some(_)) => fail!(
            ConfigError,
            "ECDSA authentication is only available with ILP/TCP and not available with ILP/HTTP."
        ),
        (_, _, _, None, None) => fail!(
            ConfigError,
            "Inconsistent HTTP authentication parameters. Specify either \"username\" and \
             \"password\", or just \"token\"."
        ),
        _ => fail!(ConfigError, "{INCOMPLETE}"),
    }
}

//! Validation of decimal values (protocol 3).

use crate::error::{fail, Result};

/// Largest scale QuestDB accepts for a binary decimal.
pub const MAX_DECIMAL_SCALE: u32 = 76;
/// Largest unscaled value, in bytes, of a binary decimal.
pub const MAX_DECIMAL_BYTES: usize = 32;
/// Type byte of a binary decimal.
pub const DECIMAL_BINARY_FORMAT_TYPE: u8 = 23;

/// Checks a decimal given as text: a plain or scientific number, or
/// `NaN` / `Infinity` / `Inf` with an optional sign.
pub(crate) fn validate_text(value: &str) -> Result<()> {
    if let Some((pos, c)) = value.char_indices().find(|&(_, c)| !is_decimal_char(c)) {
        return fail!(
            InvalidDecimal,
            "Bad decimal {:?}: invalid character {:?} at byte position {}.",
            value,
            c,
            pos
        );
    }
    if !is_well_formed(value.as_bytes()) {
        return fail!(
            InvalidDecimal,
            "Bad decimal {:?}: not a number (expected e.g. `123.45`, `-1.5e-3`, `NaN` or `Infinity`).",
            value
        );
    }
    Ok(())
}

fn is_decimal_char(c: char) -> bool {
    matches!(
        c,
        '0'..='9' | '.' | '-' | '+' | 'e' | 'E' | 'N' | 'a' | 'I' | 'n' | 'f' | 'i' | 't' | 'y'
    )
}

fn is_well_formed(s: &[u8]) -> bool {
    if s == b"NaN" {
        return true;
    }
    let unsigned = match s.first() {
        Some(b'+') | Some(b'-') => &s[1..],
        _ => s,
    };
    if unsigned == b"Infinity" || unsigned == b"Inf" {
        return true;
    }
    let (mantissa, exponent) = match unsigned.iter().position(|&b| b == b'e' || b == b'E') {
        Some(i) => (&unsigned[..i], Some(&unsigned[i + 1..])),
        None => (unsigned, None),
    };
    is_mantissa(mantissa) && exponent.is_none_or(is_exponent)
}

fn all_digits(s: &[u8]) -> bool {
    s.iter().all(u8::is_ascii_digit)
}

fn is_mantissa(s: &[u8]) -> bool {
    let (int, frac) = match s.iter().position(|&b| b == b'.') {
        Some(i) => (&s[..i], &s[i + 1..]),
        None => (s, &b""[..]),
    };
    (!int.is_empty() || !frac.is_empty()) && all_digits(int) && all_digits(frac)
}

fn is_exponent(s: &[u8]) -> bool {
    let digits = match s.first() {
        Some(b'+') | Some(b'-') => &s[1..],
        _ => s,
    };
    !digits.is_empty() && all_digits(digits)
}

/// Checks scale and size of a binary decimal.
pub(crate) fn validate_binary(scale: u32, unscaled: &[u8]) -> Result<()> {
    if scale > MAX_DECIMAL_SCALE {
        return fail!(
            InvalidDecimal,
            "QuestDB ILP does not support decimal scale greater than {}, got {}",
            MAX_DECIMAL_SCALE,
            scale
        );
    }
    if unscaled.len() > MAX_DECIMAL_BYTES {
        return fail!(
            InvalidDecimal,
            "QuestDB ILP does not support decimal longer than {} bytes, got {}",
            MAX_DECIMAL_BYTES,
            unscaled.len()
        );
    }
    Ok(())
}

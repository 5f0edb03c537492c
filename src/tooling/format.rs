//! How `questdb-ilp-capture` prints decoded rows: one readable line, or one
//! JSON object, per row.
//!
//! Readable (`TABLE SYMBOLS | COLUMNS | TIMESTAMP`, an empty part is `-`):
//!
//! ```text
//! trades symbol=ETH-USD side=sell | price=2615.54 amount=0.00044 | ts=1700000000000000000ns
//! ```
//!
//! Values: `true`/`false`, integers `12i`, doubles `2615.54` (`NaN`,
//! `Infinity`, `-Infinity`), strings `"quoted"` with JSON escapes, timestamp
//! columns `123us` / `123ns`, decimals `123.45d`, arrays `[[1.0,2.0],[3.0,4.0]]`.
//! The designated timestamp is `ts=Nns` (sent with `n` or no suffix),
//! `ts=Nus` (sent with `t`) or `ts=now` (none: the server assigns it). Names
//! and symbol values escape `\`, space, `=`, control characters (`\n`, `\r`,
//! `\t`, `\xNN`) with a backslash.
//!
//! JSON (one object per line, keys in this order, columns in wire order):
//!
//! ```text
//! {"table":"trades","symbols":{"symbol":"ETH-USD"},"columns":{"price":2615.54},"timestamp":1700000000000000000,"timestamp_unit":"ns","transport":"http"}
//! ```
//!
//! Column values: booleans, integers and finite doubles as JSON values,
//! non-finite doubles as the strings `"NaN"`, `"Infinity"`, `"-Infinity"`,
//! strings as strings, timestamp columns as `{"us":N}` / `{"ns":N}`, decimals
//! as strings (`"123.45"`), arrays as nested lists. `timestamp` is the value
//! as sent (`null` when absent) and `timestamp_unit` is `"ns"`, `"us"` or
//! `null`.

use super::decoder::{Row, TimestampUnit, Value};
use std::fmt::Write;

/// Which transport a row came through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// `POST /write`.
    Http,
    /// ILP over TCP.
    Tcp,
}

impl Transport {
    /// `"http"` or `"tcp"`.
    pub fn name(self) -> &'static str {
        match self {
            Transport::Http => "http",
            Transport::Tcp => "tcp",
        }
    }
}

/// The readable one-line form of `row` (no newline).
pub fn readable(row: &Row) -> String {
    let mut out = escape(&row.table);
    for (name, value) in &row.symbols {
        let _ = write!(out, " {}={}", escape(name), escape(value));
    }
    out.push_str(" |");
    if row.columns.is_empty() {
        out.push_str(" -");
    }
    for (name, value) in &row.columns {
        let _ = write!(out, " {}={}", escape(name), readable_value(value));
    }
    match row.timestamp {
        None => out.push_str(" | ts=now"),
        Some(ts) => {
            let _ = write!(out, " | ts={}{}", ts.value, unit_name(ts.unit));
        }
    }
    out
}

/// The JSON form of `row` (one line, no newline).
pub fn json(row: &Row, transport: Transport) -> String {
    let mut out = String::from("{\"table\":");
    out.push_str(&json_str(&row.table));
    out.push_str(",\"symbols\":{");
    for (i, (name, value)) in row.symbols.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let _ = write!(out, "{}:{}", json_str(name), json_str(value));
    }
    out.push_str("},\"columns\":{");
    for (i, (name, value)) in row.columns.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let _ = write!(out, "{}:{}", json_str(name), json_value(value));
    }
    out.push_str("},\"timestamp\":");
    match row.timestamp {
        None => out.push_str("null,\"timestamp_unit\":null"),
        Some(ts) => {
            let _ = write!(
                out,
                "{},\"timestamp_unit\":\"{}\"",
                ts.value,
                unit_name(ts.unit)
            );
        }
    }
    let _ = write!(out, ",\"transport\":\"{}\"}}", transport.name());
    out
}

/// A decimal's text: `unscaled / 10^scale` written out, e.g. `-123.45`.
pub fn decimal_text(scale: u8, unscaled: &[u8]) -> String {
    let negative = unscaled.first().is_some_and(|b| b & 0x80 != 0);
    // Magnitude, big-endian.
    let mut mag: Vec<u8> = unscaled.to_vec();
    if negative {
        // Two's complement negation: invert, add one.
        for b in mag.iter_mut() {
            *b = !*b;
        }
        for b in mag.iter_mut().rev() {
            let (v, carry) = b.overflowing_add(1);
            *b = v;
            if !carry {
                break;
            }
        }
    }
    // Repeated division by 10.
    let mut digits = Vec::new();
    while mag.iter().any(|&b| b != 0) {
        let mut rem: u32 = 0;
        for b in mag.iter_mut() {
            let cur = (rem << 8) | u32::from(*b);
            *b = (cur / 10) as u8;
            rem = cur % 10;
        }
        digits.push(b'0' + rem as u8);
    }
    let scale = scale as usize;
    while digits.len() <= scale {
        digits.push(b'0');
    }
    digits.reverse();
    let (int, frac) = digits.split_at(digits.len() - scale);
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    out.push_str(std::str::from_utf8(int).unwrap_or("?"));
    if !frac.is_empty() {
        out.push('.');
        out.push_str(std::str::from_utf8(frac).unwrap_or("?"));
    }
    out
}

fn unit_name(unit: TimestampUnit) -> &'static str {
    match unit {
        TimestampUnit::Micros => "us",
        TimestampUnit::Nanos | TimestampUnit::Unsuffixed => "ns",
    }
}

fn readable_value(value: &Value) -> String {
    match value {
        Value::Bool(b) => b.to_string(),
        Value::I64(v) => format!("{v}i"),
        Value::F64(v) => f64_text(*v),
        Value::Str(s) => json_str(s),
        Value::TsMicros(v) => format!("{v}us"),
        Value::TsNanos(v) => format!("{v}ns"),
        Value::DecimalText(t) => format!("{t}d"),
        Value::DecimalBinary { scale, unscaled } => format!("{}d", decimal_text(*scale, unscaled)),
        Value::Array { shape, data } => {
            let mut out = String::new();
            nested(&mut out, shape, data, &|v| f64_text(v));
            out
        }
    }
}

fn json_value(value: &Value) -> String {
    match value {
        Value::Bool(b) => b.to_string(),
        Value::I64(v) => v.to_string(),
        Value::F64(v) => json_f64(*v),
        Value::Str(s) => json_str(s),
        Value::TsMicros(v) => format!("{{\"us\":{v}}}"),
        Value::TsNanos(v) => format!("{{\"ns\":{v}}}"),
        Value::DecimalText(t) => json_str(t),
        Value::DecimalBinary { scale, unscaled } => json_str(&decimal_text(*scale, unscaled)),
        Value::Array { shape, data } => {
            let mut out = String::new();
            nested(&mut out, shape, data, &json_f64);
            out
        }
    }
}

/// Writes row-major `data` of `shape` as nested lists.
fn nested(out: &mut String, shape: &[u32], data: &[f64], elem: &dyn Fn(f64) -> String) {
    let Some((&len, inner)) = shape.split_first() else {
        if let Some(v) = data.first() {
            out.push_str(&elem(*v));
        }
        return;
    };
    let stride: usize = inner.iter().map(|&d| d as usize).product();
    out.push('[');
    for i in 0..len as usize {
        if i > 0 {
            out.push(',');
        }
        let start = (i * stride).min(data.len());
        let end = (start + stride).min(data.len());
        nested(out, inner, &data[start..end], elem);
    }
    out.push(']');
}

fn f64_text(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 { "Infinity" } else { "-Infinity" }.into()
    } else {
        format!("{v:?}")
    }
}

fn json_f64(v: f64) -> String {
    if v.is_finite() {
        serde_json::Value::from(v).to_string()
    } else {
        json_str(&f64_text(v))
    }
}

fn json_str(s: &str) -> String {
    serde_json::Value::from(s).to_string()
}

/// Backslash-escapes `\`, space, `=` and control characters.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | ' ' | '=' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals() {
        assert_eq!(decimal_text(2, &[0x30, 0x39]), "123.45");
        assert_eq!(decimal_text(2, &[0xCF, 0xC7]), "-123.45");
        assert_eq!(decimal_text(3, &[0x05]), "0.005");
        assert_eq!(decimal_text(0, &[]), "0");
        assert_eq!(decimal_text(2, &[]), "0.00");
        assert_eq!(decimal_text(0, &[0x80]), "-128");
        assert_eq!(decimal_text(0, &[0xFF]), "-1");
    }

    #[test]
    fn arrays() {
        let v = Value::Array {
            shape: vec![2, 2],
            data: vec![1.0, 2.0, 3.0, 4.5],
        };
        assert_eq!(readable_value(&v), "[[1.0,2.0],[3.0,4.5]]");
        assert_eq!(json_value(&v), "[[1.0,2.0],[3.0,4.5]]");
        let empty = Value::Array {
            shape: vec![2, 0],
            data: vec![],
        };
        assert_eq!(json_value(&empty), "[[],[]]");
    }
}

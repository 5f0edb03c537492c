//! A decoder for ILP as QuestDB speaks it (PROTOCOL.md, sections 1.1–1.5).
//!
//! Written from the spec alone, sharing no code with the encoder in
//! `src/buffer`, so that it can check the encoder (the round-trip tests) and
//! show what an application really sends (`questdb-ilp-capture`). It is
//! strict: it accepts what the spec says a client writes and rejects anything
//! else (unknown escapes, raw special characters, `true`/`false`, ...).
//!
//! ```text
//! table[,sym=val[,sym=val...]] [col=val[,col=val...]][ timestamp]\n
//! ```
//!
//! Use [`decode`] to accept every protocol version, or [`decode_version`] to
//! also reject what the given version does not allow (binary doubles, arrays,
//! `n` columns and suffixed designated timestamps in v1; decimals before v3).
//! [`decode_partial`] decodes the complete rows at the start of a stream whose
//! end may not have arrived yet (ILP over TCP).

use std::fmt;

/// Type byte of a binary double (`==` 0x10 + 8 bytes LE).
pub const BINARY_F64: u8 = 16;
/// Type byte of a binary array (`=` 0x0E elem-type ndims shape data).
pub const BINARY_ARRAY: u8 = 14;
/// Element type byte of an f64 array.
pub const ARRAY_ELEM_F64: u8 = 10;
/// Type byte of a binary decimal (`=` 0x17 scale len bytes).
pub const BINARY_DECIMAL: u8 = 23;
/// Most dimensions an array may have.
pub const MAX_ARRAY_DIMS: usize = 32;
/// Longest an array dimension may be.
pub const MAX_ARRAY_DIM_LEN: u32 = 0x0FFF_FFFF;
/// Largest array payload, in bytes.
pub const MAX_ARRAY_BYTES: u64 = 512 * 1024 * 1024;
/// Largest decimal scale.
pub const MAX_DECIMAL_SCALE: u8 = 76;
/// Longest unscaled decimal value, in bytes.
pub const MAX_DECIMAL_BYTES: u8 = 32;

/// One decoded line.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The table name, unescaped.
    pub table: String,
    /// Symbols in wire order: (name, value).
    pub symbols: Vec<(String, String)>,
    /// Columns in wire order: (name, value).
    pub columns: Vec<(String, Value)>,
    /// The designated timestamp; `None` when the server assigns it (`at_now`).
    pub timestamp: Option<Timestamp>,
}

impl Row {
    /// The value of the first symbol called `name`.
    pub fn symbol(&self, name: &str) -> Option<&str> {
        self.symbols
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The value of the first column called `name`.
    pub fn column(&self, name: &str) -> Option<&Value> {
        self.columns.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }
}

/// A column value as found on the wire.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `t` / `f`.
    Bool(bool),
    /// `-12i`.
    I64(i64),
    /// Text (`1.5`, `NaN`, `-Infinity`) or binary (`==` 0x10 + 8 bytes).
    F64(f64),
    /// `"..."`, unescaped.
    Str(String),
    /// `123t`.
    TsMicros(i64),
    /// `123n` (protocol 2+).
    TsNanos(i64),
    /// `1.5d`: the text before the `d` (protocol 3).
    DecimalText(String),
    /// `=` 0x17 scale len bytes: two's-complement big-endian unscaled value (protocol 3).
    DecimalBinary {
        /// Number of fractional digits.
        scale: u8,
        /// Two's-complement big-endian unscaled value.
        unscaled: Vec<u8>,
    },
    /// `=` 0x0E 0x0A ndims shape data: row-major f64 elements (protocol 2+).
    Array {
        /// Length of each dimension, outermost first.
        shape: Vec<u32>,
        /// The elements, row-major.
        data: Vec<f64>,
    },
}

impl Value {
    /// Equality where doubles compare by bits (so NaN equals the same NaN).
    pub fn bit_eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::F64(a), Value::F64(b)) => a.to_bits() == b.to_bits(),
            (
                Value::Array {
                    shape: sa,
                    data: da,
                },
                Value::Array {
                    shape: sb,
                    data: db,
                },
            ) => {
                sa == sb
                    && da.len() == db.len()
                    && da.iter().zip(db).all(|(a, b)| a.to_bits() == b.to_bits())
            }
            (a, b) => a == b,
        }
    }
}

/// Unit of a designated timestamp, given by its suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimestampUnit {
    /// ` 123n`.
    Nanos,
    /// ` 123t`.
    Micros,
    /// ` 123`: nanoseconds by ILP convention (always so in protocol 1).
    Unsuffixed,
}

/// A designated timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timestamp {
    /// The digits as sent.
    pub value: i64,
    /// The unit given by the suffix.
    pub unit: TimestampUnit,
}

impl Timestamp {
    /// The timestamp in nanoseconds (unsuffixed counts as nanoseconds);
    /// `None` on overflow.
    pub fn as_nanos(&self) -> Option<i64> {
        match self.unit {
            TimestampUnit::Nanos | TimestampUnit::Unsuffixed => Some(self.value),
            TimestampUnit::Micros => self.value.checked_mul(1000),
        }
    }
}

/// Why the bytes are not valid ILP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// Byte offset in the input where the problem was found.
    pub offset: usize,
    /// Index of the row being decoded.
    pub row: usize,
    /// What is wrong.
    pub msg: String,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "row {}, byte {}: {}", self.row, self.offset, self.msg)
    }
}

impl std::error::Error for DecodeError {}

/// Decodes every row, accepting everything any protocol version may contain.
pub fn decode(bytes: &[u8]) -> Result<Vec<Row>, DecodeError> {
    Decoder::new(bytes, None).rows()
}

/// Decodes every row, rejecting what protocol `version` (1, 2 or 3) does not allow.
pub fn decode_version(bytes: &[u8], version: u8) -> Result<Vec<Row>, DecodeError> {
    assert!(
        (1..=3).contains(&version),
        "unknown protocol version {version}"
    );
    Decoder::new(bytes, Some(version)).rows()
}

/// What [`decode_partial`] found at the start of a stream.
#[derive(Debug, Clone, PartialEq)]
pub struct Partial {
    /// The complete rows, in order.
    pub rows: Vec<Row>,
    /// Bytes taken by `rows`; what follows is an incomplete row (wait for
    /// more bytes) or, when `error` is set, invalid.
    pub consumed: usize,
    /// Set when the bytes after `consumed` can never become a valid row.
    pub error: Option<DecodeError>,
}

/// Decodes the complete rows at the start of `bytes`, accepting every
/// protocol version. A row cut short by the end of `bytes` is not an error:
/// it is left for a later call with more bytes. Binary values may contain
/// `\n` bytes, so rows cannot be split at newlines beforehand.
pub fn decode_partial(bytes: &[u8]) -> Partial {
    let mut rows = Vec::new();
    let mut consumed = 0;
    let mut row = 0;
    while consumed < bytes.len() {
        let mut d = Decoder::new(&bytes[consumed..], None);
        d.row = row;
        match d.row() {
            Ok(r) => {
                rows.push(r);
                consumed += d.pos;
                row += 1;
            }
            Err(_) if d.hit_end => break,
            Err(mut e) => {
                e.offset += consumed;
                return Partial {
                    rows,
                    consumed,
                    error: Some(e),
                };
            }
        }
    }
    Partial {
        rows,
        consumed,
        error: None,
    }
}

/// Bytes that may be escaped with a backslash outside quotes (section 1.1).
const UNQUOTED_SPECIAL: &[u8] = b" ,=\n\r\\";
/// Bytes that may be escaped with a backslash inside quotes.
const QUOTED_SPECIAL: &[u8] = b"\"\n\r\\";

struct Decoder<'a> {
    bytes: &'a [u8],
    pos: usize,
    row: usize,
    version: Option<u8>,
    /// Set when decoding failed for lack of bytes.
    hit_end: bool,
}

type Res<T> = Result<T, DecodeError>;

impl<'a> Decoder<'a> {
    fn new(bytes: &'a [u8], version: Option<u8>) -> Self {
        Decoder {
            bytes,
            pos: 0,
            row: 0,
            version,
            hit_end: false,
        }
    }

    fn err<T>(&self, msg: impl Into<String>) -> Res<T> {
        self.err_at(self.pos, msg)
    }

    /// An error caused by the end of the input: more bytes may fix it.
    fn end_err<T>(&mut self, msg: impl Into<String>) -> Res<T> {
        self.hit_end = true;
        self.err(msg)
    }

    fn err_at<T>(&self, offset: usize, msg: impl Into<String>) -> Res<T> {
        Err(DecodeError {
            offset,
            row: self.row,
            msg: msg.into(),
        })
    }

    /// Fails if the version being checked is below `min`.
    fn require(&self, offset: usize, min: u8, what: &str) -> Res<()> {
        match self.version {
            Some(v) if v < min => {
                self.err_at(offset, format!("{what} needs protocol {min}, decoding {v}"))
            }
            _ => Ok(()),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn next(&mut self, what: &str) -> Res<u8> {
        match self.peek() {
            Some(b) => {
                self.pos += 1;
                Ok(b)
            }
            None => self.end_err(format!("unexpected end of input in {what}")),
        }
    }

    fn take(&mut self, n: usize, what: &str) -> Res<&'a [u8]> {
        let rest = self.bytes.len() - self.pos;
        if n > rest {
            return self.end_err(format!("{what}: need {n} bytes, only {rest} left"));
        }
        let out = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }

    fn expect(&mut self, want: u8, what: &str) -> Res<()> {
        let at = self.pos;
        let got = self.next(what)?;
        if got != want {
            return self.err_at(
                at,
                format!(
                    "{what}: expected {:?}, found {:?}",
                    want as char,
                    escape_byte(got)
                ),
            );
        }
        Ok(())
    }

    fn rows(mut self) -> Res<Vec<Row>> {
        let mut rows = Vec::new();
        while self.pos < self.bytes.len() {
            rows.push(self.row()?);
            self.row += 1;
        }
        Ok(rows)
    }

    fn row(&mut self) -> Res<Row> {
        let table = self.unquoted(b", ", "table name", false)?;
        let mut row = Row {
            table,
            symbols: Vec::new(),
            columns: Vec::new(),
            timestamp: None,
        };
        while self.peek() == Some(b',') {
            self.pos += 1;
            let name = self.unquoted(b"=", "symbol name", false)?;
            self.expect(b'=', "symbol")?;
            let value = self.unquoted(b", \n", "symbol value", true)?;
            row.symbols.push((name, value));
        }
        let at = self.pos;
        match self.next("row")? {
            b'\n' if row.symbols.is_empty() => {
                self.err_at(at, "row has neither a symbol nor a column")
            }
            b'\n' => Ok(row),
            b' ' if !row.symbols.is_empty() && self.at_timestamp() => {
                row.timestamp = Some(self.timestamp()?);
                Ok(row)
            }
            b' ' => {
                self.columns(&mut row)?;
                Ok(row)
            }
            other => self.err_at(
                at,
                format!("expected ',', ' ' or '\\n', found {:?}", escape_byte(other)),
            ),
        }
    }

    /// Columns, then the optional timestamp and the `\n`.
    fn columns(&mut self, row: &mut Row) -> Res<()> {
        loop {
            let name = self.unquoted(b"=", "column name", false)?;
            self.expect(b'=', "column")?;
            let value = self.value()?;
            row.columns.push((name, value));
            let at = self.pos;
            match self.next("row")? {
                b',' => continue,
                b'\n' => return Ok(()),
                b' ' => {
                    row.timestamp = Some(self.timestamp()?);
                    return Ok(());
                }
                other => {
                    return self.err_at(
                        at,
                        format!(
                            "after a column value: expected ',', ' ' or '\\n', found {:?}",
                            escape_byte(other)
                        ),
                    )
                }
            }
        }
    }

    /// True when what follows is `digits[n|t]\n`, i.e. a designated timestamp
    /// rather than a column (whose name would be followed by `=`).
    fn at_timestamp(&self) -> bool {
        let rest = &self.bytes[self.pos..];
        let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        digits > 0 && matches!(&rest[digits..], [b'\n', ..] | [b'n' | b't', b'\n', ..])
    }

    /// ` ` already consumed: `digits[n|t]` then `\n`.
    fn timestamp(&mut self) -> Res<Timestamp> {
        let start = self.pos;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
        let digits = &self.bytes[start..self.pos];
        if digits.is_empty() {
            if self.peek().is_none() {
                return self.end_err("designated timestamp: expected digits");
            }
            return self.err("designated timestamp: expected digits");
        }
        let value = match parse_i64(digits) {
            Some(v) => v,
            None => return self.err_at(start, "designated timestamp out of range"),
        };
        let unit = match self.peek() {
            Some(b'n') => TimestampUnit::Nanos,
            Some(b't') => TimestampUnit::Micros,
            _ => TimestampUnit::Unsuffixed,
        };
        if unit != TimestampUnit::Unsuffixed {
            self.require(self.pos, 2, "a designated timestamp unit suffix")?;
            self.pos += 1;
        }
        self.expect(b'\n', "end of row after the designated timestamp")?;
        Ok(Timestamp { value, unit })
    }

    /// An unquoted, backslash-escaped token, up to (not including) the first
    /// unescaped byte of `stops`. Raw special bytes that are not stops are
    /// errors: the encoder always escapes them.
    fn unquoted(&mut self, stops: &[u8], what: &str, allow_empty: bool) -> Res<String> {
        let start = self.pos;
        let mut out = Vec::new();
        loop {
            let at = self.pos;
            let Some(b) = self.peek() else {
                return self.end_err(format!("unexpected end of input in {what}"));
            };
            if stops.contains(&b) {
                break;
            }
            self.pos += 1;
            if b == b'\\' {
                let esc = self.next(what)?;
                if !UNQUOTED_SPECIAL.contains(&esc) {
                    return self.err_at(
                        at,
                        format!("{what}: invalid escape '\\' + {:?}", escape_byte(esc)),
                    );
                }
                out.push(esc);
            } else if UNQUOTED_SPECIAL.contains(&b) {
                return self.err_at(at, format!("{what}: unescaped {:?}", escape_byte(b)));
            } else {
                out.push(b);
            }
        }
        if out.is_empty() && !allow_empty {
            return self.err_at(start, format!("empty {what}"));
        }
        self.utf8(out, start, what)
    }

    fn utf8(&self, bytes: Vec<u8>, start: usize, what: &str) -> Res<String> {
        String::from_utf8(bytes)
            .or_else(|e| self.err_at(start, format!("{what} is not valid UTF-8: {e}")))
    }

    /// A column value, after `name=`.
    fn value(&mut self) -> Res<Value> {
        match self.peek() {
            Some(b'=') => self.binary(),
            Some(b'"') => self.quoted(),
            Some(_) => self.text_value(),
            None => self.end_err("unexpected end of input in column value"),
        }
    }

    fn quoted(&mut self) -> Res<Value> {
        self.expect(b'"', "string")?;
        let start = self.pos;
        let mut out = Vec::new();
        loop {
            let at = self.pos;
            match self.next("string")? {
                b'"' => break,
                b'\\' => {
                    let esc = self.next("string")?;
                    if !QUOTED_SPECIAL.contains(&esc) {
                        return self.err_at(
                            at,
                            format!("string: invalid escape '\\' + {:?}", escape_byte(esc)),
                        );
                    }
                    out.push(esc);
                }
                b @ (b'\n' | b'\r') => {
                    return self.err_at(at, format!("string: unescaped {:?}", escape_byte(b)))
                }
                b => out.push(b),
            }
        }
        Ok(Value::Str(self.utf8(out, start, "string")?))
    }

    /// An unquoted non-symbol value: bool, integer, timestamp, decimal text or
    /// float text. Ends before `,`, ` ` or `\n`.
    fn text_value(&mut self) -> Res<Value> {
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|b| !matches!(b, b',' | b' ' | b'\n'))
        {
            self.pos += 1;
        }
        if self.peek().is_none() {
            return self.end_err("unexpected end of input in column value");
        }
        let token = &self.bytes[start..self.pos];
        let shown = String::from_utf8_lossy(token).into_owned();
        let bad = |me: &Self, kind: &str| me.err_at(start, format!("invalid {kind} {shown:?}"));
        let (body, last) = match token {
            [body @ .., last] => (body, *last),
            [] => return bad(self, "empty value"),
        };
        match (body, last) {
            ([], b't') => Ok(Value::Bool(true)),
            ([], b'f') => Ok(Value::Bool(false)),
            (_, b'i') => parse_i64(body)
                .map(Value::I64)
                .map_or_else(|| bad(self, "integer"), Ok),
            (_, b't') => parse_i64(body)
                .map(Value::TsMicros)
                .map_or_else(|| bad(self, "micros timestamp"), Ok),
            (_, b'n') => {
                self.require(start, 2, "a nanos timestamp column")?;
                parse_i64(body)
                    .map(Value::TsNanos)
                    .map_or_else(|| bad(self, "nanos timestamp"), Ok)
            }
            (_, b'd') => {
                self.require(start, 3, "a decimal")?;
                if body.is_empty() || !body.iter().all(|b| is_decimal_text_byte(*b)) {
                    return bad(self, "decimal");
                }
                // Only ASCII bytes passed the check above.
                Ok(Value::DecimalText(
                    String::from_utf8_lossy(body).into_owned(),
                ))
            }
            _ => parse_f64(token)
                .map(Value::F64)
                .map_or_else(|| bad(self, "value"), Ok),
        }
    }

    /// A binary value: `=` then a type byte.
    fn binary(&mut self) -> Res<Value> {
        let start = self.pos;
        self.expect(b'=', "binary value")?;
        match self.next("binary value type")? {
            BINARY_F64 => {
                self.require(start, 2, "a binary double")?;
                let raw = self.take(8, "binary double")?;
                Ok(Value::F64(f64::from_le_bytes(raw.try_into().unwrap())))
            }
            BINARY_ARRAY => {
                self.require(start, 2, "an array")?;
                self.array()
            }
            BINARY_DECIMAL => {
                self.require(start, 3, "a binary decimal")?;
                let scale = self.next("decimal scale")?;
                if scale > MAX_DECIMAL_SCALE {
                    return self.err_at(self.pos - 1, format!("decimal scale {scale} > 76"));
                }
                let len = self.next("decimal length")?;
                if len > MAX_DECIMAL_BYTES {
                    return self.err_at(self.pos - 1, format!("decimal length {len} > 32"));
                }
                let unscaled = self.take(len as usize, "decimal value")?.to_vec();
                Ok(Value::DecimalBinary { scale, unscaled })
            }
            other => self.err_at(self.pos - 1, format!("unknown binary type {other}")),
        }
    }

    /// After `=` 0x0E: element type, ndims, shape, data.
    fn array(&mut self) -> Res<Value> {
        let elem = self.next("array element type")?;
        if elem != ARRAY_ELEM_F64 {
            return self.err_at(self.pos - 1, format!("unknown array element type {elem}"));
        }
        let ndims = self.next("array rank")? as usize;
        if ndims == 0 || ndims > MAX_ARRAY_DIMS {
            return self.err_at(self.pos - 1, format!("array rank {ndims} not in 1..=32"));
        }
        let mut shape = Vec::with_capacity(ndims);
        let mut count: u64 = 1;
        for _ in 0..ndims {
            let len = u32::from_le_bytes(self.take(4, "array shape")?.try_into().unwrap());
            if len > MAX_ARRAY_DIM_LEN {
                return self.err_at(self.pos - 4, format!("array dimension {len} too long"));
            }
            shape.push(len);
            count = count.saturating_mul(len as u64);
        }
        let size = count.saturating_mul(8);
        if size > MAX_ARRAY_BYTES {
            return self.err(format!("array of {count} elements exceeds 512 MiB"));
        }
        let raw = self.take(size as usize, "array data")?;
        let data = raw
            .chunks_exact(8)
            .map(|c| f64::from_le_bytes(c.try_into().unwrap()))
            .collect();
        Ok(Value::Array { shape, data })
    }
}

/// `-?[0-9]+` as an i64 (no `+`, no spaces).
fn parse_i64(text: &[u8]) -> Option<i64> {
    let digits = text.strip_prefix(b"-").unwrap_or(text);
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(text).ok()?.parse().ok()
}

/// Float text of protocol 1: `NaN`, `Infinity`, `-Infinity`, or a decimal
/// number with optional fraction and exponent.
fn parse_f64(text: &[u8]) -> Option<f64> {
    match text {
        b"NaN" => return Some(f64::NAN),
        b"Infinity" => return Some(f64::INFINITY),
        b"-Infinity" => return Some(f64::NEG_INFINITY),
        _ => {}
    }
    let ok_chars = text
        .iter()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'));
    if !ok_chars || !text.iter().any(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(text).ok()?.parse().ok()
}

/// Characters of decimal text (section 1.5).
fn is_decimal_text_byte(b: u8) -> bool {
    b.is_ascii_digit() || b"+-.eENaIinfty".contains(&b)
}

fn escape_byte(b: u8) -> String {
    if b.is_ascii_graphic() || b == b' ' {
        (b as char).to_string()
    } else {
        format!("\\x{b:02x}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_waits_for_cut_rows_and_reports_errors() {
        let mut bytes = b"t,s=v x==\x10".to_vec();
        bytes.extend_from_slice(&3.25f64.to_le_bytes()); // contains 0x0A
        bytes.extend_from_slice(b" 5n\nu a==\x0e\x0a\x01\x0a\x00\x00\x00");
        bytes.extend((0..10).flat_map(|i| f64::from(i).to_le_bytes()));
        bytes.extend_from_slice(b",d==\x17\x02\x02\x30\x39 7t\nm,h=a\n");
        bytes.extend_from_slice(b"n\\ x,k=a\\,b s=\"x\\\"y\",i=-3i,f=1.5e-7,b=t 123\n");
        let all = decode(&bytes).unwrap();
        assert_eq!(all.len(), 4);
        for cut in 0..=bytes.len() {
            let first = decode_partial(&bytes[..cut]);
            assert_eq!(first.error, None, "cut at {cut}");
            let rest = decode_partial(&bytes[first.consumed..]);
            assert_eq!(rest.error, None);
            assert_eq!(rest.consumed, bytes.len() - first.consumed);
            let mut rows = first.rows;
            rows.extend(rest.rows);
            assert_eq!(rows, all, "cut at {cut}");
        }
        let bad = decode_partial(b"ok x=1i\nbad line\nmore");
        assert_eq!(bad.rows.len(), 1);
        assert_eq!(bad.consumed, 8);
        let err = bad.error.unwrap();
        assert_eq!((err.row, err.offset), (1, 16));
    }
}

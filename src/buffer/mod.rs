//! The row buffer: the state machine of PROTOCOL.md section 2 and the
//! encoders of section 1 (text v1, binary doubles and arrays v2, decimals v3).

mod array;
mod decimal;
mod escape;

pub use array::{ArrayView, MAX_ARRAY_BUFFER_SIZE, MAX_ARRAY_DIMS, MAX_ARRAY_DIM_LEN};
pub use decimal::{DECIMAL_BINARY_FORMAT_TYPE, MAX_DECIMAL_BYTES, MAX_DECIMAL_SCALE};

use crate::error::{fail, Result};
use crate::names::{ColumnName, TableName};
use escape::{append, write_quoted, write_unquoted};

/// Default longest name, in bytes.
pub const DEFAULT_MAX_NAME_LEN: usize = 127;

const F64_BINARY_TYPE: u8 = 16;

/// The ILP dialect a buffer is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ProtocolVersion {
    /// Text only; compatible with InfluxDB line protocol.
    V1 = 1,
    /// Binary doubles, arrays, unit suffixes on timestamps (QuestDB 9.0+).
    V2 = 2,
    /// V2 plus decimals (QuestDB 9.2+).
    V3 = 3,
}

impl std::fmt::Display for ProtocolVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "v{}", *self as u8)
    }
}

/// Where the buffer is in the current row; each state allows a fixed set of calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RowState {
    Init,
    TableWritten,
    SymbolWritten,
    ColumnWritten,
    RowDone,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Table,
    Symbol,
    Column,
    At,
    Flush,
}

impl Op {
    fn name(self) -> &'static str {
        match self {
            Op::Table => "table",
            Op::Symbol => "symbol",
            Op::Column => "column",
            Op::At => "at",
            Op::Flush => "flush",
        }
    }
}

impl RowState {
    fn allows(self, op: Op) -> bool {
        use RowState::*;
        matches!(
            (self, op),
            (Init, Op::Table)
                | (TableWritten, Op::Symbol | Op::Column)
                | (SymbolWritten, Op::Symbol | Op::Column | Op::At)
                | (ColumnWritten, Op::Column | Op::At)
                | (RowDone, Op::Table | Op::Flush)
        )
    }

    fn hint(self) -> &'static str {
        match self {
            RowState::Init => "should have called `table` instead",
            RowState::TableWritten => "should have called `symbol` or `column` instead",
            RowState::SymbolWritten => "should have called `symbol`, `column` or `at` instead",
            RowState::ColumnWritten => "should have called `column` or `at` instead",
            RowState::RowDone => "should have called `flush` or `table` instead",
        }
    }
}

/// Everything a marker must restore besides the byte length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Progress {
    state: RowState,
    row_count: usize,
    /// Escaped length of the first row's table name: it always starts at byte 0.
    first_table_len: Option<usize>,
    transactional: bool,
}

impl Progress {
    const EMPTY: Progress = Progress {
        state: RowState::Init,
        row_count: 0,
        first_table_len: None,
        transactional: true,
    };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Marker {
    len: usize,
    progress: Progress,
}

/// A batch of ILP rows for one protocol version.
///
/// Every method validates before it writes: a call that fails leaves the bytes
/// and the state exactly as they were.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Buffer {
    bytes: Vec<u8>,
    version: ProtocolVersion,
    max_name_len: usize,
    progress: Progress,
    marker: Option<Marker>,
}

impl Buffer {
    /// An empty buffer with the default max name length (127 bytes).
    pub fn new(version: ProtocolVersion) -> Self {
        Self::with_max_name_len(version, DEFAULT_MAX_NAME_LEN)
    }

    /// An empty buffer that rejects names longer than `max_name_len` bytes.
    pub fn with_max_name_len(version: ProtocolVersion, max_name_len: usize) -> Self {
        Buffer {
            bytes: Vec::new(),
            version,
            max_name_len,
            progress: Progress::EMPTY,
            marker: None,
        }
    }

    /// The protocol version the buffer writes.
    pub fn protocol_version(&self) -> ProtocolVersion {
        self.version
    }

    /// The longest name, in bytes, the buffer accepts.
    pub fn max_name_len(&self) -> usize {
        self.max_name_len
    }

    /// Reserves room for at least `additional` more bytes.
    pub fn reserve(&mut self, additional: usize) {
        self.bytes.reserve(additional);
    }

    /// Bytes the buffer can hold without reallocating.
    pub fn capacity(&self) -> usize {
        self.bytes.capacity()
    }

    /// Bytes written so far.
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// True when nothing has been written.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// Number of completed rows.
    pub fn row_count(&self) -> usize {
        self.progress.row_count
    }

    /// True while every row so far targets the same table (an empty buffer is transactional).
    pub fn transactional(&self) -> bool {
        self.progress.transactional
    }

    /// The bytes written so far.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Empties the buffer (keeping its capacity), its state and its marker.
    pub fn clear(&mut self) {
        self.bytes.clear();
        self.progress = Progress::EMPTY;
        self.marker = None;
    }

    /// Remembers the current length and state, so a later row can be undone.
    /// Allowed only between rows.
    pub fn set_marker(&mut self) -> Result<()> {
        if !self.progress.state.allows(Op::Table) {
            return fail!(
                InvalidApiCall,
                "Can't set the marker whilst constructing a line. A marker may only be set on an empty buffer or after `at` or `at_now` is called."
            );
        }
        self.marker = Some(Marker {
            len: self.bytes.len(),
            progress: self.progress,
        });
        Ok(())
    }

    /// Goes back to the marker's length and state, and removes the marker.
    pub fn rewind_to_marker(&mut self) -> Result<()> {
        let Some(marker) = self.marker.take() else {
            return fail!(InvalidApiCall, "Can't rewind to the marker: No marker set.");
        };
        self.bytes.truncate(marker.len);
        self.progress = marker.progress;
        Ok(())
    }

    /// Discards the marker, if any.
    pub fn clear_marker(&mut self) {
        self.marker = None;
    }

    /// Ok when the buffer holds only complete rows (or nothing at all).
    pub fn check_can_flush(&self) -> Result<()> {
        if self.bytes.is_empty() {
            return Ok(());
        }
        self.check_op(Op::Flush)
    }

    #[inline]
    fn check_op(&self, op: Op) -> Result<()> {
        let state = self.progress.state;
        if state.allows(op) {
            return Ok(());
        }
        state_error(state, op)
    }

    #[inline]
    fn check_name_len(&self, name: &str) -> Result<()> {
        if name.len() > self.max_name_len {
            return name_too_long(name, self.max_name_len);
        }
        Ok(())
    }

    fn check_version(&self, min: ProtocolVersion, what: &str) -> Result<()> {
        if self.version < min {
            return fail!(
                ProtocolVersionError,
                "Protocol version {} does not support the {} datatype (needs {} or later)",
                self.version,
                what,
                min
            );
        }
        Ok(())
    }

    /// Starts a row for `name`.
    pub fn table(&mut self, name: TableName<'_>) -> Result<&mut Self> {
        self.check_name_len(name.as_str())?;
        self.check_op(Op::Table)?;
        let start = self.bytes.len();
        write_unquoted(&mut self.bytes, name.as_str());
        let progress = &mut self.progress;
        match progress.first_table_len {
            None => progress.first_table_len = Some(self.bytes.len()),
            Some(first_len) => {
                if progress.transactional
                    && !escape::same_bytes(&self.bytes[start..], &self.bytes[..first_len])
                {
                    progress.transactional = false;
                }
            }
        }
        progress.state = RowState::TableWritten;
        Ok(self)
    }

    /// Adds a symbol (`,name=value`); symbols come before any column.
    pub fn symbol(&mut self, name: ColumnName<'_>, value: &str) -> Result<&mut Self> {
        self.check_name_len(name.as_str())?;
        self.check_op(Op::Symbol)?;
        self.bytes.push(b',');
        write_unquoted(&mut self.bytes, name.as_str());
        self.bytes.push(b'=');
        write_unquoted(&mut self.bytes, value);
        self.progress.state = RowState::SymbolWritten;
        Ok(self)
    }

    /// Checks a column may be written now; the caller then writes its value
    /// after `write_column_key`.
    #[inline]
    fn check_column(&self, name: ColumnName<'_>) -> Result<()> {
        self.check_name_len(name.as_str())?;
        self.check_op(Op::Column)
    }

    #[inline]
    fn write_column_key(&mut self, name: ColumnName<'_>) {
        let separator = if self.progress.state == RowState::ColumnWritten {
            b','
        } else {
            b' '
        };
        self.bytes.push(separator);
        write_unquoted(&mut self.bytes, name.as_str());
        self.bytes.push(b'=');
        self.progress.state = RowState::ColumnWritten;
    }

    /// Adds a boolean column (`t` / `f`).
    pub fn column_bool(&mut self, name: ColumnName<'_>, value: bool) -> Result<&mut Self> {
        self.check_column(name)?;
        self.write_column_key(name);
        self.bytes.push(if value { b't' } else { b'f' });
        Ok(self)
    }

    /// Adds an integer column (`-12i`).
    pub fn column_i64(&mut self, name: ColumnName<'_>, value: i64) -> Result<&mut Self> {
        self.check_column(name)?;
        self.write_column_key(name);
        self.write_int(value);
        self.bytes.push(b'i');
        Ok(self)
    }

    /// Adds a double column: shortest round-trip text in v1, 8 binary bytes from v2.
    pub fn column_f64(&mut self, name: ColumnName<'_>, value: f64) -> Result<&mut Self> {
        self.check_column(name)?;
        self.write_column_key(name);
        if self.version == ProtocolVersion::V1 {
            write_f64_text(&mut self.bytes, value);
        } else {
            self.bytes.extend_from_slice(&[b'=', F64_BINARY_TYPE]);
            self.bytes.extend_from_slice(&value.to_le_bytes());
        }
        Ok(self)
    }

    /// Adds a string column (quoted and escaped).
    pub fn column_str(&mut self, name: ColumnName<'_>, value: &str) -> Result<&mut Self> {
        self.check_column(name)?;
        self.write_column_key(name);
        write_quoted(&mut self.bytes, value);
        Ok(self)
    }

    /// Adds a timestamp column given in nanoseconds (written in micros in v1).
    pub fn column_ts_nanos(&mut self, name: ColumnName<'_>, nanos: i64) -> Result<&mut Self> {
        self.check_column(name)?;
        self.write_column_key(name);
        if self.version == ProtocolVersion::V1 {
            self.write_int(nanos / 1000);
            self.bytes.push(b't');
        } else {
            self.write_int(nanos);
            self.bytes.push(b'n');
        }
        Ok(self)
    }

    /// Adds a timestamp column given in microseconds.
    pub fn column_ts_micros(&mut self, name: ColumnName<'_>, micros: i64) -> Result<&mut Self> {
        self.check_column(name)?;
        self.write_column_key(name);
        self.write_int(micros);
        self.bytes.push(b't');
        Ok(self)
    }

    /// Adds a decimal column from its text form (`123.45d`); protocol 3 only.
    pub fn column_dec_str(&mut self, name: ColumnName<'_>, value: &str) -> Result<&mut Self> {
        self.check_version(ProtocolVersion::V3, "decimal")?;
        decimal::validate_text(value)?;
        self.check_column(name)?;
        self.write_column_key(name);
        self.bytes.extend_from_slice(value.as_bytes());
        self.bytes.push(b'd');
        Ok(self)
    }

    /// Adds a binary decimal: `unscaled` is the two's-complement big-endian
    /// unscaled value (at most 32 bytes), `scale` the number of fractional
    /// digits (at most 76); protocol 3 only.
    pub fn column_dec(
        &mut self,
        name: ColumnName<'_>,
        scale: u32,
        unscaled: &[u8],
    ) -> Result<&mut Self> {
        self.check_version(ProtocolVersion::V3, "decimal")?;
        decimal::validate_binary(scale, unscaled)?;
        self.check_column(name)?;
        self.write_column_key(name);
        self.bytes.extend_from_slice(&[
            b'=',
            DECIMAL_BINARY_FORMAT_TYPE,
            scale as u8,
            unscaled.len() as u8,
        ]);
        self.bytes.extend_from_slice(unscaled);
        Ok(self)
    }

    /// Adds an n-dimensional f64 array column; protocol 2 or later.
    pub fn column_f64_arr(
        &mut self,
        name: ColumnName<'_>,
        view: ArrayView<'_>,
    ) -> Result<&mut Self> {
        self.check_version(ProtocolVersion::V2, "array")?;
        let checked = array::check(view)?;
        self.check_column(name)?;
        self.bytes
            .reserve(name.as_str().len() + 2 + checked.encoded_len());
        self.write_column_key(name);
        array::write(&mut self.bytes, &checked);
        Ok(self)
    }

    /// Ends the row with a designated timestamp in nanoseconds (must be >= 0).
    pub fn at_nanos(&mut self, nanos: i64) -> Result<()> {
        check_designated(nanos)?;
        self.check_op(Op::At)?;
        self.bytes.push(b' ');
        self.write_int(nanos);
        if self.version != ProtocolVersion::V1 {
            self.bytes.push(b'n');
        }
        self.end_row();
        Ok(())
    }

    /// Ends the row with a designated timestamp in microseconds (must be >= 0;
    /// converted to nanoseconds in v1).
    pub fn at_micros(&mut self, micros: i64) -> Result<()> {
        if self.version == ProtocolVersion::V1 {
            let Some(nanos) = micros.checked_mul(1000) else {
                return fail!(
                    InvalidTimestamp,
                    "Timestamp {} micros is out of range: it overflows when converted to nanoseconds.",
                    micros
                );
            };
            return self.at_nanos(nanos);
        }
        check_designated(micros)?;
        self.check_op(Op::At)?;
        self.bytes.push(b' ');
        self.write_int(micros);
        self.bytes.push(b't');
        self.end_row();
        Ok(())
    }

    /// Ends the row without a timestamp: the server assigns the time.
    pub fn at_now(&mut self) -> Result<()> {
        self.check_op(Op::At)?;
        self.end_row();
        Ok(())
    }

    #[inline]
    fn end_row(&mut self) {
        self.bytes.push(b'\n');
        self.progress.state = RowState::RowDone;
        self.progress.row_count += 1;
    }

    #[inline]
    fn write_int(&mut self, value: i64) {
        let mut digits = itoa::Buffer::new();
        append(&mut self.bytes, digits.format(value).as_bytes());
    }
}

// The error paths are kept out of line so the checks inline into every call.
#[cold]
#[inline(never)]
fn state_error(state: RowState, op: Op) -> Result<()> {
    fail!(
        InvalidApiCall,
        "State error: Bad call to `{}`, {}.",
        op.name(),
        state.hint()
    )
}

#[cold]
#[inline(never)]
fn name_too_long(name: &str, max_name_len: usize) -> Result<()> {
    fail!(
        InvalidName,
        "Bad name: {:?}: Too long (max {} bytes, got {} bytes)",
        name,
        max_name_len,
        name.len()
    )
}

#[inline]
fn check_designated(ts: i64) -> Result<()> {
    if ts < 0 {
        return negative_timestamp(ts);
    }
    Ok(())
}

#[cold]
#[inline(never)]
fn negative_timestamp(ts: i64) -> Result<()> {
    fail!(
        InvalidTimestamp,
        "Timestamp {} is negative. It must be >= 0.",
        ts
    )
}

/// Writes the protocol-1 text of a double.
fn write_f64_text(out: &mut Vec<u8>, value: f64) {
    if value.is_nan() {
        out.extend_from_slice(b"NaN");
    } else if value.is_infinite() {
        out.extend_from_slice(if value > 0.0 {
            b"Infinity"
        } else {
            b"-Infinity"
        });
    } else {
        let mut text = ryu::Buffer::new();
        append(out, text.format_finite(value).as_bytes());
    }
}

#[cfg(test)]
mod tests;

use super::{
    bytes, call_bool, call_infallible, line_sender_column_name, line_sender_error,
    line_sender_table_name, line_sender_utf8, null_error, size_t,
};
use crate::buffer::{ArrayView, Buffer, ProtocolVersion, DEFAULT_MAX_NAME_LEN, MAX_ARRAY_DIMS};
use crate::error::{fail, ErrorCode, Result};
use std::ffi::{c_char, c_uint};

/// A batch of rows being built. Not thread-safe: use from one thread at a time.
pub struct line_sender_buffer(pub(crate) Buffer);

/// The ILP dialect of a buffer or sender.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum line_sender_protocol_version {
    /// Text only; compatible with InfluxDB line protocol.
    line_sender_protocol_version_1 = 1,
    /// Binary doubles, arrays, unit suffixes on timestamps (QuestDB 9.0+).
    line_sender_protocol_version_2 = 2,
    /// Adds decimals (QuestDB 9.2+).
    line_sender_protocol_version_3 = 3,
}

impl From<line_sender_protocol_version> for ProtocolVersion {
    fn from(version: line_sender_protocol_version) -> Self {
        match version {
            line_sender_protocol_version::line_sender_protocol_version_1 => ProtocolVersion::V1,
            line_sender_protocol_version::line_sender_protocol_version_2 => ProtocolVersion::V2,
            line_sender_protocol_version::line_sender_protocol_version_3 => ProtocolVersion::V3,
        }
    }
}

impl From<ProtocolVersion> for line_sender_protocol_version {
    fn from(version: ProtocolVersion) -> Self {
        match version {
            ProtocolVersion::V1 => line_sender_protocol_version::line_sender_protocol_version_1,
            ProtocolVersion::V2 => line_sender_protocol_version::line_sender_protocol_version_2,
            ProtocolVersion::V3 => line_sender_protocol_version::line_sender_protocol_version_3,
        }
    }
}

/// A read-only view of a buffer's bytes (may hold binary data in v2/v3).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct line_sender_buffer_view {
    /// Number of bytes.
    pub len: size_t,
    /// The bytes; valid until the buffer is next changed or freed.
    pub buf: *const u8,
}

unsafe fn buffer_ref<'a>(buffer: *const line_sender_buffer) -> Result<&'a Buffer> {
    buffer
        .as_ref()
        .map(|b| &b.0)
        .ok_or_else(|| null_error("buffer"))
}

unsafe fn buffer_mut<'a>(buffer: *mut line_sender_buffer) -> Result<&'a mut Buffer> {
    buffer
        .as_mut()
        .map(|b| &mut b.0)
        .ok_or_else(|| null_error("buffer"))
}

/// Runs `f` on the buffer behind a panic boundary; NULL is an `invalid_api_call` error.
unsafe fn with_buffer(
    buffer: *mut line_sender_buffer,
    err_out: *mut *mut line_sender_error,
    f: impl FnOnce(&mut Buffer) -> Result<()>,
) -> bool {
    call_bool(err_out, || f(buffer_mut(buffer)?))
}

/// Runs a column write: resolves the buffer and the name, then calls `f`.
unsafe fn with_column(
    buffer: *mut line_sender_buffer,
    name: line_sender_column_name,
    err_out: *mut *mut line_sender_error,
    f: impl FnOnce(&mut Buffer, crate::ColumnName<'_>) -> Result<()>,
) -> bool {
    with_buffer(buffer, err_out, |b| f(b, name.as_name()?))
}

pub(crate) fn new_buffer(buffer: Buffer) -> *mut line_sender_buffer {
    Box::into_raw(Box::new(line_sender_buffer(buffer)))
}

/// A new, empty buffer for `version`, accepting names up to 127 bytes.
#[no_mangle]
pub extern "C" fn line_sender_buffer_new(
    version: line_sender_protocol_version,
) -> *mut line_sender_buffer {
    line_sender_buffer_with_max_name_len(version, DEFAULT_MAX_NAME_LEN)
}

/// A new, empty buffer for `version`, accepting names up to `max_name_len` bytes.
#[no_mangle]
pub extern "C" fn line_sender_buffer_with_max_name_len(
    version: line_sender_protocol_version,
    max_name_len: size_t,
) -> *mut line_sender_buffer {
    call_infallible(std::ptr::null_mut(), || {
        new_buffer(Buffer::with_max_name_len(version.into(), max_name_len))
    })
}

/// Frees a buffer. NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn line_sender_buffer_free(buffer: *mut line_sender_buffer) {
    if !buffer.is_null() {
        call_infallible((), || drop(Box::from_raw(buffer)));
    }
}

/// A deep copy of the buffer: bytes, row state and marker. NULL gives NULL.
#[no_mangle]
pub unsafe extern "C" fn line_sender_buffer_clone(
    buffer: *const line_sender_buffer,
) -> *mut line_sender_buffer {
    match buffer.as_ref() {
        Some(b) => call_infallible(std::ptr::null_mut(), || new_buffer(b.0.clone())),
        None => std::ptr::null_mut(),
    }
}

/// Reserves room for at least `additional` more bytes.
#[no_mangle]
pub unsafe extern "C" fn line_sender_buffer_reserve(
    buffer: *mut line_sender_buffer,
    additional: size_t,
) {
    if let Some(b) = buffer.as_mut() {
        call_infallible((), || b.0.reserve(additional));
    }
}

/// Bytes the buffer can hold without reallocating (0 for NULL).
#[no_mangle]
pub unsafe extern "C" fn line_sender_buffer_capacity(buffer: *const line_sender_buffer) -> size_t {
    buffer.as_ref().map_or(0, |b| b.0.capacity())
}

/// Remembers the current position so `line_sender_buffer_rewind_to_marker`
/// can undo later rows. Allowed only between rows.
#[no_mangle]
pub unsafe extern "C" fn line_sender_buffer_set_marker(
    buffer: *mut line_sender_buffer,
    err_out: *mut *mut line_sender_error,
) -> bool {
    with_buffer(buffer, err_out, |b| b.set_marker())
}

/// Undoes everything written since the marker, and removes the marker.
#[no_mangle]
pub unsafe extern "C" fn line_sender_buffer_rewind_to_marker(
    buffer: *mut line_sender_buffer,
    err_out: *mut *mut line_sender_error,
) -> bool {
    with_buffer(buffer, err_out, |b| b.rewind_to_marker())
}

/// Discards the marker, if any.
#[no_mangle]
pub unsafe extern "C" fn line_sender_buffer_clear_marker(buffer: *mut line_sender_buffer) {
    if let Some(b) = buffer.as_mut() {
        b.0.clear_marker();
    }
}

/// Empties the buffer, its row state and marker; keeps its capacity.
#[no_mangle]
pub unsafe extern "C" fn line_sender_buffer_clear(buffer: *mut line_sender_buffer) {
    if let Some(b) = buffer.as_mut() {
        b.0.clear();
    }
}

/// Number of bytes written (0 for NULL).
#[no_mangle]
pub unsafe extern "C" fn line_sender_buffer_size(buffer: *const line_sender_buffer) -> size_t {
    buffer.as_ref().map_or(0, |b| b.0.len())
}

/// Number of completed rows (0 for NULL).
#[no_mangle]
pub unsafe extern "C" fn line_sender_buffer_row_count(buffer: *const line_sender_buffer) -> size_t {
    buffer.as_ref().map_or(0, |b| b.0.row_count())
}

/// True while every row targets the same table (an empty buffer is
/// transactional; NULL is not).
#[no_mangle]
pub unsafe extern "C" fn line_sender_buffer_transactional(
    buffer: *const line_sender_buffer,
) -> bool {
    buffer.as_ref().is_some_and(|b| b.0.transactional())
}

/// The bytes written so far; valid until the buffer is next changed or
/// freed. NULL gives `{0, NULL}`.
#[no_mangle]
pub unsafe extern "C" fn line_sender_buffer_peek(
    buffer: *const line_sender_buffer,
) -> line_sender_buffer_view {
    match buffer.as_ref() {
        Some(b) => line_sender_buffer_view {
            len: b.0.len(),
            buf: b.0.as_bytes().as_ptr(),
        },
        None => line_sender_buffer_view {
            len: 0,
            buf: std::ptr::null(),
        },
    }
}

/// Starts a row for table `name`.
#[no_mangle]
pub unsafe extern "C" fn line_sender_buffer_table(
    buffer: *mut line_sender_buffer,
    name: line_sender_table_name,
    err_out: *mut *mut line_sender_error,
) -> bool {
    with_buffer(buffer, err_out, |b| {
        b.table(name.as_name()?)?;
        Ok(())
    })
}

/// Adds a symbol `name=value`; symbols come before any column.
#[no_mangle]
pub unsafe extern "C" fn line_sender_buffer_symbol(
    buffer: *mut line_sender_buffer,
    name: line_sender_column_name,
    value: line_sender_utf8,
    err_out: *mut *mut line_sender_error,
) -> bool {
    with_column(buffer, name, err_out, |b, name| {
        b.symbol(name, value.as_str()?)?;
        Ok(())
    })
}

/// Adds a boolean column.
#[no_mangle]
pub unsafe extern "C" fn line_sender_buffer_column_bool(
    buffer: *mut line_sender_buffer,
    name: line_sender_column_name,
    value: bool,
    err_out: *mut *mut line_sender_error,
) -> bool {
    with_column(buffer, name, err_out, |b, name| {
        b.column_bool(name, value)?;
        Ok(())
    })
}

/// Adds a 64-bit integer column.
#[no_mangle]
pub unsafe extern "C" fn line_sender_buffer_column_i64(
    buffer: *mut line_sender_buffer,
    name: line_sender_column_name,
    value: i64,
    err_out: *mut *mut line_sender_error,
) -> bool {
    with_column(buffer, name, err_out, |b, name| {
        b.column_i64(name, value)?;
        Ok(())
    })
}

/// Adds a double column (text in v1, binary from v2).
#[no_mangle]
pub unsafe extern "C" fn line_sender_buffer_column_f64(
    buffer: *mut line_sender_buffer,
    name: line_sender_column_name,
    value: f64,
    err_out: *mut *mut line_sender_error,
) -> bool {
    with_column(buffer, name, err_out, |b, name| {
        b.column_f64(name, value)?;
        Ok(())
    })
}

/// Adds a string column.
#[no_mangle]
pub unsafe extern "C" fn line_sender_buffer_column_str(
    buffer: *mut line_sender_buffer,
    name: line_sender_column_name,
    value: line_sender_utf8,
    err_out: *mut *mut line_sender_error,
) -> bool {
    with_column(buffer, name, err_out, |b, name| {
        b.column_str(name, value.as_str()?)?;
        Ok(())
    })
}

/// Adds a decimal column from text such as `123.45`, `-1.5e-3` or `NaN`
/// (`value_len` bytes at `value`); protocol 3 only.
#[no_mangle]
pub unsafe extern "C" fn line_sender_buffer_column_dec_str(
    buffer: *mut line_sender_buffer,
    name: line_sender_column_name,
    value: *const c_char,
    value_len: size_t,
    err_out: *mut *mut line_sender_error,
) -> bool {
    with_column(buffer, name, err_out, |b, name| {
        let raw = bytes(value as *const u8, value_len, ErrorCode::InvalidDecimal)?;
        let Ok(text) = std::str::from_utf8(raw) else {
            return fail!(
                InvalidDecimal,
                "Bad decimal \"{}\": not valid UTF-8",
                raw.escape_ascii()
            );
        };
        b.column_dec_str(name, text)?;
        Ok(())
    })
}

/// Adds a binary decimal: `data_len` bytes at `data` hold the unscaled value
/// in two's-complement big-endian (at most 32 bytes; NULL means zero), and
/// `scale` (at most 76) the number of fractional digits; protocol 3 only.
#[no_mangle]
pub unsafe extern "C" fn line_sender_buffer_column_dec(
    buffer: *mut line_sender_buffer,
    name: line_sender_column_name,
    scale: c_uint,
    data: *const u8,
    data_len: size_t,
    err_out: *mut *mut line_sender_error,
) -> bool {
    with_column(buffer, name, err_out, |b, name| {
        let unscaled = if data.is_null() {
            &[][..]
        } else {
            bytes(data, data_len, ErrorCode::InvalidDecimal)?
        };
        b.column_dec(name, scale, unscaled)?;
        Ok(())
    })
}

/// The raw array arguments every array entry point shares.
struct RawArray {
    rank: usize,
    shape: *const usize,
    strides: *const isize,
    data: *const f64,
    data_len: usize,
}

#[derive(Clone, Copy)]
enum Layout {
    CMajor,
    ByteStrides,
    ElemStrides,
}

impl RawArray {
    /// Checks pointers and lengths before any read, then writes the column.
    unsafe fn write(
        &self,
        b: &mut Buffer,
        name: crate::ColumnName<'_>,
        layout: Layout,
    ) -> Result<()> {
        if self.rank == 0 {
            return fail!(ArrayError, "Zero-dimensional arrays are not supported");
        }
        if self.rank > MAX_ARRAY_DIMS {
            return fail!(
                ArrayError,
                "Array dimension mismatch: expected at most {} dimensions, but got {}",
                MAX_ARRAY_DIMS,
                self.rank
            );
        }
        if self.shape.is_null() {
            return fail!(ArrayError, "Array `shape` is NULL");
        }
        let shape = std::slice::from_raw_parts(self.shape, self.rank);
        if self.data_len > isize::MAX as usize / std::mem::size_of::<f64>() {
            return fail!(
                ArrayError,
                "Array data length {} is too large",
                self.data_len
            );
        }
        let data: &[f64] = if self.data.is_null() {
            if self.data_len != 0 {
                return fail!(
                    ArrayError,
                    "Array `data` is NULL with data_len {}",
                    self.data_len
                );
            }
            &[]
        } else {
            std::slice::from_raw_parts(self.data, self.data_len)
        };
        let view = match layout {
            Layout::CMajor => ArrayView::c_major(shape, data),
            Layout::ByteStrides | Layout::ElemStrides => {
                if self.strides.is_null() {
                    return fail!(ArrayError, "Array `strides` is NULL");
                }
                let strides = std::slice::from_raw_parts(self.strides, self.rank);
                match layout {
                    Layout::ByteStrides => ArrayView::byte_strides(shape, strides, data, 0),
                    _ => ArrayView::elem_strides(shape, strides, data, 0),
                }
            }
        };
        b.column_f64_arr(name, view)?;
        Ok(())
    }
}

/// Adds an f64 array column of `rank` dimensions (`shape`, outermost first)
/// whose `data_len` elements are in row-major order; protocol 2 or later.
#[no_mangle]
pub unsafe extern "C" fn line_sender_buffer_column_f64_arr_c_major(
    buffer: *mut line_sender_buffer,
    name: line_sender_column_name,
    rank: size_t,
    shape: *const usize,
    data: *const f64,
    data_len: size_t,
    err_out: *mut *mut line_sender_error,
) -> bool {
    let raw = RawArray {
        rank,
        shape,
        strides: std::ptr::null(),
        data,
        data_len,
    };
    with_column(buffer, name, err_out, |b, name| {
        raw.write(b, name, Layout::CMajor)
    })
}

/// Adds an f64 array column whose element at index `i` is read from
/// `(const char*)data + Σ i[k] * strides[k]`. Every element read must lie
/// within the `data_len` elements at `data`; strides must be multiples of 8
/// (except for dimensions of length 0 or 1).
#[no_mangle]
pub unsafe extern "C" fn line_sender_buffer_column_f64_arr_byte_strides(
    buffer: *mut line_sender_buffer,
    name: line_sender_column_name,
    rank: size_t,
    shape: *const usize,
    strides: *const isize,
    data: *const f64,
    data_len: size_t,
    err_out: *mut *mut line_sender_error,
) -> bool {
    let raw = RawArray {
        rank,
        shape,
        strides,
        data,
        data_len,
    };
    with_column(buffer, name, err_out, |b, name| {
        raw.write(b, name, Layout::ByteStrides)
    })
}

/// Adds an f64 array column whose element at index `i` is
/// `data[Σ i[k] * strides[k]]`. Every element read must lie within the
/// `data_len` elements at `data`.
#[no_mangle]
pub unsafe extern "C" fn line_sender_buffer_column_f64_arr_elem_strides(
    buffer: *mut line_sender_buffer,
    name: line_sender_column_name,
    rank: size_t,
    shape: *const usize,
    strides: *const isize,
    data: *const f64,
    data_len: size_t,
    err_out: *mut *mut line_sender_error,
) -> bool {
    let raw = RawArray {
        rank,
        shape,
        strides,
        data,
        data_len,
    };
    with_column(buffer, name, err_out, |b, name| {
        raw.write(b, name, Layout::ElemStrides)
    })
}

/// Adds a timestamp column in nanoseconds since the epoch (written as micros in v1).
#[no_mangle]
pub unsafe extern "C" fn line_sender_buffer_column_ts_nanos(
    buffer: *mut line_sender_buffer,
    name: line_sender_column_name,
    nanos: i64,
    err_out: *mut *mut line_sender_error,
) -> bool {
    with_column(buffer, name, err_out, |b, name| {
        b.column_ts_nanos(name, nanos)?;
        Ok(())
    })
}

/// Adds a timestamp column in microseconds since the epoch.
#[no_mangle]
pub unsafe extern "C" fn line_sender_buffer_column_ts_micros(
    buffer: *mut line_sender_buffer,
    name: line_sender_column_name,
    micros: i64,
    err_out: *mut *mut line_sender_error,
) -> bool {
    with_column(buffer, name, err_out, |b, name| {
        b.column_ts_micros(name, micros)?;
        Ok(())
    })
}

/// Ends the row with a designated timestamp in nanoseconds (>= 0).
#[no_mangle]
pub unsafe extern "C" fn line_sender_buffer_at_nanos(
    buffer: *mut line_sender_buffer,
    epoch_nanos: i64,
    err_out: *mut *mut line_sender_error,
) -> bool {
    with_buffer(buffer, err_out, |b| b.at_nanos(epoch_nanos))
}

/// Ends the row with a designated timestamp in microseconds (>= 0).
#[no_mangle]
pub unsafe extern "C" fn line_sender_buffer_at_micros(
    buffer: *mut line_sender_buffer,
    epoch_micros: i64,
    err_out: *mut *mut line_sender_error,
) -> bool {
    with_buffer(buffer, err_out, |b| b.at_micros(epoch_micros))
}

/// Ends the row without a timestamp: the server assigns one on receipt.
#[no_mangle]
pub unsafe extern "C" fn line_sender_buffer_at_now(
    buffer: *mut line_sender_buffer,
    err_out: *mut *mut line_sender_error,
) -> bool {
    with_buffer(buffer, err_out, |b| b.at_now())
}

/// Succeeds when the buffer holds only complete rows, or nothing.
#[no_mangle]
pub unsafe extern "C" fn line_sender_buffer_check_can_flush(
    buffer: *const line_sender_buffer,
    err_out: *mut *mut line_sender_error,
) -> bool {
    call_bool(err_out, || buffer_ref(buffer)?.check_can_flush())
}

/// Nanoseconds since the Unix epoch, from the system clock.
#[no_mangle]
pub extern "C" fn line_sender_now_nanos() -> i64 {
    crate::now_nanos()
}

/// Microseconds since the Unix epoch, from the system clock.
#[no_mangle]
pub extern "C" fn line_sender_now_micros() -> i64 {
    crate::now_micros()
}

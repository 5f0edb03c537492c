use super::{bytes, call_bool, line_sender_error, size_t};
use crate::error::{fail, Error, ErrorCode, Result};
use crate::names::{ColumnName, TableName};
use std::ffi::c_char;

/// Validated UTF-8 text (no NUL terminator needed). Initialise it only with
/// `line_sender_utf8_init`, `line_sender_utf8_assert` or `QDB_UTF8_LITERAL`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct line_sender_utf8 {
    /// Length in bytes.
    pub len: size_t,
    /// The bytes; borrowed, must outlive every use of the view.
    pub buf: *const c_char,
}

/// A validated table name. Initialise it only with
/// `line_sender_table_name_init`, `line_sender_table_name_assert` or
/// `QDB_TABLE_NAME_LITERAL`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct line_sender_table_name {
    /// Length in bytes.
    pub len: size_t,
    /// The bytes; borrowed, must outlive every use of the view.
    pub buf: *const c_char,
}

/// A validated column or symbol name. Initialise it only with
/// `line_sender_column_name_init`, `line_sender_column_name_assert` or
/// `QDB_COLUMN_NAME_LITERAL`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct line_sender_column_name {
    /// Length in bytes.
    pub len: size_t,
    /// The bytes; borrowed, must outlive every use of the view.
    pub buf: *const c_char,
}

/// Shows bytes readably in an error message, cut to about 100 bytes.
fn preview(bytes: &[u8]) -> String {
    let shown = if bytes.len() >= 100 {
        &bytes[..97]
    } else {
        bytes
    };
    let mut text = shown.escape_ascii().to_string();
    if shown.len() < bytes.len() {
        text.push_str("...");
    }
    text
}

/// Checks that `len` bytes at `buf` are UTF-8.
pub(crate) unsafe fn utf8_at<'a>(buf: *const c_char, len: usize) -> Result<&'a str> {
    let raw = bytes(buf as *const u8, len, ErrorCode::InvalidUtf8)?;
    std::str::from_utf8(raw).map_err(|e| {
        let at = e.valid_up_to();
        let what = match e.error_len() {
            Some(_) => format!("Illegal codepoint starting at byte index {}.", at),
            None => format!(
                "Incomplete multi-byte codepoint at end of string. Bad codepoint starting at byte index {}.",
                at
            ),
        };
        Error::new(
            ErrorCode::InvalidUtf8,
            format!("Bad string \"{}\": Invalid UTF-8. {}", preview(raw), what),
        )
    })
}

// The views were validated by their `_init`/`_assert` functions, so their
// bytes are trusted; a zeroed view (NULL, 0) is still caught as empty.
unsafe fn trusted_str<'a>(buf: *const c_char, len: usize) -> &'a str {
    if buf.is_null() || len == 0 {
        return "";
    }
    std::str::from_utf8_unchecked(std::slice::from_raw_parts(buf as *const u8, len))
}

impl line_sender_utf8 {
    pub(crate) unsafe fn as_str<'a>(&self) -> Result<&'a str> {
        if self.buf.is_null() && self.len != 0 {
            return fail!(
                InvalidUtf8,
                "line_sender_utf8 has a NULL buffer and length {}",
                self.len
            );
        }
        Ok(trusted_str(self.buf, self.len))
    }
}

impl line_sender_table_name {
    pub(crate) unsafe fn as_name<'a>(&self) -> Result<TableName<'a>> {
        let name = trusted_str(self.buf, self.len);
        if name.is_empty() {
            return TableName::new(name);
        }
        Ok(TableName::new_unchecked(name))
    }
}

impl line_sender_column_name {
    pub(crate) unsafe fn as_name<'a>(&self) -> Result<ColumnName<'a>> {
        let name = trusted_str(self.buf, self.len);
        if name.is_empty() {
            return ColumnName::new(name);
        }
        Ok(ColumnName::new_unchecked(name))
    }
}

fn abort_with(err: Error) -> ! {
    eprintln!("questdb-client: fatal: {}", err.msg());
    std::process::abort()
}

/// The shared body of the `_init` functions: validate, then fill `*out`.
unsafe fn init_view<V>(
    out: *mut V,
    len: usize,
    buf: *const c_char,
    err_out: *mut *mut line_sender_error,
    validate: impl FnOnce(&str) -> Result<()>,
    make: fn(usize, *const c_char) -> V,
) -> bool {
    call_bool(err_out, || {
        if out.is_null() {
            return fail!(InvalidApiCall, "output view argument is NULL");
        }
        validate(utf8_at(buf, len)?)?;
        *out = make(len, buf);
        Ok(())
    })
}

/// The shared body of the `_assert` functions: validate or abort.
unsafe fn assert_view<V>(
    len: usize,
    buf: *const c_char,
    validate: impl FnOnce(&str) -> Result<()>,
    make: fn(usize, *const c_char) -> V,
) -> V {
    match utf8_at(buf, len).and_then(validate) {
        Ok(()) => make(len, buf),
        Err(err) => abort_with(err),
    }
}

fn any_utf8(_: &str) -> Result<()> {
    Ok(())
}

fn table_name(name: &str) -> Result<()> {
    TableName::new(name).map(drop)
}

fn column_name(name: &str) -> Result<()> {
    ColumnName::new(name).map(drop)
}

fn utf8_view(len: usize, buf: *const c_char) -> line_sender_utf8 {
    line_sender_utf8 { len, buf }
}

fn table_view(len: usize, buf: *const c_char) -> line_sender_table_name {
    line_sender_table_name { len, buf }
}

fn column_view(len: usize, buf: *const c_char) -> line_sender_column_name {
    line_sender_column_name { len, buf }
}

/// Validates `len` bytes at `buf` as UTF-8 and, on success, points `*str` at
/// them (no copy). On failure `*str` is left untouched.
#[no_mangle]
pub unsafe extern "C" fn line_sender_utf8_init(
    str: *mut line_sender_utf8,
    len: size_t,
    buf: *const c_char,
    err_out: *mut *mut line_sender_error,
) -> bool {
    init_view(str, len, buf, err_out, any_utf8, utf8_view)
}

/// Like `line_sender_utf8_init`, but aborts the process with a message on
/// invalid input. Meant for literals known to be valid.
#[no_mangle]
pub unsafe extern "C" fn line_sender_utf8_assert(
    len: size_t,
    buf: *const c_char,
) -> line_sender_utf8 {
    assert_view(len, buf, any_utf8, utf8_view)
}

/// Validates a table name (UTF-8 and the table-name character rules) and, on
/// success, points `*name` at it. The length limit is checked by the buffer.
#[no_mangle]
pub unsafe extern "C" fn line_sender_table_name_init(
    name: *mut line_sender_table_name,
    len: size_t,
    buf: *const c_char,
    err_out: *mut *mut line_sender_error,
) -> bool {
    init_view(name, len, buf, err_out, table_name, table_view)
}

/// Like `line_sender_table_name_init`, but aborts the process with a message
/// on invalid input.
#[no_mangle]
pub unsafe extern "C" fn line_sender_table_name_assert(
    len: size_t,
    buf: *const c_char,
) -> line_sender_table_name {
    assert_view(len, buf, table_name, table_view)
}

/// Validates a column or symbol name (UTF-8 and the column-name character
/// rules) and, on success, points `*name` at it.
#[no_mangle]
pub unsafe extern "C" fn line_sender_column_name_init(
    name: *mut line_sender_column_name,
    len: size_t,
    buf: *const c_char,
    err_out: *mut *mut line_sender_error,
) -> bool {
    init_view(name, len, buf, err_out, column_name, column_view)
}

/// Like `line_sender_column_name_init`, but aborts the process with a
/// message on invalid input.
#[no_mangle]
pub unsafe extern "C" fn line_sender_column_name_assert(
    len: size_t,
    buf: *const c_char,
) -> line_sender_column_name {
    assert_view(len, buf, column_name, column_view)
}

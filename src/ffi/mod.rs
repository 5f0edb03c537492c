//! The C ABI. Each function checks its pointers and lengths, converts to core
//! values, calls the core, and turns an error into a heap `line_sender_error`.
//! No ILP logic lives here. Panics are caught at every entry point.

#![allow(non_camel_case_types)]
// Every exported function documents its pointer contract in the header.
#![allow(clippy::missing_safety_doc)]

mod buffer;
mod error;
mod names;
mod opts;
mod sender;

pub use buffer::*;
pub use error::*;
pub use names::*;
pub use opts::*;
pub use sender::*;

use crate::error::{Error, ErrorCode, Result};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// `size_t` under its C name, so the generated header says `size_t`.
pub type size_t = usize;

fn panic_error(payload: Box<dyn std::any::Any + Send>) -> Error {
    let what = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string());
    Error::new(
        ErrorCode::InvalidApiCall,
        format!(
            "internal error (Rust panic caught at the C boundary): {}",
            what
        ),
    )
}

/// Stores `err` into `*err_out` when the caller gave somewhere to put it.
unsafe fn report(err_out: *mut *mut line_sender_error, err: Error) {
    if !err_out.is_null() {
        *err_out = line_sender_error::boxed(err);
    }
}

/// Runs `f` behind a panic boundary; `false` and `*err_out` on failure.
unsafe fn call_bool(err_out: *mut *mut line_sender_error, f: impl FnOnce() -> Result<()>) -> bool {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(())) => true,
        Ok(Err(err)) => {
            report(err_out, err);
            false
        }
        Err(payload) => {
            report(err_out, panic_error(payload));
            false
        }
    }
}

/// Runs `f` behind a panic boundary for functions that cannot report errors.
fn call_infallible<T>(fallback: T, f: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or(fallback)
}

fn null_error(what: &str) -> Error {
    Error::new(
        ErrorCode::InvalidApiCall,
        format!("`{}` argument is NULL", what),
    )
}

/// Borrows `len` bytes at `buf`; NULL is allowed only with length 0.
unsafe fn bytes<'a>(buf: *const u8, len: usize, code: ErrorCode) -> Result<&'a [u8]> {
    if buf.is_null() {
        if len == 0 {
            return Ok(&[]);
        }
        return Err(Error::new(
            code,
            format!("NULL pointer given with a length of {} bytes", len),
        ));
    }
    if len > isize::MAX as usize {
        return Err(Error::new(code, format!("length {} is too large", len)));
    }
    Ok(std::slice::from_raw_parts(buf, len))
}

use super::opts::{call_ptr, opts_ref};
use super::{
    call_bool, call_infallible, line_sender_buffer, line_sender_error, line_sender_opts,
    line_sender_protocol_version, line_sender_utf8, new_buffer, null_error, size_t,
};
use crate::buffer::{Buffer, DEFAULT_MAX_NAME_LEN};
use crate::conf::SenderOptions;
use crate::error::Result;
use crate::sender::Sender;

/// A connection to one server. Not thread-safe: use from one thread at a time.
pub struct line_sender(Sender);

unsafe fn sender_mut<'a>(sender: *mut line_sender) -> Result<&'a mut Sender> {
    sender
        .as_mut()
        .map(|s| &mut s.0)
        .ok_or_else(|| null_error("sender"))
}

unsafe fn buffer_arg<'a>(buffer: *const line_sender_buffer) -> Result<&'a Buffer> {
    buffer
        .as_ref()
        .map(|b| &b.0)
        .ok_or_else(|| null_error("buffer"))
}

/// Builds a sender: TCP connects here; HTTP detects the protocol version here
/// unless it was set. `opts` is NOT freed and may be reused.
#[no_mangle]
pub unsafe extern "C" fn line_sender_build(
    opts: *const line_sender_opts,
    err_out: *mut *mut line_sender_error,
) -> *mut line_sender {
    call_ptr(err_out, || Ok(line_sender(Sender::build(opts_ref(opts)?)?)))
}

/// Parses a config string and builds a sender from it.
#[no_mangle]
pub unsafe extern "C" fn line_sender_from_conf(
    config: line_sender_utf8,
    err_out: *mut *mut line_sender_error,
) -> *mut line_sender {
    call_ptr(err_out, || {
        let opts = SenderOptions::from_conf(config.as_str()?)?;
        Ok(line_sender(Sender::build(&opts)?))
    })
}

/// Builds a sender from the config string in `QDB_CLIENT_CONF`.
#[no_mangle]
pub unsafe extern "C" fn line_sender_from_env(
    err_out: *mut *mut line_sender_error,
) -> *mut line_sender {
    call_ptr(err_out, || Ok(line_sender(Sender::from_env()?)))
}

/// The protocol version buffers must use to be sent by this sender.
/// A NULL sender gives version 1.
#[no_mangle]
pub unsafe extern "C" fn line_sender_get_protocol_version(
    sender: *const line_sender,
) -> line_sender_protocol_version {
    match sender.as_ref() {
        Some(s) => s.0.protocol_version().into(),
        None => line_sender_protocol_version::line_sender_protocol_version_1,
    }
}

/// The longest name the server accepts (configured, or learned from the
/// server over HTTP). A NULL sender gives 127.
#[no_mangle]
pub unsafe extern "C" fn line_sender_get_max_name_len(sender: *const line_sender) -> size_t {
    match sender.as_ref() {
        Some(s) => s.0.max_name_len(),
        None => DEFAULT_MAX_NAME_LEN,
    }
}

/// A new buffer with this sender's protocol version, name limit and initial
/// capacity (`init_buf_size`). NULL for a NULL sender.
#[no_mangle]
pub unsafe extern "C" fn line_sender_buffer_new_for_sender(
    sender: *const line_sender,
) -> *mut line_sender_buffer {
    match sender.as_ref() {
        Some(s) => call_infallible(std::ptr::null_mut(), || new_buffer(s.0.new_buffer())),
        None => std::ptr::null_mut(),
    }
}

/// True once a TCP write failed: close this sender and build a new one.
/// Always false over HTTP. A NULL sender gives true.
#[no_mangle]
pub unsafe extern "C" fn line_sender_must_close(sender: *const line_sender) -> bool {
    match sender.as_ref() {
        Some(s) => s.0.must_close(),
        None => true,
    }
}

/// Closes and frees the sender without flushing anything. NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn line_sender_close(sender: *mut line_sender) {
    if !sender.is_null() {
        call_infallible((), || drop(Box::from_raw(sender)));
    }
}

/// Sends the buffer, then clears it. On failure the buffer is unchanged.
/// An empty buffer is sent as nothing and succeeds.
#[no_mangle]
pub unsafe extern "C" fn line_sender_flush(
    sender: *mut line_sender,
    buffer: *mut line_sender_buffer,
    err_out: *mut *mut line_sender_error,
) -> bool {
    call_bool(err_out, || {
        let buffer = buffer
            .as_mut()
            .map(|b| &mut b.0)
            .ok_or_else(|| null_error("buffer"))?;
        sender_mut(sender)?.flush(buffer)
    })
}

/// Sends the buffer and keeps its contents.
#[no_mangle]
pub unsafe extern "C" fn line_sender_flush_and_keep(
    sender: *mut line_sender,
    buffer: *const line_sender_buffer,
    err_out: *mut *mut line_sender_error,
) -> bool {
    call_bool(err_out, || {
        sender_mut(sender)?.flush_and_keep(buffer_arg(buffer)?)
    })
}

/// Sends the buffer and keeps its contents. With `transactional`, a buffer
/// holding rows of several tables is refused (HTTP), as is any buffer (TCP).
#[no_mangle]
pub unsafe extern "C" fn line_sender_flush_and_keep_with_flags(
    sender: *mut line_sender,
    buffer: *mut line_sender_buffer,
    transactional: bool,
    err_out: *mut *mut line_sender_error,
) -> bool {
    call_bool(err_out, || {
        sender_mut(sender)?.flush_and_keep_with_flags(buffer_arg(buffer)?, transactional)
    })
}

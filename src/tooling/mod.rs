//! Tooling around the wire format that is not part of sending: an
//! independent ILP decoder and the capture server behind `questdb-ilp-capture`.

pub mod capture;
pub mod decoder;
pub mod format;

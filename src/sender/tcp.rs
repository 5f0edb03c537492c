//! ILP over TCP.
pub(crate) struct TcpTransport;

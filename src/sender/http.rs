//! ILP over HTTP.
pub(crate) struct HttpTransport;

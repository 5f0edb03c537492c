#[allow(unused_imports)] // not every test binary uses the decoder
pub use questdb_client::tooling::decoder::*;

#![allow(dead_code)]
pub mod ecdsa_server;
pub mod ilp_decoder;
pub mod mock_http;
pub mod mock_tcp;
pub mod rows;
pub mod servers;
pub mod tls;

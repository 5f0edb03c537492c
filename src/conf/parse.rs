//! The config-string grammar (PROTOCOL.md §3).

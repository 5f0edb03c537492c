//! Rows and build helpers shared by the sender tests.

use questdb_client::{Buffer, ColumnName, Error, Sender, TableName};

/// The bytes of [`two_rows`] in protocol 1.
pub const TWO_ROWS: &[u8] = b"t,s=v x=1.5 1000\nt,s=v x=2.5 2000\n";

/// Appends `table,s=v x=<x> <ts>`.
pub fn row(buf: &mut Buffer, table: &str, x: f64, ts: i64) {
    buf.table(TableName::new(table).unwrap())
        .unwrap()
        .symbol(ColumnName::new("s").unwrap(), "v")
        .unwrap()
        .column_f64(ColumnName::new("x").unwrap(), x)
        .unwrap()
        .at_nanos(ts)
        .unwrap();
}

/// A buffer of `sender` with two rows of table `t` ([`TWO_ROWS`] in v1).
pub fn two_rows(sender: &Sender) -> Buffer {
    let mut buf = sender.new_buffer();
    row(&mut buf, "t", 1.5, 1_000);
    row(&mut buf, "t", 2.5, 2_000);
    buf
}

/// The error of building a sender from `conf`; panics if it builds.
pub fn build_err(conf: &str) -> Error {
    match Sender::from_conf(conf) {
        Ok(s) => panic!("building {conf:?} succeeded ({s:?}), an error was expected"),
        Err(e) => e,
    }
}

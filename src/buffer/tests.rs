//! Byte-exact tests of the buffer: PROTOCOL.md sections 1 and 2.
//!
//! Expected bytes are always literals; a failing call is always checked to
//! leave the buffer exactly as it was (see `must_fail`).

use super::*;
use crate::error::ErrorCode;
use ProtocolVersion::{V1, V2, V3};

// ---------------------------------------------------------------- helpers

fn v1() -> Buffer {
    Buffer::new(V1)
}

fn v2() -> Buffer {
    Buffer::new(V2)
}

fn v3() -> Buffer {
    Buffer::new(V3)
}

fn tn(s: &str) -> TableName<'_> {
    TableName::new(s).unwrap()
}

fn cn(s: &str) -> ColumnName<'_> {
    ColumnName::new(s).unwrap()
}

/// Runs `f`, which must fail with `code`, and checks that the buffer is
/// unchanged byte for byte and state for state (incl. marker). Returns the
/// error message.
#[track_caller]
fn must_fail(
    buf: &mut Buffer,
    code: ErrorCode,
    f: impl FnOnce(&mut Buffer) -> Result<()>,
) -> String {
    let before = buf.clone();
    let err = match f(buf) {
        Ok(()) => panic!("call should have failed; buffer now {:?}", buf.as_bytes()),
        Err(e) => e,
    };
    assert_eq!(err.code(), code, "unexpected error: {}", err.msg());
    assert_eq!(buf.as_bytes(), before.as_bytes(), "failed call wrote bytes");
    assert_eq!(buf.row_count(), before.row_count());
    assert_eq!(buf.transactional(), before.transactional());
    assert_eq!(*buf, before, "failed call changed the state");
    err.msg().to_string()
}

/// `must_fail` plus an exact message check.
#[track_caller]
fn fails_with(
    buf: &mut Buffer,
    code: ErrorCode,
    msg: &str,
    f: impl FnOnce(&mut Buffer) -> Result<()>,
) {
    assert_eq!(must_fail(buf, code, f), msg);
}

/// One complete V1 row `t <col>\n` with the given column call.
fn row(buf: &mut Buffer, f: impl FnOnce(&mut Buffer) -> Result<&mut Buffer>) -> &mut Buffer {
    buf.table(tn("t")).unwrap();
    f(buf).unwrap();
    buf.at_now().unwrap();
    buf
}

fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

// Little-endian IEEE-754 bytes of small doubles.
const F0: &[u8] = b"\x00\x00\x00\x00\x00\x00\x00\x00";
const F1: &[u8] = b"\x00\x00\x00\x00\x00\x00\xf0\x3f";
const F1_5: &[u8] = b"\x00\x00\x00\x00\x00\x00\xf8\x3f";
const F2: &[u8] = b"\x00\x00\x00\x00\x00\x00\x00\x40";
const F3: &[u8] = b"\x00\x00\x00\x00\x00\x00\x08\x40";
const F4: &[u8] = b"\x00\x00\x00\x00\x00\x00\x10\x40";
const F5: &[u8] = b"\x00\x00\x00\x00\x00\x00\x14\x40";
const F6: &[u8] = b"\x00\x00\x00\x00\x00\x00\x18\x40";
const F7: &[u8] = b"\x00\x00\x00\x00\x00\x00\x1c\x40";
const F8: &[u8] = b"\x00\x00\x00\x00\x00\x00\x20\x40";
const F9: &[u8] = b"\x00\x00\x00\x00\x00\x00\x22\x40";

// ---------------------------------------------------------------- rows

#[test]
fn spec_example_rows_v1() {
    let mut b = v1();
    b.table(tn("trades"))
        .unwrap()
        .symbol(cn("symbol"), "ETH-USD")
        .unwrap()
        .symbol(cn("side"), "sell")
        .unwrap()
        .column_f64(cn("price"), 2615.54)
        .unwrap()
        .column_f64(cn("amount"), 0.00044)
        .unwrap();
    b.at_nanos(1646762637609765000).unwrap();
    b.table(tn("sensors"))
        .unwrap()
        .symbol(cn("id"), "toronto1")
        .unwrap()
        .column_f64(cn("temperature"), 23.5)
        .unwrap()
        .column_f64(cn("humidity"), 0.49)
        .unwrap()
        .column_bool(cn("ok"), true)
        .unwrap()
        .column_i64(cn("count"), 12)
        .unwrap()
        .column_str(cn("note"), "hi")
        .unwrap()
        .column_ts_micros(cn("seen"), 1700000000000000)
        .unwrap();
    b.at_now().unwrap();
    b.table(tn("metrics"))
        .unwrap()
        .symbol(cn("host"), "a")
        .unwrap();
    b.at_now().unwrap();
    b.table(tn("sensors"))
        .unwrap()
        .column_f64(cn("temp"), 21.5)
        .unwrap()
        .column_bool(cn("ok"), true)
        .unwrap()
        .column_i64(cn("count"), 3)
        .unwrap();
    b.at_nanos(1700000000000000000).unwrap();
    assert_eq!(
        b.as_bytes(),
        b"trades,symbol=ETH-USD,side=sell price=2615.54,amount=0.00044 1646762637609765000\n\
          sensors,id=toronto1 temperature=23.5,humidity=0.49,ok=t,count=12i,note=\"hi\",seen=1700000000000000t\n\
          metrics,host=a\n\
          sensors temp=21.5,ok=t,count=3i 1700000000000000000\n"
    );
    assert_eq!(b.row_count(), 4);
    assert!(!b.transactional());
    assert_eq!(b.len(), b.as_bytes().len());
    assert!(!b.is_empty());
    b.check_can_flush().unwrap();
}

#[test]
fn spec_example_row_v2_and_v1() {
    let mut b = v2();
    b.table(tn("t"))
        .unwrap()
        .symbol(cn("s"), "v")
        .unwrap()
        .column_f64(cn("x"), 1.5)
        .unwrap()
        .column_ts_nanos(cn("c"), 123)
        .unwrap()
        .column_ts_micros(cn("d"), 5)
        .unwrap();
    b.at_micros(7).unwrap();
    assert_eq!(
        b.as_bytes(),
        b"t,s=v x==\x10\x00\x00\x00\x00\x00\x00\xf8\x3f,c=123n,d=5t 7t\n"
    );

    let mut b = v1();
    b.table(tn("t"))
        .unwrap()
        .symbol(cn("s"), "v")
        .unwrap()
        .column_f64(cn("x"), 1.5)
        .unwrap()
        .column_ts_nanos(cn("c"), 123)
        .unwrap()
        .column_ts_micros(cn("d"), 5)
        .unwrap();
    b.at_micros(7).unwrap();
    assert_eq!(b.as_bytes(), b"t,s=v x=1.5,c=0t,d=5t 7000\n");
}

#[test]
fn new_buffer_properties() {
    for v in [V1, V2, V3] {
        let b = Buffer::new(v);
        assert_eq!(b.protocol_version(), v);
        assert_eq!(b.max_name_len(), 127);
        assert_eq!(b.len(), 0);
        assert!(b.is_empty());
        assert_eq!(b.as_bytes(), b"");
        assert_eq!(b.row_count(), 0);
        assert!(b.transactional());
        b.check_can_flush().unwrap();
    }
    let b = Buffer::with_max_name_len(V2, 16);
    assert_eq!(b.max_name_len(), 16);
    assert_eq!(b.protocol_version(), V2);
    assert_eq!(DEFAULT_MAX_NAME_LEN, 127);
    assert_eq!(V1.to_string(), "v1");
    assert_eq!(V2.to_string(), "v2");
    assert_eq!(V3.to_string(), "v3");
}

// ---------------------------------------------------------------- escaping

#[test]
fn worked_example_3_3() {
    let mut b = v1();
    b.table(tn("t a=b"))
        .unwrap()
        .symbol(cn("s k="), "v a,l=u\\e\n\r\"q")
        .unwrap()
        .column_str(cn("c"), "x y,z=\"w\\\n\r")
        .unwrap()
        .column_bool(cn("b"), true)
        .unwrap()
        .column_i64(cn("i"), -42)
        .unwrap();
    b.at_nanos(0).unwrap();
    assert_eq!(
        b.as_bytes(),
        b"t\\ a\\=b,s\\ k\\==v\\ a\\,l\\=u\\\\e\\\n\\\r\"q c=\"x y,z=\\\"w\\\\\\\n\\\r\",b=t,i=-42i 0\n"
    );
}

#[test]
fn escape_table_name() {
    // Valid names can only carry space and `=` among the escaped chars.
    let mut b = v1();
    b.table(tn(" a = b "))
        .unwrap()
        .column_bool(cn("x"), true)
        .unwrap();
    b.at_now().unwrap();
    assert_eq!(b.as_bytes(), b"\\ a\\ \\=\\ b\\  x=t\n");
    // The unquoted rules themselves, for every escaped byte (names given
    // unchecked, as the C `_init` path could).
    let mut b = v1();
    b.table(TableName::new_unchecked(" ,=\n\r\\\"\t"))
        .unwrap()
        .column_bool(cn("x"), false)
        .unwrap();
    b.at_now().unwrap();
    assert_eq!(b.as_bytes(), b"\\ \\,\\=\\\n\\\r\\\\\"\t x=f\n");
}

#[test]
fn escape_symbol_name_and_value() {
    let mut b = v1();
    b.table(tn("t"))
        .unwrap()
        .symbol(cn("a b=c"), "plain")
        .unwrap()
        .symbol(ColumnName::new_unchecked(",\n\r\\"), "x")
        .unwrap()
        .symbol(cn("v"), " ,=\n\r\\")
        .unwrap()
        .symbol(cn("raw"), "\"q\"\ttab\u{1}\u{7f}'")
        .unwrap()
        .symbol(cn("utf8"), "é日本€😀")
        .unwrap()
        .symbol(cn("e"), "")
        .unwrap()
        .symbol(cn("d"), "  ==")
        .unwrap();
    b.at_now().unwrap();
    assert_eq!(
        b.as_bytes(),
        "t,a\\ b\\=c=plain,\\,\\\n\\\r\\\\=x,v=\\ \\,\\=\\\n\\\r\\\\,raw=\"q\"\ttab\u{1}\u{7f}',utf8=é日本€😀,e=,d=\\ \\ \\=\\=\n"
            .as_bytes()
    );
}

#[test]
fn escape_column_name() {
    let mut b = v1();
    b.table(tn("t"))
        .unwrap()
        .column_i64(cn("a b"), 1)
        .unwrap()
        .column_i64(cn("c=d"), 2)
        .unwrap()
        .column_i64(ColumnName::new_unchecked(",\n\r\\\"\t"), 3)
        .unwrap()
        .column_i64(cn("é日"), 4)
        .unwrap();
    b.at_now().unwrap();
    assert_eq!(
        b.as_bytes(),
        "t a\\ b=1i,c\\=d=2i,\\,\\\n\\\r\\\\\"\t=3i,é日=4i\n".as_bytes()
    );
}

#[test]
fn escape_string_value() {
    let mut b = v1();
    b.table(tn("t"))
        .unwrap()
        .column_str(cn("q"), "\"\n\r\\")
        .unwrap()
        .column_str(cn("raw"), " ,=\t'\u{1}x")
        .unwrap()
        .column_str(cn("u"), "é日本😀")
        .unwrap()
        .column_str(cn("e"), "")
        .unwrap()
        .column_str(cn("edge"), "\"a\"")
        .unwrap()
        .column_str(cn("bs"), "\\\\")
        .unwrap();
    b.at_now().unwrap();
    assert_eq!(
        b.as_bytes(),
        "t q=\"\\\"\\\n\\\r\\\\\",raw=\" ,=\t'\u{1}x\",u=\"é日本😀\",e=\"\",edge=\"\\\"a\\\"\",bs=\"\\\\\\\\\"\n"
            .as_bytes()
    );
}

#[test]
fn escaping_is_the_same_in_every_version() {
    for mut b in [v1(), v2(), v3()] {
        b.table(tn("t a"))
            .unwrap()
            .symbol(cn("s"), "a b,c")
            .unwrap()
            .column_str(cn("x y"), "\"q\"")
            .unwrap();
        b.at_now().unwrap();
        assert_eq!(b.as_bytes(), b"t\\ a,s=a\\ b\\,c x\\ y=\"\\\"q\\\"\"\n");
    }
}

// ---------------------------------------------------------------- name length

#[test]
fn max_name_len_in_bytes() {
    let mut b = Buffer::with_max_name_len(V3, 4);
    // 4 bytes pass, 6 bytes fail, for table, symbol and every column kind.
    fails_with(
        &mut b,
        ErrorCode::InvalidName,
        "Bad name: \"ééé\": Too long (max 4 bytes, got 6 bytes)",
        |b| b.table(tn("ééé")).map(drop),
    );
    fails_with(
        &mut b,
        ErrorCode::InvalidName,
        "Bad name: \"abcde\": Too long (max 4 bytes, got 5 bytes)",
        |b| b.table(tn("abcde")).map(drop),
    );
    b.table(tn("éé")).unwrap();
    fails_with(
        &mut b,
        ErrorCode::InvalidName,
        "Bad name: \"ééé\": Too long (max 4 bytes, got 6 bytes)",
        |b| b.symbol(cn("ééé"), "v").map(drop),
    );
    b.symbol(cn("éé"), "a value much longer than four bytes")
        .unwrap();
    let long = cn("ééé");
    must_fail(&mut b, ErrorCode::InvalidName, |b| {
        b.column_bool(long, true).map(drop)
    });
    must_fail(&mut b, ErrorCode::InvalidName, |b| {
        b.column_i64(long, 1).map(drop)
    });
    must_fail(&mut b, ErrorCode::InvalidName, |b| {
        b.column_f64(long, 1.0).map(drop)
    });
    must_fail(&mut b, ErrorCode::InvalidName, |b| {
        b.column_str(long, "x").map(drop)
    });
    must_fail(&mut b, ErrorCode::InvalidName, |b| {
        b.column_ts_nanos(long, 1).map(drop)
    });
    must_fail(&mut b, ErrorCode::InvalidName, |b| {
        b.column_ts_micros(long, 1).map(drop)
    });
    must_fail(&mut b, ErrorCode::InvalidName, |b| {
        b.column_dec_str(long, "1").map(drop)
    });
    must_fail(&mut b, ErrorCode::InvalidName, |b| {
        b.column_dec(long, 0, &[1]).map(drop)
    });
    let msg = must_fail(&mut b, ErrorCode::InvalidName, |b| {
        b.column_f64_arr(long, ArrayView::c_major(&[1], &[1.0]))
            .map(drop)
    });
    assert_eq!(
        msg,
        "Bad name: \"ééé\": Too long (max 4 bytes, got 6 bytes)"
    );
    b.column_i64(cn("éé"), 1)
        .unwrap()
        .column_i64(cn("abcd"), 2)
        .unwrap();
    b.at_now().unwrap();
    assert_eq!(
        b.as_bytes(),
        "éé,éé=a\\ value\\ much\\ longer\\ than\\ four\\ bytes éé=1i,abcd=2i\n".as_bytes()
    );
}

#[test]
fn max_name_len_default_127_and_unchecked_names() {
    let ok = "a".repeat(127);
    let too_long = "a".repeat(128);
    let mut b = v1();
    let msg = must_fail(&mut b, ErrorCode::InvalidName, |b| {
        b.table(tn(&too_long)).map(drop)
    });
    assert!(
        msg.ends_with(": Too long (max 127 bytes, got 128 bytes)"),
        "{msg}"
    );
    b.table(tn(&ok)).unwrap();
    must_fail(&mut b, ErrorCode::InvalidName, |b| {
        b.column_i64(ColumnName::new_unchecked(&too_long), 1)
            .map(drop)
    });
    b.column_i64(cn(&ok), 1).unwrap();
    b.at_now().unwrap();
    assert_eq!(b.len(), 127 + 1 + 127 + 3 + 1);
}

#[test]
fn name_length_checked_before_state() {
    // A too-long name is reported even when the call is also out of order.
    let mut b = Buffer::with_max_name_len(V1, 4);
    must_fail(&mut b, ErrorCode::InvalidName, |b| {
        b.symbol(cn("abcde"), "v").map(drop)
    });
    must_fail(&mut b, ErrorCode::InvalidName, |b| {
        b.column_i64(cn("abcde"), 1).map(drop)
    });
    b.table(tn("t")).unwrap();
    must_fail(&mut b, ErrorCode::InvalidName, |b| {
        b.table(tn("abcde")).map(drop)
    });
}

// ---------------------------------------------------------------- f64 / i64 / bool

#[test]
fn f64_text_v1() {
    let cases: &[(f64, &str)] = &[
        (0.0, "0.0"),
        (-0.0, "-0.0"),
        (1.0, "1.0"),
        (-1.5, "-1.5"),
        (0.1, "0.1"),
        (100.0, "100.0"),
        (123456.0, "123456.0"),
        (2615.54, "2615.54"),
        (0.00044, "0.00044"),
        (23.5, "23.5"),
        (0.49, "0.49"),
        (1e15, "1000000000000000.0"),
        (9999999999999998.0, "9999999999999998.0"),
        (1e16, "1e16"),
        (1.5e16, "1.5e16"),
        (1e21, "1e21"),
        (1e100, "1e100"),
        (0.00001, "0.00001"),
        (1e-6, "1e-6"),
        (1e-7, "1e-7"),
        (1.5e-7, "1.5e-7"),
        (f64::MAX, "1.7976931348623157e308"),
        (f64::MIN, "-1.7976931348623157e308"),
        (f64::MIN_POSITIVE, "2.2250738585072014e-308"),
        (5e-324, "5e-324"),
        (-5e-324, "-5e-324"),
        (
            f64::from_bits(0x000f_ffff_ffff_ffff),
            "2.225073858507201e-308",
        ),
        (f64::INFINITY, "Infinity"),
        (f64::NEG_INFINITY, "-Infinity"),
    ];
    for &(value, text) in cases {
        // The expected text itself round-trips to the same bits ...
        assert_eq!(
            text.parse::<f64>().unwrap().to_bits(),
            value.to_bits(),
            "{text}"
        );
        // ... and is exactly what the buffer writes.
        let mut b = v1();
        row(&mut b, |b| b.column_f64(cn("x"), value));
        let expected = format!("t x={text}\n");
        let all = std::str::from_utf8(b.as_bytes()).unwrap();
        assert_eq!(all, expected, "{value:e}");
        let written = &all[4..all.len() - 1];
        assert_eq!(written.parse::<f64>().unwrap().to_bits(), value.to_bits());
    }
}

#[test]
fn f64_nan_text_v1() {
    for bits in [
        f64::NAN.to_bits(),
        (-f64::NAN).to_bits(),
        0x7ff8_0000_0000_0000,
        0xfff8_0000_0000_0000,
        0x7ff0_0000_0000_0001, // signalling, payload 1
        0x7ff8_0000_dead_beef,
        0xffff_ffff_ffff_ffff,
    ] {
        let value = f64::from_bits(bits);
        assert!(value.is_nan());
        let mut b = v1();
        row(&mut b, |b| b.column_f64(cn("x"), value));
        assert_eq!(b.as_bytes(), b"t x=NaN\n", "{bits:#x}");
        assert!("NaN".parse::<f64>().unwrap().is_nan());
    }
}

#[test]
fn f64_binary_v2_v3() {
    let cases: &[(u64, &[u8])] = &[
        (1.5f64.to_bits(), b"\x00\x00\x00\x00\x00\x00\xf8\x3f"),
        (0.0f64.to_bits(), b"\x00\x00\x00\x00\x00\x00\x00\x00"),
        ((-0.0f64).to_bits(), b"\x00\x00\x00\x00\x00\x00\x00\x80"),
        (0.1f64.to_bits(), b"\x9a\x99\x99\x99\x99\x99\xb9\x3f"),
        (f64::INFINITY.to_bits(), b"\x00\x00\x00\x00\x00\x00\xf0\x7f"),
        (
            f64::NEG_INFINITY.to_bits(),
            b"\x00\x00\x00\x00\x00\x00\xf0\xff",
        ),
        (0x7ff8_0000_0000_0000, b"\x00\x00\x00\x00\x00\x00\xf8\x7f"),
        (0xfff8_0000_0000_0000, b"\x00\x00\x00\x00\x00\x00\xf8\xff"),
        (0x7ff0_0000_0000_0001, b"\x01\x00\x00\x00\x00\x00\xf0\x7f"),
        (0x7ff8_0000_dead_beef, b"\xef\xbe\xad\xde\x00\x00\xf8\x7f"),
        (1, b"\x01\x00\x00\x00\x00\x00\x00\x00"),
        (f64::MAX.to_bits(), b"\xff\xff\xff\xff\xff\xff\xef\x7f"),
    ];
    for mut b in [v2(), v3()] {
        for &(bits, le) in cases {
            b.clear();
            row(&mut b, |b| b.column_f64(cn("x"), f64::from_bits(bits)));
            assert_eq!(b.as_bytes(), cat(&[b"t x==\x10", le, b"\n"]), "{bits:#x}");
        }
    }
    // The exact example of the spec, and two columns in a row.
    let mut b = v2();
    b.table(tn("t"))
        .unwrap()
        .column_f64(cn("x"), 1.5)
        .unwrap()
        .column_f64(cn("y"), 2.0)
        .unwrap();
    b.at_nanos(1).unwrap();
    assert_eq!(
        &b.as_bytes()[2..14],
        b"\x78\x3d\x3d\x10\x00\x00\x00\x00\x00\x00\xf8\x3f"
    );
    assert_eq!(
        b.as_bytes(),
        b"t x==\x10\x00\x00\x00\x00\x00\x00\xf8\x3f,y==\x10\x00\x00\x00\x00\x00\x00\x00\x40 1n\n"
    );
}

#[test]
fn i64_and_bool() {
    for mut b in [v1(), v2(), v3()] {
        b.table(tn("t"))
            .unwrap()
            .column_i64(cn("a"), 0)
            .unwrap()
            .column_i64(cn("b"), -12)
            .unwrap()
            .column_i64(cn("c"), i64::MAX)
            .unwrap()
            .column_i64(cn("d"), i64::MIN)
            .unwrap()
            .column_i64(cn("e"), 1000)
            .unwrap()
            .column_bool(cn("y"), true)
            .unwrap()
            .column_bool(cn("n"), false)
            .unwrap();
        b.at_now().unwrap();
        assert_eq!(
            b.as_bytes(),
            b"t a=0i,b=-12i,c=9223372036854775807i,d=-9223372036854775808i,e=1000i,y=t,n=f\n"
        );
    }
}

// ---------------------------------------------------------------- timestamps

#[test]
fn column_ts_nanos_v1_truncates_to_micros() {
    let cases: &[(i64, &[u8])] = &[
        (0, b"t n=0t\n"),
        (1500, b"t n=1t\n"),
        (-1500, b"t n=-1t\n"),
        (999, b"t n=0t\n"),
        (-999, b"t n=0t\n"),
        (-1000, b"t n=-1t\n"),
        (1_700_000_000_123_456_789, b"t n=1700000000123456t\n"),
        (i64::MAX, b"t n=9223372036854775t\n"),
        (i64::MIN, b"t n=-9223372036854775t\n"),
    ];
    for &(nanos, expected) in cases {
        let mut b = v1();
        row(&mut b, |b| b.column_ts_nanos(cn("n"), nanos));
        assert_eq!(b.as_bytes(), expected, "{nanos}");
    }
}

#[test]
fn column_ts_nanos_v2_v3_keeps_nanos() {
    for mut b in [v2(), v3()] {
        b.table(tn("t"))
            .unwrap()
            .column_ts_nanos(cn("a"), 123)
            .unwrap()
            .column_ts_nanos(cn("b"), -1500)
            .unwrap()
            .column_ts_nanos(cn("c"), i64::MIN)
            .unwrap()
            .column_ts_nanos(cn("d"), 0)
            .unwrap();
        b.at_now().unwrap();
        assert_eq!(
            b.as_bytes(),
            b"t a=123n,b=-1500n,c=-9223372036854775808n,d=0n\n"
        );
    }
}

#[test]
fn column_ts_micros_all_versions() {
    for mut b in [v1(), v2(), v3()] {
        b.table(tn("t"))
            .unwrap()
            .column_ts_micros(cn("a"), 1700000000000000)
            .unwrap()
            .column_ts_micros(cn("b"), -5)
            .unwrap()
            .column_ts_micros(cn("c"), i64::MAX)
            .unwrap()
            .column_ts_micros(cn("d"), 0)
            .unwrap();
        b.at_now().unwrap();
        assert_eq!(
            b.as_bytes(),
            b"t a=1700000000000000t,b=-5t,c=9223372036854775807t,d=0t\n"
        );
    }
}

#[test]
fn at_nanos() {
    let cases: [(i64, &[u8], &[u8]); 4] = [
        (0, b" 0\n", b" 0n\n"),
        (5, b" 5\n", b" 5n\n"),
        (
            1646762637609765000,
            b" 1646762637609765000\n",
            b" 1646762637609765000n\n",
        ),
        (
            i64::MAX,
            b" 9223372036854775807\n",
            b" 9223372036854775807n\n",
        ),
    ];
    for (nanos, v1_text, v2_text) in cases {
        for (mut b, expected) in [(v1(), v1_text), (v2(), v2_text), (v3(), v2_text)] {
            b.table(tn("t"))
                .unwrap()
                .column_bool(cn("x"), true)
                .unwrap();
            b.at_nanos(nanos).unwrap();
            assert_eq!(b.as_bytes(), cat(&[b"t x=t", expected]), "{nanos}");
            assert_eq!(b.row_count(), 1);
        }
    }
}

#[test]
fn at_micros() {
    let cases: [(i64, &[u8], &[u8]); 4] = [
        (0, b" 0\n", b" 0t\n"),
        (7, b" 7000\n", b" 7t\n"),
        (
            9223372036854775,
            b" 9223372036854775000\n",
            b" 9223372036854775t\n",
        ),
        (
            i64::MAX,
            b"never: overflows in v1",
            b" 9223372036854775807t\n",
        ),
    ];
    for (micros, v1_text, v2_text) in cases {
        for (mut b, expected) in [(v1(), v1_text), (v2(), v2_text), (v3(), v2_text)] {
            b.table(tn("t"))
                .unwrap()
                .column_bool(cn("x"), true)
                .unwrap();
            if micros == i64::MAX && b.protocol_version() == V1 {
                continue;
            }
            b.at_micros(micros).unwrap();
            assert_eq!(b.as_bytes(), cat(&[b"t x=t", expected]), "{micros}");
        }
    }
}

#[test]
fn at_micros_v1_overflow() {
    let mut b = v1();
    b.table(tn("t"))
        .unwrap()
        .column_bool(cn("x"), true)
        .unwrap();
    fails_with(
        &mut b,
        ErrorCode::InvalidTimestamp,
        "Timestamp 9223372036854776 micros is out of range: it overflows when converted to nanoseconds.",
        |b| b.at_micros(9223372036854776),
    );
    fails_with(
        &mut b,
        ErrorCode::InvalidTimestamp,
        "Timestamp 9223372036854775807 micros is out of range: it overflows when converted to nanoseconds.",
        |b| b.at_micros(i64::MAX),
    );
    must_fail(&mut b, ErrorCode::InvalidTimestamp, |b| {
        b.at_micros(i64::MIN)
    });
    // The row is still open.
    b.at_micros(1).unwrap();
    assert_eq!(b.as_bytes(), b"t x=t 1000\n");
}

#[test]
fn negative_designated_timestamp() {
    for mut b in [v1(), v2(), v3()] {
        b.table(tn("t")).unwrap().symbol(cn("s"), "v").unwrap();
        fails_with(
            &mut b,
            ErrorCode::InvalidTimestamp,
            "Timestamp -1 is negative. It must be >= 0.",
            |b| b.at_nanos(-1),
        );
        fails_with(
            &mut b,
            ErrorCode::InvalidTimestamp,
            "Timestamp -9223372036854775808 is negative. It must be >= 0.",
            |b| b.at_nanos(i64::MIN),
        );
        let msg = must_fail(&mut b, ErrorCode::InvalidTimestamp, |b| b.at_micros(-1));
        if b.protocol_version() == V1 {
            // Checked after the conversion to nanos.
            assert_eq!(msg, "Timestamp -1000 is negative. It must be >= 0.");
        } else {
            assert_eq!(msg, "Timestamp -1 is negative. It must be >= 0.");
        }
        // Still mid-row: `table` is refused, `at_now` works.
        must_fail(&mut b, ErrorCode::InvalidApiCall, |b| {
            b.table(tn("u")).map(drop)
        });
        b.at_now().unwrap();
        assert_eq!(b.as_bytes(), b"t,s=v\n");
        assert_eq!(b.row_count(), 1);
    }
}

#[test]
fn negative_designated_after_failure_then_at() {
    let mut b = v2();
    b.table(tn("t")).unwrap().column_i64(cn("c"), 1).unwrap();
    must_fail(&mut b, ErrorCode::InvalidTimestamp, |b| b.at_nanos(-5));
    b.at_nanos(0).unwrap();
    assert_eq!(b.as_bytes(), b"t c=1i 0n\n");
}

#[test]
fn at_now_writes_only_newline() {
    for mut b in [v1(), v2(), v3()] {
        b.table(tn("t")).unwrap().column_i64(cn("c"), 1).unwrap();
        b.at_now().unwrap();
        assert_eq!(b.as_bytes(), b"t c=1i\n");
    }
}

// ---------------------------------------------------------------- arrays

fn arr_row(buf: &mut Buffer, view: ArrayView<'_>) -> Result<()> {
    buf.table(tn("t"))?.column_f64_arr(cn("a"), view)?;
    buf.at_now()
}

/// Checks an array view fails with ArrayError (and the exact message if given),
/// mid-row in a V2 buffer, leaving it unchanged.
#[track_caller]
fn arr_fails(view: ArrayView<'_>, msg: Option<&str>) {
    let mut b = v2();
    b.table(tn("t")).unwrap();
    let got = must_fail(&mut b, ErrorCode::ArrayError, |b| {
        b.column_f64_arr(cn("a"), view).map(drop)
    });
    if let Some(msg) = msg {
        assert_eq!(got, msg);
    }
    b.column_i64(cn("ok"), 1).unwrap();
    b.at_now().unwrap();
    assert_eq!(b.as_bytes(), b"t ok=1i\n");
}

#[test]
fn array_rank_1_2_3_c_major() {
    let mut b = v2();
    arr_row(&mut b, ArrayView::c_major(&[2], &[1.0, 2.0])).unwrap();
    assert_eq!(
        b.as_bytes(),
        cat(&[b"t a==\x0e\x0a\x01\x02\x00\x00\x00", F1, F2, b"\n"])
    );

    let mut b = v2();
    let data = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
    arr_row(&mut b, ArrayView::c_major(&[2, 3], &data)).unwrap();
    assert_eq!(
        b.as_bytes(),
        cat(&[
            b"t a==\x0e\x0a\x02\x02\x00\x00\x00\x03\x00\x00\x00",
            F1,
            F2,
            F3,
            F4,
            F5,
            F6,
            b"\n"
        ])
    );

    let mut b = v3();
    let data = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0];
    arr_row(&mut b, ArrayView::c_major(&[2, 2, 2], &data)).unwrap();
    assert_eq!(
        b.as_bytes(),
        cat(&[
            b"t a==\x0e\x0a\x03\x02\x00\x00\x00\x02\x00\x00\x00\x02\x00\x00\x00",
            F1,
            F2,
            F3,
            F4,
            F5,
            F6,
            F7,
            F8,
            b"\n"
        ])
    );
}

#[test]
fn array_shape_bytes_little_endian() {
    // A dimension > 255 shows all four shape bytes; zero-length second dim.
    let mut b = v2();
    arr_row(&mut b, ArrayView::c_major(&[0x0102_0304, 0], &[])).unwrap();
    assert_eq!(
        b.as_bytes(),
        b"t a==\x0e\x0a\x02\x04\x03\x02\x01\x00\x00\x00\x00\n"
    );
}

#[test]
fn array_in_row_with_other_columns() {
    let mut b = v2();
    b.table(tn("t"))
        .unwrap()
        .symbol(cn("s"), "v")
        .unwrap()
        .column_f64_arr(cn("a"), ArrayView::c_major(&[1], &[1.5]))
        .unwrap()
        .column_f64_arr(cn("b"), ArrayView::c_major(&[1], &[2.0]))
        .unwrap()
        .column_i64(cn("c"), 1)
        .unwrap();
    b.at_nanos(3).unwrap();
    assert_eq!(
        b.as_bytes(),
        cat(&[
            b"t,s=v a==\x0e\x0a\x01\x01\x00\x00\x00",
            F1_5,
            b",b==\x0e\x0a\x01\x01\x00\x00\x00",
            F2,
            b",c=1i 3n\n"
        ])
    );
}

#[test]
fn array_zero_length_dimensions() {
    let mut b = v2();
    arr_row(&mut b, ArrayView::c_major(&[0], &[])).unwrap();
    assert_eq!(b.as_bytes(), b"t a==\x0e\x0a\x01\x00\x00\x00\x00\n");

    let mut b = v2();
    arr_row(&mut b, ArrayView::c_major(&[2, 0], &[])).unwrap();
    assert_eq!(
        b.as_bytes(),
        b"t a==\x0e\x0a\x02\x02\x00\x00\x00\x00\x00\x00\x00\n"
    );

    // Zero-length with strides: nothing is read, so no bounds apply.
    let mut b = v2();
    arr_row(
        &mut b,
        ArrayView::elem_strides(&[0, 3], &[100, -100], &[], 7),
    )
    .unwrap();
    assert_eq!(
        b.as_bytes(),
        b"t a==\x0e\x0a\x02\x00\x00\x00\x00\x03\x00\x00\x00\n"
    );
    let mut b = v2();
    arr_row(&mut b, ArrayView::byte_strides(&[3, 0], &[24, 3], &[], 0)).unwrap();
    assert_eq!(
        b.as_bytes(),
        b"t a==\x0e\x0a\x02\x03\x00\x00\x00\x00\x00\x00\x00\n"
    );

    // A bad byte stride on a dimension longer than 1 is refused even when
    // another dimension makes the array empty.
    arr_fails(
        ArrayView::byte_strides(&[3, 0], &[12, 3], &[], 0),
        Some("Array byte stride 12 of dimension 0 is not a multiple of 8"),
    );

    // A zero dim makes the size 0 even with the largest other dims.
    let mut b = v2();
    arr_row(&mut b, ArrayView::c_major(&[0x0fff_ffff, 0], &[])).unwrap();
    assert_eq!(
        b.as_bytes(),
        b"t a==\x0e\x0a\x02\xff\xff\xff\x0f\x00\x00\x00\x00\n"
    );

    // But the data must still match: 0 elements.
    arr_fails(
        ArrayView::c_major(&[2, 0], &[1.0]),
        Some("Array element length mismatch (actual: 1, expected: 0)"),
    );
}

#[test]
fn array_transpose_example() {
    // Memory holds [[1,2],[3,4],[5,6]]; view it transposed as [[1,3,5],[2,4,6]].
    let data = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
    let expected = cat(&[
        b"t a==\x0e\x0a\x02\x02\x00\x00\x00\x03\x00\x00\x00",
        F1,
        F3,
        F5,
        F2,
        F4,
        F6,
        b"\n",
    ]);
    let mut b = v2();
    arr_row(&mut b, ArrayView::elem_strides(&[2, 3], &[1, 2], &data, 0)).unwrap();
    assert_eq!(b.as_bytes(), expected);
    let mut b = v2();
    arr_row(&mut b, ArrayView::byte_strides(&[2, 3], &[8, 16], &data, 0)).unwrap();
    assert_eq!(b.as_bytes(), expected);
}

#[test]
fn array_strided_equal_to_c_major() {
    // Strides that describe the dense layout produce the dense bytes.
    let data = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
    let expected = cat(&[
        b"t a==\x0e\x0a\x02\x02\x00\x00\x00\x03\x00\x00\x00",
        F1,
        F2,
        F3,
        F4,
        F5,
        F6,
        b"\n",
    ]);
    for view in [
        ArrayView::c_major(&[2, 3], &data),
        ArrayView::elem_strides(&[2, 3], &[3, 1], &data, 0),
        ArrayView::byte_strides(&[2, 3], &[24, 8], &data, 0),
    ] {
        let mut b = v2();
        arr_row(&mut b, view).unwrap();
        assert_eq!(b.as_bytes(), expected);
    }
    // Dense rows at an origin mid-slice: elements 2..8 of 0..9.
    let data = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0];
    let mut b = v2();
    arr_row(&mut b, ArrayView::elem_strides(&[2, 3], &[3, 1], &data, 2)).unwrap();
    assert_eq!(
        b.as_bytes(),
        cat(&[
            b"t a==\x0e\x0a\x02\x02\x00\x00\x00\x03\x00\x00\x00",
            F2,
            F3,
            F4,
            F5,
            F6,
            F7,
            b"\n"
        ])
    );
}

#[test]
fn array_negative_and_non_contiguous_strides() {
    let data = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0];
    let one_dim = b"t a==\x0e\x0a\x01\x03\x00\x00\x00";
    let cases: &[(ArrayView<'_>, Vec<u8>)] = &[
        // Every other element from the middle.
        (
            ArrayView::elem_strides(&[3], &[2], &data, 3),
            cat(&[one_dim, F3, F5, F7, b"\n"]),
        ),
        // Backwards from the middle.
        (
            ArrayView::elem_strides(&[3], &[-2], &data, 7),
            cat(&[one_dim, F7, F5, F3, b"\n"]),
        ),
        (
            ArrayView::byte_strides(&[3], &[-16], &data, 7),
            cat(&[one_dim, F7, F5, F3, b"\n"]),
        ),
        // Reversed to the very first element.
        (
            ArrayView::elem_strides(&[3], &[-1], &data, 2),
            cat(&[one_dim, F2, F1, F0, b"\n"]),
        ),
        // Up to the very last element.
        (
            ArrayView::elem_strides(&[3], &[3], &data, 3),
            cat(&[one_dim, F3, F6, F9, b"\n"]),
        ),
        // Broadcast: stride 0 repeats one element.
        (
            ArrayView::elem_strides(&[3], &[0], &data, 7),
            cat(&[one_dim, F7, F7, F7, b"\n"]),
        ),
        // 2-D fully reversed: [[6,5,4],[3,2,1]] from 1..=6 at origin 6.
        (
            ArrayView::elem_strides(&[2, 3], &[-3, -1], &data, 6),
            cat(&[
                b"t a==\x0e\x0a\x02\x02\x00\x00\x00\x03\x00\x00\x00",
                F6,
                F5,
                F4,
                F3,
                F2,
                F1,
                b"\n",
            ]),
        ),
        (
            ArrayView::byte_strides(&[2, 3], &[-24, -8], &data, 6),
            cat(&[
                b"t a==\x0e\x0a\x02\x02\x00\x00\x00\x03\x00\x00\x00",
                F6,
                F5,
                F4,
                F3,
                F2,
                F1,
                b"\n",
            ]),
        ),
        // Mixed signs: rows forward, columns backward.
        (
            ArrayView::elem_strides(&[2, 3], &[3, -1], &data, 3),
            cat(&[
                b"t a==\x0e\x0a\x02\x02\x00\x00\x00\x03\x00\x00\x00",
                F3,
                F2,
                F1,
                F6,
                F5,
                F4,
                b"\n",
            ]),
        ),
        // Rank 3 with element strides [1, 2, 4] over 1..=8.
        (
            ArrayView::elem_strides(&[2, 2, 2], &[1, 2, 4], &data, 1),
            cat(&[
                b"t a==\x0e\x0a\x03\x02\x00\x00\x00\x02\x00\x00\x00\x02\x00\x00\x00",
                F1,
                F5,
                F3,
                F7,
                F2,
                F6,
                F4,
                F8,
                b"\n",
            ]),
        ),
        // Rank 3 with gaps and a length-1 middle dim (its odd stride is unused).
        (
            ArrayView::byte_strides(&[2, 1, 2], &[40, 999, 16], &data, 1),
            cat(&[
                b"t a==\x0e\x0a\x03\x02\x00\x00\x00\x01\x00\x00\x00\x02\x00\x00\x00",
                F1,
                F3,
                F6,
                F8,
                b"\n",
            ]),
        ),
    ];
    for (i, (view, expected)) in cases.iter().enumerate() {
        let mut b = v2();
        arr_row(&mut b, *view).unwrap();
        assert_eq!(b.as_bytes(), &expected[..], "case {i}");
    }
}

#[test]
fn array_len_1_dims_ignore_their_stride() {
    let data = [1.0, 2.0, 3.0];
    // Byte stride 12 (not a multiple of 8) is fine on a length-1 dimension,
    // and so is a huge stride that would point outside the data.
    let mut b = v2();
    arr_row(&mut b, ArrayView::byte_strides(&[1], &[12], &data, 2)).unwrap();
    assert_eq!(
        b.as_bytes(),
        cat(&[b"t a==\x0e\x0a\x01\x01\x00\x00\x00", F3, b"\n"])
    );
    let mut b = v2();
    arr_row(
        &mut b,
        ArrayView::byte_strides(&[1, 3], &[isize::MAX, 8], &data, 0),
    )
    .unwrap();
    assert_eq!(
        b.as_bytes(),
        cat(&[
            b"t a==\x0e\x0a\x02\x01\x00\x00\x00\x03\x00\x00\x00",
            F1,
            F2,
            F3,
            b"\n"
        ])
    );
    let mut b = v2();
    arr_row(
        &mut b,
        ArrayView::elem_strides(&[3, 1], &[-1, isize::MIN], &data, 2),
    )
    .unwrap();
    assert_eq!(
        b.as_bytes(),
        cat(&[
            b"t a==\x0e\x0a\x02\x03\x00\x00\x00\x01\x00\x00\x00",
            F3,
            F2,
            F1,
            b"\n"
        ])
    );
}

#[test]
fn array_rank_limits() {
    arr_fails(
        ArrayView::c_major(&[], &[]),
        Some("Zero-dimensional arrays are not supported"),
    );
    arr_fails(
        ArrayView::c_major(&[], &[1.0]),
        Some("Zero-dimensional arrays are not supported"),
    );
    arr_fails(
        ArrayView::elem_strides(&[], &[], &[1.0], 0),
        Some("Zero-dimensional arrays are not supported"),
    );
    arr_fails(
        ArrayView::c_major(&[1; 33], &[1.0]),
        Some("Array dimension mismatch: expected at most 32 dimensions, but got 33"),
    );
    // 32 is the maximum.
    let mut b = v2();
    arr_row(&mut b, ArrayView::c_major(&[1; 32], &[1.0])).unwrap();
    let mut expected = b"t a==\x0e\x0a\x20".to_vec();
    for _ in 0..32 {
        expected.extend_from_slice(b"\x01\x00\x00\x00");
    }
    expected.extend_from_slice(F1);
    expected.push(b'\n');
    assert_eq!(b.as_bytes(), expected);
}

#[test]
fn array_size_limits() {
    arr_fails(
        ArrayView::c_major(&[0x1000_0000], &[]),
        Some("dimension length out of range: dimension 0 has length 268435456 (max 268435455)"),
    );
    // Checked even when another dimension is 0.
    arr_fails(
        ArrayView::c_major(&[0, 0x1000_0000], &[]),
        Some("dimension length out of range: dimension 1 has length 268435456 (max 268435455)"),
    );
    arr_fails(
        ArrayView::elem_strides(&[2, usize::MAX], &[1, 1], &[], 0),
        None,
    );
    // One dimension at its maximum is 2 GiB of data: too big.
    arr_fails(
        ArrayView::c_major(&[0x0fff_ffff], &[]),
        Some("Array buffer size too big: 268435455 elements of 8 bytes exceed the limit of 536870912 bytes"),
    );
    arr_fails(
        ArrayView::c_major(&[8192, 8193], &[]),
        Some("Array buffer size too big: 67117056 elements of 8 bytes exceed the limit of 536870912 bytes"),
    );
    // Product overflowing usize is still just "too big".
    let msg = {
        let mut b = v2();
        b.table(tn("t")).unwrap();
        must_fail(&mut b, ErrorCode::ArrayError, |b| {
            b.column_f64_arr(cn("a"), ArrayView::c_major(&[0x0fff_ffff; 32], &[]))
                .map(drop)
        })
    };
    assert!(msg.starts_with("Array buffer size too big: "), "{msg}");
    // Exactly 512 MiB passes the size check (and then fails on the data).
    arr_fails(
        ArrayView::c_major(&[8192, 8192], &[]),
        Some("Array element length mismatch (actual: 0, expected: 67108864)"),
    );
    assert_eq!(MAX_ARRAY_DIMS, 32);
    assert_eq!(MAX_ARRAY_DIM_LEN, 0x0fff_ffff);
    assert_eq!(MAX_ARRAY_BUFFER_SIZE, 536870912);
}

#[test]
fn array_data_mismatch_and_bad_strides() {
    let data = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0];
    arr_fails(
        ArrayView::c_major(&[2, 3], &data[..5]),
        Some("Array element length mismatch (actual: 5, expected: 6)"),
    );
    arr_fails(
        ArrayView::c_major(&[2, 3], &data[..7]),
        Some("Array element length mismatch (actual: 7, expected: 6)"),
    );
    arr_fails(
        ArrayView::elem_strides(&[2, 3], &[3], &data, 0),
        Some("Array strides mismatch: 1 strides for 2 dimensions"),
    );
    arr_fails(
        ArrayView::byte_strides(&[2], &[8, 8], &data, 0),
        Some("Array strides mismatch: 2 strides for 1 dimensions"),
    );
    // Strides reaching past the end or before the start of the slice.
    arr_fails(
        ArrayView::elem_strides(&[3], &[2], &data, 6),
        Some(
            "Array strides reach outside the data: elements 6..=10 read, but only 0..10 are given",
        ),
    );
    arr_fails(
        ArrayView::elem_strides(&[3], &[-2], &data, 3),
        Some(
            "Array strides reach outside the data: elements -1..=3 read, but only 0..10 are given",
        ),
    );
    arr_fails(
        ArrayView::byte_strides(&[2, 3], &[-24, 8], &data, 2),
        Some(
            "Array strides reach outside the data: elements -1..=4 read, but only 0..10 are given",
        ),
    );
    // Origin itself outside the data.
    arr_fails(ArrayView::elem_strides(&[1], &[1], &data, 10), None);
    arr_fails(ArrayView::elem_strides(&[1], &[1], &[], 0), None);
    // Dense strides over a slice too short.
    arr_fails(
        ArrayView::elem_strides(&[2, 3], &[3, 1], &data[..5], 0),
        None,
    );
    // Huge strides must not overflow into "inside".
    arr_fails(ArrayView::elem_strides(&[2], &[isize::MAX], &data, 0), None);
    arr_fails(ArrayView::elem_strides(&[2], &[isize::MIN], &data, 9), None);
    arr_fails(
        ArrayView::elem_strides(&[3, 3], &[isize::MAX, isize::MAX], &data, 0),
        None,
    );
    // Byte strides must be multiples of 8 on dimensions longer than 1.
    arr_fails(
        ArrayView::byte_strides(&[2], &[12], &data, 0),
        Some("Array byte stride 12 of dimension 0 is not a multiple of 8"),
    );
    arr_fails(
        ArrayView::byte_strides(&[1, 2], &[8, 4], &data, 0),
        Some("Array byte stride 4 of dimension 1 is not a multiple of 8"),
    );
    arr_fails(
        ArrayView::byte_strides(&[2], &[-9], &data, 5),
        Some("Array byte stride -9 of dimension 0 is not a multiple of 8"),
    );
    arr_fails(ArrayView::byte_strides(&[2], &[1], &data, 0), None);
}

#[test]
fn array_needs_v2() {
    let mut b = v1();
    b.table(tn("t")).unwrap();
    fails_with(
        &mut b,
        ErrorCode::ProtocolVersionError,
        "Protocol version v1 does not support the array datatype (needs v2 or later)",
        |b| {
            b.column_f64_arr(cn("a"), ArrayView::c_major(&[1], &[1.0]))
                .map(drop)
        },
    );
    // The version is checked before the array itself, and before the state.
    must_fail(&mut b, ErrorCode::ProtocolVersionError, |b| {
        b.column_f64_arr(cn("a"), ArrayView::c_major(&[], &[]))
            .map(drop)
    });
    let mut init = v1();
    must_fail(&mut init, ErrorCode::ProtocolVersionError, |b| {
        b.column_f64_arr(cn("a"), ArrayView::c_major(&[1], &[1.0]))
            .map(drop)
    });
}

#[test]
fn array_checked_before_name_and_state() {
    let mut b = Buffer::with_max_name_len(V2, 4);
    must_fail(&mut b, ErrorCode::ArrayError, |b| {
        b.column_f64_arr(cn("abcde"), ArrayView::c_major(&[], &[]))
            .map(drop)
    });
    must_fail(&mut b, ErrorCode::InvalidName, |b| {
        b.column_f64_arr(cn("abcde"), ArrayView::c_major(&[1], &[1.0]))
            .map(drop)
    });
    must_fail(&mut b, ErrorCode::InvalidApiCall, |b| {
        b.column_f64_arr(cn("a"), ArrayView::c_major(&[1], &[1.0]))
            .map(drop)
    });
}

#[test]
fn array_view_shape() {
    let data = [1.0; 6];
    assert_eq!(ArrayView::c_major(&[2, 3], &data).shape(), &[2, 3]);
    assert_eq!(ArrayView::elem_strides(&[3], &[2], &data, 0).shape(), &[3]);
    assert_eq!(ArrayView::byte_strides(&[6], &[8], &data, 0).shape(), &[6]);
}

// ---------------------------------------------------------------- decimals

#[test]
fn decimal_text_valid() {
    for text in [
        "123.45",
        "-1.5e-3",
        "NaN",
        "Infinity",
        "+Infinity",
        "-Infinity",
        "Inf",
        "-Inf",
        "0",
        ".5",
        "1.",
        "-0.001",
        "+1",
        "1E5",
        "1e+5",
        "1.5E-10",
        "007",
    ] {
        let mut b = v3();
        row(&mut b, |b| b.column_dec_str(cn("x"), text));
        assert_eq!(b.as_bytes(), format!("t x={text}d\n").as_bytes(), "{text}");
    }
    // Spec examples written in one row.
    let mut b = v3();
    b.table(tn("t"))
        .unwrap()
        .column_dec_str(cn("price"), "123.45")
        .unwrap()
        .column_dec_str(cn("x"), "-1.5e-3")
        .unwrap()
        .column_dec_str(cn("y"), "NaN")
        .unwrap()
        .column_dec_str(cn("z"), "+Infinity")
        .unwrap();
    b.at_now().unwrap();
    assert_eq!(
        b.as_bytes(),
        b"t price=123.45d,x=-1.5e-3d,y=NaNd,z=+Infinityd\n"
    );
}

#[test]
fn decimal_text_invalid() {
    let not_a_number = |s: &str| {
        format!(
            "Bad decimal {s:?}: not a number (expected e.g. `123.45`, `-1.5e-3`, `NaN` or `Infinity`)."
        )
    };
    let cases: &[(&str, String)] = &[
        ("", not_a_number("")),
        ("1.2.3", not_a_number("1.2.3")),
        ("--1", not_a_number("--1")),
        ("1e", not_a_number("1e")),
        ("e5", not_a_number("e5")),
        (".", not_a_number(".")),
        ("-", not_a_number("-")),
        ("+", not_a_number("+")),
        ("1e5.0", not_a_number("1e5.0")),
        ("1e2e3", not_a_number("1e2e3")),
        ("1-2", not_a_number("1-2")),
        ("nan", not_a_number("nan")),
        ("-NaN", not_a_number("-NaN")),
        ("Infinit", not_a_number("Infinit")),
        ("1e+", not_a_number("1e+")),
        (
            "abc",
            "Bad decimal \"abc\": invalid character 'b' at byte position 1.".to_string(),
        ),
        (
            "1,5",
            "Bad decimal \"1,5\": invalid character ',' at byte position 1.".to_string(),
        ),
        (
            "1 5",
            "Bad decimal \"1 5\": invalid character ' ' at byte position 1.".to_string(),
        ),
        (
            "1.5d",
            "Bad decimal \"1.5d\": invalid character 'd' at byte position 3.".to_string(),
        ),
        (
            "é1",
            "Bad decimal \"é1\": invalid character 'é' at byte position 0.".to_string(),
        ),
        (
            "1\n",
            "Bad decimal \"1\\n\": invalid character '\\n' at byte position 1.".to_string(),
        ),
    ];
    for (text, msg) in cases {
        let mut b = v3();
        b.table(tn("t")).unwrap();
        fails_with(&mut b, ErrorCode::InvalidDecimal, msg, |b| {
            b.column_dec_str(cn("x"), text).map(drop)
        });
    }
}

#[test]
fn decimal_binary() {
    let mut b = v3();
    b.table(tn("t"))
        .unwrap()
        .column_dec(cn("a"), 2, &[0x30, 0x39])
        .unwrap()
        .column_dec(cn("b"), 0, &[0x30, 0x39])
        .unwrap()
        .column_dec(cn("c"), 76, &[0xff])
        .unwrap()
        .column_dec(cn("d"), 3, &[])
        .unwrap();
    b.at_now().unwrap();
    assert_eq!(
        b.as_bytes(),
        b"t a==\x17\x02\x02\x30\x39,b==\x17\x00\x02\x30\x39,c==\x17\x4c\x01\xff,d==\x17\x03\x00\n"
    );

    // 32 bytes is the maximum.
    let value: Vec<u8> = (1..=32).collect();
    let mut b = v3();
    row(&mut b, |b| b.column_dec(cn("x"), 5, &value));
    let mut expected = b"t x==\x17\x05\x20".to_vec();
    expected.extend_from_slice(&value);
    expected.push(b'\n');
    assert_eq!(b.as_bytes(), expected);
    assert_eq!(b.len(), 4 + 4 + 32 + 1);
}

#[test]
fn decimal_binary_invalid() {
    let mut b = v3();
    b.table(tn("t")).unwrap();
    fails_with(
        &mut b,
        ErrorCode::InvalidDecimal,
        "QuestDB ILP does not support decimal scale greater than 76, got 77",
        |b| b.column_dec(cn("x"), 77, &[1]).map(drop),
    );
    fails_with(
        &mut b,
        ErrorCode::InvalidDecimal,
        "QuestDB ILP does not support decimal scale greater than 76, got 4294967295",
        |b| b.column_dec(cn("x"), u32::MAX, &[1]).map(drop),
    );
    // 256 would wrap to 0 as a u8: must be refused, not truncated.
    must_fail(&mut b, ErrorCode::InvalidDecimal, |b| {
        b.column_dec(cn("x"), 256, &[1]).map(drop)
    });
    fails_with(
        &mut b,
        ErrorCode::InvalidDecimal,
        "QuestDB ILP does not support decimal longer than 32 bytes, got 33",
        |b| b.column_dec(cn("x"), 0, &[0; 33]).map(drop),
    );
    must_fail(&mut b, ErrorCode::InvalidDecimal, |b| {
        b.column_dec(cn("x"), 0, &[0; 256]).map(drop)
    });
    assert_eq!(MAX_DECIMAL_SCALE, 76);
    assert_eq!(MAX_DECIMAL_BYTES, 32);
    assert_eq!(DECIMAL_BINARY_FORMAT_TYPE, 23);
}

#[test]
fn decimal_needs_v3() {
    for (mut b, v) in [(v1(), "v1"), (v2(), "v2")] {
        b.table(tn("t")).unwrap();
        let msg = format!(
            "Protocol version {v} does not support the decimal datatype (needs v3 or later)"
        );
        fails_with(&mut b, ErrorCode::ProtocolVersionError, &msg, |b| {
            b.column_dec_str(cn("x"), "1.5").map(drop)
        });
        fails_with(&mut b, ErrorCode::ProtocolVersionError, &msg, |b| {
            b.column_dec(cn("x"), 1, &[15]).map(drop)
        });
        // Version first, even for a bad value or a bad state.
        must_fail(&mut b, ErrorCode::ProtocolVersionError, |b| {
            b.column_dec_str(cn("x"), "abc").map(drop)
        });
        must_fail(&mut b, ErrorCode::ProtocolVersionError, |b| {
            b.column_dec(cn("x"), 99, &[]).map(drop)
        });
        let mut init = Buffer::new(b.protocol_version());
        must_fail(&mut init, ErrorCode::ProtocolVersionError, |b| {
            b.column_dec(cn("x"), 1, &[15]).map(drop)
        });
    }
}

#[test]
fn decimal_checked_before_name_and_state() {
    let mut b = Buffer::with_max_name_len(V3, 4);
    must_fail(&mut b, ErrorCode::InvalidDecimal, |b| {
        b.column_dec_str(cn("abcde"), "x").map(drop)
    });
    must_fail(&mut b, ErrorCode::InvalidDecimal, |b| {
        b.column_dec(cn("abcde"), 77, &[]).map(drop)
    });
    must_fail(&mut b, ErrorCode::InvalidName, |b| {
        b.column_dec_str(cn("abcde"), "1").map(drop)
    });
    must_fail(&mut b, ErrorCode::InvalidApiCall, |b| {
        b.column_dec(cn("a"), 1, &[1]).map(drop)
    });
}

// ---------------------------------------------------------------- state machine

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum St {
    Init,
    Table,
    Symbol,
    Column,
    Done,
}

const STATES: [St; 5] = [St::Init, St::Table, St::Symbol, St::Column, St::Done];

/// A buffer in state `st`; its bytes are `prefix(st)`.
fn in_state(version: ProtocolVersion, st: St) -> Buffer {
    let mut b = Buffer::new(version);
    match st {
        St::Init => {}
        St::Table => {
            b.table(tn("t")).unwrap();
        }
        St::Symbol => {
            b.table(tn("t")).unwrap().symbol(cn("s"), "v").unwrap();
        }
        St::Column => {
            b.table(tn("t")).unwrap().column_i64(cn("c"), 1).unwrap();
        }
        St::Done => {
            b.table(tn("t")).unwrap().column_i64(cn("c"), 1).unwrap();
            b.at_now().unwrap();
        }
    }
    assert_eq!(b.as_bytes(), prefix(st));
    b
}

fn prefix(st: St) -> &'static [u8] {
    match st {
        St::Init => b"",
        St::Table => b"t",
        St::Symbol => b"t,s=v",
        St::Column => b"t c=1i",
        St::Done => b"t c=1i\n",
    }
}

fn hint(st: St) -> &'static str {
    match st {
        St::Init => "should have called `table` instead",
        St::Table => "should have called `symbol` or `column` instead",
        St::Symbol => "should have called `symbol`, `column` or `at` instead",
        St::Column => "should have called `column` or `at` instead",
        St::Done => "should have called `flush` or `table` instead",
    }
}

fn row_state(st: St) -> RowState {
    match st {
        St::Init => RowState::Init,
        St::Table => RowState::TableWritten,
        St::Symbol => RowState::SymbolWritten,
        St::Column => RowState::ColumnWritten,
        St::Done => RowState::RowDone,
    }
}

type Call = fn(&mut Buffer) -> Result<()>;

struct OpCase {
    /// The op name in state-error messages.
    op: &'static str,
    call: Call,
    allowed_in: &'static [St],
    /// Column ops get a ' ' or ',' separator before `bytes`.
    is_column: bool,
    /// Bytes appended in v1 (None: the call is not available in v1).
    v1: Option<&'static [u8]>,
    /// Bytes appended in v3.
    v3: &'static [u8],
    /// State after success (None: unchanged).
    next: Option<St>,
}

const COLUMN_STATES: &[St] = &[St::Table, St::Symbol, St::Column];

fn op_cases() -> Vec<OpCase> {
    fn col(call: Call, v1: Option<&'static [u8]>, v3: &'static [u8]) -> OpCase {
        OpCase {
            op: "column",
            call,
            allowed_in: COLUMN_STATES,
            is_column: true,
            v1,
            v3,
            next: Some(St::Column),
        }
    }
    fn at(call: Call, v1: &'static [u8], v3: &'static [u8]) -> OpCase {
        OpCase {
            op: "at",
            call,
            allowed_in: &[St::Symbol, St::Column],
            is_column: false,
            v1: Some(v1),
            v3,
            next: Some(St::Done),
        }
    }
    vec![
        OpCase {
            op: "table",
            call: |b| b.table(tn("u")).map(drop),
            allowed_in: &[St::Init, St::Done],
            is_column: false,
            v1: Some(b"u"),
            v3: b"u",
            next: Some(St::Table),
        },
        OpCase {
            op: "symbol",
            call: |b| b.symbol(cn("k"), "w").map(drop),
            allowed_in: &[St::Table, St::Symbol],
            is_column: false,
            v1: Some(b",k=w"),
            v3: b",k=w",
            next: Some(St::Symbol),
        },
        col(
            |b| b.column_bool(cn("b"), true).map(drop),
            Some(b"b=t"),
            b"b=t",
        ),
        col(
            |b| b.column_i64(cn("i"), -7).map(drop),
            Some(b"i=-7i"),
            b"i=-7i",
        ),
        col(
            |b| b.column_f64(cn("f"), 1.5).map(drop),
            Some(b"f=1.5"),
            b"f==\x10\x00\x00\x00\x00\x00\x00\xf8\x3f",
        ),
        col(
            |b| b.column_str(cn("s"), "x").map(drop),
            Some(b"s=\"x\""),
            b"s=\"x\"",
        ),
        col(
            |b| b.column_ts_nanos(cn("n"), 1500).map(drop),
            Some(b"n=1t"),
            b"n=1500n",
        ),
        col(
            |b| b.column_ts_micros(cn("m"), 15).map(drop),
            Some(b"m=15t"),
            b"m=15t",
        ),
        col(
            |b| b.column_dec_str(cn("d"), "1.5").map(drop),
            None,
            b"d=1.5d",
        ),
        col(
            |b| b.column_dec(cn("e"), 1, &[0x0f]).map(drop),
            None,
            b"e==\x17\x01\x01\x0f",
        ),
        col(
            |b| {
                b.column_f64_arr(cn("a"), ArrayView::c_major(&[1], &[1.5]))
                    .map(drop)
            },
            None,
            b"a==\x0e\x0a\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\xf8\x3f",
        ),
        at(|b| b.at_nanos(5), b" 5\n", b" 5n\n"),
        at(|b| b.at_micros(5), b" 5000\n", b" 5t\n"),
        at(|b| b.at_now(), b"\n", b"\n"),
        OpCase {
            op: "flush",
            call: |b| b.check_can_flush(),
            // Ours: an empty buffer can be flushed (a no-op).
            allowed_in: &[St::Init, St::Done],
            is_column: false,
            v1: Some(b""),
            v3: b"",
            next: None,
        },
    ]
}

#[test]
fn state_machine_every_op_from_every_state() {
    let mut checked = 0;
    for version in [V1, V3] {
        for case in op_cases() {
            let Some(appended) = (if version == V1 {
                case.v1
            } else {
                Some(case.v3)
            }) else {
                continue;
            };
            for st in STATES {
                let mut b = in_state(version, st);
                let rows_before = b.row_count();
                if case.allowed_in.contains(&st) {
                    (case.call)(&mut b).unwrap_or_else(|e| {
                        panic!("{} in {st:?} ({version}): {}", case.op, e.msg())
                    });
                    let sep: &[u8] = match (case.is_column, st) {
                        (false, _) => b"",
                        (true, St::Column) => b",",
                        (true, _) => b" ",
                    };
                    assert_eq!(
                        b.as_bytes(),
                        cat(&[prefix(st), sep, appended]),
                        "{} in {st:?} ({version})",
                        case.op
                    );
                    let next = case.next.unwrap_or(st);
                    assert_eq!(b.progress.state, row_state(next));
                    let expected_rows =
                        rows_before + usize::from(next == St::Done && st != St::Done);
                    assert_eq!(b.row_count(), expected_rows);
                } else {
                    let msg = format!("State error: Bad call to `{}`, {}.", case.op, hint(st));
                    fails_with(&mut b, ErrorCode::InvalidApiCall, &msg, case.call);
                }
                checked += 1;
            }
        }
    }
    assert_eq!(checked, (12 + 15) * 5);
}

#[test]
fn state_specific_refusals() {
    // Symbol after a column.
    let mut b = in_state(V1, St::Column);
    fails_with(
        &mut b,
        ErrorCode::InvalidApiCall,
        "State error: Bad call to `symbol`, should have called `column` or `at` instead.",
        |b| b.symbol(cn("s"), "v").map(drop),
    );
    // `at` directly after `table`: a row needs a symbol or a column.
    let mut b = in_state(V1, St::Table);
    for call in [
        (|b: &mut Buffer| b.at_now()) as Call,
        |b| b.at_nanos(1),
        |b| b.at_micros(1),
    ] {
        fails_with(
            &mut b,
            ErrorCode::InvalidApiCall,
            "State error: Bad call to `at`, should have called `symbol` or `column` instead.",
            call,
        );
    }
    // The row is still open after a refused `at_now`: `table` is refused too.
    fails_with(
        &mut b,
        ErrorCode::InvalidApiCall,
        "State error: Bad call to `table`, should have called `symbol` or `column` instead.",
        |b| b.table(tn("u")).map(drop),
    );
    b.column_i64(cn("c"), 1).unwrap();
    b.at_now().unwrap();
    assert_eq!(b.as_bytes(), b"t c=1i\n");
}

#[test]
fn check_can_flush() {
    // Empty (ours: ok), mid-row (error), row done (ok).
    let mut b = v1();
    b.check_can_flush().unwrap();
    b.table(tn("t")).unwrap();
    fails_with(
        &mut b,
        ErrorCode::InvalidApiCall,
        "State error: Bad call to `flush`, should have called `symbol` or `column` instead.",
        |b| b.check_can_flush(),
    );
    b.symbol(cn("s"), "v").unwrap();
    fails_with(
        &mut b,
        ErrorCode::InvalidApiCall,
        "State error: Bad call to `flush`, should have called `symbol`, `column` or `at` instead.",
        |b| b.check_can_flush(),
    );
    b.column_bool(cn("c"), true).unwrap();
    fails_with(
        &mut b,
        ErrorCode::InvalidApiCall,
        "State error: Bad call to `flush`, should have called `column` or `at` instead.",
        |b| b.check_can_flush(),
    );
    b.at_now().unwrap();
    b.check_can_flush().unwrap();
    // A second row mid-way makes it unflushable again.
    b.table(tn("t")).unwrap();
    must_fail(&mut b, ErrorCode::InvalidApiCall, |b| b.check_can_flush());
    // After clear and after rewinding to an empty marker: empty again, ok.
    b.clear();
    b.check_can_flush().unwrap();
    b.set_marker().unwrap();
    b.table(tn("t"))
        .unwrap()
        .column_bool(cn("c"), true)
        .unwrap();
    b.rewind_to_marker().unwrap();
    b.check_can_flush().unwrap();
}

#[test]
fn many_symbols_and_columns() {
    let mut b = v1();
    b.table(tn("t"))
        .unwrap()
        .symbol(cn("a"), "1")
        .unwrap()
        .symbol(cn("b"), "2")
        .unwrap()
        .symbol(cn("c"), "3")
        .unwrap();
    b.at_now().unwrap();
    b.table(tn("t"))
        .unwrap()
        .column_i64(cn("x"), 1)
        .unwrap()
        .column_i64(cn("y"), 2)
        .unwrap()
        .column_i64(cn("z"), 3)
        .unwrap();
    b.at_nanos(9).unwrap();
    // Duplicate names are not detected.
    b.table(tn("t"))
        .unwrap()
        .symbol(cn("a"), "1")
        .unwrap()
        .symbol(cn("a"), "2")
        .unwrap()
        .column_i64(cn("a"), 3)
        .unwrap()
        .column_i64(cn("a"), 4)
        .unwrap();
    b.at_now().unwrap();
    assert_eq!(
        b.as_bytes(),
        b"t,a=1,b=2,c=3\nt x=1i,y=2i,z=3i 9\nt,a=1,a=2 a=3i,a=4i\n"
    );
    assert_eq!(b.row_count(), 3);
    assert!(b.transactional());
}

// ---------------------------------------------------------------- failing calls leave no trace

/// Calls that fail whatever the state; (name, call, code in v1, code in v3).
fn always_failing() -> Vec<(&'static str, Call, ErrorCode, ErrorCode)> {
    use ErrorCode::*;
    fn case(
        name: &'static str,
        call: Call,
        v1: ErrorCode,
        v3: ErrorCode,
    ) -> (&'static str, Call, ErrorCode, ErrorCode) {
        (name, call, v1, v3)
    }
    vec![
        case(
            "long table",
            |b| b.table(tn("abcde")).map(drop),
            InvalidName,
            InvalidName,
        ),
        case(
            "long table bytes",
            |b| b.table(tn("ééé")).map(drop),
            InvalidName,
            InvalidName,
        ),
        case(
            "long symbol",
            |b| b.symbol(cn("abcde"), "v").map(drop),
            InvalidName,
            InvalidName,
        ),
        case(
            "long bool",
            |b| b.column_bool(cn("abcde"), true).map(drop),
            InvalidName,
            InvalidName,
        ),
        case(
            "long i64",
            |b| b.column_i64(cn("abcde"), 1).map(drop),
            InvalidName,
            InvalidName,
        ),
        case(
            "long f64",
            |b| b.column_f64(cn("abcde"), 1.0).map(drop),
            InvalidName,
            InvalidName,
        ),
        case(
            "long str",
            |b| b.column_str(cn("abcde"), "x").map(drop),
            InvalidName,
            InvalidName,
        ),
        case(
            "long ts_nanos",
            |b| b.column_ts_nanos(cn("abcde"), 1).map(drop),
            InvalidName,
            InvalidName,
        ),
        case(
            "long ts_micros",
            |b| b.column_ts_micros(cn("abcde"), 1).map(drop),
            InvalidName,
            InvalidName,
        ),
        case(
            "long dec_str",
            |b| b.column_dec_str(cn("abcde"), "1").map(drop),
            ProtocolVersionError,
            InvalidName,
        ),
        case(
            "long dec",
            |b| b.column_dec(cn("abcde"), 0, &[1]).map(drop),
            ProtocolVersionError,
            InvalidName,
        ),
        case(
            "long arr",
            |b| {
                b.column_f64_arr(cn("abcde"), ArrayView::c_major(&[1], &[1.0]))
                    .map(drop)
            },
            ProtocolVersionError,
            InvalidName,
        ),
        case(
            "at_nanos -1",
            |b| b.at_nanos(-1),
            InvalidTimestamp,
            InvalidTimestamp,
        ),
        case(
            "at_nanos min",
            |b| b.at_nanos(i64::MIN),
            InvalidTimestamp,
            InvalidTimestamp,
        ),
        case(
            "at_micros -1",
            |b| b.at_micros(-1),
            InvalidTimestamp,
            InvalidTimestamp,
        ),
        case(
            "dec_str 1.2.3",
            |b| b.column_dec_str(cn("d"), "1.2.3").map(drop),
            ProtocolVersionError,
            InvalidDecimal,
        ),
        case(
            "dec_str empty",
            |b| b.column_dec_str(cn("d"), "").map(drop),
            ProtocolVersionError,
            InvalidDecimal,
        ),
        case(
            "dec_str 1,5",
            |b| b.column_dec_str(cn("d"), "1,5").map(drop),
            ProtocolVersionError,
            InvalidDecimal,
        ),
        case(
            "dec scale 77",
            |b| b.column_dec(cn("d"), 77, &[1]).map(drop),
            ProtocolVersionError,
            InvalidDecimal,
        ),
        case(
            "dec 33 bytes",
            |b| b.column_dec(cn("d"), 0, &[1; 33]).map(drop),
            ProtocolVersionError,
            InvalidDecimal,
        ),
        case(
            "arr rank 0",
            |b| {
                b.column_f64_arr(cn("a"), ArrayView::c_major(&[], &[]))
                    .map(drop)
            },
            ProtocolVersionError,
            ArrayError,
        ),
        case(
            "arr rank 33",
            |b| {
                b.column_f64_arr(cn("a"), ArrayView::c_major(&[1; 33], &[1.0]))
                    .map(drop)
            },
            ProtocolVersionError,
            ArrayError,
        ),
        case(
            "arr data mismatch",
            |b| {
                b.column_f64_arr(cn("a"), ArrayView::c_major(&[2, 3], &[1.0; 5]))
                    .map(drop)
            },
            ProtocolVersionError,
            ArrayError,
        ),
        case(
            "arr out of bounds",
            |b| {
                b.column_f64_arr(cn("a"), ArrayView::elem_strides(&[3], &[2], &[1.0; 5], 1))
                    .map(drop)
            },
            ProtocolVersionError,
            ArrayError,
        ),
        case(
            "arr byte stride 12",
            |b| {
                b.column_f64_arr(cn("a"), ArrayView::byte_strides(&[2], &[12], &[1.0; 5], 0))
                    .map(drop)
            },
            ProtocolVersionError,
            ArrayError,
        ),
        case(
            "arr dim too long",
            |b| {
                b.column_f64_arr(cn("a"), ArrayView::c_major(&[0x1000_0000], &[]))
                    .map(drop)
            },
            ProtocolVersionError,
            ArrayError,
        ),
        case(
            "arr too big",
            |b| {
                b.column_f64_arr(cn("a"), ArrayView::c_major(&[8192, 8193], &[]))
                    .map(drop)
            },
            ProtocolVersionError,
            ArrayError,
        ),
    ]
}

#[test]
fn failing_calls_leave_buffer_unchanged_in_every_state() {
    let mut checked = 0;
    for version in [V1, V3] {
        for st in STATES {
            for with_marker in [false, true] {
                let mut b = Buffer::with_max_name_len(version, 4);
                // A finished row first, so the buffer has history and a
                // non-trivial transactional/first-table state.
                b.table(tn("x")).unwrap().symbol(cn("y"), "z").unwrap();
                b.at_now().unwrap();
                if with_marker {
                    b.set_marker().unwrap();
                }
                match st {
                    St::Init => b.clear(),
                    St::Table => {
                        b.table(tn("t")).unwrap();
                    }
                    St::Symbol => {
                        b.table(tn("t")).unwrap().symbol(cn("s"), "v").unwrap();
                    }
                    St::Column => {
                        b.table(tn("t")).unwrap().column_i64(cn("c"), 1).unwrap();
                    }
                    St::Done => {
                        b.table(tn("t")).unwrap().column_i64(cn("c"), 1).unwrap();
                        b.at_now().unwrap();
                    }
                }
                if with_marker && st == St::Init {
                    b.set_marker().unwrap();
                }
                for (name, call, code_v1, code_v3) in always_failing() {
                    let code = if version == V1 { code_v1 } else { code_v3 };
                    let before = b.clone();
                    let err = call(&mut b).expect_err(name);
                    assert_eq!(
                        err.code(),
                        code,
                        "{name} in {st:?} ({version}): {}",
                        err.msg()
                    );
                    assert_eq!(b, before, "{name} in {st:?} ({version}) changed the buffer");
                    checked += 1;
                }
                // Every op refused by the state also leaves no trace.
                for case in op_cases() {
                    if case.allowed_in.contains(&st) || (version == V1 && case.v1.is_none()) {
                        continue;
                    }
                    must_fail(&mut b, ErrorCode::InvalidApiCall, case.call);
                    checked += 1;
                }
                // The marker survives all of it.
                assert_eq!(b.marker.is_some(), with_marker);
            }
        }
    }
    assert!(checked > 500, "{checked}");
}

#[test]
fn at_micros_v1_overflow_leaves_no_trace_in_every_state() {
    for st in STATES {
        let mut b = in_state(V1, st);
        must_fail(&mut b, ErrorCode::InvalidTimestamp, |b| {
            b.at_micros(i64::MAX)
        });
    }
}

// ---------------------------------------------------------------- markers

#[test]
fn marker_only_between_rows() {
    for st in [St::Table, St::Symbol, St::Column] {
        let mut b = in_state(V1, st);
        fails_with(
            &mut b,
            ErrorCode::InvalidApiCall,
            "Can't set the marker whilst constructing a line. A marker may only be set on an empty buffer or after `at` or `at_now` is called.",
            |b| b.set_marker(),
        );
        // A marker set earlier is kept by the failed call.
        let mut b = v1();
        b.set_marker().unwrap();
        b.table(tn("t")).unwrap();
        match st {
            St::Symbol => {
                b.symbol(cn("s"), "v").unwrap();
            }
            St::Column => {
                b.column_i64(cn("c"), 1).unwrap();
            }
            _ => {}
        }
        must_fail(&mut b, ErrorCode::InvalidApiCall, |b| b.set_marker());
        b.rewind_to_marker().unwrap();
        assert_eq!(b, v1());
    }
    let mut b = in_state(V1, St::Init);
    b.set_marker().unwrap();
    let mut b = in_state(V1, St::Done);
    b.set_marker().unwrap();
}

#[test]
fn rewind_restores_bytes_rows_and_transactional() {
    let mut b = v1();
    b.table(tn("t")).unwrap().column_i64(cn("c"), 1).unwrap();
    b.at_now().unwrap();
    b.set_marker().unwrap();
    let at_marker = b.clone();
    b.table(tn("u")).unwrap().column_i64(cn("c"), 2).unwrap();
    b.at_now().unwrap();
    b.table(tn("v")).unwrap().symbol(cn("s"), "x").unwrap();
    assert_eq!(b.row_count(), 2);
    assert!(!b.transactional());
    b.rewind_to_marker().unwrap();
    assert_eq!(b.as_bytes(), b"t c=1i\n");
    assert_eq!(b.row_count(), 1);
    assert!(b.transactional());
    assert_eq!(b.progress, at_marker.progress);
    // The marker is gone: a second rewind fails, and the buffer equals its
    // state at the marker minus the marker.
    assert!(b.marker.is_none());
    fails_with(
        &mut b,
        ErrorCode::InvalidApiCall,
        "Can't rewind to the marker: No marker set.",
        |b| b.rewind_to_marker(),
    );
    let mut expected = at_marker;
    expected.clear_marker();
    assert_eq!(b, expected);
    // The restored state is RowDone: a new row can start.
    b.table(tn("t")).unwrap().column_i64(cn("c"), 3).unwrap();
    b.at_now().unwrap();
    assert_eq!(b.as_bytes(), b"t c=1i\nt c=3i\n");
    assert!(b.transactional());
}

#[test]
fn rewind_mid_row() {
    let mut b = v2();
    b.table(tn("t")).unwrap().symbol(cn("s"), "v").unwrap();
    b.at_now().unwrap();
    b.set_marker().unwrap();
    b.table(tn("t"))
        .unwrap()
        .column_f64_arr(cn("a"), ArrayView::c_major(&[1], &[1.0]))
        .unwrap();
    b.rewind_to_marker().unwrap();
    assert_eq!(b.as_bytes(), b"t,s=v\n");
    assert_eq!(b.progress.state, RowState::RowDone);
    b.check_can_flush().unwrap();
}

#[test]
fn rewind_to_empty_marker_resets_first_table() {
    let mut b = v1();
    b.set_marker().unwrap();
    b.table(tn("t")).unwrap().symbol(cn("s"), "v").unwrap();
    b.at_now().unwrap();
    b.rewind_to_marker().unwrap();
    assert_eq!(b, v1());
    // The first table is now `u`: rows for `u` are transactional.
    b.table(tn("u")).unwrap().symbol(cn("s"), "v").unwrap();
    b.at_now().unwrap();
    b.table(tn("u")).unwrap().symbol(cn("s"), "v").unwrap();
    b.at_now().unwrap();
    assert!(b.transactional());
    b.table(tn("t")).unwrap().symbol(cn("s"), "v").unwrap();
    b.at_now().unwrap();
    assert!(!b.transactional());
}

#[test]
fn rewind_without_marker() {
    for st in STATES {
        let mut b = in_state(V1, st);
        fails_with(
            &mut b,
            ErrorCode::InvalidApiCall,
            "Can't rewind to the marker: No marker set.",
            |b| b.rewind_to_marker(),
        );
    }
}

#[test]
fn new_marker_replaces_old() {
    let mut b = v1();
    b.set_marker().unwrap();
    b.table(tn("t")).unwrap().column_i64(cn("c"), 1).unwrap();
    b.at_now().unwrap();
    b.set_marker().unwrap();
    b.table(tn("t")).unwrap().column_i64(cn("c"), 2).unwrap();
    b.at_now().unwrap();
    b.rewind_to_marker().unwrap();
    assert_eq!(b.as_bytes(), b"t c=1i\n");
    assert_eq!(b.row_count(), 1);
    must_fail(&mut b, ErrorCode::InvalidApiCall, |b| b.rewind_to_marker());
}

#[test]
fn clear_marker_is_idempotent() {
    let mut b = v1();
    b.clear_marker();
    assert_eq!(b, v1());
    b.table(tn("t")).unwrap().column_i64(cn("c"), 1).unwrap();
    b.at_now().unwrap();
    b.set_marker().unwrap();
    b.table(tn("t")).unwrap();
    b.clear_marker(); // allowed mid-row
    b.clear_marker();
    assert_eq!(b.as_bytes(), b"t c=1i\nt");
    assert_eq!(b.progress.state, RowState::TableWritten);
    must_fail(&mut b, ErrorCode::InvalidApiCall, |b| b.rewind_to_marker());
}

#[test]
fn clear_drops_marker_and_keeps_capacity() {
    let mut b = v1();
    b.reserve(1000);
    let cap = b.capacity();
    assert!(cap >= 1000);
    b.set_marker().unwrap();
    b.table(tn("t")).unwrap().column_i64(cn("c"), 1).unwrap();
    b.at_now().unwrap();
    b.table(tn("u")).unwrap().column_i64(cn("c"), 1).unwrap();
    b.at_now().unwrap();
    b.table(tn("v")).unwrap();
    b.clear();
    assert_eq!(b.capacity(), cap);
    assert_eq!(b.len(), 0);
    assert!(b.is_empty());
    assert_eq!(b.row_count(), 0);
    assert!(b.transactional());
    assert_eq!(b.progress.state, RowState::Init);
    assert!(b.marker.is_none());
    assert_eq!(b, v1());
    must_fail(&mut b, ErrorCode::InvalidApiCall, |b| b.rewind_to_marker());
    must_fail(&mut b, ErrorCode::InvalidApiCall, |b| {
        b.symbol(cn("s"), "v").map(drop)
    });
    b.table(tn("t")).unwrap();
}

#[test]
fn clear_keeps_version_and_max_name_len() {
    let mut b = Buffer::with_max_name_len(V2, 20);
    b.table(tn("t")).unwrap();
    b.clear();
    assert_eq!(b.protocol_version(), V2);
    assert_eq!(b.max_name_len(), 20);
}

#[test]
fn reserve_and_capacity() {
    let mut b = v1();
    b.reserve(100);
    assert!(b.capacity() >= 100);
    b.table(tn("t"))
        .unwrap()
        .column_str(cn("s"), "0123456789")
        .unwrap();
    let len = b.len();
    assert_eq!(len, 16);
    b.reserve(500);
    assert!(b.capacity() >= len + 500);
    assert_eq!(b.as_bytes(), b"t s=\"0123456789\"");
    b.reserve(0);
    assert_eq!(b.len(), len);
}

#[test]
fn clone_is_deep() {
    let mut a = v3();
    a.table(tn("t")).unwrap().column_i64(cn("c"), 1).unwrap();
    a.at_now().unwrap();
    a.set_marker().unwrap();
    a.table(tn("t")).unwrap().symbol(cn("s"), "v").unwrap();
    let mut b = a.clone();
    assert_eq!(a, b);
    assert_eq!(b.as_bytes(), b"t c=1i\nt,s=v");
    assert_eq!(b.protocol_version(), V3);
    // Mutating one does not affect the other.
    a.column_i64(cn("x"), 2).unwrap();
    a.at_now().unwrap();
    assert_eq!(b.as_bytes(), b"t c=1i\nt,s=v");
    assert_eq!(b.row_count(), 1);
    assert_eq!(b.progress.state, RowState::SymbolWritten);
    // The clone has its own marker.
    b.rewind_to_marker().unwrap();
    assert_eq!(b.as_bytes(), b"t c=1i\n");
    assert_eq!(a.as_bytes(), b"t c=1i\nt,s=v x=2i\n");
    a.rewind_to_marker().unwrap();
    assert_eq!(a, b);
    let c = a.clone();
    a.clear();
    assert_eq!(c.as_bytes(), b"t c=1i\n");
}

// ---------------------------------------------------------------- transactional

fn add_row(b: &mut Buffer, table: &str) {
    b.table(tn(table)).unwrap().column_i64(cn("c"), 1).unwrap();
    b.at_now().unwrap();
}

#[test]
fn transactional_same_table() {
    let mut b = v1();
    assert!(b.transactional());
    add_row(&mut b, "t");
    assert!(b.transactional());
    add_row(&mut b, "t");
    add_row(&mut b, "t");
    assert!(b.transactional());
    assert_eq!(b.row_count(), 3);
    // Escaped names too.
    let mut b = v1();
    add_row(&mut b, "a b=c");
    add_row(&mut b, "a b=c");
    assert!(b.transactional());
    assert_eq!(b.as_bytes(), b"a\\ b\\=c c=1i\na\\ b\\=c c=1i\n");
}

#[test]
fn transactional_different_tables() {
    for (first, second) in [
        ("t", "u"),
        ("ab", "a"),
        ("a", "ab"),
        ("T", "t"),
        ("a b", "a_b"),
        ("é", "e"),
    ] {
        let mut b = v1();
        add_row(&mut b, first);
        add_row(&mut b, second);
        assert!(!b.transactional(), "{first:?} {second:?}");
        // Going back to the first table does not restore it.
        add_row(&mut b, first);
        assert!(!b.transactional());
    }
}

#[test]
fn transactional_decided_at_table_call() {
    let mut b = v1();
    add_row(&mut b, "t");
    b.table(tn("u")).unwrap();
    assert!(!b.transactional());
    // A refused table call for another name does not change it.
    let mut b = v1();
    add_row(&mut b, "t");
    b.table(tn("t")).unwrap();
    must_fail(&mut b, ErrorCode::InvalidApiCall, |b| {
        b.table(tn("u")).map(drop)
    });
    assert!(b.transactional());
}

#[test]
fn transactional_restored_by_rewind_and_reset_by_clear() {
    let mut b = v1();
    add_row(&mut b, "t");
    b.set_marker().unwrap();
    add_row(&mut b, "u");
    assert!(!b.transactional());
    b.rewind_to_marker().unwrap();
    assert!(b.transactional());
    add_row(&mut b, "t");
    assert!(b.transactional());
    add_row(&mut b, "u");
    assert!(!b.transactional());
    b.clear();
    assert!(b.transactional());
    add_row(&mut b, "u");
    add_row(&mut b, "u");
    assert!(b.transactional());
    add_row(&mut b, "t");
    assert!(!b.transactional());
}

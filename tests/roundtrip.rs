//! Round trip: rows written through `Buffer` and read back by an independent
//! decoder (tests/common/ilp_decoder.rs, written from PROTOCOL.md) must come
//! back value for value, for protocols 1, 2 and 3. A second property drives the
//! buffer with random (often wrong) calls against a model of the spec: a call
//! fails exactly when the spec says it must, a failed call leaves the buffer
//! untouched, and the complete rows always decode to what the model expects.

mod common;

use common::ilp_decoder::{decode, decode_version, Row, Timestamp, TimestampUnit, Value};
use proptest::prelude::*;
use proptest::sample::select;
use questdb_client::{ArrayView, Buffer, ColumnName, ErrorCode, ProtocolVersion, TableName};

const VERSIONS: [ProtocolVersion; 3] = [
    ProtocolVersion::V1,
    ProtocolVersion::V2,
    ProtocolVersion::V3,
];

// ---------------------------------------------------------------------------
// Model of what is written
// ---------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum ArrKind {
    CMajor,
    /// Strides in elements, relative to `mem[origin]`.
    Elem {
        strides: Vec<isize>,
        origin: usize,
    },
    /// Strides in bytes, relative to `mem[origin]`.
    Bytes {
        strides: Vec<isize>,
        origin: usize,
    },
}

#[derive(Debug, Clone)]
struct ArrSpec {
    shape: Vec<usize>,
    kind: ArrKind,
    mem: Vec<f64>,
}

impl ArrSpec {
    fn view(&self) -> ArrayView<'_> {
        match &self.kind {
            ArrKind::CMajor => ArrayView::c_major(&self.shape, &self.mem),
            ArrKind::Elem { strides, origin } => {
                ArrayView::elem_strides(&self.shape, strides, &self.mem, *origin)
            }
            ArrKind::Bytes { strides, origin } => {
                ArrayView::byte_strides(&self.shape, strides, &self.mem, *origin)
            }
        }
    }

    /// What PROTOCOL.md 1.4 says: `None` if the array must be rejected,
    /// else its elements in row-major order.
    fn oracle(&self) -> Option<Vec<f64>> {
        let rank = self.shape.len();
        if rank == 0 || rank > 32 || self.shape.iter().any(|&d| d > 0x0FFF_FFFF) {
            return None;
        }
        let count = self
            .shape
            .iter()
            .fold(1u128, |acc, &d| acc.saturating_mul(d as u128));
        if count.saturating_mul(8) > 512 * 1024 * 1024 {
            return None;
        }
        let count = count as usize;
        let (strides, origin): (Vec<i128>, usize) = match &self.kind {
            ArrKind::CMajor => {
                return (self.mem.len() == count).then(|| self.mem.clone());
            }
            ArrKind::Elem { strides, origin } => {
                if strides.len() != rank {
                    return None;
                }
                (strides.iter().map(|&s| s as i128).collect(), *origin)
            }
            ArrKind::Bytes { strides, origin } => {
                if strides.len() != rank {
                    return None;
                }
                let mut elem = Vec::new();
                for (&s, &len) in strides.iter().zip(&self.shape) {
                    if s % 8 != 0 && len > 1 {
                        return None;
                    }
                    elem.push(if len > 1 { s as i128 / 8 } else { 0 });
                }
                (elem, *origin)
            }
        };
        // Gather every element; any read outside `mem` means rejection.
        let mut out = Vec::with_capacity(count);
        for linear in 0..count {
            let mut rest = linear;
            let mut offset = origin as i128;
            for dim in (0..rank).rev() {
                let idx = rest % self.shape[dim];
                rest /= self.shape[dim];
                offset += idx as i128 * strides[dim];
            }
            if offset < 0 || offset >= self.mem.len() as i128 {
                return None;
            }
            out.push(self.mem[offset as usize]);
        }
        Some(out)
    }
}

#[derive(Debug, Clone)]
enum Col {
    Bool(bool),
    I64(i64),
    F64(f64),
    Str(String),
    TsNanos(i64),
    TsMicros(i64),
    /// Text and whether the spec says it is valid (`None`: the spec does not say).
    DecText(String, Option<bool>),
    Dec(u32, Vec<u8>),
    Arr(ArrSpec),
}

impl Col {
    fn min_version(&self) -> ProtocolVersion {
        match self {
            Col::Arr(_) => ProtocolVersion::V2,
            Col::DecText(..) | Col::Dec(..) => ProtocolVersion::V3,
            _ => ProtocolVersion::V1,
        }
    }

    /// The error codes the value itself must cause (apart from version and state).
    /// `None` when the spec leaves it open.
    fn value_errors(&self) -> Option<Vec<ErrorCode>> {
        match self {
            Col::DecText(_, None) => None,
            Col::DecText(_, Some(false)) => Some(vec![ErrorCode::InvalidDecimal]),
            Col::Dec(scale, bytes) if *scale > 76 || bytes.len() > 32 => {
                Some(vec![ErrorCode::InvalidDecimal])
            }
            Col::Arr(a) if a.oracle().is_none() => Some(vec![ErrorCode::ArrayError]),
            _ => Some(vec![]),
        }
    }

    fn write(&self, buf: &mut Buffer, name: &str) -> questdb_client::Result<()> {
        let name = ColumnName::new(name).expect("generated column names are valid");
        match self {
            Col::Bool(v) => buf.column_bool(name, *v),
            Col::I64(v) => buf.column_i64(name, *v),
            Col::F64(v) => buf.column_f64(name, *v),
            Col::Str(v) => buf.column_str(name, v),
            Col::TsNanos(v) => buf.column_ts_nanos(name, *v),
            Col::TsMicros(v) => buf.column_ts_micros(name, *v),
            Col::DecText(v, _) => buf.column_dec_str(name, v),
            Col::Dec(scale, bytes) => buf.column_dec(name, *scale, bytes),
            Col::Arr(a) => buf.column_f64_arr(name, a.view()),
        }
        .map(|_| ())
    }

    /// What the decoder must return for this column written in `version`.
    fn expected(&self, version: ProtocolVersion) -> Value {
        match self {
            Col::Bool(v) => Value::Bool(*v),
            Col::I64(v) => Value::I64(*v),
            Col::F64(v) => Value::F64(*v),
            Col::Str(v) => Value::Str(v.clone()),
            Col::TsNanos(v) if version == ProtocolVersion::V1 => Value::TsMicros(*v / 1000),
            Col::TsNanos(v) => Value::TsNanos(*v),
            Col::TsMicros(v) => Value::TsMicros(*v),
            Col::DecText(v, _) => Value::DecimalText(v.clone()),
            Col::Dec(scale, bytes) => Value::DecimalBinary {
                scale: *scale as u8,
                unscaled: bytes.clone(),
            },
            Col::Arr(a) => Value::Array {
                shape: a.shape.iter().map(|&d| d as u32).collect(),
                data: a.oracle().expect("only valid arrays are expected"),
            },
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum At {
    Nanos(i64),
    Micros(i64),
    Now,
}

impl At {
    fn write(self, buf: &mut Buffer) -> questdb_client::Result<()> {
        match self {
            At::Nanos(ts) => buf.at_nanos(ts),
            At::Micros(ts) => buf.at_micros(ts),
            At::Now => buf.at_now(),
        }
    }

    fn is_valid(self, version: ProtocolVersion) -> bool {
        match self {
            At::Nanos(ts) => ts >= 0,
            At::Micros(ts) if version == ProtocolVersion::V1 => {
                ts.checked_mul(1000).is_some_and(|ns| ns >= 0)
            }
            At::Micros(ts) => ts >= 0,
            At::Now => true,
        }
    }

    fn expected(self, version: ProtocolVersion) -> Option<Timestamp> {
        let v1 = version == ProtocolVersion::V1;
        match self {
            At::Nanos(value) if v1 => Some(ts(value, TimestampUnit::Unsuffixed)),
            At::Nanos(value) => Some(ts(value, TimestampUnit::Nanos)),
            At::Micros(value) if v1 => Some(ts(value * 1000, TimestampUnit::Unsuffixed)),
            At::Micros(value) => Some(ts(value, TimestampUnit::Micros)),
            At::Now => None,
        }
    }
}

fn ts(value: i64, unit: TimestampUnit) -> Timestamp {
    Timestamp { value, unit }
}

#[derive(Debug, Clone)]
struct RowSpec {
    table: String,
    symbols: Vec<(String, String)>,
    columns: Vec<(String, Col)>,
    at: At,
}

fn value_matches(version: ProtocolVersion, expected: &Value, got: &Value) -> bool {
    match (expected, got) {
        // Text doubles keep NaN-ness, not the payload; binary keeps every bit.
        (Value::F64(e), Value::F64(g)) if version == ProtocolVersion::V1 && e.is_nan() => {
            g.is_nan()
        }
        _ => expected.bit_eq(got),
    }
}

fn check_rows(
    version: ProtocolVersion,
    expected: &[Row],
    got: &[Row],
) -> Result<(), TestCaseError> {
    prop_assert_eq!(expected.len(), got.len(), "row count");
    for (i, (e, g)) in expected.iter().zip(got).enumerate() {
        prop_assert_eq!(&e.table, &g.table, "row {} table", i);
        prop_assert_eq!(&e.symbols, &g.symbols, "row {} symbols", i);
        prop_assert_eq!(e.columns.len(), g.columns.len(), "row {} column count", i);
        for ((en, ev), (gn, gv)) in e.columns.iter().zip(&g.columns) {
            prop_assert_eq!(en, gn, "row {} column name", i);
            prop_assert!(
                value_matches(version, ev, gv),
                "row {} column {:?}: expected {:?}, decoded {:?}",
                i,
                en,
                ev,
                gv
            );
        }
        prop_assert_eq!(e.timestamp, g.timestamp, "row {} timestamp", i);
    }
    Ok(())
}

/// Decodes the buffer strictly for its version and leniently, and compares both to `expected`.
fn check_decodes(buf: &Buffer, expected: &[Row]) -> Result<(), TestCaseError> {
    let version = buf.protocol_version();
    let bytes = buf.as_bytes();
    let strict = decode_version(bytes, version as u8).map_err(|e| {
        TestCaseError::fail(format!(
            "{version}: {e}\nbytes: {:?}",
            bytes.escape_ascii().to_string()
        ))
    })?;
    check_rows(version, expected, &strict)?;
    let lenient = decode(bytes).map_err(|e| TestCaseError::fail(format!("lenient: {e}")))?;
    check_rows(version, expected, &lenient)?;
    prop_assert_eq!(buf.row_count(), expected.len());
    Ok(())
}

// ---------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------

/// Characters that are valid in column names (hence in table names).
fn column_name_char() -> impl Strategy<Value = char> {
    prop_oneof![
        6 => select(vec![
            'a', 'b', 'x', 'Z', '0', '7', '_', ' ', ' ', '=', '=', 'é', 'ß', 'Ω', '日', '本',
            '🦀', '\u{10}', '\u{1f}', '\u{a0}', '\u{2028}',
        ]),
        // Anything else the name rules allow (forbidden characters become `_`).
        1 => any::<char>().prop_map(|c| {
            if ColumnName::new(c.encode_utf8(&mut [0; 4])).is_ok() {
                c
            } else {
                '_'
            }
        }),
    ]
}

fn column_name(max_chars: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(column_name_char(), 1..=max_chars).prop_map(String::from_iter)
}

/// One to three dot-separated segments (dots are allowed only between characters).
fn table_name(max_segment_chars: usize) -> impl Strategy<Value = String> {
    let c = prop_oneof![6 => column_name_char(), 1 => Just('-')];
    let segment = prop::collection::vec(c, 1..=max_segment_chars).prop_map(String::from_iter);
    prop::collection::vec(segment, 1..=3).prop_map(|segments| segments.join("."))
}

/// Arbitrary text, biased towards everything that needs escaping somewhere.
fn text() -> impl Strategy<Value = String> {
    let c = prop_oneof![
        3 => select(vec![
            ' ', ',', '=', '\n', '\r', '\\', '"', '\t', '\0', 'a', 'Z', '0', 't', 'i', 'n', 'é',
            '日', '🦀', '\u{feff}', '\u{7f}',
        ]),
        2 => any::<char>(),
    ];
    prop::collection::vec(c, 0..16).prop_map(String::from_iter)
}

fn any_i64() -> impl Strategy<Value = i64> {
    prop_oneof![
        3 => any::<i64>(),
        1 => select(vec![
            0, 1, -1, 999, -999, 1000, -1000, 1001, -1001, -1999, i64::MIN, i64::MIN + 1, i64::MAX,
        ]),
        1 => -5_000i64..5_000,
    ]
}

fn any_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        2 => select(vec![
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.1,
            0.00044,
            2615.54,
            123456.0,
            1e15,
            1e16,
            1e100,
            1.5e-7,
            f64::MAX,
            f64::MIN,
            f64::MIN_POSITIVE,
            f64::EPSILON,
            5e-324,
            f64::NAN,
            -f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ]),
        2 => any::<u64>().prop_map(f64::from_bits),
        1 => any::<f64>(),
    ]
}

fn digits(range: std::ops::Range<usize>) -> impl Strategy<Value = String> {
    prop::collection::vec(select(('0'..='9').collect::<Vec<_>>()), range)
        .prop_map(String::from_iter)
}

/// Decimal text the spec calls well formed.
fn valid_decimal_text() -> impl Strategy<Value = String> {
    let sign = select(vec!["", "-", "+"]);
    let exponent = (
        select(vec!["e", "E"]),
        select(vec!["", "-", "+"]),
        digits(1..4),
    )
        .prop_map(|(e, s, d)| format!("{e}{s}{d}"));
    let number = (
        sign.clone(),
        digits(0..8),
        prop::option::of(digits(0..6)),
        prop::option::of(exponent),
    )
        .prop_filter_map("a mantissa needs a digit", |(s, int, frac, exp)| {
            let frac_digits = frac.as_deref().unwrap_or("");
            if int.is_empty() && frac_digits.is_empty() {
                return None;
            }
            let frac = frac.map(|f| format!(".{f}")).unwrap_or_default();
            Some(format!("{s}{int}{frac}{}", exp.unwrap_or_default()))
        });
    prop_oneof![
        4 => number,
        1 => (sign, Just("Infinity")).prop_map(|(s, i)| format!("{s}{i}")),
        1 => Just("NaN".to_string()),
    ]
}

/// A valid array of shape `shape` whose row-major elements are `data`, laid
/// out in memory in one of several ways.
fn valid_array() -> impl Strategy<Value = ArrSpec> {
    prop::collection::vec(0usize..4, 1..=4)
        .prop_flat_map(|shape| {
            let count: usize = shape.iter().product();
            (Just(shape), prop::collection::vec(any_f64(), count), 0u8..5)
        })
        .prop_map(|(shape, data, layout)| layout_array(shape, data, layout))
}

fn layout_array(shape: Vec<usize>, data: Vec<f64>, layout: u8) -> ArrSpec {
    let rank = shape.len();
    let count = data.len();
    let mut c_strides = vec![1isize; rank];
    for d in (0..rank.saturating_sub(1)).rev() {
        c_strides[d] = c_strides[d + 1] * shape[d + 1] as isize;
    }
    let (strides, origin, mem_len, bytes) = match layout {
        0 => {
            return ArrSpec {
                shape,
                kind: ArrKind::CMajor,
                mem: data,
            }
        }
        // Column-major (transposed), in elements or bytes.
        1 | 2 => {
            let mut f = vec![1isize; rank];
            for d in 1..rank {
                f[d] = f[d - 1] * shape[d - 1] as isize;
            }
            (f, 0, count, layout == 2)
        }
        // Every other element (gaps in between).
        3 => (
            c_strides.iter().map(|s| s * 2).collect(),
            0,
            count * 2,
            true,
        ),
        // First dimension reversed: negative stride from the last row.
        _ => {
            let mut s = c_strides.clone();
            s[0] = -s[0];
            let origin = if count == 0 {
                0
            } else {
                (shape[0] - 1) * c_strides[0] as usize
            };
            (s, origin, count, false)
        }
    };
    let mut mem = vec![-7.25; mem_len];
    for (linear, &value) in data.iter().enumerate() {
        let mut offset = origin as isize;
        for d in 0..rank {
            let idx = (linear / c_strides[d] as usize) % shape[d];
            offset += idx as isize * strides[d];
        }
        mem[offset as usize] = value;
    }
    let kind = if bytes {
        ArrKind::Bytes {
            strides: strides.iter().map(|s| s * 8).collect(),
            origin,
        }
    } else {
        ArrKind::Elem { strides, origin }
    };
    ArrSpec { shape, kind, mem }
}

fn valid_column() -> impl Strategy<Value = Col> {
    prop_oneof![
        1 => any::<bool>().prop_map(Col::Bool),
        1 => any_i64().prop_map(Col::I64),
        2 => any_f64().prop_map(Col::F64),
        2 => text().prop_map(Col::Str),
        1 => any_i64().prop_map(Col::TsNanos),
        1 => any_i64().prop_map(Col::TsMicros),
        1 => valid_decimal_text().prop_map(|t| Col::DecText(t, Some(true))),
        1 => (0u32..=76, prop::collection::vec(any::<u8>(), 0..=32)).prop_map(|(s, b)| Col::Dec(s, b)),
        1 => valid_array().prop_map(Col::Arr),
    ]
}

fn valid_at() -> impl Strategy<Value = At> {
    prop_oneof![
        (0..=i64::MAX).prop_map(At::Nanos),
        select(vec![0, 1, i64::MAX]).prop_map(At::Nanos),
        (0..=i64::MAX / 1000).prop_map(At::Micros),
        select(vec![0, i64::MAX / 1000]).prop_map(At::Micros),
        Just(At::Now),
    ]
}

fn valid_row() -> impl Strategy<Value = RowSpec> {
    (
        table_name(6),
        prop::collection::vec((column_name(10), text()), 0..4),
        prop::collection::vec((column_name(10), valid_column()), 0..7),
        valid_at(),
    )
        .prop_map(|(table, symbols, columns, at)| RowSpec {
            table,
            symbols,
            columns,
            at,
        })
        // Every version must be able to complete the row.
        .prop_filter("a symbol or a v1 column", |r| {
            !r.symbols.is_empty()
                || r.columns
                    .iter()
                    .any(|(_, c)| c.min_version() == ProtocolVersion::V1)
        })
}

// ---------------------------------------------------------------------------
// Property 1: valid rows round-trip in every version
// ---------------------------------------------------------------------------

fn roundtrip(version: ProtocolVersion, rows: &[RowSpec]) -> Result<(), TestCaseError> {
    let mut buf = Buffer::new(version);
    let mut expected = Vec::new();
    for spec in rows {
        buf.table(TableName::new(&spec.table).unwrap()).unwrap();
        for (name, value) in &spec.symbols {
            buf.symbol(ColumnName::new(name).unwrap(), value).unwrap();
        }
        let mut columns = Vec::new();
        for (name, col) in &spec.columns {
            let before = buf.clone();
            let result = col.write(&mut buf, name);
            if version >= col.min_version() {
                prop_assert!(
                    result.is_ok(),
                    "{}: {:?} = {:?}: {:?}",
                    version,
                    name,
                    col,
                    result
                );
                columns.push((name.clone(), col.expected(version)));
            } else {
                let err = result.expect_err("type not allowed in this version");
                prop_assert_eq!(err.code(), ErrorCode::ProtocolVersionError);
                prop_assert_eq!(&before, &buf, "a refused column changed the buffer");
            }
        }
        let result = spec.at.write(&mut buf);
        prop_assert!(result.is_ok(), "{}: {:?}: {:?}", version, spec.at, result);
        expected.push(Row {
            table: spec.table.clone(),
            symbols: spec.symbols.clone(),
            columns,
            timestamp: spec.at.expected(version),
        });
        prop_assert_eq!(buf.row_count(), expected.len());
    }
    check_decodes(&buf, &expected)?;
    let one_table = rows.iter().all(|r| r.table == rows[0].table);
    prop_assert_eq!(buf.transactional(), one_table);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn rows_roundtrip_in_every_version(rows in prop::collection::vec(valid_row(), 1..6)) {
        for version in VERSIONS {
            roundtrip(version, &rows)?;
        }
    }

    #[test]
    fn same_table_rows_roundtrip(
        table in table_name(8),
        rows in prop::collection::vec(valid_row(), 1..4),
    ) {
        let rows: Vec<RowSpec> = rows.into_iter().map(|r| RowSpec { table: table.clone(), ..r }).collect();
        for version in VERSIONS {
            roundtrip(version, &rows)?;
        }
    }
}

// ---------------------------------------------------------------------------
// Property 2: random calls against a model of the spec
// ---------------------------------------------------------------------------

/// Names in the garbage test may exceed the buffer's max name length of 16 bytes.
const GARBAGE_MAX_NAME_LEN: usize = 16;

#[derive(Debug, Clone)]
enum Call {
    Table(String),
    Symbol(String, String),
    Column(String, Col),
    At(At),
    SetMarker,
    RewindToMarker,
    ClearMarker,
    Clear,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Init,
    Table,
    Symbol,
    Column,
    Done,
}

fn any_array() -> impl Strategy<Value = ArrSpec> {
    let dim = prop_oneof![
        8 => 0usize..4,
        1 => select(vec![0x0FFF_FFFF, 0x1000_0000, usize::MAX]),
    ];
    let shape = prop_oneof![
        8 => prop::collection::vec(dim, 0..=4),
        1 => (31usize..=34).prop_map(|n| vec![1; n]),
    ];
    let strides = prop::collection::vec(-20isize..20, 0..=5);
    let kind = prop_oneof![
        2 => Just(ArrKind::CMajor),
        1 => (strides.clone(), 0usize..12).prop_map(|(strides, origin)| ArrKind::Elem { strides, origin }),
        1 => (strides, 0usize..12).prop_map(|(strides, origin)| ArrKind::Bytes { strides, origin }),
        1 => (prop::collection::vec(select(vec![-16isize, -8, 0, 8, 16, 24]), 0..=4), 0usize..12)
            .prop_map(|(strides, origin)| ArrKind::Bytes { strides, origin }),
    ];
    let random = (shape, kind, prop::collection::vec(any_f64(), 0..24))
        .prop_map(|(shape, kind, mem)| ArrSpec { shape, kind, mem });
    // Ranks around the limit of 32, otherwise valid.
    let high_rank = (31usize..=34).prop_map(|n| ArrSpec {
        shape: vec![1; n],
        kind: ArrKind::CMajor,
        mem: vec![1.5],
    });
    // Valid layouts one element short: reads just past the end.
    let truncated = valid_array().prop_map(|mut a| {
        a.mem.pop();
        a
    });
    prop_oneof![2 => valid_array(), 4 => random, 1 => high_rank, 1 => truncated]
}

fn any_decimal_text() -> impl Strategy<Value = Col> {
    let charset: Vec<char> = "0123456789.-+eENaIinfty".chars().collect();
    prop_oneof![
        2 => valid_decimal_text().prop_map(|t| Col::DecText(t, Some(true))),
        // From the allowed characters only: the spec does not say which are well formed.
        1 => prop::collection::vec(select(charset), 0..8)
            .prop_map(|cs| Col::DecText(String::from_iter(cs), None)),
        // A character outside the set (or empty): always invalid.
        1 => (valid_decimal_text(), select(vec!["x", " ", ",", "_", "1_0", "é", "\n", "0x1"]))
            .prop_map(|(t, bad)| Col::DecText(format!("{t}{bad}"), Some(false))),
        1 => Just(Col::DecText(String::new(), Some(false))),
        1 => select(vec!["1.2.3", "--1", "+-1", ".", "e5", "1e", "1e+", "-", "+", "NaNNaN", "Infinit"])
            .prop_map(|t| Col::DecText(t.to_string(), Some(false))),
    ]
}

fn any_column() -> impl Strategy<Value = Col> {
    prop_oneof![
        4 => valid_column(),
        2 => any_decimal_text(),
        1 => (0u32..=100, prop::collection::vec(any::<u8>(), 0..=40)).prop_map(|(s, b)| Col::Dec(s, b)),
        2 => (select(vec![0u32, 76, 77, 255, 256, u32::MAX]), select(vec![0usize, 1, 32, 33]))
            .prop_map(|(s, len)| Col::Dec(s, vec![0x80; len])),
        3 => any_array().prop_map(Col::Arr),
    ]
}

fn any_at() -> impl Strategy<Value = At> {
    prop_oneof![
        2 => valid_at(),
        1 => any_i64().prop_map(At::Nanos),
        1 => any_i64().prop_map(At::Micros),
        1 => select(vec![i64::MAX / 1000 + 1, i64::MAX, i64::MIN / 1000 - 1, -1]).prop_map(At::Micros),
    ]
}

fn garbage_name() -> impl Strategy<Value = String> {
    // Mostly within the 16-byte limit, sometimes beyond.
    prop_oneof![6 => column_name(5), 1 => column_name(20)]
}

fn garbage_table() -> impl Strategy<Value = String> {
    prop_oneof![6 => table_name(3), 1 => table_name(12)]
}

fn any_call() -> impl Strategy<Value = Call> {
    prop_oneof![
        3 => garbage_table().prop_map(Call::Table),
        3 => (garbage_name(), text()).prop_map(|(n, v)| Call::Symbol(n, v)),
        6 => (garbage_name(), any_column()).prop_map(|(n, c)| Call::Column(n, c)),
        4 => any_at().prop_map(Call::At),
        1 => Just(Call::SetMarker),
        1 => Just(Call::RewindToMarker),
        1 => Just(Call::ClearMarker),
        1 => Just(Call::Clear),
    ]
}

/// Mostly row-shaped runs of calls (table, symbols, columns, at), with parts
/// left out and random calls mixed in, so that many rows complete.
fn call_chunk() -> impl Strategy<Value = Vec<Call>> {
    (
        prop::option::weighted(0.2, Just(Call::SetMarker)),
        prop::option::weighted(0.9, garbage_table().prop_map(Call::Table)),
        prop::collection::vec(
            (garbage_name(), text()).prop_map(|(n, v)| Call::Symbol(n, v)),
            0..3,
        ),
        prop::collection::vec(
            (garbage_name(), any_column()).prop_map(|(n, c)| Call::Column(n, c)),
            0..4,
        ),
        prop::option::weighted(0.85, any_at().prop_map(Call::At)),
        prop::option::weighted(0.1, Just(Call::RewindToMarker)),
        prop::collection::vec(any_call(), 0..2),
        any::<prop::sample::Index>(),
    )
        .prop_map(
            |(marker, table, symbols, columns, at, rewind, noise, at_index)| {
                let mut calls: Vec<Call> = marker
                    .into_iter()
                    .chain(table)
                    .chain(symbols)
                    .chain(columns)
                    .chain(at)
                    .chain(rewind)
                    .collect();
                for (k, c) in noise.into_iter().enumerate() {
                    let pos = at_index.index(calls.len() + 1 + k);
                    calls.insert(pos.min(calls.len()), c);
                }
                calls
            },
        )
}

struct Model {
    version: ProtocolVersion,
    state: State,
    rows: Vec<Row>,
    current: Option<Row>,
    /// Rows and state when the marker was set.
    marker: Option<(usize, State)>,
}

impl Model {
    fn state_allows(&self, call: &Call) -> bool {
        use State::*;
        match call {
            Call::Table(_) | Call::SetMarker => matches!(self.state, Init | Done),
            Call::Symbol(..) => matches!(self.state, Table | Symbol),
            Call::Column(..) => matches!(self.state, Table | Symbol | Column),
            Call::At(_) => matches!(self.state, Symbol | Column),
            Call::RewindToMarker => self.marker.is_some(),
            Call::ClearMarker | Call::Clear => true,
        }
    }

    /// Every reason the spec gives for `call` to fail; empty means it must succeed.
    /// `None` when the spec leaves success open (some decimal texts).
    fn failures(&self, call: &Call) -> Option<Vec<ErrorCode>> {
        let mut reasons = Vec::new();
        if !self.state_allows(call) {
            reasons.push(ErrorCode::InvalidApiCall);
        }
        let name = match call {
            Call::Table(n) | Call::Symbol(n, _) | Call::Column(n, _) => Some(n),
            _ => None,
        };
        if name.is_some_and(|n| n.len() > GARBAGE_MAX_NAME_LEN) {
            reasons.push(ErrorCode::InvalidName);
        }
        match call {
            Call::Column(_, col) => {
                if self.version < col.min_version() {
                    reasons.push(ErrorCode::ProtocolVersionError);
                }
                match col.value_errors() {
                    Some(errs) => reasons.extend(errs),
                    None if reasons.is_empty() => return None,
                    None => reasons.push(ErrorCode::InvalidDecimal),
                }
            }
            Call::At(at) if !at.is_valid(self.version) => reasons.push(ErrorCode::InvalidTimestamp),
            _ => {}
        }
        Some(reasons)
    }

    fn apply(&mut self, call: &Call) {
        match call {
            Call::Table(name) => {
                self.current = Some(Row {
                    table: name.clone(),
                    symbols: Vec::new(),
                    columns: Vec::new(),
                    timestamp: None,
                });
                self.state = State::Table;
            }
            Call::Symbol(name, value) => {
                let row = self.current.as_mut().unwrap();
                row.symbols.push((name.clone(), value.clone()));
                self.state = State::Symbol;
            }
            Call::Column(name, col) => {
                let row = self.current.as_mut().unwrap();
                row.columns.push((name.clone(), col.expected(self.version)));
                self.state = State::Column;
            }
            Call::At(at) => {
                let mut row = self.current.take().unwrap();
                row.timestamp = at.expected(self.version);
                self.rows.push(row);
                self.state = State::Done;
            }
            Call::SetMarker => self.marker = Some((self.rows.len(), self.state)),
            Call::RewindToMarker => {
                let (rows, state) = self.marker.take().unwrap();
                self.rows.truncate(rows);
                self.current = None;
                self.state = state;
            }
            Call::ClearMarker => self.marker = None,
            Call::Clear => {
                self.rows.clear();
                self.current = None;
                self.state = State::Init;
                self.marker = None;
            }
        }
    }
}

fn call(buf: &mut Buffer, call: &Call) -> questdb_client::Result<()> {
    match call {
        Call::Table(name) => buf.table(TableName::new(name).unwrap()).map(|_| ()),
        Call::Symbol(name, value) => buf
            .symbol(ColumnName::new(name).unwrap(), value)
            .map(|_| ()),
        Call::Column(name, col) => col.write(buf, name),
        Call::At(at) => at.write(buf),
        Call::SetMarker => buf.set_marker(),
        Call::RewindToMarker => buf.rewind_to_marker(),
        Call::ClearMarker => {
            buf.clear_marker();
            Ok(())
        }
        Call::Clear => {
            buf.clear();
            Ok(())
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_calls_follow_the_spec_and_failures_change_nothing(
        version in select(VERSIONS.to_vec()),
        calls in prop::collection::vec(call_chunk(), 1..8).prop_map(|c| c.concat()),
    ) {
        let mut buf = Buffer::with_max_name_len(version, GARBAGE_MAX_NAME_LEN);
        let mut model = Model { version, state: State::Init, rows: Vec::new(), current: None, marker: None };
        for (i, c) in calls.iter().enumerate() {
            let expected = model.failures(c);
            let before = buf.clone();
            let result = call(&mut buf, c);
            match (&result, &expected) {
                (Ok(()), None) => {}
                (Ok(()), Some(reasons)) => prop_assert!(
                    reasons.is_empty(),
                    "call {} {:?} succeeded but the spec says {:?}", i, c, reasons
                ),
                (Err(e), reasons) => {
                    prop_assert_eq!(&before, &buf, "failed call {} {:?} ({:?}) changed the buffer", i, c, e);
                    if let Some(reasons) = reasons {
                        prop_assert!(
                            reasons.contains(&e.code()),
                            "call {} {:?} failed with {:?} ({}), spec expects one of {:?}",
                            i, c, e.code(), e.msg(), reasons
                        );
                    } else {
                        prop_assert_eq!(e.code(), ErrorCode::InvalidDecimal, "call {} {:?}", i, c);
                    }
                }
            }
            if result.is_ok() {
                model.apply(c);
            }
            prop_assert_eq!(buf.row_count(), model.rows.len(), "after call {} {:?}", i, c);
            if matches!(model.state, State::Init | State::Done) {
                check_decodes(&buf, &model.rows)?;
                let one_table = model.rows.iter().all(|r| r.table == model.rows[0].table);
                prop_assert_eq!(buf.transactional(), one_table, "after call {} {:?}", i, c);
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Fixed tests: the decoder on hand-written bytes, the oracle, exact encodings
// ---------------------------------------------------------------------------

fn row(
    table: &str,
    symbols: &[(&str, &str)],
    columns: Vec<(&str, Value)>,
    timestamp: Option<Timestamp>,
) -> Row {
    Row {
        table: table.into(),
        symbols: symbols
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
        columns: columns
            .into_iter()
            .map(|(n, v)| (n.to_string(), v))
            .collect(),
        timestamp,
    }
}

#[test]
fn decoder_reads_the_spec_examples() {
    let bytes = b"trades,symbol=ETH-USD,side=sell price=2615.54,amount=0.00044 1646762637609765000\n\
sensors,id=toronto1 temperature=23.5,humidity=0.49,ok=t,count=12i,note=\"hi\",seen=1700000000000000t\n\
metrics,host=a\n";
    let rows = decode_version(bytes, 1).unwrap();
    assert_eq!(
        rows,
        vec![
            row(
                "trades",
                &[("symbol", "ETH-USD"), ("side", "sell")],
                vec![
                    ("price", Value::F64(2615.54)),
                    ("amount", Value::F64(0.00044))
                ],
                Some(ts(1646762637609765000, TimestampUnit::Unsuffixed)),
            ),
            row(
                "sensors",
                &[("id", "toronto1")],
                vec![
                    ("temperature", Value::F64(23.5)),
                    ("humidity", Value::F64(0.49)),
                    ("ok", Value::Bool(true)),
                    ("count", Value::I64(12)),
                    ("note", Value::Str("hi".into())),
                    ("seen", Value::TsMicros(1700000000000000)),
                ],
                None,
            ),
            row("metrics", &[("host", "a")], vec![], None),
        ]
    );
}

#[test]
fn decoder_unescapes_names_symbols_and_strings() {
    // table `a b,c=d\e`, symbol `s 1`=`v,x=y\n\r\`, column `c=`="q\"\\\n\r,= ", then `f`=f.
    let bytes =
        b"a\\ b\\,c\\=d\\\\e,s\\ 1=v\\,x\\=y\\\n\\\r\\\\ c\\==\"q\\\"\\\\\\\n\\\r,= \",f=f 7\n";
    let rows = decode(bytes).unwrap();
    assert_eq!(
        rows,
        vec![row(
            "a b,c=d\\e",
            &[("s 1", "v,x=y\n\r\\")],
            vec![
                ("c=", Value::Str("q\"\\\n\r,= ".into())),
                ("f", Value::Bool(false))
            ],
            Some(ts(7, TimestampUnit::Unsuffixed)),
        )]
    );
    // Multi-byte UTF-8 is copied as is; `"` is raw outside quotes; empty symbol values exist.
    let rows = decode("日本,ключ=\"🦀\",e= x=\"\"\n".as_bytes()).unwrap();
    assert_eq!(
        rows,
        vec![row(
            "日本",
            &[("ключ", "\"🦀\""), ("e", "")],
            vec![("x", Value::Str(String::new()))],
            None
        )]
    );
}

#[test]
fn decoder_reads_float_text() {
    let bytes = b"t a=NaN,b=Infinity,c=-Infinity,d=1e16,e=-0.0,f=1.5e-7,g=1e100,h=123456.0\n";
    let rows = decode_version(bytes, 1).unwrap();
    let got: Vec<f64> = rows[0]
        .columns
        .iter()
        .map(|(_, v)| match v {
            Value::F64(f) => *f,
            other => panic!("not a double: {other:?}"),
        })
        .collect();
    assert!(got[0].is_nan());
    assert_eq!(got[1], f64::INFINITY);
    assert_eq!(got[2], f64::NEG_INFINITY);
    assert_eq!(got[3], 1e16);
    assert_eq!(got[4].to_bits(), (-0.0f64).to_bits());
    assert_eq!(&got[5..], &[1.5e-7, 1e100, 123456.0]);
}

#[test]
fn decoder_reads_protocol_2_binary() {
    let mut bytes = b"t,s=v d==".to_vec();
    bytes.push(16);
    bytes.extend_from_slice(&(-2.5f64).to_le_bytes());
    bytes.extend_from_slice(b",arr==");
    bytes.extend_from_slice(&[14, 10, 2]);
    bytes.extend_from_slice(&2u32.to_le_bytes());
    bytes.extend_from_slice(&3u32.to_le_bytes());
    for x in [1.0f64, 2.0, 3.0, 4.0, 5.0, 6.0] {
        bytes.extend_from_slice(&x.to_le_bytes());
    }
    bytes.extend_from_slice(b",e==");
    bytes.extend_from_slice(&[14, 10, 1, 0, 0, 0, 0]);
    bytes.extend_from_slice(b",n=-5n,m=-5t 12n\n");
    bytes.extend_from_slice(b"t,s=v 13t\n");
    let rows = decode_version(&bytes, 2).unwrap();
    assert_eq!(
        rows,
        vec![
            row(
                "t",
                &[("s", "v")],
                vec![
                    ("d", Value::F64(-2.5)),
                    (
                        "arr",
                        Value::Array {
                            shape: vec![2, 3],
                            data: vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
                        }
                    ),
                    (
                        "e",
                        Value::Array {
                            shape: vec![0],
                            data: vec![]
                        }
                    ),
                    ("n", Value::TsNanos(-5)),
                    ("m", Value::TsMicros(-5)),
                ],
                Some(ts(12, TimestampUnit::Nanos)),
            ),
            row(
                "t",
                &[("s", "v")],
                vec![],
                Some(ts(13, TimestampUnit::Micros))
            ),
        ]
    );
    assert_eq!(rows[1].timestamp.unwrap().as_nanos(), Some(13_000));
    // None of it is protocol 1; decimals are not protocol 2.
    assert!(decode_version(&bytes, 1).is_err());
    assert!(decode_version(b"t,s=v 1n\n", 1).is_err());
    assert!(decode_version(b"t x=1n\n", 1).is_err());
    assert!(decode_version(b"t x=1d\n", 2).is_err());
}

#[test]
fn decoder_reads_protocol_3_decimals() {
    let mut bytes = b"t a=123.45d,b=-1.5e-3d,c=NaNd,d=+Infinityd,e==".to_vec();
    bytes.extend_from_slice(&[23, 2, 2, 0x30, 0x39]);
    bytes.extend_from_slice(b",z==");
    bytes.extend_from_slice(&[23, 0, 0]);
    bytes.extend_from_slice(b"\n");
    let rows = decode_version(&bytes, 3).unwrap();
    assert_eq!(
        rows[0].columns,
        vec![
            ("a".to_string(), Value::DecimalText("123.45".into())),
            ("b".to_string(), Value::DecimalText("-1.5e-3".into())),
            ("c".to_string(), Value::DecimalText("NaN".into())),
            ("d".to_string(), Value::DecimalText("+Infinity".into())),
            (
                "e".to_string(),
                Value::DecimalBinary {
                    scale: 2,
                    unscaled: vec![0x30, 0x39]
                }
            ),
            (
                "z".to_string(),
                Value::DecimalBinary {
                    scale: 0,
                    unscaled: vec![]
                }
            ),
        ]
    );
    assert!(decode_version(&bytes, 2).is_err());
}

#[test]
fn decoder_rejects_what_the_spec_does_not_write() {
    let bad: &[&[u8]] = &[
        b"t x=true\n",                          // bools are `t`/`f` only
        b"t x=T\n",                             //
        b"t x=1i",                              // no final newline
        b"t\n",                                 // neither symbol nor column
        b"t x=1i \n",                           // space but no timestamp
        b"t x=1i 12x\n",                        // bad timestamp suffix
        b"t x=1i -1\n",                         // designated timestamps are >= 0
        b"t,s=a\\b x=1i\n",                     // `\b` is not an escape
        b"t x=\"a\\tb\"\n",                     // nor inside quotes
        b"t x=\"abc\n",                         // unterminated string
        b"t x=\"a\nb\"\n",                      // raw newline in a string
        b"t x=+1i\n",                           // no `+` on integers
        b"t x=1.5.5\n",                         // not a number
        b"t x=inf\n",                           // only `Infinity`
        b"t x=1.2xd\n",                         // bad decimal character
        b"t =1i\n",                             // empty column name
        b",s=v x=1i\n",                         // empty table name
        b"t,s=v=w x=1i\n",                      // raw `=` in a symbol value
        b"t x=1i,y=2i,\n",                      // trailing comma
        b"t x==\x10\0\0\0\n",                   // short binary double
        b"t x==\x0e\x0a\x00\n",                 // zero-dimensional array
        b"t x==\x0e\x0b\x01\x00\x00\x00\x00\n", // unknown element type
        b"t x==\x17\x4d\x00\n",                 // scale 77
        b"t x==\x17\x00\x21\n",                 // 33 bytes
        b"t x==\x99\n",                         // unknown binary type
        b"t,s=\xff x=1i\n",                     // invalid UTF-8
    ];
    for bytes in bad {
        assert!(
            decode(bytes).is_err(),
            "accepted {:?}",
            bytes.escape_ascii().to_string()
        );
    }
}

#[test]
fn array_oracle_gathers_strided_views() {
    // 2x3 stored column-major: element (i, j) at i + 2j.
    let a = ArrSpec {
        shape: vec![2, 3],
        kind: ArrKind::Elem {
            strides: vec![1, 2],
            origin: 0,
        },
        mem: vec![1.0, 4.0, 2.0, 5.0, 3.0, 6.0],
    };
    assert_eq!(a.oracle(), Some(vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]));
    let b = ArrSpec {
        kind: ArrKind::Bytes {
            strides: vec![8, 16],
            origin: 0,
        },
        ..a.clone()
    };
    assert_eq!(b.oracle(), a.oracle());
    let c = ArrSpec {
        kind: ArrKind::Elem {
            strides: vec![1, 2],
            origin: 1,
        },
        ..a.clone()
    };
    assert_eq!(c.oracle(), None);
    let d = layout_array(vec![2, 3], vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 4);
    assert_eq!(d.oracle(), Some(vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]));
}

#[test]
fn buffer_writes_the_exact_bytes_of_the_spec() {
    let mut buf = Buffer::new(ProtocolVersion::V1);
    buf.table(TableName::new("trades").unwrap())
        .unwrap()
        .symbol(ColumnName::new("symbol").unwrap(), "ETH-USD")
        .unwrap()
        .symbol(ColumnName::new("side").unwrap(), "sell")
        .unwrap()
        .column_f64(ColumnName::new("price").unwrap(), 2615.54)
        .unwrap()
        .column_f64(ColumnName::new("amount").unwrap(), 0.00044)
        .unwrap();
    buf.at_nanos(1646762637609765000).unwrap();
    assert_eq!(
        buf.as_bytes(),
        b"trades,symbol=ETH-USD,side=sell price=2615.54,amount=0.00044 1646762637609765000\n"
    );

    let mut buf = Buffer::new(ProtocolVersion::V3);
    buf.table(TableName::new("t").unwrap())
        .unwrap()
        .column_f64(ColumnName::new("d").unwrap(), 1.0)
        .unwrap()
        .column_dec(ColumnName::new("p").unwrap(), 2, &[0x30, 0x39])
        .unwrap()
        .column_ts_nanos(ColumnName::new("n").unwrap(), -1)
        .unwrap();
    buf.at_micros(5).unwrap();
    let mut want = b"t d==\x10".to_vec();
    want.extend_from_slice(&1.0f64.to_le_bytes());
    want.extend_from_slice(b",p==\x17\x02\x02\x30\x39,n=-1n 5t\n");
    assert_eq!(buf.as_bytes(), &want[..]);
}

/// The decoder also reads what QuestDB's official client (questdb-rs 6.1) writes.
#[test]
fn decoder_reads_the_official_client_output() {
    use questdb::ingress::{Buffer as Official, DecimalView, ProtocolVersion as OfficialVersion};
    use questdb::ingress::{TimestampMicros, TimestampNanos};

    let write = |version: OfficialVersion| {
        let mut buf = Official::new(version);
        buf.table("a b=c")
            .unwrap()
            .symbol("s =1", "x,y=z\\ \n\r\"é")
            .unwrap()
            .column_str("str", "q\"\\\n\r,= 🦀")
            .unwrap()
            .column_f64("nan", f64::NAN)
            .unwrap()
            .column_f64("inf", f64::NEG_INFINITY)
            .unwrap()
            .column_f64("big", 1e16)
            .unwrap()
            .column_i64("i", i64::MIN)
            .unwrap()
            .column_bool("b", false)
            .unwrap()
            .column_ts("tn", TimestampNanos::new(-1_999))
            .unwrap()
            .column_ts("tu", TimestampMicros::new(-7))
            .unwrap();
        if version != OfficialVersion::V1 {
            buf.column_arr("arr", &vec![vec![1.0f64, 2.0], vec![3.0, 4.0]])
                .unwrap();
        }
        if version == OfficialVersion::V3 {
            buf.column_dec("dt", DecimalView::try_new_string("-1.5e-3").unwrap())
                .unwrap()
                .column_dec(
                    "db",
                    DecimalView::try_new_scaled(2, &[0x30u8, 0x39][..]).unwrap(),
                )
                .unwrap();
        }
        buf.at(TimestampMicros::new(1_700_000_000_000_000)).unwrap();
        buf.table("t")
            .unwrap()
            .symbol("s", "v")
            .unwrap()
            .at_now()
            .unwrap();
        buf.as_bytes().to_vec()
    };

    for (version, number) in [
        (OfficialVersion::V1, 1u8),
        (OfficialVersion::V2, 2),
        (OfficialVersion::V3, 3),
    ] {
        let bytes = write(version);
        let rows = decode_version(&bytes, number)
            .unwrap_or_else(|e| panic!("v{number}: {e}: {:?}", bytes.escape_ascii().to_string()));
        assert_eq!(rows.len(), 2);
        let r = &rows[0];
        assert_eq!(r.table, "a b=c");
        assert_eq!(
            r.symbols,
            vec![("s =1".to_string(), "x,y=z\\ \n\r\"é".to_string())]
        );
        assert_eq!(r.column("str"), Some(&Value::Str("q\"\\\n\r,= 🦀".into())));
        assert!(matches!(r.column("nan"), Some(Value::F64(x)) if x.is_nan()));
        assert_eq!(r.column("inf"), Some(&Value::F64(f64::NEG_INFINITY)));
        assert_eq!(r.column("big"), Some(&Value::F64(1e16)));
        assert_eq!(r.column("i"), Some(&Value::I64(i64::MIN)));
        assert_eq!(r.column("b"), Some(&Value::Bool(false)));
        assert_eq!(r.column("tu"), Some(&Value::TsMicros(-7)));
        if number == 1 {
            assert_eq!(r.column("tn"), Some(&Value::TsMicros(-1)));
            assert_eq!(
                r.timestamp,
                Some(ts(1_700_000_000_000_000_000, TimestampUnit::Unsuffixed))
            );
        } else {
            assert_eq!(r.column("tn"), Some(&Value::TsNanos(-1_999)));
            assert_eq!(
                r.column("arr"),
                Some(&Value::Array {
                    shape: vec![2, 2],
                    data: vec![1.0, 2.0, 3.0, 4.0]
                })
            );
            assert_eq!(
                r.timestamp,
                Some(ts(1_700_000_000_000_000, TimestampUnit::Micros))
            );
        }
        if number == 3 {
            assert_eq!(r.column("dt"), Some(&Value::DecimalText("-1.5e-3".into())));
            assert_eq!(
                r.column("db"),
                Some(&Value::DecimalBinary {
                    scale: 2,
                    unscaled: vec![0x30, 0x39]
                })
            );
        }
        assert_eq!(rows[1], row("t", &[("s", "v")], vec![], None));
    }
}

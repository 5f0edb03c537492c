//! Validated table and column names: checked once, then reused for free.

use crate::error::{fail, Result};

/// Characters forbidden anywhere in a table name (and so in column names too).
fn is_forbidden_in_table(c: char) -> bool {
    matches!(
        c,
        '?' | ',' | '\'' | '"' | '\\' | '/' | ':' | ')' | '(' | '+' | '*' | '%' | '~' | '\u{0}'
            ..='\u{f}' | '\u{7f}' | '\u{feff}'
    )
}

fn describe(c: char) -> String {
    match c {
        '\u{feff}' => "a UTF-8 BOM".to_string(),
        c if c.is_control() => format!("a {:?}", c),
        c => format!("a '{}'", c),
    }
}

/// A table name that passed the character rules of the protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableName<'a> {
    name: &'a str,
}

impl<'a> TableName<'a> {
    /// Validates `name` as a table name.
    pub fn new(name: &'a str) -> Result<Self> {
        if name.is_empty() {
            return fail!(InvalidName, "Table names must have a non-zero length.");
        }
        let last = name.chars().count() - 1;
        let mut prev_dot = false;
        for (pos, c) in name.chars().enumerate() {
            if c == '.' {
                if pos == 0 || pos == last || prev_dot {
                    return fail!(
                        InvalidName,
                        "Bad string {:?}: Found invalid dot `.` at character position {}.",
                        name,
                        pos
                    );
                }
                prev_dot = true;
                continue;
            }
            prev_dot = false;
            if is_forbidden_in_table(c) {
                return fail!(
                    InvalidName,
                    "Bad string {:?}: Table names can't contain {} character, which was found at character position {}.",
                    name,
                    describe(c),
                    pos
                );
            }
        }
        Ok(TableName { name })
    }

    /// Wraps a name already validated elsewhere (e.g. by the C `_init` functions).
    pub fn new_unchecked(name: &'a str) -> Self {
        TableName { name }
    }

    /// The name as given.
    pub fn as_str(&self) -> &'a str {
        self.name
    }
}

/// A column (or symbol) name that passed the character rules of the protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColumnName<'a> {
    name: &'a str,
}

impl<'a> ColumnName<'a> {
    /// Validates `name` as a column or symbol name.
    pub fn new(name: &'a str) -> Result<Self> {
        if name.is_empty() {
            return fail!(InvalidName, "Column names must have a non-zero length.");
        }
        for (pos, c) in name.chars().enumerate() {
            if c == '.' || c == '-' || is_forbidden_in_table(c) {
                return fail!(
                    InvalidName,
                    "Bad string {:?}: Column names can't contain {} character, which was found at character position {}.",
                    name,
                    describe(c),
                    pos
                );
            }
        }
        Ok(ColumnName { name })
    }

    /// Wraps a name already validated elsewhere (e.g. by the C `_init` functions).
    pub fn new_unchecked(name: &'a str) -> Self {
        ColumnName { name }
    }

    /// The name as given.
    pub fn as_str(&self) -> &'a str {
        self.name
    }
}

impl<'a> TryFrom<&'a str> for TableName<'a> {
    type Error = crate::Error;
    fn try_from(s: &'a str) -> Result<Self> {
        TableName::new(s)
    }
}

impl<'a> TryFrom<&'a str> for ColumnName<'a> {
    type Error = crate::Error;
    fn try_from(s: &'a str) -> Result<Self> {
        ColumnName::new(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    /// Asserts `TableName::new(name)` fails with InvalidName and exactly `msg`.
    fn table_err(name: &str, msg: &str) {
        let err = TableName::new(name).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidName, "{name:?}");
        assert_eq!(err.msg(), msg, "{name:?}");
    }

    /// Asserts `ColumnName::new(name)` fails with InvalidName and exactly `msg`.
    fn column_err(name: &str, msg: &str) {
        let err = ColumnName::new(name).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidName, "{name:?}");
        assert_eq!(err.msg(), msg, "{name:?}");
    }

    /// Every character forbidden in table names: the char, the name `a<c>b`
    /// as it appears (Debug-quoted) in messages, and how the char is described.
    const TABLE_FORBIDDEN: &[(char, &str, &str)] = &[
        ('?', r#""a?b""#, "a '?'"),
        (',', r#""a,b""#, "a ','"),
        ('\'', r#""a'b""#, "a '''"),
        ('"', r#""a\"b""#, "a '\"'"),
        ('\\', r#""a\\b""#, r"a '\'"),
        ('/', r#""a/b""#, "a '/'"),
        (':', r#""a:b""#, "a ':'"),
        (')', r#""a)b""#, "a ')'"),
        ('(', r#""a(b""#, "a '('"),
        ('+', r#""a+b""#, "a '+'"),
        ('*', r#""a*b""#, "a '*'"),
        ('%', r#""a%b""#, "a '%'"),
        ('~', r#""a~b""#, "a '~'"),
        ('\r', r#""a\rb""#, r"a '\r'"),
        ('\n', r#""a\nb""#, r"a '\n'"),
        ('\u{0}', r#""a\0b""#, r"a '\0'"),
        ('\u{1}', r#""a\u{1}b""#, r"a '\u{1}'"),
        ('\u{2}', r#""a\u{2}b""#, r"a '\u{2}'"),
        ('\u{3}', r#""a\u{3}b""#, r"a '\u{3}'"),
        ('\u{4}', r#""a\u{4}b""#, r"a '\u{4}'"),
        ('\u{5}', r#""a\u{5}b""#, r"a '\u{5}'"),
        ('\u{6}', r#""a\u{6}b""#, r"a '\u{6}'"),
        ('\u{7}', r#""a\u{7}b""#, r"a '\u{7}'"),
        ('\u{8}', r#""a\u{8}b""#, r"a '\u{8}'"),
        ('\t', r#""a\tb""#, r"a '\t'"),
        ('\u{b}', r#""a\u{b}b""#, r"a '\u{b}'"),
        ('\u{c}', r#""a\u{c}b""#, r"a '\u{c}'"),
        ('\u{e}', r#""a\u{e}b""#, r"a '\u{e}'"),
        ('\u{f}', r#""a\u{f}b""#, r"a '\u{f}'"),
        ('\u{7f}', r#""a\u{7f}b""#, r"a '\u{7f}'"),
        ('\u{feff}', r#""a\u{feff}b""#, "a UTF-8 BOM"),
    ];

    #[test]
    fn table_forbidden_chars() {
        assert_eq!(TABLE_FORBIDDEN.len(), 31);
        for &(c, shown, what) in TABLE_FORBIDDEN {
            let name = format!("a{c}b");
            table_err(
                &name,
                &format!(
                    "Bad string {shown}: Table names can't contain {what} character, which was found at character position 1."
                ),
            );
            // Also refused as first and last character.
            assert!(TableName::new(&format!("{c}ab")).is_err(), "{c:?}");
            assert!(TableName::new(&format!("ab{c}")).is_err(), "{c:?}");
            assert!(TableName::new(&c.to_string()).is_err(), "{c:?}");
        }
    }

    #[test]
    fn column_forbidden_chars() {
        for &(c, shown, what) in TABLE_FORBIDDEN {
            let name = format!("a{c}b");
            column_err(
                &name,
                &format!(
                    "Bad string {shown}: Column names can't contain {what} character, which was found at character position 1."
                ),
            );
            assert!(ColumnName::new(&format!("{c}ab")).is_err(), "{c:?}");
            assert!(ColumnName::new(&format!("ab{c}")).is_err(), "{c:?}");
        }
        // Plus the dot and the minus, anywhere.
        column_err(
            "a.b",
            "Bad string \"a.b\": Column names can't contain a '.' character, which was found at character position 1.",
        );
        column_err(
            "a-b",
            "Bad string \"a-b\": Column names can't contain a '-' character, which was found at character position 1.",
        );
        column_err(
            ".ab",
            "Bad string \".ab\": Column names can't contain a '.' character, which was found at character position 0.",
        );
        column_err(
            "ab.",
            "Bad string \"ab.\": Column names can't contain a '.' character, which was found at character position 2.",
        );
        column_err(
            "-",
            "Bad string \"-\": Column names can't contain a '-' character, which was found at character position 0.",
        );
    }

    #[test]
    fn control_chars_10_to_1f_are_allowed() {
        for c in '\u{10}'..='\u{1f}' {
            let name = format!("a{c}b");
            assert_eq!(TableName::new(&name).unwrap().as_str(), name);
            assert_eq!(ColumnName::new(&name).unwrap().as_str(), name);
        }
    }

    #[test]
    fn allowed_chars() {
        for name in [
            "a",
            "trades",
            "a b",
            "a=b",
            "_x",
            "@#$",
            "é",
            "日本語",
            "x_1",
            "UPPER",
        ] {
            assert_eq!(TableName::new(name).unwrap().as_str(), name);
            assert_eq!(ColumnName::new(name).unwrap().as_str(), name);
        }
        // Only table names may contain `-` and (non-edge, single) dots.
        for name in ["ETH-USD", "-", "a-", "-a", "a.b", "a.b.c", "é.é", "a.-.b"] {
            assert_eq!(TableName::new(name).unwrap().as_str(), name);
            assert!(ColumnName::new(name).is_err(), "{name:?}");
        }
    }

    #[test]
    fn table_dot_rules() {
        table_err(
            ".",
            "Bad string \".\": Found invalid dot `.` at character position 0.",
        );
        table_err(
            ".a",
            "Bad string \".a\": Found invalid dot `.` at character position 0.",
        );
        table_err(
            "a.",
            "Bad string \"a.\": Found invalid dot `.` at character position 1.",
        );
        table_err(
            "a..b",
            "Bad string \"a..b\": Found invalid dot `.` at character position 2.",
        );
        table_err(
            "..",
            "Bad string \"..\": Found invalid dot `.` at character position 0.",
        );
        table_err(
            "a.b..",
            "Bad string \"a.b..\": Found invalid dot `.` at character position 4.",
        );
        // Ours: a trailing dot after a multi-byte char is rejected too
        // (the official client accepts `é.`).
        table_err(
            "é.",
            "Bad string \"é.\": Found invalid dot `.` at character position 1.",
        );
        table_err(
            "日本.",
            "Bad string \"日本.\": Found invalid dot `.` at character position 2.",
        );
        table_err(
            "é..é",
            "Bad string \"é..é\": Found invalid dot `.` at character position 2.",
        );
    }

    #[test]
    fn position_is_in_characters() {
        table_err(
            "éé?",
            "Bad string \"éé?\": Table names can't contain a '?' character, which was found at character position 2.",
        );
        column_err(
            "日本-x",
            "Bad string \"日本-x\": Column names can't contain a '-' character, which was found at character position 2.",
        );
        // The first offending character is the one reported.
        table_err(
            "a?b,c",
            "Bad string \"a?b,c\": Table names can't contain a '?' character, which was found at character position 1.",
        );
        column_err(
            "ab,c.d",
            "Bad string \"ab,c.d\": Column names can't contain a ',' character, which was found at character position 2.",
        );
    }

    #[test]
    fn empty_names() {
        table_err("", "Table names must have a non-zero length.");
        column_err("", "Column names must have a non-zero length.");
    }

    #[test]
    fn no_length_limit_in_names() {
        // The length limit is the buffer's business, not the name's.
        let long = "a".repeat(10_000);
        assert_eq!(TableName::new(&long).unwrap().as_str(), long);
        assert_eq!(ColumnName::new(&long).unwrap().as_str(), long);
    }

    #[test]
    fn try_from_and_unchecked() {
        let t: TableName = "a.b".try_into().unwrap();
        assert_eq!(t, TableName::new("a.b").unwrap());
        let c: ColumnName = "a b".try_into().unwrap();
        assert_eq!(c.as_str(), "a b");
        let e = TableName::try_from("a?").unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidName);
        let e = ColumnName::try_from("a.b").unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidName);
        // Unchecked constructors skip validation.
        assert_eq!(TableName::new_unchecked("..").as_str(), "..");
        assert_eq!(ColumnName::new_unchecked("a.b").as_str(), "a.b");
    }
}

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

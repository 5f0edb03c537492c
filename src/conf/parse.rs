//! The config-string grammar (PROTOCOL.md §3), following the rules of the
//! `questdb-confstr` 0.1.1 crate so strings written for other QuestDB clients
//! parse the same way here:
//!
//! ```text
//! conf   = ident [ "::" [ param *( ";" param ) [ ";" ] ] ]
//! param  = ident "=" value
//! ident  = 1*( ASCII letter / digit / "_" )
//! value  = *( ";;" / any char except ";" and control chars )
//! ```

use crate::error::{Error, ErrorCode, Result};
use std::fmt;

/// A parsed config string: the schema and the pairs in string order.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct ConfStr<'a> {
    pub schema: &'a str,
    pub params: Vec<(&'a str, String)>,
}

/// Parses `input`; errors are `config_error`s that give the byte offset.
pub(crate) fn parse(input: &str) -> Result<ConfStr<'_>> {
    parse_conf(input).map_err(|e| {
        Error::new(
            ErrorCode::ConfigError,
            format!("Config parse error: {} at position {}", e.kind, e.pos),
        )
    })
}

#[derive(Debug, PartialEq, Eq)]
enum Kind {
    ExpectedIdent(char),
    EmptyIdent,
    MustBeAlphanumeric(char),
    BadSeparator(char, Option<char>),
    IncompleteKeyValue,
    InvalidCharInValue(char),
    DuplicateKey(String),
}

impl fmt::Display for Kind {
    // Values never appear here: they may be secrets.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Kind::ExpectedIdent(c) => write!(
                f,
                "expected identifier (ASCII letters, digits or '_'), not {c:?}"
            ),
            Kind::EmptyIdent => f.write_str("expected identifier, not an empty string"),
            Kind::MustBeAlphanumeric(c) => write!(f, "must be alphanumeric, not {c:?}"),
            Kind::BadSeparator(want, Some(got)) => {
                write!(f, "bad separator, expected {want:?} got {got:?}")
            }
            Kind::BadSeparator(want, None) => {
                write!(f, "bad separator, expected {want:?} got end of input")
            }
            Kind::IncompleteKeyValue => {
                f.write_str("incomplete key-value pair before end of input")
            }
            Kind::InvalidCharInValue(c) => write!(f, "invalid char {c:?} in value"),
            Kind::DuplicateKey(k) => write!(f, "duplicate key {k:?}"),
        }
    }
}

struct ParseError {
    kind: Kind,
    pos: usize,
}

type PResult<T> = std::result::Result<T, ParseError>;

fn err<T>(kind: Kind, pos: usize) -> PResult<T> {
    Err(ParseError { kind, pos })
}

/// A byte position in the input, always on a char boundary.
struct Cursor<'a> {
    input: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<char> {
        self.input[self.pos..].chars().next()
    }

    fn peek2(&self) -> Option<char> {
        self.input[self.pos..].chars().nth(1)
    }

    fn bump(&mut self) {
        if let Some(c) = self.peek() {
            self.pos += c.len_utf8();
        }
    }

    fn at_end(&self) -> bool {
        self.pos >= self.input.len()
    }
}

fn parse_conf(input: &str) -> PResult<ConfStr<'_>> {
    let mut cur = Cursor { input, pos: 0 };
    let schema = ident(&mut cur)?;
    let mut params = Vec::new();
    if double_colon(&mut cur)? {
        while !cur.at_end() {
            let (key, value) = param(&mut cur, &params)?;
            params.push((key, value));
        }
    }
    Ok(ConfStr { schema, params })
}

fn ident<'a>(cur: &mut Cursor<'a>) -> PResult<&'a str> {
    let start = cur.pos;
    while matches!(cur.peek(), Some(c) if c.is_ascii_alphanumeric() || c == '_') {
        cur.bump();
    }
    match cur.peek() {
        None if cur.pos == start => err(Kind::EmptyIdent, cur.pos),
        Some(c) if cur.pos == start => err(Kind::ExpectedIdent(c), cur.pos),
        // Whitespace or non-ASCII right after a name is a typo, not a separator.
        Some(c) if !c.is_ascii() || c <= ' ' => err(Kind::MustBeAlphanumeric(c), cur.pos),
        _ => Ok(&cur.input[start..cur.pos]),
    }
}

/// True after `::`, false at end of input (a schema without parameters).
fn double_colon(cur: &mut Cursor<'_>) -> PResult<bool> {
    if cur.at_end() {
        return Ok(false);
    }
    for _ in 0..2 {
        match cur.peek() {
            Some(':') => cur.bump(),
            got => return err(Kind::BadSeparator(':', got), cur.pos),
        }
    }
    Ok(true)
}

fn param<'a>(cur: &mut Cursor<'a>, seen: &[(&str, String)]) -> PResult<(&'a str, String)> {
    let key_pos = cur.pos;
    let key = ident(cur)?;
    if seen.iter().any(|(k, _)| *k == key) {
        return err(Kind::DuplicateKey(key.to_string()), key_pos);
    }
    match cur.peek() {
        Some('=') => cur.bump(),
        Some(c) => return err(Kind::BadSeparator('=', Some(c)), cur.pos),
        None => return err(Kind::IncompleteKeyValue, cur.input.len()),
    }
    let value = value(cur)?;
    cur.bump(); // the terminating ';', if any
    Ok((key, value))
}

/// Reads up to (not including) the first unescaped `;` or the end.
fn value(cur: &mut Cursor<'_>) -> PResult<String> {
    let mut value = String::new();
    while let Some(c) = cur.peek() {
        match c {
            ';' if cur.peek2() == Some(';') => {
                cur.bump();
                cur.bump();
                value.push(';');
            }
            ';' => break,
            c if c.is_control() => return err(Kind::InvalidCharInValue(c), cur.pos),
            c => {
                cur.bump();
                value.push(c);
            }
        }
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(input: &str) -> (String, Vec<(String, String)>) {
        let c = parse(input).unwrap_or_else(|e| panic!("{input:?}: {}", e.msg()));
        let params = c
            .params
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        (c.schema.to_string(), params)
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn fails(input: &str) -> String {
        match parse(input) {
            Ok(c) => panic!("{input:?} parsed as {c:?}"),
            Err(e) => {
                assert_eq!(e.code(), ErrorCode::ConfigError);
                e.msg().to_string()
            }
        }
    }

    #[test]
    fn basic_pairs_in_order() {
        let (schema, params) = ok("http::addr=localhost:9000;b=2;a=1;");
        assert_eq!(schema, "http");
        assert_eq!(
            params,
            pairs(&[("addr", "localhost:9000"), ("b", "2"), ("a", "1")])
        );
    }

    #[test]
    fn trailing_semicolon_optional() {
        assert_eq!(ok("tcp::addr=h;x=1").1, ok("tcp::addr=h;x=1;").1);
    }

    #[test]
    fn schema_only_and_empty_params() {
        assert_eq!(ok("http"), ("http".to_string(), vec![]));
        assert_eq!(ok("http::"), ("http".to_string(), vec![]));
    }

    #[test]
    fn escaped_semicolons() {
        assert_eq!(ok("http::p=s3cr;;et;").1, pairs(&[("p", "s3cr;et")]));
        assert_eq!(ok("http::p=x;;").1, pairs(&[("p", "x;")]));
        assert_eq!(ok("http::p=x;;;").1, pairs(&[("p", "x;")]));
        assert_eq!(ok("http::p=;;;;;q=1").1, pairs(&[("p", ";;"), ("q", "1")]));
        assert_eq!(ok("http::p=1;;q=2").1, pairs(&[("p", "1;q=2")]));
    }

    #[test]
    fn empty_values_and_spaces_kept() {
        assert_eq!(ok("http::a=;b= x ;").1, pairs(&[("a", ""), ("b", " x ")]));
        assert_eq!(ok("http::a=").1, pairs(&[("a", "")]));
    }

    #[test]
    fn identifiers() {
        assert_eq!(ok("1x::_k9=v").0, "1x");
        assert_eq!(ok("HTTP::Addr=v").1, pairs(&[("Addr", "v")]));
        assert_eq!(ok("http::k=é€").1, pairs(&[("k", "é€")]));
    }

    #[test]
    fn errors_with_positions() {
        let cases = [
            ("", "expected identifier, not an empty string at position 0"),
            ("::addr=x", "not ':' at position 0"),
            (
                "http:addr=x",
                "bad separator, expected ':' got 'a' at position 5",
            ),
            ("http:", "expected ':' got end of input at position 5"),
            ("http;", "bad separator, expected ':' got ';' at position 4"),
            ("http ::a=1", "must be alphanumeric, not ' ' at position 4"),
            ("htép::a=1", "must be alphanumeric, not 'é' at position 2"),
            (
                "http::a",
                "incomplete key-value pair before end of input at position 7",
            ),
            (
                "http::a:1",
                "bad separator, expected '=' got ':' at position 7",
            ),
            ("http::a =1", "must be alphanumeric, not ' ' at position 7"),
            ("http::=1", "not '=' at position 6"),
            ("http::;", "not ';' at position 6"),
            ("http::a=1;;", ""),
            (
                "http::addr=a;addr=b;",
                "duplicate key \"addr\" at position 13",
            ),
            ("http::a=x\ny", "invalid char '\\n' in value at position 9"),
            (
                "http::a=é\u{7f}",
                "invalid char '\\u{7f}' in value at position 10",
            ),
            (
                "http::a=\u{9f}",
                "invalid char '\\u{9f}' in value at position 8",
            ),
            ("http::a=\0", "invalid char '\\0' in value at position 8"),
        ];
        for (input, want) in cases {
            if want.is_empty() {
                ok(input);
                continue;
            }
            let msg = fails(input);
            assert!(msg.starts_with("Config parse error: "), "{msg}");
            assert!(
                msg.ends_with(want),
                "{input:?}: {msg:?} should end with {want:?}"
            );
        }
    }

    #[test]
    fn allowed_edge_chars_in_values() {
        // U+00A0 is just past the C1 range; '=' and ':' are plain chars in values.
        assert_eq!(ok("http::a=\u{a0}=:~").1, pairs(&[("a", "\u{a0}=:~")]));
        assert!(fails("http::a=\u{1f}x;").contains("invalid char"));
    }
}

//! Byte-level escaping for the unquoted and quoted contexts of ILP.

/// Appends `s`, escaping space, `,`, `=`, `\n`, `\r` and `\` (names and symbol values).
pub(crate) fn write_unquoted(out: &mut Vec<u8>, s: &str) {
    write_escaped(out, s.as_bytes(), needs_unquoted_escape);
}

/// Appends `"` + `s` with `"`, `\n`, `\r` and `\` escaped + `"` (string values).
pub(crate) fn write_quoted(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    write_escaped(out, s.as_bytes(), needs_quoted_escape);
    out.push(b'"');
}

fn needs_unquoted_escape(b: u8) -> bool {
    matches!(b, b' ' | b',' | b'=' | b'\n' | b'\r' | b'\\')
}

fn needs_quoted_escape(b: u8) -> bool {
    matches!(b, b'"' | b'\n' | b'\r' | b'\\')
}

// Copies runs of plain bytes in one go: most values need no escaping at all.
#[inline]
fn write_escaped(out: &mut Vec<u8>, bytes: &[u8], needs_escape: fn(u8) -> bool) {
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if needs_escape(b) {
            out.extend_from_slice(&bytes[start..i]);
            out.push(b'\\');
            start = i;
        }
    }
    out.extend_from_slice(&bytes[start..]);
}

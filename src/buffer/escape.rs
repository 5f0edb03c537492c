//! Byte-level escaping for the unquoted and quoted contexts of ILP.

/// Appends `s`, escaping space, `,`, `=`, `\n`, `\r` and `\` (names and symbol values).
#[inline]
pub(crate) fn write_unquoted(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    if any_special(bytes, unquoted_specials, needs_unquoted_escape) {
        write_escaped(out, bytes, unquoted_specials, needs_unquoted_escape);
    } else {
        append(out, bytes);
    }
}

/// Appends `"` + `s` with `"`, `\n`, `\r` and `\` escaped + `"` (string values).
#[inline]
pub(crate) fn write_quoted(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    out.push(b'"');
    if any_special(bytes, quoted_specials, needs_quoted_escape) {
        write_escaped(out, bytes, quoted_specials, needs_quoted_escape);
    } else {
        append(out, bytes);
    }
    out.push(b'"');
}

fn needs_unquoted_escape(b: u8) -> bool {
    matches!(b, b' ' | b',' | b'=' | b'\n' | b'\r' | b'\\')
}

fn needs_quoted_escape(b: u8) -> bool {
    matches!(b, b'"' | b'\n' | b'\r' | b'\\')
}

const LO: u64 = 0x0101_0101_0101_0101;
const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;

/// 0x80 in every byte of `x` that equals `b`, 0 in the others (exact: no
/// carries cross byte boundaries).
#[inline(always)]
fn eq_mask(x: u64, b: u8) -> u64 {
    let y = x ^ (LO * b as u64);
    !(((y & LOW7).wrapping_add(LOW7)) | y | LOW7)
}

/// 0x80 in every byte that must be escaped in names and symbol values.
#[inline(always)]
fn unquoted_specials(x: u64) -> u64 {
    eq_mask(x, b' ')
        | eq_mask(x, b',')
        | eq_mask(x, b'=')
        | eq_mask(x, b'\n')
        | eq_mask(x, b'\r')
        | eq_mask(x, b'\\')
}

/// 0x80 in every byte that must be escaped in string values.
#[inline(always)]
fn quoted_specials(x: u64) -> u64 {
    eq_mask(x, b'"') | eq_mask(x, b'\n') | eq_mask(x, b'\r') | eq_mask(x, b'\\')
}

#[inline(always)]
fn load8(b: &[u8]) -> u64 {
    u64::from_le_bytes(b[..8].try_into().unwrap())
}

#[inline(always)]
fn load4(b: &[u8]) -> u64 {
    u32::from_le_bytes(b[..4].try_into().unwrap()) as u64
}

/// True if any byte of `bytes` must be escaped; tests 8 bytes at a time.
#[inline(always)]
fn any_special(
    bytes: &[u8],
    specials: impl Fn(u64) -> u64,
    needs_escape: impl Fn(u8) -> bool,
) -> bool {
    let n = bytes.len();
    if n >= 8 {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            if specials(load8(chunk)) != 0 {
                return true;
            }
        }
        // The last 8 bytes, overlapping bytes already tested (harmless).
        !chunks.remainder().is_empty() && specials(load8(&bytes[n - 8..])) != 0
    } else if n >= 4 {
        // Two overlapping 4-byte halves cover all n bytes.
        specials(load4(bytes) | load4(&bytes[n - 4..]) << 32) != 0
    } else {
        bytes.iter().any(|&b| needs_escape(b))
    }
}

/// Appends `bytes` to `out`; short slices are copied with a few fixed-size
/// moves instead of a call to `memcpy`.
#[inline(always)]
pub(crate) fn append(out: &mut Vec<u8>, bytes: &[u8]) {
    let n = bytes.len();
    if n > 32 {
        out.extend_from_slice(bytes);
        return;
    }
    out.reserve(n);
    let src = bytes.as_ptr();
    // SAFETY: `reserve` made room for n bytes after `len`. Every move below
    // reads inside `bytes` (which cannot alias the spare capacity of `out`)
    // and writes inside `[len, len + n)`; together they cover that range, so
    // it is fully initialised before `set_len(len + n)`.
    unsafe {
        let dst = out.as_mut_ptr().add(out.len());
        match n {
            16..=32 => {
                std::ptr::copy_nonoverlapping(src, dst, 16);
                std::ptr::copy_nonoverlapping(src.add(n - 16), dst.add(n - 16), 16);
            }
            8..=15 => {
                std::ptr::copy_nonoverlapping(src, dst, 8);
                std::ptr::copy_nonoverlapping(src.add(n - 8), dst.add(n - 8), 8);
            }
            4..=7 => {
                std::ptr::copy_nonoverlapping(src, dst, 4);
                std::ptr::copy_nonoverlapping(src.add(n - 4), dst.add(n - 4), 4);
            }
            1..=3 => {
                *dst = *src;
                *dst.add(n / 2) = *src.add(n / 2);
                *dst.add(n - 1) = *src.add(n - 1);
            }
            _ => {}
        }
        out.set_len(out.len() + n);
    }
}

/// Writes the plain bytes since `run_start` and a backslash; byte `i` (which
/// needs it) starts the next run.
#[inline(always)]
fn escape_at(out: &mut Vec<u8>, bytes: &[u8], run_start: &mut usize, i: usize) {
    append(out, &bytes[*run_start..i]);
    out.push(b'\\');
    *run_start = i;
}

// Copies the runs of plain bytes between the bytes that need a backslash,
// finding those 8 bytes at a time.
#[inline(never)]
fn write_escaped(
    out: &mut Vec<u8>,
    bytes: &[u8],
    specials: impl Fn(u64) -> u64,
    needs_escape: impl Fn(u8) -> bool,
) {
    let n = bytes.len();
    let mut run_start = 0;
    if n < 8 {
        for (i, &b) in bytes.iter().enumerate() {
            if needs_escape(b) {
                escape_at(out, bytes, &mut run_start, i);
            }
        }
    } else {
        let mut word_start = 0;
        while word_start < n {
            // The last word may overlap the previous one: skip the bytes it repeats.
            let (base, skip) = if word_start + 8 <= n {
                (word_start, 0)
            } else {
                (n - 8, word_start + 8 - n)
            };
            let mut mask = specials(load8(&bytes[base..])) & (!0u64 << (8 * skip));
            while mask != 0 {
                let i = base + (mask.trailing_zeros() / 8) as usize;
                escape_at(out, bytes, &mut run_start, i);
                mask &= mask - 1;
            }
            word_start += 8;
        }
    }
    append(out, &bytes[run_start..]);
}

/// `a == b`, comparing short slices with a few fixed-size loads instead of a
/// call to `memcmp`.
#[inline(always)]
pub(crate) fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    match n {
        8..=16 => load8(a) == load8(b) && load8(&a[n - 8..]) == load8(&b[n - 8..]),
        4..=7 => load4(a) == load4(b) && load4(&a[n - 4..]) == load4(&b[n - 4..]),
        _ => a == b,
    }
}

#[cfg(test)]
mod diff_tests {
    use super::*;

    fn ref_escape(s: &[u8], quoted: bool) -> Vec<u8> {
        let mut out = Vec::new();
        if quoted {
            out.push(b'"');
        }
        for &b in s {
            let esc = if quoted {
                matches!(b, b'"' | b'\n' | b'\r' | b'\\')
            } else {
                matches!(b, b' ' | b',' | b'=' | b'\n' | b'\r' | b'\\')
            };
            if esc {
                out.push(b'\\');
            }
            out.push(b);
        }
        if quoted {
            out.push(b'"');
        }
        out
    }

    #[test]
    fn differential() {
        let alphabet: &[u8] =
            b" ,=\n\r\\\"a\x00\x7f\xff\x80\x3c\x3e\x5b\x5d\x21\x2b\x09\x0b\x0c\x0e\x1f\x20";
        let mut seed: u64 = 0x1234_5678_9abc_def0;
        let mut rnd = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for iter in 0..400_000 {
            let len = (rnd() % if iter % 10 == 0 { 200 } else { 40 }) as usize;
            let density = rnd() % 4;
            let s: Vec<u8> = (0..len)
                .map(|_| {
                    let r = rnd();
                    if density == 0 || r % 4 >= density {
                        b'a' + (r >> 8) as u8 % 26
                    } else {
                        alphabet[(r >> 8) as usize % alphabet.len()]
                    }
                })
                .collect();
            let prefix_len = (rnd() % 5) as usize;
            for quoted in [false, true] {
                let mut out = vec![b'p'; prefix_len];
                // Work on bytes directly: the escaping is byte-level.
                if quoted {
                    out.push(b'"');
                    if any_special(&s, quoted_specials, needs_quoted_escape) {
                        write_escaped(&mut out, &s, quoted_specials, needs_quoted_escape);
                    } else {
                        append(&mut out, &s);
                    }
                    out.push(b'"');
                } else if any_special(&s, unquoted_specials, needs_unquoted_escape) {
                    write_escaped(&mut out, &s, unquoted_specials, needs_unquoted_escape);
                } else {
                    append(&mut out, &s);
                }
                let mut expected = vec![b'p'; prefix_len];
                expected.extend(ref_escape(&s, quoted));
                assert_eq!(out, expected, "input {:?} quoted {}", s, quoted);
            }
            // same_bytes against ==, on equal and on slightly different slices.
            let mut t = s.clone();
            assert!(same_bytes(&s, &t));
            if !t.is_empty() {
                let k = (rnd() as usize) % t.len();
                t[k] ^= 1 << (rnd() % 8);
                assert_eq!(same_bytes(&s, &t), s == t);
                assert!(!same_bytes(&s, &t[1..]));
            }
        }
    }

    #[test]
    fn str_entry_points() {
        let mut out = Vec::new();
        write_unquoted(&mut out, "a b,c=d\\e\nf\rg\"é");
        write_quoted(&mut out, "a b,c=d\\e\nf\rg\"é");
        assert_eq!(
            out,
            "a\\ b\\,c\\=d\\\\e\\\nf\\\rg\"é\"a b,c=d\\\\e\\\nf\\\rg\\\"é\"".as_bytes()
        );
    }
}

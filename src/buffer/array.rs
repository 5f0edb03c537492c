//! N-dimensional f64 arrays (protocol 2+): views, validation, and the binary encoding.

use crate::error::{fail, Result};

/// Most dimensions an array may have.
pub const MAX_ARRAY_DIMS: usize = 32;
/// Longest a single dimension may be.
pub const MAX_ARRAY_DIM_LEN: usize = 0x0FFF_FFFF;
/// Largest array payload, in bytes.
pub const MAX_ARRAY_BUFFER_SIZE: usize = 512 * 1024 * 1024;

const ARRAY_TYPE: u8 = 14;
const DOUBLE_TYPE: u8 = 10;
const ELEM_SIZE: usize = std::mem::size_of::<f64>();

#[derive(Debug, Clone, Copy)]
enum Strides<'a> {
    /// Dense row-major: `data` holds exactly the elements, last index fastest.
    CMajor,
    /// Element (`bytes == false`) or byte strides, relative to `data[origin]`.
    Strided {
        strides: &'a [isize],
        bytes: bool,
        origin: usize,
    },
}

/// A borrowed f64 array: a shape and the memory its elements are read from.
///
/// Constructing a view checks nothing; the buffer validates it before writing
/// and never reads outside `data`.
#[derive(Debug, Clone, Copy)]
pub struct ArrayView<'a> {
    shape: &'a [usize],
    data: &'a [f64],
    strides: Strides<'a>,
}

impl<'a> ArrayView<'a> {
    /// A dense row-major array: `data.len()` must equal the product of `shape`.
    pub fn c_major(shape: &'a [usize], data: &'a [f64]) -> Self {
        ArrayView {
            shape,
            data,
            strides: Strides::CMajor,
        }
    }

    /// A strided array whose element at index `i` is
    /// `data[origin + Σ i[k] * strides[k]]` (strides counted in elements, may be negative).
    pub fn elem_strides(
        shape: &'a [usize],
        strides: &'a [isize],
        data: &'a [f64],
        origin: usize,
    ) -> Self {
        ArrayView {
            shape,
            data,
            strides: Strides::Strided {
                strides,
                bytes: false,
                origin,
            },
        }
    }

    /// Like [`ArrayView::elem_strides`] with strides counted in bytes; each must be a
    /// multiple of 8 unless its dimension has length 0 or 1.
    pub fn byte_strides(
        shape: &'a [usize],
        strides: &'a [isize],
        data: &'a [f64],
        origin: usize,
    ) -> Self {
        ArrayView {
            shape,
            data,
            strides: Strides::Strided {
                strides,
                bytes: true,
                origin,
            },
        }
    }

    /// The dimension lengths, outermost first.
    pub fn shape(&self) -> &'a [usize] {
        self.shape
    }
}

/// A view that passed validation: knows its element count. (Kept small: it is
/// returned by value on every array write; strides are recomputed by `write`.)
pub(crate) struct CheckedArray<'a> {
    view: ArrayView<'a>,
    elem_count: usize,
}

impl CheckedArray<'_> {
    /// Bytes the encoding takes after the column name's `=`.
    pub(crate) fn encoded_len(&self) -> usize {
        4 + 4 * self.view.shape.len() + ELEM_SIZE * self.elem_count
    }
}

/// Checks rank, dimensions, size, and that every element read lies inside `data`.
pub(crate) fn check(view: ArrayView<'_>) -> Result<CheckedArray<'_>> {
    let rank = view.shape.len();
    if rank == 0 {
        return fail!(ArrayError, "Zero-dimensional arrays are not supported");
    }
    if rank > MAX_ARRAY_DIMS {
        return fail!(
            ArrayError,
            "Array dimension mismatch: expected at most {} dimensions, but got {}",
            MAX_ARRAY_DIMS,
            rank
        );
    }
    let elem_count = check_shape(view.shape)?;
    match view.strides {
        Strides::CMajor => {
            if view.data.len() != elem_count {
                return fail!(
                    ArrayError,
                    "Array element length mismatch (actual: {}, expected: {})",
                    view.data.len(),
                    elem_count
                );
            }
        }
        Strides::Strided {
            strides,
            bytes,
            origin,
        } => {
            if strides.len() != rank {
                return fail!(
                    ArrayError,
                    "Array strides mismatch: {} strides for {} dimensions",
                    strides.len(),
                    rank
                );
            }
            let mut elem_strides = [0isize; MAX_ARRAY_DIMS];
            for dim in 0..rank {
                elem_strides[dim] = to_elem_stride(strides[dim], bytes, view.shape[dim], dim)?;
            }
            if elem_count > 0 {
                check_bounds(view.shape, &elem_strides[..rank], origin, view.data.len())?;
            }
        }
    }
    Ok(CheckedArray { view, elem_count })
}

fn check_shape(shape: &[usize]) -> Result<usize> {
    let mut count: usize = 1;
    for (dim, &len) in shape.iter().enumerate() {
        if len > MAX_ARRAY_DIM_LEN {
            return fail!(
                ArrayError,
                "dimension length out of range: dimension {} has length {} (max {})",
                dim,
                len,
                MAX_ARRAY_DIM_LEN
            );
        }
        count = count.saturating_mul(len);
    }
    // A zero-length dimension makes the array empty whatever the others are.
    if shape.contains(&0) {
        return Ok(0);
    }
    match count.checked_mul(ELEM_SIZE) {
        Some(bytes) if bytes <= MAX_ARRAY_BUFFER_SIZE => Ok(count),
        _ => fail!(
            ArrayError,
            "Array buffer size too big: {} elements of 8 bytes exceed the limit of {} bytes",
            count,
            MAX_ARRAY_BUFFER_SIZE
        ),
    }
}

fn to_elem_stride(stride: isize, bytes: bool, len: usize, dim: usize) -> Result<isize> {
    if len > 1 && bytes && stride % ELEM_SIZE as isize != 0 {
        return fail!(
            ArrayError,
            "Array byte stride {} of dimension {} is not a multiple of 8",
            stride,
            dim
        );
    }
    Ok(elem_stride(stride, bytes, len))
}

/// The stride in elements of a dimension (byte strides already checked).
fn elem_stride(stride: isize, bytes: bool, len: usize) -> isize {
    if len <= 1 {
        0 // never stepped over, so any value is harmless
    } else if bytes {
        stride / ELEM_SIZE as isize
    } else {
        stride
    }
}

fn check_bounds(shape: &[usize], strides: &[isize], origin: usize, data_len: usize) -> Result<()> {
    let (mut lowest, mut highest) = (origin as i128, origin as i128);
    for (&len, &stride) in shape.iter().zip(strides) {
        let reach = (len as i128 - 1) * stride as i128;
        if reach < 0 {
            lowest += reach;
        } else {
            highest += reach;
        }
    }
    if lowest < 0 || highest >= data_len as i128 {
        return fail!(
            ArrayError,
            "Array strides reach outside the data: elements {}..={} read, but only 0..{} are given",
            lowest,
            highest,
            data_len
        );
    }
    Ok(())
}

/// Appends the binary array encoding (after the column's `=`). `out` must have
/// room reserved for `encoded_len()` bytes.
pub(crate) fn write(out: &mut Vec<u8>, array: &CheckedArray<'_>) {
    let shape = array.view.shape;
    out.extend_from_slice(&[b'=', ARRAY_TYPE, DOUBLE_TYPE, shape.len() as u8]);
    for &len in shape {
        out.extend_from_slice(&(len as u32).to_le_bytes());
    }
    if array.elem_count == 0 {
        return;
    }
    match array.view.strides {
        Strides::CMajor => write_dense(out, array.view.data),
        Strides::Strided {
            strides,
            bytes,
            origin,
        } => {
            let mut elem_strides = [0isize; MAX_ARRAY_DIMS];
            for (dim, (&stride, &len)) in strides.iter().zip(shape).enumerate() {
                elem_strides[dim] = elem_stride(stride, bytes, len);
            }
            let strides = &elem_strides[..shape.len()];
            if is_dense(shape, strides) {
                write_dense(out, &array.view.data[origin..origin + array.elem_count]);
            } else {
                write_gathered(out, array.view.data, shape, strides, origin);
            }
        }
    }
}

fn is_dense(shape: &[usize], strides: &[isize]) -> bool {
    let mut expected = 1isize;
    for (&len, &stride) in shape.iter().zip(strides).rev() {
        if len > 1 && stride != expected {
            return false;
        }
        expected *= len as isize;
    }
    true
}

fn write_dense(out: &mut Vec<u8>, data: &[f64]) {
    #[cfg(target_endian = "little")]
    {
        // SAFETY: f64 has no padding and every byte pattern is a valid u8;
        // u8 needs no alignment; the length covers exactly `data`. On a
        // little-endian target the in-memory bytes are the wire's
        // little-endian bytes, so this is one copy instead of one per element.
        let bytes = unsafe {
            std::slice::from_raw_parts(data.as_ptr().cast::<u8>(), std::mem::size_of_val(data))
        };
        out.extend_from_slice(bytes);
    }
    #[cfg(not(target_endian = "little"))]
    for v in data {
        out.extend_from_slice(&v.to_le_bytes());
    }
}

// Walks the indices in row-major order like an odometer, last index fastest.
fn write_gathered(
    out: &mut Vec<u8>,
    data: &[f64],
    shape: &[usize],
    strides: &[isize],
    origin: usize,
) {
    let rank = shape.len();
    let mut index = [0usize; MAX_ARRAY_DIMS];
    let mut offset = origin as isize;
    loop {
        out.extend_from_slice(&data[offset as usize].to_le_bytes());
        let mut dim = rank;
        loop {
            if dim == 0 {
                return;
            }
            dim -= 1;
            index[dim] += 1;
            offset += strides[dim];
            if index[dim] < shape[dim] {
                break;
            }
            offset -= strides[dim] * shape[dim] as isize;
            index[dim] = 0;
        }
    }
}

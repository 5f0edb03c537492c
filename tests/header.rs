//! The committed C header must equal a fresh cbindgen generation from src/ffi.
//! Run with UPDATE_HEADER=1 to rewrite it.

use std::path::Path;

const HEADER: &str = "include/questdb/ingress/line_sender.h";

#[test]
fn committed_header_matches_generated() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_file(root.join("cbindgen.toml")).expect("cbindgen.toml");
    let mut generated = Vec::new();
    cbindgen::Builder::new()
        .with_crate(root)
        .with_config(config)
        .generate()
        .expect("cbindgen failed to generate the header")
        .write(&mut generated);
    let generated = String::from_utf8(generated).expect("header is UTF-8");
    let path = root.join(HEADER);
    if std::env::var_os("UPDATE_HEADER").is_some() {
        std::fs::write(&path, &generated).expect("write header");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != generated {
        let first_diff = committed
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| committed.lines().count().min(generated.lines().count()));
        panic!(
            "{HEADER} is out of date (first difference at line {}); run `UPDATE_HEADER=1 cargo test --test header` and commit it",
            first_diff + 1
        );
    }
}

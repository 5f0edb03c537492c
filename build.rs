//! Gives the shared library (cdylib) an ELF SONAME, `libquestdb_client.so.<major>`,
//! so installed copies can be versioned (`.so.<version>` with `.so.<major>` and
//! `.so` symlinks). CMake puts a `libquestdb_client.so.<major>` symlink next to
//! the in-tree library for programs linked against `target/<profile>/`.
use std::env;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let os = env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let elf = matches!(
        os.as_str(),
        "linux"
            | "android"
            | "freebsd"
            | "netbsd"
            | "openbsd"
            | "dragonfly"
            | "solaris"
            | "illumos"
    );
    if elf {
        let major = env::var("CARGO_PKG_VERSION_MAJOR").unwrap_or_else(|_| "0".to_string());
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libquestdb_client.so.{major}");
    }
}

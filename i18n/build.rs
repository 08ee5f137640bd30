//! A build in another language is another build of everything that uses
//! these macros: cargo rebuilds this crate, and so them, when it changes.
fn main() {
    println!("cargo:rerun-if-env-changed=FIELDCASE_LANG");
}

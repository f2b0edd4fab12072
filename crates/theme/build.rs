//! `include_dir!` reads `themes/isomer/` when the crate compiles, but on
//! stable Rust cargo only learns of the files it included: a file added to
//! the theme would not rebuild the crate. Watching the folder does.

fn main() {
    println!("cargo:rerun-if-changed=../../themes/isomer");
}

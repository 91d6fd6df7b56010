//! Integration tests: the dev set (`../shared/eval/dev`), the project's own
//! fixtures, C2PA signing with a self-made certificate, and the CLI.

// A test fails by panicking: the library's lints do not apply here.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod c2pa_signing;
mod cli;
mod common;
mod dev_set;
mod fixtures;
mod fuzz_replay;
mod hostile;
mod iped_vics;
mod model;
mod scan;

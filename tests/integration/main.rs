//! Integration tests: the dev set (`../shared/eval/dev`), the project's own
//! fixtures, C2PA signing with a self-made certificate, and the CLI.

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

//! Replays the fuzz targets' committed inputs (fixtures/ and the crash
//! regressions in fuzz/regressions/) through every target, as CI does not
//! run the fuzzers themselves (`fuzz/run.sh` does).

use std::path::PathBuf;

use crate::common::root;

#[path = "../../fuzz/targets.rs"]
mod targets;

fn files_under(dir: PathBuf) -> Vec<PathBuf> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect()
}

#[test]
fn every_fuzz_target_survives_the_committed_inputs() {
    let mut inputs = files_under(root().join("fixtures"));
    let regressions = files_under(root().join("fuzz/regressions"));
    inputs.extend(regressions);
    assert!(inputs.len() >= 25, "{}", inputs.len());
    for (name, target) in targets::ALL {
        for path in &inputs {
            let data = std::fs::read(path).unwrap();
            let replay = std::panic::catch_unwind(|| target(&data));
            assert!(replay.is_ok(), "{name} panicked on {}", path.display());
        }
    }
}

#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 60) with cargo-fuzz
# (libFuzzer + AddressSanitizer). Stable Rust is enough: RUSTC_BOOTSTRAP=1
# lets cargo-fuzz use the nightly-only sanitizer flags.
#
#   fuzz/run.sh [SECONDS] [TARGET...]
#
# Seeds: fixtures/, fuzz/regressions/ and, when ../shared/eval/dev is
# there, its files under 256 kB. The growing corpora stay in fuzz/corpus/
# (not committed: they derive from the dev files). A crash stops nothing:
# its input lands in fuzz/artifacts/TARGET/; minimise it
# (`cargo fuzz tmin --fuzz-dir fuzz TARGET FILE`), fix the bug, and commit
# the input to fuzz/regressions/ (replayed by `cargo test`).
set -uo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
shift || true
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
export RUSTC_BOOTSTRAP=1
seeds=fuzz/target/seeds
rm -rf "$seeds" && mkdir -p "$seeds"
find fixtures fuzz/regressions -type f ! -name '*.md' ! -name '*.sh' ! -name '*.key' -exec cp {} "$seeds"/ \;
if [ -d ../shared/eval/dev ]; then
  find ../shared/eval/dev -type f -size -256k ! -name '*.csv' -exec cp {} "$seeds"/ \;
fi
targets=("$@")
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <(cargo fuzz list --fuzz-dir fuzz)
status=0
for t in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$t"
  echo "== $t: ${secs} s"
  cargo fuzz run --fuzz-dir fuzz "$t" "fuzz/corpus/$t" "$seeds" -- \
    -max_total_time="$secs" -rss_limit_mb=2048 -max_len=1048576 -timeout=20 -print_final_stats=1 \
    2>&1 | grep -E "^(==|#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss_mb|SUMMARY|.*Test unit written)" || true
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
done
exit $status

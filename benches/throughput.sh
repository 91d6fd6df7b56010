#!/usr/bin/env bash
# Side-by-side throughput on a folder (default ../shared/eval/dev): full scan
# and decode-only with 1 and all threads, provenance-only (scan --no-pixels)
# with 1 thread, and exiftool -json -r as the peer. Median wall time of RUNS
# runs (default 3), files/s, MP/s and peak RSS, then the ratios.
#   benches/throughput.sh [FOLDER] [RUNS]
# Needs: cargo, GNU time (/usr/bin/time), exiftool (scripts/deps.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
folder="${1:-../shared/eval/dev}"
runs="${2:-3}"
threads="$(nproc)"
cargo build --release --quiet --bin provenant --example decode_only
bin=target/release/provenant
decode=target/release/examples/decode_only
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

# Median of the numbers on stdin.
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# measure NAME COMMAND...: runs it $runs times, records wall seconds and peak KB.
declare -A wall rss
measure() {
  local name="$1"; shift
  local times=() peaks=()
  for _ in $(seq "$runs"); do
    rm -rf "$out/scan"
    /usr/bin/time -f "%e %M" -o "$out/time" "$@" >/dev/null 2>"$out/err" || true
    read -r t m < <(tail -n 1 "$out/time")  # GNU time first notes a non-zero exit
    times+=("$t"); peaks+=("$m")
  done
  wall[$name]="$(printf '%s\n' "${times[@]}" | median)"
  rss[$name]="$(printf '%s\n' "${peaks[@]}" | median)"
}

files="$("$decode" "$folder" 1 | sed -E 's/.*files=([0-9]+).*/\1/')"
mp="$("$decode" "$folder" 1 | sed -E 's/.*megapixels=([0-9.]+).*/\1/')"

measure "scan, 1 thread" "$bin" scan "$folder" --out "$out/scan" --jobs 1 --quiet
measure "scan, $threads threads" "$bin" scan "$folder" --out "$out/scan" --jobs "$threads" --quiet
measure "decode only, 1 thread" "$decode" "$folder" 1
measure "decode only, $threads threads" "$decode" "$folder" "$threads"
measure "provenance only (--no-pixels), 1 thread" "$bin" scan "$folder" --out "$out/scan" --jobs 1 --quiet --no-pixels
measure "exiftool -json -r" exiftool -json -r "$folder"

echo "folder: $folder ($files image files, $mp megapixels); median of $runs runs; $threads cores"
echo
echo "| run | seconds | files/s | MP/s | peak RSS (MB) |"
echo "|---|---|---|---|---|"
for name in "scan, 1 thread" "scan, $threads threads" "decode only, 1 thread" "decode only, $threads threads" \
  "provenance only (--no-pixels), 1 thread" "exiftool -json -r"; do
  awk -v n="$name" -v t="${wall[$name]}" -v f="$files" -v mp="$mp" -v m="${rss[$name]}" \
    'BEGIN {printf "| %s | %.2f | %.1f | %.1f | %.0f |\n", n, t, f/t, mp/t, m/1024}'
done
echo
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", b/a}'; }
echo "full / decode-only throughput, 1 thread: $(ratio "${wall["scan, 1 thread"]}" "${wall["decode only, 1 thread"]}") (target 0.7)"
echo "full / decode-only throughput, $threads threads: $(ratio "${wall["scan, $threads threads"]}" "${wall["decode only, $threads threads"]}") (target 0.7)"
echo "provenance-only / exiftool files/s, 1 thread: $(ratio "${wall["provenance only (--no-pixels), 1 thread"]}" "${wall["exiftool -json -r"]}") (target 3)"

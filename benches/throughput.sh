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

# One round runs every command once, in turn, so that a ratio compares two
# runs made seconds apart (paired); the table gives medians over the rounds.
names=("scan, 1 thread" "scan, $threads threads" "decode only, 1 thread" "decode only, $threads threads"
  "provenance only (--no-pixels), 1 thread" "exiftool -json -r")
run() {
  case "$1" in
    "scan, 1 thread") "$bin" scan "$folder" --out "$out/scan" --jobs 1 --quiet ;;
    "scan, $threads threads") "$bin" scan "$folder" --out "$out/scan" --jobs "$threads" --quiet ;;
    "decode only, 1 thread") "$decode" "$folder" 1 ;;
    "decode only, $threads threads") "$decode" "$folder" "$threads" ;;
    "provenance only (--no-pixels), 1 thread") "$bin" scan "$folder" --out "$out/scan" --jobs 1 --quiet --no-pixels ;;
    "exiftool -json -r") exiftool -json -r "$folder" ;;
  esac
}
export -f run
export bin decode folder out threads
declare -A times peaks
for round in $(seq "$runs"); do
  for name in "${names[@]}"; do
    rm -rf "$out/scan"
    /usr/bin/time -f "%e %M" -o "$out/time" bash -c 'run "$1"' _ "$name" >/dev/null 2>"$out/err" || true
    read -r t m < <(tail -n 1 "$out/time")  # GNU time first notes a non-zero exit
    times[$name]+="$t "; peaks[$name]+="$m "
    times["$name#$round"]="$t"
  done
done
declare -A wall rss
for name in "${names[@]}"; do
  wall[$name]="$(printf '%s\n' ${times[$name]} | median)"
  rss[$name]="$(printf '%s\n' ${peaks[$name]} | median)"
done
# paired NUMERATOR DENOMINATOR: median over rounds of (time of DENOMINATOR /
# time of NUMERATOR), i.e. the numerator's throughput relative to the other's.
paired() {
  for round in $(seq "$runs"); do
    awk -v a="${times["$1#$round"]}" -v b="${times["$2#$round"]}" 'BEGIN {printf "%.4f\n", b/a}'
  done | median
}

files="$("$decode" "$folder" 1 | sed -E 's/.*files=([0-9]+).*/\1/')"
mp="$("$decode" "$folder" 1 | sed -E 's/.*megapixels=([0-9.]+).*/\1/')"

echo "folder: $folder ($files image files, $mp megapixels); median of $runs runs; $threads cores"
echo
echo "| run | seconds | files/s | MP/s | peak RSS (MB) |"
echo "|---|---|---|---|---|"
for name in "${names[@]}"; do
  awk -v n="$name" -v t="${wall[$name]}" -v f="$files" -v mp="$mp" -v m="${rss[$name]}" \
    'BEGIN {printf "| %s | %.2f | %.1f | %.1f | %.0f |\n", n, t, f/t, mp/t, m/1024}'
done
echo
echo "Ratios paired round by round (median over $runs rounds):"
printf 'full / decode-only throughput, 1 thread: %.2f (target 0.7)\n' "$(paired "scan, 1 thread" "decode only, 1 thread")"
printf 'full / decode-only throughput, %s threads: %.2f (target 0.7)\n' "$threads" "$(paired "scan, $threads threads" "decode only, $threads threads")"
printf 'provenance-only / exiftool files/s, 1 thread: %.2f (target 3)\n' "$(paired "provenance only (--no-pixels), 1 thread" "exiftool -json -r")"

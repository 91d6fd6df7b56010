#!/usr/bin/env bash
# Memory and time against the size of a collection: `scan --jobs 2 --vics`
# of synthetic collections of COUNT distinct small JPEGs (thumbnails of the
# dev images with a counter appended: examples/collection.rs), each scanned
# once under GNU time. Prints wall time, time per file, peak RSS, output
# sizes and the largest HTML file, then the ratios of the last collection
# to the first.
#   benches/scale.sh [COUNT ...]          (default: 2000 20000)
#   SIDE=64 benches/scale.sh 1000000      (thumbnail side, default 256)
# Needs: cargo, GNU time (/usr/bin/time). Collections go in TMPDIR.
set -euo pipefail
cd "$(dirname "$0")/.."
counts=("$@")
[ ${#counts[@]} -gt 0 ] || counts=(2000 20000)
side="${SIDE:-256}"
source="${SOURCE:-../shared/eval/dev}"
cargo build --release --quiet --bin provenant --example collection
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

mb() { awk -v b="$1" 'BEGIN {printf "%.1f", b / 1e6}'; }
printf '| files | wall time | per file | peak RSS | report.jsonl | summary.csv | vics.json | report.html | largest HTML file | HTML files |\n'
printf '|---|---|---|---|---|---|---|---|---|---|\n'
first_rss="" first_per=""
for n in "${counts[@]}"; do
  target/release/examples/collection "$source" "$n" "$tmp/c$n" "$side" >/dev/null
  status=0
  /usr/bin/time -f '%e %M' -o "$tmp/time" \
    target/release/provenant scan "$tmp/c$n" --out "$tmp/out$n" --jobs 2 --vics --quiet || status=$?
  [ "$status" -le 1 ] || { echo "scan of $n files failed ($status)" >&2; exit 1; }
  read -r wall rss < "$tmp/time"
  size() { stat -c %s "$tmp/out$n/$1"; }
  largest="$(find "$tmp/out$n" -name '*.html' -printf '%s\n' | sort -n | tail -1)"
  pages="$(find "$tmp/out$n" -name '*.html' | wc -l)"
  per="$(awk -v w="$wall" -v n="$n" 'BEGIN {printf "%.2f", 1000 * w / n}')"
  printf '| %s | %.1f s | %s ms | %.0f MB | %s MB | %s MB | %s MB | %s MB | %s MB | %s |\n' \
    "$n" "$wall" "$per" "$(awk -v k="$rss" 'BEGIN {print k / 1024}')" \
    "$(mb "$(size report.jsonl)")" "$(mb "$(size summary.csv)")" "$(mb "$(size vics.json)")" \
    "$(mb "$(size report.html)")" "$(mb "$largest")" "$pages"
  [ -n "$first_rss" ] || { first_rss="$rss"; first_per="$per"; }
  last_rss="$rss" last_per="$per"
  rm -rf "$tmp/c$n" "$tmp/out$n"
done
awk -v a="$first_rss" -v b="$last_rss" -v p="$first_per" -v q="$last_per" \
  'BEGIN {printf "\npeak RSS, last / first: %.2f; time per file, last / first: %.2f\n", b / a, q / p}'

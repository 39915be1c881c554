#!/usr/bin/env bash
# Prints the shipped size of dist/ (wasm + js + css), raw and gzip -9.
set -euo pipefail
cd "$(dirname "$0")/../dist"
total_raw=0; total_gz=0
for f in *.wasm *.js *.css; do
  [ -e "$f" ] || continue
  raw=$(stat -c %s "$f"); gz=$(gzip -9c "$f" | wc -c)
  printf '%-40s %9d B raw %9d B gzip\n' "$f" "$raw" "$gz"
  total_raw=$((total_raw + raw)); total_gz=$((total_gz + gz))
done
printf '%-40s %9d B raw %9d B gzip (%d KB)\n' "shipped total" "$total_raw" "$total_gz" $((total_gz / 1000))
# Budget (issue 7): wasm + js + css at most 250 KB gzipped; make test fails above it.
BUDGET=250000
if [ "$total_gz" -gt "$BUDGET" ]; then
  echo "size budget exceeded: $total_gz B gzip > $BUDGET B" >&2
  exit 1
fi
echo "size budget: $total_gz B of $BUDGET B gzip"

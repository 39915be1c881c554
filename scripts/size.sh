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

#!/usr/bin/env bash
# Prints the shipped size of dist/ (wasm + js + css): raw, gzip -9 and brotli (quality 11, via
# node's zlib), and fails above the budget (docs/decisions.md#d1: 300 KB gzip).
set -euo pipefail
cd "$(dirname "$0")/../dist"
brotli_size() { node -e 'const z=require("zlib"),fs=require("fs");
  process.stdout.write(String(z.brotliCompressSync(fs.readFileSync(process.argv[1]),
  {params:{[z.constants.BROTLI_PARAM_QUALITY]:11}}).length))' "$1"; }
total_raw=0; total_gz=0; total_br=0
for f in *.wasm *.js *.css; do
  [ -e "$f" ] || continue
  raw=$(stat -c %s "$f"); gz=$(gzip -9c "$f" | wc -c); br=$(brotli_size "$f")
  printf '%-40s %9d B raw %9d B gzip %9d B brotli\n' "$f" "$raw" "$gz" "$br"
  total_raw=$((total_raw + raw)); total_gz=$((total_gz + gz)); total_br=$((total_br + br))
done
printf '%-40s %9d B raw %9d B gzip %9d B brotli (%d KB gzip, %d KB brotli)\n' "shipped total" \
  "$total_raw" "$total_gz" "$total_br" $((total_gz / 1000)) $((total_br / 1000))
BUDGET=300000
if [ "$total_gz" -gt "$BUDGET" ]; then
  echo "size budget exceeded: $total_gz B gzip > $BUDGET B" >&2
  exit 1
fi
echo "size budget: $total_gz B of $BUDGET B gzip"

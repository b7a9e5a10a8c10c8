#!/usr/bin/env bash
# exports.sh LIBRARY INCLUDE_DIR — the shared library exports exactly the public API:
#   1. every symbol `nm -D --defined-only` lists is named clgan_*;
#   2. every function declared CLGAN_API in INCLUDE_DIR/clgan.h and INCLUDE_DIR/clgan/*.h is among them;
#   3. every exported symbol is declared CLGAN_API in those headers (nothing exported by accident).
# The declarations are read from the headers themselves (comments and preprocessor lines removed).
set -euo pipefail
lib=$1 inc=$2
[ -f "$lib" ] || { echo "exports: no library at $lib" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

nm -D --defined-only "$lib" | awk 'NF >= 3 { print $3 }' | sort -u >"$tmp/exported"
# Declared: the first clgan_ name followed by '(' after each CLGAN_API (declarations may span lines).
cat "$inc/clgan.h" "$inc"/clgan/*.h |
    perl -0777 -ne 's{/\*.*?\*/}{ }gs; s{//[^\n]*}{}g; s{^\s*#[^\n]*(\\\n[^\n]*)*}{}gm;
                    while (/\bCLGAN_API\b([^;{]*?)\b(clgan_\w+)\s*\(/g) { print "$2\n" }' |
    sort -u >"$tmp/declared"

fail=0
n_exported=$(wc -l <"$tmp/exported")
n_declared=$(wc -l <"$tmp/declared")
echo "exports: $n_exported symbols exported by $(basename "$lib"), $n_declared functions declared CLGAN_API"
if ! grep -qx clgan_version "$tmp/declared"; then
    echo "exports: FAIL: clgan_version not found among the header declarations (is the parser broken?)"
    fail=1
fi
if grep -v '^clgan_' "$tmp/exported" >"$tmp/foreign"; then
    echo "exports: FAIL: symbols without the clgan_ prefix exported:"
    sed 's/^/  /' "$tmp/foreign"
    fail=1
fi
if comm -23 "$tmp/declared" "$tmp/exported" | grep . >"$tmp/missing"; then
    echo "exports: FAIL: declared CLGAN_API but not exported (not defined, or defined without seeing the declaration):"
    sed 's/^/  /' "$tmp/missing"
    fail=1
fi
if comm -13 "$tmp/declared" "$tmp/exported" | grep . >"$tmp/extra"; then
    echo "exports: FAIL: exported but not declared CLGAN_API in the public headers:"
    sed 's/^/  /' "$tmp/extra"
    fail=1
fi
((fail == 0)) && echo "exports: ok"
exit $fail

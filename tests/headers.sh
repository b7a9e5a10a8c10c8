#!/usr/bin/env bash
# headers.sh INCLUDE_DIR [CC] [CXX] — every public header compiles on its own, with only INCLUDE_DIR on the
# include path (so it needs nothing from host/ and includes what it uses): as C11 with -Wall -Wextra
# -pedantic -Werror, and, where a C++ compiler is found, as C++ (the extern "C" blocks). clgan.h includes
# every header of INCLUDE_DIR/clgan.
set -euo pipefail
inc=$1 cc=${2:-cc} cxx=${3:-$(command -v c++ || true)}
fail=0
for h in "$inc/clgan.h" "$inc"/clgan/*.h; do
    rel=${h#"$inc"/}
    src=$(printf '#include "%s"\nint clgan_header_check_;\n' "$rel")
    if ! out=$(printf '%s\n' "$src" | "$cc" -std=c11 -Wall -Wextra -pedantic -Werror -fsyntax-only -I"$inc" -x c - 2>&1); then
        echo "headers: FAIL: $rel does not compile alone as C11:"; echo "$out"; fail=1
    elif [ -n "$cxx" ] && ! out=$(printf '%s\n' "$src" | "$cxx" -Wall -Wextra -Werror -fsyntax-only -I"$inc" -x c++ - 2>&1); then
        echo "headers: FAIL: $rel does not compile alone as C++:"; echo "$out"; fail=1
    else
        echo "headers: ok   $rel"
    fi
done
for h in "$inc"/clgan/*.h; do
    rel=${h#"$inc"/}
    [ "$rel" = clgan/export.h ] && continue # included by core.h
    grep -q "#include \"$rel\"" "$inc/clgan.h" || { echo "headers: FAIL: clgan.h does not include $rel"; fail=1; }
done
exit $fail

#!/usr/bin/env bash
# cli_public_only.sh SOURCE_DIR [PENDING...] — the CLI is built on the public header: no file of
# tools/clgan includes a header of host/ (an #include "X" where SOURCE_DIR/host/X exists). PENDING names
# the tools/clgan files still on the internal API (the training commands, until they move to the model
# handle and the training driver); each of them must still include one, so that a file that no longer
# does is taken off the list.
set -euo pipefail
src=$1
shift
pending=" $* "
fail=0
for f in "$src"/tools/clgan/*.c "$src"/tools/clgan/*.h; do
    name=$(basename "$f")
    internal=$(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f" |
        while read -r inc; do if [ -f "$src/host/$inc" ]; then echo "$inc"; fi; done | tr '\n' ' ')
    if [[ "$pending" == *" $name "* ]]; then
        if [ -z "$internal" ]; then
            echo "cli_public_only: FAIL: $name includes no host/ header any more: take it off the pending list"
            fail=1
        else
            echo "cli_public_only: pending $name (host/ headers: $internal)"
        fi
    elif [ -n "$internal" ]; then
        echo "cli_public_only: FAIL: $name includes host/ headers: $internal"
        fail=1
    else
        echo "cli_public_only: ok   $name"
    fi
done
exit $fail

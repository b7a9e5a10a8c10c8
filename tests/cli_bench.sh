#!/usr/bin/env bash
# cli_bench.sh — `clgan bench` end to end at tiny sizes: ops and models write
# clgan-bench/1 JSON with the documented keys (docs/bench-json.md), --json
# prints the same document on stdout, compare gives a Markdown table with the
# expected ids and a PNG, refuses non-benchmark and missing files (exit 1),
# and bad options exit 2. `bench startup` compiles every kernel from empty
# caches (a minute or two on PoCL), so it runs only with CLGAN_TEST_SLOW=1.
# usage: cli_bench.sh PATH/TO/clgan
. "$(dirname "$0")/cli_lib.sh" "$@"
py=/usr/bin/python3

# check_doc FILE SUITE ID... : the header and result keys of docs/bench-json.md, and the ids.
check_doc() {
    "$py" - "$@" <<'PY'
import json, sys
path, suite, ids = sys.argv[1], sys.argv[2], sys.argv[3:]
d = json.load(open(path))
head = ["schema", "suite", "tool", "tool_version", "label", "created", "host", "device", "clblast_version",
        "threads", "tuned", "tuning", "results"]
missing = [k for k in head if k not in d]
assert not missing, "header lacks %s" % missing
assert d["schema"] == "clgan-bench/1" and d["suite"] == suite and d["tool"] == "clgan", d["schema"]
assert d["threads"] is None and isinstance(d["tuned"], bool)
assert all(k in d["host"] for k in ("cpu", "cores", "os")), d["host"]
assert all(k in d["device"] for k in ("name", "platform", "vendor", "type", "driver", "compute_units",
                                      "global_mem_bytes")), d["device"]
assert d["created"].endswith("Z") and "T" in d["created"], d["created"]
keys = ["id", "group", "ms", "ms_min", "ms_max", "reps", "flops", "gflops", "bytes", "gbps", "items",
        "items_per_s", "peak_device_bytes", "params"]
have = {}
for r in d["results"]:
    lack = [k for k in keys if k not in r]
    assert not lack, "%s lacks %s" % (r.get("id"), lack)
    assert "error" not in r, "%s failed: %s" % (r["id"], r["error"])
    assert r["ms_min"] <= r["ms"] <= r["ms_max"] and r["reps"] >= 1, r["id"]
    have[r["id"]] = r
for want in ids:
    if want.endswith("*"):
        assert any(i.startswith(want[:-1]) for i in have), "no id starting with " + want[:-1]
    else:
        assert want in have, "no result " + want
if suite == "models":
    for r in d["results"]:
        if r["group"] == "train":
            assert r["allocs_per_step"] == 0, "%s allocates per step" % r["id"]
            assert r["flops"] > 0 and r["peak_device_bytes"] > 0 and r["items"] == r["params"]["batch"], r["id"]
            assert all(k in r["params"] for k in ("model", "width", "batch", "conditional", "param_count")), r["id"]
if suite == "ops":
    g = [r for r in d["results"] if r["group"] == "gemm"]
    assert g and all(r["params"]["calls_per_step"] for r in g), "gemm results lack calls_per_step"
PY
}

# 1. ops at a tiny size
"$clgan" bench ops --sizes 64 --models dcgan28 --reps 1 --out "$work/ops.json" 2>"$work/log"
rc=$?
expect "bench ops exits 0 (rc=$rc)" test $rc = 0
expect "bench ops prints a progress line per result" grep -q "sgemm/64x64x64/NN" "$work/log"
expect "ops JSON follows the schema, with sgemm, gemm and layer ids" \
    check_doc "$work/ops.json" ops sgemm/64x64x64/NN "gemm/*" op/dcgan28.G/conv_transpose2d/L4/forward/b64 \
    op/dcgan28.D/conv2d/L0/backward/b64 op/dcgan28.G/dense/L0/forward/b64 op/dcgan28.D/batchnorm/L3/forward/b64

# 2. models, twice (the second with a label), and --json on stdout
"$clgan" bench models --models dcgan28,lenet28 --steps 1 --warmup 1 --batch 8 --out "$work/a.json" 2>"$work/log"
rc=$?
expect "bench models exits 0 (rc=$rc)" test $rc = 0
expect "models JSON follows the schema, train and infer per model, no allocations per step" \
    check_doc "$work/a.json" models train/dcgan28/w32/b8 infer/dcgan28/w32/b8 train/lenet28/w32/b8 infer/lenet28/w32/b8
"$clgan" bench models --models dcgan28 --steps 1 --warmup 1 --batch 8 --label "second run" --json \
    >"$work/b.json" 2>"$work/log"
rc=$?
expect "bench models --json exits 0 (rc=$rc)" test $rc = 0
expect "--json prints the document on stdout" check_doc "$work/b.json" models train/dcgan28/w32/b8
expect "--label is the document's label" grep -q '"label":[[:space:]]*"second run"' "$work/b.json"
expect "the table goes to stderr with --json" grep -q "^train/dcgan28/w32/b8 " "$work/log"

# A workload that cannot run (too wide for any buffer) is recorded with "error" and null figures; the run
# goes on to the next model and exits 1.
"$clgan" bench models --models dcgan64,dcgan32 --width 4096 --steps 1 --warmup 0 --batch 2 --out "$work/fail.json" 2>"$work/log"
rc=$?
expect "bench models with failing workloads exits 1 (rc=$rc)" test $rc = 1
expect "... and records each with its error and null figures" "$py" -c '
import json, sys
d = json.load(open(sys.argv[1]))
r = d["results"]
assert [x["id"] for x in r] == ["train/dcgan64/w4096/b2", "infer/dcgan64/w4096/b2", "train/dcgan32/w4096/b2",
                                "infer/dcgan32/w4096/b2"], [x["id"] for x in r]
assert all(x["error"] and x["ms"] is None and x["gflops"] is None for x in r)
' "$work/fail.json"
expect "... saying so on stderr" grep -q "4 of 4 workloads failed" "$work/log"

# 3. compare
"$clgan" bench compare "$work/a.json" "$work/b.json" --out-md "$work/c.md" --out-png "$work/c.png" >"$work/out" 2>"$work/log"
rc=$?
expect "compare exits 0 (rc=$rc)" test $rc = 0
expect "compare prints the table on stdout and writes it to --out-md" cmp -s "$work/out" "$work/c.md"
expect "the table has a row per id of the first file" \
    test "$(grep -c -E '^\| (train|infer)/(dcgan28|lenet28)/w32/b8 \|' "$work/c.md")" = 4
expect "the first file's cells are 1.00×" grep -q -E '^\| train/dcgan28/w32/b8 \| [0-9.]+ ms \(1\.00×\) \| [0-9.]+ ms \([0-9.]+×\) \|' "$work/c.md"
expect "a result missing from the second file shows -" grep -q -E '^\| train/lenet28/w32/b8 \| .* \| - \|$' "$work/c.md"
expect "the header says what >1 means" grep -q ">1 means faster than the first file" "$work/c.md"
expect "the columns are the labels" grep -q '| second run |' "$work/c.md"
expect "compare writes a PNG" test "$(head -c 8 "$work/c.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a
"$clgan" bench compare "$work/a.json" "$work/ops.json" --metric gflops >"$work/out" 2>>"$clgan_log"
expect "compare --metric gflops marks ids only the second file has" grep -q -E '^\| sgemm/64x64x64/NN \* \|' "$work/out"
"$clgan" bench compare "$work/a.json" "$work/b.json" --json >"$work/out" 2>"$work/log"
rc=$?
expect "compare --json exits 0 (rc=$rc)" test $rc = 0
expect "compare --json: one object with a row per id, the first file's ratios 1" \
    "$py" -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["command"] == "bench" and d["status"] == "ok" and d["metric"] == "ms" and len(d["files"]) == 2
assert len(d["rows"]) >= 4 and all(r["ratios"][0] == 1 for r in d["rows"] if r["ratios"][0] is not None)
' "$work/out"
expect "... and the table on stderr" grep -q "geometric mean" "$work/log"

# 4. bad files: exit 1 with the file named
echo '{"schema": "something-else", "results": []}' >"$work/other.json"
"$clgan" bench compare "$work/a.json" "$work/other.json" >/dev/null 2>"$work/err"
rc=$?
expect "a file of another schema is refused with exit 1 (rc=$rc)" test $rc = 1
expect "... naming the file and the schema" grep -q "other.json is not a benchmark file of schema \"clgan-bench/1\"" "$work/err"
"$clgan" bench compare "$work/a.json" "$work/none.json" >/dev/null 2>"$work/err"
rc=$?
expect "a missing file is refused with exit 1 (rc=$rc)" test $rc = 1
expect "... naming it" grep -q "cannot read .*none.json" "$work/err"
echo 'not json {' >"$work/text.json"
"$clgan" bench compare "$work/text.json" >/dev/null 2>"$work/err"
rc=$?
expect "a file that is not JSON is refused with exit 1 (rc=$rc)" test $rc = 1

# 5. usage errors: exit 2; --help: exit 0
for args in "ops --bogus" "models --steps 0" "models --models nosuch" "ops --models dcgan28,dcgan" "ops --sizes 64,,128" \
    "startup --bogus" "compare" "compare --metric bogus $work/a.json" "compare --bogus $work/a.json" "nosuchsuite" "models --out"; do
    "$clgan" bench $args >/dev/null 2>>"$clgan_log"
    rc=$?
    expect "bench $args exits 2 (rc=$rc)" test $rc = 2
done
"$clgan" bench ops --models dcgan28,dcgan >/dev/null 2>"$work/err"
expect "an unknown model (a prefix of a preset's name) is named" grep -q "unknown model 'dcgan'; choose from dcgan28," "$work/err"
for s in ops models startup compare; do
    "$clgan" bench $s --help >"$work/out" 2>&1
    rc=$?
    expect "bench $s --help exits 0 with a usage line (rc=$rc)" grep -q "^usage: clgan bench $s" "$work/out"
done
expect "clgan --help lists bench" sh -c "'$clgan' --help | grep -q '^  bench '"

# 6. start-up (slow: empty caches mean every kernel compiles again)
if [ "${CLGAN_TEST_SLOW:-0}" = 1 ]; then
    "$clgan" bench startup --reps 1 --out "$work/s.json" 2>"$work/log"
    rc=$?
    expect "bench startup exits 0 (rc=$rc)" test $rc = 0
    expect "startup JSON has cold and warm" check_doc "$work/s.json" startup startup/cold startup/warm
    expect "startup removes its temporary folders" sh -c "! ls -d \${TMPDIR:-/tmp}/clgan-startup-* 2>/dev/null | grep -q ."
else
    echo "skip bench startup (set CLGAN_TEST_SLOW=1: it recompiles every kernel from empty caches)"
fi

finish

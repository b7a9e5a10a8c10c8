#!/usr/bin/env python3
"""benchmarks.py — runs the benchmark suites on this machine and writes docs/BENCHMARKS.md.

    tools/bench/benchmarks.py [--clgan build/clgan] [--work build/bench] [--tune] [--quick]
                              [--models LIST] [--out docs/BENCHMARKS.md]

What it runs, in order (every run writes one clgan-bench/1 JSON file into --work):
  1. clgan untuned  (CLGAN_GEMM_TUNED=0): `clgan bench ops`, `clgan bench models`
  2. `clgan tune` with its default budget, when --tune is given (otherwise an existing tuning is used)
  3. clgan tuned:   `clgan bench ops`, `clgan bench models`
  4. PyTorch (tools/bench/torch_twin.py) at the same thread count as the OpenCL device's compute
     units: `ops` (SGEMM through OpenBLAS) and `models`; skipped when PyTorch is missing
  5. the paired target runs: clgan tuned and PyTorch, A B A B, on dcgan28 and lenet28 training
  6. `clgan bench startup`
then `clgan bench compare` for the tables and charts, and the arithmetic floor: each training
step's GEMM FLOPs divided by the best measured SGEMM rate (clgan's and OpenBLAS's).

--quick runs tiny versions of everything (for checking the script, not for numbers).
PyTorch needs Debian's python3-torch and libopenblas0-pthread; run this with /usr/bin/python3.
"""
import argparse
import json
import os
import platform
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


REPORT_ONLY = False


def run(cmd, env=None, log=None, always=False):
    """Run a command, echoing it; returns (exit code, seconds, stdout). With
    --report-only only the `always` ones (compare, devices) run."""
    if REPORT_ONLY and not always:
        return 0, 0.0, ""
    print("+ " + " ".join(cmd), flush=True)
    t0 = time.time()
    e = dict(os.environ)
    e.update(env or {})
    with open(log, "a") if log else open(os.devnull, "w") as f:
        p = subprocess.run(cmd, env=e, stdout=subprocess.PIPE, stderr=f, text=True, cwd=ROOT)
    if p.stdout:
        sys.stdout.write(p.stdout)
    return p.returncode, time.time() - t0, p.stdout


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def results(doc):
    return {r["id"]: r for r in (doc or {}).get("results", []) if "id" in r}


def machine(clgan):
    cpu = "unknown CPU"
    flags = set()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name") and cpu == "unknown CPU":
                    cpu = line.split(":", 1)[1].strip()
                if line.startswith("flags") and not flags:
                    flags = set(line.split(":", 1)[1].split())
    except OSError:
        pass
    simd = [x for x in ("avx512f", "avx2", "avx", "sse4_2", "neon", "asimd") if x in flags]
    dev = {}
    code, _, out = run([clgan, "devices", "--json"], always=True)
    if code == 0:
        try:
            devs = json.loads(out)
            dev = devs[0] if devs else {}
        except ValueError:
            pass
    return cpu, os.cpu_count(), simd, dev


def md_section(title, text):
    return "## %s\n\n%s\n" % (title, text.strip() + "\n")


def main():
    ap = argparse.ArgumentParser(description="Run the benchmark suites and write docs/BENCHMARKS.md.")
    ap.add_argument("--clgan", default=os.path.join(ROOT, "build", "clgan"))
    ap.add_argument("--work", default=os.path.join(ROOT, "build", "bench"))
    ap.add_argument("--out", default=os.path.join(ROOT, "docs", "BENCHMARKS.md"))
    ap.add_argument("--img", default=os.path.join(ROOT, "docs", "img"))
    ap.add_argument("--models", default="dcgan28,dcgan28-cond,dcgan32,dcgan64,lenet28,vgg32,ssl28,ssl32")
    ap.add_argument("--tune", action="store_true", help="run `clgan tune` (default budget) first")
    ap.add_argument("--quick", action="store_true", help="tiny runs: checks the script, not the numbers")
    ap.add_argument("--pairs", type=int, default=2, help="A B rounds of the paired target runs (default 2)")
    ap.add_argument("--report-only", action="store_true",
                    help="run nothing: write the report from the JSON files already in --work")
    a = ap.parse_args()
    global REPORT_ONLY
    REPORT_ONLY = a.report_only
    os.makedirs(a.work, exist_ok=True)
    log = os.path.join(a.work, "stderr.log")
    clgan = a.clgan
    torch = [sys.executable, os.path.join(HERE, "torch_twin.py")]
    cpu, cores, simd, dev = machine(clgan)
    threads = str(dev.get("compute_units") or cores)
    q_models = ["--steps", "1", "--warmup", "1", "--batch", "8"] if a.quick else ["--steps", "5", "--warmup", "2"]
    q_ops = ["--sizes", "64", "--reps", "1"] if a.quick else []
    models = "dcgan28,lenet28" if a.quick else a.models
    files = {}
    untuned = {"CLGAN_GEMM_TUNED": "0"}

    def J(name):
        files[name] = os.path.join(a.work, name + ".json")
        return files[name]

    run([clgan, "bench", "ops", "--models", models, "--label", "clgan untuned", "--out", J("clgan-untuned-ops")] + q_ops,
        untuned, log)
    run([clgan, "bench", "models", "--models", models, "--label", "clgan untuned", "--out",
         J("clgan-untuned-models")] + q_models, untuned, log)
    tune_s = None
    if a.tune:
        code, tune_s, tune_out = run([clgan, "tune"] + (["--budget", "5", "--models", "dcgan28", "--batch", "8"]
                                                        if a.quick else []), None, log)
        with open(os.path.join(a.work, "tune.txt"), "w") as f:
            f.write(tune_out)
    run([clgan, "bench", "ops", "--models", models, "--label", "clgan tuned", "--out", J("clgan-tuned-ops")] + q_ops,
        None, log)
    run([clgan, "bench", "models", "--models", models, "--label", "clgan tuned", "--out", J("clgan-tuned-models")]
        + q_models, None, log)
    torch_ops, torch_models = J("torch-ops"), J("torch-models")
    have_torch = os.path.exists(torch_ops) if REPORT_ONLY else run(torch + ["ops", "--threads", threads, "--label", "PyTorch CPU", "--out", torch_ops]
                     + (["--steps", "1", "--warmup", "0"] if a.quick else []), None, log)[0] == 0
    if have_torch:
        run(torch + ["models", "--models", models, "--threads", threads, "--label", "PyTorch CPU", "--out",
                     torch_models] + q_models, None, log)
    # Paired target runs, A B A B, on the two target workloads.
    pairs = []
    steps = ["--steps", "2", "--warmup", "1", "--batch", "8"] if a.quick else ["--steps", "10", "--warmup", "2"]
    for r in range(a.pairs if have_torch else 0):
        ca, cb = J("pair-%d-clgan" % r), J("pair-%d-torch" % r)
        if REPORT_ONLY and not (os.path.exists(ca) and os.path.exists(cb)):
            continue
        run([clgan, "bench", "models", "--models", "dcgan28,lenet28", "--label", "clgan tuned", "--out", ca] + steps,
            None, log)
        run(torch + ["models", "--models", "dcgan28,lenet28", "--threads", threads, "--label", "PyTorch CPU",
                     "--out", cb] + steps, None, log)
        pairs.append((results(load(ca)), results(load(cb))))
    run([clgan, "bench", "startup", "--out", J("clgan-startup")], None, log)

    # Tables and charts through clgan bench compare.
    os.makedirs(a.img, exist_ok=True)
    tables = {}
    for suite in ("models", "ops"):
        inputs = [files[k] for k in ("clgan-untuned-" + suite, "clgan-tuned-" + suite, "torch-" + suite)
                  if k in files and load(files[k])]
        md = os.path.join(a.work, "compare-%s.md" % suite)
        png = os.path.join(a.img, "bench-%s.png" % suite)
        # relative paths in the report: it is committed, the work folder is not
        run([clgan, "bench", "compare"] + [os.path.relpath(x, ROOT) for x in inputs] +
            ["--out-md", md] + (["--out-png", png] if suite == "models" else []), None, log, always=True)
        if suite == "ops":  # the chart: the GEMMs only (one bar group per layer would be metres tall)
            gemm_only = []
            for x in inputs:
                doc = load(x)
                doc["results"] = [r for r in doc.get("results", []) if r.get("group") in ("sgemm", "gemm")]
                gemm_only.append(os.path.join(a.work, "gemm-only-" + os.path.basename(x)))
                with open(gemm_only[-1], "w") as f:
                    json.dump(doc, f)
            run([clgan, "bench", "compare"] + gemm_only + ["--out-md", os.devnull, "--out-png", png], None, log,
                always=True)
        try:
            with open(md) as f:
                tables[suite] = f.read().replace("## ", "### ").rstrip() + "\n\n"
        except OSError:
            tables[suite] = "(compare failed; see %s)\n" % log

    # The arithmetic floor: GEMM FLOPs per step over the best SGEMM rate measured.
    def peak(doc):
        rates = [r.get("gflops") or 0 for r in results(doc).values() if r.get("group") == "sgemm"]
        return max(rates) if rates else 0
    p_clgan, p_blas = peak(load(files["clgan-tuned-ops"])), peak(load(files.get("torch-ops", "")))
    tm, um = results(load(files["clgan-tuned-models"])), results(load(files["clgan-untuned-models"]))
    th = results(load(files.get("torch-models", "")))
    floor = ["| workload | GEMM GFLOP/step | floor at clgan's SGEMM peak | floor at OpenBLAS's | clgan untuned | "
             "clgan tuned | PyTorch |", "|---|---|---|---|---|---|---|"]
    for rid, r in sorted(tm.items()):
        if not rid.startswith("train/"):
            continue
        fl = r.get("flops") or 0
        cell = lambda d: ("%.1f ms" % d[rid]["ms"]) if rid in d and d[rid].get("ms") else "—"
        floor.append("| %s | %.2f | %s | %s | %s | %s | %s |" % (
            rid, fl / 1e9, ("%.1f ms" % (fl / p_clgan / 1e6)) if p_clgan else "—",
            ("%.1f ms" % (fl / p_blas / 1e6)) if p_blas else "—", cell(um), cell(tm), cell(th)))

    # The targets, from the paired runs.
    tgt = ["| pass | dcgan28 w32 B64 step: clgan / PyTorch ms | speed ratio | lenet28 w32 B64 step: clgan / PyTorch ms "
           "| speed ratio |", "|---|---|---|---|---|"]
    ratios = {"dcgan28": [], "lenet28": []}
    for i, (c, t) in enumerate(pairs):
        row = ["%d" % (i + 1)]
        for m in ("dcgan28", "lenet28"):
            cid = [k for k in c if k.startswith("train/%s/" % m)]
            tid = [k for k in t if k.startswith("train/%s/" % m)]
            if cid and tid and c[cid[0]].get("ms") and t[tid[0]].get("ms"):
                cm, tmm = c[cid[0]]["ms"], t[tid[0]]["ms"]
                ratios[m].append(tmm / cm)
                row += ["%.1f / %.1f" % (cm, tmm), "%.2f×" % (tmm / cm)]
            else:
                row += ["—", "—"]
        tgt.append("| " + " | ".join(row) + " |")
    sg = []
    for n in ("1024",):
        cid = "sgemm/%sx%sx%s/NN" % (n, n, n)
        c = results(load(files["clgan-tuned-ops"])).get(cid, {})
        t = results(load(files.get("torch-ops", ""))).get(cid, {})
        if c.get("gflops") and t.get("gflops"):
            sg.append("SGEMM %s³: clgan %.1f GFLOP/s, OpenBLAS (torch.mm) %.1f GFLOP/s: %.0f%% of OpenBLAS." % (
                n, c["gflops"], t["gflops"], 100 * c["gflops"] / t["gflops"]))
    st = results(load(files["clgan-startup"]))
    start = ", ".join("%s %.1f s" % (k.split("/")[1], v["ms"] / 1e3) for k, v in sorted(st.items()) if v.get("ms"))

    tdoc = load(files.get("torch-models", "")) or {}
    mean = lambda xs: sum(xs) / len(xs) if xs else float("nan")
    out = ["# Benchmarks", "",
           "Written by `tools/bench/benchmarks.py%s` from `clgan bench` and `tools/bench/torch_twin.py` runs; "
           "the JSON files are in its work folder. Run it again on your machine to get your own numbers: "
           "they depend on the CPU or GPU, the driver and what else the machine is doing." % (
               " --tune" if a.tune else ""), "",
           md_section("The machine", "\n".join([
               "- CPU: %s, %d cores visible; SIMD: %s" % (cpu, cores, ", ".join(simd) or "?"),
               "- OpenCL device: %s (%s, driver %s), %s compute units" % (
                   dev.get("device", "?"), dev.get("platform", "?"), dev.get("driver_version", "?"),
                   dev.get("compute_units", "?")),
               "- OS: %s %s; Python %s; PyTorch %s at %s threads" % (
                   platform.system(), platform.release(), platform.python_version(),
                   tdoc.get("tool_version", "not installed"), threads),
               "- clgan tuned: %s" % ("yes, by `clgan tune` in this run (%.0f s)" % tune_s if tune_s else
                                      "with the tuning file already on this machine (`clgan devices` shows when; "
                                      "its output is at the end)"),
               "- %s" % ("--quick: tiny runs, the numbers mean nothing" if a.quick else
                         "batch 64, 5 timed steps after 2 warm-up ones per workload"),
           ])),
           md_section("Targets (paired runs, A B A B)",
                      "clgan tuned against the PyTorch twin at the same thread count, alternating, 10 timed steps "
                      "each; the speed ratio is PyTorch's ms over clgan's (above 1: clgan is faster).\n\n" +
                      "\n".join(tgt) + "\n\nMean speed ratio: dcgan28 %.2f×, lenet28 %.2f×. %s" % (
                          mean(ratios["dcgan28"]), mean(ratios["lenet28"]), " ".join(sg))),
           md_section("Training steps against the arithmetic floor",
                      "The floor is the step's GEMM arithmetic (im2col products, dense layers; forward and backward) "
                      "at the best SGEMM rate measured on the machine: clgan's own (%.1f GFLOP/s) and OpenBLAS's "
                      "through PyTorch (%s). Everything above it is data movement, the smaller kernels, launches and "
                      "synchronisation. PyTorch's convolutions (oneDNN) do not go through im2col and SGEMM, so it can run "
                      "below this floor.\n\n" % (p_clgan, ("%.1f GFLOP/s" % p_blas) if p_blas else "not measured")
                      + "\n".join(floor)),
           md_section("Training and inference (`clgan bench models`)",
                      "![speed relative to the first column](img/bench-models.png)\n\n" + tables.get("models", "")),
           md_section("GEMMs and layers (`clgan bench ops`)",
                      "The chart shows the GEMMs; the table has every layer too.\n\n"
                      "![speed relative to the first column](img/bench-ops.png)\n\n" + tables.get("ops", "")),
           md_section("Start-up (`clgan bench startup`)", (start or "not measured") +
                      ". A cold start compiles clgan's kernel programs and CLBlast's GEMM kernels; a warm one loads "
                      "clgan's from its cache and the driver's own cache (PoCL, NVIDIA) serves CLBlast's."),
           ]
    out.append(md_section("On a GPU", "No GPU was at hand for the run above. On a machine with one, point the OpenCL "
                          "loader at the vendor's driver (e.g. NVIDIA's `libnvidia-opencl.so.1` through an ICD file "
                          "and `OCL_ICD_VENDORS`), then run `clgan devices`, `clgan selftest`, `clgan tune --budget "
                          "120` and this script with `--clgan` pointing at that build; `torch_twin.py --device cuda` "
                          "gives the PyTorch side."))
    tune_txt = os.path.join(a.work, "tune.txt")  # written by --tune, or the output of an earlier `clgan tune`
    if os.path.exists(tune_txt):
        with open(tune_txt) as f:
            out.append(md_section("What `clgan tune` found", "```\n" + f.read().strip() + "\n```"))
    with open(a.out + ".tmp", "w") as f:
        f.write("\n".join(out))
    os.replace(a.out + ".tmp", a.out)
    print("wrote " + a.out)


if __name__ == "__main__":
    main()

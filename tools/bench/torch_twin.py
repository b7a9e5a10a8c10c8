#!/usr/bin/env python3
"""torch_twin.py — PyTorch twins of clgan's preset training steps, for comparing
clgan against PyTorch on the same machine (docs/bench-json.md, "clgan-bench/1").

Each twin is the clgan preset layer for layer (host/train/gan_models.c,
classifier_models.c, ssl.c: the same layer order, channels, kernels, strides,
padding, biases, initialisation, batchnorm momentum 0.1 / eps 1e-5, dropout and
noise layers) and runs the same step (host/train/gan.c, classifier.c, ssl.c):
the same forwards and backwards in the same order, the same losses and Adam
settings. Inputs are random images in [-1, 1] and labels i % 10, made once and
copied to the device every step as clgan uploads them; only the time matters.

Usage:
  torch_twin.py models [--models dcgan28,lenet28,...] [--batch 64] [--steps 10] [--warmup 2]
                       [--threads T] [--device cpu|cuda] [--out FILE.json] [--label TEXT]
  torch_twin.py ops    [--steps N] [--warmup N] [--threads T] [--device cpu|cuda] [--out FILE.json]
  torch_twin.py --list-layers MODEL      one line per layer of each net: kind, [C,H,W], parameters

models: train/MODEL/w<W>/b<B> (one full training step) and infer/MODEL/w<W>/b<B> (a batch
sampled from G, or class probabilities for a batch), ms median/min/max over --steps after
--warmup untimed ones. ops: torch.mm SGEMM at 256..2048 (sgemm/NxNxN/NN). The JSON goes to
--out (written atomically); a table goes to stdout. `flops` of a training step counts the
GEMM-shaped work (dense, conv, transposed conv) as clgan runs it: forward, dW, and dX except
below the lowest parameter layer when nothing wants the input gradient (clgan's
net_backward stops there; PyTorch's autograd does too).

On CUDA, TF32 is switched off (clgan computes in plain FP32) and cuDNN autotuning is on.
Exit codes: 0 ok, 1 a workload failed (its result carries "error"), 2 usage, 77 skip
(PyTorch or the CUDA device is missing).
"""
import argparse
import datetime
import json
import math
import os
import platform
import statistics
import sys
import tempfile
import time

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError:
    print("torch_twin.py: PyTorch is not installed (Debian: apt-get install python3-torch "
          "libopenblas0-pthread); skipping", file=sys.stderr)
    sys.exit(77)

NZ, CLASSES = 100, 10
MODELS = ["dcgan28", "dcgan28-cond", "dcgan32", "dcgan64", "lenet28", "vgg32", "ssl28", "ssl32"]
# name: image channels, size, base resolution, stride-2 stages, default width (gan_models.c)
GAN_PRESETS = {"dcgan28": (1, 28, 7, 2, 32), "dcgan32": (3, 32, 4, 3, 64), "dcgan64": (3, 64, 4, 4, 64)}
# name: image channels, size, conv blocks, dense width multiple (classifier_models.c; width 32)
CLASSIFIER_PRESETS = {"lenet28": (1, 28, 2, 4), "vgg32": (3, 32, 3, 8)}
# name: image channels, size, generator preset (ssl.c; width 32)
SSL_PRESETS = {"ssl28": (1, 28, "dcgan28"), "ssl32": (3, 32, "dcgan32")}


# ---- layer specs: the same tables as the C presets ----------------------------------

def spec(kind, **kw):
    s = dict(kind=kind, out=0, k=0, stride=1, pad=0, bias=False, act=None, slope=0.0, p=0.0,
             init="normal", std=0.02, wn=0, shape=None)
    s.update(kw)
    return s


def dense(out, **kw): return spec("dense", out=out, bias=True, **kw)
def dense_wn(out, train_scale): return spec("dense", out=out, bias=True, wn=2 if train_scale else 1)
def conv(out, k, s, p): return spec("conv2d", out=out, k=k, stride=s, pad=p, bias=True)
def conv_t(out, k, s, p): return spec("conv_transpose2d", out=out, k=k, stride=s, pad=p, bias=True)
def bn(): return spec("batchnorm")
def act(a, slope=0.0): return spec("activation", act=a, slope=slope)


def drop_bias_before_batchnorm(specs):
    for a, b in zip(specs, specs[1:]):
        if b["kind"] == "batchnorm":
            a["bias"] = False
    return specs


def gan_generator_specs(model, width, cond):
    c, _, base, stages, _ = GAN_PRESETS[model]
    ch = width << (stages - 1)
    s = [spec("concat_labels", out=CLASSES)] if cond else []
    s += [dense(ch * base * base), spec("reshape", shape=(ch, base, base)), bn(), act("relu")]
    for _ in range(1, stages):
        ch //= 2
        s += [conv_t(ch, 4, 2, 1), bn(), act("relu")]
    s += [conv_t(c, 4, 2, 1), act("tanh")]
    return drop_bias_before_batchnorm(s)


def gan_discriminator_specs(model, width, cond):
    s = [spec("concat_labels", out=CLASSES)] if cond else []
    for i in range(GAN_PRESETS[model][3]):  # no batchnorm on D's input layer
        s += [conv(width << i, 4, 2, 1)] + ([bn()] if i else []) + [act("leaky_relu", 0.2)]
    return drop_bias_before_batchnorm(s + [dense(1)])


def classifier_specs(model, width):
    _, _, blocks, mult = CLASSIFIER_PRESETS[model]
    s = []
    for b in range(blocks):  # no bias before batchnorm; He init, Xavier for the logits
        s += [dict(conv(width << b, 3, 1, 1), bias=False, init="he"), bn(), act("relu")] * 2
        s.append(spec("maxpool", k=2, stride=2))
    return s + [dict(dense(mult * width), bias=False, init="he"), bn(), act("relu"), spec("dropout", p=0.5),
                dense(CLASSES, init="xavier")]


def ssl_discriminator_specs(model, width):
    """Returns (specs, index of the feature layer)."""
    if SSL_PRESETS[model][0] == 1:  # ssl28: the MLP with Gaussian noise and weight norm
        s = [spec("gaussian_noise", p=0.3)]
        for i, units in enumerate((1000, 500, 250, 250, 250)):
            if i:
                s.append(spec("gaussian_noise", p=0.5))
            s += [dense_wn(max(units * width // 32, 1), 0), act("relu")]
        feature = len(s) - 1
        s += [spec("gaussian_noise", p=0.5), dense_wn(CLASSES, 1)]
    else:  # ssl32: a small conv net with dropout
        h = (SSL_PRESETS[model][1] // 4 + 1) // 2
        s = [spec("dropout", p=0.2), conv(width, 4, 2, 1), act("leaky_relu", 0.2),
             conv(2 * width, 4, 2, 1), act("leaky_relu", 0.2), spec("dropout", p=0.5),
             conv(4 * width, 3, 2, 1), act("leaky_relu", 0.2), spec("avgpool", k=h, stride=h)]
        feature = len(s) - 1
        s.append(dense(CLASSES))
    for i, l in enumerate(s):
        if l["kind"] in ("conv2d", "dense"):
            l["init"] = "xavier" if i == len(s) - 1 and l["kind"] == "dense" else "he"
    return s, feature


# ---- a sequential net built from specs ----------------------------------------------

class GaussianNoise(nn.Module):
    def __init__(self, std):
        super().__init__()
        self.std = std

    def forward(self, x):
        return x + torch.randn_like(x) * self.std if self.training and self.std > 0 else x


def init_weight(w, s, fan_in, fan_out):  # clgan's init kinds: N(0, std), He normal, Xavier uniform
    with torch.no_grad():
        if s["init"] == "xavier":
            bound = math.sqrt(6.0 / (fan_in + fan_out))
            return w.uniform_(-bound, bound)
        return w.normal_(0.0, math.sqrt(2.0 / fan_in) if s["init"] == "he" else s["std"])


class TwinNet(nn.Module):
    """clgan_net's twin: layers in order on [N,C,H,W] tensors (dense outputs are [N,F,1,1])."""

    def __init__(self, in_shape, specs):
        super().__init__()
        self.in_shape, self.specs = tuple(in_shape), specs
        self.layers, self.shapes, self.macs = nn.ModuleList(), [], []  # macs: GEMM multiply-adds per image
        c, h, w = in_shape
        for s in specs:
            kind, m, macs, k, st, p, o = s["kind"], nn.Identity(), 0, s["k"], s["stride"], s["pad"], s["out"]
            if kind == "dense":
                m = nn.Linear(c * h * w, o, bias=s["bias"])
                init_weight(m.weight, dict(s, init="normal", std=0.05) if s["wn"] else s, c * h * w, o)
                if s["wn"]:  # W = g v / |v| per output row; g = 1, trained only when wn == 2
                    m = nn.utils.weight_norm(m, dim=0)
                    with torch.no_grad():
                        m.weight_g.fill_(1.0)
                    m.weight_g.requires_grad_(s["wn"] == 2)
                macs, (c, h, w) = c * h * w * o, (o, 1, 1)
            elif kind == "conv2d":
                m = nn.Conv2d(c, o, k, st, p, bias=s["bias"])
                init_weight(m.weight, s, c * k * k, o * k * k)
                c, h, w = o, (h + 2 * p - k) // st + 1, (w + 2 * p - k) // st + 1
                macs = c * h * w * m.in_channels * k * k
            elif kind == "conv_transpose2d":
                m = nn.ConvTranspose2d(c, o, k, st, p, output_padding=0, bias=s["bias"])
                init_weight(m.weight, s, o * k * k, c * k * k)
                macs, (c, h, w) = c * h * w * o * k * k, (o, (h - 1) * st - 2 * p + k, (w - 1) * st - 2 * p + k)
            elif kind == "batchnorm":
                m = nn.BatchNorm2d(c, eps=1e-5, momentum=0.1)  # gamma 1, beta 0
            elif kind == "activation":
                m = {"relu": nn.ReLU(), "tanh": nn.Tanh(), "leaky_relu": nn.LeakyReLU(s["slope"])}[s["act"]]
            elif kind in ("dropout", "gaussian_noise"):
                m = (nn.Dropout if kind == "dropout" else GaussianNoise)(s["p"])
            elif kind in ("maxpool", "avgpool"):
                m = (nn.MaxPool2d if kind == "maxpool" else nn.AvgPool2d)(k, st)
                h, w = (h - k) // st + 1, (w - k) // st + 1
            elif kind == "reshape":
                c, h, w = s["shape"]
            elif kind == "concat_labels":
                c += o
            if getattr(m, "bias", None) is not None:
                nn.init.zeros_(m.bias)
            self.layers.append(m)
            self.shapes.append((c, h, w))
            self.macs.append(macs)

    def forward(self, x, labels=None, feature=None):
        """Returns the output, or (output, output of layer `feature`) when feature is given."""
        n, feat = x.shape[0], None
        for i, (s, m) in enumerate(zip(self.specs, self.layers)):
            kind = s["kind"]
            if kind == "dense":
                x = m(x.reshape(n, -1)).view(n, -1, 1, 1)
            elif kind == "reshape":
                x = x.view(n, *s["shape"])
            elif kind == "concat_labels":
                onehot = F.one_hot(labels, s["out"]).to(x.dtype).view(n, s["out"], 1, 1)
                x = torch.cat([x, onehot.expand(n, s["out"], x.shape[2], x.shape[3])], 1)
            else:
                x = m(x)
            if i == feature:
                feat = x
        return x if feature is None else (x, feat)

    def layer_params(self, i):
        return sum(p.numel() for p in self.layers[i].parameters())

    def param_count(self):  # as clgan counts: weight-norm scales included even when fixed
        return sum(p.numel() for p in self.parameters())

    def fwd_flops(self, batch, upto=None):
        """GEMM flops of a forward (of the layers up to `upto` inclusive, when given)."""
        return 2 * batch * sum(self.macs[:None if upto is None else upto + 1])

    def lowest_flops(self, batch):
        """Forward flops of the lowest layer with parameters: its dX is skipped without an input gradient."""
        return next((2 * batch * m for i, m in enumerate(self.macs) if self.layer_params(i)), 0)

    def describe(self):
        lines = ["input            [%d,%d,%d]" % self.in_shape]
        for i, s in enumerate(self.specs):
            lines.append("%-16s [%d,%d,%d]  %d params" % ((s["kind"],) + self.shapes[i] + (self.layer_params(i),)))
        lines.append("total            %d params" % self.param_count())
        return "\n".join(lines)


def adam(params, lr, beta1):
    params = [p for p in params if p.requires_grad]
    try:
        return torch.optim.Adam(params, lr=lr, betas=(beta1, 0.999), eps=1e-8, foreach=True)
    except TypeError:  # an older PyTorch without foreach
        return torch.optim.Adam(params, lr=lr, betas=(beta1, 0.999), eps=1e-8)


# ---- the workloads ------------------------------------------------------------------

class Workload:
    """One preset on random data: train_step(), infer(), nets [(name, net)], flops of each."""

    def __init__(self, name, batch, device):
        self.name, self.batch, self.dev = name, batch, device
        self.cond = name.endswith("-cond")
        self.labels_host = torch.arange(batch) % CLASSES

    def images(self, c, size):
        return torch.rand(self.batch, c, size, size) * 2 - 1

    def param_count(self):
        return sum(net.param_count() for _, net in self.nets)

    def infer(self):  # inference mode (batchnorm running statistics, no dropout or noise), no autograd
        self.infer_net.eval()
        with torch.no_grad():
            out = self.infer_batch().cpu()
        self.infer_net.train()
        return out


class GanWorkload(Workload):
    """gan.c: G forward; D on real and on detached fakes, one Adam step; G through D, one Adam step."""

    def __init__(self, name, batch, device):
        super().__init__(name, batch, device)
        model = name.replace("-cond", "")
        c, size, _, _, self.width = GAN_PRESETS[model]
        self.G = TwinNet((NZ, 1, 1), gan_generator_specs(model, self.width, self.cond)).to(device)
        self.D = TwinNet((c, size, size), gan_discriminator_specs(model, self.width, self.cond)).to(device)
        self.nets, self.infer_net = [("G", self.G), ("D", self.D)], self.G
        self.opt_g, self.opt_d = adam(self.G.parameters(), 2e-4, 0.5), adam(self.D.parameters(), 2e-4, 0.5)
        self.real_host = self.images(c, size)
        self.ones, self.zeros = torch.ones(batch, device=device), torch.zeros(batch, device=device)
        G, D, B = self.G, self.D, batch  # D's backward on real and fakes stops above its input layer
        self.train_flops = 3 * G.fwd_flops(B) - G.lowest_flops(B) + 9 * D.fwd_flops(B) - 2 * D.lowest_flops(B)
        self.infer_flops = G.fwd_flops(B)

    def train_step(self):
        B, dev, bce = self.batch, self.dev, F.binary_cross_entropy_with_logits
        real = self.real_host.to(dev)
        labels = self.labels_host.to(dev) if self.cond else None  # the fakes take the real batch's classes
        fake = self.G(torch.randn(B, NZ, 1, 1, device=dev), labels)
        self.opt_d.zero_grad(set_to_none=True)
        l_real = bce(self.D(real, labels).view(B), self.ones)
        l_real.backward()
        l_fake = bce(self.D(fake.detach(), labels).view(B), self.zeros)
        l_fake.backward()
        self.opt_d.step()
        self.opt_g.zero_grad(set_to_none=True)
        l_gen = bce(self.D(fake, labels).view(B), self.ones)  # non-saturating; D's grads are dropped next step
        l_gen.backward()
        self.opt_g.step()
        return torch.stack([l_real.detach() + l_fake.detach(), l_gen.detach()]).cpu()

    def infer_batch(self):
        labels = self.labels_host.to(self.dev) if self.cond else None
        return self.G(torch.randn(self.batch, NZ, 1, 1, device=self.dev), labels)


class ClassifierWorkload(Workload):
    """classifier.c: forward, softmax cross-entropy, backward, Adam (lr 1e-3); logits read back."""

    def __init__(self, name, batch, device):
        super().__init__(name, batch, device)
        c, size, _, _ = CLASSIFIER_PRESETS[name]
        self.width = 32
        self.C = TwinNet((c, size, size), classifier_specs(name, self.width)).to(device)
        self.nets, self.infer_net = [("C", self.C)], self.C
        self.opt = adam(self.C.parameters(), 1e-3, 0.9)
        self.x_host = self.images(c, size)
        self.train_flops = 3 * self.C.fwd_flops(batch) - self.C.lowest_flops(batch)
        self.infer_flops = self.C.fwd_flops(batch)

    def train_step(self):
        x, y = self.x_host.to(self.dev), self.labels_host.to(self.dev)
        self.opt.zero_grad(set_to_none=True)
        logits = self.C(x).flatten(1)
        loss = F.cross_entropy(logits, y)
        loss.backward()
        self.opt.step()
        return loss.item(), logits.detach().cpu()

    def infer_batch(self):
        return F.softmax(self.C(self.x_host.to(self.dev)).flatten(1), 1)


class SslWorkload(Workload):
    """ssl.c: G(z); G step by feature matching (D on unlabelled and on fakes); then D's K+1
    losses on labelled, unlabelled and detached fake batches, each its own forward + backward."""

    def __init__(self, name, batch, device):
        super().__init__(name, batch, device)
        c, size, gan_model = SSL_PRESETS[name]
        self.width = 32
        dspecs, self.feature = ssl_discriminator_specs(name, self.width)
        self.G = TwinNet((NZ, 1, 1), gan_generator_specs(gan_model, self.width, False)).to(device)
        self.D = TwinNet((c, size, size), dspecs).to(device)
        self.nets, self.infer_net = [("G", self.G), ("D", self.D)], self.D
        self.opt_g, self.opt_d = adam(self.G.parameters(), 2e-3, 0.5), adam(self.D.parameters(), 2e-3, 0.5)
        self.lab_host, self.unl_host = self.images(c, size), self.images(c, size)
        G, D, B = self.G, self.D, batch
        self.train_flops = (3 * G.fwd_flops(B) - G.lowest_flops(B) + 11 * D.fwd_flops(B)
                            + 2 * D.fwd_flops(B, self.feature) - 3 * D.lowest_flops(B))
        self.infer_flops = D.fwd_flops(B)

    def train_step(self):
        B, dev, half_w = self.batch, self.dev, 0.5  # unlabelled weight 1, halved as in ssl.c
        x_lab, y_lab, x_unl = self.lab_host.to(dev), self.labels_host.to(dev), self.unl_host.to(dev)
        fake = self.G(torch.randn(B, NZ, 1, 1, device=dev))
        with torch.no_grad():
            f_real = self.D(x_unl, feature=self.feature)[1].reshape(B, -1)
        f_fake = self.D(fake, feature=self.feature)[1].reshape(B, -1)
        loss_fm = ((f_fake.mean(0) - f_real.mean(0)) ** 2).mean()
        self.opt_g.zero_grad(set_to_none=True)
        loss_fm.backward()
        self.opt_g.step()
        self.opt_d.zero_grad(set_to_none=True)
        loss_lab = F.cross_entropy(self.D(x_lab).view(B, -1), y_lab)
        loss_lab.backward()
        lse = torch.logsumexp(self.D(x_unl).view(B, -1), 1)
        loss_unl = half_w * (F.softplus(lse) - lse).mean()
        loss_unl.backward()
        loss_fake = half_w * F.softplus(torch.logsumexp(self.D(fake.detach()).view(B, -1), 1)).mean()
        loss_fake.backward()
        self.opt_d.step()
        return torch.stack([loss_lab.detach(), loss_unl.detach(), loss_fake.detach(), loss_fm.detach()]).cpu()

    def infer_batch(self):
        return F.softmax(self.D(self.lab_host.to(self.dev)).view(self.batch, -1), 1)


def make_workload(name, batch, device):
    if name.replace("-cond", "") in GAN_PRESETS:
        return GanWorkload(name, batch, device)
    return (ClassifierWorkload if name in CLASSIFIER_PRESETS else SslWorkload)(name, batch, device)


# ---- timing, results, JSON ----------------------------------------------------------

def time_it(fn, steps, warmup, sync):
    """(median, min, max) milliseconds of fn over `steps` calls after `warmup` untimed ones."""
    times = []
    for i in range(warmup + steps):
        t0 = time.perf_counter()
        fn()
        sync()
        if i >= warmup:
            times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times), min(times), max(times)


def result(rid, group, timing, reps, flops=None, nbytes=None, items=None, params=None, error=None):
    ms, lo, hi = timing or (None, None, None)
    rate = lambda v, scale=1.0: v / (ms / 1e3) / scale if v is not None and ms else None
    r = {"id": rid, "group": group, "ms": ms, "ms_min": lo, "ms_max": hi, "reps": reps,
         "flops": flops, "gflops": rate(flops, 1e9), "bytes": nbytes, "gbps": rate(nbytes, 1e9),
         "items": items, "items_per_s": rate(items), "peak_device_bytes": None, "params": params}
    if error:
        r["error"] = error
    fmt = lambda v: "%.2f" % v if v is not None else "-"
    print("%-32s %10s %10s %10s %12s %9s%s" % (rid, fmt(ms), fmt(lo), fmt(hi), fmt(r["items_per_s"]),
          fmt(r["gflops"]), "  ERROR: " + error if error else ""), flush=True)
    return r


def suite_models(args, device, sync):
    out = []
    for name in args.models:
        width = GAN_PRESETS[name.replace("-cond", "")][4] if name.replace("-cond", "") in GAN_PRESETS else 32
        ids = ["%s/%s/w%d/b%d" % (kind, name, width, args.batch) for kind in ("train", "infer")]
        try:
            w = make_workload(name, args.batch, device)
        except Exception as e:  # reported in the JSON, and the run goes on
            out += [result(rid, rid[:5], None, 0, error="%s: %s" % (type(e).__name__, e)) for rid in ids]
            continue
        params = {"model": name, "width": w.width, "batch": args.batch, "conditional": w.cond,
                  "param_count": w.param_count()}
        for rid, fn, flops in zip(ids, (w.train_step, w.infer), (w.train_flops, w.infer_flops)):
            try:
                timing, error = time_it(fn, args.steps, args.warmup, sync), None
            except Exception as e:
                timing, error = None, "%s: %s" % (type(e).__name__, e)
            out.append(result(rid, rid[:5], timing, args.steps if timing else 0, flops=flops, items=args.batch,
                              params=params, error=error))
        del w
    return out


def suite_ops(args, device, sync):
    out = []
    for n in (256, 512, 1024, 2048):
        a, b = (torch.rand(n, n, device=device) * 2 - 1 for _ in range(2))
        c = torch.empty(n, n, device=device)
        timing = time_it(lambda: torch.mm(a, b, out=c), args.steps, args.warmup, sync)
        out.append(result("sgemm/%dx%dx%d/NN" % (n, n, n), "sgemm", timing, args.steps, flops=2 * n ** 3,
                          nbytes=3 * 4 * n * n, params={"m": n, "n": n, "k": n, "trans_a": 0, "trans_b": 0}))
    return out


def cpu_info(key):
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.split(":")[0].strip() == key:
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def device_info(device):
    if device.type == "cuda":
        p = torch.cuda.get_device_properties(device)
        return {"name": p.name, "platform": "PyTorch", "vendor": "NVIDIA", "type": "cuda",
                "driver": "CUDA " + str(torch.version.cuda), "compute_units": p.multi_processor_count,
                "global_mem_bytes": p.total_memory}
    return {"name": cpu_info("model name"), "platform": "PyTorch", "vendor": cpu_info("vendor_id"),
            "type": "cpu", "driver": torch.__version__, "compute_units": torch.get_num_threads(),
            "global_mem_bytes": None}


def write_json(path, doc):
    """Atomically: a temporary file beside `path`, then a rename over it."""
    fd, tmp = tempfile.mkstemp(prefix=".torch_twin.", suffix=".json", dir=os.path.dirname(os.path.abspath(path)))
    try:
        with os.fdopen(fd, "w") as f:
            json.dump(doc, f, indent=2)
            f.write("\n")
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def main(argv):
    ap = argparse.ArgumentParser(prog="torch_twin.py", description="PyTorch twins of clgan's bench suites.")
    ap.add_argument("suite", nargs="?", choices=("models", "ops"))
    ap.add_argument("--models", default=",".join(MODELS), help="comma-separated (default: all)")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
    ap.add_argument("--out", help="write the clgan-bench/1 JSON here")
    ap.add_argument("--label", help='name for tables and charts (default "torch <device name>")')
    ap.add_argument("--list-layers", metavar="MODEL", help="print the nets of MODEL layer by layer and exit")
    args = ap.parse_args(argv)
    args.models = [m for m in args.models.split(",") if m]
    for m in args.models + ([args.list_layers] if args.list_layers else []):
        if m not in MODELS:
            ap.error("unknown model '%s'; choose from %s" % (m, ",".join(MODELS)))
    if args.list_layers:
        w = make_workload(args.list_layers, 2, torch.device("cpu"))
        for name, net in w.nets:
            print("net %s\n%s" % (name, net.describe()))
        print("workload total   %d params" % w.param_count())
        return 0
    if not args.suite:
        ap.error("choose a suite: models or ops (or --list-layers MODEL)")
    if args.batch < 2 or args.steps < 1 or args.warmup < 0 or args.threads < 1:
        ap.error("need --batch >= 2, --steps >= 1, --warmup >= 0, --threads >= 1")
    if args.out and not os.path.isdir(os.path.dirname(os.path.abspath(args.out))):
        ap.error("--out %s: its folder does not exist" % args.out)

    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    device, sync = torch.device("cpu"), (lambda: None)
    if args.device == "cuda":
        if not torch.cuda.is_available():
            print("torch_twin.py: CUDA is not available to this PyTorch; skipping", file=sys.stderr)
            return 77
        device, sync = torch.device("cuda"), torch.cuda.synchronize
        torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = False
        torch.backends.cudnn.benchmark = True
    dev = device_info(device)
    print("torch %s on %s (%s), %d threads: %s, %d timed steps after %d warm-up" % (
        torch.__version__, dev["name"], dev["type"], torch.get_num_threads(), args.suite, args.steps, args.warmup))
    print("%-32s %10s %10s %10s %12s %9s" % ("id", "ms", "ms_min", "ms_max", "items/s", "GFLOP/s"))
    results = (suite_models if args.suite == "models" else suite_ops)(args, device, sync)
    if args.out:
        write_json(args.out, {
            "schema": "clgan-bench/1", "suite": args.suite, "tool": "torch", "tool_version": torch.__version__,
            "label": args.label or "torch %s" % dev["name"],
            "created": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "host": {"cpu": cpu_info("model name"), "cores": os.cpu_count(),
                     "os": "%s %s" % (platform.system(), platform.release())},
            "device": dev, "clblast_version": None, "threads": torch.get_num_threads(), "tuned": None,
            "tuning": None, "results": results})
        print("wrote %s" % args.out)
    return 1 if any(r.get("error") for r in results) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

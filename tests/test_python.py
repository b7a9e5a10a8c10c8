#!/usr/bin/env python3
"""test_python.py — tools/python/clgan.py over the built libclgan ($CLGAN_LIBRARY): version, datasets
as NumPy arrays (values as p / 127.5 - 1, the same as the C API's batches), errors carrying the
library's message, the PNG writer; on a device, a small GAN trained for a few steps, saved, loaded
and sampled (same seed, same images), its net's parameters round-tripped, and a classifier's
probabilities. Exit 77 (skipped) without NumPy or without an OpenCL device."""
import os
import struct
import sys
import tempfile

try:
    import numpy as np
except ImportError:
    print("test_python: numpy is not installed (Debian: python3-numpy): skipped")
    sys.exit(77)

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools", "python"))
import clgan  # noqa: E402

failures = 0


def expect(cond, what):
    global failures
    print(("ok   " if cond else "FAIL ") + what)
    sys.stdout.flush()
    if not cond:
        failures += 1


def png_size(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    w, h = struct.unpack(">II", data[16:24])
    return w, h


def host_part(tmp):
    v = clgan.version()
    expect(v.count(".") == 2 and clgan.library().clgan_version() == sum(
        int(p) * m for p, m in zip(v.split("."), (10000, 100, 1))), "version %s agrees with clgan_version()" % v)

    d = clgan.Dataset.open("synthetic", synthetic_train=40, synthetic_classes=5, seed=3)
    x, y = d.arrays()
    expect(x.shape == (40, 1, 28, 28) and x.dtype == np.float32 and y.shape == (40,) and y.dtype == np.int32,
           "synthetic: arrays %s %s and %s %s" % (x.shape, x.dtype, y.shape, y.dtype))
    expect(d.classes == 5 and len(set(d.class_names)) == 5 and d.class_names[0] == "disc" and len(d) == 40,
           "synthetic: 5 classes named %s (class 0 is the disc)" % d.class_names)
    expect(np.array_equal(y, np.arange(40) % 5), "synthetic: label i % 5")
    # Every value is p / 127.5 - 1 for a byte p.
    p = (x.astype(np.float64) + 1.0) * 127.5
    expect(float(np.abs(p - np.round(p)).max()) < 1e-3 and x.min() >= -1 and x.max() <= 1,
           "synthetic: values are bytes mapped to [-1, 1]")
    x2, y2 = d.read(10, 5)
    expect(np.array_equal(x2, x[10:15]) and np.array_equal(y2, y[10:15]), "read(10, 5) is arrays()[10:15]")
    again = clgan.Dataset.open("synthetic", synthetic_train=40, synthetic_classes=5, seed=3).arrays()[0]
    expect(np.array_equal(again, x), "the same options give the same images")
    try:
        d.read(38, 5)
        expect(False, "reading past the end raises")
    except clgan.Error as e:
        expect(e.status == "CLGAN_ERR_INVALID_ARG" and "38..42" in e.message, "reading past the end raises: %s" % e)
    missing = os.path.join(tmp, "no-such-folder")
    try:
        clgan.Dataset.open(missing)
        expect(False, "a missing path raises")
    except clgan.Error as e:
        expect("no-such-folder" in e.message and e.message == clgan.library().clgan_last_error().decode(),
               "a missing path raises with clgan_last_error()'s message: %s" % e.message)

    png = os.path.join(tmp, "grid.png")
    clgan.write_png_grid(png, x[:10], cols=5, pad=1)
    expect(png_size(png) == (5 * 28 + 6, 2 * 28 + 3), "write_png_grid: 5 x 2 cells, %s" % (png_size(png),))
    try:
        clgan.write_png_grid(png, x[:10].repeat(2, axis=1), cols=5)
        expect(False, "a grid of 2-channel images raises")
    except clgan.Error as e:
        expect(e.status == "CLGAN_ERR_INVALID_ARG", "a grid of 2-channel images raises: %s" % e.message)
    return x, y


def device_part(tmp, x, y):
    try:
        ctx = clgan.Context()
    except clgan.Error as e:
        if e.status in ("CLGAN_ERR_NO_PLATFORM", "CLGAN_ERR_NO_DEVICE"):
            print("test_python: no OpenCL device (%s): device part skipped" % e.message)
            return False
        raise
    print("device: %s" % ctx.device_name)
    gan = clgan.Model.create("gan", arch="dcgan28", settings={"batch": 8, "width": 8, "seed": 5}, context=ctx)
    expect(gan.kind == "gan" and gan.shape == (1, 28, 28) and gan.batch == 8, "GAN: kind %s, shape %s, batch %d" %
           (gan.kind, gan.shape, gan.batch))
    stats = gan.train(x, steps=3, seed=2)
    expect(gan.steps == 3 and "loss_d" in stats and all(np.isfinite(v) for v in stats.values()),
           "GAN: 3 steps, finite statistics %s" % stats)
    try:
        gan.train_step(x[:5])
        expect(False, "a wrong batch raises")
    except ValueError as e:
        expect("batch is 8" in str(e), "a wrong batch raises: %s" % e)
    a = gan.sample(6, seed=9)
    expect(a.shape == (6, 1, 28, 28) and np.isfinite(a).all() and a.min() >= -1 and a.max() <= 1,
           "GAN: 6 samples in [-1, 1]")
    expect(np.array_equal(a, gan.sample(6, seed=9)) and not np.array_equal(a, gan.sample(6, seed=10)),
           "GAN: the same seed gives the same samples, another seed others")
    expect(np.array_equal(a, gan.sample(6, seed=9, ema=False)) and gan.net("G_ema") is None,
           "GAN without g_ema: no G_ema net, ema=False samples the same images")
    avg = clgan.Model.create("gan", arch="dcgan28", settings={"batch": 8, "width": 8, "seed": 5, "g_ema": 0.9},
                             context=ctx)
    avg.train(x, steps=2, seed=2)
    expect(avg.net("G_ema") is not None and not np.array_equal(avg.sample(6, seed=9), avg.sample(6, seed=9, ema=False)),
           "GAN with g_ema: a G_ema net, whose samples differ from G's")
    g = gan.net("G")
    params = g.get_params()
    expect(params.size == g.param_count == sum(n for _, _, n in g.layers()) and g.layers()[-1][1] == (1, 28, 28),
           "G: %d parameters over %d layers, output %s" % (params.size, len(g.layers()), g.layers()[-1][1]))
    ckpt = os.path.join(tmp, "gan.ckpt")
    gan.save(ckpt, note="from test_python")
    back = clgan.Model.load(ckpt, context=ctx)
    expect(back.note == "from test_python" and back.steps == 3, "load: note %r, %d steps" % (back.note, back.steps))
    expect(np.array_equal(back.sample(6, seed=9), a), "load: the loaded GAN samples the same images")
    expect(np.array_equal(back.net("G").get_params(), params), "load: G's parameters are the saved ones")
    g.set_params(np.zeros_like(params))
    expect(not np.array_equal(gan.sample(6, seed=9), a) and not gan.net("G").get_params().any(),
           "set_params: zeroed G samples other images")
    try:
        g.set_params(params[:-1])
        expect(False, "set_params with one value too few raises")
    except clgan.Error as e:
        expect(str(params.size) in e.message, "set_params with one value too few raises: %s" % e.message)
    try:
        clgan.Model.load(os.path.join(tmp, "grid.png"), context=ctx)
        expect(False, "loading a PNG as a checkpoint raises")
    except clgan.Error as e:
        expect("grid.png" in e.message, "loading a PNG as a checkpoint raises naming it: %s" % e.message)

    text = gan.describe()
    expect("G:\n" in text and "total: %d parameters" % params.size in text and "\nD:\n" in text
           and gan.setting("batch") == "8",
           "describe gives G's layer table with its %d parameters in all, and D's; setting('batch') is 8"
           % params.size)

    with clgan.Model.create("gan", settings="batch=8 width=8", context=ctx) as closed:
        closed_net = closed.net("G")
    try:
        closed_net.get_params()
        expect(False, "a net of a closed model raises")
    except clgan.Error as e:
        expect("closed" in e.message, "a net of a closed model raises: %s" % e.message)
    other = clgan.Context()
    on_other = clgan.Model.create("gan", settings="batch=8 width=8", context=other)
    other.close()
    expect(not on_other._h, "closing a context closes the models on it first")

    clf = clgan.Model.create("classifier", settings="batch=8 width=8", classes=5, context=ctx)
    clf.train(x, y, steps=2)
    probs = clf.predict(x[:7])
    expect(probs.shape == (7, 5) and np.allclose(probs.sum(axis=1), 1, atol=1e-4) and (probs >= 0).all(),
           "classifier: probabilities [7, 5], each row sums to 1")
    test = clgan.Dataset.open("synthetic", split="test", synthetic_test=30, synthetic_classes=5)
    acc, confusion = clf.evaluate(test)
    tx, ty = test.arrays()
    predicted = clf.predict(tx).argmax(axis=1)
    expect(confusion.shape == (5, 5) and confusion.sum() == 30 and np.array_equal(confusion.sum(axis=1),
                                                                                  np.bincount(ty, minlength=5)),
           "evaluate: a 5 x 5 confusion over the 30 test images, rows the true classes")
    expect(abs(acc - float((predicted == ty).mean())) < 1e-9,
           "evaluate's accuracy %.3f is predict's argmax agreement %.3f" % (acc, (predicted == ty).mean()))
    return True


def main():
    with tempfile.TemporaryDirectory() as tmp:
        x, y = host_part(tmp)
        device_part(tmp, x, y)
    print("%d failure(s)" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

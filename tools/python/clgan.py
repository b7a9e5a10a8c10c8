"""clgan.py — Python access to libclgan through ctypes, with NumPy arrays in and out.

    import clgan
    ctx = clgan.Context()                                  # $CLGAN_DEVICE, else the first GPU, else any
    data = clgan.Dataset.open("synthetic")                 # any format --data takes
    images, labels = data.arrays()                         # float32 [n,C,H,W] in [-1,1], int32 [n]
    gan = clgan.Model.create("gan", arch="dcgan28", settings="batch=16", context=ctx)
    gan.train(images, steps=50)                            # shuffled batches of the model's batch size
    gan.save("gan.ckpt")
    x = clgan.Model.load("gan.ckpt", context=ctx).sample(16, seed=1)   # float32 [16,C,H,W]
    clgan.write_png_grid("samples.png", x)

Every failing call raises clgan.Error with the library's message (clgan_last_error()) and
status name. The library is found through $CLGAN_LIBRARY (a path to libclgan.so), else the
loader's usual paths (LD_LIBRARY_PATH, the system folders). docs/PYTHON.md has the whole API.
"""
import ctypes
import ctypes.util
import os
import weakref

import numpy as np

__all__ = ["Error", "Context", "Dataset", "Model", "Net", "write_png_grid", "version", "library"]

_KINDS = {"gan": 1, "classifier": 2, "ssl": 3, "dfeatures": 4}
_SPLITS = {"train": 0, "test": 1}
_STATS_MAX = 8


class Error(RuntimeError):
    """A libclgan call failed: .status is its status name ("CLGAN_ERR_IO"), .message the library's text."""

    def __init__(self, status, message):
        super().__init__("%s: %s" % (status, message))
        self.status = status
        self.message = message


# ---- the C structs (the same fields, in the same order, as include/clgan/*.h) -------------------

class _CtxParams(ctypes.Structure):
    _fields_ = [("device_spec", ctypes.c_char_p), ("cache_dir", ctypes.c_char_p), ("use_cache", ctypes.c_int),
                ("verbose", ctypes.c_int), ("use_tuning", ctypes.c_int)]


class _DeviceInfo(ctypes.Structure):
    _fields_ = [("index", ctypes.c_int), ("platform_index", ctypes.c_int)] + \
               [(name, ctypes.c_char * 128) for name in ("platform_name", "platform_version", "device_name", "vendor",
                                                         "driver_version", "device_version", "opencl_c_version")] + \
               [("type", ctypes.c_int), ("compute_units", ctypes.c_uint), ("clock_mhz", ctypes.c_uint),
                ("global_mem_bytes", ctypes.c_uint64), ("max_alloc_bytes", ctypes.c_uint64),
                ("local_mem_bytes", ctypes.c_uint64), ("max_work_group_size", ctypes.c_size_t),
                ("has_fp16", ctypes.c_int), ("has_fp64", ctypes.c_int)]


class _DatasetOptions(ctypes.Structure):
    _fields_ = [("size", ctypes.c_int), ("channels", ctypes.c_int), ("seed", ctypes.c_uint64), ("limit", ctypes.c_int),
                ("synthetic_train", ctypes.c_int), ("synthetic_test", ctypes.c_int),
                ("synthetic_classes", ctypes.c_int), ("test_percent", ctypes.c_int),
                ("skip_unreadable", ctypes.c_int)]


class _DatasetInfo(ctypes.Structure):
    _fields_ = [("count", ctypes.c_int), ("channels", ctypes.c_int), ("height", ctypes.c_int),
                ("width", ctypes.c_int), ("classes", ctypes.c_int), ("skipped", ctypes.c_int),
                ("source", ctypes.c_char * 256)]


class _ModelParams(ctypes.Structure):
    _fields_ = [("kind", ctypes.c_int), ("arch", ctypes.c_char_p), ("arch_d", ctypes.c_char_p),
                ("settings", ctypes.c_char_p), ("classes", ctypes.c_int), ("gan_checkpoint", ctypes.c_char_p)]


class _ModelInfo(ctypes.Structure):
    _fields_ = [("kind", ctypes.c_int), ("channels", ctypes.c_int), ("height", ctypes.c_int), ("width", ctypes.c_int),
                ("classes", ctypes.c_int), ("batch", ctypes.c_int), ("nz", ctypes.c_int),
                ("steps", ctypes.c_int64), ("params", ctypes.c_size_t), ("arch", ctypes.c_char * 32)]


class _StepStats(ctypes.Structure):
    _fields_ = [("count", ctypes.c_int), ("names", ctypes.c_char_p * _STATS_MAX),
                ("values", ctypes.c_double * _STATS_MAX)]


# ---- the library ----------------------------------------------------------------------------------

_P = ctypes.c_void_p
_F32 = ctypes.POINTER(ctypes.c_float)
_I32 = ctypes.POINTER(ctypes.c_int32)
_I64 = ctypes.POINTER(ctypes.c_int64)
_INT = ctypes.c_int
_STR = ctypes.c_char_p
_SIZE = ctypes.c_size_t

# name: (result type, argument types); a result of _INT named *status* below is a clgan_status.
_SIGNATURES = {
    "clgan_version": (_INT, []),
    "clgan_version_string": (_STR, []),
    "clgan_status_name": (_STR, [_INT]),
    "clgan_last_error": (_STR, []),
    "clgan_ctx_default_params": (_CtxParams, []),
    "clgan_ctx_create": (_INT, [ctypes.POINTER(_CtxParams), ctypes.POINTER(_P)]),
    "clgan_ctx_free": (None, [_P]),
    "clgan_ctx_device": (ctypes.POINTER(_DeviceInfo), [_P]),
    "clgan_dataset_default_options": (_DatasetOptions, []),
    "clgan_dataset_open": (_INT, [_STR, _INT, ctypes.POINTER(_DatasetOptions), ctypes.POINTER(_P)]),
    "clgan_dataset_free": (None, [_P]),
    "clgan_dataset_get_info": (_INT, [_P, ctypes.POINTER(_DatasetInfo)]),
    "clgan_dataset_class_name": (_STR, [_P, _INT]),
    "clgan_dataset_read": (_INT, [_P, _INT, _INT, _F32, _I32]),
    "clgan_png_grid": (_INT, [_STR, _F32, _INT, _INT, _INT, _INT, _INT, ctypes.c_float, ctypes.c_float, _INT]),
    "clgan_model_default_params": (_ModelParams, [_INT]),
    "clgan_model_create": (_INT, [_P, ctypes.POINTER(_ModelParams), ctypes.POINTER(_P)]),
    "clgan_model_load": (_INT, [_P, _STR, ctypes.POINTER(_P), ctypes.c_char_p, _SIZE]),
    "clgan_model_save": (_INT, [_P, _STR, _STR]),
    "clgan_model_free": (None, [_P]),
    "clgan_model_kind_name": (_STR, [_INT]),
    "clgan_model_get_info": (_INT, [_P, ctypes.POINTER(_ModelInfo)]),
    "clgan_model_get_setting": (_INT, [_P, _STR, ctypes.c_char_p, _SIZE]),
    "clgan_model_class_name": (_STR, [_P, _INT]),
    "clgan_model_describe": (_INT, [_P, ctypes.c_char_p, _SIZE]),
    "clgan_model_net": (_P, [_P, _STR]),
    "clgan_model_train_step": (_INT, [_P, _F32, _I32, ctypes.POINTER(_StepStats)]),
    "clgan_model_sample": (_INT, [_P, _INT, _I32, ctypes.c_uint64, _F32]),
    "clgan_model_set_sample_ema": (_INT, [_P, _INT]),
    "clgan_model_predict": (_INT, [_P, _INT, _F32, _F32]),
    "clgan_model_evaluate": (_INT, [_P, _P, _I64, ctypes.POINTER(ctypes.c_double)]),
    "clgan_net_layer_count": (_INT, [_P]),
    "clgan_net_layer_kind": (_STR, [_P, _INT]),
    "clgan_net_layer_shape": (None, [_P, _INT, ctypes.POINTER(_INT), ctypes.POINTER(_INT), ctypes.POINTER(_INT)]),
    "clgan_net_param_count": (_SIZE, [_P]),
    "clgan_net_layer_param_count": (_SIZE, [_P, _INT]),
    "clgan_net_get_params": (_INT, [_P, _F32, _SIZE]),
    "clgan_net_set_params": (_INT, [_P, _F32, _SIZE]),
}

_lib = None


def library():
    """The loaded libclgan (ctypes.CDLL): $CLGAN_LIBRARY, else libclgan.so.0 from the loader's paths."""
    global _lib
    if _lib is not None:
        return _lib
    tried = []
    names = [os.environ["CLGAN_LIBRARY"]] if os.environ.get("CLGAN_LIBRARY") else \
        ["libclgan.so.0", "libclgan.so", ctypes.util.find_library("clgan")]
    lib = None
    for name in names:
        if not name:
            continue
        try:
            lib = ctypes.CDLL(name)
            break
        except OSError as e:
            tried.append("%s (%s)" % (name, e))
    if lib is None:
        raise OSError("clgan: libclgan not found; tried %s. Set CLGAN_LIBRARY to the path of libclgan.so, "
                      "or add its folder to LD_LIBRARY_PATH" % ", ".join(tried))
    for name, (restype, argtypes) in _SIGNATURES.items():
        fn = getattr(lib, name, None)
        if fn is None:  # an older library: calls that use it fail when made
            continue
        fn.restype, fn.argtypes = restype, argtypes
    _lib = lib
    return lib


def _fn(name):
    """The library's function `name`; Error when this libclgan has none of that name."""
    fn = getattr(library(), name, None)
    if fn is None:
        raise Error("CLGAN_ERR_INVALID_ARG", "%s is not in this libclgan (%s)" % (name, library()._name))
    return fn


def _call(name, *args):
    """Call a clgan_* function that returns a clgan_status; raise Error unless it is CLGAN_OK."""
    status = _fn(name)(*args)
    if status != 0:
        lib = library()
        raise Error(lib.clgan_status_name(status).decode(), lib.clgan_last_error().decode(errors="replace"))


def _text(s):
    return None if s is None else s.encode()


def _floats(a, shape_tail, what):
    """a as a C-contiguous float32 array [n, *shape_tail], checked."""
    a = np.ascontiguousarray(a, dtype=np.float32)
    if a.ndim != 1 + len(shape_tail) or tuple(a.shape[1:]) != tuple(shape_tail):
        raise ValueError("%s: shape %s, expected [n, %s]" % (what, a.shape, ", ".join(map(str, shape_tail))))
    return a


def _labels(y, n, what):
    if y is None:
        return None
    y = np.ascontiguousarray(y, dtype=np.int32)
    if y.shape != (n,):
        raise ValueError("%s: labels shape %s, expected (%d,)" % (what, y.shape, n))
    return y


def _fptr(a):
    return None if a is None else a.ctypes.data_as(_F32)


def _iptr(a):
    return None if a is None else a.ctypes.data_as(_I32)


def version():
    """The library's version string ("0.1.0")."""
    return _fn("clgan_version_string")().decode()


class _Handle:
    """A library handle freed by _free (a clgan_*_free name) at close(), at the end of a with-block, or when
    the object goes."""

    _free = None
    _h = None

    def close(self):
        if self._h:
            _fn(self._free)(self._h)
            self._h = None

    def __del__(self):
        self.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# ---- context --------------------------------------------------------------------------------------

class Context(_Handle):
    """An OpenCL device with its kernel cache. device: an index ("0"), a type ("gpu", "cpu") or a
    substring of the platform, device or vendor name; None: $CLGAN_DEVICE, else the first GPU."""

    _default = None
    _free = "clgan_ctx_free"

    def __init__(self, device=None, cache_dir=None, verbose=False):
        self._models = weakref.WeakSet()  # models on this context: closed before it
        p = _fn("clgan_ctx_default_params")()
        self._keep = (_text(device), _text(cache_dir))
        p.device_spec, p.cache_dir = self._keep
        p.verbose = int(bool(verbose))
        h = _P()
        _call("clgan_ctx_create", ctypes.byref(p), ctypes.byref(h))
        self._h = h

    def close(self):
        """Frees the context, after closing the models still open on it."""
        for m in list(getattr(self, "_models", ())):
            m.close()
        _Handle.close(self)

    @classmethod
    def default(cls):
        """One shared context on the default device, made on first use."""
        if cls._default is None:
            cls._default = Context()
        return cls._default

    @property
    def device_name(self):
        return _fn("clgan_ctx_device")(self._h).contents.device_name.decode(errors="replace")



# ---- datasets -------------------------------------------------------------------------------------

class Dataset(_Handle):
    """A dataset in host memory (IDX, CIFAR-10, an image folder, or "synthetic"); see clgan/dataset.h."""

    _free = "clgan_dataset_free"

    def __init__(self, handle):
        self._h = handle
        info = _DatasetInfo()
        _call("clgan_dataset_get_info", self._h, ctypes.byref(info))
        self.count, self.classes, self.skipped = info.count, info.classes, info.skipped
        self.shape = (info.channels, info.height, info.width)
        self.source = info.source.decode(errors="replace")
        self.class_names = [_fn("clgan_dataset_class_name")(self._h, k).decode(errors="replace")
                            for k in range(self.classes)]

    @classmethod
    def open(cls, spec, split="train", size=0, channels=0, seed=1, limit=0, synthetic_train=0, synthetic_test=0,
             synthetic_classes=0, test_percent=0, skip_unreadable=False):
        """Open `spec` (a path or "synthetic"); split "train" or "test"; size > 0 resizes and crops to
        size x size; channels 1 or 3 converts (0 keeps the data's own). The other options are
        clgan_dataset_options' fields."""
        if split not in _SPLITS:
            raise ValueError("split must be 'train' or 'test', not %r" % (split,))
        o = _fn("clgan_dataset_default_options")()
        o.size, o.channels, o.seed, o.limit = size, channels, seed, limit
        o.synthetic_train, o.synthetic_test, o.synthetic_classes = synthetic_train, synthetic_test, synthetic_classes
        o.test_percent, o.skip_unreadable = test_percent, int(bool(skip_unreadable))
        h = _P()
        _call("clgan_dataset_open", spec.encode(), _SPLITS[split], ctypes.byref(o), ctypes.byref(h))
        return cls(h)

    def read(self, first=0, count=None):
        """Images first .. first+count-1: (float32 [count,C,H,W] in [-1,1], int32 labels [count], -1 unlabelled)."""
        if count is None:
            count = self.count - first
        x = np.empty((count,) + self.shape, dtype=np.float32)
        y = np.empty((count,), dtype=np.int32)
        _call("clgan_dataset_read", self._h, first, count, _fptr(x), _iptr(y))
        return x, y

    def arrays(self):
        """Every image and label: read(0, count)."""
        return self.read(0, self.count)

    def __len__(self):
        return self.count



# ---- nets and models ------------------------------------------------------------------------------

class Net:
    """One net of a model ("G", "D", "C", "head"); valid while its model is."""

    def __init__(self, model, handle):
        self._model, self._net = model, handle

    @property
    def _h(self):
        if not self._model._h:
            raise Error("CLGAN_ERR_INVALID_ARG", "the net's model was closed")
        return self._net

    def layers(self):
        """[(kind, (C, H, W), parameters)] per layer."""
        out = []
        for i in range(_fn("clgan_net_layer_count")(self._h)):
            c, h, w = _INT(), _INT(), _INT()
            _fn("clgan_net_layer_shape")(self._h, i, ctypes.byref(c), ctypes.byref(h), ctypes.byref(w))
            out.append((_fn("clgan_net_layer_kind")(self._h, i).decode(), (c.value, h.value, w.value),
                        _fn("clgan_net_layer_param_count")(self._h, i)))
        return out

    @property
    def param_count(self):
        return _fn("clgan_net_param_count")(self._h)

    def get_params(self):
        """The trainable parameters as one float32 vector (each layer's weights, then its bias)."""
        p = np.empty((self.param_count,), dtype=np.float32)
        _call("clgan_net_get_params", self._h, _fptr(p), p.size)
        return p

    def set_params(self, values):
        p = np.ascontiguousarray(values, dtype=np.float32).reshape(-1)
        _call("clgan_net_set_params", self._h, _fptr(p), p.size)


class Model(_Handle):
    """A GAN, classifier, semi-supervised GAN or D-feature head behind one handle (clgan/model.h)."""

    _free = "clgan_model_free"

    def __init__(self, handle, context):
        self._h, self._ctx = handle, context
        context._models.add(self)
        info = _ModelInfo()
        _call("clgan_model_get_info", self._h, ctypes.byref(info))
        self.kind = _fn("clgan_model_kind_name")(info.kind).decode()
        self.shape = (info.channels, info.height, info.width)
        self.classes, self.batch, self.nz = info.classes, info.batch, info.nz
        self.arch = info.arch.decode(errors="replace")

    @classmethod
    def create(cls, kind, arch=None, settings=None, classes=0, arch_d=None, gan_checkpoint=None, context=None):
        """A new model: kind "gan", "classifier", "ssl" or "dfeatures"; arch a preset name or an
        architecture text; settings "name=value ..." or a dict from the kind's settings table."""
        if kind not in _KINDS:
            raise ValueError("kind must be one of %s, not %r" % (", ".join(_KINDS), kind))
        if isinstance(settings, dict):
            settings = " ".join("%s=%s" % kv for kv in settings.items())
        ctx = context or Context.default()
        p = _fn("clgan_model_default_params")(_KINDS[kind])
        keep = (_text(arch), _text(arch_d), _text(settings), _text(gan_checkpoint))
        p.arch, p.arch_d, p.settings, p.gan_checkpoint = keep
        p.classes = classes
        h = _P()
        _call("clgan_model_create", ctx._h, ctypes.byref(p), ctypes.byref(h))
        return cls(h, ctx)

    @classmethod
    def load(cls, path, context=None):
        """A model from a checkpoint (any kind; the file says which). .note is the saved note."""
        ctx = context or Context.default()
        note = ctypes.create_string_buffer(1024)
        h = _P()
        _call("clgan_model_load", ctx._h, os.fsencode(path), ctypes.byref(h), note, len(note))
        m = cls(h, ctx)
        m.note = note.value.decode(errors="replace")
        return m

    @property
    def steps(self):
        info = _ModelInfo()
        _call("clgan_model_get_info", self._h, ctypes.byref(info))
        return info.steps

    def setting(self, name):
        """A setting's current value, as the text the checkpoint keeps."""
        buf = ctypes.create_string_buffer(256)
        _call("clgan_model_get_setting", self._h, name.encode(), buf, len(buf))
        return buf.value.decode()

    @property
    def class_names(self):
        return [_fn("clgan_model_class_name")(self._h, k).decode(errors="replace") for k in range(self.classes)]

    def describe(self):
        """The `clgan models show` table of every net of the model."""
        buf = ctypes.create_string_buffer(1 << 16)
        _call("clgan_model_describe", self._h, buf, len(buf))
        return buf.value.decode(errors="replace")

    def net(self, name):
        """Net "G", "D", "C", "head" or "G_ema" (a GAN's moving average of G); None when the model has none."""
        h = _fn("clgan_model_net")(self._h, name.encode())
        return Net(self, h) if h else None

    def train_step(self, images, labels=None):
        """One step on exactly `batch` images [batch,C,H,W] (labels [batch] where the kind needs them; a
        semi-supervised model takes [2*batch,C,H,W]: the labelled batch, then the unlabelled one); returns the step's statistics as a dict ({"loss_d": ..., "loss_g": ...} for a GAN)."""
        x = _floats(images, self.shape, "train_step images")
        want = 2 * self.batch if self.kind == "ssl" else self.batch  # ssl: the labelled batch, then the unlabelled
        if x.shape[0] != want:
            raise ValueError("train_step: %d images, the model's batch is %d%s" % (
                x.shape[0], self.batch, " (a semi-supervised step takes twice that)" if want != self.batch else ""))
        y = _labels(labels, self.batch, "train_step")
        s = _StepStats()
        _call("clgan_model_train_step", self._h, _fptr(x), _iptr(y), ctypes.byref(s))
        return {s.names[i].decode(): s.values[i] for i in range(s.count)}

    def train(self, images, labels=None, steps=1, seed=1):
        """`steps` training steps on batches drawn from images (and labels): each pass over the data in
        a permutation from seed and the pass number, dropping a last partial batch. Returns the last
        step's statistics."""
        if self.kind == "ssl":
            raise ValueError("train: a semi-supervised step takes a labelled and an unlabelled batch; "
                             "call train_step with both")
        x = _floats(images, self.shape, "train images")
        y = _labels(labels, x.shape[0], "train")
        n = x.shape[0]
        if n < self.batch:
            raise ValueError("train: %d images, fewer than one batch of %d" % (n, self.batch))
        per_pass = n // self.batch
        stats, order = {}, None
        for s in range(steps):
            if s % per_pass == 0:
                order = np.random.default_rng([seed, s // per_pass]).permutation(n)
            idx = order[(s % per_pass) * self.batch:(s % per_pass + 1) * self.batch]
            stats = self.train_step(x[idx], None if y is None else y[idx])
        return stats

    def sample(self, n, seed=1, labels=None, ema=True):
        """GAN and SSL: n images from G, float32 [n,C,H,W] in [-1,1]; labels [n] pick a conditional
        GAN's classes (None: class i % K). The same seed and weights give the same images. A GAN
        trained with g_ema > 0 samples from the moving average of G's weights; ema=False from G's."""
        y = _labels(labels, n, "sample")
        out = np.empty((n,) + self.shape, dtype=np.float32)
        if self.kind == "gan":
            _call("clgan_model_set_sample_ema", self._h, int(bool(ema)))
        _call("clgan_model_sample", self._h, n, _iptr(y), seed, _fptr(out))
        return out

    def predict(self, images):
        """Classifier, SSL, dfeatures: class probabilities float32 [n, classes] of images [n,C,H,W]."""
        x = _floats(images, self.shape, "predict images")
        probs = np.empty((x.shape[0], self.classes), dtype=np.float32)
        _call("clgan_model_predict", self._h, x.shape[0], _fptr(x), _fptr(probs))
        return probs

    def evaluate(self, dataset):
        """Classifier, SSL, dfeatures: (accuracy, confusion int64 [K,K] with true classes as rows)."""
        k = self.classes
        confusion = np.zeros((k, k), dtype=np.int64)
        acc = ctypes.c_double()
        _call("clgan_model_evaluate", self._h, dataset._h, confusion.ctypes.data_as(_I64), ctypes.byref(acc))
        return acc.value, confusion

    def save(self, path, note=None):
        """Write a checkpoint (atomically: a temporary file renamed over path)."""
        _call("clgan_model_save", self._h, os.fsencode(path), _text(note))



def write_png_grid(path, images, cols=8, lo=-1.0, hi=1.0, pad=2):
    """Tile images [n,C,H,W] (C 1 or 3) into one PNG, `cols` per row, values [lo, hi] -> 0..255."""
    x = np.ascontiguousarray(images, dtype=np.float32)
    if x.ndim != 4:
        raise ValueError("write_png_grid: images shape %s, expected [n, C, H, W]" % (x.shape,))
    n, c, h, w = x.shape
    _call("clgan_png_grid", os.fsencode(path), _fptr(x), n, c, h, w, cols, lo, hi, pad)

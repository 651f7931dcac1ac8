"""Compiling and running models through librnnc (include/rnnc.h)."""
import atexit
import collections
import contextlib
import ctypes
import numbers
import os
import signal
import threading
import weakref

import numpy as np

from . import _errors, _lib
from .results import Result

_NUMPY_OF_DTYPE = {_lib.DTYPE_F32: np.float32, _lib.DTYPE_F64: np.float64, _lib.DTYPE_I32: np.int32,
                   _lib.DTYPE_I64: np.int64, _lib.DTYPE_U8: np.uint8}


# ------------------------------------------------------------------ defines
def define_value(value):
    """A Python value as the language's text for -D: numbers as written
    (repr keeps a float exact), strings as they are ("20 ms",
    "adam(lr = 3e-4)"), lists and tuples as [a, b, ...]."""
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, np.bool_)):
        raise TypeError("a define's value cannot be a bool (%r): the language has numbers" % value)
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        v = float(value)
        if v != v or v in (float("inf"), float("-inf")):
            raise ValueError("a define's value must be finite, not %r" % value)
        return repr(v)
    if isinstance(value, (list, tuple, np.ndarray)):
        return "[" + ", ".join(define_value(v) for v in value) + "]"
    raise TypeError("a define's value is a number, a string or a list, not %s" % type(value).__name__)


def _c_string(value, what):
    """VALUE (a str, or a path for a file or folder) as a C string; a
    TypeError or ValueError naming WHAT when it cannot be one."""
    if isinstance(value, str):
        data = value.encode("utf-8")
    elif isinstance(value, os.PathLike):
        data = os.fsencode(value)
    else:
        raise TypeError("%s must be a string, not %s" % (what, type(value).__name__))
    if b"\0" in data:
        raise ValueError("%s holds a NUL character" % what)
    return data


def _seed(seed):
    """SEED as rnnc_run_options.seed takes it: a whole number 0 to 2^64 - 1."""
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, numbers.Integral):
        raise TypeError("a seed is a whole number, not %r" % (seed,))
    if not 0 <= int(seed) < 2 ** 64:
        raise ValueError("a seed is 0 to 2^64 - 1, not %d" % seed)
    return int(seed)


class _Options:
    """An rnnc_options and the C strings it points to, kept alive together."""

    def __init__(self, defines=None, search_path=None, stdlib=None):
        try:
            defines = dict(defines or {})
        except (TypeError, ValueError):
            raise TypeError("defines is a dict of names and values, not %r" % (defines,)) from None
        for name in defines:
            if not isinstance(name, str) or not name:
                raise TypeError("a define's name is a non-empty string, not %r" % (name,))
        self._defines = (_lib.Define * max(len(defines), 1))(
            *[_lib.Define(_c_string(n, "a define's name"), _c_string(define_value(v), "the value of " + n))
              for n, v in defines.items()])
        if isinstance(search_path, (str, os.PathLike)):
            search_path = [search_path]     # one folder
        paths = [_c_string(p, "a search_path folder") for p in (search_path or [])]
        self._paths = (ctypes.c_char_p * max(len(paths), 1))(*paths)
        self.c = _lib.Options(self._defines, len(defines),
                              self._paths if search_path is not None else None, len(paths),
                              _c_string(stdlib, "stdlib") if stdlib is not None else None)


# ------------------------------------------------------------------- arrays
def _to_numpy(a):
    """A copy of the rnnc_array A as a numpy array; A is freed."""
    L = _lib.lib()
    try:
        dtype = _NUMPY_OF_DTYPE[a.dtype]
        shape = tuple(a.shape[i] for i in range(a.ndim))
        count = int(np.prod(shape, dtype=np.int64))
        if count == 0:
            return np.zeros(shape, dtype)
        buf = (ctypes.c_char * (count * np.dtype(dtype).itemsize)).from_address(a.data)
        return np.frombuffer(buf, dtype).reshape(shape).copy()
    finally:
        L.rnnc_array_free(ctypes.byref(a))


def _from_numpy(x, what):
    """X as a C-ordered float32 or float64 array and the rnnc_array over it
    (keep the first alive as long as the second is used)."""
    x = np.asarray(x)
    if not (np.issubdtype(x.dtype, np.floating) or np.issubdtype(x.dtype, np.integer)):
        raise TypeError("%s must be an array of numbers, not of %s" % (what, x.dtype))
    if not np.all(np.isfinite(x)):
        raise _errors.UsageError("NaN or infinite values in %s" % what)
    x = np.ascontiguousarray(x, dtype=np.float32 if x.dtype == np.float32 else np.float64)
    if x.ndim > _lib.MAX_DIMS:
        raise ValueError("%s has %d dimensions" % (what, x.ndim))
    a = _lib.Array()
    a.dtype = _lib.DTYPE_F32 if x.dtype == np.float32 else _lib.DTYPE_F64
    a.ndim = x.ndim
    for i, n in enumerate(x.shape):
        a.shape[i] = n
    a.data = x.ctypes.data
    return x, a


# -------------------------------------------------------------- compiling
def check(text, name="model.rnn", defines=None, search_path=None, stdlib=None):
    """`rnnc check` of source TEXT (NAME is its file name in messages):
    None when it is correct, else ModelError with the diagnostics."""
    L = _lib.lib()
    options = _Options(defines, search_path, stdlib)
    _lib.call(L.rnnc_check_text, _c_string(name, "name"), _c_string(text, "the model text"),
              ctypes.byref(options.c))
    return None


def load(path, defines=None, search_path=None, stdlib=None):
    """Compiles the model file PATH as `rnnc run` would: a Model, or
    ModelError. DEFINES are its -D settings, {"n": 32, "LIF.tau_m": "20 ms"};
    SEARCH_PATH the folders for imports (default RNNC_PATH's), STDLIB the
    standard library's folder (default the library's own)."""
    L = _lib.lib()
    options = _Options(defines, search_path, stdlib)
    handle = _lib.call(L.rnnc_compile_file, _c_string(path, "the model file"), ctypes.byref(options.c))
    return Model(handle)


def load_text(text, name="model.rnn", defines=None, search_path=None, stdlib=None):
    """As load, for source TEXT; NAME is its file name in messages, and
    imports and load("...") are relative to the current folder."""
    L = _lib.lib()
    options = _Options(defines, search_path, stdlib)
    handle = _lib.call(L.rnnc_compile_text, _c_string(name, "name"), _c_string(text, "the model text"),
                       ctypes.byref(options.c))
    return Model(handle)


class _Run:
    """An rnnc_result that a Result reads: freed (its temporary folder
    removed) when closed, garbage, or at the interpreter's exit."""

    def __init__(self, handle):
        self.handle = handle
        self._free = _lib.lib().rnnc_result_free    # still there when module globals are gone at exit
        _open_runs.add(self)

    def close(self):
        if self.handle:
            self._free(self.handle)
            self.handle = None

    def __del__(self):
        self.close()


_open_runs = weakref.WeakSet()


@atexit.register
def _close_open_runs():
    for run in list(_open_runs):
        run.close()


Progress = collections.namedtuple("Progress", "update updates updates_per_epoch loss seconds")


class Model:
    """A compiled model (load, load_text). Attributes: name, projections
    (their names, "h->h", in declaration order), warnings (text or None)."""

    def __init__(self, handle):
        self._handle = handle
        self._busy = threading.Lock()     # one thread at a time uses a model (include/rnnc.h)
        L = _lib.lib()
        self._free = L.rnnc_model_free
        self.name = _lib.text(L.rnnc_model_name(handle))
        self.warnings = _lib.text(L.rnnc_model_warnings(handle))
        self.projections = [_lib.text(L.rnnc_model_projection(handle, i))
                            for i in range(L.rnnc_model_projection_count(handle))]

    @contextlib.contextmanager
    def _using(self):
        """The model's handle, for one thread at a time: UsageError when
        another thread (or a progress callback of its own run) uses it."""
        if not self._busy.acquire(blocking=False):
            raise _errors.UsageError("the model is in use (by a run, or another thread): one model is used by "
                                     "one thread at a time; load it again for another")
        try:
            if not self._handle:
                raise _errors.UsageError("the model is closed")
            yield self._handle
        finally:
            self._busy.release()

    def _projection(self, projection):
        if not isinstance(projection, str):
            raise TypeError("a projection is named by a string such as 'h->h', not %r" % (projection,))
        return _c_string(projection, "a projection's name")

    def weights(self, projection, seed=1):
        """The initial weights [post, pre] of PROJECTION that a run with SEED
        starts from (or those set with set_weights)."""
        a = _lib.Array()
        with self._using() as handle:
            _lib.call(_lib.lib().rnnc_model_weights, handle, self._projection(projection), _seed(seed),
                      ctypes.byref(a))
        return _to_numpy(a)

    def set_weights(self, projection, weights, bias=None):
        """Replaces PROJECTION's initial weights ([post, pre]) and, when BIAS
        is given, its bias ([post]) in every later run; the projection's mask
        and constraints still hold. A wrong shape raises UsageError."""
        w_keep, w = _from_numpy(weights, "the weights")
        b_keep, b = _from_numpy(bias, "the bias") if bias is not None else (None, None)
        with self._using() as handle:
            _lib.call(_lib.lib().rnnc_model_set_weights, handle, self._projection(projection),
                      ctypes.byref(w), ctypes.byref(b) if b is not None else None)
        del w_keep, b_keep

    def run(self, seed=None, out=None, threads=None, evaluate_only=False, progress=None, overwrite=False):
        """Trains (or, with EVALUATE_ONLY, evaluates) the model, records and
        analyses as it says, and returns the Result.

        SEED: the model's own seed when None. OUT: the results folder, written
        as `rnnc run --out` writes it (an existing one only with OVERWRITE);
        None: a temporary folder, removed when the Result is closed or
        garbage. THREADS: the model's setting when None. PROGRESS: called
        after each update with a Progress (update, updates,
        updates_per_epoch, loss, seconds); an exception it raises stops the
        run and is raised once the folder is written.

        Ctrl-C stops the run between updates through the library's stop
        flag; the folder is written with what was done and KeyboardInterrupt
        is raised with that Result as its .result. A
        training stopped by a NaN or infinity returns its Result, its status
        saying so ("stopped: non-finite loss"). Other failures raise
        RnncError."""
        L = _lib.lib()
        options = L.rnnc_run_defaults()
        if seed is not None:
            options.seed, options.seed_given = _seed(seed), 1
        out_bytes = _c_string(out, "out") if out is not None else None
        options.out_dir = out_bytes
        options.overwrite = 1 if overwrite else 0
        if threads is not None:
            if isinstance(threads, bool) or not isinstance(threads, numbers.Integral):
                raise TypeError("threads is a whole number, not %r" % (threads,))
            if not 1 <= int(threads) < 2 ** 32:
                raise ValueError("threads must be at least 1, not %r" % threads)
            options.threads = int(threads)
        options.evaluate_only = 1 if evaluate_only else 0
        stop = ctypes.c_int(0)
        options.stop = ctypes.pointer(stop)
        raised = []

        def on_progress(_ctx, p):
            if raised:
                return
            try:
                progress(Progress(p[0].update, p[0].updates, p[0].updates_per_epoch, p[0].loss, p[0].seconds))
            except BaseException as e:       # noqa: B902 -- passed on to the caller after the run
                raised.append(e)
                stop.value = 1

        callback = _lib.PROGRESS_CALLBACK(on_progress) if progress is not None else _lib.PROGRESS_CALLBACK()
        options.progress = callback
        with self._using() as model:
            handle, interrupted = self._run_stoppable(L, model, options, stop)
        run = _Run(handle)
        result = Result(_lib.text(L.rnnc_result_dir(handle)), _owner=run)
        result.message = _lib.text(L.rnnc_result_message(handle)) or ""
        if raised:
            raise raised[0]
        if interrupted and L.rnnc_result_status(handle) == _errors.STATUS_INTERRUPTED:
            raise _errors.interrupted(result)
        return result

    def _run_stoppable(self, L, handle, options, stop):
        """rnnc_run, with Ctrl-C setting STOP: the run goes on in a thread
        (ctypes lets go of the interpreter during the call) while this one
        waits, since Python's own handler runs only between its bytecodes.
        The result's handle, and whether Ctrl-C was pressed."""
        if threading.current_thread() is not threading.main_thread():
            return _lib.call(L.rnnc_run, handle, ctypes.byref(options)), False
        outcome = {}

        def work():
            err = ctypes.POINTER(_lib.Error)()
            outcome["result"] = L.rnnc_run(handle, ctypes.byref(options), ctypes.byref(err))
            outcome["err"] = err

        pressed = []

        def on_sigint(_signum, _frame):
            pressed.append(True)
            stop.value = 1

        previous = signal.signal(signal.SIGINT, on_sigint)
        try:
            worker = threading.Thread(target=work, name="rnnc_run")
            worker.start()
            try:
                while worker.is_alive():
                    worker.join(0.05)
            except BaseException:
                # another handler raised: the run stops before the model goes
                stop.value = 1
                worker.join()
                raise
        finally:
            # None: a handler not set from Python, which Python cannot put back
            signal.signal(signal.SIGINT, previous if previous is not None else signal.SIG_DFL)
        if not outcome["result"]:
            if outcome["err"]:
                _lib.raise_error(outcome["err"])
            raise _errors.RnncError("rnnc_run failed without saying why")
        return outcome["result"], bool(pressed)

    def reanalyze(self, result):
        """Runs the model's analyses again on RESULT's final weights, as
        `rnnc analyze DIR` does: RESULT's folder is rewritten (atomically)
        with the new analyses, and RESULT reads it again. RESULT is one this
        model made, or a folder (rnnc.open) of a run of the same model."""
        L = _lib.lib()
        run = result._owner
        opened = None
        if run is None or not run.handle:
            opened = _lib.call(L.rnnc_result_open, _c_string(result.dir, "the results folder"))
        try:
            with self._using() as handle:
                _lib.call(L.rnnc_reanalyze, handle, opened if opened else run.handle)
        finally:
            if opened:
                L.rnnc_result_free(opened)
        result.reread()

    def close(self):
        """Frees the model; results already made stay readable."""
        if getattr(self, "_handle", None):
            with self._using():
                self._free(self._handle)
                self._handle = None

    def __del__(self):
        self.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return "<rnnc.Model %s: %s>" % (self.name, ", ".join(self.projections))

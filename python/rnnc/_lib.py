"""librnnc through ctypes: where the library is found, and the declaration
of every function of include/rnnc.h (the contract; keep the two in step).

The library is looked for, in this order:
  1. the file the environment variable RNNC_LIBRARY names;
  2. beside this package: an installed layout, PREFIX/lib/python3/dist-packages/rnnc
     -> PREFIX/lib/librnnc.so.0, or the source tree, python/rnnc -> build/librnnc.so
     (the folder README.md builds into);
  3. ctypes.util.find_library("rnnc"), the system's search.
It is loaded on first use, so rnnc.open works without it.
"""
import ctypes
import ctypes.util
import os

from . import _errors

API_VERSION = 1     # RNNC_API_VERSION of the header these declarations follow
MAX_DIMS = 8        # RNNC_MAX_DIMS

_here = os.path.dirname(os.path.abspath(__file__))


def beside_package():
    """The files step 2 of the search looks for, in order."""
    paths = []
    packages = os.path.dirname(_here)
    if os.path.basename(packages) in ("dist-packages", "site-packages"):
        prefix_lib = os.path.normpath(os.path.join(packages, "..", ".."))     # PREFIX/lib
        paths += [os.path.join(prefix_lib, "librnnc.so.0"), os.path.join(prefix_lib, "librnnc.so")]
    source_root = os.path.normpath(os.path.join(_here, "..", ".."))
    paths.append(os.path.join(source_root, "build", "librnnc.so"))
    return paths


# ----------------------------------------------------------------- the types
class Error(ctypes.Structure):
    """rnnc_error, opaque."""


class ModelHandle(ctypes.Structure):
    """rnnc_model, opaque."""


class ResultHandle(ctypes.Structure):
    """rnnc_result, opaque."""


class Define(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("value", ctypes.c_char_p)]


class Options(ctypes.Structure):
    _fields_ = [("defines", ctypes.POINTER(Define)),
                ("define_count", ctypes.c_size_t),
                ("search_path", ctypes.POINTER(ctypes.c_char_p)),
                ("search_count", ctypes.c_size_t),
                ("stdlib_dir", ctypes.c_char_p)]


# rnnc_dtype, in the header's order
DTYPE_F32, DTYPE_F64, DTYPE_I32, DTYPE_I64, DTYPE_U8 = range(5)


class Array(ctypes.Structure):
    _fields_ = [("dtype", ctypes.c_int),
                ("ndim", ctypes.c_size_t),
                ("shape", ctypes.c_size_t * MAX_DIMS),
                ("data", ctypes.c_void_p)]


class Progress(ctypes.Structure):
    _fields_ = [("update", ctypes.c_size_t),
                ("updates", ctypes.c_size_t),
                ("updates_per_epoch", ctypes.c_size_t),
                ("loss", ctypes.c_double),
                ("seconds", ctypes.c_double)]


PROGRESS_CALLBACK = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.POINTER(Progress))


class RunOptions(ctypes.Structure):
    _fields_ = [("seed", ctypes.c_uint64),
                ("seed_given", ctypes.c_int),
                ("out_dir", ctypes.c_char_p),
                ("keep", ctypes.c_int),
                ("overwrite", ctypes.c_int),
                ("evaluate_only", ctypes.c_int),
                ("threads", ctypes.c_uint),
                ("progress", PROGRESS_CALLBACK),
                ("progress_ctx", ctypes.c_void_p),
                ("stop", ctypes.POINTER(ctypes.c_int))]


# ------------------------------------------------------------ the functions
_p = ctypes.POINTER
_err_out = _p(_p(Error))
_status = ctypes.c_int
_str = ctypes.c_char_p
_size = ctypes.c_size_t
_model = _p(ModelHandle)
_result = _p(ResultHandle)

# name: (result type, argument types), in the header's order
SIGNATURES = {
    "rnnc_version": (_str, []),
    # errors
    "rnnc_error_status": (_status, [_p(Error)]),
    "rnnc_error_message": (_str, [_p(Error)]),
    "rnnc_error_diagnostic_count": (_size, [_p(Error)]),
    "rnnc_error_diagnostic": (_str, [_p(Error), _size, _p(_str), _p(ctypes.c_uint), _p(ctypes.c_uint)]),
    "rnnc_error_free": (None, [_p(Error)]),
    # compiling
    "rnnc_compile_file": (_model, [_str, _p(Options), _err_out]),
    "rnnc_compile_text": (_model, [_str, _str, _p(Options), _err_out]),
    "rnnc_check_text": (_status, [_str, _str, _p(Options), _err_out]),
    "rnnc_model_free": (None, [_model]),
    "rnnc_model_warnings": (_str, [_model]),
    "rnnc_model_name": (_str, [_model]),
    "rnnc_model_projection_count": (_size, [_model]),
    "rnnc_model_projection": (_str, [_model, _size]),
    # arrays
    "rnnc_array_size": (_size, [_p(Array)]),
    "rnnc_array_free": (None, [_p(Array)]),
    # weights
    "rnnc_model_weights": (_status, [_model, _str, ctypes.c_uint64, _p(Array), _err_out]),
    "rnnc_model_set_weights": (_status, [_model, _str, _p(Array), _p(Array), _err_out]),
    # running
    "rnnc_run_defaults": (RunOptions, []),
    "rnnc_run": (_result, [_model, _p(RunOptions), _err_out]),
    "rnnc_result_open": (_result, [_str, _err_out]),
    "rnnc_result_status": (_status, [_result]),
    "rnnc_result_message": (_str, [_result]),
    "rnnc_result_dir": (_str, [_result]),
    "rnnc_result_summary": (_str, [_result]),
    "rnnc_result_loss_column_count": (_size, [_result]),
    "rnnc_result_loss_column": (_str, [_result, _size]),
    "rnnc_result_loss": (_status, [_result, _str, _p(Array), _err_out]),
    "rnnc_result_weights": (_status, [_result, _str, _str, _p(Array), _err_out]),
    "rnnc_result_bias": (_status, [_result, _str, _str, _p(Array), _err_out]),
    "rnnc_result_record_count": (_size, [_result]),
    "rnnc_result_record_name": (_str, [_result, _size]),
    "rnnc_result_record": (_status, [_result, _str, _p(Array), _err_out]),
    "rnnc_result_file_count": (_size, [_result]),
    "rnnc_result_file_name": (_str, [_result, _size]),
    "rnnc_result_file": (_status, [_result, _str, _p(Array), _err_out]),
    "rnnc_reanalyze": (_status, [_model, _result, _err_out]),
    "rnnc_result_free": (None, [_result]),
}

_lib = None


def _declare(lib):
    missing = []
    for name, (restype, argtypes) in SIGNATURES.items():
        try:
            f = getattr(lib, name)
        except AttributeError:
            missing.append(name)
            continue
        f.restype = restype
        f.argtypes = argtypes
    return missing


def lib():
    """The loaded library, its functions declared; LibraryNotFound when it
    cannot be found or loaded."""
    global _lib
    if _lib is None:
        _lib = _load()
    return _lib


def _load():
    explicit = os.environ.get("RNNC_LIBRARY")
    found = None
    if explicit:
        paths = [explicit]          # the user's choice, not second-guessed
    else:
        paths = [p for p in beside_package() if os.path.exists(p)]
        found = ctypes.util.find_library("rnnc")
        paths += [found] if found else []
    tried = []
    for path in paths:
        try:
            loaded = ctypes.CDLL(path)
        except OSError as e:
            tried.append("%s (%s)" % (path, e))
            continue
        missing = _declare(loaded)
        if missing:
            raise _errors.LibraryNotFound("%s lacks %s: it is not the librnnc of API version %d"
                                          % (path, ", ".join(missing), API_VERSION))
        return loaded
    if not explicit:
        tried += ["%s (no such file)" % p for p in beside_package() if not os.path.exists(p)]
        tried += [] if found else ["ctypes.util.find_library('rnnc') (found nothing)"]
    raise _errors.LibraryNotFound("cannot load librnnc; tried:\n  " + "\n  ".join(tried)
                                  + "\nset RNNC_LIBRARY to the path of librnnc.so")


def text(b):
    """A C string as str (None stays None)."""
    return None if b is None else b.decode("utf-8", "replace")


def raise_error(err):
    """Raises the exception of the rnnc_error ERR (a POINTER(Error)), after
    freeing it."""
    L = lib()
    try:
        status = L.rnnc_error_status(err)
        message = text(L.rnnc_error_message(err)) or "unknown error"
        diagnostics = []
        for i in range(L.rnnc_error_diagnostic_count(err)):
            file, line, column = _str(), ctypes.c_uint(), ctypes.c_uint()
            msg = L.rnnc_error_diagnostic(err, i, ctypes.byref(file), ctypes.byref(line), ctypes.byref(column))
            diagnostics.append(_errors.Diagnostic(text(file.value), line.value, column.value, text(msg)))
    finally:
        L.rnnc_error_free(err)
    cls = _errors.EXCEPTION_OF_STATUS.get(status, _errors.RnncError)
    raise cls(message, diagnostics)


def call(fn, *args):
    """Calls FN(*ARGS, &err) for a function that returns a status or a
    pointer; raises the library's error on failure, else returns the value."""
    err = _p(Error)()
    value = fn(*args, ctypes.byref(err))
    failed = (value != _errors.STATUS_OK) if isinstance(value, int) else not value
    if failed:
        if err:
            raise_error(err)
        raise _errors.RnncError("%s failed without saying why" % fn.__name__)
    return value

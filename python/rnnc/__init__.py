"""rnnc: compile, train and read models written in the rnnc language.

    import rnnc
    m = rnnc.load("models/flipflop3.rnn", defines={"n": 32, "epochs": 1})
    r = m.run(seed=1)
    r.loss["loss"], r.weights["h->h"], r.records["h.r"], r.summary["eval_loss"]
    r2 = rnnc.open("runs/flipflop3-1")        # a folder `rnnc run` wrote

A pure-Python module over librnnc (include/rnnc.h) through ctypes; see
docs/python.md. rnnc.open and Result need only numpy; the rest loads the
library on first use (RNNC_LIBRARY, beside the package, or the system's).
"""
from ._errors import (Diagnostic, FileError, LibraryNotFound, ModelError, NoMemoryError,
                      RnncError, RunError, UsageError)
from .model import Model, Progress, check, load, load_text
from .results import Result, open

__all__ = ["Diagnostic", "FileError", "LibraryNotFound", "Model", "ModelError", "NoMemoryError",
           "Progress", "Result", "RnncError", "RunError", "UsageError", "check", "library_version", "load",
           "load_text", "open"]


def library_version():
    """The version of the librnnc in use ("0.1.0")."""
    from . import _lib
    return _lib.text(_lib.lib().rnnc_version())


# Tracebacks name the public classes as users reach them (rnnc.ModelError).
for _public in (Diagnostic, FileError, LibraryNotFound, Model, ModelError, NoMemoryError, Progress,
                Result, RnncError, RunError, UsageError):
    _public.__module__ = "rnnc"
del _public

"""The exceptions of the rnnc module, one per status of include/rnnc.h.

RnncError is the base of every failure the library reports; ModelError is
the one a model's mistakes raise, with the diagnostics one by one.
"""
import collections

# One diagnostic of a model, as rnnc check prints it: FILE is None, LINE and
# COLUMN 0, for an error that has no place in a source.
Diagnostic = collections.namedtuple("Diagnostic", "file line column message")


class RnncError(Exception):
    """A failure reported by librnnc or by this module. str(e) is the whole
    message; e.status names the library's status ("usage", "io_error", ...)."""

    status = "error"

    def __init__(self, message, diagnostics=()):
        super().__init__(message)
        self.message = message
        self.diagnostics = list(diagnostics)


class ModelError(RnncError):
    """The model has errors. e.diagnostics lists them as Diagnostic tuples
    (file, line, column, message); str(e) is the text rnnc check prints."""

    status = "model_error"


class UsageError(RnncError, ValueError):
    """A bad argument: an unknown projection, an array of the wrong shape."""

    status = "usage"


class FileError(RnncError, OSError):
    """A file that cannot be read or written."""

    status = "io_error"

    def __init__(self, message, diagnostics=()):
        RnncError.__init__(self, message, diagnostics)

    def __str__(self):
        return self.message


class NoMemoryError(RnncError, MemoryError):
    """Out of memory, or a network too big for the machine."""

    status = "no_memory"


class RunError(RnncError):
    """The run failed: a trial that fails, a kernel that cannot be compiled."""

    status = "run_error"


class LibraryNotFound(RnncError, ImportError):
    """librnnc could not be found or loaded (see RNNC_LIBRARY)."""

    status = "no_library"

    def __init__(self, message):
        RnncError.__init__(self, message)

    def __str__(self):
        return self.message


def interrupted(result):
    """The KeyboardInterrupt that Model.run raises after Ctrl-C stopped it,
    with the Result of what was done as its .result. Python's own type, not
    a subclass: python then exits as a Ctrl-C does (status 130, as rnnc run)."""
    e = KeyboardInterrupt("the run was interrupted; what was done is in %s" % result.dir)
    e.result = result
    return e


# rnnc_status values (include/rnnc.h) and the exception each raises.
STATUS_OK = 0
STATUS_MODEL_ERROR = 1
STATUS_USAGE = 2
STATUS_IO_ERROR = 3
STATUS_NO_MEMORY = 4
STATUS_RUN_ERROR = 5
STATUS_INTERRUPTED = 6
STATUS_NON_FINITE = 7

EXCEPTION_OF_STATUS = {
    STATUS_MODEL_ERROR: ModelError,
    STATUS_USAGE: UsageError,
    STATUS_IO_ERROR: FileError,
    STATUS_NO_MEMORY: NoMemoryError,
    STATUS_RUN_ERROR: RunError,
}

"""python_checks.py -- what the Python module's tests share: the failures
found, a check that records one, the exception a call raises, the end."""
import sys

failures = []


def check(ok, what):
    """Records WHAT as a failure unless OK."""
    if not ok:
        failures.append(what)


def raises(exception, f, *args, **kw):
    """The EXCEPTION that F(*ARGS, **KW) raises, or None when it returns."""
    try:
        f(*args, **kw)
    except exception as e:
        return e
    return None


def message(exception, f, *args, **kw):
    """str() of the EXCEPTION F raises, or None."""
    e = raises(exception, f, *args, **kw)
    return None if e is None else str(e)


def finish(name):
    """Prints the failures and exits with 1 when there is one."""
    for f in failures:
        print("FAIL:", f)
    print("%s: %d failures" % (name, len(failures)))
    sys.exit(1 if failures else 0)

"""python_checks.py -- what the Python tests share: the failures found, a
check that records one (report: and prints its verdict), the exception a
call raises, an rnnc run that must succeed, the end."""
import subprocess
import sys

failures = []


def check(ok, what):
    """Records WHAT as a failure unless OK."""
    if not ok:
        failures.append(what)


def report(ok, what):
    """Prints "ok" or "FAIL" with WHAT, and records a failure unless OK."""
    print(("ok   " if ok else "FAIL ") + what)
    check(ok, what)


def run_rnnc(rnnc, *args, cwd=None):
    """rnnc ARGS (in CWD); the test ends at once, with rnnc's messages, if it fails."""
    p = subprocess.run([rnnc, *args], capture_output=True, text=True, cwd=cwd)
    if p.returncode != 0:
        sys.exit("rnnc failed: %s\n%s" % (" ".join(args), p.stderr))
    return p


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

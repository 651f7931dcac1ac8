#!/usr/bin/env python3
"""npy_test.py -- tests/npy.py, the tests' one .npy reader, on files made
here byte by byte as numpy lays them out (format 1.0: magic, version,
header length, a dict padded with spaces to a multiple of 64, the values).

What must hold, and why:
- every dtype rnnc writes (runtime/rt_npy.c: <f4, <f8, <i8, |u1) and |i1
  reads back to the values written, in C order, with its shape: the
  values are exact in each type (0.5, -2.25 in binary; small integers);
- a 0-d shape () holds one value and (0, 3) none, as numpy says;
- a DESCR or SHAPE asked for that the file does not have is refused, and
  so are a body one value short or one too long, Fortran order, a dtype
  it cannot read and a file that is not .npy: a check must fail loudly,
  never read garbage;
- the repository's own data read as what they are (eprop_sine's float32
  weights, a uint8 mask), and reshape keeps the values under a new shape.
Standard library only; run with python3 -B (no __pycache__ in the tree).
"""
import os
import struct
import sys
import tempfile

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import npy  # noqa: E402

failures = []


def check(ok, what):
    if not ok:
        failures.append(what)


def npy_bytes(descr, shape, body, fortran=False):
    h = "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }" % (descr, fortran, tuple(shape))
    h += " " * (63 - (10 + len(h)) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h.encode() + body


def refused(path, **kw):
    try:
        npy.read(path, **kw)
    except ValueError:
        return True
    return False


with tempfile.TemporaryDirectory() as work:
    def put(name, data):
        path = os.path.join(work, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    cases = {"<f4": ("f", [0.5, -2.25, 3.0, 0.0, 1.0, -1.0]), "<f8": ("d", [0.5, -2.25, 3.0, 0.0, 1e300, -1.0]),
             "<i8": ("q", [0, -1, 2 ** 40, 5, -7, 3]), "|u1": ("B", [0, 1, 255, 7, 1, 0]),
             "|i1": ("b", [0, -1, 127, -128, 1, 2])}
    for descr, (code, values) in cases.items():
        path = put("a.npy", npy_bytes(descr, (2, 3), struct.pack("<6" + code, *values)))
        shape, got = npy.read(path)
        check(shape == (2, 3) and list(got) == values, f"{descr}: {shape} {got}, not (2, 3) {values}")
        check(npy.read(path, descr, (2, 3))[1] == tuple(values), f"{descr} asked for by name and shape")
        check(npy.matrix(path) == [values[:3], values[3:]], f"{descr} as a matrix")
        check(refused(path, descr="<f8" if descr != "<f8" else "<f4"), f"{descr} read as another dtype")
        check(refused(path, shape=(3, 2)), f"{descr} (2, 3) read as (3, 2)")
        short = put("short.npy", npy_bytes(descr, (2, 3), struct.pack("<5" + code, *values[:5])))
        check(refused(short), f"{descr}: a body one value short")
        long = put("long.npy", npy_bytes(descr, (2, 3), struct.pack("<7" + code, *values, values[0])))
        check(refused(long), f"{descr}: a body one value too long")
    scalar = put("s.npy", npy_bytes("<f8", (), struct.pack("<d", 2.5)))
    check(npy.read(scalar) == ((), (2.5,)), f"0-d: {npy.read(scalar)}")
    empty = put("e.npy", npy_bytes("<f8", (0, 3), b""))
    check(npy.read(empty) == ((0, 3), ()), f"(0, 3): {npy.read(empty)}")
    check(refused(put("f.npy", npy_bytes("<f8", (2,), struct.pack("<2d", 1, 2), fortran=True))), "Fortran order")
    check(refused(put("c.npy", npy_bytes("<c16", (1,), b"\0" * 16))), "complex128 (not rnnc's)")
    check(refused(put("t.npy", b"not an npy file at all")), "a file that is not .npy")
    mask = put("m.npy", b"")
    npy.save_u8(mask, [[1, 0, 1], [0, 1, 1]])
    check(npy.read(mask, "|u1", (2, 3))[1] == (1, 0, 1, 0, 1, 1), "save_u8 reads back")
    npy.reshape(mask, (3, 2))
    check(npy.read(mask, "|u1", (3, 2))[1] == (1, 0, 1, 0, 1, 1), "reshape keeps the values")

shape, w = npy.read(os.path.join(HERE, "data/eprop_sine/w_out.npy"), "<f4")
check(shape == (1, 100) and len(w) == 100, f"eprop_sine's w_out.npy: {shape}")
check(npy.read(os.path.join(HERE, "data/masks/ones_4x3.npy"), "|u1", (4, 3))[1] == (1,) * 12, "ones_4x3.npy")

for f in failures:
    print("FAIL:", f)
print(f"{len(failures)} failed")
sys.exit(1 if failures else 0)

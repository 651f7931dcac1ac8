# npy_f64.py -- reads a little-endian float64 .npy file (what rnnc writes)
# with the standard library only, for the shell tests' python checks:
# read(path) gives (shape, values in C order).
import ast
import struct


def read(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:6] != b"\x93NUMPY":
        raise ValueError(f"{path} is not a .npy file")
    header_len = struct.unpack("<H", data[8:10])[0]
    header = ast.literal_eval(data[10:10 + header_len].decode())
    if header["descr"] != "<f8" or header["fortran_order"]:
        raise ValueError(f"{path}: {header}, not float64 in C order")
    shape = tuple(header["shape"])
    count = 1
    for s in shape:
        count *= s
    body = data[10 + header_len:]
    return shape, struct.unpack(f"<{count}d", body[:8 * count])

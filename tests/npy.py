"""npy.py -- the tests' one .npy reader and writer, and the linear algebra
the shell tests check weights with (tests/init_test.sh, constraints_test.sh).
Only Python's standard library: numpy is not a test dependency. Import it
with PYTHONDONTWRITEBYTECODE=1 (or python3 -B), so no __pycache__ is left
in the tree.

read(path, descr=None, shape=None) -> (shape, values in C order), both
tuples; it refuses (ValueError) a file that is not .npy, is in Fortran
order, has a dtype not in DTYPES or not DESCR, a shape that is not SHAPE,
or a body whose length is not the shape's count of values."""
import ast, cmath, math, struct

# Every dtype rnnc writes (runtime/rt_npy.c: <f4, <f8, <i8, |u1) and |i1
# (signed masks a user may give), as struct's codes.
DTYPES = {'<f4': 'f', '<f8': 'd', '<i8': 'q', '|u1': 'B', '|i1': 'b'}


def header(path):
    """(the header's dict, the offset of the values, the file's bytes)."""
    b = open(path, 'rb').read()
    if b[:6] != b'\x93NUMPY':
        raise ValueError(f"{path} is not a .npy file")
    if b[6] == 1:
        n, start = struct.unpack('<H', b[8:10])[0], 10
    elif b[6] in (2, 3):
        n, start = struct.unpack('<I', b[8:12])[0], 12
    else:
        raise ValueError(f"{path}: .npy version {b[6]}.{b[7]}")
    h = ast.literal_eval(b[start:start + n].decode('latin1'))
    return h, start + n, b


def read(path, descr=None, shape=None):
    h, at, b = header(path)
    got = tuple(h['shape'])
    if h['fortran_order']:
        raise ValueError(f"{path}: {h}: Fortran order, not C")
    if h['descr'] not in DTYPES or (descr is not None and h['descr'] != descr):
        raise ValueError(f"{path}: dtype {h['descr']}, not {descr or ' or '.join(DTYPES)}")
    if shape is not None and got != tuple(shape):
        raise ValueError(f"{path}: shape {got}, not {tuple(shape)}")
    code = DTYPES[h['descr']]
    count = math.prod(got)
    if len(b) - at != count * struct.calcsize(code):
        raise ValueError(f"{path}: {len(b) - at} bytes of values, not the {count} of shape {got}")
    return got, struct.unpack('<%d%s' % (count, code), b[at:])


load = read   # the name the older checks use


def matrix(path):
    (rows, cols), v = read(path)
    return [list(v[r * cols:(r + 1) * cols]) for r in range(rows)]


def save_u8(path, rows):
    """Writes a 2-d array of 0/1 as numpy's uint8 .npy (format 1.0)."""
    h = "{'descr': '|u1', 'fortran_order': False, 'shape': (%d, %d), }" % (len(rows), len(rows[0]))
    h += ' ' * (63 - (10 + len(h)) % 64) + '\n'
    with open(path, 'wb') as f:
        f.write(b'\x93NUMPY\x01\x00' + struct.pack('<H', len(h)) + h.encode())
        f.write(bytes(x for row in rows for x in row))


def reshape(path, shape):
    """The same values under SHAPE in the header, rewritten in place (a
    version 1.0 file: the header keeps its length, so the values stay
    where they were)."""
    h, at, b = header(path)
    n = at - 10
    text = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (h['descr'], tuple(shape))
    open(path, 'wb').write(b[:10] + (text.ljust(n - 1) + '\n').encode() + b[at:])


def mean_std(v):
    m = sum(v) / len(v)
    return m, (sum((x - m) ** 2 for x in v) / len(v)) ** 0.5
def eigenvalues(a):
    """All eigenvalues of the square matrix A (lists of floats): Householder
    reduction to Hessenberg form, then complex single-shift QR with
    Wilkinson shifts and deflation (Golub & Van Loan, ch. 7.4-7.5)."""
    n = len(a)
    H = [[complex(x) for x in row] for row in a]
    for k in range(n - 2):
        x = [H[i][k] for i in range(k + 1, n)]
        alpha = math.sqrt(sum(abs(t) ** 2 for t in x))
        if alpha == 0:
            continue
        v = x[:]
        v[0] += (x[0] / abs(x[0]) if x[0] != 0 else 1) * alpha
        vn = math.sqrt(sum(abs(t) ** 2 for t in v))
        v = [t / vn for t in v]
        m = len(v)
        for j in range(n):
            s = sum(v[i].conjugate() * H[k + 1 + i][j] for i in range(m))
            for i in range(m):
                H[k + 1 + i][j] -= 2 * v[i] * s
        for i in range(n):
            row = H[i]
            s = sum(row[k + 1 + j] * v[j] for j in range(m))
            for j in range(m):
                row[k + 1 + j] -= 2 * s * v[j].conjugate()
    eig, hi, iters = [], n - 1, 0
    while hi >= 0:
        l = hi
        while l > 0 and abs(H[l][l - 1]) > 1e-15 * (abs(H[l][l]) + abs(H[l - 1][l - 1])):
            l -= 1
        if l == hi:
            eig.append(H[hi][hi])
            hi, iters = hi - 1, 0
            continue
        if iters > 1000:
            raise RuntimeError('QR did not converge')
        p, q, r, d = H[hi - 1][hi - 1], H[hi - 1][hi], H[hi][hi - 1], H[hi][hi]
        disc = cmath.sqrt((p - d) ** 2 / 4 + q * r)
        mu1, mu2 = (p + d) / 2 + disc, (p + d) / 2 - disc
        mu = mu1 if abs(mu1 - d) < abs(mu2 - d) else mu2
        if iters and iters % 10 == 0:
            mu = d + abs(r)     # an exceptional shift breaks a cycle
        iters += 1
        for i in range(l, hi + 1):
            H[i][i] -= mu
        rots = []
        for k in range(l, hi):
            x, y = H[k][k], H[k + 1][k]
            nr = math.sqrt(abs(x) ** 2 + abs(y) ** 2)
            c, s = (x / nr, y / nr) if nr else (1, 0)
            for j in range(k, hi + 1):
                t1, t2 = H[k][j], H[k + 1][j]
                H[k][j] = c.conjugate() * t1 + s.conjugate() * t2
                H[k + 1][j] = -s * t1 + c * t2
            rots.append((k, c, s))
        for k, c, s in rots:
            for i in range(l, min(k + 2, hi) + 1):
                t1, t2 = H[i][k], H[i][k + 1]
                H[i][k] = t1 * c + t2 * s
                H[i][k + 1] = -t1 * s.conjugate() + t2 * c.conjugate()
        for i in range(l, hi + 1):
            H[i][i] += mu
    return eig

"""Reading and writing .npy files without numpy, and the linear algebra the
shell tests check weights with (tests/init_test.sh, constraints_test.sh).
Only Python's standard library: numpy is not a test dependency."""
import ast, cmath, math, struct
def load(path):
    b = open(path, 'rb').read()
    n = struct.unpack('<H', b[8:10])[0]
    h = ast.literal_eval(b[10:10 + n].decode())
    data = b[10 + n:]
    if h['descr'] == '<f8':
        return h['shape'], struct.unpack('<%dd' % (len(data) // 8), data)
    return h['shape'], tuple(data)
def matrix(path):
    (rows, cols), v = load(path)
    return [list(v[r * cols:(r + 1) * cols]) for r in range(rows)]
def save_u8(path, rows):
    """Writes a 2-d array of 0/1 as numpy's uint8 .npy (format 1.0)."""
    h = "{'descr': '|u1', 'fortran_order': False, 'shape': (%d, %d), }" % (len(rows), len(rows[0]))
    h += ' ' * (63 - (10 + len(h)) % 64) + '\n'
    with open(path, 'wb') as f:
        f.write(b'\x93NUMPY\x01\x00' + struct.pack('<H', len(h)) + h.encode())
        f.write(bytes(x for row in rows for x in row))
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

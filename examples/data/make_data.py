#!/usr/bin/python3
"""make_data.py -- writes the .npy files the examples load, so each can be
made again and checked: python3 examples/data/make_data.py [FOLDER]
(default: the folder of this script). Standard library only.

ring_mask_32.npy     [32, 32] uint8: neurons on a ring, each connected to
                     the 3 neighbours on either side (no self-connection);
                     examples/sparse_connectivity.rnn uses it as a mask.
ring_weights_32.npy  [32, 32] float64: the ring attractor's connectivity of
                     Ben-Yishai, Bar-Or & Sompolinsky 1995 (eq. 3),
                     W[i, j] = (J0 + J1 cos(theta_i - theta_j)) / N with
                     J0 = -2 (uniform inhibition) and J1 = 6 (tuned
                     excitation); examples/load_weights.rnn loads it."""
import math, os, struct, sys

N = 32


def write_npy(path, descr, fmt, rows):
    """A C-order 2-D .npy (version 1.0) of ROWS, as numpy.save writes it."""
    header = "{'descr': '%s', 'fortran_order': False, 'shape': (%d, %d), }" % (descr, len(rows), len(rows[0]))
    header += ' ' * (63 - (10 + len(header)) % 64) + '\n'   # 64-byte aligned, ending in a newline
    with open(path, 'wb') as f:
        f.write(b'\x93NUMPY\x01\x00' + struct.pack('<H', len(header)) + header.encode('latin1'))
        for r in rows:
            f.write(struct.pack('<%d%s' % (len(r), fmt), *r))


def ring_distance(i, j):
    d = abs(i - j) % N
    return min(d, N - d)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    mask = [[1 if 0 < ring_distance(i, j) <= 3 else 0 for j in range(N)] for i in range(N)]
    write_npy(os.path.join(out, 'ring_mask_32.npy'), '|u1', 'B', mask)
    theta = [2 * math.pi * i / N for i in range(N)]
    weights = [[(-2 + 6 * math.cos(theta[i] - theta[j])) / N for j in range(N)] for i in range(N)]
    write_npy(os.path.join(out, 'ring_weights_32.npy'), '<f8', 'd', weights)


if __name__ == '__main__':
    main()

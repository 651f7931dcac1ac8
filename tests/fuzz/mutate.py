#!/usr/bin/python3
"""mutate.py SEED COUNT OUT_DIR MODEL...: writes COUNT mutants of the models.

Each mutant is one model with one to three small edits of the kinds a user
makes by mistake or on purpose: a number replaced by an edge value (0, a
negative, a huge or a tiny one), a line deleted or doubled, two names
swapped, an operator changed. Deterministic from SEED, so a failing mutant
can be made again. run_mutants.sh checks and runs them.
"""
import os
import random
import re
import sys

EDGE_NUMBERS = ["0", "-1", "1", "2", "0.5", "1e-9", "1e9", "3", "100", "-0.001", "7"]
OPERATORS = ["+", "-", "*", "/"]
NUMBER = re.compile(r"(?<![\w.])\d+(\.\d+)?(e-?\d+)?(?![\w.])")
NAME = re.compile(r"\b[a-z_][a-z0-9_]*\b")


def replace_number(text, rng):
    spots = list(NUMBER.finditer(text))
    if not spots:
        return text
    m = rng.choice(spots)
    return text[:m.start()] + rng.choice(EDGE_NUMBERS) + text[m.end():]


def edit_line(text, rng):
    lines = text.split("\n")
    i = rng.randrange(len(lines))
    if rng.random() < 0.5:
        del lines[i]
    else:
        lines.insert(i, lines[i])
    return "\n".join(lines)


def swap_names(text, rng):
    names = sorted(set(NAME.findall(text)))
    if len(names) < 2:
        return text
    a, b = rng.sample(names, 2)
    spots = [m for m in NAME.finditer(text) if m.group(0) == a]
    m = rng.choice(spots)
    return text[:m.start()] + b + text[m.end():]


def change_operator(text, rng):
    spots = [m for m in re.finditer(r" [-+*/] ", text)]
    if not spots:
        return text
    m = rng.choice(spots)
    return text[:m.start()] + " " + rng.choice(OPERATORS) + " " + text[m.end():]


EDITS = [replace_number, replace_number, replace_number, edit_line, swap_names, change_operator]


def main():
    seed, count, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    models = [open(p).read() for p in sys.argv[4:]]
    rng = random.Random(seed)
    os.makedirs(out, exist_ok=True)
    for k in range(count):
        text = rng.choice(models)
        for _ in range(rng.randint(1, 3)):
            text = rng.choice(EDITS)(text, rng)
        with open(os.path.join(out, "mutant%04d.rnn" % k), "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()

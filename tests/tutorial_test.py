#!/usr/bin/env python3
"""tutorial_test.py SOURCE_DIR DOC

Follows a tutorial (docs/tutorial.md) as a reader would: copies the source
tree's tracked and new files into a fresh folder (what a clone of it holds),
then runs every command of the tutorial's ```console blocks there, in order,
with bash, and compares what each printed with the output the tutorial
shows under it.

A block opened with ```LANG file=NAME (```rnn file=my_model.rnn) is a file
the reader saves: it is written into the folder when the tutorial reaches it.
In a ```console block a line starting with "$ " is a command (a line ending
in a backslash continues it on the next line); the lines up to the next
command are its output as the tutorial shows it. A shown line "..." stands
for any number of printed lines. Every other shown line must be printed, in
order, with the same text around its numbers, and its numbers must agree:
whole numbers exactly, decimals to within 20 % (a loss or an accuracy
moves a little with the machine's floating-point paths; a result that
changes more than that is a tutorial that no longer tells the truth).
Durations (a number followed by "s", "ms" or "min") are not compared: they
are the machine's, not the model's. A command must exit 0 unless its block
is opened with ```console exit=N.

Only the standard library is used, so it runs wherever the tests run.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

NUMBER = re.compile(r'(?<![\w.])[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?(?![\w.])')
DURATION = re.compile(r'\s*(?:s|ms|min)\b')
TOLERANCE = 0.20


def events(doc):
    """The tutorial in order: ('file', name, text) for a block opened with
    ```LANG file=NAME (the reader saves it as NAME), and ('console', line,
    exit status, [(command, [shown lines])]) for a console block."""
    out, kind, steps, status, start, name, text = [], None, [], 0, 0, None, []
    lines = open(doc, encoding='utf-8').read().split('\n')
    i = 0
    while i < len(lines):
        line = lines[i]
        console = re.match(r'^```console(?:\s+exit=(\d+))?\s*$', line)
        saved = re.match(r'^```\w+\s+file=(\S+)\s*$', line)
        if kind is None and console:
            kind, steps, status, start = 'console', [], int(console.group(1) or 0), i + 1
        elif kind is None and saved:
            kind, name, text = 'file', saved.group(1), []
        elif kind is not None and line.startswith('```'):
            out.append(('console', start, status, steps) if kind == 'console' else ('file', name, '\n'.join(text) + '\n'))
            kind = None
        elif kind == 'file':
            text.append(line)
        elif kind == 'console' and line.startswith('$ '):
            command = line[2:]
            while command.endswith('\\') and i + 1 < len(lines):
                i += 1
                command = command[:-1] + '\n' + lines[i]
            steps.append((command, []))
        elif kind == 'console' and steps:
            steps[-1][1].append(line)
        i += 1
    return out


def split(line):
    """A line as its text between numbers and its numbers, each marked whether it is a duration."""
    texts, numbers, last = [], [], 0
    for m in NUMBER.finditer(line):
        texts.append(line[last:m.start()])
        numbers.append((m.group(), bool(DURATION.match(line, m.end()))))
        last = m.end()
    texts.append(line[last:])
    return texts, numbers


def agree(shown, printed):
    """Whether a printed line is the shown one (why not, otherwise)."""
    st, sn = split(shown.rstrip())
    pt, pn = split(printed.rstrip())
    if st != pt or len(sn) != len(pn):
        return 'the text differs'
    for (s, duration), (p, _) in zip(sn, pn):
        if duration:
            continue
        if re.fullmatch(r'[-+]?\d+', s) and re.fullmatch(r'[-+]?\d+', p):
            if int(s) != int(p):
                return f'{p} where the tutorial shows {s}'
            continue
        a, b = float(s), float(p)
        if abs(a - b) > TOLERANCE * max(abs(a), abs(b)):
            return f'{p} where the tutorial shows {s} (more than {TOLERANCE:.0%} apart)'
    return None


def match(shown, printed):
    """Matches shown lines (with "..." for any lines) against printed ones; None, or why not."""
    shown = [s for s in shown if s.strip() != '' or False]
    printed = [p for p in printed if p.strip() != '']

    def go(i, j):
        if i == len(shown):
            return None if j == len(printed) else f'more output than the tutorial shows, from: {printed[j]!r}'
        if shown[i].strip() == '...':
            if i + 1 == len(shown):
                return None
            best = None
            for k in range(j, len(printed) + 1):
                why = go(i + 1, k)
                if why is None:
                    return None
                best = best or why
            return best
        if j == len(printed):
            return f'missing: {shown[i]!r}'
        why = agree(shown[i], printed[j])
        if why:
            return f'{why}\n  shown:   {shown[i]!r}\n  printed: {printed[j]!r}'
        return go(i + 1, j + 1)

    return go(0, 0)


def copy_tree(src, dst):
    """The files a clone of SRC would have (tracked, and new ones not ignored), as they are now."""
    listed = subprocess.run(['git', '-C', src, 'ls-files', '-z', '--cached', '--others', '--exclude-standard'],
                            capture_output=True, check=True).stdout.split(b'\0')
    for name in filter(None, (n.decode() for n in listed)):
        s = os.path.join(src, name)
        if not os.path.isfile(s):   # deleted but not yet committed
            continue
        d = os.path.join(dst, name)
        os.makedirs(os.path.dirname(d), exist_ok=True)
        shutil.copy2(s, d)


def main():
    src, doc = sys.argv[1], sys.argv[2]
    found = events(doc)
    commands = sum(len(e[3]) for e in found if e[0] == 'console')
    if commands < 5:
        print(f'only {commands} commands found in {doc}')
        return 1
    work = tempfile.mkdtemp(prefix='rnnc-tutorial-')
    try:
        clone = os.path.join(work, 'rnnc')
        copy_tree(src, clone)
        # The reader's python3 is Debian's (with python3-numpy), as on a fresh machine.
        env = dict(os.environ, NO_COLOR='1', PATH='/usr/bin:' + os.environ.get('PATH', ''))
        for key in ('RNNC_PATH', 'RNNC_STDLIB', 'RNNC_LIBRARY', 'PYTHONPATH'):
            env.pop(key, None)
        failed = 0
        for event in found:
            if event[0] == 'file':
                with open(os.path.join(clone, event[1]), 'w', encoding='utf-8') as f:
                    f.write(event[2])
                continue
            _, start, status, steps = event
            for command, shown in steps:
                print(f'$ {command}', flush=True)
                run = subprocess.run(['bash', '-c', command], cwd=clone, env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True)
                printed = run.stdout.split('\n')
                why = match(shown, printed) if run.returncode == status else f'exit status {run.returncode}, not {status}'
                if why:
                    failed += 1
                    print(f'{doc}:{start}: FAIL: {why}')
                    print('printed:\n' + ''.join('  | ' + p + '\n' for p in printed[-40:]))
        print(f'{commands} commands, {failed} failed')
        return 1 if failed else 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())

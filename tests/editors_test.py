"""editors_test.py SRCDIR

The editor files of editors/ name exactly the words the compiler knows, so
they cannot drift from it: the keywords of grammar/lexer.re (hard ones, and
the soft ones of grammar/parser.y's %fallback line), the functions of
compiler/check/builtins.c and the units of compiler/front/units.c, in the
Vim syntax file and in the TextMate grammar alike. The lexer's keyword
rules and its lex_is_keyword list must agree too. When Vim is installed,
it highlights a model with the syntax file and a few words are checked.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

src = sys.argv[1]
failures = []


def read(path):
    with open(os.path.join(src, path), encoding="utf-8") as f:
        return f.read()


def compare(where, what, got, want):
    """Records a failure unless GOT and WANT hold the same words."""
    got, want = set(got), set(want)
    if got != want:
        failures.append("%s: %s: missing %s, extra %s"
                        % (where, what, sorted(want - got) or "none", sorted(got - want) or "none"))


# ---- what the compiler knows
lexer = read("grammar/lexer.re")
keywords = re.findall(r'^\s*"([a-z_]+)"\s*\{\s*KW\(TK_', lexer, re.M)
table = re.search(r"lex_is_keyword.*?\{(.*?)\};", lexer, re.S).group(1)
compare("grammar/lexer.re", "lex_is_keyword's list against the keyword rules",
        re.findall(r'"([a-z_]+)"', table), keywords)
fallback = re.search(r"^%fallback IDENT(.*?)\.$", read("grammar/parser.y"), re.M | re.S).group(1)
soft = [w.lower() for w in fallback.split()]
compare("grammar/parser.y", "soft keywords that are keywords", set(soft) & set(keywords), soft)
hard = [w for w in keywords if w not in soft]
builtins = re.findall(r'\{"([a-z_0-9]+)",\s*BI_', read("compiler/check/builtins.c"))
units = re.findall(r'^\s*\{"([A-Za-z]+)",\s*[-0-9.e]+,\s*\{', read("compiler/front/units.c"), re.M)
# The lists must have been found: a changed table layout would find nothing.
for name, words, least in (("keywords", keywords, 40), ("soft keywords", soft, 20),
                           ("builtins", builtins, 40), ("units", units, 20)):
    if len(words) < least:
        failures.append("found only %d %s: has the source's layout changed?" % (len(words), name))

# ---- Vim
vim = read("editors/vim/syntax/rnn.vim")
groups = {}
for group, words in re.findall(r"^syn keyword (\w+)((?: [\w]+)+)$", vim, re.M):
    groups.setdefault(group, []).extend(w for w in words.split() if w != "contained")
where = "editors/vim/syntax/rnn.vim"
compare(where, "rnnKeyword and rnnOperatorWord (hard keywords)",
        groups.get("rnnKeyword", []) + groups.get("rnnOperatorWord", []), hard)
compare(where, "rnnSoftKeyword", groups.get("rnnSoftKeyword", []), soft)
compare(where, "rnnBuiltin", groups.get("rnnBuiltin", []), builtins)
compare(where, "rnnUnit", groups.get("rnnUnit", []), units)
if "*.rnn" not in read("editors/vim/ftdetect/rnn.vim"):
    failures.append("editors/vim/ftdetect/rnn.vim does not name *.rnn")

# ---- TextMate (VS Code)
where = "editors/vscode/syntaxes/rnn.tmLanguage.json"
grammar = json.loads(read(where))
repo = grammar["repository"]


def alternatives(rule, prefix):
    """The words of the first group PREFIX(a|b|c) in RULE's pattern."""
    m = re.search(re.escape(prefix) + r"([\w|]+)\)", repo[rule]["match"])
    return m.group(1).split("|") if m else []


compare(where, "keyword and operator-word (hard keywords)",
        alternatives("keyword", "(?:") + alternatives("operator-word", "(?:"), hard)
compare(where, "soft-keyword", alternatives("soft-keyword", "(?:"), soft)
compare(where, "builtin", alternatives("builtin", "(?:"), builtins)
compare(where, "the units in number", alternatives("number", r"\s*("), units)
for name, rule in repo.items():
    try:
        re.compile(rule["match"])
    except re.error as e:
        failures.append("%s: rule %s does not compile: %s" % (where, name, e))
for inc in grammar["patterns"]:
    if inc["include"][1:] not in repo:
        failures.append("%s: the pattern %s is not in the repository" % (where, inc["include"]))
package = json.loads(read("editors/vscode/package.json"))
language = package["contributes"]["languages"][0]
grammar_entry = package["contributes"]["grammars"][0]
if language["extensions"] != [".rnn"] or grammar_entry["scopeName"] != grammar["scopeName"]:
    failures.append("editors/vscode/package.json: not .rnn, or another scope than the grammar's")
for path in (grammar_entry["path"], language["configuration"]):
    if not os.path.isfile(os.path.join(src, "editors/vscode", path)):
        failures.append("editors/vscode/package.json names %s, which is missing" % path)

# ---- Vim's own reading of a model, when Vim is here
WORDS = [("neuron LIF(", "rnnKeyword"), ("LIF(", "rnnDefinition"), ("state", "rnnSoftKeyword"),
         ("stop_gradient", "rnnBuiltin"), ("30 ms", "rnnNumber"), ("ms,", "rnnUnit"),
         ("dV/dt", "rnnDerivative"), ("# LIF", "rnnComment")]
if shutil.which("vim"):
    with tempfile.TemporaryDirectory() as home:
        out = os.path.join(home, "groups")
        probe = ('for w in %s | call cursor(1, 1) | call search("\\\\V" . w, "cW") | '
                 'call writefile([w . " " . synIDattr(synID(line("."), col("."), 1), "name")], "%s", "a") | endfor'
                 % (json.dumps([w for w, _ in WORDS]), out))
        subprocess.run(["vim", "-Nu", "NONE", "-es", "--cmd", "set rtp^=" + os.path.join(src, "editors/vim"),
                        "-c", "filetype plugin on", "-c", "syntax on",
                        "-c", "e " + os.path.join(src, "stdlib/neurons/lif.rnn"), "-c", probe, "-c", "qa!"],
                       env=dict(os.environ, HOME=home), stdin=subprocess.DEVNULL, timeout=60, check=False)
        seen = open(out).read().splitlines() if os.path.exists(out) else []
        for (word, group), line in zip(WORDS, seen + [""] * len(WORDS)):
            if line != word + " " + group:
                failures.append("vim highlights %r as %r, expected %s" % (word, line, group))
else:
    print("vim is not installed: its highlighting of a model is not tried")

for f in failures:
    print("FAIL:", f)
print("%d keywords (%d soft), %d builtins, %d units; %d failures"
      % (len(keywords), len(soft), len(set(builtins)), len(units), len(failures)))
sys.exit(1 if failures else 0)

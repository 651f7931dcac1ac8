"""A results folder as numpy arrays: what `rnnc run` or Model.run wrote.

This part needs no C library: it reads summary.json, loss.csv and the .npy
files with numpy, by the names runtime/rt_files.h gives them (docs/language.md
lists them): weights_WHEN_STEM.npy, bias_WHEN_STEM.npy and record_NAME.npy,
a projection's STEM being PRE_POST or PRE_POST_PORT and a record's NAME
POP[_MEMBER][_FROM_TO]. summary.json's "records" gives each record's name as
the model writes it ("h.v[0:10]") with its file; the projections' names
("h->h", "x->h.I_z") are rebuilt from the population and input names it
lists, and so are the records' of a folder written before summary.json had
"records".
"""
import builtins
import collections.abc
import json
import os
import re

import numpy as np

from . import _errors


class Arrays(collections.abc.Mapping):
    """A read-only mapping of names to arrays, each loaded from its .npy file
    the first time it is asked for. KIND ("projection", "record", "file")
    names what a missing key is in the KeyError."""

    def __init__(self, paths, kind, normalize=None):
        self._paths = dict(paths)     # name -> .npy path
        self._loaded = {}
        self._kind = kind
        self._normalize = normalize or (lambda k: k)

    def __getitem__(self, name):
        key = self._normalize(name) if isinstance(name, str) else name
        if key not in self._paths:
            known = ", ".join(self._paths) or "none"
            raise KeyError("no %s %r in this result (it has: %s)" % (self._kind, name, known))
        if key not in self._loaded:
            self._loaded[key] = self._load(self._paths[key])
        return self._loaded[key]

    def _load(self, path):
        return np.load(path, allow_pickle=False)

    def __contains__(self, name):
        return isinstance(name, str) and self._normalize(name) in self._paths

    def __iter__(self):
        return iter(self._paths)

    def __len__(self):
        return len(self._paths)

    def path(self, name):
        """The .npy file NAME is read from."""
        self[name]
        return self._paths[self._normalize(name)]

    def __repr__(self):
        return "<%s arrays: %s>" % (self._kind, ", ".join(self._paths))


class Synapses(Arrays):
    """A read-only mapping of sparse projections to their synapses, each a
    tuple (pre, post, w) of arrays with one entry per synapse, loaded from
    the three synapses_ files the first time it is asked for."""

    def _load(self, paths):
        return tuple(np.load(paths[part], allow_pickle=False) for part in ("pre", "post", "w"))


def _split_names(stem, names):
    """STEM as a sequence of the given NAMES joined by '_', trying longer
    names first (population and input names may hold '_'); the list of
    names and what is left over, or None."""
    for name in sorted(names, key=len, reverse=True):
        if stem == name:
            return [name], ""
        if stem.startswith(name + "_"):
            return [name], stem[len(name) + 1:]
    return None


def projection_name(stem, pops, inputs):
    """'h_h' -> 'h->h', 'x_h_I_z' -> 'x->h.I_z' given the network's names;
    the stem itself when it does not split so."""
    first = _split_names(stem, pops + inputs)
    if first and first[1]:
        second = _split_names(first[1], pops)
        if second:
            post = second[0][0]
            return first[0][0] + "->" + post + ("." + second[1] if second[1] else "")
    return stem


def record_name(stem, pops):
    """'h_r' -> 'h.r', 'h_v_0_10' -> 'h.v[0:10]', 'y' -> 'y'."""
    split = _split_names(stem, pops)
    if not split:
        return stem
    pop, rest = split[0][0], split[1]
    subset = re.fullmatch(r"(?:(.*)_)?(\d+)_(\d+)", rest)
    member, index = rest, ""
    if subset:
        member, index = subset.group(1) or "", "[%s:%s]" % (subset.group(2), subset.group(3))
    return pop + ("." + member if member else "") + index


def _projection_key(name):
    return re.sub(r"\s+", "", name)


def _record_key(name):
    return re.sub(r"\s+", "", name)


def read_loss(path):
    """loss.csv as {column: float64 array}, in the file's column order: no
    rows for a run without updates, {} for a folder without the file."""
    if not os.path.exists(path):
        return {}
    with builtins.open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    if not lines or not lines[0].strip():
        return {}
    columns = lines[0].strip().split(",")
    rows = [line for line in lines[1:] if line.strip()]
    try:
        values = np.loadtxt(rows, delimiter=",", ndmin=2, dtype=np.float64) if rows \
            else np.zeros((0, len(columns)))
    except ValueError as e:
        raise _errors.FileError("%s: %s" % (path, e)) from None
    if values.shape[1] != len(columns):
        raise _errors.FileError("%s: %d columns in the header, %d in the rows"
                                % (path, len(columns), values.shape[1]))
    return {c: values[:, i].copy() for i, c in enumerate(columns)}


class Result:
    """A results folder. Attributes:

    dir              the folder
    summary          summary.json as a dict
    status           summary["status"]: "trained", "interrupted", "stopped: non-finite loss", ...
    loss             loss.csv: {column: float64 array [updates]}, r.loss["loss"]
    weights          final weights by projection, r.weights["h->h"]: [post, pre]
    initial_weights  the weights training started from
    biases, initial_biases   [post], for the projections that have a bias
    records          the record items, r.records["h.r"]: [trial, step, neuron]
    files            every .npy of the folder by its name without ".npy"

    The arrays are read when first asked for. A Result that Model.run made in
    a temporary folder keeps it until close() (or until it is garbage).
    """

    def __init__(self, dir, _owner=None):
        self.dir = os.path.abspath(dir)
        self._owner = _owner
        self.message = ""       # why a run stopped early (Model.run sets it)
        if not os.path.isdir(self.dir):
            raise _errors.FileError("%s is not a folder" % dir)
        self.reread()

    def reread(self):
        """Reads the folder again (after Model.reanalyze, or rnnc analyze):
        summary, loss and the names of the arrays; arrays read before are
        forgotten."""
        summary_path = os.path.join(self.dir, "summary.json")
        if not os.path.isfile(summary_path):
            raise _errors.FileError("%s is not a results folder: it has no summary.json" % self.dir)
        try:
            with builtins.open(summary_path, encoding="utf-8") as f:
                self.summary = json.load(f)
        except ValueError as e:
            raise _errors.FileError("%s: not valid JSON: %s" % (summary_path, e)) from None
        if not isinstance(self.summary, dict):
            raise _errors.FileError("%s: not a JSON object" % summary_path)
        self.status = self.summary.get("status", "")
        self.loss = read_loss(os.path.join(self.dir, "loss.csv"))
        self._index()

    def _index(self):
        pops = [p["name"] for p in self.summary.get("populations", []) if isinstance(p, dict) and "name" in p]
        inputs = [p["name"] for p in self.summary.get("inputs", []) if isinstance(p, dict) and "name" in p]
        files, found = {}, {"weights_final": {}, "weights_initial": {}, "bias_final": {}, "bias_initial": {},
                            "record": {}, "synapses_final": {}, "synapses_initial": {}}
        listed = {}
        for item in self.summary.get("records", []):
            if isinstance(item, dict) and isinstance(item.get("name"), str) and isinstance(item.get("file"), str):
                listed[item["file"]] = item["name"]
        for entry in sorted(os.listdir(self.dir)):
            if not entry.endswith(".npy"):
                continue
            name, path = entry[:-4], os.path.join(self.dir, entry)
            files[name] = path
            m = re.fullmatch(r"synapses_(initial|final)_(.+)_(pre|post|w)", name)
            if m:
                projection = projection_name(m.group(2), pops, inputs)
                found["synapses_" + m.group(1)].setdefault(projection, {})[m.group(3)] = path
                continue
            m = re.fullmatch(r"(weights|bias)_(initial|final)_(.+)", name)
            if m:
                found[m.group(1) + "_" + m.group(2)][projection_name(m.group(3), pops, inputs)] = path
            elif name in listed:
                found["record"][listed[name]] = path
            elif name.startswith("record_"):
                found["record"][record_name(name[len("record_"):], pops)] = path
        self.files = Arrays(files, "file")
        self.weights = Arrays(found["weights_final"], "projection", _projection_key)
        self.initial_weights = Arrays(found["weights_initial"], "projection", _projection_key)
        self.biases = Arrays(found["bias_final"], "bias of a projection", _projection_key)
        self.initial_biases = Arrays(found["bias_initial"], "bias of a projection", _projection_key)
        self.records = Arrays(found["record"], "record item", _record_key)
        # a sparse projection that training left as it was has only its initial synapses
        final = dict(found["synapses_initial"], **found["synapses_final"])
        self.synapses = Synapses(final, "sparse projection", _projection_key)
        self.initial_synapses = Synapses(found["synapses_initial"], "sparse projection", _projection_key)

    @property
    def model_text(self):
        """The copy of the model file the run was made from (model.rnn)."""
        with builtins.open(os.path.join(self.dir, "model.rnn"), encoding="utf-8") as f:
            return f.read()

    def close(self):
        """Frees the run behind this result; a temporary folder is removed."""
        if self._owner is not None:
            self._owner.close()
            self._owner = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return "<rnnc.Result %s: %s>" % (self.dir, self.status)


def open(dir):
    """The results folder DIR that `rnnc run` (or Model.run) wrote, as a Result."""
    return Result(dir)

"""Find the runs in a tree and say what each one is: (catalyst, species, role).

Folder convention (no configuration needed)::

    ROOT/<catalyst>/<site>/            role slab: the clean site (site = slab, clean, star or site)
    ROOT/<catalyst>/<ADSORBATE>/       role adsorbate, species *ADSORBATE (NO3, NOH, NH2OH, ...)
    ROOT/<catalyst>/<ADSORBATE>/vib/   role vibrations of that adsorbate (also freq/, vibrations/)
    ROOT/gas/<MOLECULE>/               role gas (H2, H2O, NH3, HNO3, ...); .../vib/ its modes
    ROOT/bulk/<METAL>/                 role bulk: a bulk relaxation (the slabs' lattice constant)

``<catalyst>`` may span several folders (``SAC/CuN4``). A manifest (YAML or CSV) overrides the
convention: rules ``pattern -> catalyst, species, role`` where ``*`` matches one folder, ``**``
several, and ``{1}``, ``{2}``... in the values refer to the matched parts.
"""

from __future__ import annotations

import csv
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from ..errors import InputError
from ..schema.manifest import ROLES  # noqa: F401 - the roles a run can have

SITE_NAMES = {"slab", "clean", "star", "site", "bare", "*"}
VIB_NAMES = {"vib", "vibs", "freq", "freqs", "vibrations", "frequencies"}
GAS_NAMES = {"gas", "gases", "molecules", "gas_phase"}
BULK_NAMES = {"bulk"}

VASP_OUTPUTS = ("OUTCAR", "vasprun.xml", "OSZICAR", "OUTCAR.gz", "vasprun.xml.gz")


class RunKey(NamedTuple):
    """What a run is: catalyst name (empty for gas), species label and role."""

    catalyst: str
    species: str
    role: str


@dataclass(frozen=True, slots=True)
class Rule:
    pattern: str
    regex: re.Pattern
    catalyst: str
    species: str
    role: str


def _compile(pattern: str) -> re.Pattern:
    out = ""
    i = 0
    while i < len(pattern):
        if pattern.startswith("**", i):
            out += "(.+)"
            i += 2
        elif pattern[i] == "*":
            out += "([^/]+)"
            i += 1
        else:
            out += re.escape(pattern[i])
            i += 1
    return re.compile(out + "$")


def load_manifest(path: str | Path) -> list[Rule]:
    """Rules from a YAML (``runs: [{pattern, catalyst, species, role}]``) or CSV manifest.

    Validated by :class:`chefe.schema.ManifestFile` before any folder is read: unknown keys or
    columns, unknown roles and ``{n}`` references beyond the pattern's wildcards are errors
    naming the file and the line.
    """
    from ..schema import ManifestFile, validate
    from ..textfile import read_text, read_yaml

    path = Path(path)
    if path.suffix.lower() == ".csv":
        text = read_text(path, what="manifest")
        try:
            rows = [{k: v for k, v in row.items() if v not in (None, "") or k == "pattern"}
                    for row in csv.DictReader(text.splitlines())]
        except csv.Error as exc:
            raise InputError(f"{path}: malformed CSV: {exc}") from None
        for k, row in enumerate(rows):
            if None in row:
                raise InputError(f"{path}: line {k + 2}: more fields than the header's columns")
        data, lines = {"runs": rows}, {("runs", k): k + 2 for k in range(len(rows))}
    else:
        data, lines = read_yaml(path, what="manifest", lines=True)
        if not isinstance(data, dict) or not isinstance(data.get("runs"), list):
            raise InputError(f"{path}: a manifest needs 'runs: [{{pattern, catalyst, species, role}}]'")
    manifest = validate(ManifestFile, data, source=str(path), lines=lines, what="manifest")
    return [Rule(r.pattern, _compile(r.pattern.strip("/")), r.catalyst, r.species, r.role) for r in manifest.runs]


def _species_from_folder(name: str) -> str:
    from ..species import canonical

    if name.lower() in SITE_NAMES:
        return "*"
    if "+" in name:  # a co-adsorbed state, one run: NO2+O -> *NO2+*O (as chefe.build names it)
        parts = [_species_from_folder(part) for part in name.split("+") if part]
        try:
            return canonical("+".join(parts))
        except Exception:  # noqa: BLE001 - keep the raw name; the report shows it as unknown
            return "+".join(sorted(parts))
    label = name if name.startswith("*") or name.endswith("*") else "*" + name
    try:
        return canonical(label)
    except Exception:  # noqa: BLE001 - keep the raw name; the report shows it as unknown
        return label


def classify(relative: str, rules: list[Rule] | None = None) -> RunKey:
    """RunKey of a run folder given its path relative to the tree root."""
    rel = relative.strip("/").replace(os.sep, "/")
    for rule in rules or []:
        m = rule.regex.match(rel)
        if m:
            groups = m.groups()

            def fill(text: str) -> str:
                return re.sub(r"\{(\d+)\}", lambda g: groups[int(g.group(1)) - 1], text)

            species = fill(rule.species)
            if rule.role in ("slab", "adsorbate") and species:
                species = _species_from_folder(species) if species != "*" else "*"
            return RunKey(fill(rule.catalyst), species, rule.role)
    parts = [p for p in rel.split("/") if p]
    if not parts:
        return RunKey("", "", "unknown")
    vib = parts[-1].lower() in VIB_NAMES
    if vib:
        parts = parts[:-1]
    if len(parts) >= 2 and parts[0].lower() in GAS_NAMES:
        return RunKey("", parts[-1], "vibrations" if vib else "gas")
    if len(parts) == 2 and parts[0].lower() in BULK_NAMES and not vib:
        return RunKey("", parts[-1], "bulk")
    if len(parts) >= 2:
        species = _species_from_folder(parts[-1])
        role = "vibrations" if vib else ("slab" if species == "*" else "adsorbate")
        return RunKey("/".join(parts[:-1]), species, role)
    return RunKey("", "", "unknown")


def slab_owner(catalyst: str, slab_catalysts) -> str | None:
    """The catalyst whose slab run ``catalyst`` uses: itself, else its nearest parent folder
    (``CAT/Co`` -> ``CAT``: per-site pathways of one catalyst share its clean site)."""
    parts = catalyst.split("/")
    for k in range(len(parts), 0, -1):
        name = "/".join(parts[:k])
        if name in slab_catalysts:
            return name
    return None


@dataclass(frozen=True, slots=True)
class Found:
    """A run found in the tree: its path (folder or file), code and key."""

    path: str
    relative: str
    code: str
    key: RunKey


def _code_of_file(path: Path) -> tuple[str | None, str | None]:
    """``(code, problem)`` of a file outside VASP folders: the code whose output it is (None
    when it is none), and why an output-like file could not be told apart (empty, binary) so the
    sweep reports it instead of dropping it without a word."""
    name = path.name
    if name.endswith(".traj"):
        return "ase", None
    if not name.endswith((".pwo", ".out", ".log", ".txt")):
        return None, None
    try:
        with open(path, "rb") as handle:
            head = handle.read(8192)
    except OSError as exc:
        return None, f"{path}: unreadable ({exc.strerror})"
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or (len(head) >= 64 and head[1:64:2].count(0) > 28):
        head = head.decode("utf-16", "replace").encode("utf-8", "replace")  # read as UTF-16 later
    if b"Program PWSCF" in head:
        return "qe", None
    if b"GPAW" in head or b"___ ___ ___ _ _ _" in head or b"|__||  | ||/\\|" in head:
        return "gpaw", None
    if name.endswith(".pwo"):
        return "qe", None  # pw.x's own suffix: read (and flagged) whatever it holds
    if not head:
        return None, f"{path}: empty file, not read as a run (if it is a pw.x or GPAW output, the run wrote nothing)"
    if b"\x00" in head or head[:2] == b"\x1f\x8b":
        return None, f"{path}: binary content, not read as a run (a damaged pw.x or GPAW output?)"
    return None, None


def find_runs(root: str | Path, rules: list[Rule] | None = None) -> tuple[list[Found], list[str]]:
    """All runs under ``root`` and the problems met while walking (unreadable folders, loops).

    A folder with OUTCAR, vasprun.xml or OSZICAR is one VASP run; QE (``Program PWSCF``), GPAW
    text outputs and ``.traj`` files are one run each; a folder with ``cache.eq.json`` is an ASE
    Vibrations cache (the modes of the run above it). Paths are real paths (the root resolved,
    symbolic links included). Symbolic links to folders inside the tree are not followed (a
    link loop cannot hang the sweep); they are reported.
    """
    if not Path(root).is_dir():
        raise InputError(f"{root} is not a folder")
    # a run's identity is its real path: runs, $PWD/runs and ../x/runs are one run
    root = Path(os.path.realpath(root))
    found: list[Found] = []
    problems: list[str] = []

    def onerror(exc: OSError) -> None:
        problems.append(f"{exc.filename}: unreadable ({exc.strerror})")

    for dirpath, dirnames, filenames in os.walk(root, onerror=onerror, followlinks=False):
        here = Path(dirpath)
        for d in list(dirnames):
            if (here / d).is_symlink():
                problems.append(f"{here / d}: symbolic link to a folder, not followed")
        rel = os.path.relpath(dirpath, root)
        rel = "" if rel == "." else rel.replace(os.sep, "/")
        if any(f in filenames for f in VASP_OUTPUTS):
            for f in VASP_OUTPUTS:
                if f in filenames and not (here / f).exists():
                    problems.append(f"{here / f}: broken symbolic link (unreadable)")
            found.append(Found(str(here), rel, "vasp", classify(rel, rules)))
            continue
        if "cache.eq.json" in filenames:  # an ase.vibrations.Vibrations cache
            key = classify(rel, rules)
            if key.role != "vibrations":  # a cache folder named otherwise: the modes of the run above
                parent = classify(rel.rsplit("/", 1)[0] if "/" in rel else "", rules)
                key = RunKey(parent.catalyst, parent.species, "vibrations")
            found.append(Found(str(here), rel, "ase-vib", key))
            continue
        for name in sorted(filenames):
            path = here / name
            if path.is_symlink() and not path.exists():
                problems.append(f"{path}: broken symbolic link")
                continue
            code, problem = _code_of_file(path)
            if problem:
                problems.append(problem)
            if code:
                sub = f"{rel}/{path.stem}" if code != "ase" or rel == "" else rel
                key = classify(rel if rel else path.stem, rules)
                found.append(Found(str(path), sub, code, key))
    found.sort(key=lambda f: f.path)
    return found, problems

"""VASP readers: final-state data from the ends of OUTCAR, vasprun.xml and OSZICAR.

The fast path reads the OUTCAR header (settings, species) and its tail (last energy, forces,
lattice, convergence) without parsing every ionic step; vasprun.xml is read from its head
(parameters, atom info) and its tail (last ``<calculation>``). ASE and pymatgen give the same
energies (tests check 1e-6 eV); use them when every step is needed.

Energy convention: ``energy`` is always energy(sigma->0) (ASE's potential energy; pymatgen's
``final_energy``); the smearing free energy TOTEN is kept as ``free_energy``.
"""

from __future__ import annotations

import math
import os
import re
from pathlib import Path

import numpy as np

from .numbers import FLOAT, WHOLE_B, smearing_consistent, unit_in_last_place
from .record import RunRecord, file_infos, guarded, with_flags
from .scan import count_word, find_word, rfind_word
from .tail import gunzip, is_gzip, read_all, read_ends, read_head, read_tail

_FLOAT = r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eEdD][-+]?\d+)?"
HEADER_BYTES = 400 * 1024


def _f(text: str) -> float:
    return float(text.replace("D", "E").replace("d", "e"))


# ---------------------------------------------------------------------- small input files
def read_incar(path: str | Path) -> dict[str, str]:
    """INCAR as ``{TAG: raw value}`` (upper-case tags, comments and ``;`` separators handled)."""
    out: dict[str, str] = {}
    with open(path, "rb") as handle:
        text = handle.read().decode("utf-8", "replace")
    for line in text.splitlines():
        for mark in ("#", "!"):
            cut = line.find(mark)
            if cut >= 0:
                line = line[:cut]
        if "=" not in line:
            continue
        for part in line.split(";"):
            key, equals, value = part.partition("=")
            key = key.strip()
            if equals and key:
                out[key.upper()] = value.strip()
    return out


def read_kpoints(path: str | Path) -> dict:
    """KPOINTS: ``{"mode": "gamma"|"monkhorst"|"auto"|"explicit", "mesh": [..], "shift": [..]}``."""
    lines = [ln.strip() for ln in Path(path).read_text(errors="replace").splitlines()]
    if len(lines) < 3:
        return {"mode": "unknown", "raw": lines}
    try:
        n = int(lines[1].split()[0])
    except (ValueError, IndexError):
        n = -1
    style = lines[2][:1].lower() if lines[2] else ""
    if n == 0 and style in ("g", "m") and len(lines) > 3:
        mesh = [int(x) for x in lines[3].split()[:3]]
        shift = [float(x) for x in lines[4].split()[:3]] if len(lines) > 4 and lines[4] else [0.0, 0.0, 0.0]
        return {"mode": "gamma" if style == "g" else "monkhorst", "mesh": mesh, "shift": shift}
    if n == 0 and style == "a":
        return {"mode": "auto", "length": float(lines[3].split()[0]) if len(lines) > 3 else None}
    return {"mode": "explicit", "n": n}


#: Files that list a run's POTCAR titles: the POTCAR itself (only its TITEL lines are read) or a
#: title list, as ``chefe build`` writes and data releases ship (POTCARs cannot be redistributed).
POTCAR_LISTS = ("POTCAR", "POTCAR.spec", "POTCAR.titles", "POTCAR_titles", "POTCAR_titles.txt", "POTCAR.txt",
                "potcar.txt", "potcars.txt")


def potcar_titles(folder: str | Path) -> list[str]:
    """POTCAR titles (``PAW_PBE Fe 06Sep2000``) from POTCAR or a title list beside the run
    (:data:`POTCAR_LISTS`; lines ``TITEL = PAW_PBE Fe 06Sep2000`` or the title alone); never
    copies POTCAR content."""
    folder = Path(folder)
    pot = folder / "POTCAR"
    if pot.is_file():
        titles = re.findall(r"TITEL\s*=\s*(.+)", pot.read_text(errors="replace"))
        return [t.strip() for t in titles]
    for name in POTCAR_LISTS[1:]:
        listing = folder / name
        if listing.is_file():
            out = []
            for line in listing.read_text(errors="replace").splitlines():
                line = re.sub(r"^\s*TITEL\s*=\s*", "", line).strip()
                if line and not line.startswith("#"):
                    out.append(line)
            return out
    return []


def potcar_file(folder: str | Path) -> Path | None:
    """The POTCAR or title list :func:`potcar_titles` reads in ``folder`` (None if none)."""
    return next((Path(folder) / n for n in POTCAR_LISTS if (Path(folder) / n).is_file()), None)


# ---------------------------------------------------------------------- OUTCAR
#: Settings read from the parameter printout, in the order VASP prints them (the search for each
#: starts where the previous one was found; the last three are printed only by some builds).
_HEADER_KEYS = ["PREC", "ISPIN", "LNONCOLLINEAR", "LSORBIT", "METAGGA", "ENCUT", "NELM", "EDIFF",
                "EDIFFG", "NSW", "IBRION", "ISIF", "NELECT", "NUPDOWN", "ISMEAR", "SIGMA", "LDIPOL",
                "IDIPOL", "EPSILON", "LDAUTYPE", "GGA", "LEXCH", "LHFCALC", "IVDW", "LUSE_VDW", "LSOL"]


def _key_pattern(key: str) -> re.Pattern:
    # "EDIFF" cannot match "EDIFFG =": the character after the key must be a space or '='.
    return re.compile(key.encode() + rb"[ \t]*=[ \t]*([^\s;]+)")


_KEY_PATTERNS = [(key, key.encode(), _key_pattern(key)) for key in _HEADER_KEYS]
_NIONS = [("NIONS", b"NIONS", _key_pattern("NIONS"))]
_LDAU_PATTERNS = [(tag, re.compile(tag.encode() + rb"[ \t]*=[ \t]*([-\d. \t]+)"))
                  for tag in ("LDAUL", "LDAUU", "LDAUJ")]
_IONS_PER_TYPE = re.compile(rb"ions per type[ \t]*=[ \t]*([\d \t]+)")
_NKPTS = re.compile(rb"NKPTS[ \t]*=[ \t]*(\d+)")
_KMESH = re.compile(rb"generate k-points for:\s*(\d+)\s+(\d+)\s+(\d+)")
_VERSION = re.compile(rb"\s*(vasp\.\S+)")


def _parameters(head: bytes, start: int, end: int, keys=None) -> dict[str, str]:
    """The ``KEY = value`` settings (default :data:`_HEADER_KEYS`) printed in ``head[start:end]``,
    each key a whole word ("GGA", not the tail of "METAGGA").

    Keys are looked for in print order, each from where the previous one was found (one pass
    over the ~5 kB printout instead of one pass per key); a key not found there is looked for
    in the part before.
    """
    out: dict[str, str] = {}
    pos = start
    find = head.find
    for key, literal, pattern in _KEY_PATTERNS if keys is None else keys:
        lo, hi = pos, end
        for _ in range(2):
            i = find(literal, lo, hi)
            while i >= 0:
                before = head[i - 1] if i else 32
                if not (48 <= before <= 57 or 65 <= before <= 90 or 97 <= before <= 122 or before == 95):
                    m = pattern.match(head, i, end)
                    if m:
                        out[key] = m.group(1).decode()
                        pos = i
                        break
                i = find(literal, i + 1, hi)
            if key in out or pos == start:
                break
            lo, hi = start, min(end, pos + len(literal) + 64)  # printed out of order: look before
    return out


def outcar_header(head: bytes | str) -> dict:
    """Settings, species and size from the head of an OUTCAR.

    Each item is looked for only in the section where VASP prints it, so the head (tens of kB,
    mostly the POTCAR dumps) is scanned once: the version on the first line, the POTCAR titles
    at the top, the k-point generation after the POTCAR dumps, NKPTS / NIONS / ions per type in
    'Dimension of arrays' and the parameters between 'Startparameter for this run' and 'Linear
    response parameters'. When a section marker is missing the whole head is searched.
    """
    if isinstance(head, str):
        head = head.encode()
    end = head.rfind(b"Linear response parameters")
    if end < 0:
        end = head.find(b"Iteration")
        end = len(head) if end < 0 else end
    start = head.rfind(b"Startparameter for this run", 0, end)
    dims = head.rfind(b"Dimension of arrays", 0, start if start >= 0 else end)
    p0 = start if start >= 0 else 0
    d0, d1 = (dims, start) if dims >= 0 and start >= 0 else (0, end)
    out: dict = {}
    m = _VERSION.match(head)
    out["version"] = m.group(1).decode() if m else head.split(b"\n", 1)[0].strip()[:40].decode("utf-8", "replace")
    out.update(_parameters(head, p0, len(head)))
    out.update(_parameters(head, d0, d1, _NIONS))
    m = _IONS_PER_TYPE.search(head, d0, d1)
    out["ions_per_type"] = [int(x) for x in m.group(1).split()] if m else []
    out["potcars"] = _potcar_lines(head, len(out["ions_per_type"]), dims if dims >= 0 else end)
    ldau = head.find(b"LDA+U is selected", p0, end)
    out["LDAU"] = ldau >= 0
    if ldau >= 0:  # the U values follow that line (without it they are never used)
        for tag, pattern in _LDAU_PATTERNS:
            m = pattern.search(head, ldau, end)
            if m:
                out[tag] = [float(x) for x in m.group(1).split()]
    m = _NKPTS.search(head, d0, d1)
    if m:
        out["NKPTS"] = int(m.group(1))
    kp = head.rfind(b"KPOINTS:", 0, dims) if dims >= 0 else -1
    m = _KMESH.search(head, kp, kp + 1024) if kp >= 0 else _KMESH.search(head, 0, end)
    if m:
        out["kmesh"] = [int(m.group(i)) for i in (1, 2, 3)]
    return out


def _potcar_lines(head: bytes, n_types: int, end: int) -> list[str]:
    """POTCAR titles ('PAW_PBE Fe 06Sep2000'), one per atom type, from the top of an OUTCAR.

    VASP lists every POTCAR once at the top (then again at the head of each POTCAR dump): the
    first ``n_types`` consecutive 'POTCAR:' lines. Without a type count, every 'POTCAR:' line is
    taken and a list that repeats itself is halved.
    """
    if n_types:
        titles, i = [], head.find(b"POTCAR:", 0, end)
        while i >= 0 and len(titles) < n_types:
            j = head.find(b"\n", i)
            titles.append(head[i + 7: j if j >= 0 else None].strip().decode("utf-8", "replace"))
            i = head.find(b"POTCAR:", j, j + 64) if j >= 0 else -1
        if len(titles) == n_types:
            return titles
    titles = [t.strip().decode("utf-8", "replace") for t in re.findall(rb"POTCAR:[ \t]*([^\n]+)", head[:end])]
    if titles and len(titles) % 2 == 0 and titles[: len(titles) // 2] == titles[len(titles) // 2:]:
        titles = titles[: len(titles) // 2]
    return titles


_HEAD_END = (b"Linear response parameters", b"Iteration")
"""The parameter printout ends with 'Linear response parameters' (or, failing that, before the
first electronic step); the POTCAR titles, ions per type and k-points come before it."""


def species_from_header(header: dict) -> list[str]:
    """Chemical symbols, one per atom, from the POTCAR titles and ions per type."""
    symbols = []
    for title, n in zip(header.get("potcars", []), header.get("ions_per_type", [])):
        parts = title.split()
        element = parts[1] if len(parts) > 1 else parts[0]
        element = re.split(r"[_.]", element)[0]
        symbols.extend([element] * n)
    return symbols


#: The whole record VASP prints after each ionic step (TOTEN, a blank line, then energy without
#: entropy and energy(sigma->0) on one line), each number a complete token, each line complete.
_TOTEN = re.compile(rb"free  energy   TOTEN[ \t]*=[ \t]*" + WHOLE_B + rb"[ \t]*eV[ \t]*\r?\n\s*"
                    rb"energy  without entropy[ \t]*=[ \t]*" + WHOLE_B + rb"[ \t]+energy\(sigma->0\)[ \t]*=[ \t]*"
                    + WHOLE_B + rb"[ \t]*\r?\n")
_TOTEN_WORD = b"free  energy   TOTEN"
_ITER = re.compile(rb"Iteration\s+(\d+)\(\s*(\d+)\)")
_MAG = re.compile(rb"number of electron\s+" + _FLOAT.encode() + rb"\s+magnetization\s+(" + _FLOAT.encode() + rb")")


def _last_match(pattern: re.Pattern, data: bytes, literal: bytes, tries: int = 8, end: int | None = None,
                start: int = 0):
    """The last match of ``pattern`` (which starts with ``literal``) in ``data[start:end]``,
    found by scanning backwards."""
    end = len(data) if end is None else end
    for _ in range(tries):
        i = rfind_word(data, literal, start, end)
        if i < 0:
            return None
        m = pattern.match(data, i)
        if m:
            return m
        end = i
    return None


def _against_oszicar(oszicar: str, n_ionic: int | None, free: float, finished: bool):
    """Flags and messages from comparing an OUTCAR's last step with the OSZICAR beside it:
    the same run writes both, so the last whole ionic-step line must have the same step number
    and the same F (OSZICAR prints 8 significant digits)."""
    try:
        data, _ = read_tail(oszicar, marker=b" F=", block=4096)
    except OSError:
        return [], []
    # only the last ionic-step line is parsed (the tail may hold many electronic steps)
    at = data.rfind(b" F=")
    if at < 0 or n_ionic is None:
        return [], []
    start = data.rfind(b"\n", 0, at) + 1
    stop = data.find(b"\n", at)
    last = _OSZ_FINAL.match(data[start: stop + 1].decode("ascii", "replace")) if stop >= 0 else None
    if last is None:
        return [], []
    step, f_text = int(last.group(1)), last.group(2)
    if step > n_ionic and finished:
        return ["inconsistent"], [f"{oszicar}: OSZICAR's last ionic step is {step}, the OUTCAR's last "
                                  f"readable one {n_ionic}: the OUTCAR's final step is damaged"]
    if step == n_ionic and abs(_f(f_text) - free) > 0.6 * unit_in_last_place(f_text) + 1e-8:
        return ["inconsistent"], [f"{oszicar}: F = {f_text} of ionic step {step} differs from the OUTCAR's "
                                  f"TOTEN {free} (a damaged digit in one of them?)"]
    return [], []


def _toten_records(tail: bytes, tries: int = 8) -> list[tuple[int, re.Match | None]]:
    """The last TOTEN records of an OUTCAR tail, last first, up to the first one read whole:
    ``[(position, match or None), ...]`` (an empty list when there is none)."""
    out: list[tuple[int, re.Match | None]] = []
    end = len(tail)
    for _ in range(tries):
        i = rfind_word(tail, _TOTEN_WORD, 0, end)
        if i < 0:
            break
        m = _TOTEN.match(tail, i)
        out.append((i, m))
        if m:
            break
        end = i
    return out


def _step_of(tail: bytes, position: int) -> int | None:
    """The ionic step (``Iteration N(``) that a record at ``position`` closes (None if the tail
    does not reach back to its electronic steps)."""
    m = _last_match(_ITER, tail, b"Iteration", end=position)
    return int(m.group(1)) if m else None


def _beside(folder: str, *names: str) -> str | None:
    """Path of the first of ``names`` that is a file in ``folder`` (one stat each), or None."""
    for name in names:
        path = os.path.join(folder, name)
        if os.path.isfile(path):
            return path
    return None


def selective_dynamics(folder: str | Path, n_atoms: int) -> np.ndarray | None:
    """Free degrees of freedom (n_atoms, 3), True = free, from the selective-dynamics flags of the
    run's CONTCAR (else POSCAR); None when neither file has them (every atom free) or they do
    not describe ``n_atoms`` atoms. Only the few lines before the coordinates are parsed."""
    for name in ("CONTCAR", "POSCAR"):
        path = os.path.join(os.fspath(folder), name)
        if not os.path.isfile(path) or not os.path.getsize(path):
            continue
        try:
            with open(path, "rb") as handle:
                lines = handle.read(200 + 120 * (n_atoms + 10)).decode("utf-8", "replace").splitlines()
        except OSError:
            continue
        return _selective_flags(lines, n_atoms)
    return None


def _selective_flags(lines: list[str], n_atoms: int) -> np.ndarray | None:
    # POSCAR: comment, scale, 3 lattice lines, [symbols (VASP 5)], counts, [Selective], Direct/Cartesian
    if len(lines) < 8:
        return None
    counts = 5 if lines[5].split()[:1] and lines[5].split()[0].isdigit() else 6
    if counts + 1 >= len(lines) or lines[counts + 1].strip()[:1].lower() != "s":
        return None
    rows = lines[counts + 3: counts + 3 + n_atoms]
    if len(rows) != n_atoms:
        return None
    out = np.ones((n_atoms, 3), dtype=bool)
    for k, row in enumerate(rows):
        words = row.split()
        if len(words) < 6:
            return None
        out[k] = [w.upper().startswith("T") for w in words[3:6]]
    return out


def _vasprun_selective(head: bytes, n_atoms: int) -> np.ndarray | None:
    """The ``selective`` flags of a vasprun.xml's initial structure (in the file's head)."""
    at = head.find(b'<varray name="selective"')
    if at < 0:
        return None
    end = head.find(b"</varray>", at)
    if end < 0:
        return None
    rows = re.findall(rb"<v[^>]*>([^<]*)</v>", head[at:end])
    if len(rows) != n_atoms:
        return None
    return np.array([[w.upper().startswith(b"T") for w in r.split()[:3]] for r in rows], dtype=bool)


def free_force_and_constraint(forces: np.ndarray, free: np.ndarray | None, cell=None):
    """(largest force on the free degrees of freedom in eV/Å, ASE constraint list or None).

    Selective-dynamics flags fix fractional coordinates: an atom free along some lattice vectors
    only feels the projection of its force on the plane or line they span (``cell``: rows are
    the lattice vectors in Å; without it the flags are taken along x, y, z)."""
    if free is None or free.shape != forces.shape:
        return float(np.sqrt((forces ** 2).sum(axis=1)).max()), None
    masked = np.where(free, forces, 0.0)
    partial = np.flatnonzero(free.any(axis=1) & ~free.all(axis=1))
    if cell is not None and partial.size:
        lattice = np.asarray(cell, dtype=float)
        for k in partial:
            q, _ = np.linalg.qr(lattice[free[k]].T)  # orthonormal basis of the free directions
            masked[k] = q @ (q.T @ forces[k])
    largest = float(np.sqrt((masked ** 2).sum(axis=1)).max()) if free.any() else 0.0
    from ase.constraints import FixAtoms, FixScaled

    fixed = np.flatnonzero(~free.any(axis=1))
    constraints = [FixAtoms(indices=fixed)] if fixed.size else []
    for k in partial:
        constraints.append(FixScaled(int(k), ~free[k]))
    return largest, constraints or None


@guarded("vasp", "vasp-outcar")
def read_outcar(path: str | Path, folder: str | Path | None = None, *, with_atoms: bool = True,
                hash_files: bool = True) -> RunRecord:
    """Final-state data of a VASP run from its OUTCAR (head + tail only).

    ``folder`` (default: the file's folder) supplies INCAR, KPOINTS and POTCAR titles when present.
    """
    path = os.fspath(path)
    folder = os.fspath(folder) if folder else (os.path.dirname(path) or ".")
    flags: list[str] = []
    messages: list[str] = []
    # the tail must hold the last completed step (its TOTEN) from its last electronic step on:
    # its eigenvalue printout alone can be hundreds of kB between that step's last 'Iteration'
    # and its TOTEN (last_iteration: where the tail's growth found it, or -1)
    head, tail, whole, last_iteration = read_ends(path, _HEAD_END, b"free  energy   TOTEN",
                                                  head_max=HEADER_BYTES * 8, then=b"Iteration")
    if not head:
        return RunRecord(folder, "vasp", "vasp-outcar", None, flags=("empty",),
                         files=file_infos([path], hash_files), messages=(f"{path} is empty",))
    header = outcar_header(head)
    # both markers sit near the end of the file, in text: plain backward searches
    finished = tail.rfind(b"General timing and accounting") >= 0
    energy = free = None
    # the last completed ionic step ends with its TOTEN record: its electronic steps, moment,
    # forces and lattice come before it (what follows is a step cut short, or a vibration
    # analysis). A record is read whole (TOTEN, energy without entropy, energy(sigma->0), each a
    # complete number, the lines complete) or it is unreadable: then the run is flagged and the
    # step whose energy is kept instead is named.
    step_end = len(tail)
    records = _toten_records(tail)
    rec = next((r for r in records if r[1] is not None), None)
    kept_step = None
    if records and records[0][1] is None:
        flags.append("final_step_unreadable")
        damaged_step = _step_of(tail, records[0][0])
        if rec:
            kept_step = _step_of(tail, rec[0])
            if kept_step is None and damaged_step is not None:
                kept_step = damaged_step - (len(records) - 1)
        kept = (f"kept the energy of the step before it (ionic step {kept_step if kept_step else '?'})"
                if rec else "no energy kept")
        messages.append(f"{path}: the last 'free  energy   TOTEN' record (ionic step "
                        f"{damaged_step or '?'}) is damaged or cut: {kept}")
    if rec:
        step_end, m = rec[0], rec[1]
        free, without, energy = (_f(m.group(k).decode()) for k in (1, 2, 3))
        ulp = unit_in_last_place(m.group(3))  # VASP prints the three alike
        if not smearing_consistent(free, without, energy, _int(header.get("ISMEAR")), ulp):
            flags.append("inconsistent")
            messages.append(f"{path}: TOTEN {free}, energy without entropy {without} and energy(sigma->0) "
                            f"{energy} of the last ionic step disagree (a damaged digit?)")
    if rec is not None and rec is not records[0]:
        last_iteration = -1  # found for the damaged record, after the kept one
    m = _ITER.match(tail, last_iteration) if last_iteration >= 0 else None
    m = m or _last_match(_ITER, tail, b"Iteration", end=step_end)
    n_ionic = int(m.group(1)) if m else (kept_step or tail.count(b"free  energy   TOTEN") or None)
    # electronic steps after the kept record (only the few kB after it are searched)
    last_any = _last_match(_ITER, tail, b"Iteration", start=step_end) if rec else None
    if rec and m and last_any and int(last_any.group(1)) > n_ionic and finished \
            and "final_step_unreadable" not in flags:
        # a finished run whose last ionic step has electronic steps but no readable TOTEN
        flags.append("final_step_unreadable")
        messages.append(f"{path}: ionic step {last_any.group(1)} has no readable 'free  energy   TOTEN' "
                        f"record: kept the energy of ionic step {n_ionic}")
    oszicar = _beside(folder, "OSZICAR")
    if oszicar and rec:
        flags_x, messages_x = _against_oszicar(oszicar, n_ionic, free, finished)
        flags += flags_x
        messages += messages_x
    nelm = _int(header.get("NELM"))
    electronic = None
    if m and nelm:
        electronic = int(m.group(2)) < nelm  # the last electronic step of the last ionic step
    nsw, ibrion = _int(header.get("NSW")), _int(header.get("IBRION"))
    relaxing = nsw is not None and nsw > 0 and ibrion in (1, 2, 3)
    ionic = None
    if relaxing and finished:
        ionic = tail.rfind(b"reached required accuracy") >= 0
    magmom = None
    if _int(header.get("ISPIN")) != 1 or header.get("LNONCOLLINEAR", "F").startswith("T"):
        # spin-polarised: the moment of that last electronic step
        mag = _MAG.search(tail, m.end(), step_end) if m else None
        mag = mag or _last_match(_MAG, tail, b"number of electron", end=step_end)
        magmom = _f(mag.group(1).decode()) if mag else None
    atoms, max_force = None, None
    symbols = species_from_header(header)
    block = rfind_word(tail, b"TOTAL-FORCE (eV/Angst)", 0, step_end)
    if rec and symbols and m and block < m.start():
        # the kept step has no force block of its own: the one found belongs to a step before
        block = -1
        if relaxing or (nsw or 0) > 0:
            flags.append("final_structure_unreadable")
            messages.append(f"{path}: ionic step {n_ionic} has an energy but no readable "
                            "'POSITION  TOTAL-FORCE' block")
    if block >= 0 and symbols:
        data = _force_block(tail, block, len(symbols))
        if data is None or not np.isfinite(data).all():
            data = None
            flags.append("final_structure_unreadable")
            messages.append(f"{path}: could not read the last force block whole")
        else:
            # frozen layers carry large forces in a converged run: only the free atoms count
            cell = _last_cell(tail, block) or _last_cell(head)
            max_force, constraint = free_force_and_constraint(data[:, 3:], selective_dynamics(folder, len(symbols)),
                                                              cell)
            if with_atoms:
                if cell is not None:
                    from ase import Atoms
                    from ase.data import atomic_numbers

                    numbers = [atomic_numbers[s] for s in symbols]
                    atoms = Atoms(numbers=numbers, positions=data[:, :3], cell=np.array(cell), pbc=True)
                    if constraint:
                        atoms.set_constraint(constraint)
    incar_path = _beside(folder, "INCAR")
    incar = read_incar(incar_path) if incar_path else {}
    kpoints_path = _beside(folder, "KPOINTS")
    kpoints = read_kpoints(kpoints_path) if kpoints_path else {}
    from .settings import vasp_settings

    # the run's own POTCAR titles (printed in its OUTCAR); a POTCAR file left in the folder may
    # have been replaced since, and reading it costs more than the whole OUTCAR head
    titles = header.get("potcars") or []
    potcar_path = None if titles else _beside(folder, *POTCAR_LISTS)
    if potcar_path:
        titles = potcar_titles(folder)
    settings = vasp_settings(incar, header, titles, kpoints)
    if not finished:
        messages.append(f"{path}: no 'General timing and accounting' block: the run did not finish")
    if energy is None:
        messages.append(f"{path}: no completed ionic step (no 'free  energy   TOTEN')")
    if electronic is False:
        messages.append(f"{path}: last ionic step used NELM = {nelm} electronic steps")
    if ionic is False:
        messages.append(f"{path}: relaxation ended without 'reached required accuracy'")
    flags = with_flags(flags, energy, finished, electronic, ionic)
    return RunRecord(
        path=folder, code="vasp", reader="vasp-outcar", energy=energy,
        energy_kind="energy(sigma->0)", free_energy=free, atoms=atoms, max_force=max_force,
        magmom=magmom, n_ionic=n_ionic, electronic_converged=electronic, ionic_converged=ionic,
        finished=finished, version=header.get("version", ""), settings=settings,
        flags=tuple(flags),
        files=file_infos([path, incar_path, kpoints_path, potcar_path], hash_files),
        messages=tuple(messages),
    )


def _force_block(tail: bytes, block: int, n_atoms: int):
    """Positions and forces (n_atoms x 6) of the 'POSITION  TOTAL-FORCE' block at ``block``."""
    lines = tail[block:].split(b"\n", n_atoms + 2)[2: 2 + n_atoms]
    if len(lines) != n_atoms:
        return None
    try:
        data = np.array(b" ".join(lines).split(), dtype=float)
        if data.size == 6 * n_atoms:
            return data.reshape(n_atoms, 6)
        data = np.array([[float(x) for x in ln.split()[:6]] for ln in lines])
    except ValueError:
        return None
    return data if data.shape == (n_atoms, 6) else None


def _int(value) -> int | None:
    try:
        return int(str(value).rstrip(";"))
    except (TypeError, ValueError):
        return None


def _last_cell(text: bytes, end: int | None = None):
    """The last 'direct lattice vectors' block of an OUTCAR piece before ``end`` (Å), or None."""
    i = rfind_word(text, b"direct lattice vectors", 0, end)
    if i < 0:
        return None
    lines = text[i:].split(b"\n", 4)[1:4]
    try:
        cell = [[float(x) for x in ln.split()[:3]] for ln in lines]
    except ValueError:
        return None
    return cell if len(cell) == 3 and all(len(r) == 3 for r in cell) else None


# ---------------------------------------------------------------------- vibrations
_MODE = re.compile(r"^\s*\d+\s+f(/i)?\s*=.*?(" + _FLOAT + r")\s+cm-1", re.M)


def outcar_frequencies(path: str | Path) -> list[float]:
    """Frequencies (cm⁻¹) of an IBRION=5/6/7/8 OUTCAR; imaginary modes (f/i) as negative numbers.

    The first 'Eigenvectors and eigenvalues of the dynamical matrix' block is used (later
    blocks repeat it after division by sqrt(mass)).
    """
    text = read_all(path).decode("utf-8", "replace")
    start = text.find("Eigenvectors and eigenvalues of the dynamical matrix")
    if start < 0:
        return []
    end = text.find("Eigenvectors after division by SQRT(mass)", start)
    block = text[start: end if end > 0 else None]
    return [(-1.0 if m.group(1) else 1.0) * float(m.group(2)) for m in _MODE.finditer(block)]


# ---------------------------------------------------------------------- vasprun.xml
@guarded("vasp", "vasp-xml")
def read_vasprun(path: str | Path, folder: str | Path | None = None, *, with_atoms: bool = True,
                 hash_files: bool = True) -> RunRecord:
    """Final-state data from vasprun.xml: head (parameters, atoms) and the last ``<calculation>``.

    The energy is e_0_energy with pymatgen's fix for the VASP 5.4.4 bug (e_fr_energy of the
    ionic step plus e_0 - e_fr of its last electronic step). A file without ``</modeling>`` is
    truncated; its last complete calculation, if any, is still reported, flagged.
    """

    path = Path(path)
    folder = Path(folder) if folder else path.parent
    if path.stat().st_size == 0:
        return RunRecord(str(folder), "vasp", "vasp-xml", None, flags=("empty",),
                         files=file_infos([path], hash_files), messages=(f"{path} is empty",))
    size = path.stat().st_size
    raw = text = None
    if size <= WHOLE_XML_MAX or is_gzip(path):
        # the last <calculation> (eigenvalues, DOS, projections) is most of a vasprun.xml and
        # counting the ionic steps reads the rest: read the file once (decompress it once),
        # and digest those same bytes
        raw = path.read_bytes()
        text = gunzip(raw, path) if raw[:2] == b"\x1f\x8b" else raw
        head, tail, whole = text[:HEADER_BYTES], text, True
    else:  # a very long run (MD): the tail from its last <calculation>, the steps counted in blocks
        head = read_head(path, HEADER_BYTES)
        tail, whole = read_tail(path, marker=b"<calculation>")
    offset = 0 if whole else size - len(tail)  # of the tail in the file
    end_text = tail[-256:].rstrip() or tail.rstrip()  # (a 3 MB tail is not copied to strip it)
    complete = end_text.endswith(b"</modeling>")
    messages: list[str] = []
    flags: list[str] = [] if complete else ["truncated"]
    if not complete:
        messages.append(f"{path}: no closing </modeling>: the file is truncated")
    version = ""
    m = re.search(rb'<i name="version" type="string">\s*([^<]+)</i>', head)
    if m:
        version = "vasp." + m.group(1).decode().strip()
    params = _piece(head, b"parameters")
    incar_xml = _piece(head, b"incar")
    atominfo = _piece(head, b"atominfo")
    incar: dict[str, str] = {}
    for section in (incar_xml,):
        if section is not None:
            for it in section.iter("i"):
                incar[it.get("name", "").upper()] = (it.text or "").strip()
    header: dict = {}
    if params is not None:
        for it in params.iter("i"):
            name = it.get("name", "").upper()
            header.setdefault(name, (it.text or "").strip())
        for vec in params.iter("v"):
            name = vec.get("name", "").upper()
            header.setdefault(name, [float(x) for x in (vec.text or "").split()])
    symbols, potcars = [], []
    if atominfo is not None:
        for arr in atominfo.iter("array"):
            if arr.get("name") == "atoms":
                symbols = [rc.findall("c")[0].text.strip() for rc in arr.iter("rc")]
            if arr.get("name") == "atomtypes":
                potcars = [rc.findall("c")[-1].text.strip() for rc in arr.iter("rc")]
    # only the <generation> of the k-points (their list can be most of the head)
    kpoints = {}
    k0 = head.find(b"<kpoints")
    k1 = head.find(b"</kpoints>", k0) if k0 >= 0 else -1
    gen = _piece(head, b"generation", k0, k1) if k1 >= 0 else None
    if gen is not None:
        div = gen.find("v[@name='divisions']")
        mesh = [int(x) for x in (div.text or "").split()] if div is not None else None
        kpoints = {"mode": gen.get("param", "").lower(), "mesh": mesh}
    header["potcars"] = potcars
    # words are found through a rare letter of theirs (chefe.io.scan): a plain search crawls
    # over the number blocks (DOS, eigenvalues) that make up most of a calculation
    # anchored on its 'u', a letter the eigenvalue, DOS and projection blocks (most of the last
    # calculation) never hold: memrchr crosses them at memory speed
    calc_start = rfind_word(tail, b"<calculation>", anchor=_CALC_ANCHOR, tries=64)
    n_before = text.count(b"<calculation>", 0, calc_start) if text is not None and calc_start >= 0 else None
    energy = free = magmom = None
    atoms = max_force = None
    # the ionic steps: those before the last one (the tail starts just before it) plus it
    if calc_start < 0:
        n_ionic = 0
    elif n_before is not None:
        n_ionic = 1 + n_before
    else:
        n_ionic = 1 + _count(path, b"<calculation>", offset + calc_start)
    electronic = None
    calc_done = False
    if calc_start >= 0:
        # a calculation's closing tag is the last one after its opening tag
        end = rfind_word(tail, b"</calculation>")
        calc_done = end > calc_start
        if not calc_done:
            # the last calculation is incomplete: fall back to the one before, if in the tail
            prev = rfind_word(tail, b"<calculation>", 0, calc_start)
            if prev >= 0:
                calc_start, end = prev, rfind_word(tail, b"</calculation>", prev, calc_start)
                calc_done = end > prev
            n_ionic -= 1
            if complete:  # a whole file whose last calculation has no end: damaged, not cut
                flags.append("final_step_unreadable")
            kept = f"kept the energy of ionic step {n_ionic}" if calc_done else "no energy kept"
            messages.append(f"{path}: the last <calculation> (ionic step {n_ionic + 1}) is incomplete: {kept}")
        if calc_done:
            # Parse only the pieces needed: the electronic steps, structure, forces and energy
            # come before the eigenvalues (and the DOS, often most of the file)
            core_end = find_word(tail, b"<eigenvalues", calc_start, end)
            if core_end < 0 or rfind_word(tail, b"</energy>", calc_start, core_end) < 0:
                core_end = end
            calc = tail[calc_start: core_end]
            n_scsteps = count_word(calc, b"<scstep>")
            last_sc = rfind_word(calc, b"<scstep>")
            after = rfind_word(calc, b"</scstep>")
            after = after + len(b"</scstep>") if after >= 0 else 0
            last_step = _piece(calc, b"scstep", last_sc) if last_sc >= 0 else None
            energy_el = _piece(calc, b"energy", after)
            energy, free, problem = _final_energy(energy_el, last_step, _int(header.get("ISMEAR") or incar.get("ISMEAR")),
                                                   n_scsteps)
            if problem:
                flags.append(problem[0])
                messages.append(f"{path}: ionic step {n_ionic}: {problem[1]}")
            nelm = _int(header.get("NELM") or incar.get("NELM") or 60)
            if n_scsteps and nelm:
                electronic = n_scsteps < nelm
            forces_start = calc.find(b'<varray name="forces"', after)
            forces = _varray_bytes(calc, forces_start) if forces_start >= 0 else None
            movable = _vasprun_selective(head, len(symbols)) if symbols else None
            constraint = None
            magmom = _dos_magnetisation(tail, calc_start, end)
            structure = _piece(calc, b"structure", after)
            basis = _varray(structure.find("crystal"), "basis") if structure is not None else None
            if forces is not None and len(forces):
                lattice = basis if basis is not None and basis.shape == (3, 3) else None
                max_force, constraint = free_force_and_constraint(forces, movable, lattice)
            positions = _varray(structure, "positions") if structure is not None else None
            whole_structure = basis is not None and positions is not None and basis.shape == (3, 3) \
                and (not symbols or positions.shape == (len(symbols), 3)) and np.isfinite(positions).all()
            if energy is not None and not whole_structure:
                flags.append("final_structure_unreadable")
                messages.append(f"{path}: ionic step {n_ionic} has an energy but no readable final <structure>")
            if with_atoms and whole_structure and symbols:
                from ase import Atoms

                atoms = Atoms(symbols, scaled_positions=positions, cell=basis, pbc=True)
                if movable is not None and movable.shape == (len(symbols), 3):
                    atoms.set_constraint(free_force_and_constraint(np.zeros((len(symbols), 3)), movable)[1])
    nsw, ibrion = _int(header.get("NSW")), _int(header.get("IBRION"))
    relaxing = nsw is not None and nsw > 0 and ibrion in (1, 2, 3)
    ionic = None
    if relaxing and complete and nsw is not None:
        ionic = n_ionic < nsw if n_ionic else None
    if energy is None:
        messages.append(f"{path}: no complete <calculation> with an energy")
    from .settings import vasp_settings

    incar_path = folder / "INCAR"
    incar_file = read_incar(incar_path) if incar_path.is_file() else {}
    # the run's own POTCAR titles (atominfo) first; a POTCAR file only when the XML lacks them
    potcar_path = None
    if not potcars:
        potcars = potcar_titles(folder)
        potcar_path = potcar_file(folder)
    ldau = str(incar.get("LDAU", header.get("LDAU", ""))).upper().startswith(("T", ".T"))
    settings = vasp_settings({**incar, **incar_file}, {**header, "LDAU": ldau}, potcars, kpoints)
    flags = with_flags(flags, energy, complete, electronic, ionic)
    return RunRecord(
        path=str(folder), code="vasp", reader="vasp-xml", energy=energy,
        energy_kind="energy(sigma->0)", free_energy=free, atoms=atoms, max_force=max_force,
        magmom=magmom, n_ionic=n_ionic or None, electronic_converged=electronic,
        ionic_converged=ionic, finished=complete, version=version, settings=settings,
        flags=tuple(flags),
        files=file_infos([path, incar_path, potcar_path], hash_files, {os.fspath(path): raw}),
        messages=tuple(messages),
    )


def _xml_number(element, name: str):
    """The ``<i name=...>`` value of ``element`` as a float: None when absent, NaN when it is
    not one whole, finite number (``********``, ``NaN``, ``-1e999``, ``-10.8x17``)."""
    if element is None:
        return None
    for item in element.findall("i"):
        if item.get("name") == name:
            text = (item.text or "").strip()
            if not _WHOLE_XML.fullmatch(text):
                return math.nan
            value = _f(text)
            return value if math.isfinite(value) else math.nan
    return None


_WHOLE_XML = re.compile(FLOAT)


def _final_energy(energy_el, last_step, ismear: int | None, n_scsteps: int = 0):
    """``(energy, free, problem)`` of a calculation from its ``<energy>`` block and its last
    ``<scstep>``; ``problem`` is None or ``(flag, message)``.

    The energy is e_fr_energy of the step plus e_0 - e_fr of its last electronic step
    (pymatgen's fix for the e_0_energy that VASP 5.x prints in the block: its entropy term).
    Redundancy used: the block's e_fr_energy is the last electronic step's, whose e_0 follows
    from its e_fr and e_wo_entrp (:func:`chefe.io.numbers.smearing_consistent`).
    """
    free = _xml_number(energy_el, "e_fr_energy")
    block_e0 = _xml_number(energy_el, "e_0_energy")
    sc = last_step.find("energy") if last_step is not None else None
    sc_fr, sc_wo, sc_e0 = (_xml_number(sc, k) for k in ("e_fr_energy", "e_wo_entrp", "e_0_energy"))
    values = [v for v in (free, block_e0, sc_fr, sc_wo, sc_e0) if v is not None]
    if any(math.isnan(v) for v in values):
        return None, None, ("bad_number", "a final energy value is not one whole, finite number; no energy stored")
    if free is None:
        if energy_el is None:
            return None, None, None
        return None, None, ("final_step_unreadable", "the <energy> block has no e_fr_energy; no energy stored")
    if sc_fr is None or sc_e0 is None:
        if block_e0 is None:
            return None, free, ("final_step_unreadable", "no e_0_energy in the <energy> block or its last electronic step")
        if abs(block_e0 - free) > OSZ_MAX_F_E0:  # VASP 5.x prints the entropy term there, not E0
            return None, free, ("final_step_unreadable", "the last electronic step is unreadable and the "
                                "<energy> block's e_0_energy is VASP 5's entropy term; no energy stored")
        if n_scsteps:
            return block_e0, free, ("final_step_unreadable", "the last electronic step is unreadable: "
                                    "e_0_energy of the <energy> block kept")
        return block_e0, free, None  # no electronic steps printed (some builds): the block's own
    energy = round(sc_e0 - sc_fr + free, 8)
    if abs(sc_fr - free) > 2.5e-8 * max(1.0, abs(free)):
        return energy, free, ("inconsistent", f"e_fr_energy {free} of the <energy> block differs from {sc_fr} "
                                              "of the last electronic step (a damaged digit?)")
    if sc_wo is not None and not smearing_consistent(sc_fr, sc_wo, sc_e0, ismear, 1e-8):
        return energy, free, ("inconsistent", f"e_fr_energy {sc_fr}, e_wo_entrp {sc_wo} and e_0_energy {sc_e0} "
                                              "of the last electronic step disagree (a damaged digit?)")
    return energy, free, None


def _dos_magnetisation(calc: bytes, lo: int = 0, hi: int | None = None) -> float | None:
    """Total moment (μB) of a spin-polarised run: N↑ − N↓ of the integrated total DOS at the
    Fermi level (vasprun.xml prints no magnetisation). Exact when E_F lies in a gap; for a metal
    it is limited by the DOS grid (NEDOS). None for ISPIN = 1 or without a DOS.

    ``calc[lo:hi]`` is the calculation (searched in place, not copied).
    """
    start = find_word(calc, b"<dos>", lo, hi)
    if start < 0:
        return None
    m = re.search(rb'<i name="efermi">\s*(\S+)\s*</i>', calc[start: start + 400])
    total_end = find_word(calc, b"</total>", start)
    if m is None or total_end < 0:
        return None
    blocks, i = [], find_word(calc, b'<set comment="spin ', start, total_end)
    while i >= 0:
        body = calc.find(b">", i, total_end) + 1
        j = find_word(calc, b"</set>", body, total_end) if body else -1
        if j < 0:
            break
        blocks.append(calc[body:j])
        i = find_word(calc, b'<set comment="spin ', j, total_end)
    if len(blocks) != 2:
        return None
    e_fermi = float(m.group(1))
    counts = []
    for block in blocks:
        rows = np.array(block.replace(b"</r>", b" ").replace(b"<r>", b" ").split(), dtype=float)
        rows = rows.reshape(-1, 3)
        counts.append(float(np.interp(e_fermi, rows[:, 0], rows[:, 2])))
    return counts[0] - counts[1]


#: vasprun.xml files up to this size (bytes) are read whole, once; larger ones by their tail.
WHOLE_XML_MAX = 512 * 2**20


#: The letter of ``<calculation>`` searched for (see :func:`chefe.io.scan.rfind_word`).
_CALC_ANCHOR = b"<calculation>".index(b"u")


def _count(path: Path, needle: bytes, end: int | None = None) -> int:
    """Occurrences of ``needle`` (a word that cannot overlap itself) in the first ``end`` bytes
    of a file (all when None).

    Read in 1 MiB blocks: no mmap, whose pages fault (SIGBUS) if a job truncates the file
    meanwhile, as VASP does to vasprun.xml when a run restarts in its folder.
    """
    from .tail import is_gzip

    if is_gzip(path):
        return read_all(path).count(needle, 0, end)
    count, carry, pos = 0, b"", 0
    with open(path, "rb", buffering=0) as handle:
        while end is None or pos < end:
            want = 2**20 if end is None else min(2**20, end - pos)
            block = handle.read(want)
            if not block:
                break
            data = carry + block
            count += data.count(needle)
            carry = data[len(data) - len(needle) + 1:] if len(needle) > 1 else b""
            pos += len(block)
    return count


def _piece(data: bytes, tag: bytes, start: int = 0, stop: int | None = None):
    """Parse the first ``<tag ...>...</tag>`` in ``data[start:stop]`` (None when absent/broken)."""
    import xml.etree.ElementTree as ET

    stop = len(data) if stop is None else stop
    match = re.compile(rb"<" + re.escape(tag) + rb"[\s>]").search(data, start, stop)
    if match is None:
        return None
    end = data.find(b"</" + tag + b">", match.start(), stop)
    if end < 0:
        return None
    try:
        return ET.fromstring(data[match.start(): end + len(tag) + 3])
    except ET.ParseError:
        return None


def _varray_bytes(data: bytes, start: int):
    end = data.find(b"</varray>", start)
    if end < 0:
        return None
    rows = re.findall(rb"<v>([^<]*)</v>", data[start:end])
    try:
        return np.array([[float(x) for x in r.split()] for r in rows])
    except ValueError:
        return None


def _varray(element, name: str):
    if element is None:
        return None
    for arr in element.findall("varray"):
        if arr.get("name") == name:
            try:
                rows = [[float(x) for x in (v.text or "").split()] for v in arr.findall("v")]
                return np.array(rows, dtype=float) if len({len(r) for r in rows}) == 1 else None
            except ValueError:
                return None
    return None


# ---------------------------------------------------------------------- OSZICAR (+ CONTCAR)
_W = WHOLE_B.decode()
#: A complete ionic-step line: ``  N F= <F> E0= <E0>  d E =<dE>  [mag= <m> [<m> <m>]]`` and its newline.
_OSZ_FINAL = re.compile(r"^[ \t]*(\d+)[ \t]+F=[ \t]*" + _W + r"[ \t]+E0=[ \t]*" + _W + r"[ \t]+d E[ \t]*=[ \t]*"
                        + _W + r"(?:[ \t]+mag=[ \t]*" + _W + r"(?:[ \t]+" + _W + r"){0,2})?[ \t]*\r?\n", re.M)
#: The start of an ionic-step line, whole or not.
_OSZ_F_START = re.compile(r"^[ \t]*\d+[ \t]+F=", re.M)
_OSZ_STEP = re.compile(r"^(?:DAV|RMM|CG|DIA|RMM-DIIS):\s*(\d+)", re.M)
#: The column header VASP prints at the start of each ionic step's electronic steps.
_OSZ_HEADER = re.compile(r"^[ \t]+N[ \t]+E[ \t]+dE[ \t]", re.M)
#: Largest |F - E0| of one ionic step (eV) taken as real: T·S/(N+2) of large metallic cells
#: stays below 1-2 eV; beyond this a digit of F or E0 is damaged.
OSZ_MAX_F_E0 = 5.0


def _oszicar_final(text: str, path) -> tuple[tuple | None, list[str], list[str]]:
    """The last whole ionic-step line of an OSZICAR text as ``(step, F, E0, mag, end)``, with
    the flags and messages its end earns (a damaged last line, electronic steps after it, a
    cut last line)."""
    flags: list[str] = []
    messages: list[str] = []
    finals = list(_OSZ_FINAL.finditer(text))
    last = finals[-1] if finals else None
    starts = list(_OSZ_F_START.finditer(text))
    if starts and (last is None or starts[-1].start() > last.start()):
        flags.append("final_step_unreadable")
        kept = f"kept the energy of ionic step {last.group(1)}" if last else "no energy kept"
        messages.append(f"{path}: the last ionic-step line ('N F= ... E0= ...') is damaged or cut: {kept}")
    if text and not text.endswith("\n") and (starts or _OSZ_STEP.search(text)):
        flags.append("truncated")
        messages.append(f"{path}: the file ends inside a line (cut while written?)")
    end = starts[-1].end() if starts else 0
    after = text[max(end, last.end() if last else 0):]
    if last is not None and (_OSZ_STEP.search(after) or _OSZ_HEADER.search(after)) \
            and "final_step_unreadable" not in flags:
        flags.append("unfinished")
        messages.append(f"{path}: electronic steps follow the last ionic step {last.group(1)}: the run "
                        f"stopped inside ionic step {int(last.group(1)) + 1}; kept the energy of step {last.group(1)}")
    if last is None:
        return None, flags, messages
    step, f_value, e0, _d_e, mag = last.group(1, 2, 3, 4, 5)
    free, energy = _f(f_value), _f(e0)
    if abs(free - energy) > OSZ_MAX_F_E0:
        flags.append("inconsistent")
        messages.append(f"{path}: F = {f_value} and E0 = {e0} of ionic step {step} differ by "
                        f"{abs(free - energy):.3g} eV (a damaged digit?)")
    return (int(step), free, energy, _f(mag) if mag else None, last.end()), flags, messages


@guarded("vasp", "vasp-oszicar")
def read_oszicar(path: str | Path, folder: str | Path | None = None, *, with_atoms: bool = True,
                 hash_files: bool = True) -> RunRecord:
    """Energy (E0 = energy(sigma->0), 8 significant digits) from OSZICAR; structure from CONTCAR.

    For published data releases that keep only OSZICAR and CONTCAR. Without OUTCAR the run's
    completion cannot be proven, so ``finished`` is None; NELM comes from INCAR when present.
    An OSZICAR that ends inside an ionic step is ``unfinished``; one whose last ionic-step line
    is cut or damaged is ``final_step_unreadable`` (the energy of the step before is kept).
    """
    path = Path(path)
    folder = Path(folder) if folder else path.parent
    raw = read_all(path) if path.stat().st_size else b""
    text = raw.decode("utf-8", "replace")
    messages: list[str] = []
    flags: list[str] = []
    if b"\x00" in raw:
        flags.append("unreadable")
        messages.append(f"{path}: NUL bytes or a binary block inside the file")
    final, more_flags, more_messages = _oszicar_final(text, path)
    flags += more_flags
    messages += more_messages
    if final is None and not _OSZ_STEP.search(text):
        flags.append("empty")
        messages.append(f"{path} holds no electronic or ionic step")
    energy = free = magmom = None
    n_ionic = None
    electronic = None
    if final is not None:
        n_ionic, free, energy, magmom, last_f = final
        # electronic steps of the last ionic step: the block before the last F= line
        block_start = text.rfind(" F=", 0, text.rfind(" F=", 0, last_f))
        steps = [int(s) for s in _OSZ_STEP.findall(text[block_start if block_start >= 0 else 0: last_f])]
        incar_path = folder / "INCAR"
        incar = read_incar(incar_path) if incar_path.is_file() else {}
        nelm = _int(incar.get("NELM"))
        if steps and nelm:
            electronic = max(steps) < nelm
        elif steps:
            # no INCAR: NELM unknown. Converged runs vary in electronic steps from one ionic step
            # to the next; every ionic step stopping at the same count means a cap was hit.
            per_ionic = [max(int(s) for s in _OSZ_STEP.findall(chunk)) for chunk in
                         re.split(r"\n\s*\d+\s+F=.*", text[:last_f]) if _OSZ_STEP.search(chunk)]
            if len(per_ionic) >= 3 and len(set(per_ionic)) == 1:
                electronic = False
                messages.append(f"{path}: every ionic step stopped at {per_ionic[0]} electronic "
                                "steps (NELM reached; no INCAR to confirm)")
            else:
                electronic = max(steps) < 60  # VASP's default NELM
    atoms = None
    contcar = folder / "CONTCAR"
    if energy is not None and contcar.is_file() and not contcar.stat().st_size:
        flags.append("final_structure_unreadable")
        messages.append(f"{contcar}: empty, although OSZICAR has a final energy (cut while written?)")
    if with_atoms and contcar.is_file() and contcar.stat().st_size:
        from ase.io import read

        try:
            atoms = read(contcar, format="vasp")
        except Exception as exc:  # noqa: BLE001 - report, never crash a sweep
            messages.append(f"{contcar}: unreadable ({type(exc).__name__}: {exc})")
            flags.append("unreadable")
    incar_path = folder / "INCAR"
    incar = read_incar(incar_path) if incar_path.is_file() else {}
    kpoints = read_kpoints(folder / "KPOINTS") if (folder / "KPOINTS").is_file() else {}
    from .settings import vasp_settings

    settings = vasp_settings(incar, {}, potcar_titles(folder), kpoints)  # the only source here
    listing = potcar_file(folder)
    nsw, ibrion = _int(incar.get("NSW")), _int(incar.get("IBRION"))
    ionic = None
    if nsw and ibrion in (1, 2, 3) and n_ionic is not None and n_ionic >= nsw:
        ionic = False
        messages.append(f"{path}: {n_ionic} ionic steps = NSW: the relaxation hit its step limit")
    if energy is not None:
        messages.append(f"{path}: OSZICAR without OUTCAR or vasprun.xml: whether the run finished "
                        "cannot be verified" + ("" if incar else ", nor its NELM (no INCAR)"))
    flags = with_flags(flags, energy, None, electronic, ionic)
    return RunRecord(
        path=str(folder), code="vasp", reader="vasp-oszicar", energy=energy,
        energy_kind="energy(sigma->0)", free_energy=free, atoms=atoms, magmom=magmom,
        n_ionic=n_ionic, electronic_converged=electronic, ionic_converged=ionic, finished=None,
        settings=settings, flags=tuple(flags),
        files=file_infos([path, contcar, incar_path, folder / "KPOINTS", listing], hash_files),
        messages=tuple(messages),
    )


def read_vasp_folder(folder: str | Path, *, with_atoms: bool = True, hash_files: bool = True) -> RunRecord:
    """The best record a VASP run folder offers: OUTCAR, else vasprun.xml, else OSZICAR+CONTCAR."""
    folder = Path(folder)
    for name, reader in (("OUTCAR", read_outcar), ("vasprun.xml", read_vasprun), ("OSZICAR", read_oszicar)):
        for candidate in (folder / name, folder / f"{name}.gz"):
            if candidate.is_file():
                return reader(candidate, folder, with_atoms=with_atoms, hash_files=hash_files)
    return RunRecord(str(folder), "vasp", "none", None, flags=("no_energy",),
                     messages=(f"{folder}: no OUTCAR, vasprun.xml or OSZICAR",))


def isfinite(x) -> bool:
    return x is not None and math.isfinite(x)

"""What a reader returns for one DFT run: energy, structure, convergence, settings, provenance."""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .numbers import energy_problem

#: Flags a run can carry; the collection report and every later table show them.
FLAGS = {
    "unreadable": "a file could not be read or parsed",
    "empty": "an output file is empty",
    "truncated": "an output file ends in the middle of a run (no closing block)",
    "unfinished": "the run did not finish (no timing block / JOB DONE)",
    "no_energy": "no final energy was found",
    "final_step_unreadable": "the record of the last step is damaged or cut: an earlier step's energy (named in the messages) or none was kept",
    "final_structure_unreadable": "the final structure or forces could not be read whole",
    "no_structure": "an energy but no final structure: kept, but the cell and composition checks against this run are skipped",
    "bad_number": "a final energy that is not a number (NaN, inf, ****) or beyond any physical total energy; not stored",
    "inconsistent": "records or files of one run disagree (TOTEN against energy(sigma->0), OUTCAR against OSZICAR, the energy block against the last electronic step)",
    "electronic_not_converged": "the last electronic loop stopped at NELM (or QE/GPAW reported no SCF convergence)",
    "ionic_not_converged": "a relaxation ended without reaching the force criterion",
    "positive_energy": "the final energy is positive: almost certainly a broken run",
    "imaginary_modes": "imaginary vibrational modes are present (for a gas molecule: among its 3N-6 (3N-5) vibrations, translations and rotations left out)",
    "rotations_not_separated": "a gas molecule's translations/rotations lie close to its smallest vibration: tighten the relaxation or the finite-difference step",
    "implausible_energy": "an adsorption energy outside the stated plausible window of that adsorbate (set where the references are known: fed and screen --db)",
}


#: Provenance digests ``collect`` can store per file: BLAKE3 (default: cryptographic and about as
#: fast as reading the bytes), XXH3-128 (not cryptographic: tells a changed or damaged file, not a
#: forged one; several times faster than BLAKE3), SHA-256 (slower, for tools that expect it) or
#: none (size and modification time only).
DIGESTS = ("blake3", "xxh3", "sha256", "none")
DEFAULT_DIGEST = "blake3"
_CHUNK = 1 << 20


def digest_name(digest: bool | str | None) -> str:
    """The digest a reader's ``hash_files`` argument asks for: True -> the default, False/None -> "none"."""
    if digest is True:
        return DEFAULT_DIGEST
    if not digest:
        return "none"
    name = str(digest).lower()
    if name not in DIGESTS:
        from ..errors import InputError

        raise InputError(f"digest {digest!r}: choose one of {', '.join(DIGESTS)}")
    return name


def file_digest(path: str | Path, digest: bool | str = True, data: bytes | None = None) -> str:
    """``"blake3:<hex>"``, ``"xxh3:<hex>"`` (XXH3-128) or ``"sha256:<hex>"`` of a file's bytes as stored (a gzip file's
    compressed bytes), ``""`` for no digest; ``data``: those bytes when already in memory."""
    name = digest_name(digest)
    if name == "none":
        return ""
    if name == "blake3":
        from blake3 import blake3

        h = blake3(max_threads=1)
    elif name == "xxh3":
        import xxhash

        h = xxhash.xxh3_128()
    else:
        h = hashlib.sha256()
    if data is not None:
        h.update(data)
    else:
        buffer = bytearray(_CHUNK)
        view = memoryview(buffer)
        with open(path, "rb", buffering=0) as handle:
            while n := handle.readinto(buffer):
                h.update(view[:n])
    return f"{name}:{h.hexdigest()}"


@dataclass(frozen=True, slots=True)
class FileInfo:
    """Provenance of one file read: name, size (bytes), mtime (ns) and digest
    (``"blake3:<hex>"``, ``"sha256:<hex>"``, or ``""`` when only size and mtime are recorded)."""

    path: str
    size: int
    mtime_ns: int
    digest: str

    @classmethod
    def of(cls, path: str | Path, hash_file: bool | str = True, stat_result: os.stat_result | None = None,
           data: bytes | None = None) -> FileInfo:
        """Stat and digest (:func:`file_digest`; ``hash_file`` False: none) of one file;
        ``data``: its bytes when the reader holds them already (read once, not twice)."""
        path = os.fspath(path)
        st = stat_result if stat_result is not None else os.stat(path)
        if data is not None and len(data) != st.st_size:
            # the file grew or shrank after the reader took its bytes (a job still writing): record
            # what was read, with no mtime, so that the next collect reads it again
            return cls(path, len(data), 0, file_digest(path, hash_file, data))
        return cls(path, st.st_size, st.st_mtime_ns, file_digest(path, hash_file, data))

    @property
    def sha256(self) -> str:
        """The SHA-256 hex digest, when that is the digest held ("" otherwise)."""
        return self.digest.removeprefix("sha256:") if self.digest.startswith("sha256:") else ""

    def to_dict(self) -> dict:
        out = {"path": self.path, "size": self.size, "mtime_ns": self.mtime_ns,
               "digest": self.digest or "none (size and mtime only)"}
        if self.sha256:
            out["sha256"] = self.sha256
        return out


@dataclass(frozen=True)
class RunRecord:
    """One finished (or not) DFT run as read from disk.

    Attributes:
        path: the run folder (or the single output file).
        code: ``"vasp"``, ``"qe"``, ``"gpaw"`` or ``"ase"``.
        reader: which reader produced it (``"vasp-outcar"``, ``"vasp-xml"``, ``"vasp-oszicar"``...).
        energy: final energy in eV; for VASP always energy(sigma->0); None when absent.
        energy_kind: what ``energy`` is (``"energy(sigma->0)"``, ``"total energy"``...).
        free_energy: the smearing free energy (VASP TOTEN / F), eV, if read.
        atoms: final structure (ase.Atoms) or None.
        max_force: largest atomic force of the final structure (eV/Å), constrained atoms included.
        magmom: total magnetic moment (μB) or None.
        n_ionic: number of ionic steps.
        electronic_converged, ionic_converged, finished: None when unknown / not applicable.
        version: code version string.
        settings: the settings that matter for energy differences (see :mod:`chefe.io.settings`).
        frequencies: vibrational frequencies in cm⁻¹ (imaginary ones negative), if any.
        flags: problems found (keys of :data:`FLAGS`, optionally ``name:detail``).
        files: provenance of the files read.
        messages: human-readable details behind the flags.
    """

    path: str
    code: str
    reader: str
    energy: float | None
    energy_kind: str = ""
    free_energy: float | None = None
    atoms: Any = field(default=None, compare=False, repr=False)
    max_force: float | None = None
    magmom: float | None = None
    n_ionic: int | None = None
    electronic_converged: bool | None = None
    ionic_converged: bool | None = None
    finished: bool | None = None
    version: str = ""
    settings: dict = field(default_factory=dict)
    frequencies: tuple[float, ...] | None = None
    flags: tuple[str, ...] = ()
    files: tuple[FileInfo, ...] = ()
    messages: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # whichever reader made it: NaN, inf or a number beyond any physical total energy is
        # never an energy (the record keeps the flag and the reason instead)
        e, f = self.energy, self.free_energy
        if (e is None or -1e6 < e < 1e6) and (f is None or -1e6 < f < 1e6):
            return  # the usual case, decided in two comparisons (NaN fails both)
        n_atoms = len(self.atoms) if self.atoms is not None else None
        problem = energy_problem(self.energy, n_atoms)
        free_problem = energy_problem(self.free_energy, n_atoms)
        if problem is None and free_problem is None:
            return
        flags = [f for f in self.flags if not (problem and f == "positive_energy")] + ["bad_number"]
        if problem:
            flags.append("no_energy")
            object.__setattr__(self, "energy", None)
        object.__setattr__(self, "free_energy", None)
        object.__setattr__(self, "flags", tuple(dict.fromkeys(flags)))
        why = problem or f"free energy: {free_problem}"
        object.__setattr__(self, "messages", self.messages + (f"{self.path}: {why}; not stored",))

    @property
    def ok(self) -> bool:
        """True when the run has an energy and no flag."""
        return self.energy is not None and not self.flags

    def summary(self) -> str:
        e = "no energy" if self.energy is None else f"{self.energy:.6f} eV ({self.energy_kind})"
        flags = f" [{', '.join(self.flags)}]" if self.flags else ""
        return f"{self.path}: {self.code}/{self.reader} {e}{flags}"


def with_flags(flags: list[str], energy: float | None, finished: bool | None,
               electronic: bool | None, ionic: bool | None) -> list[str]:
    """Add the standard flags implied by the parsed state (order kept, no repeats)."""
    out = list(flags)
    if energy is None and "no_energy" not in out:
        out.append("no_energy")
    if energy is not None and energy > 0:
        out.append("positive_energy")
    if finished is False:
        out.append("unfinished")
    if electronic is False:
        out.append("electronic_not_converged")
    if ionic is False:
        out.append("ionic_not_converged")
    seen: dict[str, None] = {}
    for f in out:
        seen.setdefault(f, None)
    return list(seen)


def file_infos(paths, hash_files: bool | str = True, data: dict | None = None) -> tuple[FileInfo, ...]:
    """Provenance of the existing files among ``paths`` (digest as :func:`digest_name` reads
    ``hash_files``); ``data`` maps a path to its bytes when a reader holds them already."""
    out = []
    data = data or {}
    for p in paths:
        if p is None:
            continue
        try:
            st = os.stat(p)
        except OSError:
            continue
        if stat.S_ISREG(st.st_mode):
            out.append(FileInfo.of(p, hash_files, st, data.get(os.fspath(p))))
    return tuple(out)


def guarded(code: str, reader: str):
    """Decorator for a reader ``f(path, ...) -> RunRecord``: whatever the file holds, an
    exception never escapes; it becomes a record flagged ``unreadable`` naming the file and the
    error (a broken gzip stream, a damaged XML block, an unexpected layout)."""
    import functools

    def wrap(function):
        @functools.wraps(function)
        def read(path, *args, **kwargs):
            try:
                return function(path, *args, **kwargs)
            except Exception as exc:  # noqa: BLE001 - a sweep reports and goes on
                folder = args[0] if args and args[0] is not None else kwargs.get("folder")
                where = os.fspath(folder) if folder is not None and code == "vasp" else os.fspath(path)
                return RunRecord(where, code, reader, None, flags=("unreadable", "no_energy"),
                                 files=file_infos([path], kwargs.get("hash_files", True)),
                                 messages=(f"{path}: unreadable ({type(exc).__name__}: {exc})",))
        return read
    return wrap

"""One entry point for every code: :func:`read_run` picks the reader; nothing escapes it."""

from __future__ import annotations

from pathlib import Path

from .record import RunRecord, file_infos, with_flags


def read_ase_file(path: str | Path, *, with_atoms: bool = True, hash_files: bool | str = True) -> RunRecord:
    """Last image of an ASE trajectory (or any file ``ase.io.read`` knows) with its energy."""
    from ase.io import read

    path = Path(path)
    atoms = read(path, index=-1)
    energy = None
    max_force = None
    if atoms.calc is not None and "energy" in atoms.calc.results:
        energy = float(atoms.get_potential_energy())
        if "forces" in atoms.calc.results:
            f = atoms.get_forces()
            max_force = float((f ** 2).sum(axis=1).max() ** 0.5)
    flags = with_flags([], energy, None, None, None)
    return RunRecord(str(path), "ase", "ase-io", energy, energy_kind="ASE potential energy",
                     atoms=atoms if with_atoms else None, max_force=max_force, flags=tuple(flags),
                     files=file_infos([path], hash_files))


def read_run(path: str | Path, code: str, *, with_atoms: bool = True, digest: bool | str = True) -> RunRecord:
    """Read one run; any failure becomes a record flagged ``unreadable`` naming the file.

    ``digest``: the provenance digest of every file read (:data:`chefe.io.record.DIGESTS`;
    True: BLAKE3, False or "none": size and mtime only)."""
    path = Path(path)
    try:
        if code == "vasp":
            from .vasp import read_vasp_folder

            record = read_vasp_folder(path, with_atoms=with_atoms, hash_files=digest)
        elif code == "qe":
            from .espresso import read_pw

            record = read_pw(path, with_atoms=with_atoms, hash_files=digest)
        elif code == "gpaw":
            from .gpaw import read_gpaw_text

            record = read_gpaw_text(path, with_atoms=with_atoms, hash_files=digest)
        elif code == "ase":
            record = read_ase_file(path, with_atoms=with_atoms, hash_files=digest)
        elif code == "ase-vib":
            from .vibrations import read_ase_vibrations

            record = read_ase_vibrations(path, with_atoms=with_atoms, hash_files=digest)
        else:
            raise ValueError(f"unknown code {code!r}")
    except Exception as exc:  # noqa: BLE001 - a sweep reports and goes on
        return RunRecord(str(path), code, "failed", None, flags=("unreadable",),
                         messages=(f"{path}: {type(exc).__name__}: {exc}",))
    return record

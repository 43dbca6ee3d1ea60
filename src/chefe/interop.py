"""Interoperability: CatMAP ``energies.txt`` and flat CSV out, Catalysis-Hub reaction tables in.

CatMAP wants formation energies relative to gas references, *without* thermal corrections
(its thermo module adds them), tab-separated as
``surface_name site_name species_name formation_energy bulk_structure frequencies
other_parameters reference``; gas rows use ``None`` and ``gas``.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import InputError
from .reaction import parse_step
from .species import parse_species


def _rows(db):
    from .io.store import all_rows, open_existing

    return all_rows(open_existing(db))


def _potentials(rows, references: tuple[str, ...]) -> dict[str, float]:
    """Elemental energies μ_el from the gas rows named in ``references`` (solves C μ = E)."""
    gas = {r.get("species"): r.get("e_dft") for r in rows if r.get("role") == "gas" and r.get("e_dft") is not None}
    missing = [m for m in references if m not in gas]
    if missing:
        raise InputError(f"no gas run for reference(s) {missing}; gas runs: {sorted(gas)}")
    comps = [dict(parse_species(f"{m}(g)").composition) for m in references]
    elements = sorted({el for c in comps for el in c})
    if len(elements) != len(references):
        raise InputError(f"references {references} must determine one energy per element {elements}")
    matrix = np.array([[c.get(el, 0) for el in elements] for c in comps], dtype=float)
    mu = np.linalg.solve(matrix, np.array([gas[m] for m in references]))
    return dict(zip(elements, mu))


def export_catmap(db, path: str | Path, references: tuple[str, ...] = ("H2", "H2O", "NH3")) -> int:
    """Write CatMAP's ``energies.txt`` from a collect database; returns the number of rows."""
    rows = _rows(db)
    mu = _potentials(rows, references)
    slabs = {r.get("catalyst"): r for r in rows if r.get("role") == "slab"}
    vib = {(r.get("catalyst"), r.get("species")): r.data.get("frequencies", []) for r in rows
           if r.get("role") == "vibrations"}
    lines = ["surface_name\tsite_name\tspecies_name\tformation_energy\tbulk_structure\tfrequencies\t"
             "other_parameters\treference"]
    n = 0
    for r in sorted(rows, key=lambda r: (r.get("role"), r.get("catalyst"), r.get("species"))):
        role, e = r.get("role"), r.get("e_dft")
        if e is None or role not in ("gas", "adsorbate"):
            continue
        species = r.get("species")
        label = species[1:] if species.startswith("*") else species
        comp = dict(parse_species(species if role == "adsorbate" else f"{species}(g)").composition)
        if any(el not in mu for el in comp):
            continue
        formation = e - sum(n_el * mu[el] for el, n_el in comp.items())
        if role == "adsorbate":
            slab = slabs.get(r.get("catalyst"))
            if slab is None or slab.get("e_dft") is None:
                continue
            formation -= slab.get("e_dft")
            surface, site = r.get("catalyst"), "site"
        else:
            surface, site = "None", "gas"
        freqs = [round(f, 1) for f in vib.get((r.get("catalyst") if role == "adsorbate" else "", species), []) if f > 0]
        flags = r.get("flags") or ""
        lines.append(f"{surface}\t{site}\t{label}\t{formation:.6f}\tNone\t{freqs}\t[]\t"
                     f"chefe {r.get('run_path')}{' flags=' + flags if flags else ''}")
        n += 1
    Path(path).write_text("\n".join(lines) + "\n")
    return n


def export_csv(db, path: str | Path) -> int:
    """Flat CSV of every run: key-value pairs plus the main settings; returns the row count."""
    rows = _rows(db)
    fields = ["catalyst", "species", "role", "e_dft", "e_kind", "ok", "flags", "code", "reader",
              "max_force", "n_ionic", "run_path", "functional", "ENCUT", "PREC", "ISPIN", "LDAU", "U",
              "IVDW", "LDIPOL", "IDIPOL", "LSOL", "kpoints", "potcars", "version"]
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        for r in rows:
            settings = r.data.get("settings", {})
            out = {k: r.get(k, "") for k in fields[:12]}
            out.update({k: settings.get(k, "") for k in fields[12:-1]})
            out["U"] = json.dumps(settings.get("U", {}))
            out["potcars"] = " | ".join(settings.get("potcars", []))
            out["version"] = r.data.get("version", "")
            writer.writerow(out)
    return len(rows)


# ---------------------------------------------------------------------- Catalysis-Hub
@dataclass(frozen=True)
class CathubReaction:
    """One Catalysis-Hub reaction: surface, facet, balanced equation (chefe labels), energies (eV)."""

    surface: str
    facet: str
    equation: str
    reaction_energy: float
    activation_energy: float | None


def cathub_label(name: str) -> str:
    """``NOHstar`` -> ``*NOH``, ``NOgas`` -> ``NO(g)``, ``star`` -> ``*``, ``H2Oliquid`` -> ``H2O(l)``."""
    if name == "star":
        return "*"
    for suffix, phase in (("star", None), ("gas", "g"), ("liquid", "l"), ("aq", "aq")):
        if name.endswith(suffix):
            core = name[: -len(suffix)]
            return f"*{core}" if phase is None else f"{core}({phase})"
    raise InputError(f"Catalysis-Hub species {name!r} has no star/gas/liquid suffix")


def _side(spec: str, where: str) -> str:
    try:
        data = json.loads(spec.replace("'", '"')) if isinstance(spec, str) else spec
    except json.JSONDecodeError:
        raise InputError(f"{where}: cannot read {spec!r} as a species dictionary") from None
    terms = []
    for name, coefficient in data.items():
        c = float(coefficient)
        label = cathub_label(name)
        terms.append(label if abs(c - 1) < 1e-12 else f"{c:g}{label}")
    return " + ".join(terms)


def import_cathub(path: str | Path) -> list[CathubReaction]:
    """Read a Catalysis-Hub reaction table (CSV export with reactants/products dictionaries).

    Columns used: ``surfaceComposition`` (or ``chemicalComposition``), ``facet``, ``reactants``,
    ``products``, ``reactionEnergy``, optional ``activationEnergy``. Every reaction is
    balance-checked; an unbalanced one is an error naming the row.
    """
    path = Path(path)
    out = []
    with open(path, newline="") as handle:
        for k, row in enumerate(csv.DictReader(handle), start=2):
            where = f"{path} row {k}"
            try:
                equation = f"{_side(row['reactants'], where)} -> {_side(row['products'], where)}"
                energy = float(row["reactionEnergy"])
            except KeyError as exc:
                raise InputError(f"{where}: missing column {exc}") from None
            except ValueError:
                raise InputError(f"{where}: reactionEnergy {row.get('reactionEnergy')!r} is not a number") from None
            step = parse_step(f"row {k}", equation)  # raises BalanceError naming the row
            ea = row.get("activationEnergy")
            out.append(CathubReaction(
                surface=row.get("surfaceComposition") or row.get("chemicalComposition", ""),
                facet=row.get("facet", ""), equation=step.equation, reaction_energy=energy,
                activation_energy=float(ea) if ea not in (None, "", "None") else None))
    return out


def adsorption_energies(reactions: list[CathubReaction]) -> dict[tuple[str, str], dict[str, float]]:
    """``{(surface, facet): {"*X": ΔE}}`` for reactions ``gas refs + * -> *X`` (one adsorbate)."""
    out: dict[tuple[str, str], dict[str, float]] = {}
    for r in reactions:
        step = parse_step("r", r.equation)
        ads = [s.name for s, _ in step.products if s.phase == "ads"]
        if len(ads) == 1 and all(s.is_reservoir or s.phase == "site" for s, _ in step.reactants):
            out.setdefault((r.surface, r.facet), {})[ads[0]] = r.reaction_energy
    return out


__all__ = ["CathubReaction", "adsorption_energies", "cathub_label", "export_catmap", "export_csv",
           "import_cathub"]

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
        have = sorted(gas)
        hint = (f"; name the references you have, one per element of the adsorbates (--references "
                f"{','.join(have)})" if have else "; collect the gas reference runs (gas/H2, ...) first")
        raise InputError(f"no gas run for reference(s) {missing}; gas runs: {have}{hint}")
    comps = [dict(parse_species(f"{m}(g)").composition) for m in references]
    elements = sorted({el for c in comps for el in c})
    if len(elements) != len(references):
        raise InputError(f"references {references} must determine one energy per element {elements}")
    matrix = np.array([[c.get(el, 0) for el in elements] for c in comps], dtype=float)
    mu = np.linalg.solve(matrix, np.array([gas[m] for m in references]))
    return dict(zip(elements, mu))


#: Gases CatMAP's ideal-gas thermochemistry has parameters for (``ideal_gas_params`` of
#: catmap/data/parameter_data.py, SUNCAT-Center/catmap @ ed04f91); others cannot go into energies.txt.
CATMAP_GASES = frozenset({
    "H2", "N2", "O2", "H2O", "CO", "CH4", "NH3", "CH3OH", "CH3CH2OH", "CO2", "CH2O", "HCOOH", "CH2CH2",
    "C2H2", "C2H4", "C2H6", "C3H6", "CH3COOH", "CH3CHO", "HCl", "Cl2",
})


def _pe_line(rows, vib, temperature: float, notes: list[str]) -> str:
    """CatMAP's proton-electron pair. CatMAP gives ``pe_g`` its formation energy minus eU and no
    thermal correction; the CHE wants G(H+ + e-) = ½G(H2) - eU, so the line carries half of H2's
    ZPE + ∫Cp dT - TS at ``temperature`` (chefe's ideal-gas correction of the H2 run)."""
    from .gas import molecule_spin
    from .thermo import ThermoPolicy, ideal_gas_correction

    h2 = next((r for r in rows if r.get("role") == "gas" and r.get("species") == "H2"), None)
    vrow = vib.get(("", "H2"))
    if h2 is None or vrow is None or not vrow.data.get("frequencies"):
        notes.append("pe: no H2 vibration run, so the pe line has formation energy 0: CatMAP's G(H+ + e-) is "
                     "then ½E(H2), not the CHE's ½G(H2) (about 0.02 eV per electron at 298 K)")
        return "None\tgas\tpe\t0.0\tNone\t[]\t[]\tproton-electron pair; no H2 thermal correction available"
    spin, _ = molecule_spin("H2", h2.get("magmom"), name="gas H2")
    corr = ideal_gas_correction(vrow.data["frequencies"], h2.toatoms(), None, None, spin, temperature, 1.0,
                                ThermoPolicy(), name="gas H2")
    return (f"None\tgas\tpe\t{0.5 * corr.g:.6f}\tNone\t[]\t[]\tproton-electron pair (CHE): half of "
            f"H2's ZPE + Cp dT - TS at {temperature:g} K, so that CatMAP's G(pe) = 1/2 G(H2) - eU")


def _catmap_modes(values, where: str, notes: list[str]) -> list[float]:
    """Real modes in CatMAP's order (descending, cm-1); imaginary ones are left out and noted."""
    real = sorted((float(f) for f in values if f > 0), reverse=True)
    dropped = [f for f in values if f <= 0]
    if dropped:
        notes.append(f"{where}: {len(dropped)} imaginary or zero mode(s) left out "
                     f"({', '.join(f'{abs(f):.0f}i' for f in dropped)} cm-1): CatMAP takes real modes only")
    return [round(f, 2) for f in real]


def export_catmap(db, path: str | Path, references: tuple[str, ...] = ("H2", "H2O", "NH3"),
                  temperature: float = 298.15) -> tuple[int, list[str]]:
    """Write CatMAP's ``energies.txt`` from a collect database; returns (rows written, notes).

    Formation energies (eV) against the gas ``references`` (electronic energies: CatMAP adds the
    thermal corrections from the frequencies). A ``pe`` line (H+ + e-) comes first, carrying half
    of H2's thermal correction at ``temperature`` (K) so that CatMAP's G(pe) is the CHE's. Gas
    frequencies are the 3N-6 (3N-5) vibrations only, translations and rotations removed by
    magnitude, in CatMAP's order (descending); adsorbate frequencies are the real modes. A
    catalyst's per-site runs (``CAT/Cu/NO3`` under the slab ``CAT/slab``) are written with
    surface ``CAT`` and site ``Cu``; single-site catalysts with site ``site``. Gases CatMAP has no
    ideal-gas parameters for (HNO3, NO, ...) are left out and named in the notes.
    """
    from .gas import molecule_shape, select_vibrations
    from .io.tree import slab_owner

    rows = _rows(db)
    notes: list[str] = []
    mu = _potentials(rows, references)
    slabs = {r.get("catalyst"): r for r in rows if r.get("role") == "slab" and r.get("e_dft") is not None}
    vib = {(r.get("catalyst", ""), r.get("species")): r for r in rows if r.get("role") == "vibrations"}
    seen: dict[tuple, str] = {}
    for r in rows:
        if r.get("role") in ("gas", "adsorbate", "slab"):
            key = (r.get("role"), r.get("catalyst", ""), r.get("species"))
            if key in seen:
                raise InputError(f"{db}: two {key[0]} runs for {key[1] or 'gas'} {key[2]}: {seen[key]} and "
                                 f"{r.get('run_path')}; keep one (CatMAP would take whichever comes last)")
            seen[key] = str(r.get("run_path"))
    lines = ["surface_name\tsite_name\tspecies_name\tformation_energy\tbulk_structure\tfrequencies\t"
             "other_parameters\treference", _pe_line(rows, vib, temperature, notes)]
    n = 0
    for r in sorted(rows, key=lambda r: (r.get("role"), r.get("catalyst", ""), r.get("species"))):
        role, e = r.get("role"), r.get("e_dft")
        if e is None or role not in ("gas", "adsorbate"):
            continue
        species = r.get("species")
        if role == "gas" and species not in CATMAP_GASES:
            notes.append(f"gas {species}: CatMAP has no ideal-gas parameters for {species}_g "
                         "(catmap.data.ideal_gas_params): not exported; add them there to use it")
            continue
        label = species[1:] if species.startswith("*") else species
        comp = dict(parse_species(species if role == "adsorbate" else f"{species}(g)").composition)
        lacking = sorted(el for el in comp if el not in mu)
        if lacking:
            notes.append(f"{r.get('catalyst') or 'gas'} {species}: no reference for {', '.join(lacking)} "
                         f"among {', '.join(references)}: not exported")
            continue
        formation = e - sum(n_el * mu[el] for el, n_el in comp.items())
        vrow = vib.get((r.get("catalyst", "") if role == "adsorbate" else "", species))
        modes = list(vrow.data.get("frequencies", [])) if vrow is not None else []
        if role == "adsorbate":
            cat = r.get("catalyst", "")
            owner = slab_owner(cat, slabs)
            if owner is None:
                notes.append(f"{cat} {species}: no slab run for this catalyst: not exported")
                continue
            formation -= slabs[owner].get("e_dft")
            surface, site = owner, (cat[len(owner) + 1:] if cat != owner else "site")
            freqs = _catmap_modes(modes, f"{cat} {species}", notes)
        else:
            surface, site = "None", "gas"
            freqs = []
            if modes:
                shape = molecule_shape(r.toatoms(), name=f"gas {species}")
                chosen = select_vibrations(modes, len(shape.atoms), shape.geometry, name=f"gas {species}")
                notes.extend(chosen.notes)
                freqs = _catmap_modes(chosen.vibrations, f"gas {species}", notes)
            else:
                notes.append(f"gas {species}: no vibration run: exported without frequencies")
        flags = r.get("flags") or ""
        lines.append(f"{surface}\t{site}\t{label}\t{formation:.6f}\tNone\t{freqs}\t[]\t"
                     f"chefe {r.get('run_path')}{' flags=' + flags if flags else ''}")
        n += 1
    Path(path).write_text("\n".join(lines) + "\n")
    return n, notes


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

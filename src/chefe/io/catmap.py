"""Read CatMAP's ``energies.txt`` (the table its ``TableParser`` reads) as a chefe energies file.

Each line is ``surface_name site_name species_name formation_energy bulk_structure frequencies
other_parameters reference`` (tab-separated): formation energies (eV) against gas references whose
own lines have formation energy 0 (H2, H2O, NH3, ...), relative to the clean site, without
thermal corrections; frequencies in cm⁻¹ (gases: vibrations only). chefe turns them into a
``kind: total`` document in which the clean site and every reference have the formation energies
as their "total energies": adsorbates get harmonic corrections from their frequencies, gases
ideal-gas corrections from theirs with the molecule's experimental geometry, H2O(l) is the gas
at 0.035 bar, the ``pe`` line and transition states (``pe-H``, ``O-O``) are not needed and are
noted. An adsorbate without frequencies takes the mean of the same adsorbate's on the other
surfaces (same site name first), like CatMAP's default ``estimate_frequencies``, and says so.
Several lines for one adsorbate: the lowest ``coverage`` when the table has that column (as
CatMAP takes), else an error naming the lines.
"""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np

from ..errors import InputError

REQUIRED = ("surface_name", "site_name", "species_name", "formation_energy", "frequencies")
#: CatMAP gas names -> chefe reservoir species (water enters CHE networks as the liquid).
GAS_SPECIES = {"H2": "H2(g)", "H2O": "H2O(l)", "O2": "O2(g)", "N2": "N2(g)", "NH3": "NH3(g)",
               "HNO3": "HNO3(g)", "NO": "NO(g)", "NO2": "NO2(g)", "N2O": "N2O(g)", "CO": "CO(g)",
               "CO2": "CO2(g)"}


def is_catmap_table(path: str | Path) -> bool:
    """True for a tab-separated file whose header holds CatMAP's required columns."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            header = handle.readline()
    except OSError:
        return False
    columns = [c.strip() for c in header.split("\t")]
    return all(c in columns for c in REQUIRED)


def read_catmap_table(path: str | Path) -> list[dict]:
    """The lines of an ``energies.txt`` as dicts (frequencies as a list of floats), each with its line number."""
    path = Path(path)
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    if not lines:
        raise InputError(f"{path}: empty: a CatMAP table starts with its header line (surface_name, site_name, ...)")
    headers = [h.strip() for h in lines[0].split("\t")]
    missing = [c for c in REQUIRED if c not in headers]
    if missing:
        raise InputError(f"{path}: line 1: CatMAP table without column(s) {', '.join(missing)}")
    rows = []
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        cells = line.split("\t", len(headers) - 1)
        if len(cells) != len(headers):
            raise InputError(f"{path}: line {number}: {len(cells)} tab-separated fields, the header has "
                             f"{len(headers)}")
        row = dict(zip(headers, (c.strip() for c in cells)))
        where = f"{path}: line {number} ({row['surface_name']} {row['species_name']})"
        try:
            row["formation_energy"] = float(row["formation_energy"])
        except ValueError:
            raise InputError(f"{where}: formation_energy {row['formation_energy']!r} is not a number") from None
        try:
            freqs = ast.literal_eval(row["frequencies"] or "[]")
            row["frequencies"] = [float(f) for f in freqs]
        except (ValueError, SyntaxError, TypeError):
            raise InputError(f"{where}: frequencies {row['frequencies']!r}: write a list, e.g. [3600.0, 1200.0]") from None
        row["line"] = number
        rows.append(row)
    return rows


def catmap_energies_doc(path: str | Path, network: str) -> tuple[dict, list[str]]:
    """An energies-file mapping (kind total) for ``network`` from a CatMAP table, and notes."""
    from ..dbinput import _needed_references
    from ..network import load_network

    net = load_network(network)
    used = set(net.adsorbates)
    needed = _needed_references(net, "gas")
    rows = read_catmap_table(path)
    notes: list[str] = [f"CatMAP table {path}: formation energies against its gas lines; thermal "
                        "corrections from its frequencies (harmonic adsorbates, ideal gases)"]
    species = {}
    for row in rows:
        if row["surface_name"] != "None" or row["site_name"] != "gas":
            continue
        name = row["species_name"]
        if name in ("pe", "ele"):
            continue
        chefe_name = GAS_SPECIES.get(name)
        if chefe_name is None:
            notes.append(f"gas {name} (line {row['line']}): not a reservoir species chefe's networks use; ignored")
            continue
        if chefe_name not in needed:
            notes.append(f"gas {name}: not used by {network}, ignored")
            continue
        if not row["frequencies"]:
            raise InputError(f"{path}: line {row['line']}: gas {name} has no frequencies: chefe needs its "
                             "vibrations for the ideal-gas correction")
        formula = chefe_name.split("(")[0]
        species[chefe_name] = {"energy": row["formation_energy"],
                               "thermo": {"frequencies": row["frequencies"], "atoms": formula}}
    if "H2O(l)" in species:
        notes.append("H2O: CatMAP's H2O_g line is used as H2O(l), the gas at 0.035 bar")
    adsorbates = []
    unused: set[str] = set()
    skipped_ts = set()
    for r in rows:
        if r["site_name"] == "gas":
            continue
        name = r["species_name"]
        if "-" in name:  # a transition state (pe-H, O-O): not part of a CHE step analysis
            skipped_ts.add(name)
        elif f"*{name}" not in used:
            unused.add(f"*{name}")
        else:
            adsorbates.append(r)
    adsorbates = _one_line_each(adsorbates, path, notes)
    sites_of: dict[str, set[str]] = {}
    for r in adsorbates:
        sites_of.setdefault(r["surface_name"], set()).add(r["site_name"])
    catalysts: dict[str, dict] = {}
    for r in adsorbates:
        name = r["species_name"]
        surface, site = r["surface_name"], r["site_name"]
        several = len(sites_of[surface]) > 1
        key = f"{surface}-{site}" if several else surface
        entry = catalysts.setdefault(key, {"energies": {"*": 0.0}, "thermo": {}, **({"site": site} if several else {})})
        label = f"*{name}"
        entry["energies"][label] = r["formation_energy"]
        freqs = r["frequencies"] or _borrowed_frequencies(adsorbates, r)
        if not r["frequencies"] and freqs:
            notes.append(f"{key} {label}: no frequencies (line {r['line']}); the mean of {label}'s on the other "
                         "surfaces of the table is used (on the same site name where there are any), as "
                         "CatMAP's estimate_frequencies does")
        if freqs:
            entry["thermo"][label] = {"frequencies": freqs}
        else:
            entry["thermo"][label] = {"zpe": 0.0, "cp": 0.0, "ts": 0.0, "source": "no frequencies in the CatMAP table"}
            notes.append(f"warning: {key} {label}: no frequencies anywhere in the table: its bare formation "
                         "energy is used as G")
    if unused:
        notes.append(f"{', '.join(sorted(unused))}: not in {network}, ignored")
    if skipped_ts:
        notes.append(f"transition states {', '.join(sorted(skipped_ts))}: not used by a CHE analysis")
    if not catalysts:
        raise InputError(f"{path}: no adsorbate line of {network}'s adsorbates ({', '.join(sorted(used))})")
    doc = {"network": network, "kind": "total", "title": f"{network} from CatMAP table {Path(path).name}",
           "references": {"species": species}, "catalysts": catalysts}
    return doc, notes


def _one_line_each(lines: list[dict], path, notes: list[str]) -> list[dict]:
    """One line per (surface, site, species): with a ``coverage`` column the lowest coverage, as
    CatMAP takes; without one, two lines for the same adsorbate are an error naming both."""
    chosen: dict[tuple, dict] = {}
    for r in lines:
        key = (r["surface_name"], r["site_name"], r["species_name"])
        if key not in chosen:
            chosen[key] = r
            continue
        old = chosen[key]
        if "coverage" in r and "coverage" in old:
            try:
                if float(r["coverage"]) < float(old["coverage"]):
                    chosen[key] = r
            except ValueError:
                raise InputError(f"{path}: lines {old['line']} and {r['line']}: coverage is not a number") from None
            notes.append(f"{' '.join(key)}: several coverages; the lowest is used, as CatMAP does")
        else:
            raise InputError(f"{path}: lines {old['line']} and {r['line']} both give {key[2]} on {key[0]} site "
                             f"{key[1]}: keep one (or add a coverage column)")
    return list(chosen.values())


def _borrowed_frequencies(lines: list[dict], row: dict) -> list[float] | None:
    """Mean frequencies of the same adsorbate on other surfaces (same site name first), or None."""
    others = [r for r in lines if r["species_name"] == row["species_name"] and r is not row and r["frequencies"]]
    same_site = [r for r in others if r["site_name"] == row["site_name"]]
    pool = same_site or others
    lengths = {len(r["frequencies"]) for r in pool}
    if not pool or len(lengths) != 1:
        return pool[0]["frequencies"] if pool else None
    return [float(x) for x in np.mean([r["frequencies"] for r in pool], axis=0)]


def load_catmap(path: str | Path, network: str, *, nitrate_adsorption: str | None = None,
                pH: float | None = None, temperature: float | None = None):
    """An :class:`~chefe.inputs.EnergySet` for ``network`` from a CatMAP ``energies.txt``."""
    from dataclasses import replace

    from ..inputs import energies_from_dict

    doc, notes = catmap_energies_doc(path, network)
    if nitrate_adsorption is not None:
        doc["nitrate_adsorption"] = nitrate_adsorption
    conditions = {k: v for k, v in (("pH", pH), ("T", temperature)) if v is not None}
    if conditions:
        doc["conditions"] = conditions
    es = energies_from_dict(doc, source=str(path), base=Path(path).parent)
    # formation energies sit near 0 by construction (the references are 0): the checks for total
    # energies on a wrong scale or with a wrong sign do not apply to them
    kept = tuple(n for n in es.notes if "DFT total energy" not in n and "on two energy scales" not in n)
    return replace(es, notes=tuple(notes) + kept)

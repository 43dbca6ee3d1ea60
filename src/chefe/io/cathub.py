"""Catalysis-Hub publication databases as runs: every structure with its total energy, checked.

A Catalysis-Hub database (the SQLite file of one publication, as ``cathub folder2db`` writes it
and as Catalysis-Hub distributes it) is an ASE database (table ``systems``) with three more
tables: ``reaction`` (equation as reactant/product dictionaries, published reaction energy,
surface, facet, code, functional), ``reaction_system`` (which structure is which species of which
reaction, with any energy correction) and ``publication``. Reaction energies alone are against
each equation's own gases; the structures' total energies put every species on one scale, so
chefe imports the structures, not the reaction energies:

* ``star`` is the clean slab (role ``slab``), ``Xstar`` an adsorbate ``*X``, ``Xgas`` a gas;
  bulk, transition-state and NEB images are not imported (counted in the notes);
* each reaction whose structures are all present is checked: its published reaction energy
  must follow from its structures' energies (and corrections) within 1 meV, and each adsorbate
  structure must be its slab plus the adsorbate's atoms. A reaction failing either check is
  named in the report and none of its structures is placed by it;
* a catalyst is one clean-slab structure, named ``<surface>(<facet>)`` (``Cu-fcc(100)``; the
  site part of a facet such as ``100-4foldhollow`` is the adsorbate's site); two slabs that
  would share a name get their composition added (``Cu-fcc(100)_Cu27H12O6``);
* an adsorbate computed at several sites of one catalyst keeps its lowest-energy structure
  (the others are listed in the notes, as CatMAP does with coverages);
* every row carries the publication (id, title, DOI), code, functional and reactions.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError

#: tables that make an ASE database a Catalysis-Hub one
TABLES = ("systems", "reaction", "reaction_system")
#: published reaction energy vs the one its structures give (eV): larger is a broken record
TOLERANCE = 1e-3


def is_cathub_db(path: str | Path) -> bool:
    """True for an SQLite file holding Catalysis-Hub's reaction tables."""
    path = Path(path)
    try:
        with open(path, "rb") as handle:
            if handle.read(16) != b"SQLite format 3\x00":
                return False
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            names = {r[0] for r in con.execute("select name from sqlite_master where type='table'")}
        finally:
            con.close()
    except (OSError, sqlite3.Error):
        return False
    return set(TABLES) <= names


def species_of(name: str) -> tuple[str, str, str]:
    """(role, chefe species, site) of a Catalysis-Hub name: ``OHstar`` -> ("adsorbate", "*OH", "").

    ``star`` is the clean slab, ``Xgas`` a gas ``X``; ``@site`` suffixes give the site; bulk,
    ``neb``/``TS`` images and anything else give role ``""`` (not imported).
    """
    core, _, site = name.partition("@")
    if core == "star":
        return "slab", "*", site
    if core.endswith("star") and core[:-4] and re.fullmatch(r"[A-Z][A-Za-z0-9]*", core[:-4]):
        return "adsorbate", "*" + core[:-4], site
    if core.endswith("gas") and re.fullmatch(r"[A-Z][A-Za-z0-9]*", core[:-3] or "-"):
        return "gas", core[:-3], site
    return "", "", site


@dataclass
class CathubSystem:
    """One structure of the database and what the checked reactions say it is."""

    ase_id: str
    row: object
    role: str = ""
    species: str = ""
    slab: str = ""  # ase_id of the clean slab an adsorbate sits on
    sites: set = field(default_factory=set)
    reactions: list = field(default_factory=list)
    correction: float = 0.0
    failed: list = field(default_factory=list)  # reactions it is in that fail a check


@dataclass
class CathubImport:
    """What :func:`read_cathub` found: systems to store (with their keys) and what it reports."""

    publication: dict
    entries: list  # (catalyst, species, role, CathubSystem, reaction info dict)
    problems: list[str]
    notes: list[str]
    n_reactions: int


def _stoichiometry(reaction: dict, where: str) -> tuple[dict[str, float], set[str]]:
    """Net coefficients (products positive) of a reaction's species names, and every name its
    equation writes (a zero coefficient included)."""
    net: dict[str, float] = defaultdict(float)
    written: set[str] = set()
    for column, sign in (("reactants", -1.0), ("products", 1.0)):
        value = reaction[column]
        try:
            terms = json.loads(value) if isinstance(value, str) else dict(value or {})
        except (json.JSONDecodeError, TypeError, ValueError):
            raise InputError(f"{where}: {column} {value!r} is not a species dictionary") from None
        if not isinstance(terms, dict):
            raise InputError(f"{where}: {column} {value!r} is not a species dictionary")
        for name, coefficient in terms.items():
            written.add(name)
            try:
                net[name] += sign * float(coefficient)
            except (TypeError, ValueError):
                raise InputError(f"{where}: coefficient {coefficient!r} of {name} is not a number") from None
    return {k: v for k, v in net.items() if abs(v) > 1e-12}, written


def _composition_matches(ads_row, slab_row, species: str) -> bool:
    from ..species import parse_species

    difference = Counter(ads_row.symbols)
    difference.subtract(Counter(slab_row.symbols))
    want = dict(parse_species(species).composition)
    return {k: v for k, v in difference.items() if v} == want


def _facet_and_site(facet: str) -> tuple[str, str]:
    base, _, site = (facet or "").partition("-")
    return base, site


def read_cathub(path: str | Path) -> CathubImport:
    """Read and check a Catalysis-Hub database; nothing is written (see :func:`cathub_records`)."""
    from ase.db import connect

    from ..species import SpeciesError, parse_species

    path = Path(path)
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    con.row_factory = sqlite3.Row
    try:
        reactions = [dict(r) for r in con.execute("select * from reaction order by id")]
        links = defaultdict(list)
        for r in con.execute("select name, energy_correction, ase_id, id from reaction_system"):
            links[r["id"]].append((r["name"], float(r["energy_correction"] or 0.0), r["ase_id"]))
        try:
            publications = [dict(r) for r in con.execute("select * from publication")]
        except sqlite3.Error:
            publications = []
    except sqlite3.Error as exc:
        raise InputError(f"{path}: not a readable Catalysis-Hub database ({exc})") from None
    finally:
        con.close()
    try:
        rows = {row.unique_id: row for row in connect(str(path), type="db").select()}
    except (sqlite3.Error, UnicodeDecodeError, ValueError, KeyError) as exc:
        raise InputError(f"{path}: its structures (systems table) cannot be read ({type(exc).__name__}: "
                         f"{exc}); the file is damaged or not a Catalysis-Hub database") from None
    if not reactions:
        raise InputError(f"{path}: a Catalysis-Hub database with no reactions: nothing to import")
    problems: list[str] = []
    notes: list[str] = []
    systems: dict[str, CathubSystem] = {}
    skipped_names: Counter = Counter()
    unverifiable = 0
    functionals = Counter()
    failed: dict[str, list] = defaultdict(list)  # adsorbate structures of reactions that fail a check
    for reaction in reactions:
        rid = reaction["id"]
        label = f"{reaction.get('surface_composition', '')} {reaction.get('facet', '')}".strip()
        where = f"{path}: reaction {rid} ({label})"
        try:
            net, written = _stoichiometry(reaction, where)
        except InputError as exc:
            problems.append(f"{exc}; the reaction is skipped")
            continue
        names = {}
        for name, correction, ase_id in links.get(rid, []):
            role, species, _ = species_of(name)
            # a structure is placed by the reactions whose equation writes it; a database may link
            # every structure of a folder to each reaction. The clean slab names the surface.
            if role and role != "slab" and name not in written:
                continue
            if not role:
                skipped_names[re.sub(r"\d+$", "", name) or name] += 1
                continue
            if ase_id not in rows:
                problems.append(f"{where}: structure {ase_id} of {name} is not in the systems table")
                continue
            if rows[ase_id].get("energy") is None:
                problems.append(f"{where}: structure {ase_id} of {name} has no energy; not imported")
                continue
            if role != "gas":
                try:
                    parse_species(species)
                except SpeciesError as exc:
                    problems.append(f"{where}: {name}: {exc}; not imported")
                    continue
            names[name] = (role, species, correction, ase_id)
        equation = " + ".join(f"{-v:g} {k}" for k, v in net.items() if v < 0) + " -> " + " + ".join(
            f"{v:g} {k}" for k, v in net.items() if v > 0)
        published = reaction.get("reaction_energy")
        if all(n in names for n in net) and published is not None:
            computed = sum(v * (float(rows[names[n][3]].energy) + names[n][2]) for n, v in net.items())
            if abs(computed - float(published)) > TOLERANCE:
                problems.append(
                    f"{where}: {equation}: the published reaction energy {float(published):.4f} eV is not "
                    f"what its structures give ({computed:.4f} eV, {computed - float(published):+.4f}); "
                    "the reaction's structures are not placed by it, and its adsorbates are flagged")
                for n, v in names.items():
                    if v[0] == "adsorbate":
                        failed[v[3]].append(rid)
                continue
        else:
            unverifiable += 1
        slab_id = next((v[3] for n, v in names.items() if v[0] == "slab"), None)
        bad = False
        if slab_id is not None:
            for name, (role, species, _, ase_id) in names.items():
                if role == "adsorbate" and not _composition_matches(rows[ase_id], rows[slab_id], species):
                    problems.append(
                        f"{where}: {name} ({rows[ase_id].formula}) is not its slab ({rows[slab_id].formula}) "
                        f"plus {species[1:]}; the reaction's structures are not placed by it")
                    bad = True
        if bad:
            for n, v in names.items():
                if v[0] == "adsorbate":
                    failed[v[3]].append(rid)
            continue
        functionals[(reaction.get("dft_code") or "", reaction.get("dft_functional") or "")] += 1
        facet, facet_site = _facet_and_site(reaction.get("facet", ""))
        try:
            sites = json.loads(reaction.get("sites") or "{}") or {}
        except json.JSONDecodeError:
            sites = {}
        info = {"id": rid, "surface": reaction.get("surface_composition") or "", "facet": facet,
                "chemical_composition": reaction.get("chemical_composition") or "",
                "code": reaction.get("dft_code") or "", "functional": reaction.get("dft_functional") or ""}
        for name, (role, species, correction, ase_id) in names.items():
            system = systems.setdefault(ase_id, CathubSystem(ase_id, rows[ase_id], role, species))
            system.correction = correction
            if rid not in [r["id"] for r in system.reactions]:
                system.reactions.append(info)
            if role == "adsorbate" and slab_id is not None:
                if system.slab and system.slab != slab_id:
                    problems.append(f"{where}: {name} ({ase_id}) is on slab {slab_id} here and on "
                                    f"{system.slab} in an earlier reaction; the earlier one is kept")
                else:
                    system.slab = slab_id
                site = sites.get(species[1:]) if isinstance(sites, dict) else None
                system.sites.add(site or facet_site or "")
    if len(functionals) > 1:
        listing = ", ".join(f"{c} {f} ({n} reactions)" for (c, f), n in functionals.most_common())
        problems.append(f"{path}: reactions computed with several setups ({listing}): energies of "
                        "different setups must not be mixed; import one setup per database")
    if skipped_names:
        notes.append(f"{path}: not imported (bulk, transition-state and NEB structures): "
                     + ", ".join(f"{n} x{c}" for n, c in sorted(skipped_names.items())))
    if unverifiable:
        notes.append(f"{path}: {unverifiable} of {len(reactions)} reactions lack a structure for some "
                     "species (NEB and co-adsorption records): their reaction energies cannot be checked")
    for ase_id, rids in failed.items():
        if ase_id in systems:
            systems[ase_id].failed = sorted(set(rids))
    entries = _catalysts(systems, path, problems, notes)
    publication = publications[0] if len(publications) == 1 else {}
    return CathubImport(publication, entries, problems, notes, len(reactions))


def _catalysts(systems: dict[str, CathubSystem], path: Path, problems: list[str], notes: list[str]):
    """(catalyst, species, role, system, info) per stored structure: one per catalyst and species."""
    slabs = {k: s for k, s in systems.items() if s.role == "slab"}

    def base_name(s: CathubSystem) -> str:
        r = s.reactions[0]
        return f"{r['surface'] or s.row.formula}({r['facet']})" if r["facet"] else (r["surface"] or s.row.formula)

    by_name = defaultdict(list)
    for k in sorted(slabs):
        by_name[base_name(slabs[k])].append(k)
    catalyst_of = {}
    for name, ids in by_name.items():
        if len(ids) == 1:
            catalyst_of[ids[0]] = name
            continue
        # slabs of one facet told apart by composition, then by surface cell (a x b, Å)
        formulas = Counter(slabs[k].row.formula for k in ids)
        names = {}
        for k in ids:
            formula = slabs[k].row.formula
            names[k] = f"{name}_{formula}" if formulas[formula] == 1 else f"{name}_{formula}_{_surface_cell(slabs[k].row)}"
        seen: Counter = Counter()
        for k in ids:
            seen[names[k]] += 1
            catalyst_of[k] = names[k] if list(names.values()).count(names[k]) == 1 else f"{names[k]}_{seen[names[k]]}"
    entries = []
    for k, s in slabs.items():
        entries.append((catalyst_of[k], "*", "slab", s))
    best: dict[tuple[str, str], list[CathubSystem]] = defaultdict(list)
    for s in systems.values():
        if s.role == "adsorbate":
            if not s.slab:
                problems.append(f"{path}: {s.species} ({s.ase_id}) is in no checked reaction with its clean "
                                "slab; not imported")
                continue
            best[(catalyst_of[s.slab], s.species)].append(s)
    for (cat, species), options in sorted(best.items()):
        options.sort(key=lambda s: float(s.row.energy))
        entries.append((cat, species, "adsorbate", options[0]))
        if len(options) > 1:
            listing = ", ".join(f"{'/'.join(sorted(o.sites)) or o.ase_id[:8]} {float(o.row.energy):.4f}"
                                for o in options)
            notes.append(f"{cat} {species}: {len(options)} structures (sites and energies/eV: {listing}); "
                         "the lowest kept")
    gases: dict[str, list[CathubSystem]] = defaultdict(list)
    for s in systems.values():
        if s.role == "gas":
            gases[s.species].append(s)
    for species, options in sorted(gases.items()):
        options.sort(key=lambda s: -len(s.reactions))
        entries.append(("", species, "gas", options[0]))
        energies = {round(float(o.row.energy), 3) for o in options}
        if len(energies) > 1:
            problems.append(f"{path}: gas {species} has {len(options)} structures with different energies "
                            f"({', '.join(f'{e:.3f}' for e in sorted(energies))} eV); the one most "
                            "reactions use is kept")
    return [(c, sp, role, s, s.reactions) for c, sp, role, s in entries]


def _surface_cell(row) -> str:
    """``7.8x10.4``: lengths (Å) of the two lattice vectors along the surface of a slab row."""
    import numpy as np

    from .consistency import vacuum_axis

    atoms = row.toatoms()
    found = vacuum_axis(atoms)
    axis = found[0] if found is not None else 2
    lengths = [float(np.linalg.norm(atoms.cell.array[i])) for i in range(3) if i != axis]
    return "x".join(f"{x:.1f}" for x in lengths)


def _code(dft_code: str) -> str:
    text = dft_code.lower()
    for prefix, code in (("vasp", "vasp"), ("qe", "qe"), ("quantum", "qe"), ("espresso", "qe"),
                         ("gpaw", "gpaw")):
        if text.startswith(prefix):
            return code
    return "ase"


def cathub_records(path: str | Path, info) -> tuple[list, CathubImport]:
    """(RunKey, RunRecord) per structure to store, and the import's findings.

    ``info`` is the :class:`~chefe.io.record.FileInfo` of the database file (the rows' provenance).
    """
    from .record import RunRecord, with_flags
    from .tree import RunKey

    found = read_cathub(path)
    publication = {k: found.publication.get(k) for k in ("pub_id", "title", "doi", "journal", "year")
                   if found.publication.get(k) is not None}
    out = []
    for catalyst, species, role, system, reactions in found.entries:
        row = system.row
        energy = float(row.energy)
        first = reactions[0]
        settings = {"dft_code": first["code"], "dft_functional": first["functional"],
                    "catalysis_hub": {"publication": publication, "unique_id": system.ase_id,
                                      "reactions": sorted(r["id"] for r in reactions),
                                      "sites": sorted(x for x in system.sites if x)}}
        messages = ()
        flags = []
        if system.failed:
            flags.append("inconsistent")
            messages += (f"{path}@unique_id={system.ase_id}: also in reaction(s) {system.failed}, whose "
                         "published energy or composition does not match its structures",)
        if system.correction:
            settings["catalysis_hub"]["energy_correction"] = system.correction
            messages += (f"Catalysis-Hub applies {system.correction:+.4f} eV to this structure in its reaction "
                        "energies; chefe stores the total energy without it (chefe's own gas corrections: "
                        "--gas-corrections)",)
        record = RunRecord(f"{Path(path).resolve()}@unique_id={system.ase_id}", _code(first["code"]), "catalysis-hub", energy,
                           energy_kind="Catalysis-Hub total energy",
                           atoms=row.toatoms(), flags=tuple(with_flags(flags, energy, None, None, None)),
                           files=(info,), version=first["code"], settings=settings, messages=messages)
        out.append((RunKey(catalyst, species, role), record))
    return out, found


__all__ = ["CathubImport", "cathub_records", "is_cathub_db", "read_cathub", "species_of"]

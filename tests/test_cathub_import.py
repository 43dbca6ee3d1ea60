"""Catalysis-Hub publication databases: `chefe collect PUB.db` then `chefe fed --db`.

Fixture: 18 reactions (and their structures) of Catalysis-Hub's PengRole2020 database (Peng et
al., Joule 2020; QE, BEEF-vdW), see tests/files/README.md. The independent source for every
number is the publication's own reaction-energy column, which chefe does not use: chefe imports
the structures' total energies, and the tests recompute the published values from what it stored.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3
from contextlib import redirect_stdout
from pathlib import Path

import numpy as np
import pytest
from ase.db import connect

from chefe.cli.main import main
from chefe.collect import collect_ase_db
from chefe.io.cathub import is_cathub_db, species_of
from chefe.io.consistency import surface_strain, vacuum_axis

FIXTURE = Path(__file__).parent / "files" / "cathub" / "PengRole2020_subset.db"


def _published(path=FIXTURE):
    """{(surface, facet, reactants, products): published reaction energy} straight from SQLite."""
    con = sqlite3.connect(path)
    out = {}
    for rid, surface, facet, reac, prod, energy in con.execute(
            "select id, surface_composition, facet, reactants, products, reaction_energy from reaction"):
        out[rid] = (surface, facet, json.loads(reac), json.loads(prod), energy)
    con.close()
    return out


def _run(*argv) -> tuple[int, str]:
    buffer = io.StringIO()
    with redirect_stdout(buffer):
        code = main(list(argv))
    return code, buffer.getvalue()


def test_names_and_detection(tmp_path):
    assert is_cathub_db(FIXTURE)
    plain = tmp_path / "plain.db"
    connect(str(plain)).write(__import__("ase").Atoms("H"))
    assert not is_cathub_db(plain)
    assert species_of("star") == ("slab", "*", "")
    assert species_of("OHstar") == ("adsorbate", "*OH", "")
    assert species_of("COstar@ontop") == ("adsorbate", "*CO", "ontop")
    assert species_of("H2Ogas") == ("gas", "H2O", "")
    assert species_of("neb3")[0] == "" and species_of("bulkfcc")[0] == ""


def test_import_reproduces_every_published_adsorption_energy(tmp_path):
    db = tmp_path / "r.db"
    report = collect_ase_db(FIXTURE, str(db))
    rows = list(connect(str(db)).select())
    by = {(r.catalyst, r.species): r for r in rows}
    h2 = by[("", "H2")].e_dft
    h2o = by[("", "H2O")].e_dft
    of_reaction = {}
    for r in rows:
        for rid in r.data["settings"]["catalysis_hub"]["reactions"]:
            of_reaction.setdefault(rid, {})[r.species] = r
    checked = 0
    for rid, (surface, facet, reac, prod, energy) in _published().items():
        here = of_reaction.get(rid, {})
        if prod == {"Hstar": 1} and "*H" in here:
            # ΔE = E(*H) - E(*) - 1/2 E(H2), by hand from the stored rows
            assert here["*H"].catalyst == here["*"].catalyst
            dE = here["*H"].e_dft - here["*"].e_dft - 0.5 * h2
            assert dE == pytest.approx(energy, abs=1e-9), (rid, surface, facet)
            checked += 1
        if prod == {"OHstar": 1}:
            # H2O(g) - 1/2 H2(g) + * -> *OH (written with H2 at -0.5 on the reactant side)
            dE = here["*OH"].e_dft - here["*"].e_dft - h2o + 0.5 * h2
            assert dE == pytest.approx(energy, abs=1e-9)
            checked += 1
    assert checked == 16  # 15 *H and one *OH
    # provenance on every row: publication, code, functional, reactions
    pt = by[("Pt-fcc(111)", "*H")]
    hub = pt.data["settings"]["catalysis_hub"]
    assert hub["publication"]["pub_id"] == "PengRole2020" and hub["reactions"] == [170]
    assert pt.data["settings"]["dft_functional"] == "BEEF-vdW" and pt.code == "qe"
    assert pt.reader == "catalysis-hub" and pt.role == "adsorbate"
    # NEB images are not runs; the reaction that only has them cannot be checked (said)
    assert not [r for r in rows if r.species.startswith("*neb")]
    assert any("neb x12" in n for n in report.notes) and any("1 of 18 reactions" in n for n in report.notes)
    # Cu(211): the slab and the adsorbate runs use the same surface cell with the axes swapped and
    # a different vacuum: reported, not flagged as a cell mismatch
    cu211 = by[("Cu-fcc(211)", "*H")]
    assert "cell_mismatch" not in cu211.flags
    assert any("across the vacuum differs (32.27 vs 28.53" in p for p in report.problems)
    # a second import changes nothing
    again = collect_ase_db(FIXTURE, str(db))
    assert again.written == 0 and again.skipped == report.written


def test_collect_then_fed_her_limiting_potentials(tmp_path):
    db = tmp_path / "r.db"
    code, out = _run("collect", str(FIXTURE), "--db", str(db))
    assert code == 0 and "PengRole2020" in out
    table = tmp_path / "her.csv"
    code, out = _run("fed", "--db", str(db), "--network", "her", "--adsorbate-thermo", "adsorbates_pt111_kreitz",
                     "--csv", str(table))
    assert code == 0
    rows = {r["catalyst"]: r for r in csv.DictReader(open(table))}
    published = {f"{s}({f.split('-')[0]})": e for s, f, reac, prod, e in _published().values()
                 if prod == {"Hstar": 1}}
    # the clean-site-only catalysts (no *H) are reported and left out
    assert "Ag-fcc(100)" not in rows and "Cu-fcc(100)_Cu27H12O6" not in rows
    common = sorted(set(rows) & set(published))
    assert len(common) == 14, common
    # HER at 0 V: U_L = -|ΔG_H| with ΔG_H = ΔE_published + c, one thermal constant c for all
    signs = {c: 1 if rows[c]["PDS_id"] == "Volmer" else -1 for c in common}
    dG = np.array([signs[c] * -float(rows[c]["U_L"]) for c in common])
    c = dG - np.array([published[k] for k in common])
    assert np.ptp(c) < 1e-9 and 0.1 < c[0] < 0.3
    # Volmer limits where *H binds weakly (ΔG_H > 0), Heyrovsky where it binds strongly
    for k in common:
        assert (rows[k]["PDS_id"] == "Volmer") == (published[k] + c[0] > 0)


def test_broken_records_are_named_and_not_used(tmp_path):
    broken = tmp_path / "broken.db"
    shutil.copy(FIXTURE, broken)
    con = sqlite3.connect(broken)
    # reaction 10 (Ag 111-fcc *H): a published energy its structures do not give
    con.execute("update reaction set reaction_energy = reaction_energy + 0.1 where id = 10")
    # reaction 7 (Ag 211 *H): its clean slab replaced by Ni(211)'s, the published energy made to
    # match (so that only the composition check can see it); reaction 67 (Pd 211): Ni's slab, energy kept
    ni = con.execute("select ase_id from reaction_system where id = 33 and name = 'star'").fetchone()[0]
    ag = con.execute("select ase_id from reaction_system where id = 7 and name = 'star'").fetchone()[0]
    energy = {r.unique_id: r.energy for r in connect(str(FIXTURE)).select()}
    con.execute("update reaction_system set ase_id = ? where id in (7, 67) and name = 'star'", (ni,))
    con.execute("update reaction set reaction_energy = reaction_energy + ? where id = 7",
                (energy[ag] - energy[ni],))
    con.commit()
    con.close()
    db = tmp_path / "r.db"
    report = collect_ase_db(broken, str(db))
    text = "\n".join(report.problems)
    assert "reaction 10 (Ag-fcc 111-fcc)" in text and "(0.4923 eV, -0.1000)" in text
    assert "reaction 67 (Pd-fcc 211-stepbridge)" in text
    assert "reaction 7 (Ag-fcc 211-stepbridge): Hstar (Ag36H) is not its slab (Ni36) plus H" in text
    keys = {(r.catalyst, r.species) for r in connect(str(db)).select()}
    assert ("Ag-fcc(111)", "*H") not in keys and ("Ag-fcc(211)", "*H") not in keys
    assert ("Ni-fcc(211)", "*H") in keys  # the Ni reactions are intact
    assert ("Pd-fcc(211)", "*H") not in keys


def test_surface_strain_ignores_the_basis_and_the_vacuum():
    a = np.array([[6.376, 0, 0], [0, 7.809, 0], [0, 0, 32.265]])
    swapped = np.array([[7.809, 0, 0], [0, 6.376, 0], [0, 0, 28.527]])
    assert surface_strain(a, 2, swapped, 2) == pytest.approx(0.0, abs=1e-12)
    hexagonal = np.array([[3.0, 0, 0], [1.5, 1.5 * 3 ** 0.5, 0], [0, 0, 20.0]])
    recombined = hexagonal.copy()
    recombined[1] = hexagonal[1] - hexagonal[0]  # another basis of the same surface lattice
    assert surface_strain(hexagonal, 2, recombined, 2) == pytest.approx(0.0, abs=1e-12)
    stretched = hexagonal.copy()
    stretched[:2] *= 1.01  # 1 % in-plane: (1.01² - 1)/2 = 0.01005
    assert surface_strain(hexagonal, 2, stretched, 2) == pytest.approx(0.01005, abs=1e-9)
    from ase.build import fcc111

    slab = fcc111("Cu", (2, 2, 3), vacuum=6.0, periodic=True)
    axis, gap = vacuum_axis(slab)
    assert axis == 2 and gap == pytest.approx(12.0, abs=1e-6)
    from ase.build import bulk

    assert vacuum_axis(bulk("Cu", cubic=True)) is None


def test_a_reaction_energy_table_is_refused_with_what_to_give(tmp_path):
    table = tmp_path / "reactions.csv"
    table.write_text('surface_composition,facet,reactants,products,reaction_energy\n'
                     'Pt,111,"{""H2gas"": 0.5, ""star"": 1}","{""Hstar"": 1}",-0.24\n')
    code = main(["collect", str(table), "--db", str(tmp_path / "r.db")])
    assert code == 2 and not (tmp_path / "r.db").exists()


def test_only_structures_an_equation_writes_are_placed_and_failures_flag_them(tmp_path):
    """A database may link every structure of a folder to each reaction (TangRevised2018 does):
    a structure is placed only by reactions whose equation writes it; an adsorbate of a reaction
    that fails its energy check is flagged where another reaction places it."""
    broken = tmp_path / "linked.db"
    shutil.copy(FIXTURE, broken)
    con = sqlite3.connect(broken)
    # reaction 1 (Ag 100 CO) also links the *H structure of reaction 7 (another slab)
    h7 = con.execute("select ase_id from reaction_system where id = 7 and name = 'Hstar'").fetchone()[0]
    con.execute("insert into reaction_system values ('Hstar', 0.0, ?, 1)", (h7,))
    # a second reaction that writes reaction 170's *H (Pt 111) with a wrong published energy
    pt_h = con.execute("select ase_id from reaction_system where id = 170 and name = 'Hstar'").fetchone()[0]
    pt_star = con.execute("select ase_id from reaction_system where id = 170 and name = 'star'").fetchone()[0]
    h2 = con.execute("select ase_id from reaction_system where id = 170 and name = 'H2gas'").fetchone()[0]
    row = con.execute("select * from reaction where id = 170").fetchone()
    cols = [r[1] for r in con.execute("pragma table_info(reaction)")]
    values = dict(zip(cols, row))
    values.update(id=999, reaction_energy=values["reaction_energy"] + 0.3)
    con.execute(f"insert into reaction ({','.join(cols)}) values ({','.join('?' * len(cols))})",
                [values[c] for c in cols])
    for name, aid in (("Hstar", pt_h), ("star", pt_star), ("H2gas", h2)):
        con.execute("insert into reaction_system values (?, 0.0, ?, 999)", (name, aid))
    con.commit()
    con.close()
    db = tmp_path / "r.db"
    report = collect_ase_db(broken, str(db))
    rows = {(r.catalyst, r.species): r for r in connect(str(db)).select()}
    assert ("Ag-fcc(100)", "*H") not in rows  # linked to reaction 1, not written by it
    assert rows[("Ag-fcc(211)", "*H")].ok
    pt = rows[("Pt-fcc(111)", "*H")]
    assert "inconsistent" in pt.flags and not pt.ok
    assert any("reaction 999" in p for p in report.problems)


def test_damaged_or_foreign_sqlite_is_refused_untouched(tmp_path):
    import hashlib

    cut = tmp_path / "cut.db"
    cut.write_bytes(FIXTURE.read_bytes()[: int(FIXTURE.stat().st_size * 0.8)])
    assert main(["collect", str(cut), "--db", str(tmp_path / "a.db")]) == 2
    foreign = tmp_path / "foreign.db"
    con = sqlite3.connect(foreign)
    con.execute("create table t (x)")
    con.commit()
    con.close()
    before = hashlib.sha256(foreign.read_bytes()).hexdigest()
    assert main(["collect", str(foreign), "--db", str(tmp_path / "b.db")]) == 2
    assert hashlib.sha256(foreign.read_bytes()).hexdigest() == before  # ASE added no tables


def test_two_publications_are_not_mixed_in_one_database(tmp_path):
    other = tmp_path / "other.db"
    shutil.copy(FIXTURE, other)
    db = tmp_path / "r.db"
    collect_ase_db(FIXTURE, str(db))
    from chefe.errors import InputError

    with pytest.raises(InputError, match="a database of its own"):
        collect_ase_db(other, str(db))

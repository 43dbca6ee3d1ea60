"""Gas references from a `chefe collect` database: periodic DFT cells, their modes, spin, old rows."""

from __future__ import annotations

import pytest
from ase import Atoms, units
from ase.build import fcc111

from chefe.dbinput import energies_from_db
from chefe.io.record import RunRecord
from chefe.io.store import row_payload
from chefe.io.tree import RunKey
from chefe.thermo import table_correction

E_SLAB, E_H, E_H2 = -100.0, -103.8, -6.77


def write_row(db, key, atoms, energy, *, frequencies=None, magmom=None, version=None):
    record = RunRecord(path=f"/runs/{key.catalyst or 'gas'}/{key.species}/{key.role}", code="vasp",
                       reader="vasp-outcar", energy=energy, atoms=atoms, magmom=magmom,
                       frequencies=frequencies, finished=True)
    atoms_, kvp, data = row_payload(record, key)
    if version is not None:
        data["chefe_version"] = version
    db.write(atoms_, key_value_pairs=kvp, data=data)


def h2_in_a_periodic_box():
    # a DFT gas cell: periodic, the molecule wrapped across the cell boundary
    h2 = Atoms("H2", positions=[[9.8, 5, 5], [9.8 + 0.7414, 5, 5]], cell=[10, 10, 10], pbc=True)
    h2.wrap()
    return h2


def make_db(path, *, version=None, modes=None):
    from ase.db import connect

    db = connect(str(path))
    slab = fcc111("Pt", size=(2, 2, 3), vacuum=8.0)
    write_row(db, RunKey("Pt111", "*", "slab"), slab, E_SLAB)
    with_h = slab.copy()
    with_h.append("H")
    write_row(db, RunKey("Pt111", "*H", "adsorbate"), with_h, E_H)
    write_row(db, RunKey("", "H2", "gas"), h2_in_a_periodic_box(), E_H2, version=version)
    # all 3N = 6 modes of a finite-difference run: translations/rotations first, one imaginary
    modes = modes or [-8.0, 3.1, 12.0, 25.0, -40.0, 4401.0]
    write_row(db, RunKey("", "H2", "vibrations"), h2_in_a_periodic_box(), None, frequencies=modes,
              version=version)
    return str(path)


def test_gas_with_a_vibration_run_from_a_periodic_cell(tmp_path):
    db = make_db(tmp_path / "r.db")
    es = energies_from_db(db, "her", adsorbate_table="adsorbates_pt111_kreitz")
    # by hand: G(H2) = E + ½hcν + [H°(298)-H°(0)] - T·S°, JANAF H-050: 8.467 kJ/mol, 130.680 J/mol/K
    # (ν = 4401 cm-1, r = 0.7414 Å, σ = 2, linear: within 3 meV of the tabulated thermochemistry)
    g_h2 = E_H2 + 0.5 * 4401 * units.invcm + 8.467 * units.kJ / units.mol - 298.15 * 130.680 * units.J / units.mol
    expected = E_H + table_correction("*H", "adsorbates_pt111_kreitz").g - E_SLAB - 0.5 * g_h2
    assert es.dG0[es.network.index("Volmer"), 0] == pytest.approx(expected, abs=3e-3)
    # the five small modes are translations/rotations (the -40 cm-1 one too): not an imaginary vibration
    assert not any("imaginary" in f for f in es.flags[0])


def test_imaginary_gas_vibration_reaches_notes_and_flags(tmp_path):
    from ase.db import connect

    from chefe.errors import InputError
    from chefe.gas import experimental_molecule
    from chefe.thermo import ThermoPolicy

    water, vib = experimental_molecule("H2O")
    box = water.copy()
    box.cell = [10, 10, 10]
    box.pbc = True
    db_path = make_db(tmp_path / "w.db")
    db = connect(db_path)
    write_row(db, RunKey("", "H2O", "gas"), box, -14.22)
    # 3N = 9 modes: six translations/rotations and an imaginary bend of 300 cm-1 among the vibrations
    write_row(db, RunKey("", "H2O", "vibrations"), box, None,
              frequencies=[1.0, -2.0, 3.0, 4.0, 5.0, 6.0, -300.0, vib[0], vib[2]])
    with pytest.raises(InputError, match="gas H2O: 1 imaginary"):
        energies_from_db(db_path, "her", adsorbate_table="adsorbates_pt111_kreitz")
    es = energies_from_db(db_path, "her", adsorbate_table="adsorbates_pt111_kreitz",
                          policy=ThermoPolicy(imaginary="drop"))
    assert any("300.0i" in n for n in es.notes)
    assert "H2O(g):imaginary_vibration" in es.flags[0]


def test_rows_from_an_older_chefe_are_recomputed_and_said_so(tmp_path):
    old = energies_from_db(make_db(tmp_path / "old.db", version="0.1.0"), "her",
                           adsorbate_table="adsorbates_pt111_kreitz")
    new = energies_from_db(make_db(tmp_path / "new.db"), "her", adsorbate_table="adsorbates_pt111_kreitz")
    said = [n for n in old.notes if "chefe < 0.2.0" in n]
    assert len(said) == 1 and "0.663 eV" in said[0]
    assert not any("chefe < 0.2.0" in n for n in new.notes)
    assert (old.dG0 == new.dG0).all()  # the same, corrected numbers either way

"""Ideal-gas thermochemistry against independent sources: NIST-JANAF, pMuTT, and hand rules.

Experimental geometries and frequencies (NIST CCCBDB, shipped in gas_molecules_experimental)
go through chefe's ideal-gas model; the result must reproduce the tabulated standard entropies
and enthalpy increments of NIST-JANAF (Chase 1998), which were measured/derived independently
of chefe and of ASE.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from ase import Atoms, units

from chefe.errors import InputError
from chefe.gas import (
    experimental_molecule,
    ground_state_spin,
    molecule_shape,
    molecule_spin,
    select_vibrations,
    whole_molecule,
)
from chefe.refdata import load_table
from chefe.thermo import ThermoPolicy, ideal_gas_correction

T = 298.15
J_MOL_K = units.J / units.mol  # eV/K per J/(mol K)
KJ_MOL = units.kJ / units.mol
MOLECULES = ("H2", "O2", "N2", "H2O", "NH3", "NO", "NO2", "N2O", "HNO3")
JANAF = load_table("gas_entropy_janaf")


def experimental_correction(formula, pressure_bar=1.0):
    atoms, freqs = experimental_molecule(formula)
    return ideal_gas_correction(freqs, atoms, spin=ground_state_spin(formula), pressure_bar=pressure_bar)


def nitric_oxide_excited_level_entropy():
    """S of NO's ²Π3/2 level (degeneracy 2 at 119.73 cm-1) relative to the ground doublet alone:
    q = 2 + 2e^{-x}, S_el = R[ln(q/2) + x e^{-x} / (1 + e^{-x})], x = hcν/kT. Written out by hand."""
    x = 119.73 * units.invcm / (units.kB * T)
    return units.kB * (math.log(1 + math.exp(-x)) + x * math.exp(-x) / (1 + math.exp(-x)))


@pytest.mark.parametrize("formula", MOLECULES)
def test_entropy_matches_janaf(formula):
    corr = experimental_correction(formula)
    s_janaf = JANAF["values"][f"{formula}(g)"] * J_MOL_K
    s = corr.ts / T
    assert abs(s - s_janaf) / J_MOL_K < 1.5, f"{formula}: S = {s / J_MOL_K:.2f} J/mol/K"
    assert abs(T * (s - s_janaf)) < 5e-3


def test_nitric_oxide_needs_its_low_lying_level():
    # with one electronic level (ASE's model alone) NO is 5.4 J/mol/K below JANAF; chefe adds the
    # ²Π3/2 level, and what it adds equals the partition-function formula written out above
    atoms, freqs = experimental_molecule("NO")
    with_level = ideal_gas_correction(freqs, atoms, spin=0.5)
    ground_only = ideal_gas_correction(freqs, atoms, spin=0.5, electronic_levels=())
    s_janaf = JANAF["values"]["NO(g)"] * J_MOL_K
    assert (s_janaf - ground_only.ts / T) / J_MOL_K == pytest.approx(5.4, abs=0.3)
    assert (with_level.ts - ground_only.ts) / T == pytest.approx(nitric_oxide_excited_level_entropy(), abs=1e-12)
    assert any("119.73 cm-1" in n for n in with_level.notes)
    # a quartet NO (not the ground doublet) gets no level it does not have
    assert ideal_gas_correction(freqs, atoms, spin=1.5).notes == ()


@pytest.mark.parametrize("formula", MOLECULES)
def test_heat_capacity_integral_matches_janaf(formula):
    # ∫Cp dT from 0 to 298.15 K = H°(298.15) - H°(0), tabulated by JANAF
    corr = experimental_correction(formula)
    dh = JANAF["enthalpy_increment_kJ_per_mol"][f"{formula}(g)"] * KJ_MOL
    # H2: the classical rigid rotor overestimates H2's rotational energy at 298 K by ~2 meV
    tol = 2.5e-3 if formula == "H2" else 1.0e-3
    assert corr.cp == pytest.approx(dh, abs=tol)


@pytest.mark.parametrize("formula", MOLECULES)
def test_zpe_is_half_the_sum_of_vibrations(formula):
    _, freqs = experimental_molecule(formula)
    corr = experimental_correction(formula)
    # ½ Σ h c ν, with h c = 1.23984e-4 eV cm (CODATA)
    assert corr.zpe == pytest.approx(0.5 * 1.2398420e-4 * sum(freqs), rel=1e-6)


def test_water_at_the_liquid_convention_pressure():
    # S(0.035 bar) = S° - R ln 0.035 = 188.834 + 27.874 = 216.708 J/mol/K -> T·S = 0.6697 eV
    corr = experimental_correction("H2O", pressure_bar=0.035)
    assert corr.ts == pytest.approx(T * 216.708 * J_MOL_K, abs=5e-3)
    assert corr.ts == pytest.approx(0.670, abs=5e-3)  # Nørskov et al. 2004, Table 3: 0.67 eV


pmutt_statmech = pytest.importorskip("pmutt.statmech", reason="pMuTT (test extra) not installed")


@pytest.mark.parametrize("formula", MOLECULES)
@pytest.mark.parametrize("pressure", [1.0, 0.035])
def test_ideal_gas_equals_pmutt(formula, pressure):
    """The same geometry and frequencies through pMuTT (a second program): ZPE, H, T·S within 1 meV."""
    atoms, freqs = experimental_molecule(formula)
    shape = molecule_shape(atoms)
    spin = ground_state_spin(formula)
    model = pmutt_statmech.StatMech(
        name=formula, atoms=atoms, vib_wavenumbers=list(freqs), symmetrynumber=shape.symmetry_number,
        potentialenergy=0.0, spin=spin, **pmutt_statmech.presets["idealgas"])
    # pMuTT's GroundStateElec has one level: compare the same model (NO's ²Π3/2 level off)
    corr = ideal_gas_correction(freqs, atoms, spin=spin, pressure_bar=pressure, electronic_levels=())
    assert corr.zpe == pytest.approx(model.vib_model.get_ZPE(), abs=1e-3)
    assert corr.zpe + corr.cp == pytest.approx(model.get_H(T=T, units="eV"), abs=1e-3)
    assert corr.ts == pytest.approx(T * model.get_S(T=T, P=pressure, units="eV/K"), abs=1e-3)


def test_harmonic_equals_pmutt():
    from chefe.thermo import harmonic_correction, table_correction

    freqs = load_table("adsorbates_pt111_kreitz")["species"]["*NO3"]["frequencies"]
    model = pmutt_statmech.StatMech(name="NO3*", vib_wavenumbers=list(freqs), potentialenergy=0.0,
                                    **pmutt_statmech.presets["harmonic"])
    corr = harmonic_correction(freqs)
    assert corr.zpe == pytest.approx(model.vib_model.get_ZPE(), abs=1e-3)
    assert corr.zpe + corr.cp == pytest.approx(model.get_U(T=T, units="eV"), abs=1e-3)
    assert corr.ts == pytest.approx(T * model.get_S(T=T, units="eV/K"), abs=1e-3)
    assert table_correction("*NO3", "adsorbates_pt111_kreitz").g == pytest.approx(corr.g, abs=1e-12)


# ---------------------------------------------------------------------- geometry, modes, spin
def test_periodic_cell_and_split_molecule():
    # a DFT gas cell: periodic, and the molecule wrapped across the boundary
    atoms, freqs = experimental_molecule("H2O")
    box = atoms.copy()
    box.cell = [10.0, 10.0, 10.0]
    box.pbc = True
    box.positions += [9.7, 5.0, 5.0]
    box.wrap()
    assert box.get_all_distances().max() > 5  # split in the raw coordinates
    whole = whole_molecule(box)
    assert not whole.pbc.any()
    assert whole.get_all_distances()[0, 1:] == pytest.approx([0.9578, 0.9578], abs=1e-9)
    assert np.allclose(sorted(whole.get_moments_of_inertia()), sorted(atoms.get_moments_of_inertia()))
    corr = ideal_gas_correction(freqs, box, pressure_bar=0.035)
    ref = ideal_gas_correction(freqs, atoms, pressure_bar=0.035)
    assert corr.ts == pytest.approx(ref.ts, abs=1e-9)


@pytest.mark.parametrize(("formula", "group", "sigma", "geometry"), [
    ("H2", "D*h", 2, "linear"), ("N2", "D*h", 2, "linear"), ("NO", "C*v", 1, "linear"),
    ("N2O", "C*v", 1, "linear"), ("H2O", "C2v", 2, "nonlinear"), ("NO2", "C2v", 2, "nonlinear"),
    ("NH3", "C3v", 3, "nonlinear"), ("HNO3", "Cs", 1, "nonlinear"),
])
def test_shape_and_symmetry_number_from_the_geometry(formula, group, sigma, geometry):
    # symmetry numbers by hand: the order of the rotational subgroup of the point group
    shape = molecule_shape(experimental_molecule(formula)[0])
    assert (shape.point_group, shape.symmetry_number, shape.geometry) == (group, sigma, geometry)


def test_methane_and_a_slightly_bent_diatomic_free_geometry():
    from ase.build import molecule

    assert molecule_shape(molecule("CH4")).symmetry_number == 12  # T: 12 proper rotations
    # a relaxed CO2 bent by 0.3°: still linear within the tolerance of a DFT geometry
    co2 = molecule("CO2")
    co2.positions[0, 0] += 0.003
    assert molecule_shape(co2).geometry == "linear"


def test_vibrations_found_by_magnitude_not_position():
    # NH3: 3N = 12 modes, six near-zero translations/rotations (two of them imaginary), listed first
    _, vib = experimental_molecule("NH3")
    modes = [-12.0, 3.0, -7.5, 20.0, 11.0, 0.5, *vib]
    sel = select_vibrations(modes, 4, "nonlinear")
    assert sorted(sel.vibrations) == sorted(vib) and not sel.flags
    # the same spectrum in another order gives the same vibrations
    assert sorted(select_vibrations(modes[::-1], 4, "nonlinear").vibrations) == sorted(vib)
    # a real imaginary vibration (-400 cm-1 umbrella of a planar NH3) is kept, reported and flagged
    bad = [-400.0 if f == 950 else f for f in modes]
    sel = select_vibrations(bad, 4, "nonlinear")
    assert -400.0 in sel.vibrations and "imaginary_vibration" in sel.flags and "400.0i" in sel.notes[0]
    with pytest.raises(InputError, match="imaginary"):
        ideal_gas_correction(bad, experimental_molecule("NH3")[0], spin=0)
    dropped = ideal_gas_correction(bad, experimental_molecule("NH3")[0], spin=0,
                                   policy=ThermoPolicy(imaginary="drop"))
    assert dropped.n_imaginary == 1 and "imaginary_vibration" in dropped.flags
    assert any("imaginary" in n for n in dropped.notes)
    # a diatomic: 3N - 5 = 1 vibration, never 3N - 6 = 0
    sel = select_vibrations([2.0, -3.0, 1.0, 15.0, 8.0, 2330.0], 2, "linear")
    assert sel.vibrations == (2330.0,)
    with pytest.raises(InputError, match="expected 12"):
        select_vibrations(vib[:4], 4, "nonlinear")


def test_poorly_separated_rotations_are_flagged():
    _, vib = experimental_molecule("H2O")
    sel = select_vibrations([10, 20, 30, 40, 700, 800, *vib], 3, "nonlinear")
    assert "rotations_not_separated" in sel.flags


def test_spin_from_the_run_or_the_ground_state():
    assert molecule_spin("O2", 2.0) == (1.0, ())
    assert molecule_spin("NO", 1.0)[0] == 0.5 and molecule_spin("NO2", 0.98)[0] == 0.5
    spin, notes = molecule_spin("O2", None)
    assert spin == 1.0 and "ground state" in notes[0]
    spin, notes = molecule_spin("O2", 0.0)  # a singlet O2 run: its own state, noted
    assert spin == 0.0 and "not in the ground state" in notes[0]
    assert molecule_spin("H2O", None) == (0.0, ())
    # O2 as a triplet: S_el = k ln 3 more than the singlet
    atoms, freqs = experimental_molecule("O2")
    triplet = ideal_gas_correction(freqs, atoms, spin=1.0)
    singlet = ideal_gas_correction(freqs, atoms, spin=0.0)
    assert triplet.ts - singlet.ts == pytest.approx(T * units.kB * math.log(3), abs=1e-12)


def test_readme_reference_example_runs():
    """The README's frequency-based reference (HNO3 named as a molecule) resolves and is noted."""
    from chefe.references import ReferenceLedger

    _, vib = experimental_molecule("HNO3")
    led = ReferenceLedger.from_dict({"species": {
        "H2(g)": {"energy": -6.7598, "thermo": {"table": "gas_molecules_experimental"}},
        "HNO3(g)": {"energy": -28.5, "thermo": {"frequencies": list(vib), "atoms": "HNO3"}},
    }})
    g = led.free_energy("HNO3(g)")
    corr = experimental_correction("HNO3")
    assert g == pytest.approx(-28.5 + corr.zpe + corr.cp - corr.ts, abs=1e-12)
    assert "σ=1" in led.provenance("HNO3(g)")
    with pytest.raises(InputError, match="structure file"):
        ReferenceLedger.from_dict({"species": {"NH3(g)": {"energy": -1.0, "thermo": {
            "frequencies": [100.0], "atoms": "NotAMolecule"}}}})


def test_diatomic_without_geometry_is_linear():
    # a diatomic given as an Atoms object: linear, 1 vibration; the old default 'nonlinear' is wrong
    atoms = Atoms("N2", positions=[[0, 0, 0], [0, 0, 1.0977]])
    corr = ideal_gas_correction([2359.0], atoms)
    assert "linear" in corr.source and "nonlinear" not in corr.source
    noted = ideal_gas_correction([2359.0], atoms, geometry="linear", symmetry_number=1)
    assert any("symmetry number 1 given" in n for n in noted.notes)


def test_bent_molecules_are_not_linear():
    # HCN bent to 160° has its H 0.37 Å off the axis: nonlinear, 3N-6 = 3 vibrations
    bend = math.radians(20)
    hcn = Atoms("HCN", positions=[[-1.066 * math.cos(bend), 1.066 * math.sin(bend), 0], [0, 0, 0], [1.156, 0, 0]])
    assert molecule_shape(hcn).geometry == "nonlinear"
    ideal_gas_correction([3311.0, 2097.0, 712.0], hcn)
    # a symmetric bend of 170° keeps C2v (σ = 2), not C∞v (σ = 1)
    a = math.radians(170)
    h2o = Atoms("OH2", positions=[[0, 0, 0], [0.9578, 0, 0], [0.9578 * math.cos(a), 0.9578 * math.sin(a), 0]])
    shape = molecule_shape(h2o)
    assert (shape.geometry, shape.point_group, shape.symmetry_number) == ("nonlinear", "C2v", 2)


def test_spin_respects_electron_parity():
    # O2 has 16 electrons: a moment of 1.4 μB is a triplet (S = 1), never a doublet
    assert molecule_spin("O2", 1.4)[0] == 1.0
    assert molecule_spin("O2", 2.5)[0] == 1.0
    # NO has 15: S = 1/2 for 0.5 and for 0 (a doublet cannot have zero moment in a spin run)
    assert molecule_spin("NO", 0.5)[0] == 0.5 and molecule_spin("NO", 0.0)[0] == 0.5

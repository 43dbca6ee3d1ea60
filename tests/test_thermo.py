"""Thermal corrections agree with ase.thermochemistry on the same real frequencies to 1e-8 eV."""

from __future__ import annotations

import math

import pytest
from ase import units
from ase.build import molecule
from ase.thermochemistry import HarmonicThermo, IdealGasThermo, QuasiHarmonicThermo

from chefe.errors import InputError
from chefe.thermo import (
    ThermoPolicy,
    harmonic_correction,
    ideal_gas_correction,
    standard_entropy_ts,
    table_correction,
)

T = 298.15


def real_modes(nh3_modes):
    return [m.real for m in nh3_modes if m.imag == 0]


def test_imaginary_modes_fail_by_default(nh3_modes):
    # the planar NH3 of the rsgrad OUTCAR has three f/i modes
    with pytest.raises(InputError, match="3 imaginary mode"):
        harmonic_correction(nh3_modes, T, name="rsgrad NH3")


def test_harmonic_equals_ase_on_real_modes(nh3_modes):
    corr = harmonic_correction(nh3_modes, T, ThermoPolicy(imaginary="drop"))
    energies = [f * units.invcm for f in real_modes(nh3_modes)]
    ase = HarmonicThermo(energies, potentialenergy=0.0)
    assert corr.zpe == pytest.approx(ase.get_ZPE_correction(), abs=1e-8)
    assert corr.ts == pytest.approx(T * ase.get_entropy(T, verbose=False), abs=1e-8)
    assert corr.zpe + corr.cp == pytest.approx(ase.get_internal_energy(T, verbose=False), abs=1e-8)
    assert corr.n_imaginary == 3
    assert "imaginary=drop" in corr.policy
    # ZPE by hand: ½ Σ hν
    assert corr.zpe == pytest.approx(0.5 * sum(energies), abs=1e-12)


def test_quasi_harmonic_policy_equals_ase(nh3_modes):
    policy = ThermoPolicy(low_frequency="raise", cutoff_cm=100.0, imaginary="drop")
    corr = harmonic_correction(nh3_modes, T, policy)
    energies = [f * units.invcm for f in real_modes(nh3_modes)]
    ase = QuasiHarmonicThermo(energies, raise_to=100 * units.invcm)
    assert corr.ts == pytest.approx(T * ase.get_entropy(T, verbose=False), abs=1e-8)
    assert corr.zpe == pytest.approx(ase.get_ZPE_correction(), abs=1e-8)
    assert "raise<100cm-1" in corr.policy
    # raising the 0.66 cm-1 mode lowers its entropy: the two policies differ
    raw = harmonic_correction(nh3_modes, T, ThermoPolicy(imaginary="drop"))
    assert corr.ts < raw.ts - 0.05


def test_imaginary_as_real_policy(nh3_modes):
    corr = harmonic_correction(nh3_modes, T, ThermoPolicy(imaginary="real"))
    energies = [abs(m) * units.invcm for m in nh3_modes]
    ase = HarmonicThermo(energies)
    assert corr.zpe == pytest.approx(ase.get_ZPE_correction(), abs=1e-8)


def test_ideal_gas_entropy_by_hand(nh3_modes):
    # The translational entropy alone, written out (Sackur-Tetrode): chefe's T·S minus that of
    # the same molecule with all translations removed must equal T·S_trans at 1 bar. A pressure
    # passed in the wrong unit (ASE's units.bar instead of Pa) adds kT ln(1e5/6.24e-7) = 0.663 eV.
    atoms = molecule("NH3")
    modes = sorted(real_modes(nh3_modes))[-6:]
    corr = ideal_gas_correction(modes, atoms, "nonlinear", 3, 0.0, T, 1.0)
    ase = IdealGasThermo([f * units.invcm for f in modes], "nonlinear", atoms=atoms,
                         symmetrynumber=3, spin=0)
    s_rot_vib = ase.get_ideal_entropy(T, translation=False, rotation=True, vibration=True,
                                      electronic=True, symmetrynumber=3, geometry="nonlinear")[0]
    m = sum(atoms.get_masses()) * units._amu
    kT = units._k * T
    q_t = (2 * math.pi * m * kT / units._hplanck ** 2) ** 1.5 * kT / 1e5
    s_trans = units.kB * (math.log(q_t) + 2.5)
    assert corr.ts == pytest.approx(T * (s_trans + s_rot_vib), abs=1e-6)
    # 0.035 bar (liquid-water convention) raises S by k ln(1/0.035)
    low = ideal_gas_correction(modes, atoms, "nonlinear", 3, 0.0, T, 0.035)
    assert low.ts - corr.ts == pytest.approx(T * units.kB * math.log(1 / 0.035), abs=1e-10)


def test_norskov_table_with_provenance():
    convention = ThermoPolicy(heat_capacity=False)
    h2o = table_correction("H2O(l)", "gas_norskov2004", policy=convention)
    assert (h2o.zpe, h2o.ts, h2o.cp) == (0.56, 0.67, 0.0)
    assert "Nørskov" in h2o.source
    with pytest.raises(InputError, match="tabulated at 298.15"):
        table_correction("H2(g)", "gas_norskov2004", temperature=350.0, policy=convention)
    with pytest.raises(InputError, match="NO"):
        table_correction("NO(g)", "gas_norskov2004", policy=convention)
    # the table has no ∫Cp dT: under the default convention (∫Cp dT for every species) it is refused
    with pytest.raises(InputError, match="no ∫Cp dT.*heat_capacity: false"):
        table_correction("H2(g)", "gas_norskov2004")


def test_entropy_table_reproduces_norskov_ts():
    # S°(H2O,g) = 188.834 J/mol/K at 1 bar (JANAF); at 0.035 bar TS = 0.670 eV (Nørskov 2004: 0.67)
    assert standard_entropy_ts("H2O(g)", pressure_bar=0.035) == pytest.approx(0.670, abs=5e-4)
    assert standard_entropy_ts("H2(g)") == pytest.approx(0.404, abs=5e-4)


# CHE_REFERENCE.md §3.2: ZPE - TS (eV, 298.15 K) from the same Pt(111) frequencies, raw harmonic
# and with modes below 100 cm-1 raised to 100 cm-1.
PT111_ZPE_MINUS_TS = {
    "*H": (0.122, 0.122), "*O": (0.038, 0.038), "*OH": (0.179, 0.192), "*H2O": (0.349, 0.437),
    "*N": (0.060, 0.060), "*NH": (0.368, 0.368), "*NH2": (0.662, 0.662), "*NH3": (0.827, 0.887),
    "*NO": (0.069, 0.069), "*NOH": (0.342, 0.342), "*NHO": (0.274, 0.311), "*NHOH": (0.670, 0.670),
    "*NH2O": (0.546, 0.596), "*NH2OH": (0.862, 0.921), "*NO2": (0.034, 0.108), "*NO2H": (0.306, 0.366),
    "*NO3": (0.087, 0.114),
}


@pytest.mark.parametrize("species", sorted(PT111_ZPE_MINUS_TS))
def test_pt111_frequency_table_reproduces_reference(species):
    from chefe.refdata import load_table

    raw = table_correction(species, "adsorbates_pt111_kreitz")
    raised = table_correction(species, "adsorbates_pt111_kreitz", policy=ThermoPolicy(low_frequency="raise"))
    expected_raw, expected_raised = PT111_ZPE_MINUS_TS[species]
    assert raw.zpe - raw.ts == pytest.approx(expected_raw, abs=6e-4)
    assert raised.zpe - raised.ts == pytest.approx(expected_raised, abs=6e-4)
    # the ZPE stored in the source file agrees with ½Σhν to 0.0065 eV (*O: 0.0755 vs 0.069)
    entry = load_table("adsorbates_pt111_kreitz")["species"][species]
    assert raw.zpe == pytest.approx(entry["zpe_file"], abs=7e-3)
    assert "kirkbadger18" in raw.source and raw.method == "harmonic"


def test_pt111_alternative_binding_mode():
    nn = table_correction("*NO2", "adsorbates_pt111_kreitz")
    oo = table_correction("*NO2", "adsorbates_pt111_kreitz", mode="O,O-bidentate")
    assert oo.zpe - oo.ts == pytest.approx(0.093, abs=6e-4)  # §3.2 XOXNO
    assert nn.g != oo.g
    with pytest.raises(InputError, match="binding mode"):
        table_correction("*NO2", "adsorbates_pt111_kreitz", mode="tridentate")

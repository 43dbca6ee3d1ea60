"""Slab lattice constants consistent with the functional of the inputs (chefe.build.lattice).

Independent checks: the Delta test's WIEN2k PBE volume converted by hand; the PBE-D3(BJ) minimum
checked by the pressure balance (the Birch–Murnaghan pressure written out here against the
dftd3 library's analytic virial, not the energies the minimiser used); a bulk relaxed with EMT
by ASE's cell filter read back against an equation-of-state fit of EMT energies (ase.eos).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from chefe.build import slab
from chefe.build.lattice import bulk_crystal, functional_lattice, lattice_from_run
from chefe.cli.main import main
from chefe.errors import InputError

FILES = Path(__file__).parent / "files"


def test_pbe_lattice_is_the_delta_test_volume():
    # Lejaeghere et al., Science 351, aad3000 (2016): WIEN2k PBE V0 of fcc Cu 11.951 Å^3/atom,
    # of bcc Fe 11.344 Å^3/atom; a = (4 V0)^(1/3) (fcc), (2 V0)^(1/3) (bcc)
    assert functional_lattice("Cu", "pbe").a == pytest.approx((4 * 11.951) ** (1 / 3), abs=2e-4)
    assert functional_lattice("Fe", "pbe").a == pytest.approx((2 * 11.344) ** (1 / 3), abs=2e-4)
    # hcp Co keeps the Delta-test c/a (4.0308/2.4968 in its structure): volume √3/4 a² c = V0 = 10.860
    co = functional_lattice("Co", "pbe")
    assert co.c / co.a == pytest.approx(4.030808 / 2.496799, rel=1e-5)
    assert np.sqrt(3) / 4 * co.a ** 2 * co.c == pytest.approx(10.8599, rel=1e-4)


@pytest.mark.parametrize("metal", ["Cu", "Pt", "Ag", "Fe", "Ru"])
def test_pbe_d3bj_minimum_balances_the_pressures(metal):
    """At the PBE-D3(BJ) volume the PBE pressure (Birch–Murnaghan, written out) equals minus the
    D3 pressure from dftd3's analytic virial (two-body, VASP's cut-offs)."""
    from ase.collections import dcdft
    from ase.units import GPa, Bohr, Hartree
    from dftd3.interface import DispersionModel, RationalDampingParam

    lat = functional_lattice(metal, "pbe-d3bj")
    data = dcdft.data[metal]
    v0, b0, bp = data["wien2k_volume"], data["wien2k_B"] * GPa, data["wien2k_Bp"]
    v = lat.volume
    x = (v0 / v) ** (1 / 3)
    p_pbe = 1.5 * b0 * (x ** 7 - x ** 5) * (1 + 0.75 * (bp - 4) * (x ** 2 - 1))  # eV/Å^3
    crystal = bulk_crystal(metal, lat)
    model = DispersionModel(crystal.numbers, crystal.positions / Bohr, crystal.cell.array / Bohr)
    model.set_realspace_cutoff(50.2 / Bohr, 40.0, 20.0 / Bohr)
    virial = model.get_dispersion(RationalDampingParam(method="pbe"), grad=True)["virial"]
    de_dv = np.trace(virial) * Hartree / (3 * crystal.get_volume())  # dE_D3/dV = tr(σ)/(3V)
    assert p_pbe == pytest.approx(de_dv, rel=2e-3)
    assert de_dv > 0  # dispersion pulls the lattice in: PBE-D3 below PBE
    assert lat.a < functional_lattice(metal, "pbe").a


def test_emt_relaxed_bulk_read_back_equals_an_equation_of_state_fit(tmp_path):
    import ase.build
    import ase.io
    from ase.calculators.emt import EMT
    from ase.eos import EquationOfState
    from ase.filters import FrechetCellFilter
    from ase.io.trajectory import Trajectory
    from ase.optimize import BFGS

    crystal = ase.build.bulk("Cu", "fcc", a=3.7)
    crystal.calc = EMT()
    BFGS(FrechetCellFilter(crystal), logfile=None).run(fmax=1e-6)
    run = tmp_path / "bulk" / "Cu"
    run.mkdir(parents=True)
    with Trajectory(run / "run.traj", "w") as traj:
        traj.write(crystal)
    volumes, energies = [], []
    for a in np.linspace(3.50, 3.70, 9):
        probe = ase.build.bulk("Cu", "fcc", a=a)
        probe.calc = EMT()
        volumes.append(probe.get_volume())
        energies.append(probe.get_potential_energy())
    v0, _, _ = EquationOfState(volumes, energies).fit()
    expected = (4 * v0) ** (1 / 3)
    assert lattice_from_run(run).a == pytest.approx(expected, abs=2e-3)
    # the same crystal in another cell (conventional cubic, written as a CONTCAR) gives the same a
    cubic = ase.build.bulk("Cu", "fcc", a=lattice_from_run(run).a, cubic=True)
    ase.io.write(tmp_path / "CONTCAR", cubic, format="vasp")
    assert lattice_from_run(tmp_path / "CONTCAR").a == pytest.approx(lattice_from_run(run).a, abs=1e-9)
    # a slab built from the run has that lattice: top-layer neighbours at a/√2
    model = slab("Cu", "111", size=(3, 3, 3), lattice=str(run))
    top = np.flatnonzero(model.atoms.get_tags() == 1)
    d = model.atoms.get_distances(top[0], top[1:], mic=True)
    assert d.min() == pytest.approx(expected / np.sqrt(2), abs=2e-3)
    assert model.atoms.info["lattice_method"] == "run"


def test_hcp_and_bcc_runs_in_any_cell(tmp_path):
    import ase.build
    import ase.io

    for crystal, (a, c) in [(ase.build.bulk("Ru", "hcp", a=2.70, c=4.28, orthorhombic=True), (2.70, 4.28)),
                            (ase.build.bulk("Fe", "bcc", a=2.83, cubic=True), (2.83, None))]:
        path = tmp_path / f"{crystal.get_chemical_formula()}.vasp"
        ase.io.write(path, crystal, format="vasp")
        lat = lattice_from_run(path)
        assert lat.a == pytest.approx(a, abs=1e-6)
        assert (lat.c is None and c is None) or lat.c == pytest.approx(c, abs=1e-6)


def test_bad_bulk_runs_are_refused_with_what_to_do(tmp_path):
    import ase.build
    import ase.io

    # a real pw.x relaxation of diamond Si (aiida-quantumespresso test fixture, MIT): no metal lattice
    run = tmp_path / "si"
    run.mkdir()
    shutil.copy(FILES / "qe" / "pw_relax_success.out", run / "pw.out")
    with pytest.raises(InputError, match=r"not an fcc, bcc or hcp crystal \(space group Fd-3m \(227\)\)"):
        lattice_from_run(run)
    # an unfinished relaxation (a real one) is refused, naming why
    bad = tmp_path / "unfinished"
    bad.mkdir()
    shutil.copy(FILES / "qe" / "pw_failed_interrupted_relax.out", bad / "pw.out")
    with pytest.raises(InputError, match="not usable"):
        lattice_from_run(bad)
    ase.io.write(tmp_path / "CuAu.vasp", ase.build.bulk("Cu", "fcc", a=3.8, cubic=True)[:3]
                 + ase.build.bulk("Au", "fcc", a=3.8, cubic=True)[3:], format="vasp")
    with pytest.raises(InputError, match="one element"):
        lattice_from_run(tmp_path / "CuAu.vasp")
    ase.io.write(tmp_path / "Ag.vasp", ase.build.bulk("Ag", "fcc", a=4.1), format="vasp")
    with pytest.raises(InputError, match="the crystal is Ag, not Cu"):
        slab("Cu", lattice=str(tmp_path / "Ag.vasp"))
    with pytest.raises(InputError, match="2 runs inside"):
        lattice_from_run(tmp_path)
    (tmp_path / "none").mkdir()
    with pytest.raises(InputError, match="run the bulk relaxation first"):
        lattice_from_run(tmp_path / "none")
    with pytest.raises(InputError, match="use one of pbe-d3bj"):
        functional_lattice("Cu", "rpbe")
    with pytest.raises(InputError, match="no such file"):
        slab("Cu", lattice="bulk/Cu")


def test_slabs_take_the_functional_lattice():
    cu = slab("Cu", "111", size=(2, 2, 3))  # default: PBE-D3(BJ), the presets' functional
    assert cu.atoms.info["lattice_method"] == "pbe-d3bj"
    assert cu.atoms.cell.lengths()[0] == pytest.approx(2 * functional_lattice("Cu").a / np.sqrt(2))
    exp = slab("Cu", "111", size=(2, 2, 3), lattice="experimental")
    assert exp.atoms.cell.lengths()[0] == pytest.approx(2 * 3.61 / np.sqrt(2))  # ase.data: Cu a = 3.61 Å
    assert slab("Cu", "111", size=(2, 2, 3), a=3.7).atoms.info["lattice_a"] == 3.7
    co = slab("Co", "0001", size=(2, 2, 4))
    lat = functional_lattice("Co")
    z = np.unique(np.round(co.atoms.positions[:, 2], 4))
    assert np.diff(z) == pytest.approx(lat.c / 2, abs=1e-4)  # ABAB stacking: layers c/2 apart
    assert co.atoms.cell.lengths()[0] == pytest.approx(2 * lat.a)


def test_cli_bulk_relaxation_inputs_match_the_slab_functional(tmp_path, capsys):
    tree = tmp_path / "runs"
    assert main(["build", "bulk", "Cu", "-o", str(tree)]) == 0
    assert main(["build", "slab", "Cu", "111", "--adsorbates", "NO3", "-o", str(tree)]) == 0

    def incar(folder):
        return dict(line.split(" = ", 1) for line in (tree / folder / "INCAR").read_text().splitlines())

    bulk, surface = incar("bulk/Cu"), incar("Cu111/slab")
    assert bulk["ISIF"] == "3" and surface["ISIF"] == "2"
    assert int(bulk["ENCUT"]) == round(1.3 * int(surface["ENCUT"]))  # Pulay stress
    for tag in ("GGA", "IVDW", "LASPH", "ISMEAR", "SIGMA", "PREC"):
        assert bulk[tag] == surface[tag], tag
    assert "LDIPOL" not in bulk and bulk["LREAL"] == ".FALSE."
    meta = json.loads((tree / "Cu111" / "slab" / "chefe_build.json").read_text())
    assert meta["lattice_method"] == "pbe-d3bj" and "Lejaeghere" in meta["lattice_source"]
    mesh = [int(x) for x in (tree / "bulk/Cu/KPOINTS").read_text().splitlines()[3].split()]
    assert mesh == [21, 21, 21]  # 2π/(0.15 Å⁻¹ · primitive a) per reciprocal vector, rounded up
    capsys.readouterr()
    assert main(["build", "slab", "Cu", "111", "--lattice", "experimental", "--adsorbates", "NO3",
                 "-o", str(tmp_path / "exp")]) == 0
    out = capsys.readouterr().out
    assert "warning: +1.3 % against the pbe-d3bj lattice" in out
    qe = tmp_path / "qe"
    assert main(["build", "bulk", "Cu", "--code", "qe", "-o", str(qe)]) == 0
    assert main(["build", "slab", "Cu", "--code", "qe", "--adsorbates", "NO3", "-o", str(qe)]) == 0
    bulk_in, slab_in = (qe / "bulk/Cu/pw.in").read_text(), (qe / "Cu111/slab/pw.in").read_text()
    assert "'vc-relax'" in bulk_in and "'relax'" in slab_in
    for text in (bulk_in, slab_in):  # two-body D3(BJ), as VASP's IVDW = 12
        assert "dftd3_version    = 4" in text and "dftd3_threebody  = .false." in text
    assert main(["build", "sac", "Cu", "--lattice", "3.6", "-o", str(tmp_path / "x")]) != 0
    assert "SAC/DAC sheets take none" in capsys.readouterr().err


def test_collect_files_bulk_runs_as_bulk(tmp_path):
    import ase.build
    from ase.calculators.emt import EMT
    from ase.db import connect
    from ase.io.trajectory import Trajectory

    run = tmp_path / "runs" / "bulk" / "Cu"
    run.mkdir(parents=True)
    crystal = ase.build.bulk("Cu", "fcc", a=3.59)
    crystal.calc = EMT()
    crystal.get_potential_energy()
    with Trajectory(run / "run.traj", "w") as traj:
        traj.write(crystal)
    assert main(["collect", str(tmp_path / "runs"), "--db", str(tmp_path / "r.db")]) == 0
    rows = list(connect(tmp_path / "r.db").select())
    assert [(r.role, r.species) for r in rows] == [("bulk", "Cu")]

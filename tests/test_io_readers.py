"""Readers on real files: same energies as ASE and pymatgen, the right flags, never a wrong energy."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from chefe.io.espresso import read_pw
from chefe.io.readers import read_run
from chefe.io.vasp import read_outcar, read_oszicar, read_vasp_folder, read_vasprun
from chefe.io.vibrations import outcar_frequencies, vasprun_frequencies


@pytest.fixture(scope="module")
def fe2o2(files_dir) -> Path:
    return files_dir / "vasp" / "Fe2O2_relax"


def test_fe2o2_outcar_vasprun_oszicar_agree_and_match_ase_pymatgen(fe2o2):
    import ase.io

    out = read_outcar(fe2o2 / "OUTCAR.gz")
    xml = read_vasprun(fe2o2 / "vasprun.xml.gz")
    osz = read_oszicar(fe2o2 / "OSZICAR")
    # OUTCAR and vasprun print 8 decimals; OSZICAR 8 significant digits (-.28218515E+02)
    assert out.energy == pytest.approx(-28.21851457, abs=1e-9)
    assert xml.energy == pytest.approx(out.energy, abs=1e-6)
    assert osz.energy == pytest.approx(out.energy, abs=1e-6)
    ase_out = ase.io.read(fe2o2 / "OUTCAR.gz", format="vasp-out")
    ase_xml = ase.io.read(fe2o2 / "vasprun.xml.gz", format="vasp-xml")
    assert out.energy == pytest.approx(ase_out.get_potential_energy(), abs=1e-6)
    assert xml.energy == pytest.approx(ase_xml.get_potential_energy(), abs=1e-6)
    pmg = pytest.importorskip("pymatgen.io.vasp.outputs")
    assert xml.energy == pytest.approx(pmg.Vasprun(fe2o2 / "vasprun.xml.gz", parse_potcar_file=False,
                                                   parse_dos=False, parse_eigen=False).final_energy, abs=1e-6)
    outcar = pmg.Outcar(fe2o2 / "OUTCAR.gz")
    assert out.free_energy == pytest.approx(outcar.final_energy, abs=1e-6)  # pymatgen: TOTEN
    assert out.energy == pytest.approx(outcar.final_energy_wo_entrp, abs=1e-6)
    # final structure and forces equal ASE's
    np.testing.assert_allclose(out.atoms.get_positions(), ase_out.get_positions(), atol=1e-5)
    np.testing.assert_allclose(out.atoms.cell.array, ase_out.cell.array, atol=1e-6)
    assert out.atoms.get_chemical_formula() == ase_out.get_chemical_formula() == "Fe2O2"
    f = ase_out.get_forces()
    assert out.max_force == pytest.approx(np.sqrt((f ** 2).sum(axis=1)).max(), abs=1e-6)
    np.testing.assert_allclose(xml.atoms.get_positions(), ase_xml.get_positions(), atol=1e-5)
    # run state
    assert out.ok and xml.ok and osz.ok
    assert out.n_ionic == osz.n_ionic == xml.n_ionic == 28
    # magnetisation: OUTCAR prints it; vasprun's comes from the integrated spin DOS at E_F
    assert out.magmom == pytest.approx(4.0, abs=1e-6)
    assert xml.magmom == pytest.approx(out.magmom, abs=1e-6)
    assert out.finished and out.ionic_converged and out.electronic_converged
    assert out.magmom == pytest.approx(4.0, abs=1e-6) and osz.magmom == pytest.approx(4.0)


def test_fe2o2_settings(fe2o2):
    s = read_outcar(fe2o2 / "OUTCAR.gz").settings
    assert s["ENCUT"] == 520.0 and s["PREC"] == "accurate" and s["ISPIN"] == 2
    assert s["LDAU"] is True and s["U"]["Fe"] == [2.0, 4.0, 0.0] and s["U"]["O"][1] == 0.0
    assert s["potcars"] == ["PAW_PBE Fe 06Sep2000", "PAW_PBE O 08Apr2002"]
    assert s["kpoints"] == "g1x1x1" and s["IVDW"] == 0 and s["LDIPOL"] is False
    # the same settings come out of vasprun.xml
    x = read_vasprun(fe2o2 / "vasprun.xml.gz").settings
    for key in ("ENCUT", "PREC", "ISPIN", "LNONCOLLINEAR", "LSORBIT", "LDAU", "U", "kpoints", "IVDW", "LDIPOL"):
        assert x[key] == s[key], key


def test_spin_orbit_run_is_told_apart_from_a_collinear_one(shared_data, fe2o2):
    from chefe.io.consistency import compare_settings

    soc = read_outcar(shared_data / "vasp" / "rsgrad" / "OUTCAR_ncl").settings
    collinear = read_outcar(fe2o2 / "OUTCAR.gz").settings
    # printed in the OUTCAR: 'LNONCOLLINEAR =      T' and 'LSORBIT =      T' vs F and F
    assert soc["LNONCOLLINEAR"] is True and soc["LSORBIT"] is True
    assert collinear["LNONCOLLINEAR"] is False and collinear["LSORBIT"] is False
    assert {"LNONCOLLINEAR", "LSORBIT"} <= set(compare_settings(soc, collinear))
    # rows stored before these keys existed compare as unknown, not as a mismatch
    old = {k: v for k, v in collinear.items() if k not in ("LNONCOLLINEAR", "LSORBIT")}
    assert compare_settings(old, soc, keys=("LNONCOLLINEAR", "LSORBIT")) == []
    # LSORBIT = .TRUE. in an INCAR alone implies the non-collinear treatment
    from chefe.io.settings import vasp_settings

    s = vasp_settings({"LSORBIT": ".TRUE."}, {}, [], {})
    assert s["LNONCOLLINEAR"] is True and s["LSORBIT"] is True


def test_folder_without_outcar_uses_oszicar_and_contcar(fe2o2, tmp_path):
    import shutil

    for name in ("OSZICAR", "CONTCAR", "INCAR", "KPOINTS"):
        shutil.copy(fe2o2 / name, tmp_path / name)
    rec = read_vasp_folder(tmp_path)
    assert rec.reader == "vasp-oszicar"
    assert rec.energy == pytest.approx(-28.218515, abs=1e-9)
    assert rec.atoms.get_chemical_formula() == "Fe2O2"
    assert rec.settings["ENCUT"] == 520.0
    assert rec.finished is None  # cannot be proven without OUTCAR
    # without OUTCAR or vasprun.xml the POTCAR titles come from POTCAR.spec, which is recorded
    (tmp_path / "POTCAR.spec").write_text("PAW_PBE Fe 06Sep2000\nPAW_PBE O 08Apr2002\n")
    rec = read_vasp_folder(tmp_path)
    assert rec.settings["potcars"] == ["PAW_PBE Fe 06Sep2000", "PAW_PBE O 08Apr2002"]
    assert any(f.path.endswith("POTCAR.spec") for f in rec.files)


def test_potcar_titles_come_from_the_run_not_a_potcar_file_left_beside_it(fe2o2, tmp_path):
    """OUTCAR and vasprun.xml print the POTCARs the run used; a POTCAR file in the folder may
    have been swapped since (and costs more to read than the OUTCAR head), so it is not read."""
    import shutil

    for name in ("OUTCAR.gz", "vasprun.xml.gz", "INCAR", "KPOINTS"):
        shutil.copy(fe2o2 / name, tmp_path / name)
    (tmp_path / "POTCAR").write_text("  PAW_PBE Fe_pv 02Aug2007\n   TITEL  = PAW_PBE Fe_pv 02Aug2007\n"
                                     " End of Dataset\n")
    for rec in (read_outcar(tmp_path / "OUTCAR.gz"), read_vasprun(tmp_path / "vasprun.xml.gz")):
        assert rec.settings["potcars"] == ["PAW_PBE Fe 06Sep2000", "PAW_PBE O 08Apr2002"], rec.reader
        assert not any(f.path.endswith("POTCAR") for f in rec.files)


@pytest.mark.parametrize(
    ("name", "reader", "energy", "flags"),
    [
        ("custodian_OSZICAR_empty", read_oszicar, None, {"empty", "no_energy"}),
        ("custodian_OSZICAR_positive_energy", read_oszicar, 46.575827, {"positive_energy"}),
        ("custodian_OSZICAR_nonconverged", read_oszicar, -3.5078944, {"electronic_not_converged"}),
        # the file stops in the middle of a line of ionic step 2: step 1's energy, flagged
        ("custodian_OSZICAR_one_step", read_oszicar, -526.36024, {"truncated", "unfinished"}),
        ("custodian_vasprun_truncated_after_parameters_no_steps.xml", read_vasprun, None,
         {"truncated", "no_energy", "unfinished"}),
        ("custodian_OUTCAR_large_cell_died_before_first_step", read_outcar, None, {"no_energy", "unfinished"}),
        ("custodian_OUTCAR_vasp6.2.1_CO_molecule_singlepoint", read_outcar, -14.79281714, set()),
        ("aiida_vasprun_relax_truncated_mid_scstep.xml", read_vasprun, -43.39044584, {"truncated", "unfinished"}),
        ("aiida_OUTCAR_ionic_not_converged", read_outcar, -3.64854068, {"ionic_not_converged"}),
        ("aiida_OUTCAR_unfinished.gz", read_outcar, -8.61579768, {"unfinished"}),
    ],
)
def test_flags_on_real_broken_files(files_dir, name, reader, energy, flags):
    rec = reader(files_dir / "vasp" / "misc" / name)
    assert set(rec.flags) == flags
    if energy is None:
        assert rec.energy is None
    else:
        assert rec.energy == pytest.approx(energy, abs=1e-8)
    assert rec.ok == (not flags)
    for flag in flags - {"empty"}:
        assert any(flag.split("_")[0] in m or "NELM" in m or "step" in m or "truncated" in m
                   or "finish" in m or "empty" in m for m in rec.messages) or flag in ("positive_energy",)


def test_unfinished_relaxation_keeps_last_complete_step_flagged(files_dir):
    import ase.io

    rec = read_outcar(files_dir / "vasp" / "Fe16S32_unfinished" / "OUTCAR.gz")
    assert set(rec.flags) == {"positive_energy", "unfinished"}
    assert rec.energy == pytest.approx(ase.io.read(files_dir / "vasp" / "Fe16S32_unfinished" / "OUTCAR.gz",
                                                   format="vasp-out").get_potential_energy(), abs=1e-6)
    assert not rec.ok


def test_truncated_vasprun_energy_is_the_last_complete_step(files_dir):
    import ase.io

    path = files_dir / "vasp" / "misc" / "aiida_vasprun_relax_truncated_mid_scstep.xml"
    rec = read_vasprun(path)
    images = ase.io.read(path, format="vasp-xml", index=":")
    assert rec.energy == pytest.approx(images[-1].get_potential_energy(), abs=1e-6)


def test_vibrations_outcar_and_vasprun_agree(files_dir):
    a = outcar_frequencies(files_dir / "vasp" / "misc" / "aiida_OUTCAR_IBRION6_Si_finite_diff.gz")
    b = vasprun_frequencies(files_dir / "vasp" / "misc" / "aiida_vasprun_IBRION6_Si_finite_diff.xml")
    assert a[:3] == pytest.approx([524.666683] * 3, abs=1e-6)
    assert b[:3] == pytest.approx(a[:3], rel=1e-6)  # VASP's constants vs CODATA 2014: 2e-7


def test_nh3_ibrion5_thermochemistry_equals_ase(files_dir):
    from ase import units
    from ase.thermochemistry import HarmonicThermo

    from chefe.thermo import ThermoPolicy, harmonic_correction

    freqs = outcar_frequencies(files_dir / "rsgrad_NH3_IBRION5_modes.txt")
    assert len(freqs) == 12 and sum(f < 0 for f in freqs) == 3  # three f/i modes
    corr = harmonic_correction(freqs, 298.15, ThermoPolicy(imaginary="drop"))
    ase = HarmonicThermo([f * units.invcm for f in freqs if f > 0])
    assert corr.zpe == pytest.approx(ase.get_ZPE_correction(), abs=1e-8)
    assert corr.ts == pytest.approx(298.15 * ase.get_entropy(298.15, verbose=False), abs=1e-8)


@pytest.mark.parametrize("name", ["pw_relax_success.out", "pw_failed_interrupted.out",
                                  "pw_relax_failed_not_converged_nstep.out"])
def test_qe_energies_equal_ase(files_dir, name):
    import ase.io

    rec = read_pw(files_dir / "qe" / name)
    ref = ase.io.read(files_dir / "qe" / name, format="espresso-out", index=-1)
    assert rec.energy == pytest.approx(ref.get_potential_energy(), abs=1e-6)
    np.testing.assert_allclose(rec.atoms.get_positions(), ref.get_positions(), atol=1e-6)


@pytest.mark.parametrize(
    ("name", "flags"),
    [
        ("pw_relax_success.out", set()),
        ("pw_failed_interrupted.out", {"unfinished"}),
        ("pw_failed_interrupted_relax.out", {"no_energy", "unfinished"}),
        ("pw_failed_scf_not_converged.out", {"no_energy", "electronic_not_converged"}),
        ("pw_relax_failed_not_converged_nstep.out", {"ionic_not_converged"}),
        ("pw_RuO2_bulk_hubbardU_ase_espresso.pwo", set()),
    ],
)
def test_qe_flags(files_dir, name, flags):
    rec = read_pw(files_dir / "qe" / name)
    assert set(rec.flags) == flags


def test_qe_settings_hubbard(files_dir):
    rec = read_pw(files_dir / "qe" / "pw_RuO2_bulk_hubbardU_ase_espresso.pwo")
    assert rec.settings["U"] == {"Ru-4d": 2.365} and rec.settings["LDAU"]
    assert rec.version == "pw.x v.7.3.1"


@pytest.mark.parametrize("junk", [b"", b"\x00\x01\xff" * 1000, b"free  energy   TOTEN  =   garbage\n"])
def test_junk_files_never_raise(tmp_path, junk):
    (tmp_path / "OUTCAR").write_bytes(junk)
    rec = read_run(tmp_path, "vasp")
    assert rec.energy is None and not rec.ok
    assert rec.flags  # empty, unreadable or no_energy: always named


def test_every_shared_outcar_matches_ase(shared_data):
    import ase.io

    outcars = sorted((shared_data / "vasp").glob("*/*OUTCAR*")) + sorted((shared_data / "vasp").glob("*/*.outcar"))
    checked = 0
    for path in outcars:
        rec = read_outcar(path)
        try:
            ref = ase.io.read(path, format="vasp-out").get_potential_energy()
        except Exception:  # noqa: BLE001 - files ASE cannot read are checked for flags elsewhere
            assert rec.energy is None or rec.flags
            continue
        assert rec.energy == pytest.approx(ref, abs=1e-6), path.name
        checked += 1
    assert checked >= 12


@pytest.mark.filterwarnings("ignore:.*unconverged VASP run")
def test_every_shared_vasprun_matches_pymatgen(shared_data):
    pmg = pytest.importorskip("pymatgen.io.vasp.outputs")
    checked = 0
    for path in sorted((shared_data / "vasp").glob("*/vasprun*.xml")):
        rec = read_vasprun(path)
        if "truncated" in rec.flags:
            continue
        try:
            ref = pmg.Vasprun(path, parse_potcar_file=False, parse_dos=False, parse_eigen=False).final_energy
        except ValueError:  # pymatgen cannot read '******' fields; chefe still does
            assert rec.energy is not None
            continue
        assert rec.energy == pytest.approx(ref, abs=1e-6), path.name
        checked += 1
    assert checked >= 5


SHARED_FLAGS = {
    "custodian_misc/OSZICAR_empty": {"empty", "no_energy"},
    "custodian_misc/OSZICAR_positive_energy": {"positive_energy"},
    "custodian_misc/OSZICAR_nonconverged": {"electronic_not_converged"},
    "custodian_misc/OSZICAR_one_step": {"truncated", "unfinished"},  # cut inside ionic step 2
    "custodian_misc/OSZICAR_generic": set(),
    "custodian_misc/OUTCAR_MD_IBRION0_Li28P12S44": set(),
    "custodian_misc/OUTCAR_large_cell_died_before_first_step": {"no_energy", "unfinished"},
    "custodian_misc/OUTCAR_vasp6.2.1_CO_molecule_singlepoint": set(),
    "custodian_misc/vasprun_ionic_unconverged_NSW2.xml": {"ionic_not_converged"},
    "custodian_misc/vasprun_max_force_relax.xml": set(),
    "custodian_misc/vasprun_truncated_after_parameters_no_steps.xml": {"truncated", "no_energy", "unfinished"},
    "custodian_misc/vasprun_truncated_midrun_ISPIN2_relax.xml": {"truncated", "unfinished", "electronic_not_converged"},
    "aiida_vasp/OUTCAR_converged": set(),
    "aiida_vasp/OUTCAR_ionic_not_converged": {"ionic_not_converged"},
    "aiida_vasp/OUTCAR_unfinished": {"unfinished"},
    "aiida_vasp/OUTCAR_magnetization_Co_spin": set(),
    "aiida_vasp/OUTCAR_IBRION6_Si_finite_diff": set(),
    "aiida_vasp/vasprun_relax_truncated_mid_scstep.xml": {"truncated", "unfinished"},
    "aiida_vasp/vasprun_relax_complete.xml": set(),
    "aiida_vasp/vasprun_vasp6.2.1.xml": set(),
    "rsgrad/OUTCAR_unfinished": {"unfinished"},
    "rsgrad/OUTCAR_multiple_ionic_steps": set(),
    "rsgrad/OUTCAR_ispin2": set(),
    "rsgrad/OUTCAR_ncl": set(),
    "custodian_Fe16S32_relax_spin_unfinished/OUTCAR": {"positive_energy", "unfinished"},
}


@pytest.mark.parametrize("name", sorted(SHARED_FLAGS))
def test_every_broken_shared_file_gets_the_right_flag(shared_data, name):
    path = shared_data / "vasp" / name
    base = path.name
    reader = read_oszicar if base.startswith("OSZICAR") else (read_vasprun if base.endswith(".xml") else read_outcar)
    rec = reader(path)
    assert set(rec.flags) == SHARED_FLAGS[name]
    if "no_energy" not in rec.flags:
        assert rec.energy is not None and np.isfinite(rec.energy)


def test_gpaw26_text_matches_the_calculators_own_trajectory(files_dir, tmp_path):
    """GPAW ≥ 24 writes tables; ASE's gpaw-out reader fails on them, chefe reads them. The
    trajectory written by the same run holds the calculator's own numbers (full precision)."""
    import ase.io

    from chefe.io.gpaw import read_gpaw_text

    txt = files_dir / "gpaw" / "h2_relax_gpaw26.txt"
    images = ase.io.read(files_dir / "gpaw" / "h2_relax_gpaw26.traj", ":")
    rec = read_gpaw_text(txt)
    last = images[-1]
    assert rec.energy == pytest.approx(last.get_potential_energy(), abs=5e-7)  # printed to 6 decimals
    assert rec.n_ionic == len(images) == 2 and rec.version == "gpaw 26.7.0"
    assert rec.flags == () and rec.finished and rec.electronic_converged
    np.testing.assert_allclose(rec.atoms.positions, last.positions, atol=5e-7)
    np.testing.assert_allclose(rec.atoms.cell[:], last.cell[:], atol=5e-7)
    assert list(rec.atoms.pbc) == [False, False, False]
    assert rec.max_force == pytest.approx(np.linalg.norm(last.get_forces(), axis=1).max(), abs=5e-5)
    with pytest.raises(Exception):
        ase.io.read(txt, format="gpaw-out")  # the cross-check ASE cannot do (ASE 3.29)
    # cut inside the second SCF loop: the first step's energy, flagged unfinished
    text = txt.read_text()
    cut = tmp_path / "cut.txt"
    cut.write_text(text[: text.rfind("|iter:   3|")])
    part = read_gpaw_text(cut)
    assert part.energy == pytest.approx(images[0].get_potential_energy(), abs=5e-7)
    assert "unfinished" in part.flags and part.n_ionic == 1
    assert read_run(str(txt), "gpaw").energy == rec.energy


# ---------------------------------------------------------------------- OUTCAR fast path internals
def test_read_ends_grows_head_and_tail_and_reads_gzip_the_same(tmp_path):
    import gzip

    from chefe.io.tail import read_ends

    body = b"x" * 70_000 + b"HEAD-END" + b"y" * 5_000 + b"TAIL-MARK" + b"z" * 90_000
    plain = tmp_path / "f"
    plain.write_bytes(body)
    head, tail, whole, at = read_ends(plain, (b"HEAD-END",), b"TAIL-MARK", block=4096, head_after=10)
    # the head grew past 70 kB to reach its marker and stops 10 bytes after it
    assert head == body[: body.index(b"HEAD-END") + 10]
    # the tail grew (4, 8, ... 128 kB) until it held the marker, not to the whole file
    assert b"TAIL-MARK" in tail and body.endswith(tail) and not whole and at == -1
    assert len(tail) == 131072
    packed = tmp_path / "f.gz"
    packed.write_bytes(gzip.compress(body))
    ghead, gtail, gwhole, _ = read_ends(packed, (b"HEAD-END",), b"TAIL-MARK", head_after=10)
    assert ghead == head and gtail == body and gwhole


@pytest.mark.parametrize("cut", [0, 2, 6])  # 'STEP' at the start of a 16 kB tail, cut in two by it, before it
def test_read_ends_then_grows_until_a_word_before_the_tail_marker(tmp_path, cut):
    from chefe.io.tail import read_ends

    end = b"TOTEN\n" + b"STEP 2 cut short\n"
    suffix = b"STEP" + b"9" * (16384 + cut - 4 - len(end)) + end  # STEP starts 16384 + cut from the end
    body = b"HEAD-END" + b"8" * 50_000 + b"STEP 0\n" + suffix
    path = tmp_path / "f"
    path.write_bytes(body)
    head, tail, whole, at = read_ends(path, (b"HEAD-END",), b"TOTEN", block=4096, then=b"STEP")
    start = len(body) - len(tail)
    assert body.endswith(tail) and not whole
    assert len(tail) == (16384 if cut == 0 else 32768)
    # the last 'STEP' before the last TOTEN, found while growing (not the one after TOTEN)
    assert start + at == len(body) - 16384 - cut == body.rindex(b"STEP", 0, body.rindex(b"TOTEN"))


def test_outcar_parameters_whole_words_and_out_of_order_keys():
    from chefe.io.vasp import outcar_header

    head = (b" vasp.6.4.2 18Apr23 (build Jan 01 2024)\n"
            b" POTCAR:    PAW_PBE O 08Apr2002\n POTCAR:    PAW_PBE C 08Apr2002\n"
            b" POTCAR:    PAW_PBE O 08Apr2002\n POTCAR:    PAW_PBE O 08Apr2002\n"
            b" KPOINTS: Gamma\n generate k-points for:    3    3    1\n"
            b" Dimension of arrays:\n   k-points           NKPTS =      5   number of ions     NIONS =      3\n"
            b"   ions per type =               1   1   1\n"
            b" Startparameter for this run:\n   PREC   = accurate\n   ENCUT  =  520.0 eV\n"
            b"   ISPIN  =      2    (printed after ENCUT: out of VASP's usual order)\n"
            b"   NELM   =    120;   NELMIN=  2\n   EDIFF  = 0.1E-05\n   EDIFFG = -.2E-01\n"
            b"   METAGGA = SCAN\n   GGA     =    --\n Linear response parameters\n")
    h = outcar_header(head)
    assert h["version"] == "vasp.6.4.2"
    assert (h["PREC"], h["ENCUT"], h["ISPIN"], h["NELM"]) == ("accurate", "520.0", "2", "120")
    assert h["EDIFF"] == "0.1E-05" and h["EDIFFG"] == "-.2E-01"  # EDIFF is not EDIFFG
    assert h["GGA"] == "--" and h["METAGGA"] == "SCAN"  # GGA is not the tail of METAGGA
    assert h["NIONS"] == "3" and h["ions_per_type"] == [1, 1, 1]
    # three atom types O, C, O (a species may repeat): the first three top lines, not a halving
    assert h["potcars"] == ["PAW_PBE O 08Apr2002", "PAW_PBE C 08Apr2002", "PAW_PBE O 08Apr2002"]
    assert h["NKPTS"] == 5 and h["kmesh"] == [3, 3, 1] and h["LDAU"] is False


def test_outcar_vasp6_header_from_the_real_file(files_dir):
    rec = read_outcar(files_dir / "vasp" / "misc" / "custodian_OUTCAR_vasp6.2.1_CO_molecule_singlepoint")
    assert rec.settings["potcars"] == ["PAW_PBE O 08Apr2002", "PAW_PBE C 08Apr2002"]
    assert rec.settings["kpoints"] == "1x1x1" and rec.version.startswith("vasp.6.2.1")
    assert rec.atoms.get_chemical_formula() == "CO"
    assert np.allclose(rec.atoms.cell.lengths(), [20.0, 20.0, 21.15034])


def test_last_step_is_read_whole_even_when_its_printout_is_long(files_dir, tmp_path):
    """The last ionic step's 'Iteration' line can sit hundreds of kB before its TOTEN (the
    eigenvalue printout): the tail is grown until it holds it, so the step count and the
    electronic convergence are those of the last completed step, as ASE counts images."""
    import ase.io

    path = files_dir / "vasp" / "misc" / "aiida_OUTCAR_ionic_not_converged"  # 52 kB between them
    text = path.read_bytes()
    assert text.rfind(b"free  energy   TOTEN") - text.rfind(b"Iteration") > 32 * 1024
    rec = read_outcar(path)
    assert rec.n_ionic == len(ase.io.read(path, index=":", format="vasp-out")) == 2
    assert rec.electronic_converged is True


def test_every_shared_outcar_step_count_matches_ase(shared_data):
    import ase.io

    checked = 0
    for path in sorted((shared_data / "vasp").glob("*/*OUTCAR*")) + sorted((shared_data / "vasp").glob("*/*.outcar")):
        try:
            images = ase.io.read(path, index=":", format="vasp-out")
        except Exception:  # noqa: BLE001 - files ASE cannot read are checked for flags elsewhere
            continue
        rec = read_outcar(path)
        assert rec.n_ionic == len(images), path
        assert rec.electronic_converged is not None, path
        # the moment is the last completed step's, as ASE's final image has it
        ref = images[-1].calc.results.get("magmom")
        if ref is None:
            assert rec.magmom is None, path
        else:
            assert rec.magmom == pytest.approx(float(np.ravel(ref)[0]), abs=1e-9), path
        checked += 1
    assert checked >= 14


def test_dos_moment_by_hand_and_on_a_broken_spin_set():
    """N↑ − N↓ of the integrated DOS at E_F: at 0.5 eV, (1 + 3)/2 − (1 + 2)/2 = 0.5 μB; a spin
    set whose opening tag never closes gives no moment (and no error)."""
    from chefe.io.vasp import _dos_magnetisation

    head = b'<calculation><dos><i name="efermi"> 0.5 </i><total><array>'
    good = head + (b'<set comment="spin 1"><r> 0 0 1 </r><r> 1 0 3 </r></set>'
                   b'<set comment="spin 2"><r> 0 0 1 </r><r> 1 0 2 </r></set></array></total>')
    assert _dos_magnetisation(good) == pytest.approx(0.5, abs=1e-12)
    assert _dos_magnetisation(b"xx" + good, 2) == pytest.approx(0.5, abs=1e-12)
    broken = head + b'<set comment="spin 1"><r> 0 0 1 </r></set><set comment="spin 2</total>'
    assert _dos_magnetisation(broken) is None

"""`chefe fed` figure options: journal sizes, fonts, one axis or panels, a tandem relay; vector
files with embedded fonts; bad values rejected before any work."""

from __future__ import annotations

import json

import numpy as np
import pytest

from chefe.cli.main import main


@pytest.fixture()
def example(root_dir):
    return str(root_dir / "examples" / "goldsmith_ptru" / "ptru_no3rr.yaml")


def _png_size_in(path):
    """Width and height in inches from the PNG header and its pHYs chunk (pixels per metre)."""
    import struct

    data = path.read_bytes()
    w, h = struct.unpack(">II", data[16:24])
    k = data.index(b"pHYs")
    ppm_x, ppm_y = struct.unpack(">II", data[k + 4:k + 12])
    return w / (ppm_x * 0.0254), h / (ppm_y * 0.0254)


@pytest.mark.parametrize("width", ["3.3", "7"])
def test_width_and_height_are_the_saved_size(example, tmp_path, width):
    out = tmp_path / "f.png"
    assert main(["fed", example, "--catalysts", "comp-1", "-o", str(out), "--width", width, "--height", "3"]) == 0
    w, h = _png_size_in(out)
    assert w == pytest.approx(float(width), abs=0.01) and h == pytest.approx(3.0, abs=0.01)


def test_pdf_embeds_truetype_fonts_and_svg_has_glyph_paths(example, tmp_path):
    pdf, svg = tmp_path / "f.pdf", tmp_path / "f.svg"
    assert main(["fed", example, "--catalysts", "comp-1,comp-9", "-o", str(pdf), "-o", str(svg)]) == 0
    raw = pdf.read_bytes()
    assert b"/FontFile2" in raw  # an embedded TrueType program (pdf.fonttype 42), not a reference
    text = svg.read_text()
    assert "<text" not in text and "<path" in text  # glyphs as paths: no font needed to view it


def test_single_catalyst_potentials_share_one_axis_unless_panels(example, tmp_path):
    one, two = tmp_path / "one.json", tmp_path / "two.json"
    assert main(["fed", example, "--catalysts", "comp-1", "--U", "0", "-0.2", "UL", "--json", str(one)]) == 0
    assert main(["fed", example, "--catalysts", "comp-1", "--U", "0", "-0.2", "UL", "--panels",
                 "--json", str(two)]) == 0
    p1 = json.loads(one.read_text())["plot"]["panels"]
    p2 = json.loads(two.read_text())["plot"]["panels"]
    assert len(p1) == 1 and len(p1[0]["series"]) == 3 and len(p2) == 3
    legends = [s["legend"] for s in p1[0]["series"]]
    assert legends[0].startswith("s-") and "U = 0.00" in legends[0] and "U$_L$" in legends[2]
    # the levels of each potential differ by n_e·U from the 0 V ones: the hand rule of the CHE
    g0, g2 = (np.array(s["level_y"]) for s in (p1[0]["series"][0], p1[0]["series"][1]))
    from chefe.inputs import load_energies
    from chefe.profile import free_energy_profile
    from chefe.report import fed_report

    rep = fed_report(load_energies(example), potentials=[0], catalysts=["comp-1"])
    p = free_energy_profile(rep.result, rep.selected[0], 0.0)
    electrons = np.concatenate([[0.0], np.cumsum(p.n_e)])
    np.testing.assert_allclose(g2 - g0, electrons * -0.2, atol=1e-9)


@pytest.mark.parametrize("args, words", [
    (["--width", "-1"], "--width -1: give a positive number"),
    (["--fontsize", "0"], "--fontsize 0: give a positive number"),
    (["--font", "Ariall"], "--font Ariall: not installed"),
    (["--relay", "Cu"], "--relay 'Cu': name the donor and the acceptor"),
    (["--relay", "Cu,Co"], "no site or catalyst 'Cu'"),
])
def test_bad_figure_options_are_one_line_errors(example, tmp_path, capsys, args, words):
    assert main(["fed", example, "-o", str(tmp_path / "f.png"), *args]) == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err
    assert not (tmp_path / "f.png").exists()


def test_relay_levels_by_hand(tmp_path):
    """A Cu/Co tandem catalyst with hand-set step energies (eV, at 0 V_RHE, pH 0): the relay's
    levels are the Cu site's along its route to NO2-, then -ΔG(NO2_des on Co) for the
    re-adsorption, then the Co site's steps from *NO2; its U_L is minus the largest
    reduction step, and the oxidative re-adsorption is not a PDS candidate."""
    import yaml

    from chefe.network import load_network

    net = load_network("no3rr_sac")
    cu = {s.id: -0.3 for s in net.steps}
    co = {s.id: -0.3 for s in net.steps}
    cu["NO3_NO3H"] = 0.10
    cu["NO2_des"] = -0.40
    co["NO2_des"] = 0.20  # nitrite binds Co: re-adsorption downhill by 0.20 eV
    co["NO_NHO"] = 0.35
    co["NO_NOH"] = 0.50
    doc = {"network": "no3rr_sac", "kind": "step", "catalysts": {
        "CuCo-Cu": {"site": "Cu", "energies": cu}, "CuCo-Co": {"site": "Co", "energies": co}}}
    path = tmp_path / "tandem.yaml"
    path.write_text(yaml.safe_dump(doc))
    out = tmp_path / "r.json"
    assert main(["fed", str(path), "--relay", "Cu,Co", "--U", "0", "--json", str(out)]) == 0
    prof = json.loads(out.read_text())["plot"]["panels"][0]["series"]
    donor, acceptor = prof
    # Cu: NO3- -> *NO3 (-0.3) -> *NO3H (+0.1) -> *NO2 (-0.3) -> NO2- (-0.4)
    np.testing.assert_allclose(donor["level_y"], [0.0, -0.3, -0.2, -0.5, -0.9], atol=1e-9)
    # Co: NO2- -> *NO2 (-0.2), *NO2 -> *NO2H (-0.3), *NO2H -> *NO (-0.3), *NO -> *NHO (+0.35) ...
    assert acceptor["level_y"][0] == pytest.approx(-0.9)
    assert acceptor["level_y"][1] == pytest.approx(-1.1)
    assert np.diff(acceptor["level_y"])[3] == pytest.approx(0.35)
    assert "relay U$_L$ = \u22120.35 V" in acceptor["legend"]

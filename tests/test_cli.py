"""The chefe command line: a thin wrapper over the API."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from chefe.cli.main import main


@pytest.fixture()
def example(root_dir):
    return str(root_dir / "examples" / "goldsmith_ptru" / "ptru_no3rr.yaml")


def test_fed_table_json_csv_and_figures(example, tmp_path, capsys):
    out_png, out_pdf = tmp_path / "f.png", tmp_path / "f.pdf"
    rc = main(["fed", example, "-o", str(out_png), "-o", str(out_pdf), "--catalysts", "comp-1,comp-9",
               "--json", str(tmp_path / "r.json"), "--csv", str(tmp_path / "r.csv")])
    assert rc == 0
    text = capsys.readouterr().out
    assert "s-Pt100" in text and "-0.071" in text and "NH2_NH3" in text
    assert out_png.stat().st_size > 0 and out_pdf.stat().st_size > 0
    data = json.loads((tmp_path / "r.json").read_text())
    assert data["network"] == "no3rr_liu2019" and len(data["catalysts"]) == 12
    pt = data["catalysts"][0]
    assert pt["PDS_id"] == "NH2_NH3" and pt["U_L"] == pytest.approx(-0.0712, abs=5e-4)
    assert (tmp_path / "r.csv").read_text().startswith("catalyst,")


def test_json_to_stdout(example, capsys):
    assert main(["fed", example, "--json", "-", "--pH", "0"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["conditions"]["pH"] == 0


def test_error_is_one_line_naming_the_file(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("network: no3rr_sac\nkind: step\ncatalysts: {A: {energies: {NO3_ads: .nan}}}\n")
    assert main(["fed", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.yaml" in err and "NaN" in err and "Traceback" not in err


def test_networks_command(capsys):
    assert main(["networks", "no3rr_sac"]) == 0
    assert "NO3_ads" in capsys.readouterr().out


def test_help_does_not_import_heavy_modules():
    code = ("import sys; from chefe.cli.main import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "heavy = [m for m in ('numpy', 'ase', 'matplotlib', 'yaml') if m in sys.modules]\n"
            "print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().endswith("[]")

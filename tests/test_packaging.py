"""The wheel ships the reference tables and networks; an installed chefe finds them."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import chefe
from chefe.refdata import available_tables, load_table, refs_dir


@pytest.fixture(scope="module")
def wheel(root_dir, tmp_path_factory):
    pytest.importorskip("hatchling")
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(out), str(root_dir)], check=True, capture_output=True)
    wheels = list(out.glob("chefe-*.whl"))
    assert len(wheels) == 1
    return wheels[0]


def test_wheel_contains_reference_tables_networks_and_style(wheel, root_dir):
    names = set(zipfile.ZipFile(wheel).namelist())
    for table in (root_dir / "adsorbate_refs").glob("*.yaml"):
        assert f"chefe/adsorbate_refs/{table.name}" in names
    for net in (root_dir / "src" / "chefe" / "networks").glob("*.yaml"):
        assert f"chefe/networks/{net.name}" in names
    assert "chefe/plotting/chefe.mplstyle" in names
    assert "chefe/py.typed" in names


def test_wheel_installed_alone_finds_its_data(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target),
                    str(wheel)], check=True, capture_output=True)
    code = ("import chefe, chefe.refdata as r, chefe.formation as f, chefe.network as n\n"
            "print(chefe.__file__); print(r.refs_dir())\n"
            "print(round(f.hno3_cycle().value, 4)); print(len(n.shipped_networks()))")
    env = {"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    module, refs, cycle, n_nets = out.stdout.split()
    assert Path(module).is_relative_to(target) and Path(refs).is_relative_to(target)
    assert float(cycle) == -0.3918 and int(n_nets) >= 7


def test_this_installation_finds_tables():
    assert {"formation_crc", "formation_nbs82", "gas_norskov2004"} <= set(available_tables())
    assert load_table("formation_crc")["values"]["NO3-(aq)"] == -111.3
    package = Path(chefe.__file__).parent
    if "site-packages" in str(package):  # a non-editable (wheel) install, as in CI
        assert refs_dir().is_relative_to(package)

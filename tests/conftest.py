"""Shared fixtures: paths to the real test files and to ../shared/data (skipped when absent)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import settings as _hypothesis_settings

# property tests: a bounded budget in CI, a larger one on demand
# (pytest --hypothesis-profile=deep); a test's own @settings still wins
_hypothesis_settings.register_profile("ci", max_examples=300, deadline=None)
_hypothesis_settings.register_profile("deep", max_examples=20000, deadline=None)
_hypothesis_settings.load_profile("ci")

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
SHARED = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def files_dir() -> Path:
    return TESTS / "files"


@pytest.fixture(scope="session")
def root_dir() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared/data is not present in this checkout")
    return SHARED


def outcar_modes(path: Path) -> list[complex]:
    """Frequencies (cm-1) of a VASP OUTCAR eigenvalue block; f/i modes as imaginary numbers."""
    modes = []
    for line in path.read_text().splitlines():
        m = re.match(r"\s*\d+\s+f(/i)?\s*=.*?([\d.]+)\s+cm-1", line)
        if m:
            value = float(m.group(2))
            modes.append(complex(0.0, value) if m.group(1) else complex(value, 0.0))
    return modes


@pytest.fixture(scope="session")
def nh3_modes(files_dir: Path) -> list[complex]:
    modes = outcar_modes(files_dir / "rsgrad_NH3_IBRION5_modes.txt")
    assert len(modes) == 12
    return modes


class EnergiesDoc:
    """Factory of a valid energies-file mapping (kind total, one SAC, O-end intermediates).

    Made-up total energies (eV) of one single-atom catalyst; thermal corrections per adsorbate
    (``thermo``: a number or a zpe/cp/ts mapping, the same for every adsorbate); DFT-like gas
    references with tabulated or explicit corrections, ``species`` adding or replacing some.
    ``doc(**extra)`` returns a fresh mapping with ``extra`` keys added or replaced.
    """

    BASE_REFS = {
        "H2(g)": {"energy": -6.7598, "thermo": {"table": "gas_molecules_experimental"}},
        "H2O(l)": {"energy": -14.2194, "thermo": {"table": "gas_molecules_experimental"}},
        "HNO3(g)": {"energy": -28.5, "thermo": {"zpe": 0.70, "cp": 0.12, "ts": 0.82}},
        "NH3(g)": {"energy": -19.54, "thermo": {"zpe": 0.89, "cp": 0.10, "ts": 0.60}},
    }
    E = {"*": -300.0, "*NO3": -325.3, "*NO3H": -329.0, "*NO2": -320.4, "*NO2H": -324.2, "*NO": -316.1,
         "*NOH": -319.4, "*N": -308.9, "*NH": -312.9, "*NH2": -317.0, "*NH3": -320.6}

    def __init__(self, thermo=None, species=None):
        import copy

        self.thermo = {"zpe": 0.37, "cp": 0.08, "ts": 0.16} if thermo is None else thermo
        self.REFS = {"species": copy.deepcopy({**self.BASE_REFS, **(species or {})})}

    def __call__(self, **extra):
        import copy

        d = {"network": "no3rr_sac", "kind": "total", "references": copy.deepcopy(self.REFS),
             "adsorbate_thermo": {k: copy.deepcopy(self.thermo) for k in self.E if k != "*"},
             "catalysts": {"A": {"energies": dict(self.E)}}}
        d.update(extra)
        return d


@pytest.fixture(scope="session")
def energies_doc():
    """The :class:`EnergiesDoc` factory, for a module that needs other thermo or references."""
    return EnergiesDoc


@pytest.fixture(scope="session")
def doc() -> EnergiesDoc:
    """``doc(**extra)``: a valid energies-file mapping to start a test from."""
    return EnergiesDoc()

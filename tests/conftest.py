"""Shared fixtures: paths to the real test files and to ../shared/data (skipped when absent)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

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

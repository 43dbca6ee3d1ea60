"""Locate and read the cited reference tables shipped in ``adsorbate_refs/``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from .errors import InputError


def refs_dir() -> Path:
    """Folder holding the reference tables.

    In an installed wheel it is ``chefe/adsorbate_refs``; in a source checkout (editable
    install) it is the repository's top-level ``adsorbate_refs/``.
    """
    from importlib.resources import files

    packaged = Path(str(files("chefe"))) / "adsorbate_refs"
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[2] / "adsorbate_refs"
    if checkout.is_dir():
        return checkout
    raise InputError(
        "chefe's reference tables (adsorbate_refs/) are missing from this installation: "
        f"looked in {packaged} and {checkout}; reinstall chefe"
    )


def available_tables() -> tuple[str, ...]:
    """Names of the shipped tables (file stems)."""
    return tuple(sorted(p.stem for p in refs_dir().glob("*.yaml")))


@lru_cache(maxsize=32)
def load_table(name: str) -> dict[str, Any]:
    """Read one table by name (``"formation_nbs82"``) or path, with ``yaml.safe_load``."""
    import yaml

    path = Path(name)
    if path.suffix not in (".yaml", ".yml"):
        path = refs_dir() / f"{name}.yaml"
    if not path.exists():
        raise InputError(f"no reference table {name!r}; shipped tables: {list(available_tables())}")
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise InputError(f"{path}: malformed YAML: {exc}") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: a reference table must be a mapping")
    data.setdefault("path", str(path))
    return data

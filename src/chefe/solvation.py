"""Solvation corrections: a per-adsorbate (or per-class) free-energy shift applied like ZPE/TS.

No NO3RR-specific standard exists, so chefe ships no values: a study brings its own table (for
example from implicit-solvent runs, or the explicit-water shifts of its own reference), and
chefe applies it to G(*X) of the listed adsorbates and records it in the output notes.

An energies file (or :func:`solvation_from_spec`) takes::

    solvation:
      source: "VASPsol, ε = 78.4, this work"    # recorded in the notes
      "*OH": -0.30                               # per adsorbate (eV)
      "*NO3": -0.10
      classes:                                   # or per class: one value for several adsorbates
        N-bound: {species: ["*NH2", "*NH3"], value: -0.05}
      default: 0.0                               # every adsorbate not listed (default 0)

or ``solvation: {table: my_solvation.yaml}`` with the same content in that file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import InputError, finite_number
from .species import canonical, parse_species

_RESERVED = ("source", "classes", "default", "table")


@dataclass(frozen=True)
class SolvationCorrections:
    """Free-energy shifts (eV) added to G of adsorbates.

    Attributes:
        values: canonical adsorbate name -> eV.
        default: eV for adsorbates not in ``values``.
        source: where the numbers come from.
    """

    values: Mapping[str, float] = field(default_factory=dict)
    default: float = 0.0
    source: str = ""

    def correction(self, species: str) -> float:
        """Shift of ``species`` in eV (0 for the free site and for non-adsorbates)."""
        name = canonical(species)
        if parse_species(name).phase != "ads":
            return 0.0
        return float(self.values.get(name, self.default))

    def describe(self) -> str:
        """One note line: the values and their source."""
        shown = ", ".join(f"{k} {v:+.3f}" for k, v in sorted(self.values.items()))
        if self.default:
            shown += (", " if shown else "") + f"others {self.default:+.3f}"
        return f"solvation corrections (eV): {shown or 'none'}" + (f" [{self.source}]" if self.source else "")


def _value(value: Any, where: str) -> float:
    return finite_number(value, where)


def solvation_from_spec(spec: Any, *, where: str = "solvation", base: str | Path = ".",
                        known: tuple[str, ...] | None = None) -> SolvationCorrections:
    """Read the ``solvation`` block (see module docstring); ``known`` lists allowed adsorbates."""
    if spec is None:
        return SolvationCorrections()
    if not isinstance(spec, Mapping):
        raise InputError(f"{where}: solvation must map adsorbates to corrections in eV")
    if "table" in spec:
        from .inputs import read_yaml

        path = Path(base) / str(spec["table"])
        extra = set(spec) - {"table"}
        if extra:
            raise InputError(f"{where}: give either 'table' or the corrections, not both ({sorted(extra)})")
        return solvation_from_spec(read_yaml(path), where=str(path), base=path.parent, known=known)
    values: dict[str, float] = {}

    def add(label: Any, value: Any, at: str) -> None:
        try:
            name = canonical(str(label))
        except Exception as exc:  # SpeciesError names the label
            raise InputError(f"{at}: {exc}") from None
        if parse_species(name).phase != "ads":
            raise InputError(f"{at}: {label!r} is not an adsorbate; solvation corrections apply to *X species")
        if known is not None and name not in known:
            raise InputError(f"{at}: {label!r} is not in the network (its adsorbates: {list(known)})")
        if name in values:
            raise InputError(f"{at}: {label!r} is given twice")
        values[name] = _value(value, f"{at} {label}")

    for label, value in spec.items():
        if label in _RESERVED:
            continue
        add(label, value, where)
    classes = spec.get("classes") or {}
    if not isinstance(classes, Mapping):
        raise InputError(f"{where}: classes must map a class name to {{species: [...], value: eV}}")
    for cls, entry in classes.items():
        at = f"{where}: class {cls!r}"
        if not isinstance(entry, Mapping) or set(entry) != {"species", "value"}:
            raise InputError(f"{at}: write {{species: [*A, *B], value: eV}}")
        for label in entry["species"]:
            add(label, entry["value"], at)
    default = _value(spec.get("default", 0.0), f"{where}: default")
    return SolvationCorrections(values, default, str(spec.get("source", "")))

"""The schema of an energies file: one pydantic model, validated before anything is computed.

Every key of an energies file is declared here; an unknown key is an error naming the file, the
line and the key's path, with the closest allowed key ("did you mean 'conditions'?"). Types and
ranges are checked (T > 0, pH 0–14 with a warning outside, frequencies numbers, policies from
their lists). Accepted aliases: ``ZPE``, ``TS``, ``Cp``/``CP`` for ``zpe``, ``ts``, ``cp``.
``units:`` (eV by default; kJ/mol, kcal/mol, Hartree, through :mod:`ase.units`) converts every
energy of the file to eV here, so the rest of chefe sees eV only.

:func:`energies_json_schema` exports the same models as JSON Schema (``chefe schema``), for
editors that validate YAML as it is typed.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Annotated, Any, Literal, Union

from pydantic import Discriminator, Field, Tag, field_validator

from ..errors import InputError
from .base import InputWarning, Number, Strict, energy_units, json_schema, validate


class Conditions(Strict):
    """``conditions:`` potential(s) (V), pH, temperature (K) and scale."""

    U: Number | list[Number] | None = None
    pH: Number = 0.0
    T: Annotated[float, Field(gt=0, allow_inf_nan=False)] = 298.15
    scale: Literal["RHE", "SHE"] = "RHE"

    @field_validator("pH")
    @classmethod
    def _ph_range(cls, value: float) -> float:
        if not 0.0 <= value <= 14.0:
            warnings.warn(f"pH {value:g} lies outside 0-14", InputWarning, stacklevel=2)
        return value


class ThermoPolicy(Strict):
    """``thermo_policy:`` see :class:`chefe.thermo.ThermoPolicy`."""

    low_frequency: Literal["harmonic", "raise"] = "harmonic"
    cutoff_cm: Annotated[float, Field(gt=0)] = 100.0
    imaginary: Literal["fail", "drop", "real"] = "fail"
    heat_capacity: bool = True


class TableThermo(Strict):
    """A shipped table: ``{table: adsorbates_pt111_kreitz, mode: O,O-bidentate}``."""

    table: str
    mode: str | None = None


class FrequencyThermo(Strict):
    """Frequencies in cm⁻¹ (imaginary ones negative); gas-only keys for reference species."""

    frequencies: list[Number]
    atoms: str | None = None
    geometry: Literal["linear", "nonlinear", "monatomic"] | None = None
    symmetry: Annotated[int, Field(ge=1)] | None = None
    spin: Annotated[float, Field(ge=0)] | None = None
    pressure_bar: Annotated[float, Field(gt=0)] | None = None


class ExplicitThermo(Strict):
    """Values in the file's energy unit: ``{zpe: 0.37, cp: 0.08, ts: 0.16, source: ...}``."""

    zpe: Number = 0.0
    cp: Number | None = None
    ts: Number = 0.0
    source: str | None = None


def _thermo_kind(value: Any) -> str:
    for model, tag in ((TableThermo, "table"), (FrequencyThermo, "frequencies"), (ExplicitThermo, "explicit")):
        if isinstance(value, model):
            return tag
    if isinstance(value, Mapping):
        if "table" in value:
            return "table"
        if "frequencies" in value:
            return "frequencies"
        return "explicit"
    return "number"


Thermo = Annotated[
    Union[Annotated[TableThermo, Tag("table")], Annotated[FrequencyThermo, Tag("frequencies")],
          Annotated[ExplicitThermo, Tag("explicit")], Annotated[Number, Tag("number")]],
    Discriminator(_thermo_kind),
]


class ReferenceEnergy(Strict):
    """A reservoir species from DFT: ``{energy: E, thermo: {...}}``."""

    energy: Number
    thermo: Thermo | None = None
    note: str | None = None
    source: str | None = None


class ReferenceFreeEnergy(Strict):
    """A reservoir species given as a free energy: ``{G: value}``."""

    G: Number
    note: str | None = None
    source: str | None = None


def _reference_kind(value: Any) -> str:
    if isinstance(value, ReferenceFreeEnergy):
        return "G"
    if isinstance(value, ReferenceEnergy):
        return "energy"
    if isinstance(value, Mapping):
        return "G" if "G" in value else "energy"
    return "number"


ReferenceSpecies = Annotated[
    Union[Annotated[ReferenceEnergy, Tag("energy")], Annotated[ReferenceFreeEnergy, Tag("G")],
          Annotated[Number, Tag("number")]],
    Discriminator(_reference_kind),
]


class References(Strict):
    """``references:`` see :meth:`chefe.references.ReferenceLedger.from_dict`."""

    species: dict[str, ReferenceSpecies] = Field(default_factory=dict)
    temperature: Annotated[float, Field(gt=0)] | None = None
    thermo_policy: ThermoPolicy | None = None
    nitrate: Any = "hno3_cycle"
    formation_table: Literal["crc", "crc98", "nbs82"] = "crc"
    ammonia: Literal["gas", "aq", "NH4+"] = "gas"
    gas_corrections: dict[str, Any] | None = None

    @field_validator("nitrate")
    @classmethod
    def _nitrate_form(cls, value: Any) -> Any:
        from ..references import nitrate_cycle_value

        try:
            nitrate_cycle_value(value, where="")
        except InputError as exc:
            raise ValueError(str(exc).removeprefix(": ")) from None
        return value


class Catalyst(Strict):
    """One catalyst (or one active site of a tandem catalyst)."""

    energies: dict[str, Number]
    thermo: dict[str, Thermo] | None = None
    barriers: dict[str, Number] | None = None
    label: str | None = None
    color: str | None = None
    site: str | None = None


class Style(Strict):
    """``style:`` per catalyst: label, colour and site of the legend entry."""

    label: str | None = None
    color: str | None = None
    site: str | None = None


class Descriptor(Strict):
    """Kind ``linear``: a descriptor read from a column of the CSV."""

    column: str
    scale: Number = 1.0
    unit: Literal["eV", "kJ/mol", "kcal/mol"] | None = None


class LinearStep(Strict):
    """Kind ``linear``: ``dE`` or ``forward``/``backward`` as {descriptor: coefficient, const: c}."""

    dE: dict[str, Number] | None = None
    forward: dict[str, Number] | None = None
    backward: dict[str, Number] | None = None
    beta: Annotated[float, Field(ge=0, le=1)] | None = None


class LinearModel(Strict):
    """Kind ``linear``: the model's unit, source and step relations."""

    unit: Literal["eV", "kJ/mol", "kcal/mol"] = "eV"
    source: str | None = None
    steps: dict[str, LinearStep]


class EnergiesFile(Strict):
    """An energies file (``chefe fed FILE``); see the README for each kind."""

    network: str | dict[str, Any]
    kind: Literal["total", "adsorption", "step", "linear"] = "total"
    title: str | None = None
    units: Literal["eV", "kJ/mol", "kcal/mol", "Hartree"] = "eV"
    conditions: Conditions | None = None
    references: References | None = None
    thermo_policy: ThermoPolicy | None = None
    adsorbate_thermo: dict[str, Thermo] | None = None
    catalysts: dict[str, Catalyst] | None = None
    style: dict[str, Style] | None = None
    solvation: dict[str, Any] | None = None
    basis: dict[str, str] | None = None
    reference_pH: Number | None = None
    nitrate_adsorption: Literal["oxidative", "chemical"] = "oxidative"
    nitrite: Literal["NO2-", "HNO2", "auto"] = "NO2-"
    descriptors_file: str | None = None
    key: str | None = None
    label_column: str | None = None
    descriptors: dict[str, Descriptor] | None = None
    model: LinearModel | None = None

    @field_validator("catalysts", "style", mode="before")
    @classmethod
    def _names_are_text(cls, value: Any) -> Any:
        # YAML reads a catalyst named 111, 1.5 or null as a number or None: names are strings
        if isinstance(value, Mapping):
            return {("null" if k is None else str(k)): v for k, v in value.items()}
        return value


# ---------------------------------------------------------------------- validation
def validate_energies(data: Any, *, source: str = "<energies>",
                      lines: Mapping[tuple, int] | None = None) -> dict[str, Any]:
    """Validate an energies file's mapping; return it with aliases resolved and energies in eV.

    Raises:
        InputError: naming ``source``, the line (when ``lines`` maps key paths to lines) and the
            key path of every problem, with what to write instead.
    """
    if not isinstance(data, Mapping):
        raise InputError(f"{source}: an energies file must be a mapping of keys to values")
    model = validate(EnergiesFile, dict(data), source=source, lines=lines)
    out = model.model_dump(exclude_none=True, exclude_unset=True)
    factor = energy_units()[model.units]
    if factor != 1.0:
        _to_ev(out, factor)
    out.pop("units", None)
    return out


def _scale_thermo(spec: Any, factor: float) -> Any:
    if isinstance(spec, (int, float)) and not isinstance(spec, bool):
        return spec * factor
    if isinstance(spec, dict) and "table" not in spec and "frequencies" not in spec:
        return {k: (v * factor if k in ("zpe", "cp", "ts") else v) for k, v in spec.items()}
    return spec


def _to_ev(doc: dict, factor: float) -> None:
    """Every energy of a validated energies file, in place, from the file's unit to eV."""
    for entry in (doc.get("catalysts") or {}).values():
        entry["energies"] = {k: v * factor for k, v in entry["energies"].items()}
        if "barriers" in entry:
            entry["barriers"] = {k: v * factor for k, v in entry["barriers"].items()}
        if "thermo" in entry:
            entry["thermo"] = {k: _scale_thermo(v, factor) for k, v in entry["thermo"].items()}
    if "adsorbate_thermo" in doc:
        doc["adsorbate_thermo"] = {k: _scale_thermo(v, factor) for k, v in doc["adsorbate_thermo"].items()}
    refs = doc.get("references") or {}
    for name, spec in (refs.get("species") or {}).items():
        if isinstance(spec, (int, float)):
            refs["species"][name] = spec * factor
            continue
        for key in ("energy", "G"):
            if key in spec:
                spec[key] = spec[key] * factor
        if "thermo" in spec:
            spec["thermo"] = _scale_thermo(spec["thermo"], factor)
    nitrate = refs.get("nitrate")
    if isinstance(nitrate, dict):
        refs["nitrate"] = {k: v * factor for k, v in nitrate.items()}
    fixes = refs.get("gas_corrections")
    if isinstance(fixes, dict) and "scheme" not in fixes:
        refs["gas_corrections"] = {k: (v * factor if k != "source" else v) for k, v in fixes.items()}
    solvation = doc.get("solvation")
    if isinstance(solvation, dict) and "table" not in solvation:
        for key, value in list(solvation.items()):
            if key == "classes":
                for entry in value.values():
                    entry["value"] = entry["value"] * factor
            elif key != "source" and isinstance(value, (int, float)):
                solvation[key] = value * factor


def energies_json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of an energies file, from the same models that validate it."""
    return json_schema(EnergiesFile, "chefe energies file")

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

import difflib
import warnings
from collections.abc import Mapping
from typing import Annotated, Any, Literal, Union

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    field_validator,
    model_validator,
)

from .errors import InputError


class InputWarning(UserWarning):
    """A value is allowed but unusual (pH outside 0–14)."""


def _energy_units() -> dict[str, float]:
    from ase import units

    return {"eV": 1.0, "kJ/mol": units.kJ / units.mol, "kcal/mol": units.kcal / units.mol,
            "Hartree": units.Hartree}


ENERGY_UNITS = tuple(_energy_units())
_ALIASES = {"ZPE": "zpe", "TS": "ts", "Cp": "cp", "CP": "cp"}


class _Strict(BaseModel):
    """Base of every block: unknown keys are errors with the closest allowed key."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _aliases(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        out = {}
        for key, value in data.items():
            name = _ALIASES.get(key, key) if isinstance(key, str) and _ALIASES.get(key) in cls.model_fields else key
            if name in out:
                raise ValueError(f"{name!r} is given twice (as {key!r} too)")
            out[name] = value
        return out


def _suggest(key: Any, allowed: list[str]) -> str:
    """``unknown key 'lable': did you mean 'label'? allowed here: ...``."""
    text = str(key)
    close = difflib.get_close_matches(text, allowed, n=1, cutoff=0.6) or [
        a for a in allowed if a.lower() in (text.lower(), text.lower().rstrip("s"), text.lower() + "s")]
    return (f"unknown key {text!r}: " + (f"did you mean {close[0]!r}? " if close else "")
            + f"allowed here: {', '.join(allowed)}")


def _members(tp) -> list:
    """The alternatives of a (possibly Annotated, Optional or Union) annotation."""
    import types
    import typing

    origin = typing.get_origin(tp)
    if origin is Annotated:
        return _members(typing.get_args(tp)[0])
    if origin is Union or origin is types.UnionType:
        return [m for arg in typing.get_args(tp) for m in _members(arg)]
    return [tp]


def _resolve(loc: tuple, root: type[BaseModel]) -> tuple[tuple, type[BaseModel] | None]:
    """Pydantic's error location without the union tags, and the model holding its last key."""
    import typing

    tag_models = {"table": "TableThermo", "frequencies": "FrequencyThermo", "explicit": "ExplicitThermo",
                  "energy": "ReferenceEnergy", "G": "ReferenceFreeEnergy"}
    current: Any = root
    clean: list = []
    holder: type[BaseModel] | None = root
    for part in loc:
        options = _members(current)
        models = [o for o in options if isinstance(o, type) and issubclass(o, BaseModel)]
        if len(models) >= 2 or (models and part in ("number",)):  # a tagged union: ``part`` is a tag
            chosen = next((m for m in models if m.__name__ == tag_models.get(part)), None)
            if chosen is not None or part == "number":
                current = chosen if chosen is not None else float
                continue
        holder = models[0] if models else None
        clean.append(part)
        if holder is not None and isinstance(part, str) and part in holder.model_fields:
            current = holder.model_fields[part].annotation
            continue
        dicts = [o for o in options if typing.get_origin(o) is dict]
        current = typing.get_args(dicts[0])[1] if dicts else None
    return tuple(clean), holder


Number = Annotated[float, Field(allow_inf_nan=False)]


class Conditions(_Strict):
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


class ThermoPolicy(_Strict):
    """``thermo_policy:`` see :class:`chefe.thermo.ThermoPolicy`."""

    low_frequency: Literal["harmonic", "raise"] = "harmonic"
    cutoff_cm: Annotated[float, Field(gt=0)] = 100.0
    imaginary: Literal["fail", "drop", "real"] = "fail"
    heat_capacity: bool = True


class TableThermo(_Strict):
    """A shipped table: ``{table: adsorbates_pt111_kreitz, mode: O,O-bidentate}``."""

    table: str
    mode: str | None = None


class FrequencyThermo(_Strict):
    """Frequencies in cm⁻¹ (imaginary ones negative); gas-only keys for reference species."""

    frequencies: list[Number]
    atoms: str | None = None
    geometry: Literal["linear", "nonlinear", "monatomic"] | None = None
    symmetry: Annotated[int, Field(ge=1)] | None = None
    spin: Annotated[float, Field(ge=0)] | None = None
    pressure_bar: Annotated[float, Field(gt=0)] | None = None


class ExplicitThermo(_Strict):
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


class ReferenceEnergy(_Strict):
    """A reservoir species from DFT: ``{energy: E, thermo: {...}}``."""

    energy: Number
    thermo: Thermo | None = None
    note: str | None = None
    source: str | None = None


class ReferenceFreeEnergy(_Strict):
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


class References(_Strict):
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
        from .references import nitrate_cycle_value

        try:
            nitrate_cycle_value(value, where="")
        except InputError as exc:
            raise ValueError(str(exc).removeprefix(": ")) from None
        return value


class Catalyst(_Strict):
    """One catalyst (or one active site of a tandem catalyst)."""

    energies: dict[str, Number]
    thermo: dict[str, Thermo] | None = None
    barriers: dict[str, Number] | None = None
    label: str | None = None
    color: str | None = None
    site: str | None = None


class Style(_Strict):
    """``style:`` per catalyst: label, colour and site of the legend entry."""

    label: str | None = None
    color: str | None = None
    site: str | None = None


class Descriptor(_Strict):
    """Kind ``linear``: a descriptor read from a column of the CSV."""

    column: str
    scale: Number = 1.0
    unit: Literal["eV", "kJ/mol", "kcal/mol"] | None = None


class LinearStep(_Strict):
    """Kind ``linear``: ``dE`` or ``forward``/``backward`` as {descriptor: coefficient, const: c}."""

    dE: dict[str, Number] | None = None
    forward: dict[str, Number] | None = None
    backward: dict[str, Number] | None = None
    beta: Annotated[float, Field(ge=0, le=1)] | None = None


class LinearModel(_Strict):
    """Kind ``linear``: the model's unit, source and step relations."""

    unit: Literal["eV", "kJ/mol", "kcal/mol"] = "eV"
    source: str | None = None
    steps: dict[str, LinearStep]


class EnergiesFile(_Strict):
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
def _where(loc: tuple, lines: Mapping[tuple, int] | None) -> str:
    """``line N: a.b.c`` for an error location (the deepest key path the YAML text has)."""
    path = ".".join(str(p) for p in loc) or "(top level)"
    line = None
    if lines:
        for n in range(len(loc), 0, -1):
            for key in (tuple(loc[:n]), tuple(_yaml_key(p) for p in loc[:n])):
                if key in lines:
                    line = lines[key]
                    break
            if line:
                break
    return (f"line {line}: " if line else "") + path


def _yaml_key(part: Any) -> Any:
    """A catalyst named 111 is the YAML key 111 (an int) but the string '111' after validation."""
    if isinstance(part, str):
        for cast in (int, float):
            try:
                return cast(part)
            except ValueError:
                pass
    return part


def validate_energies(data: Any, *, source: str = "<energies>",
                      lines: Mapping[tuple, int] | None = None) -> dict[str, Any]:
    """Validate an energies file's mapping; return it with aliases resolved and energies in eV.

    Raises:
        InputError: naming ``source``, the line (when ``lines`` maps key paths to lines) and the
            key path of every problem, with what to write instead.
    """
    if not isinstance(data, Mapping):
        raise InputError(f"{source}: an energies file must be a mapping of keys to values")
    try:
        model = EnergiesFile.model_validate(dict(data))
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False):
            loc, holder = _resolve(tuple(err["loc"]), EnergiesFile)
            if err["type"] == "extra_forbidden":
                allowed = list(holder.model_fields) if holder is not None else []
                problems.append(f"{_where(loc, lines)}: {_suggest(loc[-1], allowed)}")
                continue
            message = err["msg"].removeprefix("Value error, ")
            if err["type"] == "literal_error":
                message = f"{message} (got {err.get('input')!r})"
            elif err["type"] == "finite_number":
                message = f"expected a finite number, got {err.get('input')!r}: NaN and inf are not energies"
            elif err["type"] in ("float_parsing", "float_type", "int_parsing", "int_type"):
                message = f"expected a number, got {err.get('input')!r}"
            elif err["type"] == "missing":
                message = "required key missing"
            problems.append(f"{_where(loc, lines)}: {message}")
        problems = list(dict.fromkeys(problems))
        if len(problems) == 1:
            raise InputError(f"{source}: {problems[0]}") from None
        shown = "\n".join(f"  {p}" for p in problems[:12])
        more = f"\n  ... and {len(problems) - 12} more" if len(problems) > 12 else ""
        raise InputError(f"{source}: {len(problems)} problem(s) in the file:\n{shown}{more}") from None
    out = model.model_dump(exclude_none=True, exclude_unset=True)
    factor = _energy_units()[model.units]
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
    schema = EnergiesFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "chefe energies file"
    return schema


def yaml_key_lines(text: str) -> dict[tuple, int]:
    """Line number (1-based) of every mapping key in a YAML text, by its key path."""
    import yaml

    lines: dict[tuple, int] = {}

    def walk(node, path):
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                key = key_node.value
                lines[path + (key,)] = key_node.start_mark.line + 1
                walk(value_node, path + (key,))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                lines[path + (i,)] = item.start_mark.line + 1
                walk(item, path + (i,))

    try:
        walk(yaml.compose(text, Loader=yaml.SafeLoader), ())
    except yaml.YAMLError:
        return {}
    return lines

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
from .base import InputWarning, Number, Strict, energy_units, validate


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


class WaterCycle(Strict):
    """O2(g) from the water cycle: G(O2) = 2G(H2O,l) - 2G(H2) + 4eU_eq, U_eq ``computed`` (from
    the formation table) or given in V (a paper's 1.23; it then also sets the ORR/OER U_eq)."""

    water_cycle: Union[Literal["computed"], Annotated[float, Field(gt=0, lt=3)]]
    note: str | None = None


def _reference_kind(value: Any) -> str:
    if isinstance(value, ReferenceFreeEnergy):
        return "G"
    if isinstance(value, ReferenceEnergy):
        return "energy"
    if isinstance(value, WaterCycle):
        return "water_cycle"
    if isinstance(value, Mapping):
        return "G" if "G" in value else "water_cycle" if "water_cycle" in value else "energy"
    return "number"


ReferenceSpecies = Annotated[
    Union[Annotated[ReferenceEnergy, Tag("energy")], Annotated[ReferenceFreeEnergy, Tag("G")],
          Annotated[WaterCycle, Tag("water_cycle")], Annotated[Number, Tag("number")]],
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
    equilibrium_potentials: dict[str, Annotated[float, Field(gt=-3, lt=3)]] | None = Field(
        None, description="U_eq per product in V vs RHE (e.g. {H2O: 1.23}), replacing the formation table's")

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
    """One catalyst (or one active site of a tandem catalyst): species energies (kinds total, adsorption)."""

    energies: Annotated[dict[str, Number], Field(min_length=1)]
    thermo: dict[str, Thermo] | None = None
    barriers: dict[str, Number] | None = None
    label: str | None = None
    color: str | None = None
    site: str | None = None
    sites: dict[Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$")],
                Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$")]] | None = Field(
        None, description="what each named site of the network is on this catalyst ({M1: Cu, M2: Co}); "
        "energies may then name the metal (*NO3@Cu) and figures show it")
    equivalent_sites: bool = Field(
        False, description="the named sites are equivalent (a homonuclear pair): an energy given on one "
        "site stands for the same species on the others")
    flags: list[str] | None = Field(None, description="quality flags of the runs behind these energies "
                                    "(e.g. unfinished); shown in the table and marked on the figure")


class StepCatalyst(Strict):
    """One catalyst of kind ``step``: ΔG of each step id at U_RHE = 0 and ``reference_pH``."""

    energies: Annotated[dict[str, Number], Field(min_length=1)]
    barriers: dict[str, Number] | None = None
    label: str | None = None
    color: str | None = None
    site: str | None = None
    flags: list[str] | None = Field(None, description="quality flags of the runs behind these energies")


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


def _text_names(value: Any) -> Any:
    # YAML reads a catalyst named 111, 1.5 or null as a number or None: names are strings
    if isinstance(value, Mapping):
        return {("null" if k is None else str(k)): v for k, v in value.items()}
    return value


class _EnergiesCommon(Strict):
    """Keys every kind of energies file takes."""

    network: str | dict[str, Any]
    title: str | None = None
    units: Literal["eV", "kJ/mol", "kcal/mol", "Hartree"] = "eV"
    conditions: Conditions | None = None
    thermo_policy: ThermoPolicy | None = None
    style: dict[str, Style] | None = None
    nitrate_adsorption: Literal["oxidative", "chemical"] = "oxidative"
    nitrate_dissociation: bool = Field(
        False, description="add dissociative NO3- adsorption, NO3- + * -> *O + NO2- (step NO3_dissads), "
        "with *O reduced through *OH")
    site_ligand: Literal["O", "OH"] | None = Field(
        None, description="run the network on the ligand-capped single-atom site (O-M-N4, HO-M-N4): clean "
        "site *O (*OH), intermediates *X+*O (their own runs), plus step 'ligation' (* + H2O -> *O + 2H+ + 2e-)")
    hydrogenation: Literal["pcet", "adsorbed_h"] = Field(
        "pcet", description="pcet: each hydrogenation takes H+ + e-; adsorbed_h: H adsorbs on a free site "
        "first (Volmer) and hydrogenates the intermediate chemically (networks with two or more sites; "
        "kinds total and adsorption)")

    @field_validator("style", mode="before")
    @classmethod
    def _style_names(cls, value: Any) -> Any:
        return _text_names(value)


class _SpeciesEnergies(_EnergiesCommon):
    """Kinds built from species energies and a references block."""

    references: References
    catalysts: Annotated[dict[str, Catalyst], Field(min_length=1)]
    solvation: dict[str, Any] | None = None
    nitrite: Literal["NO2-", "HNO2", "auto"] = "NO2-"
    coadsorption: Literal["calculated", "additive"] = Field(
        "calculated", description="calculated: a state with several adsorbates (*NO2+*O) is one structure "
        "whose energy is given under that name; additive: states without their own energy are "
        "approximated as G(*A) + G(*B) - G(*) and named in the notes")
    site_labels: bool | list[Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$")]] = Field(
        False, description="name the sites of a network written with anonymous sites (true: M1, M2, ...; "
        "or a list of names), so that *NO3@M1 and *NO3@M2 are different species")

    @field_validator("catalysts", mode="before")
    @classmethod
    def _catalyst_names(cls, value: Any) -> Any:
        return _text_names(value)


class TotalEnergiesFile(_SpeciesEnergies):
    """``kind: total``: DFT total energies of ``*`` and each adsorbate, thermal corrections, references."""

    kind: Literal["total"] = "total"
    adsorbate_thermo: dict[str, Thermo] | None = None


class AdsorptionEnergiesFile(_SpeciesEnergies):
    """``kind: adsorption``: ΔG(*X) against a ``basis`` of elemental references."""

    kind: Literal["adsorption"]
    basis: dict[str, str] = Field(default_factory=lambda: {"H": "H2(g)", "O": "H2O(l)", "N": "NH3(g)"})


class StepEnergiesFile(_EnergiesCommon):
    """``kind: step``: ΔG of every step at U_RHE = 0 and ``reference_pH``."""

    kind: Literal["step"]
    catalysts: Annotated[dict[str, StepCatalyst], Field(min_length=1)]
    reference_pH: Number = 0.0

    @field_validator("catalysts", mode="before")
    @classmethod
    def _catalyst_names(cls, value: Any) -> Any:
        return _text_names(value)


class LinearEnergiesFile(_EnergiesCommon):
    """``kind: linear``: step energies as linear functions of descriptors read from a CSV."""

    kind: Literal["linear"]
    descriptors_file: str
    key: str = "name"
    label_column: str | None = None
    descriptors: Annotated[dict[str, Descriptor], Field(min_length=1)]
    model: LinearModel
    reference_pH: Number = 0.0


#: the model of each kind of energies file
KIND_MODELS: dict[str, type[_EnergiesCommon]] = {
    "total": TotalEnergiesFile, "adsorption": AdsorptionEnergiesFile,
    "step": StepEnergiesFile, "linear": LinearEnergiesFile}
EnergiesFile = Union[TotalEnergiesFile, AdsorptionEnergiesFile, StepEnergiesFile, LinearEnergiesFile]


def energies_keys() -> set[str]:
    """Every top-level key some kind of energies file takes."""
    return {k for model in KIND_MODELS.values() for k in model.model_fields}


# ---------------------------------------------------------------------- validation
def energies_model(data: Any, *, source: str = "<energies>",
                   lines: Mapping[tuple, int] | None = None) -> _EnergiesCommon:
    """The validated model of an energies file (its kind's), every energy converted to eV.

    Raises:
        InputError: naming ``source``, the line (when ``lines`` maps key paths to lines) and the
            key path of every problem, with what to write instead; a key of another kind is
            named as such.
    """
    if not isinstance(data, Mapping):
        raise InputError(f"{source}: an energies file must be a mapping of keys to values")
    kind = data.get("kind", "total")
    if not isinstance(kind, str) or kind not in KIND_MODELS:
        from .base import suggest

        text = suggest(kind, list(KIND_MODELS)).replace("unknown key", "unknown kind")
        line = (lines or {}).get(("kind",))
        raise InputError(f"{source}: {f'line {line}: ' if line else ''}kind: {text}")
    model = KIND_MODELS[kind]
    foreign = [k for k in data if isinstance(k, str) and k not in model.model_fields and k in energies_keys()]
    if foreign:
        owners = {k: [n for n, m in KIND_MODELS.items() if k in m.model_fields] for k in foreign}
        line = (lines or {}).get((foreign[0],))
        raise InputError(f"{source}: {f'line {line}: ' if line else ''}{foreign[0]}: a key of kind "
                         f"{' or '.join(owners[foreign[0]])}, not of kind {kind}"
                         + ("; set kind: " + owners[foreign[0]][0] + " or remove it" if owners[foreign[0]] else ""))
    if kind == "linear" and data.get("units", "eV") != "eV":
        line = (lines or {}).get(("units",))
        raise InputError(f"{source}: {f'line {line}: ' if line else ''}units: kind linear gives its unit in "
                         "model.unit (and each descriptor's in its unit:); remove units:")
    spec = validate(model, dict(data), source=source, lines=lines, what="energies file")
    factor = energy_units()[spec.units]
    if factor == 1.0:
        return spec
    out = spec.model_dump(exclude_none=True, exclude_unset=True)
    _to_ev(out, factor)
    out["units"] = "eV"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InputWarning)  # said once, on the file's own values
        converted = model.model_validate(out)
    return converted


def validate_energies(data: Any, *, source: str = "<energies>",
                      lines: Mapping[tuple, int] | None = None) -> dict[str, Any]:
    """:func:`energies_model` as a plain mapping (aliases resolved, energies in eV, no ``units``)."""
    out = energies_model(data, source=source, lines=lines).model_dump(exclude_none=True, exclude_unset=True)
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
    """JSON Schema (draft 2020-12) of an energies file, from the same models that validate it:
    one alternative per kind (a file without ``kind`` is of kind total)."""
    from pydantic import TypeAdapter

    schema = TypeAdapter(EnergiesFile).json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "chefe energies file"
    return schema

"""Gas-phase error corrections of N-containing molecules, computed from a formation table.

GGA functionals misplace the energies of molecules with multiple N–O and N–N bonds (NO, NO2,
N2O, HNO3, N2) by tenths of an eV; Urrego-Ortiz, Builes and Calle-Vallejo (ACS Catal. 12, 4784
(2022), doi:10.1021/acscatal.1c05333) show how such errors distort nitrogen-electrocatalysis
models and correct them by comparing DFT and experimental reaction energies. chefe's
``formation`` scheme does this for the user's own DFT gas energies: for every gas X with a DFT
energy, the reaction forming X from anchor species (H2(g), H2O(l), NH3(g) by default) is
evaluated with DFT free energies and with the formation table, and

    c_X = ΔrG°(table) - ΔrG(DFT),    G(X) -> G(X) + c_X,

so every reaction among the corrected gases and the anchors reproduces the table. The anchors
are uncorrected by construction (their errors go into the others' corrections). The set is
opt-in (``references: {gas_corrections: {scheme: formation}}``) and every value is reported in
the output notes. Fixed published values may be given instead as ``{NO(g): 0.1, source: ...}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .errors import InputError, finite_number
from .species import canonical, parse_species

#: Default anchors: one species per element, assumed error-free (they define the scale).
DEFAULT_ANCHORS: dict[str, str] = {"H": "H2(g)", "O": "H2O(l)", "N": "NH3(g)"}


@dataclass(frozen=True, slots=True)
class GasCorrection:
    """One molecule's correction (eV) and how it was obtained."""

    species: str
    value: float
    reaction: str
    source: str

    def describe(self) -> str:
        return f"{self.species} {self.value:+.3f} eV ({self.reaction}; {self.source})"


def formation_reaction(species: str, anchors: Mapping[str, str]) -> dict[str, float]:
    """Stoichiometric coefficients of the anchors forming ``species`` (positive = consumed)."""
    target = dict(parse_species(species).composition)
    elements = sorted(set(target) | {el for a in anchors.values() for el in dict(parse_species(a).composition)})
    missing = set(target) - set(anchors)
    if missing:
        raise InputError(f"gas correction of {species}: no anchor for {sorted(missing)}; anchors are {dict(anchors)}")
    names = [canonical(a) for a in anchors.values()]
    matrix = np.array([[dict(parse_species(a).composition).get(el, 0) for a in names] for el in elements], float)
    rhs = np.array([target.get(el, 0) for el in elements], float)
    nu, *_ = np.linalg.lstsq(matrix, rhs, rcond=None)
    if not np.allclose(matrix @ nu, rhs, atol=1e-9):
        raise InputError(f"gas correction of {species}: the anchors {names} cannot form it")
    return {a: float(v) for a, v in zip(names, nu) if abs(v) > 1e-12}


def _equation(species: str, nu: Mapping[str, float]) -> str:
    def term(v, a):
        return a if abs(v - 1) < 1e-12 else f"{v:g}{a}"

    left = " + ".join(term(v, a) for a, v in nu.items() if v > 0)
    right = " + ".join([species] + [term(-v, a) for a, v in nu.items() if v < 0])
    return f"{left} -> {right}"


def formation_corrections(gibbs: Mapping[str, float], table: str = "crc",
                          anchors: Mapping[str, str] = DEFAULT_ANCHORS) -> dict[str, GasCorrection]:
    """Corrections of every gas in ``gibbs`` (DFT free energies, eV) except the anchors.

    Raises:
        InputError: when an anchor's free energy is missing or the table lacks a species.
    """
    from .formation import formation_values, table_name
    from .refdata import load_table

    values = formation_values(table)
    anchor_names = {canonical(a) for a in anchors.values()}
    for a in anchor_names:
        if a not in gibbs:
            raise InputError(f"gas corrections: the anchor {a} needs a DFT free energy in the references")
        if a not in values:
            raise InputError(f"gas corrections: table {table!r} has no ΔfG° for the anchor {a}")
    from ase import units

    per_kj = units.kJ / units.mol
    out = {}
    for name, g in gibbs.items():
        if name in anchor_names or parse_species(name).phase != "g":
            continue
        if name not in values:
            raise InputError(f"gas corrections: table {table!r} has no ΔfG° for {name}; "
                             "give its correction explicitly or leave it out of the references")
        nu = formation_reaction(name, anchors)
        dg_table = (values[name] - sum(v * values[a] for a, v in nu.items())) * per_kj
        dg_dft = g - sum(v * gibbs[a] for a, v in nu.items())
        source = f"formation scheme, {load_table(table_name(table))['name']} ΔrG° {dg_table:+.3f} eV vs DFT {dg_dft:+.3f} eV"
        out[name] = GasCorrection(name, dg_table - dg_dft, _equation(name, nu), source)
    return out


def require_table_temperature(spec, temperature: float, where: str) -> None:
    """The formation scheme compares with 298.15 K tables: refuse it at another temperature."""
    from .constants import T_STANDARD

    if isinstance(spec, Mapping) and "scheme" in spec and abs(temperature - T_STANDARD) > 1e-6:
        raise InputError(
            f"{where}: gas_corrections scheme {spec['scheme']!r} fits the DFT gases to formation "
            f"free energies tabulated at {T_STANDARD} K, but the references are at {temperature:g} K: "
            "the correction would absorb the real temperature dependence; compute the corrections at "
            f"{T_STANDARD} K and give them as fixed values ({{NO(g): ..., source: ...}})"
        )


def corrections_from_spec(spec, gibbs: Mapping[str, float], table: str, where: str) -> dict[str, GasCorrection]:
    """Read ``gas_corrections``: ``{scheme: formation, anchors: {...}}`` or ``{species: eV, source: ...}``."""
    if spec is None:
        return {}
    if not isinstance(spec, Mapping):
        raise InputError(f"{where}: gas_corrections must be {{scheme: formation}} or a mapping species -> eV")
    if "scheme" in spec:
        if spec["scheme"] != "formation":
            raise InputError(f"{where}: gas_corrections scheme {spec['scheme']!r} unknown; use 'formation'")
        extra = set(spec) - {"scheme", "anchors"}
        if extra:
            raise InputError(f"{where}: gas_corrections: unknown keys {sorted(extra)} (scheme, anchors)")
        anchors = {str(k): canonical(str(v)) for k, v in (spec.get("anchors") or DEFAULT_ANCHORS).items()}
        return formation_corrections(gibbs, table, {**DEFAULT_ANCHORS, **anchors})
    source = str(spec.get("source", "given in the input"))
    out = {}
    for label, value in spec.items():
        if label == "source":
            continue
        name = canonical(str(label))
        number = finite_number(value, f"{where}: gas correction of {label} (eV)")
        out[name] = GasCorrection(name, number, "given", source)
    return out

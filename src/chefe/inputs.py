"""Read energies files (YAML or CSV) into the engine's input: ΔG° per step and candidate.

An energies file names a network and gives, per catalyst, one of four kinds of input:

``total``
    DFT total energies of the clean site ``*`` and each adsorbate, thermal corrections per
    adsorbate (``adsorbate_thermo`` shared by all catalysts, or per catalyst ``thermo``), and a
    ``references`` block for the gas/aqueous species (see :class:`chefe.references.ReferenceLedger`).
``adsorption``
    Adsorption free energies ΔG(*X) = G(*X) - G(*) - Σ n_el μ_el against a ``basis`` (default
    μ_H = ½G(H2), μ_O = G(H2O,l) - G(H2), μ_N = G(NH3,g) - 3/2 G(H2)), plus ``references``.
``step``
    ΔG of every step at U_RHE = 0 and ``reference_pH`` (default 0).
``linear``
    Step energies as linear functions of descriptors read from a CSV (a scaling-relation model
    such as the Liu et al. 2019 NO3RR model); optional forward barriers.

Every problem raises :class:`~chefe.errors.InputError` naming the file, the catalyst and the
species or step. YAML is read with a safe loader that also rejects duplicate keys.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .conditions import Conditions
from .constants import KJ_PER_MOL_IN_EV, T_STANDARD, ln10_kT
from .errors import ChefeError, InputError, finite_number
from .network import Network, load_network, network_from_dict
from .references import ReferenceLedger
from .species import canonical, parse_species
from .textfile import parse_yaml, read_yaml  # noqa: F401 - part of the inputs API
from .thermo import ThermoPolicy

KINDS = ("total", "adsorption", "step", "linear")
UNITS = {"eV": 1.0, "kJ/mol": KJ_PER_MOL_IN_EV, "kcal/mol": 4.184 * KJ_PER_MOL_IN_EV}


@dataclass(frozen=True)
class EnergySet:
    """Everything the engine and the plots need, read from one energies file.

    Attributes:
        network: the reaction network (NH3 renamed to NH3(aq) when the ledger says so).
        names: catalyst identifiers; labels: legend labels; colors: optional colours;
        sites: optional active-site names (a tandem catalyst has one entry per site).
        dG0: ΔG° per step (U_SHE = 0, pH 0), shape (n_steps, n).
        barriers: forward barriers at U_RHE = 0 (eV) or None; beta: symmetry factors per step.
        conditions: default conditions from the file; potentials: default list of U to draw.
        ledger: the reference ledger (kinds total/adsorption) or None.
        source: file name; notes: provenance lines (reference choices, policies, tables).
    """

    network: Network
    names: tuple[str, ...]
    dG0: np.ndarray
    labels: tuple[str, ...]
    colors: tuple[str | None, ...]
    sites: tuple[str | None, ...]
    conditions: Conditions = Conditions()
    potentials: tuple[float, ...] | None = None
    barriers: np.ndarray | None = None
    beta: np.ndarray | None = None
    ledger: ReferenceLedger | None = None
    source: str = ""
    title: str = ""
    notes: tuple[str, ...] = field(default=())
    #: per catalyst, the quality flags of the runs its numbers come from (``chefe collect``)
    flags: tuple[tuple[str, ...], ...] = field(default=())
    #: per catalyst, the network's adsorbates it gives no energy for (kinds total, adsorption)
    missing_species: tuple[tuple[str, ...], ...] = field(default=())

    def take(self, indices) -> EnergySet:
        """The set for a subset of catalysts (positions, in the order given)."""
        from dataclasses import replace

        idx = [int(k) for k in indices]

        def pick(values):
            return tuple(values[k] for k in idx) if values else values

        return replace(self, names=pick(self.names), labels=pick(self.labels), colors=pick(self.colors),
                       sites=pick(self.sites), dG0=self.dG0[:, idx],
                       barriers=None if self.barriers is None else self.barriers[:, idx],
                       flags=pick(self.flags), missing_species=pick(self.missing_species))


# ---------------------------------------------------------------------- helpers
def _finite(value: Any, where: str) -> float:
    return finite_number(value, where)


def _resolve_network(spec: Any, base: Path, where: str) -> Network:
    if isinstance(spec, Mapping):
        return network_from_dict(dict(spec), source=f"{where} (inline network)")
    if not isinstance(spec, str):
        raise InputError(f"{where}: 'network' must be a shipped name, a path or a mapping")
    candidate = (base / spec) if spec.endswith((".yaml", ".yml")) else None
    return load_network(candidate if candidate is not None and candidate.exists() else spec)


def _conditions(data: Mapping[str, Any], where: str) -> tuple[Conditions, tuple[float, ...] | None]:
    spec = data.get("conditions", {}) or {}
    if not isinstance(spec, Mapping):
        raise InputError(f"{where}: 'conditions' must be a mapping")
    potentials = spec.get("U")
    u_list: tuple[float, ...] | None = None
    if isinstance(potentials, (list, tuple)):
        u_list = tuple(_finite(u, f"{where}: conditions.U") for u in potentials)
        u0 = u_list[0] if u_list else 0.0
    elif potentials is None:
        u0 = 0.0
    else:
        u0 = _finite(potentials, f"{where}: conditions.U")
        u_list = (u0,)
    try:
        cond = Conditions(u0, _finite(spec.get("pH", 0.0), f"{where}: conditions.pH"),
                          _finite(spec.get("T", T_STANDARD), f"{where}: conditions.T"),
                          str(spec.get("scale", "RHE")))
    except ChefeError as exc:
        raise InputError(f"{where}: {exc}") from None
    return cond, u_list


def _species_key(label: str, network: Network, where: str) -> str:
    try:
        name = canonical(str(label))
    except ChefeError as exc:
        raise InputError(f"{where}: {exc}") from None
    if name != "*" and name not in network.species:
        raise InputError(
            f"{where}: species {label!r} does not appear in network {network.name!r} "
            f"(its adsorbates: {list(network.adsorbates)})"
        )
    return name


# ---------------------------------------------------------------------- kinds
def _ledger(data: Mapping[str, Any], where: str, policy: ThermoPolicy) -> ReferenceLedger:
    if "references" not in data:
        raise InputError(f"{where}: kind needs a 'references' block with the gas-phase energies")
    refs = data["references"]
    if isinstance(refs, Mapping) and "temperature" not in refs:
        # thermal corrections at the temperature of the analysis unless the file says otherwise
        refs = {**refs, "temperature": (data.get("conditions") or {}).get("T", T_STANDARD)}
    try:
        return ReferenceLedger.from_dict(refs, source=where, policy=policy)
    except ChefeError as exc:
        raise InputError(str(exc) if where in str(exc) else f"{where}: {exc}") from None


def _require_cp(spec: Mapping[str, Any], policy: ThermoPolicy, where: str) -> None:
    """Explicit corrections follow the one heat-capacity convention: cp given, or the term off."""
    if policy.heat_capacity and "cp" not in spec:
        raise InputError(
            f"{where}: zpe and ts given without cp; every species carries ∫Cp dT (∫Cv dT for "
            "adsorbates) under the default convention: add cp (cp: 0 if you mean it), or set "
            "thermo_policy: {heat_capacity: false} to omit it for every species"
        )


def _adsorbate_correction(spec: Any, name: str, temperature: float, policy: ThermoPolicy, where: str,
                          notes: list[str] | None = None) -> float:
    """G correction (eV) of one adsorbate; what the correction reports goes into ``notes``."""
    from .thermo import ThermalCorrection, harmonic_correction, table_correction

    if isinstance(spec, (int, float)):
        return _finite(spec, f"{where}: thermo of {name}")
    if not isinstance(spec, Mapping):
        raise InputError(f"{where}: thermo of {name} must be a number (G correction) or a mapping")
    if "frequencies" in spec:
        found = harmonic_correction(spec["frequencies"], temperature, policy, name=f"{where}: {name}")
        if notes is not None:
            notes.extend(found.notes)
        return found.g
    if "table" in spec:
        mode = spec.get("mode")
        try:
            found = table_correction(name, str(spec["table"]), temperature, policy,
                                     None if mode is None else str(mode))
        except ChefeError as exc:
            raise InputError(f"{where}: {exc}") from None
        if notes is not None:
            notes.extend(found.notes)
        return found.g
    _require_cp(spec, policy, f"{where}: thermo of {name}")
    cp = _finite(spec.get("cp", 0.0), f"{where}: {name} cp") if policy.heat_capacity else 0.0
    corr = ThermalCorrection(
        _finite(spec.get("zpe", 0.0), f"{where}: {name} zpe"), cp,
        _finite(spec.get("ts", 0.0), f"{where}: {name} ts"), temperature, "explicit", "input")
    return corr.g


def _basis_potentials(ledger: ReferenceLedger, basis: Mapping[str, str], where: str) -> dict[str, float]:
    """Elemental chemical potentials μ_el from the basis species (solves C μ = G)."""
    species = [canonical(s) for s in basis.values()]
    elements = list(basis.keys())
    matrix = np.zeros((len(species), len(elements)))
    for r, name in enumerate(species):
        comp = dict(parse_species(name).composition)
        extra = set(comp) - set(elements)
        if extra:
            raise InputError(f"{where}: basis species {name} contains {sorted(extra)} not in the basis {elements}")
        for c, el in enumerate(elements):
            matrix[r, c] = comp.get(el, 0)
    try:
        g = np.array([ledger.free_energy(s) for s in species])
        mu = np.linalg.solve(matrix, g)
    except np.linalg.LinAlgError:
        raise InputError(f"{where}: basis {dict(basis)} does not determine one potential per element") from None
    except ChefeError as exc:
        raise InputError(f"{where}: {exc}") from None
    return dict(zip(elements, mu))


def _catalyst_entries(data: Mapping[str, Any], where: str) -> Mapping[str, Any]:
    cats = data.get("catalysts")
    if not isinstance(cats, Mapping) or not cats:
        raise InputError(f"{where}: 'catalysts' must map catalyst names to their energies")
    return cats


def _species_energies(network: Network, entry: Mapping[str, Any], where: str) -> dict[str, float]:
    energies = entry.get("energies")
    if not isinstance(energies, Mapping) or not energies:
        raise InputError(f"{where}: needs an 'energies' mapping")
    out = {}
    for label, value in energies.items():
        name = _species_key(label, network, where)
        if name in out:
            raise InputError(f"{where}: {label!r} duplicates {name!r}")
        out[name] = _finite(value, f"{where}: energy of {label}")
    return out


def _dG0_from_species(network: Network, per_cat: list[dict[str, float]], ledger: ReferenceLedger,
                      where: str) -> tuple[np.ndarray, list[str]]:
    from .engine import step_free_energies

    n = len(per_cat)
    reservoir = {}
    for s in network.reservoir_species:
        if ledger.has(s):
            reservoir[s] = ledger.free_energy(s)
    reservoir["H+"] = ledger.free_energy("H+")
    columns = []
    for k in range(n):
        g = dict(reservoir)
        g.update(per_cat[k])
        columns.append(step_free_energies(network, g)[:, 0])
    dG0 = np.column_stack(columns) if columns else np.zeros((len(network.steps), 0))
    notes = []
    missing_res = [s for s in network.reservoir_species if s not in reservoir]
    if missing_res:
        unusable = [st.id for st in network.steps if any(sp.name in missing_res for sp in st.species())]
        notes.append(f"{where}: no reference for {missing_res}; steps {unusable} are left out")
    return dG0, notes


def _from_total(network, data, where, policy, base=".") -> tuple[np.ndarray, ReferenceLedger, list[str]]:
    ledger = _ledger(data, where, policy)
    solvation = _solvation(network, data, where, base)
    shared = data.get("adsorbate_thermo", {}) or {}
    if not isinstance(shared, Mapping):
        raise InputError(f"{where}: 'adsorbate_thermo' must map adsorbates to corrections")
    thermo_notes: list[str] = []
    shared_g = {_species_key(k, network, f"{where}: adsorbate_thermo"): _adsorbate_correction(
        v, canonical(k), ledger.temperature, policy, f"{where}: adsorbate_thermo", thermo_notes)
        for k, v in shared.items()}
    per_cat, names = [], []
    for name, entry in _catalyst_entries(data, where).items():
        cw = f"{where}: catalyst {name!r}"
        if not isinstance(entry, Mapping):
            raise InputError(f"{cw}: expected a mapping with 'energies'")
        energies = _species_energies(network, entry, cw)
        if "*" not in energies:
            raise InputError(f"{cw}: the clean site '*' energy is missing")
        own = entry.get("thermo", {}) or {}
        corr = dict(shared_g)
        for k, v in own.items():
            key = _species_key(k, network, cw)
            corr[key] = _adsorbate_correction(v, key, ledger.temperature, policy, cw, thermo_notes)
        g = {}
        for sp, e in energies.items():
            if sp != "*" and sp not in corr:
                raise InputError(
                    f"{cw}: no thermal correction for {sp}; give adsorbate_thermo or thermo "
                    "(write 0 to use the bare DFT energy on purpose)"
                )
            g[sp] = e + corr.get(sp, 0.0) + solvation.correction(sp)
        per_cat.append(g)
        names.append(str(name))
    dG0, notes = _dG0_from_species(network, per_cat, ledger, where)
    return dG0, ledger, names, notes + list(dict.fromkeys(thermo_notes)) + _solvation_notes(solvation)


def _solvation(network, data, where, base):
    from .solvation import solvation_from_spec

    return solvation_from_spec(data.get("solvation"), where=f"{where}: solvation", base=base,
                               known=network.adsorbates)


def _solvation_notes(solvation) -> list[str]:
    return [solvation.describe()] if (solvation.values or solvation.default) else []


def _from_adsorption(network, data, where, policy, base="."):
    ledger = _ledger(data, where, policy)
    solvation = _solvation(network, data, where, base)
    basis = data.get("basis", {"H": "H2(g)", "O": "H2O(l)", "N": "NH3(g)"})
    mu = _basis_potentials(ledger, basis, where)
    per_cat, names = [], []
    for name, entry in _catalyst_entries(data, where).items():
        cw = f"{where}: catalyst {name!r}"
        if not isinstance(entry, Mapping):
            raise InputError(f"{cw}: expected a mapping with 'energies'")
        energies = _species_energies(network, entry, cw)
        g = {"*": 0.0}
        for sp, dg in energies.items():
            comp = dict(parse_species(sp).composition)
            missing = set(comp) - set(mu)
            if missing:
                raise InputError(f"{cw}: {sp} contains {sorted(missing)} but the basis covers {sorted(mu)}")
            g[sp] = dg + sum(n * mu[el] for el, n in comp.items()) + solvation.correction(sp)
        per_cat.append(g)
        names.append(str(name))
    dG0, notes = _dG0_from_species(network, per_cat, ledger, where)
    return dG0, ledger, names, notes + _solvation_notes(solvation)


def _from_steps(network, data, where):
    ref_ph = _finite(data.get("reference_pH", 0.0), f"{where}: reference_pH")
    temperature = _finite((data.get("conditions") or {}).get("T", T_STANDARD), f"{where}: T")
    names, cols = [], []
    for name, entry in _catalyst_entries(data, where).items():
        cw = f"{where}: catalyst {name!r}"
        energies = entry.get("energies") if isinstance(entry, Mapping) else None
        if not isinstance(energies, Mapping):
            raise InputError(f"{cw}: needs an 'energies' mapping of step id -> ΔG (eV)")
        col = np.full(len(network.steps), np.nan)
        for step_id, value in energies.items():
            try:
                i = network.index(str(step_id))
            except ChefeError as exc:
                raise InputError(f"{cw}: {exc}") from None
            col[i] = _finite(value, f"{cw}: step {step_id}")
        names.append(str(name))
        cols.append(col)
    dG = np.column_stack(cols)
    shift = (network.n_H - network.n_e) * ln10_kT(temperature) * ref_ph
    return dG - shift[:, None], names


def _linear_terms(spec: Any, descriptors: Mapping[str, np.ndarray], where: str) -> np.ndarray:
    if not isinstance(spec, Mapping):
        raise InputError(f"{where}: expected a mapping of descriptor -> coefficient and 'const'")
    n = len(next(iter(descriptors.values())))
    out = np.full(n, _finite(spec.get("const", 0.0), f"{where}: const"))
    for key, coefficient in spec.items():
        if key == "const":
            continue
        if key not in descriptors:
            raise InputError(f"{where}: unknown descriptor {key!r}; descriptors are {sorted(descriptors)}")
        out = out + _finite(coefficient, f"{where}: coefficient of {key}") * descriptors[key]
    return out


def _from_linear(network, data, where, base: Path):
    table_spec = data.get("descriptors_file")
    if not table_spec:
        raise InputError(f"{where}: kind 'linear' needs 'descriptors_file' (a CSV)")
    table_path = (base / str(table_spec)).resolve()
    rows = read_csv_rows(table_path)
    key_col = str(data.get("key", "name"))
    label_col = data.get("label_column")
    desc_spec = data.get("descriptors")
    if not isinstance(desc_spec, Mapping) or not desc_spec:
        raise InputError(f"{where}: 'descriptors' must map names to {{column:, scale:, unit:}}")
    model = data.get("model")
    if not isinstance(model, Mapping) or "steps" not in model:
        raise InputError(f"{where}: kind 'linear' needs 'model' with 'unit' and 'steps'")
    unit = str(model.get("unit", "eV"))
    if unit not in UNITS:
        raise InputError(f"{where}: unknown unit {unit!r}; use {list(UNITS)}")
    to_ev = UNITS[unit]
    names, labels = [], []
    for r, row in enumerate(rows):
        if key_col not in row:
            raise InputError(f"{table_path}: no column {key_col!r} (columns: {list(row)})")
        names.append(row[key_col])
        labels.append(row.get(str(label_col), row[key_col]) if label_col else row[key_col])
    descriptors = {}
    for dname, dspec in desc_spec.items():
        if not isinstance(dspec, Mapping) or "column" not in dspec:
            raise InputError(f"{where}: descriptor {dname!r} needs 'column'")
        d_unit = str(dspec.get("unit", unit))
        if d_unit not in UNITS:
            raise InputError(f"{where}: descriptor {dname!r} has unknown unit {d_unit!r}")
        values = []
        for r, row in enumerate(rows):
            values.append(_finite(row.get(str(dspec["column"])), f"{table_path} row {r + 2} ({names[r]}): column {dspec['column']}"))
        scale = _finite(dspec.get("scale", 1.0), f"{where}: descriptor {dname} scale")
        # descriptor in the model's unit
        descriptors[str(dname)] = scale * np.asarray(values) * UNITS[d_unit] / to_ev
    n = len(rows)
    dG = np.full((len(network.steps), n), np.nan)
    barriers = np.full((len(network.steps), n), np.nan)
    beta = np.full(len(network.steps), 0.5)
    have_barrier = False
    for step_id, spec in model["steps"].items():
        sw = f"{where}: model step {step_id!r}"
        try:
            i = network.index(str(step_id))
        except ChefeError as exc:
            raise InputError(f"{where}: {exc}") from None
        if not isinstance(spec, Mapping):
            raise InputError(f"{sw}: expected a mapping")
        if "forward" in spec:
            forward = _linear_terms(spec["forward"], descriptors, f"{sw} forward")
            backward = _linear_terms(spec.get("backward", {"const": 0.0}), descriptors, f"{sw} backward")
            dG[i] = (forward - backward) * to_ev
            barriers[i] = forward * to_ev
            have_barrier = True
        elif "dE" in spec:
            dG[i] = _linear_terms(spec["dE"], descriptors, f"{sw} dE") * to_ev
        else:
            raise InputError(f"{sw}: give 'dE' or 'forward' (and 'backward')")
        if "beta" in spec:
            beta[i] = _finite(spec["beta"], f"{sw} beta")
    ref_ph = _finite(data.get("reference_pH", 0.0), f"{where}: reference_pH")
    temperature = _finite((data.get("conditions") or {}).get("T", T_STANDARD), f"{where}: T")
    shift = (network.n_H - network.n_e) * ln10_kT(temperature) * ref_ph
    return dG - shift[:, None], names, labels, (barriers if have_barrier else None), beta


def read_csv_rows(path: Path) -> list[dict[str, str]]:
    """Rows of a CSV file as dicts (header required); errors name the file."""
    try:
        with open(path, newline="") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from None
    except csv.Error as exc:
        raise InputError(f"{path}: malformed CSV: {exc}") from None
    if not rows:
        raise InputError(f"{path}: no data rows")
    return rows


# ---------------------------------------------------------------------- public
def energies_from_dict(data: Mapping[str, Any], *, source: str = "<energies>", base: str | Path = ".",
                       policy: ThermoPolicy | None = None, lines: Mapping[tuple, int] | None = None) -> EnergySet:
    """Build an :class:`EnergySet` from the mapping of an energies file.

    The mapping is first validated by :func:`chefe.schema.validate_energies` (unknown keys,
    types, ranges; aliases resolved; energies converted from ``units:`` to eV).
    """
    from .schema import validate_energies

    where = source
    unit = data.get("units", "eV") if isinstance(data, Mapping) else "eV"
    data = validate_energies(data, source=source, lines=lines)
    kind = str(data.get("kind", "total"))
    missing: tuple = ()
    if kind not in KINDS:
        raise InputError(f"{where}: kind {kind!r} unknown; use one of {KINDS}")
    if "network" not in data:
        raise InputError(f"{where}: name the reaction 'network' (e.g. no3rr_sac)")
    base = Path(base)
    try:
        network = _resolve_network(data["network"], base, where)
    except ChefeError as exc:
        raise type(exc)(f"{where}: {exc}") from None
    conditions, potentials = _conditions(data, where)
    policy = policy or ThermoPolicy(**(data.get("thermo_policy") or {}))
    nitrate_mode = str(data.get("nitrate_adsorption", "oxidative"))
    ledger = None
    barriers = beta = None
    labels: list[str] | None = None
    notes: list[str] = []
    if nitrate_mode != "oxidative":
        # before any ΔG° is formed: a step file's reference_pH shift uses the step's own counts
        from .network import with_nitrate_adsorption

        try:
            network = with_nitrate_adsorption(network, nitrate_mode)
        except ChefeError as exc:
            raise InputError(f"{where}: {exc}") from None
        notes.append(network.description.splitlines()[-1])
    if kind in ("total", "adsorption"):
        pre_ledger = _ledger(data, where, policy)
        if pre_ledger.ammonia != "gas" and "NH3(g)" in network.species:
            from .network import with_ammonia_product

            network = with_ammonia_product(network, pre_ledger.ammonia)
            notes.append(f"NH3 product taken as {'NH3(aq)' if pre_ledger.ammonia == 'aq' else 'NH4+(aq)'} "
                         f"(tabulated from NH3(g), {pre_ledger.formation_table} table)")
            if pre_ledger.ammonia == "NH4+":
                from .formation import pka_values

                pka = pka_values()["NH4+(aq)"]
                if conditions.pH > pka:
                    notes.append(f"pH {conditions.pH:g} is above the pKa of NH4+ ({pka:g}): ammonia is "
                                 "mostly NH3(aq) there; consider ammonia: aq")
        nitrite = str(data.get("nitrite", "NO2-"))
        if nitrite != "NO2-":
            from .network import with_nitrite_product

            try:
                renamed = with_nitrite_product(network, nitrite, conditions.pH)
            except ChefeError as exc:
                raise InputError(f"{where}: {exc}") from None
            if renamed is not network:
                network = renamed
                notes.append(f"nitrite released as HNO2(aq) (nitrite: {nitrite}; pH {conditions.pH:g}, pKa 3.25)")
        if kind == "total":
            dG0, ledger, names, more = _from_total(network, data, where, policy, base)
        else:
            dG0, ledger, names, more = _from_adsorption(network, data, where, policy, base)
        given = [{_species_key(k, network, where) for k in data["catalysts"][name]["energies"]} for name in names]
        missing = tuple(tuple(sorted(set(network.adsorbates) - g)) for g in given)
        notes.extend(more)
        if "NO3-(aq)" in network.species:
            notes.append(f"NO3-(aq) reference: {ledger.provenance('NO3-(aq)')}")
        notes.append(f"thermal corrections: low-frequency policy {policy.describe()}")
        notes.extend(ledger.notes)
        from .reference_check import overall_reaction_warnings

        notes.extend(overall_reaction_warnings(network, ledger))
    elif kind == "step":
        if "nitrite" in data:
            raise InputError(f"{where}: 'nitrite' needs species energies (kinds total, adsorption); "
                             "with kind step, write the HNO2 release step into the network instead")
        dG0, names = _from_steps(network, data, where)
    else:
        dG0, names, labels, barriers, beta = _from_linear(network, data, where, base)
    if unit != "eV":
        notes.append(f"energies given in {unit}, converted to eV (ase.units)")
    if len(set(names)) != len(names):
        dup = sorted({x for x in names if names.count(x) > 1})
        raise InputError(f"{where}: duplicate catalysts {dup}")
    entries = data.get("catalysts") if kind != "linear" else None
    style = data.get("style", {}) or {}
    cat_labels, colors, sites = [], [], []
    for k, name in enumerate(names):
        entry = entries.get(name, {}) if isinstance(entries, Mapping) else {}
        extra = style.get(name, {}) if isinstance(style, Mapping) else {}
        merged = {**(entry if isinstance(entry, Mapping) else {}), **(extra if isinstance(extra, Mapping) else {})}
        cat_labels.append(str(merged.get("label", labels[k] if labels else name)))
        colors.append(merged.get("color"))
        sites.append(merged.get("site"))
    if kind != "linear" and isinstance(entries, Mapping):
        bars = []
        any_bar = False
        for k, name in enumerate(names):
            col = np.full(len(network.steps), np.nan)
            entry = entries[name] if isinstance(entries[name], Mapping) else {}
            for step_id, value in (entry.get("barriers") or {}).items():
                try:
                    col[network.index(str(step_id))] = _finite(value, f"{where}: catalyst {name!r} barrier {step_id}")
                except ChefeError as exc:
                    raise InputError(f"{where}: catalyst {name!r}: {exc}") from None
                any_bar = True
            bars.append(col)
        barriers = np.column_stack(bars) if any_bar else None
    return EnergySet(
        network=network, names=tuple(names), dG0=dG0, labels=tuple(cat_labels), colors=tuple(colors),
        sites=tuple(sites), conditions=conditions, potentials=potentials, barriers=barriers,
        beta=beta, ledger=ledger, source=str(source), title=str(data.get("title", "")), notes=tuple(notes),
        missing_species=missing,
    )


def load_energies(path: str | Path, *, policy: ThermoPolicy | None = None,
                  nitrate_adsorption: str | None = None, pH: float | None = None) -> EnergySet:
    """Read an energies YAML file (see module docstring) into an :class:`EnergySet`.

    ``nitrate_adsorption`` and ``pH`` override the file's (the CLI's ``--nitrate-adsorption``
    and ``--pH``), before anything that depends on them (``nitrite: auto``) is decided.
    """
    path = Path(path)
    data, lines = read_yaml(path, what="energies file", lines=True)
    if isinstance(data, Mapping) and (nitrate_adsorption is not None or pH is not None):
        data = dict(data)
        if nitrate_adsorption is not None:
            data["nitrate_adsorption"] = nitrate_adsorption
        if pH is not None:
            conditions = data.get("conditions") or {}
            data["conditions"] = {**(conditions if isinstance(conditions, Mapping) else {}), "pH": pH}
    return energies_from_dict(data, source=str(path), base=path.parent, policy=policy, lines=lines)

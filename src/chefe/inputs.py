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

Each kind is one validated model of :mod:`chefe.schema` (unknown keys, types and ranges are
checked there, energies converted to eV there); this module turns the model into ΔG° per step.
Every problem raises :class:`~chefe.errors.InputError` naming the file, the catalyst and the
species or step. YAML is read with a safe loader that also rejects duplicate keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .conditions import Conditions
from .constants import ln10_kT
from .errors import ChefeError, InputError, finite_number
from .network import Network, load_network, network_from_dict
from .references import ReferenceLedger
from .species import canonical, parse_species
from .textfile import parse_yaml, read_yaml  # noqa: F401 - part of the inputs API
from .thermo import ThermoPolicy

KINDS = ("total", "adsorption", "step", "linear")


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
    #: per catalyst, the metal on each named site of the network ({"M1": "Cu", "M2": "Co"}) or None
    site_metals: tuple[dict | None, ...] = field(default=())

    def take(self, indices) -> EnergySet:
        """The set for a subset of catalysts (positions, in the order given)."""
        from dataclasses import replace

        idx = [int(k) for k in indices]

        def pick(values):
            return tuple(values[k] for k in idx) if values else values

        return replace(self, names=pick(self.names), labels=pick(self.labels), colors=pick(self.colors),
                       sites=pick(self.sites), dG0=self.dG0[:, idx],
                       barriers=None if self.barriers is None else self.barriers[:, idx],
                       flags=pick(self.flags), missing_species=pick(self.missing_species),
                       site_metals=pick(self.site_metals))


# ---------------------------------------------------------------------- helpers
def _resolve_network(spec: Any, base: Path, where: str) -> Network:
    if isinstance(spec, Mapping):
        return network_from_dict(dict(spec), source=f"{where} (inline network)")
    candidate = (base / spec) if spec.endswith((".yaml", ".yml")) else None
    return load_network(candidate if candidate is not None and candidate.exists() else spec)


def _conditions(spec) -> tuple[Conditions, tuple[float, ...] | None]:
    """Default conditions and the potentials to draw, from the validated ``conditions:`` block."""
    given = spec.conditions
    if given is None:
        return Conditions(), None
    u_list = None if given.U is None else tuple(given.U) if isinstance(given.U, list) else (given.U,)
    return Conditions(u_list[0] if u_list else 0.0, given.pH, given.T, given.scale), u_list


def _species_key(label: str, network: Network, where: str, metals=None, equivalent: bool = False) -> str:
    from .sites import site_species

    name = site_species(label, network, metals, equivalent=equivalent, where=where)
    parts = {p for a in network.adsorbates if "+" in a for p in a.split("+")}  # additive inputs
    if name != "*" and name not in network.species and name not in parts:
        if "+" in name:
            raise InputError(
                f"{where}: co-adsorbed state {label!r} is not a state of network {network.name!r} "
                f"(its co-adsorbed states: {[n for n in network.adsorbates if '+' in n][:12]})")
        raise InputError(
            f"{where}: species {label!r} does not appear in network {network.name!r} "
            f"(its adsorbates: {list(network.adsorbates)})"
        )
    return name


def _temperature(spec) -> float:
    return spec.conditions.T if spec.conditions is not None else Conditions().T


def _policy(spec, policy: ThermoPolicy | None) -> ThermoPolicy:
    if policy is not None:
        return policy
    return ThermoPolicy(**spec.thermo_policy.model_dump()) if spec.thermo_policy is not None else ThermoPolicy()


# ---------------------------------------------------------------------- kinds
def _ledger(spec, where: str, policy: ThermoPolicy, base: str | Path | None = None) -> ReferenceLedger:
    refs = spec.references.model_dump(exclude_none=True, exclude_unset=True)
    # thermal corrections at the temperature of the analysis unless the file says otherwise
    refs.setdefault("temperature", _temperature(spec))
    try:
        return ReferenceLedger.from_dict(refs, source=where, policy=policy, base=base)
    except ChefeError as exc:
        raise InputError(str(exc) if where in str(exc) else f"{where}: {exc}") from None


def _require_cp(spec: Any, policy: ThermoPolicy, where: str) -> None:
    """Explicit corrections follow the one heat-capacity convention: cp given, or the term off."""
    has_cp = spec.get("cp") is not None if isinstance(spec, Mapping) else getattr(spec, "cp", None) is not None
    if policy.heat_capacity and not has_cp:
        raise InputError(
            f"{where}: zpe and ts given without cp; every species carries ∫Cp dT (∫Cv dT for "
            "adsorbates) under the default convention: add cp (cp: 0 if you mean it), or set "
            "thermo_policy: {heat_capacity: false} to omit it for every species"
        )


def _adsorbate_correction(spec: Any, name: str, temperature: float, policy: ThermoPolicy, where: str,
                          notes: list[str]) -> float:
    """G correction (eV) of one adsorbate from its validated thermo; what it reports goes to ``notes``."""
    from .schema.energies import ExplicitThermo, FrequencyThermo, TableThermo
    from .thermo import ThermalCorrection, harmonic_correction, table_correction

    if isinstance(spec, (int, float)):
        return float(spec)
    if isinstance(spec, FrequencyThermo):
        found = harmonic_correction(spec.frequencies, temperature, policy, name=f"{where}: {name}")
    elif isinstance(spec, TableThermo):
        try:
            found = table_correction(name, spec.table, temperature, policy, spec.mode)
        except ChefeError as exc:
            raise InputError(f"{where}: {exc}") from None
    else:
        assert isinstance(spec, ExplicitThermo)
        _require_cp(spec, policy, f"{where}: thermo of {name}")
        cp = spec.cp if policy.heat_capacity else 0.0
        found = ThermalCorrection(spec.zpe, cp, spec.ts, temperature, "explicit", "input")
    notes.extend(found.notes)
    return found.g


def _basis_potentials(ledger: ReferenceLedger, basis: Mapping[str, str], where: str) -> dict[str, float]:
    """Elemental chemical potentials μ_el from the basis species (solves C μ = G)."""
    try:
        species = [canonical(s) for s in basis.values()]
    except ChefeError as exc:
        raise InputError(f"{where}: basis: {exc}") from None
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


def _thermo_keys(label, network: Network, where: str, metals=None, equivalent: bool = False) -> list[str]:
    """Species a thermal correction applies to: on named sites, an adsorbate written without a
    site stands for it on every site (its vibrations do not depend on which metal holds it less
    than the DFT energy does: give per-site values under *X@M1 where they matter)."""
    try:
        name = canonical(str(label))
    except ChefeError as exc:
        raise InputError(f"{where}: {exc}") from None
    if network.site_names and "@" not in name and "+" not in name and name != "*":
        known = set(network.species) | {p for a in network.adsorbates for p in a.split("+")}
        keys = [f"{name}@{n}" for n in network.site_names if f"{name}@{n}" in known]
        if keys:
            return keys
    return [_species_key(label, network, where, metals, equivalent)]


def _species_energies(network: Network, energies: Mapping[str, float], where: str, entry=None) -> dict[str, float]:
    from .sites import check_site_metals

    metals = getattr(entry, "sites", None)
    equivalent = bool(getattr(entry, "equivalent_sites", False))
    check_site_metals(network, metals, where)
    out = {}
    for label, value in energies.items():
        name = _species_key(label, network, where, metals, equivalent)
        if name in out:
            raise InputError(f"{where}: {label!r} duplicates {name!r}")
        out[name] = value
    return out


def _fill_states(network: Network, per_cat: list[dict[str, float]], spec, where: str) -> list[str]:
    """Equivalent sites and co-adsorbed states of each catalyst (in place); notes."""
    from .sites import fill_equivalent
    from .states import coadsorbed_states, state_energies

    notes = []
    mode = getattr(spec, "coadsorption", "calculated")
    states = coadsorbed_states(network) if network.sites > 1 else ()
    for (name, entry), g in zip(spec.catalysts.items(), per_cat):
        cw = f"{where}: catalyst {name!r}"
        if getattr(entry, "equivalent_sites", False) and network.site_names:
            fill_equivalent(network, g)
        if not network.state_resolved:
            continue
        filled, additive, missing = state_energies(network, g, mode=mode)
        g.update(filled)
        if additive:
            notes.append(f"{cw}: co-adsorbed states {additive} approximated as the sum of their adsorbates, "
                         "G(*A) + G(*B) - G(*) (coadsorption: additive)")
        if missing:
            notes.append(f"{cw}: co-adsorbed states {missing[:6]}{' ...' if len(missing) > 6 else ''} have no "
                         f"energy of their own: routes through them are left out; build each as one structure "
                         f"(chefe build --network {network.name}) and collect its run, or set "
                         "coadsorption: additive")
    if states and not network.state_resolved:
        notes.append(f"co-adsorbed states ({len(states)}, e.g. {states[0]}) approximated as the sum of their "
                     "adsorbates, G(*A) + G(*B) - G(*) (coadsorption: additive)")
    return notes


def _dG0_from_species(network: Network, per_cat: list[dict[str, float]], ledger: ReferenceLedger,
                      where: str) -> tuple[np.ndarray, list[str]]:
    from .engine import step_free_energies

    reservoir = {s: ledger.free_energy(s) for s in network.reservoir_species if ledger.has(s)}
    reservoir["H+"] = ledger.free_energy("H+")
    columns = [step_free_energies(network, {**reservoir, **g})[:, 0] for g in per_cat]
    dG0 = np.column_stack(columns) if columns else np.zeros((len(network.steps), 0))
    notes = []
    missing_res = [s for s in network.reservoir_species if s not in reservoir]
    if missing_res:
        unusable = [st.id for st in network.steps if any(sp.name in missing_res for sp in st.species())]
        notes.append(f"{where}: no reference for {missing_res}; steps {unusable} are left out")
    return dG0, notes


def _solvation(network, spec, where, base):
    from .solvation import solvation_from_spec

    from .species import without_site

    known = tuple(dict.fromkeys(without_site(p) for a in network.adsorbates for p in a.split("+")))
    return solvation_from_spec(spec.solvation, where=f"{where}: solvation", base=base, known=known)


def _solvation_of(solvation, species: str) -> float:
    """Solvation correction of a species on any site; a co-adsorbed state takes the sum of its
    adsorbates'."""
    from .species import without_site

    return sum(solvation.correction(without_site(p)) for p in species.split("+"))


def _solvation_notes(solvation) -> list[str]:
    return [solvation.describe()] if (solvation.values or solvation.default) else []


def _from_total(network, spec, where, policy, base, ledger):
    """G of every species per catalyst: E + thermal correction + solvation."""
    solvation = _solvation(network, spec, where, base)
    notes: list[str] = []
    shared = {}
    for k, v in (spec.adsorbate_thermo or {}).items():
        value = _adsorbate_correction(v, canonical(k), ledger.temperature, policy, f"{where}: adsorbate_thermo", notes)
        for key in _thermo_keys(k, network, f"{where}: adsorbate_thermo"):
            shared[key] = value
    per_cat = []
    for name, entry in spec.catalysts.items():
        cw = f"{where}: catalyst {name!r}"
        energies = _species_energies(network, entry.energies, cw, entry)
        if "*" not in energies:
            raise InputError(f"{cw}: the clean site '*' energy is missing")
        corr = dict(shared)
        for k, v in (entry.thermo or {}).items():
            value = _adsorbate_correction(v, canonical(k), ledger.temperature, policy, cw, notes)
            for key in _thermo_keys(k, network, cw, entry.sites, entry.equivalent_sites):
                corr[key] = value
        if entry.equivalent_sites and network.site_names:
            from .sites import fill_equivalent

            fill_equivalent(network, corr, needed=list(energies))
        g = {}
        for sp, e in energies.items():
            if sp != "*" and sp not in corr and "+" in sp:
                parts = sp.split("+")
                if all(p in corr for p in parts):
                    corr[sp] = sum(corr[p] for p in parts)
                    notes.append(f"{cw}: thermal correction of co-adsorbed {sp} taken as the sum of its "
                                 "adsorbates' (give thermo for it to use its own)")
            if sp != "*" and sp not in corr:
                raise InputError(
                    f"{cw}: no thermal correction for {sp}; give adsorbate_thermo or thermo "
                    "(write 0 to use the bare DFT energy on purpose)"
                )
            g[sp] = e + corr.get(sp, 0.0) + _solvation_of(solvation, sp)
        per_cat.append(g)
    notes += _fill_states(network, per_cat, spec, where)
    dG0, more = _dG0_from_species(network, per_cat, ledger, where)
    return dG0, more + list(dict.fromkeys(notes)) + _solvation_notes(solvation), per_cat


def _from_adsorption(network, spec, where, base, ledger):
    """G of every species per catalyst: ΔG(*X) + Σ n_el μ_el + solvation (G(*) = 0)."""
    solvation = _solvation(network, spec, where, base)
    mu = _basis_potentials(ledger, spec.basis, where)
    per_cat = []
    for name, entry in spec.catalysts.items():
        cw = f"{where}: catalyst {name!r}"
        g = {"*": 0.0}
        for sp, dg in _species_energies(network, entry.energies, cw, entry).items():
            comp = dict(parse_species(sp).composition)
            missing = set(comp) - set(mu)
            if missing:
                raise InputError(f"{cw}: {sp} contains {sorted(missing)} but the basis covers {sorted(mu)}")
            g[sp] = dg + sum(n * mu[el] for el, n in comp.items()) + _solvation_of(solvation, sp)
        per_cat.append(g)
    notes = _fill_states(network, per_cat, spec, where)
    dG0, more = _dG0_from_species(network, per_cat, ledger, where)
    return dG0, more + notes + _solvation_notes(solvation), per_cat


def _ph_shift(network: Network, spec) -> np.ndarray:
    """ΔG(reference_pH) - ΔG°(pH 0) per step: (n_H - n_e)·kT ln10·pH."""
    return (network.n_H - network.n_e) * ln10_kT(_temperature(spec)) * spec.reference_pH


def _from_steps(network, spec, where):
    cols = []
    for name, entry in spec.catalysts.items():
        col = np.full(len(network.steps), np.nan)
        for step_id, value in entry.energies.items():
            try:
                col[network.index(step_id)] = value
            except ChefeError as exc:
                raise InputError(f"{where}: catalyst {name!r}: {exc}") from None
        cols.append(col)
    return np.column_stack(cols) - _ph_shift(network, spec)[:, None]


def _linear_terms(terms: Mapping[str, float], descriptors: Mapping[str, np.ndarray], n: int,
                  where: str) -> np.ndarray:
    out = np.full(n, terms.get("const", 0.0))
    for key, coefficient in terms.items():
        if key == "const":
            continue
        if key not in descriptors:
            raise InputError(f"{where}: unknown descriptor {key!r}; descriptors are {sorted(descriptors)}")
        out = out + coefficient * descriptors[key]
    return out


def _from_linear(network, spec, where, base: Path):
    from .schema import energy_units

    table_path = (base / spec.descriptors_file).resolve()
    # a table outside the energies file's folder and the working folder is read, but nothing of
    # its content is echoed in an error: only where it is
    inside = any(table_path.is_relative_to(root) for root in (base.resolve(), Path.cwd().resolve()))
    where_table = str(table_path) if inside else (f"{table_path} (descriptors_file of {where}, outside its "
                                                 "folder: its content is not shown)")
    rows = read_csv_rows(table_path)
    units = energy_units()
    to_ev = units[spec.model.unit]
    header = list(rows[0])
    for column, what in ((spec.key, "key"), *((d.column, f"descriptors.{n}.column") for n, d in spec.descriptors.items()),
                         *(((spec.label_column, "label_column"),) if spec.label_column else ())):
        if column not in header:
            shown = f"; its columns: {header}" if inside else ""
            raise InputError(f"{where_table}: no column {column!r} ({what} in {where}){shown}")
    names = [row[spec.key] for row in rows]
    labels = [row[spec.label_column] if spec.label_column else row[spec.key] for row in rows]
    descriptors = {}
    for dname, dspec in spec.descriptors.items():
        values = []
        for r, row in enumerate(rows):
            try:
                values.append(finite_number(row[dspec.column], f"{where_table} line {r + 2} ({names[r]}): "
                                                               f"column {dspec.column}"))
            except InputError:
                if inside:
                    raise
                raise InputError(f"{where_table}: line {r + 2}, column {dspec.column}: not a finite number") from None
        # each descriptor in the model's unit
        descriptors[dname] = dspec.scale * np.asarray(values) * units[dspec.unit or spec.model.unit] / to_ev
    n = len(rows)
    dG = np.full((len(network.steps), n), np.nan)
    barriers = np.full((len(network.steps), n), np.nan)
    beta = np.full(len(network.steps), 0.5)
    have_barrier = False
    for step_id, step in spec.model.steps.items():
        sw = f"{where}: model step {step_id!r}"
        try:
            i = network.index(step_id)
        except ChefeError as exc:
            raise InputError(f"{where}: {exc}") from None
        if step.forward is not None:
            forward = _linear_terms(step.forward, descriptors, n, f"{sw} forward")
            backward = _linear_terms(step.backward or {"const": 0.0}, descriptors, n, f"{sw} backward")
            dG[i] = (forward - backward) * to_ev
            barriers[i] = forward * to_ev
            have_barrier = True
        elif step.dE is not None:
            dG[i] = _linear_terms(step.dE, descriptors, n, f"{sw} dE") * to_ev
        else:
            raise InputError(f"{sw}: give 'dE' or 'forward' (and 'backward')")
        if step.beta is not None:
            beta[i] = step.beta
    return dG - _ph_shift(network, spec)[:, None], names, labels, (barriers if have_barrier else None), beta


def read_csv_rows(path: Path) -> list[dict[str, str]]:
    """Rows of a CSV file as dicts (header required); errors name the file and line."""
    import csv
    import io

    from .textfile import read_text

    text = read_text(path, what="descriptors table")
    try:
        reader = csv.DictReader(io.StringIO(text))
        rows = list(reader)
    except csv.Error as exc:
        raise InputError(f"{path}: malformed CSV: {exc}") from None
    if not rows:
        raise InputError(f"{path}: no data rows")
    for k, row in enumerate(rows):
        if None in row or None in row.values():
            raise InputError(f"{path}: line {k + 2} has a different number of fields than the header")
    return rows


def _barriers(network: Network, spec, where: str) -> np.ndarray | None:
    if not any(entry.barriers for entry in spec.catalysts.values()):
        return None
    cols = []
    for name, entry in spec.catalysts.items():
        col = np.full(len(network.steps), np.nan)
        for step_id, value in (entry.barriers or {}).items():
            try:
                col[network.index(step_id)] = value
            except ChefeError as exc:
                raise InputError(f"{where}: catalyst {name!r}: {exc}") from None
        cols.append(col)
    return np.column_stack(cols)


def _sites_and_states(network, spec, where, notes) -> Network:
    """Named sites (``site_labels``) and co-adsorbed states resolved as calculations."""
    from .network import with_site_labels
    from .states import resolve_states

    if spec.site_labels:
        names = spec.site_labels if isinstance(spec.site_labels, list) else ()
        try:
            network = with_site_labels(network, names)
        except ChefeError as exc:
            raise InputError(f"{where}: site_labels: {exc}") from None
        notes.append(f"sites named {', '.join(network.site_names)}: every placement of each step on them is a "
                     f"step of its own ({len(network.steps)} steps)")
    if network.sites < 2:
        return network
    composite = any("+" in str(k) for entry in spec.catalysts.values() for k in entry.energies)
    if spec.coadsorption == "calculated" or composite:
        network = resolve_states(network)
    return network


def _product_variants(network, spec, ledger, conditions, where, notes) -> Network:
    """NH3 as NH3(aq)/NH4+ and nitrite as HNO2, as the references and ``nitrite:`` say."""
    if ledger.ammonia != "gas" and "NH3(g)" in network.species:
        from .network import with_ammonia_product

        network = with_ammonia_product(network, ledger.ammonia)
        notes.append(f"NH3 product taken as {'NH3(aq)' if ledger.ammonia == 'aq' else 'NH4+(aq)'} "
                     f"(tabulated from NH3(g), {ledger.formation_table} table)")
        if ledger.ammonia == "NH4+":
            from .formation import pka_values

            pka = pka_values()["NH4+(aq)"]
            if conditions.pH > pka:
                notes.append(f"pH {conditions.pH:g} is above the pKa of NH4+ ({pka:g}): ammonia is "
                             "mostly NH3(aq) there; consider ammonia: aq")
    if spec.nitrite != "NO2-":
        from .network import with_nitrite_product

        try:
            renamed = with_nitrite_product(network, spec.nitrite, conditions.pH)
        except ChefeError as exc:
            raise InputError(f"{where}: {exc}") from None
        if renamed is not network:
            network = renamed
            notes.append(f"nitrite released as HNO2(aq) (nitrite: {spec.nitrite}; pH {conditions.pH:g}, pKa 3.25)")
    return network


# ---------------------------------------------------------------------- public
def energies_from_dict(data: Mapping[str, Any], *, source: str = "<energies>", base: str | Path = ".",
                       policy: ThermoPolicy | None = None, lines: Mapping[tuple, int] | None = None) -> EnergySet:
    """Build an :class:`EnergySet` from the mapping of an energies file.

    The mapping is first validated by its kind's model (:func:`chefe.schema.energies_model`:
    unknown keys, types, ranges; aliases resolved; energies converted from ``units:`` to eV).
    """
    from .schema import energies_model

    spec = energies_model(data, source=source, lines=lines)
    return energy_set(spec, source=source, base=base, policy=policy,
                      unit=data.get("units", "eV") if isinstance(data, Mapping) else "eV")


def energy_set(spec, *, source: str = "<energies>", base: str | Path = ".", policy: ThermoPolicy | None = None,
               unit: str = "eV") -> EnergySet:
    """An :class:`EnergySet` from a validated energies model (:mod:`chefe.schema.energies`)."""
    where = source
    base = Path(base)
    try:
        network = _resolve_network(spec.network, base, where)
    except ChefeError as exc:
        raise type(exc)(f"{where}: {exc}") from None
    conditions, potentials = _conditions(spec)
    policy = _policy(spec, policy)
    ledger = None
    barriers = beta = None
    labels: list[str] | None = None
    missing: tuple = ()
    notes: list[str] = []
    if spec.nitrate_adsorption != "oxidative":
        # before any ΔG° is formed: a step file's reference_pH shift uses the step's own counts
        from .network import with_nitrate_adsorption

        try:
            network = with_nitrate_adsorption(network, spec.nitrate_adsorption)
        except ChefeError as exc:
            raise InputError(f"{where}: {exc}") from None
        notes.append(network.description.splitlines()[-1])
    if spec.nitrate_dissociation:
        from .network import with_nitrate_dissociation

        try:
            network = with_nitrate_dissociation(network)
        except ChefeError as exc:
            raise InputError(f"{where}: {exc}") from None
        notes.append(network.description.splitlines()[-1])
    if spec.hydrogenation != "pcet":
        from .network import with_adsorbed_hydrogen

        if spec.kind not in ("total", "adsorption"):
            raise InputError(f"{where}: hydrogenation: {spec.hydrogenation} changes the steps, so it needs "
                             f"species energies (kind total or adsorption), not kind {spec.kind}")
        try:
            network = with_adsorbed_hydrogen(network, spec.hydrogenation)
        except ChefeError as exc:
            raise InputError(f"{where}: {exc}") from None
        notes.append(network.description.splitlines()[-1])
    if spec.site_ligand:
        from .network import with_site_ligand

        try:
            network = with_site_ligand(network, spec.site_ligand)
        except ChefeError as exc:
            raise InputError(f"{where}: site_ligand: {exc}") from None
        notes.append(network.description.splitlines()[-1])
    if spec.kind in ("total", "adsorption"):
        ledger = _ledger(spec, where, policy, base)
        network = _product_variants(network, spec, ledger, conditions, where, notes)
        network = _sites_and_states(network, spec, where, notes)
        if spec.kind == "total":
            dG0, more, per_cat = _from_total(network, spec, where, policy, base, ledger)
        else:
            dG0, more, per_cat = _from_adsorption(network, spec, where, base, ledger)
        names = list(spec.catalysts)
        missing = tuple(tuple(sorted(set(network.adsorbates) - set(g))) for g in per_cat)
        notes.extend(more)
        if "NO3-(aq)" in network.species:
            notes.append(f"NO3-(aq) reference: {ledger.provenance('NO3-(aq)')}")
        notes.append(f"thermal corrections: low-frequency policy {policy.describe()}")
        notes.extend(ledger.notes)
        from .reference_check import gas_energy_warnings, overall_reaction_warnings

        notes.extend(gas_energy_warnings(ledger))
        notes.extend(overall_reaction_warnings(network, ledger))
    elif spec.kind == "step":
        dG0 = _from_steps(network, spec, where)
        names = list(spec.catalysts)
    else:
        dG0, names, labels, barriers, beta = _from_linear(network, spec, where, base)
    if unit != "eV":
        notes.append(f"energies given in {unit}, converted to eV (ase.units)")
    if len(set(names)) != len(names):
        dup = sorted({x for x in names if names.count(x) > 1})
        raise InputError(f"{where}: duplicate catalysts {dup}")
    entries = spec.catalysts if spec.kind != "linear" else {}
    style = spec.style or {}
    cat_labels, colors, sites, file_flags, site_metals = [], [], [], [], []
    for k, name in enumerate(names):
        entry, extra = entries.get(name), style.get(name)

        def pick(key, fallback=None):
            for block in (extra, entry):
                value = getattr(block, key, None) if block is not None else None
                if value is not None:
                    return value
            return fallback

        cat_labels.append(str(pick("label", labels[k] if labels else name)))
        colors.append(pick("color"))
        sites.append(pick("site"))
        site_metals.append(dict(entry.sites) if getattr(entry, "sites", None) else None)
        file_flags.append(tuple(str(f) for f in (getattr(entry, "flags", None) or ())))
    if spec.kind != "linear":
        barriers = _barriers(network, spec, where)
    title = spec.title or ""
    return EnergySet(
        network=network, names=tuple(names), dG0=dG0, labels=tuple(cat_labels), colors=tuple(colors),
        sites=tuple(sites), conditions=conditions, potentials=potentials, barriers=barriers,
        beta=beta, ledger=ledger, source=str(source), title=title, notes=tuple(notes),
        missing_species=missing, flags=tuple(file_flags) if any(file_flags) else (),
        site_metals=tuple(site_metals) if any(site_metals) else (),
    )


def load_energies(path: str | Path, *, policy: ThermoPolicy | None = None,
                  nitrate_adsorption: str | None = None, pH: float | None = None,
                  hydrogenation: str | None = None, nitrate_dissociation: bool | None = None,
                  coadsorption: str | None = None, site_labels: bool | None = None,
                  site_ligand: str | None = None) -> EnergySet:
    """Read an energies YAML file (see module docstring) into an :class:`EnergySet`.

    ``nitrate_adsorption``, ``hydrogenation``, ``coadsorption``, ``site_labels``, ``site_ligand``
    and ``pH`` override the file's (the CLI's ``--nitrate-adsorption``, ``--hydrogenation``,
    ``--coadsorption``, ``--site-labels``, ``--site-ligand`` and ``--pH``), before anything that depends on them
    (``nitrite: auto``) is decided.
    """
    path = Path(path)
    data, lines = read_yaml(path, what="energies file", lines=True)
    if isinstance(data, Mapping) and hydrogenation is not None:
        data = {**data, "hydrogenation": hydrogenation}
    if isinstance(data, Mapping) and nitrate_dissociation:
        data = {**data, "nitrate_dissociation": True}
    if isinstance(data, Mapping) and coadsorption is not None:
        data = {**data, "coadsorption": coadsorption}
    if isinstance(data, Mapping) and site_ligand is not None:
        data = {**data, "site_ligand": site_ligand}
    if isinstance(data, Mapping) and site_labels and not data.get("site_labels"):
        data = {**data, "site_labels": True}
    if isinstance(data, Mapping) and (nitrate_adsorption is not None or pH is not None):
        data = dict(data)
        if nitrate_adsorption is not None:
            data["nitrate_adsorption"] = nitrate_adsorption
        if pH is not None:
            conditions = data.get("conditions") or {}
            data["conditions"] = {**(conditions if isinstance(conditions, Mapping) else {}), "pH": pH}
    return energies_from_dict(data, source=str(path), base=path.parent, policy=policy, lines=lines)

"""Thermal corrections ZPE, ∫Cp dT and T·S: from frequencies via ase.thermochemistry, or from tables.

Adsorbates are treated as harmonic oscillators (:class:`ase.thermochemistry.HarmonicThermo`,
or :class:`~ase.thermochemistry.QuasiHarmonicThermo` when low frequencies are raised); gas
molecules as ideal gases (:class:`ase.thermochemistry.IdealGasThermo`). The low-frequency and
imaginary-mode policy is explicit and recorded on every :class:`ThermalCorrection`, because a
100 cm⁻¹ floor moves G by tens of meV (PEERS.md §1).

ASE is wrapped in one place (:func:`_ase_classes`) so an API rename upstream breaks one line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from .constants import INVCM_IN_EV, J_PER_MOL_K_IN_EV_PER_K, T_STANDARD
from .errors import InputError

LOW_FREQUENCY_METHODS = ("harmonic", "raise")
IMAGINARY_POLICIES = ("fail", "drop", "real")


@dataclass(frozen=True, slots=True)
class ThermoPolicy:
    """How low and imaginary modes are treated.

    Attributes:
        low_frequency: ``"harmonic"`` (use modes as they are) or ``"raise"`` (raise every real
            mode below ``cutoff_cm`` to it: Cramer-Truhlar quasi-harmonic, ASE
            ``QuasiHarmonicThermo``).
        cutoff_cm: the floor in cm⁻¹ for ``"raise"``.
        imaginary: ``"fail"`` (raise an error), ``"drop"`` (remove imaginary modes) or
            ``"real"`` (use their magnitude as real modes). Imaginary modes are written as
            negative numbers or complex values.
        heat_capacity: the one heat-capacity convention applied to every species: True
            (default) includes ∫Cp dT from 0 K for gases and ∫Cv dT for adsorbates; False
            omits it everywhere (the Nørskov et al. 2004 convention, whose H2/H2O table has no
            such term).
    """

    low_frequency: str = "harmonic"
    cutoff_cm: float = 100.0
    imaginary: str = "fail"
    heat_capacity: bool = True

    def __post_init__(self) -> None:
        if self.low_frequency not in LOW_FREQUENCY_METHODS:
            raise InputError(
                f"low_frequency must be one of {LOW_FREQUENCY_METHODS}, got {self.low_frequency!r}"
            )
        if self.imaginary not in IMAGINARY_POLICIES:
            raise InputError(f"imaginary must be one of {IMAGINARY_POLICIES}, got {self.imaginary!r}")
        if not self.cutoff_cm > 0:
            raise InputError(f"cutoff_cm must be positive, got {self.cutoff_cm}")
        if not isinstance(self.heat_capacity, bool):
            raise InputError(f"heat_capacity must be true or false, got {self.heat_capacity!r}")

    def describe(self) -> str:
        """Short text recorded with each result, e.g. ``"raise<100cm-1; imaginary=drop"``."""
        low = "harmonic" if self.low_frequency == "harmonic" else f"raise<{self.cutoff_cm:g}cm-1"
        heat = "" if self.heat_capacity else "; no ∫Cp dT"
        return f"{low}; imaginary={self.imaginary}{heat}"

    def convention(self) -> str:
        """One line for the output notes: the heat-capacity convention used for every species."""
        if self.heat_capacity:
            return ("G = E + ZPE + ∫Cp dT - TS for every species (∫Cp dT from 0 K: ideal gas for "
                    "molecules, harmonic ∫Cv dT for adsorbates)")
        return "G = E + ZPE - TS for every species (no heat-capacity term: Nørskov et al. 2004 convention)"


@dataclass(frozen=True, slots=True)
class ThermalCorrection:
    """Thermal correction of one species at temperature T (eV).

    G = E_DFT + zpe + cp - ts. ``cp`` is ∫Cp dT for gases and ∫Cv dT for adsorbates (0 when
    the policy omits the heat-capacity term).

    Attributes:
        zpe, cp, ts: eV.
        temperature: K.
        method: ``"harmonic"``, ``"ideal_gas"``, ``"table"`` or ``"explicit"``.
        source: where the numbers come from (table citation or "frequencies").
        policy: the low-frequency / imaginary-mode policy used (``""`` for tables).
        n_imaginary: imaginary modes found in the input.
    """

    zpe: float
    cp: float
    ts: float
    temperature: float
    method: str
    source: str
    policy: str = ""
    n_imaginary: int = 0
    notes: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()

    @property
    def g(self) -> float:
        """zpe + cp - ts in eV."""
        return self.zpe + self.cp - self.ts

    def to_dict(self) -> dict:
        return {
            "zpe": self.zpe, "cp": self.cp, "ts": self.ts, "g": self.g,
            "temperature": self.temperature, "method": self.method, "source": self.source,
            "policy": self.policy, "n_imaginary": self.n_imaginary, "notes": list(self.notes),
            "flags": list(self.flags),
        }


def _ase_classes():
    from ase.thermochemistry import HarmonicThermo, IdealGasThermo, QuasiHarmonicThermo

    return HarmonicThermo, QuasiHarmonicThermo, IdealGasThermo


def vib_energies(frequencies_cm: Sequence[float | complex], policy: ThermoPolicy, *, name: str) -> tuple[list[float], int]:
    """Convert frequencies (cm⁻¹; negative or complex = imaginary) to real mode energies (eV).

    Returns the energies kept and the number of imaginary modes found.

    Raises:
        InputError: for imaginary modes under ``imaginary="fail"`` or non-finite input, naming
            ``name``.
    """
    values = np.asarray(frequencies_cm, dtype=complex).ravel()
    if not np.all(np.isfinite(values)):
        raise InputError(f"{name}: frequencies contain NaN or inf")
    imaginary = (np.abs(values.imag) > 1e-12) | (values.real < 0)
    n_imag = int(imaginary.sum())
    if n_imag and policy.imaginary == "fail":
        shown = ", ".join(f"{v.real:g}" if v.imag == 0 else f"{v}" for v in values[imaginary])
        raise InputError(
            f"{name}: {n_imag} imaginary mode(s) ({shown} cm-1); choose imaginary='drop' or "
            "'real' explicitly, or re-converge the structure"
        )
    if policy.imaginary == "drop":
        kept = values[~imaginary].real
    else:
        kept = np.where(imaginary, np.abs(values), values.real).real
    return [float(f) * INVCM_IN_EV for f in kept], n_imag


def harmonic_correction(
    frequencies_cm: Sequence[float | complex],
    temperature: float = T_STANDARD,
    policy: ThermoPolicy = ThermoPolicy(),
    *,
    name: str = "adsorbate",
) -> ThermalCorrection:
    """Harmonic ZPE, ∫Cv dT and T·S of an adsorbate from its frequencies (cm⁻¹)."""
    harmonic, quasi, _ = _ase_classes()
    energies, n_imag = vib_energies(frequencies_cm, policy, name=name)
    if policy.low_frequency == "raise":
        thermo = quasi(energies, potentialenergy=0.0, raise_to=policy.cutoff_cm * INVCM_IN_EV)
    else:
        thermo = harmonic(energies, potentialenergy=0.0)
    zpe = float(thermo.get_ZPE_correction())
    u = float(thermo.get_internal_energy(temperature, verbose=False))
    s = float(thermo.get_entropy(temperature, verbose=False))
    cp = (u - zpe) if policy.heat_capacity else 0.0
    notes = (f"{name}: {n_imag} imaginary mode(s) treated as {policy.imaginary}",) if n_imag else ()
    return ThermalCorrection(zpe, cp, temperature * s, temperature, "harmonic",
                             "frequencies", policy.describe(), n_imag, notes,
                             ("imaginary_mode",) if n_imag else ())


def ideal_gas_correction(
    frequencies_cm: Sequence[float | complex],
    atoms,
    geometry: str | None = None,
    symmetry_number: int | None = None,
    spin: float = 0.0,
    temperature: float = T_STANDARD,
    pressure_bar: float = 1.0,
    policy: ThermoPolicy = ThermoPolicy(),
    *,
    name: str = "molecule",
    electronic_levels: Sequence[tuple[float, int]] | None = None,
) -> ThermalCorrection:
    """Ideal-gas ZPE, ∫Cp dT and T·S(p) of a molecule (:class:`ase.thermochemistry.IdealGasThermo`).

    ``atoms`` (an :class:`ase.Atoms`, periodic DFT cells accepted: the molecule is made whole)
    sets the moments of inertia; ``geometry`` and ``symmetry_number`` default to those of the
    geometry's point group (:func:`chefe.gas.molecule_shape`); ``spin`` is the total spin S.
    ``frequencies_cm`` may be all 3N modes of a finite-difference run or the 3N-6 (3N-5)
    vibrations alone (:func:`chefe.gas.select_vibrations`). ``pressure_bar`` is the partial
    pressure (0.035 bar for H2O standing in for liquid water). ``electronic_levels``
    (``(cm⁻¹, degeneracy)``, ground first) adds low-lying excited states to the electronic
    partition function; by default those of the shipped table for the molecule's formula (NO's
    ²Π3/2 at 119.7 cm⁻¹) when its ground degeneracy is 2S+1; ``()`` switches this off.
    """
    from .constants import BAR_IN_PA
    from .gas import excited_level_terms, molecule_shape, select_vibrations

    _, _, ideal_gas = _ase_classes()
    shape = molecule_shape(atoms, name=name)
    notes = []
    if geometry is None:
        geometry = shape.geometry
    elif geometry != shape.geometry:
        notes.append(f"{name}: geometry {geometry!r} given, the structure is {shape.geometry} "
                     f"({shape.point_group})")
    if symmetry_number is None:
        symmetry_number = shape.symmetry_number
    elif int(symmetry_number) != shape.symmetry_number:
        notes.append(f"{name}: symmetry number {symmetry_number} given, the structure's point group "
                     f"{shape.point_group} has {shape.symmetry_number}")
    if not pressure_bar > 0:
        raise InputError(f"{name}: pressure must be positive (bar), got {pressure_bar}")
    selected = select_vibrations(frequencies_cm, len(shape.atoms), geometry, name=name)
    energies, n_imag = vib_energies(selected.vibrations, policy, name=name)
    kwargs = dict(geometry=geometry, potentialenergy=0.0, atoms=shape.atoms,
                  symmetrynumber=int(symmetry_number), spin=float(spin))
    try:  # the vibrations are selected above; ASE >= 3.24 would otherwise select again by count
        thermo = ideal_gas(energies, vib_selection="all", **kwargs)
    except TypeError:
        thermo = ideal_gas(energies, **kwargs)
    zpe = float(thermo.get_ZPE_correction())
    h = float(thermo.get_enthalpy(temperature, verbose=False))
    # ASE takes the pressure in Pa (its reference is 1e5 Pa; its own default, units.bar, is not Pa)
    s = float(thermo.get_entropy(temperature, pressure_bar * BAR_IN_PA, verbose=False))
    levels = electronic_levels
    if levels is None:
        from .gas import electronic_levels as shipped_levels

        levels = shipped_levels(shape.atoms.get_chemical_formula(mode="hill"))
        if levels and levels[0][1] != round(2 * float(spin) + 1):
            levels = ()
    d_s, d_h = excited_level_terms(levels, temperature) if levels else (0.0, 0.0)
    if d_s:
        s += d_s
        h += d_h
        notes.append(f"{name}: excited electronic level(s) at {', '.join(f'{e:g}' for e, _ in levels[1:])} "
                     f"cm-1 add {temperature * d_s * 1000:.1f} meV to T·S")
    if n_imag:
        notes.append(f"{name}: {n_imag} imaginary vibration(s) treated as {policy.imaginary}")
    flags = selected.flags + (("imaginary_mode",) if n_imag and "imaginary_vibration" not in selected.flags else ())
    return ThermalCorrection(
        zpe, (h - zpe) if policy.heat_capacity else 0.0, temperature * s, temperature, "ideal_gas",
        f"frequencies; p={pressure_bar:g} bar; {geometry}, σ={int(symmetry_number)}, S={float(spin):g}",
        policy.describe(), n_imag, tuple(dict.fromkeys(selected.notes + tuple(notes))), flags)


def _table_key(label: str) -> str:
    """Species key of a table row: adsorbates and phased species canonical, bare formulas kept."""
    from .species import canonical

    return canonical(label) if ("*" in label or "(" in label) else label


def table_correction(
    species: str,
    table: str = "gas_molecules_experimental",
    temperature: float = T_STANDARD,
    policy: ThermoPolicy = ThermoPolicy(),
    mode: str | None = None,
) -> ThermalCorrection:
    """Thermal correction of ``species`` from a shipped table in ``adsorbate_refs/``.

    Three kinds of table exist: molecules (experimental geometry and frequencies, e.g.
    ``gas_molecules_experimental``: ideal-gas ZPE, ∫Cp dT and T·S at any T, H2O(l) at 0.035 bar),
    values (ZPE, ∫Cp dT, T·S at the table temperature, e.g. the Nørskov 2004 H2/H2O values,
    which have no ∫Cp dT and so need ``policy.heat_capacity=False``) and adsorbate frequencies
    (e.g. Pt(111) adsorbates), from which ZPE, ∫Cv dT and T·S are computed through
    ase.thermochemistry under ``policy`` at any T. ``mode`` picks an alternative binding mode
    listed in the table (``"O,O-bidentate"``).

    Raises:
        InputError: when the table lacks the species or mode, or a value table is asked for
            another temperature.
    """
    from .refdata import load_table
    from .species import canonical

    data = load_table(table)
    entries = {_table_key(k): v for k, v in data.get("species", {}).items()}
    key = canonical(species)
    if key not in entries and key.endswith(("(g)", "(l)")) and key.split("(")[0] in entries:
        entries[key] = entries[key.split("(")[0]]  # a molecule table serves the gas and H2O(l)
    if key not in entries:
        raise InputError(f"table {table!r} has no thermal correction for {species!r}; it lists {sorted(entries)}")
    entry = entries[key]
    if mode is not None:
        modes = {canonical(k): v for k, v in (data.get("binding_modes") or {}).items()}.get(key, {})
        if mode not in modes:
            raise InputError(f"table {table!r} has no binding mode {mode!r} for {species!r}; modes: {sorted(modes)}")
        entry = modes[mode]
    citation = f"{table}: {data.get('short') or data.get('source', '')}"
    if "zmatrix" in entry:
        from .constants import P_H2O_LIQUID_BAR
        from .gas import experimental_molecule, ground_state_spin

        formula = key.split("(")[0]
        atoms, freqs = experimental_molecule(formula, table=table)
        pressure = P_H2O_LIQUID_BAR if key == "H2O(l)" else 1.0
        corr = ideal_gas_correction(freqs, atoms, spin=ground_state_spin(formula) or 0.0,
                                    temperature=temperature, pressure_bar=pressure, policy=policy,
                                    name=f"{table} {species}")
        return replace(corr, source=f"experimental geometry and frequencies, {citation}; {corr.source}")
    if "frequencies" in entry:
        corr = harmonic_correction(entry["frequencies"], temperature, policy, name=f"{table} {species}")
        return replace(corr, source=f"frequencies from {citation}")
    t_table = float(data.get("temperature_K", T_STANDARD))
    if abs(t_table - temperature) > 1e-6:
        raise InputError(
            f"table {table!r} is tabulated at {t_table} K but T = {temperature} K was asked for "
            f"{species!r}; give frequencies instead"
        )
    if "cp" not in entry and policy.heat_capacity:
        raise InputError(
            f"table {table!r} has no ∫Cp dT for {species!r} (its convention omits the heat-capacity "
            "term), while every other species carries one: use thermo: {table: "
            "gas_molecules_experimental} (ZPE, ∫Cp dT and T·S from experimental frequencies), DFT "
            "frequencies, or thermo_policy: {heat_capacity: false} to omit ∫Cp dT for every species"
        )
    cp = float(entry.get("cp", 0.0)) if policy.heat_capacity else 0.0
    return ThermalCorrection(float(entry.get("zpe", 0.0)), cp, float(entry["ts"]), temperature, "table",
                             citation, policy.describe())


def standard_entropy_ts(species: str, temperature: float = T_STANDARD, pressure_bar: float = 1.0,
                        table: str = "gas_entropy_janaf") -> float:
    """T·S (eV) of an ideal gas from its tabulated S° (1 bar), corrected to ``pressure_bar``.

    S(p) = S° - k ln(p / 1 bar). Only valid at the table temperature (298.15 K).
    """
    import math

    from .constants import KB_EV_PER_K
    from .refdata import load_table
    from .species import canonical

    data = load_table(table)
    values = {canonical(k): float(v) for k, v in data["values"].items()}
    key = canonical(species)
    if key not in values:
        raise InputError(f"table {table!r} has no entropy for {species!r}; it lists {sorted(values)}")
    if abs(float(data.get("temperature_K", T_STANDARD)) - temperature) > 1e-6:
        raise InputError(f"table {table!r} holds S° at 298.15 K only; T = {temperature} K was asked")
    s = values[key] * J_PER_MOL_K_IN_EV_PER_K - KB_EV_PER_K * math.log(pressure_bar)
    return temperature * s

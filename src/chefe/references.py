"""The reference ledger: free energies of gas, liquid and aqueous species for the CHE.

Conventions (Nørskov et al. 2004): at U_SHE = 0 and pH 0, G(H+ + e-) = ½G(H2); the ledger
therefore reports G(H+) = ½G(H2) and G(e-) = 0, and the engine adds the potential and pH terms
step by step from each step's electron and proton counts. H2O(l) is the gas at 0.035 bar.

Nitrate, NO3-(aq), is referenced to gas-phase HNO3 through the cycle
HNO3(g) -> HNO3(l) -> H+(aq) + NO3-(aq):

    G(NO3-) = G(HNO3, g) - ½G(H2) + ΔG_cycle

``nitrate="hno3_cycle"`` (default) takes ΔG_cycle from the formation table (CRC 98th ed.:
-0.392 eV), ``"hno3_raw"`` sets it to 0 (the known pitfall, for comparison), and a constant is
given in one of two explicit forms, because papers quote the same number with either sign:
``{cycle_dG: -0.392}`` is ΔG of HNO3(g) -> H+ + NO3-(aq) itself, ``{adsorption_correction:
0.392}`` is the positive correction papers add to ΔG(NO3- -> *NO3). A bare number is refused.

Every tabulated number (the cycle, the couples that tie aqueous species to a DFT anchor, the
equilibrium potentials) comes from one formation table, ``formation_table`` (``"crc"`` by
default, ``"nbs82"`` selectable): NO2-(aq) from NO3-(aq) through the NO3-/NO2- couple, HNO2(aq)
from NO2-(aq) (its pKa), NH3(aq) and NH4+(aq) from NH3(g), NH2OH(aq) from NH3(g) through the
NH2OH/NH3 couple, unless their energies are given.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .constants import P_H2O_LIQUID_BAR, T_STANDARD
from .errors import InputError, finite_number
from .species import canonical
from .thermo import (
    ThermalCorrection,
    ThermoPolicy,
    harmonic_correction,
    ideal_gas_correction,
    table_correction,
)

NITRATE_MODES = ("hno3_cycle", "hno3_raw")
#: Explicit forms of a constant nitrate correction (eV): the cycle's ΔG, or the correction added
#: to the adsorption free energy (ΔG_cycle = -correction).
NITRATE_CONSTANT_KEYS = ("cycle_dG", "adsorption_correction")
AMMONIA_MODES = ("gas", "aq", "NH4+")
#: The O2/H2O couple of the water cycle G(O2) = 2G(H2O,l) - 2G(H2) + 4eU_eq.
WATER_COUPLE = "O2(g) + 4H+ + 4e- -> 2H2O(l)"
FORMATION_TABLES = ("crc", "nbs82")

#: Aqueous species that may be derived from a DFT anchor by a tabulated reaction (the ledger's
#: formation table gives ΔrG°).
DERIVED_BY_COUPLE: dict[str, str] = {
    "NO2-(aq)": "NO3-(aq) + 2H+ + 2e- -> NO2-(aq) + H2O(l)",
    "HNO2(aq)": "NO2-(aq) + H+ -> HNO2(aq)",
    "NH3(aq)": "NH3(g) -> NH3(aq)",
    "NH4+(aq)": "NH3(g) + H+ -> NH4+(aq)",
    "NH2OH(aq)": "NH3(g) + H2O(l) -> NH2OH(aq) + 2H+ + 2e-",
}

_NITRATE_HELP = (
    "write nitrate: hno3_cycle (ΔG_cycle from the formation table), hno3_raw (no correction), "
    "{cycle_dG: -0.392} (ΔG of HNO3(g) -> H+ + NO3-(aq), eV) or {adsorption_correction: 0.392} "
    "(the positive correction papers add to ΔG(NO3- -> *NO3), eV)"
)


def nitrate_cycle_value(spec: Any, *, where: str = "references") -> tuple[float, str] | None:
    """ΔG_cycle (eV) and its description for an explicit constant, None for a named mode.

    Raises:
        InputError: for a bare number (its sign convention is ambiguous) or an unknown form.
    """
    if isinstance(spec, str):
        if spec not in NITRATE_MODES:
            raise InputError(f"{where}: nitrate reference {spec!r} unknown; {_NITRATE_HELP}")
        return None
    if isinstance(spec, bool) or isinstance(spec, (int, float)):
        raise InputError(
            f"{where}: nitrate: {spec!r} is ambiguous: papers quote the HNO3 cycle as '+0.392 eV' "
            "(a correction added to ΔG of NO3- adsorption) while the cycle HNO3(g) -> H+ + NO3-(aq) "
            f"itself has ΔG = -0.392 eV; {_NITRATE_HELP}"
        )
    if not isinstance(spec, Mapping) or len(spec) != 1 or next(iter(spec)) not in NITRATE_CONSTANT_KEYS:
        raise InputError(f"{where}: nitrate: {spec!r} not understood; {_NITRATE_HELP}")
    key, value = next(iter(spec.items()))
    number = _number(value, f"{where}: nitrate.{key}")
    if key == "cycle_dG":
        return number, f"ΔG_cycle = {number:+.4f} eV given (cycle_dG)"
    return -number, f"ΔG_cycle = {-number:+.4f} eV from the adsorption correction {number:+.4f} eV given"


@dataclass(frozen=True, slots=True)
class ReferenceEntry:
    """One reservoir species computed from DFT: G = energy + correction.g.

    Attributes:
        species: canonical name (``"NH3(g)"``).
        energy: DFT total energy in eV (or a free energy when ``correction`` is None).
        correction: thermal correction, or None when ``energy`` is already a free energy.
        note: free-text provenance (functional, file, ...).
    """

    species: str
    energy: float
    correction: ThermalCorrection | None = None
    note: str = ""

    def __post_init__(self) -> None:
        if not math.isfinite(self.energy):
            raise InputError(f"reference {self.species!r}: energy is {self.energy}")

    @property
    def g(self) -> float:
        return self.energy + (self.correction.g if self.correction else 0.0)


@dataclass(frozen=True)
class ReferenceLedger:
    """Free energies of reservoir species (eV) at temperature T.

    Attributes:
        entries: DFT-based species, keyed by canonical name.
        temperature: K.
        nitrate: ``"hno3_cycle"``, ``"hno3_raw"``, ``{"cycle_dG": eV}`` or
            ``{"adsorption_correction": eV}`` (see the module docstring).
        formation_table: the one formation table for the cycle, the couples and U_eq
            (``"crc"`` or ``"nbs82"``).
        notes: conventions used (the heat-capacity convention), for the output notes.
        ammonia: ``"gas"``, ``"aq"`` or ``"NH4+"``: the NH3 product form the analysis uses.
    """

    entries: Mapping[str, ReferenceEntry]
    temperature: float = T_STANDARD
    nitrate: str | Mapping[str, float] = "hno3_cycle"
    formation_table: str = "crc"
    ammonia: str = "gas"
    notes: tuple[str, ...] = ()
    gas_corrections: Mapping[str, Any] = field(default_factory=dict)
    #: O2(g) from the water cycle: ``"computed"`` (U_eq of O2/H2O from the formation table) or
    #: U_eq in V (a paper's 1.23); None: O2(g) needs an entry of its own.
    o2_water_cycle: str | float | None = None
    #: equilibrium potentials given per product (V vs RHE), replacing the formation table's
    equilibrium_potentials: Mapping[str, float] = field(default_factory=dict)
    _cache: dict[str, tuple[float, str]] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        nitrate_cycle_value(self.nitrate)
        if self.ammonia not in AMMONIA_MODES:
            raise InputError(f"ammonia must be one of {AMMONIA_MODES}, got {self.ammonia!r}")
        if self.formation_table not in FORMATION_TABLES:
            raise InputError(f"formation_table must be one of {FORMATION_TABLES}, got {self.formation_table!r}")
        if isinstance(self.o2_water_cycle, str) and self.o2_water_cycle != "computed":
            raise InputError(f"O2(g) water_cycle: write computed or U_eq in V (1.23), not {self.o2_water_cycle!r}")

    # ------------------------------------------------------------------ water cycle
    def water_couple_potential(self) -> tuple[float, str]:
        """U_eq (V vs RHE) of O2 + 4(H+ + e-) -> 2H2O(l) used by the water cycle, and its source."""
        if self.o2_water_cycle is not None and not isinstance(self.o2_water_cycle, str):
            return float(self.o2_water_cycle), f"U_eq = {float(self.o2_water_cycle):.3f} V given"
        from .formation import standard_potential

        u = standard_potential(WATER_COUPLE, self.formation_table)
        return u, f"U_eq = {u:.4f} V from the {self.formation_table} formation table"

    def given_equilibrium_potential(self, overall, product: str) -> tuple[float, str] | None:
        """The equilibrium potential (V vs RHE) the references fix for ``product``, else None.

        Given per product (``equilibrium_potentials``), or, for the O2/H2O couple (ORR, OER), the
        U_eq of the water cycle when one is given: the same number then defines G(O2) and η.
        """
        if product in self.equilibrium_potentials:
            u = float(self.equilibrium_potentials[product])
            return u, f"U_eq of {product} = {u:.3f} V given in the references"
        if self.o2_water_cycle is None or isinstance(self.o2_water_cycle, str):
            return None
        net = {k: v for k, v in overall.net().items() if v}
        if set(net) <= {"O2(g)", "H2O(l)", "H+", "e-"} and "O2(g)" in net:
            u, how = self.water_couple_potential()
            return u, f"U_eq of {product} from the water cycle ({how})"
        return None

    # ------------------------------------------------------------------ public
    def nitrate_correction(self) -> tuple[float, str]:
        """ΔG_cycle (eV) added to G(HNO3,g) - ½G(H2) to get G(NO3-(aq)), and its provenance."""
        constant = nitrate_cycle_value(self.nitrate)
        if constant is not None:
            return constant
        if self.nitrate == "hno3_raw":
            return 0.0, "hno3_raw: NO3- + H+ taken as HNO3(g), no correction"
        from .formation import hno3_cycle

        cycle = hno3_cycle(self.formation_table)
        terms = ", ".join(f"{s} {v:g} kJ/mol" for s, _, v in cycle.terms if s != "H+")
        return cycle.value, f"hno3_cycle from {cycle.table} ({terms}): {cycle.value:+.4f} eV"

    def free_energy(self, species: str) -> float:
        """G of ``species`` in eV on the CHE scale (see module docstring)."""
        return self._resolve(canonical(species))[0]

    def provenance(self, species: str) -> str:
        """How the free energy of ``species`` was obtained."""
        return self._resolve(canonical(species))[1]

    def free_energies(self, species: list[str] | tuple[str, ...]) -> dict[str, float]:
        """G for several species; raises :class:`InputError` naming every missing one."""
        out, missing = {}, []
        for name in species:
            try:
                out[canonical(name)] = self.free_energy(name)
            except InputError as exc:
                missing.append(str(exc))
        if missing:
            raise InputError("; ".join(missing))
        return out

    def has(self, species: str) -> bool:
        try:
            self.free_energy(species)
        except InputError:
            return False
        return True

    # ------------------------------------------------------------------ resolution
    def _resolve(self, name: str) -> tuple[float, str]:
        if name in self._cache:
            return self._cache[name]
        result = self._compute(name)
        self._cache[name] = result
        return result

    def _entry(self, name: str) -> ReferenceEntry | None:
        return self.entries.get(name)

    def _compute(self, name: str) -> tuple[float, str]:
        if name == "e-":
            return 0.0, "electron at 0 V vs SHE"
        if name == "H+":
            g_h2 = self._resolve("H2(g)")[0]
            return 0.5 * g_h2, "½G(H2(g)) (computational hydrogen electrode)"
        entry = self._entry(name)
        if entry is not None:
            corr = entry.correction
            how = f"E_DFT {entry.energy:.6f} eV"
            if corr is not None:
                how += f" + ZPE {corr.zpe:.4f} + ∫Cp {corr.cp:.4f} - TS {corr.ts:.4f} ({corr.method}: {corr.source}"
                how += f"; {corr.policy})" if corr.policy else ")"
            if entry.note:
                how += f" [{entry.note}]"
            fix = self.gas_corrections.get(name)
            if fix is not None:
                return entry.g + fix.value, f"{how} + gas correction {fix.describe()}"
            return entry.g, how
        if name == "O2(g)" and self.o2_water_cycle is not None:
            u, how = self.water_couple_potential()
            g = 2 * self._resolve("H2O(l)")[0] - 2 * self._resolve("H2(g)")[0] + 4 * u
            return g, f"water cycle: 2G(H2O,l) - 2G(H2) + 4e·U_eq ({how})"
        if name == "NO3-(aq)":
            hno3 = self._entry("HNO3(g)")
            if hno3 is None:
                raise InputError(
                    "reference NO3-(aq) needs HNO3(g) (energy + thermal correction) or an explicit "
                    "NO3-(aq) entry"
                )
            corr, how = self.nitrate_correction()
            g = self._resolve("HNO3(g)")[0] - 0.5 * self._resolve("H2(g)")[0] + corr
            sign = "+" if corr >= 0 else "-"
            return g, f"G(HNO3,g) - ½G(H2) {sign} {abs(corr):.4f} eV ({how})"
        if name in DERIVED_BY_COUPLE:
            from .formation import reaction_free_energy
            from .reaction import parse_step

            equation, table = DERIVED_BY_COUPLE[name], self.formation_table
            step = parse_step("couple", equation)
            tab = reaction_free_energy(step, table)
            g = tab.value
            for other, nu in step.net().items():
                if other == name:
                    continue
                g -= nu * self._resolve(other)[0]
            return g, f"from {equation} with ΔrG° {tab.value:+.4f} eV ({table})"
        raise InputError(
            f"no reference free energy for {name!r}: add it to the references "
            f"(energy + thermo) — known: {sorted(self.entries)}"
        )

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str = "<references>",
                  policy: ThermoPolicy | None = None, base: str | Path | None = None) -> ReferenceLedger:
        """Build a ledger from the ``references:`` mapping of an energies file.

        Each species maps to ``{energy: E_DFT, thermo: ...}`` or ``{G: value}``, where ``thermo``
        is ``{table: gas_molecules_experimental}`` (or ``gas_norskov2004`` under
        ``heat_capacity: false``), ``{zpe:, cp:, ts:, source:}``, or ``{frequencies: [...cm-1],
        atoms: NAME or file, pressure_bar:}`` (geometry, symmetry and spin default to those of the
        structure and the molecule's ground state; a relative file name is read from ``base``, the
        folder of the energies file); O2(g) may be ``{water_cycle: computed}`` or
        ``{water_cycle: 1.23}`` (U_eq in V). Other keys: ``temperature``, ``thermo_policy``,
        ``nitrate``, ``formation_table``, ``ammonia``, ``gas_corrections``,
        ``equilibrium_potentials`` (``{H2O: 1.23}``: U_eq per product, V vs RHE).
        """
        if not isinstance(data, Mapping):
            raise InputError(f"{source}: 'references' must be a mapping")
        from .schema import validate
        from .schema.energies import References

        # the same schema as the references block of an energies file: unknown keys are errors
        data = validate(References, dict(data), source=source, what="references block").model_dump(
            exclude_none=True, exclude_unset=True)
        temperature = float(data.get("temperature", T_STANDARD))
        policy = policy or ThermoPolicy(**data.get("thermo_policy", {}))
        entries = {}
        species = data.get("species", {}) or {}
        if not isinstance(species, Mapping):
            raise InputError(f"{source}: references.species must map species to energies")
        water_cycle = None
        for label, spec in species.items():
            name = canonical(str(label))
            if isinstance(spec, Mapping) and "water_cycle" in spec:
                if name != "O2(g)":
                    raise InputError(f"{source}: reference {name!r}: water_cycle gives O2(g) only")
                water_cycle = spec["water_cycle"]
                continue
            entries[name] = _entry_from_spec(name, spec, temperature, policy, source, base)
        nitrate = data.get("nitrate", "hno3_cycle")
        nitrate_cycle_value(nitrate, where=source)
        table = str(data.get("formation_table", "crc"))
        notes = [policy.convention()]
        # what each thermal correction found (imaginary modes, spin, symmetry, excited levels)
        notes += list(dict.fromkeys(n for e in entries.values() if e.correction for n in e.correction.notes))
        fixes = {}
        if data.get("gas_corrections") is not None:
            from .gas_corrections import corrections_from_spec, require_table_temperature

            require_table_temperature(data["gas_corrections"], temperature, source)

            gibbs = {k: e.g for k, e in entries.items()}
            fixes = corrections_from_spec(data["gas_corrections"], gibbs, table, f"{source}: references")
            notes += [f"gas-phase correction: {c.describe()}" for c in fixes.values()]
        return cls(entries=entries, temperature=temperature, nitrate=nitrate, formation_table=table,
                   ammonia=str(data.get("ammonia", "gas")), notes=tuple(notes), gas_corrections=fixes,
                   o2_water_cycle=water_cycle,
                   equilibrium_potentials=dict(data.get("equilibrium_potentials", {}) or {}))


def _number(value: Any, what: str) -> float:
    return finite_number(value, what)


def _entry_from_spec(name: str, spec: Any, temperature: float, policy: ThermoPolicy, source: str,
                     base: str | Path | None = None) -> ReferenceEntry:
    where = f"{source}: reference {name!r}"
    if isinstance(spec, (int, float)):
        return ReferenceEntry(name, _number(spec, where), None, "free energy given directly")
    if not isinstance(spec, Mapping):
        raise InputError(f"{where}: expected a number or a mapping, got {spec!r}")
    note = str(spec.get("note", spec.get("source", "")))
    if "G" in spec:
        return ReferenceEntry(name, _number(spec["G"], f"{where} G"), None, note or "free energy given directly")
    if "energy" not in spec:
        raise InputError(f"{where}: give 'energy' (DFT total energy, eV) or 'G'")
    energy = _number(spec["energy"], f"{where} energy")
    thermo = spec.get("thermo")
    if thermo is None:
        raise InputError(
            f"{where}: no thermal correction; give thermo: {{table: ...}}, explicit zpe/cp/ts, "
            "or frequencies (write thermo: {zpe: 0, ts: 0} to use the bare DFT energy on purpose)"
        )
    return ReferenceEntry(name, energy, _correction_from_spec(name, thermo, temperature, policy, where, base), note)


def _correction_from_spec(name: str, thermo: Any, temperature: float, policy: ThermoPolicy, where: str,
                          base: str | Path | None = None) -> ThermalCorrection:
    if not isinstance(thermo, Mapping):
        raise InputError(f"{where}: thermo must be a mapping")
    if "table" in thermo:
        return table_correction(name, str(thermo["table"]), temperature, policy)
    if "frequencies" in thermo:
        from .gas import ground_state_spin

        default_p = P_H2O_LIQUID_BAR if name == "H2O(l)" else 1.0
        formula = name.split("(")[0]
        atoms = _molecule(thermo.get("atoms", formula), where, base)
        spin = thermo.get("spin")
        if spin is None:
            spin = ground_state_spin(formula) or 0.0
        symmetry = thermo.get("symmetry")
        return ideal_gas_correction(
            thermo["frequencies"], atoms, thermo.get("geometry"),
            None if symmetry is None else int(symmetry), float(spin), temperature,
            float(thermo.get("pressure_bar", default_p)), policy, name=where,
        )
    if "zpe" in thermo or "ts" in thermo:
        from .inputs import _require_cp

        _require_cp(thermo, policy, where)
        cp = _number(thermo.get("cp", 0.0), f"{where} cp") if policy.heat_capacity else 0.0
        return ThermalCorrection(
            _number(thermo.get("zpe", 0.0), f"{where} zpe"), cp,
            _number(thermo.get("ts", 0.0), f"{where} ts"), temperature, "explicit",
            str(thermo.get("source", "given in the input")),
        )
    raise InputError(f"{where}: thermo needs 'table', 'frequencies' or zpe/cp/ts")


#: file endings of structure files (so that a missing file is not read as a molecule name)
_STRUCTURE_SUFFIXES = {".xyz", ".extxyz", ".traj", ".cif", ".json", ".vasp", ".pdb", ".in", ".out"}


def _molecule(spec: Any, where: str, base: str | Path | None = None):
    """A gas geometry: a structure file (relative to ``base``, the energies file's folder, else
    the working folder), a molecule of the shipped experimental table, or ASE's g2."""
    from ase.build import molecule

    from .gas import experimental_molecule

    text = str(spec)
    path = Path(text)
    candidates = [path] if path.is_absolute() or base is None else [Path(base) / path, path]
    for candidate in candidates:
        if candidate.is_file():
            from ase.io import read

            try:
                return read(candidate)
            except Exception as exc:  # noqa: BLE001 - any reader failure is the user's file
                raise InputError(f"{where}: atoms: {candidate} is not a structure ASE can read "
                                 f"({type(exc).__name__}: {exc})") from None
    if "/" in text or "\\" in text or path.suffix.lower() in _STRUCTURE_SUFFIXES:
        raise InputError(f"{where}: atoms: no file {candidates[0]} (a relative name is read from the "
                         "energies file's folder)")
    shipped = experimental_molecule(text)
    if shipped is not None:
        return shipped[0]
    try:
        return molecule(text)
    except KeyError:
        from .refdata import load_table

        known = sorted(load_table("gas_molecules_experimental")["species"])
        raise InputError(
            f"{where}: no molecule named {text!r}: give a structure file (the relaxed geometry), or "
            f"one of chefe's experimental geometries {known} or an ase.build.molecule name"
        ) from None


def adsorbate_correction(frequencies_cm, temperature: float = T_STANDARD,
                         policy: ThermoPolicy = ThermoPolicy(), *, name: str = "adsorbate") -> ThermalCorrection:
    """Convenience re-export of :func:`chefe.thermo.harmonic_correction`."""
    return harmonic_correction(frequencies_cm, temperature, policy, name=name)

"""Build the engine's input straight from a ``chefe collect`` database (DFT runs -> diagram).

Per catalyst: G(*) is the slab run's energy (a catalyst ``CAT/site`` without a slab run of its
own, as chefe.build writes per-site pathways of a dual-atom catalyst, uses the slab of ``CAT``); G(*X) = E(*X) + ZPE + ∫Cv dT - TS of X, the
correction computed from the catalyst's own vibration run of X (harmonic, through
ase.thermochemistry) or, failing that, from a shipped adsorbate table when one is named. Gas
references come from the ``gas`` rows: energy plus an ideal-gas correction from their
vibration rows (H2O at 0.035 bar standing in for the liquid; shape, symmetry number and inertia
from the gas run's own geometry, spin from its moment), or, for a gas without a vibration run,
from the experimental geometry and frequencies chefe ships (NIST CCCBDB). Every flag of every run used travels into the catalyst's ``flags``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

import numpy as np

from .conditions import Conditions
from .constants import P_H2O_LIQUID_BAR, T_STANDARD
from .errors import ChefeError, InputError
from .inputs import EnergySet
from .network import (Network, load_network, with_adsorbed_hydrogen, with_nitrate_adsorption,
                      with_nitrate_dissociation)
from .references import ReferenceEntry, ReferenceLedger
from .species import canonical, without_site
from .gas import experimental_molecule, molecule_spin
from .thermo import ThermoPolicy, harmonic_correction, ideal_gas_correction, table_correction

#: Gas-row molecule -> reservoir species of the ledger.
GAS_SPECIES = {"H2": "H2(g)", "H2O": "H2O(l)", "NH3": "NH3(g)", "HNO3": "HNO3(g)", "NO": "NO(g)",
               "NO2": "NO2(g)", "N2": "N2(g)", "N2O": "N2O(g)", "O2": "O2(g)"}
#: First chefe version whose ideal-gas entropy takes the pressure in Pa (and finds σ, shape, spin).
THERMO_FIX_VERSION = "0.2.0"


def _before_thermo_fix(row) -> bool:
    """True for a row written by a chefe older than :data:`THERMO_FIX_VERSION`."""
    import re

    stored = (row.data or {}).get("chefe_version") if hasattr(row, "data") else None
    numbers = [int(x) for x in re.findall(r"\d+", str(stored or ""))[:3]]
    if not numbers:
        return False
    return tuple(numbers) < tuple(int(x) for x in THERMO_FIX_VERSION.split("."))


def energies_from_db(
    db,
    network: str | Network = "no3rr_sac",
    *,
    conditions: Conditions = Conditions(),
    policy: ThermoPolicy = ThermoPolicy(),
    adsorbate_table: str | None = None,
    nitrate: str | dict = "hno3_cycle",
    ammonia: str = "gas",
    formation_table: str = "crc",
    nitrate_adsorption: str = "oxidative",
    hydrogenation: str = "pcet",
    nitrate_dissociation: bool = False,
    solvation=None,
    gas_corrections=None,
    references=None,
    coadsorption: str = "calculated",
    site_labels: bool = False,
    site_ligand: str | None = None,
    select: dict | None = None,
) -> EnergySet:
    """An :class:`~chefe.inputs.EnergySet` from an ASE database written by ``chefe collect``.

    ``references`` (a YAML file or a mapping, the keys of an energies file's ``references:``
    block) gives gas, liquid and aqueous species as DFT energy + thermo, as G, or O2(g) from the
    water cycle; it replaces the database's gas run of the same species, and species the network
    does not use are ignored (named in the notes).

    On a network with two or more sites, a co-adsorbed state (``*NO2+*O``) takes the energy of
    its own run; ``coadsorption="additive"`` approximates those without one as G(*A) + G(*B) −
    G(*) (named in the notes). Runs whose species name their site (``*NO3@Cu``, as ``chefe
    build`` writes dual-atom catalysts) name the network's sites too (``site_labels``, set on
    its own when such runs are found): M1 is the catalyst's first metal, M2 the second; on a
    homonuclear pair the two sites are equivalent. ``site_ligand`` (``"O"``, ``"OH"``) runs the
    network on the ligand-capped single-atom site (:func:`chefe.network.with_site_ligand`): its
    intermediates are the runs ``CAT/NO3+O`` (species ``*NO3+*O``) that ``chefe build
    --network no3rr_sac --site-ligand O`` writes.
    """
    from .io.store import all_rows, open_existing

    database = open_existing(db)
    net = load_network(network) if isinstance(network, str) else network
    net = with_nitrate_adsorption(net, nitrate_adsorption)
    try:
        if nitrate_dissociation:
            net = with_nitrate_dissociation(net)
        net = with_adsorbed_hydrogen(net, hydrogenation)
        if site_ligand:
            from .network import with_site_ligand

            net = with_site_ligand(net, site_ligand)
    except ChefeError as exc:
        raise InputError(f"{db}: {exc}") from None
    from .solvation import SolvationCorrections, solvation_from_spec

    solv = solvation if isinstance(solvation, SolvationCorrections) else solvation_from_spec(
        solvation, where="solvation", known=net.adsorbates)
    temperature = conditions.T
    rows = all_rows(database, **(select or {}))
    if not rows:
        raise InputError(f"{db}: the database holds no runs")
    by_key = {}
    vib = {}
    for row in rows:
        role = row.get("role")
        key = (row.get("catalyst", ""), row.get("species", ""))
        if role in ("slab", "adsorbate", "gas"):
            if key in by_key:
                raise InputError(f"{db}: two {role} runs for {key}: {by_key[key].get('run_path')} and {row.get('run_path')}")
            by_key[key] = row
        elif role == "vibrations":
            vib[key] = row
    flags_of = defaultdict(list)

    def note(cat: str, row) -> None:
        for f in (row.get("flags") or "").split(","):
            if f:
                flags_of[cat].append(f"{row.get('species')}:{f}")

    # gas references
    entries = {}
    gas_notes = []
    gas_flags: list[str] = []  # problems of a gas reference reach every catalyst
    recomputed: list[str] = []  # gases whose free energy differs from what chefe < 0.2 reported
    given, given_ledger = {}, None
    if references is not None:
        given_ledger, refs_spec, where = _references_ledger(references, temperature, policy)
        nitrate = refs_spec.get("nitrate", nitrate)
        ammonia = refs_spec.get("ammonia", ammonia)
        formation_table = refs_spec.get("formation_table", formation_table)
        if refs_spec.get("gas_corrections") is not None:
            if gas_corrections is not None:
                raise InputError(f"{where}: gas_corrections given both in the references file and on the "
                                 "command line; keep one")
            gas_corrections = refs_spec["gas_corrections"]
    needed = _needed_references(net, ammonia)
    if given_ledger is not None:
        for name, entry in given_ledger.entries.items():
            if name in needed:
                given[name] = entry
            else:
                gas_notes.append(f"references: {name} not used by {net.name}, ignored")
        if given_ledger.o2_water_cycle is not None and "O2(g)" not in needed:
            gas_notes.append(f"references: O2(g) not used by {net.name}, ignored")
        gas_notes.extend(n for n in given_ledger.notes if n not in gas_notes and n != policy.convention())
    for (cat, mol), row in by_key.items():
        if row.get("role") != "gas" or row.get("e_dft") is None:
            continue
        species = GAS_SPECIES.get(mol)
        if species is None:
            continue
        if species not in needed and species.replace("(l)", "(g)") not in needed:
            gas_notes.append(f"gas {mol}: not used by {net.name}")
            continue
        if canonical(species) in given or (species == "O2(g)" and given_ledger is not None
                                           and given_ledger.o2_water_cycle is not None):
            gas_notes.append(f"gas {mol}: the references file gives {species}; the database run "
                             f"{row.get('run_path')} is not used")
            continue
        pressure = P_H2O_LIQUID_BAR if species == "H2O(l)" else 1.0
        vrow = vib.get(("", mol))
        if vrow is not None and vrow.data.get("frequencies"):
            # the gas row's own geometry (made whole, periodicity dropped) sets shape, σ and inertia;
            # the spin comes from its moment, else the molecule's ground state
            spin, spin_notes = molecule_spin(mol, row.get("magmom"), name=f"gas {mol}")
            corr = ideal_gas_correction(vrow.data["frequencies"], row.toatoms(), None, None, spin,
                                        temperature, pressure, policy, name=f"gas {mol}")
            gas_notes.extend(spin_notes + corr.notes)
            if _before_thermo_fix(vrow) or _before_thermo_fix(row):
                recomputed.append(mol)
            gas_flags.extend(f"{mol}(g):{f}" for f in corr.flags)
            note("", vrow)
        elif experimental_molecule(mol) is not None:
            corr = table_correction(species, "gas_molecules_experimental", temperature, policy)
            gas_notes.append(f"{species}: no vibration run; ZPE, ∫Cp dT and TS from experimental "
                             "geometry and frequencies (NIST CCCBDB)")
        else:
            raise InputError(f"{db}: gas {mol} ({row.get('run_path')}) has no vibration run for its "
                             "thermal correction")
        entries[canonical(species)] = ReferenceEntry(canonical(species), float(row.get("e_dft")), corr,
                                                     note=str(row.get("run_path")))
        for f in (row.get("flags") or "").split(","):
            if f:  # the gas run enters every catalyst's numbers: its flags reach every catalyst
                gas_notes.append(f"gas {mol}: {f}")
                gas_flags.append(f"{mol}(g):{f}")
    if recomputed:
        gas_notes.append(
            f"gas {', '.join(recomputed)}: collected with chefe < {THERMO_FIX_VERSION}; the ideal-gas "
            "corrections are recomputed here from the stored frequencies with the corrected entropy "
            "(earlier versions added 0.663 eV to T·S at 298.15 K) and with shape, symmetry number and "
            "spin from the stored geometry and moment: these free energies differ from earlier outputs")
    entries.update(given)
    fixes = {}
    if gas_corrections is not None:
        from .gas_corrections import corrections_from_spec, require_table_temperature

        require_table_temperature(gas_corrections, temperature, str(db))

        fixes = corrections_from_spec(gas_corrections, {k: e.g for k, e in entries.items()},
                                      formation_table, f"{db}")
        gas_notes.extend(f"gas-phase correction: {c.describe()}" for c in fixes.values())
    ledger = ReferenceLedger(
        entries=entries, temperature=temperature, nitrate=nitrate, ammonia=ammonia,
        formation_table=formation_table, gas_corrections=fixes,
        o2_water_cycle=None if given_ledger is None or "O2(g)" not in needed else given_ledger.o2_water_cycle,
        equilibrium_potentials={} if given_ledger is None else given_ledger.equilibrium_potentials)
    _require_references(net, ledger, db, references)
    if ammonia != "gas" and "NH3(g)" in net.species:
        from .network import with_ammonia_product

        net = with_ammonia_product(net, ammonia)
    site_notes = []
    named = any("@" in str(row.get("species", "")) for row in by_key.values() if row.get("role") == "adsorbate")
    if net.sites > 1 and not net.site_names and (site_labels or named):
        from .network import with_site_labels

        net = with_site_labels(net)
        site_notes.append(f"sites named {', '.join(net.site_names)} (M1: each catalyst's first metal)"
                          + (": the runs name the site of each adsorbate" if named and not site_labels else ""))
    composite = any("+" in str(row.get("species", "")) for row in by_key.values() if row.get("role") == "adsorbate")
    if net.sites > 1 and (coadsorption == "calculated" or composite):
        from .states import resolve_states

        net = resolve_states(net)
    # catalysts
    slabs = {cat for (cat, sp), row in by_key.items() if row.get("role") == "slab"}
    if not slabs:
        raise InputError(f"{db}: no slab run (role slab) for any catalyst")
    from .io.tree import slab_owner

    slab_of = {}  # catalyst -> the catalyst whose slab run it uses (itself, or its nearest parent)
    for (cat, sp), row in by_key.items():
        if row.get("role") not in ("slab", "adsorbate") or not cat:
            continue
        owner = slab_owner(cat, slabs)
        if owner is not None:
            slab_of[cat] = owner
    has_adsorbates = {cat for (cat, sp), row in by_key.items() if row.get("role") == "adsorbate"}
    # a clean site shared by per-site subfolders (CAT/slab with CAT/Co/NO3...) is not a catalyst of its own
    catalysts = sorted(c for c in slab_of if c in has_adsorbates or not any(
        o.startswith(c + "/") for o in slab_of))
    reservoir = {s: ledger.free_energy(s) for s in net.reservoir_species if ledger.has(s)}
    reservoir["H+"] = ledger.free_energy("H+")
    from .engine import step_free_energies

    from .adsorption_windows import adsorption_energy, implausible, reference_potentials, windows

    # adsorption energies against the references' total energies, checked against stated windows
    mu = reference_potentials(lambda name: entries[name].energy if name in entries else None)
    window_notes: list[str] = []
    unchecked: set[str] = set()
    columns = []
    missing = []
    site_metals = []
    for cat in catalysts:
        slab = by_key[(slab_of[cat], "*")]
        note(cat, slab)
        flags_of[cat].extend(gas_flags)
        g = {"*": float(slab.get("e_dft"))}
        lacking = []
        own, metals, equivalent = _catalyst_species(net, cat, slab, by_key, db)
        site_metals.append(metals)
        for species in net.adsorbates:
            row = own.get(species)
            if "+" in species and row is None:
                continue  # co-adsorbed: its own run, or filled below
            if row is None or row.get("e_dft") is None:
                lacking.append(species)
                continue
            note(cat, row)
            stored = row.get("species")  # as the run folder names it (*NO3@Cu)
            vrow = vib.get((cat, stored))
            if vrow is not None and vrow.data.get("frequencies"):
                corr_g = harmonic_correction(vrow.data["frequencies"], temperature, policy,
                                             name=f"{db}: {cat} {stored}").g
                note(cat, vrow)
            elif adsorbate_table:
                # the table is per adsorbate, whichever site; a co-adsorbed state takes the sum
                corr_g = sum(table_correction(without_site(p), adsorbate_table, temperature, policy).g
                             for p in species.split("+"))
            else:
                raise InputError(f"{db}: catalyst {cat!r}, {stored}: no vibration run and no "
                                 "adsorbate table for its thermal correction (see --adsorbate-thermo)")
            g[species] = float(row.get("e_dft")) + corr_g + sum(solv.correction(without_site(p)) for p in species.split("+"))
            plain = without_site(species)
            if plain in windows():
                dE = adsorption_energy(plain, float(row.get("e_dft")), g["*"], mu)
                problem = None if dE is None else implausible(plain, dE)
                if dE is None:
                    unchecked.add(plain)
                elif problem:
                    flags_of[cat].append(f"{stored}:implausible_energy")
                    window_notes.append(f"warning: {cat}: {problem}")
        if equivalent:
            from .sites import fill_equivalent

            for name in fill_equivalent(net, g, needed=net.adsorbates):
                if name in lacking:
                    lacking.remove(name)
        if net.state_resolved:
            from .states import state_energies

            g, additive, absent = state_energies(net, g, mode=coadsorption)
            if additive:
                site_notes.append(f"{cat}: co-adsorbed states {additive} approximated as the sum of their "
                                  "adsorbates, G(*A) + G(*B) - G(*) (--coadsorption additive)")
            if absent:
                lacking.extend(absent)
                site_notes.append(f"{cat}: co-adsorbed states {absent[:6]}{' ...' if len(absent) > 6 else ''} have "
                                  f"no run of their own: routes through them are left out; build each as one "
                                  f"structure (chefe build --network {net.name}) and collect its run, or pass "
                                  "--coadsorption additive")
        elif net.sites > 1:
            site_notes.append(f"{cat}: co-adsorbed states approximated as the sum of their adsorbates, "
                              "G(*A) + G(*B) - G(*) (--coadsorption additive)")
        columns.append(step_free_energies(net, {**reservoir, **g})[:, 0])
        missing.append(tuple(lacking))
    dG0 = np.column_stack(columns)
    notes = [f"from database {db}", f"thermal corrections: {policy.describe()}", policy.convention()] + gas_notes
    if "NO3-(aq)" in net.species and ledger.has("NO3-(aq)"):
        notes.append(f"NO3-(aq) reference: {ledger.provenance('NO3-(aq)')}")
    if nitrate_adsorption != "oxidative":
        notes.append(net.description.splitlines()[-1])
    from .reference_check import gas_energy_warnings, overall_reaction_warnings

    notes.extend(gas_energy_warnings(ledger))
    notes.extend(overall_reaction_warnings(net, ledger))
    if solv.values or solv.default:
        notes.append(solv.describe())
    notes.extend(window_notes)
    notes.extend(dict.fromkeys(site_notes))
    if unchecked:
        notes.append(f"{', '.join(sorted(unchecked))}: not checked against a plausible adsorption-energy "
                     "window (a reference molecule's total energy is missing)")
    # a per-site pathway (CAT/Co under the slab of CAT) names its site in every label
    sites = tuple((cat.rsplit("/", 1)[-1] if slab_of[cat] != cat else None) for cat in catalysts)
    es = EnergySet(network=net, names=tuple(catalysts), dG0=dG0, labels=tuple(catalysts),
                   colors=tuple(None for _ in catalysts), sites=sites, site_metals=tuple(site_metals),
                   conditions=conditions, ledger=ledger, source=str(db), title=f"{net.name} from {db}",
                   notes=tuple(notes))
    return replace(es, flags=tuple(tuple(dict.fromkeys(flags_of[c])) for c in catalysts),
                   missing_species=tuple(missing))


#: elements that are not the metal of a site (the support's atoms and adsorbates)
_NOT_METAL = {"H", "B", "C", "N", "O", "F", "P", "S", "Cl", "Se", "Si"}


def _catalyst_species(net: Network, cat: str, slab, by_key, db):
    """(network species -> run row, {site: metal} or None, equivalent sites?) of one catalyst.

    The runs' species may name their site by metal (``*NO3@Cu``): M1 is the first metal of the
    catalyst's clean structure, M2 the next one; a homonuclear pair has equivalent sites."""
    from .sites import site_species

    rows = {sp: row for (c, sp), row in by_key.items() if c == cat and row.get("role") == "adsorbate"}
    metals, equivalent = None, False
    if net.site_names:
        try:
            symbols = slab.toatoms().get_chemical_symbols()
        except Exception:  # a run stored without a structure: only M1/M2 labels can be read
            symbols = []
        order = [x for x in symbols if x not in _NOT_METAL]
        distinct = list(dict.fromkeys(order))
        n = len(net.site_names)
        picked = distinct[:n] if len(distinct) >= n or len(distinct) != 1 else distinct * min(n, len(order))
        metals = dict(zip(net.site_names, picked)) or None
        equivalent = bool(metals) and len(set(metals.values())) == 1
    own = {}
    for sp, row in rows.items():
        try:
            name = site_species(sp, net, metals, equivalent=equivalent, where=f"{db}: catalyst {cat!r}")
        except InputError as exc:
            raise InputError(f"{exc} (run {row.get('run_path')})") from None
        if name in own:
            raise InputError(f"{db}: catalyst {cat!r}: runs {own[name].get('run_path')} and {row.get('run_path')} "
                             f"are both {name}")
        own[name] = row
    return own, metals, equivalent


def _references_ledger(references, temperature: float, policy: ThermoPolicy):
    """(ledger of the references' species, the validated mapping, its name) from a file or mapping."""
    from collections.abc import Mapping

    base = None
    if isinstance(references, Mapping):
        data, where = dict(references), "references"
    else:
        from pathlib import Path

        base = Path(references).parent
        from .textfile import read_yaml

        data, where = read_yaml(references, what="references file"), str(references)
        if not isinstance(data, Mapping):
            raise InputError(f"{where}: a references file is a mapping (species:, nitrate:, ...); see "
                             "the references block of an energies file")
        if set(data) == {"references"}:  # a references: block copied from an energies file
            data = dict(data["references"])
    data = dict(data)
    file_t = data.get("temperature")
    if file_t is not None and abs(float(file_t) - temperature) > 1e-9:
        raise InputError(f"{where}: temperature {file_t:g} K but the analysis runs at {temperature:g} K; "
                         "drop temperature: from the file or pass --T")
    data["temperature"] = temperature
    if "thermo_policy" in data:
        from .schema import validate
        from .schema.energies import References

        file_policy = ThermoPolicy(**validate(References, data, source=where, what="references file")
                                   .model_dump(exclude_none=True)["thermo_policy"])
        if file_policy != policy and policy != ThermoPolicy():
            raise InputError(f"{where}: thermo_policy differs from the one on the command line; give it in "
                             "one place")
        policy = file_policy
    gas_corrections = data.pop("gas_corrections", None)
    ledger = ReferenceLedger.from_dict(data, source=where, policy=policy, base=base)
    spec = {k: data[k] for k in ("nitrate", "ammonia", "formation_table") if k in data}
    if gas_corrections is not None:
        spec["gas_corrections"] = gas_corrections
    return ledger, spec, where


def _needed_references(net: Network, ammonia: str) -> set[str]:
    """Reservoir species the network uses, with the anchors the ledger derives them from."""
    from .references import DERIVED_BY_COUPLE
    from .reaction import parse_step

    needed = set(net.reservoir_species) | {"H2(g)", "H2O(l)"}  # H2 and H2O set the CHE scale
    if ammonia != "gas":
        needed.add("NH3(g)")
    grown = True
    while grown:
        grown = False
        for name in list(needed):
            anchors = set()
            if name == "NO3-(aq)":
                anchors = {"HNO3(g)"}  # through the ledger's HNO3 cycle
            elif name in DERIVED_BY_COUPLE:
                anchors = {s for s in parse_step("couple", DERIVED_BY_COUPLE[name]).net()
                           if s not in ("H+", "e-", name)}
            if anchors - needed:
                needed |= anchors
                grown = True
    return needed


def _require_references(net: Network, ledger: ReferenceLedger, db, references) -> None:
    """Every reservoir species on a route to the target has a free energy, else a clear error."""
    used = {sp for r in net.routes_to() for i in net.routes[r].unique_steps
            for sp in net.steps[i].net() if sp in net.reservoir_species}
    missing = sorted(s for s in used | {"H2(g)"} if not ledger.has(s))
    if missing:
        where = f" ({references})" if references is not None and not isinstance(references, dict) else ""
        o2 = (" (O2(g) may come from the water cycle: O2(g): {water_cycle: computed} or {water_cycle: 1.23})"
              if "O2(g)" in missing else "")
        raise InputError(
            f"{db}: no free energy for {', '.join(missing)}, needed by {net.name}: collect a gas run with "
            f"its vibrations, or add it to a references file (--references){where}: "
            f"species: {{{missing[0]}: {{energy: E_DFT, thermo: {{...}}}}}} or {{G: value}}{o2}")


__all__ = ["energies_from_db", "GAS_SPECIES", "T_STANDARD"]

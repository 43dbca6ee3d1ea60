"""ML quick look: build -> place every intermediate in several starts -> relax with a potential ->
check the binding -> keep the lowest valid start -> CHE free energies, before any DFT.

Every relaxation is a task on an existing executor (:mod:`chefe.executors`); results come back to
this process, the single writer, and go into an ase.db as they arrive, one row per start, in the
layout ``chefe collect`` writes (``catalyst``, ``species``, ``role``, ``e_dft``, ``flags``) plus the
model's name, version and weights checksum on every row. A re-run computes only the starts the
database lacks. The free energies then come from that database through the same path as DFT runs
(:func:`chefe.dbinput.energies_from_db`), one model at a time.

Thermal corrections (default ``thermo="ml"``): harmonic frequencies of the adsorbate atoms (all
atoms of a gas molecule) by finite differences with the same potential, through
ase.thermochemistry (HarmonicThermo for adsorbates, IdealGasThermo for gases), imaginary modes
dropped and modes below 100 cm⁻¹ raised to it (quasi-harmonic); or a shipped adsorbate table
(``thermo="adsorbates_pt111_kreitz"``) with the gases' experimental frequencies (NIST CCCBDB).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from ..errors import InputError
from ..thermo import ThermoPolicy
from .models import DEFAULT_MODEL

#: the thermal-correction policy of the quick look (ML frequencies of loosely relaxed starts
#: carry small imaginary modes; they are dropped, and named in the flags)
QUICKLOOK_POLICY = ThermoPolicy(low_frequency="raise", cutoff_cm=100.0, imaginary="drop")

#: binding flags that make a start invalid (unconverged starts stay valid and keep the flag)
INVALID = ("left_site", "dissociated", "bond_broken", "mode_changed", "metal_pulled_out")


@dataclass(frozen=True)
class Settings:
    """How each start is relaxed: ``fmax`` (eV/Å), at most ``steps`` optimiser steps, ``threads``
    torch threads per worker, ``device`` (None: a GPU when torch sees one), ``thermo`` ("ml" or
    an adsorbate table name), finite-difference displacement ``delta`` (Å)."""

    fmax: float = 0.05
    steps: int = 300
    threads: int = 1
    device: str | None = None
    thermo: str = "ml"
    delta: float = 0.01
    max_starts: int = 3


@dataclass(frozen=True, eq=False)
class Start:
    """One starting structure: where its row goes (``path``), what it is, and its atoms."""

    path: str
    catalyst: str
    species: str
    role: str
    start: str
    atoms: object


@dataclass(frozen=True)
class QuickLook:
    """What a quick look produced: per model the energies (an :class:`~chefe.inputs.EnergySet`
    read back from the database) and the analysis; what was rejected or failed, and timing."""

    models: tuple[str, ...]
    energies: dict
    results: dict
    rejected: tuple[str, ...] = ()
    failed: tuple[str, ...] = ()
    computed: int = 0
    reused: int = 0
    seconds: float = 0.0
    records: dict = field(default_factory=dict)

    def limiting_potentials(self) -> dict[str, np.ndarray]:
        """U_L (V) per model, one value per catalyst of the first model's order."""
        return {m: np.asarray(self.results[m].U_L) for m in self.models}

    def spread(self) -> np.ndarray | None:
        """Half the range of U_L across the models per catalyst (V), or None with one model."""
        if len(self.models) < 2:
            return None
        values = np.vstack([self._aligned(m) for m in self.models])
        return (np.nanmax(values, axis=0) - np.nanmin(values, axis=0)) / 2

    def step_spread(self) -> np.ndarray | None:
        """Half the range of each step's ΔG° across the models, shape (n_steps, n catalysts) in
        the first model's catalyst order (eV), or None with one model."""
        if len(self.models) < 2:
            return None
        first = self.energies[self.models[0]]
        stack = []
        for m in self.models:
            es = self.energies[m]
            where = {n: k for k, n in enumerate(es.names)}
            cols = [es.dG0[:, where[n]] if n in where else np.full(len(es.network.steps), np.nan)
                    for n in first.names]
            stack.append(np.column_stack(cols))
        values = np.stack(stack)
        return (np.nanmax(values, axis=0) - np.nanmin(values, axis=0)) / 2

    def _aligned(self, model: str) -> np.ndarray:
        first = list(self.results[self.models[0]].names)
        res = self.results[model]
        where = {n: k for k, n in enumerate(res.names)}
        return np.array([res.U_L[where[n]] if n in where else np.nan for n in first])


# ---------------------------------------------------------------------------------------------
# starting structures


def _label(structure) -> tuple[str, str, str]:
    from ..build.output import run_folder
    from ..io.tree import classify

    folder = run_folder(structure)
    key = classify(folder)
    return folder, key.catalyst, key.species


def model_starts(model, network: str = "no3rr_sac", *, max_starts: int = 3, sites=None) -> list[Start]:
    """Every state ``network`` visits on ``model`` (a :class:`~chefe.build.Model`), each adsorbate
    in up to ``max_starts`` starts: its binding modes on its site, then on the model's other sites
    of another kind (a slab's bridge and hollow sites). The clean site is one start. ``sites``
    (``["M1", "M2"]``): one pathway per named site, as ``chefe build --sites`` (the Cu site and the
    Co site of a tandem catalyst)."""
    from ..build.adsorbates import adsorbate_modes, place_adsorbate
    from ..build.sets import state_set

    built = state_set(model, network, sites=sites, skip_unplaceable=True)
    out = []
    for atoms in built:
        folder, cat, species = _label(atoms)
        ads, site = atoms.info.get("adsorbate"), atoms.info.get("binding_site") or atoms.info.get("site")
        first = f"{atoms.info.get('binding_mode', 'clean')}@{site}" if ads else "clean"
        out.append(Start(folder, cat, species, "adsorbate" if ads else "slab", first, atoms))
        if not ads or "+" in str(ads) or max_starts < 2:
            continue
        tried = {first}
        kinds = [model.site(site).kind] + [s.kind for s in model.sites.values() if s.kind != model.site(site).kind]
        candidates = []
        for kind in dict.fromkeys(kinds):
            names = [site] if kind == model.site(site).kind else [n for n, s in model.sites.items() if s.kind == kind][:1]
            for name in names:
                candidates.extend((mode, name) for mode in adsorbate_modes(ads, kind))
        for mode, name in candidates:
            if len(tried) >= max_starts:
                break
            tag = f"{mode}@{name}"
            if tag in tried:
                continue
            try:
                alt = place_adsorbate(model, ads, name, mode)
            except InputError:
                continue
            alt.info.pop("adsorbate_info", None)
            for key in ("site_folder",):
                if key in atoms.info:
                    alt.info[key] = atoms.info[key]
            alt.info.update(site=atoms.info.get("site"), binding_site=name)
            tried.add(tag)
            out.append(Start(folder, cat, species, "adsorbate", tag, alt))
    return out


def gas_starts(network: str = "no3rr_sac") -> list[Start]:
    """The gas references ``network`` needs (H2, H2O, NH3, HNO3, ...), one start each."""
    from ..build.gas import REFERENCE_MOLECULES, gas_molecule
    from ..dbinput import GAS_SPECIES, _needed_references
    from ..network import load_network

    net = load_network(network) if isinstance(network, str) else network
    needed = _needed_references(net, "gas")
    out = []
    for name in REFERENCE_MOLECULES:
        species = GAS_SPECIES[name]
        if species in needed or species.replace("(l)", "(g)") in needed:
            out.append(Start(f"gas/{name}", "", name, "gas", "G2", gas_molecule(name)))
    return out


# ---------------------------------------------------------------------------------------------
# the task a worker runs


def _worker_setup(threads: int) -> None:
    from .models import set_threads

    set_threads(threads)


def relax_start(task: tuple) -> dict:
    """Relax one start with the named model (in a worker) and, for ``thermo="ml"``, compute its
    harmonic frequencies; returns plain numbers for the writer."""
    import os
    import shutil
    import tempfile

    from ..build.relax import relax
    from .models import calculator, set_threads

    atoms, role, model, settings = task
    set_threads(settings.threads)
    calc = calculator(model, settings.device)
    t0 = time.perf_counter()
    if role == "gas":
        atoms = atoms.copy()
        atoms.info = dict(atoms.info)
    final, check = relax(atoms, calc, fmax=settings.fmax, steps=settings.steps)
    seconds = time.perf_counter() - t0
    forces = final.get_forces()
    out = {"energy": float(final.get_potential_energy()), "positions": final.positions.copy(),
           "cell": np.array(final.cell), "flags": list(check.flags), "broken": list(check.broken),
           "converged": bool(final.info.get("relax_converged")), "max_force": float(np.linalg.norm(forces, axis=1).max()),
           "relax_seconds": seconds, "relax_steps": int(final.info.get("relax_steps", 0))}
    if settings.thermo == "ml" and role in ("adsorbate", "gas"):
        from ase.vibrations import Vibrations

        indices = list(range(len(final))) if role == "gas" else [
            int(x) for x in str(atoms.info.get("adsorbate_indices", "")).split(",") if x]
        work = tempfile.mkdtemp(prefix="chefe-vib-")
        here = os.getcwd()
        try:
            os.chdir(work)
            final.calc = calc
            vib = Vibrations(final, indices=indices, delta=settings.delta, name="vib")
            vib.run()
            freq = vib.get_frequencies()
        finally:
            os.chdir(here)
            shutil.rmtree(work, ignore_errors=True)
        out["frequencies"] = [float(f.real) if abs(f.imag) < 1e-9 else -float(abs(f.imag)) for f in freq]
        out["vib_seconds"] = time.perf_counter() - t0 - seconds
    return out


# ---------------------------------------------------------------------------------------------
# the writer


#: the model's record on every row (name, package, version, weights checksum, licence)
_RECORD_KEYS = ("ml_model", "ml_package", "ml_version", "ml_sha256", "ml_licence")


def _row_path(model: str, start: Start) -> str:
    return f"quicklook/{model}/{start.path}/{start.start}"


def _write(db, model: str, record: dict, start: Start, result) -> None:
    """One start's row (or its failure) into ``db``; replaces a row of the same path."""
    from ase.calculators.singlepoint import SinglePointCalculator

    from .. import __version__
    from ..executors import TaskFailure
    from ..io.store import flag_keys

    path = _row_path(model, start)
    atoms = start.atoms.copy()
    atoms.info = {}
    kvp = {"catalyst": start.catalyst, "species": start.species, "role": "ml_start", "start": start.start,
           "pathway_role": start.role, "run_path": path, "code": "ase", "reader": "chefe.quicklook",
           **{k: v for k, v in record.items() if k in _RECORD_KEYS}}
    data = {"build_info": {k: v for k, v in start.atoms.info.items() if isinstance(v, (str, int, float, bool))},
            "chefe_version": __version__, "ml": record}
    if isinstance(result, TaskFailure):
        flags = ["relaxation_failed"]
        kvp.update(ok=False, flags=",".join(flags), **flag_keys(flags))
        data["messages"] = [result.error]
    else:
        atoms.positions = result["positions"]
        atoms.calc = SinglePointCalculator(atoms, energy=result["energy"])
        flags = list(result["flags"]) + ([] if result["converged"] else ["unconverged"])
        if result.get("frequencies") is not None:
            from ..io.consistency import imaginary_flags

            flags += imaginary_flags(result["frequencies"])
            data["frequencies"] = result["frequencies"]
        kvp.update(ok=not flags, flags=",".join(flags), e_dft=result["energy"], max_force=result["max_force"],
                   relax_seconds=round(result["relax_seconds"], 3), relax_steps=result.get("relax_steps", 0),
                   **flag_keys(flags))
        if result.get("vib_seconds") is not None:
            kvp["vib_seconds"] = round(result["vib_seconds"], 3)
    old = list(db.select(run_path=path))
    for row in old:
        db.delete([row.id])
    db.write(atoms, key_value_pairs=kvp, data=data)


def _select(db, model: str) -> list[str]:
    """Give each state its lowest valid start: that row becomes the ``slab``/``adsorbate``/``gas``
    run (and its frequencies a ``vibrations`` row), the others stay ``ml_start``. Returns one
    line per rejected start and per state without a valid start."""
    from ..io.store import all_rows

    groups = defaultdict(list)
    for row in all_rows(db, ml_model=model):
        if row.get("role") in ("ml_start", "slab", "adsorbate", "gas"):
            groups[(row.get("catalyst", ""), row.get("species", ""))].append(row)
    for row in all_rows(db, ml_model=model, role="vibrations"):
        db.delete([row.id])
    lines = []
    for (cat, species), rows in sorted(groups.items()):
        done = [r for r in rows if r.get("e_dft") is not None]
        valid = [r for r in done if not set((r.get("flags") or "").split(",")) & set(INVALID)]
        pool = valid or done
        best = min(pool, key=lambda r: r.get("e_dft")) if pool else None
        for r in rows:
            if r is best:
                continue
            if r.get("role") != "ml_start":
                db.update(r.id, role="ml_start")
            why = r.get("flags") or ""
            if r.get("e_dft") is not None and not set(why.split(",")) & set(INVALID):
                why = f"{r.get('e_dft') - best.get('e_dft'):+.3f} eV above the kept start"
            lines.append(f"{cat or 'gas'} {species} start {r.get('start')}: {why or 'not kept'}")
        if best is None:
            continue
        if not valid:
            lines.append(f"{cat or 'gas'} {species}: no start kept its binding ({best.get('flags')}); the "
                         f"lowest ({best.get('start')}) is used, flagged")
        db.update(best.id, role=best.get("pathway_role"))
        freq = best.data.get("frequencies")
        if freq:
            db.write(best.toatoms(), key_value_pairs={
                "catalyst": cat, "species": species, "role": "vibrations", "run_path": best.get("run_path") + "/vib",
                "flags": "", "ok": True, **{k: best.get(k) for k in _RECORD_KEYS if best.get(k) is not None}},
                data={"frequencies": freq})
    return lines


# ---------------------------------------------------------------------------------------------
# the whole quick look


def _models(catalysts) -> list[tuple]:
    """``(model, sites)`` per catalyst: a built :class:`~chefe.build.Model` (sites None) or a
    catalogue entry, whose ``sites`` list asks for one pathway per site."""
    from ..build.model import Model
    from ..build.sets import build_model

    out = []
    for c in catalysts:
        if isinstance(c, Model):
            out.append((c, None))
        else:
            out.append((build_model(dict(c)), dict(c).get("sites")))
    return out


def quicklook(
    catalysts: Iterable,
    network: str = "no3rr_sac",
    *,
    db: str = "quicklook.db",
    models: Sequence = (DEFAULT_MODEL,),
    settings: Settings = Settings(),
    executor=None,
    workers: int = 1,
    progress: bool = False,
    select: Callable | None = None,
    references: dict | str | None = None,
) -> QuickLook:
    """Quick look at ``catalysts`` (:class:`~chefe.build.Model` objects or catalogue entries such
    as ``{"kind": "sac", "metal": "Cu", "coordination": "N4"}``) on ``network`` with each of
    ``models``; rows go into ``db`` (an ase.db file or URL) as relaxations finish.

    ``models``: names of offered models (``"7net-0"``, ``"chgnet"``, ``"sevenn:PATH.pth"``) or
    :class:`~chefe.ml.models.CustomModel` objects wrapping any ASE calculator.

    ``executor``: a :class:`concurrent.futures.Executor` (a Parsl ``ParslPoolExecutor``, a Dask
    ``Client.get_executor()``), an executor specification (``"local:2"``, ``"parsl:CONFIG.py"``,
    ``"dask:tcp://host:8786"``) or None for a local pool of ``workers`` processes.
    """
    from ase.db import connect

    from ..dbinput import energies_from_db
    from ..engine import analyse
    from ..executors import TaskFailure, open_executor, run_tasks
    from .models import error_text, model_name, model_record

    t0 = time.perf_counter()
    specs = {model_name(m): m for m in models}
    models = list(specs)
    records = {m: model_record(spec) for m, spec in specs.items()}  # a missing package fails here, first
    built = _models(catalysts)
    starts = gas_starts(network) + [s for m, sites in built for s in model_starts(m, network, max_starts=settings.max_starts,
                                                                         sites=sites)]
    database = connect(str(db)) if isinstance(db, str) else db
    # a start that failed is tried again; every other stored start is kept
    done_paths = {row.get("run_path") for row in database.select(include_data=False)
                  if not row.get("flag_relaxation_failed")}
    todo = [(m, s) for m in models for s in starts if _row_path(m, s) not in done_paths]
    reused = len(models) * len(starts) - len(todo)
    failed = []
    if todo:
        tasks = [(s.atoms, s.role, specs[m], settings) for m, s in todo]
        lookup = {id(t): ms for t, ms in zip(tasks, todo)}
        bar = None
        if progress:
            from tqdm import tqdm

            bar = tqdm(total=len(tasks), desc="ML relaxations", unit="start")

        def drain(pool):
            for task, result in run_tasks(pool, relax_start, tasks):
                m, s = lookup[id(task)]
                _write(database, m, records[m], s, result)
                if isinstance(result, TaskFailure):
                    failed.append(f"{s.catalyst or 'gas'} {s.species} start {s.start} ({m}): {result.error}")
                if bar is not None:
                    bar.update()

        if executor is None or isinstance(executor, str):
            spec = executor or f"local:{max(1, int(workers))}"
            from ..executors import parse_spec

            if parse_spec(spec)[0] == "local":
                import concurrent.futures as cf

                n = int(parse_spec(spec)[1] or workers)
                drain(lambda: cf.ProcessPoolExecutor(max_workers=n, initializer=_worker_setup,
                                                     initargs=(settings.threads,)))
            else:
                with open_executor(spec, workers=workers) as pool:
                    drain(pool)
        else:
            drain(executor)
        if bar is not None:
            bar.close()
    rejected = []
    energies, results = {}, {}
    from ..dbinput import _needed_references
    from ..network import load_network

    net = load_network(network) if isinstance(network, str) else network
    if references is None and "O2(g)" in _needed_references(net, "gas"):
        references = {"species": {"O2(g)": {"water_cycle": "computed"}}}
    for m in models:
        rejected.extend(f"{m}: {line}" for line in _select(database, m))
        es = energies_from_db(database if not isinstance(db, str) else db, network, policy=QUICKLOOK_POLICY,
                              references=references,
                              adsorbate_table=None if settings.thermo == "ml" else settings.thermo,
                              select={"ml_model": m})
        es = replace(es, title=f"ML quick look ({m}): {es.network.name}",
                     notes=(f"ML quick look with {m} ({records[m]['ml_package']} {records[m]['ml_version']}, "
                            f"weights sha256 {records[m]['ml_sha256'][:12]}, licence {records[m]['ml_licence']})",
                            error_text(m), thermo_note(settings.thermo)) + es.notes)
        if select is not None:
            es = select(es)
        energies[m] = es
        results[m] = analyse(es.network, es.dG0, es.conditions, names=es.names, incomplete="keep")
    return QuickLook(tuple(models), energies, results, tuple(rejected), tuple(failed), len(todo), reused,
                     time.perf_counter() - t0, records)


def thermo_note(thermo: str) -> str:
    """The sentence every quick-look output carries about its thermal corrections."""
    if thermo == "ml":
        return ("frequencies: harmonic, of the adsorbate atoms (all atoms of each gas), by finite "
                "differences with the same potential")
    return (f"frequencies: adsorbates from the shipped table {thermo}; gases experimental (NIST CCCBDB)")

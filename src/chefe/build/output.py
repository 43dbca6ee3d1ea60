"""Write built structures as DFT inputs (VASP, Quantum ESPRESSO) or into an ase.db.

The tree follows the folder convention ``chefe collect`` reads without configuration
(:mod:`chefe.io.tree`)::

    ROOT/<catalyst>/slab/               the clean site
    ROOT/<catalyst>/<ADSORBATE>/        *ADSORBATE on the model's default site
    ROOT/<catalyst>/<site>/<ADSORBATE>/ on another named site, or on every site when several are
                                        built (a DAC's Cu and Co pathways); collect pairs
                                        ROOT/<catalyst>/<site> with ROOT/<catalyst>/slab

POTCAR files are never written (they are licensed): ``POTCAR.spec`` names the PAW set of each
species block in POSCAR order (ASE's ``recommended`` setups), which collect reads as the
POTCAR titles until the real POTCAR is there.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from ..errors import InputError

_PRESET_DIR = Path(__file__).with_name("presets")


def load_preset(name_or_path: str) -> dict:
    """A shipped preset (``"vasp_adsorption"``, ``"qe_adsorption"``) or a user YAML file."""
    from ..inputs import read_yaml

    path = Path(name_or_path)
    if not path.is_file():
        path = _PRESET_DIR / f"{name_or_path}.yaml"
    if not path.is_file():
        shipped = sorted(p.stem for p in _PRESET_DIR.glob("*.yaml"))
        raise InputError(f"preset {name_or_path!r} not found; shipped: {', '.join(shipped)}")
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise InputError(f"{path}: a preset is a mapping of settings")
    return data


def _setting(preset: dict, key: str):
    """A value the preset must give (the shipped presets are the one source of these numbers)."""
    if key not in preset:
        raise InputError(f"preset has no {key!r}; add it (see chefe/build/presets/*.yaml)")
    return preset[key]


def vacuum_directions(atoms, gap: float = 6.0) -> list[bool]:
    """For each cell vector: is there an empty gap (Å) along it (a slab normal, a tube's sides)?"""
    frac = atoms.get_scaled_positions(wrap=True)
    lengths = atoms.cell.lengths()
    out = []
    for k in range(3):
        s = np.sort(frac[:, k])
        gaps = np.diff(np.r_[s, s[0] + 1.0]) * lengths[k]
        out.append(bool(gaps.max() >= gap))
    return out


def kpoint_mesh(atoms, kspacing: float) -> list[int]:
    """Γ-centred mesh from a spacing in 2π/Å (as VASP KSPACING); 1 along directions with vacuum."""
    recip = np.linalg.norm(atoms.cell.reciprocal(), axis=1) * 2 * math.pi  # 1/Å incl. 2π
    vac = vacuum_directions(atoms)
    return [1 if vac[k] else max(1, math.ceil(recip[k] / kspacing)) for k in range(3)]


def _blocks(atoms) -> list[tuple[str, int]]:
    """Runs of identical symbols in atom order (the POSCAR species blocks)."""
    blocks: list[tuple[str, int]] = []
    for s in atoms.get_chemical_symbols():
        if blocks and blocks[-1][0] == s:
            blocks[-1] = (s, blocks[-1][1] + 1)
        else:
            blocks.append((s, 1))
    return blocks


def _is_magnetic(symbol: str, family: str | None = None) -> bool:
    """Whether a metal atom starts spin-polarised: on a metal surface (``family == "slab"``) the
    ferromagnetic 3d metals Fe, Co and Ni (Cu, Zn and the 4d/5d metals are not magnetic as
    metals); as the isolated site of a SAC or DAC any 3d metal Sc-Cu with an open d shell in its
    usual +2 state (Zn2+ is d10); the lanthanides and actinides everywhere."""
    from ase.data import atomic_numbers

    z = atomic_numbers[symbol]
    if 57 <= z <= 71 or z >= 89:
        return True
    if family in ("slab", "bulk"):
        return 26 <= z <= 28
    return 21 <= z <= 29


def initial_moments(atoms, preset: dict) -> list[float]:
    """Initial moment (μB) per atom, only where one is expected: d- and f-block metals, and the
    atoms of an odd-electron adsorbate (NO, NO2, OH, ...) on a SAC or DAC; 0 elsewhere."""
    metal = float(_setting(preset, "magmom_metal"))
    family = atoms.info.get("family")
    moments = [metal if _is_magnetic(s, family) else 0.0 for s in atoms.get_chemical_symbols()]
    indices = [int(x) for x in str(atoms.info.get("adsorbate_indices") or "").split(",") if x != ""]
    if indices and atoms.info.get("family") in ("SAC", "DAC") and sum(atoms.numbers[indices]) % 2:
        radical = float(preset.get("magmom_radical", 0.5))
        for k in indices:
            moments[k] = radical
    return moments


_INDEX_KEYS = ("binding_atoms", "adsorbate_indices", "site_metals", "metal_indices")


def grouped_by_element(atoms):
    """A copy with each element in one block (first-appearance order, atom order kept inside a
    block), as POSCAR/POTCAR want; the index lists in ``info`` follow the atoms.
    ``info['build_order']`` gives, for each new atom, its index in ``atoms``."""
    symbols = atoms.get_chemical_symbols()
    elements = list(dict.fromkeys(symbols))
    order = sorted(range(len(atoms)), key=lambda k: (elements.index(symbols[k]), k))
    out = atoms[order]
    new_of = {old: new for new, old in enumerate(order)}
    info = dict(atoms.info)
    for key in _INDEX_KEYS:
        if info.get(key):
            info[key] = ",".join(str(new_of[int(x)]) for x in str(info[key]).split(","))
    info["build_order"] = ",".join(map(str, order))
    out.info = info
    return out


#: model families whose runs get a dipole correction: slabs, and the sheets of SACs and DACs
#: (an adsorbate on one side gives them a dipole too; the clean sheet gets the same setting, so
#: that slab and adsorbate runs are computed alike)
DIPOLE_FAMILIES = ("slab", "SAC", "DAC")


def dipole_axis(atoms, dipole: bool | None = None) -> int | None:
    """The lattice vector (0, 1, 2) across the one vacuum gap of a slab or sheet, or None (no
    dipole correction: a gas, a bulk, a tube with two vacuum directions, or ``dipole=False``)."""
    if dipole is None:
        dipole = atoms.info.get("family") in DIPOLE_FAMILIES
    if not dipole:
        return None
    vac = vacuum_directions(atoms)
    return vac.index(True) if vac.count(True) == 1 else None


def vasp_incar(atoms, preset: dict, overrides: dict | None = None, *, dipole: bool | None = None) -> dict:
    """INCAR tags for ``atoms`` from a preset: ISPIN/MAGMOM from the elements, dipole correction
    along the vacuum direction for slabs and SAC/DAC sheets (:func:`dipole_axis`) unless
    ``dipole`` says."""
    incar = {k: v for k, v in preset.items() if k.isupper()}
    if atoms.info.get("family") == "gas":
        incar["SIGMA"] = preset.get("sigma_gas", 0.01)
        moments = atoms.get_initial_magnetic_moments()
        if np.any(moments):
            incar["ISPIN"] = 2
            incar["MAGMOM"] = " ".join(f"{m:g}" for m in moments)
        else:
            incar["ISPIN"] = 1
        incar.update(overrides or {})
        return incar
    moments = initial_moments(atoms, preset)
    if any(moments):
        incar["ISPIN"] = 2
        runs: list[list] = []  # run-length form, 66*0 1*3 ...
        for m in moments:
            if runs and runs[-1][1] == m:
                runs[-1][0] += 1
            else:
                runs.append([1, m])
        incar["MAGMOM"] = " ".join(f"{n}*{m:g}" for n, m in runs)
    else:
        incar["ISPIN"] = 1
    axis = dipole_axis(atoms, dipole)
    if axis is not None:
        incar["LDIPOL"] = ".TRUE."
        incar["IDIPOL"] = axis + 1
        centre = atoms.get_scaled_positions(wrap=True).mean(0)
        incar["DIPOL"] = " ".join(f"{x:.4f}" for x in centre)
    incar.update(overrides or {})
    return incar


def write_vasp(atoms, folder: str | Path, *, preset: str | dict = "vasp_adsorption",
               incar: dict | None = None, potcars: dict | None = None, dipole: bool | None = None) -> Path:
    """POSCAR, INCAR, KPOINTS and POTCAR.spec (never a POTCAR) in ``folder``; plus chefe_build.json.

    Atoms are grouped by element (one POSCAR block per element); chefe_build.json keeps the
    build order and the remapped site/adsorbate indices.
    """
    import ase.io
    from ase.calculators.vasp.setups import setups_defaults

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    settings = load_preset(preset) if isinstance(preset, str) else dict(preset)
    atoms = grouped_by_element(atoms)
    ase.io.write(folder / "POSCAR", atoms, format="vasp", direct=True, sort=False)
    if atoms.info.get("family") == "bulk":  # cell relaxation at a raised cut-off (Pulay stress)
        settings.update(ISIF=3, LREAL=".FALSE.", ENCUT=round(float(_setting(settings, "bulk_cutoff_factor")) * float(settings["ENCUT"])),
                        kspacing=_setting(settings, "bulk_kspacing"))
    tags = vasp_incar(atoms, settings, incar, dipole=dipole)
    (folder / "INCAR").write_text("".join(f"{k} = {v}\n" for k, v in tags.items()))
    mesh = kpoint_mesh(atoms, float(settings.get("kspacing", 0.25)))
    (folder / "KPOINTS").write_text("Gamma-centred mesh from chefe.build\n0\nGamma\n"
                                    f"{mesh[0]} {mesh[1]} {mesh[2]}\n0 0 0\n")
    recommended = setups_defaults["recommended"]
    names = []
    for symbol, _ in _blocks(atoms):
        suffix = (potcars or {}).get(symbol, recommended.get(symbol) or "")
        names.append(f"PAW_PBE {symbol}{suffix}")
    (folder / "POTCAR.spec").write_text("\n".join(names) + "\n")
    _write_meta(atoms, folder, {"code": "vasp", "kpoints": mesh})
    return folder


def write_espresso(atoms, folder: str | Path, *, preset: str | dict = "qe_adsorption",
                   input_data: dict | None = None, pseudopotentials: dict | None = None,
                   dipole: bool | None = None) -> Path:
    """``pw.in`` for pw.x (ASE's espresso-in writer); run it as ``pw.x < pw.in > pw.out``.

    Slabs and SAC/DAC sheets get pw.x's dipole correction (``tefield``, ``dipfield``, ``edir``
    across the vacuum, the sawtooth's maximum ``emaxpos`` in the middle of the vacuum)."""
    import ase.io
    from ase.units import Bohr, Ry

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    settings = load_preset(preset) if isinstance(preset, str) else dict(preset)
    data = {k: dict(v) for k, v in settings.items() if isinstance(v, dict)}
    data.setdefault("system", {})["degauss"] = float(settings.get("smearing_eV", 0.05)) / Ry
    data.setdefault("control", {})["forc_conv_thr"] = float(settings.get("fmax_eV_per_A", 0.02)) / Ry * Bohr
    family = atoms.info.get("family")
    if family == "bulk":  # variable-cell relaxation at a raised cut-off (Pulay stress)
        factor = float(_setting(settings, "bulk_cutoff_factor"))
        data["control"]["calculation"] = "vc-relax"
        data["system"].update({k: float(data["system"][k]) * factor for k in ("ecutwfc", "ecutrho")
                               if k in data["system"]})
        data.setdefault("cell", {}).setdefault("cell_dofree", "all")
        settings["kspacing"] = _setting(settings, "bulk_kspacing")
    if any(_is_magnetic(s, family) for s in atoms.get_chemical_symbols()):
        data["system"]["nspin"] = 2
        atoms = atoms.copy()
        m = float(_setting(settings, "magmom_metal"))
        atoms.set_initial_magnetic_moments([m if _is_magnetic(s, family) else 0.0
                                            for s in atoms.get_chemical_symbols()])
    axis = dipole_axis(atoms, dipole)
    if axis is not None:
        centre = float(atoms.get_scaled_positions(wrap=True)[:, axis].mean())
        data.setdefault("control", {}).update(tefield=True, dipfield=True)
        data["system"].update(edir=axis + 1, emaxpos=round((centre + 0.5) % 1.0, 4), eopreg=0.1, eamp=0.0)
    for section, values in (input_data or {}).items():
        data.setdefault(section, {}).update(values)
    pattern = settings.get("pseudo_pattern", "{symbol}.UPF")
    pseudos = {s: (pseudopotentials or {}).get(s, pattern.format(symbol=s)) for s in set(atoms.get_chemical_symbols())}
    mesh = kpoint_mesh(atoms, float(settings.get("kspacing", 0.25)))
    ase.io.write(folder / "pw.in", atoms, format="espresso-in", input_data=data,
                 pseudopotentials=pseudos, kpts=tuple(mesh))
    _write_meta(atoms, folder, {"code": "qe", "kpoints": mesh})
    return folder


def _json_safe(info: dict) -> dict:
    return {k: v for k, v in info.items() if isinstance(v, (str, int, float, bool))}


def _write_meta(atoms, folder: Path, extra: dict) -> None:
    from .. import __version__

    meta = {**_json_safe(atoms.info), **extra, "chefe_version": __version__}
    (folder / "chefe_build.json").write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n")


def run_folder(atoms) -> str:
    """Relative folder of a structure under the tree root (the collect convention)."""
    if atoms.info.get("family") == "gas":
        return f"gas/{atoms.info['molecule']}"
    if atoms.info.get("family") == "bulk":
        return f"bulk/{atoms.info['metal']}"
    catalyst = str(atoms.info.get("catalyst") or "")
    if not catalyst:
        raise InputError("a structure without info['catalyst'] cannot be placed in the tree")
    adsorbate = atoms.info.get("adsorbate")
    if not adsorbate:
        return f"{catalyst}/slab"
    name = "+".join(part.lstrip("*") for part in str(adsorbate).split("+"))
    if "+" in name or "@" in name:  # a co-adsorbed state spans its sites (CAT/NO2+O); a named site: CAT/NO3@Cu
        return f"{catalyst}/{name}"
    site, default_site = atoms.info.get("site"), atoms.info.get("default_site")
    if site and (atoms.info.get("site_folder") or (default_site and site != default_site)):
        return f"{catalyst}/{site}/{name}"
    return f"{catalyst}/{name}"


_RESULTS = ("OUTCAR", "OUTCAR.gz", "vasprun.xml", "vasprun.xml.gz", "OSZICAR", "CONTCAR", "pw.out", "run.traj")


def write_tree(structures, root: str | Path, *, code: str = "vasp", progress: bool = False,
               overwrite: bool = False, **kwargs) -> list[Path]:
    """Write every structure into ``root`` in the collect layout. Raised before anything is
    written: two structures for one folder, and (unless ``overwrite``) a folder that already
    holds results (OUTCAR, vasprun.xml, OSZICAR, CONTCAR, pw.out, run.traj), so a rebuild never
    clobbers a finished run. ``progress``: a bar on stderr."""
    root = Path(root)
    writer = {"vasp": write_vasp, "qe": write_espresso, "espresso": write_espresso}.get(code)
    if writer is None:
        raise InputError(f"code must be 'vasp' or 'qe', not {code!r}")
    plan: dict[str, object] = {}
    for atoms in structures:
        rel = run_folder(atoms)
        if rel in plan:
            raise InputError(f"two structures for {rel} (binding modes {plan[rel].info.get('binding_mode')} "
                             f"and {atoms.info.get('binding_mode')}): write the other mode to its own tree")
        plan[rel] = atoms
    if not overwrite:
        done = [str(root / rel / name) for rel in plan for name in _RESULTS if (root / rel / name).exists()]
        if done:
            raise InputError(f"{len(done)} result file(s) already in the tree, e.g. {done[:3]}: nothing "
                             "written; choose another root or pass overwrite=True (--overwrite)")
    items = plan.items()
    if progress:
        from tqdm import tqdm

        items = tqdm(items, total=len(plan), desc="writing inputs", unit="run")
    return [writer(atoms, root / rel, **kwargs) for rel, atoms in items]


def write_db(structures, db) -> list[int]:
    """Store structures in an ase.db (path or URL): identity as key-value pairs, all info as data."""
    from ase.db import connect

    database = connect(str(db)) if isinstance(db, (str, Path)) else db
    ids = []
    for atoms in structures:
        info = _json_safe(atoms.info)
        keys = {k: info[k] for k in ("catalyst", "family", "site", "adsorbate", "binding_mode", "host",
                                     "coordination", "facet", "metal", "lattice_a", "lattice_method") if k in info}
        keys["role"] = "adsorbate" if "adsorbate" in keys else ("bulk" if info.get("family") == "bulk" else "slab")
        if "facet" in keys:
            keys["facet"] = f"({keys['facet']})"  # ase.db refuses number-like strings
        clean = atoms.copy()
        clean.info = {}
        ids.append(database.write(clean, key_value_pairs=keys, data={"build_info": info}))
    return ids

"""Relax a built structure with any ASE calculator and check that the adsorbate kept its binding."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .model import covalent_bond

#: A binding atom is bound to a site metal while within this factor of their covalent-radius sum.
BOUND_FACTOR = 1.25

#: A site metal rising this far (Å) along the normal of the atoms that held it is pulled out.
PULL_OUT = 0.7


def _indices(info: dict, key: str) -> list[int]:
    text = str(info.get(key, "") or "")
    return [int(x) for x in text.split(",") if x != ""]


@dataclass(frozen=True)
class BindingCheck:
    """What the adsorbate did during the relaxation: ``flags`` is empty when it stayed as built.

    Flags: ``mode_changed`` (e.g. bidentate *NO3 now bound by one O), ``left_site`` (no binding
    atom bound to a site metal any more), ``dissociated`` (the adsorbate fell apart),
    ``bond_broken`` (a bond of the adsorbate as built is gone; ``broken`` names them, e.g.
    ``("N–O",)``), ``metal_pulled_out`` (a site metal lost host bonds or rose more than
    :data:`PULL_OUT` Å from the atoms that held it). ``moved_to`` names the substrate atom(s) the
    adsorbate now binds to when it left its site.
    """

    flags: tuple[str, ...]
    bound_before: int
    bound_after: int
    fragments: int
    moved_to: tuple[int, ...] = ()
    broken: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.flags


def binding_check(initial, final) -> BindingCheck:
    """Compare the adsorbate's binding in ``final`` with the built ``initial`` (same atom order)."""
    from ase.neighborlist import NeighborList, natural_cutoffs

    info = initial.info
    ads = _indices(info, "adsorbate_indices")
    binding = _indices(info, "binding_atoms")
    metals = _indices(info, "site_metals")
    if not ads:
        return BindingCheck((), 0, 0, 0)

    def bound(atoms) -> set[int]:
        out = set()
        for b in binding:
            for m in metals:
                if atoms.get_distance(b, m, mic=True) < BOUND_FACTOR * covalent_bond(atoms[b].symbol, atoms[m].symbol):
                    out.add(b)
        return out

    before, after = bound(initial), bound(final)
    sub = final[ads]
    nl = NeighborList(natural_cutoffs(sub, mult=1.15), self_interaction=False, bothways=True)
    nl.update(sub)
    seen, fragments = set(), 0
    for start in range(len(sub)):
        if start in seen:
            continue
        fragments += 1
        stack = [start]
        while stack:
            k = stack.pop()
            if k in seen:
                continue
            seen.add(k)
            stack.extend(int(j) for j in nl.get_neighbors(k)[0] if j not in seen)
    flags = []
    moved_to: tuple[int, ...] = ()
    if fragments > 1:
        flags.append("dissociated")
    broken = _broken_bonds(initial, final, ads)
    if broken:
        flags.append("bond_broken")
    if not after:
        flags.append("left_site")
        substrate = [k for k in range(len(final)) if k not in set(ads)]
        d = final.get_distances(binding[0], substrate, mic=True)
        moved_to = (int(substrate[int(np.argmin(d))]),)
    elif len(after) != len(before):
        flags.append("mode_changed")
    if any(_pulled_out(initial, final, m, set(ads)) for m in metals):
        flags.append("metal_pulled_out")
    return BindingCheck(tuple(flags), len(before), len(after), fragments, moved_to, broken)


def _bonds(atoms, indices, factor=BOUND_FACTOR) -> set[tuple[int, int]]:
    out = set()
    for x, i in enumerate(indices):
        for j in indices[x + 1:]:
            if atoms.get_distance(i, j, mic=True) < factor * covalent_bond(atoms[i].symbol, atoms[j].symbol):
                out.add((i, j))
    return out


def _broken_bonds(initial, final, ads) -> tuple[str, ...]:
    """The adsorbate's built bonds missing after the relaxation, as element pairs ("N–O")."""
    gone = _bonds(initial, ads, 1.15) - _bonds(final, ads)
    return tuple(sorted({"–".join(sorted((initial[i].symbol, initial[j].symbol))) for i, j in gone}))


def _pulled_out(initial, final, metal, ads) -> bool:
    """Whether ``metal`` lost its host: fewer than half its built host bonds, or risen by more than
    :data:`PULL_OUT` Å along the mean direction from its host atoms to it."""
    host = [k for k in range(len(initial)) if k != metal and k not in ads
            and initial.get_distance(metal, k, mic=True) < BOUND_FACTOR * covalent_bond(initial[metal].symbol, initial[k].symbol)]
    if not host:
        return False
    kept = [k for k in host
            if final.get_distance(metal, k, mic=True) < BOUND_FACTOR * covalent_bond(final[metal].symbol, final[k].symbol)]
    if 2 * len(kept) < len(host):
        return True

    def rise(atoms):
        v = np.array([atoms.get_distance(k, metal, mic=True, vector=True) for k in host])
        return v.mean(axis=0)

    before = rise(initial)
    norm = np.linalg.norm(before)
    if norm < 1e-6:  # the metal sits in its host's plane: measure along the surface normal
        axis = np.array([0.0, 0.0, 1.0])
    else:
        axis = before / norm
    return float(np.dot(rise(final) - before, axis)) > PULL_OUT


def relax(atoms, calculator, *, fmax: float = 0.05, steps: int = 300, optimizer: str = "BFGS",
          logfile: str | None = None):
    """Relax a copy of ``atoms`` with ``calculator``; returns ``(relaxed, BindingCheck)``.

    ``fmax`` in eV/Å. The check's flags are written into ``relaxed.info['binding_flags']`` and the
    optimiser's convergence and step count into ``relaxed.info['relax_converged']`` and
    ``['relax_steps']``.
    """
    import ase.optimize

    work = atoms.copy()
    work.calc = calculator
    opt = getattr(ase.optimize, optimizer)(work, logfile=logfile)
    converged = bool(opt.run(fmax=fmax, steps=steps))
    check = binding_check(atoms, work)
    work.info["binding_flags"] = ",".join(check.flags)
    work.info["relax_converged"] = converged
    work.info["relax_steps"] = int(opt.get_number_of_steps())
    work.info["energy"] = float(work.get_potential_energy())
    return work, check

"""Nitrate starts in its published lowest mode on clean metal facets (chefe.build.SURFACE_MODES):
flat tridentate in the fcc hollow of close-packed facets, twofold across a bridge on (100).
Bonds are counted with ASE's neighbour list against the covalent radii (ase.data)."""

from __future__ import annotations

import numpy as np
import pytest
from ase.data import atomic_numbers, covalent_radii

from chefe.build import reaction_set, slab
from chefe.build.output import run_folder


def _o_metal_bonds(atoms):
    """{O index: metal indices within the covalent-radius sum + 0.15 Å}."""
    ads = [int(k) for k in atoms.info["adsorbate_indices"].split(",")]
    metal = [k for k in range(len(atoms)) if k not in ads]
    out = {}
    for k in ads:
        if atoms[k].symbol != "O":
            continue
        d = atoms.get_distances(k, metal, mic=True)
        cutoff = covalent_radii[8] + covalent_radii[atomic_numbers[atoms[metal[0]].symbol]] + 0.15
        out[k] = {metal[j] for j in np.flatnonzero(d < cutoff)}
    return out


def _nitrate(model):
    return next(a for a in reaction_set(model, ["*NO3"]) if a.info.get("adsorbate") == "*NO3")


@pytest.mark.parametrize("metal,facet", [("Cu", "111"), ("Pt", "111"), ("Ru", "0001")])
def test_close_packed_facets_bind_nitrate_flat_through_three_oxygens(metal, facet):
    atoms = _nitrate(slab(metal, facet, size=(3, 3, 3)))
    bonds = _o_metal_bonds(atoms)
    assert atoms.info["binding_mode"] == "tridentate" and atoms.info["binding_site"] == "fcc"
    assert len(bonds) == 3 and all(len(m) == 1 for m in bonds.values())
    assert len(set().union(*bonds.values())) == 3  # each O on its own surface atom
    ads = [int(k) for k in atoms.info["adsorbate_indices"].split(",")]
    z = atoms.positions[ads, 2]
    assert np.ptp(z) < 0.2  # flat: N and the three O within the 0.05 Å symmetry break of a plane
    assert run_folder(atoms) == f"{metal}{facet}/NO3"  # the pathway folder is the default site's


def test_cu100_binds_nitrate_twofold_across_a_bridge():
    atoms = _nitrate(slab("Cu", "100", size=(3, 3, 3)))
    bonds = {k: m for k, m in _o_metal_bonds(atoms).items() if m}
    assert atoms.info["binding_mode"] == "bidentate"
    assert len(bonds) == 2 and len(set().union(*bonds.values())) == 2


def test_asked_mode_and_single_atom_alloys_keep_their_site():
    cu = slab("Cu", "111", size=(3, 3, 3))
    mono = next(a for a in reaction_set(cu, ["*NO3"], modes={"*NO3": "monodentate"}) if a.info.get("adsorbate"))
    assert mono.info["binding_mode"] == "monodentate" and "binding_site" not in mono.info
    saa = slab("Cu", "111", size=(3, 3, 3), single_atom="Pd")
    on_pd = _nitrate(saa)
    assert on_pd.info["site"] == "SA" and on_pd.info["binding_mode"] == "monodentate"
    stepped = _nitrate(slab("Pt", "211", size=(3, 2, 3)))  # no published comparison: the first mode
    assert stepped.info["binding_mode"] == "monodentate"

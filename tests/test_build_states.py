"""Every state of every route of every shipped network can be built, on a SAC, a DAC and a slab,
with starting geometries a relaxation can leave (no symmetry that keeps the adsorbate)."""

from __future__ import annotations

import numpy as np
import pytest
from ase.data import atomic_numbers, covalent_radii

from chefe.build import dac, sac, slab
from chefe.build.states import place_state, state_label
from chefe.errors import InputError
from chefe.network import load_network, route_states, shipped_networks

MODELS = {"SAC": lambda: sac("Fe", "N4"), "DAC": lambda: dac("Cu", "Co", "N6"),
          "slab": lambda: slab("Cu", "111", size=(3, 3, 4))}
#: how many metal sites each model offers to co-adsorbates (a slab: as many top atoms as needed)
SITES = {"SAC": 1, "DAC": 2, "slab": 9}


def _states(name):
    net = load_network(name)
    states = set()
    for route in net.routes:
        states.update(route_states(net, route))
    return net, sorted(states, key=lambda s: (len(s), s))


def _fragments(atoms, indices):
    """Connected pieces of the adsorbate atoms (bonded: closer than 1.2 x the covalent-radius
    sum), counted by scipy's graph components on the distance matrix."""
    from scipy.sparse.csgraph import connected_components

    d = atoms.get_all_distances(mic=True)[np.ix_(indices, indices)]
    radii = covalent_radii[atoms.numbers[indices]]
    bonded = d < 1.2 * (radii[:, None] + radii[None, :])
    return connected_components(bonded, directed=False)[0]


@pytest.mark.parametrize("network", shipped_networks())
@pytest.mark.parametrize("family", list(MODELS))
def test_every_route_state_is_built(network, family):
    from ase.formula import Formula

    net, states = _states(network)
    model = MODELS[family]()
    built = 0
    for state in states:
        adsorbates = [x for x in state if x != "*"]
        if len(adsorbates) > SITES[family]:
            with pytest.raises(InputError, match="needs"):
                place_state(model, state)
            continue
        atoms = place_state(model, state)
        built += 1
        extra = atoms[len(model.atoms):]
        # the adsorbates' atoms, exactly
        want = sum((Formula(a.lstrip("*")) for a in adsorbates), Formula(""))
        assert extra.symbols.formula.count() == want.count(), (network, family, state)
        assert atoms.info["state"] == state_label(state)
        if not adsorbates:
            continue
        indices = list(range(len(model.atoms), len(atoms)))
        # one molecule per adsorbate: co-adsorbates do not touch each other, none is broken up
        assert _fragments(atoms, indices) == len(adsorbates), (network, family, state)
        # each binding atom at bonding distance (covalent radii ± 0.1 Å) from its site metal
        metals = [int(x) for x in atoms.info["site_metals"].split(",")]
        for b, m in zip((int(x) for x in atoms.info["binding_atoms"].split(",")), metals):
            bond = covalent_radii[atoms[b].number] + covalent_radii[atoms[m].number]
            assert atoms.get_distance(b, m, mic=True) == pytest.approx(bond, abs=0.1), (network, state)
        # nothing closer to the substrate than 0.75 x the covalent-radius sum
        d = atoms.get_distances  # noqa: F841
        from ase.geometry import get_distances

        _, dist = get_distances(atoms.positions[indices], model.atoms.positions, cell=atoms.cell, pbc=atoms.pbc)
        radii = covalent_radii[atoms.numbers[indices]][:, None] + covalent_radii[model.atoms.numbers][None, :]
        assert (dist / radii).min() > 0.74, (network, family, state)
    assert built >= 1


def test_no_built_state_keeps_a_symmetry():
    """spglib finds only the identity in every adsorbate state as built; with symmetric=True the
    ideal start keeps operations of the site (*NH3 on Fe-N4, *N2 end-on on Cu(111) top: C3v), which
    is what the default seeded displacement removes."""
    import spglib

    model = sac("Fe", "N4")
    net, states = _states("no3rr_sac")
    for state in states:
        if state == ("*",):
            continue
        atoms = place_state(model, state)
        cell = (atoms.cell[:], atoms.get_scaled_positions(), atoms.numbers)
        ops = spglib.get_symmetry(cell, symprec=1e-2)
        assert len(ops["rotations"]) == 1, (state, len(ops["rotations"]))
    ideal = place_state(model, ("*NH3",), symmetric=True)
    ops = spglib.get_symmetry((ideal.cell[:], ideal.get_scaled_positions(), ideal.numbers), symprec=1e-2)
    assert len(ops["rotations"]) > 1
    # and a slab: *NO on Cu(111) top, *N2 end-on (linear, on the C3v axis without the displacement)
    s = slab("Cu", "111", size=(3, 3, 4))
    ideal = place_state(s, ("*N2",), symmetric=True)
    assert len(spglib.get_symmetry((ideal.cell[:], ideal.get_scaled_positions(), ideal.numbers),
                                   symprec=1e-2)["rotations"]) == 6
    for ads in ("*NO", "*N2", "*NH3", "*H"):
        a = place_state(s, (ads,))
        assert len(spglib.get_symmetry((a.cell[:], a.get_scaled_positions(), a.numbers), symprec=1e-2)["rotations"]) == 1


def test_bent_starts_at_the_cited_angles():
    """M-O-N 120° (monodentate nitrate), M-O-H 110°, M-N-O 145° (bent nitrosyl), M-O-O 115°."""
    model = sac("Fe", "N4")
    fe = model.site().metals[0]
    for ads, want in (("*NO3", 120.0), ("*OH", 110.0), ("*NO", 145.0), ("*OOH", 115.0), ("*NO3H", 125.0)):
        a = place_state(model, (ads,), symmetric=True)
        b = int(a.info["binding_atoms"])
        nxt = len(model.atoms) + 1  # the atom bonded to the binding one comes next
        assert a.get_angle(fe, b, nxt, mic=True) == pytest.approx(want, abs=0.5), ads


def test_coadsorbed_states_on_their_own_sites():
    model = dac("Cu", "Co", "N6")
    a = place_state(model, ("*NO2", "*O"))
    assert a.info["adsorbates"] == "*NO2,*O" and a.info["sites"] == "Cu,Co"
    assert a.info["state"] == "*NO2+*O"
    metals = [int(x) for x in a.info["site_metals"].split(",")]
    assert [a[m].symbol for m in metals] == ["Cu", "Co"]
    # sites can be named; the same site twice, or more adsorbates than sites, are refused
    b = place_state(model, ("*NO2", "*O"), sites=["Co", "Cu"])
    assert [b[int(m)].symbol for m in b.info["site_metals"].split(",")] == ["Co", "Cu"]
    with pytest.raises(InputError, match="two adsorbates on one site"):
        place_state(model, ("*NO2", "*O"), sites=["Cu", "Cu"])
    with pytest.raises(InputError, match="needs 3 sites"):
        place_state(model, ("*N", "*O", "*H"))
    # a slab spreads co-adsorbates: the second top atom is the farthest from the first
    s = slab("Cu", "111", size=(3, 3, 4))
    c = place_state(s, ("*N", "*O"))
    m1, m2 = (int(x) for x in c.info["site_metals"].split(","))
    nn = 3.61 / np.sqrt(2)  # Cu fcc a = 3.61 Å (ase.build default) -> nearest-neighbour distance
    assert c.get_distance(m1, m2, mic=True) > 1.5 * nn
    assert atomic_numbers["Cu"] == c[m1].number == c[m2].number


def test_network_states_written_and_collected_as_one_run_each(tmp_path):
    """chefe build --network writes every state the routes visit, a co-adsorbed state as one
    structure in its own folder (CAT/NO2+O); collect files it as that state, composition checked."""
    from ase.db import connect

    from chefe.cli.main import main
    from chefe.collect import collect
    from chefe.io.tree import _species_from_folder

    assert main(["build", "dac", "Cu", "Co", "N6", "--network", "no3rr_dual_site", "-o", str(tmp_path / "runs"),
                 "--db", str(tmp_path / "built.db")]) == 0
    folder = tmp_path / "runs" / "CuCo-N6-plane" / "NO2@Cu+O@Co"
    assert (folder / "POSCAR").exists()
    import ase.io

    poscar = ase.io.read(folder / "POSCAR")
    clean = ase.io.read(tmp_path / "runs" / "CuCo-N6-plane" / "slab" / "POSCAR")
    extra = poscar.symbols.formula.count()
    for k, v in clean.symbols.formula.count().items():
        extra[k] -= v
    assert {k: v for k, v in extra.items() if v} == {"N": 1, "O": 3}
    assert _species_from_folder("NO2+O") == "*NO2+*O" == _species_from_folder("O+NO2")
    # a finished run of that structure (EMT-free stand-in: the built geometry with an energy)
    from ase.calculators.singlepoint import SinglePointCalculator

    for name, energy in (("slab", -700.0), ("NO2@Cu+O@Co", -725.0)):
        atoms = ase.io.read(tmp_path / "runs" / "CuCo-N6-plane" / name / "POSCAR")
        atoms.calc = SinglePointCalculator(atoms, energy=energy, forces=np.zeros((len(atoms), 3)))
        ase.io.write(tmp_path / "runs" / "CuCo-N6-plane" / name / "run.traj", atoms)
    db = tmp_path / "r.db"
    collect(tmp_path / "runs", str(db), workers=1, progress=False)
    row = connect(str(db)).get(species="*NO2@Cu+*O@Co")
    assert row.role == "adsorbate" and row.e_dft == -725.0
    assert "composition_mismatch" not in row.flags


def test_state_set_on_a_model_with_too_few_sites_says_so_once():
    from chefe.build.sets import network_states, state_set

    singles, multi = network_states("no3rr_dual_site")
    made = state_set(sac("Fe", "N4"), "no3rr_dual_site")
    assert len(made) == 1 + len(singles)  # the clean site and every single adsorbate
    skipped = made[0].info["skipped"]
    assert f"{len(multi)} co-adsorbed states need up to 2 sites" in skipped and "DAC or a slab" in skipped
    # a DAC names its sites: each adsorbate on each metal, each co-adsorbed state per placement
    dual = state_set(dac("Cu", "Co", "N6"), "no3rr_dual_site")
    from chefe.network import load_network, with_site_labels

    l_singles, l_multi = network_states(with_site_labels(load_network("no3rr_dual_site")))
    labels = {a.info.get("adsorbate") for a in dual[1:]}
    assert len(dual) == 1 + len(labels) and "skipped" not in dual[0].info
    assert {"*NO3@Cu", "*NO3@Co", "*NO2@Cu+*O@Co", "*NO2@Co+*O@Cu"} <= labels
    assert len([x for x in labels if "+" in x]) == len(l_multi)
    # a homonuclear pair: equivalent sites, each state once
    homo = state_set(dac("Cu", "Cu", "N6"), "no3rr_dual_site")
    assert len(homo) < len(dual) and "*NO2@M1+*O@M2" in {a.info.get("adsorbate") for a in homo}

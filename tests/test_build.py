"""Structure building: M–N–C sites, slabs, adsorbate placement, DFT inputs, relaxation checks."""

from __future__ import annotations

import json

import numpy as np
import pytest
from ase.data import atomic_numbers, covalent_radii
from ase.neighborlist import neighbor_list

from chefe.build import (NO3RR_SET, adsorbate_modes, binding_check, build_model, dac, oxide_slab,
                         place_adsorbate, reaction_set, relax, sac, slab, write_db, write_espresso,
                         write_tree, write_vasp)
from chefe.errors import InputError


def first_shell(atoms, index, cutoff=2.3):
    """(symbol, distance) of the neighbours of ``index`` from ASE's neighbour list."""
    i, j, d = neighbor_list("ijd", atoms, cutoff)
    return sorted((atoms[int(b)].symbol, round(float(x), 3)) for a, b, x in zip(i, j, d) if a == index)


def min_bond_ratio(atoms):
    """Smallest interatomic distance over the covalent-radius sum (periodic images included)."""
    i, j, d = neighbor_list("ijd", atoms, 3.0)
    r = covalent_radii[atoms.numbers]
    return float((d / (r[i] + r[j])).min())


# ------------------------------------------------------------------ single-atom sites
def test_sac_mn4_plane_formula_coordination_and_site():
    m = sac("Fe", "N4", size=(6, 6))
    # 6x6 graphene = 72 C; the double vacancy removes 2, four of the dangling C become N: C66 N4 Fe
    assert m.atoms.get_chemical_formula() == "C66FeN4"
    metal = m.site().metals[0]
    assert m.atoms[metal].symbol == "Fe" and m.site().kind == "top"
    shell = first_shell(m.atoms, metal)
    # the vacancy's neighbours: 1.42·(1 + cos60°, sin60°) from its centre -> |.| = √(2.13² + 1.23²)/… = 1.878 Å
    expected = np.hypot(1.42 * (0.5 + 0.5), 1.42 * np.sin(np.radians(60)))
    assert [s for s, _ in shell] == ["N"] * 4
    assert all(d == pytest.approx(expected, abs=2e-3) for _, d in shell)
    assert np.allclose(m.site().normal, [0, 0, 1])
    assert min_bond_ratio(m.atoms) > 0.75


@pytest.mark.parametrize("spec,shell", [("N2C2", ["C", "C", "N", "N"]), ("C4", ["C"] * 4),
                                        ("N3O1", ["N", "N", "N", "O"]), ("N3V", ["N"] * 3)])
def test_sac_mixed_shells(spec, shell):
    m = sac("Co", spec)
    got = first_shell(m.atoms, m.site().metals[0])
    assert [s for s, _ in got] == shell


def test_sac_single_vacancy_n3_lifts_the_metal_to_the_covalent_bond():
    m = sac("Cu", "N3")
    metal = m.site().metals[0]
    shell = first_shell(m.atoms, metal)
    bond = covalent_radii[atomic_numbers["Cu"]] + covalent_radii[atomic_numbers["N"]]
    assert [s for s, _ in shell] == ["N"] * 3
    assert all(d == pytest.approx(bond, abs=1e-3) for _, d in shell)
    # lifted: height = √(bond² − 1.42²) above the sheet
    sheet_z = np.median(m.atoms.positions[:, 2])
    assert m.atoms.positions[metal, 2] - sheet_z == pytest.approx(np.sqrt(bond**2 - 1.42**2), abs=1e-3)


def _sheet_graph(atoms):
    """Bonded neighbours from ASE's neighbour list: C/N–C/N up to 1.75 Å, metal–X up to 1.15x
    their covalent-radius sum."""
    i, j, d = neighbor_list("ijd", atoms, 2.6)
    metals = {k for k, s in enumerate(atoms.get_chemical_symbols()) if s not in ("C", "N", "O", "S", "H", "Cl")}
    graph = {k: set() for k in range(len(atoms))}
    for a, b, x in zip(i.tolist(), j.tolist(), d.tolist()):
        is_metal = a in metals or b in metals
        limit = 1.15 * (covalent_radii[atoms.numbers[a]] + covalent_radii[atoms.numbers[b]]) if is_metal else 1.75
        if x < limit:
            graph[a].add(b)
    return graph


def _smallest_ring_without(graph, atom, banned):
    """Size of the smallest ring through ``atom`` that avoids ``banned`` (BFS between two neighbours)."""
    best = None
    nbs = sorted(graph[atom] - banned)
    for x, y in [(x, y) for k, x in enumerate(nbs) for y in nbs[k + 1:]]:
        seen, frontier, depth = {x}, [x], 0
        while frontier and y not in seen:
            depth += 1
            frontier = [n for f in frontier for n in graph[f] if n not in seen and n != atom and n not in banned]
            seen.update(frontier)
        if y in seen:
            best = depth + 2 if best is None else min(best, depth + 2)
    return best


def test_sac_pyrrolic_mn4_each_n_in_a_five_membered_ring():
    pyrrolic = sac("Fe", "N4", ring="pyrrolic", size=(7, 7))
    pyridinic = sac("Fe", "N4", size=(7, 7))
    atoms = pyrrolic.atoms
    metal = pyrrolic.site().metals[0]
    assert atoms[metal].symbol == "Fe" and pyrrolic.catalyst == "Fe-N4-pyrrolic-plane"
    shell = first_shell(atoms, metal)
    bond = covalent_radii[atomic_numbers["Fe"]] + covalent_radii[atomic_numbers["N"]]
    assert [s for s, _ in shell] == ["N"] * 4
    assert all(d == pytest.approx(bond, abs=0.02) for _, d in shell)
    graph = _sheet_graph(atoms)
    n_atoms = [k for k in graph[metal]]
    # pyrrolic: the smallest metal-free ring through each N is a pentagon; pyridinic: a hexagon
    assert [_smallest_ring_without(graph, n, {metal}) for n in n_atoms] == [5] * 4
    g2 = _sheet_graph(pyridinic.atoms)
    m2 = pyridinic.site().metals[0]
    assert [_smallest_ring_without(g2, n, {m2}) for n in sorted(g2[m2])] == [6] * 4
    # every sheet atom is sp2 (three neighbours), nothing overlaps
    assert all(len(graph[k]) == 3 for k in graph if k != metal)
    assert min_bond_ratio(atoms) > 0.8
    # flat, and the metal in the sheet
    assert np.ptp(atoms.positions[:, 2]) == pytest.approx(0.0, abs=1e-9)


def test_sac_pyrrolic_ring_census_obeys_euler_for_a_flat_sheet():
    """Σ_faces (6 − n) + Σ_atoms (6 − 2·degree) = 0 on a torus: the metal (degree 4) counts −2,
    the four pyrrole pentagons +4, so the stitching must add −2: here 2 more pentagons (+2) and
    4 heptagons (−4)."""
    from chefe.build.vff import ring_sizes

    m = sac("Fe", "N4", ring="pyrrolic", size=(8, 8))
    atoms = m.atoms
    graph = _sheet_graph(atoms)
    faces = ring_sizes(atoms.positions[:, :2], atoms.cell.array[:2, :2], graph)
    assert sum(6 - len(f) for f in faces) + sum(6 - 2 * len(graph[k]) for k in graph) == 0
    metal = m.site().metals[0]
    census = {}
    for f in faces:
        if metal not in f:
            census[len(f)] = census.get(len(f), 0) + 1
    assert {k: v for k, v in census.items() if k != 6} == {5: 6, 7: 4}
    assert atoms.info["rings"] == ",".join(f"{k}:{v}" for k, v in sorted(census.items()))
    # the four metal rings are the porphyrin's six-membered chelate rings M–N–Cα–C(meso)–Cα–N
    assert sorted(len(f) for f in faces if metal in f) == [6, 6, 6, 6]


@pytest.mark.parametrize("metal,spec", [("Ti", "N4"), ("Cu", "N4"), ("Co", "N3C1"), ("Ni", "C4"), ("Fe", "N3O1")])
def test_sac_pyrrolic_any_metal_and_shell_same_rings(metal, spec):
    m = sac(metal, spec, ring="pyrrolic", size=(7, 7))
    shell = first_shell(m.atoms, m.site().metals[0], cutoff=2.6)
    elements, _ = __import__("chefe.build.carbon", fromlist=["_parse_coordination"])._parse_coordination(spec)
    assert sorted(s for s, _ in shell) == sorted(elements)
    for s, d in shell:  # each metal–X at its own covalent-radius sum
        assert d == pytest.approx(covalent_radii[atomic_numbers[metal]] + covalent_radii[atomic_numbers[s]], abs=0.03)
    assert m.atoms.info["rings"] == "5:6,6:34,7:4"


def test_sac_pyrrolic_tube_same_site_on_a_curved_wall():
    plane = sac("Cu", "N4", ring="pyrrolic", size=(8, 8))
    tube = sac("Cu", "N4", ring="pyrrolic", host="tube", chirality=(8, 0), length=4)
    assert tube.catalyst == "Cu-N4-pyrrolic-tube"
    # the unrolled wall (8 x 2.46 Å by 4 x 4.26 Å) holds as many atoms as the 8x8 sheet, same rings
    assert len(tube.atoms) == len(plane.atoms) and tube.atoms.info["rings"] == plane.atoms.info["rings"]
    metal = tube.site().metals[0]
    graph = _sheet_graph(tube.atoms)
    assert [_smallest_ring_without(graph, n, {metal}) for n in sorted(graph[metal])] == [5] * 4
    assert all(len(graph[k]) == 3 for k in graph if k != metal)
    # every atom, the metal included, on the cylinder of radius C/2π = 8·2.46/2π Å
    axis = tube.atoms.cell.diagonal()[:2] / 2
    r = np.linalg.norm(tube.atoms.positions[:, :2] - axis, axis=1)
    np.testing.assert_allclose(r, 8 * 2.46 / (2 * np.pi), atol=1e-3)
    # the site points radially outwards
    radial = (tube.atoms.positions[metal, :2] - axis) / r[metal]
    np.testing.assert_allclose(tube.site().normal, [*radial, 0.0], atol=1e-9)
    assert min_bond_ratio(tube.atoms) > 0.8


def test_sac_pyrrolic_refuses_armchair_tubes_and_small_cells():
    with pytest.raises(InputError, match="zigzag"):
        sac("Fe", "N4", ring="pyrrolic", host="tube", chirality=(6, 6))
    with pytest.raises(InputError, match="at least 4 cells long"):
        sac("Fe", "N4", ring="pyrrolic", host="tube", chirality=(8, 0), length=3)
    with pytest.raises(InputError, match="at least 7x7"):
        sac("Fe", "N4", ring="pyrrolic", size=(6, 6))
    with pytest.raises(InputError, match="four coordinating"):
        sac("Fe", "N3", ring="pyrrolic")
    with pytest.raises(InputError, match="ring must be"):
        sac("Fe", "N4", ring="pyrolic")
    with pytest.raises(InputError, match="no vacancy choice"):
        sac("Fe", "N4", ring="pyrrolic", vacancy="double")


def test_pyrrolic_embedding_is_the_searchs_best():
    """A search over nearby placements finds the shipped embedding with the fewest defect rings."""
    from chefe.build.pyrrolic import EMBEDDING, search_embeddings

    ranked = search_embeddings((9, 9), rotations=[8.0, 9.0, 10.0], grid=18, radii=[3.5, 4.0],
                               clearances=[1.0, 1.15], top=30)
    defects, _, best, census = ranked[0]
    assert best == EMBEDDING and defects == 6 and census == {5: 6, 6: 66, 7: 4}


def test_sac_pyrrolic_takes_the_no3rr_set_and_round_trips_vasp(tmp_path):
    import ase.io

    m = sac("Cu", "N4", ring="pyrrolic", size=(7, 7))
    structures = reaction_set(m, ["NO3", "NH3", "H"])
    metal = m.site().metals[0]
    for atoms in structures[1:]:
        ads = [k for k in range(len(m.atoms), len(atoms))]
        d = atoms.get_distances(metal, ads, mic=True)
        assert atoms[ads[int(np.argmin(d))]].symbol in ("O", "N", "H")
        assert min_bond_ratio(atoms) > 0.75
    write_vasp(structures[0], tmp_path / "slab")
    back = ase.io.read(tmp_path / "slab" / "POSCAR")
    assert back.get_chemical_formula() == structures[0].get_chemical_formula()
    assert np.allclose(np.sort(back.positions, axis=0), np.sort(structures[0].positions, axis=0), atol=1e-6)


def test_tube_and_plane_same_coordination_different_curvature():
    plane, tube = sac("Cu", "N4", host="plane"), sac("Cu", "N4", host="tube", chirality=(8, 0))
    sp = first_shell(plane.atoms, plane.site().metals[0])
    st = first_shell(tube.atoms, tube.site().metals[0])
    assert [s for s, _ in sp] == [s for s, _ in st] == ["N"] * 4
    assert max(abs(a[1] - b[1]) for a, b in zip(sp, st)) < 0.05  # same local bonds within 0.05 Å
    # curvature: the plane's carbons are coplanar; the tube's lie on a cylinder of radius R
    assert np.ptp(plane.atoms.positions[:, 2]) < 1e-9
    c = tube.atoms[[a.index for a in tube.atoms if a.symbol == "C"]]
    axis = c.positions[:, :2].mean(0)
    radii = np.linalg.norm(c.positions[:, :2] - axis, axis=1)
    # (8,0) tube: R = a·√(n² + nm + m²)/(2π) with a = √3·1.42 Å
    assert radii.mean() == pytest.approx(np.sqrt(3) * 1.42 * 8 / (2 * np.pi), abs=0.02)
    # the site normal points radially out of the tube
    n = tube.site().normal
    r = tube.site().position[:2] - axis
    assert np.dot(n[:2], r / np.linalg.norm(r)) == pytest.approx(1.0, abs=1e-6) and abs(n[2]) < 1e-9


def test_axial_ligand_and_second_shell_chlorine():
    m = sac("Fe", "N4", axial="OH", decorate="Cl")
    metal = m.site().metals[0]
    a = m.atoms
    o = [k for k in range(len(a)) if a[k].symbol == "O"][0]
    assert a.positions[o, 2] < a.positions[metal, 2]  # under the sheet, away from the adsorbates
    cl = [k for k in range(len(a)) if a[k].symbol == "Cl"][0]
    near = first_shell(a, cl, 2.0)
    assert [s for s, _ in near] == ["C"]  # the C–Cl next to Fe–N4
    assert a.get_chemical_formula() == "C66HClFeN4O"


def test_bad_specs_are_named():
    with pytest.raises(InputError, match="N5"):
        sac("Fe", "N5")
    with pytest.raises(InputError, match="Xx"):
        sac("Fe", "N3Xx1")
    with pytest.raises(InputError, match="host"):
        sac("Fe", host="sphere")


# ------------------------------------------------------------------ dual-atom sites
@pytest.mark.parametrize("host", ["plane", "tube"])
def test_dac_n6_bridging_nitrogens_and_distance_control(host):
    m = dac("Fe", "Co", "N6", host=host)
    a = m.atoms
    fe, co = m.sites["Fe"].metals[0], m.sites["Co"].metals[0]
    if host == "plane":
        assert a.get_chemical_formula() == "C118CoFeN6"  # 8x8 = 128 C; 4 removed, 6 of the rest N
        assert a.get_distance(fe, co) == pytest.approx(2.46, abs=1e-6)  # one lattice constant
    else:  # (10,0) tube, 5 cells: 200 C; relaxed in its unrolled wall, every atom still on the wall
        assert a.get_chemical_formula() == "C190CoFeN6"
        radius = np.linalg.norm(a.positions[:, :2] - np.diag(a.cell)[:2] / 2, axis=1)  # axis: the cell's centre
        assert np.ptp(radius) < 0.01
    # every N bonded to its metals at the single-atom site's M–N length (1.88 Å ± 0.05), the two
    # bridging N to both metals; no other N within 3.4 Å; the second shell no closer than in an
    # M–N4 site (2.56 Å, less 0.1); sheet bonds between a C=N double and a C–C single bond
    n_fe = {j for j in range(len(a)) if a[j].symbol == "N" and a.get_distance(fe, j, mic=True) < 2.0}
    n_co = {j for j in range(len(a)) if a[j].symbol == "N" and a.get_distance(co, j, mic=True) < 2.0}
    assert len(n_fe) == len(n_co) == 4 and len(n_fe & n_co) == 2  # two bridging N
    for metal, mine in ((fe, n_fe), (co, n_co)):
        for j in mine:
            assert a.get_distance(metal, j, mic=True) == pytest.approx(1.88, abs=0.05)
        others = [j for j in range(len(a)) if a[j].symbol == "N" and j not in mine]
        assert min(a.get_distance(metal, j, mic=True) for j in others) > 3.4
        assert min(a.get_distance(metal, j, mic=True) for j in range(len(a)) if a[j].symbol == "C") > 2.45
    from ase.neighborlist import neighbor_list

    sheet = a[[k for k in range(len(a)) if a[k].symbol in "CN"]]
    d = neighbor_list("d", sheet, 1.7)
    assert 1.30 < d.min() and d.max() < 1.55
    if host == "plane":
        m2 = dac("Fe", "Co", "N6", distance=2.2)
        assert m2.atoms.get_distance(*m2.sites["bridge"].metals) == pytest.approx(2.2, abs=1e-9)


def test_dac_n2_n2_and_n8():
    m = dac("Fe", "Cu", "N2-N2")
    assert m.atoms.get_chemical_formula() == "C120CuFeN4"  # bridges kept as C
    n8 = dac("Ni", "Ni", "N8")
    assert n8.atoms.get_chemical_formula() == "C116N8Ni2"
    m1, m2 = n8.sites["M1"].metals[0], n8.sites["M2"].metals[0]
    for metal in (m1, m2):
        assert [s for s, _ in first_shell(n8.atoms, metal)] == ["N"] * 4
    far = dac("Ni", "Ni", "N8", distance=8.0)
    assert far.atoms.get_distance(*far.sites["bridge"].metals) > n8.atoms.get_distance(m1, m2)


# ------------------------------------------------------------------ slabs
def test_slab_sites_fixed_layers_and_single_atom_alloy():
    s = slab("Pt", "111", size=(3, 3, 4), fixed_layers=2)
    assert len(s.atoms) == 36 and s.default_site == "ontop"
    assert {k: len(v.metals) for k, v in s.sites.items()} == {"ontop": 1, "bridge": 2, "fcc": 3, "hcp": 3}
    fixed = s.atoms.constraints[0].get_indices()
    assert len(fixed) == 18 and set(s.atoms.get_tags()[fixed]) == {3, 4}
    saa = slab("Cu", "111", single_atom="Pd")
    assert saa.default_site == "SA" and saa.atoms[saa.site().metals[0]].symbol == "Pd"
    assert saa.atoms.get_chemical_formula() == "Cu35Pd"
    for name in ("fcc", "bridge"):
        metals = s.sites[name].metals
        xy = s.sites[name].position[:2]
        d = [np.linalg.norm(s.atoms.positions[k, :2] - xy) for k in metals]
        assert max(d) - min(d) < 1e-6  # the site is equidistant from its metals
    stepped = slab("Pt", "211", size=(3, 2, 3))
    assert stepped.catalyst == "Pt211"
    with pytest.raises(InputError, match="facet"):
        slab("Fe", "111x")


def test_oxide_slab_from_pymatgen():
    pytest.importorskip("pymatgen")
    from ase.spacegroup import crystal

    rutile = crystal(["Ti", "O"], basis=[(0, 0, 0), (0.3053, 0.3053, 0)], spacegroup=136,
                     cellpar=[4.594, 4.594, 2.959, 90, 90, 90])
    m = oxide_slab(rutile, (1, 1, 0), min_slab=6, min_vacuum=12)
    assert m.atoms[m.site().metals[0]].symbol == "Ti"
    symbols = m.atoms.get_chemical_symbols()
    assert symbols.count("O") == 2 * symbols.count("Ti")  # stoichiometric TiO2 slab
    top_ti = max((a.position[2] for a in m.atoms if a.symbol == "Ti"))
    assert m.site().position[2] == pytest.approx(top_ti)


# ------------------------------------------------------------------ adsorbates
@pytest.mark.parametrize("adsorbate", NO3RR_SET)
def test_every_no3rr_adsorbate_binds_through_its_atom_nearest_the_metal(adsorbate):
    m = sac("Fe", "N4")
    metal = m.site().metals[0]
    for mode in adsorbate_modes(adsorbate, "top"):
        a = place_adsorbate(m, adsorbate, mode=mode, symmetric=True)
        ads = [int(x) for x in a.info["adsorbate_indices"].split(",")]
        # the default start is that geometry with each adsorbate atom moved by 0.05 Å
        moved = place_adsorbate(m, adsorbate, mode=mode)
        shift = np.linalg.norm(moved.positions[ads] - a.positions[ads], axis=1)
        assert shift == pytest.approx(np.full(len(ads), 0.05), abs=1e-9)
        binding = [int(x) for x in a.info["binding_atoms"].split(",")]
        d = a.get_distances(metal, ads, mic=True)
        assert ads[int(np.argmin(d))] in binding, (adsorbate, mode)
        assert a.info["adsorbate"] == adsorbate and a.info["site"] == "Fe"
        # the closest binding atom sits at the covalent-radius sum from Fe
        nearest = ads[int(np.argmin(d))]
        bond = covalent_radii[atomic_numbers["Fe"]] + covalent_radii[a[nearest].number]
        assert d.min() == pytest.approx(bond, abs=1e-6)
        assert min_bond_ratio(a) > 0.7
        assert all(np.dot(a.positions[k] - a.positions[metal], [0, 0, 1]) > 0 for k in ads)


def test_modes_aliases_user_molecules_and_errors():
    assert adsorbate_modes("*NO3") == ["monodentate", "bidentate", "tridentate"]
    assert adsorbate_modes("*NO2") == ["N-down", "O-down", "bidentate"]
    m = dac("Cu", "Co", "N6")
    a = place_adsorbate(m, "HNO", "Co")  # alias of *NHO
    assert a.info["adsorbate"] == "*NHO" and a.info["site_metals"] == str(m.sites["Co"].metals[0])
    bi = place_adsorbate(m, "*NO3", "bridge", "bidentate")
    o1, o2 = (int(x) for x in bi.info["binding_atoms"].split(","))
    cu, co = m.sites["bridge"].metals
    # the two O of a bridging bidentate nitrate reach one metal each
    assert {int(np.argmin([bi.get_distance(o, cu), bi.get_distance(o, co)])) for o in (o1, o2)} == {0, 1}
    from ase.build import molecule

    co2 = place_adsorbate(m, molecule("CO2"), "Cu", binding=1)
    assert co2.info["adsorbate"] == "*CO2" and co2.info["binding_mode"] == "user"
    with pytest.raises(InputError, match="binding atom index"):
        place_adsorbate(m, molecule("CO2"), "Cu", binding=5)
    with pytest.raises(InputError, match="no site 'Zn'"):
        place_adsorbate(m, "*NO", "Zn")
    with pytest.raises(InputError, match="sideways"):
        place_adsorbate(m, "*NO", mode="sideways")
    with pytest.raises(InputError, match="no built-in geometry"):
        place_adsorbate(m, "*N2H4")
    with pytest.raises(InputError, match="needs a hollow site"):
        place_adsorbate(m, "*NO3", "Cu", "tridentate")
    s = slab("Pt", "111", size=(3, 3, 4))
    tri = place_adsorbate(s, "*NO3", "fcc", "tridentate")
    o_atoms = [int(x) for x in tri.info["binding_atoms"].split(",")]
    metals = [int(x) for x in tri.info["site_metals"].split(",")]
    # each O of the flat nitrate over the fcc hollow is nearest to a different Pt
    assert len({min(metals, key=lambda k: tri.get_distance(o, k, mic=True)) for o in o_atoms}) == 3


# ------------------------------------------------------------------ output
def test_write_vasp_reads_back_the_same_atoms(tmp_path):
    import ase.io

    m = dac("Fe", "Co", "N6")
    a = place_adsorbate(m, "*NO3", "Co", "bidentate")
    folder = write_vasp(a, tmp_path / "run")
    back = ase.io.read(folder / "POSCAR")
    meta = json.loads((folder / "chefe_build.json").read_text())
    order = [int(x) for x in meta["build_order"].split(",")]
    assert back.get_chemical_symbols() == [a[k].symbol for k in order]
    np.testing.assert_allclose(back.positions, a.positions[order], atol=1e-6)
    np.testing.assert_allclose(back.cell[:], a.cell[:], atol=1e-6)
    # one POSCAR block per element, and the spec lists them in that order
    assert (folder / "POTCAR.spec").read_text().split("\n")[:5] == [
        "PAW_PBE C", "PAW_PBE N", "PAW_PBE Fe", "PAW_PBE Co", "PAW_PBE O"]
    assert not (folder / "POTCAR").exists()
    incar = (folder / "INCAR").read_text()
    # a sheet with an adsorbate on one side: dipole correction across the vacuum (z)
    assert "LDIPOL = .TRUE." in incar and "IDIPOL = 3" in incar
    # moments where expected: Fe and Co 3 μB, the NO3 radical (7 + 3·8 = 31 electrons) 0.5 μB on
    # each of its atoms (its N is the last of the N block), the sheet's C and N none
    n_sheet = sum(1 for x in a.get_chemical_symbols() if x in "CN") - 1
    assert f"ISPIN = 2\nMAGMOM = {n_sheet}*0 1*0.5 2*3 3*0.5\n" in incar
    # remapped indices still point at the same atoms
    co_new = int(meta["site_metals"])
    assert back[co_new].symbol == "Co"
    kp = (folder / "KPOINTS").read_text().split("\n")
    # 8x8 graphene: |b1|·2π = 2π/(19.68·sin60°) = 0.3687 /Å -> ceil(0.3687/0.25) = 2; vacuum -> 1
    assert kp[3] == "2 2 1"


def test_slab_incar_has_dipole_and_qe_input(tmp_path):
    s = slab("Pt", "111", size=(3, 3, 4))
    a = place_adsorbate(s, "*NO", "fcc")
    write_vasp(a, tmp_path / "v")
    incar = dict(line.split(" = ") for line in (tmp_path / "v" / "INCAR").read_text().splitlines())
    assert incar["LDIPOL"] == ".TRUE." and incar["IDIPOL"] == "3" and incar["ISPIN"] == "1"
    write_espresso(a, tmp_path / "q")
    import ase.io

    back = ase.io.read(tmp_path / "q" / "pw.in", format="espresso-in")
    assert back.get_chemical_formula() == a.get_chemical_formula()
    from ase.units import Ry

    text = (tmp_path / "q" / "pw.in").read_text()
    degauss = float(text.split("degauss")[1].split("=")[1].split()[0])
    assert degauss * Ry == pytest.approx(0.05, abs=1e-12)  # 0.05 eV smearing, in Ry


def test_tree_layout_is_what_collect_reads(tmp_path):
    from chefe.io.tree import classify

    m = dac("Fe", "Co", "N6")
    structures = reaction_set(m, ["*NO3", "*NH3"], sites=["Fe", "Co"])
    paths = write_tree(structures, tmp_path)
    keys = sorted(classify(str(p.relative_to(tmp_path))) for p in paths)
    assert keys == [("FeCo-N6-plane", "*", "slab"), ("FeCo-N6-plane/Co", "*NH3", "adsorbate"),
                    ("FeCo-N6-plane/Co", "*NO3", "adsorbate"), ("FeCo-N6-plane/Fe", "*NH3", "adsorbate"),
                    ("FeCo-N6-plane/Fe", "*NO3", "adsorbate")]
    # one site only: the pathway sits directly under the catalyst
    single = write_tree(reaction_set(m, ["*NO3"]), tmp_path / "one")
    assert sorted(str(p.relative_to(tmp_path / "one")) for p in single) == ["FeCo-N6-plane/NO3", "FeCo-N6-plane/slab"]
    with pytest.raises(InputError, match="two structures"):
        write_tree(structures + [structures[1]], tmp_path / "again")
    # a finished run is never clobbered by a rebuild
    outcar = paths[1] / "OUTCAR"
    outcar.write_text("finished run\n")
    poscar = (paths[1] / "POSCAR").read_text()
    with pytest.raises(InputError, match="already in the tree"):
        write_tree(structures, tmp_path)
    assert outcar.read_text() == "finished run\n" and (paths[1] / "POSCAR").read_text() == poscar


def test_write_db_and_build_model(tmp_path):
    from ase.db import connect

    model = build_model({"kind": "sac", "metal": "Cu", "coordination": "N3", "host": "tube"})
    structures = reaction_set(model, ["*NO3", "*H"])
    ids = write_db(structures, tmp_path / "b.db")
    db = connect(tmp_path / "b.db")
    rows = {r.get("adsorbate", "*"): r for r in db.select()}
    assert len(ids) == 3 and rows["*NO3"].catalyst == "Cu-N3-tube" and rows["*"].role == "slab"
    assert rows["*H"].toatoms().get_chemical_formula() == structures[2].get_chemical_formula()
    with pytest.raises(InputError, match="kind"):
        build_model({"metal": "Cu"})
    with pytest.raises(InputError, match="metal"):
        build_model({"kind": "sac"})


# ------------------------------------------------------------------ relaxation
def test_relax_with_emt_and_binding_check():
    from ase.calculators.emt import EMT

    s = slab("Cu", "111", size=(2, 2, 3), fixed_layers=2)
    a = place_adsorbate(s, "*O", "fcc")
    relaxed, check = relax(a, EMT(), fmax=0.05, steps=200)
    assert check.ok and relaxed.info["binding_flags"] == "" and relaxed.info["relax_converged"]
    assert relaxed.info["energy"] == pytest.approx(relaxed.get_potential_energy())
    # hand-made outcomes: NO pulled apart and lifted off, bidentate nitrate down to one O
    no = place_adsorbate(s, "*NO", "ontop")
    moved = no.copy()
    o = len(moved) - 1
    moved.positions[o] += [0, 0, 3.0]
    assert binding_check(no, moved).flags == ("dissociated", "bond_broken")
    assert binding_check(no, moved).broken == ("N–O",)
    lifted = no.copy()
    lifted.positions[-2:] += [0, 0, 4.0]
    assert binding_check(no, lifted).flags == ("left_site",)
    dac_model = dac("Cu", "Cu", "N6")
    bi = place_adsorbate(dac_model, "*NO3", "bridge", "bidentate")
    mono = bi.copy()
    second = int(bi.info["binding_atoms"].split(",")[1])
    mono.positions[second] += 1.5 * dac_model.sites["bridge"].normal
    assert binding_check(bi, mono).flags == ("mode_changed",)


def test_binding_check_on_constructed_failures():
    """Each failure a quick-look relaxation can hide, built by hand and named by the check."""
    fe = sac("Fe", "N4")
    no3 = place_adsorbate(fe, "*NO3")
    assert binding_check(no3, no3).ok
    ads = [int(x) for x in no3.info["adsorbate_indices"].split(",")]
    metal = int(no3.info["site_metals"])
    symbols = [no3[k].symbol for k in ads]
    # placed far away: the whole nitrate 5 Å up, no longer bound to Fe
    far = no3.copy()
    far.positions[ads] += [0, 0, 5.0]
    assert binding_check(no3, far).flags == ("left_site",)
    # a dissociated nitrate: the O farthest from Fe pulled 2 Å out of the N–O bond (1.25 Å built)
    n = ads[symbols.index("N")]
    terminal = max((k for k in ads if no3[k].symbol == "O"), key=lambda k: no3.get_distance(k, metal))
    split = no3.copy()
    split.positions[terminal] += 2.0 * (no3.positions[terminal] - no3.positions[n]) / no3.get_distance(terminal, n)
    check = binding_check(no3, split)
    assert check.flags == ("dissociated", "bond_broken") and check.broken == ("N–O",)
    # Fe pulled 1 Å out of its N4 plane with the nitrate: Fe–N 1.88 -> 2.13 Å still within the
    # bond cutoff, but the metal rose 1.0 Å > 0.7 Å from its host plane
    lifted = no3.copy()
    lifted.positions[[metal] + ads] += [0, 0, 1.0]
    assert binding_check(no3, lifted).flags == ("metal_pulled_out",)


# ------------------------------------------------------------------ CLI and workflow
def test_chefe_build_cli(tmp_path, capsys):
    from chefe.cli.main import main

    rc = main(["build", "dac", "Cu", "Co", "N6", "--sites", "Cu,Co", "--adsorbates", "NO3,NH3",
               "--mode", "NO3=bidentate", "-o", str(tmp_path / "runs"), "--db", str(tmp_path / "b.db")])
    assert rc == 0
    out = capsys.readouterr().out
    assert "CuCo-N6-plane" in out and "wrote 5 VASP input folders" in out
    meta = json.loads((tmp_path / "runs" / "CuCo-N6-plane" / "Co" / "NO3" / "chefe_build.json").read_text())
    assert meta["binding_mode"] == "bidentate" and meta["site"] == "Co"
    assert main(["build", "slab", "Pt", "111", "--single-atom", "Cu", "--adsorbates", "H",
                 "--code", "qe", "-o", str(tmp_path / "qe")]) == 0
    assert (tmp_path / "qe" / "Cu1Pt111" / "H" / "pw.in").is_file()
    assert main(["build", "gcn", "screen", "--adsorbates", "NO3", "-o", str(tmp_path / "gcn")]) == 0
    assert len(list((tmp_path / "gcn").glob("*@g-C3N4"))) == 36
    assert main(["build", "sac", "Fe", "N4", "--ring", "pyrrolic", "--size", "7,7", "--adsorbates", "NO3",
                 "-o", str(tmp_path / "pyr")]) == 0
    meta = json.loads((tmp_path / "pyr" / "Fe-N4-pyrrolic-plane" / "NO3" / "chefe_build.json").read_text())
    assert meta["catalyst"] == "Fe-N4-pyrrolic-plane"
    assert main(["build", "sac", "Fe", "N5", "-o", str(tmp_path / "bad")]) == 2
    assert "N5" in capsys.readouterr().err


def test_workflow_builds_the_example_set(root_dir, tmp_path):
    import runpy
    import sys

    script = root_dir / "workflows" / "build_no3rr_set.py"
    argv = sys.argv
    sys.argv = [str(script), str(root_dir / "examples" / "build" / "catalysts.yaml"), "-o", str(tmp_path / "runs")]
    try:
        with pytest.raises(SystemExit) as done:
            runpy.run_path(str(script), run_name="__main__")
    finally:
        sys.argv = argv
    assert done.value.code == 0
    folders = [p.parent for p in (tmp_path / "runs").rglob("POSCAR")]
    # 8 single-site catalysts x (clean + 18) + the Cu/Co tandem DAC: clean + 2 x 18 + 6 gas references
    assert len(folders) == 8 * 19 + 37 + 6
    assert sorted(p.name for p in (tmp_path / "runs" / "gas").iterdir()) == ["H2", "H2O", "HNO3", "N2", "NH3", "NO"]
    submit = (tmp_path / "runs" / "submit_all.sh").read_text()
    assert submit.count("sbatch job.sh") == len(folders)


# ------------------------------------------------------------------ g-C3N4
def test_gcn_sheet_topology_and_lattice():
    from chefe.build import gcn_sheet

    sheet = gcn_sheet((2, 2))
    assert sheet.get_chemical_formula() == "C24N32"  # C6N8 per heptazine cell
    # a = √3 (2 · 1.34 + 1.47) Å
    assert sheet.cell.lengths()[0] == pytest.approx(np.sqrt(3) * (2 * 1.34 + 1.47) * 2, abs=1e-9)
    i, j = neighbor_list("ij", sheet, 1.55)
    cn = np.bincount(i, minlength=len(sheet))
    symbols = np.array(sheet.get_chemical_symbols())
    assert set(cn[symbols == "C"]) == {3}  # every C is sp2, three N neighbours
    assert all(symbols[j[i == k]].tolist().count("N") == 3 for k in np.flatnonzero(symbols == "C"))
    # N: 6 two-fold (ring edge) and 2 three-fold (central + bridging) per cell
    assert sorted(np.bincount(cn[symbols == "N"]).tolist()) == [0, 0, 8, 24]


def test_gcn_dac_screen_has_the_36_pairs():
    from chefe.build import SCREEN_METALS, gcn_dac, gcn_dac_screen

    models = gcn_dac_screen()
    names = [m.catalyst for m in models]
    assert len(names) == len(set(names)) == 36 and "TiFe@g-C3N4" in names and "CuCu@g-C3N4" in names
    assert len(SCREEN_METALS) == 8
    # every pair: each metal bonded to exactly two pyridinic N at its M–N covalent-radius sum
    # (Cordero et al., Dalton Trans. 2008, 2832, ASE's table), 2.4 Å from the other metal, every
    # other sheet atom (C included) at least 0.3 Å beyond bonding, and never below the sheet
    for m in models:
        a = m.atoms
        sheet = list(range(len(a) - 2))
        z_sheet = a.positions[sheet, 2].mean()
        metals = [m.sites[k].metals[0] for k in ("M1", "M2")]
        assert a.get_distance(*metals) == pytest.approx(2.4, abs=1e-4)
        for metal in metals:
            d = a.get_distances(metal, sheet, mic=True)
            bond = covalent_radii[a[metal].number] + covalent_radii[7]
            close = [sheet[k] for k in np.flatnonzero(d < bond + 0.3 - 1e-3)]
            assert [a[k].symbol for k in close] == ["N", "N"], m.catalyst
            assert a.get_distances(metal, close, mic=True) == pytest.approx([bond, bond], abs=1e-3)
            assert a.positions[metal, 2] >= z_sheet - 1e-3
            # two-fold N of the cavity ring (ASE's neighbour list on the bare sheet)
            i, j = neighbor_list("ij", a[sheet], 1.55)
            assert all(np.sum(i == k) == 2 for k in close)
            carbons = [k for k in sheet if a[k].symbol == "C"]
            assert a.get_distances(metal, carbons, mic=True).min() > covalent_radii[a[metal].number] + covalent_radii[6] + 0.3 - 1e-3
    m = models[names.index("FeCo@g-C3N4")]
    assert m.atoms.info["cavity_pockets"] == "corner/corner"
    heights = sorted(float(h) for h in m.atoms.info["metal_heights"].split("/"))
    assert heights[0] == pytest.approx(0.0, abs=0.01) and 1.0 < heights[1] < 2.0
    again = gcn_dac("Fe", "Co")  # deterministic: the same structure every time
    assert np.allclose(again.atoms.positions, m.atoms.positions)
    on_bridge = place_adsorbate(m, "*NO3", "bridge", "bidentate")
    assert min_bond_ratio(on_bridge) > 0.7


def test_build_relax_collect_round_trip(tmp_path):
    """build -> relax (EMT) -> trajectory in the written tree -> chefe collect finds every run."""
    import ase.io
    from ase.calculators.emt import EMT
    from ase.db import connect

    from chefe.collect import collect

    model = slab("Cu", "111", size=(2, 2, 3))
    structures = reaction_set(model, ["*O", "*NO"], sites=["fcc"])
    folders = write_tree(structures, tmp_path / "runs")
    checks = {}
    for atoms, folder in zip(structures, folders):
        relaxed, check = relax(atoms, EMT(), fmax=0.1, steps=50)
        checks[folder.name] = check
        ase.io.write(folder / "relax.traj", relaxed)
    report = collect(tmp_path / "runs", str(tmp_path / "r.db"), workers=1, progress=False)
    assert report.found == 3
    rows = {(r.catalyst, r.species, r.role): r for r in connect(tmp_path / "r.db").select()}
    # the off-default site goes one level down, and its catalyst is paired with the parent's slab
    assert set(rows) == {("Cu111", "*", "slab"), ("Cu111/fcc", "*O", "adsorbate"),
                         ("Cu111/fcc", "*NO", "adsorbate")}
    # the per-site runs are checked against the parent's slab, not flagged no_slab
    assert all("no_slab" not in (r.get("flags") or "") for r in rows.values())
    assert rows[("Cu111/fcc", "*O", "adsorbate")].flags == "positive_energy"  # EMT's energy scale, nothing else
    e_slab = rows[("Cu111", "*", "slab")].e_dft
    assert e_slab == pytest.approx(ase.io.read(folders[0] / "relax.traj").get_potential_energy(), abs=1e-9)
    assert {k: c.flags for k, c in checks.items()} == {"slab": (), "O": (), "NO": ()}


def test_adsorbate_geometries_are_whole_molecules_of_the_right_formula():
    from ase import Atoms
    from ase.formula import Formula
    from ase.neighborlist import NeighborList, natural_cutoffs

    from chefe.build import ADSORBATES

    for label, modes in ADSORBATES.items():
        for name, mode in modes.items():
            mol = Atoms(mode.symbols, positions=mode.positions)
            assert Formula(label.lstrip("*")).count() == mol.symbols.formula.count(), (label, name)
            if len(mol) == 1:
                continue
            d = mol.get_all_distances()
            assert d[np.triu_indices(len(mol), 1)].min() > 0.9, (label, name)
            # one fragment: every atom bonded (natural cutoffs) to the rest
            nl = NeighborList(natural_cutoffs(mol, mult=1.1), self_interaction=False, bothways=True)
            nl.update(mol)
            assert all(len(nl.get_neighbors(k)[0]) for k in range(len(mol))), (label, name)
            # binding atoms lowest: nothing below z = 0 (the surface side)
            assert mol.positions[:, 2].min() >= -1e-9 and all(
                abs(mol.positions[b, 2]) < 1e-9 for b in mode.binding), (label, name)


def test_surface_slab_of_an_ordered_alloy_names_each_metal_site():
    from ase.build import bulk

    from chefe.build import surface_slab

    cu3au = bulk("Cu", "fcc", a=3.75, cubic=True)
    cu3au[0].symbol = "Au"  # L1_2 Cu3Au: Au on the cube corners
    m = surface_slab(cu3au, (1, 1, 1), layers=4, size=(1, 1))
    top = [a.index for a in m.atoms if a.tag == 1]
    # every (111) plane of L1_2 Cu3Au is Cu3Au: both metals are top sites
    assert sorted(m.atoms[top].get_chemical_symbols()).count("Cu") == 3 * sorted(
        m.atoms[top].get_chemical_symbols()).count("Au")
    assert set(m.sites) == {"top-Au", "top-Cu"} and m.catalyst == "AuCu3-111"
    for name, element in (("top-Au", "Au"), ("top-Cu", "Cu")):
        assert m.atoms[m.sites[name].metals[0]].symbol == element
    a = place_adsorbate(m, "*NO", "top-Au")
    assert a.info["site_metals"] == str(m.sites["top-Au"].metals[0])


def test_unknown_elements_are_named():
    from chefe.build import gcn_dac

    for call, name in ((lambda: sac("Qq"), "Qq"), (lambda: dac("Fe", "Zz"), "Zz"),
                       (lambda: gcn_dac("Yy", "Fe"), "Yy"), (lambda: slab("Pt", single_atom="Kk"), "Kk"),
                       (lambda: sac("Fe", vacancy="triple"), "triple"),
                       (lambda: sac("Fe", decorate="Cx"), "decorating atom 'Cx'")):
        with pytest.raises(InputError, match=name):
            call()


def test_gas_references_and_vibration_inputs(tmp_path, capsys):
    import ase.io

    from chefe.build import reference_set
    from chefe.cli.main import main
    from chefe.io.tree import classify

    from chefe.build import REFERENCE_MOLECULES
    from chefe.dbinput import GAS_SPECIES

    assert set(REFERENCE_MOLECULES) <= set(GAS_SPECIES)  # every molecule built is one fed --db reads
    gases = {g.info["molecule"]: g for g in reference_set()}
    hno3 = gases["HNO3"]
    assert hno3.get_chemical_formula() == "HNO3" and np.ptp(hno3.positions[:, 2]) < 1e-9  # planar
    assert min_bond_ratio(hno3) > 0.8
    assert main(["build", "sac", "Cu", "N4", "--adsorbates", "NO3", "--with-gas", "-o", str(tmp_path / "r")]) == 0
    incar_no = (tmp_path / "r" / "gas" / "NO" / "INCAR").read_text()
    assert "ISPIN = 2" in incar_no and "SIGMA = 0.01" in incar_no  # open-shell NO, molecular smearing
    assert (tmp_path / "r" / "gas" / "NO" / "KPOINTS").read_text().split("\n")[3] == "1 1 1"
    run = tmp_path / "r" / "Cu-N4-plane" / "NO3"
    relaxed = ase.io.read(run / "POSCAR")
    relaxed.positions[-1] += [0.0, 0.0, 0.05]  # stands in for the relaxed CONTCAR
    ase.io.write(run / "CONTCAR", relaxed, format="vasp", direct=True)
    assert main(["build", "vib", str(run), str(tmp_path / "r" / "gas" / "H2O")]) == 0
    vib = ase.io.read(run / "vib" / "POSCAR")
    free = sorted(set(range(len(vib))) - set(vib.constraints[0].get_indices()))
    assert [vib[k].symbol for k in free] == ["N", "O", "O", "O"]  # only the nitrate moves
    np.testing.assert_allclose(vib.positions, relaxed.positions, atol=1e-6)  # from the CONTCAR
    incar = (run / "vib" / "INCAR").read_text()
    assert "IBRION = 5" in incar and "NFREE = 2" in incar
    assert classify("Cu-N4-plane/NO3/vib") == ("Cu-N4-plane", "*NO3", "vibrations")
    assert not ase.io.read(tmp_path / "r" / "gas" / "H2O" / "vib" / "POSCAR").constraints
    # a clean site needs no vibrations: skipped with a note, whether named alone or in a glob
    assert main(["build", "vib", str(tmp_path / "r" / "Cu-N4-plane" / "slab")]) == 0
    assert "a clean site (the CHE needs no vibrations of the bare site)" in capsys.readouterr().out
    assert not (tmp_path / "r" / "Cu-N4-plane" / "slab" / "vib").exists()


def test_build_to_diagram_without_a_manifest(tmp_path):
    """chefe build (slab + *H + gas references) -> EMT relaxations saved in the tree ->
    chefe collect -> chefe fed --db: the folders line up with no configuration."""
    import ase.io
    from ase.calculators.emt import EMT
    from ase.db import connect

    from chefe.cli.main import main
    from chefe.dbinput import energies_from_db
    from chefe.thermo import table_correction

    root = tmp_path / "runs"
    assert main(["build", "slab", "Pt", "111", "--adsorbates", "H", "--with-gas", "-o", str(root)]) == 0
    for poscar in root.rglob("POSCAR"):
        atoms = ase.io.read(poscar)
        relaxed, _ = relax(atoms, EMT(), fmax=0.1, steps=30)
        ase.io.write(poscar.parent / "run.traj", relaxed)
    db_path = str(tmp_path / "r.db")
    assert main(["collect", str(root), "--db", db_path, "--quiet", "--workers", "1"]) == 0
    assert main(["fed", "--db", db_path, "--network", "her", "--adsorbate-thermo", "adsorbates_pt111_kreitz",
                 "-o", str(tmp_path / "her.png"), "--U", "0"]) == 0
    db = connect(db_path)
    e_slab, e_h, e_h2 = (db.get(catalyst="Pt111", role="slab").e_dft, db.get(species="*H").e_dft,
                         db.get(role="gas", species="H2").e_dft)
    es = energies_from_db(db_path, "her", adsorbate_table="adsorbates_pt111_kreitz")
    # ΔG*H = E(*H) − E(*) − ½E(H2) + G_corr(*H) − ½(ZPE + ∫Cp dT − TS)(H2). Without a vibration run
    # the H2 correction is the ideal gas of the experimental molecule; by hand from tabulated values:
    # ZPE = ½hcω, ω = 4401 cm-1; ∫Cp dT = H°(298.15) − H°(0) = 8.467 kJ/mol and S° = 130.680 J/mol/K
    # (NIST-JANAF H-050). Agreement to 3 meV (the rigid rotor misses H2's quantum rotation).
    from ase import units

    g_h2 = 0.5 * 4401 * units.invcm + 8.467 * units.kJ / units.mol - 298.15 * 130.680 * units.J / units.mol
    expected = e_h - e_slab - 0.5 * (e_h2 + g_h2) + table_correction("*H", "adsorbates_pt111_kreitz").g
    assert es.names == ("Pt111",)
    assert es.dG0[es.network.index("Volmer"), 0] == pytest.approx(expected, abs=3e-3)
    assert any("HNO3: not used by" in n for n in es.notes)


def test_one_pathway_per_site_becomes_one_catalyst_each(tmp_path):
    """Two sites built -> CAT/<site>/H folders -> two catalysts in fed --db, sharing CAT/slab."""
    import ase.io
    from ase.calculators.emt import EMT

    from ase.db import connect

    from chefe.build import gas_molecule
    from chefe.collect import collect
    from chefe.dbinput import energies_from_db

    model = slab("Cu", "111", size=(2, 2, 3))
    structures = reaction_set(model, ["*H"], sites=["fcc", "ontop"]) + [gas_molecule("H2")]
    for atoms, folder in zip(structures, write_tree(structures, tmp_path / "runs")):
        atoms = atoms.copy()
        atoms.calc = EMT()
        atoms.get_potential_energy()
        ase.io.write(folder / "run.traj", atoms)
    collect(tmp_path / "runs", str(tmp_path / "r.db"), workers=1, progress=False)
    es = energies_from_db(str(tmp_path / "r.db"), "her", adsorbate_table="adsorbates_pt111_kreitz")
    assert es.names == ("Cu111/fcc", "Cu111/ontop")
    volmer = es.dG0[es.network.index("Volmer")]
    # same slab and H2 for both: the difference is E(*H on fcc) − E(*H on top), as computed
    db = connect(tmp_path / "r.db")
    diff = db.get(catalyst="Cu111/fcc").e_dft - db.get(catalyst="Cu111/ontop").e_dft
    assert volmer[0] - volmer[1] == pytest.approx(diff, abs=1e-9)

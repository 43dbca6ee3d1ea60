"""Adsorbates of every shipped network and their binding modes, placed on a named site of a model.

Each mode is a starting geometry in a local frame: the binding atom(s) at z = 0, the rest of
the molecule above (+z points into the vacuum, the metal lies along -z). Bond lengths and angles
are the usual gas-phase values (N–O 1.25 Å in nitrate, 1.20 Å in NO2, 1.17 Å in NO; N–H 1.02 Å;
O–H 0.97 Å; *NO3H as chefe's shipped experimental HNO3 geometry, *NO2H as the HONO gas structure
of NIST CCCBDB; tetrahedral N in
the amines and hydrazines): starting points for a relaxation, not results.

No start sits on a symmetry element that would keep it there: the angles at the binding atom
are bent as in coordination compounds, not 180°: monodentate nitrate M–O–N 120° (nitrato
complexes, Addison et al., Q. Rev. Chem. Soc. 25, 289 (1971)), hydroxide M–O–H 110° (sp3 O, as
tilted OH on Pt(111), Michaelides and Hu, J. Am. Chem. Soc. 123, 4235 (2001)), nitrosyl M–N–O
145° (bent {MNO}7 nitrosyls such as Fe porphyrin–NO, 140–150°: Enemark and Feltham, Coord. Chem.
Rev. 13, 339 (1974)), M–N–O 125° in *NOH, M–O–O 115° in *OOH. Every placed structure also gets
a small seeded displacement (see :func:`place_adsorbate`), so that no point-group operation of
the substrate maps the adsorbate onto itself (``symmetric=True`` keeps the ideal geometry).

The height above the site is set from covalent radii (``ase.data.covalent_radii``): the binding
atom closest to a site metal sits at the sum of their radii.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import InputError
from .model import Model, covalent_bond, unit

_S60, _C60 = np.sin(np.radians(60)), np.cos(np.radians(60))
_TET = [(0.943, 0.0, 0.333), (-0.471, 0.816, 0.333), (-0.471, -0.816, 0.333)]  # tetrahedral, -z taken


def _at(origin, direction, length):
    return tuple(np.asarray(origin, float) + length * np.asarray(direction, float))


def _internal(rows) -> tuple[tuple[str, ...], tuple[tuple[float, float, float], ...]]:
    """Symbols and local positions from internal coordinates (a Z-matrix).

    Each row after the first is ``(symbol, a, r, b, angle, c, dihedral)``: the atom sits at ``r`` Å
    from atom ``a``, with the angle b–a–atom in degrees and the dihedral c–b–a–atom. ``a``, ``b``,
    ``c`` are earlier rows or ``"M"`` (the metal, below the first atom on -z) and ``"X"`` (a point
    that fixes the +x side). The first row is the binding atom, at the origin.
    """
    ref = {"M": np.array([0.0, 0.0, -1.0]), "X": np.array([1.0, 0.0, -1.0])}
    symbols, positions = [], []
    for k, row in enumerate(rows):
        if k == 0:
            p = np.zeros(3)
        else:
            _, a, r, b, angle, c, dihedral = row
            pa, pb, pc = ref[a], ref[b], ref[c]
            axis = unit(pa - pb)
            normal = np.cross(pb - pc, axis)
            if np.linalg.norm(normal) < 1e-8:  # b, c on the bond's line: any perpendicular will do
                normal = np.cross([1.0, 0.0, 0.0] if abs(axis[0]) < 0.9 else [0.0, 1.0, 0.0], axis)
            normal = unit(normal)
            t, f = np.radians(angle), np.radians(dihedral)
            p = pa + r * (-np.cos(t) * axis + np.sin(t) * np.cos(f) * np.cross(normal, axis)
                          + np.sin(t) * np.sin(f) * normal)
        ref[k] = p
        symbols.append(row[0])
        positions.append(tuple(float(x) for x in p))
    return tuple(symbols), tuple(positions)


def _from_table(formula: str, binding: int, neighbour: int, angle: float, name: str = "O-down") -> Mode:
    """A planar molecule of the shipped experimental geometries bound through atom ``binding``,
    the bond to ``neighbour`` at ``angle`` (degrees) from the metal, the molecule in the xz plane."""
    from ..gas import experimental_molecule

    mol, _ = experimental_molecule(formula)
    p = mol.positions - mol.positions[binding]
    u = unit(p[neighbour])
    rest = next(k for k in range(len(mol)) if k not in (binding, neighbour))
    n = unit(np.cross(u, p[rest]))
    w = np.cross(n, u)
    t = np.radians(180.0 - angle)  # the bond's angle from +z
    along, across = np.array([np.sin(t), 0.0, np.cos(t)]), np.array([np.cos(t), 0.0, -np.sin(t)])
    local = np.outer(p @ u, along) + np.outer(p @ w, across) + np.outer(p @ n, [0.0, 1.0, 0.0])
    if local[:, 2].min() < -1e-9:  # the molecule's other side up
        local = np.outer(p @ u, along) - np.outer(p @ w, across) + np.outer(p @ n, [0.0, 1.0, 0.0])
    order = [binding] + [k for k in range(len(mol)) if k != binding]
    return Mode(name, tuple(mol[k].symbol for k in order), tuple(tuple(float(x) for x in local[k]) for k in order),
                (0,))


def _mode(name, rows, binding=(0,), site_kinds=("top", "bridge", "hollow")) -> Mode:
    symbols, positions = _internal(rows)
    return Mode(name, symbols, positions, binding, site_kinds)


@dataclass(frozen=True)
class Mode:
    """A binding mode: symbols, local positions (Å) and the indices of the binding atoms."""

    name: str
    symbols: tuple[str, ...]
    positions: tuple[tuple[float, float, float], ...]
    binding: tuple[int, ...]
    site_kinds: tuple[str, ...] = ("top", "bridge", "hollow")


def _modes() -> dict[str, dict[str, Mode]]:
    o = (0.0, 0.0, 0.0)
    r3, r2, r1 = 1.25, 1.20, 1.17
    no3_mono_n = (0.0, 0.0, r3)
    no3_bi_n = (0.0, 0.0, r3 * _C60)
    a_no2 = np.radians(134.0 / 2)
    no2_n_up = (0.0, 0.0, r2)
    h2o = np.radians(104.5 / 2)
    nh2oh_o = _at(o, _TET[0], 1.45)
    table = {
        "*NO3": {
            "monodentate": Mode("monodentate", ("O", "N", "O", "O"),
                                (o, no3_mono_n, _at(no3_mono_n, (_S60, 0, _C60), r3),
                                 _at(no3_mono_n, (-_S60, 0, _C60), r3)), (0,)),
            "bidentate": Mode("bidentate", ("O", "O", "N", "O"),
                              (_at(no3_bi_n, (_S60, 0, -_C60), r3), _at(no3_bi_n, (-_S60, 0, -_C60), r3),
                               no3_bi_n, _at(no3_bi_n, (0, 0, 1), r3)), (0, 1)),
            "tridentate": Mode("tridentate", ("O", "O", "O", "N"),
                               (_at(o, (1, 0, 0), r3), _at(o, (-_C60, _S60, 0), r3),
                                _at(o, (-_C60, -_S60, 0), r3), o), (0, 1, 2), ("hollow",)),
        },
        "*NO2": {
            "N-down": Mode("N-down", ("N", "O", "O"),
                           (o, _at(o, (np.sin(a_no2), 0, np.cos(a_no2)), r2),
                            _at(o, (-np.sin(a_no2), 0, np.cos(a_no2)), r2)), (0,)),
            "O-down": Mode("O-down", ("O", "N", "O"),
                           (o, no2_n_up, _at(no2_n_up, (np.sin(np.radians(134)), 0, -np.cos(np.radians(134))), r2)),
                           (0,)),
            "bidentate": Mode("bidentate", ("O", "O", "N"),
                              (_at((0, 0, r2 * np.cos(a_no2)), (np.sin(a_no2), 0, -np.cos(a_no2)), r2),
                               _at((0, 0, r2 * np.cos(a_no2)), (-np.sin(a_no2), 0, -np.cos(a_no2)), r2),
                               (0.0, 0.0, r2 * np.cos(a_no2))), (0, 1)),
        },
        "*NO": {"N-down": Mode("N-down", ("N", "O"), (o, (0.0, 0.0, r1)), (0,))},
        "*NOH": {"N-down": Mode("N-down", ("N", "O", "H"),
                                (o, (0.0, 0.0, 1.30), _at((0, 0, 1.30), (0.966, 0, 0.259), 0.97)), (0,))},
        "*NHO": {"N-down": Mode("N-down", ("N", "O", "H"),
                                (o, _at(o, (0.643, 0, 0.766), 1.22), _at(o, (-_S60, 0, _C60), 1.02)), (0,))},
        "*NHOH": {"N-down": Mode("N-down", ("N", "H", "O", "H"),
                                 (o, _at(o, (-_S60, 0, _C60), 1.02), _at(o, (0.643, 0, 0.766), 1.40),
                                  _at(_at(o, (0.643, 0, 0.766), 1.40), (-0.574, 0, 0.819), 0.97)), (0,))},
        "*NH2O": {"O-down": Mode("O-down", ("O", "N", "H", "H"),
                                 (o, (0.0, 0.0, 1.40), _at((0, 0, 1.40), _TET[0], 1.02),
                                  _at((0, 0, 1.40), _TET[1], 1.02)), (0,))},
        "*NH2OH": {"N-down": Mode("N-down", ("N", "O", "H", "H", "H"),
                                  (o, nh2oh_o, _at(o, _TET[1], 1.02), _at(o, _TET[2], 1.02),
                                   _at(nh2oh_o, (0, 0, 1), 0.97)), (0,))},
        "*N": {"N-down": Mode("N-down", ("N",), (o,), (0,))},
        "*NH": {"N-down": Mode("N-down", ("N", "H"), (o, (0.0, 0.0, 1.02)), (0,))},
        "*NH2": {"N-down": Mode("N-down", ("N", "H", "H"),
                                (o, _at(o, (0.8, 0, 0.6), 1.02), _at(o, (-0.8, 0, 0.6), 1.02)), (0,))},
        "*NH3": {"N-down": Mode("N-down", ("N", "H", "H", "H"),
                                (o,) + tuple(_at(o, t, 1.02) for t in _TET), (0,))},
        "*H": {"top": Mode("top", ("H",), (o,), (0,))},
        "*O": {"top": Mode("top", ("O",), (o,), (0,))},
        "*OH": {"O-down": Mode("O-down", ("O", "H"), (o, (0.0, 0.0, 0.97)), (0,))},
        "*H2O": {"O-down": Mode("O-down", ("O", "H", "H"),
                                (o, _at(o, (np.sin(h2o), 0, np.cos(h2o)), 0.97),
                                 _at(o, (-np.sin(h2o), 0, np.cos(h2o)), 0.97)), (0,))},
    }
    # bent at the binding atom (see the module docstring), and the adsorbates of the other
    # networks: HNO3- and HONO-derived species as their gas structures, N2, N2O, the NRR hydrazines
    table["*NO3"]["monodentate"] = _mode("monodentate", [
        ("O",), ("N", 0, 1.28, "M", 120, "X", 0), ("O", 1, 1.24, 0, 120, "M", 0), ("O", 1, 1.24, 0, 120, "M", 180)])
    table["*OH"] = {"O-down": _mode("O-down", [("O",), ("H", 0, 0.97, "M", 110, "X", 0)])}
    table["*NO"] = {"N-down": _mode("N-down", [("N",), ("O", 0, 1.17, "M", 145, "X", 0)])}
    table["*NOH"] = {"N-down": _mode("N-down", [("N",), ("O", 0, 1.33, "M", 125, "X", 0),
                                                ("H", 1, 0.97, 0, 105, "M", 180)])}
    table["*OOH"] = {"O-down": _mode("O-down", [("O",), ("O", 0, 1.45, "M", 115, "X", 0),
                                                ("H", 1, 0.98, 0, 102, "M", 90)])}
    # HNO3 as chefe's shipped experimental geometry (gas_molecules_experimental), bound through a
    # terminal O (the one the H is syn to) with M–O–N 125°
    table["*NO3H"] = {"O-down": _from_table("HNO3", binding=2, neighbour=0, angle=125.0)}
    # HONO bound through N: N=O 1.18, N-OH 1.43, O-H 0.95 Å, N-O-H 102° (CCCBDB)
    table["*NO2H"] = {"N-down": _mode("N-down", [
        ("N",), ("O", 0, 1.18, "M", 125, "X", 0), ("O", 0, 1.43, "M", 120, 1, 180),
        ("H", 2, 0.95, 0, 102, 1, 0)])}
    table["*N2"] = {"end-on": _mode("end-on", [("N",), ("N", 0, 1.12, "M", 180, "X", 0)])}
    table["*N2O"] = {"N-down": _mode("N-down", [("N",), ("N", 0, 1.13, "M", 180, "X", 0),
                                                ("O", 1, 1.19, 0, 180, "X", 0)])}
    table["*NNH"] = {"end-on": _mode("end-on", [("N",), ("N", 0, 1.23, "M", 175, "X", 0),
                                                ("H", 1, 1.04, 0, 115, "X", 180)])}
    table["*NNH2"] = {"end-on": _mode("end-on", [("N",), ("N", 0, 1.28, "M", 175, "X", 0),
                                                 ("H", 1, 1.03, 0, 120, "X", 0), ("H", 1, 1.03, 0, 120, "X", 180)])}
    table["*NHNH"] = {"N-down": _mode("N-down", [("N",), ("N", 0, 1.25, "M", 135, "X", 0),
                                                 ("H", 0, 1.03, 1, 110, "M", 180), ("H", 1, 1.03, 0, 110, 2, 180)])}
    table["*NHNH2"] = {"N-down": _mode("N-down", [
        ("N",), ("N", 0, 1.42, "M", 115, "X", 0), ("H", 0, 1.02, "M", 110, 1, 120),
        ("H", 1, 1.02, 0, 109, "M", 60), ("H", 1, 1.02, 0, 109, "M", -60)])}
    table["*NH2NH2"] = {"N-down": _mode("N-down", [
        ("N",), ("N", 0, 1.45, "M", 112, "X", 0), ("H", 0, 1.02, "M", 109, 1, 120),
        ("H", 0, 1.02, "M", 109, 1, -120), ("H", 1, 1.02, 0, 109, "M", 60), ("H", 1, 1.02, 0, 109, "M", -60)])}
    return table


ADSORBATES: dict[str, dict[str, Mode]] = _modes()

#: (site, mode) an adsorbate starts in on a clean metal facet when no mode is asked for: the
#: lowest binding mode published for that facet. Nitrate lies flat, bound through its three O
#: atoms in the threefold hollow of close-packed facets (tridentate XOXONXO in the Pt(111) data
#: set of Kreitz et al., ACS Catal. 12, 11137 (2022), as in RMG's Pt(111) library) and is twofold
#: coordinated, two O on two neighbouring atoms, on Cu(100) (DFT of Bae et al., J. Am. Chem. Soc.
#: 129, 10171 (2007)). Other facets and other adsorbates: the first mode of ADSORBATES on the
#: site asked for. The pathway folder stays that of the default site (CAT/NO3).
SURFACE_MODES: dict[str, dict[str, tuple[str, str]]] = {
    "111": {"*NO3": ("fcc", "tridentate")},
    "0001": {"*NO3": ("fcc", "tridentate")},
    "100": {"*NO3": ("bridge", "bidentate")},
}


def surface_mode(model: Model, adsorbate: str) -> tuple[str, str] | None:
    """The (site, mode) :data:`SURFACE_MODES` gives ``adsorbate`` on a clean metal slab ``model``
    (not on a single-atom alloy, whose adsorbates go on the single atom), or None."""
    if model.family != "slab" or model.default_site != "ontop":
        return None
    choice = SURFACE_MODES.get(str(model.atoms.info.get("facet", "")), {}).get(label_of(adsorbate))
    return choice if choice and choice[0] in model.sites else None

#: The intermediates of the NO3RR network (both branches, NH2OH route and dissociation products).
NO3RR_SET = ("*NO3", "*NO3H", "*NO2", "*NO2H", "*NO", "*NOH", "*NHO", "*NHOH", "*NH2O", "*NH2OH", "*N",
             "*NH", "*NH2", "*NH3", "*H", "*O", "*OH", "*H2O")


def label_of(adsorbate: str) -> str:
    """Canonical adsorbate label: ``'NO3'``, ``'NO3*'``, ``'*NO3'`` -> ``'*NO3'``; ``'HNO'`` -> ``'*NHO'``."""
    from ..species import canonical

    try:
        label = canonical(adsorbate if "*" in adsorbate else "*" + adsorbate)
    except Exception as exc:  # noqa: BLE001 - re-raised with the list of known ones
        raise InputError(f"unknown adsorbate {adsorbate!r}: {exc}") from exc
    return label


def adsorbate_modes(adsorbate: str, site_kind: str | None = None) -> list[str]:
    """Binding modes known for an adsorbate (first = default), optionally only those that fit a
    site kind (a flat tridentate nitrate needs a hollow site)."""
    label = label_of(adsorbate)
    if label not in ADSORBATES:
        raise InputError(f"no built-in geometry for {label}; known: {', '.join(ADSORBATES)} "
                         "(pass an ase.Atoms with binding=... for any other molecule)")
    return [name for name, m in ADSORBATES[label].items() if site_kind is None or site_kind in m.site_kinds]


def _from_atoms(molecule, binding) -> Mode:
    """A user molecule as a mode: binding atom(s) moved to z = 0, the rest pointing up."""
    if binding is None:
        raise InputError("a user-supplied molecule needs binding=<atom index or indices>")
    binding = (binding,) if isinstance(binding, int) else tuple(int(b) for b in binding)
    bad = [b for b in binding if not 0 <= b < len(molecule)]
    if bad or not binding:
        raise InputError(f"binding atom index {bad or binding} is not an atom of "
                         f"{molecule.get_chemical_formula()} (indices 0..{len(molecule) - 1})")
    pos = molecule.get_positions()
    anchor = pos[list(binding)].mean(0)
    rest = [k for k in range(len(molecule)) if k not in binding]
    up = unit(pos[rest].mean(0) - anchor) if rest else np.array([0.0, 0.0, 1.0])
    frame = _rotation(up, [1.0, 0.0, 0.0])  # columns: the local axes in the molecule's frame
    local = (pos - anchor) @ frame  # coordinates along them: 'up' becomes +z
    return Mode("user", tuple(molecule.get_chemical_symbols()), tuple(map(tuple, local)), binding)


def _rotation(z_to, x_hint) -> np.ndarray:
    """Rotation matrix (columns = local axes in world) taking local z to ``z_to``."""
    z = unit(z_to)
    x = np.asarray(x_hint, float) - np.dot(x_hint, z) * z
    if np.linalg.norm(x) < 1e-6:
        x = np.cross(z, [0.0, 1.0, 0.0]) if abs(z[1]) < 0.9 else np.cross(z, [1.0, 0.0, 0.0])
    x = unit(x)
    return np.column_stack([x, np.cross(z, x), z])


#: Å, the seeded displacement of every adsorbate atom that breaks the start's symmetry (VASP's
#: SYMPREC is 1e-5 Å, spglib's usual tolerance 1e-2 Å; a relaxation moves atoms by tenths)
SYMMETRY_BREAK = 0.05


def _symmetry_break(n: int, key: str) -> np.ndarray:
    """``n`` displacements of length ``SYMMETRY_BREAK`` in directions seeded by ``key`` (the same
    model, adsorbate, mode and site always get the same ones)."""
    import zlib

    rng = np.random.default_rng(zlib.crc32(key.encode()))
    d = rng.normal(size=(n, 3))
    return SYMMETRY_BREAK * d / np.linalg.norm(d, axis=1)[:, None]


def place_adsorbate(model: Model, adsorbate, site: str | None = None, mode: str | None = None, *,
                    binding=None, min_ratio: float = 0.75, symmetric: bool = False):
    """Atoms of ``model`` with ``adsorbate`` on ``site`` (default: the model's active metal).

    ``adsorbate``: a species label (``"*NO3"``, ``"NO3"``, ``"*HNO"``...) or an ``ase.Atoms`` with
    ``binding`` = the index (or indices) of its binding atom(s). The molecule is turned about
    the site normal (30° steps) to the orientation farthest from the substrate; if any
    adsorbate–substrate distance is still below ``min_ratio`` × the covalent-radius sum the
    placement is refused. Each adsorbate atom is then moved by ``SYMMETRY_BREAK`` (0.05 Å) in a
    seeded direction, so that the start has no symmetry a relaxation could not leave
    (``symmetric=True``: the ideal geometry). ``info`` records catalyst, site, adsorbate, binding
    mode and atoms.
    """
    from ase import Atoms

    s = model.site(site)
    if isinstance(adsorbate, Atoms):
        m = _from_atoms(adsorbate, binding)
        label = "*" + adsorbate.get_chemical_formula()
    else:
        label = label_of(adsorbate)
        modes = adsorbate_modes(label)
        if mode is None:
            mode = modes[0]
        if mode not in modes:
            raise InputError(f"{label}: no binding mode {mode!r}; modes: {', '.join(modes)}")
        m = ADSORBATES[label][mode]
        if s.kind not in m.site_kinds:
            raise InputError(f"{label} {mode} needs a {' or '.join(m.site_kinds)} site; {s.name} is a {s.kind} site")
    base = model.atoms
    local = np.array(m.positions, float)
    local -= np.r_[local[list(m.binding)].mean(0)[:2], 0.0]  # binding atoms centred on the axis
    metals = base.positions[list(s.metals)]
    if s.kind == "bridge" and len(s.metals) == 2:
        x_hint = metals[1] - metals[0]
    else:
        x_hint = base.cell[0] if base.cell.rank else np.array([1.0, 0.0, 0.0])
    best = None
    for angle in np.radians(np.arange(0, 360, 30)):
        c, sn = np.cos(angle), np.sin(angle)
        spin = np.array([[c, -sn, 0], [sn, c, 0], [0, 0, 1]])
        frame = _rotation(s.normal, x_hint)
        world = (local @ spin.T) @ frame.T
        height = _height(world, m, metals, s.position, s.normal, [base[i].symbol for i in s.metals])
        pos = world + s.position + height * s.normal
        d = _min_ratio(pos, m.symbols, base)
        if best is None or d > best[0] + 1e-9:
            best = (d, pos)
    ratio, pos = best
    if ratio < min_ratio:
        raise InputError(f"{model.catalyst}: {label} ({m.name}) on site {s.name} comes within "
                         f"{ratio:.2f} x the covalent-radius sum of the substrate; choose another site or mode")
    if not symmetric:
        pos = pos + _symmetry_break(len(pos), f"{model.catalyst}|{label}|{m.name}|{s.name}")
    atoms = base.copy()
    start = len(atoms)
    atoms += Atoms(m.symbols, positions=pos)
    atoms.info.update(dict(base.info))
    atoms.info.update({"site": s.name, "default_site": model.default_site, "site_kind": s.kind, "adsorbate": label, "binding_mode": m.name,
                       "binding_atoms": ",".join(str(start + b) for b in m.binding),
                       "adsorbate_indices": ",".join(str(k) for k in range(start, len(atoms))),
                       "site_metals": ",".join(str(i) for i in s.metals),
                       "symmetry_break_A": 0.0 if symmetric else SYMMETRY_BREAK})
    return atoms


def _height(world, mode: Mode, metals, anchor, normal, metal_symbols) -> float:
    """Height along the normal putting the closest binding atom at the covalent-radius sum."""
    need = 0.5
    for b in mode.binding:
        for mpos, msym in zip(metals, metal_symbols):
            d = covalent_bond(mode.symbols[b], msym)
            rel = world[b] + anchor - mpos
            up = float(np.dot(rel, normal))
            lateral = float(np.linalg.norm(rel - up * normal))
            if lateral < d:
                need = max(need, np.sqrt(d**2 - lateral**2) - up)
    return need


def _min_ratio(positions, symbols, substrate) -> float:
    """Smallest adsorbate–substrate distance over the covalent-radius sum (periodic images included)."""
    from ase.data import atomic_numbers, covalent_radii
    from ase.geometry import get_distances

    _, dist = get_distances(positions, substrate.positions, cell=substrate.cell, pbc=substrate.pbc)
    r_ads = covalent_radii[[atomic_numbers[x] for x in symbols]]
    r_sub = covalent_radii[substrate.numbers]
    return float((dist / (r_ads[:, None] + r_sub[None, :])).min())


__all__ = ["ADSORBATES", "NO3RR_SET", "SURFACE_MODES", "Mode", "adsorbate_modes", "covalent_bond", "place_adsorbate",
           "surface_mode"]

"""Write ``adsorbate_refs/adsorbates_pt111_rmg.yaml`` from RMG-database's Pt(111) adsorbate library.

Developer tool (not installed): reads ``input/thermo/libraries/surfaceThermoPt111.py`` of
ReactionMechanismGenerator/RMG-database at the commit given, keeps the adsorbates chefe's networks
use, and writes for each its RMG label, formula, the bonds of its atoms to the surface (from the
adjacency list) and the NASA coefficients of its 298-1000 K range, as RMG stores them.

    git -C RMG-database show 15c41971678c:input/thermo/libraries/surfaceThermoPt111.py > pt111.py
    python tools/extract_rmg_pt111.py pt111.py 15c41971678c > adsorbate_refs/adsorbates_pt111_rmg.yaml
"""

from __future__ import annotations

import re
import sys
from collections import Counter

#: chefe adsorbate -> RMG labels (each a binding mode; the window covers all of them)
LABELS = {
    # the atoms: not windows of their own (those come from the binding-energy table), but the
    # check that the two sources agree on Pt(111)
    "*H": ["XH"], "*O": ["XO"], "*N": ["XN"],
    "*OH": ["XOH"], "*OOH": ["XOOH"], "*H2O": ["H2OX"],
    "*NH3": ["NH3X"], "*NH2": ["XNH2"], "*NH": ["XNH"],
    "*NO": ["XNO"], "*NOH": ["XNOH"], "*NHO": ["HXNO"], "*NHOH": ["XNHOH"],
    "*NH2OH": ["H2NOHX"], "*NH2O": ["XONH2"], "*NO2": ["XNO2", "XOXNO"], "*NO2H": ["ONOHX"], "*NO3": ["XOXONXO"],
    "*N2": ["NNX"], "*N2O": ["NNOX", "XNNO"], "*NNH": ["XNNH"], "*NNH2": ["XNNH2"],
    "*NHNH": ["XNHXNH"], "*NHNH2": ["XNHNH2"], "*NH2NH2": ["NH2NH2X"],
}
ORDER = {"S": 1, "D": 2, "T": 3, "Q": 4}


def parse(text: str) -> dict[str, dict]:
    entries = {}
    for block in re.split(r"\nentry\(", text)[1:]:
        label = re.search(r'label\s*=\s*"([^"]+)"', block).group(1)
        adjacency = re.search(r'molecule\s*=\s*\n?"""(.*?)"""', block, re.S).group(1)
        atoms, bonds = {}, []
        for line in adjacency.strip().splitlines():
            parts = line.split()
            index, element = int(parts[0]), parts[1]
            atoms[index] = element
            for j, order in re.findall(r"\{(\d+),([SDTQ])\}", line):
                bonds.append((index, int(j), ORDER[order]))
        surface = Counter()
        for i, j, order in bonds:
            if atoms[i] != "X" and atoms[j] == "X":
                surface[atoms[i]] += order
        formula = Counter(e for e in atoms.values() if e != "X")
        low = re.search(r"NASAPolynomial\(coeffs=\[([^\]]+)\],\s*Tmin=\(298\.0", block)
        coeffs = [float(x) for x in low.group(1).replace("\n", " ").split(",")]
        entries[label] = {"formula": dict(sorted(formula.items())), "surface_bonds": dict(sorted(surface.items())),
                          "nasa_298_1000K": coeffs}
    return entries


def main(path: str, commit: str) -> None:
    entries = parse(open(path).read())
    print("name: adsorbates_pt111_rmg")
    print('title: "Heats of formation of adsorbates on Pt(111), RMG-database surface library"')
    print("source: >-")
    print(f"  ReactionMechanismGenerator/RMG-database @ {commit}, input/thermo/libraries/surfaceThermoPt111.py")
    print("  (MIT licence, Copyright (c) the RMG Team): NASA polynomials of adsorbates on Pt(111) from")
    print("  BEEF-vdW DFT and statistical mechanics (Blondal et al., Ind. Eng. Chem. Res. 58, 17682 (2019);")
    print("  Kreitz et al., ACS Catal. 12, 11137 (2022); Badger, Brown University, 2026), anchored to the")
    print("  calorimetric heats of *O, *CO, *NO and *H (Silbaugh and Campbell, J. Phys. Chem. C 120, 25161")
    print("  (2016)), with respect to the elements in their standard states at 298 K and the bare slab at 0.")
    print("  Extracted by tools/extract_rmg_pt111.py (coefficients as RMG stores them; surface bonds from")
    print("  each adsorbate's adjacency list).")
    print("unit: NASA coefficients (H/RT = a1 + a2 T/2 + a3 T^2/3 + a4 T^3/4 + a5 T^4/5 + a6/T), T in K")
    print("species:")
    for species, labels in LABELS.items():
        print(f'  "{species}":')
        for label in labels:
            e = entries[label]
            print(f'    - rmg_label: "{label}"')
            print(f"      formula: {e['formula']}")
            print(f"      surface_bonds: {e['surface_bonds']}")
            print(f"      nasa_298_1000K: [{', '.join(repr(c) for c in e['nasa_298_1000K'])}]")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

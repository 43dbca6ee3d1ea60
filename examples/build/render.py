"""Draw the review's Fig 7a trio as built by chefe (Cu–N3 tube, Cu–N3 plane, Cu–N4 plane, each
with *NO3), the FeCo–N6 tandem site with a bridging bidentate *NO3, and pyridinic vs pyrrolic
Fe–N4 seen from above.

    python examples/build/render.py docs/build_models.png
"""

from __future__ import annotations

import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from ase.visualize.plot import plot_atoms  # noqa: E402

from chefe.build import dac, place_adsorbate, sac  # noqa: E402


def main(out: str = "build_models.png") -> None:
    panels = [
        ("Cu–N$_3$ tube", place_adsorbate(sac("Cu", "N3", host="tube", chirality=(8, 0)), "*NO3"), "-90x,0y,0z"),
        ("Cu–N$_3$ plane", place_adsorbate(sac("Cu", "N3"), "*NO3"), "-70x,0y,0z"),
        ("Cu–N$_4$ plane", place_adsorbate(sac("Cu", "N4"), "*NO3"), "-70x,0y,0z"),
        ("FeCo–N$_6$, bridging *NO$_3$", place_adsorbate(dac("Fe", "Co", "N6"), "*NO3", "bridge", "bidentate"), "0x,0y,0z"),
        ("Fe–N$_4$ pyridinic", sac("Fe", "N4", size=(7, 7)).atoms, "0x,0y,0z"),
        ("Fe–N$_4$ pyrrolic", sac("Fe", "N4", ring="pyrrolic", size=(7, 7)).atoms, "0x,0y,0z"),
    ]
    fig, axes = plt.subplots(2, 3, figsize=(11, 7.5))
    axes = axes.ravel()
    for ax, (title, atoms, rotation) in zip(axes, panels):
        plot_atoms(atoms, ax, rotation=rotation, radii=0.5, show_unit_cell=0)
        ax.set_title(title)
        ax.set_axis_off()
    fig.tight_layout()
    fig.savefig(out, dpi=150)


if __name__ == "__main__":
    main(*sys.argv[1:])

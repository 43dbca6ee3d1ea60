"""Every figure kind, drawn with the Agg backend, passes the layout check: no overlapping texts,
no text outside the canvas, no series hidden behind another, no label drawn over a level.

The checker itself is tested first on figures built to fail it (the defects of earlier chefe
diagrams: two catalysts' coincident levels drawn on top of each other, a value label over a
step, crowded labels, a legend cut at the edge)."""

from __future__ import annotations

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from chefe.inputs import energies_from_dict, load_energies  # noqa: E402
from chefe.network import load_network  # noqa: E402
from chefe.plotting.fed import plot_fed  # noqa: E402
from chefe.plotting.layout import layout_problems  # noqa: E402
from chefe.report import fed_report  # noqa: E402


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


# ------------------------------------------------------------------------------------------
# the checker finds what it should


def test_checker_finds_a_series_hidden_behind_another():
    """Two catalysts with the same level drawn with the same width over the same x range: the
    first is invisible there (what chefe's diagrams did before levels were drawn side by side)."""
    fig, ax = plt.subplots(figsize=(3.3, 2.4))
    ax.plot([0, 1], [0.5, 0.5], lw=2, color="C0", gid="series:A")
    ax.plot([0, 1], [0.5, 0.5], lw=2, color="C1", gid="series:B")
    ax.plot([2, 3], [0.2, 0.2], lw=2, color="C0", gid="series:A")
    ax.plot([2, 3], [0.6, 0.6], lw=2, color="C1", gid="series:B")
    problems = layout_problems(fig)
    assert any("'A' is hidden" in p for p in problems)
    assert not any("'B' is hidden" in p for p in problems)


def test_checker_finds_overlapping_texts_text_on_a_level_and_text_off_the_canvas():
    fig, ax = plt.subplots(figsize=(3.3, 2.4))
    ax.plot([0, 1], [0.0, 0.0], lw=2, gid="series:A")
    ax.text(0.5, 0.0, "+0.57 eV", ha="center", va="center")  # on the level
    ax.text(0.2, 0.8, "PDS NO2H_NO", fontsize=8)
    ax.text(0.22, 0.8, "PDS NO_NOH", fontsize=8)  # on the previous one
    fig.text(0.98, 0.5, "a legend entry cut at the edge")
    problems = layout_problems(fig)
    assert any("'+0.57 eV' is drawn over a level" in p for p in problems)
    assert any("'PDS NO2H_NO' and 'PDS NO_NOH' overlap" in p for p in problems)
    assert any("runs outside the canvas" in p for p in problems)


def test_checker_uses_the_rotated_box_of_rotated_labels():
    """45° tick labels whose axis-aligned extents overlap but whose glyph boxes do not pass."""
    fig, ax = plt.subplots(figsize=(7, 2.4), layout="constrained")
    ax.set_xticks(range(8), ["*NO2+*OH"] * 8, rotation=45, ha="right", rotation_mode="anchor")
    assert layout_problems(fig) == []
    fig2, ax2 = plt.subplots(figsize=(2, 2.4), layout="constrained")
    ax2.set_xticks(range(8), ["*NO2+*OH"] * 8)  # horizontal and far too many: overlap
    assert any("overlap" in p for p in layout_problems(fig2))


# ------------------------------------------------------------------------------------------
# free-energy diagrams


@pytest.fixture(scope="module")
def ptru(root_dir):
    return load_energies(root_dir / "examples" / "goldsmith_ptru" / "ptru_no3rr.yaml")


FED_CASES = {
    "three catalysts, 0 V and U_L": (["comp-1", "comp-3", "comp-9"], [0, "UL"]),
    "one catalyst, two potentials on one axis": (["comp-1"], [0, "UL"]),
    "six catalysts (crowded)": (["comp-1", "comp-1.5", "comp-2", "comp-3", "comp-4", "comp-5"], [0, "UL"]),
    "stepped surfaces": (["rh211", "ru211", "pt3ru211"], [0, "UL"]),
    "one panel": (["comp-1", "comp-9"], [-0.3]),
}


@pytest.mark.parametrize("case", list(FED_CASES))
def test_fed_layout(ptru, case):
    catalysts, potentials = FED_CASES[case]
    rep = fed_report(ptru, potentials=potentials, catalysts=catalysts)
    fig = plot_fed(rep.plot)
    assert layout_problems(fig) == []


@pytest.mark.parametrize("width", [3.3, 7.0])
def test_fed_layout_at_journal_widths(ptru, width):
    """One and two journal columns: the figure keeps exactly that width and passes."""
    rep = fed_report(ptru, potentials=[0, "UL"], catalysts=["comp-1", "comp-9"])
    fig = plot_fed(rep.plot, width=width, height=4.5 if width < 5 else None)
    assert fig.get_size_inches()[0] == pytest.approx(width)
    if width >= 7.0:
        assert layout_problems(fig) == []
    else:  # 18 states in 3.3 in: tick labels are rotated and fit
        assert not [p for p in layout_problems(fig) if "outside" in p]


def _tandem():
    net = load_network("no3rr_sac")
    rng = np.random.default_rng(1)
    doc = {"network": "no3rr_sac", "kind": "step", "catalysts": {}}
    for name, site in (("CuCo-Cu", "Cu"), ("CuCo-Co", "Co")):
        doc["catalysts"][name] = {"site": site, "energies": {s.id: float(np.round(rng.uniform(-0.6, 0.2), 2))
                                                             for s in net.steps}}
    return energies_from_dict(doc)


def test_tandem_site_pathways_and_relay_layout():
    es = _tandem()
    assert layout_problems(plot_fed(fed_report(es, potentials=[0, "UL"]).plot)) == []
    assert layout_problems(plot_fed(fed_report(es, potentials=[0, "UL"], relay=("Cu", "Co")).plot)) == []


def test_routes_that_differ_stacked_labels_layout():
    from chefe.engine import analyse
    from chefe.plotting.data import fed_plot_data
    from chefe.profile import free_energy_profile

    net = load_network("no3rr_sac")
    dG0 = np.full((len(net.steps), 3), -0.2)
    dG0[net.index("NO_NOH"), 0] = 0.3
    dG0[net.index("NO_NHO"), 1] = 0.3
    res = analyse(net, dG0, names=["a", "b", "c"])
    data = fed_plot_data([[free_energy_profile(res, k, 0.0) for k in range(3)]])
    assert layout_problems(plot_fed(data)) == []


def test_fed_with_notes_title_and_error_bars_layout(ptru):
    from dataclasses import replace

    from chefe.plotting.data import level_spread, with_spread

    names = ["comp-1", "comp-9"]
    first = fed_report(ptru, potentials=[0, "UL"], catalysts=names)
    dG0 = ptru.dG0.copy()
    dG0 += 0.03
    other = fed_report(replace(ptru, dG0=dG0), potentials=[0, "UL"], catalysts=names)
    spread, _ = level_spread([first.plot, other.plot])
    plot = with_spread(first.plot, spread, title="ML quick look (7net-0): two lines\nof title text")
    plot = replace(plot, notes=("warning: a note printed under the diagram",) * 5)
    assert layout_problems(plot_fed(plot)) == []


# ------------------------------------------------------------------------------------------
# screening figures


def test_scaling_volcano_map_heatmap_layout():
    from chefe.activity import DescriptorModel, activity_map, heatmap
    from chefe.plotting.maps import (
        heatmap_plot_data,
        map_plot_data,
        plot_heatmap,
        plot_map,
        plot_scaling,
        plot_volcano,
        scaling_plot_data,
        volcano_plot_data,
    )
    from chefe.scaling import fit_scaling, violations

    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, 40)
    y = 0.5 * x + 0.2 + rng.normal(0, 0.02, 40)
    y[[4, 9, 17]] += [0.5, -0.4, 0.45]
    names = [f"Cu-N{k % 4 + 1}-{k}" for k in range(40)]
    fit = fit_scaling(x, y, names=names, method="huber", x_names=("dG_O",), y_name="dG_OH")
    fig = plot_scaling(scaling_plot_data(fit, x, y, violations(fit, x, y)))
    assert layout_problems(fig) == []

    model = DescriptorModel.from_relations(load_network("her"), ["dG_H"],
                                           {"Volmer": [1.0, 0.0], "Heyrovsky": [-1.0, 0.0]})
    amap = activity_map(model, np.linspace(-1, 1, 201))
    cx = rng.uniform(-0.8, 0.8, 12)
    fig = plot_volcano(volcano_plot_data(amap, cx, -np.abs(cx), [f"M{k}" for k in range(12)]))
    assert layout_problems(fig) == []

    model2 = DescriptorModel.from_relations(load_network("her"), ["a", "b"],
                                            {"Volmer": [1.0, 0.5, 0.0], "Heyrovsky": [-1.0, -0.5, 0.0]})
    m2 = activity_map(model2, np.linspace(-1, 1, 41), np.linspace(-1, 1, 41))
    px, py = rng.uniform(-0.9, 0.9, 30), rng.uniform(-0.9, 0.9, 30)
    fig = plot_map(map_plot_data(m2, (px, py, [f"Fe-N{k % 4 + 1}-{k}" for k in range(30)])))
    assert layout_problems(fig) == []

    metals = ["Ti", "V", "Cr", "Mn", "Fe", "Co", "Ni", "Cu"]
    pairs = [(a, b) for i, a in enumerate(metals) for b in metals[i:]]
    rows, cols, grid = heatmap([a for a, _ in pairs], [b for _, b in pairs], rng.uniform(-1.2, -0.1, len(pairs)))
    data = heatmap_plot_data(rows, cols, grid, "U$_L$ (V$_{RHE}$)", marks=[("Ti", "Fe", "published best −0.21 V")],
                             title="ML quick look (7net-0): 36/36 pairs")
    assert layout_problems(plot_heatmap(data)) == []

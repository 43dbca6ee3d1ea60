"""Diagram plot data (no matplotlib) and the drawn figures."""

from __future__ import annotations

import numpy as np
import pytest

from chefe.engine import analyse
from chefe.inputs import energies_from_dict, load_energies
from chefe.network import load_network
from chefe.plotting.data import fed_plot_data
from chefe.profile import free_energy_profile
from chefe.report import fed_report


@pytest.fixture(scope="module")
def report(root_dir):
    es = load_energies(root_dir / "examples" / "goldsmith_ptru" / "ptru_no3rr.yaml")
    return fed_report(es, potentials=[0, "UL"], catalysts=["comp-1", "comp-3", "comp-9"])


def test_plot_data_levels_are_the_profiles(report):
    data = report.plot
    assert len(data.panels) == 2
    for panel, profiles in zip(data.panels, report.profiles):
        assert len(panel.series) == 3
        for s, p in zip(panel.series, profiles):
            np.testing.assert_array_equal(s.level_y, p.G)
            assert s.level_y[0] == 0.0
            # connectors join consecutive levels
            np.testing.assert_array_equal(s.connector_y[:, 0], p.G[:-1])
            np.testing.assert_array_equal(s.connector_y[:, 1], p.G[1:])
            assert s.pds == p.pds
    # one panel at U = 0, one with each catalyst at its own U_L (PDS flat there)
    assert data.panels[0].title.startswith("U = 0.00")
    at_ul = report.profiles[1]
    for p in at_ul:
        assert p.dG[p.pds] == pytest.approx(0.0, abs=1e-12)
        assert np.max(p.dG[[i for i, s in enumerate(p.step_ids)
                            if report.result.network.steps[report.result.network.index(s)].n_e > 0]]) <= 1e-12
    assert all(s.pds_text == "PDS" for s in data.panels[1].series)


def test_pds_annotation_is_the_step_dG(report):
    s = report.plot.panels[0].series[0]
    p = report.profiles[0][0]
    assert s.pds_text == f"{p.dG[p.pds]:+.2f} eV".replace("-", "\u2212")
    assert p.step_ids[p.pds] == report.result.step_id(int(report.result.pds[0]))


def test_labels_on_axis_with_subscripts_and_legend(report):
    panel = report.plot.panels[0]
    assert panel.xticklabels[0] == "NO$_{3}^{-}$"
    assert panel.xticklabels[-1] == "NH$_{3}$(g)"
    assert "$^{*}$NO$_{2}$+$^{*}$O" in panel.xticklabels
    assert len(panel.xticklabels) == len(panel.series[0].level_y)
    assert "U$_L$ = \u22120.07 V" in panel.series[0].legend


def test_pds_texts_never_overlap(report):
    for panel in report.plot.panels:
        span = panel.ylim[1] - panel.ylim[0]
        pts = sorted(s.pds_text_xy for s in panel.series)
        for a in pts:
            for b in pts:
                if a is not b and abs(a[0] - b[0]) < 0.5:
                    assert abs(a[1] - b[1]) >= 0.05 * span - 1e-12


def test_level_labels_spread_when_routes_differ():
    net = load_network("no3rr_sac")
    dG0 = np.full((len(net.steps), 2), -0.2)
    dG0[net.index("NO_NOH"), 0] = 0.3  # catalyst 0 goes N-end, catalyst 1 O-end
    dG0[net.index("NO_NHO"), 1] = 0.3
    res = analyse(net, dG0, names=["a", "b"])
    profiles = [free_energy_profile(res, k, 0.0) for k in range(2)]
    assert profiles[0].states != profiles[1].states
    # default: distinct intermediates stacked under the axis, coloured by the series they belong to
    stacked = fed_plot_data([profiles]).panels[0]
    j = profiles[0].states.index("*NHO")
    assert stacked.stacked_labels[j] == (("$^{*}$NHO", stacked.series[0].color),
                                         ("$^{*}$NOH", stacked.series[1].color))
    assert stacked.stacked_labels[0] == (("NO$_{3}^{-}$", "0.15"),)  # shared: one dark label
    assert not any(stacked.xticklabels)
    data = fed_plot_data([profiles], label_mode="levels")
    panel = data.panels[0]
    assert not any(panel.xticklabels)
    gap = 0.075 * max(np.ptp(np.concatenate([p.G for p in profiles])), 0.5)
    for j in range(len(profiles[0].G)):
        ys = [s.level_label_xy[j, 1] for s in panel.series if s.level_labels[j]]
        ys = sorted(ys)
        assert all(b - a >= gap - 1e-12 for a, b in zip(ys, ys[1:]))
    # shared intermediates are labelled once
    assert panel.series[1].level_labels[1] == ""


def test_tandem_sites_in_legend():
    doc = {"network": "no3rr_sac", "kind": "step",
           "catalysts": {"CuCo-Cu": {"site": "Cu", "energies": {}}, "CuCo-Co": {"site": "Co", "energies": {}}}}
    net = load_network("no3rr_sac")
    for k, name in enumerate(["CuCo-Cu", "CuCo-Co"]):
        doc["catalysts"][name]["energies"] = {s.id: -0.1 - 0.05 * k for s in net.steps}
    es = energies_from_dict(doc)
    rep = fed_report(es, potentials=[0.0])
    legends = [s.legend for s in rep.plot.panels[0].series]
    assert legends[0].startswith("CuCo-Cu (Cu site)") and legends[1].startswith("CuCo-Co (Co site)")


def test_figure_files_and_style_is_local(report, tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from chefe.plotting.fed import plot_fed

    before = dict(plt.rcParams)
    paths = [tmp_path / "fed.png", tmp_path / "fed.pdf", tmp_path / "fed.svg"]
    fig = plot_fed(report.plot, filename=paths)
    for p in paths:
        assert p.stat().st_size > 5000
    assert dict(plt.rcParams) == before  # the shipped style never leaks into global rcParams
    ax = fig.axes[0]
    # every level drawn, with the plot-data coordinates
    lines = [ln for ln in ax.lines if len(ln.get_xdata()) == 2]
    ys = {round(float(ln.get_ydata()[0]), 9) for ln in lines if ln.get_ydata()[0] == ln.get_ydata()[1]}
    for s in report.plot.panels[0].series:
        assert {round(float(y), 9) for y in s.level_y} <= ys
    # tick labels do not overlap each other once rendered: unrotated boxes are disjoint; labels
    # rotated by θ sit on parallel baselines spaced by (tick spacing)·sin θ, which must exceed
    # the text height
    import math

    fig.canvas.draw()
    labels = [t for t in ax.get_xticklabels() if t.get_text()]
    rotation = labels[0].get_rotation()
    if rotation == 0:
        boxes = [t.get_window_extent() for t in labels]
        assert all(not a.overlaps(b) for a, b in zip(boxes, boxes[1:]))
    else:
        px = ax.transData.transform([[0, 0], [1, 0]])
        spacing = px[1, 0] - px[0, 0]
        height = labels[0].get_fontsize() * fig.dpi / 72
        assert spacing * math.sin(math.radians(rotation)) > height
    plt.close(fig)


def test_legend_covers_no_level_connector_or_label():
    """Four HER catalysts whose levels fill the lower left, where matplotlib's 'best' legend place
    lands: every point of every level and connector (sampled here) lies outside the legend box."""
    import matplotlib

    matplotlib.use("Agg")
    from chefe.plotting.fed import plot_fed

    doc = {"network": "her", "kind": "step",
           "catalysts": {name: {"energies": {"Volmer": dg, "Heyrovsky": -dg}}
                         for name, dg in (("0N0_FeU", -0.143), ("1N3_Fe_isif4", 0.007),
                                          ("2N2_Fe_lvdw", -0.293), ("3N1_Fe_noCONTCAR", 0.157))}}
    rep = fed_report(energies_from_dict(doc), potentials=[0, "UL"])
    fig = plot_fed(rep.plot)
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    for ax, panel in zip(fig.axes, rep.plot.panels):
        box = ax.get_legend().get_window_extent(renderer)
        for s in panel.series:
            segments = [((x0, y), (x1, y)) for x0, x1, y in zip(s.level_x0, s.level_x1, s.level_y)]
            segments += [((cx[0], cy[0]), (cx[1], cy[1])) for cx, cy in zip(s.connector_x, s.connector_y)]
            for (xa, ya), (xb, yb) in segments:
                t = np.linspace(0, 1, 50)
                pts = ax.transData.transform(np.column_stack([xa + t * (xb - xa), ya + t * (yb - ya)]))
                assert not any(box.contains(px, py) for px, py in pts), (panel.title, s.name)
        for text in ax.texts:
            assert not text.get_window_extent(renderer).overlaps(box), text.get_text()


def test_model_spread_error_bars(root_dir):
    """Error bars across models: the same catalysts with one step's ΔG° shifted by δ in a second
    'model' give half-widths 0 before that step and |δ|/2 on every level from it on, at any
    potential, the y range shows them, and the figure draws them under its title."""
    from dataclasses import replace

    from chefe.plotting.data import level_spread, with_spread

    es = load_energies(root_dir / "examples" / "goldsmith_ptru" / "ptru_no3rr.yaml")
    names = ["comp-1", "comp-9"]
    first = fed_report(es, potentials=[0], catalysts=names)
    series = first.plot.panels[0].series[0]
    route = first.result.best_route(first.selected[0])
    step = route.steps[1]  # the route's second step, taken once
    assert route.steps.count(step) == 1
    delta = 0.05
    dG0 = es.dG0.copy()
    dG0[step, :] += delta
    other = fed_report(replace(es, dG0=dG0), potentials=[0], catalysts=names)
    spread, notes = level_spread([first.plot, other.plot])
    err = spread[series.name][1]
    assert np.allclose(err[:2], 0.0) and np.allclose(err[2:], delta / 2)
    at_ul = fed_report(es, potentials=["UL"], catalysts=names).plot
    drawn = with_spread(at_ul, spread, title="ML quick look (test)")
    s = drawn.panels[0].series[0]
    assert np.allclose(s.level_err, err) and drawn.title == "ML quick look (test)"
    lo, hi = drawn.panels[0].ylim
    assert lo <= float(np.min(s.level_y - s.level_err)) and hi >= float(np.max(s.level_y + s.level_err))
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from chefe.plotting.fed import plot_fed

    fig = plot_fed(drawn)
    bars = [c for c in fig.axes[0].containers if type(c).__name__ == "ErrorbarContainer"]
    assert bars and fig._suptitle.get_text() == "ML quick look (test)"
    plt.close(fig)

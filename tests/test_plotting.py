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


def test_pds_marked_on_its_own_step(report):
    """The PDS arrow runs from the level before the PDS to the level after it, at the x of the
    upper level, in the series' colour; at U_L its step is flat and carries 'PDS'."""
    for panel, profiles in zip(report.plot.panels, report.profiles):
        for s, p in zip(panel.series, profiles):
            mark = [m for m in s.marks if m.kind == "pds"]
            assert len(mark) == 1
            m = mark[0]
            assert m.step == p.pds
            assert (m.y0, m.y1) == (p.G[p.pds], p.G[p.pds + 1])
            assert p.pds + 1 - 0.5 < m.x < p.pds + 1 + 0.5
    for s in report.plot.panels[1].series:
        assert [m.flat for m in s.marks if m.kind == "pds"] == [True]


def test_chemical_and_oxidative_steps_marked_where_they_matter():
    """Hand-made no3rr_sac energies: NO3- adsorption uphill by 0.30 eV at 0 V (oxidative: one
    electron released, so at U = -0.5 V it is 0.30 + 0.50 = 0.80 eV), *NH3 desorption uphill
    by 0.40 eV (chemical), every other step -0.2 eV except *NO2 -> *NO2H at +0.60 eV (the PDS,
    U_L = -0.60 V). At 0 V the PDS (+0.60) is the largest uphill step: nothing else is marked.
    At U_L every electrochemical step is <= 0: the desorption (+0.40) and the adsorption
    (0.30 + 0.60 = 0.90 eV) are marked with those values."""
    net = load_network("no3rr_sac")
    dG0 = np.full((len(net.steps), 1), -0.2)
    ads = [s.id for s in net.steps if any(r.name == "NO3-(aq)" for r, _ in s.reactants)]
    des = [s.id for s in net.steps if s.n_e == 0 and any(r.name == "NH3(g)" for r, _ in s.products)]
    assert ads and des
    for sid in ads:
        dG0[net.index(sid), 0] = 0.30
    for sid in des:
        dG0[net.index(sid), 0] = 0.40
    dG0[net.index("NO2_NO2H"), 0] = 0.60
    res = analyse(net, dG0, names=["x"])
    at0 = fed_plot_data([[free_energy_profile(res, 0, 0.0)]]).panels[0].series[0]
    assert [m.kind for m in at0.marks] == ["pds"]
    assert at0.marks[0].text == "+0.60 eV"
    p = free_energy_profile(res, 0, "UL")
    assert p.U_L == pytest.approx(-0.60)
    marks = {m.kind: m for m in fed_plot_data([[p]]).panels[0].series[0].marks}
    assert marks["pds"].text == "PDS"
    assert marks["chemical"].text == "+0.40 eV chem."
    assert marks["oxidative"].text == "+0.90 eV ox."
    assert marks["oxidative"].step == 0


def test_coincident_levels_drawn_side_by_side():
    """Two catalysts with identical energies: every level shared, each drawn on its own half of
    the level width, so neither hides the other."""
    doc = {"network": "her", "kind": "step",
           "catalysts": {"A": {"energies": {"Volmer": 0.2, "Heyrovsky": -0.2}},
                         "B": {"energies": {"Volmer": 0.2, "Heyrovsky": -0.2}}}}
    rep = fed_report(energies_from_dict(doc), potentials=[0])
    a, b = rep.plot.panels[0].series
    np.testing.assert_allclose(a.level_x1, b.level_x0)
    np.testing.assert_allclose(b.level_x1 - a.level_x0, 0.56)


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
    assert stacked.stacked_labels[j] == (("$^{*}$NHO", (stacked.series[0].color,)),
                                         ("$^{*}$NOH", (stacked.series[1].color,)))
    # shared by every catalyst: one dark label
    assert stacked.stacked_labels[0] == (("NO$_{3}^{-}$", ("0.15",)),)
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


def test_one_legend_per_figure_outside_the_panels():
    """Four HER catalysts at 0 V and at U_L: one legend for the figure (none per panel), with one
    entry per catalyst and the line key, lying above every panel (display extents)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from chefe.plotting.fed import plot_fed

    doc = {"network": "her", "kind": "step",
           "catalysts": {name: {"energies": {"Volmer": dg, "Heyrovsky": -dg}}
                         for name, dg in (("0N0_FeU", -0.143), ("1N3_Fe_isif4", 0.007),
                                          ("2N2_Fe_lvdw", -0.293), ("3N1_Fe_noCONTCAR", 0.157))}}
    rep = fed_report(energies_from_dict(doc), potentials=[0, "UL"])
    fig = plot_fed(rep.plot)
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    assert all(ax.get_legend() is None for ax in fig.axes)
    assert len(fig.legends) == 1
    texts = [t.get_text() for t in fig.legends[0].get_texts()]
    assert [t.split(" (")[0] for t in texts[:4]] == ["0N0_FeU", "1N3_Fe_isif4", "2N2_Fe_lvdw", "3N1_Fe_noCONTCAR"]
    assert texts[4].startswith("solid: PDS")
    box = fig.legends[0].get_window_extent(renderer)
    for ax in fig.axes:
        assert box.y0 >= ax.get_window_extent(renderer).y1
    plt.close(fig)


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
    heads = [t.get_text() for t in fig.texts] + [leg.get_title().get_text() for leg in fig.legends]
    heads += [fig._suptitle.get_text()] if fig._suptitle is not None else []
    assert bars and "ML quick look (test)" in heads
    plt.close(fig)

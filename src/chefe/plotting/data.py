"""Free-energy diagram plot data as plain numbers and strings: no matplotlib here.

:func:`fed_plot_data` lays out levels, connectors, labels and the PDS annotation for one or
more panels (one per potential) of overlaid profiles. The drawing code only copies these
coordinates onto an Axes, so the tests check the figure through this data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..profile import Profile
from ..species import subscript_label

#: Okabe-Ito colour-blind-safe palette (Wong, Nat. Methods 8, 441 (2011)) without its yellow,
#: which is unreadable on white, continued with Paul Tol's "muted" scheme for larger overlays.
PALETTE = (
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000",
    "#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#DDCC77", "#CC6677", "#882255", "#AA4499",
)
#: Above this many series the PDS values move into the legend and the legend out of the axes.
CROWDED = 4
LEVEL_WIDTH = 0.56
#: Approximate width of one character of an 8 pt label, in inches (for overlap checks).
CHAR_WIDTH_IN = 0.055


@dataclass(frozen=True)
class FEDSeries:
    """One profile in a panel. Arrays are in data coordinates (x: step position, y: eV)."""

    name: str
    legend: str
    color: str
    level_x0: np.ndarray
    level_x1: np.ndarray
    level_y: np.ndarray
    connector_x: np.ndarray  # shape (n_steps, 2)
    connector_y: np.ndarray  # shape (n_steps, 2)
    pds: int
    pds_text: str
    pds_text_xy: tuple[float, float]
    level_labels: tuple[str, ...]
    level_label_xy: np.ndarray  # shape (n_levels, 2); NaN when labels are on the x axis
    #: half-widths (eV) of error bars on the levels (the spread across ML models), or None
    level_err: np.ndarray | None = None


@dataclass(frozen=True)
class FEDPanel:
    """One axis: several series at one potential."""

    title: str
    series: tuple[FEDSeries, ...]
    xticks: np.ndarray
    xticklabels: tuple[str, ...]
    tick_rotation: float
    ylim: tuple[float, float]
    xlim: tuple[float, float]
    #: per x position, the (label, colour) pairs stacked under the axis when routes differ
    stacked_labels: tuple[tuple[tuple[str, str], ...], ...] = ()
    label_fontsize: float = 8.0
    legend_outside: bool = False


@dataclass(frozen=True)
class FEDPlotData:
    """Everything drawn by :func:`chefe.plotting.fed.plot_fed`."""

    panels: tuple[FEDPanel, ...]
    ylabel: str
    xlabel: str
    figsize: tuple[float, float]
    layout: str  # "rows" or "columns"
    #: warnings printed under the diagram (plausibility, left-out catalysts); empty when clean
    notes: tuple[str, ...] = ()
    #: a figure title above the panels (the ML quick look names its model there), or ""
    title: str = ""

    def to_dict(self) -> dict:
        """JSON-friendly dict of the plot data (for tests and for re-plotting elsewhere)."""
        return {
            "ylabel": self.ylabel, "xlabel": self.xlabel, "figsize": self.figsize, "layout": self.layout,
            "notes": list(self.notes), "title": self.title,
            "panels": [
                {
                    "title": p.title, "xticks": p.xticks.tolist(), "xticklabels": list(p.xticklabels),
                    "ylim": p.ylim, "series": [
                        {"name": s.name, "legend": s.legend, "color": s.color,
                         "level_y": s.level_y.tolist(), "pds": s.pds, "pds_text": s.pds_text,
                         "level_labels": list(s.level_labels),
                         "level_err": None if s.level_err is None else s.level_err.tolist()}
                        for s in p.series
                    ],
                }
                for p in self.panels
            ],
        }


def level_spread(diagrams: Sequence[FEDPlotData]) -> tuple[dict[str, tuple[tuple[str, ...], np.ndarray]], tuple[str, ...]]:
    """Half the range of every level over ``diagrams`` (the same catalysts from several ML models,
    drawn at one common potential), per series name: ``{name: (state labels, half-widths)}``.

    A level's spread is the same at every potential (each level moves by n·eU in every model), so
    the spread measured at 0 V is the error bar of the diagram at any U. A series whose states
    differ between the diagrams (another route was the best) is left out and named in the notes.
    """
    first = diagrams[0].panels[0]
    out, notes = {}, []
    for s in first.series:
        labels = tuple(first.xticklabels) + tuple(s.level_labels)
        levels = [s.level_y]
        same = True
        for other in diagrams[1:]:
            panel = other.panels[0]
            match = [t for t in panel.series if t.name == s.name]
            if not match or tuple(panel.xticklabels) + tuple(match[0].level_labels) != labels \
                    or len(match[0].level_y) != len(s.level_y):
                same = False
                break
            levels.append(match[0].level_y)
        if not same:
            notes.append(f"{s.legend}: the models' best routes differ; no error bars drawn")
            continue
        stack = np.vstack(levels)
        out[s.name] = (labels, (stack.max(axis=0) - stack.min(axis=0)) / 2)
    return out, tuple(notes)


def with_spread(base: FEDPlotData, spread: dict, *, title: str = "") -> FEDPlotData:
    """``base`` with error bars from :func:`level_spread` on every series whose states match,
    the y range widened to show them, and ``title``."""
    from dataclasses import replace

    panels = []
    for panel in base.panels:
        series, lo, hi = [], panel.ylim[0], panel.ylim[1]
        for s in panel.series:
            got = spread.get(s.name)
            if got is None or len(got[1]) != len(s.level_y) or got[0] != tuple(panel.xticklabels) + tuple(s.level_labels):
                series.append(s)
                continue
            err = got[1]
            lo, hi = min(lo, float(np.min(s.level_y - err))), max(hi, float(np.max(s.level_y + err)))
            series.append(replace(s, level_err=err))
        pad = 0.04 * (hi - lo)
        ylim = (min(panel.ylim[0], lo - pad), max(panel.ylim[1], hi + pad))
        panels.append(replace(panel, series=tuple(series), ylim=ylim))
    return replace(base, panels=tuple(panels), title=title or base.title)


def _spread(values: list[float], gap: float) -> list[float]:
    """Push sorted positions apart so neighbours are at least ``gap`` apart (order kept)."""
    order = np.argsort(values, kind="stable")
    out = list(values)
    last = -np.inf
    for idx in order:
        y = max(values[idx], last + gap)
        out[idx] = y
        last = y
    return out


def _signed(x: float) -> str:
    """``+0.38`` / ``\u22120.38`` (typographic minus), ``0.00`` for zero."""
    text = f"{x:+.2f}"
    if text in ("+0.00", "-0.00"):
        return "0.00"
    return text.replace("-", "\u2212")


def format_potential(u: float, scale: str) -> str:
    """``U = \u22120.38 V_RHE`` with a typographic minus."""
    return f"U = {_signed(u)} V$_{{{scale}}}$"


def fed_plot_data(
    panels: Sequence[Sequence[Profile]],
    *,
    titles: Sequence[str] | None = None,
    level_width: float = LEVEL_WIDTH,
    label_mode: str = "auto",
) -> FEDPlotData:
    """Lay out free-energy diagrams.

    Args:
        panels: for each panel (one per potential) the profiles to overlay.
        titles: panel titles (default: the potential of the first profile).
        level_width: width of a level in step units.
        label_mode: ``"axis"`` (intermediates as x tick labels; requires identical state
            sequences), ``"stacked"`` (under the axis, one line per distinct intermediate at a
            position, coloured by series), ``"levels"`` (a label above every level,
            de-overlapped), or ``"auto"`` (axis when all series share their intermediates, else
            stacked).
    """
    if not panels or not all(panels):
        raise ValueError("fed_plot_data needs at least one panel with at least one profile")
    built = []
    max_levels = max(len(p.G) for panel in panels for p in panel)
    for k, profiles in enumerate(panels):
        built.append(_panel(profiles, titles[k] if titles else None, level_width, label_mode))
    longest_label = max((len(t) for p in built for t in p.xticklabels), default=0)
    depth = max((len(e) for p in built for e in p.stacked_labels), default=0)
    width = max(3.4, 0.42 * max_levels + 1.2)
    rows = len(built) > 1 and max_levels > 8
    per_panel_h = 2.9 + (0.5 if longest_label > 10 else 0.0) + 0.14 * max(depth - 1, 0)
    if rows:
        figsize = (width, per_panel_h * len(built))
    else:
        figsize = (width * len(built), per_panel_h)
    return FEDPlotData(
        panels=tuple(built), ylabel="ΔG (eV)", xlabel="Reaction coordinate",
        figsize=(round(figsize[0], 2), round(figsize[1], 2)), layout="rows" if rows else "columns",
    )


def _panel(profiles: Sequence[Profile], title: str | None, width: float, label_mode: str) -> FEDPanel:
    same_states = all(p.states == profiles[0].states for p in profiles)
    mode = label_mode
    if mode == "auto":
        mode = "axis" if same_states else "stacked"
    if mode == "axis" and not same_states:
        raise ValueError("label_mode='axis' needs every profile to pass the same intermediates")
    all_y = np.concatenate([p.G for p in profiles])
    lo, hi = float(np.min(all_y)), float(np.max(all_y))
    span = max(hi - lo, 0.5)
    gap = 0.075 * span
    n_levels = max(len(p.G) for p in profiles)
    series = []
    # PDS annotations: stacked so they never overlap
    pds_pos = []
    for k, p in enumerate(profiles):
        color = p.color or PALETTE[k % len(PALETTE)]
        x = np.arange(len(p.G), dtype=float)
        x0, x1 = x - width / 2, x + width / 2
        cx = np.column_stack([x1[:-1], x0[1:]])
        cy = np.column_stack([p.G[:-1], p.G[1:]])
        i = p.pds
        mid_x = 0.5 * (cx[i, 0] + cx[i, 1])
        mid_y = max(p.G[i], p.G[i + 1]) + 0.5 * gap
        pds_pos.append((mid_x, mid_y))
        legend = p.label
        if np.isfinite(p.U_L):
            legend = f"{p.label} (U$_L$ = {_signed(p.U_L)} V)"
        at_limit = abs(p.U - p.U_L) < 1e-9
        crowded = len(profiles) > CROWDED
        pds_text = "" if crowded else ("PDS" if at_limit else f"{_signed(p.dG[i])} eV")
        series.append(dict(
            name=p.name, legend=legend, color=color, level_x0=x0, level_x1=x1, level_y=p.G.copy(),
            connector_x=cx, connector_y=cy, pds=i, pds_text=pds_text,
        ))
    # de-overlap PDS texts sharing (nearly) the same x
    ys = _spread([y for _, y in pds_pos], gap)
    for s, (x, _), y in zip(series, pds_pos, ys):
        s["pds_text_xy"] = (float(x), float(y))
    labels_per_series = []
    label_xy = []
    if mode == "levels":
        # every level labelled; labels at one x are spread vertically
        by_x: dict[int, list[tuple[int, float]]] = {}
        for k, p in enumerate(profiles):
            for j, g in enumerate(p.G):
                by_x.setdefault(j, []).append((k, float(g) + 0.35 * gap))
        xy = [np.full((len(p.G), 2), np.nan) for p in profiles]
        for j, entries in by_x.items():
            # identical labels at the same x are drawn once (by the lowest series)
            ys = _spread([y for _, y in entries], gap)
            for (k, _), y in zip(entries, ys):
                xy[k][j] = (j, y)
        seen: set[tuple[int, str]] = set()
        for k, p in enumerate(profiles):
            names = []
            for j, state in enumerate(p.states):
                key = (j, state)
                names.append("" if key in seen else subscript_label_state(state))
                seen.add(key)
            labels_per_series.append(tuple(names))
        label_xy = xy
        xticks = np.arange(n_levels, dtype=float)
        xticklabels = tuple("" for _ in range(n_levels))
        rotation = 0.0
    elif mode == "stacked":
        xticks = np.arange(n_levels, dtype=float)
        xticklabels = tuple("" for _ in range(n_levels))
        rotation = 0.0
        labels_per_series = [tuple("" for _ in p.states) for p in profiles]
        label_xy = [np.full((len(p.G), 2), np.nan) for p in profiles]
    else:
        xticks = np.arange(n_levels, dtype=float)
        xticklabels = tuple(subscript_label_state(s) for s in profiles[0].states)
        longest = max((len(_plain(t)) for t in xticklabels), default=0)
        # rotate when a label is wider than the spacing between levels (0.42 in per level)
        rotation = 0.0 if longest * CHAR_WIDTH_IN <= 0.40 else 45.0
        labels_per_series = [tuple("" for _ in p.states) for p in profiles]
        label_xy = [np.full((len(p.G), 2), np.nan) for p in profiles]
    out = []
    for s, names, xy in zip(series, labels_per_series, label_xy):
        out.append(FEDSeries(level_labels=names, level_label_xy=xy, **s))
    top = max([hi] + [s.pds_text_xy[1] for s in out if s.pds_text]
              + [float(np.nanmax(s.level_label_xy[:, 1])) for s in out if np.isfinite(s.level_label_xy).any()])
    ylim = (lo - 0.12 * span, top + 0.14 * span)
    stacked: list[tuple[tuple[str, str], ...]] = []
    fontsize = 8.0
    if mode == "stacked":
        for j in range(n_levels):
            entries: list[tuple[str, str]] = []
            states = [p.states[j] if j < len(p.states) else None for p in profiles]
            present = [s for s in states if s is not None]
            for k, st in enumerate(states):
                if st is None or any(e[0] == subscript_label_state(st) for e in entries):
                    continue
                shared = sum(1 for x in present if x == st) > 1
                color = "0.15" if shared else out[k].color
                entries.append((subscript_label_state(st), color))
            stacked.append(tuple(entries))
        # shrink the font until the widest label fits between two levels (0.42 in), 5.5 pt floor
        widest = max((len(_plain(t)) for e in stacked for t, _ in e), default=1)
        fontsize = max(5.5, min(8.0, 0.40 * 72 / (0.6 * widest)))
    if title is None:
        title = format_potential(profiles[0].U, profiles[0].scale)
        if all(abs(p.U - p.U_L) < 1e-12 for p in profiles) and len(profiles) > 1:
            title = "U = U$_L$ of each catalyst"
    return FEDPanel(title=title, series=tuple(out), xticks=xticks, xticklabels=xticklabels,
                    tick_rotation=rotation, ylim=ylim, xlim=(-0.6, n_levels - 0.4),
                    stacked_labels=tuple(stacked), label_fontsize=fontsize,
                    legend_outside=len(profiles) > CROWDED)


def _plain(text: str) -> str:
    return text.replace("$", "").replace("_{", "").replace("^{", "").replace("}", "")


def subscript_label_state(state: str) -> str:
    """Mathtext label of a state made of species joined by `` + ``."""
    parts = []
    for name in state.split(" + "):
        try:
            parts.append(subscript_label(name).replace("(aq)", "").replace("(g)", "(g)"))
        except Exception:  # noqa: BLE001 - a label must never break a figure
            parts.append(name)
    return "+".join(parts)

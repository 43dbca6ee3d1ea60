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
from ..species import chemical_name, subscript_label

#: Okabe-Ito colour-blind-safe palette (Wong, Nat. Methods 8, 441 (2011)) without its yellow,
#: which is unreadable on white, continued with Paul Tol's "muted" scheme for larger overlays.
PALETTE = (
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000",
    "#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#DDCC77", "#CC6677", "#882255", "#AA4499",
)
#: Above this many series the marks keep their arrows but drop their values (the U_L is in the legend).
CROWDED = 4
LEVEL_WIDTH = 0.56
#: Approximate width of one character of an 8 pt label, in inches (for overlap checks).
CHAR_WIDTH_IN = 0.055
#: Journal column widths (inches): one column, two columns.
SINGLE_COLUMN, DOUBLE_COLUMN = 3.3, 7.0
#: Levels of two series closer than this fraction of the y range are drawn side by side.
COINCIDE = 0.03
#: Steps smaller than this (eV) get no arrow; a chemical or oxidative step is marked only when it
#: is uphill by more than this and more than the PDS at the panel's potential.
MARK_MIN = 0.05


@dataclass(frozen=True)
class StepMark:
    """A step marked on its own connector: a vertical arrow from level ``y0`` to level ``y1`` at
    ``x`` (data units) with ``text`` beside it, in the series' colour.

    ``kind``: ``"pds"`` (the potential-determining step), ``"chemical"`` (the largest uphill
    step with no electron transfer: no potential makes it downhill) or ``"oxidative"`` (an uphill
    step that gives an electron back in a reduction, such as NO3- adsorption,
    NO3-(aq) + * -> *NO3 + e-: it grows more uphill the more negative the potential).
    ``flat``: the step is too small for an arrow (at U_L the PDS is flat); the text then sits by
    the connector.
    """

    kind: str
    step: int
    x: float
    y0: float
    y1: float
    text: str
    flat: bool = False


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
    #: the PDS and, where they matter, the largest uphill chemical and oxidative steps
    marks: tuple[StepMark, ...] = ()
    #: x position of the first level (a relay's acceptor part starts at the relay level)
    first_level: int = 0


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
    #: per x position, the (label, colours) pairs stacked under the axis when routes differ:
    #: one colour, the label is that catalyst's; several, it is shared by those catalysts
    stacked_labels: tuple[tuple[tuple[str, tuple[str, ...]], ...], ...] = ()
    label_fontsize: float = 8.0
    legend_outside: bool = False
    #: vertical dividers ``(x, text)``: a tandem relay's hand-over from one site to the other
    dividers: tuple[tuple[float, str], ...] = ()


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
                         "level_err": None if s.level_err is None else s.level_err.tolist(),
                         "marks": [{"kind": m.kind, "step": m.step, "from": m.y0, "to": m.y1, "text": m.text}
                                   for m in s.marks]}
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
    one_axis: bool | None = None,
    width: float | None = None,
) -> FEDPlotData:
    """Lay out free-energy diagrams.

    Args:
        panels: for each panel (one per potential) the profiles to overlay.
        titles: panel titles (default: the potential, pH and temperature of the profiles).
        level_width: width of a level in step units.
        label_mode: ``"axis"`` (intermediates as x tick labels; requires identical state
            sequences), ``"stacked"`` (under the axis, one line per distinct intermediate at a
            position, in the colour of the catalyst it belongs to; a label shared by some of the
            catalysts carries a square of each one's colour), ``"levels"`` (a label above every
            level, de-overlapped), or ``"auto"`` (axis when all series share their
            intermediates, else stacked).
        one_axis: draw every panel's profiles on one axis, one series per potential; default
            (None): when every panel holds the same single catalyst.
        width: figure width in inches; default one journal column (3.3 in) when the diagram
            fits, else two (7.0 in).

    Levels of different series that coincide (closer than ``COINCIDE`` of the y range) are
    drawn side by side within the level width, so that every series stays visible.
    """
    if not panels or not all(panels):
        raise ValueError("fed_plot_data needs at least one panel with at least one profile")
    single = len(panels) > 1 and all(len(p) == 1 for p in panels) and len({p[0].name for p in panels}) == 1
    if one_axis is None:
        one_axis = single
    if one_axis:
        merged = []
        for k, panel in enumerate(panels):
            for p in panel:
                from dataclasses import replace

                legend_u = format_potential(p.U, p.scale).replace("U = ", "")
                if abs(p.U - p.U_L) < 1e-9:
                    legend_u = f"U$_L$ = {legend_u}"
                label = f"{chemical_name(p.label)}, U = {legend_u}"
                merged.append(replace(p, name=f"{p.name}@{k}", label=label, color=PALETTE[len(merged) % len(PALETTE)]))
        first = panels[0][0]
        title = titles[0] if titles else (_conditions_text(first) if single else None)
        built = [_panel(merged, title, level_width, label_mode, potentials_as_series=True)]
    else:
        built = [_panel(profiles, titles[k] if titles else None, level_width, label_mode)
                 for k, profiles in enumerate(panels)]
    max_levels = max(len(s.level_y) for p in built for s in p.series)
    depth = max((len(e) for p in built for e in p.stacked_labels), default=0)
    rotated = any(p.tick_rotation for p in built)
    needed = 0.40 * max_levels + 0.75  # 0.40 in per level holds a 7 pt label; 0.75 in for the y axis
    n = len(built)
    per_panel_h = 2.2 + (0.45 if rotated else 0.0) + 0.13 * max(depth - 1, 0)
    if n > 1 and n * needed <= DOUBLE_COLUMN:
        layout = "columns"
        w = width or (SINGLE_COLUMN if n * needed <= SINGLE_COLUMN else DOUBLE_COLUMN)
        h = per_panel_h
    else:
        layout = "rows"
        w = width or (SINGLE_COLUMN if needed <= SINGLE_COLUMN else DOUBLE_COLUMN)
        h = per_panel_h * n
    n_series = max(len(p.series) for p in built)
    if n_series > 1:  # one legend row per few entries, above the panels (the line key is one more)
        h += 0.17 * _legend_rows([s.legend for s in built[0].series] + ["solid: PDS, chem.: chemical step"], w)
    return FEDPlotData(
        panels=tuple(built), ylabel="ΔG (eV)", xlabel="Reaction coordinate",
        figsize=(round(w, 2), round(h, 2)), layout=layout,
    )


def _legend_rows(labels, width_in: float) -> int:
    """Rows the figure legend takes at ``width_in``."""
    cols = legend_columns(labels, width_in)
    return -(-len(labels) // cols)


def legend_columns(labels, width_in: float) -> int:
    """How many legend entries (7 pt text after a 0.45 in handle and gap) fit side by side in
    ``width_in`` inches."""
    widest = max(len(_plain(t)) for t in labels) * CHAR_WIDTH_IN * 7 / 8 + 0.45
    return int(max(1, min(len(labels), width_in // widest)))


def _conditions_text(p: Profile) -> str:
    """``pH 0, 298 K`` of a profile (empty when unknown)."""
    bits = []
    if p.pH is not None:
        bits.append(f"pH {p.pH:g}")
    if p.T is not None:
        bits.append(f"{p.T:.0f} K")
    return ", ".join(bits)


def _marks(p: Profile, x0: np.ndarray, span: float, slot: float) -> list[StepMark]:
    """The PDS and, where it is the largest uphill step at this potential, the largest uphill
    chemical step and an uphill oxidative step (see :class:`StepMark`)."""
    marks = []
    i = p.pds
    small = MARK_MIN

    def arrow(kind, j, text):
        flat = abs(p.dG[j]) < max(small, 0.04 * span)
        return StepMark(kind, j, float(x0[j + 1] + 0.06 + slot), float(p.G[j]), float(p.G[j + 1]), text, flat)

    at_limit = abs(p.U - p.U_L) < 1e-9
    marks.append(arrow("pds", i, "PDS" if at_limit else f"{_signed(p.dG[i])} eV"))
    if p.n_e is None:
        return marks
    direction = np.sign(p.n_e[i]) or 1.0
    bar = max(small, float(p.dG[i]))
    chemical = np.flatnonzero(p.n_e == 0)
    if chemical.size:
        j = int(chemical[np.argmax(p.dG[chemical])])
        if p.dG[j] > bar:
            marks.append(arrow("chemical", j, f"{_signed(p.dG[j])} eV chem."))
    against = np.flatnonzero(np.sign(p.n_e) == -direction)
    if against.size:
        j = int(against[np.argmax(p.dG[against])])
        if p.dG[j] > bar:
            marks.append(arrow("oxidative", j, f"{_signed(p.dG[j])} eV ox."))
    return marks


def _dodge(levels: list[np.ndarray], x0: list[np.ndarray], x1: list[np.ndarray], tol: float,
           positions: list[np.ndarray]) -> None:
    """Split the level width among series whose levels at one position coincide (within ``tol``
    eV), in series order, so that none hides another (in place). ``positions[k][i]``: the
    position of series k's level i."""
    where: dict[int, list[tuple[int, int]]] = {}
    for k, pos in enumerate(positions):
        for i, j in enumerate(pos):
            where.setdefault(int(j), []).append((k, i))
    for j, present in where.items():
        order = sorted(present, key=lambda ki: levels[ki[0]][ki[1]])
        groups, current = [], [order[0]]
        for ki in order[1:]:
            last = current[-1]
            if levels[ki[0]][ki[1]] - levels[last[0]][last[1]] < tol:
                current.append(ki)
            else:
                groups.append(current)
                current = [ki]
        groups.append(current)
        for group in groups:
            if len(group) < 2:
                continue
            group = sorted(group)
            k0, i0 = group[0]
            a, b = x0[k0][i0], x1[k0][i0]
            step = (b - a) / len(group)
            for m, (k, i) in enumerate(group):
                x0[k][i], x1[k][i] = a + m * step, a + (m + 1) * step


def _panel(profiles: Sequence[Profile], title: str | None, width: float, label_mode: str,
           potentials_as_series: bool = False) -> FEDPanel:
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
    crowded = len(profiles) > CROWDED
    # drawn parts: one per profile, two for a tandem relay (donor site, acceptor site)
    parts = []  # (profile index, first level, last level + 1, colour, legend)
    used = 0
    for k, p in enumerate(profiles):
        color = p.color or PALETTE[used % len(PALETTE)]
        used += 1
        if p.relay_at is None:
            legend = chemical_name(p.label)
            if np.isfinite(p.U_L) and not potentials_as_series:
                legend = f"{legend} (U$_L$ = {_signed(p.U_L)} V)"
            parts.append((k, 0, len(p.G), color, legend))
            continue
        m = p.relay_at
        other = PALETTE[used % len(PALETTE)]
        used += 1
        a, b = p.relay_labels or ("donor", "acceptor")
        first, mid, last = (subscript_label_state(p.states[i]) for i in (0, m, len(p.states) - 1))
        parts.append((k, 0, m + 1, color, f"{a}: {first} \u2192 {mid}"))
        parts.append((k, m, len(p.G), other, f"{b}: {mid} \u2192 {last} (relay U$_L$ = {_signed(p.U_L)} V)"))
    xs0, xs1, ys = [], [], []
    for k, i0, i1, _, _ in parts:
        x = np.arange(i0, i1, dtype=float)
        xs0.append(x - width / 2)
        xs1.append(x + width / 2)
        ys.append(profiles[k].G[i0:i1])
    _dodge(ys, xs0, xs1, COINCIDE * span, [np.arange(i0, i1) for _, i0, i1, _, _ in parts])
    series = []
    slots: dict[int, int] = {}
    dividers = []
    for n, (k, i0, i1, color, legend) in enumerate(parts):
        p = profiles[k]
        x0, x1 = xs0[n], xs1[n]
        cx = np.column_stack([x1[:-1], x0[1:]])
        cy = np.column_stack([p.G[i0:i1 - 1], p.G[i0 + 1:i1]])
        base_x0 = np.arange(len(p.G), dtype=float) - width / 2
        slot = slots.get(p.pds, 0)
        own = [m for m in _marks(p, base_x0, span, 0.07 * slot) if i0 <= m.step < i1 - 1]
        if any(m.kind == "pds" for m in own):
            slots[p.pds] = slot + 1
        if crowded:  # the values are in the legend; arrows only
            own = [replace_text(m, "") for m in own if m.kind == "pds"]
        # steps counted from this part's first level
        own = [_shift(m, -i0) for m in own]
        pds_local = p.pds - i0 if i0 <= p.pds < i1 - 1 else -1
        pds_mark = next((m for m in own if m.kind == "pds"), None)
        if p.relay_at is not None and i0 == p.relay_at:
            names = p.relay_labels or ("donor", "acceptor")
            dividers.append((float(i0), f"{subscript_label_state(p.states[i0])} released by {names[0]}, "
                                         f"taken up by {names[1]}"))
        series.append(dict(
            name=p.name if i0 == 0 else f"{p.name}:acceptor", legend=legend, color=color, level_x0=x0, level_x1=x1,
            level_y=p.G[i0:i1].copy(), connector_x=cx, connector_y=cy, pds=pds_local,
            pds_text=pds_mark.text if pds_mark else "",
            pds_text_xy=(pds_mark.x, 0.5 * (pds_mark.y0 + pds_mark.y1)) if pds_mark else (np.nan, np.nan),
            marks=tuple(own), first_level=i0,
        ))
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
            ys = _spread([y for _, y in entries], gap)
            for (k, _), y in zip(entries, ys):
                xy[k][j] = (j, y)
        seen: set[tuple[int, str]] = set()
        for k, p in enumerate(profiles):
            names = []
            for j, state in enumerate(p.states):
                key = (j, state)
                # identical labels at the same x are drawn once (by the first series)
                names.append("" if key in seen else subscript_label_state(state))
                seen.add(key)
            labels_per_series.append(tuple(names))
        label_xy = xy
        xticklabels = tuple("" for _ in range(n_levels))
        rotation = 0.0
    elif mode == "stacked":
        xticklabels = tuple("" for _ in range(n_levels))
        rotation = 0.0
        labels_per_series = [tuple("" for _ in p.states) for p in profiles]
        label_xy = [np.full((len(p.G), 2), np.nan) for p in profiles]
    else:
        xticklabels = tuple(subscript_label_state(s) for s in profiles[0].states)
        longest = max((len(_plain(t)) for t in xticklabels), default=0)
        # rotate when a label is wider than the spacing between levels (0.40 in per level)
        rotation = 0.0 if longest * CHAR_WIDTH_IN <= 0.40 else 45.0
        labels_per_series = [tuple("" for _ in p.states) for p in profiles]
        label_xy = [np.full((len(p.G), 2), np.nan) for p in profiles]
    xticks = np.arange(n_levels, dtype=float)
    out = []
    for s, (k, i0, i1, _, _) in zip(series, parts):
        out.append(FEDSeries(level_labels=tuple(labels_per_series[k][i0:i1]), level_label_xy=label_xy[k][i0:i1], **s))

    def colour_at(k: int, j: int) -> str:
        """Colour of profile k's part that holds level j (a relay changes colour at its relay level)."""
        return next(c for (kk, i0, i1, c, _) in parts if kk == k and i0 <= j < i1)
    tops = [hi] + [float(np.nanmax(s.level_label_xy[:, 1])) for s in out if np.isfinite(s.level_label_xy).any()]
    ylim = (lo - 0.14 * span, max(tops) + 0.2 * span)
    stacked: list[tuple[tuple[str, tuple[str, ...]], ...]] = []
    fontsize = 8.0
    if mode == "stacked":
        for j in range(n_levels):
            entries: list[tuple[str, tuple[str, ...]]] = []
            states = [p.states[j] if j < len(p.states) else None for p in profiles]
            for k, st in enumerate(states):
                if st is None:
                    continue
                text = subscript_label_state(st)
                if any(e[0] == text for e in entries):
                    continue
                owners = tuple(colour_at(m, j) for m, other in enumerate(states) if other == st)
                if len(owners) == len(profiles) > 1:
                    owners = ("0.15",)  # every catalyst's: one dark label, as on a shared axis
                entries.append((text, owners))
            stacked.append(tuple(entries))
        # shrink the font until the widest label fits between two levels (0.40 in), 5.5 pt floor
        widest = max((len(_plain(t)) + (len(c) if len(c) > 1 else 0) for e in stacked for t, c in e), default=1)
        fontsize = max(5.5, min(8.0, 0.40 * 72 / (0.6 * widest)))
    first = profiles[0]
    if title is None:
        title = format_potential(first.U, first.scale)
        if all(abs(p.U - p.U_L) < 1e-12 for p in profiles):
            title = ("U = U$_L$ of each catalyst" if len(profiles) > 1
                     else "U = U$_L$ = " + format_potential(first.U, first.scale).removeprefix("U = "))
        cond = _conditions_text(first)
        if cond:
            title = f"{title}, {cond}"
    return FEDPanel(title=title, series=tuple(out), xticks=xticks, xticklabels=xticklabels,
                    tick_rotation=rotation, ylim=ylim, xlim=(-0.6, n_levels - 0.4),
                    stacked_labels=tuple(stacked), label_fontsize=fontsize,
                    legend_outside=crowded, dividers=tuple(dividers))


def _shift(mark: StepMark, by: int) -> StepMark:
    from dataclasses import replace

    return replace(mark, step=mark.step + by)


def replace_text(mark: StepMark, text: str) -> StepMark:
    from dataclasses import replace

    return replace(mark, text=text)


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

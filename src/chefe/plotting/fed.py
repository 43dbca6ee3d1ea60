"""Draw free-energy diagrams from :class:`~chefe.plotting.data.FEDPlotData` (matplotlib)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from .data import FEDPlotData, legend_columns


def plot_fed(
    data: FEDPlotData,
    *,
    axes=None,
    filename: str | Path | Sequence[str | Path] | None = None,
    style: str | None = None,
    legend: bool = True,
    notes: bool = True,
    width: float | None = None,
    height: float | None = None,
    font: str | None = None,
    fontsize: float | None = None,
):
    """Draw the panels of ``data``; return the Figure.

    Args:
        data: output of :func:`chefe.plotting.data.fed_plot_data`.
        axes: existing Axes (one per panel) to draw on; a new figure is made otherwise.
        filename: file name(s) to save (format from the suffix: .png, .pdf, .svg; vector
            files embed their fonts).
        style: a matplotlib style to use instead of the shipped ``chefe.mplstyle``.
        legend: draw the figure's legend (one for all panels) when more than one series is shown.
        notes: print ``data.notes`` (warnings about the input) under the diagram, so that a
            figure made from questionable input says so.
        width: figure width in inches (default ``data.figsize``: 3.3 in for one journal
            column, 7 in for two).
        height: figure height in inches (default ``data.figsize``).
        font: font family tried first (default Arial, then Helvetica, then DejaVu Sans).
        fontsize: base font size in points (default 8; titles, labels and legend scale with it).

    The style is applied with ``plt.style.context`` only while drawing: global rcParams are
    never changed. Labels of the marked steps are placed where they overlap no other text and
    no level (from the renderer's own text extents).
    """
    import matplotlib.pyplot as plt

    from . import style_path

    rc = _rc(font, fontsize)
    lines = data.title.count("\n") + 1 if data.title else 0
    figsize = (width or data.figsize[0], height or data.figsize[1] + 0.14 * lines)
    with plt.style.context(style or style_path()), plt.rc_context(rc):
        if axes is None:
            n = len(data.panels)
            shape = (n, 1) if data.layout == "rows" else (1, n)
            fig, axs = plt.subplots(*shape, figsize=figsize, squeeze=False, layout="constrained")
            axs = list(axs.ravel())
        else:
            axs = list(axes) if isinstance(axes, Sequence) else [axes]
            fig = axs[0].figure
        placed = []
        for ax, panel in zip(axs, data.panels):
            placed += _draw_panel(ax, panel)
            ax.set_ylabel(data.ylabel)
        if len(axs) > 1:
            fig.align_ylabels(axs)
        if legend and max(len(p.series) for p in data.panels) > 1:
            _figure_legend(fig, data, figsize[0])  # the title heads the legend: one block above
        elif data.title:
            fig.suptitle(data.title, fontsize="small", x=0.01, ha="left", multialignment="left")
        if notes and data.notes:
            fig.supxlabel(_notes_text(data.notes, figsize[0]), fontsize="x-small", color="#b00000",
                          ha="left", x=0.01, multialignment="left")
        for _ in range(2):  # lays the figure out (twice: constrained layout settles); the labels
            fig.draw_without_rendering()  # placed next are kept out of the layout, so it stays

        _place_labels(fig, placed)
        if filename is not None:
            names = [filename] if isinstance(filename, (str, Path)) else list(filename)
            for name in names:
                Path(name).parent.mkdir(parents=True, exist_ok=True)
                fig.savefig(name)
    return fig


def _rc(font: str | None, fontsize: float | None) -> dict:
    rc = {}
    if font:
        rc["font.sans-serif"] = [font, "Arial", "Helvetica", "DejaVu Sans"]
        rc["font.family"] = "sans-serif"
    if fontsize:
        scale = fontsize / 8.0
        rc.update({"font.size": fontsize, "axes.labelsize": 9 * scale, "axes.titlesize": 8 * scale,
                   "legend.fontsize": 7 * scale, "xtick.labelsize": 7.5 * scale, "ytick.labelsize": 7.5 * scale})
    return rc


def _figure_legend(fig, data: FEDPlotData, width_in: float) -> None:
    """One legend for the figure, above the panels: the catalysts, then the line key."""
    from matplotlib.lines import Line2D

    series = data.panels[0].series
    handles = [Line2D([], [], color=s.color, lw=2.0, label=s.legend) for s in series]
    kinds = {m.kind for p in data.panels for s in p.series for m in s.marks if m.text}
    key = ["solid: PDS"]
    if "chemical" in kinds:
        key.append("chem.: chemical step")
    if "oxidative" in kinds:
        key.append("ox.: oxidative step")
    handles.append(Line2D([], [], ls="none", label=", ".join(key)))
    cols = legend_columns([h.get_label() for h in handles], width_in)
    leg = fig.legend(handles=handles, loc="outside upper left", ncols=cols, handlelength=1.4,
                     columnspacing=1.0, borderaxespad=0.2, title=data.title or None, alignment="left",
                     title_fontsize="small")
    if data.title:
        leg.get_title().set_multialignment("left")


def _draw_panel(ax, panel) -> list:
    """Draw one panel; return the mark labels still to be placed."""
    todo = []
    for s in panel.series:
        gid = f"series:{s.name}"
        for x0, x1, y in zip(s.level_x0, s.level_x1, s.level_y):
            ax.plot([x0, x1], [y, y], color=s.color, lw=2.0, solid_capstyle="butt", zorder=3, gid=gid)
        if s.level_err is not None:
            ax.errorbar((s.level_x0 + s.level_x1) / 2, s.level_y, yerr=s.level_err, fmt="none",
                        ecolor=s.color, elinewidth=0.8, capsize=2.0, capthick=0.8, zorder=3)
        for k, (cx, cy) in enumerate(zip(s.connector_x, s.connector_y)):
            is_pds = k == s.pds
            ax.plot(cx, cy, color=s.color, lw=1.4 if is_pds else 0.8,
                    ls="-" if is_pds else (0, (2.5, 1.5)), zorder=2 if is_pds else 1, gid="connector:" + s.name)
        for mark in s.marks:
            todo.append(_draw_mark(ax, s, mark))
        for text, (lx, ly) in zip(s.level_labels, s.level_label_xy):
            if text and lx == lx:  # not NaN
                ax.text(lx, ly, text, ha="center", va="bottom", fontsize=6, color=s.color, zorder=4)
    ax.set_xticks(panel.xticks)
    if any(panel.xticklabels):
        ha = "right" if panel.tick_rotation else "center"
        ax.set_xticklabels(panel.xticklabels, rotation=panel.tick_rotation, ha=ha,
                           rotation_mode="anchor" if panel.tick_rotation else "default")
    else:
        ax.set_xticklabels([])
    ax.tick_params(axis="x", length=0)
    for x, entries in zip(panel.xticks, panel.stacked_labels):
        for k, (text, colors) in enumerate(entries):
            _stacked_label(ax, x, k, text, colors, panel.label_fontsize)
    ax.set_xlim(*panel.xlim)
    ax.set_ylim(*panel.ylim)
    ax.axhline(0.0, color="0.8", lw=0.5, zorder=0, gid="guide")
    for x, text in panel.dividers:
        ax.axvline(x, color="0.55", lw=0.6, ls=(0, (1, 2)), zorder=0, gid="guide")
        ax.annotate(text, xy=(x, 1.0), xycoords=("data", "axes fraction"), xytext=(0, -3),
                    textcoords="offset points", ha="center", va="top", fontsize=6.5, color="0.3")
    ax.set_title(panel.title, loc="left")
    return [t for t in todo if t is not None]


def _stacked_label(ax, x, k, text, colors, fontsize) -> None:
    """An intermediate's name under the axis: in its catalyst's colour, or, when some of the
    catalysts share it, dark with a square of each one's colour in front."""
    offset = (0.0, -3.0 - 1.3 * fontsize * k)
    if len(colors) == 1:
        ax.annotate(text, xy=(x, 0.0), xycoords=("data", "axes fraction"), xytext=offset,
                    textcoords="offset points", ha="center", va="top", color=colors[0],
                    fontsize=fontsize, annotation_clip=False)
        return
    from matplotlib.offsetbox import AnnotationBbox, HPacker, TextArea

    parts = [TextArea("\u25a0", textprops={"color": c, "fontsize": fontsize * 0.8}) for c in colors]
    parts.append(TextArea(text, textprops={"color": "0.15", "fontsize": fontsize}))
    box = HPacker(children=parts, pad=0, sep=0.5, align="baseline")
    ab = AnnotationBbox(box, (x, 0.0), xycoords=("data", "axes fraction"), xybox=offset,
                        boxcoords="offset points", box_alignment=(0.5, 1.0), frameon=False, pad=0.0,
                        annotation_clip=False)
    ax.add_artist(ab)


def _draw_mark(ax, s, mark):
    """Arrow of a marked step (or, for a flat step, nothing yet); return its label to place."""
    j = mark.step
    lw_dash = 0.6
    if not mark.flat:
        ax.plot([s.level_x1[j], mark.x], [mark.y0, mark.y0], color=s.color, lw=lw_dash, ls=":", zorder=2,
                gid="guide")
        ax.plot([mark.x, mark.x], [mark.y0, mark.y1], lw=0, gid="arrow:" + s.name)  # an obstacle for labels
        ax.annotate("", xy=(mark.x, mark.y1), xytext=(mark.x, mark.y0),
                    arrowprops={"arrowstyle": "-|>", "color": s.color, "lw": 0.8, "shrinkA": 0, "shrinkB": 0,
                                "mutation_scale": 6}, zorder=4)
    if not mark.text:
        return None
    if mark.flat:
        anchor = (0.5 * (s.connector_x[j, 0] + s.connector_x[j, 1]), 0.5 * (mark.y0 + mark.y1))
        tries = [(dx, dy, ha, "bottom" if dy > 0 else "top")
                 for dy in (5, -5, 12, -12, 20, -20, 30, -30)
                 for dx, ha in ((0, "center"), (6, "left"), (-6, "right"), (14, "left"), (-14, "right"))]
    else:
        anchor = (mark.x, 0.5 * (mark.y0 + mark.y1))
        half = abs(mark.y1 - mark.y0) / 2
        tries = [(2.5, 0, "left", "center"), (-2.5, 0, "right", "center"),
                 ("top", 2, "center", "bottom"), ("bottom", -2, "center", "top")]
        more = [(side * dx, dy, "left" if side > 0 else "right", "center")
                for dx in (2.5, 12.0, 24.0) for dy in (5, 10, 16, 24, 32, 40) for side in (1, -1)]
        more += [(where, sign * d, ha, "bottom" if sign > 0 else "top")
                 for d in (2, 9, 16, 24) for where, sign in (("top", 1), ("bottom", -1)) for ha in ("left", "right")]
        more += [(side * dx, -dy, "left" if side > 0 else "right", "center")
                 for dx in (2.5, 12.0, 24.0) for dy in (5, 10, 16, 24, 32, 40) for side in (1, -1)]
        tries += sorted(more, key=lambda t: (abs(t[0]) if isinstance(t[0], float) else 0.0) + abs(t[1]))
        anchor = (anchor, half)
    weight = "bold" if mark.kind == "pds" else "normal"
    # a thin leader from the label to its step: always for a flat step, for an arrow's label only
    # when the label had to move away from it (switched on in _place_labels)
    leader = {"arrowstyle": "-", "color": s.color, "lw": 0.5, "shrinkA": 0.5, "shrinkB": 1.5}
    text = ax.annotate(mark.text, xy=anchor if mark.flat else anchor[0], xytext=(0, 0), textcoords="offset points",
                       fontsize=6.5, color=s.color, fontweight=weight, zorder=5, annotation_clip=False,
                       arrowprops=leader)
    text.set_in_layout(False)  # placed after the layout, inside the axes
    return (ax, text, anchor, tries, mark.flat)


def _line_points(ax, step_px: float = 2.0):
    """Points every ``step_px`` along each drawn level, connector and arrow of ``ax`` (display
    units), with a weight: levels 4, connectors and arrows 1."""
    import numpy as np

    pts, weights = [], []
    for line in ax.lines:
        gid = line.get_gid() or ""
        if not (gid.startswith("series:") or gid.startswith("connector:") or gid.startswith("arrow:")):
            continue
        xy = line.get_transform().transform(np.asarray(line.get_xydata(), float))
        for (xa, ya), (xb, yb) in zip(xy[:-1], xy[1:]):
            n = max(2, int(np.hypot(xb - xa, yb - ya) / step_px))
            t = np.linspace(0.0, 1.0, n)
            pts.append(np.column_stack([xa + t * (xb - xa), ya + t * (yb - ya)]))
            weights.append(np.full(n, 4.0 if gid.startswith("series:") else 1.0))
    if not pts:
        return np.zeros((0, 2)), np.zeros(0)
    return np.vstack(pts), np.concatenate(weights)


def _place_labels(fig, placed) -> None:
    """Put each mark label at the first of its candidate spots that covers no placed text, no
    level, connector or arrow and stays inside its axes; else where it covers least."""
    renderer = fig.canvas.get_renderer()
    mine = {id(p[1]) for p in placed}
    taken = [_text_box(t, renderer) for ax in fig.axes for t in ax.texts
             if t.get_visible() and t.get_text() and id(t) not in mine]
    points = {ax: _line_points(ax) for ax in {p[0] for p in placed}}

    def cost(box, ax):
        inside = ax.bbox
        if box.x0 < inside.x0 or box.x1 > inside.x1 or box.y0 < inside.y0 or box.y1 > inside.y1:
            return 1e9
        over = 0.0
        for other in taken:
            w = min(box.x1, other.x1) - max(box.x0, other.x0) + 2
            h = min(box.y1, other.y1) - max(box.y0, other.y0) + 2
            if w > 0 and h > 0:
                over += 100.0 + w * h
        xy, wt = points[ax]
        if len(xy):
            hit = (xy[:, 0] > box.x0 - 1) & (xy[:, 0] < box.x1 + 1) & (xy[:, 1] > box.y0 - 1) & (xy[:, 1] < box.y1 + 1)
            over += float(wt[hit].sum())
        return over

    for ax, text, anchor, tries, flat in placed:
        best = None
        for dx, dy, ha, va in tries:
            xy = _anchor_xy(anchor, dx, flat)
            dx = 0 if dx in ("top", "bottom") else dx
            text.xy = xy
            text.set_position((dx, dy))
            text.set_ha(ha)
            text.set_va(va)
            c = cost(_text_box(text, renderer), ax)
            if best is None or c < best[0]:
                best = (c, xy, dx, dy, ha, va)
            if c == 0:
                break
        _, xy, dx, dy, ha, va = best
        text.xy = xy
        text.set_position((dx, dy))
        text.set_ha(ha)
        text.set_va(va)
        if text.arrow_patch is not None:
            text.arrow_patch.set_visible(flat or abs(dy) >= 9 or (isinstance(dx, float) and abs(dx) >= 10))
        taken.append(_text_box(text, renderer))


def _anchor_xy(anchor, dx, flat):
    if flat:
        return anchor
    (x, ymid), half = anchor
    if dx == "top":
        return (x, ymid + half)
    if dx == "bottom":
        return (x, ymid - half)
    return (x, ymid)


def _text_box(text, renderer):
    """Extent of the text alone (an annotation's leader line left out), display units."""
    from matplotlib.text import Annotation, Text

    if isinstance(text, Annotation):
        text.update_positions(renderer)
    return Text.get_window_extent(text, renderer)


def _notes_text(notes, width_in: float, max_lines: int = 4) -> str:
    """One shortened line per warning (about 17 characters per inch at x-small); the table has them whole."""
    import textwrap

    width = max(40, int(width_in * 17))
    # flag marks (\u2020 B: flagged runs: ...) stand as they are; the rest are warnings
    lines = [textwrap.shorten(note if note.startswith("\u2020") else "warning: " + note.removeprefix("warning: "),
                              width, placeholder=" ...")
             for note in notes]
    if len(lines) > max_lines:
        lines = lines[: max_lines - 1] + [f"... {len(notes)} warnings in all: see the table"]
    return "\n".join(lines)

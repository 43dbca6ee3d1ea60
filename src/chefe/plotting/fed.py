"""Draw free-energy diagrams from :class:`~chefe.plotting.data.FEDPlotData` (matplotlib)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from .data import FEDPlotData


def plot_fed(
    data: FEDPlotData,
    *,
    axes=None,
    filename: str | Path | Sequence[str | Path] | None = None,
    style: str | None = None,
    legend: bool = True,
    notes: bool = True,
):
    """Draw the panels of ``data``; return the Figure.

    Args:
        data: output of :func:`chefe.plotting.data.fed_plot_data`.
        axes: existing Axes (one per panel) to draw on; a new figure is made otherwise.
        filename: file name(s) to save (format from the suffix: .png, .pdf, .svg).
        style: a matplotlib style to use instead of the shipped ``chefe.mplstyle``.
        legend: draw a legend when more than one series is shown.
        notes: print ``data.notes`` (warnings about the input) under the diagram, so that a
            figure made from questionable input says so.

    The style is applied with ``plt.style.context`` only while drawing: global rcParams are
    never changed.
    """
    import matplotlib.pyplot as plt

    from . import style_path

    with plt.style.context(style or style_path()):
        if axes is None:
            n = len(data.panels)
            if data.layout == "rows":
                fig, axs = plt.subplots(n, 1, figsize=data.figsize, squeeze=False,
                                        layout="constrained")
                axs = axs[:, 0]
            else:
                fig, axs = plt.subplots(1, n, figsize=data.figsize, squeeze=False,
                                        layout="constrained")
                axs = axs[0]
        else:
            axs = list(axes) if isinstance(axes, Sequence) else [axes]
            fig = axs[0].figure
        for ax, panel in zip(axs, data.panels):
            _draw_panel(ax, panel, legend)
            ax.set_ylabel(data.ylabel)
        if len(axs) > 1:
            fig.align_ylabels(axs)
        if data.title:
            fig.suptitle(data.title, fontsize="small", x=0.01, ha="left", multialignment="left")
        if notes and data.notes:
            fig.supxlabel(_notes_text(data.notes, data.figsize[0]), fontsize="x-small", color="#b00000",
                          ha="left", x=0.01, multialignment="left")
        if legend:
            _clear_legends(fig, axs)
        if filename is not None:
            names = [filename] if isinstance(filename, (str, Path)) else list(filename)
            for name in names:
                Path(name).parent.mkdir(parents=True, exist_ok=True)
                fig.savefig(name)
    return fig


def _draw_panel(ax, panel, legend: bool) -> None:
    for s in panel.series:
        for x0, x1, y in zip(s.level_x0, s.level_x1, s.level_y):
            ax.plot([x0, x1], [y, y], color=s.color, lw=2.0, solid_capstyle="butt", zorder=3)
        if s.level_err is not None:
            ax.errorbar((s.level_x0 + s.level_x1) / 2, s.level_y, yerr=s.level_err, fmt="none",
                        ecolor=s.color, elinewidth=0.8, capsize=2.0, capthick=0.8, zorder=3)
        for k, (cx, cy) in enumerate(zip(s.connector_x, s.connector_y)):
            is_pds = k == s.pds
            ax.plot(cx, cy, color=s.color, lw=1.4 if is_pds else 0.8,
                    ls="-" if is_pds else (0, (2.5, 1.5)), zorder=2 if is_pds else 1)
        ax.plot([], [], color=s.color, lw=2.0, label=s.legend)
        if s.pds_text:
            x, y = s.pds_text_xy
            ax.annotate(s.pds_text, (x, y), ha="center", va="bottom", fontsize=6.5, color=s.color,
                        zorder=4)
        for text, (lx, ly) in zip(s.level_labels, s.level_label_xy):
            if text and lx == lx:  # not NaN
                ax.text(lx, ly, text, ha="center", va="bottom", fontsize=6, color="0.15", zorder=4)
    ax.set_xticks(panel.xticks)
    if any(panel.xticklabels):
        ha = "right" if panel.tick_rotation else "center"
        ax.set_xticklabels(panel.xticklabels, rotation=panel.tick_rotation, ha=ha,
                           rotation_mode="anchor" if panel.tick_rotation else "default")
    else:
        ax.set_xticklabels([])
    ax.tick_params(axis="x", length=0)
    for x, entries in zip(panel.xticks, panel.stacked_labels):
        for k, (text, color) in enumerate(entries):
            ax.annotate(text, xy=(x, 0.0), xycoords=("data", "axes fraction"),
                        xytext=(0.0, -3.0 - 1.25 * panel.label_fontsize * k),
                        textcoords="offset points", ha="center", va="top", color=color,
                        fontsize=panel.label_fontsize, annotation_clip=False)
    ax.set_xlim(*panel.xlim)
    ax.set_ylim(*panel.ylim)
    ax.axhline(0.0, color="0.75", lw=0.5, zorder=0, gid="guide")
    ax.set_title(panel.title, loc="left")
    if legend and len(panel.series) > 1:
        if panel.legend_outside:
            ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0,
                      title="solid connector: PDS", title_fontsize=6.5)
        else:
            ax.legend(loc="best")


def _legend_hits(ax, leg, renderer) -> bool:
    """Whether the legend box covers a level, a connector or a label of ``ax`` (display units)."""
    box = leg.get_window_extent(renderer)
    for line in ax.lines:
        if line.get_gid() == "guide" or len(line.get_xdata()) == 0:
            continue
        path = line.get_transform().transform_path(line.get_path())
        if path.intersects_bbox(box, filled=False):
            return True
    return any(t.get_visible() and t.get_text() and t.get_window_extent(renderer).overlaps(box)
               for t in ax.texts)


def _clear_legends(fig, axs, tries: int = 3) -> None:
    """Move every inside legend off the data: where matplotlib's best place still covers a level
    or a label, open a band below the lowest level as tall as the legend and place it there; after
    ``tries`` such bands, put it beside the axes."""
    for _ in range(tries):
        fig.draw_without_rendering()  # lays the figure out: extents in their final place
        renderer = fig.canvas.get_renderer()
        crowded = [ax for ax in axs if ax.get_legend() is not None and ax.get_legend().get_bbox_to_anchor()
                   is ax.bbox and _legend_hits(ax, ax.get_legend(), renderer)]
        if not crowded:
            return
        for ax in crowded:
            leg = ax.get_legend()
            share = leg.get_window_extent(renderer).height / ax.bbox.height
            lo, hi = ax.get_ylim()
            ax.set_ylim(lo - (hi - lo) * share / max(1.0 - share, 0.3) * 1.08, hi)
            ax.legend(loc="lower left" if len(leg.texts) > 1 else "best")
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    for ax in axs:
        leg = ax.get_legend()
        if leg is not None and leg.get_bbox_to_anchor() is ax.bbox and _legend_hits(ax, leg, renderer):
            ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)


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

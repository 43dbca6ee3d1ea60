"""Screening figures: scaling scatter, 1-D volcano, 2-D activity map, M1 x M2 heatmap.

Each figure has a ``*_data`` function returning plain arrays and labels (tested without
matplotlib) and a ``plot_*`` function that draws that data with the shipped style.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .data import PALETTE, _signed


def scaling_plot_data(fit, x, y, violations=(), n_line: int = 100) -> dict:
    """Points, fit line with its confidence band (OLS/robust CI of the intercept and slope), violators."""
    x = np.asarray(x, dtype=float).ravel()
    y = np.asarray(y, dtype=float)
    xs = np.linspace(x.min(), x.max(), n_line)
    line = fit.coef[0] * xs + fit.intercept
    corners = [a * xs + b for a in fit.coef_ci[0] for b in fit.intercept_ci]
    bad = {v.name for v in violations}
    is_bad = np.array([n in bad for n in fit.names])
    return {
        "x": x, "y": y, "names": list(fit.names), "violator": is_bad,
        "line_x": xs, "line_y": line, "band_lo": np.min(corners, axis=0), "band_hi": np.max(corners, axis=0),
        "label": f"{fit.equation()}  (R² = {fit.r2:.2f}, RMSE = {fit.rmse:.2f} eV, n = {fit.n}, {fit.method})",
        "xlabel": f"{fit.x_names[0]} (eV)", "ylabel": f"{fit.y_name} (eV)",
    }


def volcano_plot_data(amap, candidates_x=None, candidates_UL=None, names=None, violators=None) -> dict:
    """The volcano curve coloured by leg, plus candidates (violators marked)."""
    x = amap.axes[0]
    legs = []
    for i in np.unique(amap.pds):
        sel = amap.pds == i
        legs.append({"step": amap.model.network.steps[int(i)].id, "x": x[sel], "U_L": amap.U_L[sel]})
    best, where = amap.optimum
    return {
        "x": x, "U_L": amap.U_L, "legs": legs, "optimum": (where[0], best),
        "candidates": None if candidates_x is None else {
            "x": np.asarray(candidates_x, float), "U_L": np.asarray(candidates_UL, float),
            "names": list(names or []), "violator": np.asarray(violators if violators is not None else
                                                              np.zeros(len(candidates_x), bool))},
        "xlabel": f"{amap.model.descriptors[0]} (eV)", "ylabel": f"U$_L$ (V$_{{{amap.conditions.scale}}}$)",
    }


def spread_labels(x, y, xlim, ylim, gap: float = 0.05, width: float = 0.2):
    """Label positions that keep the labels of nearby points apart and inside the axes.

    Points are labelled alternately on their right and left (``ha`` per label); on each side,
    labels whose x-extent (``width`` of the x-range) overlaps are at least ``gap`` of the
    y-range apart, and a side whose labels run past the top is shifted down. Returns
    ``(lx, ly, ha)``.
    """
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    xspan, yspan = xlim[1] - xlim[0], ylim[1] - ylim[0]
    order = np.argsort(y)
    lx = np.empty(len(x))
    ly = y.copy()
    ha = np.empty(len(x), dtype=object)
    for side, members in (("left", order[1::2]), ("right", order[0::2])):
        for i in members:
            lx[i] = x[i] + (0.02 * xspan if side == "left" else -0.02 * xspan)
            ha[i] = side
        placed: list[int] = []
        for i in members:
            for j in sorted(placed, key=lambda k: ly[k]):
                if abs(lx[i] - lx[j]) < width * xspan and abs(ly[i] - ly[j]) < gap * yspan:
                    ly[i] = ly[j] + gap * yspan
            placed.append(i)
        if len(members):
            over = ly[members].max() - (ylim[1] - 0.03 * yspan)
            if over > 0:
                ly[members] -= over
    return lx, ly, ha


def map_plot_data(amap, candidates=None) -> dict:
    """A 2-D U_L map (grid and contour levels) with optional candidate markers ``(x, y, names)``.

    Candidate labels are spread so that they do not overlap (``label_x``, ``label_y``).
    """
    lo, hi = np.nanmin(amap.U_L), np.nanmax(amap.U_L)
    levels = np.linspace(np.floor(lo * 10) / 10, np.ceil(hi * 10) / 10, 15)
    labels = None
    if candidates is not None:
        cx, cy, names = candidates
        ax0, ax1 = amap.axes
        lx, ly, ha = spread_labels(cx, cy, (ax0.min(), ax0.max()), (ax1.min(), ax1.max()))
        labels = {"x": lx, "y": ly, "ha": list(ha), "names": list(names)}
    return {
        "x": amap.axes[0], "y": amap.axes[1], "U_L": amap.U_L, "levels": levels,
        "candidates": candidates, "labels": labels,
        "xlabel": amap.model.descriptors[0], "ylabel": amap.model.descriptors[1],
        "colorbar": f"U$_L$ (V$_{{{amap.conditions.scale}}}$)",
    }


def heatmap_plot_data(rows, cols, grid, label: str = "U$_L$ (V)", *, row_title: str = "M$_1$",
                      col_title: str = "M$_2$", marks=(), title: str = "") -> dict:
    """An M1 x M2 heatmap: ``grid[i, j]`` for row ``rows[i]`` and column ``cols[j]`` (NaN: not
    computed, drawn blank); ``marks``: ``(row, col, text)`` cells outlined and annotated (a
    published best pair, say)."""
    return {"rows": list(rows), "cols": list(cols), "grid": np.asarray(grid, float), "label": label,
            "text": [[("" if np.isnan(v) else _signed(v)) for v in r] for r in grid],
            "row_title": row_title, "col_title": col_title, "title": title,
            "marks": [(list(rows).index(r), list(cols).index(c), t) for r, c, t in marks]}


def _figure(style, figsize):
    import matplotlib.pyplot as plt

    from . import style_path

    ctx = plt.style.context(style or style_path())
    ctx.__enter__()
    fig, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ctx, fig, ax


def _finish(ctx, fig, filename):
    if filename is not None:
        for name in ([filename] if isinstance(filename, (str, Path)) else filename):
            Path(name).parent.mkdir(parents=True, exist_ok=True)
            fig.savefig(name)
    ctx.__exit__(None, None, None)
    return fig


def plot_scaling(data: dict, *, filename=None, style: str | None = None):
    ctx, fig, ax = _figure(style, (3.4, 3.0))
    ok = ~data["violator"]
    ax.fill_between(data["line_x"], data["band_lo"], data["band_hi"], color=PALETTE[0], alpha=0.15, lw=0)
    ax.plot(data["line_x"], data["line_y"], color=PALETTE[0], lw=1.2, label="fit")
    ax.scatter(data["x"][ok], data["y"][ok], s=14, color="0.25", zorder=3, label="candidates")
    if (~ok).any():
        ax.scatter(data["x"][~ok], data["y"][~ok], s=30, facecolor="none", edgecolor=PALETTE[1], lw=1.2,
                   zorder=4, label="breaks scaling")
        for xi, yi, n in zip(data["x"][~ok], data["y"][~ok], np.asarray(data["names"])[~ok]):
            ax.annotate(n, (xi, yi), xytext=(3, 3), textcoords="offset points", fontsize=6, color=PALETTE[1])
    ax.set_xlabel(data["xlabel"])
    ax.set_ylabel(data["ylabel"])
    ax.set_title(data["label"], fontsize=6, loc="left")
    ax.legend(loc="best")
    return _finish(ctx, fig, filename)


def plot_volcano(data: dict, *, filename=None, style: str | None = None):
    ctx, fig, ax = _figure(style, (3.4, 2.8))
    for k, leg in enumerate(data["legs"]):
        ax.plot(leg["x"], leg["U_L"], color=PALETTE[k % len(PALETTE)], lw=1.6, label=f"PDS {leg['step']}")
    cand = data["candidates"]
    if cand is not None:
        ok = ~cand["violator"]
        ax.scatter(cand["x"][ok], cand["U_L"][ok], s=14, color="0.2", zorder=3)
        if (~ok).any():
            ax.scatter(cand["x"][~ok], cand["U_L"][~ok], s=30, facecolor="none", edgecolor=PALETTE[1], lw=1.2, zorder=4)
    ax.set_xlabel(data["xlabel"])
    ax.set_ylabel(data["ylabel"])
    ax.legend(loc="lower center", fontsize=6)
    return _finish(ctx, fig, filename)


def plot_map(data: dict, *, filename=None, style: str | None = None):
    ctx, fig, ax = _figure(style, (3.6, 3.0))
    cs = ax.contourf(data["x"], data["y"], data["U_L"], levels=data["levels"], cmap="viridis")
    ax.contour(data["x"], data["y"], data["U_L"], levels=data["levels"], colors="k", linewidths=0.3)
    cb = fig.colorbar(cs, ax=ax)
    cb.set_label(data["colorbar"])
    if data["candidates"] is not None:
        cx, cy, names = data["candidates"]
        ax.scatter(cx, cy, s=16, color="white", edgecolor="k", lw=0.6, zorder=3)
        lab = data["labels"]
        for xi, yi, lx, ly, ha, n in zip(cx, cy, lab["x"], lab["y"], lab["ha"], lab["names"]):
            ax.annotate(n, (xi, yi), xytext=(lx, ly), textcoords="data", fontsize=5.5, color="white",
                        va="center", ha=ha, arrowprops={"arrowstyle": "-", "color": "white", "lw": 0.4,
                                                 "shrinkA": 0, "shrinkB": 2})
    ax.set_xlabel(data["xlabel"])
    ax.set_ylabel(data["ylabel"])
    return _finish(ctx, fig, filename)


def plot_heatmap(data: dict, *, filename=None, style: str | None = None):
    from matplotlib.patches import Rectangle

    ctx, fig, ax = _figure(style, (0.42 * len(data["cols"]) + 1.4, 0.36 * len(data["rows"]) + 0.9))
    im = ax.imshow(data["grid"], cmap="viridis", aspect="auto")
    ax.set_xticks(range(len(data["cols"])), data["cols"])
    ax.set_yticks(range(len(data["rows"])), data["rows"])
    ax.tick_params(length=0)
    ax.minorticks_off()
    norm = im.norm
    for i, row in enumerate(data["text"]):
        for j, t in enumerate(row):
            if t:
                bright = norm(data["grid"][i, j]) > 0.65  # viridis turns yellow: dark text there
                ax.text(j, i, t, ha="center", va="center", fontsize=5.5, color="0.1" if bright else "white")
    for i, j, text in data.get("marks", ()):
        ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor="#D55E00", lw=1.6, zorder=4))
        ax.annotate(text, (j, i - 0.5), xytext=(0, 2), textcoords="offset points", ha="center", va="bottom",
                    fontsize=5.5, color="#D55E00", zorder=5, annotation_clip=False)
    if data.get("col_title"):
        ax.set_xlabel(data["col_title"])
    if data.get("row_title"):
        ax.set_ylabel(data["row_title"])
    if data.get("title"):
        ax.set_title(data["title"], loc="left", fontsize="small")
    cb = fig.colorbar(im, ax=ax)
    cb.set_label(data["label"])
    return _finish(ctx, fig, filename)


__all__ = ["heatmap_plot_data", "map_plot_data", "plot_heatmap", "plot_map", "plot_scaling",
           "plot_volcano", "scaling_plot_data", "volcano_plot_data"]

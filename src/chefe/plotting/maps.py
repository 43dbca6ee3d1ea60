"""Screening figures: scaling scatter, 1-D volcano, 2-D activity map, M1 x M2 heatmap.

Each figure has a ``*_data`` function returning plain arrays and labels (tested without
matplotlib) and a ``plot_*`` function that draws that data with the shipped style.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .data import PALETTE, _signed, subscript_label_state

#: At most this many candidates are named on a map or volcano (the best by U_L, plus every
#: candidate that breaks the scaling relations); the rest are drawn as points.
MAX_NAMES = 15


def axis_label(name: str) -> str:
    """An axis title with quantity and unit: ``*NO3`` or ``dG_NO3`` -> ΔG(*NO3) (eV); a title
    that already carries a unit is kept."""
    if "eV" in name or "$" in name:
        return name
    species = name[3:] if name.startswith(("dG_", "dG(")) else name
    species = species.rstrip(")")
    if not species.startswith("*"):
        species = "*" + species
    try:
        text = subscript_label_state(species)
    except Exception:  # noqa: BLE001 - a label must never break a figure
        text = species
    return f"ΔG({text}) (eV)"


def step_label(step) -> str:
    """A step in chemical names: ``*NO2H → *NO`` (adsorbed species; reservoirs where no adsorbate)."""
    def side(terms):
        names = [sp.name for sp, _ in terms if not sp.is_reservoir and sp.name not in ("*", "H+", "e-")]
        if not names:
            names = [sp.name for sp, _ in terms if sp.name not in ("*", "H+", "e-", "H2O(l)")]
        return "+".join(subscript_label_state(n) for n in names) if names else "*"
    return f"{side(step.reactants)} \u2192 {side(step.products)}"


def _named(values, direction: float, extra=None, limit: int = MAX_NAMES) -> np.ndarray:
    """Which candidates to name: the ``limit`` best by U_L and every one in ``extra``."""
    values = np.asarray(values, float)
    keep = np.zeros(len(values), bool)
    order = np.argsort(-direction * np.where(np.isfinite(values), values, -direction * np.inf))
    keep[order[:limit]] = True
    if extra is not None:
        keep |= np.asarray(extra, bool)
    return keep


def best_inside(amap, box=None) -> dict:
    """The best U_L of ``amap`` inside ``box`` (per axis (lo, hi); default the whole grid): its
    value, place, and whether it lies on the box's edge (then the optimum is beyond the range)."""
    direction = 1.0 if amap.model.network.products[amap.product].n_e > 0 else -1.0
    axes = amap.axes
    if len(axes) == 1:
        mask = np.ones(axes[0].shape, bool) if box is None else (axes[0] >= box[0][0]) & (axes[0] <= box[0][1])
        grids = [axes[0]]
    else:
        X, Y = np.meshgrid(axes[0], axes[1])
        grids = [X, Y]
        mask = np.ones(X.shape, bool)
        if box is not None:
            mask = (X >= box[0][0]) & (X <= box[0][1]) & (Y >= box[1][0]) & (Y <= box[1][1])
    values = np.where(mask & np.isfinite(amap.U_L), direction * amap.U_L, -np.inf)
    k = np.unravel_index(np.argmax(values), values.shape)
    where = tuple(float(g[k]) for g in grids)
    lo = [float(g[mask].min()) for g in grids]
    hi = [float(g[mask].max()) for g in grids]
    span = [max(h - l, 1e-12) for l, h in zip(lo, hi)]
    edge = [abs(w - l) < 0.011 * sp or abs(w - h) < 0.011 * sp for w, l, h, sp in zip(where, lo, hi, span)]
    return {"U_L": float(amap.U_L[k]), "where": where, "edge": any(edge), "corner": all(edge),
            "box": tuple(zip(lo, hi)), "mask": mask}


def _box_of(points, pad: float = 0.1):
    """Per axis (lo, hi) of the candidates' values, padded by ``pad`` of their range."""
    out = []
    for v in points:
        v = np.asarray(v, float)
        v = v[np.isfinite(v)]
        lo, hi = float(v.min()), float(v.max())
        d = pad * max(hi - lo, 1e-9)
        out.append((lo - d, hi + d))
    return tuple(out)


def _best_text(best, names) -> str:
    """Two lines: the best U_L within the candidates' range, and where (chemical names, eV)."""
    where = ", ".join(f"{axis_label(n.split(' (')[0]).removesuffix(' (eV)')} = {_signed(w)} eV"
                      for n, w in zip(names, best["where"]))
    text = f"scaling model's best U$_L$ in the candidates' range: {_signed(best['U_L'])} V\nat {where}"
    if best["corner"]:
        text += "\n(a corner of the range: the optimum lies beyond the data)"
    elif best["edge"]:
        text += "\n(on the edge of the range: the optimum lies beyond the data)"
    return text


def _equation(fit) -> str:
    """``ΔG(*NO2H) = 1.09 ΔG(*NO2) + 0.69 eV`` with chemical subscripts and typographic minus."""
    def quantity(name):
        return axis_label(name).removesuffix(" (eV)")

    terms = " ".join(f"{'−' if a < 0 and k else ('+' if k else '')} {abs(a) if k else a:.2f} {quantity(x)}".strip()
                     .replace("-", "−") for k, (a, x) in enumerate(zip(fit.coef, fit.x_names)))
    b = fit.intercept
    return f"{quantity(fit.y_name)} = {terms} {'−' if b < 0 else '+'} {abs(b):.2f} eV"


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
        "label": f"{_equation(fit)}\nR² = {fit.r2:.2f}, RMSE = {fit.rmse:.2f} eV, n = {fit.n}, {fit.method} fit",
        "xlabel": axis_label(fit.x_names[0]), "ylabel": axis_label(fit.y_name),
        # the envelope of the lines through the corners of the slope and intercept intervals
        "band_label": f"{fit.level:.0%} intervals of slope and intercept",
    }


def volcano_plot_data(amap, candidates_x=None, candidates_UL=None, names=None, violators=None) -> dict:
    """The volcano curve coloured by leg, plus candidates (violators marked)."""
    x = amap.axes[0]
    legs = []
    net = amap.model.network
    for i in np.unique(amap.pds):
        sel = amap.pds == i
        step = net.steps[int(i)]
        legs.append({"step": step.id, "label": "PDS " + step_label(step), "x": x[sel], "U_L": amap.U_L[sel]})
    box = None if candidates_x is None else _box_of([candidates_x])
    best = best_inside(amap, box)
    direction = 1.0 if net.products[amap.product].n_e > 0 else -1.0
    named = None
    if candidates_x is not None:
        named = _named(candidates_UL, direction, violators)
    return {
        "x": x, "U_L": amap.U_L, "legs": legs, "optimum": (best["where"][0], best["U_L"]), "best": best,
        "best_text": _best_text(best, [amap.model.descriptors[0]]), "named": named,
        "candidates": None if candidates_x is None else {
            "x": np.asarray(candidates_x, float), "U_L": np.asarray(candidates_UL, float),
            "names": list(names or []), "violator": np.asarray(violators if violators is not None else
                                                              np.zeros(len(candidates_x), bool))},
        "xlabel": axis_label(amap.model.descriptors[0]), "ylabel": f"U$_L$ (V$_{{{amap.conditions.scale}}}$)",
    }


def map_plot_data(amap, candidates=None) -> dict:
    """A 2-D U_L map: grid, contour levels, the region of each potential-determining step (named
    by its chemistry), optional candidates ``(x, y, names)`` and the best point inside the
    candidates' range (the relations are fitted there; beyond it the map extrapolates).

    Candidate labels are placed when drawing (adjustText); at most :data:`MAX_NAMES` of them,
    the best by U_L.
    """
    from matplotlib.ticker import MaxNLocator

    lo, hi = np.nanmin(amap.U_L), np.nanmax(amap.U_L)
    levels = MaxNLocator(14).tick_values(lo, hi)  # round steps (0.1, 0.2, 0.25 V ...)
    net = amap.model.network
    X, Y = np.meshgrid(amap.axes[0], amap.axes[1])
    regions = []
    present = [int(i) for i in np.unique(amap.pds) if i >= 0]
    for rank, i in enumerate(present):
        sel = amap.pds == i
        if sel.mean() < 0.03:  # a sliver: its boundary is drawn, its name would not fit
            continue
        # the region's label at its grid point farthest from other regions (its most central)
        from scipy.ndimage import distance_transform_edt

        depth = distance_transform_edt(np.pad(sel, 1))[1:-1, 1:-1]  # the grid's edge bounds it too
        order = np.argsort(-depth, axis=None)
        order = order[depth.ravel()[order] >= 0.5 * depth.max()][:: max(1, int(sel.sum() // 400))][:60]
        regions.append({"step": net.steps[i].id, "label": step_label(net.steps[i]),
                        "x": float(X.ravel()[order[0]]), "y": float(Y.ravel()[order[0]]),
                        # further spots inside the region, most central first, for the label
                        "spots": [(float(X.ravel()[k]), float(Y.ravel()[k])) for k in order]})
    index = np.full(amap.pds.shape, np.nan)
    for rank, i in enumerate(present):
        index[amap.pds == i] = rank
    box = None
    named = None
    if candidates is not None:
        cx, cy, names = candidates
        box = _box_of([cx, cy])
        direction = 1.0 if net.products[amap.product].n_e > 0 else -1.0
        from ..engine import analyse

        # the map's U_L at each candidate (the best ones are named)
        at = analyse(net, amap.model.step_energies(np.vstack([np.asarray(cx, float), np.asarray(cy, float)])),
                     amap.conditions, product=amap.product, keep_routes=False).U_L
        named = _named(at, direction)
    best = best_inside(amap, box)
    return {
        "x": amap.axes[0], "y": amap.axes[1], "U_L": amap.U_L, "levels": levels,
        "candidates": candidates, "named": named, "regions": regions, "region_index": index,
        "best": best, "best_text": _best_text(best, amap.model.descriptors),
        "xlabel": axis_label(amap.model.descriptors[0]), "ylabel": axis_label(amap.model.descriptors[1]),
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


def plot_scaling(data: dict, *, filename=None, style: str | None = None, width: float = 3.3,
                 height: float = 3.2):
    """Scaling scatter: the fit with its confidence band, the candidates, and the ones that break
    the relation circled and named (labels placed by adjustText)."""
    ctx, fig, ax = _figure(style, (width, height))
    ok = ~data["violator"]
    ax.fill_between(data["line_x"], data["band_lo"], data["band_hi"], color=PALETTE[0], alpha=0.15, lw=0,
                    label=data.get("band_label", "confidence band"))
    ax.plot(data["line_x"], data["line_y"], color=PALETTE[0], lw=1.2, label="fit")
    ax.scatter(data["x"][ok], data["y"][ok], s=14, color="0.25", zorder=3, label="candidates")
    if (~ok).any():
        ax.scatter(data["x"][~ok], data["y"][~ok], s=30, facecolor="none", edgecolor=PALETTE[1], lw=1.2,
                   zorder=4, label="breaks scaling")
    ax.set_xlabel(data["xlabel"])
    ax.set_ylabel(data["ylabel"])
    ax.set_title(data["label"], fontsize=6.5, loc="left")
    fig.legend(loc="outside lower center", ncols=2, fontsize=6.5)
    if (~ok).any():
        _names(fig, ax, data["x"][~ok], data["y"][~ok], np.asarray(data["names"])[~ok], PALETTE[1])
    return _finish(ctx, fig, filename)


def _names(fig, ax, x, y, names, color, fontsize: float = 6.0, outline: str | None = None, avoid=()) -> list:
    """Name points without overlaps: adjustText moves the labels off each other, the points and
    the axes edge, with a thin leader to each point."""
    from adjustText import adjust_text

    effects = None
    if outline:
        from matplotlib import patheffects

        effects = [patheffects.withStroke(linewidth=1.5, foreground=outline)]
    from ..species import chemical_name

    texts = [ax.text(xi, yi, chemical_name(str(n)), fontsize=fontsize, color=color, zorder=6, path_effects=effects)
             for xi, yi, n in zip(x, y, names)]
    if not texts:
        return texts
    for _ in range(2):
        fig.draw_without_rendering()
    adjust_text(texts, x=np.asarray(x, float), y=np.asarray(y, float), ax=ax, ensure_inside_axes=True,
                objects=list(avoid) or None,
                expand=(1.05, 1.15),
                arrowprops={"arrowstyle": "-", "color": color, "lw": 0.4, "shrinkA": 0, "shrinkB": 2})
    return texts


def plot_volcano(data: dict, *, filename=None, style: str | None = None, width: float = 3.3,
                 height: float = 3.0):
    """1-D volcano: one line per potential-determining step (named by its chemistry), the
    candidates (those beating the scaling-limited optimum circled) and the best point inside
    the candidates' range."""
    ctx, fig, ax = _figure(style, (width, height))
    for k, leg in enumerate(data["legs"]):
        ax.plot(leg["x"], leg["U_L"], color=PALETTE[k % len(PALETTE)], lw=1.6, label=leg.get("label", leg["step"]))
    cand = data["candidates"]
    if cand is not None:
        ok = ~cand["violator"]
        ax.scatter(cand["x"][ok], cand["U_L"][ok], s=14, color="0.2", zorder=3, label="candidates")
        if (~ok).any():
            ax.scatter(cand["x"][~ok], cand["U_L"][~ok], s=30, facecolor="none", edgecolor=PALETTE[1], lw=1.2,
                       zorder=4, label="beats the scaling line")
    best = data.get("best")
    if best is not None:
        ax.plot([best["where"][0]], [best["U_L"]], marker="*", ms=7, color="k", ls="none", zorder=5,
                label="model's best in range")
    ax.set_xlabel(data["xlabel"])
    ax.set_ylabel(data["ylabel"])
    if data.get("best_text"):
        ax.set_title(data["best_text"], fontsize=6, loc="left")
    fig.legend(loc="outside lower center", ncols=2, fontsize=6.5)
    if cand is not None and cand["names"]:
        keep = data.get("named")
        keep = np.ones(len(cand["x"]), bool) if keep is None else keep
        _names(fig, ax, cand["x"][keep], cand["U_L"][keep], np.asarray(cand["names"])[keep], "0.15")
    return _finish(ctx, fig, filename)


def plot_map(data: dict, *, filename=None, style: str | None = None, width: float = 3.3,
             height: float = 3.3):
    """2-D activity map: filled U_L contours, the boundaries and names of the PDS regions, the
    candidates (the best ones named), and the best point within the candidates' range."""
    ctx, fig, ax = _figure(style, (width, height))
    cs = ax.contourf(data["x"], data["y"], data["U_L"], levels=data["levels"], cmap="viridis")
    ax.contour(data["x"], data["y"], data["U_L"], levels=data["levels"], colors="k", linewidths=0.25, alpha=0.5)
    cb = fig.colorbar(cs, ax=ax)
    cb.set_label(data["colorbar"])
    index = data.get("region_index")
    if index is not None and np.isfinite(index).any() and np.nanmax(index) > 0:
        for rank in range(int(np.nanmax(index)) + 1):  # each region's own outline: one line per boundary
            ax.contour(data["x"], data["y"], (index == rank).astype(float), levels=[0.5], colors="white",
                       linewidths=0.9)
    best = data.get("best")
    if best is not None:
        (x0, x1), (y0, y1) = best["box"]
        if data["candidates"] is not None:
            from matplotlib.patches import Rectangle

            ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, ls=(0, (2, 2)), lw=0.6, ec="white",
                                   zorder=3))
        ax.plot([best["where"][0]], [best["where"][1]], marker="*", ms=8, color="#E69F00", mec="k", mew=0.4,
                ls="none", zorder=5)
        ax.set_title(data["best_text"] + ("\ndashed: the candidates' range" if data["candidates"] is not None
                                          else ""), fontsize=6, loc="left")
    if data["candidates"] is not None:
        cx, cy, names = data["candidates"]
        cx, cy = np.asarray(cx, float), np.asarray(cy, float)
        ax.scatter(cx, cy, s=16, color="white", edgecolor="k", lw=0.6, zorder=3)
        keep = data.get("named")
        keep = np.ones(len(cx), bool) if keep is None else keep
        _names(fig, ax, cx[keep], cy[keep], np.asarray(names)[keep], "white", fontsize=5.5, outline="0.15")
    _region_labels(fig, ax, data.get("regions", ()))
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(5, prune="lower"))  # no tick label in the corner the y axis uses
    ax.set_xlabel(data["xlabel"])
    ax.set_ylabel(data["ylabel"])
    return _finish(ctx, fig, filename)


def _region_labels(fig, ax, regions) -> None:
    """Name each PDS region at the most central of its spots where the name covers no other text
    and no candidate point, inside the axes."""
    from matplotlib import patheffects

    halo = [patheffects.withStroke(linewidth=1.6, foreground="0.15")]
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    taken = [t.get_window_extent(renderer) for t in ax.texts if t.get_text()]
    points = np.vstack([c.get_offset_transform().transform(c.get_offsets()) for c in ax.collections
                        if hasattr(c, "get_offsets") and len(c.get_offsets())] or [np.zeros((0, 2))])
    for r in regions:
        t = ax.text(r["x"], r["y"], "PDS " + r["label"], fontsize=5.5, color="white", ha="center", va="center",
                    path_effects=halo, zorder=4)
        best = None
        for x, y in r.get("spots", [(r["x"], r["y"])]):
            t.set_position((x, y))
            box = t.get_window_extent(renderer)
            out = box.x0 < ax.bbox.x0 or box.x1 > ax.bbox.x1 or box.y0 < ax.bbox.y0 or box.y1 > ax.bbox.y1
            hits = sum(box.overlaps(o) for o in taken) + int(((points[:, 0] > box.x0) & (points[:, 0] < box.x1)
                                                              & (points[:, 1] > box.y0) & (points[:, 1] < box.y1)).sum())
            score = hits + (1000 if out else 0)
            if best is None or score < best[0]:
                best = (score, x, y)
            if score == 0:
                break
        t.set_position(best[1:])
        taken.append(t.get_window_extent(renderer))


def plot_heatmap(data: dict, *, filename=None, style: str | None = None):
    from matplotlib.patches import Rectangle

    ctx, fig, ax = _figure(style, (0.42 * len(data["cols"]) + 1.4, 0.36 * len(data["rows"]) + 0.9))
    im = ax.imshow(data["grid"], cmap="viridis", aspect="auto")
    ax.set_facecolor("0.92")  # cells not computed (NaN) show grey
    if np.isnan(data["grid"]).any():
        ax.set_xlabel("")  # set below with the note
        data = {**data, "col_title": (data.get("col_title") or "") + "    (grey: not computed)"}
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
    if data.get("title"):  # above the marks' annotations: a figure title, not the axes'
        fig.suptitle(data["title"], x=0.02, ha="left", fontsize="small", multialignment="left")
    cb = fig.colorbar(im, ax=ax)
    cb.set_label(data["label"])
    return _finish(ctx, fig, filename)


__all__ = ["heatmap_plot_data", "map_plot_data", "plot_heatmap", "plot_map", "plot_scaling",
           "plot_volcano", "scaling_plot_data", "volcano_plot_data"]

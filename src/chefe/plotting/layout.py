"""Layout problems of a drawn matplotlib figure, measured with its own renderer.

:func:`layout_problems` lays the figure out (``draw_without_rendering``) and reports, in words:

- two texts whose boxes overlap (tick labels, titles, legend entries, annotations, labels under
  the axis), from each text's window extent;
- a text that runs outside the canvas (it would be cut from the saved file, which keeps the
  figure's size);
- a series hidden behind others: a drawn line (``gid`` ``"series:NAME"``: chefe's diagram levels)
  of which more than ``hidden`` of its length lies under lines of other series drawn on top of it;
- a text drawn over a level of a diagram (a label sitting on a line hides both).

It is used by chefe's tests on every figure kind, and works on any figure.
"""

from __future__ import annotations

import numpy as np

#: Overlaps smaller than this (pixels at the figure's dpi, each direction) are not reported.
TOLERANCE_PX = 0.5


def _texts(fig, renderer):
    """(label, extent) of every visible, non-empty text that is drawn."""
    from matplotlib.axis import Tick
    from matplotlib.text import Annotation, Text

    tick_texts = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                tick_texts.update({id(tick.label1), id(tick.label2)})
    drawn_ticks = []
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        for axis in (ax.xaxis, ax.yaxis):
            if not axis.get_visible():
                continue
            for tick in axis._update_ticks():  # the ticks inside the view limits, as drawn
                drawn_ticks += [t for t in (tick.label1, tick.label2) if t.get_visible()]
    out = []
    for t in list(fig.findobj(Text)):
        if id(t) in tick_texts or isinstance(t, Tick):
            continue
        out.append(t)
    out += drawn_ticks
    seen, found = set(), []
    for t in out:
        if id(t) in seen or not t.get_visible() or not t.get_text().strip():
            continue
        seen.add(id(t))
        if isinstance(t, Annotation):
            t.update_positions(renderer)
        box = Text.get_window_extent(t, renderer)
        if box.width <= 0 or box.height <= 0:
            continue
        found.append((t.get_text(), box, _polygon(t, box, renderer)))
    return found


def _polygon(t, box, renderer) -> np.ndarray:
    """Corners (display) of a text's own rectangle: for rotated text the rotated rectangle,
    centred where its axis-aligned extent is, not that extent (which overstates it)."""
    from matplotlib.text import Text

    angle = t.get_rotation() % 180.0
    if abs(angle) < 1e-9:
        return np.array([[box.x0, box.y0], [box.x1, box.y0], [box.x1, box.y1], [box.x0, box.y1]])
    t.set_rotation(0.0)
    flat = Text.get_window_extent(t, renderer)
    t.set_rotation(angle)
    w, h = flat.width, flat.height
    c, s = np.cos(np.radians(angle)), np.sin(np.radians(angle))
    corners = np.array([[-w / 2, -h / 2], [w / 2, -h / 2], [w / 2, h / 2], [-w / 2, h / 2]])
    rot = corners @ np.array([[c, s], [-s, c]])
    return rot + [0.5 * (box.x0 + box.x1), 0.5 * (box.y0 + box.y1)]


def _overlap(a, b) -> bool:
    """Whether two convex polygons overlap by more than the tolerance (separating axes)."""
    for poly in (a, b):
        for k in range(len(poly)):
            edge = poly[(k + 1) % len(poly)] - poly[k]
            normal = np.array([-edge[1], edge[0]])
            norm = np.hypot(*normal)
            if norm == 0:
                continue
            normal /= norm
            pa, pb = a @ normal, b @ normal
            if min(pa.max(), pb.max()) - max(pa.min(), pb.min()) <= TOLERANCE_PX:
                return False
    return True


def _series_lines(fig):
    out = []
    for ax in fig.axes:
        for line in ax.lines:
            gid = line.get_gid() or ""
            if gid.startswith("series:") and line.get_visible() and line.get_linewidth() > 0:
                out.append((ax, gid.split(":", 1)[1], line))
    return out


def _samples(line, n: int = 40) -> np.ndarray:
    xy = line.get_transform().transform(np.asarray(line.get_xydata(), float))
    if len(xy) < 2:
        return xy
    seg = np.diff(xy, axis=0)
    length = np.hypot(seg[:, 0], seg[:, 1])
    total = length.sum()
    if total == 0:
        return xy[:1]
    s = np.linspace(0.0, total, n)
    cum = np.concatenate([[0.0], np.cumsum(length)])
    x = np.interp(s, cum, xy[:, 0])
    y = np.interp(s, cum, xy[:, 1])
    return np.column_stack([x, y])


def _covered(points, line, dpi) -> np.ndarray:
    """Which of ``points`` (display) lie under ``line``'s stroke."""
    xy = line.get_transform().transform(np.asarray(line.get_xydata(), float))
    half = line.get_linewidth() * dpi / 72 / 2
    hit = np.zeros(len(points), bool)
    for a, b in zip(xy[:-1], xy[1:]):
        d = b - a
        L2 = float(d @ d)
        if L2 == 0:
            continue
        t = np.clip(((points - a) @ d) / L2, 0.0, 1.0)
        proj = a + t[:, None] * d
        # butt caps: a point past either end of a horizontal level is not covered
        inside = (((points - a) @ d) / L2 >= -1e-9) & (((points - a) @ d) / L2 <= 1 + 1e-9)
        hit |= inside & (np.hypot(*(points - proj).T) <= half)
    return hit


def layout_problems(fig, *, hidden: float = 0.8) -> list[str]:
    """Everything wrong with ``fig``'s layout, one sentence each (empty: none found)."""
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    problems = []
    texts = _texts(fig, renderer)
    canvas = fig.bbox
    for text, box, _ in texts:
        if (box.x0 < canvas.x0 - TOLERANCE_PX or box.y0 < canvas.y0 - TOLERANCE_PX
                or box.x1 > canvas.x1 + TOLERANCE_PX or box.y1 > canvas.y1 + TOLERANCE_PX):
            problems.append(f"text {text!r} runs outside the canvas")
    for i in range(len(texts)):
        for j in range(i + 1, len(texts)):
            if _overlap(texts[i][2], texts[j][2]):
                problems.append(f"texts {texts[i][0]!r} and {texts[j][0]!r} overlap")
    lines = _series_lines(fig)
    dpi = fig.dpi
    order = {id(line): k for k, (_, _, line) in enumerate(lines)}
    for ax, name, line in lines:
        pts = _samples(line)
        covered = np.zeros(len(pts), bool)
        for ax2, other, top in lines:
            if ax2 is not ax or other == name:
                continue
            above = (top.get_zorder(), order[id(top)]) > (line.get_zorder(), order[id(line)])
            if above and top.get_linewidth() >= line.get_linewidth():
                covered |= _covered(pts, top, dpi)
        if len(pts) and covered.mean() > hidden:
            y = line.get_ydata()[0]
            problems.append(f"series {name!r} is hidden behind another series at y = {y:.2f}")
    for ax, name, line in lines:
        pts = _samples(line)
        for text, box, _ in texts:
            if text.startswith("\u25a0"):
                continue
            inside = ((pts[:, 0] > box.x0 + 1) & (pts[:, 0] < box.x1 - 1)
                      & (pts[:, 1] > box.y0 + 1) & (pts[:, 1] < box.y1 - 1))
            if inside.any():
                problems.append(f"text {text!r} is drawn over a level of {name!r}")
    return list(dict.fromkeys(problems))


__all__ = ["layout_problems"]

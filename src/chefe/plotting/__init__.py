"""Plotting: plot data as plain arrays (:mod:`chefe.plotting.data`) and matplotlib drawing.

Importing this package does not import matplotlib; the drawing functions do, inside.
"""

from __future__ import annotations

from .data import FEDPlotData, fed_plot_data

__all__ = ["FEDPlotData", "fed_plot_data", "plot_fed", "style_path"]


def style_path() -> str:
    """Path of the shipped ``chefe.mplstyle``."""
    from importlib.resources import files

    return str(files("chefe.plotting") / "chefe.mplstyle")


def plot_fed(*args, **kwargs):
    """Draw a free-energy diagram; see :func:`chefe.plotting.fed.plot_fed`."""
    from .fed import plot_fed as _plot_fed

    return _plot_fed(*args, **kwargs)

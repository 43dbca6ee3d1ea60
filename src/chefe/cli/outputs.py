"""Output files named on the command line, checked before any work is done."""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError

FIGURE_SUFFIXES = (".png", ".pdf", ".svg", ".eps", ".ps", ".jpg", ".jpeg", ".tif", ".tiff")


def check_figure(name: str, option: str = "-o") -> None:
    """A figure file name chefe can write: a known suffix and an existing folder."""
    path = Path(name)
    if path.suffix.lower() not in FIGURE_SUFFIXES:
        shown = path.suffix or "no suffix"
        raise InputError(f"{option} {name}: {shown} is not a figure format; end the name with "
                         ".png, .pdf or .svg (also .eps, .jpg, .tif)")
    check_output(name, option)


def check_output(name: str, option: str) -> None:
    """An output file whose folder exists and that is not itself a folder."""
    if name == "-":
        return
    path = Path(name)
    if path.is_dir():
        raise InputError(f"{option} {name}: is a folder; give a file name")
    if not path.parent.exists():
        raise InputError(f"{option} {name}: the folder {str(path.parent)!r} does not exist")


def check_style(style: str) -> None:
    """A matplotlib style: a file, or a name matplotlib knows."""
    if Path(style).is_file():
        return
    import matplotlib.pyplot as plt

    if style not in plt.style.available:
        raise InputError(f"--style {style}: neither a style file nor a matplotlib style; give a .mplstyle "
                         "file or one of: " + ", ".join(sorted(plt.style.available)[:8]) + ", ...")

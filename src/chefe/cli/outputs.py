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


def add_figure_arguments(parser) -> None:
    """Figure size, font and style options shared by the commands that draw diagrams."""
    g = parser.add_argument_group("figure")
    g.add_argument("--width", type=float, metavar="IN",
                   help="figure width in inches (default: 3.3, one journal column, when the diagram fits; else 7)")
    g.add_argument("--height", type=float, metavar="IN", help="figure height in inches (default: from the content)")
    g.add_argument("--font", help="font family tried first (default: Arial, then Helvetica, then DejaVu Sans)")
    g.add_argument("--fontsize", type=float, metavar="PT", help="base font size in points (default 8)")
    g.add_argument("--style", help="matplotlib style file (or style name) replacing chefe.mplstyle")


def check_figure_arguments(args) -> None:
    """Sizes and fonts a figure can use, checked before any work is done."""
    for option in ("width", "height", "fontsize"):
        value = getattr(args, option, None)
        if value is not None and not (0 < value <= 100):
            raise InputError(f"--{option} {value:g}: give a positive number "
                             f"({'points' if option == 'fontsize' else 'inches'}, e.g. "
                             f"{'8' if option == 'fontsize' else '3.3'})")
    if getattr(args, "style", None):
        check_style(args.style)
    font = getattr(args, "font", None)
    if font:
        from matplotlib import font_manager

        known = {f.name for f in font_manager.fontManager.ttflist}
        if font not in known:
            import difflib

            near = difflib.get_close_matches(font, sorted(known), n=3)
            raise InputError(f"--font {font}: not installed here" + (f"; did you mean {', '.join(near)}?" if near
                             else f"; installed: {', '.join(sorted(known)[:6])}, ..."))


def figure_kwargs(args) -> dict:
    """The plot_fed keywords of the figure options."""
    return {k: getattr(args, k, None) for k in ("width", "height", "font", "fontsize", "style")}

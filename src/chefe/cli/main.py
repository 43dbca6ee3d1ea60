"""``chefe`` entry point: a lazy table of subcommands so that ``chefe --help`` starts fast.

Nothing heavy (numpy, ASE, matplotlib) is imported until a subcommand runs.
"""

from __future__ import annotations

import argparse
import sys
from importlib import import_module

#: (name, module, one-line help); each module defines add_arguments(parser) and run(args).
COMMANDS = [
    ("build", "chefe.cli.build", "build SAC, DAC and slab models with the NO3RR intermediates as DFT inputs"),
    ("fed", "chefe.cli.fed", "limiting potentials and free-energy diagrams from an energies file or database"),
    ("collect", "chefe.cli.collect", "sweep finished DFT runs into an ASE database with convergence and consistency checks"),
    ("screen", "chefe.cli.screen", "rank many candidates by activity and selectivity; fit and check scaling relations"),
    ("quicklook", "chefe.cli.quicklook", "ML quick look: relax every intermediate with a machine-learned potential, then CHE (needs chefe[ml])"),
    ("export", "chefe.cli.export", "export a collect database to CatMAP energies.txt or CSV"),
    ("networks", "chefe.cli.networks", "list shipped reaction networks, or show one with its routes"),
    ("schema", "chefe.cli.schema", "print the JSON Schema of an input file kind (for editors)"),
]


class _Parser(argparse.ArgumentParser):
    """argparse with two-line errors: what is wrong, and where the options are listed."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message}\n(see '{self.prog} --help' for the options)\n")


def _top_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    parser.add_argument("--debug", action="store_true",
                        help="show the internal traceback of an error (any position on the command line)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="chefe",
        description="Computational-hydrogen-electrode free energies for electrocatalysis "
        "(nitrate reduction first): limiting potentials, potential-determining steps, diagrams.",
    )
    _top_options(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module, help_text in COMMANDS:
        sp = sub.add_parser(name, help=help_text, description=help_text)
        sp.set_defaults(_module=module, _parser=sp)
    return parser


def _show_warning(name: str):
    """Python warnings as one ``chefe NAME: warning: ...`` line (numpy's RuntimeWarnings hidden)."""

    def show(message, category, filename, lineno, file=None, line=None):
        if issubclass(category, RuntimeWarning):
            return
        print(f"chefe {name}: warning: {message}", file=sys.stderr)

    return show


def _run(name: str, module, args, debug: bool) -> int:
    """Run one subcommand: every error is one or two lines and a non-zero exit code."""
    import warnings

    from ..errors import ChefeError

    if debug:
        return int(module.run(args) or 0)
    warnings.showwarning = _show_warning(name)
    try:
        return int(module.run(args) or 0)
    except ChefeError as exc:
        print(f"chefe {name}: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `chefe fed ... | head`
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print(f"chefe {name}: interrupted", file=sys.stderr)
        return 130
    except OSError as exc:  # an output that cannot be written, a full disk
        where = f" {exc.filename}" if exc.filename else ""
        print(f"chefe {name}: error: cannot use{where}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except MemoryError:
        print(f"chefe {name}: error: out of memory; give fewer candidates at a time", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - a bug: say so in one line, traceback with --debug
        print(f"chefe {name}: internal error ({type(exc).__name__}: {exc}); this is a bug in chefe: "
              "rerun with --debug for the traceback and report it", file=sys.stderr)
        return 3


def full_parser() -> argparse.ArgumentParser:
    """The parser with every command's options (for shell completion and the docs' CLI pages;
    the command line itself builds only the command it runs, so that it starts fast)."""
    parser = _Parser(prog="chefe", description=build_parser().description)
    _top_options(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module, help_text in COMMANDS:
        sp = sub.add_parser(name, help=help_text, description=help_text)
        import_module(module).add_arguments(sp)
    return parser


def _complete() -> None:
    """Shell completion (argcomplete): active only when the shell asks for completions.

    Enable it once per shell with ``eval "$(register-python-argcomplete chefe)"``."""
    import os

    if "_ARGCOMPLETE" not in os.environ:
        return
    try:
        import argcomplete
    except ImportError:
        return
    argcomplete.autocomplete(full_parser())


def main(argv: list[str] | None = None) -> int:
    import os

    if argv is None:
        _complete()
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv or os.environ.get("CHEFE_DEBUG", "") not in ("", "0")
    argv = [a for a in argv if a != "--debug"]
    parser = build_parser()
    # Parse the command name first, then let the command add its own options.
    if argv and argv[0] in {name for name, _, _ in COMMANDS}:
        name = argv[0]
        module = import_module(dict((n, m) for n, m, _ in COMMANDS)[name])
        kinds = getattr(module, "KINDS", {})
        if len(argv) > 1 and argv[1] in kinds and any(a in ("-h", "--help") for a in argv[2:]):
            print(module.kind_help(argv[1]))  # `chefe build sac --help`: that kind's options only
            return 0
        sp = _Parser(prog=f"chefe {name}",
                                     description=dict((n, h) for n, _, h in COMMANDS)[name],
                                     epilog="--debug: show the internal traceback of an error")
        module.add_arguments(sp)
        args = sp.parse_args(argv[1:])
        return _run(name, module, args, debug)
    args = parser.parse_args(argv)
    if args.version:
        from importlib.metadata import version

        print(f"chefe {version('chefe')}")
        return 0
    parser.print_help()
    return 2  # no command given: the help, and a usage-error exit status


if __name__ == "__main__":
    raise SystemExit(main())

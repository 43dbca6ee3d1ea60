"""Generate the pages of the documentation that come from the code and from running it.

Run by mkdocs-gen-files at every ``mkdocs build``:

- ``reference/cli/<command>.md``: each command's ``--help`` (and each ``chefe build`` kind's),
  from the argparse definitions themselves (``chefe.cli.main.full_parser``);
- ``tutorials/*.md`` and ``gallery.md`` from ``docs/_src/*.md``: every ``$ command`` line of a
  ```` ```console ```` block is run in a scratch folder (``examples/`` linked into it) and its real
  output written under it; figures it writes and the page shows are copied beside the page. A
  command that fails stops the build, so the pages cannot drift from what chefe does.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from importlib import import_module
from pathlib import Path

import mkdocs_gen_files

os.environ.setdefault("COLUMNS", "100")  # argparse wraps help to the terminal width

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "docs" / "_src"
MAX_LINES = 60  # output lines shown per command; the rest is cut with a note


def cli_pages() -> None:
    from chefe.cli.main import COMMANDS, full_parser

    parser = full_parser()
    subs = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    index = ["# Command line\n", "`chefe COMMAND --help` prints the same text as these pages.\n",
             "```text", parser.format_help().rstrip(), "```\n", "| command | what it does |", "|---|---|"]
    for name, module, help_text in COMMANDS:
        index.append(f"| [`chefe {name}`]({name}.md) | {help_text} |")
        text = [f"# chefe {name}\n", f"{help_text[0].upper()}{help_text[1:]}.\n", "```text",
                subs.choices[name].format_help().rstrip(), "```"]
        command = import_module(module)
        kind_help = getattr(command, "kind_help", None)  # chefe build sac|dac|slab|gcn|vib
        if kind_help is not None:
            for kind in command.KINDS:
                text += [f"\n## chefe {name} {kind}\n", "```text", kind_help(kind).rstrip(), "```"]
        with mkdocs_gen_files.open(f"reference/cli/{name}.md", "w") as fh:
            fh.write("\n".join(text) + "\n")
    with mkdocs_gen_files.open("reference/cli/index.md", "w") as fh:
        fh.write("\n".join(index) + "\n")


def _run(command: str, cwd: Path, env: dict) -> str:
    # a shell line as the reader types it (pipes included); `chefe` and `python` are this
    # environment's, whatever PATH says
    env = {**env, "PATH": os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])}
    done = subprocess.run(["bash", "-c", command], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=900)
    # paths as the reader's own checkout prints them: relative to where the commands run
    out = (done.stdout + done.stderr).rstrip().replace(f"{ROOT}/", "").replace(f"{cwd}/", "")
    if done.returncode != 0:
        raise RuntimeError(f"docs: `{command}` failed (exit {done.returncode}):\n{out}")
    lines = out.splitlines()
    if len(lines) > MAX_LINES:
        lines = lines[:MAX_LINES] + [f"... ({len(lines) - MAX_LINES} more lines)"]
    return "\n".join(lines)


_BLOCK = re.compile(r"^```console\n(.*?)^```", re.M | re.S)
_IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+\.(?:png|svg))\)")


def executed_page(source: Path, target: str) -> None:
    """The page ``source`` with every console block run; its figures copied next to it."""
    text = source.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="chefe-docs-") as tmp:
        work = Path(tmp)
        (work / "examples").symlink_to(ROOT / "examples", target_is_directory=True)
        env = {**os.environ, "MPLBACKEND": "Agg", "COLUMNS": "100", "CHEFE_DOCS": "1"}

        def run_block(match: re.Match) -> str:
            shown = []
            for line in match.group(1).splitlines():
                if line.startswith("$ "):
                    shown.append(line)
                    out = _run(line[2:], work, env)
                    if out:
                        shown.append(out)
                else:
                    shown.append(line)
            return "```console\n" + "\n".join(shown) + "\n```"

        text = _BLOCK.sub(run_block, text)
        folder = target.rsplit("/", 1)[0] + "/" if "/" in target else ""
        for name in _IMAGE.findall(text):
            made = work / name
            if not made.is_file():
                raise RuntimeError(f"docs: {source.name} shows {name}, which no command of the page wrote")
            with mkdocs_gen_files.open(folder + name, "wb") as fh:
                fh.write(made.read_bytes())
    with mkdocs_gen_files.open(target, "w") as fh:
        fh.write(text)
    mkdocs_gen_files.set_edit_path(target, f"_src/{source.name}")


def changelog() -> None:
    with mkdocs_gen_files.open("changelog.md", "w") as fh:
        fh.write((ROOT / "CHANGELOG.md").read_text(encoding="utf-8"))


cli_pages()
changelog()
for page in sorted(SRC.glob("*.md")):
    executed_page(page, "gallery.md" if page.stem == "gallery" else f"tutorials/{page.name}")

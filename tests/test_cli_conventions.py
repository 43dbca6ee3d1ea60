"""CLI conventions: bare `chefe` prints help and fails, `python -m chefe`, shell completion of
commands and options, every option with a help text."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest

from chefe.cli.main import COMMANDS, full_parser, main


def test_bare_chefe_prints_help_and_exits_nonzero(capsys):
    assert main([]) == 2
    out = capsys.readouterr().out
    assert "usage: chefe" in out and all(name in out for name, _, _ in COMMANDS)


def test_python_dash_m_chefe_is_the_command():
    proc = subprocess.run([sys.executable, "-m", "chefe", "--version"], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout.startswith("chefe ")


def test_every_option_of_every_command_has_help():
    missing = []
    for action in full_parser()._subparsers._group_actions[0].choices.items():
        name, sp = action
        for opt in sp._actions:
            if opt.option_strings and opt.help in (None, "") and opt.dest != "help":
                missing.append(f"chefe {name} {'/'.join(opt.option_strings)}")
    assert not missing, missing


def _complete(line: str) -> list[str]:
    """What the shell would be offered for ``line`` (argcomplete in a child process, as a shell
    runs it: it takes over the process's streams)."""
    pytest.importorskip("argcomplete")
    code = ("import sys, argcomplete\nfrom chefe.cli.main import full_parser\n"
            "argcomplete.autocomplete(full_parser(), output_stream=sys.stdout, exit_method=sys.exit)")
    env = {**os.environ, "_ARGCOMPLETE": "1", "COMP_LINE": line, "COMP_POINT": str(len(line)),
           "_ARGCOMPLETE_IFS": "\n"}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, env=env, timeout=120)
    return [w.strip() for w in proc.stdout.decode().split("\n") if w.strip()]


def test_shell_completion_of_commands_and_options():
    assert set(_complete("chefe ")) >= {name for name, _, _ in COMMANDS}
    assert "--relay" in _complete("chefe fed --re")
    assert "--width" in _complete("chefe fed --wi")


def test_screen_csv_to_stdout_keeps_the_report_on_stderr(root_dir, capsys):
    """`--csv -` writes only the table to stdout (pipe it to another program); the report goes to
    stderr."""
    import csv

    example = root_dir / "examples" / "goldsmith_ptru" / "ptru_no3rr.yaml"
    assert main(["screen", str(example), "--csv", "-"]) == 0
    cap = capsys.readouterr()
    rows = list(csv.DictReader(io.StringIO(cap.out)))
    assert len(rows) == 12 and "catalyst" in rows[0]
    assert "candidates; network" in cap.err


@pytest.mark.parametrize("kind", ["sac", "dac", "gcn", "slab", "bulk", "gas", "vib"])
def test_build_help_per_kind_lists_only_its_options(kind, capsys):
    from chefe.cli.build import KINDS

    assert main(["build", kind, "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: {KINDS[kind][0]}") and "examples:" in out
    if kind != "sac":
        assert "--axial" not in out and "--ring" not in out  # SAC-only options stay out
    if kind == "slab":
        assert "--single-atom" in out and "--lattice" in out


def test_build_help_examples_run(tmp_path, monkeypatch):
    """The examples of `chefe build sac --help` and `slab --help` work as printed."""
    import shlex

    from chefe.cli.build import KINDS

    monkeypatch.chdir(tmp_path)
    for kind in ("sac", "slab"):
        for example in KINDS[kind][3][:1]:
            assert main(shlex.split(example)[1:]) == 0, example


def test_no_progress_bar_unless_on_a_terminal(tmp_path):
    """`chefe build gcn screen` writes 108 runs: with stderr not a terminal, no bar appears."""
    proc = subprocess.run([sys.executable, "-m", "chefe", "build", "gcn", "screen", "-o", str(tmp_path / "r"),
                           "--adsorbates", "*NO3"], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert "writing inputs" not in proc.stderr and "\r" not in proc.stderr

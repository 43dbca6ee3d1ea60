"""Every subcommand with a battery of the bad arguments users type: never a traceback.

Each mistake must end in one or two lines on stderr naming what is wrong, a non-zero exit code,
and no file written by a command that only reads; ``--debug`` keeps the internal traceback.
"""

from __future__ import annotations

import os

import pytest
import yaml

from chefe.cli.main import main


STEPS = ["NO3_ads", "NO3_NO3H", "NO3H_NO2", "NO2_NO2H", "NO2H_NO", "NO_NOH", "NOH_N", "N_NH", "NH_NH2",
         "NH2_NH3", "NH3_des"]


@pytest.fixture(scope="module")
def work(tmp_path_factory, doc):
    """A folder with the good and bad files of the battery."""
    d = tmp_path_factory.mktemp("battery")
    yaml.safe_dump(doc(), open(d / "good.yaml", "w"))
    (d / "cands.csv").write_text("name," + ",".join(STEPS) + ",dG_H\n"
                                 "Cu-N4," + ",".join(["-0.2"] * len(STEPS)) + ",0.1\n"
                                 "Fe-N4," + ",".join(["-0.3"] * len(STEPS)) + ",-0.2\n")
    (d / "misspelt.csv").write_text("name,NO3_ads,NO_N0H\nx,0.1,0.2\n")
    (d / "dgh.csv").write_text("name," + ",".join(STEPS) + ",dG_H\nx," + ",".join(["0.1"] * len(STEPS)) + ",abc\n")
    (d / "quote.csv").write_text("name," + ",".join(STEPS) + '\n"x,' + ",".join(["0.1"] * len(STEPS)) + "\n")
    (d / "latin.csv").write_bytes(b"name,NO3_ads\ncaf\xe9,0.1\n")
    (d / "latin.yaml").write_bytes(b"network: no3rr_sac\ntitle: caf\xe9\n")
    (d / "utf16.csv").write_bytes("name,NO3_ads\nx,0.1\n".encode("utf-16"))
    (d / "binary.yaml").write_bytes(b"\x00\x01\x02" * 100)
    (d / "empty.yaml").write_text("")
    (d / "empty.csv").write_text("")
    (d / "list.yaml").write_text("- a\n- b\n")
    (d / "policy.yaml").write_text("network: no3rr_sac\nthermo_policy: {imaginry: drop}\n")
    (d / "names.yaml").write_text(yaml.safe_dump({**doc(), "catalysts": {111: doc()["catalysts"]["A"],
                                                                         None: doc()["catalysts"]["A"]}}))
    (d / "tab.yaml").write_text("network: no3rr_sac\n\tkind: total\n")
    (d / "kj.yaml").write_text(yaml.safe_dump({**doc(), "catalysts": {"A": {"energies": {
        k: v * 96.485 for k, v in doc()["catalysts"]["A"]["energies"].items()}}}}))
    (d / "badnet.yaml").write_text("name: x\nproducts: {H2: '2H+ + 2e- -> H2(g)'}\nsteps:\n  - {id: a, eq: '* -> *H'}\n")
    (d / "manifest.yaml").write_text("runs:\n  - {pattern: 'a/*', catalyst: '{1}', species: '{2}'}\n")
    (d / "catalogue.yaml").write_text("catalysts:\n  - {kind: sac, metl: Cu}\n")
    (d / "notadb.db").write_text("hello\n")
    (d / "runs").mkdir()
    (d / "huge.csv").write_text("name," + "x" * (1 << 21) + "\n")
    return d


BATTERY = [
    ["fed"], ["fed", "nonexist.yaml"], ["fed", "good.yaml", "-o", "fig.xyz"], ["fed", "--U", "abc", "good.yaml"],
    ["fed", "latin.yaml"], ["fed", "binary.yaml"], ["fed", "empty.yaml"], ["fed", "list.yaml"], ["fed", "tab.yaml"],
    ["fed", "policy.yaml"], ["fed", "--db", "nonexist.db"], ["fed", "--db", "notadb.db"], ["fed", "--db", "runs"],
    ["fed", "good.yaml", "--catalysts", "Z"], ["fed", "good.yaml", "--T", "-5"], ["fed", "good.yaml", "--pH", "abc"],
    ["fed", "runs"], ["fed", "good.yaml", "--json", "nodir/x.json"], ["fed", "good.yaml", "--product", "XX"],
    ["fed", "good.yaml", "--db", "x.db"], ["fed", "cands.csv"], ["fed", "good.yaml", "--strict", "-o", "k.png"],
    ["fed", "kj.yaml", "--strict"], ["fed", "good.yaml", "--T", "400"], ["fed", "good.yaml", "--style", "nostyle"],
    ["screen"], ["screen", "nonexist.csv"], ["screen", "misspelt.csv"], ["screen", "dgh.csv"], ["screen", "quote.csv"],
    ["screen", "latin.csv"], ["screen", "utf16.csv"], ["screen", "empty.csv"], ["screen", "huge.csv"],
    ["screen", "cands.csv", "--filter", "U_L >"], ["screen", "cands.csv", "--filter", "class == 1"],
    ["screen", "cands.csv", "--filter", "__import__('os').system('ls')"], ["screen", "cands.csv", "--sort", "nosuch"],
    ["screen", "cands.csv", "--fit", "x"], ["screen", "cands.csv", "--fit", "A:B"], ["screen", "cands.csv", "--volcano", "x"],
    ["screen", "cands.csv", "--map", "*NO=m.png"], ["screen", "cands.csv", "--plot", "p.xyz"],
    ["screen", "cands.csv", "--top", "-1"], ["screen", "cands.csv", "--alpha", "2", "--fit", "*NOH:*NO"],
    ["screen", "cands.csv", "--network", "nosuch"], ["screen", "good.yaml", "--units", "kJ/mol"],
    ["screen", "--db", "nonexist.db"], ["screen", "cands.csv", "--csv", "nodir/out.csv"],
    ["collect", "nonexist_dir"], ["collect", "runs", "--manifest", "nonexist.yaml"],
    ["collect", "runs", "--manifest", "manifest.yaml"], ["collect", "notadb.db", "--db", "out.db"],
    ["collect", "good.yaml", "--db", "out.db"],
    ["export"], ["export", "--db", "nonexist.db", "--csv", "x.csv"], ["export", "--db", "good.yaml", "--csv", "x.csv"],
    ["networks", "nosuch"], ["networks", "badnet.yaml"], ["networks", "latin.yaml"], ["networks", "good.yaml"],
    ["build"], ["build", "sac"], ["build", "sac", "Xx", "-o", "b1"], ["build", "dac", "Fe", "-o", "b2"],
    ["build", "--from", "nonexist.yaml", "-o", "b3"], ["build", "--from", "catalogue.yaml", "-o", "b4"],
    ["build", "slab", "Cu", "999", "-o", "b5"], ["build", "vib"], ["build", "vib", "nonexist"],
    ["build", "sac", "Cu", "--size", "a,b", "-o", "b6"], ["build", "sac", "Cu", "--mode", "bad", "-o", "b7"],
    ["schema", "nokind"],
    ["quicklook"], ["quicklook", "sac", "Cu", "--model", "7net"], ["quicklook", "sac", "Cu", "--model", "mace-mp"],
    ["quicklook", "sac", "Cu", "--model", ","], ["quicklook", "--from", "nonexist.yaml"],
    ["quicklook", "sac", "Cu", "-o", "f.xyz"], ["quicklook", "sac", "Cu", "--executor", "slurm"],
]
READ_ONLY = {"fed", "screen", "export", "networks", "schema"}


@pytest.mark.parametrize("argv", BATTERY, ids=[" ".join(a) for a in BATTERY])
def test_no_traceback_reaches_the_user(work, argv, capsys, monkeypatch):
    monkeypatch.chdir(work)
    monkeypatch.delenv("CHEFE_DEBUG", raising=False)
    before = {p for p in work.rglob("*")}
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse's own usage errors: two lines, exit code 2
        code = exc.code
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    assert "internal error" not in captured.err, captured.err
    assert code not in (0, None), f"exit code 0 for {argv}: {captured.out[-400:]}"
    lines = [line for line in captured.err.splitlines() if line.strip()]
    # one or two lines (argparse: the error and where the options are); a file with several
    # problems lists each under one heading line
    assert 1 <= len(lines) <= 2 or ("problem(s) in the" in lines[0] and len(lines) <= 14), captured.err
    if argv[0] in READ_ONLY:
        assert {p for p in work.rglob("*")} == before, "a read-only command wrote a file"


def test_every_subcommand_is_in_the_battery():
    from chefe.cli.main import COMMANDS

    assert {name for name, _, _ in COMMANDS} <= {argv[0] for argv in BATTERY}


def test_debug_keeps_the_internal_traceback(work, monkeypatch, capsys):
    monkeypatch.chdir(work)
    from chefe.errors import InputError

    with pytest.raises(InputError, match="does not exist"):
        main(["fed", "nonexist.yaml", "--debug"])
    monkeypatch.setenv("CHEFE_DEBUG", "1")
    with pytest.raises(InputError):
        main(["screen", "nonexist.csv"])


def test_an_internal_error_is_one_line_naming_debug(work, monkeypatch, capsys):
    monkeypatch.chdir(work)
    monkeypatch.delenv("CHEFE_DEBUG", raising=False)
    import chefe.cli.networks as networks

    monkeypatch.setattr(networks, "run", lambda args: 1 / 0)
    assert main(["networks"]) == 3
    err = capsys.readouterr().err
    assert err.strip() == ("chefe networks: internal error (ZeroDivisionError: division by zero); this is a bug "
                           "in chefe: rerun with --debug for the traceback and report it")


def test_U_does_not_swallow_the_energies_file(work, monkeypatch, capsys):
    monkeypatch.chdir(work)
    assert main(["fed", "--U", "0", "UL", "good.yaml"]) == 0
    assert "most active: A" in capsys.readouterr().out


def test_names_that_yaml_reads_as_numbers_or_null(work, monkeypatch, capsys):
    monkeypatch.chdir(work)
    assert main(["fed", "names.yaml"]) == 0
    out = capsys.readouterr().out
    assert "\n111 " in out and "\nnull " in out


def test_fed_figure_suffix_refused_before_any_work(work, monkeypatch, capsys):
    monkeypatch.chdir(work)
    assert main(["fed", "good.yaml", "-o", "ok.png", "-o", "bad.xyz"]) == 2
    assert capsys.readouterr().err.strip() == ("chefe fed: error: -o bad.xyz: .xyz is not a figure format; end the "
                                               "name with .png, .pdf or .svg (also .eps, .jpg, .tif)")
    assert not (work / "ok.png").exists()


def test_kj_per_mol_file_is_flagged_and_strict_refuses_it(work, monkeypatch, capsys):
    monkeypatch.chdir(work)
    assert main(["fed", "kj.yaml"]) == 0
    out = capsys.readouterr().out
    assert "are these kJ/mol?" in out or "kJ/mol" in out
    assert main(["fed", "kj.yaml", "--strict"]) == 2
    assert "--strict" in capsys.readouterr().err
    assert os.path.exists(work / "kj.yaml")

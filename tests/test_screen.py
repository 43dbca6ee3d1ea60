"""Screening: descriptors by hand, ranking, filters, Pareto front, exports, CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest

from chefe.cli.main import main
from chefe.errors import InputError
from chefe.network import load_network
from chefe.screen import load_candidates_csv, screen, species_energies


@pytest.fixture()
def sac():
    net = load_network("no3rr_sac")
    dG0 = np.full((len(net.steps), 3), -0.3)
    dG0[net.index("NO_NOH")] = [0.20, 0.50, 0.10]  # PDS of candidate 0, 1, 2 (U_L -0.2, -0.5, -0.1)
    dG0[net.index("NO_NHO")] = 0.60
    dG0[net.index("NO_des")] = [0.05, -0.90, 0.40]
    dG0[net.index("NO3_ads")] = [-0.2, 0.1, -0.5]
    return net, dG0


def test_descriptors_by_hand(sac):
    net, dG0 = sac
    dG_H = np.array([0.30, -0.05, 0.15])
    r = screen(net, dG0, names=["a", "b", "c"], dG_H=dG_H, classes=["SAC", "SAC", "DAC"])
    np.testing.assert_allclose(r.che.U_L, [-0.2, -0.5, -0.1])
    d = r.descriptors
    np.testing.assert_allclose(d["U_L_HER"], [-0.30, -0.05, -0.15])
    np.testing.assert_allclose(d["UL_minus_UL_HER"], [-0.2 + 0.30, -0.5 + 0.05, -0.1 + 0.15])
    # site competition at U_L: (ΔG_NO3 - eU_L) - (ΔG_H + eU_L)
    np.testing.assert_allclose(d["site_NO3_minus_H"], [(-0.2 + 0.2) - (0.30 - 0.2), (0.1 + 0.5) - (-0.05 - 0.5),
                                                        (-0.5 + 0.1) - (0.15 - 0.1)])
    # NO release vs hydrogenation at U_L: ΔG(NO_des) - min(ΔG(NO_NOH), ΔG(NO_NHO)) (+ U_L for PCET)
    expected = [0.05 - (0.20 - 0.2), -0.90 - (0.50 - 0.5), 0.40 - (0.10 - 0.1)]
    np.testing.assert_allclose(d["NO_release"], expected, atol=1e-12)
    assert "NO2-_release" in d and "NH2OH_release" in d
    dual = load_network("no3rr_dual_site")
    assert not r.nn_coupling and screen(dual, np.full((len(dual.steps), 1), -0.2)).nn_coupling


def test_ranking_filter_pareto_exports(sac, tmp_path):
    net, dG0 = sac
    r = screen(net, dG0, names=["a", "b", "c"], dG_H=np.array([0.30, -0.05, 0.15]))
    assert [r.names[k] for k in r.order("U_L")] == ["c", "a", "b"]
    assert r.select("U_L > -0.3 and UL_minus_UL_HER > 0").tolist() == [True, False, True]
    with pytest.raises(InputError, match="unknown column"):
        r.select("U_L > x")
    with pytest.raises(InputError, match="not allowed"):
        r.select("__import__('os')")
    front = set(r.pareto())
    assert front == {0, 2}  # c is most active, a most selective (0.10 vs 0.05 V); b is dominated
    r.to_csv(tmp_path / "s.csv")
    r.to_json(tmp_path / "s.json")
    tex = r.to_latex(tmp_path / "s.tex")
    assert "\\toprule" in tex and "$-$0.20" in tex
    assert json.loads((tmp_path / "s.json").read_text())["candidates"][0]["catalyst"] == "a"


def test_species_energies_are_cumulative(sac):
    net, dG0 = sac
    r = screen(net, dG0)
    sp = species_energies(r.che)
    # *NO after NO3_ads, NO3_NO3H, NO3H_NO2, NO2_NO2H, NO2H_NO
    ids = ["NO3_ads", "NO3_NO3H", "NO3H_NO2", "NO2_NO2H", "NO2H_NO"]
    np.testing.assert_allclose(sp["*NO"], sum(dG0[net.index(i)] for i in ids))
    np.testing.assert_allclose(sp["*NOH"] - sp["*NO"], dG0[net.index("NO_NOH")])


def test_candidates_csv_and_cli(tmp_path, capsys):
    net = load_network("no3rr_sac")
    rng = np.random.default_rng(2)
    lines = ["name,class,dG_H,dG_N," + ",".join(net.step_ids)]
    for k in range(12):
        vals = rng.normal(-0.3, 0.3, len(net.steps))
        lines.append(f"M{k},{'SAC' if k % 2 else 'DAC'},{rng.normal(0, 0.2):.3f},{rng.normal():.3f}," +
                     ",".join(f"{v:.4f}" for v in vals))
    path = tmp_path / "c.csv"
    path.write_text("\n".join(lines) + "\n")
    data = load_candidates_csv(path, net)
    assert data["dG0"].shape == (len(net.steps), 12) and data["unknown_columns"] == ["dG_N"]
    out_csv = tmp_path / "ranked.csv"
    assert main(["screen", str(path), "--top", "3", "--fit", "*NOH:*NO", "--by-class", "--csv", str(out_csv),
                 "--plot", str(tmp_path / "fit.png")]) == 0
    text = capsys.readouterr().out
    assert "12 candidates" in text and "scaling *NOH" in text and "class SAC" in text
    assert out_csv.read_text().startswith("catalyst,class,PDS,U_L")
    assert (tmp_path / "fit.png").stat().st_size > 0
    bad = tmp_path / "bad.csv"
    bad.write_text(",".join(["name", *net.step_ids]) + "\n" + "A" + ",0.1" * len(net.steps) + "\n"
                   + "A" + ",0.2" * len(net.steps) + "\n")
    with pytest.raises(InputError, match="duplicate candidate 'A'"):
        load_candidates_csv(bad, net)


def test_incomplete_candidates_reported_one_by_one(sac):
    net, dG0 = sac
    dG0 = np.column_stack([dG0, dG0[:, :1]])
    dG0[net.index("NO3_ads"), 3] = np.nan  # candidate d cannot even adsorb nitrate
    r = screen(net, dG0, names=["a", "b", "c", "d"])
    assert list(r.names) == ["a", "b", "c"]
    assert any(n.startswith("d: left out") and "NO3_ads" in n for n in r.notes)


def test_infinite_and_missing_energies_leave_only_their_candidates_out(sac):
    net, dG0 = sac
    dG0 = np.column_stack([dG0, dG0[:, :2]])
    dG0[net.index("NO_NOH"), 3] = np.inf
    dG0[net.index("NO_NHO"), 3] = np.inf  # both *NO hydrogenations broken -> no route to NH3
    dG0[net.index("NO3_ads"), 4] = np.nan
    r = screen(net, dG0, names=["a", "b", "c", "d", "e"])
    assert list(r.names) == ["a", "b", "c"]
    assert any("infinite ΔG treated as missing" in n and "'d'" in n for n in r.notes)
    assert any(n.startswith("d: left out") and "NO_NOH" in n for n in r.notes)
    assert any(n.startswith("e: left out") and "NO3_ads" in n for n in r.notes)
    # the screened three are exactly what they are on their own
    alone = screen(net, dG0[:, :3], names=["a", "b", "c"])
    np.testing.assert_array_equal(r.che.U_L, alone.che.U_L)
    np.testing.assert_array_equal(r.che.pds, alone.che.pds)


def test_large_screen_keeps_original_candidate_numbers():
    net = load_network("no3rr_sac")
    rng = np.random.default_rng(0)
    dG0 = rng.normal(-0.2, 0.4, (len(net.steps), 100_001))  # above the size that gets name lists
    dG0[net.index("NO3_ads"), 5] = np.nan
    r = screen(net, dG0)
    assert len(r.names) == 100_000 and r.names[5] == "cand6" and r.names[4] == "cand4"
    assert r.che.index("cand6") == 5 and list(r.names[3:6]) == ["cand3", "cand4", "cand6"]
    with pytest.raises(InputError):
        r.che.index("cand5")  # left out
    assert any(n.startswith("cand5: left out") for n in r.notes)


def test_columns_mapping_input():
    from chefe.screen import candidates_from_columns

    net = load_network("no3rr_sac")
    cols = {"name": ["x", "y"], "class": ["SAC", "DAC"], **{s: [-0.2, -0.1] for s in net.step_ids}}
    data = candidates_from_columns(cols, net)
    r = screen(net, data["dG0"], names=data["names"], classes=data["classes"])
    np.testing.assert_allclose(r.che.U_L, [0.2, 0.1])
    with pytest.raises(InputError, match="duplicate"):
        candidates_from_columns({"name": ["x", "x"], "NO3_ads": [0, 0]}, net)


def test_species_energies_only_the_asked_ones():
    net = load_network("no3rr_sac")
    dG0 = np.random.default_rng(3).normal(-0.2, 0.4, (len(net.steps), 50))
    res = screen(net, dG0)
    full = species_energies(res.che)
    two = species_energies(res.che, only=("NO*", "*NOH"))
    assert set(two) == {"*NO", "*NOH"}
    np.testing.assert_array_equal(two["*NOH"], full["*NOH"])
    with pytest.raises(InputError, match="N2H4"):
        species_energies(res.che, only=("*N2H4",))


def test_cli_lists_the_largest_violations_and_writes_all(tmp_path, capsys):
    net = load_network("no3rr_sac")
    rng = np.random.default_rng(4)
    n = 60
    # *NOH = *NO + ΔG(NO_NOH): a near-constant step puts candidates on a line; three pushed off it
    dG0 = rng.normal(-0.3, 0.3, (len(net.steps), n))
    dG0[net.index("NO_NOH")] = 0.3 + rng.normal(0, 0.02, n)
    dG0[net.index("NO_NOH"), :3] += [0.9, -0.7, 0.5]
    lines = ["name," + ",".join(net.step_ids)] + [f"c{k}," + ",".join(f"{v:.5f}" for v in dG0[:, k]) for k in range(n)]
    path = tmp_path / "c.csv"
    path.write_text("\n".join(lines) + "\n")
    out = tmp_path / "v.csv"
    assert main(["screen", str(path), "--fit", "*NOH:*NO", "--top", "2", "--violations", str(out)]) == 0
    text = capsys.readouterr().out
    shown = [line.split()[2] for line in text.splitlines() if "breaks scaling:" in line]
    assert shown == ["c0", "c1"]  # the two largest of the three, largest first
    rows = out.read_text().splitlines()
    assert rows[0].startswith("fit,name,residual_eV") and [r.split(",")[1] for r in rows[1:4]] == ["c0", "c1", "c2"]
    assert "more violation(s)" in text


@pytest.mark.parametrize("case", ["plain", "crlf", "labels", "blank", "spaces", "nan", "duplicate",
                                  "quoted", "short", "underscore", "empty_lines", "header_only"])
def test_csv_fast_reader_gives_what_the_row_reader_gives(tmp_path, monkeypatch, case):
    """numpy's C reader takes plain tables; every other table must read (or fail) exactly as the
    csv module's row-by-row path does."""
    import chefe.candidates as screen_module

    net = load_network("no3rr_sac")
    steps = net.step_ids  # every step: a table lacking a column needed by every route is refused
    rows = [["name", "dG_H", *steps]]
    for k, values in enumerate(([-0.25, 1e-3, 0.5, -1.5], [".5", "+0.125", "5.", "-2e-1"],
                                [0.1, 0.2, 0.3, 0.4])):
        rows.append([f"Cu-N{k}", f"{0.1 * k:.2f}", *map(str, values), *["-0.1"] * (len(steps) - 4)])
    if case == "labels":
        rows = [r + (["class", "flags"] if i == 0 else ["SAC", "no_slab" if i % 2 else ""])
                for i, r in enumerate(rows)]
    edits = {"blank": (2, 3, ""), "spaces": (1, 2, " 0.7 "), "nan": (3, 4, "nan"),
             "duplicate": (2, 0, "Cu-N0"), "quoted": (1, 0, '"Cu, N4"'), "underscore": (2, 2, "1_0")}
    if case in edits:
        i, j, value = edits[case]
        rows[i][j] = value
    if case == "short":
        rows[2] = rows[2][:-1]
    lines = [",".join(r) for r in rows]
    if case == "header_only":
        lines = lines[:1]
    newline = "\r\n" if case == "crlf" else "\n"
    text = newline.join(lines) + newline
    if case == "empty_lines":
        text = text.replace(newline, newline * 2, 2)
    path = tmp_path / "c.csv"
    path.write_text(text, newline="")

    def read():
        try:
            return load_candidates_csv(path, net)
        except InputError as exc:
            return str(exc)

    fast = read()
    monkeypatch.setattr(screen_module, "_plain_table", lambda *args: None)
    slow = read()
    if isinstance(slow, str):
        assert fast == slow
        return
    assert fast["names"] == slow["names"] and fast["classes"] == slow["classes"]
    assert fast["flags"] == slow["flags"] and fast["unknown_columns"] == slow["unknown_columns"]
    np.testing.assert_array_equal(fast["dG0"], slow["dG0"])  # NaN where missing, same doubles elsewhere
    np.testing.assert_array_equal(fast["dG_H"], slow["dG_H"])
    if case in ("plain", "crlf", "labels", "empty_lines"):  # these take the fast path
        monkeypatch.undo()
        assert screen_module._plain_table(text.replace("\r\n", "\n"), rows[0], list(steps), ["name"]) is not None

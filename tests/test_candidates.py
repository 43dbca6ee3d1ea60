"""Candidate tables as spreadsheets write them, and the filters users type (exact inputs)."""

from __future__ import annotations

import numpy as np
import pytest

from chefe.candidates import load_candidates_csv
from chefe.cli.main import main
from chefe.errors import InputError
from chefe.network import load_network

NET = load_network("no3rr_sac")
# the O-end route of no3rr_sac: every step it needs
ROUTE = ["NO3_ads", "NO3_NO3H", "NO3H_NO2", "NO2_NO2H", "NO2H_NO", "NO_NOH", "NOH_N", "N_NH", "NH_NH2",
         "NH2_NH3", "NH3_des"]
VALUES = {"Cu-N4": [-0.45, -0.12, -0.85, 0.21, -1.02, 0.33, -0.52, -0.61, -0.44, -0.38, 0.62],
          "Fe-N4": [-0.81, 0.05, -0.95, 0.12, -1.20, 0.48, -0.30, -0.70, -0.52, -0.21, 0.81]}


def table(delimiter=",", decimal=".", extra_header=(), extra=None, newline="\n"):
    lines = [delimiter.join(["name", *ROUTE, "dG_H", "class", *extra_header])]
    for k, (name, vals) in enumerate(VALUES.items()):
        cells = [f"{v:.2f}".replace(".", decimal) for v in vals]
        cells += [f"{0.1 * (k + 1):.2f}".replace(".", decimal), "SAC"] + list((extra or {}).get(name, []))
        lines.append(delimiter.join([name, *cells]))
    return newline.join(lines) + newline


@pytest.fixture
def reference(tmp_path):
    path = tmp_path / "plain.csv"
    path.write_text(table())
    return load_candidates_csv(path, NET)


@pytest.mark.parametrize(("name", "text"), [
    ("excel_bom.csv", "\ufeff" + table()),                              # Excel's "CSV UTF-8"
    ("semicolon.csv", table(delimiter=";", decimal=",")),                # European Excel: ; and decimal comma
    ("semicolon_points.csv", table(delimiter=";")),
    ("tabs.tsv", table(delimiter="\t")),
    ("crlf.csv", table(newline="\r\n")),
])
def test_what_spreadsheets_write_reads_as_the_plain_table(tmp_path, reference, name, text):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    data = load_candidates_csv(path, NET)
    assert data["names"] == reference["names"] == ["Cu-N4", "Fe-N4"]
    np.testing.assert_array_equal(data["dG0"], reference["dG0"])
    np.testing.assert_array_equal(data["dG_H"], reference["dG_H"])
    assert data["classes"] == ["SAC", "SAC"]


def test_units_convert_the_table_and_say_so(tmp_path, reference):
    from ase import units

    path = tmp_path / "kj.csv"
    lines = table().splitlines()
    body = [lines[0]] + [",".join([r.split(",")[0]] + [f"{float(x) * 96.485332:.6f}" for x in r.split(",")[1:-1]]
                                  + ["SAC"]) for r in lines[1:]]
    path.write_text("\n".join(body) + "\n")
    data = load_candidates_csv(path, NET, units="kJ/mol")
    factor = units.kJ / units.mol * 96.485332  # back to eV within the 6-digit rounding
    np.testing.assert_allclose(data["dG0"][np.isfinite(data["dG0"])],
                               reference["dG0"][np.isfinite(reference["dG0"])] * factor, atol=1e-6)
    assert any("energies in kJ/mol, converted to eV" in n for n in data["notes"])


def test_units_echoed_in_the_screen_table_header(tmp_path, capsys):
    path = tmp_path / "c.csv"
    path.write_text(table())
    assert main(["screen", str(path), "--units", "kcal/mol"]) == 0
    assert "(the table's kcal/mol converted to eV)" in capsys.readouterr().out


def test_empty_cell_reported_per_candidate_and_column(tmp_path):
    text = table().replace("Fe-N4,-0.81,0.05", "Fe-N4,-0.81,")
    path = tmp_path / "c.csv"
    path.write_text(text)
    data = load_candidates_csv(path, NET)
    assert "Fe-N4: empty cell(s) in NO3_NO3H" in data["notes"]
    assert np.isnan(data["dG0"][NET.index("NO3_NO3H"), 1]) and np.isfinite(data["dG0"][:, 0][NET.index("NO3_NO3H")])


def test_a_missing_step_column_is_one_line(tmp_path):
    lines = table().splitlines()
    drop = lines[0].split(",").index("NOH_N")
    path = tmp_path / "c.csv"
    path.write_text("\n".join(",".join(c for j, c in enumerate(r.split(",")) if j != drop) for r in lines) + "\n")
    with pytest.raises(InputError) as info:
        load_candidates_csv(path, NET)
    text = str(info.value)
    assert "\n" not in text and "no route to NH3 can be completed: the table has no column for" in text


def test_misspelt_step_column_is_an_error_not_a_descriptor(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(table().replace("NO_NOH", "NO_N0H", 1))
    with pytest.raises(InputError, match="column 'NO_N0H' looks like the step id 'NO_NOH' misspelt"):
        load_candidates_csv(path, NET)


@pytest.mark.parametrize(("edit", "message"), [
    (lambda t: t.replace("Fe-N4,-0.81", '"Fe-N4,-0.81'), "a quote opened before line 3 is never closed"),
    (lambda t: t.replace(",0.20,SAC", ",abc,SAC"), "line 3 (Fe-N4): dG_H = 'abc' is not a number"),
    (lambda t: t.replace("Fe-N4,-0.81", "Fe-N4,nan"), "line 3 (Fe-N4): NO3_ads is nan; leave the cell empty"),
    (lambda t: t.replace("Fe-N4,", "Cu-N4,"), "line 3: duplicate candidate 'Cu-N4'"),
    (lambda t: t.replace(",SAC\n", ",SAC,extra\n", 1), "line 2 has 15 fields but the header has 14"),
    (lambda t: t.replace("Fe-N4,", ",", 1), "line 3: the candidate has no name"),
])
def test_what_is_wrong_is_refused_naming_line_candidate_and_column(tmp_path, edit, message):
    path = tmp_path / "c.csv"
    path.write_text(edit(table()))
    with pytest.raises(InputError) as info:
        load_candidates_csv(path, NET)
    assert message in str(info.value) and str(path) in str(info.value)


def test_latin1_byte_names_the_offset_and_the_encoding(tmp_path):
    path = tmp_path / "c.csv"
    path.write_bytes(table().replace("Fe-N4", "Fe-N4-caf\xe9").encode("latin-1"))
    with pytest.raises(InputError) as info:
        load_candidates_csv(path, NET)
    text = str(info.value)
    assert "byte 0xe9 at line 3, column 10" in text and "save the file as UTF-8" in text


def test_huge_line_refused_before_parsing(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("name," + "x" * (2 << 20) + "\n")
    with pytest.raises(InputError, match="line 1 is 2,097,157 characters long"):
        load_candidates_csv(path, NET)


# ---------------------------------------------------------------------- filters
@pytest.fixture
def screened(tmp_path):
    from chefe.screen import screen

    path = tmp_path / "c.csv"
    path.write_text(table(extra_header=("support", "d_band"), extra={"Cu-N4": ["graphene", "-2.1"],
                                                                      "Fe-N4": ["CNT", "-1.3"]}))
    data = load_candidates_csv(path, NET)
    return screen(NET, data["dG0"], names=data["names"], dG_H=data["dG_H"], classes=data["classes"],
                  inputs=data["descriptors"])


@pytest.mark.parametrize(("expression", "expected"), [
    ("class == 'SAC'", ["Cu-N4", "Fe-N4"]),
    ('class == "SAC" && U_L > -0.4', ["Cu-N4"]),
    ("U_L > -0.5 || dG_H > 0.15", ["Cu-N4", "Fe-N4"]),
    ("!(U_L > -0.4)", ["Fe-N4"]),
    ("support == 'CNT'", ["Fe-N4"]),
    ("d_band < -2", ["Cu-N4"]),
    ("name in ('Fe-N4', 'Co-N4')", ["Fe-N4"]),
    ("class != 'DAC' and not ok == False", ["Cu-N4", "Fe-N4"]),
])
def test_filters_on_every_column(screened, expression, expected):
    # U_L by hand: Cu-N4 is limited by NH3_des (+0.62 eV, no electron: not potential dependent) ...
    # the electrochemical steps: max ΔG 0.33 (NO_NOH) -> U_L = -0.33 V; Fe-N4: 0.48 -> -0.48 V
    np.testing.assert_allclose(screened.che.U_L, [-0.33, -0.48])
    mask = screened.select(expression)
    assert [n for n, keep in zip(screened.names, mask) if keep] == [n for n in screened.names if n in expected]


@pytest.mark.parametrize(("expression", "message"), [
    ("U_L >", "filter 'U_L >': invalid syntax at column 6: U_L ><<here>>"),
    ("U_L > -1 and (dG_H < 0", "a '(' is never closed"),
    ("class == SAC", "unknown column 'SAC'; if 'SAC' is a value, quote it ('SAC')"),
    ("class > 1", "compares text with a number (column 'class')"),
    ("U_l > 0", "unknown column 'U_l'; did you mean 'U_L'?"),
    ("__import__('os').system('ls')", "calls are not allowed"),
    ("U_L + 1 > 0", "arithmetic is not allowed"),
    ("U_L", "is not a condition"),
])
def test_malformed_filters_are_one_error_with_the_position(screened, expression, message):
    with pytest.raises(InputError) as info:
        screened.select(expression)
    assert message in str(info.value)


def test_filter_and_descriptor_columns_reach_the_output(screened, tmp_path):
    out = tmp_path / "ranked.csv"
    screened.to_csv(out)
    header = out.read_text().splitlines()[0].split(",")
    assert "support" in header and "d_band" in header


def test_fed_analyses_the_others_when_one_catalyst_lacks_an_intermediate(doc, tmp_path, capsys):
    import yaml

    d = doc()
    d["catalysts"]["B"] = {"energies": {k: v for k, v in d["catalysts"]["A"]["energies"].items() if k != "*NO"}}
    path = tmp_path / "e.yaml"
    path.write_text(yaml.safe_dump(d))
    assert main(["fed", str(path), "--csv", str(tmp_path / "t.csv"), "-o", str(tmp_path / "f.png")]) == 0
    out = capsys.readouterr().out
    assert "warning: B: left out, no complete route to NH3: no energy for *NO" in out
    assert "most active: A" in out
    assert (tmp_path / "t.csv").read_text().count("\n") == 2  # header + A


def test_screen_names_the_missing_species_like_fed(doc, tmp_path, capsys):
    import yaml

    d = doc()
    d["catalysts"]["B"] = {"energies": {k: v for k, v in d["catalysts"]["A"]["energies"].items() if k != "*NO"}}
    path = tmp_path / "e.yaml"
    path.write_text(yaml.safe_dump(d))
    assert main(["screen", str(path)]) == 0
    out = capsys.readouterr().out
    assert "note: B: left out, no complete route to NH3: no energy for *NO" in out
    assert "1 candidates" in out

"""Species labels, aliases, charges and step parsing with electron/proton counts."""

from __future__ import annotations

import pytest

from chefe.errors import BalanceError, SpeciesError
from chefe.reaction import parse_step
from chefe.species import canonical, parse_species, subscript_label


@pytest.mark.parametrize(
    ("label", "name", "phase", "charge"),
    [
        ("*NO3", "*NO3", "ads", 0),
        ("NO3*", "*NO3", "ads", 0),
        ("NO3-(aq)", "NO3-(aq)", "aq", -1),
        ("NH4+(aq)", "NH4+(aq)", "aq", 1),
        ("SO4^2-(aq)", "SO4^2-(aq)", "aq", -2),
        ("SO4--(aq)", "SO4^2-(aq)", "aq", -2),
        ("H2O(l)", "H2O(l)", "l", 0),
        ("NH3(g)", "NH3(g)", "g", 0),
        ("H+", "H+", "H+", 1),
        ("e-", "e-", "e", -1),
        ("*", "*", "site", 0),
    ],
)
def test_parse_labels(label, name, phase, charge):
    sp = parse_species(label)
    assert (sp.name, sp.phase, sp.charge) == (name, phase, charge)


def test_aliases_fold_but_noh_stays_distinct():
    assert canonical("*HNO") == canonical("*NHO") == "*NHO"
    assert canonical("*H2NO") == canonical("*NH2O") == "*NH2O"
    assert canonical("HNO*") == "*NHO"
    assert canonical("*NOH") == "*NOH"
    assert canonical("*NOH") != canonical("*HNO")
    assert parse_species("*NOH").composition == parse_species("*HNO").composition


def test_h_first_means_h_on_the_next_heavy_atom():
    # the rule of *HNO -> *NHO applies to *HNO2 too: H-NO2 (N-bound) is not HONO (O-bound)
    assert canonical("*HNO2") == "*NHO2" != canonical("*NO2H")
    assert canonical("*HONO") == canonical("*ONOH") == canonical("*NO2H") == "*NO2H"
    # nitric acid: N of nitrate has no room for H, so *HNO3 is H-O-NO2
    assert canonical("*HNO3") == canonical("*HONO2") == "*NO3H"


def test_composition():
    assert dict(parse_species("*NH2OH").composition) == {"N": 1, "H": 3, "O": 1}
    assert dict(parse_species("NO3-(aq)").composition) == {"N": 1, "O": 3}


@pytest.mark.parametrize("bad", ["*Xx3", "NH3", "*N*O", "", "no3-(aq)"])
def test_bad_labels_raise_naming_the_label(bad):
    with pytest.raises(SpeciesError) as err:
        parse_species(bad)
    if bad:
        assert bad in str(err.value) or "Xx" in str(err.value)


def test_subscripts():
    assert subscript_label("*NH2OH") == "$^{*}$NH$_{2}$OH"
    assert subscript_label("NO3-(aq)") == "NO$_{3}^{-}$(aq)"


def test_electron_and_proton_counts():
    ads = parse_step("a", "NO3-(aq) + * -> *NO3 + e-")
    assert (ads.n_e, ads.n_H) == (-1.0, 0.0)
    pcet = parse_step("b", "*NO + H+ + e- -> *NOH")
    assert (pcet.n_e, pcet.n_H) == (1.0, 1.0)
    two = parse_step("c", "*NO3 + 2(H+ + e-) -> *NO2 + H2O(l)")
    assert (two.n_e, two.n_H) == (2.0, 2.0)
    release = parse_step("d", "*NO2 + e- -> NO2-(aq) + *")
    assert (release.n_e, release.n_H) == (1.0, 0.0)
    chem = parse_step("e", "*NH3 -> NH3(g) + *")
    assert (chem.n_e, chem.n_H) == (0.0, 0.0)
    overall = parse_step("o", "NO3-(aq) + 9H+ + 8e- -> NH3(g) + 3H2O(l)")
    assert (overall.n_e, overall.n_H) == (8.0, 9.0)


@pytest.mark.parametrize(
    ("equation", "problem"),
    [
        ("*NO + H+ + e- -> *NHOH", "H: 1 -> 2"),
        ("*NO3 + H+ + e- -> *NO2 + H2O(l)", "H: 1 -> 2"),
        ("NO3-(aq) + * -> *NO3", "charge: -1 -> +0"),
        ("*NO3 -> *NO2 + *O", "surface sites: 1 -> 2"),
    ],
)
def test_unbalanced_step_names_step_and_problem(equation, problem):
    with pytest.raises(BalanceError) as err:
        parse_step("my_step", equation)
    assert "my_step" in str(err.value)
    assert problem in str(err.value)


def test_missing_arrow():
    with pytest.raises(SpeciesError, match="arrow"):
        parse_step("x", "*NO + H+ + e- *NOH")


def test_chemical_name_lowers_element_counts_only():
    from chefe.species import chemical_name

    assert chemical_name("TiNi@g-C3N4") == "TiNi@g-C$_{3}$N$_{4}$"
    assert chemical_name("CuN3-plane") == "CuN$_{3}$-plane"
    assert chemical_name("NiFe2O4") == "NiFe$_{2}$O$_{4}$"
    # a facet, a number after a dash, a non-element and a name in mathtext already are kept
    for kept in ("Cu111", "comp-1", "UL1", "Cu–N$_4$ (plane)", "site2", "0N0_Ag", "1N3_Fe_isif4"):
        assert chemical_name(kept) == kept

"""The CHE engine against hand calculations written out here and a brute-force reference."""

from __future__ import annotations

import math

import numpy as np
import pytest
from ase import units

from chefe.conditions import Conditions
from chefe.engine import CHUNK, _end_order, _trie, analyse, route_maxima, step_free_energies
from chefe.errors import InfiniteEnergyError, InputError
from chefe.network import load_network, network_from_dict
from chefe.profile import free_energy_profile

KT_LN10 = units.kB * 298.15 * math.log(10)  # 0.05916 eV per pH unit

# The toy chain of PEERS.md §1: * + NO3- -> *NO3 -> *NO2 -> *NO -> *NOH -> *N -> *NH -> *NH2
# -> *NH3 -> * + NH3, step ΔG at 0 V_RHE written per step. NO3 -> NO2 and NO2 -> NO each take
# two (H+ + e-) here, so the chain has 9 steps and 8 electrons.
TOY = {
    "name": "toy",
    "target": "NH3",
    "products": {"NH3": "NO3-(aq) + 9H+ + 8e- -> NH3(g) + 3H2O(l)"},
    "steps": [
        {"id": "ads", "eq": "NO3-(aq) + * -> *NO3 + e-"},
        {"id": "NO3_NO2", "eq": "*NO3 + 2H+ + 2e- -> *NO2 + H2O(l)"},
        {"id": "NO2_NO", "eq": "*NO2 + 2H+ + 2e- -> *NO + H2O(l)"},
        {"id": "NO_NOH", "eq": "*NO + H+ + e- -> *NOH"},
        {"id": "NOH_N", "eq": "*NOH + H+ + e- -> *N + H2O(l)"},
        {"id": "N_NH", "eq": "*N + H+ + e- -> *NH"},
        {"id": "NH_NH2", "eq": "*NH + H+ + e- -> *NH2"},
        {"id": "NH2_NH3", "eq": "*NH2 + H+ + e- -> *NH3"},
        {"id": "des", "eq": "*NH3 -> NH3(g) + *"},
    ],
}
TOY_DG = np.array([-0.45, -0.60, -0.30, +0.38, -0.95, -0.70, -0.40, -0.25, +0.55])


def test_hand_worked_nine_step_chain():
    net = network_from_dict(TOY)
    res = analyse(net, TOY_DG, Conditions(U=0.0, pH=0.0))
    # Limiting potential: per electron, the 2-electron steps count -0.60/2 = -0.30 and
    # -0.30/2 = -0.15; the largest is *NO -> *NOH at +0.38 eV, so U_L = -0.38 V.
    assert res.U_L[0] == pytest.approx(-0.38, abs=1e-12)
    assert res.step_id(res.pds[0]) == "NO_NOH"
    assert res.dG_pds[0] == pytest.approx(0.38, abs=1e-12)
    # Largest chemical step: NH3 desorption +0.55 eV, reported separately.
    assert res.step_id(res.chem_step[0]) == "des" and res.dG_chem[0] == pytest.approx(0.55)
    # NO3- adsorption at U_L: ΔG = -0.45 + (-1)(-0.38) = -0.07 eV, still downhill.
    assert res.dG_counter_at_UL[0] == pytest.approx(-0.07, abs=1e-12)
    assert bool(res.counter_downhill[0])
    # η = U_eq - U_L at pH 0, U_eq = 616.4 kJ/mol / (8 F) = 0.7986 V (CRC ΔfG, see test_formation)
    assert res.eta[0] == pytest.approx(res.U_eq + 0.38, abs=1e-12)
    assert res.U_eq == pytest.approx(616.4 / 8 / 96.4853, abs=2e-5)
    # Levels at 0 V: cumulative sums written out.
    prof = free_energy_profile(res, 0, 0.0)
    expected = [0.0, -0.45, -1.05, -1.35, -0.97, -1.92, -2.62, -3.02, -3.27, -2.72]
    assert prof.G == pytest.approx(expected, abs=1e-12)
    # Levels at U_L = -0.38 V: each step moves by n_e·U: ads +0.38, 2-e steps -0.76, 1-e -0.38.
    at_ul = free_energy_profile(res, 0, "UL")
    dG_ul = [-0.45 + 0.38, -0.60 - 0.76, -0.30 - 0.76, 0.38 - 0.38, -0.95 - 0.38, -0.70 - 0.38,
             -0.40 - 0.38, -0.25 - 0.38, 0.55]
    assert at_ul.dG == pytest.approx(dG_ul, abs=1e-12)
    assert max(at_ul.dG[1:8]) == pytest.approx(0.0, abs=1e-12)  # every PCET step downhill or flat
    assert at_ul.G[-1] == pytest.approx(sum(dG_ul), abs=1e-12)


def test_full_sac_chain_from_species_energies():
    """ΔG of each step from species free energies, by hand, on the O-end route of no3rr_sac."""
    net = load_network("no3rr_sac")
    g_h2, g_h2o, g_hno3, g_nh3 = -6.80, -14.22, -28.40, -19.54  # made-up reference G (eV)
    hno3_corr = -0.3918
    g_no3 = g_hno3 - 0.5 * g_h2 + hno3_corr
    ads = {"*": 0.0, "*NO3": -25.0, "*NO3H": -28.6, "*NO2": -20.5, "*NO2H": -24.1, "*NO": -16.0,
           "*NOH": -19.3, "*NHO": -19.6, "*N": -8.9, "*NH": -12.8, "*NH2": -16.9, "*NH3": -20.2,
           "*NHOH": -23.0, "*NH2O": -22.7, "*NH2OH": -26.8}
    G = {"H2(g)": g_h2, "H2O(l)": g_h2o, "NO3-(aq)": g_no3, "NH3(g)": g_nh3, **ads}
    dG0 = step_free_energies(net, G)
    h = 0.5 * g_h2  # G(H+ + e-) at 0 V_RHE
    by_hand = {
        "NO3_ads": ads["*NO3"] - ads["*"] - g_no3,  # e- released at 0 V: 0
        "NO3_NO3H": ads["*NO3H"] - ads["*NO3"] - h,
        "NO3H_NO2": ads["*NO2"] + g_h2o - ads["*NO3H"] - h,
        "NO2_NO2H": ads["*NO2H"] - ads["*NO2"] - h,
        "NO2H_NO": ads["*NO"] + g_h2o - ads["*NO2H"] - h,
        "NO_NOH": ads["*NOH"] - ads["*NO"] - h,
        "NOH_N": ads["*N"] + g_h2o - ads["*NOH"] - h,
        "N_NH": ads["*NH"] - ads["*N"] - h,
        "NH_NH2": ads["*NH2"] - ads["*NH"] - h,
        "NH2_NH3": ads["*NH3"] - ads["*NH2"] - h,
        "NH3_des": g_nh3 + ads["*"] - ads["*NH3"],
    }
    for step_id, value in by_hand.items():
        assert dG0[net.index(step_id), 0] == pytest.approx(value, abs=1e-12), step_id
    # the whole O-end route sums to the overall reaction: NH3 + 3 H2O - NO3- - 9 (H+ + e-) + 1 e-... at 0 V
    total = sum(by_hand.values())
    assert total == pytest.approx(g_nh3 + 3 * g_h2o - g_no3 - 9 * h, abs=1e-12)
    # NO2- release needs NO2-(aq): absent here, so that step is NaN and its route is skipped
    assert np.isnan(dG0[net.index("NO2_des"), 0])


def test_ph_shift_of_oxidative_adsorption_on_rhe_scale():
    net = load_network("no3rr_sac")
    dG0 = np.linspace(-0.5, 0.4, len(net.steps))
    at0 = analyse(net, dG0, Conditions(pH=0)).dG()
    at7 = analyse(net, dG0, Conditions(pH=7)).dG()
    diff = at7[:, 0] - at0[:, 0]
    # NO3- + * -> *NO3 + e-: n_H - n_e = 0 - (-1) = 1, so ΔG rises by 7 kT ln10 = 0.414 eV
    assert diff[net.index("NO3_ads")] == pytest.approx(7 * KT_LN10, abs=1e-12)
    assert 7 * KT_LN10 == pytest.approx(0.4141, abs=1e-4)
    # PCET steps (n_H = n_e) do not move on the RHE scale
    assert diff[net.index("NO_NOH")] == pytest.approx(0.0, abs=1e-15)
    # *NO2 + e- -> NO2-: n_H - n_e = -1, so it moves down by 0.414 eV
    assert diff[net.index("NO2_des")] == pytest.approx(-7 * KT_LN10, abs=1e-12)
    # the whole reaction gains 1 × kT ln10 per pH on the RHE scale (9 H+ / 8 e-)
    res = analyse(net, dG0, Conditions(pH=7))
    route = res.best_route(0)
    assert sum(at7[i, 0] - at0[i, 0] for i in route.steps) == pytest.approx(7 * KT_LN10, abs=1e-12)
    # SHE scale: same physics, potentials shifted by kT ln10 pH
    she = analyse(net, dG0, Conditions(pH=7, scale="SHE"))
    assert she.U_L[0] == pytest.approx(res.U_L[0] - 7 * KT_LN10, abs=1e-12)


def test_best_path_switches_branch_when_one_energy_moves():
    net = load_network("no3rr_sac")
    dG0 = np.full(len(net.steps), -0.2)
    dG0[net.index("NO_NOH")] = 0.30  # O-end is costly...
    dG0[net.index("NO_NHO")] = 0.10  # ...N-end cheaper: U_L = -0.10 through *NHO
    res = analyse(net, dG0)
    assert res.U_L[0] == pytest.approx(-0.10)
    assert "*NHO" in res.table()[0]["best_route"]
    dG0[net.index("NO_NHO")] = 0.45  # now N-end costs more than O-end
    res = analyse(net, dG0)
    assert res.U_L[0] == pytest.approx(-0.30)
    assert "*NOH" in res.table()[0]["best_route"]
    assert res.step_id(res.pds[0]) == "NO_NOH"


def brute_force(net, dG_U0, product="NH3"):
    best = (np.inf, None)
    for r in net.routes_to(product):
        route = net.routes[r]
        if any(np.isnan(dG_U0[i]) for i in route.steps):
            continue
        m = max(dG_U0[i] / net.n_e[i] for i in route.steps if net.n_e[i] > 0)
        best = min(best, (m, r), key=lambda t: t[0])
    return -best[0], best[1]


@pytest.mark.parametrize("pH", [0.0, 3.0])  # pH 0: the engine reads dG0's rows in place
@pytest.mark.parametrize("name", ["no3rr_sac", "no3rr_dual_site", "no3rr_liu2019", "nrr"])
def test_vectorised_engine_matches_brute_force(name, pH):
    net = load_network(name)
    rng = np.random.default_rng(7)
    dG0 = rng.normal(-0.2, 0.5, (len(net.steps), 400))
    dG0[rng.integers(0, len(net.steps), 20), rng.integers(0, 400, 20)] = np.nan
    keep = []
    for k in range(400):
        try:
            brute_force(net, dG0[:, k])
        except TypeError:
            continue
        if brute_force(net, dG0[:, k])[1] is not None:
            keep.append(k)
    dG0 = dG0[:, keep]
    res = analyse(net, dG0, Conditions(pH=pH))
    dG_U0 = res.dG(Conditions(pH=pH))
    for k in range(dG0.shape[1]):
        ul, r = brute_force(net, dG_U0[:, k])
        assert res.U_L[k] == ul  # exact, not approximately
        assert res.routes[res.best[k]] == r
        route = net.routes[r]
        assert res.pds[k] in route.steps and dG_U0[res.pds[k], k] / net.n_e[res.pds[k]] == -ul
        # every route's U_L is kept
        for j, rr in enumerate(res.routes):
            steps = net.routes[rr].steps
            if any(np.isnan(dG_U0[i, k]) for i in steps):
                assert np.isnan(res.route_UL[j, k])
            else:
                expected = -max(dG_U0[i, k] / net.n_e[i] for i in steps if net.n_e[i] > 0)
                assert res.route_UL[j, k] == pytest.approx(expected, abs=1e-12)


def test_missing_data_errors_name_catalyst_and_step():
    net = load_network("no3rr_sac")
    dG0 = np.full((len(net.steps), 2), -0.1)
    dG0[net.index("NO3_ads"), 1] = np.nan
    with pytest.raises(InputError) as err:
        analyse(net, dG0, names=["good", "bad"])
    assert "bad" in str(err.value) and "NO3_ads" in str(err.value) and "good" not in str(err.value).split("[")[1]
    dG0[net.index("NO3_ads"), 1] = np.inf
    with pytest.raises(InputError, match="infinite"):
        analyse(net, dG0, names=["good", "bad"])


@pytest.mark.parametrize("pH", [0.0, 3.0])
def test_infinite_energy_named_in_any_block(pH):
    net = load_network("no3rr_sac")
    n = 3 * CHUNK // 2  # the bad candidate sits in the second block
    dG0 = np.full((len(net.steps), n), -0.1)
    dG0[net.index("NO2H_NO"), n - 3] = -np.inf  # an electrochemical step: its -inf would vanish in a max
    with pytest.raises(InfiniteEnergyError, match=f"NO2H_NO.*cand{n - 3}"):
        analyse(net, dG0, Conditions(pH=pH))


def test_route_maxima_ties_go_to_the_first_route_and_table_matches_rows():
    rng = np.random.default_rng(11)
    n = 200
    table = rng.normal(0, 0.3, (6, n))  # distinct values: routes tie when a shared step is their max
    table[2, ::7] = np.nan
    rows = [table[i] for i in range(6)]
    seqs = [[0, 1, 2], [0, 1, 3], [0, 4, 5], [0, 4]]
    a = route_maxima(rows, seqs, n, table=table)
    b = route_maxima([r.copy() for r in rows], seqs, n, chunk=16)  # copied rows, several blocks
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    _, best, arg, top = a
    ties = 0
    for k in range(n):
        maxima = [table[q, k].max() for q in seqs]  # NaN where a step is missing
        assert top[k] == np.nanmin(maxima)
        assert best[k] == next(r for r, m in enumerate(maxima) if m == top[k])  # the first of equals
        assert arg[k] in seqs[best[k]] and table[arg[k], k] == top[k]
        ties += sum(m == top[k] for m in maxima) > 1
    assert ties > 50  # the rule was exercised


def test_trie_moves_shared_steps_forward_only_when_the_route_order_is_kept():
    hoisted = _trie([[1, 2, 3], [1, 4, 3]])
    assert list(hoisted["children"]) == [1] and list(hoisted["children"][1]["children"]) == [3]
    # [5, 2] would end above [5, 2, 1] and be met first: keep the given order
    plain = _trie([[5, 1, 2], [5, 2]])
    assert list(plain["children"][5]["children"]) == [1, 2]
    assert _end_order(plain) == [0, 1]


def test_incomplete_keep_marks_candidates_and_take_drops_them():
    net = load_network("no3rr_sac")
    rng = np.random.default_rng(5)
    dG0 = rng.normal(-0.2, 0.4, (len(net.steps), 5))
    dG0[net.index("NO3_ads"), 2] = np.nan
    res = analyse(net, dG0, names=list("abcde"), incomplete="keep")
    assert res.best[2] == -1 and res.pds[2] == -1 and np.isnan(res.U_L[2])
    kept = res.take([0, 1, 3, 4])
    alone = analyse(net, dG0[:, [0, 1, 3, 4]], names=list("abde"))
    assert tuple(kept.names) == tuple("abde")
    np.testing.assert_array_equal(kept.U_L, alone.U_L)
    np.testing.assert_array_equal(kept.pds, alone.pds)
    np.testing.assert_array_equal(kept.route_UL, alone.route_UL)
    with pytest.raises(InputError, match="incomplete must be"):
        analyse(net, dG0, incomplete="skip")


def test_rds_from_barriers():
    net = network_from_dict(TOY)
    barriers = np.array([0.1, 0.5, 0.9, 0.6, 0.3, 0.4, 0.5, 0.7, 0.1])
    res = analyse(net, TOY_DG, Conditions(U=0.0), barriers=barriers)
    assert res.step_id(res.rds[0]) == "NO2_NO" and res.barrier_rds[0] == pytest.approx(0.9)
    # at U = -0.5 V electrochemical barriers drop by β n_e |U| (β = 0.5): NO2_NO (2 e-)
    # 0.9 - 0.5 = 0.40, NH2_NH3 0.7 - 0.25 = 0.45; the chemical desorption keeps its barrier but
    # a barrier is never below the step's ΔG: max(0.1, 0.55) = 0.55 -> the RDS is now "des".
    res = analyse(net, TOY_DG, Conditions(U=-0.5), barriers=barriers)
    assert res.step_id(res.rds[0]) == "des" and res.barrier_rds[0] == pytest.approx(0.55)
    # unknown barrier: ignored; next largest is NH2_NH3 at 0.45 (ads: 0.1 + 0.5·(-1)(-0.5) = 0.35)
    barriers[-1] = np.nan
    res = analyse(net, TOY_DG, Conditions(U=-0.5), barriers=barriers)
    assert res.step_id(res.rds[0]) == "NH2_NH3" and res.barrier_rds[0] == pytest.approx(0.45)


def test_oxidation_network_limiting_potential():
    # OER with the ideal-catalyst-like steps: U_L = max ΔG / e for an oxidation
    net = load_network("oer")
    dG0 = np.array([0.8, 1.5, 1.7, 0.92])  # sums to 4.92 eV = 4 × 1.23
    res = analyse(net, dG0)
    assert res.U_L[0] == pytest.approx(1.7)
    assert res.step_id(res.pds[0]) == "O_OOH"
    assert res.eta[0] == pytest.approx(1.7 - res.U_eq)
    assert res.U_eq == pytest.approx(1.229, abs=1e-3)


def test_her_limiting_potential_is_minus_abs_dGH():
    net = load_network("her")
    for dG_H in (0.25, -0.25, 0.0, 0.61):
        res = analyse(net, np.array([dG_H, -dG_H]))  # Volmer ΔG*H, Heyrovsky -ΔG*H
        assert res.U_L[0] == pytest.approx(-abs(dG_H), abs=1e-15)
    res = analyse(net, np.array([0.25, -0.25]))
    assert res.step_id(res.pds[0]) == "Volmer"
    res = analyse(net, np.array([-0.25, 0.25]))
    assert res.step_id(res.pds[0]) == "Heyrovsky"

"""Every shipped network is balanced; routes are found and classified; bad networks are named."""

from __future__ import annotations

import pytest

from chefe.errors import BalanceError, InputError, NetworkError
from chefe.network import load_network, network_from_dict, shipped_networks
from chefe.reaction import net_reaction

SHIPPED = shipped_networks()


def test_expected_networks_are_shipped():
    assert {"no3rr_sac", "no3rr_dual_site", "no3rr_liu2019", "her", "orr", "oer", "nrr"} <= set(SHIPPED)


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_network_is_balanced_and_complete(name):
    net = load_network(name)  # parse_step checks element, charge and site balance of each step
    assert net.routes_to(net.target), f"{name}: no route to {net.target}"
    assert not net.unused_steps(), f"{name}: steps on no route: {net.unused_steps()}"
    for route in net.routes:
        assert route.product is not None, f"{name}: route with unmatched product {route.net}"
        # the route's net reaction is a multiple of its product's overall reaction
        overall = net.products[route.product].net()
        total = net_reaction([net.steps[i] for i in route.steps])
        for species, nu in overall.items():
            assert total[species] == pytest.approx(route.multiplicity * nu)


def test_no3rr_sac_routes_and_nine_pcet_steps():
    net = load_network("no3rr_sac")
    nh3 = net.routes_to("NH3")
    assert len(nh3) == 6
    for r in nh3:
        steps = [net.steps[i] for i in net.routes[r].steps]
        assert sum(s.n_e for s in steps) == 8 and sum(s.n_H for s in steps) == 9
        assert sum(1 for s in steps if s.n_e == 1 and s.n_H == 1) == 9
        assert steps[0].id == "NO3_ads" and steps[-1].id == "NH3_des"
    labels = {net.route_label(net.routes[r]) for r in nh3}
    assert any("*NOH → *N →" in x for x in labels)  # O-end
    assert any("*NHO → *NH2O → *NH2OH" in x for x in labels)  # N-end through NH2OH
    side = {net.routes[i].product for i in range(len(net.routes))} - {"NH3"}
    assert side == {"NO2-", "NO", "NH2OH"}


def test_dual_site_has_dissociative_and_coupling_routes():
    net = load_network("no3rr_dual_site")
    ids = [{net.steps[i].id for i in net.routes[r].steps} for r in net.routes_to("NH3")]
    assert any({"NO3_diss", "NO2_diss", "NO_diss"} <= s for s in ids)  # fully dissociative
    assert any("NO3_diss" in s and "NO_NOH" in s for s in ids)  # dissociation-association
    assert net.routes_to("N2O") and net.routes_to("N2")


def test_dual_site_hydrogenated_scission_nh2oh_and_n_no_coupling():
    net = load_network("no3rr_dual_site")
    ids = [{net.steps[i].id for i in net.routes[r].steps} for r in net.routes_to("NH3")]
    # the Cu(111) path: *NO -> *NHO -> *NHOH, then N-O scission of *NHOH on the free site
    assert any({"NO_NHO", "NHO_NHOH", "NHOH_diss", "OH_H2O"} <= s for s in ids)
    for step in ("NOH_diss", "NHO_diss", "NH2O_diss", "NH2OH_diss", "NO2H_diss", "NO3H_diss"):
        assert any(step in s for s in ids), step
    assert net.routes_to("NH2OH")
    n2o = [{net.steps[i].id for i in net.routes[r].steps} for r in net.routes_to("N2O")]
    assert any("N_NO_N2O" in s for s in n2o) and any("N2O_form" in s for s in n2o)


def _brute_force_routes(net):
    """Elementary routes by plain depth-first search over simple paths of surface states (no
    sleep sets, no pruning): each as its multiset of step indices."""
    from collections import Counter

    def apply(state, step):
        have = Counter(state)
        need = Counter()
        for sp, nu in step.reactants:
            if sp.phase in ("ads", "site"):
                need[sp.name] += int(round(nu))
        if any(have[k] < v for k, v in need.items()):
            return None
        have.subtract(need)
        for sp, nu in step.products:
            if sp.phase in ("ads", "site"):
                have[sp.name] += int(round(nu))
        return tuple(sorted(k for k, v in have.items() for _ in range(v)))

    start = tuple(sorted(net.start))
    found = set()

    def dfs(state, path, seen):
        for i, step in enumerate(net.steps):
            nxt = apply(state, step)
            if nxt is None:
                continue
            if nxt == start:
                found.add(tuple(sorted(path + [i])))
            elif nxt not in seen:
                dfs(nxt, path + [i], seen | {nxt})

    dfs(start, [], {start})
    elementary = []
    for key in sorted(found, key=len):
        c = Counter(key)
        if not any(all(c[i] >= n for i, n in e.items()) for e in elementary):
            elementary.append(c)
    return {tuple(sorted(c.elements())) for c in elementary}


@pytest.mark.parametrize("name", ["no3rr_sac", "orr", "nrr"])
def test_route_search_finds_what_a_plain_search_finds(name):
    net = load_network(name)
    assert {tuple(sorted(r.steps)) for r in net.routes} == _brute_force_routes(net)


def test_route_search_on_two_sites_equals_plain_search():
    """A two-site network small enough for the plain search: nitrate to NO2- or NO, N-O scission,
    *O removal, 2*NO coupling."""
    data = {"name": "two_site_toy", "sites": 2, "target": "NO",
            "products": {"NO": "NO3-(aq) + 4H+ + 3e- -> NO(g) + 2H2O(l)",
                         "NO2-": "NO3-(aq) + 2H+ + 2e- -> NO2-(aq) + H2O(l)",
                         "N2O": "2NO3-(aq) + 10H+ + 8e- -> N2O(g) + 5H2O(l)"},
            "steps": [{"id": "ads", "eq": "NO3-(aq) + * -> *NO3 + e-"},
                      {"id": "diss", "eq": "*NO3 + * -> *NO2 + *O"},
                      {"id": "h", "eq": "*NO3 + H+ + e- -> *NO3H"},
                      {"id": "hdiss", "eq": "*NO3H + * -> *NO2 + *OH"},
                      {"id": "h2", "eq": "*NO3H + H+ + e- -> *NO2 + H2O(l)"},
                      {"id": "no2diss", "eq": "*NO2 + * -> *NO + *O"},
                      {"id": "o", "eq": "*O + H+ + e- -> *OH"},
                      {"id": "oh", "eq": "*OH + H+ + e- -> H2O(l) + *"},
                      {"id": "no2des", "eq": "*NO2 + e- -> NO2-(aq) + *"},
                      {"id": "nodes", "eq": "*NO -> NO(g) + *"},
                      {"id": "n2o", "eq": "2*NO -> N2O(g) + *O + *"}]}
    net = network_from_dict(data)
    assert {tuple(sorted(r.steps)) for r in net.routes} == _brute_force_routes(net)
    assert net.routes_to("NO") and net.routes_to("NO2-")


def test_nrr_distal_and_alternating():
    net = load_network("nrr")
    labels = [net.route_label(net.routes[r]) for r in net.routes_to("NH3")]
    assert any("*NNH2 → *N → *NH" in x for x in labels)  # distal
    assert any("*NHNH → *NHNH2 → *NH2NH2" in x for x in labels)  # alternating


def test_unbalanced_network_names_file_and_step():
    data = {"name": "bad", "products": {"NH3": "NO3-(aq) + 9H+ + 8e- -> NH3(g) + 3H2O(l)"},
            "steps": [{"id": "NO3_ads", "eq": "NO3-(aq) + * -> *NO3 + e-"},
                      {"id": "oops", "eq": "*NO3 + H+ + e- -> *NO2 + H2O(l)"}]}
    with pytest.raises(BalanceError) as err:
        network_from_dict(data, source="my_network.yaml")
    assert "my_network.yaml" in str(err.value) and "oops" in str(err.value)


def test_malformed_yaml_and_boolean_keys(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nsteps: [ {id: a, eq: 'x'\n")
    with pytest.raises(InputError, match="malformed YAML"):
        load_network(bad)
    boolean = tmp_path / "bool.yaml"
    boolean.write_text("name: x\ntarget: NH3\nproducts:\n  NO: 'NO3-(aq) + 4H+ + 3e- -> NO(g) + 2H2O(l)'\n"
                       "steps:\n  - {id: a, eq: 'NO3-(aq) + * -> *NO3 + e-'}\n")
    with pytest.raises(InputError, match="quote"):
        load_network(boolean)


def test_duplicate_step_ids():
    data = {"name": "dup", "products": {"H2": "2H+ + 2e- -> H2(g)"},
            "steps": [{"id": "a", "eq": "H+ + e- + * -> *H"}, {"id": "a", "eq": "*H + H+ + e- -> H2(g) + *"}]}
    with pytest.raises(NetworkError, match="duplicate step ids"):
        network_from_dict(data)


def test_unknown_network_name():
    with pytest.raises(InputError, match="no shipped network"):
        load_network("no3rr_typo")


def test_hydrogenation_by_adsorbed_h_by_hand():
    """ORR on two sites with adsorbed H: Volmer * + H+ + e- -> *H (ΔG_H), then *OOH + *H -> *O +
    H2O + *: its ΔG is the PCET step's minus ΔG_H, since G(*H) = ΔG_H + ½G(H2) and H+ + e- = ½H2."""
    import numpy as np

    from chefe.engine import step_free_energies
    from chefe.errors import NetworkError
    from chefe.network import with_adsorbed_hydrogen

    data = {"name": "orr2", "sites": 2, "target": "H2O",
            "products": {"H2O": "O2(g) + 4H+ + 4e- -> 2H2O(l)"},
            "steps": [{"id": "O2_OOH", "eq": "O2(g) + * + H+ + e- -> *OOH"},
                      {"id": "OOH_O", "eq": "*OOH + H+ + e- -> *O + H2O(l)"},
                      {"id": "O_OH", "eq": "*O + H+ + e- -> *OH"},
                      {"id": "OH_H2O", "eq": "*OH + H+ + e- -> H2O(l) + *"}]}
    pcet = network_from_dict(data)
    h = with_adsorbed_hydrogen(pcet)
    assert h.step_ids[0] == "H_ads" and set(h.step_ids[1:]) == set(pcet.step_ids)
    g = {"*": 0.0, "*H": -3.30, "*OOH": -9.60, "*O": -6.90, "*OH": -10.60,
         "O2(g)": -9.86, "H2(g)": -6.77, "H2O(l)": -14.22}
    dG_pcet = dict(zip(pcet.step_ids, step_free_energies(pcet, g)[:, 0]))
    dG_h = dict(zip(h.step_ids, step_free_energies(h, g)[:, 0]))
    dG_H = -3.30 - 0.5 * -6.77
    assert dG_h["H_ads"] == pytest.approx(dG_H)
    for step in ("OOH_O", "O_OH", "OH_H2O"):
        assert dG_h[step] == pytest.approx(dG_pcet[step] - dG_H), step
        assert h.steps[h.index(step)].n_e == 0  # chemical now
    assert dG_h["O2_OOH"] == pytest.approx(dG_pcet["O2_OOH"])  # O2 is no single adsorbate: kept
    # the route (three Volmer steps) makes the same overall reaction, with the same ΔG
    assert np.isclose(sum(dG_h[s] for s in pcet.step_ids) + 3 * dG_h["H_ads"], sum(dG_pcet.values()))
    assert h.routes_to("H2O")
    with pytest.raises(NetworkError, match="second site"):
        with_adsorbed_hydrogen(load_network("orr"))


def test_dissociative_nitrate_adsorption_option():
    """NO3-(aq) + * -> *O + NO2-(aq): balanced (N1 O3, charge -1 on both sides), a chemical step,
    its route NO3- -> *O -> *OH -> * ending in NO2- + H2O; its ΔG by hand from species G."""
    from chefe.engine import step_free_energies
    from chefe.errors import NetworkError
    from chefe.network import with_nitrate_dissociation

    net = with_nitrate_dissociation(load_network("no3rr_sac"))
    step = net.steps[net.index("NO3_dissads")]
    assert step.n_e == 0 and step.n_H == 0
    assert {"O_OH", "OH_H2O"} <= set(net.step_ids)
    labels = [net.route_label(net.routes[r]) for r in net.routes_to("NO2-")]
    assert "* → *O → *OH → *" in labels
    g = {"*": 0.0, "*O": -6.0, "NO3-(aq)": -20.0, "NO2-(aq)": -15.5}
    g.update({sp: 0.0 for sp in net.species if sp not in g})
    dG = step_free_energies(net, g)[net.index("NO3_dissads"), 0]
    assert dG == pytest.approx(-6.0 + -15.5 - (-20.0))
    # the dual-site network has *O steps already: only the adsorption step is added
    dual = with_nitrate_dissociation(load_network("no3rr_dual_site"))
    assert len(dual.steps) == len(load_network("no3rr_dual_site").steps) + 1
    with pytest.raises(NetworkError, match="takes no NO3"):
        with_nitrate_dissociation(load_network("orr"))

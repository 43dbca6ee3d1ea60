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

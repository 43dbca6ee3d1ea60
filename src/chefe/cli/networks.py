"""``chefe networks [NAME]``: list shipped networks, or print one with its balanced steps and routes."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", nargs="?", help="shipped network name or path to a network YAML")


def run(args: argparse.Namespace) -> int:
    from ..network import describe_route, load_network, shipped_networks

    if not args.name:
        for name in shipped_networks():
            net = load_network(name)
            print(f"{name:18s} {len(net.steps):3d} steps, {len(net.routes):3d} routes  {net.title}")
        return 0
    net = load_network(args.name)
    print(f"{net.name}: {net.title}\n{net.description}\nsites: {net.sites}; target: {net.target}")
    print("\nsteps (n_e, n_H):")
    for step in net.steps:
        print(f"  {step.id:14s} {step.n_e:+g} {step.n_H:+g}  {step.equation}")
    print("\nroutes:")
    for route in net.routes:
        print(f"  [{describe_route(net, route)}]\n    {net.route_label(route)}")
    unused = net.unused_steps()
    if unused:
        print(f"\nsteps on no complete route with {net.sites} site(s): {list(unused)}")
    return 0
